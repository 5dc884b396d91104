/* main.c — options, startup order, signals and the run: config → rules →
 * outputs → capture → HTTP → loop → flush. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "affinity.h"
#include "alertlog.h"
#include "capture.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "reload.h"
#include "privs.h"
#include "rules.h"
#include "worker.h"

#define C2WATCH_VERSION "0.1.0"

static atomic_int stop;                  /* set by a signal, read by every worker thread */
static volatile sig_atomic_t reopen;     /* set by SIGHUP, read by this thread only */
static struct reloader *volatile reloader;   /* SIGHUP also reloads, once it is set */
static atomic_bool capture_failed;       /* captures sharing an interface fail as one: said once */

static void on_signal(int sig)
{
	if (sig == SIGHUP) {
		reopen = 1;
		reload_request(reloader);        /* async-signal-safe: sem_post */
	} else {
		stop = 1;
	}
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: c2watchd [-qtV] [-c FILE] [-i IFACE | -r FILE] [-R FILE|DIR]... [-L FILE]...\n"
"                [-l ADDR:PORT] [--serve] [--alerts PATH] [--names PATH] [--alert-log PATH]\n"
"                [--filter EXPR] [--no-http] [--workers N] [-u USER] [--allow-root]\n"
"                [--seccomp on|off|log] [--help]\n"
"  -i IFACE        capture live on IFACE (default: any)\n"
"  -r FILE         replay a pcap/pcapng file (.gz too; - for standard input)\n"
"  -c FILE         YAML configuration\n"
"  -R FILE|DIR     rule file, or a directory of *.yaml rule files (repeatable)\n"
"  -L FILE         plain domain list, used as a rule of its own (repeatable)\n"
"  -t              check configuration and rules, print what was loaded, exit\n"
"  -l ADDR:PORT    HTTP API address (default 127.0.0.1:8653)\n"
"  --serve         replay: keep the HTTP API up after the file ends\n"
"  --alerts PATH   alerts as JSON lines (- stdout, the default; \"\" none)\n"
"  --names PATH    every DNS/SNI name seen as JSON lines (- stdout)\n"
"  --alert-log PATH  the durable alert log, read back at start (\"\" none)\n"
"  --filter EXPR   capture filter (BPF syntax)\n"
"  --no-http       no HTTP API\n"
"  --workers N     worker threads (default: one per core live, 1 in replay)\n"
"  -u USER         the unprivileged user to run as once the capture is open\n"
"  --allow-root    run the parsers as root when that user does not exist\n"
"  --seccomp MODE  syscall filter: on (the default), off, or log\n"
"  -q              quiet: no progress or startup lines\n"
"  -V              version\n"
"  --help          this text\n"
"signals: TERM, INT stop (flushing every output); HUP reopens the output files and\n"
"         reloads the configuration and the rules\n");
}

static int set_str(char **dst, const char *v)
{
	char *s = strdup(v);
	if (!s)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

static int add_path(char **list, size_t *n, const char *v)
{
	if (*n >= CONFIG_MAX_PATHS) {
		log_error("too many rule or list paths (at most %d)", CONFIG_MAX_PATHS);
		return -1;
	}
	list[*n] = strdup(v);
	if (!list[*n])
		return -1;
	(*n)++;
	return 0;
}

static FILE *open_output(const char *path)
{
	if (!path || !*path)
		return NULL;
	if (strcmp(path, "-") == 0)
		return stdout;
	FILE *f = fopen(path, "a");
	if (!f) {
		log_error("%s: %s", path, strerror(errno));
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	return f;
}

/* SIGHUP: reopen the output files, so that logrotate can move them away.
 * Runs between packets; a file that cannot be reopened keeps the old one. */
struct outputs {
	struct sink *sink;
	const char *alerts_path, *names_path;
};

static void reopen_one(FILE **f, const char *path)
{
	if (!*f || *f == stdout)
		return;
	FILE *nf = open_output(path);
	if (!nf)
		return;
	fclose(*f);
	*f = nf;
}

static void housekeeping(void *ctx)
{
	struct outputs *o = ctx;
	if (!reopen)
		return;
	reopen = 0;
	pthread_mutex_lock(&o->sink->lock);
	reopen_one(&o->sink->alerts, o->alerts_path);
	reopen_one(&o->sink->names, o->names_path);
	pthread_mutex_unlock(&o->sink->lock);
	log_info("output files reopened");
}

/* The command line's settings, applied over the config file at start and
 * again at every reload (so that a reload keeps what the flags said). */
struct cli {
	const char *config_path;
	const char *iface, *read, *listen, *alerts, *names, *alert_log, *filter;
	char *rules[CONFIG_MAX_PATHS], *lists[CONFIG_MAX_PATHS];
	size_t nrules, nlists;
	bool listen_given, serve, no_http;
	unsigned workers;
	const char *user;            /* -u */
	bool allow_root;             /* --allow-root */
	int seccomp;                 /* --seccomp: enum privs_seccomp, -1 unset */
};

/* Built-in defaults, then the config file, then the flags over it, checked. */
static int load_config(void *ctx, struct config *cfg, char err[CONFIG_ERR_MAX])
{
	const struct cli *cl = ctx;
	config_defaults(cfg);
	if (cl->config_path && config_load(cfg, cl->config_path, err) < 0) {
		config_free(cfg);
		return -1;
	}
	int oom = 0;
	if (cl->iface) oom |= set_str(&cfg->interface, cl->iface);
	if (cl->read) oom |= set_str(&cfg->read_file, cl->read);
	if (cl->listen) oom |= set_str(&cfg->http_listen, cl->listen);
	if (cl->alerts) oom |= set_str(&cfg->alerts_path, cl->alerts);
	if (cl->names) oom |= set_str(&cfg->names_path, cl->names);
	if (cl->alert_log) oom |= set_str(&cfg->alert_log_path, cl->alert_log);
	if (cl->filter) oom |= set_str(&cfg->bpf, cl->filter);
	if (cl->user) oom |= set_str(&cfg->priv_user, cl->user);
	if (cl->allow_root)
		cfg->priv_allow_root = true;
	if (cl->seccomp >= 0)
		cfg->priv_seccomp = (uint32_t)cl->seccomp;
	if (cl->nrules || cl->nlists) {
		/* Rules on the command line replace those of the config file. */
		for (size_t i = 0; i < cfg->nrule_paths; i++) {
			free(cfg->rule_paths[i]);
			free(cfg->rule_where[i]);
			cfg->rule_where[i] = NULL;
		}
		for (size_t i = 0; i < cfg->nlist_paths; i++) {
			free(cfg->list_paths[i]);
			free(cfg->list_where[i]);
			cfg->list_where[i] = NULL;
		}
		cfg->nrule_paths = cfg->nlist_paths = 0;
		for (size_t i = 0; i < cl->nrules; i++)
			oom |= add_path(cfg->rule_paths, &cfg->nrule_paths, cl->rules[i]);
		for (size_t i = 0; i < cl->nlists; i++)
			oom |= add_path(cfg->list_paths, &cfg->nlist_paths, cl->lists[i]);
	}
	if (oom) {
		snprintf(err, CONFIG_ERR_MAX, "out of memory");
		config_free(cfg);
		return -1;
	}
	if (cl->serve)
		cfg->serve_after_replay = true;
	if (cl->workers)
		cfg->workers = cl->workers;
	if (cl->no_http)
		cfg->http_enabled = false;
	else if (cl->listen_given || cl->serve)
		cfg->http_enabled = true;          /* asked for on the command line */
	else if (cfg->read_file)
		cfg->http_enabled = false;         /* replay: the API only when asked for */
	if (config_check(cfg, err) < 0) {
		config_free(cfg);
		return -1;
	}
	return 0;
}

/* What a reload applies besides the rules. */
struct reload_ctx {
	struct cli *cli;
	_Atomic(struct http_server *) http;   /* set once the API is up */
	struct alert_store *store;
};

static int reload_load_config(void *ctx, struct config *cfg, char err[CONFIG_ERR_MAX])
{
	struct reload_ctx *rc = ctx;
	return load_config(rc->cli, cfg, err);
}

static int reload_apply(void *ctx, const struct config *running, const struct config *next,
			char err[RELOAD_ERR_MAX])
{
	struct reload_ctx *rc = ctx;
	struct http_server *http = atomic_load(&rc->http);
	/* Tokens first: the one step that can fail, before anything changed. */
	if (http && running->http_tokens[0] && next->http_tokens[0]) {
		char herr[HTTP_ERR_MAX];
		if (http_reload_tokens(http, next->http_tokens, herr) < 0) {
			snprintf(err, RELOAD_ERR_MAX, "%s", herr);
			return -1;
		}
	}
	if (next->alert_dedup_window != running->alert_dedup_window &&
	    alert_store_set_dedup_window(rc->store, next->alert_dedup_window) < 0 &&
	    alert_store_set_dedup(rc->store, next->alert_dedup_window,
				  running->alert_dedup_table) < 0) {
		snprintf(err, RELOAD_ERR_MAX, "out of memory for the alert dedup table");
		return -1;
	}
	return 0;
}

static const char *rule_name_of(void *ctx, uint32_t id)
{
	const struct ruleset *rs = ctx;
	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i].id == id)
			return rs->rules[i].name;
	return NULL;
}

static void reload_retire(void *ctx, const struct ruleset *old, const struct ruleset *next)
{
	struct reload_ctx *rc = ctx;
	(void)old;
	alert_store_rebind(rc->store, rule_name_of, (void *)(uintptr_t)next);
}

static void print_rules(const struct ruleset *rs)
{
	printf("c2watchd: configuration OK\n");
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];
		printf("rule %u \"%s\": severity %s, %zu domains, from %s\n", r->id, r->name,
		       severity_name(r->severity), r->ndomains, r->source ? r->source : "?");
	}
	printf("%zu rules, %zu domain entries, loaded in %.3f s, matcher %.1f MB\n",
	       rs->nrules, matcher_entries(rs->matcher), rs->load_seconds,
	       (double)matcher_memory(rs->matcher) / 1e6);
}

/* A live worker beyond the first: its own capture, its own loop. */
struct live_arg {
	struct capture *cap;
	struct capture_target target;
};
static struct live_arg live_args[65];

/* cpu-affinity: where workers run, and every other thread */
static struct cpus worker_cpus, management_cpus;

static void *live_worker(void *arg)
{
	struct live_arg *a = arg;
	char err[CAPTURE_ERR_MAX];
	unsigned i = (unsigned)(a - live_args);

	thread_name("c2w-worker", (int)i);
	if (cpus_pin_one(&worker_cpus, i) < 0)
		log_warn("worker %u: cannot set its CPU affinity", i);
	if (capture_run(a->cap, &a->target, &stop, false, NULL, NULL, err) < 0) {
		if (!atomic_exchange(&capture_failed, true))
			log_error("%s", err);
		stop = 1;
	}
	return NULL;
}

enum { OPT_SERVE = 256, OPT_ALERTS, OPT_NAMES, OPT_FILTER, OPT_NO_HTTP, OPT_WORKERS, OPT_ALERT_LOG,
       OPT_ALLOW_ROOT, OPT_SECCOMP, OPT_SECCOMP_SELFTEST };

/* A dedup summary, stored by the alert store (not by a worker), goes to the
 * --alerts stream too, under the sink's lock like a worker's lines.  A
 * failed write here shows in the next worker write's output_errors. */
static void summary_to_sink(void *ctx, const char *line, size_t len)
{
	struct sink *sk = ctx;
	pthread_mutex_lock(&sk->lock);
	if (sk->alerts && fwrite(line, 1, len, sk->alerts) == len)
		fflush(sk->alerts);
	pthread_mutex_unlock(&sk->lock);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "serve", no_argument, NULL, OPT_SERVE },
		{ "alerts", required_argument, NULL, OPT_ALERTS },
		{ "names", required_argument, NULL, OPT_NAMES },
		{ "filter", required_argument, NULL, OPT_FILTER },
		{ "no-http", no_argument, NULL, OPT_NO_HTTP },
		{ "workers", required_argument, NULL, OPT_WORKERS },
		{ "alert-log", required_argument, NULL, OPT_ALERT_LOG },
		{ "allow-root", no_argument, NULL, OPT_ALLOW_ROOT },
		{ "seccomp", required_argument, NULL, OPT_SECCOMP },
		/* a test's: call a syscall the filter forbids, to be killed */
		{ "seccomp-selftest", no_argument, NULL, OPT_SECCOMP_SELFTEST },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct config cfg;
	char err[CONFIG_ERR_MAX > RULES_ERR_MAX ? CONFIG_ERR_MAX : RULES_ERR_MAX];
	static struct cli cl = { .seccomp = -1 };   /* read again by every reload */
	bool check_only = false, quiet = false;
	bool seccomp_selftest = false;
	struct privs privs;
	char perr[PRIVS_ERR_MAX];
	int c, status = 0;

	while ((c = getopt_long(argc, argv, "i:r:c:R:L:tl:qu:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': cl.iface = optarg; break;
		case 'r': cl.read = optarg; break;
		case 'c': cl.config_path = optarg; break;
		case 'R':
			if (cl.nrules >= CONFIG_MAX_PATHS) {
				log_error("too many -R (at most %d)", CONFIG_MAX_PATHS);
				return 2;
			}
			cl.rules[cl.nrules++] = optarg;
			break;
		case 'L':
			if (cl.nlists >= CONFIG_MAX_PATHS) {
				log_error("too many -L (at most %d)", CONFIG_MAX_PATHS);
				return 2;
			}
			cl.lists[cl.nlists++] = optarg;
			break;
		case 't': check_only = true; break;
		case 'l': cl.listen = optarg; cl.listen_given = true; break;
		case 'q': quiet = true; break;
		case OPT_SERVE: cl.serve = true; break;
		case OPT_ALERTS: cl.alerts = optarg; break;
		case OPT_NAMES: cl.names = optarg; break;
		case OPT_ALERT_LOG: cl.alert_log = optarg; break;
		case OPT_FILTER: cl.filter = optarg; break;
		case OPT_NO_HTTP: cl.no_http = true; break;
		case 'u': cl.user = optarg; break;
		case OPT_ALLOW_ROOT: cl.allow_root = true; break;
		case OPT_SECCOMP_SELFTEST: seccomp_selftest = true; break;
		case OPT_SECCOMP:
			if (!strcmp(optarg, "on"))
				cl.seccomp = PRIVS_SECCOMP_ON;
			else if (!strcmp(optarg, "off"))
				cl.seccomp = PRIVS_SECCOMP_OFF;
			else if (!strcmp(optarg, "log"))
				cl.seccomp = PRIVS_SECCOMP_LOG;
			else {
				log_error("--seccomp takes on, off or log");
				return 2;
			}
			break;
		case OPT_WORKERS: {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (*end || !*optarg || n < 1 || n > 64) {
				log_error("--workers takes a number from 1 to 64");
				return 2;
			}
			cl.workers = (unsigned)n;
			break;
		}
		case 'V': printf("c2watchd %s\n", C2WATCH_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (cl.iface && cl.read) {
		log_error("-i and -r exclude each other");
		return 2;
	}
	log_set_quiet(quiet);

	if (load_config(&cl, &cfg, err) < 0) {
		log_error("%s", err);
		return 2;
	}
	/* Checked where the file names them; the CPUs may have gone since. */
	if (cpus_parse(cfg.worker_cpus, &worker_cpus, err, sizeof err) < 0 ||
	    cpus_parse(cfg.management_cpus, &management_cpus, err, sizeof err) < 0) {
		log_error("cpu-affinity: %s", err);
		config_free(&cfg);
		return 2;
	}
	/* Threads started from here on (list loading, alert log, HTTP, and
	 * workers until they pin themselves) inherit the management CPUs. */
	if (cpus_pin_all(&management_cpus) < 0) {
		log_error("cpu-affinity: cannot run on CPUs %s", cfg.management_cpus);
		config_free(&cfg);
		return 2;
	}

	/* Before any thread starts: they inherit the emptied bounding set. */
	if (!check_only && privs_prepare(&privs, &cfg, perr) < 0) {
		log_error("%s", perr);
		config_free(&cfg);
		return 2;
	}
	privs.seccomp_selftest = seccomp_selftest;

	struct ruleset *rs = rules_load_config(&cfg, err);
	if (!rs) {
		log_error("%s", err);
		config_free(&cfg);
		return 2;
	}
	struct timespec loaded;
	clock_gettime(CLOCK_REALTIME, &loaded);
	if (check_only) {
		print_rules(rs);
		rules_free(rs);
		config_free(&cfg);
		return 0;
	}

	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Outputs, then the capture, then the API: each fails before the next starts. */
	struct sink sink = { .lock = PTHREAD_MUTEX_INITIALIZER };
	sink.alerts = open_output(cfg.alerts_path);
	sink.names = open_output(cfg.names_path);
	struct outputs outs = { &sink, cfg.alerts_path, cfg.names_path };
	sink.alerts_on = sink.alerts != NULL;
	sink.names_on = sink.names != NULL;
	if ((cfg.alerts_path && *cfg.alerts_path && !sink.alerts) ||
	    (cfg.names_path && *cfg.names_path && !sink.names)) {
		rules_free(rs);
		config_free(&cfg);
		return 2;
	}
	sink.store = alert_store_new(cfg.alert_ring);

	/* Workers: one per core live (each with its own capture, the kernel
	 * sharing packets out by flow), one in replay unless asked: a single
	 * worker writes its events in packet order. */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned nw = cfg.workers ? cfg.workers : cfg.read_file ? 1 : (unsigned)(cores > 0 ? cores : 1);
	unsigned ncaps = cfg.read_file ? 1 : nw;
	struct worker *workers = calloc(nw, sizeof *workers);
	struct capture **caps = calloc(ncaps, sizeof *caps);
	const struct stats **stats = calloc(nw + 1, sizeof *stats);   /* and the reader's */
	pthread_t *threads = calloc(nw, sizeof *threads);
	/* recent names for the API: fixed at start, one ring per worker */
	if (cfg.http_enabled && cfg.http_names_window)
		sink.recent = recent_new(nw, cfg.http_names_window);
	struct dispatch *dispatch = NULL;
	struct http_server *http = NULL;
	struct http_view view = { 0 };
	struct alert_log *alert_log = NULL;
	struct reloader *reload = NULL;
	static struct reload_ctx rctx;
	unsigned nready = 0, nthreads = 0;
	char cerr[CAPTURE_ERR_MAX];
	if (!workers || !caps || !stats || !threads || !sink.store ||
	    (cfg.http_enabled && cfg.http_names_window && !sink.recent)) {
		log_error("out of memory");
		status = 1;
		goto out;
	}
	/* The alert log is read back before any alert can be stored. */
	if (cfg.alert_dedup_window && alert_store_set_dedup(sink.store, cfg.alert_dedup_window,
							    cfg.alert_dedup_table) < 0) {
		log_error("out of memory");
		status = 1;
		goto out;
	}
	if (sink.alerts_on)
		alert_store_set_summary_fn(sink.store, summary_to_sink, &sink);
	struct alert_log_config lc = {
		.path = cfg.alert_log_path, .fsync = (enum alert_fsync)cfg.alert_log_fsync,
		.fsync_interval_s = cfg.alert_log_fsync_interval, .rotate_size = cfg.alert_log_rotate_size,
		.rotate_age_s = cfg.alert_log_rotate_age, .keep = cfg.alert_log_keep,
		.live = !cfg.read_file, .load = cfg.alert_ring,
	};
	char lerr[ALERT_LOG_ERR_MAX];
	if (!(alert_log = alert_log_start(sink.store, &lc, lerr))) {
		log_error("%s", lerr);
		status = 1;
		goto out;
	}
	uint16_t group = (uint16_t)(getpid() & 0xffff);
	for (unsigned i = 0; i < ncaps; i++) {
		caps[i] = cfg.read_file ? capture_open_file(cfg.read_file, cfg.bpf, cerr)
					: capture_open_live(&cfg, cerr);
		if (!caps[i] || (ncaps > 1 && capture_join_fanout(caps[i], group, cerr) < 0)) {
			log_error("%s", cerr);
			status = 2;
			goto out;
		}
	}
	if (!cfg.read_file)
		capture_report_link(caps[0]);       /* one voice for the interface */
	int dlt = capture_datalink(caps[0]);
	if (!decode_linktype_supported(dlt) && !capture_link_per_interface(caps[0]))
		log_warn("%s: link type %s (%d) is not decoded: packets are counted, not inspected",
			 cfg.read_file, decode_linktype_name(dlt), dlt);
	for (; nready < nw; nready++) {
		if (worker_init(&workers[nready], &cfg, rs, &sink, nready, nw) < 0) {
			log_error("out of memory for %u flows and %u stream buffers per worker",
				  cfg.flow_max, cfg.stream_buffers);
			status = 1;
			goto out;
		}
		stats[nready] = &workers[nready].stats;
	}

	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	view.store = sink.store;
	stats[nw] = capture_stats(caps[0]);
	view.stats = stats;
	view.nstats = nw + 1;
	view.caps = caps;
	view.ncaps = ncaps;
	view.workers = nw;
	view.rules = rs;
	view.recent = sink.recent;
	view.version = C2WATCH_VERSION;
	view.rules_loaded_ns = (uint64_t)loaded.tv_sec * 1000000000ull + (uint64_t)loaded.tv_nsec;
	view.mode = cfg.read_file ? "replay" : "live";
	view.input = cfg.read_file ? cfg.read_file : cfg.interface;
	view.started_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;

	/* Threads started from here on (HTTP, workers) inherit a mask without
	 * the stop signals, so they always reach this thread. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);

	/* From here the reloader owns the rules: workers read them through it. */
	rctx.cli = &cl;
	rctx.store = sink.store;
	struct reload_hooks hooks = { reload_load_config, reload_apply, reload_retire, &rctx };
	pthread_sigmask(SIG_BLOCK, &block, &old);
	reload = reload_start(&cfg, rs, view.rules_loaded_ns, workers, nw, &hooks);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!reload) {
		log_error("cannot start the reload thread");
		status = 1;
		goto out;
	}
	view.reload = reload;
	if (cfg.http_enabled) {
		char herr[HTTP_ERR_MAX];
		pthread_sigmask(SIG_BLOCK, &block, &old);
		http = http_start(&cfg, &view, herr);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (!http) {
			log_error("http: %s", herr);
			status = 2;
			goto out;
		}
		log_info("http api on http://%s/", cfg.http_listen);
		atomic_store(&rctx.http, http);
	}
	/* Everything privileged is open: the capture, its fanout group and
	 * buffer, the HTTP socket, the output files and the alert log. */
	const char *own[] = { cfg.alerts_path, cfg.names_path, cfg.alert_log_path };
	if (privs_drop(&privs, own, sizeof own / sizeof own[0], perr) < 0) {
		log_error("%s", perr);
		status = 2;
		goto out;
	}
	reloader = reload;                /* SIGHUP reloads from now on */
	log_info("%s %s (%s), %zu rules, %zu domains, %u worker%s", view.mode, view.input,
		 decode_linktype_name(dlt), rs->nrules, matcher_entries(rs->matcher), nw, nw == 1 ? "" : "s");

	bool progress = cfg.read_file && !quiet && isatty(STDERR_FILENO);
	struct capture_target target = { workers, nw, NULL };
	if (cfg.read_file && nw > 1) {
		char derr[DISPATCH_ERR_MAX];
		pthread_sigmask(SIG_BLOCK, &block, &old);
		dispatch = dispatch_start(workers, nw, &cfg, &worker_cpus, derr);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (!dispatch) {
			log_error("%s", derr);
			status = 1;
			goto out;
		}
		target.dispatch = dispatch;
	} else if (!cfg.read_file) {
		pthread_sigmask(SIG_BLOCK, &block, &old);
		for (unsigned i = 1; i < nw; i++) {
			live_args[i] = (struct live_arg){ caps[i], { &workers[i], 1, NULL } };
			if (pthread_create(&threads[nthreads], NULL, live_worker, &live_args[i]) != 0)
				break;
			nthreads++;
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (nthreads != nw - 1) {
			log_error("cannot start %u worker threads", nw - 1);
			stop = 1;
			status = 1;
		}
	}
	/* This thread reads the input: with one worker it is the worker. */
	if ((dispatch ? cpus_pin_all(&worker_cpus) : cpus_pin_one(&worker_cpus, 0)) < 0)
		log_warn("cannot set the capture thread's CPU affinity");
	if (worker_cpus.n || management_cpus.n)
		log_info("cpu-affinity: workers on CPUs %s, other threads on %s",
			 worker_cpus.n ? cfg.worker_cpus : "any", management_cpus.n ? cfg.management_cpus : "any");
	struct timespec run0, run1;
	clock_gettime(CLOCK_MONOTONIC, &run0);
	if (!stop && capture_run(caps[0], &target, &stop, progress, housekeeping, &outs, cerr) < 0) {
		if (!atomic_exchange(&capture_failed, true))
			log_error("%s", cerr);
		status = 1;
		stop = 1;                 /* a live capture that failed ends the others too */
	}
	if (dispatch) {
		dispatch_finish(dispatch);
		dispatch = NULL;
	}
	for (unsigned i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	nthreads = 0;
	if (atomic_load(&capture_failed))
		status = 1;               /* a worker's capture failed: exit non-zero too */
	if (capture_was_cut(caps[0]))
		stat_inc(&workers[0].stats, ST_file_truncated);
	for (unsigned i = 0; i < nw; i++)
		worker_finish(&workers[i]);
	alert_store_dedup_tick(sink.store, 0, true);   /* the input is done: so are its windows */
	fflush(NULL);
	clock_gettime(CLOCK_MONOTONIC, &run1);
	double run_s = (double)(run1.tv_sec - run0.tv_sec) + (double)(run1.tv_nsec - run0.tv_nsec) / 1e9;
	atomic_store(&view.input_done, true);
	if (cfg.read_file && cfg.serve_after_replay && http && !stop) {
		log_info("replay done; serving until stopped");
		/* Block the stop signals while testing the flag, so that one
		 * arriving in between still ends the wait. */
		sigprocmask(SIG_BLOCK, &block, &old);
		while (!stop)
			sigsuspend(&old);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	uint64_t pk = 0, nm = 0, al = 0;
	for (unsigned i = 0; i < nw; i++) {
		pk += stat_get(&workers[i].stats, ST_packets);
		nm += stat_get(&workers[i].stats, ST_names_dns) + stat_get(&workers[i].stats, ST_names_tls) +
		      stat_get(&workers[i].stats, ST_names_quic);
		al += stat_get(&workers[i].stats, ST_alerts);
	}
	log_info("%llu packets in %.3f s (%.2f Mpps), %llu names, %llu alerts", (unsigned long long)pk,
		 run_s, run_s > 0 ? (double)pk / run_s / 1e6 : 0.0, (unsigned long long)nm, (unsigned long long)al);
	if (!cfg.read_file) {
		/* What the kernel did not hand over is said, not hidden. */
		struct capture_counters cc = { 0, 0, 0 }, one;
		for (unsigned i = 0; i < ncaps; i++) {
			capture_counters(caps[i], &one);
			cc.received += one.received;
			cc.dropped += one.dropped;
			cc.if_dropped += one.if_dropped;
		}
		log_info("kernel: %llu packets received, %llu dropped (capture buffer full), "
			 "%llu dropped by the interface", (unsigned long long)cc.received,
			 (unsigned long long)cc.dropped, (unsigned long long)cc.if_dropped);
	}
out:
	reloader = NULL;
	http_stop(http);
	dispatch_finish(dispatch);
	for (unsigned i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	if (reload) {
		reload_stop(reload);      /* frees the rules in force, and any retired */
		rs = NULL;
	}
	for (unsigned i = 0; i < nready; i++)
		worker_free(&workers[i]);
	for (unsigned i = 0; caps && i < ncaps; i++)
		capture_close(caps[i]);
	free(workers);
	free(caps);
	free(stats);
	free(threads);
	if (sink.alerts && sink.alerts != stdout)
		fclose(sink.alerts);
	if (sink.names && sink.names != stdout)
		fclose(sink.names);
	fflush(stdout);
	alert_log_stop(alert_log);
	alert_store_free(sink.store);
	recent_free(sink.recent);
	rules_free(rs);
	config_free(&cfg);
	return status;
}
