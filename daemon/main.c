/* main.c — options, startup order, signals and the run: config → rules →
 * outputs → capture → HTTP → loop → flush. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "rules.h"
#include "worker.h"

#define C2WATCH_VERSION "0.1.0"

static volatile sig_atomic_t stop, reopen;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reopen = 1;
	else
		stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: c2watchd [-qtV] [-c FILE] [-i IFACE | -r FILE] [-R FILE|DIR]... [-L FILE]...\n"
"                [-l ADDR:PORT] [--serve] [--alerts PATH] [--names PATH]\n"
"                [--filter EXPR] [--no-http] [--help]\n"
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
"  --filter EXPR   capture filter (BPF syntax)\n"
"  --no-http       no HTTP API\n"
"  -q              quiet: no progress or startup lines\n"
"  -V              version\n"
"  --help          this text\n"
"signals: TERM, INT stop (flushing every output); HUP reopens the output files\n");
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
	reopen_one(&o->sink->alerts, o->alerts_path);
	reopen_one(&o->sink->names, o->names_path);
	log_info("output files reopened");
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

enum { OPT_SERVE = 256, OPT_ALERTS, OPT_NAMES, OPT_FILTER, OPT_NO_HTTP };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "serve", no_argument, NULL, OPT_SERVE },
		{ "alerts", required_argument, NULL, OPT_ALERTS },
		{ "names", required_argument, NULL, OPT_NAMES },
		{ "filter", required_argument, NULL, OPT_FILTER },
		{ "no-http", no_argument, NULL, OPT_NO_HTTP },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct config cfg;
	char err[CONFIG_ERR_MAX > RULES_ERR_MAX ? CONFIG_ERR_MAX : RULES_ERR_MAX];
	const char *config_path = NULL;
	bool check_only = false, quiet = false, listen_given = false, serve = false, no_http = false;
	const char *opt_iface = NULL, *opt_read = NULL, *opt_listen = NULL;
	const char *opt_alerts = NULL, *opt_names = NULL, *opt_filter = NULL;
	char *cli_rules[CONFIG_MAX_PATHS], *cli_lists[CONFIG_MAX_PATHS];
	size_t ncli_rules = 0, ncli_lists = 0;
	int c, status = 0;

	while ((c = getopt_long(argc, argv, "i:r:c:R:L:tl:qhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': opt_iface = optarg; break;
		case 'r': opt_read = optarg; break;
		case 'c': config_path = optarg; break;
		case 'R':
			if (ncli_rules >= CONFIG_MAX_PATHS) {
				log_error("too many -R (at most %d)", CONFIG_MAX_PATHS);
				return 2;
			}
			cli_rules[ncli_rules++] = optarg;
			break;
		case 'L':
			if (ncli_lists >= CONFIG_MAX_PATHS) {
				log_error("too many -L (at most %d)", CONFIG_MAX_PATHS);
				return 2;
			}
			cli_lists[ncli_lists++] = optarg;
			break;
		case 't': check_only = true; break;
		case 'l': opt_listen = optarg; listen_given = true; break;
		case 'q': quiet = true; break;
		case OPT_SERVE: serve = true; break;
		case OPT_ALERTS: opt_alerts = optarg; break;
		case OPT_NAMES: opt_names = optarg; break;
		case OPT_FILTER: opt_filter = optarg; break;
		case OPT_NO_HTTP: no_http = true; break;
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
	if (opt_iface && opt_read) {
		log_error("-i and -r exclude each other");
		return 2;
	}
	log_set_quiet(quiet);

	/* Built-in defaults, then the config file, then flags over it. */
	config_defaults(&cfg);
	if (config_path && config_load(&cfg, config_path, err) < 0) {
		log_error("%s", err);
		config_free(&cfg);
		return 2;
	}
	int oom = 0;
	if (opt_iface) oom |= set_str(&cfg.interface, opt_iface);
	if (opt_read) oom |= set_str(&cfg.read_file, opt_read);
	if (opt_listen) oom |= set_str(&cfg.http_listen, opt_listen);
	if (opt_alerts) oom |= set_str(&cfg.alerts_path, opt_alerts);
	if (opt_names) oom |= set_str(&cfg.names_path, opt_names);
	if (opt_filter) oom |= set_str(&cfg.bpf, opt_filter);
	if (ncli_rules || ncli_lists) {
		/* Rules on the command line replace those of the config file. */
		for (size_t i = 0; i < cfg.nrule_paths; i++) {
			free(cfg.rule_paths[i]);
			free(cfg.rule_where[i]);
			cfg.rule_where[i] = NULL;
		}
		for (size_t i = 0; i < cfg.nlist_paths; i++) {
			free(cfg.list_paths[i]);
			free(cfg.list_where[i]);
			cfg.list_where[i] = NULL;
		}
		cfg.nrule_paths = cfg.nlist_paths = 0;
		for (size_t i = 0; i < ncli_rules; i++)
			oom |= add_path(cfg.rule_paths, &cfg.nrule_paths, cli_rules[i]);
		for (size_t i = 0; i < ncli_lists; i++)
			oom |= add_path(cfg.list_paths, &cfg.nlist_paths, cli_lists[i]);
	}
	if (oom) {
		log_error("out of memory");
		config_free(&cfg);
		return 2;
	}
	if (serve)
		cfg.serve_after_replay = true;
	if (no_http)
		cfg.http_enabled = false;
	else if (listen_given || serve)
		cfg.http_enabled = true;           /* asked for on the command line */
	else if (cfg.read_file)
		cfg.http_enabled = false;          /* replay: the API only when asked for */
	if (config_check(&cfg, err) < 0) {
		log_error("%s", err);
		config_free(&cfg);
		return 2;
	}

	struct ruleset *rs = cfg.nrule_paths || cfg.nlist_paths
		? rules_load_named(cfg.rule_paths, cfg.rule_where, cfg.nrule_paths,
				   cfg.list_paths, cfg.list_where, cfg.nlist_paths, err)
		: rules_load_embedded(err);
	if (!rs) {
		log_error("%s", err);
		config_free(&cfg);
		return 2;
	}
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
	struct sink sink = { 0 };
	sink.alerts = open_output(cfg.alerts_path);
	sink.names = open_output(cfg.names_path);
	struct outputs outs = { &sink, cfg.alerts_path, cfg.names_path };
	if ((cfg.alerts_path && *cfg.alerts_path && !sink.alerts) ||
	    (cfg.names_path && *cfg.names_path && !sink.names)) {
		rules_free(rs);
		config_free(&cfg);
		return 2;
	}
	sink.store = alert_store_new(cfg.alert_ring);

	char cerr[CAPTURE_ERR_MAX];
	struct capture *cap = cfg.read_file ? capture_open_file(cfg.read_file, cfg.bpf, cerr)
					    : capture_open_live(&cfg, cerr);
	static struct worker w;
	struct http_server *http = NULL;
	struct http_view view = { 0 };
	if (!cap) {
		log_error("%s", cerr);
		status = 2;
		goto out;
	}
	if (!decode_linktype_supported(capture_datalink(cap)))
		log_warn("%s: link type %s (%d) is not decoded: packets are counted, not inspected",
			 cfg.read_file, decode_linktype_name(capture_datalink(cap)), capture_datalink(cap));
	if (!sink.store || worker_init(&w, &cfg, rs, &sink) < 0) {
		log_error("out of memory for %u flows and %u stream buffers", cfg.flow_max, cfg.stream_buffers);
		status = 1;
		goto out;
	}

	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	view.store = sink.store;
	view.stats = &w.stats;
	view.cap = cap;
	view.rules = rs;
	view.mode = cfg.read_file ? "replay" : "live";
	view.input = cfg.read_file ? cfg.read_file : cfg.interface;
	view.started_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	if (cfg.http_enabled) {
		char herr[HTTP_ERR_MAX];
		/* The HTTP thread inherits a mask without the stop signals, so
		 * they are always taken by this thread (the one that waits). */
		sigset_t block, old;
		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGTERM);
		sigaddset(&block, SIGHUP);
		pthread_sigmask(SIG_BLOCK, &block, &old);
		http = http_start(cfg.http_listen, &view, herr);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (!http) {
			log_error("http: %s", herr);
			status = 2;
			goto out;
		}
		log_info("http api on http://%s/", cfg.http_listen);
	}
	log_info("%s %s (%s), %zu rules, %zu domains", view.mode, view.input,
		 decode_linktype_name(capture_datalink(cap)), rs->nrules, matcher_entries(rs->matcher));

	bool progress = cfg.read_file && !quiet && isatty(STDERR_FILENO);
	if (capture_run(cap, &w, &stop, progress, housekeeping, &outs, cerr) < 0) {
		log_error("%s", cerr);
		status = 1;
	}
	worker_finish(&w);
	fflush(NULL);
	atomic_store(&view.input_done, true);
	if (cfg.read_file && cfg.serve_after_replay && http && !stop) {
		log_info("replay done; serving until stopped");
		/* Block the stop signals while testing the flag, so that one
		 * arriving in between still ends the wait. */
		sigset_t block, old;
		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGTERM);
		sigprocmask(SIG_BLOCK, &block, &old);
		while (!stop)
			sigsuspend(&old);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	log_info("%llu packets, %llu names, %llu alerts",
		 (unsigned long long)stat_get(&w.stats, ST_packets),
		 (unsigned long long)(stat_get(&w.stats, ST_names_dns) + stat_get(&w.stats, ST_names_tls)),
		 (unsigned long long)stat_get(&w.stats, ST_alerts));
out:
	http_stop(http);
	worker_free(&w);
	capture_close(cap);
	if (sink.alerts && sink.alerts != stdout)
		fclose(sink.alerts);
	if (sink.names && sink.names != stdout)
		fclose(sink.names);
	fflush(stdout);
	alert_store_free(sink.store);
	rules_free(rs);
	config_free(&cfg);
	return status;
}
