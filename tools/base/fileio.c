/* fileio.c - whole files in and out, for every module of the library. */
#include "fileio.h"

#include "buf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ap_read_fd(int fd, size_t size, const char *path, char **data, size_t *len,
	       ap_error *err)
{
	char *buf = malloc(size + 1);
	size_t got = 0;

	if (!buf)
		return ap_error_set(err, "out of memory reading %s", path);
	ap_populate(buf, size);
	while (got < size) {
		ssize_t r = read(fd, buf + got, size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ap_error_sys(err, "cannot read %s", path);
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return 0;
}

static const char *kind_of(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

int ap_file_read_at(int dirfd, const char *path, size_t max, char **data, size_t *len,
		    ap_error *err)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	int rc;

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return ap_error_sys(err, "cannot open %s", path);
	if (fstat(fd, &st) < 0) {
		rc = ap_error_sys(err, "cannot stat %s", path);
		close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return ap_error_set(err, "%s is %s, not a regular file", path, kind_of(st.st_mode));
	}
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		return ap_error_set(err, "%s is %lld bytes, more than the limit of %zu bytes", path,
				    (long long)st.st_size, max);
	}
	rc = ap_read_fd(fd, (size_t)st.st_size, path, data, len, err);
	close(fd);
	return rc;
}

int ap_file_read(const char *path, size_t max, char **data, size_t *len, ap_error *err)
{
	return ap_file_read_at(AT_FDCWD, path, max, data, len, err);
}

int ap_mkdirs(const char *path, mode_t mode, ap_error *err)
{
	char *p = ap_strdup(path);
	int rc = 0;

	if (!p)
		return ap_error_set(err, "out of memory");
	for (char *s = p + 1; ; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			rc = ap_error_sys(err, "%s: cannot create", p);
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	if (rc == 0) {
		struct stat st;

		if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			rc = ap_error_set(err, "%s: exists and is not a directory", p);
	}
	free(p);
	return rc;
}

int ap_remove_tree(int parent, const char *name)
{
	int fd, saved = 0;
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(parent, name, 0) < 0 && errno != ENOENT ? -1 : 0;
	/* a tarball may make a directory read-only; it still has to go */
	if ((st.st_mode & 0700) != 0700)
		fchmodat(parent, name, 0700, 0);
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (ap_remove_tree(fd, e->d_name) < 0 && !saved)
			saved = errno;
	}
	closedir(d);
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT && !saved)
		saved = errno;
	if (saved) {
		errno = saved;
		return -1;
	}
	return 0;
}

int ap_sha256_fd(int fd, const char *path, char out[AP_SHA256_HEX], ap_error *err)
{
	ap_digest d = AP_DIGEST_INIT;
	char *chunk = malloc(1 << 16);
	ssize_t got;

	out[0] = '\0';
	if (!chunk || ap_digest_begin(&d, AP_DIGEST_SHA256) < 0) {
		free(chunk);
		return ap_error_set(err, "%s: cannot start SHA-256 (out of memory or libcrypto "
				    "failed)", path);
	}
	while ((got = read(fd, chunk, 1 << 16)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || ap_digest_add(&d, chunk, (size_t)got) < 0) {
			int rc = got < 0 ? ap_error_sys(err, "%s: read failed", path)
					 : ap_error_set(err, "%s: SHA-256 failed in libcrypto", path);

			ap_digest_discard(&d);
			free(chunk);
			return rc;
		}
	}
	free(chunk);
	if (ap_digest_end(&d, out) < 0)
		return ap_error_set(err, "%s: SHA-256 failed in libcrypto", path);
	return 0;
}
