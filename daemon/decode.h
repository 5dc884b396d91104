/* decode.h — link layer → IPv4/IPv6 → TCP/UDP, into one struct packet.
 *
 * Every read is checked against the captured length.  A packet that cannot be
 * decoded bumps exactly one named counter (stats.h) and is skipped. */
#ifndef C2W_DECODE_H
#define C2W_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "stats.h"

#define IPPROTO_NUM_TCP 6
#define IPPROTO_NUM_UDP 17

/* TCP flags */
#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_ACK 0x10

/* What the inner packet was found inside, outermost first: recorded on the
 * packet, its flow and its events ("encapsulation"). */
enum encap {
	ENCAP_VLAN = 1,            /* 802.1Q / 802.1ad tag */
	ENCAP_MPLS,
	ENCAP_PPPOE,
	ENCAP_4IN4, ENCAP_6IN4, ENCAP_4IN6, ENCAP_6IN6,   /* IP directly in IP */
	ENCAP_GRE,
	ENCAP_ERSPAN,
	ENCAP_VXLAN,
	ENCAP_GENEVE,
	ENCAP_TEREDO,
	ENCAP_CAPWAP,
	ENCAP_IEEE80211,           /* an 802.11 data frame */
	ENCAP__COUNT
};

#define DECODE_MAX_ENCAP 8         /* layers recorded; deeper ones are walked, not listed */

struct packet {
	uint64_t ts_ns;            /* capture time, ns since the epoch */
	uint32_t caplen;
	uint32_t wirelen;

	uint8_t family;            /* 4 or 6 */
	uint8_t proto;             /* IP protocol number of the inner transport */
	uint8_t src[16], dst[16];  /* IPv4 in the first 4 bytes, rest zero */
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint32_t seq;
	uint8_t encap_depth;       /* tunnel layers walked (IP-in-IP, GRE, VXLAN, ...) */
	uint8_t nencap;            /* encapsulations recorded in encap[] */
	uint8_t encap[DECODE_MAX_ENCAP];   /* enum encap, outermost first */

	const uint8_t *payload;    /* transport payload, as far as captured */
	uint32_t payload_len;

	/* Set when decode_packet() returns false for an encrypted 802.11 data
	 * frame: the BSSID it belongs to, for the caller to count it by. */
	bool wifi_protected;
	uint8_t bssid[6];
	/* A fragment (decode_packet() gave DECODE_FRAGMENT): what reassembly
	 * (frag.h) needs.  family, src and dst above are those of the
	 * fragmented IP header, the innermost one reached. */
	struct {
		uint32_t id;           /* IPv4: 16 bits; IPv6: 32 */
		uint32_t offset;       /* bytes into the datagram's data */
		uint16_t hlen;         /* header bytes the reassembled length counts too:
					* IPv4 header with options; IPv6 extension
					* headers before the fragment header */
		uint8_t proto;         /* IPv4 protocol; IPv6 next header after the
					* fragment header */
		bool more;             /* more fragments follow (MF / M) */
		bool cut;              /* the capture cut it short (snaplen) */
		const uint8_t *data;   /* the fragment's data, as far as captured */
		uint32_t len;
	} frag;
};

/* What decode_packet() made of a frame. */
enum decode_result {
	DECODE_SKIPPED = 0,        /* not inspected, the reason counted */
	DECODE_PACKET,             /* an IP packet to inspect (see decode_packet) */
	DECODE_FRAGMENT,           /* an IP fragment: p->frag, for reassembly */
};

/* Is this libpcap DLT one we decode? */
bool decode_linktype_supported(int dlt);

/* Decode a frame of link type dlt.  DECODE_PACKET when p now describes an
 * IP packet: TCP or UDP to inspect, or another protocol (ports 0) to count
 * as a flow; DECODE_FRAGMENT when it is an IP fragment to hand to
 * reassembly (a first fragment cut short by the snaplen, which could never
 * be reassembled, is a DECODE_PACKET inspected as far as it goes);
 * DECODE_SKIPPED otherwise, with the reason counted (a decode error, "not
 * IP").  Test the result against these names: a fragment is not 0. */
enum decode_result decode_packet(int dlt, const uint8_t *data, uint32_t caplen,
				 struct packet *p, struct stats *st);

/* Decode an IP datagram that reassembly rebuilt (frag.h), as decode_packet()
 * does raw IP, but keeping the encapsulation already in p (encap_depth,
 * nencap, encap[]): that of its fragments. */
enum decode_result decode_reassembled(const uint8_t *ip, uint32_t len, struct packet *p,
				      struct stats *st);

/* Record an encapsulation walked on the way in. */
static inline void packet_push_encap(struct packet *p, enum encap e)
{
	if (p->nencap < DECODE_MAX_ENCAP)
		p->encap[p->nencap++] = (uint8_t)e;
}

/* Name of an encapsulation in events: "vlan", "gre", "6in4", ... */
const char *decode_encap_name(enum encap e);

/* Name of a DLT for messages ("EN10MB", ...). */
const char *decode_linktype_name(int dlt);

#endif
