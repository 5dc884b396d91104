/* tls.h — TLS ClientHello server_name extraction (RFC 8446 §4.1.2, RFC 6066 §3).
 *
 * Works on the bytes of a TCP stream starting at a TLS record boundary; a
 * ClientHello may be spread over several records (RFC 8446 §5.1), which are
 * joined in a caller-supplied scratch buffer.  Parse only. */
#ifndef C2W_TLS_H
#define C2W_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

enum tls_scan {
	TLS_NOT_HELLO,   /* these bytes do not start a TLS handshake record with a ClientHello */
	TLS_NEED_MORE,   /* looks like a ClientHello; *need says how many bytes in all are needed */
	TLS_HELLO_DONE,  /* the ClientHello was parsed, its names reported */
	TLS_HELLO_BAD,   /* a ClientHello that breaks the format */
};

/* The encrypted_client_hello extension (draft-ietf-tls-esni §5), if any. */
enum tls_ech {
	TLS_ECH_NONE,
	TLS_ECH_OUTER,       /* ClientHelloOuter: the SNI is the public name if ECH is real */
	TLS_ECH_INNER,       /* type inner: only ever meant to be sent encrypted */
	TLS_ECH_MALFORMED,   /* an unknown type, or lengths that do not fit */
};

struct tls_hello_info {
	uint16_t record_version;
	uint16_t hello_version;      /* legacy_version: 0x0303 for TLS 1.3 too */
	uint16_t max_version;        /* highest in supported_versions (RFC 8446
				      * §4.2.1), GREASE left out; 0 if absent */
	bool has_sni;
	/* ECH.  A GREASE extension (§6.2) is built to look real, so the
	 * bytes can only ever prove "not real": ech_not_real. */
	uint8_t ech;                 /* enum tls_ech */
	uint8_t ech_config_id;
	bool ech_not_real;           /* outer, but no server could decrypt it */
	uint16_t ech_kdf_id, ech_aead_id;    /* HpkeSymmetricCipherSuite (RFC 9180 §7) */
	uint16_t ech_enc_len, ech_payload_len;
};

typedef void (*tls_sni_fn)(void *ctx, const struct tls_hello_info *info,
			   const char *name, size_t len);

/* Look at stream bytes p[0..len) that begin at a record boundary.
 * scratch (scratch_len bytes) joins handshake fragments spread over records.
 * When `partial` is set, a ClientHello cut short by the caller's own buffer
 * limit is parsed as far as it goes (names found in the prefix are reported).
 * On TLS_NEED_MORE, *need is the total number of bytes from p that the next
 * step needs (always > len).  *consumed is set to the bytes the ClientHello
 * occupied on TLS_HELLO_DONE.  *info describes the hello as far as it was
 * read (complete once the scan returns TLS_HELLO_DONE). */
enum tls_scan tls_scan_client_hello(const uint8_t *p, size_t len, bool partial,
				    uint8_t *scratch, size_t scratch_len,
				    tls_sni_fn fn, void *ctx, struct tls_hello_info *info,
				    size_t *need, size_t *consumed);

/* Parse one ClientHello handshake body (after the 4-byte handshake header). */
enum parse_result tls_parse_client_hello(const uint8_t *body, size_t len,
					 struct tls_hello_info *info,
					 tls_sni_fn fn, void *ctx);

/* The same for the first avail of its declared bytes (a hello larger than
 * the caller's window): PARSE_TRUNCATED when the bytes present are sound. */
enum parse_result tls_parse_client_hello_prefix(const uint8_t *body, size_t avail,
						size_t declared, struct tls_hello_info *info,
						tls_sni_fn fn, void *ctx);

#endif
