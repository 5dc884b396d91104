/* rules.c — rule files (YAML) and domain list files (plain or gzip) → rules
 * plus one compiled matcher.  Errors read "file:line:col: what is wrong". */
#include <arpa/inet.h>
#include <pthread.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <yaml.h>
#include <zlib.h>

#include "affinity.h"
#include "config.h"
#include "name.h"
#include "rules.h"

#define EMBEDDED_SOURCE		"<embedded>/triangulation.yaml"
#define DEFAULT_CATEGORY	"Known C2 domain"
#define LIST_RULE_ID		9000001		/* first id of the -L list rules */
#define LIST_LINE_MAX		4096
#define LIST_BUF		(256 * 1024)	/* read size: lines are cut out in place */
#define PIPE_MIN_BYTES		(1u << 20)	/* smaller lists are read on one thread */
#define PIPE_BATCHES		4		/* batches of names in flight */
#define PIPE_BATCH_BYTES	(64 * 1024)	/* name bytes a batch holds */
#define PIPE_BATCH_NAMES	(PIPE_BATCH_BYTES / 2)
#define SHOWN_MAX		80		/* characters of a bad name quoted back */

#define PRINTF(f, a) __attribute__((format(printf, f, a)))

struct pos {
	unsigned long line, col;	/* 1-based; 0 when unknown */
};
static const struct pos nowhere;	/* errors about a whole file, or none */

struct loader {
	struct ruleset *rs;
	size_t cap;		/* rules allocated */
	struct pos *defined;	/* where each rule's id was given, for duplicates */
	bool embedded;		/* reading the built-in rules: no list files */
	const char *named_at;	/* where the path being opened was named, or NULL */
	char *err;
	struct load_pipe *pipe;	/* names go to the inserting thread, when set */
};

static const char *const rule_keys[] = {
	"id", "name", "severity", "category", "description", "references", "domains", "lists",
	"throttle",
};
enum { K_ID, K_NAME, K_SEVERITY, K_CATEGORY, K_DESCRIPTION, K_REFERENCES, K_DOMAINS, K_LISTS,
       K_THROTTLE, K_COUNT };

/* Names in hosts files that are not meant as blocked domains. */
static const char *const hosts_skip[] = {
	"localhost", "localhost.localdomain", "broadcasthost", "local", "0.0.0.0",
	"ip6-localhost", "ip6-loopback", "ip6-localnet", "ip6-mcastprefix",
	"ip6-allnodes", "ip6-allrouters", "ip6-allhosts",
};

/* libyaml counts lines and columns from 0: this is the one place adding 1. */
static struct pos mark_pos(yaml_mark_t m, size_t coloff)
{
	struct pos p = { (unsigned long)m.line + 1, (unsigned long)(m.column + coloff) + 1 };

	return p;
}

/* A list file position from a 0-based offset in the line. */
static struct pos list_pos(unsigned long line, size_t off)
{
	struct pos p = { line, (unsigned long)off + 1 };

	return p;
}

/* Keep the first error: it is the one the user has to fix first. */
PRINTF(4, 0)
static void vfail(struct loader *ld, const char *file, struct pos p, const char *fmt, va_list ap)
{
	int n = 0;

	if (ld->err[0] != '\0')
		return;
	if (!file && ld->named_at)
		n = snprintf(ld->err, RULES_ERR_MAX, "%s: ", ld->named_at);
	else if (file && p.line)
		n = snprintf(ld->err, RULES_ERR_MAX, "%s:%lu:%lu: ", file, p.line, p.col);
	else if (file)
		n = snprintf(ld->err, RULES_ERR_MAX, "%s: ", file);
	if (n >= 0 && n < RULES_ERR_MAX)
		vsnprintf(ld->err + n, RULES_ERR_MAX - (size_t)n, fmt, ap);
}

PRINTF(4, 5)
static void fail(struct loader *ld, const char *file, struct pos p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ld, file, p, fmt, ap);
	va_end(ap);
}

PRINTF(5, 6)
static void fail_node(struct loader *ld, const char *file, const yaml_node_t *node,
		      size_t coloff, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ld, file, mark_pos(node->start_mark, coloff), fmt, ap);
	va_end(ap);
}

static void fail_nomem(struct loader *ld)
{
	fail(ld, NULL, nowhere, "out of memory");
}

/* A name from a file, quoted back in a message: bounded and printable. */
static const char *shown(char *buf, size_t size, const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 4 < size; i++) {
		if (n >= SHOWN_MAX) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		buf[n++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	}
	buf[n] = '\0';
	return buf;
}

static char *xstrdup(struct loader *ld, const char *s)
{
	char *d = strdup(s);

	if (!d)
		fail_nomem(ld);
	return d;
}

/* dir's prefix of a path, slash included: relative names are joined to it. */
static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? (size_t)(slash - path) + 1 : 0;
}

static char *join(struct loader *ld, const char *dir, size_t dlen, const char *name)
{
	size_t nlen = strlen(name);
	char *p;

	if (name[0] == '/')
		dlen = 0;
	if (!(p = malloc(dlen + nlen + 1))) {
		fail_nomem(ld);
		return NULL;
	}
	memcpy(p, dir, dlen);
	memcpy(p + dlen, name, nlen + 1);
	return p;
}

static void rule_clear(struct rule *r)
{
	free(r->name);
	free(r->category);
	free(r->description);
	for (size_t i = 0; i < r->nreferences; i++)
		free(r->references[i]);
	free(r->references);
	for (size_t i = 0; i < r->nlists; i++)
		free(r->lists[i]);
	free(r->lists);
	free(r->source);
}

struct ruleset *rules_load_config(const struct config *c, char err[RULES_ERR_MAX])
{
	if (!c->nrule_paths && !c->nlist_paths)
		return rules_load_embedded(err);
	return rules_load_named(c->rule_paths, c->rule_where, c->nrule_paths,
				c->list_paths, c->list_where, c->nlist_paths, err);
}

void rules_free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->nrules; i++)
		rule_clear(&rs->rules[i]);
	free(rs->rules);
	matcher_free(rs->matcher);
	free(rs);
}

/* A new, zeroed rule already counted in the set, so that rules_free cleans up
 * whatever part of it an error leaves filled in. */
static struct rule *rule_push(struct loader *ld, const char *source)
{
	struct ruleset *rs = ld->rs;
	struct rule *r;

	if (rs->nrules == ld->cap) {
		size_t cap = ld->cap ? ld->cap * 2 : 16;
		struct rule *rules = realloc(rs->rules, cap * sizeof *rules);
		struct pos *defined;

		if (!rules) {
			fail_nomem(ld);
			return NULL;
		}
		rs->rules = rules;
		if (!(defined = realloc(ld->defined, cap * sizeof *defined))) {
			fail_nomem(ld);
			return NULL;
		}
		ld->defined = defined;
		ld->cap = cap;
	}
	r = &rs->rules[rs->nrules];
	memset(r, 0, sizeof *r);
	ld->defined[rs->nrules] = nowhere;
	rs->nrules++;
	r->severity = SEV_MEDIUM;
	if (!(r->source = xstrdup(ld, source)))
		return NULL;
	return r;
}

/* The rule already using id, or NULL.  Rule sets are small: a scan will do. */
static const struct rule *rule_with_id(const struct loader *ld, uint32_t id, size_t *at)
{
	for (size_t i = 0; i + 1 < ld->rs->nrules; i++) {
		if (ld->rs->rules[i].id == id) {
			*at = i;
			return &ld->rs->rules[i];
		}
	}
	return NULL;
}

/* "*.evil.com" and ".evil.com" mean evil.com; then normalise, check, add.
 * Returns 0, 1 for a bad name (*bad_at in tok, *why), -1 out of memory. */
/* A big list is read in two stages on two threads: one reads, cuts lines and
 * checks names (about half the work), the caller's thread inserts them into
 * the matcher (the other half, misses to memory), handed over in batches. */
struct name_batch {
	size_t n, used;
	uint8_t len[PIPE_BATCH_NAMES];
	char text[PIPE_BATCH_BYTES];
};

struct load_pipe {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct name_batch b[PIPE_BATCHES];
	unsigned head, count;	/* full batches, oldest at head */
	bool filling;		/* the reader holds b[(head + count) % PIPE_BATCHES] */
	bool done;		/* the reader has finished, with rc */
	bool abort;		/* the inserter failed: the reader stops */
	int rc;
	/* the reader's arguments */
	struct loader *ld;
	gzFile gz;
	const char *path, *shown_as;
	uint32_t rule;
};

/* The batch being filled hands over to the inserter: false if it gave up. */
static bool pipe_publish(struct load_pipe *lp)
{
	pthread_mutex_lock(&lp->lock);
	if (lp->filling) {
		lp->count++;
		lp->filling = false;
		pthread_cond_broadcast(&lp->cond);
	}
	bool ok = !lp->abort;
	pthread_mutex_unlock(&lp->lock);
	return ok;
}

/* Room for one more name in the batch being filled. */
static struct name_batch *pipe_room(struct load_pipe *lp, size_t len)
{
	pthread_mutex_lock(&lp->lock);
	for (;;) {
		struct name_batch *b = &lp->b[(lp->head + lp->count) % PIPE_BATCHES];
		if (lp->abort) {
			b = NULL;
		} else if (lp->filling) {
			if (b->n == PIPE_BATCH_NAMES || b->used + len > PIPE_BATCH_BYTES) {
				lp->count++;
				lp->filling = false;
				pthread_cond_broadcast(&lp->cond);
				continue;
			}
		} else if (lp->count < PIPE_BATCHES) {
			b->n = b->used = 0;
			lp->filling = true;
		} else {
			pthread_cond_wait(&lp->cond, &lp->lock);
			continue;
		}
		pthread_mutex_unlock(&lp->lock);
		return b;
	}
}

static int list_read(struct loader *ld, gzFile gz, const char *path, const char *shown_as, uint32_t rule);

static void *pipe_reader(void *arg)
{
	struct load_pipe *lp = arg;
	thread_name("c2w-loader", -1);
	int rc = list_read(lp->ld, lp->gz, lp->path, lp->shown_as, lp->rule);
	pipe_publish(lp);
	pthread_mutex_lock(&lp->lock);
	lp->rc = rc;
	lp->done = true;
	pthread_cond_broadcast(&lp->cond);
	pthread_mutex_unlock(&lp->lock);
	return NULL;
}

/* Insert what the reader hands over until it is done; -1 if out of memory
 * (the reader is told to stop). */
static int pipe_insert(struct load_pipe *lp, struct matcher *m)
{
	int rc = 0;
	pthread_mutex_lock(&lp->lock);
	for (;;) {
		if (lp->count == 0) {
			if (lp->done)
				break;
			pthread_cond_wait(&lp->cond, &lp->lock);
			continue;
		}
		struct name_batch *b = &lp->b[lp->head];
		pthread_mutex_unlock(&lp->lock);
		const char *t = b->text;
		for (size_t i = 0; i < b->n && rc == 0; t += b->len[i++])
			rc = matcher_add(m, t, b->len[i], lp->rule);
		pthread_mutex_lock(&lp->lock);
		lp->head = (lp->head + 1) % PIPE_BATCHES;
		lp->count--;
		if (rc < 0)
			lp->abort = true;
		pthread_cond_broadcast(&lp->cond);
		if (rc < 0)
			break;
	}
	pthread_mutex_unlock(&lp->lock);
	return rc;
}

/* list_read() on a reader thread while this one inserts.  1 when the thread
 * could not be started (the caller reads on its own). */
static int list_read_pipelined(struct loader *ld, gzFile gz, const char *path, const char *shown_as,
			       uint32_t rule)
{
	struct load_pipe *lp = calloc(1, sizeof *lp);
	pthread_t reader;

	if (!lp)
		return 1;
	lp->ld = ld;
	lp->gz = gz;
	lp->path = path;
	lp->shown_as = shown_as;
	lp->rule = rule;
	pthread_mutex_init(&lp->lock, NULL);
	pthread_cond_init(&lp->cond, NULL);
	ld->pipe = lp;
	if (pthread_create(&reader, NULL, pipe_reader, lp) != 0) {
		ld->pipe = NULL;
		pthread_mutex_destroy(&lp->lock);
		pthread_cond_destroy(&lp->cond);
		free(lp);
		return 1;
	}
	int irc = pipe_insert(lp, ld->rs->matcher);
	pthread_join(reader, NULL);
	ld->pipe = NULL;
	int rc = lp->rc;
	if (irc < 0) {
		fail_nomem(ld);		/* the reader stopped without a message */
		rc = -1;
	}
	pthread_mutex_destroy(&lp->lock);
	pthread_cond_destroy(&lp->cond);
	free(lp);
	return rc;
}

static int add_name(struct loader *ld, const char *tok, size_t len, uint32_t rule,
		    size_t *bad_at, const char **why)
{
	char buf[256];
	size_t skip = 0, n, bad;

	if (len >= 2 && tok[0] == '*' && tok[1] == '.')
		skip = 2;
	else if (len >= 1 && tok[0] == '.')
		skip = 1;
	/* Past 255 characters a name is too long whatever follows, and the
	 * check reports the first problem in order: a prefix gives the verdict. */
	n = len - skip < sizeof buf - 1 ? len - skip : sizeof buf - 1;
	memcpy(buf, tok + skip, n);
	n = name_normalize(buf, n);
	if (!name_valid_entry(buf, n, &bad, why)) {
		*bad_at = skip + bad;
		return 1;
	}
	if (ld->pipe) {
		struct name_batch *b = pipe_room(ld->pipe, n);
		if (!b)
			return -1;	/* the inserter failed and says so */
		memcpy(b->text + b->used, buf, n);
		b->len[b->n++] = (uint8_t)n;
		b->used += n;
		return 0;
	}
	if (matcher_add(ld->rs->matcher, buf, n, rule) < 0) {
		fail_nomem(ld);
		return -1;
	}
	return 0;
}

static bool is_ip(const char *s, size_t len)
{
	char buf[64];
	unsigned char addr[16];
	const char *zone;

	if (len == 0 || len >= sizeof buf)
		return false;
	/* most lines hold a name: reject those before the real parse */
	if (!memchr(s, ':', len)) {
		for (size_t i = 0; i < len; i++)
			if (s[i] != '.' && (s[i] < '0' || s[i] > '9'))
				return false;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if ((zone = strchr(buf, '%')))		/* fe80::1%lo0 */
		buf[zone - buf] = '\0';
	return inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1;
}

static bool hosts_skipped(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof hosts_skip / sizeof hosts_skip[0]; i++)
		if (strlen(hosts_skip[i]) == len && strncasecmp(s, hosts_skip[i], len) == 0)
			return true;
	return false;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The next token of line from *i: its start, or len when there is none. */
static size_t token(const char *line, size_t len, size_t *i, size_t *tlen)
{
	size_t a = *i, b;

	while (a < len && blank(line[a]))
		a++;
	for (b = a; b < len && !blank(line[b]); b++)
		;
	*i = b;
	*tlen = b - a;
	return a;
}

static int list_name(struct loader *ld, const char *path, unsigned long lineno,
		     const char *line, size_t at, size_t len, uint32_t rule)
{
	char show[SHOWN_MAX + 4];
	const char *why;
	size_t bad;
	int rc = add_name(ld, line + at, len, rule, &bad, &why);

	if (rc > 0)
		fail(ld, path, list_pos(lineno, at + bad), "invalid domain '%s': %s",
		     shown(show, sizeof show, line + at, len), why);
	return rc == 0 ? 0 : -1;
}

/* One line: a name, or a hosts-file line "ADDRESS name...", with an optional
 * '#' comment; blank lines and comment lines add nothing. */
static int list_line(struct loader *ld, const char *path, unsigned long lineno,
		     const char *line, size_t len, uint32_t rule)
{
	const char *hash;
	size_t i = 0, at, addr, tlen;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > LIST_LINE_MAX) {
		fail(ld, path, list_pos(lineno, LIST_LINE_MAX),
		     "line longer than %d characters", LIST_LINE_MAX);
		return -1;
	}
	if ((hash = memchr(line, '#', len)))
		len = (size_t)(hash - line);

	at = token(line, len, &i, &tlen);
	if (tlen == 0)
		return 0;
	if (!is_ip(line + at, tlen)) {
		if (list_name(ld, path, lineno, line, at, tlen, rule) < 0)
			return -1;
		at = token(line, len, &i, &tlen);
		if (tlen > 0) {
			fail(ld, path, list_pos(lineno, at), "unexpected text after the domain");
			return -1;
		}
		return 0;
	}
	/* a hosts-file line: the names follow the address */
	addr = at;
	at = token(line, len, &i, &tlen);
	if (tlen == 0) {
		/* most likely an IP feed given by mistake: saying so beats loading nothing */
		fail(ld, path, list_pos(lineno, addr),
		     "address without a name (lists hold domain names, not addresses)");
		return -1;
	}
	do {
		if (!hosts_skipped(line + at, tlen) &&
		    list_name(ld, path, lineno, line, at, tlen, rule) < 0)
			return -1;
		at = token(line, len, &i, &tlen);
	} while (tlen > 0);
	return 0;
}

/* Read a list file in large blocks and cut lines in place: no allocation or
 * stdio call per line.  gzread reads plain files as they are. */
static int list_read(struct loader *ld, gzFile gz, const char *path, const char *shown_as, uint32_t rule)
{
	char *buf = malloc(LIST_BUF);
	size_t have = 0;
	unsigned long lineno = 0;
	bool start = true;
	int rc = -1;

	if (!buf) {
		fail_nomem(ld);
		return -1;
	}
	for (;;) {
		int got = gzread(gz, buf + have, (unsigned)(LIST_BUF - have)), zerr = Z_OK;
		const char *msg = got > 0 ? NULL : gzerror(gz, &zerr);
		char *p = buf, *end, *nl;
		size_t rest;

		/* a gzip stream cut short only shows as Z_BUF_ERROR at the end */
		if (got < 0 || zerr != Z_OK) {
			fail(ld, NULL, nowhere, "cannot read list '%s': %s", shown_as,
			     zerr == Z_ERRNO ? strerror(errno) : msg);
			goto out;
		}
		have += (size_t)got;
		end = buf + have;
		if (start && have >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
			p += 3;		/* a UTF-8 byte order mark */
		start = false;
		while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
			if (list_line(ld, path, ++lineno, p, (size_t)(nl - p), rule) < 0)
				goto out;
			p = nl + 1;
		}
		rest = (size_t)(end - p);
		if (got == 0) {
			if (rest > 0 && list_line(ld, path, ++lineno, p, rest, rule) < 0)
				goto out;
			break;
		}
		if (rest > LIST_LINE_MAX + 1) {		/* + 1: a CR may come before the LF */
			fail(ld, path, list_pos(lineno + 1, LIST_LINE_MAX),
			     "line longer than %d characters", LIST_LINE_MAX);
			goto out;
		}
		memmove(buf, p, rest);
		have = rest;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* Add a list file's names to rule.  A failure to open it is reported where
 * it was named: at the YAML scalar, or on its own for a -L list. */
static int list_load(struct loader *ld, const char *path, uint32_t rule,
		     const char *file, const yaml_node_t *named_by, const char *shown_as)
{
	gzFile gz;
	int rc;

	errno = 0;
	if (!(gz = gzopen(path, "rb"))) {
		const char *why = errno ? strerror(errno) : "out of memory";

		if (named_by)
			fail_node(ld, file, named_by, 0, "cannot open list '%s': %s", shown_as, why);
		else
			fail(ld, NULL, nowhere, "cannot open list '%s': %s", shown_as, why);
		return -1;
	}
	gzbuffer(gz, 128 * 1024);
	/* A plain list's size tells how many names it holds, near enough
	 * (about 20 bytes a line): the table is sized once, never regrown. */
	struct stat st;
	if (!gzdirect(gz) || stat(path, &st) != 0)
		st.st_size = 0;
	matcher_reserve(ld->rs->matcher, (size_t)st.st_size / 20);
	rc = 1;
	if ((size_t)st.st_size >= PIPE_MIN_BYTES)
		rc = list_read_pipelined(ld, gz, path, shown_as, rule);
	if (rc > 0)
		rc = list_read(ld, gz, path, shown_as, rule);
	gzclose(gz);
	return rc;
}

/* ---- YAML ---- */

static const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static bool is_null(const yaml_node_t *n)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = sval(n);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static bool is_text(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && !memchr(sval(n), '\0', n->data.scalar.length);
}

static void fail_parser(struct loader *ld, const char *file, const yaml_parser_t *p)
{
	struct pos at = mark_pos(p->problem_mark, 0), ctx = mark_pos(p->context_mark, 0);
	const char *problem = p->problem ? p->problem : "syntax error";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		fail_nomem(ld);
		break;
	case YAML_READER_ERROR:
		fail(ld, file, nowhere, "%s at byte %zu", problem, p->problem_offset);
		break;
	default:
		if (p->context)
			fail(ld, file, at, "%s (%s at line %lu)", problem, p->context, ctx.line);
		else
			fail(ld, file, at, "%s", problem);
	}
}

/* The document, which must be the stream's only one.  -1 on errors, after
 * which there is nothing to delete. */
static int yaml_read(struct loader *ld, const char *file, yaml_parser_t *p, yaml_document_t *doc)
{
	yaml_document_t extra;
	yaml_node_t *root;

	if (!yaml_parser_load(p, doc)) {
		fail_parser(ld, file, p);
		return -1;
	}
	if (!yaml_document_get_root_node(doc))
		return 0;
	if (!yaml_parser_load(p, &extra)) {
		fail_parser(ld, file, p);
		yaml_document_delete(doc);
		return -1;
	}
	if ((root = yaml_document_get_root_node(&extra))) {
		fail_node(ld, file, root, 0, "only one YAML document is allowed");
		yaml_document_delete(&extra);
		yaml_document_delete(doc);
		return -1;
	}
	yaml_document_delete(&extra);
	return 0;
}

/* Pick a mapping's values by key: vals[i] for names[i].  Unknown and repeated
 * keys are errors; where says which mapping ("in rule"), for the message. */
static int map_keys(struct loader *ld, const char *file, yaml_document_t *doc,
		    const yaml_node_t *map, const char *const *names, size_t n,
		    yaml_node_t **vals, const char *where)
{
	for (size_t i = 0; i < n; i++)
		vals[i] = NULL;
	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *key = yaml_document_get_node(doc, pr->key);
		size_t i;

		if (!is_text(key)) {
			fail_node(ld, file, key, 0, "expected a key name %s", where);
			return -1;
		}
		for (i = 0; i < n && strcmp(sval(key), names[i]) != 0; i++)
			;
		if (i == n) {
			char expected[512], show[SHOWN_MAX + 4];
			size_t len = 0;

			for (size_t j = 0; j < n && len < sizeof expected; j++)
				len += (size_t)snprintf(expected + len, sizeof expected - len, "%s%s",
						       j ? ", " : "", names[j]);
			fail_node(ld, file, key, 0, "unknown key '%s' %s (expected one of: %s)",
				  shown(show, sizeof show, sval(key), key->data.scalar.length), where, expected);
			return -1;
		}
		if (vals[i]) {
			fail_node(ld, file, key, 0, "duplicate key '%s' %s", names[i], where);
			return -1;
		}
		vals[i] = yaml_document_get_node(doc, pr->value);
	}
	return 0;
}

/* A string value; NULL (with the error set) when it is not one. */
static char *get_string(struct loader *ld, const char *file, const yaml_node_t *n,
			const char *key, bool empty_ok)
{
	if (n->type != YAML_SCALAR_NODE || (!empty_ok && n->data.scalar.length == 0) ||
	    (!empty_ok && is_null(n))) {
		fail_node(ld, file, n, 0, "'%s' must be a%s string", key, empty_ok ? "" : " non-empty");
		return NULL;
	}
	if (!is_text(n)) {
		fail_node(ld, file, n, 0, "'%s' must not contain a NUL character", key);
		return NULL;
	}
	return xstrdup(ld, is_null(n) ? "" : sval(n));
}

/* Items of a list value, which may also be absent or null: *count = 0. */
static int get_list(struct loader *ld, const char *file, const yaml_node_t *n,
		    const char *key, size_t *count)
{
	*count = 0;
	if (!n || is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		fail_node(ld, file, n, 0, "expected a list for '%s'", key);
		return -1;
	}
	*count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	return 0;
}

static yaml_node_t *item(yaml_document_t *doc, const yaml_node_t *seq, size_t i)
{
	return yaml_document_get_node(doc, seq->data.sequence.items.start[i]);
}

static bool parse_u32(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int rule_id(struct loader *ld, const char *file, const yaml_node_t *n, struct rule *r)
{
	const struct rule *first;
	size_t at;

	if (n->type != YAML_SCALAR_NODE || !parse_u32(sval(n), n->data.scalar.length, &r->id) || r->id == 0) {
		fail_node(ld, file, n, 0, "'id' must be an integer from 1 to %lu", (unsigned long)UINT32_MAX);
		return -1;
	}
	ld->defined[ld->rs->nrules - 1] = mark_pos(n->start_mark, 0);
	if ((first = rule_with_id(ld, r->id, &at))) {
		const struct pos *p = &ld->defined[at];

		if (p->line)
			fail_node(ld, file, n, 0, "duplicate rule id %lu (first defined at %s:%lu:%lu)",
				  (unsigned long)r->id, first->source, p->line, p->col);
		else
			fail_node(ld, file, n, 0, "duplicate rule id %lu (first used by list '%s')",
				  (unsigned long)r->id, first->source);
		return -1;
	}
	return 0;
}

static int rule_severity(struct loader *ld, const char *file, const yaml_node_t *n, struct rule *r)
{
	static const char *const names[] = { "high", "medium", "low", "info" };

	if (n->type == YAML_SCALAR_NODE) {
		const char *s = sval(n);

		for (int i = 0; i < 4; i++) {
			if (strcasecmp(s, names[i]) == 0 || (s[0] == '1' + i && s[1] == '\0')) {
				r->severity = (enum severity)(SEV_HIGH + i);
				return 0;
			}
		}
	}
	fail_node(ld, file, n, 0, "'severity' must be one of high, medium, low, info, or 1 (high) to 4 (info)");
	return -1;
}

/* The rule's alert dedup window: "off" or 0, or a duration ("90", "90s",
 * "5m", "1h"; up to a day). */
static int rule_throttle(struct loader *ld, const char *file, const yaml_node_t *n, struct rule *r)
{
	if (n->type == YAML_SCALAR_NODE && is_text(n)) {
		const char *p = sval(n);
		uint64_t v = 0, unit = 0;

		if (strcasecmp(p, "off") == 0 || strcasecmp(p, "false") == 0) {
			r->throttle_s = -1;
			return 0;
		}
		for (; *p >= '0' && *p <= '9' && v <= 86400; p++)
			v = v * 10 + (uint64_t)(*p - '0');
		if (p > sval(n))
			unit = !*p || !strcmp(p, "s") ? 1 : !strcmp(p, "m") ? 60 : !strcmp(p, "h") ? 3600 : 0;
		if (unit && v <= 86400 && v * unit <= 86400) {
			r->throttle_s = v ? (int32_t)(v * unit) : -1;
			return 0;
		}
	}
	fail_node(ld, file, n, 0, "'throttle' must be off or a duration up to 24h (seconds, or with s, m, h)");
	return -1;
}

static int rule_strings(struct loader *ld, const char *file, yaml_document_t *doc,
			const yaml_node_t *n, const char *key, char ***out, size_t *count)
{
	size_t len;

	if (get_list(ld, file, n, key, &len) < 0)
		return -1;
	if (len == 0)
		return 0;
	if (!(*out = calloc(len, sizeof **out))) {
		fail_nomem(ld);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (!((*out)[i] = get_string(ld, file, item(doc, n, i), key, false)))
			return -1;
		(*count)++;
	}
	return 0;
}

static int rule_domains(struct loader *ld, const char *file, yaml_document_t *doc,
			const yaml_node_t *seq, size_t count, uint32_t rule)
{
	for (size_t i = 0; i < count; i++) {
		const yaml_node_t *n = item(doc, seq, i);
		char show[SHOWN_MAX + 4];
		const char *why;
		size_t bad, quote;
		int rc;

		if (n->type != YAML_SCALAR_NODE || is_null(n)) {
			fail_node(ld, file, n, 0, "expected a domain name in 'domains'");
			return -1;
		}
		rc = add_name(ld, sval(n), n->data.scalar.length, rule, &bad, &why);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			/* columns inside a quoted scalar start after the quote */
			quote = n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
				n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
			fail_node(ld, file, n, quote + bad, "invalid domain '%s': %s",
				  shown(show, sizeof show, sval(n), n->data.scalar.length), why);
			return -1;
		}
	}
	return 0;
}

static int rule_lists(struct loader *ld, const char *file, yaml_document_t *doc,
		      const yaml_node_t *seq, size_t count, struct rule *r, uint32_t rule)
{
	if (count > 0 && ld->embedded) {
		fail_node(ld, file, seq, 0, "list files are not allowed in the built-in rules");
		return -1;
	}
	if (count > 0 && !(r->lists = calloc(count, sizeof *r->lists))) {
		fail_nomem(ld);
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		const yaml_node_t *n = item(doc, seq, i);
		char show[SHOWN_MAX + 4];

		if (n->type != YAML_SCALAR_NODE || is_null(n) || !is_text(n)) {
			fail_node(ld, file, n, 0, "expected a file name in 'lists'");
			return -1;
		}
		if (!(r->lists[i] = join(ld, file, dir_len(file), sval(n))))
			return -1;
		r->nlists++;
		if (list_load(ld, r->lists[i], rule, file, n,
			      shown(show, sizeof show, sval(n), n->data.scalar.length)) < 0)
			return -1;
	}
	return 0;
}

static int rule_load(struct loader *ld, const char *file, yaml_document_t *doc, const yaml_node_t *map)
{
	yaml_node_t *v[K_COUNT];
	struct rule *r;
	uint32_t index;
	size_t ndomains, nlists, before;

	if (map->type != YAML_MAPPING_NODE) {
		fail_node(ld, file, map, 0, "expected a mapping for each rule (id, name, domains, ...)");
		return -1;
	}
	if (map_keys(ld, file, doc, map, rule_keys, K_COUNT, v, "in rule") < 0)
		return -1;
	for (int k = K_ID; k <= K_NAME; k++) {
		if (!v[k]) {
			fail_node(ld, file, map, 0, "missing required key '%s' in rule", rule_keys[k]);
			return -1;
		}
	}
	if (!(r = rule_push(ld, file)))
		return -1;
	index = (uint32_t)(ld->rs->nrules - 1);
	if (rule_id(ld, file, v[K_ID], r) < 0 ||
	    !(r->name = get_string(ld, file, v[K_NAME], "name", false)) ||
	    (v[K_SEVERITY] && rule_severity(ld, file, v[K_SEVERITY], r) < 0) ||
	    (v[K_THROTTLE] && rule_throttle(ld, file, v[K_THROTTLE], r) < 0) ||
	    !(r->category = v[K_CATEGORY] ? get_string(ld, file, v[K_CATEGORY], "category", false)
					  : xstrdup(ld, DEFAULT_CATEGORY)) ||
	    !(r->description = v[K_DESCRIPTION] ? get_string(ld, file, v[K_DESCRIPTION], "description", true)
						: xstrdup(ld, "")) ||
	    rule_strings(ld, file, doc, v[K_REFERENCES], "references", &r->references, &r->nreferences) < 0)
		return -1;

	/* Check the shape before reading what may be millions of names. */
	if (get_list(ld, file, v[K_DOMAINS], "domains", &ndomains) < 0 ||
	    get_list(ld, file, v[K_LISTS], "lists", &nlists) < 0)
		return -1;
	if (ndomains == 0 && nlists == 0) {
		fail_node(ld, file, map, 0, "rule %lu has no domains (give 'domains' or 'lists')",
			  (unsigned long)r->id);
		return -1;
	}
	before = matcher_entries(ld->rs->matcher);
	if (rule_domains(ld, file, doc, v[K_DOMAINS], ndomains, index) < 0 ||
	    rule_lists(ld, file, doc, v[K_LISTS], nlists, r, index) < 0)
		return -1;
	r->ndomains = matcher_entries(ld->rs->matcher) - before;
	return 0;
}

static int rules_doc(struct loader *ld, const char *file, yaml_document_t *doc)
{
	static const char *const top_keys[] = { "rules" };
	yaml_node_t *root = yaml_document_get_root_node(doc), *rules;
	size_t count;

	if (!root) {
		fail(ld, file, nowhere, "empty rule file (expected 'rules:')");
		return -1;
	}
	if (root->type != YAML_MAPPING_NODE) {
		fail_node(ld, file, root, 0, "expected a mapping with 'rules' at top level");
		return -1;
	}
	if (map_keys(ld, file, doc, root, top_keys, 1, &rules, "at top level") < 0)
		return -1;
	if (!rules) {
		fail_node(ld, file, root, 0, "missing required key 'rules'");
		return -1;
	}
	if (get_list(ld, file, rules, "rules", &count) < 0)
		return -1;
	for (size_t i = 0; i < count; i++)
		if (rule_load(ld, file, doc, item(doc, rules, i)) < 0)
			return -1;
	return 0;
}

static int rules_parse(struct loader *ld, const char *file, yaml_parser_t *p)
{
	yaml_document_t doc;
	int rc;

	if (yaml_read(ld, file, p, &doc) < 0)
		return -1;
	rc = rules_doc(ld, file, &doc);
	yaml_document_delete(&doc);
	return rc;
}

static int rule_file(struct loader *ld, const char *path)
{
	yaml_parser_t p;
	FILE *f;
	int rc;

	if (!(f = fopen(path, "rb"))) {
		fail(ld, NULL, nowhere, "cannot open rule file '%s': %s", path, strerror(errno));
		return -1;
	}
	if (!yaml_parser_initialize(&p)) {
		fclose(f);
		fail_nomem(ld);
		return -1;
	}
	yaml_parser_set_input_file(&p, f);
	rc = rules_parse(ld, path, &p);
	yaml_parser_delete(&p);
	fclose(f);
	return rc;
}

static bool is_yaml_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')		/* hidden files: editor swap, backups */
		return false;
	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.yaml / *.yml directly in dir, in name order so that the result
 * does not depend on the file system. */
static int rule_dir(struct loader *ld, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, dlen = strlen(dir);
	int rc = -1;

	if (!d) {
		fail(ld, NULL, nowhere, "cannot open rule directory '%s': %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (!is_yaml_name(de->d_name))
			continue;
		if (n == cap) {
			char **more = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *names);

			if (!more) {
				fail_nomem(ld);
				goto out;
			}
			names = more;
		}
		if (!(names[n] = xstrdup(ld, de->d_name)))
			goto out;
		n++;
	}
	if (n == 0) {
		fail(ld, dir, nowhere, "no *.yaml or *.yml rule files in directory");
		goto out;
	}
	qsort(names, n, sizeof *names, cmp_str);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	for (size_t i = 0; i < n; i++) {
		size_t len = dlen + 1 + strlen(names[i]) + 1;
		char *path = malloc(len);
		struct stat st;

		if (!path) {
			fail_nomem(ld);
			goto out;
		}
		snprintf(path, len, "%.*s/%s", (int)dlen, dir, names[i]);
		/* a subdirectory that happens to be called x.yaml is not a rule file */
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (rule_file(ld, path) < 0) {
			free(path);
			goto out;
		}
		free(path);
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

/* "feeds/abuse.txt.gz" → "abuse" */
static char *list_rule_name(struct loader *ld, const char *path)
{
	const char *base = path + dir_len(path), *dot;
	size_t n = strlen(base);
	char *name;

	if (n > 3 && strcmp(base + n - 3, ".gz") == 0)
		n -= 3;
	for (dot = base + n; dot > base && *--dot != '.';)
		;
	if (dot > base)
		n = (size_t)(dot - base);
	if (n == 0)		/* ".gz", ".hidden" */
		n = strlen(base);
	if (!(name = strndup(base, n)))
		fail_nomem(ld);
	return name;
}

static int list_rule(struct loader *ld, const char *path, uint32_t id)
{
	struct rule *r;
	const struct rule *first;
	size_t at, before;

	if (!(r = rule_push(ld, path)))
		return -1;
	r->id = id;
	if ((first = rule_with_id(ld, id, &at))) {
		fail(ld, path, nowhere,
		     "rule id %lu for this list is already used (first defined at %s:%lu:%lu)",
		     (unsigned long)id, first->source, ld->defined[at].line, ld->defined[at].col);
		return -1;
	}
	if (!(r->name = list_rule_name(ld, path)) ||
	    !(r->category = xstrdup(ld, DEFAULT_CATEGORY)) ||
	    !(r->description = xstrdup(ld, "")))
		return -1;
	if (!(r->lists = calloc(1, sizeof *r->lists)) || !(r->lists[0] = strdup(path))) {
		fail_nomem(ld);
		return -1;
	}
	r->nlists = 1;
	before = matcher_entries(ld->rs->matcher);
	if (list_load(ld, path, (uint32_t)(ld->rs->nrules - 1), NULL, NULL, path) < 0)
		return -1;
	r->ndomains = matcher_entries(ld->rs->matcher) - before;
	return 0;
}

static int loader_start(struct loader *ld, char *err)
{
	memset(ld, 0, sizeof *ld);
	ld->err = err;
	err[0] = '\0';
	if (!(ld->rs = calloc(1, sizeof *ld->rs)) || !(ld->rs->matcher = matcher_new())) {
		free(ld->rs);
		fail_nomem(ld);
		return -1;
	}
	return 0;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static struct ruleset *loader_finish(struct loader *ld, int rc, const struct timespec *t0)
{
	free(ld->defined);
	if (rc == 0 && matcher_compile(ld->rs->matcher) < 0) {
		fail_nomem(ld);
		rc = -1;
	}
	if (rc < 0) {
		rules_free(ld->rs);
		return NULL;
	}
	ld->rs->load_seconds = seconds_since(t0);
	return ld->rs;
}

struct ruleset *rules_load(char *const *rule_paths, size_t nrule_paths,
			   char *const *list_paths, size_t nlist_paths,
			   char err[RULES_ERR_MAX])
{
	return rules_load_named(rule_paths, NULL, nrule_paths, list_paths, NULL, nlist_paths, err);
}

struct ruleset *rules_load_named(char *const *rule_paths, char *const *rule_where, size_t nrule_paths,
				 char *const *list_paths, char *const *list_where, size_t nlist_paths,
				 char err[RULES_ERR_MAX])
{
	struct loader ld;
	struct timespec t0;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (loader_start(&ld, err) < 0)
		return NULL;
	for (size_t i = 0; i < nrule_paths && rc == 0; i++) {
		struct stat st;

		ld.named_at = rule_where ? rule_where[i] : NULL;
		if (stat(rule_paths[i], &st) == 0 && S_ISDIR(st.st_mode))
			rc = rule_dir(&ld, rule_paths[i]);
		else
			rc = rule_file(&ld, rule_paths[i]);
	}
	for (size_t i = 0; i < nlist_paths && rc == 0; i++) {
		if (i > UINT32_MAX - LIST_RULE_ID) {
			fail(&ld, NULL, nowhere, "too many list files");
			rc = -1;
			break;
		}
		ld.named_at = list_where ? list_where[i] : NULL;
		rc = list_rule(&ld, list_paths[i], (uint32_t)(LIST_RULE_ID + i));
	}
	return loader_finish(&ld, rc, &t0);
}

struct ruleset *rules_load_embedded(char err[RULES_ERR_MAX])
{
	struct loader ld;
	struct timespec t0;
	yaml_parser_t p;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (loader_start(&ld, err) < 0)
		return NULL;
	ld.embedded = true;
	if (!yaml_parser_initialize(&p)) {
		fail_nomem(&ld);
		return loader_finish(&ld, -1, &t0);
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)embedded_rules_yaml, embedded_rules_yaml_len);
	rc = rules_parse(&ld, EMBEDDED_SOURCE, &p);
	yaml_parser_delete(&p);
	return loader_finish(&ld, rc, &t0);
}

const char *severity_name(enum severity s)
{
	switch (s) {
	case SEV_HIGH:
		return "high";
	case SEV_MEDIUM:
		return "medium";
	case SEV_LOW:
		return "low";
	case SEV_INFO:
		return "info";
	}
	return "unknown";
}
