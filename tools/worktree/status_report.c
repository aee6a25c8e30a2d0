/* status_report.c - status and list for CI: JUnit XML and GitHub
 * annotations (text and JSON are in report.c).
 *
 * status: a testcase per recorded patch (a failure when the series changed
 * it since), one per selected patch not applied, and one for the tree's
 * files (a failure naming each file that no longer matches); a tree that is
 * not patched is one skipped testcase, as status exits 0 then. Whatever else
 * makes status exit 1 (a tree quilt patched that no longer holds its
 * patches, an interrupted run) is a failing "tree" testcase (an error
 * annotation), so failures is 0 exactly when status exits 0.
 * list: a testcase per series entry, skipped when the selectors leave it
 * out, with the reason; warnings go to system-err and as annotations.
 */
#include "report.h"

#include "textsafe.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* A recorded patch the series no longer holds as it was. */
static int series_changed(const ap_status_patch *p)
{
	return strcmp(p->series, "unchanged") != 0 && strcmp(p->series, "unknown") != 0 &&
	       strcmp(p->series, "other-platform") != 0;
}

static void case_open(ap_buf *b, const char *cls, const char *name)
{
	ap_buf_puts(b, "    <testcase classname=\"");
	ap_xml_escape(b, cls);
	ap_buf_puts(b, "\" name=\"");
	ap_xml_escape(b, name);
	ap_buf_puts(b, "\">\n");
}

static void element(ap_buf *b, const char *tag, const char *msg, const char *body)
{
	ap_buf_printf(b, "      <%s message=\"", tag);
	ap_xml_escape(b, msg);
	if (!body) {
		ap_buf_puts(b, "\"/>\n");
		return;
	}
	ap_buf_puts(b, "\">");
	ap_xml_escape(b, body);
	ap_buf_printf(b, "</%s>\n", tag);
}

static size_t dirty_files(const ap_status *st)
{
	size_t n = 0;

	for (size_t i = 0; i < st->nfiles; i++)
		n += strcmp(st->files[i].state, "clean") != 0;
	return n;
}

/* What makes status exit 1 that no patch or file testcase shows (a tree
 * quilt patched that no longer holds its patches, a run interrupted): the
 * report gets a failing "tree" testcase for it, so its counts agree with
 * the exit status. */
static int tree_failure(const ap_status *st, size_t failures)
{
	return st->drift && failures == 0;
}

static void status_junit(ap_buf *b, const ap_status *st)
{
	size_t failures = st->applied ? st->nunapplied + (dirty_files(st) > 0) : 0;
	int tree_fails;

	for (size_t i = 0; st->applied && i < st->npatches; i++)
		failures += series_changed(&st->patches[i]);
	tree_fails = tree_failure(st, failures);
	ap_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"status\">\n"
		    "  <testsuite name=\"applypatch status ");
	ap_xml_escape(b, st->applied ? st->platform : st->npatches ? "quilt" : "not patched");
	ap_buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%d\">\n",
		      st->applied ? st->npatches + st->nunapplied + 1 + (size_t)tree_fails : 1,
		      failures + (size_t)tree_fails, !st->applied && !tree_fails);
	if (!st->applied) {
		case_open(b, "status", "tree");
		element(b, tree_fails ? "failure" : "skipped",
			st->note ? st->note : tree_fails ? "the tree does not match" : "not patched",
			NULL);
		ap_buf_puts(b, "    </testcase>\n  </testsuite>\n</testsuites>\n");
		return;
	}
	if (tree_fails) {
		case_open(b, "status", "tree");
		element(b, "failure", st->note ? st->note : "the tree does not match its record",
			NULL);
		ap_buf_puts(b, "    </testcase>\n");
	}
	for (size_t i = 0; i < st->npatches; i++) {
		const ap_status_patch *p = &st->patches[i];

		case_open(b, "status.patches", p->name);
		if (series_changed(p)) {
			char *m = ap_printf("%s in the series since it was applied (%s)", p->series,
					    p->status);

			element(b, "failure", m ? m : p->series, NULL);
			free(m);
		}
		ap_buf_puts(b, "    </testcase>\n");
	}
	for (size_t i = 0; i < st->nunapplied; i++) {
		case_open(b, "status.patches", st->unapplied[i]);
		element(b, "failure", "selected in the series now, not applied", NULL);
		ap_buf_puts(b, "    </testcase>\n");
	}
	case_open(b, "status", "files");
	if (dirty_files(st)) {
		ap_buf body = AP_BUF_INIT;
		char *m = ap_printf("%zu of %zu files no longer match what apply wrote",
				    dirty_files(st), st->nfiles);

		for (size_t i = 0; i < st->nfiles; i++)
			if (strcmp(st->files[i].state, "clean") != 0)
				ap_buf_printf(&body, "%s: %s\n", st->files[i].path, st->files[i].state);
		element(b, "failure", m ? m : "files changed", body.data ? body.data : "");
		ap_buf_free(&body);
		free(m);
	}
	ap_buf_puts(b, "    </testcase>\n  </testsuite>\n</testsuites>\n");
}

/* One annotation with a formatted message; FALLBACK stands in for it when
 * memory runs out. */
static void gh_linef(ap_buf *b, const char *level, const char *file, const char *title,
		     const char *fallback, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void gh_linef(ap_buf *b, const char *level, const char *file, const char *title,
		     const char *fallback, const char *fmt, ...)
{
	ap_buf m = AP_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	ap_buf_vprintf(&m, fmt, ap);
	va_end(ap);
	ap_report_gh_line(b, level, file, 0, title, m.data ? m.data : fallback);
	ap_buf_free(&m);
}

static void status_github(ap_buf *b, const ap_status *st)
{
	size_t failures = st->nunapplied + dirty_files(st);

	if (!st->applied) {
		ap_report_gh_line(b, st->drift ? "error" : "notice", NULL, 0, "status",
				  st->note ? st->note : st->drift ? "the tree does not match"
								  : "not patched");
		return;
	}
	for (size_t i = 0; i < st->npatches; i++)
		failures += series_changed(&st->patches[i]);
	if (tree_failure(st, failures))
		ap_report_gh_line(b, "error", NULL, 0, "status",
				  st->note ? st->note : "the tree does not match its record");
	for (size_t i = 0; i < st->npatches; i++)
		if (series_changed(&st->patches[i]))
			gh_linef(b, "error", NULL, "status", NULL,
				 "%s: %s in the series since it was applied", st->patches[i].name,
				 st->patches[i].series);
	for (size_t i = 0; i < st->nunapplied; i++)
		gh_linef(b, "error", NULL, "status", NULL,
			 "%s: selected in the series now, not applied", st->unapplied[i]);
	for (size_t i = 0; i < st->nfiles; i++)
		if (strcmp(st->files[i].state, "clean") != 0)
			gh_linef(b, "error", st->files[i].path, "status", NULL,
				 "%s: %s since apply wrote it", st->files[i].path,
				 st->files[i].state);
	if (st->note && !tree_failure(st, failures))
		ap_report_gh_line(b, "notice", NULL, 0, "status", st->note);
	gh_linef(b, "notice", NULL, "status", "patched",
		 "%s is patched for %s: %zu patch%s, %zu file%s%s", st->tree, st->platform,
		 st->npatches, st->npatches == 1 ? "" : "es", st->nfiles,
		 st->nfiles == 1 ? "" : "s",
		 st->drift ? "; it no longer matches what was applied" : "");
}

int ap_report_status_ci(ap_buf *out, const ap_status *st, ap_format format)
{
	(format == AP_FORMAT_JUNIT ? status_junit : status_github)(out, st);
	return 0;
}

static void list_junit(ap_buf *b, const ap_series *s)
{
	size_t skipped = 0;

	for (size_t i = 0; i < s->n; i++)
		skipped += !s->v[i].selected;
	ap_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"list\">\n"
		    "  <testsuite name=\"applypatch list ");
	ap_xml_escape(b, s->platform);
	ap_buf_printf(b, "\" tests=\"%zu\" failures=\"0\" errors=\"0\" skipped=\"%zu\">\n", s->n,
		      skipped);
	for (size_t i = 0; i < s->n; i++) {
		const ap_series_entry *e = &s->v[i];

		case_open(b, "list", e->name);
		if (!e->selected)
			element(b, "skipped", e->why, NULL);
		else {
			ap_buf_puts(b, "      <system-out>");
			ap_xml_escape(b, e->why);
			ap_buf_puts(b, "</system-out>\n");
		}
		ap_buf_puts(b, "    </testcase>\n");
	}
	if (s->nwarnings) {
		ap_buf_puts(b, "    <system-err>");
		for (size_t i = 0; i < s->nwarnings; i++) {
			ap_xml_escape(b, s->warnings[i].where);
			ap_buf_puts(b, ": ");
			ap_xml_escape(b, s->warnings[i].what);
			ap_buf_putc(b, '\n');
		}
		ap_buf_puts(b, "</system-err>\n");
	}
	ap_buf_puts(b, "  </testsuite>\n</testsuites>\n");
}

static void list_github(ap_buf *b, const ap_series *s)
{
	size_t nsel = 0;

	for (size_t i = 0; i < s->nwarnings; i++)
		ap_report_gh_where(b, "warning", s->warnings[i].where, "list", s->warnings[i].what);
	for (size_t i = 0; i < s->n; i++)
		nsel += s->v[i].selected;
	gh_linef(b, "notice", NULL, "list", "list", "%zu of %zu patches in %s selected for %s",
		 nsel, s->n, s->series_path ? s->series_path : s->dir, s->platform);
}

int ap_report_list_ci(ap_buf *out, const ap_series *s, ap_format format)
{
	(format == AP_FORMAT_JUNIT ? list_junit : list_github)(out, s);
	return 0;
}
