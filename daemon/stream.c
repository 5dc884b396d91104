/* stream.c — bounded per-direction TCP reassembly over pooled buffers
 * (RFC 9293 sequence space, modulo 2^32). */
#include <stdlib.h>
#include <string.h>

#include "stream.h"

/* Buffers in use are kept in order of last use: when none is free, the one
 * idle longest is taken from its stream (which is told of the lost bytes as
 * a gap), so streams that stall cannot pin the whole pool. */
struct stream_pool {
	uint8_t *mem;
	uint32_t depth;
	uint32_t count;
	uint32_t *free;
	uint32_t nfree;
	struct stream_dir **owner;   /* per buffer: the stream holding it */
	int32_t *prev, *next;        /* use order of held buffers, -1 ends */
	int32_t lru_head, lru_tail;  /* head: idle longest */
	struct stats *st;
};

static void lru_unlink(struct stream_pool *sp, int32_t b)
{
	if (sp->prev[b] >= 0)
		sp->next[sp->prev[b]] = sp->next[b];
	else
		sp->lru_head = sp->next[b];
	if (sp->next[b] >= 0)
		sp->prev[sp->next[b]] = sp->prev[b];
	else
		sp->lru_tail = sp->prev[b];
	sp->prev[b] = sp->next[b] = -1;
}

static void lru_append(struct stream_pool *sp, int32_t b)
{
	sp->prev[b] = sp->lru_tail;
	sp->next[b] = -1;
	if (sp->lru_tail >= 0)
		sp->next[sp->lru_tail] = b;
	else
		sp->lru_head = b;
	sp->lru_tail = b;
}

static void touch(struct stream_pool *sp, int32_t b)
{
	if (sp->lru_tail != b) {
		lru_unlink(sp, b);
		lru_append(sp, b);
	}
}

struct stream_pool *stream_pool_new(uint32_t count, uint32_t depth, struct stats *st)
{
	struct stream_pool *sp = calloc(1, sizeof *sp);
	if (!sp)
		return NULL;
	sp->mem = malloc((size_t)count * depth);
	sp->free = malloc((size_t)count * sizeof *sp->free);
	sp->owner = calloc(count, sizeof *sp->owner);
	sp->prev = malloc((size_t)count * sizeof *sp->prev);
	sp->next = malloc((size_t)count * sizeof *sp->next);
	if (!sp->mem || !sp->free || !sp->owner || !sp->prev || !sp->next) {
		stream_pool_free(sp);
		return NULL;
	}
	for (uint32_t i = 0; i < count; i++)
		sp->prev[i] = sp->next[i] = -1;
	sp->lru_head = sp->lru_tail = -1;
	for (uint32_t i = 0; i < count; i++)
		sp->free[i] = count - 1 - i;
	sp->nfree = count;
	sp->count = count;
	sp->depth = depth;
	sp->st = st;
	return sp;
}

void stream_pool_free(struct stream_pool *sp)
{
	if (!sp)
		return;
	free(sp->mem);
	free(sp->free);
	free(sp->owner);
	free(sp->prev);
	free(sp->next);
	free(sp);
}

uint32_t stream_pool_depth(const struct stream_pool *sp) { return sp->depth; }

void stream_init(struct stream_dir *sd)
{
	memset(sd, 0, sizeof *sd);
	sd->buf = -1;
}

static uint8_t *buf_of(struct stream_pool *sp, const struct stream_dir *sd)
{
	return sp->mem + (size_t)sd->buf * sp->depth;
}

static bool acquire(struct stream_pool *sp, struct stream_dir *sd)
{
	if (sd->buf >= 0) {
		touch(sp, sd->buf);
		return true;
	}
	if (!sp->nfree) {
		if (sp->lru_head < 0) {
			stat_inc(sp->st, ST_stream_no_buffer);
			return false;
		}
		struct stream_dir *victim = sp->owner[sp->lru_head];
		stream_release(sp, victim);
		victim->evicted = 1;
		stat_inc(sp->st, ST_stream_evicted);
	}
	sd->buf = (int32_t)sp->free[--sp->nfree];
	sd->nranges = 0;
	sp->owner[sd->buf] = sd;
	lru_append(sp, sd->buf);
	stat_set(sp->st, ST_stream_buffers_used, sp->count - sp->nfree);
	return true;
}

void stream_release(struct stream_pool *sp, struct stream_dir *sd)
{
	if (sd->buf >= 0) {
		lru_unlink(sp, sd->buf);
		sp->owner[sd->buf] = NULL;
		sp->free[sp->nfree++] = (uint32_t)sd->buf;
		sd->buf = -1;
		stat_set(sp->st, ST_stream_buffers_used, sp->count - sp->nfree);
	}
	sd->nranges = 0;
}

void stream_syn(struct stream_pool *sp, struct stream_dir *sd, uint32_t isn)
{
	if (sd->syn_seen && sd->isn == isn)
		return;                         /* retransmitted SYN */
	if (!sd->syn_seen && sd->seq_known && sd->next_seq == isn + 1) {
		sd->syn_seen = 1;               /* data seen before its SYN, nothing read yet */
		sd->isn = isn;
		return;
	}
	stream_release(sp, sd);
	stream_init(sd);
	sd->next_seq = isn + 1;
	sd->seq_known = 1;
	sd->syn_seen = 1;
	sd->isn = isn;
}

static void finish(struct stream_pool *sp, struct stream_dir *sd)
{
	sd->done = 1;
	stream_release(sp, sd);
}

/* Hand p[0..len) to the parser message by message.  Returns the bytes it is
 * done with (may exceed len: skip). */
static size_t run_parser(stream_parser_fn fn, void *ctx, const uint8_t *p, size_t len,
			 bool *done)
{
	size_t pos = 0;
	while (pos < len && !*done) {
		size_t c = fn(ctx, p + pos, len - pos, false, done);
		if (c == 0)
			break;
		pos += c;
	}
	return pos;
}

/* Drop the first n bytes of the window (n may exceed what is buffered). */
static void shift(struct stream_pool *sp, struct stream_dir *sd, size_t n)
{
	sd->next_seq += (uint32_t)n;
	if (sd->buf < 0 || !sd->nranges)
		return;
	uint32_t top = sd->ranges[sd->nranges - 1].hi;
	uint8_t *b = buf_of(sp, sd);
	if (n < top)
		memmove(b, b + n, top - n);
	uint16_t k = 0;
	for (uint16_t i = 0; i < sd->nranges; i++) {
		if (sd->ranges[i].hi <= n)
			continue;
		sd->ranges[k].lo = sd->ranges[i].lo > n ? sd->ranges[i].lo - (uint32_t)n : 0;
		sd->ranges[k].hi = sd->ranges[i].hi - (uint32_t)n;
		k++;
	}
	sd->nranges = k;
}

/* Copy data at window offset off, keeping bytes already there (first copy
 * wins), and record the range.  Bytes beyond the window are counted. */
static void insert(struct stream_pool *sp, struct stream_dir *sd, size_t off,
		   const uint8_t *data, size_t len)
{
	size_t end = off + len;
	if (end > sp->depth) {
		stat_inc(sp->st, ST_stream_overflow);
		end = sp->depth;
	}
	if (off >= end)
		return;
	if (sd->nranges && off > sd->ranges[0].hi)
		stat_inc(sp->st, ST_stream_out_of_order);
	else if (!sd->nranges && off > 0)
		stat_inc(sp->st, ST_stream_out_of_order);

	uint8_t *b = buf_of(sp, sd);
	size_t cur = off;
	for (uint16_t i = 0; i < sd->nranges && cur < end; i++) {
		if (sd->ranges[i].hi <= cur)
			continue;
		if (sd->ranges[i].lo >= end)
			break;
		if (sd->ranges[i].lo > cur)
			memcpy(b + cur, data + (cur - off), sd->ranges[i].lo - cur);
		cur = sd->ranges[i].hi;
	}
	if (cur < end)
		memcpy(b + cur, data + (cur - off), end - cur);

	/* Merge [off, end) into the sorted, disjoint range list. */
	struct { uint32_t lo, hi; } out[STREAM_RANGES + 1];
	uint16_t n = 0;
	uint32_t lo = (uint32_t)off, hi = (uint32_t)end;
	bool placed = false;
	for (uint16_t i = 0; i < sd->nranges; i++) {
		uint32_t rlo = sd->ranges[i].lo, rhi = sd->ranges[i].hi;
		if (rhi < lo) {
			out[n].lo = rlo, out[n].hi = rhi, n++;
		} else if (rlo > hi) {
			if (!placed)
				out[n].lo = lo, out[n].hi = hi, n++, placed = true;
			out[n].lo = rlo, out[n].hi = rhi, n++;
		} else {
			lo = rlo < lo ? rlo : lo;
			hi = rhi > hi ? rhi : hi;
		}
	}
	if (!placed)
		out[n].lo = lo, out[n].hi = hi, n++;
	if (n > STREAM_RANGES) {
		n = STREAM_RANGES;                /* forget the range furthest ahead */
		stat_inc(sp->st, ST_stream_overflow);
	}
	for (uint16_t i = 0; i < n; i++) {
		sd->ranges[i].lo = out[i].lo;
		sd->ranges[i].hi = out[i].hi;
	}
	sd->nranges = n;
}

static void gap(struct stream_pool *sp, struct stream_dir *sd, stream_parser_fn fn, void *ctx)
{
	bool done = false;
	stat_inc(sp->st, ST_stream_gap);
	fn(ctx, NULL, 0, false, &done);
	if (done)
		finish(sp, sd);
}

/* Parse what the window holds contiguously from offset 0. */
static void deliver(struct stream_pool *sp, struct stream_dir *sd, stream_parser_fn fn, void *ctx)
{
	while (!sd->done && sd->buf >= 0) {
		if (!sd->nranges) {
			stream_release(sp, sd);
			return;
		}
		if (sd->ranges[0].lo != 0) {
			/* A hole at the front: wait while the window can still
			 * take bytes after it; once it cannot, the hole is old
			 * news (a capture drop is never retransmitted).  Running
			 * out of ranges is not a reason: the sender's own
			 * reordering must not be able to skip its hello. */
			if (sd->ranges[sd->nranges - 1].hi < sp->depth)
				return;
			gap(sp, sd, fn, ctx);
			if (sd->done)
				return;
			shift(sp, sd, sd->ranges[0].lo);
			continue;
		}
		bool done = false;
		size_t avail = sd->ranges[0].hi;
		const uint8_t *b = buf_of(sp, sd);
		size_t pos = run_parser(fn, ctx, b, avail, &done);
		if (!done && pos == 0) {
			if (avail < sp->depth)
				return;                 /* wait: holes behind it may still fill */
			pos = fn(ctx, b, avail, true, &done);
			if (!done && pos == 0)
				done = true;            /* the parser cannot go on */
		}
		if (done) {
			finish(sp, sd);
			return;
		}
		shift(sp, sd, pos);
	}
}

void stream_segment(struct stream_pool *sp, struct stream_dir *sd, uint32_t seq,
		    const uint8_t *data, size_t len, stream_parser_fn fn, void *ctx)
{
	if (sd->done || len == 0)
		return;
	if (sd->evicted) {
		/* Its buffer went to another stream: what it held is lost, so
		 * the parser hears of a gap and reading starts over here. */
		sd->evicted = 0;
		gap(sp, sd, fn, ctx);
		if (sd->done)
			return;
		sd->seq_known = 0;
	}
	if (!sd->seq_known) {
		sd->next_seq = seq;
		sd->seq_known = 1;
	}
	int32_t off = (int32_t)(seq - sd->next_seq);
	if (off < 0) {
		uint32_t back = (uint32_t)(-(int64_t)off);
		if (back >= len) {
			stat_inc(sp->st, ST_stream_retransmitted);
			return;
		}
		data += back;
		len -= back;
		off = 0;
	}
	if ((uint32_t)off >= sp->depth) {
		/* Beyond the window: the sender has moved on, so what is missing
		 * will not come.  Parse what is held as far as it goes, then
		 * start over here. */
		if (sd->buf >= 0 && sd->nranges && sd->ranges[0].lo == 0) {
			bool done = false;
			fn(ctx, buf_of(sp, sd), sd->ranges[0].hi, true, &done);
			if (done) {
				finish(sp, sd);
				return;
			}
		}
		stream_release(sp, sd);
		gap(sp, sd, fn, ctx);
		if (sd->done)
			return;
		sd->next_seq = seq;
		off = 0;
	}
	if (sd->buf < 0 && off == 0) {
		/* In order with nothing held: parse straight from the packet. */
		bool done = false;
		size_t pos = run_parser(fn, ctx, data, len, &done);
		if (done) {
			finish(sp, sd);
			return;
		}
		sd->next_seq += (uint32_t)pos;
		if (pos >= len)
			return;
		data += pos;
		len -= pos;
	}
	if (!acquire(sp, sd)) {
		/* No buffer: parse this segment alone, as far as it goes. */
		bool done = false;
		if (off == 0)
			fn(ctx, data, len, true, &done);
		finish(sp, sd);
		return;
	}
	insert(sp, sd, (size_t)off, data, len);
	deliver(sp, sd, fn, ctx);
}
