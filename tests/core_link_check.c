/* core_link_check.c - linked with the whole core library (every object, not
 * only those a program uses), so a core file that calls into the command
 * line (src/cli/) or the viewer (ui/) is a link error, as the layering
 * demands. Run as a test, it checks nothing more than that it exists. */
#include <stdio.h>

#include "base/status.h"

int main(void)
{
	/* A symbol of the core, so the check is not optimized into nothing. */
	struct mt_err e;
	return mt_errf(&e, MT_OK, "%s", "linked") == MT_OK ? 0 : 1;
}
