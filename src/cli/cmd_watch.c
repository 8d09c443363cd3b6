/* cmd_watch.c - imports as files come: `memtop collect --watch DIR`, the
 * profiles a program writes into DIR (inotify says when a file is
 * complete: closed after writing, IN_CLOSE_WRITE, or renamed into DIR,
 * IN_MOVED_TO; a file still being written is never read), and the files
 * `memtop FILE...` opens in the viewer, imported on a thread meanwhile. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_async.h"
#include "cli.h"

static volatile sig_atomic_t watch_stop;

static void on_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

/* Names that programs give files they have not finished: hidden files and
 * temporaries renamed into place when complete. */
static bool partial_name(const char *name)
{
	static const char *const ends[] = {".tmp", ".part", ".partial", ".swp", "~"};
	if (name[0] == '.')
		return true;
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
		size_t k = strlen(ends[i]);
		if (n >= k && strcmp(name + n - k, ends[i]) == 0)
			return true;
	}
	return false;
}

int cli_watch(struct cli *c)
{
	int64_t count = 0;
	if (c->nargs) {
		cli_err("collect", "--watch takes a directory and no URLs");
		return EXIT_USAGE;
	}
	if (c->count) {
		char *end;
		count = strtoll(c->count, &end, 10);
		if (*end || end == c->count || count < 0) {
			cli_err("collect", "bad --count \"%s\"", c->count);
			return EXIT_USAGE;
		}
	}
	struct stat sb = {0};
	errno = 0;
	if (stat(c->watch, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		cli_err(c->watch, "%s", S_ISDIR(sb.st_mode) || errno != 0 ? strerror(errno)
									 : "not a directory");
		return EXIT_BAD;
	}
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd < 0 || inotify_add_watch(fd, c->watch, IN_CLOSE_WRITE | IN_MOVED_TO |
					IN_DELETE_SELF | IN_MOVE_SELF) < 0) {
		cli_err(c->watch, "cannot watch: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_BAD;
	}
	struct store *s = cli_store_open(c, true);
	if (!s) {
		close(fd);
		return EXIT_BAD;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Tells a script the watch is in place: files written from now on count. */
	fprintf(stderr, "memtop: watching %s\n", c->watch);
	int64_t stored = 0;
	int rc = EXIT_OK;
	char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	while (!watch_stop && (!count || stored < count)) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			cli_err(c->watch, "%s", strerror(errno));
			rc = EXIT_BAD;
			break;
		}
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			cli_err(c->watch, "%s", strerror(errno));
			rc = EXIT_BAD;
			break;
		}
		for (char *p = buf; p < buf + n && (!count || stored < count);) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			p += sizeof *ev + ev->len;
			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
				cli_err(c->watch, "the directory went away");
				watch_stop = 1;
				rc = EXIT_BAD;
				break;
			}
			if (!ev->len || (ev->mask & IN_ISDIR) || partial_name(ev->name))
				continue;
			char path[4096];
			if ((size_t)snprintf(path, sizeof path, "%s/%s", c->watch, ev->name) >=
			    sizeof path)
				continue;
			/* A bad file is reported and the watch goes on. */
			if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && cli_import_one(c, s, path))
				stored++;
		}
	}
	store_close(s);
	close(fd);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The viewer's files                                                  */

struct store_async *cli_view_import_start(struct cli *c)
{
	/* Script mode is how tests drive the viewer: it stores only into a
	 * database named on purpose. :memory: opts out. */
	if ((c->script && !(c->q.db && *c->q.db)) || (c->q.db && strcmp(c->q.db, ":memory:") == 0))
		return NULL;
	char **files = xcalloc((size_t)c->nargs + 1, sizeof *files);
	size_t n = 0;
	for (int i = 0; i < c->nargs; i++)
		/* @ID: stored already; a URL: stored as it is fetched */
		if (c->args[i][0] != '@' && !query_is_url(c->args[i]))
			files[n++] = c->args[i];
	struct store_async *a = NULL;
	struct mt_err e = {{0}};
	if (n && store_import_async(&a, c->q.db, files, n, &c->q.lim, &e))
		fprintf(stderr, "memtop: warning: %s\n", e.msg);
	free(files);
	return a;
}

void cli_view_import_finish(struct store_async *a)
{
	struct mt_err e = {{0}};
	if (a && store_import_join(a, NULL, NULL, &e))
		fprintf(stderr, "memtop: warning: not stored in the database: %s\n", e.msg);
}
