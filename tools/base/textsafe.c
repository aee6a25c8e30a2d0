/* textsafe.c - escaping untrusted bytes for XML, GitHub workflow commands,
 * Markdown and terminals (see textsafe.h for the one visible convention). */
#include "textsafe.h"

#include <string.h>

size_t ap_utf8_char(const char *str, size_t left, unsigned *cpp)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;
	unsigned cp;

	if (left == 0)
		return 0;
	if (s[0] < 0x80) {
		n = 1, cp = s[0];
		goto done;
	}
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
done:
	if (cpp)
		*cpp = cp;
	return n;
}

int ap_utf8_valid(const char *s, size_t len)
{
	for (size_t i = 0, n; i < len; i += n)
		if ((n = ap_utf8_char(s + i, len - i, NULL)) == 0)
			return 0;
	return 1;
}

/* Unicode's explicit bidirectional formatting characters (UAX #9, table
 * 4): LRM, RLM, ALM, the embeddings and overrides LRE..RLO with PDF, the
 * isolates LRI..PDI. Raw, they reorder what a reader sees ("Trojan
 * Source", CVE-2021-42574: fix-U+202E-gnp.exe.patch shows as
 * fix-hctap.exe.png). */
int ap_bidi_control(unsigned cp)
{
	return cp == 0x200e || cp == 0x200f || cp == 0x061c || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* A code point no output passes on raw: C0 (the caller keeps what its
 * format allows), DEL, C1, the two non-characters XML forbids, and the
 * bidi controls. */
static int unsafe_cp(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0xfffe || cp == 0xffff ||
	       ap_bidi_control(cp);
}

static void visible(ap_buf *out, unsigned cp)
{
	if (cp < 0x80)
		ap_buf_printf(out, "\\x%02x", cp);
	else
		ap_buf_printf(out, "\\u%04X", cp);
}

/* Walks s: each character is either copied, or handed to esc (which
 * returns 0 when it did not write it, so it is shown visibly). A byte
 * that is not UTF-8 is always shown as \xNN. */
typedef int (*esc_fn)(ap_buf *out, unsigned cp, int arg);

static void walk(ap_buf *out, const char *s, size_t len, esc_fn esc, int arg)
{
	for (size_t i = 0; i < len;) {
		unsigned cp;
		size_t n = ap_utf8_char(s + i, len - i, &cp);

		if (n == 0) {
			ap_buf_printf(out, "\\x%02x", (unsigned char)s[i]);
			i++;
			continue;
		}
		if (!esc(out, cp, arg)) {
			if (unsafe_cp(cp))
				visible(out, cp);
			else
				ap_buf_add(out, s + i, n);
		}
		i += n;
	}
}

static int xml_char(ap_buf *out, unsigned cp, int arg)
{
	(void)arg;
	switch (cp) {
	case '&': ap_buf_puts(out, "&amp;"); return 1;
	case '<': ap_buf_puts(out, "&lt;"); return 1;
	case '>': ap_buf_puts(out, "&gt;"); return 1;
	case '"': ap_buf_puts(out, "&quot;"); return 1;
	case '\'': ap_buf_puts(out, "&apos;"); return 1;
	case '\r': ap_buf_puts(out, "&#13;"); return 1;
	case '\n': case '\t': ap_buf_putc(out, (char)cp); return 1;
	default: return 0;
	}
}

void ap_xml_escape_n(ap_buf *out, const char *s, size_t len)
{
	if (s)
		walk(out, s, len, xml_char, 0);
}

void ap_xml_escape(ap_buf *out, const char *s)
{
	if (s)
		walk(out, s, strlen(s), xml_char, 0);
}

static int gh_char(ap_buf *out, unsigned cp, int property)
{
	switch (cp) {
	case '%': ap_buf_puts(out, "%25"); return 1;
	case '\r': ap_buf_puts(out, "%0D"); return 1;
	case '\n': ap_buf_puts(out, "%0A"); return 1;
	case ':': if (!property) return 0; ap_buf_puts(out, "%3A"); return 1;
	case ',': if (!property) return 0; ap_buf_puts(out, "%2C"); return 1;
	default: return 0;
	}
}

void ap_gh_escape(ap_buf *out, const char *s, int property)
{
	if (s)
		walk(out, s, strlen(s), gh_char, property);
}

static int term_char(ap_buf *out, unsigned cp, int arg)
{
	(void)arg;
	if (cp == '\n' || cp == '\t') {
		ap_buf_putc(out, (char)cp);
		return 1;
	}
	return 0;
}

/* Length of one of the reports' own colour sequences at s, else 0. */
static size_t color_seq(const char *s, size_t len)
{
	static const char *const ours[] = { "\033[0m", "\033[1m", "\033[31m", "\033[32m",
					    "\033[33m", "\033[36m" };

	for (size_t k = 0; k < sizeof ours / sizeof *ours; k++) {
		size_t n = strlen(ours[k]);

		if (n <= len && memcmp(s, ours[k], n) == 0)
			return n;
	}
	return 0;
}

void ap_term_escape(ap_buf *out, const char *s, size_t len, int keep_colors)
{
	size_t start = 0;

	if (!s)
		return;
	if (!keep_colors) {
		walk(out, s, len, term_char, 0);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		size_t n = s[i] == '\033' ? color_seq(s + i, len - i) : 0;

		if (!n)
			continue;
		walk(out, s + start, i - start, term_char, 0);
		ap_buf_add(out, s + i, n);
		i += n - 1;
		start = i + 1;
	}
	walk(out, s + start, len - start, term_char, 0);
}

size_t ap_term_width(const char *name)
{
	ap_buf shown = AP_BUF_INIT;
	size_t w = 0;

	/* the escaped text is valid UTF-8: count its lead bytes */
	ap_term_escape(&shown, name, name ? strlen(name) : 0, 0);
	for (size_t i = 0; i < shown.len; i++)
		w += ((unsigned char)shown.data[i] & 0xc0) != 0x80;
	ap_buf_free(&shown);
	return w;
}

static int name_char(ap_buf *out, unsigned cp, int arg)
{
	(void)out;
	(void)arg;
	(void)cp;
	return 0;
}

void ap_name_escape(ap_buf *out, const char *name)
{
	if (name)
		walk(out, name, strlen(name), name_char, 0);
}

/* Markdown: the characters that make links, emphasis, code spans,
 * strike-through, HTML or table cells backslash-escaped (CommonMark lets
 * any ASCII punctuation be), < > & as entities (HTML passes through
 * GitHub's renderer otherwise). */
static int md_char(ap_buf *out, unsigned cp, int arg)
{
	(void)arg;
	switch (cp) {
	case '&': ap_buf_puts(out, "&amp;"); return 1;
	case '<': ap_buf_puts(out, "&lt;"); return 1;
	case '>': ap_buf_puts(out, "&gt;"); return 1;
	case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '~':
	case '!': case '{': case '}':
		ap_buf_putc(out, '\\');
		ap_buf_putc(out, (char)cp);
		return 1;
	default: return 0;
	}
}

void ap_md_escape(ap_buf *out, const char *s, size_t len)
{
	if (!s)
		return;
	/* a heading, list item, block quote or setext underline where a line
	 * starts with it */
	if (len && strchr("#+-=", s[0]) && s[0] != '\0') {
		ap_buf_putc(out, '\\');
		ap_buf_putc(out, s[0]);
		s++, len--;
	}
	walk(out, s, len, md_char, 0);
}

int ap_term_needs_escape(const char *s, size_t len)
{
	for (size_t i = 0, n; i < len; i += n) {
		unsigned cp;

		n = ap_utf8_char(s + i, len - i, &cp);
		if (n == 0 || (unsafe_cp(cp) && cp != '\n' && cp != '\t'))
			return 1;
	}
	return 0;
}
