/* leaker.c - a small C program that leaks with malloc from named functions,
 * for memtop's tcmalloc and jemalloc heap profile tests (tests/c/generate.sh).
 *
 * What stays allocated at exit (every block is kept in a global list):
 *   leak_small: 2000 blocks of 64 bytes    (128000 bytes)
 *   leak_big:     40 blocks of 65536 bytes (2621440 bytes)
 *   leak_deep -> leak_mid -> leak_leaf: 500 blocks of 1000 bytes (500000 bytes)
 * make_garbage allocates and frees 1000 blocks of 4096 bytes (alloc only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void **kept;
static size_t nkept, capkept;

static void keep(void *p)
{
	if (nkept == capkept) {
		capkept = capkept ? 2 * capkept : 4096;
		/* calloc'd once up front below, so the list itself is one stack */
		void **n = realloc(kept, capkept * sizeof *n);
		if (!n)
			abort();
		kept = n;
	}
	kept[nkept++] = p;
}

__attribute__((noinline)) static void *must(size_t n)
{
	void *p = malloc(n);
	if (!p)
		abort();
	memset(p, 1, n);
	return p;
}

__attribute__((noinline)) void leak_small(void)
{
	for (int i = 0; i < 2000; i++)
		keep(must(64));
}

__attribute__((noinline)) void leak_big(void)
{
	for (int i = 0; i < 40; i++)
		keep(must(65536));
}

__attribute__((noinline)) void leak_leaf(void)
{
	keep(must(1000));
}

__attribute__((noinline)) void leak_mid(void)
{
	leak_leaf();
}

__attribute__((noinline)) void leak_deep(void)
{
	for (int i = 0; i < 500; i++)
		leak_mid();
}

__attribute__((noinline)) void make_garbage(void)
{
	for (int i = 0; i < 1000; i++) {
		void *p = must(4096);
		free(p);
	}
}

int main(void)
{
	kept = malloc(8192 * sizeof *kept);
	capkept = 8192;
	leak_small();
	leak_big();
	leak_deep();
	make_garbage();
	printf("kept %zu blocks\n", nkept);
	return 0;
}
