/* fuzz_patch.c - libFuzzer target for the patch parser (ap_patch_parse).
 *
 * Input: byte 0 picks the strip level (0..3), the rest is the patch. The
 * sanitizers catch memory errors; on top of them, whatever the parser
 * accepts must be something the rest of applypatch can rely on:
 *   - every path it keeps passes ap_path_unsafe (no absolute, "..", .git,
 *     .applypatch, control characters): the parser is the only gate;
 *   - each file diff has the names its operation needs (a created file a
 *     new name, a deleted one an old name, a rename or copy both);
 *   - each hunk holds exactly the lines its @@ line counts, and those lines
 *     point into the patch's own bytes;
 *   - hunks are in order and do not overlap; line numbers stay in bounds;
 *   - a refusal names the patch ("NAME:LINE: what").
 */
#include "patch.h"
#include "path.h"

#include "fuzz_util.h"

#include <stdint.h>

#define NAME "fuzz.patch"

static void check_path(const char *what, const char *p, size_t fileno)
{
	const char *why;

	if (!p)
		return;
	why = ap_path_unsafe(p, strlen(p));
	if (why)
		finding("file diff %zu: %s '%s' was accepted but %s", fileno, what, p, why);
}

static void check_patch(const ap_patch *p, const char *data, size_t len)
{
	if (p->nfiles == 0)
		finding("parse succeeded with no file diff");
	if (p->len != len || memcmp(p->data, data, len) != 0)
		finding("the patch's bytes were not kept as given");
	if (p->desc_len > p->len)
		finding("description length %zu beyond the patch (%zu bytes)", p->desc_len, p->len);
	for (size_t i = 0; i < p->nfiles; i++) {
		const ap_file_diff *f = &p->files[i];
		const char *target = ap_file_diff_target(f);

		check_path("old name", f->old_path, i);
		check_path("new name", f->new_path, i);
		if (!target)
			finding("file diff %zu (%s at line %zu) has no target path", i,
				f->op == AP_OP_CREATE ? "create" : f->op == AP_OP_DELETE ? "delete"
				: "modify/rename/copy", f->lineno);
		switch (f->op) {
		case AP_OP_CREATE:
			if (f->old_path || !f->new_path)
				finding("file diff %zu: a creation with old name %s, new name %s", i,
					f->old_path ? f->old_path : "(none)",
					f->new_path ? f->new_path : "(none)");
			break;
		case AP_OP_DELETE:
			if (!f->old_path || f->new_path)
				finding("file diff %zu: a deletion with old name %s, new name %s", i,
					f->old_path ? f->old_path : "(none)",
					f->new_path ? f->new_path : "(none)");
			break;
		case AP_OP_MODIFY:
		case AP_OP_RENAME:
		case AP_OP_COPY:
			if (!f->old_path || !f->new_path)
				finding("file diff %zu: op %d with a missing name", i, (int)f->op);
			break;
		default:
			finding("file diff %zu: unknown op %d", i, (int)f->op);
		}
		if (f->lineno == 0)
			finding("file diff %zu has line number 0", i);
		for (size_t k = 0; k < f->nhunks; k++) {
			const ap_hunk *h = &f->hunks[k];
			long old_n = 0, new_n = 0;

			if (h->old_start < 0 || h->new_start < 0 || h->old_count < 0 ||
			    h->new_count < 0 || h->old_start > AP_PATCH_MAX_LINENO ||
			    h->new_start > AP_PATCH_MAX_LINENO || h->old_count > AP_PATCH_MAX_LINENO ||
			    h->new_count > AP_PATCH_MAX_LINENO)
				finding("hunk %zu.%zu: numbers out of bounds (-%ld,%ld +%ld,%ld)", i, k,
					h->old_start, h->old_count, h->new_start, h->new_count);
			for (size_t j = 0; j < h->nlines; j++) {
				const ap_line *l = &h->lines[j];

				if (l->kind == ' ' || l->kind == '-')
					old_n++;
				if (l->kind == ' ' || l->kind == '+')
					new_n++;
				if (l->kind != ' ' && l->kind != '-' && l->kind != '+')
					finding("hunk %zu.%zu line %zu: kind %d", i, k, j, l->kind);
				if (l->text < p->data || l->text + l->len > p->data + p->len)
					finding("hunk %zu.%zu line %zu points outside the patch", i, k, j);
				if (l->eol > AP_EOL_CRLF)
					finding("hunk %zu.%zu line %zu: eol %d", i, k, j, l->eol);
			}
			if (old_n != h->old_count || new_n != h->new_count)
				finding("hunk %zu.%zu at line %zu says -%ld +%ld lines but holds %ld and %ld",
					i, k, h->lineno, h->old_count, h->new_count, old_n, new_n);
			if (k > 0) {
				const ap_hunk *prev = &f->hunks[k - 1];

				if (h->old_start < prev->old_start + prev->old_count)
					finding("hunks %zu.%zu and %zu.%zu overlap or are out of order", i,
						k - 1, i, k);
			}
			if (h->lineno == 0)
				finding("hunk %zu.%zu has line number 0", i, k);
		}
		if (f->op == AP_OP_CREATE && f->nhunks > 1)
			finding("file diff %zu: a creation with %zu hunks", i, f->nhunks);
	}
	/* the header lookups walk the description */
	free(ap_patch_header(p, "Description", NULL));
	free(ap_patch_header(p, "Subject", NULL));
	free(ap_patch_header(p, "Forwarded", NULL));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ap_patch p;
	ap_error err = AP_ERROR_INIT;
	int strip;

	if (size < 1)
		return 0;
	strip = data[0] & 3;
	data++;
	size--;
	if (ap_patch_parse(&p, NAME, (const char *)data, size, strip, &err) == 0) {
		check_patch(&p, (const char *)data, size);
		ap_patch_free(&p);
	} else {
		if (strncmp(err.msg, NAME ":", strlen(NAME ":")) != 0)
			finding("a refusal that does not name the patch: '%s'", err.msg);
		if (memchr(err.msg, '\033', strlen(err.msg)))
			finding("an escape character in the error message: '%s'", err.msg);
	}
	return 0;
}
