/* test_name.c — name normalisation and what a list entry may hold. */
#include <string.h>

#include "check.h"
#include "name.h"

static size_t norm(char *s)
{
	size_t n = name_normalize(s, strlen(s));

	s[n] = '\0';
	return n;
}

/* The reason and offset for s, or "ok". */
static const char *why_not(const char *s, size_t *at)
{
	const char *why = "ok";

	*at = (size_t)-1;
	if (name_valid_entry(s, strlen(s), at, &why))
		return "ok";
	return why;
}

static void test_normalize(void)
{
	char a[] = "WWW.Evil.COM.", b[] = "evil.com..", c[] = "", d[] = ".", e[] = "A\xc3\x89-_9";

	CHECK_EQ(norm(a), 12);
	CHECK_STR(a, "www.evil.com");
	CHECK_EQ(norm(b), 9);
	CHECK_STR(b, "evil.com.");	/* only one dot goes */
	CHECK_EQ(norm(c), 0);
	CHECK_EQ(norm(d), 0);
	CHECK_EQ(norm(e), 6);
	CHECK_STR(e, "a\xc3\x89-_9");	/* non-ASCII bytes kept */
}

static void test_valid(void)
{
	char lab63[64], lab64[65], long254[255], long253[254];
	size_t at;

	CHECK_STR(why_not("evil.com", &at), "ok");
	CHECK_STR(why_not("com", &at), "ok");
	CHECK_STR(why_not("a_b-c.x9.net", &at), "ok");
	CHECK_STR(why_not("", &at), "empty label");
	CHECK_EQ(at, 0);
	CHECK_STR(why_not(".evil.com", &at), "empty label");
	CHECK_EQ(at, 0);
	CHECK_STR(why_not("evil..com", &at), "empty label");
	CHECK_EQ(at, 5);
	CHECK_STR(why_not("evil.com.", &at), "empty label");
	CHECK_EQ(at, 8);
	CHECK_STR(why_not("ev il.com", &at), "invalid character");
	CHECK_EQ(at, 2);
	CHECK_STR(why_not("Evil.com", &at), "invalid character");	/* entries come normalised */
	CHECK_EQ(at, 0);
	CHECK_STR(why_not("*.evil.com", &at), "invalid character");
	CHECK_STR(why_not("evil.com/x", &at), "invalid character");
	CHECK_EQ(at, 8);
	CHECK_STR(why_not("b\xc3\xa4r.de", &at), "invalid character");
	CHECK_EQ(at, 1);

	memset(lab63, 'a', 63);
	lab63[63] = '\0';
	CHECK_STR(why_not(lab63, &at), "ok");
	memset(lab64, 'a', 64);
	lab64[64] = '\0';
	CHECK_STR(why_not(lab64, &at), "label longer than 63");
	CHECK_EQ(at, 63);

	/* 253 is the most; the offset names the first character too many */
	for (size_t i = 0; i < 254; i++)
		long254[i] = i % 2 ? '.' : 'a';
	long254[254] = '\0';
	memcpy(long253, long254, 253);
	long253[253] = '\0';
	CHECK_STR(why_not(long253, &at), "ok");
	long254[253] = 'b';
	CHECK_STR(why_not(long254, &at), "name longer than 253");
	CHECK_EQ(at, 253);
}

int main(void)
{
	test_normalize();
	test_valid();
	return check_report("name");
}
