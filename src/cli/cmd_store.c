/* cmd_store.c - `memtop import`, `memtop ls`, `memtop rm`, and loading a
 * stored snapshot wherever a profile is named as @ID. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "read/reader.h"
#include "store/store.h"
#include "collect/fleet.h"
#include "cli.h"

/* Opens the store named by --db (or the default); prints the error. */
struct store *cli_store_open(struct cli *c, bool create)
{
	struct store *s = NULL;
	struct mt_err e = {{0}};
	if (store_open(&s, c->q.db, create, &e)) {
		cli_err(c->q.db && *c->q.db ? c->q.db : "", "%s", e.msg);
		return NULL;
	}
	return s;
}

/* Parses "@7" or "7" (rm takes both) with the engine's one rule. */
bool cli_snapshot_id(const char *arg, int64_t *id)
{
	char ref[32];
	if (*arg == '@')
		return query_snapshot_ref(arg, id);
	if (strlen(arg) + 2 > sizeof ref)
		return false;
	snprintf(ref, sizeof ref, "@%s", arg);
	return query_snapshot_ref(ref, id);
}

/* Reads and stores one file; prints its id or that it is already stored. */
bool cli_import_one(struct cli *c, struct store *s, const char *path)
{
	uint8_t *data;
	size_t n;
	struct mt_err e = {{0}};
	struct profile *p = NULL;
	bool gc_ok;
	enum mt_status rd = mt_read_file(path, &data, &n, c->q.lim.max_file, &e);
	/* A GODEBUG=gctrace=1 log is series, not a profile. */
	if (!rd && cli_import_gctrace(s, path, data, n, &gc_ok)) {
		free(data);
		return gc_ok;
	}
	if (rd || reader_load_bytes(data, n, &c->q.lim, &p, &e)) {
		cli_err(path, "%s", e.msg);
		free(data);
		return false;
	}
	struct stat sb;
	char *abs = realpath(path, NULL);
	struct store_source src = {
		.source = abs ? abs : path,
		.raw = data,
		.nraw = n,
	};
	if (stat(path, &sb) == 0)
		src.time_nanos = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	if (c->time && cli_parse_time(c->time, &src.time_nanos))
		src.force_time = true;
	int64_t id;
	bool dup;
	enum mt_status st = store_import(s, p, &src, &id, &dup, &e);
	if (st)
		cli_err(path, "%s", e.msg);
	else if (c->watch) /* the collector's lines: id, kind, source */
		printf("%" PRId64 "\t%s\t%s%s\n", id, store_guess_kind(p, src.source), path,
		       dup ? "\t(unchanged: already stored)" : "");
	else if (dup)
		printf("%s: already stored as @%" PRId64 "\n", path, id);
	else
		printf("%" PRId64 "\n", id);
	fflush(stdout);
	free(abs);
	free(data);
	profile_free(p);
	return st == MT_OK;
}

int cmd_import(struct cli *c)
{
	if (c->nargs < 1) {
		cli_err("import", "expects one or more profile files (try memtop --help)");
		return EXIT_USAGE;
	}
	int64_t t;
	if (c->time && !cli_parse_time(c->time, &t)) {
		cli_err("import", "bad --time \"%s\" (RFC 3339, or Unix seconds)", c->time);
		return EXIT_USAGE;
	}
	struct store *s = cli_store_open(c, true);
	if (!s)
		return EXIT_BAD;
	int rc = EXIT_OK;
	for (int i = 0; i < c->nargs; i++)
		if (!cli_import_one(c, s, c->args[i]))
			rc = EXIT_BAD;
	store_close(s);
	return rc;
}


int cmd_ls(struct cli *c)
{
	if (c->nargs == 1 && fleet_is_ref(c->args[0]))
		return cli_ls_store(c, c->args[0]);
	if (c->nargs) {
		cli_err("ls", "takes no arguments (try memtop --help)");
		return EXIT_USAGE;
	}
	struct store_list l = {0};
	struct mt_err e = {{0}};
	struct store *s = NULL;
	/* No database yet is an empty list, not an error. */
	enum mt_status st = store_open(&s, c->q.db, false, &e);
	if (st && st != MT_ERR_NOTFOUND) {
		cli_err(c->q.db && *c->q.db ? c->q.db : "", "%s", e.msg);
		return EXIT_BAD;
	}
	if (s && store_list(s, &l, &e)) {
		cli_err(store_path(s), "%s", e.msg);
		store_close(s);
		return EXIT_BAD;
	}
	char tb[64];
	if (c->format == CLI_JSON) {
		fputs("{\"snapshots\": [", stdout);
		for (size_t i = 0; i < l.n; i++) {
			const struct store_entry *en = &l.v[i];
			cli_rfc3339(tb, sizeof tb, en->time);
			printf("%s\n  {\"id\": %" PRId64 ", \"kind\": ", i ? "," : "", en->id);
			mt_json_str(stdout, en->kind);
			fputs(", \"source\": ", stdout);
			mt_json_str(stdout, en->source);
			printf(", \"time\": \"%s\", \"sample_types\": [", tb);
			for (size_t j = 0; j < en->ntypes; j++) {
				if (j)
					fputs(", ", stdout);
				mt_json_str(stdout, en->types[j]);
			}
			printf("], \"total\": %" PRId64 "}", en->total);
		}
		printf("%s]}\n", l.n ? "\n" : "");
	} else if (l.n) {
		printf("%6s  %-14s  %-20s  %-14s  %16s  %9s  %s\n", "ID", "KIND", "TIME",
		       "TYPE", "TOTAL", "SAMPLES", "SOURCE");
		for (size_t i = 0; i < l.n; i++) {
			const struct store_entry *en = &l.v[i];
			cli_rfc3339(tb, sizeof tb, en->time / 1000000000 * 1000000000);
			printf("%6" PRId64 "  %-14s  %-20s  %-14s  %16" PRId64 "  %9" PRId64
			       "  %s\n",
			       en->id, en->kind, tb,
			       en->default_index >= 0 ? en->types[en->default_index] : "-",
			       en->total, en->nsample, en->source);
		}
	}
	store_list_done(&l);
	store_close(s);
	return EXIT_OK;
}

int cmd_rm(struct cli *c)
{
	if (c->nargs < 1) {
		cli_err("rm", "expects one or more snapshot ids (try memtop --help)");
		return EXIT_USAGE;
	}
	for (int i = 0; i < c->nargs; i++) {
		int64_t id;
		if (!cli_snapshot_id(c->args[i], &id)) {
			cli_err(c->args[i], "not a snapshot id (N or @N)");
			return EXIT_USAGE;
		}
	}
	struct store *s = cli_store_open(c, false);
	if (!s)
		return EXIT_BAD;
	int rc = EXIT_OK;
	for (int i = 0; i < c->nargs; i++) {
		int64_t id = 0;
		struct mt_err e = {{0}};
		cli_snapshot_id(c->args[i], &id);
		if (store_remove(s, id, &e)) {
			cli_err(c->args[i], "%s", e.msg);
			rc = EXIT_BAD;
		}
	}
	store_close(s);
	return rc;
}
