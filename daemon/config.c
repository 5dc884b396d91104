/* config.c — built-in defaults and the YAML config file (-c) → struct config.
 * Unknown keys, wrong types and out-of-range values are errors that read
 * "file:line:col: message". */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "affinity.h"
#include "config.h"

#define KiB	(UINT64_C(1) << 10)
#define MiB	(UINT64_C(1) << 20)
#define GiB	(UINT64_C(1) << 30)

#define PRINTF(f, a) __attribute__((format(printf, f, a)))

struct loader {
	struct config *c;	/* a copy of the caller's, swapped in on success */
	const char *file;
	size_t dir_len;		/* relative paths are joined to file's first dir_len bytes */
	yaml_document_t *doc;
	char *err;
};

struct pos {
	unsigned long line, col;
};

/* libyaml counts lines and columns from 0: this is the one place adding 1. */
static struct pos mark_pos(yaml_mark_t m)
{
	struct pos p = { (unsigned long)m.line + 1, (unsigned long)m.column + 1 };

	return p;
}

PRINTF(3, 4)
static void fail_at(struct loader *ld, yaml_mark_t m, const char *fmt, ...)
{
	struct pos at = mark_pos(m);
	va_list ap;
	int n;

	if (ld->err[0] != '\0')
		return;
	n = snprintf(ld->err, CONFIG_ERR_MAX, "%s:%lu:%lu: ", ld->file, at.line, at.col);
	if (n < 0 || n >= CONFIG_ERR_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(ld->err + n, CONFIG_ERR_MAX - (size_t)n, fmt, ap);
	va_end(ap);
}

PRINTF(2, 3)
static void fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, CONFIG_ERR_MAX, fmt, ap);
	va_end(ap);
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->interface = strdup("any");
	c->snaplen = 65535;
	c->buffer_size = 32 * MiB;
	c->promiscuous = true;
	c->bpf = strdup("");
	c->flow_max = 262144;
	c->timeout_tcp = 300;
	c->timeout_udp = 60;
	c->timeout_other = 30;
	c->stream_depth = 16384;
	c->stream_buffers = 4096;
	c->frag_max = 1024;
	c->frag_bytes = 4 * MiB;
	c->frag_timeout = 30;
	c->alerts_path = strdup("-");
	c->names_path = strdup("");
	c->dns_mdns = false;        /* multicast names of the local link: noise */
	c->dns_llmnr = false;
	c->alert_ring = 8192;
	c->alert_log_path = strdup("");
	c->alert_log_fsync = 1;             /* interval (enum alert_fsync) */
	c->alert_log_fsync_interval = 1;
	c->alert_log_rotate_size = 64 * MiB;
	c->alert_log_rotate_age = 86400;
	c->alert_log_keep = 10;
	c->alert_dedup_window = 0;         /* off: --alerts stays one line a sighting; the shipped config sets 60 s */
	c->alert_dedup_table = 16384;
	c->http_enabled = true;
	c->http_listen = strdup("127.0.0.1:8653");
	c->serve_after_replay = false;
	c->http_tokens = strdup("");
	c->http_insecure_remote = false;
	c->http_tls_cert = strdup("");
	c->http_tls_key = strdup("");
	c->http_cors_origin = strdup("");
	c->http_max_conns = 64;
	c->http_max_per_ip = 16;
	c->http_timeout = 10;
	c->http_max_streams = 16;
	c->http_names_window = 16384;
	c->worker_cpus = strdup("");
	c->management_cpus = strdup("");
	c->priv_user = strdup("c2watch");
	c->priv_group = strdup("");
	c->priv_chroot = strdup("");
	c->priv_allow_root = false;
	c->priv_seccomp = 1;                /* on (enum privs_seccomp) */
}

void config_free(struct config *c)
{
	free(c->interface);
	free(c->read_file);
	free(c->bpf);
	for (size_t i = 0; i < c->nrule_paths; i++) {
		free(c->rule_paths[i]);
		free(c->rule_where[i]);
		c->rule_where[i] = NULL;
	}
	for (size_t i = 0; i < c->nlist_paths; i++) {
		free(c->list_paths[i]);
		free(c->list_where[i]);
		c->list_where[i] = NULL;
	}
	free(c->alerts_path);
	free(c->names_path);
	free(c->http_listen);
	free(c->alert_log_path);
	free(c->http_tokens);
	free(c->http_tls_cert);
	free(c->http_tls_key);
	free(c->http_cors_origin);
	free(c->worker_cpus);
	free(c->management_cpus);
	c->worker_cpus = c->management_cpus = NULL;
	free(c->priv_user);
	free(c->priv_group);
	free(c->priv_chroot);
	c->priv_user = c->priv_group = c->priv_chroot = NULL;
	c->interface = c->read_file = c->bpf = c->alerts_path = c->names_path = c->http_listen = NULL;
	c->alert_log_path = NULL;
	c->http_tokens = c->http_tls_cert = c->http_tls_key = c->http_cors_origin = NULL;
	c->nrule_paths = c->nlist_paths = 0;
}

static bool dup_into(char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return !src || *dst;
}

/* A deep copy, so that a file with an error leaves the caller's config as it
 * was (a reload that fails keeps the running settings). */
static int config_copy(struct config *dst, const struct config *src)
{
	bool ok;

	*dst = *src;
	dst->interface = dst->read_file = dst->bpf = NULL;
	dst->alerts_path = dst->names_path = dst->http_listen = dst->alert_log_path = NULL;
	dst->http_tokens = dst->http_tls_cert = dst->http_tls_key = dst->http_cors_origin = NULL;
	dst->worker_cpus = dst->management_cpus = NULL;
	dst->priv_user = dst->priv_group = dst->priv_chroot = NULL;
	dst->nrule_paths = dst->nlist_paths = 0;
	ok = dup_into(&dst->worker_cpus, src->worker_cpus) &&
	     dup_into(&dst->management_cpus, src->management_cpus) && dup_into(&dst->interface, src->interface) && dup_into(&dst->read_file, src->read_file) &&
	     dup_into(&dst->bpf, src->bpf) && dup_into(&dst->alerts_path, src->alerts_path) &&
	     dup_into(&dst->names_path, src->names_path) && dup_into(&dst->http_listen, src->http_listen) &&
	     dup_into(&dst->alert_log_path, src->alert_log_path) &&
	     dup_into(&dst->http_tokens, src->http_tokens) && dup_into(&dst->http_tls_cert, src->http_tls_cert) &&
	     dup_into(&dst->http_tls_key, src->http_tls_key) &&
	     dup_into(&dst->http_cors_origin, src->http_cors_origin) &&
	     dup_into(&dst->priv_user, src->priv_user) && dup_into(&dst->priv_group, src->priv_group) &&
	     dup_into(&dst->priv_chroot, src->priv_chroot);
	for (size_t i = 0; i < CONFIG_MAX_PATHS; i++)
		dst->rule_where[i] = dst->list_where[i] = NULL;
	for (size_t i = 0; ok && i < src->nrule_paths; i++)
		if ((ok = dup_into(&dst->rule_paths[i], src->rule_paths[i]) &&
			  dup_into(&dst->rule_where[i], src->rule_where[i])))
			dst->nrule_paths++;
	for (size_t i = 0; ok && i < src->nlist_paths; i++)
		if ((ok = dup_into(&dst->list_paths[i], src->list_paths[i]) &&
			  dup_into(&dst->list_where[i], src->list_where[i])))
			dst->nlist_paths++;
	if (!ok) {
		config_free(dst);
		return -1;
	}
	return 0;
}

/* ---- values ---- */

static const char *sval(const yaml_node_t *v)
{
	return (const char *)v->data.scalar.value;
}

static bool is_null(const yaml_node_t *v)
{
	const char *s;

	if (v->type != YAML_SCALAR_NODE || v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = sval(v);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

/* A scalar without NUL bytes, usable as a C string. */
static bool is_text(const yaml_node_t *v)
{
	return v->type == YAML_SCALAR_NODE && !memchr(sval(v), '\0', v->data.scalar.length);
}

/* Decimal digits and then what follows (*rest); false on none or overflow. */
static bool parse_digits(const char *s, uint64_t *out, const char **rest)
{
	uint64_t v = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	*rest = p;
	return p > s;
}

/* "16KiB", not "16384", in messages about sizes. */
static const char *size_text(char *buf, size_t size, uint64_t v)
{
	if (v >= GiB && v % GiB == 0)
		snprintf(buf, size, "%lluGiB", (unsigned long long)(v / GiB));
	else if (v >= MiB && v % MiB == 0)
		snprintf(buf, size, "%lluMiB", (unsigned long long)(v / MiB));
	else if (v >= KiB && v % KiB == 0)
		snprintf(buf, size, "%lluKiB", (unsigned long long)(v / KiB));
	else
		snprintf(buf, size, "%llu", (unsigned long long)v);
	return buf;
}

static const char *duration_text(char *buf, size_t size, uint64_t v)
{
	if (v >= 3600 && v % 3600 == 0)
		snprintf(buf, size, "%lluh", (unsigned long long)(v / 3600));
	else if (v >= 60 && v % 60 == 0)
		snprintf(buf, size, "%llum", (unsigned long long)(v / 60));
	else
		snprintf(buf, size, "%llus", (unsigned long long)v);
	return buf;
}

static int get_uint(struct loader *ld, const yaml_node_t *v, const char *key,
		    uint64_t min, uint64_t max, uint32_t *out)
{
	const char *rest;
	uint64_t n;

	if (!is_text(v) || !parse_digits(sval(v), &n, &rest) || *rest || n < min || n > max) {
		fail_at(ld, v->start_mark, "'%s' must be an integer from %llu to %llu", key,
			(unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = (uint32_t)n;
	return 0;
}

/* Bytes: "65536", "64K", "64KiB", "32M", "1GiB" (all powers of 1024). */
static int get_size(struct loader *ld, const yaml_node_t *v, const char *key,
		    uint64_t min, uint64_t max, uint32_t *out)
{
	static const struct { const char *suffix; uint64_t unit; } units[] = {
		{ "", 1 }, { "K", KiB }, { "KiB", KiB }, { "M", MiB }, { "MiB", MiB }, { "G", GiB }, { "GiB", GiB },
	};
	char lo[32], hi[32];
	const char *rest;
	uint64_t n;

	if (is_text(v) && parse_digits(sval(v), &n, &rest)) {
		while (*rest == ' ')
			rest++;
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
			if (strcasecmp(rest, units[i].suffix) != 0)
				continue;
			if (n <= max / units[i].unit && n * units[i].unit >= min) {
				*out = (uint32_t)(n * units[i].unit);
				return 0;
			}
			break;
		}
	}
	fail_at(ld, v->start_mark, "'%s' must be a size from %s to %s (bytes, or with K, KiB, M, MiB, G, GiB)",
		key, size_text(lo, sizeof lo, min), size_text(hi, sizeof hi, max));
	return -1;
}

/* Seconds: "300", "300s", "5m", "1h". */
static int get_duration(struct loader *ld, const yaml_node_t *v, const char *key,
			uint64_t min, uint64_t max, uint32_t *out)
{
	char lo[32], hi[32];
	const char *rest;
	uint64_t n, unit = 0;

	if (is_text(v) && parse_digits(sval(v), &n, &rest)) {
		if (!*rest || !strcmp(rest, "s"))
			unit = 1;
		else if (!strcmp(rest, "m"))
			unit = 60;
		else if (!strcmp(rest, "h"))
			unit = 3600;
		if (unit && n <= max / unit && n * unit >= min) {
			*out = (uint32_t)(n * unit);
			return 0;
		}
	}
	fail_at(ld, v->start_mark, "'%s' must be a duration from %s to %s (seconds, or with s, m, h)",
		key, duration_text(lo, sizeof lo, min), duration_text(hi, sizeof hi, max));
	return -1;
}

static int get_bool(struct loader *ld, const yaml_node_t *v, const char *key, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no", "off" };

	if (is_text(v)) {
		for (int i = 0; i < 3; i++) {
			if (!strcasecmp(sval(v), yes[i]) || !strcasecmp(sval(v), no[i])) {
				*out = !strcasecmp(sval(v), yes[i]);
				return 0;
			}
		}
	}
	fail_at(ld, v->start_mark, "'%s' must be true or false (or yes/no, on/off)", key);
	return -1;
}

/* Replace *out with the value; an empty value only when empty_ok. */
static int get_string(struct loader *ld, const yaml_node_t *v, const char *key, bool empty_ok, char **out)
{
	const char *s;
	char *d;

	if (!is_text(v) || (!empty_ok && (is_null(v) || v->data.scalar.length == 0))) {
		fail_at(ld, v->start_mark, "'%s' must be a%s string", key, empty_ok ? "" : " non-empty");
		return -1;
	}
	s = is_null(v) ? "" : sval(v);
	if (!(d = strdup(s))) {
		fail(ld->err, "out of memory");
		return -1;
	}
	free(*out);
	*out = d;
	return 0;
}

/* A path relative to the config file's directory, unless absolute. */
static char *resolve(struct loader *ld, const char *path)
{
	size_t dlen = path[0] == '/' ? 0 : ld->dir_len, plen = strlen(path);
	char *p = malloc(dlen + plen + 1);

	if (!p) {
		fail(ld->err, "out of memory");
		return NULL;
	}
	memcpy(p, ld->file, dlen);
	memcpy(p + dlen, path, plen + 1);
	return p;
}

static int get_path(struct loader *ld, const yaml_node_t *v, const char *key, char **out)
{
	char *p;

	if (get_string(ld, v, key, true, out) < 0)
		return -1;
	/* "-" is standard output and "" is off: neither is a file name */
	if (!strcmp(*out, "-") || !**out)
		return 0;
	if (!(p = resolve(ld, *out)))
		return -1;
	free(*out);
	*out = p;
	return 0;
}

/* "ADDR:PORT" with an IPv4 address or a host name, or "[IPv6]:PORT" (http.c
 * resolves the name when it starts listening). */
static bool listen_ok(const char *s)
{
	unsigned char addr[16];
	char host[64];
	const char *end, *port, *rest;
	uint64_t n;
	size_t len;
	bool v6 = s[0] == '[';

	if (v6) {
		if (!(end = strchr(s, ']')) || end[1] != ':')
			return false;
		s++;
		port = end + 2;
	} else {
		if (!(end = strchr(s, ':')))
			return false;
		port = end + 1;
	}
	len = (size_t)(end - s);
	if (len == 0 || len >= sizeof host)
		return false;
	memcpy(host, s, len);
	host[len] = '\0';
	if (v6 ? inet_pton(AF_INET6, host, addr) != 1
	       : strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != len)
		return false;
	return strlen(port) <= 5 && parse_digits(port, &n, &rest) && !*rest && n >= 1 && n <= 65535;
}

static int get_listen(struct loader *ld, const yaml_node_t *v, const char *key, char **out)
{
	if (!is_text(v) || !listen_ok(sval(v))) {
		fail_at(ld, v->start_mark, "'%s' must be ADDR:PORT or [IPv6]:PORT with a port from 1 to 65535", key);
		return -1;
	}
	return get_string(ld, v, key, false, out);
}

/* A list of paths replaces the one held: the file says what to load. */
static int get_paths(struct loader *ld, const yaml_node_t *v, const char *key, char **paths,
		     char **where, size_t *n)
{
	size_t count;

	if (is_null(v)) {
		count = 0;
	} else if (v->type != YAML_SEQUENCE_NODE) {
		fail_at(ld, v->start_mark, "expected a list of paths for '%s'", key);
		return -1;
	} else {
		count = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	}
	if (count > CONFIG_MAX_PATHS) {
		fail_at(ld, v->start_mark, "too many paths in '%s' (at most %d)", key, CONFIG_MAX_PATHS);
		return -1;
	}
	for (size_t i = 0; i < *n; i++) {
		free(paths[i]);
		free(where[i]);
		where[i] = NULL;
	}
	*n = 0;
	for (size_t i = 0; i < count; i++) {
		const yaml_node_t *it = yaml_document_get_node(ld->doc, v->data.sequence.items.start[i]);

		if (!is_text(it) || is_null(it) || it->data.scalar.length == 0) {
			fail_at(ld, it->start_mark, "expected a path in '%s'", key);
			return -1;
		}
		if (!(paths[i] = resolve(ld, sval(it))))
			return -1;
		(*n)++;
		/* Where the file names it: a missing file is reported there. */
		struct pos at = mark_pos(it->start_mark);
		char buf[CONFIG_ERR_MAX];
		snprintf(buf, sizeof buf, "%s:%lu:%lu", ld->file, at.line, at.col);
		if (!(where[i] = strdup(buf)))
			return -1;
	}
	return 0;
}

/* One item of a CPU list, checked where it is written and appended to text. */
static int cpus_item(struct loader *ld, const yaml_node_t *item, const char *key, struct cpus *set,
		     char *text, size_t size)
{
	char err[256];
	size_t len = strlen(text);

	if (!is_text(item)) {
		fail_at(ld, item->start_mark, "'%s' must be a CPU list such as \"0-3,8\", a CPU number, "
			"or a list of them", key);
		return -1;
	}
	const char *s = is_null(item) ? "" : sval(item);
	if (cpus_parse(s, set, err, sizeof err) < 0) {
		fail_at(ld, item->start_mark, "'%s': %s", key, err);
		return -1;
	}
	if (*s && len + strlen(s) + 2 > size) {
		fail_at(ld, item->start_mark, "'%s' is too long", key);
		return -1;
	}
	if (*s)
		snprintf(text + len, size - len, "%s%s", len ? "," : "", s);
	return 0;
}

/* A CPU list: "0-3,8", a number, or a YAML list of either; kept as one
 * cpulist ("" for none). */
static int get_cpus(struct loader *ld, const yaml_node_t *v, const char *key, char **out)
{
	char text[1024] = "", err[256];
	struct cpus *set = malloc(sizeof *set);
	int rc = -1;

	if (!set)
		return -1;
	if (v->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
			if (cpus_item(ld, yaml_document_get_node(ld->doc, *it), key, set, text, sizeof text) < 0)
				goto out;
	} else if (cpus_item(ld, v, key, set, text, sizeof text) < 0) {
		goto out;
	}
	if (cpus_parse(text, set, err, sizeof err) < 0) {       /* repeats across items */
		fail_at(ld, v->start_mark, "'%s': %s", key, err);
		goto out;
	}
	char *copy = strdup(text);
	if (copy) {
		free(*out);
		*out = copy;
		rc = 0;
	}
out:
	free(set);
	return rc;
}

/* ---- the schema ---- */

enum kind { STRING, STRING_OR_EMPTY, UINT, SIZE, DURATION, BOOL, PATH, LISTEN, FSYNC, CPUS, SECCOMP, SUBSECTION };

/* A key inside a section: its type, its field in struct config and, for
 * numbers, the range (config_check uses it again). */
struct key {
	const char *name;
	enum kind kind;
	size_t off;
	uint64_t min, max;          /* SUBSECTION: min is its index in subsections[] */
};

#define F(field) offsetof(struct config, field)

static const struct key capture_keys[] = {
	{ "interface", STRING, F(interface), 0, 0 },
	{ "snaplen", UINT, F(snaplen), 64, 262144 },
	{ "buffer-size", SIZE, F(buffer_size), 64 * KiB, GiB },   /* libpcap takes an int */
	{ "promiscuous", BOOL, F(promiscuous), 0, 0 },
	{ "filter", STRING_OR_EMPTY, F(bpf), 0, 0 },
	{ "workers", UINT, F(workers), 0, 64 },
	{ NULL, 0, 0, 0, 0 },
};
static const struct key flow_keys[] = {
	{ "max", UINT, F(flow_max), 1024, 1u << 26 },
	{ "tcp-timeout", DURATION, F(timeout_tcp), 1, 86400 },
	{ "udp-timeout", DURATION, F(timeout_udp), 1, 86400 },
	{ "other-timeout", DURATION, F(timeout_other), 1, 86400 },
	{ NULL, 0, 0, 0, 0 },
};
static const struct key stream_keys[] = {
	{ "depth", SIZE, F(stream_depth), KiB, MiB },
	{ "buffers", UINT, F(stream_buffers), 16, 1u << 20 },
	{ NULL, 0, 0, 0, 0 },
};
static const struct key frag_keys[] = {
	{ "max-datagrams", UINT, F(frag_max), 16, 1u << 20 },
	/* a datagram can need 64 KiB: the pool holds one at least */
	{ "max-bytes", SIZE, F(frag_bytes), 64 * KiB, GiB },
	/* RFC 8200 §4.5 gives up after 60 s; Linux after 30 s (ipfrag_time) */
	{ "timeout", DURATION, F(frag_timeout), 1, 600 },
	{ NULL, 0, 0, 0, 0 },
};
static const struct key dns_keys[] = {
	{ "mdns", BOOL, F(dns_mdns), 0, 0 },
	{ "llmnr", BOOL, F(dns_llmnr), 0, 0 },
	{ NULL, 0, 0, 0, 0 },
};
static const struct key output_keys[] = {
	{ "alerts", PATH, F(alerts_path), 0, 0 },
	{ "names", PATH, F(names_path), 0, 0 },
	{ NULL, 0, 0, 0, 0 },
};
static const struct key alert_log_keys[] = {
	{ "path", PATH, F(alert_log_path), 0, 0 },
	{ "fsync", FSYNC, F(alert_log_fsync), 0, 2 },
	{ "fsync-interval", DURATION, F(alert_log_fsync_interval), 1, 3600 },
	{ "rotate-size", SIZE, F(alert_log_rotate_size), 0, 2 * GiB },
	{ "rotate-age", DURATION, F(alert_log_rotate_age), 0, 30 * 86400 },
	{ "keep", UINT, F(alert_log_keep), 0, 1000 },
	{ NULL, 0, 0, 0, 0 },
};
static const struct key alert_dedup_keys[] = {
	{ "window", DURATION, F(alert_dedup_window), 0, 86400 },
	{ "table", UINT, F(alert_dedup_table), 64, 1u << 22 },
	{ NULL, 0, 0, 0, 0 },
};
/* Mappings inside a section (alerts.log, alerts.dedup). */
static const struct key *const subsections[] = { alert_log_keys, alert_dedup_keys };

static const struct key alerts_keys[] = {
	{ "ring", UINT, F(alert_ring), 16, 1u << 21 },   /* 2 GiB of alert text at most */
	{ "log", SUBSECTION, 0, 0, 0 },
	{ "dedup", SUBSECTION, 0, 1, 0 },
	{ NULL, 0, 0, 0, 0 },
};
static const struct key http_keys[] = {
	{ "enabled", BOOL, F(http_enabled), 0, 0 },
	{ "listen", LISTEN, F(http_listen), 0, 0 },
	{ "tokens", PATH, F(http_tokens), 0, 0 },
	{ "allow-insecure-remote", BOOL, F(http_insecure_remote), 0, 0 },
	{ "tls-cert", PATH, F(http_tls_cert), 0, 0 },
	{ "tls-key", PATH, F(http_tls_key), 0, 0 },
	{ "cors-origin", STRING_OR_EMPTY, F(http_cors_origin), 0, 0 },
	{ "max-connections", UINT, F(http_max_conns), 1, 1024 },
	{ "max-per-ip", UINT, F(http_max_per_ip), 1, 1024 },
	{ "timeout", DURATION, F(http_timeout), 1, 3600 },
	{ "max-streams", UINT, F(http_max_streams), 0, 1024 },
	{ "names-window", UINT, F(http_names_window), 0, 1u << 22 },
	{ NULL, 0, 0, 0, 0 },
};

static const struct key affinity_keys[] = {
	{ "workers", CPUS, F(worker_cpus), 0, 0 },
	{ "management", CPUS, F(management_cpus), 0, 0 },
	{ NULL, 0, 0, 0, 0 },
};

static const struct key privileges_keys[] = {
	{ "user", STRING, F(priv_user), 0, 0 },
	{ "group", STRING_OR_EMPTY, F(priv_group), 0, 0 },
	{ "chroot", STRING_OR_EMPTY, F(priv_chroot), 0, 0 },
	{ "allow-root", BOOL, F(priv_allow_root), 0, 0 },
	{ "seccomp", SECCOMP, F(priv_seccomp), 0, 2 },
	{ NULL, 0, 0, 0, 0 },
};

/* Sections are mappings of keys, except rules and lists: lists of paths. */
static const struct section {
	const char *name;
	const struct key *keys;
	size_t paths, npaths, where;
} sections[] = {
	{ "capture", capture_keys, 0, 0, 0 },
	{ "flow", flow_keys, 0, 0, 0 },
	{ "stream", stream_keys, 0, 0, 0 },
	{ "frag", frag_keys, 0, 0, 0 },
	{ "rules", NULL, F(rule_paths), F(nrule_paths), F(rule_where) },
	{ "lists", NULL, F(list_paths), F(nlist_paths), F(list_where) },
	{ "output", output_keys, 0, 0, 0 },
	{ "alerts", alerts_keys, 0, 0, 0 },
	{ "http", http_keys, 0, 0, 0 },
	{ "dns", dns_keys, 0, 0, 0 },
	{ "cpu-affinity", affinity_keys, 0, 0, 0 },
	{ "privileges", privileges_keys, 0, 0, 0 },
};
#define NSECTIONS (sizeof sections / sizeof sections[0])

#undef F

/* alerts.log.fsync: never, interval or always (enum alert_fsync's order). */
static int get_fsync(struct loader *ld, const yaml_node_t *v, const char *key, uint32_t *out)
{
	static const char *const names[] = { "never", "interval", "always" };

	for (uint32_t i = 0; is_text(v) && i < 3; i++) {
		if (!strcmp(sval(v), names[i])) {
			*out = i;
			return 0;
		}
	}
	fail_at(ld, v->start_mark, "'%s' must be never, interval or always", key);
	return -1;
}

/* privileges.seccomp: a boolean, or "log" to have the kernel log what the
 * filter would kill (SECCOMP_RET_LOG) while finding the syscalls used. */
static int get_seccomp(struct loader *ld, const yaml_node_t *v, const char *key, uint32_t *out)
{
	bool on;

	if (is_text(v) && !strcmp(sval(v), "log")) {
		*out = 2;
		return 0;
	}
	if (is_text(v) && get_bool(ld, v, key, &on) == 0) {
		*out = on;
		return 0;
	}
	ld->err[0] = '\0';
	fail_at(ld, v->start_mark, "'%s' must be true, false or log", key);
	return -1;
}

static int load_keys(struct loader *ld, const char *name, const struct key *keys, const yaml_node_t *map);

static int set_key(struct loader *ld, const struct key *k, const yaml_node_t *v)
{
	void *field = (char *)ld->c + k->off;

	switch (k->kind) {
	case STRING:
		return get_string(ld, v, k->name, false, field);
	case STRING_OR_EMPTY:
		return get_string(ld, v, k->name, true, field);
	case UINT:
		return get_uint(ld, v, k->name, k->min, k->max, field);
	case SIZE:
		return get_size(ld, v, k->name, k->min, k->max, field);
	case DURATION:
		return get_duration(ld, v, k->name, k->min, k->max, field);
	case BOOL:
		return get_bool(ld, v, k->name, field);
	case PATH:
		return get_path(ld, v, k->name, field);
	case LISTEN:
		return get_listen(ld, v, k->name, field);
	case FSYNC:
		return get_fsync(ld, v, k->name, field);
	case CPUS:
		return get_cpus(ld, v, k->name, field);
	case SECCOMP:
		return get_seccomp(ld, v, k->name, field);
	case SUBSECTION:
		return load_keys(ld, k->name, subsections[k->min], v);
	}
	return -1;
}

/* The index of key among n names, or n after reporting it unknown (or
 * repeated: seen[] remembers keys met earlier in the same mapping). */
static size_t key_index(struct loader *ld, const yaml_node_t *key, const char *const *names,
			size_t n, bool *seen, const char *where)
{
	char expected[256];
	size_t i, len = 0;

	if (!is_text(key)) {
		fail_at(ld, key->start_mark, "expected a key name %s", where);
		return n;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(sval(key), names[i]) != 0)
			continue;
		if (seen[i]) {
			fail_at(ld, key->start_mark, "duplicate key '%s' %s", names[i], where);
			return n;
		}
		seen[i] = true;
		return i;
	}
	for (size_t j = 0; j < n && len < sizeof expected; j++)
		len += (size_t)snprintf(expected + len, sizeof expected - len, "%s%s", j ? ", " : "", names[j]);
	fail_at(ld, key->start_mark, "unknown key '%.64s' %s (expected one of: %s)", sval(key), where, expected);
	return n;
}

static int load_keys(struct loader *ld, const char *name, const struct key *keys, const yaml_node_t *map)
{
	const char *names[16];
	bool seen[16] = { false };
	char where[32];
	size_t n = 0;

	if (is_null(map))
		return 0;
	if (map->type != YAML_MAPPING_NODE) {
		fail_at(ld, map->start_mark, "'%s' must be a mapping", name);
		return -1;
	}
	for (; keys[n].name; n++)
		names[n] = keys[n].name;
	snprintf(where, sizeof where, "in '%s'", name);
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const yaml_node_t *key = yaml_document_get_node(ld->doc, p->key);
		size_t i = key_index(ld, key, names, n, seen, where);

		if (i == n || set_key(ld, &keys[i], yaml_document_get_node(ld->doc, p->value)) < 0)
			return -1;
	}
	return 0;
}

static int load_section(struct loader *ld, const struct section *sec, const yaml_node_t *map)
{
	return load_keys(ld, sec->name, sec->keys, map);
}

static int load_root(struct loader *ld, const yaml_node_t *root)
{
	const char *names[NSECTIONS];
	bool seen[NSECTIONS] = { false };

	if (!root)		/* an empty file changes nothing */
		return 0;
	if (root->type != YAML_MAPPING_NODE) {
		fail_at(ld, root->start_mark, "expected a mapping at top level (capture:, flow:, rules:, ...)");
		return -1;
	}
	for (size_t i = 0; i < NSECTIONS; i++)
		names[i] = sections[i].name;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const yaml_node_t *key = yaml_document_get_node(ld->doc, p->key);
		const yaml_node_t *v = yaml_document_get_node(ld->doc, p->value);
		size_t i = key_index(ld, key, names, NSECTIONS, seen, "at top level");

		if (i == NSECTIONS)
			return -1;
		if (sections[i].keys ? load_section(ld, &sections[i], v) < 0 :
		    get_paths(ld, v, sections[i].name, (char **)((char *)ld->c + sections[i].paths),
			      (char **)((char *)ld->c + sections[i].where),
			      (size_t *)((char *)ld->c + sections[i].npaths)) < 0)
			return -1;
	}
	return 0;
}

static void fail_parser(struct loader *ld, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "syntax error";

	if (p->error == YAML_MEMORY_ERROR)
		fail(ld->err, "out of memory");
	else if (p->error == YAML_READER_ERROR)
		fail(ld->err, "%s: %s at byte %zu", ld->file, problem, p->problem_offset);
	else if (p->context)
		fail_at(ld, p->problem_mark, "%s (%s at line %lu)", problem, p->context,
			mark_pos(p->context_mark).line);
	else
		fail_at(ld, p->problem_mark, "%s", problem);
}

/* Parse the file's one document and apply it to ld->c. */
static int load_file(struct loader *ld, FILE *f)
{
	yaml_parser_t p;
	yaml_document_t doc, extra;
	int rc = -1;

	if (!yaml_parser_initialize(&p)) {
		fail(ld->err, "out of memory");
		return -1;
	}
	yaml_parser_set_input_file(&p, f);
	if (!yaml_parser_load(&p, &doc)) {
		fail_parser(ld, &p);
		yaml_parser_delete(&p);
		return -1;
	}
	ld->doc = &doc;
	if (yaml_document_get_root_node(&doc)) {
		if (!yaml_parser_load(&p, &extra)) {
			fail_parser(ld, &p);
			goto out;
		}
		if (yaml_document_get_root_node(&extra)) {
			fail_at(ld, yaml_document_get_root_node(&extra)->start_mark,
				"only one YAML document is allowed");
			yaml_document_delete(&extra);
			goto out;
		}
		yaml_document_delete(&extra);
	}
	rc = load_root(ld, yaml_document_get_root_node(&doc));
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&p);
	return rc;
}

int config_load(struct config *c, const char *path, char err[CONFIG_ERR_MAX])
{
	struct config tmp;
	struct loader ld = { .c = &tmp, .file = path, .err = err };
	const char *slash = strrchr(path, '/');
	FILE *f;
	int rc;

	err[0] = '\0';
	ld.dir_len = slash ? (size_t)(slash - path) + 1 : 0;
	if (!(f = fopen(path, "rb"))) {
		fail(err, "cannot open config file '%s': %s", path, strerror(errno));
		return -1;
	}
	if (config_copy(&tmp, c) < 0) {
		fclose(f);
		fail(err, "out of memory");
		return -1;
	}
	rc = load_file(&ld, f);
	fclose(f);
	if (rc < 0) {
		config_free(&tmp);
		return -1;
	}
	config_free(c);
	*c = tmp;
	return 0;
}

static int check_keys(const struct config *c, const char *name, const struct key *keys,
		      char err[CONFIG_ERR_MAX])
{
	for (const struct key *k = keys; k && k->name; k++) {
		uint32_t v;

		if (k->kind == SUBSECTION) {
			char sub[64];

			snprintf(sub, sizeof sub, "%s.%s", name, k->name);
			if (check_keys(c, sub, subsections[k->min], err) < 0)
				return -1;
			continue;
		}
		if (k->kind != UINT && k->kind != SIZE && k->kind != DURATION && k->kind != FSYNC &&
		    k->kind != SECCOMP)
			continue;
		memcpy(&v, (const char *)c + k->off, sizeof v);
		if (v < k->min || v > k->max) {
			fail(err, "%s.%s %lu is out of range (%llu to %llu)", name, k->name,
			     (unsigned long)v, (unsigned long long)k->min, (unsigned long long)k->max);
			return -1;
		}
	}
	return 0;
}

/* Values can also come from the command line: check them all again here,
 * then what no single key can check. */
int config_check(const struct config *c, char err[CONFIG_ERR_MAX])
{
	uint64_t pool;

	err[0] = '\0';
	for (size_t i = 0; i < NSECTIONS; i++)
		if (check_keys(c, sections[i].name, sections[i].keys, err) < 0)
			return -1;
	if (!c->interface || !c->bpf || !c->alerts_path || !c->names_path || !c->http_listen ||
	    !c->alert_log_path || !c->http_tokens || !c->http_tls_cert || !c->http_tls_key ||
	    !c->http_cors_origin || !c->worker_cpus || !c->management_cpus || !c->priv_user ||
	    !c->priv_group || !c->priv_chroot) {
		fail(err, "out of memory");
		return -1;
	}
	if (!c->read_file && !c->interface[0]) {
		fail(err, "no interface to capture on");
		return -1;
	}
	if (c->http_enabled && !listen_ok(c->http_listen)) {
		fail(err, "http listen '%.64s' must be ADDR:PORT or [IPv6]:PORT with a port from 1 to 65535",
		     c->http_listen);
		return -1;
	}
	if (!*c->http_tls_cert != !*c->http_tls_key) {
		fail(err, "http tls-cert and tls-key go together: set both for HTTPS, or neither");
		return -1;
	}
	/* the origin goes into a response header as it is */
	for (const char *p = c->http_cors_origin; *p; p++) {
		if (*p < 0x21 || *p > 0x7e) {
			fail(err, "http cors-origin must be an origin (scheme://host[:port]) or *, "
			     "without spaces or control characters");
			return -1;
		}
	}
	if (!*c->priv_user) {
		fail(err, "privileges user must be a user name");
		return -1;
	}
	if (*c->priv_chroot && c->priv_chroot[0] != '/') {
		fail(err, "privileges chroot '%.64s' must be an absolute directory", c->priv_chroot);
		return -1;
	}
	/* every pooled buffer may be in use at once */
	pool = (uint64_t)c->stream_buffers * c->stream_depth;
	if (pool > 4 * GiB) {
		fail(err, "stream buffers x depth is %llu MiB, more than 4 GiB: lower one of them",
		     (unsigned long long)(pool / MiB));
		return -1;
	}
	return 0;
}
