/* test_apply.c - applying one parsed patch to in-memory files (apply.h).
 *
 * The files live in a table served by a fake loader, so each test states
 * the tree it starts from and checks the bytes, modes and existence the
 * vtree holds afterwards, and what the result says: every file operation
 * (modify, create, delete, rename, copy, mode change), patches already
 * applied or half applied, failures that must leave no trace, line-end
 * conversion and files without a final newline.
 */
#include "testutil.h"

#include "apply.h"
#include "patch.h"
#include "vtree.h"

typedef struct disk_file {
	const char *path;
	const char *data;
	mode_t mode;
	int symlink;
} disk_file;

typedef struct disk {
	const disk_file *v;
	size_t n;
} disk;

static int disk_load(void *ctx, const char *path, ap_file_state *st, char **data, size_t *len,
		     ap_error *err)
{
	const disk *d = ctx;

	(void)err;
	memset(st, 0, sizeof *st);
	*data = NULL;
	*len = 0;
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i].path, path) == 0) {
			st->exists = 1;
			st->symlink = d->v[i].symlink;
			st->mode = d->v[i].mode ? d->v[i].mode : 0644;
			*len = strlen(d->v[i].data);
			*data = ap_strndup(d->v[i].data, *len);
			st->size = (off_t)*len;
			return 0;
		}
	return 0;
}

typedef struct world {
	disk d;
	ap_vtree v;
	ap_patch_result r;
	int rc;
} world;

#define WORLD(w, ...)                                                         \
	static const disk_file files_[] = { __VA_ARGS__ };                    \
	world w;                                                              \
	memset(&w, 0, sizeof w);                                              \
	w.d.v = files_;                                                       \
	w.d.n = sizeof files_ / sizeof *files_;                               \
	ap_vtree_init(&w.v, disk_load, &w.d)

/* Parses and applies text; the result replaces any earlier one. */
static void apply_opts(world *w, const char *text, int strip, int fuzz, int trial)
{
	ap_patch p;
	ap_apply_opts o;
	ap_error err = AP_ERROR_INIT;

	memset(&o, 0, sizeof o);
	o.max_fuzz = fuzz;
	o.trial = trial;
	ap_patch_result_free(&w->r);
	parse_ok(&p, text, strip);
	w->rc = ap_apply_patch(&w->v, &p, &o, &w->r, &err);
	if (w->rc != 0)
		print_error("ap_apply_patch: %s\n", err.msg);
	ap_patch_free(&p);
	assert_int_equal(w->rc, 0);
}
#define apply(w, text) apply_opts((w), (text), 1, 0, 0)

static void world_free(world *w)
{
	ap_patch_result_free(&w->r);
	ap_vtree_free(&w->v);
}

static ap_vfile *file(world *w, const char *path)
{
	ap_error err = AP_ERROR_INIT;
	ap_vfile *f = ap_vtree_get(&w->v, path, &err);

	if (!f)
		print_error("%s: %s\n", path, err.msg);
	assert_non_null(f);
	return f;
}

#define assert_file(w, path, want)                                     \
	do {                                                           \
		ap_vfile *f_ = file((w), (path));                      \
		assert_true(f_->exists);                               \
		assert_bytes(f_->data, f_->len, (want));               \
	} while (0)

#define assert_absent(w, path) assert_false(file((w), (path))->exists)

static void assert_status(const world *w, enum ap_patch_status want)
{
	if (w->r.status == want)
		return;
	print_error("status %s, wanted %s (reason: %s)\n", ap_patch_status_name(w->r.status),
		    ap_patch_status_name(want), w->r.reason ? w->r.reason : "-");
	for (size_t i = 0; i < w->r.nfiles; i++)
		print_error("  %s: %s\n", w->r.files[i].path,
			    w->r.files[i].error ? w->r.files[i].error : "-");
	fail();
}

static const char MODIFY[] =
	"--- a/src/x.c\n"
	"+++ b/src/x.c\n"
	"@@ -1,3 +1,3 @@\n"
	" a\n"
	"-b\n"
	"+B\n"
	" c\n";

/* --- operations ------------------------------------------------------------ */

static void modify(void **state)
{
	(void)state;
	WORLD(w, { "src/x.c", "a\nb\nc\n", 0640, 0 });
	apply(&w, MODIFY);
	assert_status(&w, AP_PATCH_APPLIED);
	assert_null(w.r.reason);
	assert_int_equal(w.r.nfiles, 1);
	assert_string_equal(w.r.files[0].path, "src/x.c");
	assert_null(w.r.files[0].old_path);
	assert_int_equal(w.r.files[0].op, AP_OP_MODIFY);
	assert_int_equal(w.r.files[0].outcome, AP_FILE_APPLIED);
	assert_int_equal(w.r.files[0].nhunks, 1);
	assert_int_equal(w.r.files[0].hunks[0].pl.outcome, AP_HUNK_EXACT);
	assert_int_equal(w.r.files[0].hunks[0].lineno, 3);
	assert_int_equal(w.r.files[0].hunks[0].old_start, 1);
	assert_file(&w, "src/x.c", "a\nB\nc\n");
	assert_int_equal(file(&w, "src/x.c")->mode, 0640);
	assert_true(ap_vfile_changed(file(&w, "src/x.c")));
	world_free(&w);
}

static void modify_missing_file_fails(void **state)
{
	(void)state;
	WORLD(w, { "other", "x\n", 0, 0 });
	apply(&w, MODIFY);
	assert_status(&w, AP_PATCH_FAILED);
	assert_int_equal(w.r.files[0].outcome, AP_FILE_FAILED);
	assert_contains(w.r.files[0].error, "no such file");
	assert_contains(w.r.reason, "no such file");
	world_free(&w);
}

/* "--- x.c.orig / +++ x.c": the file that exists is the one patched */
static void modify_with_different_names(void **state)
{
	(void)state;
	WORLD(w, { "x.c", "a\nb\nc\n", 0, 0 });
	apply_opts(&w, "--- x.c.orig\n+++ x.c\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n", 0, 0, 0);
	assert_status(&w, AP_PATCH_APPLIED);
	assert_string_equal(w.r.files[0].path, "x.c");
	assert_file(&w, "x.c", "a\nB\nc\n");
	assert_absent(&w, "x.c.orig");
	world_free(&w);
}

static void create(void **state)
{
	(void)state;
	WORLD(w, { "README", "r\n", 0, 0 });
	apply(&w, "--- /dev/null\n+++ b/new/file.c\n@@ -0,0 +1,2 @@\n+x\n+y\n"
		  "diff --git a/run.sh b/run.sh\nnew file mode 100755\n--- /dev/null\n+++ b/run.sh\n"
		  "@@ -0,0 +1 @@\n+#!/bin/sh\n"
		  "diff --git a/empty b/empty\nnew file mode 100644\nindex 0000000..e69de29\n");
	assert_status(&w, AP_PATCH_APPLIED);
	assert_int_equal(w.r.nfiles, 3);
	assert_int_equal(w.r.files[0].op, AP_OP_CREATE);
	assert_string_equal(w.r.files[0].path, "new/file.c");
	assert_file(&w, "new/file.c", "x\ny\n");
	assert_int_equal(file(&w, "new/file.c")->mode, 0644);
	assert_file(&w, "run.sh", "#!/bin/sh\n");
	assert_int_equal(file(&w, "run.sh")->mode, 0755);
	assert_file(&w, "empty", "");
	world_free(&w);
}

static void create_existing(void **state)
{
	static const char text[] = "--- /dev/null\n+++ b/n.c\n@@ -0,0 +1,2 @@\n+x\n+y\n";

	(void)state;
	{
		/* the same content is there: already applied */
		WORLD(w, { "n.c", "x\ny\n", 0, 0 });
		apply(&w, text);
		assert_status(&w, AP_PATCH_ALREADY);
		assert_int_equal(w.r.files[0].outcome, AP_FILE_ALREADY);
		assert_int_equal(w.r.files[0].hunks[0].pl.outcome, AP_HUNK_ALREADY);
		world_free(&w);
	}
	{
		WORLD(w, { "n.c", "something else\n", 0, 0 });
		apply(&w, text);
		assert_status(&w, AP_PATCH_FAILED);
		assert_contains(w.r.files[0].error, "already exists");
		assert_file(&w, "n.c", "something else\n");
		world_free(&w);
	}
}

static void create_symlinks(void **state)
{
	(void)state;
	WORLD(w, { "lib/real.c", "r\n", 0, 0 });
	apply(&w, "diff --git a/lib/l.c b/lib/l.c\nnew file mode 120000\n--- /dev/null\n+++ b/lib/l.c\n"
		  "@@ -0,0 +1 @@\n+real.c\n\\ No newline at end of file\n");
	assert_status(&w, AP_PATCH_APPLIED);
	assert_true(file(&w, "lib/l.c")->symlink);
	assert_file(&w, "lib/l.c", "real.c");
	/* a link that leads out of the tree is refused */
	apply(&w, "diff --git a/lib/out b/lib/out\nnew file mode 120000\n--- /dev/null\n"
		  "+++ b/lib/out\n@@ -0,0 +1 @@\n+../../etc/passwd\n\\ No newline at end of file\n");
	assert_status(&w, AP_PATCH_FAILED);
	assert_contains(w.r.files[0].error, "outside the tree");
	assert_absent(&w, "lib/out");
	/* nor may a later patch write through the link created before */
	apply(&w, "--- /dev/null\n+++ b/lib/l.c/x\n@@ -0,0 +1 @@\n+x\n");
	assert_status(&w, AP_PATCH_FAILED);
	world_free(&w);
}

static void delete(void **state)
{
	static const char text[] = "--- a/gone.c\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n";

	(void)state;
	{
		WORLD(w, { "gone.c", "a\nb\n", 0, 0 });
		apply(&w, text);
		assert_status(&w, AP_PATCH_APPLIED);
		assert_int_equal(w.r.files[0].op, AP_OP_DELETE);
		assert_string_equal(w.r.files[0].path, "gone.c");
		assert_absent(&w, "gone.c");
		/* again: gone already */
		apply(&w, text);
		assert_status(&w, AP_PATCH_ALREADY);
		assert_int_equal(w.r.files[0].hunks[0].pl.outcome, AP_HUNK_ALREADY);
		world_free(&w);
	}
	{
		/* more in the file than the patch removes: not deleted */
		WORLD(w, { "gone.c", "a\nb\nextra\n", 0, 0 });
		apply(&w, text);
		assert_status(&w, AP_PATCH_FAILED);
		assert_file(&w, "gone.c", "a\nb\nextra\n");
		world_free(&w);
	}
	{
		WORLD(w, { "gone.c", "a\nX\n", 0, 0 });
		apply(&w, text);
		assert_status(&w, AP_PATCH_FAILED);
		assert_int_equal(w.r.files[0].hunks[0].pl.outcome, AP_HUNK_FAILED);
		assert_file(&w, "gone.c", "a\nX\n");
		world_free(&w);
	}
}

static void delete_empty_file(void **state)
{
	static const char text[] = "diff --git a/e b/e\ndeleted file mode 100644\nindex e69de29..0000000\n";

	(void)state;
	{
		WORLD(w, { "e", "", 0, 0 });
		apply(&w, text);
		assert_status(&w, AP_PATCH_APPLIED);
		assert_absent(&w, "e");
		world_free(&w);
	}
	{
		WORLD(w, { "e", "not empty\n", 0, 0 });
		apply(&w, text);
		assert_status(&w, AP_PATCH_FAILED);
		assert_contains(w.r.files[0].error, "not empty");
		world_free(&w);
	}
}

static void rename_with_changes(void **state)
{
	static const char text[] =
		"diff --git a/old.c b/sub/new.c\n"
		"similarity index 80%\n"
		"rename from old.c\n"
		"rename to sub/new.c\n"
		"--- a/old.c\n"
		"+++ b/sub/new.c\n"
		"@@ -1,3 +1,3 @@\n"
		" a\n"
		"-b\n"
		"+B\n"
		" c\n";

	(void)state;
	WORLD(w, { "old.c", "a\nb\nc\n", 0755, 0 });
	apply(&w, text);
	assert_status(&w, AP_PATCH_APPLIED);
	assert_int_equal(w.r.files[0].op, AP_OP_RENAME);
	assert_string_equal(w.r.files[0].path, "sub/new.c");
	assert_string_equal(w.r.files[0].old_path, "old.c");
	assert_absent(&w, "old.c");
	assert_file(&w, "sub/new.c", "a\nB\nc\n");
	assert_int_equal(file(&w, "sub/new.c")->mode, 0755);
	/* again: the renamed file holds the post-image */
	apply(&w, text);
	assert_status(&w, AP_PATCH_ALREADY);
	world_free(&w);
}

static void pure_rename_and_copy(void **state)
{
	(void)state;
	WORLD(w, { "a.c", "A\n", 0600, 0 }, { "b.c", "B\n", 0, 0 });
	apply(&w, "diff --git a/a.c b/moved.c\nsimilarity index 100%\nrename from a.c\nrename to moved.c\n"
		  "diff --git a/b.c b/copy.c\nsimilarity index 100%\ncopy from b.c\ncopy to copy.c\n");
	assert_status(&w, AP_PATCH_APPLIED);
	assert_absent(&w, "a.c");
	assert_file(&w, "moved.c", "A\n");
	assert_int_equal(file(&w, "moved.c")->mode, 0600);
	assert_int_equal(w.r.files[1].op, AP_OP_COPY);
	assert_string_equal(w.r.files[1].old_path, "b.c");
	assert_file(&w, "b.c", "B\n");
	assert_file(&w, "copy.c", "B\n");
	world_free(&w);
}

/* git reads a copy's or rename's source as it was before the patch
 * (issue 11, item 5; git apply 2.39 gives these bytes) */
static void git_copy_reads_the_pre_image(void **state)
{
	(void)state;
	/* git diff -C: a.c modified, and copied (with a change) to b.c */
	WORLD(w, { "a.c", "l1\nl2\nl3\nl4\nl5\n", 0, 0 });
	apply(&w, "diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -3,3 +3,3 @@\n l3\n-l4\n+L4\n l5\n"
		  "diff --git a/a.c b/b.c\nsimilarity index 80%\ncopy from a.c\ncopy to b.c\n"
		  "--- a/a.c\n+++ b/b.c\n@@ -1,3 +1,3 @@\n l1\n-l2\n+L2\n l3\n");
	assert_status(&w, AP_PATCH_APPLIED);
	assert_file(&w, "a.c", "l1\nl2\nl3\nL4\nl5\n");
	assert_file(&w, "b.c", "l1\nL2\nl3\nl4\nl5\n");
	world_free(&w);
}

static void git_pure_copy_reads_the_pre_image(void **state)
{
	(void)state;
	WORLD(w, { "a.c", "x\n", 0, 0 });
	apply(&w, "diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1 +1 @@\n-x\n+y\n"
		  "diff --git a/a.c b/b.c\nsimilarity index 100%\ncopy from a.c\ncopy to b.c\n");
	assert_status(&w, AP_PATCH_APPLIED);
	assert_file(&w, "a.c", "y\n");
	assert_file(&w, "b.c", "x\n");
	world_free(&w);
}

static void git_rename_chain(void **state)
{
	static const char *const order[] = {
		"diff --git a/b b/c\nsimilarity index 100%\nrename from b\nrename to c\n"
		"diff --git a/a b/b\nsimilarity index 100%\nrename from a\nrename to b\n",
		"diff --git a/a b/b\nsimilarity index 100%\nrename from a\nrename to b\n"
		"diff --git a/b b/c\nsimilarity index 100%\nrename from b\nrename to c\n",
		/* with changes on the way */
		"diff --git a/a b/b\nsimilarity index 50%\nrename from a\nrename to b\n"
		"--- a/a\n+++ b/b\n@@ -1,2 +1,2 @@\n-A1\n+A1'\n A2\n"
		"diff --git a/b b/c\nsimilarity index 50%\nrename from b\nrename to c\n"
		"--- a/b\n+++ b/c\n@@ -1,2 +1,2 @@\n B1\n-B2\n+B2'\n",
	};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		WORLD(w, { "a", "A1\nA2\n", 0, 0 }, { "b", "B1\nB2\n", 0, 0 });
		apply(&w, order[i]);
		assert_status(&w, AP_PATCH_APPLIED);
		assert_absent(&w, "a");
		assert_file(&w, "b", i < 2 ? "A1\nA2\n" : "A1'\nA2\n");
		assert_file(&w, "c", i < 2 ? "B1\nB2\n" : "B1\nB2'\n");
		world_free(&w);
	}
}

static void rename_onto_existing_file_fails(void **state)
{
	(void)state;
	WORLD(w, { "a.c", "A\n", 0, 0 }, { "b.c", "B\n", 0, 0 });
	apply(&w, "diff --git a/a.c b/b.c\nrename from a.c\nrename to b.c\n");
	assert_status(&w, AP_PATCH_FAILED);
	assert_contains(w.r.files[0].error, "already exists");
	assert_file(&w, "a.c", "A\n");
	assert_file(&w, "b.c", "B\n");
	world_free(&w);
}

static void rename_of_missing_file_fails(void **state)
{
	(void)state;
	/* regression: this error once had a format with three conversions and
	 * two arguments, and crashed any rename or copy of a missing file */
	WORLD(w, { "z", "z\n", 0, 0 });
	apply(&w, "diff --git a/a.c b/b.c\nrename from a.c\nrename to b.c\n");
	assert_status(&w, AP_PATCH_FAILED);
	assert_contains(w.r.files[0].error, "a.c");
	assert_absent(&w, "b.c");
	world_free(&w);
}

/* a copy onto an existing, different file is refused, with hunks or not */
static void copy_onto_existing_file_fails(void **state)
{
	(void)state;
	WORLD(w, { "b.c", "a\nb\nc\n", 0, 0 }, { "copy.c", "other\n", 0, 0 });
	/* regression: this error once had a format with three conversions and
	 * two arguments, and crashed */
	apply(&w, "diff --git a/b.c b/copy.c\ncopy from b.c\ncopy to copy.c\n--- a/b.c\n"
		  "+++ b/copy.c\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
	assert_status(&w, AP_PATCH_FAILED);
	assert_contains(w.r.files[0].error, "already exists");
	assert_file(&w, "copy.c", "other\n");
	world_free(&w);
}

static void pure_copy_onto_different_file_fails(void **state)
{
	(void)state;
	WORLD(w, { "b.c", "B\n", 0, 0 }, { "copy.c", "other\n", 0, 0 });
	/* regression: 0 of 0 hunks in place once counted as "all", so this
	 * copy was reported already applied over other bytes */
	apply(&w, "diff --git a/b.c b/copy.c\nsimilarity index 100%\ncopy from b.c\ncopy to copy.c\n");
	assert_status(&w, AP_PATCH_FAILED);
	assert_file(&w, "copy.c", "other\n");
	world_free(&w);
}

/* the same copy where the target holds the source's bytes is done */
static void pure_copy_already_applied(void **state)
{
	(void)state;
	WORLD(w, { "b.c", "B\n", 0, 0 }, { "copy.c", "B\n", 0, 0 });
	apply(&w, "diff --git a/b.c b/copy.c\nsimilarity index 100%\ncopy from b.c\ncopy to copy.c\n");
	assert_status(&w, AP_PATCH_ALREADY);
	world_free(&w);
}

static void mode_changes(void **state)
{
	static const char to_exec[] = "diff --git a/run b/run\nold mode 100644\nnew mode 100755\n";
	static const char to_plain[] = "diff --git a/run b/run\nold mode 100755\nnew mode 100644\n";

	(void)state;
	WORLD(w, { "run", "#!/bin/sh\n", 0640, 0 });
	apply(&w, to_exec);
	assert_status(&w, AP_PATCH_APPLIED);
	/* execute bits follow the read bits, as git does */
	assert_int_equal(file(&w, "run")->mode, 0750);
	assert_file(&w, "run", "#!/bin/sh\n");
	apply(&w, to_plain);
	assert_status(&w, AP_PATCH_APPLIED);
	assert_int_equal(file(&w, "run")->mode, 0640);
	world_free(&w);
}

/* a mode-only patch whose mode is already in place is already applied */
static void mode_change_already_applied(void **state)
{
	(void)state;
	WORLD(w, { "run", "#!/bin/sh\n", 0755, 0 });
	/* regression: a file diff without hunks once never counted as already
	 * in place, so drift called a merged mode change not yet upstream */
	apply(&w, "diff --git a/run b/run\nold mode 100644\nnew mode 100755\n");
	assert_status(&w, AP_PATCH_ALREADY);
	assert_int_equal(file(&w, "run")->mode, 0755);
	world_free(&w);
}

/* content already there but the mode not: the mode is still changed */
static void content_already_mode_not(void **state)
{
	(void)state;
	WORLD(w, { "run", "a\nB\nc\n", 0644, 0 });
	apply(&w, "diff --git a/run b/run\nold mode 100644\nnew mode 100755\n--- a/run\n+++ b/run\n"
		  "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
	assert_status(&w, AP_PATCH_APPLIED);
	assert_int_equal(file(&w, "run")->mode, 0755);
	assert_file(&w, "run", "a\nB\nc\n");
	world_free(&w);
}

/* --- already applied and partly applied ------------------------------------ */

static const char TWO_FILES[] =
	"--- a/one\n+++ b/one\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
	"@@ -7,3 +7,3 @@\n g\n-h\n+H\n i\n"
	"--- a/two\n+++ b/two\n@@ -1,2 +1,2 @@\n-x\n+X\n y\n";

static void already_applied(void **state)
{
	(void)state;
	WORLD(w, { "one", "a\nb\nc\nd\ne\nf\ng\nh\ni\n", 0, 0 }, { "two", "x\ny\n", 0, 0 });
	apply(&w, TWO_FILES);
	assert_status(&w, AP_PATCH_APPLIED);
	ap_vtree_commit(&w.v);
	apply(&w, TWO_FILES);
	assert_status(&w, AP_PATCH_ALREADY);
	assert_int_equal(w.r.files[0].outcome, AP_FILE_ALREADY);
	assert_int_equal(w.r.files[1].outcome, AP_FILE_ALREADY);
	{
		size_t counts[5];

		ap_patch_result_count(&w.r, counts);
		assert_int_equal(counts[AP_HUNK_ALREADY], 3);
		assert_int_equal(counts[AP_HUNK_EXACT], 0);
	}
	assert_file(&w, "one", "a\nB\nc\nd\ne\nf\ng\nH\ni\n");
	assert_file(&w, "two", "X\ny\n");
	world_free(&w);
}

static void partly_applied_in_one_file(void **state)
{
	(void)state;
	WORLD(w, { "one", "a\nB\nc\nd\ne\nf\ng\nh\ni\n", 0, 0 }, { "two", "x\ny\n", 0, 0 });
	apply(&w, TWO_FILES);
	assert_status(&w, AP_PATCH_FAILED);
	assert_contains(w.r.reason, "partly applied");
	assert_int_equal(w.r.files[0].outcome, AP_FILE_FAILED);
	assert_contains(w.r.files[0].error, "1 of 2 hunks are already in place");
	/* nothing changed, in either file */
	assert_file(&w, "one", "a\nB\nc\nd\ne\nf\ng\nh\ni\n");
	assert_file(&w, "two", "x\ny\n");
	assert_false(ap_vfile_changed(file(&w, "two")));
	world_free(&w);
}

static void partly_applied_across_files(void **state)
{
	(void)state;
	WORLD(w, { "one", "a\nB\nc\nd\ne\nf\ng\nH\ni\n", 0, 0 }, { "two", "x\ny\n", 0, 0 });
	apply(&w, TWO_FILES);
	assert_status(&w, AP_PATCH_FAILED);
	assert_contains(w.r.reason, "partly applied");
	assert_int_equal(w.r.files[0].outcome, AP_FILE_FAILED);
	assert_contains(w.r.files[0].error, "other files");
	assert_file(&w, "two", "x\ny\n");
	world_free(&w);
}

/* a failed hunk undoes the whole patch, and only that patch */
static void failure_rolls_back_the_patch(void **state)
{
	(void)state;
	WORLD(w, { "one", "a\nb\nc\nd\ne\nf\ng\nh\ni\n", 0, 0 }, { "two", "CHANGED\ny\n", 0, 0 },
	      { "three", "1\n", 0, 0 });
	apply(&w, "--- a/three\n+++ b/three\n@@ -1 +1 @@\n-1\n+2\n");
	assert_status(&w, AP_PATCH_APPLIED);
	apply(&w, TWO_FILES);
	assert_status(&w, AP_PATCH_FAILED);
	assert_string_equal(w.r.reason, "1 of 3 hunks failed");
	assert_int_equal(w.r.files[0].outcome, AP_FILE_APPLIED);
	assert_int_equal(w.r.files[1].outcome, AP_FILE_FAILED);
	assert_int_equal(w.r.files[1].hunks[0].pl.outcome, AP_HUNK_FAILED);
	assert_int_equal(w.r.files[1].hunks[0].pl.near_total, 2);
	assert_int_equal(w.r.files[1].hunks[0].pl.near_matched, 1);
	assert_file(&w, "one", "a\nb\nc\nd\ne\nf\ng\nh\ni\n");
	assert_false(ap_vfile_changed(file(&w, "one")));
	/* the earlier patch stays */
	assert_file(&w, "three", "2\n");
	world_free(&w);
}

static void trial_leaves_nothing(void **state)
{
	(void)state;
	WORLD(w, { "src/x.c", "a\nb\nc\n", 0, 0 });
	apply_opts(&w, MODIFY, 1, 0, 1);
	assert_status(&w, AP_PATCH_APPLIED);
	assert_int_equal(w.r.files[0].hunks[0].pl.outcome, AP_HUNK_EXACT);
	assert_file(&w, "src/x.c", "a\nb\nc\n");
	assert_false(ap_vfile_changed(file(&w, "src/x.c")));
	world_free(&w);
}

static void fuzz_is_passed_on(void **state)
{
	static const char text[] =
		"--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n A\n b\n-c\n+C\n d\n e\n";

	(void)state;
	{
		WORLD(w, { "f", "X\nb\nc\nd\ne\n", 0, 0 });
		apply(&w, text);
		assert_status(&w, AP_PATCH_FAILED);
		world_free(&w);
	}
	{
		WORLD(w, { "f", "X\nb\nc\nd\ne\n", 0, 0 });
		apply_opts(&w, text, 1, 1, 0);
		assert_status(&w, AP_PATCH_APPLIED);
		assert_int_equal(w.r.files[0].hunks[0].pl.outcome, AP_HUNK_FUZZ);
		assert_file(&w, "f", "X\nb\nC\nd\ne\n");
		world_free(&w);
	}
}

static void symlink_in_the_tree_is_refused(void **state)
{
	(void)state;
	WORLD(w, { "src/x.c", "a\nb\nc\n", 0777, 1 });
	apply(&w, MODIFY);
	assert_status(&w, AP_PATCH_FAILED);
	assert_contains(w.r.files[0].error, "symbolic link");
	assert_contains(w.r.reason, "symbolic link");
	world_free(&w);
}

/* A git patch of a link the tree has (mode 120000) changes the link itself,
 * its target being its content, as git apply and GNU patch do (red-team 3,
 * T7); a plain diff of it, or a link's patch over a file, is refused. */
static void git_patch_of_a_link_in_the_tree(void **state)
{
	(void)state;
	WORLD(w, { "gone", "target", 0777, 1 }, { "moved", "../outside/file", 0777, 1 },
	      { "far", "target", 0777, 1 }, { "file", "target", 0644, 0 },
	      { "typechange", "target", 0777, 1 });
	apply(&w, "diff --git a/gone b/gone\ndeleted file mode 120000\nindex 1de5659..0000000\n"
		  "--- a/gone\n+++ /dev/null\n@@ -1 +0,0 @@\n-target\n\\ No newline at end of file\n");
	assert_status(&w, AP_PATCH_APPLIED);
	assert_absent(&w, "gone");
	/* re-pointed: the old target (outside the tree here) is only text */
	apply(&w, "diff --git a/moved b/moved\nindex 1de5659..85f0f00 120000\n--- a/moved\n+++ b/moved\n"
		  "@@ -1 +1 @@\n-../outside/file\n\\ No newline at end of file\n+t2\n"
		  "\\ No newline at end of file\n");
	assert_status(&w, AP_PATCH_APPLIED);
	assert_true(file(&w, "moved")->symlink);
	assert_file(&w, "moved", "t2");
	/* a link turned into a file: deleted, then created */
	apply(&w, "diff --git a/typechange b/typechange\ndeleted file mode 120000\n--- a/typechange\n"
		  "+++ /dev/null\n@@ -1 +0,0 @@\n-target\n\\ No newline at end of file\n"
		  "diff --git a/typechange b/typechange\nnew file mode 100644\n--- /dev/null\n"
		  "+++ b/typechange\n@@ -0,0 +1 @@\n+regular\n");
	assert_status(&w, AP_PATCH_APPLIED);
	assert_false(file(&w, "typechange")->symlink);
	assert_file(&w, "typechange", "regular\n");
	/* never re-pointed out of the tree */
	apply(&w, "diff --git a/far b/far\nindex 1de5659..85f0f00 120000\n--- a/far\n+++ b/far\n"
		  "@@ -1 +1 @@\n-target\n\\ No newline at end of file\n+../../etc/passwd\n"
		  "\\ No newline at end of file\n");
	assert_status(&w, AP_PATCH_FAILED);
	assert_contains(w.r.files[0].error, "outside the tree");
	assert_file(&w, "far", "target");
	/* a plain diff deleting a link would delete through it */
	apply(&w, "--- a/far\n+++ /dev/null\n@@ -1 +0,0 @@\n-target\n\\ No newline at end of file\n");
	assert_status(&w, AP_PATCH_FAILED);
	assert_contains(w.r.files[0].error, "far is a symbolic link: gap-patchkit never");
	assert_true(file(&w, "far")->exists);
	/* a link's patch where the tree has a regular file: git's wrong type */
	apply(&w, "diff --git a/file b/file\ndeleted file mode 120000\n--- a/file\n+++ /dev/null\n"
		  "@@ -1 +0,0 @@\n-target\n\\ No newline at end of file\n");
	assert_status(&w, AP_PATCH_FAILED);
	assert_contains(w.r.files[0].error, "file is a file, but the patch changes a symbolic link");
	world_free(&w);
}

/* --- line ends ----------------------------------------------------------- */

static void crlf_file_lf_patch(void **state)
{
	(void)state;
	WORLD(w, { "src/x.c", "a\r\nb\r\nc\r\n", 0, 0 });
	apply(&w, "--- a/src/x.c\n+++ b/src/x.c\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n+B2\n c\n");
	assert_status(&w, AP_PATCH_APPLIED);
	assert_true(w.r.files[0].hunks[0].pl.eol_converted);
	assert_file(&w, "src/x.c", "a\r\nB\r\nB2\r\nc\r\n");
	world_free(&w);
}

static void lf_file_crlf_patch(void **state)
{
	(void)state;
	WORLD(w, { "src/x.c", "a\nb\nc\n", 0, 0 });
	/* CRLF content lines in an LF patch: matched, and written, as LF */
	apply(&w, "--- a/src/x.c\n+++ b/src/x.c\n@@ -1,3 +1,3 @@\n a\r\n-b\r\n+B\r\n c\r\n");
	assert_status(&w, AP_PATCH_APPLIED);
	assert_true(w.r.files[0].hunks[0].pl.eol_converted);
	assert_file(&w, "src/x.c", "a\nB\nc\n");
	world_free(&w);
}

/* The content's "\r"s make a CRLF file; a patch converted to CRLF as a
 * whole (every line, headers too: a mail client's) creates an LF file, as
 * GNU patch does ("Stripping trailing CRs from patch"; git apply keeps
 * them). Its CRLF content lines then read "x\r\r\n". */
static void crlf_content_creates_crlf(void **state)
{
	(void)state;
	WORLD(w, { "x", "x\n", 0, 0 });
	apply(&w, "--- /dev/null\n+++ b/dos.txt\n@@ -0,0 +1,2 @@\n+one\r\n+two\r\n"
		  "--- /dev/null\n+++ b/mail.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n");
	assert_status(&w, AP_PATCH_APPLIED);
	assert_file(&w, "dos.txt", "one\r\ntwo\r\n");
	world_free(&w);
}

static void crlf_converted_patch_creates_lf(void **state)
{
	(void)state;
	WORLD(w2, { "x", "x\n", 0, 0 });
	apply(&w2, "--- /dev/null\r\n+++ b/dos.txt\r\n@@ -0,0 +1,2 @@\r\n+one\r\r\n+two\r\r\n"
		  "--- /dev/null\r\n+++ b/mail.txt\r\n@@ -0,0 +1,2 @@\r\n+one\r\n+two\r\n");
	assert_status(&w2, AP_PATCH_APPLIED);
	assert_file(&w2, "dos.txt", "one\r\ntwo\r\n");
	assert_file(&w2, "mail.txt", "one\ntwo\n");
	world_free(&w2);
}

/* A CRLF file's patch converted to CRLF as a whole ("x\r\r\n") applies,
 * as with GNU patch; before, " a\r" matched no line of the file. */
static void crlf_file_crlf_converted_patch(void **state)
{
	(void)state;
	WORLD(w, { "src/x.c", "a\r\nb\r\nc\r\n", 0, 0 });
	apply(&w, "--- a/src/x.c\r\n+++ b/src/x.c\r\n@@ -1,3 +1,3 @@\r\n a\r\r\n-b\r\r\n"
		  "+B\r\r\n c\r\r\n");
	assert_status(&w, AP_PATCH_APPLIED);
	assert_false(w.r.files[0].hunks[0].pl.eol_converted);
	assert_file(&w, "src/x.c", "a\r\nB\r\nc\r\n");
	world_free(&w);
}

static void no_newline_at_end_of_file(void **state)
{
	(void)state;
	WORLD(w, { "f", "a\nb", 0, 0 }, { "g", "a\nb\n", 0, 0 });
	apply(&w, "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n"
		  "--- a/g\n+++ b/g\n@@ -1,2 +1,2 @@\n a\n-b\n+B\n\\ No newline at end of file\n");
	assert_status(&w, AP_PATCH_APPLIED);
	assert_file(&w, "f", "a\nb\nc\n");
	assert_file(&w, "g", "a\nB");
	/* and again: both already there */
	ap_vtree_commit(&w.v);
	apply(&w, "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n"
		  "--- a/g\n+++ b/g\n@@ -1,2 +1,2 @@\n a\n-b\n+B\n\\ No newline at end of file\n");
	assert_status(&w, AP_PATCH_ALREADY);
	world_free(&w);
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(ap_patch_status_name(AP_PATCH_APPLIED), "applied");
	assert_string_equal(ap_patch_status_name(AP_PATCH_ALREADY), "already-applied");
	assert_string_equal(ap_patch_status_name(AP_PATCH_FAILED), "failed");
	assert_string_equal(ap_patch_status_name(AP_PATCH_SKIPPED), "skipped");
	assert_string_equal(ap_patch_status_name(AP_PATCH_UNAPPLIED), "unapplied");
	assert_string_equal(ap_file_op_name(AP_OP_MODIFY), "modify");
	assert_string_equal(ap_file_op_name(AP_OP_CREATE), "create");
	assert_string_equal(ap_file_op_name(AP_OP_DELETE), "delete");
	assert_string_equal(ap_file_op_name(AP_OP_RENAME), "rename");
	assert_string_equal(ap_file_op_name(AP_OP_COPY), "copy");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(modify),
		cmocka_unit_test(modify_missing_file_fails),
		cmocka_unit_test(modify_with_different_names),
		cmocka_unit_test(create),
		cmocka_unit_test(create_existing),
		cmocka_unit_test(create_symlinks),
		cmocka_unit_test(git_patch_of_a_link_in_the_tree),
		cmocka_unit_test(delete),
		cmocka_unit_test(delete_empty_file),
		cmocka_unit_test(rename_with_changes),
		cmocka_unit_test(pure_rename_and_copy),
		cmocka_unit_test(git_copy_reads_the_pre_image),
		cmocka_unit_test(git_pure_copy_reads_the_pre_image),
		cmocka_unit_test(git_rename_chain),
		cmocka_unit_test(rename_onto_existing_file_fails),
		cmocka_unit_test(rename_of_missing_file_fails),
		cmocka_unit_test(copy_onto_existing_file_fails),
		cmocka_unit_test(pure_copy_onto_different_file_fails),
		cmocka_unit_test(pure_copy_already_applied),
		cmocka_unit_test(mode_changes),
		cmocka_unit_test(mode_change_already_applied),
		cmocka_unit_test(content_already_mode_not),
		cmocka_unit_test(already_applied),
		cmocka_unit_test(partly_applied_in_one_file),
		cmocka_unit_test(partly_applied_across_files),
		cmocka_unit_test(failure_rolls_back_the_patch),
		cmocka_unit_test(trial_leaves_nothing),
		cmocka_unit_test(fuzz_is_passed_on),
		cmocka_unit_test(symlink_in_the_tree_is_refused),
		cmocka_unit_test(crlf_file_lf_patch),
		cmocka_unit_test(lf_file_crlf_patch),
		cmocka_unit_test(crlf_content_creates_crlf),
		cmocka_unit_test(crlf_converted_patch_creates_lf),
		cmocka_unit_test(crlf_file_crlf_converted_patch),
		cmocka_unit_test(no_newline_at_end_of_file),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests_name("apply", tests, NULL, NULL);
}
