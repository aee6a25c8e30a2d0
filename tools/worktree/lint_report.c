/* lint_report.c - lint's findings as text, JSON, JUnit XML and GitHub
 * annotations. */
#include "report.h"

#include "json.h"

#include <stdlib.h>
#include <string.h>

/* Whether a finding ("PATH" or "PATH:LINE") is about path. */
static int about(const ap_finding *f, const char *path)
{
	size_t n = strlen(path);

	return strncmp(f->where, path, n) == 0 && (f->where[n] == '\0' || f->where[n] == ':');
}

static int about_any_patch(const ap_lint *l, const ap_finding *f)
{
	for (size_t p = 0; p < l->npaths; p++)
		if (about(f, l->paths[p]))
			return 1;
	return 0;
}

static void json(ap_buf *b, const ap_lint *l)
{
	ap_json j;

	ap_json_init(&j, b);
	ap_json_begin_object(&j, NULL);
	ap_json_string(&j, "patches_dir", l->dir);
	ap_json_int(&j, "patches", (long long)l->npatches);
	ap_json_begin_array(&j, "findings");
	for (size_t i = 0; i < l->n; i++) {
		ap_json_begin_object(&j, NULL);
		ap_json_string(&j, "where", l->v[i].where);
		ap_json_string(&j, "what", l->v[i].what);
		ap_json_end_object(&j);
	}
	ap_json_end_array(&j);
	ap_json_end_object(&j);
	ap_buf_putc(b, '\n');
}

static void junit_case(ap_buf *b, const ap_lint *l, const char *name, const char *path)
{
	size_t n = 0;

	ap_buf_puts(b, "    <testcase classname=\"lint\" name=\"");
	ap_xml_escape(b, name);
	ap_buf_puts(b, "\">\n");
	for (size_t i = 0; i < l->n; i++) {
		int mine = path ? about(&l->v[i], path) : !about_any_patch(l, &l->v[i]);

		if (!mine)
			continue;
		/* JUnit allows one failure per testcase: the first names the count */
		if (n++ == 0) {
			ap_buf_puts(b, "      <failure message=\"");
			ap_xml_escape(b, l->v[i].what);
			ap_buf_puts(b, "\">");
		}
		ap_xml_escape(b, l->v[i].where);
		ap_buf_puts(b, ": ");
		ap_xml_escape(b, l->v[i].what);
		ap_buf_putc(b, '\n');
	}
	if (n)
		ap_buf_puts(b, "</failure>\n");
	ap_buf_puts(b, "    </testcase>\n");
}

static void junit(ap_buf *b, const ap_lint *l)
{
	size_t failures = 0;

	for (size_t p = 0; p <= l->npaths; p++)
		for (size_t i = 0; i < l->n; i++)
			if (p < l->npaths ? about(&l->v[i], l->paths[p]) : !about_any_patch(l, &l->v[i])) {
				failures++;
				break;
			}
	ap_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"lint\">\n"
		    "  <testsuite name=\"lint\"");
	ap_buf_printf(b, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n",
		      l->npaths + 1, failures);
	junit_case(b, l, "series", NULL);
	for (size_t p = 0; p < l->npaths; p++) {
		const char *slash = strrchr(l->paths[p], '/');

		junit_case(b, l, slash ? slash + 1 : l->paths[p], l->paths[p]);
	}
	ap_buf_puts(b, "  </testsuite>\n</testsuites>\n");
}

void ap_report_lint(ap_buf *out, const ap_lint *l, ap_format format)
{
	switch (format) {
	case AP_FORMAT_JSON:
		json(out, l);
		break;
	case AP_FORMAT_JUNIT:
		junit(out, l);
		break;
	case AP_FORMAT_GITHUB:
		for (size_t i = 0; i < l->n; i++)
			ap_report_gh_where(out, "error", l->v[i].where, "lint", l->v[i].what);
		break;
	default: {
		ap_buf t = AP_BUF_INIT;

		for (size_t i = 0; i < l->n; i++)
			ap_buf_printf(&t, "%s: %s\n", l->v[i].where, l->v[i].what);
		if (!l->n)
			ap_buf_printf(&t, "lint: %zu patch%s, no findings\n", l->npatches,
				      l->npatches == 1 ? "" : "es");
		ap_report_text_finish(out, &t, 0);
	}
	}
}
