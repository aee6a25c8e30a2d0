/* test_jsonread.c - reading JSON back (jsonread.h): every kind of value,
 * escapes (\u with surrogate pairs to UTF-8), what our writer (json.h)
 * emits read back the same, and bad input refused with line and column. */
#include "testutil.h"

#include "json.h"
#include "jsonread.h"

static void values(void **state)
{
	(void)state;
	const char *t = " {\"a\": [1, -2.5e2, true, false, null],\n \"s\": \"x\\\"\\n\\u00e9\\ud83d\\ude00\","
			" \"o\": {}, \"e\": []} ";
	ap_jv v;
	ap_error err = AP_ERROR_INIT;
	assert_int_equal(ap_json_parse(t, strlen(t), &v, &err), 0);
	assert_int_equal(v.kind, AP_JV_OBJECT);
	const ap_jv *a = ap_jv_get(&v, "a");
	assert_non_null(a);
	assert_int_equal(a->kind, AP_JV_ARRAY);
	assert_int_equal(a->n, 5);
	assert_true(a->items[0].number == 1);
	assert_true(a->items[1].number == -250);
	assert_true(a->items[2].kind == AP_JV_BOOL && a->items[2].boolean == 1);
	assert_true(a->items[3].kind == AP_JV_BOOL && a->items[3].boolean == 0);
	assert_int_equal(a->items[4].kind, AP_JV_NULL);
	assert_string_equal(ap_jv_str(ap_jv_get(&v, "s")), "x\"\n\xc3\xa9\xf0\x9f\x98\x80");
	assert_int_equal(ap_jv_get(&v, "o")->kind, AP_JV_OBJECT);
	assert_int_equal(ap_jv_get(&v, "e")->n, 0);
	assert_null(ap_jv_get(&v, "missing"));
	assert_null(ap_jv_str(a));
	ap_jv_free(&v);
}

static void round_trip(void **state)
{
	(void)state;
	ap_buf out = AP_BUF_INIT;
	ap_json j;
	ap_json_init(&j, &out);
	ap_json_begin_object(&j, NULL);
	ap_json_string(&j, "name", "cygwin/a \"b\"\t\x01.patch");
	ap_json_int(&j, "n", -42);
	ap_json_end_object(&j);
	ap_jv v;
	ap_error err = AP_ERROR_INIT;
	assert_int_equal(ap_json_parse(out.data, out.len, &v, &err), 0);
	assert_string_equal(ap_jv_str(ap_jv_get(&v, "name")), "cygwin/a \"b\"\t\x01.patch");
	assert_true(ap_jv_get(&v, "n")->number == -42);
	ap_jv_free(&v);
	ap_buf_free(&out);
}

static void bad(const char *t, const char *msg)
{
	ap_jv v;
	ap_error err = AP_ERROR_INIT;
	assert_int_equal(ap_json_parse(t, strlen(t), &v, &err), -1);
	assert_contains(err.msg, msg);
	assert_int_equal(v.n, 0);
}

static void errors(void **state)
{
	(void)state;
	bad("", "line 1, column 1: expected a value, found the end");
	bad("{\"a\": 1,\n \"b\" 2}", "line 2, column 6: expected ':' after the key");
	bad("[1 2]", "expected ',' or ']'");
	bad("{\"a\": \"x", "unterminated string");
	bad("\"a\\qb\"", "unknown escape");
	bad("\"\\ud800x\"", "a high surrogate without its low half");
	bad("\"\\udc00\"", "a lone low surrogate");
	bad("\"a\nb\"", "a control character in a string");
	bad("{1: 2}", "expected a key (a string)");
	bad("tru", "not a value");
	bad("01", "text after the value");
	bad("1.", "a digit must follow '.'");
	bad("[] x", "text after the value");
	char deep[200];
	memset(deep, '[', sizeof deep - 1);
	deep[sizeof deep - 1] = '\0';
	bad(deep, "nested too deeply");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
