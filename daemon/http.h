/* http.h — the HTTP API (libmicrohttpd, a thread per connection): alerts with
 * a cursor, filters and long-poll, an event stream, counters, rules, recent
 * names, Prometheus metrics, health.  It reads what the capture side
 * publishes and never makes the capture side wait. */
#ifndef C2W_HTTP_H
#define C2W_HTTP_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "alert.h"
#include "capture.h"
#include "config.h"
#include "recent.h"
#include "reload.h"
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
	const struct ruleset *rules;     /* when reload is NULL: fixed */
	struct reloader *reload;        /* the rules in force, and POST /api/v1/reload; NULL: none */
	struct recent *recent;          /* recent name sightings; NULL: none kept */
	const char *mode;               /* "live" or "replay" */
	const char *input;              /* interface or file */
	const char *version;
	uint64_t started_ns;            /* wall clock at start */
	uint64_t rules_loaded_ns;       /* wall clock when the rules were loaded */
	atomic_bool input_done;         /* replay finished (--serve) */
};

/* The rules in force (and when they were loaded), held until
 * http_view_rules_put(): a reload frees the old set only after. */
const struct ruleset *http_view_rules(const struct http_view *v, uint64_t *loaded_ns);
void http_view_rules_put(const struct http_view *v);

/* What the server itself counts, for /metrics. */
struct http_counters {
	_Atomic uint64_t requests;
	_Atomic uint64_t by_class[6];   /* responses by status class: [2] 2xx .. [5] 5xx */
	_Atomic uint64_t unauthorized;  /* 401s */
	_Atomic uint64_t streams;       /* event-stream clients now */
	_Atomic uint64_t streams_refused;
	_Atomic uint64_t gzip;          /* responses compressed */
};

struct http_server;

/* Listen on c->http_listen with c's access settings.  Refuses (NULL, err
 * set) a non-loopback address without a token file unless
 * http.allow-insecure-remote is set. */
struct http_server *http_start(const struct config *c, struct http_view *view,
			       char err[HTTP_ERR_MAX]);
/* Read the token file again (a reload: rotated tokens) and use it from the
 * next request on; -1 with err set and the old tokens kept.  Only for a
 * server started with tokens. */
int http_reload_tokens(struct http_server *h, const char *path, char err[HTTP_ERR_MAX]);

/* Ends long-polls and event streams, then the server. */
void http_stop(struct http_server *h);

/* Query parameters by name (NULL: absent): a connection's, or a plain
 * key/value table, so that the parsers are reachable without a server. */
struct http_args {
	const char *(*get)(void *ctx, const char *name);
	void *ctx;
};

/* The parameters of GET /api/v1/alerts (and, filters only, of the stream). */
struct http_alert_params {
	struct alert_query q;
	char src[INET6_ADDRSTRLEN];
	char name[256];
	uint64_t wait_s;
};

/* 0, or -1 with *bad naming the parameter and *why saying what it must be. */
int http_parse_alert_params(const struct http_args *a, struct http_alert_params *ap,
			    const char **bad, const char **why);
int http_parse_filters(const struct http_args *a, struct http_alert_params *ap, const char **bad,
		       const char **why);
/* GET /api/v1/names: name (required, lower-cased into name) and limit. */
int http_parse_names_params(const struct http_args *a, char name[256], uint64_t *limit,
			    const char **bad, const char **why);

/* Split "ADDR:PORT" / "[ADDR]:PORT" into host and port; -1 if malformed. */
int http_split_listen(const char *listen, char *host, size_t hostcap, char *port, size_t portcap);

/* A bounded text buffer (for /metrics). */
struct tbuf {
	char *p;
	size_t len, cap;
	bool overflow;
};
void tb_printf(struct tbuf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The Prometheus text exposition (format 0.0.4) of everything counted. */
void metrics_format(const struct http_view *v, const struct http_counters *hc, struct tbuf *t);

#endif
