/* parse.h — the outcome every wire parser returns, and name buffers.
 *
 * Truncated (the bytes ran out before the structure ended) and malformed (the
 * bytes contradict the format) are different outcomes with different counters. */
#ifndef C2W_PARSE_H
#define C2W_PARSE_H

#include <stddef.h>

enum parse_result {
	PARSE_OK = 0,
	PARSE_TRUNCATED,
	PARSE_MALFORMED,
	PARSE_UNSUPPORTED,
};

/* A domain name as text: labels joined by '.', no trailing dot, bytes as on the
 * wire (they are escaped only on output).  255 wire octets make at most 253
 * text characters; the buffer leaves room for a NUL. */
#define NAME_TEXT_MAX 256

#endif
