/* fingerprint.c - the inputs of a build, as text (see fingerprint.h). */
#include "fingerprint.h"
#include "builddir.h"
#include "hash.h"
#include "loaded_series.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names, sizes, modes and mtimes of every file the build would copy: a
 * changed directory upstream is noticed as make would notice it. */
static int dir_digest(ap_buf *acc, int dfd, const char *rel, ap_error *err)
{
	size_t depth = rel[0] != '\0';
	for (const char *p = rel; *p; p++)
		depth += *p == '/';
	/* each level holds a descriptor and a frame: a bound, not a crash */
	if (depth >= AP_TREE_DEPTH_MAX) {
		close(dfd);
		return ap_error_set(err, "%.60s...: more than %d directories deep; a source tree is not, "
				    "so it is refused", rel, AP_TREE_DEPTH_MAX);
	}
	DIR *d = fdopendir(dfd);
	char **names = NULL;
	size_t n = 0;
	if (!d) {
		close(dfd);
		return ap_error_sys(err, "%s: cannot read the directory", rel[0] ? rel : ".");
	}
	for (struct dirent *de; (de = readdir(d));) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (ap_strv_add(&names, &n, de->d_name) < 0) {
			closedir(d);
			ap_strv_free(names, n);
			return ap_error_set(err, "out of memory");
		}
	}
	qsort(names, n, sizeof(*names), cmp_names);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *path = rel[0] ? ap_printf("%s/%s", rel, names[i]) : ap_strdup(names[i]);
		struct stat st;
		if (!path) {
			rc = ap_error_set(err, "out of memory");
			break;
		}
		if (!ap_upstream_wanted(path, NULL)) {
			free(path);
			continue;
		}
		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = ap_error_sys(err, "%s: cannot stat", path);
		} else {
			ap_buf_printf(acc, "%s\t%o\t%lld\t%lld.%09ld\n", path, (unsigned)st.st_mode,
				      (long long)st.st_size, (long long)st.st_mtim.tv_sec,
				      st.st_mtim.tv_nsec);
			if (S_ISDIR(st.st_mode)) {
				int sub = openat(dirfd(d), names[i],
						 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (sub < 0)
					rc = ap_error_sys(err, "%s: cannot open", path);
				else
					rc = dir_digest(acc, sub, path, err);
			}
		}
		free(path);
	}
	closedir(d);
	ap_strv_free(names, n);
	return rc;
}

/* A tarball by its own bytes. */
static char *tarball_key(const char *path, ap_error *err)
{
	char hex[AP_SHA256_HEX];
	int fd = ap_tarball_open(path, err);
	if (fd < 0)
		return NULL;
	int rc = ap_sha256_fd(fd, path, hex, err);
	close(fd);
	return rc < 0 ? NULL : ap_printf("sha256:%s", hex);
}

/* A cheap name for exactly which upstream this is, without preparing it. */
char *ap_fingerprint_upstream(const ap_upstream *u, ap_error *err)
{
	switch (u->kind) {
	case AP_UPSTREAM_DIR: {
		ap_buf acc = AP_BUF_INIT;
		char hex[AP_SHA256_HEX];
		int fd = open(u->location, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			ap_error_sys(err, "%s: cannot open the upstream directory", u->location);
			return NULL;
		}
		if (dir_digest(&acc, fd, "", err) < 0 ||
		    ap_sha256_hex(acc.data ? acc.data : "", acc.len, hex) < 0) {
			ap_buf_free(&acc);
			return NULL;
		}
		ap_buf_free(&acc);
		return ap_printf("dir-stat:sha256:%s (%s)", hex, u->location);
	}
	case AP_UPSTREAM_TARBALL:
		return tarball_key(u->location, err);
	case AP_UPSTREAM_PINNED: {
		/* the tarball's bytes, not the pin's sha256: a sha1-only pin (Sage's
		 * own) gives none, and every tarball would look the same */
		char *path = NULL;
		if (ap_upstream_tarball(u, &path, NULL, err) < 0)
			return NULL;
		struct stat st;
		char *k = lstat(path, &st) < 0 && errno == ENOENT ? ap_strdup(AP_FINGERPRINT_NOT_YET)
								   : tarball_key(path, err);
		if (!k && err && !err->msg[0])
			ap_error_set(err, "out of memory");
		free(path);
		return k;
	}
	case AP_UPSTREAM_GIT: {
		ap_source *s = NULL;
		const char *none[] = { NULL };
		if (ap_source_open(&s, u, none, err) < 0)
			return NULL;
		char *k = ap_strdup(ap_source_identity(s));
		ap_source_free(s);
		return k;
	}
	}
	ap_error_set(err, "unknown kind of upstream");
	return NULL;
}

char *ap_fingerprint_compiler(void)
{
	const char *cc = getenv("CC");
	char *argv[] = { (char *)(cc && *cc ? cc : "cc"), (char *)"--version", NULL };
	ap_runner r;
	ap_error e = AP_ERROR_INIT;
	memset(&r, 0, sizeof(r));
	r.logfd = -1;
	r.capturing = 1;
	int st = ap_runner_run(&r, argv, ".", &e);
	char *first = NULL;
	if (st == 0 && r.capture.data) {
		size_t n = strcspn(r.capture.data, "\n");
		first = ap_strndup(r.capture.data, n);
	}
	ap_buf_free(&r.capture);
	char *id = ap_printf("%s: %s", argv[0], first ? first : "unknown");
	free(first);
	return id;
}

/* The selected patches and their sums, as fingerprint lines. */
int ap_fingerprint_series(const char *patches_dir, const char *platform, ap_buf *out,
			char ***names, size_t *nnames, ap_error *err)
{
	ap_loaded_series ls;
	memset(&ls, 0, sizeof(ls));
	if (!patches_dir)
		return 0;
	if (ap_loaded_series_load(&ls, patches_dir, platform, 0, 1, err) < 0)
		return -1;
	for (size_t i = 0; i < ls.series.n; i++) {
		const ap_series_entry *se = &ls.series.v[i];
		if (!se->selected)
			continue;
		if (ls.errors && ls.errors[i]) {
			ap_error_set(err, "%s", ls.errors[i]);
			ap_loaded_series_free(&ls);
			return -1;
		}
		ap_buf_printf(out, "patch %s -p%d %s\n", se->name, se->strip, ls.sha256[i]);
		if (names && ap_strv_add(names, nnames, se->name) < 0) {
			ap_loaded_series_free(&ls);
			return ap_error_set(err, "out of memory");
		}
	}
	ap_loaded_series_free(&ls);
	return 0;
}

int ap_fingerprint_same(const char *path, const char *want)
{
	ap_buf b = AP_BUF_INIT;
	ap_error e = AP_ERROR_INIT;
	int same = ap_builddir_read(path, &b, &e) == 0 && b.data && strcmp(b.data, want) == 0;
	ap_buf_free(&b);
	return same;
}
