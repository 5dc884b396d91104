/* test_quic.c — QUIC client Initials: keys and protected packets of RFC 9001
 * Appendix A and RFC 9369 Appendix A, Initials built here (one ClientHello
 * over several packets, coalesced packets) and mangled ones. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "check.h"
#include "quic.h"
#include "stream.h"

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (; h[0] && h[1] && n < cap; h += 2) {
		unsigned v;
		sscanf(h, "%2x", &v);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* RFC 9001 A.1 and RFC 9369 A.1: the DCID and the client's keys. */
static const char *const dcid_hex = "8394c8f03e515708";

/* RFC 9001 A.2 (and RFC 9369 A.2): the client Initial's CRYPTO frame, a
 * ClientHello for "example.com"; the packet is padded to 1162 payload bytes. */
static const char *const a2_crypto =
	"060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
	"04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
	"616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
	"04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
	"baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
	"0d0010000e0403050306030203080408050806002d00020101001c0002400100"
	"3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
	"75300901100f088394c8f03e51570806048000ffff";

static struct stats st;
static struct quic_ctx *qc;

/* ---- an Initial built here: RFC 9001 §5.3, §5.4, RFC 9000 §17.2.2 ---- */

struct pkt {
	uint8_t b[4096];
	size_t n;
};

/* Protect payload as a client Initial of version with packet number pn in
 * pn_len bytes, appended to out.  The long header has no SCID and no token. */
static void build_initial(struct pkt *out, uint32_t version, const uint8_t *dcid, size_t dcid_len,
			  uint32_t pn, size_t pn_len, const uint8_t *payload, size_t len)
{
	uint8_t key[16], iv[12], hp[16], *h = out->b + out->n;
	size_t n = 0;
	int outl = 0;

	CHECK(quic_client_initial_keys(qc, version, dcid, dcid_len, key, iv, hp));
	unsigned type = version == QUIC_V2 ? 1 : 0;
	h[n++] = (uint8_t)(0xc0 | type << 4 | (pn_len - 1));
	for (int i = 3; i >= 0; i--)
		h[n++] = (uint8_t)(version >> (8 * i));
	h[n++] = (uint8_t)dcid_len;
	memcpy(h + n, dcid, dcid_len);
	n += dcid_len;
	h[n++] = 0;					/* SCID */
	h[n++] = 0;					/* token */
	size_t length = pn_len + len + 16;
	h[n++] = (uint8_t)(0x40 | length >> 8);		/* 2-byte varint */
	h[n++] = (uint8_t)length;
	size_t pn_off = n;
	for (size_t i = 0; i < pn_len; i++)
		h[n++] = (uint8_t)(pn >> (8 * (pn_len - 1 - i)));

	uint8_t nonce[12];
	memcpy(nonce, iv, 12);
	for (int i = 0; i < 4; i++)
		nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	CHECK(EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, nonce) == 1);
	CHECK(EVP_EncryptUpdate(c, NULL, &outl, h, (int)n) == 1);
	CHECK(EVP_EncryptUpdate(c, h + n, &outl, payload, (int)len) == 1);
	CHECK(EVP_EncryptFinal_ex(c, h + n + outl, &outl) == 1);
	CHECK(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, h + n + len) == 1);
	EVP_CIPHER_CTX_free(c);

	uint8_t mask[32];
	c = EVP_CIPHER_CTX_new();
	CHECK(EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, hp, NULL) == 1);
	CHECK(EVP_EncryptUpdate(c, mask, &outl, h + pn_off + 4, 16) == 1);
	EVP_CIPHER_CTX_free(c);
	h[0] ^= mask[0] & 0x0f;
	for (size_t i = 0; i < pn_len; i++)
		h[pn_off + i] ^= mask[1 + i];
	out->n += n + len + 16;
}

/* ---- what the reader hands on ---- */

static struct {
	int frames;
	uint64_t off[16];
	size_t len[16];
	uint32_t version;
	uint8_t data[8192];		/* the stream, at its offsets */
	size_t high;
} got;

static void on_crypto(void *ctx, uint32_t version, uint64_t off, const uint8_t *data, size_t len)
{
	if (got.frames < 16) {
		got.off[got.frames] = off;
		got.len[got.frames] = len;
	}
	got.frames++;
	got.version = version;
	if (off + len <= sizeof got.data) {
		memcpy(got.data + off, data, len);
		if (off + len > got.high)
			got.high = (size_t)(off + len);
	}
}

/* Read a datagram from an exactly-sized heap copy (ASan sees overreads). */
static enum quic_datagram datagram(const uint8_t *p, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, p, len);
	memset(&got, 0, sizeof got);
	memset(&st, 0, sizeof st);
	enum quic_datagram r = quic_client_datagram(qc, copy, len, &st, on_crypto, NULL);
	free(copy);
	return r;
}

static uint64_t count(enum stat_id id)
{
	return stat_get(&st, id);
}

static struct {
	int n;
	char name[4][300];
} sni;

static void on_sni(void *ctx, const struct tls_hello_info *info, const char *name, size_t len)
{
	if (sni.n < 4 && len < sizeof sni.name[0]) {
		memcpy(sni.name[sni.n], name, len);
		sni.name[sni.n][len] = 0;
	}
	sni.n++;
}

static enum tls_scan scan(const uint8_t *p, size_t len, bool full, bool *cut)
{
	struct tls_hello_info info;
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, p, len);
	memset(&sni, 0, sizeof sni);
	enum tls_scan r = quic_scan_hello(copy, len, full, &info, on_sni, NULL, cut);
	free(copy);
	return r;
}

static uint8_t dcid[8];
static uint8_t a2_payload[1162];

static void test_keys(void)
{
	uint8_t key[16], iv[12], hp[16], want[16];

	CHECK(quic_client_initial_keys(qc, QUIC_V1, dcid, 8, key, iv, hp));
	unhex("1f369613dd76d5467730efcbe3b1a22d", want, 16);	/* RFC 9001 A.1 */
	CHECK(memcmp(key, want, 16) == 0);
	unhex("fa044b2f42a3fd3b46fb255c", want, 12);
	CHECK(memcmp(iv, want, 12) == 0);
	unhex("9f50449e04a0e810283a1e9933adedd2", want, 16);
	CHECK(memcmp(hp, want, 16) == 0);

	CHECK(quic_client_initial_keys(qc, QUIC_V2, dcid, 8, key, iv, hp));
	unhex("8b1a0bc121284290a29e0971b5cd045d", want, 16);	/* RFC 9369 A.1 */
	CHECK(memcmp(key, want, 16) == 0);
	unhex("91f73e2351d8fa91660e909f", want, 12);
	CHECK(memcmp(iv, want, 12) == 0);
	unhex("45b95e15235d6f45a6b19cbcb0294ba9", want, 16);
	CHECK(memcmp(hp, want, 16) == 0);

	CHECK(!quic_client_initial_keys(qc, 0x12345678, dcid, 8, key, iv, hp));
	CHECK(!quic_client_initial_keys(qc, QUIC_V1, dcid, 21, key, iv, hp));
}

/* The RFC's protected client Initial, rebuilt (packet number 2 in 4 bytes):
 * its header, header-protection sample and tag are those the RFC prints,
 * the tag vouching for every byte; then read back. */
static void test_rfc_initial(uint32_t version, const char *hdr_hex, const char *sample_hex,
			     const char *tag_hex)
{
	static struct pkt p;
	uint8_t want[32];

	p.n = 0;
	build_initial(&p, version, dcid, 8, 2, 4, a2_payload, sizeof a2_payload);
	CHECK_EQ(p.n, 1200);
	CHECK(memcmp(p.b, want, unhex(hdr_hex, want, sizeof want)) == 0);
	CHECK(memcmp(p.b + 22, want, unhex(sample_hex, want, sizeof want)) == 0);
	CHECK(memcmp(p.b + 1200 - 16, want, unhex(tag_hex, want, sizeof want)) == 0);

	CHECK_EQ(datagram(p.b, p.n), QUIC_SEEN);
	CHECK_EQ(count(ST_quic_initials), 1);
	CHECK_EQ(got.frames, 1);
	CHECK_EQ(got.off[0], 0);
	CHECK_EQ(got.len[0], 241);
	CHECK_EQ(got.version, version);
	CHECK(memcmp(got.data, a2_payload + 4, 241) == 0);

	bool cut;
	CHECK_EQ(scan(got.data, got.high, false, &cut), TLS_HELLO_DONE);
	CHECK_EQ(sni.n, 1);
	CHECK_STR(sni.name[0], "example.com");
	CHECK(!cut);

	/* A bad tag: one bit of the ciphertext, or of the header it covers. */
	p.b[600] ^= 1;
	CHECK_EQ(datagram(p.b, p.n), QUIC_SEEN);
	CHECK_EQ(count(ST_quic_decrypt_failed), 1);
	CHECK_EQ(count(ST_quic_initials), 0);
	CHECK_EQ(got.frames, 0);
	p.b[600] ^= 1;
	p.b[10] ^= 0x80;				/* in the DCID: other keys */
	CHECK_EQ(datagram(p.b, p.n), QUIC_SEEN);
	CHECK_EQ(count(ST_quic_decrypt_failed), 1);
	p.b[10] ^= 0x80;
	/* The packet-number length bits under protection, flipped. */
	p.b[0] ^= 0x01;
	CHECK_EQ(datagram(p.b, p.n), QUIC_SEEN);
	CHECK_EQ(count(ST_quic_decrypt_failed), 1);
	p.b[0] ^= 0x01;

	/* Truncated: the Length runs past the datagram, at every cut. */
	for (size_t cut_at = 1; cut_at < p.n; cut_at += 37) {
		enum quic_datagram r = datagram(p.b, cut_at);
		CHECK_EQ(got.frames, 0);
		if (cut_at >= 5)
			CHECK_EQ(r, QUIC_SEEN);
		if (cut_at >= 5 && count(ST_quic_truncated) != 1)
			fprintf(stderr, "cut at %zu\n", cut_at);
		if (cut_at >= 5)
			CHECK_EQ(count(ST_quic_truncated), 1);
	}
	CHECK_EQ(datagram(p.b, 4), QUIC_NOT_QUIC);
}

static void test_header_faults(void)
{
	static struct pkt p;
	uint8_t b[64];
	size_t n;

	/* A DCID length over 20 (RFC 9000 §17.2). */
	n = unhex("c00000000115", b, sizeof b);
	memset(b + n, 0x11, 21 + 1 + 1 + 2 + 20);
	CHECK_EQ(datagram(b, n + 45), QUIC_SEEN);
	CHECK_EQ(count(ST_quic_malformed), 1);
	/* An SCID length over 20. */
	n = unhex("c0000000010401020304ff", b, sizeof b);
	memset(b + n, 0, 40);
	CHECK_EQ(datagram(b, n + 40), QUIC_SEEN);
	CHECK_EQ(count(ST_quic_malformed), 1);
	/* The datagram ends inside the DCID. */
	n = unhex("c000000001080102030405", b, sizeof b);
	CHECK_EQ(datagram(b, n), QUIC_SEEN);
	CHECK_EQ(count(ST_quic_truncated), 1);
	/* Too short for a 4-byte packet number and the 16-byte sample (§5.4.2). */
	n = unhex("c0000000010401020304000013", b, sizeof b);
	memset(b + n, 0x5a, 19);
	CHECK_EQ(datagram(b, n + 19), QUIC_SEEN);
	CHECK_EQ(count(ST_quic_malformed), 1);
	CHECK_EQ(count(ST_quic_decrypt_failed), 0);
	/* A token length past the datagram. */
	n = unhex("c00000000104010203040044ff", b, sizeof b);
	memset(b + n, 0, 30);
	CHECK_EQ(datagram(b, n + 30), QUIC_SEEN);
	CHECK_EQ(count(ST_quic_truncated), 1);

	/* A short DCID (after a Retry the server picks it) and an empty one
	 * are read: the keys come from whatever the DCID is. */
	static const uint8_t four[4] = { 1, 2, 3, 4 };
	p.n = 0;
	build_initial(&p, QUIC_V1, four, 4, 0, 1, a2_payload, sizeof a2_payload);
	CHECK_EQ(datagram(p.b, p.n), QUIC_SEEN);
	CHECK_EQ(count(ST_quic_initials), 1);
	CHECK_EQ(got.len[0], 241);
	p.n = 0;
	build_initial(&p, QUIC_V2, four, 0, 7, 2, a2_payload, sizeof a2_payload);
	CHECK_EQ(datagram(p.b, p.n), QUIC_SEEN);
	CHECK_EQ(count(ST_quic_initials), 1);

	/* Versions: Google QUIC and old drafts are QUIC, not decrypted; other
	 * values are not QUIC at all; version negotiation is not an Initial. */
	n = unhex("c05130353008", b, sizeof b);
	memset(b + n, 0, 40);
	CHECK_EQ(datagram(b, n + 40), QUIC_SEEN);
	CHECK_EQ(count(ST_quic_unsupported_version), 1);
	n = unhex("c0ff00001b08", b, sizeof b);
	CHECK_EQ(datagram(b, n + 40), QUIC_SEEN);
	CHECK_EQ(count(ST_quic_unsupported_version), 1);
	n = unhex("c01234567808", b, sizeof b);
	CHECK_EQ(datagram(b, n + 40), QUIC_NOT_QUIC);
	CHECK_EQ(count(ST_quic_unsupported_version) + count(ST_quic_malformed), 0);
	n = unhex("c00000000008", b, sizeof b);
	CHECK_EQ(datagram(b, n + 40), QUIC_NOT_QUIC);
	/* A short header is not read. */
	CHECK_EQ(datagram((const uint8_t *)"\x40\x01\x02\x03\x04\x05", 6), QUIC_NOT_QUIC);
}

/* Frames: payload built here, protected, read back. */
static void frames(const uint8_t *payload, size_t len)
{
	static struct pkt p;
	static uint8_t padded[1200];
	memcpy(padded, payload, len);
	memset(padded + len, 0, sizeof padded - len);	/* PADDING to 1200 */
	p.n = 0;
	build_initial(&p, QUIC_V1, dcid, 8, 0, 1, padded, len < 40 ? 40 : len);
	datagram(p.b, p.n);
	CHECK_EQ(count(ST_quic_initials), 1);
}

static void test_frames(void)
{
	uint8_t b[256];
	size_t n;

	/* PING, ACK with two ranges, ACK_ECN, PADDING, then two CRYPTO frames;
	 * a CONNECTION_CLOSE at the end. */
	n = unhex("01" "020a00010002010101" "030a0000000102" "0000"
		  "060003616263" "0603026465" "1c000003626f6f", b, sizeof b);
	frames(b, n);
	CHECK_EQ(count(ST_quic_malformed), 0);
	CHECK_EQ(got.frames, 2);
	CHECK_EQ(got.off[1], 3);
	CHECK(memcmp(got.data, "abcde", 5) == 0);

	/* An unknown frame type (STREAM is not allowed in an Initial). */
	n = unhex("0603026465" "0800", b, sizeof b);
	frames(b, n);
	CHECK_EQ(count(ST_quic_malformed), 1);
	CHECK_EQ(got.frames, 1);			/* what came before stands */
	/* A CRYPTO frame longer than the packet. */
	n = unhex("06004fff6465", b, sizeof b);
	frames(b, n);
	CHECK_EQ(count(ST_quic_malformed), 1);
	CHECK_EQ(got.frames, 0);
	/* A CRYPTO offset past 2^62 - 1 with its length. */
	n = unhex("06ffffffffffffffff026465", b, sizeof b);
	frames(b, n);
	CHECK_EQ(count(ST_quic_malformed), 1);
	CHECK_EQ(got.frames, 0);
	/* An offset far beyond any window is handed on (the caller bounds it). */
	n = unhex("06ffffffffffff0000026465", b, sizeof b);
	frames(b, n);
	CHECK_EQ(count(ST_quic_malformed), 0);
	CHECK_EQ(got.frames, 1);
	CHECK_EQ(got.off[0], 0x3fffffffffff0000ll);
	/* An ACK claiming 2^62 ranges. */
	n = unhex("0200" "00" "bfffffffffffffff" "00", b, sizeof b);
	frames(b, n);
	CHECK_EQ(count(ST_quic_malformed), 1);
	/* A CONNECTION_CLOSE reason past the end. */
	n = unhex("1c0000" "4fff", b, sizeof b);
	frames(b, n);
	CHECK_EQ(count(ST_quic_malformed), 1);
}

/* Coalesced packets (RFC 9000 §12.2): Initial, Handshake, Initial in one
 * datagram, then padding; and more than the cap. */
static void test_coalesced(void)
{
	static struct pkt p;
	uint8_t hs[40];
	size_t n;

	p.n = 0;
	build_initial(&p, QUIC_V1, dcid, 8, 0, 1, a2_payload, 300);
	n = unhex("e00000000108010203040506070800" "14", hs, sizeof hs);
	memset(hs + n, 0x77, 20);
	memcpy(p.b + p.n, hs, n + 20);
	p.n += n + 20;
	build_initial(&p, QUIC_V1, dcid, 8, 1, 2, a2_payload, 300);
	memset(p.b + p.n, 0, 100);			/* padding after the last */
	p.n += 100;
	CHECK_EQ(datagram(p.b, p.n), QUIC_SEEN);
	CHECK_EQ(count(ST_quic_initials), 2);
	CHECK_EQ(count(ST_quic_not_initial), 1);
	CHECK_EQ(got.frames, 2);

	/* Ten Initials in a datagram: eight are read. */
	p.n = 0;
	for (uint32_t i = 0; i < 10; i++)
		build_initial(&p, QUIC_V1, dcid, 8, i, 1, a2_payload, 300);
	CHECK_EQ(datagram(p.b, p.n), QUIC_SEEN);
	CHECK_EQ(count(ST_quic_initials), QUIC_DATAGRAM_PACKETS);
	CHECK_EQ(count(ST_quic_coalesced_capped), 1);

	/* A Retry ends the datagram. */
	n = unhex("f00000000108010203040506070800", hs, sizeof hs);
	memset(hs + n, 0x55, 20);
	CHECK_EQ(datagram(hs, n + 20), QUIC_SEEN);
	CHECK_EQ(count(ST_quic_not_initial), 1);
}

/* The stream parser the worker uses, here on its own. */
static bool hello_done;
static size_t hello_parser(void *ctx, const uint8_t *p, size_t len, bool full, bool *done)
{
	bool cut;
	if (!p) {
		*done = true;
		return 0;
	}
	enum tls_scan r = scan(p, len, full, &cut);
	if (r != TLS_NEED_MORE) {
		*done = true;
		hello_done = r == TLS_HELLO_DONE;
	}
	return 0;
}

static struct stream_pool *pool;
static struct stream_dir sd;

static void to_stream(void *ctx, uint32_t version, uint64_t off, const uint8_t *data, size_t len)
{
	stream_segment(pool, &sd, (uint32_t)off, data, len, hello_parser, NULL);
}

/* A ClientHello of about 1600 bytes (a post-quantum key share) for
 * pq.example.net, into hs; its length. */
static size_t pq_hello(uint8_t *hs)
{
	size_t n = 0, body;

	/* handshake header, then a body: version, random, session id, suites,
	 * compression, extensions: key_share of 1500 bytes, server_name. */
	hs[n++] = 1;
	n += 3;
	body = n;
	hs[n++] = 3, hs[n++] = 3;
	memset(hs + n, 0x42, 32), n += 32;
	hs[n++] = 0;
	hs[n++] = 0, hs[n++] = 2, hs[n++] = 0x13, hs[n++] = 0x01;
	hs[n++] = 1, hs[n++] = 0;
	size_t exts = n;
	n += 2;
	hs[n++] = 0, hs[n++] = 51, hs[n++] = 1500 >> 8, hs[n++] = 1500 & 0xff;
	memset(hs + n, 0x99, 1500), n += 1500;
	static const char name[] = "pq.example.net";
	size_t nl = sizeof name - 1;
	hs[n++] = 0, hs[n++] = 0, hs[n++] = 0, hs[n++] = (uint8_t)(nl + 5);
	hs[n++] = 0, hs[n++] = (uint8_t)(nl + 3), hs[n++] = 0, hs[n++] = 0, hs[n++] = (uint8_t)nl;
	memcpy(hs + n, name, nl), n += nl;
	hs[exts] = (uint8_t)((n - exts - 2) >> 8), hs[exts + 1] = (uint8_t)(n - exts - 2);
	hs[1] = 0, hs[2] = (uint8_t)((n - body) >> 8), hs[3] = (uint8_t)(n - body);

	return n;
}

/* A ClientHello of 1800 bytes (a post-quantum key share) over two Initials,
 * the second arriving first. */
static void test_two_packet_hello(void)
{
	static uint8_t hs[2000];
	static struct pkt p1, p2;
	static uint8_t f[1400];
	size_t n = pq_hello(hs);

	size_t half = 1100;
	f[0] = 6, f[1] = 0, f[2] = (uint8_t)(0x40 | half >> 8), f[3] = (uint8_t)half;
	memcpy(f + 4, hs, half);
	p1.n = 0;
	build_initial(&p1, QUIC_V1, dcid, 8, 0, 1, f, 4 + half);
	size_t rest = n - half;
	f[0] = 6, f[1] = (uint8_t)(0x40 | half >> 8), f[2] = (uint8_t)half;
	f[3] = (uint8_t)(0x40 | rest >> 8), f[4] = (uint8_t)rest;
	memcpy(f + 5, hs + half, rest);
	p2.n = 0;
	build_initial(&p2, QUIC_V1, dcid, 8, 1, 1, f, 5 + rest);

	memset(&st, 0, sizeof st);
	pool = stream_pool_new(4, 16384, &st);
	stream_init(&sd);
	stream_syn(pool, &sd, UINT32_MAX);
	hello_done = false;
	memset(&sni, 0, sizeof sni);
	quic_client_datagram(qc, p2.b, p2.n, &st, to_stream, NULL);
	CHECK(!sd.done);
	CHECK_EQ(sni.n, 0);
	quic_client_datagram(qc, p1.b, p1.n, &st, to_stream, NULL);
	CHECK(sd.done);
	CHECK(hello_done);
	CHECK_EQ(sni.n, 1);
	CHECK_STR(sni.name[0], "pq.example.net");
	CHECK_EQ(stat_get(&st, ST_quic_initials), 2);

	stream_pool_free(pool);

	/* A window smaller than the hello: read as far as it goes once full,
	 * and the name after the cut is not invented. */
	bool cut;
	CHECK_EQ(scan(hs, 1024, true, &cut), TLS_HELLO_DONE);
	CHECK(cut);
	CHECK_EQ(sni.n, 0);
}

/* The ClientHello in one Initial as 10 CRYPTO frames out of order, with PING
 * and PADDING between them, as browsers send it (Chrome's "chaos
 * protection"): taken in the order they come, five pieces would wait apart
 * before the first, more than the reassembly keeps ranges for. */
static void test_shuffled_crypto(void)
{
	static uint8_t hs[2000], f[2400];
	static struct pkt p;
	static const int order[10] = { 1, 3, 5, 7, 9, 0, 2, 4, 6, 8 };
	size_t n = pq_hello(hs), piece = (n + 9) / 10, fl = 0;

	for (int k = 0; k < 10; k++) {
		size_t off = (size_t)order[k] * piece;
		size_t len = off + piece > n ? n - off : piece;
		f[fl++] = 6;
		f[fl++] = (uint8_t)(0x40 | off >> 8), f[fl++] = (uint8_t)off;
		f[fl++] = (uint8_t)(0x40 | len >> 8), f[fl++] = (uint8_t)len;
		memcpy(f + fl, hs + off, len);
		fl += len;
		f[fl++] = k % 2 ? 1 : 0;            /* PING or PADDING */
	}
	p.n = 0;
	build_initial(&p, QUIC_V1, dcid, 8, 0, 1, f, fl);

	memset(&st, 0, sizeof st);
	pool = stream_pool_new(4, 16384, &st);
	stream_init(&sd);
	stream_syn(pool, &sd, UINT32_MAX);
	hello_done = false;
	memset(&sni, 0, sizeof sni);
	quic_client_datagram(qc, p.b, p.n, &st, to_stream, NULL);
	CHECK(sd.done);
	CHECK(hello_done);
	CHECK_EQ(sni.n, 1);
	if (sni.n)
		CHECK_STR(sni.name[0], "pq.example.net");
	stream_pool_free(pool);
}

static void test_scan(void)
{
	bool cut;
	static uint8_t hs[300];

	CHECK_EQ(scan((const uint8_t *)"\x01\x00", 2, false, &cut), TLS_NEED_MORE);
	CHECK_EQ(scan((const uint8_t *)"\x01\x00", 2, true, &cut), TLS_HELLO_BAD);
	CHECK_EQ(scan((const uint8_t *)"\x02\x00\x00\x04xxxx", 8, false, &cut), TLS_NOT_HELLO);
	size_t n = unhex(a2_crypto + 8, hs, sizeof hs);
	CHECK_EQ(n, 241);
	CHECK_EQ(scan(hs, 100, false, &cut), TLS_NEED_MORE);
	/* a prefix holding the server_name */
	CHECK_EQ(scan(hs, 100, true, &cut), TLS_HELLO_DONE);
	CHECK(cut);
	CHECK_STR(sni.name[0], "example.com");
	/* a lying length inside the hello */
	hs[4 + 2 + 32 + 1 + 1] = 0xff;			/* cipher_suites length */
	CHECK_EQ(scan(hs, n, false, &cut), TLS_HELLO_BAD);
}

static void test_names(void)
{
	char b[16];
	CHECK_STR(quic_version_name(QUIC_V1, b, sizeof b), "1");
	CHECK_STR(quic_version_name(QUIC_V2, b, sizeof b), "2");
	CHECK_STR(quic_version_name(0xff00001d, b, sizeof b), "draft-29");
	CHECK_STR(quic_version_name(0x1a2a3a4a, b, sizeof b), "0x1a2a3a4a");
}

int main(void)
{
	qc = quic_new();
	CHECK(qc != NULL);
	unhex(dcid_hex, dcid, sizeof dcid);
	memset(a2_payload, 0, sizeof a2_payload);
	CHECK_EQ(unhex(a2_crypto, a2_payload, sizeof a2_payload), 245);

	test_keys();
	/* RFC 9001 A.2 and RFC 9369 A.2: header, sample, tag. */
	test_rfc_initial(QUIC_V1, "c000000001088394c8f03e5157080000449e7b9aec34",
			 "d1b1c98dd7689fb8ec11d242b123dc9b", "e221af44860018ab0856972e194cd934");
	test_rfc_initial(QUIC_V2, "d76b3343cf088394c8f03e5157080000449ea0c95e82",
			 "ffe67b6abcdb4298b485dd04de806071", "a18b2faa745b6fe189cf772a9f84cbfc");
	test_header_faults();
	test_frames();
	test_coalesced();
	test_two_packet_hello();
	test_shuffled_crypto();
	test_scan();
	test_names();
	quic_free(qc);
	return check_report("quic");
}
