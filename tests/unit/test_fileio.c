/* test_fileio.c - the library's one whole-file reader, mkdir -p, rm -rf
 * and file SHA-256 (fileio.h): what every module relies on to refuse a
 * FIFO instead of hanging on it, and to remove only below a directory. */
#include "testutil.h"

#include "fileio.h"

static void reads_a_regular_file_whole(void **state)
{
	char *dir = tu_mkdtemp(), *path, *data = NULL;
	size_t len = 0;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	tu_write_mode(dir, "a.txt", "one\0two\n", 8, 0644);
	path = ap_printf("%s/a.txt", dir);
	assert_int_equal(ap_file_read(path, 100, &data, &len, &err), 0);
	tu_assert_bytes(data, len, "one\0two\n", 8, __FILE__, __LINE__);
	assert_int_equal(data[len], '\0');
	free(data);
	free(path);
	tu_rmrf(dir);
}

static void refuses_a_fifo_without_waiting(void **state)
{
	char *dir = tu_mkdtemp(), *path, *data = NULL;
	size_t len = 0;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	path = ap_printf("%s/series", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	/* a blocking open would hang here, with no writer */
	assert_int_equal(ap_file_read(path, 100, &data, &len, &err), -1);
	assert_null(data);
	tu_assert_contains(err.msg, "is a FIFO, not a regular file", __FILE__, __LINE__);
	tu_assert_contains(err.msg, path, __FILE__, __LINE__);
	free(path);
	tu_rmrf(dir);
}

static void refuses_a_directory_and_a_missing_file(void **state)
{
	char *dir = tu_mkdtemp(), *path, *data = NULL;
	size_t len = 0;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	assert_int_equal(ap_file_read(dir, 100, &data, &len, &err), -1);
	tu_assert_contains(err.msg, "is a directory, not a regular file", __FILE__, __LINE__);
	path = ap_printf("%s/absent", dir);
	assert_int_equal(ap_file_read(path, 100, &data, &len, &err), -1);
	tu_assert_contains(err.msg, "cannot open", __FILE__, __LINE__);
	tu_assert_contains(err.msg, "No such file", __FILE__, __LINE__);
	free(path);
	tu_rmrf(dir);
}

static void refuses_a_file_over_the_cap(void **state)
{
	char *dir = tu_mkdtemp(), *path, *data = NULL;
	size_t len = 0;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	tu_write_mode(dir, "big", "0123456789", 10, 0644);
	path = ap_printf("%s/big", dir);
	assert_int_equal(ap_file_read(path, 9, &data, &len, &err), -1);
	tu_assert_contains(err.msg, "10 bytes, more than the limit of 9 bytes", __FILE__, __LINE__);
	assert_int_equal(ap_file_read(path, 10, &data, &len, &err), 0);
	assert_int_equal(len, 10);
	free(data);
	free(path);
	tu_rmrf(dir);
}

static void mkdirs_makes_parents_and_refuses_a_file_in_the_way(void **state)
{
	char *dir = tu_mkdtemp(), *path;
	ap_error err = AP_ERROR_INIT;
	struct stat st;

	(void)state;
	path = ap_printf("%s/a/b/c/", dir);
	assert_int_equal(ap_mkdirs(path, 0755, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(ap_mkdirs(path, 0755, &err), 0); /* again: nothing to do */
	free(path);
	tu_write_mode(dir, "f", "x", 1, 0644);
	path = ap_printf("%s/f/g", dir);
	assert_int_equal(ap_mkdirs(path, 0755, &err), -1);
	tu_assert_contains(err.msg, "/f", __FILE__, __LINE__);
	free(path);
	tu_rmrf(dir);
}

static void remove_tree_stays_below_and_never_follows_a_link(void **state)
{
	char *dir = tu_mkdtemp(), *outside = tu_mkdtemp(), *link, *gone;
	int dfd;

	(void)state;
	tu_write_mode(outside, "keep.txt", "keep", 4, 0644);
	tu_write_mode(dir, "t/sub/file", "x", 1, 0644);
	tu_write_mode(dir, "t/ro/file", "y", 1, 0644);
	link = ap_printf("%s/t/sub/out", dir);
	assert_int_equal(symlink(outside, link), 0);
	gone = ap_printf("%s/t/ro", dir);
	assert_int_equal(chmod(gone, 0500), 0); /* as a tarball may leave it */
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	assert_int_equal(ap_remove_tree(dfd, "t"), 0);
	assert_false(tu_exists(dir, "t"));
	assert_true(tu_exists(outside, "keep.txt"));
	assert_int_equal(ap_remove_tree(dfd, "t"), 0); /* already gone is fine */
	close(dfd);
	free(link);
	free(gone);
	tu_rmrf(dir);
	tu_rmrf(outside);
}

static void sha256_of_a_file_matches_the_buffer_hash(void **state)
{
	char *dir = tu_mkdtemp(), *path;
	char a[AP_SHA256_HEX], b[AP_SHA256_HEX];
	ap_error err = AP_ERROR_INIT;
	static char big[200000];
	int fd;

	(void)state;
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 7);
	tu_write_mode(dir, "big", big, sizeof big, 0644);
	path = ap_printf("%s/big", dir);
	fd = open(path, O_RDONLY);
	assert_int_equal(ap_sha256_fd(fd, path, a, &err), 0);
	close(fd);
	assert_int_equal(ap_sha256_hex(big, sizeof big, b), 0);
	assert_string_equal(a, b);
	free(path);
	tu_rmrf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_a_regular_file_whole),
		cmocka_unit_test(refuses_a_fifo_without_waiting),
		cmocka_unit_test(refuses_a_directory_and_a_missing_file),
		cmocka_unit_test(refuses_a_file_over_the_cap),
		cmocka_unit_test(mkdirs_makes_parents_and_refuses_a_file_in_the_way),
		cmocka_unit_test(remove_tree_stays_below_and_never_follows_a_link),
		cmocka_unit_test(sha256_of_a_file_matches_the_buffer_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
