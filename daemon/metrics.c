/* metrics.c — GET /metrics: every counter and gauge in the Prometheus text
 * exposition format 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats),
 * each family with its HELP and TYPE lines, names prefixed "c2watchd_". */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http.h"

void tb_printf(struct tbuf *t, const char *fmt, ...)
{
	if (t->overflow)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->cap - t->len) {
		t->overflow = true;
		return;
	}
	t->len += (size_t)n;
}

/* HELP text: backslash and newline escaped (the format's only escapes there). */
static void help_line(struct tbuf *t, const char *name, const char *help)
{
	tb_printf(t, "# HELP c2watchd_%s ", name);
	for (const char *p = help; *p; p++) {
		if (*p == '\\')
			tb_printf(t, "\\\\");
		else if (*p == '\n')
			tb_printf(t, "\\n");
		else
			tb_printf(t, "%c", *p);
	}
	tb_printf(t, "\n");
}

/* A family of one sample without labels. */
static void one(struct tbuf *t, const char *name, const char *type, const char *help, uint64_t v)
{
	help_line(t, name, help);
	tb_printf(t, "# TYPE c2watchd_%s %s\nc2watchd_%s %llu\n", name, type, name,
		  (unsigned long long)v);
}

static uint64_t sum(const struct http_view *v, int id)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < v->nstats; i++)
		n += stat_get(v->stats[i], (enum stat_id)id);
	return n;
}

/* Label values: backslash, double quote and newline escaped. */
static void label_value(struct tbuf *t, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			tb_printf(t, "\\%c", *s);
		else if (*s == '\n')
			tb_printf(t, "\\n");
		else
			tb_printf(t, "%c", *s);
	}
}

void metrics_format(const struct http_view *v, const struct http_counters *hc, struct tbuf *t)
{
	char name[96];

	/* stats.h: counters get "_total", as the format's conventions ask */
	for (int i = 0; i < ST__COUNT; i++) {
		if (stat_info[i].gauge) {
			one(t, stat_info[i].name, "gauge", stat_info[i].help, sum(v, i));
		} else {
			snprintf(name, sizeof name, "%s_total", stat_info[i].name);
			one(t, name, "counter", stat_info[i].help, sum(v, i));
		}
	}

	struct capture_counters cc = { 0, 0, 0 };
	for (unsigned k = 0; k < v->ncaps; k++) {
		struct capture_counters c1;
		capture_counters(v->caps[k], &c1);
		cc.received += c1.received;
		cc.dropped += c1.dropped;
		cc.if_dropped += c1.if_dropped;
	}
	one(t, "capture_kernel_received_total", "counter",
	    "packets the kernel handed to the capture (libpcap ps_recv)", cc.received);
	one(t, "capture_kernel_dropped_total", "counter",
	    "packets the kernel dropped because the capture buffer was full (ps_drop)", cc.dropped);
	one(t, "capture_interface_dropped_total", "counter",
	    "packets the interface or its driver dropped (ps_ifdrop)", cc.if_dropped);
	one(t, "workers", "gauge", "worker threads", v->workers);

	struct alert_store_health ah;
	alert_store_health(v->store, &ah);
	one(t, "alert_store_stored_total", "counter", "alerts stored (ids assigned) since start",
	    ah.stored);
	one(t, "alert_store_written_total", "counter", "alerts appended to the alert log", ah.written);
	one(t, "alert_store_write_errors_total", "counter",
	    "alert log appends that failed (the alert is kept in memory)", ah.write_errors);
	one(t, "alert_store_rotations_total", "counter", "alert log files rotated", ah.rotations);
	one(t, "alert_store_deduplicated_total", "counter",
	    "repeated alerts folded into an earlier one", ah.deduplicated);
	one(t, "alert_store_loaded_total", "counter", "alerts loaded back from the log at start",
	    ah.loaded);
	one(t, "alert_store_torn_total", "counter", "alert log lines skipped at load (torn by a crash)",
	    ah.torn);
	one(t, "alert_log_written_id", "gauge",
	    "alerts up to this id are in the alert log file (they survive the daemon killed)",
	    ah.written_id);
	one(t, "alert_log_synced_id", "gauge",
	    "alerts up to this id are fsync'd to the disk (they survive the machine's loss)",
	    ah.synced_id);
	one(t, "alert_log_ok", "gauge", "1 while the alert log can be written, 0 when it cannot",
	    ah.log_ok ? 1 : 0);
	one(t, "alert_last_id", "gauge", "newest alert id assigned", alert_store_last_id(v->store));

	uint64_t loaded_ns;
	const struct ruleset *rs = http_view_rules(v, &loaded_ns);
	one(t, "rules", "gauge", "rules loaded", rs->nrules);
	one(t, "rule_domains", "gauge", "domain entries in the matcher",
	    matcher_entries(rs->matcher));
	http_view_rules_put(v);
	one(t, "rules_loaded_timestamp_seconds", "gauge", "when the rules were loaded (Unix time)",
	    loaded_ns / 1000000000ull);
	if (v->reload) {
		struct reload_status st;
		reload_status(v->reload, &st);
		one(t, "reloads_total", "counter",
		    "reloads of the configuration and rules that took effect", st.reloads);
		one(t, "reload_failures_total", "counter",
		    "reloads refused for an error in a file (the running rules kept)", st.failures);
		one(t, "reload_last_timestamp_seconds", "gauge",
		    "when the last reload ended (Unix time, 0: none)", st.last_ns / 1000000000ull);
		one(t, "reload_last_ok", "gauge",
		    "1 when the last reload took effect, 0 when it failed or none yet",
		    st.last_ns && st.last_ok ? 1 : 0);
	}

	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	uint64_t now_s = (uint64_t)now.tv_sec;
	one(t, "start_time_seconds", "gauge", "when the daemon started (Unix time)",
	    v->started_ns / 1000000000ull);
	one(t, "uptime_seconds", "gauge", "seconds since the daemon started",
	    now_s - v->started_ns / 1000000000ull);
	one(t, "input_done", "gauge", "1 once a replayed file has been read to its end",
	    atomic_load(&v->input_done) ? 1 : 0);

	one(t, "http_requests_total", "counter", "HTTP requests answered", atomic_load(&hc->requests));
	help_line(t, "http_responses_total", "HTTP responses by status class");
	tb_printf(t, "# TYPE c2watchd_http_responses_total counter\n");
	for (int k = 2; k <= 5; k++)
		tb_printf(t, "c2watchd_http_responses_total{class=\"%dxx\"} %llu\n", k,
			  (unsigned long long)atomic_load(&hc->by_class[k]));
	one(t, "http_unauthorized_total", "counter", "HTTP requests refused for a missing or wrong token",
	    atomic_load(&hc->unauthorized));
	one(t, "http_gzip_total", "counter", "HTTP responses sent gzip-compressed", atomic_load(&hc->gzip));
	one(t, "http_streams", "gauge", "event-stream clients connected now", atomic_load(&hc->streams));
	one(t, "http_streams_refused_total", "counter",
	    "event-stream requests refused because http.max-streams were connected",
	    atomic_load(&hc->streams_refused));

	help_line(t, "build_info", "version of the running c2watchd (the value is always 1)");
	tb_printf(t, "# TYPE c2watchd_build_info gauge\nc2watchd_build_info{version=\"");
	label_value(t, v->version ? v->version : "");
	tb_printf(t, "\"} 1\n");
}
