/* loading.c - the loading screen: the profile is read, inflated and parsed
 * on a worker thread while this thread polls the keys and redraws a progress
 * bar from the reader's counters (src/progress.h) every 50 ms. */
#include "loading.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "request.h"

/* How long a load may take before the screen opens: quick loads (small
 * files, errors) never flash a loading screen. */
#define LOADING_QUIET_MS 150
#define LOADING_FRAME_MS 50
/* After a cancel, how long to wait for the worker to notice (it checks
 * every MB; only inflating, or opening a FIFO nobody writes, takes longer). */
#define LOADING_STOP_MS 2000

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

void loading_run_here(struct load_job *job)
{
	struct model *md = job->md;
	const struct mt_query_opts *q = job->watched ? &job->wq : job->q;
	job->ok = model_load(md, job->path, q, &job->e);
	if (job->ok && job->base_path) {
		struct mt_err be = {{0}};
		if (!model_load_base(md, job->base_path, &be))
			snprintf(job->base_err, sizeof job->base_err,
				 "diff base %s: %s", job->base_path, be.msg);
	}
	/* Later loads (snapshots, the goroutine dump) are not watched. */
	if (job->ok) {
		md->q = job->q;
		md->lim = &job->q->lim;
	}
}

static void *worker(void *arg)
{
	struct load_job *job = arg;
	loading_run_here(job);
	ssize_t w;
	do
		w = write(job->wake[1], "x", 1);
	while (w < 0 && errno == EINTR);
	return NULL;
}

/* "12.3 MiB" */
static void fmt_bytes(char *b, size_t n, size_t v)
{
	if (v < ((size_t)1 << 20))
		snprintf(b, n, "%zu KiB", (v + 1023) >> 10);
	else
		snprintf(b, n, "%.1f MiB", (double)v / (1 << 20));
}

/* One frame: the file, a bar and what the worker is doing. */
static void draw(struct load_job *job, struct ui *ui, double elapsed, bool stopping)
{
	int ph = atomic_load_explicit(&job->pg.phase, memory_order_acquire);
	size_t done = atomic_load_explicit(&job->pg.done, memory_order_relaxed);
	size_t total = atomic_load_explicit(&job->pg.total, memory_order_relaxed);
	char what[160], a[32], b[32];
	double frac = -1; /* unknown: a moving block */
	fmt_bytes(a, sizeof a, done);
	fmt_bytes(b, sizeof b, total);
	switch (ph) {
	case MT_PHASE_READ:
		if (total) {
			frac = (double)done / (double)total;
			snprintf(what, sizeof what, "reading %s of %s (%d%%)", a, b,
				 (int)(frac * 100));
		} else {
			snprintf(what, sizeof what, "reading %s", a);
		}
		break;
	case MT_PHASE_INFLATE:
		snprintf(what, sizeof what, "inflating %s", b);
		break;
	case MT_PHASE_FETCH:
		snprintf(what, sizeof what, "fetching: %s received", a);
		break;
	case MT_PHASE_PARSE:
		frac = total ? (double)done / (double)total : 0;
		snprintf(what, sizeof what, "parsing %d%% of %s", (int)(frac * 100), b);
		break;
	default:
		snprintf(what, sizeof what, "preparing the views");
		break;
	}
	if (stopping)
		snprintf(what, sizeof what, "stopping%s", ui->g->ellipsis);

	ui->cols = COLS;
	ui->rows = LINES;
	erase();
	int w = ui->cols - 4 < 60 ? ui->cols - 4 : 60;
	int x = (ui->cols - w) / 2, y = ui->rows / 2 - 2;
	if (y < 0)
		y = 0;
	char title[600];
	const char *name = strrchr(job->path, '/');
	name = name && name[1] ? name + 1 : job->path;
	snprintf(title, sizeof title, "Loading %s  %.1f s", name, elapsed / 1e3);
	ui_put(ui, y, x, w, title, ui_attr(ui, UC_TITLE) | A_BOLD, false, true);
	mvaddstr(y + 1, x - 1, "[");
	mvaddstr(y + 1, x + w, "]");
	if (frac >= 0) {
		ui_bar(ui, y + 1, x, w, frac, ui_attr(ui, UC_BAR));
	} else {
		/* A block a fifth wide sweeping across, one pass a second. */
		int bw = w / 5 > 1 ? w / 5 : 1;
		int pos = (int)((long)(elapsed / 1000.0 * (w - bw)) % (w - bw + 1));
		attrset(ui_attr(ui, UC_BAR));
		for (int i = 0; i < bw; i++)
			mvaddstr(y + 1, x + pos + i, ui->g->blocks[8]);
		attrset(A_NORMAL);
	}
	ui_put(ui, y + 2, x, w, what, A_NORMAL, false, false);
	ui_put(ui, ui->rows - 1, 0, ui->cols, " q quit", ui_attr(ui, UC_STATUS), true,
	       false);
	refresh();
}

/* Waits up to ms for the worker's wake byte; true when it came. */
static bool wait_wake(int fd, int ms)
{
	struct pollfd pf = {.fd = fd, .events = POLLIN};
	double end = now_ms() + ms;
	for (;;) {
		int left = ms < 0 ? -1 : (int)(end - now_ms());
		if (ms >= 0 && left < 0)
			left = 0;
		int r = poll(&pf, 1, left);
		if (r > 0)
			return true;
		if (r == 0 || (r < 0 && errno != EINTR))
			return false;
	}
}

enum load_result loading_run(struct load_job *job, struct ui *ui,
			     bool (*open_screen)(struct ui *), bool *opened)
{
	*opened = false;
	job->wq = *job->q;
	job->watched = true;
	job->wq.lim.progress = &job->pg;
	atomic_init(&job->pg.phase, MT_PHASE_READ);
	atomic_init(&job->pg.done, 0);
	atomic_init(&job->pg.total, 0);
	atomic_init(&job->pg.cancel, false);
	pthread_t th;
	if (pipe2(job->wake, O_CLOEXEC) < 0) {
		loading_run_here(job);
		return LOAD_DONE;
	}
	if (pthread_create(&th, NULL, worker, job) != 0) {
		close(job->wake[0]);
		close(job->wake[1]);
		loading_run_here(job);
		return LOAD_DONE;
	}
	double t0 = now_ms();
	bool stopping = false;
	if (!wait_wake(job->wake[0], LOADING_QUIET_MS)) {
		if (open_screen(ui)) {
			*opened = true;
			/* Ctrl-C as a key while loading, not SIGINT. */
			raw();
			timeout(0);
			bool in_ok = true;
			double t_stop = 0;
			for (;;) {
				draw(job, ui, now_ms() - t0, stopping);
				struct pollfd fds[2] = {
				    {.fd = job->wake[0], .events = POLLIN},
				    {.fd = in_ok ? 0 : -1, .events = POLLIN},
				};
				int r = poll(fds, 2, LOADING_FRAME_MS);
				if (r > 0 && fds[0].revents)
					break;
				if (r > 0 &&
				    (fds[1].revents & (POLLHUP | POLLERR | POLLNVAL)))
					in_ok = false;
				for (int k; (k = getch()) != ERR;)
					if (k == 'q' || k == 'Q' || k == UI_CTRL('c')) {
						stopping = true;
						atomic_store(&job->pg.cancel, true);
					}
				if (stopping && !t_stop)
					t_stop = now_ms();
				if (stopping && now_ms() - t_stop > LOADING_STOP_MS) {
					/* The worker is stuck where it cannot look at
					 * the flag: give the terminal back and go. */
					endwin();
					fflush(stdout);
					_exit(0);
				}
			}
			noraw();
			cbreak();
		} else {
			wait_wake(job->wake[0], -1);
		}
	}
	pthread_join(th, NULL);
	close(job->wake[0]);
	close(job->wake[1]);
	return stopping ? LOAD_CANCELLED : LOAD_DONE;
}
