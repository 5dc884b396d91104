/* dns.c — DNS message header, question and answer parsing (RFC 1035 §4.1),
 * with name decompression (§4.1.4) checked against every limit, no recursion;
 * answer RDATA of A, AAAA, CNAME and SVCB/HTTPS (RFC 9460) decoded. */
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
static enum parse_result read_name(const uint8_t *msg, size_t len, size_t *off,
				   char *out, size_t *out_len);

enum parse_result dns_read_name(const uint8_t *msg, size_t len, size_t *off,
				char out[NAME_TEXT_MAX], size_t *out_len)
{
	return read_name(msg, len, off, out, out_len);
}

/* dns_read_name(), with out NULL to check and step over a name without
 * copying it. */
static enum parse_result read_name(const uint8_t *msg, size_t len, size_t *off,
				   char *out, size_t *out_len)
{
	struct cursor c;
	size_t run_start = *off;	/* where the current run of labels began */
	size_t end = 0;			/* message offset just past the name */
	size_t wire = 0;		/* wire octets so far, without the final zero */
	size_t text = 0;
	unsigned hops = 0;
	enum parse_result r = PARSE_OK;

	if (out)
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
		if (text > 0 && out)
			out[text] = '.';
		text += text > 0;
		if (out)
			memcpy(out + text, label, b);
		text += b;
	}

	if (r != PARSE_OK) {
		if (out)
			out[0] = '\0';
		return r;
	}
	if (out)
		out[text] = '\0';
	*out_len = text;
	*off = end;
	return PARSE_OK;
}

/* RFC 9460 §7.1.1: one or more alpn-ids, each a non-empty length-prefixed
 * string, filling the value exactly. */
static bool svcb_alpn_ok(const uint8_t *v, size_t n)
{
	size_t i = 0;

	if (n == 0)
		return false;
	while (i < n) {
		if (v[i] == 0 || v[i] > n - i - 1)
			return false;
		i += 1 + (size_t)v[i];
	}
	return true;
}

/*
 * SVCB/HTTPS RDATA in msg[rd..rd_end) (RFC 9460 §2.2): SvcPriority,
 * TargetName, then SvcParams to the end.  The TargetName must not be
 * compressed (§2.2), but one that is, by the usual rules, is read anyway;
 * it must end inside the RDATA.  Keys must be strictly increasing (§2.2) and
 * the values of the keys read must have their format (§7); other keys are
 * passed over.  In AliasMode (priority 0) params are ignored (§2.4.2).
 */
static bool read_svcb(const uint8_t *msg, size_t rd, size_t rd_end, struct dns_answer *a)
{
	struct dns_svcb *sv = &a->svcb;
	struct cursor c;
	size_t off = rd + 2;
	long last = -1;

	memset(sv, 0, sizeof *sv);
	if (rd_end - rd < 3)
		return false;
	sv->priority = (uint16_t)(msg[rd] << 8 | msg[rd + 1]);
	/* A message cut at rd_end: labels cannot run past the RDATA. */
	if (read_name(msg, rd_end, &off, a->target, &a->target_len) != PARSE_OK)
		return false;
	if (sv->priority == 0)
		return true;

	/* Every parameter takes at least 4 bytes: the RDATA bounds the loop. */
	cur_init(&c, msg + off, rd_end - off);
	while (cur_left(&c) > 0) {
		uint16_t key = cur_be16(&c);
		uint16_t vlen = cur_be16(&c);
		const uint8_t *v = cur_bytes(&c, vlen);

		if (!v || (long)key <= last)
			return false;
		last = key;
		switch (key) {
		case 0:		/* mandatory: a list of keys */
			if (vlen == 0 || vlen % 2)
				return false;
			break;
		case 1:		/* alpn */
			if (!svcb_alpn_ok(v, vlen))
				return false;
			sv->alpn = v;
			sv->alpn_len = vlen;
			break;
		case 2:		/* no-default-alpn: no value */
			if (vlen != 0)
				return false;
			sv->no_default_alpn = true;
			break;
		case 3:		/* port */
			if (vlen != 2)
				return false;
			sv->port = (uint16_t)(v[0] << 8 | v[1]);
			sv->has_port = true;
			break;
		case 4:		/* ipv4hint: one or more addresses */
			if (vlen == 0 || vlen % 4)
				return false;
			sv->ipv4hint = v;
			sv->ipv4hint_len = vlen;
			break;
		case 5:		/* ech: an ECHConfigList, opaque here */
			if (vlen == 0)
				return false;
			sv->ech = true;
			break;
		case 6:		/* ipv6hint */
			if (vlen == 0 || vlen % 16)
				return false;
			sv->ipv6hint = v;
			sv->ipv6hint_len = vlen;
			break;
		default:	/* dohpath (RFC 9461) and later keys */
			break;
		}
	}
	return true;
}

/* Decode the RDATA msg[rd..rd_end) of a by its type; false when it breaks
 * the type's format.  Types not decoded are left as DNS_RDATA_NONE. */
static bool read_rdata(const uint8_t *msg, size_t rd, size_t rd_end, struct dns_answer *a)
{
	size_t rdlen = rd_end - rd, off = rd;

	a->rdata = DNS_RDATA_NONE;
	a->target[0] = '\0';
	a->target_len = 0;
	switch (a->type) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA:
		/* Address formats are those of class IN (RFC 1035 §3.4). */
		if (a->rclass != DNS_CLASS_IN)
			return true;
		if (rdlen != (a->type == DNS_TYPE_A ? 4u : 16u))
			return false;
		memcpy(a->addr, msg + rd, rdlen);
		a->rdata = a->type == DNS_TYPE_A ? DNS_RDATA_ADDR4 : DNS_RDATA_ADDR6;
		return true;
	case DNS_TYPE_CNAME:
		/* Compressed as usual; it must fill the RDATA exactly. */
		if (read_name(msg, rd_end, &off, a->target, &a->target_len) != PARSE_OK ||
		    off != rd_end)
			return false;
		a->rdata = DNS_RDATA_NAME;
		return true;
	case DNS_TYPE_SVCB:
	case DNS_TYPE_HTTPS:
		if (!read_svcb(msg, rd, rd_end, a))
			return false;
		a->rdata = DNS_RDATA_SVCB;
		return true;
	default:
		return true;
	}
}

/* The answer section from msg[off]: at most DNS_MAX_ANSWERS records walked. */
static void read_answers(const uint8_t *msg, size_t len, size_t off, unsigned flags,
			 struct dns_answers *ans)
{
	unsigned count = ans->h.ancount;
	unsigned walk = count < DNS_MAX_ANSWERS ? count : DNS_MAX_ANSWERS;

	ans->capped = count - walk;
	for (unsigned i = 0; i < walk; i++) {
		struct dns_answer *a = &ans->a[ans->n];
		struct cursor c;
		enum parse_result r = read_name(msg, len, &off, a->name, &a->name_len);

		if (r != PARSE_OK) {
			ans->result = r;
			return;
		}
		cur_at(&c, msg, len, off);
		a->type = cur_be16(&c);
		a->rclass = cur_be16(&c);
		a->ttl = cur_be32(&c);
		uint16_t rdlen = cur_be16(&c);
		if (!cur_ok(&c) || cur_left(&c) < rdlen) {
			ans->result = PARSE_TRUNCATED;
			return;
		}
		if (flags & DNS_F_MDNS)
			a->rclass &= 0x7fff;
		off = len - cur_left(&c);
		if (!read_rdata(msg, off, off + rdlen, a)) {
			ans->rdata_malformed++;
		} else {
			ans->other_type += a->rdata == DNS_RDATA_NONE;
			ans->n++;
		}
		off += rdlen;
	}
}

enum parse_result dns_parse(const uint8_t *msg, size_t len, unsigned flags,
			    struct dns_answers *ans, dns_question_fn fn, void *ctx)
{
	struct cursor c;
	struct dns_header h;
	struct dns_question q;
	uint16_t flags16;

	if (ans) {
		/* Counters only: the records are overwritten as they are read. */
		memset(&ans->h, 0, sizeof ans->h);
		ans->n = 0;
		ans->other_type = ans->capped = ans->rdata_malformed = ans->not_query = 0;
		ans->result = PARSE_OK;
	}
	cur_init(&c, msg, len);
	h.id = cur_be16(&c);
	flags16 = cur_be16(&c);
	h.qdcount = cur_be16(&c);
	h.ancount = cur_be16(&c);
	h.nscount = cur_be16(&c);
	h.arcount = cur_be16(&c);
	if (!cur_ok(&c))
		return PARSE_TRUNCATED;
	h.response = flags16 >> 15;
	h.opcode = (uint8_t)(flags16 >> 11 & 0x0f);
	h.rcode = (uint8_t)(flags16 & 0x0f);

	/* The answers come after the questions but are wanted with them: step
	 * over the questions first (checked, not copied).  A fault there leaves
	 * the answers unread; the second pass reports the questions before it. */
	if (ans)
		ans->h = h;
	if (ans && h.ancount) {
		size_t off = DNS_HEADER_LEN, name_len;
		unsigned i;

		for (i = 0; i < h.qdcount; i++) {
			if (read_name(msg, len, &off, NULL, &name_len) != PARSE_OK ||
			    len - off < 4)
				break;
			off += 4;
		}
		if (i == h.qdcount) {
			if (h.opcode == 0)
				read_answers(msg, len, off, flags, ans);
			else
				ans->not_query = h.ancount;
		}
	}

	/* No cap on qdcount: each question takes at least 5 bytes, so the
	 * message length bounds the loop. */
	for (unsigned i = 0; i < h.qdcount; i++) {
		size_t off = len - cur_left(&c);
		enum parse_result r = read_name(msg, len, &off, q.name, &q.name_len);

		if (r != PARSE_OK)
			return r;
		cur_at(&c, msg, len, off);
		q.qtype = cur_be16(&c);
		q.qclass = cur_be16(&c);
		if (!cur_ok(&c))
			return PARSE_TRUNCATED;
		if (flags & DNS_F_MDNS)
			q.qclass &= 0x7fff;
		fn(ctx, &h, &q);
	}
	return PARSE_OK;
}

enum parse_result dns_parse_message(const uint8_t *msg, size_t len,
				    dns_question_fn fn, void *ctx)
{
	return dns_parse(msg, len, 0, NULL, fn, ctx);
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
