/* test_worktree.c - apply, unapply and status on a tree on disk
 * (worktree.h), and the series loader they use (loaded_series.h).
 *
 * Each test makes a small tree and series in a temp dir: apply changes
 * the file and a re-run is a no-op; status sees edits; unapply restores
 * the bytes, and refuses (AP_ERR_EDITED, nothing changed) over an edit
 * unless forced; a patch that does not apply leaves the tree untouched.
 */
#include "testutil.h"

#include "identity.h"
#include "loaded_series.h"
#include "worktree.h"

static const char HELLO[] = "one\ntwo\nthree\n";
static const char FIX[] =
	"Description: two becomes 2\n"
	TU_DIFF_HELLO_TWO;
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
	return tu_tree("src/hello.txt", HELLO, "patches/fix.patch", patch,
		       "patches/win.patch", WIN,
		       "patches/series", "fix.patch\nwin.patch # [cygwin]\n", NULL);
}

/* Such a tree and the run's options for linux: the state of one test. */
typedef struct fixture {
	char *dir;
	ap_run_opts o;
	ap_run run;
	ap_status st;
	ap_error err;
} fixture;

static void start(fixture *f, const char *patch)
{
	f->dir = patch ? make_tree(patch) : tu_tree("src/hello.txt", HELLO, NULL);
	f->o = (ap_run_opts)AP_RUN_OPTS_INIT;
	f->o.tree = f->dir;
	f->o.platform = "linux";
	f->err = (ap_error)AP_ERROR_INIT;
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

	/* every patch read and parsed once, errors told on demand */
	assert_int_equal(ap_loaded_series_load_hashes(&ls, pdir, "linux", 1, &err), 0);
	assert_true(ap_loaded_series_held(&ls, 0));
	assert_true(ap_loaded_series_held(&ls, 1));
	assert_int_equal(ap_loaded_series_parse(&ls, 0), 0);
	assert_int_equal(ls.patches[0].nfiles, 1);
	ap_loaded_series_drop(&ls, 0);
	assert_false(ap_loaded_series_held(&ls, 0));
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
	fixture f;

	(void)state;
	start(&f, FIX);
	assert_int_equal(ap_worktree_apply(&f.o, &f.run, &f.err), 0);
	assert_false(f.run.failed);
	assert_int_equal(f.run.n, 2);
	assert_int_equal(f.run.patches[0].status, AP_PATCH_APPLIED);
	assert_int_equal(f.run.patches[1].status, AP_PATCH_SKIPPED);
	ap_run_free(&f.run);
	assert_tree_file(f.dir, "src/hello.txt", "one\n2\nthree\n");

	/* again: nothing to do */
	assert_int_equal(ap_worktree_apply(&f.o, &f.run, &f.err), 0);
	assert_false(f.run.failed);
	assert_int_equal(f.run.patches[0].status, AP_PATCH_ALREADY);
	assert_non_null(f.run.note);
	assert_contains(f.run.note, "already applied");
	ap_run_free(&f.run);

	assert_int_equal(ap_worktree_status(&f.o, &f.st, &f.err), 0);
	assert_true(f.st.applied);
	assert_false(f.st.drift);
	assert_int_equal(f.st.npatches, 1);
	assert_string_equal(f.st.patches[0].name, "fix.patch");
	ap_status_free(&f.st);

	assert_int_equal(ap_worktree_unapply(&f.o, &f.run, &f.err), 0);
	assert_false(f.run.failed);
	assert_int_equal(f.run.patches[0].status, AP_PATCH_UNAPPLIED);
	ap_run_free(&f.run);
	assert_tree_file(f.dir, "src/hello.txt", HELLO);
	tu_rmrf(f.dir);
}

/* The record an older applypatch wrote (state version 3, IDs by identity
 * version 1's rule; version 4, by version 2's), made from this one's: the
 * header and each patch line's ID rewritten, id the patch's identity by
 * that rule. */
static void make_old_record(const char *dir, int version, const char *id)
{
	size_t len;
	char *text = tu_read(dir, ".applypatch/state", &len);
	ap_buf out = AP_BUF_INIT;
	char *save = NULL, *copy;

	assert_non_null(text);
	assert_true(strncmp(text, "applypatch-state ", 17) == 0 && text[18] == '\n');
	copy = text + 19;
	ap_buf_printf(&out, "applypatch-state %d\n", version);
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "patch\tapplied\t", 14) == 0)
			ap_buf_printf(&out, "patch\tapplied\t%s%s\n", id, line + 14 + 64);
		else
			ap_buf_printf(&out, "%s\n", line);
	}
	tu_write(dir, ".applypatch/state", out.data);
	ap_buf_free(&out);
	free(text);
}

static void make_v3_record(const char *dir, const char *id_v1)
{
	make_old_record(dir, 3, id_v1);
}

/* The end of a tree whose record an older applypatch wrote: a patch added
 * to the series is applied, the record is rewritten as version 5 holding
 * the current ID cur (and no longer old, unless NULL), status calls the
 * series unchanged, and unapply restores the file. Frees the fixture. */
static void adding_a_patch_upgrades(fixture *f, const char *cur, const char *old)
{
	size_t len;
	char *rec;

	tu_write(f->dir, "patches/more.patch",
		 "--- a/src/hello.txt\n+++ b/src/hello.txt\n@@ -1,3 +1,3 @@\n one\n 2\n-three\n+3\n");
	tu_write(f->dir, "patches/series", "fix.patch\nwin.patch # [cygwin]\nmore.patch\n");
	assert_int_equal(ap_worktree_apply(&f->o, &f->run, &f->err), 0);
	assert_false(f->run.failed);
	assert_int_equal(f->run.patches[0].status, AP_PATCH_ALREADY);
	assert_int_equal(f->run.patches[2].status, AP_PATCH_APPLIED);
	ap_run_free(&f->run);
	rec = tu_read(f->dir, ".applypatch/state", &len);
	assert_true(strncmp(rec, "applypatch-state 5\n", 19) == 0);
	assert_non_null(strstr(rec, cur));
	if (old)
		assert_null(strstr(rec, old));
	free(rec);
	assert_int_equal(ap_worktree_status(&f->o, &f->st, &f->err), 0);
	assert_string_equal(f->st.patches[0].series, "unchanged");
	ap_status_free(&f->st);

	assert_int_equal(ap_worktree_unapply(&f->o, &f->run, &f->err), 0);
	assert_false(f->run.failed);
	ap_run_free(&f->run);
	assert_tree_file(f->dir, "src/hello.txt", HELLO);
	tu_rmrf(f->dir);
}

/* A tree patched before identity version 2 (its record holds version 1
 * identities) is still patched by the same series: status clean, apply a
 * no-op, unapply restores it; a series changed since is still seen. */
static void version_3_record_still_read(void **state)
{
	fixture f;
	ap_patch p = AP_PATCH_INIT;
	ap_error pe = AP_ERROR_INIT;
	char v1[AP_SHA256_HEX], v2[AP_SHA256_HEX];

	(void)state;
	assert_int_equal(ap_patch_parse(&p, "fix.patch", FIX, strlen(FIX), 1, &pe), 0);
	assert_int_equal(ap_patch_identity_v1(&p, v1), 0);
	assert_int_equal(ap_patch_identity(&p, v2), 0);
	ap_patch_free(&p);
	assert_string_not_equal(v1, v2);

	start(&f, FIX);
	assert_int_equal(ap_worktree_apply(&f.o, &f.run, &f.err), 0);
	assert_false(f.run.failed);
	ap_run_free(&f.run);
	make_v3_record(f.dir, v1);

	assert_int_equal(ap_worktree_status(&f.o, &f.st, &f.err), 0);
	assert_true(f.st.applied);
	assert_false(f.st.drift);
	assert_int_equal(f.st.npatches, 1);
	assert_string_equal(f.st.patches[0].series, "unchanged");
	ap_status_free(&f.st);

	assert_int_equal(ap_worktree_apply(&f.o, &f.run, &f.err), 0);
	assert_false(f.run.failed);
	assert_int_equal(f.run.patches[0].status, AP_PATCH_ALREADY);
	ap_run_free(&f.run);

	/* the same record with another ID: the series changed */
	make_v3_record(f.dir, v2);
	assert_int_equal(ap_worktree_status(&f.o, &f.st, &f.err), 0);
	assert_string_equal(f.st.patches[0].series, "changed");
	ap_status_free(&f.st);
	assert_int_equal(ap_worktree_apply(&f.o, &f.run, &f.err), 0);
	assert_true(f.run.failed);
	assert_contains(f.run.note, "changed since it was applied");
	ap_run_free(&f.run);
	make_v3_record(f.dir, v1);

	/* a patch added to the series: apply adds it and writes version 5 */
	adding_a_patch_upgrades(&f, v2, NULL);
}

/* A tree patched by identity version 2 (a version 4 record) is still
 * patched by the same series: its IDs are compared by version 2's rule,
 * not by the current one, until an apply that adds a patch rewrites the
 * record as version 5. */
static void version_4_record_still_read(void **state)
{
	fixture f;
	ap_patch p = AP_PATCH_INIT;
	ap_error pe = AP_ERROR_INIT;
	char v2[AP_SHA256_HEX], v3[AP_SHA256_HEX];
	size_t len;
	char *rec;

	(void)state;
	assert_int_equal(ap_patch_parse(&p, "fix.patch", FIX, strlen(FIX), 1, &pe), 0);
	assert_int_equal(ap_patch_identity_v2(&p, v2), 0);
	assert_int_equal(ap_patch_identity(&p, v3), 0);
	ap_patch_free(&p);
	assert_string_not_equal(v2, v3);

	start(&f, FIX);
	assert_int_equal(ap_worktree_apply(&f.o, &f.run, &f.err), 0);
	assert_false(f.run.failed);
	ap_run_free(&f.run);
	rec = tu_read(f.dir, ".applypatch/state", &len);
	assert_true(strncmp(rec, "applypatch-state 5\n", 19) == 0);
	assert_non_null(strstr(rec, v3));
	free(rec);
	make_old_record(f.dir, 4, v2);

	assert_int_equal(ap_worktree_status(&f.o, &f.st, &f.err), 0);
	assert_true(f.st.applied);
	assert_false(f.st.drift);
	assert_string_equal(f.st.patches[0].series, "unchanged");
	ap_status_free(&f.st);
	assert_int_equal(ap_worktree_apply(&f.o, &f.run, &f.err), 0);
	assert_false(f.run.failed);
	assert_int_equal(f.run.patches[0].status, AP_PATCH_ALREADY);
	ap_run_free(&f.run);

	/* a version 4 record holding the current rule's ID: not that rule's */
	make_old_record(f.dir, 4, v3);
	assert_int_equal(ap_worktree_status(&f.o, &f.st, &f.err), 0);
	assert_string_equal(f.st.patches[0].series, "changed");
	ap_status_free(&f.st);
	make_old_record(f.dir, 4, v2);

	/* a patch added: version 5, with the current identities */
	adding_a_patch_upgrades(&f, v3, v2);
}

static void unapply_refuses_over_an_edit(void **state)
{
	fixture f;

	(void)state;
	start(&f, FIX);
	assert_int_equal(ap_worktree_apply(&f.o, &f.run, &f.err), 0);
	ap_run_free(&f.run);
	tu_write(f.dir, "src/hello.txt", "edited by hand\n");

	assert_int_equal(ap_worktree_status(&f.o, &f.st, &f.err), 0);
	assert_true(f.st.drift);
	assert_int_equal(f.st.nfiles, 1);
	assert_string_equal(f.st.files[0].state, "modified");
	ap_status_free(&f.st);

	assert_int_equal(ap_worktree_unapply(&f.o, &f.run, &f.err), -1);
	assert_int_equal(f.err.code, AP_ERR_EDITED);
	assert_true(f.run.failed);
	assert_contains(f.err.msg, "src/hello.txt changed after apply");
	ap_run_free(&f.run);
	assert_tree_file(f.dir, "src/hello.txt", "edited by hand\n");

	/* --force: the original back, the edit kept beside it */
	f.o.force = 1;
	f.err = (ap_error)AP_ERROR_INIT;
	assert_int_equal(ap_worktree_unapply(&f.o, &f.run, &f.err), 0);
	assert_int_equal(f.err.code, AP_ERR_NONE);
	ap_run_free(&f.run);
	assert_tree_file(f.dir, "src/hello.txt", HELLO);
	tu_rmrf(f.dir);
}

static void failed_patch_leaves_tree(void **state)
{
	fixture f;
	char *before;

	(void)state;
	start(&f, BAD);
	before = tu_snapshot(f.dir);
	assert_int_equal(ap_worktree_apply(&f.o, &f.run, &f.err), 0);
	assert_true(f.run.failed);
	assert_int_equal(f.run.patches[0].status, AP_PATCH_FAILED);
	ap_run_free(&f.run);
	assert_unchanged(f.dir, before);

	/* nothing applied: nothing to unapply, a plain failure */
	assert_int_equal(ap_worktree_unapply(&f.o, &f.run, &f.err), -1);
	assert_int_equal(f.err.code, AP_ERR_FAILED);
	assert_contains(f.err.msg, "nothing to unapply");
	ap_run_free(&f.run);
	tu_rmrf(f.dir);
}

static void unknown_platform_and_missing_series(void **state)
{
	fixture f;

	(void)state;
	start(&f, NULL);
	assert_int_equal(ap_worktree_apply(&f.o, &f.run, &f.err), -1);
	assert_contains(f.err.msg, "patches");
	ap_run_free(&f.run);
	tu_rmrf(f.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loaded_series_reads_selected),
		cmocka_unit_test(loaded_series_unreadable_patch),
		cmocka_unit_test(apply_rerun_unapply),
		cmocka_unit_test(unapply_refuses_over_an_edit),
		cmocka_unit_test(version_3_record_still_read),
		cmocka_unit_test(version_4_record_still_read),
		cmocka_unit_test(failed_patch_leaves_tree),
		cmocka_unit_test(unknown_platform_and_missing_series),
	};

	return cmocka_run_group_tests_name("worktree", tests, NULL, NULL);
}
