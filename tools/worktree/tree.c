/* tree.c - safe access to the tree on disk, and the write-phase syscalls. */
#include "tree.h"

#include "buf.h"
#include "path.h"
#include "strmap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* Directory fds stay open for the run (one open per directory, not per
 * file); past this many the cache stops growing and fds are reopened. */
#define DIR_CACHE_MAX 512

struct ap_tree {
	char *root;
	int rootfd;
	ap_strmap dirs;      /* directory path -> (fd + 1) */
	int scratch_fd;      /* an uncached fd handed out last, closed on next use */
	char *scratch_dir;   /* its directory, or NULL: asked for again, it is reused */
};

/* --- fault injection ---------------------------------------------------- */

#ifdef AP_FAULT_INJECTION
static struct {
	int parsed;
	char op[16];
	long at;
	int err;
	int short_write;
	char kill_op[16];
	long kill_at;
	char cmd_op[16];
	long cmd_at;
	const char *cmd;
	const char *target;
	long counts[16];
} fault;

static const char *const fault_ops[] = {
	"open", "write", "fsync", "syncfs", "rename", "mkdir", "unlink", "chmod", "link",
	"symlink", "chown", NULL,
};

static void fault_parse(void)
{
	const char *f = getenv("APPLYPATCH_FAULT"), *k = getenv("APPLYPATCH_FAULT_KILL");

	fault.parsed = 1;
	if (f) {
		char errname[16] = "";

		if (sscanf(f, "%15[a-z]:%ld:%15s", fault.op, &fault.at, errname) >= 2) {
			fault.err = EIO;
			if (strcmp(errname, "ENOSPC") == 0)
				fault.err = ENOSPC;
			else if (strcmp(errname, "EACCES") == 0)
				fault.err = EACCES;
			else if (strcmp(errname, "short") == 0)
				fault.short_write = 1;
		}
	}
	if (k)
		sscanf(k, "%15[a-z]:%ld", fault.kill_op, &fault.kill_at);
	f = getenv("APPLYPATCH_FAULT_CMD");
	if (f) {
		int at = 0;

		if (sscanf(f, "%15[a-z]:%ld:%n", fault.cmd_op, &fault.cmd_at, &at) >= 2 && at > 0)
			fault.cmd = f + at;
	}
	fault.target = getenv("APPLYPATCH_FAULT_TARGET");
}

/* 1 when this call of op should fail (errno set) */
static int fault_hit(const char *op)
{
	size_t i;

	if (!fault.parsed)
		fault_parse();
	for (i = 0; fault_ops[i] && strcmp(fault_ops[i], op) != 0; i++)
		;
	fault.counts[i]++;
	if (fault.cmd && strcmp(fault.cmd_op, op) == 0 && fault.counts[i] == fault.cmd_at &&
	    system(fault.cmd) != 0)
		fprintf(stderr, "applypatch: APPLYPATCH_FAULT_CMD failed: %s\n", fault.cmd);
	if (fault.kill_op[0] && strcmp(fault.kill_op, op) == 0 && fault.counts[i] == fault.kill_at)
		raise(SIGKILL);
	if (fault.op[0] && strcmp(fault.op, op) == 0 && fault.counts[i] == fault.at) {
		/* tests look for this line to know the fault point was reached */
		fprintf(stderr, "applypatch: injected fault: %s #%ld\n", op, fault.at);
		errno = fault.err;
		return 1;
	}
	return 0;
}

/* 1 when dirfd/name is APPLYPATCH_FAULT_TARGET (an absolute path): renames
 * onto it and its unlinks fail, every time, as a security module or an ACL
 * refusing them would */
static int fault_target(int dirfd, const char *name)
{
	char link[64], dir[4096];
	ssize_t k;
	size_t dl;

	if (!fault.parsed)
		fault_parse();
	if (!fault.target)
		return 0;
	snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
	k = readlink(link, dir, sizeof dir - 1);
	if (k <= 0)
		return 0;
	dl = (size_t)k;
	if (strncmp(fault.target, dir, dl) != 0 || fault.target[dl] != '/' ||
	    strcmp(fault.target + dl + 1, name) != 0)
		return 0;
	errno = EPERM;
	return 1;
}

void ap_fault_reset(void)
{
	memset(&fault, 0, sizeof fault);
}
#define FAULT(op) (fault_hit(op))
#define FAULT_TARGET(dirfd, name) (fault_target(dirfd, name))
#define SHORT_WRITE() (fault.short_write)
#else
void ap_fault_reset(void)
{
}
#define FAULT(op) 0
#define FAULT_TARGET(dirfd, name) 0
#define SHORT_WRITE() 0
#endif

int ap_sys_openat(int dirfd, const char *name, int flags, mode_t mode)
{
	return FAULT("open") ? -1 : openat(dirfd, name, flags, mode);
}

ssize_t ap_sys_write(int fd, const void *buf, size_t len)
{
	if (FAULT("write")) {
		if (SHORT_WRITE() && len > 1)
			return write(fd, buf, len / 2);
		return -1;
	}
	return write(fd, buf, len);
}

int ap_sys_fsync(int fd)
{
	return FAULT("fsync") ? -1 : fsync(fd);
}

int ap_sys_syncfs(int fd)
{
	return FAULT("syncfs") ? -1 : syncfs(fd);
}

int ap_sys_renameat(int olddirfd, const char *oldname, int newdirfd, const char *newname)
{
	/* (a rename from a name already gone fails as ENOENT, as the kernel's
	 * would). FAULT_TARGET first: it is 0 outside the fault build, so a real
	 * run makes no faccessat for it (one syscall per rename, 9886 on the
	 * bench series). */
	return FAULT("rename") || (FAULT_TARGET(newdirfd, newname) &&
				   faccessat(olddirfd, oldname, F_OK, AT_SYMLINK_NOFOLLOW) == 0) ? -1
	       : renameat(olddirfd, oldname, newdirfd, newname);
}

int ap_sys_mkdirat(int dirfd, const char *name, mode_t mode)
{
	return FAULT("mkdir") ? -1 : mkdirat(dirfd, name, mode);
}

int ap_sys_unlinkat(int dirfd, const char *name, int flags)
{
	return FAULT("unlink") || FAULT_TARGET(dirfd, name) ? -1 : unlinkat(dirfd, name, flags);
}

int ap_sys_fchmod(int fd, mode_t mode)
{
	return FAULT("chmod") ? -1 : fchmod(fd, mode);
}

int ap_sys_fchown(int fd, uid_t uid, gid_t gid)
{
	return FAULT("chown") ? -1 : fchown(fd, uid, gid);
}

int ap_sys_linkat(int olddirfd, const char *oldname, int newdirfd, const char *newname)
{
	return FAULT("link") ? -1 : linkat(olddirfd, oldname, newdirfd, newname, 0);
}

int ap_sys_symlinkat(const char *target, int dirfd, const char *name)
{
	return FAULT("symlink") ? -1 : symlinkat(target, dirfd, name);
}

ssize_t ap_sys_copy_range(int in, off_t *off, int out, size_t len)
{
	if (FAULT("write")) {
		if (SHORT_WRITE() && len > 1)
			return copy_file_range(in, off, out, NULL, len / 2, 0);
		return -1;
	}
	return copy_file_range(in, off, out, NULL, len, 0);
}

/* --- the tree ----------------------------------------------------------- */

int ap_tree_open(ap_tree **out, const char *root, ap_error *err)
{
	ap_tree *t = calloc(1, sizeof *t);
	struct stat st;

	*out = NULL;
	if (!t)
		return ap_error_set(err, "out of memory");
	t->scratch_fd = -1;
	t->root = ap_strdup(root);
	t->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->rootfd < 0) {
		ap_error_sys(err, "cannot open tree %s", root);
		ap_tree_close(t);
		return -1;
	}
	if (fstat(t->rootfd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		ap_error_set(err, "tree %s is not a directory", root);
		ap_tree_close(t);
		return -1;
	}
	*out = t;
	return 0;
}

void ap_tree_forget_dirs(ap_tree *t)
{
	for (size_t i = 0; i < t->dirs.cap; i++)
		if (t->dirs.slots[i].key)
			close((int)(long)t->dirs.slots[i].value - 1);
	ap_strmap_free(&t->dirs);
	free(t->scratch_dir);
	t->scratch_dir = NULL;
}

void ap_tree_close(ap_tree *t)
{
	if (!t)
		return;
	ap_tree_forget_dirs(t);
	if (t->scratch_fd >= 0)
		close(t->scratch_fd);
	if (t->rootfd >= 0)
		close(t->rootfd);
	free(t->root);
	free(t);
}

const char *ap_tree_root(const ap_tree *t)
{
	return t->root;
}

int ap_tree_rootfd(const ap_tree *t)
{
	return t->rootfd;
}

int ap_tree_lock(ap_tree *t, ap_error *err)
{
	if (flock(t->rootfd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno == EWOULDBLOCK)
		return ap_error_set(err, "another applypatch run holds the lock on %s; wait for it "
				    "to finish, then run the command again", t->root);
	return ap_error_sys(err, "cannot lock %s", t->root);
}

static int symlink_error(ap_error *err, const char *path, size_t upto)
{
	char shown[512];

	ap_path_show(path, upto, shown, sizeof shown);
	return ap_error_set(err, "%s is a symbolic link: gap-patchkit never reads, writes or "
			    "deletes through symlinks", shown);
}

/* Opens dir (a prefix of some path, "" for the root) component by component.
 * Returns a cached fd, -1 with errno ENOENT when a component is missing
 * (and not to be created), or -2 with err set. */
static int open_dir(ap_tree *t, const char *dir, ap_strlist *created, ap_error *err)
{
	char *copy, *p;
	int fd, cached;
	void *hit;

	if (!*dir)
		return t->rootfd;
	hit = ap_strmap_get(&t->dirs, dir);
	if (hit)
		return (int)(long)hit - 1;
	/* past the cache's size, the one opened last (a series' .pc/ makes
	 * thousands of folders, each used a few times in a row) */
	if (t->scratch_fd >= 0 && t->scratch_dir && strcmp(t->scratch_dir, dir) == 0)
		return t->scratch_fd;
	/* open the parent first (cached), then this one level */
	copy = ap_strdup(dir);
	if (!copy) {
		ap_error_set(err, "out of memory");
		return -2;
	}
	p = strrchr(copy, '/');
	if (p)
		*p = '\0';
	fd = open_dir(t, p ? copy : "", created, err);
	if (fd < 0) {
		free(copy);
		return fd;
	}
	{
		const char *name = p ? p + 1 : copy;
		int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (sub < 0 && errno == ENOENT && created) {
			if (ap_sys_mkdirat(fd, name, 0777) < 0 && errno != EEXIST) {
				ap_error_sys(err, "cannot create directory %s", dir);
				free(copy);
				return -2;
			}
			if (ap_strlist_add(created, dir) < 0) {
				ap_error_set(err, "out of memory");
				free(copy);
				return -2;
			}
			sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (sub < 0) {
			int e = errno;
			struct stat st;

			if (e == ENOENT) {
				free(copy);
				errno = ENOENT;
				return -1;
			}
			if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
				symlink_error(err, dir, strlen(dir));
			else if (e == ENOTDIR)
				ap_error_set(err, "%s is not a directory", dir);
			else {
				errno = e;
				ap_error_sys(err, "cannot open directory %s", dir);
			}
			free(copy);
			return -2;
		}
		free(copy);
		cached = t->dirs.n < DIR_CACHE_MAX && ap_strmap_put(&t->dirs, dir, (void *)(long)(sub + 1)) == 0;
		if (!cached) {
			if (t->scratch_fd >= 0)
				close(t->scratch_fd);
			t->scratch_fd = sub;
			free(t->scratch_dir);
			t->scratch_dir = ap_strdup(dir);
		}
		return sub;
	}
}

int ap_tree_dirfd(ap_tree *t, const char *dir, ap_error *err)
{
	if (ap_path_bad_for_tree(dir)) {
		ap_error_set(err, "refusing the directory %s", dir);
		return -2;
	}
	return open_dir(t, dir, NULL, err);
}

int ap_tree_parent(ap_tree *t, const char *path, ap_strlist *created, const char **base,
		   ap_error *err)
{
	const char *slash = strrchr(path, '/');
	const char *why = ap_path_bad_for_tree(path);
	char *dir;
	int fd;

	/* callers check paths already; this is the last line of defence, for
	 * names read back from the state directory among others */
	if (why) {
		char shown[512];

		ap_path_show(path, strlen(path), shown, sizeof shown);
		ap_error_set(err, "refusing the path '%s': it %s", shown, why);
		return -2;
	}

	*base = slash ? slash + 1 : path;
	if (!slash)
		return t->rootfd;
	dir = ap_strndup(path, (size_t)(slash - path));
	if (!dir)
		return ap_error_set(err, "out of memory");
	fd = open_dir(t, dir, created, err);
	if (fd == -1 && !created) {
		free(dir);
		errno = ENOENT;
		return -1;
	}
	if (fd == -1)
		ap_error_sys(err, "cannot open directory %s", dir);
	free(dir);
	return fd < 0 ? -2 : fd;
}

static void fill_state(ap_file_state *st, const struct stat *sb)
{
	st->exists = 1;
	st->symlink = S_ISLNK(sb->st_mode);
	st->dir = S_ISDIR(sb->st_mode);
	st->special = !S_ISLNK(sb->st_mode) && !S_ISDIR(sb->st_mode) && !S_ISREG(sb->st_mode);
	st->mode = sb->st_mode & 07777;
	st->uid = sb->st_uid;
	st->gid = sb->st_gid;
	st->size = sb->st_size;
	st->dev = sb->st_dev;
	st->ino = sb->st_ino;
	st->mtime_ns = (long long)sb->st_mtim.tv_sec * 1000000000LL + sb->st_mtim.tv_nsec;
}


/* The directory holding path, for a look that creates nothing: 1 with
 * *dfd and *base, 0 when a directory on the way is missing (so is path:
 * st says it does not exist), -1 on error. */
static int parent_for_read(ap_tree *t, const char *path, ap_file_state *st, int *dfd,
			   const char **base, ap_error *err)
{
	memset(st, 0, sizeof *st);
	*dfd = ap_tree_parent(t, path, NULL, base, err);
	if (*dfd == -1)
		return 0;
	return *dfd < 0 ? -1 : 1;
}

int ap_tree_stat(ap_tree *t, const char *path, ap_file_state *st, ap_error *err)
{
	const char *base;
	struct stat sb;
	int dfd, rc;

	rc = parent_for_read(t, path, st, &dfd, &base, err);
	if (rc <= 0)
		return rc;
	if (fstatat(dfd, base, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return ap_error_sys(err, "cannot stat %s", path);
	}
	fill_state(st, &sb);
	return 0;
}

int ap_tree_readlink(ap_tree *t, const char *path, ap_file_state *st, char **data, size_t *len,
		     ap_error *err)
{
	const char *base;
	struct stat sb;
	char buf[4096];
	ssize_t n;
	int dfd, rc;

	*data = NULL;
	*len = 0;
	rc = parent_for_read(t, path, st, &dfd, &base, err);
	if (rc <= 0)
		return rc;
	if (fstatat(dfd, base, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : ap_error_sys(err, "cannot stat %s", path);
	if (!S_ISLNK(sb.st_mode))
		return ap_error_set(err, "%s is not a symbolic link", path);
	n = readlinkat(dfd, base, buf, sizeof buf);
	if (n < 0)
		return errno == ENOENT ? 0 : ap_error_sys(err, "cannot read the symbolic link %s", path);
	if ((size_t)n == sizeof buf)
		return ap_error_set(err, "%s: the symbolic link's target is over %zu bytes", path,
				    sizeof buf - 1);
	*data = ap_strndup(buf, (size_t)n);
	if (!*data)
		return ap_error_set(err, "out of memory");
	*len = (size_t)n;
	fill_state(st, &sb);
	st->size = (off_t)n;
	return 0;
}

int ap_tree_load(void *tree, const char *path, ap_file_state *st, char **data, size_t *len,
		 ap_error *err)
{
	ap_error e = AP_ERROR_INIT;

	if (ap_tree_read(tree, path, st, data, len, err) == 0)
		return 0;
	/* refused (O_NOFOLLOW) because it is a link: the link itself, as
	 * git and tar hold one, its target as its content (a patch with mode
	 * 120000 changes that); nothing is read through it. Looked at only
	 * then, so a regular file costs no extra system call */
	if (ap_tree_stat(tree, path, st, &e) < 0 || !st->exists || !st->symlink)
		return -1;
	return ap_tree_readlink(tree, path, st, data, len, err);
}

int ap_tree_read(ap_tree *t, const char *path, ap_file_state *st, char **data, size_t *len,
		 ap_error *err)
{
	const char *base;
	struct stat sb;
	int dfd, fd, rc;

	*data = NULL;
	*len = 0;
	rc = parent_for_read(t, path, st, &dfd, &base, err);
	if (rc <= 0)
		return rc;
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ELOOP)
			return symlink_error(err, path, strlen(path));
		return ap_error_sys(err, "cannot open %s", path);
	}
	if (fstat(fd, &sb) < 0) {
		close(fd);
		return ap_error_sys(err, "cannot stat %s", path);
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		return ap_error_set(err, "%s is not a regular file", path);
	}
	if ((unsigned long long)sb.st_size > AP_FILE_MAX) {
		close(fd);
		return ap_error_set(err, "%s is %lld bytes, more than applypatch's limit of %zu MiB",
				    path, (long long)sb.st_size, AP_FILE_MAX >> 20);
	}
	rc = ap_read_fd(fd, (size_t)sb.st_size, path, data, len, err);
	close(fd);
	if (rc == 0) {
		fill_state(st, &sb);
		st->size = (off_t)*len;
	}
	return rc;
}

mode_t ap_umask(void)
{
	mode_t m = umask(022);

	umask(m);
	return m;
}

int ap_fd_set_owner_mode(int fd, mode_t mode, const ap_owner *owner)
{
	if (owner && owner->keep) {
		struct stat sb;

		/* the whole owner, else at least the group (a user may give
		 * its file any group it is in) */
		if (ap_sys_fchown(fd, owner->uid, owner->gid) < 0)
			ap_sys_fchown(fd, (uid_t)-1, owner->gid);
		if (fstat(fd, &sb) < 0 || sb.st_uid != owner->uid || sb.st_gid != owner->gid)
			mode &= ~(mode_t)(S_ISUID | S_ISGID);
	}
	return ap_sys_fchmod(fd, mode);
}

/* Gives the new file fd (dirfd/name) its owner and mode, fills st, and
 * closes it; on failure it is removed. A file we just created is usually
 * owned as wanted already: one fstat then spares the chown and the second
 * stat, for every file a series writes. */
static int finish_new_file(int fd, int dirfd, const char *name, mode_t mode,
			   const ap_owner *owner, ap_file_state *st, ap_error *err,
			   const char *shown)
{
	struct stat sb;
	int have = fstat(fd, &sb) == 0;

	if (have && owner && owner->keep && (sb.st_uid != owner->uid || sb.st_gid != owner->gid))
		have = 0;
	if ((have ? ap_sys_fchmod(fd, mode) : ap_fd_set_owner_mode(fd, mode, owner)) < 0) {
		ap_error_sys(err, "cannot set the mode of %s", shown);
		close(fd);
		unlinkat(dirfd, name, 0);
		return -1;
	}
	if (st) {
		/* the kernel may drop a set-id bit fchmod was given: ask it then */
		int ask = !have || (mode & (S_ISUID | S_ISGID));

		if (ask && fstat(fd, &sb) < 0) {
			ap_error_sys(err, "cannot stat %s", shown);
			close(fd);
			unlinkat(dirfd, name, 0);
			return -1;
		}
		if (!ask)
			sb.st_mode = (sb.st_mode & S_IFMT) | (mode & 07777);
		fill_state(st, &sb);
	}
	if (close(fd) < 0) {
		ap_error_sys(err, "cannot write %s", shown);
		unlinkat(dirfd, name, 0);
		return -1;
	}
	return 0;
}

int ap_write_new_file(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
		      const ap_owner *owner, ap_file_state *st, ap_error *err, const char *shown)
{
	size_t done = 0;
	int fd = ap_sys_openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			       0600);

	if (fd < 0)
		return ap_error_sys(err, "cannot create %s", shown);
	while (done < len) {
		ssize_t w = ap_sys_write(fd, data + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			ap_error_sys(err, "cannot write %s", shown);
			close(fd);
			unlinkat(dirfd, name, 0);
			return -1;
		}
		done += (size_t)w;
	}
	return finish_new_file(fd, dirfd, name, mode, owner, st, err, shown);
}

/* Copies len bytes of in from off to out with read and write; 0, or -1
 * with errno (ENODATA: in ended early). */
static int copy_by_reading(int in, off_t off, int out, size_t len)
{
	size_t cap = len < ((size_t)1 << 20) ? len : (size_t)1 << 20;
	char *buf = malloc(cap ? cap : 1);

	if (!buf)
		return -1;
	while (len > 0) {
		ssize_t k = pread(in, buf, len < cap ? len : cap, off);
		size_t done = 0;

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = ENODATA;
			free(buf);
			return -1;
		}
		while (done < (size_t)k) {
			ssize_t w = ap_sys_write(out, buf + done, (size_t)k - done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				if (w == 0)
					errno = ENOSPC;
				free(buf);
				return -1;
			}
			done += (size_t)w;
		}
		off += k;
		len -= (size_t)k;
	}
	free(buf);
	return 0;
}

/* Copies len bytes of in from off to out: copy_file_range, or read and
 * write where the kernel or the file systems cannot. */
static int copy_bytes(int in, off_t off, int out, size_t len)
{
	while (len > 0) {
		ssize_t k = ap_sys_copy_range(in, &off, out, len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
			      errno == EOPNOTSUPP))
			return copy_by_reading(in, off, out, len);
		if (k <= 0) {
			if (k == 0)
				errno = ENODATA;
			return -1;
		}
		len -= (size_t)k;
	}
	return 0;
}

int ap_copy_new_file(int dirfd, const char *name, int srcfd, off_t off, size_t len,
		     mode_t mode, const ap_owner *owner, ap_file_state *st, ap_error *err,
		     const char *shown)
{
	int fd = ap_sys_openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			       0600);

	if (fd < 0)
		return ap_error_sys(err, "cannot create %s", shown);
	if (copy_bytes(srcfd, off, fd, len) < 0) {
		if (errno == ENODATA)
			ap_error_set(err, "cannot write %s: its source ended early (changed while "
				     "applypatch ran?)", shown);
		else
			ap_error_sys(err, "cannot write %s", shown);
		close(fd);
		unlinkat(dirfd, name, 0);
		return -1;
	}
	return finish_new_file(fd, dirfd, name, mode, owner, st, err, shown);
}
