/* worktree.c - apply, unapply and status on a tree on disk. */
#include "worktree.h"

#include "buf.h"
#include "loaded_series.h"
#include "path.h"
#include "quiltcheck.h"
#include "quiltpc.h"
#include "state.h"
#include "strmap.h"
#include "tree.h"
#include "txn.h"
#include "vtree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- common set-up -------------------------------------------------------- */

static int run_init(ap_run *run, const ap_run_opts *o, int need_platform, ap_error *err)
{
	const char *platform = o->platform;

	memset(run, 0, sizeof *run);
	run->tree = ap_strdup(o->tree ? o->tree : ".");
	run->patches_dir = ap_series_dir(o->patches_dir, run->tree);
	run->dry_run = o->dry_run;
	if (need_platform && ap_platform_resolve(platform, &platform, err) < 0)
		return -1;
	if (platform)
		run->platform = ap_strdup(platform);
	if (!run->tree || !run->patches_dir || (platform && !run->platform))
		return ap_error_set(err, "out of memory");
	return 0;
}

static int add_run_warning(ap_run *run, const char *where, const char *what)
{
	if (ap_array_grow((void **)&run->warnings, &run->wcap, run->nwarnings + 1,
			  sizeof *run->warnings) < 0)
		return -1;
	run->warnings[run->nwarnings].where = ap_strdup(where);
	run->warnings[run->nwarnings].what = ap_strdup(what);
	run->nwarnings++;
	return 0;
}

/* Opens and locks the tree, and finishes any interrupted run first;
 * a dry run changes nothing, so it only looks (and cannot go on from a
 * half-patched tree). */
static int open_locked(const char *root, int dry_run, ap_tree **t, char **note, ap_error *err)
{
	int rc;

	if (ap_tree_open(t, root, err) < 0)
		return -1;
	if (ap_tree_lock(*t, err) < 0)
		goto fail;
	if (!dry_run)
		rc = ap_txn_recover(*t, note, err);
	else if ((rc = ap_txn_interrupted(*t, note, err)) == 2) {
		ap_error_set(err, "%s: %s; a dry run cannot tell what this run would do before that",
			     root, *note);
		free(*note);
		*note = NULL;
		rc = -1;
	}
	if (rc < 0)
		goto fail;
	return 0;
fail:
	ap_tree_close(*t);
	*t = NULL;
	return -1;
}

static void set_note(ap_run *run, char *note)
{
	if (!note)
		return;
	free(run->note);
	run->note = note;
}

/* --- apply ---------------------------------------------------------------- */

/* The identity rule a record of state version 3 or 4 holds (1 or 2; 0:
 * another kind of sum, or the current rule). */
static int old_rule(const ap_state *st)
{
	return st->version == 3 ? 1 : st->version == 4 ? 2 : 0;
}

/* The sum a state's patch lines hold for series entry i: the identity
 * (what the patch changes, identity.h); in a version 4 record the
 * identity by version 2's rule and in a version 3 record by version 1's
 * (old_identities), in a version 2 record the sum of its diff's bytes, in
 * a version 1 record the whole file's. An older record is rewritten with
 * identities by the next apply that adds to it. */
static const char *patch_sum(const ap_state *st, const ap_loaded_series *ls, size_t i)
{
	int rule = old_rule(st);

	return st->version == 1 ? ls->file_sha256[i]
	       : st->version == 2 ? ls->diff_sha256[i]
	       : rule && ls->sha256_old && ls->old_rule == rule ? ls->sha256_old[i]
							       : ls->sha256[i];
}

/* A version 3 or 4 record holds identities by an older rule: those are
 * computed too, from the patches as loaded, only when such a record is
 * there. */
static int old_identities(const ap_state *st, ap_loaded_series *ls, ap_error *err)
{
	int rule = old_rule(st);

	if (rule && ap_loaded_series_identities_old(ls, rule) < 0)
		return ap_error_set(err, "out of memory");
	return 0;
}

/* How many of the selected patches match the recorded ones, in order. */
static size_t recorded_prefix(const ap_state *st, const ap_loaded_series *ls, const size_t *sel,
			      size_t nsel)
{
	size_t k = 0;

	while (k < nsel && k < st->npatches &&
	       strcmp(st->patches[k].name, ls->series.v[sel[k]].name) == 0 &&
	       strcmp(st->patches[k].sha256, patch_sum(st, ls, sel[k])) == 0)
		k++;
	return k;
}

/* Names the recorded files no longer as apply left them (a hand edit):
 * NULL when all are, else a malloc'd list "a, b". */
static int edited_files(ap_tree *t, const ap_state *st, char **out, size_t *n, ap_error *err)
{
	ap_buf names = AP_BUF_INIT;

	*n = 0;
	*out = NULL;
	for (size_t i = 0; i < st->nfiles; i++) {
		ap_file_state disk;
		int same;

		if (ap_state_file_compare(t, &st->files[i], &disk, &same, NULL, NULL, err) < 0) {
			ap_buf_free(&names);
			return -1;
		}
		if (!same) {
			ap_buf_printf(&names, "%s%s", *n ? ", " : "", st->files[i].path);
			(*n)++;
		}
	}
	if (*n && !names.data)
		return ap_error_set(err, "out of memory");
	*out = names.data;
	return 0;
}

static char *series_mismatch(const ap_state *st, const ap_loaded_series *ls, const size_t *sel,
			     size_t nsel, size_t k, const char *tree)
{
	char *what, *out;

	if (k < st->npatches && k < nsel &&
	    strcmp(st->patches[k].name, ls->series.v[sel[k]].name) == 0)
		what = ap_printf("%s changed since it was applied (its identity was %.12s, now "
				 "%.12s)", st->patches[k].name, st->patches[k].sha256,
				 patch_sum(st, ls, sel[k]));
	else if (k < st->npatches && k < nsel) {
		int later = 0;

		for (size_t i = k; i < nsel && !later; i++)
			later = strcmp(ls->series.v[sel[i]].name, st->patches[k].name) == 0;
		what = later ? ap_printf("the series changed: %s is now listed before %s, which "
					 "was applied", ls->series.v[sel[k]].name, st->patches[k].name)
			     : ap_printf("%s was applied but is no longer selected in the series "
					 "for %s", st->patches[k].name, st->platform);
	} else if (k < st->npatches) {
		what = ap_printf("%s was applied but is no longer selected in the series for %s",
				 st->patches[k].name, st->platform);
	} else {
		what = ap_strdup("the series changed");
	}
	out = ap_printf("%s; run 'applypatch unapply -d %s' to restore the original files, "
			"then 'applypatch apply' again", what ? what : "the series changed", tree);
	free(what);
	return out;
}

static int depth_cmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t dx = 0, dy = 0;

	for (; *x; x++)
		dx += *x == '/';
	for (; *y; y++)
		dy += *y == '/';
	return dx < dy ? -1 : dx > dy;
}

/* As GNU patch and git apply do, a directory that deleting files leaves
 * empty goes too (commit tries each, deepest first, and keeps those that
 * still hold something); unapply's restored files bring them back, with
 * the mode and owner recorded here. */
static int remove_emptied_dirs(ap_tree *t, ap_state *st, ap_txn *x, const ap_change *ch,
			       size_t n, ap_error *err)
{
	ap_strlist dirs = { 0 };

	for (size_t i = 0; i < n; i++) {
		char *dir;

		if (ch[i].kind != AP_CHANGE_DELETE)
			continue;
		dir = ap_strdup(ch[i].path);
		if (!dir)
			goto oom;
		for (char *slash = strrchr(dir, '/'); slash; slash = strrchr(dir, '/')) {
			int dup = 0;

			*slash = '\0';
			for (size_t k = 0; k < dirs.n && !dup; k++)
				dup = strcmp(dirs.v[k], dir) == 0;
			if (dup)
				break;
			if (ap_strlist_add(&dirs, dir) < 0) {
				free(dir);
				goto oom;
			}
		}
		free(dir);
	}
	/* commit removes the last added first: shallow ones go in first */
	if (dirs.n)
		qsort(dirs.v, dirs.n, sizeof *dirs.v, depth_cmp);
	for (size_t i = 0; i < dirs.n; i++) {
		ap_file_state ds;

		if (ap_tree_stat(t, dirs.v[i], &ds, err) < 0) {
			ap_strlist_free(&dirs);
			return -1;
		}
		if (ds.exists && ds.dir &&
		    ap_state_gone_dir_add(st, dirs.v[i], ds.mode, ds.uid, ds.gid) < 0)
			goto oom;
		if (ap_txn_rmdir(x, dirs.v[i]) < 0)
			goto oom;
	}
	ap_strlist_free(&dirs);
	return 0;
oom:
	ap_strlist_free(&dirs);
	return ap_error_set(err, "out of memory");
}

/* The owner of a folder of .pc/ (or the tree's root, ""), cached in dirs
 * with whether it is new; a new folder takes its parent's owner, as one
 * the tree's owner made would have, and prepare is asked to give it that. */
typedef struct pc_dir {
	ap_owner own;
	int is_new;
} pc_dir;

static int pc_dir_owner(ap_tree *t, ap_txn *x, ap_strmap *dirs, const char *dir, mode_t umask,
			pc_dir **out, ap_error *err)
{
	pc_dir *d = ap_strmap_get(dirs, dir), *p;
	const char *slash;
	char *parent;
	ap_file_state fs;
	struct stat sb;
	int rc;

	if (d) {
		*out = d;
		return 0;
	}
	d = calloc(1, sizeof *d);
	if (!d || ap_strmap_put(dirs, dir, d) < 0) {
		free(d);
		return ap_error_set(err, "out of memory");
	}
	*out = d;
	if (!*dir) {
		if (fstat(ap_tree_rootfd(t), &sb) < 0)
			return ap_error_sys(err, "cannot stat %s", ap_tree_root(t));
		d->own = (ap_owner){ 1, sb.st_uid, sb.st_gid };
		return 0;
	}
	if (ap_tree_stat(t, dir, &fs, err) < 0)
		return -1;
	if (fs.exists) {
		/* not a folder: prepare refuses it */
		d->own = (ap_owner){ fs.dir, fs.uid, fs.gid };
		return 0;
	}
	slash = strrchr(dir, '/');
	parent = ap_strndup(dir, slash ? (size_t)(slash - dir) : 0);
	if (!parent)
		return ap_error_set(err, "out of memory");
	rc = pc_dir_owner(t, x, dirs, parent, umask, &p, err);
	free(parent);
	if (rc < 0)
		return -1;
	d->own = p->own;
	d->is_new = 1;
	return ap_txn_dir_attr(x, dir, 0777 & ~umask, &d->own) < 0
		       ? ap_error_set(err, "out of memory") : 0;
}

/* Run by root in a tree someone else owns, quilt's files are left as that
 * user's quilt would leave them: a file rewritten keeps its owner, a new
 * file or folder takes the owner of the folder it is made in (a new .pc/,
 * the tree root's). Otherwise the user's quilt pop cannot remove root's
 * files from .pc/ (red-team 4). Only root can give a file away: anyone
 * else's files are simply theirs, as before. */
static int pc_owners(ap_tree *t, ap_txn *x, ap_change *ch, size_t n, mode_t umask, ap_error *err)
{
	ap_strmap dirs = AP_STRMAP_INIT;
	int rc = 0;

	if (geteuid() != 0)
		return 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *slash = strrchr(ch[i].path, '/');
		char *dir = ap_strndup(ch[i].path, slash ? (size_t)(slash - ch[i].path) : 0);
		ap_file_state fs = { 0 };
		pc_dir *d;

		if (!dir) {
			rc = ap_error_set(err, "out of memory");
			break;
		}
		rc = pc_dir_owner(t, x, &dirs, dir, umask, &d, err);
		free(dir);
		if (rc == 0 && !d->is_new)
			rc = ap_tree_stat(t, ch[i].path, &fs, err);
		if (rc == 0)
			ch[i].owner = fs.exists && !fs.dir ? (ap_owner){ 1, fs.uid, fs.gid } : d->own;
	}
	for (size_t i = 0; i < dirs.cap; i++)
		free(dirs.slots[i].key ? dirs.slots[i].value : NULL);
	ap_strmap_free(&dirs);
	return rc;
}

static int build_state_and_commit(ap_tree *t, ap_state *st, ap_vtree *v,
				  ap_quiltpc_out *pc, ap_run *run, ap_error *err)
{
	ap_change *ch = calloc(v->n + pc->n + 1, sizeof *ch);
	ap_vfile **files = calloc(v->n ? v->n : 1, sizeof *files);
	char **blobs = calloc(v->n ? v->n : 1, sizeof *blobs);
	size_t n = 0, nfiles;
	ap_txn *x = NULL;
	ap_buf text = AP_BUF_INIT;
	ap_strmap listed = AP_STRMAP_INIT;
	mode_t umask = ap_umask();
	int rc = -1;

	if (!ch || !files || !blobs) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < v->n; i++) {
		ap_vfile *f = v->files[i];
		ap_state_file *sf;

		if (!ap_vfile_changed(f))
			continue;
		sf = ap_state_file_find(st, f->path);
		if (!sf) {
			sf = ap_state_file_add(st, f->path);
			if (!sf) {
				ap_error_set(err, "out of memory");
				goto out;
			}
			if (f->base.exists) {
				sf->orig_blob = ap_printf("%lu", st->next_blob++);
				/* a link's type goes into the record (S_IFLNK):
				 * unapply puts back the link, not a file */
				sf->orig_mode = f->base.mode | (f->base.symlink ? S_IFLNK : 0);
				sf->orig_owned = 1;
				sf->orig_uid = f->base.uid;
				sf->orig_gid = f->base.gid;
				blobs[n] = ap_printf("%s", sf->orig_blob);
			}
		}
		files[n] = f;
		ch[n].path = f->path;
		ch[n].kind = !f->exists ? AP_CHANGE_DELETE : f->symlink ? AP_CHANGE_SYMLINK
									: AP_CHANGE_WRITE;
		ch[n].data = f->data;
		ch[n].len = f->len;
		if (f->base.exists) {
			/* written over a file: its owner stays (and its mode, but
			 * for what the patch changed) */
			ch[n].mode = f->mode;
			ch[n].owner = (ap_owner){ 1, f->base.uid, f->base.gid };
		} else {
			/* a new file (created, copied or renamed): the caller's,
			 * under its umask, never setuid */
			ch[n].mode = f->mode & 0777 & ~umask;
		}
		ch[n].backup = blobs[n];
		n++;
	}
	nfiles = n;
	/* the .pc/ paths the record lists already (an earlier run's), looked
	 * up by hash: a long series keeps thousands of backups */
	for (size_t j = 0; j < st->quilt.n; j++)
		if (ap_strmap_put(&listed, st->quilt.v[j], st) < 0) {
			ap_error_set(err, "out of memory");
			goto out;
		}
	for (size_t i = 0; i < pc->n; i++, n++) {
		ch[n].path = pc->v[i].path;
		ch[n].kind = AP_CHANGE_WRITE;
		ch[n].data = pc->v[i].data;
		ch[n].len = pc->v[i].len;
		ch[n].mode = pc->v[i].mode;
		ch[n].copy_of = pc->v[i].copy_of;
		ch[n].from_spool = pc->v[i].spooled;
		ch[n].spool_fd = pc->spool;
		ch[n].spool_off = pc->v[i].off;
		/* quilt refuses a .pc/ without .version: it comes with the folder */
		ch[n].marks_dir = strcmp(pc->v[i].path, AP_QUILTPC_DIR "/.version") == 0;
		/* quilt takes any file in .pc/PATCH/ for a backup: the temporary
		 * files wait at the top of .pc/ */
		ch[n].tmp_dir = AP_QUILTPC_DIR;
		if (ap_strmap_get(&listed, pc->v[i].path))
			continue;
		if (ap_strmap_put(&listed, pc->v[i].path, st) < 0 ||
		    ap_strlist_add(&st->quilt, pc->v[i].path) < 0) {
			ap_error_set(err, "out of memory");
			goto out;
		}
	}
	if (ap_txn_begin(&x, t, err) < 0 || pc_owners(t, x, ch + nfiles, n - nfiles, umask, err) < 0 ||
	    ap_txn_prepare(x, ch, n, err) < 0)
		goto out;
	/* every backup is in its temp file: the spool's pages can go unwritten */
	ap_quiltpc_out_spool_close(pc);
	if (remove_emptied_dirs(t, st, x, ch, nfiles, err) < 0)
		goto out;
	for (size_t i = 0; i < ap_txn_created_dirs(x)->n; i++)
		ap_strlist_add(&st->dirs, ap_txn_created_dirs(x)->v[i]);
	for (size_t i = 0; i < nfiles; i++) {
		ap_state_file *sf = ap_state_file_find(st, files[i]->path);

		sf->now = ch[i].result;
		sf->now_sha[0] = '\0';
		if (ch[i].kind == AP_CHANGE_DELETE)
			memset(&sf->now, 0, sizeof sf->now);
		else if (ap_state_sha(ch[i].data, ch[i].len, sf->now_sha) < 0)
			sf->now_sha[0] = '\0';
	}
	if (ap_state_format(st, &text) < 0 || !text.data) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	if (ap_txn_commit(x, text.data, text.len, err) < 0)
		goto out;
	run->files_written = nfiles;
	rc = 0;
out:
	ap_strmap_free(&listed);
	ap_txn_free(x);
	ap_buf_free(&text);
	for (size_t i = 0; blobs && i < (v->n ? v->n : 1); i++)
		free(blobs[i]);
	free(blobs);
	free(files);
	free(ch);
	return rc;
}

/* An incremental apply writes a new record of every file it touches: over
 * a hand edit, that would record the edit as applypatch's output and a
 * later unapply would discard it silently. So it refuses, naming the files
 * (returns 1; -1 on I/O errors; 0 when every recorded file is as left). */
static int refuse_over_edits(ap_tree *t, const ap_state *st, ap_run *run, const size_t *sel,
			     size_t k, size_t nsel, ap_error *err)
{
	size_t n;
	char *names;

	if (edited_files(t, st, &names, &n, err) < 0)
		return -1;
	if (!names)
		return 0;
	set_note(run, ap_printf("%s: %s changed after apply (edited by hand?); applying more "
				"patches would record %s as applypatch's output, and unapply would "
				"then discard %s: undo the edit, or run 'applypatch unapply --force "
				"-d %s' (it keeps a copy of each edited file) and apply again",
				run->tree, names, n == 1 ? "that edit" : "those edits",
				n == 1 ? "it" : "them", run->tree));
	free(names);
	for (size_t i = k; i < nsel; i++) {
		ap_patch_result *r = &run->patches[sel[i]];

		r->status = AP_PATCH_SKIPPED;
		free(r->reason);
		r->reason = ap_strdup("not tried: a file the tree's record covers was edited");
	}
	run->failed = 1;
	return 1;
}

/* A quilt backup's mode: the file's permission bits, never setuid, setgid
 * or sticky (the copy is the runner's, of someone else's bytes); an empty
 * 0644 file for what was a symlink or absent. */
static mode_t backup_mode(int exists, int symlink, mode_t mode)
{
	return exists && !symlink ? mode & 0777 : 0644;
}

/* Whether f is as loaded from the tree: no patch of this run changed it. */
static int vfile_as_loaded(const ap_vfile *f)
{
	return f->data == f->base_data && !f->base_dropped && f->exists == f->base.exists &&
	       f->symlink == f->base.symlink && f->mode == f->base.mode;
}

/* Keeps tree file `file` as it is now for quilt, as .pc/PATCH/FILE (path):
 * as it is on disk while no patch of this run has changed it (the
 * transaction links or copies it then), else the vtree's version, which
 * the patch about to run supersedes, into the spool; empty when the file
 * does not exist (or is a symlink the series made). A file the loader
 * would refuse (a symlink, a directory) is not kept: the patch fails on
 * it. -1 only when out of memory. */
static int pc_keep_file(ap_tree *t, ap_vtree *v, const char *file, const char *path,
			ap_quiltpc_out *pc)
{
	/* never through ap_vtree_get: loading the path before the patch runs
	 * would hide a symlink the patch itself creates on the way (the
	 * safety check that refuses it) */
	ap_vfile *f = ap_strmap_get(&v->map, file);
	ap_file_state st;

	if (f && !vfile_as_loaded(f))
		return f->exists && !f->symlink
		       ? ap_quiltpc_out_add_version(pc, path, f->data, f->len,
						    backup_mode(1, 0, f->mode))
		       : ap_quiltpc_out_add(pc, path, "", 0, 0644);
	if (f)
		st = f->base;
	else {
		ap_error ignored = AP_ERROR_INIT;

		if (ap_tree_stat(t, file, &st, &ignored) < 0)
			return 0;
	}
	/* a link (one a git patch deletes or re-points) is not kept: quilt's
	 * own backup would be the link, which quilt 0.66's pop does not put
	 * back either; unapply restores it from applypatch's record */
	if (st.exists && (st.symlink || st.dir || st.special ||
			  (unsigned long long)st.size > AP_FILE_MAX))
		return 0;
	return st.exists ? ap_quiltpc_out_add_original(pc, path, file, backup_mode(1, 0, st.mode))
			 : ap_quiltpc_out_add(pc, path, "", 0, 0644);
}

/* Keeps, for quilt, each file patch p touches as it is before p:
 * .pc/NAME/FILE (empty when the file does not exist yet), and the
 * backup folder's .timestamp. */
static int pc_keep_before(ap_tree *t, ap_vtree *v, const ap_patch *p, const char *name,
			  ap_quiltpc_out *pc)
{
	char *path = ap_quiltpc_backup_path(name, ".timestamp");
	size_t first = pc->n;      /* this patch's backups: only they can repeat */

	if (!path || ap_quiltpc_out_add(pc, path, "", 0, 0644) < 0) {
		free(path);
		return -1;
	}
	free(path);
	for (size_t i = 0; i < p->nfiles; i++) {
		const char *paths[2] = { p->files[i].old_path, p->files[i].new_path };

		for (int k = 0; k < 2; k++) {
			int dup = 0;

			if (!paths[k] || (k == 1 && paths[0] && strcmp(paths[0], paths[1]) == 0))
				continue;
			path = ap_quiltpc_backup_path(name, paths[k]);
			if (!path)
				return -1;
			for (size_t j = first; j < pc->n && !dup; j++)
				dup = strcmp(pc->v[j].path, path) == 0;
			if (!dup && pc_keep_file(t, v, paths[k], path, pc) < 0) {
				free(path);
				return -1;
			}
			free(path);
		}
	}
	return 0;
}

/* A patch found present (someone else applied it): its backup folder
 * holds only the .timestamp, so quilt pop takes it off the stack and
 * changes no file ("appears to be empty, removing"), as unapply leaves it. */
static int pc_keep_present(ap_quiltpc_out *pc, const char *name)
{
	char *path = ap_quiltpc_backup_path(name, ".timestamp");
	int rc = path ? ap_quiltpc_out_add(pc, path, "", 0, 0644) : -1;

	free(path);
	return rc;
}

/* The patches directory as .pc/.quilt_patches names it: relative to the
 * tree when inside it, else absolute. */
static char *pc_patches_dir(const char *tree, const char *dir)
{
	char *rt = realpath(tree, NULL), *rd = realpath(dir, NULL), *out = NULL;
	size_t n = rt ? strlen(rt) : 0;

	if (rt && rd && strncmp(rd, rt, n) == 0 && rd[n] == '/')
		out = ap_strdup(rd + n + 1);
	else if (rd)
		out = ap_strdup(rd);
	free(rt);
	free(rd);
	return out;
}

/* A .pc/.version the tree already has must be one quilt 0.66 and
 * dpkg-source accept ("2", trailing newlines aside, as quilt's $(< ...)
 * reads it): adding to a .pc/ they refuse ("created by an older version
 * of quilt", a dangling link, a directory) would report success on a tree
 * quilt then cannot push or pop. A symlink or non-file fails the read. */
static int pc_version_ok(ap_tree *t, ap_error *err)
{
	ap_file_state fs;
	char *data = NULL, shown[64];
	size_t len = 0;

	if (ap_tree_read(t, AP_QUILTPC_DIR "/.version", &fs, &data, &len, err) < 0)
		return -1;
	while (len && data[len - 1] == '\n')
		len--;
	if (len == 1 && data[0] == '2') {
		free(data);
		return 0;
	}
	ap_path_show(data ? data : "", len, shown, sizeof shown);
	free(data);
	return ap_error_set(err, AP_QUILTPC_DIR "/.version holds '%s', not quilt's 2: quilt and "
			    "dpkg-source refuse this .pc/ ('quilt upgrade' converts an older one), "
			    "nothing was changed (--no-quilt-state leaves .pc/ alone)", shown);
}

/* quilt's own files: .version, .quilt_patches and .quilt_series where
 * missing, and applied-patches with this run's patches added. */
static int pc_meta(ap_tree *t, const ap_loaded_series *ls, const ap_run *run,
		   ap_quiltpc_out *pc, ap_error *err)
{
	ap_quiltpc q;
	ap_buf applied = AP_BUF_INIT;
	char *pdir = pc_patches_dir(run->tree, run->patches_dir);
	const char *series = strrchr(ls->series.series_path, '/');
	static const char *const meta[] = { ".pc/.version", ".pc/.quilt_patches",
					    ".pc/.quilt_series" };
	int rc = -1;

	if (!pdir)
		return ap_error_sys(err, "cannot resolve the patches directory %s", run->patches_dir);
	if (ap_quiltpc_read(t, &q, err) < 0) {
		free(pdir);
		return -1;
	}
	for (int i = 0; i < 3; i++) {
		ap_file_state fs;
		char *text = i == 0 ? ap_strdup("2\n") : ap_printf("%s\n", i == 1 ? pdir
							: series ? series + 1 : "series");

		if (!text || ap_tree_stat(t, meta[i], &fs, err) < 0 ||
		    (!fs.exists && ap_quiltpc_out_add(pc, meta[i], text, strlen(text), 0644) < 0)) {
			if (text)
				ap_error_set(err, "out of memory");
			free(text);
			goto out;
		}
		if (i == 0 && fs.exists && pc_version_ok(t, err) < 0) {
			free(text);
			goto out;
		}
		free(text);
	}
	for (size_t i = 0; i < q.applied.n; i++)
		ap_buf_printf(&applied, "%s\n", q.applied.v[i]);
	/* what this run applied or found present (another platform's patches
	 * too), in series order: quilt then sees every patch the tree holds */
	for (size_t i = 0; i < run->n; i++) {
		const ap_patch_result *r = &run->patches[i];

		if ((r->status == AP_PATCH_APPLIED || r->status == AP_PATCH_PRESENT) &&
		    !ap_quiltpc_has(&q, r->name))
			ap_buf_printf(&applied, "%s\n", r->name);
	}
	if (applied.len && ap_quiltpc_out_add(pc, ".pc/applied-patches", applied.data, applied.len,
					      0644) < 0) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	rc = 0;
out:
	ap_buf_free(&applied);
	ap_quiltpc_free(&q);
	free(pdir);
	return rc;
}

/* The patches quilt's record lists must be in the tree (a .pc/ can be
 * stale, or come with a tarball, or be planted): they are replayed on
 * quilt's backups and compared (quiltcheck.h), as "present-before" patches
 * are found applied. A mismatch fails the run (1), naming the patches and
 * files; -1 on I/O errors. */
static int quilt_verify(ap_tree *t, const ap_quiltpc *q, ap_run *run, const size_t *sel,
			size_t nsel, ap_error *err)
{
	ap_quiltcheck qc;
	ap_buf names = AP_BUF_INIT;

	if (ap_quiltcheck_run(t, run->tree, run->patches_dir, q, &qc, err) < 0)
		return -1;
	if (!qc.files.n && !qc.why) {
		ap_quiltcheck_free(&qc);
		return 0;
	}
	for (size_t i = 0; i < qc.files.n; i++)
		ap_buf_printf(&names, "%s%s (%s)", i ? ", " : "", qc.files.v[i], qc.patches.v[i]);
	set_note(run, ap_printf("%s: quilt's %s/applied-patches lists patches as applied that the "
				"tree does not hold: %s%s%s%s; the record is stale (or the files "
				"were changed since): run 'applypatch unapply -d %s' (or remove %s/ "
				"if the patches were never applied) and apply again", run->tree,
				AP_QUILTPC_DIR, names.data ? names.data : "",
				names.data ? " not as the patch leaves it" : "",
				qc.why && names.data ? "; " : "", qc.why ? qc.why : "", run->tree,
				AP_QUILTPC_DIR));
	for (size_t i = 0; i < nsel; i++) {
		ap_patch_result *r = &run->patches[sel[i]];
		const char *file = NULL;

		for (size_t j = 0; j < qc.files.n && !file; j++)
			if (strcmp(qc.patches.v[j], r->name) == 0)
				file = qc.files.v[j];
		free(r->reason);
		if (file) {
			r->status = AP_PATCH_FAILED;
			r->reason = ap_printf("listed in %s/applied-patches, but %s is not as it "
					      "leaves it", AP_QUILTPC_DIR, file);
		} else {
			r->status = AP_PATCH_SKIPPED;
			r->reason = ap_strdup("not tried: quilt's record does not match the tree");
		}
	}
	run->failed = 1;
	ap_buf_free(&names);
	ap_quiltcheck_free(&qc);
	return 1;
}

/* A tree quilt push or dpkg-source -x patched, without applypatch's state:
 * the patches quilt's .pc/applied-patches lists must be the first selected
 * ones, in order; they are taken as applied (recorded as quilt-applied,
 * their files left to quilt) and *k says how many. Returns 1 (and a note,
 * failed) when quilt applied something else. */
static int quilt_applied_prefix(ap_tree *t, ap_state *st, const ap_loaded_series *ls,
				ap_run *run, const size_t *sel, size_t nsel, size_t *k,
				ap_error *err)
{
	ap_quiltpc q;
	size_t m = 0;

	*k = 0;
	if (ap_quiltpc_read(t, &q, err) < 0)
		return -1;
	while (m < q.applied.n && m < nsel && strcmp(q.applied.v[m], ls->series.v[sel[m]].name) == 0)
		m++;
	if (m < q.applied.n) {
		set_note(run, ap_printf("%s: quilt (or dpkg-source) applied %s, which is not the next "
					"patch selected for %s here; run 'quilt pop -a' (or 'applypatch "
					"unapply -d %s') first", run->tree, q.applied.v[m],
					run->platform, run->tree));
		run->failed = 1;
		ap_quiltpc_free(&q);
		return 1;
	}
	if (m && quilt_verify(t, &q, run, sel, nsel, err) != 0) {
		ap_quiltpc_free(&q);
		return run->failed ? 1 : -1;
	}
	for (size_t i = 0; i < m; i++) {
		ap_patch_result *r = &run->patches[sel[i]];

		r->status = AP_PATCH_ALREADY;
		free(r->reason);
		r->reason = ap_strdup("applied by quilt or dpkg-source (in " AP_QUILTPC_DIR
				      "/applied-patches)");
		if (ap_state_patch_add(st, r->name, "quilt-applied", r->sha256, r->strip) < 0) {
			ap_quiltpc_free(&q);
			return ap_error_set(err, "out of memory");
		}
	}
	*k = m;
	ap_quiltpc_free(&q);
	return 0;
}

/* Takes the "present-other" lines out of a loaded state (they follow the
 * selected patches' lines and are found again by each apply that writes). */
static void drop_present_other(ap_state *st)
{
	size_t k = 0;

	for (size_t i = 0; i < st->npatches; i++) {
		if (strcmp(st->patches[i].status, "present-other") == 0) {
			free(st->patches[i].name);
			free(st->patches[i].status);
		} else {
			st->patches[k++] = st->patches[i];
		}
	}
	st->npatches = k;
}

/* Whether patch p, found with every hunk in place, is so only because
 * applypatch put its changes there (an earlier patch of the series made
 * them, in this run or, for a record rec, in an earlier one: a duplicated
 * or half-merged series), not because the tree held them: 1 then, 0 when
 * the tree as it was before applypatch has them too, -1 on error. */
static int made_by_this_run(ap_tree *t, ap_vtree *v, const ap_patch *p, const ap_state *rec,
			    const char *tree, ap_error *err)
{
	ap_apply_opts trial = { 0, 1 };
	ap_patch_result r;
	ap_originals *orig = NULL;
	ap_vtree before;
	int touched = 0, recorded = 0, rc;

	for (size_t i = 0; i < p->nfiles && !touched; i++) {
		const char *paths[2] = { p->files[i].old_path, p->files[i].new_path };

		for (int k = 0; k < 2 && !touched; k++) {
			ap_vfile *f = paths[k] ? ap_strmap_get(&v->map, paths[k]) : NULL;

			recorded |= paths[k] && rec && rec->nfiles &&
				    ap_state_file_find((ap_state *)rec, paths[k]) != NULL;
			touched = (f && ap_vfile_changed(f)) || recorded;
		}
	}
	if (!touched)
		return 0;
	/* the same patch over the tree as it was before applypatch: as on
	 * disk, with the originals an earlier run kept for what it changed */
	if (recorded && ap_worktree_originals_open(&orig, tree, err) < 0)
		return -1;
	memset(&r, 0, sizeof r);
	if (orig)
		ap_vtree_init(&before, ap_worktree_original, orig);
	else
		ap_vtree_init(&before, ap_tree_load, t);
	rc = ap_apply_patch(&before, p, &trial, &r, err);
	ap_vtree_free(&before);
	ap_worktree_originals_close(orig);
	if (rc == 0)
		rc = r.status != AP_PATCH_ALREADY;
	ap_patch_result_free(&r);
	return rc;
}

/* A patch not selected here (another platform's) whose every hunk is in
 * the tree anyway (sage-apply-patches or dpkg-source applied the whole
 * series) is reported present, not skipped, and recorded as
 * "present-other", so status counts every patch the tree holds; with pc,
 * quilt gets its (empty) backup folder too. */
static int others_present(ap_tree *tree, ap_vtree *v, ap_loaded_series *ls, ap_run *run,
			  ap_state *st, ap_quiltpc_out *pc, ap_error *err)
{
	ap_apply_opts trial = { 0, 1 };

	for (size_t i = 0; i < ls->series.n; i++) {
		ap_patch_result *r = &run->patches[i], t;

		if (ls->series.v[i].selected || !ap_loaded_series_held(ls, i) || ap_loaded_series_parse(ls, i) < 0)
			continue;
		memset(&t, 0, sizeof t);
		if (ap_apply_patch(v, &ls->patches[i], &trial, &t, err) < 0) {
			ap_patch_result_free(&t);
			return -1;
		}
		if (t.status == AP_PATCH_ALREADY) {
			/* in place only because a selected patch made the same
			 * changes: not present, just not selected */
			int by_run = made_by_this_run(tree, v, &ls->patches[i], NULL, NULL, err);

			if (by_run < 0) {
				ap_patch_result_free(&t);
				ap_loaded_series_drop(ls, i);
				return -1;
			}
			if (by_run)
				t.status = AP_PATCH_SKIPPED;
		}
		ap_loaded_series_drop(ls, i);
		if (t.status == AP_PATCH_ALREADY) {
			char *why = ap_printf("not selected (%s), but every hunk is in the tree", r->why);

			r->status = AP_PATCH_PRESENT;
			free(r->reason);
			r->reason = why;
			if (ap_state_patch_add(st, r->name, "present-other", r->sha256, r->strip) < 0 ||
			    (pc && pc_keep_present(pc, r->name) < 0)) {
				ap_patch_result_free(&t);
				return ap_error_set(err, "out of memory");
			}
		}
		ap_patch_result_free(&t);
	}
	return 0;
}

/* One result per series entry: the unselected skipped with the reason,
 * the selected listed in sel (a patch that did not read, already failed). */
static int results_init(ap_run *run, const ap_loaded_series *ls, size_t *sel, size_t *nsel)
{
	*nsel = 0;
	run->patches = calloc(ls->series.n + 1, sizeof *run->patches);
	if (!run->patches)
		return -1;
	run->n = ls->series.n;
	for (size_t i = 0; i < ls->series.n; i++) {
		ap_patch_result *r = &run->patches[i];
		const ap_series_entry *e = &ls->series.v[i];

		r->name = ap_strdup(e->name);
		r->why = ap_strdup(e->why);
		r->strip = e->strip;
		r->selected = e->selected;
		memcpy(r->sha256, ls->sha256[i], sizeof r->sha256);
		if (!e->selected) {
			r->status = AP_PATCH_SKIPPED;
			r->reason = ap_strdup(e->why);
			continue;
		}
		sel[(*nsel)++] = i;
		if (ls->errors[i]) {
			r->status = AP_PATCH_FAILED;
			r->reason = ap_strdup(ls->errors[i]);
			run->failed = 1;
		}
	}
	return 0;
}

/* Every selected patch is recorded: "nothing to do" only when the tree
 * still holds what apply left (quilt pop -a, or a hand edit, undoes it
 * without telling the record, and status then sees it): else the run
 * fails, naming the files, as status does. Returns 1. */
static int already_applied(ap_tree *t, const ap_state *st, ap_run *run, const size_t *sel,
			   size_t nsel, ap_error *err)
{
	size_t n;
	char *names;

	if (edited_files(t, st, &names, &n, err) < 0)
		return -1;
	if (!names) {
		if (!run->note)
			run->note = ap_strdup("already applied, nothing to do");
		return 1;
	}
	set_note(run, ap_printf("%s: the patches are recorded as applied (%s/state), but %s no "
				"longer %s what apply left (undone by 'quilt pop', or edited by "
				"hand): run 'applypatch unapply --force -d %s' (it keeps a copy of "
				"each changed file) and apply again", run->tree, AP_STATE_DIR, names,
				n == 1 ? "holds" : "hold", run->tree));
	free(names);
	for (size_t i = 0; i < nsel; i++) {
		ap_patch_result *r = &run->patches[sel[i]];

		r->status = AP_PATCH_SKIPPED;
		free(r->reason);
		r->reason = ap_strdup("recorded as applied, but the tree no longer matches the record");
	}
	run->failed = 1;
	return 1;
}

/* Where this run starts: *k selected patches are already in the tree, by
 * our record or by quilt's. Returns 1 when there is nothing more to do (the
 * note says why), 0 to go on, -1 on error. */
static int resume_point(ap_tree *t, ap_state *st, int found, const ap_loaded_series *ls,
			ap_run *run, const size_t *sel, size_t nsel, size_t *k, ap_error *err)
{
	int rc;

	if (!found) {
		st->platform = ap_strdup(run->platform);
		rc = quilt_applied_prefix(t, st, ls, run, sel, nsel, k, err);
		if (rc != 0)
			return rc;
		if (*k && *k == nsel) {
			set_note(run, ap_strdup("already applied, nothing to do (by quilt or "
						"dpkg-source: " AP_QUILTPC_DIR "/applied-patches)"));
			return 1;
		}
		return 0;
	}
	if (strcmp(st->platform, run->platform) != 0) {
		set_note(run, ap_printf("%s was patched for %s; run 'applypatch unapply -d %s' "
					"first to apply for %s", run->tree, st->platform, run->tree,
					run->platform));
		run->failed = 1;
		return 1;
	}
	*k = recorded_prefix(st, ls, sel, nsel);
	if (*k < st->npatches) {
		set_note(run, series_mismatch(st, ls, sel, nsel, *k, run->tree));
		for (size_t i = 0; i < nsel; i++) {
			run->patches[sel[i]].status = AP_PATCH_SKIPPED;
			free(run->patches[sel[i]].reason);
			run->patches[sel[i]].reason = ap_strdup("not tried: the tree holds a "
								"different series");
		}
		run->failed = 1;
		return 1;
	}
	for (size_t i = 0; i < *k; i++) {
		ap_patch_result *r = &run->patches[sel[i]];

		r->status = AP_PATCH_ALREADY;
		r->reason = ap_strdup("applied earlier (recorded in " AP_STATE_DIR "/state)");
		/* an older record is rewritten with identities */
		memcpy(st->patches[i].sha256, ls->sha256[sel[i]], AP_SHA256_HEX);
	}
	st->version = AP_STATE_VERSION;
	if (*k == nsel)
		return already_applied(t, st, run, sel, nsel, err);
	return refuse_over_edits(t, st, run, sel, *k, nsel, err);
}

/* Applies the selected patches from the k-th on to the virtual tree,
 * keeping quilt's backups in pc when use_pc. -1 only on a hard error: a
 * patch that does not apply is a result. */
/* Names applypatch writes itself in the run that applies a patch: quilt's
 * .pc/ (when it keeps quilt's state) and the transaction's temporary
 * .aptmp.* files. A patch writing there would be overwritten by the run's
 * own record (or clash with its temporary files): it fails, with why. */
static char *own_name_target(const ap_patch *p, int use_pc)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		const char *paths[2] = { p->files[i].old_path, p->files[i].new_path };

		for (int k = 0; k < 2; k++) {
			const char *q = paths[k], *c;
			size_t n;

			if (!q)
				continue;
			n = strcspn(q, "/");
			if (use_pc && n == strlen(AP_QUILTPC_DIR) &&
			    strncasecmp(q, AP_QUILTPC_DIR, n) == 0)
				return ap_printf("%s is inside quilt's %s/, which apply writes itself "
						 "(use --no-quilt-state to patch it)", q, AP_QUILTPC_DIR);
			for (c = q; c; c = strchr(c, '/')) {
				c += *c == '/';
				if (strncmp(c, ".aptmp.", 7) == 0)
					return ap_printf("%s has a name of applypatch's own temporary "
							 "files (.aptmp.*)", q);
			}
		}
	}
	return NULL;
}

/* The last patch of this run before sel[i] that wrote a file patch p
 * touches (the one that made p's changes), or NULL. */
static const char *made_by(const ap_run *run, const size_t *sel, size_t i, const ap_patch *p)
{
	while (i-- > 0) {
		const ap_patch_result *e = &run->patches[sel[i]];

		if (e->status != AP_PATCH_APPLIED)
			continue;
		for (size_t a = 0; a < e->nfiles; a++)
			for (size_t b = 0; b < p->nfiles; b++) {
				const char *q = ap_file_diff_target(&p->files[b]);

				if (e->files[a].path && q && strcmp(e->files[a].path, q) == 0)
					return e->name;
			}
	}
	return NULL;
}

static int apply_selected(ap_tree *t, ap_vtree *v, ap_loaded_series *ls, ap_run *run,
			  const size_t *sel, size_t k, size_t nsel, const ap_apply_opts *ao,
			  const ap_state *rec, int use_pc, ap_quiltpc_out *pc, ap_error *err)
{
	for (size_t i = k; i < nsel; i++) {
		ap_patch_result *r = &run->patches[sel[i]];
		size_t kept;
		int rc;

		if (ap_loaded_series_parse(ls, sel[i]) < 0) {
			r->status = AP_PATCH_FAILED;
			r->reason = ap_strdup(ls->errors[sel[i]]);
			run->failed = 1;
			continue;
		}
		r->reason = own_name_target(&ls->patches[sel[i]], use_pc);
		if (r->reason) {
			ap_loaded_series_drop(ls, sel[i]);
			r->status = AP_PATCH_FAILED;
			run->failed = 1;
			continue;
		}
		kept = pc->n;
		if (use_pc && pc_keep_before(t, v, &ls->patches[sel[i]], r->name, pc) < 0)
			return ap_error_set(err, "out of memory");
		rc = ap_apply_patch(v, &ls->patches[sel[i]], ao, r, err);
		if (rc == 0 && r->status == AP_PATCH_ALREADY) {
			/* present only because this run made its changes: a series
			 * error, on which quilt push, dpkg-source and GNU patch stop
			 * ("can be reverse-applied"), not a patch someone applied */
			rc = made_by_this_run(t, v, &ls->patches[sel[i]], rec, run->tree, err);
			if (rc > 0) {
				const char *by = made_by(run, sel, i, &ls->patches[sel[i]]);

				r->status = AP_PATCH_FAILED;
				free(r->reason);
				r->reason = ap_printf("every change it makes was already made by %s%s: "
						      "quilt push and dpkg-source stop on it ('can be "
						      "reverse-applied'); drop it from the series, or make "
						      "it change something", by ? by : "a patch applied",
						      by ? ", earlier in this series"
							 : " earlier in this series (by an earlier apply)");
				rc = 0;
			}
		}
		ap_loaded_series_drop(ls, sel[i]);
		if (rc < 0)
			return -1;
		if (r->status == AP_PATCH_ALREADY) {
			/* someone else applied it (sage-apply-patches, dpkg-source, a
			 * person): recorded as such, and left alone by unapply */
			r->status = AP_PATCH_PRESENT;
			free(r->reason);
			r->reason = ap_strdup("every hunk was already in the tree (applied before, "
					      "not by applypatch); recorded, and left by unapply");
		}
		/* a present patch keeps only its folder's .timestamp (added
		 * first): quilt lists it as applied, and quilt pop finds no
		 * backup to restore, so it leaves the tree as it found it */
		if (r->status != AP_PATCH_APPLIED)
			ap_quiltpc_out_truncate(pc, use_pc && r->status == AP_PATCH_PRESENT ? kept + 1
											  : kept);
		if (r->status == AP_PATCH_FAILED)
			run->failed = 1;
	}
	return 0;
}

/* The state record gains this run's patches, then other platforms' found
 * present. */
static int record_applied(ap_state *st, const ap_run *run, const size_t *sel, size_t k,
			  size_t nsel, const ap_state *others, ap_error *err)
{
	for (size_t i = k; i < nsel; i++) {
		const ap_patch_result *r = &run->patches[sel[i]];

		if (ap_state_patch_add(st, r->name, ap_patch_status_name(r->status), r->sha256,
				       r->strip) < 0)
			return ap_error_set(err, "out of memory");
	}
	for (size_t i = 0; i < others->npatches; i++)
		if (ap_state_patch_add(st, others->patches[i].name, others->patches[i].status,
				       others->patches[i].sha256, others->patches[i].strip) < 0)
			return ap_error_set(err, "out of memory");
	return 0;
}

int ap_worktree_apply(const ap_run_opts *o, ap_run *run, ap_error *err)
{
	ap_loaded_series ls;
	ap_state st = AP_STATE_INIT;
	ap_tree *t = NULL;
	ap_vtree v;
	size_t *sel = NULL, nsel = 0, k = 0;
	char *note = NULL;
	int found = 0, rc = -1, use_pc = 0;
	ap_apply_opts ao = { o->max_fuzz, 0 };
	ap_quiltpc_out pc = AP_QUILTPC_OUT_INIT;
	ap_state others = AP_STATE_INIT;

	if (run_init(run, o, 1, err) < 0)
		return -1;
	if (ap_loaded_series_load_hashes(&ls, run->patches_dir, run->platform, o->strip, err) < 0)
		return -1;
	for (size_t i = 0; i < ls.series.nwarnings; i++)
		add_run_warning(run, ls.series.warnings[i].where, ls.series.warnings[i].what);
	if (open_locked(run->tree, o->dry_run, &t, &note, err) < 0)
		goto out_series;
	set_note(run, note);
	if (ap_state_load(&st, t, &found, err) < 0 || old_identities(&st, &ls, err) < 0)
		goto out_tree;
	drop_present_other(&st);

	sel = calloc(ls.series.n + 1, sizeof *sel);
	if (!sel || results_init(run, &ls, sel, &nsel) < 0) {
		ap_error_set(err, "out of memory");
		goto out_tree;
	}
	rc = resume_point(t, &st, found, &ls, run, sel, nsel, &k, err);
	if (rc != 0) {
		rc = rc > 0 ? 0 : -1;
		goto out_tree;
	}
	rc = -1;
	if (nsel == 0) {
		if (!run->note)
			run->note = ap_printf("no patch is selected for %s", run->platform);
		rc = 0;
		goto out_tree;
	}

	/* quilt's .pc/ beside the state, unless asked not to or there is no
	 * series file for quilt to read (none, or a conda recipe's list) */
	use_pc = !o->no_quilt_state && ls.series.series_path != NULL && !ls.series.conda_recipe &&
		 !run->dry_run;
	if (use_pc)
		ap_quiltpc_out_spool_open(&pc, ap_tree_rootfd(t));
	ap_vtree_init(&v, ap_tree_load, t);
	if (apply_selected(t, &v, &ls, run, sel, k, nsel, &ao, &st, use_pc, &pc, err) < 0)
		goto out_vtree;
	if (!run->failed && others_present(t, &v, &ls, run, &others, use_pc ? &pc : NULL, err) < 0)
		goto out_vtree;
	if (run->failed || run->dry_run) {
		rc = 0;
		goto out_vtree;
	}
	if (record_applied(&st, run, sel, k, nsel, &others, err) < 0)
		goto out_vtree;
	if (use_pc && pc.n && pc_meta(t, &ls, run, &pc, err) < 0)
		goto out_vtree;
	if (build_state_and_commit(t, &st, &v, &pc, run, err) < 0)
		goto out_vtree;
	rc = 0;
out_vtree:
	ap_vtree_free(&v);
out_tree:
	ap_quiltpc_out_free(&pc);
	ap_state_free(&others);
	ap_state_free(&st);
	ap_tree_close(t);
	free(sel);
out_series:
	ap_loaded_series_free(&ls);
	return rc;
}

/* --- unapply -------------------------------------------------------------- */

/* Whether the kept original's own inode belongs to the owner the record
 * names and itself carries the set-id bits the record asks for: setuid or
 * setgid is restored only then, so a record naming root over bytes another
 * user wrote (or a record that came with a tarball, whose unpacking dropped
 * every set-id bit) never yields a root-owned setuid file. */
static int blob_owned_by(ap_tree *t, const ap_state_file *sf)
{
	ap_error ignored = AP_ERROR_INIT;
	ap_file_state bs;
	char *path = ap_printf("%s/orig/%s", AP_STATE_DIR, sf->orig_blob);
	int ok;

	ok = path && ap_tree_stat(t, path, &bs, &ignored) == 0 && bs.exists &&
	     bs.uid == sf->orig_uid && bs.gid == sf->orig_gid &&
	     (bs.mode & sf->orig_mode & (S_ISUID | S_ISGID)) ==
		     (sf->orig_mode & (S_ISUID | S_ISGID));
	free(path);
	return ok;
}

typedef struct kept_edit {
	const char *data;        /* the edited bytes (owned by the caller), or NULL */
	size_t len;
	int symlink;             /* data is a symbolic link's target */
	mode_t mode;
	uid_t uid;               /* the edited file's owner, which the copy keeps */
	gid_t gid;
	char *name;              /* where the copy goes */
} kept_edit;

/* unapply --force restores the originals over edits made after apply, but
 * not silently: each edited regular file or symbolic link (one the series
 * wrote and the user re-pointed, or one the user put where a patched file
 * was) is first kept beside itself as PATH.edited (PATH.edited.N if that
 * is taken), written in the same transaction, and the run says where. */
static int keep_edits(ap_tree *t, ap_run *run, const char *const *paths, size_t npaths,
		      kept_edit *keep, ap_change *ch, size_t *n, ap_error *err)
{
	for (size_t i = 0; i < npaths; i++) {
		ap_file_state there;
		char *what;

		if (!keep[i].data)
			continue;
		for (unsigned k = 0;; k++) {
			int taken = 0;

			free(keep[i].name);
			keep[i].name = k ? ap_printf("%s.edited.%u", paths[i], k)
					 : ap_printf("%s.edited", paths[i]);
			if (!keep[i].name)
				return ap_error_set(err, "out of memory");
			if (ap_tree_stat(t, keep[i].name, &there, err) < 0)
				return -1;
			for (size_t j = 0; j < npaths && !taken; j++)
				taken = strcmp(paths[j], keep[i].name) == 0 ||
					(j < i && keep[j].name && strcmp(keep[j].name, keep[i].name) == 0);
			if (!there.exists && !taken)
				break;
		}
		ch[*n].path = keep[i].name;
		ch[*n].data = keep[i].data;
		ch[*n].len = keep[i].len;
		if (keep[i].symlink) {
			ch[*n].kind = AP_CHANGE_SYMLINK;
		} else {
			ch[*n].kind = AP_CHANGE_WRITE;
			/* the copy is the editor's, never setuid: root running --force
			 * must not turn another user's bytes into a root-owned setuid file */
			ch[*n].mode = keep[i].mode & 0777;
			ch[*n].owner = (ap_owner){ 1, keep[i].uid, keep[i].gid };
		}
		(*n)++;
		what = ap_printf("edited after apply: the edited %s is kept as %s/%s",
				 keep[i].symlink ? "symbolic link" : "file", run->tree, keep[i].name);
		if (!what || add_run_warning(run, paths[i], what) < 0) {
			free(what);
			return ap_error_set(err, "out of memory");
		}
		free(what);
	}
	return 0;
}

/* The temporary files and second names of .pc/'s files wait at the top
 * of .pc/: quilt takes any file in .pc/PATCH/ for a backup. */
static void pc_tmp_dirs(ap_change *ch, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(ch[i].path, AP_QUILTPC_DIR "/", strlen(AP_QUILTPC_DIR) + 1) == 0)
			ch[i].tmp_dir = AP_QUILTPC_DIR;
}

/* Takes out of quilt's .pc/ what apply put there: the backup folders of
 * the patches it applied, their lines in applied-patches, and quilt's own
 * files when no patch is left applied. Lines quilt wrote stay. *version_last
 * says .pc/.version goes too, as the folder's last entry (ap_txn_remove_last):
 * quilt takes a .pc/ without it for an older quilt's and refuses to work. */
static int pc_undo(ap_tree *t, const ap_state *st, ap_change *ch, size_t *n, ap_buf *applied,
		   int *version_last, ap_error *err)
{
	ap_quiltpc q;
	size_t left = 0;

	if (ap_quiltpc_read(t, &q, err) < 0)
		return -1;
	for (size_t i = 0; i < q.applied.n; i++) {
		int ours = 0;

		for (size_t j = 0; j < st->npatches && !ours; j++)
			ours = strcmp(st->patches[j].name, q.applied.v[i]) == 0 &&
			       (strcmp(st->patches[j].status, "applied") == 0 ||
				strncmp(st->patches[j].status, "present-", 8) == 0);
		if (!ours) {
			ap_buf_printf(applied, "%s\n", q.applied.v[i]);
			left++;
		}
	}
	for (size_t i = 0; i < st->quilt.n; i++) {
		const char *p = st->quilt.v[i];
		ap_file_state fs;
		int meta = strncmp(p, ".pc/.", 5) == 0 && !strchr(p + 5, '/');

		if ((meta && left) || strcmp(p, ".pc/applied-patches") == 0)
			continue;
		if (ap_tree_stat(t, p, &fs, err) < 0) {
			ap_quiltpc_free(&q);
			return -1;
		}
		if (fs.exists && !fs.dir && strcmp(p, AP_QUILTPC_DIR "/.version") == 0) {
			*version_last = 1;
		} else if (fs.exists && !fs.dir) {
			ch[*n].kind = AP_CHANGE_DELETE;
			ch[*n].path = p;
			(*n)++;
		}
	}
	if (q.found) {
		ch[*n].path = ".pc/applied-patches";
		if (left) {
			ap_file_state fs;

			ch[*n].kind = AP_CHANGE_WRITE;
			ch[*n].data = applied->data;
			ch[*n].len = applied->len;
			ch[*n].mode = 0644;
			/* the lines quilt wrote stay the tree owner's (pc_owners) */
			if (ap_tree_stat(t, ch[*n].path, &fs, err) < 0) {
				ap_quiltpc_free(&q);
				return -1;
			}
			if (geteuid() == 0 && fs.exists)
				ch[*n].owner = (ap_owner){ 1, fs.uid, fs.gid };
		} else {
			ch[*n].kind = AP_CHANGE_DELETE;
		}
		(*n)++;
	}
	ap_quiltpc_free(&q);
	return 0;
}

typedef struct pc_restore {
	ap_strmap latest;          /* tree path -> its oldest backup (.pc/PATCH/PATH) */
	ap_strlist backups;        /* every .pc/ file to delete */
	ap_strlist dirs;           /* .pc/ folders to remove, outermost first */
} pc_restore;

/* Gathers, newest patch first, what quilt kept: the oldest backup of a
 * file is the one restored (what quilt pop -a leaves). */
static int pc_gather(ap_tree *t, const ap_quiltpc *q, pc_restore *pr, ap_error *err)
{
	for (size_t i = q->applied.n; i > 0; i--) {
		const char *name = q->applied.v[i - 1];
		ap_strlist files = { 0 };
		char *dir = ap_printf("%s/%s", AP_QUILTPC_DIR, name), *ts;

		if (!dir || ap_strlist_add(&pr->dirs, dir) < 0) {
			free(dir);
			return ap_error_set(err, "out of memory");
		}
		ts = ap_quiltpc_backup_path(name, ".timestamp");
		if (!ts || ap_strlist_add(&pr->backups, ts) < 0) {
			free(ts);
			free(dir);
			return ap_error_set(err, "out of memory");
		}
		free(ts);
		free(dir);
		if (ap_quiltpc_backups(t, name, &files, err) < 0)
			return -1;
		for (size_t j = 0; j < files.n; j++) {
			char *b = ap_quiltpc_backup_path(name, files.v[j]);
			char *slash;

			if (!b || ap_strlist_add(&pr->backups, b) < 0 ||
			    ap_strmap_put(&pr->latest, files.v[j], pr->backups.v[pr->backups.n - 1]) < 0) {
				free(b);
				ap_strlist_free(&files);
				return ap_error_set(err, "out of memory");
			}
			/* the folders of nested backups go too, deepest last */
			for (slash = strchr(files.v[j], '/'); slash; slash = strchr(slash + 1, '/')) {
				char *sub = ap_printf("%s/%s/%.*s", AP_QUILTPC_DIR, name,
						      (int)(slash - files.v[j]), files.v[j]);
				int dup = 0;

				for (size_t d = 0; sub && d < pr->dirs.n && !dup; d++)
					dup = strcmp(pr->dirs.v[d], sub) == 0;
				if (!sub || (!dup && ap_strlist_add(&pr->dirs, sub) < 0)) {
					free(sub);
					free(b);
					ap_strlist_free(&files);
					return ap_error_set(err, "out of memory");
				}
				free(sub);
			}
			free(b);
		}
		ap_strlist_free(&files);
	}
	return 0;
}

typedef struct pc_walk {
	ap_tree *t;
	ap_change *ch;
	char **datas;
	size_t n;
	ap_error *err;
	int rc;
} pc_walk;

static int pc_restore_one(const char *path, const char *value, pc_walk *w)
{
	ap_file_state bs, cur;
	char *data;
	size_t len;

	if (w->rc < 0)
		return 0;
	if (ap_tree_load(w->t, value, &bs, &data, &len, w->err) < 0 ||
	    ap_tree_stat(w->t, path, &cur, w->err) < 0) {
		w->rc = -1;
		return 0;
	}
	w->ch[w->n].path = path;
	if (bs.symlink) {
		/* a link quilt kept (its target is data): put back as a link,
		 * which quilt pop itself does not do */
		w->datas[w->n] = data;
		w->ch[w->n].kind = AP_CHANGE_SYMLINK;
		w->ch[w->n].data = data;
		w->ch[w->n].len = len;
		w->ch[w->n].mode = 0777;
		w->ch[w->n].owner = cur.exists ? (ap_owner){ 1, cur.uid, cur.gid }
					       : (ap_owner){ 1, bs.uid, bs.gid };
	} else if (len == 0) {
		/* quilt's empty backup: the file did not exist before */
		free(data);
		if (!cur.exists)
			return 0;
		w->ch[w->n].kind = AP_CHANGE_DELETE;
	} else {
		w->datas[w->n] = data;
		w->ch[w->n].kind = AP_CHANGE_WRITE;
		w->ch[w->n].data = data;
		w->ch[w->n].len = len;
		w->ch[w->n].mode = bs.mode;
		/* .pc/ is written by whoever owns the tree: the file keeps the
		 * owner of the one it replaces (the backup's when there is none,
		 * as quilt pop leaves it), and setuid or setgid only when the
		 * backup is the runner's or root's, so root's unapply never turns
		 * another user's bytes into a root-owned set-id file */
		w->ch[w->n].owner = cur.exists ? (ap_owner){ 1, cur.uid, cur.gid }
					       : (ap_owner){ 1, bs.uid, bs.gid };
		if (bs.uid != 0 && bs.uid != geteuid())
			w->ch[w->n].mode &= ~(mode_t)(S_ISUID | S_ISGID);
	}
	w->n++;
	return 0;
}

/* A symlink's target, or a regular file's bytes, to keep as PATH.edited. */
static int pc_edit_bytes(ap_tree *t, const char *path, const ap_file_state *disk,
			 kept_edit *k, char **data, ap_error *err)
{
	size_t len = 0;

	if (disk->symlink) {
		const char *base;
		int dfd = ap_tree_parent(t, path, NULL, &base, err);
		char buf[4096];
		ssize_t n;

		if (dfd < 0)
			return -1;
		n = readlinkat(dfd, base, buf, sizeof buf);
		if (n < 0)
			return ap_error_sys(err, "cannot read link %s", path);
		*data = ap_strndup(buf, (size_t)n);
		len = (size_t)n;
	} else {
		ap_file_state st;

		if (ap_tree_read(t, path, &st, data, &len, err) < 0)
			return -1;
	}
	if (!*data)
		return ap_error_set(err, "out of memory");
	k->data = *data;
	k->len = len;
	k->symlink = disk->symlink;
	k->mode = disk->mode;
	k->uid = disk->uid;
	k->gid = disk->gid;
	return 0;
}

/* quilt pop -a refuses a patch that no longer reverse-applies: a file
 * edited after quilt push. unapply does the same (quiltcheck.h), refusing
 * (AP_ERR_EDITED) with the files named; under --force each edited file
 * quilt has a backup of is kept as PATH.edited (keep_edits), a directory or
 * FIFO there refused. The edited paths go to paths[], their copies to keep[]. */
static int pc_find_edits(ap_tree *t, ap_run *run, const ap_quiltpc *q, const ap_strmap *latest,
			 int force, ap_quiltcheck *qc, const char **paths, kept_edit *keep,
			 char **datas, size_t *nedited, ap_error *err)
{
	ap_buf names = AP_BUF_INIT;
	size_t n = 0;
	int rc = -1;

	*nedited = 0;
	if (ap_quiltcheck_run(t, run->tree, NULL, q, qc, err) < 0)
		return -1;
	for (size_t i = 0; i < qc->files.n; i++) {
		ap_file_state disk;

		if (!ap_strmap_get(latest, qc->files.v[i]))
			continue;   /* no backup: unapply leaves that file as it is */
		ap_buf_printf(&names, "%s%s (%s)", n ? ", " : "", qc->files.v[i], qc->patches.v[i]);
		if (ap_tree_stat(t, qc->files.v[i], &disk, err) < 0)
			goto out;
		if (force && (disk.dir || disk.special)) {
			ap_error_set(err, "%s: %s is now a %s, not the file quilt's patches made: "
				     "unapply cannot keep it as %s.edited; move it out of the way, "
				     "then run unapply again (nothing was changed)", run->tree,
				     qc->files.v[i], disk.dir ? "directory" : "FIFO, device or socket",
				     qc->files.v[i]);
			goto out;
		}
		paths[n] = qc->files.v[i];
		if (force && disk.exists && pc_edit_bytes(t, paths[n], &disk, &keep[n], &datas[n],
							  err) < 0)
			goto out;
		n++;
	}
	*nedited = n;
	if (n && !force) {
		ap_error_set_code(err, AP_ERR_EDITED, "%s: %s changed after quilt push (not as "
				  "the patches in %s/applied-patches left %s%s%s); unapply would "
				  "discard %s, as 'quilt pop -a' refuses to (use --force to restore "
				  "quilt's backups anyway, keeping a copy of %s)", run->tree,
				  names.data, AP_QUILTPC_DIR, n == 1 ? "it" : "them",
				  qc->why ? "; " : "", qc->why ? qc->why : "",
				  n == 1 ? "that change" : "those changes",
				  n == 1 ? "the edited file" : "each edited file");
		run->failed = 1;
		goto out;
	}
	if (n && !names.data) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	rc = 0;
out:
	ap_buf_free(&names);
	return rc;
}

/* unapply on a tree quilt push or dpkg-source -x patched: what quilt pop -a
 * does, as one transaction: every file back from quilt's backups, the
 * backup folders and applied-patches removed; refused over edits made
 * after quilt push (pc_find_edits). Returns 1 when quilt's record lists
 * nothing. */
static int unapply_quilt(ap_tree *t, ap_run *run, int force, ap_error *err)
{
	ap_quiltpc q;
	pc_restore pr;
	pc_walk w = { t, NULL, NULL, 0, err, 0 };
	ap_txn *x = NULL;
	ap_quiltcheck qc;
	const char **epaths = NULL;
	kept_edit *keep = NULL;
	char **edatas = NULL;
	size_t nfiles, nedited = 0;
	int rc = -1;

	memset(&pr, 0, sizeof pr);
	memset(&qc, 0, sizeof qc);
	if (ap_quiltpc_read(t, &q, err) < 0)
		return -1;
	if (!q.applied.n) {
		ap_quiltpc_free(&q);
		return 1;
	}
	if (pc_gather(t, &q, &pr, err) < 0)
		goto out;
	w.ch = calloc(3 * pr.backups.n + 2, sizeof *w.ch);
	w.datas = calloc(2 * pr.backups.n + 2, sizeof *w.datas);
	epaths = calloc(pr.backups.n + 1, sizeof *epaths);
	keep = calloc(pr.backups.n + 1, sizeof *keep);
	edatas = calloc(pr.backups.n + 1, sizeof *edatas);
	if (!w.ch || !w.datas || !epaths || !keep || !edatas) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	if (pc_find_edits(t, run, &q, &pr.latest, force, &qc, epaths, keep, edatas, &nedited,
			  err) < 0)
		goto out;
	for (size_t i = 0; i < pr.latest.cap; i++)
		if (pr.latest.slots[i].key)
			pc_restore_one(pr.latest.slots[i].key, pr.latest.slots[i].value, &w);
	if (w.rc < 0 || keep_edits(t, run, epaths, nedited, keep, w.ch, &w.n, err) < 0)
		goto out;
	nfiles = w.n;
	for (size_t i = 0; i < pr.backups.n; i++) {
		w.ch[w.n].kind = AP_CHANGE_DELETE;
		w.ch[w.n++].path = pr.backups.v[i];
	}
	w.ch[w.n].kind = AP_CHANGE_DELETE;
	w.ch[w.n++].path = AP_QUILTPC_DIR "/applied-patches";
	if (run->dry_run)
		goto results;
	pc_tmp_dirs(w.ch, w.n);
	if (ap_txn_begin(&x, t, err) < 0 || ap_txn_prepare(x, w.ch, w.n, err) < 0)
		goto out;
	for (size_t i = 0; i < pr.dirs.n; i++)
		if (ap_txn_rmdir(x, pr.dirs.v[i]) < 0) {
			ap_error_set(err, "out of memory");
			goto out;
		}
	if (ap_txn_commit(x, NULL, 0, err) < 0)
		goto out;
	run->files_written = nfiles;
results:
	run->patches = calloc(q.applied.n + 1, sizeof *run->patches);
	if (run->patches) {
		run->n = q.applied.n;
		for (size_t i = 0; i < q.applied.n; i++) {
			run->patches[i].name = ap_strdup(q.applied.v[i]);
			run->patches[i].selected = 1;
			run->patches[i].status = AP_PATCH_UNAPPLIED;
			run->patches[i].reason = ap_strdup("applied by quilt or dpkg-source");
		}
	}
	set_note(run, ap_strdup("unapplied what quilt's " AP_QUILTPC_DIR "/applied-patches listed, "
				"as 'quilt pop -a' would"));
	rc = 0;
out:
	ap_txn_free(x);
	for (size_t i = 0; w.datas && i < 2 * pr.backups.n + 2; i++)
		free(w.datas[i]);
	free(w.datas);
	free(w.ch);
	for (size_t i = 0; keep && i < pr.backups.n; i++)
		free(keep[i].name);
	for (size_t i = 0; edatas && i < pr.backups.n; i++)
		free(edatas[i]);
	free(keep);
	free(edatas);
	free(epaths);
	ap_quiltcheck_free(&qc);
	ap_strmap_free(&pr.latest);
	ap_strlist_free(&pr.backups);
	ap_strlist_free(&pr.dirs);
	ap_quiltpc_free(&q);
	return rc;
}

/* Which recorded files changed since apply: each edit is kept in keep[]
 * (its bytes in datas[nfiles + i]); without force any edit refuses the
 * run (AP_ERR_EDITED), naming the files. */
static int find_edits(ap_tree *t, const ap_state *st, int force, ap_run *run, char **datas,
		      kept_edit *keep, ap_error *err)
{
	ap_buf modified = AP_BUF_INIT;
	size_t nmodified = 0, elen = 0;
	int rc = -1;

	for (size_t i = 0; i < st->nfiles; i++) {
		ap_file_state disk;
		int same;

		if (ap_state_file_compare(t, &st->files[i], &disk, &same, &datas[st->nfiles + i],
					  &elen, err) < 0)
			goto out;
		if (same) {
			free(datas[st->nfiles + i]);
			datas[st->nfiles + i] = NULL;
			continue;
		}
		ap_buf_printf(&modified, "%s%s", nmodified ? ", " : "", st->files[i].path);
		nmodified++;
		if (datas[st->nfiles + i]) {
			keep[i].data = datas[st->nfiles + i];
			keep[i].len = elen;
			keep[i].symlink = disk.symlink;
			keep[i].mode = disk.mode;
			keep[i].uid = disk.uid;
			keep[i].gid = disk.gid;
		}
	}
	if (nmodified && !force) {
		ap_error_set_code(err, AP_ERR_EDITED, "%s: %s changed after apply; unapply would "
				  "discard %s (use --force to restore the originals anyway, keeping "
				  "a copy of %s)", run->tree, modified.data,
				  nmodified == 1 ? "that change" : "those changes",
				  nmodified == 1 ? "the edited file" : "each edited file");
		run->failed = 1;
		goto out;
	}
	rc = 0;
out:
	ap_buf_free(&modified);
	return rc;
}

/* The kept original orig/N of sf: a regular file's bytes, or, for a link
 * apply deleted or re-pointed (S_IFLNK in the record), the kept link's
 * target, read without following it. */
static int read_orig(ap_tree *t, const ap_state_file *sf, const char *name, char **data,
		     size_t *len, ap_error *err)
{
	ap_file_state bs;
	char *path;
	int rc;

	if (!S_ISLNK(sf->orig_mode))
		return ap_state_file_read(t, name, data, len, err);
	path = ap_printf("%s/%s", AP_STATE_DIR, name);
	if (!path)
		return ap_error_set(err, "out of memory");
	rc = ap_tree_readlink(t, path, &bs, data, len, err);
	free(path);
	return rc;
}

/* The changes that put every recorded file back (its kept original, or
 * gone if apply created it), refusing before the commit point what could
 * not be done after it. */
static int plan_restore(ap_tree *t, const ap_state *st, int force, ap_run *run, ap_change *ch,
			char **datas, size_t *np, ap_error *err)
{
	size_t n = *np;

	for (size_t i = 0; i < st->nfiles; i++) {
		const ap_state_file *sf = &st->files[i];
		ap_file_state disk;

		/* what cannot be done after the commit point is refused (or, for
		 * a file apply created, skipped under --force) before it */
		if (ap_tree_stat(t, sf->path, &disk, err) < 0)
			return -1;
		if (disk.exists && disk.dir) {
			if (sf->orig_blob || !force) {
				ap_error_set(err, "%s: %s is now a directory: unapply would have to %s it; "
					     "move it out of the way, then run unapply again (nothing "
					     "was changed)", run->tree, sf->path,
					     sf->orig_blob ? "replace" : "remove");
				return -1;
			}
			add_run_warning(run, sf->path, "is now a directory: left in place (unapply "
					"removes only the file apply created there)");
			continue;
		}
		if (disk.exists && disk.special) {
			/* nothing to keep it as: refused, not dropped, even under --force */
			ap_error_set(err, "%s: %s is now a FIFO, device or socket, not the file apply "
				     "wrote: unapply cannot keep it as %s.edited; move it out of the "
				     "way, then run unapply again (nothing was changed)", run->tree,
				     sf->path, sf->path);
			return -1;
		}
		if (sf->orig_blob) {
			char *name = ap_printf("orig/%s", sf->orig_blob);
			size_t len = 0;

			if (!name || read_orig(t, sf, name, &datas[n], &len, err) < 0) {
				free(name);
				return -1;
			}
			if (!datas[n]) {
				ap_error_set(err, "%s/%s/%s is missing: cannot restore %s", run->tree,
					     AP_STATE_DIR, name, sf->path);
				free(name);
				return -1;
			}
			free(name);
			if (S_ISLNK(sf->orig_mode)) {
				/* the link apply deleted or re-pointed, put back as it was */
				ch[n].kind = AP_CHANGE_SYMLINK;
				ch[n].data = datas[n];
				ch[n].len = len;
				if (sf->orig_owned)
					ch[n].owner = (ap_owner){ 1, sf->orig_uid, sf->orig_gid };
				ch[n].path = sf->path;
				n++;
				continue;
			}
			ch[n].kind = AP_CHANGE_WRITE;
			ch[n].data = datas[n];
			ch[n].len = len;
			ch[n].mode = sf->orig_mode;
			if (sf->orig_owned)
				ch[n].owner = (ap_owner){ 1, sf->orig_uid, sf->orig_gid };
			if (!sf->orig_owned || !blob_owned_by(t, sf))
				/* a record from before owners were kept, or a copy whose
				 * owner is not the recorded one: no setuid */
				ch[n].mode &= ~(mode_t)(S_ISUID | S_ISGID);
		} else {
			if (!disk.exists)
				continue;
			ch[n].kind = AP_CHANGE_DELETE;
		}
		ch[n].path = sf->path;
		n++;
	}
	*np = n;
	return 0;
}

/* Each recorded patch's result: unapplied, or left in the tree when it
 * was there before apply. */
static void unapply_results(ap_run *run, const ap_state *st)
{
	run->patches = calloc(st->npatches + 1, sizeof *run->patches);
	if (!run->patches)
		return;   /* the files are restored: only the report is shorter */
	run->n = st->npatches;
	for (size_t i = 0; i < st->npatches; i++) {
		ap_patch_result *r = &run->patches[i];

		r->name = ap_strdup(st->patches[i].name);
		memcpy(r->sha256, st->patches[i].sha256, AP_SHA256_HEX);
		r->selected = strcmp(st->patches[i].status, "present-other") != 0;
		r->status = AP_PATCH_UNAPPLIED;
		if (strcmp(st->patches[i].status, "applied") != 0) {
			/* in the tree before apply: unapply leaves it there */
			r->status = AP_PATCH_PRESENT;
			r->reason = ap_printf("left in the tree (%s: not applied by applypatch)",
					      st->patches[i].status);
		}
	}
}

int ap_worktree_unapply(const ap_run_opts *o, ap_run *run, ap_error *err)
{
	ap_state st = AP_STATE_INIT;
	ap_tree *t = NULL;
	ap_change *ch = NULL;
	char **datas = NULL;
	ap_txn *x = NULL;
	char *note = NULL;
	size_t n = 0;
	int found = 0, version_last = 0, rc = -1;
	kept_edit *keep = NULL;
	const char **paths = NULL;
	ap_buf pc_applied = AP_BUF_INIT;

	if (run_init(run, o, 0, err) < 0)
		return -1;
	if (open_locked(run->tree, o->dry_run, &t, &note, err) < 0)
		return -1;
	set_note(run, note);
	if (ap_state_load(&st, t, &found, err) < 0)
		goto out;
	if (!found) {
		rc = unapply_quilt(t, run, o->force, err);
		if (rc == 1)
			ap_error_set(err, "%s: nothing to unapply: there is no %s/state here, nor "
				     "patches in quilt's %s/applied-patches (the tree is not patched, "
				     "or it was unapplied already)", run->tree, AP_STATE_DIR,
				     AP_QUILTPC_DIR);
		rc = rc == 0 ? 0 : -1;
		goto out;
	}
	free(run->platform);
	run->platform = ap_strdup(st.platform);
	ch = calloc(2 * st.nfiles + st.quilt.n + 1, sizeof *ch);
	datas = calloc(2 * st.nfiles + 1, sizeof *datas);
	keep = calloc(st.nfiles + 1, sizeof *keep);
	if (!ch || !datas || !keep) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	if (find_edits(t, &st, o->force, run, datas, keep, err) < 0)
		goto out;
	if (plan_restore(t, &st, o->force, run, ch, datas, &n, err) < 0)
		goto out;
	paths = calloc(st.nfiles + 1, sizeof *paths);
	if (!paths) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < st.nfiles; i++)
		paths[i] = st.files[i].path;
	if (keep_edits(t, run, paths, st.nfiles, keep, ch, &n, err) < 0)
		goto out;
	if (st.quilt.n && pc_undo(t, &st, ch, &n, &pc_applied, &version_last, err) < 0)
		goto out;
	if (run->dry_run) {
		/* the plan stands (edits refused as a real run would); nothing written */
		unapply_results(run, &st);
		rc = 0;
		goto out;
	}
	if (ap_txn_begin(&x, t, err) < 0)
		goto out;
	for (size_t i = 0; i < st.nfiles; i++)
		if (st.files[i].orig_blob && ap_txn_drop_backup(x, st.files[i].orig_blob) < 0) {
			ap_error_set(err, "out of memory");
			goto out;
		}
	for (size_t i = 0; i < st.ngone; i++) {
		ap_owner own = { 1, st.gone[i].uid, st.gone[i].gid };

		if (ap_txn_dir_attr(x, st.gone[i].path, st.gone[i].mode, &own) < 0) {
			ap_error_set(err, "out of memory");
			goto out;
		}
	}
	pc_tmp_dirs(ch, n);
	if (ap_txn_prepare(x, ch, n, err) < 0)
		goto out;
	for (size_t i = 0; i < st.dirs.n; i++)
		ap_txn_rmdir(x, st.dirs.v[i]);
	if (version_last && ap_txn_remove_last(x, AP_QUILTPC_DIR "/.version") < 0) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	if (ap_txn_commit(x, NULL, 0, err) < 0)
		goto out;
	run->files_written = n;
	unapply_results(run, &st);
	rc = 0;
out:
	ap_txn_free(x);
	for (size_t i = 0; datas && i < 2 * st.nfiles + 1; i++)
		free(datas[i]);
	free(datas);
	if (keep)
		for (size_t i = 0; i < st.nfiles; i++)
			free(keep[i].name);
	free(keep);
	free(paths);
	ap_buf_free(&pc_applied);
	free(ch);
	ap_state_free(&st);
	ap_tree_close(t);
	return rc;
}

/* --- status --------------------------------------------------------------- */

/* Whether a recorded patch is in the series (selected) and unchanged;
 * in_series maps a selected entry's name to its index plus one. */
static const char *series_status(const ap_state *st, const ap_loaded_series *ls,
				 const ap_strmap *in_series, const ap_status_patch *p)
{
	void *j = ap_strmap_get(in_series, p->name);

	if (!j)
		return "not-in-series";
	return strcmp(patch_sum(st, ls, (uintptr_t)j - 1), p->sha256) == 0 ? "unchanged"
									    : "changed";
}

/* Maps, not scans, so that a 100,000-patch series is checked in linear
 * time: the series' selected names (to index plus one) and the names the
 * state records. */
static int status_maps(const ap_loaded_series *ls, const ap_state *st, ap_strmap *in_series,
		       ap_strmap *recorded)
{
	for (size_t j = 0; j < ls->series.n; j++)
		if (ls->series.v[j].selected &&
		    ap_strmap_put(in_series, ls->series.v[j].name, (void *)(uintptr_t)(j + 1)) < 0)
			return -1;
	for (size_t i = 0; i < st->npatches; i++)
		if (ap_strmap_put(recorded, st->patches[i].name, &st->patches[i]) < 0)
			return -1;
	return 0;
}

/* Without applypatch's state, what quilt's .pc/ says is applied. */
static int quilt_status(ap_tree *t, ap_status *out, ap_error *err)
{
	ap_quiltpc q;
	ap_quiltcheck qc;
	ap_buf names = AP_BUF_INIT;

	if (ap_quiltpc_read(t, &q, err) < 0)
		return -1;
	if (!q.applied.n) {
		ap_quiltpc_free(&q);
		return 0;
	}
	out->patches = calloc(q.applied.n, sizeof *out->patches);
	if (!out->patches) {
		ap_quiltpc_free(&q);
		return ap_error_set(err, "out of memory");
	}
	for (size_t i = 0; i < q.applied.n; i++) {
		ap_status_patch *p = &out->patches[out->npatches++];

		p->name = ap_strdup(q.applied.v[i]);
		p->status = ap_strdup("quilt-applied");
		p->series = "unknown";
		ap_buf_printf(&names, "%s%s", i ? ", " : "", q.applied.v[i]);
	}
	free(out->note);
	out->note = ap_printf("%zu patch%s applied by quilt or dpkg-source (%s/applied-patches), "
			      "not by applypatch: %s", q.applied.n, q.applied.n == 1 ? "" : "es",
			      AP_QUILTPC_DIR, names.data ? names.data : "");
	ap_buf_free(&names);
	/* quilt's record is checked as apply checks it (quiltcheck.h) */
	if (ap_quiltcheck_run(t, out->tree, NULL, &q, &qc, err) < 0) {
		ap_quiltpc_free(&q);
		return -1;
	}
	for (size_t i = 0; i < qc.files.n; i++)
		ap_buf_printf(&names, "%s%s (%s)", i ? ", " : "", qc.files.v[i], qc.patches.v[i]);
	if (qc.files.n || qc.why) {
		char *note = ap_printf("%s; but the tree does not hold them: %s%s%s%s (edited after "
				       "quilt push, or the record is stale)", out->note,
				       names.data ? names.data : "",
				       names.data ? " not as the patch leaves it" : "",
				       qc.why && names.data ? "; " : "", qc.why ? qc.why : "");

		if (note) {
			free(out->note);
			out->note = note;
		}
		out->drift = 1;
	}
	ap_buf_free(&names);
	ap_quiltcheck_free(&qc);
	ap_quiltpc_free(&q);
	return 0;
}

int ap_worktree_status(const ap_run_opts *o, ap_status *out, ap_error *err)
{
	ap_state st = AP_STATE_INIT;
	ap_tree *t = NULL;
	ap_loaded_series ls;
	ap_strmap in_series = AP_STRMAP_INIT, recorded = AP_STRMAP_INIT;
	int found = 0, have_series = 0, rc = -1;
	struct stat sb;

	memset(out, 0, sizeof *out);
	memset(&ls, 0, sizeof ls);
	out->tree = ap_strdup(o->tree ? o->tree : ".");
	if (!out->tree)
		return ap_error_set(err, "out of memory");
	if (ap_tree_open(&t, out->tree, err) < 0)
		return -1;
	/* status only looks: an interrupted run is completed by the next
	 * apply or unapply, never here */
	if (ap_tree_lock(t, err) == 0) {
		int r = ap_txn_interrupted(t, &out->note, err);

		if (r < 0)
			goto out;
		out->drift = r > 0;
	} else {
		out->note = ap_strdup("another applypatch run is working on this tree; this status "
				      "may change when it finishes");
	}
	if (ap_state_load(&st, t, &found, err) < 0)
		goto out;
	if (!found) {
		if (quilt_status(t, out, err) < 0)
			goto out;
		if (!out->note)
			out->note = ap_strdup("not patched by applypatch (no " AP_STATE_DIR "/state)");
		rc = 0;
		goto out;
	}
	out->applied = 1;
	out->platform = ap_strdup(st.platform);
	out->files = calloc(st.nfiles + 1, sizeof *out->files);
	out->patches = calloc(st.npatches + 1, sizeof *out->patches);
	if (!out->files || !out->patches) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < st.nfiles; i++) {
		ap_file_state disk;
		ap_status_file *f = &out->files[out->nfiles++];
		int same;

		f->path = ap_strdup(st.files[i].path);
		if (ap_state_file_compare(t, &st.files[i], &disk, &same, NULL, NULL, err) < 0)
			goto out;
		if (same)
			f->state = "clean";
		else if (!disk.exists)
			f->state = "missing";
		else if (!st.files[i].now.exists)
			f->state = "reappeared";
		else
			f->state = "modified";
		if (strcmp(f->state, "clean") != 0)
			out->drift = 1;
	}
	{
		char *dir = ap_series_dir(o->patches_dir, out->tree);
		ap_error se = AP_ERROR_INIT;

		if (dir && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    ap_loaded_series_load(&ls, dir, st.platform, 1, o->strip, &se) == 0)
			have_series = 1;
		if (have_series && old_identities(&st, &ls, err) < 0) {
			free(dir);
			goto out;
		}
		free(dir);
	}
	if (have_series && status_maps(&ls, &st, &in_series, &recorded) < 0) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < st.npatches; i++) {
		ap_status_patch *p = &out->patches[out->npatches++];

		p->name = ap_strdup(st.patches[i].name);
		p->status = ap_strdup(st.patches[i].status);
		memcpy(p->sha256, st.patches[i].sha256, AP_SHA256_HEX);
		p->series = "unknown";
		if (!have_series)
			continue;
		p->series = strcmp(p->status, "present-other") == 0
			    ? "other-platform" : series_status(&st, &ls, &in_series, p);
		if (strcmp(p->series, "other-platform") == 0)
			continue;
		if (strcmp(p->series, "unchanged") != 0)
			out->drift = 1;
	}
	if (have_series) {
		out->unapplied = calloc(ls.series.n + 1, sizeof *out->unapplied);
		for (size_t j = 0; out->unapplied && j < ls.series.n; j++) {
			if (!ls.series.v[j].selected)
				continue;
			if (!ap_strmap_get(&recorded, ls.series.v[j].name)) {
				out->unapplied[out->nunapplied++] = ap_strdup(ls.series.v[j].name);
				out->drift = 1;
			}
		}
	}
	rc = 0;
out:
	ap_strmap_free(&in_series);
	ap_strmap_free(&recorded);
	if (have_series)
		ap_loaded_series_free(&ls);
	ap_state_free(&st);
	ap_tree_close(t);
	return rc;
}

void ap_run_free(ap_run *run)
{
	for (size_t i = 0; i < run->n; i++)
		ap_patch_result_free(&run->patches[i]);
	free(run->patches);
	for (size_t i = 0; i < run->nwarnings; i++) {
		free(run->warnings[i].where);
		free(run->warnings[i].what);
	}
	free(run->warnings);
	free(run->tree);
	free(run->patches_dir);
	free(run->platform);
	free(run->note);
	memset(run, 0, sizeof *run);
}

void ap_status_free(ap_status *st)
{
	for (size_t i = 0; i < st->npatches; i++) {
		free(st->patches[i].name);
		free(st->patches[i].status);
	}
	for (size_t i = 0; i < st->nfiles; i++)
		free(st->files[i].path);
	for (size_t i = 0; i < st->nunapplied; i++)
		free(st->unapplied[i]);
	free(st->unapplied);
	free(st->patches);
	free(st->files);
	free(st->tree);
	free(st->platform);
	free(st->note);
	memset(st, 0, sizeof *st);
}

/* --- the originals of an applied tree ------------------------------------------ */

struct ap_originals {
	ap_tree *tree;
	ap_state state;
	int have_state;
};

int ap_worktree_originals_open(ap_originals **out, const char *tree, ap_error *err)
{
	ap_originals *o = calloc(1, sizeof *o);
	*out = NULL;
	if (!o)
		return ap_error_set(err, "out of memory");
	if (ap_tree_open(&o->tree, tree, err) < 0 ||
	    ap_state_load(&o->state, o->tree, &o->have_state, err) < 0) {
		ap_worktree_originals_close(o);
		return -1;
	}
	*out = o;
	return 0;
}

void ap_worktree_originals_close(ap_originals *o)
{
	if (!o)
		return;
	if (o->have_state)
		ap_state_free(&o->state);
	if (o->tree)
		ap_tree_close(o->tree);
	free(o);
}

int ap_worktree_original(void *originals, const char *path, ap_file_state *st, char **data,
			 size_t *len, ap_error *err)
{
	ap_originals *o = originals;
	ap_state_file *f = o->have_state ? ap_state_file_find(&o->state, path) : NULL;
	if (!f)
		return ap_tree_load(o->tree, path, st, data, len, err);
	memset(st, 0, sizeof *st);
	*data = NULL;
	*len = 0;
	if (!f->orig_blob)
		return 0;   /* the applied series created it */
	char *name = ap_printf("orig/%s", f->orig_blob);
	if (!name)
		return ap_error_set(err, "out of memory");
	int rc = read_orig(o->tree, f, name, data, len, err);
	free(name);
	if (rc < 0)
		return -1;
	if (!*data)
		return ap_error_set(err, "%s: the original kept by apply is missing", path);
	st->exists = 1;
	st->symlink = S_ISLNK(f->orig_mode);
	st->mode = st->symlink ? 0777 : f->orig_mode;
	st->size = (off_t)*len;
	return 0;
}
