/* test_drift.c - a series against several upstream versions (drift.h).
 *
 * Four upstream directories made in a temp dir: the original, one with
 * lines added above the hunk (drifted), one that took the patch
 * (upstreamed), one where the hunk's lines changed (conflict). One patch,
 * four columns: each cell says what happened; --fail-on decides whether
 * the run fails; a patch not selected for the column's platform is
 * skipped, and a run that checks nothing says so.
 */
#include "testutil.h"

#include "drift.h"

static const char PATCH[] =
	"Description: c becomes C\n"
	"---\n"
	"--- a/f.txt\n"
	"+++ b/f.txt\n"
	"@@ -2,3 +2,3 @@\n"
	" b\n"
	"-c\n"
	"+C\n"
	" d\n";

static char *setup(const char *series)
{
	char *dir = tu_mkdtemp();

	tu_write(dir, "v1/f.txt", "a\nb\nc\nd\ne\n");
	tu_write(dir, "v2/f.txt", "x\ny\nz\na\nb\nc\nd\ne\n");
	tu_write(dir, "v3/f.txt", "a\nb\nC\nd\ne\n");
	tu_write(dir, "v4/f.txt", "a\nB\nq\nD\ne\n");
	tu_write(dir, "patches/fix.patch", PATCH);
	tu_write(dir, "patches/series", series);
	return dir;
}

static void add(ap_drift *d, const char *dir, const char *v, const char *platform)
{
	char *loc = ap_printf("%s/%s", dir, v);
	ap_upstream u = { AP_UPSTREAM_DIR, loc, NULL };
	ap_error err = AP_ERROR_INIT;

	assert_int_equal(ap_drift_add_column(d, v, platform, &u, NULL, &err), 0);
	free(loc);
}

static void four_versions(void **state)
{
	char *dir = setup("fix.patch\n");
	char *pdir = ap_printf("%s/patches", dir);
	ap_drift d = AP_DRIFT_INIT;
	ap_drift_opts o = { pdir, 0, AP_DRIFT_FUZZ, 1 };
	ap_error err = AP_ERROR_INIT;

	(void)state;
	add(&d, dir, "v1", "linux");
	add(&d, dir, "v2", "linux");
	add(&d, dir, "v3", "linux");
	add(&d, dir, "v4", "linux");
	assert_int_equal(ap_drift_run(&d, &o, &err), 0);
	assert_int_equal(d.npatches, 1);
	assert_int_equal(d.ncols, 4);
	assert_int_equal(d.cells[0].status, AP_DRIFT_APPLIES);
	assert_int_equal(d.cells[1].status, AP_DRIFT_DRIFTED);
	assert_int_equal(d.cells[1].max_offset, 3);
	assert_int_equal(d.cells[2].status, AP_DRIFT_UPSTREAMED);
	assert_string_equal(d.cells[2].rule, AP_DRIFT_RULE_HUNKS);
	assert_int_equal(d.cells[3].status, AP_DRIFT_CONFLICT);
	assert_string_equal(ap_drift_status_name(d.cells[3].status), "conflict");
	assert_int_equal(ap_drift_checked(&d), 4);
	assert_true(ap_drift_failed(&d, AP_FAIL_ON_CONFLICT));
	assert_true(ap_drift_failed(&d, AP_FAIL_ON_DRIFT));
	ap_drift_free(&d);
	free(pdir);
	tu_rmrf(dir);
}

static void fail_on_levels(void **state)
{
	char *dir = setup("fix.patch\n");
	char *pdir = ap_printf("%s/patches", dir);
	ap_drift d = AP_DRIFT_INIT;
	ap_drift_opts o = { pdir, 0, AP_DRIFT_FUZZ, 1 };
	ap_error err = AP_ERROR_INIT;

	(void)state;
	add(&d, dir, "v1", "linux");
	add(&d, dir, "v2", "linux");
	assert_int_equal(ap_drift_run(&d, &o, &err), 0);
	assert_false(ap_drift_failed(&d, AP_FAIL_ON_CONFLICT));
	assert_true(ap_drift_failed(&d, AP_FAIL_ON_DRIFT));
	assert_true(ap_drift_failed(&d, AP_FAIL_ON_ANY));
	ap_drift_free(&d);
	free(pdir);
	tu_rmrf(dir);
}

static void not_selected_is_skipped(void **state)
{
	char *dir = setup("fix.patch # [cygwin]\n");
	char *pdir = ap_printf("%s/patches", dir);
	ap_drift d = AP_DRIFT_INIT;
	ap_drift_opts o = { pdir, 0, AP_DRIFT_FUZZ, 1 };
	ap_error err = AP_ERROR_INIT;

	(void)state;
	add(&d, dir, "v1", "linux");
	add(&d, dir, "v1", "cygwin");
	assert_int_equal(ap_drift_run(&d, &o, &err), 0);
	assert_int_equal(d.cells[0].status, AP_DRIFT_SKIPPED);
	assert_int_equal(d.cells[1].status, AP_DRIFT_APPLIES);
	assert_int_equal(ap_drift_checked(&d), 1);
	ap_drift_free(&d);

	/* linux alone: nothing checked */
	d = (ap_drift)AP_DRIFT_INIT;
	add(&d, dir, "v1", "linux");
	assert_int_equal(ap_drift_run(&d, &o, &err), 0);
	assert_int_equal(ap_drift_checked(&d), 0);
	ap_drift_free(&d);
	free(pdir);
	tu_rmrf(dir);
}

static void missing_upstream_is_a_cell_error(void **state)
{
	char *dir = setup("fix.patch\n");
	char *pdir = ap_printf("%s/patches", dir);
	ap_drift d = AP_DRIFT_INIT;
	ap_drift_opts o = { pdir, 0, AP_DRIFT_FUZZ, 1 };
	ap_error err = AP_ERROR_INIT;

	(void)state;
	add(&d, dir, "nothere", "linux");
	assert_int_equal(ap_drift_run(&d, &o, &err), 0);
	assert_int_equal(d.cells[0].status, AP_DRIFT_ERROR);
	assert_non_null(d.cells[0].error);
	assert_contains(d.cells[0].error, "nothere: No such file");
	ap_drift_free(&d);
	free(pdir);
	tu_rmrf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(four_versions),
		cmocka_unit_test(fail_on_levels),
		cmocka_unit_test(not_selected_is_skipped),
		cmocka_unit_test(missing_upstream_is_a_cell_error),
	};

	return cmocka_run_group_tests_name("drift", tests, NULL, NULL);
}
