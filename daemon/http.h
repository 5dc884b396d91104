/* http.h — the HTTP API (libmicrohttpd, its own thread): alerts with a
 * cursor, counters, health.  It reads what the capture side publishes and
 * never makes the capture side wait. */
#ifndef C2W_HTTP_H
#define C2W_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "alert.h"
#include "capture.h"
#include "rules.h"
#include "stats.h"
#include "worker.h"

#define HTTP_ERR_MAX 512

struct http_view {
	struct alert_store *store;
	const struct stats *const *stats; /* one per worker, summed */
	unsigned nstats;
	struct capture *const *caps;     /* one per live worker (or the replay) */
	unsigned ncaps;
	unsigned workers;
	const struct ruleset *rules;
	const char *mode;               /* "live" or "replay" */
	const char *input;              /* interface or file */
	uint64_t started_ns;            /* wall clock at start */
	atomic_bool input_done;         /* replay finished (--serve) */
};

struct http_server;

struct http_server *http_start(const char *listen, struct http_view *view,
			       char err[HTTP_ERR_MAX]);
void http_stop(struct http_server *h);

/* Split "ADDR:PORT" / "[ADDR]:PORT" into host and port; -1 if malformed. */
int http_split_listen(const char *listen, char *host, size_t hostcap, char *port, size_t portcap);

#endif
