/* reader.c - format detection and dispatch to the parsers. */
#include "read/reader.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "read/goroutines.h"
#include "base/gz.h"
#include "base/gzstream.h"
#include "read/legacy_read.h"
#include "read/pprof_read.h"
#include "base/progress.h"
#include "base/util.h"

static const struct {
	const char *name;
	reader_parse_fn parse;
} formats[] = {
	[MT_FMT_UNKNOWN] = {.name = "unknown"},
	[MT_FMT_PPROF] = {.name = "pprof protobuf", .parse = pprof_parse},
	[MT_FMT_GO_HEAP_TEXT] = {.name = "Go heap text", .parse = legacy_parse_heap},
	[MT_FMT_GO_COUNT_TEXT] = {.name = "Go goroutine/threadcreate text",
				  .parse = legacy_parse_count},
	[MT_FMT_GO_CONTENTION_TEXT] = {.name = "Go contention text",
				       .parse = legacy_parse_contention},
	[MT_FMT_GOROUTINE_DUMP] = {.name = "goroutine dump",
				   .parse = goroutines_parse_profile},
	[MT_FMT_TCMALLOC_HEAP] = {.name = "tcmalloc heap", .parse = legacy_parse_heap},
	[MT_FMT_JEMALLOC_HEAP] = {.name = "jemalloc heap",
				  .parse = legacy_parse_jemalloc},
	[MT_FMT_CONTENTIONZ] = {.name = "gperftools contention",
				.parse = legacy_parse_contention},
	[MT_FMT_GPERF_CPU] = {.name = "gperftools CPU", .parse = legacy_parse_cpu},
	[MT_FMT_THREADZ] = {.name = "threadz", .parse = legacy_parse_thread},
	[MT_FMT_JAVA_CPU] = {.name = "Java CPU", .parse = legacy_parse_cpu},
	[MT_FMT_JAVA_HEAP] = {.name = "Java heap", .parse = legacy_parse_java},
	[MT_FMT_JAVA_CONTENTION] = {.name = "Java contention",
				    .parse = legacy_parse_java},
};

const char *reader_format_name(enum mt_format f)
{
	if ((size_t)f < sizeof formats / sizeof formats[0] && formats[f].name)
		return formats[f].name;
	return "unknown";
}

static int starts(const uint8_t *d, size_t n, const char *s)
{
	size_t k = strlen(s);
	return n >= k && memcmp(d, s, k) == 0;
}

/* A line `goroutine N [` (or `goroutine N gp=...` of GOTRACEBACK=system)
 * within the first 64 KB: a panic or SIGQUIT dump after the program's own
 * log lines. */
static bool goroutine_header_near_start(const uint8_t *d, size_t n)
{
	const uint8_t *p = d, *e = d + (n < 65536 ? n : 65536);
	while (p < e) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(e - p));
		const uint8_t *le = nl ? nl : e, *q = p + 10;
		if (le - p > 12 && memcmp(p, "goroutine ", 10) == 0 && *q >= '0' &&
		    *q <= '9') {
			while (q < le && *q >= '0' && *q <= '9')
				q++;
			if (le - q >= 4 && *q == ' ' &&
			    (q[1] == '[' || memcmp(q + 1, "gp=", 3) == 0))
				return true;
		}
		p = le + 1;
	}
	return false;
}

enum mt_format reader_detect(const uint8_t *d, size_t n)
{
	enum mt_format lf = legacy_detect(d, n);
	if (lf != MT_FMT_UNKNOWN)
		return lf;
	/* Skip leading blank lines of text formats. */
	size_t i = 0;
	while (i < n && (d[i] == '\n' || d[i] == '\r' || d[i] == ' '))
		i++;
	const uint8_t *t = d + i;
	size_t m = n - i;
	if (starts(t, m, "heap profile:")) {
		/* Go writes `@ heap/2R`; gperftools `@ heapprofile`,
		 * `@ heap_v2/R`, `@ growthz` (first line only). */
		const uint8_t *nl = memchr(t, '\n', m);
		size_t hl = nl ? (size_t)(nl - t) : m;
		return memmem(t, hl, "@ heap/", 7) ? MT_FMT_GO_HEAP_TEXT
						   : MT_FMT_TCMALLOC_HEAP;
	}
	if (starts(t, m, "heap_v2/"))
		return MT_FMT_JEMALLOC_HEAP;
	/* runtime/pprof's count profiles; goroutineleak is Go 1.26's. */
	if (starts(t, m, "goroutine profile:") || starts(t, m, "threadcreate profile:") ||
	    starts(t, m, "goroutineleak profile:"))
		return MT_FMT_GO_COUNT_TEXT;
	if (starts(t, m, "--- mutex:") || starts(t, m, "--- contention:"))
		return MT_FMT_GO_CONTENTION_TEXT;
	if (starts(t, m, "--- contentionz"))
		return MT_FMT_CONTENTIONZ;
	if (starts(t, m, "goroutine ") || starts(t, m, "panic: ") ||
	    starts(t, m, "fatal error: ") || starts(t, m, "SIGQUIT"))
		return MT_FMT_GOROUTINE_DUMP;
	if (pprof_sniff(d, n))
		return MT_FMT_PPROF;
	if (goroutine_header_near_start(t, m))
		return MT_FMT_GOROUTINE_DUMP;
	return MT_FMT_UNKNOWN;
}

/* How much of the start of an input decides whether it can be a profile:
 * reader_detect looks no further. */
#define HEAD_CHECK_BYTES 65536

static enum mt_status not_a_profile(struct mt_err *e)
{
	return mt_errf(e, MT_ERR_FORMAT, "not a profile memtop can read (no known header, "
		       "not profile.proto)");
}

/* Text formats are text: a NUL byte near the start (say, a goroutine
 * header followed by a gigabyte of zeros) means binary data. */
static enum mt_status text_check(enum mt_format f, const uint8_t *d, size_t n,
				 struct mt_err *e)
{
	/* The binary formats: protobuf, gperftools' and Java's CPU profiles. */
	if (f == MT_FMT_PPROF || f == MT_FMT_GPERF_CPU || f == MT_FMT_JAVA_CPU)
		return MT_OK;
	const uint8_t *z = memchr(d, 0, n < HEAD_CHECK_BYTES ? n : HEAD_CHECK_BYTES);
	if (z)
		return mt_errf(e, MT_ERR_FORMAT, "binary data in what starts as a %s "
			       "(a NUL byte at byte %zu)", reader_format_name(f),
			       (size_t)(z - d));
	return MT_OK;
}

enum mt_status reader_check_head(const uint8_t *d, size_t n, struct mt_err *e)
{
	size_t k = n < HEAD_CHECK_BYTES ? n : HEAD_CHECK_BYTES;
	if (k == 0)
		return mt_errf(e, MT_ERR_FORMAT, "empty file");
	enum mt_format f = reader_detect(d, k);
	if (f == MT_FMT_UNKNOWN)
		return not_a_profile(e);
	return text_check(f, d, k, e);
}

static enum mt_status head_check(const uint8_t *d, size_t n, void *ctx, struct mt_err *e)
{
	(void)ctx;
	return reader_check_head(d, n, e);
}

/* Parses inflated bytes data[0..n), or with s the pprof protobuf that s
 * is inflating (data then its first n bytes, enough to detect it). */
static enum mt_status parse_loaded(const uint8_t *data, size_t n, struct gz_stream *s,
				   const struct mt_limits *lim, struct profile **out,
				   struct mt_err *e)
{
	enum mt_status st;
	enum mt_format f = reader_detect(data, n);
	if (f == MT_FMT_UNKNOWN || !formats[f].parse) {
		if (f == MT_FMT_UNKNOWN)
			return not_a_profile(e);
		return mt_errf(e, MT_ERR_FORMAT, "%s profiles are not supported yet",
			       reader_format_name(f));
	}
	if ((st = text_check(f, data, n, e)))
		return st;
	struct mt_progress *pg = lim->progress;
	struct profile *p = profile_new();
	mt_progress_phase(pg, MT_PHASE_PARSE, s ? gzs_size_hint(s) : n);
	st = s ? pprof_parse_stream(s, p, lim, e) : formats[f].parse(data, n, p, lim, e);
	/* A text parser stops early (at a line) when cancelled. */
	if (mt_progress_cancelled(pg))
		st = mt_errf(e, MT_ERR_CANCELLED, "cancelled");
	mt_progress_phase(pg, MT_PHASE_PREPARE, 0);
	if (!st)
		st = profile_check(p, e);
	if (!st)
		st = profile_prune(p, e);
	if (st) {
		profile_free(p);
		return st;
	}
	*out = p;
	return MT_OK;
}

/* Loads a gzip stream inflating on the other core: a pprof protobuf is
 * decoded as it inflates; anything else is parsed once all is inflated. */
static enum mt_status load_stream(struct gz_stream *s, const struct mt_limits *lim,
				  struct profile **out, struct mt_err *e)
{
	size_t have;
	bool done;
	enum mt_status st;
	/* The head check has passed once anything is readable. */
	const uint8_t *d = gzs_wait(s, HEAD_CHECK_BYTES, &have, &done);
	if (done && (st = gzs_finish(s, &have, e)))
		return st;
	if (reader_detect(d, have) == MT_FMT_PPROF)
		return parse_loaded(d, have, s, lim, out, e);
	if ((st = gzs_finish(s, &have, e)))
		return st;
	return parse_loaded(d, have, NULL, lim, out, e);
}

/* Loads from bytes the caller gives up (owned is freed here as soon as it
 * has been inflated) or lends (owned NULL). */
static enum mt_status load(const uint8_t *data, size_t n, uint8_t *owned, bool mapped,
			   const struct mt_limits *lim, struct profile **out,
			   struct mt_err *e)
{
	if (!lim)
		lim = &mt_limits_default;
	uint8_t *raw = NULL;
	size_t rawlen = n, given = n;
	enum mt_status st;
	if (n == 0) {
		free(owned);
		return mt_errf(e, MT_ERR_FORMAT, "empty file");
	}
	/* Counts are sized from the bytes as given (gzip may make them 50
	 * times more), or as inflated when an explicit --max-inflate vouches
	 * for that size (streaming: that bound). */
	struct mt_limits sized;
	if (gz_is_gzip(data, n)) {
		mt_progress_phase(lim->progress, MT_PHASE_INFLATE, n);
		struct gz_opts gz = {.max = lim->max_inflate,
				     .ratio = lim->max_inflate_ratio,
				     .head = head_check, .in_mapped = mapped};
		struct gz_stream *s = gzs_start(data, n, &gz);
		if (s) {
			sized = mt_limits_for_input(lim, lim->max_inflate_ratio ? given
									   : lim->max_inflate);
			st = load_stream(s, &sized, out, e);
			gzs_free(s);
			free(owned);
			return st;
		}
		st = gz_inflate_opts(data, n, &gz, &raw, &rawlen, e);
		/* The compressed bytes are no longer needed; on a big profile
		 * freeing them now lowers the peak by their size. */
		free(owned);
		owned = NULL;
		if (st)
			return st;
		data = raw;
	}
	sized = mt_limits_for_input(lim, raw && !lim->max_inflate_ratio ? rawlen : given);
	st = parse_loaded(data, rawlen, NULL, &sized, out, e);
	free(raw);
	free(owned);
	return st;
}

enum mt_status reader_load_bytes(const uint8_t *data, size_t n,
				 const struct mt_limits *lim, struct profile **out,
				 struct mt_err *e)
{
	return load(data, n, NULL, false, lim, out, e);
}

/* Maps a regular file read-only when that is safe for the parsers: its
 * size is not a multiple of the page size, so the rest of the last page
 * reads as zeros and data[n] is the NUL they may look at. A dump can be
 * hundreds of megabytes; mapping spares the copy. NULL: read it instead. */
static uint8_t *map_file(const char *path, size_t max, size_t *n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	void *m = MAP_FAILED;
	long page = sysconf(_SC_PAGESIZE);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && page > 0 &&
	    st.st_size % page != 0 && (!max || (uint64_t)st.st_size <= max))
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return NULL;
	madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	*n = (size_t)st.st_size;
	return m;
}

enum mt_status reader_load_file(const char *path, const struct mt_limits *lim,
				struct profile **out, struct mt_err *e)
{
	if (!lim)
		lim = &mt_limits_default;
	size_t mn = 0;
	uint8_t *m = map_file(path, lim->max_file, &mn);
	if (m) {
		mt_progress_phase(lim->progress, MT_PHASE_READ, mn);
		enum mt_status st = load(m, mn, NULL, true, lim, out, e);
		munmap(m, mn);
		return st;
	}
	uint8_t *data;
	size_t n;
	enum mt_status st =
		mt_read_file_progress(path, &data, &n, lim->max_file, lim->progress, e);
	if (st)
		return st;
	return load(data, n, data, false, lim, out, e);
}
