/* json.c — JSON text (RFC 8259) into a fixed buffer, escaping wire bytes. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

void jb_init(struct jbuf *j, char *buf, size_t cap)
{
	j->p = buf;
	j->len = 0;
	j->cap = cap;
	j->overflow = false;
	j->need_comma = false;
	if (cap)
		buf[0] = '\0';
}

void jb_raw(struct jbuf *j, const char *s, size_t n)
{
	if (j->overflow || j->cap - j->len <= n) {  /* keep one byte for the NUL */
		j->overflow = true;
		return;
	}
	memcpy(j->p + j->len, s, n);
	j->len += n;
	j->p[j->len] = '\0';
}

void jb_lit(struct jbuf *j, const char *s) { jb_raw(j, s, strlen(s)); }

/* Length of the valid UTF-8 sequence at s (RFC 3629), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void jb_str(struct jbuf *j, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;

	jb_raw(j, "\"", 1);
	while (i < n) {
		unsigned char c = u[i];
		size_t seq = 1;
		const char *esc = NULL;
		char ubuf[6];

		if (c == '"')
			esc = "\\\"";
		else if (c == '\\')
			esc = "\\\\";
		else if (c < 0x20 || c == 0x7f) {
			ubuf[0] = '\\', ubuf[1] = 'u', ubuf[2] = '0', ubuf[3] = '0';
			ubuf[4] = hex[c >> 4], ubuf[5] = hex[c & 15];
		} else if (c >= 0x80) {
			seq = utf8_seq(u + i, n - i);
			if (!seq) {
				ubuf[0] = '\\', ubuf[1] = 'u', ubuf[2] = '0', ubuf[3] = '0';
				ubuf[4] = hex[c >> 4], ubuf[5] = hex[c & 15];
				seq = 1;
				c = 0;   /* mark: escaped */
			}
		}
		bool plain = !esc && c >= 0x20 && c != 0x7f;
		if (plain) {
			i += seq;
			run += seq;
			continue;
		}
		jb_raw(j, s + i - run, run);
		run = 0;
		if (esc)
			jb_raw(j, esc, 2);
		else
			jb_raw(j, ubuf, 6);
		i += seq;
	}
	jb_raw(j, s + i - run, run);
	jb_raw(j, "\"", 1);
}

static void sep(struct jbuf *j)
{
	if (j->need_comma)
		jb_raw(j, ",", 1);
	j->need_comma = true;
}

void jb_obj_open(struct jbuf *j) { sep(j); jb_raw(j, "{", 1); j->need_comma = false; }
void jb_obj_close(struct jbuf *j) { jb_raw(j, "}", 1); j->need_comma = true; }
void jb_arr_open(struct jbuf *j) { sep(j); jb_raw(j, "[", 1); j->need_comma = false; }
void jb_arr_close(struct jbuf *j) { jb_raw(j, "]", 1); j->need_comma = true; }

void jb_key(struct jbuf *j, const char *key)
{
	sep(j);
	jb_str(j, key, strlen(key));
	jb_raw(j, ":", 1);
	j->need_comma = false;
}

void jb_vstrn(struct jbuf *j, const char *s, size_t n) { sep(j); jb_str(j, s, n); }
void jb_vstr(struct jbuf *j, const char *s) { jb_vstrn(j, s, strlen(s)); }

void jb_vu64(struct jbuf *j, uint64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof b, "%" PRIu64, v);
	sep(j);
	jb_raw(j, b, (size_t)n);
}

void jb_vi64(struct jbuf *j, int64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof b, "%" PRId64, v);
	sep(j);
	jb_raw(j, b, (size_t)n);
}

void jb_vdouble(struct jbuf *j, double v)
{
	char b[32];
	int n = snprintf(b, sizeof b, "%.6g", v);
	sep(j);
	jb_raw(j, b, (size_t)n);
}

void jb_vbool(struct jbuf *j, bool v) { sep(j); jb_lit(j, v ? "true" : "false"); }
void jb_vnull(struct jbuf *j) { sep(j); jb_lit(j, "null"); }
void jb_vraw(struct jbuf *j, const char *json, size_t n) { sep(j); jb_raw(j, json, n); }

void jb_kstr(struct jbuf *j, const char *key, const char *s) { jb_key(j, key); jb_vstr(j, s); }
void jb_kstrn(struct jbuf *j, const char *key, const char *s, size_t n) { jb_key(j, key); jb_vstrn(j, s, n); }
void jb_ku64(struct jbuf *j, const char *key, uint64_t v) { jb_key(j, key); jb_vu64(j, v); }
void jb_kbool(struct jbuf *j, const char *key, bool v) { jb_key(j, key); jb_vbool(j, v); }

struct jb_mark jb_mark(const struct jbuf *j)
{
	struct jb_mark m = { j->len, j->overflow, j->need_comma };
	return m;
}

void jb_rewind(struct jbuf *j, struct jb_mark m)
{
	j->len = m.len;
	j->overflow = m.overflow;
	j->need_comma = m.need_comma;
	if (j->cap)
		j->p[j->len] = '\0';
}
