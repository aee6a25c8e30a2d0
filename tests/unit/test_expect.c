/* test_expect.c - the expectations file (expect.h): its parser, with a
 * line-numbered error for each kind of mistake; settings by scope; and
 * the checks against probe results shaped like the measured ones
 * (DESIGN.md's table), including the commit-charge noise allowance and
 * measurements that could not be made. Also the repository's own
 * expectations.conf, and the JSON and JUnit renderings. */
#include "testutil.h"

#include "expect.h"

#include <limits.h>

static void parse_ok_text(ap_expect *e, const char *text)
{
	ap_error err = AP_ERROR_INIT;
	memset(e, 0, sizeof(*e));
	if (ap_expect_parse(e, text, strlen(text), "t.conf", &err) < 0)
		fail_msg("parse failed: %s", err.msg);
}

static void parse_bad(const char *text, const char *msg)
{
	ap_expect e;
	ap_error err = AP_ERROR_INIT;
	memset(&e, 0, sizeof(e));
	assert_int_equal(ap_expect_parse(&e, text, strlen(text), "t.conf", &err), -1);
	assert_contains(err.msg, msg);
	ap_expect_free(&e);
}

static void repository_file_loads(void **state)
{
	ap_expect e;
	ap_error err = AP_ERROR_INIT;
	ap_expect_settings s;

	(void)state;
	if (ap_expect_load(&e, "expectations.conf", &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(ap_expect_has_platform(&e, "linux"));
	assert_true(ap_expect_has_platform(&e, "cygwin"));
	assert_false(ap_expect_has_platform(&e, "darwin"));
	assert_int_equal(ap_expect_settings_for(&e, "cygwin", "emulated", &s, &err), 0);
	assert_string_equal(s.pool, "1g");
	assert_int_equal(s.forks, 4);
	assert_int_equal(s.noise_bytes, 64LL << 20);
	ap_expect_settings_free(&s);
	ap_expect_free(&e);
}

static void parse_errors_name_the_line(void **state)
{
	(void)state;
	parse_bad("[linux]\n\npool.flags has MAP_PRIVATE\n",
		  "t.conf:3: unknown check 'pool.flags' (known: pool.mmap.flags");
	parse_bad("pool.default > 0\n", "t.conf:1: a check before any [platform] section");
	parse_bad("[linux]\npool.default > 3 parsecs\n", "t.conf:2: unknown unit 'parsecs'");
	parse_bad("[linux]\npool.default has MAP_PRIVATE\n", "t.conf:2: pool.default is a size");
	parse_bad("[linux]\npool.vmflags <= 3\n", "t.conf:2: pool.vmflags is a set of flags");
	parse_bad("[atari]\n", "t.conf:1: unknown platform 'atari'");
	parse_bad("[linux sideways]\n", "t.conf:1: unknown mode 'sideways'");
	parse_bad("[linux\n", "t.conf:1: a section header is");
	parse_bad("probe.colour = red\n", "t.conf:1: unknown setting 'probe.colour'");
	parse_bad("probe.forks = many\n", "t.conf:1: probe.forks: 'many'");
	parse_bad("probe.pool = lots\n", "t.conf:1: probe.pool: 'lots'");
	parse_bad("probe.fork_at = later\n", "t.conf:1: probe.fork_at: 'later'");
	parse_bad("[linux]\npool.commit\n", "t.conf:2: pool.commit: no condition");
	parse_bad("[linux]\npool.commit ~ 3\n", "t.conf:2: '~ 3': expected");
	parse_bad("[linux]\npool.commit <= pool*s\n", "at most one of pool or s");
	parse_bad("[linux]\npool.vmflags has\n", "t.conf:2: 'has' names nothing");
	/* red-team 2, R6: sizes past a long long were accepted and wrapped */
	parse_bad("commit.noise = 99999999999 TiB\n[linux]\npool.commit >= pool\n",
		  "t.conf:1: '99999999999 TiB' is too large (the limit is 1 EiB)");
	parse_bad("[linux]\npool.mmap.size >= 99999999999999999999999 TiB\n",
		  "t.conf:2: '99999999999999999999999 TiB' is too large");
	parse_bad("[linux]\npool.mmap.size >= 1024*1024*1024*1024*1024*1024*1024 GiB\n",
		  "t.conf:2: '1024*1024*1024*1024*1024*1024*1024 GiB' is too large");
	parse_bad("[linux]\npool.mmap.size >= 1e400\n", "t.conf:2: '1e400' is too large");
	parse_bad("[linux]\nfork.commit <= forks*forks*forks*forks*forks*forks*forks*forks"
		  "*forks*forks*forks*forks TiB\n", "forks at most once");
}

static void parse_conditions_and_scopes(void **state)
{
	ap_expect e;
	ap_expect_settings s;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	parse_ok_text(&e, "# comment\nprobe.pool = 2g\ncommit.noise = 8 MiB\n"
			  "[cygwin]   # trailing comment\nprobe.forks = 2\n"
			  "pool.mmap.flags has MAP_PRIVATE, MAP_NORESERVE ; lacks MAP_SHARED\n"
			  "[cygwin emulated]\nprobe.fork_at = library\nfork.commit <= 2*forks*64MiB\n"
			  "pool.commit>=pool\n[linux]\npool.default report\n");
	assert_int_equal(e.n, 4);
	assert_string_equal(e.lines[0].check, "pool.mmap.flags");
	assert_int_equal(e.lines[0].nconds, 2);
	assert_int_equal(e.lines[0].conds[0].kind, AP_COND_HAS);
	assert_int_equal(e.lines[0].conds[0].nwords, 2);
	assert_string_equal(e.lines[0].conds[0].words[1], "MAP_NORESERVE");
	assert_int_equal(e.lines[0].conds[1].kind, AP_COND_LACKS);
	assert_null(e.lines[0].mode);
	assert_string_equal(e.lines[1].mode, "emulated");
	assert_int_equal(e.lines[1].conds[0].op, AP_OP_LE);
	assert_int_equal(e.lines[1].conds[0].forks_pow, 1);
	assert_true(e.lines[1].conds[0].number == 2.0 * (64 << 20));
	assert_int_equal(e.lines[2].conds[0].op, AP_OP_GE);
	assert_int_equal(e.lines[2].conds[0].pool_pow, 1);
	assert_int_equal(e.lines[3].conds[0].kind, AP_COND_REPORT);
	assert_int_equal(e.lines[3].lineno, 12);

	assert_int_equal(ap_expect_settings_for(&e, "cygwin", "emulated", &s, &err), 0);
	assert_string_equal(s.pool, "2g");
	assert_int_equal(s.forks, 2);
	assert_true(s.fork_at_library);
	assert_int_equal(s.noise_bytes, 8LL << 20);
	ap_expect_settings_free(&s);
	/* the native mode and another platform do not see those settings */
	assert_int_equal(ap_expect_settings_for(&e, "cygwin", "native", &s, &err), 0);
	assert_int_equal(s.forks, 2);
	assert_false(s.fork_at_library);
	ap_expect_settings_free(&s);
	assert_int_equal(ap_expect_settings_for(&e, "linux", "native", &s, &err), 0);
	assert_int_equal(s.forks, 4);
	ap_expect_settings_free(&s);
	ap_expect_free(&e);
}

static void sizes_parse_and_format(void **state)
{
	ap_buf b = AP_BUF_INIT;

	(void)state;
	assert_int_equal(ap_size_parse("1g"), 1LL << 30);
	assert_int_equal(ap_size_parse("512m"), 512LL << 20);
	assert_int_equal(ap_size_parse("64k"), 64LL << 10);
	assert_int_equal(ap_size_parse("4096"), 4096);
	assert_int_equal(ap_size_parse("2GiB"), 2LL << 30);
	assert_int_equal(ap_size_parse("-1g"), -1);
	assert_int_equal(ap_size_parse("1x"), -1);
	assert_int_equal(ap_size_parse(""), -1);
	ap_size_format(2147487744LL, &b);
	assert_buf(b, "2048 MiB + 4 KiB");
	ap_buf_clear(&b);
	ap_size_format(4LL << 30, &b);
	assert_buf(b, "4096 MiB");
	ap_buf_clear(&b);
	ap_size_format(-(24LL << 10), &b);
	assert_buf(b, "-24 KiB");
	ap_buf_clear(&b);
	ap_size_format(1536000, &b);
	assert_buf(b, "1.5 MiB");
	ap_buf_clear(&b);
	ap_size_format(LLONG_MIN, &b);   /* no negation of LLONG_MIN (UBSan) */
	assert_buf(b, "-8796093022208 MiB");
	ap_buf_clear(&b);
	ap_size_format(0, &b);
	assert_buf(b, "0 B");
	ap_buf_free(&b);
}

/* --- evaluation --------------------------------------------------------------- */

/* A pool run like the measured ones: 2 GiB + a page at 16 TiB. */
static void fake_run(ap_probe_result *r, int noreserve)
{
	memset(r, 0, sizeof(*r));
	r->command = ap_strdup("gap -q -s 1g");
	r->pool_found = 1;
	r->pool.hint = r->pool.addr = 0x100000000000ULL;
	r->pool.len = 0x80001000ULL;
	r->pool.prot = 3;
	r->pool.flags = noreserve ? 0x4022 : 0x22;
	r->vma_found = 1;
	r->vma.start = r->pool.addr;
	r->vma.end = r->pool.addr + r->pool.len;
	r->vma.vmflags = ap_strdup(noreserve ? "rd wr mr mw me nr" : "rd wr mr mw me ac");
	r->commit_before_kb = 300000;
	r->commit_after_kb = 300000 + (noreserve ? 24 : 2097156);
	r->forks_wanted = r->forks_made = 4;
	r->fork_before_kb = 400000;
	r->fork_after_kb = 400000 + (noreserve ? 1500 : 4 * 2097600);
}

static void fake_default(ap_probe_result *r, unsigned long long len)
{
	memset(r, 0, sizeof(*r));
	r->command = ap_strdup("gap -q");
	r->pool_found = len != 0;
	r->pool.len = len;
	r->stopped = ap_strdup("exit_group(0) before GAP read its library");
}

/* gmp.fresh_bags: what the workload run under the Cygwin model did */
static ap_workload_result workload_right = { (char *)"gap -q -A -m 64m", 1, 0, NULL, 0,
					     NULL, NULL, 1 };
static const ap_workload_result *fake_workload = &workload_right;

typedef struct outcome {
	ap_check_result *v;
	size_t n;
} outcome;

static void evaluate(outcome *o, const ap_expect *e, const char *platform, const char *mode,
		     const ap_probe_result *pool, const ap_probe_result *def, long long noise)
{
	ap_measures m;
	ap_error err = AP_ERROR_INIT;
	memset(&m, 0, sizeof(m));
	m.pool_run = pool;
	m.default_run = def;
	m.s_bytes = 1ULL << 30;
	m.noise_bytes = noise;
	m.workload = fake_workload;
	o->v = NULL;
	o->n = 0;
	assert_int_equal(ap_expect_evaluate(e, platform, mode, &m, &o->v, &o->n, &err), 0);
}

static const ap_check_result *find(const outcome *o, const char *name)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->v[i].name, name) == 0)
			return &o->v[i];
	fail_msg("no check %s", name);
	return NULL;
}

static int all_pass(const outcome *o)
{
	for (size_t i = 0; i < o->n; i++)
		if (!o->v[i].pass)
			return 0;
	return o->n > 0;
}

static void unpatched_passes_linux_fails_cygwin(void **state)
{
	ap_expect e;
	ap_error err = AP_ERROR_INIT;
	ap_probe_result pool, def, def0;
	outcome lin, cyg;

	(void)state;
	assert_int_equal(ap_expect_load(&e, "expectations.conf", &err), 0);
	fake_run(&pool, 0);
	fake_default(&def, 0x100001000ULL);
	fake_default(&def0, 0);
	evaluate(&lin, &e, "linux", "native", &pool, &def, 32 << 20);
	assert_true(all_pass(&lin));
	assert_int_equal(lin.n, 7);
	/* report only: passes though no libgap driver was run here */
	assert_true(find(&lin, "libgap.fork.commit")->pass);
	assert_contains(find(&lin, "libgap.fork.commit")->measured,
			"not measured: no libgap driver was built and run");
	assert_contains(find(&lin, "pool.mmap.flags")->measured, "MAP_PRIVATE|MAP_ANONYMOUS, "
								 "PROT_READ|PROT_WRITE, 2048 MiB "
								 "+ 4 KiB at 0x100000000000");
	assert_contains(find(&lin, "pool.commit")->measured, "+2097156 kB");
	assert_contains(find(&lin, "pool.commit")->expected, ">= pool = 2048 MiB + 4 KiB");

	/* an unpatched GAP built for Cygwin: no NORESERVE, no default pool */
	evaluate(&cyg, &e, "cygwin", "emulated", &pool, &def0, 32 << 20);
	assert_false(find(&cyg, "pool.mmap.flags")->pass);
	assert_false(find(&cyg, "pool.vmflags")->pass);
	assert_false(find(&cyg, "pool.commit")->pass);
	assert_false(find(&cyg, "fork.commit")->pass);
	assert_false(find(&cyg, "pool.default")->pass);
	assert_contains(find(&cyg, "pool.default")->measured, "0: no pool mapped");
	assert_true(find(&cyg, "pool.mmap.size")->pass);
	/* the native-only check is not asked of the emulation */
	for (size_t i = 0; i < cyg.n; i++)
		assert_string_not_equal(cyg.v[i].name, "pool.winstate");
	ap_check_results_free(lin.v, lin.n);
	ap_check_results_free(cyg.v, cyg.n);
	ap_probe_result_free(&pool);
	ap_probe_result_free(&def);
	ap_probe_result_free(&def0);
	ap_expect_free(&e);
}

/* Issue 3434: the model's run ended in GMP fails, a finished right one
 * passes, one not run is not measured. */
static void gmp_fresh_bags(void **state)
{
	ap_expect e;
	ap_error err = AP_ERROR_INIT;
	ap_probe_result pool, def;
	outcome o;
	ap_workload_result ended = { (char *)"gap -q -A -m 64m", 0, 0, NULL, 0,
				     (char *)"0x7f00 (libgmp.so.10+0x2a0f0, __gmpn_mul_1) touching "
					     "the reserved page at 0x100004001000",
				     NULL, 0 };

	(void)state;
	assert_int_equal(ap_expect_load(&e, "expectations.conf", &err), 0);
	fake_run(&pool, 1);
	fake_default(&def, 0x100001000ULL);
	fake_workload = &ended;
	evaluate(&o, &e, "cygwin", "emulated", &pool, &def, 32 << 20);
	assert_false(find(&o, "gmp.fresh_bags")->pass);
	assert_contains(find(&o, "gmp.fresh_bags")->measured,
			"ended in GMP at 0x7f00 (libgmp.so.10+0x2a0f0, __gmpn_mul_1)");
	assert_true(find(&o, "pool.mmap.flags")->pass);
	ap_check_results_free(o.v, o.n);
	fake_workload = NULL;
	evaluate(&o, &e, "cygwin", "emulated", &pool, &def, 32 << 20);
	assert_false(find(&o, "gmp.fresh_bags")->pass);
	assert_contains(find(&o, "gmp.fresh_bags")->measured, "not measured");
	ap_check_results_free(o.v, o.n);
	fake_workload = &workload_right;
	evaluate(&o, &e, "cygwin", "emulated", &pool, &def, 32 << 20);
	assert_true(find(&o, "gmp.fresh_bags")->pass);
	assert_contains(find(&o, "gmp.fresh_bags")->measured, "finished with the right result");
	ap_check_results_free(o.v, o.n);
	ap_probe_result_free(&pool);
	ap_probe_result_free(&def);
	ap_expect_free(&e);
}

static void patched_passes_cygwin(void **state)
{
	ap_expect e;
	ap_error err = AP_ERROR_INIT;
	ap_probe_result pool, def;
	outcome cyg, lin;

	(void)state;
	assert_int_equal(ap_expect_load(&e, "expectations.conf", &err), 0);
	fake_run(&pool, 1);
	fake_default(&def, 0x100001000ULL);
	evaluate(&cyg, &e, "cygwin", "emulated", &pool, &def, 32 << 20);
	assert_true(all_pass(&cyg));
	assert_contains(find(&cyg, "fork.commit")->measured, "for 4 children (375 KiB each)");
	/* ... and the same binary would fail Linux's expectations */
	evaluate(&lin, &e, "linux", "native", &pool, &def, 32 << 20);
	assert_false(find(&lin, "pool.mmap.flags")->pass);
	assert_false(find(&lin, "pool.commit")->pass);
	assert_true(find(&lin, "fork.commit")->pass);   /* report only */
	ap_check_results_free(cyg.v, cyg.n);
	ap_check_results_free(lin.v, lin.n);
	ap_probe_result_free(&pool);
	ap_probe_result_free(&def);
	ap_expect_free(&e);
}

static void noise_allowance_applies_to_commit_only(void **state)
{
	ap_expect e;
	ap_probe_result pool;
	outcome o;

	(void)state;
	parse_ok_text(&e, "[linux]\npool.commit <= 0\nfork.commit == 4 MiB\npool.mmap.size <= 2 GiB\n");
	fake_run(&pool, 1);
	pool.commit_after_kb = pool.commit_before_kb + 20 * 1024;   /* +20 MiB of noise */
	pool.fork_after_kb = pool.fork_before_kb + 4096 + 8 * 1024;
	evaluate(&o, &e, "linux", "native", &pool, NULL, 32 << 20);
	assert_true(find(&o, "pool.commit")->pass);
	assert_true(find(&o, "fork.commit")->pass);
	assert_contains(find(&o, "pool.commit")->expected, "(noise allowance 32 MiB)");
	/* the pool size is exact: 2 GiB + 4 KiB is more than 2 GiB */
	assert_false(find(&o, "pool.mmap.size")->pass);
	ap_check_results_free(o.v, o.n);
	/* a tighter allowance */
	evaluate(&o, &e, "linux", "native", &pool, NULL, 16 << 20);
	assert_false(find(&o, "pool.commit")->pass);
	assert_true(find(&o, "fork.commit")->pass);
	ap_check_results_free(o.v, o.n);
	evaluate(&o, &e, "linux", "native", &pool, NULL, 4 << 20);
	assert_false(find(&o, "fork.commit")->pass);
	ap_check_results_free(o.v, o.n);
	ap_probe_result_free(&pool);
	ap_expect_free(&e);
}

/* red-team 2, R6: the largest sizes allowed are kept as they are, and a
 * bound past a long long is shown without a cast (UBSan aborted there). */
static void largest_sizes_stay_exact(void **state)
{
	ap_expect e;
	ap_expect_settings s;
	ap_error err = AP_ERROR_INIT;
	ap_probe_result pool;
	outcome o;

	(void)state;
	parse_ok_text(&e, "commit.noise = 1048576 TiB\nprobe.forks = 64\n[linux]\n"
			  "pool.commit >= pool\nfork.commit <= forks*pool*1048576 TiB\n");
	assert_int_equal(ap_expect_settings_for(&e, "linux", "native", &s, &err), 0);
	assert_true(s.noise_bytes == 1LL << 60);
	ap_expect_settings_free(&s);
	fake_run(&pool, 1);
	evaluate(&o, &e, "linux", "native", &pool, NULL, 1LL << 60);
	/* a 1 EiB allowance lets every commit check pass, never turns negative */
	assert_true(find(&o, "pool.commit")->pass);
	assert_contains(find(&o, "pool.commit")->expected, "(noise allowance 1099511627776 MiB)");
	assert_true(find(&o, "fork.commit")->pass);
	assert_contains(find(&o, "fork.commit")->expected, "e+");
	ap_check_results_free(o.v, o.n);
	ap_probe_result_free(&pool);
	ap_expect_free(&e);
}

static void unmeasured_checks_fail_unless_report_only(void **state)
{
	ap_expect e;
	ap_probe_result pool;
	outcome o;

	(void)state;
	parse_ok_text(&e, "[linux]\npool.mmap.flags lacks MAP_NORESERVE\npool.vmflags lacks nr\n"
			  "fork.commit <= 1 GiB\npool.commit report\npool.default > 0\n"
			  "pool.winstate has reserved\npool.mmap.size >= pool\n");
	memset(&pool, 0, sizeof(pool));
	pool.command = ap_strdup("gap -q -s 1g");
	pool.stopped = ap_strdup("exit_group(1) before GAP read its library");
	pool.forks_wanted = 4;
	pool.fork_error = ap_strdup("no pool was mapped, so nothing to fork with");
	evaluate(&o, &e, "linux", "native", &pool, NULL, 0);
	assert_false(find(&o, "pool.mmap.flags")->pass);
	assert_contains(find(&o, "pool.mmap.flags")->measured,
			"no pool mmap seen (exit_group(1) before GAP read its library; gap -q -s 1g)");
	assert_false(find(&o, "pool.vmflags")->pass);
	assert_false(find(&o, "fork.commit")->pass);
	assert_contains(find(&o, "fork.commit")->measured, "not measured: no pool was mapped");
	assert_true(find(&o, "pool.commit")->pass);
	assert_false(find(&o, "pool.default")->pass);
	assert_contains(find(&o, "pool.default")->measured, "not measured");
	assert_false(find(&o, "pool.winstate")->pass);
	assert_contains(find(&o, "pool.winstate")->measured, "native Cygwin host only");
	assert_false(find(&o, "pool.mmap.size")->pass);
	ap_check_results_free(o.v, o.n);
	ap_probe_result_free(&pool);
	ap_expect_free(&e);
}

static void winstate_words(void **state)
{
	ap_expect e;
	ap_probe_result pool;
	outcome o;

	(void)state;
	parse_ok_text(&e, "[cygwin native]\npool.winstate has reserved\n"
			  "[cygwin]\npool.winstate lacks committed\n");
	fake_run(&pool, 1);
	pool.win_found = 1;
	pool.win_base = 0x100000000000ULL;
	pool.win_size = 4ULL << 30;
	pool.win_committed = 64ULL << 20;
	pool.win_reserved = pool.win_size - pool.win_committed;
	evaluate(&o, &e, "cygwin", "native", &pool, NULL, 0);
	assert_int_equal(o.n, 2);
	assert_true(o.v[0].pass);
	assert_false(o.v[1].pass);
	assert_contains(o.v[0].measured, "64 MiB committed, 4032 MiB reserved");
	ap_check_results_free(o.v, o.n);
	ap_probe_result_free(&pool);
	ap_expect_free(&e);
}

/* --- rendering ------------------------------------------------------------------- */

static void render_json_and_junit(void **state)
{
	ap_target t[2];
	ap_buf out = AP_BUF_INIT;

	(void)state;
	memset(t, 0, sizeof(t));
	t[0].platform = ap_strdup("cygwin");
	t[0].mode = "emulated";
	t[0].binary = ap_strdup("build-gap/gap-cygwin-emulated");
	t[0].checks = calloc(2, sizeof(*t[0].checks));
	t[0].nchecks = 2;
	t[0].checks[0].name = ap_strdup("pool.mmap.flags");
	t[0].checks[0].expected = ap_strdup("has MAP_NORESERVE");
	t[0].checks[0].measured = ap_strdup("MAP_PRIVATE|MAP_ANONYMOUS <\"&>");
	t[0].checks[1].name = ap_strdup("pool.default");
	t[0].checks[1].expected = ap_strdup("> 0");
	t[0].checks[1].measured = ap_strdup("4096 MiB");
	t[0].checks[1].pass = 1;
	ap_target_note(&t[0], "rebuilt with %s: %s", "SYS_IS_CYGWIN32", "src/sysmem.c");
	ap_target_settle(&t[0]);
	assert_string_equal(t[0].status, "fail");
	t[1].platform = ap_strdup("linux");
	t[1].mode = "native";
	t[1].error = ap_strdup("make failed (exit 2); see build-gap/linux/build.log");
	t[1].status = ap_strdup("error");
	ap_target_settle(&t[1]);
	assert_string_equal(t[1].status, "error");

	assert_int_equal(ap_verify_render(&out, t, 2, AP_FORMAT_JSON, 0), 0);
	assert_true(tu_json_valid(out.data, out.len));
	const tu_query q[] = {
		{ "d['targets'][0]['checks'][0]['pass']", "False" },
		{ "d['targets'][0]['checks'][0]['measured']", "MAP_PRIVATE|MAP_ANONYMOUS <\"&>" },
		{ "d['targets'][0]['mode']", "emulated" },
		{ "d['targets'][0]['notes'][0]", "rebuilt with SYS_IS_CYGWIN32: src/sysmem.c" },
		{ "d['targets'][1]['status']", "error" },
		{ "d['targets'][1]['checks']", "[]" },
	};
	assert_json_queries(out.data, out.len, q);
	ap_buf_clear(&out);
	assert_int_equal(ap_verify_render(&out, t, 2, AP_FORMAT_JUNIT, 0), 0);
	assert_contains(out.data, "<testsuites name=\"verify\" tests=\"3\" failures=\"1\" errors=\"1\">");
	const tu_query x[] = {
		{ "len(d.getElementsByTagName('testcase'))", "3" },
		{ "d.getElementsByTagName('failure')[0].getAttribute('message')",
		  "expected has MAP_NORESERVE" },
	};
	assert_xml_queries(out.data, out.len, x);
	assert_contains(out.data, "<failure message=\"expected has MAP_NORESERVE\">measured: "
				  "MAP_PRIVATE|MAP_ANONYMOUS &lt;&quot;&amp;&gt;</failure>");
	ap_buf_clear(&out);
	assert_int_equal(ap_verify_render(&out, t, 2, AP_FORMAT_TEXT, 0), 0);
	assert_contains(out.data, "cygwin (emulated): fail\n");
	assert_contains(out.data, "  FAIL pool.mmap.flags\n       expected: has MAP_NORESERVE\n");
	assert_contains(out.data, "linux (native): error\n  error: make failed");
	assert_int_equal(ap_verify_render(&out, t, 2, AP_FORMAT_GITHUB, 0), -1);
	ap_buf_free(&out);
	ap_target_free(&t[0]);
	ap_target_free(&t[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(repository_file_loads),
		cmocka_unit_test(parse_errors_name_the_line),
		cmocka_unit_test(parse_conditions_and_scopes),
		cmocka_unit_test(sizes_parse_and_format),
		cmocka_unit_test(unpatched_passes_linux_fails_cygwin),
		cmocka_unit_test(patched_passes_cygwin),
		cmocka_unit_test(gmp_fresh_bags),
		cmocka_unit_test(noise_allowance_applies_to_commit_only),
		cmocka_unit_test(largest_sizes_stay_exact),
		cmocka_unit_test(unmeasured_checks_fail_unless_report_only),
		cmocka_unit_test(winstate_words),
		cmocka_unit_test(render_json_and_junit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
