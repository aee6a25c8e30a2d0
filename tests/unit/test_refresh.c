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
	"--- a/f.txt\n"
	"+++ b/f.txt\n"
	"@@ -2,3 +2,3 @@\n"
	" b\n"
	"-c\n"
	"+C\n"
	" d\n";
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

static char *setup(const char *second)
{
	char *dir = tu_mkdtemp();

	(void)OLD;
	tu_write(dir, "up/f.txt", NEW);
	tu_write(dir, "patches/fix.patch", PATCH);
	if (second) {
		tu_write(dir, "patches/other.patch", second);
		tu_write(dir, "patches/series", "fix.patch\nother.patch\n");
	} else {
		tu_write(dir, "patches/series", "fix.patch\n");
	}
	return dir;
}

static void opts(ap_refresh_opts *o, const char *dir, char **pdir, char **up)
{
	memset(o, 0, sizeof *o);
	*pdir = ap_printf("%s/patches", dir);
	*up = ap_printf("%s/up", dir);
	o->patches_dir = *pdir;
	o->upstream.kind = AP_UPSTREAM_DIR;
	o->upstream.location = *up;
	o->today = "2026-12-03";
	o->strip = 1;
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
	char *dir = setup(NULL);
	char *pdir, *up, *text;
	ap_refresh_opts o;
	ap_refresh_result r;
	ap_error err = AP_ERROR_INIT;
	size_t len;

	(void)state;
	opts(&o, dir, &pdir, &up);
	o.dry_run = 1;
	assert_int_equal(ap_refresh(&o, &r, &err), 0);
	assert_int_equal(r.refreshed, 1);
	assert_int_equal(r.left, 0);
	assert_string_equal(item(&r, "fix.patch")->action, "refreshed");
	assert_non_null(item(&r, "fix.patch")->diff);
	assert_contains(item(&r, "fix.patch")->diff, "@@ -3,7 +3,7 @@");
	ap_refresh_result_free(&r);
	text = tu_read(dir, "patches/fix.patch", &len);
	assert_string_equal(text, PATCH);   /* dry run: untouched */
	free(text);

	o.dry_run = 0;
	assert_int_equal(ap_refresh(&o, &r, &err), 0);
	assert_int_equal(r.refreshed, 1);
	ap_refresh_result_free(&r);
	text = tu_read(dir, "patches/fix.patch", &len);
	assert_contains(text, "Description: c becomes C\n");
	assert_contains(text, "Last-Update: 2026-12-03\n");
	assert_contains(text, "@@ -3,7 +3,7 @@");
	assert_contains(text, "-c\n+C\n");
	free(text);

	/* now exact: nothing to do */
	assert_int_equal(ap_refresh(&o, &r, &err), 0);
	assert_int_equal(r.refreshed, 0);
	assert_string_equal(item(&r, "fix.patch")->action, "exact");
	ap_refresh_result_free(&r);
	free(pdir);
	free(up);
	tu_rmrf(dir);
}

static void conflict_left_for_a_person(void **state)
{
	char *dir = setup(CONFLICT);
	char *pdir, *up, *text;
	ap_refresh_opts o;
	ap_refresh_result r;
	ap_error err = AP_ERROR_INIT;
	size_t len;

	(void)state;
	opts(&o, dir, &pdir, &up);
	assert_int_equal(ap_refresh(&o, &r, &err), 0);
	assert_int_equal(r.left, 1);
	assert_string_equal(item(&r, "other.patch")->action, "conflict");
	ap_refresh_result_free(&r);
	text = tu_read(dir, "patches/other.patch", &len);
	assert_string_equal(text, CONFLICT);
	free(text);
	free(pdir);
	free(up);
	tu_rmrf(dir);
}

static void unknown_name_is_an_error(void **state)
{
	char *dir = setup(NULL);
	char *pdir, *up;
	const char *only[] = { "nope.patch", NULL };
	ap_refresh_opts o;
	ap_refresh_result r;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	opts(&o, dir, &pdir, &up);
	o.only = only;
	assert_int_equal(ap_refresh(&o, &r, &err), -1);
	assert_contains(err.msg, "nope.patch is not in the series");
	ap_refresh_result_free(&r);
	free(pdir);
	free(up);
	tu_rmrf(dir);
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
