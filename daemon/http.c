/* http.c — the HTTP API server: access (tokens, loopback, TLS, CORS), one
 * JSON error shape, gzip, limits, and the endpoints under /api/v1.
 *
 * Threading: libmicrohttpd gives every connection a thread of its own
 * (MHD_USE_THREAD_PER_CONNECTION), bounded by http.max-connections.  A
 * long-poll or an event stream then simply blocks its own thread in
 * alert_store_wait(), and a client that stalls holds only its own thread
 * until http.timeout; suspend/resume would need a wake-up path from the
 * alert store into MHD's loop, which this avoids.  The capture side never
 * waits for anything here: the alert store's lock is held only to copy a
 * page, and recent names are read without a lock (recent.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <zlib.h>

#include "affinity.h"
#include "eve.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "page.h"
#include "tokens.h"

#define ALERTS_DEFAULT_LIMIT 100
#define ALERTS_MAX_LIMIT 1000
#define WAIT_MAX_S 60             /* longest long-poll */
#define WAIT_SLICE_MS 250         /* how often a waiting thread looks at `stopping` */
#define STREAM_KEEPALIVE_MS 15000 /* SSE comment when nothing else was sent */
#define STREAM_BUF (WORKER_LINE + 256)  /* one alert event, the most a stream holds */
#define GZIP_MIN 1024             /* smaller bodies go as they are */
#define QUERY_MAX 4096            /* bytes of query parameters */
#define NAMES_DEFAULT_LIMIT 100
#define NAMES_MAX_LIMIT 1000
#define TOP_DEFAULT_LIMIT 10
#define TOP_MAX_LIMIT 100
#define FILE_MAX (1 << 20)        /* TLS certificate and key files */

struct http_server {
	struct MHD_Daemon *mhd;
	struct http_view *view;
	struct tokens *tokens;        /* NULL: no token file, no authentication */
	pthread_mutex_t tokens_lock;  /* a reload replaces *tokens in place */
	const char *cors;             /* NULL: no CORS headers */
	unsigned max_streams;
	atomic_bool stopping;
	struct http_counters ctr;
	char *tls_cert, *tls_key;
	/* /api/v1/names and /top copy the window here, one request at a time */
	pthread_mutex_t scratch_lock;
	struct recent_rec *scratch;
	const struct recent_rec **order;
	size_t scratch_cap;
};

struct hdr {
	const char *name, *value;
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

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- responses ---- */

/* Does Accept-Encoding (RFC 9110 §12.5.3) take gzip?  "gzip", "x-gzip" or
 * "*", unless its q is 0. */
static bool accepts_gzip(struct MHD_Connection *c)
{
	const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (!ae)
		return false;
	while (*ae) {
		size_t n = strcspn(ae, ",");
		const char *item = ae, *end = ae + n;
		ae = *end ? end + 1 : end;
		while (item < end && (*item == ' ' || *item == '\t'))
			item++;
		size_t nlen = strcspn(item, ";, \t");
		if (item + nlen > end)
			nlen = (size_t)(end - item);
		bool name = (nlen == 4 && strncasecmp(item, "gzip", 4) == 0) ||
			    (nlen == 6 && strncasecmp(item, "x-gzip", 6) == 0) ||
			    (nlen == 1 && *item == '*');
		if (!name)
			continue;
		const char *q = item + nlen;
		while (q < end && (*q == ' ' || *q == ';' || *q == '\t'))
			q++;
		if (q + 2 <= end && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
			bool nonzero = false;
			for (const char *d = q + 2; d < end && ((*d >= '0' && *d <= '9') || *d == '.'); d++)
				nonzero |= *d >= '1' && *d <= '9';
			if (!nonzero)
				continue;
		}
		return true;
	}
	return false;
}

/* gzip (RFC 1952) of in[0..len) with zlib, in a malloc'd buffer; NULL on
 * failure (then the body goes uncompressed).  Level 1: these are JSON and
 * text, which compress well even so, and the CPU is the capture's too. */
static char *gzip_body(const char *in, size_t len, size_t *out_len)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	uLong cap = deflateBound(&z, (uLong)len);
	char *out = malloc(cap);
	if (!out) {
		deflateEnd(&z);
		return NULL;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	*out_len = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(out);
		return NULL;
	}
	return out;
}

static void common_headers(struct http_server *h, struct MHD_Response *r)
{
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (h->cors) {
		MHD_add_response_header(r, "Access-Control-Allow-Origin", h->cors);
		MHD_add_response_header(r, "Access-Control-Expose-Headers", "Content-Encoding");
	}
}

static enum MHD_Result queue(struct http_server *h, struct MHD_Connection *c, unsigned status,
			     struct MHD_Response *r)
{
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	if (status >= 200 && status < 600)
		atomic_fetch_add(&h->ctr.by_class[status / 100], 1);
	if (status == MHD_HTTP_UNAUTHORIZED)
		atomic_fetch_add(&h->ctr.unauthorized, 1);
	return ret;
}

/* Send body (len bytes; freed here when must_free), gzip'd when the client
 * takes it and it is worth it, with extra headers (NULL-terminated). */
static enum MHD_Result send_body(struct http_server *h, struct MHD_Connection *c, unsigned status,
				 const char *ctype, char *body, size_t len, bool must_free,
				 const struct hdr *extra)
{
	bool gz = false;
	if (len >= GZIP_MIN && accepts_gzip(c)) {
		size_t zlen;
		char *z = gzip_body(body, len, &zlen);
		if (z) {
			if (must_free)
				free(body);
			body = z;
			len = zlen;
			must_free = true;
			gz = true;
		}
	}
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body,
		must_free ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_MUST_COPY);
	if (!r) {
		if (must_free)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", ctype);
	MHD_add_response_header(r, "Vary", h->cors && strcmp(h->cors, "*") != 0 ?
				"Accept-Encoding, Origin" : "Accept-Encoding");
	if (gz) {
		MHD_add_response_header(r, "Content-Encoding", "gzip");
		atomic_fetch_add(&h->ctr.gzip, 1);
	}
	common_headers(h, r);
	for (; extra && extra->name; extra++)
		MHD_add_response_header(r, extra->name, extra->value);
	return queue(h, c, status, r);
}

/* {"error":{"status":N,"message":"...","parameter":"..."}} */
static enum MHD_Result send_error_hdr(struct http_server *h, struct MHD_Connection *c,
				      unsigned status, const char *param, const char *msg,
				      const struct hdr *extra)
{
	char buf[768];
	struct jbuf j;
	jb_init(&j, buf, sizeof buf);
	jb_obj_open(&j);
	jb_key(&j, "error");
	jb_obj_open(&j);
	jb_ku64(&j, "status", status);
	jb_kstr(&j, "message", msg);
	if (param)
		jb_kstr(&j, "parameter", param);
	jb_obj_close(&j);
	jb_obj_close(&j);
	jb_raw(&j, "\n", 1);
	return send_body(h, c, status, "application/json", buf, j.len, false, extra);
}

static enum MHD_Result send_error(struct http_server *h, struct MHD_Connection *c, unsigned status,
				  const char *msg)
{
	return send_error_hdr(h, c, status, NULL, msg, NULL);
}

static enum MHD_Result bad_param(struct http_server *h, struct MHD_Connection *c, const char *param,
				 const char *msg)
{
	return send_error_hdr(h, c, MHD_HTTP_BAD_REQUEST, param, msg, NULL);
}

/* A JSON body built in the malloc'd buf (freed here). */
static enum MHD_Result send_json(struct http_server *h, struct MHD_Connection *c, unsigned status,
				 struct jbuf *j, char *buf)
{
	jb_raw(j, "\n", 1);
	if (j->overflow) {
		free(buf);
		return send_error(h, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "response too large");
	}
	return send_body(h, c, status, "application/json", buf, j->len, true, NULL);
}

/* ---- query parameters ---- */

/* Query parameters are looked up through a struct http_args, so that the
 * parsers below also take a plain key/value table (the fuzzer, the tests). */
static const char *mhd_arg(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static const char *arg(const struct http_args *a, const char *name)
{
	return a->get(a->ctx, name);
}

/* A decimal number in [lo, hi]: 1 found, 0 absent, -1 present and wrong. */
static int parse_u64(const char *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (!*v || strlen(v) > 20 || strspn(v, "0123456789") != strlen(v))
		return -1;
	errno = 0;
	unsigned long long n = strtoull(v, NULL, 10);
	if (errno || n < lo || n > hi)
		return -1;
	*out = n;
	return 1;
}

static int query_u64(const struct http_args *c, const char *name, uint64_t lo, uint64_t hi,
		     uint64_t *out)
{
	const char *v = arg(c, name);
	return v ? parse_u64(v, lo, hi, out) : 0;
}

/* A time: Unix seconds ("1685613600", "1685613600.25") or RFC 3339
 * ("2023-06-01T10:00:00Z", "2023-06-01T12:00:00.5+02:00"). */
static bool parse_time(const char *s, uint64_t *ns)
{
	uint64_t sec = 0, frac = 0, scale = 1000000000ull;
	size_t digits = strspn(s, "0123456789");
	const char *p;
	bool rfc3339 = !(digits >= 1 && (s[digits] == '\0' || s[digits] == '.'));
	if (!rfc3339) {
		if (digits > 11)
			return false;
		for (size_t i = 0; i < digits; i++)
			sec = sec * 10 + (uint64_t)(s[i] - '0');
		p = s + digits;
	} else {
		struct tm tm;
		memset(&tm, 0, sizeof tm);
		if (digits != 4 || strlen(s) < 20 || s[4] != '-' || s[7] != '-' ||
		    (s[10] != 'T' && s[10] != 't'))
			return false;
		p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
		if (!p || p != s + 19)
			return false;
		time_t t = timegm(&tm);
		if (t < 0)
			return false;
		sec = (uint64_t)t;
	}
	if (*p == '.') {
		p++;
		size_t n = strspn(p, "0123456789");
		if (n == 0 || n > 9)
			return false;
		for (size_t i = 0; i < n; i++) {
			scale /= 10;
			frac += (uint64_t)(p[i] - '0') * scale;
		}
		p += n;
	}
	if (rfc3339) {
		/* RFC 3339 §5.6: time-offset is Z or +hh:mm / -hh:mm */
		if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
			p++;
		} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
			   strspn(p + 1, "0123456789") == 2 && strspn(p + 4, "0123456789") == 2) {
			uint64_t off = (uint64_t)((p[1] - '0') * 10 + (p[2] - '0')) * 3600 +
				       (uint64_t)((p[4] - '0') * 10 + (p[5] - '0')) * 60;
			if (*p == '-')
				sec += off;
			else if (off > sec)
				return false;
			else
				sec -= off;
			p += 6;
		} else {
			return false;
		}
	}
	if (*p)
		return false;
	*ns = sec * 1000000000ull + frac;
	return true;
}

/* A name as the API takes it: printable ASCII without spaces, at most 253
 * bytes once a trailing dot is dropped; lower-cased into out. */
static bool parse_name(const char *v, char *out, size_t cap)
{
	size_t n = strlen(v);
	if (n && v[n - 1] == '.')
		n--;
	if (n == 0 || n > 253 || n >= cap)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = v[i];
		if (ch < 0x21 || ch > 0x7e)
			return false;
		out[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	out[n] = '\0';
	return true;
}

struct arg_check {
	const char *const *allowed;
	const char *unknown;
	size_t bytes;
};

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	struct arg_check *ac = cls;
	ac->bytes += strlen(key) + (value ? strlen(value) : 0) + 2;
	for (const char *const *a = ac->allowed; *a; a++)
		if (strcmp(*a, key) == 0)
			return MHD_YES;
	if (!ac->unknown)
		ac->unknown = key;
	return MHD_YES;
}

/* ---- alerts ---- */

static const char *const alert_args[] = {
	"since", "before", "limit", "order", "severity", "rule", "src", "name", "from", "to",
	"wait", NULL,
};
static const char *const stream_args[] = {
	"since", "severity", "rule", "src", "name", "from", "to", NULL,
};

/* The filters /alerts and /alerts/stream share; on error *bad names the
 * parameter and *why says what it must be. */
int http_parse_filters(const struct http_args *c, struct http_alert_params *ap, const char **bad,
		       const char **why)
{
	const char *v;
	uint64_t n;

	if ((v = arg(c, "severity"))) {
		static const char *const sev[] = { "high", "medium", "low", "info" };
		ap->q.severity_max = 0;
		for (unsigned i = 0; i < 4; i++)
			if (strcasecmp(v, sev[i]) == 0)
				ap->q.severity_max = (uint8_t)(i + 1);
		if (!ap->q.severity_max && parse_u64(v, 1, 4, &n) == 1)
			ap->q.severity_max = (uint8_t)n;
		if (!ap->q.severity_max) {
			*bad = "severity";
			*why = "'severity' must be high, medium, low or info (or 1 to 4): "
			       "alerts of that severity or higher";
			return -1;
		}
	}
	if ((v = arg(c, "rule"))) {
		if (parse_u64(v, 1, UINT32_MAX, &n) != 1) {
			*bad = "rule";
			*why = "'rule' must be a rule id (an integer from 1 to 4294967295)";
			return -1;
		}
		ap->q.rule_id = (uint32_t)n;
	}
	if ((v = arg(c, "src"))) {
		unsigned char a[16];
		int fam = strchr(v, ':') ? AF_INET6 : AF_INET;
		if (inet_pton(fam, v, a) != 1 || !inet_ntop(fam, a, ap->src, sizeof ap->src)) {
			*bad = "src";
			*why = "'src' must be an IPv4 or IPv6 address";
			return -1;
		}
		ap->q.src = ap->src;
	}
	if ((v = arg(c, "name"))) {
		if (!parse_name(v, ap->name, sizeof ap->name)) {
			*bad = "name";
			*why = "'name' must be a domain name (1 to 253 printable characters, no spaces)";
			return -1;
		}
		ap->q.name_suffix = ap->name;
	}
	const char *tnames[2] = { "from", "to" };
	uint64_t *tv[2] = { &ap->q.from_ns, &ap->q.to_ns };
	for (int i = 0; i < 2; i++) {
		if ((v = arg(c, tnames[i])) && !parse_time(v, tv[i])) {
			*bad = tnames[i];
			*why = i == 0 ? "'from' must be a time: Unix seconds or RFC 3339 (2023-06-01T10:00:00Z)"
				      : "'to' must be a time: Unix seconds or RFC 3339 (2023-06-01T10:00:00Z)";
			return -1;
		}
	}
	if (ap->q.from_ns && ap->q.to_ns && ap->q.to_ns < ap->q.from_ns) {
		*bad = "to";
		*why = "'to' is before 'from'";
		return -1;
	}
	return 0;
}

int http_parse_alert_params(const struct http_args *c, struct http_alert_params *ap,
			    const char **bad, const char **why)
{
	const char *v;
	uint64_t n;

	memset(ap, 0, sizeof *ap);
	ap->q.limit = ALERTS_DEFAULT_LIMIT;
	if (query_u64(c, "since", 0, UINT64_MAX, &ap->q.since) < 0) {
		*bad = "since";
		*why = "'since' must be an alert id (a decimal integer)";
		return -1;
	}
	if (query_u64(c, "before", 1, UINT64_MAX, &ap->q.before) < 0) {
		*bad = "before";
		*why = "'before' must be an alert id from 1 up";
		return -1;
	}
	if (query_u64(c, "limit", 1, ALERTS_MAX_LIMIT, &n) < 0) {
		*bad = "limit";
		*why = "'limit' must be an integer from 1 to 1000";
		return -1;
	}
	if (arg(c, "limit"))
		ap->q.limit = (size_t)n;
	ap->q.newest_first = arg(c, "before") != NULL;
	if ((v = arg(c, "order"))) {
		if (strcmp(v, "newest") == 0) {
			ap->q.newest_first = true;
		} else if (strcmp(v, "oldest") == 0) {
			ap->q.newest_first = false;
		} else {
			*bad = "order";
			*why = "'order' must be oldest (ids after 'since') or newest (ids before 'before')";
			return -1;
		}
	}
	if (ap->q.newest_first && arg(c, "since")) {
		*bad = "since";
		*why = "'since' goes with order=oldest; newest first pages with 'before'";
		return -1;
	}
	if (!ap->q.newest_first && arg(c, "before")) {
		*bad = "before";
		*why = "'before' goes with order=newest; oldest first pages with 'since'";
		return -1;
	}
	if (query_u64(c, "wait", 0, WAIT_MAX_S, &ap->wait_s) < 0) {
		*bad = "wait";
		*why = "'wait' must be seconds from 0 to 60";
		return -1;
	}
	if (ap->wait_s && ap->q.newest_first) {
		*bad = "wait";
		*why = "'wait' goes with order=oldest: it waits for alerts after 'since'";
		return -1;
	}
	return http_parse_filters(c, ap, bad, why);
}

/* Has the client hung up?  Looked at while waiting, so that a long-poll or
 * a stream whose client left frees its thread (and its http.max-streams
 * place) without waiting for the next write to fail. */
static bool client_gone(int fd)
{
	if (fd < 0)
		return false;
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

static int conn_fd(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	return ci ? ci->connect_fd : -1;
}

static enum MHD_Result get_alerts(struct http_server *h, struct MHD_Connection *c)
{
	struct http_view *v = h->view;
	struct http_alert_params ap;
	const char *bad, *why;
	const struct http_args args = { mhd_arg, c };
	if (http_parse_alert_params(&args, &ap, &bad, &why) < 0)
		return bad_param(h, c, bad, why);

	/* Long-poll: query, and while nothing comes back, wait for an alert
	 * newer than the newest seen, a slice at a time (to notice shutdown). */
	uint64_t deadline = mono_ms() + ap.wait_s * 1000u;
	struct alert_page pg;
	size_t plen;
	char *page;
	for (;;) {
		page = alert_store_query(v->store, &ap.q, &pg, &plen);
		if (!page)
			return send_error(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
		uint64_t now = mono_ms();
		if (pg.count || !ap.wait_s || now >= deadline || atomic_load(&h->stopping) ||
		    client_gone(conn_fd(c)))
			break;
		free(page);
		uint64_t left = deadline - now;
		uint64_t seen = pg.last_id > ap.q.since ? pg.last_id : ap.q.since;
		alert_store_wait(v->store, seen, (unsigned)(left < WAIT_SLICE_MS ? left : WAIT_SLICE_MS));
	}
	size_t cap = plen + 512;
	char *buf = malloc(cap);
	if (!buf) {
		free(page);
		return send_error(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
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
	jb_kstr(&j, "order", ap.q.newest_first ? "newest" : "oldest");
	jb_obj_close(&j);
	return send_json(h, c, MHD_HTTP_OK, &j, buf);
}

/* ---- the event stream (text/event-stream, WHATWG HTML §9.2) ---- */

struct stream {
	struct http_server *h;
	struct http_alert_params ap;
	uint64_t cursor;              /* id of the last alert sent */
	uint64_t last_sent_ms;
	int fd;                       /* the client's socket, -1 if unknown */
	bool started;
	size_t len, off;              /* pending bytes in buf */
	char buf[STREAM_BUF];
};

static void stream_put(struct stream *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void stream_put(struct stream *st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(st->buf + st->len, sizeof st->buf - st->len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof st->buf - st->len)
		st->len += (size_t)n;
}

/* Fill buf with the next events: the alerts after the cursor, one at a
 * time, or a keep-alive comment; blocks (this connection's own thread)
 * until there is something.  false: the server is stopping. */
static bool stream_fill(struct stream *st)
{
	struct http_view *v = st->h->view;
	st->len = st->off = 0;
	if (!st->started) {
		/* reconnect after 3 s; the comment lets a client see the stream is up */
		stream_put(st, "retry: 3000\n: c2watchd alerts after id %llu\n\n",
			   (unsigned long long)st->cursor);
		st->started = true;
		st->last_sent_ms = mono_ms();
		return true;
	}
	while (!atomic_load(&st->h->stopping)) {
		struct alert_page pg;
		size_t plen;
		st->ap.q.since = st->cursor;
		st->ap.q.limit = 1;
		char *page = alert_store_query(v->store, &st->ap.q, &pg, &plen);
		if (!page)
			return false;
		if (pg.missed)
			stream_put(st, "event: missed\ndata: {\"missed\":%llu,\"after\":%llu}\n\n",
				   (unsigned long long)pg.missed, (unsigned long long)st->cursor);
		if (pg.count && plen + 64 < sizeof st->buf - st->len) {
			stream_put(st, "id: %llu\nevent: alert\ndata: ", (unsigned long long)pg.next);
			memcpy(st->buf + st->len, page, plen);
			st->len += plen;
			stream_put(st, "\n\n");
		}
		if (pg.next > st->cursor)
			st->cursor = pg.next;
		free(page);
		uint64_t now = mono_ms();
		if (st->len) {
			st->last_sent_ms = now;
			return true;
		}
		if (now - st->last_sent_ms >= STREAM_KEEPALIVE_MS) {
			stream_put(st, ": keep-alive\n\n");
			st->last_sent_ms = now;
			return true;
		}
		if (client_gone(st->fd))
			return false;
		uint64_t seen = pg.last_id > st->cursor ? pg.last_id : st->cursor;
		alert_store_wait(v->store, seen, WAIT_SLICE_MS);
	}
	return false;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct stream *st = cls;
	if (st->off == st->len && !stream_fill(st))
		return MHD_CONTENT_READER_END_OF_STREAM;
	size_t n = st->len - st->off < max ? st->len - st->off : max;
	memcpy(out, st->buf + st->off, n);
	st->off += n;
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *st = cls;
	atomic_fetch_sub(&st->h->ctr.streams, 1);
	free(st);
}

static enum MHD_Result get_stream(struct http_server *h, struct MHD_Connection *c)
{
	struct http_alert_params ap;
	const char *bad, *why;
	memset(&ap, 0, sizeof ap);
	uint64_t cursor = 0;
	const struct http_args args = { mhd_arg, c };
	if (query_u64(&args, "since", 0, UINT64_MAX, &cursor) < 0)
		return bad_param(h, c, "since", "'since' must be an alert id (a decimal integer)");
	/* The header a reconnecting EventSource sends wins over ?since= */
	const char *lei = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
	if (lei && *lei && parse_u64(lei, 0, UINT64_MAX, &cursor) != 1)
		return bad_param(h, c, "Last-Event-ID", "the Last-Event-ID header must be an alert id");
	if (http_parse_filters(&args, &ap, &bad, &why) < 0)
		return bad_param(h, c, bad, why);
	if (atomic_fetch_add(&h->ctr.streams, 1) >= h->max_streams) {
		atomic_fetch_sub(&h->ctr.streams, 1);
		atomic_fetch_add(&h->ctr.streams_refused, 1);
		static const struct hdr retry[] = { { "Retry-After", "10" }, { NULL, NULL } };
		return send_error_hdr(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
				      "too many event-stream clients (http.max-streams)", retry);
	}
	struct stream *st = calloc(1, sizeof *st);
	if (!st) {
		atomic_fetch_sub(&h->ctr.streams, 1);
		return send_error(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	}
	st->h = h;
	st->ap = ap;
	/* the query points into its own copy of the filters */
	if (ap.q.src)
		st->ap.q.src = st->ap.src;
	if (ap.q.name_suffix)
		st->ap.q.name_suffix = st->ap.name;
	st->cursor = cursor;
	st->fd = conn_fd(c);
	struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
								   stream_read, st, stream_free);
	if (!r) {
		stream_free(st);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "text/event-stream");
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	common_headers(h, r);
	return queue(h, c, MHD_HTTP_OK, r);
}

/* ---- counters, rules, health ---- */

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

static enum MHD_Result get_stats(struct http_server *h, struct MHD_Connection *c)
{
	struct http_view *v = h->view;
	char *buf = malloc(32768);
	if (!buf)
		return send_error(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	struct jbuf j;
	jb_init(&j, buf, 32768);
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
	const struct ruleset *rs = http_view_rules(v, NULL);
	jb_ku64(&j, "rules", rs->nrules);
	jb_ku64(&j, "domains", matcher_entries(rs->matcher));
	http_view_rules_put(v);
	if (v->reload)
		reload_status_json(v->reload, &j);
	jb_obj_close(&j);
	if (!put_wifi_encrypted(&j, v)) {
		free(buf);
		return send_error(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	}
	alert_store_health_json(v->store, &j);
	jb_key(&j, "http");
	jb_obj_open(&j);
	jb_ku64(&j, "requests", atomic_load(&h->ctr.requests));
	jb_ku64(&j, "unauthorized", atomic_load(&h->ctr.unauthorized));
	jb_ku64(&j, "streams", atomic_load(&h->ctr.streams));
	jb_ku64(&j, "streams_refused", atomic_load(&h->ctr.streams_refused));
	jb_obj_close(&j);
	jb_ku64(&j, "last_alert_id", alert_store_last_id(v->store));
	jb_obj_close(&j);
	return send_json(h, c, MHD_HTTP_OK, &j, buf);
}

const struct ruleset *http_view_rules(const struct http_view *v, uint64_t *loaded_ns)
{
	if (v->reload)
		return reload_hold(v->reload, loaded_ns);
	if (loaded_ns)
		*loaded_ns = v->rules_loaded_ns;
	return v->rules;
}

void http_view_rules_put(const struct http_view *v)
{
	if (v->reload)
		reload_put(v->reload);
}

static enum MHD_Result get_rules(struct http_server *h, struct MHD_Connection *c)
{
	uint64_t loaded_ns;
	const struct ruleset *rs = http_view_rules(h->view, &loaded_ns);
	/* every string may grow six-fold when escaped (\u00XX) */
	size_t cap = 1024;
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];
		cap += 256 + 6 * (strlen(r->name) + (r->category ? strlen(r->category) : 0) +
				  (r->source ? strlen(r->source) : 0));
		for (size_t k = 0; k < r->nlists; k++)
			cap += 8 + 6 * strlen(r->lists[k]);
	}
	cap += 256 + 6 * RELOAD_ERR_MAX;      /* the last reload's error */
	char *buf = malloc(cap);
	if (!buf) {
		http_view_rules_put(h->view);
		return send_error(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	}
	char when[40];
	eve_timestamp(loaded_ns, when, sizeof when);
	struct jbuf j;
	jb_init(&j, buf, cap);
	jb_obj_open(&j);
	jb_key(&j, "rules");
	jb_arr_open(&j);
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];
		jb_obj_open(&j);
		jb_ku64(&j, "id", r->id);
		jb_kstr(&j, "name", r->name);
		jb_kstr(&j, "severity", severity_name(r->severity));
		jb_kstr(&j, "category", r->category ? r->category : "");
		jb_kstr(&j, "source", r->source ? r->source : "");
		jb_key(&j, "lists");
		jb_arr_open(&j);
		for (size_t k = 0; k < r->nlists; k++)
			jb_vstr(&j, r->lists[k]);
		jb_arr_close(&j);
		jb_ku64(&j, "domains", r->ndomains);
		jb_obj_close(&j);
	}
	jb_arr_close(&j);
	jb_ku64(&j, "count", rs->nrules);
	jb_ku64(&j, "domains", matcher_entries(rs->matcher));
	jb_kstr(&j, "loaded_at", when);
	jb_key(&j, "load_seconds");
	jb_vdouble(&j, rs->load_seconds);
	http_view_rules_put(h->view);
	if (h->view->reload)
		reload_status_json(h->view->reload, &j);
	jb_obj_close(&j);
	return send_json(h, c, MHD_HTTP_OK, &j, buf);
}

static enum MHD_Result get_health(struct http_server *h, struct MHD_Connection *c)
{
	struct http_view *v = h->view;
	struct alert_store_health ah;
	alert_store_health(v->store, &ah);
	char buf[2048];                 /* the alert store's block takes ~700 bytes */
	struct jbuf j;
	jb_init(&j, buf, sizeof buf);
	jb_obj_open(&j);
	jb_kstr(&j, "status", ah.log_ok ? "ok" : "unhealthy");
	if (!ah.log_ok)
		jb_kstr(&j, "reason", ah.last_error[0] ? ah.last_error : "the alert log cannot be written");
	jb_kstr(&j, "mode", v->mode);
	jb_kbool(&j, "input_done", atomic_load(&v->input_done));
	alert_store_health_json(v->store, &j);
	jb_obj_close(&j);
	jb_raw(&j, "\n", 1);
	return send_body(h, c, ah.log_ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
			 "application/json", buf, j.len, false, NULL);
}

/* Ready: serving and not shutting down (the capture is opened before the
 * API starts, so once this answers, packets are being read). */
static enum MHD_Result get_ready(struct http_server *h, struct MHD_Connection *c)
{
	bool ready = !atomic_load(&h->stopping);
	char buf[128];
	struct jbuf j;
	jb_init(&j, buf, sizeof buf);
	jb_obj_open(&j);
	jb_kbool(&j, "ready", ready);
	jb_obj_close(&j);
	jb_raw(&j, "\n", 1);
	return send_body(h, c, ready ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
			 "application/json", buf, j.len, false, NULL);
}

static enum MHD_Result get_metrics(struct http_server *h, struct MHD_Connection *c)
{
	size_t cap = 256 * 1024;
	char *buf = malloc(cap);
	if (!buf)
		return send_error(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	struct tbuf t = { buf, 0, cap, false };
	metrics_format(h->view, &h->ctr, &t);
	if (t.overflow) {
		free(buf);
		return send_error(h, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "response too large");
	}
	return send_body(h, c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", buf, t.len,
			 true, NULL);
}

/* POST /api/v1/reload: the configuration and the rules read again (admin
 * token).  200 with what was loaded; 422 with "file:line:col: what" when a
 * file has an error (the running rules are kept); 409 when a reload is
 * under way. */
static enum MHD_Result post_reload(struct http_server *h, struct MHD_Connection *c)
{
	if (!h->view->reload)
		return send_error(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "reload is not available");
	struct reload_result *res = malloc(sizeof *res);
	size_t cap = 256 + 6 * (RELOAD_ERR_MAX + 2 * RELOAD_NOTE_MAX);
	char *buf = malloc(cap);
	if (!res || !buf) {
		free(res);
		free(buf);
		return send_error(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	}
	reload_run(h->view->reload, "POST /api/v1/reload", res);
	struct jbuf j;
	jb_init(&j, buf, cap);
	reload_result_json(res, &j);
	unsigned status = res->status;
	free(res);
	return send_json(h, c, status, &j, buf);
}

/* ---- recent names ---- */

static const char *const kind_names[] = { "dns", "tls", "quic" };

static void put_addr(struct jbuf *j, const char *key, unsigned family, const uint8_t *a)
{
	char s[INET6_ADDRSTRLEN];
	if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, s, sizeof s))
		s[0] = '\0';
	jb_kstr(j, key, s);
}

/* Copy the window into h->scratch (caller holds scratch_lock); the newest
 * and oldest times seen go to *newest, *oldest. */
static size_t window_copy(struct http_server *h, uint64_t *oldest, uint64_t *newest)
{
	size_t n = recent_snapshot(h->view->recent, h->scratch, h->scratch_cap);
	*oldest = *newest = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t t = h->scratch[i].ts_ns;
		if (!*oldest || t < *oldest)
			*oldest = t;
		if (t > *newest)
			*newest = t;
		h->order[i] = &h->scratch[i];
	}
	return n;
}

static void put_window(struct jbuf *j, struct http_server *h, size_t n, uint64_t oldest,
		       uint64_t newest)
{
	char ts[40];
	jb_key(j, "window");
	jb_obj_open(j);
	jb_ku64(j, "sightings", n);
	jb_ku64(j, "capacity", h->scratch_cap);
	if (n) {
		eve_timestamp(oldest, ts, sizeof ts);
		jb_kstr(j, "from", ts);
		eve_timestamp(newest, ts, sizeof ts);
		jb_kstr(j, "to", ts);
	}
	jb_obj_close(j);
}

static int by_time_desc(const void *a, const void *b)
{
	const struct recent_rec *x = *(const struct recent_rec *const *)a;
	const struct recent_rec *y = *(const struct recent_rec *const *)b;
	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? 1 : -1;
	return x->flow_id < y->flow_id ? 1 : x->flow_id > y->flow_id ? -1 : 0;
}

int http_parse_names_params(const struct http_args *a, char name[256], uint64_t *limit,
			    const char **bad, const char **why)
{
	const char *v = arg(a, "name");
	*limit = NAMES_DEFAULT_LIMIT;
	*bad = "name";
	if (!v) {
		*why = "'name' is required: the domain name to look up";
		return -1;
	}
	if (!parse_name(v, name, 256)) {
		*why = "'name' must be a domain name (1 to 253 printable characters, no spaces)";
		return -1;
	}
	if (query_u64(a, "limit", 1, NAMES_MAX_LIMIT, limit) < 0) {
		*bad = "limit";
		*why = "'limit' must be an integer from 1 to 1000";
		return -1;
	}
	return 0;
}

static enum MHD_Result get_names(struct http_server *h, struct MHD_Connection *c)
{
	char name[256];
	uint64_t limit;
	const char *bad, *why;
	const struct http_args args = { mhd_arg, c };
	if (http_parse_names_params(&args, name, &limit, &bad, &why) < 0)
		return bad_param(h, c, bad, why);
	if (!h->view->recent)
		return send_error(h, c, MHD_HTTP_SERVICE_UNAVAILABLE,
				  "no names are kept (http.names-window is 0)");
	size_t cap = 1024 + (size_t)limit * 512;
	char *buf = malloc(cap);
	if (!buf)
		return send_error(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	struct jbuf j;
	jb_init(&j, buf, cap);
	pthread_mutex_lock(&h->scratch_lock);
	uint64_t oldest, newest;
	size_t n = window_copy(h, &oldest, &newest), m = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(h->scratch[i].name, name) == 0)
			h->order[m++] = &h->scratch[i];
	qsort(h->order, m, sizeof *h->order, by_time_desc);
	jb_obj_open(&j);
	jb_kstr(&j, "name", name);
	jb_ku64(&j, "count", m);
	jb_key(&j, "sightings");
	jb_arr_open(&j);
	for (size_t i = 0; i < m && i < limit; i++) {
		const struct recent_rec *r = h->order[i];
		char ts[40];
		eve_timestamp(r->ts_ns, ts, sizeof ts);
		jb_obj_open(&j);
		jb_kstr(&j, "timestamp", ts);
		jb_kstr(&j, "kind", r->kind < 3 ? kind_names[r->kind] : "?");
		put_addr(&j, "src_ip", r->family, r->src);
		jb_ku64(&j, "src_port", r->sport);
		put_addr(&j, "dest_ip", r->family, r->dst);
		jb_ku64(&j, "dest_port", r->dport);
		jb_ku64(&j, "flow_id", r->flow_id);
		jb_kstr(&j, "direction", r->dir ? "to_client" : "to_server");
		jb_obj_close(&j);
	}
	jb_arr_close(&j);
	put_window(&j, h, n, oldest, newest);
	jb_obj_close(&j);
	pthread_mutex_unlock(&h->scratch_lock);
	return send_json(h, c, MHD_HTTP_OK, &j, buf);
}

static int by_name(const void *a, const void *b)
{
	const struct recent_rec *x = *(const struct recent_rec *const *)a;
	const struct recent_rec *y = *(const struct recent_rec *const *)b;
	return strcmp(x->name, y->name);
}

/* A talker is the client of the sighting: the source of a query or a
 * ClientHello, the destination of a DNS response. */
static const uint8_t *client_of(const struct recent_rec *r)
{
	return r->dir ? r->dst : r->src;
}

static int by_client(const void *a, const void *b)
{
	const struct recent_rec *x = *(const struct recent_rec *const *)a;
	const struct recent_rec *y = *(const struct recent_rec *const *)b;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(client_of(x), client_of(y), 16);
}

struct top_item {
	const struct recent_rec *r;
	size_t count;
};

static int by_count(const void *a, const void *b)
{
	const struct top_item *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->r < y->r ? -1 : x->r > y->r;
}

/* Group h->order[0..n) (sorted with cmp) into runs and keep the `limit`
 * largest in top[], most first; returns how many. */
static size_t top_runs(struct http_server *h, size_t n, int (*cmp)(const void *, const void *),
		       struct top_item *top, size_t limit)
{
	qsort(h->order, n, sizeof *h->order, cmp);
	size_t kept = 0;
	for (size_t i = 0; i < n;) {
		size_t k = i + 1;
		while (k < n && cmp(&h->order[i], &h->order[k]) == 0)
			k++;
		struct top_item it = { h->order[i], k - i };
		/* insertion into a small sorted array: limit is at most 100 */
		if (kept < limit || by_count(&it, &top[kept - 1]) < 0) {
			size_t at = kept < limit ? kept++ : kept - 1;
			while (at > 0 && by_count(&it, &top[at - 1]) < 0) {
				top[at] = top[at - 1];
				at--;
			}
			top[at] = it;
		}
		i = k;
	}
	return kept;
}

static enum MHD_Result get_top(struct http_server *h, struct MHD_Connection *c)
{
	uint64_t limit = TOP_DEFAULT_LIMIT;
	const struct http_args args = { mhd_arg, c };
	if (query_u64(&args, "limit", 1, TOP_MAX_LIMIT, &limit) < 0)
		return bad_param(h, c, "limit", "'limit' must be an integer from 1 to 100");
	if (!h->view->recent)
		return send_error(h, c, MHD_HTTP_SERVICE_UNAVAILABLE,
				  "no names are kept (http.names-window is 0)");
	size_t cap = 1024 + (size_t)limit * 2 * 1600;
	char *buf = malloc(cap);
	struct top_item top[TOP_MAX_LIMIT];
	if (!buf)
		return send_error(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	struct jbuf j;
	jb_init(&j, buf, cap);
	pthread_mutex_lock(&h->scratch_lock);
	uint64_t oldest, newest;
	size_t n = window_copy(h, &oldest, &newest);
	jb_obj_open(&j);
	size_t k = top_runs(h, n, by_name, top, (size_t)limit);
	jb_key(&j, "names");
	jb_arr_open(&j);
	for (size_t i = 0; i < k; i++) {
		jb_obj_open(&j);
		jb_kstr(&j, "name", top[i].r->name);
		jb_ku64(&j, "count", top[i].count);
		jb_obj_close(&j);
	}
	jb_arr_close(&j);
	k = top_runs(h, n, by_client, top, (size_t)limit);
	jb_key(&j, "talkers");
	jb_arr_open(&j);
	for (size_t i = 0; i < k; i++) {
		jb_obj_open(&j);
		put_addr(&j, "ip", top[i].r->family, client_of(top[i].r));
		jb_ku64(&j, "count", top[i].count);
		jb_obj_close(&j);
	}
	jb_arr_close(&j);
	put_window(&j, h, n, oldest, newest);
	jb_obj_close(&j);
	pthread_mutex_unlock(&h->scratch_lock);
	return send_json(h, c, MHD_HTTP_OK, &j, buf);
}

/* ---- routing and access ---- */

/* GET /: the dashboard.  Static and holding no data, so it is served without
 * a token: the page asks for one when the API answers 401. */
static enum MHD_Result get_page(struct http_server *h, struct MHD_Connection *c)
{
	(void)h;
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

typedef enum MHD_Result (*handler_fn)(struct http_server *h, struct MHD_Connection *c);

static const char *const no_args[] = { NULL };
static const char *const names_args[] = { "name", "limit", NULL };
static const char *const top_args[] = { "limit", NULL };

static const struct route {
	const char *path;
	handler_fn fn;
	bool open;                    /* no token needed (probes) */
	const char *const *args;
	bool post;                    /* POST only, with the admin token; else GET and HEAD */
} routes[] = {
	{ "/api/v1/alerts", get_alerts, false, alert_args, false },
	{ "/api/v1/alerts/stream", get_stream, false, stream_args, false },
	{ "/api/v1/stats", get_stats, false, no_args, false },
	{ "/api/v1/rules", get_rules, false, no_args, false },
	{ "/api/v1/names", get_names, false, names_args, false },
	{ "/api/v1/top", get_top, false, top_args, false },
	{ "/metrics", get_metrics, false, no_args, false },
	{ "/healthz", get_health, true, no_args, false },
	{ "/readyz", get_ready, true, no_args, false },
	{ "/", get_page, true, no_args, false },
	{ "/index.html", get_page, true, no_args, false },
	{ "/api/v1/reload", post_reload, false, no_args, true },
};

/* Authorization: Bearer TOKEN (RFC 6750 §2.1); the scheme is case-insensitive. */
static enum access check_token(struct http_server *h, struct MHD_Connection *c, bool *presented)
{
	const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	*presented = a != NULL;
	if (!a || strncasecmp(a, "Bearer ", 7) != 0)
		return ACCESS_NONE;
	a += 7;
	while (*a == ' ')
		a++;
	size_t n = strlen(a);
	while (n && a[n - 1] == ' ')
		n--;
	pthread_mutex_lock(&h->tokens_lock);
	enum access level = tokens_check(h->tokens, a, n);
	pthread_mutex_unlock(&h->tokens_lock);
	return level;
}

/* Connection threads yield the CPU to the capture: on Linux, nice applies
 * per thread, and at 19 a busy API gets a small share of a core the worker
 * also wants (measured: bench/http-load), while an idle core still serves
 * it at full speed.  (cpu-affinity keeps them off the workers' cores.) */
static void lower_priority(void)
{
	static _Thread_local bool lowered;
	if (lowered)
		return;
	lowered = true;
	thread_name("c2w-http", -1);
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), 19) != 0)
		return;                 /* not fatal: the API just competes evenly */
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
		lower_priority();
		atomic_fetch_add(&h->ctr.requests, 1);
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
		if (te || (cl && strcmp(cl, "0") != 0))
			return send_error(h, c, 413, "request bodies are not accepted");
		return MHD_YES;
	}
	if (*upload_size) {             /* not reached: refused above */
		*upload_size = 0;
		return MHD_YES;
	}
	const struct route *rt = NULL;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (strcmp(url, routes[i].path) == 0)
			rt = &routes[i];
	if (!rt)
		return send_error(h, c, MHD_HTTP_NOT_FOUND, "no such endpoint");

	bool method_ok = rt->post ? strcmp(method, MHD_HTTP_METHOD_POST) == 0
				  : strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
				    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	const char *allowed = rt->post ? "POST, OPTIONS" : "GET, HEAD, OPTIONS";
	if (strcmp(method, MHD_HTTP_METHOD_OPTIONS) == 0) {
		/* CORS preflight (Fetch standard): browsers send it without
		 * credentials, so it needs no token. */
		struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, "Allow", allowed);
		if (h->cors) {
			MHD_add_response_header(r, "Access-Control-Allow-Methods", allowed);
			MHD_add_response_header(r, "Access-Control-Allow-Headers",
						"Authorization, Last-Event-ID, Accept-Encoding");
			MHD_add_response_header(r, "Access-Control-Max-Age", "600");
		}
		common_headers(h, r);
		return queue(h, c, MHD_HTTP_NO_CONTENT, r);
	}
	if (!method_ok) {
		const struct hdr allow[] = { { "Allow", allowed }, { NULL, NULL } };
		return send_error_hdr(h, c, MHD_HTTP_METHOD_NOT_ALLOWED, NULL,
				      rt->post ? "only POST is supported here"
					       : "only GET and HEAD are supported here", allow);
	}
	if (h->tokens && !rt->open) {
		bool presented;
		enum access level = check_token(h, c, &presented);
		if (level != ACCESS_NONE && rt->post && level < ACCESS_ADMIN)
			return send_error(h, c, MHD_HTTP_FORBIDDEN,
					  "this endpoint needs the admin token");
		if (level == ACCESS_NONE) {
			static const struct hdr none[] = {
				{ "WWW-Authenticate", "Bearer realm=\"c2watchd\"" }, { NULL, NULL } };
			static const struct hdr wrong[] = {
				{ "WWW-Authenticate", "Bearer realm=\"c2watchd\", error=\"invalid_token\"" },
				{ NULL, NULL } };
			return send_error_hdr(h, c, MHD_HTTP_UNAUTHORIZED, NULL,
					      presented ? "the bearer token is not valid"
							: "a bearer token is required (Authorization: Bearer TOKEN)",
					      presented ? wrong : none);
		}
	}
	struct arg_check ac = { rt->args, NULL, 0 };
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_arg, &ac);
	if (ac.bytes > QUERY_MAX)
		return send_error(h, c, MHD_HTTP_URI_TOO_LONG, "the query string is longer than 4096 bytes");
	if (ac.unknown) {
		char msg[160];
		snprintf(msg, sizeof msg, "unknown parameter '%.64s'", ac.unknown);
		return bad_param(h, c, ac.unknown, msg);
	}
	return rt->fn(h, c);
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

static bool is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		const uint8_t *a = in6->sin6_addr.s6_addr;
		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return true;
		return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && a[12] == 127;
	}
	return false;
}

static char *read_file(const char *path, char err[HTTP_ERR_MAX], const char *what)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, HTTP_ERR_MAX, "%s '%s': %s", what, path, strerror(errno));
		return NULL;
	}
	char *buf = malloc(FILE_MAX + 1);
	size_t n = buf ? fread(buf, 1, FILE_MAX + 1, f) : 0;
	bool bad = !buf || ferror(f) || n > FILE_MAX || n == 0;
	fclose(f);
	if (bad) {
		snprintf(err, HTTP_ERR_MAX, "%s '%s': %s", what, path,
			 !buf ? "out of memory" : n == 0 ? "empty or unreadable" : "larger than 1 MiB");
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static void server_free(struct http_server *h)
{
	if (h->tls_key)
		memset(h->tls_key, 0, strlen(h->tls_key));
	free(h->tls_cert);
	free(h->tls_key);
	if (h->tokens)
		memset(h->tokens, 0, sizeof *h->tokens);
	free(h->tokens);
	free(h->scratch);
	free(h->order);
	pthread_mutex_destroy(&h->scratch_lock);
	pthread_mutex_destroy(&h->tokens_lock);
	free(h);
}

struct http_server *http_start(const struct config *cfg, struct http_view *view,
			       char err[HTTP_ERR_MAX])
{
	const char *listen = cfg->http_listen;
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
	pthread_mutex_init(&h->scratch_lock, NULL);
	pthread_mutex_init(&h->tokens_lock, NULL);
	h->view = view;
	h->max_streams = cfg->http_max_streams;
	h->cors = cfg->http_cors_origin[0] ? cfg->http_cors_origin : NULL;
	if (cfg->http_tokens[0]) {
		char terr[TOKENS_ERR_MAX];
		h->tokens = malloc(sizeof *h->tokens);
		if (!h->tokens || tokens_load(h->tokens, cfg->http_tokens, terr) < 0) {
			snprintf(err, HTTP_ERR_MAX, "%s", h->tokens ? terr : "out of memory");
			goto fail;
		}
	}
	/* Off loopback, anyone who can reach the port reads the alerts: only
	 * with tokens, or when the configuration says so in as many words. */
	if (!is_loopback(ai->ai_addr) && !h->tokens && !cfg->http_insecure_remote) {
		snprintf(err, HTTP_ERR_MAX, "refusing to listen on %s, which is not a loopback address, "
			 "without http.tokens (set http.allow-insecure-remote: true to do it anyway)", listen);
		goto fail;
	}
	if (view->recent) {
		h->scratch_cap = recent_capacity(view->recent);
		h->scratch = malloc(h->scratch_cap * sizeof *h->scratch);
		h->order = malloc(h->scratch_cap * sizeof *h->order);
		if (!h->scratch || !h->order) {
			snprintf(err, HTTP_ERR_MAX, "out of memory for http.names-window");
			goto fail;
		}
	}
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_POLL | MHD_USE_ERROR_LOG;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (cfg->http_tls_cert[0]) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(err, HTTP_ERR_MAX, "http.tls-cert: this libmicrohttpd has no TLS support");
			goto fail;
		}
		if (!(h->tls_cert = read_file(cfg->http_tls_cert, err, "http.tls-cert")) ||
		    !(h->tls_key = read_file(cfg->http_tls_key, err, "http.tls-key")))
			goto fail;
		flags |= MHD_USE_TLS;
	}
	struct MHD_OptionItem tls_opts[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, h->tls_cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, h->tls_key },
		{ MHD_OPTION_END, 0, NULL },
	};
	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				  MHD_OPTION_SOCK_ADDR, ai->ai_addr,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->http_max_conns,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->http_max_per_ip,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->http_timeout,
				  /* request line and headers: 16 KiB (more gets 414/431) */
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
				  MHD_OPTION_THREAD_STACK_SIZE, (size_t)(512 * 1024),
				  MHD_OPTION_ARRAY, h->tls_cert ? tls_opts : &tls_opts[2],
				  MHD_OPTION_END);
	if (!h->mhd) {
		snprintf(err, HTTP_ERR_MAX, "cannot listen on %s (address in use or not available%s)",
			 listen, h->tls_cert ? ", or the TLS certificate and key do not fit" : "");
		goto fail;
	}
	freeaddrinfo(ai);
	return h;
fail:
	freeaddrinfo(ai);
	server_free(h);
	return NULL;
}

int http_reload_tokens(struct http_server *h, const char *path, char err[HTTP_ERR_MAX])
{
	if (!h || !h->tokens) {
		snprintf(err, HTTP_ERR_MAX, "the HTTP API was started without tokens");
		return -1;
	}
	char terr[TOKENS_ERR_MAX];
	struct tokens *tk = malloc(sizeof *tk);
	if (!tk || tokens_load(tk, path, terr) < 0) {
		snprintf(err, HTTP_ERR_MAX, "%s", tk ? terr : "out of memory");
		if (tk)
			memset(tk, 0, sizeof *tk);
		free(tk);
		return -1;
	}
	pthread_mutex_lock(&h->tokens_lock);
	memcpy(h->tokens, tk, sizeof *tk);
	pthread_mutex_unlock(&h->tokens_lock);
	memset(tk, 0, sizeof *tk);      /* no secrets left lying about */
	free(tk);
	return 0;
}

void http_stop(struct http_server *h)
{
	if (!h)
		return;
	/* waiting threads look at this every WAIT_SLICE_MS */
	atomic_store(&h->stopping, true);
	MHD_stop_daemon(h->mhd);
	server_free(h);
}
