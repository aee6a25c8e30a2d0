/* test_error.c - ap_error messages (error.h): set formats, sys appends
 * strerror of the errno at the call, wrap prepends context; all return -1
 * so callers can `return ap_error_set(...)`, and a NULL error is allowed;
 * the code a caller branches on. */
#include "testutil.h"

#include "error.h"

static void set_formats_and_returns_minus_one(void **state)
{
	ap_error err = AP_ERROR_INIT;

	(void)state;
	assert_int_equal(ap_error_set(&err, "%s:%d: %s", "p.patch", 12, "hunk ends early"), -1);
	assert_string_equal(err.msg, "p.patch:12: hunk ends early");
	assert_int_equal(ap_error_set(NULL, "ignored %d", 1), -1);
}

static void sys_appends_strerror_and_keeps_errno(void **state)
{
	ap_error err = AP_ERROR_INIT;
	char want[256];

	(void)state;
	snprintf(want, sizeof want, "cannot open x/y: %s", strerror(ENOENT));
	errno = ENOENT;
	assert_int_equal(ap_error_sys(&err, "cannot open %s", "x/y"), -1);
	assert_string_equal(err.msg, want);
	assert_int_equal(errno, ENOENT);
}

/* A code a caller branches on: set and sys say FAILED, set_code names
 * one, wrap keeps it. */
static void codes(void **state)
{
	ap_error err = AP_ERROR_INIT;

	(void)state;
	assert_int_equal(err.code, AP_ERR_NONE);
	ap_error_set(&err, "x");
	assert_int_equal(err.code, AP_ERR_FAILED);
	assert_int_equal(ap_error_set_code(&err, AP_ERR_EDITED, "%s changed", "a.c"), -1);
	assert_string_equal(err.msg, "a.c changed");
	assert_int_equal(err.code, AP_ERR_EDITED);
	ap_error_wrap(&err, "tree");
	assert_int_equal(err.code, AP_ERR_EDITED);
	errno = ENOENT;
	ap_error_sys(&err, "open");
	assert_int_equal(err.code, AP_ERR_FAILED);
	assert_int_equal(ap_error_set_code(NULL, AP_ERR_EDITED, "ignored"), -1);
}

static void wrap_prepends_context(void **state)
{
	ap_error err = AP_ERROR_INIT;

	(void)state;
	ap_error_set(&err, "unknown platform 'cygwn'");
	assert_int_equal(ap_error_wrap(&err, "%s:%zu", "patches/series", (size_t)3), -1);
	assert_string_equal(err.msg, "patches/series:3: unknown platform 'cygwn'");
	assert_int_equal(ap_error_wrap(NULL, "x"), -1);
}

/* a message longer than the buffer is cut, never overflows */
static void long_messages_are_truncated(void **state)
{
	ap_error err = AP_ERROR_INIT;
	char big[6000];

	(void)state;
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ap_error_set(&err, "%s", big);
	assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
	ap_error_wrap(&err, "ctx");
	assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
	assert_prefix(err.msg, "ctx: aaa");
	errno = EIO;
	ap_error_sys(&err, "%s", big);
	assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(set_formats_and_returns_minus_one),
		cmocka_unit_test(sys_appends_strerror_and_keeps_errno),
		cmocka_unit_test(wrap_prepends_context),
		cmocka_unit_test(codes),
		cmocka_unit_test(long_messages_are_truncated),
	};

	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
