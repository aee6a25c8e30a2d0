/* drift_verify.c - verify's verdicts in the drift matrix (see drift_verify.h). */
#include "drift_verify.h"
#include "buf.h"
#include "fileio.h"
#include "jsonread.h"

#include <stdlib.h>
#include <string.h>

#define NOT_NEEDED "not needed upstream"

static void warn(ap_drift *d, const char *where, const char *what)
{
	if (ap_array_grow((void **)&d->warnings, &d->wcap, d->nwarnings + 1, sizeof *d->warnings) < 0)
		return;
	d->warnings[d->nwarnings].where = ap_strdup(where);
	d->warnings[d->nwarnings].what = ap_strdup(what);
	d->nwarnings++;
}

/* The verdict text a cell shows: the verdict and, when verify named them,
 * the checks failing unpatched. */
static char *verdict_of(const ap_jv *p)
{
	const char *v = ap_jv_str(ap_jv_get(p, "verdict"));
	const ap_jv *failing = ap_jv_get(p, "failing");
	ap_buf b = AP_BUF_INIT;
	ap_buf_puts(&b, v);
	for (size_t k = 0; failing && failing->kind == AP_JV_ARRAY && k < failing->n; k++)
		if (ap_jv_str(&failing->items[k]))
			ap_buf_printf(&b, "%s%s", k ? ", " : ": fails unpatched: ",
				      failing->items[k].str);
	return ap_buf_detach(&b, NULL);
}

static size_t fold_one(ap_drift *d, const ap_jv *p, const char *label)
{
	const char *name = ap_jv_str(ap_jv_get(p, "name"));
	const char *platform = ap_jv_str(ap_jv_get(p, "platform"));
	const char *verdict = ap_jv_str(ap_jv_get(p, "verdict"));
	size_t folded = 0;
	if (!name || !platform || !verdict)
		return 0;
	for (size_t i = 0; i < d->npatches; i++) {
		if (strcmp(d->names[i], name) != 0)
			continue;
		for (size_t c = 0; c < d->ncols; c++) {
			ap_drift_cell *cell = &d->cells[i * d->ncols + c];
			if (strcmp(d->cols[c].label, label) != 0 ||
			    strcmp(d->cols[c].platform, platform) != 0)
				continue;
			free(cell->verify);
			cell->verify = verdict_of(p);
			if (strcmp(verdict, NOT_NEEDED) == 0 &&
			    (cell->status == AP_DRIFT_CONFLICT || cell->status == AP_DRIFT_PARTLY ||
			     cell->status == AP_DRIFT_UPSTREAMED))
				cell->expected = 1;
			folded++;
		}
	}
	return folded;
}

int ap_drift_fold_verify(ap_drift *d, const char *path, ap_error *err)
{
	char *text = NULL;
	size_t len = 0;
	ap_jv root;
	if (ap_file_read(path, AP_FILE_MAX, &text, &len, err) < 0)
		return ap_error_wrap(err, "--verify-report");
	int rc = ap_json_parse(text, len, &root, err);
	free(text);
	if (rc < 0)
		return ap_error_wrap(err, "%s: not JSON", path);
	const ap_jv *attr = ap_jv_get(&root, "attribution");
	const ap_jv *patches = ap_jv_get(&root, "patches");
	const char *kind = ap_jv_str(ap_jv_get(attr, "kind"));
	const char *upstream = ap_jv_str(ap_jv_get(attr, "upstream"));
	if (!attr || !patches || patches->kind != AP_JV_ARRAY || !kind || !upstream) {
		ap_jv_free(&root);
		return ap_error_set(err, "%s: not a verify report with verdicts (no \"attribution\" "
				    "and \"patches\": run verify --no-patches --format json on a "
				    "series with patches/attribution)", path);
	}
	if (strcmp(kind, "upstream") != 0) {
		ap_jv_free(&root);
		return ap_error_set(err, "%s: a leave-one-out report (verify --attribute), not "
				    "verdicts on an upstream (verify --no-patches)", path);
	}
	/* the upstream's name: its first word (the identity follows) */
	char *label = ap_strndup(upstream, strcspn(upstream, " "));
	size_t folded = 0;
	for (size_t k = 0; label && k < patches->n; k++)
		folded += fold_one(d, &patches->items[k], label);
	if (label && folded == 0) {
		char *what = ap_printf("verify's verdicts are for '%s', which is no column here (name "
				       "the version as verify did: the same git revision, or a "
				       "tarball or directory of the same name)", label);
		warn(d, path, what ? what : "no column matches");
		free(what);
	}
	free(label);
	ap_jv_free(&root);
	return (int)folded;
}

void ap_drift_verify_phrase(ap_buf *out, const ap_drift_cell *cell)
{
	ap_buf_puts(out, ap_drift_status_name(cell->status));
	if (strncmp(cell->verify, NOT_NEEDED, strlen(NOT_NEEDED)) == 0)
		ap_buf_printf(out, "; behaviour present upstream (verify: %s)", cell->verify);
	else
		ap_buf_printf(out, "; verify: %s", cell->verify);
}
