/* ui_live.c - the viewer on a live URL: the fetcher (query/live.h) runs
 * beside the keys; each fetch it hands over replaces the model's profile
 * (filters, sample type and selection kept), joins the session's history
 * (view 1's growth columns) and becomes the new side of view 4, whose base
 * is the session's first fetch (the diff is the growth since you started
 * watching), or the base given (memtop BASE URL: another replica). A failed fetch is a status-line message and the last good data
 * stays. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "profile/merge.h"
#include "view.h"

static int64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A copy of p (NULL when it cannot be made). */
static struct profile *copy_of(struct profile *p)
{
	struct profile *c = NULL;
	struct mt_err e;
	return profile_copy(p, &c, &e) ? NULL : c;
}

void ui_live_start(struct ui *ui, const char *url, const struct mt_query_opts *q,
		   int interval_s)
{
	ui->live_url = url;
	ui->live_q = q;
	ui->live_base_given = ui->md->base != NULL;
	struct profile *c = copy_of(ui->md->p);
	if (c)
		live_hist_add(&ui->lhist, c, wall_ns());
	if (!ui->script)
		ui->live = live_start(url, q, interval_s);
}

/* The model shows np now (stored as snapshot id). */
static void apply(struct ui *ui, struct profile *np, int64_t id)
{
	struct model *md = ui->md;
	struct profile *keep = copy_of(np);
	/* memtop BASE URL keeps its base; else the diff is since the first
	 * fetch. */
	struct profile *base = ui->live_base_given ? copy_of(md->base)
			       : ui->lhist.n	   ? copy_of(ui->lhist.p[0])
						   : NULL;
	const char *bname = ui->live_base_given ? md->base_name : "the first fetch";
	struct mt_err e = {{0}};
	ui_model_changing(ui);
	if (!model_replace_live(md, np, base, id, bname, &e)) {
		profile_free(keep);
		ui_message(ui, true, "%s: %s", ui->live_url, e.msg);
		return;
	}
	if (keep)
		live_hist_add(&ui->lhist, keep, wall_ns());
	model_warm(md, ui->cols);
}

bool ui_live_poll(struct ui *ui)
{
	if (!ui->live)
		return ui->live_url != NULL; /* the countdown moves on */
	struct profile *p = NULL;
	int64_t id = 0;
	char err[600];
	if (!live_take(ui->live, &p, &id, err, sizeof err))
		return true;
	if (p)
		apply(ui, p, id);
	else
		ui_message(ui, true, "fetch failed, the last good one stays: %s", err);
	return true;
}

void ui_live_request(struct ui *ui, enum request req)
{
	if (!ui->live_url) {
		ui_message(ui, false, "%s is for a live URL (memtop host:6060)",
			   req == REQ_PAUSE ? "p" : req == REQ_REFETCH ? "R" : "D");
		return;
	}
	if (req == REQ_PAUSE) {
		ui->live_paused = !ui->live_paused;
		if (ui->live)
			live_pause(ui->live, ui->live_paused);
		ui_message(ui, false, ui->live_paused ? "live: paused (p resumes)"
						      : "live: resumed");
		return;
	}
	if (ui->live) {
		live_fetch_now(ui->live);
		ui_message(ui, false, "fetching %s", ui->live_url);
		return;
	}
	/* Script mode: in place, so that a test sees each fetch in turn. */
	struct profile *p = NULL;
	int64_t id = 0;
	struct mt_err e = {{0}};
	struct mt_warnings w = {0};
	enum mt_status st = query_load(ui->live_url, ui->live_q, &p, &id, &w, &e);
	mt_warnings_done(&w);
	if (st)
		ui_message(ui, true, "fetch failed, the last good one stays: %s", e.msg);
	else
		apply(ui, p, id);
}

void ui_live_status(struct ui *ui, char *buf, size_t n)
{
	buf[0] = 0;
	if (!ui->live_url)
		return;
	size_t fetches = ui->lhist.n + ui->lhist.dropped;
	if (!ui->live) {
		snprintf(buf, n, "live, %zu fetch%s (R: again)", fetches,
			 fetches == 1 ? "" : "es");
		return;
	}
	struct live_status st;
	live_get_status(ui->live, &st);
	char at[16] = "?";
	time_t t = (time_t)(st.last_ns / 1000000000);
	struct tm tm;
	if (localtime_r(&t, &tm))
		strftime(at, sizeof at, "%H:%M:%S", &tm);
	if (st.paused)
		snprintf(buf, n, "live %s: paused", at);
	else if (st.busy)
		snprintf(buf, n, "live %s, fetching", at);
	else
		snprintf(buf, n, "live %s, next %llds", at,
			 (long long)((st.next_ns - wall_ns() + 999999999) / 1000000000));
}

void ui_live_done(struct ui *ui)
{
	live_stop(ui->live);
	ui->live = NULL;
	live_hist_done(&ui->lhist);
}
