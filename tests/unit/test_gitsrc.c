/* test_gitsrc.c - reading a repository with libgit2 (gitsrc.c), no git
 * binary: the repository is built here with libgit2 itself.
 *
 * History (commit times increase in this order):
 *   c1  README, src/sysmem.c, tools/run.sh (executable), link -> README
 *       tags v4.9.3 (lightweight), other
 *   c2  src/sysmem.c changed                       tag v4.10.0 (annotated)
 *   c3  on a side branch from c2: src/side.c
 *   c4  on the main line from c2: README changed   tag v4.10.10
 *   c5  merge of c4 (first parent) and c3          tags v4.10.2, v4.11.0-beta1,
 *                                                  v4.11.0; branch master
 *   c6  child of c5 adding big.dat, whose blob is then deleted from the
 *       object database, as a partial clone leaves large blobs out
 */
#include "testutil.h"

#include "gitsrc.h"

#include <git2.h>

typedef struct repo_ctx {
	char *dir;
	char c[7][AP_OID_HEX];
	char big_blob[AP_OID_HEX];
} repo_ctx;

typedef struct file_spec {
	const char *path;
	const char *data;
	git_filemode_t mode;
} file_spec;

static void make_commit(git_repository *repo, const file_spec *files, size_t n,
			const git_oid *parents, size_t np, git_time_t when, git_oid *out)
{
	git_index *idx;
	git_oid tree_id;
	git_tree *tree;
	git_signature *sig;
	const git_commit *pc[2] = { NULL, NULL };
	git_commit *owned[2] = { NULL, NULL };

	assert_int_equal(git_repository_index(&idx, repo), 0);
	assert_int_equal(git_index_clear(idx), 0);
	for (size_t i = 0; i < n; i++) {
		git_index_entry e;

		memset(&e, 0, sizeof e);
		e.path = files[i].path;
		e.mode = files[i].mode;
		assert_int_equal(git_index_add_from_buffer(idx, &e, files[i].data,
							   strlen(files[i].data)), 0);
	}
	assert_int_equal(git_index_write_tree(&tree_id, idx), 0);
	git_index_free(idx);
	assert_int_equal(git_tree_lookup(&tree, repo, &tree_id), 0);
	assert_int_equal(git_signature_new(&sig, "Test", "test@example.org", when, 0), 0);
	for (size_t i = 0; i < np; i++) {
		assert_int_equal(git_commit_lookup(&owned[i], repo, &parents[i]), 0);
		pc[i] = owned[i];
	}
	assert_int_equal(git_commit_create(out, repo, NULL, sig, sig, NULL, "commit\n", tree, np,
					   pc), 0);
	for (size_t i = 0; i < np; i++)
		git_commit_free(owned[i]);
	git_signature_free(sig);
	git_tree_free(tree);
}

static void tag(git_repository *repo, const char *name, const git_oid *id, int annotated)
{
	git_object *obj;
	git_oid out;

	assert_int_equal(git_object_lookup(&obj, repo, id, GIT_OBJECT_COMMIT), 0);
	if (annotated) {
		git_signature *sig;

		assert_int_equal(git_signature_new(&sig, "Test", "test@example.org", 9000, 0), 0);
		assert_int_equal(git_tag_create(&out, repo, name, obj, sig, "release\n", 0), 0);
		git_signature_free(sig);
	} else {
		assert_int_equal(git_tag_create_lightweight(&out, repo, name, obj, 0), 0);
	}
	git_object_free(obj);
}

static int setup(void **state)
{
	repo_ctx *r = calloc(1, sizeof *r);
	git_repository *repo;
	git_oid c[7], p[2];
	git_reference *ref;
	const file_spec v1[] = {
		{ "README", "one\n", GIT_FILEMODE_BLOB },
		{ "link", "README", GIT_FILEMODE_LINK },
		{ "src/sysmem.c", "a\n", GIT_FILEMODE_BLOB },
		{ "tools/run.sh", "#!/bin/sh\n", GIT_FILEMODE_BLOB_EXECUTABLE },
	};
	file_spec v2[4], v3[5], v4[4], v5[5], v6[6];

	git_libgit2_init();
	r->dir = tu_mkdtemp();
	assert_int_equal(git_repository_init(&repo, r->dir, 0), 0);
	make_commit(repo, v1, 4, NULL, 0, 1000, &c[1]);
	memcpy(v2, v1, sizeof v1);
	v2[2].data = "a\nb\n";
	make_commit(repo, v2, 4, &c[1], 1, 2000, &c[2]);
	memcpy(v3, v2, sizeof v2);
	v3[4] = (file_spec){ "src/side.c", "side\n", GIT_FILEMODE_BLOB };
	make_commit(repo, v3, 5, &c[2], 1, 3000, &c[3]);
	memcpy(v4, v2, sizeof v2);
	v4[0].data = "two\n";
	make_commit(repo, v4, 4, &c[2], 1, 4000, &c[4]);
	memcpy(v5, v4, sizeof v4);
	v5[4] = v3[4];
	p[0] = c[4];
	p[1] = c[3];
	make_commit(repo, v5, 5, p, 2, 5000, &c[5]);
	memcpy(v6, v5, sizeof v5);
	v6[5] = (file_spec){ "big.dat", "pretend this is over 4 MiB\n", GIT_FILEMODE_BLOB };
	make_commit(repo, v6, 6, &c[5], 1, 6000, &c[6]);
	tag(repo, "v4.9.3", &c[1], 0);
	tag(repo, "other", &c[1], 0);
	tag(repo, "v4.10.0", &c[2], 1);
	tag(repo, "v4.10.10", &c[4], 0);
	tag(repo, "v4.10.2", &c[5], 1);
	tag(repo, "v4.11.0-beta1", &c[5], 0);
	tag(repo, "v4.11.0", &c[5], 1);
	assert_int_equal(git_reference_create(&ref, repo, "refs/heads/master", &c[5], 1, NULL), 0);
	git_reference_free(ref);
	assert_int_equal(git_reference_create(&ref, repo, "refs/heads/partial", &c[6], 1, NULL), 0);
	git_reference_free(ref);
	assert_int_equal(git_repository_set_head(repo, "refs/heads/master"), 0);
	for (int i = 1; i <= 6; i++)
		git_oid_tostr(r->c[i], AP_OID_HEX, &c[i]);
	{
		git_oid blob;
		char *obj;

		assert_int_equal(git_blob_create_from_buffer(&blob, repo, v6[5].data,
							     strlen(v6[5].data)), 0);
		git_oid_tostr(r->big_blob, AP_OID_HEX, &blob);
		obj = ap_printf("%s/.git/objects/%.2s/%s", r->dir, r->big_blob, r->big_blob + 2);
		assert_int_equal(unlink(obj), 0);
		free(obj);
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	repo_ctx *r = *state;

	tu_rmrf(r->dir);
	free(r);
	return 0;
}

static ap_git *open_repo(repo_ctx *r)
{
	ap_error err = AP_ERROR_INIT;
	ap_git *g;

	if (ap_git_open(&g, r->dir, &err) < 0)
		fail_msg("%s", err.msg);
	return g;
}

static void resolve_revisions(void **state)
{
	repo_ctx *r = *state;
	ap_git *g = open_repo(r);
	ap_error err = AP_ERROR_INIT;
	char oid[AP_OID_HEX], abbrev[11];

	assert_int_equal(ap_git_resolve(g, "v4.10.0", oid, &err), 0);   /* annotated: peeled */
	assert_string_equal(oid, r->c[2]);
	assert_int_equal(ap_git_resolve(g, "v4.9.3", oid, &err), 0);
	assert_string_equal(oid, r->c[1]);
	assert_int_equal(ap_git_resolve(g, "master", oid, &err), 0);
	assert_string_equal(oid, r->c[5]);
	assert_int_equal(ap_git_resolve(g, "v4.10.2^", oid, &err), 0);   /* first parent */
	assert_string_equal(oid, r->c[4]);
	memcpy(abbrev, r->c[3], 10);
	abbrev[10] = '\0';
	assert_int_equal(ap_git_resolve(g, abbrev, oid, &err), 0);
	assert_string_equal(oid, r->c[3]);
	assert_int_equal(ap_git_resolve(g, r->c[6], oid, &err), 0);
	assert_string_equal(oid, r->c[6]);
	assert_int_equal(ap_git_resolve(g, "v9.9.9", oid, &err), -1);
	assert_contains(err.msg, "no revision 'v9.9.9'");
	assert_contains(err.msg, r->dir);
	assert_int_equal(ap_git_resolve(g, "v4.9.3..v4.10.2", oid, &err), -1);
	assert_contains(err.msg, "is a range");
	ap_git_free(g);
}

static void not_a_repository(void **state)
{
	ap_error err = AP_ERROR_INIT;
	char *dir = tu_mkdtemp();
	ap_git *g;

	(void)state;
	assert_int_equal(ap_git_open(&g, dir, &err), -1);
	assert_null(g);
	assert_contains(err.msg, dir);
	assert_contains(err.msg, "not a git repository");
	tu_rmrf(dir);
}

static int index_of(const ap_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return (int)i;
	return -1;
}

static void ranges(void **state)
{
	repo_ctx *r = *state;
	ap_git *g = open_repo(r);
	ap_error err = AP_ERROR_INIT;
	ap_strlist l = { NULL, 0, 0 };

	if (ap_git_rev_list(g, "v4.9.3..v4.10.2", &l, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0], r->c[2]);   /* oldest first */
	assert_string_equal(l.v[3], r->c[5]);
	assert_true(index_of(&l, r->c[3]) > 0);
	assert_true(index_of(&l, r->c[4]) > 0);
	assert_int_equal(index_of(&l, r->c[1]), -1);
	ap_strlist_free(&l);
	if (ap_git_rev_list(g, "v4.10.10", &l, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], r->c[4]);
	ap_strlist_free(&l);
	assert_int_equal(ap_git_rev_list(g, "v4.9.3...v4.10.2", &l, &err), -1);
	assert_contains(err.msg, "only A..B ranges");
	assert_int_equal(ap_git_rev_list(g, "v4.9.3..nope", &l, &err), -1);
	assert_contains(err.msg, "v4.9.3..nope");
	ap_strlist_free(&l);
	ap_git_free(g);
}

static void tags_in_version_order(void **state)
{
	repo_ctx *r = *state;
	ap_git *g = open_repo(r);
	ap_error err = AP_ERROR_INIT;
	ap_strlist l = { NULL, 0, 0 };
	const char *want[] = { "v4.10.0", "v4.10.2", "v4.10.10", "v4.11.0-beta1", "v4.11.0" };

	if (ap_git_tags(g, "v4.1*", &l, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(l.n, 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(l.v[i], want[i]);
	ap_strlist_free(&l);
	if (ap_git_tags(g, NULL, &l, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(l.n, 7);
	assert_string_equal(l.v[0], "other");
	assert_string_equal(l.v[1], "v4.9.3");
	ap_strlist_free(&l);
	if (ap_git_tags(g, "nothing-*", &l, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(l.n, 0);
	ap_git_free(g);
}

static void version_order(void **state)
{
	(void)state;
	assert_true(ap_version_cmp("4.9.3", "4.10.0") < 0);
	assert_true(ap_version_cmp("v4.10.2", "v4.10.10") < 0);
	assert_true(ap_version_cmp("v4.11.0-beta1", "v4.11.0") < 0);
	assert_true(ap_version_cmp("v4.11.0", "v4.11.0.1") < 0);
	assert_true(ap_version_cmp("v4.010", "v4.10") == 0);
	assert_true(ap_version_cmp("v4.10.2", "v4.10.2") == 0);
	assert_true(ap_version_cmp("v4.12", "v4.11.5") > 0);
}

static void first_parent_history(void **state)
{
	repo_ctx *r = *state;
	ap_git *g = open_repo(r);
	ap_error err = AP_ERROR_INIT;
	ap_strlist l = { NULL, 0, 0 };

	if (ap_git_first_parents(g, "v4.10.2", &l, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0], r->c[1]);
	assert_string_equal(l.v[1], r->c[2]);
	assert_string_equal(l.v[2], r->c[4]);   /* not the side branch's c3 */
	assert_string_equal(l.v[3], r->c[5]);
	ap_strlist_free(&l);
	ap_git_free(g);
}

static void read_files(void **state)
{
	repo_ctx *r = *state;
	ap_git *g = open_repo(r);
	ap_error err = AP_ERROR_INIT;
	ap_file_state st;
	char *data;
	size_t len;

	assert_int_equal(ap_git_read(g, "v4.9.3", "README", &st, &data, &len, &err), 0);
	assert_true(st.exists);
	assert_int_equal(st.mode, 0644);
	assert_bytes(data, len, "one\n");
	free(data);
	assert_int_equal(ap_git_read(g, "v4.10.2", "README", &st, &data, &len, &err), 0);
	assert_bytes(data, len, "two\n");
	free(data);
	assert_int_equal(ap_git_read(g, r->c[3], "src/side.c", &st, &data, &len, &err), 0);
	assert_bytes(data, len, "side\n");
	free(data);
	assert_int_equal(ap_git_read(g, "v4.10.0", "src/side.c", &st, &data, &len, &err), 0);
	assert_false(st.exists);
	assert_null(data);
	assert_int_equal(ap_git_read(g, "v4.10.0", "src/nope/deeper.c", &st, &data, &len, &err), 0);
	assert_false(st.exists);
	assert_int_equal(ap_git_read(g, "v4.10.0", "src", &st, &data, &len, &err), 0);
	assert_true(st.exists);
	assert_true(st.dir);
	assert_null(data);
	assert_int_equal(ap_git_read(g, "v4.10.0", "tools/run.sh", &st, &data, &len, &err), 0);
	assert_int_equal(st.mode, 0755);
	free(data);
	assert_int_equal(ap_git_read(g, "v4.10.0", "link", &st, &data, &len, &err), 0);
	assert_true(st.symlink);
	assert_bytes(data, len, "README");
	free(data);
	assert_int_equal(ap_git_read(g, "nope", "README", &st, &data, &len, &err), -1);
	assert_contains(err.msg, "'nope'");
	ap_git_free(g);
}

static void entry_ids(void **state)
{
	repo_ctx *r = *state;
	ap_git *g = open_repo(r);
	ap_error err = AP_ERROR_INIT;
	char a[AP_OID_HEX], b[AP_OID_HEX], c[AP_OID_HEX];
	int ex;

	assert_int_equal(ap_git_entry_id(g, r->c[1], "src/sysmem.c", a, &ex, &err), 0);
	assert_true(ex);
	assert_int_equal(ap_git_entry_id(g, r->c[2], "src/sysmem.c", b, &ex, &err), 0);
	assert_int_equal(ap_git_entry_id(g, r->c[5], "src/sysmem.c", c, &ex, &err), 0);
	assert_string_not_equal(a, b);
	assert_string_equal(b, c);
	assert_int_equal(ap_git_entry_id(g, r->c[1], "src/side.c", a, &ex, &err), 0);
	assert_false(ex);
	ap_git_free(g);
}

static void missing_blob(void **state)
{
	repo_ctx *r = *state;
	ap_git *g = open_repo(r);
	ap_error err = AP_ERROR_INIT;
	ap_file_state st;
	char *data;
	size_t len;

	assert_int_equal(ap_git_read(g, "partial", "big.dat", &st, &data, &len, &err),
			 AP_GIT_MISSING);
	assert_contains(err.msg, "big.dat");
	assert_contains(err.msg, r->big_blob);
	assert_contains(err.msg, "not in this repository");
	assert_null(data);
	/* the others at the same commit are there */
	assert_int_equal(ap_git_read(g, "partial", "README", &st, &data, &len, &err), 0);
	assert_bytes(data, len, "two\n");
	free(data);
	ap_git_free(g);
}

static int keep_not_side(const char *path, int is_dir, void *ctx)
{
	int *dirs_seen = ctx;

	if (is_dir)
		(*dirs_seen)++;
	return strcmp(path, "src/side.c") != 0;
}

static void export_tree(void **state)
{
	repo_ctx *r = *state;
	ap_git *g = open_repo(r);
	ap_error err = AP_ERROR_INIT;
	ap_strlist missing = { NULL, 0, 0 };
	char *out = tu_mkdtemp(), *dest = ap_printf("%s/tree", out), *snap;
	char oid[AP_OID_HEX];
	int dirs = 0;

	if (ap_git_export(g, "partial", dest, keep_not_side, &dirs, &missing, oid, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(oid, r->c[6]);
	assert_int_equal(missing.n, 1);
	assert_string_equal(missing.v[0], "big.dat");
	assert_int_equal(dirs, 2);   /* src, tools */
	snap = tu_snapshot(dest);
	assert_string_equal(snap,
			    "README file 644 4 [two\n]\n"
			    "link link -> README\n"
			    "src dir 755\n"
			    "src/sysmem.c file 644 4 [a\nb\n]\n"
			    "tools dir 755\n"
			    "tools/run.sh file 755 10 [#!/bin/sh\n]\n");
	free(snap);
	/* exporting again into the now non-empty dest is refused, untouched */
	assert_int_equal(ap_git_export(g, "v4.9.3", dest, NULL, NULL, &missing, oid, &err), -1);
	assert_contains(err.msg, "not empty");
	assert_true(tu_exists(dest, "src/sysmem.c"));
	ap_strlist_free(&missing);
	ap_git_free(g);
	free(dest);
	tu_rmrf(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(version_order),
		cmocka_unit_test(not_a_repository),
		cmocka_unit_test(resolve_revisions),
		cmocka_unit_test(ranges),
		cmocka_unit_test(tags_in_version_order),
		cmocka_unit_test(first_parent_history),
		cmocka_unit_test(read_files),
		cmocka_unit_test(entry_ids),
		cmocka_unit_test(missing_blob),
		cmocka_unit_test(export_tree),
	};

	return cmocka_run_group_tests_name("gitsrc", tests, setup, teardown);
}
