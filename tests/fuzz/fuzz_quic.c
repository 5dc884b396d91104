/* fuzz_quic.c — QUIC client Initials (RFC 9000 §17.2.2, RFC 9001 §5):
 * header protection removed, AES-128-GCM decrypted, CRYPTO frames (§19.6)
 * gathered at their offsets and the ClientHello read from them.
 *
 * Input: one mode byte, then
 *   mode bit 0 clear: a UDP payload as captured (coalesced packets and all);
 *   mode bit 0 set:   [version: bit 1 picks v2][DCID length][DCID][frames]:
 *                     the frames are sealed here into a valid Initial, so that
 *                     the fuzzer reaches the frame parser behind the AEAD. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "quic.h"
#include "stats.h"

#include "fuzz.h"

static struct quic_ctx *qc;
static struct stats st;
static uint8_t stream[1 << 14];   /* the CRYPTO stream, at its offsets */
static size_t high;
static size_t sink_bytes;

static void on_crypto(void *ctx, uint32_t version, uint64_t off, const uint8_t *data, size_t len)
{
	if (off < sizeof stream) {
		size_t n = len < sizeof stream - off ? len : sizeof stream - (size_t)off;
		memcpy(stream + off, data, n);
		if (off + n > high)
			high = (size_t)off + n;
	}
}

static void on_sni(void *ctx, const struct tls_hello_info *info, const char *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sink_bytes += (unsigned char)name[i];
}

static void die(const char *what)
{
	fprintf(stderr, "fuzz_quic: %s\n", what);
	abort();
}

/* Seal frames as a client Initial of version for dcid (RFC 9001 §5.3 AEAD,
 * §5.4 header protection; one-byte packet number 0, no SCID, no token) into
 * out; the length written. */
static size_t seal(uint8_t *out, uint32_t version, const uint8_t *dcid, size_t dcid_len,
		   const uint8_t *frames, size_t len)
{
	uint8_t key[16], iv[12], hp[16], mask[32];
	size_t n = 0;
	int outl;

	if (!quic_client_initial_keys(qc, version, dcid, dcid_len, key, iv, hp))
		return 0;
	out[n++] = (uint8_t)(0xc0 | (version == QUIC_V2 ? 1 : 0) << 4);   /* pn length 1 */
	for (int i = 3; i >= 0; i--)
		out[n++] = (uint8_t)(version >> (8 * i));
	out[n++] = (uint8_t)dcid_len;
	memcpy(out + n, dcid, dcid_len);
	n += dcid_len;
	out[n++] = 0;                      /* SCID length */
	out[n++] = 0;                      /* token length */
	size_t length = 1 + len + 16;      /* packet number, payload, tag */
	out[n++] = (uint8_t)(0x40 | length >> 8);
	out[n++] = (uint8_t)length;
	size_t pn_off = n;
	out[n++] = 0;                      /* packet number 0: the nonce is the IV */

	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	if (!c || EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, iv) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &outl, out, (int)n) != 1 ||
	    (len && EVP_EncryptUpdate(c, out + n, &outl, frames, (int)len) != 1) ||
	    EVP_EncryptFinal_ex(c, out + n + len, &outl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, out + n + len) != 1)
		die("AES-128-GCM");
	EVP_CIPHER_CTX_free(c);
	if (!(c = EVP_CIPHER_CTX_new()) || EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, hp, NULL) != 1 ||
	    EVP_EncryptUpdate(c, mask, &outl, out + pn_off + 4, 16) != 1)
		die("AES-128-ECB");
	EVP_CIPHER_CTX_free(c);
	out[0] ^= mask[0] & 0x0f;
	out[pn_off] ^= mask[1];
	return n + len + 16;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an Initial carries at most what fits a 2-byte length: 16383 bytes */
	static uint8_t sealed[1 << 14], frames[1 << 14];

	if (!qc && !(qc = quic_new()))
		die("quic_new");
	if (size < 1)
		return 0;
	const uint8_t *p = data + 1;
	size_t len = size - 1;
	if (data[0] & 1) {
		if (len < 2)
			return 0;
		uint32_t version = data[1] & 2 ? QUIC_V2 : QUIC_V1;
		size_t dcid_len = data[2] % (QUIC_CID_MAX + 1);
		if (len - 2 < dcid_len)
			return 0;
		const uint8_t *dcid = data + 3;
		size_t flen = len - 2 - dcid_len;
		if (flen > 1200 + 256)
			flen = 1200 + 256;
		memcpy(frames, dcid + dcid_len, flen);
		/* PADDING frames (0x00) to the 1200 bytes a client Initial's
		 * datagram carries (RFC 9000 §14.1): the sample needs 4 bytes at least */
		if (flen < 1200) {
			memset(frames + flen, 0, 1200 - flen);
			flen = 1200;
		}
		len = seal(sealed, version, dcid, dcid_len, frames, flen);
		p = sealed;
	}
	memset(&st, 0, sizeof st);
	memset(stream, 0, high);   /* nothing of the input before */
	high = 0;
	if (quic_client_datagram(qc, p, len, &st, on_crypto, NULL) == QUIC_SEEN && high) {
		struct tls_hello_info info;
		bool cut;
		for (int full = 0; full < 2; full++) {
			memset(&info, 0, sizeof info);
			quic_scan_hello(stream, high, full, &info, on_sni, NULL, &cut);
		}
	}
	return 0;
}
