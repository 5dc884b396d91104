/* flow.c — preallocated flow table: keyed symmetric hash, chained buckets of
 * pool indices, per-class activity lists for O(1) expiry and eviction. */
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "khash.h"
#include "mem.h"

#define LIST_GRANULE_NS 1000000000ull   /* 1 s: the precision of idle timeouts */

struct flow_list {
	uint32_t head, tail;         /* index + 1, 0 = empty; head is the least recently active */
};

struct flow_table {
	struct flow *pool;
	uint32_t max;
	uint32_t used;
	uint32_t free_head;          /* free list through hnext (index + 1) */
	uint32_t *buckets;           /* index + 1 of the chain head */
	uint32_t nbuckets;           /* power of two */
	uint64_t seed[2];
	uint64_t next_id;
	uint64_t id_step;
	uint64_t timeout_ns[FC__COUNT];
	struct flow_list lists[FC__COUNT];
	struct stats *st;
	flow_release_fn release;
	void *ctx;
};

static inline struct flow *at(struct flow_table *t, uint32_t ref) { return &t->pool[ref - 1]; }
static inline uint32_t ref_of(struct flow_table *t, struct flow *f) { return (uint32_t)(f - t->pool) + 1; }

static void list_unlink(struct flow_table *t, struct flow *f)
{
	struct flow_list *l = &t->lists[f->cls];
	if (f->lprev)
		at(t, f->lprev)->lnext = f->lnext;
	else
		l->head = f->lnext;
	if (f->lnext)
		at(t, f->lnext)->lprev = f->lprev;
	else
		l->tail = f->lprev;
	f->lprev = f->lnext = 0;
}

static void list_append(struct flow_table *t, struct flow *f)
{
	struct flow_list *l = &t->lists[f->cls];
	uint32_t r = ref_of(t, f);
	f->lprev = l->tail;
	f->lnext = 0;
	if (l->tail)
		at(t, l->tail)->lnext = r;
	else
		l->head = r;
	l->tail = r;
}

struct flow_table *flow_table_new(const struct flow_config *cfg, struct stats *st,
				  flow_release_fn release, void *ctx)
{
	struct flow_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->max = cfg->max;
	t->nbuckets = 1;
	while (t->nbuckets < cfg->max)
		t->nbuckets <<= 1;
	t->pool = table_alloc(t->max, sizeof *t->pool);
	t->buckets = table_alloc(t->nbuckets, sizeof *t->buckets);
	if (!t->pool || !t->buckets) {
		flow_table_free(t);
		return NULL;
	}
	for (uint32_t i = 0; i < t->max; i++)
		t->pool[i].hnext = i + 2 <= t->max ? i + 2 : 0;
	t->free_head = t->max ? 1 : 0;
	khash_seed(t->seed, t);
	for (int c = 0; c < FC__COUNT; c++)
		t->timeout_ns[c] = (uint64_t)cfg->timeout_s[c] * 1000000000ull;
	t->st = st;
	t->release = release;
	t->ctx = ctx;
	t->next_id = cfg->id_first ? cfg->id_first : 1;
	t->id_step = cfg->id_step ? cfg->id_step : 1;
	return t;
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	table_free(t->pool, t->max, sizeof *t->pool);
	table_free(t->buckets, t->nbuckets, sizeof *t->buckets);
	free(t);
}

static uint64_t key_hash(const struct flow_table *t, const struct flow_key *k)
{
	return khash(t->seed, k, sizeof *k);
}

/* Canonical key: the lower (address, port) side first.  Returns which key
 * side the packet's source is. */
static int make_key(const struct packet *p, struct flow_key *k)
{
	size_t alen = p->family == 4 ? 4 : 16;
	int c = memcmp(p->src, p->dst, alen);
	int swap = c > 0 || (c == 0 && p->sport > p->dport);

	memset(k, 0, sizeof *k);
	memcpy(k->addr[swap], p->src, alen);
	memcpy(k->addr[!swap], p->dst, alen);
	k->port[swap] = p->sport;
	k->port[!swap] = p->dport;
	k->proto = p->proto;
	k->family = p->family;
	return swap;
}

uint64_t flow_hash(const struct packet *p, const uint64_t seed[2])
{
	struct flow_key k;
	make_key(p, &k);
	return khash(seed, &k, sizeof k);
}

static void flow_remove(struct flow_table *t, struct flow *f)
{
	if (t->release)
		t->release(t->ctx, f);
	uint32_t r = ref_of(t, f);
	uint32_t *pp = &t->buckets[key_hash(t, &f->key) & (t->nbuckets - 1)];
	while (*pp && *pp != r)
		pp = &at(t, *pp)->hnext;
	if (*pp)
		*pp = f->hnext;
	list_unlink(t, f);
	f->in_use = 0;
	f->hnext = t->free_head;
	t->free_head = r;
	t->used--;
	stat_set(t->st, ST_flows_active, t->used);
}

static enum flow_class class_of(uint8_t proto)
{
	return proto == IPPROTO_NUM_TCP ? FC_TCP : proto == IPPROTO_NUM_UDP ? FC_UDP : FC_OTHER;
}

/* The least recently active flow over all classes. */
static struct flow *oldest(struct flow_table *t)
{
	struct flow *best = NULL;
	for (int c = 0; c < FC__COUNT; c++) {
		if (!t->lists[c].head)
			continue;
		struct flow *f = at(t, t->lists[c].head);
		if (!best || f->last_ns < best->last_ns)
			best = f;
	}
	return best;
}

void flow_prepare(struct flow_table *t, const struct packet *p, struct flow_ref *r)
{
	r->side = make_key(p, &r->key);
	r->hash = key_hash(t, &r->key);
	__builtin_prefetch(&t->buckets[r->hash & (t->nbuckets - 1)]);
}

void flow_prefetch(struct flow_table *t, const struct flow_ref *r)
{
	uint32_t head = t->buckets[r->hash & (t->nbuckets - 1)];
	if (head) {
		const char *f = (const char *)at(t, head);
		for (size_t o = 0; o < sizeof(struct flow); o += 64)
			__builtin_prefetch(f + o, 1);
	}
}

struct flow *flow_get(struct flow_table *t, const struct packet *p, int *dir, bool *created)
{
	struct flow_ref r;
	flow_prepare(t, p, &r);
	return flow_get_ref(t, p, &r, dir, created);
}

struct flow *flow_get_ref(struct flow_table *t, const struct packet *p, const struct flow_ref *ref,
			  int *dir, bool *created)
{
	const struct flow_key k = ref->key;
	int side = ref->side;
	uint32_t *bucket = &t->buckets[ref->hash & (t->nbuckets - 1)];
	struct flow *f = NULL;

	for (uint32_t r = *bucket; r; r = at(t, r)->hnext) {
		if (memcmp(&at(t, r)->key, &k, sizeof k) == 0) {
			f = at(t, r);
			break;
		}
	}
	*created = false;
	if (!f) {
		if (!t->free_head) {
			struct flow *victim = oldest(t);
			if (!victim)
				return NULL;
			flow_remove(t, victim);
			stat_inc(t->st, ST_flows_evicted);
		}
		uint32_t r = t->free_head;
		f = at(t, r);
		t->free_head = f->hnext;
		memset(f, 0, sizeof *f);
		f->key = k;
		f->id = t->next_id;
		t->next_id += t->id_step;
		f->first_ns = p->ts_ns;
		f->cls = (uint8_t)class_of(p->proto);
		/* The first packet's sender is the client, unless it is a SYN-ACK. */
		bool synack = p->proto == IPPROTO_NUM_TCP &&
			      (p->tcp_flags & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK);
		f->client = (uint8_t)(synack ? !side : side);
		f->in_use = 1;
		f->nencap = p->nencap;
		memcpy(f->encap, p->encap, sizeof f->encap);
		stream_init(&f->dir[0]);
		stream_init(&f->dir[1]);
		f->hnext = *bucket;
		*bucket = r;
		t->used++;
		stat_set(t->st, ST_flows_active, t->used);
		stat_inc(t->st, ST_flows_created);
		*created = true;
		f->listed_ns = p->ts_ns;
		list_append(t, f);
	} else if (p->ts_ns >= f->listed_ns + LIST_GRANULE_NS) {
		/* Move to the tail at most once per granule: the lists stay in
		 * order of activity to the granule, and most packets touch no
		 * other flow's cache lines. */
		list_unlink(t, f);
		f->listed_ns = p->ts_ns;
		list_append(t, f);
	}
	f->last_ns = p->ts_ns > f->last_ns ? p->ts_ns : f->last_ns;
	*dir = side == f->client ? 0 : 1;
	f->pkts[*dir]++;
	f->bytes[*dir] += p->wirelen;
	return f;
}

unsigned flow_expire(struct flow_table *t, uint64_t now_ns, unsigned budget)
{
	unsigned n = 0;
	for (int c = 0; c < FC__COUNT; c++) {
		while (n < budget && t->lists[c].head) {
			struct flow *f = at(t, t->lists[c].head);
			if (f->last_ns + t->timeout_ns[c] > now_ns) {
				if (f->listed_ns + t->timeout_ns[c] > now_ns)
					break;
				/* Active since it was listed: listed anew, checked later. */
				list_unlink(t, f);
				f->listed_ns = f->last_ns;
				list_append(t, f);
				n++;
				continue;
			}
			flow_remove(t, f);
			stat_inc(t->st, ST_flows_expired);
			n++;
		}
	}
	return n;
}

void flow_flush(struct flow_table *t)
{
	for (int c = 0; c < FC__COUNT; c++)
		while (t->lists[c].head)
			flow_remove(t, at(t, t->lists[c].head));
}
