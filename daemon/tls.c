/* tls.c — find a ClientHello at a TLS record boundary, join it across records
 * (RFC 8446 §5.1, RFC 5246 §6.2) and report its server_name (RFC 6066 §3). */
#include <string.h>

#include "cursor.h"
#include "tls.h"

#define TLS_CT_HANDSHAKE	22
#define TLS_HT_CLIENT_HELLO	1
#define TLS_EXT_SERVER_NAME	0
#define TLS_EXT_SUPPORTED_VERSIONS 43
#define TLS_EXT_ECH		0xfe0d	/* draft-ietf-tls-esni §11.1 */
#define TLS_REC_HDR		5
#define TLS_HS_HDR		4
#define TLS_REC_MAX		(16384 + 2048)	/* the largest record RFC 5246 allows */
#define TLS_HOSTNAME_MAX	255

/*
 * A length-delimited piece of a ClientHello that may run past the bytes we
 * hold: the cursor covers the bytes present, `missing` the declared bytes
 * beyond them.  A read that runs past the buffer but stays inside the declared
 * length is PARSE_TRUNCATED (a prefix, more would have come); one that runs
 * past the declared length is PARSE_MALFORMED.
 */
struct span {
	struct cursor c;
	size_t missing;
};

static void span_init(struct span *s, const uint8_t *p, size_t avail,
		      size_t declared)
{
	cur_init(&s->c, p, avail);
	s->missing = declared - avail;
}

static bool span_done(const struct span *s)
{
	return cur_left(&s->c) == 0 && s->missing == 0;
}

/* Why n bytes could not be read (n > the bytes left). */
static enum parse_result span_short(const struct span *s, size_t n)
{
	return n - cur_left(&s->c) <= s->missing ? PARSE_TRUNCATED
						  : PARSE_MALFORMED;
}

/* Step over n declared bytes of s, handing them to `in`. */
static enum parse_result span_sub(struct span *s, size_t n, struct span *in)
{
	size_t left = cur_left(&s->c);

	if (left >= n) {
		span_init(in, cur_bytes(&s->c, n), n, n);
		return PARSE_OK;
	}
	if (n - left > s->missing)
		return PARSE_MALFORMED;
	span_init(in, cur_bytes(&s->c, left), left, n);
	s->missing -= n - left;
	return PARSE_OK;
}

/* A vector with a `width`-byte length prefix and bounds (RFC 8446 §3.4). */
static enum parse_result span_vector(struct span *s, size_t width, size_t min,
				     size_t max, struct span *in)
{
	size_t n;

	if (cur_left(&s->c) < width)
		return span_short(s, width);
	n = width == 1 ? cur_u8(&s->c) : cur_be16(&s->c);
	if (n < min || n > max)
		return PARSE_MALFORMED;
	return span_sub(s, n, in);
}

/* Skip a vector of `unit`-byte items; one cut by the buffer ends the prefix. */
static enum parse_result span_skip_vector(struct span *s, size_t width,
					  size_t min, size_t max, size_t unit)
{
	struct span v;
	enum parse_result r = span_vector(s, width, min, max, &v);

	if (r != PARSE_OK)
		return r;
	if ((cur_left(&v.c) + v.missing) % unit)
		return PARSE_MALFORMED;
	return v.missing ? PARSE_TRUNCATED : PARSE_OK;
}

/*
 * ServerNameList (RFC 6066 §3).  Every host_name entry that lies wholly in the
 * bytes present is reported.  An empty or over-long (> 255) HostName is not
 * reported and makes the result PARSE_MALFORMED, but the entries after it are
 * still read.  Other name_types share the same layout and are skipped.
 */
static enum parse_result parse_server_name(struct span *ext,
					   struct tls_hello_info *info,
					   tls_sni_fn fn, void *ctx)
{
	struct span list;
	enum parse_result r, bad = PARSE_OK;

	r = span_vector(ext, 2, 1, 0xffff, &list);
	if (r != PARSE_OK)
		return r;
	while (!span_done(&list)) {
		struct span host;
		uint8_t type;
		size_t n;

		if (cur_left(&list.c) < 1)
			return span_short(&list, 1);
		type = cur_u8(&list.c);
		r = span_vector(&list, 2, 0, 0xffff, &host);
		if (r != PARSE_OK)
			return r;
		if (host.missing)
			return PARSE_TRUNCATED;
		n = cur_left(&host.c);
		if (type != 0)
			continue;
		if (n == 0 || n > TLS_HOSTNAME_MAX) {
			bad = PARSE_MALFORMED;
			continue;
		}
		fn(ctx, info, (const char *)cur_bytes(&host.c, n), n);
	}
	/* The list must fill the extension (declared bytes, present or not). */
	if (cur_left(&ext->c) > 0 || ext->missing > 0)
		return PARSE_MALFORMED;
	return bad;
}

/*
 * The ClientHello body (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2), of which avail
 * bytes are present out of declared.  Names are reported as they are met, so
 * an error later on does not hide them.
 */
/* supported_versions (RFC 8446 §4.2.1): the highest version offered, GREASE
 * values (RFC 8701: 0x?a?a) left out.  Informational: a bad list is ignored. */
static void parse_supported_versions(struct span *ext, struct tls_hello_info *info)
{
	struct span list;

	if (span_vector(ext, 1, 2, 254, &list) != PARSE_OK)
		return;
	while (cur_left(&list.c) >= 2) {
		uint16_t v = cur_be16(&list.c);

		if ((v & 0x0f0f) == 0x0a0a)
			continue;
		if (v > info->max_version && v <= 0x0304)
			info->max_version = v;
	}
}

/* Bounds below which an outer ECH extension cannot be real: every KEM in the
 * HPKE registry encapsulates to at least 32 bytes (DHKEM(X25519), RFC 9180
 * §7.1), every AEAD there has a 16-byte tag (§7.3), and the encrypted
 * EncodedClientHelloInner (draft-ietf-tls-esni §5.1) is at least a
 * ClientHello body: version 2, random 32, session id 1, one cipher suite 2+2,
 * one compression method 1+1, extensions 2 holding the inner ECH
 * extension 4+1 = 48 bytes. */
#define ECH_ENC_MIN		32
#define ECH_TAG			16
#define ECH_INNER_MIN		48

static bool hpke_aead_registered(uint16_t id)
{
	return id >= 1 && id <= 3;	/* AES-128-GCM, AES-256-GCM, ChaCha20Poly1305 */
}

/*
 * encrypted_client_hello (draft-ietf-tls-esni §5): type outer (0) with
 * cipher_suite, config_id, enc<0..2^16-1> and payload<1..2^16-1>, or type
 * inner (1) and nothing.  Informational: it never fails the hello.  GREASE
 * ECH (§6.2) copies the real format with random bytes, so the wire tells
 * only when an offer cannot be real.  An empty enc is real in the second
 * ClientHello after a HelloRetryRequest (§5.1).
 */
static void parse_ech(const struct span *ext, struct tls_hello_info *info)
{
	struct cursor c = ext->c;
	size_t declared = cur_left(&c) + ext->missing;
	uint8_t type = cur_u8(&c);

	info->ech = TLS_ECH_MALFORMED;
	if (!cur_ok(&c)) {
		/* Cut by the caller's window before its first byte: on the wire
		 * an ECH extension is an outer one (an inner one travels
		 * encrypted inside it). */
		if (ext->missing)
			info->ech = TLS_ECH_OUTER;
		return;
	}
	if (type > 1)
		return;
	if (type == 1) {
		if (declared == 1)
			info->ech = TLS_ECH_INNER;
		return;
	}
	info->ech_kdf_id = cur_be16(&c);
	info->ech_aead_id = cur_be16(&c);
	info->ech_config_id = cur_u8(&c);
	info->ech_enc_len = cur_be16(&c);
	cur_skip(&c, info->ech_enc_len);
	info->ech_payload_len = cur_be16(&c);
	if (!cur_ok(&c)) {
		/* Cut by the caller's window: outer, lengths as far as read. */
		if (ext->missing)
			info->ech = TLS_ECH_OUTER;
		return;
	}
	if (info->ech_payload_len == 0 ||
	    declared != 1 + 4 + 1 + 2 + (size_t)info->ech_enc_len + 2 + info->ech_payload_len)
		return;
	info->ech = TLS_ECH_OUTER;
	info->ech_not_real = (info->ech_enc_len > 0 && info->ech_enc_len < ECH_ENC_MIN) ||
			     (hpke_aead_registered(info->ech_aead_id) &&
			      info->ech_payload_len < ECH_TAG + ECH_INNER_MIN);
}

static enum parse_result parse_hello(const uint8_t *body, size_t avail,
				     size_t declared,
				     struct tls_hello_info *info,
				     tls_sni_fn fn, void *ctx)
{
	struct span s, exts;
	enum parse_result r;

	info->hello_version = 0;
	info->max_version = 0;
	info->has_sni = false;
	info->ech = TLS_ECH_NONE;
	info->ech_config_id = 0;
	info->ech_not_real = false;
	info->ech_kdf_id = info->ech_aead_id = 0;
	info->ech_enc_len = info->ech_payload_len = 0;
	span_init(&s, body, avail, declared);

	if (cur_left(&s.c) < 2 + 32)
		return span_short(&s, 2 + 32);
	info->hello_version = cur_be16(&s.c);
	cur_skip(&s.c, 32);				/* random */

	r = span_skip_vector(&s, 1, 0, 32, 1);		/* legacy_session_id */
	if (r == PARSE_OK)
		r = span_skip_vector(&s, 2, 2, 0xfffe, 2);	/* cipher_suites */
	if (r == PARSE_OK)
		r = span_skip_vector(&s, 1, 1, 0xff, 1);	/* compression */
	if (r != PARSE_OK)
		return r;

	/* Hellos from before RFC 3546 may end here. */
	if (span_done(&s))
		return PARSE_OK;

	r = span_vector(&s, 2, 0, 0xffff, &exts);
	if (r != PARSE_OK)
		return r;
	while (!span_done(&exts)) {
		struct span ext;
		uint16_t type;

		if (cur_left(&exts.c) < 4)
			return span_short(&exts, 4);
		type = cur_be16(&exts.c);
		r = span_vector(&exts, 2, 0, 0xffff, &ext);
		if (r != PARSE_OK)
			return r;
		if (type == TLS_EXT_SERVER_NAME) {
			/* RFC 8446 §4.2: one extension of each type. */
			if (info->has_sni)
				return PARSE_MALFORMED;
			info->has_sni = true;
			r = parse_server_name(&ext, info, fn, ctx);
			if (r != PARSE_OK)
				return r;
		} else if (type == TLS_EXT_SUPPORTED_VERSIONS) {
			parse_supported_versions(&ext, info);
		} else if (type == TLS_EXT_ECH) {
			parse_ech(&ext, info);
		}
		if (ext.missing)
			return PARSE_TRUNCATED;
	}
	/* Extensions are the last field: nothing may follow, present or not. */
	if (cur_left(&s.c) > 0 || s.missing > 0)
		return PARSE_MALFORMED;
	return PARSE_OK;
}

enum parse_result tls_parse_client_hello(const uint8_t *body, size_t len,
					 struct tls_hello_info *info,
					 tls_sni_fn fn, void *ctx)
{
	return parse_hello(body, len, len, info, fn, ctx);
}

enum parse_result tls_parse_client_hello_prefix(const uint8_t *body, size_t avail,
						size_t declared, struct tls_hello_info *info,
						tls_sni_fn fn, void *ctx)
{
	return parse_hello(body, avail < declared ? avail : declared, declared, info, fn, ctx);
}

enum rec_state {
	REC_HANDSHAKE,	/* a whole, plausible handshake record header */
	REC_SHORT,	/* fewer than 5 bytes, all consistent with one */
	REC_OTHER,	/* not a handshake record header */
};

/* The record header at the cursor: content type 22, version 3.0 to 3.4,
 * length 1 to 2^14 + 2048.  Judges the bytes present when fewer than 5. */
static enum rec_state rec_header(const struct cursor *c, uint16_t *version,
				 size_t *rec_len)
{
	struct cursor h = *c;
	size_t left = cur_left(&h);
	uint8_t b[TLS_REC_HDR];

	for (size_t i = 0; i < TLS_REC_HDR && i < left; i++)
		b[i] = cur_u8(&h);
	if (left >= 1 && b[0] != TLS_CT_HANDSHAKE)
		return REC_OTHER;
	if (left >= 2 && b[1] != 3)
		return REC_OTHER;
	if (left >= 3 && b[2] > 4)
		return REC_OTHER;
	if (left >= 4 && b[3] > TLS_REC_MAX >> 8)
		return REC_OTHER;
	if (left < TLS_REC_HDR)
		return REC_SHORT;
	*version = (uint16_t)(b[1] << 8 | b[2]);
	*rec_len = (size_t)b[3] << 8 | b[4];
	if (*rec_len == 0 || *rec_len > TLS_REC_MAX)
		return REC_OTHER;
	return REC_HANDSHAKE;
}

/* A whole hello: any defect is a bad hello, names found before it stand. */
static enum tls_scan scan_whole(const uint8_t *body, size_t len,
				struct tls_hello_info *info,
				tls_sni_fn fn, void *ctx)
{
	return parse_hello(body, len, len, info, fn, ctx) == PARSE_OK
		? TLS_HELLO_DONE : TLS_HELLO_BAD;
}

/* A hello cut short by the caller's buffer: done if the bytes present are
 * sound and either complete or hold the server_name extension. */
static enum tls_scan scan_partial(const uint8_t *body, size_t avail,
				  size_t declared, struct tls_hello_info *info,
				  tls_sni_fn fn, void *ctx)
{
	enum parse_result r = parse_hello(body, avail, declared, info, fn, ctx);

	if (r == PARSE_OK || (r == PARSE_TRUNCATED && info->has_sni))
		return TLS_HELLO_DONE;
	return TLS_HELLO_BAD;
}

/* A hello longer than scratch: the prefix that fits is all we will look
 * at, so more bytes cannot help; done unless that prefix is broken. */
static enum tls_scan scan_oversize(const uint8_t *body, size_t avail,
				   size_t declared, struct tls_hello_info *info,
				   tls_sni_fn fn, void *ctx)
{
	return parse_hello(body, avail, declared, info, fn, ctx) == PARSE_MALFORMED
		? TLS_HELLO_BAD : TLS_HELLO_DONE;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/*
 * Walk the handshake records from p.  A record is used only once it is all
 * present (so *consumed always ends on a record boundary), except in partial
 * mode, where the bytes present are all there will be.  A hello inside the
 * first record is parsed in place; one spread over records is joined in
 * scratch.  A hello that will not fit in scratch is parsed as far as scratch
 * holds, as soon as that much has arrived (see scan_oversize).
 */
enum tls_scan tls_scan_client_hello(const uint8_t *p, size_t len, bool partial,
				    uint8_t *scratch, size_t scratch_len,
				    tls_sni_fn fn, void *ctx, struct tls_hello_info *info,
				    size_t *need, size_t *consumed)
{
	size_t pos = 0;			/* stream offset of the current record */
	size_t got = 0;			/* handshake bytes in scratch */
	size_t want = TLS_HS_HDR;	/* bytes wanted: header, then whole hello */
	size_t hs_len = 0;
	bool sized = false;

	memset(info, 0, sizeof *info);
	*need = 0;
	*consumed = 0;

	for (;;) {
		struct cursor c;
		uint16_t version = 0;
		size_t rec_len = 0, frag, end;
		bool cut;

		cur_init(&c, p, len);
		cur_skip(&c, pos);
		switch (rec_header(&c, &version, &rec_len)) {
		case REC_OTHER:
			/* RFC 8446 §5.1: no other records inside a handshake message. */
			return pos == 0 ? TLS_NOT_HELLO : TLS_HELLO_BAD;
		case REC_SHORT:
			if (!partial) {
				*need = pos + TLS_REC_HDR;
				return TLS_NEED_MORE;
			}
			if (pos == 0)
				return TLS_NOT_HELLO;
			*consumed = len;
			if (!sized)
				return TLS_HELLO_BAD;
			return scan_partial(scratch + TLS_HS_HDR, got - TLS_HS_HDR,
					    hs_len, info, fn, ctx);
		case REC_HANDSHAKE:
			break;
		}
		cur_skip(&c, TLS_REC_HDR);
		frag = min_size(rec_len, cur_left(&c));
		cut = frag < rec_len;
		end = pos + TLS_REC_HDR + rec_len;

		if (pos == 0) {
			if (frag == 0) {
				if (partial)
					return TLS_NOT_HELLO;
				*need = end;
				return TLS_NEED_MORE;
			}
			if (cur_peek(&c, 0) != TLS_HT_CLIENT_HELLO)
				return TLS_NOT_HELLO;
			info->record_version = version;
		}
		if (cut && !partial) {
			*need = end;
			return TLS_NEED_MORE;
		}

		/* The common case: the whole hello in the first record. */
		if (pos == 0 && frag >= TLS_HS_HDR) {
			struct cursor h = c;

			cur_skip(&h, 1);
			hs_len = cur_be24(&h);
			if (hs_len <= rec_len - TLS_HS_HDR) {
				size_t avail = min_size(hs_len, cur_left(&h));
				const uint8_t *body = cur_bytes(&h, avail);

				if (avail == hs_len) {
					*consumed = min_size(end, len);
					return scan_whole(body, hs_len, info, fn, ctx);
				}
				*consumed = len;
				return scan_partial(body, avail, hs_len, info, fn, ctx);
			}
		}

		/* Join this record's share of the hello in scratch. */
		while (frag > 0 && got < want && got < scratch_len) {
			size_t take = min_size(frag, min_size(want - got,
							      scratch_len - got));
			const uint8_t *f = cur_bytes(&c, take);

			if (!f)
				return TLS_HELLO_BAD;
			memcpy(scratch + got, f, take);
			got += take;
			frag -= take;
			if (!sized && got >= TLS_HS_HDR) {
				struct cursor h;

				cur_init(&h, scratch, got);
				cur_skip(&h, 1);
				hs_len = cur_be24(&h);
				want = TLS_HS_HDR + hs_len;
				sized = true;
			}
		}
		*consumed = min_size(end, len);

		if (sized && got == want)
			return scan_whole(scratch + TLS_HS_HDR, hs_len, info,
					  fn, ctx);
		if (got == scratch_len) {
			if (!sized)
				return TLS_HELLO_BAD;	/* scratch below 4 bytes */
			return scan_oversize(scratch + TLS_HS_HDR,
					     got - TLS_HS_HDR, hs_len,
					     info, fn, ctx);
		}
		if (cut) {
			if (!sized)
				return TLS_HELLO_BAD;
			return scan_partial(scratch + TLS_HS_HDR, got - TLS_HS_HDR,
					    hs_len, info, fn, ctx);
		}
		*consumed = 0;
		pos = end;
	}
}
