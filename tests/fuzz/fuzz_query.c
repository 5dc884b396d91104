/* fuzz_query.c — an HTTP query string ("a=1&b=2") through the API's
 * parameter parsers: split on '&' and '=', %XX and '+' decoded as
 * libmicrohttpd does, then read as GET /api/v1/alerts, /alerts/stream and
 * /names read theirs (http_parse_*). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#include "fuzz.h"

#define MAX_ARGS 32

struct kv {
	char *key[MAX_ARGS];
	char *value[MAX_ARGS];
	size_t n;
};

/* The first value of name, as MHD_lookup_connection_value() gives it. */
static const char *lookup(void *ctx, const char *name)
{
	const struct kv *kv = ctx;
	for (size_t i = 0; i < kv->n; i++)
		if (strcmp(kv->key[i], name) == 0)
			return kv->value[i];
	return NULL;
}

static int hex(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode s in place: '+' is a space, %XX a byte (a NUL ends the string, as
 * it would for the server's C strings). */
static void unescape(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (*s == '+') {
			*o++ = ' ';
		} else if (*s == '%' && hex(s[1]) >= 0 && hex(s[2]) >= 0) {
			*o++ = (char)(hex(s[1]) << 4 | hex(s[2]));
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kv kv = { .n = 0 };
	char *q = malloc(size + 1);
	if (!q)
		return 0;
	memcpy(q, data, size);
	q[size] = '\0';
	for (char *save = NULL, *tok = strtok_r(q, "&", &save); tok && kv.n < MAX_ARGS;
	     tok = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(tok, '=');
		if (eq)
			*eq++ = '\0';
		unescape(tok);
		if (eq)
			unescape(eq);
		kv.key[kv.n] = tok;
		kv.value[kv.n++] = eq;   /* "?key" alone: no value, as MHD has it */
	}

	const struct http_args a = { lookup, &kv };
	struct http_alert_params ap;
	const char *bad, *why;
	char name[256];
	uint64_t limit;
	if (http_parse_alert_params(&a, &ap, &bad, &why) < 0 && (!bad || !why))
		abort();   /* an error must name its parameter and say why */
	memset(&ap, 0, sizeof ap);
	if (http_parse_filters(&a, &ap, &bad, &why) < 0 && (!bad || !why))
		abort();
	if (http_parse_names_params(&a, name, &limit, &bad, &why) == 0 && strlen(name) > 253)
		abort();
	free(q);
	return 0;
}
