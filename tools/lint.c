/* lint.c - the checks behind `applypatch lint`. */
#include "lint.h"

#include "buf.h"
#include "patch.h"

#include <ctype.h>
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

int ap_lint_run(ap_lint *l, const char *dir, ap_error *err)
{
	ap_series s;

	memset(l, 0, sizeof *l);
	/* the platform only decides selection; every selector is still parsed */
	if (ap_series_load_lenient(&s, dir, "linux", err) < 0)
		return -1;
	for (size_t i = 0; i < s.nerrors; i++)
		add(l, ap_strdup(s.errors[i].where), ap_strdup(s.errors[i].what));
	for (size_t i = 0; i < s.nwarnings; i++)
		add(l, ap_strdup(s.warnings[i].where), ap_strdup(s.warnings[i].what));
	for (size_t i = 0; i < s.n; i++) {
		char *path = ap_printf("%s/%s", dir, s.v[i].name);
		ap_error pe = AP_ERROR_INIT;
		ap_patch p;
		char *data = NULL;
		size_t len = 0;
		FILE *f;

		if (!path)
			continue;
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
	memset(l, 0, sizeof *l);
}
