/* util.c - allocation, hashing and file reading shared by the whole core. */
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/progress.h"

void (*mt_oom_hook)(void);

static const char *status_msgs[] = {
#define MT_X(code, msg) [code] = msg,
	MT_STATUS_LIST(MT_X)
#undef MT_X
};

const char *mt_status_str(enum mt_status st)
{
	if ((size_t)st < sizeof status_msgs / sizeof status_msgs[0])
		return status_msgs[st];
	return "unknown error";
}

enum mt_status mt_errf(struct mt_err *e, enum mt_status st, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
	}
	return st;
}

struct mt_limits mt_limits_for_input(const struct mt_limits *lim, size_t n)
{
	struct mt_limits l = *lim;
	if (l.samples_by_input && n / MT_BYTES_PER_SAMPLE > l.max_samples)
		l.max_samples = n / MT_BYTES_PER_SAMPLE;
	if (l.goroutines_by_input && n / MT_BYTES_PER_GOROUTINE > l.max_goroutines)
		l.max_goroutines = n / MT_BYTES_PER_GOROUTINE;
	return l;
}

const char *mt_limit_sized_note(bool by_input)
{
	return by_input ? "; by default sized from the input's bytes" : "";
}

enum mt_status mt_err_long_string(struct mt_err *e, size_t len, size_t max, size_t at)
{
	return mt_errf(e, MT_ERR_LIMIT,
		       "string of %zu bytes, over the limit of %zu (--max-string) (at byte %zu)",
		       len, max, at);
}

static void oom(size_t n)
{
	if (mt_oom_hook)
		mt_oom_hook();
	fprintf(stderr, "memtop: out of memory (allocating %zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void xgrow(void **p, size_t *cap, size_t need, size_t elsz)
{
	size_t c = *cap ? *cap : 8;
	while (c < need)
		c *= 2;
	if (c > SIZE_MAX / elsz)
		oom(SIZE_MAX);
	*p = xrealloc(*p, c * elsz);
	*cap = c;
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t mix(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t mt_hash(const void *data, size_t n, uint64_t seed)
{
	const uint8_t *p = data;
	const uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL;
	uint64_t h = seed ^ k0 ^ n;
	while (n >= 16) {
		h = mix(rd64(p) ^ k1, rd64(p + 8) ^ h);
		p += 16;
		n -= 16;
	}
	uint64_t a = 0, b = 0;
	if (n >= 8) {
		a = rd64(p);
		b = rd64(p + n - 8);
	} else if (n > 0) {
		for (size_t i = 0; i < n; i++)
			a |= (uint64_t)p[i] << (8 * i);
	}
	return mix(a ^ k1, b ^ h ^ k0);
}

enum mt_status mt_read_file(const char *path, uint8_t **data, size_t *len,
			    size_t max, struct mt_err *e)
{
	return mt_read_file_progress(path, data, len, max, NULL, e);
}

/* Waits until fd (a pipe or terminal) has data, checking pg's cancel flag
 * every 100 ms; true to go on reading. */
static bool wait_readable(int fd, struct mt_progress *pg)
{
	struct pollfd pf = {.fd = fd, .events = POLLIN};
	while (!mt_progress_cancelled(pg))
		if (poll(&pf, 1, 100) != 0)
			return true;
	return false;
}

enum mt_status mt_read_file_progress(const char *path, uint8_t **data, size_t *len,
				     size_t max, struct mt_progress *pg,
				     struct mt_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mt_errf(e, MT_ERR_IO, "%s", strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return mt_errf(e, MT_ERR_IO, "%s", strerror(errno));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return mt_errf(e, MT_ERR_IO, "is a directory");
	}
	size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 1 << 16;
	if (max && cap > max + 1) {
		close(fd);
		return mt_errf(e, MT_ERR_LIMIT,
			       "file is %zu bytes, over the limit of %zu (--max-file)",
			       cap - 1, max);
	}
	uint8_t *buf = xmalloc(cap);
	size_t n = 0;
	bool regular = S_ISREG(st.st_mode);
	mt_progress_phase(pg, MT_PHASE_READ, regular ? cap - 1 : 0);
	for (;;) {
		if (n + 1 >= cap) {
			if (max && n >= max) {
				free(buf);
				close(fd);
				return mt_errf(e, MT_ERR_LIMIT,
					       "file is over the limit of %zu bytes", max);
			}
			xgrow((void **)&buf, &cap, cap * 2, 1);
		}
		/* Watched: steps of 1 MB, so the watcher sees bytes move and
		 * can stop a read that waits on a pipe. */
		size_t want = cap - 1 - n;
		if (pg && want > MT_PROGRESS_STEP)
			want = MT_PROGRESS_STEP;
		if (pg && (mt_progress_at(pg, n) || (!regular && !wait_readable(fd, pg)))) {
			free(buf);
			close(fd);
			return mt_errf(e, MT_ERR_CANCELLED, "cancelled");
		}
		ssize_t r = read(fd, buf + n, want);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			close(fd);
			return mt_errf(e, MT_ERR_IO, "%s", strerror(errno));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = 0;
	*data = buf;
	*len = n;
	return MT_OK;
}

/* The length of the valid UTF-8 sequence at s (1-4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
			 : c >= 0xf0 && c <= 0xf4	      ? 4
							      : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if ((n == 3 && c == 0xe0 && s[1] < 0xa0) || (n == 3 && c == 0xed && s[1] >= 0xa0) ||
	    (n == 4 && c == 0xf0 && s[1] < 0x90) || (n == 4 && c == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

size_t mt_json_quote(char *out, const char *s)
{
	char *o = out;
	*o++ = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		const char *esc = NULL;
		switch (*p) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		}
		if (esc) {
			o += sprintf(o, "%s", esc);
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			o += sprintf(o, "\\u%04x", *p);
			p++;
			continue;
		}
		size_t n = utf8_len(p);
		if (!n) {
			o += sprintf(o, "\\ufffd");
			p++;
			continue;
		}
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	*o++ = '"';
	*o = 0;
	return (size_t)(o - out);
}

void mt_json_str(FILE *f, const char *s)
{
	size_t n = strlen(s);
	char small[256], *q = 6 * n + 3 <= sizeof small ? small : xmalloc(6 * n + 3);
	fwrite(q, 1, mt_json_quote(q, s), f);
	if (q != small)
		free(q);
}

/* Go's filepath.Clean on Unix, lexically. */
char *mt_path_clean(const char *path)
{
	size_t n = strlen(path);
	if (n == 0)
		return xstrdup(".");
	bool rooted = path[0] == '/';
	char *out = xmalloc(n + 2);
	size_t k = 0, floor = 0; /* ".." may not remove out[0 .. floor) */
	if (rooted)
		out[k++] = '/', floor = 1;
	for (size_t i = 0; i < n;) {
		while (i < n && path[i] == '/')
			i++;
		size_t j = i;
		while (j < n && path[j] != '/')
			j++;
		size_t len = j - i;
		if (len == 0 || (len == 1 && path[i] == '.')) {
			/* nothing */
		} else if (len == 2 && path[i] == '.' && path[i + 1] == '.') {
			if (k > floor) {
				while (k > floor && out[k - 1] != '/')
					k--;
				if (k > floor)
					k--;
			} else if (!rooted) {
				if (k > 0)
					out[k++] = '/';
				out[k++] = '.', out[k++] = '.';
				floor = k;
			}
		} else {
			if (k > (rooted ? 1u : 0u))
				out[k++] = '/';
			memcpy(out + k, path + i, len);
			k += len;
		}
		i = j;
	}
	if (k == 0)
		out[k++] = '.';
	out[k] = 0;
	return out;
}
