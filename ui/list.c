/* list.c - selection and scrolling of a list of rows. */
#include "list.h"

void list_fit(struct list *l)
{
	if (l->h < 1)
		l->h = 1;
	if (l->n == 0) {
		l->sel = l->top = 0;
		return;
	}
	if (l->sel >= l->n)
		l->sel = l->n - 1;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + (size_t)l->h)
		l->top = l->sel - (size_t)l->h + 1;
	if (l->top + (size_t)l->h > l->n)
		l->top = l->n > (size_t)l->h ? l->n - (size_t)l->h : 0;
}

void list_select(struct list *l, size_t i)
{
	l->sel = i;
	if (l->h < 1)
		return; /* not laid out yet: the first draw brings it in view */
	if (i < l->top || i >= l->top + (size_t)l->h)
		l->top = i > (size_t)l->h / 2 ? i - (size_t)l->h / 2 : 0;
	list_fit(l);
}

bool list_request(struct list *l, enum request req)
{
	size_t page = l->h > 1 ? (size_t)l->h - 1 : 1;
	switch (req) {
	case REQ_UP:
		if (l->sel > 0)
			l->sel--;
		break;
	case REQ_DOWN:
		if (l->sel + 1 < l->n)
			l->sel++;
		break;
	case REQ_PGUP:
		l->sel = l->sel > page ? l->sel - page : 0;
		l->top = l->top > page ? l->top - page : 0;
		break;
	case REQ_PGDN:
		l->sel += page;
		l->top += page;
		break;
	case REQ_HOME:
		l->sel = 0;
		break;
	case REQ_END:
		l->sel = l->n ? l->n - 1 : 0;
		break;
	default:
		return false;
	}
	list_fit(l);
	return true;
}
