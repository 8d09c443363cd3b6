/* treeview.h - the tree engine shared by tree-shaped views: which nodes of
 * a calltree are open, the visible rows that follow, selection, expanding
 * and collapsing one or all. Rows are rebuilt only when the open set
 * changes. */
#ifndef MT_UI_TREEVIEW_H
#define MT_UI_TREEVIEW_H

#include "report/calltree.h"
#include "list.h"

struct treeview {
	struct calltree *t;
	int idx;              /* sample type: rows with zero cum are left out */
	uint8_t *open;        /* per tree node */
	size_t open_cap;
	VEC(uint32_t) rows;   /* visible tree nodes */
	struct list l;
	bool dirty;
};

void treeview_init(struct treeview *tv, struct calltree *t, int idx);
void treeview_done(struct treeview *tv);
/* Rebuilds the rows if the open set changed. */
void treeview_rows(struct treeview *tv);
bool treeview_is_open(const struct treeview *tv, uint32_t n);
/* Opens or closes node n; open makes its children first. */
void treeview_set(struct treeview *tv, uint32_t n, bool open);
/* Opens every node under the root with |cum| >= min; returns whether the
 * row limit stopped it. */
bool treeview_expand_all(struct treeview *tv, int64_t min);
void treeview_collapse_all(struct treeview *tv);
/* Selects node n if it is a row. */
void treeview_select_node(struct treeview *tv, uint32_t n);

#define TREEVIEW_MAX_ROWS 200000

#endif
