/* loaded_series.c - a series with its patch files read from disk, hashed
 * and (at once or on demand) parsed, for apply, status, drift, refresh and
 * verify. */
#include "loaded_series.h"

#include "buf.h"
#include "fileio.h"
#include "hash.h"
#include "identity.h"

#include <stdlib.h>
#include <string.h>

static int read_whole(const char *path, char **data, size_t *len, ap_error *err)
{
	return ap_file_read(path, AP_PATCH_MAX_BYTES, data, len, err);
}

static int load(ap_loaded_series *ls, const char *dir, const char *platform, int all,
		int parse, int strip, ap_error *err)
{
	memset(ls, 0, sizeof *ls);
	if (ap_series_load(&ls->series, dir, platform, err) < 0)
		return -1;
	ap_series_default_strip(&ls->series, strip);
	ls->patches = calloc(ls->series.n + 1, sizeof *ls->patches);
	ls->errors = calloc(ls->series.n + 1, sizeof *ls->errors);
	ls->sha256 = calloc(ls->series.n + 1, sizeof *ls->sha256);
	ls->diff_sha256 = calloc(ls->series.n + 1, sizeof *ls->diff_sha256);
	ls->file_sha256 = calloc(ls->series.n + 1, sizeof *ls->file_sha256);
	ls->raw = calloc(ls->series.n + 1, sizeof *ls->raw);
	ls->rawlen = calloc(ls->series.n + 1, sizeof *ls->rawlen);
	if (!ls->patches || !ls->errors || !ls->sha256 || !ls->diff_sha256 || !ls->file_sha256 ||
	    !ls->raw || !ls->rawlen) {
		ap_loaded_series_free(ls);
		return ap_error_set(err, "out of memory");
	}
	for (size_t i = 0; i < ls->series.n; i++) {
		const ap_series_entry *e = &ls->series.v[i];
		char *path, *data;
		size_t len = 0;
		ap_error pe = AP_ERROR_INIT;

		if (!e->selected && !all)
			continue;
		path = ap_printf("%s/%s", dir, e->name);
		if (!path) {
			ap_loaded_series_free(ls);
			return ap_error_set(err, "out of memory");
		}
		if (read_whole(path, &data, &len, &pe) < 0) {
			ls->errors[i] = ap_strdup(pe.msg);
		} else {
			ap_patch_id(data, len, ls->diff_sha256[i]);
			ap_sha256_hex(data, len, ls->file_sha256[i]);
			if (!parse) {
				ap_patch_identity_of(data, len, e->strip, ls->sha256[i]);
				/* kept, so the patch is read once however it is used */
				ls->raw[i] = data;
				ls->rawlen[i] = len;
				data = NULL;
			} else if (ap_patch_parse(&ls->patches[i], path, data, len, e->strip, &pe) < 0) {
				ls->errors[i] = ap_strdup(pe.msg);
				memcpy(ls->sha256[i], ls->diff_sha256[i], AP_SHA256_HEX);
			} else {
				ap_patch_identity(&ls->patches[i], ls->sha256[i]);
			}
			free(data);
		}
		free(path);
	}
	ls->dir = ap_strdup(dir);
	return 0;
}

int ap_loaded_series_load(ap_loaded_series *ls, const char *dir, const char *platform, int all,
			  int strip, ap_error *err)
{
	return load(ls, dir, platform, all, 1, strip, err);
}

int ap_loaded_series_load_hashes(ap_loaded_series *ls, const char *dir, const char *platform,
				 int strip, ap_error *err)
{
	/* every patch, not only the selected ones: another platform's may be
	 * found present in the tree */
	return load(ls, dir, platform, 1, 0, strip, err);
}

int ap_loaded_series_parse(ap_loaded_series *ls, size_t i)
{
	const ap_series_entry *e = &ls->series.v[i];
	char *path;
	ap_error pe = AP_ERROR_INIT;
	int rc = -1;

	if (ls->errors[i])
		return -1;
	path = ap_printf("%s/%s", ls->dir, e->name);
	if (!path || !ls->raw[i])
		ls->errors[i] = ap_strdup(path ? "internal error: patch not loaded" : "out of memory");
	else if (ap_patch_parse(&ls->patches[i], path, ls->raw[i], ls->rawlen[i], e->strip, &pe) < 0)
		ls->errors[i] = ap_strdup(pe.msg);
	else
		rc = 0;
	free(path);
	return rc;
}

void ap_loaded_series_drop(ap_loaded_series *ls, size_t i)
{
	ap_patch_free(&ls->patches[i]);
	free(ls->raw[i]);
	ls->raw[i] = NULL;
}

void ap_loaded_series_free(ap_loaded_series *ls)
{
	for (size_t i = 0; i < ls->series.n; i++) {
		if (ls->patches)
			ap_patch_free(&ls->patches[i]);
		if (ls->errors)
			free(ls->errors[i]);
		if (ls->raw)
			free(ls->raw[i]);
	}
	free(ls->raw);
	free(ls->rawlen);
	free(ls->patches);
	free(ls->errors);
	free(ls->sha256);
	free(ls->diff_sha256);
	free(ls->file_sha256);
	free(ls->dir);
	ap_series_free(&ls->series);
	memset(ls, 0, sizeof *ls);
}
