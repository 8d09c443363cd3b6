/* timefmt.c - times and durations as people type them (timefmt.h). */
#include "base/timefmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool timefmt_duration(const char *s, int64_t *ns)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !(v >= 0)) /* NaN too */
		return false;
	double mul = 1e9;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		mul = 60e9, end++;
	else if (*end == 'h')
		mul = 3600e9, end++;
	else if (*end == 'd')
		mul = 86400e9, end++;
	if (*end || v * mul > 9e18)
		return false;
	*ns = (int64_t)(v * mul);
	return true;
}

bool timefmt_absolute(const char *s, int64_t *ns)
{
	char *end;
	errno = 0;
	long long secs = strtoll(s, &end, 10);
	if (!errno && end != s && *end == 0) {
		if (secs < 0 || secs > 9000000000LL)
			return false;
		*ns = secs * 1000000000LL;
		return true;
	}
	int Y, M, D, h, m, sec, used = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &sec, &used) !=
		6 ||
	    used != 19 || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 ||
	    sec > 60)
		return false;
	const char *p = s + used;
	int64_t frac = 0;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				frac = frac * 10 + (*p - '0');
		if (!digits)
			return false;
		for (; digits < 9; digits++)
			frac *= 10;
	}
	int64_t off = 0;
	if (*p == '+' || *p == '-') {
		int oh, om, u = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &u) != 2 || u != 5 || p[6])
			return false;
		off = (p[0] == '-' ? -1 : 1) * (int64_t)(oh * 3600 + om * 60);
	} else if ((*p != 'Z' && *p != 'z') || p[1]) {
		return false;
	}
	/* Days from the civil date (proleptic Gregorian), no time zone tables. */
	int y = Y - (M <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (M + (M > 2 ? -3 : 9)) + 2) / 5 + D - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	int64_t t = (days * 86400 + h * 3600 + m * 60 + sec) - off;
	/* Past the year 2255 (or before 1685) no time fits in nanoseconds. */
	if (t > 9000000000LL || t < -9000000000LL)
		return false;
	*ns = t * 1000000000LL + frac;
	return true;
}

bool timefmt_parse(const char *s, int64_t now_ns, int64_t *ns)
{
	int64_t d;
	if (strcmp(s, "now") == 0) {
		*ns = now_ns;
		return true;
	}
	if (strncmp(s, "now", 3) == 0 && (s[3] == '-' || s[3] == '+') &&
	    timefmt_duration(s + 4, &d)) {
		return !(s[3] == '-' ? __builtin_sub_overflow(now_ns, d, ns)
				     : __builtin_add_overflow(now_ns, d, ns));
	}
	if (s[0] == '-' && timefmt_duration(s + 1, &d))
		return !__builtin_sub_overflow(now_ns, d, ns);
	return timefmt_absolute(s, ns);
}

int64_t timefmt_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void timefmt_rfc3339(int64_t ns, char *buf, size_t n)
{
	int64_t secs = ns / 1000000000, frac = ns % 1000000000;
	if (frac < 0)
		secs--, frac += 1000000000;
	time_t t = (time_t)secs;
	struct tm tm;
	gmtime_r(&t, &tm);
	char base[32];
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac)
		snprintf(buf, n, "%s.%09lldZ", base, (long long)frac);
	else
		snprintf(buf, n, "%sZ", base);
}
