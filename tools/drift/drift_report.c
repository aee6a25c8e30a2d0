/* drift_report.c - renderings of the drift matrix. */
#include "drift_report.h"
#include "drift_verify.h"

#include "json.h"
#include "textsafe.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"
#define RESET "\033[0m"

void ap_drift_mark(ap_buf *out, const ap_drift_cell *c)
{
	switch (c->status) {
	case AP_DRIFT_APPLIES: ap_buf_puts(out, "ok"); break;
	case AP_DRIFT_DRIFTED: ap_buf_printf(out, "~%ld", c->max_offset); break;
	case AP_DRIFT_NEEDS_FUZZ: ap_buf_printf(out, "fuzz%d", c->fuzz); break;
	case AP_DRIFT_UPSTREAMED: ap_buf_puts(out, "UP"); break;
	case AP_DRIFT_PARTLY: ap_buf_puts(out, "part"); break;
	case AP_DRIFT_CONFLICT: ap_buf_puts(out, "FAIL"); break;
	case AP_DRIFT_SKIPPED: ap_buf_puts(out, "-"); break;
	case AP_DRIFT_ERROR: ap_buf_puts(out, "ERR"); break;
	}
	if (c->expected)
		ap_buf_putc(out, '*');
}

/* "upstreamed (2 of 3 hunks present from e73953fd3b0a, first released in
 * v4.11.0; the rest conflict)", for a patch upstream took in part or
 * wrote differently. */
void ap_drift_partial_phrase(ap_buf *b, const ap_drift_merge *m)
{
	ap_buf_printf(b, "upstreamed (%zu of %zu hunk%s present from %.12s", m->npresent, m->nhunks,
		      m->nhunks == 1 ? "" : "s", m->present_commit);
	if (m->present_tag)
		ap_buf_printf(b, ", first released in %s", m->present_tag);
	else
		ap_buf_puts(b, ", in no release tag yet");
	if (m->npresent < m->nhunks)
		ap_buf_puts(b, "; the rest conflict");
	ap_buf_putc(b, ')');
}

static const char *color_of(const ap_drift_cell *c)
{
	ap_drift_status s = c->status;

	if (c->expected)
		return CYAN;
	switch (s) {
	case AP_DRIFT_APPLIES: return GREEN;
	case AP_DRIFT_DRIFTED: case AP_DRIFT_NEEDS_FUZZ: return YELLOW;
	case AP_DRIFT_UPSTREAMED: return CYAN;
	case AP_DRIFT_PARTLY: case AP_DRIFT_CONFLICT: case AP_DRIFT_ERROR: return RED;
	default: return "";
	}
}

static char *col_title(const ap_drift *d, size_t c)
{
	int platforms = 0;

	for (size_t k = 0; k < d->ncols; k++)
		if (strcmp(d->cols[k].platform, d->cols[0].platform) != 0)
			platforms = 1;
	return platforms ? ap_printf("%s/%s", d->cols[c].label, d->cols[c].platform)
			 : ap_strdup(d->cols[c].label);
}

static size_t col_width(const ap_drift *d, size_t c)
{
	char *t = col_title(d, c);
	size_t w = t ? strlen(t) : 6;

	free(t);
	return w > 5 ? w : 5;
}

/* The terminal's width, to wrap a wide matrix into blocks of columns. */
static size_t screen_width(void)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 40)
		return ws.ws_col;
	if (env && atoi(env) > 40)
		return (size_t)atoi(env);
	return 132;
}

static void text_table(ap_buf *b, const ap_drift *d, int color)
{
	size_t namew = 5, width = screen_width();

	for (size_t i = 0; i < d->npatches; i++)
		if (strlen(d->names[i]) > namew)
			namew = strlen(d->names[i]);
	for (size_t i = 0; i < d->nwarnings; i++)
		ap_buf_printf(b, "warning: %s: %s\n", d->warnings[i].where, d->warnings[i].what);
	/* patch rows, version columns; many versions wrap into several blocks */
	for (size_t first = 0; first < d->ncols;) {
		size_t last = first, used = namew;

		while (last < d->ncols && (last == first || used + 2 + col_width(d, last) <= width))
			used += 2 + col_width(d, last++);
		if (first)
			ap_buf_putc(b, '\n');
		ap_buf_printf(b, "%-*s", (int)namew, "patch");
		for (size_t c = first; c < last; c++) {
			char *t = col_title(d, c);

			ap_buf_printf(b, "  %-*s", (int)col_width(d, c), t);
			free(t);
		}
		ap_buf_putc(b, '\n');
		for (size_t i = 0; i < d->npatches; i++) {
			ap_buf_printf(b, "%-*s", (int)namew, d->names[i]);
			for (size_t c = first; c < last; c++) {
				const ap_drift_cell *cell = &d->cells[i * d->ncols + c];
				ap_buf m = AP_BUF_INIT;

				ap_drift_mark(&m, cell);
				ap_buf_printf(b, "  %s%-*s%s", color ? color_of(cell) : "",
					      (int)col_width(d, c), m.data, color ? RESET : "");
				ap_buf_free(&m);
			}
			ap_buf_putc(b, '\n');
		}
		first = last;
	}
	ap_buf_puts(b, "\nok exact   ~N offsets up to N   fuzzN needs fuzz N   UP upstreamed   "
		    "part partly upstreamed   FAIL conflict   - not selected   ERR error\n"
		    "* expected: the patch's Applied-Upstream says upstream has it by this version,\n"
		    "  or verify found the version does not need it (--verify-report)\n");
	for (size_t i = 0; i < d->npatches; i++) {
		int shown = 0;

		for (size_t c = 0; c < d->ncols; c++) {
			const ap_drift_cell *cell = &d->cells[i * d->ncols + c];
			char *t = col_title(d, c);

			if (cell->status == AP_DRIFT_UPSTREAMED && !shown) {
				ap_buf_printf(b, "%s: upstreamed at %s (%s)\n", d->names[i], t, cell->rule);
				shown = 1;
			}
			if (cell->status == AP_DRIFT_ERROR)
				ap_buf_printf(b, "%s at %s: %s\n", d->names[i], t,
					      cell->error ? cell->error : "error");
			if (cell->verify) {
				ap_buf_printf(b, "%s at %s: ", d->names[i], t);
				ap_drift_verify_phrase(b, cell);
				ap_buf_putc(b, '\n');
			}
			free(t);
		}
		if (d->merges && d->merges[i].commit)
			ap_buf_printf(b, "%s: first upstream in commit %.12s%s%s\n", d->names[i],
				      d->merges[i].commit,
				      d->merges[i].tag ? ", first released in " : ", in no release tag yet",
				      d->merges[i].tag ? d->merges[i].tag : "");
		if (d->merges && d->merges[i].npresent) {
			const ap_drift_merge *m = &d->merges[i];

			ap_buf_printf(b, "%s: ", d->names[i]);
			ap_drift_partial_phrase(b, m);
			ap_buf_putc(b, '\n');
			for (size_t h = 0; h < m->nhunks; h++) {
				if (m->hunks[h].commit && m->hunks[h].tag)
					ap_buf_printf(b, "  hunk %zu of %s: present from %.12s (%s)\n",
						      m->hunks[h].hunk, m->hunks[h].file, m->hunks[h].commit,
						      m->hunks[h].tag);
				else if (m->hunks[h].commit)
					ap_buf_printf(b, "  hunk %zu of %s: present from %.12s, in no "
						      "release tag yet\n", m->hunks[h].hunk, m->hunks[h].file,
						      m->hunks[h].commit);
				else
					ap_buf_printf(b, "  hunk %zu of %s: conflicts\n", m->hunks[h].hunk,
						      m->hunks[h].file);
			}
		}
		if (d->merges && d->merges[i].applied_upstream)
			ap_buf_printf(b, "%s: Applied-Upstream: %s (columns from there on are expected, "
				      "marked *)\n", d->names[i], d->merges[i].applied_upstream);
	}
}

/* Untrusted text (a patch name, an upstream tag) as Markdown shows it. */
static void md(ap_buf *b, const char *s)
{
	if (s)
		ap_md_escape(b, s, strlen(s));
}

static void markdown(ap_buf *b, const ap_drift *d)
{
	ap_buf_puts(b, "| patch |");
	for (size_t c = 0; c < d->ncols; c++) {
		char *t = col_title(d, c);

		ap_buf_putc(b, ' ');
		md(b, t);
		ap_buf_puts(b, " |");
		free(t);
	}
	ap_buf_puts(b, "\n|---|");
	for (size_t c = 0; c < d->ncols; c++)
		ap_buf_puts(b, "---|");
	ap_buf_putc(b, '\n');
	for (size_t i = 0; i < d->npatches; i++) {
		ap_buf_puts(b, "| ");
		md(b, d->names[i]);
		ap_buf_puts(b, " |");
		for (size_t c = 0; c < d->ncols; c++) {
			const ap_drift_cell *cell = &d->cells[i * d->ncols + c];
			static const char *const icon[] = {
				"✅", "🟡", "🟠", "⬆️", "🔶", "❌", "", "⚠️",
			};
			ap_buf m = AP_BUF_INIT;

			ap_drift_mark(&m, cell);
			ap_buf_printf(b, " %s %s |", icon[cell->status], m.data);
			ap_buf_free(&m);
		}
		ap_buf_putc(b, '\n');
	}
	ap_buf_puts(b, "\n✅ ok: exact · 🟡 ~N: offsets · 🟠 fuzzN: needs fuzz · ⬆️ UP: upstreamed · "
		    "🔶 part: partly upstreamed · ❌ FAIL: conflict · -: not selected\n");
	for (size_t i = 0; i < d->npatches; i++)
		for (size_t c = 0; c < d->ncols; c++)
			if (d->cells[i * d->ncols + c].verify) {
				char *t = col_title(d, c);
				ap_buf_putc(b, '\n');
				md(b, d->names[i]);
				ap_buf_puts(b, " at ");
				md(b, t);
				ap_buf_puts(b, ": ");
				ap_drift_verify_phrase(b, &d->cells[i * d->ncols + c]);
				ap_buf_putc(b, '\n');
				free(t);
			}
	for (size_t i = 0; i < d->npatches; i++)
		if (d->merges && d->merges[i].commit) {
			ap_buf_putc(b, '\n');
			md(b, d->names[i]);
			ap_buf_puts(b, " is upstream since commit ");
			ap_md_escape(b, d->merges[i].commit, strnlen(d->merges[i].commit, 12));
			if (d->merges[i].tag) {
				ap_buf_puts(b, ", released in ");
				md(b, d->merges[i].tag);
			}
			ap_buf_putc(b, '\n');
		}
}

static void json(ap_buf *b, const ap_drift *d)
{
	ap_json j;

	ap_json_init(&j, b);
	ap_json_begin_object(&j, NULL);
	ap_json_string(&j, "patches_dir", d->patches_dir);
	ap_json_begin_array(&j, "versions");
	for (size_t c = 0; c < d->ncols; c++) {
		ap_json_begin_object(&j, NULL);
		ap_json_string(&j, "label", d->cols[c].label);
		ap_json_string(&j, "platform", d->cols[c].platform);
		ap_json_string(&j, "commit", d->cols[c].commit);
		ap_json_end_object(&j);
	}
	ap_json_end_array(&j);
	ap_json_begin_array(&j, "patches");
	for (size_t i = 0; i < d->npatches; i++) {
		ap_json_begin_object(&j, NULL);
		ap_json_string(&j, "name", d->names[i]);
		if (d->merges && d->merges[i].commit) {
			ap_json_begin_object(&j, "upstream");
			ap_json_string(&j, "commit", d->merges[i].commit);
			ap_json_string(&j, "summary", d->merges[i].summary);
			ap_json_string(&j, "tag", d->merges[i].tag);
			ap_json_end_object(&j);
		}
		if (d->merges && d->merges[i].npresent) {
			const ap_drift_merge *m = &d->merges[i];
			ap_buf phrase = AP_BUF_INIT;

			ap_drift_partial_phrase(&phrase, m);
			ap_json_begin_object(&j, "partly_upstream");
			ap_json_string(&j, "summary", phrase.data);
			ap_json_int(&j, "present", (long long)m->npresent);
			ap_json_int(&j, "hunks", (long long)m->nhunks);
			ap_json_string(&j, "commit", m->present_commit);
			ap_json_string(&j, "tag", m->present_tag);
			ap_json_begin_array(&j, "per_hunk");
			for (size_t h = 0; h < m->nhunks; h++) {
				ap_json_begin_object(&j, NULL);
				ap_json_string(&j, "file", m->hunks[h].file);
				ap_json_int(&j, "hunk", (long long)m->hunks[h].hunk);
				ap_json_string(&j, "commit", m->hunks[h].commit);
				ap_json_string(&j, "tag", m->hunks[h].tag);
				ap_json_end_object(&j);
			}
			ap_json_end_array(&j);
			ap_json_end_object(&j);
			ap_buf_free(&phrase);
		}
		if (d->merges)
			ap_json_string(&j, "applied_upstream", d->merges[i].applied_upstream);
		ap_json_begin_array(&j, "cells");
		for (size_t c = 0; c < d->ncols; c++) {
			const ap_drift_cell *cell = &d->cells[i * d->ncols + c];

			ap_json_begin_object(&j, NULL);
			ap_json_string(&j, "version", d->cols[c].label);
			ap_json_string(&j, "platform", d->cols[c].platform);
			ap_json_string(&j, "status", ap_drift_status_name(cell->status));
			ap_json_bool(&j, "expected", cell->expected);
			ap_json_string(&j, "rule", cell->rule);
			ap_json_int(&j, "fuzz", cell->fuzz);
			ap_json_int(&j, "max_offset", cell->max_offset);
			ap_json_string(&j, "error", cell->error);
			if (cell->verify)
				ap_json_string(&j, "verify", cell->verify);
			ap_json_begin_array(&j, "result");
			if (cell->status != AP_DRIFT_SKIPPED && cell->status != AP_DRIFT_ERROR)
				ap_report_json_patch(&j, &cell->result);
			ap_json_end_array(&j);
			ap_json_end_object(&j);
		}
		ap_json_end_array(&j);
		ap_json_end_object(&j);
	}
	ap_json_end_array(&j);
	ap_json_end_object(&j);
	ap_buf_putc(b, '\n');
}

/* What a cell's message adds after its status: the rule that decided it,
 * the error, and that patch I's Applied-Upstream header expected it. */
static void cell_why(ap_buf *m, const ap_drift *d, size_t i, const ap_drift_cell *cell)
{
	if (cell->rule)
		ap_buf_printf(m, " (%s)", cell->rule);
	if (cell->error)
		ap_buf_printf(m, ": %s", cell->error);
	if (cell->expected)
		ap_buf_printf(m, " (expected: Applied-Upstream: %s)",
			      d->merges[i].applied_upstream);
}

static void junit(ap_buf *b, const ap_drift *d)
{
	ap_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"drift\">\n");
	for (size_t c = 0; c < d->ncols; c++) {
		size_t failures = 0, skipped = 0;
		char *t = col_title(d, c);

		for (size_t i = 0; i < d->npatches; i++) {
			ap_drift_status s = d->cells[i * d->ncols + c].status;

			failures += !d->cells[i * d->ncols + c].expected &&
				    (s == AP_DRIFT_CONFLICT || s == AP_DRIFT_PARTLY || s == AP_DRIFT_ERROR);
			skipped += s == AP_DRIFT_SKIPPED;
		}
		ap_buf_puts(b, "  <testsuite name=\"");
		ap_xml_escape(b, t);
		ap_buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
			      d->npatches, failures, skipped);
		for (size_t i = 0; i < d->npatches; i++) {
			const ap_drift_cell *cell = &d->cells[i * d->ncols + c];
			ap_buf m = AP_BUF_INIT;

			ap_buf_puts(b, "    <testcase classname=\"drift.");
			ap_xml_escape(b, t);
			ap_buf_puts(b, "\" name=\"");
			ap_xml_escape(b, d->names[i]);
			ap_buf_puts(b, "\">\n");
			ap_buf_printf(&m, "%s", ap_drift_status_name(cell->status));
			cell_why(&m, d, i, cell);
			if (cell->status == AP_DRIFT_SKIPPED) {
				ap_buf_puts(b, "      <skipped message=\"");
				ap_xml_escape(b, cell->result.reason ? cell->result.reason : "not selected");
				ap_buf_puts(b, "\"/>\n");
			} else if (!cell->expected &&
				   (cell->status == AP_DRIFT_CONFLICT || cell->status == AP_DRIFT_PARTLY ||
				    cell->status == AP_DRIFT_ERROR)) {
				ap_buf_puts(b, "      <failure message=\"");
				ap_xml_escape(b, m.data);
				ap_buf_puts(b, "\">");
				for (size_t f = 0; f < cell->result.nfiles; f++)
					for (size_t h = 0; h < cell->result.files[f].nhunks; h++) {
						ap_buf line = AP_BUF_INIT;

						ap_buf_printf(&line, "%s: hunk %zu: ", cell->result.files[f].path, h + 1);
						ap_report_hunk_phrase(&line, &cell->result.files[f].hunks[h]);
						ap_buf_putc(&line, '\n');
						ap_xml_escape(b, line.data);
						ap_buf_free(&line);
					}
				ap_buf_puts(b, "</failure>\n");
			} else {
				ap_buf_puts(b, "      <system-out>");
				ap_xml_escape(b, m.data);
				ap_buf_puts(b, "</system-out>\n");
			}
			ap_buf_puts(b, "    </testcase>\n");
			ap_buf_free(&m);
		}
		ap_buf_puts(b, "  </testsuite>\n");
		free(t);
	}
	ap_buf_puts(b, "</testsuites>\n");
}

/* The patch line an annotation points at: the first hunk that failed or
 * moved, else the patch's first line. */
static size_t cell_line(const ap_drift_cell *cell)
{
	size_t first = 0;

	for (size_t f = 0; f < cell->result.nfiles; f++)
		for (size_t h = 0; h < cell->result.files[f].nhunks; h++) {
			const ap_hunk_result *hr = &cell->result.files[f].hunks[h];

			if (!first)
				first = hr->lineno;
			if (hr->pl.outcome == AP_HUNK_FAILED || hr->pl.outcome == AP_HUNK_OFFSET ||
			    hr->pl.outcome == AP_HUNK_FUZZ)
				return hr->lineno;
		}
	return first;
}

static void github(ap_buf *b, const ap_drift *d)
{
	for (size_t i = 0; i < d->npatches; i++)
		for (size_t c = 0; c < d->ncols; c++) {
			const ap_drift_cell *cell = &d->cells[i * d->ncols + c];
			const char *level;
			char *t = col_title(d, c), *file;
			ap_buf m = AP_BUF_INIT;

			switch (cell->status) {
			case AP_DRIFT_CONFLICT: case AP_DRIFT_PARTLY: case AP_DRIFT_ERROR:
				level = cell->expected ? "notice" : "error";
				break;
			case AP_DRIFT_DRIFTED: case AP_DRIFT_NEEDS_FUZZ:
				level = "warning";
				break;
			case AP_DRIFT_UPSTREAMED:
				level = "notice";
				break;
			default:
				level = NULL;
			}
			if (level) {
				ap_buf_printf(&m, "%s against %s: %s", d->names[i], t,
					      ap_drift_status_name(cell->status));
				if (cell->status == AP_DRIFT_DRIFTED)
					ap_buf_printf(&m, " (offsets up to %ld lines)", cell->max_offset);
				if (cell->status == AP_DRIFT_NEEDS_FUZZ)
					ap_buf_printf(&m, " (fuzz %d)", cell->fuzz);
				cell_why(&m, d, i, cell);
				file = ap_printf("%s/%s", d->patches_dir, d->names[i]);
				ap_report_gh_line(b, level, file, cell_line(cell), "drift", m.data);
				free(file);
			}
			ap_buf_free(&m);
			free(t);
		}
}

int ap_drift_report(ap_buf *out, const ap_drift *d, ap_format format, int color)
{
	ap_buf t = AP_BUF_INIT;

	switch (format) {
	case AP_FORMAT_JSON: json(out, d); break;
	case AP_FORMAT_JUNIT: junit(out, d); break;
	case AP_FORMAT_GITHUB: github(out, d); break;
	case AP_FORMAT_MARKDOWN:
		markdown(&t, d);
		ap_report_text_finish(out, &t, 0);
		break;
	default:
		text_table(&t, d, color);
		ap_report_text_finish(out, &t, color);
		break;
	}
	return 0;
}
