/* request.h - every user action, defined once: its name, default keys and
 * help text. The keymap and the help screen are both generated from this
 * list, so a key never maps straight to a function. */
#ifndef MT_UI_REQUEST_H
#define MT_UI_REQUEST_H

#include <curses.h>

#define UI_CTRL(c) ((c)&0x1f)
#define UI_KEY_ESC 27

/* X(request, key, second key or 0, key label, help text) */
#define REQ_LIST(X)                                                            \
	X(REQ_VIEW_TOP, '1', 0, "1", "top table: flat and cum per function")   \
	X(REQ_VIEW_FLAME, '2', 0, "2", "flame graph")                          \
	X(REQ_VIEW_TREE, '3', 0, "3", "call tree")                             \
	X(REQ_VIEW_DIFF, '4', 0, "4", "diff of two snapshots")                 \
	X(REQ_VIEW_SNAPSHOTS, '5', 0, "5", "snapshots and timeline")           \
	X(REQ_VIEW_GOROUTINES, '6', 0, "6", "goroutines by state")             \
	X(REQ_VIEW_NEXT, '\t', 0, "Tab", "next of views 1-3; 5: snapshots / leak suspects")                  \
	X(REQ_HELP, '?', 0, "?", "this help")                                  \
	X(REQ_QUIT, 'q', 0, "q", "quit")                                       \
	X(REQ_BACK, UI_KEY_ESC, KEY_BACKSPACE, "Esc Bksp",                     \
	  "back: zoom out, leave a drill-down, then pop a filter")             \
	X(REQ_UP, KEY_UP, 'k', "Up k", "move up (flame: to the caller)")       \
	X(REQ_DOWN, KEY_DOWN, 'j', "Down j", "move down (flame: to a callee)") \
	X(REQ_LEFT, KEY_LEFT, 0, "Left", "flame: previous frame; tree: collapse; 5: earlier")       \
	X(REQ_RIGHT, KEY_RIGHT, 0, "Right", "flame: next frame; tree: expand; 5: later")  \
	X(REQ_PGUP, KEY_PPAGE, 0, "PgUp", "page up")                           \
	X(REQ_PGDN, KEY_NPAGE, ' ', "PgDn Space", "page down")                 \
	X(REQ_HOME, KEY_HOME, 'g', "Home g", "first row")                      \
	X(REQ_END, KEY_END, 'G', "End G", "last row")                          \
	X(REQ_ENTER, '\n', KEY_ENTER, "Enter",                                 \
	  "drill in: callers/callees (1,4), zoom (2), open (3,5), stack (6)")  \
	X(REQ_EXPAND, '+', 0, "+", "tree: expand")                             \
	X(REQ_COLLAPSE, '-', 0, "-", "tree: collapse")                         \
	X(REQ_EXPAND_ALL, 'E', 0, "E", "tree: expand all (nodes >= 0.1%)")     \
	X(REQ_COLLAPSE_ALL, 'C', 0, "C", "tree: collapse all")                 \
	X(REQ_INVERT, 'b', 0, "b", "tree: bottom-up (callers) / top-down; 5: mark the diff base")     \
	X(REQ_FLIP, 't', 0, "t", "flame: icicle (root on top) / flame")        \
	X(REQ_SORT, 'o', 0, "o",                                               \
	  "sort: flat/cum/name (1), delta/new (4), count/wait/growth (6)")     \
	X(REQ_DIFF_FLAME, 'd', 0, "d",                                         \
	  "flame of the diff (4), of the group's state (6)")                   \
	X(REQ_NORMALIZE, 'A', 0, "A",                                          \
	  "diff: absolute / normalized (NEW scaled to BASE's totals)")         \
	X(REQ_STATE_ALL, 'a', 0, "a", "goroutines: every state")               \
	X(REQ_STATE_RECV, 'r', 0, "r", "goroutines: only chan receive")        \
	X(REQ_STATE_SEND, 'w', 0, "w", "goroutines: only chan send")           \
	X(REQ_STATE_SELECT, 'e', 0, "e", "goroutines: only select")            \
	X(REQ_STATE_IOWAIT, 'O', 0, "O", "goroutines: only IO wait")           \
	X(REQ_STATE_SEMA, 'm', 0, "m", "goroutines: only semacquire")          \
	X(REQ_STATE_COND, 'c', 0, "c", "goroutines: only sync.Cond.Wait")      \
	X(REQ_STATE_SLEEP, 'z', 0, "z", "goroutines: only sleep")              \
	X(REQ_STATE_RUNNING, 'u', 0, "u", "goroutines: only running")          \
	X(REQ_STATE_SYSCALL, 'y', 0, "y", "goroutines: only syscall")          \
	X(REQ_SAMPLE, 's', 0, "s", "next sample type")                         \
	X(REQ_SAMPLE_PREV, 'S', 0, "S", "previous sample type")                \
	X(REQ_SEARCH, '/', 0, "/", "search function names")                    \
	X(REQ_FIND_NEXT, 'n', 0, "n", "next match")                            \
	X(REQ_FIND_PREV, 'N', 0, "N", "previous match")                        \
	X(REQ_FOCUS, 'f', 0, "f", "filter: focus on the selected function")    \
	X(REQ_IGNORE, 'i', 0, "i", "filter: ignore stacks through it")         \
	X(REQ_HIDE, 'h', 0, "h", "filter: hide its frames")                    \
	X(REQ_FOCUS_RE, 'F', 0, "F", "filter: focus on a typed regex")         \
	X(REQ_IGNORE_RE, 'I', 0, "I", "filter: ignore a typed regex")          \
	X(REQ_HIDE_RE, 'H', 0, "H", "filter: hide a typed regex")              \
	X(REQ_SHOW, 'v', 0, "v", "filter: show only the selected function's frames") \
	X(REQ_SHOW_RE, 'V', 0, "V", "filter: show only frames matching a typed regex") \
	X(REQ_LABELS, 'T', 0, "T",                                             \
	  "labels of the samples shown: Enter keeps one (tagfocus), i drops it") \
	X(REQ_PAUSE, 'p', 0, "p", "live URL: pause and resume the refetching")          \
	X(REQ_REFETCH, 'R', 0, "R", "live URL: fetch now")                                \
	X(REQ_SORT_GROWTH, 'D', 0, "D", "live URL: sort by the delta (growth) since the first fetch") \
	X(REQ_SOURCE, 'l', 0, "l", "source: the selected function's lines, flat and cum") \
	X(REQ_REDRAW, UI_CTRL('l'), 0, "^L", "redraw the screen")

enum request {
	REQ_NONE,
#define REQ_X(r, k1, k2, label, help) r,
	REQ_LIST(REQ_X)
#undef REQ_X
	REQ_COUNT
};

struct request_info {
	int key, key2;
	const char *label, *help;
};

extern const struct request_info request_info[REQ_COUNT];

/* The request bound to a key, or REQ_NONE. */
enum request request_of_key(int key);

#endif
