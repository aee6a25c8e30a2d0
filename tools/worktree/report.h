/* report.h - what a run did, for people (text) and for CI (JSON, JUnit
 * XML, GitHub annotations). Renders into a buffer; the CLI prints it.
 *
 *   ap_format_parse       "text", "json", "junit", "github" to an ap_format
 *   ap_report_run         apply / unapply (report.c)
 *   ap_report_status      status; ap_report_list: the series for a platform
 *   ap_report_*_ci        status and list as JUnit or GitHub (status_report.c)
 *   ap_report_lint        lint's findings (lint_report.c)
 *   ap_report_gh_line     one GitHub annotation; _gh_where from "FILE:LINE"
 *   the rest              pieces drift and refresh reports share
 */
#ifndef AP_REPORT_H
#define AP_REPORT_H

#include "buf.h"
#include "json.h"
#include "lint.h"
#include "series.h"
#include "worktree.h"

typedef enum ap_format {
	AP_FORMAT_TEXT,
	AP_FORMAT_JSON,
	AP_FORMAT_JUNIT,
	AP_FORMAT_GITHUB,
	AP_FORMAT_MARKDOWN,
} ap_format;

/* Parses "text", "json", ... ; -1 for an unknown name. */
int ap_format_parse(const char *name, ap_format *out);

typedef struct ap_report_opts {
	ap_format format;
	int color;                 /* ANSI colours in text */
	int verbose;               /* text: every hunk, not only the notable ones */
	const char *command;       /* "apply", "unapply", "apply --dry-run", "unapply --dry-run" */
} ap_report_opts;

int ap_report_run(ap_buf *out, const ap_run *run, const ap_report_opts *o);
int ap_report_status(ap_buf *out, const ap_status *st, const ap_report_opts *o);
int ap_report_list(ap_buf *out, const ap_series *s, const ap_report_opts *o);

/* status and list as JUnit XML or GitHub annotations (status_report.c;
 * ap_report_status and ap_report_list call them for those formats). */
int ap_report_status_ci(ap_buf *out, const ap_status *st, ap_format format);
int ap_report_list_ci(ap_buf *out, const ap_series *s, ap_format format);

/* One GitHub workflow command: "::LEVEL file=F,line=N,title=T::MSG", with
 * %, CR and LF escaped everywhere and ':' and ',' in properties; a file
 * without a line (0) gets line=1. _where takes a finding's "PATH:LINE". */
void ap_report_gh_line(ap_buf *b, const char *level, const char *file, size_t line,
		       const char *title, const char *msg);
void ap_report_gh_where(ap_buf *b, const char *level, const char *where, const char *title,
			const char *msg);

/* Appends text made safe for a terminal (ap_term_escape; our colours kept
 * when color) and frees text: every text rendering ends here. */
void ap_report_text_finish(ap_buf *out, ap_buf *text, int color);

/* lint's findings: text (one "where: what" line each), json, junit (a
 * testcase per patch and one for the series) or github annotations. */
void ap_report_lint(ap_buf *out, const ap_lint *l, ap_format format);

/* One hunk's fate in a few words: "offset +3 at line 120". */
int ap_report_hunk_phrase(ap_buf *out, const ap_hunk_result *h);

/* One patch result as a JSON object (shared with drift). */
void ap_report_json_patch(ap_json *j, const ap_patch_result *r);

#endif
