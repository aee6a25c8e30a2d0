/* fuzz_series.c - libFuzzer target for series files and selectors.
 *
 * Input: byte 0 holds options (bits 0-2: the platform, one of
 * ap_platform_names; bit 3: no series file, so the directory convention
 * is read instead); the rest, up to an optional NUL, is the series file;
 * after the NUL comes a bare selector expression for ap_selector_eval.
 *
 * For each input a patches directory on tmpfs (made once) gets the series
 * file and an empty file for every name the series lists (the first word
 * of each line, when it is a name the harness may create), then
 * ap_series_load and ap_series_load_lenient read it. Without a series
 * file the lines name files to create instead (NAME.patch, or
 * PLATFORM/NAME.patch). Invariants:
 *   - a successful load has sane entries: a name that stays inside the
 *     directory, names unique, -pN not negative, selected is 0 or 1, a
 *     reason why; a selector's verdict matches ap_selector_eval's;
 *   - the lenient load never fails where the strict one succeeds, and
 *     agrees with it then; its recorded errors name a place;
 *   - errors name the series file and line;
 *   - lint on the same directory: every finding has a place and a text;
 *   - ap_selector_eval: a verdict of 0 or 1, or -1 with a reason; "not
 *     (E)" is the negation of E; "(E) or (E)" and "(E) and (E)" are E.
 */
#include "lint.h"
#include "series.h"

#include "fuzz_util.h"

#include <ctype.h>
#include <stdint.h>

static char dir[600];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof dir, "%s/patches", fz_scratch_base("fuzz_series"));
	return 0;
}

static void fresh_dir(void)
{
	fz_rm_rf_at(AT_FDCWD, dir);
	if (mkdir(dir, 0755) < 0)
		harness_die("mkdir %s: %s", dir, strerror(errno));
}

/* The first word of each line: what a series line names. */
static void touch_named(const char *text, size_t len, int convention)
{
	size_t pos = 0;

	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		size_t s = 0, e;
		char name[256];

		pos += ll + 1;
		while (s < ll && isspace((unsigned char)line[s]))
			s++;
		e = s;
		while (e < ll && !isspace((unsigned char)line[e]))
			e++;
		if (e == s || line[s] == '#' || e - s >= 200 || !fz_safe_rel(line + s, e - s))
			continue;
		if (convention)
			snprintf(name, sizeof name, "%.*s.patch", (int)(e - s), line + s);
		else
			snprintf(name, sizeof name, "%.*s", (int)(e - s), line + s);
		fz_write(dir, name, "", 0, 0644);
	}
}

static int selector_free_of_nesting(const char *expr)
{
	size_t depth = 0;

	for (const char *p = expr; *p; p++)
		depth += *p == '(' || (p[0] == 'n' && p[1] == 'o' && p[2] == 't');
	return depth < 20;
}

static void check_selector(const char *expr, const char *platform)
{
	ap_error err = AP_ERROR_INIT;
	int v = ap_selector_eval(expr, platform, &err);
	size_t len = strlen(expr);
	char *wrapped;

	if (v < -1 || v > 1)
		finding("selector '%s' evaluated to %d", expr, v);
	if (v < 0) {
		if (!err.msg[0])
			finding("selector '%s' refused without a reason", expr);
		return;
	}
	if (!selector_free_of_nesting(expr) || len > 2000)
		return;
	wrapped = malloc(2 * len + 32);
	if (!wrapped)
		harness_die("out of memory");
	snprintf(wrapped, 2 * len + 32, "not (%s)", expr);
	if (ap_selector_eval(wrapped, platform, &err) != !v)
		finding("'not (%s)' is not the negation of '%s' (%d) for %s", expr, expr, v, platform);
	snprintf(wrapped, 2 * len + 32, "(%s) or (%s)", expr, expr);
	if (ap_selector_eval(wrapped, platform, &err) != v)
		finding("'(E) or (E)' differs from E = '%s' for %s", expr, platform);
	snprintf(wrapped, 2 * len + 32, "(%s) and (%s)", expr, expr);
	if (ap_selector_eval(wrapped, platform, &err) != v)
		finding("'(E) and (E)' differs from E = '%s' for %s", expr, platform);
	free(wrapped);
}

static void check_loaded(const ap_series *s, const char *platform, int strict)
{
	for (size_t i = 0; i < s->n; i++) {
		const ap_series_entry *e = &s->v[i];

		if (!e->name)
			finding("entry %zu has no name", i);
		if (e->name[0] == '/' || !strcmp(e->name, "..") || !strncmp(e->name, "../", 3) ||
		    strstr(e->name, "/../") || (strlen(e->name) > 2 &&
		    !strcmp(e->name + strlen(e->name) - 3, "/..")))
			finding("entry '%s' leaves the patches directory", e->name);
		if (e->strip < 0)
			finding("entry '%s' has -p%d", e->name, e->strip);
		if (e->selected != 0 && e->selected != 1)
			finding("entry '%s' selected = %d", e->name, e->selected);
		if (strict && !e->why)
			finding("entry '%s' has no reason why it is in or out", e->name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->v[j].name, e->name) == 0)
				finding("entry '%s' listed twice", e->name);
		if (strict && e->selector) {
			ap_error err = AP_ERROR_INIT;
			int v = ap_selector_eval(e->selector, platform, &err);

			if (v != e->selected)
				finding("entry '%s': selected %d, but its selector '%s' says %d", e->name,
					e->selected, e->selector, v);
		}
	}
	for (size_t i = 0; i < s->nerrors; i++)
		if (!s->errors[i].where || !s->errors[i].what)
			finding("error %zu without a place or a text", i);
	for (size_t i = 0; i < s->nwarnings; i++)
		if (!s->warnings[i].where || !s->warnings[i].what)
			finding("warning %zu without a place or a text", i);
	{
		const char **pf = ap_series_platforms(s);

		if (!pf)
			harness_die("out of memory");
		for (size_t i = 0; pf[i]; i++)
			if (!ap_platform_known(pf[i]))
				finding("ap_series_platforms gave '%s'", pf[i]);
		free(pf);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *platform, *text, *nul;
	size_t tlen;
	int convention;
	ap_series s, sl;
	ap_error err = AP_ERROR_INIT, errl = AP_ERROR_INIT;
	int rc, rcl;

	if (size < 1)
		return 0;
	platform = ap_platform_names[data[0] & 7];
	convention = (data[0] >> 3) & 1;
	text = (const char *)data + 1;
	tlen = size - 1;
	nul = memchr(text, '\0', tlen);
	if (nul) {
		size_t elen = tlen - (size_t)(nul + 1 - text);
		char *expr = malloc(elen + 1);

		if (!expr)
			harness_die("out of memory");
		memcpy(expr, nul + 1, elen);
		expr[elen] = '\0';
		check_selector(expr, platform);
		free(expr);
		tlen = (size_t)(nul - text);
	}

	fresh_dir();
	/* the series first, so that no listed name can take its place */
	if (!convention && fz_write(dir, "series", text, tlen, 0644) < 0)
		harness_die("cannot write %s/series", dir);
	touch_named(text, tlen, convention);

	rc = ap_series_load(&s, dir, platform, &err);
	rcl = ap_series_load_lenient(&sl, dir, platform, &errl);
	if (rc == 0) {
		check_loaded(&s, platform, 1);
		if (rcl != 0)
			finding("the lenient load failed where the strict one succeeded: %s", errl.msg);
		if (sl.n != s.n || sl.nerrors != 0)
			finding("strict and lenient loads disagree: %zu vs %zu entries, %zu errors",
				s.n, sl.n, sl.nerrors);
		ap_series_free(&s);
	} else if (!err.msg[0]) {
		finding("ap_series_load failed without a reason");
	} else if (!convention && !strstr(err.msg, "/series:") && !strstr(err.msg, "out of memory")) {
		finding("a series error that names no line: '%s'", err.msg);
	}
	if (rcl == 0) {
		check_loaded(&sl, platform, 0);
		ap_series_free(&sl);
	}
	{
		/* lint reads the same directory leniently and parses every patch */
		ap_lint l;
		ap_error le = AP_ERROR_INIT;

		memset(&l, 0, sizeof l);
		if (ap_lint_run(&l, dir, &le) == 0) {
			for (size_t i = 0; i < l.n; i++)
				if (!l.v[i].where || !l.v[i].what)
					finding("lint finding %zu without a place or a text", i);
		} else if (!le.msg[0]) {
			finding("lint failed without a reason");
		}
		ap_lint_free(&l);
	}
	return 0;
}
