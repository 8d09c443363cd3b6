/* ui.c - the viewer's shell: terminal setup (a real terminal, or a virtual
 * screen in script mode), colors and glyphs, the main loop, and script mode
 * (keys from a file, screen dumps, latency). */
#include "ui.h"

#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include <stdarg.h>
#include "store/series.h"
#include "store/store_async.h"
#include "store/store.h"
#include "query/diffmodel.h"
#include "engine.h"
#include "query/gmodel.h"
#include "loading.h"
#include "term_sig.h"

static const struct glyphs glyphs_utf8 = {
	.vline = "\u2502", .hline = "\u2500", .ellipsis = "\u2026",
	.open = "\u25be", .closed = "\u25b8", .leaf = " ",
	.tee = "\u251c", .corner = "\u2514", .pipe = "\u2502",
	.blocks = {" ", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a",
		   "\u2589", "\u2588"},
	.merged = "\u2591", .arrow_up = "\u25b2", .arrow_down = "\u25bc",
};

static const struct glyphs glyphs_ascii = {
	.vline = "|", .hline = "-", .ellipsis = "~",
	.open = "-", .closed = "+", .leaf = " ",
	.tee = "|", .corner = "`", .pipe = "|",
	.blocks = {" ", " ", " ", " ", "=", "=", "=", "=", "#"},
	.merged = ":", .arrow_up = "^", .arrow_down = "v",
};

/* Out of memory: give the terminal back before util.c aborts. */
static void oom_endwin(void)
{
	if (!isendwin())
		endwin();
}

/* Color pairs of the roles, for 256, 16/8 or no colors. */
static void setup_colors(struct ui *ui)
{
	const char *nc = getenv("NO_COLOR");
	ui->colors = 0;
	if ((nc && *nc) || !has_colors())
		return;
	start_color();
	use_default_colors();
	ui->colors = COLORS >= 256 ? 256 : COLORS >= 16 ? 16 : 8;
	bool c256 = ui->colors == 256;
	init_pair(UC_HEADER, COLOR_BLACK, c256 ? 110 : COLOR_CYAN);
	init_pair(UC_HEADER_KEY, COLOR_BLACK, c256 ? 222 : COLOR_YELLOW);
	init_pair(UC_STATUS, COLOR_BLACK, c256 ? 250 : COLOR_WHITE);
	init_pair(UC_SELECTED, COLOR_BLACK, c256 ? 153 : COLOR_CYAN);
	init_pair(UC_MATCH, c256 ? 16 : COLOR_BLACK, c256 ? 226 : COLOR_YELLOW);
	init_pair(UC_MATCH_SELECTED, c256 ? 16 : COLOR_BLACK, c256 ? 214 : COLOR_YELLOW);
	init_pair(UC_BAR, c256 ? 67 : COLOR_BLUE, -1);
	init_pair(UC_DIM, c256 ? 244 : COLOR_BLUE, -1);
	init_pair(UC_TITLE, c256 ? 24 : COLOR_BLUE, -1);
	init_pair(UC_ERROR, COLOR_WHITE, COLOR_RED);
	/* Diff frames: reds for growth, greens for shrink, light to strong. */
	init_pair(UC_DIFF_NEUTRAL, COLOR_BLACK, c256 ? 252 : COLOR_WHITE);
	static const short reds[3] = {224, 210, 196}, greens[3] = {194, 120, 40};
	for (int i = 0; i < 3; i++) {
		init_pair((short)(UC_GROW0 + i), COLOR_BLACK, c256 ? reds[i] : COLOR_RED);
		init_pair((short)(UC_SHRINK0 + i), COLOR_BLACK, c256 ? greens[i] : COLOR_GREEN);
	}
	init_pair(UC_GROW_FG, c256 ? 160 : COLOR_RED, -1);
	init_pair(UC_SHRINK_FG, c256 ? 34 : COLOR_GREEN, -1);
	/* Warm flame colors; without 256 colors, five backgrounds twice. */
	static const short warm[UI_FLAME_COLORS] = {208, 214, 172, 179, 209,
						   221, 166, 215, 203, 180};
	static const short basic[UI_FLAME_COLORS] = {COLOR_RED, COLOR_YELLOW, COLOR_MAGENTA,
						    COLOR_GREEN, COLOR_CYAN, COLOR_YELLOW,
						    COLOR_RED, COLOR_GREEN, COLOR_MAGENTA,
						    COLOR_CYAN};
	for (int i = 0; i < UI_FLAME_COLORS; i++)
		init_pair((short)(UC_FLAME0 + i), COLOR_BLACK, c256 ? warm[i] : basic[i]);
}

/* "memtop: what: msg" on stderr, as the command line says errors. */
static void ui_err(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void ui_err(const char *what, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, what && *what ? "memtop: %s: " : "memtop: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* CPU time of the process so far (all threads), for MEMTOP_KEYLOG. */
static double cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Writes the screen as text, one line per row, trailing blanks cut. */
static bool dump_screen(struct ui *ui, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	char line[8192];
	for (int y = 0; y < ui->rows; y++) {
		size_t n = 0, keep = 0;
		for (int x = 0; x < ui->cols && n + 16 < sizeof line; x++) {
			cchar_t cc;
			wchar_t wch[CCHARW_MAX + 1];
			attr_t at;
			short pair;
			if (mvwin_wch(stdscr, y, x, &cc) == ERR)
				break;
			if (getcchar(&cc, wch, &at, &pair, NULL) == ERR || !wch[0]) {
				continue; /* the second cell of a wide character */
			}
			mbstate_t st;
			memset(&st, 0, sizeof st);
			size_t k = wcrtomb(line + n, wch[0], &st);
			if (k == (size_t)-1)
				line[n] = '?', k = 1;
			n += k;
			if (wch[0] != L' ')
				keep = n;
		}
		line[keep] = 0;
		fprintf(f, "%s\n", line);
	}
	return fclose(f) == 0;
}

static const struct {
	const char *name;
	int key;
} key_names[] = {
	{"Enter", '\n'},   {"Esc", UI_KEY_ESC},  {"Backspace", KEY_BACKSPACE},
	{"Tab", '\t'},     {"Up", KEY_UP},       {"Down", KEY_DOWN},
	{"Left", KEY_LEFT}, {"Right", KEY_RIGHT}, {"PgUp", KEY_PPAGE},
	{"PgDn", KEY_NPAGE}, {"Home", KEY_HOME},  {"End", KEY_END},
	{"Space", ' '},
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Handles one key and redraws; records how long that took. */
struct latencies {
	double *v;
	size_t n, cap;
};

static bool step(struct ui *ui, struct prompt *pr, int key, struct latencies *lat)
{
	double t0 = now_ms();
	bool go = engine_key(ui, pr, key);
	if (go)
		engine_draw(ui, pr);
	double dt = now_ms() - t0;
	VEC_PUSH(*lat, dt);
	if (getenv("MEMTOP_KEYLOG"))
		fprintf(stderr, "key %d %s: %.1f ms\n", key, keyname(key), dt);
	return go;
}

static bool parse_size(const char *s, int *cols, int *rows)
{
	char x;
	return sscanf(s, "%d%c%d", cols, &x, rows) == 3 && (x == 'x' || x == 'X') &&
	       *cols >= 20 && *rows >= 5 && *cols <= 1000 && *rows <= 1000;
}

/* Runs the keys of a script file; returns the exit status. */
static int run_script(struct ui *ui, struct prompt *pr, FILE *f, const char *path)
{
	char line[4096];
	struct latencies lat = {0};
	int rc = UI_EXIT_OK, lineno = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t n = strlen(line);
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		if (n == 0 || line[0] == '#')
			continue;
		if (strncmp(line, ":dump ", 6) == 0) {
			if (!dump_screen(ui, line + 6)) {
				rc = UI_EXIT_BAD;
				break;
			}
			continue;
		}
		if (strcmp(line, ":latency") == 0) {
			double *v = xmalloc((lat.n + 1) * sizeof *v);
			memcpy(v, lat.v, lat.n * sizeof *v);
			qsort(v, lat.n, sizeof *v, cmp_double);
			double p50 = lat.n ? v[(lat.n - 1) / 2] : 0;
			double p99 = lat.n ? v[(size_t)((double)(lat.n - 1) * 0.99 + 0.5)] : 0;
			double mx = lat.n ? v[lat.n - 1] : 0;
			fprintf(stderr, "latency: %zu keys, p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
				lat.n, p50, p99, mx);
			free(v);
			continue;
		}
		if (strncmp(line, ":resize ", 8) == 0) {
			int c, r;
			if (!parse_size(line + 8, &c, &r)) {
				endwin();
				fprintf(stderr, "memtop: %s:%d: bad size \"%s\"\n", path, lineno,
					line + 8);
				rc = UI_EXIT_USAGE;
				break;
			}
			resizeterm(r, c);
			step(ui, pr, KEY_RESIZE, &lat);
			continue;
		}
		int key = -1;
		if (strncmp(line, ":wait ", 6) == 0) {
			/* Waits (30 s at most) until a file exists: a test
			 * changes the world (stops a service) between keys. */
			for (int i = 0; i < 1500 && access(line + 6, F_OK) != 0; i++)
				usleep(20000);
			continue;
		}
		if (strncmp(line, ":type ", 6) == 0) {
			/* Types text into a prompt (typed filters). */
			bool go = true;
			for (size_t i = 6; go && i < n; i++)
				go = step(ui, pr, (unsigned char)line[i], &lat);
			if (go)
				go = step(ui, pr, '\n', &lat);
			if (!go)
				break;
			continue;
		}
		if (line[0] == '/' && n > 1) {
			bool go = step(ui, pr, '/', &lat);
			for (size_t i = 1; go && i < n; i++)
				go = step(ui, pr, (unsigned char)line[i], &lat);
			if (go)
				step(ui, pr, '\n', &lat);
			continue;
		}
		if (n == 1)
			key = (unsigned char)line[0];
		for (size_t i = 0; key < 0 && i < sizeof key_names / sizeof key_names[0]; i++)
			if (strcmp(line, key_names[i].name) == 0)
				key = key_names[i].key;
		if (key < 0 && line[0] == '^' && n == 2)
			key = UI_CTRL(line[1]);
		if (key < 0) {
			endwin();
			fprintf(stderr, "memtop: %s:%d: unknown key \"%s\"\n", path, lineno, line);
			rc = UI_EXIT_USAGE;
			break;
		}
		if (!step(ui, pr, key, &lat))
			break;
	}
	free(lat.v);
	return rc;
}

/* Quitting while the files are still being stored: says which and for how
 * long, and q (or Esc) skips the rest. Returns true when skipped. */
static bool wait_import(struct ui *ui, struct prompt *pr, struct store_async *a)
{
	const char *file;
	size_t i, n;
	double t0 = now_ms();
	timeout(100);
	while (store_import_running(a, &file, &i, &n)) {
		const char *b = strrchr(file, '/');
		char of[32] = "";
		if (n > 1)
			snprintf(of, sizeof of, " (%zu of %zu)", i + 1, n);
		ui_message(ui, false,
			   "storing %s%s in the database, %.0f s: q skips it (nothing is "
			   "stored half)",
			   b ? b + 1 : file, of, (now_ms() - t0) / 1000);
		engine_draw(ui, pr);
		int key = getch();
		if (key == 'q' || key == 'Q' || key == 27)
			return true;
	}
	return false;
}

/* The interactive loop on a real terminal; without a key for a second,
 * the view may poll (the timeline sees a collector's new snapshots). */
static void run_terminal(struct ui *ui, struct prompt *pr)
{
	/* A live URL's fetches are looked for four times a second. */
	timeout(ui->live_url ? 250 : 1000);
	for (;;) {
		int key = getch();
		if (key == ERR) {
			bool redraw = ui_live_poll(ui);
			if (engine_idle(ui) || redraw)
				engine_draw(ui, pr);
			continue;
		}
		if (!engine_key(ui, pr, key))
			break;
		engine_draw(ui, pr);
	}
}

/* "@N" of the newest snapshot of the series with the most snapshots in db
 * (the series memtop leaks ranks), into buf; false with e filled when
 * there is none. */
static bool newest_snapshot(const char *db, char *buf, size_t n, size_t *count,
			    struct mt_err *e)
{
	struct store *s = NULL;
	struct store_list l = {0};
	if (store_open(&s, db, false, e))
		return false;
	bool ok = store_list(s, &l, e) == MT_OK;
	if (ok && l.n == 0) {
		mt_errf(e, MT_ERR_NOTFOUND, "no snapshots stored");
		ok = false;
	}
	if (ok) {
		struct store_series *sv = NULL;
		size_t nsv = 0;
		store_series_group(&l, NULL, NULL, &sv, &nsv);
		int64_t id = nsv ? sv[0].snaps[sv[0].n - 1]->id : l.v[l.n - 1].id;
		store_series_free(sv, nsv);
		snprintf(buf, n, "@%lld", (long long)id);
	}
	*count = l.n;
	store_list_done(&l);
	store_close(s);
	return ok;
}

/* The view a new session starts on: the timeline for a database opened
 * without a profile (memtop --db DB) that holds several snapshots, the diff
 * of BASE NEW, the goroutines of a dump or goroutine profile, else the top
 * table. */
static enum view_kind first_view(const struct model *md, size_t stored)
{
	if (stored >= 2)
		return VIEW_SNAPSHOTS;
	if (md->base)
		return VIEW_DIFF;
	if (gmodel_is_goroutines(md->p))
		return VIEW_GOROUTINES;
	return VIEW_TOP;
}

/* The input modes, glyphs and colors of a freshly opened screen. */
static void setup_modes(struct ui *ui)
{
	const char *cs = nl_langinfo(CODESET);
	ui->utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	ui->g = ui->utf8 ? &glyphs_utf8 : &glyphs_ascii;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (!ui->script)
		mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED |
				  BUTTON5_PRESSED,
			  NULL);
	setup_colors(ui);
}

static SCREEN *term_scr;

/* Curses on the real terminal, set up for the viewer; called before the
 * profile is loaded when loading takes long enough to show progress. */
static bool open_terminal(struct ui *ui)
{
	/* The terminal's own size, not LINES/COLUMNS from the environment,
	 * which would pin it across resizes. */
	unsetenv("LINES");
	unsetenv("COLUMNS");
	term_sig_save_modes();
	term_scr = newterm(NULL, stdout, stdin);
	if (!term_scr)
		return false;
	setup_modes(ui);
	term_sig_screen_opened(true);
	return true;
}

int ui_main(const struct ui_args *c)
{
	char newest[32];
	size_t nstored = 0; /* snapshots in --db when no profile is given */
	if (c->nprofiles < 1 && !c->q->db) {
		ui_err("", "no profile given (try memtop --help)");
		return UI_EXIT_USAGE;
	}
	int cols = 120, rows = 40;
	if (c->screen && !parse_size(c->screen, &cols, &rows)) {
		ui_err("", "bad --screen \"%s\" (COLSxROWS, at least 20x5)", c->screen);
		return UI_EXIT_USAGE;
	}
	FILE *script = NULL;
	if (c->script) {
		script = fopen(c->script, "r");
		if (!script) {
			ui_err(c->script, "cannot open the script");
			return UI_EXIT_BAD;
		}
	}
	double t_start = now_ms();
	/* The last profile is the one shown (the first is a diff base);
	 * with --db alone, the newest stored snapshot. */
	struct model md;
	struct mt_err e = {{0}};
	const char *path = c->nprofiles ? c->profiles[c->nprofiles - 1] : newest;
	if (!c->nprofiles && !newest_snapshot(c->q->db, newest, sizeof newest, &nstored, &e)) {
		ui_err(c->q->db, "%s", e.msg);
		if (script)
			fclose(script);
		return UI_EXIT_BAD;
	}
	struct ui ui = {.md = &md, .script = script != NULL,
			.source_path = c->source_path, .trim_path = c->trim_path};
	strtab_init(&ui.names);
	struct load_job job = {
		.md = &md, .path = path, .q = c->q,
		.base_path = c->nprofiles >= 2 ? c->profiles[0] : NULL,
	};
	SCREEN *scr = NULL;
	FILE *devnull = NULL;
	bool opened = false;
	mt_oom_hook = oom_endwin;
	if (!script)
		term_sig_install();
	/* On a terminal a large file loads behind a progress bar; script
	 * mode and pipes load here, with nothing drawn (deterministic). */
	if (!script && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		enum load_result lr = loading_run(&job, &ui, open_terminal, &opened);
		scr = term_scr;
		if (lr == LOAD_CANCELLED) {
			term_sig_screen_closed();
			endwin();
			delscreen(scr);
			mt_oom_hook = NULL;
			strtab_done(&ui.names);
			model_done(&md);
			return UI_EXIT_OK;
		}
	} else {
		loading_run_here(&job);
	}
	if (!job.ok) {
		if (opened) {
			term_sig_screen_closed();
			endwin();
			delscreen(scr);
		}
		mt_oom_hook = NULL;
		ui_err("", "%s", job.e.msg);
		strtab_done(&ui.names);
		if (script)
			fclose(script);
		return UI_EXIT_BAD;
	}
	const char *base_err = job.base_err;

	if (script) {
		/* A virtual screen of the asked size: curses writes to /dev/null
		 * and the screen is read back for :dump. */
		char b[16];
		snprintf(b, sizeof b, "%d", cols);
		setenv("COLUMNS", b, 1);
		snprintf(b, sizeof b, "%d", rows);
		setenv("LINES", b, 1);
		devnull = fopen("/dev/null", "r+");
		const char *term = getenv("TERM");
		scr = newterm(term && *term ? term : "xterm-256color", devnull, devnull);
		if (!scr)
			scr = newterm("xterm-256color", devnull, devnull);
		if (!scr) {
			ui_err("", "cannot set up a virtual terminal");
			strtab_done(&ui.names);
			model_done(&md);
			fclose(script);
			fclose(devnull);
			return UI_EXIT_BAD;
		}
		resizeterm(rows, cols);
		setup_modes(&ui);
	} else if (!opened) {
		if (!open_terminal(&ui)) {
			ui_err("", "cannot open the terminal (TERM=%s)",
				getenv("TERM") ? getenv("TERM") : "");
			strtab_done(&ui.names);
			model_done(&md);
			return UI_EXIT_BAD;
		}
		scr = term_scr;
	} else {
		erase();
	}
	engine_layout(&ui);
	engine_init(&ui, first_view(&md, nstored));
	/* A URL is watched live: fetched again every --interval. */
	if (query_is_url(path))
		ui_live_start(&ui, path, c->q, c->interval);
	bool stored = !script ? !(c->q->db && strcmp(c->q->db, ":memory:") == 0)
			      : c->q->db && *c->q->db && strcmp(c->q->db, ":memory:") != 0;
	if (base_err[0])
		ui_message(&ui, true, "%s", base_err);
	else if (c->nprofiles >= 3 && stored)
		/* The middle ones are not dropped: they are in the database. */
		ui_message(&ui, false,
			   "%d profiles: diff of the first and last; 5: all %d over time",
			   c->nprofiles, c->nprofiles);
	else if (c->nprofiles >= 3)
		ui_message(&ui, false,
			   "%d profiles: diff of the first and last (--db FILE: all %d in "
			   "view 5)",
			   c->nprofiles, c->nprofiles);
	else if (md.warnings.v.n)
		ui_message(&ui, false, "warning: %s%s", md.warnings.v.v[0],
			   md.warnings.v.n > 1 ? " (and more)" : "");
	struct prompt pr = {0};
	engine_draw(&ui, &pr);
	double t_first = now_ms(), c_first = cpu_ms();
	/* The first screen is up; build the rest (frames, trees, the call
	 * graph and the inline marks it gives) now, and show the marks. */
	model_warm(&md, ui.cols);
	engine_draw(&ui, &pr);
	if (md.base) {
		/* The diff's drill-down and flame graph: built now, so their
		 * keys answer at once. */
		struct diffmodel *dm = diffmodel_get(&md);
		if (dm) {
			diffmodel_graphs(dm);
			diffmodel_tree(dm, &md);
		}
	}
	if (getenv("MEMTOP_KEYLOG"))
		fprintf(stderr, "first screen %.0f ms, ready %.0f ms, cpu %.0f ms at the first "
			"screen, %.0f ms when ready\n", t_first - t_start, now_ms() - t_start,
			c_first, cpu_ms());

	int rc = UI_EXIT_OK;
	if (script)
		rc = run_script(&ui, &pr, script, c->script);
	else
		run_terminal(&ui, &pr);
	/* Script mode waits in the caller, as a test expects. */
	if (!script && c->import && wait_import(&ui, &pr, c->import) && c->import_skipped)
		*c->import_skipped = true;
	engine_done(&ui);
	ui_live_done(&ui);
	ui_set_search(&ui, NULL);
	for (int i = 0; i < ui.nsearch_hist; i++)
		free(ui.search_hist[i]);
	term_sig_screen_closed();
	if (!isendwin())
		endwin();
	delscreen(scr);
	mt_oom_hook = NULL;
	if (script)
		fclose(script);
	if (devnull)
		fclose(devnull);
	strtab_done(&ui.names);
	model_done(&md);
	return rc;
}
