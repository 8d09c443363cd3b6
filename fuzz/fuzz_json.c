/* fuzz_json.c - libFuzzer target for the JSON reader (base/json.h): any
 * bytes give a document or an error, never both; a document's nodes link
 * up as a tree (each child's parent is the node whose list holds it) and
 * keep within the depth bound. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	/* Not NUL-terminated on purpose: the reader must stay within n. */
	char *copy = malloc(n ? n : 1);
	if (n)
		memcpy(copy, d, n);
	struct json_doc doc;
	struct mt_err e = {{0}};
	enum mt_status st = json_parse(copy, n, 100000, &doc, &e);
	if (st != MT_OK) {
		if (doc.n || !e.msg[0])
			abort();
		free(copy);
		return 0;
	}
	if (!doc.n || doc.v[0].parent != -1)
		abort();
	for (size_t i = 0; i < doc.n; i++) {
		const struct json_node *x = &doc.v[i];
		size_t depth = 0;
		for (int32_t p = x->parent; p >= 0; p = doc.v[p].parent)
			if (++depth > JSON_MAX_DEPTH || (size_t)p >= i)
				abort();
		for (int32_t k = x->first; k >= 0; k = doc.v[k].next)
			if (doc.v[k].parent != (int32_t)i)
				abort();
		if (x->type == JSON_STR && (!x->str || x->str[x->len] != 0))
			abort();
		if ((x->key != NULL) !=
		    (x->parent >= 0 && doc.v[x->parent].type == JSON_OBJ))
			abort();
	}
	json_doc_done(&doc);
	free(copy);
	return 0;
}
