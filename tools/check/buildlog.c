/* buildlog.c - reading the commands out of a build log (see buildlog.h). */
#include "buildlog.h"
#include "buf.h"
#include "builddir.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void ap_argv_free(char **argv, size_t argc)
{
	ap_strv_free(argv, argc);
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
		if (have && ap_strv_add(argv, argc, w.data ? w.data : "") < 0) {
			ap_buf_free(&w);
			return ap_error_set(err, "out of memory");
		}
	}
	ap_buf_free(&w);
	return 0;
unterminated:
	ap_buf_free(&w);
	ap_strv_free(*argv, *argc);
	*argv = NULL;
	*argc = 0;
	return ap_error_set(err, "unterminated quote");
}

void ap_buildlog_free(ap_buildlog *bl)
{
	for (size_t i = 0; i < bl->n; i++) {
		free(bl->cmds[i].cwd);
		ap_strv_free(bl->cmds[i].argv, bl->cmds[i].argc);
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
	if (ap_strv_add(&dirs, &ndirs, top) < 0)
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
				if (!dir || ap_strv_add(&dirs, &ndirs, dir) < 0)
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
					ap_strv_free(argv, argc);
					rc = ap_error_set(err, "out of memory");
					break;
				}
				ap_logcmd *c = &bl->cmds[bl->n++];
				c->cwd = ap_strdup(dirs[ndirs - 1]);
				c->argv = argv;
				c->argc = argc;
				c->lineno = lineno;
			} else {
				ap_strv_free(argv, argc);
			}
		}
		p = le + 1;
	}
	ap_strv_free(dirs, ndirs);
	return rc;
}

const char *ap_logcmd_output(const ap_logcmd *c)
{
	for (size_t i = 0; i + 1 < c->argc; i++)
		if (strcmp(c->argv[i], "-o") == 0)
			return c->argv[i + 1];
	return NULL;
}

int ap_logcmd_has(const ap_logcmd *c, const char *w)
{
	for (size_t i = 0; i < c->argc; i++)
		if (strcmp(c->argv[i], w) == 0)
			return 1;
	return 0;
}

/* "./src/x.c" and "src/x.c" are the same path */
const char *ap_buildlog_undot(const char *p)
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
		if (!out || ap_logcmd_has(c, "-c") || ap_logcmd_has(c, "-E") || ap_logcmd_has(c, "-S"))
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
	src = ap_buildlog_undot(src);
	for (size_t i = 0; i < bl->n; i++) {
		const ap_logcmd *c = &bl->cmds[i];
		if (!ap_logcmd_has(c, "-c"))
			continue;
		int names = 0;
		for (size_t k = 1; k < c->argc; k++)
			if (strcmp(ap_buildlog_undot(c->argv[k]), src) == 0)
				names = 1;
		if (!names)
			continue;
		const char *out = ap_logcmd_output(c);
		if (link && out) {
			for (size_t k = 0; k < link->argc; k++)
				if (strcmp(ap_buildlog_undot(link->argv[k]), ap_buildlog_undot(out)) == 0 &&
				    strcmp(link->cwd, c->cwd) == 0)
					return c;
		}
		if (!any)
			any = c;
	}
	return link ? NULL : any;
}

/* --- the emulation ---------------------------------------------------------------------- */

char *ap_buildlog_join(const char *dir, const char *name)
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

/* The -I directories of a compile command, relative to the tree. */
void ap_logcmd_include_dirs(const ap_logcmd *c, const char *tree, char ***out, size_t *n)
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
		char *j = ap_buildlog_join(rel, d);
		if (j)
			ap_strv_add(out, n, j);
		free(j);
	}
}

int ap_logcmd_dep_flag(const char *w, int *skip_next)
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
const char *ap_logcmd_source(const ap_logcmd *c, const char *tree)
{
	static char buf[4096];
	size_t tl = strlen(tree);
	if (!ap_logcmd_has(c, "-c"))
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
		char *j = ap_buildlog_join(rel, c->argv[k]);
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
