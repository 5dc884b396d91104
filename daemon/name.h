/* name.h — domain name normalisation shared by the DNS and TLS parsers, the
 * list loader and the matcher, so that all of them agree on what a name is. */
#ifndef C2W_NAME_H
#define C2W_NAME_H

#include <stdbool.h>
#include <stddef.h>

/* Lower-case ASCII letters in place and drop one trailing dot.  Returns the new
 * length.  Other bytes are kept as they are. */
size_t name_normalize(char *s, size_t len);

/* Is this a name a list may hold: labels of 1..63 characters from
 * [a-z0-9_-] (after normalisation), at most 253 characters in all?  On failure,
 * *bad_at is the 0-based offset of the first offending character and *why a
 * static message. */
bool name_valid_entry(const char *s, size_t len, size_t *bad_at, const char **why);

#endif
