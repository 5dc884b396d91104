/* test_frag.c — the reassembly table: fragments built as raw IP frames,
 * decoded by decode_packet() and added; every order, every way a datagram
 * is given up, and the bytes of what comes out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "check.h"
#include "frag.h"

static const uint8_t A4[4] = { 10, 0, 0, 1 }, B4[4] = { 192, 0, 2, 53 };
static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t B6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x53, [15] = 2 };

static struct stats st;
static struct frag_datagram out;
static uint8_t body[70000];      /* the datagram's data (transport header and payload) */

/* A UDP/53 datagram of n data bytes in body[]: header, then a pattern. */
static void make_udp(size_t n, unsigned seed)
{
	body[0] = 0x82; body[1] = 0x35;           /* 33333 */
	body[2] = 0; body[3] = 53;
	body[4] = (uint8_t)(n >> 8); body[5] = (uint8_t)n;
	body[6] = body[7] = 0;
	for (size_t i = 8; i < n; i++)
		body[i] = (uint8_t)(i * 7 + seed);
}

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* Options: which family, the id, the bytes of data from off, more, IPv4
 * options words, IPv6 extension headers before the fragment header. */
struct fr {
	int family;
	unsigned id;
	unsigned proto;
	unsigned off, len;
	bool more;
	unsigned v4_opts;            /* 4-byte words */
	unsigned v6_ext;             /* 8-byte destination-options headers before */
	int caplen_cut;              /* bytes cut off the end by the "capture" */
	const uint8_t *data;         /* NULL: body + off */
	uint64_t ts_ns;
	int tunnel;                  /* inside an IPv4-in-IPv4 header */
};

/* Build the fragment, decode it, add it.  Returns frag_add()'s answer. */
static bool add(struct frag_table *t, struct fr f)
{
	uint8_t frame[70000 + 200];
	size_t n = 0;
	const uint8_t *data = f.data ? f.data : body + f.off;
	unsigned proto = f.proto ? f.proto : 17;

	if (f.tunnel) {
		memset(frame, 0, 20);
		frame[0] = 0x45;
		put16(frame + 2, 20 + 20 + f.len);
		frame[8] = 64;
		frame[9] = 4;
		memcpy(frame + 12, A4, 4);
		memcpy(frame + 16, B4, 4);
		n = 20;
	}
	if (f.family == 4) {
		size_t h = 20 + f.v4_opts * 4;
		memset(frame + n, 0, h);
		frame[n] = (uint8_t)(0x40 | (h / 4));
		put16(frame + n + 2, (unsigned)(h + f.len));
		put16(frame + n + 4, f.id);
		put16(frame + n + 6, (f.more ? 0x2000 : 0) | f.off / 8);
		frame[n + 8] = 64;
		frame[n + 9] = (uint8_t)proto;
		memcpy(frame + n + 12, A4, 4);
		memcpy(frame + n + 16, B4, 4);
		memset(frame + n + 20, 1, h - 20);   /* NOPs */
		n += h;
	} else {
		size_t ext = f.v6_ext * 8;
		memset(frame + n, 0, 40 + ext + 8);
		frame[n] = 0x60;
		put16(frame + n + 4, (unsigned)(ext + 8 + f.len));
		frame[n + 6] = f.v6_ext ? 60 : 44;
		frame[n + 7] = 64;
		memcpy(frame + n + 8, A6, 16);
		memcpy(frame + n + 24, B6, 16);
		n += 40;
		for (unsigned i = 0; i < f.v6_ext; i++, n += 8)
			frame[n] = i + 1 < f.v6_ext ? 60 : 44;
		frame[n] = (uint8_t)proto;
		put16(frame + n + 2, f.off | (f.more ? 1 : 0));
		frame[n + 4] = (uint8_t)(f.id >> 24);
		frame[n + 5] = (uint8_t)(f.id >> 16);
		frame[n + 6] = (uint8_t)(f.id >> 8);
		frame[n + 7] = (uint8_t)f.id;
		n += 8;
	}
	memcpy(frame + n, data, f.len);
	n += f.len;
	if (f.caplen_cut)
		n -= (size_t)f.caplen_cut;

	/* an exactly-sized heap copy: ASan sees any read past it */
	uint8_t *held = malloc(n);
	memcpy(held, frame, n);
	struct packet p;
	memset(&p, 0, sizeof p);
	enum decode_result r = decode_packet(DLT_RAW, held, (uint32_t)n, &p, &st);
	bool done = false;
	CHECK_EQ(r, DECODE_FRAGMENT);
	if (r == DECODE_FRAGMENT) {
		p.ts_ns = f.ts_ns;
		done = frag_add(t, &p, &out);
	}
	free(held);
	return done;
}

static struct frag_table *table(uint32_t max, uint32_t bytes, uint32_t timeout)
{
	struct frag_config c = { max, bytes, timeout };
	memset(&st, 0, sizeof st);
	return frag_table_new(&c, &st);
}

/* What came out is the datagram of body[0..n) from A to B. */
static void expect_datagram(int family, size_t n, const char *what)
{
	int before = check_failed;
	struct packet p;
	memset(&p, 0, sizeof p);
	struct stats ds;
	memset(&ds, 0, sizeof ds);

	CHECK_EQ(out.len, (family == 4 ? 20 : 40) + n);
	CHECK_EQ(frag_decode(&out, 77, &p, &ds), DECODE_PACKET);
	CHECK_EQ(p.family, family);
	CHECK(memcmp(p.src, family == 4 ? A4 : A6, family == 4 ? 4 : 16) == 0);
	CHECK(memcmp(p.dst, family == 4 ? B4 : B6, family == 4 ? 4 : 16) == 0);
	CHECK_EQ(p.ts_ns, 77);
	CHECK_EQ(p.proto, 17);
	CHECK_EQ(p.dport, 53);
	CHECK_EQ(p.payload_len, n - 8);
	CHECK(memcmp(p.payload, body + 8, n - 8) == 0);
	if (check_failed != before)
		fprintf(stderr, "  ... in case: %s\n", what);
}

#define F4(...) ((struct fr){ .family = 4, __VA_ARGS__ })
#define F6(...) ((struct fr){ .family = 6, __VA_ARGS__ })

/* Cases: in order, reverse, and interleaved with other datagrams. */
static void test_orders(void)
{
	struct frag_table *t = table(64, 1 << 20, 30);

	make_udp(3000, 1);
	CHECK(!add(t, F4(.id = 1, .off = 0, .len = 1480, .more = true)));
	CHECK_EQ(stat_get(&st, ST_frag_pending), 1);
	CHECK(!add(t, F4(.id = 1, .off = 1480, .len = 1480, .more = true)));
	CHECK(add(t, F4(.id = 1, .off = 2960, .len = 40)));
	expect_datagram(4, 3000, "IPv4 in order");
	CHECK_EQ(stat_get(&st, ST_frag_datagrams), 1);
	CHECK_EQ(stat_get(&st, ST_frag_pending), 0);

	CHECK(!add(t, F4(.id = 2, .off = 2960, .len = 40)));
	CHECK(!add(t, F4(.id = 2, .off = 1480, .len = 1480, .more = true)));
	CHECK(add(t, F4(.id = 2, .off = 0, .len = 1480, .more = true)));
	expect_datagram(4, 3000, "IPv4 reversed");

	/* three datagrams at once: two IPv4 (one of another protocol with the
	 * same id, a datagram of its own) and an IPv6 one, mixed */
	CHECK(!add(t, F4(.id = 3, .off = 1480, .len = 1520)));
	CHECK(!add(t, F6(.id = 3, .off = 1232, .len = 1768)));
	CHECK(!add(t, F4(.id = 3, .proto = 6, .off = 0, .len = 1480, .more = true)));
	CHECK_EQ(stat_get(&st, ST_frag_pending), 3);
	CHECK(add(t, F6(.id = 3, .off = 0, .len = 1232, .more = true)));
	expect_datagram(6, 3000, "IPv6 interleaved");
	CHECK(add(t, F4(.id = 3, .off = 0, .len = 1480, .more = true)));
	expect_datagram(4, 3000, "IPv4 interleaved");
	CHECK_EQ(stat_get(&st, ST_frag_pending), 1);    /* the protocol-6 one */
	CHECK_EQ(stat_get(&st, ST_frag_datagrams), 4);

	/* many small fragments, odd order; the largest datagram there can be */
	make_udp(65535 - 20, 2);
	for (unsigned i = 0; i < 8; i++) {
		unsigned k = (i * 5) % 8, off = k * 8184, len = k == 7 ? 65515 - off : 8184;
		bool done = add(t, F4(.id = 4, .off = off, .len = len, .more = k != 7));
		CHECK_EQ(done, i == 7);
	}
	expect_datagram(4, 65515, "IPv4 of 65535 bytes");
	make_udp(65535, 3);
	for (unsigned off = 0; off < 65535; off += 1232) {
		unsigned len = 65535 - off < 1232 ? 65535 - off : 1232;
		bool done = add(t, F6(.id = 0xdeadbeef, .off = off, .len = len, .more = off + len < 65535));
		CHECK_EQ(done, off + len == 65535);
	}
	expect_datagram(6, 65535, "IPv6 payload of 65535 bytes");
	frag_table_free(t);
}

/* Cases: overlaps drop the datagram; exact duplicates are ignored. */
static void test_overlaps(void)
{
	struct frag_table *t = table(64, 1 << 20, 30);
	uint8_t other[2000];

	make_udp(1000, 4);
	memcpy(other, body, sizeof other);
	other[5] ^= 0xff;

	/* an exact duplicate, before and after the rest */
	CHECK(!add(t, F4(.id = 1, .off = 0, .len = 512, .more = true)));
	CHECK(!add(t, F4(.id = 1, .off = 0, .len = 512, .more = true)));
	CHECK_EQ(stat_get(&st, ST_frag_duplicate), 1);
	CHECK(!add(t, F4(.id = 1, .off = 512, .len = 256, .more = true)));
	CHECK(!add(t, F4(.id = 1, .off = 512, .len = 256, .more = true)));
	CHECK(add(t, F4(.id = 1, .off = 768, .len = 232)));
	expect_datagram(4, 1000, "with duplicates");
	CHECK_EQ(stat_get(&st, ST_frag_duplicate), 2);

	/* a fragment covering two held ones, bytes equal: a duplicate too */
	CHECK(!add(t, F4(.id = 2, .off = 0, .len = 256, .more = true)));
	CHECK(!add(t, F4(.id = 2, .off = 256, .len = 256, .more = true)));
	CHECK(!add(t, F4(.id = 2, .off = 0, .len = 512, .more = true)));
	CHECK_EQ(stat_get(&st, ST_frag_duplicate), 3);
	CHECK(add(t, F4(.id = 2, .off = 512, .len = 488)));
	expect_datagram(4, 1000, "covering duplicate");

	/* same place, other bytes: an overlap */
	CHECK(!add(t, F4(.id = 3, .off = 0, .len = 512, .more = true)));
	CHECK(!add(t, F4(.id = 3, .off = 0, .len = 512, .more = true, .data = other)));
	CHECK_EQ(stat_get(&st, ST_frag_overlap), 1);
	CHECK_EQ(stat_get(&st, ST_frag_pending), 0);
	/* the rest of it starts a datagram that never completes */
	CHECK(!add(t, F4(.id = 3, .off = 512, .len = 488)));
	CHECK_EQ(stat_get(&st, ST_frag_pending), 1);

	/* a partial overlap with equal bytes is an overlap all the same */
	CHECK(!add(t, F4(.id = 4, .off = 0, .len = 512, .more = true)));
	CHECK(!add(t, F4(.id = 4, .off = 256, .len = 512, .more = true)));
	CHECK_EQ(stat_get(&st, ST_frag_overlap), 2);
	/* the classic: a later fragment rewriting the UDP header (RFC 1858) */
	CHECK(!add(t, F6(.id = 5, .off = 0, .len = 16, .more = true)));
	CHECK(!add(t, F6(.id = 5, .off = 8, .len = 992, .data = other + 8)));
	CHECK_EQ(stat_get(&st, ST_frag_overlap), 3);
	/* a last fragment ending inside a block, again: equal, then not */
	CHECK(!add(t, F4(.id = 6, .off = 992, .len = 5)));
	CHECK(!add(t, F4(.id = 6, .off = 992, .len = 5)));
	CHECK_EQ(stat_get(&st, ST_frag_duplicate), 4);
	CHECK(!add(t, F4(.id = 6, .off = 992, .len = 5, .data = other + 5)));
	CHECK_EQ(stat_get(&st, ST_frag_overlap), 4);
	frag_table_free(t);
}

/* Cases: fragments that spoil their datagram. */
static void test_malformed(void)
{
	struct frag_table *t = table(64, 1 << 20, 30);

	make_udp(2000, 5);
	/* beyond 65535: the offset plus the length, counting the header */
	CHECK(!add(t, F4(.id = 1, .off = 0, .len = 512, .more = true)));
	CHECK(!add(t, F4(.id = 1, .off = 65512, .len = 8, .more = true, .data = body)));
	CHECK_EQ(stat_get(&st, ST_frag_too_big), 1);
	CHECK_EQ(stat_get(&st, ST_frag_pending), 0);
	CHECK(!add(t, F4(.id = 2, .off = 65512, .len = 4, .v4_opts = 1, .data = body)));
	CHECK_EQ(stat_get(&st, ST_frag_too_big), 2);
	CHECK(!add(t, F4(.id = 3, .off = 65512, .len = 3, .data = body)));   /* 65535 exactly */
	CHECK_EQ(stat_get(&st, ST_frag_too_big), 2);
	CHECK_EQ(stat_get(&st, ST_frag_pending), 1);
	CHECK(!add(t, F6(.id = 4, .off = 65528, .len = 8, .data = body)));   /* 65536 */
	CHECK_EQ(stat_get(&st, ST_frag_too_big), 3);
	CHECK(!add(t, F6(.id = 5, .off = 65520, .len = 8, .v6_ext = 2, .data = body)));
	CHECK_EQ(stat_get(&st, ST_frag_too_big), 4);  /* 16 + 65528: the unfragmentable part counts */

	/* not a multiple of 8 before the last; empty */
	CHECK(!add(t, F4(.id = 6, .off = 0, .len = 500, .more = true)));
	CHECK_EQ(stat_get(&st, ST_frag_malformed), 1);
	CHECK(!add(t, F6(.id = 7, .off = 8, .len = 0, .more = true)));
	CHECK_EQ(stat_get(&st, ST_frag_malformed), 2);
	/* two last fragments that disagree; a fragment past the last; a last
	 * fragment before bytes already held */
	CHECK(!add(t, F4(.id = 8, .off = 1000, .len = 1000)));
	CHECK(!add(t, F4(.id = 8, .off = 1000, .len = 800)));
	CHECK_EQ(stat_get(&st, ST_frag_malformed), 3);
	CHECK(!add(t, F4(.id = 9, .off = 1000, .len = 1000)));
	CHECK(!add(t, F4(.id = 9, .off = 2000, .len = 8, .more = true)));
	CHECK_EQ(stat_get(&st, ST_frag_malformed), 4);
	CHECK(!add(t, F4(.id = 10, .off = 1000, .len = 1000, .more = true)));
	CHECK(!add(t, F4(.id = 10, .off = 496, .len = 8)));
	CHECK_EQ(stat_get(&st, ST_frag_malformed), 5);
	/* a later fragment cut by the snaplen */
	CHECK(!add(t, F4(.id = 11, .off = 0, .len = 1000, .more = true)));
	CHECK(!add(t, F4(.id = 11, .off = 1000, .len = 1000, .caplen_cut = 10)));
	CHECK_EQ(stat_get(&st, ST_frag_truncated), 1);
	CHECK_EQ(stat_get(&st, ST_frag_pending), 1);    /* only id 3's */
	CHECK_EQ(stat_get(&st, ST_frag_datagrams), 0);
	frag_table_free(t);
}

/* Cases: time.  A datagram is given up once its first fragment is older
 * than the timeout, a few per call; the end of input gives up the rest. */
static void test_timeout(void)
{
	struct frag_table *t = table(64, 1 << 20, 30);
	const uint64_t s = 1000000000ull;

	make_udp(2000, 6);
	CHECK(!add(t, F4(.id = 1, .off = 0, .len = 1000, .more = true, .ts_ns = 100 * s)));
	for (unsigned i = 0; i < 6; i++)
		CHECK(!add(t, F6(.id = i, .off = 0, .len = 1000, .more = true, .ts_ns = 110 * s)));
	CHECK_EQ(frag_expire(t, 129 * s, 4), 0);
	CHECK_EQ(frag_expire(t, 130 * s, 4), 1);
	CHECK_EQ(stat_get(&st, ST_frag_timeout), 1);
	/* its rest now comes too late: a datagram of its own, waiting */
	CHECK(!add(t, F4(.id = 1, .off = 1000, .len = 1000, .ts_ns = 131 * s)));
	CHECK_EQ(frag_expire(t, 200 * s, 4), 4);        /* bounded work per call */
	CHECK_EQ(frag_expire(t, 200 * s, 4), 3);
	CHECK_EQ(stat_get(&st, ST_frag_timeout), 8);
	CHECK(!add(t, F4(.id = 2, .off = 0, .len = 1000, .more = true, .ts_ns = 300 * s)));
	CHECK(!add(t, F4(.id = 3, .off = 0, .len = 1000, .more = true, .ts_ns = 300 * s)));
	CHECK(add(t, F4(.id = 2, .off = 1000, .len = 1000, .ts_ns = 329 * s)));
	expect_datagram(4, 2000, "completed within the timeout");
	frag_flush(t);
	CHECK_EQ(stat_get(&st, ST_frag_timeout), 9);
	CHECK_EQ(stat_get(&st, ST_frag_pending), 0);
	frag_table_free(t);
}

/* Cases: more datagrams than the table holds; a pool too small. */
static void test_limits(void)
{
	struct frag_table *t = table(16, 1 << 20, 30);

	make_udp(2000, 7);
	for (unsigned i = 0; i < 17; i++)
		CHECK(!add(t, F4(.id = i, .off = 0, .len = 1000, .more = true, .ts_ns = i)));
	CHECK_EQ(stat_get(&st, ST_frag_evicted), 1);
	CHECK_EQ(stat_get(&st, ST_frag_pending), 16);
	CHECK(add(t, F4(.id = 16, .off = 1000, .len = 1000)));   /* the newest completes */
	expect_datagram(4, 2000, "after an eviction");
	CHECK(!add(t, F4(.id = 0, .off = 1000, .len = 1000)));   /* the oldest was dropped */
	CHECK_EQ(stat_get(&st, ST_frag_evicted), 1);
	frag_table_free(t);

	/* 4 pages: a datagram needing 2 makes room by dropping the oldest */
	t = table(16, 4 * FRAG_PAGE, 30);
	CHECK(!add(t, F4(.id = 1, .off = 0, .len = 2048, .more = true)));
	CHECK(!add(t, F4(.id = 2, .off = 0, .len = 1024, .more = true)));
	CHECK(!add(t, F4(.id = 3, .off = 0, .len = 1024, .more = true)));
	CHECK_EQ(stat_get(&st, ST_frag_evicted), 0);
	CHECK(!add(t, F4(.id = 4, .off = 0, .len = 1024, .more = true)));
	CHECK_EQ(stat_get(&st, ST_frag_evicted), 1);           /* id 1, two pages */
	CHECK_EQ(stat_get(&st, ST_frag_pending), 3);
	CHECK(add(t, F4(.id = 4, .off = 1024, .len = 976)));    /* a page is free */
	expect_datagram(4, 2000, "in a small pool");
	/* one datagram larger than the whole pool */
	make_udp(6000, 8);
	CHECK(!add(t, F4(.id = 5, .off = 0, .len = 4096, .more = true)));
	CHECK_EQ(stat_get(&st, ST_frag_evicted), 3);           /* ids 2 and 3 made room */
	CHECK(!add(t, F4(.id = 5, .off = 4096, .len = 1904)));
	CHECK_EQ(stat_get(&st, ST_frag_no_buffer), 1);
	CHECK_EQ(stat_get(&st, ST_frag_pending), 0);
	frag_table_free(t);

	CHECK(table(0, 1 << 20, 30) == NULL);
	CHECK(table(16, FRAG_PAGE - 1, 30) == NULL);
}

/* Cases: IPv6 extension headers before the fragment header; a tiny first
 * fragment (the transport header split); the tunnel kept; a datagram that
 * is a fragment again, fed back from the table's own output. */
static void test_shapes(void)
{
	struct frag_table *t = table(64, 1 << 20, 30);

	make_udp(1500, 9);
	CHECK(!add(t, F6(.id = 7, .off = 1232, .len = 268, .v6_ext = 2)));
	CHECK(add(t, F6(.id = 7, .off = 0, .len = 1232, .more = true, .v6_ext = 1)));
	expect_datagram(6, 1500, "IPv6 with extension headers");

	/* a first fragment of 8 bytes: ports and length only */
	CHECK(!add(t, F4(.id = 8, .off = 0, .len = 8, .more = true)));
	CHECK(add(t, F4(.id = 8, .off = 8, .len = 1492)));
	expect_datagram(4, 1500, "tiny first fragment");
	/* TCP: the first fragment holds half the header */
	uint8_t seg[100] = { 0xad, 0x9c, 0x01, 0xbb, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1, 0x50, 0x18 };
	memcpy(seg + 20, "client-hello", 12);
	CHECK(!add(t, F4(.id = 9, .proto = 6, .off = 8, .len = 24, .data = seg + 8)));
	CHECK(add(t, F4(.id = 9, .proto = 6, .off = 0, .len = 8, .more = true, .data = seg)));
	struct packet p;
	memset(&p, 0, sizeof p);
	CHECK_EQ(frag_decode(&out, 1, &p, &st), DECODE_PACKET);
	CHECK_EQ(p.proto, 6);
	CHECK_EQ(p.sport, 44444);
	CHECK_EQ(p.dport, 443);
	CHECK_EQ(p.seq, 0xdeadbeef);
	CHECK_EQ(p.payload_len, 12);
	CHECK(memcmp(p.payload, "client-hello", 12) == 0);

	/* the first fragment's encapsulation is the datagram's */
	CHECK(!add(t, F4(.id = 10, .off = 1000, .len = 500)));
	CHECK(add(t, F4(.id = 10, .off = 0, .len = 1000, .more = true, .tunnel = 1)));
	CHECK_EQ(out.nencap, 1);
	CHECK_EQ(out.encap[0], ENCAP_4IN4);
	CHECK_EQ(out.encap_depth, 1);
	memset(&p, 0, sizeof p);
	CHECK_EQ(frag_decode(&out, 1, &p, &st), DECODE_PACKET);
	CHECK_EQ(p.nencap, 1);
	CHECK_EQ(p.encap_depth, 1);
	CHECK_EQ(p.payload_len, 1492);

	/* an outer IPv6 datagram, in two fragments, carrying the last IPv4
	 * fragment of an inner datagram whose first fragment came alone */
	make_udp(1500, 10);
	CHECK(!add(t, F4(.id = 11, .off = 0, .len = 1000, .more = true)));
	uint8_t inner[520];
	memset(inner, 0, 20);
	inner[0] = 0x45;
	put16(inner + 2, 520);
	put16(inner + 4, 11);
	put16(inner + 6, 1000 / 8);
	inner[9] = 17;
	memcpy(inner + 12, A4, 4);
	memcpy(inner + 16, B4, 4);
	memcpy(inner + 20, body + 1000, 500);
	CHECK(!add(t, F6(.id = 12, .proto = 4, .off = 0, .len = 256, .more = true, .data = inner)));
	CHECK(add(t, F6(.id = 12, .proto = 4, .off = 256, .len = 264, .data = inner + 256)));
	memset(&p, 0, sizeof p);
	CHECK_EQ(frag_decode(&out, 5, &p, &st), DECODE_FRAGMENT);
	CHECK_EQ(p.nencap, 1);
	CHECK_EQ(p.encap[0], ENCAP_4IN6);
	CHECK(frag_add(t, &p, &out));          /* p.frag.data points into the table's output */
	expect_datagram(4, 1500, "inner datagram from a reassembled outer one");
	frag_table_free(t);
}

/* Case: random fragments into a table a little too small for them, under
 * ASan: datagrams complete, every way of failing happens, the counters add
 * up and nothing is read or written out of bounds. */
static void test_random(void)
{
	struct frag_table *t = table(12, 44 * FRAG_PAGE, 1);
	uint64_t x = 0x243f6a8885a308d3ull;
	unsigned whole = 0;

	make_udp(65535, 11);
	for (unsigned i = 0; i < 20000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		/* mostly the 8 pieces of 512 bytes of a datagram, any order;
		 * one in 16 anywhere, of any length */
		unsigned id = (unsigned)(x >> 52) % 6;
		unsigned k = (unsigned)(x % 8), off = k * 512, len = k == 7 ? 100 + id : 512;
		bool more = k != 7;
		if ((x >> 16) % 16 == 0) {
			off = (unsigned)((x >> 20) % 8126) * 8;
			len = (unsigned)(x >> 36) % 3000;
			more = (x >> 50) & 1;
			if (more)
				len &= ~7u;
		}
		if (!off)
			more = true;                 /* else not a fragment */
		struct fr f = { .family = (x >> 51) & 1 ? 6 : 4, .id = id,
				.off = off, .len = len, .more = more,
				.ts_ns = (uint64_t)i * 1000000ull };
		if (add(t, f)) {
			whole++;
			CHECK(out.len <= 40 + 65535);
		}
		frag_expire(t, (uint64_t)i * 1000000ull, 4);
		CHECK(stat_get(&st, ST_frag_pending) <= 12);
	}
	CHECK_EQ(whole, stat_get(&st, ST_frag_datagrams));
	CHECK(whole > 100);
	CHECK(stat_get(&st, ST_frag_overlap) > 0);
	CHECK(stat_get(&st, ST_frag_duplicate) > 0);
	CHECK(stat_get(&st, ST_frag_malformed) > 0);
	CHECK(stat_get(&st, ST_frag_evicted) > 0);
	frag_flush(t);
	CHECK_EQ(stat_get(&st, ST_frag_pending), 0);
	frag_table_free(t);
}

int main(void)
{
	test_orders();
	test_overlaps();
	test_malformed();
	test_timeout();
	test_limits();
	test_shapes();
	test_random();
	return check_report("frag");
}
