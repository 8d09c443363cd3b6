/* test_trend.c - the least-squares fit and the leak rule of src/trend.c,
 * on series whose slope and R^2 are worked out by hand in the comments. */
#include <math.h>

#include "harness.h"
#include "report/trend.h"

#define H 3600000000000LL /* an hour in ns */

static bool near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (fabs(b) + 1);
}

int main(void)
{
	int64_t t[12], v[12];
	struct trend_fit f;
	for (int i = 0; i < 12; i++)
		t[i] = 1700000000LL * 1000000000 + i * H;

	/* A line: 100 + 50 per hour; slope 50, R^2 1, growth 550%. */
	for (int i = 0; i < 12; i++)
		v[i] = 100 + 50 * i;
	trend_fit(t, v, 12, &f);
	CHECK(near(f.slope_per_hour, 50));
	CHECK(near(f.r2, 1));
	CHECK_EQ_INT(f.first, 100);
	CHECK_EQ_INT(f.last, 650);
	CHECK(near(f.growth_pct, 550));
	CHECK(f.leak);

	/* A sawtooth 1,2,3,4 three times: Sxy = 15 (5 per period), Sxx = 143,
	 * Syy = 15; slope 15/143, R^2 = 225/(143*15) = 0.1049: not a leak
	 * though it ends higher than it starts. */
	for (int i = 0; i < 12; i++)
		v[i] = 1 + i % 4;
	trend_fit(t, v, 12, &f);
	CHECK(near(f.slope_per_hour, 15.0 / 143));
	CHECK(near(f.r2, 225.0 / (143 * 15)));
	CHECK(f.last > f.first);
	CHECK(!f.leak);

	/* A spike: flat 10 with one 1000 in the middle; last == first. */
	for (int i = 0; i < 12; i++)
		v[i] = i == 6 ? 1000 : 10;
	trend_fit(t, v, 12, &f);
	CHECK(!f.leak);

	/* Steady: no change at all; slope 0, R^2 0 by definition. */
	for (int i = 0; i < 12; i++)
		v[i] = 4096;
	trend_fit(t, v, 12, &f);
	CHECK(near(f.slope_per_hour, 0));
	CHECK(near(f.r2, 0));
	CHECK(!f.leak);

	/* A spike at the end: 0 ... 0, 1000. x = 0..11, mean 5.5; y mean
	 * 1000/12; Sxy = 5.5 * 1000 = 5500, Sxx = 143, Syy = 1000^2 * 11/12;
	 * R^2 = 5500^2 / (143 * 916666.67) = 0.2308: not a leak. */
	for (int i = 0; i < 12; i++)
		v[i] = i == 11 ? 1000 : 0;
	trend_fit(t, v, 12, &f);
	CHECK(near(f.r2, 5500.0 * 5500 / (143 * 1e6 * 11 / 12)));
	CHECK(!f.leak);

	/* Steps 30 minutes apart: the slope is per hour, twice the step. */
	for (int i = 0; i < 12; i++) {
		t[i] = i * (H / 2);
		v[i] = 7 * i;
	}
	trend_fit(t, v, 12, &f);
	CHECK(near(f.slope_per_hour, 14));

	/* Two snapshots are too few to call anything a leak. */
	trend_fit(t, v, 2, &f);
	CHECK(!f.leak);

	/* Growth with one dip in 11 steps (91% rising) is still a leak; with
	 * every other step down (50%) it is not, whatever the fit. */
	for (int i = 0; i < 12; i++)
		v[i] = 100 * i - (i == 5 ? 150 : 0);
	trend_fit(t, v, 12, &f);
	CHECK(f.leak);
	for (int i = 0; i < 12; i++)
		v[i] = 100 * i + (i % 2 ? 150 : 0);
	trend_fit(t, v, 12, &f);
	CHECK(near(f.rising, 6.0 / 11));
	CHECK(!f.leak);
	TEST_MAIN_END();
}
