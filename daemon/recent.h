/* recent.h — a bounded window of recent name sightings (name, kind, src,
 * dst, ports, direction, time, flow id) for GET /api/v1/names and /api/v1/top.
 *
 * One ring per worker, written only by that worker, read by the HTTP side
 * without a lock: each slot carries a sequence number (odd while being
 * written), and a reader keeps a copy only if the number was even and the
 * same before and after it read the slot (a seqlock).  The slot's words are
 * relaxed atomics, so the race the sequence number resolves is a defined
 * one.  The worker never waits for a reader. */
#ifndef C2W_RECENT_H
#define C2W_RECENT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define RECENT_NAME_MAX 254      /* a 253-byte name and its NUL */

/* One sighting, as the HTTP side gets it. */
struct recent_rec {
	uint64_t ts_ns;              /* the packet's time */
	uint64_t flow_id;
	uint8_t kind;                /* enum name_kind: 0 dns, 1 tls, 2 quic */
	uint8_t family;              /* 4 or 6 */
	uint8_t dir;                 /* 0: client to server (src is the client) */
	uint8_t pad;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
	uint16_t name_len;
	uint8_t pad2[6];             /* the name starts on a word */
	char name[RECENT_NAME_MAX];  /* NUL-terminated */
};

#define RECENT_WORDS ((sizeof(struct recent_rec) + 7) / 8)

struct recent_slot {
	_Atomic uint64_t seq;        /* 0: never written; odd: being written */
	_Atomic uint64_t w[RECENT_WORDS];
};

struct recent_ring {
	struct recent_slot *slots;
	uint32_t cap;                /* a power of two */
	uint64_t next;               /* writer's own: sightings written so far */
	_Atomic uint64_t written;    /* the same, published for readers */
};

struct recent {
	struct recent_ring *rings;
	unsigned nrings;
	uint32_t per_ring;
};

/* `total` slots shared out among `nrings` rings (one per worker), each
 * rounded down to a power of two. */
struct recent *recent_new(unsigned nrings, uint32_t total);
void recent_free(struct recent *r);

/* The worker's side: copy one sighting into its ring (no lock, no syscall,
 * no allocation).  The name is cut at RECENT_NAME_MAX - 1 bytes. */
void recent_put(struct recent_ring *ring, uint64_t ts_ns, uint64_t flow_id, unsigned kind,
		unsigned family, unsigned dir, const uint8_t src[16], const uint8_t dst[16],
		uint16_t sport, uint16_t dport, const char *name, size_t len);

/* The reader's side: copy out the sightings held (every ring), at most cap,
 * in no particular order, names lower-cased; returns how many. */
size_t recent_snapshot(const struct recent *r, struct recent_rec *out, size_t cap);

/* Slots in all (the most a snapshot returns). */
size_t recent_capacity(const struct recent *r);

#endif
