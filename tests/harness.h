/* harness.h - a tiny assertion harness for the core's unit tests: each
 * CHECK reports file:line and the failing expression, and main returns the
 * number of failures. */
#ifndef MT_HARNESS_H
#define MT_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int th_failed, th_checks;

#define CHECK(cond)                                                            \
	do {                                                                   \
		th_checks++;                                                   \
		if (!(cond)) {                                                 \
			th_failed++;                                           \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
		}                                                              \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                     \
	do {                                                                   \
		long long _a = (long long)(a), _b = (long long)(b);            \
		th_checks++;                                                   \
		if (_a != _b) {                                                \
			th_failed++;                                           \
			fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n",  \
				__FILE__, __LINE__, #a, _a, _b);               \
		}                                                              \
	} while (0)

#define CHECK_EQ_STR(a, b)                                                     \
	do {                                                                   \
		const char *_a = (a), *_b = (b);                               \
		th_checks++;                                                   \
		if (!_a || !_b || strcmp(_a, _b) != 0) {                       \
			th_failed++;                                           \
			fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", \
				__FILE__, __LINE__, #a, _a ? _a : "(null)",    \
				_b ? _b : "(null)");                           \
		}                                                              \
	} while (0)

#define TEST_MAIN_END()                                                        \
	do {                                                                   \
		printf("%d checks, %d failed\n", th_checks, th_failed);        \
		return th_failed ? 1 : 0;                                      \
	} while (0)

#endif
