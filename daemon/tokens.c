/* tokens.c — bearer token file and the constant-time check. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tokens.h"

#define TOKENS_FILE_MAX (64 * 1024)

/* RFC 6750 §2.1 b64token: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/",
 * then "=" padding. */
static bool token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int tokens_parse(struct tokens *tk, const char *text, size_t len, char err[TOKENS_ERR_MAX])
{
	memset(tk, 0, sizeof *tk);
	size_t pos = 0;
	for (unsigned line = 1; pos < len; line++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, i = pos;
		pos = end + 1;
		while (i < end && blank(text[i]))
			i++;
		if (i == end || text[i] == '#')
			continue;
		size_t w0 = i;
		while (i < end && !blank(text[i]))
			i++;
		size_t wlen = i - w0;
		enum access level = ACCESS_NONE;
		if (wlen == 4 && memcmp(text + w0, "read", 4) == 0)
			level = ACCESS_READ;
		else if (wlen == 5 && memcmp(text + w0, "admin", 5) == 0)
			level = ACCESS_ADMIN;
		if (level == ACCESS_NONE) {
			snprintf(err, TOKENS_ERR_MAX, "line %u: expected 'read TOKEN' or 'admin TOKEN'", line);
			return -1;
		}
		while (i < end && blank(text[i]))
			i++;
		size_t t0 = i;
		while (i < end && token_char(text[i]))
			i++;
		size_t tlen = i - t0;
		while (i < end && blank(text[i]))
			i++;
		if (i != end || tlen == 0) {
			snprintf(err, TOKENS_ERR_MAX, "line %u: a token is one word of letters, digits "
				 "and -._~+/= (RFC 6750 section 2.1)", line);
			return -1;
		}
		if (tlen < TOKEN_MIN_LEN || tlen >= TOKEN_MAX_LEN) {
			snprintf(err, TOKENS_ERR_MAX, "line %u: a token must be %d to %d characters long",
				 line, TOKEN_MIN_LEN, TOKEN_MAX_LEN - 1);
			return -1;
		}
		if (tk->n == TOKENS_MAX) {
			snprintf(err, TOKENS_ERR_MAX, "line %u: more than %d tokens", line, TOKENS_MAX);
			return -1;
		}
		tk->t[tk->n].level = level;
		tk->t[tk->n].len = tlen;
		memcpy(tk->t[tk->n].text, text + t0, tlen);
		tk->n++;
	}
	if (tk->n == 0) {
		snprintf(err, TOKENS_ERR_MAX, "no tokens in the file");
		return -1;
	}
	return 0;
}

int tokens_load(struct tokens *tk, const char *path, char err[TOKENS_ERR_MAX])
{
	static char buf[TOKENS_FILE_MAX + 1];
	char why[TOKENS_ERR_MAX];
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, TOKENS_ERR_MAX, "token file '%s': %s", path, strerror(errno));
		return -1;
	}
	size_t n = fread(buf, 1, sizeof buf, f);
	bool bad = ferror(f);
	fclose(f);
	if (bad || n > TOKENS_FILE_MAX) {
		snprintf(err, TOKENS_ERR_MAX, "token file '%s': %s", path,
			 bad ? "read error" : "larger than 64 KiB");
		return -1;
	}
	int rc = tokens_parse(tk, buf, n, why);
	memset(buf, 0, sizeof buf);      /* no secrets left lying about */
	if (rc < 0)
		snprintf(err, TOKENS_ERR_MAX, "token file '%.200s': %.280s", path, why);
	return rc;
}

enum access tokens_check(const struct tokens *tk, const char *presented, size_t len)
{
	/* Every byte of every token is looked at, whatever matches: the
	 * differences are OR-ed together, and the best level is kept without a
	 * branch on secret data. */
	unsigned best = ACCESS_NONE;
	bool fits = len > 0 && len < TOKEN_MAX_LEN;
	for (size_t k = 0; k < tk->n; k++) {
		volatile unsigned diff = (unsigned)(tk->t[k].len ^ len);
		for (size_t i = 0; i < TOKEN_MAX_LEN; i++) {
			unsigned char p = fits && i < len ? (unsigned char)presented[i] : 0;
			diff |= (unsigned)(p ^ (unsigned char)tk->t[k].text[i]);
		}
		/* mask: all ones when diff == 0 */
		unsigned mask = ((diff | (0u - diff)) >> (sizeof(unsigned) * 8 - 1)) - 1u;
		unsigned lv = (unsigned)tk->t[k].level & mask;
		best = lv > best ? lv : best;
	}
	return fits ? (enum access)best : ACCESS_NONE;
}
