/* test_http_args.c — the API's query-parameter parsers through a plain
 * key/value table (struct http_args), as the fuzzer calls them. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "http.h"

/* "k=v" pairs, NULL-terminated */
static const char *lookup(void *ctx, const char *name)
{
	const char *const *kv = ctx;
	size_t n = strlen(name);
	for (; *kv; kv++)
		if (strncmp(*kv, name, n) == 0 && (*kv)[n] == '=')
			return *kv + n + 1;
	return NULL;
}

static int alerts(const char *const *kv, struct http_alert_params *ap, const char **bad)
{
	const struct http_args a = { lookup, (void *)kv };
	const char *why = NULL;
	*bad = NULL;
	int r = http_parse_alert_params(&a, ap, bad, &why);
	if (r < 0)
		CHECK(*bad && why);
	return r;
}

static void test_alerts(void)
{
	struct http_alert_params ap;
	const char *bad;

	CHECK_EQ(alerts((const char *[]){ NULL }, &ap, &bad), 0);
	CHECK_EQ(ap.q.limit, 100);
	CHECK(!ap.q.newest_first);

	CHECK_EQ(alerts((const char *[]){ "since=7", "limit=1000", "severity=Medium", "rule=42",
					  "src=2001:DB8::1", "name=Evil.Test.", NULL }, &ap, &bad), 0);
	CHECK_EQ(ap.q.since, 7);
	CHECK_EQ(ap.q.limit, 1000);
	CHECK_EQ(ap.q.severity_max, 2);
	CHECK_EQ(ap.q.rule_id, 42);
	CHECK_STR(ap.q.src, "2001:db8::1");
	CHECK_STR(ap.q.name_suffix, "evil.test");

	/* RFC 3339 §5.6 offsets: 12:00:00.5+02:00 is 10:00:00.5Z */
	CHECK_EQ(alerts((const char *[]){ "from=2023-06-01T12:00:00.5+02:00", "to=1685613601", NULL },
			&ap, &bad), 0);
	CHECK_EQ(ap.q.from_ns, 1685613600500000000ull);
	CHECK_EQ(ap.q.to_ns, 1685613601000000000ull);

	CHECK_EQ(alerts((const char *[]){ "order=newest", "before=5", NULL }, &ap, &bad), 0);
	CHECK(ap.q.newest_first);
	CHECK_EQ(ap.q.before, 5);

	CHECK_EQ(alerts((const char *[]){ "limit=0", NULL }, &ap, &bad), -1);
	CHECK_STR(bad, "limit");
	CHECK_EQ(alerts((const char *[]){ "limit=1001", NULL }, &ap, &bad), -1);
	CHECK_EQ(alerts((const char *[]){ "since=-1", NULL }, &ap, &bad), -1);
	CHECK_STR(bad, "since");
	CHECK_EQ(alerts((const char *[]){ "since=18446744073709551616", NULL }, &ap, &bad), -1);
	CHECK_EQ(alerts((const char *[]){ "order=newest", "since=1", NULL }, &ap, &bad), -1);
	CHECK_STR(bad, "since");
	CHECK_EQ(alerts((const char *[]){ "before=3", "order=oldest", NULL }, &ap, &bad), -1);
	CHECK_STR(bad, "before");
	CHECK_EQ(alerts((const char *[]){ "wait=61", NULL }, &ap, &bad), -1);
	CHECK_STR(bad, "wait");
	CHECK_EQ(alerts((const char *[]){ "severity=5", NULL }, &ap, &bad), -1);
	CHECK_STR(bad, "severity");
	CHECK_EQ(alerts((const char *[]){ "rule=4294967296", NULL }, &ap, &bad), -1);
	CHECK_STR(bad, "rule");
	CHECK_EQ(alerts((const char *[]){ "src=10.0.0.256", NULL }, &ap, &bad), -1);
	CHECK_STR(bad, "src");
	CHECK_EQ(alerts((const char *[]){ "name=a b", NULL }, &ap, &bad), -1);
	CHECK_STR(bad, "name");
	CHECK_EQ(alerts((const char *[]){ "from=2023-06-01T10:00:00+2:00", NULL }, &ap, &bad), -1);
	CHECK_STR(bad, "from");
	CHECK_EQ(alerts((const char *[]){ "from=2", "to=1", NULL }, &ap, &bad), -1);
	CHECK_STR(bad, "to");
}

static void test_names(void)
{
	char name[256];
	uint64_t limit;
	const char *bad, *why;
	const struct http_args a = { lookup, (void *)(const char *[]){ "name=WWW.Example.com", NULL } };
	CHECK_EQ(http_parse_names_params(&a, name, &limit, &bad, &why), 0);
	CHECK_STR(name, "www.example.com");
	CHECK_EQ(limit, 100);

	const struct http_args none = { lookup, (void *)(const char *[]){ "limit=5", NULL } };
	CHECK_EQ(http_parse_names_params(&none, name, &limit, &bad, &why), -1);
	CHECK_STR(bad, "name");

	char long_name[300] = "name=";
	memset(long_name + 5, 'a', 254);
	const struct http_args too_long = { lookup, (void *)(const char *[]){ long_name, NULL } };
	CHECK_EQ(http_parse_names_params(&too_long, name, &limit, &bad, &why), -1);
	CHECK_STR(bad, "name");

	const struct http_args lim = { lookup, (void *)(const char *[]){ "name=x", "limit=1001", NULL } };
	CHECK_EQ(http_parse_names_params(&lim, name, &limit, &bad, &why), -1);
	CHECK_STR(bad, "limit");
}

int main(void)
{
	test_alerts();
	test_names();
	return check_report("http_args");
}
