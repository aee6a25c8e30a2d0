/* tree.h - the source tree on disk, reached only through safe paths.
 *
 * Every path is walked from the tree's root one component at a time with
 * O_NOFOLLOW, so nothing is ever read, written or deleted through a
 * symbolic link, and nothing outside the tree is reached. All system
 * calls of the write phase go through here, which is where tests inject
 * faults (see ap_fault_*).
 *
 *   ap_tree_open / _close     a tree at a root (a link there resolved once)
 *   ap_tree_lock              the one-run-at-a-time lock
 *   ap_tree_read / _stat      a regular file's bytes and state; a path's state
 *   ap_tree_readlink          a symbolic link's target (the link is never followed)
 *   ap_tree_load              a vtree loader: a file's bytes, a link's target
 *   ap_tree_parent / _dirfd   a directory opened safely (parents made on demand)
 *   ap_write_new_file         a new file written, owned and moded in one go
 *   ap_copy_new_file          the same with bytes copied from another file
 *   ap_sys_*                  the write-phase system calls, where faults go in
 */
#ifndef AP_TREE_H
#define AP_TREE_H

#include "error.h"
#include "fileio.h"
#include "strmap.h"

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

typedef struct ap_tree ap_tree;

/* Opens the tree at root, a directory. root may be a symbolic link to one
 * (a packager's /build/gap -> /build/gap-4.10.2): it is resolved once, here,
 * and every later call works in the directory it named then (through the
 * root's fd), even if the link is changed meanwhile. Below the root no
 * link is ever followed. ap_tree_root and messages give root as passed. */
int ap_tree_open(ap_tree **out, const char *root, ap_error *err);
void ap_tree_close(ap_tree *t);
const char *ap_tree_root(const ap_tree *t);
int ap_tree_rootfd(const ap_tree *t);

/* Takes the tree's lock (flock on its root directory); fails at once,
 * with a clear message, when another run holds it. */
int ap_tree_lock(ap_tree *t, ap_error *err);

/* Reads a regular file. Missing: *st exists=0, ok. A symlink anywhere on
 * the path, a directory, a device, or a file over AP_FILE_MAX: error. */
int ap_tree_read(ap_tree *t, const char *path, ap_file_state *st, char **data,
		 size_t *len, ap_error *err);

/* Reads the target of the symbolic link at path (never followed; the
 * directories on the way are walked as for ap_tree_read). Missing: *st
 * exists=0, ok. Anything but a link: error. */
int ap_tree_readlink(ap_tree *t, const char *path, ap_file_state *st, char **data,
		     size_t *len, ap_error *err);

/* A vtree loader (tree is the ap_tree): a regular file as ap_tree_read
 * reads it; a symbolic link as git and tar hold one, st->symlink set and
 * its target as the content (ap_tree_readlink). */
int ap_tree_load(void *tree, const char *path, ap_file_state *st, char **data, size_t *len,
		 ap_error *err);

/* Looks at a path without reading it (symlinks reported, not followed). */
int ap_tree_stat(ap_tree *t, const char *path, ap_file_state *st, ap_error *err);

/* Opens the directory holding path (creating missing ones when created is
 * non-NULL, appending their paths to it). Returns an fd owned by the tree's
 * cache (do not close) and sets *base to the last component. */

int ap_tree_parent(ap_tree *t, const char *path, ap_strlist *created, const char **base,
		   ap_error *err);

/* Closes the cached directory fds: after directories were removed (a
 * rollback), a path must be walked afresh, not through a deleted one. */
void ap_tree_forget_dirs(ap_tree *t);

/* The directory dir itself, opened as ap_tree_parent opens parents (an fd
 * owned by the tree's cache); -1 with errno ENOENT when it is missing, -2
 * with err set on any other failure. */
int ap_tree_dirfd(ap_tree *t, const char *dir, ap_error *err);

/* The owner a file written over an existing one keeps (keep == 0: the new
 * file is simply the caller's). */
typedef struct ap_owner {
	int keep;
	uid_t uid;
	gid_t gid;
} ap_owner;

/* Gives the open file fd the owner (chown before chmod, which would clear
 * setuid) and then the mode. Where the owner cannot be kept (an
 * unprivileged run rewriting someone else's file), setuid and setgid are
 * dropped, as GNU patch does: no one's code becomes setuid to another. */
int ap_fd_set_owner_mode(int fd, mode_t mode, const ap_owner *owner);

/* The process's umask (read without changing it for long). */
mode_t ap_umask(void);

/* The write-phase system calls, each a place where a fault can be
 * injected. They set errno like the calls they wrap. */
int ap_sys_openat(int dirfd, const char *name, int flags, mode_t mode);
ssize_t ap_sys_write(int fd, const void *buf, size_t len);
int ap_sys_fsync(int fd);
int ap_sys_syncfs(int fd);
int ap_sys_renameat(int olddirfd, const char *oldname, int newdirfd, const char *newname);
int ap_sys_mkdirat(int dirfd, const char *name, mode_t mode);
int ap_sys_unlinkat(int dirfd, const char *name, int flags);
int ap_sys_fchmod(int fd, mode_t mode);
int ap_sys_fchown(int fd, uid_t uid, gid_t gid);
int ap_sys_linkat(int olddirfd, const char *oldname, int newdirfd, const char *newname);
int ap_sys_symlinkat(const char *target, int dirfd, const char *name);
/* copy_file_range from in at *off to out's position (a "write" fault). */
ssize_t ap_sys_copy_range(int in, off_t *off, int out, size_t len);

/* Writes all of data to a new file dirfd/name (O_EXCL), gives it owner
 * (NULL: the caller's) and mode (ap_fd_set_owner_mode), and returns its
 * state; no fsync (the caller syncs in bulk). */
int ap_write_new_file(int dirfd, const char *name, const char *data, size_t len,
		      mode_t mode, const ap_owner *owner, ap_file_state *st, ap_error *err,
		      const char *shown);

/* ap_write_new_file with the len bytes at offset off of the file srcfd
 * (copied by the kernel where it can, else read and written). */
int ap_copy_new_file(int dirfd, const char *name, int srcfd, off_t off, size_t len,
		     mode_t mode, const ap_owner *owner, ap_file_state *st, ap_error *err,
		     const char *shown);

/* Fault injection for tests: APPLYPATCH_FAULT="op:N[:errno]" makes the
 * Nth call of op (open, write, fsync, syncfs, rename, mkdir, unlink,
 * chmod, link, symlink, chown) fail with errno (EIO by default; "short" for
 * write makes it write half); APPLYPATCH_FAULT_KILL="op:N" raises
 * SIGKILL instead; APPLYPATCH_FAULT_CMD="op:N:COMMAND" runs COMMAND (sh)
 * just before the Nth op; APPLYPATCH_FAULT_TARGET=/ABS/PATH makes every
 * rename onto, and unlink of, that file fail with EPERM, as a security
 * module or an ACL would. Honoured only in builds with AP_FAULT_INJECTION. */
void ap_fault_reset(void);

#endif
