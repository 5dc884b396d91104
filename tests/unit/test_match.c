/* test_match.c — the matcher: label-suffix semantics, normalisation, several
 * rules per name, hit order, a 200,000-entry list with near misses, and the
 * memo of names that matched nothing. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "match.h"

static size_t look(const struct matcher *m, const char *name, struct match_hit *hits, size_t max)
{
	return matcher_lookup(m, name, strlen(name), hits, max);
}

static int add(struct matcher *m, const char *name, uint32_t rule)
{
	return matcher_add(m, name, strlen(name), rule);
}

static void test_suffix(void)
{
	struct matcher *m = matcher_new();
	struct match_hit h[4];

	CHECK(m != NULL);
	CHECK_EQ(add(m, "evil.com", 0), 0);
	CHECK_EQ(add(m, "x.example.org", 0), 0);
	CHECK_EQ(look(m, "evil.com", h, 4), 0);	/* not compiled yet */
	CHECK_EQ(matcher_compile(m), 0);
	CHECK_EQ(add(m, "late.com", 0), -1);

	CHECK_EQ(look(m, "evil.com", h, 4), 1);
	CHECK_STR(h[0].entry, "evil.com");
	CHECK_EQ(h[0].entry_len, 8);
	CHECK_EQ(h[0].rule, 0);
	CHECK_EQ(look(m, "a.evil.com", h, 4), 1);
	CHECK_EQ(look(m, "a.b.c.evil.com", h, 4), 1);
	CHECK_STR(h[0].entry, "evil.com");
	CHECK_EQ(look(m, "notevil.com", h, 4), 0);
	CHECK_EQ(look(m, "a.notevil.com", h, 4), 0);
	CHECK_EQ(look(m, "evil.com.other.net", h, 4), 0);
	CHECK_EQ(look(m, "vil.com", h, 4), 0);
	CHECK_EQ(look(m, "com", h, 4), 0);
	CHECK_EQ(look(m, "evil.co", h, 4), 0);
	CHECK_EQ(look(m, "evil.comm", h, 4), 0);
	CHECK_EQ(look(m, "example.org", h, 4), 0);
	CHECK_EQ(look(m, "y.x.example.org", h, 4), 1);
	CHECK_EQ(look(m, "", h, 4), 0);
	CHECK_EQ(look(m, ".", h, 4), 0);
	CHECK_EQ(look(m, ".evil.com", h, 4), 1);
	CHECK_EQ(look(m, "a..evil.com", h, 4), 1);

	/* case and one trailing dot do not matter */
	CHECK_EQ(look(m, "EVIL.COM", h, 4), 1);
	CHECK_EQ(look(m, "Www.Evil.Com.", h, 4), 1);
	CHECK_STR(h[0].entry, "evil.com");
	CHECK_EQ(look(m, "evil.com.", h, 4), 1);
	CHECK_EQ(look(m, "notEVIL.com.", h, 4), 0);
	CHECK_EQ(look(m, "evil.com", h, 0), 0);
	CHECK_EQ(matcher_entries(m), 2);
	CHECK(matcher_memory(m) > 0);
	matcher_free(m);
}

static void test_rules(void)
{
	struct matcher *m = matcher_new();
	struct match_hit h[4];

	CHECK_EQ(add(m, "evil.com", 0), 0);
	CHECK_EQ(add(m, "evil.com", 1), 0);
	CHECK_EQ(add(m, "evil.com", 0), 0);	/* duplicate, kept once */
	CHECK_EQ(add(m, "a.evil.com", 2), 0);
	CHECK_EQ(add(m, "a.evil.com", 0), 0);
	CHECK_EQ(add(m, "b.a.evil.com", 3), 0);
	CHECK_EQ(add(m, "", 0), -1);
	CHECK_EQ(matcher_add(m, "a\0b.com", 7, 0), -1);
	CHECK_EQ(matcher_entries(m), 5);
	CHECK_EQ(matcher_compile(m), 0);

	/* both rules on one name, in the order they were added */
	CHECK_EQ(look(m, "x.evil.com", h, 4), 2);
	CHECK_EQ(h[0].rule, 0);
	CHECK_EQ(h[1].rule, 1);

	/* most specific first, one hit per rule */
	CHECK_EQ(look(m, "z.b.a.evil.com", h, 4), 4);
	CHECK_EQ(h[0].rule, 3);
	CHECK_STR(h[0].entry, "b.a.evil.com");
	CHECK_EQ(h[0].entry_len, 12);
	CHECK_EQ(h[1].rule, 2);
	CHECK_STR(h[1].entry, "a.evil.com");
	CHECK_EQ(h[2].rule, 0);
	CHECK_STR(h[2].entry, "a.evil.com");	/* not evil.com again */
	CHECK_EQ(h[3].rule, 1);
	CHECK_STR(h[3].entry, "evil.com");
	CHECK_EQ(h[3].entry_len, 8);

	/* max caps the hits, keeping the most specific */
	CHECK_EQ(look(m, "b.a.evil.com", h, 2), 2);
	CHECK_EQ(h[0].rule, 3);
	CHECK_EQ(h[1].rule, 2);
	matcher_free(m);
}

/* Names past 255 characters: only the tail can match, at a label start. */
static void test_long(void)
{
	struct matcher *m = matcher_new();
	struct match_hit h[2];
	char entry[254], name[600];
	size_t k = 0;

	/* 253 characters: labels of 63, 63, 63, 61 */
	for (int l = 0; l < 4; l++) {
		size_t n = l < 3 ? 63 : 61;

		memset(entry + k, 'a' + l, n);
		k += n;
		if (l < 3)
			entry[k++] = '.';
	}
	entry[k] = '\0';
	CHECK_EQ(strlen(entry), 253);
	CHECK_EQ(matcher_add(m, entry, 253, 0), 0);
	CHECK_EQ(add(m, "evil.com", 1), 0);
	memset(name, 'q', 254);
	name[254] = '\0';
	CHECK_EQ(matcher_add(m, name, 254, 0), -1);
	CHECK_EQ(matcher_compile(m), 0);

	CHECK_EQ(look(m, entry, h, 2), 1);
	snprintf(name, sizeof name, "x%s", entry);
	CHECK_EQ(look(m, name, h, 2), 0);
	snprintf(name, sizeof name, "x.%s.", entry);
	CHECK_EQ(look(m, name, h, 2), 1);
	snprintf(name, sizeof name, "yyyyyyyyyyx%s", entry);
	CHECK_EQ(look(m, name, h, 2), 0);
	snprintf(name, sizeof name, "yyyyyyyyyy.%s", entry);
	CHECK_EQ(look(m, name, h, 2), 1);
	snprintf(name, sizeof name, "yyyyyyyyyyx%s.", entry);
	CHECK_EQ(look(m, name, h, 2), 0);
	snprintf(name, sizeof name, "yyyyyyyyyy.%s.", entry);
	CHECK_EQ(look(m, name, h, 2), 1);

	/* a long name of tiny labels and one of dots only */
	for (k = 0; k + 2 < 500; k += 2) {
		name[k] = 'a';
		name[k + 1] = '.';
	}
	strcpy(name + k, "evil.com");
	CHECK_EQ(look(m, name, h, 2), 1);
	CHECK_EQ(h[0].rule, 1);
	memset(name, '.', 599);
	name[599] = '\0';
	CHECK_EQ(look(m, name, h, 2), 0);
	matcher_free(m);
}

#define BIG 200000

static void big_name(char *buf, size_t size, uint32_t i)
{
	static const char *const tld[] = { "com", "net", "org", "xyz", "co.uk" };
	uint32_t x = i * 2654435761u;

	snprintf(buf, size, "%s%x-%u.%s", i % 3 ? "c" : "api.c", x, i, tld[i % 5]);
}

static void test_big(void)
{
	struct matcher *m = matcher_new();
	struct match_hit h[2];
	char name[128], q[160];
	size_t hit = 0, sub = 0, miss = 0;

	for (uint32_t i = 0; i < BIG; i++) {
		big_name(name, sizeof name, i);
		if (matcher_add(m, name, strlen(name), i % 7) < 0)
			break;
	}
	CHECK_EQ(matcher_entries(m), BIG);
	CHECK_EQ(matcher_compile(m), 0);
	CHECK(matcher_memory(m) < 16u << 20);

	for (uint32_t i = 0; i < BIG; i++) {
		big_name(name, sizeof name, i);
		if (look(m, name, h, 2) == 1 && h[0].rule == i % 7 && strcmp(h[0].entry, name) == 0)
			hit++;
		snprintf(q, sizeof q, "www.%s", name);
		if (look(m, q, h, 2) == 1 && strcmp(h[0].entry, name) == 0)
			sub++;
		snprintf(q, sizeof q, "x%s", name);
		miss += look(m, q, h, 2) == 0;
		snprintf(q, sizeof q, "%s.other.net", name);
		miss += look(m, q, h, 2) == 0;
	}
	CHECK_EQ(hit, BIG);
	CHECK_EQ(sub, BIG);
	CHECK_EQ(miss, 2 * BIG);
	matcher_free(m);
}

/* Only suffixes with as many labels as some entry are probed: entries of 1
 * and of 4 labels both still match, at any depth, and nothing in between. */
static void test_label_range(void)
{
	struct matcher *m = matcher_new();
	struct match_hit h[4];

	CHECK_EQ(add(m, "a.b.c.d", 0), 0);
	CHECK_EQ(matcher_compile(m), 0);
	CHECK_EQ(look(m, "a.b.c.d", h, 4), 1);
	CHECK_EQ(look(m, "x.y.a.b.c.d", h, 4), 1);
	CHECK_EQ(look(m, "b.c.d", h, 4), 0);
	CHECK_EQ(look(m, "d", h, 4), 0);
	matcher_free(m);

	m = matcher_new();
	CHECK_EQ(add(m, "internal", 1), 0);
	CHECK_EQ(add(m, "c2.example.net", 2), 0);
	CHECK_EQ(matcher_compile(m), 0);
	CHECK_EQ(look(m, "host.internal", h, 4), 1);
	CHECK_EQ(h[0].rule, 1);
	CHECK_EQ(look(m, "internal", h, 4), 1);
	CHECK_EQ(look(m, "a.b.c2.example.net", h, 4), 1);
	CHECK_EQ(h[0].rule, 2);
	CHECK_EQ(look(m, "example.net", h, 4), 0);
	matcher_free(m);
}

/* The memo of names that matched nothing: the same answers as without it,
 * whatever evicts whom, and never an answer from another matcher. */
static void test_memo(void)
{
	struct matcher *a = matcher_new(), *b = matcher_new();
	struct match_memo *memo = match_memo_new();
	struct match_hit h[2];
	char name[96];
	size_t right = 0, n = 3 * MATCH_MEMO_SLOTS;

	CHECK(a && b && memo);
	for (uint32_t i = 0; i < n; i += 2) {
		snprintf(name, sizeof name, "n%u.example", i);
		CHECK_EQ(add(a, name, 0), 0);
	}
	CHECK_EQ(add(b, "fresh.net", 3), 0);
	CHECK_EQ(matcher_compile(a), 0);
	CHECK_EQ(matcher_compile(b), 0);

	/* Twice over more names than lines: hits are never remembered, misses
	 * are evicted by each other, and every answer stays exact. */
	for (int round = 0; round < 2; round++)
		for (uint32_t i = 0; i < n; i++) {
			snprintf(name, sizeof name, "%sn%u.example", i % 3 ? "" : "www.", i);
			size_t got = matcher_lookup_memo(a, memo, name, strlen(name), h, 2);
			right += got == (i % 2 == 0);
		}
	CHECK_EQ(right, 2 * n);

	/* A name remembered for one matcher is looked up afresh in another. */
	CHECK_EQ(matcher_lookup_memo(a, memo, "fresh.net", 9, h, 2), 0);
	CHECK_EQ(matcher_lookup_memo(a, memo, "fresh.net", 9, h, 2), 0);
	CHECK_EQ(matcher_lookup_memo(b, memo, "fresh.net", 9, h, 2), 1);
	CHECK_EQ(h[0].rule, 3);
	CHECK_EQ(matcher_lookup_memo(b, memo, "FRESH.net.", 10, h, 2), 1);
	CHECK_EQ(matcher_lookup_memo(b, memo, "a.fresh.net", 11, h, 2), 1);
	CHECK_EQ(matcher_lookup_memo(a, memo, "fresh.net", 9, h, 2), 0);

	/* Names too long to remember, and names one byte apart. */
	const char *longer = "a-label-long-enough-to-pass-the-memo-limit.of.fifty-five.fresh.net";
	CHECK(strlen(longer) > MATCH_MEMO_NAME);
	for (int i = 0; i < 2; i++)
		CHECK_EQ(matcher_lookup_memo(b, memo, longer, strlen(longer), h, 2), 1);
	CHECK_EQ(matcher_lookup_memo(b, memo, "fresh.nes", 9, h, 2), 0);
	CHECK_EQ(matcher_lookup_memo(b, memo, "fresh.nes", 9, h, 2), 0);
	CHECK_EQ(matcher_lookup_memo(b, memo, "fresh.net", 9, h, 2), 1);

	/* A reload frees a matcher and builds another, maybe at the same
	 * address: the memo's misses for the old one are not served. */
	matcher_free(b);
	CHECK_EQ(matcher_lookup_memo(a, memo, "later.net", 9, h, 2), 0);
	matcher_free(a);
	struct matcher *c = matcher_new();
	CHECK(c != NULL);
	CHECK_EQ(add(c, "later.net", 1), 0);
	CHECK_EQ(matcher_compile(c), 0);
	CHECK_EQ(matcher_lookup_memo(c, memo, "later.net", 9, h, 2), 1);
	match_memo_free(memo);
	matcher_free(c);
}

int main(void)
{
	test_memo();
	test_label_range();
	test_suffix();
	test_rules();
	test_long();
	test_big();
	return check_report("match");
}
