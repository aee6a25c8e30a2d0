/* lint.c - the checks behind `applypatch lint`. */
#include "lint.h"

#include "buf.h"
#include "fileio.h"
#include "patch.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int add(ap_lint *l, char *where, char *what)
{
	if (!where || !what ||
	    ap_array_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) < 0) {
		free(where);
		free(what);
		return -1;
	}
	l->v[l->n].where = where;
	l->v[l->n].what = what;
	l->n++;
	return 0;
}

/* dh_quilt / quilt's default text that nobody replaced (lintian's
 * quilt-patch-using-template-description) */
#define TEMPLATE_DESCRIPTION \
	"TODO: Put a short summary on the line above and replace this paragraph"

static int nonempty(const char *v)
{
	return v && *v;
}

/* The upstream-reference rule, as DEP-3 and lintian's debian/patches/dep3
 * check read it: a patch whose Origin's category is "upstream" or
 * "backport" came from upstream; any other patch (Origin "vendor" or
 * "other", or none) needs a Forwarded (any value but "no", "not-needed"
 * included, with or without a reason), a Bug or an Applied-Upstream. */
static void check_upstream_reference(ap_lint *l, const ap_patch *p, const char *path)
{
	size_t fline = 1, oline = 1;
	char *forwarded = ap_patch_header(p, "Forwarded", &fline);
	char *origin = ap_patch_header(p, "Origin", &oline);
	char *bug = ap_patch_header(p, "Bug", NULL);
	char *applied = ap_patch_header(p, "Applied-Upstream", NULL);
	size_t clen = origin ? strcspn(origin, ",") : 0;
	int from_upstream = origin &&
		((clen == 8 && strncasecmp(origin, "upstream", 8) == 0) ||
		 (clen == 8 && strncasecmp(origin, "backport", 8) == 0));

	if (from_upstream)
		;
	else if (forwarded && strcasecmp(forwarded, "no") == 0)
		add(l, ap_printf("%s:%zu", path, fline),
		    ap_strdup("'Forwarded: no': forward it upstream and give the URL, or say "
			      "'Forwarded: not-needed' if upstream has no use for it"));
	else if (!nonempty(forwarded) && !nonempty(bug) && !nonempty(applied))
		add(l, ap_printf("%s:%zu", path, origin ? oline : 1),
		    origin ? ap_printf("'Origin: %s' is not upstream's: say where upstream has it "
				       "('Forwarded: URL', 'Bug: URL' or 'Applied-Upstream: VERSION'), "
				       "or 'Forwarded: not-needed'", origin)
			   : ap_strdup("no upstream reference: add 'Forwarded: URL' (or 'Bug: URL', "
				       "'Applied-Upstream: VERSION', 'Origin: upstream, URL' for a "
				       "backport, 'Forwarded: not-needed')"));
	free(forwarded);
	free(origin);
	free(bug);
	free(applied);
}

static void check_headers(ap_lint *l, const ap_patch *p, const char *path, const char *data,
			  size_t len)
{
	size_t line = 1;
	char *desc = ap_patch_header(p, "Description", &line);
	const char *tmpl;

	if (!desc)
		desc = ap_patch_header(p, "Subject", &line);
	if (!desc || !*desc)
		add(l, ap_printf("%s:1", path),
		    ap_strdup("no description: add a DEP-3 'Description:' (or a mail 'Subject:') "
			      "header before the diff"));
	free(desc);
	/* only in the header, before the first diff */
	tmpl = memmem(data, len, TEMPLATE_DESCRIPTION, strlen(TEMPLATE_DESCRIPTION));
	if (tmpl) {
		size_t at = 1;
		const char *diff = memmem(data, len, "\n---", 4);

		for (const char *q = data; q < tmpl; q++)
			at += *q == '\n';
		if (!diff || diff > tmpl)
			add(l, ap_printf("%s:%zu", path, at),
			    ap_strdup("the description is quilt's template (\"" TEMPLATE_DESCRIPTION
				      "\"): say what the patch does and why"));
	}
	check_upstream_reference(l, p, path);
}

/* The directory part of a series name ("" at the top, "cygwin" for
 * "cygwin/x.patch"), as a length into name. */
static size_t dir_len(const char *name)
{
	const char *slash = strrchr(name, '/');

	return slash ? (size_t)(slash - name) : 0;
}

/* A platform directory's .patch files that the series does not list:
 * quilt and applypatch leave them out, Sage's sage-apply-patches -d
 * applies them. */
static void unlisted_in_platform_dirs(ap_lint *l, const ap_series *s)
{
	DIR *d = opendir(s->dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *sub;
		DIR *sd;
		struct dirent *f;

		if (e->d_name[0] == '.' || !ap_platform_known(e->d_name))
			continue;
		sub = ap_printf("%s/%s", s->dir, e->d_name);
		sd = sub ? opendir(sub) : NULL;
		while (sd && (f = readdir(sd))) {
			size_t fl = strlen(f->d_name);
			char *name;
			int listed = 0;

			if (f->d_name[0] == '.' || fl < 6 || strcmp(f->d_name + fl - 6, ".patch"))
				continue;
			name = ap_printf("%s/%s", e->d_name, f->d_name);
			for (size_t i = 0; name && i < s->n && !listed; i++)
				listed = strcmp(s->v[i].name, name) == 0;
			if (name && !listed)
				add(l, ap_printf("%s/%s", s->dir, name),
				    ap_printf("not listed in the series file, but Sage's "
					      "'sage-apply-patches -d %s' applies it", e->d_name));
			free(name);
		}
		if (sd)
			closedir(sd);
		free(sub);
	}
	closedir(d);
}

/* Sage reads a patches directory without the series: sage-spkg applies
 * every top-level *.patch (-p1, in name order) on every platform, and a
 * package applies the .patch files in PLATFORM/ itself (sage-apply-patches -d
 * PLATFORM). The series must say the same thing, so that quilt, applypatch
 * and Sage apply the same patches in the same order. */
static void check_sage_layout(ap_lint *l, const ap_series *s)
{
	int seen_platform = 0;

	if (!s->series_path || s->conda_recipe)
		return;
	for (size_t i = 0; i < s->n; i++) {
		const ap_series_entry *en = &s->v[i];
		size_t dl = dir_len(en->name);
		char *where = ap_printf("%s:%zu", s->series_path, en->lineno);
		char *pf = ap_strndup(en->name, dl);

		if (!where || !pf) {
			free(where);
			free(pf);
			return;
		}
		if (dl && (strchr(pf, '/') || !ap_platform_known(pf))) {
			add(l, ap_strdup(where),
			    ap_printf("%s: Sage applies patches from the top directory or a "
				      "platform directory (cygwin/, darwin/, ...) only; '%s/' is "
				      "neither", en->name, pf));
		} else if (dl && (!en->selector || strcmp(en->selector, pf) != 0)) {
			add(l, ap_strdup(where),
			    ap_printf("%s is in %s/, which Sage applies on %s only "
				      "(sage-apply-patches -d %s): its selector must be '# [%s]'",
				      en->name, pf, pf, pf, pf));
		} else if (!dl && en->selector) {
			add(l, ap_strdup(where),
			    ap_printf("%s has the selector [%s], but Sage's sage-spkg applies every "
				      "top-level patch on every platform: move it to a platform "
				      "directory (PLATFORM/NAME.patch, see patches/README.md)",
				      en->name, en->selector));
		}
		if (en->strip != 1)
			add(l, ap_strdup(where),
			    ap_printf("%s is -p%d, but Sage applies every patch with -p1", en->name,
				      en->strip));
		if (dl)
			seen_platform = 1;
		else if (seen_platform)
			add(l, ap_strdup(where),
			    ap_printf("%s is listed after a platform directory's patch, but Sage "
				      "applies the top-level patches first: list it before them",
				      en->name));
		for (size_t j = 0; j < i; j++) {
			const char *before = s->v[j].name;

			if (dir_len(before) == dl && strncmp(before, en->name, dl) == 0 &&
			    strcmp(before, en->name) > 0) {
				add(l, ap_strdup(where),
				    ap_printf("%s is listed after %s, but Sage applies a "
					      "directory's patches in name order: reorder the "
					      "series or rename them", en->name, before));
				break;
			}
		}
		free(where);
		free(pf);
	}
	unlisted_in_platform_dirs(l, s);
}

/* lintian's quilt-series-without-trailing-newline: some tools drop or
 * join a last line without one */
static void check_series_end(ap_lint *l, const ap_series *s)
{
	ap_error re = AP_ERROR_INIT;
	char *data = NULL;
	size_t len = 0, lines = 1;

	if (!s->series_path || s->conda_recipe || ap_file_read(s->series_path, AP_FILE_MAX, &data, &len, &re) < 0)
		return;
	for (size_t i = 0; i < len; i++)
		lines += data[i] == '\n';
	if (len && data[len - 1] != '\n')
		add(l, ap_printf("%s:%zu", s->series_path, lines),
		    ap_strdup("the series does not end with a newline: quilt and other readers "
			      "may drop or join its last line"));
	free(data);
}

int ap_lint_run(ap_lint *l, const char *dir, ap_error *err)
{
	ap_series s;

	memset(l, 0, sizeof *l);
	l->dir = ap_strdup(dir);
	/* the platform only decides selection; every selector is still parsed */
	if (ap_series_load_lenient(&s, dir, AP_PLATFORM_ANY, err) < 0) {
		free(l->dir);   /* a failed run owns nothing: callers free only results */
		l->dir = NULL;
		return -1;
	}
	for (size_t i = 0; i < s.nerrors; i++)
		add(l, ap_strdup(s.errors[i].where), ap_strdup(s.errors[i].what));
	for (size_t i = 0; i < s.nwarnings; i++)
		add(l, ap_strdup(s.warnings[i].where), ap_strdup(s.warnings[i].what));
	check_sage_layout(l, &s);
	check_series_end(l, &s);
	for (size_t i = 0; i < s.n; i++) {
		char *path = ap_printf("%s/%s", dir, s.v[i].name);
		ap_error pe = AP_ERROR_INIT;
		ap_patch p;
		char *data = NULL;
		size_t len = 0;

		if (!path)
			continue;
		if (ap_array_grow((void **)&l->paths, &l->cap_paths, l->npaths + 1, sizeof *l->paths) == 0)
			l->paths[l->npaths++] = ap_strdup(path);
		{
			struct stat st;
			ap_error re = AP_ERROR_INIT;

			/* a missing file is already a series finding */
			if (lstat(path, &st) < 0 && errno == ENOENT) {
				free(path);
				continue;
			}
			/* regular files only, size-capped: a FIFO is refused, not waited on */
			if (ap_file_read(path, AP_PATCH_MAX_BYTES, &data, &len, &re) < 0) {
				add(l, ap_strdup(path), ap_strdup(re.msg));
				free(path);
				continue;
			}
		}
		l->npatches++;
		if (ap_patch_parse(&p, path, data, len, s.v[i].strip, &pe) < 0) {
			char *colon = strstr(pe.msg, ": ");

			add(l, colon ? ap_strndup(pe.msg, (size_t)(colon - pe.msg)) : ap_strdup(path),
			    ap_strdup(colon ? colon + 2 : pe.msg));
		} else {
			check_headers(l, &p, path, data, len);
			ap_patch_free(&p);
		}
		free(data);
		free(path);
	}
	ap_series_free(&s);
	return 0;
}

void ap_lint_free(ap_lint *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].where);
		free(l->v[i].what);
	}
	free(l->v);
	for (size_t i = 0; i < l->npaths; i++)
		free(l->paths[i]);
	free(l->paths);
	free(l->dir);
	memset(l, 0, sizeof *l);
}
