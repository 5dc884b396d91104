/* gzstream.h — a byte stream from a file descriptor (a pipe, standard
 * input, a .gz file), gunzipped when it is gzip, that hands back whatever
 * has arrived instead of waiting to fill the caller's buffer: a capture
 * piped from a quiet link (tcpdump -w - | c2watchd -r -) is inspected as
 * its packets come, not a buffer later. */
#ifndef C2W_GZSTREAM_H
#define C2W_GZSTREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct gzstream;

/* Takes fd (closed by gzstream_close).  NULL when out of memory. */
struct gzstream *gzstream_open(int fd);

/* Up to size bytes: > 0 read, 0 at the end (a gzip stream cut short, or
 * corrupt after some output, ends there too), -1 on a read error with
 * errno set (EINTR when a signal came first: the caller decides). */
ssize_t gzstream_read(struct gzstream *s, uint8_t *buf, size_t size);

/* Bytes taken from the descriptor so far (compressed bytes for gzip). */
uint64_t gzstream_offset(const struct gzstream *s);

void gzstream_close(struct gzstream *s);

#endif
