/* names.c - pprof's demangling pass over a profile's function names. */
#include "symbol/names.h"

#include <stdlib.h>
#include <string.h>

#include "symbol/dwarfsym.h"

void names_remove_matching(char *s, char start, char end)
{
	/* One pass writing over s: k never passes i. */
	size_t k = 0, first = 0;
	int nesting = 0;
	for (size_t i = 0; s[i]; i++) {
		char c = s[i];
		if (c == start) {
			if (nesting++ == 0)
				first = k;
		} else if (c == end) {
			if (--nesting < 0) {
				/* A mismatch: what was removed so far stays removed,
				 * the rest is left as it is (pprof returns here). */
				memmove(s + k, s + i, strlen(s + i) + 1);
				return;
			}
			if (nesting == 0) {
				k = first;
				continue;
			}
		}
		s[k++] = c;
	}
	s[k] = '\0';
}

/* pprof's looksLikeDemangledCPlusPlus. */
static bool looks_cxx(const char *s)
{
	if (strstr(s, ".<") || strstr(s, "])."))
		return false;
	return strpbrk(s, "<>[]") || strstr(s, "::");
}

void names_pprof(struct profile *p)
{
	for (size_t i = 0; i < p->functions.n; i++) {
		struct mt_function *fn = &p->functions.v[i];
		if (fn->name != 0 && fn->system_name != fn->name)
			continue; /* named already */
		const char *sys = profile_str(p, fn->system_name);
		char *name = dwarf_sym_demangle(sys);
		if (!name) {
			if (!looks_cxx(sys))
				continue;
			name = xstrdup(sys);
			names_remove_matching(name, '(', ')');
			names_remove_matching(name, '<', '>');
		}
		if (strcmp(name, profile_str(p, fn->name)) != 0)
			fn->name = strtab_intern(&p->strs, name, strlen(name));
		free(name);
	}
}
