/* fuzz_place.c - libFuzzer target for hunk placement and rendering.
 *
 * Input: byte 0 holds options (bits 0-1: --fuzz 0..3; bit 2: do not look
 * for already-applied hunks); the rest is a patch, a NUL byte, and the
 * file's contents (which may hold more NULs). The patch is parsed with -p0;
 * each of its file diffs is placed on the file with ap_place_file and, when
 * no hunk failed, rendered with ap_place_render. Invariants checked:
 *   - outcomes only as the options allow (no fuzz unless asked, no
 *     already-applied unless looked for);
 *   - a placed hunk's pre-image is in the file at the line it reports
 *     (exactly, or across LF/CRLF when it says it converted), and each
 *     hunk starts after the previous one's last change (GNU patch lets
 *     hunks share trailing context);
 *   - an already-applied hunk's post-image is in the file where it says;
 *   - the output is the input with each placed hunk's edits made (its '-'
 *     lines gone, its '+' lines inserted, every other line copied once),
 *     and only its last line may lack a line end;
 *   - when every hunk is exact or offset and none shares context: the
 *     post-image of each hunk is at the output line reported for it;
 *   - and then the reverse: the patch reversed, placed on the output,
 *     gives back the original file byte for byte (when no line end was
 *     converted).
 */
#include "patch.h"
#include "place.h"

#include "fuzz_util.h"

#include <stdint.h>

typedef struct side {
	const ap_line **v;
	size_t n;
} side;

static side image(const ap_hunk *h, char drop)
{
	side s = { malloc((h->nlines + 1) * sizeof *s.v), 0 };

	if (!s.v)
		harness_die("out of memory");
	for (size_t i = 0; i < h->nlines; i++)
		if (h->lines[i].kind != drop)
			s.v[s.n++] = &h->lines[i];
	return s;
}

/* A patch line cut at the end of the patch ("+x\r" and no "\n") is read as
 * "x\r" ending in LF, which is the same bytes as "x" ending in CRLF: compare
 * lines as the bytes they stand for. */
static ap_line norm(const ap_line *l)
{
	ap_line n = *l;

	if (n.eol == AP_EOL_LF && n.len && n.text[n.len - 1] == '\r') {
		n.len--;
		n.eol = AP_EOL_CRLF;
	}
	return n;
}

static int ambiguous(const ap_line *l)
{
	return l->eol == AP_EOL_LF && l->len && l->text[l->len - 1] == '\r';
}

static int same_line(const ap_line *a, const ap_line *b, int loose)
{
	ap_line x = norm(a), y = norm(b);

	return loose ? ap_line_eq_loose(&x, &y) : ap_line_eq(&x, &y);
}

/* Whether im sits in lines at 0-based position at. */
static int image_at(const ap_lines *lines, size_t at, const side *im, int loose)
{
	if (at > lines->n || im->n > lines->n - at)
		return 0;
	for (size_t i = 0; i < im->n; i++)
		if (!same_line(&lines->v[at + i], im->v[i], loose))
			return 0;
	return 1;
}

/* The hunks with '+' and '-' swapped, placed where the forward run put
 * their post-images. Line arrays are new; texts still point into p. */
static ap_hunk *reversed(const ap_hunk *h, size_t n, const ap_placement *pl)
{
	ap_hunk *r = calloc(n ? n : 1, sizeof *r);

	if (!r)
		harness_die("out of memory");
	for (size_t k = 0; k < n; k++) {
		r[k] = h[k];
		r[k].section = NULL;
		r[k].old_start = pl[k].line;
		r[k].old_count = h[k].new_count;
		r[k].new_start = h[k].old_start;
		r[k].new_count = h[k].old_count;
		if (r[k].old_count == 0)
			r[k].old_start = pl[k].line - 1;
		r[k].lines = malloc((h[k].nlines + 1) * sizeof *r[k].lines);
		if (!r[k].lines)
			harness_die("out of memory");
		for (size_t j = 0; j < h[k].nlines; j++) {
			r[k].lines[j] = h[k].lines[j];
			if (h[k].lines[j].kind == '+')
				r[k].lines[j].kind = '-';
			else if (h[k].lines[j].kind == '-')
				r[k].lines[j].kind = '+';
		}
	}
	return r;
}

/* The context lines before a hunk's first change. */
static size_t lead(const ap_hunk *h)
{
	size_t i = 0;

	while (i < h->nlines && h->lines[i].kind == ' ')
		i++;
	return i;
}

/* Lines of a hunk's side that placing it freezes: through its last change
 * (GNU patch's rule: the next hunk may share its trailing context). */
static size_t frozen(const ap_hunk *h, char drop)
{
	size_t o = 0, f = 0;

	for (size_t i = 0; i < h->nlines; i++) {
		char k = h->lines[i].kind;

		if (k == ' ')
			o++;
		else if (k == drop)
			f = o;
		else
			f = ++o;
	}
	return f;
}

/* The output, built independently of ap_place_render, as an edit of the
 * input: each placed hunk deletes its '-' lines at their positions and
 * inserts its '+' lines before the input line they precede; input lines
 * (context included) are copied once, in order. A line without a line end
 * that is followed by more gets one. */
static void expected_output(const ap_lines *lines, const ap_file_diff *fd, const ap_placement *pl,
			    ap_lines *want)
{
	size_t n = lines->n;
	char *del = calloc(n + 1, 1);
	ap_lines *ins = calloc(n + 1, sizeof *ins);
	enum ap_eol style = ap_lines_style(lines->v, lines->n);

	if (!del || !ins)
		harness_die("out of memory");
	for (size_t k = 0; k < fd->nhunks; k++) {
		const ap_hunk *h = &fd->hunks[k];
		size_t i = pl[k].where;

		if (pl[k].outcome == AP_HUNK_ALREADY)
			continue;
		for (size_t j = 0; j < h->nlines; j++) {
			if (h->lines[j].kind == ' ') {
				i++;
			} else if (h->lines[j].kind == '-') {
				if (i >= n)
					finding("hunk %zu deletes line %zu of a %zu-line file", k, i + 1, n);
				del[i++] = 1;
			} else {
				/* a line-end-converted hunk's lines take the file's line end
				 * before a trailing '\r' of theirs is read as part of one */
				ap_line add = h->lines[j];

				if (pl[k].eol_converted && add.eol != AP_EOL_NONE && style != AP_EOL_NONE)
					add.eol = style;
				if (ap_lines_push(&ins[i < n ? i : n], norm(&add)) < 0)
					harness_die("out of memory");
			}
		}
	}
	for (size_t p = 0; p <= n; p++) {
		for (size_t j = 0; j < ins[p].n; j++)
			if (ap_lines_push(want, ins[p].v[j]) < 0)
				harness_die("out of memory");
		if (p < n && !del[p] && ap_lines_push(want, norm(&lines->v[p])) < 0)
			harness_die("out of memory");
		ap_lines_free(&ins[p]);
	}
	for (size_t i = 0; i + 1 < want->n; i++)
		if (want->v[i].eol == AP_EOL_NONE)
			want->v[i].eol = AP_EOL_LF;
	/* an empty last line without a line end is no bytes at all */
	if (want->n && want->v[want->n - 1].eol == AP_EOL_NONE && want->v[want->n - 1].len == 0)
		want->n--;
	free(del);
	free(ins);
}

static void check_file(const ap_file_diff *fd, const char *file, size_t flen, int max_fuzz,
		       int detect)
{
	ap_lines lines = AP_LINES_INIT, out_lines = AP_LINES_INIT, want = AP_LINES_INIT;
	ap_place_opts po = AP_PLACE_OPTS_INIT;
	ap_placement *pl = calloc(fd->nhunks + 1, sizeof *pl);
	ap_buf out = AP_BUF_INIT;
	size_t failed, min_next = 0, prev_end = 0;
	int all_plain = 1, shared = 0, converted = 0;
	long delta = 0;

	if (!pl || ap_lines_split(&lines, file, flen) < 0)
		harness_die("out of memory");
	po.max_fuzz = max_fuzz;
	po.detect_applied = detect;
	failed = ap_place_file(&lines, fd->hunks, fd->nhunks, &po, pl);

	for (size_t k = 0, nf = 0; k < fd->nhunks; k++) {
		const ap_placement *q = &pl[k];
		side pre = image(&fd->hunks[k], '+'), post = image(&fd->hunks[k], '-');

		if (q->outcome != AP_HUNK_FAILED) {
			/* its leading context may overlap the previous hunk, its changes not */
			if (q->where + lead(&fd->hunks[k]) < min_next)
				finding("hunk %zu changes line %zu, before the end of the previous "
					"hunk's changes (line %zu)", k, q->where + lead(&fd->hunks[k]) + 1,
					min_next);
			if (q->line != (long)q->where + 1 + delta)
				finding("hunk %zu: reported at output line %ld, expected %ld", k, q->line,
					(long)q->where + 1 + delta);
			shared |= q->where < prev_end;
		}
		switch (q->outcome) {
		case AP_HUNK_FAILED:
			nf++;
			if (q->near_matched > q->near_total)
				finding("hunk %zu: near match %zu of %zu lines", k, q->near_matched,
					q->near_total);
			all_plain = 0;
			break;
		case AP_HUNK_FUZZ:
			if (max_fuzz == 0 || q->fuzz < 1 || q->fuzz > max_fuzz)
				finding("hunk %zu: fuzz %d with --fuzz %d", k, q->fuzz, max_fuzz);
			all_plain = 0;
			/* fall through */
		case AP_HUNK_EXACT:
		case AP_HUNK_OFFSET:
			/* Under fuzz, ignored context may lie past the end of the file,
			 * and a hunk whose every pre-image line is fuzzed away matches
			 * anywhere, as with GNU patch: only the edit must be in bounds. */
			if (q->outcome != AP_HUNK_FUZZ &&
			    (q->where > lines.n || pre.n > lines.n - q->where))
				finding("hunk %zu: pre-image of %zu lines at line %zu of a %zu-line file",
					k, pre.n, q->where + 1, lines.n);
			if (q->outcome != AP_HUNK_FUZZ && !image_at(&lines, q->where, &pre, q->eol_converted))
				finding("hunk %zu reported %s at line %zu, but its pre-image is not there",
					k, ap_outcome_name(q->outcome), q->where + 1);
			if (q->outcome != AP_HUNK_FUZZ && (q->outcome == AP_HUNK_EXACT) != (q->offset == 0))
				finding("hunk %zu: outcome %s with offset %ld", k, ap_outcome_name(q->outcome),
					q->offset);
			min_next = q->where + frozen(&fd->hunks[k], '+');
			prev_end = q->where + pre.n;
			delta += (long)post.n - (long)pre.n;
			converted |= q->eol_converted;
			break;
		case AP_HUNK_ALREADY:
			if (!detect)
				finding("hunk %zu already-applied though not looked for", k);
			if (!image_at(&lines, q->where, &post, q->eol_converted))
				finding("hunk %zu reported already-applied at line %zu, but its post-image "
					"is not there", k, q->where + 1);
			min_next = q->where + frozen(&fd->hunks[k], '-');
			prev_end = q->where + post.n;
			all_plain = 0;
			break;
		default:
			finding("hunk %zu: outcome %d", k, (int)q->outcome);
		}
		free(pre.v);
		free(post.v);
		if (k + 1 == fd->nhunks && nf != failed)
			finding("ap_place_file says %zu failed, outcomes say %zu", failed, nf);
	}
	if (failed) {
		if (ap_place_render(&lines, fd->hunks, fd->nhunks, pl, &out) == 0)
			finding("render succeeded with %zu failed hunks", failed);
		goto done;
	}
	if (ap_place_render(&lines, fd->hunks, fd->nhunks, pl, &out) < 0)
		harness_die("render failed (out of memory?)");

	/* whatever the outcomes: the output is the input with the edits made */
	expected_output(&lines, fd, pl, &want);
	if (ap_lines_split(&out_lines, out.data ? out.data : "", out.len) < 0)
		harness_die("out of memory");
	if (want.n != out_lines.n)
		finding("output has %zu lines, expected %zu", out_lines.n, want.n);
	for (size_t i = 0; i < want.n; i++)
		if (!same_line(&want.v[i], &out_lines.v[i], 1))
			finding("output line %zu is not the expected one", i + 1);
	if (!all_plain || shared)
		goto done;

	/* every hunk exact or offset, none sharing context with the next:
	 * the post-images are where reported */
	for (size_t k = 0; k < fd->nhunks; k++) {
		side post = image(&fd->hunks[k], '-');
		size_t at = (size_t)(pl[k].line - 1);

		int unsure = 0;

		/* a line without an end gets one when more follow, and a converted
		 * line ending in '\r' reads back as another line end: the edit
		 * check above covers those */
		for (size_t i = 0; i < post.n; i++) {
			const ap_line *l = post.v[i];

			unsure |= l->eol == AP_EOL_NONE ||
				  (pl[k].eol_converted && l->len && l->text[l->len - 1] == '\r');
		}
		if (!unsure && !image_at(&out_lines, at, &post, 1))
			finding("hunk %zu: post-image is not at output line %ld", k, pl[k].line);
		free(post.v);
	}
	for (size_t k = 0; k < fd->nhunks; k++)
		for (size_t j = 0; j < fd->hunks[k].nlines; j++)
			converted |= ambiguous(&fd->hunks[k].lines[j]) ||
				     fd->hunks[k].lines[j].eol == AP_EOL_NONE;
	converted |= lines.n && lines.v[lines.n - 1].eol == AP_EOL_NONE;
	if (!converted) {
		/* and the reverse patch takes the output back to the input (not
		 * where line ends changed, or a line's bytes can be read two ways) */
		ap_hunk *r = reversed(fd->hunks, fd->nhunks, pl);
		ap_placement *rpl = calloc(fd->nhunks + 1, sizeof *rpl);
		ap_place_opts ro = AP_PLACE_OPTS_INIT;
		ap_buf back = AP_BUF_INIT;

		if (!rpl)
			harness_die("out of memory");
		ro.detect_applied = 0;
		if (ap_place_file(&out_lines, r, fd->nhunks, &ro, rpl) != 0)
			finding("the reversed patch does not place on the output");
		if (ap_place_render(&out_lines, r, fd->nhunks, rpl, &back) < 0)
			harness_die("render failed (out of memory?)");
		if (back.len != flen || (flen && memcmp(back.data, file, flen) != 0))
			finding("applying the patch and then its reverse does not give back the "
				"input (%zu bytes, got %zu)", flen, back.len);
		ap_buf_free(&back);
		for (size_t k = 0; k < fd->nhunks; k++)
			free(r[k].lines);
		free(r);
		free(rpl);
	}
done:
	ap_buf_free(&out);
	ap_lines_free(&want);
	ap_lines_free(&out_lines);
	ap_lines_free(&lines);
	free(pl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nul, *patch, *file = "";
	size_t plen, flen = 0;
	ap_patch p;
	ap_error err = AP_ERROR_INIT;
	int max_fuzz, detect;

	if (size < 1)
		return 0;
	max_fuzz = data[0] & 3;
	detect = !(data[0] & 4);
	patch = (const char *)data + 1;
	plen = size - 1;
	nul = memchr(patch, '\0', plen);
	if (nul) {
		file = nul + 1;
		flen = plen - (size_t)(nul + 1 - patch);
		plen = (size_t)(nul - patch);
	}
	if (ap_patch_parse(&p, "fuzz.patch", patch, plen, 0, &err) < 0)
		return 0;
	for (size_t i = 0; i < p.nfiles && i < 8; i++)
		check_file(&p.files[i], file, flen, max_fuzz, detect);
	ap_patch_free(&p);
	return 0;
}
