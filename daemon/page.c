/* page.c — the dashboard's Content-Security-Policy, from the page itself.
 *
 * The page keeps its script and style inline so that it is one file with no
 * external resource.  Allowing them by SHA-256 rather than 'unsafe-inline'
 * means that markup slipped into the page (a hostile name shown the wrong
 * way) could not run script: only the exact script compiled in can.  The
 * hashes are taken from the embedded page at the first request, so that the
 * policy cannot drift from the page it covers. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "page.h"

int page_inline_hash(const char *html, size_t len, const char *open, const char *close,
		     char out[PAGE_HASH_MAX])
{
	size_t olen = strlen(open), clen = strlen(close);
	const char *end = html + len;
	const char *start = NULL;

	for (const char *p = html; (size_t)(end - p) >= olen; p++) {
		if ((p == html || p[-1] == '\n') && memcmp(p, open, olen) == 0) {
			start = p + olen;
			break;
		}
	}
	if (!start)
		return -1;
	const char *stop = NULL;
	for (const char *p = start; (size_t)(end - p) >= clen; p++) {
		if (memcmp(p, close, clen) == 0) {
			stop = p;
			break;
		}
	}
	if (!stop)
		return -1;

	/* CSP Level 3 §6.7.3.6: the digest of the element's text, UTF-8
	 * encoded (the file is UTF-8 and served as such), base64 (RFC 4648 §4). */
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!EVP_Digest(start, (size_t)(stop - start), md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		return -1;
	unsigned char b64[45];
	EVP_EncodeBlock(b64, md, (int)mdlen);     /* 44 characters and a NUL */
	snprintf(out, PAGE_HASH_MAX, "'sha256-%s'", (const char *)b64);
	return 0;
}

static char csp[512];
static pthread_once_t csp_once = PTHREAD_ONCE_INIT;

static void build_csp(void)
{
	char script[PAGE_HASH_MAX], style[PAGE_HASH_MAX];
	/* Without both hashes the policy allows no inline code at all: the page
	 * then shows nothing, which is safer than running unlisted script. */
	if (page_inline_hash(embedded_page_html, embedded_page_len, "<script>", "</script>", script) < 0)
		strcpy(script, "'none'");
	if (page_inline_hash(embedded_page_html, embedded_page_len, "<style>", "</style>", style) < 0)
		strcpy(style, "'none'");
	snprintf(csp, sizeof csp,
		 "default-src 'self'; script-src %s; style-src %s; img-src 'self' data:; "
		 "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
		 script, style);
}

const char *page_csp(void)
{
	pthread_once(&csp_once, build_csp);
	return csp;
}
