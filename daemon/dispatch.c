/* dispatch.c — frames to workers by a symmetric flow hash, over SPSC byte
 * rings (acquire/release on the two positions, nothing else shared). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

#include "affinity.h"
#include "decode.h"
#include "dispatch.h"
#include "flow.h"
#include "frag.h"
#include "khash.h"

#define RING_SIZE (8u << 20)      /* bytes per worker: ~10k full-size frames */
#define SKIP UINT32_MAX           /* caplen of a record that says "wrap to 0" */
#define MAX_FRAME 262144u         /* bytes of a frame kept: libpcap's usual largest snaplen */
#define FRAG_EXPIRE_BUDGET 4      /* datagrams given up per frame at most */

/* A record: this header, then the frame's bytes padded to a multiple of the
 * header's size. */
enum rec_kind {
	REC_FRAME,                /* a captured frame */
	REC_DATAGRAM,             /* an IP datagram reassembled here (raw IP) */
};

struct rec {
	uint64_t ts_ns;
	uint32_t caplen;
	uint32_t wirelen;
	uint32_t dlt;             /* link type of this frame */
	uint8_t kind;             /* enum rec_kind */
	uint8_t encap_depth;      /* REC_DATAGRAM: its fragments' encapsulation */
	uint8_t nencap;
	uint8_t pad;
	uint8_t encap[DECODE_MAX_ENCAP];
};

_Static_assert(sizeof(struct rec) % 16 == 0, "records stay 16-byte aligned");
_Static_assert(RING_SIZE % sizeof(struct rec) == 0, "records tile the ring");

struct ring {
	_Alignas(64) _Atomic uint64_t head;   /* consumer position */
	_Alignas(64) _Atomic uint64_t tail;   /* producer position */
	_Alignas(64) uint8_t *buf;
	struct worker *w;
	struct dispatch *d;
	const struct cpus *cpus;
	unsigned index;
	pthread_t thread;
	bool started;
};

struct dispatch {
	unsigned n;
	uint64_t seed[2];
	atomic_bool done;
	struct stats scratch;         /* the reader's own decode counts: not reported */
	struct packet pkt;
	/* Fragments are reassembled here, before the flow hash: a later
	 * fragment has no ports and would reach another worker than its
	 * flow's.  The table's counters join worker 0's at the end. */
	struct frag_table *frag;
	struct stats frag_stats;
	uint64_t now_ns;
	struct ring *rings;
};

/* Records are multiples of the header's size, so the room left before the
 * ring's end always holds at least a record header (for SKIP). */
static size_t rec_size(uint32_t caplen)
{
	const size_t a = sizeof(struct rec);
	return a + ((caplen + a - 1) / a) * a;
}

static void *consume(void *arg)
{
	struct ring *r = arg;
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	unsigned idle = 0;

	thread_name("c2w-worker", (int)r->index);
	cpus_pin_one(r->cpus, r->index);        /* best effort: the CPUs were checked at start */

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
			const uint8_t *bytes = r->buf + at + sizeof rc;
			if (rc.kind == REC_DATAGRAM) {
				struct frag_datagram dg = { bytes, rc.caplen, rc.encap_depth, rc.nencap, { 0 } };
				memcpy(dg.encap, rc.encap, sizeof dg.encap);
				worker_datagram(r->w, rc.ts_ns, &dg);
			} else {
				worker_packet(r->w, (int)rc.dlt, rc.ts_ns, bytes, rc.caplen, rc.wirelen);
			}
			head += rec_size(rc.caplen);
			atomic_store_explicit(&r->head, head, memory_order_release);
		}
	}
	return NULL;
}

struct dispatch *dispatch_start(struct worker *workers, unsigned n, const struct config *c,
				const struct cpus *cpus, char err[DISPATCH_ERR_MAX])
{
	struct dispatch *d = calloc(1, sizeof *d);
	struct frag_config gc = { c->frag_max, c->frag_bytes, c->frag_timeout };
	if (!d || !(d->rings = calloc(n, sizeof *d->rings)) ||
	    !(d->frag = frag_table_new(&gc, &d->frag_stats))) {
		if (d)
			free(d->rings);
		free(d);
		snprintf(err, DISPATCH_ERR_MAX, "out of memory");
		return NULL;
	}
	d->n = n;
	for (unsigned i = 0; i < n; i++)
		worker_reassembly_upstream(&workers[i]);
	khash_seed(d->seed, d);
	for (unsigned i = 0; i < n; i++) {
		struct ring *r = &d->rings[i];
		r->w = &workers[i];
		r->d = d;
		r->cpus = cpus;
		r->index = i;
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

/* Copy a record into worker i's ring, waiting for room. */
static void put(struct dispatch *d, unsigned i, const struct rec *rc, const uint8_t *data)
{
	struct ring *r = &d->rings[i];
	size_t need = rec_size(rc->caplen);
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
	memcpy(r->buf + at, rc, sizeof *rc);
	memcpy(r->buf + at + sizeof *rc, data, rc->caplen);
	atomic_store_explicit(&r->tail, tail + need, memory_order_release);
}

/* Frames that do not decode go to worker 0, which counts why. */
static unsigned owner(struct dispatch *d, enum decode_result res)
{
	return res == DECODE_SKIPPED ? 0 : (unsigned)(flow_hash(&d->pkt, d->seed) % d->n);
}

/* d->pkt is a fragment: a datagram it makes whole goes to the worker of its
 * flow as raw IP, after the fragment (which its worker counts).  One that
 * is a fragment again goes round once more, as in worker.c. */
static void reassemble(struct dispatch *d, uint64_t ts_ns)
{
	struct frag_datagram dg;
	for (int n = 0;; n++) {
		if (n == FRAG_MAX_NEST) {
			stat_inc(&d->frag_stats, ST_frag_too_deep);
			return;
		}
		if (!frag_add(d->frag, &d->pkt, &dg))
			return;
		enum decode_result res = frag_decode(&dg, ts_ns, &d->pkt, &d->scratch);
		struct rec rc = { .ts_ns = ts_ns, .caplen = dg.len, .wirelen = dg.len, .dlt = DLT_RAW,
				  .kind = REC_DATAGRAM, .encap_depth = dg.encap_depth,
				  .nencap = dg.nencap };
		memcpy(rc.encap, dg.encap, sizeof rc.encap);
		put(d, owner(d, res), &rc, dg.ip);
		if (res != DECODE_FRAGMENT)
			return;
	}
}

void dispatch_packet(struct dispatch *d, int dlt, uint64_t ts_ns, const uint8_t *data,
		     uint32_t caplen, uint32_t wirelen)
{
	if (ts_ns > d->now_ns)
		d->now_ns = ts_ns;
	frag_expire(d->frag, d->now_ns, FRAG_EXPIRE_BUDGET);
	enum decode_result res = decode_packet(dlt, data, caplen, &d->pkt, &d->scratch);
	d->pkt.ts_ns = ts_ns;

	/* libpcap hands over frames up to 128 MiB for some link types (D-Bus):
	 * the ring takes at most the largest snaplen, which holds every header
	 * the parsers read. */
	struct rec rc = { .ts_ns = ts_ns, .caplen = caplen > MAX_FRAME ? MAX_FRAME : caplen,
			  .wirelen = wirelen, .dlt = (uint32_t)dlt, .kind = REC_FRAME };
	put(d, owner(d, res), &rc, data);
	if (res == DECODE_FRAGMENT)
		reassemble(d, ts_ns);
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
	/* The workers are done: worker 0 takes the reassembly counters, so the
	 * totals are those of a single worker. */
	frag_flush(d->frag);
	if (d->n && d->rings[0].w)
		for (int i = 0; i < ST__COUNT; i++)
			if (!stat_info[i].gauge)
				stat_add(&d->rings[0].w->stats, (enum stat_id)i,
					 stat_get(&d->frag_stats, (enum stat_id)i));
	frag_table_free(d->frag);
	free(d->rings);
	free(d);
}
