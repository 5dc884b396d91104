/* alert.h — the in-memory alert ring the HTTP API reads.
 *
 * Alert ids are assigned here, monotonic from 1, in the order alerts are
 * stored, so a poller's `since` cursor never skips or repeats one.  The text
 * of each alert lives in one byte ring (about ALERT_AVG_BYTES per alert), so
 * a long alert costs its length and memory is fixed by configuration.  The
 * lock is held only to format one alert into the ring, or to copy one page
 * of alerts out: never across an HTTP client's network I/O. */
#ifndef C2W_ALERT_H
#define C2W_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ALERT_AVG_BYTES 1024   /* ring bytes per alert of alerts.ring */

struct alert_store;

/* Formats an alert with the given id into buf (cap bytes), returns its length
 * (0 on failure: the id is still used, no text is kept). */
typedef size_t (*alert_fmt_fn)(void *ctx, uint64_t id, char *buf, size_t cap);

/* Room for `capacity` alerts of ALERT_AVG_BYTES on average. */
struct alert_store *alert_store_new(uint32_t capacity);
void alert_store_free(struct alert_store *s);

/* What an alert is about, kept beside its text so that queries filter
 * without parsing JSON. */
struct alert_meta {
	uint64_t ts_ns;              /* the packet's time */
	uint32_t rule_id;            /* signature_id */
	uint8_t severity;            /* 1 high, 2 medium, 3 low, 4 info */
	char src[46];                /* source address, as text */
	char name[256];              /* the name that matched, as seen (NUL-terminated) */
};

/* Store one alert; returns its id.  The text is also left in buf (*len
 * bytes) for the caller's own output. */
uint64_t alert_store_add(struct alert_store *s, const struct alert_meta *meta,
			 alert_fmt_fn fn, void *ctx, char *buf, size_t cap, size_t *len);

struct alert_page {
	uint64_t first_id;   /* oldest id still held (0 if none) */
	uint64_t last_id;    /* newest id assigned (0 if none) */
	uint64_t next;       /* cursor for the next call: the last id returned, or since */
	uint64_t missed;     /* alerts after `since` that have left the ring */
	size_t count;        /* alerts returned */
};

/* Up to limit alerts with id > since, oldest first, as JSON array elements
 * joined by commas, in a malloc'd buffer of *len bytes (NULL when out of
 * memory; an empty page is "" not NULL). */
char *alert_store_page(struct alert_store *s, uint64_t since, size_t limit,
		       struct alert_page *pg, size_t *len);

/* A query: alerts with id > since (oldest first), or with id < before
 * (newest first; before 0: from the newest), that pass every filter set. */
struct alert_query {
	uint64_t since;
	uint64_t before;
	size_t limit;
	bool newest_first;
	uint8_t severity_max;        /* 0: any; else severity <= this (1: high only) */
	uint32_t rule_id;            /* 0: any */
	const char *src;             /* NULL: any; else the source address, as text */
	const char *name_suffix;     /* NULL: any; else the name or one below it */
	uint64_t from_ns, to_ns;     /* packet time range, 0: open */
};

/* alert_store_page() with filters and either order; pg->next is the cursor
 * to pass on (since, or before when newest first). */
char *alert_store_query(struct alert_store *s, const struct alert_query *q,
			struct alert_page *pg, size_t *len);

/* Block until an alert with id > since is stored or timeout_ms passes
 * (long-poll, server-sent events); returns the newest id. */
uint64_t alert_store_wait(struct alert_store *s, uint64_t since, unsigned timeout_ms);

uint64_t alert_store_last_id(struct alert_store *s);

/* The store's health, for /healthz, /api/v1/stats and /metrics. */
struct alert_store_health {
	uint64_t stored;             /* alerts stored (ids assigned) since start */
	uint64_t written;            /* alerts appended to the alert log */
	uint64_t write_errors;       /* appends that failed (disk full, ...): kept in memory */
	uint64_t rotations;          /* alert log files rotated */
	uint64_t deduplicated;       /* repeats folded into an earlier alert */
	uint64_t loaded;             /* alerts loaded back from the log at start */
	uint64_t torn;               /* log lines skipped at load (torn by a crash) */
	bool log_ok;                 /* false while the log cannot be written */
	char last_error[128];        /* why, when !log_ok ("" otherwise) */
};

void alert_store_health(struct alert_store *s, struct alert_store_health *out);

#endif
