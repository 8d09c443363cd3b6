/* source.c - annotated source listings (pprof's -list): which files, which
 * lines, and flat and cum per line. */
#include "report/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* pprof shows this many lines around the sampled ones. */
#define MARGIN 5
/* Go's bufio.Scanner gives up on a line that, with its newline, does not
 * fit in this many bytes; pprof then shows the lines before it. */
#define SCAN_MAX 65536

/* ---- paths, as Go's path/filepath on Unix --------------------------- */

/* filepath.Base. */
static char *path_base(const char *path)
{
	size_t n = strlen(path);
	if (n == 0)
		return xstrdup(".");
	while (n > 0 && path[n - 1] == '/')
		n--;
	if (n == 0)
		return xstrdup("/");
	size_t i = n;
	while (i > 0 && path[i - 1] != '/')
		i--;
	return xstrndup(path + i, n - i);
}

/* filepath.Dir. */
static char *path_dir(const char *path)
{
	size_t i = strlen(path);
	while (i > 0 && path[i - 1] != '/')
		i--;
	char *head = xstrndup(path, i);
	char *d = mt_path_clean(head);
	free(head);
	return d;
}

/* filepath.Join of two elements (empty ones are skipped). */
static char *path_join(const char *a, const char *b)
{
	if (!*a && !*b)
		return xstrdup("");
	size_t na = strlen(a), nb = strlen(b);
	char *t = xmalloc(na + nb + 2);
	size_t k = 0;
	memcpy(t, a, na), k = na;
	if (na && nb)
		t[k++] = '/';
	memcpy(t + k, b, nb), k += nb;
	t[k] = 0;
	char *r = mt_path_clean(t);
	free(t);
	return r;
}

/* The next element of a ':'-separated list (filepath.SplitList: "" has
 * none, "a:" has "a" and ""). *s advances; false at the end. */
static bool list_next(const char **s, bool *more, char **elem)
{
	if (!*more)
		return false;
	const char *c = strchr(*s, ':');
	size_t n = c ? (size_t)(c - *s) : strlen(*s);
	*elem = xstrndup(*s, n);
	*more = c != NULL;
	*s = c ? c + 1 : *s + n;
	return true;
}

char *mt_source_trim(const char *path, const char *trim, const char *search)
{
	if (!trim)
		trim = "";
	if (!search)
		search = "";
	const char *s;
	bool more;
	char *elem;
	if (!*trim) {
		/* Guess: what follows "/BASE/" for the base name of a search
		 * directory ("/remote/my-project/foo.c" with search path
		 * "/local/my-project" is "foo.c"). */
		for (s = search, more = *search != 0; list_next(&s, &more, &elem);) {
			char *base = path_base(elem);
			free(elem);
			size_t bn = strlen(base);
			char *want = xmalloc(bn + 3);
			want[0] = '/';
			memcpy(want + 1, base, bn);
			want[bn + 1] = '/', want[bn + 2] = 0;
			free(base);
			const char *hit = strstr(path, want);
			size_t wn = bn + 2;
			free(want);
			if (hit)
				return xstrdup(hit + wn);
		}
	}
	/* Then the prefixes asked for, and those Bazel builds leave. */
	static const char *const fixed[] = {"/proc/self/cwd/./", "/proc/self/cwd/"};
	for (s = trim, more = *trim != 0; list_next(&s, &more, &elem);) {
		size_t pn = strlen(elem);
		if (pn == 0 || elem[pn - 1] != '/') {
			elem = xrealloc(elem, pn + 2);
			elem[pn++] = '/';
			elem[pn] = 0;
		}
		bool hit = strncmp(path, elem, pn) == 0;
		free(elem);
		if (hit)
			return xstrdup(path + pn);
	}
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (strncmp(path, fixed[i], strlen(fixed[i])) == 0)
			return xstrdup(path + strlen(fixed[i]));
	return xstrdup(path);
}

/* ---- reading source files -------------------------------------------- */

struct src_text {
	const char *text;
	size_t len;
};

/* One file as read (or not) under its displayed name. */
struct src_file {
	bool read;
	char *data;
	VEC(struct src_text) lines; /* lines.v[i] is line i + 1 */
	char *error;
};

struct mt_source_files {
	VEC(struct src_file) v; /* by file name id - 1 */
};

/* Go's os.Getwd: $PWD when it names the working directory. */
static char *working_dir(void)
{
	const char *pwd = getenv("PWD");
	struct stat a, b;
	if (pwd && pwd[0] == '/' && stat(".", &a) == 0 && stat(pwd, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return xstrdup(pwd);
	char buf[4096];
	if (getcwd(buf, sizeof buf))
		return xstrdup(buf);
	return xstrdup(".");
}

/* strerror as Go spells the same errno ("no such file or directory"). */
static const char *go_strerror(int err, char *buf, size_t n)
{
	snprintf(buf, n, "%s", strerror(err));
	if (buf[0] >= 'A' && buf[0] <= 'Z')
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

/* Opens one candidate without blocking on a FIFO or a device. Directories
 * open (as in Go) and read as empty. */
static int open_candidate(const char *path, int *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))) {
		*err = EINVAL;
		close(fd);
		return -1;
	}
	return fd;
}

/* pprof's openSourceFile: the trimmed path if absolute, else the first of
 * DIR/path for every search directory and each of its parents. */
static int open_source(const char *name, const char *search, const char *trim,
		       char **error)
{
	char *path = mt_source_trim(name, trim, search);
	char ebuf[128];
	int fd, err = 0;
	if (path[0] == '/') {
		fd = open_candidate(path, &err);
		if (fd < 0) {
			size_t n = strlen(path) + 160;
			*error = xmalloc(n);
			snprintf(*error, n, "open %s: %s", path,
				 err == EINVAL ? "not a regular file"
					       : go_strerror(err, ebuf, sizeof ebuf));
		}
		free(path);
		return fd;
	}
	const char *s = search;
	bool more = *search != 0;
	char *dir;
	while (list_next(&s, &more, &dir)) {
		for (;;) {
			char *file = path_join(dir, path);
			fd = open_candidate(file, &err);
			free(file);
			if (fd >= 0) {
				free(dir);
				free(path);
				return fd;
			}
			char *parent = path_dir(dir);
			bool top = strcmp(parent, dir) == 0;
			free(dir);
			dir = parent;
			if (top)
				break;
		}
		free(dir);
	}
	size_t n = strlen(path) + strlen(search) + 64;
	*error = xmalloc(n);
	snprintf(*error, n, "could not find file %s on path %s", path, search);
	free(path);
	return -1;
}

/* Reads fd (at most max bytes) and splits it into lines like Go's
 * bufio.Scanner: "\n" ends a line, a "\r" before it is dropped, and a line
 * too long for the scanner ends the text. */
static void read_lines(struct src_file *f, int fd, size_t max)
{
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		return; /* pprof shows no lines and no error */
	size_t cap = 1 << 16, n = 0;
	char *buf = xmalloc(cap);
	while (n <= max) {
		if (n == cap)
			xgrow((void **)&buf, &cap, cap * 2, 1);
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		free(buf);
		size_t m = 120;
		f->error = xmalloc(m);
		snprintf(f->error, m, "source file over the limit of %zu bytes", max);
		return;
	}
	f->data = buf;
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(buf + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (buf + i)) : n - i;
		if (len >= SCAN_MAX)
			break;
		struct src_text t = {buf + i, len};
		if (len && buf[i + len - 1] == '\r')
			t.len--;
		VEC_PUSH(f->lines, t);
		i += len + (nl ? 1 : 0);
	}
}

/* The file named id in s->names, read on first use. */
static struct src_file *file_get(struct mt_source *s, mt_str id, const char *search,
				 const char *trim, size_t max)
{
	struct mt_source_files *fs = s->files;
	while (fs->v.n < id) {
		VEC_RESERVE(fs->v, fs->v.n + 1);
		memset(&fs->v.v[fs->v.n++], 0, sizeof fs->v.v[0]);
	}
	struct src_file *f = &fs->v.v[id - 1];
	if (f->read)
		return f;
	f->read = true;
	int fd = open_source(strtab_get(&s->names, id), search, trim, &f->error);
	if (fd >= 0) {
		read_lines(f, fd, max);
		close(fd);
	}
	return f;
}

/* ---- the listing ----------------------------------------------------- */

/* A node of a matching function: pprof's graph node at lines granularity. */
struct entry {
	const char *name;
	mt_str file; /* 0: none */
	int64_t line, start_line, flat, cum;
};

static int entry_cmp(const void *a, const void *b, void *names)
{
	const struct mt_strtab *sort_names = names;
	const struct entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	if (x->file != y->file)
		return strcmp(strtab_get(sort_names, x->file), strtab_get(sort_names, y->file));
	return x->line < y->line ? -1 : x->line > y->line;
}

static int64_t sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

/* pprof's getSourceFromFile: the range of lines of one function in one
 * file, then flat and cum per line until the file ends. */
static void add_routine(struct mt_source *s, const struct entry *en, size_t n,
			const char *search, const char *trim, size_t max)
{
	struct mt_source_routine r = {.name = en[0].name,
				      .file = strtab_get(&s->names, en[0].file),
				      .line0 = s->lines.n,
				      .hottest = SIZE_MAX};
	int64_t start = en[0].start_line ? en[0].start_line : sat_add(en[0].line, -MARGIN);
	int64_t end = sat_add(en[0].line, MARGIN);
	for (size_t i = 0; i < n; i++) {
		r.flat += en[i].flat;
		r.cum += en[i].cum;
		int64_t ns = en[i].start_line ? en[i].start_line : sat_add(en[i].line, -MARGIN);
		int64_t ne = sat_add(en[i].line, MARGIN);
		if (ns < start)
			start = ns;
		else if (ne > end)
			end = ne;
	}
	if (start < 1)
		start = 1;
	struct src_file *f = file_get(s, en[0].file, search, trim, max);
	if (f->error) {
		r.error = f->error;
		VEC_PUSH(s->routines, r);
		return;
	}
	size_t k = 0; /* en is sorted by line */
	for (int64_t ln = start; ln <= end && (uint64_t)ln <= f->lines.n; ln++) {
		struct mt_source_line sl = {.lineno = ln,
					    .text = f->lines.v[ln - 1].text,
					    .len = f->lines.v[ln - 1].len};
		while (k < n && en[k].line < ln)
			k++;
		for (; k < n && en[k].line == ln; k++)
			sl.flat += en[k].flat, sl.cum += en[k].cum;
		if ((sl.flat || sl.cum) &&
		    (r.hottest == SIZE_MAX || sl.cum > s->lines.v[r.hottest].cum ||
		     (sl.cum == s->lines.v[r.hottest].cum && sl.flat > s->lines.v[r.hottest].flat)))
			r.hottest = s->lines.n;
		VEC_PUSH(s->lines, sl);
		r.nlines++;
	}
	VEC_PUSH(s->routines, r);
}

enum mt_status mt_source_build(struct mt_source *s, const struct mt_nodes *m,
			       const struct mt_top *t, const struct mt_regex *re,
			       const char *name, const struct mt_source_opts *o,
			       struct mt_err *e)
{
	(void)e;
	memset(s, 0, sizeof *s);
	strtab_init(&s->names);
	s->files = xcalloc(1, sizeof *s->files);
	s->total = t->total;
	const struct profile *p = m->p;
	const char *search_opt = o && o->search_path ? o->search_path : "";
	const char *trim = o && o->trim_path ? o->trim_path : "";
	size_t max = o && o->max_file ? o->max_file : MT_SOURCE_MAX_FILE;

	/* What each node stands for: a line of a function, or a location
	 * without lines (no function, no file). */
	size_t nn = m->n ? m->n : 1;
	uint32_t *node_line = xmalloc(nn * sizeof *node_line);
	memset(node_line, 0xff, nn * sizeof *node_line);
	for (size_t li = 0; li < p->locations.n; li++) {
		const struct mt_location *loc = &p->locations.v[li];
		for (uint32_t i = 0; i < loc->nline; i++) {
			uint32_t node = m->line_node[loc->line0 + i];
			if (node != MT_NONE && node_line[node] == MT_NONE)
				node_line[node] = loc->line0 + i;
		}
	}

	VEC(struct entry) en = {0};
	for (size_t i = 0; i < t->n; i++) {
		const struct mt_top_row *row = &t->rows[i];
		uint32_t lx = node_line[row->node];
		const struct mt_line *ln = lx == MT_NONE ? NULL : &p->lines.v[lx];
		const struct mt_function *fn =
			ln && ln->func != MT_NONE ? &p->functions.v[ln->func] : NULL;
		const char *fname = fn ? profile_str(p, fn->name) : "";
		if (re ? !mt_regex_match(re, fname, strlen(fname)) : strcmp(fname, name) != 0)
			continue;
		struct entry x = {.name = fname, .flat = row->flat, .cum = row->cum};
		if (fn) {
			x.line = ln->line;
			x.start_line = fn->start_line;
			const char *raw = profile_str(p, fn->filename);
			if (*raw) {
				char *tr = mt_source_trim(raw, trim, search_opt);
				char *cl = mt_path_clean(tr);
				x.file = strtab_intern(&s->names, cl, strlen(cl));
				free(tr);
				free(cl);
			}
		}
		VEC_PUSH(en, x);
	}
	free(node_line);
	if (en.n)
		qsort_r(en.v, en.n, sizeof *en.v, entry_cmp, &s->names);

	char *search = *search_opt ? xstrdup(search_opt) : working_dir();
	for (size_t i = 0; i < en.n;) {
		size_t j = i;
		bool any_file = false;
		while (j < en.n && strcmp(en.v[j].name, en.v[i].name) == 0)
			any_file |= en.v[j++].file != 0;
		if (!any_file) {
			struct mt_source_routine r = {.name = en.v[i].name,
						      .hottest = SIZE_MAX};
			VEC_PUSH(s->routines, r);
		}
		for (size_t a = i; a < j;) {
			size_t b = a;
			while (b < j && en.v[b].file == en.v[a].file)
				b++;
			if (en.v[a].file)
				add_routine(s, en.v + a, b - a, search, trim, max);
			a = b;
		}
		i = j;
	}
	free(search);
	free(en.v);
	return MT_OK;
}

void mt_source_done(struct mt_source *s)
{
	if (s->files) {
		for (size_t i = 0; i < s->files->v.n; i++) {
			struct src_file *f = &s->files->v.v[i];
			free(f->data);
			free(f->lines.v);
			free(f->error);
		}
		free(s->files->v.v);
		free(s->files);
	}
	free(s->routines.v);
	free(s->lines.v);
	strtab_done(&s->names);
	memset(s, 0, sizeof *s);
}
