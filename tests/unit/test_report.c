/* test_report.c - what a run did, as CI systems read it (report.h).
 *
 * A run is built by hand (an applied patch with an offset hunk converted
 * from LF, a failed one with hostile characters in its name, a skipped
 * one), rendered in every format, and read back with real parsers: the
 * JSON with python3's json module, the JUnit XML with python3's
 * xml.dom.minidom (one testcase per patch), the GitHub annotations line
 * by line with their escaping checked.
 */
#include "testutil.h"

#include "report.h"
#include "textsafe.h"
#include "series.h"
#include "worktree.h"

static void hunk(ap_hunk_result *h, enum ap_outcome o, long offset, long line, size_t lineno)
{
	memset(h, 0, sizeof *h);
	h->pl.outcome = o;
	h->pl.offset = offset;
	h->pl.line = line;
	h->lineno = lineno;
}

static const char BAD_NAME[] = "we\"ird <&> 'x',y:z.patch";

/* Three patches: applied (exact + offset with eol conversion), failed
 * (one hunk near-matched, a file error with a newline), skipped. */
static void build_run(ap_run *run)
{
	ap_patch_result *r;
	ap_file_result *f;

	memset(run, 0, sizeof *run);
	run->tree = ap_strdup("/t/gap-4.10.2");
	run->patches_dir = ap_strdup("patches");
	run->platform = ap_strdup("cygwin");
	run->n = 3;
	run->patches = calloc(3, sizeof *run->patches);

	r = &run->patches[0];
	r->name = ap_strdup("cygwin-pool.patch");
	snprintf(r->sha256, sizeof r->sha256, "%s",
		 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	r->strip = 1;
	r->selected = 1;
	r->why = ap_strdup("selector [cygwin] is true for cygwin");
	r->status = AP_PATCH_APPLIED;
	r->nfiles = 1;
	r->files = calloc(1, sizeof *r->files);
	f = &r->files[0];
	f->path = ap_strdup("src/sysmem.c");
	f->op = AP_OP_MODIFY;
	f->outcome = AP_FILE_APPLIED;
	f->nhunks = 2;
	f->hunks = calloc(2, sizeof *f->hunks);
	hunk(&f->hunks[0], AP_HUNK_EXACT, 0, 10, 12);
	hunk(&f->hunks[1], AP_HUNK_OFFSET, 3, 50, 30);
	f->hunks[1].pl.eol_converted = 1;

	r = &run->patches[1];
	r->name = ap_strdup(BAD_NAME);
	r->selected = 1;
	r->why = ap_strdup("no selector: every platform");
	r->status = AP_PATCH_FAILED;
	r->reason = ap_strdup("1 of 1 hunk failed");
	r->nfiles = 2;
	r->files = calloc(2, sizeof *r->files);
	f = &r->files[0];
	f->path = ap_strdup("src/system.c");
	f->op = AP_OP_MODIFY;
	f->outcome = AP_FILE_FAILED;
	f->nhunks = 1;
	f->hunks = calloc(1, sizeof *f->hunks);
	hunk(&f->hunks[0], AP_HUNK_FAILED, 0, 77, 8);
	f->hunks[0].pl.near_matched = 3;
	f->hunks[0].pl.near_total = 4;
	f = &r->files[1];
	f->path = ap_strdup("new.c");
	f->old_path = ap_strdup("old.c");
	f->op = AP_OP_RENAME;
	f->outcome = AP_FILE_FAILED;
	f->error = ap_strdup("new.c already exists\nsecond line\t\x01");

	r = &run->patches[2];
	r->name = ap_strdup("linux-only.patch");
	r->why = ap_strdup("selector [linux] is false for cygwin");
	r->status = AP_PATCH_SKIPPED;
	r->reason = ap_strdup("not selected for cygwin");

	run->nwarnings = run->wcap = 1;
	run->warnings = calloc(1, sizeof *run->warnings);
	run->warnings[0].where = ap_strdup("patches/extra,1.patch");
	run->warnings[0].what = ap_strdup("not listed in the series file: it is not applied");
	run->note = ap_strdup("rolled back an interrupted run");
	run->failed = 1;
}

static char *render(const ap_run *run, ap_format format, int color, int verbose)
{
	ap_buf b = AP_BUF_INIT;
	ap_report_opts o;

	memset(&o, 0, sizeof o);
	o.format = format;
	o.color = color;
	o.verbose = verbose;
	o.command = "apply";
	assert_int_equal(ap_report_run(&b, run, &o), 0);
	return ap_buf_detach(&b, NULL);
}

/* --- JSON ------------------------------------------------------------------- */

static void json_run_parses(void **state)
{
	ap_run run;
	char *out;
	size_t len;

	(void)state;
	build_run(&run);
	out = render(&run, AP_FORMAT_JSON, 0, 0);
	len = strlen(out);
	{
		static const tu_query q[] = {
			{ "d['command'], d['platform'], d['tree'], d['ok'], d['dry_run']",
			  "('apply', 'cygwin', '/t/gap-4.10.2', False, False)" },
			{ "len(d['patches'])", "3" },
			{ "[p['status'] for p in d['patches']]", "['applied', 'failed', 'skipped']" },
			{ "d['patches'][1]['name'] == '''we\"ird <&> 'x',y:z.patch'''", "True" },
			{ "d['patches'][0]['sha256'][:8], d['patches'][1]['sha256']",
			  "('ba7816bf', None)" },
			{ "d['patches'][0]['files'][0]['hunks'][1]",
			  "{'index': 2, 'outcome': 'offset', 'offset': 3, 'fuzz': 0, 'line': 50, "
			  "'patch_line': 30, 'eol_converted': True}" },
			{ "d['patches'][1]['files'][0]['hunks'][0]['near_match']",
			  "{'line': 77, 'matched': 3, 'of': 4}" },
			{ "[d['patches'][1]['files'][1][k] for k in ('old_path', 'op', 'hunks')]",
			  "['old.c', 'rename', []]" },
			{ "repr(d['patches'][1]['files'][1]['error'])",
			  "'new.c already exists\\nsecond line\\t\\x01'" },
			{ "'old_path' in d['patches'][0]['files'][0]", "False" },
			{ "d['warnings'][0]['where'], d['note']",
			  "('patches/extra,1.patch', 'rolled back an interrupted run')" },
		};

		assert_json_queries(out, len, q);
	}
	/* one document, one line end */
	assert_int_equal(out[len - 1], '\n');
	free(out);
	ap_run_free(&run);
}

static void json_empty_run(void **state)
{
	ap_run run;
	char *out;

	(void)state;
	memset(&run, 0, sizeof run);
	run.tree = ap_strdup(".");
	out = render(&run, AP_FORMAT_JSON, 0, 0);
	{
		static const tu_query q[] = {
			{ "d['patches'], d['warnings'], d['ok'], d['platform']", "([], [], True, None)" },
		};

		assert_json_queries(out, strlen(out), q);
	}
	free(out);
	ap_run_free(&run);
}

/* --- JUnit ------------------------------------------------------------------- */

static void junit_one_testcase_per_patch(void **state)
{
	ap_run run;
	char *out;

	(void)state;
	build_run(&run);
	out = render(&run, AP_FORMAT_JUNIT, 1, 0);
	assert_prefix(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	/* colour never reaches a machine format */
	assert_null(strchr(out, '\033'));
	{
		static const tu_query q[] = {
			{ "len(d.getElementsByTagName('testcase'))", "3" },
			{ "[t.getAttribute('name') for t in d.getElementsByTagName('testcase')] == "
			  "['cygwin-pool.patch', '''we\"ird <&> 'x',y:z.patch''', 'linux-only.patch']",
			  "True" },
			{ "[d.getElementsByTagName('testsuite')[0].getAttribute(a) for a in "
			  "('tests', 'failures', 'errors', 'skipped')]", "['3', '1', '0', '1']" },
			{ "[len(t.getElementsByTagName('failure')) for t in "
			  "d.getElementsByTagName('testcase')]", "[0, 1, 0]" },
			{ "d.getElementsByTagName('skipped')[0].getAttribute('message')",
			  "not selected for cygwin" },
			{ "d.getElementsByTagName('failure')[0].getAttribute('message')",
			  "1 of 1 hunk failed" },
		};

		assert_xml_queries(out, strlen(out), q);
	}
	assert_contains(out, "src/system.c: hunk 1: FAILED; nearest partial match at line 77 "
			"(3 of 4 lines match)");
	free(out);
	ap_run_free(&run);
}

/* --- GitHub annotations ------------------------------------------------------ */

static void github_annotations(void **state)
{
	ap_run run;
	char *out;
	ap_lines l = AP_LINES_INIT;

	(void)state;
	build_run(&run);
	out = render(&run, AP_FORMAT_GITHUB, 1, 0);
	ap_lines_split(&l, out, strlen(out));
	/* every line is a workflow command */
	for (size_t i = 0; i < l.n; i++) {
		if (l.v[i].len < 2 || memcmp(l.v[i].text, "::", 2) != 0) {
			tu_show("output", out, strlen(out));
			fail();
		}
	}
	/* properties escape ',' and ':'; messages escape newlines */
	/* every annotation carries line= (GitHub shows one without a line on none) */
	assert_contains(out, "::warning file=patches/extra%2C1.patch,line=1::not listed in the series file");
	assert_contains(out, "::error::rolled back");
	assert_contains(out, "::warning file=patches/cygwin-pool.patch,line=30::cygwin-pool.patch: "
			"hunk 2 of src/sysmem.c: offset +3 at line 50, line endings converted");
	assert_contains(out, "::error file=patches/we\"ird <&> 'x'%2Cy%3Az.patch,line=8::");
	assert_contains(out, "new.c already exists%0Asecond line");
	/* the exact hunk is not worth an annotation */
	assert_null(strstr(out, "line=12"));
	assert_null(strchr(out, '\033'));
	/* a raw CR or LF inside a message would end the command early */
	for (size_t i = 0; i < l.n; i++)
		assert_null(memchr(l.v[i].text, '\r', l.v[i].len));
	ap_lines_free(&l);
	free(out);
	ap_run_free(&run);
}

/* --- text ---------------------------------------------------------------------- */

/* Issue 15: one escaping for every subcommand's annotations: a finding's
 * "PATH:LINE" is split into file= and line=, the title is a property. */
static void github_where_and_title(void **state)
{
	ap_buf b = AP_BUF_INIT;

	(void)state;
	ap_report_gh_where(&b, "error", "patches/a,b:c%.patch:12", "li:nt,x", "bad\r\nthing: 100%");
	ap_report_gh_where(&b, "warning", "patches/series", NULL, "m");
	ap_report_gh_line(&b, "notice", NULL, 0, NULL, "n");
	assert_string_equal(b.data,
			    "::error file=patches/a%2Cb%3Ac%25.patch,line=12,title=li%3Ant%2Cx::"
			    "bad%0D%0Athing: 100%25\n"
			    "::warning file=patches/series,line=1::m\n"
			    "::notice::n\n");
	ap_buf_free(&b);
}

static void text_for_people(void **state)
{
	ap_run run;
	char *out;

	(void)state;
	build_run(&run);
	out = render(&run, AP_FORMAT_TEXT, 0, 0);
	assert_null(strchr(out, '\033'));
	assert_prefix(out, "warning: patches/extra,1.patch: not listed");
	assert_contains(out, "apply /t/gap-4.10.2 (cygwin, 2 of 3 patches selected)\n");
	assert_contains(out, "src/sysmem.c: hunk 2 (patches/cygwin-pool.patch:30) offset +3 at line "
			"50, line endings converted to the file's\n");
	/* exact hunks only in verbose output */
	assert_null(strstr(out, "exact at line 10"));
	assert_contains(out, "FAILED: 1 of 1 hunk failed\n");
	assert_contains(out, "nearest partial match at line 77 (3 of 4 lines match)");
	assert_contains(out, "skipped: not selected for cygwin");
	assert_contains(out, "failed: nothing in /t/gap-4.10.2 was changed\n");
	free(out);

	out = render(&run, AP_FORMAT_TEXT, 0, 1);
	assert_contains(out, "src/sysmem.c: hunk 1 (patches/cygwin-pool.patch:12) exact at line 10\n");
	free(out);

	out = render(&run, AP_FORMAT_TEXT, 1, 0);
	assert_non_null(strstr(out, "\033[31m"));
	assert_non_null(strstr(out, "\033[0m"));
	free(out);
	ap_run_free(&run);
}

static void text_success_and_dry_run(void **state)
{
	ap_run run;
	char *out;

	(void)state;
	memset(&run, 0, sizeof run);
	run.tree = ap_strdup("/t");
	run.platform = ap_strdup("linux");
	run.files_written = 1;
	out = render(&run, AP_FORMAT_TEXT, 0, 0);
	assert_contains(out, "1 file written\n");
	free(out);
	run.files_written = 3;
	out = render(&run, AP_FORMAT_TEXT, 0, 0);
	assert_contains(out, "3 files written\n");
	free(out);
	run.dry_run = 1;
	out = render(&run, AP_FORMAT_TEXT, 0, 0);
	assert_contains(out, "dry run: every selected patch would apply; nothing was written\n");
	free(out);
	ap_run_free(&run);
}

static void hunk_phrases(void **state)
{
	static const struct {
		enum ap_outcome o;
		long offset, line;
		int fuzz, eol;
		size_t matched, total;
		const char *want;
	} cases[] = {
		{ AP_HUNK_EXACT, 0, 10, 0, 0, 0, 0, "exact at line 10" },
		{ AP_HUNK_OFFSET, 3, 50, 0, 0, 0, 0, "offset +3 at line 50" },
		{ AP_HUNK_OFFSET, -2, 5, 0, 1, 0, 0,
		  "offset -2 at line 5, line endings converted to the file's" },
		{ AP_HUNK_FUZZ, 0, 7, 1, 0, 0, 0, "fuzz 1, offset +0 at line 7" },
		{ AP_HUNK_ALREADY, 0, 4, 0, 0, 0, 0, "already applied (at line 4)" },
		{ AP_HUNK_ALREADY, 0, 0, 0, 0, 0, 0, "already applied" },
		{ AP_HUNK_FAILED, 0, 77, 0, 0, 3, 4,
		  "FAILED; nearest partial match at line 77 (3 of 4 lines match)" },
		{ AP_HUNK_FAILED, 0, 0, 0, 0, 0, 0, "FAILED" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		ap_hunk_result h;
		ap_buf b = AP_BUF_INIT;

		hunk(&h, cases[i].o, cases[i].offset, cases[i].line, 1);
		h.pl.fuzz = cases[i].fuzz;
		h.pl.eol_converted = cases[i].eol;
		h.pl.near_matched = cases[i].matched;
		h.pl.near_total = cases[i].total;
		ap_report_hunk_phrase(&b, &h);
		assert_bytes(b.data, b.len, cases[i].want);
		ap_buf_free(&b);
	}
}

static void format_names(void **state)
{
	ap_format f;

	(void)state;
	assert_int_equal(ap_format_parse("text", &f), 0);
	assert_int_equal(f, AP_FORMAT_TEXT);
	assert_int_equal(ap_format_parse("json", &f), 0);
	assert_int_equal(f, AP_FORMAT_JSON);
	assert_int_equal(ap_format_parse("junit", &f), 0);
	assert_int_equal(f, AP_FORMAT_JUNIT);
	assert_int_equal(ap_format_parse("github", &f), 0);
	assert_int_equal(f, AP_FORMAT_GITHUB);
	assert_int_equal(ap_format_parse("markdown", &f), 0);
	assert_int_equal(f, AP_FORMAT_MARKDOWN);
	assert_int_equal(ap_format_parse("xml", &f), -1);
	assert_int_equal(ap_format_parse("JSON", &f), -1);
	assert_int_equal(ap_format_parse("", &f), -1);
}

/* --- list and status ----------------------------------------------------------- */

static void list_of_a_series(void **state)
{
	char *dir = tu_mkdtemp();
	ap_series s;
	ap_error err = AP_ERROR_INIT;
	ap_report_opts o;
	ap_buf b = AP_BUF_INIT;

	(void)state;
	tu_write(dir, "series", "a.patch\nb.patch -p0 # [linux]\n");
	tu_write(dir, "a.patch", "x");
	tu_write(dir, "b.patch", "x");
	tu_write(dir, "c\"q.patch", "x");
	assert_int_equal(ap_series_load(&s, dir, "cygwin", &err), 0);
	memset(&o, 0, sizeof o);
	o.format = AP_FORMAT_JSON;
	ap_report_list(&b, &s, &o);
	{
		static const tu_query q[] = {
			{ "[(p['name'], p['strip'], p['selector'], p['selected']) for p in d['patches']]",
			  "[('a.patch', 1, None, True), ('b.patch', 0, 'linux', False)]" },
			{ "d['platform'], len(d['warnings']), d['warnings'][0]['where'].endswith('c\"q.patch')",
			  "('cygwin', 1, True)" },
		};

		assert_json_queries(b.data, b.len, q);
	}
	ap_buf_clear(&b);
	o.format = AP_FORMAT_TEXT;
	ap_report_list(&b, &s, &o);
	assert_contains(b.data, "   1  a.patch  -p1  no selector");
	assert_contains(b.data, "   -  b.patch  -p0  (out: selector [linux] is false for cygwin)");
	assert_contains(b.data, "warning: ");
	ap_buf_free(&b);
	ap_series_free(&s);
	tu_rmrf(dir);
}

/* red-team 3 T9: names escaped for the terminal or not ASCII still line
 * up: padded by the columns they are shown in, not by their bytes */
static void columns_line_up_after_escapes(void **state)
{
	char *dir = tu_mkdtemp(), *text, *save = NULL;
	ap_series s;
	ap_error err = AP_ERROR_INIT;
	ap_report_opts o;
	ap_buf b = AP_BUF_INIT, shown = AP_BUF_INIT;
	long column = -1;

	(void)state;
	tu_write(dir, "series", "esc\033[2Jx.patch\n\xc3\xa9t\xc3\xa9.patch\nplain.patch\n");
	tu_write(dir, "esc\033[2Jx.patch", "x");
	tu_write(dir, "\xc3\xa9t\xc3\xa9.patch", "x");
	tu_write(dir, "plain.patch", "x");
	assert_int_equal(ap_series_load(&s, dir, "linux", &err), 0);
	memset(&o, 0, sizeof o);
	o.format = AP_FORMAT_TEXT;
	ap_report_list(&b, &s, &o);
	ap_term_escape(&shown, b.data, b.len, 0);
	ap_buf_putc(&shown, '\0');
	text = shown.data;
	/* every patch line has its "-p1" in one column, counted in characters */
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *at = strstr(line, "  -p1");
		long col = 0;

		if (!at)
			continue;
		for (char *c = line; c < at; c++)
			col += ((unsigned char)*c & 0xc0) != 0x80;
		if (column < 0)
			column = col;
		assert_int_equal(col, column);
	}
	assert_true(column > 0);
	ap_buf_free(&shown);
	ap_buf_free(&b);
	ap_series_free(&s);
	tu_rmrf(dir);
}

static void status_json(void **state)
{
	ap_status st;
	ap_buf b = AP_BUF_INIT;
	ap_report_opts o;

	(void)state;
	memset(&st, 0, sizeof st);
	st.tree = ap_strdup("/t");
	st.applied = 1;
	st.platform = ap_strdup("cygwin");
	st.drift = 1;
	st.npatches = 1;
	st.patches = calloc(1, sizeof *st.patches);
	st.patches[0].name = ap_strdup("a.patch");
	st.patches[0].status = ap_strdup("applied");
	snprintf(st.patches[0].sha256, sizeof st.patches[0].sha256, "%s", "00ff");
	st.patches[0].series = "changed";
	st.nfiles = 1;
	st.files = calloc(1, sizeof *st.files);
	st.files[0].path = ap_strdup("src/\"x\".c");
	st.files[0].state = "modified";
	st.nunapplied = 1;
	st.unapplied = calloc(1, sizeof *st.unapplied);
	st.unapplied[0] = ap_strdup("b.patch");
	memset(&o, 0, sizeof o);
	o.format = AP_FORMAT_JSON;
	ap_report_status(&b, &st, &o);
	{
		static const tu_query q[] = {
			{ "d['applied'], d['drift'], d['patches'][0]['series'], d['files'][0]['path'], "
			  "d['not_applied']", "(True, True, 'changed', 'src/\"x\".c', ['b.patch'])" },
		};

		assert_json_queries(b.data, b.len, q);
	}
	ap_buf_clear(&b);
	o.format = AP_FORMAT_TEXT;
	ap_report_status(&b, &st, &o);
	assert_contains(b.data, "/t is patched for cygwin: 1 patch, 1 file\n");
	assert_contains(b.data, "(changed in the series)");
	assert_contains(b.data, "not applied");
	assert_contains(b.data, "no longer matches");
	ap_buf_free(&b);
	ap_status_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_run_parses),
		cmocka_unit_test(json_empty_run),
		cmocka_unit_test(junit_one_testcase_per_patch),
		cmocka_unit_test(github_annotations),
		cmocka_unit_test(github_where_and_title),
		cmocka_unit_test(text_for_people),
		cmocka_unit_test(text_success_and_dry_run),
		cmocka_unit_test(hunk_phrases),
		cmocka_unit_test(format_names),
		cmocka_unit_test(list_of_a_series),
		cmocka_unit_test(columns_line_up_after_escapes),
		cmocka_unit_test(status_json),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
