/* ui.h - the interactive viewer (ncurses), entered from src/main.c when
 * memtop is given profiles and no subcommand. It is a client of the query
 * engine like the command line, and knows nothing of the command line. */
#ifndef MT_UI_H
#define MT_UI_H

#include <stdbool.h>

#include "query/query.h"

struct store_async;

struct ui_args {
	const struct mt_query_opts *q; /* the options every report shares */
	char **profiles;               /* files, @IDs; the last is shown */
	int nprofiles;
	const char *script, *screen;   /* script mode: keys file, COLSxROWS */
	const char *source_path, *trim_path; /* the source view's paths */
	/* The files' background import (or NULL): quitting waits for it with
	 * a message, and q skips it (*import_skipped: then the caller must
	 * not wait for it either; its transaction is dropped whole). */
	struct store_async *import;
	int interval; /* seconds between a live URL's fetches (0: 10) */
	bool *import_skipped;
};

/* Exit statuses, as the command line's (DESIGN.md). */
enum { UI_EXIT_OK = 0, UI_EXIT_BAD = 1, UI_EXIT_USAGE = 2 };

/* Runs the viewer (on the terminal, or in script mode with a->script);
 * errors go to stderr as one line. Returns the exit status. */
int ui_main(const struct ui_args *a);

#endif
