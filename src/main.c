/* main.c - memtop's entry point: parses the command line and runs a
 * subcommand (or, with profiles and no subcommand, the interactive UI). */
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "ui/ui.h"

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

int main(int argc, char **argv)
{
	setlocale(LC_CTYPE, "");
	/* Past ulimit -f a write fails with EFBIG, reported like a full disk,
	 * instead of the signal killing memtop without a word. */
	signal(SIGXFSZ, SIG_IGN);
	struct cli c = {.prog = "memtop"};
	mt_query_opts_init(&c.q);
	c.q.db = getenv("MEMTOP_DB");
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
	int rc = cli_parse_options(&c, argc, argv);
	if (rc >= 0)
		return rc;
	c.args = argv + optind;
	c.nargs = argc - optind;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (c.cmd && strcmp(c.cmd, commands[i].name) == 0) {
			cli_escape_terminals();
			rc = commands[i].run(&c);
			fflush(stdout);
			fflush(stderr);
			return rc;
		}
	}
	/* memtop --db DB alone opens the viewer on the stored snapshots. */
	if (c.nargs == 0 && !(c.q.db && (c.script || isatty(STDOUT_FILENO)))) {
		cli_print_usage(stderr);
		return EXIT_USAGE;
	}
	/* The interactive viewer; without a terminal (and no --script), or
	 * on one that cannot address the cursor (TERM=dumb: an editor's shell
	 * buffer, a CI log), the top table is what can be shown. */
	const char *term = getenv("TERM");
	int dumb = !term || !*term || strcmp(term, "dumb") == 0;
	if (c.script || (isatty(STDOUT_FILENO) && !dumb)) {
		/* The files go into the database meanwhile, for later sessions. */
		int interval = 10;
		if (c.interval) {
			char *end;
			long v = strtol(c.interval, &end, 10);
			if (*end || end == c.interval || v < 1 || v > 86400) {
				fprintf(stderr, "memtop: bad --interval \"%s\" (whole seconds, 1 to "
						"86400)\n", c.interval);
				return EXIT_USAGE;
			}
			interval = (int)v;
		}
		struct store_async *imp = cli_view_import_start(&c);
		bool skipped = false;
		struct ui_args ua = {.q = &c.q, .profiles = c.args, .nprofiles = c.nargs,
				     .script = c.script, .screen = c.screen,
				     .source_path = c.source_path, .trim_path = c.trim_path,
				     .import = imp, .import_skipped = &skipped,
				     .interval = interval};
		int rc = ui_main(&ua);
		if (skipped) {
			/* The import's open transaction dies with the process:
			 * SQLite stores all of a snapshot or none of it. */
			fprintf(stderr, "memtop: skipped storing the files (memtop import "
					"FILE stores them)\n");
			fflush(NULL);
			_exit(rc);
		}
		cli_view_import_finish(imp);
		return rc;
	}
	if (isatty(STDOUT_FILENO))
		fprintf(stderr, "memtop: TERM=%s cannot show the viewer; printing the top table\n",
			term ? term : "");
	c.cmd = "top";
	if (c.nargs > 1)
		c.args += c.nargs - 1, c.nargs = 1;
	cli_escape_terminals();
	rc = cmd_top(&c);
	fflush(stdout);
	return rc;
}
