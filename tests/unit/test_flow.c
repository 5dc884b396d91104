/* test_flow.c — the flow table: one flow for both directions, who is the
 * client, counters, ids, idle expiry per class, eviction of the least recently
 * active flow, flush, and a random workload checked against a shadow model. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "flow.h"

#define SEC 1000000000ull

static struct stats st;

/* What the release callback saw: ids in order. */
static struct {
	uint64_t ids[16384];
	size_t n;
} released;

static void on_release(void *ctx, struct flow *f)
{
	CHECK(f->in_use);
	if (released.n < sizeof released.ids / sizeof released.ids[0])
		released.ids[released.n] = f->id;
	released.n++;
}

static struct flow_table *table(uint32_t max)
{
	struct flow_config cfg = { .max = max, .timeout_s = { [FC_TCP] = 60, [FC_UDP] = 30, [FC_OTHER] = 10 } };
	memset(&st, 0, sizeof st);
	memset(&released, 0, sizeof released);
	return flow_table_new(&cfg, &st, on_release, NULL);
}

/* A packet: IPv4 10.0.0.a:sp → 10.0.0.b:dp (family 6: 2001:db8::a → ::b). */
static struct packet pk(int family, unsigned a, unsigned b, unsigned sp, unsigned dp,
			unsigned proto, unsigned flags, uint64_t ts, uint32_t caplen)
{
	struct packet p;
	memset(&p, 0, sizeof p);
	p.family = (uint8_t)family;
	if (family == 4) {
		p.src[0] = p.dst[0] = 10;
		p.src[3] = (uint8_t)a, p.dst[3] = (uint8_t)b;
		p.src[2] = (uint8_t)(a >> 8), p.dst[2] = (uint8_t)(b >> 8);
	} else {
		p.src[0] = p.dst[0] = 0x20, p.src[1] = p.dst[1] = 0x01;
		p.src[15] = (uint8_t)a, p.dst[15] = (uint8_t)b;
		p.src[14] = (uint8_t)(a >> 8), p.dst[14] = (uint8_t)(b >> 8);
	}
	p.sport = (uint16_t)sp, p.dport = (uint16_t)dp;
	p.proto = (uint8_t)proto;
	p.tcp_flags = (uint8_t)flags;
	p.ts_ns = ts;
	p.caplen = p.wirelen = caplen;
	return p;
}

static struct flow *get(struct flow_table *t, struct packet p, int *dir, bool *created)
{
	return flow_get(t, &p, dir, created);
}

/* Case: both directions map to one flow; the first sender is the client. */
static void test_directions(void)
{
	struct flow_table *t = table(64);
	int dir;
	bool created;

	/* Client address above the server's, and below it: the key's order must not matter. */
	for (unsigned client = 9; client <= 10; client++) {
		unsigned server = client == 9 ? 1 : 200;
		struct flow *f = get(t, pk(4, client, server, 40000, 443, 6, TCPF_SYN, 1, 60), &dir, &created);
		CHECK(f && created);
		CHECK_EQ(dir, 0);
		struct flow *g = get(t, pk(4, server, client, 443, 40000, 6, TCPF_SYN | TCPF_ACK, 2, 60), &dir, &created);
		CHECK(g == f && !created);
		CHECK_EQ(dir, 1);
		g = get(t, pk(4, client, server, 40000, 443, 6, TCPF_ACK, 3, 1500), &dir, &created);
		CHECK(g == f && !created);
		CHECK_EQ(dir, 0);
		CHECK_EQ(f->pkts[0], 2);
		CHECK_EQ(f->pkts[1], 1);
		CHECK_EQ(f->bytes[0], 1560);
		CHECK_EQ(f->bytes[1], 60);
		CHECK_EQ(f->first_ns, 1);
		CHECK_EQ(f->last_ns, 3);
	}
	/* Same address, ports decide the order. */
	struct flow *f = get(t, pk(6, 5, 5, 5353, 53, 17, 0, 4, 80), &dir, &created);
	CHECK(created && dir == 0);
	CHECK(get(t, pk(6, 5, 5, 53, 5353, 17, 0, 5, 80), &dir, &created) == f && dir == 1);

	/* Case: a SYN-ACK seen first makes its receiver the client. */
	f = get(t, pk(4, 1, 2, 443, 50000, 6, TCPF_SYN | TCPF_ACK, 6, 60), &dir, &created);
	CHECK(created);
	CHECK_EQ(dir, 1);
	CHECK(get(t, pk(4, 2, 1, 50000, 443, 6, TCPF_ACK, 7, 60), &dir, &created) == f);
	CHECK_EQ(dir, 0);
	CHECK_EQ(f->pkts[0], 1);
	CHECK_EQ(f->pkts[1], 1);
	flow_table_free(t);
}

/* Case: ports, protocol and family tell flows apart; ids count up from 1. */
static void test_identity(void)
{
	struct flow_table *t = table(64);
	struct packet ps[] = {
		pk(4, 1, 2, 1000, 53, 17, 0, 1, 60),
		pk(4, 1, 2, 1001, 53, 17, 0, 1, 60),
		pk(4, 1, 2, 1000, 54, 17, 0, 1, 60),
		pk(4, 1, 2, 1000, 53, 6, 0, 1, 60),
		pk(4, 1, 3, 1000, 53, 17, 0, 1, 60),
		pk(6, 1, 2, 1000, 53, 17, 0, 1, 60),
		pk(4, 1, 2, 0, 0, 1, 0, 1, 60),
	};
	size_t n = sizeof ps / sizeof ps[0];
	struct flow *fs[8];
	int dir;
	bool created;

	/* An IPv6 address whose first 4 bytes are 10.0.0.1 is another flow still. */
	memset(ps[5].src, 0, 16);
	memset(ps[5].dst, 0, 16);
	memcpy(ps[5].src, ps[0].src, 4);
	memcpy(ps[5].dst, ps[0].dst, 4);
	for (size_t i = 0; i < n; i++) {
		fs[i] = flow_get(t, &ps[i], &dir, &created);
		CHECK(fs[i] && created);
		CHECK_EQ(fs[i]->id, i + 1);
	}
	for (size_t i = 0; i < n; i++) {
		CHECK(flow_get(t, &ps[i], &dir, &created) == fs[i] && !created);
		for (size_t j = 0; j < i; j++)
			CHECK(fs[i] != fs[j]);
	}
	CHECK_EQ(stat_get(&st, ST_flows_created), n);
	CHECK_EQ(stat_get(&st, ST_flows_active), n);
	static const uint64_t seed[2] = { 0x1234, 0x5678 };
	CHECK(flow_hash(&ps[0], seed) == flow_hash(&(struct packet){ .family = 4,
		.src = { 10, 0, 0, 2 }, .dst = { 10, 0, 0, 1 }, .sport = 53, .dport = 1000, .proto = 17 }, seed));
	CHECK(flow_hash(&ps[0], seed) != flow_hash(&(struct packet){ .family = 4,
		.src = { 10, 0, 0, 2 }, .dst = { 10, 0, 0, 1 }, .sport = 54, .dport = 1000, .proto = 17 }, seed));
	flow_table_free(t);
}

/* Case: idle flows expire by their class timeout, with the budget respected. */
static void test_expiry(void)
{
	struct flow_table *t = table(64);
	int dir;
	bool created;

	struct flow *tcp = get(t, pk(4, 1, 2, 1000, 443, 6, TCPF_SYN, 0, 60), &dir, &created);
	struct flow *udp = get(t, pk(4, 1, 2, 1000, 53, 17, 0, 0, 60), &dir, &created);
	struct flow *icmp = get(t, pk(4, 1, 2, 0, 0, 1, 0, 0, 60), &dir, &created);
	uint64_t tcp_id = tcp->id, udp_id = udp->id, icmp_id = icmp->id;

	get(t, pk(4, 2, 1, 53, 1000, 17, 0, 5 * SEC, 60), &dir, &created);  /* UDP active at 5 s */
	CHECK_EQ(flow_expire(t, 10 * SEC - 1, 16), 0);
	CHECK_EQ(flow_expire(t, 10 * SEC + 1, 16), 1);                   /* other: 10 s */
	CHECK_EQ(released.n, 1);
	CHECK_EQ(released.ids[0], icmp_id);
	CHECK_EQ(flow_expire(t, 35 * SEC - 1, 16), 0);                   /* UDP: 30 s after 5 s */
	CHECK_EQ(flow_expire(t, 35 * SEC + 1, 16), 1);
	CHECK_EQ(released.ids[1], udp_id);
	CHECK_EQ(flow_expire(t, 60 * SEC - 1, 16), 0);                   /* TCP: 60 s */
	CHECK_EQ(flow_expire(t, 60 * SEC + 1, 16), 1);
	CHECK_EQ(released.ids[2], tcp_id);
	CHECK_EQ(released.n, 3);
	CHECK_EQ(stat_get(&st, ST_flows_expired), 3);
	CHECK_EQ(stat_get(&st, ST_flows_active), 0);
	CHECK_EQ(flow_expire(t, 1000 * SEC, 16), 0);
	CHECK_EQ(released.n, 3);

	/* An expired flow's tuple makes a new flow. */
	CHECK(get(t, pk(4, 1, 2, 1000, 53, 17, 0, 1001 * SEC, 60), &dir, &created) && created);

	/* Budget: 10 idle flows, at most 3 per call. */
	for (unsigned i = 0; i < 10; i++)
		get(t, pk(4, 1, 2, 2000 + i, 53, 17, 0, 1002 * SEC, 60), &dir, &created);
	CHECK_EQ(stat_get(&st, ST_flows_active), 11);
	CHECK_EQ(flow_expire(t, 2000 * SEC, 3), 3);
	CHECK_EQ(stat_get(&st, ST_flows_active), 8);
	CHECK_EQ(flow_expire(t, 2000 * SEC, 3), 3);
	CHECK_EQ(flow_expire(t, 2000 * SEC, 3), 3);
	CHECK_EQ(flow_expire(t, 2000 * SEC, 3), 2);
	CHECK_EQ(stat_get(&st, ST_flows_active), 0);
	CHECK_EQ(stat_get(&st, ST_flows_expired), 14);
	CHECK_EQ(released.n, 14);
	flow_table_free(t);
}

/* Case: a full table evicts the least recently active flow, over all classes. */
static void test_eviction(void)
{
	struct flow_table *t = table(4);
	struct flow *f[4];
	uint64_t id[4];
	int dir;
	bool created;

	for (unsigned i = 0; i < 4; i++) {
		f[i] = get(t, pk(4, 1, 2, 1000 + i, 53, i % 2 ? 6 : 17, 0, (i + 1) * SEC, 60), &dir, &created);
		id[i] = f[i]->id;
	}
	CHECK_EQ(stat_get(&st, ST_flows_active), 4);
	get(t, pk(4, 2, 1, 53, 1000, 17, 0, 5 * SEC, 60), &dir, &created);    /* touch flow 0 */
	struct flow *n = get(t, pk(4, 1, 2, 3000, 53, 17, 0, 6 * SEC, 60), &dir, &created);
	CHECK(n && created);
	CHECK_EQ(n->id, 5);
	CHECK_EQ(stat_get(&st, ST_flows_evicted), 1);
	CHECK_EQ(stat_get(&st, ST_flows_active), 4);
	CHECK_EQ(released.n, 1);
	CHECK_EQ(released.ids[0], id[1]);                               /* TCP flow 1, not flow 0 */
	CHECK(get(t, pk(4, 1, 2, 1000, 53, 17, 0, 7 * SEC, 60), &dir, &created) == f[0] && !created);
	CHECK_EQ(f[0]->id, id[0]);
	/* Flow 1 comes back as a new flow and pushes out flow 2. */
	n = get(t, pk(4, 1, 2, 1001, 53, 6, 0, 8 * SEC, 60), &dir, &created);
	CHECK(n && created);
	CHECK_EQ(n->id, 6);
	CHECK_EQ(released.ids[1], id[2]);
	CHECK_EQ(stat_get(&st, ST_flows_evicted), 2);
	CHECK_EQ(stat_get(&st, ST_flows_expired), 0);

	/* Case: flush removes every flow and releases each once. */
	flow_flush(t);
	CHECK_EQ(stat_get(&st, ST_flows_active), 0);
	CHECK_EQ(released.n, 6);
	CHECK(get(t, pk(4, 1, 2, 1000, 53, 17, 0, 9 * SEC, 60), &dir, &created) && created);
	CHECK_EQ(stat_get(&st, ST_flows_active), 1);
	flow_table_free(t);
}

/* Case: 10,000 random tuples into a 1,024-flow table, against a shadow model
 * in which a flow is present from its creation until its release. */
#define TUPLES 3000
static struct {
	uint64_t id;         /* 0: not in the table */
	int first_dir;       /* orientation of the packet that created it */
} shadow[TUPLES];
static int tuple_of_id[20000];

static void on_release_shadow(void *ctx, struct flow *f)
{
	on_release(ctx, f);
	if (f->id < 20000 && tuple_of_id[f->id] >= 0)
		shadow[tuple_of_id[f->id]].id = 0;
}

static struct packet tuple_pkt(int i, int rev, uint64_t ts)
{
	int fam = i % 3 == 0 ? 6 : 4;
	unsigned proto = i % 2 ? 6 : 17, a = 1 + (unsigned)i % 700, b = 1 + (unsigned)(i * 7) % 500;
	unsigned sp = 1024 + (unsigned)i, dp = i % 5 ? 443 : 53;
	return rev ? pk(fam, b, a, dp, sp, proto, 0, ts, 100) : pk(fam, a, b, sp, dp, proto, 0, ts, 100);
}

static void test_random(void)
{
	struct flow_config cfg = { .max = 1024, .timeout_s = { 60, 30, 10 } };
	struct flow_table *t;
	uint64_t present = 0, max_active = 0, wrong = 0;
	int dir;
	bool created;

	memset(&st, 0, sizeof st);
	memset(&released, 0, sizeof released);
	memset(shadow, 0, sizeof shadow);
	memset(tuple_of_id, 0xff, sizeof tuple_of_id);
	t = flow_table_new(&cfg, &st, on_release_shadow, NULL);
	srand(12345);
	for (int step = 0; step < 10000; step++) {
		int i = rand() % TUPLES, rev = rand() % 2;
		struct packet p = tuple_pkt(i, rev, (uint64_t)step + 1);
		uint64_t before = shadow[i].id;
		struct flow *f = flow_get(t, &p, &dir, &created);
		if (!f) {
			wrong++;
			continue;
		}
		if (before) {
			wrong += created || f->id != before || dir != (rev != shadow[i].first_dir);
		} else {
			wrong += !created;
			shadow[i].id = f->id;
			shadow[i].first_dir = rev;
			if (f->id < 20000)
				tuple_of_id[f->id] = i;
		}
		present = 0;
		if (step % 97 == 0 || step == 9999)
			for (int k = 0; k < TUPLES; k++)
				present += shadow[k].id != 0;
		if (step % 97 == 0 || step == 9999)
			wrong += present != stat_get(&st, ST_flows_active);
		if (stat_get(&st, ST_flows_active) > max_active)
			max_active = stat_get(&st, ST_flows_active);
	}
	CHECK_EQ(wrong, 0);
	CHECK(max_active <= 1024);
	CHECK_EQ(max_active, 1024);
	CHECK_EQ(released.n, stat_get(&st, ST_flows_created) - stat_get(&st, ST_flows_active));
	CHECK_EQ(stat_get(&st, ST_flows_evicted), released.n);
	flow_table_free(t);
}

/* The man page's MEMORY section sizes the flow table from the entry size:
 * it must say the size the compiler gives. */
static void test_documented_size(void)
{
	char want[64], text[65536];
	FILE *f = fopen("man/c2watchd.yaml.5", "r");
	size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;

	if (f)
		fclose(f);
	text[n] = '\0';
	CHECK(n > 0);
	snprintf(want, sizeof want, "%zu bytes (the size of a flow entry", sizeof(struct flow));
	CHECK(strstr(text, want) != NULL);
}

int main(void)
{
	test_documented_size();
	test_directions();
	test_identity();
	test_expiry();
	test_eviction();
	test_random();
	return check_report("flow");
}
