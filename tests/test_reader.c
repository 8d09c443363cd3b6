/* test_reader.c - format detection from content: a goroutine dump after
 * the program's own log lines (the usual shape of a crash log) is read as a
 * goroutine dump. The oracle is tests/data/go/panic-expect.txt, written by
 * the Go program itself before it panicked: 30 goroutines. Also: a memory
 * map of tens of thousands of mappings does not make reading quadratic. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "read/reader.h"

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

/* A tcmalloc heap of nsamp one-frame samples at addresses outside nmap
 * executable mappings, which all start at the same address (overlapping)
 * or follow one another (disjoint, as in /proc/PID/maps). */
static char *big_map(size_t nsamp, size_t nmap, bool overlap, size_t *n)
{
	size_t cap = 100 + nsamp * 64 + nmap * 80, k = 0;
	char *s = malloc(cap);
	k += (size_t)sprintf(s + k, "heap profile: 1: 64 [ 1: 64] @ heapprofile\n");
	for (size_t i = 0; i < nsamp; i++)
		k += (size_t)sprintf(s + k, "1: 64 [1: 64] @ 0x%zx\n",
				     (size_t)0x7f0000000000 + i * 0x100);
	k += (size_t)sprintf(s + k, "\nMAPPED_LIBRARIES:\n");
	for (size_t i = 0; i < nmap; i++) {
		size_t st = overlap ? 0x100000 : 0x100000 + i * 0x2000;
		k += (size_t)sprintf(s + k, "%zx-%zx r-xp 00000000 08:01 1 /lib/x%zu.so\n", st,
				     st + 0x1000 + i % 0x1000, i);
	}
	*n = k;
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

	/* 65,000 mappings: disjoint ones are looked up by binary search; the
	 * overlapping ones would take 65,000 x 20,000 steps and are refused. */
	s = big_map(20000, 65000, false, &n);
	struct profile *p = NULL;
	st = reader_load_bytes((const uint8_t *)s, n, NULL, &p, &e);
	CHECK_EQ_INT(st, MT_OK);
	if (st)
		fprintf(stderr, "disjoint map: %s\n", e.msg);
	if (!st) {
		CHECK_EQ_INT(p->samples.n, 20000);
		profile_free(p);
	}
	free(s);
	s = big_map(20000, 65000, true, &n);
	st = reader_load_bytes((const uint8_t *)s, n, NULL, &p, &e);
	CHECK(st != MT_OK);
	CHECK(strstr(e.msg, "too large") != NULL);
	free(s);
	TEST_MAIN_END();
}
