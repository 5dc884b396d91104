/* tunnel.c — GRE, ERSPAN, VXLAN, GENEVE and Teredo headers (see tunnel.h).
 *
 * Every read goes through struct cursor; every header is fixed-size or has a
 * length checked before it is skipped, so a parser does a bounded amount of
 * work.  Nesting is decode.c's business. */
#include "tunnel.h"

#define ETHERTYPE_IPV4   0x0800
#define ETHERTYPE_IPV6   0x86dd
#define ETHERTYPE_MPLS   0x8847
#define ETHERTYPE_MPLSM  0x8848

/* GRE flags and version, the first 16 bits (RFC 2784 §2, RFC 2890 §2,
 * RFC 1701 §3.1 for the bits RFC 2784 retired, RFC 2637 §4.1 for PPTP). */
#define GRE_C        0x8000     /* checksum (and reserved1) present */
#define GRE_R        0x4000     /* routing present (RFC 1701) */
#define GRE_K        0x2000     /* key present */
#define GRE_S        0x1000     /* sequence number present */
#define GRE_SSR      0x0800     /* strict source route (RFC 1701) */
#define GRE_RECUR    0x0700     /* recursion control (RFC 1701) */
#define GRE_A        0x0080     /* acknowledgment number present (PPTP) */
#define GRE_FLAGS1   0x0078     /* PPTP: must be zero */
#define GRE_VER      0x0007

/* GRE protocol types (EtherTypes). */
#define GRE_TEB      0x6558     /* Transparent Ethernet Bridging: an Ethernet frame */
#define GRE_ERSPAN   0x88be     /* ERSPAN type I and II */
#define GRE_ERSPAN3  0x22eb     /* ERSPAN type III */
#define GRE_PPP      0x880b     /* PPP (PPTP) */

#define UDP_PORT_DNS     53
#define UDP_PORT_TEREDO  3544   /* RFC 4380 §4 */
#define UDP_PORT_VXLAN   4789   /* RFC 7348 §5 */
#define UDP_PORT_GENEVE  6081   /* RFC 8926 §3.3 */

static enum tunnel_inner counted(struct stats *st, enum stat_id why)
{
	stat_inc(st, why);
	return TUN_COUNTED;
}

/* ERSPAN (draft-foschiano-erspan-03) after a GRE header of protocol 0x88be or
 * 0x22eb.  Type I (§4.1) is 0x88be without a GRE sequence number and has no
 * header of its own; type II (§4.2) has an 8-byte header of version 1; type
 * III (§4.3) a 12-byte header of version 2, then an 8-byte platform-specific
 * subheader when its O bit is set.  The mirrored frame follows: Ethernet, or
 * an IP packet when a type III frame type (FT) says 2. */
static enum tunnel_inner erspan(struct cursor *c, uint16_t proto, bool seq, struct packet *p,
				struct stats *st)
{
	enum tunnel_inner inner = TUN_ETHER;

	if (proto == GRE_ERSPAN && seq) {
		uint8_t ver = cur_peek(c, 0) >> 4;
		cur_skip(c, 8);
		if (!cur_ok(c))
			return counted(st, ST_gre_truncated);
		if (ver != 1)
			return counted(st, ST_erspan_unsupported);
	} else if (proto == GRE_ERSPAN3) {
		const uint8_t *h = cur_bytes(c, 12);
		if (!h)
			return counted(st, ST_gre_truncated);
		if (h[0] >> 4 != 2)
			return counted(st, ST_erspan_unsupported);
		if (h[11] & 1) {                        /* O: platform-specific subheader */
			cur_skip(c, 8);
			if (!cur_ok(c))
				return counted(st, ST_gre_truncated);
		}
		uint8_t ft = (h[10] >> 2) & 0x1f;
		if (ft == 2)
			inner = TUN_IP;
		else if (ft != 0)
			return counted(st, ST_erspan_unsupported);
	}
	stat_inc(st, ST_gre);
	stat_inc(st, ST_erspan);
	packet_push_encap(p, ENCAP_GRE);
	packet_push_encap(p, ENCAP_ERSPAN);
	return inner;
}

enum tunnel_inner tunnel_gre(struct cursor *c, struct packet *p, struct stats *st, uint16_t *type)
{
	uint16_t flags = cur_be16(c);
	uint16_t proto = cur_be16(c);
	if (!cur_ok(c))
		return counted(st, ST_gre_truncated);

	switch (flags & GRE_VER) {
	case 0:
		/* RFC 2784 §2.3: a receiver that does not implement RFC 1701 discards
		 * a packet with any of bits 1-5 set, RFC 2890's K and S aside. */
		if (flags & (GRE_R | GRE_SSR | 0x0400))
			return counted(st, ST_gre_unsupported);
		cur_skip(c, (flags & GRE_C ? 4u : 0u) + (flags & GRE_K ? 4u : 0u) +
			    (flags & GRE_S ? 4u : 0u));
		break;
	case 1:
		/* PPTP (RFC 2637 §4.1): PPP only; the key (payload length, call
		 * id) always there, sequence and acknowledgment numbers when
		 * flagged, nothing of RFC 1701. */
		if ((flags & (GRE_C | GRE_R | GRE_SSR | GRE_RECUR | GRE_FLAGS1)) ||
		    !(flags & GRE_K) || proto != GRE_PPP)
			return counted(st, ST_gre_unsupported);
		cur_skip(c, 4u + (flags & GRE_S ? 4u : 0u) + (flags & GRE_A ? 4u : 0u));
		if (!cur_ok(c))
			return counted(st, ST_gre_truncated);
		if (!(flags & GRE_S))
			return counted(st, ST_not_ip);  /* S clear: an acknowledgment, no payload */
		break;
	default:
		return counted(st, ST_gre_unsupported);
	}
	if (!cur_ok(c))
		return counted(st, ST_gre_truncated);

	enum tunnel_inner inner;
	switch (proto) {
	case ETHERTYPE_IPV4:
	case ETHERTYPE_IPV6:
	case ETHERTYPE_MPLS:                  /* RFC 4023 §4 */
	case ETHERTYPE_MPLSM:
		*type = proto;
		inner = TUN_ETHERTYPE;
		break;
	case GRE_TEB:
		inner = TUN_ETHER;
		break;
	case GRE_PPP:
		inner = TUN_PPP;
		break;
	case GRE_ERSPAN:
	case GRE_ERSPAN3:
		return erspan(c, proto, flags & GRE_S, p, st);
	default:
		return counted(st, ST_gre_unsupported);
	}
	stat_inc(st, ST_gre);
	packet_push_encap(p, ENCAP_GRE);
	return inner;
}

/* VXLAN (RFC 7348 §5): flags with I (a valid VNI) set, 24 reserved bits, the
 * VNI and 8 more reserved bits; then an Ethernet frame.  The reserved bits are
 * ignored as the RFC says (VXLAN-GBP uses some of them). */
static enum tunnel_inner vxlan(struct cursor *c, struct packet *p, struct stats *st)
{
	if (cur_left(c) < 8 || !(cur_peek(c, 0) & 0x08))
		return TUN_NONE;
	cur_skip(c, 8);
	stat_inc(st, ST_vxlan);
	packet_push_encap(p, ENCAP_VXLAN);
	return TUN_ETHER;
}

/* GENEVE (RFC 8926 §3.4): version (0), options length in 4-byte words, O and
 * C bits, protocol type, VNI; the options; then a frame of that protocol
 * type.  Options, critical ones included, are skipped: a monitor still reads
 * the payload.  A version other than 0 is not taken for GENEVE at all: the
 * version is the one fixed field a GENEVE header has, and a datagram that does
 * not show it stays a plain, counted UDP flow. */
static enum tunnel_inner geneve(struct cursor *c, struct packet *p, struct stats *st,
				uint16_t *type)
{
	if (cur_left(c) < 8 || cur_peek(c, 0) >> 6 != 0)
		return TUN_NONE;
	size_t optlen = (size_t)(cur_u8(c) & 0x3f) * 4;
	cur_skip(c, 1);
	uint16_t proto = cur_be16(c);
	cur_skip(c, 4 + optlen);
	if (!cur_ok(c))
		return counted(st, ST_tunnel_truncated);

	enum tunnel_inner inner;
	switch (proto) {
	case GRE_TEB:
		inner = TUN_ETHER;
		break;
	case ETHERTYPE_IPV4:
	case ETHERTYPE_IPV6:
		*type = proto;
		inner = TUN_ETHERTYPE;
		break;
	default:
		return counted(st, ST_geneve_unsupported);
	}
	stat_inc(st, ST_geneve);
	packet_push_encap(p, ENCAP_GENEVE);
	return inner;
}

/* Teredo (RFC 4380 §5.1.1): an optional authentication indicator (0x0001,
 * ID-len, AU-len, client id, authentication value, 8-byte nonce,
 * confirmation byte), an optional origin indication (0x0000, port, IPv4
 * address: 8 bytes), then an IPv6 packet.  Only a datagram whose rest is one
 * IPv6 packet, by its version and payload length, is taken for Teredo:
 * anything else on port 3544 stays a plain UDP datagram. */
static enum tunnel_inner teredo(struct cursor *c, size_t dgram_len, struct packet *p,
				struct stats *st, uint16_t *type)
{
	struct cursor t = *c;                   /* moved on only when it is Teredo */

	if (cur_peek(&t, 0) == 0 && cur_peek(&t, 1) == 1) {
		cur_skip(&t, 2);
		size_t id_len = cur_u8(&t);
		size_t au_len = cur_u8(&t);
		cur_skip(&t, id_len + au_len + 8 + 1);
	}
	if (cur_peek(&t, 0) == 0 && cur_peek(&t, 1) == 0)
		cur_skip(&t, 8);
	if (!cur_need(&t, 6) || cur_peek(&t, 0) >> 4 != 6)
		return TUN_NONE;
	size_t plen = (size_t)cur_peek(&t, 4) << 8 | cur_peek(&t, 5);
	size_t used = t.off - c->off;
	if (used > dgram_len || dgram_len - used != 40 + plen)
		return TUN_NONE;
	*c = t;
	stat_inc(st, ST_teredo);
	packet_push_encap(p, ENCAP_TEREDO);
	*type = ETHERTYPE_IPV6;
	return TUN_ETHERTYPE;
}

enum tunnel_inner tunnel_udp(struct cursor *c, size_t dgram_len, struct packet *p,
			     struct stats *st, uint16_t *type)
{
	/* DNS is never taken for a tunnel: an answer to a client whose port
	 * happens to be a tunnel's (old systems used 1025-5000) stays DNS. */
	if (p->sport == UDP_PORT_DNS || p->dport == UDP_PORT_DNS)
		return TUN_NONE;
	/* VXLAN and GENEVE by destination port: their source port is a flow
	 * hash.  Teredo either way, its server's port. */
	if (p->dport == UDP_PORT_VXLAN)
		return vxlan(c, p, st);
	if (p->dport == UDP_PORT_GENEVE)
		return geneve(c, p, st, type);
	if (p->sport == UDP_PORT_TEREDO || p->dport == UDP_PORT_TEREDO)
		return teredo(c, dgram_len, p, st, type);
	return TUN_NONE;
}
