/* test_condarecipe.c - a conda recipe's patch list (condarecipe.h): the
 * shapes conda-forge recipes use (block and flow lists, quotes, selectors
 * on items and on the key, a list of sources), what is not the list
 * (patches: under build:, comments, Jinja at the top), and what is refused
 * (Jinja inside the list) with the line named. */
#include "testutil.h"

#include "condarecipe.h"

static ap_conda_list cl;

static void recipe_ok(const char *text, ap_conda_patch **v, size_t *n)
{
	ap_error err = AP_ERROR_INIT;

	if (ap_conda_patches_parse(text, strlen(text), "r/meta.yaml", &cl, &err) < 0)
		fail_msg("parse failed: %s", err.msg);
	*v = cl.v;
	*n = cl.n;
}

static void recipe_done(void)
{
	ap_conda_patches_free(&cl);
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
	recipe_done();
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
		"    patches: [three.patch, \"four.patch\"]  # a flow list, a comment\n"
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
	assert_int_equal(v[3].lineno, 7);
	recipe_done();
}

/* conda-build's sel_pat (metadata.py): the last [...] after the first '#',
 * words around it, no '(' or ')' after it; or a [...] ending the line.
 * The expected selectors are what Python's re gives for each line. */
static void selectors_by_conda_builds_rule(void **state)
{
	static const char text[] =
		"source:\n"
		"  url: https://example/x.tar.gz\n"
		"  patches:\n"
		"    - patches/pool-cygwin.patch      # Windows pool fix [win]\n"
		"    - main-all.patch                 # [osx] see gh-12\n"
		"    - bare.patch [linux]\n"
		"    - two.patch  # [win] or rather [osx]\n"
		"    - link.patch  # see [the docs](https://example/x)\n"
		"    - paren.patch  # [win] (see gh-1)\n"
		"    - 'quoted.patch'  # note [cygwin]\n"
		"    - plain.patch  # a note\n";
	ap_conda_patch *v;
	size_t n;

	(void)state;
	recipe_ok(text, &v, &n);
	assert_int_equal(n, 8);
	assert_string_equal(v[0].name, "patches/pool-cygwin.patch");
	assert_string_equal(v[0].selector, "win");
	assert_string_equal(v[1].name, "main-all.patch");
	assert_string_equal(v[1].selector, "osx");
	assert_string_equal(v[2].name, "bare.patch");
	assert_string_equal(v[2].selector, "linux");
	assert_string_equal(v[3].name, "two.patch");
	assert_string_equal(v[3].selector, "osx");
	assert_string_equal(v[4].name, "link.patch");
	assert_null(v[4].selector);
	assert_string_equal(v[5].name, "paren.patch");
	assert_null(v[5].selector);
	assert_string_equal(v[6].name, "quoted.patch");
	assert_string_equal(v[6].selector, "cygwin");
	assert_string_equal(v[7].name, "plain.patch");
	assert_null(v[7].selector);
	/* what is not read as a selector, though it has a '[' in its comment */
	assert_int_equal(cl.nw, 2);
	assert_int_equal(cl.w[0].lineno, 8);
	assert_int_equal(cl.w[1].lineno, 9);
	assert_non_null(strstr(cl.w[0].what, "not a selector"));
	recipe_done();
}

/* a selector on the source: line, or on a source's first line, is its
 * patches' too (conda-build drops that line with what it opens) */
static void selector_on_the_source(void **state)
{
	static const char text[] =
		"package:\n  name: x\n"
		"source:  # [win]\n"
		"  url: https://example/x-win.zip\n"
		"  patches:\n"
		"    - patches/pool-cygwin.patch\n"
		"source:  # [not win]\n"
		"  url: https://example/x.tar.gz\n"
		"  patches:\n"
		"    - main-all.patch  # [osx]\n"
		"outputs:\n"
		"  - name: y\n"
		"source:\n"
		"- url: a  # [linux]\n"
		"  folder: .\n"
		"  patches:\n"
		"  - a.patch\n"
		"- url: b\n"
		"  folder: b\n"
		"- url: c\n"
		"  patches: [c.patch]  # [osx]\n";
	ap_conda_patch *v;
	size_t n;

	(void)state;
	recipe_ok(text, &v, &n);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].name, "patches/pool-cygwin.patch");
	assert_string_equal(v[0].selector, "win");
	assert_string_equal(v[1].name, "main-all.patch");
	assert_string_equal(v[1].selector, "(not win) and (osx)");
	assert_string_equal(v[2].name, "a.patch");
	assert_string_equal(v[2].selector, "linux");
	assert_string_equal(v[3].name, "c.patch");
	assert_string_equal(v[3].selector, "osx");
	recipe_done();
}

static void no_patches_is_empty(void **state)
{
	ap_conda_patch *v;
	size_t n;

	(void)state;
	recipe_ok("package:\n  name: x\nsource:\n  url: x\n", &v, &n);
	assert_int_equal(n, 0);
	recipe_done();
	recipe_ok("", &v, &n);
	assert_int_equal(n, 0);
	recipe_done();
}

static void jinja_in_the_list_refused(void **state)
{
	static const char *const bad[] = {
		"source:\n  patches:\n    - a.patch\n    {% if win %}\n    - b.patch\n    {% endif %}\n",
		"source:\n  patches:\n    - {{ name }}.patch\n",
		"source:\n  patches: a.patch\n",
		"source:\n  patches:\n    -\n",
		"source:\n  patches: [a.patch, b.patch]\n",
		"source:\n  - url: a\n    patches:\n      - a.patch\n    folder: sub/\n  - url: b\n",
		"source:\n  folder: sub  # [win]\n  patches:\n    - a.patch\n",
	};
	static const char *const want[] = {
		"r/meta.yaml:4: a Jinja block inside the patches list",
		"r/meta.yaml:3: '{{ name }}.patch' uses Jinja",
		"r/meta.yaml:2: 'patches:' must be followed by a list",
		"r/meta.yaml:3: an empty entry",
		"r/meta.yaml:2: conda-build reads a '[a.patch, b.patch]' that ends the line as a selector",
		"r/meta.yaml:5: this source is unpacked into 'sub/' (folder: sub), and conda-build "
		"applies its patches (a.patch, line 4) inside that folder",
		"r/meta.yaml:2: a selector on 'folder:' is not supported",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		ap_error err = AP_ERROR_INIT;
		ap_conda_list l;

		assert_int_equal(ap_conda_patches_parse(bad[i], strlen(bad[i]), "r/meta.yaml", &l,
							&err), -1);
		assert_null(l.v);
		assert_int_equal(l.n, 0);
		if (strncmp(err.msg, want[i], strlen(want[i])) != 0)
			fail_msg("case %zu: got '%s'", i, err.msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(block_list_with_selectors),
		cmocka_unit_test(sources_list_and_key_selector),
		cmocka_unit_test(selectors_by_conda_builds_rule),
		cmocka_unit_test(selector_on_the_source),
		cmocka_unit_test(no_patches_is_empty),
		cmocka_unit_test(jinja_in_the_list_refused),
	};

	return cmocka_run_group_tests_name("condarecipe", tests, NULL, NULL);
}
