/* source.h - annotated source with pprof's -list semantics: the functions
 * whose names match, grouped by source file, each shown from its first line
 * (or five lines above its first sampled line) to five lines past its last
 * sampled line, with flat and cum per line.
 *
 * Finding a file follows pprof's sourceReader: the profile's path is trimmed
 * (--trim-path prefixes, or a guess from the search path's base names, and
 * /proc/self/cwd), then an absolute path is opened as it is and a relative
 * one is looked up in every directory of the search path and their parents.
 *
 * Ownership: a struct mt_source owns its file names, the text of the files
 * it read and its line arrays; function names are borrowed from the profile
 * of the nodes it was built from, which must outlive it.
 */
#ifndef MT_SOURCE_H
#define MT_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "profile/nodes.h"
#include "base/regex.h"
#include "base/strtab.h"
#include "report/top.h"

/* Larger source files are not read (a profile names the file, so a hostile
 * one could point at anything). */
#define MT_SOURCE_MAX_FILE ((size_t)32 << 20)

struct mt_source_opts {
	const char *search_path; /* pprof's -source_path: directories separated
				    by ':'; NULL or "" = the working directory */
	const char *trim_path;   /* pprof's -trim_path: prefixes separated by
				    ':'; NULL or "" = guess from search_path */
	size_t max_file;         /* 0 = MT_SOURCE_MAX_FILE */
};

struct mt_source_line {
	int64_t lineno, flat, cum;
	const char *text; /* not NUL-terminated: len bytes, no newline */
	size_t len;
};

struct mt_source_routine {
	const char *name;  /* the function (borrowed from the profile) */
	const char *file;  /* as pprof prints it (trimmed, cleaned); NULL when
			      the profile has no file for the function */
	int64_t flat, cum; /* sums over the function's nodes in this file */
	const char *error; /* why the file could not be read, or NULL */
	size_t line0, nlines; /* its lines: lines.v[line0 .. line0 + nlines) */
	size_t hottest;       /* index in lines.v of the line with the most cum
				 (then flat), or SIZE_MAX when none is sampled */
};

struct mt_source_files;

struct mt_source {
	VEC(struct mt_source_routine) routines; /* by name, then file */
	VEC(struct mt_source_line) lines;
	int64_t total; /* pprof's total, copied from the top table */
	struct mt_strtab names; /* file names */
	struct mt_source_files *files;
};

/* Builds the listing of the functions whose name matches re (unanchored),
 * or equals name when re is NULL, from m (lines granularity: one node per
 * function, file and line) and its top table t (borrowed). No match leaves
 * s->routines empty. A file that cannot be read is not a failure: its
 * routines carry the error. The caller frees s with mt_source_done. */
enum mt_status mt_source_build(struct mt_source *s, const struct mt_nodes *m,
			       const struct mt_top *t, const struct mt_regex *re,
			       const char *name, const struct mt_source_opts *o,
			       struct mt_err *e);
void mt_source_done(struct mt_source *s);

/* pprof's trimPath: path without the first --trim-path prefix it starts
 * with (or, with no trim path, what follows "/BASE/" of the first search
 * directory whose base name it contains). Returns a new string. */
char *mt_source_trim(const char *path, const char *trim, const char *search);

#endif
