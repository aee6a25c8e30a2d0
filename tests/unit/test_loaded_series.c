/* test_loaded_series.c - the series loader (loaded_series.h) on several
 * threads gives, slot by slot, what one thread gives.
 *
 * A series of 64 patches, some that do not parse, some that cannot be read
 * (over the size limit: the series refuses what is not a regular file),
 * some for another platform, is loaded with
 * AP_LOAD_THREADS=1 and with 4 threads (and the default count): every
 * error, pending error, hash and parse must be the same.
 */
#include "testutil.h"

#include "loaded_series.h"

#define NPATCHES 64

/* A patches folder of NPATCHES patches: every 7th does not parse, every
 * 11th is too big to read (sparse), every 5th is for cygwin only. */
static char *make_series(void)
{
	char *dir = tu_mkdtemp();
	ap_buf series = AP_BUF_INIT;

	for (int i = 0; i < NPATCHES; i++) {
		char name[32];

		snprintf(name, sizeof name, "p%02d.patch", i);
		ap_buf_printf(&series, "%s%s\n", name, i % 5 == 4 ? " # [cygwin]" : "");
		if (i % 11 == 3) {
			char *path = ap_printf("%s/%s", dir, name);

			tu_write(dir, name, "");
			assert_int_equal(truncate(path, (off_t)AP_PATCH_MAX_BYTES + 1), 0);
			free(path);
		} else if (i % 7 == 6) {
			tu_write(dir, name, "Description: not a diff\n@@ -1 +1 @@\n-a\n");
		} else {
			char *text = ap_printf("Subject: patch %d\n---\n--- a/f%d.txt\n+++ b/f%d.txt\n"
					       "@@ -1,2 +1,2 @@\n one\n-%d\n+%d\n", i, i, i, i, i + 1);

			tu_write(dir, name, text);
			free(text);
		}
	}
	tu_write(dir, "series", series.data);
	ap_buf_free(&series);
	return dir;
}

static void load_with(const char *threads, int hashes, int all, const char *dir,
		      ap_loaded_series *ls)
{
	ap_error err = AP_ERROR_INIT;

	if (threads)
		assert_int_equal(setenv("AP_LOAD_THREADS", threads, 1), 0);
	else
		assert_int_equal(unsetenv("AP_LOAD_THREADS"), 0);
	if (hashes)
		assert_int_equal(ap_loaded_series_load_hashes(ls, dir, "linux", 1, &err), 0);
	else
		assert_int_equal(ap_loaded_series_load(ls, dir, "linux", all, 1, &err), 0);
	assert_int_equal(ls->series.n, NPATCHES);
}

static void assert_same_str(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_same(const ap_loaded_series *a, const ap_loaded_series *b)
{
	for (size_t i = 0; i < NPATCHES; i++) {
		assert_same_str(a->errors[i], b->errors[i]);
		assert_same_str(a->pending[i], b->pending[i]);
		assert_string_equal(a->sha256[i], b->sha256[i]);
		assert_string_equal(a->diff_sha256[i], b->diff_sha256[i]);
		assert_string_equal(a->file_sha256[i], b->file_sha256[i]);
		assert_int_equal(a->held[i], b->held[i]);
		assert_int_equal(a->patches[i].nfiles, b->patches[i].nfiles);
		assert_bytes_n(a->patches[i].data, a->patches[i].len, b->patches[i].data,
			       b->patches[i].len);
	}
}

/* How many slots hold an error, a pending error, a parse. */
static void count(const ap_loaded_series *ls, int *errors, int *pending, int *parsed)
{
	*errors = *pending = *parsed = 0;
	for (size_t i = 0; i < NPATCHES; i++) {
		*errors += ls->errors[i] != NULL;
		*pending += ls->pending[i] != NULL;
		*parsed += ls->patches[i].nfiles > 0;
	}
}

static void threads_load_as_one(void **state)
{
	static const struct { int hashes, all; } modes[] = { { 1, 1 }, { 0, 0 }, { 0, 1 } };
	char *dir = make_series();

	(void)state;
	for (size_t m = 0; m < sizeof modes / sizeof *modes; m++) {
		ap_loaded_series one, four, dflt;
		int errors, pending, parsed;

		load_with("1", modes[m].hashes, modes[m].all, dir, &one);
		load_with("4", modes[m].hashes, modes[m].all, dir, &four);
		load_with(NULL, modes[m].hashes, modes[m].all, dir, &dflt);
		assert_same(&one, &four);
		assert_same(&one, &dflt);
		/* the series does hold each kind of slot */
		count(&one, &errors, &pending, &parsed);
		assert_true(errors > 0);
		assert_true(parsed > 0);
		assert_true(modes[m].hashes ? pending > 0 : pending == 0);
		if (!modes[m].all)
			assert_int_equal(one.patches[4].nfiles, 0);   /* cygwin's: not read */
		ap_loaded_series_free(&one);
		ap_loaded_series_free(&four);
		ap_loaded_series_free(&dflt);
	}
	assert_int_equal(unsetenv("AP_LOAD_THREADS"), 0);
	tu_rmrf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(threads_load_as_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
