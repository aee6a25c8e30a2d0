/* loaded_series.c - a series with its patch files read from disk, hashed
 * and (at once or on demand) parsed, for apply, status, drift, refresh and
 * verify. */
#include "loaded_series.h"

#include "buf.h"
#include "fileio.h"
#include "hash.h"
#include "identity.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

#define AP_LOAD_THREADS_MAX 16

/* One load shared by its threads: each takes the next index and writes
 * only that patch's slots, so the result is the same whatever the order. */
typedef struct loader {
	ap_loaded_series *ls;
	const char *dir;
	int all, later;
	atomic_size_t next;
	atomic_int oom;
} loader;

static void *load_some(void *arg)
{
	loader *ld = arg;
	size_t i;

	while ((i = atomic_fetch_add_explicit(&ld->next, 1, memory_order_relaxed)) <
	       ld->ls->series.n) {
		char *path;

		if (!ld->ls->series.v[i].selected && !ld->all)
			continue;
		path = ap_printf("%s/%s", ld->dir, ld->ls->series.v[i].name);
		if (!path) {
			atomic_store(&ld->oom, 1);
			break;
		}
		load_one(ld->ls, i, path, ld->later);
		free(path);
	}
	return NULL;
}

/* AP_LOAD_THREADS=N forces the count (the tests compare N with 1). */
static size_t load_threads(size_t npatches)
{
	const char *force = getenv("AP_LOAD_THREADS");
	long cpus;

	if (force && *force) {
		long t = strtol(force, NULL, 10);

		return t < 1 ? 1 : t > AP_LOAD_THREADS_MAX ? AP_LOAD_THREADS_MAX : (size_t)t;
	}
	if (npatches < 16)
		return 1;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus < 1 ? 1 : cpus > 4 ? 4 : (size_t)cpus;
}

/* Threads: loading the (independent) patches was ~39% of a dry run. One
 * that cannot be started leaves its share to the calling thread. */
static int load_all(loader *ld)
{
	pthread_t tid[AP_LOAD_THREADS_MAX];
	size_t want = load_threads(ld->ls->series.n), started = 0;

	while (started + 1 < want && pthread_create(&tid[started], NULL, load_some, ld) == 0)
		started++;
	load_some(ld);
	while (started > 0)
		pthread_join(tid[--started], NULL);
	return atomic_load(&ld->oom) ? -1 : 0;
}

static int load(ap_loaded_series *ls, const char *dir, const char *platform, int all,
		int later, int strip, ap_error *err)
{
	loader ld = { .ls = ls, .dir = dir, .all = all, .later = later };
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
	atomic_init(&ld.next, 0);
	atomic_init(&ld.oom, 0);
	if (!ls->patches || !ls->errors || !ls->sha256 || !ls->diff_sha256 || !ls->file_sha256 ||
	    !ls->pending || !ls->held || load_all(&ld) < 0) {
		ap_loaded_series_free(ls);
		return ap_error_set(err, "out of memory");
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

int ap_loaded_series_identities_old(ap_loaded_series *ls, int rule)
{
	if (ls->sha256_old && ls->old_rule == rule)
		return 0;
	if (rule != 1 && rule != 2)
		return -1;
	free(ls->sha256_old);
	ls->sha256_old = calloc(ls->series.n + 1, sizeof *ls->sha256_old);
	if (!ls->sha256_old)
		return -1;
	ls->old_rule = rule;
	for (size_t i = 0; i < ls->series.n; i++) {
		if (ls->held[i] && ls->patches[i].data) {
			const ap_patch *p = &ls->patches[i];

			if ((rule == 1 ? ap_patch_identity_v1(p, ls->sha256_old[i])
				       : ap_patch_identity_v2(p, ls->sha256_old[i])) < 0)
				return -1;
		} else {
			memcpy(ls->sha256_old[i], ls->sha256[i], AP_SHA256_HEX);
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
	free(ls->sha256_old);
	free(ls->diff_sha256);
	free(ls->file_sha256);
	free(ls->dir);
	ap_series_free(&ls->series);
	memset(ls, 0, sizeof *ls);
}
