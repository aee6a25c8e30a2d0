/* identity.c - what a patch changes, as one SHA-256 (identity.h). */
#include "identity.h"

#include <stdlib.h>
#include <string.h>

/* The mode apply gives the file, as a class: 0644 and 0664 give the same
 * result, and a modify that leaves the mode (git's `index ... 100644`, or
 * no mode at all) is one thing. */
static unsigned mode_class(const ap_file_diff *f)
{
	unsigned m = f->new_mode;

	if (f->op == AP_OP_DELETE)
		return 0;
	if (f->op == AP_OP_MODIFY && m == f->old_mode)
		return 0;
	if (f->op == AP_OP_CREATE && m == 0)
		m = 0100644;
	return m == 0100664 ? 0100644 : m;
}

/* The digest fed in big chunks: the many small pieces (a line's kind,
 * end and length, then its bytes) are gathered here first. */
typedef struct feed {
	ap_digest d;
	int bad;
	size_t n;
	char buf[1 << 16];
} feed;

static void flush(feed *f)
{
	if (f->n && ap_digest_add(&f->d, f->buf, f->n) < 0)
		f->bad = 1;
	f->n = 0;
}

static void put(feed *f, const void *data, size_t len)
{
	if (len > sizeof f->buf - f->n) {
		flush(f);
		if (len >= sizeof f->buf) {
			if (ap_digest_add(&f->d, data, len) < 0)
				f->bad = 1;
			return;
		}
	}
	memcpy(f->buf + f->n, data, len);
	f->n += len;
}

static void put_c(feed *f, char c)
{
	if (f->n == sizeof f->buf)
		flush(f);
	f->buf[f->n++] = c;
}

/* An unsigned number in base 8 or 10, as printf's %o, %zu and %lu. */
static void put_num(feed *f, unsigned long long v, unsigned base)
{
	char t[24];
	size_t i = sizeof t;

	do {
		t[--i] = (char)('0' + v % base);
		v /= base;
	} while (v);
	put(f, t + i, sizeof t - i);
}

/* A signed number, as %ld and %d. */
static void put_long(feed *f, long v)
{
	if (v < 0) {
		put_c(f, '-');
		put_num(f, -(unsigned long long)v, 10);
	} else {
		put_num(f, (unsigned long long)v, 10);
	}
}

static void put_str(feed *f, const char *s)
{
	size_t n;

	if (!s) {
		put(f, "-\n", 2);
		return;
	}
	n = strlen(s);
	put_num(f, n, 10);
	put_c(f, ':');
	put(f, s, n);
}

/* Version 1: every hunk line as the diff aligns it, files in patch order
 * (the bytes are those "file %d %o %zu\n", "hunk %ld %ld %zu\n" and
 * "%c%d %zu:" wrote before the digest was buffered). */
static void add_file_v1(feed *d, const ap_file_diff *f)
{
	int named_source = f->op == AP_OP_RENAME || f->op == AP_OP_COPY;

	put(d, "file ", 5);
	put_long(d, (long)f->op);
	put_c(d, ' ');
	put_num(d, mode_class(f), 8);
	put_c(d, ' ');
	put_num(d, f->nhunks, 10);
	put_c(d, '\n');
	put_str(d, named_source ? f->old_path : NULL);
	put_str(d, ap_file_diff_target(f));
	for (size_t h = 0; h < f->nhunks; h++) {
		const ap_hunk *hk = &f->hunks[h];

		put(d, "hunk ", 5);
		put_long(d, hk->old_count);
		put_c(d, ' ');
		put_long(d, hk->new_count);
		put_c(d, ' ');
		put_num(d, hk->nlines, 10);
		put_c(d, '\n');
		for (size_t i = 0; i < hk->nlines; i++) {
			const ap_line *l = &hk->lines[i];

			put_c(d, l->kind);
			put_long(d, (long)l->eol);
			put_c(d, ' ');
			put_num(d, l->len, 10);
			put_c(d, ':');
			put(d, l->text, l->len);
		}
	}
}

int ap_patch_identity(const ap_patch *p, char out[AP_SHA256_HEX])
{
	feed *f = malloc(sizeof *f);
	int rc;

	if (!f)
		return -1;
	f->d = (ap_digest)AP_DIGEST_INIT;
	f->bad = 0;
	f->n = 0;
	if (ap_digest_begin(&f->d, AP_DIGEST_SHA256) < 0) {
		free(f);
		return -1;
	}
	put(f, "applypatch-identity 1\n", 22);
	for (size_t i = 0; i < p->nfiles; i++)
		add_file_v1(f, &p->files[i]);
	flush(f);
	if (f->bad) {
		ap_digest_discard(&f->d);
		rc = -1;
	} else {
		rc = ap_digest_end(&f->d, out);
	}
	free(f);
	return rc;
}

int ap_patch_identity_of(const char *data, size_t len, int strip, char out[AP_SHA256_HEX])
{
	ap_patch p = AP_PATCH_INIT;
	ap_error err = AP_ERROR_INIT;
	int rc;

	if (ap_patch_parse(&p, "patch", data, len, strip, &err) < 0)
		return ap_patch_id(data, len, out);
	rc = ap_patch_identity(&p, out);
	ap_patch_free(&p);
	return rc;
}
