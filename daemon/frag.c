/* frag.c — the reassembly table: a keyed hash of datagrams, an age list for
 * expiry and eviction (oldest first), and data in pool pages, each with a
 * bitmap of the 8-octet blocks it holds (fragment offsets count 8-octet
 * blocks: RFC 791 §3.1, RFC 8200 §4.5). */
#include <stdlib.h>
#include <string.h>

#include "frag.h"
#include "khash.h"
#include "mem.h"

#define MAX_DATA 65535u                /* IPv4 total length, IPv6 payload length */
#define PAGE_BLOCKS (FRAG_PAGE / 8)
#define PAGE_WORDS (PAGE_BLOCKS / 64)
#define MAX_PAGES ((MAX_DATA + FRAG_PAGE - 1) / FRAG_PAGE)
#define V4_HDR 20
#define V6_HDR 40

_Static_assert(FRAG_PAGE % 512 == 0, "a page holds whole 64-bit words of blocks");

struct frag_key {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint8_t family;
	uint8_t proto;               /* IPv4 only: an IPv6 datagram is (src, dst, id) */
	uint8_t pad[2];
};

struct page {
	uint64_t held[PAGE_WORDS];   /* the 8-octet blocks written */
	uint8_t data[FRAG_PAGE];
};

struct dgram {
	struct frag_key key;
	uint32_t hnext;              /* hash chain, or the free list (index + 1, 0 ends) */
	uint32_t prev, next;         /* age list, oldest first (index + 1) */
	uint64_t first_ns;           /* its first fragment's time */
	uint32_t held;               /* data bytes held */
	uint32_t end;                /* data length once the last fragment came, else 0 */
	uint32_t top;                /* the furthest data byte held */
	uint8_t proto;               /* of the first fragment (RFC 8200 §4.5) */
	uint8_t encap_depth, nencap;
	uint8_t encap[DECODE_MAX_ENCAP];
	uint32_t page[MAX_PAGES];    /* pool page of each FRAG_PAGE of data (index + 1) */
};

struct frag_table {
	struct dgram *pool;
	uint32_t max, used;
	uint32_t free_head;
	uint32_t *buckets;           /* chain heads (index + 1) */
	uint32_t nbuckets;           /* a power of two */
	uint32_t oldest, newest;     /* the age list's ends (index + 1) */
	struct page *pages;
	uint32_t *free_pages;        /* a stack of free page indices */
	uint32_t npages, nfree;
	uint64_t seed[2];
	uint64_t timeout_ns;
	struct stats *st;
	uint8_t out[V6_HDR + MAX_DATA];
};

static inline struct dgram *at(struct frag_table *t, uint32_t ref) { return &t->pool[ref - 1]; }
static inline uint32_t ref_of(struct frag_table *t, struct dgram *d) { return (uint32_t)(d - t->pool) + 1; }

struct frag_table *frag_table_new(const struct frag_config *c, struct stats *st)
{
	if (!c->max_datagrams || c->max_bytes < FRAG_PAGE)
		return NULL;
	struct frag_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->max = c->max_datagrams;
	t->nbuckets = 1;
	while (t->nbuckets < t->max)
		t->nbuckets <<= 1;
	t->npages = c->max_bytes / FRAG_PAGE;
	t->pool = table_alloc(t->max, sizeof *t->pool);
	t->buckets = table_alloc(t->nbuckets, sizeof *t->buckets);
	t->pages = table_alloc(t->npages, sizeof *t->pages);
	t->free_pages = table_alloc(t->npages, sizeof *t->free_pages);
	if (!t->pool || !t->buckets || !t->pages || !t->free_pages) {
		frag_table_free(t);
		return NULL;
	}
	for (uint32_t i = 0; i < t->max; i++)
		t->pool[i].hnext = i + 2 <= t->max ? i + 2 : 0;
	t->free_head = 1;
	for (uint32_t i = 0; i < t->npages; i++)
		t->free_pages[i] = t->npages - 1 - i;
	t->nfree = t->npages;
	khash_seed(t->seed, t);
	t->timeout_ns = (uint64_t)c->timeout_s * 1000000000ull;
	t->st = st;
	return t;
}

void frag_table_free(struct frag_table *t)
{
	if (!t)
		return;
	table_free(t->pool, t->max, sizeof *t->pool);
	table_free(t->buckets, t->nbuckets, sizeof *t->buckets);
	table_free(t->pages, t->npages, sizeof *t->pages);
	table_free(t->free_pages, t->npages, sizeof *t->free_pages);
	free(t);
}

/* Keyed as the flow table is (khash.h). */
static uint64_t key_hash(const struct frag_table *t, const struct frag_key *k)
{
	return khash(t->seed, k, sizeof *k);
}

static void make_key(const struct packet *p, struct frag_key *k)
{
	size_t alen = p->family == 4 ? 4 : 16;
	memset(k, 0, sizeof *k);
	memcpy(k->src, p->src, alen);
	memcpy(k->dst, p->dst, alen);
	k->id = p->frag.id;
	k->family = p->family;
	k->proto = p->family == 4 ? p->frag.proto : 0;
}

static void age_unlink(struct frag_table *t, struct dgram *d)
{
	if (d->prev)
		at(t, d->prev)->next = d->next;
	else
		t->oldest = d->next;
	if (d->next)
		at(t, d->next)->prev = d->prev;
	else
		t->newest = d->prev;
	d->prev = d->next = 0;
}

/* Forget d: its pages back to the pool, itself back to the free list. */
static void drop(struct frag_table *t, struct dgram *d)
{
	for (uint32_t i = 0; i < MAX_PAGES; i++) {
		if (!d->page[i])
			continue;
		struct page *pg = &t->pages[d->page[i] - 1];
		memset(pg->held, 0, sizeof pg->held);
		t->free_pages[t->nfree++] = d->page[i] - 1;
		d->page[i] = 0;
	}
	uint32_t r = ref_of(t, d);
	uint32_t *pp = &t->buckets[key_hash(t, &d->key) & (t->nbuckets - 1)];
	while (*pp && *pp != r)
		pp = &at(t, *pp)->hnext;
	if (*pp)
		*pp = d->hnext;
	age_unlink(t, d);
	d->hnext = t->free_head;
	t->free_head = r;
	t->used--;
	stat_set(t->st, ST_frag_pending, t->used);
}

static struct dgram *create(struct frag_table *t, uint32_t *bucket, const struct frag_key *k,
			    uint64_t ts_ns)
{
	if (!t->free_head) {
		drop(t, at(t, t->oldest));           /* full: the oldest makes room */
		stat_inc(t->st, ST_frag_evicted);
	}
	uint32_t r = t->free_head;
	struct dgram *d = at(t, r);
	t->free_head = d->hnext;
	memset(d, 0, sizeof *d);
	d->key = *k;
	d->first_ns = ts_ns;
	d->hnext = *bucket;
	*bucket = r;
	d->prev = t->newest;
	if (t->newest)
		at(t, t->newest)->next = r;
	else
		t->oldest = r;
	t->newest = r;
	t->used++;
	stat_set(t->st, ST_frag_pending, t->used);
	return d;
}

/* The 8-octet blocks that [off, end) touches, a bitmap word at a time: how
 * many of them d holds already, or (mark) mark them all held. */
static uint32_t blocks(struct frag_table *t, const struct dgram *d, uint32_t off, uint32_t end,
		       bool mark)
{
	uint32_t n = 0;
	for (uint32_t b = off / 8, last = (end + 7) / 8; b < last;) {
		uint32_t pi = b / PAGE_BLOCKS, i = b % PAGE_BLOCKS;
		uint32_t run = 64 - i % 64;
		if (run > last - b)
			run = last - b;
		if (d->page[pi]) {
			uint64_t mask = (run == 64 ? ~0ull : (1ull << run) - 1) << (i % 64);
			uint64_t *w = &t->pages[d->page[pi] - 1].held[i / 64];
			if (mark)
				*w |= mask;
			else
				n += (uint32_t)__builtin_popcountll(*w & mask);
		}
		b += run;
	}
	return n;
}

/* Do d's bytes at [off, off + len) equal data? (All of them are held.) */
static bool same_bytes(const struct frag_table *t, const struct dgram *d, uint32_t off,
		       const uint8_t *data, uint32_t len)
{
	while (len) {
		uint32_t in = off % FRAG_PAGE, n = FRAG_PAGE - in;
		if (n > len)
			n = len;
		if (memcmp(t->pages[d->page[off / FRAG_PAGE] - 1].data + in, data, n) != 0)
			return false;
		off += n;
		data += n;
		len -= n;
	}
	return true;
}

/* Give d a page for every FRAG_PAGE of [off, end) it has none for.  When
 * the pool is short, the oldest other datagrams make room (each holds a
 * page at least, and a fragment needs MAX_PAGES at most, so the loop is
 * bounded); false when even that is not enough. */
static bool take_pages(struct frag_table *t, struct dgram *d, uint32_t off, uint32_t end)
{
	uint32_t need = 0;
	for (uint32_t i = off / FRAG_PAGE; i <= (end - 1) / FRAG_PAGE; i++)
		need += !d->page[i];
	while (t->nfree < need) {
		struct dgram *victim = at(t, t->oldest);
		if (victim == d)
			victim = d->next ? at(t, d->next) : NULL;
		if (!victim)
			return false;
		drop(t, victim);
		stat_inc(t->st, ST_frag_evicted);
	}
	for (uint32_t i = off / FRAG_PAGE; i <= (end - 1) / FRAG_PAGE; i++)
		if (!d->page[i])
			d->page[i] = t->free_pages[--t->nfree] + 1;
	return true;
}

static void store(struct frag_table *t, struct dgram *d, uint32_t off, const uint8_t *data,
		  uint32_t len)
{
	uint32_t end = off + len;
	for (uint32_t o = off; o < end;) {
		uint32_t in = o % FRAG_PAGE, n = FRAG_PAGE - in;
		if (n > end - o)
			n = end - o;
		memcpy(t->pages[d->page[o / FRAG_PAGE] - 1].data + in, data + (o - off), n);
		o += n;
	}
	blocks(t, d, off, end, true);
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The whole datagram into t->out: a plain header, then the data. */
static void build(struct frag_table *t, const struct dgram *d, struct frag_datagram *out)
{
	uint8_t *o = t->out;
	size_t h;

	if (d->key.family == 4) {
		h = V4_HDR;
		memset(o, 0, h);
		o[0] = 0x45;
		put16(o + 2, V4_HDR + d->end);
		put16(o + 4, d->key.id);
		o[8] = 64;
		o[9] = d->proto;
		memcpy(o + 12, d->key.src, 4);
		memcpy(o + 16, d->key.dst, 4);
	} else {
		h = V6_HDR;
		memset(o, 0, h);
		o[0] = 0x60;
		put16(o + 4, d->end);
		o[6] = d->proto;
		o[7] = 64;
		memcpy(o + 8, d->key.src, 16);
		memcpy(o + 24, d->key.dst, 16);
	}
	for (uint32_t off = 0; off < d->end; off += FRAG_PAGE) {
		uint32_t n = d->end - off < FRAG_PAGE ? d->end - off : FRAG_PAGE;
		memcpy(o + h + off, t->pages[d->page[off / FRAG_PAGE] - 1].data, n);
	}
	out->ip = o;
	out->len = (uint32_t)h + d->end;
	out->encap_depth = d->encap_depth;
	out->nencap = d->nencap;
	memcpy(out->encap, d->encap, sizeof out->encap);
}

bool frag_add(struct frag_table *t, const struct packet *p, struct frag_datagram *out)
{
	struct frag_key k;
	make_key(p, &k);
	uint32_t *bucket = &t->buckets[key_hash(t, &k) & (t->nbuckets - 1)];
	struct dgram *d = NULL;
	for (uint32_t r = *bucket; r; r = at(t, r)->hnext) {
		if (memcmp(&at(t, r)->key, &k, sizeof k) == 0) {
			d = at(t, r);
			break;
		}
	}

	/* Fragments that spoil their datagram (RFC 791 §3.2, RFC 8200 §4.5):
	 * all but the last carry a multiple of 8 bytes, none is empty, none
	 * reaches past the 65535 bytes a length field can say, and the last
	 * one's end is the end of them all. */
	uint32_t off = p->frag.offset, len = p->frag.len, end = off + len;
	enum stat_id why = ST__COUNT;
	if (p->frag.cut)
		why = ST_frag_truncated;
	else if (!len || (p->frag.more && len % 8))
		why = ST_frag_malformed;
	else if (end + p->frag.hlen > MAX_DATA)
		why = ST_frag_too_big;
	else if (d && (p->frag.more ? d->end && end > d->end
				    : d->end ? end != d->end : d->top > end))
		why = ST_frag_malformed;
	if (why != ST__COUNT) {
		stat_inc(t->st, why);
		if (d)
			drop(t, d);
		return false;
	}
	if (!d)
		d = create(t, bucket, &k, p->ts_ns);

	uint32_t held = blocks(t, d, off, end, false);
	if (held) {
		if (held == (end + 7) / 8 - off / 8 && same_bytes(t, d, off, p->frag.data, len)) {
			stat_inc(t->st, ST_frag_duplicate);
			return false;
		}
		stat_inc(t->st, ST_frag_overlap);
		drop(t, d);
		return false;
	}
	if (!take_pages(t, d, off, end)) {
		stat_inc(t->st, ST_frag_no_buffer);
		drop(t, d);
		return false;
	}
	store(t, d, off, p->frag.data, len);
	d->held += len;
	if (end > d->top)
		d->top = end;
	if (!p->frag.more)
		d->end = end;
	if (off == 0) {
		d->proto = p->frag.proto;
		d->encap_depth = p->encap_depth;
		d->nencap = p->nencap;
		memcpy(d->encap, p->encap, sizeof d->encap);
	}
	if (!d->end || d->held != d->end)
		return false;
	/* No overlap was let in, so as many bytes as the length are all of them. */
	build(t, d, out);
	drop(t, d);
	stat_inc(t->st, ST_frag_datagrams);
	return true;
}

unsigned frag_expire(struct frag_table *t, uint64_t now_ns, unsigned budget)
{
	unsigned n = 0;
	while (n < budget && t->oldest) {
		struct dgram *d = at(t, t->oldest);
		if (d->first_ns + t->timeout_ns > now_ns)
			break;
		drop(t, d);
		stat_inc(t->st, ST_frag_timeout);
		n++;
	}
	return n;
}

void frag_flush(struct frag_table *t)
{
	while (t->oldest) {
		drop(t, at(t, t->oldest));
		stat_inc(t->st, ST_frag_timeout);
	}
}

enum decode_result frag_decode(const struct frag_datagram *d, uint64_t ts_ns, struct packet *p,
			       struct stats *st)
{
	p->ts_ns = ts_ns;
	p->wirelen = d->len;
	p->encap_depth = d->encap_depth;
	p->nencap = d->nencap;
	memcpy(p->encap, d->encap, sizeof p->encap);
	return decode_reassembled(d->ip, d->len, p, st);
}
