/* http.c — GET /api/v1/alerts, /api/v1/stats, /healthz as JSON. */
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "http.h"
#include "json.h"
#include "log.h"
#include "page.h"

#define ALERTS_DEFAULT_LIMIT 100
#define ALERTS_MAX_LIMIT 1000

struct http_server {
	struct MHD_Daemon *mhd;
	struct http_view *view;
};

int http_split_listen(const char *listen, char *host, size_t hostcap, char *port, size_t portcap)
{
	const char *colon;
	const char *h = listen;
	size_t hlen;

	if (*listen == '[') {
		const char *close = strchr(listen, ']');
		if (!close || close[1] != ':')
			return -1;
		h = listen + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon || strchr(listen, ':') != colon)
			return -1;
		hlen = (size_t)(colon - listen);
	}
	const char *p = colon + 1;
	size_t plen = strlen(p);
	if (hlen == 0 || hlen >= hostcap || plen == 0 || plen >= portcap ||
	    strspn(p, "0123456789") != plen || atoi(p) < 1 || atoi(p) > 65535)
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	memcpy(port, p, plen + 1);
	return 0;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status,
				 const char *body, size_t len, bool must_free)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body,
		must_free ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_MUST_COPY);
	if (!r) {
		if (must_free)
			free((void *)body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
	char buf[512];
	struct jbuf j;
	jb_init(&j, buf, sizeof buf);
	jb_obj_open(&j);
	jb_key(&j, "error");
	jb_obj_open(&j);
	jb_ku64(&j, "status", status);
	jb_kstr(&j, "message", msg);
	jb_obj_close(&j);
	jb_obj_close(&j);
	jb_raw(&j, "\n", 1);
	return send_json(c, status, buf, j.len, false);
}

/* Send a JSON body built in the malloc'd buf (which this frees). */
static enum MHD_Result send_body(struct MHD_Connection *c, struct jbuf *j, char *buf)
{
	jb_raw(j, "\n", 1);
	if (j->overflow) {
		free(buf);
		return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "response too large");
	}
	return send_json(c, MHD_HTTP_OK, buf, j->len, true);
}

/* A decimal query parameter; -1 when present but not a number in range. */
static int query_u64(struct MHD_Connection *c, const char *name, uint64_t lo, uint64_t hi,
		     uint64_t *out)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
	if (!v)
		return 0;
	if (!*v || strlen(v) > 20 || strspn(v, "0123456789") != strlen(v))
		return -1;
	errno = 0;
	unsigned long long n = strtoull(v, NULL, 10);
	if (errno || n < lo || n > hi)
		return -1;
	*out = n;
	return 1;
}

static enum MHD_Result get_alerts(struct MHD_Connection *c, struct http_view *v)
{
	uint64_t since = 0, limit = ALERTS_DEFAULT_LIMIT;
	if (query_u64(c, "since", 0, UINT64_MAX, &since) < 0)
		return send_error(c, MHD_HTTP_BAD_REQUEST, "'since' must be an alert id (a decimal integer)");
	if (query_u64(c, "limit", 1, ALERTS_MAX_LIMIT, &limit) < 0)
		return send_error(c, MHD_HTTP_BAD_REQUEST, "'limit' must be an integer from 1 to 1000");

	struct alert_page pg;
	size_t plen;
	char *page = alert_store_page(v->store, since, (size_t)limit, &pg, &plen);
	if (!page)
		return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	size_t cap = plen + 512;
	char *buf = malloc(cap);
	if (!buf) {
		free(page);
		return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	}
	struct jbuf j;
	jb_init(&j, buf, cap);
	jb_obj_open(&j);
	jb_key(&j, "alerts");
	jb_arr_open(&j);
	jb_raw(&j, page, plen);
	free(page);
	jb_arr_close(&j);
	jb_ku64(&j, "count", pg.count);
	jb_ku64(&j, "next", pg.next);
	jb_ku64(&j, "first_id", pg.first_id);
	jb_ku64(&j, "last_id", pg.last_id);
	jb_ku64(&j, "missed", pg.missed);
	jb_obj_close(&j);
	return send_body(c, &j, buf);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t stat_sum(const struct http_view *v, enum stat_id id)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < v->nstats; i++)
		n += stat_get(v->stats[i], id);
	return n;
}

/* Encrypted 802.11 frames by BSSID, merged over the workers, most frames
 * first; at most HTTP_MAX_BSSIDS, so that the body stays bounded. */
#define HTTP_MAX_BSSIDS 64

static bool put_wifi_encrypted(struct jbuf *j, const struct http_view *v)
{
	size_t cap = (size_t)v->nstats * BSSID_TABLE_SIZE;
	const struct bssid_table **t = malloc(v->nstats * sizeof *t);
	struct bssid_total *tot = malloc(cap * sizeof *tot);
	if (!t || !tot) {
		free(t);
		free(tot);
		return false;
	}
	for (unsigned i = 0; i < v->nstats; i++)
		t[i] = &v->stats[i]->wifi_encrypted;
	size_t n = bssid_merge(t, v->nstats, tot, cap);
	jb_key(j, "wifi_encrypted");
	jb_arr_open(j);
	for (size_t i = 0; i < n && i < HTTP_MAX_BSSIDS; i++) {
		const uint8_t *b = tot[i].bssid;
		char mac[18];
		snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x",
			 b[0], b[1], b[2], b[3], b[4], b[5]);
		jb_obj_open(j);
		jb_kstr(j, "bssid", mac);
		jb_ku64(j, "frames", tot[i].frames);
		jb_ku64(j, "bytes", tot[i].bytes);
		jb_obj_close(j);
	}
	jb_arr_close(j);
	free(t);
	free(tot);
	return true;
}

static enum MHD_Result get_stats(struct MHD_Connection *c, struct http_view *v)
{
	char *buf = malloc(16384);
	if (!buf)
		return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	struct jbuf j;
	jb_init(&j, buf, 16384);
	jb_obj_open(&j);
	jb_kstr(&j, "mode", v->mode);
	jb_kstr(&j, "input", v->input);
	jb_ku64(&j, "uptime_s", (now_ns() - v->started_ns) / 1000000000ull);
	jb_kbool(&j, "input_done", atomic_load(&v->input_done));

	static const char *const groups[] = { "capture", "decode", "flow", "stream", "app", "output" };
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		jb_key(&j, groups[g]);
		jb_obj_open(&j);
		for (int i = 0; i < ST__COUNT; i++)
			if (strcmp(stat_info[i].group, groups[g]) == 0)
				jb_ku64(&j, stat_info[i].name, stat_sum(v, (enum stat_id)i));
		if (g == 0) {
			struct capture_counters cc = { 0, 0, 0 };
			for (unsigned k = 0; k < v->ncaps; k++) {
				struct capture_counters one;
				capture_counters(v->caps[k], &one);
				cc.received += one.received;
				cc.dropped += one.dropped;
				cc.if_dropped += one.if_dropped;
			}
			jb_ku64(&j, "workers", v->workers);
			jb_ku64(&j, "kernel_received", cc.received);
			jb_ku64(&j, "kernel_dropped", cc.dropped);
			jb_ku64(&j, "interface_dropped", cc.if_dropped);
		}
		jb_obj_close(&j);
	}
	jb_key(&j, "rules");
	jb_obj_open(&j);
	jb_ku64(&j, "rules", v->rules->nrules);
	jb_ku64(&j, "domains", matcher_entries(v->rules->matcher));
	jb_obj_close(&j);
	if (!put_wifi_encrypted(&j, v)) {
		free(buf);
		return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	}
	jb_ku64(&j, "last_alert_id", alert_store_last_id(v->store));
	alert_store_health_json(v->store, &j);
	jb_obj_close(&j);
	return send_body(c, &j, buf);
}

static enum MHD_Result get_health(struct MHD_Connection *c, struct http_view *v)
{
	char buf[1024];
	struct jbuf j;
	jb_init(&j, buf, sizeof buf);
	jb_obj_open(&j);
	jb_kstr(&j, "status", "ok");
	jb_kstr(&j, "mode", v->mode);
	jb_kbool(&j, "input_done", atomic_load(&v->input_done));
	alert_store_health_json(v->store, &j);
	jb_obj_close(&j);
	jb_raw(&j, "\n", 1);
	return send_json(c, MHD_HTTP_OK, buf, j.len, false);
}

/* GET /: the dashboard.  Static and holding no data, so it is served without
 * a token: the page asks for one when the API answers 401. */
static enum MHD_Result send_page(struct MHD_Connection *c)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(embedded_page_len,
		(void *)embedded_page_html, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
	MHD_add_response_header(r, "Content-Security-Policy", page_csp());
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **req_cls)
{
	struct http_server *h = cls;

	/* First call per request: headers only.  No endpoint takes a body, so
	 * one is refused now, before it is read (the connection then closes). */
	if (!*req_cls) {
		*req_cls = h;
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
		if (te || (cl && strcmp(cl, "0") != 0))
			return send_error(c, 413, "request bodies are not accepted");
		return MHD_YES;
	}
	if (*upload_size) {             /* not reached: refused above */
		*upload_size = 0;
		return MHD_YES;
	}
	bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0)
		return get ? send_page(c)
			   : send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET is supported here");
	bool known = strcmp(url, "/api/v1/alerts") == 0 || strcmp(url, "/api/v1/stats") == 0 ||
		     strcmp(url, "/healthz") == 0;
	if (!known)
		return send_error(c, MHD_HTTP_NOT_FOUND, "no such endpoint");
	if (!get)
		return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET is supported here");
	if (strcmp(url, "/api/v1/alerts") == 0)
		return get_alerts(c, h->view);
	if (strcmp(url, "/api/v1/stats") == 0)
		return get_stats(c, h->view);
	return get_health(c, h->view);
}

/* libmicrohttpd's own messages; its format strings are its own. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	vsnprintf(line, sizeof line, fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_warn("http: %s", line);
}
#pragma GCC diagnostic pop

struct http_server *http_start(const char *listen, struct http_view *view, char err[HTTP_ERR_MAX])
{
	char host[256], port[8];
	if (http_split_listen(listen, host, sizeof host, port, sizeof port) < 0) {
		snprintf(err, HTTP_ERR_MAX, "listen address '%s': expected ADDR:PORT or [ADDR]:PORT", listen);
		return NULL;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV | AI_PASSIVE };
	struct addrinfo *ai;
	int gr = getaddrinfo(host, port, &hints, &ai);
	if (gr != 0) {
		snprintf(err, HTTP_ERR_MAX, "listen address '%s': %s", listen, gai_strerror(gr));
		return NULL;
	}
	struct http_server *h = calloc(1, sizeof *h);
	if (!h) {
		freeaddrinfo(ai);
		snprintf(err, HTTP_ERR_MAX, "out of memory");
		return NULL;
	}
	h->view = view;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				  MHD_OPTION_SOCK_ADDR, ai->ai_addr,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)16,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
				  MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!h->mhd) {
		snprintf(err, HTTP_ERR_MAX, "cannot listen on %s (address in use or not available)", listen);
		free(h);
		return NULL;
	}
	return h;
}

void http_stop(struct http_server *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->mhd);
	free(h);
}
