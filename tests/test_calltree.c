/* test_calltree.c - the rows of every sample type in one walk (top.c),
 * peek from the call graph (graph.c) and the lazy trie (calltree.c) against
 * `go tool pprof` on tests/data/go/heap.pb.gz (numbers from
 * `go tool pprof -peek REGEX -unit=B` and `-top -nodefraction=0 -unit=B`),
 * and against jeprof on a jemalloc heap, whose values it sums in floating
 * point before truncating once (tests/data/c/stacks.jemalloc.*, made by
 * tests/c/generate_stacks.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/calltree.h"
#include "report/graph.h"
#include "report/top.h"
#include "read/reader.h"
#include "symbol/symbolize.h"
#include "harness.h"

static uint32_t func_id(const struct mt_nodes *m, const char *name)
{
	for (uint32_t i = 0; i < m->n; i++)
		if (strcmp(mt_node_name(m, i), name) == 0)
			return i;
	return MT_NONE;
}

static int64_t edge_w(const struct mt_nodes *m, const struct mt_peek_edge *e, size_t n,
		      const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(mt_node_name(m, e[i].node), name) == 0)
			return e[i].weight;
	return -1;
}

/* flat (or cum) of node n in a top table, or -1. */
static int64_t row(const struct mt_top *t, uint32_t n, bool cum)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->rows[i].node == n)
			return cum ? t->rows[i].cum : t->rows[i].flat;
	return -1;
}

/* The child of node n in t named name, or MT_NONE. */
static uint32_t child(struct calltree *t, uint32_t n, const char *name)
{
	calltree_expand(t, n);
	for (uint32_t c = t->v[n].child; c != MT_NONE; c = t->v[c].next)
		if (strcmp(mt_node_name(t->f->m, t->v[c].func), name) == 0)
			return c;
	return MT_NONE;
}

/* A function's flat and cum in jeprof's --text report (golden), or -1. */
static void jeprof_row(const char *golden, const char *name, long long *flat,
		       long long *cum)
{
	*flat = *cum = -1;
	FILE *f = fopen(golden, "r");
	char line[512], nm[256];
	long long a, b;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, " %lld %*s %*s %lld %*s %255s", &a, &b, nm) == 3 &&
		    strcmp(nm, name) == 0) {
			*flat = a;
			*cum = b;
		}
	if (f)
		fclose(f);
}

/* The weight of the edge caller -> callee in jeprof's --dot graph, or -1. */
static long long jeprof_edge(const char *dot, const char *caller, const char *callee)
{
	FILE *f = fopen(dot, "r");
	char line[1024];
	int ca = -1, ce = -1;
	long long w = -1;
	while (f && fgets(line, sizeof line, f)) {
		int id, a, b;
		long long x;
		char *q = strstr(line, "[label=\"");
		if (sscanf(line, "N%d [label=", &id) == 1 && q) {
			q += 8;
			char *z = strstr(q, "\\n");
			if (z && (size_t)(z - q) == strlen(caller) && !strncmp(q, caller, z - q))
				ca = id;
			if (z && (size_t)(z - q) == strlen(callee) && !strncmp(q, callee, z - q))
				ce = id;
		} else if (sscanf(line, "N%d -> N%d [label=%lld", &a, &b, &x) == 3 && a == ca &&
			   b == ce) {
			w = x;
		}
	}
	if (f)
		fclose(f);
	return w;
}

/* A jemalloc heap: flat/cum, peek and the trie sum the exact estimates and
 * truncate once, as jeprof does (per-sample truncation is off on nearly
 * every function of this profile). */
static void check_exact(void)
{
	static const char *const G = "tests/data/c/stacks.jemalloc.inuse_space.txt";
	static const char *const DOT = "tests/data/c/stacks.jemalloc.inuse_space.dot";
	struct profile *p = NULL;
	struct mt_err e;
	CHECK(reader_load_file("tests/data/c/stacks.jemalloc.heap", NULL, &p, &e) == MT_OK);
	if (!p)
		return;
	CHECK(profile_has_exact(p));
	struct mt_sym_opts o = {.binary = "tests/data/c/stacks_je"};
	struct mt_symbolizer *sy = symbolizer_new(&o);
	struct mt_warnings w = {{0}};
	CHECK(symbolize_profile(sy, p, &w, &e) == MT_OK);
	symbolizer_free(sy);
	mt_warnings_done(&w);
	int inuse;
	CHECK(profile_sample_index(p, "inuse_space", &inuse, &e) == MT_OK);
	struct mt_nodes m;
	struct mt_filters nof = {0};
	CHECK(mt_nodes_init(&m, p, MT_GRAN_FUNCTIONS, &nof, &e) == MT_OK);
	struct ct_frames f;
	ct_frames_init(&f, &m);
	long long want = -1;
	FILE *g = fopen(G, "r");
	char line[256];
	while (g && fgets(line, sizeof line, g))
		sscanf(line, "Total: %lld B", &want);
	if (g)
		fclose(g);
	CHECK_EQ_INT(f.total[inuse], want);

	struct mt_top *tops = calloc(f.nst, sizeof *tops);
	mt_top_build_types(tops, &m, 0, (int)f.nst, -1);
	static const char *const names[] = {"leaf", "last", "step0", "even0", "odd0",
					    "step3", "even3", "odd3", "even7", "odd7"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		long long wf, wc;
		jeprof_row(G, names[i], &wf, &wc);
		uint32_t id = func_id(&m, names[i]);
		CHECK(id != MT_NONE && wc > 0);
		if (id == MT_NONE)
			continue;
		CHECK_EQ_INT(row(&tops[inuse], id, false), wf);
		CHECK_EQ_INT(row(&tops[inuse], id, true), wc);
	}
	/* Peek: the callers of even3 and odd3's callee. */
	struct mt_graph gr;
	mt_graph_build(&gr, &m);
	struct mt_peek_edge *in, *out;
	size_t nin = mt_graph_peek(&gr, &m, func_id(&m, "even3"), inuse, true, &in);
	size_t nout = mt_graph_peek(&gr, &m, func_id(&m, "even3"), inuse, false, &out);
	CHECK_EQ_INT(edge_w(&m, in, nin, "step3"), jeprof_edge(DOT, "step3", "even3"));
	CHECK_EQ_INT(edge_w(&m, out, nout, "step4"), jeprof_edge(DOT, "even3", "step4"));
	CHECK(jeprof_edge(DOT, "step3", "even3") > 0);
	free(in);
	free(out);

	/* The trie, bottom up: every path goes leaf <- last <- even7|odd7 <-
	 * step7, so a node's cum is that of the function of its path that
	 * only it holds (step7 below odd7: odd7's). */
	struct calltree t;
	calltree_init(&t, &f, true, inuse);
	CHECK_EQ_INT(calltree_cum(&t, CT_ROOT, inuse), want);
	uint32_t n = CT_ROOT;
	static const char *const up[] = {"leaf", "last", "odd7", "step7"};
	static const char *const by[] = {"leaf", "last", "odd7", "odd7"};
	for (size_t i = 0; i < 4 && n != MT_NONE; i++) {
		n = child(&t, n, up[i]);
		CHECK(n != MT_NONE);
		long long wf, wc;
		jeprof_row(G, by[i], &wf, &wc);
		if (n != MT_NONE)
			CHECK_EQ_INT(calltree_cum(&t, n, inuse), wc);
	}
	calltree_done(&t);
	for (size_t i = 0; i < f.nst; i++)
		mt_top_done(&tops[i]);
	free(tops);
	mt_graph_done(&gr);
	ct_frames_done(&f);
	mt_nodes_done(&m);
	profile_free(p);
}

int main(void)
{
	check_exact();
	struct mt_limits lim = MT_LIMITS_DEFAULT;
	struct profile *p = NULL;
	struct mt_err e;
	CHECK(reader_load_file("tests/data/go/heap.pb.gz", &lim, &p, &e) == MT_OK);
	if (!p)
		TEST_MAIN_END();
	int inuse, alloc;
	CHECK(profile_sample_index(p, "inuse_space", &inuse, &e) == MT_OK);
	CHECK(profile_sample_index(p, "alloc_space", &alloc, &e) == MT_OK);
	struct mt_nodes m;
	struct mt_filters nof = {0};
	CHECK(mt_nodes_init(&m, p, MT_GRAN_FUNCTIONS, &nof, &e) == MT_OK);
	struct ct_frames f;
	ct_frames_init(&f, &m);
	size_t nst = f.nst;
	CHECK_EQ_INT(f.total[inuse], 28873767);

	/* pprof -top: flat and cum per function, every sample type in one
	 * walk. */
	struct mt_top *tops = calloc(nst, sizeof *tops);
	mt_top_build_types(tops, &m, 0, (int)nst, -1);
	struct mt_top *ti = &tops[inuse], *ta = &tops[alloc];
	uint32_t add = func_id(&m, "main.(*leakyCache).add");
	uint32_t round = func_id(&m, "main.leakRound");
	uint32_t run = func_id(&m, "main.run");
	uint32_t build = func_id(&m, "main.buildTree");
	CHECK(add != MT_NONE && round != MT_NONE && run != MT_NONE && build != MT_NONE);
	CHECK_EQ_INT(row(ti, add, false), 5849088);
	CHECK_EQ_INT(row(ti, add, true), 25341737);
	CHECK_EQ_INT(row(ti, round, false), 2086);
	CHECK_EQ_INT(row(ti, round, true), 28854809);
	CHECK_EQ_INT(row(ti, run, true), 28857178);
	CHECK_EQ_INT(row(ta, round, false), 487038);
	CHECK_EQ_INT(row(ta, round, true), 143837692);
	CHECK_EQ_INT(row(ta, run, true), 145087582);
	/* buildTree recurses: cum counts each sample once. */
	CHECK_EQ_INT(row(ta, build, true), 176087);

	/* pprof -peek 'main.leakRound$': callers and callees, sorted. */
	struct mt_graph g;
	mt_graph_build(&g, &m);
	struct mt_peek_edge *in, *out;
	size_t nin = mt_graph_peek(&g, &m, round, inuse, true, &in);
	size_t nout = mt_graph_peek(&g, &m, round, inuse, false, &out);
	CHECK_EQ_INT(nin, 1);
	CHECK_EQ_INT(edge_w(&m, in, nin, "main.run"), 28854809);
	CHECK_EQ_INT(nout, 4);
	if (nout == 4) {
		CHECK_EQ_STR(mt_node_name(&m, out[0].node), "main.(*leakyCache).add");
		CHECK_EQ_INT(out[0].weight, 25341737);
		CHECK_EQ_STR(mt_node_name(&m, out[1].node), "main.leak");
		CHECK_EQ_INT(out[1].weight, 2133604);
		CHECK_EQ_STR(mt_node_name(&m, out[2].node), "fmt.Sprintf");
		CHECK_EQ_INT(out[2].weight, 1201295);
		CHECK_EQ_STR(mt_node_name(&m, out[3].node), "main.buildTree");
		CHECK_EQ_INT(out[3].weight, 176087);
	}
	free(in);
	free(out);
	nin = mt_graph_peek(&g, &m, run, inuse, true, &in);
	nout = mt_graph_peek(&g, &m, run, inuse, false, &out);
	CHECK_EQ_INT(edge_w(&m, in, nin, "main.main"), 28857178);
	CHECK_EQ_INT(edge_w(&m, out, nout, "main.parkGoroutines"), 2369);
	free(in);
	free(out);
	/* -sample_index=alloc_space -peek 'main.buildTree$': no self edge. */
	nin = mt_graph_peek(&g, &m, build, alloc, true, &in);
	nout = mt_graph_peek(&g, &m, build, alloc, false, &out);
	CHECK_EQ_INT(nin, 1);
	CHECK_EQ_INT(edge_w(&m, in, nin, "main.leakRound"), 176087);
	CHECK_EQ_INT(nout, 0);
	free(in);
	free(out);

	/* Top down: runtime.main -> main.main -> main.run has pprof's cum of
	 * main.run (one path), and children are ordered by cum. */
	struct calltree t;
	calltree_init(&t, &f, false, inuse);
	CHECK_EQ_INT(calltree_cum(&t, CT_ROOT, inuse), 28873767);
	uint32_t n = child(&t, CT_ROOT, "runtime.main");
	CHECK(n != MT_NONE);
	CHECK(n == t.v[CT_ROOT].child); /* the heaviest first */
	n = n == MT_NONE ? n : child(&t, n, "main.main");
	n = n == MT_NONE ? n : child(&t, n, "main.run");
	CHECK(n != MT_NONE);
	if (n != MT_NONE) {
		CHECK_EQ_INT(calltree_cum(&t, n, inuse), 28857178);
		CHECK_EQ_INT(calltree_flat(&t, n, inuse), 0);
		uint32_t r = child(&t, n, "main.leakRound");
		CHECK(r != MT_NONE);
		if (r != MT_NONE) {
			CHECK_EQ_INT(calltree_cum(&t, r, inuse), 28854809);
			CHECK_EQ_INT(calltree_flat(&t, r, inuse), 2086);
			CHECK_EQ_INT(t.v[r].depth, 4);
		}
	}
	/* Switching the sample type reorders, values stay. */
	calltree_sort(&t, alloc);
	CHECK_EQ_INT(calltree_cum(&t, CT_ROOT, alloc), f.total[alloc] - 0);
	calltree_done(&t);

	/* Bottom up: the first level is the leaf functions, cum = their flat. */
	calltree_init(&t, &f, true, inuse);
	uint32_t nb = child(&t, CT_ROOT, "main.newBuf");
	CHECK(nb == t.v[CT_ROOT].child);
	if (nb != MT_NONE)
		CHECK_EQ_INT(calltree_cum(&t, nb, inuse), 19492649);
	uint32_t a2 = nb == MT_NONE ? nb : child(&t, nb, "main.(*leakyCache).add");
	if (a2 != MT_NONE)
		CHECK_EQ_INT(calltree_cum(&t, a2, inuse), 19492649);
	CHECK(a2 != MT_NONE);
	calltree_done(&t);

	for (size_t i = 0; i < nst; i++)
		mt_top_done(&tops[i]);
	free(tops);
	mt_graph_done(&g);
	ct_frames_done(&f);
	mt_nodes_done(&m);
	profile_free(p);
	TEST_MAIN_END();
}
