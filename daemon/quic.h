/* quic.h — the server_name of QUIC connections, from the client's Initial
 * packets (RFC 9000 §17.2.2, RFC 9001 §5, RFC 9369 §3).
 *
 * Initial packets are encrypted with keys derived from the Destination
 * Connection ID on the wire, so a passive observer can remove their header
 * protection, decrypt them (AES-128-GCM) and read their CRYPTO frames: the
 * start of the client's TLS handshake, its ClientHello.  The crypto is
 * OpenSSL's libcrypto.  One struct quic_ctx per worker holds the cipher and
 * MAC contexts and a plaintext buffer, made once: a packet allocates
 * nothing of its own. */
#ifndef C2W_QUIC_H
#define C2W_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"
#include "tls.h"

#define QUIC_V1 0x00000001u          /* RFC 9000 */
#define QUIC_V2 0x6b3343cfu          /* RFC 9369 */
#define QUIC_CID_MAX 20              /* RFC 9000 §17.2: a v1 connection ID's limit */
#define QUIC_DATAGRAM_PACKETS 8      /* coalesced packets read per datagram */

struct quic_ctx;

/* One CRYPTO frame (RFC 9000 §19.6) of a decrypted Initial of `version`:
 * data at offset of the client's Initial CRYPTO stream. */
typedef void (*quic_crypto_fn)(void *ctx, uint32_t version, uint64_t offset,
			       const uint8_t *data, size_t len);

/* NULL when libcrypto lacks AES-128-GCM, AES-128-ECB or HMAC-SHA256. */
struct quic_ctx *quic_new(void);
void quic_free(struct quic_ctx *q);

enum quic_datagram {
	QUIC_NOT_QUIC,   /* does not start with a long header of a QUIC version */
	QUIC_SEEN,       /* QUIC: what became of each packet is counted in st */
};

/* Read one UDP payload sent by a client: its coalesced long-header packets
 * (RFC 9000 §12.2), each Initial decrypted and its CRYPTO frames handed to
 * fn (pointing into q's buffer, valid until fn returns). */
enum quic_datagram quic_client_datagram(struct quic_ctx *q, const uint8_t *p, size_t len,
					struct stats *st, quic_crypto_fn fn, void *ctx);

/* The ClientHello at the start of the Initial CRYPTO stream (RFC 9001
 * §4.1.3: handshake messages, no TLS records), of which p[0..len) is held.
 * `full`: no more bytes will come (the window is full), so a hello cut
 * short is read as far as it goes and *cut is set. */
enum tls_scan quic_scan_hello(const uint8_t *p, size_t len, bool full,
			      struct tls_hello_info *info, tls_sni_fn fn, void *ctx, bool *cut);

/* "1", "2", "draft-29", or "0x%08x" for the others, into buf. */
const char *quic_version_name(uint32_t version, char *buf, size_t cap);

/* The client Initial key, IV and header protection key for dcid under
 * version (v1 and v2 only; for the tests). */
bool quic_client_initial_keys(struct quic_ctx *q, uint32_t version, const uint8_t *dcid,
			      size_t dcid_len, uint8_t key[16], uint8_t iv[12], uint8_t hp[16]);

#endif
