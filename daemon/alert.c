/* alert.c — alert texts in a byte ring, indexed by id in a slot ring, with
 * each alert's meta beside it for queries; and the dedup table. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "alert.h"
#include "eve.h"
#include "json.h"

struct slot {
	uint64_t id;
	uint32_t off;
	uint32_t len;        /* 0: no text (formatting failed or too long) */
	struct alert_meta meta;
};

/* One (rule, source, name) whose dedup window is open. */
struct dd_entry {
	uint64_t hash;       /* 0: free */
	uint64_t first_ns, last_ns, end_ns;
	uint64_t first_id;
	uint64_t used;       /* stamp of the last lookup that found it: LRU in its set */
	uint64_t count;      /* alerts in the window, the first included */
	struct alert_meta meta;
};

#define DD_WAYS 4            /* entries per hash set: the LRU one leaves when all are taken */
#define DD_TICK_BUDGET 1024  /* entries examined per alert_store_dedup_tick() */
#define DD_SUMMARY_MAX 2048  /* a summary: a 253-byte name escaped 6 bytes a byte fits */

struct alert_store {
	pthread_mutex_t lock;
	struct slot *slots;  /* slot of id i is slots[i % cap] */
	uint32_t cap;
	char *text;          /* byte ring of alert texts, written in id order */
	size_t text_size;
	size_t tail;         /* where the next text goes */
	uint64_t first_id;   /* oldest alert still held; > last_id when none */
	uint64_t last_id;    /* ids 1..last_id have been assigned */
	pthread_cond_t added;    /* signalled on every alert stored */
	uint64_t kicks;          /* alert_store_kick() calls: wake waiters without an alert */
	uint64_t stored;

	/* dedup: a set-associative table, DD_WAYS entries a set */
	struct dd_entry *dd;
	size_t dd_sets;
	uint64_t dd_window_ns;
	uint64_t dd_stamp;
	size_t dd_cursor;    /* where the next tick goes on examining */
	uint64_t newest_ns;  /* the newest packet time of an alert: dedup's clock */
	uint64_t deduplicated, summaries, evicted;
	char *summary;       /* DD_SUMMARY_MAX bytes to format a summary in */
	alert_line_fn summary_fn;    /* also hands each summary on (the --alerts stream) */
	void *summary_ctx;

	alert_health_fn health_fn;
	void *health_ctx;
};

_Static_assert((uint64_t)(1u << 21) * ALERT_AVG_BYTES <= UINT32_MAX + 1ull,
	       "text offsets are 32 bits: alerts.ring is capped to match (config.c)");

struct alert_store *alert_store_new(uint32_t capacity)
{
	struct alert_store *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->cap = capacity ? capacity : 1;
	s->text_size = (size_t)s->cap * ALERT_AVG_BYTES;
	s->slots = calloc(s->cap, sizeof *s->slots);
	s->text = malloc(s->text_size);
	if (!s->slots || !s->text) {
		alert_store_free(s);
		return NULL;
	}
	s->first_id = 1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->added, &ca);
	pthread_condattr_destroy(&ca);
	return s;
}

void alert_store_free(struct alert_store *s)
{
	if (!s)
		return;
	if (s->slots && s->text) {
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->added);
	}
	free(s->slots);
	free(s->text);
	free(s->dd);
	free(s->summary);
	free(s);
}

static struct slot *slot_of(struct alert_store *s, uint64_t id)
{
	return &s->slots[id % s->cap];
}

static bool overlaps(const struct slot *sl, size_t off, size_t len)
{
	return sl->off < off + len && off < (size_t)sl->off + sl->len;
}

/* Put the text of alert id (the newest: last_id) in the rings. */
static void put(struct alert_store *s, uint64_t id, const struct alert_meta *meta,
		const char *text, size_t n)
{
	if (n > s->text_size)
		n = 0;
	if (s->tail + n > s->text_size) {
		/* Wrap: the texts past the tail are the previous lap's, the
		 * oldest held; they go first, so that the ring stays in id order. */
		size_t end = s->tail;
		while (s->first_id < id) {
			const struct slot *old = slot_of(s, s->first_id);
			if (old->len && old->off < end)
				break;
			s->first_id++;
		}
		s->tail = 0;
	}
	/* Texts go round the ring in id order, so the ones about to be
	 * overwritten are the oldest: drop them, and any whose slot is reused. */
	while (s->first_id < id) {
		const struct slot *old = slot_of(s, s->first_id);
		if (id - s->first_id < s->cap && old->len && !(n && overlaps(old, s->tail, n)))
			break;
		s->first_id++;
	}
	struct slot *sl = slot_of(s, id);
	sl->id = id;
	sl->off = (uint32_t)s->tail;
	sl->len = (uint32_t)n;
	if (meta)
		sl->meta = *meta;
	else
		memset(&sl->meta, 0, sizeof sl->meta);
	memcpy(s->text + s->tail, text, n);
	s->tail += n;
	if (meta && meta->ts_ns > s->newest_ns)
		s->newest_ns = meta->ts_ns;
}

/* ---- dedup ---- */

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* FNV-1a over the key; names compare without case (DNS, RFC 4343). */
static uint64_t dd_hash(const struct alert_meta *m)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (int i = 0; i < 4; i++)
		h = (h ^ ((m->rule_id >> (8 * i)) & 0xff)) * 0x100000001b3ull;
	for (const char *p = m->src; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
	h = (h ^ 0xff) * 0x100000001b3ull;
	for (const char *p = m->name; *p; p++)
		h = (h ^ (uint8_t)lower(*p)) * 0x100000001b3ull;
	return h ? h : 1;
}

static bool dd_same(const struct dd_entry *e, uint64_t h, const struct alert_meta *m)
{
	return e->hash == h && e->meta.rule_id == m->rule_id && strcmp(e->meta.src, m->src) == 0 &&
	       strcasecmp(e->meta.name, m->name) == 0;
}

static const char *sev_name(unsigned sev)
{
	static const char *const names[] = { "unknown", "high", "medium", "low", "info" };
	return sev < 5 ? names[sev] : names[0];
}

/* The summary alert of a window with repeats: its own id, the key, how many
 * and when. */
static size_t format_summary(const struct dd_entry *e, uint64_t id, char *buf, size_t cap)
{
	struct jbuf j;
	char ts[40];
	jb_init(&j, buf, cap);
	jb_obj_open(&j);
	eve_timestamp(e->last_ns, ts, sizeof ts);
	jb_kstr(&j, "timestamp", ts);
	jb_kstr(&j, "event_type", "alert");
	jb_kstr(&j, "src_ip", e->meta.src);
	jb_ku64(&j, "alert_id", id);
	jb_key(&j, "alert");
	jb_obj_open(&j);
	jb_kstr(&j, "action", "allowed");
	jb_ku64(&j, "gid", 1);
	jb_ku64(&j, "signature_id", e->meta.rule_id);
	jb_ku64(&j, "rev", 1);
	jb_kstr(&j, "signature", e->meta.signature ? e->meta.signature : "");
	jb_ku64(&j, "severity", e->meta.severity);
	jb_kstr(&j, "severity_name", sev_name(e->meta.severity));
	jb_obj_close(&j);
	jb_kstr(&j, "name", e->meta.name);
	jb_ku64(&j, "count", e->count);
	eve_timestamp(e->first_ns, ts, sizeof ts);
	jb_kstr(&j, "first_seen", ts);
	eve_timestamp(e->last_ns, ts, sizeof ts);
	jb_kstr(&j, "last_seen", ts);
	jb_ku64(&j, "first_alert_id", e->first_id);
	jb_obj_close(&j);
	jb_raw(&j, "\n", 1);
	return j.overflow ? 0 : j.len;
}

/* A window closes: its summary is stored when there were repeats. */
static bool dd_close(struct alert_store *s, struct dd_entry *e)
{
	bool summary = e->count > 1;
	if (summary) {
		uint64_t id = ++s->last_id;
		struct alert_meta m = e->meta;
		m.ts_ns = e->last_ns;
		size_t len = format_summary(e, id, s->summary, DD_SUMMARY_MAX);
		put(s, id, &m, s->summary, len);
		if (s->summary_fn && len)
			s->summary_fn(s->summary_ctx, s->summary, len);
		s->stored++;
		s->summaries++;
	}
	e->hash = 0;
	return summary;
}

void alert_store_set_summary_fn(struct alert_store *s, alert_line_fn fn, void *ctx)
{
	pthread_mutex_lock(&s->lock);
	s->summary_fn = fn;
	s->summary_ctx = ctx;
	pthread_mutex_unlock(&s->lock);
}

int alert_store_set_dedup(struct alert_store *s, uint32_t window_s, uint32_t table_size)
{
	size_t sets = table_size / DD_WAYS ? table_size / DD_WAYS : 1;
	struct dd_entry *dd = calloc(sets * DD_WAYS, sizeof *dd);
	char *sum = malloc(DD_SUMMARY_MAX);
	if (!dd || !sum) {
		free(dd);
		free(sum);
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	free(s->dd);
	free(s->summary);
	s->dd = dd;
	s->summary = sum;
	s->dd_sets = sets;
	s->dd_window_ns = (uint64_t)window_s * 1000000000ull;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

int alert_store_set_dedup_window(struct alert_store *s, uint32_t window_s)
{
	pthread_mutex_lock(&s->lock);
	bool table = s->dd != NULL;
	if (table)
		s->dd_window_ns = (uint64_t)window_s * 1000000000ull;
	pthread_mutex_unlock(&s->lock);
	return table ? 0 : -1;
}

void alert_store_rebind(struct alert_store *s, const char *(*name_of)(void *ctx, uint32_t rule_id),
			void *ctx)
{
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; s->dd && i < s->dd_sets * DD_WAYS; i++) {
		struct dd_entry *e = &s->dd[i];
		if (!e->hash || !e->meta.signature)
			continue;
		const char *name = name_of(ctx, e->meta.rule_id);
		if (name)
			e->meta.signature = name;
		else
			dd_close(s, e);
	}
	pthread_mutex_unlock(&s->lock);
}

/* The entry to fold meta into, if its window is open; else closes what is
 * in the way and returns the entry the new alert is to open (or NULL). */
static struct dd_entry *dd_lookup(struct alert_store *s, const struct alert_meta *m,
				  uint64_t h, bool *open)
{
	struct dd_entry *set = &s->dd[(h >> 7) % s->dd_sets * DD_WAYS], *free_e = NULL, *lru = NULL;
	*open = false;
	for (int i = 0; i < DD_WAYS; i++) {
		struct dd_entry *e = &set[i];
		if (e->hash && dd_same(e, h, m)) {
			if (m->ts_ns >= e->first_ns && m->ts_ns < e->end_ns) {
				*open = true;
				e->used = ++s->dd_stamp;
				return e;
			}
			dd_close(s, e);          /* its window is over: this alert opens the next */
			return e;
		}
		if (!e->hash)
			free_e = free_e ? free_e : e;
		else if (!lru || e->used < lru->used)
			lru = e;
	}
	if (free_e)
		return free_e;
	/* All taken: the least recently used closes early (counted). */
	dd_close(s, lru);
	s->evicted++;
	return lru;
}

uint64_t alert_store_add(struct alert_store *s, const struct alert_meta *meta,
			 alert_fmt_fn fn, void *ctx, char *buf, size_t cap, size_t *len)
{
	pthread_mutex_lock(&s->lock);
	struct dd_entry *e = NULL;
	uint64_t window = meta->throttle_s < 0 ? 0 :
			  meta->throttle_s > 0 ? (uint64_t)meta->throttle_s * 1000000000ull : s->dd_window_ns;
	uint64_t h = 0;
	if (s->dd && window) {
		bool open;
		h = dd_hash(meta);
		e = dd_lookup(s, meta, h, &open);
		if (open) {
			e->count++;
			if (meta->ts_ns > e->last_ns)
				e->last_ns = meta->ts_ns;
			s->deduplicated++;
			pthread_mutex_unlock(&s->lock);
			*len = 0;
			return 0;
		}
	}
	uint64_t id = ++s->last_id;
	size_t n = fn(ctx, id, buf, cap);
	*len = n;
	put(s, id, meta, buf, n);
	if (e) {
		e->hash = h;
		e->meta = *meta;
		e->first_ns = e->last_ns = meta->ts_ns;
		e->end_ns = meta->ts_ns + window;
		e->first_id = id;
		e->count = 1;
		e->used = ++s->dd_stamp;
	}
	s->stored++;
	pthread_cond_broadcast(&s->added);
	pthread_mutex_unlock(&s->lock);
	return id;
}

size_t alert_store_dedup_tick(struct alert_store *s, uint64_t now_ns, bool all)
{
	size_t n = 0;
	pthread_mutex_lock(&s->lock);
	if (s->dd) {
		size_t total = s->dd_sets * DD_WAYS;
		size_t budget = all ? total : total < DD_TICK_BUDGET ? total : DD_TICK_BUDGET;
		uint64_t now = now_ns > s->newest_ns ? now_ns : s->newest_ns;
		for (size_t i = 0; i < budget; i++) {
			struct dd_entry *e = &s->dd[s->dd_cursor];
			s->dd_cursor = (s->dd_cursor + 1) % total;
			if (e->hash && (all || e->end_ns <= now))
				n += dd_close(s, e);
		}
	}
	if (n)
		pthread_cond_broadcast(&s->added);
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* ---- reading ---- */

uint64_t alert_store_last_id(struct alert_store *s)
{
	pthread_mutex_lock(&s->lock);
	uint64_t id = s->last_id;
	pthread_mutex_unlock(&s->lock);
	return id;
}

/* Copy one text out as a JSON array element (no newline), after a comma. */
static size_t copy_element(const struct alert_store *s, const struct slot *sl, char *out, size_t n)
{
	if (n)
		out[n++] = ',';
	size_t l = sl->len;
	if (l && s->text[sl->off + l - 1] == '\n')
		l--;                 /* stored as a line; here an element */
	memcpy(out + n, s->text + sl->off, l);
	return n + l;
}

char *alert_store_page(struct alert_store *s, uint64_t since, size_t limit,
		       struct alert_page *pg, size_t *len)
{
	struct alert_query q = { .since = since, .limit = limit };
	return alert_store_query(s, &q, pg, len);
}

static bool name_below(const char *name, const char *suffix)
{
	if (*suffix == '.')
		suffix++;
	size_t n = strlen(name), k = strlen(suffix);
	if (n && name[n - 1] == '.')
		n--;                     /* a fully qualified name's root */
	if (k && suffix[k - 1] == '.')
		k--;
	if (n < k || (n > k && name[n - k - 1] != '.'))
		return false;
	return strncasecmp(name + n - k, suffix, k) == 0;
}

static bool passes(const struct alert_query *q, const struct slot *sl)
{
	const struct alert_meta *m = &sl->meta;
	if (!sl->len)
		return false;
	if (q->severity_max && (m->severity == 0 || m->severity > q->severity_max))
		return false;
	if (q->rule_id && m->rule_id != q->rule_id)
		return false;
	if (q->src && strcmp(m->src, q->src) != 0)
		return false;
	if (q->from_ns && m->ts_ns < q->from_ns)
		return false;
	if (q->to_ns && m->ts_ns > q->to_ns)
		return false;
	return !q->name_suffix || name_below(m->name, q->name_suffix);
}

char *alert_store_query(struct alert_store *s, const struct alert_query *q,
			struct alert_page *pg, size_t *len)
{
	pthread_mutex_lock(&s->lock);
	memset(pg, 0, sizeof *pg);
	pg->last_id = s->last_id;
	pg->first_id = s->first_id <= s->last_id ? s->first_id : 0;

	/* The walk: from `from`, step +1 or -1, while ids stay within
	 * [first_id, last_id]; the scan budget and the limit end it early. */
	uint64_t from, end;
	int step = q->newest_first ? -1 : 1;
	if (!q->newest_first) {
		pg->next = q->since;
		from = q->since < s->last_id ? q->since + 1 : s->last_id + 1;
		if (from < s->first_id) {
			pg->missed = s->first_id - from;
			from = s->first_id;
			pg->next = from - 1;
		}
	} else {
		pg->next = q->before;
		from = q->before == 0 || q->before - 1 > s->last_id ? s->last_id : q->before - 1;
	}
	size_t bytes = 0;
	end = from;
	for (uint64_t id = from; id >= s->first_id && id <= s->last_id && id != 0 &&
	     pg->count < q->limit && pg->scanned < ALERT_QUERY_SCAN; id += (uint64_t)(int64_t)step) {
		const struct slot *sl = slot_of(s, id);
		pg->scanned++;
		end = id;
		if (passes(q, sl)) {
			bytes += sl->len + 1;
			pg->count++;
		}
	}
	if (pg->scanned)
		pg->next = end;
	pg->more = q->newest_first ? pg->scanned ? end > s->first_id : false
				   : (pg->scanned ? end : from - 1) < s->last_id;
	char *out = malloc(bytes + 1);
	size_t n = 0;
	if (out) {
		for (size_t i = 0; i < pg->scanned; i++) {
			const struct slot *sl = slot_of(s, from + (uint64_t)(int64_t)step * i);
			if (passes(q, sl))
				n = copy_element(s, sl, out, n);
		}
		out[n] = '\0';
	} else {
		pg->count = 0;
	}
	pthread_mutex_unlock(&s->lock);
	*len = n;
	return out;
}

uint64_t alert_store_wait(struct alert_store *s, uint64_t since, unsigned timeout_ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->lock);
	uint64_t kicks = s->kicks;
	while (s->last_id <= since && s->kicks == kicks &&
	       pthread_cond_timedwait(&s->added, &s->lock, &until) == 0)
		;
	uint64_t id = s->last_id;
	pthread_mutex_unlock(&s->lock);
	return id;
}

void alert_store_kick(struct alert_store *s)
{
	pthread_mutex_lock(&s->lock);
	s->kicks++;                     /* a waiter wakes for this, not only for an alert */
	pthread_cond_broadcast(&s->added);
	pthread_mutex_unlock(&s->lock);
}

void alert_store_health(struct alert_store *s, struct alert_store_health *out)
{
	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&s->lock);
	out->stored = s->stored;
	out->deduplicated = s->deduplicated;
	out->dedup_summaries = s->summaries;
	out->dedup_evicted = s->evicted;
	alert_health_fn fn = s->health_fn;
	void *ctx = s->health_ctx;
	pthread_mutex_unlock(&s->lock);
	out->log_ok = true;
	if (fn)
		fn(ctx, out);
}

void alert_store_health_json(struct alert_store *s, struct jbuf *j)
{
	struct alert_store_health h;
	alert_store_health(s, &h);
	jb_key(j, "alert_store");
	jb_obj_open(j);
	jb_ku64(j, "stored", h.stored);
	jb_ku64(j, "written", h.written);
	jb_ku64(j, "write_errors", h.write_errors);
	jb_ku64(j, "rotations", h.rotations);
	jb_ku64(j, "deduplicated", h.deduplicated);
	jb_ku64(j, "dedup_summaries", h.dedup_summaries);
	jb_ku64(j, "dedup_evicted", h.dedup_evicted);
	jb_ku64(j, "loaded", h.loaded);
	jb_ku64(j, "torn", h.torn);
	jb_ku64(j, "log_missed", h.log_missed);
	jb_kbool(j, "log_enabled", h.log_enabled);
	jb_ku64(j, "written_id", h.written_id);
	jb_ku64(j, "synced_id", h.synced_id);
	jb_kbool(j, "log_ok", h.log_ok);
	jb_kstr(j, "last_error", h.last_error);
	jb_obj_close(j);
}

void alert_store_set_health_fn(struct alert_store *s, alert_health_fn fn, void *ctx)
{
	pthread_mutex_lock(&s->lock);
	s->health_fn = fn;
	s->health_ctx = ctx;
	pthread_mutex_unlock(&s->lock);
}

int alert_store_restore(struct alert_store *s, uint64_t id, const struct alert_meta *meta,
			const char *text, size_t len)
{
	pthread_mutex_lock(&s->lock);
	if (id <= s->last_id || id == UINT64_MAX) {
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	if (id - s->last_id > s->cap) {
		s->first_id = id;        /* a gap wider than the ring: start afresh */
		s->last_id = id - 1;
	}
	while (s->last_id + 1 < id) {
		s->last_id++;            /* ids the log does not hold: no text */
		put(s, s->last_id, NULL, "", 0);
	}
	s->last_id = id;
	put(s, id, meta, text, len);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

size_t alert_store_lines(struct alert_store *s, uint64_t since, char *buf, size_t cap,
			 uint64_t *next, uint64_t *missed)
{
	size_t n = 0;
	pthread_mutex_lock(&s->lock);
	*next = since;
	*missed = 0;
	uint64_t id = since < s->last_id ? since + 1 : s->last_id + 1;
	if (id < s->first_id) {
		*missed = s->first_id - id;
		id = s->first_id;
		*next = id - 1;
	}
	for (; id <= s->last_id; id++) {
		const struct slot *sl = slot_of(s, id);
		if (n + sl->len > cap) {
			if (n)
				break;
			/* larger than the whole buffer: passed over */
		} else {
			memcpy(buf + n, s->text + sl->off, sl->len);
			n += sl->len;
		}
		*next = id;
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}
