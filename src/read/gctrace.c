/* gctrace.c - a parser of GODEBUG=gctrace=1 lines (Go 1.19's format, and
 * the older one without stacks and globals). */
#include "read/gctrace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_DETECT (64 << 10)

/* A cursor over one line. */
struct lc {
	const char *p, *start, *end;
	struct mt_err *e;
	enum mt_status st;
};

static bool bad(struct lc *c, const char *what)
{
	if (!c->st)
		c->st = mt_errf(c->e, MT_ERR_CORRUPT, "%s (at column %zu)", what,
				(size_t)(c->p - c->start) + 1);
	return false;
}

static bool lit(struct lc *c, const char *s)
{
	size_t n = strlen(s);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0) {
		char what[64];
		snprintf(what, sizeof what, "expected \"%s\"", s);
		return bad(c, what);
	}
	c->p += n;
	return true;
}

/* A non-negative integer of at most 18 digits. */
static bool uint_(struct lc *c, int64_t *out)
{
	int64_t v = 0;
	const char *s = c->p;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && c->p - s < 18)
		v = v * 10 + (*c->p++ - '0');
	if (c->p == s || (c->p < c->end && *c->p >= '0' && *c->p <= '9'))
		return bad(c, "expected a number");
	*out = v;
	return true;
}

/* A non-negative decimal like 0.013 or 12 (how the runtime prints ms),
 * read by strtod so that it is the nearest double to the text. */
static bool dec(struct lc *c, double *out)
{
	const char *s = c->p;
	int64_t ip;
	if (!uint_(c, &ip))
		return false;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		const char *f = c->p;
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && c->p - f < 18)
			c->p++;
		if (c->p == f || (c->p < c->end && *c->p >= '0' && *c->p <= '9'))
			return bad(c, "expected a decimal");
	}
	char buf[48];
	size_t n = (size_t)(c->p - s);
	memcpy(buf, s, n);
	buf[n] = 0;
	*out = strtod(buf, NULL);
	return true;
}

bool gctrace_is_line(const char *s, size_t n)
{
	if (n < 5 || memcmp(s, "gc ", 3) != 0 || s[3] < '0' || s[3] > '9')
		return false;
	size_t i = 3;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i + 1 < n && s[i] == ' ' && s[i + 1] == '@';
}

enum mt_status gctrace_parse_line(const char *s, size_t n, struct gctrace_line *out,
				  struct mt_err *e)
{
	struct lc c = {.p = s, .start = s, .end = s + n, .e = e};
	struct gctrace_line g = {.stacks_mb = -1, .globals_mb = -1};
	int64_t pct;
	while (c.end > c.p && (c.end[-1] == '\r' || c.end[-1] == ' '))
		c.end--;
	if (!lit(&c, "gc ") || !uint_(&c, &g.n) || !lit(&c, " @") || !dec(&c, &g.at_s) ||
	    !lit(&c, "s ") || !uint_(&c, &pct) || !lit(&c, "%: "))
		return c.st;
	/* Seconds since the program started become nanoseconds in an int64:
	 * anything past a century is not a real trace. */
	if (!(g.at_s >= 0 && g.at_s < 3.2e9)) {
		mt_errf(e, MT_ERR_CORRUPT, "time @%gs is out of range", g.at_s);
		return MT_ERR_CORRUPT;
	}
	g.cpu_percent = (double)pct;
	for (int i = 0; i < 3; i++)
		if ((i && !lit(&c, "+")) || !dec(&c, &g.clock_ms[i]))
			return c.st;
	if (!lit(&c, " ms clock, "))
		return c.st;
	static const char sep[5] = {0, '+', '/', '/', '+'};
	for (int i = 0; i < 5; i++) {
		char t[2] = {sep[i], 0};
		if ((i && !lit(&c, t)) || !dec(&c, &g.cpu_ms[i]))
			return c.st;
	}
	if (!lit(&c, " ms cpu, "))
		return c.st;
	for (int i = 0; i < 3; i++)
		if ((i && !lit(&c, "->")) || !uint_(&c, &g.heap_mb[i]))
			return c.st;
	if (!lit(&c, " MB, ") || !uint_(&c, &g.goal_mb) || !lit(&c, " MB goal, "))
		return c.st;
	/* Go 1.18+: "S MB stacks, G MB globals, " before the Ps. */
	int64_t v;
	if (!uint_(&c, &v))
		return c.st;
	if ((size_t)(c.end - c.p) >= 4 && memcmp(c.p, " MB ", 4) == 0) {
		g.stacks_mb = v;
		if (!lit(&c, " MB stacks, ") || !uint_(&c, &g.globals_mb) ||
		    !lit(&c, " MB globals, ") || !uint_(&c, &v))
			return c.st;
	}
	g.procs = v;
	if (!lit(&c, " P"))
		return c.st;
	if (c.p < c.end) {
		if (!lit(&c, " (forced)"))
			return c.st;
		g.forced = true;
	}
	if (c.p != c.end) {
		bad(&c, "unexpected text after the line");
		return c.st;
	}
	*out = g;
	return MT_OK;
}

/* The next line of data[*off..n) (without its newline); false at the end. */
static bool next_line(const uint8_t *data, size_t n, size_t *off, const char **ln,
		      size_t *len)
{
	if (*off >= n)
		return false;
	*ln = (const char *)data + *off;
	const char *nl = memchr(*ln, '\n', n - *off);
	*len = nl ? (size_t)(nl - *ln) : n - *off;
	*off += *len + 1;
	return true;
}

bool gctrace_detect(const uint8_t *data, size_t n)
{
	size_t lim = n < SCAN_DETECT ? n : SCAN_DETECT, off = 0, len;
	const char *ln;
	struct gctrace_line g;
	while (next_line(data, lim, &off, &ln, &len))
		if (gctrace_is_line(ln, len) && gctrace_parse_line(ln, len, &g, NULL) == MT_OK)
			return true;
	return false;
}

double gctrace_last_at(const uint8_t *data, size_t n)
{
	double last = 0;
	size_t off = 0, len;
	const char *ln;
	struct gctrace_line g;
	while (next_line(data, n, &off, &ln, &len))
		if (gctrace_is_line(ln, len) && gctrace_parse_line(ln, len, &g, NULL) == MT_OK)
			last = g.at_s;
	return last;
}

enum mt_status gctrace_parse(const uint8_t *data, size_t n, int64_t start,
			     struct metrics_batch *b, size_t *cycles, size_t *nbad,
			     struct mt_err *bad_err, struct mt_err *e)
{
	size_t before = b->v.n, off = 0, len, lineno = 0;
	const char *ln;
	*cycles = *nbad = 0;
	while (next_line(data, n, &off, &ln, &len)) {
		struct gctrace_line g;
		lineno++;
		struct mt_err le;
		if (!gctrace_is_line(ln, len))
			continue;
		if (gctrace_parse_line(ln, len, &g, &le)) {
			if (!(*nbad)++)
				mt_errf(bad_err, MT_ERR_CORRUPT, "line %zu: %s", lineno, le.msg);
			continue;
		}
		int64_t t = start + (int64_t)(g.at_s * 1e9 + 0.5);
		const struct {
			const char *name;
			double v;
			bool skip;
		} pts[] = {
			{"gctrace.heap_before_mb", (double)g.heap_mb[0], false},
			{"gctrace.heap_after_mb", (double)g.heap_mb[1], false},
			{"gctrace.heap_live_mb", (double)g.heap_mb[2], false},
			{"gctrace.heap_goal_mb", (double)g.goal_mb, false},
			{"gctrace.stacks_mb", (double)g.stacks_mb, g.stacks_mb < 0},
			{"gctrace.globals_mb", (double)g.globals_mb, g.globals_mb < 0},
			{"gctrace.pause_ms", g.clock_ms[0] + g.clock_ms[2], false},
			{"gctrace.mark_ms", g.clock_ms[1], false},
			{"gctrace.cpu_stw_ms", g.cpu_ms[0] + g.cpu_ms[4], false},
			{"gctrace.cpu_assist_ms", g.cpu_ms[1], false},
			{"gctrace.cpu_background_ms", g.cpu_ms[2], false},
			{"gctrace.cpu_idle_ms", g.cpu_ms[3], false},
			{"gctrace.gc_cpu_percent", g.cpu_percent, false},
			{"gctrace.procs", (double)g.procs, false},
		};
		for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++)
			if (!pts[i].skip && !metrics_batch_add(b, pts[i].name, t, pts[i].v) &&
			    b->full) {
				b->v.n = before;
				return mt_errf(e, MT_ERR_LIMIT, "line %zu: more than %zu points",
					       lineno, b->max ? b->max : (size_t)1000000);
			}
		(*cycles)++;
	}
	if (!*cycles)
		return *nbad ? mt_errf(e, MT_ERR_FORMAT, "no gctrace line could be read (%s)",
				       bad_err->msg)
			     : mt_errf(e, MT_ERR_FORMAT, "no gctrace lines");
	return MT_OK;
}
