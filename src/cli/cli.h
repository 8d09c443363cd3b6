/* cli.h - the command line: common options (pprof's names where pprof has
 * them) and one function per subcommand. Only this layer prints and exits. */
#ifndef MT_CLI_H
#define MT_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "../limits.h"
#include "../nodes.h"
#include "../profile.h"

enum cli_format { CLI_TEXT, CLI_JSON };

struct cli {
	const char *prog;
	const char *cmd;
	char **args; /* positional arguments after the command */
	int nargs;

	const char *db;
	const char *sample_index;
	int nodecount;      /* 0 = all */
	double nodefraction;
	bool cum;
	const char *unit;
	const char *focus, *ignore, *hide, *show;
	enum mt_granularity gran;
	const char *base, *diff_base;
	const char *binary;
	enum cli_format format;
	const char *script, *screen;
	struct mt_limits lim;
};

/* Exit statuses of DESIGN.md. */
enum { EXIT_OK = 0, EXIT_BAD = 1, EXIT_USAGE = 2 };

/* Prints "memtop: what: msg" on stderr. */
void cli_err(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Loads a profile argument (a file path, later also @ID) or prints the error
 * and returns NULL. */
struct profile *cli_load(struct cli *c, const char *arg);

/* Loads a profile argument and, with --base or --diff-base, subtracts the
 * base the way pprof does (a merge with the base negated). */
struct profile *cli_load_compared(struct cli *c, const char *arg);

/* Writes s as a JSON string literal. */
void cli_json_str(FILE *f, const char *s);

int cmd_top(struct cli *c);

#endif
