/* refresh.c - regenerating hunks with libgit2's diff, keeping headers. */
#include "refresh.h"

#include "apply.h"
#include "buf.h"
#include "drift.h"
#include "loaded_series.h"
#include "tree.h"
#include "vtree.h"

#include <fcntl.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static int add_item_diff(ap_refresh_result *r, const char *name, const char *action,
			 char *detail, char *diff)
{
	void *p = realloc(r->v, (r->n + 1) * sizeof *r->v);

	if (!p) {
		free(detail);
		free(diff);
		return -1;
	}
	r->v = p;
	r->v[r->n].name = ap_strdup(name);
	r->v[r->n].action = action;
	r->v[r->n].detail = detail;
	r->v[r->n].diff = diff;
	r->n++;
	return 0;
}

static int add_item(ap_refresh_result *r, const char *name, const char *action, char *detail)
{
	return add_item_diff(r, name, action, detail, NULL);
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

/* A file's header, less git's "index OLD..NEW MODE" line: the blob ids it
 * names are stale once the hunks change (git apply needs them only for
 * binary patches and --3way, which a regenerated text patch is not). */
static void header_without_index(ap_buf *b, const char *s, size_t len)
{
	size_t pos = 0;
	int in_git = 0;

	while (pos < len) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - s) + 1 : len;

		if (end - pos > 11 && memcmp(s + pos, "diff --git ", 11) == 0)
			in_git = 1;
		if (!(in_git && end - pos > 6 && memcmp(s + pos, "index ", 6) == 0))
			ap_buf_add(b, s + pos, end - pos);
		pos = end;
	}
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
		if (bodies[i])
			header_without_index(&b, data + pos, body_start[i] - pos);
		else
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

/* Why a hunk placed with fuzz must not be written, or NULL: a fuzz as
 * large as the context on one side ignores all of it, so the change can
 * land anywhere its removed lines (or, for an insertion, nothing) match:
 * inside another statement, inside a comment. */
static char *fuzz_unsafe(const ap_file_diff *fd, const ap_file_result *fr)
{
	for (size_t h = 0; h < fr->nhunks && h < fd->nhunks; h++) {
		const ap_hunk *hk = &fd->hunks[h];
		int fuzz = fr->hunks[h].pl.fuzz;
		size_t lead = 0, trail = 0;

		if (fr->hunks[h].pl.outcome != AP_HUNK_FUZZ || fuzz <= 0)
			continue;
		while (lead < hk->nlines && hk->lines[lead].kind == ' ')
			lead++;
		while (trail < hk->nlines - lead && hk->lines[hk->nlines - 1 - trail].kind == ' ')
			trail++;
		if ((lead && (size_t)fuzz >= lead) || (trail && (size_t)fuzz >= trail))
			return ap_printf("hunk %zu of %s would be placed with fuzz %d, ignoring all "
					 "of its %zu %s context line%s (at line %ld): a person must "
					 "place it", h + 1, ap_file_diff_target(fd), fuzz,
					 lead && (size_t)fuzz >= lead ? lead : trail,
					 lead && (size_t)fuzz >= lead ? "leading" : "trailing",
					 (lead && (size_t)fuzz >= lead ? lead : trail) == 1 ? "" : "s",
					 fr->hunks[h].pl.line);
	}
	return NULL;
}

/* The files as they were before the patch, for the re-check. */
typedef struct before_files {
	const char **paths;
	char **data;
	size_t *len;
	size_t n;
} before_files;

static int read_before(void *ctx, const char *path, ap_file_state *st, char **data, size_t *len,
		       ap_error *err)
{
	before_files *bf = ctx;

	memset(st, 0, sizeof *st);
	for (size_t i = 0; i < bf->n; i++)
		if (bf->paths[i] && strcmp(bf->paths[i], path) == 0) {
			*data = ap_strndup(bf->data[i], bf->len[i]);
			*len = bf->len[i];
			st->exists = bf->len[i] > 0 || bf->data[i] != NULL;
			st->mode = 0644;
			return *data ? 0 : ap_error_set(err, "out of memory");
		}
	*data = NULL;
	*len = 0;
	return 0;
}

/* The refreshed text must apply to the files as they were with no offset
 * and no fuzz, and leave them as the placement did; otherwise it is not
 * written. Returns NULL when it does, else why not. */
static char *recheck(const char *name, const char *text, size_t textlen, int strip,
		     before_files *bf, ap_vtree *after)
{
	ap_error e = AP_ERROR_INIT;
	ap_apply_opts exact = { 0, 0 };
	ap_patch_result res;
	ap_patch np;
	ap_vtree v;
	char *why = NULL;

	memset(&res, 0, sizeof res);
	if (ap_patch_parse(&np, name, text, textlen, strip, &e) < 0)
		return ap_printf("the refreshed patch does not parse: %s", e.msg);
	ap_vtree_init(&v, read_before, bf);
	if (ap_apply_patch(&v, &np, &exact, &res, &e) < 0 || res.status != AP_PATCH_APPLIED)
		why = ap_strdup("the refreshed patch does not apply exactly to this version");
	for (size_t f = 0; !why && f < res.nfiles; f++) {
		ap_vfile *a = ap_vtree_get(&v, res.files[f].path, &e);
		ap_vfile *b = ap_vtree_get(after, res.files[f].path, &e);

		for (size_t h = 0; !why && h < res.files[f].nhunks; h++)
			if (res.files[f].hunks[h].pl.outcome != AP_HUNK_EXACT)
				why = ap_printf("hunk %zu of %s in the refreshed patch is not exact",
						h + 1, res.files[f].path);
		if (!why && (!a || !b || a->exists != b->exists || a->len != b->len ||
			     (a->len && memcmp(a->data, b->data, a->len) != 0)))
			why = ap_printf("the refreshed patch leaves %s other than the placement did",
					res.files[f].path);
	}
	ap_patch_result_free(&res);
	ap_vtree_free(&v);
	ap_patch_free(&np);
	return why;
}

static int exists_in(ap_vtree *v, const char *path)
{
	ap_error e = AP_ERROR_INIT;
	ap_vfile *f = ap_vtree_get(v, path, &e);

	return f && f->exists;
}

static void restore(ap_vtree *v, const char *path, int existed, const char *data, size_t len)
{
	ap_error e = AP_ERROR_INIT;
	ap_vfile *f = ap_vtree_get(v, path, &e);

	if (f)
		ap_vtree_set(v, f, existed, 0, f->mode, existed ? ap_strndup(data, len) : NULL,
			     existed ? len : 0);
}

/* One file diff of p as a patch of its own: a multi-commit mail changes a
 * file once per commit, each diff against what the one before left. */
static ap_patch one_file(const ap_patch *p, size_t i)
{
	ap_patch one = *p;

	one.files = &p->files[i];
	one.nfiles = 1;
	one.cap = 1;
	return one;
}

/* Refreshes one patch already known to apply (with offsets or fuzz): apply
 * it in v one file diff at a time, and rebuild each diff's hunks from the
 * file before and after it. *why is set (and nothing written, v rolled
 * back by the caller's trial) when the result cannot be trusted. */
static int refresh_one(ap_vtree *v, const ap_patch *p, const ap_apply_opts *ao,
		       const ap_refresh_opts *o, const char *name, const char *today,
		       ap_refresh_item *item, ap_error *err)
{
	size_t n = p->nfiles;
	char **before = calloc(n + 1, sizeof *before), **bodies = calloc(n + 1, sizeof *bodies);
	size_t *blen = calloc(n + 1, sizeof *blen);
	size_t *starts = calloc(n + 1, sizeof *starts), *ends = calloc(n + 1, sizeof *ends);
	const char **paths = calloc(n + 1, sizeof *paths);
	int *existed = calloc(n + 1, sizeof *existed);
	before_files bf;
	char *text = NULL;
	size_t textlen = 0;
	int rc = -1;

	if (!before || !bodies || !blen || !starts || !ends || !paths || !existed) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	/* a trial first: nothing placed with all of its context fuzzed away */
	{
		ap_apply_opts trial = *ao;
		ap_patch_result res;

		trial.trial = 1;
		memset(&res, 0, sizeof res);
		if (ap_apply_patch(v, p, &trial, &res, err) < 0) {
			ap_patch_result_free(&res);
			goto out;
		}
		if (res.status != AP_PATCH_APPLIED)
			item->detail = ap_strdup("no longer applies");
		for (size_t i = 0; !item->detail && i < res.nfiles && i < n; i++)
			item->detail = fuzz_unsafe(&p->files[i], &res.files[i]);
		ap_patch_result_free(&res);
		if (item->detail) {
			rc = 0;
			goto out;
		}
	}
	for (size_t i = 0; i < n && !item->detail; i++) {
		const ap_file_diff *fd = &p->files[i];
		const char *src = fd->old_path ? fd->old_path : fd->new_path;
		ap_patch one = one_file(p, i);
		ap_patch_result res;
		ap_buf body = AP_BUF_INIT;
		size_t alen;
		char *after;
		int first = 1;

		starts[i] = fd->body_start;
		ends[i] = fd->body_end;
		before[i] = snapshot(v, src, &blen[i]);
		existed[i] = exists_in(v, src);
		/* the re-check starts from each file's first state */
		for (size_t j = 0; j < i; j++)
			if (paths[j] && strcmp(paths[j], src) == 0)
				first = 0;
		paths[i] = first ? src : NULL;
		memset(&res, 0, sizeof res);
		if (ap_apply_patch(v, &one, ao, &res, err) < 0) {
			ap_patch_result_free(&res);
			goto out;
		}
		if (res.status != AP_PATCH_APPLIED)
			item->detail = ap_printf("%s no longer applies", ap_file_diff_target(fd));
		ap_patch_result_free(&res);
		if (item->detail || fd->nhunks == 0)
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
	if (item->detail) {
		rc = 0;
		goto out;
	}
	if (ap_refresh_rewrite(p->data, p->len, p->desc_len, starts, ends, bodies, n, today, &text,
			       &textlen) < 0) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	bf.paths = paths;
	bf.data = before;
	bf.len = blen;
	bf.n = n;
	item->detail = recheck(name, text, textlen, p->strip, &bf, v);
	if (item->detail) {
		/* leave the files as they were, for the patches after it */
		for (size_t i = n; i-- > 0;)
			if (paths[i])
				restore(v, paths[i], existed[i], before[i], blen[i]);
		ap_vtree_commit(v);
	} else {
		if (o->dry_run) {
			ap_buf d = AP_BUF_INIT;

			if (diff_body(p->data, p->len, text, textlen, name, &d, err) < 0) {
				ap_buf_free(&d);
				goto out;
			}
			item->diff = ap_buf_detach(&d, NULL);
		} else if (write_patch(o->patches_dir, name, text, textlen, err) < 0) {
			goto out;
		}
		item->action = "refreshed";
	}
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
	free(paths);
	free(existed);
	free(text);
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
	if (ap_loaded_series_load(&ls, o->patches_dir, AP_PLATFORM_ANY, 1, o->strip, err) < 0)
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
		/* the fuzz drift tries, so that both name a patch alike */
		ap_drift_opts dopts = { o->patches_dir, 0,
					o->max_fuzz > AP_DRIFT_FUZZ ? o->max_fuzz : AP_DRIFT_FUZZ, o->strip };
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
			ap_refresh_item item = { NULL, NULL, NULL, NULL };

			if (cell.status == AP_DRIFT_NEEDS_FUZZ && cell.fuzz > o->max_fuzz) {
				/* drift's word for it, and what would let refresh do it */
				if (want) {
					add_item(r, name, "needs-fuzz",
						 ap_printf("applies only with fuzz %d: left untouched "
							   "(refresh --fuzz %d rewrites it, for review)",
							   cell.fuzz, cell.fuzz));
					r->left++;
				}
				break;
			}
			if (!want) {
				ap_patch_result ignored;

				memset(&ignored, 0, sizeof ignored);
				if (ap_apply_patch(&v, p, &ao, &ignored, err) < 0) {
					ap_patch_result_free(&ignored);
					ap_patch_result_free(&cell.result);
					goto out_vtree;
				}
				ap_patch_result_free(&ignored);
				break;
			}
			if (refresh_one(&v, p, &ao, o, name, today, &item, err) < 0) {
				free(item.detail);
				free(item.diff);
				ap_patch_result_free(&cell.result);
				goto out_vtree;
			}
			if (item.action) {
				add_item_diff(r, name, "refreshed",
					      ap_strdup(o->dry_run ? "would be rewritten (dry run)"
							           : "hunks regenerated"), item.diff);
				r->refreshed++;
			} else {
				/* left for a person: later patches see the files without it */
				add_item(r, name, ap_drift_status_name(cell.status), item.detail);
				item.detail = NULL;
				free(item.diff);
				r->left++;
			}
			free(item.detail);
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
		free(r->v[i].diff);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}
