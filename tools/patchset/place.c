/* place.c - hunk placement (GNU patch's locate_hunk semantics) and output. */
#include "place.h"

#include <stdlib.h>
#include <string.h>

/* One side of a hunk: the lines it expects (pre) or leaves (post). */
typedef struct image {
	const ap_line **v;
	size_t n;
	long first;        /* 1-based line where the hunk says it starts */
	long prefix, suffix, context;  /* context lines at each end */
} image;

typedef struct cursor {
	long in_offset;    /* found - expected, carried to the next hunk */
	long last_frozen;  /* last input line a placed hunk used (1-based) */
} search_state;

static int image_build(image *im, const ap_hunk *h, char drop)
{
	size_t k = 0;

	im->v = malloc((h->nlines ? h->nlines : 1) * sizeof *im->v);
	if (!im->v)
		return -1;
	for (size_t i = 0; i < h->nlines; i++)
		if (h->lines[i].kind != drop)
			im->v[k++] = &h->lines[i];
	im->n = k;
	im->prefix = im->suffix = 0;
	for (size_t i = 0; i < h->nlines && h->lines[i].kind == ' '; i++)
		im->prefix++;
	for (size_t i = h->nlines; i > 0 && h->lines[i - 1].kind == ' '; i--)
		im->suffix++;
	if ((size_t)im->prefix == h->nlines)  /* all context: both ends are one run */
		im->suffix = im->prefix;
	im->context = im->prefix > im->suffix ? im->prefix : im->suffix;
	if (drop == '+')
		im->first = h->old_count ? h->old_start : h->old_start + 1;
	else
		im->first = h->new_count ? h->new_start : h->new_start + 1;
	return 0;
}

static int match_at(const ap_lines *file, long pos, const image *im, long skip_front,
		    long skip_back, int loose)
{
	long n = (long)im->n;

	for (long i = skip_front; i < n - skip_back; i++) {
		long at = pos - 1 + i;

		if (at < 0 || at >= (long)file->n)
			return 0;
		if (loose ? !ap_line_eq_loose(&file->v[at], im->v[i])
			  : !ap_line_eq(&file->v[at], im->v[i]))
			return 0;
	}
	return 1;
}

/* How many of a side's lines a placed hunk freezes: through its last
 * changed line, not its trailing context, which (as in GNU patch's
 * apply_hunk) the next hunk may share. */
static long frozen_lines(const ap_hunk *h, char side_drop)
{
	long o = 0, frozen = 0;

	for (size_t i = 0; i < h->nlines; i++) {
		char k = h->lines[i].kind;

		if (k == ' ') {
			o++;
		} else if (k == side_drop) {
			frozen = o;  /* a line of the other side: frozen before it */
		} else {
			o++;
			frozen = o;
		}
	}
	return frozen;
}

/* GNU patch's search: returns the 1-based line where im starts, or 0. */
static long locate(const ap_lines *file, const image *im, const search_state *c, long fuzz,
		   int loose)
{
	long input_lines = (long)file->n;
	long first_guess = im->first + c->in_offset;
	long pat_lines = (long)im->n;
	long prefix_fuzz = fuzz + im->prefix - im->context;
	long suffix_fuzz = fuzz + im->suffix - im->context;
	long max_where = input_lines - (pat_lines - suffix_fuzz) + 1;
	long min_where = c->last_frozen + 1;
	long max_pos_offset = max_where - first_guess;
	long max_neg_offset = first_guess - min_where;
	long max_offset = max_pos_offset > max_neg_offset ? max_pos_offset : max_neg_offset;

	if (!pat_lines) {
		/* GNU patch appends an insertion aimed past the end; we report the offset */
		if (first_guess > input_lines + 1)
			first_guess = input_lines + 1;
		return first_guess >= min_where ? first_guess : 0;
	}
	if (first_guess <= max_neg_offset)
		max_neg_offset = first_guess - 1;
	if (prefix_fuzz < 0 && im->first <= 1) {
		long offset = 1 - first_guess;

		/* the hunk can only match at the start of the file */
		if (suffix_fuzz < 0 && (pat_lines != input_lines || im->prefix < c->last_frozen))
			return 0;
		if (c->last_frozen <= im->prefix && offset <= max_pos_offset &&
		    match_at(file, first_guess + offset, im, 0, suffix_fuzz > 0 ? suffix_fuzz : 0, loose))
			return first_guess + offset;
		return 0;
	} else if (prefix_fuzz < 0) {
		prefix_fuzz = 0;
	}
	if (suffix_fuzz < 0) {
		/* the hunk can only match at the end of the file */
		long offset = first_guess - (input_lines - pat_lines + 1);

		if (offset <= max_neg_offset && first_guess - offset >= min_where &&
		    match_at(file, first_guess - offset, im, prefix_fuzz, 0, loose))
			return first_guess - offset;
		return 0;
	}
	for (long offset = 0; offset <= max_offset; offset++) {
		if (offset <= max_pos_offset &&
		    match_at(file, first_guess + offset, im, prefix_fuzz, suffix_fuzz, loose))
			return first_guess + offset;
		if (offset > 0 && offset <= max_neg_offset &&
		    match_at(file, first_guess - offset, im, prefix_fuzz, suffix_fuzz, loose))
			return first_guess - offset;
	}
	return 0;
}

/* An offset-0 guess may reach back over the previous hunk (GNU patch does
 * the same), but only with its leading context: changes there would undo
 * what that hunk wrote, which GNU patch refuses as "misordered hunks". */
static int starts_inside_previous(long pos, const image *im, const search_state *c)
{
	return pos + im->prefix <= c->last_frozen;
}

/* Whether im matches exactly at pos, where locate could have found it:
 * held to the end (start) of the file when its hunk is anchored there. */
static int image_at(const ap_lines *file, long pos, const image *im, const search_state *c,
		    int loose)
{
	if (im->suffix < im->context && pos != (long)file->n - (long)im->n + 1)
		return 0;
	if (im->prefix < im->context && im->first <= 1 && pos != 1)
		return 0;
	return match_at(file, pos, im, 0, 0, loose) && !starts_inside_previous(pos, im, c);
}

/* Where the hunk's post-image shows it already applied, or 0 (the rule in
 * place.h). pos is where the pre-image matched, or 0. */
static long find_applied(const ap_lines *file, const image *pre, const image *post, long pos,
			 const search_state *c, int loose)
{
	long apos;

	if (!post->n)  /* an empty post-image (the hunk only deletes) is found anywhere */
		return 0;
	/* The pre-image is there: in place only if the post-image is too and
	 * is not shorter. Both matching at one place means the shorter image
	 * is the start of the longer one, and the file holds the longer one
	 * whole: a hunk deleting lines that begin like its trailing context
	 * (pre-image P D S with D starting with S, post-image P S) finds its
	 * post-image inside its own pre-image; the lines to delete are there,
	 * so it is not applied. */
	if (pos && pre->n)
		return post->n >= pre->n && image_at(file, pos, post, c, loose) ? pos : 0;
	apos = locate(file, post, c, 0, loose);
	/* the previous hunk's lines count once */
	if (apos && starts_inside_previous(apos, post, c))
		return 0;
	/* an empty pre-image matches everywhere: the post-image must stand
	 * at the hunk's own line */
	if (apos && pos && apos != post->first + c->in_offset)
		return 0;
	return apos;
}

/* The partial match with the most equal lines, nearest the guess on ties. */
static void near_match(const ap_lines *file, const image *pre, long guess, ap_placement *pl)
{
	long n = (long)file->n, m = (long)pre->n;
	long lo = 0, hi = n - 1;
	long best = -1, best_pos = guess > 0 ? guess : 1, best_dist = 0;
	/* keep the scan to about 2e7 line comparisons however large the input */
	long window = m ? 20000000 / m : n;

	pl->near_total = pre->n;
	pl->near_matched = 0;
	if (window < n) {
		lo = guess - 1 - window / 2;
		hi = guess - 1 + window / 2;
		lo = lo < 0 ? 0 : lo;
		hi = hi > n - 1 ? n - 1 : hi;
	}
	for (long p = lo; p <= hi; p++) {
		long count = 0, dist;

		for (long i = 0; i < m && p + i < n; i++)
			if (ap_line_eq_loose(&file->v[p + i], pre->v[i]))
				count++;
		dist = labs(p + 1 - guess);
		if (count > best || (count == best && dist < best_dist)) {
			best = count;
			best_pos = p + 1;
			best_dist = dist;
		}
	}
	pl->line = best_pos;
	pl->near_matched = best > 0 ? (size_t)best : 0;
}

static enum ap_eol hunk_style(const ap_hunk *h)
{
	return ap_lines_style(h->lines, h->nlines);
}

size_t ap_place_file(const ap_lines *file, const ap_hunk *hunks, size_t n,
		     const ap_place_opts *opts, ap_placement *out)
{
	search_state c = { 0, 0 };
	enum ap_eol file_style = ap_lines_style_of(file);
	long out_delta = 0;
	size_t failed = 0;

	for (size_t k = 0; k < n; k++) {
		const ap_hunk *h = &hunks[k];
		ap_placement *pl = &out[k];
		image pre = { 0 }, post = { 0 };
		long pos = 0, apos = 0;
		int loose_ok;

		memset(pl, 0, sizeof *pl);
		if (image_build(&pre, h, '+') < 0 || image_build(&post, h, '-') < 0) {
			free(pre.v);
			free(post.v);
			pl->outcome = AP_HUNK_FAILED;
			failed++;
			continue;
		}
		loose_ok = file_style != AP_EOL_NONE && hunk_style(h) != AP_EOL_NONE &&
			   file_style != hunk_style(h);
		for (int loose = 0; loose <= loose_ok && !pos && !apos; loose++) {
			pos = locate(file, &pre, &c, 0, loose);
			apos = opts->detect_applied ? find_applied(file, &pre, &post, pos, &c, loose) : 0;
			if (apos)
				pos = 0;
			pl->eol_converted = loose && (pos || apos);
		}
		if (!pos && !apos && opts->max_fuzz > 0) {
			long maxf = opts->max_fuzz < pre.context ? opts->max_fuzz : pre.context;

			for (long f = 1; f <= maxf && !pos; f++)
				for (int loose = 0; loose <= loose_ok && !pos; loose++) {
					pos = locate(file, &pre, &c, f, loose);
					if (pos) {
						pl->fuzz = (int)f;
						pl->eol_converted = loose;
					}
				}
		}
		if (pos && starts_inside_previous(pos, &pre, &c)) {
			pos = 0;
			pl->fuzz = 0;
			pl->eol_converted = 0;
		}
		if (pos) {
			long prefix_fuzz = pl->fuzz + pre.prefix - pre.context;

			pl->where = (size_t)(pos - 1);
			pl->prefix_fuzz = prefix_fuzz > 0 ? (int)prefix_fuzz : 0;
			pl->offset = pos - pre.first;
			pl->outcome = pl->fuzz ? AP_HUNK_FUZZ : pl->offset ? AP_HUNK_OFFSET : AP_HUNK_EXACT;
			pl->line = pos + out_delta;
			c.in_offset = pos - pre.first;
			c.last_frozen = pos - 1 + frozen_lines(h, '+');
			out_delta += (long)post.n - (long)pre.n;
		} else if (apos) {
			pl->where = (size_t)(apos - 1);
			pl->offset = apos - post.first;
			pl->outcome = AP_HUNK_ALREADY;
			pl->line = apos + out_delta;
			c.in_offset = apos - post.first;
			c.last_frozen = apos - 1 + frozen_lines(h, '-');
		} else {
			pl->outcome = AP_HUNK_FAILED;
			near_match(file, &pre, pre.first + c.in_offset, pl);
			failed++;
		}
		free(pre.v);
		free(post.v);
	}
	return failed;
}

/* Writes one line. A line without an end that turns out not to be the
 * last one gets one first (GNU patch does the same), so that no two lines
 * are glued together. */
static int emit_line(ap_buf *out, const ap_line *l, int convert, enum ap_eol style, int *open)
{
	enum ap_eol eol = (enum ap_eol)l->eol;

	if (*open) {
		enum ap_eol fix = style != AP_EOL_NONE ? style : AP_EOL_LF;

		if (ap_buf_add(out, ap_eol_bytes(fix), ap_eol_len(fix)) < 0)
			return -1;
		*open = 0;
	}
	*open = eol == AP_EOL_NONE;

	if (convert && eol != AP_EOL_NONE && style != AP_EOL_NONE)
		eol = style;
	if (ap_buf_add(out, l->text, l->len) < 0)
		return -1;
	return ap_buf_add(out, ap_eol_bytes(eol), ap_eol_len(eol));
}

/* Copies input lines [from, to) in one go: they sit next to each other in
 * the file's bytes, so a run costs one memcpy rather than one per line. */
static int emit_run(ap_buf *out, const ap_lines *file, size_t from, size_t to, enum ap_eol style,
		    int *open)
{
	const ap_line *first, *last;

	if (to > file->n)
		to = file->n;
	if (from >= to)
		return 0;
	first = &file->v[from];
	last = &file->v[to - 1];
	if (*open) {
		enum ap_eol fix = style != AP_EOL_NONE ? style : AP_EOL_LF;

		if (ap_buf_add(out, ap_eol_bytes(fix), ap_eol_len(fix)) < 0)
			return -1;
		*open = 0;
	}
	if (ap_buf_add(out, first->text, (size_t)(last->text - first->text) + last->len +
		       ap_eol_len((enum ap_eol)last->eol)) < 0)
		return -1;
	*open = last->eol == AP_EOL_NONE;
	return 0;
}

int ap_place_render(const ap_lines *file, const ap_hunk *hunks, size_t n,
		    const ap_placement *pl, ap_buf *out)
{
	enum ap_eol style = ap_lines_style_of(file);
	size_t copied = 0;  /* input lines already written */
	int open = 0;       /* the last line written has no line end (yet) */

	/* As GNU patch does, input is copied lazily, up to each change: a hunk's
	 * trailing context may be the next hunk's leading context. */
	for (size_t k = 0; k < n; k++) {
		const ap_hunk *h = &hunks[k];
		size_t i;

		if (pl[k].outcome == AP_HUNK_ALREADY)
			continue;
		if (pl[k].outcome == AP_HUNK_FAILED)
			return -1;
		i = pl[k].where;
		for (size_t j = 0; j < h->nlines; j++) {
			const ap_line *l = &h->lines[j];

			if (l->kind == ' ') {
				i++;
				continue;
			}
			if (copied < i && emit_run(out, file, copied, i, style, &open) < 0)
				return -1;
			if (copied < i)
				copied = i;
			if (l->kind == '-') {
				i++;
				copied = i;
			} else if (emit_line(out, l, pl[k].eol_converted, style, &open) < 0) {
				return -1;
			}
		}
	}
	return emit_run(out, file, copied, file->n, style, &open);
}

const char *ap_outcome_name(enum ap_outcome o)
{
	switch (o) {
	case AP_HUNK_EXACT: return "exact";
	case AP_HUNK_OFFSET: return "offset";
	case AP_HUNK_FUZZ: return "fuzz";
	case AP_HUNK_ALREADY: return "already-applied";
	case AP_HUNK_FAILED: return "failed";
	}
	return "?";
}
