/* view_labels.c - the label list (T): every label of the shown samples, by
 * key, with the value it carries (pprof's -tags), to filter on: Enter or f
 * keeps only the samples with the selected label (a tagfocus), i drops them
 * (a tagignore). Both go on the filter stack; Esc pops them. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "list.h"
#include "report/labels.h"
#include "view.h"

struct labels_view {
	char name[300]; /* row_name's answer */
	struct mt_labels lb;
	int idx;
	struct list l;
};

static bool labels_open(struct ui *ui, struct view *v, uintptr_t arg)
{
	struct labels_view *lv = v->priv;
	struct model *md = ui->md;
	mt_labels_build(&lv->lb, &md->rep.nodes, md->idx);
	lv->idx = md->idx;
	if (!lv->lb.n) {
		mt_labels_done(&lv->lb);
		ui_message(ui, false, "the samples shown carry no labels");
		return false;
	}
	lv->l.n = lv->lb.n;
	return true;
}

static void labels_done(struct view *v)
{
	struct labels_view *lv = v->priv;
	mt_labels_done(&lv->lb);
}

/* "1.50MB" for a numeric label's value in its unit. */
static void label_value(char *buf, size_t n, const struct mt_label_row *r)
{
	if (r->value)
		snprintf(buf, n, "%s", r->value);
	else
		mt_scaled_label(buf, n, r->num, r->unit, "auto");
}

static void labels_draw(struct ui *ui, struct view *v)
{
	struct labels_view *lv = v->priv;
	struct model *md = ui->md;
	if (lv->idx != md->idx) {
		mt_labels_done(&lv->lb);
		mt_labels_build(&lv->lb, &md->rep.nodes, md->idx);
		lv->idx = md->idx;
		lv->l.n = lv->lb.n;
	}
	int y = ui->y0, ta = ui_attr(ui, UC_TITLE);
	lv->l.h = ui->h - 2;
	list_fit(&lv->l);
	int kw = ui->cols >= 100 ? 24 : 16, nw = 10, pw = 8, cw = 9;
	int vx = kw + 1, vw = ui->cols - vx - nw - pw - cw - 4;
	char hdr[300];
	const char *stype = profile_str(md->p, md->p->sample_types.v[md->idx].type);
	snprintf(hdr, sizeof hdr, "%-*s %-*s %*.*s %*s %*s", kw, "label", vw > 0 ? vw : 1,
		 "value", nw, nw, stype, pw, "%", cw, "samples");
	ui_put(ui, y, 0, ui->cols, hdr, ta, true, false);
	for (int r = 0; r < lv->l.h; r++) {
		size_t i = lv->l.top + (size_t)r;
		if (i >= lv->l.n)
			break;
		const struct mt_label_row *row = &lv->lb.v[i];
		bool sel = i == lv->l.sel;
		int a = sel ? ui_attr(ui, UC_SELECTED) : (int)A_NORMAL, yy = y + 1 + r;
		ui_put(ui, yy, 0, ui->cols, "", a, true, false);
		/* The key once per group, as pprof's -tags prints it. */
		if (i == 0 || strcmp(lv->lb.v[i - 1].key, row->key) != 0 || i == lv->l.top)
			ui_put(ui, yy, 0, kw, row->key, a | (sel ? 0 : A_BOLD), true, true);
		char val[256], w[32], pc[16], ns[32];
		label_value(val, sizeof val, row);
		if (vw > 0)
			ui_put_name(ui, yy, vx, vw, val, a, sel);
		model_fmt(md, w, sizeof w, row->weight);
		mt_percentage_short(pc, sizeof pc, row->weight, lv->lb.total);
		snprintf(ns, sizeof ns, "%" PRId64, row->samples);
		char nums[128];
		snprintf(nums, sizeof nums, "%*s %*s %*s", nw, w, pw, pc, cw, ns);
		ui_put(ui, yy, ui->cols - nw - pw - cw - 2, nw + pw + cw + 2, nums, a, true, false);
	}
	char info[300];
	snprintf(info, sizeof info,
		 " %zu labels %s %% of the samples shown %s Enter/f: keep only these samples, "
		 "i: drop them, Esc: back",
		 lv->lb.n, ui->g->vline, ui->g->vline);
	ui_put_info(ui, y + ui->h - 1, info, ui_attr(ui, UC_DIM));
}

static enum view_result labels_request(struct ui *ui, struct view *v, enum request req)
{
	struct labels_view *lv = v->priv;
	if (list_request(&lv->l, req))
		return VIEW_DONE;
	if (req != REQ_ENTER && req != REQ_FOCUS && req != REQ_IGNORE)
		return VIEW_PASS;
	if (lv->l.sel >= lv->lb.n)
		return VIEW_DONE;
	const struct mt_label_row *row = &lv->lb.v[lv->l.sel];
	char pat[1200], val[256], label[400];
	mt_label_filter(pat, sizeof pat, row);
	label_value(val, sizeof val, row);
	snprintf(label, sizeof label, "%s=%s", row->key, val);
	/* Filtering rebuilds the model and this view with it: back to where
	 * the list was opened from, with the filter on. */
	ui_push_filter(ui, req == REQ_IGNORE ? MT_FILTER_TAGIGNORE : MT_FILTER_TAGFOCUS, pat,
		       label);
	return VIEW_DONE;
}

static struct list *labels_list(struct ui *ui, struct view *v)
{
	struct labels_view *lv = v->priv;
	return &lv->l;
}

/* "key=value" of row i: a search finds keys and values. */
static const char *labels_row_name(struct ui *ui, struct view *v, size_t i)
{
	struct labels_view *lv = v->priv;
	char val[256];
	label_value(val, sizeof val, &lv->lb.v[i]);
	snprintf(lv->name, sizeof lv->name, "%s=%s", lv->lb.v[i].key, val);
	return lv->name;
}

const struct view_ops view_labels_ops = {
	.name = "labels",
	.private_size = sizeof(struct labels_view),
	.open = labels_open,
	.draw = labels_draw,
	.request = labels_request,
	.done = labels_done,
	.row_list = labels_list,
	.row_name = labels_row_name,
};
