/* source.c - an upstream in any of its four forms, as a whole tree or as
 * single files.
 *
 * prepare: the tree a build needs, in dest, made beside it and renamed
 * into place (the pinned tarball downloaded and verified first; a local
 * tarball unpacked; a directory copied; a git revision exported), with
 * autogen.sh run when the tree has no configure.
 * source: files read one at a time for drift and verify, without
 * unpacking or checking out anything else.
 */
#include "source.h"

#include "buf.h"
#include "gitsrc.h"
#include "hash.h"
#include "interrupt.h"
#include "path.h"
#include "strmap.h"
#include "tree.h"
#include "vtree.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* macOS names struct stat's timespecs differently */
#ifdef __APPLE__
#define ST_ATIM st_atimespec
#define ST_MTIM st_mtimespec
#else
#define ST_ATIM st_atim
#define ST_MTIM st_mtim
#endif

/* --- the tarball of an upstream -------------------------------------------- */

int ap_upstream_local(ap_upstream *u, const char *path, ap_error *err)
{
	struct stat st;

	u->kind = AP_UPSTREAM_TARBALL;
	u->location = path;
	u->rev = NULL;
	if (stat(path, &st) < 0)
		return ap_error_sys(err, "%s", path);
	if (S_ISDIR(st.st_mode))
		u->kind = AP_UPSTREAM_DIR;
	return 0;
}

int ap_upstream_tarball(const ap_upstream *u, char **path, char **want_sha, ap_error *err)
{
	const char *pkgdir = u->location ? u->location : ".";
	ap_pin pin;

	*path = NULL;
	if (want_sha)
		*want_sha = NULL;
	if (u->kind == AP_UPSTREAM_TARBALL) {
		*path = ap_strdup(u->location);
		return *path ? 0 : ap_error_set(err, "out of memory");
	}
	if (u->kind != AP_UPSTREAM_PINNED)
		return ap_error_set(err, "%s: not a tarball upstream", u->location);
	if (ap_pin_find(&pin, pkgdir, err) < 0)
		return -1;
	*path = ap_printf("%s/upstream/%s", pkgdir, pin.tarball);
	if (want_sha) {
		*want_sha = pin.sha256;
		pin.sha256 = NULL;
	}
	ap_pin_free(&pin);
	return *path ? 0 : ap_error_set(err, "out of memory");
}

/* The pinned tarball (in PKGDIR/upstream/), downloaded if missing, every
 * sum the pin gives checked either way before anything reads it; *sum is
 * its sha256, computed here when the pin gives none. *fd is the file the
 * sums were taken of, rewound: read it, never the name again. */
static int pinned_tarball(const ap_upstream *u, const ap_fetch_opts *fo, char **path,
			  char **sum, int *fd, ap_error *err)
{
	const char *pkgdir = u->location ? u->location : ".";
	char *updir = ap_printf("%s/upstream", pkgdir), *why = NULL;
	ap_sums got;
	ap_pin pin;
	int rc = -1;

	*path = *sum = NULL;
	*fd = -1;
	if (!updir)
		return ap_error_set(err, "out of memory");
	if (ap_pin_find(&pin, pkgdir, err) < 0) {
		free(updir);
		return -1;
	}
	*path = ap_printf("%s/%s", updir, pin.tarball);
	if (!*path) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	if (access(*path, F_OK) < 0) {
		if (!pin.url) {
			ap_error_set(err, "%s: not there, and %s has no upstream_url to download it "
				     "from", *path, pin.ini);
			goto out;
		}
		if (mkdir(updir, 0755) < 0 && errno != EEXIST) {
			ap_error_sys(err, "%s: cannot create it for the download", updir);
			goto out;
		}
		if (ap_fetch_pin(&pin, pin.url, *path, fo, NULL, err) < 0)
			goto out;
	}
	*fd = ap_tarball_open(*path, err);
	if (*fd < 0 || ap_sums_fd(*fd, *path, &got, err) < 0)
		goto out;
	if (!ap_pin_match(&pin, &got, &why)) {
		ap_error_set(err, "%s: %s\nrefusing to read it (the sums are from %s)", *path, why,
			     pin.ini);
		free(why);
		goto out;
	}
	*sum = ap_strdup(got.sha256);
	rc = *sum ? 0 : ap_error_set(err, "out of memory");
out:
	if (rc < 0) {
		free(*path);
		*path = NULL;
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
	ap_pin_free(&pin);
	free(updir);
	return rc;
}

/* --- copying a directory ------------------------------------------------------ */

/* A GAP tree's links (a release's, a checkout's) stay in it: down, or up
 * by leading "../" then down (tst/mockpkg/Makefile.gappkg). One to /etc or
 * past the root kept in DEST would have the build read or write outside
 * it, and one into SRC by its absolute name would reach back into SRC. */
int ap_source_link_check(const char *path, const char *target, size_t len, ap_error *err)
{
	char spath[512], starget[512];

	if (ap_path_symlink_inside(path, target, len))
		return 0;
	ap_path_show(path, strlen(path), spath, sizeof spath);
	ap_path_show(target, len, starget, sizeof starget);
	return ap_error_set(err, "'%s' is a symbolic link to '%s', which is absolute or goes up "
			    "with '..' out of the tree or after a name: a source tree's links may "
			    "climb with leading '../' no higher than its root, then lead only down "
			    "(as a tarball's must), so it is refused and nothing is left in the "
			    "destination%s", spath,
			    starget, strncmp(path, "bin/", 4) == 0
			    ? "; GAP's build makes links like it under bin/: give a tree GAP was "
			      "not built in" : "");
}

typedef struct copy_run {
	ap_digest md;           /* digest of what was copied: the identity */
	int full;
	int depth;              /* directories below the source's root */
	ap_strmap skipped;
	ap_strlist *skiplist;
	ap_error *err;
} copy_run;

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int digest(copy_run *c, const void *data, size_t len)
{
	if (ap_digest_add(&c->md, data, len) < 0)
		return ap_error_set(c->err, "SHA-256 failed in libcrypto");
	return 0;
}

static int digest_header(copy_run *c, char kind, const char *path, mode_t mode, size_t size)
{
	char head[64];
	int n = snprintf(head, sizeof head, "%c %o %zu ", kind, (unsigned)(mode & 07777), size);

	/* path ends with its NUL, so no path can run into the next field */
	if (digest(c, head, (size_t)n) < 0 || digest(c, path, strlen(path) + 1) < 0)
		return -1;
	return 0;
}

static int note_skip(copy_run *c, const char *rel, size_t n)
{
	char *name = ap_strndup(rel, n);
	int rc = 0;

	if (!name)
		return ap_error_set(c->err, "out of memory");
	if (!ap_strmap_get(&c->skipped, name) &&
	    (ap_strmap_put(&c->skipped, name, (void *)1) < 0 ||
	     ap_strlist_add(c->skiplist, name) < 0))
		rc = ap_error_set(c->err, "out of memory");
	free(name);
	return rc;
}

static int copy_file(copy_run *c, int sfd, int dfd, const char *name, const char *rel,
		     const struct stat *st)
{
	char buf[1 << 16];
	int in, out, rc = -1;
	ssize_t got;
	struct timespec times[2];

	in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return ap_error_sys(c->err, "%s: cannot open", rel);
	out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		ap_error_sys(c->err, "%s: cannot create the copy", rel);
		close(in);
		return -1;
	}
	if (digest_header(c, 'F', rel, st->st_mode, (size_t)st->st_size) < 0)
		goto out;
	while ((got = read(in, buf, sizeof buf)) != 0) {
		ssize_t done = 0;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			ap_error_sys(c->err, "%s: read failed", rel);
			goto out;
		}
		if (digest(c, buf, (size_t)got) < 0)
			goto out;
		while (done < got) {
			ssize_t w = write(out, buf + done, (size_t)(got - done));

			if (w < 0) {
				if (errno == EINTR)
					continue;
				ap_error_sys(c->err, "%s: write failed", rel);
				goto out;
			}
			done += w;
		}
	}
	times[0] = st->ST_ATIM;
	times[1] = st->ST_MTIM;
	/* autotools compares timestamps: configure must stay newer than
	 * configure.ac, or make tries to regenerate it */
	if (fchmod(out, st->st_mode & 0777) < 0 || futimens(out, times) < 0) {
		ap_error_sys(c->err, "%s: cannot set mode or times", rel);
		goto out;
	}
	rc = 0;
out:
	close(in);
	if (close(out) < 0 && rc == 0)
		rc = ap_error_sys(c->err, "%s: close failed", rel);
	return rc;
}

static int copy_dir(copy_run *c, int sfd, int dfd, const char *prefix)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = -1, dfd2;

	/* each level holds two descriptors and a stack frame: a bound, not a crash */
	if (c->depth >= AP_TREE_DEPTH_MAX)
		return ap_error_set(c->err, "%.60s...: more than %d directories deep; a source tree "
				    "is not, so it is refused", prefix, AP_TREE_DEPTH_MAX);
	dfd2 = dup(sfd);
	if (dfd2 < 0 || !(d = fdopendir(dfd2))) {
		if (dfd2 >= 0)
			close(dfd2);
		return ap_error_sys(c->err, "%s: cannot read the directory", *prefix ? prefix : ".");
	}
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		/* a git checkout's history is no part of the tree to build */
		if (!*prefix && strcmp(e->d_name, ".git") == 0)
			continue;
		if (!*prefix && ap_path_in_state_dir(e->d_name, strlen(e->d_name))) {
			ap_error_set(c->err, "%s " AP_STATE_DIR_FOREIGN, e->d_name);
			closedir(d);
			goto out;
		}
		if (ap_array_grow((void **)&names, &cap, n + 1, sizeof *names) < 0 ||
		    !(names[n] = ap_strdup(e->d_name))) {
			ap_error_set(c->err, "out of memory");
			closedir(d);
			goto out;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		char *rel = *prefix ? ap_printf("%s/%s", prefix, names[i]) : ap_strdup(names[i]);
		struct stat st;
		size_t skip_len;
		int r = -1;

		if (!rel) {
			ap_error_set(c->err, "out of memory");
			goto out;
		}
		if (ap_interrupted()) {
			ap_error_set(c->err, "interrupted by signal %d; nothing was left behind",
				     ap_interrupted());
		} else if (fstatat(sfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			ap_error_sys(c->err, "%s: cannot stat", rel);
		} else if (!c->full && !ap_upstream_wanted(rel, &skip_len)) {
			r = note_skip(c, rel, skip_len);
		} else if (S_ISDIR(st.st_mode)) {
			int s2 = openat(sfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int d2 = -1;

			if (s2 < 0)
				ap_error_sys(c->err, "%s: cannot open", rel);
			else if (mkdirat(dfd, names[i], 0700) < 0 ||
				 (d2 = openat(dfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					      O_CLOEXEC)) < 0)
				ap_error_sys(c->err, "%s: cannot make the copy", rel);
			else if (digest_header(c, 'D', rel, st.st_mode, 0) == 0) {
				struct timespec times[2] = { st.ST_ATIM, st.ST_MTIM };
				int sub;

				c->depth++;
				sub = copy_dir(c, s2, d2, rel);
				c->depth--;
				if (sub == 0 && (fchmod(d2, st.st_mode & 0777) < 0 ||
						 futimens(d2, times) < 0))
					ap_error_sys(c->err, "%s: cannot set mode or times", rel);
				else if (sub == 0)
					r = 0;
			}
			if (s2 >= 0)
				close(s2);
			if (d2 >= 0)
				close(d2);
		} else if (S_ISREG(st.st_mode)) {
			r = copy_file(c, sfd, dfd, names[i], rel, &st);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t tl = readlinkat(sfd, names[i], target, sizeof target - 1);

			if (tl < 0) {
				ap_error_sys(c->err, "%s: readlink failed", rel);
			} else {
				struct timespec times[2] = { st.ST_ATIM, st.ST_MTIM };

				target[tl] = '\0';
				if (ap_source_link_check(rel, target, (size_t)tl, c->err) < 0) {
					r = -1;
				} else if (symlinkat(target, dfd, names[i]) < 0) {
					ap_error_sys(c->err, "%s: symlink failed", rel);
				} else if (digest_header(c, 'L', rel, 0777, (size_t)tl) == 0 &&
					   digest(c, target, (size_t)tl) == 0) {
					utimensat(dfd, names[i], times, AT_SYMLINK_NOFOLLOW);
					r = 0;
				}
			}
		} else {
			ap_error_set(c->err, "%s: is a device, pipe or socket; a source tree has none",
				     rel);
		}
		free(rel);
		if (r < 0)
			goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* Whether dir is path or an ancestor of it (both resolved). */
static int is_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return 1;
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* A copy of src made inside src (its staging directory beside dest) would
 * copy itself for ever: refused before anything is made. dest's parent
 * exists (ap_dest_usable saw to that); symlinks are resolved on both sides. */
static int dest_inside(const char *src, const char *dest, ap_error *err)
{
	char *copy = ap_strdup(dest), *s = realpath(src, NULL), *d;
	int rc = 0;

	if (!copy || !s) {
		free(copy);
		free(s);
		return s ? ap_error_set(err, "out of memory") : ap_error_sys(err, "%s: cannot resolve", src);
	}
	d = realpath(dirname(copy), NULL);
	if (!d)
		rc = ap_error_sys(err, "%s: cannot resolve its parent", dest);
	else if (is_within(d, s))
		rc = ap_error_set(err, "%s is inside the source directory %s: the copy would copy "
				  "itself; give a destination outside it", dest, src);
	free(d);
	free(s);
	free(copy);
	return rc;
}

static int prepare_dir(const char *src, const char *dest, ap_prepare_opts *o, char **identity,
		       ap_error *err)
{
	copy_run c;
	ap_strlist skips = { NULL, 0, 0 };
	char *staging = NULL;
	char hex[AP_SHA256_HEX];
	int sfd = -1, dfd = -1, rc = -1;

	memset(&c, 0, sizeof c);
	c.full = o->unpack.full;
	c.skiplist = &skips;
	c.err = err;
	if (ap_digest_begin(&c.md, AP_DIGEST_SHA256) < 0) {
		ap_error_set(err, "cannot start SHA-256");
		goto out;
	}
	sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0) {
		ap_error_sys(err, "%s: cannot open the directory", src);
		goto out;
	}
	if (dest_inside(src, dest, err) < 0)
		goto out;
	staging = ap_staging_dir(dest, err);
	if (!staging)
		goto out;
	dfd = open(staging, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		ap_error_sys(err, "%s: cannot open", staging);
		goto out;
	}
	if (copy_dir(&c, sfd, dfd, "") < 0) {
		ap_error_wrap(err, "copying %s", src);
		goto out;
	}
	if (ap_digest_end(&c.md, hex) < 0) {
		ap_error_set(err, "SHA-256 failed in libcrypto");
		goto out;
	}
	*identity = ap_printf("dir:sha256:%s", hex);
	if (!*identity) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	if (ap_staging_commit(staging, dest, err) < 0) {
		free(*identity);
		*identity = NULL;
		goto out;
	}
	rc = 0;
out:
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	if (rc < 0 && staging)
		ap_rmtree(staging);
	free(staging);
	ap_digest_discard(&c.md);
	ap_strmap_free(&c.skipped);
	if (rc == 0) {
		o->unpack.skipped = skips.v;
		o->unpack.nskipped = skips.n;
	} else {
		ap_strlist_free(&skips);
	}
	return rc;
}

/* --- git ------------------------------------------------------------------------ */

typedef struct git_keep {
	int full;
	ap_strmap seen;
	ap_strlist list;
	int oom;
} git_keep;

static int keep_path(const char *path, int is_dir, void *ctx)
{
	git_keep *k = ctx;
	size_t n;

	(void)is_dir;
	if (k->full || ap_upstream_wanted(path, &n))
		return 1;
	{
		char *name = ap_strndup(path, n);

		if (!name || (!ap_strmap_get(&k->seen, name) &&
			      (ap_strmap_put(&k->seen, name, (void *)1) < 0 ||
			       ap_strlist_add(&k->list, name) < 0)))
			k->oom = 1;
		free(name);
	}
	return 0;
}

static int prepare_git(const ap_upstream *u, const char *dest, ap_prepare_opts *o,
		       char **identity, ap_error *err)
{
	git_keep k;
	ap_git *g;
	char oid[AP_OID_HEX];
	int rc;

	if (!u->rev || !*u->rev)
		return ap_error_set(err, "%s: which revision? (a tag, branch or commit)",
				    u->location);
	if (ap_git_open(&g, u->location, err) < 0)
		return -1;
	memset(&k, 0, sizeof k);
	k.full = o->unpack.full;
	rc = ap_git_export(g, u->rev, dest, keep_path, &k, &o->missing, oid, err);
	if (rc == 0 && k.oom)
		rc = ap_error_set(err, "out of memory");
	if (rc == 0) {
		*identity = ap_printf("git:%s", oid);
		if (!*identity)
			rc = ap_error_set(err, "out of memory");
	}
	ap_git_free(g);
	ap_strmap_free(&k.seen);
	if (rc == 0) {
		o->unpack.skipped = k.list.v;
		o->unpack.nskipped = k.list.n;
	} else {
		ap_strlist_free(&k.list);
	}
	return rc;
}

/* --- autogen.sh ------------------------------------------------------------------ */

/* Runs ./autogen.sh in dir, its output kept (the tail for the error, all
 * of it in the log when one is asked for): the library prints nothing. */
static int run_autogen(const char *dir, const char *log, ap_error *err)
{
	int pipefd[2], logfd = -1, status;
	ap_buf out = AP_BUF_INIT;
	pid_t pid;
	char buf[4096];
	ssize_t got;

	if (log) {
		logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (logfd < 0)
			return ap_error_sys(err, "%s: cannot write the log", log);
	}
	if (pipe(pipefd) < 0 || fcntl(pipefd[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(pipefd[1], F_SETFD, FD_CLOEXEC) < 0) {
		if (logfd >= 0)
			close(logfd);
		return ap_error_sys(err, "pipe failed");
	}
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		if (logfd >= 0)
			close(logfd);
		return ap_error_sys(err, "fork failed");
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		if (chdir(dir) < 0)
			_exit(126);
		execl("/bin/sh", "sh", "./autogen.sh", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while ((got = read(pipefd[0], buf, sizeof buf)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (logfd >= 0 && write(logfd, buf, (size_t)got) < 0) {
			close(logfd);
			logfd = -1;
		}
		ap_buf_add(&out, buf, (size_t)got);
		if (out.len > 1 << 16) {   /* only the tail is ever shown */
			memmove(out.data, out.data + out.len - 32768, 32768);
			out.len = 32768;
		}
	}
	close(pipefd[0]);
	if (logfd >= 0)
		close(logfd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		const char *tail = out.data ? out.data : "";
		size_t lines = 0, i = out.len;

		while (i > 0 && lines < 16)
			if (tail[--i] == '\n' && i + 1 < out.len)
				lines++;
		if (WIFEXITED(status))
			ap_error_set(err, "%s: ./autogen.sh failed with exit status %d%s%s", dir,
				     WEXITSTATUS(status), out.len ? "; its last lines:\n" : "",
				     tail + (i ? i + 1 : 0));
		else
			ap_error_set(err, "%s: ./autogen.sh was killed by signal %d", dir,
				     WTERMSIG(status));
		ap_buf_free(&out);
		return -1;
	}
	ap_buf_free(&out);
	return 0;
}

static int exists_in(const char *dir, const char *name)
{
	char *p = ap_printf("%s/%s", dir, name);
	int rc = p && access(p, F_OK) == 0;

	free(p);
	return rc;
}

/* --- prepare ------------------------------------------------------------------ */

int ap_upstream_prepare(const ap_upstream *u, const char *dest, ap_prepare_opts *o,
			char **identity, ap_error *err)
{
	char *tarball = NULL, *sum = NULL;
	struct stat st;
	int existed, rc = -1, fd = -1;

	*identity = NULL;
	o->ran_autogen = 0;
	o->unpack.skipped = NULL;
	o->unpack.nskipped = 0;
	if (!u->location && u->kind != AP_UPSTREAM_PINNED)
		return ap_error_set(err, "no upstream location given");
	if (ap_dest_usable(dest, err) < 0)
		return -1;
	existed = lstat(dest, &st) == 0;
	switch (u->kind) {
	case AP_UPSTREAM_PINNED:
	case AP_UPSTREAM_TARBALL: {
		ap_unpack_opts uo = o->unpack;
		char got[65];

		/* hashed and unpacked from one open file: a swap of the name in
		 * between changes nothing */
		if (u->kind == AP_UPSTREAM_PINNED) {
			if (pinned_tarball(u, &o->fetch, &tarball, &sum, &fd, err) < 0)
				goto out;
		} else {
			fd = ap_tarball_open(u->location, err);
			if (fd < 0 || ap_sha256_fd(fd, u->location, got, err) < 0)
				goto out;
			tarball = ap_strdup(u->location);
			sum = ap_strdup(got);
			if (!tarball || !sum) {
				ap_error_set(err, "out of memory");
				goto out;
			}
		}
		uo.strip_top = AP_UNPACK_STRIP_AUTO;
		if (ap_unpack_fd(fd, tarball, dest, &uo, err) < 0)
			goto out;
		o->unpack.skipped = uo.skipped;
		o->unpack.nskipped = uo.nskipped;
		o->unpack.dropped_pc = uo.dropped_pc;
		*identity = ap_printf("sha256:%s", sum);
		break;
	}
	case AP_UPSTREAM_DIR:
		if (prepare_dir(u->location, dest, o, identity, err) < 0)
			goto out;
		break;
	case AP_UPSTREAM_GIT:
		if (prepare_git(u, dest, o, identity, err) < 0)
			goto out;
		break;
	default:
		ap_error_set(err, "unknown kind of upstream %d", (int)u->kind);
		goto out;
	}
	if (!*identity) {
		ap_error_set(err, "out of memory");
		goto undo;
	}
	if (ap_interrupted()) {
		ap_error_set(err, "%s: interrupted by signal %d; nothing was left behind", dest,
			     ap_interrupted());
		goto undo;
	}
	/* a git tree (or a snapshot of one) has no generated configure */
	if (!exists_in(dest, "configure") && !o->no_autogen) {
		if (!exists_in(dest, "autogen.sh")) {
			ap_error_set(err, "%s: has neither configure nor autogen.sh; is it GAP's source "
				     "tree?", dest);
			goto undo;
		}
		if (run_autogen(dest, o->autogen_log, err) < 0)
			goto undo;
		o->ran_autogen = 1;
		if (!exists_in(dest, "configure")) {
			ap_error_set(err, "%s: ./autogen.sh succeeded but made no configure", dest);
			goto undo;
		}
	}
	rc = 0;
	goto out;
undo:
	/* dest was missing or empty before: make it so again */
	ap_rmtree(dest);
	if (existed)
		mkdir(dest, 0777);
	free(*identity);
	*identity = NULL;
	ap_unpack_opts_free(&o->unpack);
out:
	if (fd >= 0)
		close(fd);
	free(tarball);
	free(sum);
	return rc;
}

void ap_prepare_opts_free(ap_prepare_opts *o)
{
	if (!o)
		return;
	ap_unpack_opts_free(&o->unpack);
	ap_strlist_free(&o->missing);
}

/* --- single files ------------------------------------------------------------------ */

typedef struct member {
	int dir, symlink;
	mode_t mode;
	char *data;
	size_t len;
	char *hardlink;         /* the member it is a hard link to, or NULL */
} member;

struct ap_source {
	ap_upstream_kind kind;
	char *label, *identity;
	/* DIR */
	ap_tree *tree;
	/* GIT */
	ap_git *git;
	char oid[AP_OID_HEX];
	/* TARBALL, PINNED */
	char *tarball;
	int fd;                 /* the tarball, open once (PINNED: the one checked) */
	ap_strmap members;      /* path -> member */
	ap_strmap asked;        /* paths a scan looked for */
	int all;                /* a scan loaded every member */
};

static void member_free(member *m)
{
	if (!m)
		return;
	free(m->data);
	free(m->hardlink);
	free(m);
}

static int read_member(ap_source *s, struct archive *a, struct archive_entry *e,
		       const char *key, const char *top, ap_error *err)
{
	member *m = calloc(1, sizeof *m), *old;
	mode_t type = archive_entry_filetype(e);
	const char *link = archive_entry_hardlink(e);

	if (!m)
		return ap_error_set(err, "out of memory");
	m->mode = archive_entry_perm(e) & 0777;
	if (link) {
		const char *why;
		char *t = ap_archive_name(link, &why);
		size_t tl = top ? strlen(top) : 0;

		if (!t) {
			member_free(m);
			return ap_error_set(err, "%s: member '%s' is a hard link to a name that %s",
					    s->tarball, key, why);
		}
		if (top && strncmp(t, top, tl) == 0 && t[tl] == '/')
			memmove(t, t + tl + 1, strlen(t + tl + 1) + 1);
		m->hardlink = t;
	} else if (type == AE_IFDIR) {
		m->dir = 1;
	} else if (type == AE_IFLNK) {
		const char *target = archive_entry_symlink(e);

		m->symlink = 1;
		m->mode = 0777;
		m->data = ap_strdup(target ? target : "");
		m->len = target ? strlen(target) : 0;
		if (!m->data) {
			member_free(m);
			return ap_error_set(err, "out of memory");
		}
	} else if (type == AE_IFREG) {
		la_int64_t size = archive_entry_size(e);
		ssize_t got;

		if (size < 0 || (uint64_t)size > AP_FILE_MAX) {
			member_free(m);
			return ap_error_set(err, "%s: member '%s' is too large to read (%lld bytes)",
					    s->tarball, key, (long long)size);
		}
		m->data = malloc((size_t)size + 1);
		if (!m->data) {
			member_free(m);
			return ap_error_set(err, "out of memory");
		}
		while (m->len < (size_t)size &&
		       (got = archive_read_data(a, m->data + m->len, (size_t)size - m->len)) > 0)
			m->len += (size_t)got;
		if (m->len != (size_t)size) {
			member_free(m);
			return ap_error_set(err, "%s: member '%s': %s", s->tarball, key,
					    archive_error_string(a) ? archive_error_string(a)
								    : "truncated");
		}
		m->data[m->len] = '\0';
	} else {
		member_free(m);
		return 0;   /* devices and the like: not source files */
	}
	/* a later member of the same name replaces the earlier, as tar does */
	old = ap_strmap_get(&s->members, key);
	member_free(old);
	if (ap_strmap_put(&s->members, key, m) < 0) {
		member_free(m);
		return ap_error_set(err, "out of memory");
	}
	return 0;
}

/* One pass over the tarball, keeping the members named in want (NULL:
 * all). Names are taken relative to the tarball's top directory when it
 * has one (decided by the first entry, as unpacking does). */
static int scan(ap_source *s, const char *const *want, ap_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	ap_strmap wanted = AP_STRMAP_INIT;
	char *top = NULL;
	int decided = 0, rc = -1, r;

	if (!a)
		return ap_error_set(err, "out of memory");
	for (size_t i = 0; want && want[i]; i++)
		if (ap_strmap_put(&wanted, want[i], (void *)1) < 0 ||
		    ap_strmap_put(&s->asked, want[i], (void *)1) < 0) {
			ap_error_set(err, "out of memory");
			goto out;
		}
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	if (lseek(s->fd, 0, SEEK_SET) < 0) {
		ap_error_sys(err, "%s: cannot rewind", s->tarball);
		goto out;
	}
	if (archive_read_open_fd(a, s->fd, 1 << 16) != ARCHIVE_OK) {
		ap_error_set(err, "%s: %s", s->tarball, archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		const char *raw, *why, *key;
		char *name;
		size_t n;

		if (r < ARCHIVE_WARN) {
			ap_error_set(err, "%s: %s", s->tarball, archive_error_string(a));
			goto out;
		}
		raw = archive_entry_pathname(e);
		name = raw ? ap_archive_name(raw, &why) : NULL;
		if (!name || !*name) {
			free(name);
			continue;   /* never matches a tree path: not ours to judge here */
		}
		n = strcspn(name, "/");
		if (!decided) {
			decided = 1;
			if (name[n] == '/' || archive_entry_filetype(e) == AE_IFDIR)
				top = ap_strndup(name, n);
		}
		key = name;
		if (top && strlen(top) == n && strncmp(name, top, n) == 0)
			key = name[n] ? name + n + 1 : NULL;
		if (key && (!want || ap_strmap_get(&wanted, key)) &&
		    read_member(s, a, e, key, top, err) < 0) {
			free(name);
			goto out;
		}
		free(name);
	}
	if (!want)
		s->all = 1;
	rc = 0;
out:
	free(top);
	ap_strmap_free(&wanted);
	archive_read_free(a);
	return rc;
}

int ap_source_open(ap_source **out, const ap_upstream *u, const char *const *paths,
		   ap_error *err)
{
	ap_source *s = calloc(1, sizeof *s);
	int rc = -1;

	*out = NULL;
	if (!s)
		return ap_error_set(err, "out of memory");
	s->kind = u->kind;
	s->fd = -1;
	switch (u->kind) {
	case AP_UPSTREAM_DIR:
		if (ap_tree_open(&s->tree, u->location, err) < 0)
			goto out;
		s->label = ap_strdup(u->location);
		s->identity = ap_printf("dir:%s", u->location);
		break;
	case AP_UPSTREAM_GIT:
		if (!u->rev || !*u->rev) {
			ap_error_set(err, "%s: which revision? (a tag, branch or commit)", u->location);
			goto out;
		}
		if (ap_git_open(&s->git, u->location, err) < 0 ||
		    ap_git_resolve(s->git, u->rev, s->oid, err) < 0)
			goto out;
		s->label = ap_strdup(u->rev);
		s->identity = ap_printf("git:%s", s->oid);
		break;
	case AP_UPSTREAM_PINNED: {
		char *sum = NULL;

		if (pinned_tarball(u, NULL, &s->tarball, &sum, &s->fd, err) < 0)
			goto out;
		s->identity = ap_printf("sha256:%s", sum);
		free(sum);
		s->label = ap_strdup(strrchr(s->tarball, '/') ? strrchr(s->tarball, '/') + 1
							       : s->tarball);
		if (scan(s, paths, err) < 0)
			goto out;
		break;
	}
	case AP_UPSTREAM_TARBALL:
		s->tarball = ap_strdup(u->location);
		if (!s->tarball) {
			ap_error_set(err, "out of memory");
			goto out;
		}
		s->fd = ap_tarball_open(s->tarball, err);
		if (s->fd < 0)
			goto out;
		s->label = ap_strdup(strrchr(s->tarball, '/') ? strrchr(s->tarball, '/') + 1
							       : s->tarball);
		s->identity = ap_printf("tarball:%s", u->location);
		if (scan(s, paths, err) < 0)
			goto out;
		break;
	default:
		ap_error_set(err, "unknown kind of upstream %d", (int)u->kind);
		goto out;
	}
	if (!s->label || !s->identity) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		ap_source_free(s);
	else
		*out = s;
	return rc;
}

static int read_tar_member(ap_source *s, const char *path, ap_file_state *st, char **data,
			   size_t *len, int depth, ap_error *err)
{
	member *m = ap_strmap_get(&s->members, path);

	if (!m && !s->all && !ap_strmap_get(&s->asked, path)) {
		/* not named at open: one more pass, for this path only */
		const char *one[] = { path, NULL };

		if (scan(s, one, err) < 0)
			return -1;
		m = ap_strmap_get(&s->members, path);
	}
	if (!m)
		return 0;
	if (m->hardlink) {
		if (depth > 8)
			return ap_error_set(err, "%s: member '%s': hard links too deeply nested",
					    s->tarball, path);
		return read_tar_member(s, m->hardlink, st, data, len, depth + 1, err);
	}
	st->exists = 1;
	st->dir = m->dir;
	st->symlink = m->symlink;
	st->mode = m->mode;
	st->size = (off_t)m->len;
	if (m->dir)
		return 0;
	*data = malloc(m->len + 1);
	if (!*data)
		return ap_error_set(err, "out of memory");
	memcpy(*data, m->data, m->len);
	(*data)[m->len] = '\0';
	*len = m->len;
	return 0;
}

int ap_source_read(void *source, const char *path, ap_file_state *st, char **data, size_t *len,
		   ap_error *err)
{
	ap_source *s = source;
	int rc;

	memset(st, 0, sizeof *st);
	*data = NULL;
	*len = 0;
	switch (s->kind) {
	case AP_UPSTREAM_DIR:
		return ap_tree_load(s->tree, path, st, data, len, err);
	case AP_UPSTREAM_GIT:
		rc = ap_git_read(s->git, s->oid, path, st, data, len, err);
		return rc == 0 ? 0 : -1;
	default:
		return read_tar_member(s, path, st, data, len, 0, err);
	}
}

const char *ap_source_label(const ap_source *s)
{
	return s->label;
}

const char *ap_source_identity(const ap_source *s)
{
	return s->identity;
}

void ap_source_free(ap_source *s)
{
	if (!s)
		return;
	if (s->tree)
		ap_tree_close(s->tree);
	ap_git_free(s->git);
	for (size_t i = 0; i < s->members.cap; i++)
		if (s->members.slots && s->members.slots[i].key)
			member_free(s->members.slots[i].value);
	ap_strmap_free(&s->members);
	ap_strmap_free(&s->asked);
	if (s->fd >= 0)
		close(s->fd);
	free(s->tarball);
	free(s->label);
	free(s->identity);
	free(s);
}
