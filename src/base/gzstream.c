/* gzstream.c - gzip inflated by ISA-L on a second thread, into address space
 * reserved up to the bound, published step by step to the reader.
 *
 * Why ISA-L: of the inflaters here only zlib and ISA-L stream, and ISA-L is
 * about as fast as libdeflate (bench/inflate.sh: 1M-sample heap, 89.7 MB
 * inflated, best of 5: zlib 316 ms, libdeflate 126 ms, ISA-L in 1 MiB steps
 * 139 ms), so inflating beside the decoder hides nearly all of it.
 */
#include "base/gzstream.h"

#include <isa-l/igzip_lib.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/util.h"

/* Output per isal_inflate call: the bounds are checked and the bytes handed
 * to the reader this often. */
#define STEP ((size_t)512 << 10)
/* ISA-L counts input in 32 bits: at most this much per refill. */
#define IN_CHUNK ((size_t)1 << 30)
/* Deflate refers back at most 32 KiB: inflated bytes this far behind
 * what was published are the inflater's no more. */
#define HISTORY ((size_t)64 << 10)
/* No reservation above this (a 64-bit address space has room, but a bound
 * this large is no bound). */
#define MAX_RESERVE ((size_t)1 << 40)

struct gz_stream {
	const uint8_t *in;
	size_t n;
	struct gz_opts o;
	size_t limit;     /* gz_bound */
	uint8_t *buf;     /* reserved: limit + 1 bytes, zero until written */
	size_t reserved;  /* bytes mapped */
	size_t hint;
	size_t page;
	size_t in_released; /* input bytes given back (in_mapped) */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	_Atomic size_t have; /* inflated and checked, readable */
	atomic_bool done;    /* the thread has finished (st, err set) */
	atomic_bool stop;    /* gzs_free: give up */
	enum mt_status st;
	struct mt_err err;
};

/* Makes have bytes readable and wakes the reader. */
static void publish(struct gz_stream *s, size_t have, bool done)
{
	pthread_mutex_lock(&s->mu);
	atomic_store_explicit(&s->have, have, memory_order_release);
	if (done)
		atomic_store_explicit(&s->done, true, memory_order_release);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Gives back the pages of a mapped input below pos (a file's pages: read
 * again from the file if the error path inflates from the start). */
static void drop_input(struct gz_stream *s, size_t pos)
{
	uintptr_t a = (uintptr_t)s->in + s->in_released;
	uintptr_t b = ((uintptr_t)s->in + pos) & ~(uintptr_t)(s->page - 1);
	a = (a + s->page - 1) & ~(uintptr_t)(s->page - 1);
	if (b >= a + ((size_t)4 << 20)) {
		madvise((void *)a, b - a, MADV_DONTNEED);
		s->in_released = (size_t)(b - (uintptr_t)s->in);
	}
}

/* How an inflation with ISA-L ended: OK, an error of the head check (final),
 * or anything else, which gz_inflate_opts then words. */
enum iend { IE_OK, IE_HEAD, IE_FAIL, IE_STOP };

/* Inflates every member with ISA-L into s->buf, checking the bounds after
 * each step and the head before anything is published. *out: bytes
 * inflated. */
static enum iend inflate_all(struct gz_stream *s, struct inflate_state *z, size_t *out)
{
	const struct gz_opts *o = &s->o;
	size_t fed = 0, got = 0, member0 = 0;
	bool head_ok = o->head == NULL;
	isal_inflate_init(z);
	z->crc_flag = ISAL_GZIP;
	for (;;) {
		if (atomic_load_explicit(&s->stop, memory_order_relaxed))
			return IE_STOP;
		if (z->avail_in == 0 && fed < s->n) {
			size_t k = s->n - fed < IN_CHUNK ? s->n - fed : IN_CHUNK;
			z->next_in = (uint8_t *)(s->in + fed);
			z->avail_in = (uint32_t)k;
			fed += k;
		}
		size_t step = s->limit + 1 - got;
		if (step > STEP)
			step = STEP;
		if (!head_ok && got + step > GZ_HEAD_BYTES + 1)
			step = GZ_HEAD_BYTES + 1 - got;
		z->next_out = s->buf + got;
		z->avail_out = (uint32_t)step;
		int rc = isal_inflate(z);
		got += step - z->avail_out;
		*out = got;
		size_t pos = fed - z->avail_in;
		if (o->in_mapped)
			drop_input(s, pos);
		if (rc != ISAL_DECOMP_OK || got > s->limit)
			return IE_FAIL;
		if (o->ratio && got > MT_INFLATE_FLOOR && got / o->ratio > pos)
			return IE_FAIL;
		bool end = false;
		if (z->block_state == ISAL_BLOCK_FINISH) {
			/* The trailer's size must match, as zlib and libdeflate
			 * insist; otherwise they say what is wrong. */
			uint32_t isize;
			if (pos < 4)
				return IE_FAIL;
			memcpy(&isize, s->in + pos - 4, 4);
			if (isize != (uint32_t)(got - member0))
				return IE_FAIL;
			if (pos == s->n) {
				end = true;
			} else {
				if (!gz_is_gzip(s->in + pos, s->n - pos))
					return IE_FAIL;
				uint8_t *next = z->next_in;
				uint32_t avail = z->avail_in;
				isal_inflate_reset(z);
				z->crc_flag = ISAL_GZIP;
				z->next_in = next;
				z->avail_in = avail;
				member0 = got;
			}
		} else if (z->avail_in == 0 && fed == s->n && z->avail_out > 0) {
			return IE_FAIL; /* cut short */
		}
		if (!head_ok && (end || got > GZ_HEAD_BYTES)) {
			if ((s->st = o->head(s->buf, got, o->ctx, &s->err)))
				return IE_HEAD;
			head_ok = true;
		}
		if (end)
			return IE_OK;
		if (head_ok)
			publish(s, got, false);
	}
}

static void *run(void *arg)
{
	struct gz_stream *s = arg;
	size_t got = 0;
	struct inflate_state *z = malloc(sizeof *z);
	enum iend end = z ? inflate_all(s, z, &got) : IE_FAIL;
	free(z);
	if (end == IE_OK) {
		s->st = MT_OK;
	} else if (end == IE_FAIL) {
		/* Inflate again the way gz.c does, for its words; should it
		 * succeed where ISA-L failed, its bytes are the stream's. */
		uint8_t *v = NULL;
		size_t len = 0;
		s->st = gz_inflate_opts(s->in, s->n, &s->o, &v, &len, &s->err);
		if (!s->st) {
			/* What was published is the same bytes; only the rest
			 * is written, under the reader's feet no byte changes. */
			size_t pub = atomic_load_explicit(&s->have, memory_order_relaxed);
			memcpy(s->buf + pub, v + pub, len - pub);
			got = len;
		}
		free(v);
	} else if (end == IE_STOP) {
		s->st = mt_errf(&s->err, MT_ERR_CANCELLED, "cancelled");
	}
	if (s->st)
		got = 0;
	publish(s, got, true);
	return NULL;
}

struct gz_stream *gzs_start(const uint8_t *in, size_t n, const struct gz_opts *o)
{
	if (!gz_is_gzip(in, n))
		return NULL;
	bool by_ratio;
	size_t limit = gz_bound(n, o, &by_ratio);
	long page = sysconf(_SC_PAGESIZE);
	if (limit >= MAX_RESERVE || page <= 0)
		return NULL;
	size_t reserved = (limit + 1 + (size_t)page - 1) / (size_t)page * (size_t)page;
	void *m = mmap(NULL, reserved, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	struct gz_stream *s = xcalloc(1, sizeof *s);
	*s = (struct gz_stream){.in = in, .n = n, .o = *o, .limit = limit, .buf = m,
				.reserved = reserved, .page = (size_t)page};
	uint32_t isize = 0;
	if (n >= 18)
		memcpy(&isize, in + n - 4, 4); /* little-endian, as gzip */
	s->hint = isize > 0 && isize <= limit && (uint64_t)isize / GZ_HINT_RATIO <= n
			  ? isize
			  : (n < limit / 4 ? n * 4 : limit);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (pthread_create(&s->th, NULL, run, s)) {
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
		munmap(m, reserved);
		free(s);
		return NULL;
	}
	return s;
}

const uint8_t *gzs_wait(struct gz_stream *s, size_t want, size_t *have, bool *done)
{
	size_t h = atomic_load_explicit(&s->have, memory_order_acquire);
	bool d = atomic_load_explicit(&s->done, memory_order_acquire);
	if (h < want && !d) {
		pthread_mutex_lock(&s->mu);
		while ((h = atomic_load_explicit(&s->have, memory_order_acquire)) < want &&
		       !(d = atomic_load_explicit(&s->done, memory_order_acquire)))
			pthread_cond_wait(&s->cv, &s->mu);
		d = atomic_load_explicit(&s->done, memory_order_acquire);
		h = atomic_load_explicit(&s->have, memory_order_acquire);
		pthread_mutex_unlock(&s->mu);
	}
	*have = h;
	*done = d;
	return s->buf;
}

enum mt_status gzs_finish(struct gz_stream *s, size_t *len, struct mt_err *e)
{
	bool done;
	gzs_wait(s, SIZE_MAX, len, &done);
	if (s->st && e)
		*e = s->err;
	return s->st;
}

void gzs_release(struct gz_stream *s, size_t from, size_t upto)
{
	size_t have = atomic_load_explicit(&s->have, memory_order_acquire);
	if (upto > have)
		upto = have;
	if (!atomic_load_explicit(&s->done, memory_order_acquire))
		upto = upto > HISTORY ? upto - HISTORY : 0;
	from = (from + s->page - 1) / s->page * s->page;
	upto = upto / s->page * s->page;
	if (upto > from)
		madvise(s->buf + from, upto - from, MADV_DONTNEED);
}

size_t gzs_size_hint(const struct gz_stream *s)
{
	return s->hint;
}

void gzs_free(struct gz_stream *s)
{
	if (!s)
		return;
	atomic_store(&s->stop, true);
	pthread_join(s->th, NULL);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	munmap(s->buf, s->reserved);
	free(s);
}
