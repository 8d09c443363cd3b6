/* fuzz_http.c - libFuzzer target for what memtop reads of an HTTP response:
 * the input is served raw (status line, headers, body) by a server on
 * 127.0.0.1 to collect_fetch, the collector's path: libcurl's parse, then
 * memtop's own checks (status, redirect, the body's start as it arrives,
 * --max-body), and a body it accepts goes on to the readers (a profile, a
 * goroutine dump, or expvar JSON, chosen by the input's first byte, as the
 * URL's path would). A fetch that succeeds gives a NUL-terminated body
 * within the limit; one that fails says why. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collect/collect.h"
#include "read/expvar.h"
#include "read/reader.h"

#define MAX_BODY (1 << 20)

static int listener = -1;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *serve_data; /* a copy: the server may outlive the input */
static size_t serve_n;

/* Answers each connection with the current input, then closes it. */
static void *serve(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept(listener, NULL, NULL);
		if (c < 0)
			continue;
		char req[4096];
		(void)!read(c, req, sizeof req);
		pthread_mutex_lock(&mu);
		const uint8_t *p = serve_data;
		size_t left = serve_n;
		while (left) {
			ssize_t w = send(c, p, left, MSG_NOSIGNAL);
			if (w <= 0)
				break;
			p += w;
			left -= (size_t)w;
		}
		pthread_mutex_unlock(&mu);
		shutdown(c, SHUT_RDWR);
		close(c);
	}
	return NULL;
}

static int port;

static bool start_server(void)
{
	listener = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	if (listener < 0 || bind(listener, (struct sockaddr *)&a, sizeof a) ||
	    listen(listener, 16) || getsockname(listener, (struct sockaddr *)&a, &al))
		return false;
	port = ntohs(a.sin_port);
	pthread_t th;
	return pthread_create(&th, NULL, serve, NULL) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static bool ready;
	if (!ready) {
		struct mt_err e;
		if (!start_server() || collect_global_init(&e))
			abort();
		ready = true;
	}
	if (n < 1)
		return 0;
	static const char *const paths[] = {"debug/pprof/heap",
					    "debug/pprof/goroutine?debug=2",
					    "debug/vars", "metrics"};
	const char *path = paths[d[0] % 4];
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/%s", port, path);
	pthread_mutex_lock(&mu);
	free(serve_data);
	serve_data = malloc(n);
	memcpy(serve_data, d + 1, n - 1);
	serve_n = n - 1;
	pthread_mutex_unlock(&mu);

	struct collect_opts o = {.timeout_ms = 2000, .max_body = MAX_BODY};
	struct collect_target t;
	struct mt_err e = {{0}};
	if (collect_target_init(&t, url, &o, &e))
		abort();
	uint8_t *body = NULL;
	size_t bn = 0;
	if (collect_fetch(&t, &o, &body, &bn, &e) == MT_OK) {
		if (!body || bn > MAX_BODY || body[bn] != 0 || bn == 0)
			abort();
		if (t.kind && strcmp(t.kind, "expvar") == 0) {
			struct metrics_batch b = {.max = 10000};
			(void)expvar_parse(body, bn, 1, &b, &e);
			metrics_batch_done(&b);
		} else {
			struct mt_limits lim = MT_LIMITS_DEFAULT;
			lim.max_inflate = 64 << 20;
			struct profile *p = NULL;
			if (reader_load_bytes(body, bn, &lim, &p, &e) == MT_OK)
				profile_free(p);
		}
		free(body);
	} else if (!e.msg[0]) {
		abort();
	}
	collect_target_done(&t);
	return 0;
}
