/* regex.h - regular expressions with the meaning pprof gives its filters
 * (unanchored search, RE2-like syntax), backed by PCRE2 with its JIT. */
#ifndef MT_REGEX_H
#define MT_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"

struct mt_regex;

/* Compiles pattern; with anchored, the whole subject must match (pprof's
 * "^(...)$" for drop_frames). The caller owns *out and frees it with
 * mt_regex_free. */
enum mt_status mt_regex_compile(struct mt_regex **out, const char *pattern,
				bool anchored, struct mt_err *e);
bool mt_regex_match(const struct mt_regex *re, const char *s, size_t n);

/* For searches: caseless (as a person searching expects when the pattern
 * has no capital letter), or the pattern taken as plain text. */
enum { MT_RE_CASELESS = 1, MT_RE_LITERAL = 2 };
enum mt_status mt_regex_compile_search(struct mt_regex **out, const char *pattern,
				       unsigned flags, struct mt_err *e);
/* The first match in s[from..n): true with [*start, *end) set. */
bool mt_regex_find(const struct mt_regex *re, const char *s, size_t n, size_t from,
		   size_t *start, size_t *end);
void mt_regex_free(struct mt_regex *re);

#endif
