/* options.c - the table of command-line options and what is made from it:
 * the parser (getopt_long), the usage text and the man page's OPTIONS. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum opt_group {
	G_REPORT,
	G_FILTER,
	G_INPUT,
	G_VIEWER,
	G_FETCH,
	G_COLLECT,
	G_LEAKS,
	G_IMPORT,
	G_LIMITS,
	G_GENERAL,
	G_COUNT
};

static const char *const group_titles[G_COUNT] = {
	[G_REPORT] = "report options (pprof's names where pprof has them)",
	[G_FILTER] = "filters (pprof's; in the viewer the bottom of the filter stack)",
	[G_INPUT] = "inputs",
	[G_VIEWER] = "viewer",
	[G_FETCH] = "fetching URLs (every command that reads a PROFILE, and collect)",
	[G_COLLECT] = "collect",
	[G_LEAKS] = "leaks, check and metrics",
	[G_IMPORT] = "import",
	[G_LIMITS] = "limits on what one input may cost",
	[G_GENERAL] = "general",
};

/* Where a value goes and how it is read. */
enum opt_type {
	OT_STR,      /* const char * at off */
	OT_FLAG,     /* bool at off */
	OT_COUNT,    /* int >= 0 at off */
	OT_FRACTION, /* double >= 0 at off */
	OT_SECONDS,  /* double > 0 at off */
	OT_GRAN,     /* enum mt_granularity at off */
	OT_FORMAT,   /* --format */
	OT_LIMIT,    /* size_t > 0 at off, with k/M/G */
	OT_PID,      /* appended to pids */
	OT_HELP,
	OT_HELP_MAN,
	OT_VERSION,
};

struct opt {
	const char *name;
	char short_name;
	const char *arg; /* NULL: a flag */
	enum opt_group group;
	enum opt_type type;
	size_t off;
	const char *help; /* one sentence, no final period; man and --help */
	bool hidden;      /* not in --help (still in the man page) */
};

#define OPT(n, s, a, g, t, o, h)                                                 \
	{.name = (n), .short_name = (s), .arg = (a), .group = (g), .type = (t),   \
	 .off = (o), .help = (h)}
/* An option the usage text leaves out (the man page has it). */
#define HIDDEN_OPT(n, g, t, h)                                                   \
	{.name = (n), .group = (g), .type = (t), .help = (h), .hidden = true}
#define AT(field) offsetof(struct cli, field)
#define FILTER(k) AT(q.filter[k])

static const struct opt opts[] = {
	/* report */
	OPT("sample-index", 'i', "NAME|N", G_REPORT, OT_STR, AT(q.sample_index),
	 "the sample type, by name (inuse_space, alloc_objects, delay, ...) or number "
	 "(default: the profile's default type, else its last)"),
	OPT("nodecount", 'n', "N", G_REPORT, OT_COUNT, AT(q.nodecount),
	 "show at most N rows (tree: nodes, as pprof's -nodecount; 0, the default, shows "
	 "all; peek shows every match)"),
	OPT("nodefraction", 0, "F", G_REPORT, OT_FRACTION, AT(q.nodefraction),
	 "drop nodes whose |cum| is under F of the flat sum, as pprof's -nodefraction "
	 "(default 0; peek keeps them)"),
	OPT("cum", 0, NULL, G_REPORT, OT_FLAG, AT(q.cum), "sort by cumulative value"),
	OPT("mean", 0, NULL, G_REPORT, OT_FLAG, AT(q.mean),
	 "divide each value by the contentions of the same samples (mutex and block: "
	 "the mean delay), as pprof's -mean"),
	OPT("mean-delay", 0, NULL, G_REPORT, OT_FLAG, AT(q.mean), "the same as --mean"),
	OPT("unit", 0, "UNIT", G_REPORT, OT_STR, AT(q.unit),
	 "output unit: B, kB, MB, GB, ns, us, ms, s, auto (each value scaled on its own) "
	 "or minimum (the default: one unit that fits, as pprof picks it)"),
	OPT("granularity", 0, "G", G_REPORT, OT_GRAN, AT(q.gran),
	 "functions (default), filefunctions, files, lines or addresses"),
	OPT("format", 0, "FORMAT", G_REPORT, OT_FORMAT, 0,
	 "text (default) or json; export: folded, json, pprof or svg"),
	OPT("output", 'o', "FILE", G_REPORT, OT_STR, AT(output),
	 "export: write to FILE instead of standard output"),
	OPT("normalize", 0, NULL, G_REPORT, OT_FLAG, AT(q.normalize),
	 "with a base (diff, --base, --diff-base): scale the profile to the base's "
	 "totals first, as pprof's -normalize"),
	OPT("source-path", 0, "DIRS", G_REPORT, OT_STR, AT(source_path),
	 "list and the source view: where to look for source files (':'-separated), "
	 "as pprof's -source_path"),
	OPT("trim-path", 0, "PREFIXES", G_REPORT, OT_STR, AT(trim_path),
	 "list and the source view: path prefixes to remove, as pprof's -trim_path"),
	OPT("state", 0, "REGEX", G_REPORT, OT_STR, AT(state),
	 "goroutines: keep the groups whose state matches"),
	/* filters */
	OPT("focus", 0, "REGEX", G_FILTER, OT_STR, FILTER(MT_FILTER_FOCUS),
	 "keep only samples with a frame whose function, file or binary matches"),
	OPT("ignore", 0, "REGEX", G_FILTER, OT_STR, FILTER(MT_FILTER_IGNORE),
	 "drop samples with such a frame"),
	OPT("hide", 0, "REGEX", G_FILTER, OT_STR, FILTER(MT_FILTER_HIDE),
	 "remove matching frames from the stacks"),
	OPT("show", 0, "REGEX", G_FILTER, OT_STR, FILTER(MT_FILTER_SHOW),
	 "keep only matching frames in the stacks"),
	OPT("tagfocus", 0, "[KEY=]VALUE", G_FILTER, OT_STR, FILTER(MT_FILTER_TAGFOCUS),
	 "keep only samples with a label matching: VALUE is a comma-separated list of "
	 "regular expressions, or a numeric range (32kb, 1mb:, :64kb, 12kb:64mb)"),
	OPT("tagignore", 0, "[KEY=]VALUE", G_FILTER, OT_STR, FILTER(MT_FILTER_TAGIGNORE),
	 "drop samples with a label matching, as --tagfocus reads it"),
	OPT("tagshow", 0, "REGEX", G_FILTER, OT_STR, FILTER(MT_FILTER_TAGSHOW),
	 "show only the labels whose key matches (traces)"),
	OPT("taghide", 0, "REGEX", G_FILTER, OT_STR, FILTER(MT_FILTER_TAGHIDE),
	 "hide the labels whose key matches (traces)"),
	OPT("tagroot", 0, "KEYS", G_FILTER, OT_STR, AT(q.tagroot),
	 "add each sample's values of the comma-separated label KEYS as frames at the "
	 "root of its stack"),
	OPT("tagleaf", 0, "KEYS", G_FILTER, OT_STR, AT(q.tagleaf),
	 "add them as frames at the leaf"),
	/* inputs */
	OPT("base", 0, "PROFILE", G_INPUT, OT_STR, AT(q.base),
	 "subtract PROFILE first, as pprof's -base"),
	OPT("diff-base", 0, "PROFILE", G_INPUT, OT_STR, AT(q.diff_base),
	 "compare with PROFILE, percentages of its total, as pprof's -diff_base"),
	OPT("binary", 0, "PATH", G_INPUT, OT_STR, AT(q.binary),
	 "the program's binary, to name the addresses of profiles without symbols "
	 "(tcmalloc and jemalloc heaps)"),
	OPT("db", 0, "PATH", G_INPUT, OT_STR, AT(q.db),
	 "the snapshot database (default $MEMTOP_DB, else "
	 "$XDG_DATA_HOME/memtop/memtop.db); :memory: keeps nothing; files are made "
	 "with mode 0600 and marked as memtop's (PRAGMA application_id): another "
	 "program's SQLite database is refused and left unchanged"),
	/* viewer */
	OPT("script", 0, "FILE", G_VIEWER, OT_STR, AT(script),
	 "run the viewer without a terminal on the keys in FILE (one per line; "
	 ":dump PATH writes the screen, :latency prints key latencies)"),
	OPT("screen", 0, "COLSxROWS", G_VIEWER, OT_STR, AT(screen),
	 "the script mode's screen size (default 120x40)"),
	/* fetching URLs */
	OPT("seconds", 0, "N", G_FETCH, OT_COUNT, AT(q.fetch.seconds),
	 "ask for Go's delta profiles over N seconds (heap, allocs, mutex, block, "
	 "goroutine; a CPU profile's length): sets seconds=N in every URL, as pprof's "
	 "-seconds"),
	OPT("timeout", 0, "SECONDS", G_FETCH, OT_SECONDS, AT(q.fetch.timeout),
	 "the time one request may take beyond the profile's own seconds (default: "
	 "as go tool pprof, 60, or 1.5 times the seconds, and 5 of grace; collect: 30)"),
	OPT("max-body", 0, "BYTES", G_FETCH, OT_LIMIT, AT(q.fetch.max_body),
	 "refuse larger responses (default 128M; suffixes k, M, G)"),
	OPT("gc", 0, NULL, G_FETCH, OT_FLAG, AT(q.fetch.gc),
	 "add gc=1 to heap requests: the service collects garbage first"),
	/* collect */
	OPT("interval", 0, "SECONDS", G_COLLECT, OT_STR, AT(interval),
	 "time between rounds; the viewer on a URL: between its fetches (default 10)"),
	OPT("count", 0, "N", G_COLLECT, OT_STR, AT(count),
	 "stop after N rounds (default 0: until stopped)"),
	OPT("retain", 0, "N|AGE", G_COLLECT, OT_STR, AT(retain),
	 "keep the newest N snapshots, or those younger than AGE (90s, 30m, 12h, 7d)"),
	OPT("pid", 0, "PID", G_COLLECT, OT_PID, 0,
	 "also sample RSS, fds and threads of PID from /proc each round (repeatable)"),
	OPT("push", 0, "STORE", G_COLLECT, OT_STR, AT(push),
	 "also send each scraped profile to a store: pyroscope://HOST:PORT or "
	 "parca://HOST:PORT, labels as {service_name=\"api\",env=\"prod\"} after it "
	 "(--db :memory: to keep nothing here)"),
	OPT("watch", 0, "DIR", G_COLLECT, OT_STR, AT(watch),
	 "import each profile a program writes into DIR, once complete"),
	/* leaks, check, metrics */
	OPT("source", 0, "S", G_LEAKS, OT_STR, AT(source),
	 "leaks and check: the series of source S (a URL, or the directory of files); "
	 "metrics: series whose source contains S"),
	OPT("kind", 0, "KIND", G_LEAKS, OT_STR, AT(kind), "heap, allocs, goroutine, mutex, block, ..."),
	OPT("since", 0, "DURATION|@ID", G_LEAKS, OT_STR, AT(since),
	 "leaks and check: only the last DURATION before the newest snapshot (90s, 30m, "
	 "12h, 7d); goroutines: how many of each group's goroutines have been there since "
	 "stored dump @ID (or DURATION before the dump), and the oldest"),
	OPT("max-growth", 0, "PCT%|SIZE", G_LEAKS, OT_STR, AT(max_growth),
	 "check: fail (exit 3) on a leak that grew more than PCT% of its first value, or "
	 "SIZE (e.g. 10MB) in the sample type's unit"),
	OPT("max-goroutines-growth", 0, "N|PCT%", G_LEAKS, OT_STR, AT(max_gor_growth),
	 "check: fail (exit 3) on a goroutine group (state, stack, creator) that grew "
	 "steadily by more than N goroutines, or PCT% of its first count"),
	OPT("ignore-file", 0, "FILE", G_LEAKS, OT_STR, AT(ignore_file),
	 "leaks and check: goroutine groups to leave out, one regular expression a line "
	 "matched against each frame's function and the creator (\"top:REGEX\": the top "
	 "function only), as goleak's IgnoreAnyFunction and IgnoreTopFunction"),
	OPT("series", 0, "NAME", G_LEAKS, OT_STR, AT(series),
	 "metrics: only this series (NAME. or NAME*: a prefix)"),
	/* import */
	OPT("time", 0, "TIME", G_IMPORT, OT_STR, AT(time),
	 "the capture time to store (RFC 3339 or Unix seconds) instead of the profile's"),
	/* limits */
	OPT("max-inflate", 0, "BYTES", G_LIMITS, OT_LIMIT, AT(q.lim.max_inflate),
	 "refuse gzip data inflating past BYTES (suffixes k, M, G); by default it may "
	 "inflate to 50 times its size (at least 16M, at most 4G), and a stream whose "
	 "first bytes cannot start a profile is refused before the rest is inflated"),
	OPT("max-samples", 0, "N", G_LIMITS, OT_LIMIT, AT(q.lim.max_samples),
	 "refuse profiles with more samples (default: 1M, or one per 4 bytes of the "
	 "input as read, if more)"),
	OPT("max-frames", 0, "N", G_LIMITS, OT_LIMIT, AT(q.lim.max_frames),
	 "refuse stacks deeper than N frames (default 100000)"),
	OPT("max-string", 0, "BYTES", G_LIMITS, OT_LIMIT, AT(q.lim.max_string),
	 "refuse longer names and strings (default 1M)"),
	OPT("max-goroutines", 0, "N", G_LIMITS, OT_LIMIT, AT(q.lim.max_goroutines),
	 "refuse dumps with more goroutines (default: 200k, or one per 16 bytes of the "
	 "input as read, if more)"),
	/* general */
	OPT("help", 'h', NULL, G_GENERAL, OT_HELP, 0, "print this help"),
	OPT("version", 0, NULL, G_GENERAL, OT_VERSION, 0, "print memtop's version"),
	HIDDEN_OPT("help-man", G_GENERAL, OT_HELP_MAN,
		   "print the OPTIONS section of the man page"),
};

#define NOPTS (sizeof opts / sizeof opts[0])

static const char synopsis[] =
	"usage: memtop [OPTIONS] PROFILE...        open the interactive viewer\n"
	"       memtop top [OPTIONS] PROFILE       the top table, like go tool pprof -top\n"
	"       memtop diff [OPTIONS] BASE NEW     base, new and delta per function\n"
	"       memtop tree [OPTIONS] PROFILE      callers and callees of every function\n"
	"       memtop peek [OPTIONS] REGEX PROFILE  the same for matching functions\n"
	"       memtop traces [OPTIONS] PROFILE    every sample with its stack\n"
	"       memtop list [OPTIONS] REGEX PROFILE  annotated source of matching functions\n"
	"       memtop export [--format folded|json|pprof|svg] [-o FILE] PROFILE\n"
	"                                          the view as folded stacks, JSON,\n"
	"                                          a pprof profile or an SVG flame graph\n"
	"       memtop import FILE...              store profiles in the database, print their ids\n"
	"       memtop ls [STORE]                  list stored snapshots, or what a\n"
	"                                          Pyroscope or Parca holds\n"
	"       memtop rm ID...                    remove snapshots (and what only they used)\n"
	"       memtop collect [OPTIONS] URL...    scrape pprof endpoints into the database\n"
	"       memtop collect --watch DIR         import profiles a program writes into DIR\n"
	"       memtop leaks [OPTIONS] [STORE-RANGE]\n"
	"                                          every stored series ranked by growth:\n"
	"                                          functions and stacks, goroutine groups\n"
	"                                          and their creators (with a store's\n"
	"                                          range: that series, fetched first)\n"
	"       memtop check --max-growth PCT%|SIZE [--max-goroutines-growth N|PCT%]\n"
	"                    [--ignore-file FILE] [--since DURATION]\n"
	"                                          exit 3 when a series leaks past it (CI)\n"
	"       memtop goroutines [OPTIONS] DUMP   goroutines grouped by state, stack and\n"
	"                                          creator; --since @ID: stuck since when\n"
	"       memtop metrics [--series NAME] [--source S]\n"
	"                                          time series stored beside the snapshots\n"
	"                                          (expvar memstats, /proc of --pid, gctrace)\n"
	"\n"
	"PROFILE is a file (the format is detected from the content: pprof\n"
	"protobuf, Go's text formats, goroutine dumps, tcmalloc and jemalloc heaps),\n"
	"@ID, a snapshot stored in the database, or a URL as go tool pprof takes\n"
	"one (http://host:6060/debug/pprof/heap, or host:6060/debug/pprof/heap);\n"
	"host:6060 alone fetches every profile the service offers and reads its\n"
	"heap. Or a query of a profile store: pyroscope://HOST:4040/TYPE{LABELS}?\n"
	"from=..&until=..&step=.. or parca://HOST:7070/... (man memtop: PROFILE\n"
	"STORES). Whatever is fetched is stored in the database (--db :memory:\n"
	"keeps nothing).\n";

static const char footer[] =
	"\n"
	"Exit status: 0 success, 1 bad input or failed operation, 2 bad usage,\n"
	"3 memtop check found a series growing past --max-growth or\n"
	"--max-goroutines-growth.\n";

/* "-i, --sample-index NAME|N" */
static void opt_label(char *buf, size_t n, const struct opt *o)
{
	if (o->short_name)
		snprintf(buf, n, "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
	else
		snprintf(buf, n, "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

/* Writes text wrapped at width columns, continuation lines indented by
 * indent. */
static void wrap(FILE *f, const char *text, int col, int indent, int width)
{
	const char *p = text;
	while (*p) {
		const char *sp = strchr(p, ' ');
		int wl = sp ? (int)(sp - p) : (int)strlen(p);
		if (col > indent && col + 1 + wl > width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, (size_t)wl, f);
		col += wl;
		p += wl;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

void cli_print_usage(FILE *f)
{
	fputs(synopsis, f);
	for (int g = 0; g < G_COUNT; g++) {
		fprintf(f, "\n%s:\n", group_titles[g]);
		for (size_t i = 0; i < NOPTS; i++) {
			const struct opt *o = &opts[i];
			if (o->group != (enum opt_group)g || o->hidden)
				continue;
			char label[64];
			opt_label(label, sizeof label, o);
			if (strlen(label) > 25)
				fprintf(f, "  %s\n%28s", label, "");
			else
				fprintf(f, "  %-25s ", label);
			wrap(f, o->help, 28, 28, 79);
		}
	}
	fputs(footer, f);
}

/* Writes s for roff: '-' as \-, backslashes doubled, a leading '.' or '\''
 * escaped. */
static void roff(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '-')
			fputs("\\-", f);
		else if (*s == '\\')
			fputs("\\e", f);
		else
			fputc(*s, f);
	}
}

void cli_print_man_options(FILE *f)
{
	fputs(".\\\" Made by memtop --help-man from src/cli/options.c: do not edit here.\n", f);
	for (int g = 0; g < G_COUNT; g++) {
		fputs(".SS ", f);
		roff(f, group_titles[g]);
		fputc('\n', f);
		for (size_t i = 0; i < NOPTS; i++) {
			const struct opt *o = &opts[i];
			if (o->group != (enum opt_group)g)
				continue;
			fputs(".TP\n", f);
			if (o->short_name)
				fprintf(f, "\\fB\\-%c\\fR, ", o->short_name);
			fputs("\\fB\\-\\-", f);
			roff(f, o->name);
			fputs("\\fR", f);
			if (o->arg) {
				fputs(" \\fI", f);
				roff(f, o->arg);
				fputs("\\fR", f);
			}
			fputc('\n', f);
			char first[2] = {(char)(o->help[0] >= 'a' && o->help[0] <= 'z'
							? o->help[0] - 'a' + 'A'
							: o->help[0]),
					 0};
			roff(f, first);
			roff(f, o->help + 1);
			fputs(".\n", f);
		}
	}
}

static bool parse_size(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return false;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end)
		return false;
	*out = (size_t)v;
	return true;
}

/* Stores one option's value; returns -1, or the exit status. */
static int set_option(struct cli *c, const struct opt *o, const char *arg)
{
	char *base = (char *)c + o->off, *end;
	switch (o->type) {
	case OT_STR:
		*(const char **)base = arg;
		return -1;
	case OT_FLAG:
		*(bool *)base = true;
		return -1;
	case OT_COUNT: {
		errno = 0;
		long v = strtol(arg, &end, 10);
		if (errno || *end || end == arg || v < 0 || v > 1 << 30)
			break;
		*(int *)base = (int)v;
		return -1;
	}
	case OT_FRACTION: {
		double v = strtod(arg, &end);
		if (*end || end == arg || !(v >= 0))
			break;
		*(double *)base = v;
		return -1;
	}
	case OT_SECONDS: {
		double v = strtod(arg, &end);
		if (*end || end == arg || !(v > 0) || v > 1e7)
			break;
		*(double *)base = v;
		return -1;
	}
	case OT_GRAN: {
		int g = mt_granularity_parse(arg);
		if (g < 0) {
			cli_err("", "bad --granularity \"%s\" (functions, filefunctions, files, "
				    "lines, addresses)",
				arg);
			return EXIT_USAGE;
		}
		*(enum mt_granularity *)base = (enum mt_granularity)g;
		return -1;
	}
	case OT_FORMAT:
		/* export has formats of its own; others take text|json */
		c->format_arg = arg;
		if (strcmp(arg, "json") == 0) {
			c->format = CLI_JSON;
		} else if (strcmp(arg, "text") == 0) {
			c->format = CLI_TEXT;
		} else if (!c->cmd || strcmp(c->cmd, "export") != 0) {
			cli_err("", "bad --format \"%s\" (text or json)", arg);
			return EXIT_USAGE;
		}
		return -1;
	case OT_LIMIT: {
		size_t sz;
		if (!parse_size(arg, &sz) || sz == 0) {
			cli_err("", "bad limit \"%s\"", arg);
			return EXIT_USAGE;
		}
		*(size_t *)base = sz;
		/* An explicit inflation limit in bytes replaces the ratio;
		 * explicit counts replace the sizing from the input. */
		if (o->off == offsetof(struct cli, q.lim.max_inflate))
			c->q.lim.max_inflate_ratio = 0;
		if (o->off == offsetof(struct cli, q.lim.max_samples))
			c->q.lim.samples_by_input = false;
		if (o->off == offsetof(struct cli, q.lim.max_goroutines))
			c->q.lim.goroutines_by_input = false;
		return -1;
	}
	case OT_PID: {
		long v = strtol(arg, &end, 10);
		if (*end || end == arg || v <= 0 || v > 1 << 30 ||
		    c->npids == (int)(sizeof c->pids / sizeof c->pids[0]))
			break;
		c->pids[c->npids++] = (int)v;
		return -1;
	}
	case OT_HELP:
		cli_print_usage(stdout);
		return EXIT_OK;
	case OT_HELP_MAN:
		cli_print_man_options(stdout);
		return EXIT_OK;
	case OT_VERSION:
		printf("memtop %s\n", MEMTOP_VERSION);
		return EXIT_OK;
	}
	cli_err("", "bad --%s \"%s\"", o->name, arg);
	return EXIT_USAGE;
}

int cli_parse_options(struct cli *c, int argc, char **argv)
{
	struct option lo[NOPTS + 1];
	char shorts[2 * NOPTS + 1];
	size_t ns = 0;
	for (size_t i = 0; i < NOPTS; i++) {
		lo[i] = (struct option){opts[i].name,
					opts[i].arg ? required_argument : no_argument, NULL,
					256 + (int)i};
		if (opts[i].short_name) {
			shorts[ns++] = opts[i].short_name;
			if (opts[i].arg)
				shorts[ns++] = ':';
		}
	}
	lo[NOPTS] = (struct option){0};
	shorts[ns] = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		const struct opt *o = NULL;
		if (opt >= 256 && opt < 256 + (int)NOPTS)
			o = &opts[opt - 256];
		for (size_t i = 0; !o && i < NOPTS; i++)
			if (opts[i].short_name && opts[i].short_name == opt)
				o = &opts[i];
		if (!o) {
			fputs("try memtop --help\n", stderr);
			return EXIT_USAGE;
		}
		int rc = set_option(c, o, optarg);
		if (rc >= 0)
			return rc;
	}
	return -1;
}
