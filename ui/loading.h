/* loading.h - loads the profile (and a diff base) on a worker thread, so a
 * large file gets a loading screen with a progress bar while the terminal
 * stays responsive: q or Ctrl-C cancel the load and quit. */
#ifndef MT_UI_LOADING_H
#define MT_UI_LOADING_H

#include <stdbool.h>

#include "base/limits.h"
#include "base/progress.h"
#include "query/model.h"
#include "view.h"

struct load_job {
	/* what to load into md */
	struct model *md;
	const char *path;
	const char *base_path; /* the diff base, or NULL */
	const struct mt_query_opts *q;
	/* results: ok false with e filled when the profile cannot be read;
	 * base_err non-empty when only the diff base failed */
	bool ok;
	struct mt_err e;
	char base_err[800];
	/* private to loading.c: the options with a progress watcher */
	struct mt_query_opts wq;
	bool watched;
	struct mt_progress pg;
	int wake[2];
};

enum load_result { LOAD_DONE, LOAD_CANCELLED };

/* Runs the job on this thread (script mode, no terminal): nothing drawn. */
void loading_run_here(struct load_job *job);

/* Runs the job on a worker thread. When it has not finished within a moment,
 * calls open_screen(ui) (curses set up, false if it cannot be) and draws a
 * progress bar every 50 ms until it ends; *opened says whether the screen was
 * opened. LOAD_CANCELLED when q or Ctrl-C stopped it (the model is empty
 * then; the caller closes the screen and quits). */
enum load_result loading_run(struct load_job *job, struct ui *ui,
			     bool (*open_screen)(struct ui *), bool *opened);

#endif
