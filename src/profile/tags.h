/* tags.h - pprof's label filters and label frames.
 *
 * A tag filter is pprof's -tagfocus / -tagignore value: "[KEY=]VALUE",
 * where VALUE is a numeric range ("32kb", "1mb:", ":64kb", "12kb:64mb",
 * compared in the unit of each label, as pprof's measurement.Scale does) or
 * a comma-separated list of regular expressions (with a KEY: any of them
 * matches one of the key's values; without: each must match some
 * "key:value" of the sample).
 *
 * Ownership: a struct mt_tagfilter owns its regexes and copies of the
 * strings it needs; it borrows nothing.
 */
#ifndef MT_TAGS_H
#define MT_TAGS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/regex.h"
#include "profile/profile.h"

struct mt_tagfilter {
	char *key; /* NULL: any key */
	bool numeric;
	/* numeric: [lo, hi] in unit (has_lo/has_hi: bounds given) */
	double lo, hi;
	bool has_lo, has_hi;
	char unit[16];
	/* regexes */
	struct mt_regex **re;
	size_t nre;
};

/* Compiles a tag filter; MT_ERR_USAGE with e filled when a regex does not
 * compile. *numeric_note (may be NULL) is set when VALUE was read as a
 * range (pprof says so on stderr: "Interpreted '1mb:' as range"). */
enum mt_status mt_tagfilter_compile(struct mt_tagfilter *t, const char *spec,
				    bool *numeric_note, struct mt_err *e);
void mt_tagfilter_done(struct mt_tagfilter *t);

/* The unit of every numeric label key of p, as pprof infers it (the first
 * num_unit seen; else "bytes" for alignment and request; else the key
 * itself): an array indexed by string id of the key, NULL where the
 * string is no numeric label key. The caller frees the array (not the
 * strings, which are p's or static). */
const char **mt_label_units(const struct profile *p);

/* Whether sample s of p passes t. units comes from mt_label_units(p). */
bool mt_tagfilter_match(const struct mt_tagfilter *t, const struct profile *p, size_t s,
			const char *const *units);

/* pprof's -tagroot / -tagleaf: pseudo frames "value" (file: the key) for
 * each comma-separated key, at the root (the first key outermost) or at
 * the leaf (the last key innermost); numeric values are formatted in
 * outunit. A new profile; *rootm / *leafm tell whether any sample had one
 * of the keys. The caller owns *out. */
enum mt_status mt_label_frames(const struct profile *p, const char *rootkeys,
			       const char *leafkeys, const char *outunit,
			       struct profile **out, bool *rootm, bool *leafm,
			       struct mt_err *e);

#endif
