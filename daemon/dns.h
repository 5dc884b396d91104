/* dns.h — DNS message parsing (RFC 1035 §4.1): the header and every question.
 *
 * Parse only: names are handed to a callback, policy lives elsewhere.  Names are
 * decoded with every limit checked: labels of at most 63 octets, names of at
 * most 255 wire octets, compression pointers strictly backwards with a hop cap,
 * no recursion on packet bytes. */
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

/* Parse the message msg[0..len) and call fn once per question, in order.
 * Questions decoded before an error are still reported.  Returns PARSE_OK when
 * the header and all qdcount questions were read. */
enum parse_result dns_parse_message(const uint8_t *msg, size_t len,
				    dns_question_fn fn, void *ctx);

/* Decode the name at msg[*off], following compression pointers into
 * msg[0..len).  On success writes the text form (NUL-terminated) to out,
 * sets *out_len and moves *off past the name as it stands in the message. */
enum parse_result dns_read_name(const uint8_t *msg, size_t len, size_t *off,
				char out[NAME_TEXT_MAX], size_t *out_len);

/* Name of an RR type for output ("A", "AAAA", ...), or NULL if unknown. */
const char *dns_rrtype_name(uint16_t type);

#endif
