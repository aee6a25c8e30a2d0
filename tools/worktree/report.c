/* report.c - text, JSON, JUnit and GitHub renderings of runs. */
#include "report.h"

#include "json.h"
#include "textsafe.h"

#include <stdlib.h>
#include <string.h>

#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

int ap_format_parse(const char *name, ap_format *out)
{
	static const struct { const char *name; ap_format f; } names[] = {
		{ "text", AP_FORMAT_TEXT }, { "json", AP_FORMAT_JSON },
		{ "junit", AP_FORMAT_JUNIT }, { "github", AP_FORMAT_GITHUB },
		{ "markdown", AP_FORMAT_MARKDOWN },
	};

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(name, names[i].name) == 0) {
			*out = names[i].f;
			return 0;
		}
	return -1;
}

/* Text is rendered whole, then made safe for a terminal in one pass
 * (textsafe.h): no name or message reaches it raw, only our colours. */
void ap_report_text_finish(ap_buf *out, ap_buf *text, int color)
{
	ap_term_escape(out, text->data, text->len, color);
	ap_buf_free(text);
}

static const char *paint(const ap_report_opts *o, const char *code)
{
	return o->color ? code : "";
}

int ap_report_hunk_phrase(ap_buf *out, const ap_hunk_result *h)
{
	const ap_placement *p = &h->pl;

	switch (p->outcome) {
	case AP_HUNK_EXACT:
		ap_buf_printf(out, "exact at line %ld", p->line);
		break;
	case AP_HUNK_OFFSET:
		ap_buf_printf(out, "offset %+ld at line %ld", p->offset, p->line);
		break;
	case AP_HUNK_FUZZ:
		ap_buf_printf(out, "fuzz %d, offset %+ld at line %ld", p->fuzz, p->offset, p->line);
		break;
	case AP_HUNK_ALREADY:
		if (p->line)
			ap_buf_printf(out, "already applied (at line %ld)", p->line);
		else
			ap_buf_puts(out, "already applied");
		break;
	case AP_HUNK_FAILED:
		if (p->near_total)
			ap_buf_printf(out, "FAILED; nearest partial match at line %ld (%zu of %zu lines "
				      "match)", p->line, p->near_matched, p->near_total);
		else
			ap_buf_puts(out, "FAILED");
		break;
	}
	if (p->eol_converted)
		ap_buf_puts(out, ", line endings converted to the file's");
	return 0;
}

static const char *status_color(enum ap_patch_status s)
{
	switch (s) {
	case AP_PATCH_APPLIED: return GREEN;
	case AP_PATCH_ALREADY: return YELLOW;
	case AP_PATCH_PRESENT: return YELLOW;
	case AP_PATCH_FAILED: return RED;
	default: return "";
	}
}

static int notable(const ap_hunk_result *h)
{
	return h->pl.outcome != AP_HUNK_EXACT || h->pl.eol_converted;
}

/* name, then spaces to width columns: padded by what the terminal will
 * show (names are escaped after rendering), not by bytes */
static void padded(ap_buf *b, const char *name, size_t width)
{
	size_t w = ap_term_width(name);

	ap_buf_puts(b, name);
	while (w++ < width)
		ap_buf_putc(b, ' ');
}

static void text_run(ap_buf *b, const ap_run *run, const ap_report_opts *o)
{
	size_t width = 0, nsel = 0;

	for (size_t i = 0; i < run->n; i++) {
		size_t w = ap_term_width(run->patches[i].name);

		width = w > width ? w : width;
		nsel += run->patches[i].selected;
	}
	if (width > 48)
		width = 48;
	for (size_t i = 0; i < run->nwarnings; i++)
		ap_buf_printf(b, "%swarning:%s %s: %s\n", paint(o, YELLOW), paint(o, RESET),
			      run->warnings[i].where, run->warnings[i].what);
	ap_buf_printf(b, "%s%s%s %s (%s, %zu of %zu patches selected)\n", paint(o, BOLD),
		      o->command ? o->command : "apply", paint(o, RESET), run->tree,
		      run->platform ? run->platform : "?", nsel, run->n);
	for (size_t i = 0; i < run->n; i++) {
		const ap_patch_result *r = &run->patches[i];
		const char *st = ap_patch_status_name(r->status);

		ap_buf_puts(b, "  ");
		padded(b, r->name, width);
		ap_buf_printf(b, "  %s%s%s", paint(o, status_color(r->status)),
			      r->status == AP_PATCH_FAILED ? "FAILED" : st, paint(o, RESET));
		if (r->reason && r->status != AP_PATCH_APPLIED)
			ap_buf_printf(b, ": %s", r->reason);
		ap_buf_putc(b, '\n');
		for (size_t f = 0; f < r->nfiles; f++) {
			const ap_file_result *fr = &r->files[f];
			int shown = 0;

			for (size_t h = 0; h < fr->nhunks; h++) {
				if (!o->verbose && !notable(&fr->hunks[h]) && r->status != AP_PATCH_FAILED)
					continue;
				if (r->status == AP_PATCH_FAILED && fr->outcome != AP_FILE_FAILED &&
				    !o->verbose)
					continue;
				ap_buf_printf(b, "      %s: hunk %zu (%s/%s:%zu) ", fr->path, h + 1,
					      run->patches_dir, r->name, fr->hunks[h].lineno);
				if (fr->hunks[h].pl.outcome == AP_HUNK_FAILED)
					ap_buf_puts(b, paint(o, RED));
				ap_report_hunk_phrase(b, &fr->hunks[h]);
				if (fr->hunks[h].pl.outcome == AP_HUNK_FAILED)
					ap_buf_puts(b, paint(o, RESET));
				ap_buf_putc(b, '\n');
				shown = 1;
			}
			if (fr->error)
				ap_buf_printf(b, "      %s: %s\n", fr->path, fr->error);
			else if (!shown && o->verbose && fr->nhunks == 0)
				ap_buf_printf(b, "      %s: %s\n", fr->path, ap_file_op_name(fr->op));
		}
	}
	if (run->note)
		ap_buf_printf(b, "%s\n", run->note);
	if (run->failed)
		ap_buf_printf(b, "%sfailed:%s nothing in %s was changed\n", paint(o, RED),
			      paint(o, RESET), run->tree);
	else if (run->dry_run && o->command && strncmp(o->command, "unapply", 7) == 0)
		ap_buf_printf(b, "dry run: unapply would restore the tree as it was; nothing was "
			      "written\n");
	else if (run->dry_run)
		ap_buf_printf(b, "dry run: every selected patch would apply; nothing was written\n");
	else if (run->files_written)
		ap_buf_printf(b, "%zu file%s written\n", run->files_written,
			      run->files_written == 1 ? "" : "s");
}

static void json_hunk(ap_json *j, size_t index, const ap_hunk_result *h)
{
	const ap_placement *p = &h->pl;

	ap_json_begin_object(j, NULL);
	ap_json_int(j, "index", (long long)index);
	ap_json_string(j, "outcome", ap_outcome_name(p->outcome));
	ap_json_int(j, "offset", p->offset);
	ap_json_int(j, "fuzz", p->fuzz);
	ap_json_int(j, "line", p->line);
	ap_json_int(j, "patch_line", (long long)h->lineno);
	ap_json_bool(j, "eol_converted", p->eol_converted);
	if (p->outcome == AP_HUNK_FAILED) {
		ap_json_begin_object(j, "near_match");
		ap_json_int(j, "line", p->line);
		ap_json_int(j, "matched", (long long)p->near_matched);
		ap_json_int(j, "of", (long long)p->near_total);
		ap_json_end_object(j);
	}
	ap_json_end_object(j);
}

void ap_report_json_patch(ap_json *j, const ap_patch_result *r)
{
	ap_json_begin_object(j, NULL);
	ap_json_string(j, "name", r->name);
	ap_json_string(j, "sha256", r->sha256[0] ? r->sha256 : NULL);
	ap_json_string(j, "status", ap_patch_status_name(r->status));
	ap_json_string(j, "reason", r->reason);
	ap_json_bool(j, "selected", r->selected);
	ap_json_string(j, "why", r->why);
	ap_json_begin_array(j, "files");
	for (size_t f = 0; f < r->nfiles; f++) {
		const ap_file_result *fr = &r->files[f];

		ap_json_begin_object(j, NULL);
		ap_json_string(j, "path", fr->path);
		if (fr->old_path)
			ap_json_string(j, "old_path", fr->old_path);
		ap_json_string(j, "op", ap_file_op_name(fr->op));
		ap_json_string(j, "outcome", fr->outcome == AP_FILE_APPLIED ? "applied"
				   : fr->outcome == AP_FILE_ALREADY ? "already-applied" : "failed");
		ap_json_string(j, "error", fr->error);
		ap_json_begin_array(j, "hunks");
		for (size_t h = 0; h < fr->nhunks; h++)
			json_hunk(j, h + 1, &fr->hunks[h]);
		ap_json_end_array(j);
		ap_json_end_object(j);
	}
	ap_json_end_array(j);
	ap_json_end_object(j);
}

static void json_run(ap_buf *b, const ap_run *run, const ap_report_opts *o)
{
	ap_json j;

	ap_json_init(&j, b);
	ap_json_begin_object(&j, NULL);
	ap_json_string(&j, "command", o->command);
	ap_json_string(&j, "platform", run->platform);
	ap_json_string(&j, "tree", run->tree);
	ap_json_string(&j, "patches_dir", run->patches_dir);
	ap_json_bool(&j, "dry_run", run->dry_run);
	ap_json_bool(&j, "ok", !run->failed);
	ap_json_string(&j, "note", run->note);
	ap_json_int(&j, "files_written", (long long)run->files_written);
	ap_json_begin_array(&j, "patches");
	for (size_t i = 0; i < run->n; i++)
		ap_report_json_patch(&j, &run->patches[i]);
	ap_json_end_array(&j);
	ap_json_begin_array(&j, "warnings");
	for (size_t i = 0; i < run->nwarnings; i++) {
		ap_json_begin_object(&j, NULL);
		ap_json_string(&j, "where", run->warnings[i].where);
		ap_json_string(&j, "what", run->warnings[i].what);
		ap_json_end_object(&j);
	}
	ap_json_end_array(&j);
	ap_json_end_object(&j);
	ap_buf_putc(b, '\n');
}

static void junit_run(ap_buf *b, const ap_run *run)
{
	size_t failures = 0, skipped = 0;

	for (size_t i = 0; i < run->n; i++) {
		failures += run->patches[i].status == AP_PATCH_FAILED;
		skipped += run->patches[i].status == AP_PATCH_SKIPPED;
	}
	ap_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
	ap_buf_puts(b, "  <testsuite name=\"applypatch ");
	ap_xml_escape(b, run->platform);
	ap_buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
		      run->n, failures, skipped);
	for (size_t i = 0; i < run->n; i++) {
		const ap_patch_result *r = &run->patches[i];

		ap_buf_puts(b, "    <testcase classname=\"applypatch.");
		ap_xml_escape(b, run->platform);
		ap_buf_puts(b, "\" name=\"");
		ap_xml_escape(b, r->name);
		ap_buf_puts(b, "\"");
		if (r->status != AP_PATCH_FAILED && r->status != AP_PATCH_SKIPPED) {
			ap_buf_puts(b, "/>\n");
			continue;
		}
		ap_buf_puts(b, ">\n");
		if (r->status == AP_PATCH_SKIPPED) {
			ap_buf_puts(b, "      <skipped message=\"");
			ap_xml_escape(b, r->reason);
			ap_buf_puts(b, "\"/>\n");
		} else {
			ap_buf_puts(b, "      <failure message=\"");
			ap_xml_escape(b, r->reason);
			ap_buf_puts(b, "\">");
			for (size_t f = 0; f < r->nfiles; f++) {
				const ap_file_result *fr = &r->files[f];

				for (size_t h = 0; h < fr->nhunks; h++) {
					ap_buf t = AP_BUF_INIT;

					ap_buf_printf(&t, "%s: hunk %zu: ", fr->path, h + 1);
					ap_report_hunk_phrase(&t, &fr->hunks[h]);
					ap_buf_putc(&t, '\n');
					ap_xml_escape(b, t.data);
					ap_buf_free(&t);
				}
				if (fr->error) {
					ap_xml_escape(b, fr->path);
					ap_buf_puts(b, ": ");
					ap_xml_escape(b, fr->error);
					ap_buf_putc(b, '\n');
				}
			}
			ap_buf_puts(b, "</failure>\n");
		}
		ap_buf_puts(b, "    </testcase>\n");
	}
	ap_buf_puts(b, "  </testsuite>\n</testsuites>\n");
}

void ap_report_gh_line(ap_buf *b, const char *level, const char *file, size_t line,
		       const char *title, const char *msg)
{
	ap_buf_printf(b, "::%s%s", level, file || title ? " " : "");
	if (file) {
		ap_buf_puts(b, "file=");
		ap_gh_escape(b, file, 1);
		/* an annotation without a line is shown on none; a patch's
		 * first line is its header */
		ap_buf_printf(b, ",line=%zu", line ? line : 1);
	}
	if (title) {
		ap_buf_puts(b, file ? ",title=" : "title=");
		ap_gh_escape(b, title, 1);
	}
	ap_buf_puts(b, "::");
	ap_gh_escape(b, msg, 0);
	ap_buf_putc(b, '\n');
}

void ap_report_gh_where(ap_buf *b, const char *level, const char *where, const char *title,
			const char *msg)
{
	const char *colon = where ? strrchr(where, ':') : NULL;

	if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		char *file = ap_strndup(where, (size_t)(colon - where));

		ap_report_gh_line(b, level, file, strtoul(colon + 1, NULL, 10), title, msg);
		free(file);
	} else {
		ap_report_gh_line(b, level, where, 0, title, msg);
	}
}

static void github_run(ap_buf *b, const ap_run *run)
{
	for (size_t i = 0; i < run->nwarnings; i++) {
		ap_buf m = AP_BUF_INIT;

		ap_buf_printf(&m, "%s", run->warnings[i].what);
		ap_report_gh_where(b, "warning", run->warnings[i].where, NULL, m.data);
		ap_buf_free(&m);
	}
	for (size_t i = 0; i < run->n; i++) {
		const ap_patch_result *r = &run->patches[i];
		char *file = ap_printf("%s/%s", run->patches_dir, r->name);
		int any = 0;

		for (size_t f = 0; f < r->nfiles; f++) {
			const ap_file_result *fr = &r->files[f];

			for (size_t h = 0; h < fr->nhunks; h++) {
				const ap_hunk_result *hr = &fr->hunks[h];
				ap_buf m = AP_BUF_INIT;
				const char *level = hr->pl.outcome == AP_HUNK_FAILED ? "error"
					: (hr->pl.outcome == AP_HUNK_OFFSET || hr->pl.outcome == AP_HUNK_FUZZ ||
					   hr->pl.eol_converted) ? "warning" : NULL;

				if (!level)
					continue;
				ap_buf_printf(&m, "%s: hunk %zu of %s: ", r->name, h + 1, fr->path);
				ap_report_hunk_phrase(&m, hr);
				ap_report_gh_line(b, level, file, hr->lineno, NULL, m.data);
				ap_buf_free(&m);
				any = 1;
			}
			if (fr->error) {
				ap_buf m = AP_BUF_INIT;

				ap_buf_printf(&m, "%s: %s: %s", r->name, fr->path, fr->error);
				ap_report_gh_line(b, "error", file, 0, NULL, m.data);
				ap_buf_free(&m);
				any = 1;
			}
		}
		if (r->status == AP_PATCH_FAILED && !any) {
			ap_buf m = AP_BUF_INIT;

			ap_buf_printf(&m, "%s: %s", r->name, r->reason ? r->reason : "failed");
			ap_report_gh_line(b, "error", file, 0, NULL, m.data);
			ap_buf_free(&m);
		}
		free(file);
	}
	if (run->note && run->failed)
		ap_report_gh_line(b, "error", NULL, 0, NULL, run->note);
	else if (run->note)
		ap_report_gh_line(b, "notice", NULL, 0, NULL, run->note);
}

int ap_report_run(ap_buf *out, const ap_run *run, const ap_report_opts *o)
{
	switch (o->format) {
	case AP_FORMAT_JSON:
		json_run(out, run, o);
		break;
	case AP_FORMAT_JUNIT:
		junit_run(out, run);
		break;
	case AP_FORMAT_GITHUB:
		github_run(out, run);
		break;
	default: {
		ap_buf t = AP_BUF_INIT;

		text_run(&t, run, o);
		ap_report_text_finish(out, &t, o->color);
	}
	}
	return 0;
}

static int status_render(ap_buf *b, const ap_status *st, const ap_report_opts *o)
{
	if (o->format == AP_FORMAT_JSON) {
		ap_json j;

		ap_json_init(&j, b);
		ap_json_begin_object(&j, NULL);
		ap_json_string(&j, "tree", st->tree);
		ap_json_bool(&j, "applied", st->applied);
		ap_json_string(&j, "platform", st->platform);
		ap_json_bool(&j, "drift", st->drift);
		ap_json_string(&j, "note", st->note);
		ap_json_begin_array(&j, "patches");
		for (size_t i = 0; i < st->npatches; i++) {
			ap_json_begin_object(&j, NULL);
			ap_json_string(&j, "name", st->patches[i].name);
			ap_json_string(&j, "sha256", st->patches[i].sha256);
			ap_json_string(&j, "status", st->patches[i].status);
			ap_json_string(&j, "series", st->patches[i].series);
			ap_json_end_object(&j);
		}
		ap_json_end_array(&j);
		ap_json_begin_array(&j, "files");
		for (size_t i = 0; i < st->nfiles; i++) {
			ap_json_begin_object(&j, NULL);
			ap_json_string(&j, "path", st->files[i].path);
			ap_json_string(&j, "state", st->files[i].state);
			ap_json_end_object(&j);
		}
		ap_json_end_array(&j);
		ap_json_begin_array(&j, "not_applied");
		for (size_t i = 0; i < st->nunapplied; i++)
			ap_json_string(&j, NULL, st->unapplied[i]);
		ap_json_end_array(&j);
		ap_json_end_object(&j);
		ap_buf_putc(b, '\n');
		return 0;
	}
	if (!st->applied) {
		ap_buf_printf(b, "%s: %s\n", st->tree, st->note ? st->note : "not patched");
		return 0;
	}
	if (st->note)
		ap_buf_printf(b, "%s\n", st->note);
	ap_buf_printf(b, "%s%s%s is patched for %s: %zu patch%s, %zu file%s\n", paint(o, BOLD),
		      st->tree, paint(o, RESET), st->platform, st->npatches,
		      st->npatches == 1 ? "" : "es", st->nfiles, st->nfiles == 1 ? "" : "s");
	for (size_t i = 0; i < st->npatches; i++) {
		const ap_status_patch *p = &st->patches[i];
		int bad = strcmp(p->series, "unchanged") != 0 && strcmp(p->series, "unknown") != 0 &&
			  strcmp(p->series, "other-platform") != 0;

		ap_buf_printf(b, "  %-16s %s", p->status, p->name);
		if (bad)
			ap_buf_printf(b, "  %s(%s in the series)%s", paint(o, YELLOW), p->series,
				      paint(o, RESET));
		ap_buf_putc(b, '\n');
	}
	for (size_t i = 0; i < st->nunapplied; i++)
		ap_buf_printf(b, "  %snot applied%s      %s (in the series now)\n", paint(o, YELLOW),
			      paint(o, RESET), st->unapplied[i]);
	for (size_t i = 0; i < st->nfiles; i++)
		if (strcmp(st->files[i].state, "clean") != 0)
			ap_buf_printf(b, "  %s%-16s%s %s\n", paint(o, YELLOW), st->files[i].state,
				      paint(o, RESET), st->files[i].path);
	if (st->drift)
		ap_buf_puts(b, "the tree or the series no longer matches what was applied\n");
	return 0;
}

static int list_render(ap_buf *b, const ap_series *s, const ap_report_opts *o)
{
	size_t width = 0;

	if (o->format == AP_FORMAT_JSON) {
		ap_json j;

		ap_json_init(&j, b);
		ap_json_begin_object(&j, NULL);
		ap_json_string(&j, "patches_dir", s->dir);
		ap_json_string(&j, "series", s->series_path);
		ap_json_string(&j, "platform", s->platform);
		ap_json_begin_array(&j, "patches");
		for (size_t i = 0; i < s->n; i++) {
			ap_json_begin_object(&j, NULL);
			ap_json_string(&j, "name", s->v[i].name);
			ap_json_int(&j, "strip", s->v[i].strip);
			ap_json_string(&j, "selector", s->v[i].selector);
			ap_json_bool(&j, "selected", s->v[i].selected);
			ap_json_string(&j, "why", s->v[i].why);
			ap_json_end_object(&j);
		}
		ap_json_end_array(&j);
		ap_json_begin_array(&j, "warnings");
		for (size_t i = 0; i < s->nwarnings; i++) {
			ap_json_begin_object(&j, NULL);
			ap_json_string(&j, "where", s->warnings[i].where);
			ap_json_string(&j, "what", s->warnings[i].what);
			ap_json_end_object(&j);
		}
		ap_json_end_array(&j);
		ap_json_end_object(&j);
		ap_buf_putc(b, '\n');
		return 0;
	}
	for (size_t i = 0; i < s->n; i++)
		if (ap_term_width(s->v[i].name) > width)
			width = ap_term_width(s->v[i].name);
	ap_buf_printf(b, "%s for %s:\n", s->series_path ? s->series_path : s->dir, s->platform);
	for (size_t i = 0, k = 0; i < s->n; i++) {
		const ap_series_entry *e = &s->v[i];

		if (e->selected) {
			ap_buf_printf(b, "  %2zu  %s", ++k, paint(o, GREEN));
			padded(b, e->name, width);
			ap_buf_printf(b, "%s  -p%d  %s\n", paint(o, RESET), e->strip, e->why);
		} else {
			ap_buf_puts(b, "   -  ");
			padded(b, e->name, width);
			ap_buf_printf(b, "  -p%d  %s(out: %s)%s\n", e->strip, paint(o, YELLOW), e->why,
				      paint(o, RESET));
		}
	}
	for (size_t i = 0; i < s->nwarnings; i++)
		ap_buf_printf(b, "%swarning:%s %s: %s\n", paint(o, YELLOW), paint(o, RESET),
			      s->warnings[i].where, s->warnings[i].what);
	return 0;
}

int ap_report_status(ap_buf *out, const ap_status *st, const ap_report_opts *o)
{
	ap_buf t = AP_BUF_INIT;

	if (o->format == AP_FORMAT_JUNIT || o->format == AP_FORMAT_GITHUB)
		return ap_report_status_ci(out, st, o->format);
	if (o->format != AP_FORMAT_TEXT)
		return status_render(out, st, o);
	status_render(&t, st, o);
	ap_report_text_finish(out, &t, o->color);
	return 0;
}

int ap_report_list(ap_buf *out, const ap_series *s, const ap_report_opts *o)
{
	ap_buf t = AP_BUF_INIT;

	if (o->format == AP_FORMAT_JUNIT || o->format == AP_FORMAT_GITHUB)
		return ap_report_list_ci(out, s, o->format);
	if (o->format != AP_FORMAT_TEXT)
		return list_render(out, s, o);
	list_render(&t, s, o);
	ap_report_text_finish(out, &t, o->color);
	return 0;
}
