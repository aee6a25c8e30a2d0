/* test_refresh.c - rewriting drifted patches (refresh.h).
 *
 * An upstream directory whose file gained lines above a hunk: the patch
 * applies there only with an offset, so refresh rewrites its hunk (the
 * header kept, Last-Update set); --dry-run shows the change and writes
 * nothing; a refreshed patch is exact on the next run; a conflicting
 * patch is left for a person; a name not in the series is an error.
 */
#include "testutil.h"

#include "refresh.h"

static const char OLD[] = "a\nb\nc\nd\ne\nf\n";
/* three lines added above: the hunk at line 2 is now at line 5 (the
 * refreshed hunk has libgit2's three lines of context) */
static const char NEW[] = "x\ny\nz\na\nb\nc\nd\ne\nf\n";
static const char PATCH[] =
	"Description: c becomes C\n"
	"Last-Update: 2020-01-01\n"
	"---\n"
	TU_DIFF_C_TO_C;
static const char CONFLICT[] =
	"Description: q becomes Q\n"
	"---\n"
	"--- a/f.txt\n"
	"+++ b/f.txt\n"
	"@@ -2,3 +2,3 @@\n"
	" b\n"
	"-q\n"
	"+Q\n"
	" d\n";

/* The upstream, the series (fix.patch, and second as other.patch when
 * given) and refresh's options over them: the state of one test. */
typedef struct fixture {
	char *dir, *pdir, *up;
	ap_refresh_opts o;
	ap_refresh_result r;
	ap_error err;
} fixture;

static void start(fixture *f, const char *second)
{
	(void)OLD;
	f->dir = tu_tree("up/f.txt", NEW, "patches/fix.patch", PATCH, NULL);
	if (second) {
		tu_write(f->dir, "patches/other.patch", second);
		tu_write(f->dir, "patches/series", "fix.patch\nother.patch\n");
	} else {
		tu_write(f->dir, "patches/series", "fix.patch\n");
	}
	f->pdir = ap_printf("%s/patches", f->dir);
	f->up = ap_printf("%s/up", f->dir);
	memset(&f->o, 0, sizeof f->o);
	f->o.patches_dir = f->pdir;
	f->o.upstream.kind = AP_UPSTREAM_DIR;
	f->o.upstream.location = f->up;
	f->o.today = "2026-12-03";
	f->o.strip = 1;
	f->err = (ap_error)AP_ERROR_INIT;
}

static void finish(fixture *f)
{
	free(f->pdir);
	free(f->up);
	tu_rmrf(f->dir);
}

static const ap_refresh_item *item(const ap_refresh_result *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return &r->v[i];
	fail_msg("no item for %s", name);
	return NULL;
}

static void dry_run_then_refresh(void **state)
{
	fixture f;
	char *text;
	size_t len;

	(void)state;
	start(&f, NULL);
	f.o.dry_run = 1;
	assert_int_equal(ap_refresh(&f.o, &f.r, &f.err), 0);
	assert_int_equal(f.r.refreshed, 1);
	assert_int_equal(f.r.left, 0);
	assert_string_equal(item(&f.r, "fix.patch")->action, "refreshed");
	assert_non_null(item(&f.r, "fix.patch")->diff);
	assert_contains(item(&f.r, "fix.patch")->diff, "@@ -3,7 +3,7 @@");
	ap_refresh_result_free(&f.r);
	assert_tree_file(f.dir, "patches/fix.patch", PATCH);   /* dry run: untouched */

	f.o.dry_run = 0;
	assert_int_equal(ap_refresh(&f.o, &f.r, &f.err), 0);
	assert_int_equal(f.r.refreshed, 1);
	ap_refresh_result_free(&f.r);
	text = tu_read(f.dir, "patches/fix.patch", &len);
	assert_contains(text, "Description: c becomes C\n");
	assert_contains(text, "Last-Update: 2026-12-03\n");
	assert_contains(text, "@@ -3,7 +3,7 @@");
	assert_contains(text, "-c\n+C\n");
	free(text);

	/* now exact: nothing to do */
	assert_int_equal(ap_refresh(&f.o, &f.r, &f.err), 0);
	assert_int_equal(f.r.refreshed, 0);
	assert_string_equal(item(&f.r, "fix.patch")->action, "exact");
	ap_refresh_result_free(&f.r);
	finish(&f);
}

static void conflict_left_for_a_person(void **state)
{
	fixture f;

	(void)state;
	start(&f, CONFLICT);
	assert_int_equal(ap_refresh(&f.o, &f.r, &f.err), 0);
	assert_int_equal(f.r.left, 1);
	assert_string_equal(item(&f.r, "other.patch")->action, "conflict");
	ap_refresh_result_free(&f.r);
	assert_tree_file(f.dir, "patches/other.patch", CONFLICT);
	finish(&f);
}

static void unknown_name_is_an_error(void **state)
{
	const char *only[] = { "nope.patch", NULL };
	fixture f;

	(void)state;
	start(&f, NULL);
	f.o.only = only;
	assert_int_equal(ap_refresh(&f.o, &f.r, &f.err), -1);
	assert_contains(f.err.msg, "nope.patch is not in the series");
	ap_refresh_result_free(&f.r);
	finish(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dry_run_then_refresh),
		cmocka_unit_test(conflict_left_for_a_person),
		cmocka_unit_test(unknown_name_is_an_error),
	};

	return cmocka_run_group_tests_name("refresh", tests, NULL, NULL);
}
