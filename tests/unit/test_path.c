/* test_path.c - which paths a patch may name (path.h): everything must
 * stay inside the tree and out of .git and the state directory; -pN
 * stripping as GNU patch does it; symlink targets judged lexically; and
 * names shown in messages with control bytes escaped. */
#include "testutil.h"

#include "path.h"

#define unsafe(s) ap_path_unsafe((s), strlen(s))

static void safe_paths(void **state)
{
	(void)state;
	assert_null(unsafe("src/sysmem.c"));
	assert_null(unsafe("a"));
	assert_null(unsafe("src/.gitignore"));
	assert_null(unsafe(".github/workflows/ci.yml"));
	assert_null(unsafe("..foo/bar"));
	assert_null(unsafe("foo../bar"));
	assert_null(unsafe("a/...b"));
	assert_null(unsafe("dir with space/\xc3\xa9t\xc3\xa9.c"));
	/* only the top-level state directory is ours */
	assert_null(unsafe("doc/.applypatch"));
	/* a colon is only a drive letter in second place */
	assert_null(unsafe("ab:c/d:e"));
}

static void absolute_paths(void **state)
{
	(void)state;
	assert_string_equal(unsafe("/etc/passwd"), "is absolute");
	assert_contains(unsafe("\\windows\\x"), "is absolute");
	assert_string_equal(unsafe("C:/x"), "is absolute (a Windows drive path)");
	assert_string_equal(unsafe("c:\\x"), "is absolute (a Windows drive path)");
	/* say what is actually wrong (issue 11, item 12): c:file is no
	 * absolute path, but Windows reads it as a file on drive C */
	assert_contains(unsafe("c:file"), "starts with a drive letter");
	assert_null(unsafe("1:file"));
}

static void dot_dot_and_dot(void **state)
{
	(void)state;
	assert_string_equal(unsafe(".."), "has a '..' component");
	assert_string_equal(unsafe("../x"), "has a '..' component");
	assert_string_equal(unsafe("a/../../x"), "has a '..' component");
	assert_string_equal(unsafe("a/.."), "has a '..' component");
	assert_string_equal(unsafe("./a"), "has a '.' component");
	assert_string_equal(unsafe("a/./b"), "has a '.' component");
}

static void empty_components(void **state)
{
	(void)state;
	assert_string_equal(unsafe(""), "is empty");
	assert_string_equal(unsafe("a//b"), "has an empty component");
	assert_string_equal(unsafe("a/"), "ends with '/'");
}

static void git_and_state_dirs(void **state)
{
	(void)state;
	assert_string_equal(unsafe(".git/config"), "is inside .git");
	assert_string_equal(unsafe(".git"), "is inside .git");
	assert_string_equal(unsafe("sub/.git/hooks/pre-commit"), "is inside .git");
	/* case-insensitive file systems (macOS, Cygwin) see .GIT as .git */
	assert_string_equal(unsafe(".GIT/hooks/post-checkout"), "is inside .git");
	assert_non_null(unsafe(".applypatch/state"));
	assert_contains(unsafe(".applypatch/state"), "state directory");
	assert_non_null(unsafe(".applypatch"));
	assert_non_null(unsafe(".ApplyPatch/orig/1"));
}

/* names NTFS (Cygwin) or HFS+ (macOS) read as .git, refused everywhere as
 * git's verify_path refuses them (issue 11, item 13) */
static void git_look_alikes(void **state)
{
	static const char *const ntfs[] = {
		"GIT~1/config", "git~1/hooks/pre-commit", ".git./config", ".git /config",
		".git. . ./config", "sub/.GIT../x", ".git::$INDEX_ALLOCATION/config",
		".git:stream", "Git~1", "git~1.", ".git::$INDEX_ALLOCATION",
	};
	static const char *const hfs[] = {
		".g\xe2\x80\x8cit/config",              /* U+200C ZERO WIDTH NON-JOINER */
		"\xe2\x80\x8d.git/config",              /* U+200D before */
		".git\xef\xbb\xbf/config",              /* U+FEFF after */
		".G\xe2\x80\x8fI\xe2\x80\xaaT/hooks", /* U+200F, U+202A, upper case */
		"a/.gi\xe2\x81\xaft",                   /* U+206F */
	};

	(void)state;
	for (size_t i = 0; i < sizeof ntfs / sizeof *ntfs; i++) {
		const char *why = unsafe(ntfs[i]);

		if (!why || !strstr(why, "NTFS"))
			fail_msg("%s: %s", ntfs[i], why ? why : "accepted");
	}
	for (size_t i = 0; i < sizeof hfs / sizeof *hfs; i++) {
		const char *why = unsafe(hfs[i]);

		if (!why || !strstr(why, "HFS+"))
			fail_msg("%s: %s", hfs[i], why ? why : "accepted");
	}
	/* the state directory's look-alikes too, at the top */
	assert_contains(unsafe(".applypatch./state"), "state directory");
	assert_contains(unsafe("APPLYP~1/state"), "state directory");
	assert_contains(unsafe(".apply\xe2\x80\x8cpatch/state"), "state directory");
	/* what only looks close is a name like any other */
	assert_null(unsafe(".gitignore"));
	assert_null(unsafe(".git~1/x"));
	assert_null(unsafe("git~5/x"));
	assert_null(unsafe("git~1x/y"));
	assert_null(unsafe(".gitx. /y"));
	assert_null(unsafe(".g\xc3\xafit/x"));       /* U+00EF is a letter, not ignorable */
	assert_null(unsafe(".g\xe2\x80\x8bit/x"));  /* U+200B: git does not ignore it either */
	assert_null(unsafe(".g\xc0\xaeit/x"));       /* malformed (overlong): no .git */
	/* Windows reads a backslash as '/' */
	assert_contains(unsafe("a\\..\\..\\x"), "backslash");
	assert_contains(unsafe("sub\\.git\\config"), "backslash");
}

static void control_characters_and_nul(void **state)
{
	(void)state;
	assert_string_equal(ap_path_unsafe("a\0b", 3), "contains a NUL byte");
	assert_string_equal(unsafe("a\nb"), "contains a line break");
	assert_string_equal(unsafe("a\rb"), "contains a line break");
	assert_string_equal(unsafe("a\tb"), "contains a control character");
	assert_string_equal(unsafe("\x1b[31mred"), "contains a control character");
	assert_string_equal(unsafe("del\x7f"), "contains a control character");
	/* the length decides: bytes after it are not looked at */
	assert_null(ap_path_unsafe("ok/../x", 2));
}

static void strip_components(void **state)
{
	(void)state;
	assert_string_equal(ap_path_strip("a/b/c", 0), "a/b/c");
	assert_string_equal(ap_path_strip("a/b/c", 1), "b/c");
	assert_string_equal(ap_path_strip("a/b/c", 2), "c");
	assert_null(ap_path_strip("a/b/c", 3));
	assert_null(ap_path_strip("file", 1));
	/* runs of slashes count as one separator */
	assert_string_equal(ap_path_strip("a//b///c", 1), "b///c");
	assert_string_equal(ap_path_strip("a//b///c", 2), "c");
	assert_string_equal(ap_path_strip("/usr/src/x", 1), "usr/src/x");
	/* stripping everything leaves an empty name, which callers refuse */
	assert_string_equal(ap_path_strip("a/b/", 2), "");
}

static void symlink_targets(void **state)
{
	(void)state;
	assert_true(ap_path_symlink_inside("link", "target", 6));
	assert_true(ap_path_symlink_inside("dir/link", "x/y", 3));
	/* climbing first, to a directory of the tree, then down (GAP's
	 * tst/mockpkg/Makefile.gappkg) */
	assert_true(ap_path_symlink_inside("dir/link", "../x", 4));
	assert_true(ap_path_symlink_inside("a/b/link", "../../x", 7));
	assert_true(ap_path_symlink_inside("tst/mockpkg/Makefile.gappkg",
					   "../../etc/Makefile.gappkg", 25));
	assert_true(ap_path_symlink_inside("a/b/link", "../c/d", 6));
	/* one climb more than there are directories above the link */
	assert_false(ap_path_symlink_inside("dir/link", "../../x", 7));
	assert_false(ap_path_symlink_inside("./dir/link", "../../x", 7));
	assert_false(ap_path_symlink_inside("a/../link", "../x", 4));
	/* a climb that ends nowhere below, or comes after a name: another link
	 * can make "dot/.." escape, so "." and ".." are refused there */
	assert_false(ap_path_symlink_inside("a/b/link", "..", 2));
	assert_false(ap_path_symlink_inside("a/b/link", "../", 3));
	assert_false(ap_path_symlink_inside("a/b/link", "../../", 6));
	assert_false(ap_path_symlink_inside("a/b/link", "x/../../y", 9));
	assert_false(ap_path_symlink_inside("a/b/link", "../x/../y", 9));
	assert_false(ap_path_symlink_inside("a/b/link", ".././x", 6));
	assert_false(ap_path_symlink_inside("link", "./x", 3));
	assert_false(ap_path_symlink_inside("link", "x/../y", 6));
	assert_false(ap_path_symlink_inside("link", "x//y/", 5));
	assert_false(ap_path_symlink_inside("link", ".", 1));
	assert_false(ap_path_symlink_inside("link", "../x", 4));
	assert_false(ap_path_symlink_inside("a/b/link", "../../../x", 10));
	assert_false(ap_path_symlink_inside("link", "x/../../y", 9));
	assert_false(ap_path_symlink_inside("link", "/etc/passwd", 11));
	assert_false(ap_path_symlink_inside("link", "", 0));
	assert_false(ap_path_symlink_inside("link", "a\0b", 3));
	/* leaving and coming back still leaves the tree on the way */
	assert_false(ap_path_symlink_inside("link", "../tree/x", 9));
}

static void show_escapes_and_cuts(void **state)
{
	char out[64];
	char big[300];

	(void)state;
	ap_path_show("a\x1b[2Jb\n", 7, out, sizeof out);
	assert_string_equal(out, "a\\x1b[2Jb\\x0a");
	ap_path_show("nul\0x", 5, out, sizeof out);
	assert_string_equal(out, "nul\\x00x");
	ap_path_show("", 0, out, sizeof out);
	assert_string_equal(out, "");
	memset(big, 'n', sizeof big);
	ap_path_show(big, sizeof big, out, sizeof out);
	assert_true(strlen(out) < sizeof out);
	assert_true(strlen(out) > 40);
	assert_string_equal(out + strlen(out) - 3, "...");
	/* escapes near the end are cut too, not split */
	memset(big, '\x01', sizeof big);
	ap_path_show(big, sizeof big, out, 16);
	assert_true(strlen(out) < 16);
	assert_string_equal(out + strlen(out) - 3, "...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(safe_paths),
		cmocka_unit_test(absolute_paths),
		cmocka_unit_test(git_look_alikes),
		cmocka_unit_test(dot_dot_and_dot),
		cmocka_unit_test(empty_components),
		cmocka_unit_test(git_and_state_dirs),
		cmocka_unit_test(control_characters_and_nul),
		cmocka_unit_test(strip_components),
		cmocka_unit_test(symlink_targets),
		cmocka_unit_test(show_escapes_and_cuts),
	};

	return cmocka_run_group_tests_name("path", tests, NULL, NULL);
}
