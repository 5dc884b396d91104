/* test_dns.c — DNS header, question and name decoding (RFC 1035 §4.1):
 * hand-built messages, every limit, and a truncation/mutation sweep. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dns.h"

/* A message under construction. */
struct msg {
	uint8_t b[1024];
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
	return check_report("dns");
}
