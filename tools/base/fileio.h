/* fileio.h - whole files in and out, for every module of the library.
 *
 *   ap_file_read    a regular file's bytes, with a size cap (never a FIFO,
 *                   device or directory: those are refused, not waited on)
 *   ap_read_fd      the bytes of an already opened and checked descriptor
 *   ap_mkdirs       mkdir -p
 *   ap_remove_tree  rm -rf below a directory descriptor, never following links
 *   ap_sha256_fd    a file's SHA-256, streamed
 */
#ifndef AP_FILEIO_H
#define AP_FILEIO_H

#include "error.h"
#include "hash.h"

#include <stddef.h>
#include <sys/types.h>

/* Files larger than this are refused rather than read into memory. */
#define AP_FILE_MAX ((size_t)512 << 20)

/* What a path is, as the library records it (lstat: links not followed). */
typedef struct ap_file_state {
	int exists;
	int symlink;       /* the path is a symbolic link (never followed) */
	int dir;           /* the path is a directory */
	int special;       /* a FIFO, device or socket (never opened to compare) */
	mode_t mode;       /* permission bits */
	uid_t uid;
	gid_t gid;
	off_t size;
	dev_t dev;
	ino_t ino;
	long long mtime_ns;
} ap_file_state;

/* Reads the regular file at path (relative to dirfd, or AT_FDCWD) into a
 * NUL-terminated buffer the caller frees. Refuses what is not a regular file
 * and what is over max bytes; what names the file in messages. */
int ap_file_read_at(int dirfd, const char *path, size_t max, char **data, size_t *len,
		    ap_error *err);
int ap_file_read(const char *path, size_t max, char **data, size_t *len, ap_error *err);

/* Reads size bytes (or to EOF, if shorter) from fd; path names it in messages. */
int ap_read_fd(int fd, size_t size, const char *path, char **data, size_t *len,
	       ap_error *err);

/* Creates path and its missing parents with mode (less the umask). */
int ap_mkdirs(const char *path, mode_t mode, ap_error *err);

/* Removes name, below dirfd, and everything inside it; a missing name is not
 * an error. Returns 0, or -1 with errno set (the first failure). */
int ap_remove_tree(int dirfd, const char *name);

int ap_sha256_fd(int fd, const char *path, char out[AP_SHA256_HEX], ap_error *err);

#endif
