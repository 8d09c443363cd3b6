/* live.c - a URL refetched on a thread, and the session's history (see
 * live.h). */
#include "query/live.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "profile/merge.h"

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct live {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *url;
	struct mt_query_opts q;
	int64_t interval_ns;
	/* under mu */
	bool stop, paused, busy, now;
	int refs; /* the thread and the owner: the last one frees */
	int64_t next_ns, last_ns;
	unsigned fetches, failures;
	bool ready; /* a result waits for live_take */
	struct profile *got;
	int64_t got_id;
	char err[600];
};

static void unref(struct live *l)
{
	pthread_mutex_lock(&l->mu);
	bool last = --l->refs == 0;
	pthread_mutex_unlock(&l->mu);
	if (!last)
		return;
	profile_free(l->got);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l->url);
	free(l);
}

static void *run(void *arg)
{
	struct live *l = arg;
	pthread_mutex_lock(&l->mu);
	for (;;) {
		while (!l->stop && !l->now && (l->paused || now_ns() < l->next_ns)) {
			if (l->paused) {
				pthread_cond_wait(&l->cv, &l->mu);
				continue;
			}
			struct timespec ts = {(time_t)(l->next_ns / 1000000000),
					      (long)(l->next_ns % 1000000000)};
			pthread_cond_timedwait(&l->cv, &l->mu, &ts);
		}
		if (l->stop)
			break;
		l->now = false;
		l->busy = true;
		pthread_mutex_unlock(&l->mu);

		struct profile *p = NULL;
		int64_t id = 0;
		struct mt_err e = {{0}};
		struct mt_warnings w = {0};
		enum mt_status st = query_load(l->url, &l->q, &p, &id, &w, &e);
		mt_warnings_done(&w);

		pthread_mutex_lock(&l->mu);
		l->busy = false;
		l->next_ns = now_ns() + l->interval_ns;
		if (l->stop) {
			profile_free(p);
			break;
		}
		profile_free(l->got); /* an update the viewer did not take yet */
		l->got = NULL;
		l->ready = true;
		if (st) {
			l->failures++;
			snprintf(l->err, sizeof l->err, "%s", e.msg);
		} else {
			l->fetches++;
			l->last_ns = now_ns();
			l->got = p;
			l->got_id = id;
			l->err[0] = 0;
		}
	}
	pthread_mutex_unlock(&l->mu);
	unref(l);
	return NULL;
}

struct live *live_start(const char *url, const struct mt_query_opts *q, int interval_s)
{
	struct live *l = xcalloc(1, sizeof *l);
	pthread_mutex_init(&l->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_cond_init(&l->cv, &ca);
	pthread_condattr_destroy(&ca);
	l->url = xstrdup(url);
	l->q = *q;
	l->interval_ns = (int64_t)(interval_s > 0 ? interval_s : 10) * 1000000000;
	l->next_ns = now_ns() + l->interval_ns;
	l->last_ns = now_ns();
	l->fetches = 1; /* the caller's */
	l->refs = 2;
	if (pthread_create(&l->thread, NULL, run, l)) {
		l->refs = 1;
		unref(l);
		return NULL;
	}
	pthread_detach(l->thread);
	return l;
}

bool live_take(struct live *l, struct profile **p, int64_t *id, char *err, size_t n)
{
	pthread_mutex_lock(&l->mu);
	bool ready = l->ready;
	if (ready) {
		*p = l->got;
		*id = l->got_id;
		snprintf(err, n, "%s", l->err);
		l->got = NULL;
		l->ready = false;
	}
	pthread_mutex_unlock(&l->mu);
	return ready;
}

void live_pause(struct live *l, bool paused)
{
	pthread_mutex_lock(&l->mu);
	if (l->paused && !paused)
		l->now = true;
	l->paused = paused;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

void live_fetch_now(struct live *l)
{
	pthread_mutex_lock(&l->mu);
	l->now = true;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

void live_get_status(struct live *l, struct live_status *st)
{
	pthread_mutex_lock(&l->mu);
	st->paused = l->paused;
	st->busy = l->busy || l->now;
	st->last_ns = l->last_ns;
	st->next_ns = l->paused ? 0 : l->next_ns;
	st->fetches = l->fetches;
	st->failures = l->failures;
	pthread_mutex_unlock(&l->mu);
}

void live_stop(struct live *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = true;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	unref(l);
}

/* ---- history ------------------------------------------------------------ */

void live_hist_add(struct live_hist *h, struct profile *p, int64_t time_ns)
{
	if (h->n == LIVE_KEEP) {
		/* Keep the first; the oldest of the rest goes. */
		profile_free(h->p[1]);
		memmove(h->p + 1, h->p + 2, (LIVE_KEEP - 2) * sizeof *h->p);
		memmove(h->time_ns + 1, h->time_ns + 2, (LIVE_KEEP - 2) * sizeof *h->time_ns);
		h->n--;
		h->dropped++;
	}
	h->p[h->n] = p;
	h->time_ns[h->n] = time_ns;
	h->n++;
	h->generation = 0; /* rebuild */
	free(h->flat);
	h->flat = NULL;
}

const int64_t *live_hist_flat(struct live_hist *h, struct model *md)
{
	if (!h->n)
		return NULL;
	size_t nn = md->rep.nodes.n;
	if (h->flat && h->generation == md->generation && h->idx == md->idx &&
	    h->nrows == nn && h->ncols == h->n)
		return h->flat;
	free(h->flat);
	h->nrows = nn;
	h->ncols = h->n;
	h->flat = xcalloc(nn * h->n + 1, sizeof *h->flat);
	for (size_t s = 0; s < h->n; s++) {
		struct mt_report r;
		struct mt_err e;
		/* Every fetch of one URL has the same sample types. */
		int idx = md->idx < (int)h->p[s]->sample_types.n ? md->idx : 0;
		if (model_report(md, h->p[s], idx, md->gran, &r, &e))
			continue;
		for (size_t i = 0; i < r.top.n; i++) {
			const char *name = mt_node_name(&r.nodes, r.top.rows[i].node);
			mt_str id = strtab_find(&md->rep.nodes.names, name, strlen(name));
			if (id == (mt_str)-1 || id == 0 || id - 1 >= nn)
				continue;
			h->flat[(size_t)(id - 1) * h->n + s] = r.top.rows[i].flat;
		}
		mt_report_done(&r);
	}
	h->generation = md->generation;
	h->idx = md->idx;
	return h->flat;
}

void live_hist_done(struct live_hist *h)
{
	for (size_t i = 0; i < h->n; i++)
		profile_free(h->p[i]);
	free(h->flat);
	memset(h, 0, sizeof *h);
}
