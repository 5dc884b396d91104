/* json.h — the one JSON writer.  Builds a line in a caller-owned fixed buffer
 * (no allocation); a line that would overflow is marked and cut cleanly.
 * jb_str() is the one escaper of wire bytes: valid UTF-8 passes through,
 * control characters and bytes that are not valid UTF-8 become \u00XX. */
#ifndef C2W_JSON_H
#define C2W_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jbuf {
	char *p;
	size_t len;
	size_t cap;
	bool overflow;
	bool need_comma;
};

void jb_init(struct jbuf *j, char *buf, size_t cap);
void jb_raw(struct jbuf *j, const char *s, size_t n);   /* bytes as they are */
void jb_lit(struct jbuf *j, const char *s);              /* NUL-terminated, as is */
void jb_str(struct jbuf *j, const char *s, size_t n);   /* quoted, escaped */

/* Objects and arrays with automatic commas. */
void jb_obj_open(struct jbuf *j);
void jb_obj_close(struct jbuf *j);
void jb_arr_open(struct jbuf *j);
void jb_arr_close(struct jbuf *j);
void jb_key(struct jbuf *j, const char *key);            /* "key": */

/* Array elements / values (after jb_key or inside an array). */
void jb_vstr(struct jbuf *j, const char *s);             /* NUL-terminated string value */
void jb_vstrn(struct jbuf *j, const char *s, size_t n);
void jb_vu64(struct jbuf *j, uint64_t v);
void jb_vi64(struct jbuf *j, int64_t v);
void jb_vbool(struct jbuf *j, bool v);
void jb_vnull(struct jbuf *j);
void jb_vdouble(struct jbuf *j, double v);
void jb_vraw(struct jbuf *j, const char *json, size_t n); /* pre-built JSON value */

/* A place in the line to go back to: what was written after it is dropped
 * (an optional part that did not fit, say). */
struct jb_mark {
	size_t len;
	bool overflow, need_comma;
};
struct jb_mark jb_mark(const struct jbuf *j);
void jb_rewind(struct jbuf *j, struct jb_mark m);

/* key + value in one call */
void jb_kstr(struct jbuf *j, const char *key, const char *s);
void jb_kstrn(struct jbuf *j, const char *key, const char *s, size_t n);
void jb_ku64(struct jbuf *j, const char *key, uint64_t v);
void jb_kbool(struct jbuf *j, const char *key, bool v);

#endif
