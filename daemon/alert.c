/* alert.c — fixed ring of alert JSON lines with monotonic ids. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"

struct slot {
	uint32_t len;
	char text[ALERT_SLOT];
};

struct alert_store {
	pthread_mutex_t lock;
	struct slot *slots;
	uint32_t cap;
	uint64_t last_id;    /* ids 1..last_id assigned; slot of id i is (i - 1) % cap */
};

struct alert_store *alert_store_new(uint32_t capacity)
{
	struct alert_store *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->slots = calloc(capacity, sizeof *s->slots);
	if (!s->slots) {
		free(s);
		return NULL;
	}
	s->cap = capacity;
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

void alert_store_free(struct alert_store *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s->slots);
	free(s);
}

uint64_t alert_store_add(struct alert_store *s, alert_fmt_fn fn, void *ctx,
			 char *buf, size_t cap, size_t *len)
{
	pthread_mutex_lock(&s->lock);
	uint64_t id = ++s->last_id;
	size_t n = fn(ctx, id, buf, cap);
	struct slot *sl = &s->slots[(id - 1) % s->cap];
	if (n >= sizeof sl->text)
		n = 0;                       /* cannot happen with ALERT_SLOT >= the line buffer */
	memcpy(sl->text, buf, n);
	sl->len = (uint32_t)n;
	pthread_mutex_unlock(&s->lock);
	*len = n;
	return id;
}

uint64_t alert_store_last_id(struct alert_store *s)
{
	pthread_mutex_lock(&s->lock);
	uint64_t id = s->last_id;
	pthread_mutex_unlock(&s->lock);
	return id;
}

void alert_store_since(struct alert_store *s, uint64_t since, size_t limit,
		       struct jbuf *out, struct alert_page *pg)
{
	pthread_mutex_lock(&s->lock);
	uint64_t first = s->last_id > s->cap ? s->last_id - s->cap + 1 : 1;
	memset(pg, 0, sizeof *pg);
	pg->last_id = s->last_id;
	pg->first_id = s->last_id ? first : 0;
	pg->next = since;
	if (since + 1 < first && since < s->last_id) {
		/* The ring has moved past the cursor: say how many were lost. */
		pg->missed = first - (since + 1);
		pg->next = first - 1;
	}
	for (uint64_t id = pg->next + 1; id <= s->last_id && pg->count < limit; id++) {
		const struct slot *sl = &s->slots[(id - 1) % s->cap];
		if (sl->len) {
			size_t before = out->len;
			jb_vraw(out, sl->text, sl->len);
			if (out->overflow) {
				/* Stop before this one; the cursor says where to go on. */
				out->overflow = false;
				out->len = before;
				out->p[before] = '\0';
				break;
			}
			pg->count++;
		}
		pg->next = id;
	}
	pthread_mutex_unlock(&s->lock);
}
