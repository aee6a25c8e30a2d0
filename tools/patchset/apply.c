/* apply.c - one patch, file diff by file diff, into a vtree. */
#include "apply.h"

#include "buf.h"
#include "path.h"

#include <stdlib.h>
#include <string.h>

const char *ap_patch_status_name(enum ap_patch_status s)
{
	switch (s) {
	case AP_PATCH_APPLIED: return "applied";
	case AP_PATCH_ALREADY: return "already-applied";
	case AP_PATCH_FAILED: return "failed";
	case AP_PATCH_SKIPPED: return "skipped";
	case AP_PATCH_UNAPPLIED: return "unapplied";
	case AP_PATCH_PRESENT: return "present-before";
	}
	return "?";
}

const char *ap_file_op_name(enum ap_file_op op)
{
	switch (op) {
	case AP_OP_MODIFY: return "modify";
	case AP_OP_CREATE: return "create";
	case AP_OP_DELETE: return "delete";
	case AP_OP_RENAME: return "rename";
	case AP_OP_COPY: return "copy";
	}
	return "?";
}

static mode_t mode_for(unsigned git_mode, mode_t current)
{
	if (git_mode == 0100755)
		return current ? (current | ((current & 0444) >> 2)) : 0755;
	if (git_mode == 0100644 || git_mode == 0100664)
		return current ? (current & ~(mode_t)0111) : 0644;
	return current ? current : 0644;
}

static int file_fail(ap_file_result *fr, const char *fmt, const char *a, const char *b)
{
	char shown_a[512], shown_b[512];

	ap_path_show(a, strlen(a), shown_a, sizeof shown_a);
	if (b)
		ap_path_show(b, strlen(b), shown_b, sizeof shown_b);
	fr->outcome = AP_FILE_FAILED;
	free(fr->error);
	fr->error = ap_printf(fmt, shown_a, b ? shown_b : "");
	return 0;
}

/* Places the hunks on lines; fills fr's hunk results; returns the count of
 * (failed, already, applied) through the pointers. */
static int place(const ap_lines *lines, const ap_file_diff *fd, const ap_apply_opts *o,
		 ap_file_result *fr, size_t *failed, size_t *already)
{
	ap_placement *pl = calloc(fd->nhunks ? fd->nhunks : 1, sizeof *pl);
	ap_place_opts po = AP_PLACE_OPTS_INIT;

	if (!pl)
		return -1;
	po.max_fuzz = o->max_fuzz;
	fr->hunks = calloc(fd->nhunks ? fd->nhunks : 1, sizeof *fr->hunks);
	if (!fr->hunks) {
		free(pl);
		return -1;
	}
	fr->nhunks = fd->nhunks;
	*failed = ap_place_file(lines, fd->hunks, fd->nhunks, &po, pl);
	*already = 0;
	for (size_t i = 0; i < fd->nhunks; i++) {
		fr->hunks[i].pl = pl[i];
		fr->hunks[i].lineno = fd->hunks[i].lineno;
		fr->hunks[i].old_start = fd->hunks[i].old_start;
		fr->hunks[i].new_start = fd->hunks[i].new_start;
		if (pl[i].outcome == AP_HUNK_ALREADY)
			(*already)++;
	}
	free(pl);
	return 0;
}

static int render(const ap_lines *lines, const ap_file_diff *fd, const ap_file_result *fr,
		  char **out, size_t *len)
{
	ap_placement *pl = calloc(fd->nhunks ? fd->nhunks : 1, sizeof *pl);
	ap_buf b = AP_BUF_INIT;
	int rc;

	size_t estimate = 0;

	if (!pl)
		return -1;
	/* size the result once: growing it by doubling copies it again and again */
	if (lines->n)
		estimate = (size_t)(lines->v[lines->n - 1].text - lines->v[0].text) +
			   lines->v[lines->n - 1].len + 2;
	for (size_t i = 0; i < fd->nhunks; i++) {
		pl[i] = fr->hunks[i].pl;
		for (size_t j = 0; j < fd->hunks[i].nlines; j++)
			if (fd->hunks[i].lines[j].kind == '+')
				estimate += fd->hunks[i].lines[j].len + 2;
	}
	if (ap_buf_grow(&b, estimate) < 0) {
		free(pl);
		return -1;
	}
	ap_populate(b.data, estimate);
	rc = ap_place_render(lines, fd->hunks, fd->nhunks, pl, &b);
	free(pl);
	if (rc < 0 || ap_buf_grow(&b, 0) < 0) {
		ap_buf_free(&b);
		return -1;
	}
	*out = ap_buf_detach(&b, len);
	return 0;
}

/* A symbolic link is changed only by a git patch that knows it is one
 * (mode 120000: its target is its content, which is all the patch
 * changes); any other diff of it would be a write through the link, which
 * GNU patch refuses too. A link mode over a regular file is git's "wrong
 * type". Returns 1 (fr failed) when f and fd disagree. */
static int link_mismatch(const ap_file_diff *fd, const ap_vfile *f, ap_file_result *fr)
{
	int says_link = fd->old_mode == 0120000;

	if (!f->exists)
		return 0;
	if (f->symlink && (!fd->is_git || (fd->old_mode && !says_link) ||
			   (fd->new_mode && fd->new_mode != 0120000 && fd->op != AP_OP_DELETE)))
		return file_fail(fr, "%s is a symbolic link: gap-patchkit never reads, writes or "
				 "deletes through symlinks (this patch changes it as a file; only a "
				 "git patch of the link itself, mode 120000, changes a link)%s", f->path, NULL) + 1;
	if (!f->symlink && says_link)
		return file_fail(fr, "%s is a file, but the patch changes a symbolic link there "
				 "(mode 120000)%s", f->path, NULL) + 1;
	return 0;
}

/* The contents a creation would write: its hunks applied to nothing. */
static int created_content(const ap_file_diff *fd, const ap_apply_opts *o, ap_file_result *fr,
			   char **out, size_t *len)
{
	ap_lines empty = AP_LINES_INIT;
	size_t failed, already;

	if (place(&empty, fd, o, fr, &failed, &already) < 0)
		return -1;
	if (failed)
		return 1;
	return render(&empty, fd, fr, out, len);
}

/* Links followed before a target counts as a loop (the kernel's ELOOP). */
#define LINK_HOPS_MAX 40

/* Whether a link at link_path to target (which passed
 * ap_path_symlink_inside: leading "../" then down) resolves inside the tree,
 * following the links the tree holds at this point of the series, on disk
 * or made by earlier patches. The text alone is not enough: a tree may
 * hold a link of its own that leads out (esc -> ../outside), and a new
 * link to esc/s would go through it (red-team 4 S3). 1 inside; 0 outside,
 * absolute, or a loop; -1 out of memory. A path that cannot be looked at
 * (a directory, a missing file) is not a link and resolution goes on. */
static int link_stays_inside(ap_vtree *v, const char *link_path, const char *target, size_t len)
{
	const char *slash = strrchr(link_path, '/');
	char *cur = ap_strndup(link_path, slash ? (size_t)(slash - link_path) : 0);
	char *rest = ap_strndup(target, len);
	int hops = 0, rc = 1;

	while (cur && rest && rc == 1 && *rest) {
		char *end = strchr(rest, '/'), *next, *cand;
		ap_error e = AP_ERROR_INIT;
		ap_vfile *f;

		next = end ? end + 1 : rest + strlen(rest);
		if (end)
			*end = '\0';
		if (!*rest || strcmp(rest, ".") == 0) {
			memmove(rest, next, strlen(next) + 1);
			continue;
		}
		if (strcmp(rest, "..") == 0) {
			char *up = strrchr(cur, '/');

			if (!*cur)
				rc = 0;  /* above the root */
			else
				*(up ? up : cur) = '\0';
			memmove(rest, next, strlen(next) + 1);
			continue;
		}
		cand = *cur ? ap_printf("%s/%s", cur, rest) : ap_strdup(rest);
		if (!cand) {
			rc = -1;
			break;
		}
		f = ap_vtree_get(v, cand, &e);
		if (f && f->exists && f->symlink) {
			char *spliced;

			if (++hops > LINK_HOPS_MAX || (f->len && f->data[0] == '/')) {
				free(cand);
				rc = 0;
				break;
			}
			/* the link's target takes its place; cur stays its directory */
			spliced = ap_printf("%.*s%s%s", (int)f->len, f->data, *next ? "/" : "", next);
			free(cand);
			free(rest);
			rest = spliced;
			continue;
		}
		free(cur);
		cur = cand;
		memmove(rest, next, strlen(next) + 1);
	}
	if (!cur || !rest)
		rc = -1;
	free(cur);
	free(rest);
	return rc;
}

static int apply_create(ap_vtree *v, const ap_file_diff *fd, const ap_apply_opts *o,
			ap_file_result *fr, ap_error *err)
{
	ap_vfile *f = ap_vtree_get(v, fd->new_path, err);
	int symlink = fd->new_mode == 0120000;
	char *data = NULL;
	size_t len = 0;
	int rc;

	if (!f)
		return file_fail(fr, "%s: %s", fd->new_path, err->msg);
	rc = created_content(fd, o, fr, &data, &len);
	if (rc < 0)
		return ap_error_set(err, "out of memory");
	if (rc > 0)
		return file_fail(fr, "cannot build the new file %s%s", fd->new_path, NULL);
	if (symlink) {
		/* git writes a symlink's target as its only line, without "\n" */
		if (len && data[len - 1] == '\n')
			len--;
		rc = ap_path_symlink_inside(fd->new_path, data, len)
			     ? link_stays_inside(v, fd->new_path, data, len) : 0;
		if (rc < 0) {
			free(data);
			return ap_error_set(err, "out of memory");
		}
		if (!rc) {
			free(data);
			return file_fail(fr, "refusing to create %s: the symlink would point outside "
					 "the tree%s", fd->new_path, NULL);
		}
	}
	if (f->exists) {
		int same = !f->symlink == !symlink && f->len == len &&
			   (len == 0 || memcmp(f->data, data, len) == 0);

		free(data);
		if (!same)
			return file_fail(fr, "%s already exists (the patch creates it)%s",
					 fd->new_path, NULL);
		fr->outcome = AP_FILE_ALREADY;
		for (size_t i = 0; i < fr->nhunks; i++)
			fr->hunks[i].pl.outcome = AP_HUNK_ALREADY;
		return 0;
	}
	fr->outcome = AP_FILE_APPLIED;
	if (ap_vtree_set(v, f, 1, symlink, symlink ? 0777 : mode_for(fd->new_mode, 0), data, len) < 0) {
		free(data);
		return ap_error_set(err, "out of memory");
	}
	return 0;
}

/* Applies fd's hunks to src's content, the result going to dst (which may
 * be src). Deleting leaves dst absent; del (a rename's source, or NULL)
 * is removed once dst is written. */
static int apply_hunks(ap_vtree *v, const ap_file_diff *fd, const ap_apply_opts *o,
		       ap_vfile *src, ap_vfile *dst, ap_vfile *del, ap_file_result *fr,
		       ap_error *err)
{
	const ap_lines *lines = ap_vfile_lines(src);
	size_t failed, already;
	char *data = NULL;
	size_t len = 0;
	mode_t mode;

	if (!lines)
		return ap_error_set(err, "out of memory");
	if (place(lines, fd, o, fr, &failed, &already) < 0)
		return ap_error_set(err, "out of memory");
	if (failed) {
		fr->outcome = AP_FILE_FAILED;
		return 0;
	}
	if (fd->nhunks == 0 && src == dst && fd->op != AP_OP_DELETE)
		already = 0;  /* no text to compare: only the mode says */
	if (((already && already == fd->nhunks) || fd->nhunks == 0) && src == dst &&
	    fd->op != AP_OP_DELETE) {
		/* the content is in place; a mode change may still be due */
		fr->outcome = AP_FILE_ALREADY;
		if (fd->new_mode && fd->old_mode != fd->new_mode &&
		    mode_for(fd->new_mode, src->mode) != src->mode) {
			char *copy = ap_strndup(src->data ? src->data : "", src->len);

			if (!copy)
				return ap_error_set(err, "out of memory");
			fr->outcome = AP_FILE_APPLIED;
			return ap_vtree_set(v, src, 1, 0, mode_for(fd->new_mode, src->mode), copy,
					    src->len) < 0 ? ap_error_set(err, "out of memory") : 0;
		}
		return 0;
	}
	if (already) {
		fr->outcome = AP_FILE_FAILED;
		free(fr->error);
		fr->error = ap_printf("%zu of %zu hunks are already in place and the others are not: "
				      "the file holds part of this patch", already, fd->nhunks);
		return 0;
	}
	if (render(lines, fd, fr, &data, &len) < 0)
		return ap_error_set(err, "out of memory");
	fr->outcome = AP_FILE_APPLIED;
	if (src->symlink && fd->op != AP_OP_DELETE) {
		int in;

		/* a link created earlier in the series, retargeted: the new
		 * target must obey the same rule as a new link's */
		if (len && data[len - 1] == '\n')
			len--;
		in = ap_path_symlink_inside(ap_file_diff_target(fd), data, len)
		     ? link_stays_inside(v, ap_file_diff_target(fd), data, len) : 0;
		if (in < 0) {
			free(data);
			return ap_error_set(err, "out of memory");
		}
		if (!in) {
			free(data);
			return file_fail(fr, "refusing to retarget %s: the symlink would point outside "
					 "the tree%s", ap_file_diff_target(fd), NULL);
		}
		if (ap_vtree_set(v, dst, 1, 1, 0777, data, len) < 0) {
			free(data);
			return ap_error_set(err, "out of memory");
		}
		if (del && ap_vtree_set(v, del, 0, 0, 0, NULL, 0) < 0)
			return ap_error_set(err, "out of memory");
		return 0;
	}
	if (fd->op == AP_OP_DELETE) {
		free(data);
		if (len != 0)
			return file_fail(fr, "%s is not empty after removing the patch's lines, so "
					 "it is not deleted%s", fd->old_path, NULL);
		return ap_vtree_set(v, src, 0, 0, 0, NULL, 0) < 0 ? ap_error_set(err, "out of memory") : 0;
	}
	mode = fd->new_mode && fd->new_mode != fd->old_mode ? mode_for(fd->new_mode, src->mode)
							      : src->mode;
	if (ap_vtree_set(v, dst, 1, 0, mode, data, len) < 0) {
		free(data);
		return ap_error_set(err, "out of memory");
	}
	if (del && ap_vtree_set(v, del, 0, 0, 0, NULL, 0) < 0)
		return ap_error_set(err, "out of memory");
	return 0;
}

/* What the rest of a git patch does to the paths of a copy or rename:
 * git applies each file diff to the tree as it was before the patch. */
typedef struct git_ctx {
	int dst_freed;      /* another file diff renames or deletes the target away */
	int src_rewritten;  /* an earlier one wrote the source (as its target) */
} git_ctx;

static git_ctx git_context(const ap_patch *p, size_t k)
{
	const ap_file_diff *fd = &p->files[k];
	git_ctx g = { 0, 0 };

	if (!fd->is_git || (fd->op != AP_OP_RENAME && fd->op != AP_OP_COPY))
		return g;
	for (size_t i = 0; i < p->nfiles; i++) {
		const ap_file_diff *o = &p->files[i];

		if (i == k || !o->is_git)
			continue;
		if ((o->op == AP_OP_RENAME || o->op == AP_OP_DELETE) && o->old_path &&
		    strcmp(o->old_path, fd->new_path) == 0)
			g.dst_freed = 1;
		if (i < k && o->op != AP_OP_DELETE && o->new_path &&
		    strcmp(o->new_path, fd->old_path) == 0)
			g.src_rewritten = 1;
	}
	return g;
}

/* A copy or rename. In git's format the source is read as it was before
 * the patch (git apply does: a modified a.c copied to b.c gives b.c the
 * unmodified bytes), and a target that another file diff of the patch
 * renames or deletes away may be written over (b -> c, then a -> b). */
static int apply_copy(ap_vtree *v, const ap_file_diff *fd, git_ctx g, const ap_apply_opts *o,
		      ap_file_result *fr, ap_error *err)
{
	ap_vfile *src, *dst, *del, before;
	ap_error e = AP_ERROR_INIT;
	int rc;

	src = ap_vtree_get(v, fd->old_path, &e);
	dst = src ? ap_vtree_get(v, fd->new_path, &e) : NULL;
	if (!src || !dst)
		return file_fail(fr, "%s%s", e.msg, NULL);
	if (fd->is_git)
		ap_vtree_before(v, src, &before);
	else
		before = *src, before.lines = (ap_lines)AP_LINES_INIT, before.lines_valid = 0;
	if (link_mismatch(fd, &before, fr))
		return 0;
	/* a rename leaves no source behind, unless the patch wrote it anew */
	del = fd->op == AP_OP_RENAME && !g.src_rewritten ? src : NULL;
	if (before.exists && (!dst->exists || g.dst_freed)) {
		if (fd->nhunks == 0) {
			char *copy;
			mode_t mode = fd->new_mode ? mode_for(fd->new_mode, before.mode) : before.mode;

			/* a link moved keeps its target, which must still point
			 * inside the tree from where it now is */
			int in = !before.symlink ? 1
				 : ap_path_symlink_inside(fd->new_path, before.data, before.len)
				 ? link_stays_inside(v, fd->new_path, before.data, before.len) : 0;

			if (in < 0)
				return ap_error_set(err, "out of memory");
			if (!in)
				return file_fail(fr, "refusing to move %s to %s: the symlink would "
						 "point outside the tree", fd->old_path, fd->new_path);
			copy = ap_strndup(before.data ? before.data : "", before.len);
			if (before.symlink)
				mode = 0777;
			if (!copy || ap_vtree_set(v, dst, 1, before.symlink, mode, copy, before.len) < 0 ||
			    (del && ap_vtree_set(v, del, 0, 0, 0, NULL, 0) < 0))
				return ap_error_set(err, "out of memory");
			fr->outcome = AP_FILE_APPLIED;
			return 0;
		}
		rc = apply_hunks(v, fd, o, &before, dst, del, fr, err);
		ap_lines_free(&before.lines);
		return rc;
	}
	if (dst->exists && (fd->op == AP_OP_COPY || !src->exists)) {
		/* done already when the target holds the post-image */
		size_t failed = 0, already = 0;
		const ap_lines *lines = ap_vfile_lines(dst);

		if (!lines || place(lines, fd, o, fr, &failed, &already) < 0)
			return ap_error_set(err, "out of memory");
		/* without hunks, a copy is done when the bytes are the source's */
		if (fd->nhunks == 0 && src->exists &&
		    (dst->len != src->len ||
		     (dst->len && memcmp(dst->data, src->data, dst->len) != 0)))
			failed = 1;
		if (failed == 0 && already == fd->nhunks &&
		    (fd->op == AP_OP_RENAME || src->exists)) {
			fr->outcome = AP_FILE_ALREADY;
			return 0;
		}
		return file_fail(fr, fd->op == AP_OP_COPY
				 ? "%s already exists and differs (the patch copies %s to it)"
				 : "%s already exists (the patch renames %s to it)",
				 fd->new_path, fd->old_path);
	}
	if (!before.exists)
		return file_fail(fr, fd->op == AP_OP_RENAME ? "%s: no such file to rename%s"
				 : "%s: no such file to copy%s", fd->old_path, NULL);
	return file_fail(fr, "%s already exists (the patch renames %s to it)", fd->new_path,
			 fd->old_path);
}

static int apply_file(ap_vtree *v, const ap_file_diff *fd, git_ctx g, const ap_apply_opts *o,
		      ap_file_result *fr, ap_error *err)
{
	ap_vfile *src;
	ap_error e = AP_ERROR_INIT;

	fr->op = fd->op;
	fr->path = ap_strdup(ap_file_diff_target(fd));
	if ((fd->op == AP_OP_RENAME || fd->op == AP_OP_COPY) && fd->old_path)
		fr->old_path = ap_strdup(fd->old_path);
	if (!fr->path)
		return ap_error_set(err, "out of memory");

	switch (fd->op) {
	case AP_OP_CREATE:
		return apply_create(v, fd, o, fr, err);
	case AP_OP_MODIFY:
		/* plain diffs may name the file differently on each side */
		src = ap_vtree_get(v, fd->old_path, &e);
		if (src && !src->exists && strcmp(fd->old_path, fd->new_path) != 0) {
			ap_vfile *alt = ap_vtree_get(v, fd->new_path, &e);

			if (alt && alt->exists) {
				src = alt;
				free(fr->path);
				fr->path = ap_strdup(fd->new_path);
			}
		} else if (src && strcmp(fd->old_path, fd->new_path) != 0) {
			free(fr->path);
			fr->path = ap_strdup(fd->old_path);
		}
		if (!src)
			return file_fail(fr, "%s%s", e.msg, NULL);
		if (!src->exists)
			return file_fail(fr, "%s: no such file to patch%s", fr->path, NULL);
		if (link_mismatch(fd, src, fr))
			return 0;
		return apply_hunks(v, fd, o, src, src, NULL, fr, err);
	case AP_OP_DELETE:
		src = ap_vtree_get(v, fd->old_path, &e);
		if (!src)
			return file_fail(fr, "%s%s", e.msg, NULL);
		if (!src->exists) {
			/* deleted already */
			fr->outcome = AP_FILE_ALREADY;
			fr->hunks = calloc(fd->nhunks ? fd->nhunks : 1, sizeof *fr->hunks);
			if (!fr->hunks)
				return ap_error_set(err, "out of memory");
			fr->nhunks = fd->nhunks;
			for (size_t i = 0; i < fd->nhunks; i++) {
				fr->hunks[i].pl.outcome = AP_HUNK_ALREADY;
				fr->hunks[i].lineno = fd->hunks[i].lineno;
				fr->hunks[i].old_start = fd->hunks[i].old_start;
				fr->hunks[i].new_start = fd->hunks[i].new_start;
			}
			return 0;
		}
		if (link_mismatch(fd, src, fr))
			return 0;
		if (fd->nhunks == 0) {
			if (src->len != 0)
				return file_fail(fr, "%s is not empty, but the patch deletes it as an "
						 "empty file%s", fd->old_path, NULL);
			fr->outcome = AP_FILE_APPLIED;
			return ap_vtree_set(v, src, 0, 0, 0, NULL, 0) < 0 ? ap_error_set(err, "out of memory") : 0;
		}
		return apply_hunks(v, fd, o, src, src, NULL, fr, err);
	case AP_OP_RENAME:
	case AP_OP_COPY:
		return apply_copy(v, fd, g, o, fr, err);
	}
	return 0;
}

int ap_apply_patch(ap_vtree *v, const ap_patch *p, const ap_apply_opts *o, ap_patch_result *r,
		   ap_error *err)
{
	size_t applied = 0, already = 0, failed = 0;

	r->files = calloc(p->nfiles ? p->nfiles : 1, sizeof *r->files);
	if (!r->files)
		return ap_error_set(err, "out of memory");
	r->nfiles = p->nfiles;
	for (size_t i = 0; i < p->nfiles; i++) {
		ap_file_result *fr = &r->files[i];

		if (apply_file(v, &p->files[i], git_context(p, i), o, fr, err) < 0) {
			ap_vtree_rollback(v);
			return -1;
		}
		if (fr->outcome == AP_FILE_FAILED)
			failed++;
		else if (fr->outcome == AP_FILE_ALREADY)
			already++;
		else
			applied++;
	}
	if (!failed && applied && already) {
		/* some files have it and some do not: a half-applied patch */
		for (size_t i = 0; i < r->nfiles; i++)
			if (r->files[i].outcome == AP_FILE_ALREADY) {
				r->files[i].outcome = AP_FILE_FAILED;
				free(r->files[i].error);
				r->files[i].error = ap_strdup("already has this patch's changes while "
							      "other files of the patch do not");
				failed++;
			}
	}
	if (failed) {
		size_t counts[5];

		ap_vtree_rollback(v);
		r->status = AP_PATCH_FAILED;
		ap_patch_result_count(r, counts);
		free(r->reason);
		if (counts[AP_HUNK_ALREADY] && counts[AP_HUNK_FAILED] == 0)
			r->reason = ap_strdup("partly applied already: some of its changes are in the "
					      "tree and others are not");
		else if (counts[AP_HUNK_FAILED])
			r->reason = ap_printf("%zu of %zu hunk%s failed", counts[AP_HUNK_FAILED],
					      counts[0] + counts[1] + counts[2] + counts[3] + counts[4],
					      counts[0] + counts[1] + counts[2] + counts[3] + counts[4] == 1
					      ? "" : "s");
		else {
			for (size_t i = 0; i < r->nfiles && !r->reason; i++)
				if (r->files[i].error)
					r->reason = ap_strdup(r->files[i].error);
		}
		return 0;
	}
	if (o->trial)
		ap_vtree_rollback(v);
	else
		ap_vtree_commit(v);
	r->status = applied ? AP_PATCH_APPLIED : AP_PATCH_ALREADY;
	return 0;
}

void ap_patch_result_count(const ap_patch_result *r, size_t counts[5])
{
	memset(counts, 0, 5 * sizeof *counts);
	for (size_t i = 0; i < r->nfiles; i++)
		for (size_t j = 0; j < r->files[i].nhunks; j++)
			counts[r->files[i].hunks[j].pl.outcome]++;
}

void ap_patch_result_free(ap_patch_result *r)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		free(r->files[i].path);
		free(r->files[i].old_path);
		free(r->files[i].error);
		free(r->files[i].hunks);
	}
	free(r->files);
	free(r->name);
	free(r->why);
	free(r->reason);
	memset(r, 0, sizeof *r);
}
