/* stream.h — bounded reassembly of one direction of a TCP stream.
 *
 * The parsers above only ever need the start of a stream's messages (a
 * ClientHello, DNS messages over TCP), so each direction keeps a window of at
 * most `depth` bytes, taken from a preallocated pool only while a message is
 * incomplete.  Segments in order are handed to the parser straight from the
 * packet, without a copy; only what is left over, or what arrives ahead of a
 * gap, is buffered.  Sequence numbers compare modulo 2^32 (wrap-around);
 * overlapping bytes keep what arrived first; a gap that cannot be filled
 * within the window is given up on and the parser is told so. */
#ifndef C2W_STREAM_H
#define C2W_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

#define STREAM_RANGES 4

struct stream_dir {
	uint32_t next_seq;     /* sequence number of window offset 0 */
	int32_t buf;           /* pool buffer index, -1 when none */
	uint16_t nranges;      /* filled ranges of the window, sorted, disjoint */
	uint8_t seq_known;
	uint8_t done;          /* the parser wants no more bytes */
	uint16_t probes;       /* parser's own counter (e.g. segments tried) */
	uint8_t syn_seen;
	uint8_t mode;          /* parser's own state (e.g. which protocol it found) */
	uint8_t evicted;       /* its buffer was taken for another stream */
	uint32_t isn;          /* initial sequence number, when syn_seen */
	struct { uint32_t lo, hi; } ranges[STREAM_RANGES];
};

struct stream_pool;

/* A parser reads p[0..len) at a message boundary and returns how many bytes
 * it is done with (0: needs more; more than len: skip that far ahead).  It
 * sets *done to stop receiving bytes.  `full` says no more bytes can be added
 * before it consumes some (window full or stream ending): it must then
 * consume or finish.  p == NULL, len == 0 reports a gap: bytes were lost
 * before the next call's bytes. */
typedef size_t (*stream_parser_fn)(void *ctx, const uint8_t *p, size_t len,
				   bool full, bool *done);

struct stream_pool *stream_pool_new(uint32_t count, uint32_t depth, struct stats *st);
void stream_pool_free(struct stream_pool *sp);
uint32_t stream_pool_depth(const struct stream_pool *sp);

void stream_init(struct stream_dir *sd);

/* Feed one segment's payload of sequence number seq. */
void stream_segment(struct stream_pool *sp, struct stream_dir *sd, uint32_t seq,
		    const uint8_t *data, size_t len, stream_parser_fn fn, void *ctx);

/* A SYN fixes the initial sequence number: data starts at isn + 1.  A SYN
 * with another ISN on a known stream is a new connection on the same ports:
 * the direction starts over. */
void stream_syn(struct stream_pool *sp, struct stream_dir *sd, uint32_t isn);

/* Give back the buffer (flow ends or the parser is done). */
void stream_release(struct stream_pool *sp, struct stream_dir *sd);

#endif
