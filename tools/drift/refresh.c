/* refresh.c - regenerating hunks with libgit2's diff, keeping headers. */
#include "refresh.h"

#include "apply.h"
#include "buf.h"
#include "drift.h"
#include "tree.h"
#include "vtree.h"
#include "worktree.h"

#include <fcntl.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static int add_item(ap_refresh_result *r, const char *name, const char *action, char *detail)
{
	void *p = realloc(r->v, (r->n + 1) * sizeof *r->v);

	if (!p) {
		free(detail);
		return -1;
	}
	r->v = p;
	r->v[r->n].name = ap_strdup(name);
	r->v[r->n].action = action;
	r->v[r->n].detail = detail;
	r->n++;
	return 0;
}

/* The new hunks of one file, from its text before and after. */
static int diff_body(const char *a, size_t alen, const char *b, size_t blen, const char *path,
		     ap_buf *out, ap_error *err)
{
	git_diff_options opts;
	git_patch *patch = NULL;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = 3;
	opts.flags = GIT_DIFF_FORCE_TEXT;
	if (git_patch_from_buffers(&patch, a, alen, path, b, blen, path, &opts) < 0) {
		const git_error *e = git_error_last();

		return ap_error_set(err, "diffing %s: %s", path, e ? e->message : "libgit2 failed");
	}
	for (size_t h = 0; h < git_patch_num_hunks(patch); h++) {
		const git_diff_hunk *hunk;
		size_t nlines;

		git_patch_get_hunk(&hunk, &nlines, patch, h);
		ap_buf_add(out, hunk->header, hunk->header_len);
		if (hunk->header_len && hunk->header[hunk->header_len - 1] != '\n')
			ap_buf_putc(out, '\n');
		for (size_t l = 0; l < nlines; l++) {
			const git_diff_line *line;

			git_patch_get_line_in_hunk(&line, patch, h, l);
			switch (line->origin) {
			case GIT_DIFF_LINE_CONTEXT:
			case GIT_DIFF_LINE_ADDITION:
			case GIT_DIFF_LINE_DELETION:
				ap_buf_putc(out, line->origin);
				ap_buf_add(out, line->content, line->content_len);
				break;
			case GIT_DIFF_LINE_CONTEXT_EOFNL:
			case GIT_DIFF_LINE_ADD_EOFNL:
			case GIT_DIFF_LINE_DEL_EOFNL:
				/* the previous line had no line end */
				ap_buf_puts(out, "\n\\ No newline at end of file\n");
				break;
			default:
				break;
			}
		}
	}
	git_patch_free(patch);
	return 0;
}

int ap_refresh_rewrite(const char *data, size_t len, size_t desc_len, const size_t *body_start,
		       const size_t *body_end, char **bodies, size_t nfiles, const char *today,
		       char **out, size_t *outlen)
{
	ap_buf b = AP_BUF_INIT;
	size_t pos = 0;

	/* the description, with its Last-Update line (if any) dated today */
	while (pos < desc_len) {
		const char *nl = memchr(data + pos, '\n', desc_len - pos);
		size_t end = nl ? (size_t)(nl - data) + 1 : desc_len;

		if (end - pos > 12 && strncasecmp(data + pos, "Last-Update:", 12) == 0) {
			int crlf = end >= 2 && data[end - 2] == '\r';

			ap_buf_printf(&b, "Last-Update: %s%s", today, crlf ? "\r\n" : nl ? "\n" : "");
		} else {
			ap_buf_add(&b, data + pos, end - pos);
		}
		pos = end;
	}
	for (size_t i = 0; i < nfiles; i++) {
		ap_buf_add(&b, data + pos, body_start[i] - pos);
		if (bodies[i])
			ap_buf_puts(&b, bodies[i]);
		else
			ap_buf_add(&b, data + body_start[i], body_end[i] - body_start[i]);
		pos = body_end[i];
	}
	ap_buf_add(&b, data + pos, len - pos);
	if (!b.data)
		return -1;
	*out = ap_buf_detach(&b, outlen);
	return 0;
}

static char *snapshot(ap_vtree *v, const char *path, size_t *len)
{
	ap_error e = AP_ERROR_INIT;
	ap_vfile *f = ap_vtree_get(v, path, &e);

	*len = 0;
	if (!f || !f->exists)
		return ap_strdup("");
	*len = f->len;
	return ap_strndup(f->data ? f->data : "", f->len);
}

static int write_patch(const char *dir, const char *name, const char *data, size_t len,
		       ap_error *err)
{
	char *path = ap_printf("%s/%s", dir, name);
	char *tmp = ap_printf("%s/%s.refresh-tmp", dir, name);
	FILE *f;
	int rc = -1;

	if (!path || !tmp)
		goto out;
	f = fopen(tmp, "wb");
	if (!f) {
		ap_error_sys(err, "cannot write %s", tmp);
		goto out;
	}
	if (fwrite(data, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		ap_error_sys(err, "cannot write %s", tmp);
		fclose(f);
		unlink(tmp);
		goto out;
	}
	fclose(f);
	if (rename(tmp, path) < 0) {
		ap_error_sys(err, "cannot replace %s", path);
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(path);
	free(tmp);
	return rc;
}

static int wanted(const ap_refresh_opts *o, const char *name)
{
	if (!o->only || !o->only[0])
		return 1;
	for (size_t i = 0; o->only[i]; i++)
		if (strcmp(o->only[i], name) == 0)
			return 1;
	return 0;
}

/* Refreshes one patch already known to apply (with offsets or fuzz): apply
 * it for real in v, and rebuild each file's hunks from before and after. */
static int refresh_one(ap_vtree *v, const ap_patch *p, const ap_apply_opts *ao,
		       const ap_refresh_opts *o, const char *name, const char *today,
		       ap_refresh_result *r, ap_error *err)
{
	size_t n = p->nfiles;
	char **before = calloc(n + 1, sizeof *before), **bodies = calloc(n + 1, sizeof *bodies);
	size_t *blen = calloc(n + 1, sizeof *blen);
	size_t *starts = calloc(n + 1, sizeof *starts), *ends = calloc(n + 1, sizeof *ends);
	ap_patch_result res;
	char *text = NULL;
	size_t textlen = 0;
	int rc = -1;

	memset(&res, 0, sizeof res);
	if (!before || !bodies || !blen || !starts || !ends) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const ap_file_diff *fd = &p->files[i];

		for (size_t j = 0; j < i; j++)
			if (strcmp(ap_file_diff_target(&p->files[j]), ap_file_diff_target(fd)) == 0) {
				ap_error_set(err, "%s: cannot refresh a patch that changes %s twice", name,
					     ap_file_diff_target(fd));
				goto out;
			}
		before[i] = snapshot(v, fd->old_path ? fd->old_path : fd->new_path, &blen[i]);
		starts[i] = fd->body_start;
		ends[i] = fd->body_end;
	}
	if (ap_apply_patch(v, p, ao, &res, err) < 0)
		goto out;
	if (res.status != AP_PATCH_APPLIED) {
		ap_error_set(err, "%s: no longer applies", name);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const ap_file_diff *fd = &p->files[i];
		ap_buf body = AP_BUF_INIT;
		size_t alen;
		char *after;

		if (fd->nhunks == 0)
			continue;
		after = snapshot(v, ap_file_diff_target(fd), &alen);
		if (fd->op == AP_OP_DELETE) {
			free(after);
			after = ap_strdup("");
			alen = 0;
		}
		if (diff_body(before[i], blen[i], after, alen, ap_file_diff_target(fd), &body, err) < 0) {
			free(after);
			ap_buf_free(&body);
			goto out;
		}
		free(after);
		bodies[i] = ap_buf_detach(&body, NULL);
	}
	if (ap_refresh_rewrite(p->data, p->len, p->desc_len, starts, ends, bodies, n, today, &text,
			       &textlen) < 0) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	if (!o->dry_run && write_patch(o->patches_dir, name, text, textlen, err) < 0)
		goto out;
	add_item(r, name, "refreshed", ap_strdup(o->dry_run ? "would be rewritten (dry run)"
							  : "hunks regenerated"));
	r->refreshed++;
	rc = 0;
out:
	for (size_t i = 0; i < n; i++) {
		if (before)
			free(before[i]);
		if (bodies)
			free(bodies[i]);
	}
	free(before);
	free(bodies);
	free(blen);
	free(starts);
	free(ends);
	free(text);
	ap_patch_result_free(&res);
	return rc;
}

int ap_refresh(const ap_refresh_opts *o, ap_refresh_result *r, ap_error *err)
{
	ap_loaded_series ls;
	ap_source *src = NULL;
	ap_vtree v;
	char today[16];
	int rc = -1;

	memset(r, 0, sizeof *r);
	if (o->today) {
		snprintf(today, sizeof today, "%s", o->today);
	} else {
		time_t now = time(NULL);
		struct tm tm;

		strftime(today, sizeof today, "%Y-%m-%d", gmtime_r(&now, &tm));
	}
	/* all patches, as quilt sees the series: selection does not matter here */
	if (ap_series_load_patches(&ls, o->patches_dir, "linux", 1, o->strip, err) < 0)
		return -1;
	for (size_t i = 0; o->only && o->only[i]; i++) {
		int found = 0;

		for (size_t k = 0; k < ls.series.n && !found; k++)
			found = strcmp(ls.series.v[k].name, o->only[i]) == 0;
		if (!found) {
			ap_error_set(err, "%s is not in the series in %s", o->only[i], o->patches_dir);
			goto out_series;
		}
	}
	git_libgit2_init();
	if (ap_source_open(&src, &o->upstream, NULL, err) < 0)
		goto out_git;
	ap_vtree_init(&v, ap_source_read, src);
	for (size_t i = 0; i < ls.series.n; i++) {
		const char *name = ls.series.v[i].name;
		const ap_patch *p = &ls.patches[i];
		ap_drift_cell cell;
		ap_drift_opts dopts = { o->patches_dir, 0, o->max_fuzz, o->strip };
		int want = wanted(o, name);

		if (ls.errors[i]) {
			add_item(r, name, "error", ap_strdup(ls.errors[i]));
			r->left++;
			continue;
		}
		memset(&cell, 0, sizeof cell);
		if (ap_drift_classify(&v, p, &dopts, 0, &cell, err) < 0) {
			ap_patch_result_free(&cell.result);
			goto out_vtree;
		}
		switch (cell.status) {
		case AP_DRIFT_APPLIES: {
			ap_apply_opts ao = { 0, 0 };
			ap_patch_result res;

			/* keep it applied: later patches are refreshed on top of it */
			memset(&res, 0, sizeof res);
			if (ap_apply_patch(&v, p, &ao, &res, err) < 0) {
				ap_patch_result_free(&res);
				ap_patch_result_free(&cell.result);
				goto out_vtree;
			}
			ap_patch_result_free(&res);
			if (want)
				add_item(r, name, "exact", ap_strdup("applies exactly; left as it is"));
			break;
		}
		case AP_DRIFT_DRIFTED:
		case AP_DRIFT_NEEDS_FUZZ: {
			ap_apply_opts ao = { cell.status == AP_DRIFT_NEEDS_FUZZ ? o->max_fuzz : 0, 0 };

			if (want) {
				if (refresh_one(&v, p, &ao, o, name, today, r, err) < 0) {
					ap_patch_result_free(&cell.result);
					goto out_vtree;
				}
			} else {
				ap_patch_result ignored;

				memset(&ignored, 0, sizeof ignored);
				if (ap_apply_patch(&v, p, &ao, &ignored, err) < 0) {
					ap_patch_result_free(&ignored);
					ap_patch_result_free(&cell.result);
					goto out_vtree;
				}
				ap_patch_result_free(&ignored);
			}
			break;
		}
		default:
			if (want) {
				add_item(r, name, ap_drift_status_name(cell.status),
					 ap_strdup(cell.status == AP_DRIFT_UPSTREAMED
						   ? "already upstream; left untouched (drop it from the series)"
						   : "left untouched: it needs a person"));
				if (cell.status != AP_DRIFT_UPSTREAMED)
					r->left++;
			}
		}
		ap_patch_result_free(&cell.result);
	}
	rc = 0;
out_vtree:
	ap_vtree_free(&v);
	ap_source_free(src);
out_git:
	git_libgit2_shutdown();
out_series:
	ap_loaded_series_free(&ls);
	return rc;
}

void ap_refresh_result_free(ap_refresh_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].detail);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}
