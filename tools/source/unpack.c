/* unpack.c - unpacking a source tarball with libarchive, refusing hostile
 * entries, and only the part of GAP the kernel build needs.
 *
 * Everything lands in a staging directory beside dest, renamed to dest
 * only when the last entry is written: a refused or failing tarball
 * leaves nothing behind. Each entry is judged before libarchive sees it
 * (absolute names, "..", symlinks whose target leaves the tree, entries
 * under an earlier symlink or file, hard links that are not to a file
 * unpacked before them, hard links carrying data, duplicates, devices),
 * and libarchive's own secure-extraction flags stand behind that.
 *
 * libarchive's disk writer works relative to the current directory (its
 * NOABSOLUTEPATHS check forbids naming the staging directory), so
 * ap_unpack changes the working directory for its duration and restores
 * it: it is not for use from several threads at once.
 */
#include "source.h"
#include "fileio.h"

#include "buf.h"
#include "interrupt.h"
#include "path.h"
#include "strmap.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- the kernel-only selection --------------------------------------------- */

/* The packages Sage's GAP 4.10.2.p1 package installs: the four GAP 4.10
 * needs to start (GAPDoc, and the group libraries its library's init
 * files read), and the fourteen an out-of-the-box GAP autoloads (and
 * atlasrep, which tomlib needs). spkg-install installs the same list. */
static const char *const needed_pkgs[] = {
	"gapdoc", "primgrp", "smallgrp", "transgrp",
	"atlasrep", "autpgrp", "alnuth", "crisp", "ctbllib", "factint", "fga", "irredsol",
	"laguna", "polenta", "polycyclic", "resclasses", "sophus", "tomlib",
};

int ap_upstream_wanted(const char *path, size_t *skipped)
{
	const char *name;
	size_t len;

	if (strncmp(path, "pkg/", 4) != 0)
		return 1;
	name = path + 4;
	len = strcspn(name, "/");
	if (len == 0)
		return 1;
	for (size_t i = 0; i < sizeof needed_pkgs / sizeof *needed_pkgs; i++) {
		size_t n = strlen(needed_pkgs[i]);

		/* the name alone, or with a version: "GAPDoc-1.6.2", "fga" */
		if (len >= n && strncasecmp(name, needed_pkgs[i], n) == 0 &&
		    (len == n || name[n] == '-' || name[n] == '.' || name[n] == '_'))
			return 1;
	}
	if (skipped)
		*skipped = 4 + len;
	return 0;
}

/* --- staging directories ------------------------------------------------------ */

int ap_rmtree(const char *path)
{
	return ap_remove_tree(AT_FDCWD, path);
}

int ap_dest_usable(const char *dest, ap_error *err)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int empty = 1;

	if (lstat(dest, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return ap_error_sys(err, "%s: cannot stat", dest);
	}
	if (!S_ISDIR(st.st_mode))
		return ap_error_set(err, "%s: already exists and is not a directory", dest);
	d = opendir(dest);
	if (!d)
		return ap_error_sys(err, "%s: cannot read", dest);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	if (!empty)
		return ap_error_set(err, "%s: already exists and is not empty; remove it or choose "
				    "another directory", dest);
	return 0;
}

char *ap_staging_dir(const char *dest, ap_error *err)
{
	char *copy = ap_strdup(dest), *copy2 = ap_strdup(dest), *path = NULL;
	size_t n;

	if (!copy || !copy2) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	/* basename() of "dir/" is "dir": drop trailing slashes first */
	n = strlen(copy2);
	while (n > 1 && copy2[n - 1] == '/')
		copy2[--n] = '\0';
	path = ap_printf("%s/.%s.staging-XXXXXX", dirname(copy), basename(copy2));
	if (!path) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	if (!mkdtemp(path)) {
		ap_error_sys(err, "%s: cannot make a staging directory beside it", dest);
		free(path);
		path = NULL;
	}
out:
	free(copy);
	free(copy2);
	return path;
}

int ap_staging_commit(const char *staging, const char *dest, ap_error *err)
{
	mode_t mask = umask(0);

	umask(mask);
	/* mkdtemp made it 0700; the tree should look like any other */
	if (chmod(staging, 0777 & ~mask) < 0)
		return ap_error_sys(err, "%s: chmod failed", staging);
	if (rename(staging, dest) < 0)
		return ap_error_sys(err, "cannot rename %s to %s", staging, dest);
	return 0;
}

/* --- entries ---------------------------------------------------------------------- */

enum kind { K_DIR = 1, K_FILE, K_SYMLINK, K_IMPLICIT_DIR };

typedef struct unpack_run {
	const char *tarball;
	ap_unpack_opts *o;
	ap_strmap seen;         /* path -> enum kind */
	ap_strmap skipped;      /* "pkg/NAME" already reported */
	ap_strlist skiplist;
	char *top;              /* the top directory assumed so far */
	int decided;            /* whether top has been looked for */
	int flat;               /* an entry outside top: keep names as they are */
	unsigned long long written, entries;          /* so far */
	unsigned long long max_bytes, max_entries;
	ap_error *err;
} unpack_run;

/* Cleans an entry name: "./a//b/" -> "a/b". NULL with *why on a name that
 * must not be unpacked at all. */
char *ap_archive_name(const char *raw, const char **why)
{
	ap_buf b = AP_BUF_INIT;
	const char *p = raw;

	*why = NULL;
	if (*raw == '/') {
		*why = "is an absolute path";
		return NULL;
	}
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			*why = "has a '..' component";
			ap_buf_free(&b);
			return NULL;
		}
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if ((b.len && ap_buf_putc(&b, '/') < 0) || ap_buf_add(&b, p, n) < 0) {
				*why = "out of memory";
				ap_buf_free(&b);
				return NULL;
			}
		}
		p += n;
		while (*p == '/')
			p++;
	}
	if (!b.data && ap_buf_puts(&b, "") < 0) {
		*why = "out of memory";
		return NULL;
	}
	return ap_buf_detach(&b, NULL);
}

static int refuse(unpack_run *r, const char *name, const char *why)
{
	char shown[512];

	ap_path_show(name, strlen(name), shown, sizeof shown);
	return ap_error_set(r->err, "%s: entry '%s' %s; the tarball is refused and nothing was "
			    "unpacked", r->tarball, shown, why);
}

static int kind_of(unpack_run *r, const char *path)
{
	return (int)(intptr_t)ap_strmap_get(&r->seen, path);
}

static int mark(unpack_run *r, const char *path, int kind)
{
	if (ap_strmap_put(&r->seen, path, (void *)(intptr_t)kind) < 0)
		return ap_error_set(r->err, "out of memory");
	return 0;
}

/* The directories above path must be directories: not a symlink (which
 * would carry the write elsewhere), not a file. Marks them as seen. */
static int check_parents(unpack_run *r, const char *raw, const char *path)
{
	char *copy = ap_strdup(path);
	int rc = 0;

	if (!copy)
		return ap_error_set(r->err, "out of memory");
	for (char *s = strchr(copy, '/'); s && rc == 0; s = strchr(s + 1, '/')) {
		int k;

		*s = '\0';
		k = kind_of(r, copy);
		if (k == K_SYMLINK) {
			char why[1400], shown[512];

			ap_path_show(copy, strlen(copy), shown, sizeof shown);
			snprintf(why, sizeof why, "would be written through the symbolic link '%s'",
				 shown);
			rc = refuse(r, raw, why);
		} else if (k == K_FILE) {
			char why[1400], shown[512];

			ap_path_show(copy, strlen(copy), shown, sizeof shown);
			snprintf(why, sizeof why, "is inside '%s', which is a file", shown);
			rc = refuse(r, raw, why);
		} else if (k == 0) {
			rc = mark(r, copy, K_IMPLICIT_DIR);
		}
		*s = '/';
	}
	free(copy);
	return rc;
}

/* Which part of path is relative to the tree's root: past the top
 * directory when one is being dropped. NULL when path lies outside a top
 * directory that strip_top == 1 requires. */
static const char *relative(unpack_run *r, const char *path, int is_dir)
{
	size_t n;

	if (r->o->strip_top == 0)
		return path;
	n = strcspn(path, "/");
	if (!r->decided) {
		r->decided = 1;
		if (path[n] == '/' || is_dir)
			r->top = ap_strndup(path, n);
	}
	if (r->top && !r->flat && strlen(r->top) == n && strncmp(path, r->top, n) == 0)
		return path[n] == '/' ? path + n + 1 : path + n;
	if (r->o->strip_top == 1)
		return NULL;
	r->flat = 1;
	return path;
}

/* The top-level directory judge leaves out (.pc or .git) that the archive
 * name path lies in, or NULL. Unlike relative, it decides nothing. */
static const char *dropped_dir(const unpack_run *r, const char *path)
{
	static const char *const dropped[] = { ".pc", ".git" };
	const char *rel = path;
	size_t n = r->top ? strlen(r->top) : 0;

	if (r->o->strip_top != 0 && r->top && !r->flat && strncmp(path, r->top, n) == 0 &&
	    path[n] == '/')
		rel = path + n + 1;
	for (size_t i = 0; i < sizeof dropped / sizeof *dropped; i++) {
		size_t k = strlen(dropped[i]);

		if (strncmp(rel, dropped[i], k) == 0 && (rel[k] == '/' || !rel[k]))
			return dropped[i];
	}
	return NULL;
}

static int note_skipped(unpack_run *r, const char *rel, size_t n)
{
	char *name = ap_strndup(rel, n);
	int rc = 0;

	if (!name)
		return ap_error_set(r->err, "out of memory");
	if (!ap_strmap_get(&r->skipped, name) &&
	    (ap_strmap_put(&r->skipped, name, (void *)1) < 0 ||
	     ap_strlist_add(&r->skiplist, name) < 0))
		rc = ap_error_set(r->err, "out of memory");
	free(name);
	return rc;
}

/* Judges one entry and prepares it for the disk writer. Returns 1 to
 * write it, 0 to skip it, -1 to refuse the tarball. */
static int judge(unpack_run *r, struct archive_entry *e)
{
	const char *raw = archive_entry_pathname(e);
	const char *link = archive_entry_hardlink(e);
	const char *why, *rel;
	mode_t type = archive_entry_filetype(e);
	char *path = NULL;
	int rc = -1, k;
	size_t skip_len;

	if (!raw)
		return ap_error_set(r->err, "%s: an entry's name cannot be decoded; the tarball is "
				    "refused and nothing was unpacked", r->tarball);
	path = ap_archive_name(raw, &why);
	if (!path)
		return refuse(r, raw, why);
	if (!*path) {
		rc = 0;   /* "./": the root itself */
		goto out;
	}
	rel = relative(r, path, type == AE_IFDIR && !link);
	if (!rel) {
		char w[1400], shown[256];

		if (r->top) {
			ap_path_show(r->top, strlen(r->top), shown, sizeof shown);
			snprintf(w, sizeof w, "is outside the top directory '%s' of the entries "
				 "before it", shown);
		} else {
			snprintf(w, sizeof w, "is not inside a top directory (the tarball has none "
				 "to drop)");
		}
		refuse(r, raw, w);
		goto out;
	}
	if (*rel && ap_path_in_state_dir(rel, strlen(rel))) {
		refuse(r, raw, AP_STATE_DIR_FOREIGN);
		goto out;
	}
	/* a git checkout's history is no part of the tree to build, and its
	 * config can name programs git runs (core.fsmonitor): as prepare --dir */
	if (*rel && strncmp(rel, ".git", 4) == 0 && (rel[4] == '/' || !rel[4])) {
		rc = 0;
		goto out;
	}
	/* nor is quilt's record of patches whoever packed the tarball had
	 * applied: a stale .pc/ would tell quilt, dpkg-source and applypatch
	 * that patches are applied which a release's files need not hold.
	 * Left out, and said (the files themselves are unpacked as they are) */
	if (*rel && strncmp(rel, ".pc", 3) == 0 && (rel[3] == '/' || !rel[3])) {
		r->o->dropped_pc = 1;
		rc = 0;
		goto out;
	}
	/* Never written, so not judged further: a sloppy link in a package
	 * the build does not need must not refuse the release. (Its name was
	 * judged above: that much every entry must pass.) */
	if (!r->o->full && *rel && !ap_upstream_wanted(rel, &skip_len)) {
		rc = note_skipped(r, rel, skip_len) < 0 ? -1 : 0;
		goto out;
	}
	if (!link && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) {
		refuse(r, raw, type == AE_IFCHR || type == AE_IFBLK ? "is a device file"
			       : type == AE_IFIFO ? "is a named pipe" : type == AE_IFSOCK ? "is a socket"
			       : "has an unknown file type");
		goto out;
	}
	if (check_parents(r, raw, path) < 0)
		goto out;
	k = kind_of(r, path);
	if (k && !(type == AE_IFDIR && !link && (k == K_DIR || k == K_IMPLICIT_DIR))) {
		refuse(r, raw, k == K_IMPLICIT_DIR ? "replaces a directory made by earlier entries"
			       : "appears a second time and would replace the first");
		goto out;
	}
	if (link) {
		const char *lwhy, *dropped;
		char *target = ap_archive_name(link, &lwhy);
		char w[1400], shown[512];

		if (!target) {
			snprintf(w, sizeof w, "is a hard link to a name that %s", lwhy);
			refuse(r, raw, w);
			goto out;
		}
		ap_path_show(target, strlen(target), shown, sizeof shown);
		if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0) {
			snprintf(w, sizeof w, "is a hard link to '%s' that carries %lld bytes of data "
				 "(which would be written into '%s')", shown,
				 (long long)archive_entry_size(e), shown);
			free(target);
			refuse(r, raw, w);
			goto out;
		}
		if (kind_of(r, target) != K_FILE && (dropped = dropped_dir(r, target))) {
			/* the usual message would send the reader looking for a
			 * file that is there in the tarball (red-team 4) */
			snprintf(w, sizeof w, "is a hard link to '%s', which is inside the top-level "
				 "%s/ that unpack leaves out (a hard link needs its target "
				 "unpacked)", shown, dropped);
			free(target);
			refuse(r, raw, w);
			goto out;
		}
		if (kind_of(r, target) != K_FILE) {
			snprintf(w, sizeof w, "is a hard link to '%s', which is not a file unpacked "
				 "before it%s", shown, r->o->full ? "" :
				 " (if it is under a skipped pkg/ directory, --full unpacks it)");
			free(target);
			refuse(r, raw, w);
			goto out;
		}
		archive_entry_copy_hardlink(e, target);
		free(target);
	} else if (type == AE_IFLNK) {
		const char *target = archive_entry_symlink(e);
		/* judged from the tree's root, so a link in gap-4.10.2/ may
		 * not point at a sibling of gap-4.10.2 */
		if (!target || !ap_path_symlink_inside(rel, target, strlen(target))) {
			char w[1400], shown[512];

			ap_path_show(target ? target : "", target ? strlen(target) : 0, shown,
				     sizeof shown);
			snprintf(w, sizeof w, "is a symbolic link to '%s', which points outside the tree",
				 shown);
			refuse(r, raw, w);
			goto out;
		}
	}
	if (mark(r, path, link ? K_FILE : type == AE_IFDIR ? K_DIR
			       : type == AE_IFLNK ? K_SYMLINK : K_FILE) < 0)
		goto out;
	archive_entry_copy_pathname(e, path);
	/* no set-id bits from a downloaded tarball */
	archive_entry_set_perm(e, archive_entry_perm(e) & 0777);
	rc = 1;
out:
	free(path);
	return rc;
}

/* The entry named would take what is unpacked to more than the limit. */
static int too_big(unpack_run *r, const char *name, unsigned long long size)
{
	char shown[512];

	ap_path_show(name, strlen(name), shown, sizeof shown);
	return ap_error_set(r->err, "%s: entry '%s' (%llu bytes) would take what is unpacked past "
			    "%llu bytes, the limit on what an unpack writes (a decompression bomb "
			    "would fill the disk); the tarball is refused and nothing was unpacked. "
			    "--max-size SIZE raises the limit", r->tarball, shown, size, r->max_bytes);
}

/* An entry's bytes, each block checked against the limit before it is
 * written: a size the header understated gains nothing. Counted by where a
 * block ends, so a hole counts as the bytes it claims. */
static int copy_data(unpack_run *r, struct archive *in, struct archive *out, const char *name,
		     unsigned long long *end)
{
	const void *buf;
	size_t len;
	la_int64_t off;

	for (;;) {
		int rc = archive_read_data_block(in, &buf, &len, &off);

		if (rc == ARCHIVE_EOF)
			return 0;
		if (rc < ARCHIVE_WARN)
			return ap_error_set(r->err, "%s: reading '%s': %s", r->tarball, name,
					    archive_error_string(in));
		if (off < 0 || (unsigned long long)off + len > r->max_bytes - r->written)
			return too_big(r, name, (unsigned long long)(off < 0 ? 0 : off) + len);
		if ((unsigned long long)off + len > *end)
			*end = (unsigned long long)off + len;
		if (archive_write_data_block(out, buf, len, off) < ARCHIVE_WARN)
			return ap_error_set(r->err, "%s: writing '%s': %s", r->tarball, name,
					    archive_error_string(out));
	}
}

static int extract(unpack_run *r, struct archive *in, struct archive *out)
{
	struct archive_entry *e;
	int rc;

	while ((rc = archive_read_next_header(in, &e)) != ARCHIVE_EOF) {
		unsigned long long end;
		int j;

		if (ap_interrupted())
			return ap_error_set(r->err, "%s: interrupted by signal %d; nothing was left "
					    "behind", r->tarball, ap_interrupted());
		if (rc < ARCHIVE_WARN)
			return ap_error_set(r->err, "%s: %s", r->tarball, archive_error_string(in));
		if (++r->entries > r->max_entries)
			return ap_error_set(r->err, "%s: more than %llu entries, the limit on what an "
					    "unpack reads; the tarball is refused and nothing was "
					    "unpacked. --max-entries N raises the limit", r->tarball,
					    r->max_entries);
		j = judge(r, e);
		if (j < 0)
			return -1;
		if (j == 1 && archive_entry_size_is_set(e) && archive_entry_size(e) > 0 &&
		    (unsigned long long)archive_entry_size(e) > r->max_bytes - r->written)
			return too_big(r, archive_entry_pathname(e),
				       (unsigned long long)archive_entry_size(e));
		if (j == 0) {
			if (archive_read_data_skip(in) < ARCHIVE_WARN)
				return ap_error_set(r->err, "%s: %s", r->tarball,
						    archive_error_string(in));
			continue;
		}
		if (archive_write_header(out, e) < ARCHIVE_WARN) {
			char shown[512];
			const char *p = archive_entry_pathname(e);

			ap_path_show(p, strlen(p), shown, sizeof shown);
			return ap_error_set(r->err, "%s: entry '%s': %s; the tarball is refused and "
					    "nothing was unpacked", r->tarball, shown,
					    archive_error_string(out));
		}
		end = 0;
		if (archive_entry_size(e) > 0 &&
		    copy_data(r, in, out, archive_entry_pathname(e), &end) < 0)
			return -1;
		if (archive_entry_size(e) > 0 && (unsigned long long)archive_entry_size(e) > end)
			end = (unsigned long long)archive_entry_size(e);
		r->written += end;
		if (archive_write_finish_entry(out) < ARCHIVE_WARN)
			return ap_error_set(r->err, "%s: entry '%s': %s", r->tarball,
					    archive_entry_pathname(e), archive_error_string(out));
	}
	if (archive_write_close(out) < ARCHIVE_WARN)
		return ap_error_set(r->err, "%s: %s", r->tarball, archive_error_string(out));
	return 0;
}

/* Moves what is in staging to dest: its single top directory when that
 * is being dropped, else the staging directory itself. */
static int place(unpack_run *r, const char *staging, const char *dest)
{
	char *inner;
	int rc;

	/* an empty archive (or one of nothing but skipped packages) is no tree */
	if (r->seen.n == 0)
		return ap_error_set(r->err, "%s: the archive holds nothing to unpack%s", r->tarball,
				    r->skiplist.n ? " (every entry is under a skipped pkg/ package; "
				    "--full unpacks them)" : " (it is empty)");
	if (r->o->strip_top == 0 || r->flat || !r->top)
		return r->o->strip_top == 1 && !r->top
		       ? ap_error_set(r->err, "%s: has no top directory to drop", r->tarball)
		       : ap_staging_commit(staging, dest, r->err);
	inner = ap_printf("%s/%s", staging, r->top);
	if (!inner)
		return ap_error_set(r->err, "out of memory");
	if (kind_of(r, r->top) == 0) {
		free(inner);
		return ap_error_set(r->err, "%s: nothing to unpack", r->tarball);
	}
	rc = rename(inner, dest);
	if (rc < 0)
		ap_error_sys(r->err, "cannot rename %s to %s", inner, dest);
	else
		rmdir(staging);
	free(inner);
	return rc;
}

int ap_tarball_open(const char *path, ap_error *err)
{
	struct stat st;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return ap_error_sys(err, "%s: cannot open", path);
	if (fstat(fd, &st) < 0) {
		ap_error_sys(err, "%s: cannot stat", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		ap_error_set(err, "%s: not a regular file (%s); a tarball must be one", path,
			     S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO"
			     : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
			     : "a socket or other special file");
		close(fd);
		return -1;
	}
	if (st.st_size == 0) {
		ap_error_set(err, "%s: the file is empty (0 bytes), not a tarball", path);
		close(fd);
		return -1;
	}
	if (fcntl(fd, F_SETFL, 0) < 0) {
		ap_error_sys(err, "%s: fcntl", path);
		close(fd);
		return -1;
	}
	return fd;
}

int ap_unpack(const char *tarball, const char *dest, ap_unpack_opts *o, ap_error *err)
{
	int fd = ap_tarball_open(tarball, err);

	if (fd < 0)
		return -1;
	int rc = ap_unpack_fd(fd, tarball, dest, o, err);
	close(fd);
	return rc;
}

int ap_unpack_fd(int fd, const char *tarball, const char *dest, ap_unpack_opts *o,
		 ap_error *err)
{
	ap_unpack_opts dflt = { 0, 0, NULL, 0, 0, 0, 0 };
	unpack_run r;
	struct archive *in = NULL, *out = NULL;
	char *staging = NULL;
	int cwd = -1, rc = -1;

	if (!o)
		o = &dflt;
	o->skipped = NULL;
	o->nskipped = 0;
	o->dropped_pc = 0;
	memset(&r, 0, sizeof r);
	r.tarball = tarball;
	r.o = o;
	r.err = err;
	r.max_bytes = o->max_bytes ? o->max_bytes : AP_UNPACK_MAX_BYTES;
	r.max_entries = o->max_entries ? o->max_entries : AP_UNPACK_MAX_ENTRIES;
	if (ap_dest_usable(dest, err) < 0)
		return -1;
	staging = ap_staging_dir(dest, err);
	if (!staging)
		return -1;
	in = archive_read_new();
	out = archive_write_disk_new();
	if (!in || !out) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	archive_read_support_filter_all(in);
	archive_read_support_format_all(in);
	archive_write_disk_set_options(out, ARCHIVE_EXTRACT_SECURE_NODOTDOT |
					    ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS |
					    ARCHIVE_EXTRACT_SECURE_SYMLINKS |
					    ARCHIVE_EXTRACT_NO_OVERWRITE | ARCHIVE_EXTRACT_TIME);
	/* the bytes a caller checked are the bytes unpacked: the same open file,
	 * from its start, never the name again */
	if (lseek(fd, 0, SEEK_SET) < 0) {
		ap_error_sys(err, "%s: cannot rewind", tarball);
		goto out;
	}
	if (archive_read_open_fd(in, fd, 1 << 16) != ARCHIVE_OK) {
		ap_error_set(err, "%s: %s", tarball, archive_error_string(in));
		goto out;
	}
#ifdef O_PATH
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
#else
	cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
#endif
	if (cwd < 0) {
		ap_error_sys(err, "cannot remember the current directory");
		goto out;
	}
	if (chdir(staging) < 0) {
		ap_error_sys(err, "%s: chdir failed", staging);
		goto out;
	}
	rc = extract(&r, in, out);
	if (fchdir(cwd) < 0 && rc == 0)
		rc = ap_error_sys(err, "cannot return to the current directory");
	if (rc == 0)
		rc = place(&r, staging, dest);
out:
	if (cwd >= 0)
		close(cwd);
	archive_write_free(out);
	archive_read_free(in);
	if (rc < 0)
		ap_rmtree(staging);
	free(staging);
	free(r.top);
	ap_strmap_free(&r.seen);
	ap_strmap_free(&r.skipped);
	if (rc == 0) {
		o->skipped = r.skiplist.v;
		o->nskipped = r.skiplist.n;
	} else {
		ap_strlist_free(&r.skiplist);
	}
	return rc;
}

void ap_unpack_opts_free(ap_unpack_opts *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nskipped; i++)
		free(o->skipped[i]);
	free(o->skipped);
	o->skipped = NULL;
	o->nskipped = 0;
}
