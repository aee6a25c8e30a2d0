/* condarecipe.h - the patch list of a conda recipe (meta.yaml), read as a
 * series: `source:` then `patches:` with one `- NAME` a line and conda's
 * `# [selector]` comments.
 *
 * Not a YAML parser: conda-build renders meta.yaml through Jinja before
 * YAML ever sees it, so no YAML library could read a real recipe either.
 * This is a line reader for the one list we need, in the shapes recipes
 * use (conda-forge's): a block list under `patches:` inside `source:`
 * (a mapping, or a list of sources each with its own `patches:`), a flow
 * list `patches: [a.patch, b.patch]`, quoted names, a selector on an item
 * and on the `patches:` line itself (both must hold). Jinja in the list
 * (`{% if %}`, `{{ }}`) is refused with the line: its truth is not known
 * without rendering, and a guess could apply a patch meant for another
 * platform.
 *
 *   ap_conda_patches_parse / _free   a meta.yaml's source: patches: list
 */
#ifndef AP_CONDARECIPE_H
#define AP_CONDARECIPE_H

#include "error.h"

#include <stddef.h>

typedef struct ap_conda_patch {
	char *name;        /* as written, relative to the recipe folder */
	char *selector;    /* the text inside [ ], both levels joined; NULL: none */
	size_t lineno;
} ap_conda_patch;

/* Reads the patch list from meta.yaml's bytes; path names it in errors
 * ("recipe/meta.yaml:12: ..."). No `patches:` under `source:` is an empty
 * list, not an error. */
int ap_conda_patches_parse(const char *data, size_t len, const char *path,
			   ap_conda_patch **out, size_t *n, ap_error *err);
void ap_conda_patches_free(ap_conda_patch *v, size_t n);

#endif
