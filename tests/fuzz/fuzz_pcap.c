/* fuzz_pcap.c — a capture file through c2watchd's readers: classic pcap
 * (pcapfile.c, over its memory map) or pcapng (pcapng.c, over its memory map
 * and again as a stream through a read callback, in small reads), every
 * packet then fed to the packet path with its link type. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "pcapfile.h"
#include "pcapng.h"
#include "stats.h"

#include "fuzz.h"

/* Records read per input: far more than a small input can hold, so a reader
 * that stops moving forward shows up as an abort, not a timeout. */
#define MAX_RECORDS 100000
#define MAX_PACKETS 256    /* of them, fed to the worker */

static int dlt_of_linktype(uint32_t lt)
{
	return lt == 101 ? 12 /* DLT_RAW */ : (int)lt;
}

static void packet(uint32_t linktype, uint64_t ts, const uint8_t *d, uint32_t len, unsigned *fed)
{
	int dlt = dlt_of_linktype(linktype);
	if (*fed < MAX_PACKETS && decode_linktype_supported(dlt)) {
		fuzz_worker_frame(dlt, ts, d, len);
		(*fed)++;
	}
}

static int open_copy(const uint8_t *data, size_t size)
{
	int fd = open(fuzz_file("input.pcap", data, size), O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("fuzz_pcap");
		abort();
	}
	return fd;
}

static void classic(const uint8_t *data, size_t size)
{
	char err[PCAPFILE_ERR_MAX];
	int fd = open_copy(data, size);
	struct pcapfile *pf = pcapfile_open(fd, size, err);   /* keeps fd, closes it on failure */
	if (!pf)
		return;
	struct pcapfile_rec rec;
	const uint8_t *d;
	unsigned fed = 0;
	for (unsigned i = 0;; i++) {
		if (i == MAX_RECORDS)
			abort();
		if (pcapfile_next(pf, &rec, &d) != PCAPFILE_PACKET)
			break;
		packet(pcapfile_linktype(pf), rec.ts_ns, d, rec.caplen, &fed);
	}
	pcapfile_close(pf);
}

struct mem {
	const uint8_t *p;
	size_t len, off;
};

/* A stream that hands out at most 7 bytes a call: blocks are split across reads. */
static ssize_t mem_read(void *ctx, uint8_t *buf, size_t len)
{
	struct mem *m = ctx;
	size_t n = m->len - m->off;
	if (n > len)
		n = len;
	if (n > 7)
		n = 7;
	memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

static void ng_read(struct pcapng *r)
{
	struct pcapng_rec rec;
	const uint8_t *d;
	unsigned fed = 0;
	for (unsigned i = 0;; i++) {
		if (i == MAX_RECORDS)
			abort();
		enum pcapng_next k = pcapng_next(r, &rec, &d);
		if (k == PCAPNG_PACKET)
			packet(rec.linktype, rec.ts_ns, d, rec.caplen, &fed);
		else if (k != PCAPNG_INTERFACE)
			break;
	}
	pcapng_close(r);
}

static void pcapng(const uint8_t *data, size_t size)
{
	static struct stats st;
	char err[PCAPNG_ERR_MAX];
	int fd = open_copy(data, size);
	struct pcapng *r = pcapng_open_map(fd, size, &st, err);   /* keeps fd, as pcapfile_open */
	if (r)
		ng_read(r);
	struct mem m = { data, size, 0 };
	if ((r = pcapng_open_stream(mem_read, &m, &st, err)))
		ng_read(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_worker_begin();
	if (pcapfile_is_classic(data, size))
		classic(data, size);
	else if (pcapng_is_pcapng(data, size))
		pcapng(data, size);
	fuzz_worker_end();
	return 0;
}
