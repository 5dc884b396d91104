/* alertlog.c — the alert log's writer thread, rotation and the reader that
 * loads it back at start.  Only this thread touches the file after start. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "affinity.h"
#include "alertlog.h"
#include "log.h"

#define WRITE_BATCH (1u << 20)   /* bytes of lines taken from the ring per write */
#define ZBUF (1u << 16)
#define RETRY_MS 1000            /* a failing log is retried this often */
#define WAKE_MS 200              /* the writer looks at the clock at least this often */
#define JSON_DEPTH 32            /* nesting read in a log line at most */
#define PATH_MAX_LEN 4096

struct alert_log {
	struct alert_store *store;
	struct alert_log_config c;
	char *path;
	pthread_t thread;
	atomic_bool stopping;
	char *buf;                   /* WRITE_BATCH: lines on their way to the file */
	char *zbuf;                  /* ZBUF: the file being compressed, a piece at a time */

	int fd;                      /* -1: not open */
	uint64_t size;               /* of the file: where the next line goes */
	uint64_t opened_ns;          /* wall time, for rotate-age */
	uint64_t written_id;         /* alerts up to this id are in the file (or missed) */
	bool unsynced;
	uint64_t synced_ns, retry_ns;

	pthread_mutex_t lock;        /* the figures below, read by alert_store_health() */
	uint64_t written, write_errors, rotations, loaded, torn, missed;
	uint64_t in_file_id;         /* written_id, for readers: survives the daemon killed */
	uint64_t synced_id;          /* the newest id fsync'd: survives the machine's loss */
	bool ok;
	char last_error[128];
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* ---- reading a line back ---- */

struct jp {
	const char *p, *end;
};

static void skip_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n'))
		j->p++;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A string (at the opening quote), decoded into out (cap bytes, NUL-ended,
 * cut when longer; out may be NULL).  \u00XX of XX >= 0x80 is that byte:
 * json.c writes bytes that are not UTF-8 so. */
static bool jstring(struct jp *j, char *out, size_t cap)
{
	size_t n = 0;
	if (j->p >= j->end || *j->p != '"')
		return false;
	for (j->p++; j->p < j->end; ) {
		unsigned char c = (unsigned char)*j->p++;
		unsigned v = c;
		if (c == '"') {
			if (out)
				out[n] = '\0';
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (j->p >= j->end)
				return false;
			c = (unsigned char)*j->p++;
			switch (c) {
			case '"': case '\\': case '/': v = c; break;
			case 'b': v = '\b'; break;
			case 'f': v = '\f'; break;
			case 'n': v = '\n'; break;
			case 'r': v = '\r'; break;
			case 't': v = '\t'; break;
			case 'u':
				if (j->end - j->p < 4)
					return false;
				v = 0;
				for (int i = 0; i < 4; i++) {
					int h = hexval(j->p[i]);
					if (h < 0)
						return false;
					v = v << 4 | (unsigned)h;
				}
				j->p += 4;
				break;
			default:
				return false;
			}
		}
		if (!out)
			continue;
		/* one byte, or a code point above U+00FF as UTF-8 */
		unsigned char u[3];
		size_t k = 0;
		if (v < 0x100) {
			u[k++] = (unsigned char)v;
		} else if (v < 0x800) {
			u[k++] = (unsigned char)(0xc0 | v >> 6);
			u[k++] = (unsigned char)(0x80 | (v & 0x3f));
		} else {
			u[k++] = (unsigned char)(0xe0 | v >> 12);
			u[k++] = (unsigned char)(0x80 | (v >> 6 & 0x3f));
			u[k++] = (unsigned char)(0x80 | (v & 0x3f));
		}
		for (size_t i = 0; i < k && n + 1 < cap; i++)
			out[n++] = (char)u[i];
	}
	return false;
}

/* A number; *v is its value when it is a plain unsigned integer (else
 * *is_uint false). */
static bool jnumber(struct jp *j, uint64_t *v, bool *is_uint)
{
	const char *s = j->p;
	uint64_t n = 0;
	bool overflow = false;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	const char *digits = j->p;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
		unsigned d = (unsigned)(*j->p++ - '0');
		overflow |= n > (UINT64_MAX - d) / 10;
		n = n * 10 + d;
	}
	if (j->p == digits)
		return false;
	bool plain = *s != '-' && !overflow;
	if (j->p < j->end && *j->p == '.') {
		plain = false;
		const char *f = ++j->p;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
		if (j->p == f)
			return false;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		plain = false;
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		const char *e = j->p;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
		if (j->p == e)
			return false;
	}
	*v = n;
	*is_uint = plain;
	return true;
}

/* The fields an alert's meta comes from, by where they are. */
struct fields {
	uint64_t id, sig, sev;
	char ts[40], src[46], name[256], target[256], rrname[256], sni[256];
};

/* What a string or number at (parent key, key) fills; NULL: nothing. */
static char *string_field(struct fields *f, const char *parent, const char *key, size_t *cap)
{
	struct { const char *parent, *key; char *dst; size_t cap; } map[] = {
		{ "", "timestamp", f->ts, sizeof f->ts },
		{ "", "src_ip", f->src, sizeof f->src },
		{ "", "name", f->name, sizeof f->name },
		{ "alert", "target", f->target, sizeof f->target },
		{ "dns", "rrname", f->rrname, sizeof f->rrname },
		{ "tls", "sni", f->sni, sizeof f->sni },
		{ "quic", "sni", f->sni, sizeof f->sni },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(parent, map[i].parent) && !strcmp(key, map[i].key)) {
			*cap = map[i].cap;
			return map[i].dst;
		}
	return NULL;
}

static uint64_t *number_field(struct fields *f, const char *parent, const char *key)
{
	if (!*parent && !strcmp(key, "alert_id"))
		return &f->id;
	if (!strcmp(parent, "alert") && !strcmp(key, "signature_id"))
		return &f->sig;
	if (!strcmp(parent, "alert") && !strcmp(key, "severity"))
		return &f->sev;
	return NULL;
}

/* Any JSON value, checked whole; depth counts the containers around it.
 * `parent` and `key` say where it is, for the fields wanted (the top level
 * and the objects right below it). */
static bool jvalue(struct jp *j, struct fields *f, int depth, const char *parent, const char *key)
{
	skip_ws(j);
	if (j->p >= j->end)
		return false;
	char c = *j->p;
	if (c == '{' || c == '[') {
		if (depth >= JSON_DEPTH)
			return false;
		/* keys of the top object (parent "") and of its objects are read */
		const char *inner = depth == 0 ? "" : depth == 1 && c == '{' ? key : NULL;
		j->p++;
		skip_ws(j);
		if (j->p < j->end && *j->p == (c == '{' ? '}' : ']')) {
			j->p++;
			return true;
		}
		for (;;) {
			char k[32] = "";
			if (c == '{') {
				skip_ws(j);
				if (!jstring(j, k, sizeof k))
					return false;
				skip_ws(j);
				if (j->p >= j->end || *j->p++ != ':')
					return false;
			}
			if (!jvalue(j, f, depth + 1, inner ? inner : "\x01", k))
				return false;
			skip_ws(j);
			if (j->p >= j->end)
				return false;
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p++ != (c == '{' ? '}' : ']'))
				return false;
			return true;
		}
	}
	if (c == '"') {
		size_t cap = 0;
		char *dst = string_field(f, parent, key, &cap);
		return jstring(j, dst, cap);
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		uint64_t v;
		bool plain;
		if (!jnumber(j, &v, &plain))
			return false;
		uint64_t *dst = number_field(f, parent, key);
		if (dst && plain)
			*dst = v;
		return true;
	}
	static const char *const lits[] = { "true", "false", "null" };
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(lits[i]);
		if ((size_t)(j->end - j->p) >= n && !memcmp(j->p, lits[i], n)) {
			j->p += n;
			return true;
		}
	}
	return false;
}

/* "2023-06-01T10:00:00.123456+0000" (eve_timestamp()) → ns; 0 if not that. */
static uint64_t parse_ts(const char *s)
{
	struct tm tm = { 0 };
	unsigned usec = 0;
	int used = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%6u+0000%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &usec, &used) != 7 || s[used] != '\0')
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	if (t < 0)
		return 0;
	return (uint64_t)t * 1000000000ull + (uint64_t)usec * 1000ull;
}

bool alert_log_parse(const char *line, size_t len, uint64_t *id, struct alert_meta *meta)
{
	struct fields f;
	struct jp j = { line, line + len };
	memset(&f, 0, sizeof f);
	skip_ws(&j);
	if (j.p >= j.end || *j.p != '{' || !jvalue(&j, &f, 0, "", ""))
		return false;
	skip_ws(&j);
	if (j.p != j.end || f.id == 0 || f.id == UINT64_MAX)
		return false;
	memset(meta, 0, sizeof *meta);
	*id = f.id;
	meta->ts_ns = parse_ts(f.ts);
	meta->rule_id = f.sig <= UINT32_MAX ? (uint32_t)f.sig : 0;
	meta->severity = f.sev <= 4 ? (uint8_t)f.sev : 0;
	memcpy(meta->src, f.src, sizeof meta->src);
	/* the name that matched: a CNAME/SVCB target, a summary's name, the
	 * question, the server name */
	const char *name = f.target[0] ? f.target : f.name[0] ? f.name : f.rrname[0] ? f.rrname : f.sni;
	snprintf(meta->name, sizeof meta->name, "%s", name);
	return true;
}

/* ---- loading at start ---- */

static void file_name(char *out, size_t cap, const char *path, unsigned k)
{
	if (k == 0)
		snprintf(out, cap, "%s", path);
	else
		snprintf(out, cap, "%s.%u.gz", path, k);
}

/* One whole line into buf (without the newline): 1; 0 at the end; -1 for a
 * line cut short by the end of the file or longer than the buffer (the rest
 * of it is passed over). */
static int read_line(gzFile g, char *buf, size_t cap, size_t *len)
{
	if (!gzgets(g, buf, (int)cap))
		return 0;
	size_t n = strlen(buf);
	if (n && buf[n - 1] == '\n') {
		*len = n - 1;
		return 1;
	}
	if (n + 1 < cap)
		return -1;               /* the end of the file: a torn last line */
	/* too long: skip to its end */
	while (gzgets(g, buf, (int)cap)) {
		n = strlen(buf);
		if (n && buf[n - 1] == '\n')
			break;
	}
	return -1;
}

/* Pass over one file: count its alerts (restore false), or restore them
 * after skipping `skip` of them.  Only ids below `below` (the oldest of the
 * newer files: a rotation cut short by a crash leaves the same alerts in two
 * files) and above the one before in the file are taken; *oldest: the
 * oldest id taken.  A line that is not an alert, or whose id goes back
 * within the file, counts in *torn when restoring. */
static uint64_t read_file(struct alert_store *s, const char *name, char *buf, uint64_t skip,
			  bool restore, uint64_t below, uint64_t *oldest, uint64_t *torn)
{
	gzFile g = gzopen(name, "rb");
	uint64_t n = 0, prev = 0;
	*oldest = below;
	if (!g)
		return 0;
	gzbuffer(g, 1 << 16);
	for (;;) {
		size_t len = 0;
		int r = read_line(g, buf, ALERT_LOG_LINE_MAX, &len);
		uint64_t id;
		struct alert_meta m;
		if (r == 0)
			break;
		if (r < 0 || !alert_log_parse(buf, len, &id, &m) || id <= prev) {
			/* an empty line (the end of a torn one, ended at start) is not a loss */
			if (restore && !(r > 0 && len == 0))
				(*torn)++;
			continue;
		}
		prev = id;
		if (id >= below)
			continue;
		if (id < *oldest)
			*oldest = id;
		if (skip) {
			skip--;
			continue;
		}
		if (!restore) {
			n++;
			continue;
		}
		buf[len] = '\n';
		if (alert_store_restore(s, id, &m, buf, len + 1) == 0)
			n++;
	}
	gzclose(g);
	return n;
}

uint64_t alert_log_load(struct alert_store *s, const char *path, uint32_t keep, uint64_t max,
			uint64_t *torn)
{
	char name[PATH_MAX_LEN + 16];
	char *buf = malloc(ALERT_LOG_LINE_MAX + 1);
	uint64_t *below = calloc((size_t)keep + 2, sizeof *below);
	uint64_t total = 0, restored = 0, oldest = UINT64_MAX;
	unsigned k = 0;
	*torn = 0;
	if (!buf || !below || !max) {
		free(buf);
		free(below);
		return 0;
	}
	/* Newest file first, until enough alerts are found. */
	for (; k <= keep; k++) {
		file_name(name, sizeof name, path, k);
		below[k] = oldest;
		if (access(name, R_OK) != 0) {
			if (k == 0)
				continue;        /* rotated just before a crash: FILE.1.gz is next */
			break;
		}
		total += read_file(s, name, buf, 0, false, below[k], &oldest, torn);
		if (total >= max) {
			k++;
			break;
		}
	}
	/* Then oldest first, restoring the newest `max` of them. */
	uint64_t skip = total > max ? total - max : 0;
	while (k-- > 0) {
		file_name(name, sizeof name, path, k);
		restored += read_file(s, name, buf, skip, true, below[k], &oldest, torn);
		skip = 0;
	}
	free(buf);
	free(below);
	return restored;
}

/* ---- the writer ---- */

static void set_error(struct alert_log *l, const char *what, int err)
{
	pthread_mutex_lock(&l->lock);
	bool was_ok = l->ok;
	l->ok = false;
	snprintf(l->last_error, sizeof l->last_error, "%s: %s", what, strerror(err));
	pthread_mutex_unlock(&l->lock);
	if (was_ok)
		log_warn("alert log %s: %s: %s (alerts kept in memory; retrying)", l->path, what, strerror(err));
}

static void set_ok(struct alert_log *l)
{
	pthread_mutex_lock(&l->lock);
	bool was_ok = l->ok;
	l->ok = true;
	l->last_error[0] = '\0';
	pthread_mutex_unlock(&l->lock);
	if (!was_ok)
		log_info("alert log %s: writing again", l->path);
}

static void count(struct alert_log *l, uint64_t *field, uint64_t n)
{
	pthread_mutex_lock(&l->lock);
	*field += n;
	pthread_mutex_unlock(&l->lock);
}

/* What is acknowledged: alerts up to written_id are in the file (the kernel
 * has them), and when synced, on the disk too. */
static void acknowledge(struct alert_log *l, bool synced)
{
	pthread_mutex_lock(&l->lock);
	l->in_file_id = l->written_id;
	if (synced)
		l->synced_id = l->written_id;
	pthread_mutex_unlock(&l->lock);
}

static int open_log(struct alert_log *l)
{
	int fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		set_error(l, "open", errno);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* A line torn by a crash is ended, so that the next one starts whole;
	 * the fragment stays, and is skipped at load. */
	if (st.st_size > 0) {
		char last;
		int rfd = open(l->path, O_RDONLY | O_CLOEXEC);
		bool torn = rfd >= 0 && pread(rfd, &last, 1, st.st_size - 1) == 1 && last != '\n';
		if (rfd >= 0)
			close(rfd);
		if (torn && write(fd, "\n", 1) != 1) {
			set_error(l, "write", errno);
			close(fd);
			return -1;
		}
		st.st_size += torn;
	}
	l->fd = fd;
	l->size = (uint64_t)st.st_size;
	l->opened_ns = clock_ns(CLOCK_REALTIME);
	return 0;
}

static void close_log(struct alert_log *l)
{
	if (l->fd < 0)
		return;
	if (l->c.fsync != ALERT_FSYNC_NEVER && l->unsynced && fdatasync(l->fd) == 0)
		acknowledge(l, true);
	close(l->fd);
	l->fd = -1;
	l->unsynced = false;
}

/* FILE → FILE.1.gz through zlib, written to a temporary name first so that a
 * crash leaves either the old .1.gz or the new one whole. */
static int compress_to(struct alert_log *l, const char *from, const char *to)
{
	char tmp[PATH_MAX_LEN + 32];
	snprintf(tmp, sizeof tmp, "%s.tmp", to);
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	int err = 0;
	gzFile g = NULL;
	if (in < 0 || out < 0) {
		err = errno;
		goto fail;
	}
	int gfd = dup(out);
	if (gfd < 0 || !(g = gzdopen(gfd, "wb6"))) {
		err = errno ? errno : ENOMEM;
		if (gfd >= 0)
			close(gfd);
		goto fail;
	}
	for (;;) {
		ssize_t n = read(in, l->zbuf, ZBUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			goto fail;
		}
		if (n == 0)
			break;
		if (gzwrite(g, l->zbuf, (unsigned)n) != (int)n) {
			err = errno ? errno : EIO;
			goto fail;
		}
	}
	int rc = gzclose(g);
	g = NULL;
	if (rc != Z_OK) {
		err = errno ? errno : EIO;
		goto fail;
	}
	if (fsync(out) < 0 || close(out) < 0) {
		err = errno;
		out = -1;
		goto fail;
	}
	out = -1;
	close(in);
	if (rename(tmp, to) < 0) {
		err = errno;
		unlink(tmp);
		return err;
	}
	return 0;
fail:
	if (g)
		gzclose(g);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	unlink(tmp);
	return err ? err : EIO;
}

/* The current file becomes FILE.1.gz, the older ones move up one, and the
 * one beyond `keep` goes. */
static int rotate(struct alert_log *l)
{
	char a[PATH_MAX_LEN + 16], b[PATH_MAX_LEN + 16];
	int err = 0;
	close_log(l);
	if (l->c.keep) {
		for (unsigned k = l->c.keep; k >= 2; k--) {
			file_name(a, sizeof a, l->path, k - 1);
			file_name(b, sizeof b, l->path, k);
			if (rename(a, b) < 0 && errno != ENOENT)
				log_warn("alert log: rename %s: %s", a, strerror(errno));
		}
		file_name(b, sizeof b, l->path, 1);
		err = compress_to(l, l->path, b);
	}
	if (err) {
		set_error(l, "rotate", err);
		count(l, &l->write_errors, 1);
	} else {
		unlink(l->path);
		count(l, &l->rotations, 1);
	}
	return open_log(l) < 0 || err ? -1 : 0;
}

/* Lines of whole alerts, appended.  On failure (a full disk) the whole
 * lines that made it stay, the cut one is taken off again so that the file
 * ends with a whole line, and *kept says how many bytes stayed. */
static int append(struct alert_log *l, const char *p, size_t n, size_t *kept)
{
	size_t done = 0;
	*kept = 0;
	while (done < n) {
		ssize_t w = write(l->fd, p + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int err = w < 0 ? errno : ENOSPC;
			const char *nl = done ? memrchr(p, '\n', done) : NULL;
			size_t whole = nl ? (size_t)(nl - p) + 1 : 0;
			if (done > whole && ftruncate(l->fd, (off_t)(l->size + whole)) < 0) {
				/* cannot cut: end the fragment, skipped at load */
				close_log(l);
			}
			l->size += whole;
			l->unsynced |= whole > 0;
			*kept = whole;
			set_error(l, "write", err);
			return -1;
		}
		done += (size_t)w;
	}
	l->size += n;
	l->unsynced = true;
	*kept = n;
	return 0;
}

static uint64_t lines_in(const char *p, size_t n)
{
	uint64_t k = 0;
	for (const char *e = p + n; (p = memchr(p, '\n', (size_t)(e - p))); p++)
		k++;
	return k;
}

/* Write out every alert the ring holds past written_id.  false when the log
 * failed (the alerts wait in the ring). */
static bool drain(struct alert_log *l)
{
	for (;;) {
		uint64_t next, missed;
		size_t n = alert_store_lines(l->store, l->written_id, l->buf, WRITE_BATCH, &next, &missed);
		if (missed)
			count(l, &l->missed, missed);
		if (!l->path) {
			l->written_id = next;
			return true;
		}
		if (!n) {
			l->written_id = next;
			return true;
		}
		uint64_t now = clock_ns(CLOCK_REALTIME);
		if (l->fd >= 0 && l->size &&
		    ((l->c.rotate_size && l->size + n > l->c.rotate_size) ||
		     (l->c.rotate_age_s && now - l->opened_ns >= (uint64_t)l->c.rotate_age_s * 1000000000ull)))
			rotate(l);
		if (l->fd < 0 && open_log(l) < 0)
			return false;
		size_t kept;
		if (append(l, l->buf, n, &kept) < 0) {
			count(l, &l->write_errors, 1);
			/* the whole lines that fit are written: go on after the last */
			const char *last = kept ? memrchr(l->buf, '\n', kept - 1) : NULL;
			size_t at = last ? (size_t)(last - l->buf) + 1 : 0;
			uint64_t id;
			struct alert_meta meta;
			if (kept && alert_log_parse(l->buf + at, kept - at, &id, &meta)) {
				count(l, &l->written, lines_in(l->buf, kept));
				l->written_id = id;
				acknowledge(l, false);
			}
			return false;
		}
		if (l->c.fsync == ALERT_FSYNC_ALWAYS && fdatasync(l->fd) == 0)
			l->unsynced = false;
		count(l, &l->written, lines_in(l->buf, n));
		l->written_id = next;
		acknowledge(l, !l->unsynced);
		set_ok(l);
	}
}

static void *writer(void *arg)
{
	struct alert_log *l = arg;
	uint64_t tick_ns = 0;

	thread_name("c2w-alertlog", -1);
	while (!atomic_load(&l->stopping)) {
		alert_store_wait(l->store, l->written_id, WAKE_MS);
		uint64_t mono = clock_ns(CLOCK_MONOTONIC);
		if (mono - tick_ns >= 1000000000ull) {
			/* dedup windows close on packet time; live, on wall time too */
			alert_store_dedup_tick(l->store, l->c.live ? clock_ns(CLOCK_REALTIME) : 0, false);
			tick_ns = mono;
		}
		if (mono < l->retry_ns)
			continue;
		if (!drain(l))
			l->retry_ns = mono + RETRY_MS * 1000000ull;
		if (l->fd >= 0 && l->unsynced && l->c.fsync == ALERT_FSYNC_INTERVAL &&
		    mono - l->synced_ns >= (uint64_t)l->c.fsync_interval_s * 1000000000ull) {
			if (fdatasync(l->fd) == 0) {
				l->unsynced = false;
				acknowledge(l, true);
			}
			l->synced_ns = mono;
		}
	}
	return NULL;
}

static void health(void *ctx, struct alert_store_health *out)
{
	struct alert_log *l = ctx;
	pthread_mutex_lock(&l->lock);
	out->written = l->written;
	out->write_errors = l->write_errors;
	out->rotations = l->rotations;
	out->loaded = l->loaded;
	out->torn = l->torn;
	out->log_missed = l->missed;
	out->log_ok = l->ok;
	out->log_enabled = l->path != NULL;
	out->written_id = l->in_file_id;
	out->synced_id = l->synced_id;
	snprintf(out->last_error, sizeof out->last_error, "%s", l->last_error);
	pthread_mutex_unlock(&l->lock);
}

struct alert_log *alert_log_start(struct alert_store *s, const struct alert_log_config *c,
				  char err[ALERT_LOG_ERR_MAX])
{
	struct alert_log *l = calloc(1, sizeof *l);
	if (!l || !(l->buf = malloc(WRITE_BATCH)) || !(l->zbuf = malloc(ZBUF))) {
		if (l)
			free(l->buf);
		free(l);
		snprintf(err, ALERT_LOG_ERR_MAX, "out of memory");
		return NULL;
	}
	l->store = s;
	l->c = *c;
	l->fd = -1;
	l->ok = true;
	pthread_mutex_init(&l->lock, NULL);
	if (c->path && *c->path) {
		if (strlen(c->path) > PATH_MAX_LEN || !(l->path = strdup(c->path))) {
			snprintf(err, ALERT_LOG_ERR_MAX, "alert log path too long or out of memory");
			free(l->buf);
			free(l->zbuf);
			free(l);
			return NULL;
		}
		uint64_t torn = 0;
		l->loaded = alert_log_load(s, l->path, c->keep, c->load, &torn);
		l->torn = torn;
		if (torn)
			log_warn("alert log %s: %llu lines skipped at load (torn or not alerts)", l->path,
				 (unsigned long long)torn);
		open_log(l);
	}
	/* what was loaded is in the file already */
	l->written_id = alert_store_last_id(s);
	l->in_file_id = l->synced_id = l->path ? l->written_id : 0;
	alert_store_set_health_fn(s, health, l);

	/* The writer takes no signals: they go to the main thread. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&l->thread, NULL, writer, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		alert_store_set_health_fn(s, NULL, NULL);
		snprintf(err, ALERT_LOG_ERR_MAX, "cannot start the alert log writer: %s", strerror(rc));
		close_log(l);
		free(l->path);
		free(l->buf);
		free(l->zbuf);
		free(l);
		return NULL;
	}
	return l;
}

void alert_log_stop(struct alert_log *l)
{
	if (!l)
		return;
	atomic_store(&l->stopping, true);
	alert_store_kick(l->store);
	pthread_join(l->thread, NULL);
	alert_store_dedup_tick(l->store, 0, true);
	if (!drain(l) && l->path)
		log_warn("alert log %s: alerts not written at exit: %s", l->path, l->last_error);
	close_log(l);
	alert_store_set_health_fn(l->store, NULL, NULL);
	pthread_mutex_destroy(&l->lock);
	free(l->path);
	free(l->buf);
	free(l->zbuf);
	free(l);
}
