/* eve.h — events as JSON lines, field names after Suricata's EVE format:
 * "dns", "tls" and "quic" events (the names log) and "alert" events. */
#ifndef C2W_EVE_H
#define C2W_EVE_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "dns.h"
#include "flow.h"
#include "match.h"
#include "rules.h"
#include "tls.h"

enum name_kind { NAME_DNS, NAME_TLS, NAME_QUIC };

/* What a DNS name sighted was in its message. */
enum sighting_via {
	VIA_QUESTION,                     /* the question name (logged) */
	VIA_CNAME,                        /* a CNAME's target (matched, not logged) */
	VIA_SVCB,                         /* an SVCB/HTTPS TargetName (matched, not logged) */
};

/* One observed name with where it was seen. */
struct sighting {
	enum name_kind kind;
	const struct packet *pkt;
	const struct flow *flow;
	int dir;                          /* 0: client → server */
	const char *name;                 /* as on the wire */
	size_t len;
	const struct dns_header *dns;     /* NAME_DNS */
	const struct dns_question *q;     /* NULL: a message without questions */
	const struct dns_answers *answers; /* NULL: none read */
	enum sighting_via via;
	const char *via_owner;            /* VIA_CNAME/VIA_SVCB: the record's owner */
	size_t via_owner_len;
	uint16_t tls_version;             /* NAME_TLS: ClientHello legacy_version */
	const char *encrypted_dns;        /* NAME_TLS, NAME_QUIC: "dot", "doh", "doq" or NULL */
	const struct tls_hello_info *hello;   /* NAME_TLS, NAME_QUIC: its ECH, or NULL */
	uint32_t quic_version;            /* NAME_QUIC: of the Initial packets */
};

/* "2023-06-01T10:00:00.123456+0000" (UTC) into buf (at least 32 bytes). */
void eve_timestamp(uint64_t ts_ns, char *buf, size_t cap);

/* Format a names-log event; returns its length, newline included. */
size_t eve_format_name(const struct sighting *s, char *buf, size_t cap);

/* Format an alert for a sighting that hit a rule. */
size_t eve_format_alert(const struct sighting *s, const struct rule *r,
			const struct match_hit *hit, uint64_t alert_id,
			char *buf, size_t cap);

#endif
