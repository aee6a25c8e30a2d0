/* test_textsafe.c - untrusted bytes made safe per output (textsafe.h):
 * the UTF-8 decoder on every malformed shape, XML that python's parser
 * accepts whatever the name holds, GitHub workflow-command escaping, and
 * terminal text in which no control byte survives except our colours,
 * Markdown whose names cannot add cells, HTML or markup. */
#include "testutil.h"

#include "textsafe.h"

/* The names the red-team used: not UTF-8, an overlong NUL, a surrogate,
 * U+FFFE, OSC title, BEL, newline, a literal %0A, a C1 CSI. */
static const char *const HOSTILE[] = {
	"\xff\xfe.patch", "\xc0\x80.patch", "\xed\xa0\x80.patch", "\xef\xbf\xbe.patch",
	"e\033]0;pwned\a.patch", "bell\a.patch", "new\nline.patch", "pct%0A.patch",
	"c1\xc2\x9b" "31m.patch", "\xf8\x88\x80\x80\x80.patch", "cut\xe2\x82",
};
#define NHOSTILE (sizeof HOSTILE / sizeof *HOSTILE)

static void utf8_char_shapes(void **state)
{
	unsigned cp = 0;

	(void)state;
	assert_int_equal(ap_utf8_char("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(ap_utf8_char("\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(ap_utf8_char("\xe2\x82\xac", 3, &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(ap_utf8_char("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(ap_utf8_char("\xef\xbf\xbe", 3, &cp), 3);   /* U+FFFE is UTF-8 */
	assert_int_equal(cp, 0xfffe);
	assert_int_equal(ap_utf8_char("\xc0\x80", 2, NULL), 0);      /* overlong */
	assert_int_equal(ap_utf8_char("\xe0\x80\xaf", 3, NULL), 0);  /* overlong */
	assert_int_equal(ap_utf8_char("\xed\xa0\x80", 3, NULL), 0);  /* surrogate */
	assert_int_equal(ap_utf8_char("\xf4\x90\x80\x80", 4, NULL), 0); /* > U+10FFFF */
	assert_int_equal(ap_utf8_char("\xf8\x88\x80\x80\x80", 5, NULL), 0);
	assert_int_equal(ap_utf8_char("\xe2\x82", 2, NULL), 0);      /* cut short */
	assert_int_equal(ap_utf8_char("\xe2\x82\xac", 2, NULL), 0);  /* len limits */
	assert_int_equal(ap_utf8_char("\x80", 1, NULL), 0);
	assert_int_equal(ap_utf8_char("", 0, NULL), 0);
	assert_true(ap_utf8_valid("caf\xc3\xa9", 5));
	assert_false(ap_utf8_valid("caf\xe9", 4));
	assert_true(ap_utf8_valid("", 0));
}

static void xml_exact(void **state)
{
	ap_buf b = AP_BUF_INIT;

	(void)state;
	ap_xml_escape(&b, "a&b<c>d\"e'f\ng\th\ri\x01j\x1b\x7f");
	assert_buf(b, "a&amp;b&lt;c&gt;d&quot;e&apos;f\ng\th&#13;i\\x01j\\x1b\\x7f");
	ap_buf_clear(&b);
	ap_xml_escape(&b, "\xff\xfe|\xef\xbf\xbe|\xef\xbf\xbf|\xc2\x9b|\xc3\xa9|\xf0\x9f\x98\x80");
	assert_buf(b, "\\xff\\xfe|\\uFFFE|\\uFFFF|\\u009B|\xc3\xa9|\xf0\x9f\x98\x80");
	ap_buf_clear(&b);
	ap_xml_escape_n(&b, "a\0b", 3);
	assert_buf(b, "a\\x00b");
	ap_buf_clear(&b);
	ap_xml_escape(&b, NULL);
	assert_int_equal(b.len, 0);
	ap_buf_free(&b);
}

/* every hostile name, as an attribute and as text, parses */
static void xml_hostile_parses(void **state)
{
	ap_buf b = AP_BUF_INIT;

	(void)state;
	ap_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r>");
	for (size_t i = 0; i < NHOSTILE; i++) {
		ap_buf_puts(&b, "<c n=\"");
		ap_xml_escape(&b, HOSTILE[i]);
		ap_buf_puts(&b, "\">");
		ap_xml_escape(&b, HOSTILE[i]);
		ap_buf_puts(&b, "</c>");
	}
	ap_buf_puts(&b, "</r>\n");
	assert_true(ap_utf8_valid(b.data, b.len));
	{
		static const tu_query q[] = {
			{ "len(d.getElementsByTagName(\"c\"))", "11" },
			{ "d.getElementsByTagName(\"c\")[4].getAttribute(\"n\")", "e\\x1b]0;pwned\\x07.patch" },
			{ "d.getElementsByTagName(\"c\")[0].firstChild.data", "\\xff\\xfe.patch" },
		};

		assert_xml_queries(b.data, b.len, q);
	}
	ap_buf_free(&b);
}

static void github_exact(void **state)
{
	ap_buf b = AP_BUF_INIT;

	(void)state;
	ap_gh_escape(&b, "fix,one:100%.patch\r\n", 1);
	assert_buf(b, "fix%2Cone%3A100%25.patch%0D%0A");
	ap_buf_clear(&b);
	ap_gh_escape(&b, "fix,one:100%.patch\r\n", 0);
	assert_buf(b, "fix,one:100%25.patch%0D%0A");
	ap_buf_clear(&b);
	ap_gh_escape(&b, "e\033]0;t\a\x01\x7f\xc2\x9b\xff.p", 1);
	assert_buf(b, "e\\x1b]0;t\\x07\\x01\\x7f\\u009B\\xff.p");
	ap_buf_free(&b);
}

/* one line of UTF-8 with no control byte, whatever the name */
static void github_hostile_one_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < NHOSTILE; i++)
		for (int prop = 0; prop < 2; prop++) {
			ap_buf b = AP_BUF_INIT;

			ap_gh_escape(&b, HOSTILE[i], prop);
			assert_true(ap_utf8_valid(b.data, b.len));
			for (size_t k = 0; k < b.len; k++) {
				unsigned char c = (unsigned char)b.data[k];

				assert_false(c < 0x20 || c == 0x7f);
			}
			if (prop)
				assert_null(memchr(b.data, ',', b.len));
			ap_buf_free(&b);
		}
}

static void terminal_exact(void **state)
{
	ap_buf b = AP_BUF_INIT;
	const char *s = "\033[31mFAILED\033[0m e\033]0;pwned\a.patch\r\tok\n\xff\xc2\x9b\033[8m\033[2J";

	(void)state;
	ap_term_escape(&b, s, strlen(s), 1);
	assert_buf(b, "\033[31mFAILED\033[0m e\\x1b]0;pwned\\x07.patch\\x0d\tok\n\\xff\\u009B"
		   "\\x1b[8m\\x1b[2J");
	ap_buf_clear(&b);
	/* without colours (a pipe), not even ours */
	ap_term_escape(&b, s, strlen(s), 0);
	assert_buf(b, "\\x1b[31mFAILED\\x1b[0m e\\x1b]0;pwned\\x07.patch\\x0d\tok\n\\xff\\u009B"
		   "\\x1b[8m\\x1b[2J");
	ap_buf_clear(&b);
	ap_term_escape(&b, "caf\xc3\xa9 \xe2\x82\xac", 9, 0);
	assert_buf(b, "caf\xc3\xa9 \xe2\x82\xac");
	assert_false(ap_term_needs_escape("caf\xc3\xa9\n\t", 7));
	assert_true(ap_term_needs_escape("a\033", 2));
	assert_true(ap_term_needs_escape("a\xff", 2));
	ap_buf_free(&b);
}

/* escaping what is already escaped changes nothing: a message quoting a
 * made-safe message stays readable */
static void terminal_idempotent(void **state)
{
	(void)state;
	for (size_t i = 0; i < NHOSTILE; i++) {
		ap_buf once = AP_BUF_INIT, twice = AP_BUF_INIT;

		ap_term_escape(&once, HOSTILE[i], strlen(HOSTILE[i]), 0);
		assert_false(ap_term_needs_escape(once.data, once.len) && strchr(HOSTILE[i], '\n') == NULL);
		ap_term_escape(&twice, once.data, once.len, 0);
		assert_buf(twice, once.data);
		assert_null(memchr(once.data, '\033', once.len));
		ap_buf_free(&once);
		ap_buf_free(&twice);
	}
}

static void name_escape_shows_line_breaks(void **state)
{
	ap_buf b = AP_BUF_INIT;

	(void)state;
	ap_name_escape(&b, "nl\nhere\t\033\xff\xc3\xa9.patch");
	assert_buf(b, "nl\\x0ahere\\x09\\x1b\\xff\xc3\xa9.patch");
	ap_buf_free(&b);
}

/* Markdown (red-team 3 T1): a name cannot end a code span, add a table
 * cell, open a link or emphasis, pass HTML, start a heading or break the
 * line */
static void markdown_exact(void **state)
{
	ap_buf b = AP_BUF_INIT;
	const char *s = "x`|<b>FAKE|\xe2\x9c\x85`ok.patch";

	(void)state;
	ap_md_escape(&b, s, strlen(s));
	assert_buf(b, "x\\`\\|&lt;b&gt;FAKE\\|\xe2\x9c\x85\\`ok.patch");
	ap_buf_clear(&b);
	s = "# a [link](u) *em* _em_ ~s~ !x {y} & \\ \n\tz\033\xff";
	ap_md_escape(&b, s, strlen(s));
	assert_buf(b, "\\# a \\[link\\](u) \\*em\\* \\_em\\_ \\~s\\~ \\!x \\{y\\} &amp; \\\\ "
		   "\\x0a\\x09z\\x1b\\xff");
	ap_buf_clear(&b);
	ap_md_escape(&b, "-x", 2);
	ap_md_escape(&b, "+x", 2);
	ap_md_escape(&b, "=x", 2);
	ap_md_escape(&b, "v4.10-rc1", 9);
	assert_buf(b, "\\-x\\+x\\=xv4.10-rc1");
	ap_buf_clear(&b);
	for (size_t i = 0; i < NHOSTILE; i++) {
		ap_md_escape(&b, HOSTILE[i], strlen(HOSTILE[i]));
		assert_null(memchr(b.data, '\n', b.len));
		assert_null(memchr(b.data, '<', b.len));
		assert_true(ap_utf8_valid(b.data, b.len));
		ap_buf_clear(&b);
	}
	ap_buf_free(&b);
}

/* bidi controls (red-team 3 T9, "Trojan Source"): every output shows them
 * as \uXXXX; fix-U+202E-gnp.exe.patch must not read as fix-hctap.exe.png */
static void bidi_controls_visible(void **state)
{
	static const unsigned cps[] = { 0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d,
					0x202e, 0x2066, 0x2067, 0x2068, 0x2069 };
	ap_buf b = AP_BUF_INIT;
	const char *s = "fix-\xe2\x80\xaegnp.exe.patch";

	(void)state;
	ap_term_escape(&b, s, strlen(s), 0);
	ap_buf_putc(&b, ' ');
	ap_name_escape(&b, s);
	ap_buf_putc(&b, ' ');
	ap_xml_escape(&b, s);
	ap_buf_putc(&b, ' ');
	ap_gh_escape(&b, s, 0);
	ap_buf_putc(&b, ' ');
	ap_md_escape(&b, s, strlen(s));
	assert_buf(b, "fix-\\u202Egnp.exe.patch fix-\\u202Egnp.exe.patch fix-\\u202Egnp.exe.patch "
		   "fix-\\u202Egnp.exe.patch fix-\\u202Egnp.exe.patch");
	assert_true(ap_term_needs_escape(s, strlen(s)));
	for (size_t i = 0; i < sizeof cps / sizeof *cps; i++)
		assert_true(ap_bidi_control(cps[i]));
	assert_false(ap_bidi_control(0x2029));
	assert_false(ap_bidi_control(0x206a));
	assert_false(ap_bidi_control(0x200d));   /* ZWJ: emoji sequences need it */
	ap_buf_free(&b);
}

static void error_messages_are_safe(void **state)
{
	ap_error err = AP_ERROR_INIT;

	(void)state;
	ap_error_set(&err, "cannot read %s: bad", "e\033]0;pwned\a\xff.patch");
	assert_string_equal(err.msg, "cannot read e\\x1b]0;pwned\\x07\\xff.patch: bad");
	ap_error_wrap(&err, "series:%d", 3);
	assert_string_equal(err.msg, "series:3: cannot read e\\x1b]0;pwned\\x07\\xff.patch: bad");
	ap_error_set(&err, "plain %s\n\tnext", "caf\xc3\xa9");
	assert_string_equal(err.msg, "plain caf\xc3\xa9\n\tnext");
}

/* red-team 3 T9: a column of names is padded by what the terminal shows */
static void term_width_counts_what_is_shown(void **state)
{
	(void)state;
	assert_int_equal(ap_term_width("a.patch"), 7);
	assert_int_equal(ap_term_width(""), 0);
	assert_int_equal(ap_term_width(NULL), 0);
	/* ESC shown as \x1b (4), a bad byte as \xff (4) */
	assert_int_equal(ap_term_width("a\033b"), 6);
	assert_int_equal(ap_term_width("\xff"), 4);
	/* e-acute: 2 bytes, 1 column; a bidi control shown as \u202E (6) */
	assert_int_equal(ap_term_width("\xc3\xa9.patch"), 7);
	assert_int_equal(ap_term_width("x\xe2\x80\xae"), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8_char_shapes),
		cmocka_unit_test(term_width_counts_what_is_shown),
		cmocka_unit_test(xml_exact),
		cmocka_unit_test(xml_hostile_parses),
		cmocka_unit_test(github_exact),
		cmocka_unit_test(github_hostile_one_line),
		cmocka_unit_test(terminal_exact),
		cmocka_unit_test(terminal_idempotent),
		cmocka_unit_test(name_escape_shows_line_breaks),
		cmocka_unit_test(markdown_exact),
		cmocka_unit_test(bidi_controls_visible),
		cmocka_unit_test(error_messages_are_safe),
	};

	return cmocka_run_group_tests_name("textsafe", tests, NULL, NULL);
}
