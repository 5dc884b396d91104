/* test_pcapng.c — the pcapng reader on hand-built files, each read three
 * ways: memory-mapped, streamed 7 bytes a read, streamed in large reads.
 * Both byte orders, several sections, if_tsresol and if_tsoffset, Simple
 * and obsolete Packet Blocks, skipped blocks; then lying lengths, trailers
 * that disagree, interfaces that are not there, blocks past the bound,
 * files cut short, kept batches across the window, read errors. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pcapng.h"

static char path[] = "/tmp/c2w-pcapng-XXXXXX";

/* ---- building a file ---- */

#define FILE_MAX (40u << 20)
static uint8_t *file;
static size_t flen;
static int be;              /* the section being written is big-endian */

static void put(const void *p, size_t n)
{
	memcpy(file + flen, p, n);
	flen += n;
}

static void p8(uint8_t v) { put(&v, 1); }

static void p16(uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(be ? v >> 8 : v), (uint8_t)(be ? v : v >> 8) };
	put(b, 2);
}

static void p32(uint32_t v)
{
	uint8_t b[4];
	for (int i = 0; i < 4; i++)
		b[be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
	put(b, 4);
}

static void p64(uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[be ? 7 - i : i] = (uint8_t)(v >> (8 * i));
	put(b, 8);
}

static void pad4(void)
{
	while (flen % 4)
		p8(0);
}

static void fill_bytes(size_t n, int seed)
{
	for (size_t i = 0; i < n; i++)
		p8((uint8_t)(seed + i % 7));
}

/* A block is begun with its type and a length to patch, and ended with the
 * trailing length (the leading one patched to match). */
static size_t begin(uint32_t type)
{
	size_t at = flen;
	p32(type);
	p32(0);
	return at;
}

static void end(size_t at)
{
	pad4();
	uint32_t len = (uint32_t)(flen - at + 4);
	size_t save = flen;
	flen = at + 4;
	p32(len);
	flen = save;
	p32(len);
}

static void shb(int big, uint16_t major)
{
	be = big;
	size_t at = begin(0x0a0d0d0a);
	p32(0x1a2b3c4d);
	p16(major);
	p16(0);
	p64(UINT64_MAX);          /* section length not given */
	end(at);
}

/* An interface; tsresol < 0: no option; tsoffset given when nonzero. */
static void idb(uint16_t linktype, uint32_t snaplen, int tsresol, int64_t tsoffset)
{
	size_t at = begin(1);
	p16(linktype);
	p16(0);
	p32(snaplen);
	p16(2);                   /* if_name, skipped */
	p16(5);
	put("eth0x", 5);
	pad4();
	if (tsresol >= 0) {
		p16(9);
		p16(1);
		p8((uint8_t)tsresol);
		pad4();
	}
	if (tsoffset) {
		p16(14);
		p16(8);
		p64((uint64_t)tsoffset);
	}
	p16(0);
	p16(0);
	end(at);
}

static void epb(uint32_t ifid, uint64_t ts, uint32_t caplen, uint32_t len, int seed, bool options)
{
	size_t at = begin(6);
	p32(ifid);
	p32((uint32_t)(ts >> 32));
	p32((uint32_t)ts);
	p32(caplen);
	p32(len);
	fill_bytes(caplen, seed);
	pad4();
	if (options) {
		p16(2);               /* epb_flags */
		p16(4);
		p32(1);
		p16(0);
		p16(0);
	}
	end(at);
}

static void spb(uint32_t len, size_t bytes, int seed)
{
	size_t at = begin(3);
	p32(len);
	fill_bytes(bytes, seed);
	end(at);
}

static void pb(uint16_t ifid, uint64_t ts, uint32_t caplen, int seed)
{
	size_t at = begin(2);
	p16(ifid);
	p16(0);                   /* drops */
	p32((uint32_t)(ts >> 32));
	p32((uint32_t)ts);
	p32(caplen);
	p32(caplen);
	fill_bytes(caplen, seed);
	end(at);
}

static void other(uint32_t type, size_t bytes)
{
	size_t at = begin(type);
	fill_bytes(bytes, 0);
	end(at);
}

/* ---- reading it back ---- */

enum { MAP, TRICKLE, STREAM, HOW };
static const char *const how_name[HOW] = { "map", "trickle", "stream" };

struct mem {
	size_t at, chunk;
	bool fail;                /* -1 instead of the end */
};
static struct mem mem;

static ssize_t mem_read(void *ctx, uint8_t *buf, size_t len)
{
	struct mem *m = ctx;
	if (m->at == flen)
		return m->fail ? -1 : 0;
	size_t n = flen - m->at;
	if (n > len)
		n = len;
	if (n > m->chunk)
		n = m->chunk;
	memcpy(buf, file + m->at, n);
	m->at += n;
	return (ssize_t)n;
}

static struct stats st;
static char err[PCAPNG_ERR_MAX];

static struct pcapng *open_as(int how)
{
	memset(&st, 0, sizeof st);
	err[0] = 0;
	if (how == MAP) {
		FILE *f = fopen(path, "wb");
		fwrite(file, 1, flen, f);
		fclose(f);
		int fd = open(path, O_RDONLY);
		return pcapng_open_map(fd, flen, &st, err);
	}
	mem = (struct mem){ 0, how == TRICKLE ? 7 : 1u << 30, false };
	return pcapng_open_stream(mem_read, &mem, &st, err);
}

/* The next event that is neither an interface nor a turn given back. */
static enum pcapng_next next_packet(struct pcapng *r, struct pcapng_rec *rec, const uint8_t **d)
{
	enum pcapng_next n;
	while ((n = pcapng_next(r, rec, d)) == PCAPNG_INTERFACE || n == PCAPNG_AGAIN)
		;
	return n;
}

static bool data_ok(const uint8_t *d, size_t n, int seed)
{
	for (size_t i = 0; i < n; i++)
		if (d[i] != (uint8_t)(seed + i % 7))
			return false;
	return true;
}

static void test_orders(void)
{
	for (int big = 0; big <= 1; big++) {
		flen = 0;
		shb(big, 1);
		idb(1, 65535, -1, 0);                 /* microseconds by default */
		epb(0, 1700000000123456ull, 60, 60, 'a', false);
		epb(0, 1700000001000001ull, 10, 1514, 'b', true);
		for (int how = 0; how < HOW; how++) {
			struct pcapng_rec r;
			const uint8_t *d;
			struct pcapng *ng = open_as(how);
			CHECK(ng != NULL);
			if (!ng)
				continue;
			CHECK_EQ(pcapng_next(ng, &r, &d), PCAPNG_INTERFACE);
			CHECK_EQ(r.linktype, 1);
			CHECK_EQ(r.caplen, 65535);
			CHECK_EQ(r.interface, 0);
			CHECK_EQ(r.section, 0);
			CHECK_EQ(pcapng_next(ng, &r, &d), PCAPNG_PACKET);
			CHECK_EQ(r.ts_ns, 1700000000123456000ull);
			CHECK_EQ(r.caplen, 60);
			CHECK_EQ(r.len, 60);
			CHECK_EQ(r.linktype, 1);
			CHECK(data_ok(d, 60, 'a'));
			CHECK_EQ(pcapng_next(ng, &r, &d), PCAPNG_PACKET);
			CHECK_EQ(r.ts_ns, 1700000001000001000ull);
			CHECK_EQ(r.caplen, 10);
			CHECK_EQ(r.len, 1514);
			CHECK(data_ok(d, 10, 'b'));
			CHECK_EQ(pcapng_next(ng, &r, &d), PCAPNG_END);
			CHECK_EQ(pcapng_next(ng, &r, &d), PCAPNG_END);
			CHECK_EQ(pcapng_offset(ng), flen);
			pcapng_close(ng);
		}
	}
}

/* Each section numbers its interfaces from 0 and may change byte order. */
static void test_sections(void)
{
	flen = 0;
	shb(0, 1);
	idb(1, 65535, -1, 0);
	idb(101, 65535, -1, 0);
	epb(1, 5, 20, 20, 'c', false);
	shb(1, 1);
	idb(113, 65535, -1, 0);
	epb(0, 7, 30, 30, 'd', false);
	epb(1, 8, 30, 30, 'e', false);        /* this section has no interface 1 */
	epb(0, 9, 31, 40, 'f', false);
	for (int how = 0; how < HOW; how++) {
		struct pcapng_rec r;
		const uint8_t *d;
		struct pcapng *ng = open_as(how);
		CHECK_EQ(pcapng_next(ng, &r, &d), PCAPNG_INTERFACE);
		CHECK_EQ(pcapng_next(ng, &r, &d), PCAPNG_INTERFACE);
		CHECK_EQ(r.linktype, 101);
		CHECK_EQ(r.interface, 1);
		CHECK_EQ(pcapng_next(ng, &r, &d), PCAPNG_PACKET);
		CHECK_EQ(r.linktype, 101);
		CHECK_EQ(r.interface, 1);
		CHECK_EQ(r.section, 0);
		CHECK_EQ(pcapng_next(ng, &r, &d), PCAPNG_INTERFACE);
		CHECK_EQ(r.linktype, 113);
		CHECK_EQ(r.interface, 0);
		CHECK_EQ(r.section, 1);
		CHECK_EQ(pcapng_next(ng, &r, &d), PCAPNG_PACKET);
		CHECK_EQ(r.linktype, 113);
		CHECK_EQ(r.ts_ns, 7000);
		CHECK(data_ok(d, 30, 'd'));
		CHECK_EQ(pcapng_next(ng, &r, &d), PCAPNG_PACKET);   /* interface 1 skipped */
		CHECK_EQ(r.ts_ns, 9000);
		CHECK_EQ(r.caplen, 31);
		CHECK_EQ(r.len, 40);
		CHECK(data_ok(d, 31, 'f'));
		CHECK_EQ(pcapng_next(ng, &r, &d), PCAPNG_END);
		CHECK_EQ(stat_get(&st, ST_pcapng_no_interface), 1);
		pcapng_close(ng);
	}
}

static void test_resolution(void)
{
	struct { int tsresol; int64_t offset; uint64_t ts, want; } c[] = {
		{ 9, 0, 1700000000123456789ull, 1700000000123456789ull },   /* 10^-9 */
		{ 3, 0, 1700000000123ull, 1700000000123000000ull },          /* 10^-3 */
		{ 0, 0, 1700000000ull, 1700000000000000000ull },             /* seconds */
		{ 0x80 | 10, 0, 5 * 1024 + 512, 5500000000ull },             /* 2^-10 */
		{ 0x80 | 30, 0, (3ull << 30) | (1ull << 29), 3500000000ull }, /* 2^-30 */
		{ 0x80 | 63, 0, 1ull << 62, 500000000ull },                  /* 2^-63 */
		{ 12, 0, 1234567890123ull, 1234567890ull },                  /* 10^-12 */
		{ 19, 0, 12345678901234567890ull, 1234567890ull },           /* 10^-19 */
		{ 6, 100, 1000000, 101000000000ull },                        /* offset +100 s */
		{ 6, -1, 3000000, 2000000000ull },                           /* offset -1 s */
		{ 20, 0, 7, 7000 },      /* 10^-20 cannot be counted: malformed, µs kept */
		{ 0x80 | 64, 0, 7, 7000 },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		flen = 0;
		shb((int)(i & 1), 1);
		idb(1, 0, c[i].tsresol, c[i].offset);
		epb(0, c[i].ts, 4, 4, 'g', false);
		for (int how = 0; how < HOW; how += 2) {
			struct pcapng_rec r;
			const uint8_t *d;
			struct pcapng *ng = open_as(how);
			CHECK_EQ(next_packet(ng, &r, &d), PCAPNG_PACKET);
			if (r.ts_ns != c[i].want)
				fprintf(stderr, "  ... case %zu (%s)\n", i, how_name[how]);
			CHECK_EQ(r.ts_ns, c[i].want);
			CHECK_EQ(stat_get(&st, ST_pcapng_malformed), i >= 10);
			pcapng_close(ng);
		}
	}
}

/* Simple Packet Blocks: the first interface, its snaplen, no time of their
 * own; obsolete Packet Blocks; blocks of other kinds skipped. */
static void test_simple_and_others(void)
{
	flen = 0;
	shb(1, 1);
	spb(10, 12, 'z');                     /* before any interface */
	idb(101, 64, 9, 0);
	idb(1, 0, -1, 0);
	other(4, 12);                         /* name resolution */
	epb(0, 42, 8, 8, 'h', false);
	spb(100, 64, 'i');                    /* cut to the snaplen, 64 */
	spb(10, 12, 'j');                     /* 10 bytes and padding */
	other(5, 20);                         /* interface statistics */
	other(0xbad, 8);                      /* custom */
	other(0x40000bad, 8);
	other(0x12345678, 0);                 /* a kind yet to come */
	pb(1, 77, 9, 'k');                    /* obsolete, on interface 1 */
	pb(2, 78, 9, 'l');                    /* no interface 2 */
	for (int how = 0; how < HOW; how++) {
		struct pcapng_rec r;
		const uint8_t *d;
		struct pcapng *ng = open_as(how);
		CHECK_EQ(next_packet(ng, &r, &d), PCAPNG_PACKET);
		CHECK_EQ(r.ts_ns, 42);
		CHECK_EQ(next_packet(ng, &r, &d), PCAPNG_PACKET);
		CHECK_EQ(r.caplen, 64);
		CHECK_EQ(r.len, 100);
		CHECK_EQ(r.linktype, 101);
		CHECK_EQ(r.ts_ns, 42);                /* the latest time known */
		CHECK(data_ok(d, 64, 'i'));
		CHECK_EQ(next_packet(ng, &r, &d), PCAPNG_PACKET);
		CHECK_EQ(r.caplen, 10);
		CHECK_EQ(r.len, 10);
		CHECK(data_ok(d, 10, 'j'));
		CHECK_EQ(next_packet(ng, &r, &d), PCAPNG_PACKET);
		CHECK_EQ(r.linktype, 1);
		CHECK_EQ(r.interface, 1);
		CHECK_EQ(r.ts_ns, 77000);
		CHECK(data_ok(d, 9, 'k'));
		CHECK_EQ(next_packet(ng, &r, &d), PCAPNG_END);
		CHECK_EQ(stat_get(&st, ST_pcapng_blocks_skipped), 5);
		CHECK_EQ(stat_get(&st, ST_pcapng_no_interface), 2);
		CHECK_EQ(stat_get(&st, ST_pcapng_malformed), 0);
		pcapng_close(ng);
	}
}

/* The file begins with a section header that can be read, or is refused. */
static void test_refused(void)
{
	static const struct { const char *what, *bytes; size_t len; } c[] = {
		{ "empty", "", 0 },
		{ "short", "\x0a\x0d\x0d", 3 },
		{ "classic pcap", "\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8 },
		{ "no byte-order magic",
		  "\x0a\x0d\x0d\x0a\x1c\0\0\0\x4d\x3c\x2b\x1b\1\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff\x1c\0\0\0", 28 },
		{ "major version 2",
		  "\x0a\x0d\x0d\x0a\x1c\0\0\0\x4d\x3c\x2b\x1a\2\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff\x1c\0\0\0", 28 },
		{ "shorter than 28",
		  "\x0a\x0d\x0d\x0a\x18\0\0\0\x4d\x3c\x2b\x1a\1\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff", 24 },
		{ "trailer differs",
		  "\x0a\x0d\x0d\x0a\x1c\0\0\0\x4d\x3c\x2b\x1a\1\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff\x20\0\0\0", 28 },
		{ "cut", "\x0a\x0d\x0d\x0a\x1c\0\0\0\x4d\x3c\x2b\x1a\1\0\0\0", 16 },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		for (int how = 0; how < HOW; how++) {
			flen = 0;
			put(c[i].bytes, c[i].len);
			struct pcapng *ng = open_as(how);
			if (ng)
				fprintf(stderr, "  ... case %s (%s) opened\n", c[i].what, how_name[how]);
			CHECK(ng == NULL);
			CHECK(err[0] != 0);
			pcapng_close(ng);
		}
	}
	flen = 0;
	put("\x0a\x0d\x0d\x0a\x1c\0\0\0\x4d\x3c\x2b\x1a\1\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff\x20\0\0\0", 28);
	CHECK(open_as(MAP) == NULL);
	CHECK_STR(err, "block of length 28 ends with length 32 at offset 0");
}

/* Blocks framed wrong end the read with where; blocks wrong inside a sound
 * frame are counted and the read goes on; a file cut in a block is CUT. */
static void test_hostile(void)
{
	struct pcapng_rec r;
	const uint8_t *d;
	size_t good_end;

	for (int kind = 0; kind < 5; kind++) {
		flen = 0;
		shb(kind & 1, 1);
		idb(1, 0, -1, 0);
		epb(0, 1, 16, 16, 'm', false);
		good_end = flen;
		size_t at = flen;
		epb(0, 2, 16, 16, 'n', false);
		epb(0, 3, 16, 16, 'o', false);
		size_t save = flen;
		be = kind & 1;
		switch (kind) {
		case 0:                        /* a leading length that lies: 4 more */
			flen = at + 4;
			p32(64);
			break;
		case 1:                        /* a trailer that disagrees */
			flen = at + 44;
			p32(60);
			break;
		case 2:                        /* not a multiple of 4 */
			flen = at + 4;
			p32(58);
			break;
		case 3:                        /* shorter than a block can be */
			flen = at + 4;
			p32(8);
			break;
		case 4:                        /* beyond the bound */
			flen = at + 4;
			p32(PCAPNG_MAX_BLOCK + 4);
			break;
		}
		flen = save;
		for (int how = 0; how < HOW; how++) {
			struct pcapng *ng = open_as(how);
			CHECK_EQ(next_packet(ng, &r, &d), PCAPNG_PACKET);
			CHECK_EQ(next_packet(ng, &r, &d), PCAPNG_BAD);
			char where[64];
			snprintf(where, sizeof where, "at offset %zu", good_end);
			if (!strstr(pcapng_error(ng), where))
				fprintf(stderr, "  ... case %d (%s): %s\n", kind, how_name[how], pcapng_error(ng));
			CHECK(strstr(pcapng_error(ng), where) != NULL);
			pcapng_close(ng);
		}
	}

	/* Wrong inside: a captured length past the block, an interface id
	 * beyond the descriptions, a packet block too short, an interface
	 * description too short (its number is taken), an option past its
	 * block.  Each counted; the packets after them are read. */
	flen = 0;
	shb(0, 1);
	idb(1, 0, -1, 0);
	size_t at = flen;
	epb(0, 1, 16, 16, 'p', false);
	size_t save = flen;
	flen = at + 20;
	p32(17);                              /* caplen 17 in 16 bytes */
	flen = save;
	epb(7, 1, 16, 16, 'q', false);
	at = begin(6);                        /* an EPB of 12 bytes */
	end(at);
	at = begin(1);                        /* an IDB of 12 bytes: interface 1 */
	end(at);
	epb(1, 1, 16, 16, 'r', false);
	at = begin(1);                        /* interface 2: an option runs past */
	p16(1);
	p16(0);
	p32(0);
	p16(9);
	p16(200);
	end(at);
	epb(2, 5, 16, 16, 's', false);
	for (int how = 0; how < HOW; how++) {
		struct pcapng *ng = open_as(how);
		CHECK_EQ(next_packet(ng, &r, &d), PCAPNG_PACKET);
		CHECK(data_ok(d, 16, 's'));
		CHECK_EQ(r.ts_ns, 5000);                 /* the default resolution */
		CHECK_EQ(r.interface, 2);
		CHECK_EQ(next_packet(ng, &r, &d), PCAPNG_END);
		CHECK_EQ(stat_get(&st, ST_pcapng_malformed), 4);
		CHECK_EQ(stat_get(&st, ST_pcapng_no_interface), 2);
		pcapng_close(ng);
	}

	/* Cut in a block's header, in its body, between blocks. */
	for (int cut = 0; cut < 3; cut++) {
		flen = 0;
		shb(0, 1);
		idb(1, 0, -1, 0);
		epb(0, 1, 16, 16, 't', false);
		size_t whole = flen;
		epb(0, 2, 100, 100, 'u', false);
		flen = cut == 0 ? whole + 5 : cut == 1 ? whole + 60 : whole;
		for (int how = 0; how < HOW; how++) {
			struct pcapng *ng = open_as(how);
			CHECK_EQ(next_packet(ng, &r, &d), PCAPNG_PACKET);
			CHECK(data_ok(d, 16, 't'));
			CHECK_EQ(next_packet(ng, &r, &d), cut == 2 ? PCAPNG_END : PCAPNG_CUT);
			pcapng_close(ng);
		}
	}

	/* A stream that fails is an error, not an end. */
	flen = 0;
	shb(0, 1);
	idb(1, 0, -1, 0);
	epb(0, 1, 16, 16, 'v', false);
	struct pcapng *ng = open_as(STREAM);
	mem.fail = true;
	CHECK_EQ(next_packet(ng, &r, &d), PCAPNG_PACKET);
	CHECK_EQ(next_packet(ng, &r, &d), PCAPNG_BAD);
	CHECK(strstr(pcapng_error(ng), "read error") != NULL);
	pcapng_close(ng);
}

/* 65536 interface descriptions: the last is counted, not kept. */
static void test_many_interfaces(void)
{
	struct pcapng_rec r;
	const uint8_t *d;
	flen = 0;
	shb(0, 1);
	for (unsigned i = 0; i <= PCAPNG_MAX_INTERFACES; i++) {
		size_t at = begin(1);
		p16(i == 65534 ? 101 : 1);
		p16(0);
		p32(0);
		end(at);
	}
	epb(65535, 1, 8, 8, 'w', false);
	epb(65534, 2, 8, 8, 'x', false);
	for (int how = 0; how < HOW; how += 2) {
		struct pcapng *ng = open_as(how);
		unsigned interfaces = 0;
		enum pcapng_next n;
		while ((n = pcapng_next(ng, &r, &d)) == PCAPNG_INTERFACE || n == PCAPNG_AGAIN)
			interfaces += n == PCAPNG_INTERFACE;
		CHECK_EQ(interfaces, 65535);
		CHECK_EQ(n, PCAPNG_PACKET);
		CHECK_EQ(r.interface, 65534);
		CHECK_EQ(r.linktype, 101);
		CHECK_EQ(stat_get(&st, ST_pcapng_interfaces_capped), 1);
		CHECK_EQ(stat_get(&st, ST_pcapng_no_interface), 1);
		pcapng_close(ng);
	}
}

/* Many blocks without a packet: the caller gets a turn (AGAIN) meanwhile. */
static void test_turns(void)
{
	struct pcapng_rec r;
	const uint8_t *d;
	flen = 0;
	shb(0, 1);
	idb(1, 0, -1, 0);
	for (int i = 0; i < 3000; i++)
		other(5, 4);
	epb(0, 1, 8, 8, 'y', false);
	struct pcapng *ng = open_as(MAP);
	unsigned again = 0;
	enum pcapng_next n;
	while ((n = pcapng_next(ng, &r, &d)) == PCAPNG_INTERFACE || n == PCAPNG_AGAIN)
		again += n == PCAPNG_AGAIN;
	CHECK_EQ(n, PCAPNG_PACKET);
	CHECK_EQ(again, 2);
	CHECK_EQ(stat_get(&st, ST_pcapng_blocks_skipped), 3000);
	pcapng_close(ng);
}

/* Kept batches: packets already returned stay readable until the keep ends,
 * across the map's 16 MiB windows and the stream's buffer (1 MiB, grown
 * for a block larger than it). */
static void test_kept(void)
{
	flen = 0;
	shb(0, 1);
	idb(1, 0, 9, 0);
	uint32_t n = 0;
	while (flen < (36u << 20)) {
		uint32_t size = n % 97 == 0 ? (3u << 20) + n : 40000 + n % 1000;
		epb(0, n, size, size, (int)(n % 50), false);
		n++;
	}
	for (int how = 0; how < HOW; how++) {
		if (how == TRICKLE)
			continue;
		struct pcapng *ng = open_as(how);
		struct pcapng_rec r;
		const uint8_t *d, *held[64];
		uint32_t held_len[64];
		size_t got = 0, bad = 0, again = 0;
		enum pcapng_next s = PCAPNG_PACKET;
		while (s == PCAPNG_PACKET) {
			size_t k = 0;
			while (k < 64) {
				pcapng_keep(ng, k > 0);
				s = pcapng_next(ng, &r, &d);
				if (s == PCAPNG_INTERFACE)
					continue;
				if (s != PCAPNG_PACKET)
					break;
				bad += r.ts_ns != got + k;
				held_len[k] = r.caplen;
				held[k++] = d;
			}
			again += s == PCAPNG_AGAIN;
			if (s == PCAPNG_AGAIN)
				s = PCAPNG_PACKET;
			for (size_t j = 0; j < k; j++, got++)
				bad += !data_ok(held[j], held_len[j], (int)(got % 50));
		}
		CHECK_EQ(s, PCAPNG_END);
		CHECK_EQ(got, n);
		CHECK_EQ(bad, 0);
		CHECK(again >= 2);
		pcapng_keep(ng, false);
		pcapng_close(ng);
	}
}

/* A mapped file cut shorter while it is read: a cut, not a SIGBUS. */
static void test_shrunk(void)
{
	flen = 0;
	shb(0, 1);
	idb(1, 0, 9, 0);
	for (uint32_t i = 0; i < 100; i++)
		epb(0, i, 60000, 60000, 3, false);
	struct pcapng *ng = open_as(MAP);
	struct pcapng_rec r;
	const uint8_t *d;
	CHECK_EQ(next_packet(ng, &r, &d), PCAPNG_PACKET);
	CHECK(data_ok(d, r.caplen, 3));
	CHECK_EQ(truncate(path, 200000), 0);   /* within the fourth packet */
	enum pcapng_next n;
	size_t more = 0;
	while ((n = next_packet(ng, &r, &d)) == PCAPNG_PACKET && more < 1000) {
		volatile uint8_t last = d[r.caplen - 1];
		(void)last;
		more++;
	}
	CHECK_EQ(n, PCAPNG_CUT);
	CHECK(more <= 3);
	pcapng_close(ng);
}

int main(void)
{
	int fd = mkstemp(path);
	file = malloc(FILE_MAX);
	if (fd < 0 || !file)
		return 1;
	close(fd);
	test_orders();
	test_sections();
	test_resolution();
	test_simple_and_others();
	test_refused();
	test_hostile();
	test_many_interfaces();
	test_turns();
	test_kept();
	test_shrunk();
	unlink(path);
	free(file);
	return check_report("pcapng");
}
