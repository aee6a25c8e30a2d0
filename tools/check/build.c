/* build.c - building the patched GAP natively, and libgap (see build.h).
 *
 * Commands run through builddir.h's runner: every byte to the log, each
 * line to the progress callback (the library prints nothing itself).
 */
#include "build.h"
#include "buf.h"
#include "builddir.h"
#include "fingerprint.h"
#include "interrupt.h"
#include "worktree.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	ap_strv_free(b->patches, b->npatches);
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

/* Whether path is dir or inside it (both absolute, symlinks resolved). */
static int path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '/' || !path[n] || (n == 1 && *dir == '/'));
}

/* A src/ verify did not make (no build log or fingerprint beside it) is
 * someone's tree, never cleared: --build-dir may name a folder in use. */
static int tree_is_ours(const ap_build *b, const char *fp_path, ap_error *err)
{
	struct stat st;

	if (lstat(b->tree, &st) < 0 || access(b->log, F_OK) == 0 || access(fp_path, F_OK) == 0)
		return 0;
	return ap_error_set(err, "%s exists but was not made by verify (no build.log or "
			    "fingerprint beside it): move it away or give another --build-dir",
			    b->tree);
}

/* The paths of the build, the upstream's key and the fingerprint. */
static int native_start(const ap_build_opts *o, const char *platform, ap_build *b,
			ap_buf *fp, char **fp_path, char **key, ap_error *err)
{
	/* absolute: commands run, and GAP is probed, in other directories */
	char *bd = ap_builddir_abs(o->build_dir, err);
	if (!bd)
		return fail_step(b, "prepare");
	if (o->upstream->kind == AP_UPSTREAM_DIR && o->upstream->location) {
		/* copying a tree into itself never ends, and would never be reused */
		char *up = realpath(o->upstream->location, NULL);
		int inside = up && path_within(bd, up), holds = up && path_within(up, bd);
		free(up);
		if (inside || holds) {
			/* and a fresh build clears its tree: the upstream would go first */
			ap_error_set(err, inside ? "the build directory %s is inside the upstream "
				     "directory %s: give --build-dir outside it"
				     : "the build directory %s holds the upstream directory %s, and a "
				     "fresh build clears it: copy the upstream out or give another "
				     "--build-dir", bd, o->upstream->location);
			free(bd);
			return fail_step(b, "prepare");
		}
	}
	b->platform = ap_strdup(platform);
	b->dir = ap_printf("%s/%s", bd, platform);
	b->tree = ap_printf("%s/%s/src", bd, platform);
	b->binary = ap_printf("%s/%s/src/gap", bd, platform);
	b->log = ap_printf("%s/%s/build.log", bd, platform);
	*fp_path = ap_printf("%s/%s/fingerprint", bd, platform);
	free(bd);
	if (!b->platform || !b->dir || !b->tree || !b->binary || !b->log || !*fp_path)
		return ap_error_set(err, "out of memory");
	if (o->progress)
		o->progress(o->progress_ctx, platform, "prepare", 0, 0, "checking the inputs");
	*key = ap_fingerprint_upstream(o->upstream, err);
	if (!*key)
		return fail_step(b, "prepare");
	char *cc = ap_fingerprint_compiler();
	ap_buf_printf(fp, "%s\nupstream %s\nplatform %s\n", AP_FINGERPRINT_VERSION, *key, platform);
	if (ap_fingerprint_series(o->patches_dir, platform, fp, &b->patches, &b->npatches,
				  err) < 0) {
		free(cc);
		return fail_step(b, "apply");
	}
	ap_buf_puts(fp, "configure");
	for (size_t i = 0; o->configure_args && o->configure_args[i]; i++)
		ap_buf_printf(fp, " %s", o->configure_args[i]);
	ap_buf_printf(fp, "\ncompiler %s\n", cc ? cc : "unknown");
	free(cc);
	static const char *envs[] = { "CFLAGS", "CPPFLAGS", "LDFLAGS", "LIBS", NULL };
	for (size_t i = 0; envs[i]; i++)
		ap_buf_printf(fp, "env %s=%s\n", envs[i], getenv(envs[i]) ? getenv(envs[i]) : "");
	if (!fp->data)
		return ap_error_set(err, "out of memory");
	return 0;
}

/* 1 when the build with this fingerprint is there to reuse. */
static int native_reuse(const ap_build_opts *o, ap_build *b, const ap_buf *fp,
			const char *fp_path, const char *key, ap_error *err)
{
	if (o->force || !ap_fingerprint_same(fp_path, fp->data) || access(b->binary, X_OK) != 0)
		return 0;
	ap_buf idb = AP_BUF_INIT;
	char *idp = ap_printf("%s/identity", b->dir);
	b->reused = 1;
	if (idp && ap_builddir_read(idp, &idb, err) == 0 && idb.data)
		b->identity = ap_strndup(idb.data, strcspn(idb.data, "\n"));
	else
		b->identity = ap_strdup(key);
	free(idp);
	ap_buf_free(&idb);
	return 1;
}

/* The upstream prepared into the tree. */
static int native_prepare(const ap_build_opts *o, ap_build *b, int logfd, ap_error *err)
{
	ap_prepare_opts po;
	memset(&po, 0, sizeof po);
	if (o->progress)
		o->progress(o->progress_ctx, b->platform, "prepare", 0, 0, o->upstream->location);
	char *alog = ap_printf("%s/autogen.log", b->dir);
	po.autogen_log = alog;
	int prc = ap_upstream_prepare(o->upstream, b->tree, &po, &b->identity, err);
	ap_prepare_opts_free(&po);
	free(alog);
	if (prc < 0) {
		ap_error_wrap(err, "preparing the upstream");
		return fail_step(b, "prepare");
	}
	dprintf(logfd, "verify: prepared %s (%s) in %s\n",
		o->upstream->location ? o->upstream->location : "the pinned upstream", b->identity,
		b->tree);
	return 0;
}

/* A tarball's key is its sha256 before prepare read it; b->identity is the
 * sha256 of what was unpacked (hashed from the one open file it was
 * unpacked from). They differ when the file was replaced meanwhile (refused:
 * the build would be saved under another tarball's name), or when prepare
 * downloaded the pinned tarball first (the key becomes what came). */
static int native_same_upstream(const ap_build_opts *o, ap_build *b, ap_buf *fp,
				const char *key, ap_error *err)
{
	ap_upstream_kind k = o->upstream->kind;
	if ((k != AP_UPSTREAM_TARBALL && k != AP_UPSTREAM_PINNED) || strcmp(key, b->identity) == 0)
		return 0;
	if (strcmp(key, AP_FINGERPRINT_NOT_YET) != 0) {
		ap_error_set(err, "the upstream tarball changed while verify read it (%s when "
			     "checked, %s when unpacked): run verify again once it stays put",
			     key, b->identity);
		return fail_step(b, "prepare");
	}
	char *old = ap_printf("\nupstream %s\n", key);
	const char *at = old && fp->data ? strstr(fp->data, old) : NULL;
	ap_buf nfp = AP_BUF_INIT;
	if (at) {
		ap_buf_add(&nfp, fp->data, (size_t)(at - fp->data));
		ap_buf_printf(&nfp, "\nupstream %s\n", b->identity);
		ap_buf_puts(&nfp, at + strlen(old));
	}
	free(old);
	if (!at || !nfp.data) {
		ap_buf_free(&nfp);
		return ap_error_set(err, "out of memory");
	}
	ap_buf_free(fp);
	*fp = nfp;
	return 0;
}

/* The platform's series applied to the tree by the engine. */
static int native_apply(const ap_build_opts *o, ap_build *b, int logfd, ap_error *err)
{
	ap_run_opts ro = AP_RUN_OPTS_INIT;
	ap_run run;
	const char *platform = b->platform;
	if (!o->patches_dir)
		return 0;
	memset(&run, 0, sizeof run);
	ro.tree = b->tree;
	ro.patches_dir = o->patches_dir;
	ro.platform = platform;
	if (o->progress)
		o->progress(o->progress_ctx, platform, "apply", 0, 0, o->patches_dir);
	if (ap_worktree_apply(&ro, &run, err) < 0) {
		ap_error_wrap(err, "applying %s for %s", o->patches_dir, platform);
		ap_run_free(&run);
		return fail_step(b, "apply");
	}
	if (run.failed) {
		ap_buf why = AP_BUF_INIT;
		for (size_t i = 0; i < run.n; i++)
			if (run.patches[i].status == AP_PATCH_FAILED)
				ap_buf_printf(&why, "%s%s: %s", why.len ? "; " : "", run.patches[i].name,
					      run.patches[i].reason ? run.patches[i].reason : "failed");
		ap_error_set(err, "the series for %s does not apply to the upstream: %s", platform,
			     why.data ? why.data : "a patch failed");
		ap_buf_free(&why);
		ap_run_free(&run);
		return fail_step(b, "apply");
	}
	for (size_t i = 0; i < run.n; i++)
		if (run.patches[i].selected)
			dprintf(logfd, "verify: %s: %s\n", run.patches[i].name,
				ap_patch_status_name(run.patches[i].status));
	ap_run_free(&run);
	return 0;
}

/* Runs one build step (configure, make) in the tree; a failure names the
 * step and quotes the log's last lines. */
static int native_step(ap_runner *r, char *const *argv, ap_build *b, const char *step,
		       const char *shown, int tail_lines, ap_error *err)
{
	int st = ap_runner_run(r, argv, b->tree, err);
	if (st == 0)
		return 0;
	if (st > 0) {
		ap_buf tail = AP_BUF_INIT;
		ap_builddir_tail(b->log, &tail, tail_lines);
		ap_error_set(err, "%s failed (exit %d); see %s; it ends:\n%s", shown, st, b->log,
			     tail.data ? tail.data : "");
		ap_buf_free(&tail);
	}
	return fail_step(b, step);
}

/* ./configure, then make V=1 -jN, in the tree. */
static int native_make(const ap_build_opts *o, ap_build *b, int logfd, ap_error *err)
{
	ap_runner r;
	char *argv[64];
	size_t argc = 0;
	memset(&r, 0, sizeof r);
	r.o = o;
	r.target = b->platform;
	r.logfd = logfd;
	argv[argc++] = (char *)"./configure";
	for (size_t i = 0; o->configure_args && o->configure_args[i] && argc < 63; i++)
		argv[argc++] = (char *)o->configure_args[i];
	argv[argc] = NULL;
	r.phase = "configure";
	if (native_step(&r, argv, b, "configure", "./configure", 5, err) < 0)
		return -1;
	char jobs[32];
	snprintf(jobs, sizeof jobs, "-j%d", o->jobs > 0 ? o->jobs : ap_builddir_cores());
	const char *mk = getenv("MAKE");
	char *margv[] = { (char *)(mk && *mk ? mk : "make"), jobs, (char *)"V=1", NULL };
	r.phase = "make";
	r.count_compiles = 1;
	r.done = 0;
	r.total = count_sources(b->tree);
	if (native_step(&r, margv, b, "make", "make", 8, err) < 0)
		return -1;
	if (access(b->binary, X_OK) != 0) {
		ap_error_set(err, "make succeeded but made no %s; see %s", b->binary, b->log);
		return fail_step(b, "make");
	}
	return 0;
}

/* The identity and the fingerprint, written last: a build is reused only
 * when it finished. */
static int native_save(ap_build *b, const ap_buf *fp, const char *fp_path, ap_error *err)
{
	char *idp = ap_printf("%s/identity", b->dir);
	char *line = ap_printf("%s\n", b->identity);
	int w = idp && line ? ap_builddir_write(idp, line, strlen(line), 0666, err)
			    : ap_error_set(err, "out of memory");
	free(idp);
	free(line);
	if (w < 0)
		return -1;
	return ap_builddir_write(fp_path, fp->data, fp->len, 0666, err);
}

/* A signal caught (the CLI's handlers): no next step. No fingerprint is
 * written, so the next run clears the tree and builds afresh. */
static int native_interrupted(ap_build *b, ap_error *err)
{
	if (!ap_interrupted())
		return 0;
	ap_error_set(err, "interrupted by signal %d", ap_interrupted());
	return fail_step(b, "interrupted");
}

int ap_build_native(const ap_build_opts *o, const char *platform, ap_build *b, ap_error *err)
{
	ap_buf fp = AP_BUF_INIT;
	char *fp_path = NULL, *key = NULL;
	int logfd = -1, rc;
	double t0 = ap_builddir_now();

	memset(b, 0, sizeof *b);
	rc = native_start(o, platform, b, &fp, &fp_path, &key, err);
	if (rc == 0 && tree_is_ours(b, fp_path, err) < 0)
		rc = fail_step(b, "prepare");
	if (rc == 0 && !native_reuse(o, b, &fp, fp_path, key, err)) {
		/* a fresh build: nothing of the old one may survive */
		unlink(fp_path);
		rc = ap_builddir_mkdirs(b->dir, err);
		if (rc < 0) {
			fail_step(b, "prepare");
		} else {
			ap_rmtree(b->tree);
			logfd = ap_builddir_create(b->log, 0666, err);
			if (logfd < 0)
				rc = fail_step(b, "prepare");
		}
		if (rc == 0)
			rc = native_prepare(o, b, logfd, err);
		if (rc == 0)
			rc = native_same_upstream(o, b, &fp, key, err);
		if (rc == 0 && !(rc = native_interrupted(b, err)))
			rc = native_apply(o, b, logfd, err);
		if (rc == 0 && !(rc = native_interrupted(b, err)))
			rc = native_make(o, b, logfd, err);
		if (rc == 0 && !(rc = native_interrupted(b, err)))
			rc = native_save(b, &fp, fp_path, err);
	}
	b->seconds = ap_builddir_now() - t0;
	if (logfd >= 0)
		close(logfd);
	free(fp_path);
	free(key);
	ap_buf_free(&fp);
	return rc < 0 ? -1 : 0;
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
	ap_runner r;

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
	logfd = ap_builddir_create(log, 0666, err);
	if (logfd < 0)
		goto out;
	r.o = o;
	r.target = native->platform;
	r.phase = "libgap";
	r.logfd = logfd;
	{
		const char *mk = getenv("MAKE");
		char *argv[] = { (char *)(mk && *mk ? mk : "make"), (char *)"V=1",
				 (char *)"libgap.la", NULL };
		int st = ap_runner_run(&r, argv, native->tree, err);
		if (st != 0) {
			if (st > 0)
				ap_error_set(err, "make libgap.la failed (exit %d); see %s", st, log);
			goto out;
		}
	}
	if (ap_builddir_read(api, &h, err) < 0) {
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
	if (ap_builddir_write(src, driver_source, sizeof(driver_source) - 1, 0644, err) < 0)
		goto out;
	{
		const char *cc = getenv("CC");
		char *argv[] = { (char *)(cc && *cc ? cc : "cc"), (char *)(old_api ? "-DAP_GAP_4_10_0" : "-DAP_GAP"),
				 src, (char *)"-o", bin, ldir, (char *)"-lgap", rpath, NULL };
		int st = ap_runner_run(&r, argv, native->dir, err);
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
