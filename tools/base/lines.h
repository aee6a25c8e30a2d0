/* lines.h - text as an array of lines that point into its bytes.
 *
 * A line keeps its end separate from its text so that a hunk written with
 * LF endings can be matched against a CRLF file (and the reverse) without
 * copying either.
 *
 *   ap_lines_split / _push / _free   bytes as lines
 *   ap_lines_style (_of)             the line ending a file mostly uses
 *   ap_line_eq (_loose)              two lines equal (loose: LF and CRLF alike)
 *   ap_eol_bytes / _len              a line ending written out
 */
#ifndef AP_LINES_H
#define AP_LINES_H

#include <stddef.h>

enum ap_eol { AP_EOL_NONE = 0, AP_EOL_LF = 1, AP_EOL_CRLF = 2 };

typedef struct ap_line {
	const char *text;   /* not NUL-terminated; may hold NUL bytes */
	size_t len;         /* without the line end */
	unsigned char eol;  /* enum ap_eol */
	char kind;          /* hunk lines: ' ', '-' or '+'; files: 0 */
} ap_line;

typedef struct ap_lines {
	ap_line *v;
	size_t n;
	size_t cap;
	/* ap_lines_style of v + 1, or 0 when not known: ap_lines_split
	 * counts the line ends as it goes, so that placing and rendering a
	 * file's hunks need not count them again; ap_lines_push forgets
	 * it, and so must any other change to v or n */
	unsigned char style1;
} ap_lines;

#define AP_LINES_INIT { NULL, 0, 0, 0 }

/* Splits data[0..len) into lines; the lines point into data. */
int ap_lines_split(ap_lines *out, const char *data, size_t len);
int ap_lines_push(ap_lines *l, ap_line line);
void ap_lines_free(ap_lines *l);

/* The line end most lines use: AP_EOL_LF, AP_EOL_CRLF, or AP_EOL_NONE
 * when no line has one. Ties go to LF. _of: of l, counted only when
 * not known already; ap_eol_majority: the same from the two counts. */
enum ap_eol ap_lines_style(const ap_line *v, size_t n);
enum ap_eol ap_lines_style_of(const ap_lines *l);
enum ap_eol ap_eol_majority(size_t lf, size_t crlf);

/* Same bytes and same line end. */
int ap_line_eq(const ap_line *a, const ap_line *b);
/* Same bytes; LF and CRLF count as equal, but a missing end does not. */
int ap_line_eq_loose(const ap_line *a, const ap_line *b);

const char *ap_eol_bytes(enum ap_eol eol);
size_t ap_eol_len(enum ap_eol eol);

#endif
