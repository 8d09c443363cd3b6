#!/bin/sh
# The core (src/ but src/cli/ and src/main.c) includes nothing from the
# command line, the viewer or curses: the layering DESIGN.md draws.
# Usage: layering.sh REPO_ROOT
cd "$1" || exit 1
bad=$(grep -rnE '#include [<"](\.\./)*(cli|ui)/|#include <n?curses' src \
	--include=*.c --include=*.h | grep -v '^src/cli/\|^src/main\.c')
if [ -n "$bad" ]; then
	echo "core files reaching up a layer:"
	echo "$bad"
	exit 1
fi
# And the viewer includes nothing from the command line.
bad=$(grep -rnE '#include "(\.\./)*(src/)?cli/' ui)
if [ -n "$bad" ]; then
	echo "viewer files including the command line:"
	echo "$bad"
	exit 1
fi
echo ok
