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
	TU_DIFF_C_TO_C;

/* Four upstream versions and a series: the state of one test. */
typedef struct fixture {
	char *dir, *pdir;
	ap_drift d;
	ap_drift_opts o;
	ap_error err;
} fixture;

static void start(fixture *f, const char *series)
{
	f->dir = tu_tree("v1/f.txt", "a\nb\nc\nd\ne\n",
			 "v2/f.txt", "x\ny\nz\na\nb\nc\nd\ne\n",
			 "v3/f.txt", "a\nb\nC\nd\ne\n",
			 "v4/f.txt", "a\nB\nq\nD\ne\n",
			 "patches/fix.patch", PATCH,
			 "patches/series", series, NULL);
	f->pdir = ap_printf("%s/patches", f->dir);
	f->d = (ap_drift)AP_DRIFT_INIT;
	f->o = (ap_drift_opts){ f->pdir, 0, AP_DRIFT_FUZZ, 1 };
	f->err = (ap_error)AP_ERROR_INIT;
}

static void finish(fixture *f)
{
	ap_drift_free(&f->d);
	free(f->pdir);
	tu_rmrf(f->dir);
}

/* A column for upstream version v on platform. */
static void add(fixture *f, const char *v, const char *platform)
{
	char *loc = ap_printf("%s/%s", f->dir, v);
	ap_upstream u = { AP_UPSTREAM_DIR, loc, NULL };
	ap_error err = AP_ERROR_INIT;

	assert_int_equal(ap_drift_add_column(&f->d, v, platform, &u, NULL, &err), 0);
	free(loc);
}

static void four_versions(void **state)
{
	fixture f;

	(void)state;
	start(&f, "fix.patch\n");
	add(&f, "v1", "linux");
	add(&f, "v2", "linux");
	add(&f, "v3", "linux");
	add(&f, "v4", "linux");
	assert_int_equal(ap_drift_run(&f.d, &f.o, &f.err), 0);
	assert_int_equal(f.d.npatches, 1);
	assert_int_equal(f.d.ncols, 4);
	assert_int_equal(f.d.cells[0].status, AP_DRIFT_APPLIES);
	assert_int_equal(f.d.cells[1].status, AP_DRIFT_DRIFTED);
	assert_int_equal(f.d.cells[1].max_offset, 3);
	assert_int_equal(f.d.cells[2].status, AP_DRIFT_UPSTREAMED);
	assert_string_equal(f.d.cells[2].rule, AP_DRIFT_RULE_HUNKS);
	assert_int_equal(f.d.cells[3].status, AP_DRIFT_CONFLICT);
	assert_string_equal(ap_drift_status_name(f.d.cells[3].status), "conflict");
	assert_int_equal(ap_drift_checked(&f.d), 4);
	assert_true(ap_drift_failed(&f.d, AP_FAIL_ON_CONFLICT));
	assert_true(ap_drift_failed(&f.d, AP_FAIL_ON_DRIFT));
	finish(&f);
}

static void fail_on_levels(void **state)
{
	fixture f;

	(void)state;
	start(&f, "fix.patch\n");
	add(&f, "v1", "linux");
	add(&f, "v2", "linux");
	assert_int_equal(ap_drift_run(&f.d, &f.o, &f.err), 0);
	assert_false(ap_drift_failed(&f.d, AP_FAIL_ON_CONFLICT));
	assert_true(ap_drift_failed(&f.d, AP_FAIL_ON_DRIFT));
	assert_true(ap_drift_failed(&f.d, AP_FAIL_ON_ANY));
	finish(&f);
}

static void not_selected_is_skipped(void **state)
{
	fixture f;

	(void)state;
	start(&f, "fix.patch # [cygwin]\n");
	add(&f, "v1", "linux");
	add(&f, "v1", "cygwin");
	assert_int_equal(ap_drift_run(&f.d, &f.o, &f.err), 0);
	assert_int_equal(f.d.cells[0].status, AP_DRIFT_SKIPPED);
	assert_int_equal(f.d.cells[1].status, AP_DRIFT_APPLIES);
	assert_int_equal(ap_drift_checked(&f.d), 1);
	ap_drift_free(&f.d);

	/* linux alone: nothing checked */
	f.d = (ap_drift)AP_DRIFT_INIT;
	add(&f, "v1", "linux");
	assert_int_equal(ap_drift_run(&f.d, &f.o, &f.err), 0);
	assert_int_equal(ap_drift_checked(&f.d), 0);
	finish(&f);
}

static void missing_upstream_is_a_cell_error(void **state)
{
	fixture f;

	(void)state;
	start(&f, "fix.patch\n");
	add(&f, "nothere", "linux");
	assert_int_equal(ap_drift_run(&f.d, &f.o, &f.err), 0);
	assert_int_equal(f.d.cells[0].status, AP_DRIFT_ERROR);
	assert_non_null(f.d.cells[0].error);
	assert_contains(f.d.cells[0].error, "nothere: No such file");
	finish(&f);
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
