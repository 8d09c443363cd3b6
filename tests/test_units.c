/* test_units.c - value labels and percentages, checked against strings
 * go tool pprof printed (tests/golden and pprof's measurement rules). */
#include "harness.h"
#include "base/sat.h"
#include "base/units.h"

static const char *lab(int64_t v, const char *from, const char *to)
{
	static char b[64];
	mt_scaled_label(b, sizeof b, v, from, to);
	return b;
}

static const char *pct(int64_t v, int64_t total)
{
	static char b[32];
	mt_percentage(b, sizeof b, v, total);
	return b;
}

int main(void)
{
	/* From `go tool pprof -top data/leaky.heap.pb.gz`: 28873767 bytes. */
	CHECK_EQ_STR(lab(28873767, "bytes", "kB"), "28197.04kB");
	CHECK_EQ_STR(lab(5849088, "bytes", "kB"), "5712kB");
	CHECK_EQ_STR(lab(0, "bytes", "kB"), "0");
	CHECK_EQ_STR(lab(1536, "bytes", "B"), "1536B");
	CHECK_EQ_STR(lab(-1536, "bytes", "B"), "-1536B");
	CHECK_EQ_STR(lab(15, "count", "B"), "15B");       /* pprof -unit=B on counts */
	CHECK_EQ_STR(lab(15, "count", "minimum"), "15");
	CHECK_EQ_STR(lab(1100000000, "nanoseconds", "auto"), "1.10s");
	CHECK_EQ_STR(lab(960000000, "nanoseconds", "ns"), "960000000ns");
	CHECK_EQ_STR(lab(1500, "nanoseconds", "auto"), "1.50us");
	CHECK_EQ_STR(lab(3 << 20, "bytes", "auto"), "3MB");
	/* Percentages as pprof prints them (goldens). */
	CHECK_EQ_STR(pct(19492649, 28873767), "67.51%");
	CHECK_EQ_STR(pct(28873767, 28873767), "  100%");
	CHECK_EQ_STR(pct(11, 476108), "0.0023%");
	CHECK_EQ_STR(pct(4, 476108), "0.00084%");
	CHECK_EQ_STR(pct(0, 10), "    0%");
	/* selectOutputUnit: the golden's smallest value 8kB-ish with a 28MB
	 * total gives kB. */
	int64_t mins[] = {19492649, 8192, 2086};
	CHECK_EQ_STR(mt_select_unit(mins, 3, 28873767, "bytes"), "kB");
	CHECK_EQ_INT(mt_unit_kind("nanoseconds"), 't');
	CHECK_EQ_INT(mt_unit_kind("bytes"), 'b');
	CHECK_EQ_INT(mt_unit_kind("count"), 0);

	/* The ends of int64 (issue 19): INT64_MIN once recursed until the
	 * stack ran out; its magnitude is 2^63 bytes = 8192 PB. */
	CHECK_EQ_STR(lab(INT64_MIN, "bytes", "auto"), "-8192PB");
	CHECK_EQ_STR(lab(INT64_MAX, "bytes", "auto"), "8192PB");
	CHECK_EQ_STR(lab(INT64_MIN, "count", "minimum"), "-9223372036854775808");
	int64_t ends[] = {INT64_MIN, INT64_MAX, 1};
	CHECK_EQ_STR(mt_select_unit(ends, 3, INT64_MAX, "bytes"), "B");
	CHECK_EQ_STR(pct(INT64_MIN, INT64_MAX), "  100%");

	/* Saturating arithmetic: exact in range, stuck at the ends past it. */
	CHECK_EQ_INT(mt_sat_add(2, 3), 5);
	CHECK_EQ_INT(mt_sat_add(-7, 3), -4);
	CHECK_EQ_INT(mt_sat_add(INT64_MAX, 1), INT64_MAX);
	CHECK_EQ_INT(mt_sat_add(INT64_MAX, INT64_MAX), INT64_MAX);
	CHECK_EQ_INT(mt_sat_add(INT64_MIN, -1), INT64_MIN);
	CHECK_EQ_INT(mt_sat_add(INT64_MIN, INT64_MAX), -1);
	CHECK_EQ_INT(mt_sat_sub(0, INT64_MIN), INT64_MAX);
	CHECK_EQ_INT(mt_sat_sub(-2, INT64_MAX), INT64_MIN);
	CHECK_EQ_INT(mt_sat_sub(INT64_MAX, INT64_MAX), 0);
	CHECK_EQ_INT(mt_sat_mul(INT64_MIN, -1), INT64_MAX);
	CHECK_EQ_INT(mt_sat_mul(INT64_MAX, -2), INT64_MIN);
	CHECK_EQ_INT(mt_sat_mul(-3, 4), -12);
	CHECK_EQ_INT(mt_sat_abs(INT64_MIN), INT64_MAX);
	CHECK_EQ_INT(mt_sat_abs(-5), 5);
	CHECK_EQ_INT(mt_sat_neg(INT64_MIN), INT64_MAX);
	CHECK_EQ_INT(mt_sat_div(INT64_MIN, -1), INT64_MAX);
	CHECK_EQ_INT(mt_sat_div(7, 0), 7);
	CHECK_EQ_INT(mt_sat_div(-7, 2), -3);
	CHECK_EQ_INT(mt_sat_from_double(1e300), INT64_MAX);
	CHECK_EQ_INT(mt_sat_from_double(-INFINITY), INT64_MIN);
	CHECK_EQ_INT(mt_sat_from_double(NAN), 0);
	CHECK_EQ_INT(mt_sat_from_double(9223372036854775807.0), INT64_MAX);
	CHECK_EQ_INT(mt_sat_from_double(-2.9), -2);
	TEST_MAIN_END();
}
