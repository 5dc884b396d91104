/* check.h — the unit tests' few macros.  Each test binary ends with the line
 * "unit NAME: N passed, N failed" and exits non-zero on any failure. */
#ifndef C2W_CHECK_H
#define C2W_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond) do { \
	if (cond) check_passed++; \
	else { check_failed++; fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_EQ(a, b) do { \
	long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
	if (check_a_ == check_b_) check_passed++; \
	else { check_failed++; fprintf(stderr, "%s:%d: check failed: %s == %s (%lld != %lld)\n", \
			__FILE__, __LINE__, #a, #b, check_a_, check_b_); } \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *check_a_ = (a), *check_b_ = (b); \
	if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) check_passed++; \
	else { check_failed++; fprintf(stderr, "%s:%d: check failed: %s == \"%s\" (got \"%s\")\n", \
			__FILE__, __LINE__, #a, check_b_ ? check_b_ : "(null)", check_a_ ? check_a_ : "(null)"); } \
} while (0)

static inline int check_report(const char *name)
{
	printf("unit %s: %d passed, %d failed\n", name, check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
