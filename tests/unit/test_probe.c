/* test_probe.c - the probe's parsers and trace state machine (probe.h) on
 * recorded inputs (tests/fixtures/verify): /proc/meminfo, /proc/PID/smaps
 * of an accounted and of a MAP_NORESERVE pool, and the system calls the
 * tracer saw from minigap and from Debian's GAP 4.12. */
#include "testutil.h"

#include "probe.h"

#define FIX "tests/fixtures/verify"

static char *fixture(const char *name, size_t *len)
{
	char *text = tu_read(FIX, name, len);
	if (!text)
		fail_msg("cannot read %s/%s (run the tests from the repository's root)", FIX, name);
	return text;
}

/* --- meminfo ------------------------------------------------------------ */

static void meminfo_reads_committed_as(void **state)
{
	size_t len;
	char *t = fixture("meminfo.txt", &len);
	long long kb = 0, total = 0;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	assert_int_equal(ap_meminfo_get(t, len, "Committed_AS", &kb, &err), 0);
	assert_int_equal(ap_meminfo_get(t, len, "MemTotal", &total, &err), 0);
	assert_true(kb > 0);
	assert_true(total > kb / 100);
	/* a key that is a prefix of another is not confused with it */
	assert_int_equal(ap_meminfo_get(t, len, "Committed", &kb, &err), -1);
	assert_contains(err.msg, "no Committed line");
	free(t);
}

static void meminfo_rejects_garbage(void **state)
{
	long long kb;
	ap_error err = AP_ERROR_INIT;
	const char *t1 = "Committed_AS:   abc kB\n";
	const char *t2 = "Committed_AS:   12 MB\n";
	const char *t3 = "MemTotal: 5 kB\nCommitted_AS: 77 kB";

	(void)state;
	assert_int_equal(ap_meminfo_get(t1, strlen(t1), "Committed_AS", &kb, &err), -1);
	assert_contains(err.msg, "no number");
	assert_int_equal(ap_meminfo_get(t2, strlen(t2), "Committed_AS", &kb, &err), -1);
	assert_contains(err.msg, "unexpected unit");
	/* the last line needs no newline */
	assert_int_equal(ap_meminfo_get(t3, strlen(t3), "Committed_AS", &kb, &err), 0);
	assert_int_equal(kb, 77);
}

static void committed_as_is_live(void **state)
{
	long long kb = 0;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	assert_int_equal(ap_committed_as_kb(&kb, &err), 0);
	assert_true(kb > 0);
}

/* --- smaps ---------------------------------------------------------------- */

static void smaps_finds_accounted_pool(void **state)
{
	size_t len;
	char *t = fixture("smaps-accounted.txt", &len);
	ap_smaps_vma v;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	assert_int_equal(ap_smaps_find(t, len, 0x100000000000ULL, &v, &err), 0);
	assert_int_equal(v.start, 0x100000000000ULL);
	assert_int_equal(v.end, 0x100080001000ULL);
	assert_string_equal(v.perms, "rw-p");
	assert_int_equal(v.size_kb, 2097156);
	assert_string_equal(v.vmflags, "rd wr mr mw me ac");
	assert_true(ap_vmflags_has(v.vmflags, "ac"));
	assert_false(ap_vmflags_has(v.vmflags, "nr"));
	ap_smaps_vma_free(&v);
	/* an address inside the mapping finds it too */
	assert_int_equal(ap_smaps_find(t, len, 0x100000000000ULL + 12345, &v, &err), 0);
	assert_int_equal(v.start, 0x100000000000ULL);
	ap_smaps_vma_free(&v);
	free(t);
}

static void smaps_finds_noreserve_pool(void **state)
{
	size_t len;
	char *t = fixture("smaps-noreserve.txt", &len);
	ap_smaps_vma v;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	assert_int_equal(ap_smaps_find(t, len, 0x100000000000ULL, &v, &err), 0);
	assert_string_equal(v.vmflags, "rd wr mr mw me nr");
	assert_true(ap_vmflags_has(v.vmflags, "nr"));
	assert_false(ap_vmflags_has(v.vmflags, "ac"));
	ap_smaps_vma_free(&v);
	free(t);
}

static void smaps_reports_missing_mapping(void **state)
{
	size_t len;
	char *t = fixture("smaps-accounted.txt", &len);
	ap_smaps_vma v;
	ap_error err = AP_ERROR_INIT;
	const char *notsmaps = "MemTotal: 1 kB\n";
	const char *noflags = "1000-2000 rw-p 00000000 00:00 0\nSize: 4 kB\n"
			      "3000-4000 r--p 00000000 00:00 0\nVmFlags: rd\n";

	(void)state;
	assert_int_equal(ap_smaps_find(t, len, 0x10, &v, &err), -1);
	assert_contains(err.msg, "no mapping contains 0x10");
	assert_int_equal(ap_smaps_find(notsmaps, strlen(notsmaps), 0x10, &v, &err), -1);
	assert_contains(err.msg, "not smaps");
	assert_int_equal(ap_smaps_find(noflags, strlen(noflags), 0x1000, &v, &err), -1);
	assert_contains(err.msg, "has no VmFlags");
	/* the end address is outside */
	assert_int_equal(ap_smaps_find(noflags, strlen(noflags), 0x2000, &v, &err), -1);
	free(t);
}

static void vmflags_match_whole_words(void **state)
{
	(void)state;
	assert_true(ap_vmflags_has("rd wr mr mw me ac ", "ac"));
	assert_true(ap_vmflags_has("nr", "nr"));
	assert_false(ap_vmflags_has("rd wr mr mw me ac", "a"));
	assert_false(ap_vmflags_has("rd wr mr mw me acx", "ac"));
	assert_false(ap_vmflags_has(NULL, "ac"));
	assert_false(ap_vmflags_has("ac", ""));
}

static void mmap_flags_by_name(void **state)
{
	ap_buf b = AP_BUF_INIT;

	(void)state;
	ap_mmap_flags_format(0x22, &b);
	assert_buf(b, "MAP_PRIVATE|MAP_ANONYMOUS");
	ap_buf_clear(&b);
	ap_mmap_flags_format(0x4022, &b);
	assert_buf(b, "MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE");
	ap_buf_clear(&b);
	ap_mmap_flags_format(0x22 | 0x80000000ULL, &b);
	assert_buf(b, "MAP_PRIVATE|MAP_ANONYMOUS|0x80000000");
	ap_buf_clear(&b);
	ap_mmap_prot_format(0x3, &b);
	assert_buf(b, "PROT_READ|PROT_WRITE");
	ap_buf_clear(&b);
	ap_mmap_prot_format(0, &b);
	assert_buf(b, "PROT_NONE");
	ap_buf_free(&b);
}

/* --- the trace ------------------------------------------------------------------ */

typedef struct replay {
	ap_trace t;
	size_t events;
	size_t candidates, pools, stop_line;
	size_t pool_line;
} replay;

/* Feeds every line of a recorded trace to the machine, checking that each
 * line parses and formats back to itself. */
static void replay_text(replay *r, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	size_t lineno = 0;
	ap_buf again = AP_BUF_INIT;

	memset(r, 0, sizeof(*r));
	ap_trace_init(&r->t);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		ap_sysevent e;
		ap_error err = AP_ERROR_INIT;
		lineno++;
		if (ap_sysevent_parse(p, (size_t)(le - p), &e, &err) < 0)
			fail_msg("line %zu: %s", lineno, err.msg);
		ap_buf_clear(&again);
		ap_sysevent_format(&e, &again);
		tu_assert_bytes(again.data, again.len, p, (size_t)(le - p), __FILE__, __LINE__);
		r->events++;
		switch (ap_trace_step(&r->t, &e)) {
		case AP_TRACE_CANDIDATE:
			r->candidates++;
			break;
		case AP_TRACE_POOL:
			r->pools++;
			r->pool_line = lineno;
			break;
		case AP_TRACE_STOP:
			if (!r->stop_line)
				r->stop_line = lineno;
			break;
		case AP_TRACE_GO:
			break;
		}
		p = le + 1;
	}
	ap_buf_free(&again);
}

static void replay_fixture(replay *r, const char *name)
{
	size_t len;
	char *t = fixture(name, &len);
	replay_text(r, t, len);
	free(t);
}

static void trace_minigap_linux_pool(void **state)
{
	replay r;

	(void)state;
	replay_fixture(&r, "trace-minigap-linux.txt");
	assert_int_equal(r.candidates, 1);
	assert_int_equal(r.pools, 1);
	assert_int_equal(r.pool_line, r.events);   /* the tracer stopped right there */
	assert_true(r.t.have_pool);
	assert_int_equal(r.t.pool.len, 0x80001000ULL);   /* -s 1g raised to 2 GiB, + a page */
	assert_int_equal(r.t.pool.hint, 0x100000000000ULL);
	assert_int_equal(r.t.pool.addr, 0x100000000000ULL);
	assert_int_equal(r.t.pool.flags, 0x22);
	assert_int_equal(r.t.pool.prot, 0x3);
	assert_int_equal(r.stop_line, 0);
}

static void trace_minigap_to_library(void **state)
{
	replay r;

	(void)state;
	replay_fixture(&r, "trace-minigap-linux-to-library.txt");
	assert_int_equal(r.pools, 1);
	/* the stop is the exit of the successful open of lib/init.g: the last line */
	assert_int_equal(r.stop_line, r.events);
	assert_prefix(r.t.stop, "library read: openat \"/build/linux/src/lib/init.g\"");
}

static void trace_debian_looks_up_library_before_pool(void **state)
{
	replay r;

	(void)state;
	replay_fixture(&r, "trace-gap412-debian.txt");
	/* access(".../lib/init.g") comes first and must not stop the trace */
	assert_int_equal(r.stop_line, 0);
	assert_int_equal(r.pools, 1);
	assert_int_equal(r.t.pool.len, 0x40001000ULL);   /* 4.12 keeps -s 1g */
	assert_int_equal(r.t.pool.flags, 0x22);
}

static void trace_cygwin_unpatched_maps_no_pool(void **state)
{
	replay r;

	(void)state;
	replay_fixture(&r, "trace-minigap-cygwin-unpatched-default.txt");
	assert_int_equal(r.candidates, 0);
	assert_false(r.t.have_pool);
	assert_int_equal(r.stop_line, r.events);    /* at exit_group's entry */
	assert_prefix(r.t.stop, "exit_group(0) before GAP read its library");
}

static void trace_cygwin_patched_noreserve(void **state)
{
	replay r;

	(void)state;
	replay_fixture(&r, "trace-minigap-cygwin-patched.txt");
	assert_int_equal(r.pools, 1);
	assert_int_equal(r.t.pool.flags, 0x4022);
}

static void trace_skips_failures_small_and_inaccessible_maps(void **state)
{
	/* the 16 TiB hint fails and GAP retries anywhere; malloc's PROT_NONE
	 * arena reservation and a 1 MiB map are not pools; a larger pool
	 * later replaces a smaller one */
	const char *t =
		"E execve 0x1 0x2 0x3 0x0 0x0 0x0 \"/x/gap\"\n"
		"X execve 0x0\n"
		"E mmap 0x0 0x8000000 0x0 0x4022 0xffffffff 0x0\n"
		"X mmap 0x7f0000000000\n"
		"E mmap 0x0 0x100000 0x3 0x22 0xffffffff 0x0\n"
		"X mmap 0x7f1000000000\n"
		"E mmap 0x0 0x10000000 0x3 0x22 0x3 0x0\n"
		"X mmap 0x7f2000000000\n"
		"E mmap 0x100000000000 0x80001000 0x3 0x22 0xffffffff 0x0\n"
		"X mmap -12\n"
		"E mmap 0x0 0x80001000 0x3 0x22 0xffffffff 0x0\n"
		"X mmap 0x7f3000000000\n"
		"E access 0x1 0x4 0x0 0x0 0x0 0x0 \"/x/lib/init.g\"\n"
		"X access -2\n"
		"E openat 0xffffff9c 0x1 0x0 0x0 0x0 0x0 \"/x/lib/init.g\"\n"
		"X openat -2\n"
		"E mmap 0x0 0x100001000 0x3 0x22 0xffffffff 0x0\n"
		"X mmap 0x7f4000000000\n"
		"E mmap 0x0 0x4000000 0x3 0x22 0xffffffff 0x0\n"
		"X mmap 0x7f5000000000\n"
		"E openat 0xffffff9c 0x1 0x0 0x0 0x0 0x0 \"/y/lib/init.g\"\n"
		"X openat 0x3\n"
		"E exit_group 0x0 0x0 0x0 0x0 0x0 0x0\n";
	replay r;

	(void)state;
	replay_text(&r, t, strlen(t));
	assert_int_equal(r.candidates, 4);
	assert_int_equal(r.pools, 2);   /* the retry, then the larger one; 64 MiB is smaller */
	assert_int_equal(r.t.pool.len, 0x100001000ULL);
	assert_int_equal(r.t.pool.addr, 0x7f4000000000ULL);
	assert_int_equal(r.stop_line, 22);
	assert_string_equal(r.t.stop, "library read: openat \"/y/lib/init.g\"");
}

static void trace_ignores_calls_before_exec(void **state)
{
	/* the probe's own child runs before it execs GAP: not GAP's calls */
	const char *t = "E mmap 0x0 0x80000000 0x3 0x22 0xffffffff 0x0\n"
			"X mmap 0x7f0000000000\n"
			"E exit_group 0x1 0x0 0x0 0x0 0x0 0x0\n";
	replay r;

	(void)state;
	replay_text(&r, t, strlen(t));
	assert_int_equal(r.candidates, 0);
	assert_int_equal(r.stop_line, 0);
}

static void sysevent_rejects_bad_lines(void **state)
{
	ap_sysevent e;
	ap_error err = AP_ERROR_INIT;
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{ "Q mmap 0x0", "does not start" },
		{ "E nosuchcall 0x0 0x0 0x0 0x0 0x0 0x0", "unknown call 'nosuchcall'" },
		{ "E mmap 0x0 0x0 0x0", "argument 4 missing" },
		{ "X mmap zz", "bad return value" },
		{ "X mmap 0x1 0x2", "text after the return value" },
		{ "E open 0x1 0x0 0x0 0x0 0x0 0x0 \"/a", "no closing quote" },
		{ "E open 0x1 0x0 0x0 0x0 0x0 0x0 /a", "not a \"path\"" },
		{ "E sys_x 0x1 0x0 0x0 0x0 0x0 0x0", "bad call number" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ap_sysevent_parse(bad[i].line, strlen(bad[i].line), &e, &err), -1);
		assert_contains(err.msg, bad[i].msg);
	}
	/* unknown numbers round-trip as sys_N, escapes in paths too */
	const char *ok = "E sys_999 0x1 0x2 0x3 0x4 0x5 0x6 \"/a\\\"b\\\\c\\x01\"";
	assert_int_equal(ap_sysevent_parse(ok, strlen(ok), &e, &err), 0);
	assert_int_equal(e.nr, 999);
	assert_string_equal(e.path, "/a\"b\\c\x01");
	ap_buf b = AP_BUF_INIT;
	ap_sysevent_format(&e, &b);
	assert_buf(b, ok);
	ap_buf_free(&b);
}

/* --- Debian's script -------------------------------------------------------------- */

static void script_target_follows_gap_prg(void **state)
{
	char *dir = tu_mkdtemp();
	char *path = ap_printf("%s/gap", dir);
	char *plain = ap_printf("%s/plain", dir);
	char *got;

	(void)state;
	const char *script = "#!/bin/bash\nGAP_LIB=/x\nif [ x = x ]; then\n"
			     "GAP_PRG=/bin/true\nfi\nexec $GAP_PRG -l \"$GAP_LIB\" \"$@\"\n";
	const char *elf = "\x7f" "ELF not a script";
	const char *vars = "#!/bin/sh\nGAP_PRG=$DIR/gap\n";
	tu_write_mode(dir, "gap", script, strlen(script), 0755);
	tu_write_mode(dir, "plain", elf, strlen(elf), 0755);
	got = ap_probe_script_target(path);
	assert_non_null(got);
	assert_string_equal(got, "/bin/true");
	free(got);
	assert_null(ap_probe_script_target(plain));
	/* a GAP_PRG built from variables cannot be followed */
	tu_write_mode(dir, "gap", vars, strlen(vars), 0755);
	assert_null(ap_probe_script_target(path));
	free(path);
	free(plain);
	tu_rmrf(dir);
}

static void noise_samples_meminfo(void **state)
{
	ap_noise nz;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	assert_int_equal(ap_probe_noise(5, 0, &nz, &err), 0);
	assert_int_equal(nz.samples, 5);
	assert_true(nz.range_kb >= nz.max_step_kb);
	assert_int_equal(ap_probe_noise(1, 0, &nz, &err), -1);
}

static void probe_refuses_missing_binary(void **state)
{
	ap_probe_opts o = AP_PROBE_OPTS_INIT;
	ap_probe_result r;
	ap_error err = AP_ERROR_INIT;

	(void)state;
	o.binary = "/nonexistent/gap";
	assert_int_equal(ap_probe_run(&o, &r, &err), -1);
	assert_contains(err.msg, "/nonexistent/gap: not an executable");
	ap_probe_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(meminfo_reads_committed_as),
		cmocka_unit_test(meminfo_rejects_garbage),
		cmocka_unit_test(committed_as_is_live),
		cmocka_unit_test(smaps_finds_accounted_pool),
		cmocka_unit_test(smaps_finds_noreserve_pool),
		cmocka_unit_test(smaps_reports_missing_mapping),
		cmocka_unit_test(vmflags_match_whole_words),
		cmocka_unit_test(mmap_flags_by_name),
		cmocka_unit_test(trace_minigap_linux_pool),
		cmocka_unit_test(trace_minigap_to_library),
		cmocka_unit_test(trace_debian_looks_up_library_before_pool),
		cmocka_unit_test(trace_cygwin_unpatched_maps_no_pool),
		cmocka_unit_test(trace_cygwin_patched_noreserve),
		cmocka_unit_test(trace_skips_failures_small_and_inaccessible_maps),
		cmocka_unit_test(trace_ignores_calls_before_exec),
		cmocka_unit_test(sysevent_rejects_bad_lines),
		cmocka_unit_test(script_target_follows_gap_prg),
		cmocka_unit_test(noise_samples_meminfo),
		cmocka_unit_test(probe_refuses_missing_binary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
