/* mem.c — huge-page-advised anonymous maps for big random-access tables. */
#include <stdint.h>
#include <sys/mman.h>

#include "mem.h"

#define HUGE_MIN (2u << 20)      /* below one huge page the advice buys nothing */

void *table_alloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	size_t bytes = n * size;
	if (!bytes)
		bytes = 1;
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (bytes >= HUGE_MIN)
		madvise(p, bytes, MADV_HUGEPAGE);
	return p;                       /* anonymous pages are zero */
}

void table_free(void *p, size_t n, size_t size)
{
	if (p)
		munmap(p, n * size > 0 ? n * size : 1);
}
