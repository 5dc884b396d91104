/* tunnel.h — tunnel headers: GRE (RFC 2784, RFC 2890) with PPTP's enhanced GRE
 * (RFC 2637) and ERSPAN, and the UDP tunnels VXLAN (RFC 7348), GENEVE
 * (RFC 8926) and Teredo (RFC 4380).
 *
 * Each parser reads one tunnel header at the cursor, records the encapsulation
 * on the packet and says what follows; decode.c walks on from there, under
 * one nesting bound for every kind of tunnel. */
#ifndef C2W_TUNNEL_H
#define C2W_TUNNEL_H

#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "decode.h"
#include "stats.h"

#define IPPROTO_NUM_GRE 47

/* What follows a tunnel header, at the cursor. */
enum tunnel_inner {
	TUN_NONE,          /* UDP only: not this tunnel after all, a plain datagram */
	TUN_COUNTED,       /* nothing to walk into: the reason is counted */
	TUN_ETHER,         /* an Ethernet frame */
	TUN_ETHERTYPE,     /* a packet of the EtherType in *type: IPv4, IPv6 or MPLS */
	TUN_PPP,           /* a PPP frame (PPTP) */
	TUN_IP,            /* IPv4 or IPv6, told by its first nibble */
};

/* The GRE header (and an ERSPAN header after it) of an IP packet of protocol 47. */
enum tunnel_inner tunnel_gre(struct cursor *c, struct packet *p, struct stats *st,
			     uint16_t *type);

/* A UDP datagram's payload, p->sport and p->dport set: VXLAN, GENEVE or
 * Teredo by port, or TUN_NONE.  dgram_len is the payload length the UDP
 * header claims (the capture may hold less). */
enum tunnel_inner tunnel_udp(struct cursor *c, size_t dgram_len, struct packet *p,
			     struct stats *st, uint16_t *type);

#endif
