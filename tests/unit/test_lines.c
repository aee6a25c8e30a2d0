/* test_lines.c - splitting text into lines that point into it (lines.h),
 * with each line's end (LF, CRLF, none) kept apart from its text so LF
 * hunks can be matched against CRLF files. */
#include "testutil.h"

#include "lines.h"

static void split_mixed_endings(void **state)
{
	static const char text[] = "one\ntwo\r\n\nlast";
	ap_lines l = AP_LINES_INIT;

	(void)state;
	assert_int_equal(ap_lines_split(&l, text, sizeof text - 1), 0);
	assert_int_equal(l.n, 4);
	assert_ptr_equal(l.v[0].text, text);
	assert_int_equal(l.v[0].len, 3);
	assert_int_equal(l.v[0].eol, AP_EOL_LF);
	assert_ptr_equal(l.v[1].text, text + 4);
	assert_int_equal(l.v[1].len, 3);
	assert_int_equal(l.v[1].eol, AP_EOL_CRLF);
	assert_int_equal(l.v[2].len, 0);
	assert_int_equal(l.v[2].eol, AP_EOL_LF);
	assert_bytes(l.v[3].text, l.v[3].len, "last");
	assert_int_equal(l.v[3].eol, AP_EOL_NONE);
	for (size_t i = 0; i < l.n; i++)
		assert_int_equal(l.v[i].kind, 0);
	ap_lines_free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
}

static void split_edge_cases(void **state)
{
	ap_lines l = AP_LINES_INIT;

	(void)state;
	assert_int_equal(ap_lines_split(&l, "", 0), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(ap_lines_split(&l, "\n", 1), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].len, 0);
	assert_int_equal(l.v[0].eol, AP_EOL_LF);
	/* "\r\n" alone is one empty CRLF line */
	assert_int_equal(ap_lines_split(&l, "\r\n", 2), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].len, 0);
	assert_int_equal(l.v[0].eol, AP_EOL_CRLF);
	/* a CR not before LF is text; a final lone CR too */
	assert_int_equal(ap_lines_split(&l, "a\rb\nc\r", 6), 0);
	assert_int_equal(l.n, 2);
	assert_bytes(l.v[0].text, l.v[0].len, "a\rb");
	assert_int_equal(l.v[0].eol, AP_EOL_LF);
	assert_bytes(l.v[1].text, l.v[1].len, "c\r");
	assert_int_equal(l.v[1].eol, AP_EOL_NONE);
	/* "\r\r\n": the text keeps one CR */
	assert_int_equal(ap_lines_split(&l, "x\r\r\n", 4), 0);
	assert_int_equal(l.n, 1);
	assert_bytes(l.v[0].text, l.v[0].len, "x\r");
	assert_int_equal(l.v[0].eol, AP_EOL_CRLF);
	ap_lines_free(&l);
}

static void split_keeps_nul_bytes(void **state)
{
	static const char text[] = "a\0b\n\0\n";
	ap_lines l = AP_LINES_INIT;

	(void)state;
	assert_int_equal(ap_lines_split(&l, text, sizeof text - 1), 0);
	assert_int_equal(l.n, 2);
	assert_bytes_n(l.v[0].text, l.v[0].len, "a\0b", 3);
	assert_bytes_n(l.v[1].text, l.v[1].len, "\0", 1);
	ap_lines_free(&l);
}

/* many lines: the array grows past its first guess */
static void split_many_lines(void **state)
{
	ap_buf b = AP_BUF_INIT;
	ap_lines l = AP_LINES_INIT;

	(void)state;
	for (int i = 0; i < 5000; i++)
		ap_buf_puts(&b, "\n");
	assert_int_equal(ap_lines_split(&l, b.data, b.len), 0);
	assert_int_equal(l.n, 5000);
	assert_ptr_equal(l.v[4999].text, b.data + 4999);
	ap_lines_free(&l);
	ap_buf_free(&b);
}

static void push_appends(void **state)
{
	ap_lines l = AP_LINES_INIT;
	ap_line x = { "abc", 3, AP_EOL_LF, '+' };

	(void)state;
	for (int i = 0; i < 20; i++)
		assert_int_equal(ap_lines_push(&l, x), 0);
	assert_int_equal(l.n, 20);
	assert_int_equal(l.v[19].kind, '+');
	ap_lines_free(&l);
}

static void style_majority_ties_to_lf(void **state)
{
	ap_lines l = AP_LINES_INIT;

	(void)state;
	ap_lines_split(&l, "a\r\nb\r\nc\n", 8);
	assert_int_equal(ap_lines_style(l.v, l.n), AP_EOL_CRLF);
	ap_lines_split(&l, "a\r\nb\n", 5);
	assert_int_equal(ap_lines_style(l.v, l.n), AP_EOL_LF);
	ap_lines_split(&l, "a\nb\nc\r\n", 7);
	assert_int_equal(ap_lines_style(l.v, l.n), AP_EOL_LF);
	/* a last line without an end does not vote */
	ap_lines_split(&l, "a\r\nb", 4);
	assert_int_equal(ap_lines_style(l.v, l.n), AP_EOL_CRLF);
	ap_lines_split(&l, "no end", 6);
	assert_int_equal(ap_lines_style(l.v, l.n), AP_EOL_NONE);
	assert_int_equal(ap_lines_style(NULL, 0), AP_EOL_NONE);
	ap_lines_free(&l);
}

/* a split knows its style; a push forgets it, and it is counted again */
static void style_known_after_split(void **state)
{
	static const char *const texts[] = { "a\r\nb\r\nc\n", "a\r\nb\n", "a\r\nb", "no end", "" };
	ap_lines l = AP_LINES_INIT;

	(void)state;
	assert_int_equal(ap_lines_style_of(&l), AP_EOL_NONE);
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		ap_lines_split(&l, texts[i], strlen(texts[i]));
		assert_int_not_equal(l.style1, 0);
		assert_int_equal(ap_lines_style_of(&l), ap_lines_style(l.v, l.n));
	}
	ap_lines_split(&l, "a\n", 2);
	assert_int_equal(ap_lines_style_of(&l), AP_EOL_LF);
	ap_lines_push(&l, (ap_line){ "b", 1, AP_EOL_CRLF, 0 });
	ap_lines_push(&l, (ap_line){ "c", 1, AP_EOL_CRLF, 0 });
	assert_int_equal(l.style1, 0);
	assert_int_equal(ap_lines_style_of(&l), AP_EOL_CRLF);
	ap_lines_free(&l);
	assert_int_equal(l.style1, 0);
}

static void equality_strict_and_loose(void **state)
{
	ap_line lf = { "abc", 3, AP_EOL_LF, 0 };
	ap_line crlf = { "abcX", 3, AP_EOL_CRLF, 0 };
	ap_line none = { "abc", 3, AP_EOL_NONE, 0 };
	ap_line other = { "abd", 3, AP_EOL_LF, 0 };
	ap_line shorter = { "ab", 2, AP_EOL_LF, 0 };
	ap_line nul1 = { "a\0b", 3, AP_EOL_LF, 0 };
	ap_line nul2 = { "a\0c", 3, AP_EOL_LF, 0 };

	(void)state;
	assert_true(ap_line_eq(&lf, &lf));
	assert_false(ap_line_eq(&lf, &crlf));
	assert_false(ap_line_eq(&lf, &none));
	assert_false(ap_line_eq(&lf, &other));
	assert_false(ap_line_eq(&lf, &shorter));
	/* NUL bytes compare as bytes, not as terminators */
	assert_false(ap_line_eq(&nul1, &nul2));
	assert_true(ap_line_eq_loose(&lf, &crlf));
	assert_true(ap_line_eq_loose(&crlf, &lf));
	assert_false(ap_line_eq_loose(&lf, &none));
	assert_false(ap_line_eq_loose(&none, &crlf));
	assert_true(ap_line_eq_loose(&none, &none));
	assert_false(ap_line_eq_loose(&lf, &other));
	assert_false(ap_line_eq_loose(&nul1, &nul2));
}

static void eol_bytes(void **state)
{
	(void)state;
	assert_string_equal(ap_eol_bytes(AP_EOL_LF), "\n");
	assert_string_equal(ap_eol_bytes(AP_EOL_CRLF), "\r\n");
	assert_string_equal(ap_eol_bytes(AP_EOL_NONE), "");
	assert_int_equal(ap_eol_len(AP_EOL_LF), 1);
	assert_int_equal(ap_eol_len(AP_EOL_CRLF), 2);
	assert_int_equal(ap_eol_len(AP_EOL_NONE), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_mixed_endings),
		cmocka_unit_test(split_edge_cases),
		cmocka_unit_test(split_keeps_nul_bytes),
		cmocka_unit_test(split_many_lines),
		cmocka_unit_test(push_appends),
		cmocka_unit_test(style_majority_ties_to_lf),
		cmocka_unit_test(style_known_after_split),
		cmocka_unit_test(equality_strict_and_loose),
		cmocka_unit_test(eol_bytes),
	};

	return cmocka_run_group_tests_name("lines", tests, NULL, NULL);
}
