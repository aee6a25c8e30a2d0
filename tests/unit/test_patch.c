/* test_patch.c - the patch parser (patch.h).
 *
 * What packagers actually carry: unified diffs from diff -u, quilt and
 * git, with mail or DEP-3 headers in front and signatures behind; and
 * what must be refused, each refusal naming "NAME:LINE:" so the packager
 * can go straight to the offending line.
 */
#include "testutil.h"

#include "patch.h"

/* A hunk's lines as text: kind, bytes, then the line end; a missing end
 * shows as "<no-eol>\n", CRLF as "<CR>\n". */
static char *hunk_text(const ap_hunk *h)
{
	ap_buf b = AP_BUF_INIT;

	for (size_t i = 0; i < h->nlines; i++) {
		ap_buf_putc(&b, h->lines[i].kind);
		ap_buf_add(&b, h->lines[i].text, h->lines[i].len);
		ap_buf_puts(&b, h->lines[i].eol == AP_EOL_CRLF ? "<CR>\n"
			    : h->lines[i].eol == AP_EOL_LF ? "\n" : "<no-eol>\n");
	}
	return ap_buf_detach(&b, NULL);
}

#define assert_hunk(h, want)                                 \
	do {                                                 \
		char *t_ = hunk_text(h);                     \
		assert_bytes(t_, strlen(t_), (want));        \
		free(t_);                                    \
	} while (0)

static void assert_numbers(const ap_hunk *h, long os, long oc, long ns, long nc, size_t lineno)
{
	assert_int_equal(h->old_start, os);
	assert_int_equal(h->old_count, oc);
	assert_int_equal(h->new_start, ns);
	assert_int_equal(h->new_count, nc);
	assert_int_equal(h->lineno, lineno);
}

/* --- accepted formats -------------------------------------------------- */

static void unified_with_timestamps(void **state)
{
	static const char text[] =
		"--- a/src/x.c\t2019-01-01 10:00:00.000000000 +0100\n"
		"+++ b/src/x.c\t2019-01-02 11:00:00.000000000 +0100\n"
		"@@ -1,3 +1,3 @@\n"
		" a\n"
		"-b\n"
		"+B\n"
		" c\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_string_equal(p.name, "t.patch");
	assert_int_equal(p.strip, 1);
	assert_int_equal(p.len, strlen(text));
	assert_memory_equal(p.data, text, p.len);
	assert_ptr_not_equal(p.data, text);  /* a copy */
	assert_int_equal(p.desc_len, 0);
	assert_int_equal(p.nfiles, 1);
	assert_int_equal(p.files[0].op, AP_OP_MODIFY);
	assert_string_equal(p.files[0].old_path, "src/x.c");
	assert_string_equal(p.files[0].new_path, "src/x.c");
	assert_string_equal(ap_file_diff_target(&p.files[0]), "src/x.c");
	assert_int_equal(p.files[0].is_git, 0);
	assert_int_equal(p.files[0].old_mode, 0);
	assert_int_equal(p.files[0].lineno, 1);
	assert_int_equal(p.files[0].nhunks, 1);
	assert_numbers(&p.files[0].hunks[0], 1, 3, 1, 3, 3);
	assert_null(p.files[0].hunks[0].section);
	assert_hunk(&p.files[0].hunks[0], " a\n-b\n+B\n c\n");
	/* hunk lines point into the patch's own copy */
	assert_true(p.files[0].hunks[0].lines[0].text > p.data &&
		    p.files[0].hunks[0].lines[0].text < p.data + p.len);
	ap_patch_free(&p);
	assert_null(p.files);
	assert_null(p.data);
}

/* names with spaces end at the tab; space-padded dates end the name too */
static void header_names_with_spaces_and_dates(void **state)
{
	static const char text[] =
		"--- a/my file.c\t2019-01-01 10:00:00 +0000\n"
		"+++ b/my file.c\t2019-01-01 10:00:01 +0000\n"
		"@@ -1 +1 @@\n"
		"-x\n"
		"+y\n"
		"--- a/other.c  2019-01-01 10:00:00.000000000 +0000\n"
		"+++ b/other.c  2019-01-01 10:00:00.000000000 +0000\n"
		"@@ -1 +1 @@\n"
		"-x\n"
		"+y\n"
		"--- a/svn.c\t(revision 1234)\n"
		"+++ b/svn.c\t(working copy)\n"
		"@@ -2,0 +3 @@\n"
		"+z\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.nfiles, 3);
	assert_string_equal(p.files[0].new_path, "my file.c");
	assert_string_equal(p.files[1].old_path, "other.c");
	assert_string_equal(p.files[1].new_path, "other.c");
	assert_int_equal(p.files[1].lineno, 6);
	assert_string_equal(p.files[2].new_path, "svn.c");
	/* counts left out are 1 */
	assert_numbers(&p.files[0].hunks[0], 1, 1, 1, 1, 3);
	assert_numbers(&p.files[2].hunks[0], 2, 0, 3, 1, 13);
	ap_patch_free(&p);
}

static void quilt_index_lines(void **state)
{
	static const char text[] =
		"Make the pool lazily committed.\n"
		"\n"
		"Index: gap-4.10.2/src/sysmem.c\n"
		"===================================================================\n"
		"--- gap-4.10.2.orig/src/sysmem.c\n"
		"+++ gap-4.10.2/src/sysmem.c\n"
		"@@ -10,2 +10,3 @@ static void * SyAnonMMap(size_t size)\n"
		" x\n"
		"+y\n"
		" z\n"
		"Index: gap-4.10.2/src/system.c\n"
		"===================================================================\n"
		"--- gap-4.10.2.orig/src/system.c\n"
		"+++ gap-4.10.2/src/system.c\n"
		"@@ -1,1 +1,1 @@\n"
		"-old\n"
		"+new\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	/* Index: and ==== belong to the diff, not to the description */
	assert_int_equal(p.desc_len, strlen("Make the pool lazily committed.\n\n"));
	assert_int_equal(p.nfiles, 2);
	assert_string_equal(p.files[0].old_path, "src/sysmem.c");
	assert_string_equal(p.files[0].new_path, "src/sysmem.c");
	assert_string_equal(p.files[0].hunks[0].section, "static void * SyAnonMMap(size_t size)");
	assert_numbers(&p.files[0].hunks[0], 10, 2, 10, 3, 7);
	assert_string_equal(p.files[1].new_path, "src/system.c");
	assert_int_equal(p.files[1].lineno, 13);
	assert_hunk(&p.files[1].hunks[0], "-old\n+new\n");
	ap_patch_free(&p);
}

static void git_new_and_deleted_files(void **state)
{
	static const char text[] =
		"diff --git a/new.c b/new.c\n"
		"new file mode 100755\n"
		"index 0000000..e69de29\n"
		"--- /dev/null\n"
		"+++ b/new.c\n"
		"@@ -0,0 +1,2 @@\n"
		"+one\n"
		"+two\n"
		"diff --git a/old.c b/old.c\n"
		"deleted file mode 100644\n"
		"index 1234567..0000000\n"
		"--- a/old.c\n"
		"+++ /dev/null\n"
		"@@ -1,2 +0,0 @@\n"
		"-one\n"
		"-two\n"
		"diff --git a/empty b/empty\n"
		"new file mode 100644\n"
		"index 0000000..e69de29\n"
		"diff --git a/link b/link\n"
		"new file mode 120000\n"
		"index 0000000..1111111\n"
		"--- /dev/null\n"
		"+++ b/link\n"
		"@@ -0,0 +1 @@\n"
		"+new.c\n"
		"\\ No newline at end of file\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.nfiles, 4);
	assert_int_equal(p.files[0].op, AP_OP_CREATE);
	assert_int_equal(p.files[0].is_git, 1);
	assert_null(p.files[0].old_path);
	assert_string_equal(p.files[0].new_path, "new.c");
	assert_int_equal(p.files[0].new_mode, 0100755);
	assert_int_equal(p.files[0].lineno, 1);
	assert_numbers(&p.files[0].hunks[0], 0, 0, 1, 2, 6);
	assert_hunk(&p.files[0].hunks[0], "+one\n+two\n");

	assert_int_equal(p.files[1].op, AP_OP_DELETE);
	assert_string_equal(p.files[1].old_path, "old.c");
	assert_null(p.files[1].new_path);
	assert_string_equal(ap_file_diff_target(&p.files[1]), "old.c");
	assert_int_equal(p.files[1].old_mode, 0100644);
	assert_int_equal(p.files[1].lineno, 9);
	assert_hunk(&p.files[1].hunks[0], "-one\n-two\n");

	/* an empty new file has no hunk at all */
	assert_int_equal(p.files[2].op, AP_OP_CREATE);
	assert_string_equal(p.files[2].new_path, "empty");
	assert_int_equal(p.files[2].nhunks, 0);
	assert_int_equal(p.files[2].lineno, 17);

	assert_int_equal(p.files[3].op, AP_OP_CREATE);
	assert_int_equal(p.files[3].new_mode, 0120000);
	assert_hunk(&p.files[3].hunks[0], "+new.c<no-eol>\n");
	ap_patch_free(&p);
}

static void git_mode_change_only(void **state)
{
	static const char text[] =
		"diff --git a/configure b/configure\n"
		"old mode 100644\n"
		"new mode 100755\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.nfiles, 1);
	assert_int_equal(p.files[0].op, AP_OP_MODIFY);
	assert_string_equal(p.files[0].old_path, "configure");
	assert_string_equal(p.files[0].new_path, "configure");
	assert_int_equal(p.files[0].old_mode, 0100644);
	assert_int_equal(p.files[0].new_mode, 0100755);
	assert_int_equal(p.files[0].nhunks, 0);
	ap_patch_free(&p);
}

static void git_index_line_with_mode(void **state)
{
	static const char text[] =
		"diff --git a/src/gasman.h b/src/gasman.h\n"
		"index 3d1a2b4..9f8e7c6 100644\n"
		"--- a/src/gasman.h\n"
		"+++ b/src/gasman.h\n"
		"@@ -5,3 +5,4 @@\n"
		" a\n"
		"+#define ENSURE_BAG(bag) x\n"
		" b\n"
		" c\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.files[0].op, AP_OP_MODIFY);
	assert_int_equal(p.files[0].old_mode, 0100644);
	assert_int_equal(p.files[0].new_mode, 0100644);
	assert_string_equal(p.files[0].new_path, "src/gasman.h");
	ap_patch_free(&p);
}

static void git_rename_and_copy(void **state)
{
	static const char text[] =
		"diff --git a/old name.c b/new name.c\n"
		"similarity index 90%\n"
		"rename from old name.c\n"
		"rename to new name.c\n"
		"index 1111111..2222222 100644\n"
		"--- a/old name.c\n"
		"+++ b/new name.c\n"
		"@@ -1,3 +1,3 @@\n"
		" a\n"
		"-b\n"
		"+c\n"
		" d\n"
		"diff --git a/src/a.c b/src/b.c\n"
		"similarity index 100%\n"
		"copy from src/a.c\n"
		"copy to src/b.c\n"
		"diff --git a/x.c b/y.c\n"
		"similarity index 100%\n"
		"rename from x.c\n"
		"rename to y.c\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.nfiles, 3);
	assert_int_equal(p.files[0].op, AP_OP_RENAME);
	assert_string_equal(p.files[0].old_path, "old name.c");
	assert_string_equal(p.files[0].new_path, "new name.c");
	assert_int_equal(p.files[0].old_mode, 0100644);
	assert_int_equal(p.files[0].nhunks, 1);
	assert_int_equal(p.files[1].op, AP_OP_COPY);
	assert_string_equal(p.files[1].old_path, "src/a.c");
	assert_string_equal(p.files[1].new_path, "src/b.c");
	assert_int_equal(p.files[1].nhunks, 0);
	assert_int_equal(p.files[1].lineno, 13);
	assert_int_equal(p.files[2].op, AP_OP_RENAME);
	assert_string_equal(p.files[2].old_path, "x.c");
	assert_string_equal(p.files[2].new_path, "y.c");
	assert_int_equal(p.files[2].nhunks, 0);
	ap_patch_free(&p);
}

/* git's rename from/to are relative to the top, so -p2 strips one less */
static void git_rename_with_p2(void **state)
{
	static const char text[] =
		"diff --git a/sub/x.c b/sub/y.c\n"
		"rename from sub/x.c\n"
		"rename to sub/y.c\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 2);
	assert_int_equal(p.files[0].op, AP_OP_RENAME);
	assert_string_equal(p.files[0].old_path, "x.c");
	assert_string_equal(p.files[0].new_path, "y.c");
	ap_patch_free(&p);
}

static void git_quoted_names(void **state)
{
	static const char text[] =
		"diff --git \"a/caf\\303\\251 \\\"q\\\".c\" \"b/caf\\303\\251 \\\"q\\\".c\"\n"
		"--- \"a/caf\\303\\251 \\\"q\\\".c\"\n"
		"+++ \"b/caf\\303\\251 \\\"q\\\".c\"\n"
		"@@ -1 +1 @@\n"
		"-x\n"
		"+y\n"
		"diff --git \"a/tab\\303\\251\" \"b/tab\\303\\251\"\n"
		"new file mode 100644\n"
		"--- /dev/null\n"
		"+++ \"b/tab\\303\\251\"\n"
		"@@ -0,0 +1 @@\n"
		"+z\n"
		"diff --git a/plain \"b/sp ace\"\n"
		"rename from plain\n"
		"rename to \"sp ace\"\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.nfiles, 3);
	assert_string_equal(p.files[0].old_path, "caf\xc3\xa9 \"q\".c");
	assert_string_equal(p.files[0].new_path, "caf\xc3\xa9 \"q\".c");
	assert_int_equal(p.files[1].op, AP_OP_CREATE);
	assert_string_equal(p.files[1].new_path, "tab\xc3\xa9");
	assert_int_equal(p.files[2].op, AP_OP_RENAME);
	assert_string_equal(p.files[2].old_path, "plain");
	assert_string_equal(p.files[2].new_path, "sp ace");
	ap_patch_free(&p);
	/* a quoted backslash is decoded, then refused: Windows reads it as '/' */
	parse_fails("diff --git \"a/back\\\\slash\" \"b/back\\\\slash\"\n"
		    "new file mode 100644\n--- /dev/null\n+++ \"b/back\\\\slash\"\n"
		    "@@ -0,0 +1 @@\n+z\n", 1, "t.patch:", "unsafe path 'back\\slash': contains a backslash");
}

static void dep3_header_is_the_description(void **state)
{
	static const char text[] =
		"Description: Use MAP_NORESERVE for the pool on Cygwin\n"
		" so that fork() does not commit it.\n"
		" .\n"
		" Second paragraph.\n"
		"Author: A. Packager <ap@example.org>\n"
		"Forwarded: https://github.com/gap-system/gap/pull/3335\n"
		"Bug: https://trac.sagemath.org/ticket/27214\n"
		"Last-Update: 2019-03-01\n"
		"---\n"
		"--- a/src/sysmem.c\n"
		"+++ b/src/sysmem.c\n"
		"@@ -1 +1 @@\n"
		"-a\n"
		"+b\n"
		"Forwarded: not in the header\n";
	ap_patch p;
	char *v;
	size_t line = 0;

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.desc_len, (size_t)(strstr(text, "--- a/") - text));
	v = ap_patch_header(&p, "Description", &line);
	assert_string_equal(v, "Use MAP_NORESERVE for the pool on Cygwin\n"
			    " so that fork() does not commit it.\n .\n Second paragraph.");
	assert_int_equal(line, 1);
	free(v);
	/* field names are case-insensitive */
	v = ap_patch_header(&p, "forwarded", &line);
	assert_string_equal(v, "https://github.com/gap-system/gap/pull/3335");
	assert_int_equal(line, 6);
	free(v);
	v = ap_patch_header(&p, "Last-Update", NULL);
	assert_string_equal(v, "2019-03-01");
	free(v);
	/* a prefix of a field name is not the field */
	assert_null(ap_patch_header(&p, "Descr", NULL));
	assert_null(ap_patch_header(&p, "Origin", NULL));
	ap_patch_free(&p);
}

static void forwarded_with_continuation_lines(void **state)
{
	static const char text[] =
		"Subject: fix\n"
		"Forwarded: no, because\n"
		"\tit is Cygwin-specific\n"
		"  and upstream prefers #ifdefs\n"
		"Applied-Upstream: 4.11.0\r\n"
		"\n"
		"--- a/x\n"
		"+++ b/x\n"
		"@@ -1 +1 @@\n"
		"-a\n"
		"+b\n";
	ap_patch p;
	char *v;
	size_t line = 0;

	(void)state;
	parse_ok(&p, text, 1);
	v = ap_patch_header(&p, "Forwarded", &line);
	assert_string_equal(v, "no, because\n\tit is Cygwin-specific\n  and upstream prefers #ifdefs");
	assert_int_equal(line, 2);
	free(v);
	/* a CR before the line's end is not part of the value */
	v = ap_patch_header(&p, "Applied-Upstream", &line);
	assert_string_equal(v, "4.11.0");
	assert_int_equal(line, 5);
	free(v);
	ap_patch_free(&p);
}

static void format_patch_mail(void **state)
{
	static const char text[] =
		"From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001\n"
		"From: Dima Pasechnik <dima@example.org>\n"
		"Date: Tue, 5 Mar 2019 10:00:00 +0000\n"
		"Subject: [PATCH] Use MAP_NORESERVE on Cygwin\n"
		" (and keep the default pool)\n"
		"\n"
		"Longer explanation.\n"
		"---\n"
		" src/sysmem.c | 2 +-\n"
		" 1 file changed, 1 insertion(+), 1 deletion(-)\n"
		"\n"
		"diff --git a/src/sysmem.c b/src/sysmem.c\n"
		"index 1111111..2222222 100644\n"
		"--- a/src/sysmem.c\n"
		"+++ b/src/sysmem.c\n"
		"@@ -1,3 +1,3 @@\n"
		" a\n"
		"-b\n"
		"+c\n"
		" d\n"
		"-- \n"
		"2.20.1\n"
		"\n";
	ap_patch p;
	char *v;

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.desc_len, (size_t)(strstr(text, "diff --git") - text));
	assert_int_equal(p.nfiles, 1);
	assert_int_equal(p.files[0].lineno, 12);
	assert_int_equal(p.files[0].nhunks, 1);
	assert_hunk(&p.files[0].hunks[0], " a\n-b\n+c\n d\n");
	v = ap_patch_header(&p, "Subject", NULL);
	assert_string_equal(v, "[PATCH] Use MAP_NORESERVE on Cygwin\n (and keep the default pool)");
	free(v);
	v = ap_patch_header(&p, "From", NULL);
	assert_string_equal(v, "Dima Pasechnik <dima@example.org>");
	free(v);
	ap_patch_free(&p);
}

static void dev_null_creation_and_deletion(void **state)
{
	static const char text[] =
		"--- /dev/null\n"
		"+++ b/new.txt\n"
		"@@ -0,0 +1 @@\n"
		"+hello\n"
		"--- a/gone.txt\n"
		"+++ /dev/null\n"
		"@@ -1 +0,0 @@\n"
		"-bye\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.nfiles, 2);
	assert_int_equal(p.files[0].op, AP_OP_CREATE);
	assert_null(p.files[0].old_path);
	assert_string_equal(p.files[0].new_path, "new.txt");
	assert_numbers(&p.files[0].hunks[0], 0, 0, 1, 1, 3);
	assert_int_equal(p.files[1].op, AP_OP_DELETE);
	assert_string_equal(p.files[1].old_path, "gone.txt");
	assert_null(p.files[1].new_path);
	assert_numbers(&p.files[1].hunks[0], 1, 1, 0, 0, 7);
	ap_patch_free(&p);
}

/* diff -N marks a missing side with the epoch as its timestamp */
static void epoch_timestamps_create_and_delete(void **state)
{
	static const char text[] =
		"diff -Naur a/new.txt b/new.txt\n"
		"--- a/new.txt\t1970-01-01 00:00:00.000000000 +0000\n"
		"+++ b/new.txt\t2019-01-01 10:00:00.000000000 +0000\n"
		"@@ -0,0 +1,2 @@\n"
		"+x\n"
		"+y\n"
		"diff -Naur a/gone.txt b/gone.txt\n"
		"--- a/gone.txt\t2019-01-01 10:00:00.000000000 -0500\n"
		"+++ b/gone.txt\t1969-12-31 19:00:00.000000000 -0500\n"
		"@@ -1 +0,0 @@\n"
		"-z\n"
		"--- a/kept.txt\t1970-01-01 00:00:00.000000000 +0000\n"
		"+++ b/kept.txt\t2019-01-01 10:00:00.000000000 +0000\n"
		"@@ -1 +1 @@\n"
		"-p\n"
		"+q\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.nfiles, 3);
	assert_int_equal(p.files[0].op, AP_OP_CREATE);
	assert_null(p.files[0].old_path);
	assert_string_equal(p.files[0].new_path, "new.txt");
	assert_int_equal(p.files[1].op, AP_OP_DELETE);
	assert_string_equal(p.files[1].old_path, "gone.txt");
	assert_null(p.files[1].new_path);
	/* an epoch date on a file with old lines is only a date */
	assert_int_equal(p.files[2].op, AP_OP_MODIFY);
	assert_string_equal(p.files[2].old_path, "kept.txt");
	ap_patch_free(&p);
}

static void no_newline_at_end_of_file(void **state)
{
	static const char text[] =
		"--- a/f\n"
		"+++ b/f\n"
		"@@ -1,2 +1,2 @@\n"
		" a\n"
		"-b\n"
		"\\ No newline at end of file\n"
		"+c\n"
		"\\ No newline at end of file\n"
		"--- a/g\n"
		"+++ b/g\n"
		"@@ -1 +1 @@\n"
		"-last\n"
		"\\ No newline at end of file\n"
		"+last\n"
		"--- a/h\n"
		"+++ b/h\n"
		"@@ -1,2 +1,2 @@\n"
		"-x\n"
		"+y\n"
		" tail\n"
		"\\ Kein Zeilenumbruch am Dateiende.\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.nfiles, 3);
	assert_hunk(&p.files[0].hunks[0], " a\n-b<no-eol>\n+c<no-eol>\n");
	/* the patch adds the missing newline */
	assert_hunk(&p.files[1].hunks[0], "-last<no-eol>\n+last\n");
	/* the marker is recognised by its backslash, in any language */
	assert_hunk(&p.files[2].hunks[0], "-x\n+y\n tail<no-eol>\n");
	ap_patch_free(&p);
}

/* a last line ending in "\r" without "\n" keeps its "\r", as GNU patch and
 * git apply keep it (issue 11, item 8); in a patch whose every line end
 * was converted to CRLF, marker included, the "\r" is a line end */
static void cr_before_no_newline(void **state)
{
	static const char text[] =
		"--- a/f\n"
		"+++ b/f\n"
		"@@ -1,2 +1,3 @@\n"
		" one\n"
		" two\r\n"
		"+three\r\n"
		"\\ No newline at end of file\n"
		"--- a/g\n"
		"+++ b/g\n"
		"@@ -1,3 +1,3 @@\n"
		" one\n"
		"-two\n"
		"+TWO\n"
		" three\r\n"
		"\\ No newline at end of file\n"
		"--- a/h\r\n"
		"+++ b/h\r\n"
		"@@ -1 +1 @@\r\n"
		"-x\r\n"
		"+y\r\n"
		"\\ No newline at end of file\r\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.nfiles, 3);
	assert_hunk(&p.files[0].hunks[0], " one\n two<CR>\n+three\r<no-eol>\n");
	assert_hunk(&p.files[1].hunks[0], " one\n-two\n+TWO\n three\r<no-eol>\n");
	assert_hunk(&p.files[2].hunks[0], "-x<CR>\n+y<no-eol>\n");
	ap_patch_free(&p);
}

static void crlf_patch_lines(void **state)
{
	static const char text[] =
		"--- a/dos.txt\r\n"
		"+++ b/dos.txt\r\n"
		"@@ -1,3 +1,3 @@\r\n"
		" one\r\n"
		"-two\r\n"
		"+TWO\r\n"
		"\r\n"
		"\\ No newline at end of file\r\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_string_equal(p.files[0].old_path, "dos.txt");
	assert_string_equal(p.files[0].new_path, "dos.txt");
	/* every line ends in CRLF: the patch was converted as a whole, and
	 * each line's "\r" is the conversion's; a bare CRLF inside a hunk is
	 * an empty context line */
	assert_hunk(&p.files[0].hunks[0], " one\n-two\n+TWO\n <no-eol>\n");
	assert_int_equal(p.files[0].hunks[0].lines[0].len, 3);
	ap_patch_free(&p);
}

/* A patch for a CRLF file (its lines "x\r\n"), converted to CRLF as a
 * whole: "x\r\r\n". Only the conversion's "\r" goes, as GNU patch reads
 * it; before, the CRLF file's own lines did not match " x\r". */
static void crlf_converted_crlf_content(void **state)
{
	static const char text[] =
		"Subject: fix\r\n\r\n"
		"--- a/dos.txt\r\n"
		"+++ b/dos.txt\r\n"
		"@@ -1,3 +1,3 @@\r\n"
		" one\r\r\n"
		"-two\r\r\n"
		"+TWO\r\n"
		" three\r\r\n"
		"\\ No newline at end of file\r\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_hunk(&p.files[0].hunks[0], " one<CR>\n-two<CR>\n+TWO\n three\r<no-eol>\n");
	ap_patch_free(&p);
}

static void strip_levels(void **state)
{
	static const char text[] =
		"--- a/b/c.c\n"
		"+++ a/b/c.c\n"
		"@@ -1 +1 @@\n"
		"-x\n"
		"+y\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 0);
	assert_string_equal(p.files[0].new_path, "a/b/c.c");
	ap_patch_free(&p);
	parse_ok(&p, text, 1);
	assert_string_equal(p.files[0].new_path, "b/c.c");
	ap_patch_free(&p);
	parse_ok(&p, text, 2);
	assert_string_equal(p.files[0].old_path, "c.c");
	assert_string_equal(p.files[0].new_path, "c.c");
	ap_patch_free(&p);
	parse_fails(text, 3, "t.patch:1: ", "cannot strip 3 leading components");
}

/* one side may lose everything to -p when the other still names the file */
static void strip_level_one_side_short(void **state)
{
	static const char text[] =
		"--- x.c.orig\n"
		"+++ dir/x.c\n"
		"@@ -1 +1 @@\n"
		"-x\n"
		"+y\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.files[0].op, AP_OP_MODIFY);
	assert_string_equal(p.files[0].old_path, "x.c");
	assert_string_equal(p.files[0].new_path, "x.c");
	ap_patch_free(&p);
}

static void blank_lines_are_empty_context(void **state)
{
	static const char text[] =
		"--- a/f\n"
		"+++ b/f\n"
		"@@ -1,4 +1,4 @@\n"
		" a\n"
		"\n"
		"-c\n"
		"+C\n"
		"\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_hunk(&p.files[0].hunks[0], " a\n \n-c\n+C\n \n");
	ap_patch_free(&p);
}

/* inside a hunk, lines are read by count: "--- x" deletes "-- x" */
static void header_lookalikes_inside_hunks(void **state)
{
	static const char text[] =
		"--- a/q.sql\n"
		"+++ b/q.sql\n"
		"@@ -1,3 +1,3 @@\n"
		"--- comment\n"
		"+++ counter\n"
		" @@ -1 +1 @@\n"
		" diff --git a/x b/x\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.nfiles, 1);
	assert_hunk(&p.files[0].hunks[0], "--- comment\n+++ counter\n @@ -1 +1 @@\n diff --git a/x b/x\n");
	ap_patch_free(&p);
}

static void several_files_and_hunks(void **state)
{
	static const char text[] =
		"diff --git a/one b/one\n"
		"--- a/one\n"
		"+++ b/one\n"
		"@@ -1,2 +1,2 @@\n"
		"-a\n"
		"+A\n"
		" b\n"
		"@@ -10,2 +10,3 @@ section two\n"
		" j\n"
		"+k\n"
		" l\n"
		"diff --git a/two b/two\n"
		"--- a/two\n"
		"+++ b/two\n"
		"@@ -3 +3 @@\n"
		"-x\n"
		"+y\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.nfiles, 2);
	assert_int_equal(p.files[0].nhunks, 2);
	assert_numbers(&p.files[0].hunks[1], 10, 2, 10, 3, 8);
	assert_string_equal(p.files[0].hunks[1].section, "section two");
	assert_int_equal(p.files[1].lineno, 12);
	assert_numbers(&p.files[1].hunks[0], 3, 1, 3, 1, 15);
	ap_patch_free(&p);
}

/* refresh rewrites exactly the bytes of each file diff's hunks */
static void hunk_bytes_of_each_file(void **state)
{
	static const char text[] =
		"desc\n"
		"--- a/f\n+++ b/f\n"
		"@@ -1 +1 @@\n-a\n+b\n\\ No newline at end of file\n"
		"diff --git a/m b/m\nold mode 100644\nnew mode 100755\n"
		"diff --git a/g b/g\n--- a/g\n+++ b/g\n"
		"@@ -1 +1 @@\r\n-x\r\n+y\r\n"
		"@@ -5 +5 @@\r\n-p\r\n+q\r\n"
		"-- \n2.20.1\n";
	ap_patch p;
	const char *f1 = strstr(text, "@@"), *git = strstr(text, "diff --git");
	const char *g1 = strstr(text, "+++ b/g\n") + 8, *sig = strstr(text, "-- \n");

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.nfiles, 3);
	assert_int_equal(p.files[0].body_start, (size_t)(f1 - text));
	assert_int_equal(p.files[0].body_end, (size_t)(git - text));
	/* a file diff without hunks has an empty body where its hunks would be */
	assert_int_equal(p.files[1].body_start, p.files[1].body_end);
	assert_true(p.files[1].body_start > (size_t)(git - text));
	assert_true(p.files[1].body_start <= (size_t)(strstr(text, "diff --git a/g") - text));
	assert_bytes(text + p.files[2].body_start, 2, "@@");
	assert_int_equal(p.files[2].body_start, (size_t)(g1 - text));
	assert_int_equal(p.files[2].body_end, (size_t)(sig - text));
	ap_patch_free(&p);
}

/* text after the last hunk (signatures, stray notes) is not a diff */
static void trailing_garbage_is_ignored(void **state)
{
	static const char text[] =
		"--- a/f\n"
		"+++ b/f\n"
		"@@ -1 +1 @@\n"
		"-a\n"
		"+b\n"
		"-- \n"
		"2.20.1\n"
		"\n"
		"+ stray line\n"
		"Thanks!\n";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.nfiles, 1);
	assert_int_equal(p.files[0].hunks[0].nlines, 2);
	ap_patch_free(&p);
}

/* a patch cut in the middle of its last line still has that line */
static void last_line_without_newline(void **state)
{
	static const char text[] =
		"--- a/f\n"
		"+++ b/f\n"
		"@@ -1 +1 @@\n"
		"-a\n"
		"+b";
	ap_patch p;

	(void)state;
	parse_ok(&p, text, 1);
	assert_int_equal(p.files[0].hunks[0].nlines, 2);
	assert_bytes(p.files[0].hunks[0].lines[1].text, p.files[0].hunks[0].lines[1].len, "b");
	ap_patch_free(&p);
}

/* --- refusals, each with its line ----------------------------------------- */

static void refuse_hunk_without_header(void **state)
{
	(void)state;
	parse_fails("Some text\n\n@@ -1 +1 @@\n-a\n+b\n", 1, "t.patch:3: ",
		    "hunk without a file header");
}

static void refuse_hunk_cut_short(void **state)
{
	(void)state;
	parse_fails("intro\n--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n", 1, "t.patch:4: ",
		    "cut short");
	/* the next file's header is not a hunk line */
	parse_fails("--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+c\ndiff --git a/g b/g\n", 1,
		    "t.patch:7: ", "hunk ends early");
	parse_fails("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\nb\n", 1, "t.patch:5: ",
		    "hunk ends early");
}

static void refuse_too_many_lines(void **state)
{
	(void)state;
	parse_fails("--- a/f\n+++ b/f\n@@ -1,1 +1,2 @@\n a\n-b\n+c\n", 1, "t.patch:5: ",
		    "more old lines");
	parse_fails("--- a/f\n+++ b/f\n@@ -1,2 +1,1 @@\n a\n+b\n-c\n", 1, "t.patch:5: ",
		    "more new lines");
}

static void refuse_malformed_hunk_headers(void **state)
{
	static const char *const bad[] = {
		"@@ -1,x +1 @@",
		"@@ -1 +1",
		"@@ -1,2 +1,2@@",
		"@@ -a +1 @@",
		"@@ -1 -1 @@",
		"@@ -1, +1 @@",
		"@@ -1 +1 @",
		"@@ - 1 +1 @@",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *text = ap_printf("desc\n--- a/f\n+++ b/f\n%s\n-a\n+b\n", bad[i]);

		parse_fails(text, 1, "t.patch:4: ", "malformed hunk header");
		free(text);
	}
	parse_fails("--- a/f\n+++ b/f\n@@ -0,1 +1 @@\n-a\n+b\n", 1, "t.patch:3: ", "line 0");
}

static void refuse_overlapping_and_unordered_hunks(void **state)
{
	(void)state;
	parse_fails("--- a/f\n+++ b/f\n"
		    "@@ -1,3 +1,3 @@\n a\n-b\n+c\n d\n"
		    "@@ -3,2 +3,2 @@\n d\n-e\n+f\n", 1, "t.patch:8: ", "must not overlap");
	parse_fails("--- a/f\n+++ b/f\n"
		    "@@ -10,2 +10,2 @@\n-a\n+b\n c\n"
		    "@@ -1,2 +1,2 @@\n-d\n+e\n f\n", 1, "t.patch:7: ", "in order");
}

static void refuse_absurd_numbers(void **state)
{
	static const char *const bad[] = {
		"@@ -100000001,1 +1,1 @@",
		"@@ -1,100000001 +1,1 @@",
		"@@ -1,1 +100000001,1 @@",
		"@@ -1,1 +1,100000001 @@",
		"@@ -99999999999999999999,1 +1,1 @@",
		"@@ -1,18446744073709551617 +1,1 @@",
		"@@ -9223372036854775807 +1 @@",
		"@@ -1 +1,4294967297 @@",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *text = ap_printf("--- a/f\n+++ b/f\n%s\n-a\n+b\n", bad[i]);

		parse_fails(text, 1, "t.patch:3: ", "over the limit of 100000000");
		free(text);
	}
}

/* the largest allowed count is still only a count: the hunk is short */
static void largest_count_is_bounded(void **state)
{
	(void)state;
	parse_fails("--- a/f\n+++ b/f\n@@ -1,100000000 +1,100000000 @@\n a\n", 1, "t.patch:3: ",
		    "cut short");
}

static void refuse_unsafe_header_paths(void **state)
{
	(void)state;
	parse_fails("--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-a\n+b\n", 0, "t.patch:1: ",
		    "is absolute");
	parse_fails("--- a/../x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n", 1, "t.patch:1: ", "'..'");
	parse_fails("--- a/x\n+++ b/../../x\n@@ -1 +1 @@\n-a\n+b\n", 1, "t.patch:2: ", "'..'");
	parse_fails("--- a/.git/config\n+++ b/.git/config\n@@ -1 +1 @@\n-a\n+b\n", 1,
		    "t.patch:1: ", ".git");
	parse_fails("--- /dev/null\n+++ b/.git/hooks/post-checkout\n@@ -0,0 +1 @@\n+rm -rf ~\n", 1,
		    "t.patch:2: ", ".git");
	parse_fails("x\n--- a/.applypatch/state\n+++ b/.applypatch/state\n@@ -1 +1 @@\n-a\n+b\n", 1,
		    "t.patch:2: ", ".applypatch");
	parse_fails("--- a/b//c\n+++ a/b//c\n@@ -1 +1 @@\n-a\n+b\n", 1, "t.patch:1: ",
		    "empty component");
	parse_fails("--- a/x\x01y\n+++ b/x\x01y\n@@ -1 +1 @@\n-a\n+b\n", 1, "t.patch:1: ",
		    "control character");
	parse_fails("--- a/x\x1b[2J\n+++ b/x\x1b[2J\n@@ -1 +1 @@\n-a\n+b\n", 1, "t.patch:1: ",
		    "\\x1b");  /* shown escaped, never raw */
	parse_fails("--- \"a/t\\tab\"\n+++ \"b/t\\tab\"\n@@ -1 +1 @@\n-a\n+b\n", 1, "t.patch:1: ",
		    "control character");
	parse_fails("--- \"a/x\\ny\"\n+++ \"b/x\\ny\"\n@@ -1 +1 @@\n-a\n+b\n", 1, "t.patch:1: ",
		    "line break");
	parse_fails("--- \"a/unterminated\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n", 1, "t.patch:1: ",
		    "quoted");
	{
		static const char nul[] = "--- a/x\0y\n+++ b/x\0y\n@@ -1 +1 @@\n-a\n+b\n";

		parse_fails_n(nul, sizeof nul - 1, 1, "t.patch:1: ", "NUL");
	}
}

/* "\000" in a quoted name is a NUL byte: the name must be refused, not
 * cut at the NUL into a different, harmless-looking file name */
static void refuse_quoted_nul_in_header_name(void **state)
{
	(void)state;
	/* regression: the unquoted name was once measured with strlen(), so
	 * this patch modified the file "evil" */
	parse_fails("--- \"a/evil\\000/../x\"\n+++ \"b/evil\\000/../x\"\n@@ -1 +1 @@\n-a\n+b\n", 1,
		    "t.patch:1: ", "NUL");
}

static void refuse_quoted_nul_in_git_name(void **state)
{
	(void)state;
	/* regression: this once parsed as a rename of "evil" to "y" */
	parse_fails("diff --git a/y b/y\nrename from \"evil\\000.c\"\nrename to y\n", 1,
		    "t.patch:2: ", "NUL");
}

static void refuse_unsafe_git_paths(void **state)
{
	(void)state;
	parse_fails("diff --git a/x b/y\nsimilarity index 90%\nrename from ../x\nrename to y\n", 1,
		    "t.patch:3: ", "'..'");
	parse_fails("diff --git a/x b/y\nrename from x\nrename to .git/hooks/pre-commit\n", 1,
		    "t.patch:3: ", ".git");
	parse_fails("diff --git a/x b/y\ncopy from /etc/shadow\ncopy to y\n", 1, "t.patch:2: ",
		    "absolute");
	parse_fails("diff --git a/x b/y\nrename from x\nrename to a//y\n", 1, "t.patch:3: ",
		    "empty component");
	parse_fails("diff --git a/.git/config b/.git/config\nold mode 100644\nnew mode 100755\n", 1,
		    "t.patch:1: ", ".git");
	parse_fails("diff --git a/x b/x\nnew file mode 160000\n", 1, "t.patch:2: ",
		    "unsupported file mode");
	parse_fails("diff --git a/x b/x\nold mode 10x644\n", 1, "t.patch:2: ", "malformed file mode");
}

static void refuse_rename_without_both_names(void **state)
{
	(void)state;
	parse_fails("diff --git a/x b/y\nrename from x\n", 1, "t.patch:1: ", "rename");
}

static void refuse_context_diff(void **state)
{
	(void)state;
	parse_fails("Intro.\n"
		    "*** a/f\t2019-01-01 10:00:00\n"
		    "--- b/f\t2019-01-01 10:00:01\n"
		    "***************\n"
		    "*** 1,3 ****\n"
		    "  a\n"
		    "! b\n"
		    "  c\n"
		    "--- 1,3 ----\n"
		    "  a\n"
		    "! B\n"
		    "  c\n", 1, "t.patch:2: ", "context diffs are not supported");
}

static void refuse_normal_diff(void **state)
{
	(void)state;
	parse_fails("3c3\n< old\n---\n> new\n", 1, "t.patch:1: ", "normal");
	parse_fails("note\n5,7d4\n< a\n< b\n< c\n", 1, "t.patch:2: ", "normal");
	parse_fails("0a1,2\n> a\n> b\n", 1, "t.patch:1: ", "normal");
}

static void refuse_ed_scripts(void **state)
{
	(void)state;
	parse_fails("1a\nhello\n.\n", 1, "t.patch:1: ", "ed");
	parse_fails("A description.\n\n3,5d\n2a\n!sh -c 'rm -rf ~'\n.\n", 1, "t.patch:3: ", "ed");
	parse_fails("2c\n!rm -rf ~\n", 1, "t.patch:1: ", "shell");
}

static void refuse_binary_patches(void **state)
{
	(void)state;
	parse_fails("diff --git a/img.png b/img.png\n"
		    "index 1111111..2222222 100644\n"
		    "GIT binary patch\n"
		    "literal 10\n"
		    "zcmZ?wbhEHbRA6vm_{6~Q9|\n"
		    "\n", 1, "t.patch:3: ", "binary");
	parse_fails("diff --git a/img.png b/img.png\n"
		    "new file mode 100644\n"
		    "index 0000000..2222222\n"
		    "Binary files /dev/null and b/img.png differ\n", 1, "t.patch:4: ", "binary");
	parse_fails("text\nBinary files a/x.bin and b/x.bin differ\n", 1, "t.patch:2: ", "binary");
	/* after good hunks of another file, still refused */
	parse_fails("diff --git a/t b/t\n--- a/t\n+++ b/t\n@@ -1 +1 @@\n-a\n+b\n"
		    "diff --git a/i b/i\nindex 1..2 100644\nGIT binary patch\nliteral 1\nzcm\n", 1,
		    "t.patch:9: ", "binary");
}

static void refuse_no_diff(void **state)
{
	(void)state;
	parse_fails("just text\nmore text\n", 1, "t.patch:2: ", "no diff found");
	parse_fails("", 1, "t.patch:1: ", "no diff found");
	parse_fails("--- a/f\n+++ b/f\n", 1, "t.patch:1: ", "without any hunk");
}

static void refuse_bad_creation_and_deletion(void **state)
{
	(void)state;
	parse_fails("--- /dev/null\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n", 1, "t.patch:3: ", "@@ -0,0");
	parse_fails("--- a/f\n+++ /dev/null\n@@ -1 +1 @@\n-a\n+b\n", 1, "t.patch:3: ", "+0,0");
	parse_fails("diff --git a/f b/f\nnew file mode 100644\n--- /dev/null\n+++ b/f\n@@ -1 +1 @@\n"
		    "-a\n+b\n", 1, "t.patch:5: ", "@@ -0,0");
}

static void refuse_oversized_patch(void **state)
{
	ap_error err = AP_ERROR_INIT;
	ap_patch p;
	static const char small[] = "x";

	(void)state;
	/* the size is checked before anything is read or copied */
	assert_int_equal(ap_patch_parse(&p, "huge.patch", small, AP_PATCH_MAX_BYTES + 1, 1, &err),
			 -1);
	assert_prefix(err.msg, "huge.patch: ");
	assert_contains(err.msg, "limit");
}

/* A patch's identity is its diff: DEP-3 headers and quilt's Index: lines
 * before the first file header are left out; any change below is not. */
static void identity_is_the_diff(void **state)
{
	static const char a[] = "Description: one\nLast-Update: 2020-01-01\n\n"
				"Index: x/f.c\n===\n--- a/f.c\n+++ b/f.c\n@@ -1 +1 @@\n-a\n+b\n";
	static const char b[] = "Description: one, said better\nLast-Update: 2030-01-01\n\n"
				"--- a/f.c\n+++ b/f.c\n@@ -1 +1 @@\n-a\n+b\n";
	static const char c[] = "Description: one\n--- a/f.c\n+++ b/f.c\n@@ -1 +1 @@\n-a\n+c\n";
	static const char g[] = "From: x\nSubject: y\n---\n f.c | 2 +-\n\ndiff --git a/f.c b/f.c\n"
				"--- a/f.c\n+++ b/f.c\n@@ -1 +1 @@\n-a\n+b\n";
	static const char none[] = "no diff here\n--- not a header\n";
	char ia[AP_SHA256_HEX], ib[AP_SHA256_HEX], ic[AP_SHA256_HEX], whole[AP_SHA256_HEX];

	(void)state;
	assert_int_equal(ap_patch_diff_start(a, strlen(a)), strstr(a, "--- a/") - a);
	assert_int_equal(ap_patch_diff_start(g, strlen(g)), strstr(g, "diff --git") - g);
	assert_int_equal(ap_patch_diff_start(none, strlen(none)), 0);
	assert_int_equal(ap_patch_id(a, strlen(a), ia), 0);
	assert_int_equal(ap_patch_id(b, strlen(b), ib), 0);
	assert_int_equal(ap_patch_id(c, strlen(c), ic), 0);
	assert_string_equal(ia, ib);
	assert_string_not_equal(ia, ic);
	assert_int_equal(ap_patch_id(none, strlen(none), ic), 0);
	assert_int_equal(ap_sha256_hex(none, strlen(none), whole), 0);
	assert_string_equal(ic, whole);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identity_is_the_diff),
		cmocka_unit_test(unified_with_timestamps),
		cmocka_unit_test(header_names_with_spaces_and_dates),
		cmocka_unit_test(quilt_index_lines),
		cmocka_unit_test(git_new_and_deleted_files),
		cmocka_unit_test(git_mode_change_only),
		cmocka_unit_test(git_index_line_with_mode),
		cmocka_unit_test(git_rename_and_copy),
		cmocka_unit_test(git_rename_with_p2),
		cmocka_unit_test(git_quoted_names),
		cmocka_unit_test(dep3_header_is_the_description),
		cmocka_unit_test(forwarded_with_continuation_lines),
		cmocka_unit_test(format_patch_mail),
		cmocka_unit_test(dev_null_creation_and_deletion),
		cmocka_unit_test(epoch_timestamps_create_and_delete),
		cmocka_unit_test(no_newline_at_end_of_file),
		cmocka_unit_test(cr_before_no_newline),
		cmocka_unit_test(crlf_patch_lines),
		cmocka_unit_test(crlf_converted_crlf_content),
		cmocka_unit_test(strip_levels),
		cmocka_unit_test(strip_level_one_side_short),
		cmocka_unit_test(blank_lines_are_empty_context),
		cmocka_unit_test(header_lookalikes_inside_hunks),
		cmocka_unit_test(several_files_and_hunks),
		cmocka_unit_test(hunk_bytes_of_each_file),
		cmocka_unit_test(trailing_garbage_is_ignored),
		cmocka_unit_test(last_line_without_newline),
		cmocka_unit_test(refuse_hunk_without_header),
		cmocka_unit_test(refuse_hunk_cut_short),
		cmocka_unit_test(refuse_too_many_lines),
		cmocka_unit_test(refuse_malformed_hunk_headers),
		cmocka_unit_test(refuse_overlapping_and_unordered_hunks),
		cmocka_unit_test(refuse_absurd_numbers),
		cmocka_unit_test(largest_count_is_bounded),
		cmocka_unit_test(refuse_unsafe_header_paths),
		cmocka_unit_test(refuse_quoted_nul_in_header_name),
		cmocka_unit_test(refuse_quoted_nul_in_git_name),
		cmocka_unit_test(refuse_unsafe_git_paths),
		cmocka_unit_test(refuse_rename_without_both_names),
		cmocka_unit_test(refuse_context_diff),
		cmocka_unit_test(refuse_normal_diff),
		cmocka_unit_test(refuse_ed_scripts),
		cmocka_unit_test(refuse_binary_patches),
		cmocka_unit_test(refuse_no_diff),
		cmocka_unit_test(refuse_bad_creation_and_deletion),
		cmocka_unit_test(refuse_oversized_patch),
	};

	return cmocka_run_group_tests_name("patch", tests, NULL, NULL);
}
