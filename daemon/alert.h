/* alert.h — the in-memory alert ring the HTTP API reads.
 *
 * Alert ids are assigned here, monotonic from 1, in the order alerts are
 * stored, so a poller's `since` cursor never skips or repeats one.  The lock
 * is held only to format one alert into its slot or to copy slots out: the
 * capture path never waits on an HTTP client's network I/O. */
#ifndef C2W_ALERT_H
#define C2W_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

#define ALERT_SLOT 3072     /* bytes of one alert's JSON line */

struct alert_store;

/* Formats an alert with the given id into buf (cap bytes), returns its length
 * (0 on failure: the id is still used and counted as lost). */
typedef size_t (*alert_fmt_fn)(void *ctx, uint64_t id, char *buf, size_t cap);

struct alert_store *alert_store_new(uint32_t capacity);
void alert_store_free(struct alert_store *s);

/* Store one alert; returns its id. The text is also left in buf for the caller. */
uint64_t alert_store_add(struct alert_store *s, alert_fmt_fn fn, void *ctx,
			 char *buf, size_t cap, size_t *len);

struct alert_page {
	uint64_t first_id;   /* oldest id still held (0 if none) */
	uint64_t last_id;    /* newest id assigned (0 if none) */
	uint64_t next;       /* cursor for the next call: the last id returned, or since */
	uint64_t missed;     /* alerts after `since` that have left the ring */
	size_t count;        /* alerts written to out */
};

/* Append, as JSON array elements, up to limit alerts with id > since, oldest
 * first, to out. */
void alert_store_since(struct alert_store *s, uint64_t since, size_t limit,
		       struct jbuf *out, struct alert_page *pg);

uint64_t alert_store_last_id(struct alert_store *s);

#endif
