/* test_worktree.c - apply, unapply and status on a tree on disk
 * (worktree.h), and the series loader they use (loaded_series.h).
 *
 * Each test makes a small tree and series in a temp dir: apply changes
 * the file and a re-run is a no-op; status sees edits; unapply restores
 * the bytes, and refuses (AP_ERR_EDITED, nothing changed) over an edit
 * unless forced; a patch that does not apply leaves the tree untouched.
 */
#include "testutil.h"

#include "loaded_series.h"
#include "worktree.h"

static const char HELLO[] = "one\ntwo\nthree\n";
static const char FIX[] =
	"Description: two becomes 2\n"
	"--- a/src/hello.txt\n"
	"+++ b/src/hello.txt\n"
	"@@ -1,3 +1,3 @@\n"
	" one\n"
	"-two\n"
	"+2\n"
	" three\n";
static const char BAD[] =
	"--- a/src/hello.txt\n"
	"+++ b/src/hello.txt\n"
	"@@ -1,3 +1,3 @@\n"
	" one\n"
	"-zwei\n"
	"+2\n"
	" three\n";

static const char WIN[] =
	"--- a/src/hello.txt\n"
	"+++ b/src/hello.txt\n"
	"@@ -1,2 +1,2 @@\n"
	"-one\n"
	"+1\n"
	" two\n";

/* A tree with src/hello.txt and patches/series listing one patch (and a
 * cygwin-only one that is not selected on linux). */
static char *make_tree(const char *patch)
{
	char *dir = tu_mkdtemp();

	tu_write(dir, "src/hello.txt", HELLO);
	tu_write(dir, "patches/fix.patch", patch);
	tu_write(dir, "patches/win.patch", WIN);
	tu_write(dir, "patches/series", "fix.patch\nwin.patch # [cygwin]\n");
	return dir;
}

static void opts_for(ap_run_opts *o, const char *dir)
{
	*o = (ap_run_opts)AP_RUN_OPTS_INIT;
	o->tree = dir;
	o->platform = "linux";
}

static void assert_file(const char *dir, const char *rel, const char *want)
{
	size_t len;
	char *got = tu_read(dir, rel, &len);

	assert_non_null(got);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(got, want, len);
	free(got);
}

static void loaded_series_reads_selected(void **state)
{
	char *dir = make_tree(FIX);
	char *pdir = ap_printf("%s/patches", dir);
	ap_loaded_series ls;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	assert_int_equal(ap_loaded_series_load(&ls, pdir, "linux", 0, 1, &err), 0);
	assert_int_equal(ls.series.n, 2);
	assert_null(ls.errors[0]);
	assert_int_equal(ls.patches[0].nfiles, 1);
	assert_true(ls.series.v[0].selected);
	assert_false(ls.series.v[1].selected);
	assert_int_equal(ls.patches[1].nfiles, 0);   /* not selected: not read */
	assert_int_equal(strlen(ls.sha256[0]), AP_SHA256_HEX - 1);
	ap_loaded_series_free(&ls);

	/* hashes only: every patch read, parsed on demand */
	assert_int_equal(ap_loaded_series_load_hashes(&ls, pdir, "linux", 1, &err), 0);
	assert_non_null(ls.raw[0]);
	assert_non_null(ls.raw[1]);
	assert_int_equal(ap_loaded_series_parse(&ls, 0), 0);
	assert_int_equal(ls.patches[0].nfiles, 1);
	ap_loaded_series_drop(&ls, 0);
	assert_null(ls.raw[0]);
	ap_loaded_series_free(&ls);
	free(pdir);
	tu_rmrf(dir);
}

static void loaded_series_unreadable_patch(void **state)
{
	char *dir = make_tree(FIX);
	char *pdir = ap_printf("%s/patches", dir);
	char *gone = ap_printf("%s/patches/fix.patch", dir);
	ap_loaded_series ls;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	assert_int_equal(unlink(gone), 0);
	tu_write(dir, "patches/fix.patch", "not a patch at all\n");
	assert_int_equal(ap_loaded_series_load(&ls, pdir, "linux", 0, 1, &err), 0);
	assert_non_null(ls.errors[0]);
	assert_contains(ls.errors[0], "fix.patch");
	ap_loaded_series_free(&ls);
	free(gone);
	free(pdir);
	tu_rmrf(dir);
}

static void apply_rerun_unapply(void **state)
{
	char *dir = make_tree(FIX);
	ap_run_opts o;
	ap_run run;
	ap_status st;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	opts_for(&o, dir);
	assert_int_equal(ap_worktree_apply(&o, &run, &err), 0);
	assert_false(run.failed);
	assert_int_equal(run.n, 2);
	assert_int_equal(run.patches[0].status, AP_PATCH_APPLIED);
	assert_int_equal(run.patches[1].status, AP_PATCH_SKIPPED);
	ap_run_free(&run);
	assert_file(dir, "src/hello.txt", "one\n2\nthree\n");

	/* again: nothing to do */
	assert_int_equal(ap_worktree_apply(&o, &run, &err), 0);
	assert_false(run.failed);
	assert_int_equal(run.patches[0].status, AP_PATCH_ALREADY);
	assert_non_null(run.note);
	assert_contains(run.note, "already applied");
	ap_run_free(&run);

	assert_int_equal(ap_worktree_status(&o, &st, &err), 0);
	assert_true(st.applied);
	assert_false(st.drift);
	assert_int_equal(st.npatches, 1);
	assert_string_equal(st.patches[0].name, "fix.patch");
	ap_status_free(&st);

	assert_int_equal(ap_worktree_unapply(&o, &run, &err), 0);
	assert_false(run.failed);
	assert_int_equal(run.patches[0].status, AP_PATCH_UNAPPLIED);
	ap_run_free(&run);
	assert_file(dir, "src/hello.txt", HELLO);
	tu_rmrf(dir);
}

static void unapply_refuses_over_an_edit(void **state)
{
	char *dir = make_tree(FIX);
	ap_run_opts o;
	ap_run run;
	ap_status st;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	opts_for(&o, dir);
	assert_int_equal(ap_worktree_apply(&o, &run, &err), 0);
	ap_run_free(&run);
	tu_write(dir, "src/hello.txt", "edited by hand\n");

	assert_int_equal(ap_worktree_status(&o, &st, &err), 0);
	assert_true(st.drift);
	assert_int_equal(st.nfiles, 1);
	assert_string_equal(st.files[0].state, "modified");
	ap_status_free(&st);

	assert_int_equal(ap_worktree_unapply(&o, &run, &err), -1);
	assert_int_equal(err.code, AP_ERR_EDITED);
	assert_true(run.failed);
	assert_contains(err.msg, "src/hello.txt changed after apply");
	ap_run_free(&run);
	assert_file(dir, "src/hello.txt", "edited by hand\n");

	/* --force: the original back, the edit kept beside it */
	o.force = 1;
	err = (ap_error)AP_ERROR_INIT;
	assert_int_equal(ap_worktree_unapply(&o, &run, &err), 0);
	assert_int_equal(err.code, AP_ERR_NONE);
	ap_run_free(&run);
	assert_file(dir, "src/hello.txt", HELLO);
	tu_rmrf(dir);
}

static void failed_patch_leaves_tree(void **state)
{
	char *dir = make_tree(BAD);
	char *before = tu_snapshot(dir);
	char *after;
	ap_run_opts o;
	ap_run run;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	opts_for(&o, dir);
	assert_int_equal(ap_worktree_apply(&o, &run, &err), 0);
	assert_true(run.failed);
	assert_int_equal(run.patches[0].status, AP_PATCH_FAILED);
	ap_run_free(&run);
	after = tu_snapshot(dir);
	assert_string_equal(before, after);
	free(before);
	free(after);

	/* nothing applied: nothing to unapply, a plain failure */
	assert_int_equal(ap_worktree_unapply(&o, &run, &err), -1);
	assert_int_equal(err.code, AP_ERR_FAILED);
	assert_contains(err.msg, "nothing to unapply");
	ap_run_free(&run);
	tu_rmrf(dir);
}

static void unknown_platform_and_missing_series(void **state)
{
	char *dir = tu_mkdtemp();
	ap_run_opts o;
	ap_run run;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	tu_write(dir, "src/hello.txt", HELLO);
	opts_for(&o, dir);
	assert_int_equal(ap_worktree_apply(&o, &run, &err), -1);
	assert_contains(err.msg, "patches");
	ap_run_free(&run);
	tu_rmrf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loaded_series_reads_selected),
		cmocka_unit_test(loaded_series_unreadable_patch),
		cmocka_unit_test(apply_rerun_unapply),
		cmocka_unit_test(unapply_refuses_over_an_edit),
		cmocka_unit_test(failed_patch_leaves_tree),
		cmocka_unit_test(unknown_platform_and_missing_series),
	};

	return cmocka_run_group_tests_name("worktree", tests, NULL, NULL);
}
