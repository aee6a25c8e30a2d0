/* build.c - building the patched GAP natively, and the Cygwin emulation
 * (see build.h).
 *
 * Commands run with their output piped through here: every byte goes to
 * the log, and each line to the progress callback (the library prints
 * nothing itself).
 */
#include "build.h"
#include "apply.h"
#include "buf.h"
#include "hash.h"
#include "series.h"
#include "state.h"
#include "tree.h"
#include "txn.h"
#include "vtree.h"
#include "worktree.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FINGERPRINT_VERSION "gap-patchkit verify build 1"

/* --- small helpers ------------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int mkdirs(const char *path, ap_error *err)
{
	char *p = ap_strdup(path);
	if (!p)
		return ap_error_set(err, "out of memory");
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			ap_error_sys(err, "%s: cannot create", p);
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = 0;
	if (mkdir(p, 0777) < 0 && errno != EEXIST)
		rc = ap_error_sys(err, "%s: cannot create", p);
	free(p);
	return rc;
}

static int read_file(const char *path, ap_buf *out, ap_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ap_error_sys(err, "%s: cannot open", path);
	for (;;) {
		if (ap_buf_grow(out, 65536) < 0) {
			close(fd);
			return ap_error_set(err, "out of memory");
		}
		ssize_t n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return ap_error_sys(err, "%s: cannot read", path);
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
	}
	close(fd);
	return 0;
}

static int write_file(const char *path, const char *data, size_t len, mode_t mode,
		      ap_error *err)
{
	char *tmp = ap_printf("%s.tmp", path);
	if (!tmp)
		return ap_error_set(err, "out of memory");
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		ap_error_sys(err, "%s: cannot create", tmp);
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

static int strv_add(char ***v, size_t *n, const char *s)
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

static int strv_add_unique(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return 0;
	return strv_add(v, n, s);
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The build directory, created, as an absolute path (malloc'd). */
static char *abs_dir(const char *dir, ap_error *err)
{
	if (mkdirs(dir, err) < 0)
		return NULL;
	char *r = realpath(dir, NULL);
	if (!r)
		ap_error_sys(err, "%s: cannot resolve", dir);
	return r;
}

static int cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* --- running commands -------------------------------------------------------------- */

typedef struct runner {
	const ap_build_opts *o;
	const char *target;
	const char *phase;
	int logfd;
	size_t done, total;
	int count_compiles;
	ap_buf capture;     /* when non-NULL data wanted: first line etc. */
	int capturing;
} runner;

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

static void runner_line(runner *r, const char *line)
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
static int run_cmd(runner *r, char *const *argv, const char *cwd, ap_error *err)
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
	for (;;) {
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
static void log_tail(const char *path, ap_buf *out, int lines)
{
	ap_buf b = AP_BUF_INIT;
	ap_error e = AP_ERROR_INIT;
	if (read_file(path, &b, &e) < 0 || !b.len) {
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

/* --- fingerprints -------------------------------------------------------------------- */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names, sizes, modes and mtimes of every file the build would copy: a
 * changed directory upstream is noticed as make would notice it. */
static int dir_digest(ap_buf *acc, int dfd, const char *rel, ap_error *err)
{
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
		if (strv_add(&names, &n, de->d_name) < 0) {
			closedir(d);
			strv_free(names, n);
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
	strv_free(names, n);
	return rc;
}

/* A cheap name for exactly which upstream this is, without preparing it. */
static char *upstream_key(const ap_upstream *u, ap_error *err)
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
	case AP_UPSTREAM_TARBALL: {
		char hex[65];
		if (ap_sha256_file(u->location, hex, err) < 0)
			return NULL;
		return ap_printf("sha256:%s", hex);
	}
	case AP_UPSTREAM_PINNED: {
		char *path = NULL, *sha = NULL;
		if (ap_upstream_tarball(u, &path, &sha, err) < 0)
			return NULL;
		char *k = ap_printf("sha256:%s", sha ? sha : "?");
		free(path);
		free(sha);
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

static char *compiler_id(void)
{
	const char *cc = getenv("CC");
	char *argv[] = { (char *)(cc && *cc ? cc : "cc"), (char *)"--version", NULL };
	runner r;
	ap_error e = AP_ERROR_INIT;
	memset(&r, 0, sizeof(r));
	r.logfd = -1;
	r.capturing = 1;
	int st = run_cmd(&r, argv, ".", &e);
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
static int series_lines(const char *patches_dir, const char *platform, ap_buf *out,
			char ***names, size_t *nnames, ap_error *err)
{
	ap_loaded_series ls;
	memset(&ls, 0, sizeof(ls));
	if (!patches_dir)
		return 0;
	if (ap_series_load_patches(&ls, patches_dir, platform, 0, 1, err) < 0)
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
		if (names && strv_add(names, nnames, se->name) < 0) {
			ap_loaded_series_free(&ls);
			return ap_error_set(err, "out of memory");
		}
	}
	ap_loaded_series_free(&ls);
	return 0;
}

static int fingerprint_same(const char *path, const char *want)
{
	ap_buf b = AP_BUF_INIT;
	ap_error e = AP_ERROR_INIT;
	int same = read_file(path, &b, &e) == 0 && b.data && strcmp(b.data, want) == 0;
	ap_buf_free(&b);
	return same;
}

/* --- the native build ----------------------------------------------------------------- */

void ap_build_free(ap_build *b)
{
	free(b->platform);
	free(b->dir);
	free(b->tree);
	free(b->binary);
	free(b->log);
	free(b->identity);
	free(b->failed_step);
	strv_free(b->patches, b->npatches);
	memset(b, 0, sizeof(*b));
}

static size_t count_sources(const char *tree)
{
	size_t n = 0;
	char *src = ap_printf("%s/src", tree);
	DIR *d = src ? opendir(src) : NULL;
	if (d) {
		for (struct dirent *de; (de = readdir(d));) {
			size_t l = strlen(de->d_name);
			if (l > 2 && strcmp(de->d_name + l - 2, ".c") == 0)
				n++;
		}
		closedir(d);
	}
	free(src);
	return n;
}

static int fail_step(ap_build *b, const char *step)
{
	free(b->failed_step);
	b->failed_step = ap_strdup(step);
	return -1;
}

int ap_build_native(const ap_build_opts *o, const char *platform, ap_build *b, ap_error *err)
{
	ap_buf fp = AP_BUF_INIT;
	char *fp_path = NULL, *key = NULL, *cc = NULL;
	int logfd = -1, rc = -1;
	double t0 = now_s();
	runner r;

	memset(b, 0, sizeof(*b));
	memset(&r, 0, sizeof(r));
	/* absolute: commands run, and GAP is probed, in other directories */
	char *bd = abs_dir(o->build_dir, err);
	if (!bd) {
		fail_step(b, "prepare");
		return -1;
	}
	if (o->upstream->kind == AP_UPSTREAM_DIR && o->upstream->location) {
		/* copying a tree into itself never ends, and would never be reused */
		char *up = realpath(o->upstream->location, NULL);
		size_t ul = up ? strlen(up) : 0;
		int inside = up && strncmp(bd, up, ul) == 0 && (bd[ul] == '/' || !bd[ul]);
		free(up);
		if (inside) {
			ap_error_set(err, "the build directory %s is inside the upstream directory "
				     "%s: give --build-dir outside it", bd, o->upstream->location);
			free(bd);
			fail_step(b, "prepare");
			return -1;
		}
	}
	b->platform = ap_strdup(platform);
	b->dir = ap_printf("%s/%s", bd, platform);
	b->tree = ap_printf("%s/%s/src", bd, platform);
	b->binary = ap_printf("%s/%s/src/gap", bd, platform);
	b->log = ap_printf("%s/%s/build.log", bd, platform);
	fp_path = ap_printf("%s/%s/fingerprint", bd, platform);
	free(bd);
	if (!b->platform || !b->dir || !b->tree || !b->binary || !b->log || !fp_path) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	if (o->progress)
		o->progress(o->progress_ctx, platform, "prepare", 0, 0, "checking the inputs");
	key = upstream_key(o->upstream, err);
	if (!key) {
		fail_step(b, "prepare");
		goto out;
	}
	cc = compiler_id();
	ap_buf_printf(&fp, "%s\nupstream %s\nplatform %s\n", FINGERPRINT_VERSION, key, platform);
	if (series_lines(o->patches_dir, platform, &fp, &b->patches, &b->npatches, err) < 0) {
		fail_step(b, "apply");
		goto out;
	}
	ap_buf_puts(&fp, "configure");
	for (size_t i = 0; o->configure_args && o->configure_args[i]; i++)
		ap_buf_printf(&fp, " %s", o->configure_args[i]);
	ap_buf_printf(&fp, "\ncompiler %s\n", cc ? cc : "unknown");
	static const char *envs[] = { "CFLAGS", "CPPFLAGS", "LDFLAGS", "LIBS", NULL };
	for (size_t i = 0; envs[i]; i++)
		ap_buf_printf(&fp, "env %s=%s\n", envs[i], getenv(envs[i]) ? getenv(envs[i]) : "");
	if (!fp.data) {
		ap_error_set(err, "out of memory");
		goto out;
	}

	if (!o->force && fingerprint_same(fp_path, fp.data) && access(b->binary, X_OK) == 0) {
		ap_buf idb = AP_BUF_INIT;
		char *idp = ap_printf("%s/identity", b->dir);
		b->reused = 1;
		if (idp && read_file(idp, &idb, err) == 0 && idb.data)
			b->identity = ap_strndup(idb.data, strcspn(idb.data, "\n"));
		else
			b->identity = ap_strdup(key);
		free(idp);
		ap_buf_free(&idb);
		rc = 0;
		goto out;
	}

	/* a fresh build: nothing of the old one may survive */
	unlink(fp_path);
	if (mkdirs(b->dir, err) < 0) {
		fail_step(b, "prepare");
		goto out;
	}
	ap_rmtree(b->tree);
	logfd = open(b->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (logfd < 0) {
		ap_error_sys(err, "%s: cannot create the build log", b->log);
		goto out;
	}
	if (o->progress)
		o->progress(o->progress_ctx, platform, "prepare", 0, 0, o->upstream->location);
	{
		ap_prepare_opts po;
		memset(&po, 0, sizeof(po));
		char *alog = ap_printf("%s/autogen.log", b->dir);
		po.autogen_log = alog;
		int prc = ap_upstream_prepare_ex(o->upstream, b->tree, &po, &b->identity, err);
		ap_prepare_opts_free(&po);
		free(alog);
		if (prc < 0) {
			ap_error_wrap(err, "preparing the upstream");
			fail_step(b, "prepare");
			goto out;
		}
		dprintf(logfd, "verify: prepared %s (%s) in %s\n",
			o->upstream->location ? o->upstream->location : "the pinned upstream",
			b->identity, b->tree);
	}
	if (o->patches_dir) {
		ap_run_opts ro = AP_RUN_OPTS_INIT;
		ap_run run;
		memset(&run, 0, sizeof(run));
		ro.tree = b->tree;
		ro.patches_dir = o->patches_dir;
		ro.platform = platform;
		if (o->progress)
			o->progress(o->progress_ctx, platform, "apply", 0, 0, o->patches_dir);
		if (ap_worktree_apply(&ro, &run, err) < 0) {
			ap_error_wrap(err, "applying %s for %s", o->patches_dir, platform);
			fail_step(b, "apply");
			ap_run_free(&run);
			goto out;
		}
		if (run.failed) {
			ap_buf why = AP_BUF_INIT;
			for (size_t i = 0; i < run.n; i++)
				if (run.patches[i].status == AP_PATCH_FAILED)
					ap_buf_printf(&why, "%s%s: %s", why.len ? "; " : "",
						      run.patches[i].name,
						      run.patches[i].reason ? run.patches[i].reason
									    : "failed");
			ap_error_set(err, "the series for %s does not apply to the upstream: %s",
				     platform, why.data ? why.data : "a patch failed");
			ap_buf_free(&why);
			ap_run_free(&run);
			fail_step(b, "apply");
			goto out;
		}
		for (size_t i = 0; i < run.n; i++)
			if (run.patches[i].selected)
				dprintf(logfd, "verify: %s: %s\n", run.patches[i].name,
					ap_patch_status_name(run.patches[i].status));
		ap_run_free(&run);
	}

	r.o = o;
	r.target = platform;
	r.logfd = logfd;
	{
		char *argv[64];
		size_t argc = 0;
		argv[argc++] = (char *)"./configure";
		for (size_t i = 0; o->configure_args && o->configure_args[i] && argc < 63; i++)
			argv[argc++] = (char *)o->configure_args[i];
		argv[argc] = NULL;
		r.phase = "configure";
		int st = run_cmd(&r, argv, b->tree, err);
		if (st != 0) {
			if (st > 0) {
				ap_buf tail = AP_BUF_INIT;
				log_tail(b->log, &tail, 5);
				ap_error_set(err, "./configure failed (exit %d); see %s; it ends:\n%s", st,
					     b->log, tail.data ? tail.data : "");
				ap_buf_free(&tail);
			}
			fail_step(b, "configure");
			goto out;
		}
	}
	{
		char jobs[32];
		snprintf(jobs, sizeof(jobs), "-j%d", o->jobs > 0 ? o->jobs : cores());
		const char *mk = getenv("MAKE");
		char *argv[] = { (char *)(mk && *mk ? mk : "make"), jobs, (char *)"V=1", NULL };
		r.phase = "make";
		r.count_compiles = 1;
		r.done = 0;
		r.total = count_sources(b->tree);
		int st = run_cmd(&r, argv, b->tree, err);
		if (st != 0) {
			if (st > 0) {
				ap_buf tail = AP_BUF_INIT;
				log_tail(b->log, &tail, 8);
				ap_error_set(err, "make failed (exit %d); see %s; it ends:\n%s", st, b->log,
					     tail.data ? tail.data : "");
				ap_buf_free(&tail);
			}
			fail_step(b, "make");
			goto out;
		}
	}
	if (access(b->binary, X_OK) != 0) {
		ap_error_set(err, "make succeeded but made no %s; see %s", b->binary, b->log);
		fail_step(b, "make");
		goto out;
	}
	{
		char *idp = ap_printf("%s/identity", b->dir);
		char *line = ap_printf("%s\n", b->identity);
		int w = idp && line ? write_file(idp, line, strlen(line), 0666, err) : -1;
		free(idp);
		free(line);
		if (w < 0 || write_file(fp_path, fp.data, fp.len, 0666, err) < 0)
			goto out;
	}
	rc = 0;
out:
	b->seconds = now_s() - t0;
	if (logfd >= 0)
		close(logfd);
	free(fp_path);
	free(key);
	free(cc);
	ap_buf_free(&fp);
	return rc;
}

/* --- libgap ---------------------------------------------------------------------------- */

static const char driver_source[] =
	"/* libgap-driver.c - written by gap-patchkit's verify: initializes GAP\n"
	" * in-process through libgap, as SageMath does, with this program's\n"
	" * arguments (-q -s SIZE), so that its pool can be probed and forked. */\n"
	"#include <stddef.h>\n"
	"typedef void (*ap_callback)(void);\n"
	"#ifdef AP_GAP_4_10_0\n"
	"void GAP_Initialize(int, char **, char **, ap_callback, ap_callback);\n"
	"#else\n"
	"void GAP_Initialize(int, char **, ap_callback, ap_callback, int);\n"
	"#endif\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"#ifdef AP_GAP_4_10_0\n"
	"\tGAP_Initialize(argc, argv, NULL, NULL, NULL);\n"
	"#else\n"
	"\tGAP_Initialize(argc, argv, NULL, NULL, 1);\n"
	"#endif\n"
	"\treturn 0;\n"
	"}\n";

int ap_build_libgap(const ap_build_opts *o, const ap_build *native, char **driver,
		    ap_error *err)
{
	char *log = ap_printf("%s/libgap.log", native->dir);
	char *src = ap_printf("%s/libgap-driver.c", native->dir);
	char *bin = ap_printf("%s/gap-libgap", native->dir);
	char *libdir = ap_printf("%s/.libs", native->tree);
	char *rpath = libdir ? ap_printf("-Wl,-rpath,%s", libdir) : NULL;
	char *ldir = libdir ? ap_printf("-L%s", libdir) : NULL;
	char *api = ap_printf("%s/src/libgap-api.h", native->tree);
	ap_buf h = AP_BUF_INIT;
	int logfd = -1, rc = -1;
	runner r;

	*driver = NULL;
	memset(&r, 0, sizeof(r));
	if (!log || !src || !bin || !libdir || !rpath || !ldir || !api) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	/* built with the native build and kept with it */
	if (native->reused && access(bin, X_OK) == 0) {
		*driver = bin;
		bin = NULL;
		rc = 0;
		goto out;
	}
	unlink(bin);
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (logfd < 0) {
		ap_error_sys(err, "%s: cannot create", log);
		goto out;
	}
	r.o = o;
	r.target = native->platform;
	r.phase = "libgap";
	r.logfd = logfd;
	{
		const char *mk = getenv("MAKE");
		char *argv[] = { (char *)(mk && *mk ? mk : "make"), (char *)"V=1",
				 (char *)"libgap.la", NULL };
		int st = run_cmd(&r, argv, native->tree, err);
		if (st != 0) {
			if (st > 0)
				ap_error_set(err, "make libgap.la failed (exit %d); see %s", st, log);
			goto out;
		}
	}
	if (read_file(api, &h, err) < 0) {
		ap_error_wrap(err, "libgap's API header");
		goto out;
	}
	int old_api = 0;
	for (const char *p = h.data; p && (p = strstr(p, "GAP_Initialize(")); p++) {
		const char *end = strchr(p, ';');
		const char *env = strstr(p, "env");
		if (end && env && env < end)
			old_api = 1;
	}
	if (write_file(src, driver_source, sizeof(driver_source) - 1, 0644, err) < 0)
		goto out;
	{
		const char *cc = getenv("CC");
		char *argv[] = { (char *)(cc && *cc ? cc : "cc"), (char *)(old_api ? "-DAP_GAP_4_10_0" : "-DAP_GAP"),
				 src, (char *)"-o", bin, ldir, (char *)"-lgap", rpath, NULL };
		int st = run_cmd(&r, argv, native->dir, err);
		if (st != 0) {
			if (st > 0)
				ap_error_set(err, "compiling the libgap driver failed (exit %d); see %s",
					     st, log);
			goto out;
		}
	}
	*driver = bin;
	bin = NULL;
	rc = 0;
out:
	if (logfd >= 0)
		close(logfd);
	ap_buf_free(&h);
	free(log);
	free(src);
	free(bin);
	free(libdir);
	free(rpath);
	free(ldir);
	free(api);
	return rc;
}

/* --- shell words and build logs ----------------------------------------------------------- */

void ap_argv_free(char **argv, size_t argc)
{
	strv_free(argv, argc);
}

int ap_shell_split(const char *line, size_t len, char ***argv, size_t *argc, ap_error *err)
{
	const char *p = line, *end = line + len;
	ap_buf w = AP_BUF_INIT;
	*argv = NULL;
	*argc = 0;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end)
			break;
		int have = 0, redirect = 0;
		ap_buf_clear(&w);
		/* 2>&1, >/dev/null, < file: not part of the command */
		const char *q = p;
		while (q < end && isdigit((unsigned char)*q))
			q++;
		if (q < end && (*q == '>' || *q == '<'))
			redirect = 1;
		while (p < end && *p != ' ' && *p != '\t') {
			char c = *p++;
			if (c == '\'') {
				while (p < end && *p != '\'')
					ap_buf_putc(&w, *p++);
				if (p >= end)
					goto unterminated;
				p++;
				have = 1;
			} else if (c == '"') {
				while (p < end && *p != '"') {
					if (*p == '\\' && p + 1 < end && strchr("\"\\$`", p[1]))
						p++;
					ap_buf_putc(&w, *p++);
				}
				if (p >= end)
					goto unterminated;
				p++;
				have = 1;
			} else if (c == '\\' && p < end) {
				ap_buf_putc(&w, *p++);
				have = 1;
			} else {
				ap_buf_putc(&w, c);
				have = 1;
			}
		}
		if (redirect) {
			/* "> file" with a space: the next word is the file */
			if (w.data && (strcmp(w.data + strspn(w.data, "0123456789"), ">") == 0 ||
				       strcmp(w.data + strspn(w.data, "0123456789"), "<") == 0 ||
				       strcmp(w.data + strspn(w.data, "0123456789"), ">>") == 0)) {
				while (p < end && (*p == ' ' || *p == '\t'))
					p++;
				while (p < end && *p != ' ' && *p != '\t')
					p++;
			}
			continue;
		}
		if (have && strv_add(argv, argc, w.data ? w.data : "") < 0) {
			ap_buf_free(&w);
			return ap_error_set(err, "out of memory");
		}
	}
	ap_buf_free(&w);
	return 0;
unterminated:
	ap_buf_free(&w);
	strv_free(*argv, *argc);
	*argv = NULL;
	*argc = 0;
	return ap_error_set(err, "unterminated quote");
}

void ap_buildlog_free(ap_buildlog *bl)
{
	for (size_t i = 0; i < bl->n; i++) {
		free(bl->cmds[i].cwd);
		strv_free(bl->cmds[i].argv, bl->cmds[i].argc);
	}
	free(bl->cmds);
	memset(bl, 0, sizeof(*bl));
}

static int is_compiler(const char *w)
{
	const char *b = strrchr(w, '/');
	b = b ? b + 1 : w;
	/* gcc, cc, clang, x86_64-linux-gnu-gcc-12, ccache-less */
	size_t n = strlen(b);
	if (strcmp(b, "cc") == 0 || strcmp(b, "c99") == 0 || strcmp(b, "c11") == 0)
		return 1;
	for (size_t i = 0; i + 3 <= n; i++)
		if (strncmp(b + i, "gcc", 3) == 0 && (i == 0 || b[i - 1] == '-'))
			return 1;
	for (size_t i = 0; i + 5 <= n; i++)
		if (strncmp(b + i, "clang", 5) == 0 && (i == 0 || b[i - 1] == '-'))
			return 1;
	return n > 3 && strcmp(b + n - 3, "-cc") == 0;
}

int ap_buildlog_parse(ap_buildlog *bl, const char *text, size_t len, const char *top,
		      ap_error *err)
{
	char **dirs = NULL;
	size_t ndirs = 0;
	const char *p = text, *end = text + len;
	size_t lineno = 0;
	int rc = 0;
	memset(bl, 0, sizeof(*bl));
	if (strv_add(&dirs, &ndirs, top) < 0)
		return ap_error_set(err, "out of memory");
	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - p);
		lineno++;
		const char *ent = n > 6 ? memmem(p, n, ": Entering directory '", 22) : NULL;
		const char *lea = n > 6 ? memmem(p, n, ": Leaving directory '", 21) : NULL;
		if (ent && memmem(p, (size_t)(ent - p), "make", 4)) {
			const char *d = ent + 22;
			const char *q = memchr(d, '\'', (size_t)(le - d));
			if (q) {
				char *dir = ap_strndup(d, (size_t)(q - d));
				if (!dir || strv_add(&dirs, &ndirs, dir) < 0)
					rc = ap_error_set(err, "out of memory");
				free(dir);
			}
		} else if (lea && memmem(p, (size_t)(lea - p), "make", 4)) {
			if (ndirs > 1)
				free(dirs[--ndirs]);
		} else {
			const char *l = p;
			if (n > 17 && memcmp(l, "libtool: compile:", 17) == 0)
				l += 17;
			else if (n > 14 && memcmp(l, "libtool: link:", 14) == 0)
				l += 14;
			char **argv = NULL;
			size_t argc = 0;
			ap_error ig = AP_ERROR_INIT;
			if (ap_shell_split(l, (size_t)(le - l), &argv, &argc, &ig) == 0 && argc > 1 &&
			    is_compiler(argv[0])) {
				if (ap_array_grow((void **)&bl->cmds, &bl->cap, bl->n + 1,
						  sizeof(*bl->cmds)) < 0) {
					strv_free(argv, argc);
					rc = ap_error_set(err, "out of memory");
					break;
				}
				ap_logcmd *c = &bl->cmds[bl->n++];
				c->cwd = ap_strdup(dirs[ndirs - 1]);
				c->argv = argv;
				c->argc = argc;
				c->lineno = lineno;
			} else {
				strv_free(argv, argc);
			}
		}
		p = le + 1;
	}
	strv_free(dirs, ndirs);
	return rc;
}

const char *ap_logcmd_output(const ap_logcmd *c)
{
	for (size_t i = 0; i + 1 < c->argc; i++)
		if (strcmp(c->argv[i], "-o") == 0)
			return c->argv[i + 1];
	return NULL;
}

static int has_word(const ap_logcmd *c, const char *w)
{
	for (size_t i = 0; i < c->argc; i++)
		if (strcmp(c->argv[i], w) == 0)
			return 1;
	return 0;
}

/* "./src/x.c" and "src/x.c" are the same path */
static const char *undot(const char *p)
{
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	return p;
}

const ap_logcmd *ap_buildlog_link_of(const ap_buildlog *bl, const char *name)
{
	for (size_t i = bl->n; i-- > 0;) {
		const ap_logcmd *c = &bl->cmds[i];
		const char *out = ap_logcmd_output(c);
		if (!out || has_word(c, "-c") || has_word(c, "-E") || has_word(c, "-S"))
			continue;
		const char *b = strrchr(out, '/');
		b = b ? b + 1 : out;
		if (strcmp(b, name) == 0)
			return c;
	}
	return NULL;
}

const ap_logcmd *ap_buildlog_compile_of(const ap_buildlog *bl, const char *src,
				      const ap_logcmd *link)
{
	const ap_logcmd *any = NULL;
	src = undot(src);
	for (size_t i = 0; i < bl->n; i++) {
		const ap_logcmd *c = &bl->cmds[i];
		if (!has_word(c, "-c"))
			continue;
		int names = 0;
		for (size_t k = 1; k < c->argc; k++)
			if (strcmp(undot(c->argv[k]), src) == 0)
				names = 1;
		if (!names)
			continue;
		const char *out = ap_logcmd_output(c);
		if (link && out) {
			for (size_t k = 0; k < link->argc; k++)
				if (strcmp(undot(link->argv[k]), undot(out)) == 0 &&
				    strcmp(link->cwd, c->cwd) == 0)
					return c;
		}
		if (!any)
			any = c;
	}
	return link ? NULL : any;
}

/* --- the emulation ---------------------------------------------------------------------- */

void ap_emulation_free(ap_emulation *em)
{
	free(em->platform);
	free(em->macro);
	free(em->binary);
	free(em->log);
	strv_free(em->units, em->nunits);
	strv_free(em->failed, em->nfailed);
	strv_free(em->untouched, em->nuntouched);
	strv_free(em->patches, em->npatches);
	memset(em, 0, sizeof(*em));
}

/* Loads the upstream's bytes of a file of the native tree: the original
 * kept by apply for a file the native series changed, else the tree's. */
typedef struct pristine {
	ap_tree *tree;
	ap_state state;
	int have_state;
} pristine;

static int pristine_load(void *ctx, const char *path, ap_file_state *st, char **data,
			 size_t *len, ap_error *err)
{
	pristine *pr = ctx;
	ap_state_file *f = pr->have_state ? ap_state_file_find(&pr->state, path) : NULL;
	if (!f)
		return ap_tree_load(pr->tree, path, st, data, len, err);
	memset(st, 0, sizeof(*st));
	*data = NULL;
	*len = 0;
	if (!f->orig_blob)
		return 0;   /* the native series created it */
	char *name = ap_printf("orig/%s", f->orig_blob);
	if (!name)
		return ap_error_set(err, "out of memory");
	int rc = ap_state_file_read(pr->tree, name, data, len, err);
	free(name);
	if (rc < 0)
		return -1;
	if (!*data)
		return ap_error_set(err, "%s: the original kept by apply is missing", path);
	st->exists = 1;
	st->mode = f->orig_mode;
	st->size = (off_t)*len;
	return 0;
}

/* The text of a tree-relative file as the emulated platform sees it. */
static int emu_text(ap_vtree *v, pristine *pr, const char *path, ap_buf *out)
{
	ap_error e = AP_ERROR_INIT;
	ap_vfile *f = ap_strmap_get(&v->map, path);
	if (f) {
		if (!f->exists)
			return -1;
		return ap_buf_add(out, f->data, f->len);
	}
	ap_file_state st;
	char *data = NULL;
	size_t len = 0;
	if (ap_tree_load(pr->tree, path, &st, &data, &len, &e) < 0 || !st.exists) {
		free(data);
		return -1;
	}
	int rc = ap_buf_add(out, data, len);
	free(data);
	return rc;
}

static int mentions(const char *text, size_t len, const char *word)
{
	size_t wl = strlen(word);
	const char *p = text, *end = text + len;
	while ((p = memmem(p, (size_t)(end - p), word, wl))) {
		int before = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		int after = p + wl >= end || !(isalnum((unsigned char)p[wl]) || p[wl] == '_');
		if (before && after)
			return 1;
		p += wl;
	}
	return 0;
}

static char *join_norm(const char *dir, const char *name)
{
	char *p = dir && *dir ? ap_printf("%s/%s", dir, name) : ap_strdup(name);
	if (!p)
		return NULL;
	/* squeeze "./" and "a/../" so paths compare as the tree's */
	char *segs[256];
	size_t n = 0;
	char *save = NULL;
	for (char *s = strtok_r(p, "/", &save); s && n < 256; s = strtok_r(NULL, "/", &save)) {
		if (strcmp(s, ".") == 0)
			continue;
		if (strcmp(s, "..") == 0) {
			if (n)
				n--;
			continue;
		}
		segs[n++] = s;
	}
	ap_buf b = AP_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		ap_buf_printf(&b, "%s%s", i ? "/" : "", segs[i]);
	free(p);
	return ap_buf_detach(&b, NULL);
}

/* Whether path's code depends on macro: it names it, or a header it
 * includes with "..." does (searched as the compiler would: the file's
 * directory, then the -I directories). */
static int depends_on(ap_vtree *v, pristine *pr, const char *path, char **idirs, size_t nidirs,
		      const char *macro, ap_strmap *seen, int depth)
{
	ap_buf t = AP_BUF_INIT;
	if (depth > 32 || ap_strmap_get(seen, path))
		return 0;
	ap_strmap_put(seen, path, (void *)1);
	if (emu_text(v, pr, path, &t) < 0) {
		ap_buf_free(&t);
		return 0;
	}
	int dep = t.data && mentions(t.data, t.len, macro);
	char *dir = ap_strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (slash)
		*slash = '\0';
	else if (dir)
		dir[0] = '\0';
	for (const char *p = t.data; !dep && p && p < t.data + t.len;) {
		const char *nl = memchr(p, '\n', (size_t)(t.data + t.len - p));
		const char *le = nl ? nl : t.data + t.len;
		const char *q = p;
		while (q < le && (*q == ' ' || *q == '\t'))
			q++;
		if (q < le && *q == '#') {
			q++;
			while (q < le && (*q == ' ' || *q == '\t'))
				q++;
			if (le - q > 8 && memcmp(q, "include", 7) == 0) {
				q += 7;
				while (q < le && (*q == ' ' || *q == '\t'))
					q++;
				const char *close = q < le && *q == '"' ? memchr(q + 1, '"', (size_t)(le - q - 1)) : NULL;
				if (close) {
					char *name = ap_strndup(q + 1, (size_t)(close - q - 1));
					for (size_t k = 0; name && k <= nidirs && !dep; k++) {
						char *cand = join_norm(k == 0 ? dir : idirs[k - 1], name);
						ap_buf probe = AP_BUF_INIT;
						if (cand && emu_text(v, pr, cand, &probe) == 0) {
							dep = depends_on(v, pr, cand, idirs, nidirs, macro,
									 seen, depth + 1);
							ap_buf_free(&probe);
							free(cand);
							break;
						}
						ap_buf_free(&probe);
						free(cand);
					}
					free(name);
				}
			}
		}
		p = le + 1;
	}
	free(dir);
	ap_buf_free(&t);
	return dep;
}

/* The -I directories of a compile command, relative to the tree. */
static void include_dirs(const ap_logcmd *c, const char *tree, char ***out, size_t *n)
{
	size_t tl = strlen(tree);
	const char *rel = strncmp(c->cwd, tree, tl) == 0 && (c->cwd[tl] == '/' || !c->cwd[tl])
				  ? c->cwd + tl + (c->cwd[tl] == '/')
				  : "";
	for (size_t i = 1; i < c->argc; i++) {
		const char *d = NULL;
		if (strncmp(c->argv[i], "-I", 2) == 0 && c->argv[i][2])
			d = c->argv[i] + 2;
		else if (strcmp(c->argv[i], "-I") == 0 && i + 1 < c->argc)
			d = c->argv[++i];
		if (!d || d[0] == '/')
			continue;
		char *j = join_norm(rel, d);
		if (j)
			strv_add(out, n, j);
		free(j);
	}
}

static char *flat_name(const char *path)
{
	char *s = ap_strdup(path);
	size_t n = s ? strlen(s) : 0;
	if (n > 2 && strcmp(s + n - 2, ".c") == 0)
		s[n - 2] = '\0';
	for (char *p = s; p && *p; p++)
		if (*p == '/')
			*p = '_';
	return s;
}

/* Mirrors tree/dir into overlay/dir: the platform's version of files the
 * series touched, symlinks to the tree for the rest, so that a header
 * included from the overlay finds its touched neighbours first. */
static int build_overlay_dir(const char *tree, const char *overlay, const char *dir,
			     ap_vtree *v, ap_error *err)
{
	char *src = dir[0] ? ap_printf("%s/%s", tree, dir) : ap_strdup(tree);
	char *dst = dir[0] ? ap_printf("%s/%s", overlay, dir) : ap_strdup(overlay);
	int rc = 0;
	DIR *d = NULL;
	if (!src || !dst) {
		rc = ap_error_set(err, "out of memory");
		goto out;
	}
	if (mkdirs(dst, err) < 0) {
		rc = -1;
		goto out;
	}
	d = opendir(src);
	if (d) {
		for (struct dirent *de; (de = readdir(d)) && rc == 0;) {
			if (de->d_name[0] == '.' && (!de->d_name[1] || de->d_name[1] == '.'))
				continue;
			char *rel = dir[0] ? ap_printf("%s/%s", dir, de->d_name) : ap_strdup(de->d_name);
			char *from = ap_printf("%s/%s", src, de->d_name);
			char *to = ap_printf("%s/%s", dst, de->d_name);
			if (rel && from && to && !ap_strmap_get(&v->map, rel)) {
				struct stat st;
				if (lstat(from, &st) == 0 && S_ISREG(st.st_mode) &&
				    symlink(from, to) < 0 && errno != EEXIST)
					rc = ap_error_sys(err, "%s: cannot link", to);
			}
			free(rel);
			free(from);
			free(to);
		}
		closedir(d);
	}
	for (size_t i = 0; i < v->n && rc == 0; i++) {
		ap_vfile *f = v->files[i];
		const char *slash = strrchr(f->path, '/');
		size_t dl = slash ? (size_t)(slash - f->path) : 0;
		if (dl != strlen(dir) || strncmp(f->path, dir, dl) != 0 || !f->exists)
			continue;
		char *to = ap_printf("%s/%s", overlay, f->path);
		if (!to) {
			rc = ap_error_set(err, "out of memory");
			break;
		}
		rc = write_file(to, f->data, f->len, f->mode ? f->mode : 0644, err);
		free(to);
	}
out:
	free(src);
	free(dst);
	return rc;
}

static int drop_dep_flag(const char *w, int *skip_next)
{
	if (strcmp(w, "-MD") == 0 || strcmp(w, "-MMD") == 0 || strcmp(w, "-MP") == 0)
		return 1;
	if (strcmp(w, "-MF") == 0 || strcmp(w, "-MQ") == 0 || strcmp(w, "-MT") == 0) {
		*skip_next = 1;
		return 1;
	}
	return (strncmp(w, "-MF", 3) == 0 || strncmp(w, "-MQ", 3) == 0 ||
		strncmp(w, "-MT", 3) == 0);
}

/* The .c file a compile command compiles, relative to the tree (static
 * storage, overwritten by the next call), or NULL. */
static const char *compile_source(const ap_logcmd *c, const char *tree)
{
	static char buf[4096];
	size_t tl = strlen(tree);
	if (!has_word(c, "-c"))
		return NULL;
	const char *rel = strncmp(c->cwd, tree, tl) == 0 ? c->cwd + tl : NULL;
	if (!rel)
		return NULL;
	while (*rel == '/')
		rel++;
	for (size_t k = 1; k < c->argc; k++) {
		size_t l = strlen(c->argv[k]);
		if (strcmp(c->argv[k - 1], "-o") == 0 || l < 3 || c->argv[k][0] == '-' ||
		    strcmp(c->argv[k] + l - 2, ".c") != 0)
			continue;
		char *j = join_norm(rel, c->argv[k]);
		if (!j || strlen(j) >= sizeof(buf)) {
			free(j);
			return NULL;
		}
		strcpy(buf, j);
		free(j);
		return buf;
	}
	return NULL;
}

int ap_build_emulate(const ap_build_opts *o, const ap_build *native, const char *platform,
		     const char *macro, ap_emulation *em, ap_error *err)
{
	ap_loaded_series ls;
	ap_vtree v;
	pristine pr;
	ap_buildlog bl;
	ap_buf fp = AP_BUF_INIT, logtext = AP_BUF_INIT, nfp = AP_BUF_INIT;
	char *dir = NULL, *overlay = NULL, *objdir = NULL, *fp_path = NULL, *nfp_path = NULL;
	char **tus = NULL, **idirs_all = NULL;
	size_t ntus = 0, nidirs_all = 0;
	const ap_logcmd **tucmd = NULL;
	char **tuobj = NULL;
	int logfd = -1, rc = -1, vinit = 0;
	double t0 = now_s();
	runner r;

	memset(em, 0, sizeof(*em));
	memset(&ls, 0, sizeof(ls));
	memset(&pr, 0, sizeof(pr));
	memset(&bl, 0, sizeof(bl));
	memset(&r, 0, sizeof(r));
	em->platform = ap_strdup(platform);
	em->macro = ap_strdup(macro);
	char *bd = abs_dir(o->build_dir, err);
	if (!bd)
		goto out;
	dir = ap_printf("%s/%s-emulated", bd, platform);
	overlay = ap_printf("%s/%s-emulated/overlay", bd, platform);
	objdir = ap_printf("%s/%s-emulated/obj", bd, platform);
	fp_path = ap_printf("%s/%s-emulated/fingerprint", bd, platform);
	nfp_path = ap_printf("%s/fingerprint", native->dir);
	em->binary = ap_printf("%s/gap-%s-emulated", bd, platform);
	em->log = ap_printf("%s/%s-emulated/emulate.log", bd, platform);
	free(bd);
	if (!em->platform || !em->macro || !dir || !overlay || !objdir || !fp_path || !nfp_path ||
	    !em->binary || !em->log) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	if (read_file(nfp_path, &nfp, err) < 0) {
		ap_error_wrap(err, "the native build's fingerprint");
		goto out;
	}
	ap_buf_printf(&fp, "%s\nemulate %s %s\nnative-build\n%s", FINGERPRINT_VERSION, platform,
		      macro, nfp.data ? nfp.data : "");
	if (series_lines(o->patches_dir, platform, &fp, &em->patches, &em->npatches, err) < 0)
		goto out;
	if (!fp.data) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	if (!o->force && fingerprint_same(fp_path, fp.data) && access(em->binary, X_OK) == 0) {
		/* the unit lists are kept beside the fingerprint */
		ap_buf units = AP_BUF_INIT;
		char *up = ap_printf("%s/units", dir);
		if (up && read_file(up, &units, err) == 0 && units.data) {
			char *save = NULL;
			for (char *l = strtok_r(units.data, "\n", &save); l;
			     l = strtok_r(NULL, "\n", &save)) {
				if (strncmp(l, "unit ", 5) == 0)
					strv_add(&em->units, &em->nunits, l + 5);
				else if (strncmp(l, "failed ", 7) == 0)
					strv_add(&em->failed, &em->nfailed, l + 7);
				else if (strncmp(l, "untouched ", 10) == 0)
					strv_add(&em->untouched, &em->nuntouched, l + 10);
				else if (strcmp(l, "all-naming") == 0)
					em->all_naming = 1;
			}
			em->reused = 1;
			rc = 0;
		}
		free(up);
		ap_buf_free(&units);
		if (rc == 0)
			goto out;
	}
	unlink(fp_path);
	unlink(em->binary);
	ap_rmtree(dir);
	if (mkdirs(objdir, err) < 0)
		goto out;
	logfd = open(em->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (logfd < 0) {
		ap_error_sys(err, "%s: cannot create", em->log);
		goto out;
	}
	if (o->progress)
		o->progress(o->progress_ctx, platform, "emulate", 0, 0, "applying the series");

	/* the platform's series, applied in memory to the upstream's files */
	if (ap_tree_open(&pr.tree, native->tree, err) < 0)
		goto out;
	if (ap_state_load(&pr.state, pr.tree, &pr.have_state, err) < 0)
		goto out;
	ap_vtree_init(&v, pristine_load, &pr);
	vinit = 1;
	if (o->patches_dir) {
		if (ap_series_load_patches(&ls, o->patches_dir, platform, 0, 1, err) < 0)
			goto out;
		for (size_t i = 0; i < ls.series.n; i++) {
			if (!ls.series.v[i].selected)
				continue;
			if (ls.errors && ls.errors[i]) {
				ap_error_set(err, "%s", ls.errors[i]);
				goto out;
			}
			ap_apply_opts ao = { 0 };
			ap_patch_result res;
			memset(&res, 0, sizeof(res));
			if (ap_apply_patch(&v, &ls.patches[i], &ao, &res, err) < 0) {
				ap_patch_result_free(&res);
				goto out;
			}
			int failed = res.status == AP_PATCH_FAILED;
			dprintf(logfd, "verify: %s for %s: %s%s%s\n", ls.series.v[i].name, platform,
				ap_patch_status_name(res.status), res.reason ? ": " : "",
				res.reason ? res.reason : "");
			if (failed) {
				ap_error_set(err, "the series for %s does not apply to the upstream: "
					     "%s: %s", platform, ls.series.v[i].name,
					     res.reason ? res.reason : "failed");
				ap_patch_result_free(&res);
				goto out;
			}
			ap_patch_result_free(&res);
		}
	}

	/* the native build's commands */
	if (read_file(native->log, &logtext, err) < 0)
		goto out;
	if (ap_buildlog_parse(&bl, logtext.data ? logtext.data : "", logtext.len, native->tree,
			      err) < 0)
		goto out;
	const ap_logcmd *link = ap_buildlog_link_of(&bl, "gap");
	if (!link) {
		ap_error_set(err, "%s: no command linking gap found (was it built with make V=1?)",
			     native->log);
		goto out;
	}

	/* which touched .c files depend on the macro */
	for (size_t i = 0; i < v.n; i++) {
		ap_vfile *f = v.files[i];
		size_t l = strlen(f->path);
		if (l < 3 || strcmp(f->path + l - 2, ".c") != 0 || !f->exists)
			continue;
		const ap_logcmd *c = ap_buildlog_compile_of(&bl, f->path, link);
		if (!c) {
			/* not part of gap (a tool, a test): nothing to emulate */
			dprintf(logfd, "verify: %s is not compiled into gap\n", f->path);
			continue;
		}
		char **idirs = NULL;
		size_t nidirs = 0;
		include_dirs(c, native->tree, &idirs, &nidirs);
		ap_strmap seen = AP_STRMAP_INIT;
		int dep = depends_on(&v, &pr, f->path, idirs, nidirs, macro, &seen, 0);
		ap_strmap_free(&seen);
		for (size_t k = 0; k < nidirs; k++)
			strv_add_unique(&idirs_all, &nidirs_all, idirs[k]);
		strv_free(idirs, nidirs);
		if (!dep) {
			strv_add(&em->untouched, &em->nuntouched, f->path);
			continue;
		}
		const ap_logcmd **nc = realloc(tucmd, (ntus + 1) * sizeof(*nc));
		if (!nc || strv_add(&tus, &ntus, f->path) < 0) {
			free(nc == tucmd ? NULL : nc);
			ap_error_set(err, "out of memory");
			goto out;
		}
		tucmd = nc;
		tucmd[ntus - 1] = c;
	}

	/* Nothing the series touches depends on the macro (an unpatched
	 * upstream, say): rebuild every unit of gap that names it itself, so
	 * that the emulated binary is the platform's build all the same. */
	if (ntus == 0) {
		for (size_t i = 0; i < bl.n; i++) {
			const ap_logcmd *c = &bl.cmds[i];
			const char *src = compile_source(c, native->tree);
			if (!src || ap_buildlog_compile_of(&bl, src, link) != c)
				continue;
			ap_buf t = AP_BUF_INIT;
			int dep = emu_text(&v, &pr, src, &t) == 0 && t.data &&
				  mentions(t.data, t.len, macro);
			ap_buf_free(&t);
			if (!dep)
				continue;
			const ap_logcmd **nc = realloc(tucmd, (ntus + 1) * sizeof(*nc));
			if (!nc || strv_add(&tus, &ntus, src) < 0) {
				free(nc == tucmd ? NULL : nc);
				ap_error_set(err, "out of memory");
				goto out;
			}
			tucmd = nc;
			tucmd[ntus - 1] = c;
			char **idirs = NULL;
			size_t nidirs = 0;
			include_dirs(c, native->tree, &idirs, &nidirs);
			for (size_t k = 0; k < nidirs; k++)
				strv_add_unique(&idirs_all, &nidirs_all, idirs[k]);
			strv_free(idirs, nidirs);
		}
		em->all_naming = ntus > 0;
		dprintf(logfd, "verify: the series touches no unit depending on %s: rebuilding "
			"the %zu unit(s) of gap that name it\n", macro, ntus);
	}

	/* the overlay: every directory holding a touched file */
	{
		ap_strmap dirs = AP_STRMAP_INIT;
		for (size_t i = 0; i < v.n + ntus; i++) {
			char *d = ap_strdup(i < v.n ? v.files[i]->path : tus[i - v.n]);
			char *s = d ? strrchr(d, '/') : NULL;
			if (s)
				*s = '\0';
			else if (d)
				d[0] = '\0';
			if (d && !ap_strmap_get(&dirs, d)) {
				ap_strmap_put(&dirs, d, (void *)1);
				if (build_overlay_dir(native->tree, overlay, d, &v, err) < 0) {
					free(d);
					ap_strmap_free(&dirs);
					goto out;
				}
			}
			free(d);
		}
		ap_strmap_free(&dirs);
	}

	/* compile each unit with the macro */
	r.o = o;
	r.target = platform;
	r.phase = "emulate";
	r.logfd = logfd;
	r.total = ntus;
	tuobj = calloc(ntus ? ntus : 1, sizeof(*tuobj));
	if (!tuobj) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ntus; i++) {
		const ap_logcmd *c = tucmd[i];
		char **argv = calloc(c->argc + 16 + nidirs_all, sizeof(*argv));
		char *flat = flat_name(tus[i]);
		char *obj = flat ? ap_printf("%s/%s.o", objdir, flat) : NULL;
		char *srcp = ap_printf("%s/%s", overlay, tus[i]);
		char *def = ap_printf("-D%s=1", macro);
		char **incs = calloc(nidirs_all + 1, sizeof(*incs));
		size_t a = 0, ninc = 0;
		if (!argv || !obj || !srcp || !def || !incs) {
			free(argv);
			free(flat);
			free(obj);
			free(srcp);
			free(def);
			free(incs);
			ap_error_set(err, "out of memory");
			goto out;
		}
		argv[a++] = c->argv[0];
		argv[a++] = def;
		/* the overlay's directories before the tree's */
		for (size_t k = 0; k < nidirs_all; k++) {
			char *od = ap_printf("-I%s/%s", overlay, idirs_all[k]);
			char *dd = ap_printf("%s/%s", overlay, idirs_all[k]);
			struct stat st;
			if (od && dd && stat(dd, &st) == 0)
				argv[a++] = incs[ninc++] = od;
			else
				free(od);
			free(dd);
		}
		int skip = 0;
		const char *want = undot(tus[i]);
		size_t tl = strlen(native->tree);
		const char *rel = strncmp(c->cwd, native->tree, tl) == 0 ? c->cwd + tl : "";
		while (*rel == '/')
			rel++;
		for (size_t k = 1; k < c->argc; k++) {
			const char *w = c->argv[k];
			if (skip) {
				skip = 0;
				continue;
			}
			if (drop_dep_flag(w, &skip))
				continue;
			if (strcmp(w, "-o") == 0 && k + 1 < c->argc) {
				argv[a++] = (char *)"-o";
				argv[a++] = obj;
				k++;
				continue;
			}
			char *j = join_norm(rel, w);
			if (j && strcmp(j, want) == 0)
				argv[a++] = srcp;
			else
				argv[a++] = (char *)w;
			free(j);
		}
		argv[a] = NULL;
		if (o->progress)
			o->progress(o->progress_ctx, platform, "emulate", i, ntus, tus[i]);
		int st = run_cmd(&r, argv, c->cwd, err);
		if (st < 0) {
			for (size_t k = 0; k < ninc; k++)
				free(incs[k]);
			free(incs);
			free(argv);
			free(flat);
			free(obj);
			free(srcp);
			free(def);
			goto out;
		}
		if (st == 0) {
			strv_add(&em->units, &em->nunits, tus[i]);
			tuobj[i] = obj;
			obj = NULL;
		} else {
			strv_add(&em->failed, &em->nfailed, tus[i]);
			dprintf(logfd, "verify: %s does not compile with %s defined on this host\n",
				tus[i], macro);
		}
		for (size_t k = 0; k < ninc; k++)
			free(incs[k]);
		free(incs);
		free(argv);
		free(flat);
		free(obj);
		free(srcp);
		free(def);
	}

	/* relink gap with the emulated objects */
	{
		char **argv = calloc(link->argc + 1, sizeof(*argv));
		if (!argv) {
			ap_error_set(err, "out of memory");
			goto out;
		}
		size_t swapped = 0;
		for (size_t k = 0; k < link->argc; k++) {
			argv[k] = link->argv[k];
			if (k > 0 && strcmp(link->argv[k - 1], "-o") == 0) {
				argv[k] = em->binary;
				continue;
			}
			for (size_t i = 0; i < ntus; i++) {
				const char *obj = ap_logcmd_output(tucmd[i]);
				if (tuobj[i] && obj && strcmp(undot(link->argv[k]), undot(obj)) == 0) {
					argv[k] = tuobj[i];
					swapped++;
				}
			}
		}
		argv[link->argc] = NULL;
		if (o->progress)
			o->progress(o->progress_ctx, platform, "emulate", ntus, ntus, "linking");
		int st = run_cmd(&r, argv, link->cwd, err);
		free(argv);
		if (st != 0) {
			if (st > 0) {
				ap_buf tail = AP_BUF_INIT;
				log_tail(em->log, &tail, 6);
				ap_error_set(err, "relinking gap with the emulated units failed (exit %d); "
					     "see %s; it ends:\n%s", st, em->log, tail.data ? tail.data : "");
				ap_buf_free(&tail);
			}
			goto out;
		}
		if (swapped != em->nunits) {
			ap_error_set(err, "%s:%zu: the gap link line names %zu of the %zu emulated "
				     "objects", native->log, link->lineno, swapped, em->nunits);
			goto out;
		}
	}
	{
		ap_buf units = AP_BUF_INIT;
		for (size_t i = 0; i < em->nunits; i++)
			ap_buf_printf(&units, "unit %s\n", em->units[i]);
		for (size_t i = 0; i < em->nfailed; i++)
			ap_buf_printf(&units, "failed %s\n", em->failed[i]);
		for (size_t i = 0; i < em->nuntouched; i++)
			ap_buf_printf(&units, "untouched %s\n", em->untouched[i]);
		if (em->all_naming)
			ap_buf_puts(&units, "all-naming\n");
		char *up = ap_printf("%s/units", dir);
		int w = up ? write_file(up, units.data ? units.data : "", units.len, 0666, err) : -1;
		free(up);
		ap_buf_free(&units);
		if (w < 0 || write_file(fp_path, fp.data, fp.len, 0666, err) < 0)
			goto out;
	}
	rc = 0;
out:
	em->seconds = now_s() - t0;
	if (logfd >= 0)
		close(logfd);
	if (vinit)
		ap_vtree_free(&v);
	if (pr.have_state)
		ap_state_free(&pr.state);
	if (pr.tree)
		ap_tree_close(pr.tree);
	ap_loaded_series_free(&ls);
	ap_buildlog_free(&bl);
	for (size_t i = 0; tuobj && i < ntus; i++)
		free(tuobj[i]);
	free(tuobj);
	free(tucmd);
	strv_free(tus, ntus);
	strv_free(idirs_all, nidirs_all);
	ap_buf_free(&fp);
	ap_buf_free(&nfp);
	ap_buf_free(&logtext);
	free(dir);
	free(overlay);
	free(objdir);
	free(fp_path);
	free(nfp_path);
	return rc;
}
