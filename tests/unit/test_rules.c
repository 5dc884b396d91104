/* test_rules.c — rule files, list files (comments, hosts lines, CRLF, gzip),
 * directories, -L lists, the built-in rules, and every error's position.
 * Run from the repository root: fixtures are in tests/data/rules/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "check.h"
#include "rules.h"

#define D "tests/data/rules/"

static char tmp[] = "/tmp/c2w-rules-XXXXXX";

static struct ruleset *load(const char *rule, const char *list, char *err)
{
	char *r[1] = { (char *)rule }, *l[1] = { (char *)list };

	return rules_load(r, rule ? 1 : 0, l, list ? 1 : 0, err);
}

/* The whole message when want ends in a full stop of its own, else a prefix. */
static void expect_err(const char *rule, const char *list, const char *want)
{
	char err[RULES_ERR_MAX];
	struct ruleset *rs = load(rule, list, err);

	CHECK(rs == NULL);
	rules_free(rs);
	if (strncmp(err, want, strlen(want)) == 0) {
		check_passed++;
	} else {
		check_failed++;
		fprintf(stderr, "%s: error\n  want \"%s...\"\n  got  \"%s\"\n", rule ? rule : list, want, err);
	}
}

/* The id of the first rule name matches, 0 for none. */
static uint32_t first_id(const struct ruleset *rs, const char *name)
{
	struct match_hit h[4];

	if (matcher_lookup(rs->matcher, name, strlen(name), h, 4) == 0)
		return 0;
	return rs->rules[h[0].rule].id;
}

static size_t nhits(const struct ruleset *rs, const char *name)
{
	struct match_hit h[4];

	return matcher_lookup(rs->matcher, name, strlen(name), h, 4);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static void write_gz(const char *path, const char *text)
{
	gzFile gz = gzopen(path, "wb");

	if (!gz) {
		perror(path);
		exit(1);
	}
	gzputs(gz, text);
	gzclose(gz);
}

static void test_valid(void)
{
	char err[RULES_ERR_MAX];
	struct ruleset *rs = load(D "valid.yaml", NULL, err);
	struct match_hit h[4];

	CHECK(rs != NULL);
	if (!rs) {
		fprintf(stderr, "valid.yaml: %s\n", err);
		return;
	}
	CHECK_STR(err, "");
	CHECK_EQ(rs->nrules, 3);
	CHECK(rs->load_seconds >= 0 && rs->load_seconds < 10);

	CHECK_EQ(rs->rules[0].id, 101);
	CHECK_STR(rs->rules[0].name, "Inline test rule");
	CHECK_EQ(rs->rules[0].severity, SEV_HIGH);
	CHECK_STR(rs->rules[0].category, "Test C2");
	CHECK_STR(rs->rules[0].description, "Domains given inline.");
	CHECK_EQ(rs->rules[0].nreferences, 2);
	CHECK_STR(rs->rules[0].references[1], "https://example.org/b");
	CHECK_EQ(rs->rules[0].nlists, 0);
	CHECK_STR(rs->rules[0].source, D "valid.yaml");
	CHECK_EQ(rs->rules[0].ndomains, 4);	/* evil.com given twice */

	CHECK_EQ(rs->rules[1].id, 102);
	CHECK_STR(rs->rules[1].name, "List rule");
	CHECK_EQ(rs->rules[1].severity, SEV_LOW);
	CHECK_STR(rs->rules[1].category, "Known C2 domain");
	CHECK_STR(rs->rules[1].description, "");
	CHECK_EQ(rs->rules[1].nreferences, 0);
	CHECK_EQ(rs->rules[1].nlists, 1);
	CHECK_STR(rs->rules[1].lists[0], D "lists/basic.txt");
	CHECK_EQ(rs->rules[1].ndomains, 6);

	CHECK_EQ(rs->rules[2].id, 4294967295u);
	CHECK_EQ(rs->rules[2].severity, SEV_MEDIUM);
	CHECK_EQ(rs->rules[2].ndomains, 5);
	CHECK_EQ(matcher_entries(rs->matcher), 15);

	CHECK_EQ(first_id(rs, "evil.com"), 101);
	CHECK_EQ(nhits(rs, "www.EVIL.com"), 2);
	CHECK_EQ(matcher_lookup(rs->matcher, "a.sub.evil.com", 14, h, 4), 2);
	CHECK_EQ(rs->rules[h[0].rule].id, 101);
	CHECK_STR(h[0].entry, "sub.evil.com");
	CHECK_EQ(rs->rules[h[1].rule].id, 4294967295u);
	CHECK_STR(h[1].entry, "evil.com");
	CHECK_EQ(first_id(rs, "x.wild.net"), 101);
	CHECK_EQ(first_id(rs, "dot.org"), 101);

	/* basic.txt: comments, blanks, case, trailing dot, "*." and "." */
	CHECK_EQ(first_id(rs, "alpha.com"), 102);
	CHECK_EQ(first_id(rs, "beta.net"), 102);
	CHECK_EQ(first_id(rs, "a.gamma.org"), 102);
	CHECK_EQ(first_id(rs, "delta.io"), 102);
	CHECK_EQ(first_id(rs, "tabbed.example"), 102);
	CHECK_EQ(first_id(rs, "under_score-ok.xyz"), 102);
	CHECK_EQ(first_id(rs, "comment"), 0);

	/* hosts.txt: names after the address, the usual local names skipped */
	CHECK_EQ(first_id(rs, "ads.example.com"), 4294967295u);
	CHECK_EQ(first_id(rs, "tracker.example.net"), 4294967295u);
	CHECK_EQ(first_id(rs, "other.example.net"), 4294967295u);
	CHECK_EQ(first_id(rs, "v6.example.org"), 4294967295u);
	CHECK_EQ(first_id(rs, "localhost"), 0);
	CHECK_EQ(first_id(rs, "ip6-localhost"), 0);
	CHECK_EQ(first_id(rs, "local"), 0);
	CHECK_EQ(first_id(rs, "127.0.0.1"), 0);
	CHECK_EQ(first_id(rs, "0.0.0.0"), 0);
	rules_free(rs);
}

static void test_errors(void)
{
	expect_err(D "err_unknown_key.yaml", NULL, D "err_unknown_key.yaml:4:5: unknown key 'sevrity' in rule "
		   "(expected one of: id, name, severity, category, description, references, domains, lists, throttle)");
	expect_err(D "err_id.yaml", NULL, D "err_id.yaml:2:9: 'id' must be an integer from 1 to 4294967295");
	expect_err(D "err_id_type.yaml", NULL, D "err_id_type.yaml:2:9: 'id' must be an integer from 1 to 4294967295");
	expect_err(D "err_missing_name.yaml", NULL, D "err_missing_name.yaml:2:5: missing required key 'name' in rule");
	expect_err(D "err_dup_id.yaml", NULL, D "err_dup_id.yaml:6:19: duplicate rule id 5 "
		   "(first defined at " D "err_dup_id.yaml:2:9)");
	expect_err(D "err_dup_key.yaml", NULL, D "err_dup_key.yaml:5:5: duplicate key 'name' in rule");
	expect_err(D "err_syntax.yaml", NULL, D "err_syntax.yaml:5:1: found unexpected end of stream "
		   "(while scanning a quoted scalar at line 3)");
	expect_err(D "err_syntax2.yaml", NULL, D "err_syntax2.yaml:4:4: did not find expected '-' indicator "
		   "(while parsing a block collection at line 2)");
	expect_err(D "err_not_list.yaml", NULL, D "err_not_list.yaml:4:14: expected a list for 'domains'");
	expect_err(D "err_no_domains.yaml", NULL, D "err_no_domains.yaml:2:5: rule 1 has no domains");
	expect_err(D "err_bad_domain.yaml", NULL, D "err_bad_domain.yaml:7:17: invalid domain 'quoted..example': empty label");
	expect_err(D "err_bad_domain2.yaml", NULL, D "err_bad_domain2.yaml:4:29: invalid domain 'ex ample.com': invalid character");
	expect_err(D "err_list_missing.yaml", NULL, D "err_list_missing.yaml:6:9: cannot open list 'lists/nope.txt': "
		   "No such file or directory");
	expect_err(D "err_list_bad.yaml", NULL, D "lists/bad.txt:4:25: invalid domain 'bad!name.example': invalid character");
	expect_err(D "err_list_extra.yaml", NULL, D "lists/extra.txt:2:12: unexpected text after the domain");
	expect_err(D "err_top.yaml", NULL, D "err_top.yaml:1:1: expected a mapping with 'rules' at top level");
	expect_err(D "err_top_key.yaml", NULL, D "err_top_key.yaml:2:1: unknown key 'version' at top level (expected one of: rules)");
	expect_err(D "err_severity.yaml", NULL, D "err_severity.yaml:4:15: 'severity' must be one of high, medium, low, info");
	expect_err(D "err_rule_not_map.yaml", NULL, D "err_rule_not_map.yaml:2:5: expected a mapping for each rule");
	expect_err(D "err_rules_not_list.yaml", NULL, D "err_rules_not_list.yaml:2:3: expected a list for 'rules'");
	expect_err(D "err_two_docs.yaml", NULL, D "err_two_docs.yaml:3:1: only one YAML document is allowed");
	expect_err(D "err_name_type.yaml", NULL, D "err_name_type.yaml:3:11: 'name' must be a non-empty string");
	expect_err(D "err_empty.yaml", NULL, D "err_empty.yaml: empty rule file");
	expect_err(D "nope.yaml", NULL, "cannot open rule file '" D "nope.yaml': No such file or directory");
	expect_err(NULL, D "lists/nope.txt", "cannot open list '" D "lists/nope.txt': No such file or directory");
	expect_err(D "emptydir", NULL, D "emptydir: no *.yaml or *.yml rule files in directory");
}

/* throttle: a rule's own alert dedup window, or off. */
static void test_throttle(void)
{
	char err[RULES_ERR_MAX];
	struct ruleset *rs = load(D "throttle.yaml", NULL, err);

	CHECK(rs != NULL);
	if (rs) {
		CHECK_EQ(rs->nrules, 4);
		CHECK_EQ(rs->rules[0].throttle_s, 300);
		CHECK_EQ(rs->rules[1].throttle_s, -1);
		CHECK_EQ(rs->rules[2].throttle_s, 0);
		CHECK_EQ(rs->rules[3].throttle_s, -1);
		rules_free(rs);
	}
	expect_err(D "err_throttle.yaml", NULL, D "err_throttle.yaml:4:15: 'throttle' must be off or a duration up to 24h");
}

static void test_dirs(void)
{
	char err[RULES_ERR_MAX];
	char *two[2] = { D "dir", D "dir/10-first.yaml" };
	struct ruleset *rs = load(D "dir", NULL, err);

	CHECK(rs != NULL);
	if (rs) {
		CHECK_EQ(rs->nrules, 4);
		CHECK_EQ(rs->rules[0].id, 10);
		CHECK_EQ(rs->rules[1].id, 11);
		CHECK_EQ(rs->rules[2].id, 20);
		CHECK_EQ(rs->rules[3].id, 30);
		CHECK_STR(rs->rules[0].source, D "dir/10-first.yaml");
		CHECK_STR(rs->rules[3].source, D "dir/30-third.yml");
		CHECK_EQ(first_id(rs, "www.second.example"), 20);
	}
	rules_free(rs);

	rs = load(D "dir/", NULL, err);
	CHECK(rs != NULL);
	if (rs)
		CHECK_STR(rs->rules[2].source, D "dir/20-second.yaml");
	rules_free(rs);

	expect_err(D "dupdir", NULL, D "dupdir/b.yaml:3:9: duplicate rule id 7 (first defined at " D "dupdir/a.yaml:5:9)");
	rs = rules_load(two, 2, NULL, 0, err);
	CHECK(rs == NULL);
	CHECK_STR(err, D "dir/10-first.yaml:2:9: duplicate rule id 10 (first defined at " D "dir/10-first.yaml:2:9)");
	rules_free(rs);

	rs = load(D "no_rules.yaml", NULL, err);
	CHECK(rs != NULL);
	if (rs)
		CHECK_EQ(rs->nrules, 0);
	rules_free(rs);
	rules_free(NULL);
}

/* List files written at run time: CRLF, gzip, no final newline, long lines. */
static void test_lists(void)
{
	char err[RULES_ERR_MAX], crlf[64], gz[64], yaml[64], bad[64], big[64], trunc[64], want[512];
	char *lists[3] = { crlf, gz, D "lists/basic.txt" }, *one[1] = { yaml };
	struct ruleset *rs;
	FILE *f;

	snprintf(crlf, sizeof crlf, "%s/crlf.txt", tmp);
	snprintf(gz, sizeof gz, "%s/feed.txt.gz", tmp);
	snprintf(yaml, sizeof yaml, "%s/rules.yaml", tmp);
	write_file(crlf, "one.example\r\ntwo.example # c\r\n\r\n# x\r\n0.0.0.0 three.example\r\nfour.example");
	write_gz(gz, "# gzip\ngz1.example\n\n0.0.0.0 gz2.example   \n*.gz3.example\n");

	rs = rules_load(NULL, 0, lists, 3, err);
	CHECK(rs != NULL);
	if (rs) {
		CHECK_EQ(rs->nrules, 3);
		CHECK_EQ(rs->rules[0].id, 9000001);
		CHECK_EQ(rs->rules[1].id, 9000002);
		CHECK_EQ(rs->rules[2].id, 9000003);
		CHECK_STR(rs->rules[0].name, "crlf");
		CHECK_STR(rs->rules[1].name, "feed");
		CHECK_STR(rs->rules[2].name, "basic");
		CHECK_STR(rs->rules[1].source, gz);
		CHECK_STR(rs->rules[1].lists[0], gz);
		CHECK_EQ(rs->rules[1].nlists, 1);
		CHECK_EQ(rs->rules[1].severity, SEV_MEDIUM);
		CHECK_STR(rs->rules[1].category, "Known C2 domain");
		CHECK_EQ(rs->rules[0].ndomains, 4);
		CHECK_EQ(rs->rules[1].ndomains, 3);
		CHECK_EQ(rs->rules[2].ndomains, 6);
		CHECK_EQ(first_id(rs, "four.example"), 9000001);
		CHECK_EQ(first_id(rs, "three.example"), 9000001);
		CHECK_EQ(first_id(rs, "a.gz3.example"), 9000002);
		CHECK_EQ(first_id(rs, "gz2.example"), 9000002);
	}
	rules_free(rs);

	/* a rule file naming a gzip list relative to itself */
	write_file(yaml, "rules:\n  - id: 9000001\n    name: gz\n    lists: [feed.txt.gz]\n");
	rs = rules_load(one, 1, NULL, 0, err);
	CHECK(rs != NULL);
	if (rs)
		CHECK_EQ(first_id(rs, "gz1.example"), 9000001);
	rules_free(rs);

	/* ... whose id a -L list then wants */
	snprintf(want, sizeof want, "%s: rule id 9000001 for this list is already used (first defined at %s:2:9)",
		 crlf, yaml);
	rs = rules_load(one, 1, lists, 1, err);
	CHECK(rs == NULL);
	CHECK_STR(err, want);

	/* a bad name after CRLF lines, column counted in the line */
	snprintf(bad, sizeof bad, "%s/bad.txt", tmp);
	write_file(bad, "ok.example\r\n\r\n  *.fine.example\r\n  *.x_y.ex%ample\r\n");
	snprintf(want, sizeof want, "%s:4:11: invalid domain '*.x_y.ex%%ample': invalid character", bad);
	expect_err(NULL, bad, want);
	write_gz(bad, "ok.example\n" "0.0.0.0 a.example " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example\n");
	snprintf(want, sizeof want, "%s:2:82: invalid domain 'aaaa", bad);
	expect_err(NULL, bad, want);

	/* a byte order mark; an address with no name; comments only */
	write_file(bad, "\xef\xbb\xbf" "bom.example\n");
	rs = load(NULL, bad, err);
	CHECK(rs != NULL);
	if (rs)
		CHECK_EQ(first_id(rs, "bom.example"), 9000001);
	rules_free(rs);
	write_file(bad, "a.example\n  192.0.2.1   # an IP feed?\n");
	snprintf(want, sizeof want, "%s:2:3: address without a name", bad);
	expect_err(NULL, bad, want);
	write_file(bad, "# nothing yet\n\n");
	rs = load(NULL, bad, err);
	CHECK(rs != NULL);
	if (rs)
		CHECK_EQ(rs->rules[0].ndomains, 0);
	rules_free(rs);

	/* a long line beyond the first read block, and one at the end */
	snprintf(big, sizeof big, "%s/big.txt", tmp);
	f = fopen(big, "w");
	for (int i = 0; i < 30000; i++)
		fprintf(f, "n%05d.example\n", i);
	for (int i = 0; i < 5000; i++)
		fputc('a', f);
	fputc('\n', f);
	fclose(f);
	snprintf(want, sizeof want, "%s:30001:4097: line longer than 4096 characters", big);
	expect_err(NULL, big, want);
	f = fopen(big, "w");
	fputs("a.example\n", f);
	for (int i = 0; i < 4097; i++)
		fputc('b', f);
	fclose(f);
	snprintf(want, sizeof want, "%s:2:4097: line longer than 4096 characters", big);
	expect_err(NULL, big, want);

	/* a gzip file cut short */
	snprintf(trunc, sizeof trunc, "%s/cut.gz", tmp);
	f = fopen(big, "w");
	for (int i = 0; i < 4000; i++)
		fprintf(f, "n%05d.example\n", i);
	fclose(f);
	{
		gzFile g = gzopen(trunc, "wb");
		FILE *in = fopen(big, "r");
		char line[64];

		while (fgets(line, sizeof line, in))
			gzputs(g, line);
		fclose(in);
		gzclose(g);
		CHECK_EQ(truncate(trunc, 2000), 0);
	}
	snprintf(want, sizeof want, "cannot read list '%s': ", trunc);
	expect_err(NULL, trunc, want);

	unlink(crlf);
	unlink(gz);
	unlink(yaml);
	unlink(bad);
	unlink(big);
	unlink(trunc);
}

static void test_embedded(void)
{
	char err[RULES_ERR_MAX];
	struct ruleset *rs = rules_load_embedded(err);

	CHECK(rs != NULL);
	if (!rs) {
		fprintf(stderr, "embedded: %s\n", err);
		return;
	}
	CHECK_EQ(rs->nrules, 2);
	CHECK_EQ(matcher_entries(rs->matcher), 75);
	CHECK_EQ(rs->rules[0].id, 2023060101);
	CHECK_EQ(rs->rules[0].severity, SEV_HIGH);
	CHECK_EQ(rs->rules[0].ndomains, 15);
	CHECK_EQ(rs->rules[0].nreferences, 3);
	CHECK_STR(rs->rules[0].name, "Operation Triangulation C2 domain (Kaspersky)");
	CHECK_STR(rs->rules[0].source, "<embedded>/triangulation.yaml");
	CHECK_STR(rs->rules[0].references[0], "https://securelist.com/operation-triangulation/109842/");
	CHECK_EQ(rs->rules[1].id, 2023061901);
	CHECK_EQ(rs->rules[1].severity, SEV_MEDIUM);
	CHECK_EQ(rs->rules[1].ndomains, 60);
	CHECK_STR(rs->rules[1].name, "Operation Triangulation C2 domain (pivoting, medium confidence)");
	CHECK_EQ(first_id(rs, "backuprabbit.com"), 2023060101);
	CHECK_EQ(first_id(rs, "api.ANS7TV.net."), 2023060101);
	CHECK_EQ(first_id(rs, "tenvmms.cloud"), 2023061901);
	CHECK_EQ(first_id(rs, "yuxbaozh1.com"), 2023061901);
	CHECK_EQ(first_id(rs, "xanstv.net"), 0);
	CHECK_EQ(first_id(rs, "anstv.net.example.com"), 0);
	CHECK_STR(severity_name(rs->rules[0].severity), "high");
	CHECK_STR(severity_name(SEV_MEDIUM), "medium");
	CHECK_STR(severity_name(SEV_LOW), "low");
	CHECK_STR(severity_name(SEV_INFO), "info");
	rules_free(rs);
}

/* A list of a megabyte or more is read on a second thread while the first
 * inserts: the same names, the same errors at the same places, including a
 * bad line after many batches have been handed over. */
static void test_pipelined(void)
{
	char err[RULES_ERR_MAX], path[64], want[256], name[64];
	enum { N = 150000 };
	struct ruleset *rs;
	FILE *f;

	snprintf(path, sizeof path, "%s/pipe.txt", tmp);
	for (int bad_at = 0; bad_at < 4; bad_at++) {
		/* 0: all good; 1, 2, 3: a bad name at the start, middle, end */
		long bad_line = bad_at == 1 ? 2 : bad_at == 2 ? N / 2 : N + 2;
		f = fopen(path, "w");
		fputs("# a big feed\n", f);
		for (long i = 0; i < N; i++) {
			if (i + 2 == bad_line)
				fputs("good.example bad..example\n", f);
			else if (i % 3 == 0)
				fprintf(f, "0.0.0.0 h%ld.example.net\n", i);
			else
				fprintf(f, "%sn%ld.example.org\n", i % 3 == 1 ? "*." : "", i);
		}
		if (bad_at == 3)
			fputs("ok.example\n\tthe..end\n", f);
		fclose(f);
		rs = load(NULL, path, err);
		if (bad_at == 0) {
			CHECK(rs != NULL);
			if (!rs)
				continue;
			CHECK_EQ(rs->rules[0].ndomains, N);
			size_t found = 0;
			for (long i = 0; i < N; i += 997) {
				if (i % 3 == 0)
					snprintf(name, sizeof name, "h%ld.example.net", i);
				else
					snprintf(name, sizeof name, "x.n%ld.example.org", i);
				found += nhits(rs, name) == 1;
			}
			CHECK_EQ(found, (N + 996) / 997);
			CHECK_EQ(nhits(rs, "n0.example.org"), 0);
			CHECK_EQ(nhits(rs, "h1.example.net"), 0);
			rules_free(rs);
			continue;
		}
		CHECK(rs == NULL);
		rules_free(rs);
		if (bad_at == 3)
			snprintf(want, sizeof want, "%s:%d:6: invalid domain 'the..end': empty label",
				 path, N + 3);
		else
			snprintf(want, sizeof want, "%s:%ld:14: unexpected text after the domain",
				 path, bad_line);
		CHECK_STR(err, want);
	}
	unlink(path);
}

int main(void)
{
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	test_valid();
	test_errors();
	test_throttle();
	test_dirs();
	test_lists();
	test_embedded();
	test_pipelined();
	rmdir(tmp);
	return check_report("rules");
}
