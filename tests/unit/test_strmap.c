/* test_strmap.c - the string-keyed map (strmap.h): lookups, replacement,
 * owned key copies, and growth far past the first table. */
#include "testutil.h"

#include "strmap.h"

static void empty_map(void **state)
{
	ap_strmap m = AP_STRMAP_INIT;

	(void)state;
	assert_null(ap_strmap_get(&m, "x"));
	assert_null(ap_strmap_get(&m, ""));
	ap_strmap_free(&m);
}

static void put_get_replace(void **state)
{
	ap_strmap m = AP_STRMAP_INIT;
	int a = 1, b = 2, c = 3;

	(void)state;
	assert_int_equal(ap_strmap_put(&m, "src/sysmem.c", &a), 0);
	assert_int_equal(ap_strmap_put(&m, "src/system.c", &b), 0);
	assert_int_equal(ap_strmap_put(&m, "", &c), 0);
	assert_int_equal(m.n, 3);
	assert_ptr_equal(ap_strmap_get(&m, "src/sysmem.c"), &a);
	assert_ptr_equal(ap_strmap_get(&m, "src/system.c"), &b);
	assert_ptr_equal(ap_strmap_get(&m, ""), &c);
	assert_null(ap_strmap_get(&m, "src/sysmem"));
	assert_null(ap_strmap_get(&m, "src/sysmem.c "));
	assert_int_equal(ap_strmap_put(&m, "src/sysmem.c", &c), 0);
	assert_int_equal(m.n, 3);
	assert_ptr_equal(ap_strmap_get(&m, "src/sysmem.c"), &c);
	ap_strmap_free(&m);
	assert_int_equal(m.n, 0);
	assert_null(ap_strmap_get(&m, "src/system.c"));
}

static void keys_are_copied(void **state)
{
	ap_strmap m = AP_STRMAP_INIT;
	char key[16] = "mutable";
	int v = 7;

	(void)state;
	ap_strmap_put(&m, key, &v);
	strcpy(key, "changed");
	assert_ptr_equal(ap_strmap_get(&m, "mutable"), &v);
	assert_null(ap_strmap_get(&m, "changed"));
	ap_strmap_free(&m);
}

static void many_keys_survive_rehashing(void **state)
{
	ap_strmap m = AP_STRMAP_INIT;
	static long values[5000];
	char key[64];

	(void)state;
	for (long i = 0; i < 5000; i++) {
		values[i] = i;
		snprintf(key, sizeof key, "dir%ld/file%ld.c", i % 17, i);
		assert_int_equal(ap_strmap_put(&m, key, &values[i]), 0);
	}
	assert_int_equal(m.n, 5000);
	assert_true(m.cap >= 5000 * 4 / 3);
	assert_int_equal(m.cap & (m.cap - 1), 0);
	for (long i = 0; i < 5000; i++) {
		long *got;

		snprintf(key, sizeof key, "dir%ld/file%ld.c", i % 17, i);
		got = ap_strmap_get(&m, key);
		assert_non_null(got);
		assert_int_equal(*got, i);
	}
	assert_null(ap_strmap_get(&m, "dir0/file5000.c"));
	ap_strmap_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_map),
		cmocka_unit_test(put_get_replace),
		cmocka_unit_test(keys_are_copied),
		cmocka_unit_test(many_keys_survive_rehashing),
	};

	return cmocka_run_group_tests_name("strmap", tests, NULL, NULL);
}
