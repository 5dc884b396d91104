/* bssid.c — the encrypted-frames-by-BSSID table.
 *
 * The writer replaces an entry like a sequence lock: the key goes to 0 (the
 * entry is changing), the counters are reset, then the new key is published
 * with release order.  A reader that sees the same non-zero key before and
 * after reading the counters has counters of that BSSID. */
#include <stdlib.h>
#include <string.h>

#include "bssid.h"

#define KEY_USED (1ull << 48)

static uint64_t key_of(const uint8_t b[6])
{
	uint64_t k = 0;
	for (int i = 0; i < 6; i++)
		k = k << 8 | b[i];
	return k | KEY_USED;
}

static void add(_Atomic uint64_t *v, uint64_t n)
{
	atomic_store_explicit(v, atomic_load_explicit(v, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

bool bssid_count(struct bssid_table *t, const uint8_t bssid[6], uint64_t n)
{
	uint64_t key = key_of(bssid);
	struct bssid_entry *e = &t->e[t->hint];

	t->clock++;
	if (atomic_load_explicit(&e->key, memory_order_relaxed) != key) {
		/* Frames come in runs of one network: the hint mostly hits.
		 * Otherwise a scan of 64 keys, the stalest slot kept in case. */
		unsigned stalest = 0;
		int unused = -1;
		e = NULL;
		for (unsigned i = 0; i < BSSID_TABLE_SIZE; i++) {
			uint64_t k = atomic_load_explicit(&t->e[i].key, memory_order_relaxed);
			if (k == key) {
				e = &t->e[i];
				t->hint = i;
				break;
			}
			if (!k && unused < 0)
				unused = (int)i;
			if (t->e[i].last < t->e[stalest].last)
				stalest = i;
		}
		if (!e && unused >= 0)
			stalest = (unsigned)unused;
		if (!e) {
			e = &t->e[stalest];
			t->hint = stalest;
			bool replaced = atomic_load_explicit(&e->key, memory_order_relaxed) != 0;
			atomic_store_explicit(&e->key, 0, memory_order_relaxed);
			atomic_thread_fence(memory_order_release);
			atomic_store_explicit(&e->frames, 1, memory_order_relaxed);
			atomic_store_explicit(&e->bytes, n, memory_order_relaxed);
			atomic_store_explicit(&e->key, key, memory_order_release);
			e->last = t->clock;
			return replaced;
		}
	}
	add(&e->frames, 1);
	add(&e->bytes, n);
	e->last = t->clock;
	return false;
}

static int by_key(const void *a, const void *b)
{
	const struct bssid_total *x = a, *y = b;
	return memcmp(x->bssid, y->bssid, 6);
}

static int by_frames(const void *a, const void *b)
{
	const struct bssid_total *x = a, *y = b;
	if (x->frames != y->frames)
		return x->frames > y->frames ? -1 : 1;
	return memcmp(x->bssid, y->bssid, 6);
}

size_t bssid_merge(const struct bssid_table *const *t, size_t n, struct bssid_total *out,
		   size_t cap)
{
	size_t m = 0;
	for (size_t w = 0; w < n; w++) {
		for (unsigned i = 0; i < BSSID_TABLE_SIZE && m < cap; i++) {
			const struct bssid_entry *e = &t[w]->e[i];
			uint64_t k = atomic_load_explicit(&e->key, memory_order_acquire);
			if (!k)
				continue;
			uint64_t frames = atomic_load_explicit(&e->frames, memory_order_relaxed);
			uint64_t bytes = atomic_load_explicit(&e->bytes, memory_order_relaxed);
			atomic_thread_fence(memory_order_acquire);
			if (atomic_load_explicit(&e->key, memory_order_relaxed) != k)
				continue;         /* replaced meanwhile: a newcomer, left out this time */
			for (int b = 5; b >= 0; b--, k >>= 8)
				out[m].bssid[b] = (uint8_t)k;
			out[m].frames = frames;
			out[m].bytes = bytes;
			m++;
		}
	}
	qsort(out, m, sizeof *out, by_key);
	size_t d = 0;
	for (size_t i = 0; i < m; i++) {
		if (d && memcmp(out[d - 1].bssid, out[i].bssid, 6) == 0) {
			out[d - 1].frames += out[i].frames;
			out[d - 1].bytes += out[i].bytes;
		} else {
			out[d++] = out[i];
		}
	}
	qsort(out, d, sizeof *out, by_frames);
	return d;
}
