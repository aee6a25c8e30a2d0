/* json.c - a minimal streaming JSON writer. */
#include "json.h"

#include "textsafe.h"

#include <string.h>

void ap_json_init(ap_json *j, ap_buf *out)
{
	memset(j, 0, sizeof *j);
	j->out = out;
}

static void escape(ap_buf *b, const char *s, size_t len)
{
	ap_buf_putc(b, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80) {
			unsigned cp;
			size_t n = ap_utf8_char(s + i, len - i, &cp);

			/* JSON must be UTF-8: a byte that is not (a Latin-1 name) is
			 * written as the four characters \xNN, as every other output
			 * shows it (textsafe.h); C1 and bidi controls as \u
			 * escapes (exact, and no viewer of the file reorders it) */
			if (n == 0)
				ap_buf_printf(b, "\\\\x%02x", c);
			else if (cp <= 0x9f || ap_bidi_control(cp))
				ap_buf_printf(b, "\\u%04x", cp);
			else
				ap_buf_add(b, s + i, n);
			i += n ? n - 1 : 0;
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
