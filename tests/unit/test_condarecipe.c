/* test_condarecipe.c - a conda recipe's patch list (condarecipe.h): the
 * shapes conda-forge recipes use (block and flow lists, quotes, selectors
 * on items and on the key, a list of sources), what is not the list
 * (patches: under build:, comments, Jinja at the top), and what is refused
 * (Jinja inside the list) with the line named. */
#include "testutil.h"

#include "condarecipe.h"

static void recipe_ok(const char *text, ap_conda_patch **v, size_t *n)
{
	ap_error err = AP_ERROR_INIT;

	if (ap_conda_patches_parse(text, strlen(text), "r/meta.yaml", v, n, &err) < 0)
		fail_msg("parse failed: %s", err.msg);
}

static void block_list_with_selectors(void **state)
{
	static const char text[] =
		"{% set version = \"4.10.2\" %}\n"
		"package:\n  name: gap\n  version: {{ version }}\n\n"
		"source:\n"
		"  url: https://example.org/gap-{{ version }}.tar.gz  # [not win]\n"
		"  sha256: 00\n"
		"  patches:\n"
		"    # the pool patch\n"
		"    - patches/pool.patch   # [cygwin or win]\n"
		"    - 'quoted one.patch'\n"
		"\n"
		"    - \"dq.patch\"  # [linux and not aarch64]\r\n"
		"    - hash#inname.patch\n"
		"build:\n"
		"  number: 0\n"
		"  patches:\n"
		"    - not-a-source-patch.patch\n";
	ap_conda_patch *v;
	size_t n;

	(void)state;
	recipe_ok(text, &v, &n);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].name, "patches/pool.patch");
	assert_string_equal(v[0].selector, "cygwin or win");
	assert_int_equal(v[0].lineno, 11);
	assert_string_equal(v[1].name, "quoted one.patch");
	assert_null(v[1].selector);
	assert_string_equal(v[2].name, "dq.patch");
	assert_string_equal(v[2].selector, "linux and not aarch64");
	assert_int_equal(v[2].lineno, 14);
	assert_string_equal(v[3].name, "hash#inname.patch");
	ap_conda_patches_free(v, n);
}

/* a list of sources, each with patches; items at the key's own column; a
 * selector on the patches: line joins each item's */
static void sources_list_and_key_selector(void **state)
{
	static const char text[] =
		"source:\n"
		"  - url: a.tar.gz\n"
		"    patches:   # [win]\n"
		"    - one.patch  # [arm64]\n"
		"    - two.patch\n"
		"  - url: b.tar.gz\n"
		"    folder: b\n"
		"    patches: [three.patch, \"four.patch\"]\n"
		"requirements:\n"
		"  build:\n"
		"    - patch\n";
	ap_conda_patch *v;
	size_t n;

	(void)state;
	recipe_ok(text, &v, &n);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].name, "one.patch");
	assert_string_equal(v[0].selector, "(win) and (arm64)");
	assert_string_equal(v[1].name, "two.patch");
	assert_string_equal(v[1].selector, "win");
	assert_string_equal(v[2].name, "three.patch");
	assert_null(v[2].selector);
	assert_string_equal(v[3].name, "four.patch");
	assert_int_equal(v[3].lineno, 8);
	ap_conda_patches_free(v, n);
}

static void no_patches_is_empty(void **state)
{
	ap_conda_patch *v;
	size_t n;

	(void)state;
	recipe_ok("package:\n  name: x\nsource:\n  url: x\n", &v, &n);
	assert_int_equal(n, 0);
	ap_conda_patches_free(v, n);
	recipe_ok("", &v, &n);
	assert_int_equal(n, 0);
	ap_conda_patches_free(v, n);
}

static void jinja_in_the_list_refused(void **state)
{
	static const char *const bad[] = {
		"source:\n  patches:\n    - a.patch\n    {% if win %}\n    - b.patch\n    {% endif %}\n",
		"source:\n  patches:\n    - {{ name }}.patch\n",
		"source:\n  patches: a.patch\n",
		"source:\n  patches:\n    -\n",
	};
	static const char *const want[] = {
		"r/meta.yaml:4: a Jinja block inside the patches list",
		"r/meta.yaml:3: '{{ name }}.patch' uses Jinja",
		"r/meta.yaml:2: 'patches:' must be followed by a list",
		"r/meta.yaml:3: an empty entry",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		ap_error err = AP_ERROR_INIT;
		ap_conda_patch *v = NULL;
		size_t n = 9;

		assert_int_equal(ap_conda_patches_parse(bad[i], strlen(bad[i]), "r/meta.yaml", &v, &n,
							&err), -1);
		assert_null(v);
		assert_int_equal(n, 0);
		if (strncmp(err.msg, want[i], strlen(want[i])) != 0)
			fail_msg("case %zu: got '%s'", i, err.msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(block_list_with_selectors),
		cmocka_unit_test(sources_list_and_key_selector),
		cmocka_unit_test(no_patches_is_empty),
		cmocka_unit_test(jinja_in_the_list_refused),
	};

	return cmocka_run_group_tests_name("condarecipe", tests, NULL, NULL);
}
