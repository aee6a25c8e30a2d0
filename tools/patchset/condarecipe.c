/* condarecipe.c - a conda recipe's patch list, line by line (see
 * condarecipe.h for why this is not a YAML parser, and for the selector
 * rule it shares with conda-build). */
#include "condarecipe.h"

#include "buf.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
	const char *path;
	ap_conda_list *out;
	size_t cap, wcap;
	ap_error *err;
	/* the source entry being read: a top-level `source:` mapping, or one
	 * `- ...` item of a list of sources */
	char *src_sel;      /* on the `source:` line */
	char *entry_sel;    /* on the entry's first line (`- url: ...`) */
	size_t item_col;    /* column of the entries' '-'; SIZE_MAX: not a list (yet) */
	int seen_key;       /* a line of the source read: it is a mapping */
	size_t entry_first; /* index in out->v of the entry's first patch */
	char *folder;       /* the entry's folder:, NULL when none */
	size_t folder_line;
} reader;

/* One line as the reader sees it: conda-build's selector taken off, then a
 * YAML comment, then trailing space. */
typedef struct pline {
	char *text;         /* allocated */
	size_t n, indent, lineno;
	char *sel;          /* NULL: none */
	int bare_sel;       /* the selector ends the line without a '#' */
} pline;

static size_t indent_of(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == ' ')
		i++;
	return i;
}

/* conda-build's sel_pat, (.+?)\s*(#.*)?\[([^\[\]]+)\](?(2)[^\(\)]*)$, on
 * s[0..n) (trailing space already dropped). Returns 1 with *g1 (the length
 * of group 1), *sb and *se (the selector's '[' and ']') and *bare (no '#')
 * when it matches, else 0. The pair taken after a '#' is the last one with
 * no bracket inside and no parenthesis after it (the greedy ".*" backs
 * off to it); group 1 ends at the first place from which the rest
 * matches. */
static int sel_match(const char *s, size_t n, size_t *g1, size_t *sb, size_t *se, int *bare)
{
	size_t best = SIZE_MAX, close = 0;

	for (size_t j = n; j-- > 0;) {
		size_t b = j;

		if (s[j] == '(' || s[j] == ')')
			break;   /* every pair left of here has a parenthesis after it */
		if (s[j] != ']')
			continue;
		while (b > 0 && s[b - 1] != '[' && s[b - 1] != ']')
			b--;
		if (b > 0 && s[b - 1] == '[' && b < j) {
			best = b - 1;
			close = j;
			break;
		}
	}
	if (best == SIZE_MAX)
		return 0;
	for (size_t p = 1; p < n; p++) {
		size_t e = p;

		if (!(s[p] == '#' && best > p) && !(s[p] == '[' && best == p && close == n - 1))
			continue;
		while (e > 1 && isspace((unsigned char)s[e - 1]))
			e--;
		*g1 = e;
		*sb = best;
		*se = close;
		*bare = s[p] == '[';
		return 1;
	}
	return 0;
}

/* The length of s before a YAML comment (a '#' at the start or after white
 * space, outside quotes), trailing space dropped; *cmt: where the comment
 * starts, or NULL. */
static size_t strip_comment(const char *s, size_t n, const char **cmt)
{
	char quote = 0;
	size_t end = n;

	*cmt = NULL;
	for (size_t i = 0; i < n; i++) {
		if (quote) {
			quote = s[i] == quote ? 0 : quote;
		} else if (s[i] == '"' || s[i] == '\'') {
			quote = s[i];
		} else if (s[i] == '#' && (i == 0 || isspace((unsigned char)s[i - 1]))) {
			*cmt = s + i;
			end = i;
			break;
		}
	}
	while (end > 0 && isspace((unsigned char)s[end - 1]))
		end--;
	return end;
}

static int warn(reader *r, size_t lineno, char *what)
{
	ap_conda_list *o = r->out;

	if (!what || ap_array_grow((void **)&o->w, &r->wcap, o->nw + 1, sizeof *o->w) < 0) {
		free(what);
		return ap_error_set(r->err, "out of memory");
	}
	o->w[o->nw].lineno = lineno;
	o->w[o->nw].what = what;
	o->nw++;
	return 0;
}

static void pline_free(pline *l)
{
	free(l->text);
	free(l->sel);
	l->text = l->sel = NULL;
}

/* Fills l from the raw line s[0..n): as conda-build does, the selector is
 * taken off and the text before it kept (with the line's closing quote,
 * if it ended in one). */
static int prepare(reader *r, const char *s, size_t n, size_t lineno, pline *l)
{
	size_t g1, sb, se, keep;
	const char *cmt;
	int matched;

	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	memset(l, 0, sizeof *l);
	l->lineno = lineno;
	matched = sel_match(s, n, &g1, &sb, &se, &l->bare_sel);
	if (matched) {
		char q = s[n - 1] == '"' || s[n - 1] == '\'' ? s[n - 1] : 0;

		l->sel = ap_strndup(s + sb + 1, se - sb - 1);
		l->text = q ? ap_printf("%.*s%c", (int)g1, s, q) : ap_strndup(s, g1);
		keep = g1 + (q != 0);
	} else {
		l->text = ap_strndup(s, n);
		keep = n;
	}
	if (!l->text || (matched && !l->sel)) {
		pline_free(l);
		return ap_error_set(r->err, "out of memory");
	}
	l->n = strip_comment(l->text, keep, &cmt);
	l->indent = indent_of(l->text, l->n);
	if (cmt && !l->sel && memchr(cmt, '[', keep - (size_t)(cmt - l->text)))
		return warn(r, lineno, ap_strdup("a '[' in this comment is not a selector by "
						 "conda-build's rule (the last [...] of the line, "
						 "nothing but a bracket-free word inside, no '(' or "
						 "')' after it): this line holds for every platform"));
	return 0;
}

/* The next line that is neither blank nor a comment (conda-build drops
 * those before anything else), prepared; 0 at the end, -1 an error. */
static int next_line(reader *r, const char **p, const char *end, size_t *lineno, pline *l)
{
	while (*p < end) {
		const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s), i = indent_of(s, n);

		*p = nl ? nl + 1 : end;
		(*lineno)++;
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		if (i == n || s[i] == '#')
			continue;
		if (prepare(r, s, n, *lineno, l) == 0)
			return 1;
		pline_free(l);
		return -1;
	}
	return 0;
}

/* "key:" at the start of s (after indent and an optional "- "): what
 * follows the colon (*rest bytes), or NULL when s is not that key. */
static const char *key_value(const char *s, size_t n, const char *key, size_t *rest)
{
	size_t k = strlen(key), i = indent_of(s, n);

	if (i + 1 < n && s[i] == '-' && s[i + 1] == ' ')
		i = i + 2 + indent_of(s + i + 2, n - i - 2);
	if (n - i < k + 1 || memcmp(s + i, key, k) != 0 || s[i + k] != ':' ||
	    (n > i + k + 1 && !isspace((unsigned char)s[i + k + 1])))
		return NULL;
	*rest = n - i - k - 1;
	return s + i + k + 1;
}

/* "(a) and (b) and (c)" of those given, the one alone as it is; NULL when
 * none (or no memory: *oom says which). */
static char *join_selectors(const char *const *sel, size_t n, int *oom)
{
	char *out = NULL;
	size_t given = 0;

	for (size_t i = 0; i < n; i++)
		given += sel[i] != NULL;
	*oom = 0;
	for (size_t i = 0; i < n; i++) {
		char *next;

		if (!sel[i])
			continue;
		if (given == 1)
			next = ap_strdup(sel[i]);
		else
			next = out ? ap_printf("%s and (%s)", out, sel[i]) : ap_printf("(%s)", sel[i]);
		free(out);
		if (!next) {
			*oom = 1;
			return NULL;
		}
		out = next;
	}
	return out;
}

/* One name (quotes removed) with the selectors of its line and of the
 * lines above it. */
static int add(reader *r, const char *name, size_t len, const char *outer, const char *inner,
	       size_t lineno)
{
	ap_conda_list *o = r->out;
	const char *sels[4] = { r->src_sel, r->entry_sel, outer, inner };
	ap_conda_patch *p;
	int oom;

	while (len && isspace((unsigned char)*name))
		name++, len--;
	while (len && isspace((unsigned char)name[len - 1]))
		len--;
	if (len >= 2 && (name[0] == '"' || name[0] == '\'') && name[len - 1] == name[0])
		name++, len -= 2;
	if (!len)
		return ap_error_set(r->err, "%s:%zu: an empty entry in the patches list", r->path,
				    lineno);
	if (memchr(name, '{', len) || memchr(name, '%', len))
		return ap_error_set(r->err, "%s:%zu: '%.*s' uses Jinja, which is not rendered: "
				    "write the name, with a # [selector] comment", r->path, lineno,
				    (int)len, name);
	if (ap_array_grow((void **)&o->v, &r->cap, o->n + 1, sizeof *o->v) < 0)
		return ap_error_set(r->err, "out of memory");
	p = &o->v[o->n];
	p->name = ap_strndup(name, len);
	p->selector = join_selectors(sels, 4, &oom);
	p->lineno = lineno;
	if (!p->name || oom) {
		free(p->name);
		free(p->selector);
		return ap_error_set(r->err, "out of memory");
	}
	o->n++;
	return 0;
}

/* "[a.patch, b.patch]" after "patches:". */
static int flow_list(reader *r, const char *s, size_t n, const char *sel, size_t lineno)
{
	const char *e;

	while (n && isspace((unsigned char)*s))
		s++, n--;
	if (n < 2 || s[0] != '[' || s[n - 1] != ']')
		return ap_error_set(r->err, "%s:%zu: 'patches:' must be followed by a list ('- NAME' "
				    "lines or [A, B])", r->path, lineno);
	s++, n -= 2;
	while (n) {
		e = memchr(s, ',', n);
		if (!e)
			e = s + n;
		if (add(r, s, (size_t)(e - s), sel, NULL, lineno) < 0)
			return -1;
		n -= (size_t)(e - s) + (e < s + n);
		s = e + 1;
	}
	return 0;
}

/* The block list after a "patches:" line whose key sits at column kcol;
 * the line after the list is left for the caller (*p is not moved past
 * it). */
static int block_list(reader *r, const char **p, const char *end, size_t *lineno, size_t kcol,
		      const char *outer)
{
	for (;;) {
		const char *save = *p;
		size_t save_no = *lineno, i;
		pline cur;
		int rc = next_line(r, p, end, lineno, &cur);

		if (rc <= 0)
			return rc;
		i = cur.indent;
		if (strncmp(cur.text + i, "{%", 2) == 0) {
			pline_free(&cur);
			return ap_error_set(r->err, "%s:%zu: a Jinja block inside the patches list is "
					    "not rendered: use a # [selector] comment on each entry",
					    r->path, cur.lineno);
		}
		if (i < kcol || i >= cur.n || cur.text[i] != '-' ||
		    (i + 1 < cur.n && cur.text[i + 1] != ' ')) {
			pline_free(&cur);
			*p = save;
			*lineno = save_no;
			return 0;
		}
		rc = add(r, cur.text + i + 1, cur.n - i - 1, outer, cur.sel, cur.lineno);
		pline_free(&cur);
		if (rc < 0)
			return -1;
	}
}

/* The source entry ends: its folder: and its patches must not disagree. */
static int end_entry(reader *r)
{
	int rc = 0;

	if (r->folder && r->out->n > r->entry_first)
		rc = ap_error_set(r->err, "%s:%zu: this source is unpacked into '%s/' (folder: %s), "
				  "and conda-build applies its patches (%s, line %zu) inside that "
				  "folder; applypatch applies a recipe's patches at the top of the "
				  "tree, so it refuses rather than patch the wrong files", r->path,
				  r->folder_line, r->folder, r->folder, r->out->v[r->entry_first].name,
				  r->out->v[r->entry_first].lineno);
	free(r->folder);
	free(r->entry_sel);
	r->folder = r->entry_sel = NULL;
	r->entry_first = r->out->n;
	return rc;
}

/* "folder: NAME": kept unless it is the top (".", "./", empty). */
static int folder_line(reader *r, const pline *l, const char *v, size_t rest)
{
	size_t n = rest;

	if (l->sel)
		return ap_error_set(r->err, "%s:%zu: a selector on 'folder:' is not supported: where "
				    "this source's patches apply would depend on the platform",
				    r->path, l->lineno);
	while (n && isspace((unsigned char)*v))
		v++, n--;
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
		v++, n -= 2;
	while (n && v[n - 1] == '/')
		n--;
	if (n == 0 || (n == 1 && v[0] == '.'))
		return 0;
	free(r->folder);
	r->folder = ap_strndup(v, n);
	r->folder_line = l->lineno;
	return r->folder ? 0 : ap_error_set(r->err, "out of memory");
}

/* A "patches:" line in a source: its flow or block list. */
static int patches_line(reader *r, const pline *l, const char *v, size_t rest, const char **p,
			const char *end, size_t *lineno)
{
	if (l->bare_sel)
		return ap_error_set(r->err, "%s:%zu: conda-build reads a '[%s]' that ends the line as a "
				    "selector, not a list: write the patches as '- NAME' lines (and a "
				    "selector for them as a '# [...]' comment)", r->path, l->lineno,
				    l->sel);
	if (indent_of(v, rest) < rest)
		return flow_list(r, v, rest, l->sel, l->lineno);
	return block_list(r, p, end, lineno, (size_t)(v - l->text) - strlen("patches:"), l->sel);
}

/* One line of the file (not in a patches list): where it leaves us. */
static int on_line(reader *r, pline *l, int *in_source, const char **p, const char *end,
		   size_t *lineno)
{
	size_t i = l->indent, rest;
	int item = i < l->n && l->text[i] == '-' && (i + 1 == l->n || l->text[i + 1] == ' ');
	const char *v;

	if (i == 0 && l->text[0] == '{')
		return 0;   /* top-level Jinja ({% set %}) is no key */
	if (i == 0 && !(item && *in_source && (r->item_col == 0 || !r->seen_key))) {
		/* a top-level key */
		if (*in_source && end_entry(r) < 0)
			return -1;
		*in_source = key_value(l->text, l->n, "source", &rest) != NULL;
		free(r->src_sel);
		r->src_sel = *in_source ? l->sel : NULL;
		if (*in_source)
			l->sel = NULL;
		r->item_col = SIZE_MAX;
		r->seen_key = 0;
		return 0;
	}
	if (!*in_source)
		return 0;
	if (item && (r->item_col == SIZE_MAX ? !r->seen_key : i == r->item_col)) {
		if (end_entry(r) < 0)
			return -1;
		r->item_col = i;
		r->entry_sel = l->sel;
		l->sel = NULL;
	}
	r->seen_key = 1;
	if ((v = key_value(l->text, l->n, "folder", &rest)))
		return folder_line(r, l, v, rest);
	if ((v = key_value(l->text, l->n, "patches", &rest)))
		return patches_line(r, l, v, rest, p, end, lineno);
	return 0;
}

int ap_conda_patches_parse(const char *data, size_t len, const char *path,
			   ap_conda_list *out, ap_error *err)
{
	reader r = { .path = path, .out = out, .err = err, .item_col = SIZE_MAX };
	const char *p = data, *end = data + len;
	size_t lineno = 0;
	int in_source = 0, rc;
	pline l;

	memset(out, 0, sizeof *out);
	while ((rc = next_line(&r, &p, end, &lineno, &l)) > 0) {
		rc = on_line(&r, &l, &in_source, &p, end, &lineno);
		pline_free(&l);
		if (rc < 0)
			break;
	}
	if (rc == 0 && in_source)
		rc = end_entry(&r);
	free(r.src_sel);
	free(r.entry_sel);
	free(r.folder);
	if (rc < 0) {
		ap_conda_patches_free(out);
		return -1;
	}
	return 0;
}

void ap_conda_patches_free(ap_conda_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].selector);
	}
	for (size_t i = 0; i < l->nw; i++)
		free(l->w[i].what);
	free(l->v);
	free(l->w);
	memset(l, 0, sizeof *l);
}
