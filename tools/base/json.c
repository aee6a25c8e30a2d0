/* json.c - a minimal streaming JSON writer, and XML escaping. */
#include "json.h"

#include <string.h>

void ap_json_init(ap_json *j, ap_buf *out)
{
	memset(j, 0, sizeof *j);
	j->out = out;
}

/* Length of a valid UTF-8 sequence at s (1-4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	size_t n;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void escape(ap_buf *b, const char *s, size_t len)
{
	ap_buf_putc(b, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80) {
			size_t n = utf8_len((const unsigned char *)s + i, len - i);

			/* JSON must be UTF-8: a stray byte (a Latin-1 name) is shown
			 * as the code point of the same number */
			if (n == 0) {
				ap_buf_printf(b, "\\u%04x", c);
			} else {
				ap_buf_add(b, s + i, n);
				i += n - 1;
			}
			continue;
		}

		switch (c) {
		case '"': ap_buf_puts(b, "\\\""); break;
		case '\\': ap_buf_puts(b, "\\\\"); break;
		case '\n': ap_buf_puts(b, "\\n"); break;
		case '\r': ap_buf_puts(b, "\\r"); break;
		case '\t': ap_buf_puts(b, "\\t"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				ap_buf_printf(b, "\\u%04x", c);
			else
				ap_buf_putc(b, (char)c);
		}
	}
	ap_buf_putc(b, '"');
}

static void key(ap_json *j, const char *k)
{
	if (j->need_comma[j->depth])
		ap_buf_putc(j->out, ',');
	j->need_comma[j->depth] = 1;
	if (k) {
		escape(j->out, k, strlen(k));
		ap_buf_putc(j->out, ':');
	}
}

void ap_json_begin_object(ap_json *j, const char *k)
{
	key(j, k);
	ap_buf_putc(j->out, '{');
	if (j->depth < 63)
		j->depth++;
	j->need_comma[j->depth] = 0;
}

void ap_json_end_object(ap_json *j)
{
	if (j->depth > 0)
		j->depth--;
	ap_buf_putc(j->out, '}');
}

void ap_json_begin_array(ap_json *j, const char *k)
{
	key(j, k);
	ap_buf_putc(j->out, '[');
	if (j->depth < 63)
		j->depth++;
	j->need_comma[j->depth] = 0;
}

void ap_json_end_array(ap_json *j)
{
	if (j->depth > 0)
		j->depth--;
	ap_buf_putc(j->out, ']');
}

void ap_json_string_n(ap_json *j, const char *k, const char *value, size_t len)
{
	key(j, k);
	if (!value)
		ap_buf_puts(j->out, "null");
	else
		escape(j->out, value, len);
}

void ap_json_string(ap_json *j, const char *k, const char *value)
{
	ap_json_string_n(j, k, value, value ? strlen(value) : 0);
}

void ap_json_int(ap_json *j, const char *k, long long value)
{
	key(j, k);
	ap_buf_printf(j->out, "%lld", value);
}

void ap_json_bool(ap_json *j, const char *k, int value)
{
	key(j, k);
	ap_buf_puts(j->out, value ? "true" : "false");
}

void ap_json_null(ap_json *j, const char *k)
{
	key(j, k);
	ap_buf_puts(j->out, "null");
}

void ap_xml_escape(ap_buf *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': ap_buf_puts(out, "&amp;"); break;
		case '<': ap_buf_puts(out, "&lt;"); break;
		case '>': ap_buf_puts(out, "&gt;"); break;
		case '"': ap_buf_puts(out, "&quot;"); break;
		case '\'': ap_buf_puts(out, "&apos;"); break;
		default:
			/* XML 1.0 cannot carry most control characters at all */
			if (c < 0x20 && c != '\n' && c != '\t')
				ap_buf_printf(out, "\\x%02x", c);
			else
				ap_buf_putc(out, (char)c);
		}
	}
}
