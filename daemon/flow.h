/* flow.h — the bidirectional flow table.
 *
 * Preallocated: a pool of struct flow sized by configuration, never grown.  The
 * key is direction-independent (the lower address/port pair first) and hashed
 * with a random seed, so both directions of a connection land on one entry and
 * the bucket of a key cannot be predicted from the wire.  Insert, lookup and
 * removal are O(1); each protocol class keeps its flows on a list in order of
 * last activity, so expiry and eviction take the list head in O(1).
 *
 * The hash is symmetric: flow_hash() can later pick a worker for a packet so
 * that both directions of a flow meet in one worker. */
#ifndef C2W_FLOW_H
#define C2W_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "stats.h"
#include "stream.h"

enum flow_class { FC_TCP, FC_UDP, FC_OTHER, FC__COUNT };

enum flow_app { APP_NONE, APP_DNS, APP_TLS, APP_QUIC, APP_MDNS, APP_LLMNR };

struct flow_key {
	uint8_t addr[2][16];
	uint16_t port[2];
	uint8_t proto;
	uint8_t family;
	uint8_t pad[2];
};

struct flow {
	/* what every packet reads: the first cache line */
	struct flow_key key;
	uint32_t hnext;              /* hash chain (pool index + 1, 0 ends) */
	uint8_t client;              /* which key side (0/1) is the client */
	uint8_t cls;                 /* enum flow_class */
	uint8_t app;                 /* enum flow_app */
	uint8_t in_use;
	uint64_t last_ns;
	uint64_t listed_ns;          /* when it last moved to its list's tail */
	/* counters and list links */
	uint64_t pkts[2], bytes[2];  /* [0] client → server, [1] server → client */
	uint64_t id;                 /* flow_id in events: unique, deterministic in replay */
	uint64_t first_ns;
	uint32_t lprev, lnext;       /* activity list of its class (index + 1) */
	struct stream_dir dir[2];    /* per-direction TCP reassembly and parser state */
	uint8_t nencap;              /* the encapsulation its first packet came in */
	uint8_t encap[DECODE_MAX_ENCAP];
};

struct flow_config {
	uint32_t max;
	uint32_t timeout_s[FC__COUNT];
	uint32_t id_first;           /* flow ids: id_first, id_first + id_step, ... */
	uint32_t id_step;            /* (workers number their flows apart) */
};

struct flow_table;

/* Called for a flow about to be removed (expired or evicted), so its owner
 * can give back stream buffers. */
typedef void (*flow_release_fn)(void *ctx, struct flow *f);

struct flow_table *flow_table_new(const struct flow_config *cfg, struct stats *st,
				  flow_release_fn release, void *ctx);
void flow_table_free(struct flow_table *t);

/* Find or create the flow of p.  *dir is 0 when p travels client → server.
 * *created tells a new flow.  When the table is full the least recently
 * active flow is evicted.  Updates the counters and the activity order. */
struct flow *flow_get(struct flow_table *t, const struct packet *p, int *dir, bool *created);

/* A packet's lookup prepared ahead of it: the canonical key and its hash.
 * A batch prepares every packet (prefetching its bucket), then prefetches
 * every chain head, then looks up: the misses to memory overlap instead of
 * coming one after another. */
struct flow_ref {
	struct flow_key key;
	uint64_t hash;
	int side;
};

void flow_prepare(struct flow_table *t, const struct packet *p, struct flow_ref *r);
void flow_prefetch(struct flow_table *t, const struct flow_ref *r);
/* flow_get() with r from flow_prepare() of the same packet. */
struct flow *flow_get_ref(struct flow_table *t, const struct packet *p, const struct flow_ref *r,
			  int *dir, bool *created);

/* Expire flows idle longer than their timeout at time now_ns; at most budget
 * flows per call, so one call never stalls the packet loop. */
unsigned flow_expire(struct flow_table *t, uint64_t now_ns, unsigned budget);

/* Remove every flow (shutdown). */
void flow_flush(struct flow_table *t);

/* The direction-independent hash of p's flow under a seed: both directions
 * of a flow give the same value (to pick the worker that owns it). */
uint64_t flow_hash(const struct packet *p, const uint64_t seed[2]);

#endif
