/* regex.c - PCRE2 behind a three-function interface. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "base/regex.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

struct mt_regex {
	pcre2_code *code;
	pcre2_match_data *md;
};

/* Compiles use with PCRE2 options opts; errors quote pattern, the user's. */
static enum mt_status compile(struct mt_regex **out, const char *pattern, const char *use,
			      uint32_t opts, struct mt_err *e)
{
	int err;
	PCRE2_SIZE off;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)use, PCRE2_ZERO_TERMINATED, opts, &err,
					 &off, NULL);
	if (!code) {
		PCRE2_UCHAR buf[200];
		pcre2_get_error_message(err, buf, sizeof buf);
		return mt_errf(e, MT_ERR_USAGE, "bad regular expression \"%s\": %s", pattern,
			       (char *)buf);
	}
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	struct mt_regex *re = xmalloc(sizeof *re);
	re->code = code;
	re->md = pcre2_match_data_create_from_pattern(code, NULL);
	if (!re->md) {
		pcre2_code_free(code);
		free(re);
		return mt_errf(e, MT_ERR_NOMEM, "out of memory compiling a regex");
	}
	*out = re;
	return MT_OK;
}

enum mt_status mt_regex_compile_search(struct mt_regex **out, const char *pattern,
				       unsigned flags, struct mt_err *e)
{
	/* PCRE2_LITERAL takes few other options: not DOLLAR_ENDONLY. */
	uint32_t opts = flags & MT_RE_LITERAL ? PCRE2_LITERAL : PCRE2_DOLLAR_ENDONLY;
	if (flags & MT_RE_CASELESS)
		opts |= PCRE2_CASELESS;
	return compile(out, pattern, pattern, opts, e);
}

bool mt_regex_find(const struct mt_regex *re, const char *s, size_t n, size_t from,
		   size_t *start, size_t *end)
{
	if (from > n || pcre2_match(re->code, (PCRE2_SPTR)s, n, from, 0, re->md, NULL) < 0)
		return false;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
	*start = ov[0];
	*end = ov[1];
	return true;
}

enum mt_status mt_regex_compile(struct mt_regex **out, const char *pattern,
				bool anchored, struct mt_err *e)
{
	char *pat = NULL;
	const char *use = pattern;
	if (anchored) {
		size_t n = strlen(pattern);
		pat = xmalloc(n + 8);
		memcpy(pat, "^(?:", 4);
		memcpy(pat + 4, pattern, n);
		memcpy(pat + 4 + n, ")$", 3);
		use = pat;
	}
	enum mt_status st = compile(out, pattern, use, PCRE2_DOLLAR_ENDONLY, e);
	free(pat);
	return st;
}

bool mt_regex_match(const struct mt_regex *re, const char *s, size_t n)
{
	return pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, 0, re->md, NULL) >= 0;
}

void mt_regex_free(struct mt_regex *re)
{
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re);
}
