/* test_tls.c — ClientHello scanning and server_name extraction (RFC 8446
 * §4.1.2, §5.1; RFC 6066 §3): hellos built here, whole, split, cut and mangled. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tls.h"

/* Bytes under construction. */
struct buf {
	uint8_t b[65536];
	size_t n;
};

static void put8(struct buf *b, unsigned v)
{
	b->b[b->n++] = (uint8_t)v;
}

static void put16(struct buf *b, unsigned v)
{
	put8(b, v >> 8);
	put8(b, v & 0xff);
}

static void put24(struct buf *b, unsigned v)
{
	put8(b, v >> 16);
	put16(b, v & 0xffff);
}

static void put_bytes(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void put_fill(struct buf *b, unsigned v, size_t n)
{
	memset(b->b + b->n, (int)v, n);
	b->n += n;
}

/* A 16-bit length prefix to patch once its contents are written. */
static size_t vec16_begin(struct buf *b)
{
	put16(b, 0);
	return b->n;
}

static void vec16_end(struct buf *b, size_t at)
{
	size_t n = b->n - at;

	b->b[at - 2] = (uint8_t)(n >> 8);
	b->b[at - 1] = (uint8_t)n;
}

/* ClientHello body up to and including compression_methods. */
static void hello_fixed(struct buf *b)
{
	b->n = 0;
	put16(b, 0x0303);
	put_fill(b, 0x5a, 32);			/* random */
	put8(b, 32);
	put_fill(b, 0xa5, 32);			/* legacy_session_id */
	put16(b, 6);
	put16(b, 0x1301);
	put16(b, 0x1302);
	put16(b, 0xc02f);
	put8(b, 1);
	put8(b, 0);
}

static void ext_raw(struct buf *b, unsigned type, size_t len, unsigned fill)
{
	put16(b, type);
	put16(b, (unsigned)len);
	put_fill(b, fill, len);
}

/* server_name with host_name entries for each of names[0..n). */
static void ext_sni(struct buf *b, const char *const *names, int n)
{
	size_t ext, list;

	put16(b, 0);
	ext = vec16_begin(b);
	list = vec16_begin(b);
	for (int i = 0; i < n; i++) {
		put8(b, 0);
		put16(b, (unsigned)strlen(names[i]));
		put_bytes(b, names[i], strlen(names[i]));
	}
	vec16_end(b, list);
	vec16_end(b, ext);
}

/* A typical modern body: supported_versions, a fake key_share of ks bytes,
 * then the SNI (if name), then padding of pad bytes. */
static void hello_body(struct buf *b, const char *name, size_t ks, size_t pad)
{
	size_t exts;

	hello_fixed(b);
	exts = vec16_begin(b);
	ext_raw(b, 43, 3, 0x03);
	if (ks)
		ext_raw(b, 51, ks, 0x77);
	if (name)
		ext_sni(b, &name, 1);
	if (pad)
		ext_raw(b, 21, pad, 0);
	vec16_end(b, exts);
}

/*
 * Wrap a body in a handshake header and records.  cuts[] are the fragment
 * sizes of the first records (0 ends the list); the last record takes the rest.
 */
static void wrap(struct buf *out, const struct buf *body, const size_t *cuts)
{
	static struct buf hs;
	size_t off = 0;

	hs.n = 0;
	put8(&hs, 1);
	put24(&hs, (unsigned)body->n);
	put_bytes(&hs, body->b, body->n);

	out->n = 0;
	while (off < hs.n) {
		size_t n = hs.n - off;

		if (cuts && *cuts) {
			if (*cuts < n)
				n = *cuts;
			cuts++;
		}
		put8(out, 0x16);
		put16(out, 0x0301);
		put16(out, (unsigned)n);
		put_bytes(out, hs.b + off, n);
		off += n;
	}
}

/* What the callback saw. */
static struct {
	int n;
	char name[4][300];
	size_t len[4];
	struct tls_hello_info info;
} seen;

static void on_sni(void *ctx, const struct tls_hello_info *info,
		   const char *name, size_t len)
{
	if (seen.n < 4 && len < sizeof seen.name[0]) {
		memcpy(seen.name[seen.n], name, len);
		seen.name[seen.n][len] = '\0';
		seen.len[seen.n] = len;
	}
	seen.info = *info;
	seen.n++;
}

static uint8_t scratch_big[32768];
static struct tls_hello_info scan_info;	/* what the last scan() learnt */

/* Scan from an exactly-sized heap copy, so ASan flags any read past len. */
static enum tls_scan scan(const uint8_t *p, size_t len, bool partial,
			  uint8_t *scratch, size_t scratch_len,
			  size_t *need, size_t *consumed)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum tls_scan r;

	memcpy(copy, p, len);
	memset(&seen, 0, sizeof seen);
	r = tls_scan_client_hello(copy, len, partial, scratch, scratch_len,
				  on_sni, NULL, &scan_info, need, consumed);
	free(copy);
	return r;
}

static enum tls_scan scan_big(const struct buf *b, size_t len, bool partial,
			      size_t *need, size_t *consumed)
{
	return scan(b->b, len, partial, scratch_big, sizeof scratch_big,
		    need, consumed);
}

static enum parse_result parse_body(const struct buf *b,
				    struct tls_hello_info *info)
{
	uint8_t *copy = malloc(b->n ? b->n : 1);
	enum parse_result r;

	memcpy(copy, b->b, b->n);
	memset(&seen, 0, sizeof seen);
	memset(info, 0, sizeof *info);
	r = tls_parse_client_hello(copy, b->n, info, on_sni, NULL);
	free(copy);
	return r;
}

static struct buf body, rec;

static void test_single_record(void)
{
	size_t need, used;

	hello_body(&body, "example.com", 32, 0);
	wrap(&rec, &body, NULL);
	memset(scratch_big, 0xee, 64);
	CHECK_EQ(scan_big(&rec, rec.n, false, &need, &used), TLS_HELLO_DONE);
	CHECK_EQ(used, rec.n);
	CHECK_EQ(seen.n, 1);
	CHECK_STR(seen.name[0], "example.com");
	CHECK_EQ(seen.len[0], 11);
	CHECK_EQ(seen.info.record_version, 0x0301);
	CHECK_EQ(seen.info.hello_version, 0x0303);
	CHECK(seen.info.has_sni);
	CHECK_EQ(scratch_big[0], 0xee);		/* parsed in place */

	/* Bytes after the record (the next flight) do not matter. */
	put_bytes(&rec, "\x17\x03\x03\x00\x01\x00", 6);
	CHECK_EQ(scan_big(&rec, rec.n, false, &need, &used), TLS_HELLO_DONE);
	CHECK_EQ(used, rec.n - 6);
	CHECK_EQ(seen.n, 1);

	/* A record longer than the hello it holds: consumed is the record. */
	hello_body(&body, "example.com", 0, 0);
	wrap(&rec, &body, NULL);
	rec.b[4] = (uint8_t)(rec.b[4] + 3);
	put_fill(&rec, 0, 3);
	CHECK_EQ(scan_big(&rec, rec.n, false, &need, &used), TLS_HELLO_DONE);
	CHECK_EQ(used, rec.n);
	CHECK_EQ(scan_big(&rec, rec.n - 1, false, &need, &used), TLS_NEED_MORE);
	CHECK_EQ(need, rec.n);
}

static void test_no_sni(void)
{
	struct tls_hello_info info;
	size_t need, used;

	hello_body(&body, NULL, 100, 50);
	wrap(&rec, &body, NULL);
	CHECK_EQ(scan_big(&rec, rec.n, false, &need, &used), TLS_HELLO_DONE);
	CHECK_EQ(seen.n, 0);

	/* Before RFC 3546 the body ended after compression_methods. */
	hello_fixed(&body);
	CHECK_EQ(parse_body(&body, &info), PARSE_OK);
	CHECK(!info.has_sni);
	CHECK_EQ(info.hello_version, 0x0303);
	wrap(&rec, &body, NULL);
	CHECK_EQ(scan_big(&rec, rec.n, false, &need, &used), TLS_HELLO_DONE);

	/* An empty extensions block. */
	put16(&body, 0);
	CHECK_EQ(parse_body(&body, &info), PARSE_OK);
	CHECK(!info.has_sni);
}

static void test_two_names(void)
{
	static const char *const names[] = { "one.example", "two.example" };
	struct tls_hello_info info;
	size_t exts, ext, list;
	size_t need, used;

	hello_fixed(&body);
	exts = vec16_begin(&body);
	ext_sni(&body, names, 2);
	vec16_end(&body, exts);
	wrap(&rec, &body, NULL);
	CHECK_EQ(scan_big(&rec, rec.n, false, &need, &used), TLS_HELLO_DONE);
	CHECK_EQ(seen.n, 2);
	CHECK_STR(seen.name[0], "one.example");
	CHECK_STR(seen.name[1], "two.example");

	/* An unknown name_type is skipped, the host_name after it found. */
	hello_fixed(&body);
	exts = vec16_begin(&body);
	put16(&body, 0);
	ext = vec16_begin(&body);
	list = vec16_begin(&body);
	put8(&body, 7);
	put16(&body, 3);
	put_bytes(&body, "zzz", 3);
	put8(&body, 0);
	put16(&body, 5);
	put_bytes(&body, "a.b.c", 5);
	vec16_end(&body, list);
	vec16_end(&body, ext);
	vec16_end(&body, exts);
	CHECK_EQ(parse_body(&body, &info), PARSE_OK);
	CHECK_EQ(seen.n, 1);
	CHECK_STR(seen.name[0], "a.b.c");
	CHECK(info.has_sni);
}

/* Raw bytes reach the callback as they are: case, NUL, anything. */
static void test_raw_name(void)
{
	static const char *const names[] = { "MiXeD.Example" };
	struct tls_hello_info info;
	size_t exts;

	hello_fixed(&body);
	exts = vec16_begin(&body);
	ext_sni(&body, names, 1);
	vec16_end(&body, exts);
	CHECK_EQ(parse_body(&body, &info), PARSE_OK);
	CHECK_STR(seen.name[0], "MiXeD.Example");
}

static void test_split(void)
{
	static const size_t two[] = { 500, 0 };
	static const size_t three[] = { 2, 700, 0 };	/* header split too */
	static const size_t many[] = { 1, 1, 1, 1, 1, 1, 100, 0 };
	size_t need, used;

	hello_body(&body, "split.example.net", 1200, 0);

	wrap(&rec, &body, two);
	CHECK_EQ(rec.n, body.n + 4 + 2 * 5);
	memset(scratch_big, 0xee, 64);
	CHECK_EQ(scan_big(&rec, rec.n, false, &need, &used), TLS_HELLO_DONE);
	CHECK_EQ(used, rec.n);
	CHECK_EQ(seen.n, 1);
	CHECK_STR(seen.name[0], "split.example.net");
	CHECK_EQ(scratch_big[0], 1);		/* joined in scratch */
	CHECK_EQ(scratch_big[4], 0x03);

	wrap(&rec, &body, three);
	CHECK_EQ(rec.n, body.n + 4 + 3 * 5);
	CHECK_EQ(scan_big(&rec, rec.n, false, &need, &used), TLS_HELLO_DONE);
	CHECK_EQ(used, rec.n);
	CHECK_EQ(seen.n, 1);
	CHECK_STR(seen.name[0], "split.example.net");

	wrap(&rec, &body, many);
	CHECK_EQ(scan_big(&rec, rec.n, false, &need, &used), TLS_HELLO_DONE);
	CHECK_EQ(seen.n, 1);

	/* The record version reported is the first record's. */
	wrap(&rec, &body, two);
	rec.b[2] = 0x00;
	CHECK_EQ(scan_big(&rec, rec.n, false, &need, &used), TLS_HELLO_DONE);
	CHECK_EQ(seen.info.record_version, 0x0300);
}

/* Every prefix of a split hello asks for more, never past the end, and a
 * caller that feeds exactly `need` bytes each time reaches the end. */
static void test_prefixes(void)
{
	static const size_t three[] = { 2, 700, 0 };
	int early = 0, bad_need = 0, steps = 0, partial_wrong = 0;
	size_t need, used, have;

	hello_body(&body, "prefix.example", 1200, 0);
	wrap(&rec, &body, three);

	for (size_t n = 0; n < rec.n; n++) {
		enum tls_scan r = scan_big(&rec, n, false, &need, &used);

		if (r != TLS_NEED_MORE)
			early++;
		else if (need <= n || need > rec.n)
			bad_need++;
	}
	CHECK_EQ(early, 0);
	CHECK_EQ(bad_need, 0);

	for (have = 1; steps < 20; steps++) {
		if (scan_big(&rec, have, false, &need, &used) != TLS_NEED_MORE)
			break;
		have = need;
	}
	CHECK_EQ(have, rec.n);
	CHECK_EQ(steps, 6);	/* 1, 5, 7, 12, 712, 717, then done */
	CHECK_EQ(seen.n, 1);

	/* Partial mode: a name is reported exactly when it is in the prefix,
	 * and then the scan is done. */
	for (size_t n = 0; n <= rec.n; n++) {
		enum tls_scan r = scan_big(&rec, n, true, &need, &used);

		if (r == TLS_NEED_MORE)
			partial_wrong++;
		if (seen.n > 0 && (r != TLS_HELLO_DONE || used != n))
			partial_wrong++;
		if (n == rec.n && (r != TLS_HELLO_DONE || seen.n != 1))
			partial_wrong++;
	}
	CHECK_EQ(partial_wrong, 0);
}

static void test_partial(void)
{
	size_t need, used, sni_end;

	/* SNI early, then a lot of padding: the buffer ends in the padding. */
	hello_body(&body, "early.example", 0, 3000);
	wrap(&rec, &body, NULL);
	sni_end = rec.n - 3000 - 4;
	CHECK_EQ(scan_big(&rec, sni_end + 10, false, &need, &used), TLS_NEED_MORE);
	CHECK_EQ(need, rec.n);
	CHECK_EQ(seen.n, 0);
	CHECK_EQ(scan_big(&rec, sni_end + 10, true, &need, &used), TLS_HELLO_DONE);
	CHECK_EQ(used, sni_end + 10);
	CHECK_EQ(seen.n, 1);
	CHECK_STR(seen.name[0], "early.example");
	/* Cut inside the name: nothing reported, the extension was seen. */
	CHECK_EQ(scan_big(&rec, sni_end - 1, true, &need, &used), TLS_HELLO_DONE);
	CHECK_EQ(seen.n, 0);

	/* Cut before the SNI: nothing to go on. */
	hello_body(&body, "late.example", 1200, 0);
	wrap(&rec, &body, NULL);
	CHECK_EQ(scan_big(&rec, 600, true, &need, &used), TLS_HELLO_BAD);
	CHECK_EQ(seen.n, 0);

	/* The same over several records, cut in the second record. */
	{
		static const size_t cuts[] = { 60, 2000, 0 };

		hello_body(&body, "early.example", 0, 3000);
		wrap(&rec, &body, cuts);
		CHECK_EQ(scan_big(&rec, 400, true, &need, &used), TLS_HELLO_DONE);
		CHECK_EQ(seen.n, 1);
		CHECK_EQ(scan_big(&rec, 5 + 60 + 5 + 10, true, &need, &used),
			 TLS_HELLO_BAD);
		CHECK_EQ(seen.n, 0);
		/* Cut in the third record's header. */
		CHECK_EQ(scan_big(&rec, 5 + 60 + 5 + 2000 + 3, true, &need, &used),
			 TLS_HELLO_DONE);
		CHECK_EQ(seen.n, 1);
	}
}

/* A hello larger than scratch: the prefix that fits is parsed. */
static void test_oversize(void)
{
	static const size_t cuts[] = { 200, 200, 200, 0 };
	static uint8_t small[256];
	size_t need, used;

	hello_body(&body, "first.example", 0, 2000);
	wrap(&rec, &body, cuts);
	CHECK_EQ(scan(rec.b, 5 + 200 + 5 + 50, false, small, sizeof small,
		      &need, &used), TLS_NEED_MORE);
	CHECK_EQ(need, 5 + 200 + 5 + 200);
	CHECK_EQ(scan(rec.b, rec.n, false, small, sizeof small, &need, &used),
		 TLS_HELLO_DONE);
	CHECK_EQ(used, 5 + 200 + 5 + 200);
	CHECK_EQ(seen.n, 1);
	CHECK_STR(seen.name[0], "first.example");

	/* The SNI lies beyond what scratch holds: done, with no name. */
	hello_body(&body, "far.example", 1200, 0);
	wrap(&rec, &body, cuts);
	CHECK_EQ(scan(rec.b, rec.n, false, small, sizeof small, &need, &used),
		 TLS_HELLO_DONE);
	CHECK_EQ(seen.n, 0);

	/* In one record it needs no scratch at all. */
	wrap(&rec, &body, NULL);
	CHECK_EQ(scan(rec.b, rec.n, false, small, 0, &need, &used),
		 TLS_HELLO_DONE);
	CHECK_EQ(seen.n, 1);
}

static void test_not_hello(void)
{
	static const char *const texts[] = {
		"EHLO mail.example.com\r\n",
		"GET / HTTP/1.1\r\n",
		"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n",
		"\x15\x03\x03\x00\x02\x02\x28",		/* alert */
		"\x16\x02\x00\x00\x10\x01",		/* version 2.0 */
		"\x16\x03\x05\x00\x10\x01",		/* version 3.5 */
		"\x16\x03\x01\x48\x01\x01",		/* 18433 bytes */
		"\x16\x03\x01\x49",			/* > 18432 already */
		"\x16\x04",
		"\x80\x2e\x01\x03\x01",			/* SSLv2 framing */
	};
	/* ServerHello: handshake type 2. */
	static const uint8_t server_hello[] = {
		0x16, 0x03, 0x03, 0x00, 0x31, 0x02, 0x00, 0x00, 0x2d, 0x03, 0x03,
	};
	static const uint8_t zero_len[] = { 0x16, 0x03, 0x01, 0x00, 0x00, 0x01 };
	size_t need, used;

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		CHECK_EQ(scan((const uint8_t *)texts[i], strlen(texts[i]), false,
			      scratch_big, sizeof scratch_big, &need, &used),
			 TLS_NOT_HELLO);
	CHECK_EQ(scan(server_hello, sizeof server_hello, false, scratch_big,
		      sizeof scratch_big, &need, &used), TLS_NOT_HELLO);
	CHECK_EQ(scan(server_hello, 6, false, scratch_big, sizeof scratch_big,
		      &need, &used), TLS_NOT_HELLO);
	CHECK_EQ(scan(zero_len, sizeof zero_len, false, scratch_big,
		      sizeof scratch_big, &need, &used), TLS_NOT_HELLO);

	/* Consistent so far: ask for the header. */
	CHECK_EQ(scan((const uint8_t *)"\x16\x03", 2, false, scratch_big,
		      sizeof scratch_big, &need, &used), TLS_NEED_MORE);
	CHECK_EQ(need, 5);
	CHECK_EQ(scan((const uint8_t *)"", 0, false, scratch_big,
		      sizeof scratch_big, &need, &used), TLS_NEED_MORE);
	CHECK_EQ(need, 5);
	CHECK_EQ(scan((const uint8_t *)"\x16\x03\x01\x48\x00", 5, false,
		      scratch_big, sizeof scratch_big, &need, &used),
		 TLS_NEED_MORE);
	CHECK_EQ(need, 5 + 18432);
	CHECK_EQ(scan((const uint8_t *)"\x16\x03\x01\x48\x00", 5, true,
		      scratch_big, sizeof scratch_big, &need, &used),
		 TLS_NOT_HELLO);
}

static void test_lying_lengths(void)
{
	static const char *const names[] = { "kept.example" };
	struct tls_hello_info info;
	size_t need, used, exts, ext;

	/* An extension whose length runs past the extensions block. */
	hello_fixed(&body);
	exts = vec16_begin(&body);
	ext_sni(&body, names, 1);
	put16(&body, 21);
	put16(&body, 40);
	put_fill(&body, 0, 10);
	vec16_end(&body, exts);
	CHECK_EQ(parse_body(&body, &info), PARSE_MALFORMED);
	CHECK_EQ(seen.n, 1);			/* found before the lie */
	wrap(&rec, &body, NULL);
	CHECK_EQ(scan_big(&rec, rec.n, false, &need, &used), TLS_HELLO_BAD);
	CHECK_EQ(seen.n, 1);

	/* The extensions block itself runs past the body. */
	hello_body(&body, "x.example", 0, 0);
	body.b[2 + 32 + 1 + 32 + 2 + 6 + 2] ^= 0x10;	/* ext block length */
	CHECK_EQ(parse_body(&body, &info), PARSE_MALFORMED);

	/* A server_name list longer than its extension. */
	hello_fixed(&body);
	exts = vec16_begin(&body);
	put16(&body, 0);
	ext = vec16_begin(&body);
	put16(&body, 100);
	put8(&body, 0);
	put16(&body, 4);
	put_bytes(&body, "a.bc", 4);
	vec16_end(&body, ext);
	ext_raw(&body, 21, 200, 0);
	vec16_end(&body, exts);
	CHECK_EQ(parse_body(&body, &info), PARSE_MALFORMED);
	CHECK_EQ(seen.n, 0);

	/* A HostName longer than its list. */
	hello_fixed(&body);
	exts = vec16_begin(&body);
	put16(&body, 0);
	ext = vec16_begin(&body);
	put16(&body, 7);
	put8(&body, 0);
	put16(&body, 9);
	put_bytes(&body, "a.bc", 4);
	vec16_end(&body, ext);
	vec16_end(&body, exts);
	CHECK_EQ(parse_body(&body, &info), PARSE_MALFORMED);

	/* A list shorter than its extension. */
	hello_fixed(&body);
	exts = vec16_begin(&body);
	put16(&body, 0);
	ext = vec16_begin(&body);
	put16(&body, 7);
	put8(&body, 0);
	put16(&body, 4);
	put_bytes(&body, "a.bc", 4);
	put8(&body, 0);
	vec16_end(&body, ext);
	vec16_end(&body, exts);
	CHECK_EQ(parse_body(&body, &info), PARSE_MALFORMED);
	CHECK_EQ(seen.n, 1);

	/* Handshake length beyond the records: waits for a next record... */
	hello_body(&body, "more.example", 0, 0);
	wrap(&rec, &body, NULL);
	rec.b[8] = (uint8_t)(rec.b[8] + 50);
	CHECK_EQ(scan_big(&rec, rec.n, false, &need, &used), TLS_NEED_MORE);
	CHECK_EQ(need, rec.n + 5);
	/* ...a full buffer finds the lie (nothing may follow the extensions),
	 * having reported the name before it... */
	CHECK_EQ(scan_big(&rec, rec.n, true, &need, &used), TLS_HELLO_BAD);
	CHECK_EQ(seen.n, 1);
	/* ...and another content type in between is a bad hello. */
	put_bytes(&rec, "\x15\x03\x03\x00\x02\x02\x28", 7);
	CHECK_EQ(scan_big(&rec, rec.n, false, &need, &used), TLS_HELLO_BAD);
	CHECK_EQ(scan_big(&rec, rec.n - 5, false, &need, &used), TLS_HELLO_BAD);

	/* Handshake length shorter than the body: trailing bytes. */
	hello_body(&body, "less.example", 0, 0);
	wrap(&rec, &body, NULL);
	rec.b[8] = (uint8_t)(rec.b[8] - 1);
	CHECK_EQ(scan_big(&rec, rec.n, false, &need, &used), TLS_HELLO_BAD);
}

static void test_body_rules(void)
{
	static const char *const names[] = { "dup.example" };
	struct tls_hello_info info;
	char longname[300];
	size_t exts, ext, list;

	memset(longname, 'q', sizeof longname);

	hello_fixed(&body);
	body.b[34] = 33;			/* session_id of 33 */
	CHECK_EQ(parse_body(&body, &info), PARSE_MALFORMED);

	hello_fixed(&body);
	body.b[2 + 32 + 1 + 32 + 1] = 5;	/* odd cipher_suites length */
	CHECK_EQ(parse_body(&body, &info), PARSE_MALFORMED);

	hello_fixed(&body);
	body.b[body.n - 2] = 0;			/* no compression method */
	CHECK_EQ(parse_body(&body, &info), PARSE_MALFORMED);

	hello_fixed(&body);
	body.n -= 20;
	CHECK_EQ(parse_body(&body, &info), PARSE_MALFORMED);
	body.n = 10;
	CHECK_EQ(parse_body(&body, &info), PARSE_MALFORMED);

	/* Trailing byte after the extensions; one lone byte where they go. */
	hello_body(&body, "t.example", 0, 0);
	put8(&body, 0);
	CHECK_EQ(parse_body(&body, &info), PARSE_MALFORMED);
	CHECK_EQ(seen.n, 1);
	hello_fixed(&body);
	put8(&body, 0);
	CHECK_EQ(parse_body(&body, &info), PARSE_MALFORMED);

	/* Two server_name extensions. */
	hello_fixed(&body);
	exts = vec16_begin(&body);
	ext_sni(&body, names, 1);
	ext_sni(&body, names, 1);
	vec16_end(&body, exts);
	CHECK_EQ(parse_body(&body, &info), PARSE_MALFORMED);
	CHECK_EQ(seen.n, 1);

	/* 256-byte and empty HostNames are skipped, the rest still read. */
	hello_fixed(&body);
	exts = vec16_begin(&body);
	put16(&body, 0);
	ext = vec16_begin(&body);
	list = vec16_begin(&body);
	put8(&body, 0);
	put16(&body, 256);
	put_bytes(&body, longname, 256);
	put8(&body, 0);
	put16(&body, 0);
	put8(&body, 0);
	put16(&body, 255);
	put_bytes(&body, longname, 255);
	vec16_end(&body, list);
	vec16_end(&body, ext);
	vec16_end(&body, exts);
	CHECK_EQ(parse_body(&body, &info), PARSE_MALFORMED);
	CHECK_EQ(seen.n, 1);
	CHECK_EQ(seen.len[0], 255);

	/* An empty ServerNameList. */
	hello_fixed(&body);
	exts = vec16_begin(&body);
	put16(&body, 0);
	put16(&body, 2);
	put16(&body, 0);
	vec16_end(&body, exts);
	CHECK_EQ(parse_body(&body, &info), PARSE_MALFORMED);
}

/* Numerical Recipes LCG: deterministic, so a failure replays. */
static uint32_t lcg_state = 2024;

static uint32_t lcg(void)
{
	lcg_state = lcg_state * 1664525u + 1013904223u;
	return lcg_state >> 8;
}

static int sweep_bad_name;

static void on_sni_sweep(void *ctx, const struct tls_hello_info *info,
			 const char *name, size_t len)
{
	if (len == 0 || len > 255 || !info->has_sni)
		sweep_bad_name++;
}

static void test_sweep(void)
{
	static const size_t cuts[] = { 3, 90, 0 };
	static struct buf orig;
	static uint8_t mut[sizeof orig.b];
	int bad = 0;

	hello_body(&body, "sweep.example.org", 200, 40);
	wrap(&orig, &body, cuts);

	for (int i = 0; i < 30000; i++) {
		size_t n = orig.n, need = 0, used = 0, sl;
		int flips = 1 + (int)(lcg() % 4);
		bool partial = lcg() % 3 == 0;
		uint8_t *copy, *scratch;
		enum tls_scan r;

		memcpy(mut, orig.b, orig.n);
		for (int k = 0; k < flips; k++) {
			size_t at = lcg() % orig.n;

			/* Favour the length fields near the front. */
			if (lcg() % 2)
				at %= 120;
			mut[at] = (uint8_t)lcg();
		}
		if (lcg() % 4 == 0)
			n = lcg() % (orig.n + 1);
		sl = lcg() % 3 == 0 ? lcg() % 400 : 4096;

		copy = malloc(n ? n : 1);
		scratch = malloc(sl ? sl : 1);
		memcpy(copy, mut, n);
		struct tls_hello_info info;
		r = tls_scan_client_hello(copy, n, partial, scratch, sl,
					  on_sni_sweep, NULL, &info, &need, &used);
		free(copy);
		free(scratch);

		switch (r) {
		case TLS_NEED_MORE:
			if (partial || need <= n)
				bad++;
			break;
		case TLS_HELLO_DONE:
			if (used > n || used == 0)
				bad++;
			break;
		case TLS_NOT_HELLO:
		case TLS_HELLO_BAD:
			break;
		default:
			bad++;
		}
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(sweep_bad_name, 0);

	/* The body parser alone, on mangled bodies. */
	for (int i = 0; i < 20000; i++) {
		struct tls_hello_info info;
		size_t n = body.n;
		uint8_t *copy;
		enum parse_result r;

		memcpy(mut, body.b, body.n);
		for (int k = 0; k < 3; k++)
			mut[lcg() % body.n] = (uint8_t)lcg();
		if (lcg() % 4 == 0)
			n = lcg() % (body.n + 1);
		copy = malloc(n ? n : 1);
		memcpy(copy, mut, n);
		r = tls_parse_client_hello(copy, n, &info, on_sni_sweep, NULL);
		free(copy);
		if (r != PARSE_OK && r != PARSE_MALFORMED && r != PARSE_TRUNCATED)
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(sweep_bad_name, 0);
}

/* supported_versions (RFC 8446 §4.2.1): the highest real version, known once
 * the hello is read even when it comes after server_name. */
static void test_versions(void)
{
	size_t exts, need, used;
	static const char *const name[] = { "v13.example" };

	hello_fixed(&body);
	exts = vec16_begin(&body);
	ext_sni(&body, name, 1);
	put16(&body, 43);
	put16(&body, 7);
	put8(&body, 6);
	put16(&body, 0x3a3a);			/* GREASE (RFC 8701) */
	put16(&body, 0x0304);
	put16(&body, 0x0303);
	vec16_end(&body, exts);
	wrap(&rec, &body, NULL);
	CHECK_EQ(scan_big(&rec, rec.n, false, &need, &used), TLS_HELLO_DONE);
	CHECK_EQ(scan_info.hello_version, 0x0303);
	CHECK_EQ(scan_info.max_version, 0x0304);
	CHECK_STR(seen.name[0], "v13.example");

	/* No supported_versions: 0, and the legacy version stands. */
	hello_fixed(&body);
	exts = vec16_begin(&body);
	ext_sni(&body, name, 1);
	vec16_end(&body, exts);
	wrap(&rec, &body, NULL);
	CHECK_EQ(scan_big(&rec, rec.n, false, &need, &used), TLS_HELLO_DONE);
	CHECK_EQ(scan_info.max_version, 0);
}

/* An encrypted_client_hello extension (draft-ietf-tls-esni §5) of the given
 * type, suite, config_id and lengths, with the SNI before it. */
static void hello_ech(struct buf *b, int type, unsigned aead, size_t enc, size_t payload,
		      size_t extra)
{
	static const char *const name[] = { "public.example" };
	size_t exts, ext;

	hello_fixed(b);
	exts = vec16_begin(b);
	ext_sni(b, name, 1);
	put16(b, 0xfe0d);
	ext = vec16_begin(b);
	put8(b, (unsigned)type);
	if (type == 0) {
		put16(b, 1);			/* HKDF-SHA256 */
		put16(b, aead);
		put8(b, 0xd8);			/* config_id */
		put16(b, (unsigned)enc);
		put_fill(b, 0x11, enc);
		put16(b, (unsigned)payload);
		put_fill(b, 0x22, payload);
	}
	put_fill(b, 0x33, extra);			/* bytes the type does not have */
	vec16_end(b, ext);
	vec16_end(b, exts);
}

static void test_ech(void)
{
	struct tls_hello_info info;

	/* As Cloudflare's real ECH and Chrome's GREASE both look: X25519 enc,
	 * AES-128-GCM; whether it is real cannot be known. */
	hello_ech(&body, 0, 1, 32, 208, 0);
	CHECK_EQ(parse_body(&body, &info), PARSE_OK);
	CHECK_STR(seen.name[0], "public.example");
	CHECK_EQ(info.ech, TLS_ECH_OUTER);
	CHECK_EQ(info.ech_config_id, 0xd8);
	CHECK_EQ(info.ech_kdf_id, 1);
	CHECK_EQ(info.ech_aead_id, 1);
	CHECK_EQ(info.ech_enc_len, 32);
	CHECK_EQ(info.ech_payload_len, 208);
	CHECK(!info.ech_not_real);

	/* An empty enc is real after a HelloRetryRequest. */
	hello_ech(&body, 0, 1, 0, 208, 0);
	CHECK_EQ(parse_body(&body, &info), PARSE_OK);
	CHECK_EQ(info.ech, TLS_ECH_OUTER);
	CHECK(!info.ech_not_real);

	/* enc shorter than any KEM's, or a payload that cannot hold a tag and
	 * an inner hello: no server could decrypt these. */
	hello_ech(&body, 0, 1, 16, 208, 0);
	CHECK_EQ(parse_body(&body, &info), PARSE_OK);
	CHECK(info.ech_not_real);
	hello_ech(&body, 0, 3, 32, 63, 0);
	CHECK_EQ(parse_body(&body, &info), PARSE_OK);
	CHECK(info.ech_not_real);
	hello_ech(&body, 0, 3, 32, 64, 0);
	CHECK_EQ(parse_body(&body, &info), PARSE_OK);
	CHECK(!info.ech_not_real);
	/* an AEAD outside the registry: its tag size is unknown */
	hello_ech(&body, 0, 0x77, 32, 20, 0);
	CHECK_EQ(parse_body(&body, &info), PARSE_OK);
	CHECK(!info.ech_not_real);

	/* Inner: only meant to travel encrypted. */
	hello_ech(&body, 1, 0, 0, 0, 0);
	CHECK_EQ(parse_body(&body, &info), PARSE_OK);
	CHECK_EQ(info.ech, TLS_ECH_INNER);

	/* Malformed ECH never fails the hello or hides its name. */
	hello_ech(&body, 2, 0, 0, 0, 0);
	CHECK_EQ(parse_body(&body, &info), PARSE_OK);
	CHECK_EQ(info.ech, TLS_ECH_MALFORMED);
	CHECK_STR(seen.name[0], "public.example");
	hello_ech(&body, 0, 1, 32, 0, 0);			/* payload<1..2^16-1> */
	CHECK_EQ(parse_body(&body, &info), PARSE_OK);
	CHECK_EQ(info.ech, TLS_ECH_MALFORMED);
	hello_ech(&body, 0, 1, 32, 100, 0);
	body.b[body.n - 101] = 0xff;			/* payload length past the extension */
	CHECK_EQ(parse_body(&body, &info), PARSE_OK);
	CHECK_EQ(info.ech, TLS_ECH_MALFORMED);
	hello_ech(&body, 1, 0, 0, 0, 1);		/* inner is empty */
	CHECK_EQ(parse_body(&body, &info), PARSE_OK);
	CHECK_EQ(info.ech, TLS_ECH_MALFORMED);
	hello_ech(&body, 0, 1, 32, 100, 3);		/* bytes after the payload */
	CHECK_EQ(parse_body(&body, &info), PARSE_OK);
	CHECK_EQ(info.ech, TLS_ECH_MALFORMED);

	/* A hello without the extension says none. */
	hello_body(&body, "x.example", 0, 0);
	CHECK_EQ(parse_body(&body, &info), PARSE_OK);
	CHECK_EQ(info.ech, TLS_ECH_NONE);

	/* Cut by the window (a prefix of the hello) inside the extension, even
	 * before its first byte: an outer ECH as far as read, not malformed. */
	hello_ech(&body, 0, 1, 32, 208, 0);
	size_t ech_data = 1 + 4 + 1 + 2 + 32 + 2 + 208;
	for (size_t keep = 0; keep <= 12; keep += 6) {
		size_t avail = body.n - ech_data + keep;
		memset(&seen, 0, sizeof seen);
		memset(&info, 0, sizeof info);
		CHECK_EQ(tls_parse_client_hello_prefix(body.b, avail, body.n, &info, on_sni, NULL),
			 PARSE_TRUNCATED);
		CHECK_EQ(info.ech, TLS_ECH_OUTER);
		CHECK_STR(seen.name[0], "public.example");
	}
}

int main(void)
{
	test_single_record();
	test_versions();
	test_ech();
	test_no_sni();
	test_two_names();
	test_raw_name();
	test_split();
	test_prefixes();
	test_partial();
	test_oversize();
	test_not_hello();
	test_lying_lengths();
	test_body_rules();
	test_sweep();
	return check_report("tls");
}
