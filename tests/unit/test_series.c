/* test_series.c - series files, selectors and platforms (series.h).
 *
 * A quilt series with conda-build selectors must select the same patches
 * quilt users expect, name "DIR/series:LINE" for every mistake, warn about
 * patches nobody listed, and fall back to SageMath's directory convention
 * when there is no series file. Each test builds its patches directory in
 * a scratch directory.
 */
#include "testutil.h"

#include "series.h"

static const char PATCH[] = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n";

static int setup(void **state)
{
	*state = tu_mkdtemp();
	return 0;
}

static int teardown(void **state)
{
	tu_rmrf(*state);
	return 0;
}

/* Writes DIR/series and an empty-ish patch for every name given. */
static void make_dir(const char *dir, const char *series, ...)
{
	va_list ap;
	const char *name;

	if (series)
		tu_write(dir, "series", series);
	va_start(ap, series);
	while ((name = va_arg(ap, const char *)))
		tu_write(dir, name, PATCH);
	va_end(ap);
}

static const ap_series_entry *entry(const ap_series *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	print_error("no entry %s\n", name);
	fail();
	return NULL;
}

/* The names of the selected entries, in order, separated by spaces. */
static char *selected(const ap_series *s)
{
	ap_buf b = AP_BUF_INIT;

	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].selected)
			ap_buf_printf(&b, "%s%s", b.len ? " " : "", s->v[i].name);
	return ap_buf_detach(&b, NULL);
}

#define assert_selected(s, want)                                   \
	do {                                                       \
		char *sel_ = selected(s);                          \
		assert_bytes(sel_, strlen(sel_), (want));          \
		free(sel_);                                        \
	} while (0)

static const char SERIES[] =
	"# GAP patches for Sage\n"
	"\n"
	"common.patch\n"
	"p0.patch -p0\n"
	"cyg.patch # [cygwin]\n"
	"notcyg.patch   # [not cygwin]\n"
	"unixy.patch\t# [linux or darwin]\n"
	"combo.patch # [(linux or darwin) and not cygwin]\n"
	"mac.patch # [osx]\n"
	"unix.patch # [unix]\n"
	"remark.patch -p2 # a remark, not a selector\n"
	"   \n"
	"  # an indented comment\n";

static void make_full(const char *dir)
{
	make_dir(dir, SERIES, "common.patch", "p0.patch", "cyg.patch", "notcyg.patch",
		 "unixy.patch", "combo.patch", "mac.patch", "unix.patch", "remark.patch", NULL);
}

static void series_file_for_cygwin(void **state)
{
	const char *dir = *state;
	ap_error err = AP_ERROR_INIT;
	ap_series s;
	const ap_series_entry *e;

	make_full(dir);
	assert_int_equal(ap_series_load(&s, dir, "cygwin", &err), 0);
	assert_string_equal(s.dir, dir);
	assert_non_null(s.series_path);
	assert_contains(s.series_path, "/series");
	assert_string_equal(s.platform, "cygwin");
	assert_int_equal(s.n, 9);
	assert_int_equal(s.nwarnings, 0);
	assert_selected(&s, "common.patch p0.patch cyg.patch unix.patch remark.patch");
	e = entry(&s, "common.patch");
	assert_int_equal(e->lineno, 3);
	assert_int_equal(e->strip, 1);
	assert_null(e->selector);
	assert_non_null(e->why);
	e = entry(&s, "p0.patch");
	assert_int_equal(e->strip, 0);
	assert_int_equal(e->lineno, 4);
	e = entry(&s, "cyg.patch");
	assert_string_equal(e->selector, "cygwin");
	assert_int_equal(e->lineno, 5);
	assert_contains(e->why, "cygwin");
	e = entry(&s, "notcyg.patch");
	assert_false(e->selected);
	assert_string_equal(e->selector, "not cygwin");
	e = entry(&s, "combo.patch");
	assert_string_equal(e->selector, "(linux or darwin) and not cygwin");
	assert_int_equal(e->lineno, 8);
	e = entry(&s, "remark.patch");
	assert_null(e->selector);
	assert_int_equal(e->strip, 2);
	/* order is the file's */
	assert_string_equal(s.v[0].name, "common.patch");
	assert_string_equal(s.v[8].name, "remark.patch");
	ap_series_free(&s);
	assert_null(s.v);
}

static void series_file_for_other_platforms(void **state)
{
	const char *dir = *state;
	ap_error err = AP_ERROR_INIT;
	ap_series s;

	make_full(dir);
	assert_int_equal(ap_series_load(&s, dir, "linux", &err), 0);
	assert_selected(&s, "common.patch p0.patch notcyg.patch unixy.patch combo.patch unix.patch "
			"remark.patch");
	ap_series_free(&s);
	assert_int_equal(ap_series_load(&s, dir, "darwin", &err), 0);
	assert_selected(&s, "common.patch p0.patch notcyg.patch unixy.patch combo.patch mac.patch "
			"unix.patch remark.patch");
	ap_series_free(&s);
	/* conda-build's spelling of the platform itself */
	assert_int_equal(ap_series_load(&s, dir, "osx", &err), 0);
	assert_string_equal(s.platform, "darwin");
	assert_true(entry(&s, "mac.patch")->selected);
	ap_series_free(&s);
	assert_int_equal(ap_series_load(&s, dir, "freebsd", &err), 0);
	assert_selected(&s, "common.patch p0.patch notcyg.patch unix.patch remark.patch");
	ap_series_free(&s);
}

/* The user's -p N sets the lines naming no -pN; a line's own -pN wins. */
static void default_strip_only_where_unnamed(void **state)
{
	const char *dir = *state;
	ap_error err = AP_ERROR_INIT;
	ap_series s;

	make_full(dir);
	assert_int_equal(ap_series_load(&s, dir, "linux", &err), 0);
	assert_int_equal(entry(&s, "common.patch")->strip, 1);
	ap_series_default_strip(&s, 0);
	assert_int_equal(entry(&s, "common.patch")->strip, 0);
	assert_int_equal(entry(&s, "remark.patch")->strip, 2);
	ap_series_default_strip(&s, 3);
	assert_int_equal(entry(&s, "common.patch")->strip, 3);
	assert_int_equal(entry(&s, "p0.patch")->strip, 0);
	assert_int_equal(entry(&s, "remark.patch")->strip, 2);
	ap_series_free(&s);
}

static void crlf_series_and_hash_in_names(void **state)
{
	const char *dir = *state;
	ap_error err = AP_ERROR_INIT;
	ap_series s;

	make_dir(dir, "a.patch\r\nissue#12.patch # [cygwin]\r\n#c.patch\r\n", "a.patch",
		 "issue#12.patch", "c.patch", NULL);
	assert_int_equal(ap_series_load(&s, dir, "cygwin", &err), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[1].name, "issue#12.patch");
	assert_string_equal(s.v[1].selector, "cygwin");
	assert_selected(&s, "a.patch issue#12.patch");
	/* c.patch is commented out: quilt ignores it, so we warn */
	assert_int_equal(s.nwarnings, 1);
	ap_series_free(&s);
}

/* a whole-line comment is only a comment, whatever it looks like, as in
 * quilt */
static void comment_lines_are_comments(void **state)
{
	const char *dir = *state;
	ap_error err = AP_ERROR_INIT;
	ap_series s;

	make_dir(dir, "# [cygwin]\n  # [not closed\n#a.patch # [linux]\na.patch\n", "a.patch", NULL);
	assert_int_equal(ap_series_load(&s, dir, "cygwin", &err), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].lineno, 4);
	assert_null(s.v[0].selector);
	ap_series_free(&s);
}

static void unlisted_patches_are_warned_about(void **state)
{
	const char *dir = *state;
	ap_error err = AP_ERROR_INIT;
	ap_series s;

	make_dir(dir, "b.patch\n", "b.patch", "a.patch", "z.patch", NULL);
	tu_write(dir, "README", "not a patch\n");
	tu_write(dir, "notes.diff", PATCH);
	tu_write(dir, "cygwin/sub.patch", PATCH);
	assert_int_equal(ap_series_load(&s, dir, "linux", &err), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.nwarnings, 2);
	{
		char *a = ap_printf("%s/a.patch", dir), *z = ap_printf("%s/z.patch", dir);

		assert_string_equal(s.warnings[0].where, a);
		assert_string_equal(s.warnings[1].where, z);
		free(a);
		free(z);
	}
	assert_contains(s.warnings[0].what, "not listed");
	ap_series_free(&s);
}

/* --- errors name DIR/series:LINE ------------------------------------------ */

static void assert_series_error(const char *dir, const char *series, const char *platform,
				int line, const char *word)
{
	ap_error err = AP_ERROR_INIT;
	ap_series s;
	char *prefix = ap_printf("%s/series:%d: ", dir, line);

	tu_write(dir, "series", series);
	if (ap_series_load(&s, dir, platform, &err) == 0) {
		print_error("series loaded:\n%s", series);
		ap_series_free(&s);
		fail();
	}
	assert_prefix(err.msg, prefix);
	assert_contains(err.msg, word);
	free(prefix);
	/* s was released by the failed load: freeing again is harmless */
	ap_series_free(&s);
}

static void selector_errors(void **state)
{
	const char *dir = *state;

	make_dir(dir, NULL, "a.patch", "b.patch", NULL);
	assert_series_error(dir, "a.patch\n\nb.patch # [cygwn]\n", "linux", 3,
			    "unknown platform 'cygwn'");
	assert_series_error(dir, "a.patch # [cygwin\n", "linux", 1, "no closing ']'");
	assert_series_error(dir, "# c\na.patch # [linux and]\n", "linux", 2, "platform was expected");
	assert_series_error(dir, "a.patch # [and linux]\n", "linux", 1, "'and' needs a platform");
	assert_series_error(dir, "a.patch # [(linux or darwin]\n", "linux", 1, "missing ')'");
	assert_series_error(dir, "a.patch # [linux or darwin)]\n", "linux", 1, "')'");
	assert_series_error(dir, "a.patch # [linux darwin]\n", "linux", 1, "'and' or 'or'");
	assert_series_error(dir, "a.patch # []\n", "linux", 1, "platform was expected");
	/* errors are found whatever the platform, even in unselected lines */
	assert_series_error(dir, "a.patch # [cygwin or plan9]\n", "cygwin", 1,
			    "unknown platform 'plan9'");
}

static void listing_errors(void **state)
{
	const char *dir = *state;

	make_dir(dir, NULL, "a.patch", "b.patch", NULL);
	assert_series_error(dir, "a.patch\nb.patch\na.patch # [linux]\n", "linux", 3,
			    "listed twice (first at line 1)");
	assert_series_error(dir, "a.patch\nmissing.patch\n", "linux", 2, "missing.patch");
	assert_series_error(dir, "a.patch\nmissing.patch # [cygwin]\n", "linux", 2, "no such file");
	assert_series_error(dir, "a.patch -R\n", "linux", 1, "unsupported option '-R'");
	assert_series_error(dir, "a.patch -p\n", "linux", 1, "unsupported option");
	assert_series_error(dir, "a.patch --fuzz=3\n", "linux", 1, "unsupported option");
	assert_series_error(dir, "a.patch -p1x\n", "linux", 1, "unsupported option");
	assert_series_error(dir, "../a.patch\n", "linux", 1, "leaves the patches directory");
	assert_series_error(dir, "/etc/a.patch\n", "linux", 1, "leaves the patches directory");
}

static void nul_byte_in_series(void **state)
{
	const char *dir = *state;
	ap_error err = AP_ERROR_INIT;
	ap_series s;

	make_dir(dir, NULL, "a.patch", NULL);
	tu_write_mode(dir, "series", "a.patch\nb\0.patch\n", 17, 0644);
	assert_int_equal(ap_series_load(&s, dir, "linux", &err), -1);
	assert_contains(err.msg, "series:2: ");
	assert_contains(err.msg, "NUL");
}

static void bad_platform_or_directory(void **state)
{
	const char *dir = *state;
	ap_error err = AP_ERROR_INIT;
	ap_series s;
	char *missing = ap_printf("%s/nope", dir);

	make_dir(dir, "a.patch\n", "a.patch", NULL);
	assert_int_equal(ap_series_load(&s, dir, "plan9", &err), -1);
	assert_contains(err.msg, "unknown platform 'plan9'");
	assert_int_equal(ap_series_load(&s, missing, "linux", &err), -1);
	assert_contains(err.msg, missing);
	free(missing);
}

/* --- the directory convention ------------------------------------------- */

static void directory_convention(void **state)
{
	const char *dir = *state;
	ap_error err = AP_ERROR_INIT;
	ap_series s;
	const ap_series_entry *e;

	make_dir(dir, NULL, "b.patch", "a.patch", "cygwin/c1.patch", "cygwin/a0.patch",
		 "linux/l.patch", "darwin/d.patch", "misc/m.patch", ".hidden.patch", NULL);
	tu_write(dir, "README", "x\n");
	tu_write(dir, "cygwin/README", "x\n");
	assert_int_equal(ap_series_load(&s, dir, "cygwin", &err), 0);
	assert_null(s.series_path);
	assert_int_equal(s.n, 6);
	/* common ones by name, then ours by name, then the others' */
	assert_string_equal(s.v[0].name, "a.patch");
	assert_string_equal(s.v[1].name, "b.patch");
	assert_string_equal(s.v[2].name, "cygwin/a0.patch");
	assert_string_equal(s.v[3].name, "cygwin/c1.patch");
	assert_string_equal(s.v[4].name, "darwin/d.patch");
	assert_string_equal(s.v[5].name, "linux/l.patch");
	assert_selected(&s, "a.patch b.patch cygwin/a0.patch cygwin/c1.patch");
	e = entry(&s, "linux/l.patch");
	assert_false(e->selected);
	assert_int_equal(e->lineno, 0);
	assert_int_equal(e->strip, 1);
	assert_contains(e->why, "linux/");
	assert_null(e->selector);
	ap_series_free(&s);

	assert_int_equal(ap_series_load(&s, dir, "linux", &err), 0);
	assert_selected(&s, "a.patch b.patch linux/l.patch");
	assert_string_equal(s.v[2].name, "linux/l.patch");
	ap_series_free(&s);
}

static void directory_convention_empty(void **state)
{
	const char *dir = *state;
	ap_error err = AP_ERROR_INIT;
	ap_series s;

	assert_int_equal(ap_series_load(&s, dir, "linux", &err), 0);
	assert_int_equal(s.n, 0);
	ap_series_free(&s);
}

/* --- selectors and platforms ---------------------------------------------- */

static int eval(const char *expr, const char *platform)
{
	ap_error err = AP_ERROR_INIT;
	int v = ap_selector_eval(expr, platform, &err);

	if (v < 0)
		print_error("selector '%s': %s\n", expr, err.msg);
	return v;
}

static void selector_grammar(void **state)
{
	(void)state;
	assert_int_equal(eval("cygwin", "cygwin"), 1);
	assert_int_equal(eval("cygwin", "linux"), 0);
	assert_int_equal(eval("not cygwin", "linux"), 1);
	assert_int_equal(eval("not not cygwin", "cygwin"), 1);
	assert_int_equal(eval("  linux   or\tdarwin ", "darwin"), 1);
	/* and binds tighter than or */
	assert_int_equal(eval("linux or darwin and cygwin", "linux"), 1);
	assert_int_equal(eval("linux or darwin and cygwin", "darwin"), 0);
	assert_int_equal(eval("(linux or darwin) and cygwin", "linux"), 0);
	assert_int_equal(eval("(linux or darwin) and not cygwin", "darwin"), 1);
	assert_int_equal(eval("not (linux or darwin)", "cygwin"), 1);
	assert_int_equal(eval("osx", "darwin"), 1);
	assert_int_equal(eval("macos", "darwin"), 1);
	assert_int_equal(eval("osx", "linux"), 0);
	assert_int_equal(eval("unix", "cygwin"), 1);
	assert_int_equal(eval("unix", "freebsd"), 1);
	assert_int_equal(eval("((((cygwin))))", "cygwin"), 1);
}

/* Issue 15 item 6: conda-build's selector words as real recipes use them */
static void selector_conda_words(void **state)
{
	(void)state;
	assert_int_equal(eval("win", "windows"), 1);
	assert_int_equal(eval("win", "cygwin"), 0);
	assert_int_equal(eval("not win", "linux"), 1);
	assert_int_equal(eval("unix", "windows"), 0);
	assert_int_equal(eval("unix", "darwin"), 1);
	assert_int_equal(eval("osx and arm64", "darwin-arm64"), 1);
	assert_int_equal(eval("osx and arm64", "darwin-x86_64"), 0);
	assert_int_equal(eval("osx and arm64", "osx-arm64"), 1);
	assert_int_equal(eval("linux and (aarch64 or ppc64le)", "linux-aarch64"), 1);
	assert_int_equal(eval("linux and (aarch64 or ppc64le)", "linux-ppc64le"), 1);
	assert_int_equal(eval("linux and (aarch64 or ppc64le)", "linux-x86_64"), 0);
	assert_int_equal(eval("aarch64", "linux-arm64"), 1);
	assert_int_equal(eval("x86_64", "linux-64"), 1);
	assert_int_equal(eval("x86_64", "cygwin-x86_64"), 1);
	assert_int_equal(eval("x86", "linux-32"), 1);
	assert_int_equal(eval("s390x", "linux-s390x"), 1);
	assert_int_equal(eval("armv7l", "linux-armv7l"), 1);
	assert_int_equal(eval("linux64", "linux-x86_64"), 1);
	assert_int_equal(eval("linux64", "linux-aarch64"), 1);
	assert_int_equal(eval("linux32", "linux-x86_64"), 0);
	assert_int_equal(eval("linux32", "linux-armv7l"), 1);
	assert_int_equal(eval("win64", "win-64"), 1);
	assert_int_equal(eval("win32", "win-64"), 0);
	assert_int_equal(eval("win64", "linux-64"), 0);
	assert_true(ap_platform_known("win"));
	assert_true(ap_platform_known("osx-arm64"));
	assert_true(ap_platform_known("linux-aarch64"));
	assert_false(ap_platform_known("linux-sparc"));
	assert_false(ap_platform_known("x86_64"));
}

static void selector_errors_direct(void **state)
{
	static const struct {
		const char *expr, *word;
	} bad[] = {
		{ "cygwn", "unknown platform 'cygwn'" },
		{ "linux and", "platform was expected" },
		{ "linux or", "platform was expected" },
		{ "not", "platform was expected" },
		{ "or linux", "'or' needs a platform" },
		{ "(linux", "missing ')'" },
		{ "linux)", "')'" },
		{ "linux darwin", "'and' or 'or' before 'darwin'" },
		{ "", "platform was expected" },
		{ "linux & darwin", "'&'" },
		{ "Linux", "unknown platform" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		ap_error err = AP_ERROR_INIT;

		if (ap_selector_eval(bad[i].expr, "linux", &err) != -1) {
			print_error("'%s' was accepted\n", bad[i].expr);
			fail();
		}
		assert_contains(err.msg, bad[i].word);
	}
}

/* nesting is bounded, so a hostile series cannot exhaust the stack */
static void selector_nesting_is_bounded(void **state)
{
	ap_buf b = AP_BUF_INIT;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	for (int i = 0; i < 100000; i++)
		ap_buf_putc(&b, '(');
	ap_buf_puts(&b, "linux");
	for (int i = 0; i < 100000; i++)
		ap_buf_putc(&b, ')');
	assert_int_equal(ap_selector_eval(b.data, "linux", &err), -1);
	assert_contains(err.msg, "deep");
	ap_buf_clear(&b);
	for (int i = 0; i < 100000; i++)
		ap_buf_puts(&b, "not ");
	ap_buf_puts(&b, "linux");
	assert_int_equal(ap_selector_eval(b.data, "linux", &err), -1);
	ap_buf_free(&b);
}

static void platform_from_uname(void **state)
{
	(void)state;
	assert_string_equal(ap_platform_from_uname("CYGWIN_NT-10.0-19045"), "cygwin");
	assert_string_equal(ap_platform_from_uname("CYGWIN_NT-6.1-WOW64"), "cygwin");
	assert_string_equal(ap_platform_from_uname("Linux"), "linux");
	assert_string_equal(ap_platform_from_uname("Darwin"), "darwin");
	assert_string_equal(ap_platform_from_uname("FreeBSD"), "freebsd");
	assert_string_equal(ap_platform_from_uname("OpenBSD"), "openbsd");
	assert_string_equal(ap_platform_from_uname("SunOS"), "sunos");
	assert_string_equal(ap_platform_from_uname("MINGW64_NT-10.0-19045"), "windows");
	assert_string_equal(ap_platform_from_uname("MSYS_NT-10.0"), "windows");
	assert_null(ap_platform_from_uname(""));
	/* the host this runs on is one we know */
	assert_non_null(ap_platform_detect());
	assert_true(ap_platform_known(ap_platform_detect()));
}

/* The defaults a run starts from, worked out in one place. */
static void defaults(void **state)
{
	ap_error err = AP_ERROR_INIT;
	const char *platform = NULL;
	char *dir;

	(void)state;
	dir = ap_series_dir(NULL, NULL);
	assert_string_equal(dir, "./patches");
	free(dir);
	dir = ap_series_dir(NULL, "src");
	assert_string_equal(dir, "src/patches");
	free(dir);
	dir = ap_series_dir("my/series", "src");
	assert_string_equal(dir, "my/series");
	free(dir);
	assert_int_equal(ap_platform_resolve("cygwin", &platform, &err), 0);
	assert_string_equal(platform, "cygwin");
	assert_int_equal(ap_platform_resolve(NULL, &platform, &err), 0);
	assert_string_equal(platform, ap_platform_detect());
	assert_true(ap_platform_known(AP_PLATFORM_ANY));
}

static void platform_names(void **state)
{
	size_t n = 0;

	(void)state;
	for (; ap_platform_names[n]; n++)
		assert_true(ap_platform_known(ap_platform_names[n]));
	assert_true(n >= 4);
	assert_true(ap_platform_known("osx"));
	assert_true(ap_platform_known("unix"));
	assert_true(ap_platform_known("win"));
	assert_true(ap_platform_known("windows"));
	assert_false(ap_platform_known(""));
	assert_false(ap_platform_known("Linux"));
}

static void platforms_a_series_mentions(void **state)
{
	const char *dir = *state;
	ap_error err = AP_ERROR_INIT;
	ap_series s;
	const char **pf;

	make_full(dir);
	assert_int_equal(ap_series_load(&s, dir, "freebsd", &err), 0);
	pf = ap_series_platforms(&s);
	assert_non_null(pf);
	/* in ap_platform_names' order: the selectors' and the series' own */
	assert_string_equal(pf[0], "linux");
	assert_string_equal(pf[1], "cygwin");
	assert_string_equal(pf[2], "darwin");
	assert_string_equal(pf[3], "freebsd");
	assert_null(pf[4]);
	free(pf);
	ap_series_free(&s);
}

static void platforms_of_directory_convention(void **state)
{
	const char *dir = *state;
	ap_error err = AP_ERROR_INIT;
	ap_series s;
	const char **pf;

	make_dir(dir, NULL, "a.patch", "cygwin/c.patch", NULL);
	assert_int_equal(ap_series_load(&s, dir, "linux", &err), 0);
	pf = ap_series_platforms(&s);
	assert_string_equal(pf[0], "linux");
	assert_string_equal(pf[1], "cygwin");
	assert_null(pf[2]);
	free(pf);
	ap_series_free(&s);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(series_file_for_cygwin),
		T(series_file_for_other_platforms),
		T(default_strip_only_where_unnamed),
		T(crlf_series_and_hash_in_names),
		T(comment_lines_are_comments),
		T(unlisted_patches_are_warned_about),
		T(selector_errors),
		T(listing_errors),
		T(nul_byte_in_series),
		T(bad_platform_or_directory),
		T(directory_convention),
		T(directory_convention_empty),
		cmocka_unit_test(selector_grammar),
		cmocka_unit_test(selector_errors_direct),
		cmocka_unit_test(selector_conda_words),
		cmocka_unit_test(selector_nesting_is_bounded),
		cmocka_unit_test(platform_from_uname),
		cmocka_unit_test(platform_names),
		cmocka_unit_test(defaults),
		T(platforms_a_series_mentions),
		T(platforms_of_directory_convention),
	};

	return cmocka_run_group_tests_name("series", tests, NULL, NULL);
}
