/* patch.c - parsing unified and git diffs.
 *
 * Written by hand: no maintained C library parses plain unified diffs
 * with the leniency of GNU patch (libgit2 takes only `diff --git`).
 * The parser walks the patch line by line; a file diff starts at
 * `diff --git`, or at a `--- `/`+++ ` pair; text before the first one is
 * the description. Everything it refuses is refused with "NAME:LINE:".
 */
#include "patch.h"

#include "buf.h"
#include "path.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct text_line {
	const char *s;   /* start */
	size_t len;      /* without "\n" or "\r\n" */
	unsigned char eol;
	size_t lineno;
} text_line;

typedef struct parser {
	ap_patch *p;
	const char *data;
	size_t len;
	size_t pos;
	size_t lineno;   /* number of the next line to read */
	ap_error *err;
	int crlf;        /* the patch was converted to CRLF as a whole (crlf_converted) */
} parser;

/* Every line of the diff part (from the first file header) ends in
 * "\r\n": the patch was converted as a whole, by a mail client or an
 * editor, and each line's last "\r" is the conversion's, not content.
 * GNU patch strips it likewise ("Stripping trailing CRs from patch"). */
static int crlf_converted(const char *data, size_t len)
{
	size_t pos = ap_patch_diff_start(data, len), lines = 0;

	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);

		if (!nl)
			break;
		if (nl == data + pos || nl[-1] != '\r')
			return 0;
		lines++;
		pos = (size_t)(nl - data) + 1;
	}
	return lines > 0;
}

static int read_line(parser *ps, text_line *l)
{
	const char *start, *nl;

	if (ps->pos >= ps->len)
		return 0;
	start = ps->data + ps->pos;
	nl = memchr(start, '\n', ps->len - ps->pos);
	l->s = start;
	l->lineno = ps->lineno++;
	if (!nl) {
		l->len = ps->len - ps->pos;
		/* a patch whose last line lacks "\n" was cut, not meant */
		l->eol = AP_EOL_LF;
		ps->pos = ps->len;
	} else {
		l->len = (size_t)(nl - start);
		l->eol = AP_EOL_LF;
		if (l->len && start[l->len - 1] == '\r') {
			l->len--;
			l->eol = AP_EOL_CRLF;
			/* converted as a whole: that "\r" was the conversion's, and
			 * the line's own end is what precedes it */
			if (ps->crlf && !(l->len && start[l->len - 1] == '\r'))
				l->eol = AP_EOL_LF;
			else if (ps->crlf)
				l->len--;
		}
		ps->pos = (size_t)(nl - ps->data) + 1;
	}
	return 1;
}

/* "\ No newline at end of file" (the marker line) after l: l has no line
 * end. A "\r" before l's "\n" is then l's last byte, as GNU patch and
 * git apply keep it ("+three\r" at the end of a file), unless the marker
 * ends in "\r\n" too: then the whole patch had its line ends converted
 * and the "\r" is one of them (GNU patch strips them likewise). */
static void no_newline(ap_line *l, const text_line *marker)
{
	if (l->eol == AP_EOL_CRLF && marker->eol != AP_EOL_CRLF)
		l->len++;  /* the "\r" follows the text in the patch's bytes */
	l->eol = AP_EOL_NONE;
}

static int peek_line(parser *ps, text_line *l)
{
	size_t pos = ps->pos, lineno = ps->lineno;
	int rc = read_line(ps, l);

	ps->pos = pos;
	ps->lineno = lineno;
	return rc;
}

static int starts(const text_line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l->len >= n && memcmp(l->s, prefix, n) == 0;
}

static int fail(parser *ps, size_t lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(parser *ps, size_t lineno, const char *fmt, ...)
{
	char what[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return ap_error_set(ps->err, "%s:%zu: %s", ps->p->name, lineno, what);
}

static int oom(parser *ps)
{
	return ap_error_set(ps->err, "%s: out of memory", ps->p->name);
}

/* Parses a decimal line number or count: -1 if it is not one, -2 if it
 * is over AP_PATCH_MAX_LINENO (checked digit by digit, so no overflow). */
static long parse_number(const char **sp, const char *end)
{
	const char *s = *sp;
	long v = 0;

	if (s >= end || !isdigit((unsigned char)*s))
		return -1;
	while (s < end && isdigit((unsigned char)*s)) {
		v = v * 10 + (*s - '0');
		if (v > AP_PATCH_MAX_LINENO)
			return -2;
		s++;
	}
	*sp = s;
	return v;
}

/* C-style unquoting of git's "a/name\twith\\escapes". */
static char *unquote_n(const char *s, size_t len, size_t *used, size_t *outlen)
{
	ap_buf b = AP_BUF_INIT;
	size_t i = 1;

	while (i < len && s[i] != '"') {
		char c = s[i++];

		if (c == '\\' && i < len) {
			char e = s[i++];

			switch (e) {
			case 'a': c = '\a'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'v': c = '\v'; break;
			case '\\': case '"': c = e; break;
			default:
				if (e >= '0' && e <= '7') {
					int v = e - '0';

					for (int k = 0; k < 2 && i < len && s[i] >= '0' && s[i] <= '7'; k++)
						v = v * 8 + (s[i++] - '0');
					c = (char)v;
				} else {
					ap_buf_free(&b);
					return NULL;
				}
			}
		}
		if (ap_buf_putc(&b, c) < 0) {
			ap_buf_free(&b);
			return NULL;
		}
	}
	if (i >= len) {  /* no closing quote */
		ap_buf_free(&b);
		return NULL;
	}
	*used = i + 1;
	if (outlen)
		*outlen = b.len;
	if (!b.data)
		return ap_strdup("");
	return ap_buf_detach(&b, NULL);
}

/* Unquotes a git name; NULL (and *nul set) when it decodes to a NUL byte,
 * which would otherwise cut the name short into another, harmless-looking
 * one. */
static char *unquote(const char *s, size_t len, size_t *used)
{
	size_t n = 0;
	char *r = unquote_n(s, len, used, &n);

	if (r && memchr(r, '\0', n)) {
		free(r);
		return NULL;
	}
	return r;
}

static int is_epoch(const char *ts, size_t len)
{
	static const char *const epochs[] = {
		"1970-01-01 00:00:00", "1969-12-31 ", "Thu Jan  1 00:00:00 1970",
		"Wed Dec 31 ",
	};

	for (size_t i = 0; i < sizeof epochs / sizeof *epochs; i++) {
		size_t n = strlen(epochs[i]);

		if (len >= n && memcmp(ts, epochs[i], n) == 0)
			return 1;
	}
	return 0;
}

typedef struct header_name {
	char *name;      /* NULL for /dev/null */
	int dev_null;
	int epoch;       /* timestamp says "did not exist" */
} header_name;

/* Reads the name on a "--- " or "+++ " line (after the 4-byte tag). */
static int parse_header_name(parser *ps, const text_line *l, header_name *out)
{
	const char *s = l->s + 4, *end = l->s + l->len;
	size_t len;

	memset(out, 0, sizeof *out);
	while (s < end && *s == ' ')
		s++;
	if (s < end && *s == '"') {
		size_t used;

		out->name = unquote(s, (size_t)(end - s), &used);
		if (!out->name)
			return fail(ps, l->lineno, "malformed quoted file name (or one with a NUL byte)");
		s += used;
		len = strlen(out->name);
	} else {
		const char *tab = memchr(s, '\t', (size_t)(end - s));
		const char *stop = tab ? tab : end;

		if (!tab) {
			/* "name  2019-01-01 10:00:00" from tools that pad with spaces */
			for (const char *q = s; q + 3 < end; q++)
				if (q[0] == ' ' && q[1] == ' ' && isdigit((unsigned char)q[2])) {
					stop = q;
					break;
				}
		}
		while (stop > s && (stop[-1] == ' ' || stop[-1] == '\t'))
			stop--;
		len = (size_t)(stop - s);
		out->name = ap_strndup(s, len);
		if (!out->name)
			return oom(ps);
		s = stop;
	}
	while (s < end && (*s == '\t' || *s == ' '))
		s++;
	out->epoch = is_epoch(s, (size_t)(end - s));
	if (strcmp(out->name, "/dev/null") == 0) {
		free(out->name);
		out->name = NULL;
		out->dev_null = 1;
	} else if (memchr(out->name, '\0', len)) {
		free(out->name);
		out->name = NULL;
		return fail(ps, l->lineno, "file name contains a NUL byte");
	}
	return 0;
}

/* Strips and checks one path; *out is NULL when stripping left nothing. */
static int take_path(parser *ps, size_t lineno, const char *raw, int strip,
		     char **out, int *too_short)
{
	const char *stripped = ap_path_strip(raw, strip);
	const char *why;
	char shown[512];

	*out = NULL;
	if (too_short)
		*too_short = 0;
	if (!stripped || !*stripped) {
		if (too_short) {
			*too_short = 1;
			return 0;
		}
		ap_path_show(raw, strlen(raw), shown, sizeof shown);
		return fail(ps, lineno, "cannot strip %d leading component%s from '%s'",
			    strip, strip == 1 ? "" : "s", shown);
	}
	why = ap_path_unsafe(stripped, strlen(stripped));
	if (why) {
		ap_path_show(stripped, strlen(stripped), shown, sizeof shown);
		return fail(ps, lineno, "unsafe path '%s': %s", shown, why);
	}
	*out = ap_strdup(stripped);
	return *out ? 0 : oom(ps);
}

static ap_file_diff *new_file_diff(parser *ps, size_t lineno)
{
	ap_patch *p = ps->p;
	ap_file_diff *f;

	if (ap_array_grow((void **)&p->files, &p->cap, p->nfiles + 1, sizeof *p->files) < 0) {
		oom(ps);
		return NULL;
	}
	f = &p->files[p->nfiles++];
	memset(f, 0, sizeof *f);
	f->lineno = lineno;
	if (p->nfiles == 1)
		p->desc_len = (size_t)(ps->data + ps->pos - ps->data);
	return f;
}

/* Reads one "@@ -a,b +c,d @@" hunk whose header line is l. */
static int parse_hunk(parser *ps, ap_file_diff *f, const text_line *l)
{
	const char *s = l->s + 4, *end = l->s + l->len;
	long left_old, left_new;
	ap_lines lines = AP_LINES_INIT;
	ap_hunk h;
	text_line t;

	memset(&h, 0, sizeof h);
	h.lineno = l->lineno;
	h.old_count = h.new_count = 1;
	if ((h.old_start = parse_number(&s, end)) < 0)
		goto bad_number;
	if (s < end && *s == ',') {
		s++;
		if ((h.old_count = parse_number(&s, end)) < 0)
			goto bad_number;
	}
	if (end - s < 2 || s[0] != ' ' || s[1] != '+')
		goto bad_header;
	s += 2;
	if ((h.new_start = parse_number(&s, end)) < 0)
		goto bad_number;
	if (s < end && *s == ',') {
		s++;
		if ((h.new_count = parse_number(&s, end)) < 0)
			goto bad_number;
	}
	if (end - s < 3 || memcmp(s, " @@", 3) != 0)
		goto bad_header;
	s += 3;
	if (s < end && *s == ' ')
		s++;
	if (s < end) {
		h.section = ap_strndup(s, (size_t)(end - s));
		if (!h.section)
			return oom(ps);
	}
	if ((h.old_start == 0 && h.old_count != 0) || (h.new_start == 0 && h.new_count != 0)) {
		free(h.section);
		return fail(ps, l->lineno, "hunk header names line 0 with a non-zero count");
	}
	if (f->nhunks) {
		const ap_hunk *prev = &f->hunks[f->nhunks - 1];

		if (h.old_start < prev->old_start + prev->old_count) {
			free(h.section);
			return fail(ps, l->lineno,
				    "hunk starts at line %ld, inside or before the previous hunk "
				    "(lines %ld-%ld): hunks must be in order and must not overlap",
				    h.old_start, prev->old_start, prev->old_start + prev->old_count - 1);
		}
	}

	left_old = h.old_count;
	left_new = h.new_count;
	while (left_old > 0 || left_new > 0) {
		ap_line line;
		char kind;

		if (!read_line(ps, &t)) {
			ap_lines_free(&lines);
			free(h.section);
			return fail(ps, l->lineno,
				    "hunk is cut short by the end of the patch: %ld old and %ld new "
				    "line%s missing", left_old, left_new,
				    left_old + left_new == 1 ? "" : "s");
		}
		kind = t.len ? t.s[0] : ' ';
		if (kind == '\\' && lines.n) {
			no_newline(&lines.v[lines.n - 1], &t);
			continue;
		}
		if (kind != ' ' && kind != '-' && kind != '+') {
			ap_lines_free(&lines);
			free(h.section);
			return fail(ps, t.lineno,
				    "hunk ends early: expected a line starting with ' ', '-' or '+' "
				    "(%ld old and %ld new line%s still to come, as the @@ line at %zu says)",
				    left_old, left_new, left_old + left_new == 1 ? "" : "s", l->lineno);
		}
		if ((kind != '+' && left_old == 0) || (kind != '-' && left_new == 0)) {
			ap_lines_free(&lines);
			free(h.section);
			return fail(ps, t.lineno,
				    "hunk has more %s lines than its @@ line at %zu says",
				    kind == '+' ? "new" : kind == '-' ? "old" : "context", l->lineno);
		}
		if (kind != '+')
			left_old--;
		if (kind != '-')
			left_new--;
		line.text = t.len ? t.s + 1 : t.s;
		line.len = t.len ? t.len - 1 : 0;
		line.eol = t.eol;
		line.kind = kind;
		if (ap_lines_push(&lines, line) < 0) {
			ap_lines_free(&lines);
			free(h.section);
			return oom(ps);
		}
	}
	/* "\ No newline at end of file" after the hunk's last line */
	if (peek_line(ps, &t) && t.len && t.s[0] == '\\') {
		read_line(ps, &t);
		if (lines.n)
			no_newline(&lines.v[lines.n - 1], &t);
	}
	h.lines = lines.v;
	h.nlines = lines.n;
	if (ap_array_grow((void **)&f->hunks, &f->cap, f->nhunks + 1, sizeof *f->hunks) < 0) {
		ap_lines_free(&lines);
		free(h.section);
		return oom(ps);
	}
	f->hunks[f->nhunks++] = h;
	return 0;

bad_number:
	if (h.old_start == -2 || h.old_count == -2 || h.new_start == -2 || h.new_count == -2)
		return fail(ps, l->lineno, "hunk header has a line number or count over the limit "
			    "of %ld", AP_PATCH_MAX_LINENO);
bad_header:
	return fail(ps, l->lineno, "malformed hunk header (expected '@@ -START,COUNT +START,COUNT @@')");
}

static int parse_hunks(parser *ps, ap_file_diff *f)
{
	text_line t;

	f->body_start = ps->pos;
	while (peek_line(ps, &t) && starts(&t, "@@ -")) {
		read_line(ps, &t);
		if (parse_hunk(ps, f, &t) < 0)
			return -1;
	}
	f->body_end = ps->pos;
	return 0;
}

static int refuse_binary(parser *ps, const text_line *t)
{
	if (starts(t, "GIT binary patch") || (starts(t, "Binary files ") &&
	    t->len > 7 && memcmp(t->s + t->len - 7, " differ", 7) == 0))
		return fail(ps, t->lineno, "binary patches are not supported");
	return 0;
}

static int is_ed_command(const text_line *t)
{
	size_t i = 0;

	while (i < t->len && isdigit((unsigned char)t->s[i]))
		i++;
	if (i == 0)
		return 0;
	if (i < t->len && t->s[i] == ',') {
		size_t j = ++i;

		while (i < t->len && isdigit((unsigned char)t->s[i]))
			i++;
		if (i == j)
			return 0;
	}
	if (i >= t->len || !strchr("acdis", t->s[i]))
		return 0;
	i++;
	if (i == t->len)
		return 1;  /* ed: "12a", "3,5d" */
	while (i < t->len && (isdigit((unsigned char)t->s[i]) || t->s[i] == ','))
		i++;
	return i == t->len ? 2 : 0;  /* normal diff: "12a13,14" */
}

/* Looks ahead to see whether an ed or normal diff starts at t. */
static int refuse_other_formats(parser *ps, const text_line *t)
{
	int kind = is_ed_command(t);
	text_line n;

	if (starts(t, "*** ") && peek_line(ps, &n) && starts(&n, "--- ")) {
		size_t pos = ps->pos, lineno = ps->lineno;
		text_line n2;
		int ctx;

		read_line(ps, &n);
		ctx = peek_line(ps, &n2) && starts(&n2, "***************");
		ps->pos = pos;
		ps->lineno = lineno;
		if (ctx)
			return fail(ps, t->lineno, "context diffs are not supported: "
				    "regenerate the patch with 'diff -u' or 'git diff'");
	}
	if (!kind || !peek_line(ps, &n))
		return 0;
	if (kind == 2 && (starts(&n, "< ") || starts(&n, "> ")))
		return fail(ps, t->lineno, "normal (context-free) diffs are not supported: "
			    "regenerate the patch with 'diff -u'");
	if (kind == 1) {
		/* an ed script: a command, its text, and a lone "." */
		size_t pos = ps->pos, lineno = ps->lineno;
		int ed = 0;

		while (read_line(ps, &n) && ps->lineno - lineno < 100000)
			if (n.len == 1 && n.s[0] == '.') {
				ed = 1;
				break;
			} else if (is_ed_command(&n) == 1 || starts(&n, "!")) {
				ed = 1;
				break;
			}
		ps->pos = pos;
		ps->lineno = lineno;
		if (ed)
			return fail(ps, t->lineno, "ed-style diffs are refused: applypatch never "
				    "runs ed or a shell; regenerate the patch with 'diff -u'");
	}
	return 0;
}

static int parse_unified(parser *ps, const text_line *minus, const char *index_name)
{
	header_name old, new;
	text_line plus;
	ap_file_diff *f;
	int old_short = 0, new_short = 0;
	int strip = ps->p->strip;

	(void)index_name;
	read_line(ps, &plus);
	if (parse_header_name(ps, minus, &old) < 0)
		return -1;
	if (parse_header_name(ps, &plus, &new) < 0) {
		free(old.name);
		return -1;
	}
	f = new_file_diff(ps, minus->lineno);
	if (!f)
		goto fail;
	if (old.name && take_path(ps, minus->lineno, old.name, strip, &f->old_path, &old_short) < 0)
		goto fail;
	if (new.name && take_path(ps, plus.lineno, new.name, strip, &f->new_path, &new_short) < 0)
		goto fail;
	if (!old.dev_null && !new.dev_null && !f->old_path && !f->new_path) {
		take_path(ps, minus->lineno, old.name, strip, &f->old_path, NULL);
		goto fail;
	}
	if (parse_hunks(ps, f) < 0)
		goto fail;
	if (!f->nhunks) {
		fail(ps, minus->lineno, "file header without any hunk");
		goto fail;
	}
	if (old.dev_null || (old.epoch && f->nhunks == 1 && f->hunks[0].old_count == 0 &&
			     f->hunks[0].old_start == 0)) {
		f->op = AP_OP_CREATE;
		if (!f->new_path) {
			fail(ps, plus.lineno, "a created file needs a name on its '+++' line");
			goto fail;
		}
		free(f->old_path);
		f->old_path = NULL;
	} else if (new.dev_null || (new.epoch && f->nhunks == 1 && f->hunks[0].new_count == 0 &&
				    f->hunks[0].new_start == 0)) {
		f->op = AP_OP_DELETE;
		if (!f->old_path) {
			fail(ps, minus->lineno, "a deleted file needs a name on its '---' line");
			goto fail;
		}
		free(f->new_path);
		f->new_path = NULL;
	} else {
		f->op = AP_OP_MODIFY;
		if (!f->old_path)
			f->old_path = ap_strdup(f->new_path);
		if (!f->new_path)
			f->new_path = ap_strdup(f->old_path);
		if (!f->old_path || !f->new_path) {
			oom(ps);
			goto fail;
		}
	}
	if (f->op == AP_OP_CREATE && (f->hunks[0].old_count != 0 || f->nhunks != 1)) {
		fail(ps, f->hunks[0].lineno, "a created file's hunk must start '@@ -0,0'");
		goto fail;
	}
	if (f->op == AP_OP_DELETE && (f->hunks[f->nhunks - 1].new_count != 0 || f->nhunks != 1)) {
		fail(ps, f->hunks[0].lineno, "a deleted file's hunk must end '+0,0 @@'");
		goto fail;
	}
	free(old.name);
	free(new.name);
	return 0;
fail:
	free(old.name);
	free(new.name);
	return -1;
}

static int parse_mode(parser *ps, const text_line *t, size_t skip, unsigned *mode)
{
	unsigned v = 0;
	size_t i = skip, start = skip;

	while (i < t->len && t->s[i] >= '0' && t->s[i] <= '7' && i - start < 7)
		v = v * 8 + (unsigned)(t->s[i++] - '0');
	if (i == start || (i < t->len && t->s[i] != ' '))
		return fail(ps, t->lineno, "malformed file mode");
	if (v != 0100644 && v != 0100755 && v != 0120000 && v != 0100664)
		return fail(ps, t->lineno, "unsupported file mode %06o (only regular files "
			    "and symlinks)", v);
	*mode = v;
	return 0;
}

/* Takes a path named on a git extended header line ("rename from X"). */
static int take_git_path(parser *ps, const text_line *t, size_t skip, char **out)
{
	const char *s = t->s + skip;
	size_t len = t->len - skip;
	char *raw;
	int rc;
	int strip = ps->p->strip > 0 ? ps->p->strip - 1 : 0;

	if (len && *s == '"') {
		size_t used;

		raw = unquote(s, len, &used);
		if (!raw)
			return fail(ps, t->lineno, "malformed quoted file name (or one with a NUL byte)");
	} else {
		if (memchr(s, '\0', len))
			return fail(ps, t->lineno, "file name contains a NUL byte");
		raw = ap_strndup(s, len);
		if (!raw)
			return oom(ps);
	}
	free(*out);
	rc = take_path(ps, t->lineno, raw, strip, out, NULL);
	free(raw);
	return rc;
}

/* Splits "a/X b/X" from a diff --git line, where the names are equal. */
static int git_line_names(parser *ps, const text_line *t, char **old, char **new)
{
	const char *s = t->s + 11, *end = t->s + t->len;
	size_t len = (size_t)(end - s);
	char *a = NULL, *b = NULL;
	int rc = 0;

	if (len && *s == '"') {
		size_t used;

		a = unquote(s, len, &used);
		if (!a)
			return fail(ps, t->lineno, "malformed quoted file name");
		s += used;
		while (s < end && *s == ' ')
			s++;
		if (s < end && *s == '"')
			b = unquote(s, (size_t)(end - s), &used);
		else
			b = ap_strndup(s, (size_t)(end - s));
	} else {
		/* unquoted names may hold spaces: find the split where both agree */
		for (size_t i = 1; i < len && !a; i++) {
			const char *sa, *sb;

			if (s[i] != ' ')
				continue;
			a = ap_strndup(s, i);
			b = ap_strndup(s + i + 1, len - i - 1);
			if (!a || !b)
				break;
			sa = ap_path_strip(a, 1);
			sb = ap_path_strip(b, 1);
			if (!sa || !sb || strcmp(sa, sb) != 0) {
				free(a);
				free(b);
				a = b = NULL;
			}
		}
		if (!a && memchr(s, '"', len)) {
			const char *q = memchr(s, '"', len);
			size_t used;

			a = ap_strndup(s, (size_t)(q - s - (q > s && q[-1] == ' ')));
			b = unquote(q, (size_t)(end - q), &used);
		}
	}
	if (a && b) {
		rc = take_path(ps, t->lineno, a, ps->p->strip, old, NULL);
		if (rc == 0)
			rc = take_path(ps, t->lineno, b, ps->p->strip, new, NULL);
	}
	free(a);
	free(b);
	return rc;
}

/* What a 'diff --git' header has said so far. */
typedef struct git_head {
	ap_file_diff *f;
	char *line_old, *line_new;   /* the names on the 'diff --git' line */
	int renamed, copied, created, deleted, have_from, have_to;
} git_head;

static int git_from_to(parser *ps, git_head *g, const text_line *t)
{
	int copy = t->s[0] == 'c', from = starts(t, "rename from ") || starts(t, "copy from ");

	g->copied |= copy;
	g->renamed |= !copy;
	if (from) {
		g->have_from = 1;
		return take_git_path(ps, t, copy ? 10 : 12, &g->f->old_path);
	}
	g->have_to = 1;
	return take_git_path(ps, t, copy ? 8 : 10, &g->f->new_path);
}

static int git_index(parser *ps, git_head *g, const text_line *t)
{
	const char *sp = memchr(t->s + 6, ' ', t->len - 6);
	text_line m = *t;
	unsigned mode = 0;

	if (!sp)
		return 0;
	if (parse_mode(ps, &m, (size_t)(sp + 1 - t->s), &mode) < 0)
		return -1;
	if (!g->f->old_mode)
		g->f->old_mode = mode;
	if (!g->f->new_mode)
		g->f->new_mode = mode;
	return 0;
}

/* A '---'/'+++' pair inside a git header: names, unless a rename or copy
 * header named them already. */
static int git_minus_plus(parser *ps, git_head *g, text_line *t)
{
	text_line minus = *t, plus;
	header_name a = { 0 }, b = { 0 };
	int rc = -1;

	read_line(ps, t);
	if (!peek_line(ps, &plus) || !starts(&plus, "+++ "))
		return fail(ps, minus.lineno, "'---' line not followed by a '+++' line");
	read_line(ps, &plus);
	if (parse_header_name(ps, &minus, &a) < 0 || parse_header_name(ps, &plus, &b) < 0)
		goto out;
	g->created |= a.dev_null;
	g->deleted |= b.dev_null;
	if (a.name && !g->renamed && !g->copied) {
		free(g->f->old_path);
		if (take_path(ps, minus.lineno, a.name, ps->p->strip, &g->f->old_path, NULL) < 0)
			goto out;
	}
	if (b.name && !g->renamed && !g->copied) {
		free(g->f->new_path);
		if (take_path(ps, plus.lineno, b.name, ps->p->strip, &g->f->new_path, NULL) < 0)
			goto out;
	}
	rc = 0;
out:
	free(a.name);
	free(b.name);
	return rc;
}

/* The extended header lines up to the first hunk: 0 at its end, -1 bad. */
static int git_header_lines(parser *ps, git_head *g)
{
	ap_file_diff *f = g->f;
	text_line t;

	while (peek_line(ps, &t)) {
		int rc = 0;

		if (starts(&t, "old mode ")) {
			rc = parse_mode(ps, &t, 9, &f->old_mode);
		} else if (starts(&t, "new mode ")) {
			rc = parse_mode(ps, &t, 9, &f->new_mode);
		} else if (starts(&t, "deleted file mode ")) {
			rc = parse_mode(ps, &t, 18, &f->old_mode);
			g->deleted = 1;
		} else if (starts(&t, "new file mode ")) {
			rc = parse_mode(ps, &t, 14, &f->new_mode);
			g->created = 1;
		} else if (starts(&t, "rename from ") || starts(&t, "copy from ") ||
			   starts(&t, "rename to ") || starts(&t, "copy to ")) {
			rc = git_from_to(ps, g, &t);
		} else if (starts(&t, "rename old ")) {
			g->renamed = g->have_from = 1;
			rc = take_git_path(ps, &t, 11, &f->old_path);
		} else if (starts(&t, "rename new ")) {
			g->have_to = 1;
			rc = take_git_path(ps, &t, 11, &f->new_path);
		} else if (starts(&t, "similarity index ") || starts(&t, "dissimilarity index ")) {
			/* informational */
		} else if (starts(&t, "index ")) {
			rc = git_index(ps, g, &t);
		} else if (starts(&t, "--- ")) {
			if (git_minus_plus(ps, g, &t) < 0)
				return -1;
			continue;
		} else if (starts(&t, "@@ -")) {
			return 0;
		} else {
			return refuse_binary(ps, &t) < 0 ? -1 : 0;
		}
		if (rc < 0)
			return -1;
		read_line(ps, &t);
	}
	return 0;
}

/* Settles the diff's names and operation once the header is read. */
static int git_settle(parser *ps, git_head *g, const text_line *head)
{
	ap_file_diff *f = g->f;
	int moved = g->renamed || g->copied;

	if (!f->old_path && !g->created) {
		f->old_path = g->line_old;
		g->line_old = NULL;
	}
	if (!f->new_path && !g->deleted) {
		f->new_path = g->line_new;
		g->line_new = NULL;
	}
	if (moved && (!g->have_from || !g->have_to))
		return fail(ps, head->lineno, "a rename or copy needs both a '%s from' and a '%s to' "
			    "line", g->copied ? "copy" : "rename", g->copied ? "copy" : "rename");
	if ((!f->old_path && !g->created) || (!f->new_path && !g->deleted))
		return fail(ps, head->lineno, "cannot tell the file name from this 'diff --git' "
			    "line; %s", moved ? "a rename or copy needs both 'from' and 'to'"
			    : "add '---'/'+++' lines or quote the names");
	if (g->created && g->deleted)
		return fail(ps, head->lineno, "a file cannot be both created and deleted by one diff");
	if (moved && (!f->old_path || !f->new_path))
		return fail(ps, head->lineno, "a rename or copy needs both a 'from' and a 'to' name");
	f->op = g->created ? AP_OP_CREATE : g->deleted ? AP_OP_DELETE : g->renamed ? AP_OP_RENAME
		: g->copied ? AP_OP_COPY : AP_OP_MODIFY;
	if (g->created) {
		free(f->old_path);
		f->old_path = NULL;
	}
	if (g->deleted) {
		free(f->new_path);
		f->new_path = NULL;
	}
	if (f->op == AP_OP_MODIFY && strcmp(f->old_path, f->new_path) != 0)
		return fail(ps, head->lineno, "old and new names differ without a rename or copy "
			    "header");
	return 0;
}

static int git_hunks(parser *ps, git_head *g)
{
	ap_file_diff *f = g->f;
	text_line t;

	if (parse_hunks(ps, f) < 0)
		return -1;
	if (peek_line(ps, &t) && refuse_binary(ps, &t) < 0)
		return -1;
	if (g->created && f->nhunks && (f->hunks[0].old_count != 0 || f->nhunks != 1))
		return fail(ps, f->hunks[0].lineno, "a created file's hunk must start '@@ -0,0'");
	if (g->deleted && f->nhunks && (f->hunks[0].new_count != 0 || f->nhunks != 1))
		return fail(ps, f->hunks[0].lineno, "a deleted file's hunk must end '+0,0 @@'");
	return 0;
}

static int parse_git(parser *ps, const text_line *head)
{
	git_head g;
	int rc = -1;

	memset(&g, 0, sizeof g);
	g.f = new_file_diff(ps, head->lineno);
	if (!g.f)
		return -1;
	g.f->is_git = 1;
	if (git_line_names(ps, head, &g.line_old, &g.line_new) == 0 &&
	    git_header_lines(ps, &g) == 0 && git_settle(ps, &g, head) == 0 &&
	    git_hunks(ps, &g) == 0)
		rc = 0;
	free(g.line_old);
	free(g.line_new);
	return rc;
}

int ap_patch_parse(ap_patch *p, const char *name, const char *data, size_t len,
		   int strip, ap_error *err)
{
	parser ps;
	text_line t, n;
	char *index_name = NULL;

	memset(p, 0, sizeof *p);
	p->name = ap_strdup(name);
	p->strip = strip;
	if (!p->name)
		return ap_error_set(err, "%s: out of memory", name);
	if (len > AP_PATCH_MAX_BYTES) {
		ap_error_set(err, "%s: patch is %zu bytes, more than the limit of %zu", name,
			     len, AP_PATCH_MAX_BYTES);
		ap_patch_free(p);
		return -1;
	}
	p->data = malloc(len + 1);
	if (!p->data) {
		ap_patch_free(p);
		return ap_error_set(err, "%s: out of memory", name);
	}
	if (len)
		memcpy(p->data, data, len);
	p->data[len] = '\0';
	p->len = len;
	p->desc_len = len;

	ps = (parser){ p, p->data, len, 0, 1, err, crlf_converted(p->data, len) };
	while (read_line(&ps, &t)) {
		size_t line_start = (size_t)(t.s - p->data);
		size_t nfiles = p->nfiles;
		int rc = 0;

		if (starts(&t, "diff --git ")) {
			rc = parse_git(&ps, &t);
		} else if (starts(&t, "--- ") && peek_line(&ps, &n) && starts(&n, "+++ ")) {
			rc = parse_unified(&ps, &t, index_name);
		} else if (starts(&t, "@@ -")) {
			rc = fail(&ps, t.lineno, "hunk without a file header ('--- a/FILE' and '+++ b/FILE')");
		} else if (starts(&t, "Index: ")) {
			free(index_name);
			index_name = ap_strndup(t.s + 7, t.len - 7);
		} else {
			rc = refuse_binary(&ps, &t);
			if (rc == 0)
				rc = refuse_other_formats(&ps, &t);
		}
		if (rc < 0) {
			free(index_name);
			ap_patch_free(p);
			return -1;
		}
		if (nfiles == 0 && p->nfiles == 1) {
			/* the description ends where this diff's header block starts */
			size_t start = line_start;

			p->desc_len = start;
			/* quilt's "Index:" and "====" lines belong to the diff */
			while (p->desc_len > 0) {
				size_t prev = p->desc_len - 1;

				while (prev > 0 && p->data[prev - 1] != '\n')
					prev--;
				if (strncmp(p->data + prev, "Index: ", 7) == 0 ||
				    strncmp(p->data + prev, "====", 4) == 0)
					p->desc_len = prev;
				else
					break;
			}
		}
	}
	free(index_name);
	if (p->nfiles == 0) {
		ap_error_set(err, "%s:%zu: no diff found (expected '--- a/FILE' / '+++ b/FILE' "
			     "or 'diff --git' lines)", name, ps.lineno > 1 ? ps.lineno - 1 : 1);
		ap_patch_free(p);
		return -1;
	}
	return 0;
}

void ap_patch_free(ap_patch *p)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		ap_file_diff *f = &p->files[i];

		for (size_t j = 0; j < f->nhunks; j++) {
			free(f->hunks[j].lines);
			free(f->hunks[j].section);
		}
		free(f->hunks);
		free(f->old_path);
		free(f->new_path);
	}
	free(p->files);
	free(p->data);
	free(p->name);
	memset(p, 0, sizeof *p);
}

const char *ap_file_diff_target(const ap_file_diff *f)
{
	return f->op == AP_OP_DELETE ? f->old_path : f->new_path;
}

char *ap_patch_header(const ap_patch *p, const char *field, size_t *lineno)
{
	size_t flen = strlen(field), pos = 0, line = 1;
	const char *d = p->data;

	while (pos < p->desc_len) {
		const char *nl = memchr(d + pos, '\n', p->desc_len - pos);
		size_t end = nl ? (size_t)(nl - d) : p->desc_len;

		if (end - pos > flen && strncasecmp(d + pos, field, flen) == 0 && d[pos + flen] == ':') {
			ap_buf b = AP_BUF_INIT;
			size_t v = pos + flen + 1;

			while (v < end && (d[v] == ' ' || d[v] == '\t'))
				v++;
			ap_buf_add(&b, d + v, end - v);
			if (lineno)
				*lineno = line;
			/* continuation lines start with white space */
			pos = end + 1;
			while (pos < p->desc_len && (d[pos] == ' ' || d[pos] == '\t')) {
				const char *nl2 = memchr(d + pos, '\n', p->desc_len - pos);
				size_t e2 = nl2 ? (size_t)(nl2 - d) : p->desc_len;

				ap_buf_putc(&b, '\n');
				ap_buf_add(&b, d + pos, e2 - pos);
				pos = e2 + 1;
			}
			while (b.len && (b.data[b.len - 1] == '\r' || b.data[b.len - 1] == ' '))
				b.data[--b.len] = '\0';
			if (!b.data)
				return ap_strdup("");
			return ap_buf_detach(&b, NULL);
		}
		pos = end + 1;
		line++;
	}
	return NULL;
}

size_t ap_patch_diff_start(const char *data, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t next = nl ? (size_t)(nl - data) + 1 : len;

		if (len - pos >= 11 && memcmp(data + pos, "diff --git ", 11) == 0)
			return pos;
		if (len - pos >= 4 && memcmp(data + pos, "--- ", 4) == 0 && len - next >= 4 &&
		    memcmp(data + next, "+++ ", 4) == 0)
			return pos;
		pos = next;
	}
	return 0;
}

int ap_patch_id(const char *data, size_t len, char out[AP_SHA256_HEX])
{
	size_t start = ap_patch_diff_start(data, len);

	return ap_sha256_hex(data + start, len - start, out);
}
