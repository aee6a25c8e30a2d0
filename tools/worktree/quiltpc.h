/* quiltpc.h - quilt's own record of applied patches, TREE/.pc/, as quilt
 * 0.66 and dpkg-source write it:
 *   .pc/.version          "2"
 *   .pc/.quilt_patches    the patches directory, relative to the tree
 *   .pc/.quilt_series     the series file, relative to that directory
 *   .pc/applied-patches   one applied patch a line, in order
 *   .pc/PATCH/FILE        FILE as it was before PATCH (empty: it did not
 *                         exist), for every file PATCH touches
 *   .pc/PATCH/.timestamp  empty
 * apply writes it beside its own state (in the same transaction), so that
 * quilt and dpkg-source see what applypatch applied; unapply, status and
 * apply read it, so that applypatch sees what quilt push or dpkg-source -x
 * applied.
 *
 *   ap_quiltpc_read / _has / _free        what .pc/ says is applied
 *   ap_quiltpc_backups / _backup_path     a patch's backups there
 *   ap_quiltpc_out_add / _add_original / _add_version / _truncate / _free
 *                                         the .pc/ files a run writes
 *   ap_quiltpc_out_spool_open / _close    where their later versions wait
 */
#ifndef AP_QUILTPC_H
#define AP_QUILTPC_H

#include "error.h"
#include "tree.h"

#define AP_QUILTPC_DIR ".pc"

typedef struct ap_quiltpc {
	int found;                 /* .pc/applied-patches exists */
	ap_strlist applied;        /* its lines, in order */
} ap_quiltpc;

/* Reads .pc/applied-patches; pc->found = 0 (and ok) when there is none.
 * A name that would leave .pc/ is refused. */
int ap_quiltpc_read(ap_tree *t, ap_quiltpc *pc, ap_error *err);
void ap_quiltpc_free(ap_quiltpc *pc);
int ap_quiltpc_has(const ap_quiltpc *pc, const char *patch);

/* The files quilt kept for patch: tree paths (as under .pc/PATCH/),
 * .timestamp left out. A symbolic link there is a link kept as it was
 * (quilt push of a git patch of a link); anything else but a regular file
 * is an error. */
int ap_quiltpc_backups(ap_tree *t, const char *patch, ap_strlist *files, ap_error *err);

/* The path of a kept file: .pc/PATCH/FILE (malloc'd). */
char *ap_quiltpc_backup_path(const char *patch, const char *file);

/* Files of .pc/ to write, gathered while a series is applied. A long
 * series keeps thousands of backups, so their bytes are not held: a file's
 * backup before its first patch is the file as it is on disk (copy_of:
 * the transaction links or copies it), and a later one, an intermediate
 * version, goes to the spool, an unnamed file (O_TMPFILE) in the tree
 * that vanishes with the process, when the patch that supersedes it is
 * applied. Small files (.timestamp, quilt's own) and every backup where
 * there is no spool are held in data. */
typedef struct ap_quiltpc_file {
	char *path;                /* .pc/... */
	char *data;                /* the bytes, or NULL: copy_of or spooled */
	size_t len;
	mode_t mode;
	char *copy_of;             /* the tree file, as on disk when applied */
	int spooled;               /* len bytes at off in the spool */
	off_t off;
} ap_quiltpc_file;

typedef struct ap_quiltpc_out {
	ap_quiltpc_file *v;
	size_t n, cap;
	int spool;                 /* fd, or -1 */
	off_t spool_len;
} ap_quiltpc_out;

#define AP_QUILTPC_OUT_INIT { NULL, 0, 0, -1, 0 }

/* Opens the spool in dirfd's file system (an unnamed file); without one
 * (no O_TMPFILE there, or a read-only tree) versions are held in memory. */
void ap_quiltpc_out_spool_open(ap_quiltpc_out *o, int dirfd);
/* Closes it: call once the transaction has made its files. */
void ap_quiltpc_out_spool_close(ap_quiltpc_out *o);
/* Adds a file (data copied); returns -1 when out of memory. */
int ap_quiltpc_out_add(ap_quiltpc_out *o, const char *path, const char *data, size_t len,
		       mode_t mode);
/* Adds a file whose bytes are those of tree file copy_of on disk. */
int ap_quiltpc_out_add_original(ap_quiltpc_out *o, const char *path, const char *copy_of,
				mode_t mode);
/* Adds a file with these bytes, written to the spool (held in memory
 * where it cannot be written there). */
int ap_quiltpc_out_add_version(ap_quiltpc_out *o, const char *path, const char *data,
			       size_t len, mode_t mode);
/* Drops the files added after the first n (a patch that was not applied). */
void ap_quiltpc_out_truncate(ap_quiltpc_out *o, size_t n);
void ap_quiltpc_out_free(ap_quiltpc_out *o);

#endif
