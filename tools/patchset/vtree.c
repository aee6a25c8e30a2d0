/* vtree.c - in-memory files with a per-patch undo log. */
#include "vtree.h"

#include "buf.h"

#include <stdlib.h>
#include <string.h>

void ap_vtree_init(ap_vtree *v, ap_vtree_loader load, void *ctx)
{
	memset(v, 0, sizeof *v);
	v->load = load;
	v->ctx = ctx;
}

static void free_data(const ap_vfile *f, char *data)
{
	if (data && data != f->base_data && data != f->data)
		free(data);
}

void ap_vtree_free(ap_vtree *v)
{
	ap_vtree_commit(v);
	for (size_t i = 0; i < v->n; i++) {
		ap_vfile *f = v->files[i];

		if (f->data != f->base_data)
			free(f->data);
		free(f->base_data);
		ap_lines_free(&f->lines);
		free(f->path);
		free(f);
	}
	free(v->files);
	free(v->undo);
	ap_strmap_free(&v->map);
	memset(v, 0, sizeof *v);
}

ap_vfile *ap_vtree_get(ap_vtree *v, const char *path, ap_error *err)
{
	ap_vfile *f;
	char *prefix;

	/* a directory on the way must not be a file or symlink we hold, even
	 * for a path looked at before the series made its parent a symlink */
	prefix = ap_strdup(path);
	if (!prefix) {
		ap_error_set(err, "out of memory");
		return NULL;
	}
	for (char *p = strchr(prefix, '/'); p; p = strchr(p + 1, '/')) {
		ap_vfile *up;

		*p = '\0';
		up = ap_strmap_get(&v->map, prefix);
		if (up && up->exists) {
			ap_error_set(err, !up->symlink ? "%s passes through %s, which is a file"
				     : up->base.symlink && up->data == up->base_data
				     ? "%s passes through %s, a symbolic link: gap-patchkit never "
				       "reads, writes or deletes through symlinks"
				     : "%s passes through %s, a symbolic link created earlier in this "
				       "series: applypatch never writes through symlinks", path, prefix);
			free(prefix);
			return NULL;
		}
		*p = '/';
	}
	free(prefix);
	f = ap_strmap_get(&v->map, path);
	if (f)
		return f;

	f = calloc(1, sizeof *f);
	if (!f || !(f->path = ap_strdup(path))) {
		free(f);
		ap_error_set(err, "out of memory");
		return NULL;
	}
	if (v->load(v->ctx, path, &f->base, &f->base_data, &f->base_len, err) < 0) {
		free(f->path);
		free(f);
		return NULL;
	}
	f->exists = f->base.exists;
	f->symlink = f->base.exists && f->base.symlink;
	f->mode = f->base.mode;
	f->data = f->base_data;
	f->len = f->base_len;
	if (ap_array_grow((void **)&v->files, &v->cap, v->n + 1, sizeof *v->files) < 0 ||
	    ap_strmap_put(&v->map, path, f) < 0) {
		free(f->base_data);
		free(f->path);
		free(f);
		ap_error_set(err, "out of memory");
		return NULL;
	}
	v->files[v->n++] = f;
	return f;
}

const ap_lines *ap_vfile_lines(ap_vfile *f)
{
	if (!f->lines_valid) {
		if (ap_lines_split(&f->lines, f->data ? f->data : "", f->data ? f->len : 0) < 0)
			return NULL;
		f->lines_valid = 1;
	}
	return &f->lines;
}

int ap_vtree_set(ap_vtree *v, ap_vfile *f, int exists, int symlink, mode_t mode, char *data,
		 size_t len)
{
	ap_vtree_undo *u;

	if (ap_array_grow((void **)&v->undo, &v->ucap, v->nundo + 1, sizeof *v->undo) < 0)
		return -1;
	u = &v->undo[v->nundo++];
	u->f = f;
	u->exists = f->exists;
	u->symlink = f->symlink;
	u->mode = f->mode;
	u->data = f->data;
	u->len = f->len;
	f->exists = exists;
	f->symlink = symlink;
	f->mode = mode;
	f->data = data;
	f->len = len;
	/* the lines described the old bytes; keep no memory for them */
	f->lines_valid = 0;
	ap_lines_free(&f->lines);
	return 0;
}

int ap_vtree_before(const ap_vtree *v, const ap_vfile *f, ap_vfile *view)
{
	*view = *f;
	view->lines = (ap_lines)AP_LINES_INIT;
	view->lines_valid = 0;
	/* the first undo record of f holds its state before this patch */
	for (size_t i = 0; i < v->nundo; i++)
		if (v->undo[i].f == f) {
			view->exists = v->undo[i].exists;
			view->symlink = v->undo[i].symlink;
			view->mode = v->undo[i].mode;
			view->data = v->undo[i].data;
			view->len = v->undo[i].len;
			return 1;
		}
	return 0;
}

void ap_vtree_commit(ap_vtree *v)
{
	/* the old contents are no longer needed once the patch is kept; nor
	 * are the bytes as loaded, once replaced (a long series would
	 * otherwise hold every touched file twice) */
	for (size_t i = 0; i < v->nundo; i++) {
		ap_vfile *f = v->undo[i].f;

		free_data(f, v->undo[i].data);
		if (f->base_data && f->data != f->base_data) {
			free(f->base_data);
			f->base_data = NULL;
			f->base_dropped = 1;
		}
	}
	v->nundo = 0;
}

void ap_vtree_rollback(ap_vtree *v)
{
	for (size_t i = v->nundo; i > 0; i--) {
		ap_vtree_undo *u = &v->undo[i - 1];
		ap_vfile *f = u->f;
		char *newer = f->data;

		f->exists = u->exists;
		f->symlink = u->symlink;
		f->mode = u->mode;
		f->data = u->data;
		f->len = u->len;
		f->lines_valid = 0;
		free_data(f, newer);
	}
	v->nundo = 0;
}

int ap_vfile_changed(const ap_vfile *f)
{
	if (f->exists != f->base.exists)
		return 1;
	if (!f->exists)
		return 0;
	if (f->symlink != f->base.symlink || f->mode != f->base.mode)
		return 1;
	if (f->base_dropped)
		return 1;
	return f->data != f->base_data &&
	       (f->len != f->base_len || memcmp(f->data, f->base_data, f->len) != 0);
}

