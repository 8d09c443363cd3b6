/* cmd_goroutines.c - `memtop goroutines DUMP`: a goroutine dump (debug=2,
 * panic or SIGQUIT output; a file or a URL) grouped by state, stack and
 * creator, as text or JSON. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "read/goroutines.h"
#include "base/gz.h"
#include "base/regex.h"
#include "cli.h"

static bool compile(struct mt_regex **re, const char *pat)
{
	if (!pat || !*pat)
		return true;
	struct mt_err e;
	if (mt_regex_compile(re, pat, false, &e)) {
		cli_err("", "%s", e.msg);
		return false;
	}
	return true;
}

/* Maps a regular file read-only (a dump can be hundreds of megabytes, and the
 * parser needs no copy nor a NUL); returns NULL for anything else, which is
 * then read the ordinary way. */
static uint8_t *map_file(const char *path, size_t max, size_t *n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	void *m = MAP_FAILED;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (!max || (uint64_t)st.st_size <= max))
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return NULL;
	madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	*n = (size_t)st.st_size;
	return m;
}

static bool str_match(const struct mt_regex *re, const struct mt_goroutines *d,
		      mt_str s)
{
	return mt_regex_match(re, goroutines_str(d, s), strtab_len(&d->strs, s));
}

/* Whether a group passes --state (its state) and --focus (a frame's function
 * or file, pprof's focus on the goroutine's own stack). */
static bool keep(const struct mt_goroutines *d, const struct mt_ggroup *grp,
		 const struct mt_regex *state, const struct mt_regex *focus)
{
	const struct mt_goroutine *gr = &d->gs.v[grp->first];
	if (state && !str_match(state, d, gr->state))
		return false;
	if (!focus)
		return true;
	for (uint32_t i = 0; i < gr->nframe; i++) {
		const struct mt_gframe *f = &d->frames.v[gr->frame0 + i];
		if (str_match(focus, d, f->func) || str_match(focus, d, f->file))
			return true;
	}
	return false;
}

static void print_json(const struct mt_goroutines *d, const uint32_t *sel, size_t n,
		       size_t total)
{
	printf("{\"total\": %zu, \"groups\": [", total);
	for (size_t k = 0; k < n; k++) {
		const struct mt_ggroup *grp = &d->groups.v[sel[k]];
		const struct mt_goroutine *gr = &d->gs.v[grp->first];
		printf("%s\n  {\"state\": ", k ? "," : "");
		mt_json_str(stdout, goroutines_str(d, gr->state));
		printf(", \"count\": %zu, \"wait_minutes_min\": %" PRId64
		       ", \"wait_minutes_max\": %" PRId64 ", \"frames\": [",
		       grp->count, grp->wait_min, grp->wait_max);
		for (uint32_t i = 0; i < gr->nframe; i++) {
			const struct mt_gframe *f = &d->frames.v[gr->frame0 + i];
			printf("%s{\"function\": ", i ? ", " : "");
			mt_json_str(stdout, goroutines_str(d, f->func));
			printf(", \"file\": ");
			mt_json_str(stdout, goroutines_str(d, f->file));
			printf(", \"line\": %" PRId64 "}", f->line);
		}
		printf("]}");
	}
	printf("%s]}\n", n ? "\n" : "");
}

/* Groups sel[0..n) of the nsel that passed the filters, with total
 * goroutines among those. */
static void print_text(const struct mt_goroutines *d, const uint32_t *sel, size_t n,
		       size_t nsel, size_t total)
{
	if (d->reason)
		printf("%s\n", goroutines_str(d, d->reason));
	printf("%zu goroutine%s in %zu group%s", total, total == 1 ? "" : "s", nsel,
	       nsel == 1 ? "" : "s");
	if (total != d->gs.n)
		printf(" (of %zu goroutines)", d->gs.n);
	if (n < nsel)
		printf(", showing the top %zu", n);
	printf("\n");
	for (size_t k = 0; k < n; k++) {
		const struct mt_ggroup *grp = &d->groups.v[sel[k]];
		const struct mt_goroutine *gr = &d->gs.v[grp->first];
		printf("\n%zu: %s", grp->count, goroutines_str(d, gr->state));
		if (grp->wait_max > 0) {
			if (grp->wait_min == grp->wait_max)
				printf(", %" PRId64 " minutes", grp->wait_max);
			else
				printf(", %" PRId64 "-%" PRId64 " minutes",
				       grp->wait_min, grp->wait_max);
		}
		if (grp->locked)
			printf(", %zu locked to thread", grp->locked);
		printf(" [goroutine%s", grp->count == 1 ? "" : "s");
		for (uint32_t i = 0; i < grp->nids; i++)
			printf("%s %" PRIu64, i ? "," : "", grp->ids[i]);
		printf("%s]\n", grp->count > grp->nids ? ", ..." : "");
		for (uint32_t i = 0; i < gr->nframe; i++) {
			const struct mt_gframe *f = &d->frames.v[gr->frame0 + i];
			printf("    %s%s\n        %s:%" PRId64 "\n",
			       goroutines_str(d, f->func),
			       f->inlined ? " (inline)" : "",
			       goroutines_str(d, f->file), f->line);
		}
		if (gr->elided)
			printf("    ...additional frames elided...\n");
		if (gr->created_by) {
			printf("    created by %s\n",
			       goroutines_str(d, gr->created_by));
			if (gr->created_file)
				printf("        %s:%" PRId64 "\n",
				       goroutines_str(d, gr->created_file),
				       gr->created_line);
		}
	}
}

int cmd_goroutines(struct cli *c)
{
	if (c->nargs != 1) {
		cli_err("goroutines", "expects one goroutine dump (try memtop --help)");
		return EXIT_USAGE;
	}
	const char *path = c->args[0];
	struct mt_regex *state = NULL, *focus = NULL;
	if (!compile(&state, c->state) || !compile(&focus, c->q.filter[MT_FILTER_FOCUS])) {
		mt_regex_free(state);
		return EXIT_USAGE;
	}
	int rc = EXIT_BAD;
	struct mt_err e = {{0}};
	uint8_t *data = NULL, *raw = NULL, *map = NULL;
	size_t n = 0, rawn = 0, mapn = 0;
	uint32_t *sel = NULL;
	struct mt_goroutines d;
	goroutines_init(&d);
	const uint8_t *in;
	if (query_is_url(path)) {
		/* Fetched (and stored) by the query engine; a service root
		 * or a goroutine URL without debug= gives the dump. */
		struct mt_query_opts q = c->q;
		struct mt_warnings w = {0};
		struct profile *p = NULL;
		q.service_kind = "goroutine-dump";
		enum mt_status st = query_fetch(path, &q, &p, &data, &n, NULL, &w, &e);
		for (size_t i = 0; i < w.v.n; i++)
			cli_err("warning", "%s", w.v.v[i]);
		mt_warnings_done(&w);
		profile_free(p);
		if (st) {
			cli_err("", "%s", e.msg);
			goto out;
		}
		in = data;
	} else if ((map = map_file(path, c->q.lim.max_file, &mapn))) {
		in = map, n = mapn;
	} else if (mt_read_file(path, &data, &n, c->q.lim.max_file, &e)) {
		cli_err(path, "%s", e.msg);
		goto out;
	} else {
		in = data;
	}
	if (gz_is_gzip(in, n)) {
		if (goroutines_inflate(in, n, &c->q.lim, &raw, &rawn, &e)) {
			cli_err(path, "%s", e.msg);
			goto out;
		}
		in = raw, n = rawn;
	}
	if (goroutines_parse(&d, in, n, &c->q.lim, &e)) {
		cli_err(path, "%s", e.msg);
		goto out;
	}
	if (d.incomplete)
		cli_err(path,
			"warning: %zu incomplete goroutine%s at the end ignored "
			"(at byte %zu)",
			d.incomplete, d.incomplete == 1 ? "" : "s", d.incomplete_at);
	goroutines_group(&d);

	sel = xmalloc((d.groups.n + 1) * sizeof *sel);
	size_t nsel = 0, total = 0;
	for (size_t k = 0; k < d.groups.n; k++) {
		if (!keep(&d, &d.groups.v[k], state, focus))
			continue;
		sel[nsel++] = (uint32_t)k;
		total += d.groups.v[k].count;
	}
	size_t shown = nsel;
	if (c->q.nodecount > 0 && (size_t)c->q.nodecount < nsel)
		shown = (size_t)c->q.nodecount;
	if (c->format == CLI_JSON)
		print_json(&d, sel, shown, total);
	else
		print_text(&d, sel, shown, nsel, total);
	rc = EXIT_OK;
out:
	free(sel);
	free(data);
	free(raw);
	if (map)
		munmap(map, mapn);
	goroutines_done(&d);
	mt_regex_free(state);
	mt_regex_free(focus);
	return rc;
}
