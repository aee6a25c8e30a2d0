/* pin.c - the pinned upstream release, read from Sage's two files.
 *
 * upstream/package-version.txt holds the package version ("4.10.2", or
 * "4.10.2.p1" with Sage's patch level); upstream/checksums.ini holds
 * key=value lines: tarball=gap-VERSION.tar.gz, sha256=..., and
 * upstream_url=https://.../gap-${VERSION}.tar.gz. As in Sage, VERSION
 * stands for the version without the ".pN" patch level, and the URL may
 * also use ${VERSION_MAJOR}, ${VERSION_MINOR} and ${VERSION_MICRO}.
 */
#include "upstream.h"

#include "buf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whole small file into a NUL-terminated string; refuses NUL bytes and
 * anything over 64 KiB (these are hand-written text files). */
static int read_text(const char *path, char **out, ap_error *err)
{
	FILE *f = fopen(path, "rb");
	ap_buf b = AP_BUF_INIT;
	char chunk[4096];
	size_t got;

	if (!f)
		return ap_error_sys(err, "%s: cannot open", path);
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.len + got > 65536 || ap_buf_add(&b, chunk, got) < 0) {
			fclose(f);
			ap_buf_free(&b);
			return ap_error_set(err, "%s: too large for a version or checksums file", path);
		}
	}
	if (ferror(f)) {
		ap_buf_free(&b);
		fclose(f);
		return ap_error_sys(err, "%s: read failed", path);
	}
	fclose(f);
	if (b.len && memchr(b.data, '\0', b.len)) {
		ap_buf_free(&b);
		return ap_error_set(err, "%s: contains a NUL byte; not a text file", path);
	}
	if (!b.data && ap_buf_puts(&b, "") < 0)
		return ap_error_set(err, "out of memory");
	*out = ap_buf_detach(&b, NULL);
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

static int valid_sha256(const char *s)
{
	if (strlen(s) != 64)
		return 0;
	for (const char *p = s; *p; p++)
		if (!isxdigit((unsigned char)*p))
			return 0;
	return 1;
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

static int load_checksums(ap_pin *pin, const char *path, char **tarball, char **url,
			  ap_error *err)
{
	char *text, *p;
	int lineno = 0;

	if (read_text(path, &text, err) < 0)
		return -1;
	for (p = text; *p;) {
		char *line = p, *eq, *key, *val, **slot = NULL;
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
		else if (strcmp(key, "sha256") == 0)
			slot = &pin->sha256;
		else if (strcmp(key, "upstream_url") == 0)
			slot = url;
		else
			continue;   /* sha1, md5, cksum: Sage's older sums, not ours to check */
		if (*slot) {
			ap_error_set(err, "%s:%d: '%s' given twice", path, lineno, key);
			goto fail;
		}
		if (!*val) {
			ap_error_set(err, "%s:%d: '%s' has an empty value", path, lineno, key);
			goto fail;
		}
		if (slot == &pin->sha256 && !valid_sha256(val)) {
			ap_error_set(err, "%s:%d: sha256 must be 64 hexadecimal digits, got '%.80s'",
				     path, lineno, val);
			goto fail;
		}
		*slot = ap_strdup(val);
		if (!*slot) {
			ap_error_set(err, "out of memory");
			goto fail;
		}
	}
	free(text);
	if (!*tarball)
		return ap_error_set(err, "%s: no 'tarball=' line (e.g. tarball=gap-VERSION.tar.gz)",
				    path);
	if (!pin->sha256)
		return ap_error_set(err, "%s: no 'sha256=' line; the download cannot be verified",
				    path);
	for (char *c = pin->sha256; *c; c++)
		*c = (char)tolower((unsigned char)*c);
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
	if (!vpath || !cpath) {
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
	free(pin->url);
	memset(pin, 0, sizeof *pin);
}
