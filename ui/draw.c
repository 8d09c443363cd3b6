/* draw.c - drawing helpers shared by the views: glyphs with an ASCII
 * fallback, color roles, cut-to-fit text with search highlighting, bars. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "view.h"
#include "base/regex.h"

int ui_attr(const struct ui *ui, enum ui_color c)
{
	if (ui->colors == 0) {
		switch (c) {
		case UC_HEADER:
		case UC_STATUS:
		case UC_SELECTED:
			return A_REVERSE;
		case UC_HEADER_KEY:
			return A_REVERSE | A_BOLD;
		case UC_MATCH:
			return A_BOLD | A_UNDERLINE;
		case UC_MATCH_SELECTED:
			return A_REVERSE | A_BOLD | A_UNDERLINE;
		case UC_TITLE:
			return A_BOLD;
		case UC_DIM:
			return A_DIM;
		case UC_GROW0:
		case UC_GROW1:
		case UC_GROW2:
			return c == UC_GROW2 ? A_REVERSE | A_BOLD : A_REVERSE;
		case UC_SHRINK0:
		case UC_SHRINK1:
		case UC_SHRINK2:
		case UC_DIFF_NEUTRAL:
		case UC_GROW_FG:
		case UC_SHRINK_FG:
			return A_NORMAL;
		case UC_ERROR:
			return A_BOLD;
		default:
			if (c >= UC_FLAME0)
				return A_NORMAL;
			return A_NORMAL;
		}
	}
	int a = COLOR_PAIR(c);
	if (ui->colors < 256 && (c == UC_GROW2 || c == UC_SHRINK2))
		a |= A_BOLD; /* 8/16 colors: one red, one green; strong is bold */
	switch (c) {
	case UC_HEADER_KEY:
	case UC_TITLE:
	case UC_MATCH:
	case UC_MATCH_SELECTED:
	case UC_ERROR:
		a |= A_BOLD;
		break;
	default:
		break;
	}
	return a;
}

/* The package part of a Go or C++ symbol: up to the first '.' after the
 * last '/' ("net/http.(*conn).serve" -> "net/http"), or up to "::". */
static size_t package_len(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *start = slash ? slash + 1 : name;
	const char *dot = strchr(start, '.');
	const char *colons = strstr(start, "::");
	if (colons && (!dot || colons < dot))
		dot = colons;
	return dot ? (size_t)(dot - name) : strlen(name);
}

int ui_flame_attr(const struct ui *ui, const char *name)
{
	uint64_t h = mt_hash(name, package_len(name), 0x6d656d746f70ULL);
	int i = (int)(h % UI_FLAME_COLORS);
	if (ui->colors == 0)
		return A_REVERSE;
	return COLOR_PAIR(UC_FLAME0 + i);
}

int ui_width(const char *s)
{
	int w = 0;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	while (*s) {
		if ((unsigned char)*s < 0x80) {
			w++;
			s++;
			continue;
		}
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&st, 0, sizeof st);
			w++;
			s++;
			continue;
		}
		int cw = wcwidth(wc);
		w += cw < 0 ? 1 : cw;
		s += k;
	}
	return w;
}

/* Bytes of s that fill at most w columns (from the start). */
static size_t prefix_bytes(const char *s, int w, int *used)
{
	const char *p = s;
	int u = 0;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	while (*p) {
		int cw = 1;
		size_t k = 1;
		if ((unsigned char)*p >= 0x80) {
			wchar_t wc;
			k = mbrtowc(&wc, p, MB_CUR_MAX, &st);
			if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
				memset(&st, 0, sizeof st);
				k = 1;
			} else {
				cw = wcwidth(wc);
				if (cw < 0)
					cw = 1;
			}
		}
		if (u + cw > w)
			break;
		u += cw;
		p += k;
	}
	if (used)
		*used = u;
	return (size_t)(p - s);
}

/* Writes s into out (n bytes) as it can be shown: control characters in
 * caret notation (^[), bytes that are not UTF-8 as \xNN, so that a
 * profile's names never drive the terminal and widths add up. */
static void printable(const char *s, char *out, size_t n)
{
	size_t k = 0;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	for (const unsigned char *p = (const unsigned char *)s; *p && k + 5 < n;) {
		if (*p < 0x20 || *p == 0x7f) {
			out[k++] = '^';
			out[k++] = *p == 0x7f ? '?' : (char)(*p + '@');
			p++;
			continue;
		}
		if (*p < 0x80) {
			out[k++] = (char)*p++;
			continue;
		}
		wchar_t wc;
		size_t m = mbrtowc(&wc, (const char *)p, MB_CUR_MAX, &st);
		if (m == (size_t)-1 || m == (size_t)-2 || m == 0 || (wc >= 0x80 && wc < 0xa0)) {
			memset(&st, 0, sizeof st);
			k += (size_t)snprintf(out + k, n - k, "\\x%02x", *p);
			p++;
			continue;
		}
		if (k + m + 1 >= n)
			break;
		memcpy(out + k, p, m);
		k += m;
		p += m;
	}
	out[k] = 0;
}

/* Fills buf with what fits of s in w columns: the text (control characters
 * and bad bytes made printable), cut at its start or end with an ellipsis.
 * Returns the columns used; *skip gets the bytes dropped at the start. */
static int fit(const struct ui *ui, const char *raw, int w, bool cut_left, char *buf,
	       size_t n, size_t *skip, size_t *ell)
{
	char s[1024];
	printable(raw, s, sizeof s);
	int sw = ui_width(s);
	*skip = 0;
	*ell = 0;
	if (w <= 0) {
		buf[0] = 0;
		return 0;
	}
	if (sw <= w) {
		snprintf(buf, n, "%s", s);
		return sw;
	}
	const char *e = ui->g->ellipsis;
	*ell = strlen(e);
	if (cut_left) {
		/* Drop characters from the start until the rest fits w-1. */
		const char *p = s;
		int rest = sw;
		while (*p && rest > w - 1) {
			int used;
			size_t k = prefix_bytes(p, 1, &used);
			if (k == 0)
				k = 1, used = 1;
			p += k;
			rest -= used;
		}
		*skip = (size_t)(p - s);
		snprintf(buf, n, "%s%s", e, p);
		return rest + 1;
	}
	int used;
	size_t k = prefix_bytes(s, w - 1, &used);
	snprintf(buf, n, "%.*s%s", (int)k, s, e);
	return used + 1;
}

int ui_put(struct ui *ui, int y, int x, int w, const char *s, int attr, bool pad,
	   bool cut_left)
{
	if (w <= 0 || y < 0 || y >= ui->rows)
		return 0;
	char buf[1024];
	size_t skip, ell;
	int used = fit(ui, s, w, cut_left, buf, sizeof buf, &skip, &ell);
	attrset(attr);
	mvaddstr(y, x, buf);
	if (pad && used < w)
		mvhline(y, x + used, ' ', w - used);
	attrset(A_NORMAL);
	return pad ? w : used;
}

void ui_put_info(struct ui *ui, int y, const char *s, int attr)
{
	int w = ui->cols;
	if (ui_width(s) <= w) {
		ui_put(ui, y, 0, w, s, attr, true, false);
		return;
	}
	/* Cut at the last boundary between hints that leaves room for the
	 * ellipsis: after ", ", or before a vertical bar. */
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", s);
	size_t best = 0;
	for (size_t i = 1; buf[i]; i++) {
		bool comma = buf[i - 1] == ',' && buf[i] == ' ';
		bool bar = buf[i] == ' ' && strncmp(buf + i + 1, ui->g->vline, strlen(ui->g->vline)) == 0;
		if (!comma && !bar)
			continue;
		char keep = buf[comma ? i - 1 : i];
		buf[comma ? i - 1 : i] = 0;
		bool fits = ui_width(buf) + 2 <= w;
		buf[comma ? i - 1 : i] = keep;
		if (fits)
			best = comma ? i - 1 : i;
	}
	if (!best) {
		ui_put(ui, y, 0, w, s, attr, true, false);
		return;
	}
	snprintf(buf + best, sizeof buf - best, " %s", ui->g->ellipsis);
	ui_put(ui, y, 0, w, buf, attr, true, false);
}

void ui_put_right(struct ui *ui, int y, int x, int w, const char *s, int attr)
{
	int sw = ui_width(s);
	if (sw >= w) {
		ui_put(ui, y, x, w, s, attr, true, false);
		return;
	}
	attrset(attr);
	mvhline(y, x, ' ', w - sw);
	mvaddstr(y, x + w - sw, s);
	attrset(A_NORMAL);
}

void ui_set_search(struct ui *ui, const char *text)
{
	mt_regex_free(ui->search_re);
	ui->search_re = NULL;
	ui->search_literal = false;
	snprintf(ui->search, sizeof ui->search, "%s", text ? text : "");
	if (!ui->search[0])
		return;
	unsigned flags = MT_RE_CASELESS;
	for (const char *p = ui->search; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			flags = 0; /* smart case */
	struct mt_err e;
	if (mt_regex_compile_search(&ui->search_re, ui->search, flags, &e) != MT_OK) {
		ui->search_literal = true;
		mt_regex_compile_search(&ui->search_re, ui->search, flags | MT_RE_LITERAL, &e);
	}
}

bool ui_matches(const struct ui *ui, const char *s)
{
	return ui->search_re && mt_regex_match(ui->search_re, s, strlen(s));
}

const char *ui_short_name(const char *s, int w, char *buf, size_t n)
{
	if (ui_width(s) <= w)
		return s;
	/* The package path ends at the last '/' before the function's own
	 * name: before any '(' (a method's receiver) or space. */
	size_t end = strcspn(s, "( ");
	const char *slash = NULL;
	for (const char *c = s; c < s + end; c++)
		if (*c == '/')
			slash = c;
	if (!slash || !slash[1])
		return s;
	snprintf(buf, n, "%s", slash + 1);
	return buf;
}

int ui_put_name(struct ui *ui, int y, int x, int w, const char *s, int attr,
		bool selected)
{
	if (!ui_matches(ui, s))
		return ui_put(ui, y, x, w, s, attr, true, true);
	if (w <= 0)
		return 0;
	char buf[1024];
	size_t skip, ell;
	int used = fit(ui, s, w, true, buf, sizeof buf, &skip, &ell);
	int hl = ui_attr(ui, selected ? UC_MATCH_SELECTED : UC_MATCH);
	/* Print in pieces: plain, match, plain... over the visible text. */
	move(y, x);
	if (ell) {
		attrset(attr);
		addnstr(buf, (int)ell);
	}
	const char *vis = buf + ell;
	size_t n = strlen(vis), at = 0, ms, me;
	while (at < n && mt_regex_find(ui->search_re, vis, n, at, &ms, &me)) {
		attrset(attr);
		if (ms > at)
			addnstr(vis + at, (int)(ms - at));
		if (me == ms) { /* an empty match: step on */
			if (ms < n)
				addnstr(vis + ms, 1);
			at = ms + 1;
			continue;
		}
		attrset(hl);
		addnstr(vis + ms, (int)(me - ms));
		at = me;
	}
	attrset(attr);
	if (at < n)
		addstr(vis + at);
	if (used < w)
		mvhline(y, x + used, ' ', w - used);
	attrset(A_NORMAL);
	return w;
}

void ui_bar(struct ui *ui, int y, int x, int w, double frac, int attr)
{
	if (w <= 0)
		return;
	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	int eighths = (int)(frac * w * 8 + 0.5);
	attrset(attr);
	move(y, x);
	for (int i = 0; i < w; i++) {
		int e = eighths - i * 8;
		if (e >= 8)
			addstr(ui->g->blocks[8]);
		else if (e > 0)
			addstr(ui->g->blocks[e]);
		else
			addch(' ');
	}
	attrset(A_NORMAL);
}

void ui_message(struct ui *ui, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ui->msg, sizeof ui->msg, fmt, ap);
	va_end(ap);
	ui->msg_error = error;
}

int ui_sparkline(struct ui *ui, int y, int x, int w, const int64_t *v, size_t n, int attr)
{
	static const char *const up[8] = {"\u2581", "\u2582", "\u2583", "\u2584",
					  "\u2585", "\u2586", "\u2587", "\u2588"};
	static const char *const asc[8] = {"_", "_", ".", "-", "-", "=", "*", "#"};
	if (w <= 0 || n == 0)
		return 0;
	size_t from = n > (size_t)w ? n - (size_t)w : 0;
	int64_t lo = v[from], hi = v[from];
	for (size_t i = from; i < n; i++) {
		lo = v[i] < lo ? v[i] : lo;
		hi = v[i] > hi ? v[i] : hi;
	}
	attrset(attr);
	move(y, x);
	for (size_t i = from; i < n; i++) {
		/* In double: hi - lo may not fit in int64. */
		int k = hi > lo ? (int)(((double)v[i] - (double)lo) * 7.0 /
					((double)hi - (double)lo) + 0.5)
				: 3;
		k = k < 0 ? 0 : k > 7 ? 7 : k;
		addstr(ui->utf8 ? up[k] : asc[k]);
	}
	attrset(A_NORMAL);
	return (int)(n - from);
}
