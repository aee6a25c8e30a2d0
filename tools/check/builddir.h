/* builddir.h - the plumbing of verify's build directories.
 *
 * A runner runs a command with its output piped through here: every byte
 * to the build log, each line to the build's progress callback (the
 * library prints nothing itself). Beside it: files written atomically,
 * directories made with their parents, the tail of a log for a message,
 * and small string vectors.
 *
 *   ap_runner_run        run argv in a directory; the exit status
 *   ap_builddir_tail     the last lines of a log
 *   ap_builddir_abs      a directory, created, as an absolute path
 *   ap_builddir_mkdirs   mkdir -p
 *   ap_builddir_read     a whole file into a buffer
 *   ap_builddir_lock     one verify at a time in a build directory
 *   ap_builddir_create   a new file (never through a symlink)
 *   ap_builddir_write    a file replaced atomically (write, rename)
 *   ap_strv_add, ap_strv_add_unique, ap_strv_free
 */
#ifndef AP_BUILDDIR_H
#define AP_BUILDDIR_H

#include "buf.h"
#include "build.h"
#include "error.h"

#include <stddef.h>
#include <sys/types.h>

typedef struct ap_runner {
	const ap_build_opts *o;   /* its progress callback; may be NULL */
	const char *target;
	const char *phase;
	int logfd;                /* -1: no log */
	size_t done, total;
	int count_compiles;       /* count compile lines as progress */
	ap_buf capture;           /* the output, when capturing */
	int capturing;
} ap_runner;

/* Runs argv in cwd; output to the log (and the capture). Returns the exit
 * status (0..255, 128+N for a signal) or -1 (err set) when it cannot be
 * started. */
int ap_runner_run(ap_runner *r, char *const *argv, const char *cwd, ap_error *err);

/* Appends the last lines of the file at path to out (nothing if unreadable). */
void ap_builddir_tail(const char *path, ap_buf *out, int lines);

char *ap_builddir_abs(const char *dir, ap_error *err);
/* mkdir -p; refuses a path that is a symbolic link. */
int ap_builddir_mkdirs(const char *path, ap_error *err);
/* Creates path afresh for writing (an old regular file is unlinked first) and
 * returns the fd; refuses a symlink or other non-regular file there, or one
 * that appears meanwhile, naming the path. -1 and err on failure. */
int ap_builddir_create(const char *path, mode_t mode, ap_error *err);
/* Takes DIR/.lock (flock, not waiting) and returns its fd, held until it
 * is closed (or the process ends); -1 with err saying that another verify
 * holds it. Two runs in one build dir would remove each other's trees. */
int ap_builddir_lock(const char *dir, ap_error *err);
int ap_builddir_read(const char *path, ap_buf *out, ap_error *err);
int ap_builddir_write(const char *path, const char *data, size_t len, mode_t mode,
		      ap_error *err);
double ap_builddir_now(void);
int ap_builddir_cores(void);

int ap_strv_add(char ***v, size_t *n, const char *s);
int ap_strv_add_unique(char ***v, size_t *n, const char *s);
void ap_strv_free(char **v, size_t n);

#endif
