/* reload.h — hot reload of the configuration and the rules (SIGHUP, POST
 * /api/v1/reload).
 *
 * The new rule set is built on the side (the reload thread for SIGHUP, the
 * HTTP thread for POST), never on a worker.  It is published through one
 * atomic pointer that every worker reads between batches (worker.h,
 * worker_rules_sync); the old set is freed by the reload thread once no
 * worker holds it any more (each worker publishes the set it uses).  Until
 * then both sets are in memory: a reload needs room for two matchers.
 *
 * One reload at a time: another one asked for over HTTP while one is built
 * is refused (409); SIGHUPs wait their turn.  A file with an error changes nothing. */
#ifndef C2W_RELOAD_H
#define C2W_RELOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "rules.h"

struct worker;
struct jbuf;

#define RELOAD_ERR_MAX 1024
#define RELOAD_NOTE_MAX 1024

/* What the daemon does around a reload, given by main.c. */
struct reload_hooks {
	/* A fresh configuration, as at startup: defaults, the config file,
	 * then the command line's flags over it, checked.  -1 with err set. */
	int (*load_config)(void *ctx, struct config *out, char err[CONFIG_ERR_MAX]);
	/* Settings applied live besides the rules (the HTTP tokens, the alert
	 * dedup window), from the new configuration: all or nothing, -1 with
	 * err set and nothing changed.  NULL: none. */
	int (*apply)(void *ctx, const struct config *running, const struct config *next,
		     char err[RELOAD_ERR_MAX]);
	/* Once no worker uses old any more, before it is freed: whatever
	 * still points into it moves to next (the alert store's open dedup
	 * windows hold rule names).  NULL: nothing. */
	void (*retire)(void *ctx, const struct ruleset *old, const struct ruleset *next);
	void *ctx;
};

/* The outcome of one reload, for the log and the HTTP answer. */
struct reload_result {
	unsigned status;               /* HTTP status: 200, 409 busy, 422 a file's error, 500 */
	char error[RELOAD_ERR_MAX];    /* "file:line:col: what" unless 200 */
	char restart[RELOAD_NOTE_MAX]; /* settings changed that need a restart, ", "-joined */
	char applied[RELOAD_NOTE_MAX]; /* other settings applied: "http.tokens", ... */
	size_t rules, domains;
	double seconds;                /* the whole reload: config, rules, swap */
	double load_seconds;           /* of which loading the rules and lists */
	uint64_t at_ns;                /* wall clock when it ended */
};

struct reloader;

/* Start the reload thread.  running is the configuration in force (the
 * reloader keeps it up to date with what a reload applies), rs the rule set
 * loaded at start (the reloader owns it from now), workers those that
 * will read it.  NULL when out of memory. */
struct reloader *reload_start(struct config *running, struct ruleset *rs, uint64_t loaded_ns,
			      struct worker *workers, unsigned nworkers,
			      const struct reload_hooks *hooks);

/* Ask the reload thread for a reload (SIGHUP).  Async-signal-safe. */
void reload_request(struct reloader *r);

/* Reload now, on the calling thread (HTTP); res says how it went.  409
 * when a reload is under way, or when the previous one's rule set is still
 * in use after a wait of 2 s. */
void reload_run(struct reloader *r, const char *why, struct reload_result *res);

/* The rule set in force, for readers off the packet path (HTTP): held
 * until reload_put(), a reload's swap waits for it. */
const struct ruleset *reload_hold(struct reloader *r, uint64_t *loaded_ns);
void reload_put(struct reloader *r);

/* Counters and the last reload, for /api/v1/stats, /metrics and /rules. */
struct reload_status {
	uint64_t reloads;              /* reloads that took effect */
	uint64_t failures;             /* reloads refused for an error (409s are not counted) */
	uint64_t last_ns;              /* when the last one ended, 0: none yet */
	bool last_ok;
	char last_error[RELOAD_ERR_MAX];
};
void reload_status(struct reloader *r, struct reload_status *st);

/* JSON members "reloads", "reload_failures", "last_reload" for the stats. */
void reload_status_json(struct reloader *r, struct jbuf *j);

/* The result as a JSON object (the body of POST /api/v1/reload): what was
 * loaded, or {"error":{"status":N,"message":"file:line:col: what"}}. */
void reload_result_json(const struct reload_result *res, struct jbuf *j);

/* Stop the thread; free both rule sets once the workers are done (call
 * after they stopped). */
void reload_stop(struct reloader *r);

#endif
