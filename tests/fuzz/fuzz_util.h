/* fuzz_util.h - what the file-system fuzz targets share: a scratch
 * directory on tmpfs made once per process, writing files and symlinks
 * into it, removing trees without following symlinks, and a snapshot of a
 * directory (every path, its type, mode, and bytes or link target) so a
 * target can assert that a tree is byte-identical to how it started.
 *
 * Header-only (static functions): each target is one translation unit.
 * Anything that goes wrong in the harness itself (not in the library) is
 * reported with harness_die, which aborts like a finding would: a harness
 * that silently skips its checks would prove nothing.
 */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ASan keeps 256 MB of freed memory in quarantine by default; with a
 * directory listing (32 KB each) per input that churns through fresh pages
 * and halves the execution rate. 32 MB still catches a use after free
 * within one input, which is all one execution can do. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=32";
}

/* not every target uses every helper */
#define FZ_API static __attribute__((unused))

__attribute__((noreturn, format(printf, 1, 2)))
FZ_API void harness_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("FUZZ HARNESS: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

/* A finding: an invariant of the library does not hold for this input. */
__attribute__((noreturn, format(printf, 1, 2)))
FZ_API void finding(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("FUZZ FINDING: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

/* Whether FUZZ_KNOWN (a comma-separated list) names this bug: a campaign
 * can then go on past a bug already reported, while the regression
 * inputs (replayed without FUZZ_KNOWN) keep failing until it is fixed. */
FZ_API int known_bug(const char *tag)
{
	const char *k = getenv("FUZZ_KNOWN");
	size_t tl = strlen(tag);

	for (const char *p = k; p && *p; p += strcspn(p, ","), p += *p == ',') {
		if (strncmp(p, tag, tl) == 0 && (p[tl] == ',' || p[tl] == '\0'))
			return 1;
	}
	return 0;
}

static char fz_base[512];

FZ_API void fz_rm_rf_at(int parent, const char *name);

FZ_API void fz_cleanup_base(void)
{
	if (fz_base[0])
		fz_rm_rf_at(AT_FDCWD, fz_base);
}

/* Makes the per-process scratch directory, on tmpfs when there is one
 * (the targets create and remove thousands of small files a second). */
FZ_API const char *fz_scratch_base(const char *tag)
{
	const char *roots[] = { getenv("FUZZ_TMPDIR"), "/dev/shm", getenv("TMPDIR"), "/tmp" };

	if (fz_base[0])
		return fz_base;
	for (size_t i = 0; i < sizeof roots / sizeof *roots; i++) {
		if (!roots[i] || access(roots[i], W_OK) != 0)
			continue;
		snprintf(fz_base, sizeof fz_base, "%s/%s.XXXXXX", roots[i], tag);
		if (mkdtemp(fz_base)) {
			atexit(fz_cleanup_base);
			return fz_base;
		}
	}
	harness_die("cannot create a scratch directory");
}

/* Removes name under parent, never following a symlink. */
FZ_API void fz_rm_rf_at(int parent, const char *name)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d;
	struct dirent *e;

	if (fd < 0) {
		if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
			harness_die("cannot remove %s: %s", name, strerror(errno));
		return;
	}
	/* a directory the library left without write permission */
	fchmod(fd, 0700);
	d = fdopendir(fd);
	if (!d)
		harness_die("fdopendir %s: %s", name, strerror(errno));
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			fz_rm_rf_at(dirfd(d), e->d_name);
	closedir(d);
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		harness_die("cannot remove directory %s: %s", name, strerror(errno));
}

/* mkdir -p for the directories above rel (relative to root); 0 ok, -1 when
 * a file is in the way (the caller skips that entry). */
FZ_API int fz_mkparents(const char *root, const char *rel)
{
	char path[4096];
	size_t rl = strlen(root);

	if (rl + 1 + strlen(rel) >= sizeof path)
		return -1;
	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (char *p = path + rl + 1; (p = strchr(p, '/')); p++) {
		struct stat st;

		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -1;
		if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			return -1;
		*p = '/';
	}
	return 0;
}

/* Writes root/rel with data and mode (parents made); -1 if it cannot. */
FZ_API int fz_write(const char *root, const char *rel, const void *data, size_t len, mode_t mode)
{
	char path[4096];
	int fd;

	if (fz_mkparents(root, rel) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/%s", root, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (len && write(fd, data, len) != (ssize_t)len)
		harness_die("short write to %s", path);
	fchmod(fd, mode);
	close(fd);
	return 0;
}

FZ_API int fz_symlink(const char *root, const char *rel, const char *target)
{
	char path[4096];

	if (fz_mkparents(root, rel) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/%s", root, rel);
	return symlink(target, path);
}

/* Whether rel is a name the harness may create under its scratch root:
 * relative, no "." or ".." components, no empty ones, printable. This
 * guards the harness's own writes; it is not the library's check. */
FZ_API int fz_safe_rel(const char *rel, size_t len)
{
	size_t i = 0;

	if (len == 0 || len > 200 || rel[0] == '/')
		return 0;
	for (size_t k = 0; k < len; k++)
		if ((unsigned char)rel[k] < 0x20 || rel[k] == 0x7f)
			return 0;
	while (i <= len) {
		size_t j = i;

		while (j < len && rel[j] != '/')
			j++;
		if (j == i)
			return 0;
		if ((j - i == 1 && rel[i] == '.') || (j - i == 2 && rel[i] == '.' && rel[i + 1] == '.'))
			return 0;
		i = j + 1;
	}
	return 1;
}

/* --- snapshots --------------------------------------------------------- */

typedef struct fz_entry {
	char *s;      /* "path\ttype mode\tbytes-or-link-target" */
	size_t len;
} fz_entry;

typedef struct fz_snap {
	fz_entry *v;
	size_t n, cap;
} fz_snap;

FZ_API void fz_snap_add(fz_snap *s, char *entry, size_t len)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof *s->v);
		if (!s->v)
			harness_die("out of memory");
	}
	s->v[s->n].s = entry;
	s->v[s->n].len = len;
	s->n++;
}

FZ_API void fz_snap_walk(fz_snap *s, int dirfd_, const char *prefix)
{
	int fd = openat(dirfd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d)
		harness_die("cannot read directory %s: %s", prefix, strerror(errno));
	while ((e = readdir(d))) {
		struct stat st;
		char rel[4096], head[4200], *entry;
		size_t hl, bl = 0;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(rel, sizeof rel, "%s%s%s", prefix, *prefix ? "/" : "", e->d_name);
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			harness_die("stat %s: %s", rel, strerror(errno));
		hl = (size_t)snprintf(head, sizeof head, "%s\t%c %o\t", rel,
				      S_ISLNK(st.st_mode) ? 'l' : S_ISDIR(st.st_mode) ? 'd'
				      : S_ISREG(st.st_mode) ? 'f' : '?',
				      (unsigned)(S_ISLNK(st.st_mode) ? 0 : st.st_mode & 07777));
		if (S_ISREG(st.st_mode))
			bl = (size_t)st.st_size;
		else if (S_ISLNK(st.st_mode))
			bl = 4096;
		entry = malloc(hl + bl + 1);
		if (!entry)
			harness_die("out of memory");
		memcpy(entry, head, hl);
		if (S_ISREG(st.st_mode)) {
			int f = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			size_t got = 0;

			if (f < 0)
				harness_die("open %s: %s", rel, strerror(errno));
			while (got < bl) {
				ssize_t r = read(f, entry + hl + got, bl - got);

				if (r <= 0)
					harness_die("read %s", rel);
				got += (size_t)r;
			}
			close(f);
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t r = readlinkat(dirfd(d), e->d_name, entry + hl, bl);

			if (r < 0)
				harness_die("readlink %s", rel);
			bl = (size_t)r;
		}
		entry[hl + bl] = '\0';
		fz_snap_add(s, entry, hl + bl);
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0) {
				/* unreadable: the mode is in the entry; recurse after fixing */
				harness_die("cannot open directory %s: %s", rel, strerror(errno));
			}
			fz_snap_walk(s, sub, rel);
			close(sub);
		}
	}
	closedir(d);
}

FZ_API int fz_snap_cmp(const void *a, const void *b)
{
	return strcmp(((const fz_entry *)a)->s, ((const fz_entry *)b)->s);
}

/* Takes a snapshot of everything under path (which must be a directory). */
FZ_API void fz_snap_take(fz_snap *s, const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	memset(s, 0, sizeof *s);
	if (fd < 0)
		harness_die("cannot open %s: %s", path, strerror(errno));
	fz_snap_walk(s, fd, "");
	close(fd);
	/* entries start "path\t", and a tab sorts before '/': sorting the
	 * strings sorts by path, whatever order readdir gave */
	if (s->n)
		qsort(s->v, s->n, sizeof *s->v, fz_snap_cmp);
}

FZ_API void fz_snap_free(fz_snap *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].s);
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* NULL when equal, else the first path that differs (static buffer). */
FZ_API const char *fz_snap_diff(const fz_snap *a, const fz_snap *b)
{
	static char what[600];
	size_t i = 0, j = 0;

	while (i < a->n || j < b->n) {
		const char *x = i < a->n ? a->v[i].s : NULL, *y = j < b->n ? b->v[j].s : NULL;
		size_t xl = x ? strcspn(x, "\t") : 0, yl = y ? strcspn(y, "\t") : 0;

		if (x && y && xl == yl && memcmp(x, y, xl) == 0) {
			if (a->v[i].len != b->v[j].len || memcmp(x, y, a->v[i].len) != 0) {
				snprintf(what, sizeof what, "%.*s changed", (int)(xl > 500 ? 500 : xl), x);
				return what;
			}
			i++;
			j++;
		} else if (y && (!x || strcmp(x, y) > 0)) {
			snprintf(what, sizeof what, "%.*s appeared", (int)(yl > 500 ? 500 : yl), y);
			return what;
		} else {
			snprintf(what, sizeof what, "%.*s disappeared", (int)(xl > 500 ? 500 : xl), x);
			return what;
		}
	}
	return NULL;
}

#endif
