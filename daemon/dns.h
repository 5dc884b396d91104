/* dns.h — DNS message parsing (RFC 1035 §4.1): the header, every question and
 * the answer section (A, AAAA, CNAME, SVCB/HTTPS decoded; RFC 9460 for SVCB).
 *
 * Parse only: names are handed to a callback, answers to a caller-owned array,
 * policy lives elsewhere.  Names are decoded with every limit checked: labels
 * of at most 63 octets, names of at most 255 wire octets, compression pointers
 * strictly backwards with a hop cap, no recursion on packet bytes.  The
 * authority and additional sections are not read. */
#ifndef C2W_DNS_H
#define C2W_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

struct dns_header {
	uint16_t id;
	bool response;   /* QR bit */
	uint8_t opcode;
	uint8_t rcode;
	uint16_t qdcount, ancount, nscount, arcount;
};

struct dns_question {
	char name[NAME_TEXT_MAX]; /* as decoded, NUL-terminated; not normalised */
	size_t name_len;
	uint16_t qtype;
	uint16_t qclass;
};

typedef void (*dns_question_fn)(void *ctx, const struct dns_header *h,
				const struct dns_question *q);

/* Answer records read per message: a CNAME chain and its addresses fit with
 * room; the rest of a larger section is counted, not walked. */
#define DNS_MAX_ANSWERS 32

#define DNS_TYPE_A	1
#define DNS_TYPE_CNAME	5
#define DNS_TYPE_AAAA	28
#define DNS_TYPE_SVCB	64
#define DNS_TYPE_HTTPS	65
#define DNS_CLASS_IN	1

/* Parse flags. */
#define DNS_F_MDNS	0x1	/* mDNS (RFC 6762 §10.2, §5.4): the top bit of a
				 * class is a flag (cache-flush, unicast-response),
				 * not part of the class: it is stripped */

/* What an answer's RDATA was decoded as. */
enum dns_rdata {
	DNS_RDATA_NONE,   /* a type not decoded: owner, type, class, TTL only */
	DNS_RDATA_ADDR4,  /* A, class IN (RFC 1035 §3.4.1) */
	DNS_RDATA_ADDR6,  /* AAAA, class IN (RFC 3596 §2.2) */
	DNS_RDATA_NAME,   /* CNAME (RFC 1035 §3.3.1): target */
	DNS_RDATA_SVCB,   /* SVCB or HTTPS (RFC 9460 §2.2): target and svcb */
};

/* SVCB/HTTPS fields (RFC 9460 §7).  The byte ranges point into the message and
 * are valid while it is; each was checked against its key's format. */
struct dns_svcb {
	uint16_t priority;                /* 0: AliasMode, params ignored (§2.4.2) */
	uint16_t port;                    /* key 3, when has_port */
	bool has_port;
	bool no_default_alpn;             /* key 2 */
	bool ech;                         /* key 5: an ECHConfigList is published */
	const uint8_t *alpn;              /* key 1: length-prefixed protocol ids */
	uint16_t alpn_len;
	const uint8_t *ipv4hint;          /* key 4: 4 bytes an address */
	uint16_t ipv4hint_len;
	const uint8_t *ipv6hint;          /* key 6: 16 bytes an address */
	uint16_t ipv6hint_len;
};

struct dns_answer {
	char name[NAME_TEXT_MAX];         /* owner, as decoded */
	size_t name_len;
	uint16_t type;
	uint16_t rclass;                  /* mDNS flag bit stripped under DNS_F_MDNS */
	uint32_t ttl;                     /* as on the wire */
	enum dns_rdata rdata;
	uint8_t addr[16];                 /* ADDR4 (4 bytes) or ADDR6 */
	char target[NAME_TEXT_MAX];       /* NAME and SVCB; "" is the root */
	size_t target_len;
	struct dns_svcb svcb;
};

/* The answer section of one message, filled by dns_parse(); caller-owned
 * (no allocation), reused message after message. */
struct dns_answers {
	struct dns_header h;              /* of the message, set once the header is read */
	struct dns_answer a[DNS_MAX_ANSWERS];
	size_t n;                         /* records decoded into a[] */
	unsigned other_type;              /* of them, with RDATA not decoded */
	unsigned capped;                  /* records beyond DNS_MAX_ANSWERS, not read */
	unsigned rdata_malformed;         /* records skipped: RDATA that breaks its type */
	unsigned not_query;               /* records of a non-QUERY opcode, not read */
	/* PARSE_OK, or how reading the section stopped: PARSE_TRUNCATED (a
	 * record runs past the end of the message), PARSE_MALFORMED (an owner
	 * name breaks the format).  The records before still stand. */
	enum parse_result result;
};

/* Parse the message msg[0..len) and call fn once per question, in order.
 * Questions decoded before an error are still reported.  Returns PARSE_OK when
 * the header and all qdcount questions were read. */
enum parse_result dns_parse_message(const uint8_t *msg, size_t len,
				    dns_question_fn fn, void *ctx);

/* dns_parse_message(), and, when ans is not NULL, the answer section into ans
 * before the first call of fn (so fn can see it): read when every question
 * was read and the opcode is QUERY (other opcodes give the section other
 * meanings: UPDATE prerequisites, RFC 2136 §2.4).  flags: DNS_F_*.  ans->h is
 * valid whenever the header was read. */
enum parse_result dns_parse(const uint8_t *msg, size_t len, unsigned flags,
			    struct dns_answers *ans, dns_question_fn fn, void *ctx);

/* Decode the name at msg[*off], following compression pointers into
 * msg[0..len).  On success writes the text form (NUL-terminated) to out,
 * sets *out_len and moves *off past the name as it stands in the message. */
enum parse_result dns_read_name(const uint8_t *msg, size_t len, size_t *off,
				char out[NAME_TEXT_MAX], size_t *out_len);

/* Name of an RR type for output ("A", "AAAA", ...), or NULL if unknown. */
const char *dns_rrtype_name(uint16_t type);

#endif
