/* export.c - folded stacks, JSON, SVG flame graphs and view profiles. The
 * stacks come from the one call-path trie (calltree.c) that the viewer's
 * flame graph and call tree show: nothing here aggregates on its own. */
#include "report/export.h"
#include "base/sat.h"
#include "report/calltree.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The top-down tree of sample type index over m, built as far as needed:
 * every node (px 0), or the nodes at least a pixel wide when the root is
 * px pixels wide. */
struct stacks {
	struct ct_frames f;
	struct calltree t;
};

static void stacks_build(struct stacks *st, const struct mt_nodes *m, int index, double px)
{
	ct_frames_init(&st->f, m);
	calltree_init_one(&st->t, &st->f, false, index);
	if (px <= 0) {
		calltree_expand_all(&st->t);
		return;
	}
	int64_t root = calltree_cum(&st->t, CT_ROOT, index);
	double min = (double)mt_sat_abs(root) / px;
	/* Only what is wide enough to draw: breadth first, in id order. */
	for (size_t n = 0; n < st->t.n; n++) {
		int64_t c = calltree_cum(&st->t, (uint32_t)n, index);
		if ((double)mt_sat_abs(c) >= min)
			calltree_expand(&st->t, (uint32_t)n);
	}
}

static void stacks_done(struct stacks *st)
{
	calltree_done(&st->t);
	ct_frames_done(&st->f);
}

/* Calls emit for every node with a non-zero flat value of index, with its
 * path root first, depth first in the tree's order (children by |cum|). */
static void walk_stacks(const struct calltree *t, int index,
			void (*emit)(void *ctx, const uint32_t *path, size_t n, int64_t v),
			void *ctx)
{
	VEC(uint32_t) path = {0}, stack = {0};
	/* Children go on the stack last to first, so pop gives the first. */
	VEC(uint32_t) kids = {0};
	uint32_t cur = CT_ROOT;
	for (;;) {
		kids.n = 0;
		for (uint32_t c = t->v[cur].child; c != MT_NONE; c = t->v[c].next)
			VEC_PUSH(kids, c);
		for (size_t i = kids.n; i-- > 0;)
			VEC_PUSH(stack, kids.v[i]);
		if (!stack.n)
			break;
		cur = stack.v[--stack.n];
		path.n = t->v[cur].depth - 1;
		VEC_RESERVE(path, path.n + 1);
		path.v[path.n++] = t->v[cur].func;
		int64_t self = calltree_flat(t, cur, index);
		if (self)
			emit(ctx, path.v, path.n, self);
	}
	free(kids.v);
	free(path.v);
	free(stack.v);
}

struct emit_ctx {
	FILE *f;
	const struct mt_nodes *m;
	size_t count;
};

static void emit_folded(void *vctx, const uint32_t *path, size_t n, int64_t v)
{
	struct emit_ctx *c = vctx;
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(';', c->f);
		fputs(mt_node_name(c->m, path[i]), c->f);
	}
	fprintf(c->f, " %" PRId64 "\n", v);
}

void export_folded(FILE *f, const struct mt_nodes *m, int index)
{
	struct stacks st;
	stacks_build(&st, m, index, 0);
	struct emit_ctx c = {f, m, 0};
	walk_stacks(&st.t, index, emit_folded, &c);
	stacks_done(&st);
}


static void emit_json(void *vctx, const uint32_t *path, size_t n, int64_t v)
{
	struct emit_ctx *c = vctx;
	fprintf(c->f, "%s\n  {\"frames\": [", c->count++ ? "," : "");
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", c->f);
		mt_json_str(c->f, mt_node_name(c->m, path[i]));
	}
	fprintf(c->f, "], \"value\": %" PRId64 "}", v);
}

void export_json(FILE *f, const struct mt_nodes *m, int index)
{
	const struct profile *p = m->p;
	struct stacks st;
	stacks_build(&st, m, index, 0);
	fputs("{\"sample_type\": ", f);
	mt_json_str(f, profile_str(p, p->sample_types.v[index].type));
	fputs(", \"unit\": ", f);
	mt_json_str(f, profile_str(p, p->sample_types.v[index].unit));
	fprintf(f, ", \"total\": %" PRId64 ", \"stacks\": [", mt_profile_total(p, index));
	struct emit_ctx c = {f, m, 0};
	walk_stacks(&st.t, index, emit_json, &c);
	fputs(c.count ? "\n]}\n" : "]}\n", f);
	stacks_done(&st);
}

/* ---- SVG ---- */

static void xml_text(FILE *f, const char *s, size_t max)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && n < max; p++, n++) {
		switch (*p) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if (*p >= 0x20)
				fputc(*p, f);
		}
	}
}

/* The package of a Go or C++ name: up to the first '.' after the last '/'
 * (or the first "::"), so one package keeps one color. */
static size_t package_len(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *from = slash ? slash + 1 : name;
	const char *dot = strchr(from, '.');
	const char *colons = strstr(from, "::");
	if (colons && (!dot || colons < dot))
		dot = colons;
	return dot ? (size_t)(dot - name) : strlen(name);
}

/* One frame of the flame graph: a node's box and label. */
static void svg_box(FILE *f, const char *name, int64_t cum, const char *unit, int64_t total,
		    double x, int y, double w, int row)
{
	uint64_t h = mt_hash(name, package_len(name), 7);
	int r = 200 + (int)(h % 56), g = 80 + (int)((h >> 8) % 130), b = (int)((h >> 16) % 60);
	double pct = total ? 100.0 * (double)mt_sat_abs(cum) / (double)total : 0;
	fprintf(f, "<g><title>");
	xml_text(f, name, 4096);
	fprintf(f, " (%" PRId64 " %s, %.2f%%)</title>", cum, unit, pct);
	fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
		   "fill=\"rgb(%d,%d,%d)\" rx=\"2\"/>",
		x, y, w, row - 1, r, g, b);
	int chars = (int)((w - 6) / 7);
	if (chars >= 3) {
		fprintf(f, "<text x=\"%.1f\" y=\"%d\">", x + 3, y + row - 5);
		size_t len = strlen(name);
		if ((int)len <= chars) {
			xml_text(f, name, len);
		} else {
			xml_text(f, name, (size_t)chars - 2);
			fputs("..", f);
		}
		fputs("</text>", f);
	}
	fputs("</g>\n", f);
}

void export_svg(FILE *f, const struct mt_nodes *m, int index, const char *title)
{
	const struct profile *p = m->p;
	const int width = 1200, row = 16;
	const double span = width - 20;
	struct stacks st;
	/* Frames narrower than a pixel are merged into their parent's row:
	 * the tree need not go below them. */
	stacks_build(&st, m, index, span);
	const struct calltree *t = &st.t;
	int64_t total = calltree_cum(t, CT_ROOT, index);
	double scale = total ? span / (double)mt_sat_abs(total) : 0;
	/* x of every node, in id order (a parent before its children). */
	double *x = xcalloc(t->n + 1, sizeof *x);
	uint32_t depth = 0;
	for (uint32_t n = 0; n < t->n; n++) {
		double w = (double)mt_sat_abs(calltree_cum(t, n, index)) * scale;
		if (w >= 1.0 && t->v[n].depth + 1 > depth)
			depth = t->v[n].depth + 1;
	}
	int height = (int)(depth + 3) * row + 10;
	const char *unit = profile_str(p, p->sample_types.v[index].unit);
	fprintf(f, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		   "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" "
		   "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "font-family=\"monospace\" font-size=\"11\">\n"
		   "<rect width=\"100%%\" height=\"100%%\" fill=\"#fdfdf6\"/>\n"
		   "<text x=\"%d\" y=\"18\" text-anchor=\"middle\" font-size=\"15\">",
		width, height, width, height, width / 2);
	xml_text(f, title ? title : "memtop flame graph", 200);
	fprintf(f, " (%s)</text>\n<g transform=\"translate(10,0)\">\n",
		profile_str(p, p->sample_types.v[index].type));
	for (uint32_t n = 0; total && n < t->n; n++) {
		double w = (double)mt_sat_abs(calltree_cum(t, n, index)) * scale;
		if (w < 1.0)
			continue;
		int y = height - (int)(t->v[n].depth + 1) * row - 4;
		const char *name = n == CT_ROOT ? "all" : mt_node_name(m, t->v[n].func);
		svg_box(f, name, calltree_cum(t, n, index), unit, total, x[n], y, w, row);
		/* Lay out the children; the narrow ones merge, never lost. */
		double cx = x[n], small = 0;
		for (uint32_t c = t->v[n].child; c != MT_NONE; c = t->v[c].next) {
			double cw = (double)mt_sat_abs(calltree_cum(t, c, index)) * scale;
			x[c] = cx;
			if (cw < 1.0) {
				small += cw;
				continue;
			}
			cx += cw;
		}
		if (small >= 1.0)
			fprintf(f, "<g><title>merged: frames too narrow to draw</title>"
				   "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
				   "fill=\"rgb(180,180,180)\"/></g>\n",
				cx, y - row, small, row - 1);
	}
	fputs("</g>\n</svg>\n", f);
	free(x);
	stacks_done(&st);
}

/* ---- view profile ---- */

struct profile *export_view_profile(const struct mt_nodes *m)
{
	const struct profile *p = m->p;
	struct profile *d = profile_new();
	d->format = MT_FMT_PPROF;
#define CP(s) strtab_intern(&d->strs, profile_str(p, (s)), strtab_len(&p->strs, (s)))
	for (size_t i = 0; i < p->sample_types.n; i++) {
		struct mt_value_type vt = {CP(p->sample_types.v[i].type),
					   CP(p->sample_types.v[i].unit)};
		VEC_PUSH(d->sample_types, vt);
	}
	d->default_sample_type = CP(p->default_sample_type);
	d->period_type.type = CP(p->period_type.type);
	d->period_type.unit = CP(p->period_type.unit);
	d->period = p->period;
	d->time_nanos = p->time_nanos;
	d->duration_nanos = p->duration_nanos;
	for (size_t i = 0; i < p->comments.n; i++)
		VEC_PUSH(d->comments, CP(p->comments.v[i]));
	/* one function and one location per node: location i = node i */
	for (size_t i = 0; i < m->n; i++) {
		const char *name = mt_node_name(m, (uint32_t)i);
		struct mt_function fn = {.id = i + 1,
					 .name = strtab_intern(&d->strs, name, strlen(name))};
		VEC_PUSH(d->functions, fn);
		struct mt_line ln = {.func = (uint32_t)i};
		struct mt_location loc = {.id = i + 1, .mapping = MT_NONE,
					  .line0 = (uint32_t)d->lines.n, .nline = 1};
		VEC_PUSH(d->lines, ln);
		VEC_PUSH(d->locations, loc);
	}
	struct mt_frame *fr = xmalloc((mt_nodes_max_frames(m) + 1) * sizeof *fr);
	size_t nst = p->sample_types.n;
	for (size_t s = 0; s < p->samples.n; s++) {
		size_t k = mt_nodes_frames(m, s, fr);
		if (k == 0)
			continue;
		const struct mt_sample *sm = &p->samples.v[s];
		struct mt_sample ns = {.loc0 = (uint32_t)d->sample_locs.n, .nloc = (uint32_t)k,
				       .label0 = (uint32_t)d->labels.n, .nlabel = sm->nlabel};
		for (size_t i = 0; i < k; i++)
			VEC_PUSH(d->sample_locs, fr[i].node);
		for (uint32_t j = 0; j < sm->nlabel; j++) {
			struct mt_label l = p->labels.v[sm->label0 + j];
			l.key = CP(l.key);
			l.str = CP(l.str);
			l.unit = CP(l.unit);
			VEC_PUSH(d->labels, l);
		}
		VEC_PUSH(d->samples, ns);
		for (size_t t = 0; t < nst; t++)
			VEC_PUSH(d->values, profile_values(p, s)[t]);
	}
#undef CP
	free(fr);
	return d;
}
