/* refresh_report.c - refresh's results as text, JSON, JUnit XML (one
 * testcase per patch; a patch left for a person is a failure, one already
 * upstream is noted) and GitHub annotations. */
#include "refresh_report.h"

#include "json.h"
#include "textsafe.h"

#include <stdlib.h>
#include <string.h>

int ap_refresh_item_left(const ap_refresh_item *it)
{
	return strcmp(it->action, "exact") != 0 && strcmp(it->action, "refreshed") != 0 &&
	       strcmp(it->action, "upstreamed") != 0;
}

static void text(ap_buf *b, const ap_refresh_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		ap_buf_printf(b, "  %-40s %-18s %s\n", r->v[i].name, r->v[i].action,
			      r->v[i].detail ? r->v[i].detail : "");
		/* --dry-run: what would change in the patch file */
		if (r->v[i].diff)
			ap_buf_printf(b, "--- %s\n+++ %s (refreshed)\n%s", r->v[i].name, r->v[i].name,
				      r->v[i].diff);
	}
	ap_buf_printf(b, "%zu refreshed, %zu left for a person\n", r->refreshed, r->left);
}

static void json(ap_buf *b, const ap_refresh_result *r)
{
	ap_json j;

	ap_json_init(&j, b);
	ap_json_begin_object(&j, NULL);
	ap_json_int(&j, "refreshed", (long long)r->refreshed);
	ap_json_int(&j, "left", (long long)r->left);
	ap_json_begin_array(&j, "patches");
	for (size_t i = 0; i < r->n; i++) {
		ap_json_begin_object(&j, NULL);
		ap_json_string(&j, "name", r->v[i].name);
		ap_json_string(&j, "action", r->v[i].action);
		ap_json_string(&j, "detail", r->v[i].detail);
		ap_json_string(&j, "diff", r->v[i].diff);
		ap_json_end_object(&j);
	}
	ap_json_end_array(&j);
	ap_json_end_object(&j);
	ap_buf_putc(b, '\n');
}

static void junit(ap_buf *b, const ap_refresh_result *r)
{
	size_t failures = 0;

	for (size_t i = 0; i < r->n; i++)
		failures += ap_refresh_item_left(&r->v[i]);
	ap_buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"refresh\">\n"
		      "  <testsuite name=\"refresh\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		      "skipped=\"0\">\n", r->n, failures);
	for (size_t i = 0; i < r->n; i++) {
		const ap_refresh_item *it = &r->v[i];

		ap_buf_puts(b, "    <testcase classname=\"refresh\" name=\"");
		ap_xml_escape(b, it->name);
		ap_buf_puts(b, "\">\n");
		if (ap_refresh_item_left(it)) {
			ap_buf_puts(b, "      <failure message=\"");
			ap_xml_escape(b, it->action);
			ap_buf_puts(b, "\">");
			ap_xml_escape(b, it->detail);
			ap_buf_puts(b, "</failure>\n");
		} else {
			ap_buf_puts(b, "      <system-out>");
			ap_xml_escape(b, it->action);
			if (it->detail) {
				ap_buf_puts(b, ": ");
				ap_xml_escape(b, it->detail);
			}
			ap_buf_puts(b, "</system-out>\n");
		}
		ap_buf_puts(b, "    </testcase>\n");
	}
	ap_buf_puts(b, "  </testsuite>\n</testsuites>\n");
}

static void github(ap_buf *b, const ap_refresh_result *r, const char *patches_dir)
{
	for (size_t i = 0; i < r->n; i++) {
		const ap_refresh_item *it = &r->v[i];
		const char *level = ap_refresh_item_left(it) ? "error"
				    : strcmp(it->action, "exact") == 0 ? NULL : "notice";
		char *file, *msg;

		if (!level)
			continue;
		file = ap_printf("%s/%s", patches_dir ? patches_dir : "patches", it->name);
		msg = ap_printf("%s: %s%s%s", it->name, it->action, it->detail ? ": " : "",
				it->detail ? it->detail : "");
		ap_report_gh_line(b, level, file, 0, "refresh", msg);
		free(file);
		free(msg);
	}
}

int ap_refresh_report(ap_buf *out, const ap_refresh_result *r, const char *patches_dir,
		      ap_format format, int color)
{
	ap_buf t = AP_BUF_INIT;

	switch (format) {
	case AP_FORMAT_JSON: json(out, r); break;
	case AP_FORMAT_JUNIT: junit(out, r); break;
	case AP_FORMAT_GITHUB: github(out, r, patches_dir); break;
	default:
		text(&t, r);
		ap_report_text_finish(out, &t, color);
	}
	return 0;
}
