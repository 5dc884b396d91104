/* test_stream.c — bounded TCP reassembly: order, retransmission, overlap,
 * wrap-around, SYN handling, gaps, resync, the full window, pool exhaustion,
 * and a parser that stops. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "stream.h"

#define DEPTH 64

static struct stats st;

/* A recording parser: appends what it consumes to out, '|' for a gap.  With
 * frame = 0 it consumes everything; with frame = N only whole N-byte
 * messages, and given full = true with less than one message it finishes. */
struct rec {
	char out[4096];
	size_t n;
	size_t frame;
	size_t stop_after;   /* set *done once this many bytes were consumed (0: never) */
	int calls, gaps, fulls;
	size_t full_len;
};

static size_t parse(void *ctx, const uint8_t *p, size_t len, bool full, bool *done)
{
	struct rec *r = ctx;
	size_t take;

	r->calls++;
	if (!p) {
		CHECK_EQ(len, 0);
		r->gaps++;
		r->out[r->n++] = '|';
		return 0;
	}
	CHECK(len > 0);
	if (full) {
		r->fulls++;
		r->full_len = len;
	}
	take = r->frame ? len / r->frame * r->frame : len;
	if (full && take == 0) {
		*done = true;
		return 0;
	}
	if (r->n + take < sizeof r->out) {
		memcpy(r->out + r->n, p, take);
		r->n += take;
	}
	r->out[r->n] = '\0';
	if (r->stop_after && r->n >= r->stop_after)
		*done = true;
	return take;
}

static struct stream_pool *pool(uint32_t count)
{
	memset(&st, 0, sizeof st);
	return stream_pool_new(count, DEPTH, &st);
}

/* Feed a segment from an exactly-sized heap copy (ASan sees overreads and
 * any pointer kept past the call). */
static void seg(struct stream_pool *sp, struct stream_dir *sd, uint32_t seq, const char *s,
		struct rec *r)
{
	size_t n = strlen(s);
	uint8_t *copy = malloc(n ? n : 1);
	memcpy(copy, s, n);
	stream_segment(sp, sd, seq, copy, n, parse, r);
	free(copy);
}

static void rep(char *b, char c, size_t n)
{
	memset(b, c, n);
	b[n] = '\0';
}

static bool out_is(const struct rec *r, const char *want)
{
	bool ok = r->n == strlen(want) && memcmp(r->out, want, r->n) == 0;
	if (!ok)
		fprintf(stderr, "  delivered \"%.*s\", expected \"%s\"\n", (int)r->n, r->out, want);
	return ok;
}

static uint64_t used(void) { return stat_get(&st, ST_stream_buffers_used); }

/* Case: in order, delivered once, straight from the packet; a framed parser
 * holds only the incomplete message, and the buffer goes back after it. */
static void test_in_order(void)
{
	struct stream_pool *sp = pool(4);
	struct stream_dir sd;
	struct rec r = { .n = 0 };

	stream_init(&sd);
	seg(sp, &sd, 1000, "hello ", &r);
	seg(sp, &sd, 1006, "world", &r);
	CHECK(out_is(&r, "hello world"));
	CHECK_EQ(sd.buf, -1);
	CHECK_EQ(used(), 0);
	CHECK_EQ(r.fulls, 0);

	struct rec f = { .frame = 4 };
	stream_init(&sd);
	seg(sp, &sd, 7, "abcdef", &f);
	CHECK(out_is(&f, "abcd"));
	CHECK_EQ(used(), 1);
	seg(sp, &sd, 13, "gh", &f);
	CHECK(out_is(&f, "abcdefgh"));
	CHECK_EQ(used(), 0);
	CHECK_EQ(sd.buf, -1);
	CHECK_EQ(f.fulls, 0);
	stream_pool_free(sp);
}

/* Case: segments 3, 1, 2 come out as 1, 2, 3; retransmissions are dropped;
 * overlapping bytes keep the first copy. */
static void test_order_and_overlap(void)
{
	struct stream_pool *sp = pool(4);
	struct stream_dir sd;
	struct rec r = { .n = 0 };

	stream_init(&sd);
	stream_syn(sp, &sd, 99);
	seg(sp, &sd, 110, "CCCCC", &r);
	CHECK_EQ(r.n, 0);
	CHECK_EQ(stat_get(&st, ST_stream_out_of_order), 1);
	CHECK_EQ(used(), 1);
	seg(sp, &sd, 100, "AAAAA", &r);
	CHECK(out_is(&r, "AAAAA"));
	seg(sp, &sd, 105, "BBBBB", &r);
	CHECK(out_is(&r, "AAAAABBBBBCCCCC"));
	CHECK_EQ(used(), 0);

	seg(sp, &sd, 100, "AAAAA", &r);                  /* all old */
	CHECK_EQ(stat_get(&st, ST_stream_retransmitted), 1);
	seg(sp, &sd, 112, "cccDDD", &r);                 /* old bytes, then new */
	CHECK(out_is(&r, "AAAAABBBBBCCCCCDDD"));
	CHECK_EQ(stat_get(&st, ST_stream_retransmitted), 1);

	/* Overlap while held: [128,138) 'x' first, then [123,133) 'y'. */
	seg(sp, &sd, 128, "xxxxxxxxxx", &r);
	seg(sp, &sd, 123, "yyyyyyyyyy", &r);
	CHECK_EQ(r.n, 18);
	seg(sp, &sd, 118, "EEEEE", &r);
	CHECK(out_is(&r, "AAAAABBBBBCCCCCDDDEEEEEyyyyyxxxxxxxxxx"));
	CHECK_EQ(used(), 0);
	CHECK_EQ(r.gaps, 0);
	stream_pool_free(sp);
}

/* Case: sequence numbers wrap around 2^32, in order and out of order. */
static void test_wrap(void)
{
	struct stream_pool *sp = pool(2);
	struct stream_dir sd;
	struct rec r = { .n = 0 };
	char a[40], b[40], c[40], want[128];

	rep(a, 'a', 32);
	rep(b, 'b', 32);
	rep(c, 'c', 32);
	stream_init(&sd);
	seg(sp, &sd, 0xFFFFFF00u, a, &r);
	seg(sp, &sd, 0xFFFFFF20u, b, &r);
	seg(sp, &sd, 0xFFFFFF40u, c, &r);
	snprintf(want, sizeof want, "%s%s%s", a, b, c);
	CHECK(out_is(&r, want));
	/* Out of order across zero: 16-byte segments 3, 2 (crossing), 1. */
	r.n = 0;
	rep(a, 'a', 16);
	rep(b, 'b', 16);
	rep(c, 'c', 16);
	stream_init(&sd);
	stream_syn(sp, &sd, 0xFFFFFFE7u);
	seg(sp, &sd, 0x00000008u, b, &r);
	seg(sp, &sd, 0xFFFFFFF8u, a, &r);
	CHECK_EQ(r.n, 0);
	seg(sp, &sd, 0xFFFFFFE8u, c, &r);
	snprintf(want, sizeof want, "%s%s%s", c, a, b);
	CHECK(out_is(&r, want));
	CHECK_EQ(stat_get(&st, ST_stream_retransmitted), 0);
	CHECK_EQ(used(), 0);
	stream_pool_free(sp);
}

/* Case: a SYN fixes the ISN; a retransmitted SYN changes nothing; a SYN with
 * another ISN starts the direction over. */
static void test_syn(void)
{
	struct stream_pool *sp = pool(2);
	struct stream_dir sd;
	struct rec r = { .n = 0 };

	stream_init(&sd);
	stream_syn(sp, &sd, 5000);
	stream_syn(sp, &sd, 5000);
	seg(sp, &sd, 5000, "Z", &r);                     /* the SYN's own number: old */
	CHECK_EQ(r.n, 0);
	seg(sp, &sd, 5002, "bc", &r);
	seg(sp, &sd, 5001, "a", &r);
	CHECK(out_is(&r, "abc"));

	/* Retransmitted SYN after data (same ISN): not a new connection, so the
	 * retransmitted data is not delivered a second time (stream.h). */
	stream_syn(sp, &sd, 5000);
	seg(sp, &sd, 5001, "abc", &r);
	CHECK(out_is(&r, "abc"));
	CHECK_EQ(stat_get(&st, ST_stream_retransmitted), 2);

	stream_syn(sp, &sd, 9000);                       /* another ISN: a new connection */
	seg(sp, &sd, 5004, "old", &r);
	seg(sp, &sd, 9001, "new", &r);
	CHECK(out_is(&r, "abcnew"));

	/* A new connection also clears done. */
	struct rec s = { .stop_after = 1 };
	stream_init(&sd);
	stream_syn(sp, &sd, 100);
	seg(sp, &sd, 101, "x", &s);
	seg(sp, &sd, 102, "y", &s);
	CHECK(out_is(&s, "x"));
	stream_syn(sp, &sd, 700);
	seg(sp, &sd, 701, "z", &s);
	CHECK(out_is(&s, "xz"));
	CHECK_EQ(used(), 0);
	stream_pool_free(sp);
}

/* Case: a gap that never fills is given up when the window fills, or when
 * STREAM_RANGES ranges are held; the parser hears of it, then gets the rest. */
static void test_gaps(void)
{
	struct stream_pool *sp = pool(2);
	struct stream_dir sd;
	struct rec r = { .n = 0 };
	char b[DEPTH + 1], want[256];

	stream_init(&sd);
	seg(sp, &sd, 0, "aaaa", &r);                     /* next: 4; hole [4,10) */
	rep(b, 'b', 30);
	seg(sp, &sd, 10, b, &r);
	rep(b, 'b', 20);
	seg(sp, &sd, 40, b, &r);                          /* the window ends at 4 + 64 = 68 */
	CHECK(out_is(&r, "aaaa"));
	CHECK_EQ(r.gaps, 0);
	seg(sp, &sd, 60, "cccccccc", &r);                 /* reaches the end of the window */
	CHECK_EQ(r.gaps, 1);
	CHECK_EQ(stat_get(&st, ST_stream_gap), 1);
	CHECK(r.n == 63 && r.out[4] == '|' && strspn(r.out + 5, "b") == 50);
	CHECK(memcmp(r.out + 55, "cccccccc", 8) == 0);
	seg(sp, &sd, 68, "d", &r);                        /* and on in order */
	CHECK(r.n == 64 && r.out[63] == 'd');
	CHECK_EQ(used(), 0);

	/* STREAM_RANGES disjoint ranges after a hole are no reason to give the
	 * hole up while the window has room: a sender reordering its own
	 * segments must not make the parser skip bytes. */
	struct rec q = { .n = 0 };
	stream_init(&sd);
	seg(sp, &sd, 1000, "0", &q);
	seg(sp, &sd, 1010, "11111", &q);
	seg(sp, &sd, 1020, "22222", &q);
	seg(sp, &sd, 1030, "33333", &q);
	seg(sp, &sd, 1040, "44444", &q);
	CHECK_EQ(q.gaps, 0);
	CHECK(out_is(&q, "0"));
	seg(sp, &sd, 1015, "hhhhh", &q);                  /* fill the holes behind */
	seg(sp, &sd, 1025, "iiiii", &q);
	seg(sp, &sd, 1035, "jjjjj", &q);
	CHECK(out_is(&q, "0"));
	seg(sp, &sd, 1001, "abcdefghi", &q);              /* and the front one */
	CHECK_EQ(q.gaps, 0);
	CHECK(out_is(&q, "0abcdefghi11111hhhhh22222iiiii33333jjjjj44444"));
	CHECK_EQ(used(), 0);

	/* A segment far beyond the window: gap, then delivery from there. */
	struct rec f = { .n = 0 };
	stream_init(&sd);
	seg(sp, &sd, 1, "abc", &f);
	seg(sp, &sd, 10, "held", &f);
	seg(sp, &sd, 1000, "xyz", &f);
	snprintf(want, sizeof want, "abc|xyz");
	CHECK(out_is(&f, want));
	CHECK_EQ(used(), 0);
	seg(sp, &sd, 1003, "!", &f);
	CHECK(out_is(&f, "abc|xyz!"));
	stream_pool_free(sp);
}

/* Case: a framed parser whose message outgrows the depth gets full = true
 * exactly when the window is full, and no bytes after it finishes. */
static void test_full_window(void)
{
	struct stream_pool *sp = pool(2);
	struct stream_dir sd;
	struct rec r = { .frame = 100 };
	char b[20];

	rep(b, 'm', 16);
	stream_init(&sd);
	for (uint32_t i = 0; i < 3; i++)
		seg(sp, &sd, 16 * i, b, &r);
	CHECK_EQ(r.fulls, 0);
	CHECK_EQ(used(), 1);
	seg(sp, &sd, 48, b, &r);                          /* 64 bytes: the window is full */
	CHECK_EQ(r.fulls, 1);
	CHECK_EQ(r.full_len, DEPTH);
	CHECK(sd.done);
	CHECK_EQ(used(), 0);
	int calls = r.calls;
	seg(sp, &sd, 64, b, &r);
	CHECK_EQ(r.calls, calls);

	/* Holes behind a held message leave the window open: 16 bytes at the
	 * front and three ranges after holes (STREAM_RANGES in all) are not full,
	 * bytes can still be added (stream.h: full = no more bytes can be added). */
	struct rec h = { .frame = 32 };
	stream_init(&sd);
	stream_syn(sp, &sd, 0xFFFFFFFFu);
	seg(sp, &sd, 0, b, &h);
	seg(sp, &sd, 20, "mmmm", &h);
	seg(sp, &sd, 28, "mmmm", &h);
	seg(sp, &sd, 36, "mmmm", &h);
	CHECK_EQ(h.fulls, 0);
	CHECK(!sd.done);
	seg(sp, &sd, 16, "mmmm", &h);
	seg(sp, &sd, 24, "mmmm", &h);
	seg(sp, &sd, 32, "mmmm", &h);
	CHECK_EQ(h.n, 32);
	CHECK_EQ(h.fulls, 0);
	stream_pool_free(sp);
}

/* Case: one buffer, two streams that need one: the stream idle longest gives
 * its buffer up (counted), and hears of a gap at its next segment, then
 * reads on from there; done stops deliveries; stream_release gives the
 * buffer back. */
static void test_pool(void)
{
	struct stream_pool *sp = pool(1);
	struct stream_dir a, b;
	struct rec ra = { .n = 0 }, rb = { .n = 0 };

	stream_init(&a);
	stream_init(&b);
	stream_syn(sp, &a, 0xFFFFFFFFu);                  /* data from 0 */
	stream_syn(sp, &b, 49);                           /* data from 50 */
	seg(sp, &a, 10, "later", &ra);                    /* held: takes the buffer */
	seg(sp, &a, 0, "x", &ra);
	CHECK_EQ(used(), 1);
	seg(sp, &b, 50, "y", &rb);                        /* in order: no buffer needed */
	seg(sp, &b, 60, "later", &rb);                    /* held: takes a's buffer */
	CHECK_EQ(stat_get(&st, ST_stream_evicted), 1);
	CHECK_EQ(stat_get(&st, ST_stream_no_buffer), 0);
	CHECK(a.buf < 0 && b.buf >= 0);
	CHECK_EQ(used(), 1);
	seg(sp, &b, 51, "abcdefghi", &rb);
	CHECK(out_is(&rb, "yabcdefghilater"));
	CHECK_EQ(used(), 0);
	seg(sp, &a, 1, "abcdefghi", &ra);                 /* a: gap, then on from here */
	CHECK_EQ(ra.gaps, 1);
	CHECK(out_is(&ra, "x|abcdefghi"));
	seg(sp, &a, 10, "more", &ra);
	CHECK(out_is(&ra, "x|abcdefghimore"));
	CHECK_EQ(used(), 0);

	/* done stops all later deliveries and frees the buffer. */
	struct rec s = { .stop_after = 4 };
	stream_init(&a);
	stream_syn(sp, &a, 0xFFFFFFFFu);
	seg(sp, &a, 30, "uvwx", &s);
	CHECK_EQ(used(), 1);
	seg(sp, &a, 0, "abcdefghijklmnopqrst", &s);
	CHECK(out_is(&s, "abcdefghijklmnopqrst"));
	CHECK(a.done);
	CHECK_EQ(used(), 0);
	int calls = s.calls;
	seg(sp, &a, 24, "yz", &s);
	seg(sp, &a, 1000, "far", &s);
	CHECK_EQ(s.calls, calls);

	/* stream_release returns the buffer, and another stream can take it. */
	stream_init(&a);
	stream_init(&b);
	stream_syn(sp, &a, 0xFFFFFFFFu);
	stream_syn(sp, &b, 0xFFFFFFFFu);
	seg(sp, &a, 10, "held", &ra);
	CHECK_EQ(used(), 1);
	stream_release(sp, &a);
	CHECK_EQ(used(), 0);
	CHECK_EQ(a.buf, -1);
	seg(sp, &b, 10, "held", &rb);
	CHECK(b.buf >= 0);
	CHECK_EQ(stat_get(&st, ST_stream_evicted), 1);
	stream_release(sp, &b);
	stream_release(sp, &b);                           /* twice is harmless */
	CHECK_EQ(used(), 0);
	stream_pool_free(sp);
}

int main(void)
{
	test_in_order();
	test_order_and_overlap();
	test_wrap();
	test_syn();
	test_gaps();
	test_full_window();
	test_pool();
	return check_report("stream");
}
