/* test_sums.c - cksum, sha1, md5 and sha256 (sums.c) against the values
 * coreutils' cksum, sha1sum, md5sum and sha256sum print for the same
 * bytes; a file read in pieces gives what the buffer gives; a missing
 * file is an error naming it. */
#include "testutil.h"

#include "sums.h"

static void sums_empty(void **state)
{
	ap_error err = AP_ERROR_INIT;
	ap_sums s;

	(void)state;
	assert_int_equal(ap_sums_buf("", 0, &s, &err), 0);
	assert_string_equal(s.cksum, "4294967295");
	assert_string_equal(s.sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	assert_string_equal(s.md5, "d41d8cd98f00b204e9800998ecf8427e");
	assert_string_equal(s.sha256,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(s.size, 0);
}

static void sums_short(void **state)
{
	const char *fox = "The quick brown fox jumps over the lazy dog";
	ap_error err = AP_ERROR_INIT;
	ap_sums s;

	(void)state;
	assert_int_equal(ap_cksum("a", 1), 1220704766u);
	assert_int_equal(ap_cksum("123456789", 9), 930766865u);
	assert_int_equal(ap_sums_buf(fox, strlen(fox), &s, &err), 0);
	assert_string_equal(s.cksum, "2074844392");
	assert_string_equal(s.sha1, "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
	assert_string_equal(s.md5, "9e107d9d372bb6826bd81d3542a419d6");
	assert_string_equal(s.sha256,
			    "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
	assert_int_equal(s.size, 43);
}

/* 300000 bytes: the length takes three bytes in the CRC, and the file is
 * read in several pieces */
static void sums_file_in_pieces(void **state)
{
	enum { N = 300000 };
	unsigned char *data = malloc(N);
	char *dir = tu_mkdtemp(), *path;
	ap_error err = AP_ERROR_INIT;
	ap_sums f, b;
	FILE *fp;

	(void)state;
	assert_non_null(data);
	for (size_t i = 0; i < N; i++)
		data[i] = (unsigned char)((i * 7 + 3) % 256);
	path = ap_printf("%s/blob", dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, N, fp), N);
	fclose(fp);
	if (ap_sums_file(path, &f, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(f.cksum, "2641636907");
	assert_string_equal(f.sha1, "91e6cb6f01ce74ac9eed72baef70ca31df7aae6e");
	assert_string_equal(f.md5, "67c92c696c610b8ec1123deac0a7b3a3");
	assert_string_equal(f.sha256,
			    "75bd90773c8246d53fe62f66e08a3828e82632011be5f8c0836484ffd49ab819");
	assert_int_equal(f.size, N);
	assert_int_equal(ap_sums_buf(data, N, &b, &err), 0);
	assert_string_equal(f.cksum, b.cksum);
	assert_string_equal(f.sha1, b.sha1);
	assert_string_equal(f.md5, b.md5);
	assert_string_equal(f.sha256, b.sha256);
	assert_int_equal(f.size, b.size);
	free(data);
	free(path);
	tu_rmrf(dir);
}

static void sums_missing_file(void **state)
{
	ap_error err = AP_ERROR_INIT;
	ap_sums s;

	(void)state;
	assert_int_equal(ap_sums_file("/nonexistent/gap-4.10.2.tar.bz2", &s, &err), -1);
	assert_contains(err.msg, "/nonexistent/gap-4.10.2.tar.bz2: cannot open");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sums_empty),
		cmocka_unit_test(sums_short),
		cmocka_unit_test(sums_file_in_pieces),
		cmocka_unit_test(sums_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
