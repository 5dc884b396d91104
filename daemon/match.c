/* match.c — the compiled domain matcher: list entries in one text arena, an
 * open-addressing table of the distinct names, and a lookup that probes each
 * label suffix of a name once, most specific first. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "match.h"
#include "mem.h"
#include "name.h"

#define ENTRY_MAX	253	/* longest entry, as name_valid_entry allows */
#define WINDOW		(ENTRY_MAX + 2)	/* tail a lookup reads: entry, the dot before, a final dot */
#define MAX_SUFFIXES	128	/* label starts (a non-dot after a dot) in WINDOW characters */
#define FIRST_SLOTS_LOG2	10
#define FIRST_SLOTS	(1u << FIRST_SLOTS_LOG2)
#define HASH_PRIME	0x100000001b3ULL	/* the 64-bit FNV prime */
#define PENDING		16	/* names queued with their slot prefetched */

/* The table holds one slot per distinct name.  The tag is the hash's high
 * half: its top bits pick the home slot, so growing the table needs no name
 * rehashed and keeps slots in order; the bits below settle most mismatches
 * without touching the arena. */
struct slot {
	uint32_t entry;		/* index + 1 of the name's first entry; 0 = empty */
	uint32_t tag;
};

/* One (name, rule) pair.  Pairs with the same name share its text and chain
 * through next in the order they were added. */
struct entry {
	uint32_t text;		/* arena offset of the NUL-terminated name */
	uint32_t rule;
	uint32_t next;		/* index + 1 of the next entry for the name; 0 = end */
};

/* The arena stores each name as a length byte, the text, then a NUL: hits
 * hand out C strings and comparisons start with the length. */
struct matcher {
	uint64_t seed;
	uint64_t id;		/* unique per process: which matcher a memo serves */
	struct slot *slots;
	size_t mask;		/* table size - 1, a power of two */
	unsigned shift;		/* tag >> shift is the home slot: 32 - log2(size) */
	size_t names;		/* used slots */
	struct entry *entries;
	size_t nentries, entries_cap;
	char *arena;
	size_t arena_len, arena_cap;
	bool compiled;
	unsigned min_labels, max_labels;	/* of the names held: suffixes outside need no probe */
	struct pending {
		uint64_t h;
		uint32_t rule;
		uint8_t len;
		char name[ENTRY_MAX];
	} pend[PENDING];
	unsigned pend_head, pend_n;
};

/* A remembered name; len 0 marks an empty line. */
struct memo_line {
	uint64_t hash;		/* the whole name's, under the matcher's seed */
	uint8_t len;
	char name[MATCH_MEMO_NAME];
};
_Static_assert(sizeof(struct memo_line) == 64, "a memo line is a cache line");

struct match_memo {
	uint64_t matcher;	/* id of the matcher it serves, 0: none yet */
	struct memo_line *lines;
};

/* FNV-1a over the bytes from last to first: the state after a label is the
 * hash of that suffix, so one pass hashes every suffix of a name. */
static inline uint64_t hash_step(uint64_t h, unsigned char c)
{
	return (h ^ c) * HASH_PRIME;
}

/* After the last byte the state has been through one multiply, which only
 * carries upwards: mix every bit into the tag before use (murmur3's finaliser). */
static inline uint64_t hash_finish(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static uint64_t hash_name(uint64_t seed, const char *s, size_t len)
{
	uint64_t h = seed;

	while (len > 0)
		h = hash_step(h, (unsigned char)s[--len]);
	return hash_finish(h);
}

/* A random seed keeps probe sequences unpredictable to whoever chooses the
 * names on the wire (and in the feeds). */
static uint64_t random_seed(void)
{
	uint64_t seed;
	struct timespec ts;

	if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) == (ssize_t)sizeof seed)
		return seed;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ ((uint64_t)getpid() << 16);
	return hash_finish(seed ^ (uint64_t)(uintptr_t)&seed);
}

static bool same_name(const struct matcher *m, uint32_t entry, const char *s, size_t len)
{
	const char *text = m->arena + m->entries[entry].text;

	return (unsigned char)text[-1] == len && memcmp(text, s, len) == 0;
}

/* The name's first entry (index + 1), or 0 with *at the empty slot where it
 * would go.  Linear probing ends: the load factor keeps empty slots. */
static uint32_t find(const struct matcher *m, uint64_t h, const char *s, size_t len, size_t *at)
{
	uint32_t tag = (uint32_t)(h >> 32);
	size_t i = tag >> m->shift;

	for (;; i = (i + 1) & m->mask) {
		const struct slot *sl = &m->slots[i];

		if (sl->entry == 0)
			break;
		if (sl->tag == tag && same_name(m, sl->entry - 1, s, len))
			return sl->entry;
	}
	if (at)
		*at = i;
	return 0;
}

/* The table is the part every lookup misses into (huge pages: mem.h). */
static struct slot *slots_alloc(size_t n)
{
	return table_alloc(n, sizeof(struct slot));   /* zeroed: every slot empty */
}

static void slots_free(struct slot *s, size_t n)
{
	table_free(s, n, sizeof *s);
}

static int grow_table(struct matcher *m)
{
	size_t old_size = m->mask + 1, size = old_size * 2;
	struct slot *old = m->slots, *slots;

	if (m->shift == 0 || !(slots = slots_alloc(size)))
		return -1;
	m->slots = slots;
	m->mask = size - 1;
	m->shift--;
	for (size_t i = 0; i < old_size; i++) {
		size_t j;

		if (old[i].entry == 0)
			continue;
		for (j = old[i].tag >> m->shift; slots[j].entry != 0; j = (j + 1) & m->mask)
			;
		slots[j] = old[i];
	}
	slots_free(old, old_size);
	return 0;
}

/* Room for need elements in a doubling array: the array, moved or not, or
 * NULL with the old one untouched. */
static void *reserve(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap;

	if (need <= n)
		return p;
	while (n < need)
		n *= 2;
	if (!(p = realloc(p, n * elem)))
		return NULL;
	*cap = n;
	return p;
}

static _Atomic uint64_t next_matcher_id;

struct matcher *matcher_new(void)
{
	struct matcher *m = calloc(1, sizeof *m);

	if (!m)
		return NULL;
	m->seed = random_seed();
	m->id = atomic_fetch_add(&next_matcher_id, 1) + 1;
	m->mask = FIRST_SLOTS - 1;
	m->shift = 32 - FIRST_SLOTS_LOG2;
	m->entries_cap = 256;
	m->arena_cap = 4096;
	m->slots = slots_alloc(FIRST_SLOTS);
	m->entries = malloc(m->entries_cap * sizeof *m->entries);
	m->arena = malloc(m->arena_cap);
	if (!m->slots || !m->entries || !m->arena) {
		matcher_free(m);
		return NULL;
	}
	return m;
}

/* Insert one name whose hash is known (the table's slot was prefetched). */
static int insert(struct matcher *m, uint64_t h, const char *name, size_t len, uint32_t rule)
{
	uint32_t first, last, text;
	size_t at = 0;
	void *p;

	/* Entry and arena offsets are 32 bits: that is billions of names. */
	if (m->nentries >= UINT32_MAX - 1 || m->arena_len + len + 2 > UINT32_MAX)
		return -1;
	if ((m->names + 1) * 10 > (m->mask + 1) * 7 && grow_table(m) < 0)
		return -1;
	if (!(p = reserve(m->entries, &m->entries_cap, m->nentries + 1, sizeof *m->entries)))
		return -1;
	m->entries = p;

	first = find(m, h, name, len, &at);
	if (first != 0) {
		for (last = first;; last = m->entries[last - 1].next) {
			if (m->entries[last - 1].rule == rule)
				return 0;
			if (m->entries[last - 1].next == 0)
				break;
		}
		text = m->entries[last - 1].text;
		m->entries[last - 1].next = (uint32_t)m->nentries + 1;
	} else {
		if (!(p = reserve(m->arena, &m->arena_cap, m->arena_len + len + 2, 1)))
			return -1;
		m->arena = p;
		m->arena[m->arena_len] = (char)len;
		text = (uint32_t)m->arena_len + 1;
		memcpy(m->arena + text, name, len);
		m->arena[text + len] = '\0';
		m->arena_len += len + 2;
		m->slots[at].entry = (uint32_t)m->nentries + 1;
		m->slots[at].tag = (uint32_t)(h >> 32);
		m->names++;
	}
	m->entries[m->nentries++] = (struct entry){ .text = text, .rule = rule, .next = 0 };
	return 0;
}

int matcher_reserve(struct matcher *m, size_t names)
{
	size_t want = m->names + names;
	void *p;

	if (m->compiled || want > UINT32_MAX / 2)
		return 0;
	while (want * 10 > (m->mask + 1) * 7)
		if (grow_table(m) < 0)
			return 0;
	if ((p = reserve(m->entries, &m->entries_cap, m->nentries + names, sizeof *m->entries)))
		m->entries = p;
	return 0;
}

/* Names wait in a short queue with their home slot prefetched, so that a
 * big list's inserts overlap their cache misses instead of taking them one
 * at a time (the table is far larger than the caches).  Order is kept. */
static int flush_one(struct matcher *m)
{
	struct pending *pd = &m->pend[m->pend_head];
	m->pend_head = (m->pend_head + 1) % PENDING;
	m->pend_n--;
	return insert(m, pd->h, pd->name, pd->len, pd->rule);
}

int matcher_add(struct matcher *m, const char *name, size_t len, uint32_t rule)
{
	if (m->compiled || len == 0 || len > ENTRY_MAX || memchr(name, '\0', len))
		return -1;
	if (m->pend_n == PENDING && flush_one(m) < 0)
		return -1;
	unsigned labels = 1;
	for (size_t i = 0; i < len; i++)
		labels += name[i] == '.';
	if (!m->min_labels || labels < m->min_labels)
		m->min_labels = labels;
	if (labels > m->max_labels)
		m->max_labels = labels;
	struct pending *pd = &m->pend[(m->pend_head + m->pend_n++) % PENDING];
	pd->h = hash_name(m->seed, name, len);
	pd->len = (uint8_t)len;
	pd->rule = rule;
	memcpy(pd->name, name, len);
	__builtin_prefetch(&m->slots[(uint32_t)(pd->h >> 32) >> m->shift]);
	return 0;
}

/* Building is done: give back what the doubling arrays over-allocated. */
int matcher_compile(struct matcher *m)
{
	void *p;

	while (m->pend_n)
		if (flush_one(m) < 0)
			return -1;
	if (m->nentries > 0 && (p = realloc(m->entries, m->nentries * sizeof *m->entries))) {
		m->entries = p;
		m->entries_cap = m->nentries;
	}
	if (m->arena_len > 0 && (p = realloc(m->arena, m->arena_len))) {
		m->arena = p;
		m->arena_cap = m->arena_len;
	}
	m->compiled = true;
	return 0;
}

static bool rule_seen(const struct match_hit *hits, size_t n, uint32_t rule)
{
	for (size_t i = 0; i < n; i++)
		if (hits[i].rule == rule)
			return true;
	return false;
}

struct match_memo *match_memo_new(void)
{
	struct match_memo *memo = calloc(1, sizeof *memo);
	if (memo && !(memo->lines = table_alloc(MATCH_MEMO_SLOTS, sizeof *memo->lines))) {
		free(memo);
		memo = NULL;
	}
	return memo;
}

void match_memo_free(struct match_memo *memo)
{
	if (memo) {
		table_free(memo->lines, MATCH_MEMO_SLOTS, sizeof *memo->lines);
		free(memo);
	}
}

size_t matcher_lookup(const struct matcher *m, const char *name, size_t len,
		      struct match_hit *hits, size_t max)
{
	return matcher_lookup_memo(m, NULL, name, len, hits, max);
}

size_t matcher_lookup_memo(const struct matcher *m, struct match_memo *memo, const char *name,
			   size_t len, struct match_hit *hits, size_t max)
{
	struct memo_line *line = NULL;
	uint64_t memo_hash = 0;
	char buf[WINDOW];
	size_t start[MAX_SUFFIXES], nsuf = 0, nhits = 0, from, n;
	uint64_t hash[MAX_SUFFIXES], h;

	if (!m || !m->compiled || max == 0)
		return 0;
	/* No entry is longer than 253, so only the tail of a long name can match;
	 * where the tail is cut, its first character is not a label start. */
	from = len > WINDOW ? len - WINDOW : 0;
	n = len - from;
	memcpy(buf, name + from, n);
	n = name_normalize(buf, n);

	/* One pass from the right hashes every suffix that starts a label. */
	h = m->seed;
	for (size_t i = n; i-- > 0;) {
		h = hash_step(h, (unsigned char)buf[i]);
		if (buf[i] == '.' || n - i > ENTRY_MAX)
			continue;
		if ((i == 0 && from == 0) || (i > 0 && buf[i - 1] == '.')) {
			if (nsuf == MAX_SUFFIXES)
				break;
			start[nsuf] = i;
			hash[nsuf++] = hash_finish(h);
		}
	}

	/* A short name's whole hash is the state after the loop (it ran to
	 * the first byte: a short name has few suffixes). */
	if (memo && n <= MATCH_MEMO_NAME && n > 0) {
		uint64_t whole = hash_finish(h);
		if (memo->matcher != m->id) {
			memset(memo->lines, 0, MATCH_MEMO_SLOTS * sizeof *memo->lines);
			memo->matcher = m->id;
		}
		/* Two ways a set (one 128-byte pair): names that share a set
		 * do not keep evicting each other; the newest goes first. */
		line = &memo->lines[whole & (MATCH_MEMO_SLOTS - 2)];
		for (int way = 0; way < 2; way++)
			if (line[way].len == n && line[way].hash == whole &&
			    memcmp(line[way].name, buf, n) == 0)
				return 0;
		memo_hash = whole;
	}

	/* Suffix k (0-based from the right) has k + 1 labels: only those with
	 * as many labels as some name held can match (feeds of registered
	 * domains never need the lone TLD probed). */
	size_t lo = m->min_labels ? m->min_labels - 1 : 0;
	if (nsuf > m->max_labels)
		nsuf = m->max_labels;

	/* Every suffix's home slot is fetched at once: with a big list the
	 * table is far larger than the caches, and the misses then overlap. */
	for (size_t i = lo; i < nsuf; i++)
		__builtin_prefetch(&m->slots[(uint32_t)(hash[i] >> 32) >> m->shift]);

	/* Probe the longest (most specific) suffix first. */
	while (nsuf-- > lo && nhits < max) {
		const char *s = buf + start[nsuf];
		size_t slen = n - start[nsuf];
		uint32_t e = find(m, hash[nsuf], s, slen, NULL);

		for (; e != 0 && nhits < max; e = m->entries[e - 1].next) {
			const struct entry *en = &m->entries[e - 1];

			if (rule_seen(hits, nhits, en->rule))
				continue;
			hits[nhits].rule = en->rule;
			hits[nhits].entry = m->arena + en->text;
			hits[nhits].entry_len = slen;
			nhits++;
		}
	}
	if (line && nhits == 0) {
		line[1] = line[0];
		line[0].hash = memo_hash;
		line[0].len = (uint8_t)n;
		memcpy(line[0].name, buf, n);
	}
	return nhits;
}

size_t matcher_entries(struct matcher *m)
{
	while (m->pend_n && flush_one(m) == 0)
		;                       /* queued names count once they are in */
	return m->nentries;
}

size_t matcher_memory(const struct matcher *m)
{
	return sizeof *m + (m->mask + 1) * sizeof *m->slots +
	       m->entries_cap * sizeof *m->entries + m->arena_cap;
}

void matcher_free(struct matcher *m)
{
	if (!m)
		return;
	slots_free(m->slots, m->mask + 1);
	free(m->entries);
	free(m->arena);
	free(m);
}
