/* test_json.c - the JSON writer and XML escaping (json.h): commas at
 * every nesting level, string escapes that a real parser (python3)
 * accepts and decodes back to the original bytes, and XML text that
 * cannot break out of an attribute. */
#include "testutil.h"

#include "json.h"

static void nested_structure_exact(void **state)
{
	ap_buf b = AP_BUF_INIT;
	ap_json j;

	(void)state;
	ap_json_init(&j, &b);
	ap_json_begin_object(&j, NULL);
	ap_json_string(&j, "name", "p.patch");
	ap_json_int(&j, "n", -3);
	ap_json_bool(&j, "ok", 1);
	ap_json_bool(&j, "bad", 0);
	ap_json_null(&j, "nothing");
	ap_json_string(&j, "none", NULL);
	ap_json_begin_array(&j, "list");
	ap_json_int(&j, NULL, 1);
	ap_json_begin_object(&j, NULL);
	ap_json_end_object(&j);
	ap_json_begin_array(&j, NULL);
	ap_json_end_array(&j);
	ap_json_string(&j, NULL, "s");
	ap_json_end_array(&j);
	ap_json_begin_object(&j, "o");
	ap_json_int(&j, "big", 9007199254740993LL);
	ap_json_end_object(&j);
	ap_json_end_object(&j);
	assert_buf(b, "{\"name\":\"p.patch\",\"n\":-3,\"ok\":true,\"bad\":false,\"nothing\":null,"
		   "\"none\":null,\"list\":[1,{},[],\"s\"],\"o\":{\"big\":9007199254740993}}");
	assert_true(tu_json_valid(b.data, b.len));
	ap_buf_free(&b);
}

static void string_escapes(void **state)
{
	ap_buf b = AP_BUF_INIT;
	ap_json j;

	(void)state;
	ap_json_init(&j, &b);
	ap_json_begin_array(&j, NULL);
	ap_json_string(&j, NULL, "q\"b\\s/n\nr\rt\t");
	ap_json_string(&j, NULL, "\x01\x1f\x7f\x1b");
	ap_json_string_n(&j, NULL, "a\0b", 3);
	ap_json_string(&j, NULL, "\xc3\xa9");
	ap_json_string(&j, NULL, "\xc2\x9b\xef\xbf\xbe");
	ap_json_end_array(&j);
	assert_buf(b, "[\"q\\\"b\\\\s/n\\nr\\rt\\t\",\"\\u0001\\u001f\\u007f\\u001b\","
		   "\"a\\u0000b\",\"\xc3\xa9\",\"\\u009b\xef\xbf\xbe\"]");
	/* what a reader gets back is the original bytes */
	{
		static const tu_query q[] = {
			{ "repr(d[0])", "'q\"b\\\\s/n\\nr\\rt\\t'" },
			{ "[ord(c) for c in d[1]]", "[1, 31, 127, 27]" },
			{ "[ord(c) for c in d[2]]", "[97, 0, 98]" },
			{ "[ord(c) for c in d[3]]", "[233]" },
			{ "[ord(c) for c in d[4]]", "[155, 65534]" },
		};

		assert_json_queries(b.data, b.len, q);
	}
	ap_buf_free(&b);
}

static void keys_are_escaped_too(void **state)
{
	ap_buf b = AP_BUF_INIT;
	ap_json j;

	(void)state;
	ap_json_init(&j, &b);
	ap_json_begin_object(&j, NULL);
	ap_json_int(&j, "a\"b\n", 1);
	ap_json_end_object(&j);
	assert_buf(b, "{\"a\\\"b\\n\":1}");
	assert_true(tu_json_valid(b.data, b.len));
	ap_buf_free(&b);
}

/* deep nesting, then siblings at every level, must still be valid */
static void deep_nesting_stays_valid(void **state)
{
	ap_buf b = AP_BUF_INIT;
	ap_json j;

	(void)state;
	ap_json_init(&j, &b);
	ap_json_begin_array(&j, NULL);
	for (int i = 0; i < 40; i++) {
		ap_json_int(&j, NULL, i);
		ap_json_begin_array(&j, NULL);
	}
	for (int i = 0; i < 40; i++) {
		ap_json_end_array(&j);
		ap_json_int(&j, NULL, i);
	}
	ap_json_end_array(&j);
	assert_true(tu_json_valid(b.data, b.len));
	assert_prefix(b.data, "[0,[1,[2,");
	ap_buf_free(&b);
}

static void two_documents_in_one_buffer(void **state)
{
	ap_buf b = AP_BUF_INIT;
	ap_json j;

	(void)state;
	ap_buf_puts(&b, "x");
	ap_json_init(&j, &b);
	ap_json_begin_object(&j, NULL);
	ap_json_int(&j, "a", 1);
	ap_json_end_object(&j);
	/* a fresh writer starts without a pending comma */
	ap_json_init(&j, &b);
	ap_json_begin_object(&j, NULL);
	ap_json_end_object(&j);
	assert_buf(b, "x{\"a\":1}{}");
	ap_buf_free(&b);
}

/* file names are bytes; the document must stay UTF-8 whatever they hold */
static void invalid_utf8_stays_valid_json(void **state)
{
	ap_buf b = AP_BUF_INIT;
	ap_json j;

	(void)state;
	ap_json_init(&j, &b);
	ap_json_begin_object(&j, NULL);
	ap_json_string(&j, "latin1", "caf\xe9.c");
	ap_json_string(&j, "cut", "\xc3");
	ap_json_end_object(&j);
	/* regression: bytes >= 0x80 were once copied as they were, and one
	 * Latin-1 path made the whole report invalid JSON (RFC 8259: UTF-8) */
	assert_true(tu_json_valid(b.data, b.len));
	/* a byte that is not UTF-8 reads back as the text \xNN, as in every
	 * other output (it was U+00E9 once: a real e-acute looked the same) */
	{
		static const tu_query q[] = {
			{ "d[\"latin1\"]", "caf\\xe9.c" },
			{ "d[\"cut\"]", "\\xc3" },
		};

		assert_json_queries(b.data, b.len, q);
	}
	ap_buf_free(&b);
}

static void xml_escape(void **state)
{
	ap_buf b = AP_BUF_INIT;

	(void)state;
	ap_xml_escape(&b, "a&b<c>d\"e'f\ng\th\x01i\x1b");
	assert_buf(b, "a&amp;b&lt;c&gt;d&quot;e&apos;f\ng\th\\x01i\\x1b");
	ap_buf_clear(&b);
	ap_xml_escape(&b, NULL);
	ap_xml_escape(&b, "");
	assert_int_equal(b.len, 0);
	ap_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nested_structure_exact),
		cmocka_unit_test(string_escapes),
		cmocka_unit_test(keys_are_escaped_too),
		cmocka_unit_test(deep_nesting_stays_valid),
		cmocka_unit_test(two_documents_in_one_buffer),
		cmocka_unit_test(invalid_utf8_stays_valid_json),
		cmocka_unit_test(xml_escape),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
