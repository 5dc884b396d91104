/* frag.h — IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5) fragment reassembly
 * in memory and time fixed by configuration.
 *
 * A table of datagrams being reassembled, keyed by (family, source,
 * destination, identification, and for IPv4 the protocol) under a keyed hash,
 * their bytes in pages of a preallocated pool.  Nothing is allocated per
 * packet.  A datagram is given up when its first fragment is older than the
 * timeout (packet time), or to make room, oldest first; each way is counted.
 *
 * Overlapping fragments drop the whole datagram (RFC 5722 for IPv6, and the
 * same for IPv4): a sensor that picked one reading of the overlap could be
 * evaded by a host that picks the other.  A fragment whose bytes are all held
 * already, and equal, is an exact duplicate (a retransmission, a mirror port
 * seeing a packet twice): it is ignored and counted, as RFC 5722 §4 allows,
 * since it leaves nothing to interpret. */
#ifndef C2W_FRAG_H
#define C2W_FRAG_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "stats.h"

#define FRAG_PAGE 1024            /* bytes of a pool page */
#define FRAG_MAX_NEST 2           /* reassemblies one frame may lead to (a datagram
				   * that is again a fragment, as in a tunnel) */

struct frag_config {
	uint32_t max_datagrams;   /* datagrams being reassembled at once */
	uint32_t max_bytes;       /* the pool: fragment bytes held, in FRAG_PAGE pages */
	uint32_t timeout_s;       /* from a datagram's first fragment */
};

/* A datagram made whole: an IP header rebuilt (20 bytes for IPv4, 40 for
 * IPv6, without options or the extension headers that came before the
 * fragment header: the decoder reads neither), then the data.  The bytes
 * stay put until the next frag_add() on the same table. */
struct frag_datagram {
	const uint8_t *ip;
	uint32_t len;
	uint8_t encap_depth;      /* the encapsulation of its first fragment */
	uint8_t nencap;
	uint8_t encap[DECODE_MAX_ENCAP];
};

struct frag_table;

/* NULL when memory cannot be had (or a size is 0). */
struct frag_table *frag_table_new(const struct frag_config *c, struct stats *st);
void frag_table_free(struct frag_table *t);

/* Add the fragment p (decode_packet() gave DECODE_FRAGMENT).  True when it
 * made its datagram whole, which is then in *out; false when the datagram
 * is still incomplete, or was dropped (the reason counted). */
bool frag_add(struct frag_table *t, const struct packet *p, struct frag_datagram *out);

/* Give up datagrams whose first fragment came more than the timeout before
 * now_ns; at most budget per call, so one call never stalls the packet loop. */
unsigned frag_expire(struct frag_table *t, uint64_t now_ns, unsigned budget);

/* End of input: give up every datagram still incomplete (frag_timeout). */
void frag_flush(struct frag_table *t);

/* Decode a whole datagram into p, with its first fragment's encapsulation,
 * at time ts_ns (that of the fragment that completed it). */
enum decode_result frag_decode(const struct frag_datagram *d, uint64_t ts_ns, struct packet *p,
			       struct stats *st);

#endif
