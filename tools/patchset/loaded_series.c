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

/* Reads, hashes and parses patch i: its error goes to errors[i], or for a
 * parse error, to pending[i] when the caller asked to be told later. */
static void load_one(ap_loaded_series *ls, size_t i, const char *path, int later)
{
	const ap_series_entry *e = &ls->series.v[i];
	char *data;
	size_t len = 0;
	ap_error pe = AP_ERROR_INIT;

	if (read_whole(path, &data, &len, &pe) < 0) {
		ls->errors[i] = ap_strdup(pe.msg);
		return;
	}
	ap_patch_id(data, len, ls->diff_sha256[i]);
	ap_sha256_hex(data, len, ls->file_sha256[i]);
	/* parsed once, for the identity and for whoever applies it; the
	 * parse keeps its own copy of the bytes */
	if (ap_patch_parse(&ls->patches[i], path, data, len, e->strip, &pe) < 0) {
		/* a broken patch's identity is its diff's bytes' */
		memcpy(ls->sha256[i], ls->diff_sha256[i], AP_SHA256_HEX);
		if (later)
			ls->pending[i] = ap_strdup(pe.msg);
		else
			ls->errors[i] = ap_strdup(pe.msg);
	} else {
		ap_patch_identity(&ls->patches[i], ls->sha256[i]);
	}
	ls->held[i] = 1;
	free(data);
}

static int load(ap_loaded_series *ls, const char *dir, const char *platform, int all,
		int later, int strip, ap_error *err)
{
	size_t n;

	memset(ls, 0, sizeof *ls);
	if (ap_series_load(&ls->series, dir, platform, err) < 0)
		return -1;
	ap_series_default_strip(&ls->series, strip);
	n = ls->series.n + 1;
	ls->patches = calloc(n, sizeof *ls->patches);
	ls->errors = calloc(n, sizeof *ls->errors);
	ls->sha256 = calloc(n, sizeof *ls->sha256);
	ls->diff_sha256 = calloc(n, sizeof *ls->diff_sha256);
	ls->file_sha256 = calloc(n, sizeof *ls->file_sha256);
	ls->pending = calloc(n, sizeof *ls->pending);
	ls->held = calloc(n, sizeof *ls->held);
	if (!ls->patches || !ls->errors || !ls->sha256 || !ls->diff_sha256 || !ls->file_sha256 ||
	    !ls->pending || !ls->held) {
		ap_loaded_series_free(ls);
		return ap_error_set(err, "out of memory");
	}
	for (size_t i = 0; i < ls->series.n; i++) {
		char *path;

		if (!ls->series.v[i].selected && !all)
			continue;
		path = ap_printf("%s/%s", dir, ls->series.v[i].name);
		if (!path) {
			ap_loaded_series_free(ls);
			return ap_error_set(err, "out of memory");
		}
		load_one(ls, i, path, later);
		free(path);
	}
	ls->dir = ap_strdup(dir);
	return 0;
}

int ap_loaded_series_load(ap_loaded_series *ls, const char *dir, const char *platform, int all,
			  int strip, ap_error *err)
{
	return load(ls, dir, platform, all, 0, strip, err);
}

int ap_loaded_series_load_hashes(ap_loaded_series *ls, const char *dir, const char *platform,
				 int strip, ap_error *err)
{
	/* every patch, not only the selected ones: another platform's may be
	 * found present in the tree */
	return load(ls, dir, platform, 1, 1, strip, err);
}

int ap_loaded_series_parse(ap_loaded_series *ls, size_t i)
{
	if (ls->errors[i])
		return -1;
	if (ls->pending[i]) {
		ls->errors[i] = ls->pending[i];
		ls->pending[i] = NULL;
		return -1;
	}
	if (!ls->held[i] || !ls->patches[i].data) {
		ls->errors[i] = ap_strdup("internal error: patch not loaded");
		return -1;
	}
	return 0;
}

int ap_loaded_series_held(const ap_loaded_series *ls, size_t i)
{
	return ls->held && ls->held[i];
}

int ap_loaded_series_identities_v1(ap_loaded_series *ls)
{
	if (ls->sha256_v1)
		return 0;
	ls->sha256_v1 = calloc(ls->series.n + 1, sizeof *ls->sha256_v1);
	if (!ls->sha256_v1)
		return -1;
	for (size_t i = 0; i < ls->series.n; i++) {
		if (ls->held[i] && ls->patches[i].data) {
			if (ap_patch_identity_v1(&ls->patches[i], ls->sha256_v1[i]) < 0)
				return -1;
		} else {
			memcpy(ls->sha256_v1[i], ls->sha256[i], AP_SHA256_HEX);
		}
	}
	return 0;
}

void ap_loaded_series_drop(ap_loaded_series *ls, size_t i)
{
	ap_patch_free(&ls->patches[i]);
	free(ls->pending[i]);
	ls->pending[i] = NULL;
	ls->held[i] = 0;
}

void ap_loaded_series_free(ap_loaded_series *ls)
{
	for (size_t i = 0; i < ls->series.n; i++) {
		if (ls->patches)
			ap_patch_free(&ls->patches[i]);
		if (ls->errors)
			free(ls->errors[i]);
		if (ls->pending)
			free(ls->pending[i]);
	}
	free(ls->pending);
	free(ls->held);
	free(ls->patches);
	free(ls->errors);
	free(ls->sha256);
	free(ls->sha256_v1);
	free(ls->diff_sha256);
	free(ls->file_sha256);
	free(ls->dir);
	ap_series_free(&ls->series);
	memset(ls, 0, sizeof *ls);
}
