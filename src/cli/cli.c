/* cli.c - helpers shared by the subcommands: errors, loading, JSON. */
#include "cli.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "profile/merge.h"
#include "base/units.h"
#include "read/reader.h"
#include "symbol/symbolize.h"

void cli_err(const char *what, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	if (what && *what)
		fprintf(stderr, "memtop: %s: ", what);
	else
		fprintf(stderr, "memtop: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct profile *cli_load(struct cli *c, const char *arg)
{
	struct profile *p = NULL;
	struct mt_err e = {{0}};
	int64_t id;
	if (arg[0] == '@' && cli_snapshot_id(arg, &id))
		return cli_load_snapshot(c, arg);
	if (reader_load_file(arg, &c->lim, &p, &e)) {
		cli_err(arg, "%s", e.msg);
		return NULL;
	}
	return cli_symbolize(c, arg, p);
}

/* Whether msg was printed before by this process: a diff or --base
 * symbolizes two profiles against the same binaries, and a warning about
 * one of them is given once. */
static bool warned_before(const char *msg)
{
	static VEC(uint64_t) seen;
	uint64_t h = mt_hash(msg, strlen(msg), 19);
	for (size_t i = 0; i < seen.n; i++)
		if (seen.v[i] == h)
			return true;
	VEC_PUSH(seen, h);
	return false;
}

struct profile *cli_symbolize(struct cli *c, const char *arg, struct profile *p)
{
	if (!symbolize_wanted(p))
		return p;
	struct mt_sym_opts o = {.binary = c->binary};
	struct mt_symbolizer *s = symbolizer_new(&o);
	struct mt_warnings w = {{0}};
	struct mt_err e = {{0}};
	enum mt_status st = symbolize_profile(s, p, &w, &e);
	symbolizer_free(s);
	for (size_t i = 0; i < w.v.n; i++)
		if (!warned_before(w.v.v[i]))
			cli_err("warning", "%s", w.v.v[i]);
	mt_warnings_done(&w);
	if (st) {
		cli_err(arg, "%s", e.msg);
		profile_free(p);
		return NULL;
	}
	return p;
}

struct profile *cli_load_compared(struct cli *c, const char *arg)
{
	struct profile *p = cli_load(c, arg);
	const char *basearg = c->base ? c->base : c->diff_base;
	if (!p || !basearg)
		return p;
	struct profile *base = cli_load(c, basearg);
	if (!base) {
		profile_free(p);
		return NULL;
	}
	struct profile *srcs[2] = {p, base}, *merged = NULL;
	int scale[2] = {1, -1};
	bool diff[2] = {false, c->diff_base != NULL};
	struct mt_err e = {{0}};
	enum mt_status st = profile_merge(srcs, scale, diff, 2, &merged, &e);
	profile_free(p);
	profile_free(base);
	if (st) {
		cli_err(basearg, "%s", e.msg);
		return NULL;
	}
	return merged;
}

static bool compile(struct mt_regex **re, const char *pat)
{
	*re = NULL;
	if (!pat || !*pat)
		return true;
	struct mt_err e;
	if (mt_regex_compile(re, pat, false, &e)) {
		cli_err("", "%s", e.msg);
		return false;
	}
	return true;
}

int cli_report_open(struct cli *c, const struct profile *p, const char *what,
		    struct cli_report *r)
{
	memset(r, 0, sizeof *r);
	struct mt_err e;
	if (profile_sample_index(p, c->sample_index, &r->index, &e)) {
		cli_err(what, "%s", e.msg);
		return EXIT_BAD;
	}
	if (!compile(&r->re[0], c->focus) || !compile(&r->re[1], c->ignore) ||
	    !compile(&r->re[2], c->hide) || !compile(&r->re[3], c->show)) {
		cli_report_close(r);
		return EXIT_USAGE;
	}
	struct mt_filters f = {r->re[0], r->re[1], r->re[2], r->re[3]};
	if (mt_nodes_init(&r->nodes, p, c->gran, &f, &e)) {
		cli_err(what, "%s", e.msg);
		cli_report_close(r);
		return EXIT_BAD;
	}
	mt_top_build_mean(&r->top, &r->nodes, r->index, c->mean ? 0 : -1);
	return EXIT_OK;
}

void cli_report_close(struct cli_report *r)
{
	mt_top_done(&r->top);
	mt_nodes_done(&r->nodes);
	for (int i = 0; i < 4; i++)
		mt_regex_free(r->re[i]);
	memset(r, 0, sizeof *r);
}

/* Go's "Jan 2, 2006 at 3:04pm (MST)" in local time. */
static void go_time(char *buf, size_t n, int64_t nanos)
{
	time_t t = (time_t)(nanos / 1000000000);
	if (nanos < 0 && nanos % 1000000000)
		t--;
	struct tm tm;
	localtime_r(&t, &tm);
	static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int h = tm.tm_hour % 12;
	char zone[64];
	strftime(zone, sizeof zone, "%Z", &tm);
	snprintf(buf, n, "%s %d, %d at %d:%02d%s (%s)", mon[tm.tm_mon], tm.tm_mday,
		 tm.tm_year + 1900, h ? h : 12, tm.tm_min, tm.tm_hour < 12 ? "am" : "pm",
		 zone);
}

void cli_print_header(FILE *f, const struct cli *c, const struct profile *p,
			 const char *stype, const char *sunit, const char *outunit,
			 int64_t total)
{
	if (p->mappings.n) {
		const char *file = profile_str(p, p->mappings.v[0].file);
		if (*file) {
			const char *b = strrchr(file, '/');
			fprintf(f, "File: %s\n", b && b[1] ? b + 1 : file);
		}
		const char *bid = profile_str(p, p->mappings.v[0].build_id);
		if (*bid)
			fprintf(f, "Build ID: %s\n", bid);
	}
	for (size_t i = 0; i < p->comments.n; i++) {
		const char *s = profile_str(p, p->comments.v[i]);
		if (s[0] != '#')
			fprintf(f, "%s\n", s);
	}
	fprintf(f, "Type: %s\n", stype);
	if (p->time_nanos) {
		char tb[128];
		go_time(tb, sizeof tb, p->time_nanos);
		fprintf(f, "Time: %s\n", tb);
	}
	if (p->duration_nanos) {
		char d[64], t[64], ratio[32] = "";
		mt_scaled_label(d, sizeof d, p->duration_nanos, "nanoseconds", "auto");
		mt_scaled_label(t, sizeof t, total, sunit, outunit);
		const char *u;
		double ns = mt_scale(total, sunit, "nanoseconds", &u);
		if (strcmp(u, "ns") == 0 && ns != 0) {
			char pct[16];
			mt_percentage(pct, sizeof pct, (int64_t)ns, p->duration_nanos);
			snprintf(ratio, sizeof ratio, "(%s)", pct);
		}
		fprintf(f, "Duration: %s, Total samples = %s %s\n", d, t, ratio);
	}
	const char *filters[][2] = {{"focus", c->focus}, {"ignore", c->ignore},
				    {"hide", c->hide}, {"show", c->show}};
	bool any = false;
	for (size_t i = 0; i < 4; i++) {
		if (!filters[i][1] || !*filters[i][1])
			continue;
		if (!any)
			fprintf(f, "Active filters:\n");
		any = true;
		fprintf(f, "   %s=%.80s%s\n", filters[i][0], filters[i][1],
			strlen(filters[i][1]) > 80 ? "\xe2\x80\xa6" : "");
	}
}

/* RFC 3339 in UTC, with the fraction of a second when there is one. */
void cli_rfc3339(char *buf, size_t n, int64_t nanos)
{
	time_t t = (time_t)(nanos / 1000000000);
	int64_t frac = nanos % 1000000000;
	if (frac < 0) {
		frac += 1000000000;
		t--;
	}
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t k = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac) {
		char f[16];
		snprintf(f, sizeof f, ".%09" PRId64, frac);
		size_t l = strlen(f);
		while (l > 1 && f[l - 1] == '0')
			f[--l] = 0;
		snprintf(buf + k, n - k, "%sZ", f);
	} else {
		snprintf(buf + k, n - k, "Z");
	}
}

void cli_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}
