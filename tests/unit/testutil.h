/* testutil.h - helpers shared by the unit tests.
 *
 * Byte-exact comparisons that show both sides escaped (a CR or a missing
 * final newline is invisible otherwise), patches parsed from string
 * literals, scratch directories with a snapshot of every byte and mode in
 * them, temp trees made from (path, text) pairs, and a real JSON parser
 * (python3) to judge the JSON we emit.
 * Everything is static inline so each test binary takes what it uses.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "patch.h"

/* Prints bytes with CR, LF, TAB and other control bytes made visible. */
static inline void tu_show(const char *label, const char *s, size_t len)
{
	ap_buf b = AP_BUF_INIT;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			ap_buf_puts(&b, "\\n\n");
		else if (c == '\r')
			ap_buf_puts(&b, "\\r");
		else if (c == '\t')
			ap_buf_puts(&b, "\\t");
		else if (c < 0x20 || c >= 0x7f)
			ap_buf_printf(&b, "\\x%02x", c);
		else
			ap_buf_putc(&b, (char)c);
	}
	print_error("%s (%zu bytes):\n%s<END>\n", label, len, b.data ? b.data : "");
	ap_buf_free(&b);
}

static inline void tu_assert_bytes(const char *got, size_t glen, const char *want, size_t wlen,
				   const char *file, int line)
{
	if (glen == wlen && (wlen == 0 || memcmp(got, want, wlen) == 0))
		return;
	tu_show("got", got ? got : "", got ? glen : 0);
	tu_show("wanted", want, wlen);
	_fail(file, line);
}

/* got (pointer, length) must equal the NUL-terminated literal want */
#define assert_bytes(got, glen, want) \
	tu_assert_bytes((got), (glen), (want), strlen(want), __FILE__, __LINE__)
/* both sides (pointer, length) */
#define assert_bytes_n(got, glen, want, wlen) \
	tu_assert_bytes((got), (glen), (want), (wlen), __FILE__, __LINE__)
#define assert_buf(b, want) assert_bytes((b).data, (b).len, (want))

static inline void tu_assert_contains(const char *s, const char *needle, const char *file,
				      int line)
{
	if (s && strstr(s, needle))
		return;
	print_error("'%s'\n  does not contain '%s'\n", s ? s : "(null)", needle);
	_fail(file, line);
}
#define assert_contains(s, needle) tu_assert_contains((s), (needle), __FILE__, __LINE__)

static inline void tu_assert_prefix(const char *s, const char *prefix, const char *file, int line)
{
	if (s && strncmp(s, prefix, strlen(prefix)) == 0)
		return;
	print_error("'%s'\n  does not start with '%s'\n", s ? s : "(null)", prefix);
	_fail(file, line);
}
#define assert_prefix(s, prefix) tu_assert_prefix((s), (prefix), __FILE__, __LINE__)

/* --- patches ------------------------------------------------------------ */

static inline void tu_parse(ap_patch *p, const char *text, int strip, const char *file,
			    int line)
{
	ap_error err = AP_ERROR_INIT;

	if (ap_patch_parse(p, "t.patch", text, strlen(text), strip, &err) == 0)
		return;
	print_error("parse failed: %s\n", err.msg);
	_fail(file, line);
}
/* Parses text as "t.patch" at strip level strip; fails the test on error. */
#define parse_ok(p, text, strip) tu_parse((p), (text), (strip), __FILE__, __LINE__)

/* The parse must fail with a message starting with want_prefix (typically
 * "t.patch:LINE: ") and containing want_word (or NULL). */
static inline void tu_parse_fails(const char *text, size_t len, int strip,
				  const char *want_prefix, const char *want_word, const char *file,
				  int line)
{
	ap_error err = AP_ERROR_INIT;
	ap_patch p;

	if (ap_patch_parse(&p, "t.patch", text, len, strip, &err) == 0) {
		print_error("parse succeeded (%zu file diffs), expected '%s...'\n", p.nfiles,
			    want_prefix);
		tu_show("patch", text, len);
		ap_patch_free(&p);
		_fail(file, line);
	}
	if (strncmp(err.msg, want_prefix, strlen(want_prefix)) != 0 ||
	    (want_word && !strstr(err.msg, want_word)))
		tu_show("patch", text, len);
	tu_assert_prefix(err.msg, want_prefix, file, line);
	if (want_word)
		tu_assert_contains(err.msg, want_word, file, line);
}
#define parse_fails(text, strip, prefix, word) \
	tu_parse_fails((text), strlen(text), (strip), (prefix), (word), __FILE__, __LINE__)
#define parse_fails_n(text, len, strip, prefix, word) \
	tu_parse_fails((text), (len), (strip), (prefix), (word), __FILE__, __LINE__)

/* --- scratch directories ---------------------------------------------------- */

static inline char *tu_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	char *path = ap_printf("%s/apunit.XXXXXX", base && *base ? base : "/tmp");

	assert_non_null(path);
	assert_non_null(mkdtemp(path));
	return path;
}

static inline int tu_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D) {
		chmod(path, 0700);
		rmdir(path);
	} else {
		unlink(path);
	}
	return 0;
}

/* rm -rf dir, and frees the string */
static inline void tu_rmrf(char *dir)
{
	if (!dir)
		return;
	nftw(dir, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static inline void tu_mkdirs(const char *path)
{
	char *copy = ap_strdup(path);

	for (char *p = strchr(copy + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(copy, 0777);
		*p = '/';
	}
	free(copy);
}

/* Writes dir/rel (creating directories), with mode. */
static inline void tu_write_mode(const char *dir, const char *rel, const char *data, size_t len,
				 mode_t mode)
{
	char *path = ap_printf("%s/%s", dir, rel);
	int fd;

	tu_mkdirs(path);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	free(path);
}
#define tu_write(dir, rel, text) tu_write_mode((dir), (rel), (text), strlen(text), 0644)

/* The bytes of dir/rel (malloc'd, NUL after them), or NULL when absent. */
static inline char *tu_read(const char *dir, const char *rel, size_t *len)
{
	char *path = ap_printf("%s/%s", dir, rel);
	ap_buf b = AP_BUF_INIT;
	char chunk[4096];
	ssize_t got;
	int fd = open(path, O_RDONLY);

	free(path);
	if (fd < 0)
		return NULL;
	while ((got = read(fd, chunk, sizeof chunk)) > 0)
		ap_buf_add(&b, chunk, (size_t)got);
	close(fd);
	return ap_buf_detach(&b, len);
}

static inline int tu_exists(const char *dir, const char *rel)
{
	char *path = ap_printf("%s/%s", dir, rel);
	struct stat st;
	int rc = lstat(path, &st) == 0;

	free(path);
	return rc;
}

static inline mode_t tu_mode(const char *dir, const char *rel)
{
	char *path = ap_printf("%s/%s", dir, rel);
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	free(path);
	return st.st_mode & 07777;
}

static inline int tu_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline void tu_snap_dir(const char *root, const char *rel, char ***v, size_t *n,
			       size_t *cap)
{
	char *path = *rel ? ap_printf("%s/%s", root, rel) : ap_strdup(root);
	DIR *d = opendir(path);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char *sub, *full, *line;
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		sub = *rel ? ap_printf("%s/%s", rel, e->d_name) : ap_strdup(e->d_name);
		full = ap_printf("%s/%s", root, sub);
		assert_int_equal(lstat(full, &st), 0);
		if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t tl = readlink(full, target, sizeof target - 1);

			assert_true(tl >= 0);
			target[tl] = '\0';
			line = ap_printf("%s link -> %s", sub, target);
		} else if (S_ISDIR(st.st_mode)) {
			line = ap_printf("%s dir %o", sub, (unsigned)(st.st_mode & 07777));
			tu_snap_dir(root, sub, v, n, cap);
		} else {
			size_t len = 0;
			char *data = tu_read(root, sub, &len);
			ap_buf b = AP_BUF_INIT;

			ap_buf_printf(&b, "%s file %o %zu [", sub, (unsigned)(st.st_mode & 07777), len);
			ap_buf_add(&b, data, len);
			ap_buf_putc(&b, ']');
			free(data);
			line = ap_buf_detach(&b, NULL);
		}
		assert_int_equal(ap_array_grow((void **)v, cap, *n + 1, sizeof **v), 0);
		(*v)[(*n)++] = line;
		free(sub);
		free(full);
	}
	closedir(d);
	free(path);
}

/* Every path under dir (state directory included) with its type, mode and
 * bytes, sorted: two snapshots are equal when nothing changed. */
static inline char *tu_snapshot(const char *dir)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	ap_buf b = AP_BUF_INIT;

	tu_snap_dir(dir, "", &v, &n, &cap);
	if (n)
		qsort(v, n, sizeof *v, tu_cmp_str);
	ap_buf_puts(&b, "");
	for (size_t i = 0; i < n; i++) {
		ap_buf_puts(&b, v[i]);
		ap_buf_putc(&b, '\n');
		free(v[i]);
	}
	free(v);
	return ap_buf_detach(&b, NULL);
}

#define assert_snapshot_equal(before, after) \
	assert_bytes((after), strlen(after), (before))

/* A diff of f.txt in which line 3, "c", becomes "C" (lines b and d around
 * it): the patch the drift and refresh tests move between upstreams. */
#define TU_DIFF_C_TO_C \
	"--- a/f.txt\n" \
	"+++ b/f.txt\n" \
	"@@ -2,3 +2,3 @@\n" \
	" b\n" \
	"-c\n" \
	"+C\n" \
	" d\n"

/* A diff of src/hello.txt ("one two three") in which "two" becomes "2". */
#define TU_DIFF_HELLO_TWO \
	"--- a/src/hello.txt\n" \
	"+++ b/src/hello.txt\n" \
	"@@ -1,3 +1,3 @@\n" \
	" one\n" \
	"-two\n" \
	"+2\n" \
	" three\n"

/* --- temp trees ------------------------------------------------------------- */

/* A new temp dir holding the files given as (rel, text) pairs, ending with
 * NULL: tu_tree("src/a.c", "a\n", "patches/series", "x.patch\n", NULL).
 * Directories are made on the way; every file is mode 0644. */
static inline char *tu_tree(const char *rel, ...)
{
	char *dir = tu_mkdtemp();
	va_list ap;

	va_start(ap, rel);
	for (; rel; rel = va_arg(ap, const char *)) {
		const char *text = va_arg(ap, const char *);

		tu_write(dir, rel, text);
	}
	va_end(ap);
	return dir;
}

/* dir/rel holds exactly want. */
static inline void tu_assert_file(const char *dir, const char *rel, const char *want,
				  const char *file, int line)
{
	size_t len = 0;
	char *got = tu_read(dir, rel, &len);

	if (!got) {
		print_error("%s/%s: missing\n", dir, rel);
		_fail(file, line);
	}
	tu_assert_bytes(got, len, want, strlen(want), file, line);
	free(got);
}
#define assert_tree_file(dir, rel, want) tu_assert_file((dir), (rel), (want), __FILE__, __LINE__)

/* dir is as the snapshot before says (every path, mode and byte); frees
 * before. */
static inline void tu_assert_unchanged(const char *dir, char *before, const char *file, int line)
{
	char *after = tu_snapshot(dir);

	tu_assert_bytes(after, strlen(after), before, strlen(before), file, line);
	free(after);
	free(before);
}
#define assert_unchanged(dir, before) tu_assert_unchanged((dir), (before), __FILE__, __LINE__)

/* --- JSON ------------------------------------------------------------------- */

/* Whether python3's json module accepts the text (1), rejects it (0). */
static inline int tu_json_valid(const char *text, size_t len)
{
	/* strict UTF-8: a report is read by tools that reject anything else */
	FILE *py = popen("python3 -c 'import json, sys; "
			 "json.loads(sys.stdin.buffer.read().decode(\"utf-8\"))' 2>/dev/null", "w");
	int status;

	assert_non_null(py);
	fwrite(text, 1, len, py);
	status = pclose(py);
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Python starts slowly on a loaded machine, so every question about one
 * document is asked in a single run: python3 reads the document (file
 * sys.argv[1]) with the prelude, evaluates each expression (one a line in
 * sys.argv[2]) and prints the results separated by lines of "\x1e". */
typedef struct tu_query {
	const char *expr;
	const char *want;   /* what print() shows for the value */
} tu_query;

#define TU_JSON_PRELUDE \
	"d = json.loads(open(sys.argv[1], \"rb\").read().decode(\"utf-8\"))"
#define TU_XML_PRELUDE "d = xml.dom.minidom.parse(sys.argv[1])"

static inline void tu_python_checks(const char *text, size_t len, const char *prelude,
				    const tu_query *q, size_t n, const char *file, int line)
{
	char *dir = tu_mkdtemp();
	char *in = ap_printf("%s/in", dir), *exprs = ap_printf("%s/exprs", dir);
	char *cmd = ap_printf("python3 -c 'import json, sys, xml.dom.minidom\n%s\n"
			      "for e in open(sys.argv[2]).read().splitlines():\n"
			      "    print(eval(e)); print(\"\\x1e\")' %s %s 2>&1",
			      prelude, in, exprs);
	FILE *f = fopen(in, "w"), *py;
	ap_buf out = AP_BUF_INIT;
	char chunk[4096];
	size_t got;
	const char *p;

	assert_non_null(f);
	fwrite(text, 1, len, f);
	fclose(f);
	f = fopen(exprs, "w");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\n", q[i].expr);
	fclose(f);
	py = popen(cmd, "r");
	assert_non_null(py);
	while ((got = fread(chunk, 1, sizeof chunk, py)) > 0)
		ap_buf_add(&out, chunk, got);
	pclose(py);
	free(in);
	free(exprs);
	free(cmd);
	tu_rmrf(dir);
	p = out.data ? out.data : "";
	for (size_t i = 0; i < n; i++) {
		const char *sep = strstr(p, "\n\x1e\n");
		size_t glen = sep ? (size_t)(sep - p) : strlen(p);

		if (!sep || glen != strlen(q[i].want) || memcmp(p, q[i].want, glen) != 0) {
			print_error("python: %s\n", q[i].expr);
			tu_show("got", p, glen);
			tu_show("wanted", q[i].want, strlen(q[i].want));
			tu_show("document", text, len);
			ap_buf_free(&out);
			_fail(file, line);
		}
		p = sep + 3;
	}
	ap_buf_free(&out);
}

/* q is an array of tu_query */
#define assert_json_queries(text, len, q) \
	tu_python_checks((text), (len), TU_JSON_PRELUDE, (q), sizeof(q) / sizeof *(q), \
			 __FILE__, __LINE__)
#define assert_xml_queries(text, len, q) \
	tu_python_checks((text), (len), TU_XML_PRELUDE, (q), sizeof(q) / sizeof *(q), \
			 __FILE__, __LINE__)

#endif
