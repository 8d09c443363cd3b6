/* test_strtab.c - interning: equal bytes give equal ids, across rehashes. */
#include <stdio.h>

#include "harness.h"
#include "base/strtab.h"

int main(void)
{
	struct mt_strtab t;
	strtab_init(&t);
	CHECK_EQ_INT(strtab_intern(&t, "", 0), 0);
	char buf[32];
	mt_str ids[5000];
	for (int i = 0; i < 5000; i++) {
		int n = snprintf(buf, sizeof buf, "fn%d", i);
		ids[i] = strtab_intern(&t, buf, (size_t)n);
	}
	CHECK_EQ_INT(t.n, 5001);
	int same = 1;
	for (int i = 0; i < 5000; i++) {
		int n = snprintf(buf, sizeof buf, "fn%d", i);
		same &= strtab_intern(&t, buf, (size_t)n) == ids[i];
		same &= strtab_find(&t, buf, (size_t)n) == ids[i];
		same &= strcmp(strtab_get(&t, ids[i]), buf) == 0;
	}
	CHECK(same);
	CHECK_EQ_INT(t.n, 5001);
	CHECK(strtab_find(&t, "nope", 4) == (mt_str)-1);
	/* Embedded NUL bytes are part of the key. */
	mt_str a = strtab_intern(&t, "a\0b", 3), b = strtab_intern(&t, "a\0c", 3);
	CHECK(a != b);
	strtab_done(&t);
	TEST_MAIN_END();
}
