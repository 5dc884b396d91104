/* pcapng.h — c2watchd's own reader of pcapng files (draft-ietf-opsawg-pcapng):
 * any number of sections in either byte order, any number of interfaces of
 * any link types, each packet handed over with its interface's link type.
 *
 * Two byte sources: a regular file read through sliding memory maps (like
 * pcapfile.h), or a stream read through a callback (gzip, standard input)
 * into one buffer that grows, at most to the block bound, only when a block
 * needs it.  Nothing is allocated per packet. */
#ifndef C2W_PCAPNG_H
#define C2W_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "stats.h"

#define PCAPNG_ERR_MAX 256
#define PCAPNG_MAX_BLOCK (128u << 20)      /* bytes of one block: libpcap's largest snaplen */
#define PCAPNG_MAX_INTERFACES 65535u       /* interfaces kept per section */

struct pcapng;

/* What pcapng_next() found.  Blocks of other kinds (name resolution,
 * statistics, secrets, custom) are skipped and counted, not returned. */
enum pcapng_next {
	PCAPNG_PACKET,           /* a packet: rec and *data set */
	PCAPNG_INTERFACE,        /* an interface description: rec's linktype, snaplen, ids */
	PCAPNG_END,              /* the input ended on a block boundary */
	PCAPNG_CUT,              /* the input ends in the middle of a block */
	PCAPNG_BAD,              /* a block that cannot be framed: pcapng_error() says why */
	PCAPNG_AGAIN,            /* kept: the next block needs the window moved */
};

struct pcapng_rec {
	uint64_t ts_ns;          /* packet: ns since the epoch */
	uint32_t caplen;         /* packet: bytes captured; interface: its snaplen */
	uint32_t len;            /* packet: bytes on the wire */
	uint32_t linktype;       /* LINKTYPE_ value of the packet's interface */
	uint32_t interface;      /* interface number within its section */
	uint32_t section;        /* sections begun before this one */
};

/* Bytes read into buf (at most len), 0 at the end of the input, -1 on error. */
typedef ssize_t (*pcapng_read_fn)(void *ctx, uint8_t *buf, size_t len);

/* Is this the start (at least 4 bytes) of a pcapng file? */
bool pcapng_is_pcapng(const uint8_t *magic, size_t len);

/* Open a regular file of `size` bytes on fd (which it keeps), or a stream.
 * Counters of what is skipped go to st (the reading thread's own).  NULL
 * with err set when the first section header cannot be read. */
struct pcapng *pcapng_open_map(int fd, uint64_t size, struct stats *st,
			       char err[PCAPNG_ERR_MAX]);
struct pcapng *pcapng_open_stream(pcapng_read_fn read, void *ctx, struct stats *st,
				  char err[PCAPNG_ERR_MAX]);
void pcapng_close(struct pcapng *r);

/* The next packet or interface.  *data points into the map or the buffer and
 * stays valid until the next call (or, while kept, until the keep ends). */
enum pcapng_next pcapng_next(struct pcapng *r, struct pcapng_rec *rec, const uint8_t **data);

/* Keep the bytes where they are: until pcapng_keep(r, false), packets already
 * returned stay valid, and a block that is not yet in view gives
 * PCAPNG_AGAIN instead of moving the window or the buffer. */
void pcapng_keep(struct pcapng *r, bool keep);

uint64_t pcapng_offset(const struct pcapng *r);   /* bytes read so far */

/* Why the last PCAPNG_BAD (or a failed open): "what is wrong at offset N". */
const char *pcapng_error(const struct pcapng *r);

#endif
