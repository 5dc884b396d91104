/* recent.c — per-worker seqlocked rings of recent name sightings. */
#include <stdlib.h>
#include <string.h>

#include "recent.h"

struct recent *recent_new(unsigned nrings, uint32_t total)
{
	struct recent *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->nrings = nrings ? nrings : 1;
	r->per_ring = total / r->nrings ? total / r->nrings : 1;
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
	union { struct recent_rec r; uint64_t w[RECENT_WORDS]; } u;
	if (len > RECENT_NAME_MAX - 1)
		len = RECENT_NAME_MAX - 1;
	/* Only the words the name reaches are written: the rest of the
	 * slot keeps an older name's bytes, cut off by the NUL. */
	size_t used = offsetof(struct recent_rec, name) + len + 1;
	size_t nwords = (used + 7) / 8;
	u.w[nwords - 1] = 0;
	u.r.ts_ns = ts_ns;
	u.r.flow_id = flow_id;
	u.r.kind = (uint8_t)kind;
	u.r.family = (uint8_t)family;
	u.r.dir = dir ? 1 : 0;
	u.r.pad = 0;
	u.r.sport = sport;
	u.r.dport = dport;
	u.r.name_len = (uint16_t)len;
	memcpy(u.r.src, src, 16);
	memcpy(u.r.dst, dst, 16);
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		u.r.name[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	u.r.name[len] = '\0';

	struct recent_slot *s = &ring->slots[ring->next % ring->cap];
	uint64_t seq = atomic_load_explicit(&s->seq, memory_order_relaxed);
	atomic_store_explicit(&s->seq, seq + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	for (size_t i = 0; i < nwords; i++)
		atomic_store_explicit(&s->w[i], u.w[i], memory_order_relaxed);
	atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
	ring->next++;
	atomic_store_explicit(&ring->written, ring->next, memory_order_release);
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
			n += (size_t)read_slot(&ring->slots[(written - 1 - i) % ring->cap], &out[n]);
	}
	return n;
}
