/* list.h - selection and scrolling of a list of rows, shared by the
 * table-shaped views (top, peek, tree, help). */
#ifndef MT_UI_LIST_H
#define MT_UI_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"

struct list {
	size_t sel, top; /* selected row, first row shown */
	size_t n;        /* rows */
	int h;           /* rows shown */
};

/* Moves the selection for a navigation request; false for other requests. */
bool list_request(struct list *l, enum request req);
/* Keeps the selection in range and on screen. */
void list_fit(struct list *l);
/* Selects row i and scrolls it into view (centred if it was off screen). */
void list_select(struct list *l, size_t i);

#endif
