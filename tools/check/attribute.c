/* attribute.c - which checks each patch is needed for (see attribute.h). */
#include "attribute.h"
#include "builddir.h"
#include "condarecipe.h"
#include "fileio.h"
#include "source.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void ap_attribution_free(ap_attribution *a)
{
	for (size_t i = 0; i < a->n; i++) {
		ap_patch_attr *p = &a->v[i];
		free(p->name);
		free(p->platform);
		free(p->mode);
		ap_strv_free(p->needed_for, p->nneeded);
		ap_strv_free(p->failing, p->nfailing);
		free(p->error);
		free(p->binary);
	}
	free(a->v);
	free(a->measured_on);
	free(a->upstream);
	free(a->file);
	free(a->file_error);
	memset(a, 0, sizeof *a);
}

ap_patch_attr *ap_attribution_add(ap_attribution *a, const char *name, const char *platform,
				  const char *mode)
{
	if (ap_array_grow((void **)&a->v, &a->cap, a->n + 1, sizeof *a->v) < 0)
		return NULL;
	ap_patch_attr *p = &a->v[a->n];
	memset(p, 0, sizeof *p);
	p->name = ap_strdup(name);
	p->platform = ap_strdup(platform);
	p->mode = ap_strdup(mode);
	if (!p->name || !p->platform || !p->mode) {
		free(p->name);
		free(p->platform);
		free(p->mode);
		return NULL;
	}
	a->n++;
	return p;
}

/* --- the series without one patch ------------------------------------------------------ */

/* Copies the regular files of from/rel into to/rel, recursively, but skip
 * (a path relative to the top) and the series file (written separately). */
static int copy_dir(const char *from, const char *to, const char *rel, const char *skip,
		    ap_error *err)
{
	char *src = rel[0] ? ap_printf("%s/%s", from, rel) : ap_strdup(from);
	DIR *d = src ? opendir(src) : NULL;
	int rc = 0;
	if (!d) {
		rc = src ? ap_error_sys(err, "%s: cannot read the series directory", src)
			 : ap_error_set(err, "out of memory");
		free(src);
		return rc;
	}
	for (struct dirent *de; rc == 0 && (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		char *r = rel[0] ? ap_printf("%s/%s", rel, de->d_name) : ap_strdup(de->d_name);
		char *path = ap_printf("%s/%s", src, de->d_name);
		struct stat st;
		if (!r || !path) {
			rc = ap_error_set(err, "out of memory");
		} else if (strcmp(r, skip) == 0 || strcmp(r, "series") == 0 ||
			   strcmp(r, "meta.yaml") == 0 ||
			   strcmp(r, AP_ATTRIBUTION_FILE) == 0 || stat(path, &st) < 0) {
			/* left out, written separately, or gone */
		} else if (S_ISDIR(st.st_mode)) {
			rc = copy_dir(from, to, r, skip, err);
		} else if (S_ISREG(st.st_mode)) {
			char *data = NULL, *dst = ap_printf("%s/%s", to, r);
			size_t len = 0;
			char *slash = dst ? strrchr(dst, '/') : NULL;
			if (!dst) {
				rc = ap_error_set(err, "out of memory");
			} else {
				*slash = '\0';
				rc = ap_builddir_mkdirs(dst, err);
				*slash = '/';
			}
			if (rc == 0)
				rc = ap_file_read(path, AP_FILE_MAX, &data, &len, err);
			if (rc == 0)
				rc = ap_builddir_write(dst, data, len, 0644, err);
			free(data);
			free(dst);
		}
		free(r);
		free(path);
	}
	closedir(d);
	free(src);
	return rc;
}

/* The series file's text without the line naming name (its first word). */
static int series_text_without(const char *text, size_t len, const char *name, ap_buf *out)
{
	size_t nl = strlen(name);
	for (const char *p = text; p < text + len;) {
		const char *e = memchr(p, '\n', (size_t)(text + len - p));
		const char *end = e ? e + 1 : text + len;
		const char *w = p;
		while (w < end && (*w == ' ' || *w == '\t'))
			w++;
		int named = (size_t)(end - w) >= nl && memcmp(w, name, nl) == 0 &&
			    (w + nl == end || strchr(" \t\r\n#", w[nl]));
		if (!named && ap_buf_add(out, p, (size_t)(end - p)) < 0)
			return -1;
		p = end;
	}
	return ap_buf_puts(out, "");
}

/* A conda recipe's text without the line of name's entry (a `- NAME`
 * line of a block list). An entry that shares its line with others (a
 * flow list) cannot be left out by dropping a line: an error. */
static int recipe_text_without(const char *path, const char *text, size_t len, const char *name,
			       ap_buf *out, ap_error *err)
{
	ap_conda_list cl;
	size_t line = 0, on_line = 0, lineno = 1;

	if (ap_conda_patches_parse(text, len, path, &cl, err) < 0)
		return -1;
	for (size_t i = 0; i < cl.n; i++)
		if (strcmp(cl.v[i].name, name) == 0)
			line = cl.v[i].lineno;
	for (size_t i = 0; i < cl.n; i++)
		on_line += line && cl.v[i].lineno == line;
	ap_conda_patches_free(&cl);
	if (on_line > 1)
		return ap_error_set(err, "%s:%zu: %s shares its line with other patches (a flow list "
				    "[A, B]), so it cannot be left out by dropping the line: write "
				    "the list as '- NAME' lines", path, line, name);
	for (const char *p = text; p < text + len; lineno++) {
		const char *e = memchr(p, '\n', (size_t)(text + len - p));
		const char *end = e ? e + 1 : text + len;

		if (lineno != line && ap_buf_add(out, p, (size_t)(end - p)) < 0)
			return ap_error_set(err, "out of memory");
		p = end;
	}
	return ap_buf_puts(out, "") < 0 ? ap_error_set(err, "out of memory") : 0;
}

/* dir/series without name's line, else dir/meta.yaml without it, into
 * dest; neither there (Sage's convention): nothing to write. */
static int listing_without(const char *dir, const char *name, const char *dest, ap_error *err)
{
	static const char *const files[] = { "series", "meta.yaml" };
	int rc = 0;

	for (size_t i = 0; i < 2 && rc == 0; i++) {
		char *sp = ap_printf("%s/%s", dir, files[i]), *dp = ap_printf("%s/%s", dest, files[i]);
		ap_buf out = AP_BUF_INIT;
		char *data = NULL;
		size_t len = 0;
		struct stat st;
		int found = sp && stat(sp, &st) == 0;

		if (!sp || !dp)
			rc = ap_error_set(err, "out of memory");
		else if (found)
			rc = ap_file_read(sp, AP_FILE_MAX, &data, &len, err);
		if (rc == 0 && found && i == 0 && series_text_without(data, len, name, &out) < 0)
			rc = ap_error_set(err, "out of memory");
		if (rc == 0 && found && i == 1)
			rc = recipe_text_without(sp, data, len, name, &out, err);
		if (rc == 0 && found)
			rc = ap_builddir_write(dp, out.data, out.len, 0644, err);
		ap_buf_free(&out);
		free(data);
		free(sp);
		free(dp);
		if (found)
			break;   /* a series file is read before meta.yaml */
	}
	return rc;
}

int ap_series_without(const char *patches_dir, const char *name, const char *dest,
		      ap_error *err)
{
	ap_rmtree(dest);
	if (ap_builddir_mkdirs(dest, err) < 0 || copy_dir(patches_dir, dest, "", name, err) < 0)
		return -1;
	return listing_without(patches_dir, name, dest, err);
}

/* --- comparing -------------------------------------------------------------------------- */

static const ap_check_result *find_check(const ap_target *t, const char *name)
{
	for (size_t i = 0; i < t->nchecks; i++)
		if (strcmp(t->checks[i].name, name) == 0)
			return &t->checks[i];
	return NULL;
}

int ap_attr_compare(ap_patch_attr *pa, const ap_target *whole, const ap_target *variant)
{
	pa->verdict = AP_VERDICT_UNMEASURED;   /* until compared */
	if (variant->error || whole->error) {
		pa->verdict = AP_VERDICT_UNMEASURED;
		if (!pa->error)
			pa->error = ap_strdup(variant->error ? variant->error : whole->error);
		return 0;
	}
	for (size_t i = 0; i < whole->nchecks; i++) {
		const ap_check_result *w = &whole->checks[i];
		const ap_check_result *v = find_check(variant, w->name);
		if (w->pass && (!v || !v->pass) &&
		    ap_strv_add_unique(&pa->needed_for, &pa->nneeded, w->name) < 0)
			return -1;
	}
	pa->verdict = pa->nneeded ? AP_VERDICT_NEEDED : AP_VERDICT_UNNEEDED;
	return 0;
}

size_t ap_attribution_unneeded(const ap_attribution *a, char ***names, size_t *nnames)
{
	size_t count = 0;
	if (names) {
		*names = NULL;
		*nnames = 0;
	}
	for (size_t i = 0; i < a->n; i++) {
		int needed = 0, seen = 0, measured = 0;
		for (size_t k = 0; k < a->n; k++) {
			if (strcmp(a->v[k].name, a->v[i].name) != 0)
				continue;
			seen |= k < i;
			needed |= a->v[k].verdict && strcmp(a->v[k].verdict, AP_VERDICT_NEEDED) == 0;
			measured |= a->v[k].verdict && strcmp(a->v[k].verdict, AP_VERDICT_UNNEEDED) == 0;
		}
		if (seen || needed || !measured)
			continue;
		count++;
		if (names)
			ap_strv_add(names, nnames, a->v[i].name);
	}
	return count;
}

/* --- the attribution file --------------------------------------------------------------- */

static const char attribution_head[] =
	"# attribution - the checks each patch of this series is needed for.\n"
	"# Written by `verify --attribute` (see verify(1), \"Attribution\"): the\n"
	"# series was built whole, then once per patch with that patch left out;\n"
	"# a patch is needed for the checks that pass with the whole series and\n"
	"# fail without it. `verify --no-patches` reads this file and calls a\n"
	"# patch \"not needed upstream\" when all its checks pass unpatched.\n"
	"#   measured-on UPSTREAM          where the leave-one-out ran\n"
	"#   PATCH PLATFORM MODE: CHECK... one line per patch and target (no\n"
	"#                                 check: needed for none)\n";

int ap_attribution_write(const ap_attribution *a, const char *patches_dir, ap_error *err)
{
	ap_buf out = AP_BUF_INIT;
	ap_buf_puts(&out, attribution_head);
	ap_buf_printf(&out, "measured-on %s\n", a->measured_on ? a->measured_on : "unknown");
	for (size_t i = 0; i < a->n; i++) {
		const ap_patch_attr *p = &a->v[i];
		ap_buf_printf(&out, "%s %s %s:", p->name, p->platform, p->mode);
		for (size_t k = 0; k < p->nneeded; k++)
			ap_buf_printf(&out, " %s", p->needed_for[k]);
		ap_buf_putc(&out, '\n');
	}
	char *path = ap_printf("%s/%s", patches_dir, AP_ATTRIBUTION_FILE);
	int rc = !out.data || !path ? ap_error_set(err, "out of memory")
				    : ap_builddir_write(path, out.data, out.len, 0644, err);
	free(path);
	ap_buf_free(&out);
	return rc;
}

/* One "PATCH PLATFORM MODE: CHECK..." line (modified in place). */
static int read_line(ap_attribution *a, char *l, const char *path, size_t lineno, ap_error *err)
{
	char *save = NULL;
	char *name = strtok_r(l, " \t", &save);
	char *plat = name ? strtok_r(NULL, " \t", &save) : NULL;
	char *mode = plat ? strtok_r(NULL, " \t", &save) : NULL;
	size_t ml = mode ? strlen(mode) : 0;
	if (!mode || ml < 2 || mode[ml - 1] != ':')
		return ap_error_set(err, "%s:%zu: not 'PATCH PLATFORM MODE: CHECK...'", path, lineno);
	mode[ml - 1] = '\0';
	if (strcmp(mode, "native") != 0 && strcmp(mode, "emulated") != 0)
		return ap_error_set(err, "%s:%zu: mode '%s': native or emulated", path, lineno, mode);
	ap_patch_attr *p = ap_attribution_add(a, name, plat, mode);
	if (!p)
		return ap_error_set(err, "out of memory");
	for (char *c; (c = strtok_r(NULL, " \t", &save));)
		if (ap_strv_add(&p->needed_for, &p->nneeded, c) < 0)
			return ap_error_set(err, "out of memory");
	return 0;
}

int ap_attribution_read(ap_attribution *a, const char *patches_dir, ap_error *err)
{
	char *path = ap_printf("%s/%s", patches_dir, AP_ATTRIBUTION_FILE);
	char *data = NULL;
	size_t len = 0;
	struct stat st;
	int rc = 0;
	a->upstream_mode = 1;
	if (!path)
		return ap_error_set(err, "out of memory");
	if (stat(path, &st) < 0) {
		free(path);
		return 0;
	}
	a->file = path;
	if (ap_file_read(path, AP_FILE_MAX, &data, &len, err) < 0)
		return -1;
	size_t lineno = 0;
	char *save = NULL;
	for (char *l = strtok_r(data, "\n", &save); l && rc == 0; l = strtok_r(NULL, "\n", &save)) {
		lineno++;   /* blank lines are skipped by strtok: only a hint in messages */
		while (*l == ' ' || *l == '\t')
			l++;
		if (!*l || *l == '#')
			continue;
		if (strncmp(l, "measured-on ", 12) == 0) {
			free(a->measured_on);
			a->measured_on = ap_strdup(l + 12);
			continue;
		}
		rc = read_line(a, l, path, lineno, err);
	}
	free(data);
	return rc;
}

static const ap_target *find_target(const ap_target *t, size_t n, const char *platform,
				    const char *mode)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].platform, platform) == 0 && strcmp(t[i].mode, mode) == 0)
			return &t[i];
	return NULL;
}

void ap_attribution_judge(ap_attribution *a, const ap_target *t, size_t n)
{
	for (size_t i = 0; i < a->n; i++) {
		ap_patch_attr *p = &a->v[i];
		const ap_target *tg = find_target(t, n, p->platform, p->mode);
		if (!tg || tg->error) {
			p->verdict = AP_VERDICT_UNMEASURED;
			p->error = ap_printf("%s (%s) %s", p->platform, p->mode,
					     tg ? tg->error : "was not verified in this run");
			continue;
		}
		if (!p->nneeded) {
			p->verdict = AP_VERDICT_NEEDED_FOR_NONE;
			continue;
		}
		for (size_t k = 0; k < p->nneeded; k++) {
			const ap_check_result *c = find_check(tg, p->needed_for[k]);
			if (!c || !c->pass)
				ap_strv_add(&p->failing, &p->nfailing, p->needed_for[k]);
		}
		p->verdict = p->nfailing ? AP_VERDICT_STILL_NEEDED : AP_VERDICT_NOT_NEEDED_UPSTREAM;
	}
	for (size_t i = 0; i < a->n; i++) {
		ap_patch_attr *p = &a->v[i];
		for (size_t k = 0; k < a->n && strcmp(p->verdict, AP_VERDICT_NOT_NEEDED_UPSTREAM) == 0;
		     k++)
			if (strcmp(a->v[k].verdict, AP_VERDICT_STILL_NEEDED) == 0 &&
			    strcmp(a->v[k].platform, p->platform) == 0 &&
			    strcmp(a->v[k].mode, p->mode) == 0)
				p->verdict = AP_VERDICT_UNDECIDED;
	}
}

/* --- rendering --------------------------------------------------------------------------- */

void ap_attribution_json(ap_json *j, const ap_attribution *a)
{
	ap_json_begin_object(j, "attribution");
	ap_json_string(j, "kind", a->upstream_mode ? "upstream" : "leave-one-out");
	ap_json_string(j, "upstream", a->upstream);
	ap_json_string(j, "measured_on", a->measured_on);
	ap_json_string(j, "file", a->file);
	ap_json_string(j, "file_error", a->file_error);
	ap_json_end_object(j);
	ap_json_begin_array(j, "patches");
	for (size_t i = 0; i < a->n; i++) {
		const ap_patch_attr *p = &a->v[i];
		ap_json_begin_object(j, NULL);
		ap_json_string(j, "name", p->name);
		ap_json_string(j, "platform", p->platform);
		ap_json_string(j, "mode", p->mode);
		ap_json_begin_array(j, "needed_for");
		for (size_t k = 0; k < p->nneeded; k++)
			ap_json_string(j, NULL, p->needed_for[k]);
		ap_json_end_array(j);
		if (a->upstream_mode) {
			ap_json_begin_array(j, "failing");
			for (size_t k = 0; k < p->nfailing; k++)
				ap_json_string(j, NULL, p->failing[k]);
			ap_json_end_array(j);
		}
		ap_json_string(j, "verdict", p->verdict);
		ap_json_string(j, "error", p->error);
		if (!a->upstream_mode) {
			ap_json_string(j, "binary", p->binary);
			ap_json_int(j, "milliseconds", (long long)(p->seconds * 1000));
		}
		ap_json_end_object(j);
	}
	ap_json_end_array(j);
}

static void words(ap_buf *out, char **v, size_t n)
{
	for (size_t k = 0; k < n; k++)
		ap_buf_printf(out, "%s%s", k ? ", " : "", v[k]);
}

void ap_attribution_text(ap_buf *out, const ap_attribution *a)
{
	if (a->upstream_mode)
		ap_buf_printf(out, "patches on %s (attribution from %s, measured on %s):\n",
			      a->upstream ? a->upstream : "?", a->file ? a->file : "?",
			      a->measured_on ? a->measured_on : "?");
	else
		ap_buf_printf(out, "patches (each left out in turn, on %s):\n",
			      a->measured_on ? a->measured_on : "?");
	for (size_t i = 0; i < a->n; i++) {
		const ap_patch_attr *p = &a->v[i];
		ap_buf_printf(out, "  %s (%s %s): %s", p->name, p->platform, p->mode, p->verdict);
		if (p->nneeded && !a->upstream_mode) {
			ap_buf_puts(out, ": fails without it: ");
			words(out, p->needed_for, p->nneeded);
		} else if (p->nfailing) {
			ap_buf_puts(out, ": fails here unpatched: ");
			words(out, p->failing, p->nfailing);
		} else if (p->nneeded) {
			ap_buf_puts(out, ": passes here unpatched: ");
			words(out, p->needed_for, p->nneeded);
		} else if (!a->upstream_mode && !p->error) {
			ap_buf_puts(out, ": no check fails without it");
		}
		if (p->error)
			ap_buf_printf(out, " (%s)", p->error);
		if (!a->upstream_mode)
			ap_buf_printf(out, " [%.1f s]", p->seconds);
		ap_buf_putc(out, '\n');
	}
	if (a->file && !a->upstream_mode)
		ap_buf_printf(out, "  written: %s\n", a->file);
	if (a->file_error)
		ap_buf_printf(out, "  not written: %s\n", a->file_error);
}
