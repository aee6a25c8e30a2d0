/* test_state.c - the state record inside the tree (state.h): format and
 * parse are each other's inverse, so a re-run sees exactly what apply
 * wrote; a damaged record is refused with its place; a file counts as
 * unchanged by its content and mode, whatever touch or a copy did to its
 * inode and mtime; a version 1 record is still read. */
#include "testutil.h"

#include "state.h"
#include "tree.h"

#include <sys/stat.h>
#include <time.h>

static const char SHA_A[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char SHA_B[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static void build(ap_state *s)
{
	ap_state_file *f;

	memset(s, 0, sizeof *s);
	s->platform = ap_strdup("cygwin");
	assert_int_equal(ap_state_patch_add(s, "cygwin-pool.patch", "applied", SHA_A, 1), 0);
	assert_int_equal(ap_state_patch_add(s, "sub/old.patch", "already-applied", SHA_B, 0), 0);
	f = ap_state_file_add(s, "src/sysmem.c");
	assert_non_null(f);
	f->orig_blob = ap_strdup("1");
	f->orig_mode = 0644;
	f->now.exists = 1;
	f->now.mode = 0644;
	memcpy(f->now_sha, SHA_B, sizeof f->now_sha);
	f->orig_owned = 1;
	f->orig_uid = 1000;
	f->orig_gid = 4294967294U;
	f = ap_state_file_add(s, "dir with space/new link");
	f->now.exists = 1;
	f->now.symlink = 1;
	f->now.mode = 0777;
	memcpy(f->now_sha, SHA_A, sizeof f->now_sha);
	f = ap_state_file_add(s, "gone.sh");
	f->orig_blob = ap_strdup("2");
	f->orig_mode = 0755;
	assert_int_equal(ap_strlist_add(&s->dirs, "dir with space"), 0);
	assert_int_equal(ap_state_gone_dir_add(s, "priv/keys", 02750, 1000, 50), 0);
	/* a second record keeps the first: the directory as it originally was */
	assert_int_equal(ap_state_gone_dir_add(s, "priv/keys", 0755, 0, 0), 0);
	s->next_blob = 3;
}

static const char FORMATTED[] =
	"applypatch-state 5\n"
	"platform\tcygwin\n"
	"patch\tapplied\tba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\t1\t"
	"cygwin-pool.patch\n"
	"patch\talready-applied\te3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	"\t0\tsub/old.patch\n"
	"file\t1\t644\tfile\t644\te3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	"\tsrc/sysmem.c\n"
	"owner\t1000\t4294967294\tsrc/sysmem.c\n"
	"file\t-\t0\tsymlink\t777\tba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	"\tdir with space/new link\n"
	"file\t2\t755\tabsent\t0\t-\tgone.sh\n"
	"dir\tdir with space\n"
	"gone-dir\t2750\t1000\t50\tpriv/keys\n"
	"next-blob\t3\n";

static void format_is_exact(void **state)
{
	ap_state s;
	ap_buf b = AP_BUF_INIT;

	(void)state;
	build(&s);
	assert_int_equal(ap_state_format(&s, &b), 0);
	assert_bytes(b.data, b.len, FORMATTED);
	ap_buf_free(&b);
	ap_state_free(&s);
	assert_null(s.patches);
}

static void parse_round_trip(void **state)
{
	ap_state s;
	ap_error err = AP_ERROR_INIT;
	ap_buf b = AP_BUF_INIT;
	ap_state_file *f;

	(void)state;
	assert_int_equal(ap_state_parse(&s, FORMATTED, strlen(FORMATTED), "T/.applypatch/state", &err),
			 0);
	assert_string_equal(s.platform, "cygwin");
	assert_int_equal(s.version, 5);
	assert_int_equal(s.npatches, 2);
	assert_string_equal(s.patches[0].name, "cygwin-pool.patch");
	assert_string_equal(s.patches[0].status, "applied");
	assert_string_equal(s.patches[0].sha256, SHA_A);
	assert_int_equal(s.patches[0].strip, 1);
	assert_string_equal(s.patches[1].name, "sub/old.patch");
	assert_int_equal(s.patches[1].strip, 0);
	assert_int_equal(s.nfiles, 3);
	f = ap_state_file_find(&s, "src/sysmem.c");
	assert_non_null(f);
	assert_string_equal(f->orig_blob, "1");
	assert_int_equal(f->orig_mode, 0644);
	assert_true(f->now.exists);
	assert_false(f->now.symlink);
	assert_int_equal(f->now.mode, 0644);
	assert_string_equal(f->now_sha, SHA_B);
	assert_true(f->orig_owned);
	assert_int_equal(f->orig_uid, 1000);
	assert_int_equal(f->orig_gid, 4294967294U);
	f = ap_state_file_find(&s, "dir with space/new link");
	assert_non_null(f);
	assert_null(f->orig_blob);
	assert_false(f->orig_owned);
	assert_true(f->now.symlink);
	assert_string_equal(f->now_sha, SHA_A);
	f = ap_state_file_find(&s, "gone.sh");
	assert_false(f->now.exists);
	assert_string_equal(f->now_sha, "");
	assert_int_equal(f->orig_mode, 0755);
	assert_null(ap_state_file_find(&s, "src"));
	assert_int_equal(s.dirs.n, 1);
	assert_string_equal(s.dirs.v[0], "dir with space");
	assert_int_equal(s.ngone, 1);
	assert_non_null(ap_state_gone_dir_find(&s, "priv/keys"));
	assert_int_equal(ap_state_gone_dir_find(&s, "priv/keys")->mode, 02750);
	assert_int_equal(ap_state_gone_dir_find(&s, "priv/keys")->uid, 1000);
	assert_int_equal(ap_state_gone_dir_find(&s, "priv/keys")->gid, 50);
	assert_int_equal(s.next_blob, 3);
	/* and back to the very same bytes */
	ap_state_format(&s, &b);
	assert_bytes(b.data, b.len, FORMATTED);
	ap_buf_free(&b);
	ap_state_free(&s);
}

/* Older records are read as such and written back as version 5: version 2
 * (the same lines; its patch sums are of the diffs' bytes), version 3
 * (identities by version 1's rule) and version 4 (by version 2's rule:
 * worktree.c compares their IDs by that rule). */
static void older_versions_are_read(void **state)
{
	(void)state;
	for (char v = '2'; v <= '4'; v++) {
		ap_state s;
		ap_error err = AP_ERROR_INIT;
		ap_buf b = AP_BUF_INIT;
		char *old = ap_strdup(FORMATTED);

		old[17] = v;
		assert_int_equal(ap_state_parse(&s, old, strlen(old), "T/.applypatch/state", &err), 0);
		assert_int_equal(s.version, v - '0');
		assert_string_equal(s.patches[0].sha256, SHA_A);
		ap_state_format(&s, &b);
		assert_bytes(b.data, b.len, FORMATTED);
		ap_buf_free(&b);
		ap_state_free(&s);
		free(old);
	}
}

static void minimal_record(void **state)
{
	static const char text[] = "applypatch-state 1\nplatform\tlinux\n";
	ap_state s;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	assert_int_equal(ap_state_parse(&s, text, strlen(text), "w", &err), 0);
	assert_string_equal(s.platform, "linux");
	assert_int_equal(s.npatches, 0);
	assert_int_equal(s.nfiles, 0);
	assert_int_equal(s.next_blob, 0);
	ap_state_free(&s);
}

static void assert_parse_error(const char *text, const char *want_prefix, const char *word)
{
	ap_state s;
	ap_error err = AP_ERROR_INIT;

	if (ap_state_parse(&s, text, strlen(text), "T/.applypatch/state", &err) == 0) {
		print_error("parsed:\n%s", text);
		ap_state_free(&s);
		fail();
	}
	assert_prefix(err.msg, want_prefix);
	assert_contains(err.msg, word);
}

static void damaged_records_are_refused(void **state)
{
	(void)state;
	assert_parse_error("", "T/.applypatch/state: ", "not an applypatch state record");
	assert_parse_error("applypatch-state 6\nplatform\tlinux\n", "T/.applypatch/state: ",
			   "version 1 to 5");
	/* a version 2 file line with a version 1 shape, or a short sum */
	assert_parse_error("applypatch-state 2\nplatform\tlinux\n"
			   "file\t1\t644\tfile\t644\t12\t34\t56\ta.c\n",
			   "T/.applypatch/state:3: ", "malformed");
	assert_parse_error("applypatch-state 2\nplatform\tlinux\nfile\t1\t644\tfile\t644\tabc\ta.c\n",
			   "T/.applypatch/state:3: ", "malformed");
	assert_parse_error("applypatch-state 1\n", "T/.applypatch/state: ", "no platform");
	assert_parse_error("applypatch-state 1\nplatform\tlinux\nbogus\tx\n",
			   "T/.applypatch/state:3: ", "malformed");
	assert_parse_error("applypatch-state 1\nplatform\tlinux\npatch\tapplied\tabc\n",
			   "T/.applypatch/state:3: ", "malformed");
	assert_parse_error("applypatch-state 1\nplatform\tlinux\nnext-blob\t1\nplatform\n",
			   "T/.applypatch/state:4: ", "malformed");
}

/* a truncated "file" line must be refused with its place too */
static void damaged_file_line_is_named(void **state)
{
	(void)state;
	/* regression: a short "file" line once failed with an empty message */
	assert_parse_error("applypatch-state 1\nplatform\tlinux\nfile\t1\t644\n",
			   "T/.applypatch/state:3: ", "malformed");
	/* an owner for a path with no file line, a removed directory outside */
	assert_parse_error("applypatch-state 1\nplatform\tlinux\nowner\t0\t0\ta.c\n",
			   "T/.applypatch/state:3: ", "an owner for no recorded file");
	assert_parse_error("applypatch-state 1\nplatform\tlinux\ngone-dir\t755\t0\t0\t../x\n",
			   "T/.applypatch/state:3: ", "a directory applypatch would not remove");
	assert_parse_error("applypatch-state 1\nplatform\tlinux\ngone-dir\t755\t0\n",
			   "T/.applypatch/state:3: ", "a directory applypatch would not remove");
}

static void state_for(ap_state *s, const char *path, const char *bytes, mode_t mode, int link)
{
	ap_state_file *f = ap_state_file_add(s, path);

	assert_non_null(f);
	f->now.exists = 1;
	f->now.symlink = link;
	f->now.mode = mode;
	assert_int_equal(ap_state_sha(bytes, strlen(bytes), f->now_sha), 0);
}

static int same(ap_tree *t, ap_state *s, const char *path)
{
	ap_file_state disk;
	ap_error err = AP_ERROR_INIT;
	int eq = -1;

	assert_int_equal(ap_state_file_compare(t, ap_state_file_find(s, path), &disk, &eq, NULL,
					       NULL, &err), 0);
	return eq;
}

/* Content and mode decide; inode and mtime do not. */
static void compare_by_content(void **state)
{
	char *dir = tu_mkdtemp();
	char *p, *q;
	ap_tree *t;
	ap_state s;
	ap_error err = AP_ERROR_INIT;
	ap_file_state disk;
	struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
	char *data = NULL;
	size_t len = 0;
	int eq;

	(void)state;
	memset(&s, 0, sizeof s);
	tu_write(dir, "a.c", "patched\n");
	tu_write(dir, "gone.c", "back\n");
	p = ap_printf("%s/link", dir);
	assert_int_equal(symlink("a.c", p), 0);
	free(p);
	state_for(&s, "a.c", "patched\n", 0644, 0);
	state_for(&s, "link", "a.c", 0777, 1);
	assert_non_null(ap_state_file_add(&s, "gone.c"));   /* deleted by apply */
	assert_non_null(ap_state_file_add(&s, "never.c"));
	assert_int_equal(ap_tree_open(&t, dir, &err), 0);
	assert_true(same(t, &s, "a.c"));
	assert_true(same(t, &s, "link"));
	assert_false(same(t, &s, "gone.c"));               /* reappeared */
	assert_true(same(t, &s, "never.c"));

	/* touch, and a copy (a new inode) with the same bytes: still the same */
	p = ap_printf("%s/a.c", dir);
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	assert_true(same(t, &s, "a.c"));
	q = ap_printf("%s/a.c.new", dir);
	tu_write(dir, "a.c.new", "patched\n");
	assert_int_equal(rename(q, p), 0);
	assert_true(same(t, &s, "a.c"));
	/* the mode counts */
	assert_int_equal(chmod(p, 0755), 0);
	assert_false(same(t, &s, "a.c"));
	assert_int_equal(chmod(p, 0644), 0);
	/* an edit, even of the same size and mtime, is seen; the bytes are given */
	tu_write(dir, "a.c.new", "PATCHED\n");
	assert_int_equal(utimensat(AT_FDCWD, q, ts, 0), 0);
	assert_int_equal(rename(q, p), 0);
	assert_int_equal(ap_state_file_compare(t, ap_state_file_find(&s, "a.c"), &disk, &eq, &data,
					       &len, &err), 0);
	assert_false(eq);
	assert_bytes(data, len, "PATCHED\n");
	assert_int_equal(disk.mode, 0644);
	free(data);
	free(p);
	free(q);
	/* a symlink retargeted */
	p = ap_printf("%s/link", dir);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink("gone.c", p), 0);
	free(p);
	assert_false(same(t, &s, "link"));
	/* an unknown sum (a version 1 file that had changed) never matches */
	ap_state_file_find(&s, "a.c")->now_sha[0] = '\0';
	tu_write(dir, "a.c", "patched\n");
	assert_false(same(t, &s, "a.c"));

	assert_non_null(ap_state_file_add(&s, "later.c"));
	assert_int_equal(s.nfiles, 5);
	ap_tree_close(t);
	ap_state_free(&s);
	tu_rmrf(dir);
}

/* A version 1 record (stat fields) is read: a file whose stat matches is
 * hashed, and compares as the same afterwards; one whose stat changed does
 * not. Patch sums are kept as they were (whole-file sums). */
static void version_1_is_read(void **state)
{
	char *dir = tu_mkdtemp();
	char *p, *text;
	ap_tree *t;
	ap_state s;
	ap_error err = AP_ERROR_INIT;
	struct stat sb;
	int found = 0;

	(void)state;
	tu_write(dir, "a.c", "patched\n");
	tu_write(dir, "b.c", "other\n");
	p = ap_printf("%s/a.c", dir);
	assert_int_equal(stat(p, &sb), 0);
	free(p);
	text = ap_printf("applypatch-state 1\nplatform\tlinux\npatch\tapplied\t%s\t1\tx.patch\n"
			 "file\t0\t644\tfile\t644\t%lld\t%llu\t%lld\ta.c\n"
			 "file\t1\t644\tfile\t644\t6\t1\t2\tb.c\n"
			 "file\t-\t0\tabsent\t0\t0\t0\t0\tc.c\nnext-blob\t2\n", SHA_A,
			 (long long)sb.st_size, (unsigned long long)sb.st_ino,
			 (long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec);
	tu_write(dir, ".applypatch/state", text);
	free(text);
	assert_int_equal(ap_tree_open(&t, dir, &err), 0);
	assert_int_equal(ap_state_load(&s, t, &found, &err), 0);
	assert_int_equal(found, 1);
	assert_int_equal(s.version, 1);
	assert_string_equal(s.patches[0].sha256, SHA_A);
	assert_true(same(t, &s, "a.c"));
	assert_false(same(t, &s, "b.c"));
	assert_true(same(t, &s, "c.c"));
	ap_state_free(&s);
	ap_tree_close(t);
	tu_rmrf(dir);
}

static void load_from_a_tree(void **state)
{
	char *dir = tu_mkdtemp();
	ap_tree *t;
	ap_state s;
	ap_error err = AP_ERROR_INIT;
	int found = -1;

	(void)state;
	assert_int_equal(ap_tree_open(&t, dir, &err), 0);
	assert_int_equal(ap_state_load(&s, t, &found, &err), 0);
	assert_int_equal(found, 0);
	ap_state_free(&s);

	tu_write(dir, ".applypatch/state", FORMATTED);
	assert_int_equal(ap_state_load(&s, t, &found, &err), 0);
	assert_int_equal(found, 1);
	assert_int_equal(s.nfiles, 3);
	ap_state_free(&s);

	/* a damaged record names its full path */
	tu_write(dir, ".applypatch/state", "applypatch-state 2\nplatform\tlinux\nwhat\n");
	assert_int_equal(ap_state_load(&s, t, &found, &err), -1);
	{
		char *want = ap_printf("%s/.applypatch/state:3: ", dir);

		assert_prefix(err.msg, want);
		free(want);
	}
	ap_tree_close(t);
	tu_rmrf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_is_exact),
		cmocka_unit_test(parse_round_trip),
		cmocka_unit_test(minimal_record),
		cmocka_unit_test(damaged_records_are_refused),
		cmocka_unit_test(damaged_file_line_is_named),
		cmocka_unit_test(compare_by_content),
		cmocka_unit_test(version_1_is_read),
		cmocka_unit_test(older_versions_are_read),
		cmocka_unit_test(load_from_a_tree),
	};

	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
