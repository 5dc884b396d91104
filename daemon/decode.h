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
	uint8_t encap_depth;       /* IP-in-IP layers walked */

	const uint8_t *payload;    /* transport payload, as far as captured */
	uint32_t payload_len;
};

/* Is this libpcap DLT one we decode? */
bool decode_linktype_supported(int dlt);

/* Decode a frame of link type dlt.  Returns true when p now describes an IP
 * packet: TCP or UDP to inspect, or another protocol (ports 0) to count as a
 * flow; false otherwise, with the reason counted (a decode error, "not IP"). */
bool decode_packet(int dlt, const uint8_t *data, uint32_t caplen,
		   struct packet *p, struct stats *st);

/* Name of a DLT for messages ("EN10MB", ...). */
const char *decode_linktype_name(int dlt);

#endif
