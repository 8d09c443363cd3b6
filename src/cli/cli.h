/* cli.h - the command line: common options (pprof's names where pprof has
 * them) and one function per subcommand. Only this layer prints and exits. */
#ifndef MT_CLI_H
#define MT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/limits.h"
#include "profile/nodes.h"
#include "profile/profile.h"
#include "report/top.h"
#include "query/query.h"

enum cli_format { CLI_TEXT, CLI_JSON };

struct cli {
	const char *prog;
	const char *cmd;
	char **args; /* positional arguments after the command */
	int nargs;

	/* What the query engine is asked: sample index, granularity,
	 * filters, base, binary, limits, the database of @ID. */
	struct mt_query_opts q;
	const char *state; /* goroutines --state REGEX */
	const char *source_path, *trim_path; /* list: pprof -source_path, -trim_path */
	enum cli_format format;
	const char *format_arg; /* as given, for export's own formats */
	const char *output;     /* -o FILE */
	const char *script, *screen;
	/* collect */
	const char *interval, *count, *retain, *watch;
	const char *push; /* collect --push STORE */
	int pids[64]; /* collect --pid, repeatable */
	int npids;
	/* metrics */
	const char *series, *source;
	/* leaks, check, import --time */
	const char *kind, *since, *max_growth, *time;
	const char *max_gor_growth, *ignore_file; /* check, leaks */
};

/* Exit statuses of DESIGN.md. */
enum { EXIT_OK = 0, EXIT_BAD = 1, EXIT_USAGE = 2 };
/* memtop check: a series grew past --max-growth or
 * --max-goroutines-growth. */
enum { EXIT_LEAK = 3 };

/* Shows control characters of whatever goes to a terminal in caret
 * notation from now on (tty.c); call before a subcommand prints. */
void cli_escape_terminals(void);

/* Prints "memtop: what: msg" on stderr. */
void cli_err(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints the warnings a query gathered (each once) on stderr and drops
 * them. */
struct mt_warnings;
void cli_print_warnings(struct mt_warnings *w);

/* Reads a profile argument (a file or @ID) through the query engine,
 * printing its warnings; prints the error and returns NULL on failure. */
struct profile *cli_load(struct cli *c, const char *arg);

/* The same with what the options do to a whole profile (--base,
 * --diff-base, --normalize, --tagroot, --tagleaf): query_load. */
struct profile *cli_load_compared(struct cli *c, const char *arg);

/* Builds the report of p (borrowed; must outlive r) under the options;
 * prints pprof's "... expression matched no samples" warnings, or the
 * error (naming `what`) and returns the exit status. */
int cli_report_open(struct cli *c, const struct profile *p, const char *what,
		    struct mt_report *r);
void cli_report_close(struct mt_report *r);

/* Prints pprof's ProfileLabels (File, Build ID, comments, Type, Time,
 * Duration) in output unit outunit: the header of -traces. */
void cli_print_profile_labels(FILE *f, const struct profile *p, const char *stype,
			      const char *sunit, const char *outunit, int64_t total);

/* Prints pprof's header lines of a report (File, Build ID, comments, Type,
 * Time, Duration, Active filters) in output unit outunit. */
void cli_print_header(FILE *f, const struct cli *c, const struct profile *p,
		      const char *stype, const char *sunit, const char *outunit,
		      int64_t total);

/* The report's sample type as pprof names it ("mean_delay" with --mean)
 * into buf. */
void cli_sample_type(const struct cli *c, const struct profile *p, int index, char *buf,
		     size_t n);

/* The output unit of a report's values: --unit, else pprof's
 * selectOutputUnit over the (trimmed) rows; a static or borrowed string. */
const char *cli_report_unit(const struct cli *c, const struct mt_report *r);

/* pprof's lines after the header of a trimmed report: "Showing nodes
 * accounting for ...", "Dropped N nodes (cum <= X)", "Showing top N nodes
 * out of M". */
void cli_print_shown(FILE *f, const struct mt_report *r, const char *sunit,
		     const char *outunit);

/* Formats nanos since the epoch as RFC 3339 in UTC, with the fraction of a
 * second when there is one. */
void cli_rfc3339(char *buf, size_t n, int64_t nanos);


/* Profile stores (cmd_fleet.c): `memtop ls STORE`; the series of a
 * store reference fetched into the database for `memtop leaks REF`
 * (*source: its series, the caller frees it; returns the exit status). */
int cli_ls_store(struct cli *c, const char *ref);
int cli_fetch_store_series(struct cli *c, const char *ref, char **source);

/* collect --push: what a push needs, made once from c->push. */
struct cli_push;
/* NULL with the error printed (*rc the exit status) when --push is bad;
 * NULL with *rc 0 without --push. */
struct cli_push *cli_push_open(struct cli *c, int *rc);
/* Sends one scraped body (raw[0..n), of snapshot kind `kind`, from url)
 * to the store; prints a line on failure. Whether it was delivered. */
bool cli_push_send(struct cli *c, struct cli_push *p, const char *url, const char *kind,
		   const struct profile *prof, const uint8_t *raw, size_t n);
void cli_push_close(struct cli_push *p);

int cmd_top(struct cli *c);
int cmd_diff(struct cli *c);
int cmd_export(struct cli *c);
int cmd_tree(struct cli *c);
int cmd_peek(struct cli *c);
int cmd_traces(struct cli *c);
int cmd_list(struct cli *c);
int cmd_import(struct cli *c);
int cmd_ls(struct cli *c);
int cmd_rm(struct cli *c);
int cmd_collect(struct cli *c);
/* cmd_leaks.c: growth across stored snapshots. */
int cmd_leaks(struct cli *c);
int cmd_check(struct cli *c);
/* Parses "90s", "30m", "12h", "7d" (or seconds) into nanoseconds. */
bool cli_parse_duration(const char *s, int64_t *ns);
/* Parses a time: RFC 3339 ("2024-05-01T10:00:00Z", "+02:00" offsets,
 * fractions) or Unix seconds, into ns since the epoch. */
bool cli_parse_time(const char *s, int64_t *ns);
/* cmd_store.c: reads and stores one file, printing its id (or that it was
 * stored before) on stdout; false after printing the error. */
struct store;
bool cli_import_one(struct cli *c, struct store *s, const char *path);
/* cmd_watch.c: collect --watch DIR. */
int cli_watch(struct cli *c);
/* cmd_watch.c: the viewer's files go into the database (--db, $MEMTOP_DB or
 * the default; not :memory:, and in script mode only into a named one) on
 * a thread while the viewer runs; finish waits for it and prints a
 * warning on stderr if a file could not be stored. */
struct store_async;
struct store_async *cli_view_import_start(struct cli *c);
void cli_view_import_finish(struct store_async *a);

/* The store of --db (cmd_store.c): open it (printing the error) or load
 * snapshot "@N" from it. */
struct store;
struct store *cli_store_open(struct cli *c, bool create);
bool cli_snapshot_id(const char *arg, int64_t *id);
int cmd_goroutines(struct cli *c);

/* cmd_metrics.c: `memtop metrics`, and the hooks that store series. */
int cmd_metrics(struct cli *c);
struct finding;
struct store;
/* Findings of metrics_findings (src/metrics.h) for `memtop leaks`: text
 * lines after the ranking, or a JSON array (the value of "findings"). */
void cli_print_findings_text(FILE *f, const struct finding *v, size_t n);
void cli_print_findings_json(FILE *f, const struct finding *v, size_t n);
/* Stores a /debug/vars body fetched at time fetched; prints one line. */
bool cli_collect_expvar(struct store *s, const char *url, const uint8_t *body, size_t n,
			int64_t fetched);
/* Stores /proc figures of pid; *gone when the process has exited. */
bool cli_collect_pid(struct store *s, int pid, bool *gone);
/* When data (read from path) is a gctrace log, stores its series (*ok
 * tells how it went) and returns true; false when it is not one. */
bool cli_import_gctrace(struct store *s, const char *path, const uint8_t *data,
			size_t n, bool *ok);

#endif
