/* test_wifi.c — 802.11 (radiotap, raw, PPI) and CAPWAP: hand-built frames for
 * every address order, QoS/HT Control, LLC/SNAP, A-MSDU, FCS, encryption, the
 * frames skipped, and malformed radio headers; the BSSID table; a truncation
 * sweep that checks bounds (ASan) and the one-counter rule. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "bssid.h"
#include "check.h"
#include "decode.h"
#include "wifi.h"

#ifndef DLT_PPI
#define DLT_PPI 192
#endif

struct buf {
	uint8_t b[2048];
	size_t n;
};

static void put(struct buf *f, const void *p, size_t n) { memcpy(f->b + f->n, p, n); f->n += n; }
static void put8(struct buf *f, unsigned v) { f->b[f->n++] = (uint8_t)v; }
static void put16(struct buf *f, unsigned v) { put8(f, v >> 8); put8(f, v & 0xff); }
static void put16le(struct buf *f, unsigned v) { put8(f, v & 0xff); put8(f, v >> 8); }
static void put32le(struct buf *f, uint32_t v) { put16le(f, v & 0xffff); put16le(f, v >> 16); }
static void zeros(struct buf *f, size_t n) { memset(f->b + f->n, 0, n); f->n += n; }
static void align(struct buf *f, size_t a) { while (f->n % a) put8(f, 0); }
static void cat(struct buf *f, const struct buf *in) { put(f, in->b, in->n); }

static const uint8_t A4[4] = { 10, 0, 0, 1 }, B4[4] = { 192, 0, 2, 53 };
static const uint8_t M1[6] = { 2, 0, 0, 0, 0, 1 }, M2[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t M3[6] = { 2, 0, 0, 0, 0, 3 }, M4[6] = { 2, 0, 0, 0, 0, 4 };
static const char DATA[] = "dns-question";
#define DATA_LEN 12

/* IPv4/UDP 33333 → dport carrying DATA. */
static struct buf ip_udp(unsigned dport)
{
	struct buf f = { .n = 0 };
	put8(&f, 0x45); put8(&f, 0); put16(&f, 20 + 8 + DATA_LEN);
	put16(&f, 1); put16(&f, 0); put8(&f, 64); put8(&f, 17); put16(&f, 0);
	put(&f, A4, 4); put(&f, B4, 4);
	put16(&f, 33333); put16(&f, dport); put16(&f, 8 + DATA_LEN); put16(&f, 0);
	put(&f, DATA, DATA_LEN);
	return f;
}

static void snap(struct buf *f, unsigned ethertype)
{
	put(f, "\xaa\xaa\x03\x00\x00\x00", 6);
	put16(f, ethertype);
}

/* Frame Control, first byte: type and subtype */
#define DATA_FRAME 0x08
#define QOS_DATA 0x88
#define NULL_DATA 0x48
#define QOS_NULL 0xc8
#define BEACON 0x80
#define ACK 0xd4
/* second byte */
#define TO_DS 0x01
#define FROM_DS 0x02
#define MORE_FRAG 0x04
#define PROTECTED 0x40
#define ORDER 0x80

/* An 802.11 MAC header: addresses M1, M2, M3 (and M4 with both DS bits),
 * sequence number 123 with fragment number frag, QoS Control (qos its first
 * byte) in QoS subtypes, HT Control when the Order bit is set there too. */
static void mac(struct buf *f, unsigned fc0, unsigned fc1, unsigned qos, unsigned frag)
{
	put8(f, fc0); put8(f, fc1); put16le(f, 44);
	put(f, M1, 6); put(f, M2, 6); put(f, M3, 6);
	put16le(f, 123 << 4 | frag);
	if ((fc1 & 3) == 3)
		put(f, M4, 6);
	if (fc0 & 0x80 && (fc0 & 0x0c) == 0x08) {
		put8(f, qos); put8(f, 0);
		if (fc1 & ORDER)
			put32le(f, 0x12345678);
	}
}

/* A data frame of the given header carrying LLC/SNAP IPv4/UDP to port 53. */
static struct buf data_frame(unsigned fc0, unsigned fc1)
{
	struct buf f = { .n = 0 }, ip = ip_udp(53);
	mac(&f, fc0, fc1, 0, 0);
	snap(&f, 0x0800);
	cat(&f, &ip);
	return f;
}

/* Radiotap with TSFT, Flags and Channel (the common minimum). */
static void radiotap(struct buf *f, unsigned flags)
{
	size_t start = f->n;
	put8(f, 0); put8(f, 0); put16le(f, 0); put32le(f, 0x0000000b);
	zeros(f, 8);                               /* TSFT at 8: aligned */
	put8(f, flags); put8(f, 0);                /* Flags, pad to Channel's 2 */
	put16le(f, 2412); put16le(f, 0x00a0);
	f->b[start + 2] = (uint8_t)(f->n - start);
}

/* The decoder's view: an exactly-sized heap copy (ASan sees reads past it). */
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

/* Reasons a frame was skipped: the decode group less the per-layer tallies
 * and the annotations of a frame still inspected. */
static uint64_t reasons(void)
{
	uint64_t sum = 0;
	for (int i = 0; i < ST__COUNT; i++) {
		if (strcmp(stat_info[i].group, "decode") || i == ST_ipv4 || i == ST_ipv6 ||
		    i == ST_tcp || i == ST_udp || i == ST_ip_payload_cut ||
		    i == ST_wifi_amsdu_subframes)
			continue;
		sum += stat_get(&st, (enum stat_id)i);
	}
	return sum;
}

/* Decodes to the IPv4/UDP packet of ip_udp() with DATA at payload_end. */
static void expect_ok_at(const char *what, int dlt, const struct buf *f, size_t payload_end)
{
	int before = check_failed;

	CHECK(decb(dlt, f));
	CHECK_EQ(pkt.family, 4);
	CHECK_EQ(pkt.proto, 17);
	CHECK(memcmp(pkt.src, A4, 4) == 0);
	CHECK(memcmp(pkt.dst, B4, 4) == 0);
	CHECK_EQ(pkt.sport, 33333);
	CHECK_EQ(pkt.payload_len, DATA_LEN);
	CHECK(pkt.payload == held + payload_end - DATA_LEN);
	CHECK(!pkt.wifi_protected);
	CHECK_EQ(reasons(), 0);
	if (check_failed != before)
		fprintf(stderr, "  ... in case: %s\n", what);
}

static void expect_ok(const char *what, int dlt, const struct buf *f)
{
	expect_ok_at(what, dlt, f, f->n);
}

/* Skipped, with exactly this one reason counted. */
static void expect_fail(const char *what, int dlt, const struct buf *f, enum stat_id why)
{
	int before = check_failed;

	CHECK(!decb(dlt, f));
	CHECK_EQ(stat_get(&st, why), 1);
	CHECK_EQ(reasons(), 1);
	if (check_failed != before)
		fprintf(stderr, "  ... in case: %s (expected %s)\n", what, stat_info[why].name);
}

static void expect_encap(const char *a, const char *b)
{
	CHECK_EQ(pkt.nencap, b ? 2 : 1);
	CHECK_STR(decode_encap_name((enum encap)pkt.encap[0]), a);
	if (b)
		CHECK_STR(decode_encap_name((enum encap)pkt.encap[1]), b);
}

/* Case: the three link types are supported; a data frame in each, every
 * address order, with and without QoS and HT Control. */
static void test_data_frames(void)
{
	struct buf f, r;

	CHECK(decode_linktype_supported(DLT_IEEE802_11));
	CHECK(decode_linktype_supported(DLT_IEEE802_11_RADIO));
	CHECK(decode_linktype_supported(DLT_PPI));

	static const unsigned ds[] = { 0, TO_DS, FROM_DS, TO_DS | FROM_DS };
	for (int i = 0; i < 4; i++) {
		char what[64];
		f = data_frame(DATA_FRAME, ds[i]);
		snprintf(what, sizeof what, "data, DS bits %u", ds[i]);
		expect_ok(what, DLT_IEEE802_11, &f);
		expect_encap("802.11", NULL);
		f = data_frame(QOS_DATA, ds[i]);
		snprintf(what, sizeof what, "QoS data, DS bits %u", ds[i]);
		expect_ok(what, DLT_IEEE802_11, &f);
		f = data_frame(QOS_DATA, ds[i] | ORDER);
		snprintf(what, sizeof what, "QoS data + HT Control, DS bits %u", ds[i]);
		expect_ok(what, DLT_IEEE802_11, &f);
	}
	/* The Order bit in a non-QoS data frame adds no HT Control. */
	f = data_frame(DATA_FRAME, ORDER);
	expect_ok("non-QoS data with Order", DLT_IEEE802_11, &f);

	/* 802.1H bridge-tunnel OUI; an unknown OUI carries no EtherType; not SNAP. */
	f = data_frame(DATA_FRAME, TO_DS);
	f.b[24 + 5] = 0xf8;
	expect_ok("SNAP OUI 00-00-F8", DLT_IEEE802_11, &f);
	f.b[24 + 5] = 0x0c;
	expect_fail("SNAP OUI 00-00-0C", DLT_IEEE802_11, &f, ST_not_ip);
	f = data_frame(DATA_FRAME, TO_DS);
	f.b[24] = 0x42;
	expect_fail("LLC, not SNAP", DLT_IEEE802_11, &f, ST_not_ip);
	f = data_frame(DATA_FRAME, TO_DS);
	f.b[24 + 6] = 0x08, f.b[24 + 7] = 0x06;
	expect_fail("ARP", DLT_IEEE802_11, &f, ST_not_ip);

	/* IPv6 and a VLAN tag inside SNAP go on through walk_ethertype. */
	f.n = 0;
	mac(&f, DATA_FRAME, FROM_DS, 0, 0);
	snap(&f, 0x8100);
	put16(&f, 42);
	put16(&f, 0x0800);
	r = ip_udp(53);
	cat(&f, &r);
	expect_ok("VLAN inside SNAP", DLT_IEEE802_11, &f);
	expect_encap("802.11", "vlan");

	/* Radiotap and PPI in front. */
	r.n = 0;
	radiotap(&r, 0);
	f = data_frame(QOS_DATA, TO_DS);
	cat(&r, &f);
	expect_ok("radiotap + QoS data", DLT_IEEE802_11_RADIO, &r);
	expect_encap("802.11", NULL);
}

/* Case: FCS present (dropped), absent, bad; radiotap's data-pad flag. */
static void test_fcs(void)
{
	struct buf f, d = data_frame(QOS_DATA, TO_DS);

	f.n = 0;
	radiotap(&f, 0x10);
	cat(&f, &d);
	size_t end = f.n;
	put32le(&f, 0xdeadbeef);
	expect_ok_at("FCS at the end", DLT_IEEE802_11_RADIO, &f, end);

	f.n = 0;
	radiotap(&f, 0x10 | 0x40);
	cat(&f, &d);
	put32le(&f, 0xdeadbeef);
	expect_fail("bad FCS", DLT_IEEE802_11_RADIO, &f, ST_wifi_bad_fcs);

	/* Without the flag the 4 bytes stay: UDP reads them as payload
	 * (clamped by the UDP length, so the payload is still DATA). */
	f.n = 0;
	radiotap(&f, 0);
	cat(&f, &d);
	end = f.n;
	put32le(&f, 0xdeadbeef);
	expect_ok_at("no FCS flag, trailing bytes", DLT_IEEE802_11_RADIO, &f, end);

	/* FCS flag with fewer than 4 bytes after radiotap. */
	f.n = 0;
	radiotap(&f, 0x10);
	put16(&f, 0);
	expect_fail("FCS flag, 2 bytes", DLT_IEEE802_11_RADIO, &f, ST_wifi_truncated);

	/* Data pad: the QoS header (26 bytes) padded to 28. */
	f.n = 0;
	radiotap(&f, 0x20);
	size_t mac_start = f.n;
	mac(&f, QOS_DATA, TO_DS, 0, 0);
	CHECK_EQ(f.n - mac_start, 26);
	put16(&f, 0);
	snap(&f, 0x0800);
	struct buf ip = ip_udp(53);
	cat(&f, &ip);
	expect_ok("radiotap data pad", DLT_IEEE802_11_RADIO, &f);
}

/* Case: radiotap's walk — extended bitmaps, a second radiotap namespace,
 * a vendor namespace, alignment; it_len exactly what the fields need, so a
 * wrong walk is caught by the one-byte-short variant. */
static size_t rt_complex(struct buf *f, size_t it_len_delta)
{
	size_t start = f->n;
	put8(f, 0); put8(f, 0); put16le(f, 0);
	put32le(f, 1u << 0 | 1u << 1 | 1u << 29 | 1u << 31);  /* TSFT, Flags; radiotap ns next */
	put32le(f, 1u << 5 | 1u << 11 | 1u << 30 | 1u << 31); /* signal, antenna; vendor ns next */
	put32le(f, 1u << 0 | 1u << 1 | 1u << 29 | 1u << 31);  /* vendor's own; radiotap next */
	put32le(f, 1u << 3 | 1u << 11 | 1u << 18);            /* Channel, antenna, XChannel */
	align(f, 8);
	zeros(f, 8);                                           /* TSFT at 24 */
	put8(f, 0x10);                                         /* Flags: FCS */
	put8(f, 0xc4); put8(f, 1);                             /* signal, antenna */
	align(f, 2);
	put(f, "\x00\x11\x22\x07", 4); put16le(f, 5);           /* OUI, sub-ns, skip 5 */
	put(f, "vvvvv", 5);                                    /* the vendor's data */
	align(f, 2);
	put16le(f, 5180); put16le(f, 0x0140);                  /* Channel */
	put8(f, 2);                                            /* antenna */
	align(f, 4);
	put32le(f, 0x0140); put16le(f, 5180); put8(f, 36); put8(f, 20);  /* XChannel */
	size_t len = f->n - start;
	CHECK_EQ(len, 64);
	f->b[start + 2] = (uint8_t)(len - it_len_delta);
	f->b[start + 3] = 0;
	return len;
}

static void test_radiotap_walk(void)
{
	struct buf f = { .n = 0 }, d = data_frame(DATA_FRAME, FROM_DS);
	size_t hlen;
	unsigned flags;

	size_t len = rt_complex(&f, 0);
	CHECK_EQ(wifi_radiotap(f.b, f.n, &hlen, &flags), WIFI_OK);
	CHECK_EQ(hlen, len);
	CHECK_EQ(flags, WIFI_F_FCS);
	cat(&f, &d);
	size_t end = f.n;
	put32le(&f, 0);
	expect_ok_at("radiotap with namespaces", DLT_IEEE802_11_RADIO, &f, end);

	f.n = 0;
	rt_complex(&f, 1);
	CHECK_EQ(wifi_radiotap(f.b, f.n, &hlen, &flags), WIFI_MALFORMED);
	cat(&f, &d);
	expect_fail("radiotap it_len a byte short of its fields", DLT_IEEE802_11_RADIO, &f,
		    ST_wifi_malformed);

	/* Vendor skip_length past it_len. */
	f.n = 0;
	rt_complex(&f, 0);
	f.b[40] = 30;
	CHECK_EQ(wifi_radiotap(f.b, f.n, &hlen, &flags), WIFI_MALFORMED);

	/* A field not known here (TLVs, bit 28) ends the walk: it_len rules. */
	f.n = 0;
	put8(&f, 0); put8(&f, 0); put16le(&f, 20);
	put32le(&f, 1u << 1 | 1u << 28);
	put8(&f, 0x10);
	zeros(&f, 11);
	CHECK_EQ(wifi_radiotap(f.b, f.n, &hlen, &flags), WIFI_OK);
	CHECK_EQ(hlen, 20);
	CHECK_EQ(flags, WIFI_F_FCS);

	/* Only the first Flags counts (per-antenna namespaces repeat fields). */
	f.n = 0;
	put8(&f, 0); put8(&f, 0); put16le(&f, 14);
	put32le(&f, 1u << 1 | 1u << 29 | 1u << 31);
	put32le(&f, 1u << 1);
	put8(&f, 0x00); put8(&f, 0x40);
	CHECK_EQ(wifi_radiotap(f.b, f.n, &hlen, &flags), WIFI_OK);
	CHECK_EQ(flags, 0);

	/* Present bitmaps that never end: within it_len, and beyond the bound. */
	f.n = 0;
	put8(&f, 0); put8(&f, 0); put16le(&f, 16);
	for (int i = 0; i < 3; i++)
		put32le(&f, 1u << 31);
	cat(&f, &d);
	expect_fail("present bitmaps past it_len", DLT_IEEE802_11_RADIO, &f, ST_wifi_malformed);
	f.n = 0;
	put8(&f, 0); put8(&f, 0); put16le(&f, 8 + 4 * 40);
	for (int i = 0; i < 41; i++)
		put32le(&f, 1u << 31);
	cat(&f, &d);
	expect_fail("40 extended bitmaps", DLT_IEEE802_11_RADIO, &f, ST_wifi_malformed);
	/* 32 words whose last ends the chain: within the bound. */
	f.n = 0;
	put8(&f, 0); put8(&f, 0); put16le(&f, 4 + 4 * WIFI_MAX_PRESENT_WORDS);
	for (int i = 0; i < WIFI_MAX_PRESENT_WORDS - 1; i++)
		put32le(&f, 1u << 29 | 1u << 31);
	put32le(&f, 0);
	cat(&f, &d);
	expect_ok("32 present words", DLT_IEEE802_11_RADIO, &f);

	/* Lying and short headers. */
	struct buf g = { .n = 0 };
	radiotap(&g, 0);
	cat(&g, &d);
	f = g;
	f.b[2] = 4;
	expect_fail("it_len 4", DLT_IEEE802_11_RADIO, &f, ST_wifi_malformed);
	f = g;
	f.b[2] = 0xff, f.b[3] = 0x7f;
	expect_fail("it_len beyond the frame", DLT_IEEE802_11_RADIO, &f, ST_wifi_truncated);
	f = g;
	f.b[0] = 1;
	expect_fail("radiotap version 1", DLT_IEEE802_11_RADIO, &f, ST_wifi_malformed);
	f = g;
	f.n = 7;
	expect_fail("7 bytes of radiotap", DLT_IEEE802_11_RADIO, &f, ST_wifi_truncated);
	f = g;
	f.n = 22;
	expect_fail("radiotap only", DLT_IEEE802_11_RADIO, &f, ST_wifi_truncated);
}

/* Case: frames with nothing to decode, fragments, encryption. */
static void test_skipped(void)
{
	struct buf f;

	f.n = 0;
	mac(&f, BEACON, 0, 0, 0);
	zeros(&f, 12);
	expect_fail("beacon", DLT_IEEE802_11, &f, ST_wifi_management);
	f.n = 0;
	put8(&f, 0x0c | 0x10); put8(&f, 0); zeros(&f, 20);   /* type 3: extension */
	expect_fail("extension frame", DLT_IEEE802_11, &f, ST_wifi_management);
	f.n = 0;
	put8(&f, ACK); put8(&f, 0); put16le(&f, 0); put(&f, M1, 6);
	expect_fail("ACK", DLT_IEEE802_11, &f, ST_wifi_control);
	f.n = 0;
	mac(&f, NULL_DATA, TO_DS, 0, 0);
	expect_fail("null data", DLT_IEEE802_11, &f, ST_wifi_null_data);
	f.n = 0;
	mac(&f, QOS_NULL, TO_DS, 0, 0);
	expect_fail("QoS null", DLT_IEEE802_11, &f, ST_wifi_null_data);
	f.n = 0;
	mac(&f, DATA_FRAME, TO_DS, 0, 0);
	expect_fail("data subtype, empty body", DLT_IEEE802_11, &f, ST_wifi_null_data);
	f = data_frame(DATA_FRAME, TO_DS);
	f.b[0] |= 1;
	expect_fail("protocol version 1", DLT_IEEE802_11, &f, ST_wifi_malformed);
	f.n = 0;
	mac(&f, DATA_FRAME, TO_DS, 0, 0);
	put(&f, "\xaa\xaa\x03", 3);
	expect_fail("SNAP cut short", DLT_IEEE802_11, &f, ST_wifi_truncated);

	/* Fragments: the first (More Fragments, number 0) is decoded; later ones not. */
	f = data_frame(DATA_FRAME, TO_DS | MORE_FRAG);
	expect_ok("first fragment", DLT_IEEE802_11, &f);
	f.n = 0;
	mac(&f, DATA_FRAME, TO_DS, 0, 2);
	zeros(&f, 40);
	expect_fail("third fragment", DLT_IEEE802_11, &f, ST_wifi_fragment);

	/* Protected: counted, marked with the BSSID of each address order. */
	static const struct { unsigned ds; const uint8_t *bssid; } prot[] = {
		{ 0, M3 }, { FROM_DS, M2 }, { TO_DS, M1 }, { TO_DS | FROM_DS, M2 },
	};
	for (size_t i = 0; i < 4; i++) {
		f = data_frame(QOS_DATA, prot[i].ds | PROTECTED);
		expect_fail("protected", DLT_IEEE802_11, &f, ST_wifi_encrypted);
		CHECK(pkt.wifi_protected);
		CHECK(memcmp(pkt.bssid, prot[i].bssid, 6) == 0);
	}
	/* ... and the mark does not outlive its frame. */
	f = data_frame(QOS_DATA, TO_DS);
	expect_ok("clear after protected", DLT_IEEE802_11, &f);
}

/* One A-MSDU subframe: DA, SA, length, LLC/SNAP + IPv4/UDP; padded to 4
 * unless last.  len_delta makes the length lie. */
static void amsdu_sub(struct buf *f, int len_delta, bool last)
{
	struct buf ip = ip_udp(53);
	size_t start = f->n;
	put(f, M1, 6); put(f, M2, 6);
	put16(f, (unsigned)((int)(8 + ip.n) + len_delta));
	snap(f, 0x0800);
	cat(f, &ip);
	if (!last)
		while ((f->n - start) % 4)
			put8(f, 0xee);
}

/* Case: A-MSDU — the first subframe decoded, the rest counted. */
static void test_amsdu(void)
{
	struct buf f = { .n = 0 };

	mac(&f, QOS_DATA, FROM_DS, 0x80, 0);
	amsdu_sub(&f, 0, true);
	expect_ok("A-MSDU of one", DLT_IEEE802_11, &f);
	CHECK_EQ(stat_get(&st, ST_wifi_amsdu_subframes), 0);

	f.n = 0;
	mac(&f, QOS_DATA, FROM_DS, 0x80, 0);
	amsdu_sub(&f, 0, false);
	size_t end = f.n;
	while (f.b[end - 1] == 0xee)
		end--;
	amsdu_sub(&f, 0, false);
	amsdu_sub(&f, 0, true);
	expect_ok_at("A-MSDU of three", DLT_IEEE802_11, &f, end);
	CHECK_EQ(stat_get(&st, ST_wifi_amsdu_subframes), 2);

	/* With radiotap, data pad and FCS around it. */
	struct buf r = { .n = 0 };
	radiotap(&r, 0x10 | 0x20);
	mac(&r, QOS_DATA, TO_DS | ORDER, 0x80, 0);   /* 30 bytes: 2 of pad */
	put16(&r, 0);
	size_t sub = r.n;
	amsdu_sub(&r, 0, false);
	end = sub + 14 + 8 + 20 + 8 + DATA_LEN;
	amsdu_sub(&r, 0, true);
	put32le(&r, 0);
	expect_ok_at("A-MSDU, pad, FCS", DLT_IEEE802_11_RADIO, &r, end);
	CHECK_EQ(stat_get(&st, ST_wifi_amsdu_subframes), 1);

	/* The first subframe's length beyond the frame; too short for SNAP. */
	f.n = 0;
	mac(&f, QOS_DATA, FROM_DS, 0x80, 0);
	amsdu_sub(&f, 1, true);
	expect_fail("A-MSDU length beyond the frame", DLT_IEEE802_11, &f, ST_wifi_truncated);
	f.n = 0;
	mac(&f, QOS_DATA, FROM_DS, 0x80, 0);
	amsdu_sub(&f, -(int)(20 + 8 + DATA_LEN + 4), true);
	expect_fail("A-MSDU subframe of 4 bytes", DLT_IEEE802_11, &f, ST_not_ip);
	/* A later subframe lying about its length: the first still decodes. */
	f.n = 0;
	mac(&f, QOS_DATA, FROM_DS, 0x80, 0);
	amsdu_sub(&f, 0, false);
	end = f.n;
	while (f.b[end - 1] == 0xee)
		end--;
	amsdu_sub(&f, 5000, true);
	expect_ok_at("A-MSDU, second subframe lies", DLT_IEEE802_11, &f, end);
	CHECK_EQ(stat_get(&st, ST_wifi_amsdu_subframes), 1);

	/* Hundreds of tiny subframes: the count is bounded. */
	f.n = 0;
	mac(&f, QOS_DATA, FROM_DS, 0x80, 0);
	amsdu_sub(&f, 0, false);
	while (f.n + 16 <= sizeof f.b) {
		put(&f, M1, 6); put(&f, M2, 6); put16(&f, 2); put16(&f, 0);
	}
	CHECK(decb(DLT_IEEE802_11, &f));
	CHECK_EQ(stat_get(&st, ST_wifi_amsdu_subframes), WIFI_MAX_AMSDU);
}

/* PPI: header, fields, then an 802.11 frame (or another DLT). */
static void ppi(struct buf *f, uint32_t dlt, unsigned common_flags, bool aligned)
{
	size_t start = f->n;
	put8(f, 0); put8(f, aligned); put16le(f, 0); put32le(f, dlt);
	put16le(f, 30002); put16le(f, 3); put(f, "abc", 3);   /* a vendor field */
	if (aligned)
		align(f, 4);
	put16le(f, 2); put16le(f, 20);                        /* 802.11-Common */
	zeros(f, 8); put16le(f, common_flags); zeros(f, 10);
	f->b[start + 2] = (uint8_t)(f->n - start);
}

/* Case: PPI around 802.11 (FCS flags from 802.11-Common) and Ethernet. */
static void test_ppi(void)
{
	struct buf f, d = data_frame(QOS_DATA, TO_DS), ip = ip_udp(53);

	for (int aligned = 0; aligned < 2; aligned++) {
		f.n = 0;
		ppi(&f, DLT_IEEE802_11, 0, aligned);
		cat(&f, &d);
		expect_ok("PPI 802.11", DLT_PPI, &f);
		expect_encap("802.11", NULL);
	}
	f.n = 0;
	ppi(&f, DLT_IEEE802_11, 1, false);
	cat(&f, &d);
	size_t end = f.n;
	put32le(&f, 0);
	expect_ok_at("PPI 802.11 with FCS", DLT_PPI, &f, end);
	f.n = 0;
	ppi(&f, DLT_IEEE802_11, 1 | 4, false);
	cat(&f, &d);
	put32le(&f, 0);
	expect_fail("PPI 802.11, FCS invalid", DLT_PPI, &f, ST_wifi_bad_fcs);

	f.n = 0;
	ppi(&f, DLT_EN10MB, 0, false);
	put(&f, "\x00\x11\x22\x33\x44\x55\x00\x66\x77\x88\x99\xaa\x08\x00", 14);
	cat(&f, &ip);
	expect_ok("PPI Ethernet", DLT_PPI, &f);
	CHECK_EQ(pkt.nencap, 0);

	struct buf g = f;
	g.b[4] = DLT_PPI;
	expect_fail("PPI in PPI", DLT_PPI, &g, ST_link_unsupported);
	g = f;
	g.b[4] = 6;                                  /* Token Ring */
	expect_fail("PPI of an unsupported DLT", DLT_PPI, &g, ST_link_unsupported);
	g = f;
	g.b[0] = 1;
	expect_fail("PPI version 1", DLT_PPI, &g, ST_wifi_malformed);
	g = f;
	g.b[2] = 6;
	expect_fail("PPI length 6", DLT_PPI, &g, ST_wifi_malformed);
	g = f;
	g.b[2] = 0xff, g.b[3] = 0xff;
	expect_fail("PPI length beyond the frame", DLT_PPI, &g, ST_wifi_truncated);
	g = f;
	g.b[10] = 200;                               /* vendor field longer than the header */
	expect_fail("PPI field beyond the header", DLT_PPI, &g, ST_wifi_malformed);
	g = f;
	g.n = 5;
	expect_fail("PPI cut short", DLT_PPI, &g, ST_wifi_truncated);
}

/* CAPWAP over Ethernet/IPv4/UDP: preamble, HLEN words with the optional
 * parts, flags (T, F, K), WBID. */
#define CW_T 0x100
#define CW_F 0x080
#define CW_W 0x020
#define CW_K 0x008

static struct buf capwap(unsigned preamble, unsigned hlen_words, unsigned wbid, unsigned flags,
			 const struct buf *inner, unsigned sport)
{
	struct buf c = { .n = 0 }, f = { .n = 0 };
	uint32_t h = (uint32_t)hlen_words << 19 | wbid << 9 | flags;
	put8(&c, preamble); put8(&c, h >> 16); put8(&c, h >> 8 & 0xff); put8(&c, h & 0xff);
	put32le(&c, 0);                               /* fragment id, offset */
	if (flags & CW_W) {
		put8(&c, 4); put(&c, "\xbf\x23\x00\x00", 4);
		align(&c, 4);
	}
	while (c.n < hlen_words * 4u && c.n < 64)
		put8(&c, 0);
	cat(&c, inner);

	put(&f, "\x00\x11\x22\x33\x44\x55\x00\x66\x77\x88\x99\xaa\x08\x00", 14);
	put8(&f, 0x45); put8(&f, 0); put16(&f, (unsigned)(20 + 8 + c.n));
	put16(&f, 1); put16(&f, 0); put8(&f, 64); put8(&f, 17); put16(&f, 0);
	put(&f, "\xac\x10\x00\x01\xac\x10\x00\x02", 8);
	put16(&f, sport); put16(&f, 5247); put16(&f, (unsigned)(8 + c.n)); put16(&f, 0);
	cat(&f, &c);
	return f;
}

/* Case: CAPWAP carrying 802.11 (plain and Cisco's swapped Frame/Sequence
 * Control) and 802.3; what is skipped; nesting bounded. */
static void test_capwap(void)
{
	struct buf w = data_frame(DATA_FRAME, TO_DS), f, e = { .n = 0 }, ip = ip_udp(53);

	f = capwap(0, 4, 1, CW_T | CW_W, &w, 41264);
	expect_ok("CAPWAP 802.11", DLT_EN10MB, &f);
	expect_encap("capwap", "802.11");
	CHECK_EQ(pkt.encap_depth, 1);

	/* Frame Control and Sequence Control big-endian, fragment number 6 in
	 * what would be the low bits read little-endian. */
	struct buf s = w;
	s.b[0] = TO_DS, s.b[1] = DATA_FRAME;
	s.b[22] = 0x76, s.b[23] = 0x30;
	f = capwap(0, 4, 1, CW_T | CW_W, &s, 41264);
	expect_ok("CAPWAP 802.11, swapped", DLT_EN10MB, &f);
	/* ... which only CAPWAP may swap. */
	expect_fail("swapped outside CAPWAP", DLT_IEEE802_11, &s, ST_wifi_malformed);
	s.b[0] = FROM_DS | PROTECTED;
	f = capwap(0, 4, 1, CW_T, &s, 41264);
	expect_fail("CAPWAP 802.11, swapped, protected", DLT_EN10MB, &f, ST_wifi_encrypted);
	CHECK(memcmp(pkt.bssid, M2, 6) == 0);

	put(&e, "\x00\x11\x22\x33\x44\x55\x00\x66\x77\x88\x99\xaa\x08\x00", 14);
	cat(&e, &ip);
	f = capwap(0, 2, 1, 0, &e, 41264);
	expect_ok("CAPWAP 802.3", DLT_EN10MB, &f);
	expect_encap("capwap", NULL);

	f = capwap(0, 2, 3, CW_T, &e, 41264);
	expect_fail("CAPWAP native frame of WBID 3", DLT_EN10MB, &f, ST_link_unsupported);
	f = capwap(0, 2, 1, CW_T | CW_K, &w, 41264);
	expect_fail("CAPWAP keep-alive", DLT_EN10MB, &f, ST_capwap_keepalive);
	f = capwap(0, 2, 1, CW_T | CW_F, &w, 41264);
	expect_fail("CAPWAP fragment", DLT_EN10MB, &f, ST_capwap_fragment);
	f = capwap(1, 2, 1, CW_T, &w, 41264);
	expect_fail("CAPWAP DTLS", DLT_EN10MB, &f, ST_capwap_dtls);
	f = capwap(0x10, 2, 1, CW_T, &w, 41264);
	expect_fail("CAPWAP version 1", DLT_EN10MB, &f, ST_capwap_malformed);
	f = capwap(0, 1, 1, CW_T, &w, 41264);
	expect_fail("CAPWAP HLEN 1", DLT_EN10MB, &f, ST_capwap_malformed);
	struct buf none = { .n = 0 };
	f = capwap(0, 31, 1, CW_T, &none, 41264);
	expect_fail("CAPWAP HLEN beyond the datagram", DLT_EN10MB, &f, ST_capwap_truncated);
	f = capwap(0, 2, 1, CW_T, &none, 41264);
	f.n -= 6;
	f.b[17] -= 6, f.b[39] -= 6;                    /* IP and UDP lengths */
	expect_fail("CAPWAP header cut", DLT_EN10MB, &f, ST_capwap_truncated);
	f = capwap(0, 2, 1, CW_T, &none, 41264);
	expect_fail("CAPWAP 802.11 of nothing", DLT_EN10MB, &f, ST_wifi_truncated);

	/* DNS to port 53 from source port 5247 is DNS, not CAPWAP. */
	f = capwap(0, 2, 1, CW_T, &none, 41264);
	f.b[34] = 5247 >> 8, f.b[35] = 5247 & 0xff;
	f.b[36] = 0, f.b[37] = 53;
	CHECK(decb(DLT_EN10MB, &f));
	CHECK_EQ(pkt.dport, 53);
	CHECK_EQ(pkt.nencap, 0);

	/* CAPWAP in CAPWAP: 4 levels decode (the bound all tunnels share), the
	 * 5th is too deep. */
	struct buf in = e, lvl;
	for (int depth = 1; depth <= 5; depth++) {
		lvl = capwap(0, 2, 1, 0, &in, 41264);
		if (depth < 5)
			expect_ok("nested CAPWAP", DLT_EN10MB, &lvl);
		else
			expect_fail("CAPWAP nested 5 deep", DLT_EN10MB, &lvl, ST_tunnel_too_deep);
		in = lvl;
	}
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
	struct buf f = { .n = 0 }, d = data_frame(QOS_DATA, TO_DS | FROM_DS | ORDER);

	sweep("802.11", DLT_IEEE802_11, &d);
	rt_complex(&f, 0);
	cat(&f, &d);
	put32le(&f, 0);
	sweep("radiotap", DLT_IEEE802_11_RADIO, &f);
	f.n = 0;
	ppi(&f, DLT_IEEE802_11, 0, true);
	cat(&f, &d);
	sweep("PPI", DLT_PPI, &f);
	f.n = 0;
	mac(&f, QOS_DATA, FROM_DS, 0x80, 0);
	amsdu_sub(&f, 0, false);
	amsdu_sub(&f, 0, true);
	sweep("A-MSDU", DLT_IEEE802_11, &f);
	f = capwap(0, 4, 1, CW_T | CW_W, &d, 41264);
	sweep("CAPWAP", DLT_EN10MB, &f);
}

/* Case: the BSSID table — counts, least recently seen replaced, merged. */
static void test_bssid_table(void)
{
	static struct bssid_table t1, t2;
	uint8_t b[6] = { 2, 0, 0, 0, 0, 0 };
	struct bssid_total out[2 * BSSID_TABLE_SIZE];

	for (int i = 0; i < 3; i++)
		CHECK(!bssid_count(&t1, M1, 100));
	CHECK(!bssid_count(&t1, M2, 50));
	CHECK(!bssid_count(&t2, M2, 10));
	const struct bssid_table *ts[2] = { &t1, &t2 };
	size_t n = bssid_merge(ts, 2, out, 2 * BSSID_TABLE_SIZE);
	CHECK_EQ(n, 2);
	CHECK(memcmp(out[0].bssid, M1, 6) == 0);
	CHECK_EQ(out[0].frames, 3);
	CHECK_EQ(out[0].bytes, 300);
	CHECK(memcmp(out[1].bssid, M2, 6) == 0);
	CHECK_EQ(out[1].frames, 2);
	CHECK_EQ(out[1].bytes, 60);

	/* 00:00:00:00:00:00 is a BSSID like another (not a free slot). */
	static const uint8_t zero[6];
	CHECK(!bssid_count(&t2, zero, 1));
	n = bssid_merge(ts, 2, out, 2 * BSSID_TABLE_SIZE);
	CHECK_EQ(n, 3);

	/* Fill t1 (62 more), touch M1, then one more: M2, seen least recently,
	 * goes; M1 stays. */
	int replaced = 0;
	for (int i = 0; i < BSSID_TABLE_SIZE - 2; i++) {
		b[5] = (uint8_t)(100 + i);
		replaced += bssid_count(&t1, b, 1);
	}
	CHECK_EQ(replaced, 0);
	CHECK(!bssid_count(&t1, M1, 100));
	CHECK(bssid_count(&t1, M3, 7));
	n = bssid_merge(ts, 1, out, BSSID_TABLE_SIZE);
	CHECK_EQ(n, BSSID_TABLE_SIZE);
	bool m1 = false, m2 = false, m3 = false;
	for (size_t i = 0; i < n; i++) {
		m1 |= memcmp(out[i].bssid, M1, 6) == 0 && out[i].frames == 4;
		m2 |= memcmp(out[i].bssid, M2, 6) == 0;
		m3 |= memcmp(out[i].bssid, M3, 6) == 0 && out[i].frames == 1 && out[i].bytes == 7;
	}
	CHECK(m1 && !m2 && m3);
	CHECK(memcmp(out[0].bssid, M1, 6) == 0);  /* most frames first */

	/* The output cap holds. */
	CHECK_EQ(bssid_merge(ts, 2, out, 5), 5);
}

int main(void)
{
	test_data_frames();
	test_fcs();
	test_radiotap_walk();
	test_skipped();
	test_amsdu();
	test_ppi();
	test_capwap();
	test_truncation();
	test_bssid_table();
	free(held);
	return check_report("wifi");
}
