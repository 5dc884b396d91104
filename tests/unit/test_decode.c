/* test_decode.c — link layers, IPv4/IPv6 with their options and extension
 * headers, tunnels, TCP/UDP: hand-built frames for every DLT, every limit,
 * and a truncation sweep that checks bounds (ASan) and the one-counter rule. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "check.h"
#include "decode.h"

/* A frame under construction. */
struct buf {
	uint8_t b[1024];
	size_t n;
};

static void put(struct buf *f, const void *p, size_t n) { memcpy(f->b + f->n, p, n); f->n += n; }
static void put8(struct buf *f, unsigned v) { f->b[f->n++] = (uint8_t)v; }
static void put16(struct buf *f, unsigned v) { put8(f, v >> 8); put8(f, v & 0xff); }
static void put32(struct buf *f, uint32_t v) { put16(f, v >> 16); put16(f, v & 0xffff); }
static void put16le(struct buf *f, unsigned v) { put8(f, v & 0xff); put8(f, v >> 8); }
static void put32le(struct buf *f, uint32_t v) { put16le(f, v & 0xffff); put16le(f, v >> 16); }
static void zeros(struct buf *f, size_t n) { memset(f->b + f->n, 0, n); f->n += n; }

static const uint8_t A4[4] = { 10, 0, 0, 1 }, B4[4] = { 192, 0, 2, 53 };
static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t B6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x53, [15] = 2 };
static const char UDP_DATA[] = "dns-question", TCP_DATA[] = "client-hello";
#define DATA_LEN 12

/* Transport: UDP 33333 → 53 and TCP 44444 → 443, seq 0xdeadbeef, PSH|ACK. */
static struct buf udp(unsigned ulen_delta, const char *data, size_t n)
{
	struct buf f = { .n = 0 };
	put16(&f, 33333);
	put16(&f, 53);
	put16(&f, (unsigned)(8 + n + ulen_delta));
	put16(&f, 0);
	put(&f, data, n);
	return f;
}

static struct buf tcp_opt(unsigned doff, size_t optlen, const char *data, size_t n)
{
	struct buf f = { .n = 0 };
	put16(&f, 44444);
	put16(&f, 443);
	put32(&f, 0xdeadbeef);
	put32(&f, 1);
	put8(&f, doff << 4);
	put8(&f, 0x18);
	put16(&f, 65535);
	put32(&f, 0);
	for (size_t i = 0; i < optlen; i++)
		put8(&f, 1);                    /* NOP */
	put(&f, data, n);
	return f;
}

static struct buf tcp(void) { return tcp_opt(5, 0, TCP_DATA, DATA_LEN); }
static struct buf udp53(void) { return udp(0, UDP_DATA, DATA_LEN); }

/* IPv4 with ihl words (options are NOPs), a total length (0: computed) and
 * the flags/fragment-offset field. */
static struct buf ipv4x(unsigned proto, const struct buf *in, unsigned ihl, int total, unsigned frag)
{
	struct buf f = { .n = 0 };
	put8(&f, 0x40 | ihl);
	put8(&f, 0);
	put16(&f, total >= 0 ? (unsigned)total : (unsigned)(ihl * 4 + in->n));
	put16(&f, 0x1234);
	put16(&f, frag);
	put8(&f, 64);
	put8(&f, proto);
	put16(&f, 0);
	put(&f, A4, 4);
	put(&f, B4, 4);
	for (unsigned i = 5; i < ihl; i++)
		put32(&f, 0x01010100);          /* NOP NOP NOP EOL */
	put(&f, in->b, in->n);
	return f;
}

static struct buf ipv4(unsigned proto, const struct buf *in) { return ipv4x(proto, in, 5, -1, 0); }

/* IPv6; ext is a chain of extension headers already built, its first type in next. */
static struct buf ipv6x(unsigned next, const struct buf *ext, const struct buf *in, int plen)
{
	struct buf f = { .n = 0 };
	size_t elen = ext ? ext->n : 0;
	put32(&f, 0x60000000);
	put16(&f, plen >= 0 ? (unsigned)plen : (unsigned)(elen + in->n));
	put8(&f, next);
	put8(&f, 64);
	put(&f, A6, 16);
	put(&f, B6, 16);
	if (ext)
		put(&f, ext->b, ext->n);
	put(&f, in->b, in->n);
	return f;
}

static struct buf ipv6(unsigned next, const struct buf *in) { return ipv6x(next, NULL, in, -1); }

/* An 8-byte extension header (hop-by-hop, routing, destination options). */
static void ext8(struct buf *e, unsigned next)
{
	put8(e, next);
	put8(e, 0);
	zeros(e, 6);
}

static struct buf eth(unsigned type, const struct buf *in)
{
	struct buf f = { .n = 0 };
	put(&f, "\x00\x11\x22\x33\x44\x55\x00\x66\x77\x88\x99\xaa", 12);
	put16(&f, type);
	put(&f, in->b, in->n);
	return f;
}

/* The decoder's view: an exactly-sized heap copy (ASan sees reads past the
 * end), kept until the next call so that payload pointers can be checked. */
static struct packet pkt;
static struct stats st;
static uint8_t *held;

static bool dec(int dlt, const uint8_t *b, size_t n)
{
	free(held);
	held = malloc(n ? n : 1);
	memcpy(held, b, n);
	memset(&st, 0, sizeof st);
	memset(&pkt, 0, sizeof pkt);
	return decode_packet(dlt, held, (uint32_t)n, &pkt, &st);
}

static bool decb(int dlt, const struct buf *f) { return dec(dlt, f->b, f->n); }

/* Failure reasons: the decode group less the per-layer tallies (ipv4, ipv6,
 * tcp, udp) and ip_payload_cut, which annotates a packet still inspected. */
static uint64_t reasons(void)
{
	uint64_t sum = 0;
	for (int i = 0; i < ST__COUNT; i++) {
		if (strcmp(stat_info[i].group, "decode") || i == ST_ipv4 || i == ST_ipv6 ||
		    i == ST_tcp || i == ST_udp || i == ST_ip_payload_cut)
			continue;
		sum += stat_get(&st, (enum stat_id)i);
	}
	return sum;
}

/* The frame decodes to the UDP/53 or TCP/443 packet built above, with its
 * payload at the end of the frame. */
static void expect_ok(const char *what, int dlt, const struct buf *f, int family, int proto)
{
	int before = check_failed;

	CHECK(decb(dlt, f));
	CHECK_EQ(pkt.family, family);
	CHECK_EQ(pkt.proto, proto);
	CHECK(memcmp(pkt.src, family == 4 ? A4 : A6, family == 4 ? 4 : 16) == 0);
	CHECK(memcmp(pkt.dst, family == 4 ? B4 : B6, family == 4 ? 4 : 16) == 0);
	CHECK_EQ(pkt.sport, proto == IPPROTO_NUM_TCP ? 44444 : 33333);
	CHECK_EQ(pkt.dport, proto == IPPROTO_NUM_TCP ? 443 : 53);
	CHECK_EQ(pkt.seq, proto == IPPROTO_NUM_TCP ? 0xdeadbeef : 0);
	CHECK_EQ(pkt.tcp_flags, proto == IPPROTO_NUM_TCP ? 0x18 : 0);
	CHECK_EQ(pkt.payload_len, DATA_LEN);
	CHECK(pkt.payload == held + f->n - DATA_LEN);
	CHECK_EQ(reasons(), 0);
	if (check_failed != before)
		fprintf(stderr, "  ... in case: %s\n", what);
}

/* The frame is skipped, with exactly this one reason counted. */
static void expect_fail(const char *what, int dlt, const struct buf *f, enum stat_id why)
{
	int before = check_failed;

	CHECK(!decb(dlt, f));
	CHECK_EQ(stat_get(&st, why), 1);
	CHECK_EQ(reasons(), 1);
	if (check_failed != before)
		fprintf(stderr, "  ... in case: %s (expected %s)\n", what, stat_info[why].name);
}

/* The frame is skipped and counted once (which counter is the decoder's call). */
static void expect_counted(const char *what, int dlt, const struct buf *f)
{
	int before = check_failed;

	CHECK(!decb(dlt, f));
	CHECK_EQ(reasons(), 1);
	if (check_failed != before)
		fprintf(stderr, "  ... in case: %s\n", what);
}

/* Link-layer encapsulations of an IP packet (fam 4 or 6). */
enum wrap { W_ETH, W_NULL_LE, W_NULL_BE, W_NULL_V6_28, W_NULL_V6_30, W_NULL_V6_10,
	    W_LOOP, W_RAW, W_RAW101, W_IPV4V6, W_SLL, W_SLL2, W_PPP, W_PPP_NOAC, W_PPP_1BYTE,
	    W_PPP_SERIAL, W_PPP_ETHER, W_NFLOG, W_PKTAP_ETH, W_PKTAP_RAW, W__COUNT };

static const char *const wrap_name[W__COUNT] = {
	"EN10MB", "NULL le (v6=24)", "NULL be (v6=30)", "NULL v6=28", "NULL v6=30", "NULL v6=10",
	"LOOP", "RAW", "101", "228/229", "LINUX_SLL", "SLL2", "PPP ff03", "PPP no ff03",
	"PPP 1-byte proto", "PPP_SERIAL", "PPP_ETHER", "NFLOG", "PKTAP/EN10MB", "PKTAP/RAW",
};

static int wrap(enum wrap w, int fam, const struct buf *ip, struct buf *f)
{
	unsigned et = fam == 4 ? 0x0800 : 0x86dd, ppp = fam == 4 ? 0x21 : 0x57;
	f->n = 0;
	switch (w) {
	case W_ETH: *f = eth(et, ip); return DLT_EN10MB;
	case W_NULL_LE: put32le(f, fam == 4 ? 2 : 24); break;
	case W_NULL_BE: put32(f, fam == 4 ? 2 : 30); break;
	case W_NULL_V6_28: put32le(f, fam == 4 ? 2 : 28); break;
	case W_NULL_V6_30: put32le(f, fam == 4 ? 2 : 30); break;
	case W_NULL_V6_10: put32le(f, fam == 4 ? 2 : 10); break;
	case W_LOOP: put32(f, fam == 4 ? 2 : 24); put(f, ip->b, ip->n); return DLT_LOOP;
	case W_RAW: put(f, ip->b, ip->n); return DLT_RAW;
	case W_RAW101: put(f, ip->b, ip->n); return 101;
	case W_IPV4V6: put(f, ip->b, ip->n); return fam == 4 ? 228 : 229;
	case W_SLL:
		put16(f, 0); put16(f, 1); put16(f, 6);
		put(f, "\x00\x11\x22\x33\x44\x55\x00\x00", 8);
		put16(f, et);
		put(f, ip->b, ip->n);
		return DLT_LINUX_SLL;
	case W_SLL2:
		put16(f, et); put16(f, 0); put32(f, 2); put16(f, 1); put8(f, 0); put8(f, 6);
		put(f, "\x00\x11\x22\x33\x44\x55\x00\x00", 8);
		put(f, ip->b, ip->n);
		return 276;
	case W_PPP: case W_PPP_SERIAL:
		put8(f, 0xff); put8(f, 0x03); put16(f, ppp);
		put(f, ip->b, ip->n);
		return w == W_PPP ? DLT_PPP : DLT_PPP_SERIAL;
	case W_PPP_NOAC: put16(f, ppp); put(f, ip->b, ip->n); return DLT_PPP;
	case W_PPP_1BYTE: put8(f, ppp); put(f, ip->b, ip->n); return DLT_PPP;
	case W_PPP_ETHER:
		put8(f, 0x11); put8(f, 0); put16(f, 0x0042); put16(f, (unsigned)ip->n + 2);
		put16(f, ppp);
		put(f, ip->b, ip->n);
		return DLT_PPP_ETHER;
	case W_NFLOG:
		put8(f, fam == 4 ? 2 : 10); put8(f, 0); put16(f, 0);
		put16le(f, 4 + 5); put16le(f, 10); put(f, "pfx0\0\0\0\0", 8);  /* prefix, padded */
		put16le(f, (unsigned)(4 + ip->n)); put16le(f, 9);
		put(f, ip->b, ip->n);
		zeros(f, (4 - ip->n % 4) % 4);
		return 239;
	case W_PKTAP_ETH: case W_PKTAP_RAW: {
		/* struct pktap_header: pth_length, pth_type_next (1: packet), pth_dlt,
		 * ifname[24], ... — 108 bytes, all little-endian. */
		struct buf in;
		put32le(f, 108); put32le(f, 1); put32le(f, w == W_PKTAP_ETH ? DLT_EN10MB : DLT_RAW);
		put(f, "en0", 3); zeros(f, 108 - 15);
		if (w == W_PKTAP_ETH)
			in = eth(et, ip);
		else
			in = *ip;
		put(f, in.b, in.n);
		return 258;
	}
	default: return -1;
	}
	put(f, ip->b, ip->n);                      /* the NULL variants */
	return DLT_NULL;
}

/* Case: every DLT carries a UDP/53 and a TCP/443 packet over IPv4 and IPv6. */
static void test_link_types(void)
{
	struct buf u = udp53(), t = tcp(), ip, f;
	char what[64];

	for (int w = 0; w < W__COUNT; w++) {
		for (int fam = 4; fam <= 6; fam += 2) {
			ip = fam == 4 ? ipv4(17, &u) : ipv6(17, &u);
			int dlt = wrap((enum wrap)w, fam, &ip, &f);
			CHECK(decode_linktype_supported(dlt));
			snprintf(what, sizeof what, "%s IPv%d UDP", wrap_name[w], fam);
			expect_ok(what, dlt, &f, fam, IPPROTO_NUM_UDP);
			ip = fam == 4 ? ipv4(6, &t) : ipv6(6, &t);
			wrap((enum wrap)w, fam, &ip, &f);
			snprintf(what, sizeof what, "%s IPv%d TCP", wrap_name[w], fam);
			expect_ok(what, dlt, &f, fam, IPPROTO_NUM_TCP);
		}
	}
	/* Case: an unsupported DLT (802.11 is decoded now: test_wifi.c). */
	ip = ipv4(17, &u);
	CHECK(!decode_linktype_supported(DLT_IEEE802));
	expect_fail("Token Ring", DLT_IEEE802, &ip, ST_link_unsupported);
}

/* Case: VLAN tags, QinQ, PPPoE, MPLS, LLC/SNAP in front of IP. */
static void test_ethertype_stacks(void)
{
	struct buf u = udp53(), ip4 = ipv4(17, &u), ip6 = ipv6(17, &u), in, f;

	in.n = 0; put16(&in, 100); put16(&in, 0x0800); put(&in, ip4.b, ip4.n);
	f = eth(0x8100, &in);
	expect_ok("802.1Q", DLT_EN10MB, &f, 4, IPPROTO_NUM_UDP);

	in.n = 0; put16(&in, 200); put16(&in, 0x8100); put16(&in, 100); put16(&in, 0x86dd);
	put(&in, ip6.b, ip6.n);
	f = eth(0x88a8, &in);
	expect_ok("QinQ", DLT_EN10MB, &f, 6, IPPROTO_NUM_UDP);
	CHECK_EQ(pkt.nencap, 2);
	CHECK_STR(decode_encap_name((enum encap)pkt.encap[0]), "vlan");
	CHECK_STR(decode_encap_name((enum encap)pkt.encap[1]), "vlan");

	for (int tags = 4; tags <= 5; tags++) {
		in.n = 0;
		for (int i = 1; i < tags; i++) {
			put16(&in, (unsigned)i);
			put16(&in, 0x8100);
		}
		put16(&in, 9); put16(&in, 0x0800); put(&in, ip4.b, ip4.n);
		f = eth(0x8100, &in);
		if (tags == 4)
			expect_ok("4 VLAN tags", DLT_EN10MB, &f, 4, IPPROTO_NUM_UDP);
		else
			expect_fail("5 VLAN tags", DLT_EN10MB, &f, ST_vlan_too_deep);
	}

	for (int fam = 4; fam <= 6; fam += 2) {
		const struct buf *ip = fam == 4 ? &ip4 : &ip6;
		in.n = 0; put8(&in, 0x11); put8(&in, 0); put16(&in, 7); put16(&in, (unsigned)ip->n + 2);
		put16(&in, fam == 4 ? 0x21 : 0x57); put(&in, ip->b, ip->n);
		f = eth(0x8864, &in);
		expect_ok(fam == 4 ? "PPPoE IPv4" : "PPPoE IPv6", DLT_EN10MB, &f, fam, IPPROTO_NUM_UDP);

		in.n = 0;
		if (fam == 4)
			put32(&in, 16u << 12 | 64);                 /* not bottom of stack */
		put32(&in, 17u << 12 | 0x100 | 64);                 /* bottom of stack */
		put(&in, ip->b, ip->n);
		f = eth(0x8847, &in);
		expect_ok(fam == 4 ? "MPLS 2 labels IPv4" : "MPLS IPv6", DLT_EN10MB, &f, fam, IPPROTO_NUM_UDP);
	}

	in.n = 0; put(&in, "\xaa\xaa\x03\x00\x00\x00", 6); put16(&in, 0x0800); put(&in, ip4.b, ip4.n);
	f = eth((unsigned)in.n, &in);
	expect_ok("LLC/SNAP", DLT_EN10MB, &f, 4, IPPROTO_NUM_UDP);
}

/* Case: frames that carry no IP are skipped and counted once (decode.h). */
static void test_not_ip(void)
{
	struct buf in = { .n = 0 }, f;

	put(&in, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	f = eth(0x0806, &in);
	expect_fail("ARP", DLT_EN10MB, &f, ST_not_ip);
	f.n = 0; put(&f, "\xff\x03\xc0\x21\x01\x01\x00\x04", 8);
	expect_fail("PPP LCP", DLT_PPP, &f, ST_not_ip);
	in.n = 0; put8(&in, 0x11); put8(&in, 0); put16(&in, 7); put16(&in, 6);
	put(&in, "\xc0\x21\x01\x01\x00\x04", 6);
	f = eth(0x8864, &in);
	expect_fail("PPPoE LCP", DLT_EN10MB, &f, ST_not_ip);
	in.n = 0; put32(&in, 17u << 12 | 0x100 | 64); zeros(&in, 28);   /* PW control word */
	f = eth(0x8847, &in);
	expect_counted("MPLS non-IP payload", DLT_EN10MB, &f);
	f.n = 0; put8(&f, 0x50); zeros(&f, 27);
	expect_counted("RAW version 5", DLT_RAW, &f);
	f.n = 0; put8(&f, 2); put8(&f, 0); put16(&f, 0); put16le(&f, 8); put16le(&f, 10);
	put(&f, "pfx0", 4);
	expect_counted("NFLOG without payload TLV", 239, &f);
}

/* Cases: IPv4 header lengths, padding, snaplen cuts and fragments. */
static void test_ipv4(void)
{
	struct buf t = tcp(), u = udp53(), ip, f, in;

	ip = ipv4x(6, &t, 6, -1, 0);
	expect_ok("IPv4 options", DLT_RAW, &ip, 4, IPPROTO_NUM_TCP);
	ip = ipv4x(6, &t, 4, -1, 0);
	expect_fail("IHL 4", DLT_RAW, &ip, ST_ipv4_malformed);
	ip = ipv4x(6, &t, 5, 19, 0);
	expect_fail("total < IHL", DLT_RAW, &ip, ST_ipv4_malformed);
	ip = ipv4x(6, &t, 5, 0, 0);
	expect_ok("total 0 (offload)", DLT_RAW, &ip, 4, IPPROTO_NUM_TCP);
	ip = ipv4x(6, &t, 5, -1, 0x4000);
	expect_ok("DF only", DLT_RAW, &ip, 4, IPPROTO_NUM_TCP);

	/* Case: Ethernet padding after a short packet is trimmed by the total length. */
	in = tcp_opt(5, 0, "hi", 2);
	ip = ipv4(6, &in);
	f = eth(0x0800, &ip);
	zeros(&f, 60 - f.n);
	CHECK(decb(DLT_EN10MB, &f));
	CHECK_EQ(pkt.payload_len, 2);
	CHECK(memcmp(pkt.payload, "hi", 2) == 0);

	/* Case: total length beyond the capture: inspected as far as captured. */
	ip = ipv4x(6, &t, 5, 20 + 20 + 100, 0);
	CHECK(decb(DLT_RAW, &ip));
	CHECK_EQ(pkt.payload_len, DATA_LEN);
	CHECK_EQ(stat_get(&st, ST_ip_payload_cut), 1);
	CHECK_EQ(reasons(), 0);

	/* Cases: fragments. */
	ip = ipv4x(17, &u, 5, -1, 185);
	expect_fail("non-first fragment", DLT_RAW, &ip, ST_ipv4_fragment);
	ip = ipv4x(17, &u, 5, -1, 0x2000);
	expect_fail("whole first fragment", DLT_RAW, &ip, ST_ipv4_fragment);
	ip = ipv4x(17, &u, 5, 1500, 0x2000);
	CHECK(decb(DLT_RAW, &ip));                      /* first fragment cut by the snaplen */
	CHECK_EQ(stat_get(&st, ST_ipv4_fragment), 1);
	CHECK_EQ(stat_get(&st, ST_ip_payload_cut), 1);
	CHECK_EQ(pkt.dport, 53);
	CHECK_EQ(pkt.payload_len, DATA_LEN);
}

/* Cases: IPv6 extension headers and fragments. */
static void test_ipv6(void)
{
	struct buf u = udp53(), e, ip;
	static const unsigned simple[] = { 0, 43, 60 };

	for (size_t i = 0; i < 3; i++) {
		e.n = 0; ext8(&e, 17);
		ip = ipv6x(simple[i], &e, &u, -1);
		expect_ok("IPv6 hop-by-hop/routing/dstopts", DLT_RAW, &ip, 6, IPPROTO_NUM_UDP);
	}
	e.n = 0; put8(&e, 17); put8(&e, 4); put16(&e, 0); put32(&e, 0x100); put32(&e, 1); zeros(&e, 12);
	ip = ipv6x(51, &e, &u, -1);
	expect_ok("IPv6 AH (24 bytes)", DLT_RAW, &ip, 6, IPPROTO_NUM_UDP);
	e.n = 0; ext8(&e, 60); ext8(&e, 43); ext8(&e, 17);
	ip = ipv6x(0, &e, &u, -1);
	expect_ok("IPv6 hop, dst, routing chain", DLT_RAW, &ip, 6, IPPROTO_NUM_UDP);

	e.n = 0; put8(&e, 17); put8(&e, 0); put16(&e, 0); put32(&e, 0xabcd);
	ip = ipv6x(44, &e, &u, -1);
	expect_ok("IPv6 atomic fragment", DLT_RAW, &ip, 6, IPPROTO_NUM_UDP);
	CHECK_EQ(stat_get(&st, ST_ipv6_fragment), 0);
	e.n = 0; put8(&e, 17); put8(&e, 0); put16(&e, 185 << 3); put32(&e, 0xabcd);
	ip = ipv6x(44, &e, &u, -1);
	expect_fail("IPv6 fragment offset != 0", DLT_RAW, &ip, ST_ipv6_fragment);
	e.n = 0; put8(&e, 17); put8(&e, 0); put16(&e, 1); put32(&e, 0xabcd);
	ip = ipv6x(44, &e, &u, -1);
	expect_fail("IPv6 whole first fragment", DLT_RAW, &ip, ST_ipv6_fragment);
	ip = ipv6x(44, &e, &u, 1400);
	CHECK(decb(DLT_RAW, &ip));                      /* first fragment cut by the snaplen */
	CHECK_EQ(stat_get(&st, ST_ipv6_fragment), 1);
	CHECK_EQ(pkt.payload_len, DATA_LEN);

	for (int n = 8; n <= 9; n++) {
		e.n = 0;
		for (int i = 0; i < n; i++)
			ext8(&e, i == n - 1 ? 17 : 60);
		ip = ipv6x(60, &e, &u, -1);
		if (n == 8)
			expect_ok("8 extension headers", DLT_RAW, &ip, 6, IPPROTO_NUM_UDP);
		else
			expect_fail("9 extension headers", DLT_RAW, &ip, ST_ipv6_ext_too_many);
	}
	/* Case: a hop-by-hop header of 40 bytes in an 8-byte payload. */
	struct buf none = { .n = 0 };
	e.n = 0; put8(&e, 17); put8(&e, 4); zeros(&e, 6);
	ip = ipv6x(0, &e, &none, -1);
	expect_fail("extension header runs off", DLT_RAW, &ip, ST_ipv6_truncated);
}

/* Case: another IP protocol (ICMP) decodes with ports 0, to be counted as a
 * flow, and bumps other_ip_proto. */
static void test_other_proto(void)
{
	struct buf icmp = { .n = 0 }, ip;
	put8(&icmp, 8); put8(&icmp, 0); zeros(&icmp, 6);
	ip = ipv4(1, &icmp);
	memset(&st, 0, sizeof st);
	CHECK(decb(DLT_RAW, &ip));
	CHECK_EQ(pkt.proto, 1);
	CHECK_EQ(pkt.family, 4);
	CHECK_EQ(pkt.sport, 0);
	CHECK_EQ(pkt.dport, 0);
	CHECK_EQ(pkt.payload_len, 8);
	CHECK_EQ(stat_get(&st, ST_other_ip_proto), 1);
}

/* Cases: IP-in-IP, 6in4, 4in6, and nesting beyond the limit. */
static void test_tunnels(void)
{
	struct buf u = udp53(), t = tcp(), in4 = ipv4(17, &u), in6 = ipv6(6, &t), ip, a, b;

	ip = ipv4(4, &in4);
	expect_ok("IPv4 in IPv4", DLT_RAW, &ip, 4, IPPROTO_NUM_UDP);
	CHECK_EQ(pkt.encap_depth, 1);
	CHECK_EQ(pkt.nencap, 1);
	CHECK_STR(decode_encap_name((enum encap)pkt.encap[0]), "4in4");
	ip = ipv4(41, &in6);
	expect_ok("6in4", DLT_RAW, &ip, 6, IPPROTO_NUM_TCP);
	CHECK_EQ(pkt.encap_depth, 1);
	ip = ipv6(4, &in4);
	expect_ok("4in6", DLT_RAW, &ip, 4, IPPROTO_NUM_UDP);
	CHECK(memcmp(pkt.src + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0);

	a = ipv6(4, &in4);                  /* 3 layers around the packet: decoded */
	b = ipv4(41, &a);
	ip = ipv4(4, &b);
	expect_ok("3 tunnel layers", DLT_RAW, &ip, 4, IPPROTO_NUM_UDP);
	CHECK_EQ(pkt.encap_depth, 3);
	CHECK_EQ(pkt.nencap, 3);           /* outermost first */
	CHECK_STR(decode_encap_name((enum encap)pkt.encap[0]), "4in4");
	CHECK_STR(decode_encap_name((enum encap)pkt.encap[1]), "6in4");
	CHECK_STR(decode_encap_name((enum encap)pkt.encap[2]), "4in6");
	a = ipv4(4, &ip);
	expect_fail("4 tunnel layers", DLT_RAW, &a, ST_tunnel_too_deep);
}

/* Cases: TCP data offset, UDP length. */
static void test_transport(void)
{
	struct buf l4, ip;

	l4 = tcp_opt(8, 12, TCP_DATA, DATA_LEN);
	ip = ipv4(6, &l4);
	expect_ok("TCP options", DLT_RAW, &ip, 4, IPPROTO_NUM_TCP);
	l4 = tcp_opt(4, 0, TCP_DATA, DATA_LEN);
	ip = ipv4(6, &l4);
	expect_fail("TCP data offset 4", DLT_RAW, &ip, ST_tcp_malformed);
	l4 = tcp_opt(8, 4, "", 0);
	ip = ipv4(6, &l4);
	expect_fail("TCP options run off", DLT_RAW, &ip, ST_tcp_truncated);

	l4 = udp(0, UDP_DATA, DATA_LEN);
	l4.b[4] = 0, l4.b[5] = 7;
	ip = ipv6(17, &l4);
	expect_fail("UDP length 7", DLT_RAW, &ip, ST_udp_malformed);
	l4 = udp(100, UDP_DATA, DATA_LEN);
	ip = ipv6(17, &l4);
	expect_ok("UDP length beyond the packet", DLT_RAW, &ip, 6, IPPROTO_NUM_UDP);
	l4 = udp(0, UDP_DATA, DATA_LEN);
	l4.b[5] = 8 + 4;
	ip = ipv4(17, &l4);
	CHECK(decb(DLT_RAW, &ip));
	CHECK_EQ(pkt.payload_len, 4);
	CHECK(pkt.payload == held + 28);
}

/* Case: every truncation of a valid frame either decodes with a payload
 * inside what was captured, or is skipped with exactly one reason counted. */
static void sweep(const char *what, int dlt, const struct buf *f)
{
	char bad[512] = "";
	size_t bl = 0;

	for (size_t n = 0; n <= f->n; n++) {
		bool ok = dec(dlt, f->b, n);
		bool good = ok ? pkt.payload >= held && pkt.payload + pkt.payload_len <= held + n
			       : reasons() == 1;
		if (!good && bl < sizeof bad - 16)
			bl += (size_t)snprintf(bad + bl, sizeof bad - bl, " %zu%s", n,
					       ok ? "(out of bounds)" : reasons() ? "(2+)" : "(0)");
		if (n == f->n)
			CHECK(ok);
	}
	CHECK(bl == 0);
	if (bl)
		fprintf(stderr, "  ... sweep %s: bad lengths (reasons counted):%s\n", what, bad);
}

static void test_truncation(void)
{
	struct buf t = tcp(), u = udp53(), ip4 = ipv4(6, &t), ip6 = ipv6(17, &u), f;
	char what[64];

	for (int w = 0; w < W__COUNT; w++) {
		for (int fam = 4; fam <= 6; fam += 2) {
			int dlt = wrap((enum wrap)w, fam, fam == 4 ? &ip4 : &ip6, &f);
			snprintf(what, sizeof what, "%s %s", wrap_name[w],
				 fam == 4 ? "IPv4/TCP" : "IPv6/UDP");
			sweep(what, dlt, &f);
		}
	}
}

int main(void)
{
	test_link_types();
	test_ethertype_stacks();
	test_not_ip();
	test_ipv4();
	test_ipv6();
	test_tunnels();
	test_other_proto();
	test_transport();
	test_truncation();
	free(held);
	return check_report("decode");
}
