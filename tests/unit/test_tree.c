/* test_tree.c - the tree on disk reached only through safe paths (tree.h).
 *
 * A temp tree with a file, a directory, a symlink to a file outside and a
 * FIFO: reads give the bytes and state of regular files, a missing file is
 * "does not exist" (not an error), and a symlink on the path, a directory,
 * a FIFO or ".." are refused with the path named; parents are created on
 * demand; a second lock on the same tree is refused at once; a root given
 * as a symlink is resolved once, at open.
 */
#include "testutil.h"

#include "tree.h"

#include <sys/stat.h>

static char *setup(char **outside)
{
	char *dir = tu_mkdtemp();
	char *link, *fifo;

	*outside = tu_mkdtemp();
	tu_write(dir, "src/a.c", "int a;\n");
	tu_write_mode(dir, "src/run.sh", "#!/bin/sh\n", 10, 0755);
	tu_write(*outside, "secret", "do not read\n");
	link = ap_printf("%s/src/link.c", dir);
	assert_int_equal(symlink("../../x", link), 0);
	free(link);
	link = ap_printf("%s/out", dir);
	assert_int_equal(symlink(*outside, link), 0);
	free(link);
	fifo = ap_printf("%s/src/pipe", dir);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	free(fifo);
	return dir;
}

static void reads_regular_files(void **state)
{
	char *outside, *dir = setup(&outside);
	ap_tree *t;
	ap_file_state st;
	ap_error err = AP_ERROR_INIT;
	char *data;
	size_t len;

	(void)state;
	assert_int_equal(ap_tree_open(&t, dir, &err), 0);
	assert_string_equal(ap_tree_root(t), dir);
	assert_int_equal(ap_tree_read(t, "src/a.c", &st, &data, &len, &err), 0);
	assert_true(st.exists);
	assert_int_equal(len, 7);
	assert_memory_equal(data, "int a;\n", 7);
	free(data);
	assert_int_equal(ap_tree_read(t, "src/run.sh", &st, &data, &len, &err), 0);
	assert_int_equal(st.mode & 07777, 0755);
	free(data);
	/* missing: not an error */
	data = NULL;
	assert_int_equal(ap_tree_read(t, "src/none.c", &st, &data, &len, &err), 0);
	assert_false(st.exists);
	free(data);
	assert_int_equal(ap_tree_stat(t, "src", &st, &err), 0);
	assert_true(st.dir);
	assert_int_equal(ap_tree_stat(t, "src/link.c", &st, &err), 0);
	assert_true(st.symlink);
	ap_tree_close(t);
	tu_rmrf(outside);
	tu_rmrf(dir);
}

static void refuses_what_is_not_a_plain_file(void **state)
{
	char *outside, *dir = setup(&outside);
	ap_tree *t;
	ap_file_state st;
	ap_error err = AP_ERROR_INIT;
	char *data = NULL;
	size_t len;
	/* the path, and the part of it the message names */
	const char *bad[][2] = { { "src/link.c", "src/link.c" }, { "out/secret", "out" },
				 { "src", "src" }, { "src/pipe", "src/pipe" }, { "../x", ".." },
				 { "src/../../x", ".." } };

	(void)state;
	assert_int_equal(ap_tree_open(&t, dir, &err), 0);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		err = (ap_error)AP_ERROR_INIT;
		assert_int_equal(ap_tree_read(t, bad[i][0], &st, &data, &len, &err), -1);
		assert_contains(err.msg, bad[i][1]);
		assert_null(data);
	}
	ap_tree_close(t);
	tu_rmrf(outside);
	tu_rmrf(dir);
}

static void parents_made_on_demand(void **state)
{
	char *outside, *dir = setup(&outside);
	ap_tree *t;
	ap_error err = AP_ERROR_INIT;
	ap_strlist created = { 0 };
	const char *base;
	int fd;

	(void)state;
	assert_int_equal(ap_tree_open(&t, dir, &err), 0);
	fd = ap_tree_parent(t, "new/deeper/f.c", &created, &base, &err);
	assert_true(fd >= 0);
	assert_string_equal(base, "f.c");
	assert_int_equal(created.n, 2);
	assert_string_equal(created.v[0], "new");
	assert_string_equal(created.v[1], "new/deeper");
	assert_true(tu_exists(dir, "new/deeper"));
	/* not through a symlink */
	assert_true(ap_tree_parent(t, "out/f.c", &created, &base, &err) < 0);
	assert_false(tu_exists(outside, "f.c"));
	ap_strlist_free(&created);
	ap_tree_close(t);
	tu_rmrf(outside);
	tu_rmrf(dir);
}

static void lock_is_exclusive(void **state)
{
	char *outside, *dir = setup(&outside);
	ap_tree *a, *b;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	assert_int_equal(ap_tree_open(&a, dir, &err), 0);
	assert_int_equal(ap_tree_open(&b, dir, &err), 0);
	assert_int_equal(ap_tree_lock(a, &err), 0);
	assert_int_equal(ap_tree_lock(b, &err), -1);
	assert_true(err.msg[0] != '\0');
	ap_tree_close(a);
	assert_int_equal(ap_tree_lock(b, &err), 0);
	ap_tree_close(b);
	tu_rmrf(outside);
	tu_rmrf(dir);
}

/* A root given as a symbolic link (a packager's /build/gap ->
 * /build/gap-4.10.2) is resolved once, when the tree is opened: later
 * calls work in that directory even after the link is pointed elsewhere,
 * and messages name the root as given. A link to no directory is refused
 * at open with its path named. */
static void root_given_as_a_symlink(void **state)
{
	char *outside, *dir = setup(&outside);
	char *links = tu_mkdtemp();
	char *link = ap_printf("%s/gap", links);
	char *dangling = ap_printf("%s/gone", links), *tofile = ap_printf("%s/file", links);
	char *secret = ap_printf("%s/secret", outside);
	ap_tree *t;
	ap_file_state st;
	ap_error err = AP_ERROR_INIT;
	ap_strlist created = { 0 };
	const char *base;
	char *data;
	size_t len;

	(void)state;
	assert_int_equal(symlink(dir, link), 0);
	assert_int_equal(ap_tree_open(&t, link, &err), 0);
	assert_string_equal(ap_tree_root(t), link);
	assert_int_equal(ap_tree_read(t, "src/a.c", &st, &data, &len, &err), 0);
	assert_bytes(data, len, "int a;\n");
	free(data);

	/* the link now names another directory: the open tree stays where it was */
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink(outside, link), 0);
	data = NULL;
	assert_int_equal(ap_tree_read(t, "secret", &st, &data, &len, &err), 0);
	assert_false(st.exists);
	assert_null(data);
	assert_true(ap_tree_parent(t, "made/f.c", &created, &base, &err) >= 0);
	assert_true(tu_exists(dir, "made"));
	assert_false(tu_exists(outside, "made"));
	ap_strlist_free(&created);
	ap_tree_close(t);

	/* a link to nothing, or to a file: refused at open, the path named */
	assert_int_equal(symlink("/nonexistent/gap-4.10.2", dangling), 0);
	assert_int_equal(ap_tree_open(&t, dangling, &err), -1);
	assert_null(t);
	assert_contains(err.msg, dangling);
	assert_contains(err.msg, "No such file or directory");
	assert_int_equal(symlink(secret, tofile), 0);
	err = (ap_error)AP_ERROR_INIT;
	assert_int_equal(ap_tree_open(&t, tofile, &err), -1);
	assert_contains(err.msg, tofile);
	assert_contains(err.msg, "Not a directory");
	free(secret);
	free(tofile);
	free(dangling);
	free(link);
	tu_rmrf(links);
	tu_rmrf(outside);
	tu_rmrf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_regular_files),
		cmocka_unit_test(refuses_what_is_not_a_plain_file),
		cmocka_unit_test(parents_made_on_demand),
		cmocka_unit_test(lock_is_exclusive),
		cmocka_unit_test(root_given_as_a_symlink),
	};

	return cmocka_run_group_tests_name("tree", tests, NULL, NULL);
}
