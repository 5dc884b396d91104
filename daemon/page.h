/* page.h — the dashboard served at GET / (contrib/dashboard/index.html,
 * compiled in), and the Content-Security-Policy it is served with. */
#ifndef C2W_PAGE_H
#define C2W_PAGE_H

#include <stddef.h>

/* The page as compiled in by the Makefile (embedded_page.c). */
extern const char embedded_page_html[];
extern const size_t embedded_page_len;

/* "'sha256-BASE64'" (a CSP hash-source, CSP Level 3 §2.3.1) plus NUL. */
#define PAGE_HASH_MAX 56

/* The hash-source of the text between the first `open` tag at the start of a
 * line and the next `close` tag; -1 if there is no such element. */
int page_inline_hash(const char *html, size_t len, const char *open, const char *close,
		     char out[PAGE_HASH_MAX]);

/* The page's Content-Security-Policy: its own script and style elements by
 * hash, connections to its own origin, nothing else.  Built once. */
const char *page_csp(void);

#endif
