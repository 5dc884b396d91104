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

/* Store one alert; returns its id.  The text is also left in buf (*len
 * bytes) for the caller's own output. */
uint64_t alert_store_add(struct alert_store *s, alert_fmt_fn fn, void *ctx,
			 char *buf, size_t cap, size_t *len);

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

uint64_t alert_store_last_id(struct alert_store *s);

#endif
