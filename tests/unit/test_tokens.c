/* test_tokens.c — the bearer token file and the constant-time check. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "tokens.h"

static int parse(struct tokens *tk, const char *text, char *err)
{
	err[0] = '\0';
	return tokens_parse(tk, text, strlen(text), err);
}

static enum access chk(const struct tokens *tk, const char *t)
{
	return tokens_check(tk, t, strlen(t));
}

static void test_parse_and_check(void)
{
	struct tokens tk;
	char err[TOKENS_ERR_MAX];
	CHECK_EQ(parse(&tk, "# tokens\n\nread  reader-token-0123456789\n"
			    "\tadmin admin-token-0123456789  \r\n# end", err), 0);
	CHECK_EQ(tk.n, 2);
	CHECK_EQ(chk(&tk, "reader-token-0123456789"), ACCESS_READ);
	CHECK_EQ(chk(&tk, "admin-token-0123456789"), ACCESS_ADMIN);
	/* near misses: a byte off, a prefix, a longer one, empty, case */
	CHECK_EQ(chk(&tk, "reader-token-0123456788"), ACCESS_NONE);
	CHECK_EQ(chk(&tk, "reader-token-012345678"), ACCESS_NONE);
	CHECK_EQ(chk(&tk, "reader-token-01234567890"), ACCESS_NONE);
	CHECK_EQ(chk(&tk, ""), ACCESS_NONE);
	CHECK_EQ(chk(&tk, "READER-TOKEN-0123456789"), ACCESS_NONE);
	/* longer than any token can be: refused, not read past */
	char big[600];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CHECK_EQ(chk(&tk, big), ACCESS_NONE);
	/* the same token twice at two levels: the higher wins */
	CHECK_EQ(parse(&tk, "read same-token-0123456789\nadmin same-token-0123456789\n", err), 0);
	CHECK_EQ(chk(&tk, "same-token-0123456789"), ACCESS_ADMIN);
}

static void test_bad_files(void)
{
	struct tokens tk;
	char err[TOKENS_ERR_MAX];
	CHECK_EQ(parse(&tk, "", err), -1);
	CHECK(strstr(err, "no tokens") != NULL);
	CHECK_EQ(parse(&tk, "# only a comment\n", err), -1);
	CHECK_EQ(parse(&tk, "write token-0123456789abc\n", err), -1);
	CHECK(strstr(err, "line 1") != NULL);
	CHECK_EQ(parse(&tk, "read ok-token-0123456789\nread short\n", err), -1);
	CHECK(strstr(err, "line 2") != NULL);
	CHECK_EQ(parse(&tk, "read two words-0123456789\n", err), -1);
	CHECK_EQ(parse(&tk, "read\n", err), -1);
	CHECK_EQ(parse(&tk, "read tok\"en-0123456789abc\n", err), -1);
	CHECK_EQ(parse(&tk, "admin\xff-token-0123456789\n", err), -1);
	char many[8192] = "";
	for (int i = 0; i <= TOKENS_MAX; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "read token-%04d-0123456789\n", i);
	CHECK_EQ(parse(&tk, many, err), -1);
	CHECK(strstr(err, "more than") != NULL);
	char err2[TOKENS_ERR_MAX];
	CHECK_EQ(tokens_load(&tk, "/nonexistent/tokens", err2), -1);
	CHECK(strstr(err2, "/nonexistent/tokens") != NULL);
}

int main(void)
{
	test_parse_and_check();
	test_bad_files();
	return check_report("tokens");
}
