/* pcapng.c — the pcapng file format (draft-ietf-opsawg-pcapng-02; "§" below
 * is that draft): blocks framed by a leading and a trailing total length,
 * sections begun by a Section Header Block that sets the byte order and
 * forgets the interfaces, Interface Description Blocks numbered from 0 in
 * each section, and packets in Enhanced, Simple and (obsolete) Packet Blocks.
 *
 * A block that cannot be framed (its lengths disagree, are not multiples of
 * 4 or pass the bound) ends the read: nothing after it can be trusted.  A
 * block that is framed but wrong inside is counted and skipped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cursor.h"
#include "mapguard.h"
#include "pcapng.h"

#define BT_SHB 0x0a0d0d0au       /* §4.1: a palindrome, the same in both orders */
#define BT_IDB 1u                /* §4.2 */
#define BT_PB 2u                 /* Appendix A: obsolete Packet Block */
#define BT_SPB 3u                /* §4.4 */
#define BT_EPB 6u                /* §4.3 */
#define BYTE_ORDER_MAGIC 0x1a2b3c4du

#define SHB_MIN 28               /* header 8, magic 4, version 4, section length 8, trailer 4 */
#define IDB_MIN 20               /* header 8, link type 2, reserved 2, snaplen 4, trailer 4 */
#define EPB_MIN 32               /* header 8, interface 4, time 8, lengths 8, trailer 4 */
#define PB_MIN 32                /* header 8, interface 2, drops 2, time 8, lengths 8, trailer 4 */
#define SPB_MIN 16               /* header 8, original length 4, trailer 4 */

#define OPT_ENDOFOPT 0           /* §3.5 */
#define OPT_IF_TSRESOL 9         /* §4.2 */
#define OPT_IF_TSOFFSET 14

#define WINDOW (16u << 20)       /* bytes mapped at once, as pcapfile.c */
#define STREAM_BUF (1u << 20)    /* a stream's buffer to start with */
#define PREFETCH_AHEAD 16384u    /* bytes of a mapped file fetched ahead of the reader */
#define SKIPS_PER_CALL 1024      /* blocks passed over before the caller gets a turn */

struct iface {
	uint64_t units;          /* timestamp units per second (if_tsresol) */
	uint64_t mul;            /* ns per unit when that is a whole number, else 0 */
	uint64_t offset_ns;      /* if_tsoffset in ns, two's complement */
	uint32_t snaplen;
	uint16_t linktype;
	bool bad;                /* its description was unreadable: its packets are skipped */
};

struct pcapng {
	/* a regular file, memory-mapped (fd >= 0) */
	int fd;
	uint64_t size;
	const uint8_t *map;
	uint64_t map_off;        /* file offset of the window (page aligned) */
	size_t map_len;
	long page;
	uint64_t fetched;        /* prefetched up to here */
	/* or a stream */
	pcapng_read_fn read;
	void *ctx;
	uint8_t *buf;
	size_t buf_cap;
	uint64_t buf_off;        /* stream offset of buf[0] */
	size_t buf_len;
	bool eof;                /* the stream has ended (or failed: read_failed) */
	bool read_failed;

	bool keep;
	uint64_t off;            /* offset of the next block */
	bool swap;               /* the section's byte order is not ours */
	uint32_t sections;       /* section headers read */
	uint32_t nif;            /* interfaces kept in this section */
	struct iface *ifs;       /* room for PCAPNG_MAX_INTERFACES */
	uint64_t last_ts;        /* of the latest packet: Simple Packet Blocks carry none */
	struct stats *st;
	char err[PCAPNG_ERR_MAX];
};

static uint16_t rd16(const uint8_t *p, bool swap)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return swap ? __builtin_bswap16(v) : v;
}

static uint32_t rd32(const uint8_t *p, bool swap)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static uint64_t rd64(const uint8_t *p, bool swap)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return swap ? __builtin_bswap64(v) : v;
}

bool pcapng_is_pcapng(const uint8_t *m, size_t len)
{
	return len >= 4 && rd32(m, false) == BT_SHB;
}

/* ---- the bytes: a mapped window or a stream buffer ---- */

enum got { GOT, SHORT, KEPT, FAILED };

/* Map the window holding [off, off + need), which lies within the file. */
static int map_at(struct pcapng *r, uint64_t off, size_t need)
{
	mapguard_unmap(&r->map, r->map_len);
	uint64_t base = off & ~(uint64_t)(r->page - 1);
	size_t len = WINDOW;
	if (len < off - base + need)
		len = (size_t)(off - base + need);
	if (base + len > r->size)
		len = (size_t)(r->size - base);
	void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, r->fd, (off_t)base);
	if (m == MAP_FAILED)
		return -1;
	madvise(m, len, MADV_SEQUENTIAL);
	r->map = m;
	r->map_off = base;
	r->map_len = len;
	mapguard_window(r->map, r->map_len);
	return 0;
}

/* Read from the stream until [off, off + need) is in the buffer or the
 * stream ends.  What lies before off is dropped first. */
static int fill(struct pcapng *r, uint64_t off, size_t need)
{
	size_t drop = (size_t)(off - r->buf_off);   /* off never passes the buffer's end */
	memmove(r->buf, r->buf + drop, r->buf_len - drop);
	r->buf_len -= drop;
	r->buf_off = off;
	if (need > r->buf_cap) {
		/* Grows only for a block larger than any before, up to the bound. */
		size_t cap = r->buf_cap * 2 > need ? r->buf_cap * 2 : need;
		if (cap > PCAPNG_MAX_BLOCK)
			cap = PCAPNG_MAX_BLOCK;
		uint8_t *b = realloc(r->buf, cap);
		if (!b)
			return -1;
		r->buf = b;
		r->buf_cap = cap;
	}
	while (r->buf_len < need && !r->eof) {
		ssize_t n = r->read(r->ctx, r->buf + r->buf_len, r->buf_cap - r->buf_len);
		if (n <= 0) {
			r->eof = true;
			r->read_failed = n < 0;
		} else {
			r->buf_len += (size_t)n;
		}
	}
	return 0;
}

/* get(), when the bytes are not in view already. */
static enum got get_slow(struct pcapng *r, uint64_t off, size_t need, const uint8_t **p,
			 uint64_t *left)
{
	if (r->fd >= 0) {
		if (off + need > r->size) {
			*left = r->size - off;
			return SHORT;
		}
		if (!r->map || off < r->map_off || off + need > r->map_off + r->map_len) {
			if (r->keep)
				return KEPT;
			if (map_at(r, off, need) < 0) {
				snprintf(r->err, sizeof r->err, "cannot map the file at offset %llu: %s",
					 (unsigned long long)off, strerror(errno));
				return FAILED;
			}
		}
		*p = r->map + (off - r->map_off);
		return GOT;
	}
	if (off + need > r->buf_off + r->buf_len) {
		if (r->keep && !r->eof)
			return KEPT;
		if (!r->eof && fill(r, off, need) < 0) {
			snprintf(r->err, sizeof r->err, "out of memory for a block of %zu bytes at offset %llu",
				 need, (unsigned long long)off);
			return FAILED;
		}
		if (r->read_failed) {
			snprintf(r->err, sizeof r->err, "read error at offset %llu",
				 (unsigned long long)(r->buf_off + r->buf_len));
			return FAILED;
		}
		if (off + need > r->buf_off + r->buf_len) {
			*left = r->buf_off + r->buf_len - off;
			return SHORT;
		}
	}
	*p = r->buf + (off - r->buf_off);
	return GOT;
}

/* Point *p at the bytes [off, off + need) (need <= PCAPNG_MAX_BLOCK).  SHORT
 * when the input ends first (*left: the bytes there are from off), KEPT when
 * they are out of view while kept.  Inline for the common case: in view. */
static inline enum got get(struct pcapng *r, uint64_t off, size_t need, const uint8_t **p,
			   uint64_t *left)
{
	const uint8_t *base = r->fd >= 0 ? r->map : r->buf;
	uint64_t from = r->fd >= 0 ? r->map_off : r->buf_off;
	uint64_t to = from + (r->fd >= 0 ? r->map_len : r->buf_len);
	if (base && off >= from && off + need <= to) {
		*p = base + (off - from);
		return GOT;
	}
	return get_slow(r, off, need, p, left);
}

/* ---- blocks ---- */

static uint64_t pow_u64(uint64_t base, unsigned exp)
{
	uint64_t v = 1;
	while (exp--)
		v *= base;
	return v;
}

/* if_tsresol (§4.2): the high bit picks base 2 over base 10, the rest is the
 * negative exponent.  False for a resolution finer than 64 bits can count. */
static bool set_resolution(struct iface *f, uint8_t v)
{
	unsigned exp = v & 0x7f;
	if ((v & 0x80) ? exp > 63 : exp > 19)
		return false;
	f->units = (v & 0x80) ? (uint64_t)1 << exp : pow_u64(10, exp);
	f->mul = 1000000000ull % f->units == 0 ? 1000000000ull / f->units : 0;
	return true;
}

/* The options of an interface description (§3.5): code, length, value
 * padded to 32 bits, until opt_endofopt or the block's end.  False when one
 * breaks the format (what was read before it is kept). */
static bool read_idb_options(struct pcapng *r, struct iface *f, const uint8_t *p, size_t len)
{
	struct cursor c;
	cur_init(&c, p, len);
	/* Every option takes at least 4 bytes: at most len / 4 turns. */
	while (cur_left(&c) > 0) {
		const uint8_t *h = cur_bytes(&c, 4);
		if (!h)
			return false;
		uint16_t code = rd16(h, r->swap), olen = rd16(h + 2, r->swap);
		if (code == OPT_ENDOFOPT)
			return true;
		const uint8_t *v = cur_bytes(&c, ((size_t)olen + 3) & ~(size_t)3);
		if (!v)
			return false;
		if (code == OPT_IF_TSRESOL && (olen != 1 || !set_resolution(f, v[0])))
			return false;
		if (code == OPT_IF_TSOFFSET) {
			if (olen != 8)
				return false;
			/* seconds, signed; the sum wraps like the two's complement it is */
			f->offset_ns = rd64(v, r->swap) * 1000000000ull;
		}
	}
	return true;
}

static uint64_t to_ns(const struct iface *f, uint64_t t)
{
	if (f->mul)
		return t * f->mul + f->offset_ns;
	uint64_t frac = t % f->units;
	return t / f->units * 1000000000ull +
	       (uint64_t)((unsigned __int128)frac * 1000000000u / f->units) + f->offset_ns;
}

static int bad(struct pcapng *r, uint64_t at, const char *what, uint32_t v)
{
	snprintf(r->err, sizeof r->err, "%s (%u) at offset %llu", what, v, (unsigned long long)at);
	return PCAPNG_BAD;
}

static void interface(struct pcapng *r, const uint8_t *b, uint32_t blen, struct iface *f)
{
	*f = (struct iface){ .units = 1000000, .mul = 1000 };   /* default: microseconds */
	if (blen < IDB_MIN) {
		f->bad = true;
		stat_inc(r->st, ST_pcapng_malformed);
		return;
	}
	f->linktype = rd16(b + 8, r->swap);
	f->snaplen = rd32(b + 12, r->swap);
	if (!read_idb_options(r, f, b + 16, blen - IDB_MIN))
		stat_inc(r->st, ST_pcapng_malformed);
}

/* The interface a packet names, or NULL (counted). */
static const struct iface *packet_iface(struct pcapng *r, uint32_t id)
{
	if (id >= r->nif || r->ifs[id].bad) {
		stat_inc(r->st, ST_pcapng_no_interface);
		return NULL;
	}
	return &r->ifs[id];
}

/* The packet a block holds: its interface, lengths, time and data; NULL
 * (counted) when it holds none that can be read. */
static const struct iface *packet(struct pcapng *r, uint32_t type, const uint8_t *b, uint32_t blen,
				  struct pcapng_rec *rec, const uint8_t **data)
{
	const struct iface *f;
	bool swap = r->swap;
	if (type == BT_SPB) {
		/* Always of the section's first interface, captured to its
		 * snaplen (§4.4); the time is not recorded. */
		if (blen < SPB_MIN) {
			stat_inc(r->st, ST_pcapng_malformed);
			return NULL;
		}
		if (!(f = packet_iface(r, 0)))
			return NULL;
		rec->len = rec->caplen = rd32(b + 8, swap);
		if (f->snaplen && rec->caplen > f->snaplen)
			rec->caplen = f->snaplen;
		if (rec->caplen > blen - SPB_MIN) {
			stat_inc(r->st, ST_pcapng_malformed);
			return NULL;
		}
		rec->ts_ns = r->last_ts;
		*data = b + 12;
		return f;
	}
	/* Enhanced (§4.3) and obsolete (Appendix A) Packet Blocks differ only
	 * in the width of the interface id. */
	if (blen < EPB_MIN) {
		stat_inc(r->st, ST_pcapng_malformed);
		return NULL;
	}
	if (!(f = packet_iface(r, type == BT_EPB ? rd32(b + 8, swap) : rd16(b + 8, swap))))
		return NULL;
	rec->caplen = rd32(b + 20, swap);
	rec->len = rd32(b + 24, swap);
	if (rec->caplen > blen - EPB_MIN) {
		stat_inc(r->st, ST_pcapng_malformed);
		return NULL;
	}
	rec->ts_ns = to_ns(f, (uint64_t)rd32(b + 12, swap) << 32 | rd32(b + 16, swap));
	*data = b + 28;
	return f;
}

#define GO_ON (-1)   /* block() read a block that is not handed over */

/* Read the block at r->off: a pcapng_next value, or GO_ON. */
static int block(struct pcapng *r, struct pcapng_rec *rec, const uint8_t **data)
{
	const uint8_t *b;
	uint64_t left = 0, at = r->off;
	enum got g = get(r, at, 8, &b, &left);
	if (g != GOT)
		return g == KEPT ? PCAPNG_AGAIN : g == FAILED ? PCAPNG_BAD :
		       left == 0 ? PCAPNG_END : PCAPNG_CUT;
	uint32_t type = rd32(b, r->swap);
	bool swap = r->swap;
	if (type == BT_SHB) {
		/* The byte order of what follows, the length included (§4.1). */
		g = get(r, at, 12, &b, &left);
		if (g != GOT)
			return g == KEPT ? PCAPNG_AGAIN : g == FAILED ? PCAPNG_BAD : PCAPNG_CUT;
		uint32_t m = rd32(b + 8, false);
		if (m != BYTE_ORDER_MAGIC && __builtin_bswap32(m) != BYTE_ORDER_MAGIC) {
			snprintf(r->err, sizeof r->err, "section header block without the byte-order "
				 "magic (0x%08x) at offset %llu", m, (unsigned long long)at);
			return PCAPNG_BAD;
		}
		swap = m != BYTE_ORDER_MAGIC;
	}
	uint32_t blen = rd32(b + 4, swap);
	if (blen < 12 || blen % 4)
		return bad(r, at, "block length not a multiple of 4 of at least 12", blen);
	if (blen > PCAPNG_MAX_BLOCK)
		return bad(r, at, "block longer than the 128 MiB bound", blen);
	g = get(r, at, blen, &b, &left);
	if (g != GOT)
		return g == KEPT ? PCAPNG_AGAIN : g == FAILED ? PCAPNG_BAD : PCAPNG_CUT;
	uint32_t trailer = rd32(b + blen - 4, swap);
	if (trailer != blen) {
		snprintf(r->err, sizeof r->err, "block of length %u ends with length %u at offset %llu",
			 blen, trailer, (unsigned long long)at);
		return PCAPNG_BAD;
	}

	switch (type) {
	case BT_SHB:
		if (blen < SHB_MIN)
			return bad(r, at, "section header block shorter than 28 bytes", blen);
		if (rd16(b + 12, swap) != 1)
			return bad(r, at, "section header block of a major version other than 1",
				   rd16(b + 12, swap));
		r->off = at + blen;
		r->swap = swap;
		r->sections++;
		r->nif = 0;         /* interfaces are numbered anew in each section */
		return GO_ON;
	case BT_IDB: {
		r->off = at + blen;
		if (r->nif >= PCAPNG_MAX_INTERFACES) {
			stat_inc(r->st, ST_pcapng_interfaces_capped);
			return GO_ON;
		}
		struct iface *f = &r->ifs[r->nif++];
		interface(r, b, blen, f);
		if (f->bad)
			return GO_ON;
		*rec = (struct pcapng_rec){ .caplen = f->snaplen, .linktype = f->linktype,
			.interface = r->nif - 1, .section = r->sections - 1 };
		return PCAPNG_INTERFACE;
	}
	case BT_EPB:
	case BT_PB:
	case BT_SPB: {
		r->off = at + blen;
		const struct iface *f = packet(r, type, b, blen, rec, data);
		if (!f)
			return GO_ON;
		if (rec->len < rec->caplen)
			rec->len = rec->caplen;
		rec->linktype = f->linktype;
		rec->interface = (uint32_t)(f - r->ifs);
		rec->section = r->sections - 1;
		r->last_ts = rec->ts_ns;
		return PCAPNG_PACKET;
	}
	default:
		/* Name resolution, statistics, secrets, custom, and kinds yet to
		 * come (§3.1): a reader skips what it does not read. */
		r->off = at + blen;
		stat_inc(r->st, ST_pcapng_blocks_skipped);
		return GO_ON;
	}
}

enum pcapng_next pcapng_next(struct pcapng *r, struct pcapng_rec *rec, const uint8_t **data)
{
	for (unsigned turn = 0; turn < SKIPS_PER_CALL; turn++) {
		int n = block(r, rec, data);
		/* the file shrank under the map: what was read may be the zeros
		 * that stand in for the lost pages */
		if (r->fd >= 0 && mapguard_cut())
			return PCAPNG_CUT;
		if (n == GO_ON)
			continue;
		if (n == PCAPNG_PACKET && r->fd >= 0) {
			/* As pcapfile.c: keep the cache a stretch ahead of the reader. */
			uint64_t ahead = r->off + PREFETCH_AHEAD, end = r->map_off + r->map_len;
			if (r->fetched < r->off)
				r->fetched = r->off;
			for (; r->fetched < ahead && r->fetched < end; r->fetched += 64)
				__builtin_prefetch(r->map + (r->fetched - r->map_off));
		}
		return (enum pcapng_next)n;
	}
	return PCAPNG_AGAIN;     /* many blocks and no packet: the caller's turn */
}

/* ---- open, close ---- */

static struct pcapng *new_reader(struct stats *st, char err[PCAPNG_ERR_MAX])
{
	struct pcapng *r = calloc(1, sizeof *r);
	if (r)
		r->ifs = calloc(PCAPNG_MAX_INTERFACES, sizeof *r->ifs);
	if (!r || !r->ifs) {
		free(r);
		snprintf(err, PCAPNG_ERR_MAX, "out of memory");
		return NULL;
	}
	r->fd = -1;
	r->st = st;
	return r;
}

/* The file must begin with a section header (§4.1): read it, only it (the
 * next block of a stream may not have been written yet). */
static struct pcapng *first_section(struct pcapng *r, char err[PCAPNG_ERR_MAX])
{
	const uint8_t *b, *d;
	uint64_t left = 0;
	struct pcapng_rec rec;
	enum got g = get(r, 0, 4, &b, &left);
	int n = PCAPNG_BAD;
	if (g == SHORT)
		snprintf(err, PCAPNG_ERR_MAX, "shorter than a pcapng section header block");
	else if (g == GOT && !pcapng_is_pcapng(b, 4))
		snprintf(err, PCAPNG_ERR_MAX, "not a pcapng file: no section header block at offset 0");
	else if (g == GOT && (n = block(r, &rec, &d)) == GO_ON)
		return r;
	else if (n == PCAPNG_CUT)
		snprintf(err, PCAPNG_ERR_MAX, "section header block cut short at offset 0");
	else
		snprintf(err, PCAPNG_ERR_MAX, "%s", r->err);
	pcapng_close(r);
	return NULL;
}

struct pcapng *pcapng_open_map(int fd, uint64_t size, struct stats *st, char err[PCAPNG_ERR_MAX])
{
	struct pcapng *r = new_reader(st, err);
	if (!r) {
		close(fd);
		return NULL;
	}
	r->fd = fd;
	r->size = size;
	r->page = sysconf(_SC_PAGESIZE);
	mapguard_arm();
	return first_section(r, err);
}

struct pcapng *pcapng_open_stream(pcapng_read_fn read, void *ctx, struct stats *st,
				  char err[PCAPNG_ERR_MAX])
{
	struct pcapng *r = new_reader(st, err);
	if (!r)
		return NULL;
	r->read = read;
	r->ctx = ctx;
	r->buf_cap = STREAM_BUF;
	r->buf = malloc(r->buf_cap);
	if (!r->buf) {
		snprintf(err, PCAPNG_ERR_MAX, "out of memory");
		pcapng_close(r);
		return NULL;
	}
	return first_section(r, err);
}

void pcapng_close(struct pcapng *r)
{
	if (!r)
		return;
	mapguard_unmap(&r->map, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r->ifs);
	free(r);
}

void pcapng_keep(struct pcapng *r, bool keep) { r->keep = keep; }
uint64_t pcapng_offset(const struct pcapng *r) { return r->off; }
const char *pcapng_error(const struct pcapng *r) { return r->err; }
