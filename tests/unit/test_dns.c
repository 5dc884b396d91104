/* test_dns.c — DNS header, question, name and answer decoding (RFC 1035 §4.1,
 * RFC 9460 for SVCB/HTTPS): hand-built messages, every limit, malformed
 * answers of every kind, and truncation/mutation sweeps. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dns.h"

/* A message under construction. */
struct msg {
	uint8_t b[65536];
	size_t n;
};

static void put8(struct msg *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)v;
}

static void put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void put_header(struct msg *m, unsigned id, unsigned flags, unsigned qd)
{
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, qd);
	put16(m, 0);
	put16(m, 0);
	put16(m, 0);
}

static void put_label(struct msg *m, const void *p, size_t n)
{
	put8(m, (unsigned)n);
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

/* Labels of a dotted name, without the terminating zero. */
static void put_labels(struct msg *m, const char *dotted)
{
	while (*dotted) {
		size_t n = strcspn(dotted, ".");

		put_label(m, dotted, n);
		dotted += n;
		if (*dotted == '.')
			dotted++;
	}
}

static void put_name(struct msg *m, const char *dotted)
{
	put_labels(m, dotted);
	put8(m, 0);
}

static void put_ptr(struct msg *m, unsigned target)
{
	put16(m, 0xc000 | target);
}

/* What the callback saw. */
static struct {
	int n;
	struct dns_header h;
	struct dns_question q[8];
} seen;

static void on_question(void *ctx, const struct dns_header *h,
			const struct dns_question *q)
{
	if (seen.n < 8)
		seen.q[seen.n] = *q;
	seen.h = *h;
	seen.n++;
}

/* Parse from an exactly-sized heap copy, so ASan flags any read past len. */
static enum parse_result parse(const uint8_t *b, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	enum parse_result r;

	memcpy(copy, b, n);
	memset(&seen, 0, sizeof seen);
	r = dns_parse_message(copy, n, on_question, NULL);
	free(copy);
	return r;
}

static enum parse_result read_name(const struct msg *m, size_t *off,
				   char *out, size_t *out_len)
{
	uint8_t *copy = malloc(m->n ? m->n : 1);
	enum parse_result r;

	memcpy(copy, m->b, m->n);
	r = dns_read_name(copy, m->n, off, out, out_len);
	free(copy);
	return r;
}

static void test_simple_query(void)
{
	struct msg m;

	put_header(&m, 0x1234, 0x0100, 1);
	put_name(&m, "www.example.com");
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, m.n), PARSE_OK);
	CHECK_EQ(seen.n, 1);
	CHECK_EQ(seen.h.id, 0x1234);
	CHECK(!seen.h.response);
	CHECK_EQ(seen.h.opcode, 0);
	CHECK_EQ(seen.h.rcode, 0);
	CHECK_EQ(seen.h.qdcount, 1);
	CHECK_STR(seen.q[0].name, "www.example.com");
	CHECK_EQ(seen.q[0].name_len, 15);
	CHECK_EQ(seen.q[0].qtype, 1);
	CHECK_EQ(seen.q[0].qclass, 1);
}

static void test_compressed_second_question(void)
{
	struct msg m;

	put_header(&m, 0xbeef, 0x8183, 2);	/* response, NXDOMAIN */
	put_name(&m, "example.com");
	put16(&m, 1);
	put16(&m, 1);
	put_labels(&m, "www");
	put_ptr(&m, 12);
	put16(&m, 28);
	put16(&m, 1);
	m.b[7] = 1;				/* ancount, not parsed past */
	CHECK_EQ(parse(m.b, m.n), PARSE_OK);
	CHECK_EQ(seen.n, 2);
	CHECK(seen.h.response);
	CHECK_EQ(seen.h.rcode, 3);
	CHECK_EQ(seen.h.ancount, 1);
	CHECK_STR(seen.q[0].name, "example.com");
	CHECK_STR(seen.q[1].name, "www.example.com");
	CHECK_EQ(seen.q[1].name_len, 15);
	CHECK_EQ(seen.q[1].qtype, 28);
}

static void test_opcode(void)
{
	struct msg m;

	put_header(&m, 1, 0x2800, 0);		/* opcode 5 (UPDATE) */
	CHECK_EQ(parse(m.b, m.n), PARSE_OK);
	CHECK_EQ(seen.n, 0);
	put_header(&m, 1, 0x2800, 1);
	put_name(&m, "a");
	put16(&m, 6);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, m.n), PARSE_OK);
	CHECK_EQ(seen.h.opcode, 5);
}

static void test_multiple_questions(void)
{
	struct msg m;

	put_header(&m, 7, 0, 3);
	put_name(&m, "a.example");
	put16(&m, 1);
	put16(&m, 1);
	put_name(&m, "b.example");
	put16(&m, 16);
	put16(&m, 1);
	put_name(&m, "c.example");
	put16(&m, 65);
	put16(&m, 3);
	CHECK_EQ(parse(m.b, m.n), PARSE_OK);
	CHECK_EQ(seen.n, 3);
	CHECK_STR(seen.q[0].name, "a.example");
	CHECK_STR(seen.q[1].name, "b.example");
	CHECK_STR(seen.q[2].name, "c.example");
	CHECK_EQ(seen.q[1].qtype, 16);
	CHECK_EQ(seen.q[2].qtype, 65);
	CHECK_EQ(seen.q[2].qclass, 3);

	/* Cut inside the third name: the first two are still reported. */
	CHECK_EQ(parse(m.b, m.n - 7), PARSE_TRUNCATED);
	CHECK_EQ(seen.n, 2);
	/* Cut inside the last qclass. */
	CHECK_EQ(parse(m.b, m.n - 1), PARSE_TRUNCATED);
	CHECK_EQ(seen.n, 2);
}

static void test_pointer_loops(void)
{
	struct msg m;
	char out[NAME_TEXT_MAX];
	size_t len, off;

	/* Self-pointer. */
	put_header(&m, 1, 0, 1);
	put_ptr(&m, 12);
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, m.n), PARSE_MALFORMED);
	CHECK_EQ(seen.n, 0);

	/* Two pointers at each other: 12 -> 14 -> 12. */
	put_header(&m, 1, 0, 1);
	put_ptr(&m, 14);
	put_ptr(&m, 12);
	CHECK_EQ(parse(m.b, m.n), PARSE_MALFORMED);
	off = 14;
	CHECK_EQ(read_name(&m, &off, out, &len), PARSE_MALFORMED);
	CHECK_EQ(off, 14);

	/* A label, then a pointer back to that label: backwards, yet a loop. */
	put_header(&m, 1, 0, 1);
	put_labels(&m, "a");
	put_ptr(&m, 12);
	off = 12;
	CHECK_EQ(read_name(&m, &off, out, &len), PARSE_MALFORMED);

	/* The same loop entered from a later name: 16 -> 12 -> 14 -> 12. */
	put_ptr(&m, 12);
	off = 16;
	CHECK_EQ(read_name(&m, &off, out, &len), PARSE_MALFORMED);
}

static void test_hop_cap(void)
{
	struct msg m;
	char out[NAME_TEXT_MAX];
	size_t len, off;

	/* Root at 12, then pointers each to the one before: 32 hops pass, 33
	 * do not. */
	put_header(&m, 1, 0, 0);
	put8(&m, 0);
	for (int i = 0; i < 33; i++)
		put_ptr(&m, i == 0 ? 12 : 13 + 2 * (unsigned)(i - 1));
	off = 13 + 2 * 31;
	CHECK_EQ(read_name(&m, &off, out, &len), PARSE_OK);
	CHECK_EQ(len, 0);
	CHECK_EQ(off, 13 + 2 * 32);
	off = 13 + 2 * 32;
	CHECK_EQ(read_name(&m, &off, out, &len), PARSE_MALFORMED);
}

static void test_bad_pointers(void)
{
	struct msg m;

	/* Forward pointer to a name that does exist later. */
	put_header(&m, 1, 0, 1);
	put_ptr(&m, 18);
	put16(&m, 1);
	put16(&m, 1);
	put_name(&m, "x");
	CHECK_EQ(parse(m.b, m.n), PARSE_MALFORMED);

	/* Pointer beyond the end of the message. */
	put_header(&m, 1, 0, 1);
	put_ptr(&m, 0x3fff);
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, m.n), PARSE_MALFORMED);

	/* Pointer cut after its first byte. */
	put_header(&m, 1, 0, 1);
	put8(&m, 0xc0);
	CHECK_EQ(parse(m.b, m.n), PARSE_TRUNCATED);

	/* Backwards into the header is odd but not a loop: byte 4 is zero,
	 * the root name. */
	put_header(&m, 1, 0, 1);
	put_ptr(&m, 4);
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, m.n), PARSE_OK);
	CHECK_EQ(seen.q[0].name_len, 0);
}

static void test_label_lengths(void)
{
	struct msg m;
	char label[64];

	memset(label, 'a', sizeof label);

	put_header(&m, 1, 0, 1);
	put_label(&m, label, 63);
	put_name(&m, "com");
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, m.n), PARSE_OK);
	CHECK_EQ(seen.q[0].name_len, 67);

	/* 64 has the top bits 01: an extended label type, rejected. */
	put_header(&m, 1, 0, 1);
	put_label(&m, label, 64);
	put_name(&m, "com");
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, m.n), PARSE_MALFORMED);
	CHECK_EQ(seen.n, 0);
}

static void test_name_lengths(void)
{
	struct msg m;
	char label[63];

	memset(label, 'x', sizeof label);

	/* 3 * (1 + 63) + (1 + 61) + 1 = 255 wire octets, 253 text characters. */
	put_header(&m, 1, 0, 1);
	for (int i = 0; i < 3; i++)
		put_label(&m, label, 63);
	put_label(&m, label, 61);
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, m.n), PARSE_OK);
	CHECK_EQ(seen.n, 1);
	CHECK_EQ(seen.q[0].name_len, 253);
	CHECK_EQ(strlen(seen.q[0].name), 253);

	/* One more octet: 256. */
	put_header(&m, 1, 0, 1);
	for (int i = 0; i < 3; i++)
		put_label(&m, label, 63);
	put_label(&m, label, 62);
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, m.n), PARSE_MALFORMED);

	/* The limit counts octets across pointers: 64 labels "b", then a
	 * pointer to 63 labels "a" is 127 labels, 255 octets; to 64 is 257. */
	for (unsigned target = 14; target >= 12; target -= 2) {
		char out[NAME_TEXT_MAX];
		size_t len, off;

		put_header(&m, 1, 0, 0);
		for (int i = 0; i < 64; i++)
			put_label(&m, "a", 1);
		put8(&m, 0);
		off = m.n;
		for (int i = 0; i < 64; i++)
			put_label(&m, "b", 1);
		put_ptr(&m, target);
		if (target == 14) {
			CHECK_EQ(read_name(&m, &off, out, &len), PARSE_OK);
			CHECK_EQ(len, 253);
			CHECK_EQ(off, m.n);
		} else {
			CHECK_EQ(read_name(&m, &off, out, &len), PARSE_MALFORMED);
		}
	}

	/* Many short labels: 127 labels of 1 make 255 octets. */
	put_header(&m, 1, 0, 1);
	for (int i = 0; i < 127; i++)
		put_label(&m, "z", 1);
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, m.n), PARSE_OK);
	CHECK_EQ(seen.q[0].name_len, 253);
}

static void test_root_and_offsets(void)
{
	struct msg m;
	char out[NAME_TEXT_MAX];
	size_t len, off;

	put_header(&m, 1, 0, 1);
	put8(&m, 0);
	put16(&m, 2);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, m.n), PARSE_OK);
	CHECK_EQ(seen.n, 1);
	CHECK_EQ(seen.q[0].name_len, 0);
	CHECK_STR(seen.q[0].name, "");
	CHECK_EQ(seen.q[0].qtype, 2);

	/* *off: past the zero when plain, past the first pointer otherwise. */
	put_header(&m, 1, 0, 0);
	put_name(&m, "ab.cd");		/* 12..18 */
	put_labels(&m, "ef");		/* 19..21 */
	put_ptr(&m, 15);		/* 22..23 -> "cd" */
	off = 12;
	CHECK_EQ(read_name(&m, &off, out, &len), PARSE_OK);
	CHECK_EQ(off, 19);
	CHECK_STR(out, "ab.cd");
	off = 19;
	CHECK_EQ(read_name(&m, &off, out, &len), PARSE_OK);
	CHECK_EQ(off, 24);
	CHECK_STR(out, "ef.cd");
	CHECK_EQ(len, 5);
	off = 22;
	CHECK_EQ(read_name(&m, &off, out, &len), PARSE_OK);
	CHECK_EQ(off, 24);
	CHECK_STR(out, "cd");

	/* Offset at or past the end. */
	off = m.n;
	CHECK_EQ(read_name(&m, &off, out, &len), PARSE_TRUNCATED);
	CHECK_EQ(off, m.n);
	off = m.n + 10;
	CHECK_EQ(read_name(&m, &off, out, &len), PARSE_TRUNCATED);
}

static void test_truncation(void)
{
	struct msg m;
	static const uint8_t hdr[12] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01 };

	CHECK_EQ(parse(hdr, 11), PARSE_TRUNCATED);
	CHECK_EQ(seen.n, 0);
	CHECK_EQ(parse(hdr, 0), PARSE_TRUNCATED);
	CHECK_EQ(parse(hdr, 12), PARSE_TRUNCATED);	/* qdcount 1, no question */
	CHECK_EQ(seen.n, 0);

	/* Cut in the middle of "example". */
	put_header(&m, 1, 0, 1);
	put_name(&m, "www.example.com");
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, 12 + 4 + 3), PARSE_TRUNCATED);
	CHECK_EQ(seen.n, 0);

	/* qdcount says 3, two are present. */
	put_header(&m, 1, 0, 3);
	put_name(&m, "one");
	put16(&m, 1);
	put16(&m, 1);
	put_name(&m, "two");
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, m.n), PARSE_TRUNCATED);
	CHECK_EQ(seen.n, 2);
	CHECK_STR(seen.q[1].name, "two");
}

static void test_extended_labels(void)
{
	struct msg m;

	put_header(&m, 1, 0, 1);
	put8(&m, 0x41);			/* RFC 2673 bit-string label */
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, m.n), PARSE_MALFORMED);

	put_header(&m, 1, 0, 1);
	put_labels(&m, "ok");
	put8(&m, 0x80);
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, m.n), PARSE_MALFORMED);
}

static void test_raw_bytes(void)
{
	struct msg m;
	static const char odd[] = { 'a', '\0', 'b', '.', 'c' };

	put_header(&m, 1, 0, 1);
	put_name(&m, "WwW.ExAmPlE.COM");
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, m.n), PARSE_OK);
	CHECK_STR(seen.q[0].name, "WwW.ExAmPlE.COM");

	put_header(&m, 1, 0, 1);
	put_label(&m, odd, sizeof odd);
	put_name(&m, "com");
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, m.n), PARSE_OK);
	CHECK_EQ(seen.q[0].name_len, 9);
	CHECK(memcmp(seen.q[0].name, "a\0b.c.com", 10) == 0);
}

static void test_rrtype_names(void)
{
	CHECK_STR(dns_rrtype_name(1), "A");
	CHECK_STR(dns_rrtype_name(28), "AAAA");
	CHECK_STR(dns_rrtype_name(5), "CNAME");
	CHECK_STR(dns_rrtype_name(16), "TXT");
	CHECK_STR(dns_rrtype_name(64), "SVCB");
	CHECK_STR(dns_rrtype_name(65), "HTTPS");
	CHECK_STR(dns_rrtype_name(255), "ANY");
	CHECK_STR(dns_rrtype_name(252), "AXFR");
	CHECK_STR(dns_rrtype_name(257), "CAA");
	CHECK_STR(dns_rrtype_name(41), "OPT");
	CHECK(dns_rrtype_name(0) == NULL);
	CHECK(dns_rrtype_name(9999) == NULL);
}

/* Numerical Recipes LCG: deterministic, so a failure replays. */
static uint32_t lcg_state = 12345;

static uint32_t lcg(void)
{
	lcg_state = lcg_state * 1664525u + 1013904223u;
	return lcg_state >> 8;
}

static int sweep_bad;

/* Whatever the callback gets must be well formed. */
static void on_question_sweep(void *ctx, const struct dns_header *h,
			      const struct dns_question *q)
{
	if (q->name_len > 253 || q->name[q->name_len] != '\0')
		sweep_bad++;
}

static enum parse_result parse_sweep(const uint8_t *b, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	enum parse_result r;

	memcpy(copy, b, n);
	r = dns_parse_message(copy, n, on_question_sweep, NULL);
	free(copy);
	return r;
}

static void test_sweep(void)
{
	struct msg m;
	uint8_t buf[sizeof m.b];
	int early_ok = 0, bad_result = 0;

	put_header(&m, 0x4242, 0x0100, 3);
	put_name(&m, "mail.example.org");
	put16(&m, 15);
	put16(&m, 1);
	put_labels(&m, "smtp");
	put_ptr(&m, 17);		/* "example.org" */
	put16(&m, 1);
	put16(&m, 1);
	put_labels(&m, "a.b");
	put_ptr(&m, 34);		/* "smtp.example.org" */
	put16(&m, 28);
	put16(&m, 1);
	CHECK_EQ(parse(m.b, m.n), PARSE_OK);
	CHECK_EQ(seen.n, 3);
	CHECK_STR(seen.q[1].name, "smtp.example.org");
	CHECK_STR(seen.q[2].name, "a.b.smtp.example.org");

	for (size_t n = 0; n < m.n; n++)
		if (parse_sweep(m.b, n) == PARSE_OK)
			early_ok++;
	CHECK_EQ(early_ok, 0);

	for (int i = 0; i < 20000; i++) {
		size_t n = m.n;
		int flips = 1 + (int)(lcg() % 4);
		enum parse_result r;

		memcpy(buf, m.b, m.n);
		for (int k = 0; k < flips; k++)
			buf[lcg() % m.n] = (uint8_t)lcg();
		if (lcg() % 4 == 0)
			n = lcg() % (m.n + 1);
		r = parse_sweep(buf, n);
		if (r != PARSE_OK && r != PARSE_TRUNCATED && r != PARSE_MALFORMED)
			bad_result++;
	}
	CHECK_EQ(bad_result, 0);
	CHECK_EQ(sweep_bad, 0);
}

/* ---- answers ---- */

static void put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

static void put_bytes(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

/* A response header: qd questions, an answers. */
static void put_response(struct msg *m, unsigned qd, unsigned an)
{
	put_header(m, 0x4321, 0x8180, qd);
	m->b[6] = (uint8_t)(an >> 8);
	m->b[7] = (uint8_t)an;
}

/* An RR header after its owner name; returns where RDLENGTH is. */
static size_t put_rr(struct msg *m, unsigned type, unsigned rclass, uint32_t ttl, unsigned rdlen)
{
	size_t at;

	put16(m, type);
	put16(m, rclass);
	put32(m, ttl);
	at = m->n;
	put16(m, rdlen);
	return at;
}

/* Set the RDLENGTH at `at` to what was written since. */
static void fix_rdlen(struct msg *m, size_t at)
{
	size_t n = m->n - at - 2;

	m->b[at] = (uint8_t)(n >> 8);
	m->b[at + 1] = (uint8_t)n;
}

static struct dns_answers ans;
static size_t answers_seen_in_callback;

static void on_question_ans(void *ctx, const struct dns_header *h,
			    const struct dns_question *q)
{
	on_question(ctx, h, q);
	answers_seen_in_callback = ans.n;
}

static enum parse_result parse_ans(const uint8_t *b, size_t n, unsigned flags)
{
	uint8_t *copy = malloc(n ? n : 1);
	enum parse_result r;

	memcpy(copy, b, n);
	memset(&seen, 0, sizeof seen);
	answers_seen_in_callback = 0;
	r = dns_parse(copy, n, flags, &ans, on_question_ans, NULL);
	/* The SVCB ranges point into the copy: check them before it goes. */
	for (size_t i = 0; i < ans.n; i++) {
		const struct dns_svcb *sv = &ans.a[i].svcb;

		if (ans.a[i].rdata != DNS_RDATA_SVCB)
			continue;
		CHECK(!sv->alpn || (sv->alpn >= copy && sv->alpn + sv->alpn_len <= copy + n));
		CHECK(!sv->ipv4hint || (sv->ipv4hint >= copy && sv->ipv4hint + sv->ipv4hint_len <= copy + n));
		CHECK(!sv->ipv6hint || (sv->ipv6hint >= copy && sv->ipv6hint + sv->ipv6hint_len <= copy + n));
	}
	free(copy);
	return r;
}

/* www.example.com A? → CNAME cdn.example.net, A, AAAA, and a TXT. */
static void build_chain(struct msg *m)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	size_t at, cdn;

	put_response(m, 1, 4);
	put_name(m, "www.example.com");		/* at 12 */
	put16(m, 1);
	put16(m, 1);
	put_ptr(m, 12);
	at = put_rr(m, 5, 1, 300, 0);
	cdn = m->n;
	put_labels(m, "cdn.example");
	put_label(m, "net", 3);
	put8(m, 0);
	fix_rdlen(m, at);
	put_ptr(m, (unsigned)cdn);
	put_rr(m, 1, 1, 60, 4);
	put_bytes(m, "\xc6\x12\x00\x09", 4);
	put_ptr(m, (unsigned)cdn);
	put_rr(m, 28, 1, 61, 16);
	put_bytes(m, v6, 16);
	put_ptr(m, (unsigned)cdn);
	put_rr(m, 16, 1, 7, 3);
	put_bytes(m, "\x02hi", 3);
}

static void test_answer_chain(void)
{
	struct msg m;

	build_chain(&m);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(seen.n, 1);
	CHECK_STR(seen.q[0].name, "www.example.com");
	CHECK_EQ(answers_seen_in_callback, 4);	/* read before the question is reported */
	CHECK_EQ(ans.result, PARSE_OK);
	CHECK_EQ(ans.n, 4);
	CHECK_EQ(ans.other_type, 1);
	CHECK_EQ(ans.capped, 0);
	CHECK_EQ(ans.rdata_malformed, 0);
	CHECK_EQ(ans.h.ancount, 4);
	CHECK(ans.h.response);
	CHECK_STR(ans.a[0].name, "www.example.com");
	CHECK_EQ(ans.a[0].type, 5);
	CHECK_EQ(ans.a[0].ttl, 300);
	CHECK_EQ(ans.a[0].rdata, DNS_RDATA_NAME);
	CHECK_STR(ans.a[0].target, "cdn.example.net");
	CHECK_EQ(ans.a[0].target_len, 15);
	CHECK_STR(ans.a[1].name, "cdn.example.net");
	CHECK_EQ(ans.a[1].rdata, DNS_RDATA_ADDR4);
	CHECK(memcmp(ans.a[1].addr, "\xc6\x12\x00\x09", 4) == 0);
	CHECK_EQ(ans.a[1].ttl, 60);
	CHECK_EQ(ans.a[2].rdata, DNS_RDATA_ADDR6);
	CHECK_EQ(ans.a[2].addr[0], 0x20);
	CHECK_EQ(ans.a[2].addr[15], 1);
	CHECK_EQ(ans.a[3].type, 16);
	CHECK_EQ(ans.a[3].rdata, DNS_RDATA_NONE);

	/* The question-only API still reads the same questions. */
	CHECK_EQ(parse(m.b, m.n), PARSE_OK);
	CHECK_EQ(seen.n, 1);

	/* Every cut: no crash, the records before the cut stand, never more. */
	for (size_t n = 12; n < m.n; n++) {
		enum parse_result r = parse_ans(m.b, n, 0);

		CHECK(r != PARSE_OK || ans.result != PARSE_OK || ans.n < 4);
		CHECK(ans.n <= 4);
	}
	/* Cut in the last RDATA: three records, the section truncated. */
	CHECK_EQ(parse_ans(m.b, m.n - 1, 0), PARSE_OK);
	CHECK_EQ(ans.n, 3);
	CHECK_EQ(ans.result, PARSE_TRUNCATED);
}

static void test_answer_bad_lengths(void)
{
	struct msg m;

	/* An A record with RDLENGTH 5, then a good one: the bad one is skipped
	 * by its RDLENGTH, the next one read. */
	put_response(&m, 1, 2);
	put_name(&m, "a.example");
	put16(&m, 1);
	put16(&m, 1);
	put_ptr(&m, 12);
	put_rr(&m, 1, 1, 1, 5);
	put_bytes(&m, "\x01\x02\x03\x04\x05", 5);
	put_ptr(&m, 12);
	put_rr(&m, 1, 1, 1, 4);
	put_bytes(&m, "\x0a\x00\x00\x01", 4);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.rdata_malformed, 1);
	CHECK_EQ(ans.n, 1);
	CHECK_EQ(ans.result, PARSE_OK);
	CHECK_EQ(ans.a[0].addr[0], 10);

	/* An A record with RDLENGTH 3, an AAAA with 4, an AAAA with 17. */
	put_response(&m, 0, 3);
	put_name(&m, "b.example");
	put_rr(&m, 1, 1, 1, 3);
	put_bytes(&m, "\x01\x02\x03", 3);
	put_ptr(&m, 12);
	put_rr(&m, 28, 1, 1, 4);
	put_bytes(&m, "\x01\x02\x03\x04", 4);
	put_ptr(&m, 12);
	put_rr(&m, 28, 1, 1, 17);
	for (int i = 0; i < 17; i++)
		put8(&m, 0);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.rdata_malformed, 3);
	CHECK_EQ(ans.n, 0);
	CHECK_EQ(ans.result, PARSE_OK);

	/* RDLENGTH beyond the end of the message: truncated, the first record
	 * stands. */
	put_response(&m, 1, 2);
	put_name(&m, "c.example");
	put16(&m, 1);
	put16(&m, 1);
	put_ptr(&m, 12);
	put_rr(&m, 1, 1, 1, 4);
	put_bytes(&m, "\x01\x02\x03\x04", 4);
	put_ptr(&m, 12);
	put_rr(&m, 1, 1, 1, 0xffff);
	put_bytes(&m, "\x01\x02\x03\x04", 4);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(seen.n, 1);			/* the question is still reported */
	CHECK_EQ(ans.n, 1);
	CHECK_EQ(ans.result, PARSE_TRUNCATED);

	/* RR header cut after the type. */
	put_response(&m, 0, 1);
	put_name(&m, "d.example");
	put16(&m, 1);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.n, 0);
	CHECK_EQ(ans.result, PARSE_TRUNCATED);

	/* A and AAAA of another class are not IN addresses: not decoded, not
	 * malformed (CHAOS A has its own format, RFC 1035 §3.4.1). */
	put_response(&m, 0, 1);
	put_name(&m, "e.example");
	put_rr(&m, 1, 3, 1, 5);
	put_bytes(&m, "\x01\x02\x03\x04\x05", 5);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.n, 1);
	CHECK_EQ(ans.a[0].rdata, DNS_RDATA_NONE);
	CHECK_EQ(ans.rdata_malformed, 0);
}

static void test_answer_names(void)
{
	struct msg m;
	size_t at;

	/* A compression loop in an answer's owner name: reading stops there. */
	put_response(&m, 1, 3);
	put_name(&m, "f.example");
	put16(&m, 1);
	put16(&m, 1);
	put_ptr(&m, 12);
	put_rr(&m, 1, 1, 1, 4);
	put_bytes(&m, "\x01\x02\x03\x04", 4);
	at = m.n;
	put_ptr(&m, (unsigned)at + 2);		/* forward */
	put_ptr(&m, (unsigned)at);		/* and back: a loop */
	put_rr(&m, 1, 1, 1, 4);
	put_bytes(&m, "\x01\x02\x03\x04", 4);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(seen.n, 1);
	CHECK_EQ(ans.n, 1);
	CHECK_EQ(ans.result, PARSE_MALFORMED);

	/* An owner name pointing at itself. */
	put_response(&m, 0, 1);
	put_ptr(&m, 12);
	put_rr(&m, 1, 1, 1, 4);
	put_bytes(&m, "\x01\x02\x03\x04", 4);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.n, 0);
	CHECK_EQ(ans.result, PARSE_MALFORMED);

	/* A CNAME whose target loops: that record is skipped, the next read. */
	put_response(&m, 1, 2);
	put_name(&m, "g.example");
	put16(&m, 5);
	put16(&m, 1);
	put_ptr(&m, 12);
	at = put_rr(&m, 5, 1, 1, 0);
	put_labels(&m, "x");
	put_ptr(&m, (unsigned)at + 2);		/* back into its own run */
	fix_rdlen(&m, at);
	put_ptr(&m, 12);
	at = put_rr(&m, 5, 1, 1, 0);
	put_labels(&m, "y");
	put_ptr(&m, 12);
	fix_rdlen(&m, at);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.rdata_malformed, 1);
	CHECK_EQ(ans.n, 1);
	CHECK_STR(ans.a[0].target, "y.g.example");
	CHECK_EQ(ans.result, PARSE_OK);

	/* A CNAME whose name does not fill its RDATA, one that runs past it,
	 * and one with RDLENGTH 0. */
	put_response(&m, 0, 3);
	put_name(&m, "h.example");
	at = put_rr(&m, 5, 1, 1, 0);
	put_name(&m, "short.example");
	put8(&m, 0);
	fix_rdlen(&m, at);
	put_ptr(&m, 12);
	put_rr(&m, 5, 1, 1, 4);
	put_name(&m, "long.example");
	put_ptr(&m, 12);
	put_rr(&m, 5, 1, 1, 0);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.n, 0);
	/* The second record's RDLENGTH of 4 lands the third header inside
	 * "long.example": what follows is garbage read as records. */
	CHECK(ans.rdata_malformed >= 2);

	/* A CNAME to the root. */
	put_response(&m, 0, 1);
	put_name(&m, "i.example");
	put_rr(&m, 5, 1, 1, 1);
	put8(&m, 0);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.n, 1);
	CHECK_EQ(ans.a[0].rdata, DNS_RDATA_NAME);
	CHECK_EQ(ans.a[0].target_len, 0);
	CHECK_STR(ans.a[0].target, "");
}

/* An HTTPS record for the question at 12: priority, target, then params. */
static size_t start_svcb(struct msg *m, unsigned type, unsigned priority, const char *target)
{
	size_t at;

	put_response(m, 1, 1);
	put_name(m, "svc.example");
	put16(m, type);
	put16(m, 1);
	put_ptr(m, 12);
	at = put_rr(m, type, 1, 3600, 0);
	put16(m, priority);
	put_name(m, target);
	return at;
}

static void put_param(struct msg *m, unsigned key, const void *v, size_t n)
{
	put16(m, key);
	put16(m, (unsigned)n);
	put_bytes(m, v, n);
}

static void test_svcb(void)
{
	static const uint8_t v6[32] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1, [16] = 0x20, [17] = 1 };
	struct msg m;
	size_t at;

	/* ServiceMode, every key decoded, and an unknown one (dohpath). */
	at = start_svcb(&m, 65, 1, "pool.svc.example");
	put_param(&m, 0, "\x00\x01", 2);
	put_param(&m, 1, "\x02h2\x02h3", 6);
	put_param(&m, 3, "\x01\xbb", 2);
	put_param(&m, 4, "\xc6\x12\x00\x09\xc6\x12\x00\x0a", 8);
	put_param(&m, 5, "\x00\x04\xfe\x0d\x00\x00", 6);
	put_param(&m, 6, v6, 32);
	put_param(&m, 7, "/q{?dns}", 8);
	fix_rdlen(&m, at);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.n, 1);
	CHECK_EQ(ans.rdata_malformed, 0);
	CHECK_EQ(ans.a[0].type, 65);
	CHECK_EQ(ans.a[0].rdata, DNS_RDATA_SVCB);
	CHECK_STR(ans.a[0].target, "pool.svc.example");
	CHECK_EQ(ans.a[0].svcb.priority, 1);
	CHECK(ans.a[0].svcb.has_port);
	CHECK_EQ(ans.a[0].svcb.port, 443);
	CHECK_EQ(ans.a[0].svcb.alpn_len, 6);
	CHECK_EQ(ans.a[0].svcb.ipv4hint_len, 8);
	CHECK_EQ(ans.a[0].svcb.ipv6hint_len, 32);
	CHECK(ans.a[0].svcb.ech);
	CHECK(!ans.a[0].svcb.no_default_alpn);

	/* SVCB (64), target ".", no-default-alpn, no params else. */
	at = start_svcb(&m, 64, 2, "");
	put_param(&m, 1, "\x03" "dot", 4);
	put_param(&m, 2, "", 0);
	fix_rdlen(&m, at);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.n, 1);
	CHECK_EQ(ans.a[0].rdata, DNS_RDATA_SVCB);
	CHECK_EQ(ans.a[0].target_len, 0);
	CHECK(ans.a[0].svcb.no_default_alpn);
	CHECK(!ans.a[0].svcb.ech);

	/* AliasMode: params are ignored, even broken ones (RFC 9460 §2.4.2). */
	at = start_svcb(&m, 65, 0, "alias.example");
	put_param(&m, 3, "\x01", 1);
	put_param(&m, 1, "", 0);
	fix_rdlen(&m, at);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.n, 1);
	CHECK_STR(ans.a[0].target, "alias.example");
	CHECK_EQ(ans.a[0].svcb.priority, 0);

	/* A compressed TargetName pointing backwards: read (leniently). */
	at = start_svcb(&m, 65, 1, "");
	m.n--;					/* drop the root just written */
	put_labels(&m, "edge");
	put_ptr(&m, 12);
	fix_rdlen(&m, at);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.n, 1);
	CHECK_STR(ans.a[0].target, "edge.svc.example");

	/* A TargetName pointing forward: malformed. */
	at = start_svcb(&m, 65, 1, "");
	m.n--;
	put_ptr(&m, (unsigned)m.n + 2);
	put_name(&m, "ahead.example");
	fix_rdlen(&m, at);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.n, 0);
	CHECK_EQ(ans.rdata_malformed, 1);
	CHECK_EQ(ans.result, PARSE_OK);

	/* A TargetName running past the RDATA. */
	at = start_svcb(&m, 65, 1, "long.target.example");
	fix_rdlen(&m, at);
	m.b[at + 1] -= 4;			/* RDLENGTH ends in the name */
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.n, 0);
	CHECK_EQ(ans.rdata_malformed, 1);

	/* RDATA too short for a priority and a name. */
	put_response(&m, 0, 1);
	put_name(&m, "j.example");
	put_rr(&m, 65, 1, 1, 2);
	put16(&m, 1);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.n, 0);
	CHECK_EQ(ans.rdata_malformed, 1);
}

/* One ServiceMode record with params p (n bytes): decoded or malformed. */
static bool svcb_params_ok(const void *p, size_t n)
{
	struct msg m;
	size_t at = start_svcb(&m, 65, 1, "t.example");

	put_bytes(&m, p, n);
	fix_rdlen(&m, at);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	return ans.n == 1 && ans.rdata_malformed == 0;
}

static void test_svcb_params(void)
{
	/* keys: strictly increasing */
	CHECK(svcb_params_ok("\x00\x03\x00\x02\x01\xbb\x00\x04\x00\x04\x01\x02\x03\x04", 14));
	CHECK(!svcb_params_ok("\x00\x04\x00\x04\x01\x02\x03\x04\x00\x03\x00\x02\x01\xbb", 14));
	CHECK(!svcb_params_ok("\x00\x03\x00\x02\x01\xbb\x00\x03\x00\x02\x01\xbb", 12));
	/* alpn: empty value, empty id, id running past the value */
	CHECK(!svcb_params_ok("\x00\x01\x00\x00", 4));
	CHECK(!svcb_params_ok("\x00\x01\x00\x02\x00\x00", 6));
	CHECK(!svcb_params_ok("\x00\x01\x00\x03\x05h2", 7));
	CHECK(svcb_params_ok("\x00\x01\x00\x03\x02h2", 7));
	/* no-default-alpn with a value; port of 1 and 3 bytes */
	CHECK(!svcb_params_ok("\x00\x02\x00\x01\x00", 5));
	CHECK(!svcb_params_ok("\x00\x03\x00\x01\x01", 5));
	CHECK(!svcb_params_ok("\x00\x03\x00\x03\x01\xbb\x00", 7));
	/* hints not a whole number of addresses, or empty */
	CHECK(!svcb_params_ok("\x00\x04\x00\x05\x01\x02\x03\x04\x05", 9));
	CHECK(!svcb_params_ok("\x00\x04\x00\x00", 4));
	CHECK(!svcb_params_ok("\x00\x06\x00\x04\x01\x02\x03\x04", 8));
	/* ech empty; mandatory odd */
	CHECK(!svcb_params_ok("\x00\x05\x00\x00", 4));
	CHECK(!svcb_params_ok("\x00\x00\x00\x01\x01", 5));
	/* a value running past the RDATA; a key cut short */
	CHECK(!svcb_params_ok("\x00\x03\x00\x04\x01\xbb", 6));
	CHECK(!svcb_params_ok("\x00\x03\x00", 3));
	/* an unknown key is passed over */
	CHECK(svcb_params_ok("\x01\x00\x00\x03xyz", 7));
}

static void test_answer_cap(void)
{
	static struct msg m;
	size_t at;

	/* 3000 A records, all present: 32 read, the rest counted, not walked. */
	put_response(&m, 1, 3000);
	put_name(&m, "many.example");
	put16(&m, 1);
	put16(&m, 1);
	for (unsigned i = 0; i < 3000; i++) {
		put_ptr(&m, 12);
		put_rr(&m, 1, 1, i, 4);
		put32(&m, i);
	}
	CHECK(m.n < sizeof m.b);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.n, DNS_MAX_ANSWERS);
	CHECK_EQ(ans.capped, 3000 - DNS_MAX_ANSWERS);
	CHECK_EQ(ans.result, PARSE_OK);
	CHECK_EQ(ans.a[31].ttl, 31);

	/* ancount of 65535 with 5 records: 5 read, then truncated. */
	put_response(&m, 0, 65535);
	put_name(&m, "few.example");
	at = m.n;
	put_rr(&m, 1, 1, 1, 4);
	put32(&m, 1);
	for (int i = 0; i < 4; i++) {
		put_ptr(&m, 12);
		put_rr(&m, 1, 1, 1, 4);
		put32(&m, 1);
	}
	(void)at;
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.n, 5);
	CHECK_EQ(ans.result, PARSE_TRUNCATED);
	CHECK_EQ(ans.capped, 65535 - DNS_MAX_ANSWERS);
}

static void test_answer_opcodes_and_flags(void)
{
	struct msg m;

	/* UPDATE (opcode 5): the answer section holds prerequisites. */
	put_response(&m, 1, 1);
	m.b[2] = 0xa8;
	put_name(&m, "zone.example");
	put16(&m, 6);
	put16(&m, 1);
	put_ptr(&m, 12);
	put_rr(&m, 1, 255, 0, 0);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.h.opcode, 5);
	CHECK_EQ(ans.n, 0);
	CHECK_EQ(ans.not_query, 1);
	CHECK_EQ(ans.rdata_malformed, 0);

	/* mDNS: cache-flush bit on the class of an A record, unicast-response
	 * bit on a question's. */
	put_header(&m, 0, 0x8400, 1);
	m.b[7] = 1;
	put_name(&m, "printer.local");
	put16(&m, 1);
	put16(&m, 0x8001);
	put_ptr(&m, 12);
	put_rr(&m, 1, 0x8001, 120, 4);
	put_bytes(&m, "\xa9\xfe\x01\x02", 4);
	CHECK_EQ(parse_ans(m.b, m.n, DNS_F_MDNS), PARSE_OK);
	CHECK_EQ(seen.q[0].qclass, 1);
	CHECK_EQ(ans.n, 1);
	CHECK_EQ(ans.a[0].rclass, 1);
	CHECK_EQ(ans.a[0].rdata, DNS_RDATA_ADDR4);
	/* Without the flag 0x8001 is a class of its own: no IN address. */
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(seen.q[0].qclass, 0x8001);
	CHECK_EQ(ans.a[0].rclass, 0x8001);
	CHECK_EQ(ans.a[0].rdata, DNS_RDATA_NONE);

	/* A response with no question (as mDNS sends): the answers are read. */
	put_header(&m, 0, 0x8400, 0);
	m.b[7] = 1;
	put_name(&m, "host.local");
	put_rr(&m, 1, 0x8001, 120, 4);
	put_bytes(&m, "\xa9\xfe\x01\x03", 4);
	CHECK_EQ(parse_ans(m.b, m.n, DNS_F_MDNS), PARSE_OK);
	CHECK_EQ(seen.n, 0);
	CHECK_EQ(ans.n, 1);
	CHECK_STR(ans.a[0].name, "host.local");

	/* A bad question: the answers after it are not read. */
	put_response(&m, 1, 1);
	put_ptr(&m, 12);
	put16(&m, 1);
	put16(&m, 1);
	put_name(&m, "k.example");
	put_rr(&m, 1, 1, 1, 4);
	put32(&m, 1);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_MALFORMED);
	CHECK_EQ(ans.n, 0);

	/* A short header: nothing, and a zeroed header in ans. */
	CHECK_EQ(parse_ans(m.b, 5, 0), PARSE_TRUNCATED);
	CHECK_EQ(ans.n, 0);
	CHECK_EQ(ans.h.ancount, 0);
}

static int sweep_ans_bad;

static void test_answer_sweep(void)
{
	struct msg m;
	static uint8_t buf[4096];
	size_t at;
	int bad_result = 0;

	build_chain(&m);
	m.b[7] = 5;				/* and an HTTPS record */
	put_ptr(&m, 12);
	at = put_rr(&m, 65, 1, 5, 0);
	put16(&m, 1);
	put_labels(&m, "h");
	put_ptr(&m, 12);
	put_param(&m, 1, "\x02h2\x02h3", 6);
	put_param(&m, 4, "\x01\x02\x03\x04", 4);
	put_param(&m, 5, "\x00\x01\x00", 3);
	fix_rdlen(&m, at);
	CHECK_EQ(parse_ans(m.b, m.n, 0), PARSE_OK);
	CHECK_EQ(ans.n, 5);
	CHECK_EQ(ans.a[4].rdata, DNS_RDATA_SVCB);
	CHECK_STR(ans.a[4].target, "h.www.example.com");
	CHECK(m.n <= sizeof buf);

	for (int i = 0; i < 20000; i++) {
		size_t n = m.n;
		int flips = 1 + (int)(lcg() % 4);
		enum parse_result r;

		memcpy(buf, m.b, m.n);
		for (int k = 0; k < flips; k++)
			buf[lcg() % m.n] = (uint8_t)lcg();
		if (lcg() % 4 == 0)
			n = lcg() % (m.n + 1);
		r = parse_ans(buf, n, lcg() % 2 ? DNS_F_MDNS : 0);
		if (r != PARSE_OK && r != PARSE_TRUNCATED && r != PARSE_MALFORMED)
			bad_result++;
		if (ans.n > DNS_MAX_ANSWERS)
			sweep_ans_bad++;
		for (size_t k = 0; k < ans.n && k < DNS_MAX_ANSWERS; k++) {
			const struct dns_answer *a = &ans.a[k];

			if (a->name_len > 253 || a->name[a->name_len] != '\0' ||
			    (a->rdata == DNS_RDATA_NAME || a->rdata == DNS_RDATA_SVCB ?
			     a->target_len > 253 || a->target[a->target_len] != '\0' : false))
				sweep_ans_bad++;
		}
	}
	CHECK_EQ(bad_result, 0);
	CHECK_EQ(sweep_ans_bad, 0);
}

int main(void)
{
	test_simple_query();
	test_compressed_second_question();
	test_opcode();
	test_multiple_questions();
	test_pointer_loops();
	test_hop_cap();
	test_bad_pointers();
	test_label_lengths();
	test_name_lengths();
	test_root_and_offsets();
	test_truncation();
	test_extended_labels();
	test_raw_bytes();
	test_rrtype_names();
	test_sweep();
	test_answer_chain();
	test_answer_bad_lengths();
	test_answer_names();
	test_svcb();
	test_svcb_params();
	test_answer_cap();
	test_answer_opcodes_and_flags();
	test_answer_sweep();
	return check_report("dns");
}
