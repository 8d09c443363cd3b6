/* inflate.c - zlib, libdeflate and ISA-L (isal_inflate, streaming in 1 MiB
 * steps as memtop's gzip stream does) on a real gzip profile, to choose the
 * gzip layer by measurement. Usage: inflate FILE [ROUNDS] */
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	FILE *f = fopen(argv[1], "rb");
	if (!f)
		return 1;
	fseek(f, 0, SEEK_END);
	size_t n = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *in = malloc(n);
	if (fread(in, 1, n, f) != n)
		return 1;
	fclose(f);
	uint32_t isize;
	memcpy(&isize, in + n - 4, 4);
	uint8_t *out = malloc(isize);
	double best_z = 1e9, best_d = 1e9, best_i = 1e9;
	for (int r = 0; r < rounds; r++) {
		double t = now();
		z_stream z = {0};
		inflateInit2(&z, 31);
		z.next_in = in;
		z.avail_in = (uInt)n;
		z.next_out = out;
		z.avail_out = isize;
		int rc = inflate(&z, Z_FINISH);
		inflateEnd(&z);
		t = now() - t;
		if (rc != Z_STREAM_END)
			return 1;
		if (t < best_z)
			best_z = t;
		t = now();
		struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
		size_t got;
		if (libdeflate_gzip_decompress(d, in, n, out, isize, &got) != LIBDEFLATE_SUCCESS)
			return 1;
		libdeflate_free_decompressor(d);
		t = now() - t;
		if (t < best_d)
			best_d = t;
		t = now();
		struct inflate_state st;
		isal_inflate_init(&st);
		st.crc_flag = ISAL_GZIP;
		st.next_in = in;
		st.avail_in = (uint32_t)n;
		size_t done = 0;
		while (st.block_state != ISAL_BLOCK_FINISH) {
			size_t step = isize - done < (1u << 20) ? isize - done : (1u << 20);
			st.next_out = out + done;
			st.avail_out = (uint32_t)step;
			if (isal_inflate(&st) != ISAL_DECOMP_OK)
				return 1;
			done += step - st.avail_out;
			if (step == 0 && st.block_state != ISAL_BLOCK_FINISH)
				return 1;
		}
		t = now() - t;
		if (done != isize)
			return 1;
		if (t < best_i)
			best_i = t;
	}
	printf("%s: %zu -> %u bytes\n", argv[1], n, isize);
	printf("zlib       %7.1f ms  %6.0f MB/s\n", best_z * 1e3, isize / best_z / 1e6);
	printf("libdeflate %7.1f ms  %6.0f MB/s  (%.2fx zlib)\n", best_d * 1e3,
	       isize / best_d / 1e6, best_z / best_d);
	printf("isa-l      %7.1f ms  %6.0f MB/s  (%.2fx zlib)\n", best_i * 1e3,
	       isize / best_i / 1e6, best_z / best_i);
	return 0;
}
