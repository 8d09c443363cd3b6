/* cmd_export.c - `memtop export`: the current view (profile, base, filters,
 * granularity) as folded stacks, JSON, a pprof profile, or an SVG flame
 * graph. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/export.h"
#include "profile/pprof_write.h"
#include "cli.h"

int cmd_export(struct cli *c)
{
	if (c->nargs != 1) {
		cli_err("export", "expects one profile (try memtop --help)");
		return EXIT_USAGE;
	}
	const char *fmt = c->format_arg;
	if (!fmt && c->output) {
		/* Without --format, the output file's name says what it wants. */
		size_t n = strlen(c->output);
#define ENDS(s) (n >= strlen(s) && strcmp(c->output + n - strlen(s), s) == 0)
		fmt = ENDS(".pb.gz") || ENDS(".pb") || ENDS(".pprof") ? "pprof"
		      : ENDS(".svg")                                  ? "svg"
		      : ENDS(".json")                                 ? "json"
									: NULL;
#undef ENDS
	}
	if (!fmt)
		fmt = "folded";
	if (strcmp(fmt, "folded") && strcmp(fmt, "json") && strcmp(fmt, "pprof") &&
	    strcmp(fmt, "svg")) {
		cli_err("export", "bad --format \"%s\" (folded, json, pprof or svg)", fmt);
		return EXIT_USAGE;
	}
	const char *path = c->args[0];
	if (!strcmp(fmt, "pprof") && !c->output && isatty(STDOUT_FILENO)) {
		cli_err("export", "will not write a binary profile to a terminal; use -o FILE");
		return EXIT_USAGE;
	}
	struct profile *p = cli_load_compared(c, path);
	if (!p)
		return EXIT_BAD;
	struct mt_report rep;
	int rc = cli_report_open(c, p, path, &rep);
	if (rc != EXIT_OK) {
		profile_free(p);
		return rc;
	}
	FILE *out = stdout;
	if (c->output && !(out = fopen(c->output, "wb"))) {
		cli_err(c->output, "cannot create: %m");
		rc = EXIT_BAD;
		goto done;
	}
	if (!strcmp(fmt, "folded")) {
		export_folded(out, &rep.nodes, rep.index);
	} else if (!strcmp(fmt, "json")) {
		export_json(out, &rep.nodes, rep.index);
	} else if (!strcmp(fmt, "svg")) {
		const char *b = strrchr(path, '/');
		export_svg(out, &rep.nodes, rep.index, b ? b + 1 : path);
	} else {
		/* As pprof's -proto: the filtered profile, every location as it
		 * was (the granularity is how one reads it back). */
		bool plain = !rep.keep;
		for (int k = 0; k < MT_FILTER_COUNT; k++)
			plain &= !rep.re[k];
		struct profile *vp = plain ? NULL : mt_report_profile(&rep);
		uint8_t *bytes;
		size_t n;
		struct mt_err e;
		if (pprof_write(vp ? vp : p, true, &bytes, &n, &e)) {
			cli_err(path, "%s", e.msg);
			rc = EXIT_BAD;
		} else {
			fwrite(bytes, 1, n, out);
			free(bytes);
		}
		profile_free(vp);
	}
	if (fflush(out) != 0 || ferror(out)) {
		cli_err(c->output ? c->output : "stdout", "write failed: %m");
		rc = EXIT_BAD;
	}
	if (out != stdout)
		fclose(out);
done:
	cli_report_close(&rep);
	profile_free(p);
	return rc;
}
