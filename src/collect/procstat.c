/* procstat.c - RSS, file descriptors and threads of a process from /proc. */
#include "collect/procstat.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads a small /proc file into buf (NUL-terminated); -1 with errno set. */
static ssize_t read_small(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t k = fread(buf, 1, n - 1, f);
	int err = ferror(f) ? errno : 0;
	fclose(f);
	if (err) {
		errno = err;
		return -1;
	}
	buf[k] = 0;
	return (ssize_t)k;
}

/* The number after "key:" in a status file, or -1. */
static int64_t status_field(const char *buf, const char *key)
{
	size_t k = strlen(key);
	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, k) == 0 && p[k] == ':')
			return strtoll(p + k + 1, NULL, 10);
	return -1;
}

enum mt_status procstat_read(const char *proc_root, int pid, struct procstat *out,
			     struct mt_err *e)
{
	char path[4096], buf[8192];
	const char *root = proc_root ? proc_root : "/proc";
	struct procstat ps = {.rss_bytes = -1, .fds = -1, .threads = -1};
	if (pid <= 0)
		return mt_errf(e, MT_ERR_USAGE, "bad process id %d", pid);
	snprintf(path, sizeof path, "%s/%d/status", root, pid);
	if (read_small(path, buf, sizeof buf) < 0) {
		if (errno == ENOENT || errno == ESRCH)
			return mt_errf(e, MT_ERR_NOTFOUND, "process %d is gone", pid);
		return mt_errf(e, MT_ERR_IO, "%s: %s", path, strerror(errno));
	}
	/* A zombie has a status but no memory: it is gone for our purposes. */
	const char *state = strstr(buf, "\nState:");
	if (state && (strstr(state, "\tZ") == state + 7 || strstr(state, " Z") == state + 7))
		return mt_errf(e, MT_ERR_NOTFOUND, "process %d has exited", pid);
	int64_t kb = status_field(buf, "VmRSS");
	ps.threads = status_field(buf, "Threads");
	if (kb >= 0) {
		ps.rss_bytes = kb * 1024;
	} else {
		/* Kernel threads and old kernels: resident pages from statm. */
		long long size, resident;
		snprintf(path, sizeof path, "%s/%d/statm", root, pid);
		if (read_small(path, buf, sizeof buf) >= 0 &&
		    sscanf(buf, "%lld %lld", &size, &resident) == 2)
			ps.rss_bytes = (int64_t)resident * sysconf(_SC_PAGESIZE);
	}
	if (ps.rss_bytes < 0)
		return mt_errf(e, MT_ERR_NOTFOUND, "process %d has no memory (exited?)", pid);
	snprintf(path, sizeof path, "%s/%d/fd", root, pid);
	DIR *d = opendir(path);
	if (d) {
		struct dirent *de;
		ps.fds = 0;
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				ps.fds++;
		closedir(d);
	}
	*out = ps;
	return MT_OK;
}

void procstat_points(const struct procstat *ps, int64_t t, struct metrics_batch *b)
{
	metrics_batch_add(b, "proc.rss_bytes", t, (double)ps->rss_bytes);
	if (ps->fds >= 0)
		metrics_batch_add(b, "proc.fds", t, (double)ps->fds);
	if (ps->threads >= 0)
		metrics_batch_add(b, "proc.threads", t, (double)ps->threads);
}
