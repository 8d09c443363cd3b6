/* sat.h - saturating arithmetic on int64_t, for every sum of sample values.
 *
 * A profile may hold any int64 value (INT64_MIN, INT64_MAX): protobuf allows
 * them and the readers refuse nothing valid. Every aggregation (top, call
 * tree, graph, diff, trend, export, store totals) adds, subtracts and takes
 * absolute values of such numbers with these helpers, so a sum that leaves
 * the int64 range sticks at INT64_MAX or INT64_MIN instead of wrapping (or
 * being undefined behaviour). Sums that stay in range are exact, so nothing
 * changes for real profiles and pprof's numbers still agree to the byte.
 */
#ifndef MT_SAT_H
#define MT_SAT_H

#include <math.h>
#include <stdint.h>

static inline int64_t mt_sat_add(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static inline int64_t mt_sat_sub(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_sub_overflow(a, b, &r))
		return b < 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static inline int64_t mt_sat_mul(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_mul_overflow(a, b, &r))
		return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
	return r;
}

/* -a, with -INT64_MIN taken as INT64_MAX. */
static inline int64_t mt_sat_neg(int64_t a)
{
	return a == INT64_MIN ? INT64_MAX : -a;
}

/* |a|, with |INT64_MIN| taken as INT64_MAX. */
static inline int64_t mt_sat_abs(int64_t a)
{
	return a < 0 ? mt_sat_neg(a) : a;
}

/* a / b with b == 0 giving a (pprof's value/divisor rule) and
 * INT64_MIN / -1 saturating. */
static inline int64_t mt_sat_div(int64_t a, int64_t b)
{
	if (b == 0)
		return a;
	if (b == -1)
		return mt_sat_neg(a);
	return a / b;
}

/* A double rounded towards zero into int64: NaN is 0, values past the range
 * saturate (a plain cast of them is undefined behaviour). */
static inline int64_t mt_sat_from_double(double d)
{
	if (isnan(d))
		return 0;
	if (d >= 9223372036854775807.0)
		return INT64_MAX;
	if (d <= -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)d;
}

#endif
