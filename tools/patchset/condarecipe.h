/* condarecipe.h - the patch list of a conda recipe (meta.yaml), read as a
 * series: `source:` then `patches:` with one `- NAME` a line and conda's
 * `[selector]` comments.
 *
 * Not a YAML parser: conda-build renders meta.yaml through Jinja before
 * YAML ever sees it, so no YAML library could read a real recipe either.
 * This is a line reader for the one list we need, in the shapes recipes
 * use (conda-forge's): a block list under `patches:` inside `source:`
 * (a mapping, or a list of sources each with its own `patches:`), a flow
 * list `patches: [a.patch, b.patch]  # comment`, quoted names.
 *
 * Selectors are found on every line by conda-build's own rule (its
 * metadata.py `sel_pat`, `(.+?)\s*(#.*)?\[([^\[\]]+)\](?(2)[^\(\)]*)$`):
 * the last `[...]` of a line after its first `#`, with other words around
 * it in the comment and no `(` or `)` after it, or without a `#` a
 * `[...]` that ends the line. A selector on an item, on the `patches:`
 * line, on a source's first line (`- url: ...` in a list of sources) and
 * on the `source:` line all apply to the item (every one must hold).
 * Refused with the line: Jinja in the list (`{% if %}`, `{{ }}`: its
 * truth is not known without rendering), `patches: [..]` ending a line
 * (conda-build reads it as a selector, not a list), a selector on a
 * `folder:` line, and a source with a `folder:` other than `.` that has
 * patches (conda-build applies them inside that folder; this reader's
 * list is applied at the top of the tree). A `[` in a comment that is not
 * a selector by that rule is a warning (lint shows it).
 *
 *   ap_conda_patches_parse / _free   a meta.yaml's source: patches: list
 */
#ifndef AP_CONDARECIPE_H
#define AP_CONDARECIPE_H

#include "error.h"

#include <stddef.h>

typedef struct ap_conda_patch {
	char *name;        /* as written, relative to the recipe folder */
	char *selector;    /* the text inside [ ], every level joined; NULL: none */
	size_t lineno;
} ap_conda_patch;

typedef struct ap_conda_warning {
	size_t lineno;
	char *what;
} ap_conda_warning;

typedef struct ap_conda_list {
	ap_conda_patch *v;
	size_t n;
	ap_conda_warning *w;   /* what the reader saw but does not take */
	size_t nw;
} ap_conda_list;

/* Reads the patch list from meta.yaml's bytes; path names it in errors
 * ("recipe/meta.yaml:12: ..."). No `patches:` under `source:` is an empty
 * list, not an error. On error *out is empty. */
int ap_conda_patches_parse(const char *data, size_t len, const char *path,
			   ap_conda_list *out, ap_error *err);
void ap_conda_patches_free(ap_conda_list *l);

#endif
