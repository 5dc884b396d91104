/* alert.c — alert texts in a byte ring, indexed by id in a slot ring. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"

struct slot {
	uint64_t id;
	uint32_t off;
	uint32_t len;        /* 0: no text (formatting failed or too long) */
};

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
	uint64_t stored;
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

uint64_t alert_store_add(struct alert_store *s, const struct alert_meta *meta,
			 alert_fmt_fn fn, void *ctx, char *buf, size_t cap, size_t *len)
{
	(void)meta;                     /* kept for queries: not yet */
	pthread_mutex_lock(&s->lock);
	uint64_t id = ++s->last_id;
	size_t n = fn(ctx, id, buf, cap);
	*len = n;
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
	memcpy(s->text + s->tail, buf, n);
	s->tail += n;
	s->stored++;
	pthread_cond_broadcast(&s->added);
	pthread_mutex_unlock(&s->lock);
	return id;
}

uint64_t alert_store_last_id(struct alert_store *s)
{
	pthread_mutex_lock(&s->lock);
	uint64_t id = s->last_id;
	pthread_mutex_unlock(&s->lock);
	return id;
}

char *alert_store_page(struct alert_store *s, uint64_t since, size_t limit,
		       struct alert_page *pg, size_t *len)
{
	pthread_mutex_lock(&s->lock);
	memset(pg, 0, sizeof *pg);
	pg->last_id = s->last_id;
	pg->first_id = s->first_id <= s->last_id ? s->first_id : 0;
	pg->next = since;

	/* The ids to return: (since, last_id], from the oldest still held. */
	uint64_t from = since < s->last_id ? since + 1 : s->last_id + 1;
	if (from < s->first_id) {
		pg->missed = s->first_id - from;
		from = s->first_id;
		pg->next = from - 1;
	}
	uint64_t to = from;
	size_t bytes = 0;
	for (; to <= s->last_id && pg->count < limit; to++) {
		const struct slot *sl = slot_of(s, to);
		if (sl->len) {
			bytes += sl->len + 1;
			pg->count++;
		}
	}
	char *out = malloc(bytes + 1);
	size_t n = 0;
	if (out) {
		for (uint64_t id = from; id < to; id++) {
			const struct slot *sl = slot_of(s, id);
			if (!sl->len)
				continue;
			if (n)
				out[n++] = ',';
			size_t l = sl->len;
			if (l && s->text[sl->off + l - 1] == '\n')
				l--;                 /* stored as a line; here an element */
			memcpy(out + n, s->text + sl->off, l);
			n += l;
		}
		out[n] = '\0';
		if (to > from)
			pg->next = to - 1;
	} else {
		pg->count = 0;
	}
	pthread_mutex_unlock(&s->lock);
	*len = n;
	return out;
}

/* Not yet: filters and newest-first (issue 5); since and limit hold. */
char *alert_store_query(struct alert_store *s, const struct alert_query *q,
			struct alert_page *pg, size_t *len)
{
	return alert_store_page(s, q->since, q->limit, pg, len);
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
	while (s->last_id <= since &&
	       pthread_cond_timedwait(&s->added, &s->lock, &until) == 0)
		;
	uint64_t id = s->last_id;
	pthread_mutex_unlock(&s->lock);
	return id;
}

void alert_store_health(struct alert_store *s, struct alert_store_health *out)
{
	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&s->lock);
	out->stored = s->stored;
	pthread_mutex_unlock(&s->lock);
	out->log_ok = true;
}
