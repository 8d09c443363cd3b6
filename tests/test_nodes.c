/* test_nodes.c - aggregation semantics on small hand-made profiles whose
 * right answers are worked out by hand in the comments (pprof's rules: flat to
 * the leaf, cum once per sample, inline frames as their own nodes, pprof's
 * focus/ignore/hide/show and naming). */
#include <stdlib.h>

#include "report/export.h"
#include "harness.h"
#include "profile/nodes.h"
#include "pbenc.h"
#include "read/pprof_read.h"
#include "base/regex.h"
#include "report/top.h"
#include "query/query.h"

/* Strings: 0 "", 1 bytes, 2 count?, ... built below by index. */
enum { S_EMPTY, S_SPACE, S_BYTES, S_MAIN, S_A, S_B, S_LEAF, S_FILE, S_LIB, S_INL, S_N };
static const char *strs[S_N] = {
	[S_EMPTY] = "", [S_SPACE] = "space", [S_BYTES] = "bytes", [S_MAIN] = "main.main",
	[S_A] = "main.a", [S_B] = "main.b", [S_LEAF] = "pkg.leaf",
	[S_FILE] = "/src/./x/../main.go", [S_LIB] = "/usr/lib/libfoo.so.1",
	[S_INL] = "pkg.inlined",
};

static void fn(struct pb *p, uint64_t id, uint64_t name)
{
	struct pb m = {0};
	pb_uint(&m, 1, id);
	pb_uint(&m, 2, name);
	pb_uint(&m, 4, S_FILE);
	pb_msg(p, 5, &m);
}

/* A location with lines (function id, line) innermost first. */
static void loc(struct pb *p, uint64_t id, uint64_t mapping, const uint64_t *fl, int n)
{
	struct pb m = {0};
	pb_uint(&m, 1, id);
	if (mapping)
		pb_uint(&m, 2, mapping);
	pb_uint(&m, 3, 0x1000 + id);
	for (int i = 0; i < n; i++) {
		struct pb l = {0};
		pb_uint(&l, 1, fl[2 * i]);
		pb_uint(&l, 2, fl[2 * i + 1]);
		pb_msg(&m, 4, &l);
	}
	pb_msg(p, 4, &m);
}

static void sample(struct pb *p, int64_t v, const uint64_t *locs, int n)
{
	struct pb m = {0}, ids = {0};
	for (int i = 0; i < n; i++)
		pb_varint(&ids, locs[i]);
	pb_msg(&m, 1, &ids);
	pb_uint(&m, 2, (uint64_t)v);
	pb_msg(p, 2, &m);
}

static struct profile *build(void)
{
	static struct pb p;
	memset(&p, 0, sizeof p);
	struct pb vt = {0};
	pb_uint(&vt, 1, S_SPACE);
	pb_uint(&vt, 2, S_BYTES);
	pb_msg(&p, 1, &vt);
	/* functions 1 main, 2 a, 3 b, 4 leaf, 5 inlined */
	fn(&p, 1, S_MAIN);
	fn(&p, 2, S_A);
	fn(&p, 3, S_B);
	fn(&p, 4, S_LEAF);
	fn(&p, 5, S_INL);
	struct pb map = {0};
	pb_uint(&map, 1, 1);
	pb_uint(&map, 2, 0x1000);
	pb_uint(&map, 3, 0x9000);
	pb_uint(&map, 5, S_LIB);
	pb_msg(&p, 3, &map);
	/* locations: 1 main:10, 2 a:20, 3 b:30, 4 leaf:40 with inlined:50
	 * inlined into it, 5 no lines in libfoo, 6 a:21 */
	loc(&p, 1, 0, (uint64_t[]){1, 10}, 1);
	loc(&p, 2, 0, (uint64_t[]){2, 20}, 1);
	loc(&p, 3, 0, (uint64_t[]){3, 30}, 1);
	loc(&p, 4, 0, (uint64_t[]){5, 50, 4, 40}, 2);
	loc(&p, 5, 1, NULL, 0);
	loc(&p, 6, 0, (uint64_t[]){2, 21}, 1);
	/* samples (leaf first):
	 *   100: inlined leaf b a main
	 *    10: a b a main          (recursion: a counted once)
	 *     1: [libfoo] a main
	 *     5: a main (at a:21)    */
	sample(&p, 100, (uint64_t[]){4, 3, 2, 1}, 4);
	sample(&p, 10, (uint64_t[]){6, 3, 2, 1}, 4);
	sample(&p, 1, (uint64_t[]){5, 2, 1}, 3);
	sample(&p, 5, (uint64_t[]){6, 1}, 2);
	for (int i = 0; i < S_N; i++)
		pb_str(&p, strs[i]);
	struct profile *prof = profile_new();
	struct mt_err e;
	if (pprof_parse(p.b, p.n, prof, NULL, &e)) {
		fprintf(stderr, "parse: %s\n", e.msg);
		exit(1);
	}
	return prof;
}

static const struct mt_top_row *row(const struct mt_top *t, const struct mt_nodes *m,
				    const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(mt_node_name(m, t->rows[i].node), name) == 0)
			return &t->rows[i];
	return NULL;
}

#define ROW(t, m, name, want_flat, want_cum)                                   \
	do {                                                                   \
		const struct mt_top_row *r_ = row(t, m, name);                 \
		CHECK(r_ != NULL);                                             \
		if (r_) {                                                      \
			CHECK_EQ_INT(r_->flat, want_flat);                     \
			CHECK_EQ_INT(r_->cum, want_cum);                       \
		}                                                              \
	} while (0)

static void top_with(struct profile *p, enum mt_granularity g, const char *focus,
		     const char *ignore, const char *hide, const char *show,
		     struct mt_nodes *m, struct mt_top *t)
{
	struct mt_regex *re[4] = {0};
	const char *pat[4] = {focus, ignore, hide, show};
	for (int i = 0; i < 4; i++)
		if (pat[i])
			mt_regex_compile(&re[i], pat[i], false, NULL);
	struct mt_filters f = {.focus = re[0], .ignore = re[1], .hide = re[2], .show = re[3]};
	mt_nodes_init(m, p, g, &f, NULL);
	mt_top_build(t, m, 0);
	mt_top_sort(t, m, MT_SORT_FLAT);
	for (int i = 0; i < 4; i++)
		mt_regex_free(re[i]);
}

int main(void)
{
	struct profile *p = build();
	struct mt_nodes m;
	struct mt_top t;

	/* Functions: flat to the leaf frame; cum once per sample. */
	top_with(p, MT_GRAN_FUNCTIONS, NULL, NULL, NULL, NULL, &m, &t);
	CHECK_EQ_INT(t.total, 116);
	CHECK_EQ_INT(t.n, 6);
	ROW(&t, &m, "pkg.inlined", 100, 100);
	ROW(&t, &m, "pkg.leaf", 0, 100);
	ROW(&t, &m, "main.a", 15, 116);   /* 10 + 5 flat; recursion counted once */
	ROW(&t, &m, "main.b", 0, 110);
	ROW(&t, &m, "main.main", 0, 116);
	ROW(&t, &m, "[libfoo.so.1]", 1, 1);
	/* pprof order: |flat| desc, then name */
	CHECK_EQ_STR(mt_node_name(&m, t.rows[0].node), "pkg.inlined");
	CHECK_EQ_STR(mt_node_name(&m, t.rows[1].node), "main.a");
	CHECK_EQ_STR(mt_node_name(&m, t.rows[2].node), "[libfoo.so.1]");
	CHECK_EQ_STR(mt_node_name(&m, t.rows[3].node), "main.b");
	mt_top_inline_labels(&t, &m, 0, NULL, (int64_t)((double)t.flat_sum * 0.001));
	CHECK(row(&t, &m, "pkg.inlined")->inl);
	CHECK(!row(&t, &m, "pkg.inlined")->noinl);
	CHECK(!row(&t, &m, "main.a")->inl);
	mt_top_done(&t);
	mt_nodes_done(&m);

	/* Lines: each line its own node, paths cleaned like Go's filepath.Clean. */
	top_with(p, MT_GRAN_LINES, NULL, NULL, NULL, NULL, &m, &t);
	ROW(&t, &m, "main.a /src/main.go:21", 15, 15);
	ROW(&t, &m, "main.a /src/main.go:20", 0, 111);
	mt_top_done(&t);
	mt_nodes_done(&m);

	/* Files: all of main.go is one node. */
	top_with(p, MT_GRAN_FILES, NULL, NULL, NULL, NULL, &m, &t);
	ROW(&t, &m, "/src/main.go", 115, 116);
	mt_top_done(&t);
	mt_nodes_done(&m);

	/* focus keeps samples through main.b (110 of them); total stays 116. */
	top_with(p, MT_GRAN_FUNCTIONS, "main\\.b", NULL, NULL, NULL, &m, &t);
	CHECK_EQ_INT(t.total, 116);
	ROW(&t, &m, "main.main", 0, 110);
	ROW(&t, &m, "main.a", 10, 110);
	CHECK(row(&t, &m, "[libfoo.so.1]") == NULL);
	mt_top_done(&t);
	mt_nodes_done(&m);

	/* ignore drops samples through libfoo's mapping file. */
	top_with(p, MT_GRAN_FUNCTIONS, NULL, "libfoo", NULL, NULL, &m, &t);
	ROW(&t, &m, "main.main", 0, 115);
	mt_top_done(&t);
	mt_nodes_done(&m);

	/* hide removes pkg.* frames: flat moves to main.b. */
	top_with(p, MT_GRAN_FUNCTIONS, NULL, NULL, "^pkg\\.", NULL, &m, &t);
	ROW(&t, &m, "main.b", 100, 110);
	CHECK(row(&t, &m, "pkg.leaf") == NULL);
	mt_top_done(&t);
	mt_nodes_done(&m);

	/* show keeps only main.a and main.main frames and drops line-less ones. */
	top_with(p, MT_GRAN_FUNCTIONS, NULL, NULL, NULL, "main\\.(a|main)$", &m, &t);
	ROW(&t, &m, "main.a", 116, 116);
	CHECK_EQ_INT(t.n, 2);
	mt_top_done(&t);
	mt_nodes_done(&m);

	/* Folded stacks, worked out by hand from the four samples: root first,
	 * depth first, children in order of first appearance. */
	top_with(p, MT_GRAN_FUNCTIONS, NULL, NULL, NULL, NULL, &m, &t);
	char *buf = NULL;
	size_t blen = 0;
	FILE *mf = open_memstream(&buf, &blen);
	export_folded(mf, &m, 0);
	fclose(mf);
	CHECK_EQ_STR(buf, "main.main;main.a 5\n"
			  "main.main;main.a;main.b;pkg.leaf;pkg.inlined 100\n"
			  "main.main;main.a;main.b;main.a 10\n"
			  "main.main;main.a;[libfoo.so.1] 1\n");
	free(buf);
	/* The profile of a view with pkg.* hidden (what export writes, as
	 * pprof's -proto) keeps the numbers of the view, and its locations
	 * their addresses. */
	mt_top_done(&t);
	mt_nodes_done(&m);
	top_with(p, MT_GRAN_FUNCTIONS, NULL, NULL, "^pkg", NULL, &m, &t);
	struct mt_report rep;
	struct mt_filter hide = {MT_FILTER_HIDE, "^pkg"};
	CHECK(mt_report_build(&rep, p, 0, MT_GRAN_FUNCTIONS, false, &hide, 1, NULL) == MT_OK);
	struct profile *vp = mt_report_profile(&rep);
	mt_report_done(&rep);
	for (size_t i = 0; i < vp->locations.n; i++)
		for (size_t j = 0; j < p->locations.n; j++)
			if (vp->locations.v[i].id == p->locations.v[j].id)
				CHECK_EQ_INT(vp->locations.v[i].address, p->locations.v[j].address);
	struct mt_nodes vm;
	struct mt_top vt;
	mt_nodes_init(&vm, vp, MT_GRAN_FUNCTIONS, NULL, NULL);
	mt_top_build(&vt, &vm, 0);
	ROW(&vt, &vm, "main.b", 100, 110);
	ROW(&vt, &vm, "main.a", 15, 116);
	CHECK(row(&vt, &vm, "pkg.leaf") == NULL);
	mt_top_done(&vt);
	mt_nodes_done(&vm);
	profile_free(vp);
	mt_top_done(&t);
	mt_nodes_done(&m);

	profile_free(p);
	TEST_MAIN_END();
}
