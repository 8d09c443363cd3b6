/* view_help.c - the help screen, generated from the request table, and the
 * placeholder of views the input cannot fill (diff, snapshots, goroutines
 * until they exist for it). */
#include <stdio.h>
#include <string.h>

#include "list.h"
#include "view.h"

struct help_view {
	struct list l;
};

static bool help_open(struct ui *ui, struct view *v, uintptr_t arg)
{
	struct help_view *h = v->priv;
	h->l.n = REQ_COUNT - 1;
	return true;
}

static void help_draw(struct ui *ui, struct view *v)
{
	struct help_view *h = v->priv;
	int y = ui->y0;
	h->l.h = ui->h - 2;
	list_fit(&h->l);
	ui_put(ui, y, 0, ui->cols, " keys (Esc, ? or q closes this help)", ui_attr(ui, UC_TITLE), true,
	       false);
	for (int r = 0; r < h->l.h; r++) {
		size_t i = h->l.top + (size_t)r;
		if (i >= h->l.n)
			break;
		const struct request_info *ri = &request_info[i + 1];
		bool sel = i == h->l.sel;
		int a = sel ? ui_attr(ui, UC_SELECTED) : (int)A_NORMAL;
		char line[300];
		snprintf(line, sizeof line, "  %-12s %s", ri->label, ri->help);
		ui_put(ui, y + 1 + r, 0, ui->cols, line, a, true, false);
	}
	char info[200];
	snprintf(info, sizeof info,
		 " numbers are pprof's: flat = in the function itself, cum = with its callees %s mouse: click selects, double click drills",
		 ui->g->vline);
	ui_put_info(ui, y + ui->h - 1, info, ui_attr(ui, UC_DIM));
}

static enum view_result help_request(struct ui *ui, struct view *v, enum request req)
{
	struct help_view *h = v->priv;
	return list_request(&h->l, req) ? VIEW_DONE : VIEW_PASS;
}

const struct view_ops view_help_ops = {
	.name = "help",
	.private_size = sizeof(struct help_view),
	.open = help_open,
	.draw = help_draw,
	.request = help_request,
};

static void na_draw(struct ui *ui, struct view *v)
{
	static const char *what[VIEW_KIND_COUNT] = {
		[VIEW_DIFF] = "The diff view compares two heap profiles: memtop BASE NEW.",
		[VIEW_SNAPSHOTS] = "The timeline needs snapshots stored in a database: memtop --db DB.",
		[VIEW_GOROUTINES] = "The goroutine view needs a goroutine profile or stack dump.",
	};
	int y = ui->y0 + ui->h / 3;
	static const char *names[VIEW_KIND_COUNT] = {
		[VIEW_DIFF] = "4 diff", [VIEW_SNAPSHOTS] = "5 snapshots",
		[VIEW_GOROUTINES] = "6 goroutines"};
	char t[200];
	snprintf(t, sizeof t, "%s: not available for this input",
		 names[v->kind] ? names[v->kind] : "view");
	int w = ui_width(t);
	ui_put(ui, y, (ui->cols - w) / 2 > 0 ? (ui->cols - w) / 2 : 0, ui->cols, t,
	       ui_attr(ui, UC_TITLE), false, false);
	const char *s = what[v->kind] ? what[v->kind] : "";
	w = ui_width(s);
	ui_put(ui, y + 2, (ui->cols - w) / 2 > 0 ? (ui->cols - w) / 2 : 0, ui->cols, s,
	       ui_attr(ui, UC_DIM), false, false);
	s = "1 top table, 2 flame graph, 3 call tree";
	w = ui_width(s);
	ui_put(ui, y + 3, (ui->cols - w) / 2 > 0 ? (ui->cols - w) / 2 : 0, ui->cols, s,
	       ui_attr(ui, UC_DIM), false, false);
}

const struct view_ops view_na_ops = {
	.name = "n/a",
	.draw = na_draw,
};
