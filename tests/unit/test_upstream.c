/* test_upstream.c - the pinned release (pin.c), preparing a tree from each
 * of the four forms and reading single files from them (source.c).
 *
 * Tarballs come from tests/fixtures/upstream/make_tarball.py packing the
 * minigap fixture (the tests run from the repository's top directory);
 * git repositories are built with libgit2; the pinned download uses a
 * file:// URL, so no server is needed.
 */
#include "testutil.h"

#include "gitsrc.h"
#include "source.h"

#include <ctype.h>
#include <git2.h>

/* --- pin ---------------------------------------------------------------------- */

static char *pin_dir(const char *version, const char *checksums)
{
	char *dir = tu_mkdtemp();

	if (version)
		tu_write(dir, "package-version.txt", version);
	if (checksums)
		tu_write(dir, "checksums.ini", checksums);
	return dir;
}

#define SUM "11175bed0234101643d510d4ab94c44db30bd303bfe63d86b9b86ae67cff9e49"
#define MD5 "36a141e05bb55be5d6ead7ccda969c5e"

static void pin_sage_format(void **state)
{
	char *dir = pin_dir("4.10.2\n",
			    "# comments and blank lines are fine\n\n"
			    "tarball=gap-VERSION.tar.gz\n"
			    "sha1=0123456789012345678901234567890123456789\n"
			    "md5=0123456789abcdef0123456789abcdef\n"
			    "cksum=123\n"
			    "sha256=" SUM "\n"
			    "upstream_url=https://www.gap-system.org/pub/gap/gap-${VERSION_MAJOR}."
			    "${VERSION_MINOR}/tar.gz/gap-${VERSION}.tar.gz\n");
	ap_error err = AP_ERROR_INIT;
	ap_pin pin;

	(void)state;
	if (ap_pin_load(&pin, dir, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(pin.version, "4.10.2");
	assert_string_equal(pin.package_version, "4.10.2");
	assert_string_equal(pin.tarball, "gap-4.10.2.tar.gz");
	assert_string_equal(pin.sha256, SUM);
	assert_string_equal(pin.url,
			    "https://www.gap-system.org/pub/gap/gap-4.10/tar.gz/gap-4.10.2.tar.gz");
	ap_pin_free(&pin);
	tu_rmrf(dir);
}

/* Sage's patch level is not in the tarball's name; no URL is allowed */
static void pin_patchlevel_no_url(void **state)
{
	char *dir = pin_dir("4.10.2.p1\n", "tarball = gap-VERSION.tar.bz2\nsha256 = "
			    "2475A3AF7A03DB0F6C46319F530B332C1E519FC951ED50C3FE3F1902666BE632\n");
	ap_error err = AP_ERROR_INIT;
	ap_pin pin;

	(void)state;
	if (ap_pin_load(&pin, dir, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(pin.version, "4.10.2");
	assert_string_equal(pin.package_version, "4.10.2.p1");
	assert_string_equal(pin.tarball, "gap-4.10.2.tar.bz2");
	assert_string_equal(pin.sha256,
			    "2475a3af7a03db0f6c46319f530b332c1e519fc951ed50c3fe3f1902666be632");
	assert_null(pin.url);
	ap_pin_free(&pin);
	tu_rmrf(dir);
}

static void pin_fails(const char *version, const char *checksums, const char *want1,
		      const char *want2)
{
	char *dir = pin_dir(version, checksums);
	ap_error err = AP_ERROR_INIT;
	ap_pin pin;

	if (ap_pin_load(&pin, dir, &err) == 0)
		fail_msg("loaded, expected '%s'", want2);
	assert_contains(err.msg, want1);
	assert_contains(err.msg, want2);
	assert_null(pin.version);
	assert_null(pin.tarball);
	assert_null(pin.sha256);
	tu_rmrf(dir);
}

static void pin_errors(void **state)
{
	(void)state;
	pin_fails(NULL, "tarball=x\nsha256=" SUM "\n", "package-version.txt", "cannot open");
	pin_fails("\n", "tarball=x\nsha256=" SUM "\n", "package-version.txt:1:", "no version");
	pin_fails("4.10 2\n", "tarball=x\nsha256=" SUM "\n", "package-version.txt:1:",
		  "is not a version");
	pin_fails("4.10.2\n", NULL, "checksums.ini", "cannot open");
	pin_fails("4.10.2\n", "sha256=" SUM "\n", "checksums.ini", "no 'tarball=' line");
	pin_fails("4.10.2\n", "tarball=gap-VERSION.tar.gz\n", "checksums.ini",
		  "no checksum (sha1=, md5=, cksum= or sha256=)");
	pin_fails("4.10.2\n", "tarball=x\nsha1=abc\n", "checksums.ini:2:",
		  "sha1 must be 40 hexadecimal digits, got 'abc'");
	pin_fails("4.10.2\n", "tarball=x\nmd5=0123456789abcdef0123456789abcdeg\n",
		  "checksums.ini:2:", "md5 must be 32 hexadecimal digits");
	pin_fails("4.10.2\n", "tarball=x\ncksum=4294967296\n", "checksums.ini:2:",
		  "cksum must be a decimal CRC from 0 to 4294967295");
	pin_fails("4.10.2\n", "tarball=x\ncksum=12a\n", "checksums.ini:2:", "cksum must be");
	pin_fails("4.10.2\n", "tarball=x\nmd5=" MD5 "\nmd5=" MD5 "\n", "checksums.ini:3:",
		  "'md5' given twice");
	pin_fails("4.10.2\n", "tarball=gap-VERSION.tar.gz\nsha256=abc\n", "checksums.ini:2:",
		  "64 hexadecimal digits");
	pin_fails("4.10.2\n", "tarball=a\ntarball=b\nsha256=" SUM "\n", "checksums.ini:2:",
		  "'tarball' given twice");
	pin_fails("4.10.2\n", "tarball=a\njust words\n", "checksums.ini:2:", "expected key=value");
	pin_fails("4.10.2\n", "tarball=\n", "checksums.ini:1:", "empty value");
	pin_fails("4.10.2\n", "tarball=../gap-VERSION.tar.gz\nsha256=" SUM "\n", "checksums.ini",
		  "must be a file name");
}

/* Sage's GAP 4.10.2.p1 checksums.ini as Sage has it: sha1, md5 and cksum,
 * a .tar.bz2, no URL, no sha256 */
static void pin_sage_sums_only(void **state)
{
	char *dir = pin_dir("4.10.2.p1\n", "tarball=gap-VERSION.tar.bz2\n"
			    "sha1=ceeb3dfbc0c26031ad53b0256ed04ca9d532566d\n"
			    "md5=" MD5 "\ncksum=3891403157\n");
	ap_error err = AP_ERROR_INIT;
	ap_pin pin;
	char *named;

	(void)state;
	if (ap_pin_load(&pin, dir, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(pin.tarball, "gap-4.10.2.tar.bz2");
	assert_string_equal(pin.sha1, "ceeb3dfbc0c26031ad53b0256ed04ca9d532566d");
	assert_string_equal(pin.md5, MD5);
	assert_string_equal(pin.cksum, "3891403157");
	assert_null(pin.sha256);
	assert_null(pin.url);
	named = ap_pin_sums_named(&pin);
	assert_string_equal(named, "sha1, md5, cksum");
	free(named);
	ap_pin_free(&pin);
	tu_rmrf(dir);
}

/* every sum given is checked; each mismatch is named with both values */
static void pin_match_every_sum(void **state)
{
	static const char *const keys[] = { "sha1", "md5", "cksum", "sha256" };
	ap_error err = AP_ERROR_INIT;
	ap_sums got;
	char *why = NULL;

	(void)state;
	assert_int_equal(ap_sums_buf("gap\n", 4, &got, &err), 0);
	for (int k = 0; k < 4; k++) {
		char *ini = ap_printf("tarball=x\nsha1=%s\nmd5=%s\ncksum=%s\nsha256=%s\n",
				      k == 0 ? "0000000000000000000000000000000000000000" : got.sha1,
				      k == 1 ? "00000000000000000000000000000000" : got.md5,
				      k == 2 ? "1" : got.cksum,
				      k == 3 ? SUM : got.sha256);
		char *dir = pin_dir("1.0\n", ini), *want = ap_printf("%s mismatch", keys[k]);
		ap_pin pin;

		if (ap_pin_load(&pin, dir, &err) < 0)
			fail_msg("%s", err.msg);
		assert_int_equal(ap_pin_match(&pin, &got, &why), 0);
		assert_contains(why, want);
		for (int j = 0; j < 4; j++)
			if (j != k) {
				char *other = ap_printf("%s mismatch", keys[j]);

				assert_null(strstr(why, other));
				free(other);
			}
		free(why);
		ap_pin_free(&pin);
		free(ini);
		free(want);
		tu_rmrf(dir);
	}
	{
		/* upper-case hex in the file is the same sum */
		char upper[41], *ini, *dir;
		ap_pin pin;

		for (int i = 0; i < 41; i++)
			upper[i] = (char)toupper((unsigned char)got.sha1[i]);
		ini = ap_printf("tarball=x\nsha1=%s\ncksum=%s\n", upper, got.cksum);
		dir = pin_dir("1.0\n", ini);
		if (ap_pin_load(&pin, dir, &err) < 0)
			fail_msg("%s", err.msg);
		assert_int_equal(ap_pin_match(&pin, &got, &why), 1);
		assert_null(why);
		ap_pin_free(&pin);
		free(ini);
		tu_rmrf(dir);
	}
}

/* the pin beside spkg-install (Sage) or in upstream/ (here); not both */
static void pin_find_places(void **state)
{
	char *dir = tu_mkdtemp(), *pkg = ap_printf("%s/pkg", dir);
	ap_error err = AP_ERROR_INIT;
	ap_pin pin;

	(void)state;
	tu_write(dir, "pkg/spkg-install", "cd src\n");
	assert_int_equal(ap_pin_find(&pin, pkg, &err), -1);
	assert_contains(err.msg, "no pin: neither");
	assert_contains(err.msg, "pkg/checksums.ini (Sage's layout)");
	tu_write(dir, "pkg/package-version.txt", "4.10.2.p1\n");
	tu_write(dir, "pkg/checksums.ini", "tarball=gap-VERSION.tar.bz2\nmd5=" MD5 "\n");
	if (ap_pin_find(&pin, pkg, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(pin.tarball, "gap-4.10.2.tar.bz2");
	assert_string_equal(pin.dir, pkg);
	assert_contains(pin.ini, "pkg/checksums.ini");
	ap_pin_free(&pin);
	tu_write(dir, "pkg/upstream/package-version.txt", "4.10.2\n");
	tu_write(dir, "pkg/upstream/checksums.ini", "tarball=gap-VERSION.tar.gz\nsha256=" SUM "\n");
	assert_int_equal(ap_pin_find(&pin, pkg, &err), -1);
	assert_contains(err.msg, "two pins");
	tu_rmrf(pkg);
	pkg = ap_printf("%s/pkg", dir);
	tu_write(dir, "pkg/upstream/package-version.txt", "4.10.2\n");
	tu_write(dir, "pkg/upstream/checksums.ini", "tarball=gap-VERSION.tar.gz\nsha256=" SUM "\n");
	if (ap_pin_find(&pin, pkg, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(pin.tarball, "gap-4.10.2.tar.gz");
	assert_contains(pin.dir, "pkg/upstream");
	ap_pin_free(&pin);
	free(pkg);
	tu_rmrf(dir);
}

/* pin --write: the four sums in Sage's order, tarball= and upstream_url=
 * as written, other lines kept; read back, the file matches */
static void pin_write_roundtrip(void **state)
{
	char *dir = pin_dir("4.10.2\n", "# a note\ntarball = gap-VERSION.tar.gz\n"
			    "sha256=" SUM "\nupstream_url=https://example.org/gap-${VERSION}.tar.gz\n"
			    "other=kept\n");
	ap_error err = AP_ERROR_INIT;
	ap_sums got;
	ap_pin pin;
	size_t len;
	char *text, *want, *why = NULL;

	(void)state;
	assert_int_equal(ap_sums_buf("release\n", 8, &got, &err), 0);
	if (ap_pin_load(&pin, dir, &err) < 0)
		fail_msg("%s", err.msg);
	if (ap_pin_write(&pin, &got, &err) < 0)
		fail_msg("%s", err.msg);
	ap_pin_free(&pin);
	text = tu_read(dir, "checksums.ini", &len);
	want = ap_printf("tarball=gap-VERSION.tar.gz\nsha1=%s\nmd5=%s\ncksum=%s\nsha256=%s\n"
			 "upstream_url=https://example.org/gap-${VERSION}.tar.gz\n"
			 "# a note\nother=kept\n", got.sha1, got.md5, got.cksum, got.sha256);
	assert_bytes(text, len, want);
	assert_false(tu_exists(dir, "checksums.ini.tmp"));
	if (ap_pin_load(&pin, dir, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(ap_pin_match(&pin, &got, &why), 1);
	ap_pin_free(&pin);
	free(text);
	free(want);
	tu_rmrf(dir);
}

/* --- fixtures -------------------------------------------------------------------- */

/* Packs tests/fixtures/minigap as dir/name with a gap-4.10.2/ top and
 * two extra packages; returns the path. */
static char *minigap_tarball(const char *dir, const char *name)
{
	char *tb = ap_printf("%s/%s", dir, name);
	char *cmd = ap_printf("python3 tests/fixtures/upstream/make_tarball.py "
			      "tests/fixtures/minigap %s --extra-pkg io-4.5.4 "
			      "--extra-pkg GAPDoc-1.6.2", tb);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	return tb;
}

typedef struct file_spec {
	const char *path;
	const char *data;
	git_filemode_t mode;
} file_spec;

/* A repository at dir with one commit of files, on master; returns its id. */
static void make_repo(const char *dir, const file_spec *files, size_t n, char oid[AP_OID_HEX])
{
	git_repository *repo;
	git_index *idx;
	git_oid tree_id, id;
	git_tree *tree;
	git_signature *sig;

	git_libgit2_init();
	assert_int_equal(git_repository_init(&repo, dir, 0), 0);
	assert_int_equal(git_repository_index(&idx, repo), 0);
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
	assert_int_equal(git_signature_new(&sig, "Test", "test@example.org", 1000, 0), 0);
	assert_int_equal(git_commit_create(&id, repo, "HEAD", sig, sig, NULL, "init\n", tree, 0,
					   NULL), 0);
	git_oid_tostr(oid, AP_OID_HEX, &id);
	git_signature_free(sig);
	git_tree_free(tree);
	git_repository_free(repo);
	git_libgit2_shutdown();
}

static const file_spec git_tree_files[] = {
	{ "autogen.sh", "#!/bin/sh\necho making configure\n"
			"printf '#!/bin/sh\\necho configured\\n' > configure\nchmod +x configure\n",
	  GIT_FILEMODE_BLOB_EXECUTABLE },
	{ "src/gap.c", "int main(void) { return 0; }\n", GIT_FILEMODE_BLOB },
	{ "pkg/io/PackageInfo.g", "io\n", GIT_FILEMODE_BLOB },
	{ "pkg/GAPDoc/PackageInfo.g", "GAPDoc\n", GIT_FILEMODE_BLOB },
};

static int no_staging_left(const char *dir)
{
	char *snap = tu_snapshot(dir);
	int ok = strstr(snap, "staging") == NULL;

	free(snap);
	return ok;
}

/* --- prepare ------------------------------------------------------------------- */

static void prepare_tarball(void **state)
{
	char *dir = tu_mkdtemp(), *tb = minigap_tarball(dir, "gap-4.10.2.tar.gz");
	char *dest = ap_printf("%s/src", dir), *identity = NULL, *want;
	ap_upstream u = { AP_UPSTREAM_TARBALL, tb, NULL };
	ap_prepare_opts o;
	ap_error err = AP_ERROR_INIT;
	char sum[65];

	(void)state;
	memset(&o, 0, sizeof o);
	if (ap_upstream_prepare(&u, dest, &o, &identity, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(ap_sha256_file(tb, sum, &err), 0);
	want = ap_printf("sha256:%s", sum);
	assert_string_equal(identity, want);
	assert_true(tu_exists(dest, "configure"));
	assert_true(tu_exists(dest, "src/gasman.c"));
	assert_true(tu_exists(dest, "pkg/GAPDoc-1.6.2/PackageInfo.g"));
	assert_true(tu_exists(dest, "pkg/transgrp/PackageInfo.g"));
	assert_false(tu_exists(dest, "pkg/io"));
	assert_false(tu_exists(dest, "pkg/io-4.5.4"));
	assert_int_equal(o.unpack.nskipped, 2);
	assert_int_equal(o.ran_autogen, 0);
	ap_prepare_opts_free(&o);
	free(identity);
	free(want);
	free(tb);
	free(dest);
	tu_rmrf(dir);
}

static void prepare_dir(void **state)
{
	char *dir = tu_mkdtemp();
	char *a = ap_printf("%s/a", dir), *b = ap_printf("%s/b", dir), *c = ap_printf("%s/c", dir);
	char *ida = NULL, *idb = NULL, *idc = NULL;
	ap_upstream u = { AP_UPSTREAM_DIR, NULL, NULL };
	ap_error err = AP_ERROR_INIT;
	ap_prepare_opts o;
	char *src = ap_printf("%s/tree", dir);
	struct stat st;

	(void)state;
	tu_write_mode(dir, "tree/configure", "#!/bin/sh\n", 10, 0755);
	tu_write(dir, "tree/src/gap.c", "int x;\n");
	tu_write(dir, "tree/.git/HEAD", "ref: refs/heads/master\n");
	tu_write(dir, "tree/pkg/ace/PackageInfo.g", "ace\n");
	tu_write(dir, "tree/pkg/smallgrp-1.3/PackageInfo.g", "smallgrp\n");
	{
		char *alias = ap_printf("%s/tree/alias.c", dir);

		assert_int_equal(symlink("src/gap.c", alias), 0);
		free(alias);
	}
	u.location = src;
	memset(&o, 0, sizeof o);
	if (ap_upstream_prepare(&u, a, &o, &ida, &err) < 0)
		fail_msg("%s", err.msg);
	assert_prefix(ida, "dir:sha256:");
	assert_int_equal(tu_mode(a, "configure"), 0755);
	assert_true(tu_exists(a, "src/gap.c"));
	assert_true(tu_exists(a, "alias.c"));
	{
		char *alias = ap_printf("%s/alias.c", a);

		assert_int_equal(lstat(alias, &st), 0);
		assert_true(S_ISLNK(st.st_mode));
		free(alias);
	}
	assert_false(tu_exists(a, ".git"));
	assert_false(tu_exists(a, "pkg/ace"));
	assert_true(tu_exists(a, "pkg/smallgrp-1.3/PackageInfo.g"));
	assert_int_equal(o.unpack.nskipped, 1);
	assert_string_equal(o.unpack.skipped[0], "pkg/ace");
	ap_prepare_opts_free(&o);
	/* the same files give the same identity; one changed byte does not */
	if (ap_upstream_prepare(&u, b, &o, &idb, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(ida, idb);
	ap_prepare_opts_free(&o);
	tu_write(dir, "tree/src/gap.c", "int y;\n");
	if (ap_upstream_prepare(&u, c, &o, &idc, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_not_equal(ida, idc);
	ap_prepare_opts_free(&o);
	free(ida);
	free(idb);
	free(idc);
	free(a);
	free(b);
	free(c);
	free(src);
	tu_rmrf(dir);
}

static void prepare_git_runs_autogen(void **state)
{
	char *dir = tu_mkdtemp(), *repo = ap_printf("%s/repo", dir), *dest = ap_printf("%s/src", dir);
	char *log = ap_printf("%s/autogen.log", dir), *identity = NULL, *want;
	ap_upstream u = { AP_UPSTREAM_GIT, repo, "master" };
	ap_error err = AP_ERROR_INIT;
	ap_prepare_opts o;
	char oid[AP_OID_HEX];
	size_t len;
	char *got;

	(void)state;
	make_repo(repo, git_tree_files, 4, oid);
	memset(&o, 0, sizeof o);
	o.autogen_log = log;
	if (ap_upstream_prepare(&u, dest, &o, &identity, &err) < 0)
		fail_msg("%s", err.msg);
	want = ap_printf("git:%s", oid);
	assert_string_equal(identity, want);
	assert_int_equal(o.ran_autogen, 1);
	got = tu_read(dest, "configure", &len);
	assert_bytes(got, len, "#!/bin/sh\necho configured\n");
	free(got);
	got = tu_read(dir, "autogen.log", &len);
	assert_bytes(got, len, "making configure\n");
	free(got);
	assert_false(tu_exists(dest, "pkg/io"));
	assert_true(tu_exists(dest, "pkg/GAPDoc/PackageInfo.g"));
	assert_false(tu_exists(dest, ".git"));
	ap_prepare_opts_free(&o);
	free(identity);
	free(want);
	free(repo);
	free(dest);
	free(log);
	tu_rmrf(dir);
}

static void prepare_git_no_autogen_and_failures(void **state)
{
	static const file_spec broken[] = {
		{ "autogen.sh", "#!/bin/sh\necho 'autoreconf: command not found' >&2\nexit 3\n",
		  GIT_FILEMODE_BLOB_EXECUTABLE },
		{ "src/gap.c", "int x;\n", GIT_FILEMODE_BLOB },
	};
	static const file_spec bare[] = {
		{ "src/gap.c", "int x;\n", GIT_FILEMODE_BLOB },
	};
	char *dir = tu_mkdtemp();
	char *r1 = ap_printf("%s/r1", dir), *r2 = ap_printf("%s/r2", dir), *r3 = ap_printf("%s/r3", dir);
	char *dest = ap_printf("%s/src", dir), *identity = NULL;
	ap_upstream u = { AP_UPSTREAM_GIT, r1, "HEAD" };
	ap_error err = AP_ERROR_INIT;
	ap_prepare_opts o;
	char oid[AP_OID_HEX];

	(void)state;
	make_repo(r1, git_tree_files, 4, oid);
	make_repo(r2, broken, 2, oid);
	make_repo(r3, bare, 1, oid);
	memset(&o, 0, sizeof o);
	o.no_autogen = 1;
	if (ap_upstream_prepare(&u, dest, &o, &identity, &err) < 0)
		fail_msg("%s", err.msg);
	assert_false(tu_exists(dest, "configure"));
	assert_int_equal(o.ran_autogen, 0);
	ap_prepare_opts_free(&o);
	free(identity);
	tu_rmrf(dest);
	dest = ap_printf("%s/src", dir);
	/* autogen.sh fails: its words in the error, nothing left */
	u.location = r2;
	o.no_autogen = 0;
	assert_int_equal(ap_upstream_prepare(&u, dest, &o, &identity, &err), -1);
	assert_null(identity);
	assert_contains(err.msg, "./autogen.sh failed with exit status 3");
	assert_contains(err.msg, "autoreconf: command not found");
	assert_false(tu_exists(dir, "src"));
	assert_true(no_staging_left(dir));
	/* neither configure nor autogen.sh */
	u.location = r3;
	assert_int_equal(ap_upstream_prepare(&u, dest, &o, &identity, &err), -1);
	assert_contains(err.msg, "neither configure nor autogen.sh");
	assert_false(tu_exists(dir, "src"));
	/* no such revision */
	u.location = r1;
	u.rev = "v9.9";
	assert_int_equal(ap_upstream_prepare(&u, dest, &o, &identity, &err), -1);
	assert_contains(err.msg, "'v9.9'");
	assert_false(tu_exists(dir, "src"));
	ap_prepare_opts_free(&o);
	free(r1);
	free(r2);
	free(r3);
	free(dest);
	tu_rmrf(dir);
}

/* PINNED: the tarball is fetched when missing, checked when present */
static void prepare_pinned(void **state)
{
	char *dir = tu_mkdtemp(), *srv = ap_printf("%s/srv", dir);
	char *tb, *ini, *dest = ap_printf("%s/src", dir), *identity = NULL;
	ap_upstream u = { AP_UPSTREAM_PINNED, NULL, NULL };
	ap_error err = AP_ERROR_INIT;
	ap_prepare_opts o;
	char sum[65];

	(void)state;
	tu_write(dir, "pkg/upstream/package-version.txt", "4.10.2\n");
	tu_write(dir, "srv/.keep", "");
	tb = minigap_tarball(srv, "gap-4.10.2.tar.gz");
	assert_int_equal(ap_sha256_file(tb, sum, &err), 0);
	ini = ap_printf("tarball=gap-VERSION.tar.gz\nsha256=%s\n"
			"upstream_url=file://%s/gap-${VERSION}.tar.gz\n", sum, srv);
	tu_write(dir, "pkg/upstream/checksums.ini", ini);
	u.location = ap_printf("%s/pkg", dir);
	memset(&o, 0, sizeof o);
	if (ap_upstream_prepare(&u, dest, &o, &identity, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(tu_exists(dir, "pkg/upstream/gap-4.10.2.tar.gz"));
	assert_true(tu_exists(dest, "configure"));
	assert_int_equal(strncmp(identity, "sha256:", 7), 0);
	assert_string_equal(identity + 7, sum);
	ap_prepare_opts_free(&o);
	free(identity);
	tu_rmrf(dest);
	dest = ap_printf("%s/src", dir);
	/* a tarball that does not match the pin is never unpacked */
	tu_write(dir, "pkg/upstream/gap-4.10.2.tar.gz", "tampered\n");
	assert_int_equal(ap_upstream_prepare(&u, dest, &o, &identity, &err), -1);
	assert_contains(err.msg, "sha256 mismatch");
	assert_contains(err.msg, "refusing to read it");
	assert_contains(err.msg, sum);
	assert_false(tu_exists(dir, "src"));
	ap_prepare_opts_free(&o);
	free((char *)u.location);
	free(srv);
	free(tb);
	free(ini);
	free(dest);
	tu_rmrf(dir);
}

/* the plain form: only unpack.full set, everything else defaults */
static void prepare_plain(void **state)
{
	char *dir = tu_mkdtemp(), *tb = minigap_tarball(dir, "g.tar.gz");
	char *dest = ap_printf("%s/tree", dir), *identity = NULL;
	ap_upstream u = { AP_UPSTREAM_TARBALL, tb, NULL };
	ap_prepare_opts o;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	memset(&o, 0, sizeof o);
	o.unpack.full = 1;
	if (ap_upstream_prepare(&u, dest, &o, &identity, &err) < 0)
		fail_msg("%s", err.msg);
	ap_prepare_opts_free(&o);
	assert_true(tu_exists(dest, "configure"));          /* top dropped although strip_top 0 */
	assert_true(tu_exists(dest, "pkg/io-4.5.4/PackageInfo.g"));   /* full */
	free(identity);
	free(tb);
	free(dest);
	tu_rmrf(dir);
}

/* --- single files ------------------------------------------------------------------- */

static void read_all(ap_source *s, const char *path, const char *want)
{
	ap_error err = AP_ERROR_INIT;
	ap_file_state st;
	char *data = NULL;
	size_t len = 0;

	if (ap_source_read(s, path, &st, &data, &len, &err) < 0)
		fail_msg("%s: %s", path, err.msg);
	if (!want) {
		assert_false(st.exists);
		assert_null(data);
		return;
	}
	assert_true(st.exists);
	assert_bytes(data, len, want);
	free(data);
}

static char *fixture(const char *rel)
{
	char *p = ap_printf("tests/fixtures/minigap/%s", rel);
	size_t len;
	char *data = tu_read(".", p, &len);

	assert_non_null(data);
	free(p);
	return data;
}

static void source_tarball(void **state)
{
	char *dir = tu_mkdtemp(), *tb = minigap_tarball(dir, "gap-4.10.2.tar.gz");
	const char *paths[] = { "src/sysmem.c", "lib/init.g", "src/nothing.c", NULL };
	ap_upstream u = { AP_UPSTREAM_TARBALL, tb, NULL };
	ap_error err = AP_ERROR_INIT;
	char *sysmem = fixture("src/sysmem.c"), *system_c = fixture("src/system.c");
	ap_source *s;
	ap_file_state st;
	char *data;
	size_t len;

	(void)state;
	if (ap_source_open(&s, &u, paths, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(ap_source_label(s), "gap-4.10.2.tar.gz");
	read_all(s, "src/sysmem.c", sysmem);
	read_all(s, "lib/init.g", "# lib/init.g - minigap fixture: the file the kernel reads at "
		 "start-up\n# from its root directory (-l).  Placeholder for GAP's library.\n1+1;\n");
	read_all(s, "src/nothing.c", NULL);
	/* not named at open: found by one more pass */
	read_all(s, "src/system.c", system_c);
	/* a directory */
	assert_int_equal(ap_source_read(s, "pkg/io-4.5.4", &st, &data, &len, &err), 0);
	assert_true(st.exists);
	assert_true(st.dir);
	assert_int_equal(ap_source_read(s, "configure", &st, &data, &len, &err), 0);
	assert_int_equal(st.mode & 0111, 0111);
	free(data);
	ap_source_free(s);
	free(sysmem);
	free(system_c);
	free(tb);
	tu_rmrf(dir);
}

static void source_git_and_dir(void **state)
{
	char *dir = tu_mkdtemp(), *repo = ap_printf("%s/repo", dir), *want;
	ap_upstream u = { AP_UPSTREAM_GIT, repo, "master" };
	ap_error err = AP_ERROR_INIT;
	char oid[AP_OID_HEX];
	ap_source *s;

	(void)state;
	make_repo(repo, git_tree_files, 4, oid);
	if (ap_source_open(&s, &u, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(ap_source_label(s), "master");
	want = ap_printf("git:%s", oid);
	assert_string_equal(ap_source_identity(s), want);
	free(want);
	read_all(s, "src/gap.c", "int main(void) { return 0; }\n");
	read_all(s, "configure", NULL);
	ap_source_free(s);
	u.rev = "no-such-branch";
	assert_int_equal(ap_source_open(&s, &u, NULL, &err), -1);
	assert_null(s);
	assert_contains(err.msg, "no-such-branch");
	/* a directory: read straight from the files */
	tu_write(dir, "tree/src/gap.c", "int d;\n");
	u.kind = AP_UPSTREAM_DIR;
	free(repo);
	repo = ap_printf("%s/tree", dir);
	u.location = repo;
	if (ap_source_open(&s, &u, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	read_all(s, "src/gap.c", "int d;\n");
	read_all(s, "src/none.c", NULL);
	ap_source_free(s);
	free(repo);
	tu_rmrf(dir);
}

static void source_pinned_checks_sum(void **state)
{
	char *dir = tu_mkdtemp(), *pkg = ap_printf("%s/pkg", dir);
	ap_upstream u = { AP_UPSTREAM_PINNED, pkg, NULL };
	ap_error err = AP_ERROR_INIT;
	ap_source *s;

	(void)state;
	tu_write(dir, "pkg/upstream/package-version.txt", "4.10.2\n");
	tu_write(dir, "pkg/upstream/checksums.ini", "tarball=gap-VERSION.tar.gz\nsha256=" SUM "\n");
	tu_write(dir, "pkg/upstream/gap-4.10.2.tar.gz", "not the release\n");
	assert_int_equal(ap_source_open(&s, &u, NULL, &err), -1);
	assert_contains(err.msg, "gap-4.10.2.tar.gz: sha256 mismatch");
	assert_contains(err.msg, SUM);
	free(pkg);
	tu_rmrf(dir);
}

/* A path names a directory or, anything else, a tarball; a missing one is
 * an error naming it. */
static void upstream_local_kind(void **state)
{
	char *dir = tu_mkdtemp();
	char *file, *missing;
	ap_upstream u;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	tu_write(dir, "gap.tar.gz", "x");
	file = ap_printf("%s/gap.tar.gz", dir);
	missing = ap_printf("%s/nothing.tar.gz", dir);
	assert_int_equal(ap_upstream_local(&u, dir, &err), 0);
	assert_int_equal(u.kind, AP_UPSTREAM_DIR);
	assert_string_equal(u.location, dir);
	assert_null(u.rev);
	assert_int_equal(ap_upstream_local(&u, file, &err), 0);
	assert_int_equal(u.kind, AP_UPSTREAM_TARBALL);
	assert_int_equal(ap_upstream_local(&u, missing, &err), -1);
	assert_int_equal(u.kind, AP_UPSTREAM_TARBALL);
	assert_contains(err.msg, "nothing.tar.gz");
	assert_contains(err.msg, "No such file");
	free(file);
	free(missing);
	tu_rmrf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pin_sage_format),
		cmocka_unit_test(pin_patchlevel_no_url),
		cmocka_unit_test(pin_errors),
		cmocka_unit_test(pin_sage_sums_only),
		cmocka_unit_test(pin_match_every_sum),
		cmocka_unit_test(pin_find_places),
		cmocka_unit_test(pin_write_roundtrip),
		cmocka_unit_test(prepare_tarball),
		cmocka_unit_test(prepare_dir),
		cmocka_unit_test(prepare_git_runs_autogen),
		cmocka_unit_test(prepare_git_no_autogen_and_failures),
		cmocka_unit_test(prepare_pinned),
		cmocka_unit_test(prepare_plain),
		cmocka_unit_test(source_tarball),
		cmocka_unit_test(source_git_and_dir),
		cmocka_unit_test(source_pinned_checks_sum),
		cmocka_unit_test(upstream_local_kind),
	};

	return cmocka_run_group_tests_name("upstream", tests, NULL, NULL);
}
