/* test_identity.c - a patch's identity (identity.h).
 *
 * The same change regenerated in another form (git's, quilt's, diff -u
 * with timestamps, other index abbreviations, another funcname after "@@",
 * a mail around it, saved with CRLF, files in another order, the change
 * aligned another way, more context) has one identity; any change to what
 * it changes (a line's bytes, a line end inside the content, a path, a
 * mode, the kind of file, the context next to it, where the change is,
 * the strip level) gives another. Version 1's and version 2's rules,
 * which state records of versions 3 and 4 hold, are pinned.
 */
#include "testutil.h"

#include "identity.h"
#include "patch.h"

/* git_mail's identity by version 1's rule, from applypatch 6184afd's state
 * record (the last to write it) */
#define V1_GIT_MAIL "d3cd1b282ff849a7c14787e41f2ea16dc7da95f8046eb628ca69a65f667a3557"
/* and by version 2's rule, from applypatch 6ba1644 (the last to write it) */
#define V2_GIT_MAIL "52d8d8e3b00dcca8d3ab49050197df6a8572f2c97b752226858440d1de139863"

/* The identity of text read with -p strip; the text must parse. */
static void id_of(const char *text, int strip, char out[AP_SHA256_HEX])
{
	ap_patch p = AP_PATCH_INIT;
	ap_error err = AP_ERROR_INIT;
	char again[AP_SHA256_HEX];

	if (ap_patch_parse(&p, "t.patch", text, strlen(text), strip, &err) < 0)
		fail_msg("does not parse: %s\n%s", err.msg, text);
	assert_int_equal(ap_patch_identity(&p, out), 0);
	ap_patch_free(&p);
	assert_int_equal(ap_patch_identity_of(text, strlen(text), strip, again), 0);
	assert_string_equal(out, again);
	assert_int_equal(strlen(out), 64);
}

/* Whether two texts (read with -p1) have one identity. */
static int same_identity(const char *x, const char *y)
{
	char a[AP_SHA256_HEX], b[AP_SHA256_HEX];

	id_of(x, 1, a);
	id_of(y, 1, b);
	return strcmp(a, b) == 0;
}

/* text with every "\n" made "\r\n" (the caller frees it) */
static char *crlf(const char *text)
{
	ap_buf b = AP_BUF_INIT;

	for (const char *s = text; *s; s++) {
		if (*s == '\n')
			ap_buf_putc(&b, '\r');
		ap_buf_putc(&b, *s);
	}
	return ap_buf_detach(&b, NULL);
}

/* git format-patch's mail, the form the others are compared with */
static const char git_mail[] =
	"From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001\n"
	"From: A <a@b>\nSubject: [PATCH] fix\n\n---\n a.txt | 2 +-\n 1 file changed\n\n"
	"diff --git a/src/a.txt b/src/a.txt\n"
	"index 01e79c3..d4a9c4c 100644\n"
	"--- a/src/a.txt\n+++ b/src/a.txt\n"
	"@@ -1,3 +1,3 @@\n 1\n-2\n+TWO\n 3\n"
	"diff --git a/src/b.txt b/src/b.txt\n"
	"index 1111111..2222222 100644\n"
	"--- a/src/b.txt\n+++ b/src/b.txt\n"
	"@@ -10,3 +10,4 @@ int main(void)\n x\n+y\n z\n w\n"
	"-- \n2.39.2\n\n";

static const char *const same_forms[] = {
	/* longer abbreviations, a newer git's signature */
	"From: A <a@b>\nSubject: [PATCH] fix\n\n"
	"diff --git a/src/a.txt b/src/a.txt\n"
	"index 01e79c3f00d1..d4a9c4c6e7b2 100644\n"
	"--- a/src/a.txt\n+++ b/src/a.txt\n"
	"@@ -1,3 +1,3 @@\n 1\n-2\n+TWO\n 3\n"
	"diff --git a/src/b.txt b/src/b.txt\n"
	"index 1111111aaaa..2222222bbbb 100644\n"
	"--- a/src/b.txt\n+++ b/src/b.txt\n"
	"@@ -10,3 +10,4 @@ int main(void)\n x\n+y\n z\n w\n"
	"-- \n2.45.1\n",
	/* no signature, another funcname, no mail */
	"diff --git a/src/a.txt b/src/a.txt\n"
	"--- a/src/a.txt\n+++ b/src/a.txt\n"
	"@@ -1,3 +1,3 @@ static int counter;\n 1\n-2\n+TWO\n 3\n"
	"diff --git a/src/b.txt b/src/b.txt\n"
	"--- a/src/b.txt\n+++ b/src/b.txt\n"
	"@@ -10,3 +10,4 @@\n x\n+y\n z\n w\n",
	/* quilt refresh: Index: and ==== before each file, -p1 from gap.orig/ */
	"Description: fix\nForwarded: no\n---\n"
	"Index: gap/src/a.txt\n"
	"===================================================================\n"
	"--- gap.orig/src/a.txt\n+++ gap/src/a.txt\n"
	"@@ -1,3 +1,3 @@\n 1\n-2\n+TWO\n 3\n"
	"Index: gap/src/b.txt\n"
	"===================================================================\n"
	"--- gap.orig/src/b.txt\n+++ gap/src/b.txt\n"
	"@@ -10,3 +10,4 @@ main\n x\n+y\n z\n w\n",
	/* diff -Naur with timestamps, junk in front */
	"Some words a packager wrote.\nOnly in gap: build\n"
	"diff -Naur gap.orig/src/a.txt gap/src/a.txt\n"
	"--- gap.orig/src/a.txt\t2020-01-01 00:00:00.000000000 +0000\n"
	"+++ gap/src/a.txt\t2024-05-05 12:34:56.789012345 +0200\n"
	"@@ -1,3 +1,3 @@\n 1\n-2\n+TWO\n 3\n"
	"diff -Naur gap.orig/src/b.txt gap/src/b.txt\n"
	"--- gap.orig/src/b.txt\t2020-01-01 00:00:00.000000000 +0000\n"
	"+++ gap/src/b.txt\t2024-05-05 12:34:56.789012345 +0200\n"
	"@@ -10,3 +10,4 @@\n x\n+y\n z\n w\n",
};

static void regenerated_forms_are_one_patch(void **state)
{
	char want[AP_SHA256_HEX], got[AP_SHA256_HEX];
	char *converted;

	(void)state;
	id_of(git_mail, 1, want);
	for (size_t i = 0; i < sizeof same_forms / sizeof *same_forms; i++) {
		id_of(same_forms[i], 1, got);
		if (strcmp(want, got) != 0)
			fail_msg("form %zu has another identity:\n%s", i, same_forms[i]);
	}
	/* the whole file saved with CRLF: the transport's, not the content's */
	converted = crlf(git_mail);
	id_of(converted, 1, got);
	assert_string_equal(want, got);
	free(converted);
	converted = crlf(same_forms[2]);
	id_of(converted, 1, got);
	assert_string_equal(want, got);
	free(converted);
}

/* Each changes what the patch does. */
static const char base_diff[] =
	"diff --git a/src/a.txt b/src/a.txt\n"
	"--- a/src/a.txt\n+++ b/src/a.txt\n"
	"@@ -1,3 +1,3 @@\n 1\n-2\n+TWO\n 3\n";

static const char *const other_changes[] = {
	/* an added line's bytes */
	"diff --git a/src/a.txt b/src/a.txt\n--- a/src/a.txt\n+++ b/src/a.txt\n"
	"@@ -1,3 +1,3 @@\n 1\n-2\n+TWO \n 3\n",
	/* a removed line's bytes */
	"diff --git a/src/a.txt b/src/a.txt\n--- a/src/a.txt\n+++ b/src/a.txt\n"
	"@@ -1,3 +1,3 @@\n 1\n-3\n+TWO\n 3\n",
	/* a context line's bytes */
	"diff --git a/src/a.txt b/src/a.txt\n--- a/src/a.txt\n+++ b/src/a.txt\n"
	"@@ -1,3 +1,3 @@\n 0\n-2\n+TWO\n 3\n",
	/* one "\r" in the content, the rest LF: the file gets it */
	"diff --git a/src/a.txt b/src/a.txt\n--- a/src/a.txt\n+++ b/src/a.txt\n"
	"@@ -1,3 +1,3 @@\n 1\n-2\n+TWO\r\n 3\n",
	/* no newline at the end */
	"diff --git a/src/a.txt b/src/a.txt\n--- a/src/a.txt\n+++ b/src/a.txt\n"
	"@@ -1,3 +1,3 @@\n 1\n-2\n+TWO\n 3\n\\ No newline at end of file\n",
	/* another file */
	"diff --git a/src/b.txt b/src/b.txt\n--- a/src/b.txt\n+++ b/src/b.txt\n"
	"@@ -1,3 +1,3 @@\n 1\n-2\n+TWO\n 3\n",
	/* more context where there were fewer than AP_IDENTITY_CONTEXT lines:
	 * the patch asks more of the file */
	"diff --git a/src/a.txt b/src/a.txt\n--- a/src/a.txt\n+++ b/src/a.txt\n"
	"@@ -1,4 +1,4 @@\n 1\n-2\n+TWO\n 3\n 4\n",
	/* the same change and a mode change */
	"diff --git a/src/a.txt b/src/a.txt\nold mode 100644\nnew mode 100755\n"
	"--- a/src/a.txt\n+++ b/src/a.txt\n"
	"@@ -1,3 +1,3 @@\n 1\n-2\n+TWO\n 3\n",
	/* two hunks instead of one */
	"diff --git a/src/a.txt b/src/a.txt\n--- a/src/a.txt\n+++ b/src/a.txt\n"
	"@@ -1,3 +1,3 @@\n 1\n-2\n+TWO\n 3\n@@ -9,1 +9,1 @@\n-9\n+NINE\n",
	/* the same lines at another place (version 3; a refresh against a
	 * shifted upstream was one patch for version 2) */
	"diff --git a/src/a.txt b/src/a.txt\n--- a/src/a.txt\n+++ b/src/a.txt\n"
	"@@ -4,3 +4,3 @@\n 1\n-2\n+TWO\n 3\n",
	/* a rename with the change */
	"diff --git a/src/x.txt b/src/a.txt\nsimilarity index 80%\nrename from src/x.txt\n"
	"rename to src/a.txt\n--- a/src/x.txt\n+++ b/src/a.txt\n"
	"@@ -1,3 +1,3 @@\n 1\n-2\n+TWO\n 3\n",
};

static void content_changes_are_another_patch(void **state)
{
	char base[AP_SHA256_HEX], got[AP_SHA256_HEX], *all_crlf;

	(void)state;
	id_of(base_diff, 1, base);
	for (size_t i = 0; i < sizeof other_changes / sizeof *other_changes; i++) {
		id_of(other_changes[i], 1, got);
		if (strcmp(base, got) == 0)
			fail_msg("change %zu has the same identity:\n%s", i, other_changes[i]);
	}
	/* another strip level names another file */
	id_of(base_diff, 2, got);
	assert_string_not_equal(base, got);
	/* a patch with one CRLF content line, saved with CRLF as a whole, is
	 * still unlike its all-LF form, and like itself before the
	 * conversion: only the conversion's "\r"s go */
	all_crlf = crlf(other_changes[3]);
	id_of(all_crlf, 1, got);
	assert_string_not_equal(base, got);
	id_of(other_changes[3], 1, base);
	assert_string_equal(base, got);
	free(all_crlf);
}

/* git's modes: a modify that keeps the mode is one thing however it says
 * so; a new file with no mode is 0644, as apply writes it. */
static void modes(void **state)
{
	static const char plain_new[] = "--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1 @@\n+n\n";
	static const char git_new[] = "diff --git a/n.txt b/n.txt\nnew file mode 100644\n"
				      "index 0000000..e69de29\n--- /dev/null\n+++ b/n.txt\n"
				      "@@ -0,0 +1 @@\n+n\n";
	static const char git_new_x[] = "diff --git a/n.txt b/n.txt\nnew file mode 100755\n"
					"--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1 @@\n+n\n";
	static const char git_kept[] = "diff --git a/src/a.txt b/src/a.txt\n"
				       "index 01e79c3..d4a9c4c 100755\n"
				       "--- a/src/a.txt\n+++ b/src/a.txt\n"
				       "@@ -1,3 +1,3 @@\n 1\n-2\n+TWO\n 3\n";

	(void)state;
	assert_true(same_identity(plain_new, git_new));
	assert_false(same_identity(plain_new, git_new_x));
	assert_true(same_identity(base_diff, git_kept));
}

/* red-team 4 id2: a git patch re-pointing a symlink is not the same
 * patch on a regular file of that name (apply refuses the one on a tree
 * holding the other); a mode change says the mode it takes. */
static void kinds_of_file(void **state)
{
	static const char link[] = "diff --git a/l b/l\nindex 1a2b3c4..5d6e7f8 120000\n"
				   "--- a/l\n+++ b/l\n@@ -1 +1 @@\n-sub\n"
				   "\\ No newline at end of file\n"
				   "+sub2\n\\ No newline at end of file\n";
	static const char file[] = "diff --git a/l b/l\nindex 1a2b3c4..5d6e7f8 100644\n"
				   "--- a/l\n+++ b/l\n@@ -1 +1 @@\n-sub\n"
				   "\\ No newline at end of file\n"
				   "+sub2\n\\ No newline at end of file\n";
	static const char file_plain[] = "--- a/l\n+++ b/l\n@@ -1 +1 @@\n-sub\n"
					 "\\ No newline at end of file\n"
					 "+sub2\n\\ No newline at end of file\n";
	static const char link_gone[] = "diff --git a/l b/l\ndeleted file mode 120000\n"
					"--- a/l\n+++ /dev/null\n@@ -1 +0,0 @@\n-sub\n"
					"\\ No newline at end of file\n";
	static const char file_gone[] = "diff --git a/l b/l\ndeleted file mode 100644\n"
					"--- a/l\n+++ /dev/null\n@@ -1 +0,0 @@\n-sub\n"
					"\\ No newline at end of file\n";
	static const char x_to_644[] = "diff --git a/f b/f\nold mode 100755\nnew mode 100644\n";
	static const char r_to_664[] = "diff --git a/f b/f\nold mode 100644\nnew mode 100664\n";
	static const char r_to_755[] = "diff --git a/f b/f\nold mode 100644\nnew mode 100755\n";
	static const char x_to_755[] = "diff --git a/f b/f\nold mode 100664\nnew mode 100755\n";

	(void)state;
	assert_false(same_identity(link, file));
	assert_true(same_identity(file, file_plain));
	assert_false(same_identity(link_gone, file_gone));
	assert_false(same_identity(x_to_644, r_to_664));
	assert_false(same_identity(x_to_644, r_to_755));
	/* 0664 is written as 0644: the same change of mode */
	assert_true(same_identity(r_to_755, x_to_755));
}

/* A patch that does not parse still has an identity: its diff's bytes'. */
static void unparsable_falls_back(void **state)
{
	static const char bad[] = "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n 1\n";
	char a[AP_SHA256_HEX], b[AP_SHA256_HEX];

	(void)state;
	assert_int_equal(ap_patch_identity_of(bad, strlen(bad), 1, a), 0);
	assert_int_equal(ap_patch_id(bad, strlen(bad), b), 0);
	assert_string_equal(a, b);
}

/* red-team 3 T5: git orders paths bytewise ("a.c" before "a/b.c"), diff -r
 * directory by directory; the same two changes are one patch. */
static void files_in_any_order(void **state)
{
	static const char git[] =
		"diff --git a/a.c b/a.c\nindex 587be6b..1b7e8b4 100644\n--- a/a.c\n+++ b/a.c\n"
		"@@ -1 +1 @@\n-x\n+X\n"
		"diff --git a/a/b.c b/a/b.c\nindex 975fbec..4f8b4b2 100644\n--- a/a/b.c\n+++ b/a/b.c\n"
		"@@ -1 +1 @@\n-y\n+Y\n";
	static const char diff_r[] =
		"diff -ruN A/a/b.c B/a/b.c\n--- A/a/b.c\t2026-12-03 16:47:58.430574237 +0000\n"
		"+++ B/a/b.c\t2026-12-03 16:47:58.430574237 +0000\n@@ -1 +1 @@\n-y\n+Y\n"
		"diff -ruN A/a.c B/a.c\n--- A/a.c\t2026-12-03 16:47:58.430574237 +0000\n"
		"+++ B/a.c\t2026-12-03 16:47:58.430574237 +0000\n@@ -1 +1 @@\n-x\n+X\n";
	/* the same file twice keeps its order: the second diff applies on the first */
	static const char twice[] =
		"--- a/z.c\n+++ b/z.c\n@@ -1 +1 @@\n-1\n+2\n"
		"--- a/z.c\n+++ b/z.c\n@@ -1 +1 @@\n-2\n+3\n";
	static const char twice_swapped[] =
		"--- a/z.c\n+++ b/z.c\n@@ -1 +1 @@\n-2\n+3\n"
		"--- a/z.c\n+++ b/z.c\n@@ -1 +1 @@\n-1\n+2\n";

	(void)state;
	assert_true(same_identity(git, diff_r));
	assert_false(same_identity(twice, twice_swapped));
}

/* red-team 3 T8: git's diff and GNU diff (quilt refresh) align one edit
 * differently, with other windows; the sides are the same. Both as the
 * real tools wrote them for A "\n}\n\n}\n{\nx\nx\n" -> B "\n}\n{\nx\nx\n". */
static void realigned_hunks_are_one_patch(void **state)
{
	static const char git[] =
		"diff --git a/x.c b/x.c\nindex 037ffec..b14c750 100644\n--- a/x.c\n+++ b/x.c\n"
		"@@ -1,6 +1,4 @@\n \n-}\n-\n }\n {\n x\n";
	static const char quilt[] =
		"Index: qq/x.c\n"
		"===================================================================\n"
		"--- qq.orig/x.c\n+++ qq/x.c\n"
		"@@ -1,7 +1,5 @@\n \n }\n-\n-}\n {\n x\n x\n";
	/* a replacement aligned both ways: "-a -b +A +B" and "-a +A -b +B" */
	static const char grouped[] =
		"--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n 0\n-a\n-b\n+A\n+B\n 9\n";
	static const char interleaved[] =
		"--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n 0\n-a\n+A\n-b\n+B\n 9\n";
	/* a line added next to its twin: git puts it first, GNU diff second,
	 * and their -U3 windows start and end at other lines */
	static const char twin_first[] =
		"--- a/f\n+++ b/f\n@@ -4,6 +4,7 @@\n \n \n \n+y\n y\n \n {\n";
	static const char twin_second[] =
		"--- a/f\n+++ b/f\n@@ -5,6 +5,7 @@\n \n \n y\n+y\n \n {\n y\n";

	(void)state;
	assert_true(same_identity(git, quilt));
	assert_true(same_identity(grouped, interleaved));
	assert_true(same_identity(twin_first, twin_second));
}

/* -U5 against -U3: more context than AP_IDENTITY_CONTEXT lines is cut, and
 * one -U5 hunk holding two changes 8 lines apart is -U3's two hunks. */
static void more_context_is_one_patch(void **state)
{
	static const char u3[] =
		"--- a/f\n+++ b/f\n"
		"@@ -3,7 +3,7 @@\n 3\n 4\n 5\n-6\n+SIX\n 7\n 8\n 9\n"
		"@@ -12,7 +12,7 @@\n 12\n 13\n 14\n-15\n+FIFTEEN\n 16\n 17\n 18\n";
	static const char u5[] =
		"--- a/f\n+++ b/f\n"
		"@@ -1,20 +1,20 @@\n 1\n 2\n 3\n 4\n 5\n-6\n+SIX\n 7\n 8\n 9\n 10\n 11\n 12\n 13\n"
		" 14\n-15\n+FIFTEEN\n 16\n 17\n 18\n 19\n 20\n";
	/* a hunk that changes nothing is nothing */
	static const char noop[] =
		"--- a/f\n+++ b/f\n"
		"@@ -3,7 +3,7 @@\n 3\n 4\n 5\n-6\n+SIX\n 7\n 8\n 9\n"
		"@@ -10,2 +10,2 @@\n 10\n-11\n+11\n"
		"@@ -12,7 +12,7 @@\n 12\n 13\n 14\n-15\n+FIFTEEN\n 16\n 17\n 18\n";

	(void)state;
	assert_true(same_identity(u3, u5));
	assert_true(same_identity(u3, noop));
}

/* What the patch does, changed: another identity, however it is aligned. */
static void semantic_changes_stay_seen(void **state)
{
	static const char fix[] =
		"--- a/f.c\n+++ b/f.c\n@@ -10,7 +10,7 @@\n int one(void)\n {\n"
		" \tint x;\n-\tx = 1;\n+\tx = 2;\n \treturn x;\n }\n \n";
	/* the same edit in another function (other context, no line numbers) */
	static const char moved[] =
		"--- a/f.c\n+++ b/f.c\n@@ -10,7 +10,7 @@\n int two(void)\n {\n"
		" \tint x;\n-\tx = 1;\n+\tx = 2;\n \treturn x;\n }\n \n";
	/* the same edit and context at another place (version 2 saw one patch) */
	static const char fix_elsewhere[] =
		"--- a/f.c\n+++ b/f.c\n@@ -40,7 +40,7 @@\n int one(void)\n {\n"
		" \tint x;\n-\tx = 1;\n+\tx = 2;\n \treturn x;\n }\n \n";
	/* another value */
	static const char other[] =
		"--- a/f.c\n+++ b/f.c\n@@ -10,7 +10,7 @@\n int one(void)\n {\n"
		" \tint x;\n-\tx = 1;\n+\tx = 3;\n \treturn x;\n }\n \n";
	/* one more line added */
	static const char more[] =
		"--- a/f.c\n+++ b/f.c\n@@ -10,7 +10,8 @@\n int one(void)\n {\n"
		" \tint x;\n-\tx = 1;\n+\tx = 2;\n+\tx++;\n \treturn x;\n }\n \n";
	/* a twin line added twice is not added once */
	static const char twin_twice[] =
		"--- a/f\n+++ b/f\n@@ -4,6 +4,8 @@\n \n \n \n+y\n+y\n y\n \n {\n";
	static const char twin_once[] =
		"--- a/f\n+++ b/f\n@@ -4,6 +4,7 @@\n \n \n \n+y\n y\n \n {\n";

	(void)state;
	assert_false(same_identity(fix, moved));
	assert_false(same_identity(fix, fix_elsewhere));
	assert_false(same_identity(fix, other));
	assert_false(same_identity(fix, more));
	assert_false(same_identity(twin_twice, twin_once));
}

/* red-team 4 id1: one edit in two functions whose 3 nearest lines
 * agree, made with diff -U5 (as /work/scratch/rt4/id1.sh): version 2 cut
 * the context that told them apart; the place (the old line of the first
 * changed line) does. The same edit at one place with -U3 and -U5 stays one
 * patch, as do pure insertions and deletions and a piece cut out of a
 * -U5 hunk (its line counted from the hunk's start). */
#define POOL_HEAD "--- a/pool.c\n+++ b/pool.c\n"
#define POOL_FN(name) "static void *alloc_" name "(size_t n)\n"
#define POOL_MMAP "    p = mmap(0, n, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS"
static void the_place_is_seen(void **state)
{
	static const char linux_u5[] =
		POOL_HEAD "@@ -1,10 +1,10 @@\n " POOL_FN("linux") " {\n     void *p;\n \n"
		"-" POOL_MMAP ", -1, 0);\n+" POOL_MMAP "|MAP_NORESERVE, -1, 0);\n"
		"     if (p == MAP_FAILED)\n         return 0;\n     return p;\n }\n \n";
	static const char cygwin_u5[] =
		POOL_HEAD "@@ -10,10 +10,10 @@\n \n " POOL_FN("cygwin") " {\n     void *p;\n \n"
		"-" POOL_MMAP ", -1, 0);\n+" POOL_MMAP "|MAP_NORESERVE, -1, 0);\n"
		"     if (p == MAP_FAILED)\n         return 0;\n     return p;\n }\n";
	static const char cygwin_u3[] =
		POOL_HEAD "@@ -12,7 +12,7 @@\n {\n     void *p;\n \n"
		"-" POOL_MMAP ", -1, 0);\n+" POOL_MMAP "|MAP_NORESERVE, -1, 0);\n"
		"     if (p == MAP_FAILED)\n         return 0;\n     return p;\n";
	/* two changes 8 lines apart, -U3 (two hunks) and -U5 (one) */
	static const char two_u3[] =
		"--- a/f\n+++ b/f\n"
		"@@ -3,6 +3,7 @@\n 3\n 4\n 5\n+FIVE.5\n 6\n 7\n 8\n"
		"@@ -12,7 +13,6 @@\n 12\n 13\n 14\n-15\n 16\n 17\n 18\n";
	static const char two_u5[] =
		"--- a/f\n+++ b/f\n"
		"@@ -1,20 +1,20 @@\n 1\n 2\n 3\n 4\n 5\n+FIVE.5\n 6\n 7\n 8\n 9\n 10\n 11\n"
		" 12\n 13\n 14\n-15\n 16\n 17\n 18\n 19\n 20\n";
	/* the second change one line further */
	static const char two_u5_later[] =
		"--- a/f\n+++ b/f\n"
		"@@ -1,21 +1,21 @@\n 1\n 2\n 3\n 4\n 5\n+FIVE.5\n 6\n 7\n 8\n 9\n 10\n 11\n"
		" 12\n 12\n 13\n 14\n-15\n 16\n 17\n 18\n 19\n 20\n";
	/* lines added to an empty file, or after line 5 with no context */
	static const char u0[] = "--- a/f\n+++ b/f\n@@ -5,0 +6 @@\n+new\n";
	static const char u1[] = "--- a/f\n+++ b/f\n@@ -5,2 +5,3 @@\n 5\n+new\n 6\n";

	(void)state;
	assert_false(same_identity(linux_u5, cygwin_u5));
	assert_true(same_identity(cygwin_u5, cygwin_u3));
	assert_true(same_identity(two_u3, two_u5));
	assert_false(same_identity(two_u5, two_u5_later));
	/* less context is another patch (as in version 2), but not for its place */
	assert_false(same_identity(u0, u1));
	{
		char a[AP_SHA256_HEX], b[AP_SHA256_HEX];
		ap_patch p = AP_PATCH_INIT, q = AP_PATCH_INIT;
		ap_error err = AP_ERROR_INIT;

		/* by version 2's rule the two places were one patch */
		assert_int_equal(ap_patch_parse(&p, "l", linux_u5, strlen(linux_u5), 1, &err), 0);
		assert_int_equal(ap_patch_parse(&q, "c", cygwin_u5, strlen(cygwin_u5), 1, &err), 0);
		assert_int_equal(ap_patch_identity_v2(&p, a), 0);
		assert_int_equal(ap_patch_identity_v2(&q, b), 0);
		assert_string_equal(a, b);
		ap_patch_free(&p);
		ap_patch_free(&q);
	}
}

/* Version 1's rule, as applypatch before version 2 computed it (the value
 * its state record held for this patch), for records of state version 3. */
static void version_1_is_pinned(void **state)
{
	ap_patch p = AP_PATCH_INIT;
	ap_error err = AP_ERROR_INIT;
	char v1[AP_SHA256_HEX], v2[AP_SHA256_HEX];

	(void)state;
	assert_int_equal(ap_patch_parse(&p, "t.patch", git_mail, strlen(git_mail), 1, &err), 0);
	assert_int_equal(ap_patch_identity_v1(&p, v1), 0);
	assert_string_equal(v1, V1_GIT_MAIL);
	assert_int_equal(ap_patch_identity(&p, v2), 0);
	assert_string_not_equal(v1, v2);
	ap_patch_free(&p);
}

/* Version 2's rule, as applypatch before version 3 computed it, for
 * records of state version 4. */
static void version_2_is_pinned(void **state)
{
	ap_patch p = AP_PATCH_INIT;
	ap_error err = AP_ERROR_INIT;
	char v2[AP_SHA256_HEX], v3[AP_SHA256_HEX];

	(void)state;
	assert_int_equal(ap_patch_parse(&p, "t.patch", git_mail, strlen(git_mail), 1, &err), 0);
	assert_int_equal(ap_patch_identity_v2(&p, v2), 0);
	assert_string_equal(v2, V2_GIT_MAIL);
	assert_int_equal(ap_patch_identity(&p, v3), 0);
	assert_string_not_equal(v2, v3);
	ap_patch_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(regenerated_forms_are_one_patch),
		cmocka_unit_test(content_changes_are_another_patch),
		cmocka_unit_test(modes),
		cmocka_unit_test(kinds_of_file),
		cmocka_unit_test(unparsable_falls_back),
		cmocka_unit_test(files_in_any_order),
		cmocka_unit_test(realigned_hunks_are_one_patch),
		cmocka_unit_test(more_context_is_one_patch),
		cmocka_unit_test(semantic_changes_stay_seen),
		cmocka_unit_test(the_place_is_seen),
		cmocka_unit_test(version_1_is_pinned),
		cmocka_unit_test(version_2_is_pinned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
