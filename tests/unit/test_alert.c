/* test_alert.c — the alert ring: ids, cursors, wrap-around of the byte ring,
 * long alerts, and hostile cursors. */
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>
#include <zlib.h>

#include "alert.h"
#include "alertlog.h"
#include "check.h"

/* An alert text of a chosen length: {"id":N,"pad":"xxx..."} plus a newline. */
struct fmt { size_t len; };

static size_t fmt_alert(void *ctx, uint64_t id, char *buf, size_t cap)
{
	const struct fmt *f = ctx;
	int n = snprintf(buf, cap, "{\"id\":%llu,\"pad\":\"", (unsigned long long)id);
	size_t want = f->len > (size_t)n + 3 ? f->len : (size_t)n + 3;
	if (want >= cap)
		return 0;
	memset(buf + n, 'x', want - (size_t)n - 3);
	memcpy(buf + want - 3, "\"}\n", 3);
	buf[want] = '\0';
	return want;
}

static uint64_t add(struct alert_store *s, size_t len)
{
	char buf[20000];
	size_t n;
	struct fmt f = { len };
	struct alert_meta meta = { .rule_id = 1, .severity = 1, .src = "192.0.2.1", .name = "x.example" };
	return alert_store_add(s, &meta, fmt_alert, &f, buf, sizeof buf, &n);
}

/* The ids in a page, parsed back from the JSON elements; checks each text
 * is whole (starts with {"id":N, ends with "} and has only x padding). */
static size_t page_ids(struct alert_store *s, uint64_t since, size_t limit,
		       struct alert_page *pg, uint64_t *ids, size_t max)
{
	size_t len, n = 0;
	char *p = alert_store_page(s, since, limit, pg, &len);
	CHECK(p != NULL);
	if (!p)
		return 0;
	CHECK_EQ(strlen(p), len);
	for (char *q = p; *q && n < max;) {
		unsigned long long id;
		int used = 0;
		CHECK(sscanf(q, "{\"id\":%llu,\"pad\":\"%n", &id, &used) == 1 && used > 0);
		if (used <= 0)
			break;
		ids[n++] = id;
		q += used;
		q += strspn(q, "x");
		CHECK(strncmp(q, "\"}", 2) == 0);
		q += 2;
		if (*q == ',')
			q++;
	}
	free(p);
	return n;
}

static void test_ids_and_cursor(void)
{
	struct alert_store *s = alert_store_new(16);
	struct alert_page pg;
	uint64_t ids[64];

	CHECK_EQ(page_ids(s, 0, 10, &pg, ids, 64), 0);
	CHECK_EQ(pg.last_id, 0);
	CHECK_EQ(pg.first_id, 0);
	CHECK_EQ(pg.next, 0);
	for (int i = 1; i <= 5; i++)
		CHECK_EQ(add(s, 100), i);
	CHECK_EQ(page_ids(s, 0, 10, &pg, ids, 64), 5);
	CHECK(ids[0] == 1 && ids[4] == 5);
	CHECK_EQ(pg.next, 5);
	CHECK_EQ(pg.count, 5);
	CHECK_EQ(page_ids(s, 2, 2, &pg, ids, 64), 2);
	CHECK(ids[0] == 3 && ids[1] == 4);
	CHECK_EQ(pg.next, 4);
	CHECK_EQ(page_ids(s, 5, 10, &pg, ids, 64), 0);
	CHECK_EQ(pg.next, 5);

	/* A cursor beyond the newest id, up to the largest: nothing, cursor kept. */
	CHECK_EQ(page_ids(s, 6, 10, &pg, ids, 64), 0);
	CHECK_EQ(pg.next, 6);
	CHECK_EQ(page_ids(s, UINT64_MAX, 10, &pg, ids, 64), 0);
	CHECK(pg.next == UINT64_MAX);
	CHECK_EQ(pg.missed, 0);
	CHECK_EQ(alert_store_last_id(s), 5);
	alert_store_free(s);
}

/* More alerts than slots: the oldest leave, and a cursor behind them learns
 * how many it missed, then walks on without a repeat or a skip. */
static void test_slots_wrap(void)
{
	struct alert_store *s = alert_store_new(16);
	struct alert_page pg;
	uint64_t ids[64];

	for (int i = 0; i < 40; i++)
		add(s, 200);
	CHECK_EQ(page_ids(s, 0, 100, &pg, ids, 64), 16);
	CHECK_EQ(pg.first_id, 25);
	CHECK_EQ(pg.missed, 24);
	CHECK_EQ(ids[0], 25);
	CHECK_EQ(ids[15], 40);
	CHECK_EQ(pg.next, 40);

	uint64_t since = 30, seen = 30;
	for (;;) {
		size_t n = page_ids(s, since, 3, &pg, ids, 64);
		for (size_t i = 0; i < n; i++)
			CHECK_EQ(ids[i], ++seen);
		if (!n)
			break;
		since = pg.next;
	}
	CHECK_EQ(seen, 40);
	alert_store_free(s);
}

/* Long alerts use the byte ring faster than the slots: the text ring decides
 * who leaves, and no returned text is ever torn. */
static void test_text_wrap(void)
{
	struct alert_store *s = alert_store_new(16);   /* 16 KiB of text */
	struct alert_page pg;
	uint64_t ids[64];

	for (int i = 0; i < 100; i++) {
		add(s, 1000 + (size_t)(i * 397) % 3000);
		size_t n = page_ids(s, 0, 100, &pg, ids, 64);
		CHECK(n >= 1);
		CHECK_EQ(ids[n - 1], (uint64_t)i + 1);
		for (size_t k = 1; k < n; k++)
			CHECK_EQ(ids[k], ids[k - 1] + 1);
		CHECK_EQ(ids[0], pg.first_id);
	}
	/* An alert larger than the whole ring keeps its id but no text. */
	uint64_t big = add(s, 17000);
	CHECK_EQ(big, 101);
	size_t n = page_ids(s, 100, 10, &pg, ids, 64);
	CHECK_EQ(n, 0);
	CHECK_EQ(pg.next, 101);
	CHECK_EQ(add(s, 100), 102);
	n = page_ids(s, 100, 10, &pg, ids, 64);
	CHECK_EQ(n, 1);
	CHECK_EQ(ids[0], 102);
	alert_store_free(s);
}

/* ---- queries ---- */

static uint64_t add_meta(struct alert_store *s, uint32_t rule, uint8_t sev, const char *src,
			 const char *name, uint64_t ts_ns)
{
	char buf[2048];
	size_t n;
	struct fmt f = { 80 };
	struct alert_meta m = { .ts_ns = ts_ns, .rule_id = rule, .severity = sev };
	snprintf(m.src, sizeof m.src, "%s", src);
	snprintf(m.name, sizeof m.name, "%s", name);
	return alert_store_add(s, &m, fmt_alert, &f, buf, sizeof buf, &n);
}

static size_t query_ids(struct alert_store *s, const struct alert_query *q, struct alert_page *pg,
			uint64_t *ids, size_t max)
{
	size_t len, n = 0;
	char *p = alert_store_query(s, q, pg, &len);
	CHECK(p != NULL);
	if (!p)
		return 0;
	/* the test's texts start {"id":N; summaries and log lines hold "alert_id":N */
	for (char *c = p; *c && n < max; c++) {
		if (!strncmp(c, "{\"id\":", 6))
			ids[n++] = strtoull(c + 6, NULL, 10);
		else if (!strncmp(c, "\"alert_id\":", 11))
			ids[n++] = strtoull(c + 11, NULL, 10);
	}
	CHECK_EQ(n, pg->count);
	free(p);
	return n;
}

static void test_query_filters(void)
{
	struct alert_store *s = alert_store_new(64);
	struct alert_page pg;
	uint64_t ids[64];
	/* ids 1..20: rule 1 + (i % 2), severity 1 + (i % 4), two sources, names
	 * alternating below example.com and example.org */
	for (int i = 1; i <= 20; i++) {
		char name[64];
		snprintf(name, sizeof name, "h%d.%s", i, i % 2 ? "Example.COM" : "example.org");
		add_meta(s, 1 + (uint32_t)(i % 2), (uint8_t)(1 + i % 4), i % 3 ? "192.0.2.1" : "2001:db8::1",
			 name, (uint64_t)i * 1000000000ull);
	}
	struct alert_query q = { .limit = 100, .rule_id = 2 };
	CHECK_EQ(query_ids(s, &q, &pg, ids, 64), 10);
	CHECK(ids[0] == 1 && ids[9] == 19);
	CHECK_EQ(pg.next, 20);
	CHECK(!pg.more);

	q = (struct alert_query){ .limit = 100, .severity_max = 1 };   /* i % 4 == 0 */
	CHECK_EQ(query_ids(s, &q, &pg, ids, 64), 5);
	CHECK(ids[0] == 4 && ids[4] == 20);

	q = (struct alert_query){ .limit = 100, .src = "2001:db8::1" };
	CHECK_EQ(query_ids(s, &q, &pg, ids, 64), 6);
	CHECK_EQ(ids[0], 3);

	/* a suffix matches the name and names below it, without case, not
	 * a name that merely ends with the same letters */
	q = (struct alert_query){ .limit = 100, .name_suffix = "example.com" };
	CHECK_EQ(query_ids(s, &q, &pg, ids, 64), 10);
	q.name_suffix = "ample.com";
	CHECK_EQ(query_ids(s, &q, &pg, ids, 64), 0);
	q.name_suffix = "H3.EXAMPLE.com";
	CHECK_EQ(query_ids(s, &q, &pg, ids, 64), 1);
	CHECK_EQ(ids[0], 3);

	q = (struct alert_query){ .limit = 100, .from_ns = 5000000000ull, .to_ns = 7000000000ull };
	CHECK_EQ(query_ids(s, &q, &pg, ids, 64), 3);
	CHECK(ids[0] == 5 && ids[2] == 7);

	/* filters and a cursor: pages of 2, oldest first, no repeat, no skip */
	q = (struct alert_query){ .limit = 2, .rule_id = 1 };
	uint64_t seen = 0;
	size_t total = 0;
	for (int guard = 0; guard < 20; guard++) {
		size_t n = query_ids(s, &q, &pg, ids, 64);
		for (size_t i = 0; i < n; i++) {
			CHECK(ids[i] > seen && ids[i] % 2 == 0);
			seen = ids[i];
		}
		total += n;
		q.since = pg.next;
		if (!pg.more)
			break;
	}
	CHECK_EQ(total, 10);

	/* newest first, pages of 3, before = next */
	q = (struct alert_query){ .limit = 3, .newest_first = true };
	CHECK_EQ(query_ids(s, &q, &pg, ids, 64), 3);
	CHECK(ids[0] == 20 && ids[1] == 19 && ids[2] == 18);
	CHECK_EQ(pg.next, 18);
	CHECK(pg.more);
	q.before = pg.next;
	q.rule_id = 2;
	CHECK_EQ(query_ids(s, &q, &pg, ids, 64), 3);
	CHECK(ids[0] == 17 && ids[1] == 15 && ids[2] == 13);
	q.before = 2;
	CHECK_EQ(query_ids(s, &q, &pg, ids, 64), 1);
	CHECK_EQ(ids[0], 1);
	CHECK(!pg.more);
	q.before = 1;                  /* nothing below the oldest */
	CHECK_EQ(query_ids(s, &q, &pg, ids, 64), 0);
	CHECK_EQ(pg.next, 1);
	CHECK(!pg.more);
	q = (struct alert_query){ .limit = 5, .newest_first = true, .before = UINT64_MAX };
	CHECK_EQ(query_ids(s, &q, &pg, ids, 64), 5);
	CHECK_EQ(ids[0], 20);
	alert_store_free(s);

	/* an empty store: nothing, either way */
	s = alert_store_new(16);
	q = (struct alert_query){ .limit = 5, .newest_first = true };
	CHECK_EQ(query_ids(s, &q, &pg, ids, 64), 0);
	CHECK(!pg.more);
	alert_store_free(s);
}

/* A filter that matches nothing over a ring larger than the scan cap: the
 * call stops at the cap and says where, the next one goes on from there. */
static void test_query_scan_cap(void)
{
	uint32_t n = ALERT_QUERY_SCAN + 1000;
	struct alert_store *s = alert_store_new(n);
	struct alert_page pg;
	uint64_t ids[4];
	for (uint32_t i = 0; i < n; i++)
		add_meta(s, 1, 1, "192.0.2.1", "x.example", 1);
	add_meta(s, 7, 1, "192.0.2.1", "x.example", 1);
	struct alert_query q = { .limit = 10, .rule_id = 7 };
	CHECK_EQ(query_ids(s, &q, &pg, ids, 4), 0);
	CHECK_EQ(pg.scanned, ALERT_QUERY_SCAN);
	CHECK_EQ(pg.first_id, 2);      /* n slots, n + 1 alerts */
	CHECK_EQ(pg.next, ALERT_QUERY_SCAN + 1);
	CHECK(pg.more);
	q.since = pg.next;
	CHECK_EQ(query_ids(s, &q, &pg, ids, 4), 1);
	CHECK_EQ(ids[0], (uint64_t)n + 1);
	CHECK(!pg.more);
	q = (struct alert_query){ .limit = 10, .rule_id = 7, .newest_first = true, .before = n + 1 };
	CHECK_EQ(query_ids(s, &q, &pg, ids, 4), 0);
	CHECK_EQ(pg.scanned, ALERT_QUERY_SCAN);
	CHECK_EQ(pg.next, (uint64_t)n + 1 - ALERT_QUERY_SCAN);
	CHECK(pg.more);
	alert_store_free(s);
}

/* ---- dedup ---- */

#define SEC 1000000000ull

static void test_dedup(void)
{
	struct alert_store *s = alert_store_new(64);
	struct alert_store_health h;
	struct alert_page pg;
	uint64_t ids[64];
	CHECK_EQ(alert_store_set_dedup(s, 60, 64), 0);

	/* the first is stored at once; repeats within 60 s are counted */
	CHECK_EQ(add_meta(s, 1, 1, "192.0.2.1", "c2.example", 100 * SEC), 1);
	CHECK_EQ(add_meta(s, 1, 1, "192.0.2.1", "C2.Example", 110 * SEC), 0);
	CHECK_EQ(add_meta(s, 1, 1, "192.0.2.1", "c2.example", 150 * SEC), 0);
	/* another source, rule or name is another key */
	CHECK_EQ(add_meta(s, 1, 1, "192.0.2.2", "c2.example", 150 * SEC), 2);
	CHECK_EQ(add_meta(s, 2, 1, "192.0.2.1", "c2.example", 150 * SEC), 3);
	CHECK_EQ(add_meta(s, 1, 1, "192.0.2.1", "c3.example", 150 * SEC), 4);
	alert_store_health(s, &h);
	CHECK_EQ(h.deduplicated, 2);
	CHECK_EQ(h.stored, 4);

	/* the window closes at 160 s: a tick before changes nothing */
	CHECK_EQ(alert_store_dedup_tick(s, 159 * SEC, false), 0);
	CHECK_EQ(alert_store_dedup_tick(s, 160 * SEC, false), 1);
	CHECK_EQ(alert_store_last_id(s), 5);
	size_t len;
	struct alert_query q = { .since = 4, .limit = 10 };
	char *p = alert_store_query(s, &q, &pg, &len);
	CHECK(p && strstr(p, "\"alert_id\":5,") && strstr(p, "\"count\":3,") &&
	      strstr(p, "\"first_alert_id\":1}") && strstr(p, "\"name\":\"c2.example\"") &&
	      strstr(p, "\"first_seen\":\"1970-01-01T00:01:40.000000+0000\"") &&
	      strstr(p, "\"last_seen\":\"1970-01-01T00:02:30.000000+0000\""));
	free(p);
	/* the summary carries the meta: filters find it */
	q = (struct alert_query){ .limit = 10, .name_suffix = "c2.example", .src = "192.0.2.1", .rule_id = 1 };
	CHECK_EQ(query_ids(s, &q, &pg, ids, 64), 2);
	CHECK(ids[0] == 1 && ids[1] == 5);

	/* after the window, the next one is a new first alert */
	CHECK_EQ(add_meta(s, 1, 1, "192.0.2.1", "c2.example", 170 * SEC), 6);
	/* a window with no repeats closes without a summary; time is the
	 * newest packet's when the tick is given none */
	CHECK_EQ(add_meta(s, 9, 1, "192.0.2.9", "late.example", 400 * SEC), 7);
	CHECK_EQ(alert_store_dedup_tick(s, 0, false), 0);
	CHECK_EQ(alert_store_last_id(s), 7);
	/* a repeat of a window that has ended (no tick yet) closes it, then opens the next */
	CHECK_EQ(add_meta(s, 9, 1, "192.0.2.9", "late.example", 401 * SEC), 0);
	CHECK_EQ(add_meta(s, 9, 1, "192.0.2.9", "late.example", 500 * SEC), 9);   /* 8: the summary */
	/* shutdown closes every open window */
	CHECK_EQ(add_meta(s, 9, 1, "192.0.2.9", "late.example", 501 * SEC), 0);
	CHECK_EQ(alert_store_dedup_tick(s, 0, true), 1);
	CHECK_EQ(alert_store_dedup_tick(s, 0, true), 0);

	/* a rule's own window: off, or shorter */
	struct alert_meta m = { .ts_ns = 600 * SEC, .rule_id = 3, .severity = 1, .src = "192.0.2.1",
				.name = "x.example", .throttle_s = -1 };
	char buf[2048];
	struct fmt f = { 80 };
	uint64_t a = alert_store_add(s, &m, fmt_alert, &f, buf, sizeof buf, &len);
	uint64_t b = alert_store_add(s, &m, fmt_alert, &f, buf, sizeof buf, &len);
	CHECK(a && b == a + 1);
	m.throttle_s = 5;
	a = alert_store_add(s, &m, fmt_alert, &f, buf, sizeof buf, &len);
	CHECK(a && alert_store_add(s, &m, fmt_alert, &f, buf, sizeof buf, &len) == 0 && len == 0);
	m.ts_ns += 5 * SEC;
	CHECK(alert_store_add(s, &m, fmt_alert, &f, buf, sizeof buf, &len) == a + 2);
	alert_store_free(s);
}

/* A table full of open windows: the least recently used closes early,
 * counted, and no repeat is lost (its summary is stored). */
static void test_dedup_full(void)
{
	struct alert_store *s = alert_store_new(4096);
	struct alert_store_health h;
	CHECK_EQ(alert_store_set_dedup(s, 60, 64), 0);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 200; i++) {
			char name[32];
			snprintf(name, sizeof name, "n%d.example", i);
			add_meta(s, 1, 1, "192.0.2.1", name, SEC);
		}
	alert_store_dedup_tick(s, 0, true);
	alert_store_health(s, &h);
	CHECK(h.dedup_evicted > 0);
	/* every sighting is either a stored first or folded into a summary */
	uint64_t firsts = h.stored - h.dedup_summaries;
	CHECK_EQ(firsts + h.deduplicated, 400);
	struct alert_page pg;
	size_t len;
	struct alert_query q = { .limit = 10000 };
	char *p = alert_store_query(s, &q, &pg, &len);
	uint64_t counted = 0;
	for (char *c = p; c && (c = strstr(c, "\"count\":")); c++)
		counted += strtoull(c + 8, NULL, 10) - 1;
	CHECK_EQ(counted, h.deduplicated);
	free(p);
	alert_store_free(s);
}

/* A reload: open windows hold the old rule set's names.  Rebinding gives
 * each the name of its rule in the new set (the old text may be freed
 * after), or closes the window at once when the rule is gone; a new window
 * length applies to windows opened from then on. */
static const char *renamed(void *ctx, uint32_t rule)
{
	(void)ctx;
	return rule == 1 ? "rule one, new" : NULL;
}

static void test_dedup_rebind(void)
{
	struct alert_store *s = alert_store_new(64);
	char old1[32], old2[32], buf[2048];
	struct fmt f = { 80 };
	size_t len;
	snprintf(old1, sizeof old1, "rule one, old");
	snprintf(old2, sizeof old2, "rule two, old");
	CHECK_EQ(alert_store_set_dedup_window(s, 30), -1);     /* no table yet */
	CHECK_EQ(alert_store_set_dedup(s, 60, 64), 0);
	struct alert_meta m1 = { .ts_ns = 100 * SEC, .rule_id = 1, .severity = 1, .src = "192.0.2.1",
				 .name = "a.example", .signature = old1 };
	struct alert_meta m2 = m1;
	m2.rule_id = 2;
	m2.signature = old2;
	CHECK_EQ(alert_store_add(s, &m1, fmt_alert, &f, buf, sizeof buf, &len), 1);
	CHECK_EQ(alert_store_add(s, &m1, fmt_alert, &f, buf, sizeof buf, &len), 0);
	CHECK_EQ(alert_store_add(s, &m2, fmt_alert, &f, buf, sizeof buf, &len), 2);
	CHECK_EQ(alert_store_add(s, &m2, fmt_alert, &f, buf, sizeof buf, &len), 0);

	/* rule 2 is gone: its window closes now, its summary named as it was */
	alert_store_rebind(s, renamed, NULL);
	CHECK_EQ(alert_store_last_id(s), 3);
	memset(old1, 'X', sizeof old1 - 1);    /* the old set is freed */
	memset(old2, 'X', sizeof old2 - 1);
	CHECK_EQ(alert_store_dedup_tick(s, 0, true), 1);
	CHECK_EQ(alert_store_last_id(s), 4);
	struct alert_page pg;
	struct alert_query q = { .since = 2, .limit = 10 };
	char *p = alert_store_query(s, &q, &pg, &len);
	CHECK(p && strstr(p, "\"alert_id\":3,") && strstr(p, "\"signature\":\"rule two, old\"") &&
	      strstr(p, "\"alert_id\":4,") && strstr(p, "\"signature\":\"rule one, new\"") &&
	      !strstr(p, "XXX"));
	free(p);

	/* a shorter window from now on */
	CHECK_EQ(alert_store_set_dedup_window(s, 5), 0);
	m1.ts_ns = 200 * SEC;
	m1.signature = "rule one, new";
	uint64_t a = alert_store_add(s, &m1, fmt_alert, &f, buf, sizeof buf, &len);
	m1.ts_ns += 5 * SEC;
	CHECK(a && alert_store_add(s, &m1, fmt_alert, &f, buf, sizeof buf, &len) == a + 1);
	alert_store_free(s);
}

/* ---- the alert log's reader ---- */

static void test_log_parse(void)
{
	uint64_t id;
	struct alert_meta m;
	const char *ok = "{\"timestamp\":\"2023-11-14T22:13:20.003000+0000\",\"src_ip\":\"198.18.0.2\","
			 "\"alert_id\":42,\"alert\":{\"signature_id\":7,\"severity\":2,\"x\":[1,{\"a\":null}]},"
			 "\"dns\":{\"rrname\":\"Evil\\u00e9.example\",\"answers\":[{\"rrname\":\"no\"}]}}";
	CHECK(alert_log_parse(ok, strlen(ok), &id, &m));
	CHECK_EQ(id, 42);
	CHECK_EQ(m.rule_id, 7);
	CHECK_EQ(m.severity, 2);
	CHECK_STR(m.src, "198.18.0.2");
	CHECK_STR(m.name, "Evil\xe9.example");
	CHECK(m.ts_ns == 1700000000003000000ull);

	/* a CNAME target is the name that matched; a TLS SNI too */
	const char *cname = "{\"alert_id\":1,\"alert\":{\"target\":\"t.example\"},\"dns\":{\"rrname\":\"q.example\"}}";
	CHECK(alert_log_parse(cname, strlen(cname), &id, &m));
	CHECK_STR(m.name, "t.example");
	const char *tls = "{\"alert_id\":2,\"tls\":{\"sni\":\"s.example\"}}";
	CHECK(alert_log_parse(tls, strlen(tls), &id, &m));
	CHECK_STR(m.name, "s.example");

	/* torn, malformed, hostile */
	size_t n = strlen(ok);
	for (size_t cut = 0; cut < n; cut++)
		CHECK(!alert_log_parse(ok, cut, &id, &m));
	static const char *const bad[] = {
		"", "{}", "{\"alert_id\":0}", "{\"alert_id\":-1}", "{\"alert_id\":1.5}",
		"{\"alert_id\":18446744073709551616}", "{\"alert_id\":1}x", "{\"alert_id\":1,}",
		"{\"alert_id\":1 \"a\":2}", "[1]", "{\"alert_id\":1,\"s\":\"\\x\"}",
		"{\"alert_id\":1,\"s\":\"\\u12\"}", "{\"alert_id\":1,\"s\":tru}",
		"{\"alert_id\":1,\"s\":\"a\nb\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(!alert_log_parse(bad[i], strlen(bad[i]), &id, &m));
	/* nesting is bounded, not recursion without end */
	char deep[4096];
	size_t k = (size_t)snprintf(deep, sizeof deep, "{\"alert_id\":1,\"a\":");
	for (int i = 0; i < 1000; i++)
		deep[k++] = '[';
	for (int i = 0; i < 1000; i++)
		deep[k++] = ']';
	deep[k++] = '}';
	CHECK(!alert_log_parse(deep, k, &id, &m));
}

static void write_file(const char *path, const char *text, bool gz)
{
	if (gz) {
		gzFile g = gzopen(path, "wb");
		gzwrite(g, text, (unsigned)strlen(text));
		gzclose(g);
	} else {
		FILE *f = fopen(path, "w");
		fputs(text, f);
		fclose(f);
	}
}

static void line(char *buf, size_t cap, uint64_t id)
{
	snprintf(buf, cap, "{\"alert_id\":%llu,\"src_ip\":\"192.0.2.1\",\"alert\":{\"signature_id\":5,"
		 "\"severity\":1},\"tls\":{\"sni\":\"n%llu.example\"}}\n",
		 (unsigned long long)id, (unsigned long long)id);
}

/* The newest alerts come back from the current file and the rotated ones,
 * in order; a torn last line and junk are skipped and counted. */
static void test_log_load(void)
{
	char dir[] = "/tmp/c2w-alertlog-XXXXXX", path[256], name[300], text[8192], l[256];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/alerts.json", dir);
	/* .2.gz: 1-3, .1.gz: 4-6 and 7 (a rotation cut short leaves alerts in
	 * two files), current: 7-9, junk, a torn last line */
	for (int f = 2; f >= 0; f--) {
		size_t n = 0;
		for (uint64_t id = (uint64_t)(2 - f) * 3 + 1; id <= (uint64_t)(2 - f) * 3 + 3; id++) {
			line(l, sizeof l, id);
			n += (size_t)snprintf(text + n, sizeof text - n, "%s", l);
		}
		if (f == 0)
			snprintf(text + n, sizeof text - n, "not json\n{\"alert_id\":10,\"tls\":{\"sn");
		if (f == 1) {
			line(l, sizeof l, 7);
			snprintf(text + n, sizeof text - n, "%s", l);
		}
		if (f)
			snprintf(name, sizeof name, "%s.%d.gz", path, f);
		else
			snprintf(name, sizeof name, "%s", path);
		write_file(name, text, f != 0);
	}
	struct alert_store *s = alert_store_new(16);
	uint64_t torn;
	CHECK_EQ(alert_log_load(s, path, 10, 5, &torn), 5);
	CHECK_EQ(torn, 2);
	CHECK_EQ(alert_store_last_id(s), 9);
	struct alert_page pg;
	uint64_t ids[16];
	struct alert_query q = { .limit = 16, .name_suffix = "n5.example" };
	CHECK_EQ(query_ids(s, &q, &pg, ids, 16), 1);
	CHECK_EQ(pg.first_id, 5);
	size_t len;
	char *p = alert_store_page(s, 0, 100, &pg, &len);
	CHECK(p && pg.count == 5 && strstr(p, "\"alert_id\":5,") && strstr(p, "\"alert_id\":9,") &&
	      !strstr(p, "\"alert_id\":4,"));
	free(p);
	/* new alerts continue the ids */
	CHECK_EQ(add(s, 100), 10);
	alert_store_free(s);

	/* all of them when the ring is large; keep 1 leaves .2.gz unread */
	s = alert_store_new(64);
	CHECK_EQ(alert_log_load(s, path, 10, 64, &torn), 9);
	alert_store_free(s);
	s = alert_store_new(64);
	CHECK_EQ(alert_log_load(s, path, 1, 64, &torn), 6);
	CHECK_EQ(alert_store_last_id(s), 9);
	alert_store_free(s);
	/* no file at all: nothing, no error */
	snprintf(name, sizeof name, "%s/none.json", dir);
	s = alert_store_new(16);
	CHECK_EQ(alert_log_load(s, name, 10, 16, &torn), 0);
	CHECK_EQ(alert_store_last_id(s), 0);
	alert_store_free(s);
	for (int f = 0; f <= 2; f++) {
		if (f)
			snprintf(name, sizeof name, "%s.%d.gz", path, f);
		else
			snprintf(name, sizeof name, "%s", path);
		unlink(name);
	}
	rmdir(dir);
}

/* An alert line the log reads back: {"alert_id":N,...}. */
static size_t fmt_logged(void *ctx, uint64_t id, char *buf, size_t cap)
{
	(void)ctx;
	line(buf, cap, id);
	return strlen(buf);
}

/* Wait (5 s at most) until the writer has the alerts up to id in the file. */
static bool written_to(struct alert_store *s, uint64_t id, struct alert_store_health *h)
{
	for (int i = 0; i < 500; i++) {
		alert_store_health(s, h);
		if (h->written_id >= id)
			return true;
		usleep(10000);
	}
	return false;
}

/* What is acknowledged: written_id (in the file) and synced_id (fsync'd),
 * by fsync policy, and both at once for what was loaded back at start. */
static void test_log_acknowledged(void)
{
	char dir[] = "/tmp/c2w-alertlog-XXXXXX", path[256], buf[512], err[ALERT_LOG_ERR_MAX];
	struct alert_meta meta = { .rule_id = 5, .severity = 1, .src = "192.0.2.1", .name = "n.example" };
	struct alert_store_health h;
	size_t n;
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/alerts.json", dir);
	struct alert_log_config c = { .path = path, .fsync = ALERT_FSYNC_ALWAYS, .fsync_interval_s = 3600,
				      .load = 64 };

	/* always: synced with every write */
	struct alert_store *s = alert_store_new(64);
	struct alert_log *l = alert_log_start(s, &c, err);
	CHECK(l != NULL);
	alert_store_health(s, &h);
	CHECK(h.written_id == 0 && h.synced_id == 0);
	for (int i = 0; i < 3; i++)
		alert_store_add(s, &meta, fmt_logged, NULL, buf, sizeof buf, &n);
	CHECK(written_to(s, 3, &h));
	CHECK_EQ(h.synced_id, 3);
	alert_log_stop(l);
	alert_store_free(s);

	/* never: loaded alerts count as both; new ones are written, not synced */
	c.fsync = ALERT_FSYNC_NEVER;
	s = alert_store_new(64);
	l = alert_log_start(s, &c, err);
	CHECK(l != NULL);
	alert_store_health(s, &h);
	CHECK(h.loaded == 3 && h.written_id == 3 && h.synced_id == 3);
	CHECK_EQ(alert_store_add(s, &meta, fmt_logged, NULL, buf, sizeof buf, &n), 4);
	CHECK(written_to(s, 4, &h));
	CHECK_EQ(h.synced_id, 3);
	alert_log_stop(l);
	alert_store_free(s);

	/* interval (an hour): not synced by the writer yet; at close, it is */
	c.fsync = ALERT_FSYNC_INTERVAL;
	s = alert_store_new(64);
	l = alert_log_start(s, &c, err);
	CHECK(l != NULL);
	CHECK_EQ(alert_store_add(s, &meta, fmt_logged, NULL, buf, sizeof buf, &n), 5);
	CHECK(written_to(s, 5, &h));
	CHECK(h.synced_id == 4 || h.synced_id == 5);   /* the first interval may come at once */
	alert_log_stop(l);
	alert_store_free(s);
	unlink(path);
	rmdir(dir);
}

/* A batch larger than the room left on the disk: the whole lines that fit
 * are kept and acknowledged, the cut one is taken off again, and when room
 * comes back the rest follow, each alert once.  RLIMIT_FSIZE stands in for
 * a full disk (EFBIG instead of ENOSPC, the same path). */
static void test_log_full_batch(void)
{
	char dir[] = "/tmp/c2w-alertlog-XXXXXX", path[256], buf[512], err[ALERT_LOG_ERR_MAX];
	struct alert_meta meta = { .rule_id = 5, .severity = 1, .src = "192.0.2.1", .name = "n.example" };
	struct alert_store_health h;
	struct rlimit was, lim;
	size_t n, room = 0;
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/alerts.json", dir);
	for (uint64_t id = 1; id <= 10; id++) {
		line(buf, sizeof buf, id);
		room += strlen(buf);
	}
	room += 20;                    /* and part of the 11th */
	struct alert_log_config c = { .path = path, .fsync = ALERT_FSYNC_NEVER, .fsync_interval_s = 3600,
				      .load = 64 };
	struct alert_store *s = alert_store_new(64);
	signal(SIGXFSZ, SIG_IGN);
	CHECK_EQ(getrlimit(RLIMIT_FSIZE, &was), 0);
	lim = was;
	lim.rlim_cur = 0;              /* no room at all: the first write fails whole */
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
	struct alert_log *l = alert_log_start(s, &c, err);
	CHECK(l != NULL);
	alert_store_add(s, &meta, fmt_logged, NULL, buf, sizeof buf, &n);
	usleep(200000);
	alert_store_health(s, &h);
	CHECK(h.write_errors >= 1 && h.written_id == 0);
	/* 39 more wait in the ring for the retry (a second later): one batch
	 * of 40, of which 10 and a half fit */
	for (int i = 0; i < 39; i++)
		alert_store_add(s, &meta, fmt_logged, NULL, buf, sizeof buf, &n);
	lim.rlim_cur = room;
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
	CHECK(written_to(s, 10, &h));
	usleep(300000);
	alert_store_health(s, &h);
	CHECK_EQ(h.written_id, 10);
	CHECK(h.write_errors >= 2 && !h.log_ok);
	FILE *f = fopen(path, "r");
	char got[512];
	uint64_t want = 1, bad = 0;
	while (f && fgets(got, sizeof got, f)) {
		line(buf, sizeof buf, want++);
		bad += strcmp(got, buf) != 0;
	}
	if (f)
		fclose(f);
	CHECK_EQ(want - 1, 10);
	CHECK_EQ(bad, 0);

	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &was), 0);   /* room again */
	CHECK(written_to(s, 40, &h));
	alert_log_stop(l);
	alert_store_free(s);
	f = fopen(path, "r");
	want = 1;
	bad = 0;
	while (f && fgets(got, sizeof got, f)) {
		line(buf, sizeof buf, want++);
		bad += strcmp(got, buf) != 0;
	}
	if (f)
		fclose(f);
	CHECK_EQ(want - 1, 40);
	CHECK_EQ(bad, 0);
	signal(SIGXFSZ, SIG_DFL);
	unlink(path);
	rmdir(dir);
}

/* Gaps in the ids read back (alerts the log missed) stay gaps: cursors
 * across them neither repeat nor stall. */
static void test_restore_gaps(void)
{
	struct alert_store *s = alert_store_new(16);
	struct alert_meta m = { .rule_id = 1 };
	char l[256];
	line(l, sizeof l, 3);
	CHECK_EQ(alert_store_restore(s, 3, &m, l, strlen(l)), 0);
	line(l, sizeof l, 7);
	CHECK_EQ(alert_store_restore(s, 7, &m, l, strlen(l)), 0);
	CHECK_EQ(alert_store_restore(s, 7, &m, l, strlen(l)), -1);
	CHECK_EQ(alert_store_restore(s, 5, &m, l, strlen(l)), -1);
	struct alert_page pg;
	size_t len;
	char *p = alert_store_page(s, 3, 10, &pg, &len);
	CHECK(p && pg.count == 1 && pg.next == 7);
	free(p);
	line(l, sizeof l, 1000);
	CHECK_EQ(alert_store_restore(s, 1000, &m, l, strlen(l)), 0);   /* wider than the ring */
	p = alert_store_page(s, 7, 10, &pg, &len);
	CHECK(p && pg.count == 1 && pg.next == 1000 && pg.first_id == 1000);
	free(p);
	/* the writer's copy: whole lines in id order */
	char buf[4096];
	uint64_t next, missed;
	size_t n = alert_store_lines(s, 0, buf, sizeof buf, &next, &missed);
	CHECK(n == strlen(l) && next == 1000 && missed == 999);
	CHECK_EQ(add(s, 50), 1001);
	n = alert_store_lines(s, 1000, buf, 10, &next, &missed);   /* too small: passed over */
	CHECK(n == 0 && next == 1001);
	alert_store_free(s);
}

static void *waiter(void *arg)
{
	alert_store_wait(arg, 0, 5000);
	return NULL;
}

/* A kick wakes a waiter at once, alert or not: the log writer waits in
 * alert_store_wait(), and a stop that waited out its timeout added 0.2 s to
 * every run (found by make bench: a tiny replay took 0.20 s). */
static void test_kick(void)
{
	struct alert_store *s = alert_store_new(16);
	pthread_t t;
	struct timespec a, b, nap = { 0, 50000000 };

	CHECK(s != NULL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_EQ(pthread_create(&t, NULL, waiter, s), 0);
	nanosleep(&nap, NULL);
	alert_store_kick(s);
	pthread_join(t, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	CHECK(secs < 1.0);
	alert_store_free(s);
}

int main(void)
{
	test_kick();
	test_ids_and_cursor();
	test_slots_wrap();
	test_text_wrap();
	test_query_filters();
	test_query_scan_cap();
	test_dedup();
	test_dedup_full();
	test_dedup_rebind();
	test_log_parse();
	test_log_load();
	test_log_acknowledged();
	test_log_full_batch();
	test_restore_gaps();
	return check_report("alert");
}
