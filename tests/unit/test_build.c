/* test_build.c - reading a build's commands back from its `make V=1` log
 * (build.h), which the Cygwin emulation replays: shell word splitting,
 * make's directory lines, libtool's wrapper and "libtool: compile:" /
 * "libtool: link:" lines, and picking each unit's compile command whose
 * object gap's link line actually uses. Recorded and hand-written logs in
 * tests/fixtures/verify. */
#include "testutil.h"

#include "buildlog.h"

#define FIX "tests/fixtures/verify"

static void split(const char *line, size_t want_n, const char *const *want)
{
	char **argv;
	size_t argc;
	ap_error err = AP_ERROR_INIT;
	if (ap_shell_split(line, strlen(line), &argv, &argc, &err) < 0)
		fail_msg("split failed: %s", err.msg);
	assert_int_equal(argc, want_n);
	for (size_t i = 0; i < argc; i++)
		assert_string_equal(argv[i], want[i]);
	ap_argv_free(argv, argc);
}

static void shell_words(void **state)
{
	(void)state;
	const char *w1[] = { "gcc", "-MQ", "obj/src/a.lo", "-c", "src/a.c" };
	split("gcc -MQ \"obj/src/a.lo\"  -c\tsrc/a.c", 5, w1);
	const char *w2[] = { "cc", "-DX=a b", "it's", "x\"y", "" };
	split("cc '-DX=a b' it\\'s \"x\\\"y\" ''", 5, w2);
	const char *w3[] = { "gcc", "-c", "a.c", "-o", "a.o" };
	split("gcc -c a.c -o a.o >/dev/null 2>&1", 5, w3);
	split("gcc -c a.c -o a.o > log 2> err < in", 5, w3);
	char **argv;
	size_t argc;
	ap_error err = AP_ERROR_INIT;
	assert_int_equal(ap_shell_split("gcc 'oops", 9, &argv, &argc, &err), -1);
	assert_contains(err.msg, "unterminated quote");
}

static char *fixture(const char *name, size_t *len)
{
	char *t = tu_read(FIX, name, len);
	if (!t)
		fail_msg("cannot read %s/%s (run the tests from the repository's root)", FIX, name);
	return t;
}

static void minigap_log(void **state)
{
	size_t len;
	char *t = fixture("build-minigap.log", &len);
	ap_buildlog bl;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	assert_int_equal(ap_buildlog_parse(&bl, t, len, "/build/linux/src", &err), 0);
	/* six compiles and the link; configure's "checking ..." lines are no commands */
	assert_int_equal(bl.n, 7);
	const ap_logcmd *link = ap_buildlog_link_of(&bl, "gap");
	assert_non_null(link);
	assert_string_equal(ap_logcmd_output(link), "gap");
	assert_string_equal(link->cwd, "/build/linux/src");
	assert_string_equal(link->argv[link->argc - 1], "gap");
	const ap_logcmd *c = ap_buildlog_compile_of(&bl, "src/sysmem.c", link);
	assert_non_null(c);
	assert_string_equal(ap_logcmd_output(c), "obj/sysmem.o");
	assert_string_equal(c->argv[0], "gcc");
	assert_non_null(ap_buildlog_compile_of(&bl, "./src/integer.c", link));
	assert_null(ap_buildlog_compile_of(&bl, "src/nosuch.c", link));
	assert_null(ap_buildlog_link_of(&bl, "libgap.so"));
	ap_buildlog_free(&bl);
	free(t);
}

static void libtool_log(void **state)
{
	size_t len;
	char *t = fixture("build-libtool.log", &len);
	ap_buildlog bl;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	assert_int_equal(ap_buildlog_parse(&bl, t, len, "/top", &err), 0);
	/* the wrappers (/bin/bash ./libtool --mode=...) are skipped: 3 libtool
	 * compiles, the sub-make's helper, and libtool's link */
	assert_int_equal(bl.n, 5);
	const ap_logcmd *link = ap_buildlog_link_of(&bl, "gap");
	assert_non_null(link);
	assert_string_equal(link->argv[1], "obj/src/.libs/sysmem.o");
	assert_string_equal(link->cwd, "/build/linux/src");
	assert_int_equal(link->lineno, 14);
	/* the PIC object is the one gap links, not the later non-PIC one */
	const ap_logcmd *c = ap_buildlog_compile_of(&bl, "src/sysmem.c", link);
	assert_non_null(c);
	assert_string_equal(ap_logcmd_output(c), "obj/src/.libs/sysmem.o");
	assert_int_equal(c->lineno, 4);
	/* the non-PIC command's redirection is not part of it */
	assert_string_equal(bl.cmds[1].argv[bl.cmds[1].argc - 1], "obj/src/sysmem.o");
	/* without a link line, the first command compiling it */
	assert_int_equal(ap_buildlog_compile_of(&bl, "src/sysmem.c", NULL)->lineno, 4);
	/* the sub-make's command ran in its own directory */
	assert_string_equal(bl.cmds[3].cwd, "/build/linux/src/doc");
	assert_string_equal(ap_buildlog_compile_of(&bl, "src/system.c", link)->argv[0], "gcc");
	ap_buildlog_free(&bl);
	free(t);
}

static void compilers_recognised(void **state)
{
	const char *log = "x86_64-linux-gnu-gcc-12 -c a.c -o a.o\n"
			  "/usr/bin/clang -c b.c -o b.o\n"
			  "ccache cc -c c.c -o c.o\n"
			  "echo gcc -c d.c\n"
			  "cc -o gap a.o b.o\n";
	ap_buildlog bl;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	assert_int_equal(ap_buildlog_parse(&bl, log, strlen(log), "/t", &err), 0);
	assert_int_equal(bl.n, 3);
	assert_string_equal(bl.cmds[0].argv[0], "x86_64-linux-gnu-gcc-12");
	assert_string_equal(bl.cmds[1].argv[0], "/usr/bin/clang");
	assert_string_equal(ap_logcmd_output(ap_buildlog_link_of(&bl, "gap")), "gap");
	ap_buildlog_free(&bl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shell_words),
		cmocka_unit_test(minigap_log),
		cmocka_unit_test(libtool_log),
		cmocka_unit_test(compilers_recognised),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
