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
	const char *signature;       /* the rule's name (NULL: none), for dedup summaries;
				      * must outlive the store */
	int32_t throttle_s;          /* dedup window of this rule: 0 the store's, < 0 off */
};

/* Store one alert; returns its id.  The text is also left in buf (*len
 * bytes) for the caller's own output.  Returns 0 (and *len 0) when the alert
 * is a repeat folded by deduplication: nothing is stored or to be output. */
uint64_t alert_store_add(struct alert_store *s, const struct alert_meta *meta,
			 alert_fmt_fn fn, void *ctx, char *buf, size_t cap, size_t *len);

struct alert_page {
	uint64_t first_id;   /* oldest id still held (0 if none) */
	uint64_t last_id;    /* newest id assigned (0 if none) */
	uint64_t next;       /* cursor for the next call: the last id returned, or since */
	uint64_t missed;     /* alerts after `since` that have left the ring */
	size_t count;        /* alerts returned */
	size_t scanned;      /* alerts examined (alert_store_query: at most ALERT_QUERY_SCAN) */
	bool more;           /* alert_store_query: ids beyond next remain to be examined */
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

/* alert_store_page() with filters and either order.  At most
 * ALERT_QUERY_SCAN held alerts are examined per call, so that a filter
 * matching nothing cannot hold the lock over a whole ring; pg->next says how
 * far the call got and is the cursor to pass on:
 *   oldest first: the newest id examined (or since, or first_id - 1 after
 *     missed ones); pass it as since.
 *   newest first: the oldest id examined (or before when none); pass it as
 *     before.  pg->more is false once the oldest held alert was examined.
 * Alerts examined and not matching are never examined again by a caller
 * that passes next on: a page may hold fewer than limit alerts and yet
 * pg->more be true. */
#define ALERT_QUERY_SCAN 65536
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
	uint64_t log_missed;         /* alerts that left the ring before the log could take them */
	uint64_t dedup_summaries;    /* summary alerts stored (count > 1) */
	uint64_t dedup_evicted;      /* windows closed early: the dedup table was full */
	bool log_enabled;            /* an alert log is configured */
	uint64_t written_id;         /* alerts up to this id are in the log file (0: none yet) */
	uint64_t synced_id;          /* ... and fsync'd to the disk (alert-log fsync) */
};

void alert_store_health(struct alert_store *s, struct alert_store_health *out);

/* The same as "alert_store": {...} in a JSON object being written (at most
 * 700 bytes). */
struct jbuf;
void alert_store_health_json(struct alert_store *s, struct jbuf *j);

/* ---- for the alert log (alertlog.c) and dedup ---- */

/* Put an alert read back from the log into the ring at start: ids must come
 * in increasing order, above any held; ids skipped are gaps.  The text is a
 * JSON line.  Returns 0, -1 when the id is not above the newest. */
int alert_store_restore(struct alert_store *s, uint64_t id, const struct alert_meta *meta,
			const char *text, size_t len);

/* Copy the texts of alerts with id > since, oldest first, whole lines, into
 * buf (at most cap bytes); *next: the last id copied or passed over (since
 * when none); *missed: ids after since that have left the ring.  Returns the
 * bytes copied. */
size_t alert_store_lines(struct alert_store *s, uint64_t since, char *buf, size_t cap,
			 uint64_t *next, uint64_t *missed);

/* Added to alert_store_health() by whoever writes the log (called outside
 * the store lock). */
typedef void (*alert_health_fn)(void *ctx, struct alert_store_health *out);
void alert_store_set_health_fn(struct alert_store *s, alert_health_fn fn, void *ctx);

/* Deduplication: alerts for the same (rule, source, name) within window_s
 * seconds of packet time of the first become one: the first is stored at
 * once, the repeats are counted, and when the window closes a summary alert
 * (a new id: "count", "first_seen", "last_seen", "first_alert_id") is stored
 * if there were repeats.  0: off (the default of a new store). */
int alert_store_set_dedup(struct alert_store *s, uint32_t window_s, uint32_t table_size);

/* Change the dedup window (a reload): windows open now keep their end.
 * -1 when deduplication was off at start (no table: set it up first). */
int alert_store_set_dedup_window(struct alert_store *s, uint32_t window_s);

/* A reload retires a rule set: open dedup windows hold its rule names.  Each
 * takes the name that name_of gives for its rule id in the new set, or, when
 * that is NULL (the rule is gone), closes now (its summary written with the
 * old name, still valid during the call). */
void alert_store_rebind(struct alert_store *s, const char *(*name_of)(void *ctx, uint32_t rule_id),
			void *ctx);

/* Hand every dedup summary's text (a JSON line) to fn as it is stored, under
 * the store's lock (fn may take locks the store never waits on from under
 * them: the output sink's).  For the --alerts stream, which workers write. */
typedef void (*alert_line_fn)(void *ctx, const char *line, size_t len);
void alert_store_set_summary_fn(struct alert_store *s, alert_line_fn fn, void *ctx);

/* Close the dedup windows that ended by now_ns (0: the newest packet time
 * seen), examining at most a bounded part of the table; all: every window,
 * at once (shutdown).  Returns the summaries stored. */
size_t alert_store_dedup_tick(struct alert_store *s, uint64_t now_ns, bool all);

/* Wake alert_store_wait() callers (shutdown of the log writer). */
void alert_store_kick(struct alert_store *s);

#endif
