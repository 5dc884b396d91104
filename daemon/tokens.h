/* tokens.h — the HTTP API's bearer tokens (RFC 6750), read from a file:
 *
 *     # comment
 *     read  TOKEN      GET endpoints
 *     admin TOKEN      everything (GET too; future POST endpoints)
 *
 * A presented token is compared with every token held, each over the same
 * fixed length, so that the time taken says nothing about how much of a
 * token matched or which one did. */
#ifndef C2W_TOKENS_H
#define C2W_TOKENS_H

#include <stddef.h>

#define TOKENS_MAX 64            /* tokens per file */
#define TOKEN_MIN_LEN 16         /* shorter tokens are refused: guessable */
#define TOKEN_MAX_LEN 256
#define TOKENS_ERR_MAX 512

enum access { ACCESS_NONE = 0, ACCESS_READ = 1, ACCESS_ADMIN = 2 };

struct tokens {
	size_t n;
	struct {
		enum access level;
		size_t len;
		char text[TOKEN_MAX_LEN];   /* zero-padded */
	} t[TOKENS_MAX];
};

/* Parse a token file's text (len bytes).  -1 with err "LINE: what" when a
 * line is not "read TOKEN" / "admin TOKEN", a comment or blank. */
int tokens_parse(struct tokens *tk, const char *text, size_t len, char err[TOKENS_ERR_MAX]);

/* Read and parse a file; err names it. */
int tokens_load(struct tokens *tk, const char *path, char err[TOKENS_ERR_MAX]);

/* The access a presented token grants (ACCESS_NONE: none matches), in
 * time that depends only on its length and on how many tokens are held. */
enum access tokens_check(const struct tokens *tk, const char *presented, size_t len);

#endif
