/* place.h - finding where each hunk of a file diff goes, and applying it.
 *
 * Placement follows GNU patch so that the two agree wherever both apply a
 * hunk: hunks are placed in order, each at its line plus the offset the
 * previous hunk needed, searching outward (forward first) and never before
 * the end of the previous hunk; a hunk whose leading (trailing) context is
 * shorter than its other side is anchored to the start (end) of the file.
 * Beyond GNU patch: a hunk is "already applied" when its pre-image matches
 * nowhere it could be placed but its post-image does, or when both match
 * at the same place and the post-image is not the shorter (for an empty
 * pre-image, which matches everywhere: the post-image at the hunk's own
 * line); a deletion whose post-image is the start of its own pre-image
 * (deleted lines that begin like the trailing context) is applied, as the
 * file holds every line it deletes. A pre-image found anywhere else
 * is applied there, as GNU patch applies it at an offset. LF hunks match
 * CRLF files and the reverse; fuzz is tried only when asked for, after
 * both images failed to match exactly; and a failed hunk names the line
 * of its nearest partial match.
 *
 *   ap_place_file     where each hunk goes (offset, fuzz, applied already, failed)
 *   ap_place_render   the patched text from those placements
 *   ap_outcome_name   an outcome's name for reports
 */
#ifndef AP_PLACE_H
#define AP_PLACE_H

#include "buf.h"
#include "lines.h"
#include "patch.h"

enum ap_outcome {
	AP_HUNK_EXACT,
	AP_HUNK_OFFSET,
	AP_HUNK_FUZZ,
	AP_HUNK_ALREADY,
	AP_HUNK_FAILED,
};

typedef struct ap_placement {
	enum ap_outcome outcome;
	long offset;          /* lines between where the hunk says and where it went */
	int fuzz;             /* context lines ignored at each end */
	long line;            /* 1-based line of the hunk in the result; for a
	                         failed hunk, of its nearest partial match */
	int eol_converted;    /* matched across LF/CRLF; added lines take the file's */
	size_t near_matched;  /* failed: lines of the pre-image that matched there */
	size_t near_total;
	/* for ap_place_render */
	size_t where;         /* 0-based first input line of the pre-image */
	int prefix_fuzz;
} ap_placement;

typedef struct ap_place_opts {
	int max_fuzz;         /* 0: no fuzz, ever */
	int detect_applied;   /* look for post-images (already applied) */
} ap_place_opts;

#define AP_PLACE_OPTS_INIT { 0, 1 }

/* Places hunks[0..n) in file; fills out[0..n). Returns how many failed. */
size_t ap_place_file(const ap_lines *file, const ap_hunk *hunks, size_t n,
		     const ap_place_opts *opts, ap_placement *out);

/* Appends the patched text to out: hunks placed as applied are applied,
 * the rest of the file (already-applied hunks included) is copied. Call
 * only when no hunk failed. */
int ap_place_render(const ap_lines *file, const ap_hunk *hunks, size_t n,
		    const ap_placement *pl, ap_buf *out);

const char *ap_outcome_name(enum ap_outcome o);

#endif
