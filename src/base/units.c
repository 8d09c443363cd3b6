/* units.c - pprof's measurement package, reimplemented: the tables of units
 * and aliases and the rules that pick one. */
#include "base/units.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/sat.h"

struct unit {
	const char *name;
	const char *aliases[4];
	double factor;
};

struct unit_type {
	struct unit units[10];
	size_t n;
	struct unit def;
};

static const struct unit_type unit_types[] = {
	{
		.units = {
			{"B", {"b", "byte"}, 1},
			{"kB", {"kb", "kbyte", "kilobyte"}, 1024.0},
			{"MB", {"mb", "mbyte", "megabyte"}, 1048576.0},
			{"GB", {"gb", "gbyte", "gigabyte"}, 1073741824.0},
			{"TB", {"tb", "tbyte", "terabyte"}, 1099511627776.0},
			{"PB", {"pb", "pbyte", "petabyte"}, 1125899906842624.0},
		},
		.n = 6,
		.def = {"B", {"b", "byte"}, 1},
	},
	{
		.units = {
			{"ns", {"ns", "nanosecond"}, 1},
			{"us", {"\xce\xbcs", "us", "microsecond"}, 1e3},
			{"ms", {"ms", "millisecond"}, 1e6},
			{"s", {"s", "sec", "second"}, 1e9},
			{"hrs", {"hour", "hr"}, 3600e9},
		},
		.n = 5,
		.def = {"s", {0}, 1e9},
	},
	{
		.units = {
			{"n*GCU", {"nanogcu"}, 1e-9},
			{"u*GCU", {"microgcu"}, 1e-6},
			{"m*GCU", {"milligcu"}, 1e-3},
			{"GCU", {"gcu"}, 1},
			{"k*GCU", {"kilogcu"}, 1e3},
			{"M*GCU", {"megagcu"}, 1e6},
			{"G*GCU", {"gigagcu"}, 1e9},
			{"T*GCU", {"teragcu"}, 1e12},
			{"P*GCU", {"petagcu"}, 1e15},
		},
		.n = 9,
		.def = {"GCU", {0}, 1.0},
	},
};

#define NTYPES (sizeof unit_types / sizeof unit_types[0])

static const struct unit *sniff(const struct unit_type *ut, const char *unit)
{
	char low[64];
	size_t n = strlen(unit);
	if (n >= sizeof low)
		return NULL;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)unit[i]);
	low[n] = 0;
	if (n > 2 && low[n - 1] == 's')
		low[--n] = 0;
	for (size_t i = 0; i < ut->n; i++)
		for (size_t a = 0; a < 4 && ut->units[i].aliases[a]; a++)
			if (strcmp(low, ut->units[i].aliases[a]) == 0)
				return &ut->units[i];
	return NULL;
}

/* The magnitude of value scaled (pprof scales -v as v, then negates); in
 * double, so INT64_MIN has a magnitude too. */
static double scale_abs(double value, const char *from, const char *to,
			const char **unit)
{
	for (size_t t = 0; t < NTYPES; t++) {
		const struct unit_type *ut = &unit_types[t];
		const struct unit *fu = sniff(ut, from);
		if (!fu)
			continue;
		double v = value * fu->factor;
		if (strcmp(to, "minimum") == 0 || strcmp(to, "auto") == 0) {
			double f = 0;
			const char *name = NULL;
			for (size_t i = 0; i < ut->n; i++) {
				if (ut->units[i].factor >= f && v / ut->units[i].factor >= 1.0) {
					f = ut->units[i].factor;
					name = ut->units[i].name;
				}
			}
			if (f == 0) {
				*unit = ut->def.name;
				return v / ut->def.factor;
			}
			*unit = name;
			return v / f;
		}
		const struct unit *tu = sniff(ut, to);
		if (!tu) {
			*unit = ut->def.name;
			return v / ut->def.factor;
		}
		*unit = tu->name;
		return v / tu->factor;
	}
	if (!strcmp(to, "count") || !strcmp(to, "sample") || !strcmp(to, "unit") ||
	    !strcmp(to, "minimum") || !strcmp(to, "auto")) {
		*unit = "";
		return value;
	}
	*unit = to;
	return value;
}

double mt_scale(int64_t value, const char *from, const char *to, const char **unit)
{
	if (value < 0)
		return -scale_abs(-(double)value, from, to, unit);
	return scale_abs((double)value, from, to, unit);
}

void mt_scaled_label(char *buf, size_t n, int64_t value, const char *from,
		     const char *to)
{
	const char *unit;
	double v = mt_scale(value, from, to, &unit);
	char num[64];
	snprintf(num, sizeof num, "%.2f", v);
	size_t len = strlen(num);
	if (len > 3 && strcmp(num + len - 3, ".00") == 0)
		num[len - 3] = 0;
	if (strcmp(num, "0") == 0 || strcmp(num, "-0") == 0) {
		snprintf(buf, n, "0");
		return;
	}
	snprintf(buf, n, "%s%s", num, unit);
}

void mt_percentage(char *buf, size_t n, int64_t value, int64_t total)
{
	double ratio = 0;
	if (total != 0)
		ratio = fabs((double)value / (double)total) * 100;
	if (ratio >= 99.95 && ratio <= 100.05)
		snprintf(buf, n, "  100%%");
	else if (ratio >= 1.0)
		snprintf(buf, n, "%5.2f%%", ratio);
	else
		snprintf(buf, n, "%5.2g%%", ratio);
}

void mt_percentage_short(char *buf, size_t n, int64_t value, int64_t total)
{
	double ratio = total ? fabs((double)value / (double)total) * 100 : 0;
	if (ratio != 0 && ratio < 0.01) {
		snprintf(buf, n, "<0.01%%");
		return;
	}
	char p[32];
	mt_percentage(p, sizeof p, value, total);
	snprintf(buf, n, "%s", p + strspn(p, " "));
}

const char *mt_select_unit(const int64_t *mins, size_t n, int64_t total,
			   const char *sample_unit)
{
	int64_t minv = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t v = mt_sat_abs(mins[i]);
		if (v > 0 && (minv == 0 || v < minv))
			minv = v;
	}
	int64_t maxv = total;
	if (minv == 0)
		minv = maxv;
	const char *minu, *maxu, *u;
	mt_scale(minv, sample_unit, "minimum", &minu);
	mt_scale(maxv, sample_unit, "minimum", &maxu);
	u = minu;
	if (strcmp(minu, maxu) != 0 && mt_sat_mul(minv, 100) < maxv)
		mt_scale(mt_sat_mul(minv, 100), sample_unit, "minimum", &u);
	return *u ? u : sample_unit;
}

int mt_unit_kind(const char *unit)
{
	if (sniff(&unit_types[0], unit))
		return 'b';
	if (sniff(&unit_types[1], unit))
		return 't';
	return 0;
}

void mt_format_span(char *buf, size_t n, int64_t ns)
{
	if (ns < 0)
		ns = 0;
	int64_t s = ns / 1000000000;
	if (s < 1)
		snprintf(buf, n, "%lldms", (long long)(ns / 1000000));
	else if (s < 60)
		snprintf(buf, n, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, n, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, n, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else
		snprintf(buf, n, "%lldd%02lldh", (long long)(s / 86400),
			 (long long)(s % 86400 / 3600));
}
