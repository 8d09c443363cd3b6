/* test_series.c - the one series rule (src/store/series.h): URLs exactly,
 * files by directory, kinds apart, and a source that is a prefix of
 * another naming only its own series (issue: "/x" showed "/x2"). */
#include <string.h>

#include "harness.h"
#include "store/series.h"

static struct store_entry entry(int64_t id, const char *kind, const char *source,
				int64_t time)
{
	return (struct store_entry){.id = id, .kind = (char *)kind,
				    .source = (char *)source, .time = time};
}

int main(void)
{
	struct store_entry v[] = {
		entry(1, "heap", "http://h:6060/x", 30),
		entry(2, "heap", "http://h:6060/x2", 10),
		entry(3, "heap", "http://h:6060/x", 10),
		entry(4, "heap", "http://h:6060/x2", 20),
		entry(5, "heap", "http://h:6060/x", 20),
		entry(6, "goroutine", "http://h:6060/x", 40),
		entry(7, "heap", "/data/run1/heap-1.pb.gz", 5),
		entry(8, "heap", "/data/run1/heap-2.pb.gz", 6),
		entry(9, "heap", "/data/run10/heap-1.pb.gz", 7),
	};
	struct store_list l = {v, sizeof v / sizeof v[0]};

	CHECK(store_same_series(&v[0], &v[2]));
	CHECK(!store_same_series(&v[0], &v[1])); /* /x vs /x2 */
	CHECK(!store_same_series(&v[0], &v[5])); /* another kind */
	CHECK(store_same_series(&v[6], &v[7]));	 /* one directory */
	CHECK(!store_same_series(&v[6], &v[8])); /* run1 vs run10 */

	CHECK(store_series_named(&v[0], "http://h:6060/x"));
	CHECK(!store_series_named(&v[1], "http://h:6060/x"));
	CHECK(store_series_named(&v[6], "/data/run1"));
	CHECK(store_series_named(&v[6], "/data/run1/"));
	CHECK(store_series_named(&v[6], "/data/run1/heap-2.pb.gz")); /* a member */
	CHECK(!store_series_named(&v[8], "/data/run1"));

	struct store_series *s;
	size_t n;
	store_series_group(&l, NULL, NULL, &s, &n);
	CHECK_EQ_INT(n, 5);
	if (n == 5) {
		/* The busiest first: /x heap (3), then /x2 heap (2) and run1 (2)
		 * by their newest snapshot. */
		CHECK_EQ_STR(s[0].key, "http://h:6060/x");
		CHECK_EQ_STR(s[0].kind, "heap");
		CHECK_EQ_INT(s[0].n, 3);
		CHECK_EQ_INT(s[0].snaps[0]->id, 3); /* by time */
		CHECK_EQ_INT(s[0].snaps[2]->id, 1);
		CHECK_EQ_STR(s[1].key, "http://h:6060/x2");
		CHECK_EQ_STR(s[2].key, "/data/run1");
		CHECK(store_series_of(s, n, 8) == &s[2]);
	}
	store_series_free(s, n);

	store_series_group(&l, "http://h:6060/x", NULL, &s, &n);
	CHECK_EQ_INT(n, 2); /* heap and goroutine of /x, never /x2 */
	for (size_t i = 0; i < n; i++)
		CHECK_EQ_STR(s[i].key, "http://h:6060/x");
	store_series_free(s, n);

	store_series_group(&l, "http://h:6060/x", "goroutine", &s, &n);
	CHECK_EQ_INT(n, 1);
	store_series_free(s, n);
	TEST_MAIN_END();
}
