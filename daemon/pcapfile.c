/* pcapfile.c — classic pcap (the libpcap savefile format: a 24-byte file
 * header, then 16-byte record headers, in either byte order, micro- or
 * nanosecond time) read through sliding read-only memory maps. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mapguard.h"
#include "pcapfile.h"

#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du
#define WINDOW (16u << 20)       /* bytes mapped at once; measured: 16 MiB is as fast as 256 */
#define MAX_CAPLEN (128u << 20)  /* libpcap's largest snaplen (D-Bus) */
#define PREFETCH_AHEAD 16384u    /* bytes of the file fetched ahead of the reader */
#define FILE_HDR 24
#define REC_HDR 16

struct pcapfile {
	int fd;
	uint64_t size;
	bool swap;
	bool nsec;
	bool maybe_swapped;      /* version 2.0-2.2: some writers swapped caplen and len */
	uint32_t linktype;
	uint32_t snaplen;
	uint64_t off;            /* file offset of the next record */
	uint64_t fetched;        /* prefetched up to here */
	const uint8_t *map;      /* current window */
	uint64_t map_off;        /* its file offset (page aligned) */
	size_t map_len;
	long page;
	bool keep;               /* do not move the window (pcapfile_keep) */
};

static uint32_t rd32(const uint8_t *p, bool swap)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

bool pcapfile_is_classic(const uint8_t *m, size_t len)
{
	if (len < 4)
		return false;
	uint32_t v = rd32(m, false), s = rd32(m, true);
	return v == MAGIC_USEC || v == MAGIC_NSEC || s == MAGIC_USEC || s == MAGIC_NSEC;
}

/* Map the window holding [off, off + need).  0, or -1 if it lies past the end. */
static int map_at(struct pcapfile *pf, uint64_t off, size_t need)
{
	if (off + need > pf->size)
		return -1;
	if (pf->map && off >= pf->map_off && off + need <= pf->map_off + pf->map_len)
		return 0;
	mapguard_unmap(&pf->map, pf->map_len);
	uint64_t base = off & ~(uint64_t)(pf->page - 1);
	size_t len = WINDOW;
	if (len < off - base + need)
		len = (size_t)(off - base + need);
	if (base + len > pf->size)
		len = (size_t)(pf->size - base);
	/* MAP_POPULATE maps the whole window in one go (read-ahead, no fault
	 * per page); munmap of a passed window drops its pages from our RSS. */
	void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, pf->fd, (off_t)base);
	if (m == MAP_FAILED)
		return -1;
	madvise(m, len, MADV_SEQUENTIAL);
	pf->map = m;
	pf->map_off = base;
	pf->map_len = len;
	mapguard_window(pf->map, pf->map_len);
	return 0;
}

struct pcapfile *pcapfile_open(int fd, uint64_t size, char err[PCAPFILE_ERR_MAX])
{
	struct pcapfile *pf = calloc(1, sizeof *pf);
	if (!pf) {
		snprintf(err, PCAPFILE_ERR_MAX, "out of memory");
		close(fd);
		return NULL;
	}
	pf->fd = fd;
	pf->size = size;
	pf->page = sysconf(_SC_PAGESIZE);
	mapguard_arm();
	if (map_at(pf, 0, FILE_HDR) < 0) {
		snprintf(err, PCAPFILE_ERR_MAX, "shorter than a pcap file header");
		pcapfile_close(pf);
		return NULL;
	}
	const uint8_t *h = pf->map;
	uint32_t magic = rd32(h, false);
	pf->swap = magic != MAGIC_USEC && magic != MAGIC_NSEC;
	magic = rd32(h, pf->swap);
	pf->nsec = magic == MAGIC_NSEC;
	uint16_t major, minor;
	memcpy(&major, h + 4, 2);
	memcpy(&minor, h + 6, 2);
	if (pf->swap) {
		major = __builtin_bswap16(major);
		minor = __builtin_bswap16(minor);
	}
	pf->maybe_swapped = minor < 3;
	pf->snaplen = rd32(h + 16, pf->swap);
	pf->linktype = rd32(h + 20, pf->swap) & 0xffff;   /* upper bits: FCS info */
	if ((magic != MAGIC_USEC && magic != MAGIC_NSEC) || major != 2) {
		snprintf(err, PCAPFILE_ERR_MAX, "not a pcap file of version 2");
		pcapfile_close(pf);
		return NULL;
	}
	pf->off = FILE_HDR;
	return pf;
}

void pcapfile_close(struct pcapfile *pf)
{
	if (!pf)
		return;
	mapguard_unmap(&pf->map, pf->map_len);
	close(pf->fd);
	free(pf);
}

uint32_t pcapfile_linktype(const struct pcapfile *pf) { return pf->linktype; }
uint32_t pcapfile_snaplen(const struct pcapfile *pf) { return pf->snaplen; }
uint64_t pcapfile_offset(const struct pcapfile *pf) { return pf->off; }
void pcapfile_keep(struct pcapfile *pf, bool keep) { pf->keep = keep; }

/* Does the record at pf->off lie whole in the current window? */
static bool in_window(const struct pcapfile *pf)
{
	uint64_t end = pf->map_off + pf->map_len;
	if (!pf->map || pf->off < pf->map_off || pf->off + REC_HDR > end)
		return false;
	const uint8_t *h = pf->map + (pf->off - pf->map_off);
	uint64_t caplen = rd32(h + 8, pf->swap), len = rd32(h + 12, pf->swap);
	if (pf->maybe_swapped && caplen > len)
		caplen = len;
	return pf->off + REC_HDR + caplen <= end;
}

enum pcapfile_next pcapfile_next(struct pcapfile *pf, struct pcapfile_rec *rec,
				 const uint8_t **data)
{
	if (pf->off == pf->size)
		return PCAPFILE_END;
	if (pf->keep && !in_window(pf))
		return PCAPFILE_AGAIN;
	if (map_at(pf, pf->off, REC_HDR) < 0)
		return PCAPFILE_CUT;
	const uint8_t *h = pf->map + (pf->off - pf->map_off);
	uint32_t sec = rd32(h, pf->swap), frac = rd32(h + 4, pf->swap);
	uint32_t caplen = rd32(h + 8, pf->swap), len = rd32(h + 12, pf->swap);
	/* The file shrank under the map, here or since the last record (the
	 * header just read may be the zeros that stand in for lost pages). */
	if (mapguard_cut())
		return PCAPFILE_CUT;
	if (pf->maybe_swapped && caplen > len) {
		uint32_t t = caplen;          /* as libpcap reads such files */
		caplen = len;
		len = t;
	}
	if (caplen > MAX_CAPLEN)
		return PCAPFILE_BAD;
	if (map_at(pf, pf->off + REC_HDR, caplen) < 0)
		return pf->off + REC_HDR + caplen > pf->size ? PCAPFILE_CUT : PCAPFILE_BAD;
	rec->ts_ns = (uint64_t)sec * 1000000000ull + (pf->nsec ? frac : (uint64_t)frac * 1000);
	rec->caplen = caplen;
	rec->len = len < caplen ? caplen : len;
	*data = pf->map + (pf->off + REC_HDR - pf->map_off);
	pf->off += REC_HDR + caplen;
	/* Fetch the file into the cache a stretch ahead of the reader: every
	 * record header would otherwise be a miss to memory (the hardware
	 * prefetcher does not follow a stream across pages), and perf put a
	 * third of the replay's time there. */
	uint64_t ahead = pf->off + PREFETCH_AHEAD, end = pf->map_off + pf->map_len;
	if (pf->fetched < pf->off)
		pf->fetched = pf->off;
	for (; pf->fetched < ahead && pf->fetched < end; pf->fetched += 64)
		__builtin_prefetch(pf->map + (pf->fetched - pf->map_off));
	return PCAPFILE_PACKET;
}
