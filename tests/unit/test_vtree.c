/* test_vtree.c - the in-memory files a series edits (vtree.h).
 *
 * A fake loader serves files from a table and counts its calls, so the
 * tests can see that each file is loaded once, that a patch's edits are
 * undone together, and that no path is reached through a symlink or
 * through a file. The loader over a real tree is checked on a scratch
 * directory with symlinks in it.
 */
#include "testutil.h"

#include "tree.h"
#include "vtree.h"

typedef struct fake_file {
	const char *path;
	const char *data;
	int symlink;
	mode_t mode;
} fake_file;

typedef struct fake {
	const fake_file *files;
	size_t n;
	int loads;
	const char *fail_path;   /* the loader reports an I/O error for it */
} fake;

static int fake_load(void *ctx, const char *path, ap_file_state *st, char **data, size_t *len,
		     ap_error *err)
{
	fake *fk = ctx;

	fk->loads++;
	memset(st, 0, sizeof *st);
	*data = NULL;
	*len = 0;
	if (fk->fail_path && strcmp(path, fk->fail_path) == 0)
		return ap_error_set(err, "cannot read %s: Input/output error", path);
	for (size_t i = 0; i < fk->n; i++)
		if (strcmp(fk->files[i].path, path) == 0) {
			st->exists = 1;
			st->symlink = fk->files[i].symlink;
			st->mode = fk->files[i].mode;
			st->size = (off_t)strlen(fk->files[i].data);
			*data = ap_strdup(fk->files[i].data);
			*len = strlen(fk->files[i].data);
			return 0;
		}
	return 0;
}

static const fake_file FILES[] = {
	{ "src/sysmem.c", "one\ntwo\n", 0, 0644 },
	{ "configure", "#!/bin/sh\n", 0, 0755 },
	{ "link", "src/sysmem.c", 1, 0777 },
	{ "empty", "", 0, 0600 },
};

#define FAKE_INIT { FILES, sizeof FILES / sizeof *FILES, 0, NULL }

static void loads_each_file_once(void **state)
{
	fake fk = FAKE_INIT;
	ap_vtree v;
	ap_error err = AP_ERROR_INIT;
	ap_vfile *f, *g;

	(void)state;
	ap_vtree_init(&v, fake_load, &fk);
	f = ap_vtree_get(&v, "src/sysmem.c", &err);
	assert_non_null(f);
	assert_string_equal(f->path, "src/sysmem.c");
	assert_true(f->exists);
	assert_false(f->symlink);
	assert_int_equal(f->mode, 0644);
	assert_bytes(f->data, f->len, "one\ntwo\n");
	assert_ptr_equal(f->data, f->base_data);
	assert_true(f->base.exists);
	assert_false(ap_vfile_changed(f));
	g = ap_vtree_get(&v, "src/sysmem.c", &err);
	assert_ptr_equal(f, g);
	assert_int_equal(fk.loads, 1);
	/* files are listed in the order first touched */
	ap_vtree_get(&v, "configure", &err);
	ap_vtree_get(&v, "empty", &err);
	assert_int_equal(v.n, 3);
	assert_ptr_equal(v.files[0], f);
	assert_string_equal(v.files[1]->path, "configure");
	assert_int_equal(v.files[1]->mode, 0755);
	assert_int_equal(v.files[2]->len, 0);
	ap_vtree_free(&v);
}

static void missing_files_are_held_too(void **state)
{
	fake fk = FAKE_INIT;
	ap_vtree v;
	ap_error err = AP_ERROR_INIT;
	ap_vfile *f;
	const ap_lines *l;

	(void)state;
	ap_vtree_init(&v, fake_load, &fk);
	f = ap_vtree_get(&v, "new/file.c", &err);
	assert_non_null(f);
	assert_false(f->exists);
	assert_null(f->data);
	assert_int_equal(f->len, 0);
	assert_ptr_equal(ap_vtree_get(&v, "new/file.c", &err), f);
	assert_int_equal(fk.loads, 1);
	l = ap_vfile_lines(f);
	assert_non_null(l);
	assert_int_equal(l->n, 0);
	ap_vtree_free(&v);
}

static void loader_errors_propagate(void **state)
{
	fake fk = FAKE_INIT;
	ap_vtree v;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	fk.fail_path = "configure";
	ap_vtree_init(&v, fake_load, &fk);
	assert_null(ap_vtree_get(&v, "configure", &err));
	assert_string_equal(err.msg, "cannot read configure: Input/output error");
	assert_int_equal(v.n, 0);
	/* nothing is cached for a failed load: the next call asks again */
	fk.fail_path = NULL;
	assert_non_null(ap_vtree_get(&v, "configure", &err));
	assert_int_equal(fk.loads, 2);
	ap_vtree_free(&v);
}

/* a link at the path itself is held as the link (its target as content,
 * as git holds it); a path through it is refused */
static void symlinks_are_held_as_links(void **state)
{
	fake fk = FAKE_INIT;
	ap_vtree v;
	ap_error err = AP_ERROR_INIT;
	ap_vfile *f;

	(void)state;
	ap_vtree_init(&v, fake_load, &fk);
	f = ap_vtree_get(&v, "link", &err);
	assert_non_null(f);
	assert_true(f->exists);
	assert_true(f->symlink);
	assert_bytes(f->data, f->len, "src/sysmem.c");
	assert_false(ap_vfile_changed(f));
	assert_null(ap_vtree_get(&v, "link/x", &err));
	assert_contains(err.msg, "link/x passes through link, a symbolic link");
	ap_vtree_free(&v);
}

static void no_path_through_a_held_file(void **state)
{
	fake fk = FAKE_INIT;
	ap_vtree v;
	ap_error err = AP_ERROR_INIT;
	ap_vfile *f;

	(void)state;
	ap_vtree_init(&v, fake_load, &fk);
	assert_non_null(ap_vtree_get(&v, "configure", &err));
	assert_null(ap_vtree_get(&v, "configure/x", &err));
	assert_contains(err.msg, "configure/x passes through configure, which is a file");
	assert_null(ap_vtree_get(&v, "configure/a/b", &err));

	/* a file created earlier in the series counts as well */
	f = ap_vtree_get(&v, "made", &err);
	assert_false(f->exists);
	assert_non_null(ap_vtree_get(&v, "made/before", &err));  /* not created yet */
	assert_int_equal(ap_vtree_set(&v, f, 1, 0, 0644, ap_strdup("x\n"), 2), 0);
	assert_null(ap_vtree_get(&v, "made/after", &err));
	assert_contains(err.msg, "which is a file");
	ap_vtree_free(&v);
}

/* a symlink created by an earlier patch must not lead a later one out */
static void no_path_through_a_created_symlink(void **state)
{
	fake fk = FAKE_INIT;
	ap_vtree v;
	ap_error err = AP_ERROR_INIT;
	ap_vfile *f;
	int loads;

	(void)state;
	ap_vtree_init(&v, fake_load, &fk);
	f = ap_vtree_get(&v, "lib", &err);
	assert_int_equal(ap_vtree_set(&v, f, 1, 1, 0777, ap_strdup("/etc"), 4), 0);
	ap_vtree_commit(&v);
	loads = fk.loads;
	assert_null(ap_vtree_get(&v, "lib/passwd", &err));
	assert_contains(err.msg, "lib/passwd passes through lib, a symbolic link");
	assert_null(ap_vtree_get(&v, "lib/sub/x", &err));
	/* refused before the loader is asked */
	assert_int_equal(fk.loads, loads);
	/* once deleted, the name is a directory again as far as we know */
	assert_int_equal(ap_vtree_set(&v, f, 0, 0, 0, NULL, 0), 0);
	assert_non_null(ap_vtree_get(&v, "lib/passwd", &err));
	ap_vtree_free(&v);
}

/* a path looked at before its parent became a symlink (quilt's backups
 * read every file of a patch first) is still refused once it is one */
static void no_path_through_a_symlink_made_after_the_lookup(void **state)
{
	fake fk = FAKE_INIT;
	ap_vtree v;
	ap_error err = AP_ERROR_INIT;
	ap_vfile *f;

	(void)state;
	ap_vtree_init(&v, fake_load, &fk);
	assert_non_null(ap_vtree_get(&v, "lnk/notes.txt", &err));
	f = ap_vtree_get(&v, "lnk", &err);
	assert_int_equal(ap_vtree_set(&v, f, 1, 1, 0777, ap_strdup("doc"), 3), 0);
	assert_null(ap_vtree_get(&v, "lnk/notes.txt", &err));
	assert_contains(err.msg, "lnk/notes.txt passes through lnk, a symbolic link");
	ap_vtree_free(&v);
}

static void set_commit_rollback(void **state)
{
	fake fk = FAKE_INIT;
	ap_vtree v;
	ap_error err = AP_ERROR_INIT;
	ap_vfile *f, *g;
	const ap_lines *l;

	(void)state;
	ap_vtree_init(&v, fake_load, &fk);
	f = ap_vtree_get(&v, "src/sysmem.c", &err);
	g = ap_vtree_get(&v, "configure", &err);
	l = ap_vfile_lines(f);
	assert_int_equal(l->n, 2);

	/* patch 1 edits f twice and deletes g, then is undone */
	assert_int_equal(ap_vtree_set(&v, f, 1, 0, 0644, ap_strdup("A\n"), 2), 0);
	assert_int_equal(ap_vtree_set(&v, f, 1, 0, 0600, ap_strdup("B\nC\nD\n"), 6), 0);
	assert_int_equal(ap_vtree_set(&v, g, 0, 0, 0, NULL, 0), 0);
	assert_bytes(f->data, f->len, "B\nC\nD\n");
	assert_int_equal(ap_vfile_lines(f)->n, 3);
	assert_true(ap_vfile_changed(f));
	assert_true(ap_vfile_changed(g));
	ap_vtree_rollback(&v);
	assert_bytes(f->data, f->len, "one\ntwo\n");
	assert_ptr_equal(f->data, f->base_data);
	assert_int_equal(f->mode, 0644);
	assert_true(g->exists);
	assert_bytes(g->data, g->len, "#!/bin/sh\n");
	assert_false(ap_vfile_changed(f));
	assert_false(ap_vfile_changed(g));
	assert_int_equal(ap_vfile_lines(f)->n, 2);

	/* patch 2 is kept; patch 3 is undone back to patch 2's result */
	assert_int_equal(ap_vtree_set(&v, f, 1, 0, 0644, ap_strdup("two\n"), 4), 0);
	ap_vtree_commit(&v);
	assert_int_equal(ap_vtree_set(&v, f, 1, 0, 0755, ap_strdup("three\n"), 6), 0);
	assert_int_equal(ap_vtree_set(&v, f, 0, 0, 0, NULL, 0), 0);
	ap_vtree_rollback(&v);
	assert_true(f->exists);
	assert_int_equal(f->mode, 0644);
	assert_bytes(f->data, f->len, "two\n");
	assert_bytes(ap_vfile_lines(f)->v[0].text, ap_vfile_lines(f)->v[0].len, "two");
	assert_true(ap_vfile_changed(f));
	/* once a kept patch replaced them, the loaded bytes are let go (a long
	 * series would otherwise hold every file twice); what was loaded is
	 * still described, and the file counts as changed */
	assert_null(f->base_data);
	assert_true(f->base_dropped);
	assert_int_equal(f->base_len, 8);
	assert_true(f->base.exists);
	/* a rollback with nothing to undo changes nothing */
	ap_vtree_rollback(&v);
	assert_bytes(f->data, f->len, "two\n");
	ap_vtree_free(&v);
}

/* freeing with edits still pending releases them (valgrind watches) */
static void free_with_pending_edits(void **state)
{
	fake fk = FAKE_INIT;
	ap_vtree v;
	ap_error err = AP_ERROR_INIT;
	ap_vfile *f;

	(void)state;
	ap_vtree_init(&v, fake_load, &fk);
	f = ap_vtree_get(&v, "src/sysmem.c", &err);
	ap_vtree_set(&v, f, 1, 0, 0644, ap_strdup("a\n"), 2);
	ap_vtree_set(&v, f, 1, 0, 0644, ap_strdup("b\n"), 2);
	ap_vfile_lines(f);
	ap_vtree_free(&v);
	assert_int_equal(v.n, 0);
}

static void changed_compares_content_and_mode(void **state)
{
	fake fk = FAKE_INIT;
	ap_vtree v;
	ap_error err = AP_ERROR_INIT;
	ap_vfile *f, *m;

	(void)state;
	ap_vtree_init(&v, fake_load, &fk);
	f = ap_vtree_get(&v, "src/sysmem.c", &err);
	/* the same bytes in a new buffer are no change */
	ap_vtree_set(&v, f, 1, 0, 0644, ap_strdup("one\ntwo\n"), 8);
	assert_false(ap_vfile_changed(f));
	ap_vtree_set(&v, f, 1, 0, 0755, ap_strdup("one\ntwo\n"), 8);
	assert_true(ap_vfile_changed(f));
	ap_vtree_set(&v, f, 1, 1, 0644, ap_strdup("one\ntwo\n"), 8);
	assert_true(ap_vfile_changed(f));
	ap_vtree_set(&v, f, 1, 0, 0644, ap_strdup("one\ntwo"), 7);
	assert_true(ap_vfile_changed(f));
	ap_vtree_commit(&v);
	/* created then deleted in the same series: no change */
	m = ap_vtree_get(&v, "tmp.c", &err);
	ap_vtree_set(&v, m, 1, 0, 0644, ap_strdup("x"), 1);
	assert_true(ap_vfile_changed(m));
	ap_vtree_set(&v, m, 0, 0, 0, NULL, 0);
	assert_false(ap_vfile_changed(m));
	ap_vtree_free(&v);
}

/* the loader over a real tree: regular files load, symlinks load as the
 * links (their targets), and nothing is reached through a symlinked
 * directory */
static void loader_over_a_real_tree(void **state)
{
	char *dir = tu_mkdtemp();
	char *p;
	ap_tree *t;
	ap_vtree v;
	ap_error err = AP_ERROR_INIT;
	ap_vfile *f;

	(void)state;
	tu_write(dir, "src/a.c", "int a;\n");
	tu_write_mode(dir, "run.sh", "#!/bin/sh\n", 10, 0755);
	p = ap_printf("%s/ln", dir);
	assert_int_equal(symlink("src/a.c", p), 0);
	free(p);
	p = ap_printf("%s/dl", dir);
	assert_int_equal(symlink("src", p), 0);
	free(p);
	p = ap_printf("%s/out", dir);
	assert_int_equal(symlink("/etc", p), 0);
	free(p);
	assert_int_equal(ap_tree_open(&t, dir, &err), 0);
	ap_vtree_init(&v, ap_tree_load, t);
	f = ap_vtree_get(&v, "src/a.c", &err);
	assert_non_null(f);
	assert_bytes(f->data, f->len, "int a;\n");
	assert_int_equal(f->mode, 0644);
	f = ap_vtree_get(&v, "run.sh", &err);
	assert_int_equal(f->mode, 0755);
	f = ap_vtree_get(&v, "src/none.c", &err);
	assert_non_null(f);
	assert_false(f->exists);
	/* a link is loaded as the link: its target, never what it names */
	f = ap_vtree_get(&v, "ln", &err);
	assert_non_null(f);
	assert_true(f->symlink);
	assert_bytes(f->data, f->len, "src/a.c");
	f = ap_vtree_get(&v, "out", &err);
	assert_non_null(f);
	assert_true(f->symlink);
	assert_bytes(f->data, f->len, "/etc");
	assert_null(ap_vtree_get(&v, "dl/a.c", &err));
	assert_contains(err.msg, "symbolic link");
	assert_null(ap_vtree_get(&v, "out/passwd", &err));
	assert_contains(err.msg, "symbolic link");
	/* a directory is not a file to patch */
	assert_null(ap_vtree_get(&v, "src", &err));
	ap_vtree_free(&v);
	ap_tree_close(t);
	tu_rmrf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_each_file_once),
		cmocka_unit_test(missing_files_are_held_too),
		cmocka_unit_test(loader_errors_propagate),
		cmocka_unit_test(symlinks_are_held_as_links),
		cmocka_unit_test(no_path_through_a_held_file),
		cmocka_unit_test(no_path_through_a_created_symlink),
		cmocka_unit_test(no_path_through_a_symlink_made_after_the_lookup),
		cmocka_unit_test(set_commit_rollback),
		cmocka_unit_test(free_with_pending_edits),
		cmocka_unit_test(changed_compares_content_and_mode),
		cmocka_unit_test(loader_over_a_real_tree),
	};

	return cmocka_run_group_tests_name("vtree", tests, NULL, NULL);
}
