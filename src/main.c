/* main.c - memtop's entry point: parses the command line and runs a
 * subcommand (or, with profiles and no subcommand, the interactive UI). */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ui/ui.h"
#include "ui/view_source.h"

#ifndef MEMTOP_VERSION
#define MEMTOP_VERSION "0.1.0"
#endif

static const char usage[] =
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
	"       memtop ls                          list stored snapshots\n"
	"       memtop rm ID...                    remove snapshots (and what only they used)\n"
	"       memtop collect [OPTIONS] URL...    scrape pprof endpoints into the database\n"
	"       memtop collect --watch DIR         import profiles a program writes into DIR\n"
	"       memtop leaks [OPTIONS]             functions and stacks ranked by growth\n"
	"                                          across stored snapshots\n"
	"       memtop check --max-growth PCT%|SIZE [--since DURATION]\n"
	"                                          exit 3 when a function leaks past it (CI)\n"
	"       memtop goroutines [OPTIONS] DUMP   goroutines grouped by state and stack\n"
	"       memtop metrics [--series NAME] [--source S]\n"
	"                                          time series stored beside the snapshots\n"
	"                                          (expvar memstats, /proc of --pid, gctrace)\n"
	"\n"
	"PROFILE is a file: pprof protobuf (gzip or raw). The format is detected\n"
	"from the content.\n"
	"\n"
	"options (pprof's names where pprof has them):\n"
	"  -i, --sample-index NAME|N  sample type (default: the profile's default,\n"
	"                             else its last type)\n"
	"  -n, --nodecount N          show at most N rows (0 = all, the default)\n"
	"      --nodefraction F       hide nodes with cum <= F of the total (default 0)\n"
	"      --cum                  sort by cumulative value\n"
	"      --mean, --mean-delay   values per contention (mutex/block: mean delay)\n"
	"      --unit UNIT            B, kB, MB, GB, ns, us, ms, s, auto or minimum\n"
	"      --focus REGEX          keep samples with a frame matching REGEX\n"
	"      --ignore REGEX         drop samples with a frame matching REGEX\n"
	"      --hide REGEX           remove matching frames from stacks\n"
	"      --show REGEX           keep only matching frames in stacks\n"
	"      --state REGEX          goroutines: keep groups whose state matches\n"
	"                             (--focus: a frame's function or file matches)\n"
	"      --granularity G        functions (default), filefunctions, files,\n"
	"                             lines or addresses\n"
	"      --format text|json     output format (default text)\n"
	"      --base PROFILE         subtract PROFILE first (pprof's -base)\n"
	"      --diff-base PROFILE    compare with PROFILE, percentages of its total\n"
	"      --normalize            diff: scale NEW to BASE's total first\n"
	"      --source-path DIRS     list: where to look for source files (':'-separated)\n"
	"      --trim-path PREFIXES   list: prefixes to remove from the profile's paths\n"
	"      --db PATH              snapshot database (default $MEMTOP_DB, else\n"
	"                             $XDG_DATA_HOME/memtop/memtop.db); :memory: for none\n"
	"collect options:\n"
	"      --interval SECONDS     time between rounds (default 10)\n"
	"      --count N              stop after N rounds (default 0: until stopped)\n"
	"      --timeout SECONDS      per request, beyond profile?seconds=N (default 30)\n"
	"      --max-body BYTES       refuse larger responses (default 512 MiB)\n"
	"      --gc                   add gc=1 to heap requests\n"
	"      --retain N|AGE         keep the newest N snapshots, or those younger\n"
	"                             than AGE (90s, 30m, 12h, 7d)\n"
	"      --pid PID              also sample RSS, fds and threads of PID from\n"
	"                             /proc each round (repeatable); URLs ending in\n"
	"                             /debug/vars are stored as expvar series\n"
	"      --max-inflate BYTES    refuse gzip data inflating past BYTES (default:\n"
	"                             100 times the compressed size, at most 4 GiB)\n"
	"      --max-samples N        refuse profiles with more samples (50M)\n"
	"      --max-frames N         refuse stacks deeper than N (100000)\n"
	"      --max-string BYTES     refuse longer names and strings (1 MiB)\n"
	"      --max-goroutines N     refuse dumps with more goroutines (10M)\n"
	"leaks and check options (the snapshots of one source and kind; default:\n"
	"the source and kind with the most snapshots):\n"
	"      --source S             snapshots whose source contains S\n"
	"      --kind KIND            heap, allocs, goroutine, mutex, block, ...\n"
	"      --since DURATION       only the last DURATION before the newest\n"
	"                             snapshot (90s, 30m, 12h, 7d)\n"
	"      --max-growth PCT%|SIZE check: fail on a leak (steady growth: R^2 >= 0.8,\n"
	"                             75% of steps rising, last > first) that grew\n"
	"                             more than PCT% of its first value (of the\n"
	"                             first total if it was absent), or SIZE\n"
	"                             (e.g. 10MB) in the sample type's unit\n"
	"import options:\n"
	"      --time TIME            capture time to store (RFC 3339 or Unix\n"
	"                             seconds) instead of the profile's own\n"
	"metrics options:\n"
	"      --series NAME          only this series (NAME. or NAME*: a prefix)\n"
	"      --source S             only series whose source contains S\n"
	"  -h, --help                 this help\n"
	"      --version              memtop's version\n"
	"\n"
	"Exit status: 0 success, 1 bad input or failed operation, 2 bad usage,\n"
	"3 memtop check found a function growing past --max-growth.\n";

enum {
	OPT_CUM = 256,
	OPT_UNIT,
	OPT_FOCUS,
	OPT_IGNORE,
	OPT_HIDE,
	OPT_SHOW,
	OPT_GRAN,
	OPT_FORMAT,
	OPT_DB,
	OPT_BASE,
	OPT_DIFF_BASE,
	OPT_BINARY,
	OPT_NODEFRACTION,
	OPT_MAX_INFLATE,
	OPT_MAX_SAMPLES,
	OPT_MAX_FRAMES,
	OPT_MAX_STRING,
	OPT_MAX_GOROUTINES,
	OPT_VERSION,
	OPT_SCRIPT,
	OPT_SCREEN,
	OPT_NORMALIZE,
	OPT_MEAN,
	OPT_INTERVAL,
	OPT_COUNT,
	OPT_TIMEOUT,
	OPT_MAX_BODY,
	OPT_RETAIN,
	OPT_GC,
	OPT_STATE,
	OPT_PID,
	OPT_SERIES,
	OPT_SOURCE,
	OPT_SOURCE_PATH,
	OPT_TRIM_PATH,
	OPT_KIND,
	OPT_SINCE,
	OPT_MAX_GROWTH,
	OPT_TIME,
	OPT_WATCH,
};

static const struct option long_opts[] = {
	{"sample-index", required_argument, NULL, 'i'},
	{"nodecount", required_argument, NULL, 'n'},
	{"nodefraction", required_argument, NULL, OPT_NODEFRACTION},
	{"cum", no_argument, NULL, OPT_CUM},
	{"unit", required_argument, NULL, OPT_UNIT},
	{"focus", required_argument, NULL, OPT_FOCUS},
	{"ignore", required_argument, NULL, OPT_IGNORE},
	{"hide", required_argument, NULL, OPT_HIDE},
	{"show", required_argument, NULL, OPT_SHOW},
	{"granularity", required_argument, NULL, OPT_GRAN},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"db", required_argument, NULL, OPT_DB},
	{"base", required_argument, NULL, OPT_BASE},
	{"diff-base", required_argument, NULL, OPT_DIFF_BASE},
	{"binary", required_argument, NULL, OPT_BINARY},
	{"max-inflate", required_argument, NULL, OPT_MAX_INFLATE},
	{"max-samples", required_argument, NULL, OPT_MAX_SAMPLES},
	{"max-frames", required_argument, NULL, OPT_MAX_FRAMES},
	{"max-string", required_argument, NULL, OPT_MAX_STRING},
	{"max-goroutines", required_argument, NULL, OPT_MAX_GOROUTINES},
	{"normalize", no_argument, NULL, OPT_NORMALIZE},
	{"mean", no_argument, NULL, OPT_MEAN},
	{"mean-delay", no_argument, NULL, OPT_MEAN},
	{"script", required_argument, NULL, OPT_SCRIPT},
	{"screen", required_argument, NULL, OPT_SCREEN},
	{"interval", required_argument, NULL, OPT_INTERVAL},
	{"count", required_argument, NULL, OPT_COUNT},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"max-body", required_argument, NULL, OPT_MAX_BODY},
	{"retain", required_argument, NULL, OPT_RETAIN},
	{"gc", no_argument, NULL, OPT_GC},
	{"state", required_argument, NULL, OPT_STATE},
	{"pid", required_argument, NULL, OPT_PID},
	{"series", required_argument, NULL, OPT_SERIES},
	{"source", required_argument, NULL, OPT_SOURCE},
	{"source-path", required_argument, NULL, OPT_SOURCE_PATH},
	{"trim-path", required_argument, NULL, OPT_TRIM_PATH},
	{"kind", required_argument, NULL, OPT_KIND},
	{"since", required_argument, NULL, OPT_SINCE},
	{"max-growth", required_argument, NULL, OPT_MAX_GROWTH},
	{"time", required_argument, NULL, OPT_TIME},
	{"watch", required_argument, NULL, OPT_WATCH},
	{"output", required_argument, NULL, 'o'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{0},
};

static const struct {
	const char *name;
	int (*run)(struct cli *);
} commands[] = {
	{"top", cmd_top},
	{"diff", cmd_diff},
	{"export", cmd_export},
	{"tree", cmd_tree},
	{"peek", cmd_peek},
	{"traces", cmd_traces},
	{"list", cmd_list},
	{"import", cmd_import},
	{"ls", cmd_ls},
	{"rm", cmd_rm},
	{"collect", cmd_collect},
	{"goroutines", cmd_goroutines},
	{"metrics", cmd_metrics},
	{"leaks", cmd_leaks},
	{"check", cmd_check},
};

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

int main(int argc, char **argv)
{
	setlocale(LC_CTYPE, "");
	/* Past ulimit -f a write fails with EFBIG, reported like a full disk,
	 * instead of the signal killing memtop without a word. */
	signal(SIGXFSZ, SIG_IGN);
	struct cli c = {.prog = "memtop", .gran = MT_GRAN_FUNCTIONS,
			.lim = MT_LIMITS_DEFAULT};
	c.db = getenv("MEMTOP_DB");
	int opt;
	/* Subcommand first, then options anywhere after it. */
	int first = 1;
	if (argc > 1 && argv[1][0] != '-') {
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (strcmp(argv[1], commands[i].name) == 0)
				c.cmd = argv[1];
		if (c.cmd)
			first = 2;
	}
	optind = first;
	while ((opt = getopt_long(argc, argv, "hi:n:o:", long_opts, NULL)) != -1) {
		size_t sz;
		char *end;
		switch (opt) {
		case 'h':
			fputs(usage, stdout);
			return EXIT_OK;
		case OPT_VERSION:
			printf("memtop %s\n", MEMTOP_VERSION);
			return EXIT_OK;
		case 'i': c.sample_index = optarg; break;
		case 'n':
			c.nodecount = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || c.nodecount < 0) {
				cli_err("", "bad --nodecount \"%s\"", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_NODEFRACTION:
			c.nodefraction = strtod(optarg, &end);
			if (*end || end == optarg || c.nodefraction < 0) {
				cli_err("", "bad --nodefraction \"%s\"", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_CUM: c.cum = true; break;
		case OPT_UNIT: c.unit = optarg; break;
		case OPT_FOCUS: c.focus = optarg; break;
		case OPT_IGNORE: c.ignore = optarg; break;
		case OPT_HIDE: c.hide = optarg; break;
		case OPT_SHOW: c.show = optarg; break;
		case OPT_GRAN: {
			int g = mt_granularity_parse(optarg);
			if (g < 0) {
				cli_err("", "bad --granularity \"%s\" (functions, "
					    "filefunctions, files, lines, addresses)",
					optarg);
				return EXIT_USAGE;
			}
			c.gran = (enum mt_granularity)g;
			break;
		}
		case OPT_FORMAT:
			/* export has formats of its own; others take text|json */
			c.format_arg = optarg;
			if (strcmp(optarg, "json") == 0) {
				c.format = CLI_JSON;
			} else if (strcmp(optarg, "text") == 0) {
				c.format = CLI_TEXT;
			} else if (!c.cmd || strcmp(c.cmd, "export") != 0) {
				cli_err("", "bad --format \"%s\" (text or json)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o': c.output = optarg; break;
		case OPT_DB: c.db = optarg; break;
		case OPT_BASE: c.base = optarg; break;
		case OPT_DIFF_BASE: c.diff_base = optarg; break;
		case OPT_BINARY: c.binary = optarg; break;
		case OPT_NORMALIZE: c.normalize = true; break;
		case OPT_MEAN: c.mean = true; break;
		case OPT_SCRIPT: c.script = optarg; break;
		case OPT_SCREEN: c.screen = optarg; break;
		case OPT_INTERVAL: c.interval = optarg; break;
		case OPT_COUNT: c.count = optarg; break;
		case OPT_TIMEOUT: c.timeout = optarg; break;
		case OPT_MAX_BODY: c.max_body = optarg; break;
		case OPT_RETAIN: c.retain = optarg; break;
		case OPT_GC: c.gc = true; break;
		case OPT_STATE: c.state = optarg; break;
		case OPT_PID: {
			long v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v <= 0 || v > 1 << 30 ||
			    c.npids == (int)(sizeof c.pids / sizeof c.pids[0])) {
				cli_err("", "bad --pid \"%s\"", optarg);
				return EXIT_USAGE;
			}
			c.pids[c.npids++] = (int)v;
			break;
		}
		case OPT_SERIES: c.series = optarg; break;
		case OPT_SOURCE: c.source = optarg; break;
		case OPT_SOURCE_PATH: c.source_path = optarg; break;
		case OPT_TRIM_PATH: c.trim_path = optarg; break;
		case OPT_KIND: c.kind = optarg; break;
		case OPT_SINCE: c.since = optarg; break;
		case OPT_MAX_GROWTH: c.max_growth = optarg; break;
		case OPT_TIME: c.time = optarg; break;
		case OPT_WATCH: c.watch = optarg; break;
		case OPT_MAX_INFLATE:
		case OPT_MAX_SAMPLES:
		case OPT_MAX_FRAMES:
		case OPT_MAX_STRING:
		case OPT_MAX_GOROUTINES:
			if (!parse_size(optarg, &sz) || sz == 0) {
				cli_err("", "bad limit \"%s\"", optarg);
				return EXIT_USAGE;
			}
			if (opt == OPT_MAX_INFLATE) {
				/* An explicit limit in bytes replaces the ratio. */
				c.lim.max_inflate = sz;
				c.lim.max_inflate_ratio = 0;
			}
			else if (opt == OPT_MAX_SAMPLES)
				c.lim.max_samples = sz;
			else if (opt == OPT_MAX_STRING)
				c.lim.max_string = sz;
			else if (opt == OPT_MAX_GOROUTINES)
				c.lim.max_goroutines = sz;
			else
				c.lim.max_frames = sz;
			break;
		default:
			fputs("try memtop --help\n", stderr);
			return EXIT_USAGE;
		}
	}
	c.args = argv + optind;
	c.nargs = argc - optind;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (c.cmd && strcmp(c.cmd, commands[i].name) == 0)
			return commands[i].run(&c);
	/* memtop --db DB alone opens the viewer on the stored snapshots. */
	if (c.nargs == 0 && !(c.db && (c.script || isatty(STDOUT_FILENO)))) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	/* The interactive viewer; without a terminal (and no --script), or
	 * on one that cannot address the cursor (TERM=dumb: an editor's shell
	 * buffer, a CI log), the top table is what can be shown. */
	view_source_paths(c.source_path, c.trim_path);
	const char *term = getenv("TERM");
	int dumb = !term || !*term || strcmp(term, "dumb") == 0;
	if (c.script || (isatty(STDOUT_FILENO) && !dumb)) {
		/* The files go into the database meanwhile, for later sessions. */
		struct store_async *imp = cli_view_import_start(&c);
		int rc = ui_main(&c);
		cli_view_import_finish(imp);
		return rc;
	}
	if (isatty(STDOUT_FILENO))
		fprintf(stderr, "memtop: TERM=%s cannot show the viewer; printing the top table\n",
			term ? term : "");
	c.cmd = "top";
	if (c.nargs > 1)
		c.args += c.nargs - 1, c.nargs = 1;
	return cmd_top(&c);
}
