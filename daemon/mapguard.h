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
#include <stdint.h>

/* Install the SIGBUS handler (once) and clear the flag. */
void mapguard_arm(void);

/* The window being read now, or NULL. */
void mapguard_window(const void *start, size_t len);

/* Let the window go: *map (len bytes, or NULL) is unmapped and set to NULL,
 * and the guard no longer covers it. */
void mapguard_unmap(const uint8_t **map, size_t len);

/* Has a fault inside the window cut the file short? */
bool mapguard_cut(void);

#endif
