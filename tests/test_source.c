/* test_source.c - path handling of src/source.c against Go: the expected
 * cleans are Go 1.19's filepath.Clean (printed by a two-line Go program),
 * and the trims follow pprof's trimPath as its -list output shows them in
 * the .list goldens of tests/golden. The listing itself is checked byte for byte
 * against pprof by those goldens. */
#include "harness.h"
#include "report/source.h"

#include <stdlib.h>

static void check_clean(const char *in, const char *want)
{
	char *got = mt_path_clean(in);
	CHECK_EQ_STR(got, want);
	free(got);
}

static void check_trim(const char *path, const char *trim, const char *search,
		       const char *want)
{
	char *got = mt_source_trim(path, trim, search);
	CHECK_EQ_STR(got, want);
	free(got);
}

int main(void)
{
	static const char *const clean[][2] = {
		{"", "."},
		{".", "."},
		{"/", "/"},
		{"//", "/"},
		{"a/b/../c", "a/c"},
		{"/../x", "/x"},
		{"../../a/./b//", "../../a/b"},
		{"a/..", "."},
		{"/a/b/..", "/a"},
		{"./x", "x"},
		{"a/../..", ".."},
		{"x/y/../../..", ".."},
		{"/work//main/./tests/", "/work/main/tests"},
	};
	for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++)
		check_clean(clean[i][0], clean[i][1]);

	const char *f = "/work/main/tests/go/leaky/main.go";
	/* -trim_path=/work/main (heap.list.txt) */
	check_trim(f, "/work/main", "", "tests/go/leaky/main.go");
	/* a trailing slash is the same prefix; the first prefix that matches wins */
	check_trim(f, "/nonexist:/work/main/tests/go/", "", "leaky/main.go");
	/* -source_path=tests/go/leaky guesses from its base name (cpu.list.txt) */
	check_trim(f, NULL, "tests/go/leaky", "main.go");
	/* ... but not when a trim path is given */
	check_trim(f, "/work/main", "tests/go/leaky", "tests/go/leaky/main.go");
	/* a prefix must end at a path separator */
	check_trim(f, "/work/ma", "", f);
	/* Bazel's /proc/self/cwd is always trimmed */
	check_trim("/proc/self/cwd/./x/y.c", NULL, NULL, "x/y.c");
	check_trim("/proc/self/cwd/x/y.c", NULL, NULL, "x/y.c");
	TEST_MAIN_END();
}
