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
	int err;
	PCRE2_SIZE off;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)use, PCRE2_ZERO_TERMINATED,
					 PCRE2_DOLLAR_ENDONLY, &err, &off, NULL);
	free(pat);
	if (!code) {
		PCRE2_UCHAR buf[200];
		pcre2_get_error_message(err, buf, sizeof buf);
		return mt_errf(e, MT_ERR_USAGE, "bad regular expression \"%s\": %s",
			       pattern, (char *)buf);
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
