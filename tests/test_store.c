/* test_store.c - the store's core: SHA-256 against FIPS 180-4's examples,
 * and a profile stored and read back field for field (the original profile,
 * as the reader produced it, is the oracle). */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "read/reader.h"
#include "base/sha256.h"
#include "store/store.h"

static void test_sha256(void)
{
	char h[65];
	mt_sha256_hex("abc", 3, h);
	CHECK_EQ_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	mt_sha256_hex("", 0, h);
	CHECK_EQ_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	mt_sha256_hex(two, strlen(two), h);
	CHECK_EQ_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* The name of location li's leaf function, or "". */
static const char *leaf_name(const struct profile *p, uint32_t li)
{
	const struct mt_location *l = &p->locations.v[li];
	if (!l->nline || p->lines.v[l->line0].func == MT_NONE)
		return "";
	return profile_str(p, p->functions.v[p->lines.v[l->line0].func].name);
}

static void test_roundtrip(const char *path)
{
	struct mt_err e = {{0}};
	struct profile *p = NULL, *q = NULL;
	uint8_t *data;
	size_t n;
	CHECK(mt_read_file(path, &data, &n, 1 << 30, &e) == MT_OK);
	CHECK(reader_load_bytes(data, n, NULL, &p, &e) == MT_OK);
	struct store *s = NULL;
	CHECK(store_open(&s, ":memory:", true, &e) == MT_OK);
	struct store_source src = {.source = path, .raw = data, .nraw = n};
	int64_t id = 0, id2 = 0;
	bool dup = true;
	CHECK(store_import(s, p, &src, &id, &dup, &e) == MT_OK);
	CHECK(id == 1 && !dup);
	CHECK(store_import(s, p, &src, &id2, &dup, &e) == MT_OK);
	CHECK(id2 == 1 && dup);
	CHECK(store_load(s, id, &q, &e) == MT_OK);
	if (!q)
		return;
	CHECK_EQ_INT(q->samples.n, p->samples.n);
	CHECK_EQ_INT(q->sample_types.n, p->sample_types.n);
	CHECK_EQ_INT(q->values.n, p->values.n);
	CHECK(memcmp(q->values.v, p->values.v, p->values.n * sizeof *p->values.v) == 0);
	CHECK_EQ_INT(q->period, p->period);
	CHECK_EQ_INT(q->time_nanos, p->time_nanos);
	CHECK_EQ_INT(q->duration_nanos, p->duration_nanos);
	CHECK_EQ_INT(q->mappings.n, p->mappings.n);
	for (size_t i = 0; i < p->sample_types.n; i++)
		CHECK_EQ_STR(profile_str(q, q->sample_types.v[i].type),
			     profile_str(p, p->sample_types.v[i].type));
	size_t bad_stacks = 0, bad_labels = 0;
	for (size_t i = 0; i < p->samples.n; i++) {
		const struct mt_sample *a = &p->samples.v[i], *b = &q->samples.v[i];
		if (a->nloc != b->nloc || a->nlabel != b->nlabel) {
			bad_stacks++;
			continue;
		}
		for (uint32_t j = 0; j < a->nloc; j++) {
			uint32_t la = p->sample_locs.v[a->loc0 + j];
			uint32_t lb = q->sample_locs.v[b->loc0 + j];
			if (strcmp(leaf_name(p, la), leaf_name(q, lb)) != 0 ||
			    p->locations.v[la].address != q->locations.v[lb].address ||
			    p->locations.v[la].nline != q->locations.v[lb].nline)
				bad_stacks++;
		}
		for (uint32_t j = 0; j < a->nlabel; j++) {
			const struct mt_label *x = &p->labels.v[a->label0 + j];
			const struct mt_label *y = &q->labels.v[b->label0 + j];
			if (strcmp(profile_str(p, x->key), profile_str(q, y->key)) ||
			    strcmp(profile_str(p, x->str), profile_str(q, y->str)) ||
			    x->num != y->num || x->is_num != y->is_num)
				bad_labels++;
		}
	}
	CHECK_EQ_INT(bad_stacks, 0);
	CHECK_EQ_INT(bad_labels, 0);
	CHECK(store_remove(s, id, &e) == MT_OK);
	CHECK(store_remove(s, id, &e) == MT_ERR_NOTFOUND);
	CHECK(store_load(s, id, &q, &e) == MT_ERR_NOTFOUND);
	store_close(s);
	profile_free(p);
	profile_free(q);
	free(data);
}

int main(void)
{
	test_sha256();
	test_roundtrip("tests/data/go/heap.pb.gz");
	test_roundtrip("tests/data/go/goroutine.pb.gz");
	test_roundtrip("tests/data/go/cpu.pb.gz");
	TEST_MAIN_END();
}
