/* mem.h — large zeroed tables that the per-packet path reads at random
 * (flow pool, hash buckets, matcher slots).  Anonymous maps advised into
 * huge pages where the kernel has them: a random access then costs one TLB
 * entry per 2 MiB instead of a page walk per 4 KiB. */
#ifndef C2W_MEM_H
#define C2W_MEM_H

#include <stddef.h>

/* n * size bytes, zeroed; NULL on overflow or failure. */
void *table_alloc(size_t n, size_t size);
void table_free(void *p, size_t n, size_t size);

#endif
