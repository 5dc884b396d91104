/* dns.c — DNS message header and question parsing (RFC 1035 §4.1), with
 * name decompression (§4.1.4) checked against every limit, no recursion. */
#include <string.h>

#include "cursor.h"
#include "dns.h"

#define DNS_HEADER_LEN	12
#define DNS_LABEL_MAX	63
#define DNS_NAME_MAX	255	/* wire octets: length bytes, labels, final zero */

/* Real names need one or two jumps; the cap bounds the work a hostile chain
 * can cause even though each jump already has to go backwards. */
#define DNS_MAX_HOPS	32

/* A cursor over msg[0..len) standing at off; marked bad when off > len. */
static void cur_at(struct cursor *c, const uint8_t *msg, size_t len, size_t off)
{
	cur_init(c, msg, len);
	cur_skip(c, off);
}

/*
 * A pointer must point before the start of the run of labels it ends (the
 * name's start, or the previous pointer's target).  That is stricter than
 * "before the pointer itself": a pointer back into its own run would read the
 * same labels again and reach the same pointer, so it can only loop; a legal
 * encoder never writes one.  With run starts strictly falling, decoding always
 * ends, and the hop cap keeps the work small.
 *
 * Extended label types (top bits 01, RFC 6891 §5, and the reserved 10) are
 * PARSE_MALFORMED: nothing sends them any more.
 */
enum parse_result dns_read_name(const uint8_t *msg, size_t len, size_t *off,
				char out[NAME_TEXT_MAX], size_t *out_len)
{
	struct cursor c;
	size_t run_start = *off;	/* where the current run of labels began */
	size_t end = 0;			/* message offset just past the name */
	size_t wire = 0;		/* wire octets so far, without the final zero */
	size_t text = 0;
	unsigned hops = 0;
	enum parse_result r = PARSE_OK;

	out[0] = '\0';
	*out_len = 0;
	cur_at(&c, msg, len, *off);

	for (;;) {
		size_t at = len - cur_left(&c);
		uint8_t b = cur_u8(&c);
		const uint8_t *label;

		if (!cur_ok(&c)) {
			r = PARSE_TRUNCATED;
			break;
		}
		if ((b & 0xc0) == 0xc0) {
			size_t target = (size_t)(b & 0x3f) << 8 | cur_u8(&c);

			if (!cur_ok(&c)) {
				r = PARSE_TRUNCATED;
				break;
			}
			if (target >= run_start || ++hops > DNS_MAX_HOPS) {
				r = PARSE_MALFORMED;
				break;
			}
			if (hops == 1)
				end = at + 2;
			run_start = target;
			cur_at(&c, msg, len, target);
			continue;
		}
		if (b & 0xc0) {
			r = PARSE_MALFORMED;
			break;
		}
		if (b == 0) {
			if (hops == 0)
				end = at + 1;
			break;
		}

		/* b <= 63 here: the top two bits are clear. */
		wire += 1 + (size_t)b;
		if (wire + 1 > DNS_NAME_MAX) {
			r = PARSE_MALFORMED;
			break;
		}
		label = cur_bytes(&c, b);
		if (!label) {
			r = PARSE_TRUNCATED;
			break;
		}
		/* wire <= 254 keeps text <= 253, so the NUL always fits. */
		if (text > 0)
			out[text++] = '.';
		memcpy(out + text, label, b);
		text += b;
	}

	if (r != PARSE_OK) {
		out[0] = '\0';
		return r;
	}
	out[text] = '\0';
	*out_len = text;
	*off = end;
	return PARSE_OK;
}

enum parse_result dns_parse_message(const uint8_t *msg, size_t len,
				    dns_question_fn fn, void *ctx)
{
	struct cursor c;
	struct dns_header h;
	struct dns_question q;
	uint16_t flags;

	cur_init(&c, msg, len);
	h.id = cur_be16(&c);
	flags = cur_be16(&c);
	h.qdcount = cur_be16(&c);
	h.ancount = cur_be16(&c);
	h.nscount = cur_be16(&c);
	h.arcount = cur_be16(&c);
	if (!cur_ok(&c))
		return PARSE_TRUNCATED;
	h.response = flags >> 15;
	h.opcode = (uint8_t)(flags >> 11 & 0x0f);
	h.rcode = (uint8_t)(flags & 0x0f);

	/* No cap on qdcount: each question takes at least 5 bytes, so the
	 * message length bounds the loop. */
	for (unsigned i = 0; i < h.qdcount; i++) {
		size_t off = len - cur_left(&c);
		enum parse_result r = dns_read_name(msg, len, &off, q.name,
						    &q.name_len);

		if (r != PARSE_OK)
			return r;
		cur_at(&c, msg, len, off);
		q.qtype = cur_be16(&c);
		q.qclass = cur_be16(&c);
		if (!cur_ok(&c))
			return PARSE_TRUNCATED;
		fn(ctx, &h, &q);
	}
	return PARSE_OK;
}

const char *dns_rrtype_name(uint16_t type)
{
	switch (type) {
	case 1:   return "A";
	case 2:   return "NS";
	case 5:   return "CNAME";
	case 6:   return "SOA";
	case 10:  return "NULL";
	case 11:  return "WKS";
	case 12:  return "PTR";
	case 13:  return "HINFO";
	case 14:  return "MINFO";
	case 15:  return "MX";
	case 16:  return "TXT";
	case 17:  return "RP";
	case 18:  return "AFSDB";
	case 24:  return "SIG";
	case 25:  return "KEY";
	case 28:  return "AAAA";
	case 29:  return "LOC";
	case 33:  return "SRV";
	case 35:  return "NAPTR";
	case 36:  return "KX";
	case 37:  return "CERT";
	case 39:  return "DNAME";
	case 41:  return "OPT";
	case 42:  return "APL";
	case 43:  return "DS";
	case 44:  return "SSHFP";
	case 45:  return "IPSECKEY";
	case 46:  return "RRSIG";
	case 47:  return "NSEC";
	case 48:  return "DNSKEY";
	case 49:  return "DHCID";
	case 50:  return "NSEC3";
	case 51:  return "NSEC3PARAM";
	case 52:  return "TLSA";
	case 53:  return "SMIMEA";
	case 55:  return "HIP";
	case 59:  return "CDS";
	case 60:  return "CDNSKEY";
	case 61:  return "OPENPGPKEY";
	case 62:  return "CSYNC";
	case 63:  return "ZONEMD";
	case 64:  return "SVCB";
	case 65:  return "HTTPS";
	case 99:  return "SPF";
	case 249: return "TKEY";
	case 250: return "TSIG";
	case 251: return "IXFR";
	case 252: return "AXFR";
	case 255: return "ANY";
	case 256: return "URI";
	case 257: return "CAA";
	default:  return NULL;
	}
}
