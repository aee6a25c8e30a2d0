/* test_attribute.c - which checks each patch is needed for (attribute.h):
 * the series copied without one patch (its line and file gone, selectors,
 * comments and the other files kept), the comparison of a variant with the
 * whole (only checks the whole passes count), "unneeded" counted per patch
 * over its targets, the attribution file written and read back (and a bad
 * line named), and the upstream verdicts. */
#include "testutil.h"

#include "attribute.h"
#include "builddir.h"

static ap_check_result check(const char *name, int pass)
{
	ap_check_result c;
	memset(&c, 0, sizeof c);
	c.name = (char *)name;
	c.pass = pass;
	return c;
}

static ap_target target(const char *platform, const char *mode, ap_check_result *c, size_t n)
{
	ap_target t;
	memset(&t, 0, sizeof t);
	t.platform = (char *)platform;
	t.mode = mode;
	t.checks = c;
	t.nchecks = n;
	return t;
}

static void series_without(void **state)
{
	(void)state;
	char *d = tu_mkdtemp();
	char *src = ap_printf("%s/p", d), *dst = ap_printf("%s/q", d);
	tu_write(src, "series", "# a comment\nfirst.patch -p1\ncygwin/b.patch -p1 # [cygwin]\n"
				"  cygwin/b.patch.orig\nlast.patch\n");
	tu_write(src, "first.patch", "1");
	tu_write(src, "cygwin/b.patch", "2");
	tu_write(src, "last.patch", "3");
	tu_write(src, "attribution", "old");
	tu_write(dst, "stale", "x");
	ap_error err = AP_ERROR_INIT;
	assert_int_equal(ap_series_without(src, "cygwin/b.patch", dst, &err), 0);
	size_t len;
	char *s = tu_read(dst, "series", &len);
	assert_string_equal(s, "# a comment\nfirst.patch -p1\n  cygwin/b.patch.orig\nlast.patch\n");
	free(s);
	assert_true(tu_exists(dst, "first.patch"));
	assert_true(tu_exists(dst, "last.patch"));
	assert_false(tu_exists(dst, "cygwin/b.patch"));
	assert_false(tu_exists(dst, "attribution"));
	assert_false(tu_exists(dst, "stale"));
	/* a missing series directory is named */
	char *none = ap_printf("%s/none", d);
	assert_int_equal(ap_series_without(none, "x", dst, &err), -1);
	assert_contains(err.msg, "/none: cannot read the series directory");
	free(none);
	free(src);
	free(dst);
	tu_rmrf(d);
}

/* a conda recipe as the series (red-team 3 T6): meta.yaml without the
 * entry's line; a flow list's entry is refused with its line */
static void series_without_recipe(void **state)
{
	(void)state;
	char *d = tu_mkdtemp();
	char *src = ap_printf("%s/p", d), *dst = ap_printf("%s/q", d);
	tu_write(src, "meta.yaml", "package:\n  name: x\nsource:\n  patches:\n    - a.patch\n"
				   "    - cygwin/b.patch  # [cygwin]\n    - c.patch\n");
	tu_write(src, "a.patch", "1");
	tu_write(src, "cygwin/b.patch", "2");
	tu_write(src, "c.patch", "3");
	ap_error err = AP_ERROR_INIT;
	assert_int_equal(ap_series_without(src, "cygwin/b.patch", dst, &err), 0);
	size_t len;
	char *s = tu_read(dst, "meta.yaml", &len);
	assert_string_equal(s, "package:\n  name: x\nsource:\n  patches:\n    - a.patch\n"
			       "    - c.patch\n");
	free(s);
	assert_false(tu_exists(dst, "series"));
	assert_true(tu_exists(dst, "a.patch"));
	assert_false(tu_exists(dst, "cygwin/b.patch"));
	tu_write(src, "meta.yaml", "source:\n  patches: [a.patch, c.patch]  # two\n");
	assert_int_equal(ap_series_without(src, "c.patch", dst, &err), -1);
	assert_contains(err.msg, "p/meta.yaml:2: c.patch shares its line with other patches");
	free(src);
	free(dst);
	tu_rmrf(d);
}

static void compare(void **state)
{
	(void)state;
	ap_check_result w[] = { check("a", 1), check("b", 1), check("c", 0), check("d", 1) };
	ap_check_result v[] = { check("a", 1), check("b", 0), check("c", 0) };
	ap_target whole = target("cygwin", "emulated", w, 4);
	ap_target var = target("cygwin", "emulated", v, 3);
	ap_attribution a;
	memset(&a, 0, sizeof a);
	ap_patch_attr *p = ap_attribution_add(&a, "x.patch", "cygwin", "emulated");
	assert_int_equal(ap_attr_compare(p, &whole, &var), 0);
	/* b fails without it; c failed anyway; d was not measured without it */
	assert_int_equal(p->nneeded, 2);
	assert_string_equal(p->needed_for[0], "b");
	assert_string_equal(p->needed_for[1], "d");
	assert_string_equal(p->verdict, AP_VERDICT_NEEDED);

	p = ap_attribution_add(&a, "y.patch", "cygwin", "emulated");
	assert_int_equal(ap_attr_compare(p, &whole, &whole), 0);
	assert_string_equal(p->verdict, AP_VERDICT_UNNEEDED);
	/* y is unneeded on cygwin but needed on linux: not unneeded */
	p = ap_attribution_add(&a, "y.patch", "linux", "native");
	assert_int_equal(ap_attr_compare(p, &whole, &var), 0);
	p = ap_attribution_add(&a, "z.patch", "cygwin", "emulated");
	assert_int_equal(ap_attr_compare(p, &whole, &whole), 0);
	p = ap_attribution_add(&a, "z.patch", "linux", "native");
	assert_int_equal(ap_attr_compare(p, &whole, &whole), 0);
	/* a variant that could not run is not measured, never unneeded */
	ap_target broken = target("cygwin", "emulated", NULL, 0);
	broken.error = (char *)"probe failed";
	p = ap_attribution_add(&a, "u.patch", "cygwin", "emulated");
	assert_int_equal(ap_attr_compare(p, &whole, &broken), 0);
	assert_string_equal(p->verdict, AP_VERDICT_UNMEASURED);
	assert_string_equal(p->error, "probe failed");

	char **names;
	size_t n;
	assert_int_equal(ap_attribution_unneeded(&a, &names, &n), 1);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "z.patch");
	ap_strv_free(names, n);
	ap_attribution_free(&a);
}

static void file_round_trip(void **state)
{
	(void)state;
	char *d = tu_mkdtemp();
	ap_attribution a;
	memset(&a, 0, sizeof a);
	a.measured_on = ap_strdup("gap-4.10.2 dir:sha256:00");
	ap_patch_attr *p = ap_attribution_add(&a, "cygwin/pool.patch", "cygwin", "emulated");
	ap_strv_add(&p->needed_for, &p->nneeded, "pool.mmap.flags");
	ap_strv_add(&p->needed_for, &p->nneeded, "pool.commit");
	ap_attribution_add(&a, "useless.patch", "linux", "native");
	ap_error err = AP_ERROR_INIT;
	assert_int_equal(ap_attribution_write(&a, d, &err), 0);
	ap_attribution_free(&a);
	size_t len;
	char *text = tu_read(d, "attribution", &len);
	assert_contains(text, "\nmeasured-on gap-4.10.2 dir:sha256:00\n"
			      "cygwin/pool.patch cygwin emulated: pool.mmap.flags pool.commit\n"
			      "useless.patch linux native:\n");
	free(text);

	ap_attribution b;
	memset(&b, 0, sizeof b);
	assert_int_equal(ap_attribution_read(&b, d, &err), 0);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.measured_on, "gap-4.10.2 dir:sha256:00");
	assert_int_equal(b.v[0].nneeded, 2);
	assert_string_equal(b.v[0].needed_for[1], "pool.commit");
	assert_string_equal(b.v[1].mode, "native");

	/* judged on an upstream where the pool checks pass unpatched */
	ap_check_result c[] = { check("pool.mmap.flags", 1), check("pool.commit", 1) };
	ap_target t = target("cygwin", "emulated", c, 2);
	ap_attribution_judge(&b, &t, 1);
	assert_string_equal(b.v[0].verdict, AP_VERDICT_NOT_NEEDED_UPSTREAM);
	assert_string_equal(b.v[1].verdict, AP_VERDICT_UNMEASURED);
	assert_contains(b.v[1].error, "linux (native) was not verified in this run");
	c[1].pass = 0;
	ap_attribution_free(&b);
	memset(&b, 0, sizeof b);
	assert_int_equal(ap_attribution_read(&b, d, &err), 0);
	ap_attribution_judge(&b, &t, 1);
	assert_string_equal(b.v[0].verdict, AP_VERDICT_STILL_NEEDED);
	assert_int_equal(b.v[0].nfailing, 1);
	assert_string_equal(b.v[0].failing[0], "pool.commit");
	ap_buf out = AP_BUF_INIT;
	ap_attribution_text(&out, &b);
	assert_contains(out.data, "cygwin/pool.patch (cygwin emulated): still needed: fails here "
				  "unpatched: pool.commit");
	ap_buf_free(&out);
	ap_attribution_free(&b);

	/* a patch whose check passes only because another is still needed */
	tu_write(d, "attribution", "measured-on x\np.patch cygwin emulated: pool.commit\n"
				   "e.patch cygwin emulated: gmp.fresh_bags\n"
				   "l.patch linux native: pool.mmap.flags\n");
	ap_check_result g[] = { check("pool.commit", 0), check("gmp.fresh_bags", 1) };
	ap_check_result l[] = { check("pool.mmap.flags", 1) };
	ap_target two[] = { target("cygwin", "emulated", g, 2), target("linux", "native", l, 1) };
	memset(&b, 0, sizeof b);
	assert_int_equal(ap_attribution_read(&b, d, &err), 0);
	ap_attribution_judge(&b, two, 2);
	assert_string_equal(b.v[0].verdict, AP_VERDICT_STILL_NEEDED);
	assert_string_equal(b.v[1].verdict, AP_VERDICT_UNDECIDED);
	assert_string_equal(b.v[2].verdict, AP_VERDICT_NOT_NEEDED_UPSTREAM);
	ap_attribution_free(&b);

	/* no file: nothing, no error; a bad line: named */
	char *e = ap_printf("%s/empty", d);
	tu_mkdirs(e);
	memset(&b, 0, sizeof b);
	assert_int_equal(ap_attribution_read(&b, e, &err), 0);
	assert_int_equal(b.n, 0);
	ap_attribution_free(&b);
	tu_write(e, "attribution", "# c\nmeasured-on x\nx.patch cygwin sideways: a\n");
	assert_int_equal(ap_attribution_read(&b, e, &err), -1);
	assert_contains(err.msg, "/attribution:3: mode 'sideways': native or emulated");
	ap_attribution_free(&b);
	tu_write(e, "attribution", "x.patch cygwin\n");
	assert_int_equal(ap_attribution_read(&b, e, &err), -1);
	assert_contains(err.msg, "/attribution:1: not 'PATCH PLATFORM MODE: CHECK...'");
	ap_attribution_free(&b);
	free(e);
	tu_rmrf(d);
}

static void json(void **state)
{
	(void)state;
	ap_attribution a;
	memset(&a, 0, sizeof a);
	a.measured_on = ap_strdup("v4.10.2 git:abc");
	ap_patch_attr *p = ap_attribution_add(&a, "a \"q\".patch", "cygwin", "emulated");
	ap_strv_add(&p->needed_for, &p->nneeded, "gmp.fresh_bags");
	p->verdict = AP_VERDICT_NEEDED;
	ap_buf out = AP_BUF_INIT;
	ap_json j;
	ap_json_init(&j, &out);
	ap_json_begin_object(&j, NULL);
	ap_attribution_json(&j, &a);
	ap_json_end_object(&j);
	assert_true(tu_json_valid(out.data, out.len));
	assert_contains(out.data, "\"needed_for\":[\"gmp.fresh_bags\"]");
	assert_contains(out.data, "\"kind\":\"leave-one-out\"");
	ap_buf_free(&out);
	ap_attribution_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(series_without),
		cmocka_unit_test(series_without_recipe),
		cmocka_unit_test(compare),
		cmocka_unit_test(file_round_trip),
		cmocka_unit_test(json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
