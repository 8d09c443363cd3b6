/* export.c - folded stacks, JSON and SVG flame graphs. The
 * stacks come from the one call-path trie (calltree.c) that the viewer's
 * flame graph and call tree show: nothing here aggregates on its own. */
#include "report/export.h"
#include "base/sat.h"
#include "report/calltree.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The top-down tree of sample type index over m, of the samples with a
 * value of that type, walked depth first (calltree_walk): an export holds
 * one path of the tree at a time, never the whole of it. */
struct stacks {
	struct ct_frames f;
	struct calltree t;
};

static void stacks_init(struct stacks *st, const struct mt_nodes *m, int index)
{
	ct_frames_init_index(&st->f, m, index);
	calltree_init_one(&st->t, &st->f, false, index);
}

static void stacks_done(struct stacks *st)
{
	calltree_done(&st->t);
	ct_frames_done(&st->f);
}

/* A walk that keeps the text of the path to the current node: its frames
 * (quoted for JSON) joined by sep, in buf[0 .. len[depth]). */
struct path_walk {
	FILE *f;
	const struct mt_nodes *m;
	int index;
	bool json;
	size_t count;
	char *buf;
	size_t cap;
	VEC(size_t) len;  /* per depth: the text's length up to that frame */
	char **quoted;    /* JSON: per node name, made when first needed */
};

/* The text of node's name in the path: as is, or quoted for JSON. */
static const char *path_name(struct path_walk *w, uint32_t node, size_t *n)
{
	if (!w->json) {
		*n = strtab_len(&w->m->names, node + 1);
		return mt_node_name(w->m, node);
	}
	if (!w->quoted[node]) {
		const char *name = mt_node_name(w->m, node);
		w->quoted[node] = xmalloc(6 * strlen(name) + 3);
		mt_json_quote(w->quoted[node], name);
	}
	*n = strlen(w->quoted[node]);
	return w->quoted[node];
}

/* Enters node n: extends the path and writes the stack when n has flat. */
static bool path_visit(void *ctx, const struct calltree *t, uint32_t n)
{
	struct path_walk *w = ctx;
	uint32_t d = t->v[n].depth;
	VEC_RESERVE(w->len, d + 1);
	if (n == CT_ROOT) {
		w->len.v[0] = 0;
		return true;
	}
	size_t k, at = w->len.v[d - 1];
	const char *name = path_name(w, t->v[n].func, &k);
	const char *sep = w->json ? ", " : ";";
	size_t sl = d > 1 ? strlen(sep) : 0;
	if (at + sl + k + 1 > w->cap)
		xgrow((void **)&w->buf, &w->cap, at + sl + k + 1, 1);
	memcpy(w->buf + at, sep, sl);
	memcpy(w->buf + at + sl, name, k);
	w->len.v[d] = at + sl + k;
	int64_t self = calltree_flat(t, n, w->index);
	if (!self)
		return true;
	if (w->json) {
		fprintf(w->f, "%s\n  {\"frames\": [", w->count ? "," : "");
		fwrite(w->buf, 1, w->len.v[d], w->f);
		fprintf(w->f, "], \"value\": %" PRId64 "}", self);
	} else {
		fwrite(w->buf, 1, w->len.v[d], w->f);
		fprintf(w->f, " %" PRId64 "\n", self);
	}
	w->count++;
	return true;
}

/* Writes every stack with a flat value, root first, depth first in the
 * tree's order (children by |cum|); returns how many. */
static size_t write_stacks(FILE *f, const struct mt_nodes *m, int index, bool json)
{
	struct stacks st;
	stacks_init(&st, m, index);
	struct path_walk w = {.f = f, .m = m, .index = index, .json = json};
	if (json)
		w.quoted = xcalloc(m->n + 1, sizeof *w.quoted);
	calltree_walk(&st.t, path_visit, &w);
	if (json) {
		for (size_t i = 0; i < m->n; i++)
			free(w.quoted[i]);
		free(w.quoted);
	}
	free(w.buf);
	free(w.len.v);
	stacks_done(&st);
	return w.count;
}

void export_folded(FILE *f, const struct mt_nodes *m, int index)
{
	write_stacks(f, m, index, false);
}

void export_json(FILE *f, const struct mt_nodes *m, int index)
{
	const struct profile *p = m->p;
	fputs("{\"sample_type\": ", f);
	mt_json_str(f, profile_str(p, p->sample_types.v[index].type));
	fputs(", \"unit\": ", f);
	mt_json_str(f, profile_str(p, p->sample_types.v[index].unit));
	fprintf(f, ", \"total\": %" PRId64 ", \"stacks\": [", mt_profile_total(p, index));
	fputs(write_stacks(f, m, index, true) ? "\n]}\n" : "]}\n", f);
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

/* A box of the flame graph, laid out during the walk and drawn after it
 * (the root is at the bottom: y needs the depth of the deepest box). */
struct svg_rec {
	double x, w;
	uint32_t depth, func; /* func MT_NONE: the root, or merged narrow frames */
	int64_t cum;
	bool merged;
};

struct svg_walk {
	double scale;
	int index;
	VEC(struct svg_rec) boxes;
	VEC(double) cx;      /* per depth: where the next child of the box above goes */
	VEC(uint8_t) merged; /* per depth: the narrow children are drawn merged */
	uint32_t depth;      /* the deepest box + 1 */
};

/* Enters node n: lays out its box, or merges it and its narrower siblings
 * (children come by |cum|, so the narrow ones are the last) into one. */
static bool svg_visit(void *ctx, const struct calltree *t, uint32_t n)
{
	struct svg_walk *w = ctx;
	uint32_t d = t->v[n].depth;
	VEC_RESERVE(w->cx, d + 2);
	VEC_RESERVE(w->merged, d + 2);
	if (n == CT_ROOT)
		w->cx.v[0] = 0;
	double width = (double)mt_sat_abs(calltree_cum(t, n, w->index)) * w->scale;
	double x = w->cx.v[d];
	if (width < 1.0) {
		if (n == CT_ROOT || w->merged.v[d])
			return false;
		w->merged.v[d] = 1;
		double small = 0;
		for (uint32_t c = n; c != MT_NONE; c = t->v[c].next)
			small += (double)mt_sat_abs(calltree_cum(t, c, w->index)) * w->scale;
		if (small >= 1.0)
			VEC_PUSH(w->boxes, ((struct svg_rec){.x = x, .w = small, .depth = d,
							      .func = MT_NONE, .merged = true}));
		return false;
	}
	VEC_PUSH(w->boxes, ((struct svg_rec){.x = x, .w = width, .depth = d,
					      .func = t->v[n].func,
					      .cum = calltree_cum(t, n, w->index)}));
	w->cx.v[d] = x + width;
	w->cx.v[d + 1] = x;
	w->merged.v[d + 1] = 0;
	if (d + 1 > w->depth)
		w->depth = d + 1;
	return true;
}

void export_svg(FILE *f, const struct mt_nodes *m, int index, const char *title)
{
	const struct profile *p = m->p;
	const int width = 1200, row = 16;
	const double span = width - 20;
	struct stacks st;
	stacks_init(&st, m, index);
	int64_t total = calltree_cum(&st.t, CT_ROOT, index);
	struct svg_walk w = {.index = index};
	if (total)
		w.scale = span / (double)mt_sat_abs(total);
	/* Frames narrower than a pixel are merged into one box: the walk
	 * need not go below them. */
	calltree_walk(&st.t, svg_visit, &w);
	int height = (int)(w.depth + 3) * row + 10;
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
	for (size_t i = 0; i < w.boxes.n; i++) {
		const struct svg_rec *b = &w.boxes.v[i];
		int y = height - (int)(b->depth + 1) * row - 4;
		if (b->merged) {
			fprintf(f, "<g><title>merged: frames too narrow to draw</title>"
				   "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
				   "fill=\"rgb(180,180,180)\"/></g>\n",
				b->x, y, b->w, row - 1);
			continue;
		}
		const char *name = b->func == MT_NONE ? "all" : mt_node_name(m, b->func);
		svg_box(f, name, b->cum, unit, total, b->x, y, b->w, row);
	}
	fputs("</g>\n</svg>\n", f);
	free(w.boxes.v);
	free(w.cx.v);
	free(w.merged.v);
	stacks_done(&st);
}
