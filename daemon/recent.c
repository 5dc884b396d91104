/* recent.c — per-worker seqlocked rings of recent name sightings. */
#include <stdlib.h>
#include <string.h>

#include "recent.h"

#define NAME_WORD (offsetof(struct recent_rec, name) / 8)   /* first word of the name */

struct recent *recent_new(unsigned nrings, uint32_t total)
{
	struct recent *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->nrings = nrings ? nrings : 1;
	/* a power of two per ring: the worker finds its slot with a mask, not
	 * a division */
	uint32_t want = total / r->nrings ? total / r->nrings : 1;
	r->per_ring = 1;
	while (r->per_ring <= want / 2)
		r->per_ring *= 2;
	r->rings = calloc(r->nrings, sizeof *r->rings);
	if (!r->rings) {
		free(r);
		return NULL;
	}
	for (unsigned i = 0; i < r->nrings; i++) {
		r->rings[i].cap = r->per_ring;
		r->rings[i].slots = calloc(r->per_ring, sizeof *r->rings[i].slots);
		if (!r->rings[i].slots) {
			recent_free(r);
			return NULL;
		}
	}
	return r;
}

void recent_free(struct recent *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < r->nrings; i++)
		free(r->rings[i].slots);
	free(r->rings);
	free(r);
}

size_t recent_capacity(const struct recent *r)
{
	return (size_t)r->nrings * r->per_ring;
}

void recent_put(struct recent_ring *ring, uint64_t ts_ns, uint64_t flow_id, unsigned kind,
		unsigned family, unsigned dir, const uint8_t src[16], const uint8_t dst[16],
		uint16_t sport, uint16_t dport, const char *name, size_t len)
{
	/* The fixed part is staged in a small struct; the name goes into the
	 * slot's words 8 bytes at a time (fixed-size copies, no memcpy call of
	 * a variable length on the worker's path). */
	union { struct recent_rec r; uint64_t w[NAME_WORD]; } h;
	_Static_assert(offsetof(struct recent_rec, name) == NAME_WORD * 8, "name starts on a word");
	if (len > RECENT_NAME_MAX - 1)
		len = RECENT_NAME_MAX - 1;
	h.r.ts_ns = ts_ns;
	h.r.flow_id = flow_id;
	h.r.kind = (uint8_t)kind;
	h.r.family = (uint8_t)family;
	h.r.dir = dir ? 1 : 0;
	h.r.pad = 0;
	h.r.sport = sport;
	h.r.dport = dport;
	h.r.name_len = (uint16_t)len;
	memset(h.r.pad2, 0, sizeof h.r.pad2);
	memcpy(h.r.src, src, 16);
	memcpy(h.r.dst, dst, 16);

	struct recent_slot *s = &ring->slots[ring->next & (ring->cap - 1)];
	uint64_t seq = atomic_load_explicit(&s->seq, memory_order_relaxed);
	atomic_store_explicit(&s->seq, seq + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	for (size_t i = 0; i < NAME_WORD; i++)
		atomic_store_explicit(&s->w[i], h.w[i], memory_order_relaxed);
	/* Only the words the name and its NUL reach are written: the rest of
	 * the slot keeps an older name's bytes, after the NUL. */
	size_t i = 0, k = NAME_WORD;
	for (; i + 8 <= len; i += 8, k++) {
		uint64_t w;
		memcpy(&w, name + i, 8);
		atomic_store_explicit(&s->w[k], w, memory_order_relaxed);
	}
	char tail[8] = { 0 };           /* the last bytes, the NUL, zeros */
	for (size_t b = 0; i + b < len; b++)
		tail[b] = name[i + b];
	uint64_t last;
	memcpy(&last, tail, 8);
	atomic_store_explicit(&s->w[k], last, memory_order_relaxed);
	atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
	ring->next++;
	atomic_store_explicit(&ring->written, ring->next, memory_order_release);
	/* The next slot's first lines, fetched for writing now: by the next
	 * name (several packets away) they are in cache, not a miss to wait on. */
	const char *nx = (const char *)&ring->slots[ring->next & (ring->cap - 1)];
	__builtin_prefetch(nx, 1, 1);
	__builtin_prefetch(nx + 64, 1, 1);
}

/* One slot's record, or 0 when it is empty or being written. */
static int read_slot(const struct recent_slot *s, struct recent_rec *out)
{
	union { struct recent_rec r; uint64_t w[RECENT_WORDS]; } u;
	uint64_t a = atomic_load_explicit(&s->seq, memory_order_acquire);
	if (a == 0 || (a & 1))
		return 0;
	for (size_t i = 0; i < RECENT_WORDS; i++)
		u.w[i] = atomic_load_explicit(&s->w[i], memory_order_relaxed);
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&s->seq, memory_order_relaxed) != a)
		return 0;
	/* The writer bounds the name; a reader trusts nothing it copied. */
	if (u.r.name_len > RECENT_NAME_MAX - 1)
		return 0;
	u.r.name[u.r.name_len] = '\0';
	for (size_t i = 0; i < u.r.name_len; i++) {
		char c = u.r.name[i];
		u.r.name[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	*out = u.r;
	return 1;
}

size_t recent_snapshot(const struct recent *r, struct recent_rec *out, size_t cap)
{
	size_t n = 0;
	for (unsigned k = 0; k < r->nrings; k++) {
		const struct recent_ring *ring = &r->rings[k];
		uint64_t written = atomic_load_explicit(&ring->written, memory_order_acquire);
		uint64_t held = written < ring->cap ? written : ring->cap;
		for (uint64_t i = 0; i < held && n < cap; i++)
			n += (size_t)read_slot(&ring->slots[(written - 1 - i) & (ring->cap - 1)], &out[n]);
	}
	return n;
}
