/* lint.c - the checks behind `applypatch lint`. */
#include "lint.h"

#include "buf.h"
#include "patch.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* "not-needed" must come with words saying why */
static int has_reason(const char *value)
{
	const char *p = value + strlen("not-needed");

	while (*p && (isspace((unsigned char)*p) || ispunct((unsigned char)*p)))
		p++;
	return *p != '\0';
}

static void check_headers(ap_lint *l, const ap_patch *p, const char *path)
{
	size_t line = 1;
	char *desc = ap_patch_header(p, "Description", &line);
	char *forwarded, *origin;

	if (!desc)
		desc = ap_patch_header(p, "Subject", &line);
	if (!desc || !*desc)
		add(l, ap_printf("%s:1", path),
		    ap_strdup("no description: add a DEP-3 'Description:' (or a mail 'Subject:') "
			      "header before the diff"));
	free(desc);
	forwarded = ap_patch_header(p, "Forwarded", &line);
	origin = ap_patch_header(p, "Origin", NULL);
	if (forwarded && strncasecmp(forwarded, "not-needed", 10) == 0 && !has_reason(forwarded) &&
	    !origin)
		add(l, ap_printf("%s:%zu", path, line),
		    ap_strdup("'Forwarded: not-needed' needs a reason on the same line, e.g. "
			      "'Forwarded: not-needed, Sage-specific build glue'"));
	else if (forwarded && strcasecmp(forwarded, "no") == 0 && !origin)
		add(l, ap_printf("%s:%zu", path, line),
		    ap_strdup("'Forwarded: no': forward it upstream and give the URL, or say "
			      "'not-needed' and why"));
	else if ((!forwarded || !*forwarded) && (!origin || !*origin))
		add(l, ap_printf("%s:1", path),
		    ap_strdup("no upstream reference: add 'Forwarded: URL' (or 'Origin: upstream, "
			      "URL' for a backport)"));
	free(forwarded);
	free(origin);
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

	if (!s->series_path)
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

int ap_lint_run(ap_lint *l, const char *dir, ap_error *err)
{
	ap_series s;

	memset(l, 0, sizeof *l);
	l->dir = ap_strdup(dir);
	/* the platform only decides selection; every selector is still parsed */
	if (ap_series_load_lenient(&s, dir, "linux", err) < 0)
		return -1;
	for (size_t i = 0; i < s.nerrors; i++)
		add(l, ap_strdup(s.errors[i].where), ap_strdup(s.errors[i].what));
	for (size_t i = 0; i < s.nwarnings; i++)
		add(l, ap_strdup(s.warnings[i].where), ap_strdup(s.warnings[i].what));
	check_sage_layout(l, &s);
	for (size_t i = 0; i < s.n; i++) {
		char *path = ap_printf("%s/%s", dir, s.v[i].name);
		ap_error pe = AP_ERROR_INIT;
		ap_patch p;
		char *data = NULL;
		size_t len = 0;
		FILE *f;

		if (!path)
			continue;
		if (ap_array_grow((void **)&l->paths, &l->cap_paths, l->npaths + 1, sizeof *l->paths) == 0)
			l->paths[l->npaths++] = ap_strdup(path);
		f = fopen(path, "rb");
		if (!f) {
			/* a missing file is already a series finding */
			free(path);
			continue;
		}
		{
			ap_buf b = AP_BUF_INIT;
			char chunk[65536];
			size_t got;

			while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
				ap_buf_add(&b, chunk, got);
			data = ap_buf_detach(&b, &len);
		}
		fclose(f);
		l->npatches++;
		if (ap_patch_parse(&p, path, data, len, s.v[i].strip, &pe) < 0) {
			char *colon = strstr(pe.msg, ": ");

			add(l, colon ? ap_strndup(pe.msg, (size_t)(colon - pe.msg)) : ap_strdup(path),
			    ap_strdup(colon ? colon + 2 : pe.msg));
		} else {
			check_headers(l, &p, path);
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
