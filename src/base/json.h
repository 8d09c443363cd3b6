/* json.h - a small JSON reader for the answers of profile stores (Parca's
 * HTTP API): the whole document into a flat array of nodes, built without
 * recursion (the input cannot make the stack grow) and within a depth and
 * a node bound.
 *
 * Ownership: a struct json_doc owns its nodes and their strings
 * (json_doc_done); node indices and string pointers stay valid until then.
 */
#ifndef MT_JSON_H
#define MT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

#define JSON_MAX_DEPTH 256

struct json_node {
	enum json_type type;
	int32_t parent, first, last, next; /* node indices, -1: none */
	char *key;  /* member name within an object (decoded), else NULL */
	char *str;  /* JSON_STR: decoded, NUL-terminated (may hold NULs) */
	size_t len; /* of str */
	double num; /* JSON_NUM; JSON_BOOL: 0 or 1 */
	size_t at;  /* byte offset in the input */
};

struct json_doc {
	struct json_node *v; /* v[0] is the root */
	size_t n, cap;
};

/* Parses s[0..n) (need not be NUL-terminated) into d, at most max_nodes
 * values (0: no bound); MT_ERR_FORMAT with the byte at fault. */
enum mt_status json_parse(const char *s, size_t n, size_t max_nodes, struct json_doc *d,
			  struct mt_err *e);
void json_doc_done(struct json_doc *d);

/* The member key of object node obj, or -1. */
int32_t json_get(const struct json_doc *d, int32_t obj, const char *key);
/* Member key of obj when it is a string: its text, else NULL. */
const char *json_get_str(const struct json_doc *d, int32_t obj, const char *key);

#endif
