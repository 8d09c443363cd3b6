/* tty.c - what the command line writes to a terminal cannot drive it: a
 * profile's names, states and file names, a server's redirect target, are
 * untrusted bytes, and an escape sequence among them could retitle the
 * window or rewrite the screen. Output to a terminal goes through a stream
 * that shows control characters in caret notation (^[, ^A), as the viewer
 * does; pipes and files get the bytes unchanged (JSON escapes them). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct tty_out {
	FILE *to;
	unsigned char pend; /* a 0xC2 held back: a C1 control may follow */
};

/* Writes one byte, in caret notation when it is a control character. */
static void put_escaped(FILE *to, unsigned char c)
{
	if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
		fprintf(to, "^%c", c == 0x7f ? '?' : c + '@');
	else
		fputc(c, to);
}

static ssize_t tty_write(void *cookie, const char *buf, size_t n)
{
	struct tty_out *t = cookie;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (t->pend) {
			t->pend = 0;
			/* U+0080..U+009F, the C1 controls in UTF-8. */
			if (c >= 0x80 && c <= 0x9f) {
				fprintf(t->to, "\\u%04x", c);
				continue;
			}
			fputc(0xc2, t->to);
		}
		if (c == 0xc2) {
			t->pend = 1;
			continue;
		}
		put_escaped(t->to, c);
	}
	return (ssize_t)n;
}

static int tty_close(void *cookie)
{
	struct tty_out *t = cookie;
	if (t->pend)
		fputc(0xc2, t->to);
	return fflush(t->to);
}

/* Replaces *f by an escaping stream over a duplicate of its descriptor. */
static void wrap(FILE **f, struct tty_out *t)
{
	int fd = dup(fileno(*f));
	if (fd < 0)
		return;
	FILE *raw = fdopen(fd, "w");
	if (!raw) {
		close(fd);
		return;
	}
	setvbuf(raw, NULL, _IOFBF, 1 << 16);
	t->to = raw;
	cookie_io_functions_t io = {.write = tty_write, .close = tty_close};
	FILE *esc = fopencookie(t, "w", io);
	if (!esc) {
		fclose(raw);
		return;
	}
	fflush(*f);
	/* Line buffered like a terminal, so prompts and errors show at once. */
	setvbuf(esc, NULL, _IOLBF, 1 << 16);
	*f = esc;
}

void cli_escape_terminals(void)
{
	static struct tty_out out, err;
	if (isatty(STDOUT_FILENO))
		wrap(&stdout, &out);
	if (isatty(STDERR_FILENO))
		wrap(&stderr, &err);
}
