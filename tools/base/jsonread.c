/* jsonread.c - a recursive-descent JSON reader (see jsonread.h). */
#include "jsonread.h"
#include "buf.h"

#include <stdlib.h>
#include <string.h>

typedef struct reader {
	const char *p, *start, *end;
	ap_error *err;
} reader;

static int fail(reader *r, const char *what)
{
	size_t line = 1, col = 1;
	for (const char *q = r->start; q < r->p && q < r->end; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return ap_error_set(r->err, "line %zu, column %zu: %s", line, col, what);
}

static void skip_ws(reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static int hex4(reader *r, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++, r->p++) {
		if (r->p >= r->end)
			return fail(r, "unfinished \\u escape");
		char c = *r->p;
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return fail(r, "a \\u escape needs four hex digits");
	}
	*out = v;
	return 0;
}

static void put_utf8(ap_buf *b, unsigned cp)
{
	if (cp < 0x80) {
		ap_buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		ap_buf_putc(b, (char)(0xC0 | (cp >> 6)));
		ap_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		ap_buf_putc(b, (char)(0xE0 | (cp >> 12)));
		ap_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		ap_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		ap_buf_putc(b, (char)(0xF0 | (cp >> 18)));
		ap_buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
		ap_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		ap_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	}
}

static int escape(reader *r, ap_buf *b)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	char c = *r->p++;
	const char *k = c ? strchr(from, c) : NULL;
	if (k) {
		ap_buf_putc(b, to[k - from]);
		return 0;
	}
	if (c != 'u')
		return r->p--, fail(r, "unknown escape in a string");
	unsigned cp;
	if (hex4(r, &cp) < 0)
		return -1;
	if (cp >= 0xD800 && cp < 0xDC00) {
		unsigned lo;
		if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
			return fail(r, "a high surrogate without its low half");
		r->p += 2;
		if (hex4(r, &lo) < 0)
			return -1;
		if (lo < 0xDC00 || lo > 0xDFFF)
			return fail(r, "a high surrogate without its low half");
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	} else if (cp >= 0xDC00 && cp < 0xE000) {
		return fail(r, "a lone low surrogate");
	}
	put_utf8(b, cp);
	return 0;
}

static int string(reader *r, char **out, size_t *len)
{
	ap_buf b = AP_BUF_INIT;
	r->p++; /* the opening quote */
	for (;;) {
		if (r->p >= r->end) {
			ap_buf_free(&b);
			return fail(r, "unterminated string");
		}
		unsigned char c = (unsigned char)*r->p;
		if (c == '"')
			break;
		if (c < 0x20) {
			ap_buf_free(&b);
			return fail(r, "a control character in a string");
		}
		r->p++;
		if (c == '\\') {
			if (r->p >= r->end || escape(r, &b) < 0) {
				ap_buf_free(&b);
				return r->p >= r->end ? fail(r, "unterminated string") : -1;
			}
		} else {
			ap_buf_putc(&b, (char)c);
		}
	}
	r->p++;
	ap_buf_puts(&b, "");
	*len = b.len;
	*out = ap_buf_detach(&b, NULL);
	return *out ? 0 : ap_error_set(r->err, "out of memory");
}

static int value(reader *r, ap_jv *v, int depth);

static int add_item(ap_jv *v, size_t *cap, ap_error *err)
{
	if (ap_array_grow((void **)&v->items, cap, v->n + 1, sizeof *v->items) < 0)
		return ap_error_set(err, "out of memory");
	memset(&v->items[v->n], 0, sizeof *v->items);
	return 0;
}

static int container(reader *r, ap_jv *v, int depth)
{
	int obj = *r->p == '{';
	char close = obj ? '}' : ']';
	size_t cap = 0, kcap = 0;
	v->kind = obj ? AP_JV_OBJECT : AP_JV_ARRAY;
	if (depth >= AP_JSON_MAX_DEPTH)
		return fail(r, "nested too deeply");
	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return 0;
	}
	for (;;) {
		skip_ws(r);
		if (obj) {
			char *key;
			size_t kl;
			if (r->p >= r->end || *r->p != '"')
				return fail(r, "expected a key (a string)");
			if (string(r, &key, &kl) < 0)
				return -1;
			if (ap_array_grow((void **)&v->keys, &kcap, v->n + 1, sizeof *v->keys) < 0) {
				free(key);
				return ap_error_set(r->err, "out of memory");
			}
			v->keys[v->n] = key;
			skip_ws(r);
			if (r->p >= r->end || *r->p != ':') {
				if (add_item(v, &cap, r->err) == 0)
					v->n++;
				return fail(r, "expected ':' after the key");
			}
			r->p++;
		}
		if (add_item(v, &cap, r->err) < 0) {
			if (obj)
				free(v->keys[v->n]);
			return -1;
		}
		v->n++;
		if (value(r, &v->items[v->n - 1], depth + 1) < 0)
			return -1;
		skip_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return 0;
		}
		return fail(r, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int number(reader *r, ap_jv *v)
{
	const char *s = r->p;
	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p >= r->end || *r->p < '0' || *r->p > '9')
		return fail(r, "not a value");
	if (*r->p == '0')
		r->p++;
	else
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	if (r->p < r->end && *r->p == '.') {
		r->p++;
		if (r->p >= r->end || *r->p < '0' || *r->p > '9')
			return fail(r, "a digit must follow '.'");
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (r->p >= r->end || *r->p < '0' || *r->p > '9')
			return fail(r, "a digit must follow the exponent");
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	char *copy = ap_strndup(s, (size_t)(r->p - s));
	if (!copy)
		return ap_error_set(r->err, "out of memory");
	v->kind = AP_JV_NUMBER;
	v->number = strtod(copy, NULL);
	free(copy);
	return 0;
}

static int word(reader *r, const char *w)
{
	size_t l = strlen(w);
	if ((size_t)(r->end - r->p) < l || memcmp(r->p, w, l) != 0)
		return 0;
	r->p += l;
	return 1;
}

static int value(reader *r, ap_jv *v, int depth)
{
	skip_ws(r);
	if (r->p >= r->end)
		return fail(r, "expected a value, found the end");
	switch (*r->p) {
	case '{':
	case '[':
		return container(r, v, depth);
	case '"':
		v->kind = AP_JV_STRING;
		return string(r, &v->str, &v->len);
	default:
		break;
	}
	if (word(r, "true") || word(r, "false")) {
		v->kind = AP_JV_BOOL;
		v->boolean = r->p[-1] == 'e' && r->p[-2] == 'u';
		return 0;
	}
	if (word(r, "null")) {
		v->kind = AP_JV_NULL;
		return 0;
	}
	return number(r, v);
}

int ap_json_parse(const char *text, size_t len, ap_jv *out, ap_error *err)
{
	reader r = { text, text, text + len, err };
	memset(out, 0, sizeof *out);
	if (value(&r, out, 0) < 0) {
		ap_jv_free(out);
		return -1;
	}
	skip_ws(&r);
	if (r.p != r.end) {
		ap_jv_free(out);
		return fail(&r, "text after the value");
	}
	return 0;
}

const ap_jv *ap_jv_get(const ap_jv *obj, const char *key)
{
	if (!obj || obj->kind != AP_JV_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	return NULL;
}

const char *ap_jv_str(const ap_jv *v)
{
	return v && v->kind == AP_JV_STRING ? v->str : NULL;
}

void ap_jv_free(ap_jv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		ap_jv_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	memset(v, 0, sizeof *v);
}
