/* test_pcapfile.c — the memory-mapped classic pcap reader: both byte orders,
 * micro- and nanoseconds, swapped lengths of old files, records across map
 * windows, and files cut short or lying about lengths. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pcapfile.h"

static char path[] = "/tmp/c2w-pcapfile-XXXXXX";

static void put32(FILE *f, uint32_t v, int be)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	if (be) {
		uint8_t t[4] = { b[3], b[2], b[1], b[0] };
		fwrite(t, 1, 4, f);
	} else {
		fwrite(b, 1, 4, f);
	}
}

static void put16(FILE *f, uint16_t v, int be)
{
	uint8_t b[2] = { (uint8_t)(be ? v >> 8 : v), (uint8_t)(be ? v : v >> 8) };
	fwrite(b, 1, 2, f);
}

static FILE *header(uint32_t magic, int be, uint16_t minor, uint32_t linktype)
{
	FILE *f = fopen(path, "wb");
	put32(f, magic, be);
	put16(f, 2, be);
	put16(f, minor, be);
	put32(f, 0, be);
	put32(f, 0, be);
	put32(f, 65535, be);
	put32(f, linktype, be);
	return f;
}

static void record(FILE *f, int be, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len,
		   int fill, size_t bytes)
{
	put32(f, sec, be);
	put32(f, frac, be);
	put32(f, caplen, be);
	put32(f, len, be);
	for (size_t i = 0; i < bytes; i++)
		fputc(fill + (int)(i % 7), f);
}

static struct pcapfile *open_path(char *err)
{
	int fd = open(path, O_RDONLY);
	off_t size = lseek(fd, 0, SEEK_END);
	return pcapfile_open(fd, (uint64_t)size, err);
}

static void test_orders(void)
{
	char err[PCAPFILE_ERR_MAX];
	struct pcapfile_rec r;
	const uint8_t *d;

	for (int be = 0; be <= 1; be++) {
		for (int nsec = 0; nsec <= 1; nsec++) {
			FILE *f = header(nsec ? 0xa1b23c4d : 0xa1b2c3d4, be, 4, 1);
			record(f, be, 1700000000, 123456, 60, 60, 'a', 60);
			record(f, be, 1700000001, 999, 10, 1514, 'b', 10);
			fclose(f);
			struct pcapfile *pf = open_path(err);
			CHECK(pf != NULL);
			if (!pf)
				continue;
			CHECK_EQ(pcapfile_linktype(pf), 1);
			CHECK_EQ(pcapfile_snaplen(pf), 65535);
			CHECK_EQ(pcapfile_next(pf, &r, &d), PCAPFILE_PACKET);
			CHECK_EQ(r.ts_ns, 1700000000ull * 1000000000ull + (nsec ? 123456ull : 123456000ull));
			CHECK_EQ(r.caplen, 60);
			CHECK(d[0] == 'a' && d[59] == 'a' + 59 % 7);
			CHECK_EQ(pcapfile_next(pf, &r, &d), PCAPFILE_PACKET);
			CHECK_EQ(r.caplen, 10);
			CHECK_EQ(r.len, 1514);
			CHECK_EQ(pcapfile_next(pf, &r, &d), PCAPFILE_END);
			CHECK_EQ(pcapfile_next(pf, &r, &d), PCAPFILE_END);
			pcapfile_close(pf);
		}
	}
}

static void test_hostile(void)
{
	char err[PCAPFILE_ERR_MAX];
	struct pcapfile_rec r;
	const uint8_t *d;
	struct pcapfile *pf;
	FILE *f;

	/* Shorter than a file header; a version that is not 2. */
	f = fopen(path, "wb");
	fwrite("\xd4\xc3\xb2\xa1\x02\x00", 1, 6, f);
	fclose(f);
	CHECK(open_path(err) == NULL);
	f = header(0xa1b2c3d4, 0, 4, 1);
	fclose(f);
	pf = open_path(err);
	CHECK(pf != NULL);
	if (pf) {
		CHECK_EQ(pcapfile_next(pf, &r, &d), PCAPFILE_END);   /* header only */
		pcapfile_close(pf);
	}
	f = fopen(path, "wb");
	fwrite("\xd4\xc3\xb2\xa1\x07\x00\x04\x00", 1, 8, f);
	fwrite("\0\0\0\0\0\0\0\0\xff\xff\0\0\x01\0\0\0", 1, 16, f);
	fclose(f);
	CHECK(open_path(err) == NULL);

	/* Cut in a record header, and in a record's data. */
	f = header(0xa1b2c3d4, 0, 4, 1);
	record(f, 0, 1, 0, 20, 20, 'c', 20);
	fwrite("\1\2\3", 1, 3, f);
	fclose(f);
	pf = open_path(err);
	CHECK_EQ(pcapfile_next(pf, &r, &d), PCAPFILE_PACKET);
	CHECK_EQ(pcapfile_next(pf, &r, &d), PCAPFILE_CUT);
	pcapfile_close(pf);
	f = header(0xa1b2c3d4, 0, 4, 1);
	record(f, 0, 1, 0, 100, 100, 'c', 40);
	fclose(f);
	pf = open_path(err);
	CHECK_EQ(pcapfile_next(pf, &r, &d), PCAPFILE_CUT);
	pcapfile_close(pf);

	/* A capture length no snaplen allows. */
	f = header(0xa1b2c3d4, 0, 4, 1);
	record(f, 0, 1, 0, 0x7fffffff, 60, 'c', 60);
	fclose(f);
	pf = open_path(err);
	CHECK_EQ(pcapfile_next(pf, &r, &d), PCAPFILE_BAD);
	pcapfile_close(pf);

	/* Version 2.0-2.2 writers that swapped caplen and len, as libpcap reads them. */
	f = header(0xa1b2c3d4, 0, 0, 1);
	record(f, 0, 1, 0, 524501, 30, 'd', 30);
	fclose(f);
	pf = open_path(err);
	CHECK_EQ(pcapfile_next(pf, &r, &d), PCAPFILE_PACKET);
	CHECK_EQ(r.caplen, 30);
	CHECK_EQ(r.len, 524501);
	pcapfile_close(pf);
}

/* Records that straddle the 16 MiB map windows read back whole, one at a
 * time and in kept batches. */
static void test_windows(void)
{
	char err[PCAPFILE_ERR_MAX];
	struct pcapfile_rec r;
	const uint8_t *d;
	FILE *f = header(0xa1b2c3d4, 0, 4, 1);
	size_t n = 0, bad = 0;

	for (uint32_t i = 0; i < 700; i++)
		record(f, 0, i, 0, 60000, 60000, (int)(i % 50), 60000);
	fclose(f);
	struct pcapfile *pf = open_path(err);
	while (pcapfile_next(pf, &r, &d) == PCAPFILE_PACKET) {
		for (size_t k = 0; k < r.caplen; k += 997)
			bad += d[k] != (uint8_t)(n % 50 + k % 7);
		bad += d[r.caplen - 1] != (uint8_t)(n % 50 + (r.caplen - 1) % 7);
		n++;
	}
	CHECK_EQ(n, 700);
	CHECK_EQ(bad, 0);
	pcapfile_close(pf);

	/* Kept windows: batches of up to 64 records, each record of a batch
	 * still readable when the batch is complete; a batch ends where the
	 * window would move, and the next one starts past it. */
	pf = open_path(err);
	const uint8_t *held[64];
	size_t batches = 0, again = 0;
	enum pcapfile_next st = PCAPFILE_PACKET;
	n = bad = 0;
	while (st == PCAPFILE_PACKET) {
		size_t k = 0;
		while (k < 64) {
			pcapfile_keep(pf, k > 0);
			st = pcapfile_next(pf, &r, &d);
			if (st != PCAPFILE_PACKET)
				break;
			held[k++] = d;
		}
		again += st == PCAPFILE_AGAIN;
		if (st == PCAPFILE_AGAIN)
			st = PCAPFILE_PACKET;
		for (size_t j = 0; j < k; j++, n++)
			for (size_t o = 0; o < 60000; o += 4999)
				bad += held[j][o] != (uint8_t)(n % 50 + o % 7);
		batches += k > 0;
	}
	CHECK_EQ(st, PCAPFILE_END);
	CHECK_EQ(n, 700);
	CHECK_EQ(bad, 0);
	CHECK(again >= 2);            /* 42 MB: the window moved at least twice */
	CHECK(batches > 700 / 64);
	pcapfile_close(pf);
}

/* A file cut shorter while it is mapped (a capture being rotated under a
 * replay): the pages past the new end fault.  The reader must stop there
 * as at any cut, not die of SIGBUS. */
static void test_shrunk(void)
{
	char err[PCAPFILE_ERR_MAX];
	struct pcapfile_rec r;
	const uint8_t *d;
	FILE *f = header(0xa1b2c3d4, 0, 4, 1);
	size_t n = 0;

	for (uint32_t i = 0; i < 200; i++)
		record(f, 0, i, 0, 60000, 60000, 1, 60000);
	fclose(f);
	struct pcapfile *pf = open_path(err);
	CHECK_EQ(pcapfile_next(pf, &r, &d), PCAPFILE_PACKET);
	CHECK_EQ(d[0], 1);
	/* cut to 1.5 records: the window, mapped for 16 MiB, now reaches
	 * far past the end of the file */
	CHECK_EQ(truncate(path, 24 + 60016 + 30000), 0);
	enum pcapfile_next st;
	while ((st = pcapfile_next(pf, &r, &d)) == PCAPFILE_PACKET && n < 1000) {
		volatile uint8_t sink = d[r.caplen - 1];  /* touch the record's last byte */
		(void)sink;
		n++;
	}
	CHECK_EQ(st, PCAPFILE_CUT);
	CHECK(n <= 1);                /* what was mapped before the fault, at most */
	pcapfile_close(pf);
}

int main(void)
{
	int fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	test_orders();
	test_hostile();
	test_windows();
	test_shrunk();
	unlink(path);
	return check_report("pcapfile");
}
