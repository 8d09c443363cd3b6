/* stacks.c - many distinct allocation stacks of many sizes, for the
 * jemalloc profile of tests/c/generate_stacks.sh: jeprof unsamples every
 * stack in floating point and truncates only its sums, which memtop must
 * match to the unit over hundreds of stacks (tests/compare_cheap.py,
 * tests/symbolize_cheap.py).
 *
 * Path i (0..255) goes through step0 .. step7, each of them calling one of
 * two functions (even/odd) as bit k of i says, and allocates 1 + i % 7
 * blocks of 24 + 40 * i bytes at the end: 256 stacks. Half the blocks of
 * odd paths are freed again (allocated, no longer in use).
 */
#include <stdlib.h>
#include <string.h>

static void *keep[4096];
static int nkeep;

__attribute__((noinline)) static void leaf(int i)
{
	for (int k = 0; k < 1 + i % 7; k++) {
		char *p = malloc((size_t)(24 + 40 * i));
		if (!p)
			abort();
		memset(p, i, (size_t)(24 + 40 * i));
		if (i % 2 && k % 2)
			free(p);
		else
			keep[nkeep++] = p;
	}
}

#define STEP(k, next)                                                          \
	__attribute__((noinline)) static void even##k(int i, int d);           \
	__attribute__((noinline)) static void odd##k(int i, int d);            \
	static void even##k(int i, int d) { next(i, d); }                      \
	static void odd##k(int i, int d) { next(i, d); }                       \
	__attribute__((noinline)) static void step##k(int i, int d)            \
	{                                                                      \
		if (i >> k & 1)                                                \
			odd##k(i, d + 1);                                      \
		else                                                           \
			even##k(i, d + 1);                                     \
	}

static void last(int i, int d)
{
	(void)d;
	leaf(i);
}
STEP(7, last)
STEP(6, step7)
STEP(5, step6)
STEP(4, step5)
STEP(3, step4)
STEP(2, step3)
STEP(1, step2)
STEP(0, step1)

int main(void)
{
	for (int r = 0; r < 3; r++)
		for (int i = 0; i < 256; i++)
			step0(i, 0);
	return nkeep > 4096;
}
