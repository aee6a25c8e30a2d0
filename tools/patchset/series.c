/* series.c - quilt series files, selectors and platform detection. */
#include "series.h"

#include "condarecipe.h"
#include "textsafe.h"

#include "buf.h"
#include "fileio.h"
#include "strmap.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

const char *const ap_platform_names[] = {
	"linux", "cygwin", "darwin", "freebsd", "netbsd", "openbsd", "sunos", "aix", "windows",
	NULL,
};

/* conda-build spellings that mean one of ours */
static const char *canonical_os(const char *word, size_t n)
{
	if ((n == 3 && strncmp(word, "osx", 3) == 0) || (n == 5 && strncmp(word, "macos", 5) == 0))
		return "darwin";
	if (n == 3 && strncmp(word, "win", 3) == 0)
		return "windows";
	for (size_t i = 0; ap_platform_names[i]; i++)
		if (strlen(ap_platform_names[i]) == n && strncmp(word, ap_platform_names[i], n) == 0)
			return ap_platform_names[i];
	return NULL;
}

/* Architectures as conda-build names them; aarch64 and arm64 are one. */
static const struct {
	const char *word, *arch;
	int bits;
} arch_words[] = {
	{ "x86_64", "x86_64", 64 }, { "amd64", "x86_64", 64 }, { "64", "x86_64", 64 },
	{ "x86", "x86", 32 }, { "i386", "x86", 32 }, { "i686", "x86", 32 }, { "32", "x86", 32 },
	{ "aarch64", "arm64", 64 }, { "arm64", "arm64", 64 },
	{ "ppc64le", "ppc64le", 64 }, { "ppc64", "ppc64", 64 }, { "s390x", "s390x", 64 },
	{ "armv6l", "armv6l", 32 }, { "armv7l", "armv7l", 32 },
};

static int arch_index(const char *word)
{
	for (size_t i = 0; i < sizeof arch_words / sizeof *arch_words; i++)
		if (strcmp(word, arch_words[i].word) == 0)
			return (int)i;
	return -1;
}

/* The host's architecture, as arch_words names it (uname -m). */
static const char *host_arch(void)
{
	struct utsname u;
	int i;

	if (uname(&u) < 0)
		return "x86_64";
	i = arch_index(u.machine);
	return i >= 0 ? arch_words[i].arch : "x86_64";
}

/* A platform is "OS" or "OS-ARCH" (conda's subdir style: linux-aarch64,
 * osx-arm64, win-64); the OS in our spelling, the architecture given or
 * the host's. Returns the OS, or NULL for an unknown one. */
static const char *platform_split(const char *platform, const char **arch, int *bits)
{
	const char *dash = strchr(platform, '-');
	const char *os = canonical_os(platform, dash ? (size_t)(dash - platform) : strlen(platform));
	int a = dash ? arch_index(dash + 1) : arch_index(host_arch());

	if (!os || a < 0)
		return NULL;
	if (arch)
		*arch = arch_words[a].arch;
	if (bits)
		*bits = arch_words[a].bits;
	return os;
}

static const char *canonical(const char *word)
{
	return platform_split(word, NULL, NULL);
}

int ap_platform_known(const char *word)
{
	return canonical(word) != NULL || strcmp(word, "unix") == 0;
}

/* Evaluates one selector word for a platform: 1, 0, or -1 not a word we
 * know. OS words, unix (every OS but Windows), architectures and conda's
 * OS-and-bits words (linux32, linux64, win32, win64). */
static int selector_word(const char *w, const char *platform)
{
	const char *arch = NULL;
	int bits = 0, a;
	const char *os = platform_split(platform, &arch, &bits);
	size_t n = strlen(w);

	if (!os) {
		/* still tell an unknown word from a known one */
		os = "";
		arch = "";
	}
	if (strcmp(w, "unix") == 0)
		return strcmp(os, "windows") != 0;
	if (n > 2 && (strcmp(w + n - 2, "32") == 0 || strcmp(w + n - 2, "64") == 0) &&
	    canonical_os(w, n - 2) && strcmp(w, "x86_64") != 0 && strcmp(w, "ppc64") != 0 &&
	    strcmp(w, "arm64") != 0)
		return strcmp(canonical_os(w, n - 2), os) == 0 && bits == atoi(w + n - 2);
	a = arch_index(w);
	if (a >= 0 && strcmp(w, "32") != 0 && strcmp(w, "64") != 0)
		return strcmp(arch_words[a].arch, arch) == 0;
	if (canonical_os(w, n))
		return strcmp(canonical_os(w, n), os) == 0;
	return -1;
}

const char *ap_platform_from_uname(const char *sysname)
{
	if (strncmp(sysname, "CYGWIN", 6) == 0)
		return "cygwin";
	if (strcmp(sysname, "Linux") == 0)
		return "linux";
	if (strcmp(sysname, "Darwin") == 0)
		return "darwin";
	if (strcmp(sysname, "FreeBSD") == 0)
		return "freebsd";
	if (strcmp(sysname, "NetBSD") == 0)
		return "netbsd";
	if (strcmp(sysname, "OpenBSD") == 0)
		return "openbsd";
	if (strcmp(sysname, "SunOS") == 0)
		return "sunos";
	if (strcmp(sysname, "AIX") == 0)
		return "aix";
	if (strncmp(sysname, "MINGW", 5) == 0 || strncmp(sysname, "MSYS", 4) == 0)
		return "windows";
	return NULL;
}

const char *ap_platform_detect(void)
{
	struct utsname u;

	if (uname(&u) < 0)
		return NULL;
	return ap_platform_from_uname(u.sysname);
}

int ap_platform_resolve(const char *given, const char **platform, ap_error *err)
{
	*platform = given ? given : ap_platform_detect();
	if (!*platform)
		return ap_error_set(err, "cannot tell this system's platform from uname; "
				    "name it with --platform (linux, cygwin, darwin, freebsd, ...)");
	return 0;
}

/* A recursive-descent evaluator for:
 *   expr := term ("or" term)* ; term := factor ("and" factor)* ;
 *   factor := "not" factor | "(" expr ")" | WORD */
typedef struct sel {
	const char *s;
	const char *platform;
	ap_error *err;
	int depth;
} selparser;

static void skip_space(selparser *p)
{
	while (isspace((unsigned char)*p->s))
		p->s++;
}

static int word(selparser *p, char *out, size_t outsz)
{
	size_t n = 0;

	skip_space(p);
	while (isalnum((unsigned char)p->s[n]) || p->s[n] == '_' || p->s[n] == '-')
		n++;
	if (n == 0 || n >= outsz)
		return 0;
	memcpy(out, p->s, n);
	out[n] = '\0';
	return 1;
}

static int sel_expr(selparser *p);

static int sel_factor(selparser *p)
{
	char w[64];
	int v;

	if (++p->depth > 64)
		return ap_error_set(p->err, "selector nests too deeply");
	skip_space(p);
	if (*p->s == '(') {
		p->s++;
		v = sel_expr(p);
		if (v < 0)
			return -1;
		skip_space(p);
		if (*p->s != ')')
			return ap_error_set(p->err, "missing ')' in selector");
		p->s++;
		p->depth--;
		return v;
	}
	if (!word(p, w, sizeof w)) {
		if (!*p->s)
			return ap_error_set(p->err, "selector ends where a platform was expected");
		return ap_error_set(p->err, "unexpected '%c' in selector", *p->s);
	}
	p->s += strlen(w);
	if (strcmp(w, "not") == 0) {
		v = sel_factor(p);

		p->depth--;
		return v < 0 ? -1 : !v;
	}
	if (strcmp(w, "and") == 0 || strcmp(w, "or") == 0)
		return ap_error_set(p->err, "'%s' needs a platform before it", w);
	p->depth--;
	v = selector_word(w, p->platform);
	if (v < 0) {
		ap_buf known = AP_BUF_INIT;

		for (size_t i = 0; ap_platform_names[i]; i++)
			ap_buf_printf(&known, "%s%s", i ? ", " : "", ap_platform_names[i]);
		ap_error_set(p->err, "unknown platform '%s' in selector (known: %s, unix, osx, win; "
			     "x86_64, x86, aarch64, arm64, ppc64le, s390x, armv6l, armv7l; linux32, "
			     "linux64, win32, win64)", w, known.data ? known.data : "");
		ap_buf_free(&known);
		return -1;
	}
	return v;
}

/* A chain of OPERAND joined by OP ("and" or "or"), left to right; every
 * operand is parsed and checked, so a bad one is an error wherever it stands. */
static int sel_chain(selparser *p, const char *op, int (*operand)(selparser *))
{
	int v = operand(p);

	for (;;) {
		char w[64];
		int r;

		if (v < 0)
			return -1;
		if (!word(p, w, sizeof w) || strcmp(w, op) != 0)
			return v;
		p->s += strlen(op);
		r = operand(p);
		if (r < 0)
			return -1;
		v = op[0] == 'a' ? v && r : v || r;
	}
}

static int sel_term(selparser *p)
{
	return sel_chain(p, "and", sel_factor);
}

static int sel_expr(selparser *p)
{
	return sel_chain(p, "or", sel_term);
}

int ap_selector_eval(const char *expr, const char *platform, ap_error *err)
{
	selparser p = { expr, platform, err, 0 };
	int v = sel_expr(&p);

	if (v < 0)
		return -1;
	skip_space(&p);
	if (*p.s) {
		char w[64];

		if (word(&p, w, sizeof w))
			return ap_error_set(err, "expected 'and' or 'or' before '%s' in selector", w);
		return ap_error_set(err, "unexpected '%c' in selector", *p.s);
	}
	return v;
}

static int add_warning(ap_series *s, char *where, char *what)
{
	if (!where || !what ||
	    ap_array_grow((void **)&s->warnings, &s->wcap, s->nwarnings + 1, sizeof *s->warnings) < 0) {
		free(where);
		free(what);
		return -1;
	}
	s->warnings[s->nwarnings].where = where;
	s->warnings[s->nwarnings].what = what;
	s->nwarnings++;
	return 0;
}

static ap_series_entry *add_entry(ap_series *s)
{
	if (ap_array_grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v) < 0)
		return NULL;
	memset(&s->v[s->n], 0, sizeof s->v[s->n]);
	return &s->v[s->n++];
}

static int is_regular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .patch files in dir/sub (sub may be ""), sorted by name. */
static void free_names(char **v, size_t n);

static int list_patches(const char *dir, const char *sub, char ***out, size_t *n, ap_error *err)
{
	char *path = ap_printf("%s%s%s", dir, *sub ? "/" : "", sub);
	DIR *d;
	struct dirent *e;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (!path)
		return ap_error_set(err, "out of memory");
	d = opendir(path);
	if (!d) {
		int missing = errno == ENOENT;

		if (missing && *sub) {
			free(path);
			return 0;
		}
		ap_error_sys(err, "cannot read patches directory %s", path);
		free(path);
		return -1;
	}
	while ((e = readdir(d))) {
		char *full, *name;

		if (e->d_name[0] == '.' || !ends_with(e->d_name, ".patch"))
			continue;
		/* a series line cannot name it, and apply's state record (a line
		 * per patch) could not be read back: refuse it before anything */
		if (strpbrk(e->d_name, "\n\r")) {
			ap_buf shown = AP_BUF_INIT;

			ap_name_escape(&shown, e->d_name);
			ap_error_set(err, "%s/%s: a patch name holding a line break cannot be listed "
				     "in a series or recorded in the state; rename the file", path,
				     shown.data ? shown.data : "?");
			ap_buf_free(&shown);
			closedir(d);
			free(path);
			free_names(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
		full = ap_printf("%s/%s", path, e->d_name);
		if (!full || !is_regular(full)) {
			free(full);
			continue;
		}
		free(full);
		name = ap_printf("%s%s%s", sub, *sub ? "/" : "", e->d_name);
		if (!name || ap_array_grow((void **)out, &cap, *n + 1, sizeof **out) < 0) {
			free(name);
			closedir(d);
			free(path);
			return ap_error_set(err, "out of memory");
		}
		(*out)[(*n)++] = name;
	}
	closedir(d);
	free(path);
	if (*n)
		qsort(*out, *n, sizeof **out, cmp_names);
	return 0;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int load_directory(ap_series *s, ap_error *err)
{
	char **top, **sub;
	size_t ntop, nsub;
	DIR *d;
	struct dirent *e;

	if (list_patches(s->dir, "", &top, &ntop, err) < 0)
		return -1;
	for (size_t i = 0; i < ntop; i++) {
		ap_series_entry *en = add_entry(s);

		if (!en)
			goto oom;
		en->name = top[i];
		top[i] = NULL;
		en->strip = 1;
		en->selected = 1;
		en->why = ap_strdup("no series file: every patch in the directory");
	}
	free_names(top, ntop);
	top = NULL;
	/* platform subdirectories: ours is selected, the others are listed as out */
	d = opendir(s->dir);
	if (!d)
		return ap_error_sys(err, "cannot read patches directory %s", s->dir);
	while ((e = readdir(d))) {
		char *full;
		struct stat st;

		if (e->d_name[0] == '.' || !ap_platform_known(e->d_name))
			continue;
		full = ap_printf("%s/%s", s->dir, e->d_name);
		if (!full || stat(full, &st) < 0 || !S_ISDIR(st.st_mode)) {
			free(full);
			continue;
		}
		free(full);
		if (list_patches(s->dir, e->d_name, &sub, &nsub, err) < 0) {
			closedir(d);
			return -1;
		}
		for (size_t i = 0; i < nsub; i++) {
			ap_series_entry *en = add_entry(s);
			int mine = canonical(e->d_name) == canonical(s->platform);

			if (!en) {
				free_names(sub, nsub);
				closedir(d);
				goto oom;
			}
			en->name = sub[i];
			sub[i] = NULL;
			en->strip = 1;
			en->selected = mine;
			en->why = ap_printf("in %s/, %s %s", e->d_name, mine ? "which is" : "not",
					    s->platform);
		}
		free_names(sub, nsub);
	}
	closedir(d);
	/* ours after the common ones, other platforms' last, each group by name */
	{
		size_t ntop_entries = 0;

		while (ntop_entries < s->n && !strchr(s->v[ntop_entries].name, '/'))
			ntop_entries++;
		for (size_t i = ntop_entries + 1; i < s->n; i++)
			for (size_t j = i; j > ntop_entries; j--) {
				ap_series_entry *a = &s->v[j - 1], *b = &s->v[j];
				int swap = (!a->selected && b->selected) ||
					   (a->selected == b->selected && strcmp(a->name, b->name) > 0);

				if (!swap)
					break;
				ap_series_entry t = *a;
				*a = *b;
				*b = t;
			}
	}
	return 0;
oom:
	free_names(top, ntop);
	return ap_error_set(err, "out of memory");
}

/* Whether a name has a ".." component ("fix..v2.patch" has none). */
static int has_dotdot(const char *name)
{
	for (const char *c = name; *c; ) {
		size_t n = strcspn(c, "/");

		if (n == 2 && c[0] == '.' && c[1] == '.')
			return 1;
		c += n;
		c += *c == '/';
	}
	return 0;
}

/* A listed patch must be a regular file; say what it is when it is not. */
static int patch_file_ok(const ap_series *s, const char *name, size_t lineno, ap_error *err)
{
	char *full = ap_printf("%s/%s", s->dir, name);
	struct stat st, lst;
	int rc = 0;

	if (!full)
		return ap_error_set(err, "out of memory");
	if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
		rc = 0;
	else if (lstat(full, &lst) < 0)
		rc = ap_error_set(err, "%s:%zu: %s is listed but there is no such file in %s",
				  s->series_path, lineno, name, s->dir);
	else if (S_ISLNK(lst.st_mode) && stat(full, &st) < 0)
		rc = ap_error_sys(err, "%s:%zu: %s is listed but is a symbolic link that cannot be "
				  "followed", s->series_path, lineno, name);
	else
		rc = ap_error_set(err, "%s:%zu: %s is listed but is %s, not a regular file",
				  s->series_path, lineno, name,
				  S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO"
				  : S_ISSOCK(st.st_mode) ? "a socket" : "a device");
	free(full);
	return rc;
}

/* listed maps each name listed so far to its index in s->v, plus one: a
 * lookup, not a scan, so that a long series loads in linear time */
static int add_listed(ap_series *s, const char *name, char *sel_text, int strip, int strip_given,
		      size_t lineno, ap_strmap *listed, ap_error *err);

static int parse_series_line(ap_series *s, char *line, size_t lineno, ap_strmap *listed,
			     ap_error *err)
{
	char *hash = NULL, *p = line, *name, *sel_text = NULL;
	int strip = 1, strip_given = 0;

	/* a whole-line comment is only a comment, whatever it says */
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '#')
		return 0;
	p = line;
	/* a comment starts at '#' at the line's start or after white space */
	for (char *q = line; *q; q++)
		if (*q == '#' && (q == line || isspace((unsigned char)q[-1]))) {
			hash = q;
			break;
		}
	if (hash) {
		char *c = hash + 1, *end;

		*hash = '\0';
		while (isspace((unsigned char)*c))
			c++;
		end = c + strlen(c);
		while (end > c && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (*c == '[') {
			if (end == c || end[-1] != ']')
				return ap_error_set(err, "%s:%zu: selector '%s' has no closing ']'",
						    s->series_path, lineno, c);
			end[-1] = '\0';
			sel_text = c + 1;
		}
	}
	while (isspace((unsigned char)*p))
		p++;
	if (!*p) {
		if (sel_text)
			return ap_error_set(err, "%s:%zu: a selector without a patch name",
					    s->series_path, lineno);
		return 0;
	}
	name = p;
	while (*p && !isspace((unsigned char)*p))
		p++;
	if (*p)
		*p++ = '\0';
	for (;;) {
		char *opt;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		opt = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
		if (opt[0] == '-' && opt[1] == 'p' && isdigit((unsigned char)opt[2]) &&
		    strlen(opt) <= 4 && strspn(opt + 2, "0123456789") == strlen(opt + 2)) {
			strip = atoi(opt + 2);
			strip_given = 1;
		} else {
			return ap_error_set(err, "%s:%zu: unsupported option '%s' for %s (only -pN)",
					    s->series_path, lineno, opt, name);
		}
	}
	return add_listed(s, name, sel_text, strip, strip_given, lineno, listed, err);
}

/* One listed patch (from a series line or a conda recipe's list): its name
 * checked, its selector evaluated, its file checked. */
static int add_listed(ap_series *s, const char *name, char *sel_text, int strip, int strip_given,
		      size_t lineno, ap_strmap *listed, ap_error *err)
{
	void *seen;
	ap_series_entry *en;

	if (name[0] == '/' || has_dotdot(name))
		return ap_error_set(err, "%s:%zu: patch name '%s' leaves the patches directory "
				    "(it %s)", s->series_path, lineno, name,
				    name[0] == '/' ? "is absolute" : "has a '..' component");
	seen = ap_strmap_get(listed, name);
	if (seen)
		return ap_error_set(err, "%s:%zu: %s is listed twice (first at line %zu)",
				    s->series_path, lineno, name,
				    s->v[(uintptr_t)seen - 1].lineno);
	en = add_entry(s);
	if (!en || ap_strmap_put(listed, name, (void *)(uintptr_t)s->n) < 0)
		return ap_error_set(err, "out of memory");
	en->name = ap_strdup(name);
	en->strip = strip;
	en->strip_given = strip_given;
	en->lineno = lineno;
	if (sel_text) {
		int v;

		while (isspace((unsigned char)*sel_text))
			sel_text++;
		en->selector = ap_strdup(sel_text);
		v = ap_selector_eval(sel_text, s->platform, err);
		if (v < 0)
			return ap_error_wrap(err, "%s:%zu", s->series_path, lineno);
		en->selected = v;
		en->why = ap_printf("selector [%s] is %s for %s", sel_text, v ? "true" : "false",
				    s->platform);
	} else {
		en->selected = 1;
		en->why = ap_strdup("no selector: every platform");
	}
	if (!en->name || !en->why)
		return ap_error_set(err, "out of memory");
	return patch_file_ok(s, name, lineno, err);
}

/* Splits "where: what" into a finding (lint reports them all). */
static int record_error(ap_series *s, const char *msg, size_t lineno)
{
	const char *colon = strstr(msg, ": ");
	char *where = colon ? ap_strndup(msg, (size_t)(colon - msg))
			    : ap_printf("%s:%zu", s->series_path, lineno);
	char *what = ap_strdup(colon ? colon + 2 : msg);

	if (!where || !what ||
	    ap_array_grow((void **)&s->errors, &s->ecap, s->nerrors + 1, sizeof *s->errors) < 0) {
		free(where);
		free(what);
		return -1;
	}
	s->errors[s->nerrors].where = where;
	s->errors[s->nerrors].what = what;
	s->nerrors++;
	return 0;
}

/* Whether dir/series is there to be read: 1 yes, 0 no (the directory
 * convention), -1 an error. Anything by that name that is not a readable
 * regular file (a dangling link, a FIFO, a directory, a device) is an
 * error, never a silent fall-back to the directory convention, which could
 * apply patches the series leaves out for this platform. */
static int series_present(const char *path, ap_error *err)
{
	struct stat st;
	char target[4096];
	ssize_t n;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return ap_error_sys(err, "cannot look at %s", path);
	}
	if (!S_ISLNK(st.st_mode) || stat(path, &st) == 0)
		return 1;  /* ap_file_read says what is wrong with anything else */
	n = readlink(path, target, sizeof target - 1);
	target[n > 0 ? n : 0] = '\0';
	return ap_error_sys(err, "%s is a symbolic link to '%s', which cannot be followed", path,
			    target);
}

#define SERIES_MAX ((size_t)256 << 20)

static int load_series_file(ap_series *s, ap_error *err)
{
	char *data, *line, *end;
	size_t len, n, lineno = 0;
	char **present;
	size_t npresent;
	ap_strmap listed = AP_STRMAP_INIT;

	if (ap_file_read(s->series_path, SERIES_MAX, &data, &len, err) < 0)
		return -1;
	for (line = data, end = data + len; line < end; line += n + 1) {
		char *nl = memchr(line, '\n', (size_t)(end - line));

		n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		lineno++;
		if (memchr(line, '\0', n)) {
			free(data);
			ap_strmap_free(&listed);
			return ap_error_set(err, "%s:%zu: NUL byte in series file", s->series_path, lineno);
		}
		line[n] = '\0';  /* the "\n", or the terminator ap_file_read adds */
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (parse_series_line(s, line, lineno, &listed, err) == 0)
			continue;
		if (!s->lenient) {
			free(data);
			ap_strmap_free(&listed);
			return -1;
		}
		if (record_error(s, err->msg, lineno) < 0) {
			free(data);
			ap_strmap_free(&listed);
			return ap_error_set(err, "out of memory");
		}
	}
	free(data);
	/* quilt ignores unlisted patches; that is usually a mistake worth a word */
	if (list_patches(s->dir, "", &present, &npresent, err) < 0) {
		ap_strmap_free(&listed);
		return -1;
	}
	for (size_t i = 0; i < npresent; i++) {
		if (!ap_strmap_get(&listed, present[i]))
			add_warning(s, ap_printf("%s/%s", s->dir, present[i]),
				    ap_strdup("not listed in the series file: it is not applied"));
	}
	free_names(present, npresent);
	ap_strmap_free(&listed);
	return 0;
}

/* A conda recipe's meta.yaml in the patches folder (no series file): its
 * `source: patches:` list is the series, names relative to the folder. */
static int load_conda_recipe(ap_series *s, ap_error *err)
{
	ap_conda_list cl;
	char *data;
	size_t len;
	ap_strmap listed = AP_STRMAP_INIT;
	int rc = 0;

	if (ap_file_read(s->series_path, SERIES_MAX, &data, &len, err) < 0)
		return -1;
	if (memchr(data, '\0', len)) {
		free(data);
		return ap_error_set(err, "%s: NUL byte in the recipe", s->series_path);
	}
	rc = ap_conda_patches_parse(data, len, s->series_path, &cl, err);
	free(data);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < cl.nw && rc == 0; i++)
		if (add_warning(s, ap_printf("%s:%zu", s->series_path, cl.w[i].lineno),
				ap_strdup(cl.w[i].what)) < 0)
			rc = ap_error_set(err, "out of memory");
	for (size_t i = 0; i < cl.n && rc == 0; i++) {
		if (add_listed(s, cl.v[i].name, cl.v[i].selector, 1, 0, cl.v[i].lineno, &listed,
			       err) == 0)
			continue;
		if (!s->lenient || record_error(s, err->msg, cl.v[i].lineno) < 0)
			rc = -1;
	}
	ap_conda_patches_free(&cl);
	ap_strmap_free(&listed);
	return rc;
}

/* s->series_path becomes DIR/NAME: 1 if it is there to be read, 0 if not,
 * -1 an error (see series_present). */
static int find_listing(ap_series *s, const char *name, ap_error *err)
{
	free(s->series_path);
	s->series_path = ap_printf("%s/%s", s->dir, name);
	if (!s->series_path)
		return ap_error_set(err, "out of memory");
	return series_present(s->series_path, err);
}

/* A series file, else a conda recipe, else SageMath's directory convention. */
static int load_by_convention(ap_series *s, ap_error *err)
{
	int r = find_listing(s, "series", err);

	if (r != 0)
		return r < 0 ? -1 : load_series_file(s, err);
	r = find_listing(s, "meta.yaml", err);
	if (r != 0) {
		if (r < 0)
			return -1;
		s->conda_recipe = 1;
		return load_conda_recipe(s, err);
	}
	free(s->series_path);
	s->series_path = NULL;
	return load_directory(s, err);
}

static int series_load(ap_series *s, const char *dir, const char *platform, int lenient,
		       ap_error *err)
{
	struct stat st;

	memset(s, 0, sizeof *s);
	s->lenient = lenient;
	if (!canonical(platform)) {
		return ap_error_set(err, "unknown platform '%s' (known: linux, cygwin, darwin, "
				    "freebsd, netbsd, openbsd, sunos, aix, windows; osx, win; "
				    "OS-ARCH as conda names them: linux-aarch64, osx-arm64, win-64)",
				    platform);
	}
	s->dir = ap_strdup(dir);
	/* the OS in our spelling, with the architecture when one was named */
	s->platform = strchr(platform, '-') ? ap_printf("%s%s", canonical(platform),
						       strchr(platform, '-'))
					    : ap_strdup(canonical(platform));
	if (!s->dir || !s->platform)
		return ap_error_set(err, "out of memory");
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		ap_error_sys(err, "patches directory %s", dir);
		if (errno == 0)
			ap_error_set(err, "patches directory %s is not a directory", dir);
		ap_series_free(s);
		return -1;
	}
	if (load_by_convention(s, err) < 0) {
		ap_series_free(s);
		return -1;
	}
	return 0;
}

int ap_series_load(ap_series *s, const char *dir, const char *platform, ap_error *err)
{
	return series_load(s, dir, platform, 0, err);
}

int ap_series_load_lenient(ap_series *s, const char *dir, const char *platform, ap_error *err)
{
	return series_load(s, dir, platform, 1, err);
}

char *ap_series_dir(const char *patches_dir, const char *tree)
{
	return patches_dir ? ap_strdup(patches_dir) : ap_printf("%s/patches", tree ? tree : ".");
}

void ap_series_default_strip(ap_series *s, int strip)
{
	for (size_t i = 0; i < s->n; i++)
		if (!s->v[i].strip_given)
			s->v[i].strip = strip;
}

void ap_series_free(ap_series *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].selector);
		free(s->v[i].why);
	}
	for (size_t i = 0; i < s->nwarnings; i++) {
		free(s->warnings[i].where);
		free(s->warnings[i].what);
	}
	for (size_t i = 0; i < s->nerrors; i++) {
		free(s->errors[i].where);
		free(s->errors[i].what);
	}
	free(s->warnings);
	free(s->errors);
	free(s->v);
	free(s->dir);
	free(s->series_path);
	free(s->platform);
	memset(s, 0, sizeof *s);
}

const char **ap_series_platforms(const ap_series *s)
{
	size_t n = 0;
	const char **out = calloc(sizeof ap_platform_names / sizeof *ap_platform_names,
				  sizeof *out);

	if (!out)
		return NULL;
	for (size_t k = 0; ap_platform_names[k]; k++) {
		const char *pf = ap_platform_names[k];
		int used = canonical(s->platform) == pf;

		for (size_t i = 0; i < s->n && !used; i++) {
			const char *sel = s->v[i].selector;
			const char *name = s->v[i].name;
			size_t len = strlen(pf);

			if (!s->series_path && strncmp(name, pf, len) == 0 && name[len] == '/')
				used = 1;
			/* every word of the selector, in any of its spellings */
			for (const char *q = sel; q && *q && !used;) {
				size_t wl = strspn(q, "abcdefghijklmnopqrstuvwxyz0123456789_");

				if (wl && (canonical_os(q, wl) == pf ||
					   (wl > 2 && (strncmp(q + wl - 2, "32", 2) == 0 ||
						       strncmp(q + wl - 2, "64", 2) == 0) &&
					    canonical_os(q, wl - 2) == pf)))
					used = 1;
				q += wl ? wl : 1;
			}
		}
		if (used)
			out[n++] = pf;
	}
	return out;
}
