/* names.h - the function names pprof shows: its symbolizer's demangling
 * pass, which go tool pprof runs over every profile it reads. A function
 * whose name is its system name (or has none) gets its system name
 * demangled (C++ "_Z" names, simplified: no parameters, no template
 * arguments), or, when that name already looks like demangled C++ (it has
 * "<", ">", "[", "]" or "::", but is no Java "class.<init>" and no Go
 * "pkg.(*T[...]).Method"), its parenthesized and angle-bracketed parts
 * removed. So Go generic instantiations print as pprof prints them:
 * "go.shape.interface { At() T; Err() error }" becomes
 * "go.shape.interface { At T; Err error }".
 */
#ifndef MT_NAMES_H
#define MT_NAMES_H

#include "profile/profile.h"

/* Applies pprof's demangling pass to p's function names, in place. */
void names_pprof(struct profile *p);

/* pprof's removeMatching: s without its (nested) start..end groups; s
 * unchanged when they do not match up. In place. */
void names_remove_matching(char *s, char start, char end);

#endif
