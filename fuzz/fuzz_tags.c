/* fuzz_tags.c - libFuzzer target for pprof's label filters and label frames
 * (src/profile/tags.c): the first line of the input is a --tagfocus value,
 * the second --tagroot/--tagleaf keys, the rest a profile (any format the
 * readers know; goroutine dumps and Go texts carry labels). A filter that
 * compiles matches each sample the same way twice; label frames add no
 * sample (pprof's merge may join equal ones). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile/tags.h"
#include "read/reader.h"

/* The next line of d[*at..n) as a fresh string. */
static char *next_line(const uint8_t *d, size_t n, size_t *at)
{
	const uint8_t *nl = memchr(d + *at, '\n', n - *at);
	size_t len = nl ? (size_t)(nl - (d + *at)) : n - *at;
	char *s = malloc(len + 1);
	memcpy(s, d + *at, len);
	s[len] = 0;
	/* The readers and the regex take C strings: a NUL ends the spec. */
	*at += nl ? len + 1 : len;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	size_t at = 0;
	char *spec = next_line(d, n, &at);
	char *keys = next_line(d, n, &at);
	uint8_t *body = malloc(n - at + 1);
	memcpy(body, d + at, n - at);
	body[n - at] = 0;

	struct mt_tagfilter t;
	struct mt_err e;
	bool numeric = false;
	bool compiled = mt_tagfilter_compile(&t, spec, &numeric, &e) == MT_OK;
	if (!compiled && e.msg[0] == 0)
		abort(); /* refused without a word */

	struct mt_limits lim = MT_LIMITS_DEFAULT;
	lim.max_inflate = 64 << 20;
	struct profile *p = NULL;
	if (reader_load_bytes(body, n - at, &lim, &p, &e) == MT_OK) {
		if (compiled) {
			const char **units = mt_label_units(p);
			for (size_t s = 0; s < p->samples.n; s++)
				if (mt_tagfilter_match(&t, p, s, units) !=
				    mt_tagfilter_match(&t, p, s, units))
					abort();
			free(units);
		}
		/* The keys at the root and (reversed) at the leaf. */
		struct profile *lp = NULL;
		bool rm = false, lm = false;
		const char *outunit = (n && d[0] & 1) ? "auto" : "B";
		if (mt_label_frames(p, keys, keys, outunit, &lp, &rm, &lm, &e) ==
		    MT_OK) {
			if (lp->samples.n > p->samples.n)
				abort();
			profile_free(lp);
		}
		profile_free(p);
	}
	if (compiled)
		mt_tagfilter_done(&t);
	free(body);
	free(keys);
	free(spec);
	return 0;
}
