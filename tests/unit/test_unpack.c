/* test_unpack.c - unpacking tarballs (unpack.c): the kernel-only selection
 * of pkg/, dropping the top directory, keeping modes and times, and
 * refusing every hostile entry by name with nothing left behind.
 *
 * Plain tarballs are written here with libarchive; the hostile ones by
 * tests/fixtures/upstream/hostile.py (python3's tarfile), because
 * libarchive's writer will not make some of them (a hard link carrying
 * data). The tests run from the repository's top directory.
 */
#include "testutil.h"

#include "source.h"

#include <archive.h>
#include <archive_entry.h>

typedef struct tar_entry {
	const char *name;
	char type;              /* 'f' file, 'x' executable, 'd' dir, 'l' symlink, 'h' hard link */
	const char *data;       /* file contents, or the link's target */
} tar_entry;

#define MTIME 1546300800

static void write_tar(const char *path, const tar_entry *e, size_t n)
{
	struct archive *a = archive_write_new();

	assert_non_null(a);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		size_t len = e[i].type == 'f' || e[i].type == 'x' ? strlen(e[i].data) : 0;

		archive_entry_set_pathname(ae, e[i].name);
		archive_entry_set_mtime(ae, MTIME, 0);
		switch (e[i].type) {
		case 'd':
			archive_entry_set_filetype(ae, AE_IFDIR);
			archive_entry_set_perm(ae, 0755);
			break;
		case 'l':
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_perm(ae, 0777);
			archive_entry_set_symlink(ae, e[i].data);
			break;
		case 'h':
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_perm(ae, 0644);
			archive_entry_set_hardlink(ae, e[i].data);
			break;
		default:
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_perm(ae, e[i].type == 'x' ? 0755 : 0644);
			archive_entry_set_size(ae, (la_int64_t)len);
		}
		assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, e[i].data, len), (la_ssize_t)len);
		archive_entry_free(ae);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static const tar_entry release[] = {
	{ "gap-4.10.2/", 'd', NULL },
	{ "gap-4.10.2/configure", 'x', "#!/bin/sh\necho configured\n" },
	{ "gap-4.10.2/src/", 'd', NULL },
	{ "gap-4.10.2/src/gap.c", 'f', "int main(void) { return 0; }\n" },
	{ "gap-4.10.2/src/link.h", 'l', "gap.h" },
	{ "gap-4.10.2/src/gap.h", 'f', "/* gap.h */\n" },
	{ "gap-4.10.2/src/again.c", 'h', "gap-4.10.2/src/gap.c" },
	{ "gap-4.10.2/pkg/", 'd', NULL },
	{ "gap-4.10.2/pkg/GAPDoc-1.6.2/PackageInfo.g", 'f', "GAPDoc\n" },
	{ "gap-4.10.2/pkg/primgrp/PackageInfo.g", 'f', "primgrp\n" },
	{ "gap-4.10.2/pkg/SmallGrp-1.3/PackageInfo.g", 'f', "smallgrp\n" },
	{ "gap-4.10.2/pkg/TransGrp/data/t.g", 'f', "transgrp\n" },
	{ "gap-4.10.2/pkg/io-4.5.4/PackageInfo.g", 'f', "io\n" },
	{ "gap-4.10.2/pkg/io-4.5.4/src/io.c", 'f', "io\n" },
	{ "gap-4.10.2/pkg/ace-5.2/PackageInfo.g", 'f', "ace\n" },
	{ "gap-4.10.2/pkg/README.packages", 'f', "a file in pkg/ itself\n" },
	{ "gap-4.10.2/pkgsomething/kept.txt", 'f', "not under pkg/\n" },
};

static void wanted_selection(void **state)
{
	size_t n = 0;

	(void)state;
	assert_true(ap_upstream_wanted("src/gap.c", NULL));
	assert_true(ap_upstream_wanted("pkg", NULL));
	assert_true(ap_upstream_wanted("pkg/", NULL));
	assert_true(ap_upstream_wanted("pkg/GAPDoc-1.6.2/doc/ref.xml", NULL));
	assert_true(ap_upstream_wanted("pkg/gapdoc", NULL));
	assert_true(ap_upstream_wanted("pkg/PrimGrp-3.3.2", NULL));
	assert_true(ap_upstream_wanted("pkg/smallgrp-1.3/data", NULL));
	assert_true(ap_upstream_wanted("pkg/transgrp/data/trans8.grp", NULL));
	assert_true(ap_upstream_wanted("pkgx/io/y", NULL));
	assert_true(ap_upstream_wanted("lib/pkg/io", NULL));
	assert_false(ap_upstream_wanted("pkg/io-4.5.4/src/io.c", &n));
	assert_int_equal(n, strlen("pkg/io-4.5.4"));
	assert_false(ap_upstream_wanted("pkg/ace", &n));
	assert_int_equal(n, strlen("pkg/ace"));
	assert_false(ap_upstream_wanted("pkg/gap", &n));   /* a prefix of gapdoc is not gapdoc */
	/* the fourteen Sage installs beside the four, versioned or not */
	assert_true(ap_upstream_wanted("pkg/atlasrep/gap/x.g", NULL));
	assert_true(ap_upstream_wanted("pkg/autpgrp-1.10/init.g", NULL));
	assert_true(ap_upstream_wanted("pkg/FactInt-1.6.2", NULL));
	assert_true(ap_upstream_wanted("pkg/fga", NULL));
	assert_true(ap_upstream_wanted("pkg/tomlib-1.2.7/data", NULL));
	assert_true(ap_upstream_wanted("pkg/polycyclic-2.14", NULL));
	assert_false(ap_upstream_wanted("pkg/fgafoo", NULL));   /* a longer name is another package */
	assert_false(ap_upstream_wanted("pkg/polycyclicity-1.0", NULL));
	assert_false(ap_upstream_wanted("pkg/README", NULL));
}

static char *tarball_in(const char *dir, const char *name)
{
	return ap_printf("%s/%s", dir, name);
}

static void kernel_subset_drops_top(void **state)
{
	char *dir = tu_mkdtemp(), *tb = tarball_in(dir, "gap.tar.gz"), *dest = tarball_in(dir, "src");
	ap_unpack_opts o = { 0, AP_UNPACK_STRIP_AUTO, NULL, 0, 0, 0, 0 };
	ap_error err = AP_ERROR_INIT;
	struct stat st;
	char *got;
	size_t len;

	(void)state;
	write_tar(tb, release, sizeof release / sizeof *release);
	if (ap_unpack(tb, dest, &o, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(tu_exists(dest, "configure"));
	assert_int_equal(tu_mode(dest, "configure") & 0111, 0111);
	assert_true(tu_exists(dest, "pkg/GAPDoc-1.6.2/PackageInfo.g"));
	assert_true(tu_exists(dest, "pkg/primgrp/PackageInfo.g"));
	assert_true(tu_exists(dest, "pkg/SmallGrp-1.3/PackageInfo.g"));
	assert_true(tu_exists(dest, "pkg/TransGrp/data/t.g"));
	assert_true(tu_exists(dest, "pkgsomething/kept.txt"));
	assert_false(tu_exists(dest, "pkg/io-4.5.4"));
	assert_false(tu_exists(dest, "pkg/ace-5.2"));
	assert_false(tu_exists(dest, "pkg/README.packages"));
	assert_false(tu_exists(dir, "src/gap-4.10.2"));
	/* the in-tree symlink and hard link survive */
	got = tu_read(dest, "src/again.c", &len);
	assert_bytes(got, len, "int main(void) { return 0; }\n");
	free(got);
	{
		char *p = ap_printf("%s/src/link.h", dest), target[64];
		ssize_t tl = readlink(p, target, sizeof target);

		assert_int_equal(tl, 5);
		assert_memory_equal(target, "gap.h", 5);
		free(p);
	}
	/* the tarball's times, so make does not think configure is stale */
	{
		char *p = ap_printf("%s/configure", dest);

		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mtime, MTIME);
		free(p);
	}
	assert_int_equal(o.nskipped, 3);
	assert_string_equal(o.skipped[0], "pkg/io-4.5.4");
	assert_string_equal(o.skipped[1], "pkg/ace-5.2");
	assert_string_equal(o.skipped[2], "pkg/README.packages");
	ap_unpack_opts_free(&o);
	/* only dest beside the tarball: no staging directory left */
	{
		char *snap = tu_snapshot(dir);

		assert_null(strstr(snap, "staging"));
		free(snap);
	}
	free(tb);
	free(dest);
	tu_rmrf(dir);
}

static void full_and_keep_top(void **state)
{
	char *dir = tu_mkdtemp(), *tb = tarball_in(dir, "gap.tar.gz"), *dest = tarball_in(dir, "out");
	ap_unpack_opts o = { 1, 0, NULL, 0, 0, 0, 0 };
	ap_error err = AP_ERROR_INIT;

	(void)state;
	write_tar(tb, release, sizeof release / sizeof *release);
	if (ap_unpack(tb, dest, &o, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(tu_exists(dest, "gap-4.10.2/pkg/io-4.5.4/src/io.c"));
	assert_true(tu_exists(dest, "gap-4.10.2/pkg/ace-5.2/PackageInfo.g"));
	assert_int_equal(o.nskipped, 0);
	ap_unpack_opts_free(&o);
	free(tb);
	free(dest);
	tu_rmrf(dir);
}

/* a tarball of a tree's contents (no top directory) unpacks as it is
 * under AUTO, and is refused when a top directory is required */
static void flat_tarball(void **state)
{
	static const tar_entry flat[] = {
		{ "configure", 'x', "#!/bin/sh\n" },
		{ "src/gap.c", 'f', "int x;\n" },
		{ "pkg/io/PackageInfo.g", 'f', "io\n" },
	};
	char *dir = tu_mkdtemp(), *tb = tarball_in(dir, "flat.tar.gz");
	char *d1 = tarball_in(dir, "auto"), *d2 = tarball_in(dir, "strict");
	ap_unpack_opts o = { 0, AP_UNPACK_STRIP_AUTO, NULL, 0, 0, 0, 0 };
	ap_error err = AP_ERROR_INIT;

	(void)state;
	write_tar(tb, flat, 3);
	if (ap_unpack(tb, d1, &o, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(tu_exists(d1, "configure"));
	assert_true(tu_exists(d1, "src/gap.c"));
	assert_false(tu_exists(d1, "pkg/io"));
	assert_int_equal(o.nskipped, 1);
	ap_unpack_opts_free(&o);
	o.strip_top = 1;
	assert_int_equal(ap_unpack(tb, d2, &o, &err), -1);
	assert_contains(err.msg, "entry 'configure' is not inside a top directory");
	assert_false(tu_exists(dir, "strict"));
	free(tb);
	free(d1);
	free(d2);
	tu_rmrf(dir);
}

static void dest_must_be_empty(void **state)
{
	char *dir = tu_mkdtemp(), *tb = tarball_in(dir, "gap.tar.gz"), *dest = tarball_in(dir, "src");
	ap_unpack_opts o = { 0, AP_UNPACK_STRIP_AUTO, NULL, 0, 0, 0, 0 };
	ap_error err = AP_ERROR_INIT;

	(void)state;
	write_tar(tb, release, sizeof release / sizeof *release);
	tu_write(dir, "src/mine.txt", "the user's file\n");
	assert_int_equal(ap_unpack(tb, dest, &o, &err), -1);
	assert_contains(err.msg, "not empty");
	assert_true(tu_exists(dest, "mine.txt"));
	assert_false(tu_exists(dest, "configure"));
	/* an empty directory is fine: it becomes the tree */
	{
		char *mine = ap_printf("%s/src/mine.txt", dir);

		assert_int_equal(unlink(mine), 0);
		free(mine);
	}
	if (ap_unpack(tb, dest, &o, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(tu_exists(dest, "configure"));
	ap_unpack_opts_free(&o);
	free(tb);
	free(dest);
	tu_rmrf(dir);
}

static void not_a_tarball(void **state)
{
	char *dir = tu_mkdtemp(), *dest = tarball_in(dir, "src"), *tb = tarball_in(dir, "x.tar.gz");
	ap_unpack_opts o = { 0, AP_UNPACK_STRIP_AUTO, NULL, 0, 0, 0, 0 };
	ap_error err = AP_ERROR_INIT;

	(void)state;
	tu_write(dir, "x.tar.gz", "this is not gzip data at all, only text\n");
	assert_int_equal(ap_unpack(tb, dest, &o, &err), -1);
	assert_contains(err.msg, "x.tar.gz");
	assert_false(tu_exists(dir, "src"));
	{
		char *snap = tu_snapshot(dir);

		assert_null(strstr(snap, "staging"));
		free(snap);
	}
	free(tb);
	free(dest);
	tu_rmrf(dir);
}

/* --- hostile tarballs ---------------------------------------------------------- */

static void hostile_case(const char *kind, const char *want1, const char *want2)
{
	char *dir = tu_mkdtemp();
	char *victim = ap_printf("%s/victim", dir), *tb = ap_printf("%s/%s.tar.gz", dir, kind);
	char *work = ap_printf("%s/work", dir), *dest = ap_printf("%s/work/src", dir);
	char *cmd = ap_printf("python3 tests/fixtures/upstream/hostile.py %s %s %s", kind, tb, victim);
	char *before_v, *before_w, *after_v, *after_w;
	ap_unpack_opts o = { 0, AP_UNPACK_STRIP_AUTO, NULL, 0, 0, 0, 0 };
	ap_error err = AP_ERROR_INIT;

	tu_write(dir, "victim/victim.txt", "original\n");
	tu_write(dir, "work/keep.txt", "beside dest\n");
	assert_int_equal(system(cmd), 0);
	before_v = tu_snapshot(victim);
	before_w = tu_snapshot(work);
	if (ap_unpack(tb, dest, &o, &err) == 0)
		fail_msg("%s: unpacked, should have been refused", kind);
	assert_contains(err.msg, want1);
	assert_contains(err.msg, want2);
	assert_contains(err.msg, "nothing was unpacked");
	after_v = tu_snapshot(victim);
	after_w = tu_snapshot(work);
	assert_snapshot_equal(before_v, after_v);
	assert_snapshot_equal(before_w, after_w);   /* no dest, no staging dir */
	assert_int_equal(o.nskipped, 0);
	free(before_v);
	free(before_w);
	free(after_v);
	free(after_w);
	free(victim);
	free(tb);
	free(work);
	free(dest);
	free(cmd);
	tu_rmrf(dir);
}

static void hostile_dotdot(void **state)
{
	(void)state;
	hostile_case("dotdot", "pwned-dotdot'", "has a '..' component");
}

static void hostile_absolute(void **state)
{
	(void)state;
	hostile_case("absolute", "/victim/pwned-absolute'", "is an absolute path");
}

static void hostile_symlink_out(void **state)
{
	(void)state;
	hostile_case("symlink-out", "entry 'gap/link'", "points outside the tree");
}

static void hostile_symlink_rel(void **state)
{
	(void)state;
	hostile_case("symlink-rel", "entry 'gap/up'", "symbolic link to '../../..'");
}

static void hostile_hardlink_data(void **state)
{
	(void)state;
	hostile_case("hardlink-data", "entry 'gap/copy'", "carries 6 bytes of data");
}

static void hostile_hardlink_out(void **state)
{
	(void)state;
	hostile_case("hardlink-out", "entry 'gap/h'", "hard link to a name that is an absolute");
	hostile_case("hardlink-dotdot", "entry 'gap/h'", "hard link to a name that has a '..'");
}

static void hostile_device_and_duplicate(void **state)
{
	(void)state;
	hostile_case("device", "entry 'gap/dev'", "is a device file");
	hostile_case("duplicate", "entry 'gap/src/a.c'", "appears a second time");
}

/* a file under a symlink that points inside is still refused: it would
 * be written somewhere other than where its name says */
static void through_inner_symlink(void **state)
{
	static const tar_entry e[] = {
		{ "gap/", 'd', NULL },
		{ "gap/lib/", 'd', NULL },
		{ "gap/alias", 'l', "lib" },
		{ "gap/alias/init.g", 'f', "1+1;\n" },
	};
	static const tar_entry e2[] = {
		{ "gap/", 'd', NULL },
		{ "gap/a.c", 'f', "int a;\n" },
		{ "gap/a.c/b.c", 'f', "int b;\n" },
	};
	static const tar_entry e3[] = {
		{ "gap/", 'd', NULL },
		{ "gap/x", 'h', "gap/nothing-before" },
	};
	char *dir = tu_mkdtemp(), *tb = tarball_in(dir, "t.tar.gz"), *dest = tarball_in(dir, "src");
	ap_unpack_opts o = { 0, AP_UNPACK_STRIP_AUTO, NULL, 0, 0, 0, 0 };
	ap_error err = AP_ERROR_INIT;

	(void)state;
	write_tar(tb, e, 4);
	assert_int_equal(ap_unpack(tb, dest, &o, &err), -1);
	assert_contains(err.msg, "entry 'gap/alias/init.g' would be written through the symbolic "
			"link 'gap/alias'");
	assert_false(tu_exists(dir, "src"));
	write_tar(tb, e2, 3);
	assert_int_equal(ap_unpack(tb, dest, &o, &err), -1);
	assert_contains(err.msg, "entry 'gap/a.c/b.c' is inside 'gap/a.c', which is a file");
	write_tar(tb, e3, 2);
	assert_int_equal(ap_unpack(tb, dest, &o, &err), -1);
	assert_contains(err.msg, "entry 'gap/x' is a hard link to 'gap/nothing-before', which is "
			"not a file unpacked before it");
	assert_false(tu_exists(dir, "src"));
	free(tb);
	free(dest);
	tu_rmrf(dir);
}

/* a symlink judged from the tree's root: once gap-4.10.2/ is dropped,
 * "../x" from its top level leaves the tree */
static void symlink_judged_after_strip(void **state)
{
	static const tar_entry e[] = {
		{ "gap-4.10.2/", 'd', NULL },
		{ "gap-4.10.2/sibling", 'l', "../other-tree/file" },
	};
	char *dir = tu_mkdtemp(), *tb = tarball_in(dir, "t.tar.gz"), *dest = tarball_in(dir, "src");
	ap_unpack_opts o = { 0, AP_UNPACK_STRIP_AUTO, NULL, 0, 0, 0, 0 };
	ap_error err = AP_ERROR_INIT;

	(void)state;
	write_tar(tb, e, 2);
	assert_int_equal(ap_unpack(tb, dest, &o, &err), -1);
	assert_contains(err.msg, "entry 'gap-4.10.2/sibling' is a symbolic link to "
			"'../other-tree/file', which points outside the tree");
	free(tb);
	free(dest);
	tu_rmrf(dir);
}

/* what is not unpacked is not judged beyond its name: a sloppy absolute
 * link in a package the kernel build skips does not refuse the release,
 * but --full, which would write it, does; a '..' name refuses it always */
static void skipped_packages_judged_by_name_only(void **state)
{
	static const tar_entry sloppy[] = {
		{ "gap-4.10.2/", 'd', NULL },
		{ "gap-4.10.2/configure", 'x', "#!/bin/sh\n" },
		{ "gap-4.10.2/pkg/xgap/bin/xgap", 'l', "/usr/local/bin/xgap" },
		{ "gap-4.10.2/pkg/xgap/bin/xgap", 'l', "/usr/bin/xgap" },
		{ "gap-4.10.2/pkg/GAPDoc/PackageInfo.g", 'f', "GAPDoc\n" },
	};
	static const tar_entry dotdot[] = {
		{ "gap-4.10.2/", 'd', NULL },
		{ "gap-4.10.2/pkg/io/../../../escape", 'f', "x\n" },
	};
	char *dir = tu_mkdtemp(), *tb = tarball_in(dir, "t.tar.gz");
	char *d1 = tarball_in(dir, "kernel"), *d2 = tarball_in(dir, "full"), *d3 = tarball_in(dir, "dd");
	ap_unpack_opts o = { 0, AP_UNPACK_STRIP_AUTO, NULL, 0, 0, 0, 0 };
	ap_error err = AP_ERROR_INIT;

	(void)state;
	write_tar(tb, sloppy, 5);
	if (ap_unpack(tb, d1, &o, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(tu_exists(d1, "pkg/GAPDoc/PackageInfo.g"));
	assert_false(tu_exists(d1, "pkg/xgap"));
	assert_int_equal(o.nskipped, 1);
	assert_string_equal(o.skipped[0], "pkg/xgap");
	ap_unpack_opts_free(&o);
	o.full = 1;
	assert_int_equal(ap_unpack(tb, d2, &o, &err), -1);
	assert_contains(err.msg, "entry 'gap-4.10.2/pkg/xgap/bin/xgap' is a symbolic link to "
			"'/usr/local/bin/xgap', which points outside the tree");
	assert_false(tu_exists(dir, "full"));
	o.full = 0;
	write_tar(tb, dotdot, 2);
	assert_int_equal(ap_unpack(tb, d3, &o, &err), -1);
	assert_contains(err.msg, "has a '..' component");
	assert_false(tu_exists(dir, "dd"));
	free(tb);
	free(d1);
	free(d2);
	free(d3);
	tu_rmrf(dir);
}

static void archive_names(void **state)
{
	const char *why;
	char *s;

	(void)state;
	s = ap_archive_name("./gap-4.10.2//src/./gap.c", &why);
	assert_string_equal(s, "gap-4.10.2/src/gap.c");
	free(s);
	s = ap_archive_name("./", &why);
	assert_string_equal(s, "");
	free(s);
	s = ap_archive_name("dir/", &why);
	assert_string_equal(s, "dir");
	free(s);
	assert_null(ap_archive_name("/etc/passwd", &why));
	assert_string_equal(why, "is an absolute path");
	assert_null(ap_archive_name("a/../../b", &why));
	assert_string_equal(why, "has a '..' component");
	s = ap_archive_name("a/..b/c..", &why);   /* only a whole '..' component is one */
	assert_string_equal(s, "a/..b/c..");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wanted_selection),
		cmocka_unit_test(archive_names),
		cmocka_unit_test(kernel_subset_drops_top),
		cmocka_unit_test(full_and_keep_top),
		cmocka_unit_test(flat_tarball),
		cmocka_unit_test(dest_must_be_empty),
		cmocka_unit_test(not_a_tarball),
		cmocka_unit_test(hostile_dotdot),
		cmocka_unit_test(hostile_absolute),
		cmocka_unit_test(hostile_symlink_out),
		cmocka_unit_test(hostile_symlink_rel),
		cmocka_unit_test(hostile_hardlink_data),
		cmocka_unit_test(hostile_hardlink_out),
		cmocka_unit_test(hostile_device_and_duplicate),
		cmocka_unit_test(through_inner_symlink),
		cmocka_unit_test(symlink_judged_after_strip),
		cmocka_unit_test(skipped_packages_judged_by_name_only),
	};

	return cmocka_run_group_tests_name("unpack", tests, NULL, NULL);
}
