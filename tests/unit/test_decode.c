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
static enum decode_result res;   /* of the last dec(): it returns "a packet to inspect" */

static bool dec(int dlt, const uint8_t *b, size_t n)
{
	free(held);
	held = malloc(n ? n : 1);
	memcpy(held, b, n);
	memset(&st, 0, sizeof st);
	memset(&pkt, 0, sizeof pkt);
	res = decode_packet(dlt, held, (uint32_t)n, &pkt, &st);
	return res == DECODE_PACKET;
}

static bool decb(int dlt, const struct buf *f) { return dec(dlt, f->b, f->n); }

/* The per-layer tallies of the decode group: a packet decoded counts in
 * them (fragments seen included). */
static bool tally(int i)
{
	return i == ST_ipv4 || i == ST_ipv6 || i == ST_tcp || i == ST_udp || i == ST_gre ||
	       i == ST_erspan || i == ST_vxlan || i == ST_geneve || i == ST_teredo ||
	       i == ST_ipv4_fragment || i == ST_ipv6_fragment;
}

/* Failure reasons: the decode group less the tallies and ip_payload_cut,
 * which annotates a packet still inspected. */
static uint64_t reasons(void)
{
	uint64_t sum = 0;
	for (int i = 0; i < ST__COUNT; i++) {
		if (strcmp(stat_info[i].group, "decode") || tally(i) || i == ST_ip_payload_cut)
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
	CHECK_EQ(res, DECODE_SKIPPED);
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

/* The frame is a fragment for reassembly, its data the rest of the frame
 * from data_at (less link padding); nothing counted but the tallies. */
static void expect_fragment(const char *what, int dlt, const struct buf *f, int family,
			    uint32_t offset, bool more, unsigned hlen, size_t data_at)
{
	int before = check_failed;

	CHECK(!decb(dlt, f));
	CHECK_EQ(res, DECODE_FRAGMENT);
	CHECK_EQ(pkt.family, family);
	CHECK(memcmp(pkt.src, family == 4 ? A4 : A6, family == 4 ? 4 : 16) == 0);
	CHECK(memcmp(pkt.dst, family == 4 ? B4 : B6, family == 4 ? 4 : 16) == 0);
	CHECK_EQ(pkt.frag.offset, offset);
	CHECK_EQ(pkt.frag.more, more);
	CHECK_EQ(pkt.frag.hlen, hlen);
	CHECK_EQ(pkt.frag.id, family == 4 ? 0x1234 : pkt.frag.id);
	CHECK(!pkt.frag.cut);
	CHECK(pkt.frag.data == held + data_at);
	CHECK(pkt.frag.data + pkt.frag.len <= held + f->n);
	CHECK_EQ(stat_get(&st, family == 4 ? ST_ipv4_fragment : ST_ipv6_fragment), 1);
	CHECK_EQ(reasons(), 0);
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

	/* Cases: fragments, handed to reassembly with what it needs. */
	ip = ipv4x(17, &u, 5, -1, 185);
	expect_fragment("non-first fragment", DLT_RAW, &ip, 4, 185 * 8, false, 20, 20);
	ip = ipv4x(17, &u, 5, -1, 0x2000);
	expect_fragment("whole first fragment", DLT_RAW, &ip, 4, 0, true, 20, 20);
	CHECK_EQ(pkt.sport, 0);                         /* the transport is not read */
	ip = ipv4x(17, &u, 7, -1, 0x2000 | 0x1fff);
	expect_fragment("largest offset, options", DLT_RAW, &ip, 4, 0x1fff * 8, true, 28, 28);
	CHECK(!pkt.frag.cut);
	in = tcp_opt(5, 0, "", 0);
	in.n = 8;                                       /* a tiny first fragment: half a TCP header */
	ip = ipv4x(6, &in, 5, -1, 0x2000);
	expect_fragment("tiny first fragment", DLT_RAW, &ip, 4, 0, true, 20, 20);
	CHECK_EQ(pkt.frag.proto, 6);
	ip = ipv4x(17, &u, 5, -1, 0x2000);
	f = eth(0x0800, &ip);
	zeros(&f, 60 - f.n);                            /* padding is not fragment data */
	expect_fragment("padded fragment", DLT_EN10MB, &f, 4, 0, true, 20, 34);
	CHECK_EQ(pkt.frag.len, u.n);

	ip = ipv4x(17, &u, 5, 1500, 0x2000);
	CHECK(decb(DLT_RAW, &ip));                      /* first fragment cut by the snaplen */
	CHECK_EQ(stat_get(&st, ST_ipv4_fragment), 1);
	CHECK_EQ(stat_get(&st, ST_ip_payload_cut), 1);
	CHECK_EQ(pkt.dport, 53);
	CHECK_EQ(pkt.payload_len, DATA_LEN);
	ip = ipv4x(17, &u, 5, 1500, 0x2000 | 185);      /* a later one cut: to reassembly, marked */
	CHECK(!decb(DLT_RAW, &ip));
	CHECK_EQ(res, DECODE_FRAGMENT);
	CHECK(pkt.frag.cut);
	CHECK_EQ(pkt.frag.len, u.n);
	CHECK_EQ(reasons(), 0);

	/* Case: a fragment inside IP-in-IP: the inner header's, with the tunnel recorded. */
	ip = ipv4x(17, &u, 5, -1, 185);
	f = ipv4(4, &ip);
	expect_fragment("fragment in 4in4", DLT_RAW, &f, 4, 185 * 8, false, 20, 40);
	CHECK_EQ(pkt.nencap, 1);
	CHECK_EQ(pkt.encap_depth, 1);
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
	expect_fragment("IPv6 fragment offset != 0", DLT_RAW, &ip, 6, 185 * 8, false, 0, 48);
	e.n = 0; put8(&e, 17); put8(&e, 0); put16(&e, 1); put32(&e, 0xabcd);
	ip = ipv6x(44, &e, &u, -1);
	expect_fragment("IPv6 whole first fragment", DLT_RAW, &ip, 6, 0, true, 0, 48);
	ip = ipv6x(44, &e, &u, 1400);
	CHECK(decb(DLT_RAW, &ip));                      /* first fragment cut by the snaplen */
	CHECK_EQ(stat_get(&st, ST_ipv6_fragment), 1);
	CHECK_EQ(pkt.payload_len, DATA_LEN);
	ip = ipv6x(44, &e, &u, 1400);                   /* ... a later one: marked cut */
	ip.b[40 + 2] = 0x10;
	CHECK(!decb(DLT_RAW, &ip));
	CHECK_EQ(res, DECODE_FRAGMENT);
	CHECK(pkt.frag.cut);

	/* Case: extension headers before the fragment header (RFC 8200 §4.5:
	 * the unfragmentable part), and one after it (fragment data). */
	e.n = 0; ext8(&e, 60); ext8(&e, 44);
	put8(&e, 60); put8(&e, 0); put16(&e, 8 | 1); put32(&e, 0x01020304);
	ext8(&e, 17);
	ip = ipv6x(0, &e, &u, -1);
	expect_fragment("IPv6 hop, dst, fragment, dst", DLT_RAW, &ip, 6, 8, true, 16, 64);
	CHECK_EQ(pkt.frag.id, 0x01020304);
	CHECK_EQ(pkt.frag.proto, 60);
	CHECK_EQ(pkt.frag.len, 8 + u.n);
	/* Case: a fragment header cut in the middle. */
	e.n = 0; put8(&e, 17); put8(&e, 0); put16(&e, 8);
	struct buf none0 = { .n = 0 };
	ip = ipv6x(44, &e, &none0, -1);
	expect_fail("IPv6 fragment header cut", DLT_RAW, &ip, ST_ipv6_truncated);

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

	a = ipv6(4, &in4);                  /* 4 layers around the packet: decoded */
	b = ipv4(41, &a);
	a = ipv4(4, &b);
	ip = ipv6(4, &a);
	expect_ok("4 tunnel layers", DLT_RAW, &ip, 4, IPPROTO_NUM_UDP);
	CHECK_EQ(pkt.encap_depth, 4);
	CHECK_EQ(pkt.nencap, 4);           /* outermost first */
	CHECK_STR(decode_encap_name((enum encap)pkt.encap[0]), "4in6");
	CHECK_STR(decode_encap_name((enum encap)pkt.encap[1]), "4in4");
	CHECK_STR(decode_encap_name((enum encap)pkt.encap[2]), "6in4");
	CHECK_STR(decode_encap_name((enum encap)pkt.encap[3]), "4in6");
	a = ipv4(41, &ip);
	expect_fail("5 tunnel layers", DLT_RAW, &a, ST_tunnel_too_deep);
}

/* Tunnel builders.  The outer addresses differ from the inner ones (A4/B4,
 * A6/B6) so that expect_ok() sees the inner packet's. */
static const uint8_t O4[4] = { 203, 0, 113, 1 }, P4[4] = { 203, 0, 113, 2 };
static const uint8_t O6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 1 };

static struct buf outer4(unsigned proto, const struct buf *in)
{
	struct buf f = ipv4(proto, in);
	memcpy(f.b + 12, O4, 4);
	memcpy(f.b + 16, P4, 4);
	return f;
}

static struct buf outer6(unsigned next, const struct buf *in)
{
	struct buf f = ipv6(next, in);
	memcpy(f.b + 8, O6, 16);
	memcpy(f.b + 24, O6, 16);
	f.b[39] = 2;
	return f;
}

static struct buf udp_ports(unsigned sport, unsigned dport, const struct buf *in)
{
	struct buf f = { .n = 0 };
	put16(&f, sport);
	put16(&f, dport);
	put16(&f, (unsigned)(8 + in->n));
	put16(&f, 0);
	put(&f, in->b, in->n);
	return f;
}

/* GRE with the fields its flags call for (RFC 2784, RFC 2890; RFC 2637 for
 * version 1, whose key is always there and acknowledgment flagged by 0x80). */
static struct buf gre(unsigned flags, unsigned proto, const struct buf *in)
{
	struct buf f = { .n = 0 };
	put16(&f, flags);
	put16(&f, proto);
	if (flags & 0x8000)
		put32(&f, 0xabcd0000);                  /* checksum, reserved1 */
	if (flags & 0x2000)
		put32(&f, (flags & 7) == 1 ? (uint32_t)in->n << 16 | 7 : 0x1234);
	if (flags & 0x1000)
		put32(&f, 42);                          /* sequence number */
	if ((flags & 7) == 1 && (flags & 0x0080))
		put32(&f, 41);                          /* acknowledgment number */
	put(&f, in->b, in->n);
	return f;
}

/* ERSPAN type II (version 1) and III (version 2) headers before a frame. */
static struct buf erspan2(unsigned ver, const struct buf *in)
{
	struct buf f = { .n = 0 };
	put16(&f, ver << 12 | 10);                      /* version, VLAN 10 */
	put16(&f, 0x0003);                              /* COS, En, T, session 3 */
	put32(&f, 0x00012345);                          /* reserved, index */
	put(&f, in->b, in->n);
	return f;
}

static struct buf erspan3(unsigned ver, unsigned ft, bool sub, const struct buf *in)
{
	struct buf f = { .n = 0 };
	put16(&f, ver << 12 | 10);
	put16(&f, 0x0003);
	put32(&f, 0x11223344);                          /* timestamp */
	put16(&f, 0x0005);                              /* SGT */
	put8(&f, ft << 2);                              /* P 0, FT, Hw ID 0 */
	put8(&f, sub ? 1 : 0);                          /* D, Gra, O */
	if (sub)
		put(&f, "\x03platfrm", 8);              /* platform-specific subheader */
	put(&f, in->b, in->n);
	return f;
}

static struct buf vxlan(unsigned flags, const struct buf *in)
{
	struct buf f = { .n = 0 };
	put8(&f, flags);
	zeros(&f, 3);
	put32(&f, 0x00abcd00);                          /* VNI, reserved */
	put(&f, in->b, in->n);
	return f;
}

/* GENEVE with optwords 4-byte words of options (one critical option). */
static struct buf geneve(unsigned ver, unsigned optwords, unsigned proto, const struct buf *in)
{
	struct buf f = { .n = 0 };
	put8(&f, ver << 6 | optwords);
	put8(&f, optwords ? 0x40 : 0);                  /* C: critical options present */
	put16(&f, proto);
	put32(&f, 0x00001092 << 8);
	if (optwords) {
		put16(&f, 0x0102);                      /* option class */
		put8(&f, 0x80);                         /* type, critical */
		put8(&f, optwords - 1);                 /* length in words, header aside */
		zeros(&f, (optwords - 1) * 4);
	}
	put(&f, in->b, in->n);
	return f;
}

/* Teredo (RFC 4380 §5.1.1): optional authentication and origin indication. */
static struct buf teredo(bool auth, bool origin, const struct buf *ip6)
{
	struct buf f = { .n = 0 };
	if (auth) {
		put16(&f, 0x0001);
		put8(&f, 4);                            /* ID-len */
		put8(&f, 8);                            /* AU-len */
		put(&f, "clidauthvalu", 12);
		put(&f, "noncenon", 8);
		put8(&f, 0);                            /* confirmation */
	}
	if (origin) {
		put16(&f, 0x0000);
		put16(&f, 0xffff ^ 40000);              /* obfuscated port, address */
		put32(&f, 0xffffffff ^ 0xc6336401);
	}
	put(&f, ip6->b, ip6->n);
	return f;
}

/* The packet's encapsulations, joined with commas, are want. */
static void expect_encap(const char *what, const char *want)
{
	char got[128] = "";
	size_t n = 0;
	int before = check_failed;

	for (unsigned i = 0; i < pkt.nencap && n < sizeof got; i++)
		n += (size_t)snprintf(got + n, sizeof got - n, "%s%s", i ? "," : "",
				      decode_encap_name((enum encap)pkt.encap[i]));
	CHECK_STR(got, want);
	if (check_failed != before)
		fprintf(stderr, "  ... in case: %s\n", what);
}

/* The frame stays a plain UDP datagram of the outer addresses to dport. */
static void expect_plain_udp(const char *what, int dlt, const struct buf *f, unsigned dport)
{
	int before = check_failed;

	CHECK(decb(dlt, f));
	CHECK_EQ(pkt.proto, IPPROTO_NUM_UDP);
	CHECK_EQ(pkt.dport, dport);
	CHECK_EQ(pkt.nencap, 0);
	CHECK_EQ(pkt.encap_depth, 0);
	CHECK_EQ(reasons(), 0);
	CHECK_EQ(stat_get(&st, ST_vxlan) + stat_get(&st, ST_geneve) + stat_get(&st, ST_teredo), 0);
	if (check_failed != before)
		fprintf(stderr, "  ... in case: %s\n", what);
}

/* Cases: GRE (RFC 2784) with every combination of checksum, key and sequence
 * number (RFC 2890), over IPv4 and IPv6, carrying IPv4, IPv6, an Ethernet
 * frame (with a VLAN tag) and MPLS. */
static void test_gre(void)
{
	struct buf u = udp53(), t = tcp(), in4 = ipv4(17, &u), in6 = ipv6(6, &t), g, ip, e, in;
	char what[64];

	for (unsigned fl = 0; fl < 8; fl++) {
		unsigned flags = (fl & 1 ? 0x8000u : 0) | (fl & 2 ? 0x2000u : 0) | (fl & 4 ? 0x1000u : 0);
		snprintf(what, sizeof what, "GRE flags %04x, IPv4 in IPv4", flags);
		g = gre(flags, 0x0800, &in4);
		ip = outer4(47, &g);
		expect_ok(what, DLT_RAW, &ip, 4, IPPROTO_NUM_UDP);
		expect_encap(what, "gre");
		CHECK_EQ(pkt.encap_depth, 1);
		CHECK_EQ(stat_get(&st, ST_gre), 1);
		snprintf(what, sizeof what, "GRE flags %04x, IPv6 in IPv6", flags);
		g = gre(flags, 0x86dd, &in6);
		ip = outer6(47, &g);
		expect_ok(what, DLT_RAW, &ip, 6, IPPROTO_NUM_TCP);
		expect_encap(what, "gre");
	}

	/* Transparent Ethernet Bridging: an Ethernet frame, a VLAN tag in it. */
	e = eth(0x0800, &in4);
	g = gre(0x2000, 0x6558, &e);
	ip = outer4(47, &g);
	e = eth(0x0800, &ip);
	expect_ok("GRE TEB", DLT_EN10MB, &e, 4, IPPROTO_NUM_UDP);
	expect_encap("GRE TEB", "gre");
	in.n = 0; put16(&in, 100); put16(&in, 0x86dd); put(&in, in6.b, in6.n);
	e = eth(0x8100, &in);
	g = gre(0, 0x6558, &e);
	ip = outer6(47, &g);
	expect_ok("GRE TEB, VLAN inside", DLT_RAW, &ip, 6, IPPROTO_NUM_TCP);
	expect_encap("GRE TEB, VLAN inside", "gre,vlan");

	/* MPLS over GRE (RFC 4023). */
	in.n = 0; put32(&in, 16u << 12 | 0x100 | 64); put(&in, in4.b, in4.n);
	g = gre(0, 0x8847, &in);
	ip = outer4(47, &g);
	expect_ok("MPLS in GRE", DLT_RAW, &ip, 4, IPPROTO_NUM_UDP);
	expect_encap("MPLS in GRE", "gre,mpls");
}

/* Cases: ERSPAN type I (no header), II and III (with and without the
 * platform-specific subheader, an Ethernet frame or an IP packet). */
static void test_erspan(void)
{
	struct buf u = udp53(), t = tcp(), in4 = ipv4(17, &u), in6 = ipv6(6, &t);
	struct buf e4 = eth(0x0800, &in4), e6 = eth(0x86dd, &in6), h, g, ip;

	g = gre(0, 0x88be, &e4);
	ip = outer4(47, &g);
	expect_ok("ERSPAN I", DLT_RAW, &ip, 4, IPPROTO_NUM_UDP);
	expect_encap("ERSPAN I", "gre,erspan");
	CHECK_EQ(stat_get(&st, ST_erspan), 1);
	CHECK_EQ(stat_get(&st, ST_gre), 1);

	h = erspan2(1, &e6);
	g = gre(0x1000, 0x88be, &h);
	ip = outer4(47, &g);
	expect_ok("ERSPAN II", DLT_RAW, &ip, 6, IPPROTO_NUM_TCP);
	expect_encap("ERSPAN II", "gre,erspan");

	for (int sub = 0; sub <= 1; sub++) {
		h = erspan3(2, 0, sub, &e4);
		g = gre(0x1000, 0x22eb, &h);
		ip = outer6(47, &g);
		expect_ok(sub ? "ERSPAN III, subheader" : "ERSPAN III", DLT_RAW, &ip, 4, IPPROTO_NUM_UDP);
		expect_encap("ERSPAN III", "gre,erspan");
		h = erspan3(2, 2, sub, &in6);
		g = gre(0x1000, 0x22eb, &h);
		ip = outer4(47, &g);
		expect_ok("ERSPAN III, IP frame type", DLT_RAW, &ip, 6, IPPROTO_NUM_TCP);
	}
}

/* Cases: PPTP's enhanced GRE (RFC 2637 §4.1) carrying PPP. */
static void test_pptp(void)
{
	struct buf u = udp53(), in4 = ipv4(17, &u), ppp, g, ip;

	ppp.n = 0; put8(&ppp, 0xff); put8(&ppp, 0x03); put16(&ppp, 0x0021); put(&ppp, in4.b, in4.n);
	g = gre(0x3081, 0x880b, &ppp);          /* K, S, A, version 1 */
	ip = outer4(47, &g);
	expect_ok("PPTP", DLT_RAW, &ip, 4, IPPROTO_NUM_UDP);
	expect_encap("PPTP", "gre");
	ppp.n = 0; put8(&ppp, 0x21); put(&ppp, in4.b, in4.n);    /* address, control, protocol compressed */
	g = gre(0x3001, 0x880b, &ppp);
	ip = outer4(47, &g);
	expect_ok("PPTP, compressed PPP header", DLT_RAW, &ip, 4, IPPROTO_NUM_UDP);

	struct buf none = { .n = 0 };
	g = gre(0x2081, 0x880b, &none);         /* acknowledgment only */
	ip = outer4(47, &g);
	expect_fail("PPTP acknowledgment", DLT_RAW, &ip, ST_not_ip);
	ppp.n = 0; put(&ppp, "\xff\x03\xc0\x21\x01\x01\x00\x04", 8);
	g = gre(0x3001, 0x880b, &ppp);
	ip = outer4(47, &g);
	expect_fail("PPTP carrying LCP", DLT_RAW, &ip, ST_not_ip);
}

/* Cases: VXLAN, GENEVE and Teredo, over IPv4 and IPv6. */
static void test_udp_tunnels(void)
{
	struct buf u = udp53(), t = tcp(), in4 = ipv4(17, &u), in6 = ipv6(6, &t), u6 = ipv6(17, &u);
	struct buf e, h, l4, ip;

	e = eth(0x0800, &in4);
	h = vxlan(0x08, &e);
	l4 = udp_ports(51234, 4789, &h);
	ip = outer4(17, &l4);
	expect_ok("VXLAN", DLT_RAW, &ip, 4, IPPROTO_NUM_UDP);
	expect_encap("VXLAN", "vxlan");
	CHECK_EQ(stat_get(&st, ST_vxlan), 1);
	CHECK_EQ(stat_get(&st, ST_udp), 2);

	/* ICMP inside: ports 0 as ever, not those of the UDP around it */
	struct buf icmp = { .n = 0 }, in1;
	put8(&icmp, 8); put8(&icmp, 0); zeros(&icmp, 6);
	in1 = ipv4(1, &icmp);
	e = eth(0x0800, &in1);
	h = vxlan(0x08, &e);
	l4 = udp_ports(51234, 4789, &h);
	ip = outer4(17, &l4);
	memset(&st, 0, sizeof st);
	CHECK(decb(DLT_RAW, &ip));
	CHECK_EQ(pkt.proto, 1);
	CHECK(memcmp(pkt.src, A4, 4) == 0);
	CHECK_EQ(stat_get(&st, ST_other_ip_proto), 1);
	CHECK_EQ(pkt.sport, 0);
	CHECK_EQ(pkt.dport, 0);
	e = eth(0x86dd, &in6);
	h = vxlan(0x88, &e);                    /* the GBP bit too: reserved bits ignored */
	l4 = udp_ports(51234, 4789, &h);
	ip = outer6(17, &l4);
	expect_ok("VXLAN over IPv6", DLT_RAW, &ip, 6, IPPROTO_NUM_TCP);

	for (unsigned words = 0; words <= 3; words += 3) {
		e = eth(0x0800, &in4);
		h = geneve(0, words, 0x6558, &e);
		l4 = udp_ports(47101, 6081, &h);
		ip = outer4(17, &l4);
		expect_ok("GENEVE, Ethernet", DLT_RAW, &ip, 4, IPPROTO_NUM_UDP);
		expect_encap("GENEVE", "geneve");
		CHECK_EQ(stat_get(&st, ST_geneve), 1);
		h = geneve(0, words, 0x86dd, &in6);
		l4 = udp_ports(47101, 6081, &h);
		ip = outer6(17, &l4);
		expect_ok("GENEVE, IPv6", DLT_RAW, &ip, 6, IPPROTO_NUM_TCP);
		h = geneve(0, words, 0x0800, &in4);
		l4 = udp_ports(47101, 6081, &h);
		ip = outer4(17, &l4);
		expect_ok("GENEVE, IPv4", DLT_RAW, &ip, 4, IPPROTO_NUM_UDP);
	}

	for (int auth = 0; auth <= 1; auth++) {
		for (int origin = 0; origin <= 1; origin++) {
			h = teredo(auth, origin, &u6);
			l4 = udp_ports(3544, 40000, &h);
			ip = outer4(17, &l4);
			expect_ok("Teredo from the server", DLT_RAW, &ip, 6, IPPROTO_NUM_UDP);
			expect_encap("Teredo", "teredo");
			CHECK_EQ(stat_get(&st, ST_teredo), 1);
			l4 = udp_ports(40000, 3544, &h);
			ip = outer4(17, &l4);
			expect_ok("Teredo to the server", DLT_RAW, &ip, 6, IPPROTO_NUM_UDP);
		}
	}
	/* A bubble: an IPv6 header and nothing (next header 59). */
	struct buf none = { .n = 0 }, bubble = ipv6(59, &none);
	l4 = udp_ports(40000, 3544, &bubble);
	ip = outer4(17, &l4);
	CHECK(decb(DLT_RAW, &ip));
	CHECK_EQ(pkt.family, 6);
	CHECK_EQ(pkt.proto, 59);
	CHECK_EQ(stat_get(&st, ST_teredo), 1);
	expect_encap("Teredo bubble", "teredo");
}

/* Cases: tunnels of different kinds inside one another share one bound, and
 * a GRE loop (GRE in GRE in GRE ...) stops there, counted once. */
static void test_tunnel_nesting(void)
{
	struct buf u = udp53(), in4 = ipv4(17, &u), a, b, ip;

	a = eth(0x0800, &in4);                  /* VXLAN in GENEVE in 6in4 in GRE */
	b = vxlan(0x08, &a);
	a = udp_ports(1000, 4789, &b);
	b = outer4(17, &a);
	a = geneve(0, 0, 0x0800, &b);
	b = udp_ports(1001, 6081, &a);
	a = outer6(17, &b);
	b = outer4(41, &a);
	a = gre(0x2000, 0x0800, &b);
	ip = outer4(47, &a);
	expect_ok("4 tunnels of 4 kinds", DLT_RAW, &ip, 4, IPPROTO_NUM_UDP);
	expect_encap("4 tunnels of 4 kinds", "gre,6in4,geneve,vxlan");
	CHECK_EQ(pkt.encap_depth, 4);
	a = gre(0, 0x0800, &ip);
	ip = outer4(47, &a);
	expect_fail("5 tunnels of 4 kinds", DLT_RAW, &ip, ST_tunnel_too_deep);

	for (int n = 1; n <= 20; n++) {
		ip = in4;
		for (int i = 0; i < n; i++) {
			a = gre(0, 0x0800, &ip);
			ip = outer4(47, &a);
		}
		char what[32];
		snprintf(what, sizeof what, "GRE in GRE x%d", n);
		if (n <= 4) {
			expect_ok(what, DLT_RAW, &ip, 4, IPPROTO_NUM_UDP);
			CHECK_EQ(pkt.encap_depth, n);
			CHECK_EQ(stat_get(&st, ST_gre), n);
		} else {
			expect_fail(what, DLT_RAW, &ip, ST_tunnel_too_deep);
			CHECK_EQ(stat_get(&st, ST_gre), 5);     /* the walk stopped at the bound */
		}
	}
}

/* Cases: broken tunnels, each skipped with one reason; datagrams on a tunnel
 * port that are not that tunnel stay plain UDP. */
static void test_tunnel_malformed(void)
{
	struct buf u = udp53(), t = tcp(), in4 = ipv4(17, &u), in6 = ipv6(6, &t), u6 = ipv6(17, &u);
	struct buf e4 = eth(0x0800, &in4), g, h, l4, ip, x;
	static const unsigned bad_flags[] = { 0x0002, 0x0007, 0x4000, 0x0800, 0x0400 };

	/* GRE: cut headers, fields its flags promise missing, lying IP length. */
	x.n = 0; put16(&x, 0);
	ip = outer4(47, &x);
	expect_fail("GRE header of 2 bytes", DLT_RAW, &ip, ST_gre_truncated);
	x.n = 0; put16(&x, 0xb000); put16(&x, 0x0800); put32(&x, 0);
	ip = outer4(47, &x);
	expect_fail("GRE C, K and S with one field", DLT_RAW, &ip, ST_gre_truncated);
	g = gre(0x3000, 0x0800, &in4);
	ip = outer4(47, &g);
	ip.b[2] = 0, ip.b[3] = 20 + 6;          /* IP total length ends inside the GRE header */
	expect_fail("IP length ends in the GRE header", DLT_RAW, &ip, ST_gre_truncated);

	/* GRE: versions 2-7, RFC 1701 routing, strict source route, recursion. */
	for (size_t i = 0; i < sizeof bad_flags / sizeof bad_flags[0]; i++) {
		g = gre(bad_flags[i], 0x0800, &in4);
		ip = outer4(47, &g);
		expect_fail("GRE version or RFC 1701 flag", DLT_RAW, &ip, ST_gre_unsupported);
	}
	g = gre(0x2001, 0x0800, &in4);
	ip = outer4(47, &g);
	expect_fail("GRE version 1 carrying IPv4", DLT_RAW, &ip, ST_gre_unsupported);
	x.n = 0; put16(&x, 0x1001); put16(&x, 0x880b); put32(&x, 1); put(&x, in4.b, in4.n);
	ip = outer4(47, &x);
	expect_fail("GRE version 1 without a key", DLT_RAW, &ip, ST_gre_unsupported);
	g = gre(0xb081, 0x880b, &in4);
	ip = outer4(47, &g);
	expect_fail("GRE version 1 with a checksum", DLT_RAW, &ip, ST_gre_unsupported);
	g = gre(0, 0x883e, &in4);
	ip = outer4(47, &g);
	expect_fail("GRE protocol type not decoded", DLT_RAW, &ip, ST_gre_unsupported);
	g = gre(0, 0x0800, &in6);
	ip = outer4(47, &g);
	expect_fail("GRE says IPv4, carries IPv6", DLT_RAW, &ip, ST_ipv4_malformed);

	/* The frame inside: cut, or not IP. */
	x.n = 0; put(&x, e4.b, 10);
	g = gre(0, 0x6558, &x);
	ip = outer4(47, &g);
	expect_fail("GRE TEB, Ethernet header cut", DLT_RAW, &ip, ST_tunnel_truncated);
	x.n = 0; put(&x, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	h = eth(0x0806, &x);
	g = gre(0, 0x6558, &h);
	ip = outer4(47, &g);
	expect_fail("GRE TEB carrying ARP", DLT_RAW, &ip, ST_not_ip);
	x.n = 0; put32(&x, 16u << 12 | 64);       /* an MPLS label, no bottom of stack */
	g = gre(0, 0x8847, &x);
	ip = outer4(47, &g);
	expect_fail("MPLS in GRE cut", DLT_RAW, &ip, ST_tunnel_truncated);

	/* ERSPAN: bad versions and frame types, cut headers. */
	h = erspan2(2, &e4);
	g = gre(0x1000, 0x88be, &h);
	ip = outer4(47, &g);
	expect_fail("ERSPAN II of version 2", DLT_RAW, &ip, ST_erspan_unsupported);
	h = erspan3(1, 0, false, &e4);
	g = gre(0x1000, 0x22eb, &h);
	ip = outer4(47, &g);
	expect_fail("ERSPAN III of version 1", DLT_RAW, &ip, ST_erspan_unsupported);
	h = erspan3(2, 5, false, &e4);
	g = gre(0x1000, 0x22eb, &h);
	ip = outer4(47, &g);
	expect_fail("ERSPAN III frame type 5", DLT_RAW, &ip, ST_erspan_unsupported);
	x.n = 0; put32(&x, 0x1000000a);
	g = gre(0x1000, 0x88be, &x);
	ip = outer4(47, &g);
	expect_fail("ERSPAN II header cut", DLT_RAW, &ip, ST_gre_truncated);
	h = erspan3(2, 0, true, &e4);
	h.n = 12 + 4;
	g = gre(0x1000, 0x22eb, &h);
	ip = outer4(47, &g);
	expect_fail("ERSPAN III subheader cut", DLT_RAW, &ip, ST_gre_truncated);

	/* VXLAN: too short or without the I flag it is a plain datagram; the
	 * frame inside cut, by the capture or by a lying UDP length. */
	x.n = 0; put32(&x, 0x08000000);
	l4 = udp_ports(5000, 4789, &x);
	ip = outer4(17, &l4);
	expect_plain_udp("4 bytes on the VXLAN port", DLT_RAW, &ip, 4789);
	h = vxlan(0x00, &e4);
	l4 = udp_ports(5000, 4789, &h);
	ip = outer4(17, &l4);
	expect_plain_udp("VXLAN without the I flag", DLT_RAW, &ip, 4789);
	h = vxlan(0x08, &e4);
	h.n = 8 + 13;
	l4 = udp_ports(5000, 4789, &h);
	ip = outer4(17, &l4);
	expect_fail("VXLAN, Ethernet header cut", DLT_RAW, &ip, ST_tunnel_truncated);
	h = vxlan(0x08, &e4);
	l4 = udp_ports(5000, 4789, &h);
	l4.b[4] = 0, l4.b[5] = 8 + 8 + 10;      /* UDP length ends in the inner Ethernet header */
	ip = outer4(17, &l4);
	expect_fail("UDP length ends in the VXLAN frame", DLT_RAW, &ip, ST_tunnel_truncated);
	h = vxlan(0x08, &e4);
	l4 = udp_ports(5000, 4789, &h);
	ip = outer4(17, &l4);
	ip.n -= DATA_LEN + 8 + 10;              /* the capture ends in the inner IP header */
	expect_fail("VXLAN, inner IP header cut", DLT_RAW, &ip, ST_ipv4_truncated);

	/* GENEVE: another version is not GENEVE; options running off; an
	 * unknown protocol type. */
	h = geneve(1, 0, 0x6558, &e4);
	l4 = udp_ports(5000, 6081, &h);
	ip = outer4(17, &l4);
	expect_plain_udp("GENEVE version 1", DLT_RAW, &ip, 6081);
	h = geneve(0, 0, 0x6558, &e4);
	h.b[0] = 63;                            /* 252 bytes of options claimed */
	l4 = udp_ports(5000, 6081, &h);
	ip = outer4(17, &l4);
	expect_fail("GENEVE options beyond the datagram", DLT_RAW, &ip, ST_tunnel_truncated);
	h = geneve(0, 2, 0x894f, &e4);
	l4 = udp_ports(5000, 6081, &h);
	ip = outer4(17, &l4);
	expect_fail("GENEVE carrying NSH", DLT_RAW, &ip, ST_geneve_unsupported);
	x.n = 0; put16(&x, 0);
	l4 = udp_ports(5000, 6081, &x);
	ip = outer4(17, &l4);
	expect_plain_udp("2 bytes on the GENEVE port", DLT_RAW, &ip, 6081);

	/* Teredo: only a whole IPv6 packet is taken for one. */
	h = teredo(false, false, &u6);
	h.b[5] += 1;                            /* IPv6 payload length one beyond */
	l4 = udp_ports(40000, 3544, &h);
	ip = outer4(17, &l4);
	expect_plain_udp("Teredo, IPv6 length lies", DLT_RAW, &ip, 3544);
	h = teredo(false, false, &in4);
	l4 = udp_ports(40000, 3544, &h);
	ip = outer4(17, &l4);
	expect_plain_udp("IPv4 on the Teredo port", DLT_RAW, &ip, 3544);
	h = teredo(true, true, &u6);
	h.b[2] = 200;                           /* ID-len beyond the datagram */
	l4 = udp_ports(40000, 3544, &h);
	ip = outer4(17, &l4);
	expect_plain_udp("Teredo, authentication lengths lie", DLT_RAW, &ip, 3544);
	h = teredo(false, true, &u6);
	h.n = 5;
	l4 = udp_ports(40000, 3544, &h);
	ip = outer4(17, &l4);
	expect_plain_udp("Teredo origin indication cut", DLT_RAW, &ip, 3544);
	h = teredo(false, false, &u6);
	l4 = udp_ports(40000, 3544, &h);
	ip = outer4(17, &l4);
	ip.n -= u6.n - 20;                      /* the capture ends in the IPv6 header */
	expect_fail("Teredo, IPv6 header cut by the capture", DLT_RAW, &ip, ST_ipv6_truncated);

	/* DNS stays DNS, whatever the other port. */
	x = udp53();
	x.b[0] = 4789 >> 8, x.b[1] = 4789 & 0xff;
	x.b[2] = 0, x.b[3] = 53;
	ip = ipv4(17, &x);                      /* from 4789 to 53 */
	CHECK(decb(DLT_RAW, &ip));
	CHECK_EQ(pkt.dport, 53);
	x.b[0] = 0, x.b[1] = 53;
	x.b[2] = 4789 >> 8, x.b[3] = 4789 & 0xff;
	memcpy(x.b + 8, "\x08\x08\x81\x80", 4); /* an answer whose id has VXLAN's I bit */
	ip = ipv4(17, &x);
	expect_plain_udp("DNS answer to port 4789", DLT_RAW, &ip, 4789);
	CHECK_EQ(pkt.sport, 53);
}

/* Case: a reassembled datagram decodes as raw IP with the encapsulation
 * its fragments came through kept. */
static void test_reassembled(void)
{
	struct buf u = udp53(), ip = ipv4(17, &u), ip6 = ipv6(17, &u), in4;

	memset(&pkt, 0, sizeof pkt);
	memset(&st, 0, sizeof st);
	pkt.nencap = 2;
	pkt.encap[0] = ENCAP_VLAN;
	pkt.encap[1] = ENCAP_GRE;
	pkt.encap_depth = 1;
	CHECK_EQ(decode_reassembled(ip.b, (uint32_t)ip.n, &pkt, &st), DECODE_PACKET);
	CHECK_EQ(pkt.nencap, 2);
	CHECK_EQ(pkt.encap[1], ENCAP_GRE);
	CHECK_EQ(pkt.dport, 53);
	CHECK_EQ(pkt.payload_len, DATA_LEN);
	CHECK_EQ(stat_get(&st, ST_ipv4), 1);
	in4 = ipv4(4, &ip);                             /* a tunnel inside adds to it */
	CHECK_EQ(decode_reassembled(in4.b, (uint32_t)in4.n, &pkt, &st), DECODE_PACKET);
	CHECK_EQ(pkt.nencap, 3);
	CHECK_EQ(pkt.encap_depth, 2);
	pkt.nencap = 0;
	pkt.encap_depth = 0;
	CHECK_EQ(decode_reassembled(ip6.b, (uint32_t)ip6.n, &pkt, &st), DECODE_PACKET);
	CHECK_EQ(pkt.family, 6);
	ip = ipv4x(17, &u, 5, -1, 185);                 /* a fragment again: said so */
	CHECK_EQ(decode_reassembled(ip.b, (uint32_t)ip.n, &pkt, &st), DECODE_FRAGMENT);
	CHECK_EQ(decode_reassembled((const uint8_t *)"\x50", 1, &pkt, &st), DECODE_SKIPPED);
	CHECK_EQ(stat_get(&st, ST_not_ip), 1);
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

/* Case: every truncation of a fragment is a fragment whose data lies inside
 * what was captured (marked cut when short of its length), or is skipped
 * with exactly one reason counted. */
static void sweep_fragment(const char *what, int dlt, const struct buf *f)
{
	int bad = 0;

	for (size_t n = 0; n <= f->n; n++) {
		bool ok = !dec(dlt, f->b, n) &&
			  (res == DECODE_FRAGMENT ? pkt.frag.data >= held &&
				  pkt.frag.data + pkt.frag.len <= held + n &&
				  pkt.frag.cut == (n < f->n) && reasons() == 0
						 : res == DECODE_SKIPPED && reasons() == 1);
		if (!ok && bad++ < 4)
			fprintf(stderr, "  ... sweep %s: bad at length %zu\n", what, n);
	}
	CHECK_EQ(bad, 0);
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

	struct buf e = { .n = 0 }, ip;
	ext8(&e, 44);
	put8(&e, 17); put8(&e, 0); put16(&e, 64 | 1); put32(&e, 7);
	ip = ipv6x(0, &e, &u, -1);
	sweep_fragment("IPv6 hop-by-hop, fragment", DLT_RAW, &ip);
	ip = ipv4x(17, &u, 6, -1, 0x2000 | 8);
	f = eth(0x0800, &ip);
	sweep_fragment("Ethernet IPv4 fragment with options", DLT_EN10MB, &f);
}

/* Case: every truncation of every tunnel, as for the link types. */
static void test_tunnel_truncation(void)
{
	struct buf u = udp53(), t = tcp(), in4 = ipv4(6, &t), u6 = ipv6(17, &u);
	struct buf e4 = eth(0x0800, &in4), h, g, l4, f[9];
	size_t n = 0;

	g = gre(0xb000, 0x0800, &in4);
	f[n++] = outer4(47, &g);
	g = gre(0x2000, 0x6558, &e4);
	f[n++] = outer6(47, &g);
	h.n = 0; put32(&h, 16u << 12 | 0x100 | 64); put(&h, in4.b, in4.n);
	g = gre(0, 0x8847, &h);
	f[n++] = outer4(47, &g);
	h = erspan2(1, &e4);
	g = gre(0x1000, 0x88be, &h);
	f[n++] = outer4(47, &g);
	h = erspan3(2, 0, true, &e4);
	g = gre(0x1000, 0x22eb, &h);
	f[n++] = outer4(47, &g);
	h.n = 0; put8(&h, 0xff); put8(&h, 0x03); put16(&h, 0x0021); put(&h, in4.b, in4.n);
	g = gre(0x3081, 0x880b, &h);
	f[n++] = outer4(47, &g);
	h = vxlan(0x08, &e4);
	l4 = udp_ports(5000, 4789, &h);
	f[n++] = outer4(17, &l4);
	h = geneve(0, 3, 0x6558, &e4);
	l4 = udp_ports(5000, 6081, &h);
	f[n++] = outer6(17, &l4);
	h = teredo(true, true, &u6);
	l4 = udp_ports(3544, 5000, &h);
	f[n++] = outer4(17, &l4);
	for (size_t i = 0; i < n; i++) {
		char what[32];
		snprintf(what, sizeof what, "tunnel frame %zu", i);
		sweep(what, DLT_RAW, &f[i]);
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
	test_gre();
	test_erspan();
	test_pptp();
	test_udp_tunnels();
	test_tunnel_nesting();
	test_tunnel_malformed();
	test_reassembled();
	test_other_proto();
	test_transport();
	test_truncation();
	test_tunnel_truncation();
	free(held);
	return check_report("decode");
}
