/* attribute.h - which checks each patch of the series is needed for.
 *
 * Leave-one-out (verify --attribute): the series is built whole, then once
 * per patch with that patch left out, for each target whose platform
 * selects it; a patch is needed for the checks that pass with the whole
 * series and fail without it, and unneeded when no check fails without it.
 * The variant builds are verify_run.c's; here are the series without one
 * patch, the comparison, the attribution file kept with the series
 * (PATCHES/attribution, format in verify(1)), and its reading back when an
 * upstream is verified with --no-patches: a patch whose checks all pass
 * there is not needed upstream.
 *
 *   ap_series_without      a copy of the series without one patch
 *   ap_attr_compare        the checks a variant fails that the whole passes
 *   ap_attribution_write   PATCHES/attribution
 *   ap_attribution_read    ... read back
 *   ap_attribution_judge   the verdicts on an upstream verified unpatched
 *   ap_attribution_json / _text   rendering
 */
#ifndef AP_ATTRIBUTE_H
#define AP_ATTRIBUTE_H

#include "buf.h"
#include "error.h"
#include "expect.h"
#include "json.h"

#include <stddef.h>

#define AP_ATTRIBUTION_FILE "attribution"

/* Leave-one-out verdicts */
#define AP_VERDICT_NEEDED "needed"
#define AP_VERDICT_UNNEEDED "unneeded"
#define AP_VERDICT_UNMEASURED "not measured"
/* On an upstream verified with --no-patches */
#define AP_VERDICT_NOT_NEEDED_UPSTREAM "not needed upstream"
#define AP_VERDICT_STILL_NEEDED "still needed"
#define AP_VERDICT_NEEDED_FOR_NONE "needed for no check"
/* its checks pass, but another patch of the target is still needed: they
 * may pass only because that one's change is missing too */
#define AP_VERDICT_UNDECIDED "passes unpatched, but another patch is still needed"

typedef struct ap_patch_attr {
	char *name;
	char *platform;
	char *mode;                /* native | emulated */
	char **needed_for;         /* check names */
	size_t nneeded;
	char **failing;            /* upstream verdicts: the needed-for checks failing there */
	size_t nfailing;
	const char *verdict;       /* one of AP_VERDICT_* */
	char *error;               /* not measured: why */
	char *binary;              /* the variant's binary */
	double seconds;            /* the variant's build and probe time */
} ap_patch_attr;

typedef struct ap_attribution {
	int upstream_mode;         /* 0 leave-one-out, 1 verdicts from the file */
	char *measured_on;         /* the upstream the leave-one-out ran on */
	char *upstream;            /* this run's: "NAME IDENTITY" (NAME: the git
				      revision, the tarball's or directory's name) */
	char *file;                /* the attribution file written or read */
	char *file_error;          /* it could not be written or read */
	ap_patch_attr *v;
	size_t n, cap;
} ap_attribution;

void ap_attribution_free(ap_attribution *a);
/* A new entry (name, platform, mode copied), verdict unset. */
ap_patch_attr *ap_attribution_add(ap_attribution *a, const char *name, const char *platform,
				  const char *mode);

/* Writes into dest (created) a series file listing every entry of the
 * series in patches_dir but name, with its strip level and selector, and
 * a copy of each of their patch files. For a conda recipe (meta.yaml, no
 * series file) the recipe without name's `- NAME` line; a name that shares
 * its line (a flow list) is an error naming the line. */
int ap_series_without(const char *patches_dir, const char *name, const char *dest,
		      ap_error *err);

/* needed_for: the checks of whole that pass and fail (or are missing) in
 * variant; the verdict from them, or not measured when the variant has
 * an error. */
int ap_attr_compare(ap_patch_attr *pa, const ap_target *whole, const ap_target *variant);

/* The patches with no "needed" entry (each named once): how many; their
 * names in *names (NULL-terminated, free with ap_strv_free) when names
 * is not NULL. */
size_t ap_attribution_unneeded(const ap_attribution *a, char ***names, size_t *nnames);

/* PATCHES/attribution from a leave-one-out. */
int ap_attribution_write(const ap_attribution *a, const char *patches_dir, ap_error *err);
/* Reads PATCHES/attribution into a (upstream_mode set, verdicts unset);
 * 0 when there is none (a->n == 0), -1 when it cannot be read or a line
 * is not understood (err: FILE:LINE). */
int ap_attribution_read(ap_attribution *a, const char *patches_dir, ap_error *err);
/* Sets each entry's verdict from the targets of a --no-patches run: not
 * needed upstream only when no patch of the same target is still needed
 * (else undecided). */
void ap_attribution_judge(ap_attribution *a, const ap_target *t, size_t n);

/* "patches": [...] into an open JSON object. */
void ap_attribution_json(ap_json *j, const ap_attribution *a);
void ap_attribution_text(ap_buf *out, const ap_attribution *a);

#endif
