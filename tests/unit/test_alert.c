/* test_alert.c — the alert ring: ids, cursors, wrap-around of the byte ring,
 * long alerts, and hostile cursors. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
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

int main(void)
{
	test_ids_and_cursor();
	test_slots_wrap();
	test_text_wrap();
	return check_report("alert");
}
