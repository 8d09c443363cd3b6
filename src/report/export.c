/* export.c - folded stacks, JSON, SVG flame graphs and view profiles. All
 * of them start from the same aggregation: distinct stacks of node ids with
 * their summed value, kept in a trie keyed by (parent, node). */
#include "report/export.h"
#include "base/sat.h"
#include "base/u64map.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct tnode {
	uint32_t node, parent;
	uint32_t child, next; /* first child, next sibling (MT_NONE ends) */
	int64_t self, cum;
	uint32_t order; /* order of first appearance, for stable output */
};

struct trie {
	VEC(struct tnode) v;
	struct mt_u64map ids; /* (parent, node) -> child */
};

static uint32_t trie_child(struct trie *t, uint32_t parent, uint32_t node)
{
	bool added;
	uint32_t *id = mt_u64map_put(&t->ids, mt_pair_key(parent, node), &added);
	if (added) {
		*id = (uint32_t)t->v.n;
		struct tnode tn = {.node = node, .parent = parent, .child = MT_NONE,
				   .next = MT_NONE, .order = *id};
		VEC_PUSH(t->v, tn);
	}
	return *id;
}

/* Builds the trie of stacks, root first; node 0 is the root. */
static void trie_build(struct trie *t, const struct mt_nodes *m, int index)
{
	memset(t, 0, sizeof *t);
	struct tnode root = {.node = MT_NONE, .parent = MT_NONE, .child = MT_NONE,
			     .next = MT_NONE};
	VEC_PUSH(t->v, root);
	const struct profile *p = m->p;
	struct mt_frame *fr = xmalloc((mt_nodes_max_frames(m) + 1) * sizeof *fr);
	size_t nst = p->sample_types.n;
	for (size_t s = 0; s < p->samples.n; s++) {
		int64_t w = p->values.v[s * nst + (size_t)index];
		if (w == 0)
			continue;
		size_t k = mt_nodes_frames(m, s, fr);
		if (k == 0)
			continue;
		uint32_t cur = 0;
		t->v.v[0].cum = mt_sat_add(t->v.v[0].cum, w);
		for (size_t i = k; i-- > 0;) {
			cur = trie_child(t, cur, fr[i].node);
			t->v.v[cur].cum = mt_sat_add(t->v.v[cur].cum, w);
		}
		t->v.v[cur].self = mt_sat_add(t->v.v[cur].self, w);
	}
	free(fr);
	/* Link children, in order of first appearance. */
	for (size_t i = t->v.n; i-- > 1;) {
		struct tnode *n = &t->v.v[i];
		n->next = t->v.v[n->parent].child;
		t->v.v[n->parent].child = (uint32_t)i;
	}
}

static void trie_done(struct trie *t)
{
	free(t->v.v);
	mt_u64map_done(&t->ids);
}

/* Visits every trie node with self != 0, giving its path root first. */
static void walk_stacks(const struct trie *t, const struct mt_nodes *m,
			void (*emit)(void *ctx, const uint32_t *path, size_t n, int64_t v),
			void *ctx)
{
	VEC(uint32_t) path = {0};
	VEC(uint32_t) stack = {0};
	for (uint32_t c = t->v.v[0].child; c != MT_NONE; c = t->v.v[c].next)
		VEC_PUSH(stack, c);
	/* children were pushed first-to-last; pop gives last first, so
	 * reverse each level to keep the order of appearance. */
	for (size_t i = 0; i < stack.n / 2; i++) {
		uint32_t x = stack.v[i];
		stack.v[i] = stack.v[stack.n - 1 - i];
		stack.v[stack.n - 1 - i] = x;
	}
	while (stack.n) {
		uint32_t id = stack.v[--stack.n];
		const struct tnode *n = &t->v.v[id];
		while (path.n && path.v[path.n - 1] != n->parent)
			path.n--;
		VEC_PUSH(path, id);
		if (n->self) {
			VEC(uint32_t) names = {0};
			for (size_t i = 0; i < path.n; i++)
				VEC_PUSH(names, t->v.v[path.v[i]].node);
			emit(ctx, names.v, names.n, n->self);
			free(names.v);
		}
		size_t mark = stack.n;
		for (uint32_t c = n->child; c != MT_NONE; c = t->v.v[c].next)
			VEC_PUSH(stack, c);
		for (size_t i = mark, j = stack.n ? stack.n - 1 : 0; i < j; i++, j--) {
			uint32_t x = stack.v[i];
			stack.v[i] = stack.v[j];
			stack.v[j] = x;
		}
	}
	(void)m;
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
	struct trie t;
	trie_build(&t, m, index);
	struct emit_ctx c = {f, m, 0};
	walk_stacks(&t, m, emit_folded, &c);
	trie_done(&t);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void emit_json(void *vctx, const uint32_t *path, size_t n, int64_t v)
{
	struct emit_ctx *c = vctx;
	fprintf(c->f, "%s\n  {\"frames\": [", c->count++ ? "," : "");
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", c->f);
		json_str(c->f, mt_node_name(c->m, path[i]));
	}
	fprintf(c->f, "], \"value\": %" PRId64 "}", v);
}

void export_json(FILE *f, const struct mt_nodes *m, int index)
{
	const struct profile *p = m->p;
	struct trie t;
	trie_build(&t, m, index);
	fputs("{\"sample_type\": ", f);
	json_str(f, profile_str(p, p->sample_types.v[index].type));
	fputs(", \"unit\": ", f);
	json_str(f, profile_str(p, p->sample_types.v[index].unit));
	fprintf(f, ", \"total\": %" PRId64 ", \"stacks\": [", mt_profile_total(p, index));
	struct emit_ctx c = {f, m, 0};
	walk_stacks(&t, m, emit_json, &c);
	fputs(c.count ? "\n]}\n" : "]}\n", f);
	trie_done(&t);
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

struct svg {
	FILE *f;
	const struct trie *t;
	const struct mt_nodes *m;
	double scale; /* pixels per unit */
	int64_t total;
	int height, row;
	const char *unit;
};

/* One frame's rectangle and, if it fits, its name. */
static void svg_rect(struct svg *s, uint32_t id, double x, int depth)
{
	const struct tnode *n = &s->t->v.v[id];
	double w = (double)mt_sat_abs(n->cum) * s->scale;
	int y = s->height - (depth + 1) * s->row - 4;
	const char *name = n->node == MT_NONE ? "all" : mt_node_name(s->m, n->node);
	uint64_t h = mt_hash(name, package_len(name), 7);
	int r = 200 + (int)(h % 56), g = 80 + (int)((h >> 8) % 130), b = (int)((h >> 16) % 60);
	double pct = s->total ? 100.0 * (double)mt_sat_abs(n->cum) / (double)s->total : 0;
	fprintf(s->f, "<g><title>");
	xml_text(s->f, name, 4096);
	fprintf(s->f, " (%" PRId64 " %s, %.2f%%)</title>", n->cum, s->unit, pct);
	fprintf(s->f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
		      "fill=\"rgb(%d,%d,%d)\" rx=\"2\"/>",
		x, y, w, s->row - 1, r, g, b);
	int chars = (int)((w - 6) / 7);
	if (chars >= 3) {
		fprintf(s->f, "<text x=\"%.1f\" y=\"%d\">", x + 3, y + s->row - 5);
		size_t len = strlen(name);
		if ((int)len <= chars) {
			xml_text(s->f, name, len);
		} else {
			xml_text(s->f, name, (size_t)chars - 2);
			fputs("..", s->f);
		}
		fputs("</text>", s->f);
	}
	fputs("</g>\n", s->f);
}

/* A frame on the way down: where its next child goes, and the width of the
 * children too narrow to draw so far. */
struct svg_item {
	uint32_t id, next; /* next child to visit */
	int depth;
	double cx, small;
};

/* Draws the frame id and everything above it, parents before children, each
 * frame's narrow children merged into one grey box after its last child.
 * Iterative: a stack 100,000 frames deep must not overflow the C stack. */
static void svg_frames(struct svg *s, uint32_t id)
{
	VEC(struct svg_item) st = {0};
	svg_rect(s, id, 0, 0);
	VEC_PUSH(st, ((struct svg_item){.id = id, .next = s->t->v.v[id].child}));
	while (st.n) {
		struct svg_item *it = &st.v[st.n - 1];
		uint32_t c = it->next;
		if (c == MT_NONE) {
			if (it->small >= 1.0) {
				int cy = s->height - (it->depth + 2) * s->row - 4;
				fprintf(s->f, "<g><title>merged: frames too narrow to draw</title>"
					      "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
					      "height=\"%d\" fill=\"rgb(180,180,180)\"/></g>\n",
					it->cx, cy, it->small, s->row - 1);
			}
			st.n--;
			continue;
		}
		it->next = s->t->v.v[c].next;
		double cw = (double)mt_sat_abs(s->t->v.v[c].cum) * s->scale;
		if (cw < 1.0) {
			it->small += cw; /* merged below, never lost */
			continue;
		}
		double x = it->cx;
		int depth = it->depth + 1;
		it->cx += cw;
		svg_rect(s, c, x, depth);
		VEC_PUSH(st, ((struct svg_item){.id = c, .next = s->t->v.v[c].child,
						.depth = depth, .cx = x}));
	}
	free(st.v);
}

/* The number of levels of the trie, root included. A child is always added
 * after its parent, so one pass in order sees every parent first. */
static int trie_depth(const struct trie *t)
{
	int *d = xmalloc((t->v.n + 1) * sizeof *d), max = 0;
	d[0] = 1;
	for (size_t i = 1; i < t->v.n; i++) {
		d[i] = d[t->v.v[i].parent] + 1;
		if (d[i] > max)
			max = d[i];
	}
	free(d);
	return max > 1 ? max : 1;
}

void export_svg(FILE *f, const struct mt_nodes *m, int index, const char *title)
{
	const struct profile *p = m->p;
	struct trie t;
	trie_build(&t, m, index);
	const int width = 1200, row = 16;
	int depth = trie_depth(&t);
	int height = (depth + 3) * row + 10;
	struct svg s = {
		.f = f, .t = &t, .m = m, .row = row, .height = height,
		.total = t.v.v[0].cum,
		.unit = profile_str(p, p->sample_types.v[index].unit),
	};
	s.scale = s.total ? (double)(width - 20) / (double)mt_sat_abs(s.total) : 0;
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
	if (s.total)
		svg_frames(&s, 0);
	fputs("</g>\n</svg>\n", f);
	trie_done(&t);
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
