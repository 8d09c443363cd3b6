/* test_url.c - pprof's rules for URLs (src/collect/url.c): which
 * references are URLs, how they are normalized, seconds and the time bound,
 * and the round a service root stands for. The expected values are worked
 * out by hand from pprof's driver (fetch.go adjustURL: url.Parse, then
 * "http://" + source when there is no host; seconds set from -seconds or
 * read from the URL; timeout seconds + seconds/2, else 60 s; the client's
 * 5 s more) and net/http/pprof's index page. tests/url_rules.py checks the
 * same decisions against go tool pprof itself. */
#include <stdlib.h>

#include "collect/url.h"
#include "harness.h"

/* ref normalized with seconds, or "" when it is not a URL or fails. */
static char got[512];
static const char *norm(const char *ref, int seconds)
{
	struct mt_url u;
	struct mt_err e;
	got[0] = 0;
	if (url_parse(ref, seconds, &u, &e) == MT_OK) {
		snprintf(got, sizeof got, "%s%s%s", u.url, u.root ? " root " : "",
			 u.root ? u.prefix : "");
		url_done(&u);
	}
	return got;
}

static void test_is_remote(void)
{
	/* Hosts with ports, with and without a scheme. */
	CHECK(url_is_remote("localhost:6060"));
	CHECK(url_is_remote("localhost:6060/debug/pprof/heap"));
	CHECK(url_is_remote("127.0.0.1:6060/debug/pprof/heap"));
	CHECK(url_is_remote("http://localhost/debug/pprof/heap"));
	CHECK(url_is_remote("https://example.com:443/x"));
	CHECK(url_is_remote("[::1]:6060/debug/pprof/heap"));
	CHECK(url_is_remote(":6060/debug/pprof/heap"));
	/* What url.Parse reads as a path, or a port that is not a number:
	 * files. */
	CHECK(!url_is_remote("heap.pb.gz"));
	CHECK(!url_is_remote("localhost"));
	CHECK(!url_is_remote("dir/x:1"));
	CHECK(!url_is_remote("./localhost:6060"));
	CHECK(!url_is_remote("/tmp/localhost:6060"));
	CHECK(!url_is_remote("notes:txt"));
	CHECK(!url_is_remote("heap:v2.pb"));
	CHECK(!url_is_remote("file:///tmp/heap"));
	CHECK(!url_is_remote("file:heap"));
	CHECK(!url_is_remote("@12"));
	CHECK(!url_is_remote(""));
	CHECK(!url_is_remote("host name:80"));
	/* A scheme with a host is a URL even when memtop cannot fetch it:
	 * the error then says so (pprof tries and fails). */
	CHECK(url_is_remote("ftp://host/x"));
}

static void test_normalize(void)
{
	CHECK_EQ_STR(norm("localhost:6060/debug/pprof/heap", 0),
		     "http://localhost:6060/debug/pprof/heap");
	CHECK_EQ_STR(norm("http://127.0.0.1:1/debug/pprof/heap?debug=1#frag", 0),
		     "http://127.0.0.1:1/debug/pprof/heap?debug=1");
	CHECK_EQ_STR(norm("https+insecure://h:8443/debug/pprof/heap", 0),
		     "https://h:8443/debug/pprof/heap");
	CHECK_EQ_STR(norm(":6060/debug/pprof/heap", 0),
		     "http://localhost:6060/debug/pprof/heap");
	CHECK_EQ_STR(norm("user:pw@h:1/debug/pprof/heap", 0),
		     "http://user:pw@h:1/debug/pprof/heap");
	CHECK_EQ_STR(norm("[::1]:6060/x", 0), "http://[::1]:6060/x");
	/* --seconds sets seconds=, replacing the URL's own. */
	CHECK_EQ_STR(norm("h:1/debug/pprof/heap", 5),
		     "http://h:1/debug/pprof/heap?seconds=5");
	CHECK_EQ_STR(norm("h:1/debug/pprof/heap?seconds=3&gc=1", 7),
		     "http://h:1/debug/pprof/heap?seconds=7&gc=1");
	CHECK_EQ_STR(norm("h:1/debug/pprof/heap?gc=1", 7),
		     "http://h:1/debug/pprof/heap?gc=1&seconds=7");
	/* Roots: no path, "/", or a path ending in debug/pprof. */
	CHECK_EQ_STR(norm("h:6060", 0),
		     "http://h:6060 root http://h:6060/debug/pprof/");
	CHECK_EQ_STR(norm("http://h:6060/", 0),
		     "http://h:6060/ root http://h:6060/debug/pprof/");
	CHECK_EQ_STR(norm("h:6060/debug/pprof/", 0),
		     "http://h:6060/debug/pprof/ root http://h:6060/debug/pprof/");
	CHECK_EQ_STR(
	    norm("h:6060/admin/debug/pprof", 0),
	    "http://h:6060/admin/debug/pprof root http://h:6060/admin/debug/pprof/");
	/* Not fetchable. */
	CHECK_EQ_STR(norm("http:///debug/pprof/heap", 0), "");
	CHECK_EQ_STR(norm("ftp://h/x", 0), "");
	CHECK_EQ_STR(norm("heap.pb.gz", 0), "");

	struct mt_url u;
	struct mt_err e;
	CHECK_EQ_INT(url_parse("h:1/debug/pprof/allocs?seconds=30", 0, &u, &e), MT_OK);
	CHECK_EQ_INT(u.seconds, 30);
	url_done(&u);
	CHECK_EQ_INT(url_parse("h:1/debug/pprof/allocs?seconds=abc", 0, &u, &e), MT_OK);
	CHECK_EQ_INT(u.seconds, 0);
	url_done(&u);
	/* As strconv.Atoi reads it: leading zeros, whatever the length; a
	 * value too long for a buffer is never cut into another number
	 * (fuzz_url found seconds=000...0299511187 read as 299511). */
	CHECK_EQ_INT(url_parse("h:1/debug/pprof/allocs?seconds="
			       "00000000000000000000000000000000000045",
			       0, &u, &e),
		     MT_OK);
	CHECK_EQ_INT(u.seconds, 45);
	url_done(&u);
	CHECK_EQ_INT(url_parse("h:1/x/debug/pprof/allocs?seconds="
			       "0000000000000000000000000299511187=:/",
			       0, &u, &e),
		     MT_OK);
	CHECK_EQ_INT(u.seconds, 0);
	url_done(&u);
	CHECK_EQ_INT(url_parse("h:1/debug/pprof/allocs?seconds=2147483648", 0, &u, &e), MT_OK);
	CHECK_EQ_INT(u.seconds, 0);
	url_done(&u);
}

static void test_params(void)
{
	char v[16];
	CHECK(url_param("http://h/x?a=1&debug=2", "debug", v, sizeof v));
	CHECK_EQ_STR(v, "2");
	CHECK(!url_param("http://h/x?adebug=2", "debug", v, sizeof v));
	CHECK(url_param("http://h/x?gc", "gc", v, sizeof v));
	CHECK_EQ_STR(v, "");
	char *s = url_with_param("http://h/x", "gc", "1");
	CHECK_EQ_STR(s, "http://h/x?gc=1");
	free(s);
	s = url_with_param("http://h/x?debug=1&seconds=1", "seconds", "30");
	CHECK_EQ_STR(s, "http://h/x?debug=1&seconds=30");
	free(s);
	s = url_with_param("http://h/x?xseconds=1", "seconds", "2");
	CHECK_EQ_STR(s, "http://h/x?xseconds=1&seconds=2");
	free(s);
}

static void test_timeout(void)
{
	/* pprof: 60 s without seconds, 1.5 x seconds with; 5 s of grace. */
	CHECK_EQ_INT(url_timeout_ms(NULL, 0), 65000);
	CHECK_EQ_INT(url_timeout_ms(NULL, 30), 50000);
	CHECK_EQ_INT(url_timeout_ms(NULL, 1), 6500);
	struct mt_fetch_opts o = {.timeout = 2};
	/* --timeout is beyond the profile's own seconds. */
	CHECK_EQ_INT(url_timeout_ms(&o, 0), 2000);
	CHECK_EQ_INT(url_timeout_ms(&o, 10), 12000);
	o.timeout = 0.25;
	CHECK_EQ_INT(url_timeout_ms(&o, 0), 250);
}

/* The kinds of a plan joined by spaces. */
static const char *kinds(const struct url_plan *p)
{
	got[0] = 0;
	for (size_t i = 0; i < p->n; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s",
			 i ? " " : "", p->v[i].url);
	return got;
}

static void test_plan(void)
{
	struct mt_url u;
	struct mt_err e;
	struct url_plan p = {0};
	CHECK_EQ_INT(url_parse("h:6060", 0, &u, &e), MT_OK);
	/* No index page: the standard profiles and /debug/vars. */
	url_service_plan(&u, NULL, 0, &p);
	CHECK_EQ_STR(kinds(&p),
		     "http://h:6060/debug/pprof/heap http://h:6060/debug/pprof/allocs "
		     "http://h:6060/debug/pprof/goroutine?debug=2 "
		     "http://h:6060/debug/pprof/mutex http://h:6060/debug/pprof/block "
		     "http://h:6060/debug/vars");
	CHECK_EQ_STR(p.v[2].kind, "goroutine-dump");
	CHECK(p.v[5].optional && !p.v[0].optional);
	url_plan_done(&p);
	/* net/http/pprof's index as Go writes it: what it lists. */
	static const char index[] =
	    "<tr><td>4</td><td><a href='allocs?debug=1'>allocs</a></td></tr>\n"
	    "<tr><td>9</td><td><a href='goroutine?debug=1'>goroutine</a></td></tr>\n"
	    "<tr><td>3</td><td><a "
	    "href='goroutineleak?debug=1'>goroutineleak</a></td></tr>\n"
	    "<tr><td>4</td><td><a href='heap?debug=1'>heap</a></td></tr>\n"
	    "<a href=\"goroutine?debug=2\">full goroutine stack dump</a>\n";
	url_service_plan(&u, index, sizeof index - 1, &p);
	CHECK_EQ_STR(
	    kinds(&p),
	    "http://h:6060/debug/pprof/heap http://h:6060/debug/pprof/allocs "
	    "http://h:6060/debug/pprof/goroutine?debug=2 "
	    "http://h:6060/debug/pprof/goroutineleak http://h:6060/debug/vars");
	CHECK_EQ_STR(p.v[3].kind, "goroutineleak");
	url_plan_done(&p);
	url_done(&u);
	/* seconds go to the delta profiles only (Go refuses seconds with
	 * debug=; goroutineleak is no delta profile). */
	CHECK_EQ_INT(url_parse("h:6060/debug/pprof/", 5, &u, &e), MT_OK);
	url_service_plan(&u, index, sizeof index - 1, &p);
	CHECK_EQ_STR(
	    kinds(&p),
	    "http://h:6060/debug/pprof/heap?seconds=5 "
	    "http://h:6060/debug/pprof/allocs?seconds=5 "
	    "http://h:6060/debug/pprof/goroutine?debug=2 "
	    "http://h:6060/debug/pprof/goroutineleak http://h:6060/debug/vars");
	CHECK_EQ_INT(p.v[0].seconds, 5);
	CHECK_EQ_INT(p.v[2].seconds, 0);
	url_plan_done(&p);
	url_done(&u);
}

int main(void)
{
	test_is_remote();
	test_normalize();
	test_params();
	test_timeout();
	test_plan();
	TEST_MAIN_END();
}
