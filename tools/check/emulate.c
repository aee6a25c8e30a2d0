/* emulate.c - the Cygwin build of GAP, emulated on Linux (see emulate.h).
 *
 * A sequence of steps over one context (struct emu): start (paths and the
 * fingerprint), reuse, fresh, apply (the platform's series in memory over
 * the upstream's files, read through the engine's ap_worktree_original),
 * read_log, pick the units, overlay, compile, link, save.
 */
#include "emulate.h"
#include "apply.h"
#include "buf.h"
#include "builddir.h"
#include "buildlog.h"
#include "fingerprint.h"
#include "loaded_series.h"
#include "patch.h"
#include "strmap.h"
#include "tree.h"
#include "vtree.h"
#include "worktree.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void ap_emulation_free(ap_emulation *em)
{
	free(em->platform);
	free(em->macro);
	free(em->binary);
	free(em->log);
	ap_strv_free(em->units, em->nunits);
	ap_strv_free(em->failed, em->nfailed);
	ap_strv_free(em->untouched, em->nuntouched);
	ap_strv_free(em->patches, em->npatches);
	memset(em, 0, sizeof(*em));
}

/* The text of a tree-relative file as the emulated platform sees it. */
static int emu_text(ap_vtree *v, ap_tree *tree, const char *path, ap_buf *out)
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
	if (ap_tree_load(tree, path, &st, &data, &len, &e) < 0 || !st.exists || st.symlink) {
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

/* Whether path's code depends on macro: it names it, or a header it
 * includes with "..." does (searched as the compiler would: the file's
 * directory, then the -I directories). */
static int depends_on(ap_vtree *v, ap_tree *pr, const char *path, char **idirs, size_t nidirs,
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
						char *cand = ap_buildlog_join(k == 0 ? dir : idirs[k - 1], name);
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
	if (ap_builddir_mkdirs(dst, err) < 0) {
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
		rc = ap_builddir_write(to, f->data, f->len, f->mode ? f->mode : 0644, err);
		free(to);
	}
out:
	free(src);
	free(dst);
	return rc;
}

/* --- the emulation, step by step --------------------------------------------------------- */

/* One emulation's state, passed to each step. */
typedef struct emu {
	const ap_build_opts *o;
	const ap_build *native;
	ap_emulation *em;
	char *dir, *overlay, *objdir, *fp_path;
	ap_buf fp;                       /* the fingerprint this run would write */
	ap_loaded_series ls;
	ap_originals *orig;              /* the upstream's bytes, under the vtree */
	ap_tree *tree;                   /* the native tree as built */
	ap_vtree v;
	int vinit;
	ap_buildlog bl;
	const ap_logcmd *link;           /* linking gap */
	char **tus;                      /* the units to rebuild ... */
	const ap_logcmd **tucmd;         /* ... their compile commands */
	char **tuobj;                    /* ... their emulated objects (NULL: failed) */
	size_t ntus;
	char **idirs;                    /* every -I directory of those commands */
	size_t nidirs;
	int logfd;
	ap_runner r;
} emu;

static void emu_free(emu *x)
{
	if (x->logfd >= 0)
		close(x->logfd);
	if (x->vinit)
		ap_vtree_free(&x->v);
	ap_worktree_originals_close(x->orig);
	if (x->tree)
		ap_tree_close(x->tree);
	ap_loaded_series_free(&x->ls);
	ap_buildlog_free(&x->bl);
	for (size_t i = 0; x->tuobj && i < x->ntus; i++)
		free(x->tuobj[i]);
	free(x->tuobj);
	free(x->tucmd);
	ap_strv_free(x->tus, x->ntus);
	ap_strv_free(x->idirs, x->nidirs);
	ap_buf_free(&x->fp);
	free(x->dir);
	free(x->overlay);
	free(x->objdir);
	free(x->fp_path);
}

/* Where everything goes, and the fingerprint of this emulation. */
static int emu_start(emu *x, const char *platform, const char *macro, ap_error *err)
{
	ap_emulation *em = x->em;
	ap_buf nfp = AP_BUF_INIT;
	em->platform = ap_strdup(platform);
	em->macro = ap_strdup(macro);
	char *bd = ap_builddir_abs(x->o->build_dir, err);
	if (!bd)
		return -1;
	x->dir = ap_printf("%s/%s-emulated", bd, platform);
	x->overlay = ap_printf("%s/%s-emulated/overlay", bd, platform);
	x->objdir = ap_printf("%s/%s-emulated/obj", bd, platform);
	x->fp_path = ap_printf("%s/%s-emulated/fingerprint", bd, platform);
	char *nfp_path = ap_printf("%s/fingerprint", x->native->dir);
	em->binary = ap_printf("%s/gap-%s-emulated", bd, platform);
	em->log = ap_printf("%s/%s-emulated/emulate.log", bd, platform);
	free(bd);
	if (!em->platform || !em->macro || !x->dir || !x->overlay || !x->objdir || !x->fp_path ||
	    !nfp_path || !em->binary || !em->log) {
		free(nfp_path);
		return ap_error_set(err, "out of memory");
	}
	int rc = ap_builddir_read(nfp_path, &nfp, err);
	free(nfp_path);
	if (rc < 0) {
		ap_buf_free(&nfp);
		return ap_error_wrap(err, "the native build's fingerprint");
	}
	ap_buf_printf(&x->fp, "%s\nemulate %s %s\nnative-build\n%s", AP_FINGERPRINT_VERSION,
		      platform, macro, nfp.data ? nfp.data : "");
	ap_buf_free(&nfp);
	if (ap_fingerprint_series(x->o->patches_dir, platform, &x->fp, &em->patches,
				  &em->npatches, err) < 0)
		return -1;
	if (x->o->units_from) {
		ap_buf_printf(&x->fp, "units-from %s\n", x->o->units_from);
		if (ap_fingerprint_series(x->o->units_from, platform, &x->fp, NULL, NULL, err) < 0)
			return -1;
	}
	if (!x->fp.data)
		return ap_error_set(err, "out of memory");
	return 0;
}

/* 1 when the previous emulation had the same inputs (its unit lists,
 * kept beside the fingerprint, are read back), else 0. */
static int emu_reuse(emu *x, ap_error *err)
{
	ap_emulation *em = x->em;
	if (x->o->force || !ap_fingerprint_same(x->fp_path, x->fp.data) ||
	    access(em->binary, X_OK) != 0)
		return 0;
	ap_buf units = AP_BUF_INIT;
	char *up = ap_printf("%s/units", x->dir);
	int reused = 0;
	if (up && ap_builddir_read(up, &units, err) == 0 && units.data) {
		char *save = NULL;
		for (char *l = strtok_r(units.data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			if (strncmp(l, "unit ", 5) == 0)
				ap_strv_add(&em->units, &em->nunits, l + 5);
			else if (strncmp(l, "failed ", 7) == 0)
				ap_strv_add(&em->failed, &em->nfailed, l + 7);
			else if (strncmp(l, "untouched ", 10) == 0)
				ap_strv_add(&em->untouched, &em->nuntouched, l + 10);
			else if (strcmp(l, "all-naming") == 0)
				em->all_naming = 1;
		}
		em->reused = reused = 1;
	}
	free(up);
	ap_buf_free(&units);
	return reused;
}

/* A fresh start: nothing of the old emulation survives; the log opened. */
static int emu_fresh(emu *x, ap_error *err)
{
	unlink(x->fp_path);
	unlink(x->em->binary);
	ap_rmtree(x->dir);
	if (ap_builddir_mkdirs(x->objdir, err) < 0)
		return -1;
	x->logfd = ap_builddir_create(x->em->log, 0666, err);
	return x->logfd < 0 ? -1 : 0;
}

/* The platform's series, applied in memory to the upstream's files. */
static int emu_apply(emu *x, const char *platform, ap_error *err)
{
	const ap_build_opts *o = x->o;
	if (o->progress)
		o->progress(o->progress_ctx, platform, "emulate", 0, 0, "applying the series");
	if (ap_tree_open(&x->tree, x->native->tree, err) < 0 ||
	    ap_worktree_originals_open(&x->orig, x->native->tree, err) < 0)
		return -1;
	ap_vtree_init(&x->v, ap_worktree_original, x->orig);
	x->vinit = 1;
	if (!o->patches_dir)
		return 0;
	if (ap_loaded_series_load(&x->ls, o->patches_dir, platform, 0, 1, err) < 0)
		return -1;
	for (size_t i = 0; i < x->ls.series.n; i++) {
		const char *name = x->ls.series.v[i].name;
		if (!x->ls.series.v[i].selected)
			continue;
		if (x->ls.errors && x->ls.errors[i])
			return ap_error_set(err, "%s", x->ls.errors[i]);
		ap_apply_opts ao = { 0 };
		ap_patch_result res;
		memset(&res, 0, sizeof res);
		if (ap_apply_patch(&x->v, &x->ls.patches[i], &ao, &res, err) < 0) {
			ap_patch_result_free(&res);
			return -1;
		}
		dprintf(x->logfd, "verify: %s for %s: %s%s%s\n", name, platform,
			ap_patch_status_name(res.status), res.reason ? ": " : "",
			res.reason ? res.reason : "");
		if (res.status == AP_PATCH_FAILED) {
			ap_error_set(err, "the series for %s does not apply to the upstream: %s: %s",
				     platform, name, res.reason ? res.reason : "failed");
			ap_patch_result_free(&res);
			return -1;
		}
		ap_patch_result_free(&res);
	}
	return 0;
}

/* The native build's commands, and the one linking gap. */
static int emu_read_log(emu *x, ap_error *err)
{
	ap_buf text = AP_BUF_INIT;
	const ap_build *n = x->native;
	int rc = ap_builddir_read(n->log, &text, err);
	if (rc == 0)
		rc = ap_buildlog_parse(&x->bl, text.data ? text.data : "", text.len, n->tree, err);
	ap_buf_free(&text);
	if (rc < 0)
		return -1;
	x->link = ap_buildlog_link_of(&x->bl, "gap");
	if (!x->link)
		return ap_error_set(err, "%s: no command linking gap found (was it built with make "
				    "V=1?)", n->log);
	return 0;
}

static int emu_add_unit(emu *x, const char *src, const ap_logcmd *c, ap_error *err)
{
	const ap_logcmd **nc = realloc(x->tucmd, (x->ntus + 1) * sizeof *nc);
	if (!nc)
		return ap_error_set(err, "out of memory");
	x->tucmd = nc;
	if (ap_strv_add(&x->tus, &x->ntus, src) < 0)
		return ap_error_set(err, "out of memory");
	x->tucmd[x->ntus - 1] = c;
	return 0;
}

static void emu_add_idirs(emu *x, const ap_logcmd *c, char ***idirs, size_t *nidirs)
{
	ap_logcmd_include_dirs(c, x->native->tree, idirs, nidirs);
	for (size_t k = 0; k < *nidirs; k++)
		ap_strv_add_unique(&x->idirs, &x->nidirs, (*idirs)[k]);
}

/* Which touched .c files of gap depend on the macro. */
static int emu_pick_touched(emu *x, const char *macro, ap_error *err)
{
	for (size_t i = 0; i < x->v.n; i++) {
		ap_vfile *f = x->v.files[i];
		size_t l = strlen(f->path);
		if (l < 3 || strcmp(f->path + l - 2, ".c") != 0 || !f->exists)
			continue;
		const ap_logcmd *c = ap_buildlog_compile_of(&x->bl, f->path, x->link);
		if (!c) {
			/* not part of gap (a tool, a test): nothing to emulate */
			dprintf(x->logfd, "verify: %s is not compiled into gap\n", f->path);
			continue;
		}
		char **idirs = NULL;
		size_t nidirs = 0;
		emu_add_idirs(x, c, &idirs, &nidirs);
		ap_strmap seen = AP_STRMAP_INIT;
		int dep = depends_on(&x->v, x->tree, f->path, idirs, nidirs, macro, &seen, 0);
		ap_strmap_free(&seen);
		ap_strv_free(idirs, nidirs);
		if (!dep)
			ap_strv_add(&x->em->untouched, &x->em->nuntouched, f->path);
		else if (emu_add_unit(x, f->path, c, err) < 0)
			return -1;
	}
	return 0;
}

/* The series not applied (--no-patches), or applied less the patch left
 * out (--attribute): the .c files it names (for the platform, applied or
 * not) that gap compiles and that depend on the macro are the units, as
 * they would be with the whole series applied. */
static int emu_pick_named(emu *x, const char *platform, const char *macro, ap_error *err)
{
	ap_loaded_series ls;
	memset(&ls, 0, sizeof ls);
	if (ap_loaded_series_load(&ls, x->o->units_from, platform, 0, 1, err) < 0)
		return ap_error_wrap(err, "the series whose files decide the emulated units");
	int rc = 0;
	for (size_t i = 0; i < ls.series.n && rc == 0; i++) {
		if (!ls.series.v[i].selected || (ls.errors && ls.errors[i]))
			continue;
		for (size_t k = 0; k < ls.patches[i].nfiles && rc == 0; k++) {
			const char *path = ap_file_diff_target(&ls.patches[i].files[k]);
			size_t l = path ? strlen(path) : 0;
			int known = 0;
			for (size_t j = 0; j < x->ntus; j++)
				known |= strcmp(x->tus[j], path) == 0;
			if (l < 3 || strcmp(path + l - 2, ".c") != 0 || known)
				continue;
			const ap_logcmd *c = ap_buildlog_compile_of(&x->bl, path, x->link);
			if (!c)
				continue;
			char **idirs = NULL;
			size_t nidirs = 0;
			emu_add_idirs(x, c, &idirs, &nidirs);
			ap_strmap seen = AP_STRMAP_INIT;
			int dep = depends_on(&x->v, x->tree, path, idirs, nidirs, macro, &seen, 0);
			ap_strmap_free(&seen);
			ap_strv_free(idirs, nidirs);
			if (dep)
				rc = emu_add_unit(x, path, c, err);
			else
				ap_strv_add(&x->em->untouched, &x->em->nuntouched, path);
		}
	}
	dprintf(x->logfd, "verify: the whole series in %s names %zu unit(s) depending "
		"on %s\n", x->o->units_from, x->ntus, macro);
	ap_loaded_series_free(&ls);
	return rc;
}

/* Nothing the series touches depends on the macro (an unpatched upstream,
 * say): every unit of gap that names it itself is rebuilt, so that the
 * emulated binary is the platform's build all the same. */
static int emu_pick_naming(emu *x, const char *macro, ap_error *err)
{
	for (size_t i = 0; i < x->bl.n; i++) {
		const ap_logcmd *c = &x->bl.cmds[i];
		const char *src = ap_logcmd_source(c, x->native->tree);
		if (!src || ap_buildlog_compile_of(&x->bl, src, x->link) != c)
			continue;
		ap_buf t = AP_BUF_INIT;
		int dep = emu_text(&x->v, x->tree, src, &t) == 0 && t.data &&
			  mentions(t.data, t.len, macro);
		ap_buf_free(&t);
		if (!dep)
			continue;
		if (emu_add_unit(x, src, c, err) < 0)
			return -1;
		char **idirs = NULL;
		size_t nidirs = 0;
		emu_add_idirs(x, c, &idirs, &nidirs);
		ap_strv_free(idirs, nidirs);
	}
	x->em->all_naming = x->ntus > 0;
	dprintf(x->logfd, "verify: the series touches no unit depending on %s: rebuilding the "
		"%zu unit(s) of gap that name it\n", macro, x->ntus);
	return 0;
}

/* The overlay: every directory holding a touched file or a unit. */
static int emu_overlay(emu *x, ap_error *err)
{
	ap_strmap dirs = AP_STRMAP_INIT;
	int rc = 0;
	for (size_t i = 0; i < x->v.n + x->ntus && rc == 0; i++) {
		char *d = ap_strdup(i < x->v.n ? x->v.files[i]->path : x->tus[i - x->v.n]);
		char *s = d ? strrchr(d, '/') : NULL;
		if (s)
			*s = '\0';
		else if (d)
			d[0] = '\0';
		if (d && !ap_strmap_get(&dirs, d)) {
			ap_strmap_put(&dirs, d, (void *)1);
			rc = build_overlay_dir(x->native->tree, x->overlay, d, &x->v, err);
		}
		free(d);
	}
	ap_strmap_free(&dirs);
	return rc;
}

/* The unit's compile command with the macro defined, the overlay's
 * directories searched first, its source taken from the overlay and its
 * object written to obj/; the words are borrowed or in *owned. */
static char **emu_unit_argv(emu *x, size_t i, const char *obj, const char *srcp,
			    const char *def, char **owned, size_t *nowned)
{
	const ap_logcmd *c = x->tucmd[i];
	char **argv = calloc(c->argc + 16 + x->nidirs, sizeof *argv);
	size_t a = 0;
	if (!argv)
		return NULL;
	argv[a++] = c->argv[0];
	argv[a++] = (char *)def;
	for (size_t k = 0; k < x->nidirs; k++) {
		char *od = ap_printf("-I%s/%s", x->overlay, x->idirs[k]);
		char *dd = ap_printf("%s/%s", x->overlay, x->idirs[k]);
		struct stat st;
		if (od && dd && stat(dd, &st) == 0)
			argv[a++] = owned[(*nowned)++] = od;
		else
			free(od);
		free(dd);
	}
	int skip = 0;
	const char *want = ap_buildlog_undot(x->tus[i]);
	const char *tree = x->native->tree;
	size_t tl = strlen(tree);
	const char *rel = strncmp(c->cwd, tree, tl) == 0 ? c->cwd + tl : "";
	while (*rel == '/')
		rel++;
	for (size_t k = 1; k < c->argc; k++) {
		const char *w = c->argv[k];
		if (skip) {
			skip = 0;
			continue;
		}
		if (ap_logcmd_dep_flag(w, &skip))
			continue;
		if (strcmp(w, "-o") == 0 && k + 1 < c->argc) {
			argv[a++] = (char *)"-o";
			argv[a++] = (char *)obj;
			k++;
			continue;
		}
		char *j = ap_buildlog_join(rel, w);
		argv[a++] = j && strcmp(j, want) == 0 ? (char *)srcp : (char *)w;
		free(j);
	}
	argv[a] = NULL;
	return argv;
}

/* Compiles unit i with the macro; 0 whether or not it compiled (a unit
 * that does not is named in em->failed), -1 when it could not be run. */
static int emu_compile_unit(emu *x, size_t i, const char *platform, const char *macro,
			    ap_error *err)
{
	char *flat = flat_name(x->tus[i]);
	char *obj = flat ? ap_printf("%s/%s.o", x->objdir, flat) : NULL;
	char *srcp = ap_printf("%s/%s", x->overlay, x->tus[i]);
	char *def = ap_printf("-D%s=1", macro);
	char **owned = calloc(x->nidirs + 1, sizeof *owned);
	size_t nowned = 0;
	char **argv = obj && srcp && def && owned
			      ? emu_unit_argv(x, i, obj, srcp, def, owned, &nowned)
			      : NULL;
	int rc = 0;
	if (!argv) {
		rc = ap_error_set(err, "out of memory");
	} else {
		if (x->o->progress)
			x->o->progress(x->o->progress_ctx, platform, "emulate", i, x->ntus, x->tus[i]);
		int st = ap_runner_run(&x->r, argv, x->tucmd[i]->cwd, err);
		if (st < 0) {
			rc = -1;
		} else if (st == 0) {
			ap_strv_add(&x->em->units, &x->em->nunits, x->tus[i]);
			x->tuobj[i] = obj;
			obj = NULL;
		} else {
			ap_strv_add(&x->em->failed, &x->em->nfailed, x->tus[i]);
			dprintf(x->logfd, "verify: %s does not compile with %s defined on this host\n",
				x->tus[i], macro);
		}
	}
	for (size_t k = 0; k < nowned; k++)
		free(owned[k]);
	free(owned);
	free(argv);
	free(flat);
	free(obj);
	free(srcp);
	free(def);
	return rc;
}

static int emu_compile(emu *x, const char *platform, const char *macro, ap_error *err)
{
	x->r.o = x->o;
	x->r.target = platform;
	x->r.phase = "emulate";
	x->r.logfd = x->logfd;
	x->r.total = x->ntus;
	x->tuobj = calloc(x->ntus ? x->ntus : 1, sizeof *x->tuobj);
	if (!x->tuobj)
		return ap_error_set(err, "out of memory");
	for (size_t i = 0; i < x->ntus; i++)
		if (emu_compile_unit(x, i, platform, macro, err) < 0)
			return -1;
	return 0;
}

/* Replays gap's link line with the emulated objects substituted. */
static int emu_link(emu *x, const char *platform, ap_error *err)
{
	const ap_logcmd *link = x->link;
	ap_emulation *em = x->em;
	char **argv = calloc(link->argc + 1, sizeof *argv);
	if (!argv)
		return ap_error_set(err, "out of memory");
	size_t swapped = 0;
	for (size_t k = 0; k < link->argc; k++) {
		argv[k] = link->argv[k];
		if (k > 0 && strcmp(link->argv[k - 1], "-o") == 0) {
			argv[k] = em->binary;
			continue;
		}
		for (size_t i = 0; i < x->ntus; i++) {
			const char *obj = ap_logcmd_output(x->tucmd[i]);
			if (x->tuobj[i] && obj &&
			    strcmp(ap_buildlog_undot(link->argv[k]), ap_buildlog_undot(obj)) == 0) {
				argv[k] = x->tuobj[i];
				swapped++;
			}
		}
	}
	argv[link->argc] = NULL;
	if (x->o->progress)
		x->o->progress(x->o->progress_ctx, platform, "emulate", x->ntus, x->ntus, "linking");
	int st = ap_runner_run(&x->r, argv, link->cwd, err);
	free(argv);
	if (st != 0) {
		if (st > 0) {
			ap_buf tail = AP_BUF_INIT;
			ap_builddir_tail(em->log, &tail, 6);
			ap_error_set(err, "relinking gap with the emulated units failed (exit %d); see "
				     "%s; it ends:\n%s", st, em->log, tail.data ? tail.data : "");
			ap_buf_free(&tail);
		}
		return -1;
	}
	if (swapped != em->nunits)
		return ap_error_set(err, "%s:%zu: the gap link line names %zu of the %zu emulated "
				    "objects", x->native->log, link->lineno, swapped, em->nunits);
	return 0;
}

/* The unit lists beside the fingerprint, for the next run to reuse. */
static int emu_save(emu *x, ap_error *err)
{
	ap_emulation *em = x->em;
	ap_buf units = AP_BUF_INIT;
	for (size_t i = 0; i < em->nunits; i++)
		ap_buf_printf(&units, "unit %s\n", em->units[i]);
	for (size_t i = 0; i < em->nfailed; i++)
		ap_buf_printf(&units, "failed %s\n", em->failed[i]);
	for (size_t i = 0; i < em->nuntouched; i++)
		ap_buf_printf(&units, "untouched %s\n", em->untouched[i]);
	if (em->all_naming)
		ap_buf_puts(&units, "all-naming\n");
	char *up = ap_printf("%s/units", x->dir);
	int w = up ? ap_builddir_write(up, units.data ? units.data : "", units.len, 0666, err)
		   : ap_error_set(err, "out of memory");
	free(up);
	ap_buf_free(&units);
	if (w < 0)
		return -1;
	return ap_builddir_write(x->fp_path, x->fp.data, x->fp.len, 0666, err);
}

int ap_build_emulate(const ap_build_opts *o, const ap_build *native, const char *platform,
		     const char *macro, ap_emulation *em, ap_error *err)
{
	emu x;
	double t0 = ap_builddir_now();
	memset(em, 0, sizeof *em);
	memset(&x, 0, sizeof x);
	x.o = o;
	x.native = native;
	x.em = em;
	x.logfd = -1;
	int rc = emu_start(&x, platform, macro, err);
	if (rc == 0 && emu_reuse(&x, err) == 0) {
		rc = emu_fresh(&x, err);
		if (rc == 0)
			rc = emu_apply(&x, platform, err);
		if (rc == 0)
			rc = emu_read_log(&x, err);
		if (rc == 0)
			rc = emu_pick_touched(&x, macro, err);
		if (rc == 0 && o->units_from)
			rc = emu_pick_named(&x, platform, macro, err);
		if (rc == 0 && x.ntus == 0)
			rc = emu_pick_naming(&x, macro, err);
		if (rc == 0)
			rc = emu_overlay(&x, err);
		if (rc == 0)
			rc = emu_compile(&x, platform, macro, err);
		if (rc == 0)
			rc = emu_link(&x, platform, err);
		if (rc == 0)
			rc = emu_save(&x, err);
	}
	em->seconds = ap_builddir_now() - t0;
	emu_free(&x);
	return rc < 0 ? -1 : 0;
}
