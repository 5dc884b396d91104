/* pcapfile.h — a reader of classic pcap files (not pcapng) over sliding
 * memory maps: the file's pages are mapped a window at a time instead of
 * copied through read(2), and each window is unmapped once passed, so memory
 * stays at one window whatever the file's length.  pcapng, gzip and pipes go
 * through libpcap (capture.c). */
#ifndef C2W_PCAPFILE_H
#define C2W_PCAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCAPFILE_ERR_MAX 256

struct pcapfile;

struct pcapfile_rec {
	uint64_t ts_ns;
	uint32_t caplen;
	uint32_t len;            /* on the wire */
};

enum pcapfile_next {
	PCAPFILE_PACKET,
	PCAPFILE_END,            /* the file ended on a record boundary */
	PCAPFILE_CUT,            /* the file ends in the middle of a record */
	PCAPFILE_BAD,            /* a record header that cannot be (caplen too large) */
	PCAPFILE_AGAIN,          /* kept: the next record needs the window moved */
};

/* Is this the start (at least 4 bytes) of a classic pcap file? */
bool pcapfile_is_classic(const uint8_t *magic, size_t len);

/* Open a regular file of `size` bytes on fd (which it keeps).  NULL with err
 * set when the header is not a pcap header it can read. */
struct pcapfile *pcapfile_open(int fd, uint64_t size, char err[PCAPFILE_ERR_MAX]);
void pcapfile_close(struct pcapfile *pf);

uint32_t pcapfile_linktype(const struct pcapfile *pf);   /* LINKTYPE_ value */
uint32_t pcapfile_snaplen(const struct pcapfile *pf);
uint64_t pcapfile_offset(const struct pcapfile *pf);     /* bytes read so far */

/* Keep the window where it is: until pcapfile_keep(pf, false), records
 * already returned stay valid and a record beyond the window gives
 * PCAPFILE_AGAIN instead of moving it.  Lets a reader hold a batch. */
void pcapfile_keep(struct pcapfile *pf, bool keep);

/* The next record; *data points into the map and stays valid until the next
 * call (or, while kept, until the keep ends). */
enum pcapfile_next pcapfile_next(struct pcapfile *pf, struct pcapfile_rec *rec,
				 const uint8_t **data);

#endif
