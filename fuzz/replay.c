/* replay.c - runs a fuzz target over files and directories of inputs without
 * libFuzzer, so the test suite replays every corpus (and every crash found)
 * with any compiler. Usage: replay PATH... */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static int run_path(const char *path, int *count)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		perror(path);
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		if (!d)
			return 1;
		struct dirent *de;
		int rc = 0;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			char sub[4096];
			snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
			rc |= run_path(sub, count);
		}
		closedir(d);
		return rc;
	}
	uint8_t *buf;
	size_t n;
	struct mt_err e;
	if (mt_read_file(path, &buf, &n, 0, &e)) {
		fprintf(stderr, "%s: %s\n", path, e.msg);
		return 1;
	}
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	(*count)++;
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0, count = 0;
	for (int i = 1; i < argc; i++)
		rc |= run_path(argv[i], &count);
	printf("replayed %d inputs\n", count);
	return rc || count == 0;
}
