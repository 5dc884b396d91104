/* quic.c — client Initial packets: long header (RFC 9000 §17.2), initial
 * keys (RFC 9001 §5.2, RFC 9369 §3.3), header protection (RFC 9001 §5.4),
 * AES-128-GCM (RFC 9001 §5.3), frames (RFC 9000 §19), and the ClientHello
 * at the start of the CRYPTO stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SHA256_Init() and friends are deprecated in OpenSSL 3 in favour of EVP,
 * whose HMAC allocates on every key (25 allocations a connection were
 * measured).  A SHA256_CTX is a plain struct: HMAC's two padded keys are
 * hashed once into contexts that are then copied by value. */
#define OPENSSL_API_COMPAT 0x10101000L
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include "cursor.h"
#include "quic.h"

#define SHA256_LEN	32
#define AEAD_KEY	16
#define AEAD_IV		12
#define AEAD_TAG	16
#define HP_SAMPLE	16
#define PN_MAX		4
#define VARINT_MAX	((1ull << 62) - 1)
#define PLAIN_MAX	65536		/* a UDP payload's bytes, at most */

#define FRAME_PADDING	0x00
#define FRAME_PING	0x01
#define FRAME_ACK	0x02
#define FRAME_ACK_ECN	0x03
#define FRAME_CRYPTO	0x06
#define FRAME_CLOSE	0x1c		/* transport CONNECTION_CLOSE; 0x1d is not allowed in Initials */

/* What differs between the versions' Initial packets. */
struct suite {
	const uint8_t *salt;		/* 20 bytes */
	const char *key_label, *iv_label, *hp_label;
	uint8_t type_initial, type_retry;	/* long packet types */
};

/* RFC 9001 §5.2 (also drafts 33 and 34) */
static const uint8_t salt_v1[20] = {
	0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
	0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
};
/* RFC 9369 §3.3.1 */
static const uint8_t salt_v2[20] = {
	0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
	0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9,
};
/* draft-ietf-quic-tls-29 §5.2 (drafts 29 to 32) */
static const uint8_t salt_d29[20] = {
	0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
	0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99,
};

/* Packet types: RFC 9000 §17.2 (Initial 0, Retry 3); RFC 9369 §3.2 (Initial 1, Retry 0). */
enum { SUITE_V1, SUITE_V2, SUITE_D29, SUITES };
static const struct suite suites[SUITES] = {
	[SUITE_V1] = { salt_v1, "quic key", "quic iv", "quic hp", 0, 3 },
	[SUITE_V2] = { salt_v2, "quicv2 key", "quicv2 iv", "quicv2 hp", 1, 0 },
	[SUITE_D29] = { salt_d29, "quic key", "quic iv", "quic hp", 0, 3 },
};

#define SUITES_MAX 2			/* tried for one version */

struct keys {
	uint8_t key[AEAD_KEY], iv[AEAD_IV], hp[AEAD_KEY];
};

/* A connection's Initials share their keys, and deriving them costs five
 * HMACs: so each suite keeps the last DCID's keys, its header protection
 * key schedule in hp_ctx. */
struct cached {
	bool valid;
	uint8_t dcid_len;
	uint8_t dcid[QUIC_CID_MAX];
	struct keys k;
	EVP_CIPHER_CTX *hp_ctx;
};

/* HMAC-SHA256 with a key: the inner and outer padded keys, hashed. */
struct hmac_key {
	SHA256_CTX in, out;
};

struct quic_ctx {
	struct hmac_key salt[SUITES];	/* HKDF-Extract's keys, hashed once */
	EVP_CIPHER *ecb, *gcm;		/* fetched once: no implicit fetch per packet */
	EVP_CIPHER_CTX *aead_ctx;
	struct cached cache[SUITES];
	uint8_t plain[PLAIN_MAX];
};

/* HMAC (RFC 2104) key setup for SHA-256: keys here are at most a block. */
static void hmac_init(struct hmac_key *hk, const uint8_t *key, size_t klen)
{
	uint8_t pad[SHA256_CBLOCK];
	memset(pad, 0x36, sizeof pad);
	for (size_t i = 0; i < klen; i++)
		pad[i] ^= key[i];
	SHA256_Init(&hk->in);
	SHA256_Update(&hk->in, pad, sizeof pad);
	for (size_t i = 0; i < sizeof pad; i++)
		pad[i] ^= 0x36 ^ 0x5c;
	SHA256_Init(&hk->out);
	SHA256_Update(&hk->out, pad, sizeof pad);
}

/* HMAC-SHA256(key, a || b). */
static void hmac(const struct hmac_key *hk, const uint8_t *a, size_t alen,
		 const uint8_t *b, size_t blen, uint8_t out[SHA256_LEN])
{
	SHA256_CTX c = hk->in;
	uint8_t inner[SHA256_LEN];
	SHA256_Update(&c, a, alen);
	if (blen)
		SHA256_Update(&c, b, blen);
	SHA256_Final(inner, &c);
	c = hk->out;
	SHA256_Update(&c, inner, sizeof inner);
	SHA256_Final(out, &c);
}

struct quic_ctx *quic_new(void)
{
	static const uint8_t zero[AEAD_KEY];
	struct quic_ctx *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	for (int i = 0; i < SUITES; i++)
		hmac_init(&q->salt[i], suites[i].salt, 20);
	q->ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	q->gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	q->aead_ctx = EVP_CIPHER_CTX_new();
	if (!q->ecb || !q->gcm || !q->aead_ctx ||
	    EVP_DecryptInit_ex2(q->aead_ctx, q->gcm, NULL, NULL, NULL) != 1) {
		quic_free(q);
		return NULL;
	}
	for (int i = 0; i < SUITES; i++) {
		EVP_CIPHER_CTX *c = q->cache[i].hp_ctx = EVP_CIPHER_CTX_new();
		if (!c || EVP_EncryptInit_ex2(c, q->ecb, zero, NULL, NULL) != 1 ||
		    EVP_CIPHER_CTX_set_padding(c, 0) != 1) {
			quic_free(q);
			return NULL;
		}
	}
	return q;
}

void quic_free(struct quic_ctx *q)
{
	if (!q)
		return;
	EVP_CIPHER_CTX_free(q->aead_ctx);
	for (int i = 0; i < SUITES; i++)
		EVP_CIPHER_CTX_free(q->cache[i].hp_ctx);
	EVP_CIPHER_free(q->gcm);
	EVP_CIPHER_free(q->ecb);
	free(q);
}

/* HKDF-Expand-Label(secret, label, "", len) (RFC 8446 §7.1) for len up to
 * one hash: HKDF-Expand (RFC 5869 §2.3) is then a single HMAC of
 * HkdfLabel || 0x01. */
static bool expand_label(const struct hmac_key *secret, const char *label, uint8_t *out, size_t len)
{
	uint8_t info[2 + 1 + 6 + 32 + 1 + 1], t[SHA256_LEN];
	size_t ll = strlen(label), n = 0;
	static const uint8_t one = 1;

	if (ll > 32 || len > SHA256_LEN)
		return false;
	info[n++] = (uint8_t)(len >> 8);
	info[n++] = (uint8_t)len;
	info[n++] = (uint8_t)(6 + ll);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, ll);
	n += ll;
	info[n++] = 0;				/* empty context */
	hmac(secret, info, n, &one, 1, t);
	memcpy(out, t, len);
	return true;
}

/* RFC 9001 §5.2: initial_secret = HKDF-Extract(salt, dcid), then the client's
 * secret and from it the packet protection keys (§5.1). */
static bool derive(struct quic_ctx *q, int si, const uint8_t *dcid, size_t dcid_len, struct keys *k)
{
	const struct suite *s = &suites[si];
	uint8_t initial[SHA256_LEN], client[SHA256_LEN];
	struct hmac_key hk;

	hmac(&q->salt[si], dcid, dcid_len, NULL, 0, initial);
	hmac_init(&hk, initial, sizeof initial);
	if (!expand_label(&hk, "client in", client, SHA256_LEN))
		return false;
	hmac_init(&hk, client, sizeof client);
	return expand_label(&hk, s->key_label, k->key, AEAD_KEY) &&
	       expand_label(&hk, s->iv_label, k->iv, AEAD_IV) &&
	       expand_label(&hk, s->hp_label, k->hp, AEAD_KEY);
}

/* The keys of suite si for dcid, derived unless they are its last ones. */
static struct cached *keys_for(struct quic_ctx *q, int si, const uint8_t *dcid, size_t dcid_len)
{
	struct cached *c = &q->cache[si];
	if (c->valid && c->dcid_len == dcid_len && memcmp(c->dcid, dcid, dcid_len) == 0)
		return c;
	c->valid = false;
	if (!derive(q, si, dcid, dcid_len, &c->k) ||
	    EVP_EncryptInit_ex2(c->hp_ctx, NULL, c->k.hp, NULL, NULL) != 1)
		return NULL;
	c->valid = true;
	c->dcid_len = (uint8_t)dcid_len;
	memcpy(c->dcid, dcid, dcid_len);
	return c;
}

bool quic_client_initial_keys(struct quic_ctx *q, uint32_t version, const uint8_t *dcid,
			      size_t dcid_len, uint8_t key[16], uint8_t iv[12], uint8_t hp[16])
{
	int si = version == QUIC_V2 ? SUITE_V2 : version == QUIC_V1 ? SUITE_V1 : -1;
	struct keys k;
	if (si < 0 || dcid_len > QUIC_CID_MAX || !derive(q, si, dcid, dcid_len, &k))
		return false;
	memcpy(key, k.key, AEAD_KEY);
	memcpy(iv, k.iv, AEAD_IV);
	memcpy(hp, k.hp, AEAD_KEY);
	return true;
}

/* The key suites a version's Initials may use, most likely first; 0 for a
 * QUIC version whose Initials cannot be read (Google QUIC, older drafts,
 * vendor versions), -1 for a value that is no QUIC version. */
static int suites_of(uint32_t v, int out[SUITES_MAX])
{
	if (v == QUIC_V1) {
		out[0] = SUITE_V1;
		return 1;
	}
	if (v == QUIC_V2) {
		out[0] = SUITE_V2;
		return 1;
	}
	if (v >= 0xff00001d && v <= 0xff000022) {
		/* drafts 29 to 34: the salt changed to v1's in draft 33; the
		 * tag tells which one a packet used */
		out[0] = SUITE_D29;
		out[1] = SUITE_V1;
		return 2;
	}
	if ((v & 0x0f0f0f0f) == 0x0a0a0a0a) {
		/* RFC 9000 §15: reserved to force version negotiation.  Its
		 * keys are defined nowhere; clients use those of a version
		 * they speak (tshark assumes draft 29), so try v1 and draft 29. */
		out[0] = SUITE_V1;
		out[1] = SUITE_D29;
		return 2;
	}
	if ((v >> 8) == 0xff0000 || (v >> 4) == 0xfaceb00 ||
	    ((v >> 24 == 'Q' || v >> 24 == 'T') && (v >> 16 & 0xff) == '0'))
		return 0;
	return -1;
}

const char *quic_version_name(uint32_t v, char *buf, size_t cap)
{
	if (v == QUIC_V1)
		snprintf(buf, cap, "1");
	else if (v == QUIC_V2)
		snprintf(buf, cap, "2");
	else if ((v >> 8) == 0xff0000)
		snprintf(buf, cap, "draft-%u", v & 0xff);
	else
		snprintf(buf, cap, "0x%08x", v);
	return buf;
}

/* A variable-length integer (RFC 9000 §16). */
static uint64_t cur_varint(struct cursor *c)
{
	uint8_t b = cur_u8(c);
	unsigned more = (1u << (b >> 6)) - 1;
	uint64_t v = b & 0x3f;
	for (unsigned i = 0; i < more; i++)
		v = v << 8 | cur_u8(c);
	return v;
}

/*
 * Remove header protection and decrypt the packet pkt[0..pn_off + length)
 * whose packet number starts at pn_off.  Returns the plaintext length in
 * q->plain, or -1 when the tag does not verify.  The packet stays as it is
 * (the capture's bytes): the unprotected first byte and packet number are
 * fed to the AEAD as the pieces of its associated data.
 */
static long decrypt(struct quic_ctx *q, int si, const uint8_t *pkt, size_t pn_off,
		    size_t length, const uint8_t *dcid, size_t dcid_len)
{
	uint8_t mask[2 * HP_SAMPLE], first, pn[PN_MAX], nonce[AEAD_IV], tag[AEAD_TAG];
	int n = 0, fin = 0;
	struct cached *c = keys_for(q, si, dcid, dcid_len);

	if (!c)
		return -1;
	/* §5.4.2: the sample starts 4 bytes after the packet number's start. */
	if (EVP_EncryptUpdate(c->hp_ctx, mask, &n, pkt + pn_off + PN_MAX, HP_SAMPLE) != 1 ||
	    n != HP_SAMPLE)
		return -1;
	first = pkt[0] ^ (mask[0] & 0x0f);		/* §5.4.1: long header */
	size_t pn_len = (size_t)(first & 3) + 1;
	uint64_t number = 0;
	for (size_t i = 0; i < pn_len; i++) {
		pn[i] = pkt[pn_off + i] ^ mask[1 + i];
		number = number << 8 | pn[i];
	}
	/* §5.3: the nonce is the IV xor the packet number, left-padded.  An
	 * Initial's number is its truncated one: a client's first packets are
	 * numbered from 0 (RFC 9000 §12.3, A.3 with nothing acknowledged). */
	memcpy(nonce, c->k.iv, AEAD_IV);
	for (size_t i = 0; i < 8; i++)
		nonce[AEAD_IV - 1 - i] ^= (uint8_t)(number >> (8 * i));

	size_t ct_len = length - pn_len - AEAD_TAG;	/* length >= PN_MAX + HP_SAMPLE */
	const uint8_t *ct = pkt + pn_off + pn_len;
	if (ct_len > PLAIN_MAX)
		return -1;
	memcpy(tag, ct + ct_len, AEAD_TAG);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, AEAD_TAG),
		OSSL_PARAM_construct_end(),
	};
	if (EVP_DecryptInit_ex2(q->aead_ctx, NULL, c->k.key, nonce, NULL) != 1 ||
	    EVP_DecryptUpdate(q->aead_ctx, NULL, &n, &first, 1) != 1 ||
	    EVP_DecryptUpdate(q->aead_ctx, NULL, &n, pkt + 1, (int)(pn_off - 1)) != 1 ||
	    EVP_DecryptUpdate(q->aead_ctx, NULL, &n, pn, (int)pn_len) != 1 ||
	    EVP_DecryptUpdate(q->aead_ctx, q->plain, &n, ct, (int)ct_len) != 1 ||
	    EVP_CIPHER_CTX_set_params(q->aead_ctx, params) != 1 ||
	    EVP_DecryptFinal_ex(q->aead_ctx, q->plain + n, &fin) != 1)
		return -1;
	return (long)n + fin;
}

/* The frames of a decrypted Initial (RFC 9000 §19; §12.4: an Initial may
 * carry only PADDING, PING, ACK, CRYPTO and CONNECTION_CLOSE).  Every frame
 * takes at least a byte and every count is checked against the bytes left,
 * so the walk ends within the packet. */
/* CRYPTO frames of one packet, held to be handed on in order of offset:
 * browsers send a ClientHello's pieces shuffled within a packet (Chrome's
 * "chaos protection"), more pieces apart than stream reassembly keeps
 * ranges for.  (A packet of more than CRYPTO_HELD: sorted by the batch.) */
#define CRYPTO_HELD 32

struct crypto_piece {
	uint64_t off;
	const uint8_t *data;
	size_t len;
};

static void hand_on(struct crypto_piece *pc, size_t n, uint32_t version, quic_crypto_fn fn, void *ctx)
{
	for (size_t i = 1; i < n; i++)            /* insertion sort: n is small */
		for (size_t k = i; k > 0 && pc[k - 1].off > pc[k].off; k--) {
			struct crypto_piece t = pc[k];
			pc[k] = pc[k - 1];
			pc[k - 1] = t;
		}
	for (size_t i = 0; i < n; i++)
		fn(ctx, version, pc[i].off, pc[i].data, pc[i].len);
}

static void walk_frames(const uint8_t *p, size_t len, uint32_t version, struct stats *st,
			quic_crypto_fn fn, void *ctx, struct crypto_piece *held, size_t *nheld)
{
	struct cursor c;
	cur_init(&c, p, len);
	while (cur_left(&c) > 0) {
		uint64_t type = cur_varint(&c), n, off;
		const uint8_t *data;

		switch (type) {
		case FRAME_PADDING:
			while (cur_left(&c) > 0 && cur_peek(&c, 0) == 0)
				cur_skip(&c, 1);
			break;
		case FRAME_PING:
			break;
		case FRAME_ACK:
		case FRAME_ACK_ECN:
			cur_varint(&c);			/* largest acknowledged */
			cur_varint(&c);			/* delay */
			n = cur_varint(&c);		/* range count */
			cur_varint(&c);			/* first range */
			if (n > cur_left(&c) / 2) {	/* a range takes 2 bytes at least */
				stat_inc(st, ST_quic_malformed);
				return;
			}
			for (uint64_t i = 0; i < n && cur_ok(&c); i++) {
				cur_varint(&c);		/* gap */
				cur_varint(&c);		/* length */
			}
			if (type == FRAME_ACK_ECN) {
				cur_varint(&c);
				cur_varint(&c);
				cur_varint(&c);
			}
			break;
		case FRAME_CRYPTO:
			off = cur_varint(&c);
			n = cur_varint(&c);
			if (!cur_ok(&c) || n > cur_left(&c) || off + n > VARINT_MAX) {
				stat_inc(st, ST_quic_malformed);
				return;
			}
			data = cur_bytes(&c, (size_t)n);
			if (!n)
				break;
			if (*nheld == CRYPTO_HELD) {
				hand_on(held, *nheld, version, fn, ctx);
				*nheld = 0;
			}
			held[(*nheld)++] = (struct crypto_piece){ off, data, (size_t)n };
			break;
		case FRAME_CLOSE:
			cur_varint(&c);			/* error code */
			cur_varint(&c);			/* frame type */
			n = cur_varint(&c);
			if (n > cur_left(&c)) {
				stat_inc(st, ST_quic_malformed);
				return;
			}
			cur_skip(&c, (size_t)n);
			break;
		default:
			stat_inc(st, ST_quic_malformed);
			return;
		}
		if (!cur_ok(&c)) {
			stat_inc(st, ST_quic_malformed);
			return;
		}
	}
}

/* The frames of a decrypted packet; what was read before a fault stands
 * (the packet authenticated). */
static void read_frames(const uint8_t *p, size_t len, uint32_t version, struct stats *st,
			quic_crypto_fn fn, void *ctx)
{
	struct crypto_piece held[CRYPTO_HELD];
	size_t n = 0;
	walk_frames(p, len, version, st, fn, ctx, held, &n);
	hand_on(held, n, version, fn, ctx);
}

enum pkt_result { PKT_NOT_QUIC, PKT_LAST, PKT_NEXT };

/* One long-header packet at the start of pkt[0..left).  *used: its size,
 * when the next coalesced packet can be found after it. */
static enum pkt_result read_packet(struct quic_ctx *q, const uint8_t *pkt, size_t left,
				   struct stats *st, quic_crypto_fn fn, void *ctx, size_t *used)
{
	int si[SUITES_MAX];
	struct cursor c;
	cur_init(&c, pkt, left);
	uint8_t first = cur_u8(&c);
	uint32_t version = cur_be32(&c);
	if (!cur_ok(&c))
		return PKT_NOT_QUIC;
	int ns = suites_of(version, si);
	if (ns < 0)
		return PKT_NOT_QUIC;
	if (ns == 0) {
		stat_inc(st, ST_quic_unsupported_version);
		return PKT_LAST;
	}
	/* RFC 9000 §17.2: connection IDs of up to 20 bytes in these versions.
	 * A DCID under 8 bytes is read: after a Retry the server chose it. */
	uint8_t dcid_len = cur_u8(&c);
	if (cur_ok(&c) && dcid_len > QUIC_CID_MAX) {
		stat_inc(st, ST_quic_malformed);
		return PKT_LAST;
	}
	const uint8_t *dcid = cur_bytes(&c, dcid_len);
	uint8_t scid_len = cur_u8(&c);
	if (cur_ok(&c) && scid_len > QUIC_CID_MAX) {
		stat_inc(st, ST_quic_malformed);
		return PKT_LAST;
	}
	cur_skip(&c, scid_len);
	unsigned type = (first >> 4) & 3;
	if (cur_ok(&c) && type == suites[si[0]].type_retry) {
		stat_inc(st, ST_quic_not_initial);	/* takes the rest of the datagram */
		return PKT_LAST;
	}
	if (type == suites[si[0]].type_initial) {
		uint64_t token = cur_varint(&c);
		if (token > cur_left(&c)) {
			stat_inc(st, ST_quic_truncated);
			return PKT_LAST;
		}
		cur_skip(&c, (size_t)token);
	}
	uint64_t length = cur_varint(&c);
	if (!cur_ok(&c) || length > cur_left(&c)) {
		stat_inc(st, ST_quic_truncated);
		return PKT_LAST;
	}
	size_t pn_off = c.off;
	*used = pn_off + (size_t)length;
	if (type != suites[si[0]].type_initial) {
		stat_inc(st, ST_quic_not_initial);	/* 0-RTT, Handshake: no keys */
		return PKT_NEXT;
	}
	/* RFC 9001 §5.4.2: room for a 4-byte packet number and the sample. */
	if (length < PN_MAX + HP_SAMPLE) {
		stat_inc(st, ST_quic_malformed);
		return PKT_NEXT;
	}
	long plain = -1;
	for (int i = 0; i < ns && plain < 0; i++)
		plain = decrypt(q, si[i], pkt, pn_off, (size_t)length, dcid, dcid_len);
	if (plain < 0) {
		stat_inc(st, ST_quic_decrypt_failed);
		return PKT_NEXT;
	}
	stat_inc(st, ST_quic_initials);
	read_frames(q->plain, (size_t)plain, version, st, fn, ctx);
	return PKT_NEXT;
}

enum quic_datagram quic_client_datagram(struct quic_ctx *q, const uint8_t *p, size_t len,
					struct stats *st, quic_crypto_fn fn, void *ctx)
{
	size_t pos = 0;
	for (unsigned i = 0; pos < len; i++) {
		/* A short header, or padding after the last long one, ends the
		 * datagram's packets (RFC 9000 §12.2). */
		if (!(p[pos] & 0x80))
			return i == 0 ? QUIC_NOT_QUIC : QUIC_SEEN;
		if (i == QUIC_DATAGRAM_PACKETS) {
			stat_inc(st, ST_quic_coalesced_capped);
			break;
		}
		size_t used = 0;
		enum pkt_result r = read_packet(q, p + pos, len - pos, st, fn, ctx, &used);
		if (r == PKT_NOT_QUIC)
			return i == 0 ? QUIC_NOT_QUIC : QUIC_SEEN;
		if (r == PKT_LAST)
			break;
		pos += used;
	}
	return QUIC_SEEN;
}

enum tls_scan quic_scan_hello(const uint8_t *p, size_t len, bool full,
			      struct tls_hello_info *info, tls_sni_fn fn, void *ctx, bool *cut)
{
	memset(info, 0, sizeof *info);
	*cut = false;
	if (len < 4)
		return full ? TLS_HELLO_BAD : TLS_NEED_MORE;
	if (p[0] != 1)				/* RFC 8446 §4: client_hello(1) */
		return TLS_NOT_HELLO;
	size_t hs_len = (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
	if (len - 4 >= hs_len)
		return tls_parse_client_hello(p + 4, hs_len, info, fn, ctx) == PARSE_OK
			? TLS_HELLO_DONE : TLS_HELLO_BAD;
	if (!full)
		return TLS_NEED_MORE;
	/* Larger than the window: the prefix is all there will be. */
	*cut = true;
	return tls_parse_client_hello_prefix(p + 4, len - 4, hs_len, info, fn, ctx) == PARSE_MALFORMED
		? TLS_HELLO_BAD : TLS_HELLO_DONE;
}
