/* mapguard.h — survive a replayed file cut shorter while it is mapped.
 *
 * Reading a mapped page past a file's new end raises SIGBUS (a capture
 * rotated or truncated under a replay).  The readers publish the window
 * they read from; the guard's handler maps zero pages over the rest of it
 * and flags the cut, which the reader then reports as a file that ends in
 * the middle of a record.  One mapped reader per process. */
#ifndef C2W_MAPGUARD_H
#define C2W_MAPGUARD_H

#include <stdbool.h>
#include <stddef.h>

/* Install the SIGBUS handler (once) and clear the flag. */
void mapguard_arm(void);

/* The window being read now, or NULL. */
void mapguard_window(const void *start, size_t len);

/* Has a fault inside the window cut the file short? */
bool mapguard_cut(void);

#endif
