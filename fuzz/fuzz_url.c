/* fuzz_url.c - libFuzzer target for profile references read as URLs
 * (src/collect/url.c): url_is_remote, url_parse, the query helpers, the
 * kind of an endpoint and the round a service's root stands for, with the
 * bytes after the first NUL as its index page. A parsed URL is one memtop
 * can fetch: an http(s) scheme and a host; a root's round asks for the
 * heap, and for nothing outside the service. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/collect.h"
#include "collect/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	/* The reference, then (after a NUL) the index page of its service. */
	const uint8_t *nul = memchr(d, 0, n);
	size_t rn = nul ? (size_t)(nul - d) : n;
	char *ref = malloc(rn + 1);
	memcpy(ref, d, rn);
	ref[rn] = 0;
	const char *index = nul ? (const char *)nul + 1 : NULL;
	size_t in = nul ? n - rn - 1 : 0;

	bool remote = url_is_remote(ref);
	int seconds = rn ? (int)(d[0] % 4) * 15 : 0;
	struct mt_url u = {0};
	struct mt_err e;
	if (url_parse(ref, seconds, &u, &e) == MT_OK) {
		if (!remote && !strstr(ref, "://"))
			abort(); /* parsed what url_is_remote calls a file */
		if (strncmp(u.url, "http://", 7) && strncmp(u.url, "https://", 8))
			abort();
		if (seconds > 0 && !u.root && u.seconds != seconds)
			abort();
		char buf[64];
		/* The value as read, when it fits the buffer whole. */
		if (url_param(u.url, "seconds", buf, sizeof buf) && u.seconds > 0 &&
		    strlen(buf) < sizeof buf - 1 && strtol(buf, NULL, 10) != u.seconds)
			abort();
		char *w = url_with_param(u.url, "debug", "2");
		if (!url_param(w, "debug", buf, sizeof buf) || strcmp(buf, "2"))
			abort();
		(void)collect_kind(w);
		free(w);
		struct mt_fetch_opts fo = {.timeout = (double)(rn % 7)};
		if (url_timeout_ms(&fo, u.seconds) <= 0)
			abort();
		if (u.root) {
			struct url_plan plan = {0};
			url_service_plan(&u, index, in, &plan);
			if (!plan.n || !strstr(plan.v[0].url, "heap"))
				abort(); /* the heap is always asked for */
			for (size_t i = 0; i < plan.n; i++)
				if (strcmp(plan.v[i].kind, "expvar") &&
				    strncmp(plan.v[i].url, u.prefix, strlen(u.prefix)))
					abort();
			url_plan_done(&plan);
		}
		url_done(&u);
	}
	(void)collect_kind(ref);
	free(ref);
	return 0;
}
