/* pin.c - the pinned upstream release, read from Sage's two files.
 *
 * package-version.txt holds the package version ("4.10.2", or "4.10.2.p1"
 * with Sage's patch level); checksums.ini holds key=value lines as Sage
 * writes them: tarball=gap-VERSION.tar.bz2, sha1=, md5=, cksum=, sha256=
 * (any of the sums; every one given is checked) and
 * upstream_url=https://.../gap-${VERSION}.tar.gz. As in Sage, VERSION
 * stands for the version without the ".pN" patch level, and the URL may
 * also use ${VERSION_MAJOR}, ${VERSION_MINOR} and ${VERSION_MICRO}. The
 * two files sit beside spkg-install (Sage's build/pkgs/gap/) or in
 * upstream/ (this repository).
 */
#include "source.h"
#include "fileio.h"

#include "buf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whole small file into a NUL-terminated string; refuses NUL bytes and
 * anything over 64 KiB (these are hand-written text files). */
static int read_text(const char *path, char **out, ap_error *err)
{
	size_t len;

	if (ap_file_read(path, 65536, out, &len, err) < 0)
		return -1;
	if (memchr(*out, '\0', len)) {
		free(*out);
		*out = NULL;
		return ap_error_set(err, "%s: contains a NUL byte; not a text file", path);
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* "4.10.2.p1" -> "4.10.2": Sage's patch level is not part of the tarball's name. */
static char *strip_patchlevel(const char *v)
{
	const char *dot = strrchr(v, '.');

	if (dot && dot[1] == 'p' && dot[2] && strspn(dot + 2, "0123456789") == strlen(dot + 2))
		return ap_strndup(v, (size_t)(dot - v));
	return ap_strdup(v);
}

/* Replaces every occurrence of each key with its value (keys tried in order). */
static char *substitute(const char *s, const char *const *keys, const char *const *vals, size_t n)
{
	ap_buf b = AP_BUF_INIT;

	while (*s) {
		size_t k;

		for (k = 0; k < n; k++) {
			size_t kl = strlen(keys[k]);

			if (strncmp(s, keys[k], kl) == 0) {
				if (ap_buf_puts(&b, vals[k]) < 0)
					goto oom;
				s += kl;
				break;
			}
		}
		if (k == n && ap_buf_putc(&b, *s++) < 0)
			goto oom;
	}
	if (!b.data && ap_buf_puts(&b, "") < 0)
		goto oom;
	return ap_buf_detach(&b, NULL);
oom:
	ap_buf_free(&b);
	return NULL;
}

/* The n-th dot-separated part of v ("" when there is none). */
static char *version_part(const char *v, int n)
{
	const char *p = v;

	while (n-- > 0) {
		p = strchr(p, '.');
		if (!p)
			return ap_strdup("");
		p++;
	}
	return ap_strndup(p, strcspn(p, "."));
}

static int all_hex(const char *s, size_t len)
{
	if (strlen(s) != len)
		return 0;
	for (const char *p = s; *p; p++)
		if (!isxdigit((unsigned char)*p))
			return 0;
	return 1;
}

/* cksum(1)'s CRC in decimal: 1 to 10 digits, at most 4294967295 */
static int valid_cksum(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 10 || strspn(s, "0123456789") != n)
		return 0;
	return n < 10 || strcmp(s, "4294967295") <= 0;
}

/* The sums a checksums.ini may give: key, what a valid value is, and its
 * slot in ap_pin. */
static const struct sum_kind {
	const char *key;
	const char *shape;
	size_t hexlen;          /* 0: cksum's decimal */
	size_t offset;
} sum_kinds[] = {
	{ "sha1", "40 hexadecimal digits", 40, offsetof(ap_pin, sha1) },
	{ "md5", "32 hexadecimal digits", 32, offsetof(ap_pin, md5) },
	{ "cksum", "a decimal CRC from 0 to 4294967295", 0, offsetof(ap_pin, cksum) },
	{ "sha256", "64 hexadecimal digits", 64, offsetof(ap_pin, sha256) },
};
#define NSUMS (sizeof sum_kinds / sizeof *sum_kinds)

static char **sum_slot(const ap_pin *pin, size_t k)
{
	return (char **)((char *)pin + sum_kinds[k].offset);
}

static const char *sum_got(const ap_sums *got, size_t k)
{
	switch (k) {
	case 0: return got->sha1;
	case 1: return got->md5;
	case 2: return got->cksum;
	default: return got->sha256;
	}
}

static int load_version(ap_pin *pin, const char *path, ap_error *err)
{
	char *text, *line, *nl;

	if (read_text(path, &text, err) < 0)
		return -1;
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	line = trim(text);
	if (!*line) {
		free(text);
		return ap_error_set(err, "%s:1: no version on the first line", path);
	}
	if (strspn(line, "0123456789.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-+~") !=
	    strlen(line)) {
		ap_error_set(err, "%s:1: '%s' is not a version (letters, digits, '.', '-', '_', '+', '~')",
			     path, line);
		free(text);
		return -1;
	}
	pin->package_version = ap_strdup(line);
	pin->version = strip_patchlevel(line);
	free(text);
	if (!pin->package_version || !pin->version)
		return ap_error_set(err, "out of memory");
	return 0;
}

/* A key that names a checksum, but not one of ours exactly: any case of
 * sha..., md..., cksum..., crc..., b2/blake..., or a misspelt known one. */
static int looks_like_a_sum(const char *key)
{
	static const char *const stems[] = { "sha", "md", "cksum", "crc", "b2", "blake",
					     "checksum", "hash", "digest" };
	for (size_t i = 0; i < sizeof stems / sizeof stems[0]; i++)
		if (strncasecmp(key, stems[i], strlen(stems[i])) == 0)
			return 1;
	return 0;
}

static int load_checksums(ap_pin *pin, const char *path, char **tarball, char **url,
			  ap_error *err)
{
	char *text, *p;
	int lineno = 0;

	if (read_text(path, &text, err) < 0)
		return -1;
	p = text;
	if (strncmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;   /* a UTF-8 byte order mark, as some editors write */
	for (; *p;) {
		char *line = p, *eq, *key, *val, **slot = NULL;
		const struct sum_kind *kind = NULL;
		char *nl = strchr(p, '\n');

		if (nl) {
			*nl = '\0';
			p = nl + 1;
		} else {
			p += strlen(p);
		}
		lineno++;
		line = trim(line);
		if (!*line || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			ap_error_set(err, "%s:%d: expected key=value, got '%.80s'", path, lineno, line);
			goto fail;
		}
		*eq = '\0';
		key = trim(line);
		val = trim(eq + 1);
		if (strcmp(key, "tarball") == 0)
			slot = tarball;
		else if (strcmp(key, "upstream_url") == 0)
			slot = url;
		for (size_t k = 0; k < NSUMS && !slot; k++)
			if (strcmp(key, sum_kinds[k].key) == 0) {
				slot = sum_slot(pin, k);
				kind = &sum_kinds[k];
			}
		if (!slot && looks_like_a_sum(key)) {
			/* a hand edit (SHA256=, sha265=) must not pass as "not ours"
			 * while the sum it meant to pin is never checked */
			ap_error_set(err, "%s:%d: unknown checksum key '%.40s': the sums are sha1, md5, "
				     "cksum and sha256, in lower case", path, lineno, key);
			goto fail;
		}
		if (!slot)
			continue;   /* Sage's other keys are not ours */
		if (*slot) {
			ap_error_set(err, "%s:%d: '%s' given twice", path, lineno, key);
			goto fail;
		}
		if (!*val) {
			ap_error_set(err, "%s:%d: '%s' has an empty value", path, lineno, key);
			goto fail;
		}
		if (kind && !(kind->hexlen ? all_hex(val, kind->hexlen) : valid_cksum(val))) {
			ap_error_set(err, "%s:%d: %s must be %s, got '%.80s'", path, lineno, key,
				     kind->shape, val);
			goto fail;
		}
		*slot = ap_strdup(val);
		if (!*slot) {
			ap_error_set(err, "out of memory");
			goto fail;
		}
		if (kind)
			for (char *c = *slot; *c; c++)
				*c = (char)tolower((unsigned char)*c);
	}
	free(text);
	if (!*tarball)
		return ap_error_set(err, "%s: no 'tarball=' line (e.g. tarball=gap-VERSION.tar.gz)",
				    path);
	if (!pin->sha1 && !pin->md5 && !pin->cksum && !pin->sha256)
		return ap_error_set(err, "%s: no checksum (sha1=, md5=, cksum= or sha256=); the "
				    "download cannot be verified", path);
	return 0;
fail:
	free(text);
	return -1;
}

int ap_pin_load(ap_pin *pin, const char *upstream_dir, ap_error *err)
{
	char *vpath = ap_printf("%s/package-version.txt", upstream_dir);
	char *cpath = ap_printf("%s/checksums.ini", upstream_dir);
	char *tarball = NULL, *url = NULL;
	char *major = NULL, *minor = NULL, *micro = NULL;
	int rc = -1;

	memset(pin, 0, sizeof *pin);
	pin->dir = ap_strdup(upstream_dir);
	pin->ini = cpath ? ap_strdup(cpath) : NULL;
	if (!vpath || !cpath || !pin->dir || !pin->ini) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	if (load_version(pin, vpath, err) < 0 || load_checksums(pin, cpath, &tarball, &url, err) < 0)
		goto out;
	major = version_part(pin->version, 0);
	minor = version_part(pin->version, 1);
	micro = version_part(pin->version, 2);
	if (!major || !minor || !micro) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	{
		/* the longer names first, so ${VERSION} does not eat ${VERSION_MAJOR} */
		const char *ukeys[] = { "${VERSION_MAJOR}", "${VERSION_MINOR}", "${VERSION_MICRO}",
					"${VERSION}" };
		const char *uvals[] = { major, minor, micro, pin->version };
		const char *tkeys[] = { "VERSION" };
		const char *tvals[] = { pin->version };

		pin->tarball = substitute(tarball, tkeys, tvals, 1);
		if (url)
			pin->url = substitute(url, ukeys, uvals, 4);
		if (!pin->tarball || (url && !pin->url)) {
			ap_error_set(err, "out of memory");
			goto out;
		}
	}
	if (strchr(pin->tarball, '/') || strcmp(pin->tarball, ".") == 0 ||
	    strcmp(pin->tarball, "..") == 0) {
		ap_error_set(err, "%s: tarball=%s must be a file name, not a path", cpath, tarball);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		ap_pin_free(pin);
	free(vpath);
	free(cpath);
	free(tarball);
	free(url);
	free(major);
	free(minor);
	free(micro);
	return rc;
}

void ap_pin_free(ap_pin *pin)
{
	if (!pin)
		return;
	free(pin->version);
	free(pin->package_version);
	free(pin->tarball);
	free(pin->sha256);
	free(pin->sha1);
	free(pin->md5);
	free(pin->cksum);
	free(pin->url);
	free(pin->dir);
	free(pin->ini);
	memset(pin, 0, sizeof *pin);
}

static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int ap_pin_find(ap_pin *pin, const char *pkgdir, ap_error *err)
{
	char *beside = ap_printf("%s/checksums.ini", pkgdir);
	char *updir = ap_printf("%s/upstream", pkgdir);
	char *inup = ap_printf("%s/upstream/checksums.ini", pkgdir);
	int here, there, rc = -1;

	memset(pin, 0, sizeof *pin);
	if (!beside || !updir || !inup) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	here = is_file(beside);
	there = is_file(inup);
	if (here && there)
		ap_error_set(err, "%s: two pins, %s and %s: keep one (Sage keeps it beside "
			     "spkg-install, this repository in upstream/)", pkgdir, beside, inup);
	else if (!here && !there)
		ap_error_set(err, "%s: no pin: neither %s (Sage's layout) nor %s", pkgdir, beside,
			     inup);
	else
		rc = ap_pin_load(pin, here ? pkgdir : updir, err);
out:
	free(beside);
	free(updir);
	free(inup);
	return rc;
}

int ap_pin_match(const ap_pin *pin, const ap_sums *got, char **why)
{
	ap_buf b = AP_BUF_INIT;
	int ok = 1;

	*why = NULL;
	for (size_t k = 0; k < NSUMS; k++) {
		const char *want = *sum_slot(pin, k);

		if (!want || strcasecmp(want, sum_got(got, k)) == 0)
			continue;
		ok = 0;
		ap_buf_printf(&b, "%s%s mismatch\n  expected %s\n  got      %s", b.len ? "\n" : "",
			      sum_kinds[k].key, want, sum_got(got, k));
	}
	if (!ok)
		*why = ap_buf_detach(&b, NULL);
	ap_buf_free(&b);
	return ok;
}

char *ap_pin_sums_named(const ap_pin *pin)
{
	ap_buf b = AP_BUF_INIT;

	for (size_t k = 0; k < NSUMS; k++)
		if (*sum_slot(pin, k))
			ap_buf_printf(&b, "%s%s", b.len ? ", " : "", sum_kinds[k].key);
	if (!b.data)
		ap_buf_puts(&b, "");
	return ap_buf_detach(&b, NULL);
}

/* One checksums.ini line for each key we know, in Sage's order; the
 * lines we do not know are kept, after them. */
static int compose(const char *tarball_line, const char *url_line,
		   const char *others, const ap_sums *got, ap_buf *out)
{
	ap_buf_printf(out, "tarball=%s\n", tarball_line);
	for (size_t k = 0; k < NSUMS; k++)
		ap_buf_printf(out, "%s=%s\n", sum_kinds[k].key, sum_got(got, k));
	if (url_line)
		ap_buf_printf(out, "upstream_url=%s\n", url_line);
	ap_buf_puts(out, others);
	return out->data ? 0 : -1;
}

/* checksums.ini as written: the tarball= and upstream_url= values, and
 * every line that is not one of the keys compose() writes. */
static int split_ini(const char *text, char **tarball, char **url, ap_buf *others)
{
	const char *p = text;

	*tarball = *url = NULL;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = ap_strndup(p, len), *key, *eq;
		int known = 0;

		if (!line)
			return -1;
		eq = strchr(line, '=');
		if (eq) {
			*eq = '\0';
			key = trim(line);
			if (strcmp(key, "tarball") == 0 && !*tarball)
				*tarball = ap_strdup(trim(eq + 1)), known = 1;
			else if (strcmp(key, "upstream_url") == 0 && !*url)
				*url = ap_strdup(trim(eq + 1)), known = 1;
			for (size_t k = 0; k < NSUMS; k++)
				known |= strcmp(key, sum_kinds[k].key) == 0;
			*eq = '=';
		}
		if (!known && *trim(line)) {
			ap_buf_add(others, p, len);
			ap_buf_putc(others, '\n');
		}
		free(line);
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

int ap_pin_write(const ap_pin *pin, const ap_sums *got, ap_error *err)
{
	char *text = NULL, *tarball = NULL, *url = NULL, *tmp = NULL;
	ap_buf others = AP_BUF_INIT, out = AP_BUF_INIT;
	int fd = -1, rc = -1;

	if (read_text(pin->ini, &text, err) < 0)
		return -1;
	if (split_ini(text, &tarball, &url, &others) < 0 || !tarball ||
	    compose(tarball, url, others.data ? others.data : "", got, &out) < 0) {
		ap_error_set(err, "%s: %s", pin->ini, tarball ? "out of memory" : "no 'tarball=' line");
		goto out;
	}
	tmp = ap_printf("%s.tmp", pin->ini);
	if (!tmp) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		ap_error_sys(err, "%s: cannot create", tmp);
		goto out;
	}
	if (write(fd, out.data, out.len) != (ssize_t)out.len || fsync(fd) < 0) {
		ap_error_sys(err, "%s: write failed", tmp);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		ap_error_sys(err, "%s: write failed", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, pin->ini) < 0) {
		ap_error_sys(err, "cannot rename %s to %s", tmp, pin->ini);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp)
		unlink(tmp);
	free(tmp);
	free(text);
	free(tarball);
	free(url);
	ap_buf_free(&others);
	ap_buf_free(&out);
	return rc;
}
