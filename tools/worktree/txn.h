/* txn.h - changing many files of the tree as one step.
 *
 * Protocol (all files under TREE/.applypatch/):
 *   prepare: write `pending` (every name about to be created), create
 *            missing directories (one a marker file marks is made under a
 *            temporary name, the marker in it, then renamed into place:
 *            a `marker` line in pending and journal, so a rollback removes
 *            both together), write each new file's bytes to a temp file
 *            beside it, link each original into orig/ for unapply, and
 *            give each file to be replaced or deleted a second (undo) name
 *            beside it (both in a folder above, ap_change.tmp_dir, where
 *            asked: quilt's .pc/);
 *   commit:  write state.new, syncfs once, write `journal` (the renames,
 *            deletions and the state switch, each step with its undo name
 *            and the temp file's inode) and fsync it: the commit point;
 *            then rename, delete, drop the undo names, syncfs, drop the
 *            journal.
 * A run killed before the commit point is rolled back from `pending`; one
 * killed after it is rolled forward from `journal`: ap_txn_recover does
 * either, so the tree is never left half-patched. A step in the tree that
 * fails twice after the commit point (for a reason prepare could not see)
 * turns the journal into a `rollback` record with the reason, and every
 * step done is undone from the undo names (a file created is removed only
 * if it is the inode this run wrote); recovery that finds `rollback` goes
 * on rolling back.
 *
 *   ap_txn_begin / _prepare / _commit / _free   one transaction
 *   ap_txn_drop_backup, _rmdir, _dir_attr       what unapply adds
 *   ap_txn_created_dirs                         the directories prepare made
 *   ap_txn_recover / _interrupted               a killed run finished, or reported
 *   ap_state_file_read                          a file of the state directory
 */
#ifndef AP_TXN_H
#define AP_TXN_H

#include "error.h"
#include "tree.h"

enum ap_change_kind { AP_CHANGE_WRITE, AP_CHANGE_SYMLINK, AP_CHANGE_DELETE };

typedef struct ap_change {
	enum ap_change_kind kind;
	const char *path;
	const char *data;        /* WRITE: the bytes; SYMLINK: the target */
	size_t len;
	mode_t mode;             /* WRITE: permission bits */
	ap_owner owner;          /* WRITE: the owner to keep (that of the file replaced) */
	const char *backup;      /* keep the current file as orig/BACKUP, or NULL */
	/* WRITE: where the bytes are when data is not (quilt's backups): */
	const char *copy_of;     /* a copy of this tree file as it is now */
	int from_spool;          /* or: len bytes at spool_off of the file spool_fd */
	int spool_fd;
	off_t spool_off;
	/* WRITE: the file marks its directory for another program (quilt's
	 * .pc/.version, without which quilt refuses a .pc/): when prepare has
	 * to create the directory, it makes it under a temporary name with
	 * this file already in it, then renames it into place, and a rollback
	 * removes the file only with its directory (as ap_txn_remove_last):
	 * no moment shows the directory without it */
	int marks_dir;
	/* The folder its temporary file and second (undo) name go in, one
	 * above its own (NULL: its own): quilt reads every file in
	 * .pc/PATCH/ as a backup, so .pc/'s wait at the top of .pc/ */
	const char *tmp_dir;
	ap_file_state result;    /* filled by prepare: the new file's state */
} ap_change;

typedef struct ap_txn ap_txn;

/* The caller holds the tree's lock for the whole transaction. */
int ap_txn_begin(ap_txn **out, ap_tree *t, ap_error *err);
int ap_txn_prepare(ap_txn *x, ap_change *ch, size_t n, ap_error *err);
/* Call before prepare: when prepare has to create dir (unapply re-creating
 * one that apply removed), it gives it this mode and owner. */
int ap_txn_dir_attr(ap_txn *x, const char *dir, mode_t mode, const ap_owner *owner);
/* Directories that prepare created, outermost first. */
const ap_strlist *ap_txn_created_dirs(const ap_txn *x);
/* Asks commit to remove dir after the renames if it is then empty. */
int ap_txn_rmdir(ap_txn *x, const char *dir);
/* Asks commit to remove file after every other step, and only while it is
 * the last entry of its directory, just before that directory's rmdir: a
 * marker whose absence beside other entries means something to another
 * program (quilt's .pc/.version). A rollback never removes it. */
int ap_txn_remove_last(ap_txn *x, const char *file);
/* For a commit without state (unapply): remove orig/NAME too. */
int ap_txn_drop_backup(ap_txn *x, const char *name);
/* state == NULL removes the state directory (unapply): the backups named
 * with ap_txn_drop_backup and applypatch's own records; anything else
 * found there stays, and the directory with it. */
int ap_txn_commit(ap_txn *x, const char *state, size_t len, ap_error *err);
/* Rolls back anything prepared but not committed, then frees. */
void ap_txn_free(ap_txn *x);

/* Completes or rolls back an interrupted run; *note (malloc'd, may be
 * NULL) says which, for the user. Needs the lock. */
int ap_txn_recover(ap_tree *t, char **note, ap_error *err);
/* For read-only commands, which never change the tree: whether a run was
 * interrupted (0 no, 1 before its commit point, 2 after it), *note saying
 * so and what the next apply or unapply will do. */
int ap_txn_interrupted(ap_tree *t, char **note, ap_error *err);

/* Reads TREE/.applypatch/NAME (state, orig/N); missing: *data NULL, ok. */
int ap_state_file_read(ap_tree *t, const char *name, char **data, size_t *len, ap_error *err);

#endif
