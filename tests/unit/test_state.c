/* test_state.c - the state record inside the tree (state.h): format and
 * parse are each other's inverse, so a re-run sees exactly what apply
 * wrote; a damaged record is refused with its place; and a file counts as
 * unchanged only when everything apply noted about it still holds. */
#include "testutil.h"

#include "state.h"
#include "tree.h"

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
	f->now.size = 12345;
	f->now.ino = 9876543210ULL;
	f->now.mtime_ns = 1700000000123456789LL;
	f->orig_owned = 1;
	f->orig_uid = 1000;
	f->orig_gid = 4294967294U;
	f = ap_state_file_add(s, "dir with space/new link");
	f->now.exists = 1;
	f->now.symlink = 1;
	f->now.mode = 0777;
	f->now.size = 7;
	f->now.ino = 42;
	f->now.mtime_ns = 5;
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
	"applypatch-state 1\n"
	"platform\tcygwin\n"
	"patch\tapplied\tba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\t1\t"
	"cygwin-pool.patch\n"
	"patch\talready-applied\te3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	"\t0\tsub/old.patch\n"
	"file\t1\t644\tfile\t644\t12345\t9876543210\t1700000000123456789\tsrc/sysmem.c\n"
	"owner\t1000\t4294967294\tsrc/sysmem.c\n"
	"file\t-\t0\tsymlink\t777\t7\t42\t5\tdir with space/new link\n"
	"file\t2\t755\tabsent\t0\t0\t0\t0\tgone.sh\n"
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
	assert_int_equal(f->now.size, 12345);
	assert_int_equal(f->now.ino, 9876543210ULL);
	assert_int_equal(f->now.mtime_ns, 1700000000123456789LL);
	assert_true(f->orig_owned);
	assert_int_equal(f->orig_uid, 1000);
	assert_int_equal(f->orig_gid, 4294967294U);
	f = ap_state_file_find(&s, "dir with space/new link");
	assert_non_null(f);
	assert_null(f->orig_blob);
	assert_false(f->orig_owned);
	assert_true(f->now.symlink);
	f = ap_state_file_find(&s, "gone.sh");
	assert_false(f->now.exists);
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
	assert_parse_error("applypatch-state 2\nplatform\tlinux\n", "T/.applypatch/state: ",
			   "version 1");
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

static void find_add_and_unchanged(void **state)
{
	ap_state s;
	ap_state_file *f;
	ap_file_state disk;

	(void)state;
	build(&s);
	f = ap_state_file_find(&s, "src/sysmem.c");
	memset(&disk, 0, sizeof disk);
	disk = f->now;
	assert_true(ap_state_file_unchanged(f, &disk));
	disk.size++;
	assert_false(ap_state_file_unchanged(f, &disk));
	disk = f->now;
	disk.mtime_ns++;
	assert_false(ap_state_file_unchanged(f, &disk));
	disk = f->now;
	disk.ino++;
	assert_false(ap_state_file_unchanged(f, &disk));
	disk = f->now;
	disk.mode = 0755;
	assert_false(ap_state_file_unchanged(f, &disk));
	disk = f->now;
	disk.symlink = 1;
	assert_false(ap_state_file_unchanged(f, &disk));
	disk.exists = 0;
	assert_false(ap_state_file_unchanged(f, &disk));

	/* deleted by apply: unchanged while it stays away */
	f = ap_state_file_find(&s, "gone.sh");
	memset(&disk, 0, sizeof disk);
	assert_true(ap_state_file_unchanged(f, &disk));
	disk.exists = 1;
	assert_false(ap_state_file_unchanged(f, &disk));

	/* a symlink's permission bits mean nothing */
	f = ap_state_file_find(&s, "dir with space/new link");
	disk = f->now;
	disk.mode = 0755;
	assert_true(ap_state_file_unchanged(f, &disk));

	f = ap_state_file_add(&s, "later.c");
	assert_non_null(f);
	assert_ptr_equal(ap_state_file_find(&s, "later.c"), f);
	assert_int_equal(s.nfiles, 4);
	ap_state_free(&s);
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
	tu_write(dir, ".applypatch/state", "applypatch-state 1\nplatform\tlinux\nwhat\n");
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
		cmocka_unit_test(find_add_and_unchanged),
		cmocka_unit_test(load_from_a_tree),
	};

	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
