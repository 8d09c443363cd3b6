/* test_reader.c - format detection from content: a goroutine dump after
 * the program's own log lines (the usual shape of a crash log) is read as a
 * goroutine dump. The oracle is tests/data/go/panic-expect.txt, written by
 * the Go program itself before it panicked: 30 goroutines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "reader.h"

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long k = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)k + 1);
	*n = fread(s, 1, (size_t)k, f);
	s[*n] = 0;
	fclose(f);
	return s;
}

/* Total goroutines of a profile read from bytes (its only sample type). */
static long long total(const char *buf, size_t n, enum mt_status *st, struct mt_err *e)
{
	struct profile *p = NULL;
	*st = reader_load_bytes((const uint8_t *)buf, n, NULL, &p, e);
	if (*st)
		return -1;
	long long t = 0;
	for (size_t i = 0; i < p->values.n; i++)
		t += p->values.v[i];
	profile_free(p);
	return t;
}

/* Prefix + file, NUL-terminated as the readers expect. */
static char *join(const char *pre, const char *body, size_t nb, size_t *n)
{
	size_t np = strlen(pre);
	char *s = malloc(np + nb + 1);
	memcpy(s, pre, np);
	memcpy(s + np, body, nb);
	s[np + nb] = 0;
	*n = np + nb;
	return s;
}

int main(void)
{
	size_t nd;
	char *dump = slurp("tests/data/go/panic-dump.txt", &nd);
	CHECK(dump != NULL);
	if (!dump)
		TEST_MAIN_END();
	struct mt_err e = {""};
	enum mt_status st;

	/* The dump as the runtime wrote it. */
	CHECK_EQ_INT(reader_detect((const uint8_t *)dump, nd), MT_FMT_GOROUTINE_DUMP);
	CHECK_EQ_INT(total(dump, nd, &st, &e), 30);

	/* After application log lines, one of which mentions goroutines. */
	static const char logs[] =
		"2026/11/22 02:14:35 listening on :8080\n"
		"2026/11/22 02:14:36 worker pool: 29 goroutines started\n"
		"time=2026-11-22T02:14:37Z level=ERROR msg=\"goroutine leak suspected\"\n"
		"   goroutine 7 [not at the start of the line]:\n"
		"\n";
	size_t n;
	char *s = join(logs, dump, nd, &n);
	CHECK_EQ_INT(reader_detect((const uint8_t *)s, n), MT_FMT_GOROUTINE_DUMP);
	CHECK_EQ_INT(total(s, n, &st, &e), 30);
	free(s);

	/* GOTRACEBACK=system headers after logs. */
	static const char sys[] = "starting\n"
				  "goroutine 1 gp=0xc000002380 m=0 mp=0x5a0e40 [running]:\n"
				  "main.main()\n"
				  "\t/src/main.go:9 +0x18\n";
	CHECK_EQ_INT(reader_detect((const uint8_t *)sys, sizeof sys - 1),
		     MT_FMT_GOROUTINE_DUMP);

	/* Logs alone, or goroutine headers only past the first 64 KB, or
	 * lines that merely start with "goroutine ", are not a dump. */
	static const char only_logs[] = "2026/11/22 starting\n"
					"goroutine 12 leaked\n"
					"goroutine x [running]:\n"
					"goroutine 5\n";
	CHECK_EQ_INT(reader_detect((const uint8_t *)only_logs, sizeof only_logs - 1),
		     MT_FMT_UNKNOWN);
	CHECK(total(only_logs, sizeof only_logs - 1, &st, &e) < 0);
	CHECK(strstr(e.msg, "not a profile") != NULL);
	size_t big = 70000;
	char *pad = malloc(big + 1);
	memset(pad, 'x', big);
	for (size_t i = 79; i < big; i += 80)
		pad[i] = '\n';
	pad[big] = 0;
	s = join(pad, dump, nd, &n);
	CHECK_EQ_INT(reader_detect((const uint8_t *)s, n), MT_FMT_UNKNOWN);
	free(s);
	free(pad);

	/* Other formats keep their detection. */
	static const char heap[] = "heap profile: 1: 2 [3: 4] @ heap/1048576\n";
	CHECK_EQ_INT(reader_detect((const uint8_t *)heap, sizeof heap - 1),
		     MT_FMT_GO_HEAP_TEXT);
	static const char cnt[] = "goroutine profile: total 4\n4 @ 0x1\n";
	CHECK_EQ_INT(reader_detect((const uint8_t *)cnt, sizeof cnt - 1),
		     MT_FMT_GO_COUNT_TEXT);
	free(dump);
	TEST_MAIN_END();
}
