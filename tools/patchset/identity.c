/* identity.c - what a patch changes, as one SHA-256 (identity.h). */
#include "identity.h"

#include <stdio.h>
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

static int add_str(ap_digest *d, const char *s)
{
	char n[32];

	if (!s)
		return ap_digest_add(d, "-\n", 2);
	snprintf(n, sizeof n, "%zu:", strlen(s));
	return ap_digest_add(d, n, strlen(n)) < 0 || ap_digest_add(d, s, strlen(s)) < 0 ? -1 : 0;
}

static int add_file(ap_digest *d, const ap_file_diff *f)
{
	char head[96];
	int named_source = f->op == AP_OP_RENAME || f->op == AP_OP_COPY;

	snprintf(head, sizeof head, "file %d %o %zu\n", (int)f->op, mode_class(f), f->nhunks);
	if (ap_digest_add(d, head, strlen(head)) < 0 ||
	    add_str(d, named_source ? f->old_path : NULL) < 0 ||
	    add_str(d, ap_file_diff_target(f)) < 0)
		return -1;
	for (size_t h = 0; h < f->nhunks; h++) {
		const ap_hunk *hk = &f->hunks[h];

		snprintf(head, sizeof head, "hunk %ld %ld %zu\n", hk->old_count, hk->new_count,
			 hk->nlines);
		if (ap_digest_add(d, head, strlen(head)) < 0)
			return -1;
		for (size_t i = 0; i < hk->nlines; i++) {
			const ap_line *l = &hk->lines[i];
			snprintf(head, sizeof head, "%c%d %zu:", l->kind, (int)l->eol, l->len);
			if (ap_digest_add(d, head, strlen(head)) < 0 ||
			    ap_digest_add(d, l->text, l->len) < 0)
				return -1;
		}
	}
	return 0;
}

int ap_patch_identity(const ap_patch *p, char out[AP_SHA256_HEX])
{
	ap_digest d = AP_DIGEST_INIT;

	if (ap_digest_begin(&d, AP_DIGEST_SHA256) < 0)
		return -1;
	if (ap_digest_add(&d, "applypatch-identity 1\n", 22) < 0)
		goto fail;
	for (size_t i = 0; i < p->nfiles; i++)
		if (add_file(&d, &p->files[i]) < 0)
			goto fail;
	return ap_digest_end(&d, out);
fail:
	ap_digest_discard(&d);
	return -1;
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
