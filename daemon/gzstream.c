/* gzstream.c — read(2) and inflate, returning as soon as there is output
 * (gzread waits until the whole request is filled). */
#include "gzstream.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define IN_SIZE (128u << 10)

struct gzstream {
	int fd;
	bool decided, gzip, ended, inflating;
	z_stream z;
	uint64_t taken;
	uint8_t in[IN_SIZE];         /* z.next_in, z.avail_in: what waits in it */
};

struct gzstream *gzstream_open(int fd)
{
	struct gzstream *s = calloc(1, sizeof *s);
	if (!s) {
		close(fd);
		return NULL;
	}
	s->fd = fd;
	return s;
}

/* More input: -1 error, 0 end, else bytes added to in[]. */
static ssize_t fill(struct gzstream *s, size_t have)
{
	ssize_t n = read(s->fd, s->in + have, IN_SIZE - have);
	if (n > 0)
		s->taken += (uint64_t)n;
	return n;
}

/* Two bytes tell gzip (RFC 1952 §2.3.1: 0x1f 0x8b) from anything else;
 * they wait in in[] for the first read, whichever it is. */
static int decide(struct gzstream *s)
{
	size_t have = s->z.avail_in;
	while (have < 2) {
		ssize_t n = fill(s, have);
		if (n < 0) {
			s->z.avail_in = (uInt)have;
			return -1;
		}
		if (n == 0)
			break;
		have += (size_t)n;
	}
	s->decided = true;
	s->gzip = have >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b;
	if (s->gzip) {
		if (inflateInit2(&s->z, 15 + 16) != Z_OK)   /* 16: a gzip wrapper */
			return -1;
		s->inflating = true;
	}
	s->z.next_in = s->in;
	s->z.avail_in = (uInt)have;
	return 0;
}

static ssize_t read_plain(struct gzstream *s, uint8_t *buf, size_t size)
{
	if (s->z.avail_in) {             /* the bytes read to decide */
		size_t n = s->z.avail_in < size ? s->z.avail_in : size;
		memcpy(buf, s->z.next_in, n);
		s->z.next_in += n;
		s->z.avail_in -= (uInt)n;
		return (ssize_t)n;
	}
	ssize_t n = read(s->fd, buf, size);
	if (n > 0)
		s->taken += (uint64_t)n;
	return n;
}

static ssize_t read_gzip(struct gzstream *s, uint8_t *buf, size_t size)
{
	if (size > (1u << 30))
		size = 1u << 30;
	for (;;) {
		if (s->ended)
			return 0;
		if (s->z.avail_in == 0) {
			ssize_t n = fill(s, 0);
			if (n < 0)
				return -1;
			if (n == 0) {            /* cut short: what came is what there is */
				s->ended = true;
				return 0;
			}
			s->z.next_in = s->in;
			s->z.avail_in = (uInt)n;
		}
		s->z.next_out = buf;
		s->z.avail_out = (uInt)size;
		int rc = inflate(&s->z, Z_SYNC_FLUSH);
		size_t got = size - s->z.avail_out;
		if (rc == Z_STREAM_END) {
			/* Members may follow one another (RFC 1952 §2.2), as gzip's
			 * own reader allows; trailing bytes that are not one end it. */
			if (inflateReset(&s->z) != Z_OK)
				s->ended = true;
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			s->ended = true;         /* corrupt: stop after what decoded */
		}
		if (got)
			return (ssize_t)got;
	}
}

ssize_t gzstream_read(struct gzstream *s, uint8_t *buf, size_t size)
{
	if (!size)
		return 0;
	if (!s->decided && decide(s) < 0)
		return -1;
	return s->gzip ? read_gzip(s, buf, size) : read_plain(s, buf, size);
}

uint64_t gzstream_offset(const struct gzstream *s)
{
	return s->taken;
}

void gzstream_close(struct gzstream *s)
{
	if (!s)
		return;
	if (s->inflating)
		inflateEnd(&s->z);
	close(s->fd);
	free(s);
}
