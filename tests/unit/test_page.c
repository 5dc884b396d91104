/* test_page.c — the dashboard compiled into the binary, and the CSP hashes
 * that let its inline script and style run (and nothing else). */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "page.h"

static const char *find(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return hay + i;
	return NULL;
}

static size_t count(const char *hay, size_t len, const char *needle)
{
	size_t k = 0;
	for (const char *p = hay; (p = find(p, len - (size_t)(p - hay), needle)); p++)
		k++;
	return k;
}

static int hash(const char *html, const char *open, const char *close, char out[PAGE_HASH_MAX])
{
	return page_inline_hash(html, strlen(html), open, close, out);
}

int main(void)
{
	char h[PAGE_HASH_MAX];

	/* SHA-256("abc") (FIPS 180-2 appendix B.1), base64. */
	CHECK_EQ(hash("<p>\n<script>abc</script>\n", "<script>", "</script>", h), 0);
	CHECK_STR(h, "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='");
	/* SHA-256("") */
	CHECK_EQ(hash("<style></style>", "<style>", "</style>", h), 0);
	CHECK_STR(h, "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
	/* A tag inside a line (a comment mentioning it) is not the element. */
	CHECK_EQ(hash("<!-- <script>x</script> -->\n<script>abc</script>", "<script>", "</script>", h), 0);
	CHECK_STR(h, "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='");
	/* No element, an element never closed, a page cut inside the tag. */
	CHECK_EQ(hash("<p>no script</p>", "<script>", "</script>", h), -1);
	CHECK_EQ(hash("<script>abc", "<script>", "</script>", h), -1);
	CHECK_EQ(hash("<scri", "<script>", "</script>", h), -1);
	CHECK_EQ(hash("", "<script>", "</script>", h), -1);

	/* The embedded page: one file, one script and one style element, both
	 * hashed into the policy, nothing loaded from elsewhere. */
	const char *p = embedded_page_html;
	size_t n = embedded_page_len;
	CHECK(n > 1000 && strlen(p) == n);
	CHECK(strncmp(p, "<!doctype html>", 15) == 0);
	CHECK_EQ(count(p, n, "<script"), 1);
	CHECK_EQ(count(p, n, "<style"), 1);
	CHECK_EQ(count(p, n, "\r"), 0);               /* hashed bytes = parsed text */
	CHECK_EQ(count(p, n, "http://") + count(p, n, "https://") + count(p, n, "//cdn"), 0);
	CHECK_EQ(count(p, n, "src="), 0);
	CHECK_EQ(count(p, n, "innerHTML") + count(p, n, "outerHTML") + count(p, n, "eval("), 0);
	CHECK_EQ(count(p, n, " style=\""), 0);        /* blocked by a hash-based style-src */
	const char *csp = page_csp();
	char script[PAGE_HASH_MAX], style[PAGE_HASH_MAX], want[256];
	CHECK_EQ(page_inline_hash(p, n, "<script>", "</script>", script), 0);
	CHECK_EQ(page_inline_hash(p, n, "<style>", "</style>", style), 0);
	snprintf(want, sizeof want, "script-src %s;", script);
	CHECK(strstr(csp, want) != NULL);
	snprintf(want, sizeof want, "style-src %s;", style);
	CHECK(strstr(csp, want) != NULL);
	CHECK(strstr(csp, "default-src 'self'") != NULL);
	CHECK(strstr(csp, "unsafe") == NULL);
	CHECK(page_csp() == csp);                     /* built once */
	return check_report("page");
}
