/* vtree.h - the files a series touches, held in memory.
 *
 * A series is applied here, never on disk: each file is loaded once (from
 * the tree, a git revision or a tarball, through a loader), every patch
 * edits the in-memory copy, and only when every patch has succeeded does
 * the caller write what changed. Edits made by one patch can be undone
 * together, so a failed patch leaves no trace for the ones after it.
 *
 *   ap_vtree_init / _free       a vtree over a loader
 *   ap_vtree_get / _set         a file, loaded once; its new bytes
 *   ap_vtree_before             a file as it was before the current patch
 *   ap_vtree_commit / _rollback end the current patch: keep or undo its edits
 *   ap_vfile_changed / _lines   whether a file changed; its lines
 */
#ifndef AP_VTREE_H
#define AP_VTREE_H

#include "error.h"
#include "lines.h"
#include "strmap.h"
#include "fileio.h"

typedef struct ap_vfile {
	char *path;
	/* as loaded */
	ap_file_state base;
	char *base_data;     /* freed (NULL) once a kept patch has replaced it */
	size_t base_len;
	int base_dropped;
	/* now */
	int exists;
	int symlink;
	mode_t mode;
	char *data;          /* == base_data until first changed */
	size_t len;
	ap_lines lines;      /* of data, built on demand */
	int lines_valid;
} ap_vfile;

/* Loads path; a missing file is st->exists == 0 and returns 0. */
typedef int (*ap_vtree_loader)(void *ctx, const char *path, ap_file_state *st, char **data,
			       size_t *len, ap_error *err);

typedef struct ap_vtree_undo {
	ap_vfile *f;
	int exists, symlink;
	mode_t mode;
	char *data;
	size_t len;
} ap_vtree_undo;

typedef struct ap_vtree {
	ap_strmap map;
	ap_vfile **files;    /* in the order first touched */
	size_t n, cap;
	ap_vtree_loader load;
	void *ctx;
	ap_vtree_undo *undo;
	size_t nundo, ucap;
} ap_vtree;

void ap_vtree_init(ap_vtree *v, ap_vtree_loader load, void *ctx);
void ap_vtree_free(ap_vtree *v);

/* The file at path, loaded on first use. Refuses a path that passes
 * through a symlink or a file created or kept in the vtree. A symlink at
 * path itself is held as the link (symlink set, its target the data), as
 * git holds one: whether a patch may change it is apply's question. */
ap_vfile *ap_vtree_get(ap_vtree *v, const char *path, ap_error *err);

/* The file's current lines (split on demand). */
const ap_lines *ap_vfile_lines(ap_vfile *f);

/* Replaces a file's current state; takes ownership of data (malloc'd, or
 * NULL when !exists). Recorded for ap_vtree_rollback. */
int ap_vtree_set(ap_vtree *v, ap_vfile *f, int exists, int symlink, mode_t mode, char *data,
		 size_t len);

/* Fills view with f as it was when the current patch began (git reads the
 * source of a copy or rename so, whatever the patch did to it before).
 * The view shares the vtree's bytes until ap_vtree_commit or rollback;
 * free its lines with ap_lines_free(&view->lines). Returns 1 when the
 * current patch changed f, else 0 (the view is f as it is). */
int ap_vtree_before(const ap_vtree *v, const ap_vfile *f, ap_vfile *view);

/* Ends the current patch: keep its edits, or undo them. */
void ap_vtree_commit(ap_vtree *v);
void ap_vtree_rollback(ap_vtree *v);

/* Whether a file differs from how it was loaded. */
int ap_vfile_changed(const ap_vfile *f);

#endif
