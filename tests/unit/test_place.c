/* test_place.c - hunk placement and rendering (place.h).
 *
 * The expectations for exact, offset, anchored and fuzzy placement were
 * taken from GNU patch 2.7.6 run on the same file and hunks (patch -F0
 * unless fuzz is named), since place.c promises to agree with it wherever
 * both apply a hunk; "already applied", line-end conversion and the near
 * match of a failed hunk are this project's additions, checked against
 * place.h's contract. Every successful placement is also rendered and
 * compared byte for byte.
 */
#include "testutil.h"

#include "lines.h"
#include "patch.h"
#include "place.h"

typedef struct placed {
	ap_patch p;
	ap_lines file;
	ap_placement pl[8];
	size_t failed;
	ap_buf out;
	int render_rc;
} placed;

/* Places the hunks (unified diff text after the ---/+++ lines) on file. */
static void place_opts(placed *x, const char *file, size_t flen, const char *hunks, int max_fuzz,
		       int detect_applied)
{
	char *text = ap_printf("--- a/f\n+++ b/f\n%s", hunks);
	ap_place_opts o = AP_PLACE_OPTS_INIT;

	memset(x, 0, sizeof *x);
	parse_ok(&x->p, text, 1);
	free(text);
	assert_int_equal(x->p.nfiles, 1);
	assert_true(x->p.files[0].nhunks <= 8);
	assert_int_equal(ap_lines_split(&x->file, file, flen), 0);
	o.max_fuzz = max_fuzz;
	o.detect_applied = detect_applied;
	x->failed = ap_place_file(&x->file, x->p.files[0].hunks, x->p.files[0].nhunks, &o, x->pl);
	x->render_rc = x->failed ? -1
		: ap_place_render(&x->file, x->p.files[0].hunks, x->p.files[0].nhunks, x->pl, &x->out);
}

#define place(x, file, hunks) place_opts((x), (file), strlen(file), (hunks), 0, 1)
#define place_fuzz(x, file, hunks, fuzz) place_opts((x), (file), strlen(file), (hunks), (fuzz), 1)

static void placed_free(placed *x)
{
	ap_patch_free(&x->p);
	ap_lines_free(&x->file);
	ap_buf_free(&x->out);
}

static void tu_assert_pl(const ap_placement *pl, enum ap_outcome outcome, long offset, long line,
			 const char *file, int lineno)
{
	if (pl->outcome == outcome && pl->offset == offset && pl->line == line)
		return;
	print_error("placement: %s offset %ld line %ld; wanted %s offset %ld line %ld\n",
		    ap_outcome_name(pl->outcome), pl->offset, pl->line, ap_outcome_name(outcome),
		    offset, line);
	_fail(file, lineno);
}
#define assert_pl(pl, outcome, offset, line) \
	tu_assert_pl(&(pl), (outcome), (offset), (line), __FILE__, __LINE__)

/* Appends "PREFIXi\n" for i in [from, to]. */
static void seq(ap_buf *b, const char *prefix, int from, int to)
{
	for (int i = from; i <= to; i++)
		ap_buf_printf(b, "%s%d\n", prefix, i);
}

/* n filler lines "f1".."fn" with blocks of lines laid over them at
 * given 1-based positions (at, text), a NULL text ending the list */
static char *filler(int n, ...)
{
	ap_lines l = AP_LINES_INIT;
	ap_buf out = AP_BUF_INIT;
	char **v = calloc((size_t)n, sizeof *v);
	va_list ap;

	for (int i = 0; i < n; i++)
		v[i] = ap_printf("f%d\n", i + 1);
	va_start(ap, n);
	for (;;) {
		int at = va_arg(ap, int);
		const char *text = va_arg(ap, const char *);

		if (!text)
			break;
		ap_lines_split(&l, text, strlen(text));
		for (size_t k = 0; k < l.n; k++) {
			free(v[at - 1 + (int)k]);
			v[at - 1 + (int)k] = ap_printf("%.*s\n", (int)l.v[k].len, l.v[k].text);
		}
	}
	va_end(ap);
	for (int i = 0; i < n; i++) {
		ap_buf_puts(&out, v[i]);
		free(v[i]);
	}
	free(v);
	ap_lines_free(&l);
	return ap_buf_detach(&out, NULL);
}

static const char H5[] = "@@ -5,3 +5,3 @@\n l5\n-l6\n+L6\n l7\n";

/* --- GNU patch's placement ------------------------------------------------ */

static void exact(void **state)
{
	ap_buf file = AP_BUF_INIT, want = AP_BUF_INIT;
	placed x;

	(void)state;
	seq(&file, "l", 1, 20);
	place(&x, file.data, H5);
	assert_int_equal(x.failed, 0);
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 5);
	assert_int_equal(x.pl[0].fuzz, 0);
	assert_int_equal(x.pl[0].where, 4);
	assert_int_equal(x.pl[0].eol_converted, 0);
	assert_int_equal(x.render_rc, 0);
	seq(&want, "l", 1, 5);
	ap_buf_puts(&want, "L6\n");
	seq(&want, "l", 7, 20);
	assert_bytes(x.out.data, x.out.len, want.data);
	placed_free(&x);
	ap_buf_free(&file);
	ap_buf_free(&want);
}

static void offset_forward_and_backward(void **state)
{
	ap_buf file = AP_BUF_INIT, want = AP_BUF_INIT;
	placed x;

	(void)state;
	/* GNU patch: "Hunk #1 succeeded at 8 (offset 3 lines)." */
	ap_buf_puts(&file, "x\ny\nz\n");
	seq(&file, "l", 1, 20);
	place(&x, file.data, H5);
	assert_pl(x.pl[0], AP_HUNK_OFFSET, 3, 8);
	assert_int_equal(x.pl[0].where, 7);
	ap_buf_puts(&want, "x\ny\nz\n");
	seq(&want, "l", 1, 5);
	ap_buf_puts(&want, "L6\n");
	seq(&want, "l", 7, 20);
	assert_bytes(x.out.data, x.out.len, want.data);
	placed_free(&x);

	/* "Hunk #1 succeeded at 3 (offset -2 lines)." */
	ap_buf_clear(&file);
	ap_buf_clear(&want);
	seq(&file, "l", 3, 20);
	place(&x, file.data, H5);
	assert_pl(x.pl[0], AP_HUNK_OFFSET, -2, 3);
	seq(&want, "l", 3, 5);
	ap_buf_puts(&want, "L6\n");
	seq(&want, "l", 7, 20);
	assert_bytes(x.out.data, x.out.len, want.data);
	placed_free(&x);
	ap_buf_free(&file);
	ap_buf_free(&want);
}

/* the nearest match wins; forward first when both are as near */
static void nearest_match_first(void **state)
{
	static const char blk[] = "l5\nl6\nl7\n";
	static const struct {
		int a, b;           /* where the two copies start */
		long offset, line;  /* GNU patch's choice */
	} cases[] = {
		{ 7, 2, 2, 7 },     /* +2 beats -3 */
		{ 8, 3, -2, 3 },    /* -2 beats +3 */
		{ 7, 3, 2, 7 },     /* +2 and -2: forward */
		{ 1, 1, -4, 1 },    /* only far back */
		{ 15, 15, 10, 15 }, /* only far ahead */
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *file = filler(20, cases[i].a, blk, cases[i].b, blk, 0, NULL);
		placed x;

		place(&x, file, H5);
		assert_pl(x.pl[0], AP_HUNK_OFFSET, cases[i].offset, cases[i].line);
		/* only the chosen copy changes */
		assert_int_equal(x.render_rc, 0);
		assert_int_equal(x.out.len, strlen(file));
		{
			/* the changed line is the one after the chosen start */
			ap_lines out = AP_LINES_INIT;

			ap_lines_split(&out, x.out.data, x.out.len);
			assert_bytes(out.v[cases[i].line].text, out.v[cases[i].line].len, "L6");
			ap_lines_free(&out);
		}
		placed_free(&x);
		free(file);
	}
}

/* the offset one hunk needed is where the next hunk's search starts */
static void offset_carried_to_next_hunk(void **state)
{
	static const char hunks[] =
		"@@ -2,3 +2,3 @@\n l2\n-l3\n+L3\n l4\n"
		"@@ -20,3 +20,3 @@\n l20\n-l21\n+L21\n l22\n";
	ap_buf file = AP_BUF_INIT, want = AP_BUF_INIT;
	ap_lines l = AP_LINES_INIT;
	placed x;

	(void)state;
	/* five lines on top, and a decoy of hunk 2's text at its nominal line:
	 * GNU patch takes the copy at +5, "Hunk #2 succeeded at 25 (offset 5 lines)" */
	ap_buf_puts(&file, "p1\np2\np3\np4\np5\n");
	seq(&file, "l", 1, 14);
	ap_buf_puts(&file, "l20\nl21\nl22\n");
	seq(&file, "l", 18, 30);
	place(&x, file.data, hunks);
	assert_int_equal(x.failed, 0);
	assert_pl(x.pl[0], AP_HUNK_OFFSET, 5, 7);
	assert_pl(x.pl[1], AP_HUNK_OFFSET, 5, 25);
	ap_buf_puts(&want, "p1\np2\np3\np4\np5\nl1\nl2\nL3\n");
	seq(&want, "l", 4, 14);
	ap_buf_puts(&want, "l20\nl21\nl22\n");
	seq(&want, "l", 18, 20);
	ap_buf_puts(&want, "L21\n");
	seq(&want, "l", 22, 30);
	assert_bytes(x.out.data, x.out.len, want.data);
	/* the decoy is untouched */
	ap_lines_split(&l, x.out.data, x.out.len);
	assert_bytes(l.v[20].text, l.v[20].len, "l21");
	ap_lines_free(&l);
	placed_free(&x);
	ap_buf_free(&file);
	ap_buf_free(&want);
}

/* a hunk is never placed before the end of the previous one */
static void never_before_previous_hunk(void **state)
{
	static const char hunks[] =
		"@@ -10,3 +10,3 @@\n l10\n-l11\n+L11\n l12\n"
		"@@ -15,3 +15,3 @@\n l4\n-l5\n+L5\n l6\n";
	ap_buf file = AP_BUF_INIT;
	placed x;

	(void)state;
	seq(&file, "l", 1, 20);
	place(&x, file.data, hunks);
	assert_int_equal(x.failed, 1);
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 10);
	assert_int_equal(x.pl[1].outcome, AP_HUNK_FAILED);
	placed_free(&x);
	ap_buf_free(&file);
}

/* A hunk's leading context may reach back over a pure insertion before it
 * (found by fuzz_place): GNU patch 2.7.6 gives a, x, y, B, c, d, e. */
static void context_over_previous_insertion(void **state)
{
	static const char hunks[] =
		"@@ -1,0 +2,2 @@\n+x\n+y\n"
		"@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n";
	placed x;

	(void)state;
	place(&x, "a\nb\nc\nd\ne\n", hunks);
	assert_int_equal(x.failed, 0);
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 2);
	/* line counts the insertion before it, as for any hunk after another */
	assert_pl(x.pl[1], AP_HUNK_EXACT, 0, 3);
	assert_bytes(x.out.data, x.out.len, "a\nx\ny\nB\nc\nd\ne\n");
	placed_free(&x);
}

/* ...but its changes may not: GNU patch 2.7.6 says "misordered hunks!
 * output would be garbled" and fails hunk 2, as must we (the parser
 * refuses overlapping hunks, so only a zero-length one comes this way). */
static void changes_inside_previous_hunk_fail(void **state)
{
	static const char hunks[] =
		"@@ -2,0 +3,1 @@\n+x\n"
		"@@ -2,2 +3,2 @@\n-l2\n+M2\n l3\n";
	placed x;

	(void)state;
	place(&x, "l1\nl2\nl3\nl4\n", hunks);
	assert_int_equal(x.failed, 1);
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 3);
	assert_int_equal(x.pl[1].outcome, AP_HUNK_FAILED);
	placed_free(&x);
}

/* Two hunks inserting the same line where the file has it once: the first
 * is already applied, the second may not claim the same line (found by
 * fuzz_place), so the file holds only part of the patch. */
static void already_applied_lines_count_once(void **state)
{
	static const char hunks[] =
		"@@ -0,0 +1 @@\n+t\n"
		"@@ -0,0 +1 @@\n+t\n";
	placed x;

	(void)state;
	place(&x, "t\n", hunks);
	assert_pl(x.pl[0], AP_HUNK_ALREADY, 0, 1);
	assert_int_equal(x.pl[1].outcome, AP_HUNK_FAILED);
	assert_int_equal(x.failed, 1);
	placed_free(&x);
}

/* GNU patch freezes a placed hunk only up to its last change, so the
 * next hunk may share the previous one's trailing context: here the lines
 * between the hunks are gone upstream and both hunks use the one "c".
 * GNU patch: "Hunk #2 succeeded at 3 (offset -2 lines)." */
static void shared_context_between_hunks(void **state)
{
	static const char hunks[] =
		"@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
		"@@ -5,3 +5,3 @@\n c\n-d\n+D\n e\n";
	placed x;

	(void)state;
	/* regression: freezing the previous hunk's whole pre-image (trailing
	 * context included) once failed hunk 2 here even with fuzz 2; the
	 * render must not emit the shared line twice */
	place(&x, "a\nb\nc\nd\ne\n", hunks);
	assert_int_equal(x.failed, 0);
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 1);
	assert_pl(x.pl[1], AP_HUNK_OFFSET, -2, 3);
	assert_bytes(x.out.data, x.out.len, "a\nB\nc\nD\ne\n");
	placed_free(&x);
}

/* line is where the hunk sits in the result: earlier hunks' growth counts */
static void line_is_in_the_result(void **state)
{
	static const char hunks[] =
		"@@ -2,3 +2,5 @@\n l2\n+n1\n+n2\n l3\n l4\n"
		"@@ -20,3 +22,3 @@\n l20\n-l21\n+L21\n l22\n";
	ap_buf file = AP_BUF_INIT;
	placed x;

	(void)state;
	seq(&file, "l", 1, 30);
	place(&x, file.data, hunks);
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 2);
	assert_pl(x.pl[1], AP_HUNK_EXACT, 0, 22);
	placed_free(&x);
	/* GNU patch: "succeeded at 3 (offset 1 line)", "succeeded at 23 (offset 1 line)" */
	ap_buf_clear(&file);
	ap_buf_puts(&file, "p\n");
	seq(&file, "l", 1, 30);
	place(&x, file.data, hunks);
	assert_pl(x.pl[0], AP_HUNK_OFFSET, 1, 3);
	assert_pl(x.pl[1], AP_HUNK_OFFSET, 1, 23);
	placed_free(&x);
	ap_buf_free(&file);
}

/* less leading than trailing context at line 1: only the file's start */
static void anchored_at_start(void **state)
{
	static const char hunk[] = "@@ -1,3 +1,3 @@\n-l1\n+L1\n l2\n l3\n";
	ap_buf file = AP_BUF_INIT;
	placed x;

	(void)state;
	seq(&file, "l", 1, 10);
	place(&x, file.data, hunk);
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 1);
	assert_prefix(x.out.data, "L1\nl2\n");
	placed_free(&x);
	/* GNU patch: "Hunk #1 FAILED at 1." although l1-l3 are there, lower */
	ap_buf_clear(&file);
	ap_buf_puts(&file, "x\ny\n");
	seq(&file, "l", 1, 10);
	place(&x, file.data, hunk);
	assert_int_equal(x.failed, 1);
	assert_int_equal(x.pl[0].outcome, AP_HUNK_FAILED);
	placed_free(&x);
	/* equal context at both ends is searched for as usual */
	place(&x, file.data, "@@ -1,3 +1,3 @@\n l1\n-l2\n+L2\n l3\n");
	assert_pl(x.pl[0], AP_HUNK_OFFSET, 2, 3);
	placed_free(&x);
	ap_buf_free(&file);
}

/* less trailing than leading context: only the file's end */
static void anchored_at_end(void **state)
{
	static const char hunk[] = "@@ -8,3 +8,3 @@\n l8\n l9\n-l10\n+L10\n";
	static const char append[] = "@@ -9,2 +9,3 @@\n l9\n l10\n+l11\n";
	ap_buf file = AP_BUF_INIT, want = AP_BUF_INIT;
	placed x;

	(void)state;
	seq(&file, "l", 1, 10);
	place(&x, file.data, hunk);
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 8);
	placed_free(&x);
	place(&x, file.data, append);
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 9);
	seq(&want, "l", 1, 11);
	assert_bytes(x.out.data, x.out.len, want.data);
	placed_free(&x);

	/* a line after the end: GNU patch "FAILED at 8" (and at 9) */
	ap_buf_puts(&file, "extra\n");
	place(&x, file.data, hunk);
	assert_int_equal(x.pl[0].outcome, AP_HUNK_FAILED);
	placed_free(&x);
	place(&x, file.data, append);
	assert_int_equal(x.pl[0].outcome, AP_HUNK_FAILED);
	placed_free(&x);

	/* moved, but still at the end: "succeeded at 10 (offset 2 lines)" */
	ap_buf_clear(&file);
	seq(&file, "l", 1, 5);
	ap_buf_puts(&file, "m1\nm2\n");
	seq(&file, "l", 6, 10);
	place(&x, file.data, hunk);
	assert_pl(x.pl[0], AP_HUNK_OFFSET, 2, 10);
	assert_int_equal(x.out.len, file.len);
	assert_bytes(x.out.data + x.out.len - 7, 7, "l9\nL10\n");
	placed_free(&x);
	/* "succeeded at 7 (offset -1 lines)" */
	ap_buf_clear(&file);
	seq(&file, "l", 1, 4);
	seq(&file, "l", 6, 10);
	place(&x, file.data, hunk);
	assert_pl(x.pl[0], AP_HUNK_OFFSET, -1, 7);
	placed_free(&x);
	ap_buf_free(&file);
	ap_buf_free(&want);
}

/* --- fuzz ------------------------------------------------------------------- */

static const char H7[] = "@@ -5,7 +5,7 @@\n l5\n l6\n l7\n-l8\n+L8\n l9\n l10\n l11\n";

static void fuzz_only_when_asked(void **state)
{
	ap_buf file = AP_BUF_INIT;
	placed x;

	(void)state;
	seq(&file, "l", 1, 4);
	ap_buf_puts(&file, "X5\n");
	seq(&file, "l", 6, 20);
	place(&x, file.data, H7);
	assert_int_equal(x.failed, 1);
	assert_int_equal(x.pl[0].outcome, AP_HUNK_FAILED);
	assert_int_equal(x.pl[0].fuzz, 0);
	placed_free(&x);
	/* GNU patch -F1 and -F2: "Hunk #1 succeeded at 5 with fuzz 1." */
	for (int f = 1; f <= 2; f++) {
		place_fuzz(&x, file.data, H7, f);
		assert_pl(x.pl[0], AP_HUNK_FUZZ, 0, 5);
		assert_int_equal(x.pl[0].fuzz, 1);
		/* the file's own context line stays */
		assert_bytes(x.out.data, x.out.len,
			     "l1\nl2\nl3\nl4\nX5\nl6\nl7\nL8\nl9\nl10\nl11\nl12\nl13\nl14\nl15\nl16\nl17\n"
			     "l18\nl19\nl20\n");
		placed_free(&x);
	}
	ap_buf_free(&file);
}

static void fuzz_levels(void **state)
{
	ap_buf file = AP_BUF_INIT;
	placed x;

	(void)state;
	/* the second context line differs: fuzz 1 is not enough, 2 is */
	seq(&file, "l", 1, 5);
	ap_buf_puts(&file, "X6\n");
	seq(&file, "l", 7, 20);
	place_fuzz(&x, file.data, H7, 1);
	assert_int_equal(x.pl[0].outcome, AP_HUNK_FAILED);
	placed_free(&x);
	place_fuzz(&x, file.data, H7, 2);
	assert_pl(x.pl[0], AP_HUNK_FUZZ, 0, 5);
	assert_int_equal(x.pl[0].fuzz, 2);
	assert_prefix(x.out.data, "l1\nl2\nl3\nl4\nl5\nX6\nl7\nL8\nl9\n");
	placed_free(&x);

	/* trailing context differs and the hunk moved: "succeeded at 7 with
	 * fuzz 1 (offset 2 lines)" */
	ap_buf_clear(&file);
	ap_buf_puts(&file, "a\nb\n");
	seq(&file, "l", 1, 10);
	ap_buf_puts(&file, "X11\n");
	seq(&file, "l", 12, 20);
	place_fuzz(&x, file.data, H7, 2);
	assert_pl(x.pl[0], AP_HUNK_FUZZ, 2, 7);
	assert_int_equal(x.pl[0].fuzz, 1);
	assert_prefix(x.out.data, "a\nb\nl1\nl2\nl3\nl4\nl5\nl6\nl7\nL8\nl9\nl10\nX11\nl12\n");
	placed_free(&x);

	/* fuzz never exceeds the context there is: asked 5, got 3 */
	ap_buf_clear(&file);
	seq(&file, "l", 1, 6);
	ap_buf_puts(&file, "X7\n");
	seq(&file, "l", 8, 20);
	place_fuzz(&x, file.data, H7, 5);
	assert_pl(x.pl[0], AP_HUNK_FUZZ, 0, 5);
	assert_int_equal(x.pl[0].fuzz, 3);
	assert_prefix(x.out.data, "l1\nl2\nl3\nl4\nl5\nl6\nX7\nL8\nl9\n");
	placed_free(&x);
	ap_buf_free(&file);
}

/* --- already applied -------------------------------------------------------- */

static void already_applied_post_image(void **state)
{
	ap_buf file = AP_BUF_INIT;
	placed x;

	(void)state;
	seq(&file, "l", 1, 5);
	ap_buf_puts(&file, "L6\n");
	seq(&file, "l", 7, 20);
	place(&x, file.data, H5);
	assert_int_equal(x.failed, 0);
	assert_pl(x.pl[0], AP_HUNK_ALREADY, 0, 5);
	/* rendering leaves an already-applied hunk's text as it is */
	assert_bytes(x.out.data, x.out.len, file.data);
	placed_free(&x);

	/* post-image found at an offset */
	ap_buf_clear(&file);
	ap_buf_puts(&file, "x\ny\nz\n");
	seq(&file, "l", 1, 5);
	ap_buf_puts(&file, "L6\n");
	seq(&file, "l", 7, 20);
	place(&x, file.data, H5);
	assert_pl(x.pl[0], AP_HUNK_ALREADY, 3, 8);
	assert_bytes(x.out.data, x.out.len, file.data);
	placed_free(&x);

	/* without detection, a missing pre-image is a failure */
	place_opts(&x, file.data, file.len, H5, 0, 0);
	assert_int_equal(x.pl[0].outcome, AP_HUNK_FAILED);
	placed_free(&x);
	ap_buf_free(&file);
}

/* both images present: a pre-image found anywhere is applied there (GNU
 * patch applies it at an offset); the post-image tells only where the
 * pre-image is nowhere (issue 11, item 4) */
static void pre_image_anywhere_wins(void **state)
{
	placed x;
	char *file;

	(void)state;
	/* pre-image at +1, post-image at +6: apply */
	file = filler(20, 6, "l5\nl6\nl7\n", 11, "l5\nL6\nl7\n", 0, NULL);
	place(&x, file, H5);
	assert_pl(x.pl[0], AP_HUNK_OFFSET, 1, 6);
	placed_free(&x);
	free(file);
	/* post-image at +1 (a newer tree grew a copy above), pre-image at
	 * +6: still applied, at +6, as GNU patch does */
	file = filler(20, 6, "l5\nL6\nl7\n", 11, "l5\nl6\nl7\n", 0, NULL);
	place(&x, file, H5);
	assert_pl(x.pl[0], AP_HUNK_OFFSET, 6, 11);
	assert_bytes(x.out.data, x.out.len,
		     "f1\nf2\nf3\nf4\nf5\nl5\nL6\nl7\nf9\nf10\nl5\nL6\nl7\n"
		     "f14\nf15\nf16\nf17\nf18\nf19\nf20\n");
	placed_free(&x);
	free(file);
	/* pre-image in place wins over a post-image anywhere */
	file = filler(20, 5, "l5\nl6\nl7\n", 1, "l5\nL6\nl7\n", 0, NULL);
	place(&x, file, H5);
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 5);
	placed_free(&x);
	free(file);
}

/* the red team's case: a function gained above the patched one already
 * holds the hunk's post-image; the hunk goes where its pre-image is */
static void post_image_in_a_function_above(void **state)
{
	static const char hunk[] =
		"@@ -1,4 +1,4 @@\n int f(void)\n {\n-\treturn 0;\n+\treturn 1;\n }\n";
	static const char tree[] =
		"int g(void)\n{\n\treturn 1;\n}\n\n"
		"int f(void)\n{\n\treturn 0;\n}\n";
	placed x;

	(void)state;
	place(&x, tree, "@@ -1,3 +1,3 @@\n {\n-\treturn 0;\n+\treturn 1;\n }\n");
	assert_pl(x.pl[0], AP_HUNK_OFFSET, 6, 7);
	assert_bytes(x.out.data, x.out.len,
		     "int g(void)\n{\n\treturn 1;\n}\n\nint f(void)\n{\n\treturn 1;\n}\n");
	placed_free(&x);
	/* with the function's name in its context, the same */
	place(&x, tree, hunk);
	assert_pl(x.pl[0], AP_HUNK_OFFSET, 5, 6);
	placed_free(&x);
}

/* where pre- and post-image both match at the same place the hunk is in
 * place: re-applying a line-adding hunk must not add it twice */
static void both_images_at_one_place(void **state)
{
	static const char hunk[] = "@@ -1,2 +1,3 @@\n a\n+}\n }\n";
	placed x;

	(void)state;
	place(&x, "a\n}\n}\nz\n", hunk);
	assert_pl(x.pl[0], AP_HUNK_ALREADY, 0, 1);
	assert_bytes(x.out.data, x.out.len, "a\n}\n}\nz\n");
	placed_free(&x);
	place(&x, "a\n}\nz\n", hunk);
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 1);
	assert_bytes(x.out.data, x.out.len, "a\n}\n}\nz\n");
	placed_free(&x);
	/* a deletion at the end of the file: its post-image is the start of
	 * its pre-image, but belongs at the end, so it is not in place */
	place(&x, "a\nb\nc\nd\n", "@@ -1,4 +1,2 @@\n a\n b\n-c\n-d\n");
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 1);
	assert_bytes(x.out.data, x.out.len, "a\nb\n");
	placed_free(&x);
	place(&x, "a\nb\n", "@@ -1,4 +1,2 @@\n a\n b\n-c\n-d\n");
	assert_pl(x.pl[0], AP_HUNK_ALREADY, 0, 1);
	placed_free(&x);
}

/* bench/run's 0040 (gen-series seed 1, --patches 300): a hunk deleting
 * lines that begin like its trailing context. Its post-image (P S) is the
 * start of its pre-image (P D S, D starting with S), so both match at one
 * place; the file holds every line to delete, and GNU patch deletes them.
 * Was "already applied" (and the patch "partly applied already"). */
static void deletion_beginning_like_its_trailing_context(void **state)
{
	static const char hunk[] =
		"@@ -2,12 +2,6 @@\n a1\n a2\n a3\n-\t\t}\n-\t}\n-}\n-d1\n-d2\n-d3\n"
		" \t\t}\n \t}\n }\n";
	static const char tree[] =
		"top\na1\na2\na3\n\t\t}\n\t}\n}\nd1\nd2\nd3\n\t\t}\n\t}\n}\nz1\nz2\n";
	placed x;

	(void)state;
	place(&x, tree, hunk);
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 2);
	assert_bytes(x.out.data, x.out.len, "top\na1\na2\na3\n\t\t}\n\t}\n}\nz1\nz2\n");
	placed_free(&x);
	/* at an offset, the same */
	place(&x, "x1\nx2\nx3\nx4\nx5\ntop\na1\na2\na3\n\t\t}\n\t}\n}\nd1\nd2\nd3\n\t\t}\n\t}\n}\nz1\n",
	      hunk);
	assert_pl(x.pl[0], AP_HUNK_OFFSET, 5, 7);
	assert_bytes(x.out.data, x.out.len,
		     "x1\nx2\nx3\nx4\nx5\ntop\na1\na2\na3\n\t\t}\n\t}\n}\nz1\n");
	placed_free(&x);
	/* applied: the pre-image is nowhere, the post-image is in place */
	place(&x, "top\na1\na2\na3\n\t\t}\n\t}\n}\nz1\nz2\n", hunk);
	assert_pl(x.pl[0], AP_HUNK_ALREADY, 0, 2);
	placed_free(&x);
}

/* a pure insertion without context matches anywhere: it is already
 * applied only when its lines are exactly where it puts them */
static void pure_insertion(void **state)
{
	static const char hunk[] = "@@ -3,0 +4,2 @@\n+n1\n+n2\n";
	ap_buf file = AP_BUF_INIT;
	placed x;

	(void)state;
	seq(&file, "l", 1, 6);
	place(&x, file.data, hunk);
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 4);
	assert_bytes(x.out.data, x.out.len, "l1\nl2\nl3\nn1\nn2\nl4\nl5\nl6\n");
	placed_free(&x);

	ap_buf_clear(&file);
	ap_buf_puts(&file, "l1\nl2\nl3\nn1\nn2\nl4\n");
	place(&x, file.data, hunk);
	assert_pl(x.pl[0], AP_HUNK_ALREADY, 0, 4);
	assert_bytes(x.out.data, x.out.len, file.data);
	placed_free(&x);

	/* the same lines elsewhere do not make it applied */
	ap_buf_clear(&file);
	ap_buf_puts(&file, "n1\nn2\nl1\nl2\nl3\nl4\n");
	place(&x, file.data, hunk);
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 4);
	assert_bytes(x.out.data, x.out.len, "n1\nn2\nl1\nn1\nn2\nl2\nl3\nl4\n");
	placed_free(&x);

	/* aimed past the end: appended, as GNU patch 2.7.6 does (which says
	 * nothing of the offset) */
	place(&x, "a\nb\n", "@@ -10,0 +11,1 @@\n+x\n");
	assert_int_equal(x.failed, 0);
	assert_pl(x.pl[0], AP_HUNK_OFFSET, -8, 3);
	assert_bytes(x.out.data, x.out.len, "a\nb\nx\n");
	placed_free(&x);

	/* into an empty file */
	place(&x, "", "@@ -0,0 +1,2 @@\n+a\n+b\n");
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 1);
	assert_bytes(x.out.data, x.out.len, "a\nb\n");
	placed_free(&x);
	ap_buf_free(&file);
}

static void deletion_already_applied(void **state)
{
	placed x;

	(void)state;
	place(&x, "l3\nl4\nl6\nl7\n", "@@ -2,3 +2,2 @@\n l4\n-l5\n l6\n");
	assert_int_equal(x.failed, 0);
	assert_pl(x.pl[0], AP_HUNK_ALREADY, 0, 2);
	assert_bytes(x.out.data, x.out.len, "l3\nl4\nl6\nl7\n");
	placed_free(&x);
	place(&x, "l3\nl4\nl5\nl6\nl7\n", "@@ -2,3 +2,2 @@\n l4\n-l5\n l6\n");
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 2);
	assert_bytes(x.out.data, x.out.len, "l3\nl4\nl6\nl7\n");
	placed_free(&x);
}

/* --- failures --------------------------------------------------------------- */

static void failed_hunk_names_nearest_partial_match(void **state)
{
	static const char hunk[] = "@@ -5,4 +5,4 @@\n l5\n-l6\n+L6\n l7\n l8\n";
	ap_buf file = AP_BUF_INIT;
	placed x;

	(void)state;
	/* three lines on top, and l6 changed: 3 of 4 lines match at line 8 */
	ap_buf_puts(&file, "x\ny\nz\n");
	seq(&file, "l", 1, 5);
	ap_buf_puts(&file, "CHANGED\n");
	seq(&file, "l", 7, 20);
	place(&x, file.data, hunk);
	assert_int_equal(x.failed, 1);
	assert_int_equal(x.pl[0].outcome, AP_HUNK_FAILED);
	assert_int_equal(x.pl[0].line, 8);
	assert_int_equal(x.pl[0].near_matched, 3);
	assert_int_equal(x.pl[0].near_total, 4);
	assert_int_equal(x.render_rc, -1);
	/* rendering refuses a failed hunk */
	assert_int_equal(ap_place_render(&x.file, x.p.files[0].hunks, 1, x.pl, &x.out), -1);
	placed_free(&x);

	/* nothing alike anywhere: the line the hunk asked for */
	ap_buf_clear(&file);
	seq(&file, "q", 1, 20);
	place(&x, file.data, hunk);
	assert_int_equal(x.pl[0].outcome, AP_HUNK_FAILED);
	assert_int_equal(x.pl[0].near_matched, 0);
	assert_int_equal(x.pl[0].near_total, 4);
	assert_int_equal(x.pl[0].line, 5);
	placed_free(&x);
	ap_buf_free(&file);
}

/* a failed hunk does not move the search of the hunks after it */
static void failure_in_the_middle(void **state)
{
	static const char hunks[] =
		"@@ -2,3 +2,3 @@\n l2\n-l3\n+L3\n l4\n"
		"@@ -8,3 +8,3 @@\n l8\n-NOPE\n+L9\n l10\n"
		"@@ -14,3 +14,3 @@\n l14\n-l15\n+L15\n l16\n";
	ap_buf file = AP_BUF_INIT;
	placed x;

	(void)state;
	ap_buf_puts(&file, "p\n");
	seq(&file, "l", 1, 20);
	place(&x, file.data, hunks);
	assert_int_equal(x.failed, 1);
	assert_pl(x.pl[0], AP_HUNK_OFFSET, 1, 3);
	assert_int_equal(x.pl[1].outcome, AP_HUNK_FAILED);
	assert_pl(x.pl[2], AP_HUNK_OFFSET, 1, 15);
	placed_free(&x);
	ap_buf_free(&file);
}

/* --- line ends ----------------------------------------------------------- */

static void crlf_file_lf_hunk(void **state)
{
	placed x;

	(void)state;
	place(&x, "a\r\nb\r\nc\r\n", "@@ -1,3 +1,4 @@\n a\n-b\n+B\n+B2\n c\n");
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 1);
	assert_int_equal(x.pl[0].eol_converted, 1);
	assert_bytes(x.out.data, x.out.len, "a\r\nB\r\nB2\r\nc\r\n");
	placed_free(&x);
}

static void lf_file_crlf_hunk(void **state)
{
	placed x;

	(void)state;
	place(&x, "a\nb\nc\n", "@@ -1,3 +1,4 @@\r\n a\r\n-b\r\n+B\r\n+B2\r\n c\r\n");
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 1);
	assert_int_equal(x.pl[0].eol_converted, 1);
	assert_bytes(x.out.data, x.out.len, "a\nB\nB2\nc\n");
	placed_free(&x);
}

static void crlf_file_crlf_hunk(void **state)
{
	placed x;

	(void)state;
	place(&x, "a\r\nb\r\nc\r\n", "@@ -1,3 +1,3 @@\r\n a\r\n-b\r\n+B\r\n c\r\n");
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 1);
	assert_int_equal(x.pl[0].eol_converted, 0);
	assert_bytes(x.out.data, x.out.len, "a\r\nB\r\nc\r\n");
	placed_free(&x);
}

/* a converted hunk found at an offset, and one already applied */
static void crlf_conversion_with_offset_and_already(void **state)
{
	placed x;

	(void)state;
	place(&x, "x\r\ny\r\na\r\nb\r\nc\r\n", "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
	assert_pl(x.pl[0], AP_HUNK_OFFSET, 2, 3);
	assert_int_equal(x.pl[0].eol_converted, 1);
	assert_bytes(x.out.data, x.out.len, "x\r\ny\r\na\r\nB\r\nc\r\n");
	placed_free(&x);
	place(&x, "a\r\nB\r\nc\r\n", "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
	assert_pl(x.pl[0], AP_HUNK_ALREADY, 0, 1);
	assert_bytes(x.out.data, x.out.len, "a\r\nB\r\nc\r\n");
	placed_free(&x);
}

/* a last line ending in "\r" without "\n": added, and as context (issue
 * 11, item 8; GNU patch 2.7.6 and git apply give the same bytes) */
static void cr_at_end_of_file(void **state)
{
	placed x;

	(void)state;
	place(&x, "one\ntwo\n", "@@ -1,2 +1,3 @@\n one\n two\n+three\r\n\\ No newline at end of file\n");
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 1);
	assert_bytes(x.out.data, x.out.len, "one\ntwo\nthree\r");
	placed_free(&x);
	place(&x, "one\ntwo\nthree\r", "@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\r\n"
	      "\\ No newline at end of file\n");
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 1);
	assert_bytes(x.out.data, x.out.len, "one\nTWO\nthree\r");
	placed_free(&x);
}

static void last_line_without_newline(void **state)
{
	placed x;

	(void)state;
	/* replace the unterminated last line */
	place(&x, "a\nb\nc", "@@ -2,2 +2,2 @@\n b\n-c\n\\ No newline at end of file\n+C\n"
	      "\\ No newline at end of file\n");
	assert_pl(x.pl[0], AP_HUNK_EXACT, 0, 2);
	assert_bytes(x.out.data, x.out.len, "a\nb\nC");
	placed_free(&x);
	/* add the missing newline */
	place(&x, "a\nb\nc", "@@ -3 +3 @@\n-c\n\\ No newline at end of file\n+c\n");
	assert_bytes(x.out.data, x.out.len, "a\nb\nc\n");
	placed_free(&x);
	/* append after it */
	place(&x, "a\nb", "@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n");
	assert_bytes(x.out.data, x.out.len, "a\nb\nc\n");
	placed_free(&x);
	/* remove the final newline */
	place(&x, "a\nb\n", "@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n");
	assert_bytes(x.out.data, x.out.len, "a\nb");
	placed_free(&x);
	/* a hunk that expects a newline the file lacks fails, as in GNU patch */
	place(&x, "a\nb", "@@ -1,2 +1,2 @@\n a\n-b\n+B\n");
	assert_int_equal(x.pl[0].outcome, AP_HUNK_FAILED);
	placed_free(&x);
	/* CRLF file without a final line end, LF hunk */
	place(&x, "a\r\nb", "@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+B\n+c\n"
	      "\\ No newline at end of file\n");
	assert_int_equal(x.pl[0].eol_converted, 1);
	assert_bytes(x.out.data, x.out.len, "a\r\nB\r\nc");
	placed_free(&x);
}

/* the file's context, not the hunk's, goes out, whatever its line end */
static void mixed_line_ends_keep_the_files(void **state)
{
	placed x;

	(void)state;
	place(&x, "a\r\nb\nc\r\nd\r\n", "@@ -2,3 +2,3 @@\n b\n-c\n+C\n d\n");
	assert_int_equal(x.failed, 0);
	assert_int_equal(x.pl[0].eol_converted, 1);
	assert_bytes(x.out.data, x.out.len, "a\r\nb\nC\r\nd\r\n");
	placed_free(&x);
}

static void outcome_names(void **state)
{
	(void)state;
	assert_string_equal(ap_outcome_name(AP_HUNK_EXACT), "exact");
	assert_string_equal(ap_outcome_name(AP_HUNK_OFFSET), "offset");
	assert_string_equal(ap_outcome_name(AP_HUNK_FUZZ), "fuzz");
	assert_string_equal(ap_outcome_name(AP_HUNK_ALREADY), "already-applied");
	assert_string_equal(ap_outcome_name(AP_HUNK_FAILED), "failed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exact),
		cmocka_unit_test(offset_forward_and_backward),
		cmocka_unit_test(nearest_match_first),
		cmocka_unit_test(offset_carried_to_next_hunk),
		cmocka_unit_test(never_before_previous_hunk),
		cmocka_unit_test(shared_context_between_hunks),
		cmocka_unit_test(context_over_previous_insertion),
		cmocka_unit_test(changes_inside_previous_hunk_fail),
		cmocka_unit_test(already_applied_lines_count_once),
		cmocka_unit_test(line_is_in_the_result),
		cmocka_unit_test(anchored_at_start),
		cmocka_unit_test(anchored_at_end),
		cmocka_unit_test(fuzz_only_when_asked),
		cmocka_unit_test(fuzz_levels),
		cmocka_unit_test(already_applied_post_image),
		cmocka_unit_test(pre_image_anywhere_wins),
		cmocka_unit_test(post_image_in_a_function_above),
		cmocka_unit_test(both_images_at_one_place),
		cmocka_unit_test(deletion_beginning_like_its_trailing_context),
		cmocka_unit_test(pure_insertion),
		cmocka_unit_test(deletion_already_applied),
		cmocka_unit_test(failed_hunk_names_nearest_partial_match),
		cmocka_unit_test(failure_in_the_middle),
		cmocka_unit_test(crlf_file_lf_hunk),
		cmocka_unit_test(lf_file_crlf_hunk),
		cmocka_unit_test(crlf_file_crlf_hunk),
		cmocka_unit_test(crlf_conversion_with_offset_and_already),
		cmocka_unit_test(last_line_without_newline),
		cmocka_unit_test(cr_at_end_of_file),
		cmocka_unit_test(mixed_line_ends_keep_the_files),
		cmocka_unit_test(outcome_names),
	};

	return cmocka_run_group_tests_name("place", tests, NULL, NULL);
}
