/* fuzz_store.c - libFuzzer target for the store's own rows read back: the
 * input is a database file, opened as `memtop ls`, `memtop leaks` and the
 * viewer open --db (an existing file, never created), then listed, every
 * snapshot loaded, every series fitted (trends, goroutine series) and the
 * metrics read. A damaged or foreign file is an error, never a crash, and a
 * snapshot that loads is a sound profile. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/gseries.h"
#include "report/trend.h"
#include "store/metrics.h"
#include "store/series.h"
#include "store/store.h"

/* At most this many snapshots and series are read back per input. */
#define MAX_READ 16

static void write_file(const char *path, const uint8_t *d, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(d, 1, n, f) != n)
		abort();
	fclose(f);
}

static void read_back(struct store *s)
{
	struct mt_err e;
	struct store_list l = {0};
	if (store_list(s, &l, &e) != MT_OK)
		return;
	for (size_t i = 0; i < l.n && i < MAX_READ; i++) {
		struct profile *p = NULL;
		if (store_load(s, l.v[i].id, &p, &e) == MT_OK) {
			if (profile_check(p, &e) != MT_OK)
				abort(); /* store_load handed out a broken profile */
			profile_free(p);
		}
	}
	struct store_series *sv = NULL;
	size_t nsv = 0;
	store_series_group(&l, NULL, NULL, &sv, &nsv);
	for (size_t i = 0; i < nsv && i < MAX_READ; i++) {
		if (gs_is_goroutine_kind(sv[i].kind)) {
			struct gs_series g;
			struct gs_opts o = {0};
			if (gs_build(&g, s, &sv[i], &o, &e) == MT_OK)
				gs_done(&g);
		} else {
			struct trend t;
			struct trend_opts o = {.source = sv[i].key, .kind = sv[i].kind};
			if (trend_build(&t, s, &o, &e) == MT_OK)
				trend_done(&t);
		}
	}
	store_series_free(sv, nsv);
	store_list_done(&l);
	struct metrics_list ml = {0};
	if (metrics_read(s, NULL, NULL, &ml, &e) == MT_OK)
		metrics_list_done(&ml);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	/* Every file SQLite may keep beside a database: one left from an
	 * earlier input would make this one's outcome depend on it. */
	static char path[64], wal[80], shm[80], journal[80];
	if (!path[0]) {
		snprintf(path, sizeof path, "/tmp/memtop-fuzz-store-%d.db",
			 (int)getpid());
		snprintf(wal, sizeof wal, "%s-wal", path);
		snprintf(shm, sizeof shm, "%s-shm", path);
		snprintf(journal, sizeof journal, "%s-journal", path);
	}
	unlink(wal);
	unlink(shm);
	unlink(journal);
	write_file(path, d, n);
	struct store *s = NULL;
	struct mt_err e = {{0}};
	if (store_open(&s, path, false, &e) == MT_OK) {
		read_back(s);
		store_close(s);
	} else if (!e.msg[0]) {
		abort();
	}
	unlink(path);
	unlink(wal);
	unlink(shm);
	unlink(journal);
	return 0;
}
