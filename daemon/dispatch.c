/* dispatch.c — frames to workers by a symmetric flow hash, over SPSC byte
 * rings (acquire/release on the two positions, nothing else shared). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "decode.h"
#include "dispatch.h"
#include "flow.h"

#define RING_SIZE (8u << 20)      /* bytes per worker: ~10k full-size frames */
#define SKIP UINT32_MAX           /* caplen of a record that says "wrap to 0" */
#define MAX_FRAME 262144u         /* bytes of a frame kept: libpcap's usual largest snaplen */

struct rec {
	uint64_t ts_ns;
	uint32_t caplen;
	uint32_t wirelen;
	uint32_t dlt;                 /* the frame's link type: pcapng interfaces differ */
	uint32_t pad_[3];
};

_Static_assert(sizeof(struct rec) % 16 == 0, "frames stay 16-byte aligned");
_Static_assert(RING_SIZE % sizeof(struct rec) == 0, "records tile the ring");

struct ring {
	_Alignas(64) _Atomic uint64_t head;   /* consumer position */
	_Alignas(64) _Atomic uint64_t tail;   /* producer position */
	_Alignas(64) uint8_t *buf;
	struct worker *w;
	struct dispatch *d;
	pthread_t thread;
	bool started;
};

struct dispatch {
	unsigned n;
	int dlt;                      /* the capture's first link type */
	uint64_t seed[2];
	atomic_bool done;
	struct stats scratch;         /* the reader's own decode counts: not reported */
	struct packet pkt;
	struct ring *rings;
};

/* Records are multiples of a record header's size, so the room left before
 * the ring's end always holds at least a header (for SKIP). */
static size_t rec_size(uint32_t caplen)
{
	const size_t h = sizeof(struct rec);
	return h + ((size_t)caplen + h - 1) / h * h;
}

static void *consume(void *arg)
{
	struct ring *r = arg;
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	unsigned idle = 0;

	for (;;) {
		uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (head == tail) {
			if (atomic_load_explicit(&r->d->done, memory_order_acquire) &&
			    head == atomic_load_explicit(&r->tail, memory_order_acquire))
				break;
			/* Idle: yield at first, then sleep a little, so a slow
			 * input (gzip, a pipe) does not keep a core spinning. */
			if (++idle < 64) {
				sched_yield();
			} else {
				struct timespec ts = { 0, 50000 };
				nanosleep(&ts, NULL);
			}
			continue;
		}
		idle = 0;
		while (head != tail) {
			size_t at = head % RING_SIZE;
			struct rec rc;
			memcpy(&rc, r->buf + at, sizeof rc);
			if (rc.caplen == SKIP) {
				head += RING_SIZE - at;
				atomic_store_explicit(&r->head, head, memory_order_release);
				continue;
			}
			worker_packet(r->w, (int)rc.dlt, rc.ts_ns, r->buf + at + sizeof rc, rc.caplen, rc.wirelen);
			head += rec_size(rc.caplen);
			atomic_store_explicit(&r->head, head, memory_order_release);
		}
	}
	return NULL;
}

struct dispatch *dispatch_start(struct worker *workers, unsigned n, int dlt,
				char err[DISPATCH_ERR_MAX])
{
	struct dispatch *d = calloc(1, sizeof *d);
	if (!d || !(d->rings = calloc(n, sizeof *d->rings))) {
		free(d);
		snprintf(err, DISPATCH_ERR_MAX, "out of memory");
		return NULL;
	}
	d->n = n;
	d->dlt = dlt;
	if (getrandom(d->seed, sizeof d->seed, 0) != sizeof d->seed) {
		d->seed[0] = (uint64_t)(uintptr_t)d;
		d->seed[1] = 0x9e3779b97f4a7c15ull;
	}
	for (unsigned i = 0; i < n; i++) {
		struct ring *r = &d->rings[i];
		r->w = &workers[i];
		r->d = d;
		r->buf = malloc(RING_SIZE);
		if (!r->buf || pthread_create(&r->thread, NULL, consume, r) != 0) {
			snprintf(err, DISPATCH_ERR_MAX, "cannot start worker %u", i);
			dispatch_finish(d);
			return NULL;
		}
		r->started = true;
	}
	return d;
}

void dispatch_packet(struct dispatch *d, int dlt, uint64_t ts_ns, const uint8_t *data,
		     uint32_t caplen, uint32_t wirelen)
{
	/* Frames that do not decode go to worker 0, which counts why. */
	unsigned i = 0;
	if (decode_packet(dlt, data, caplen, &d->pkt, &d->scratch))
		i = (unsigned)(flow_hash(&d->pkt, d->seed) % d->n);
	struct ring *r = &d->rings[i];

	/* libpcap hands over frames up to 128 MiB for some link types (D-Bus):
	 * the ring takes at most the largest snaplen, which holds every header
	 * the parsers read. */
	if (caplen > MAX_FRAME)
		caplen = MAX_FRAME;
	size_t need = rec_size(caplen);
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t at = tail % RING_SIZE;
	size_t wrap = at + need > RING_SIZE ? RING_SIZE - at : 0;
	while (tail + wrap + need - atomic_load_explicit(&r->head, memory_order_acquire) > RING_SIZE)
		sched_yield();                   /* the worker is behind: wait */
	if (wrap) {
		struct rec skip = { .caplen = SKIP };
		memcpy(r->buf + at, &skip, sizeof skip);
		tail += wrap;
		at = 0;
	}
	struct rec rc = { ts_ns, caplen, wirelen, (uint32_t)dlt, { 0, 0, 0 } };
	memcpy(r->buf + at, &rc, sizeof rc);
	memcpy(r->buf + at + sizeof rc, data, caplen);
	atomic_store_explicit(&r->tail, tail + need, memory_order_release);
}

void dispatch_finish(struct dispatch *d)
{
	if (!d)
		return;
	atomic_store_explicit(&d->done, true, memory_order_release);
	for (unsigned i = 0; i < d->n; i++) {
		if (d->rings[i].started)
			pthread_join(d->rings[i].thread, NULL);
		free(d->rings[i].buf);
	}
	free(d->rings);
	free(d);
}
