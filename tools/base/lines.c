/* lines.c - splitting text into lines and comparing them. */
#include "lines.h"

#include "buf.h"

#include <stdlib.h>
#include <string.h>

int ap_lines_push(ap_lines *l, ap_line line)
{
	if (ap_array_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) < 0)
		return -1;
	l->v[l->n++] = line;
	l->style1 = 0;
	return 0;
}

int ap_lines_split(ap_lines *out, const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	/* generous: source lines average about 30 bytes, and growing a
	 * too-small array copies it; pages never written are never mapped */
	size_t guess = len / 16 + 16;
	size_t lf = 0, crlf = 0;

	out->n = 0;
	out->style1 = 0;
	if (ap_array_grow((void **)&out->v, &out->cap, guess, sizeof *out->v) < 0)
		return -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		ap_line line = { p, 0, AP_EOL_NONE, 0 };

		if (!nl) {
			line.len = (size_t)(end - p);
			p = end;
		} else if (nl > p && nl[-1] == '\r') {
			line.len = (size_t)(nl - 1 - p);
			line.eol = AP_EOL_CRLF;
			crlf++;
			p = nl + 1;
		} else {
			line.len = (size_t)(nl - p);
			line.eol = AP_EOL_LF;
			lf++;
			p = nl + 1;
		}
		/* inline push: the array grows only past the guess */
		if (out->n == out->cap &&
		    ap_array_grow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v) < 0)
			return -1;
		out->v[out->n++] = line;
	}
	out->style1 = (unsigned char)(ap_eol_majority(lf, crlf) + 1);
	return 0;
}

void ap_lines_free(ap_lines *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
	l->style1 = 0;
}

enum ap_eol ap_eol_majority(size_t lf, size_t crlf)
{
	if (!lf && !crlf)
		return AP_EOL_NONE;
	return crlf > lf ? AP_EOL_CRLF : AP_EOL_LF;
}

enum ap_eol ap_lines_style(const ap_line *v, size_t n)
{
	size_t lf = 0, crlf = 0;

	for (size_t i = 0; i < n; i++) {
		if (v[i].eol == AP_EOL_LF)
			lf++;
		else if (v[i].eol == AP_EOL_CRLF)
			crlf++;
	}
	return ap_eol_majority(lf, crlf);
}

enum ap_eol ap_lines_style_of(const ap_lines *l)
{
	return l->style1 ? (enum ap_eol)(l->style1 - 1) : ap_lines_style(l->v, l->n);
}

int ap_line_eq(const ap_line *a, const ap_line *b)
{
	return a->len == b->len && a->eol == b->eol &&
	       (a->text == b->text || memcmp(a->text, b->text, a->len) == 0);
}

int ap_line_eq_loose(const ap_line *a, const ap_line *b)
{
	return a->len == b->len && (a->eol == AP_EOL_NONE) == (b->eol == AP_EOL_NONE) &&
	       (a->text == b->text || memcmp(a->text, b->text, a->len) == 0);
}

const char *ap_eol_bytes(enum ap_eol eol)
{
	return eol == AP_EOL_CRLF ? "\r\n" : eol == AP_EOL_LF ? "\n" : "";
}

size_t ap_eol_len(enum ap_eol eol)
{
	return eol == AP_EOL_CRLF ? 2 : eol == AP_EOL_LF ? 1 : 0;
}
