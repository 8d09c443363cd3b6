/* store_async.c - the viewer's background import (see store_async.h). */
#include "store/store_async.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "read/reader.h"
#include "store/store.h"
#include "base/util.h"

struct store_async {
	pthread_t thread;
	char *db;
	char **files;
	size_t n;
	struct mt_limits lim;
	atomic_size_t at;  /* the file being imported */
	atomic_bool done;  /* set as the thread ends */
	/* results, written by the thread before it ends */
	enum mt_status st;
	struct mt_err err;
	size_t stored, dups;
};

/* Imports one file; on failure fills e with "FILE: what". */
static enum mt_status import_file(struct store_async *a, struct store *s, const char *path,
				  struct mt_err *e)
{
	uint8_t *data = NULL;
	size_t n;
	struct profile *p = NULL;
	struct mt_err fe = {{0}};
	int64_t id = 0;
	bool dup = false;
	enum mt_status st = mt_read_file(path, &data, &n, a->lim.max_file, &fe);
	if (!st)
		st = store_find_bytes(s, data, n, &id, &fe);
	if (!st && !id && !(st = reader_load_bytes(data, n, &a->lim, &p, &fe))) {
		char *abs = realpath(path, NULL);
		struct store_source src = {.source = abs ? abs : path, .raw = data, .nraw = n};
		struct stat sb;
		if (stat(path, &sb) == 0)
			src.time_nanos = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
		st = store_import(s, p, &src, &id, &dup, &fe);
		free(abs);
	} else if (!st) {
		dup = true;
	}
	if (st)
		mt_errf(e, st, "%s: %s", path, fe.msg);
	else if (dup)
		a->dups++;
	else
		a->stored++;
	profile_free(p);
	free(data);
	return st;
}

static void *run(void *arg)
{
	struct store_async *a = arg;
	struct store *s = NULL;
	struct mt_err e = {{0}};
	/* The viewer comes first: on Linux a thread has a nice value of its
	 * own, and at 19 this one runs when the viewer's thread waits (for
	 * the terminal) or on a core it leaves idle. */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
	enum mt_status st = store_open(&s, a->db, true, &e);
	if (st) {
		a->st = mt_errf(&a->err, st, "%s", e.msg);
		atomic_store(&a->done, true);
		return NULL;
	}
	for (size_t i = 0; i < a->n; i++) {
		atomic_store(&a->at, i);
		st = import_file(a, s, a->files[i], &e);
		if (st && !a->st) {
			a->st = st;
			a->err = e;
		}
	}
	store_close(s);
	atomic_store(&a->done, true);
	return NULL;
}

bool store_import_running(struct store_async *a, const char **file, size_t *i, size_t *n)
{
	if (!a || atomic_load(&a->done))
		return false;
	size_t at = atomic_load(&a->at);
	if (file)
		*file = a->files[at < a->n ? at : 0];
	if (i)
		*i = at;
	if (n)
		*n = a->n;
	return true;
}

enum mt_status store_import_async(struct store_async **out, const char *db,
				  char *const *files, size_t n, const struct mt_limits *lim,
				  struct mt_err *e)
{
	struct store_async *a = xcalloc(1, sizeof *a);
	a->db = db ? xstrdup(db) : NULL;
	a->files = xcalloc(n + 1, sizeof *a->files);
	for (size_t i = 0; i < n; i++)
		a->files[i] = xstrdup(files[i]);
	a->n = n;
	a->lim = *lim;
	int rc = pthread_create(&a->thread, NULL, run, a);
	if (rc) {
		for (size_t i = 0; i < n; i++)
			free(a->files[i]);
		free(a->files);
		free(a->db);
		free(a);
		return mt_errf(e, MT_ERR_IO, "cannot start the import: %s", strerror(rc));
	}
	*out = a;
	return MT_OK;
}

enum mt_status store_import_join(struct store_async *a, size_t *stored, size_t *dups,
				 struct mt_err *e)
{
	pthread_join(a->thread, NULL);
	enum mt_status st = a->st;
	if (st && e)
		*e = a->err;
	if (stored)
		*stored = a->stored;
	if (dups)
		*dups = a->dups;
	for (size_t i = 0; i < a->n; i++)
		free(a->files[i]);
	free(a->files);
	free(a->db);
	free(a);
	return st;
}
