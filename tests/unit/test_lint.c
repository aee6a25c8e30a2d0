/* test_lint.c - the checks lint runs over a patches directory (lint.h).
 *
 * A clean series gives no finding; each problem gives one naming the
 * patch (and line) and what is wrong; a FIFO listed in the series is a
 * finding, never waited on.
 */
#include "testutil.h"

#include "lint.h"

#include <sys/stat.h>

static const char GOOD[] =
	"Description: two becomes 2\n"
	"Origin: upstream, https://example.org/commit/1\n"
	"---\n"
	TU_DIFF_HELLO_TWO;

/* Whether a finding's "WHERE: WHAT" holds both strings. */
static int has_finding(const ap_lint *l, const char *a, const char *b)
{
	for (size_t i = 0; i < l->n; i++) {
		char *line = ap_printf("%s: %s", l->v[i].where, l->v[i].what);
		int hit = strstr(line, a) && strstr(line, b);

		free(line);
		if (hit)
			return 1;
	}
	return 0;
}

static void clean_series(void **state)
{
	char *dir = tu_mkdtemp();
	ap_lint l;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	tu_write(dir, "good.patch", GOOD);
	tu_write(dir, "series", "good.patch\n");
	assert_int_equal(ap_lint_run(&l, dir, &err), 0);
	for (size_t i = 0; i < l.n; i++)
		print_message("unexpected: %s: %s\n", l.v[i].where, l.v[i].what);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.npatches, 1);
	ap_lint_free(&l);
	tu_rmrf(dir);
}

static void each_problem_named(void **state)
{
	char *dir = tu_mkdtemp();
	ap_lint l;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	tu_write(dir, "good.patch", GOOD);
	/* no description, no upstream reference */
	tu_write(dir, "bare.patch", strstr(GOOD, "--- a/"));
	tu_write(dir, "broken.patch", "Description: x\nOrigin: upstream, https://e.org\n"
		 "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n one\n");
	tu_write(dir, "stray.patch", GOOD);
	tu_write(dir, "win.patch", GOOD);
	tu_write(dir, "series", "good.patch\nbare.patch\nbroken.patch\nmissing.patch\n"
		 "win.patch # [not_a_platform]\n");
	assert_int_equal(ap_lint_run(&l, dir, &err), 0);
	assert_true(l.n >= 5);
	assert_true(has_finding(&l, "bare.patch", ""));
	assert_true(has_finding(&l, "broken.patch", ""));
	assert_true(has_finding(&l, "missing.patch", ""));
	assert_true(has_finding(&l, "stray.patch", ""));
	assert_true(has_finding(&l, "series", "not_a_platform"));
	assert_false(has_finding(&l, "good.patch:", "no Description"));
	ap_lint_free(&l);
	tu_rmrf(dir);
}

static void fifo_is_a_finding(void **state)
{
	char *dir = tu_mkdtemp();
	char *fifo = ap_printf("%s/pipe.patch", dir);
	ap_lint l;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	assert_int_equal(mkfifo(fifo, 0644), 0);
	tu_write(dir, "series", "pipe.patch\n");
	assert_int_equal(ap_lint_run(&l, dir, &err), 0);
	assert_true(l.n >= 1);
	assert_true(has_finding(&l, "pipe.patch", ""));
	ap_lint_free(&l);
	free(fifo);
	tu_rmrf(dir);
}

static void no_directory(void **state)
{
	ap_lint l;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	assert_int_equal(ap_lint_run(&l, "/nonexistent/patches", &err), -1);
	assert_contains(err.msg, "/nonexistent/patches");
	ap_lint_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_series),
		cmocka_unit_test(each_problem_named),
		cmocka_unit_test(fifo_is_a_finding),
		cmocka_unit_test(no_directory),
	};

	return cmocka_run_group_tests_name("lint", tests, NULL, NULL);
}
