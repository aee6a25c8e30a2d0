/* quiltcheck.c - see quiltcheck.h */
#include "quiltcheck.h"

#include "apply.h"
#include "buf.h"
#include "loaded_series.h"
#include "vtree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct qc_ctx {
	ap_tree *t;
	ap_strmap oldest;          /* tree path -> .pc/PATCH/PATH, its oldest backup */
	ap_strlist owned;          /* the backup paths, owned */
	ap_strmap last;            /* tree path -> the last patch touching it (borrowed) */
} qc_ctx;

/* A vtree loader: a file as quilt's oldest backup kept it (empty: it did
 * not exist), else as the tree holds it now. */
static int qc_load(void *ctx, const char *path, ap_file_state *st, char **data, size_t *len,
		   ap_error *err)
{
	qc_ctx *c = ctx;
	const char *b = ap_strmap_get(&c->oldest, path);

	/* a link, in the tree or kept by quilt, is held as the link itself */
	if (!b)
		return ap_tree_load(c->t, path, st, data, len, err);
	if (ap_tree_load(c->t, b, st, data, len, err) < 0)
		return -1;
	if (st->exists && !st->symlink && *len == 0) {
		free(*data);
		*data = NULL;
		st->exists = 0;
	}
	return 0;
}

static int qc_mismatch(ap_quiltcheck *out, const char *path, const char *patch)
{
	for (size_t i = 0; i < out->files.n; i++)
		if (strcmp(out->files.v[i], path) == 0)
			return 0;
	if (ap_strlist_add(&out->files, path) < 0 || ap_strlist_add(&out->patches, patch) < 0)
		return -1;
	return 0;
}

/* The oldest backup of every file (newest patch first, so older ones win). */
static int qc_backups(qc_ctx *c, const ap_quiltpc *q, ap_error *err)
{
	for (size_t i = q->applied.n; i > 0; i--) {
		ap_strlist files = { 0 };

		if (ap_quiltpc_backups(c->t, q->applied.v[i - 1], &files, err) < 0)
			return -1;
		for (size_t j = 0; j < files.n; j++) {
			char *b = ap_quiltpc_backup_path(q->applied.v[i - 1], files.v[j]);

			if (!b || ap_strlist_add(&c->owned, b) < 0 ||
			    ap_strmap_put(&c->oldest, files.v[j], c->owned.v[c->owned.n - 1]) < 0 ||
			    ap_strmap_put(&c->last, files.v[j], q->applied.v[i - 1]) < 0) {
				free(b);
				ap_strlist_free(&files);
				return ap_error_set(err, "out of memory");
			}
			free(b);
		}
		ap_strlist_free(&files);
	}
	return 0;
}

/* The patches directory as .pc/.quilt_patches names it (default patches),
 * relative to the tree unless absolute. */
static char *qc_patches_dir(ap_tree *t, const char *tree)
{
	ap_error ignored = AP_ERROR_INIT;
	ap_file_state st;
	char *data = NULL, *out;
	size_t len = 0;

	if (ap_tree_read(t, AP_QUILTPC_DIR "/.quilt_patches", &st, &data, &len, &ignored) < 0 ||
	    !st.exists || !data) {
		free(data);
		return ap_printf("%s/patches", tree);
	}
	while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		data[--len] = '\0';
	out = data[0] == '/' ? ap_strdup(data) : ap_printf("%s/%s", tree, len ? data : "patches");
	free(data);
	return out;
}

/* The series entry named name, or -1. */
static long qc_entry(const ap_loaded_series *ls, const char *name)
{
	for (size_t i = 0; i < ls->series.n; i++)
		if (strcmp(ls->series.v[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* What cannot be checked: every file the patch kept a backup of. */
static int qc_unchecked(qc_ctx *c, ap_quiltcheck *out, const char *patch, const char *why,
			ap_error *err)
{
	ap_strlist files = { 0 };

	if (!out->why)
		out->why = ap_strdup(why);
	if (ap_quiltpc_backups(c->t, patch, &files, err) < 0)
		return -1;
	for (size_t j = 0; j < files.n; j++)
		if (qc_mismatch(out, files.v[j], patch) < 0) {
			ap_strlist_free(&files);
			return ap_error_set(err, "out of memory");
		}
	ap_strlist_free(&files);
	return 0;
}

/* Applies q's patches, in order, to the backups in v. */
static int qc_replay(qc_ctx *c, ap_vtree *v, ap_loaded_series *ls, const char *dir,
		     const ap_quiltpc *q, ap_quiltcheck *out, ap_error *err)
{
	ap_apply_opts ao = { 0, 0 };

	for (size_t i = 0; i < q->applied.n; i++) {
		const char *name = q->applied.v[i];
		long e = ls ? qc_entry(ls, name) : -1;
		ap_patch_result r;
		char *why;

		if (e < 0 || !ap_loaded_series_held(ls, (size_t)e) || ap_loaded_series_parse(ls, (size_t)e) < 0) {
			why = ap_printf("%s: cannot read %s/%s to check it", name, dir, name);
			if (!why || qc_unchecked(c, out, name, why, err) < 0) {
				free(why);
				return why ? -1 : ap_error_set(err, "out of memory");
			}
			free(why);
			continue;
		}
		memset(&r, 0, sizeof r);
		if (ap_apply_patch(v, &ls->patches[e], &ao, &r, err) < 0) {
			ap_patch_result_free(&r);
			return -1;
		}
		for (size_t j = 0; j < ls->patches[e].nfiles; j++) {
			const char *p = ls->patches[e].files[j].new_path
					? ls->patches[e].files[j].new_path
					: ls->patches[e].files[j].old_path;

			if (!p)
				continue;
			if (ap_strmap_put(&c->last, p, (void *)name) < 0 ||
			    (r.status == AP_PATCH_FAILED && qc_mismatch(out, p, name) < 0)) {
				ap_patch_result_free(&r);
				return ap_error_set(err, "out of memory");
			}
		}
		ap_patch_result_free(&r);
		ap_loaded_series_drop(ls, (size_t)e);
	}
	return 0;
}

/* Whether the tree's path holds what f says. */
static int qc_same(ap_tree *t, const ap_vfile *f, int *same, ap_error *err)
{
	ap_file_state disk;
	char *data = NULL;
	size_t len = 0;

	if (ap_tree_stat(t, f->path, &disk, err) < 0)
		return -1;
	if (!disk.exists || !f->exists || disk.symlink != f->symlink || disk.dir || disk.special) {
		*same = disk.exists == f->exists && !disk.dir && !disk.special &&
			disk.symlink == f->symlink;
		return 0;
	}
	/* two links: the same when their targets are (nothing is followed) */
	if (ap_tree_load(t, f->path, &disk, &data, &len, err) < 0)
		return -1;
	*same = len == f->len && (len == 0 || memcmp(data, f->data, len) == 0);
	free(data);
	return 0;
}

int ap_quiltcheck_run(ap_tree *t, const char *tree, const char *patches_dir,
		      const ap_quiltpc *q, ap_quiltcheck *out, ap_error *err)
{
	qc_ctx c = { t, AP_STRMAP_INIT, { 0 }, AP_STRMAP_INIT };
	ap_loaded_series ls;
	ap_error lerr = AP_ERROR_INIT;
	ap_vtree v;
	char *dir = NULL;
	int loaded = 0, rc = -1;

	memset(out, 0, sizeof *out);
	memset(&ls, 0, sizeof ls);
	ap_vtree_init(&v, qc_load, &c);
	if (!q->applied.n)
		return 0;
	if (qc_backups(&c, q, err) < 0)
		goto out;
	dir = patches_dir ? ap_strdup(patches_dir) : qc_patches_dir(t, tree);
	if (!dir) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	loaded = ap_loaded_series_load_hashes(&ls, dir, "linux", 1, &lerr) == 0;
	if (qc_replay(&c, &v, loaded ? &ls : NULL, dir, q, out, err) < 0)
		goto out;
	for (size_t i = 0; i < v.map.cap; i++) {
		const ap_vfile *f = v.map.slots[i].value;
		int same;

		if (!v.map.slots[i].key || !f)
			continue;
		if (qc_same(t, f, &same, err) < 0)
			goto out;
		if (!same && qc_mismatch(out, f->path, ap_strmap_get(&c.last, f->path)
						       ? ap_strmap_get(&c.last, f->path) : "?") < 0) {
			ap_error_set(err, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	ap_vtree_free(&v);
	if (loaded)
		ap_loaded_series_free(&ls);
	free(dir);
	ap_strmap_free(&c.oldest);
	ap_strmap_free(&c.last);
	ap_strlist_free(&c.owned);
	return rc;
}

void ap_quiltcheck_free(ap_quiltcheck *c)
{
	ap_strlist_free(&c->files);
	ap_strlist_free(&c->patches);
	free(c->why);
	memset(c, 0, sizeof *c);
}
