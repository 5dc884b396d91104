/* worker.h — one packet path: decode → flow → stream → DNS/TLS/QUIC → match →
 * events.  A worker owns its flows, stream buffers, counters and scratch
 * space; nothing on its per-packet path allocates or takes a lock held by
 * the HTTP side for longer than one alert copy. */
#ifndef C2W_WORKER_H
#define C2W_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "alert.h"
#include "config.h"
#include "decode.h"
#include "dns.h"
#include "flow.h"
#include "frag.h"
#include "recent.h"
#include "rules.h"
#include "stats.h"
#include "stream.h"

#define WORKER_LINE 16384         /* one JSON line: a 253-byte name escaped to
				   * 6 bytes a byte, rule texts, with room */
#define WORKER_MAX_HITS 8         /* rules alerted per name */
#define WORKER_LOOKUP_HITS 64     /* hits asked of the matcher, to count those capped */
#define WORKER_MAX_SNI 4          /* server names reported per ClientHello */
#define WORKER_BATCH 16           /* frames decoded and prefetched together */

/* A captured frame handed to a worker; data stays put until it returns. */
struct frame {
	uint64_t ts_ns;
	const uint8_t *data;
	uint32_t caplen;
	uint32_t wirelen;
};

/* Where events go, shared by the workers.  A line is written whole under
 * the lock (taken only when a name or an alert is written, never per
 * packet), which also keeps the files still while SIGHUP reopens them. */
struct sink {
	pthread_mutex_t lock;
	FILE *alerts;                 /* NULL: none; read under the lock */
	FILE *names;                  /* NULL: none; read under the lock */
	bool alerts_on, names_on;     /* set before any worker starts, then constant */
	struct alert_store *store;
	struct recent *recent;        /* names seen lately, for the API; NULL: none */
};

struct worker {
	struct stats stats;
	struct flow_table *flows;
	struct frag_table *frag;      /* NULL: fragments are reassembled upstream (dispatch.c) */
	struct stream_pool *streams;
	struct match_memo *memo;      /* names that matched nothing, recently */
	struct quic_ctx *quic;        /* QUIC Initial decryption: contexts and buffer */
	const struct ruleset *rules;
	/* hot reload (reload.c): the set in force, read between batches, and
	 * the one this worker uses (NULL: stopped), read by the reloader to
	 * know when an old set can be freed */
	_Atomic(const struct ruleset *) *rules_current;
	_Atomic(const struct ruleset *) rules_in_use;
	struct sink *sink;
	struct recent_ring *recent;   /* this worker's ring of sink->recent, or NULL */
	uint64_t now_ns;              /* time of the newest packet */

	/* the packet being inspected, for the parser callbacks */
	struct packet pkt;
	struct flow *flow;
	int dir;
	unsigned questions;           /* of the DNS message being read */
	uint32_t quic_version;        /* of the QUIC Initial being read */
	struct dns_answers answers;   /* its answer section */
	bool mdns_on, llmnr_on;       /* dns.mdns, dns.llmnr */
	bool alerts_unflushed;

	/* a batch, decoded ahead of inspection */
	struct packet batch_pkt[WORKER_BATCH];
	struct flow_ref batch_ref[WORKER_BATCH];
	uint8_t batch_ok[WORKER_BATCH];   /* enum decode_result */

	/* server names of the ClientHello being parsed, reported once it is
	 * read whole (the version is known only then) */
	struct { const char *name; size_t len; } sni[WORKER_MAX_SNI];
	size_t nsni;

	uint8_t scratch[1 << 16];     /* ClientHello records joined */
	char line[WORKER_LINE];
	/* names-log lines gathered here and written a block at a time, so the
	 * shared output's lock is taken once per block, not once per name */
	char names_out[1 << 16];
	size_t names_len;
};

/* Worker `index` of `count` (flow ids are numbered apart). */
int worker_init(struct worker *w, const struct config *c, const struct ruleset *rs,
		struct sink *sink, unsigned index, unsigned count);
void worker_free(struct worker *w);

/* Take up the rule set a reload swapped in, between packets: one atomic
 * load, no lock.  The store of the set in use is a release: every read of
 * the old set comes before it, so the reloader may free it once seen. */
static inline void worker_rules_sync(struct worker *w)
{
	if (!w->rules_current)
		return;
	const struct ruleset *rs = atomic_load_explicit(w->rules_current, memory_order_acquire);
	if (rs != w->rules) {
		w->rules = rs;     /* the memo starts afresh: it is bound to a matcher id */
		atomic_store_explicit(&w->rules_in_use, rs, memory_order_release);
	}
}

/* Inspect one captured frame of link type dlt. */
void worker_packet(struct worker *w, int dlt, uint64_t ts_ns,
		   const uint8_t *data, uint32_t caplen, uint32_t wirelen);

/* Inspect n frames (at most WORKER_BATCH at a time are overlapped), in order:
 * the same result as worker_packet() on each, with the flow table's misses
 * to memory overlapped. */
void worker_packets(struct worker *w, int dlt, const struct frame *f, size_t n);

/* Fragments reach this worker already reassembled, through
 * worker_datagram(): it counts the fragments it is given, and keeps no
 * reassembly table of its own. */
void worker_reassembly_upstream(struct worker *w);

/* Inspect an IP datagram that the dispatcher reassembled at time ts_ns.
 * Not a captured frame: the packet and byte counters leave it out. */
void worker_datagram(struct worker *w, uint64_t ts_ns, const struct frag_datagram *d);

/* Expire idle flows as of now_ns, when no packet has moved time on (live
 * capture on a quiet link; called with wall time), and write out the names
 * gathered so far. */
void worker_tick(struct worker *w, uint64_t now_ns);

/* End of input: give up incomplete fragmented datagrams (counted), write
 * out what is gathered.  Flows stay as they are (flows_active says how
 * many) until worker_free(). */
void worker_finish(struct worker *w);

#endif
