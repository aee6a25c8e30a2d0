/* builddir.c - running a build's commands into its log, and the
 * build directory's files (see builddir.h).
 */
#include "builddir.h"
#include "fileio.h"
#include "interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double ap_builddir_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A directory of the build dir that is a symbolic link was planted there:
 * whatever verify wrote into it would land outside the build dir. */
int ap_builddir_mkdirs(const char *path, ap_error *err)
{
	struct stat st;
	if (ap_mkdirs(path, 0777, err) < 0)
		return -1;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return ap_error_set(err, "%s is a symbolic link: verify never writes through "
				    "one in its build directory; remove it or give another "
				    "--build-dir", path);
	return 0;
}

int ap_builddir_lock(const char *dir, ap_error *err)
{
	char *path = ap_printf("%s/.lock", dir);
	int fd;

	if (!path)
		return ap_error_set(err, "out of memory");
	if (ap_builddir_mkdirs(dir, err) < 0) {
		free(path);
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0) {
		if (errno == ELOOP)
			ap_error_set(err, "%s is a symbolic link: verify never writes through one in "
				     "its build directory; remove it or give another --build-dir",
				     path);
		else
			ap_error_sys(err, "%s: cannot open the build directory's lock", path);
	} else if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			ap_error_set(err, "another verify is using the build directory %s (%s is "
				     "locked): wait for it to finish, or give another --build-dir",
				     dir, path);
		else
			ap_error_sys(err, "%s: cannot lock", path);
		close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

int ap_builddir_create(const char *path, mode_t mode, ap_error *err)
{
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			ap_error_set(err, "%s is %s: verify never writes through one in its build "
				     "directory; remove it or give another --build-dir", path,
				     S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
			return -1;
		}
		/* a hard link to a file elsewhere loses only this name */
		if (unlink(path) < 0 && errno != ENOENT) {
			ap_error_sys(err, "%s: cannot replace", path);
			return -1;
		}
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0 && (errno == EEXIST || errno == ELOOP)) {
		ap_error_set(err, "%s appeared while verify was creating it (another process "
			     "writes into the build directory): give a --build-dir only you "
			     "can write", path);
		return -1;
	}
	if (fd < 0)
		ap_error_sys(err, "%s: cannot create", path);
	return fd;
}

/* Build logs run to megabytes; nothing verify reads is near this. */
#define BUILDDIR_READ_MAX ((size_t)1 << 30)

int ap_builddir_read(const char *path, ap_buf *out, ap_error *err)
{
	char *data = NULL;
	size_t len = 0;
	if (ap_file_read(path, BUILDDIR_READ_MAX, &data, &len, err) < 0)
		return -1;
	/* an empty file reads as "", not as no data */
	int rc = ap_buf_add(out, data, len) < 0 || ap_buf_grow(out, 1) < 0
			 ? ap_error_set(err, "out of memory")
			 : 0;
	if (rc == 0)
		out->data[out->len] = '\0';
	free(data);
	return rc;
}

int ap_builddir_write(const char *path, const char *data, size_t len, mode_t mode,
		      ap_error *err)
{
	char *tmp = ap_printf("%s.tmp", path);
	if (!tmp)
		return ap_error_set(err, "out of memory");
	int fd = ap_builddir_create(tmp, mode, err);
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ap_error_sys(err, "%s: cannot write", tmp);
			close(fd);
			unlink(tmp);
			free(tmp);
			return -1;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		ap_error_sys(err, "%s: cannot write", path);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int ap_strv_add(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -1;
	*v = nv;
	nv[*n] = ap_strdup(s);
	if (!nv[*n])
		return -1;
	(*n)++;
	return 0;
}

int ap_strv_add_unique(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return 0;
	return ap_strv_add(v, n, s);
}

void ap_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The build directory, created, as an absolute path (malloc'd). */
char *ap_builddir_abs(const char *dir, ap_error *err)
{
	if (ap_builddir_mkdirs(dir, err) < 0)
		return NULL;
	char *r = realpath(dir, NULL);
	if (!r)
		ap_error_sys(err, "%s: cannot resolve", dir);
	return r;
}

int ap_builddir_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* --- running commands -------------------------------------------------------------- */

static int is_compile_line(const char *l)
{
	/* the commands make echoes; libtool's own echo of them is not counted twice */
	if (strncmp(l, "libtool: ", 9) == 0)
		return 0;
	return strstr(l, " -c ") != NULL && strstr(l, ".c") != NULL;
}

/* The .c file a compile line names, for the progress line (static). */
static const char *compiled_file(const char *line)
{
	static char name[256];
	const char *found = NULL, *p = line;
	size_t flen = 0;
	while (*p) {
		while (*p == ' ' || *p == '"' || *p == '\'')
			p++;
		const char *w = p;
		while (*p && *p != ' ' && *p != '"' && *p != '\'')
			p++;
		size_t n = (size_t)(p - w);
		if (n > 2 && w[n - 2] == '.' && w[n - 1] == 'c' && w[0] != '-') {
			found = w;
			flen = n;
		}
	}
	if (!found || flen >= sizeof(name))
		return line;
	memcpy(name, found, flen);
	name[flen] = '\0';
	return name;
}

static void runner_line(ap_runner *r, const char *line)
{
	if (r->count_compiles && is_compile_line(line)) {
		r->done++;
		if (r->done > r->total && r->total)
			r->total = r->done;
		line = compiled_file(line);
	}
	if (r->o && r->o->progress)
		r->o->progress(r->o->progress_ctx, r->target, r->phase, r->done, r->total, line);
}

/* Runs argv in cwd; output to the log (and the capture). Returns the exit
 * status (0..255, 128+N for a signal) or -1 when it cannot be started. */
int ap_runner_run(ap_runner *r, char *const *argv, const char *cwd, ap_error *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return ap_error_sys(err, "pipe");
	if (r->logfd >= 0) {
		ap_buf hdr = AP_BUF_INIT;
		ap_buf_printf(&hdr, "+ cd %s &&", cwd);
		for (size_t i = 0; argv[i]; i++)
			ap_buf_printf(&hdr, " %s", argv[i]);
		ap_buf_putc(&hdr, '\n');
		if (hdr.data && write(r->logfd, hdr.data, hdr.len) < 0) {
			/* the log is best effort: the command's status decides */
		}
		ap_buf_free(&hdr);
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return ap_error_sys(err, "fork");
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		if (chdir(cwd) < 0) {
			dprintf(2, "cannot change to %s: %s\n", cwd, strerror(errno));
			_exit(127);
		}
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	ap_buf line = AP_BUF_INIT;
	char buf[65536];
	int passed_on = 0;
	for (;;) {
		/* a signal sent to verify alone (kill, not the terminal's Ctrl-C,
		 * which the command gets too) is passed on, so that it stops */
		if (ap_interrupted() && !passed_on) {
			kill(pid, ap_interrupted());
			passed_on = 1;
		}
		ssize_t n = read(p[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (r->logfd >= 0 && write(r->logfd, buf, (size_t)n) < 0) {
			/* keep draining: the command must not block on a full pipe */
		}
		if (r->capturing)
			ap_buf_add(&r->capture, buf, (size_t)n);
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				runner_line(r, line.data ? line.data : "");
				ap_buf_clear(&line);
			} else {
				ap_buf_putc(&line, buf[i]);
			}
		}
	}
	if (line.len)
		runner_line(r, line.data);
	ap_buf_free(&line);
	close(p[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return ap_error_sys(err, "waitpid");
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

/* The last lines of a log, for an error message. */
void ap_builddir_tail(const char *path, ap_buf *out, int lines)
{
	ap_buf b = AP_BUF_INIT;
	ap_error e = AP_ERROR_INIT;
	if (ap_builddir_read(path, &b, &e) < 0 || !b.len) {
		ap_buf_free(&b);
		return;
	}
	size_t end = b.len, start = end;
	while (start > 0 && b.data[start - 1] == '\n')
		start--;
	for (int n = 0; start > 0 && n < lines; n++) {
		start--;
		while (start > 0 && b.data[start - 1] != '\n')
			start--;
	}
	ap_buf_add(out, b.data + start, end - start);
	ap_buf_free(&b);
}

