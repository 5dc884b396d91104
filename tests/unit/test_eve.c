/* test_eve.c — DNS answers, the alert's via fields and encrypted_dns in the
 * JSON events, and the answers' share of a line kept bounded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "eve.h"
#include "json.h"

static char line[16384];

static struct packet pkt = {
	.ts_ns = 1700000000000000000ull, .family = 4, .proto = 17,
	.src = { 198, 18, 0, 1 }, .dst = { 198, 18, 0, 2 }, .sport = 53, .dport = 40000,
};
static struct dns_header hdr = { .id = 7, .response = true, .ancount = 4 };
static struct dns_question q = {
	.name = "www.example.com", .name_len = 15, .qtype = 1, .qclass = 1,
};
static struct dns_answers ans;

static struct dns_answer *add(const char *owner, uint16_t type, enum dns_rdata rd,
			      const char *target)
{
	struct dns_answer *a = &ans.a[ans.n++];

	memset(a, 0, sizeof *a);
	snprintf(a->name, sizeof a->name, "%s", owner);
	a->name_len = strlen(owner);
	a->type = type;
	a->rclass = 1;
	a->ttl = 300;
	a->rdata = rd;
	snprintf(a->target, sizeof a->target, "%s", target ? target : "");
	a->target_len = target ? strlen(target) : 0;
	return a;
}

static bool has(const char *s)
{
	if (strstr(line, s))
		return true;
	fprintf(stderr, "missing %s in %s\n", s, line);
	return false;
}

static size_t name_event(const struct sighting *s)
{
	return eve_format_name(s, line, sizeof line);
}

static void test_answers(void)
{
	static const uint8_t alpn[] = { 2, 'h', '2', 2, 'h', '3' };
	static const uint8_t v4[] = { 198, 18, 0, 78 };
	struct sighting s = {
		.kind = NAME_DNS, .pkt = &pkt, .dir = 1, .name = q.name, .len = q.name_len,
		.dns = &hdr, .q = &q, .answers = &ans,
	};
	struct dns_answer *a;

	memset(&ans, 0, sizeof ans);
	ans.h = hdr;
	add("www.example.com", 5, DNS_RDATA_NAME, "edge.example.net");
	a = add("edge.example.net", 1, DNS_RDATA_ADDR4, NULL);
	memcpy(a->addr, "\xc6\x12\x00\x09", 4);
	a = add("svc.example.net", 65, DNS_RDATA_SVCB, NULL);	/* target "." */
	a->svcb.priority = 1;
	a->svcb.alpn = alpn;
	a->svcb.alpn_len = sizeof alpn;
	a->svcb.ipv4hint = v4;
	a->svcb.ipv4hint_len = 4;
	a->svcb.has_port = true;
	a->svcb.port = 8443;
	a->svcb.ech = true;
	add("odd.example.net", 4242, DNS_RDATA_NONE, NULL);

	size_t n = name_event(&s);
	CHECK(n > 0 && line[n - 1] == '\n');
	CHECK(has("\"rrname\":\"www.example.com\",\"rrtype\":\"A\",\"rcode\":\"NOERROR\",\"answers\":["));
	CHECK(has("{\"rrname\":\"www.example.com\",\"rrtype\":\"CNAME\",\"ttl\":300,"
		  "\"rdata\":\"edge.example.net\"}"));
	CHECK(has("{\"rrname\":\"edge.example.net\",\"rrtype\":\"A\",\"ttl\":300,"
		  "\"rdata\":\"198.18.0.9\"}"));
	CHECK(has("\"rrtype\":\"HTTPS\",\"ttl\":300,\"rdata\":\".\",\"svcb\":{\"priority\":1,"
		  "\"alpn\":[\"h2\",\"h3\"],\"port\":8443,\"ipv4hint\":[\"198.18.0.78\"],\"ech\":true}}"));
	CHECK(has("{\"rrname\":\"odd.example.net\",\"rrtype\":\"TYPE4242\",\"ttl\":300}]}}"));
	CHECK(!strstr(line, "answers_incomplete"));

	/* Records the parser left out are flagged. */
	ans.capped = 3;
	name_event(&s);
	CHECK(has("}],\"answers_incomplete\":true}}"));
	ans.capped = 0;
	ans.result = PARSE_TRUNCATED;
	name_event(&s);
	CHECK(has("\"answers_incomplete\":true"));
	ans.result = PARSE_OK;

	/* A query without answers: no key at all.  No question: no rrname. */
	ans.n = 0;
	name_event(&s);
	CHECK(!strstr(line, "answers"));
	add("host.local", 1, DNS_RDATA_ADDR4, NULL);
	s.q = NULL;
	s.name = "";
	s.len = 0;
	name_event(&s);
	CHECK(!strstr(line, "rrname\":\"\""));
	CHECK(has("\"dns\":{\"type\":\"answer\",\"id\":7,\"rcode\":\"NOERROR\","
		  "\"answers\":[{\"rrname\":\"host.local\""));
}

/* 32 CNAMEs of 253 control bytes (each escaped to 6): the answers stop at
 * their budget, the line stays whole. */
static void test_budget(void)
{
	char junk[254];
	struct sighting s = {
		.kind = NAME_DNS, .pkt = &pkt, .dir = 1, .name = q.name, .len = q.name_len,
		.dns = &hdr, .q = &q, .answers = &ans,
	};
	memset(junk, 1, 253);
	junk[253] = '\0';
	memset(&ans, 0, sizeof ans);
	for (int i = 0; i < DNS_MAX_ANSWERS; i++)
		add(junk, 5, DNS_RDATA_NAME, junk);
	size_t n = name_event(&s);
	CHECK(n > 0 && n < 4096 + 1024);
	CHECK(has("}],\"answers_incomplete\":true}}\n"));

	/* In a small buffer the answers give way to the rest of the line. */
	n = eve_format_name(&s, line, 2048);
	CHECK(n > 0 && n < 2048);
	CHECK(has("\"answers_incomplete\":true}}\n"));
}

static void test_alert_via(void)
{
	struct rule r = { .id = 5, .name = "C2", .category = "Known C2 domain", .severity = SEV_HIGH,
			  .source = "x.yaml" };
	struct match_hit hit = { 0, "backuprabbit.com", 16 };
	struct sighting s = {
		.kind = NAME_DNS, .pkt = &pkt, .dir = 1, .name = "static.backuprabbit.com", .len = 23,
		.dns = &hdr, .q = &q, .answers = &ans, .via = VIA_CNAME,
		.via_owner = "edge.example.net", .via_owner_len = 16,
	};
	memset(&ans, 0, sizeof ans);
	add("www.example.com", 5, DNS_RDATA_NAME, "edge.example.net");
	add("edge.example.net", 5, DNS_RDATA_NAME, "static.backuprabbit.com");
	CHECK(eve_format_alert(&s, &r, &hit, 1, line, sizeof line) > 0);
	CHECK(has("\"matched\":\"backuprabbit.com\",\"source\":\"x.yaml\",\"via\":\"cname\","
		  "\"target\":\"static.backuprabbit.com\",\"target_of\":\"edge.example.net\"}"));
	CHECK(has("\"dns\":{\"type\":\"answer\",\"id\":7,\"rrname\":\"www.example.com\""));
	s.via = VIA_SVCB;
	eve_format_alert(&s, &r, &hit, 2, line, sizeof line);
	CHECK(has("\"via\":\"svcb\""));
	s.via = VIA_QUESTION;
	eve_format_alert(&s, &r, &hit, 3, line, sizeof line);
	CHECK(!strstr(line, "\"via\""));
}

static void test_encrypted_dns(void)
{
	struct packet tp = pkt;
	struct sighting s = {
		.kind = NAME_TLS, .pkt = &tp, .name = "dns.google", .len = 10, .tls_version = 0x0303,
		.encrypted_dns = "dot",
	};
	tp.proto = 6;
	eve_format_name(&s, line, sizeof line);
	CHECK(has("\"tls\":{\"sni\":\"dns.google\",\"version\":\"TLS 1.2\",\"encrypted_dns\":\"dot\"}"));
	s.encrypted_dns = NULL;
	eve_format_name(&s, line, sizeof line);
	CHECK(!strstr(line, "encrypted_dns"));
}

static void test_mark(void)
{
	char b[64];
	struct jbuf j;

	jb_init(&j, b, sizeof b);
	jb_arr_open(&j);
	jb_vstr(&j, "a");
	struct jb_mark m = jb_mark(&j);
	jb_vstr(&j, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	CHECK(j.overflow);
	jb_rewind(&j, m);
	CHECK(!j.overflow);
	jb_vstr(&j, "c");
	jb_arr_close(&j);
	CHECK_STR(b, "[\"a\",\"c\"]");
}

int main(void)
{
	test_answers();
	test_budget();
	test_alert_via();
	test_encrypted_dns();
	test_mark();
	return check_report("eve");
}
