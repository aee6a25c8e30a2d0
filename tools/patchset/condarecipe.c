/* condarecipe.c - a conda recipe's patch list, line by line (see
 * condarecipe.h for why this is not a YAML parser). */
#include "condarecipe.h"

#include "buf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
	const char *path;
	ap_conda_patch *v;
	size_t n, cap;
	ap_error *err;
} reader;

static size_t indent_of(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == ' ')
		i++;
	return i;
}

/* Splits off a trailing "# ..." comment (a '#' at the start or after white
 * space, outside quotes); *sel gets the text inside "[...]" when the
 * comment is a selector. Returns the length of what is before it, trailing
 * space dropped. */
static size_t strip_comment(const char *s, size_t n, char **sel)
{
	char quote = 0;
	size_t end = n;

	*sel = NULL;
	for (size_t i = 0; i < n; i++) {
		if (quote) {
			quote = s[i] == quote ? 0 : quote;
		} else if (s[i] == '"' || s[i] == '\'') {
			quote = s[i];
		} else if (s[i] == '#' && (i == 0 || isspace((unsigned char)s[i - 1]))) {
			const char *c = s + i + 1, *e = s + n;

			while (c < e && isspace((unsigned char)*c))
				c++;
			while (e > c && isspace((unsigned char)e[-1]))
				e--;
			if (e - c >= 2 && *c == '[' && e[-1] == ']')
				*sel = ap_strndup(c + 1, (size_t)(e - c - 2));
			end = i;
			break;
		}
	}
	while (end > 0 && isspace((unsigned char)s[end - 1]))
		end--;
	return end;
}

/* "key:" at the start of s (after indent and an optional "- "): the length
 * of what follows the colon, or -1 when s is not that key. */
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

static char *join_selectors(const char *outer, const char *inner)
{
	if (outer && inner)
		return ap_printf("(%s) and (%s)", outer, inner);
	return ap_strdup(outer ? outer : inner);
}

/* One name (quotes removed) with its selector. */
static int add(reader *r, const char *name, size_t len, const char *outer, const char *inner,
	       size_t lineno)
{
	ap_conda_patch *p;

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
	if (ap_array_grow((void **)&r->v, &r->cap, r->n + 1, sizeof *r->v) < 0)
		return ap_error_set(r->err, "out of memory");
	p = &r->v[r->n];
	p->name = ap_strndup(name, len);
	p->selector = outer || inner ? join_selectors(outer, inner) : NULL;
	p->lineno = lineno;
	if (!p->name || ((outer || inner) && !p->selector)) {
		free(p->name);
		free(p->selector);
		return ap_error_set(r->err, "out of memory");
	}
	r->n++;
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

typedef struct line {
	const char *s;
	size_t n, lineno;
} line;

static int next_line(const char **p, const char *end, line *l)
{
	const char *nl;

	if (*p >= end)
		return 0;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	l->s = *p;
	l->n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	if (l->n && l->s[l->n - 1] == '\r')
		l->n--;
	l->lineno++;
	*p = nl ? nl + 1 : end;
	return 1;
}

static int blank_or_comment(const line *l)
{
	size_t i = indent_of(l->s, l->n);

	return i == l->n || l->s[i] == '#';
}

/* The block list after a "patches:" line whose key sits at column kcol. */
static int block_list(reader *r, const char **p, const char *end, line *l, size_t kcol,
		      const char *outer)
{
	for (;;) {
		const char *save = *p;
		line cur = *l;
		size_t i, len;
		char *sel;
		int rc;

		if (!next_line(p, end, &cur))
			return 0;
		if (blank_or_comment(&cur)) {
			*l = cur;
			continue;
		}
		i = indent_of(cur.s, cur.n);
		if (strncmp(cur.s + i, "{%", 2) == 0)
			return ap_error_set(r->err, "%s:%zu: a Jinja block inside the patches list is not "
					    "rendered: use a # [selector] comment on each entry",
					    r->path, cur.lineno);
		if (i < kcol || cur.s[i] != '-' || (i + 1 < cur.n && cur.s[i + 1] != ' ')) {
			*p = save;   /* the line after the list belongs to the caller */
			return 0;
		}
		*l = cur;
		len = strip_comment(cur.s + i + 1, cur.n - i - 1, &sel);
		rc = add(r, cur.s + i + 1, len, outer, sel, cur.lineno);
		free(sel);
		if (rc < 0)
			return -1;
	}
}

int ap_conda_patches_parse(const char *data, size_t len, const char *path,
			   ap_conda_patch **out, size_t *n, ap_error *err)
{
	reader r = { path, NULL, 0, 0, err };
	const char *p = data, *end = data + len;
	line l = { NULL, 0, 0 };
	int in_source = 0;

	*out = NULL;
	*n = 0;
	while (next_line(&p, end, &l)) {
		size_t i, rest, vlen;
		const char *v;
		char *sel;
		int rc;

		if (blank_or_comment(&l))
			continue;
		i = indent_of(l.s, l.n);
		if (i == 0 && l.s[0] == '{')
			continue;   /* top-level Jinja ({% set %}) is no key */
		if (i == 0) {   /* a top-level key: are we in source: now? */
			in_source = key_value(l.s, l.n, "source", &rest) != NULL;
			continue;
		}
		if (!in_source || !(v = key_value(l.s, l.n, "patches", &rest)))
			continue;
		vlen = strip_comment(v, rest, &sel);
		if (indent_of(v, vlen) < vlen)
			rc = flow_list(&r, v, vlen, sel, l.lineno);
		else
			rc = block_list(&r, &p, end, &l, (size_t)(v - l.s) - strlen("patches:"), sel);
		free(sel);
		if (rc < 0) {
			ap_conda_patches_free(r.v, r.n);
			return -1;
		}
	}
	*out = r.v;
	*n = r.n;
	return 0;
}

void ap_conda_patches_free(ap_conda_patch *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].selector);
	}
	free(v);
}
