/* resolvers.h — is a TLS or QUIC connection carrying encrypted DNS?
 *
 * DNS over TLS has a port of its own (853, RFC 7858 §3.1), as does DNS over
 * QUIC (853/udp, RFC 9250 §4.1.1); DNS over HTTPS (RFC 8484) runs on 443 like
 * any HTTPS and is told only by the server name of a well-known public
 * resolver.  A phone that switches to encrypted DNS takes its lookups out of
 * the names log: the names log says so instead. */
#ifndef C2W_RESOLVERS_H
#define C2W_RESOLVERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DOT_PORT 853
#define DOQ_DRAFT_PORT 784	/* DoQ before RFC 9250 gave it 853 (the drafts'
				 * experimental port, still served by some) */

/* Is name (as on the wire: any ASCII case, one trailing dot allowed) the name
 * of a well-known public DoH/DoT resolver, or a name below one? */
bool dns_encrypted_resolver(const char *name, size_t len);

/* What a ClientHello with server name sni (len 0: none) sent to server_port
 * says about encrypted DNS: "dot" (TLS to port 853), "doq" (QUIC to port
 * 853 or 784), "doh" (a well-known resolver's name on another port), or
 * NULL. */
const char *dns_encrypted_kind(const char *sni, size_t len, uint16_t server_port, bool quic);

#endif
