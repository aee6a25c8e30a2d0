/* txn.c - the pending/journal protocol described in txn.h. */
#include "txn.h"

#include "buf.h"
#include "path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct ap_txn {
	ap_tree *tree;
	int statefd;            /* TREE/.applypatch */
	int statedir_created;
	ap_change *ch;
	size_t n;
	char token[17];         /* this run's temporary names: .aptmp.TOKEN.N */
	char **tmp;             /* temp path (relative to the root) per change */
	unsigned char *made;    /* per change: its temp file exists, this run made it */
	char **undo;            /* per change: where the file replaced is kept for a
	                           rollback after the commit point (NULL: none) */
	unsigned char *undo_made;
	char **gone;            /* per change marking a directory prepare creates:
	                           the directory's temporary name (NULL: none) */
	unsigned char *early;   /* per change: in place since prepare (a marker) */
	ap_strlist created;     /* directories prepare made */
	ap_strlist mfiles;      /* the markers placed with their directory, and ... */
	ap_strlist mgones;      /* ... that directory's temporary name */
	ap_strlist backups;     /* orig/ names prepare linked */
	ap_strlist rmdirs;
	ap_strlist lasts;       /* files removed just before their directory */
	ap_strlist drops;       /* orig/ names an unapply's commit removes */
	ap_strlist attr_dirs;   /* ap_txn_dir_attr's directories (attr_index: each one's
	                           index + 1, as a root's apply names every new .pc/
	                           folder), and ... */
	ap_strmap attr_index;
	mode_t *attr_mode;      /* ... their modes and owners */
	ap_owner *attr_owner;
	size_t attr_cap;
	int prepared;
	int committed;
};

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int same_dir(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
	size_t la = sa ? (size_t)(sa - a) : 0, lb = sb ? (size_t)(sb - b) : 0;

	return la == lb && strncmp(a, b, la) == 0;
}

/* Whether file's directory is dir. */
static int parent_is(const char *file, const char *dir)
{
	const char *slash = strrchr(file, '/');
	size_t n = slash ? (size_t)(slash - file) : 0;

	return strlen(dir) == n && strncmp(file, dir, n) == 0;
}

static int open_statedir(ap_tree *t, int create, int *created, ap_error *err)
{
	int root = ap_tree_rootfd(t);
	int fd;

	if (created)
		*created = 0;
	fd = openat(root, AP_STATE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT || !create) {
		if (fd < 0 && errno != ENOENT)
			return ap_error_sys(err, "cannot open %s/%s (it must be a directory, "
					    "not a symlink)", ap_tree_root(t), AP_STATE_DIR);
		return fd;
	}
	if (ap_sys_mkdirat(root, AP_STATE_DIR, 0777) < 0)
		return ap_error_sys(err, "cannot create %s/%s", ap_tree_root(t), AP_STATE_DIR);
	if (created)
		*created = 1;
	fd = openat(root, AP_STATE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ap_error_sys(err, "cannot open %s/%s", ap_tree_root(t), AP_STATE_DIR);
	return fd;
}

/* Writes dir/name atomically: name.tmp, fsync, rename, fsync dir.
 * Returns -2 when only the last step failed: name is in place, but may
 * not be durable. */
static int write_atomic(int dirfd, const char *name, const char *data, size_t len,
			ap_error *err)
{
	char tmp[256];
	int fd;

	snprintf(tmp, sizeof tmp, "%s.tmp", name);
	unlinkat(dirfd, tmp, 0);
	if (ap_write_new_file(dirfd, tmp, data, len, 0644, NULL, NULL, err, tmp) < 0)
		return ap_error_wrap(err, "%s", AP_STATE_DIR);
	fd = ap_sys_openat(dirfd, tmp, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0 || ap_sys_fsync(fd) < 0) {
		ap_error_sys(err, "cannot sync %s/%s", AP_STATE_DIR, tmp);
		if (fd >= 0)
			close(fd);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	close(fd);
	if (ap_sys_renameat(dirfd, tmp, dirfd, name) < 0) {
		ap_error_sys(err, "cannot rename %s/%s", AP_STATE_DIR, tmp);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	if (ap_sys_fsync(dirfd) < 0) {
		ap_error_sys(err, "cannot sync %s", AP_STATE_DIR);
		return -2;
	}
	return 0;
}

int ap_state_file_read(ap_tree *t, const char *name, char **data, size_t *len, ap_error *err)
{
	ap_file_state st;
	char *path = ap_printf("%s/%s", AP_STATE_DIR, name);
	int rc;

	if (!path)
		return ap_error_set(err, "out of memory");
	rc = ap_tree_read(t, path, &st, data, len, err);
	/* a record is trusted only from this user or root: what another user
	 * wrote there could name any owner and mode for unapply to restore
	 * (the orig/ copies may be the original inodes, owned by anyone) */
	if (rc == 0 && st.exists && st.uid != geteuid() && st.uid != 0 &&
	    strncmp(name, "orig/", 5) != 0) {
		free(*data);
		*data = NULL;
		rc = ap_error_set(err, "%s/%s/%s belongs to uid %lu: applypatch acts only on a "
				  "record written by the user running it (uid %lu) or by root; run "
				  "it as uid %lu", ap_tree_root(t), AP_STATE_DIR, name,
				  (unsigned long)st.uid, (unsigned long)geteuid(),
				  (unsigned long)st.uid);
	}
	free(path);
	return rc;
}

int ap_txn_begin(ap_txn **out, ap_tree *t, ap_error *err)
{
	ap_txn *x = calloc(1, sizeof *x);

	*out = NULL;
	if (!x)
		return ap_error_set(err, "out of memory");
	x->tree = t;
	x->statefd = -1;
	*out = x;
	return 0;
}

const ap_strlist *ap_txn_created_dirs(const ap_txn *x)
{
	return &x->created;
}

int ap_txn_rmdir(ap_txn *x, const char *dir)
{
	return ap_strlist_add(&x->rmdirs, dir);
}

int ap_txn_remove_last(ap_txn *x, const char *file)
{
	return ap_strlist_add(&x->lasts, file);
}

int ap_txn_drop_backup(ap_txn *x, const char *name)
{
	return ap_strlist_add(&x->drops, name);
}

int ap_txn_dir_attr(ap_txn *x, const char *dir, mode_t mode, const ap_owner *owner)
{
	size_t n = x->attr_dirs.n, cap = x->attr_cap;

	if (ap_array_grow((void **)&x->attr_mode, &cap, n + 1, sizeof *x->attr_mode) < 0)
		return -1;
	cap = x->attr_cap;
	if (ap_array_grow((void **)&x->attr_owner, &cap, n + 1, sizeof *x->attr_owner) < 0)
		return -1;
	if (ap_strmap_put(&x->attr_index, dir, (void *)(uintptr_t)(n + 1)) < 0 ||
	    ap_strlist_add(&x->attr_dirs, dir) < 0)
		return -1;
	x->attr_cap = cap;
	x->attr_mode[n] = mode;
	x->attr_owner[n] = *owner;
	return 0;
}

/* Gives the directories prepare created from index `from` on the modes
 * and owners ap_txn_dir_attr asked for. */
static int set_dir_attrs(ap_txn *x, size_t from, ap_error *err)
{
	for (size_t i = from; i < x->created.n; i++) {
		uintptr_t k = (uintptr_t)ap_strmap_get(&x->attr_index, x->created.v[i]);
		int fd;

		if (!k--)
			continue;
		fd = ap_tree_dirfd(x->tree, x->created.v[i], err);
		if (fd == -1)
			return ap_error_sys(err, "cannot open directory %s", x->created.v[i]);
		if (fd < 0)
			return -1;
		if (ap_fd_set_owner_mode(fd, x->attr_mode[k], &x->attr_owner[k]) < 0)
			return ap_error_sys(err, "cannot restore the mode of directory %s",
					    x->created.v[i]);
	}
	return 0;
}

/* The directories that writing path would create, outermost first,
 * added to out; seen holds out's names (looked up by hash: quilt's .pc/
 * makes thousands of new folders in one run). */
static int missing_dirs(ap_tree *t, const char *path, ap_strlist *out, ap_strmap *seen,
			ap_error *err)
{
	char *copy;
	const char *base, *slash = strrchr(path, '/');
	int missing = 0;

	/* its directory is to be created already, and so are those above */
	if (slash) {
		copy = ap_strndup(path, (size_t)(slash - path));
		if (!copy)
			return ap_error_set(err, "out of memory");
		missing = ap_strmap_get(seen, copy) != NULL;
		free(copy);
		if (missing)
			return 0;
	}
	/* the usual case: the directory is there (and its fd cached) */
	if (ap_tree_parent(t, path, NULL, &base, err) >= 0)
		return 0;
	copy = ap_strdup(path);
	if (!copy)
		return ap_error_set(err, "out of memory");
	for (char *p = strchr(copy, '/'); p; p = strchr(p + 1, '/')) {
		ap_file_state st;

		*p = '\0';
		if (!missing) {
			if (ap_tree_stat(t, copy, &st, err) < 0) {
				free(copy);
				return -1;
			}
			if (st.exists && st.symlink) {
				ap_error_set(err, "%s is a symbolic link: applypatch never writes "
					     "through symlinks", copy);
				free(copy);
				return -1;
			}
			if (st.exists && !st.dir) {
				ap_error_set(err, "%s is not a directory", copy);
				free(copy);
				return -1;
			}
			missing = !st.exists;
		}
		if (missing && !ap_strmap_get(seen, copy) &&
		    (ap_strlist_add(out, copy) < 0 || ap_strmap_put(seen, copy, out) < 0)) {
			free(copy);
			return ap_error_set(err, "out of memory");
		}
		*p = '/';
	}
	free(copy);
	return 0;
}

/* A name no one can guess, so a file planted in the tree cannot be taken
 * for one of this run's temporary files (nor stand in its way). */
static void random_token(char out[17])
{
	unsigned char r[8];
	size_t got = 0;

	while (got < sizeof r) {
		ssize_t k = getrandom(r + got, sizeof r - got, 0);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	if (got < sizeof r) {
		/* no getrandom: time, pid and an address, mixed */
		struct timespec ts;
		unsigned long long v;

		clock_gettime(CLOCK_REALTIME, &ts);
		v = (unsigned long long)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^
		    (unsigned long long)ts.tv_sec << 20 ^ (unsigned long long)getpid() << 40 ^
		    (unsigned long long)(uintptr_t)&ts;
		memcpy(r, &v, sizeof r);
	}
	for (size_t i = 0; i < sizeof r; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

/* The folders of a (*fa, its base *ba) and b (*fb, *bb): one fd when
 * they are the same, else a's is dup'ed (*own, to close), as a second
 * ap_tree_parent may close the first's fd when the cache is full.
 * Returns 0, or ap_tree_parent's -1 (missing) or -2. */
static int two_dirs(ap_tree *t, const char *a, const char *b, int *fa, const char **ba, int *fb,
		    const char **bb, int *own, ap_error *err)
{
	*own = -1;
	*fa = ap_tree_parent(t, a, NULL, ba, err);
	*fb = *fa;
	*bb = base_of(b);
	if (*fa < 0 || same_dir(a, b))
		return *fa < 0 ? *fa : 0;
	*own = dup(*fa);
	if (*own < 0)
		return ap_error_sys(err, "cannot open the directory of %s", a) - 1;
	*fa = *own;
	*fb = ap_tree_parent(t, b, NULL, bb, err);
	if (*fb < 0) {
		close(*own);
		*own = -1;
		return *fb;
	}
	return 0;
}

/* Keeps the current file at c->path as orig/BACKUP: a hard link when the
 * file has no other name (once apply replaces it, nothing else can reach
 * that inode, so the link is a snapshot), else a copy: through a second
 * name, inside the tree or out, the "original" could still be written. */
static int keep_original(ap_txn *x, const ap_change *c, int dfd, const char *base, int origfd,
			 ap_error *err)
{
	ap_file_state st;
	ap_owner own;
	struct stat sb;
	char *data;
	size_t len;
	int rc;

	if (fstatat(dfd, base, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return ap_error_sys(err, "cannot stat %s", c->path);
	if (sb.st_nlink == 1) {
		if (ap_sys_linkat(dfd, base, origfd, c->backup) == 0)
			return ap_strlist_add(&x->backups, c->backup) < 0
				? ap_error_set(err, "out of memory") : 0;
		if (errno != EPERM && errno != EXDEV && errno != EMLINK && errno != ENOTSUP &&
		    errno != EOPNOTSUPP)
			return ap_error_sys(err, "cannot keep the original of %s for unapply", c->path);
	}
	if (S_ISLNK(sb.st_mode)) {
		/* a link with a second name: a link of our own, same target */
		if (ap_tree_readlink(x->tree, c->path, &st, &data, &len, err) < 0)
			return -1;
		rc = data ? ap_sys_symlinkat(data, origfd, c->backup) : -1;
		free(data);
		if (rc < 0)
			return ap_error_sys(err, "cannot keep the original of %s for unapply", c->path);
		return ap_strlist_add(&x->backups, c->backup) < 0 ? ap_error_set(err, "out of memory") : 0;
	}
	if (ap_tree_read(x->tree, c->path, &st, &data, &len, err) < 0)
		return -1;
	own = (ap_owner){ 1, st.uid, st.gid };
	rc = ap_write_new_file(origfd, c->backup, data, len, st.mode, &own, NULL, err, c->path);
	free(data);
	if (rc < 0)
		return -1;
	return ap_strlist_add(&x->backups, c->backup) < 0 ? ap_error_set(err, "out of memory") : 0;
}

static int keep_undo_in(ap_txn *x, size_t i, int dfd, const char *base, int udfd,
			const char *ubase, const struct stat *sbp, ap_error *err);

/* Another name for the file at c->path, beside it (.aptmp.TOKEN.uI), so
 * that a run which cannot complete after its commit point can put it
 * back: a hard link, or a copy where the file system or the kernel's
 * protected_hardlinks refuses one. No file there: none needed. */
static int keep_undo(ap_txn *x, size_t i, int dfd, const char *base, ap_error *err)
{
	const ap_change *c = &x->ch[i];
	struct stat sb;
	int missing = fstatat(dfd, base, &sb, AT_SYMLINK_NOFOLLOW) < 0, udfd, owned, rc;
	const char *ubase;

	if (missing && errno != ENOENT)
		return ap_error_sys(err, "cannot stat %s", c->path);
	if (missing || S_ISDIR(sb.st_mode)) {
		free(x->undo[i]);
		x->undo[i] = NULL;
		return 0;
	}
	/* kept in a folder above (quilt's .pc/): both folders afresh */
	rc = two_dirs(x->tree, x->undo[i], c->path, &udfd, &ubase, &dfd, &base, &owned, err);
	if (rc < 0)
		return rc == -1 ? ap_error_sys(err, "cannot open the directory of %s", x->undo[i])
				: -1;
	rc = keep_undo_in(x, i, dfd, base, udfd, ubase, &sb, err);
	if (owned >= 0)
		close(owned);
	return rc;
}

/* keep_undo's work, the folders open: dfd/base the file, udfd/ubase its
 * second name. */
static int keep_undo_in(ap_txn *x, size_t i, int dfd, const char *base, int udfd,
			const char *ubase, const struct stat *sbp, ap_error *err)
{
	const ap_change *c = &x->ch[i];
	struct stat sb = *sbp;
	ap_file_state st;
	ap_owner own;
	char *data, link[4096];
	size_t len;
	ssize_t k;
	int rc;

	if (ap_sys_linkat(dfd, base, udfd, ubase) == 0) {
		x->undo_made[i] = 1;
		return 0;
	}
	if (errno != EPERM && errno != EXDEV && errno != EMLINK && errno != ENOTSUP &&
	    errno != EOPNOTSUPP)
		return ap_error_sys(err, "cannot keep %s (as %s) for a rollback", c->path, x->undo[i]);
	if (S_ISLNK(sb.st_mode)) {
		k = readlinkat(dfd, base, link, sizeof link - 1);
		if (k < 0)
			return ap_error_sys(err, "cannot read symlink %s", c->path);
		link[k] = '\0';
		if (ap_sys_symlinkat(link, udfd, ubase) < 0)
			return ap_error_sys(err, "cannot keep %s (as %s) for a rollback", c->path,
					    x->undo[i]);
		x->undo_made[i] = 1;
		return 0;
	}
	if (ap_tree_read(x->tree, c->path, &st, &data, &len, err) < 0)
		return -1;
	own = (ap_owner){ 1, st.uid, st.gid };
	rc = ap_write_new_file(udfd, ubase, data, len, st.mode, &own, NULL, err, x->undo[i]);
	free(data);
	x->undo_made[i] = rc == 0;
	return rc;
}

static int chattr_locked(int fd)
{
	int fl = 0;

	return ioctl(fd, FS_IOC_GETFLAGS, &fl) == 0 && (fl & (FS_IMMUTABLE_FL | FS_APPEND_FL));
}

/* Whether statx saw the file immutable or append-only: 1 or 0, or -1 when
 * the file system does not report those attributes (then only an open
 * and FS_IOC_GETFLAGS can tell). One statx per file instead of a stat, an
 * open, an ioctl and a close: it is done for every file a series writes. */
static int statx_locked(const struct statx *sx)
{
	const __u64 both = STATX_ATTR_IMMUTABLE | STATX_ATTR_APPEND;

	if ((sx->stx_attributes_mask & both) != both)
		return -1;
	return (sx->stx_attributes & both) != 0;
}

static int file_locked(int dfd, const char *base, const struct statx *sx)
{
	int fd, locked = statx_locked(sx);

	if (locked >= 0)
		return locked;
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	locked = chattr_locked(fd);
	close(fd);
	return locked;
}

/* Proves before the commit point that the rename or unlink of c->path
 * after it can happen: neither the file nor its directory immutable or
 * append-only, and in a sticky directory the file (or the directory) ours
 * unless we are root (me: the effective uid). */
static int check_replaceable(const ap_change *c, int dfd, const char *base, uid_t me,
			     ap_error *err)
{
	const unsigned want = STATX_TYPE | STATX_MODE | STATX_UID;
	struct statx ds, ts;
	int dir_locked;

	if (statx(dfd, "", AT_EMPTY_PATH, want, &ds) < 0)
		return ap_error_sys(err, "cannot stat the directory of %s", c->path);
	dir_locked = statx_locked(&ds);
	if (dir_locked < 0)
		dir_locked = chattr_locked(dfd);
	if (dir_locked)
		return ap_error_set(err, "the directory of %s is immutable or append-only (chattr "
				    "+i or +a): nothing in it can be replaced; nothing was changed",
				    c->path);
	if (statx(dfd, base, AT_SYMLINK_NOFOLLOW, want, &ts) < 0)
		return errno == ENOENT ? 0 : ap_error_sys(err, "cannot stat %s", c->path);
	if ((S_ISREG(ts.stx_mode) || S_ISDIR(ts.stx_mode)) && file_locked(dfd, base, &ts))
		return ap_error_set(err, "%s is immutable or append-only (chattr +i or +a): "
				    "it cannot be replaced; nothing was changed", c->path);
	if ((ds.stx_mode & S_ISVTX) && me != 0 && ts.stx_uid != me && ds.stx_uid != me)
		return ap_error_set(err, "%s belongs to uid %lu in a sticky directory: only its "
				    "owner can replace it; nothing was changed", c->path,
				    (unsigned long)ts.stx_uid);
	return 0;
}

/* Writes change i's temporary file as a copy of c->copy_of or of its
 * bytes in the spool. A copy, not a hard link: the backup must stay as
 * it is whatever becomes of the original (quilt pop links it back into
 * the tree; chattr +i on it would pin a link in .pc/ through a rollback),
 * and the kernel's copy costs no more CPU here than a link. */
static int write_temp_copied(ap_txn *x, size_t i, ap_error *err)
{
	ap_change *c = &x->ch[i];
	const char *tbase = strrchr(x->tmp[i], '/') ? strrchr(x->tmp[i], '/') + 1 : x->tmp[i];
	const char *b, *sbase;
	char *shown = ap_printf("a temporary file for %s (%s)", c->path, x->tmp[i]);
	int src = c->copy_of ? -1 : c->spool_fd, dfd, rc = -1;
	off_t off = c->spool_off;
	size_t len = c->len;
	struct stat sb;

	if (!shown)
		return ap_error_set(err, "out of memory");
	if (c->copy_of) {
		dfd = ap_tree_parent(x->tree, c->copy_of, NULL, &sbase, err);
		if (dfd < 0) {
			if (dfd == -1)
				ap_error_sys(err, "cannot open the directory of %s", c->copy_of);
			goto out;
		}
		src = ap_sys_openat(dfd, sbase, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0);
		if (src < 0 || fstat(src, &sb) < 0 || !S_ISREG(sb.st_mode)) {
			if (src >= 0 && !S_ISREG(sb.st_mode))
				errno = EINVAL;
			ap_error_sys(err, "cannot read %s", c->copy_of);
			goto out;
		}
		off = 0;
		len = (size_t)sb.st_size;
	}
	/* after the source is open: a second directory fd may evict the first */
	dfd = ap_tree_parent(x->tree, x->tmp[i], NULL, &b, err);
	if (dfd < 0) {
		if (dfd == -1)
			ap_error_sys(err, "cannot open the directory of %s", x->tmp[i]);
		goto out;
	}
	rc = ap_copy_new_file(dfd, tbase, src, off, len, c->mode, &c->owner, &c->result, err,
			      shown);
	x->made[i] = rc == 0;
out:
	if (c->copy_of && src >= 0)
		close(src);
	free(shown);
	return rc;
}

/* Writes change i's new content to its temporary file. */
static int write_temp(ap_txn *x, size_t i, int dfd, ap_error *err)
{
	ap_change *c = &x->ch[i];
	const char *tbase = strrchr(x->tmp[i], '/') ? strrchr(x->tmp[i], '/') + 1 : x->tmp[i];
	char *target, *shown;
	struct stat sb;
	int rc;

	if (c->kind == AP_CHANGE_WRITE && (c->copy_of || c->from_spool))
		return write_temp_copied(x, i, err);
	if (c->kind == AP_CHANGE_WRITE) {
		shown = ap_printf("a temporary file for %s (%s)", c->path, x->tmp[i]);
		if (!shown)
			return ap_error_set(err, "out of memory");
		rc = ap_write_new_file(dfd, tbase, c->data, c->len, c->mode, &c->owner, &c->result, err,
				       shown);
		free(shown);
		x->made[i] = rc == 0;
		return rc;
	}
	target = ap_strndup(c->data, c->len);
	if (!target)
		return ap_error_set(err, "out of memory");
	if (ap_sys_symlinkat(target, dfd, tbase) < 0) {
		free(target);
		return ap_error_sys(err, "cannot create symlink %s (as %s)", c->path, x->tmp[i]);
	}
	free(target);
	x->made[i] = 1;
	/* a link put back (unapply) is its owner's again, where we may */
	if (c->owner.keep && fchownat(dfd, tbase, c->owner.uid, c->owner.gid,
				      AT_SYMLINK_NOFOLLOW) < 0)
		(void)fchownat(dfd, tbase, (uid_t)-1, c->owner.gid, AT_SYMLINK_NOFOLLOW);
	if (fstatat(dfd, tbase, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return ap_error_sys(err, "cannot stat %s", x->tmp[i]);
	memset(&c->result, 0, sizeof c->result);
	c->result.exists = c->result.symlink = 1;
	c->result.ino = sb.st_ino;
	c->result.size = sb.st_size;
	c->result.mtime_ns = (long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
	return 0;
}

/* The temporary name of the directory change i marks, when that directory
 * is one prepare creates (listed in will_create): beside the directory,
 * .aptmp.TOKEN.mI. */
static int marker_gone(ap_txn *x, size_t i, const ap_strmap *will_create, ap_error *err)
{
	const ap_change *c = &x->ch[i];
	const char *slash = strrchr(c->path, '/'), *dslash = NULL;
	char *dir;
	int missing;

	if (!c->marks_dir || c->kind != AP_CHANGE_WRITE || c->copy_of || c->from_spool || !slash)
		return 0;
	dir = ap_strndup(c->path, (size_t)(slash - c->path));
	if (!dir)
		return ap_error_set(err, "out of memory");
	missing = ap_strmap_get(will_create, dir) != NULL;
	free(dir);
	if (!missing)
		return 0;
	for (const char *p = c->path; p < slash; p++)
		if (*p == '/')
			dslash = p;
	x->gone[i] = dslash ? ap_printf("%.*s/.aptmp.%s.m%zu", (int)(dslash - c->path), c->path,
					x->token, i)
			    : ap_printf(".aptmp.%s.m%zu", x->token, i);
	return x->gone[i] ? 0 : ap_error_set(err, "out of memory");
}

/* Writes `pending`: every name prepare may create, so that a run killed
 * before its commit point can be rolled back. */
static int write_pending(ap_txn *x, ap_error *err)
{
	ap_buf pending = AP_BUF_INIT;
	ap_strlist will_create = { 0 };
	ap_strmap seen = AP_STRMAP_INIT;
	int rc = -1;

	ap_buf_printf(&pending, "applypatch-pending 1\nstatedir\t%s\n",
		      x->statedir_created ? "created" : "existed");
	for (size_t i = 0; i < x->n; i++) {
		const ap_change *c = &x->ch[i];
		const char *slash = strrchr(c->path, '/');

		x->undo[i] = c->tmp_dir && *c->tmp_dir
				     ? ap_printf("%s/.aptmp.%s.u%zu", c->tmp_dir, x->token, i)
			     : slash && !c->tmp_dir
				     ? ap_printf("%.*s/.aptmp.%s.u%zu", (int)(slash - c->path), c->path,
						 x->token, i)
				     : ap_printf(".aptmp.%s.u%zu", x->token, i);
		if (!x->undo[i]) {
			ap_error_set(err, "out of memory");
			goto out;
		}
		ap_buf_printf(&pending, "tmp\t%s\n", x->undo[i]);
		if (c->kind != AP_CHANGE_DELETE) {
			x->tmp[i] = c->tmp_dir && *c->tmp_dir
					    ? ap_printf("%s/.aptmp.%s.%zu", c->tmp_dir, x->token, i)
				    : slash && !c->tmp_dir
					    ? ap_printf("%.*s/.aptmp.%s.%zu", (int)(slash - c->path),
							c->path, x->token, i)
					    : ap_printf(".aptmp.%s.%zu", x->token, i);
			if (!x->tmp[i]) {
				ap_error_set(err, "out of memory");
				goto out;
			}
			ap_buf_printf(&pending, "tmp\t%s\n", x->tmp[i]);
			if (missing_dirs(x->tree, c->path, &will_create, &seen, err) < 0)
				goto out;
		}
		if (c->backup)
			ap_buf_printf(&pending, "orig\t%s\n", c->backup);
	}
	for (size_t i = 0; i < will_create.n; i++)
		ap_buf_printf(&pending, "mkdir\t%s\n", will_create.v[i]);
	for (size_t i = 0; i < x->n; i++)
		if (marker_gone(x, i, &seen, err) < 0)
			goto out;
		else if (x->gone[i])
			ap_buf_printf(&pending, "marker\t%s\t%s\n", x->ch[i].path, x->gone[i]);
	if (!pending.data) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	rc = write_atomic(x->statefd, "pending", pending.data, pending.len, err);
out:
	ap_buf_free(&pending);
	ap_strlist_free(&will_create);
	ap_strmap_free(&seen);
	return rc;
}

/* Creates the directory change i marks with the marker in it: made as
 * x->gone[i] (its parents as usual), the file written there, then renamed
 * into place; no moment shows the directory without its marker. */
static int place_marker(ap_txn *x, size_t i, ap_error *err)
{
	ap_change *c = &x->ch[i];
	const char *slash = strrchr(c->path, '/'), *dbase;
	char *dir = ap_strndup(c->path, (size_t)(slash - c->path));
	size_t ncreated = x->created.n;
	int pfd, gfd, rc;

	if (!dir)
		return ap_error_set(err, "out of memory");
	pfd = ap_tree_parent(x->tree, dir, &x->created, &dbase, err);
	if (pfd < 0) {
		if (pfd == -1)
			ap_error_sys(err, "cannot open the directory of %s", dir);
		free(dir);
		return -1;
	}
	if (ap_sys_mkdirat(pfd, base_of(x->gone[i]), 0777) < 0) {
		rc = ap_error_sys(err, "cannot create %s (as %s)", dir, x->gone[i]);
		free(dir);
		return rc;
	}
	gfd = openat(pfd, base_of(x->gone[i]), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	rc = gfd < 0 ? ap_error_sys(err, "cannot open %s", x->gone[i])
		     : ap_write_new_file(gfd, base_of(c->path), c->data, c->len, c->mode, &c->owner,
					 &c->result, err, c->path);
	/* in place: created like any directory prepare made, outermost first */
	if (rc == 0 && ap_sys_renameat(pfd, base_of(x->gone[i]), pfd, dbase) < 0)
		rc = ap_error_sys(err, "cannot create %s (renaming %s)", dir, x->gone[i]);
	if (rc < 0 && gfd >= 0) {
		/* not in place: the temporary directory goes at once */
		unlinkat(gfd, base_of(c->path), 0);
		unlinkat(pfd, base_of(x->gone[i]), AT_REMOVEDIR);
	}
	if (gfd >= 0)
		close(gfd);
	if (rc == 0 && (ap_strlist_add(&x->created, dir) < 0 ||
			ap_strlist_add(&x->mfiles, c->path) < 0 ||
			ap_strlist_add(&x->mgones, x->gone[i]) < 0))
		rc = ap_error_set(err, "out of memory");
	free(dir);
	if (rc < 0)
		return -1;
	x->early[i] = 1;
	return x->attr_dirs.n ? set_dir_attrs(x, ncreated, err) : 0;
}

int ap_txn_prepare(ap_txn *x, ap_change *ch, size_t n, ap_error *err)
{
	uid_t me = geteuid();
	int origfd = -1;
	int rc = -1;

	x->ch = ch;
	x->n = n;
	x->tmp = calloc(n ? n : 1, sizeof *x->tmp);
	x->made = calloc(n ? n : 1, sizeof *x->made);
	x->undo = calloc(n ? n : 1, sizeof *x->undo);
	x->undo_made = calloc(n ? n : 1, sizeof *x->undo_made);
	x->gone = calloc(n ? n : 1, sizeof *x->gone);
	x->early = calloc(n ? n : 1, sizeof *x->early);
	if (!x->tmp || !x->made || !x->undo || !x->undo_made || !x->gone || !x->early)
		return ap_error_set(err, "out of memory");
	random_token(x->token);
	x->statefd = open_statedir(x->tree, 1, &x->statedir_created, err);
	if (x->statefd < 0)
		return -1;
	x->prepared = 1;
	if (ap_sys_mkdirat(x->statefd, "orig", 0777) < 0 && errno != EEXIST)
		return ap_error_sys(err, "cannot create %s/orig", AP_STATE_DIR);
	origfd = openat(x->statefd, "orig", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (origfd < 0)
		return ap_error_sys(err, "cannot open %s/orig", AP_STATE_DIR);
	if (write_pending(x, err) < 0)
		goto out;
	/* the directories markers mark first, so that nothing else makes them */
	for (size_t i = 0; i < n; i++)
		if (x->gone[i] && place_marker(x, i, err) < 0)
			goto out;

	for (size_t i = 0; i < n; i++) {
		ap_change *c = &ch[i];
		const char *base;
		size_t ncreated = x->created.n;
		int dfd;

		if (x->early[i])
			continue;
		dfd = ap_tree_parent(x->tree, c->path,
				     c->kind == AP_CHANGE_DELETE ? NULL : &x->created, &base, err);
		if (dfd < 0) {
			if (dfd == -1)
				ap_error_sys(err, "cannot open the directory of %s", c->path);
			goto out;
		}
		if (x->created.n > ncreated && x->attr_dirs.n) {
			if (set_dir_attrs(x, ncreated, err) < 0)
				goto out;
			/* it opened other directories: past the tree's cache of
			 * directories, that closed the one dfd came from */
			dfd = ap_tree_parent(x->tree, c->path, NULL, &base, err);
			if (dfd < 0) {
				if (dfd == -1)
					ap_error_sys(err, "cannot open the directory of %s", c->path);
				goto out;
			}
		}
		if (check_replaceable(c, dfd, base, me, err) < 0)
			goto out;
		/* the backup first: it links only a file with no other name */
		if (c->backup && keep_original(x, c, dfd, base, origfd, err) < 0)
			goto out;
		if (keep_undo(x, i, dfd, base, err) < 0)
			goto out;
		/* a temporary file elsewhere: in its own folder (dfd is done with) */
		if (c->kind != AP_CHANGE_DELETE && c->tmp_dir &&
		    (dfd = ap_tree_parent(x->tree, x->tmp[i], NULL, &base, err)) < 0) {
			if (dfd == -1)
				ap_error_sys(err, "cannot open the directory of %s", x->tmp[i]);
			goto out;
		}
		if (c->kind != AP_CHANGE_DELETE && write_temp(x, i, dfd, err) < 0)
			goto out;
	}
	rc = 0;
out:
	close(origfd);
	return rc;
}

/* --- rolling forward (commit, and recovery after the commit point) ------ */

static int unlink_path(ap_tree *t, const char *path, int flags, ap_error *err)
{
	const char *base;
	int dfd = ap_tree_parent(t, path, NULL, &base, err);

	if (dfd == -1)
		return 0;
	if (dfd < 0)
		return -1;
	if (ap_sys_unlinkat(dfd, base, flags) < 0 && errno != ENOENT) {
		if (flags == AT_REMOVEDIR && (errno == ENOTEMPTY || errno == EEXIST))
			return 0;
		return ap_error_sys(err, "cannot remove %s", path);
	}
	return 0;
}

/* Whether path is the only entry of its directory (dfd). */
static int alone_in_dir(int dfd, const char *base, ap_error *err)
{
	int lfd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), alone = 1;
	struct dirent *e;
	DIR *d = lfd >= 0 ? fdopendir(lfd) : NULL;

	if (!d) {
		if (lfd >= 0)
			close(lfd);
		return ap_error_sys(err, "cannot read the folder holding %s", base);
	}
	while (alone && (e = readdir(d)))
		alone = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
			strcmp(e->d_name, base) == 0;
	closedir(d);
	return alone;
}

/* A "last" step: file goes with its directory, only while it is the
 * directory's last entry. The directory is renamed to gone (a temporary
 * name beside it) first, so no moment shows the directory without the
 * file; then both go. Each part may already be done (recovery). */
static int remove_last(ap_tree *t, const char *file, const char *gone, ap_error *err)
{
	const char *base, *dbase;
	char *dir = ap_strndup(file, strrchr(file, '/') ? (size_t)(strrchr(file, '/') - file) : 0);
	int dfd, pfd, gfd, rc = 0;

	if (!dir)
		return ap_error_set(err, "out of memory");
	dfd = ap_tree_parent(t, file, NULL, &base, err);
	if (dfd < -1 || (dfd >= 0 && (rc = alone_in_dir(dfd, base, err)) <= 0)) {
		free(dir);
		return dfd < -1 ? -1 : rc;
	}
	pfd = ap_tree_parent(t, dir, NULL, &dbase, err);
	if (dfd >= 0 && pfd >= 0 && ap_sys_renameat(pfd, dbase, pfd, base_of(gone)) < 0 &&
	    errno != ENOENT)
		rc = ap_error_sys(err, "cannot remove %s (renaming it to %s)", dir, gone);
	free(dir);
	/* the cached fd of the directory now names gone */
	ap_tree_forget_dirs(t);
	if (rc < 0 || pfd < -1)
		return -1;
	gfd = ap_tree_dirfd(t, gone, err);
	if (gfd == -1)
		return 0;
	if (gfd < 0)
		return -1;
	if (ap_sys_unlinkat(gfd, base, 0) < 0 && errno != ENOENT)
		return ap_error_sys(err, "cannot remove %s/%s", gone, base);
	return unlink_path(t, gone, AT_REMOVEDIR, err);
}

/* A "last" step as roll_forward keeps it: "FILE\tGONE". */
static int last_step(ap_tree *t, char *step, ap_error *err)
{
	char *tab = strchr(step, '\t');

	if (!tab)
		return 0;
	*tab = '\0';
	return remove_last(t, step, tab + 1, err);
}

/* Removes dir, created by a run rolled back: with its marker when one of
 * files (each with its temporary name in gones) is in it, else if empty. */
static int remove_created_dir(ap_tree *t, const char *dir, const ap_strlist *files,
			      const ap_strlist *gones, ap_error *err)
{
	for (size_t i = 0; i < files->n; i++)
		if (parent_is(files->v[i], dir))
			return remove_last(t, files->v[i], gones->v[i], err);
	return unlink_path(t, dir, AT_REMOVEDIR, err);
}

/* The names applypatch writes in its state directory (orig/N aside). */
static const char *const own_names[] = {
	"state", "state.new", "pending", "pending.tmp", "journal.tmp", "rollback", "rollback.tmp",
	NULL,
};

/* Removes the state directory: the backups named in origs (may be NULL),
 * the names applypatch writes there, the journal last, then orig/ and the
 * directory itself if that left them empty. Anything else found there is
 * not applypatch's: it stays, and so does the directory holding it. */
static int remove_statedir(ap_tree *t, int statefd, const ap_strlist *origs, ap_error *err)
{
	int origfd = openat(statefd, "orig", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	for (size_t i = 0; origs && origfd >= 0 && i < origs->n; i++)
		if (ap_sys_unlinkat(origfd, origs->v[i], 0) < 0 && errno != ENOENT) {
			ap_error_sys(err, "cannot remove %s/orig/%s", AP_STATE_DIR, origs->v[i]);
			close(origfd);
			return -1;
		}
	if (origfd >= 0)
		close(origfd);
	for (size_t i = 0; own_names[i]; i++)
		if (ap_sys_unlinkat(statefd, own_names[i], 0) < 0 && errno != ENOENT)
			return ap_error_sys(err, "cannot remove %s/%s", AP_STATE_DIR, own_names[i]);
	if (ap_sys_unlinkat(statefd, "journal", 0) < 0 && errno != ENOENT)
		return ap_error_sys(err, "cannot remove %s/journal", AP_STATE_DIR);
	if (ap_sys_unlinkat(statefd, "orig", AT_REMOVEDIR) < 0 && errno != ENOENT &&
	    errno != ENOTEMPTY && errno != EEXIST)
		return ap_error_sys(err, "cannot remove %s/orig", AP_STATE_DIR);
	if (ap_sys_unlinkat(ap_tree_rootfd(t), AP_STATE_DIR, AT_REMOVEDIR) < 0 && errno != ENOENT &&
	    errno != ENOTEMPTY && errno != EEXIST)
		return ap_error_sys(err, "cannot remove %s", AP_STATE_DIR);
	ap_sys_fsync(ap_tree_rootfd(t));
	return 0;
}

/* A record's line split at its tabs: f[0] the verb, then its fields. */
typedef struct jline {
	char *f[6];
	int n;      /* fields, verb included; 7 when there were more than 6 */
} jline;

static void split_line(char *line, jline *l)
{
	memset(l, 0, sizeof *l);
	while (line) {
		char *tab = strchr(line, '\t');

		if (tab)
			*tab++ = '\0';
		if (l->n < 6)
			l->f[l->n] = line;
		l->n += l->n < 7;
		line = tab;
	}
}

/* A journal line's undo name, or NULL ("-", or a version-1 line). */
static const char *undo_of(const jline *l)
{
	const char *u = l->f[0][0] == 'r' ? l->f[3] : l->f[2];

	return u && strcmp(u, "-") != 0 ? u : NULL;
}

/* Removes the undo names of a journal's steps (after they all were done;
 * a failure leaves the journal, to be retried). */
static int drop_undos(ap_tree *t, char *journal, ap_error *err)
{
	char *save = NULL;

	for (char *line = strtok_r(journal, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		jline l;

		split_line(line, &l);
		if ((strcmp(l.f[0], "rename") == 0 || strcmp(l.f[0], "delete") == 0) && undo_of(&l) &&
		    unlink_path(t, undo_of(&l), 0, err) < 0)
			return -1;
	}
	return 0;
}

/* Carries out a journal; every step may already have been done. Returns
 * 1 when the state directory went with it, -2 when a rename or deletion
 * in the tree failed (a rollback can undo the steps before it), -1 on any
 * other failure. */
static int roll_forward(ap_tree *t, int statefd, char *journal, ap_error *err)
{
	char *save = NULL, *copy = ap_strdup(journal);
	int remove_state = 0, write_state = 0;
	ap_strlist synced = { 0 }, origs = { 0 }, rmdirs = { 0 };
	int rc = 0;

	if (!copy)
		return ap_error_set(err, "out of memory");
	for (char *line = strtok_r(journal, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		jline l;

		split_line(line, &l);
		if (strcmp(l.f[0], "rename") == 0 && l.n >= 3) {
			const char *tbase, *base;
			/* within one directory, one fd serves both names; from a
			 * folder above (quilt's .pc/), the first is dup'ed: a
			 * second ap_tree_parent could close the first's fd when
			 * the directory cache is full */
			int tfd = ap_tree_parent(t, l.f[1], NULL, &tbase, err), dfd = tfd, own = -1;

			if (tfd >= 0 && !same_dir(l.f[1], l.f[2])) {
				own = dup(tfd);
				dfd = own < 0 ? ap_error_sys(err, "cannot open the directory of %s",
							     l.f[1])
					      : ap_tree_parent(t, l.f[2], NULL, &base, err);
				tfd = own;
			}
			if (dfd < 0 || tfd < 0) {
				rc = dfd == -1 || tfd == -1 ? 0 : -1;
				if (own >= 0)
					close(own);
				continue;
			}
			/* a temp file already gone was renamed by an earlier attempt */
			if (ap_sys_renameat(tfd, tbase, dfd, base_of(l.f[2])) < 0 && errno != ENOENT) {
				ap_error_sys(err, "cannot replace %s (renaming %s onto it)", l.f[2],
					     l.f[1]);
				rc = -2;
			} else
				ap_strlist_add(&synced, l.f[2]);
			if (own >= 0)
				close(own);
		} else if (strcmp(l.f[0], "delete") == 0 && l.n >= 2) {
			rc = unlink_path(t, l.f[1], 0, err) < 0 ? -2 : 0;
			if (rc == 0)
				ap_strlist_add(&synced, l.f[1]);
		} else if ((strcmp(l.f[0], "rmdir") == 0 || strcmp(l.f[0], "last") == 0) &&
			   l.n >= 2) {
			/* kept in journal order, the kind in the first byte; a
			 * last step's temporary name after a tab */
			char *step = l.f[0][0] == 'l' && l.n >= 3
					     ? ap_printf("l%s\t%s", l.f[1], l.f[2])
					     : ap_printf("%c%s", l.f[0][0], l.f[1]);

			if (!step || ap_strlist_add(&rmdirs, step) < 0)
				rc = ap_error_set(err, "out of memory");
			free(step);
		} else if (strcmp(l.f[0], "orig") == 0 && l.n >= 2) {
			if (ap_strlist_add(&origs, l.f[1]) < 0)
				rc = ap_error_set(err, "out of memory");
		} else if (strcmp(l.f[0], "state") == 0 && l.n >= 2) {
			remove_state = strcmp(l.f[1], "remove") == 0;
			write_state = strcmp(l.f[1], "write") == 0;
		}
	}
	if (rc == 0) {
		/* every step done: the undo names go, then the directories
		 * emptied (one that cannot go stays: never worth a rollback) */
		/* a directory that cannot go fails the attempt (-1: retried,
		 * never rolled back, as every rename and deletion is done) */
		rc = drop_undos(t, copy, err);
		for (size_t i = 0; rc == 0 && i < rmdirs.n; i++)
			rc = rmdirs.v[i][0] == 'l' ? last_step(t, rmdirs.v[i] + 1, err)
						   : unlink_path(t, rmdirs.v[i] + 1, AT_REMOVEDIR, err);
	}
	/* one syncfs makes every rename and deletion durable, rather than an
	 * fsync (and a journal commit) per directory */
	if (rc == 0 && (synced.n || rmdirs.n) && ap_sys_syncfs(ap_tree_rootfd(t)) < 0)
		rc = ap_error_sys(err, "cannot sync the tree %s", ap_tree_root(t));
	ap_strlist_free(&synced);
	ap_strlist_free(&rmdirs);
	free(copy);
	if (rc < 0) {
		ap_strlist_free(&origs);
		return rc;
	}
	/* pending before the journal: a journal alone is rolled forward, but
	 * a pending list alone would be rolled back, removing fresh backups */
	if (ap_sys_unlinkat(statefd, "pending", 0) < 0 && errno != ENOENT) {
		ap_strlist_free(&origs);
		return ap_error_sys(err, "cannot remove %s/pending", AP_STATE_DIR);
	}
	if (remove_state) {
		rc = remove_statedir(t, statefd, &origs, err);
		ap_strlist_free(&origs);
		return rc < 0 ? -1 : 1;
	}
	ap_strlist_free(&origs);
	if (write_state && ap_sys_renameat(statefd, "state.new", statefd, "state") < 0 &&
	    errno != ENOENT)
		return ap_error_sys(err, "cannot rename %s/state.new", AP_STATE_DIR);
	if (ap_sys_fsync(statefd) < 0)
		return ap_error_sys(err, "cannot sync %s", AP_STATE_DIR);
	if (ap_sys_unlinkat(statefd, "journal", 0) < 0 && errno != ENOENT)
		return ap_error_sys(err, "cannot remove %s/journal", AP_STATE_DIR);
	if (ap_sys_fsync(statefd) < 0)
		return ap_error_sys(err, "cannot sync %s", AP_STATE_DIR);
	return 0;
}

/* --- rolling back after the commit point --------------------------------- */

/* Undoes one rename step: done (the path holds the inode this run wrote),
 * the file it replaced goes back (or the new file goes); not done, the
 * temp file (if it is the one this run wrote) and the undo name go. */
/* An undo name that stays: a second name of a file that cannot lose one
 * (made immutable since prepare) is reported, not a reason to stop. */
static void undo_left(ap_tree *t, const char *undo, ap_buf *left)
{
	const char *base;
	ap_error e = AP_ERROR_INIT;
	int dfd = ap_tree_parent(t, undo, NULL, &base, &e);

	if (dfd >= 0 && ap_sys_unlinkat(dfd, base, 0) < 0 && errno != ENOENT)
		ap_buf_printf(left, "; %s (a second name of the file, kept for the rollback) could "
			      "not be removed (%s): remove it once it can be", undo, strerror(errno));
}

static int undo_rename(ap_tree *t, const jline *l, ap_buf *left, ap_error *err)
{
	const char *base, *tbase, *undo = undo_of(l);
	unsigned long long ino = l->f[4] ? strtoull(l->f[4], NULL, 10) : 0;
	struct stat sb;
	int dfd = ap_tree_parent(t, l->f[2], NULL, &base, err), ufd, own, rc;

	/* no directory, nothing of this run's in it (but a temp file above) */
	if (dfd == -1 && same_dir(l->f[1], l->f[2]))
		return 0;
	if (dfd < -1)
		return -1;
	if (dfd >= 0 && fstatat(dfd, base, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (unsigned long long)sb.st_ino == ino) {
		if (!undo)
			return ap_sys_unlinkat(dfd, base, 0) < 0
				? ap_error_sys(err, "cannot put back %s", l->f[2]) : 0;
		rc = two_dirs(t, undo, l->f[2], &ufd, &tbase, &dfd, &base, &own, err);
		if (rc == 0 && ap_sys_renameat(ufd, tbase, dfd, base) < 0)
			rc = ap_error_sys(err, "cannot put back %s from %s", l->f[2], undo);
		if (own >= 0)
			close(own);
		return rc < 0 ? -1 : 0;
	}
	if (!same_dir(l->f[1], l->f[2]))
		dfd = ap_tree_parent(t, l->f[1], NULL, &base, err);  /* the temp file's */
	if (dfd < -1)
		return -1;
	if (dfd >= 0 && fstatat(dfd, base_of(l->f[1]), &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (unsigned long long)sb.st_ino == ino && ap_sys_unlinkat(dfd, base_of(l->f[1]), 0) < 0 &&
	    errno != ENOENT)
		return ap_error_sys(err, "cannot remove %s", l->f[1]);
	if (undo)
		undo_left(t, undo, left);
	return 0;
}

/* Undoes one deletion: the file is back from its undo name if it is gone. */
static int undo_delete(ap_tree *t, const jline *l, ap_buf *left, ap_error *err)
{
	const char *base, *ubase, *undo = undo_of(l);
	struct stat sb;
	int dfd, ufd, own, rc;

	if (!undo)
		return 0;
	rc = two_dirs(t, undo, l->f[1], &ufd, &ubase, &dfd, &base, &own, err);
	if (rc == -1)
		return 0;
	if (rc < 0)
		return -1;
	if (fstatat(dfd, base, &sb, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
		if (ap_sys_renameat(ufd, ubase, dfd, base) < 0)
			rc = ap_error_sys(err, "cannot put back %s from %s", l->f[1], undo);
		if (own >= 0)
			close(own);
		return rc < 0 ? -1 : 0;
	}
	if (own >= 0)
		close(own);
	undo_left(t, undo, left);
	return 0;
}

/* After the steps are undone: what prepare made goes (state.new, fresh
 * backups, the directories it created), then the record itself. Returns
 * 1 when the state directory went too. */
static int rollback_cleanup(ap_tree *t, int statefd, jline *lines, size_t n, ap_buf *left,
			    ap_error *err)
{
	int origfd = openat(statefd, "orig", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int created = 0;
	ap_error e = AP_ERROR_INIT;
	ap_strlist mfiles = { 0 }, mgones = { 0 };

	if (ap_sys_unlinkat(statefd, "state.new", 0) < 0 && errno != ENOENT) {
		if (origfd >= 0)
			close(origfd);
		return ap_error_sys(err, "cannot remove %s/state.new", AP_STATE_DIR);
	}
	for (size_t i = 0; i < n; i++) {
		/* a backup linked to a file made immutable since cannot go: said */
		if (strcmp(lines[i].f[0], "fresh") == 0 && lines[i].n >= 2 && origfd >= 0 &&
		    ap_sys_unlinkat(origfd, lines[i].f[1], 0) < 0 && errno != ENOENT)
			ap_buf_printf(left, "; %s/orig/%s (a backup this run made) could not be "
				      "removed (%s): remove it once it can be", AP_STATE_DIR,
				      lines[i].f[1], strerror(errno));
		if (strcmp(lines[i].f[0], "statedir") == 0 && lines[i].n >= 2)
			created = strcmp(lines[i].f[1], "created") == 0;
	}
	if (origfd >= 0)
		close(origfd);
	/* directories: innermost first, and one that cannot go stays */
	for (size_t i = 0; i < n; i++)
		if (strcmp(lines[i].f[0], "marker") == 0 && lines[i].n >= 3 &&
		    (ap_strlist_add(&mfiles, lines[i].f[1]) < 0 ||
		     ap_strlist_add(&mgones, lines[i].f[2]) < 0))
			ap_error_set(&e, "out of memory");
	for (size_t i = n; i > 0; i--)
		if (strcmp(lines[i - 1].f[0], "mkdir") == 0 && lines[i - 1].n >= 2)
			remove_created_dir(t, lines[i - 1].f[1], &mfiles, &mgones, &e);
	ap_strlist_free(&mfiles);
	ap_strlist_free(&mgones);
	ap_tree_forget_dirs(t);
	if (ap_sys_unlinkat(statefd, "pending", 0) < 0 && errno != ENOENT)
		return ap_error_sys(err, "cannot remove %s/pending", AP_STATE_DIR);
	if (created && faccessat(statefd, "state", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return remove_statedir(t, statefd, NULL, err) < 0 ? -1 : 1;
	if (ap_sys_unlinkat(statefd, "rollback", 0) < 0 && errno != ENOENT)
		return ap_error_sys(err, "cannot remove %s/rollback", AP_STATE_DIR);
	ap_sys_fsync(statefd);
	return 0;
}

/* Carries out a `rollback` record: every step of its journal undone, last
 * first (each may already have been), then prepare's work removed. *reason
 * (malloc'd) is the record's reason. Returns 0, 1 (the state directory
 * went too) or -1. */
static int roll_back_committed(ap_tree *t, int statefd, char *text, char **reason, ap_error *err)
{
	size_t n = 0, cap = 0;
	jline *lines = NULL;
	char *save = NULL;
	ap_buf left = AP_BUF_INIT, why = AP_BUF_INIT;
	int rc = 0;

	*reason = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (ap_array_grow((void **)&lines, &cap, n + 1, sizeof *lines) < 0) {
			free(lines);
			return ap_error_set(err, "out of memory");
		}
		split_line(line, &lines[n]);
		if (strcmp(lines[n].f[0], "reason") == 0 && lines[n].n >= 2 && !*reason)
			*reason = ap_strdup(lines[n].f[1]);
		n++;
	}
	/* rmdir steps come after every rename and deletion, and a failing
	 * one is skipped: a run rolled back never removed a directory */
	for (size_t i = n; i > 0 && rc == 0; i--) {
		jline *l = &lines[i - 1];

		if (strcmp(l->f[0], "rename") == 0 && l->n >= 5)
			rc = undo_rename(t, l, &left, err);
		else if (strcmp(l->f[0], "delete") == 0 && l->n >= 2)
			rc = undo_delete(t, l, &left, err);
	}
	if (rc == 0 && ap_sys_syncfs(ap_tree_rootfd(t)) < 0)
		rc = ap_error_sys(err, "cannot sync the tree %s", ap_tree_root(t));
	if (rc == 0)
		rc = rollback_cleanup(t, statefd, lines, n, &left, err);
	if (left.data) {
		/* the reason, with what stayed */
		ap_buf_puts(&why, *reason ? *reason : "no reason recorded");
		ap_buf_add(&why, left.data, left.len);
		free(*reason);
		*reason = ap_strndup(why.data, why.len);
	}
	ap_buf_free(&left);
	ap_buf_free(&why);
	free(lines);
	return rc;
}

/* A journal that cannot be completed: it becomes a `rollback` record
 * (durably, with the reason), and is rolled back. */
static int start_rollback(ap_tree *t, int statefd, const char *journal, size_t len,
			  const char *why, char **reason, ap_error *err)
{
	ap_buf rb = AP_BUF_INIT;
	char *text;
	int rc;

	*reason = NULL;
	/* the journal without its "end" line, the reason, "end" */
	ap_buf_add(&rb, journal, len - 4);
	ap_buf_puts(&rb, "reason\t");
	for (const char *p = why; *p; p++)
		ap_buf_add(&rb, *p == '\t' || *p == '\n' ? " " : p, 1);
	ap_buf_puts(&rb, "\nend\n");
	if (!rb.data)
		return ap_error_set(err, "out of memory");
	if (write_atomic(statefd, "rollback", rb.data, rb.len, err) == -1) {
		ap_buf_free(&rb);
		return -1;
	}
	/* a rollback record wins over the journal; remove it all the same */
	if (ap_sys_unlinkat(statefd, "journal", 0) == 0)
		ap_sys_fsync(statefd);
	text = ap_strndup(rb.data, rb.len);
	ap_buf_free(&rb);
	if (!text)
		return ap_error_set(err, "out of memory");
	rc = roll_back_committed(t, statefd, text, reason, err);
	free(text);
	ap_tree_forget_dirs(t);
	return rc;
}

static int journal_version(const char *text)
{
	return strncmp(text, "applypatch-journal 2\n", 21) == 0 ? 2 : 1;
}

static int parent_listed(const ap_strlist *dirs, const char *file)
{
	for (size_t i = 0; i < dirs->n; i++)
		if (parent_is(file, dirs->v[i]))
			return 1;
	return 0;
}

/* A "last" step: the file, and the temporary name its directory takes
 * on the way out (beside it: .aptmp.TOKEN.lI). */
static void journal_last(ap_buf *j, const ap_txn *x, size_t i)
{
	const char *file = x->lasts.v[i], *end = strrchr(file, '/');
	const char *dslash = NULL;

	for (const char *p = file; end && p < end; p++)
		if (*p == '/')
			dslash = p;
	if (!end)
		return;
	if (dslash)
		ap_buf_printf(j, "last\t%s\t%.*s/.aptmp.%s.l%zu\n", file, (int)(dslash - file), file,
			      x->token, i);
	else
		ap_buf_printf(j, "last\t%s\t.aptmp.%s.l%zu\n", file, x->token, i);
}

/* The "last" steps for dir's files, which go just before its rmdir. */
static void journal_lasts(ap_buf *j, const ap_txn *x, const char *dir)
{
	for (size_t i = 0; i < x->lasts.n; i++)
		if (parent_is(x->lasts.v[i], dir))
			journal_last(j, x, i);
}

int ap_txn_commit(ap_txn *x, const char *state, size_t len, ap_error *err)
{
	ap_buf j = AP_BUF_INIT;
	char *copy;
	int rc;

	if (!x->prepared)
		return ap_error_set(err, "internal error: commit before prepare");
	if (state) {
		unlinkat(x->statefd, "state.new", 0);
		if (ap_write_new_file(x->statefd, "state.new", state, len, 0644, NULL, NULL, err,
				      AP_STATE_DIR "/state.new") < 0)
			return -1;
	}
	/* one sync for every temp file, rather than one fsync each */
	if (ap_sys_syncfs(ap_tree_rootfd(x->tree)) < 0)
		return ap_error_sys(err, "cannot sync the tree %s", ap_tree_root(x->tree));

	/* version 2: what a rollback needs to undo each step, and to remove
	 * what prepare made */
	ap_buf_printf(&j, "applypatch-journal 2\nstatedir\t%s\n",
		      x->statedir_created ? "created" : "existed");
	for (size_t i = 0; i < x->created.n; i++)
		ap_buf_printf(&j, "mkdir\t%s\n", x->created.v[i]);
	for (size_t i = 0; i < x->mfiles.n; i++)
		ap_buf_printf(&j, "marker\t%s\t%s\n", x->mfiles.v[i], x->mgones.v[i]);
	for (size_t i = 0; i < x->backups.n; i++)
		ap_buf_printf(&j, "fresh\t%s\n", x->backups.v[i]);
	for (size_t i = 0; i < x->n; i++) {
		const char *undo = x->undo[i] ? x->undo[i] : "-";

		if (x->early[i])
			continue;  /* in place since prepare */
		if (x->ch[i].kind == AP_CHANGE_DELETE)
			ap_buf_printf(&j, "delete\t%s\t%s\n", x->ch[i].path, undo);
		else
			ap_buf_printf(&j, "rename\t%s\t%s\t%s\t%llu\n", x->tmp[i], x->ch[i].path, undo,
				      (unsigned long long)x->ch[i].result.ino);
	}
	for (size_t i = x->rmdirs.n; i > 0; i--) {
		journal_lasts(&j, x, x->rmdirs.v[i - 1]);
		ap_buf_printf(&j, "rmdir\t%s\n", x->rmdirs.v[i - 1]);
	}
	for (size_t i = 0; i < x->lasts.n; i++)
		if (!parent_listed(&x->rmdirs, x->lasts.v[i]))
			journal_last(&j, x, i);
	for (size_t i = 0; !state && i < x->drops.n; i++)
		ap_buf_printf(&j, "orig\t%s\n", x->drops.v[i]);
	ap_buf_printf(&j, "state\t%s\nend\n", state ? "write" : "remove");
	if (!j.data) {
		ap_buf_free(&j);
		return ap_error_set(err, "out of memory");
	}
	/* -2: the journal is in place but its directory not synced; it is
	 * committed all the same, and the renames' syncfs makes it durable */
	if (write_atomic(x->statefd, "journal", j.data, j.len, err) == -1) {
		ap_buf_free(&j);
		return -1;
	}
	/* committed: from here on the change completes, now or at recovery */
	x->committed = 1;
	copy = ap_strndup(j.data, j.len);
	rc = copy ? roll_forward(x->tree, x->statefd, copy, err) : -1;
	free(copy);
	if (rc < 0) {
		/* a transient failure: the journal is idempotent, try once more */
		ap_error e2 = AP_ERROR_INIT;

		copy = ap_strndup(j.data, j.len);
		rc = copy ? roll_forward(x->tree, x->statefd, copy, &e2) : -1;
		free(copy);
	}
	if (rc == -2) {
		/* a step in the tree fails twice, for a reason prepare could not
		 * see (an ACL, a security module, an I/O error): undo the steps
		 * done, rather than leave a tree no later run can complete */
		ap_error e3 = AP_ERROR_INIT;
		char *reason = NULL;

		rc = start_rollback(x->tree, x->statefd, j.data, j.len, err->msg, &reason, &e3);
		if (rc >= 0 && reason)
			ap_error_set(err, "the change could not be completed, so it was rolled back "
				     "(the tree is as it was before this run): %s", reason);
		else if (rc >= 0)
			ap_error_wrap(err, "the change could not be completed, so it was rolled back "
				      "(the tree is as it was before this run)");
		else
			ap_error_wrap(err, "the change could not be completed, and rolling it back "
				      "failed too (%s); the next apply or unapply goes on rolling it "
				      "back", e3.msg);
		free(reason);
		if (rc == 1) {
			close(x->statefd);
			x->statefd = -1;
		}
		ap_buf_free(&j);
		return -1;
	} else if (rc < 0) {
		ap_error_wrap(err, "the change is committed but could not be completed (it will "
			      "be when applypatch next runs on this tree)");
	}
	ap_buf_free(&j);
	if (rc == 1) {
		/* the state directory is gone, and statefd with it */
		close(x->statefd);
		x->statefd = -1;
	}
	return rc < 0 ? -1 : 0;
}

/* --- rolling back (abort, and recovery before the commit point) --------- */

static int roll_back(ap_tree *t, int statefd, char *pending, ap_error *err)
{
	char *save = NULL;
	ap_strlist dirs = { 0 }, mfiles = { 0 }, mgones = { 0 };
	int created = 0, rc = 0;
	int origfd = openat(statefd, "orig", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	for (char *line = strtok_r(pending, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t'), *tab2;

		if (!tab)
			continue;
		*tab++ = '\0';
		if (strcmp(line, "marker") == 0 && (tab2 = strchr(tab, '\t'))) {
			*tab2++ = '\0';
			if (ap_strlist_add(&mfiles, tab) < 0 || ap_strlist_add(&mgones, tab2) < 0)
				rc = ap_error_set(err, "out of memory");
		} else if (strcmp(line, "tmp") == 0) {
			if (unlink_path(t, tab, 0, err) < 0)
				rc = -1;
		} else if (strcmp(line, "orig") == 0 && origfd >= 0) {
			if (ap_sys_unlinkat(origfd, tab, 0) < 0 && errno != ENOENT)
				rc = ap_error_sys(err, "cannot remove %s/orig/%s", AP_STATE_DIR, tab);
		} else if (strcmp(line, "mkdir") == 0) {
			ap_strlist_add(&dirs, tab);
		} else if (strcmp(line, "statedir") == 0) {
			created = strcmp(tab, "created") == 0;
		}
	}
	if (origfd >= 0)
		close(origfd);
	for (size_t i = dirs.n; i > 0 && rc == 0; i--)
		rc = remove_created_dir(t, dirs.v[i - 1], &mfiles, &mgones, err);
	ap_strlist_free(&dirs);
	ap_strlist_free(&mfiles);
	ap_strlist_free(&mgones);
	ap_tree_forget_dirs(t);
	if (rc < 0)
		return -1;
	if (ap_sys_unlinkat(statefd, "state.new", 0) < 0 && errno != ENOENT)
		return ap_error_sys(err, "cannot remove %s/state.new", AP_STATE_DIR);
	if (created && faccessat(statefd, "state", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return remove_statedir(t, statefd, NULL, err) < 0 ? -1 : 1;
	if (ap_sys_unlinkat(statefd, "pending", 0) < 0 && errno != ENOENT)
		return ap_error_sys(err, "cannot remove %s/pending", AP_STATE_DIR);
	ap_sys_fsync(statefd);
	return 0;
}

/* Rolls back a run that did not commit, from what it knows it made (not
 * from `pending`, which lists names before they exist): a file that was in
 * the way of one of them is not this run's to delete. */
static void roll_back_own(ap_txn *x)
{
	int origfd = openat(x->statefd, "orig", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	ap_error e = AP_ERROR_INIT;

	for (size_t i = 0; i < x->n; i++) {
		if (x->made[i])
			unlink_path(x->tree, x->tmp[i], 0, &e);
		if (x->undo_made[i])
			unlink_path(x->tree, x->undo[i], 0, &e);
	}
	for (size_t i = 0; i < x->backups.n && origfd >= 0; i++)
		ap_sys_unlinkat(origfd, x->backups.v[i], 0);
	if (origfd >= 0)
		close(origfd);
	for (size_t i = x->created.n; i > 0; i--)
		remove_created_dir(x->tree, x->created.v[i - 1], &x->mfiles, &x->mgones, &e);
	ap_tree_forget_dirs(x->tree);
	ap_sys_unlinkat(x->statefd, "state.new", 0);
	if (x->statedir_created && faccessat(x->statefd, "state", F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
		remove_statedir(x->tree, x->statefd, NULL, &e);
		return;
	}
	ap_sys_unlinkat(x->statefd, "pending", 0);
	ap_sys_fsync(x->statefd);
}

void ap_txn_free(ap_txn *x)
{
	if (!x)
		return;
	if (x->prepared && !x->committed && x->statefd >= 0)
		roll_back_own(x);
	if (x->statefd >= 0)
		close(x->statefd);
	for (size_t i = 0; x->tmp && i < x->n; i++)
		free(x->tmp[i]);
	for (size_t i = 0; x->undo && i < x->n; i++)
		free(x->undo[i]);
	free(x->tmp);
	free(x->made);
	free(x->undo);
	free(x->undo_made);
	ap_strlist_free(&x->created);
	ap_strlist_free(&x->mfiles);
	ap_strlist_free(&x->mgones);
	for (size_t i = 0; x->gone && i < x->n; i++)
		free(x->gone[i]);
	free(x->gone);
	free(x->early);
	ap_strlist_free(&x->backups);
	ap_strlist_free(&x->rmdirs);
	ap_strlist_free(&x->lasts);
	ap_strlist_free(&x->drops);
	ap_strlist_free(&x->attr_dirs);
	ap_strmap_free(&x->attr_index);
	free(x->attr_mode);
	free(x->attr_owner);
	free(x);
}

static int is_tmp_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return strncmp(slash ? slash + 1 : path, ".aptmp.", 7) == 0 &&
	       !ap_path_bad_for_tree(path);
}

/* Whether a's folder holds b's (a temporary file kept above its target). */
static int dir_above(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
	size_t la = sa ? (size_t)(sa - a) : 0, lb = sb ? (size_t)(sb - b) : 0;

	return la < lb && (la == 0 || (strncmp(a, b, la) == 0 && b[la] == '/'));
}

/* Whether gone sits beside file's directory (a "last" step's names). */
static int beside_parent(const char *gone, const char *file)
{
	size_t n = (size_t)(strrchr(file, '/') - file);
	char *dir = ap_strndup(file, n);
	int ok = dir && same_dir(gone, dir);

	free(dir);
	return ok;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* A journal or pending list found in a tree is carried out only if every
 * line is one applypatch writes: a tree may arrive (from a tarball, say)
 * with a planted one naming paths outside it. */
static int check_record(ap_tree *t, const char *name, const char *text, size_t len,
			ap_error *err)
{
	char *copy = ap_strndup(text, len), *save = NULL;
	size_t lineno = 0;
	const char *bad = NULL;
	int pending = strcmp(name, "pending") == 0;

	if (!copy)
		return ap_error_set(err, "out of memory");
	for (char *line = strtok_r(copy, "\n", &save); line && !bad;
	     line = strtok_r(NULL, "\n", &save)) {
		jline l;
		const char *v, *a, *b, *undo;

		split_line(line, &l);
		v = l.f[0], a = l.f[1], b = l.f[2];
		lineno++;
		if (lineno == 1) {
			if (pending ? strcmp(line, "applypatch-pending 1") != 0
				    : strcmp(line, "applypatch-journal 1") != 0 &&
				      strcmp(line, "applypatch-journal 2") != 0)
				bad = "not an applypatch record";
		} else if (strcmp(v, "rename") == 0) {
			undo = l.n == 5 ? undo_of(&l) : NULL;
			if ((l.n != 3 && l.n != 5) || !is_tmp_name(a) || ap_path_unsafe(b, strlen(b)) ||
			    (!same_dir(a, b) && !dir_above(a, b)) ||
			    (undo && (!is_tmp_name(undo) ||
				      (!same_dir(undo, b) && !dir_above(undo, b)))) ||
			    (l.n == 5 && !all_digits(l.f[4])))
				bad = "a rename applypatch would not write";
		} else if (strcmp(v, "delete") == 0) {
			undo = l.n == 3 ? undo_of(&l) : NULL;
			if ((l.n != 2 && l.n != 3) || ap_path_unsafe(a, strlen(a)) ||
			    (undo && (!is_tmp_name(undo) ||
				      (!same_dir(undo, a) && !dir_above(undo, a)))))
				bad = "a deletion applypatch would not write";
		} else if (strcmp(v, "last") == 0 || strcmp(v, "marker") == 0) {
			if (l.n != 3 || ap_path_unsafe(a, strlen(a)) || !strchr(a, '/') ||
			    !is_tmp_name(b) || !beside_parent(b, a))
				bad = "a removal applypatch would not write";
		} else if (strcmp(v, "rmdir") == 0 || strcmp(v, "mkdir") == 0) {
			if (l.n != 2 || ap_path_unsafe(a, strlen(a)))
				bad = "a path outside the tree or inside its state";
		} else if (strcmp(v, "tmp") == 0) {
			if (l.n != 2 || !is_tmp_name(a))
				bad = "not one of applypatch's temporary files";
		} else if (strcmp(v, "orig") == 0 || strcmp(v, "fresh") == 0) {
			if (l.n != 2 || !all_digits(a))
				bad = "not one of applypatch's backup names";
		} else if (strcmp(v, "state") == 0) {
			if (l.n != 2 || (strcmp(a, "write") != 0 && strcmp(a, "remove") != 0))
				bad = "an unknown state action";
		} else if (strcmp(v, "statedir") == 0) {
			if (l.n != 2 || (strcmp(a, "created") != 0 && strcmp(a, "existed") != 0))
				bad = "an unknown statedir value";
		} else if (strcmp(v, "reason") == 0) {
			if (l.n != 2 || strcmp(name, "rollback") != 0)
				bad = "a reason outside a rollback record";
		} else if (strcmp(v, "end") != 0) {
			bad = "an unknown entry";
		}
	}
	free(copy);
	if (bad)
		return ap_error_set(err, "%s/%s/%s:%zu: %s; this is not a record applypatch wrote "
				    "(the tree may carry a planted or damaged state directory): "
				    "nothing was done; if the tree is a fresh copy, remove its %s",
				    ap_tree_root(t), AP_STATE_DIR, name, lineno, bad, AP_STATE_DIR);
	return 0;
}

static int recover(ap_tree *t, char **note, ap_error *err);

int ap_txn_recover(ap_tree *t, char **note, ap_error *err)
{
	int rc = recover(t, note, err);

	/* directories it removed may be in the tree's cache */
	ap_tree_forget_dirs(t);
	return rc;
}

/* Reads and checks a journal or rollback record; *text NULL when absent. */
static int read_record(ap_tree *t, const char *name, char **text, size_t *len, ap_error *err)
{
	if (ap_state_file_read(t, name, text, len, err) < 0)
		return -1;
	if (!*text)
		return 0;
	if (*len < 5 || memcmp(*text + *len - 4, "end\n", 4) != 0) {
		free(*text);
		*text = NULL;
		return ap_error_set(err, "%s/%s/%s is incomplete; remove it only if you know the "
				    "tree is consistent", ap_tree_root(t), AP_STATE_DIR, name);
	}
	if (check_record(t, name, *text, *len, err) < 0) {
		free(*text);
		*text = NULL;
		return -1;
	}
	return 0;
}

/* Goes on rolling back a run that could not be completed. */
static int recover_rollback(ap_tree *t, int statefd, char *text, char **note, ap_error *err)
{
	char *reason = NULL;
	int rc = roll_back_committed(t, statefd, text, &reason, err);

	if (rc < 0) {
		ap_error_wrap(err, "an earlier run could not be completed (%s) and is being rolled "
			      "back; rolling it back failed", reason ? reason : "no reason recorded");
		free(reason);
		return -1;
	}
	*note = ap_printf("rolled back an earlier run that could not be completed (%s): the tree "
			  "is as it was before it", reason ? reason : "no reason recorded");
	free(reason);
	return 0;
}

/* Completes an interrupted run from its journal; where a step in the tree
 * fails twice (and the journal says how to undo them), rolls it back. */
static int recover_journal(ap_tree *t, int statefd, char *text, size_t len, char **note,
			   ap_error *err)
{
	char *copy = ap_strndup(text, len), *reason = NULL;
	int rc = copy ? roll_forward(t, statefd, copy, err) : ap_error_set(err, "out of memory");

	free(copy);
	if (rc == -2) {
		ap_error e2 = AP_ERROR_INIT;

		copy = ap_strndup(text, len);
		rc = copy ? roll_forward(t, statefd, copy, &e2) : ap_error_set(err, "out of memory");
		free(copy);
	}
	if (rc == -2 && journal_version(text) == 2) {
		ap_error e3 = AP_ERROR_INIT;

		if (start_rollback(t, statefd, text, len, err->msg, &reason, &e3) < 0) {
			ap_error_wrap(err, "an interrupted run cannot be completed, and rolling it "
				      "back failed too (%s)", e3.msg);
			free(reason);
			return -1;
		}
		*note = ap_printf("could not complete an interrupted run, so rolled it back (the "
				  "tree is as it was before it): %s", reason ? reason : err->msg);
		free(reason);
		return 0;
	}
	if (rc < 0)
		return -1;
	*note = ap_strdup("completed an interrupted run (its changes were committed)");
	return 0;
}

static int recover(ap_tree *t, char **note, ap_error *err)
{
	char *text = NULL;
	size_t len;
	int statefd = open_statedir(t, 0, NULL, err);
	int rc;

	*note = NULL;
	if (statefd < 0)
		return errno == ENOENT ? 0 : -1;
	/* a rollback under way wins over the journal it came from */
	if (read_record(t, "rollback", &text, &len, err) < 0) {
		close(statefd);
		return -1;
	}
	if (text) {
		rc = recover_rollback(t, statefd, text, note, err);
		free(text);
		close(statefd);
		return rc;
	}
	if (read_record(t, "journal", &text, &len, err) < 0) {
		close(statefd);
		return -1;
	}
	if (text) {
		rc = recover_journal(t, statefd, text, len, note, err);
		free(text);
		close(statefd);
		return rc;
	}
	if (ap_state_file_read(t, "pending", &text, &len, err) < 0) {
		close(statefd);
		return -1;
	}
	if (text) {
		if (check_record(t, "pending", text, len, err) < 0) {
			free(text);
			close(statefd);
			return -1;
		}
		rc = roll_back(t, statefd, text, err);
		free(text);
		close(statefd);
		if (rc < 0)
			return -1;
		*note = ap_strdup("rolled back an interrupted run (it had not committed; the tree "
				  "is as it was before it)");
		return 0;
	}
	/* a state directory with neither state nor work in progress: what
	 * applypatch left of a run killed early goes, anything else stays */
	if (faccessat(statefd, "state", F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
		rc = remove_statedir(t, statefd, NULL, err);
		close(statefd);
		return rc;
	}
	close(statefd);
	return 0;
}

static int interrupted_record_ok(ap_tree *t, const char *name, ap_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (ap_state_file_read(t, name, &text, &len, err) < 0)
		return -1;
	rc = text ? check_record(t, name, text, len, err) : 0;
	free(text);
	return rc;
}

int ap_txn_interrupted(ap_tree *t, char **note, ap_error *err)
{
	int statefd = open_statedir(t, 0, NULL, err);
	int journal, pending, rollback;

	*note = NULL;
	if (statefd < 0)
		return errno == ENOENT ? 0 : -1;
	journal = faccessat(statefd, "journal", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	pending = faccessat(statefd, "pending", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	rollback = faccessat(statefd, "rollback", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	close(statefd);
	if (rollback) {
		if (interrupted_record_ok(t, "rollback", err) < 0)
			return -1;
		*note = ap_strdup("a run on this tree could not be completed after its commit point "
				  "and is being rolled back, so files may be half patched; the next "
				  "'applypatch apply' or 'unapply' finishes rolling it back (nothing was "
				  "changed now)");
		return 2;
	}
	/* a planted record is refused here too, not announced as work the
	 * next run will do */
	if ((journal && interrupted_record_ok(t, "journal", err) < 0) ||
	    (!journal && pending && interrupted_record_ok(t, "pending", err) < 0))
		return -1;
	if (journal) {
		*note = ap_strdup("a run on this tree was interrupted after its commit point, so "
				  "files may be half patched; the next 'applypatch apply' or 'unapply' "
				  "completes it (nothing was changed now)");
		return 2;
	}
	if (pending) {
		*note = ap_strdup("a run on this tree was interrupted before its commit point (its "
				  "files are untouched); the next 'applypatch apply' or 'unapply' "
				  "removes its temporary files (nothing was changed now)");
		return 1;
	}
	return 0;
}
