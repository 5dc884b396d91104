/* decode.c — link layers, IPv4 (RFC 791), IPv6 (RFC 8200), TCP (RFC 9293) and
 * UDP (RFC 768) headers, with 802.1Q/QinQ, PPPoE (RFC 2516), MPLS (RFC 3032),
 * IP-in-IP (RFC 2003, RFC 4213) and the tunnels of tunnel.c walked on the way:
 * link → IP → (tunnel → link or IP)* → transport, one loop in decode_ip();
 * 802.11 data frames (wifi.c), also inside CAPWAP (RFC 5415) tunnels from
 * access points.
 *
 * All reads go through struct cursor.  Each failure bumps one counter. */
#include <string.h>

#include <pcap/pcap.h>

#include "cursor.h"
#include "decode.h"
#include "tunnel.h"
#include "wifi.h"

#define ETH_IPV4   0x0800
#define ETH_IPV6   0x86dd
#define ETH_VLAN   0x8100
#define ETH_QINQ   0x88a8
#define ETH_QINQ9  0x9100
#define ETH_PPPOES 0x8864
#define ETH_MPLS   0x8847
#define ETH_MPLSM  0x8848

#define PPP_IPV4   0x0021
#define PPP_IPV6   0x0057

#define MAX_LAYERS 4    /* VLAN tags, MPLS labels sets, PPPoE: frames deeper are skipped */
#define MAX_TUNNEL 4    /* tunnels inside one another: IP-in-IP, GRE, VXLAN, GENEVE, Teredo */
#define MAX_V6_EXT 8

#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_NFLOG
#define DLT_NFLOG 239
#endif
#ifndef DLT_PKTAP
#define DLT_PKTAP 258
#endif
#ifndef DLT_PPI
#define DLT_PPI 192
#endif

#define CAPWAP_DATA_PORT 5247

/* Where the link layer leaves us: the network-layer bytes and what they are.
 * L3_NONE is "not IP" (counted once, by the caller); L3_COUNTED means the
 * walker already counted why it stopped. */
enum l3 { L3_NONE, L3_IPV4, L3_IPV6, L3_GUESS, L3_COUNTED };

static bool decode_ip(struct cursor *c, enum l3 kind, struct packet *p, struct stats *st);
static bool decode_link(int dlt, struct cursor *c, struct packet *p, struct stats *st, int depth);

static enum l3 l3_from_first_nibble(const struct cursor *c)
{
	switch (cur_peek(c, 0) >> 4) {
	case 4: return L3_IPV4;
	case 6: return L3_IPV6;
	default: return L3_NONE;
	}
}

static enum l3 l3_from_ppp(uint16_t proto)
{
	switch (proto) {
	case PPP_IPV4: return L3_IPV4;
	case PPP_IPV6: return L3_IPV6;
	default: return L3_NONE;
	}
}

/* PPP (RFC 1661): optional address/control 0xff 0x03, then a 1- or 2-byte
 * protocol field (RFC 1661 §6.5 protocol-field compression). */
static enum l3 walk_ppp(struct cursor *c)
{
	if (cur_peek(c, 0) == 0xff && cur_peek(c, 1) == 0x03)
		cur_skip(c, 2);
	uint16_t proto = cur_u8(c);
	if (!(proto & 1))
		proto = (uint16_t)(proto << 8 | cur_u8(c));
	return l3_from_ppp(proto);
}

/* Walk an EtherType and whatever it stacks (VLAN, PPPoE, MPLS) down to IP. */
static enum l3 walk_ethertype(struct cursor *c, uint16_t type, struct packet *p, struct stats *st)
{
	for (int layers = 0;; layers++) {
		if (layers > MAX_LAYERS) {
			stat_inc(st, ST_vlan_too_deep);
			return L3_COUNTED;
		}
		switch (type) {
		case ETH_IPV4:
			return L3_IPV4;
		case ETH_IPV6:
			return L3_IPV6;
		case ETH_VLAN:
		case ETH_QINQ:
		case ETH_QINQ9:
			packet_push_encap(p, ENCAP_VLAN);
			cur_skip(c, 2);           /* TCI */
			type = cur_be16(c);
			break;
		case ETH_PPPOES:
			packet_push_encap(p, ENCAP_PPPOE);
			cur_skip(c, 6);           /* ver/type, code, session id, length */
			if (!cur_ok(c))
				return L3_NONE;
			return l3_from_ppp(cur_be16(c));
		case ETH_MPLS:
		case ETH_MPLSM: {
			packet_push_encap(p, ENCAP_MPLS);
			/* Labels until bottom of stack; then the payload says what it is. */
			for (int n = 0; n < 16; n++) {
				uint32_t lse = cur_be32(c);
				if (!cur_ok(c) || (lse & 0x100))
					break;
			}
			if (!cur_need(c, 1))
				return L3_NONE;           /* the caller sees the cursor bad */
			return l3_from_first_nibble(c);
		}
		default:
			if (type < 0x0600 && cur_peek(c, 0) == 0xaa && cur_peek(c, 1) == 0xaa &&
			    cur_peek(c, 2) == 0x03) {
				/* 802.3 length field followed by LLC/SNAP carrying an EtherType. */
				cur_skip(c, 6);
				type = cur_be16(c);
				break;
			}
			return L3_NONE;
		}
		if (!cur_ok(c))
			return L3_NONE;
	}
}

bool decode_linktype_supported(int dlt)
{
	switch (dlt) {
	case DLT_NULL: case DLT_LOOP: case DLT_EN10MB: case DLT_RAW: case 101:
	case DLT_IPV4: case DLT_IPV6: case DLT_LINUX_SLL: case DLT_LINUX_SLL2:
	case DLT_PPP: case DLT_PPP_SERIAL: case DLT_PPP_ETHER: case DLT_NFLOG:
	case DLT_PKTAP: case DLT_IEEE802_11: case DLT_IEEE802_11_RADIO: case DLT_PPI:
		return true;
	default:
		return false;
	}
}

const char *decode_encap_name(enum encap e)
{
	static const char *const names[ENCAP__COUNT] = {
		[ENCAP_VLAN] = "vlan", [ENCAP_MPLS] = "mpls", [ENCAP_PPPOE] = "pppoe",
		[ENCAP_4IN4] = "4in4", [ENCAP_6IN4] = "6in4", [ENCAP_4IN6] = "4in6",
		[ENCAP_6IN6] = "6in6", [ENCAP_GRE] = "gre", [ENCAP_ERSPAN] = "erspan",
		[ENCAP_VXLAN] = "vxlan", [ENCAP_GENEVE] = "geneve", [ENCAP_TEREDO] = "teredo",
		[ENCAP_CAPWAP] = "capwap", [ENCAP_IEEE80211] = "802.11",
	};
	return (unsigned)e < ENCAP__COUNT && names[e] ? names[e] : "unknown";
}

const char *decode_linktype_name(int dlt)
{
	const char *n = pcap_datalink_val_to_name(dlt);
	return n ? n : "unknown";
}

/* NFLOG (Linux netfilter log): a 4-byte header, then TLVs in host byte order;
 * NFULA_PAYLOAD (9) holds the IP packet.  A payload cut by the snaplen is
 * inspected as far as it goes; any other TLV cut short is a truncation. */
static enum l3 walk_nflog(struct cursor *c, uint8_t family)
{
	while (cur_left(c) > 0) {
		if (!cur_need(c, 4))
			return L3_NONE;
		uint16_t tlen = cur_peek(c, 0) | (uint16_t)(cur_peek(c, 1) << 8);
		uint16_t ttype = cur_peek(c, 2) | (uint16_t)(cur_peek(c, 3) << 8);
		if (tlen < 4) {
			c->err = true;
			return L3_NONE;
		}
		if ((ttype & 0x7fff) == 9) {
			cur_skip(c, 4);
			if ((size_t)tlen - 4 < cur_left(c))
				c->len = c->off + (size_t)(tlen - 4);
			if (!cur_need(c, 1))
				return L3_NONE;
			return family == 10 ? L3_IPV6 : family == 2 ? L3_IPV4 : l3_from_first_nibble(c);
		}
		size_t step = ((size_t)tlen + 3) & ~(size_t)3;
		if (tlen > cur_left(c)) {
			c->err = true;
			return L3_NONE;
		}
		cur_skip(c, step < cur_left(c) ? step : cur_left(c));
	}
	return L3_NONE;                         /* no payload: a log entry without a packet */
}

static enum stat_id wifi_reason(enum wifi_result r)
{
	switch (r) {
	case WIFI_TRUNCATED: return ST_wifi_truncated;
	case WIFI_BAD_FCS: return ST_wifi_bad_fcs;
	case WIFI_MANAGEMENT: return ST_wifi_management;
	case WIFI_CONTROL: return ST_wifi_control;
	case WIFI_NULL_DATA: return ST_wifi_null_data;
	case WIFI_PROTECTED: return ST_wifi_encrypted;
	case WIFI_FRAGMENT: return ST_wifi_fragment;
	case WIFI_NOT_SNAP: return ST_not_ip;
	case WIFI_OK:
	case WIFI_MALFORMED:
	default: return ST_wifi_malformed;
	}
}

/* An 802.11 frame down to its EtherType.  Frames that carry nothing to decode
 * are counted here (L3_COUNTED, the cursor left good); an encrypted one is
 * marked on the packet for the caller to count by BSSID. */
static enum l3 walk_80211(struct cursor *c, unsigned flags, struct packet *p, struct stats *st)
{
	struct wifi_frame f;
	enum wifi_result r = wifi_data(cur_pos(c), cur_left(c), flags, &f);
	if (r != WIFI_OK) {
		if (r == WIFI_PROTECTED) {
			p->wifi_protected = true;
			memcpy(p->bssid, f.bssid, sizeof p->bssid);
		}
		stat_inc(st, wifi_reason(r));
		return L3_COUNTED;
	}
	packet_push_encap(p, ENCAP_IEEE80211);
	if (f.amsdu_rest)
		stat_add(st, ST_wifi_amsdu_subframes, f.amsdu_rest);
	c->len = c->off + f.end;                  /* no FCS, no further A-MSDU subframes */
	cur_skip(c, f.l3_off);
	return walk_ethertype(c, f.ethertype, p, st);
}

/* Where the link layer left off: IP to decode, or the reason it is not. */
static bool finish_link(struct cursor *c, enum l3 kind, struct packet *p, struct stats *st)
{
	if (kind == L3_GUESS && cur_need(c, 1))
		kind = l3_from_first_nibble(c);
	if (!cur_ok(c)) {
		stat_inc(st, ST_link_truncated);
		return false;
	}
	if (kind == L3_COUNTED)
		return false;
	if (kind == L3_NONE) {
		stat_inc(st, ST_not_ip);
		return false;
	}
	return decode_ip(c, kind, p, st);
}

static bool decode_link(int dlt, struct cursor *c, struct packet *p, struct stats *st, int depth)
{
	enum l3 kind = L3_NONE;

	switch (dlt) {
	case DLT_EN10MB:
		cur_skip(c, 12);
		kind = walk_ethertype(c, cur_be16(c), p, st);
		break;
	case DLT_NULL:
	case DLT_LOOP: {
		/* The family is in the capturing host's byte order (NULL) or network
		 * order (LOOP); AF_INET6 differs between systems. */
		uint32_t le = cur_le32(c);
		uint32_t fam = (le & 0xffff) ? le : __builtin_bswap32(le);
		if (fam == 2)
			kind = L3_IPV4;
		else if (fam == 10 || fam == 24 || fam == 28 || fam == 30)
			kind = L3_IPV6;
		break;
	}
	case DLT_RAW:
	case 101:
		kind = L3_GUESS;
		break;
	case DLT_IPV4:
		kind = L3_IPV4;
		break;
	case DLT_IPV6:
		kind = L3_IPV6;
		break;
	case DLT_LINUX_SLL:
		cur_skip(c, 14);
		kind = walk_ethertype(c, cur_be16(c), p, st);
		break;
	case DLT_LINUX_SLL2: {
		uint16_t proto = cur_be16(c);
		cur_skip(c, 18);
		if (cur_ok(c))
			kind = walk_ethertype(c, proto, p, st);
		break;
	}
	case DLT_PPP:
	case DLT_PPP_SERIAL:
		kind = walk_ppp(c);
		break;
	case DLT_PPP_ETHER:
		cur_skip(c, 6);
		kind = walk_ppp(c);
		break;
	case DLT_NFLOG: {
		uint8_t family = cur_u8(c);
		cur_skip(c, 3);
		kind = walk_nflog(c, family);
		break;
	}
	case DLT_PKTAP: {
		/* Apple's PKTAP, little-endian: header length, record type (1: a
		 * packet), then the DLT of what follows the header. */
		uint32_t hlen = cur_le32(c);
		uint32_t rectype = cur_le32(c);
		uint32_t inner = cur_le32(c);
		if (!cur_ok(c) || hlen < 12) {
			stat_inc(st, ST_link_truncated);
			return false;
		}
		if (rectype != 1 || depth > 0) {
			stat_inc(st, ST_link_unsupported);
			return false;
		}
		cur_skip(c, hlen - 12);
		if (!cur_ok(c)) {
			stat_inc(st, ST_link_truncated);
			return false;
		}
		if (!decode_linktype_supported((int)inner) || inner == DLT_PKTAP) {
			stat_inc(st, ST_link_unsupported);
			return false;
		}
		return decode_link((int)inner, c, p, st, depth + 1);
	}
	case DLT_IEEE802_11:
		kind = walk_80211(c, 0, p, st);
		break;
	case DLT_IEEE802_11_RADIO:
	case DLT_PPI: {
		/* A monitor-mode capture's radio header, then the 802.11 frame
		 * (PPI may wrap another link type: one level of it is decoded). */
		size_t hlen = 0;
		unsigned flags = 0;
		uint32_t inner = DLT_IEEE802_11;
		enum wifi_result r = dlt == DLT_PPI
			? wifi_ppi(cur_pos(c), cur_left(c), &hlen, &inner, &flags)
			: wifi_radiotap(cur_pos(c), cur_left(c), &hlen, &flags);
		if (r != WIFI_OK) {
			stat_inc(st, wifi_reason(r));
			return false;
		}
		cur_skip(c, hlen);
		if (inner == DLT_IEEE802_11) {
			kind = walk_80211(c, flags, p, st);
			break;
		}
		if (depth > 0 || inner == DLT_PPI || !decode_linktype_supported((int)inner)) {
			stat_inc(st, ST_link_unsupported);
			return false;
		}
		return decode_link((int)inner, c, p, st, depth + 1);
	}
	default:
		stat_inc(st, ST_link_unsupported);
		return false;
	}
	return finish_link(c, kind, p, st);
}

/* What decode_ip() leaves in p besides what it returns: a fragment. */
static enum decode_result result_of(bool ok, const struct packet *p)
{
	return ok ? DECODE_PACKET : p->frag.data ? DECODE_FRAGMENT : DECODE_SKIPPED;
}

enum decode_result decode_packet(int dlt, const uint8_t *data, uint32_t caplen,
				 struct packet *p, struct stats *st)
{
	struct cursor c;

	cur_init(&c, data, caplen);
	p->caplen = caplen;
	p->encap_depth = 0;
	p->nencap = 0;
	p->tcp_flags = 0;
	p->seq = 0;
	p->sport = p->dport = 0;
	p->payload = NULL;
	p->payload_len = 0;
	p->frag.data = NULL;
	p->wifi_protected = false;
	return result_of(decode_link(dlt, &c, p, st, 0), p);
}

enum decode_result decode_reassembled(const uint8_t *ip, uint32_t len, struct packet *p,
				      struct stats *st)
{
	struct cursor c;

	cur_init(&c, ip, len);
	p->caplen = len;
	p->tcp_flags = 0;
	p->seq = 0;
	p->sport = p->dport = 0;
	p->payload = NULL;
	p->payload_len = 0;
	p->frag.data = NULL;
	enum l3 kind = l3_from_first_nibble(&c);
	if (kind == L3_NONE) {
		stat_inc(st, ST_not_ip);
		return DECODE_SKIPPED;
	}
	return result_of(decode_ip(&c, kind, p, st), p);
}

/* The checks finish_link() makes of an outer link layer, for a frame or
 * packet walked inside a tunnel: the packet to walk on with in decode_ip()'s
 * loop, or L3_COUNTED once the reason is counted (cut: the counter for a
 * frame cut short). */
static enum l3 inner_l3(struct cursor *c, enum l3 kind, enum stat_id cut, struct stats *st)
{
	if (kind == L3_GUESS && cur_need(c, 1))
		kind = l3_from_first_nibble(c);
	if (kind == L3_COUNTED)
		return kind;
	if (!cur_ok(c)) {
		stat_inc(st, cut);
		return L3_COUNTED;
	}
	if (kind == L3_NONE) {
		stat_inc(st, ST_not_ip);
		return L3_COUNTED;
	}
	return kind;
}

/* Step into a tunnel whose header tunnel.c has read: one more layer under the
 * bound all tunnels share, then the frame or packet inside, down to IP. */
static enum l3 enter_tunnel(enum tunnel_inner what, uint16_t type, struct cursor *c,
			    struct packet *p, struct stats *st)
{
	enum l3 kind;

	if (what == TUN_COUNTED)
		return L3_COUNTED;
	if (++p->encap_depth > MAX_TUNNEL) {
		stat_inc(st, ST_tunnel_too_deep);
		return L3_COUNTED;
	}
	switch (what) {
	case TUN_ETHER:
		cur_skip(c, 12);                    /* destination and source MAC */
		type = cur_be16(c);
		kind = cur_ok(c) ? walk_ethertype(c, type, p, st) : L3_NONE;
		break;
	case TUN_ETHERTYPE:
		kind = walk_ethertype(c, type, p, st);
		break;
	case TUN_PPP:
		kind = walk_ppp(c);
		break;
	default:                                    /* TUN_IP */
		kind = cur_need(c, 1) ? l3_from_first_nibble(c) : L3_NONE;
		break;
	}
	return inner_l3(c, kind, ST_tunnel_truncated, st);
}

/* A tunnel carried in UDP (VXLAN, GENEVE, Teredo): the kind of packet inside
 * to walk on with, L3_NONE for a plain datagram, or L3_COUNTED. */
static enum l3 udp_tunnel(struct cursor *c, size_t dgram_len, struct packet *p, struct stats *st)
{
	uint16_t type = 0;
	enum tunnel_inner what = tunnel_udp(c, dgram_len, p, st, &type);

	return what == TUN_NONE ? L3_NONE : enter_tunnel(what, type, c, p, st);
}

/* CAPWAP header flags (RFC 5415 §4.3), in the 24 bits after the preamble */
#define CAPWAP_T 0x100             /* payload in the binding's native format */
#define CAPWAP_F 0x080             /* a fragment */
#define CAPWAP_K 0x008             /* a data channel keep-alive */
#define CAPWAP_WBID_80211 1        /* RFC 5416 */

/* CAPWAP data channel (RFC 5415 §4.3): what access points tunnel to their
 * wireless controller, the one place on a corporate WLAN where a tap sees
 * every client.  The preamble (version 0; type 0 a CAPWAP header, 1 a DTLS
 * record), then HLEN (the whole header in 4-byte words, optional parts
 * included), RID, WBID and flags.  The payload is an 802.11 frame when T is
 * set with the 802.11 binding (WBID 1, RFC 5416 §3), else an 802.3 frame.
 * Returns the packet inside to walk on with, or L3_COUNTED. */
static enum l3 decap_capwap(struct cursor *c, struct packet *p, struct stats *st)
{
	uint8_t preamble = cur_u8(c);
	uint32_t h = cur_be24(c);
	if (!cur_ok(c)) {
		stat_inc(st, ST_capwap_truncated);
		return L3_COUNTED;
	}
	size_t hlen = (size_t)(h >> 19) * 4;
	if (preamble == 0x01) {
		stat_inc(st, ST_capwap_dtls);
		return L3_COUNTED;
	}
	if (preamble != 0 || hlen < 8) {
		stat_inc(st, ST_capwap_malformed);
		return L3_COUNTED;
	}
	if (h & CAPWAP_K) {
		stat_inc(st, ST_capwap_keepalive);
		return L3_COUNTED;
	}
	if (h & CAPWAP_F) {
		stat_inc(st, ST_capwap_fragment);
		return L3_COUNTED;
	}
	cur_skip(c, hlen - 4);
	if (!cur_ok(c)) {
		stat_inc(st, ST_capwap_truncated);
		return L3_COUNTED;
	}
	if (++p->encap_depth > MAX_TUNNEL) {      /* CAPWAP in CAPWAP in ... */
		stat_inc(st, ST_tunnel_too_deep);
		return L3_COUNTED;
	}
	packet_push_encap(p, ENCAP_CAPWAP);
	enum l3 kind;
	if (!(h & CAPWAP_T)) {
		cur_skip(c, 12);                     /* an 802.3 frame */
		kind = walk_ethertype(c, cur_be16(c), p, st);
	} else if ((h >> 9 & 31) == CAPWAP_WBID_80211) {
		kind = walk_80211(c, WIFI_F_FC_SWAP, p, st);
	} else {
		stat_inc(st, ST_link_unsupported);
		return L3_COUNTED;
	}
	return inner_l3(c, kind, ST_link_truncated, st);
}

/* Transport header, then the payload as far as the IP length and the capture go.
 * *inner is set when the payload is a tunnel: the packet inside to walk on with. */
static bool decode_transport(struct cursor *c, struct packet *p, struct stats *st,
			     enum l3 *inner)
{
	if (p->proto == IPPROTO_NUM_TCP) {
		p->sport = cur_be16(c);
		p->dport = cur_be16(c);
		p->seq = cur_be32(c);
		cur_skip(c, 4);                       /* ack */
		uint8_t off = cur_u8(c) >> 4;
		p->tcp_flags = cur_u8(c);
		cur_skip(c, 6);                       /* window, checksum, urgent */
		if (!cur_ok(c)) {
			stat_inc(st, ST_tcp_truncated);
			return false;
		}
		if (off < 5) {
			stat_inc(st, ST_tcp_malformed);
			return false;
		}
		cur_skip(c, (size_t)(off - 5) * 4);  /* options */
		if (!cur_ok(c)) {
			stat_inc(st, ST_tcp_truncated);
			return false;
		}
		stat_inc(st, ST_tcp);
	} else if (p->proto == IPPROTO_NUM_UDP) {
		p->sport = cur_be16(c);
		p->dport = cur_be16(c);
		uint16_t ulen = cur_be16(c);
		cur_skip(c, 2);
		if (!cur_ok(c)) {
			stat_inc(st, ST_udp_truncated);
			return false;
		}
		if (ulen != 0) {              /* 0: IPv6 jumbogram, the IP length rules */
			if (ulen < 8) {
				stat_inc(st, ST_udp_malformed);
				return false;
			}
			if ((size_t)ulen - 8 < cur_left(c))
				c->len = c->off + ulen - 8;
		}
		stat_inc(st, ST_udp);
		/* (DNS from an unlucky source port 5247 stays DNS.) */
		if ((p->sport == CAPWAP_DATA_PORT || p->dport == CAPWAP_DATA_PORT) &&
		    p->sport != 53 && p->dport != 53) {
			*inner = decap_capwap(c, p, st);
			return *inner != L3_COUNTED;
		}
		*inner = udp_tunnel(c, ulen ? (size_t)ulen - 8 : cur_left(c), p, st);
		if (*inner == L3_COUNTED)
			return false;
		if (*inner != L3_NONE)
			return true;
	} else {
		/* ICMP, ESP, SCTP...: a flow to count, nothing to inspect.
		 * No ports: not those of a UDP tunnel around it either. */
		p->sport = p->dport = 0;
		stat_inc(st, ST_other_ip_proto);
	}
	p->payload = cur_pos(c);
	p->payload_len = (uint32_t)cur_left(c);
	return true;
}

/* Limit the cursor to an IP datagram's stated length: trims link padding; a
 * datagram longer than what was captured is inspected as far as it goes. */
static bool clamp_ip_length(struct cursor *c, size_t payload_len, struct stats *st)
{
	if (payload_len <= cur_left(c)) {
		c->len = c->off + payload_len;
		return false;
	}
	stat_inc(st, ST_ip_payload_cut);
	return true;
}

static bool decode_ip(struct cursor *c, enum l3 kind, struct packet *p, struct stats *st)
{
	for (;;) {
		uint8_t next;

		if (kind == L3_IPV4) {
			size_t start = c->off;
			uint8_t vihl = cur_u8(c);
			cur_skip(c, 1);
			uint16_t total = cur_be16(c);
			uint16_t id = cur_be16(c);
			uint16_t frag = cur_be16(c);
			cur_skip(c, 1);
			next = cur_u8(c);
			cur_skip(c, 2);
			const uint8_t *src = cur_bytes(c, 4);
			const uint8_t *dst = cur_bytes(c, 4);
			if (!cur_ok(c)) {
				stat_inc(st, ST_ipv4_truncated);
				return false;
			}
			size_t hlen = (size_t)(vihl & 15) * 4;
			if (vihl >> 4 != 4 || hlen < 20 || (total != 0 && total < hlen)) {
				stat_inc(st, ST_ipv4_malformed);
				return false;
			}
			cur_skip(c, hlen - 20);               /* options */
			if (!cur_ok(c)) {
				stat_inc(st, ST_ipv4_truncated);
				return false;
			}
			/* total 0: segmentation offload left it unset; the capture rules. */
			bool cut = total != 0 && clamp_ip_length(c, total - (c->off - start), st);
			stat_inc(st, ST_ipv4);
			p->family = 4;
			memset(p->src, 0, 16);
			memset(p->dst, 0, 16);
			memcpy(p->src, src, 4);
			memcpy(p->dst, dst, 4);
			if (frag & 0x3fff) {                   /* MF or an offset */
				/* To reassembly (RFC 791 §3.2).  A first fragment that
				 * the capture cut short could never be reassembled, so
				 * it is inspected as far as it goes (a DNS question sits
				 * at its start). */
				stat_inc(st, ST_ipv4_fragment);
				if ((frag & 0x1fff) || !cut) {
					p->frag.id = id;
					p->frag.offset = (uint32_t)(frag & 0x1fff) * 8;
					p->frag.hlen = (uint16_t)hlen;
					p->frag.proto = next;
					p->frag.more = frag & 0x2000;
					p->frag.cut = cut;
					p->frag.data = cur_pos(c);
					p->frag.len = (uint32_t)cur_left(c);
					return false;
				}
			}
		} else {
			size_t start = c->off;
			uint8_t v = cur_u8(c);
			cur_skip(c, 3);
			uint16_t plen = cur_be16(c);
			next = cur_u8(c);
			cur_skip(c, 1);
			const uint8_t *src = cur_bytes(c, 16);
			const uint8_t *dst = cur_bytes(c, 16);
			if (!cur_ok(c)) {
				stat_inc(st, ST_ipv6_truncated);
				return false;
			}
			if (v >> 4 != 6) {
				stat_inc(st, ST_ipv6_malformed);
				return false;
			}
			bool cut = plen != 0 && clamp_ip_length(c, plen, st);
			stat_inc(st, ST_ipv6);
			p->family = 6;
			memcpy(p->src, src, 16);
			memcpy(p->dst, dst, 16);

			/* Extension headers (RFC 8200 §4). */
			for (int n = 0;; n++) {
				if (n > MAX_V6_EXT) {
					stat_inc(st, ST_ipv6_ext_too_many);
					return false;
				}
				size_t ext_len;
				if (next == 0 || next == 43 || next == 60 || next == 135 ||
				    next == 139 || next == 140) {
					uint8_t nh = cur_u8(c);
					ext_len = ((size_t)cur_u8(c) + 1) * 8;
					next = nh;
					cur_skip(c, ext_len - 2);
				} else if (next == 51) {       /* AH: length in 4-octet units, minus 2 */
					uint8_t nh = cur_u8(c);
					ext_len = ((size_t)cur_u8(c) + 2) * 4;
					next = nh;
					cur_skip(c, ext_len - 2);
				} else if (next == 44) {       /* fragment */
					size_t at = c->off;
					uint8_t nh = cur_u8(c);
					cur_skip(c, 1);
					uint16_t fo = cur_be16(c);
					uint32_t id = cur_be32(c);
					if (cur_ok(c) && (fo & 0xfff9)) {
						/* To reassembly (RFC 8200 §4.5), as for IPv4;
						 * an atomic fragment (RFC 6946) is walked
						 * through. */
						stat_inc(st, ST_ipv6_fragment);
						if ((fo & 0xfff8) || !cut) {
							p->frag.id = id;
							p->frag.offset = fo & 0xfff8;
							p->frag.hlen = (uint16_t)(at - start - 40);
							p->frag.proto = nh;
							p->frag.more = fo & 1;
							p->frag.cut = cut;
							p->frag.data = cur_pos(c);
							p->frag.len = (uint32_t)cur_left(c);
							return false;
						}
					}
					next = nh;
				} else {
					break;
				}
				if (!cur_ok(c)) {
					stat_inc(st, ST_ipv6_truncated);
					return false;
				}
			}
		}

		if (next == 4 || next == 41) {                 /* IPv4 / IPv6 inside */
			if (++p->encap_depth > MAX_TUNNEL) {
				stat_inc(st, ST_tunnel_too_deep);
				return false;
			}
			packet_push_encap(p, p->family == 4 ? (next == 4 ? ENCAP_4IN4 : ENCAP_6IN4)
							     : (next == 4 ? ENCAP_4IN6 : ENCAP_6IN6));
			kind = next == 4 ? L3_IPV4 : L3_IPV6;
			continue;
		}
		if (next == IPPROTO_NUM_GRE) {
			uint16_t type = 0;
			enum tunnel_inner what = tunnel_gre(c, p, st, &type);
			kind = enter_tunnel(what, type, c, p, st);
			if (kind == L3_COUNTED)
				return false;
			continue;
		}
		p->proto = next;
		enum l3 inner = L3_NONE;
		if (!decode_transport(c, p, st, &inner))
			return false;
		if (inner == L3_NONE)
			return true;
		kind = inner;                                  /* a tunnel in UDP */
	}
}
