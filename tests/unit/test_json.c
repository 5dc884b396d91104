/* test_json.c — the JSON writer: jb_str escaping of wire bytes (RFC 8259,
 * RFC 3629), commas between members and elements, numbers at their limits,
 * and overflow that never writes past the caller's buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"

/* jb_str of n bytes, as text. */
static const char *esc(const char *s, size_t n)
{
	static char out[512];
	struct jbuf j;

	jb_init(&j, out, sizeof out);
	jb_str(&j, s, n);
	CHECK(!j.overflow);
	CHECK_EQ(j.len, strlen(out));
	return out;
}

#define ESC(lit) esc(lit, sizeof lit - 1)

/* Case: quotes, backslash and control bytes. */
static void test_escape_ascii(void)
{
	CHECK_STR(ESC(""), "\"\"");
	CHECK_STR(ESC("plain text 123 ~"), "\"plain text 123 ~\"");
	CHECK_STR(ESC("a\"b\\c"), "\"a\\\"b\\\\c\"");
	CHECK_STR(ESC("\x00"), "\"\\u0000\"");
	CHECK_STR(ESC("\x1f"), "\"\\u001f\"");
	CHECK_STR(ESC("\x7f"), "\"\\u007f\"");
	CHECK_STR(ESC("a\nb\tc\rd"), "\"a\\u000ab\\u0009c\\u000dd\"");
	CHECK_STR(ESC("\x20"), "\" \"");
	CHECK_STR(ESC("x\x00y"), "\"x\\u0000y\"");   /* a NUL does not end the bytes */
	CHECK_STR(ESC("\"\"\\\\"), "\"\\\"\\\"\\\\\\\\\"");
}

/* Case: valid UTF-8 passes through, including every length's limits. */
static void test_utf8_valid(void)
{
	static const char *const ok[] = {
		"\xc3\xa9",                  /* é, 2 bytes */
		"\xe2\x82\xac",              /* €, 3 bytes */
		"\xf0\x9f\x98\x80",          /* 😀, 4 bytes */
		"\xc2\x80", "\xdf\xbf",      /* U+0080, U+07FF */
		"\xe0\xa0\x80", "\xef\xbf\xbf",      /* U+0800, U+FFFF */
		"\xed\x9f\xbf", "\xee\x80\x80",      /* U+D7FF, U+E000: around the surrogates */
		"\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",  /* U+10000, U+10FFFF */
		"\xe2\x80\xa8",              /* U+2028: valid JSON as is */
	};
	char want[64];

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		snprintf(want, sizeof want, "\"%s\"", ok[i]);
		CHECK_STR(esc(ok[i], strlen(ok[i])), want);
	}
	CHECK_STR(ESC("caf\xc3\xa9 \xe2\x82\xac" "5"), "\"caf\xc3\xa9 \xe2\x82\xac" "5\"");
}

/* Case: bytes that are not valid UTF-8 become \u00XX, one per byte. */
static void test_utf8_invalid(void)
{
	CHECK_STR(ESC("\x80"), "\"\\u0080\"");                          /* lone continuation */
	CHECK_STR(ESC("a\xbf" "b"), "\"a\\u00bfb\"");
	CHECK_STR(ESC("\xc0\x80"), "\"\\u00c0\\u0080\"");               /* overlong NUL */
	CHECK_STR(ESC("\xc1\xbf"), "\"\\u00c1\\u00bf\"");               /* overlong 2-byte */
	CHECK_STR(ESC("\xe0\x80\xaf"), "\"\\u00e0\\u0080\\u00af\"");     /* overlong 3-byte */
	CHECK_STR(ESC("\xf0\x80\x80\xaf"), "\"\\u00f0\\u0080\\u0080\\u00af\"");
	CHECK_STR(ESC("\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\"");     /* surrogate U+D800 */
	CHECK_STR(ESC("\xed\xbf\xbf"), "\"\\u00ed\\u00bf\\u00bf\"");     /* surrogate U+DFFF */
	CHECK_STR(ESC("\xf4\x90\x80\x80"), "\"\\u00f4\\u0090\\u0080\\u0080\"");  /* > U+10FFFF */
	CHECK_STR(ESC("\xf5\x80\x80\x80"), "\"\\u00f5\\u0080\\u0080\\u0080\"");
	CHECK_STR(ESC("\xff\xfe"), "\"\\u00ff\\u00fe\"");
	CHECK_STR(ESC("\xe2\x82"), "\"\\u00e2\\u0082\"");               /* truncated at the end */
	CHECK_STR(ESC("x\xf0\x9f\x98"), "\"x\\u00f0\\u009f\\u0098\"");
	CHECK_STR(ESC("\xe2\x82" "A\xc3"), "\"\\u00e2\\u0082A\\u00c3\"");
	CHECK_STR(ESC("\xc3" "A"), "\"\\u00c3A\"");                    /* ASCII where a continuation should be */

	/* A truncated sequence at the end of an exactly-sized buffer: no overread (ASan). */
	char *p = malloc(2);
	memcpy(p, "\xf0\x9f", 2);
	CHECK_STR(esc(p, 2), "\"\\u00f0\\u009f\"");
	free(p);
}

/* A document that uses every kind of value, with nesting. */
static void document(struct jbuf *j)
{
	jb_obj_open(j);
	jb_ku64(j, "a", 1);
	jb_kstr(j, "b", "x\"y");
	jb_key(j, "c");
	jb_arr_open(j);
	jb_vu64(j, 1);
	jb_vi64(j, -2);
	jb_obj_open(j);
	jb_kbool(j, "d", true);
	jb_obj_close(j);
	jb_arr_open(j);
	jb_arr_close(j);
	jb_vstr(j, "s");
	jb_vnull(j);
	jb_arr_close(j);
	jb_key(j, "e");
	jb_obj_open(j);
	jb_obj_close(j);
	jb_key(j, "f");
	jb_arr_open(j);
	jb_obj_open(j);
	jb_obj_close(j);
	jb_obj_open(j);
	jb_kstrn(j, "g", "h\x01i", 3);
	jb_obj_close(j);
	jb_arr_close(j);
	jb_key(j, "k\"ey");
	jb_vraw(j, "[0]", 3);
	jb_kbool(j, "z", false);
	jb_obj_close(j);
}

static const char DOC[] =
	"{\"a\":1,\"b\":\"x\\\"y\",\"c\":[1,-2,{\"d\":true},[],\"s\",null],\"e\":{},"
	"\"f\":[{},{\"g\":\"h\\u0001i\"}],\"k\\\"ey\":[0],\"z\":false}";

/* Case: commas between keys, values, objects and arrays. */
static void test_commas(void)
{
	char buf[512];
	struct jbuf j;

	jb_init(&j, buf, sizeof buf);
	document(&j);
	CHECK(!j.overflow);
	CHECK_STR(buf, DOC);
	CHECK_EQ(j.len, strlen(DOC));

	/* Objects one after another in an array, and a top-level array. */
	jb_init(&j, buf, sizeof buf);
	jb_arr_open(&j);
	for (int i = 0; i < 3; i++) {
		jb_obj_open(&j);
		jb_ku64(&j, "i", (uint64_t)i);
		jb_kstr(&j, "n", "v");
		jb_obj_close(&j);
	}
	jb_arr_close(&j);
	CHECK_STR(buf, "[{\"i\":0,\"n\":\"v\"},{\"i\":1,\"n\":\"v\"},{\"i\":2,\"n\":\"v\"}]");
}

/* Case: numbers at their limits. */
static void test_numbers(void)
{
	char buf[128];
	struct jbuf j;

	jb_init(&j, buf, sizeof buf);
	jb_arr_open(&j);
	jb_vu64(&j, UINT64_MAX);
	jb_vi64(&j, INT64_MIN);
	jb_vi64(&j, INT64_MAX);
	jb_vu64(&j, 0);
	jb_vi64(&j, -1);
	jb_arr_close(&j);
	CHECK_STR(buf, "[18446744073709551615,-9223372036854775808,9223372036854775807,0,-1]");
}

/* Case: every buffer size from 0 up: a buffer too small is marked overflow,
 * holds a NUL-terminated prefix of the line, and nothing is written past
 * cap (a guard byte after it; and an exactly-sized heap buffer for ASan). */
static void test_overflow(void)
{
	size_t full = strlen(DOC);
	int bad = 0;

	for (size_t cap = 0; cap <= full + 2; cap++) {
		char stackbuf[600];
		char *heap = malloc(cap ? cap : 1);
		struct jbuf j, h;

		memset(stackbuf, 0x5a, sizeof stackbuf);
		jb_init(&j, stackbuf, cap);
		document(&j);
		jb_init(&h, heap, cap);
		document(&h);
		bool fits = cap > full;
		bad += j.overflow != !fits || h.overflow != !fits;
		bad += stackbuf[cap] != 0x5a;                         /* the guard */
		bad += cap ? j.len >= cap : j.len != 0;
		if (cap > 0) {
			bad += stackbuf[j.len] != '\0' || strlen(stackbuf) != j.len;
			bad += strncmp(stackbuf, DOC, j.len) != 0;          /* a prefix, cut cleanly */
			bad += memcmp(heap, stackbuf, j.len + 1) != 0;
		}
		if (fits)
			bad += strcmp(stackbuf, DOC) != 0;
		free(heap);
		if (bad) {
			fprintf(stderr, "  overflow case failed at cap %zu\n", cap);
			break;
		}
	}
	CHECK_EQ(bad, 0);

	/* Overflow is sticky: a short write after a failed long one adds nothing. */
	char small[8];
	struct jbuf j;
	jb_init(&j, small, sizeof small);
	jb_lit(&j, "0123456789");
	jb_lit(&j, "ab");
	CHECK(j.overflow);
	CHECK_EQ(j.len, 0);
	CHECK_STR(small, "");
	jb_init(&j, small, sizeof small);
	jb_lit(&j, "0123456");                                     /* 7 + NUL: fits exactly */
	CHECK(!j.overflow);
	CHECK_STR(small, "0123456");
	jb_lit(&j, "");
	CHECK(!j.overflow);
	jb_str(&j, "\x01", 1);
	CHECK(j.overflow);
	CHECK_STR(small, "0123456");
}

int main(void)
{
	test_escape_ascii();
	test_utf8_valid();
	test_utf8_invalid();
	test_commas();
	test_numbers();
	test_overflow();
	return check_report("json");
}
