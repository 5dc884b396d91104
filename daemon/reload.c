/* reload.c — hot reload: a new configuration and rule set built on the side,
 * swapped in through one atomic pointer, the old set freed once every worker
 * has moved on. */
#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "affinity.h"
#include "eve.h"
#include "json.h"
#include "log.h"
#include "reload.h"
#include "worker.h"

#define QUIESCE_POLL_MS 5         /* how often the reloader looks at the workers */
#define RETIRE_WAIT_S 2           /* a reload over HTTP waits this long for the previous
				   * one's set to be freed, then answers 409 */

struct reloader {
	struct config *cfg;                    /* running; rule paths kept up to date */
	struct reload_hooks hooks;
	struct worker *workers;
	unsigned nworkers;

	_Atomic(const struct ruleset *) current;   /* what workers read */
	pthread_rwlock_t hold;                 /* readers off the packet path (HTTP) */
	struct ruleset *rules;                 /* == current; written under hold */
	uint64_t loaded_ns;                    /* under hold */

	pthread_mutex_t lock;                  /* what follows */
	pthread_cond_t changed;
	bool busy;                             /* a reload, or its retirement, under way */
	struct ruleset *retired;               /* old set waiting for the workers */
	bool stopping;
	uint64_t reloads, failures, last_ns;
	bool last_ok;
	char last_error[RELOAD_ERR_MAX];

	atomic_int hup;                        /* SIGHUP asked for a reload */
	sem_t wake;                            /* posted by the signal handler too */
	pthread_t thread;
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- settings that need a restart ---- */

#define U32(key, field) { key, offsetof(struct config, field), 'u' }
#define BOOLEAN(key, field) { key, offsetof(struct config, field), 'b' }
#define STR(key, field) { key, offsetof(struct config, field), 's' }

/* Everything fixed at start: sizes preallocated, sockets, files, threads.
 * The rules and lists, http.tokens and alerts.dedup.window are applied. */
static const struct restart_key {
	const char *key;
	size_t off;
	char type;
} restart_keys[] = {
	STR("capture.interface", interface), STR("replay file (-r)", read_file),
	U32("capture.snaplen", snaplen), U32("capture.buffer-size", buffer_size),
	BOOLEAN("capture.promiscuous", promiscuous), STR("capture.filter", bpf),
	U32("capture.workers", workers), U32("flow.max", flow_max),
	U32("flow.tcp-timeout", timeout_tcp), U32("flow.udp-timeout", timeout_udp),
	U32("flow.other-timeout", timeout_other), U32("stream.depth", stream_depth),
	U32("stream.buffers", stream_buffers), U32("frag.max-datagrams", frag_max),
	U32("frag.max-bytes", frag_bytes), U32("frag.timeout", frag_timeout),
	BOOLEAN("dns.mdns", dns_mdns), BOOLEAN("dns.llmnr", dns_llmnr),
	STR("output.alerts", alerts_path), STR("output.names", names_path),
	U32("alerts.ring", alert_ring), STR("alerts.log.path", alert_log_path),
	U32("alerts.log.fsync", alert_log_fsync),
	U32("alerts.log.fsync-interval", alert_log_fsync_interval),
	U32("alerts.log.rotate-size", alert_log_rotate_size),
	U32("alerts.log.rotate-age", alert_log_rotate_age), U32("alerts.log.keep", alert_log_keep),
	U32("alerts.dedup.table", alert_dedup_table), BOOLEAN("http.enabled", http_enabled),
	STR("http.listen", http_listen),
	BOOLEAN("http.allow-insecure-remote", http_insecure_remote),
	STR("http.tls-cert", http_tls_cert), STR("http.tls-key", http_tls_key),
	STR("http.cors-origin", http_cors_origin), U32("http.max-connections", http_max_conns),
	U32("http.max-per-ip", http_max_per_ip), U32("http.timeout", http_timeout),
	U32("http.max-streams", http_max_streams), U32("http.names-window", http_names_window),
	STR("cpu-affinity.workers", worker_cpus), STR("cpu-affinity.management", management_cpus),
	STR("privileges.user", priv_user), STR("privileges.group", priv_group),
	STR("privileges.chroot", priv_chroot), BOOLEAN("privileges.allow-root", priv_allow_root),
	U32("privileges.seccomp", priv_seccomp),
};

static bool key_differs(const struct restart_key *k, const struct config *a, const struct config *b)
{
	const char *pa = (const char *)a + k->off, *pb = (const char *)b + k->off;
	if (k->type == 'u')
		return *(const uint32_t *)(const void *)pa != *(const uint32_t *)(const void *)pb;
	if (k->type == 'b')
		return *(const bool *)(const void *)pa != *(const bool *)(const void *)pb;
	const char *sa = *(char *const *)(const void *)pa, *sb = *(char *const *)(const void *)pb;
	return strcmp(sa ? sa : "", sb ? sb : "") != 0;
}

static void note(char *buf, const char *what)
{
	size_t n = strlen(buf);
	snprintf(buf + n, RELOAD_NOTE_MAX - n, "%s%s", n ? ", " : "", what);
}

static void swap_str(char **a, char **b)
{
	char *t = *a;
	*a = *b;
	*b = t;
}

/* The rule and list paths, and the settings applied live, move from next
 * into the running configuration (next keeps the old ones, to be freed). */
static void adopt(struct config *running, struct config *next)
{
	for (size_t i = 0; i < CONFIG_MAX_PATHS; i++) {
		swap_str(&running->rule_paths[i], &next->rule_paths[i]);
		swap_str(&running->rule_where[i], &next->rule_where[i]);
		swap_str(&running->list_paths[i], &next->list_paths[i]);
		swap_str(&running->list_where[i], &next->list_where[i]);
	}
	size_t n = running->nrule_paths;
	running->nrule_paths = next->nrule_paths;
	next->nrule_paths = n;
	n = running->nlist_paths;
	running->nlist_paths = next->nlist_paths;
	next->nlist_paths = n;
	if (running->http_tokens[0] && next->http_tokens[0])
		swap_str(&running->http_tokens, &next->http_tokens);
	running->alert_dedup_window = next->alert_dedup_window;
}

/* ---- the reload ---- */

static void finish(struct reloader *r, struct reload_result *res, const char *why)
{
	res->at_ns = clock_ns(CLOCK_REALTIME);
	pthread_mutex_lock(&r->lock);
	if (res->status == 200) {
		r->reloads++;
		r->last_ok = true;
		r->last_error[0] = '\0';
	} else {
		r->failures++;
		r->last_ok = false;
		snprintf(r->last_error, sizeof r->last_error, "%s", res->error);
	}
	r->last_ns = res->at_ns;
	pthread_mutex_unlock(&r->lock);
	if (res->status == 200) {
		log_info("reload (%s): %zu rules, %zu domains, loaded in %.3f s", why, res->rules,
			 res->domains, res->load_seconds);
		if (res->applied[0])
			log_info("reload (%s): applied %s", why, res->applied);
		if (res->restart[0])
			log_warn("reload (%s): changed, needs a restart: %s", why, res->restart);
	} else {
		log_error("reload (%s) failed, the running rules are kept: %s", why, res->error);
	}
}

/* Called with busy set; clears it, or leaves it to the thread when an old
 * set is retired. */
static void do_reload(struct reloader *r, const char *why, struct reload_result *res)
{
	uint64_t t0 = clock_ns(CLOCK_MONOTONIC);
	struct config next;
	char err[CONFIG_ERR_MAX > RULES_ERR_MAX ? CONFIG_ERR_MAX : RULES_ERR_MAX];
	struct ruleset *rs = NULL;

	memset(res, 0, sizeof *res);
	if (r->hooks.load_config(r->hooks.ctx, &next, err) < 0) {
		res->status = 422;
		snprintf(res->error, sizeof res->error, "%s", err);
		goto failed;
	}
	rs = rules_load_config(&next, err);
	if (!rs) {
		res->status = strstr(err, "out of memory") ? 500 : 422;
		snprintf(res->error, sizeof res->error, "%s", err);
		config_free(&next);
		goto failed;
	}
	for (size_t i = 0; i < sizeof restart_keys / sizeof restart_keys[0]; i++)
		if (key_differs(&restart_keys[i], r->cfg, &next))
			note(res->restart, restart_keys[i].key);
	if (r->hooks.apply && r->hooks.apply(r->hooks.ctx, r->cfg, &next, res->error) < 0) {
		res->status = 422;
		rules_free(rs);
		config_free(&next);
		goto failed;
	}
	/* tokens are re-read (rotated) when there were some and still are;
	 * turning them on or off changes who may connect: a restart */
	if (!r->cfg->http_tokens[0] != !next.http_tokens[0])
		note(res->restart, "http.tokens");
	else if (next.http_tokens[0])
		note(res->applied, "http.tokens");
	if (r->cfg->alert_dedup_window != next.alert_dedup_window)
		note(res->applied, "alerts.dedup.window");
	adopt(r->cfg, &next);
	config_free(&next);

	/* The swap: readers on the HTTP side first (they may hold the old
	 * set), then the pointer the workers read. */
	pthread_rwlock_wrlock(&r->hold);
	struct ruleset *old = r->rules;
	r->rules = rs;
	r->loaded_ns = clock_ns(CLOCK_REALTIME);
	atomic_store_explicit(&r->current, rs, memory_order_release);
	pthread_rwlock_unlock(&r->hold);

	res->status = 200;
	res->rules = rs->nrules;
	res->domains = matcher_entries(rs->matcher);
	res->load_seconds = rs->load_seconds;
	res->seconds = (double)(clock_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	finish(r, res, why);
	pthread_mutex_lock(&r->lock);
	r->retired = old;               /* busy stays set until it is freed */
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
	sem_post(&r->wake);
	return;
failed:
	res->seconds = (double)(clock_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	finish(r, res, why);
	pthread_mutex_lock(&r->lock);
	r->busy = false;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

/* Every worker has moved off old (or stopped)?  Waits, looking every few
 * milliseconds: a live worker looks at the pointer at least every capture
 * timeout (100 ms) even on a quiet link.  false when the daemon stops first. */
static bool quiesce(struct reloader *r, const struct ruleset *old)
{
	struct timespec pause = { 0, QUIESCE_POLL_MS * 1000000L };
	for (unsigned i = 0; i < r->nworkers; i++) {
		_Atomic(const struct ruleset *) *in_use = &r->workers[i].rules_in_use;
		while (atomic_load_explicit(in_use, memory_order_acquire) == old) {
			pthread_mutex_lock(&r->lock);
			bool stopping = r->stopping;
			pthread_mutex_unlock(&r->lock);
			if (stopping)
				return false;
			nanosleep(&pause, NULL);
		}
	}
	return true;
}

static void *reload_thread(void *arg)
{
	struct reloader *r = arg;
	thread_name("c2w-reload", -1);
	/* Building a big list takes a core for a second: the workers come
	 * first (as for the HTTP threads, whose POSTs build theirs there). */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), 19) != 0)
		log_warn("reload thread: cannot lower its priority");
	for (;;) {
		while (sem_wait(&r->wake) < 0 && errno == EINTR)
			;
		pthread_mutex_lock(&r->lock);
		for (;;) {
			if (r->stopping)
				goto out;
			if (r->retired) {
				struct ruleset *old = r->retired;
				pthread_mutex_unlock(&r->lock);
				if (!quiesce(r, old)) {
					pthread_mutex_lock(&r->lock);
					goto out;        /* reload_stop() frees it */
				}
				if (r->hooks.retire)
					r->hooks.retire(r->hooks.ctx, old, r->rules);
				rules_free(old);
				pthread_mutex_lock(&r->lock);
				r->retired = NULL;
				r->busy = false;
				pthread_cond_broadcast(&r->changed);
				continue;
			}
			if (atomic_exchange(&r->hup, 0)) {
				/* SIGHUPs queue behind a reload over HTTP */
				while (r->busy && !r->retired && !r->stopping)
					pthread_cond_wait(&r->changed, &r->lock);
				if (r->busy) {
					atomic_store(&r->hup, 1);
					continue;        /* retire first, or stop */
				}
				r->busy = true;
				pthread_mutex_unlock(&r->lock);
				struct reload_result *res = malloc(sizeof *res);
				if (res) {
					do_reload(r, "SIGHUP", res);
					free(res);
				} else {
					log_error("reload (SIGHUP): out of memory");
					pthread_mutex_lock(&r->lock);
					r->busy = false;
					pthread_mutex_unlock(&r->lock);
				}
				pthread_mutex_lock(&r->lock);
				continue;
			}
			break;
		}
		pthread_mutex_unlock(&r->lock);
	}
out:
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* ---- the interface ---- */

struct reloader *reload_start(struct config *running, struct ruleset *rs, uint64_t loaded_ns,
			      struct worker *workers, unsigned nworkers,
			      const struct reload_hooks *hooks)
{
	struct reloader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->cfg = running;
	r->hooks = *hooks;
	r->workers = workers;
	r->nworkers = nworkers;
	r->rules = rs;
	r->loaded_ns = loaded_ns;
	atomic_init(&r->current, rs);
	atomic_init(&r->hup, 0);
	pthread_rwlock_init(&r->hold, NULL);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->changed, NULL);
	sem_init(&r->wake, 0, 0);
	for (unsigned i = 0; i < nworkers; i++)
		workers[i].rules_current = &r->current;
	if (pthread_create(&r->thread, NULL, reload_thread, r) != 0) {
		for (unsigned i = 0; i < nworkers; i++)
			workers[i].rules_current = NULL;
		sem_destroy(&r->wake);
		pthread_cond_destroy(&r->changed);
		pthread_mutex_destroy(&r->lock);
		pthread_rwlock_destroy(&r->hold);
		free(r);
		return NULL;
	}
	return r;
}

void reload_request(struct reloader *r)
{
	if (!r)
		return;
	atomic_store(&r->hup, 1);
	sem_post(&r->wake);
}

void reload_run(struct reloader *r, const char *why, struct reload_result *res)
{
	pthread_mutex_lock(&r->lock);
	/* The previous set is freed within a capture timeout or so once the
	 * workers moved on: worth a short wait rather than a refusal. */
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += RETIRE_WAIT_S;
	while (r->busy && r->retired && !r->stopping &&
	       pthread_cond_timedwait(&r->changed, &r->lock, &until) == 0)
		;
	if (r->busy || r->stopping) {
		bool retiring = r->retired != NULL;
		pthread_mutex_unlock(&r->lock);
		memset(res, 0, sizeof *res);
		res->status = 409;
		snprintf(res->error, sizeof res->error, "%s",
			 retiring ? "the previous reload's rules are still in use: try again"
				  : "a reload is under way: try again when it is done");
		return;
	}
	r->busy = true;
	pthread_mutex_unlock(&r->lock);
	do_reload(r, why, res);
}

const struct ruleset *reload_hold(struct reloader *r, uint64_t *loaded_ns)
{
	pthread_rwlock_rdlock(&r->hold);
	if (loaded_ns)
		*loaded_ns = r->loaded_ns;
	return r->rules;
}

void reload_put(struct reloader *r)
{
	pthread_rwlock_unlock(&r->hold);
}

void reload_status(struct reloader *r, struct reload_status *st)
{
	pthread_mutex_lock(&r->lock);
	st->reloads = r->reloads;
	st->failures = r->failures;
	st->last_ns = r->last_ns;
	st->last_ok = r->last_ok;
	memcpy(st->last_error, r->last_error, sizeof st->last_error);
	pthread_mutex_unlock(&r->lock);
}

void reload_status_json(struct reloader *r, struct jbuf *j)
{
	struct reload_status st;
	reload_status(r, &st);
	jb_ku64(j, "reloads", st.reloads);
	jb_ku64(j, "reload_failures", st.failures);
	jb_key(j, "last_reload");
	if (!st.last_ns) {
		jb_vnull(j);
		return;
	}
	char when[40];
	eve_timestamp(st.last_ns, when, sizeof when);
	jb_obj_open(j);
	jb_kstr(j, "at", when);
	jb_kstr(j, "status", st.last_ok ? "ok" : "failed");
	if (!st.last_ok)
		jb_kstr(j, "error", st.last_error);
	jb_obj_close(j);
}

/* "key": ["a", "b"] from the comma-separated names in csv. */
static void key_list(struct jbuf *j, const char *key, const char *csv)
{
	jb_key(j, key);
	jb_arr_open(j);
	for (const char *p = csv; *p;) {
		size_t n = strcspn(p, ",");
		char k[128];
		snprintf(k, sizeof k, "%.*s", (int)n, p);
		jb_vstr(j, k);
		p += n;
		p += strspn(p, ", ");
	}
	jb_arr_close(j);
}

void reload_result_json(const struct reload_result *res, struct jbuf *j)
{
	jb_obj_open(j);
	if (res->status != 200) {
		/* the API's Error object (contrib/openapi.yaml) */
		jb_key(j, "error");
		jb_obj_open(j);
		jb_ku64(j, "status", res->status);
		jb_kstr(j, "message", res->error);
		jb_obj_close(j);
	} else {
		char when[40];
		eve_timestamp(res->at_ns, when, sizeof when);
		jb_ku64(j, "rules", res->rules);
		jb_ku64(j, "domains", res->domains);
		jb_key(j, "load_seconds");
		jb_vdouble(j, res->load_seconds);
		jb_key(j, "seconds");
		jb_vdouble(j, res->seconds);
		jb_kstr(j, "loaded_at", when);
		key_list(j, "applied", res->applied);
		key_list(j, "needs_restart", res->restart);
	}
	jb_obj_close(j);
}

void reload_stop(struct reloader *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stopping = true;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
	sem_post(&r->wake);
	pthread_join(r->thread, NULL);
	/* A reload over HTTP may still be building: it ends by posting. */
	pthread_mutex_lock(&r->lock);
	while (r->busy && !r->retired)
		pthread_cond_wait(&r->changed, &r->lock);
	pthread_mutex_unlock(&r->lock);
	for (unsigned i = 0; i < r->nworkers; i++)
		r->workers[i].rules_current = NULL;
	rules_free(r->retired);
	rules_free(r->rules);
	sem_destroy(&r->wake);
	pthread_cond_destroy(&r->changed);
	pthread_mutex_destroy(&r->lock);
	pthread_rwlock_destroy(&r->hold);
	free(r);
}
