/* options.h - every command-line option, defined once in one table: its
 * names, its argument, where its value goes (typed), and its help. The
 * parser, `memtop --help` and the OPTIONS section of the man page
 * (`memtop --help-man`, checked against man/memtop.1 by a test) are all
 * made from that table, so an option means the same in `memtop top` and in
 * `memtop FILE`, and its documentation cannot drift. */
#ifndef MT_CLI_OPTIONS_H
#define MT_CLI_OPTIONS_H

#include <stdio.h>

struct cli;

/* Parses argv into c (the subcommand first, options anywhere after it);
 * returns -1 to go on, or the exit status to end with (after --help,
 * --version, or a bad option, reported on stderr). */
int cli_parse_options(struct cli *c, int argc, char **argv);

/* The usage text: the synopsis and every option, grouped. */
void cli_print_usage(FILE *f);

/* The OPTIONS section of the man page (roff), from the same table. */
void cli_print_man_options(FILE *f);

#endif
