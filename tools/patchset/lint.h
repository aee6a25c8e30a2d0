/* lint.h - checking a patches directory before anyone applies it.
 *
 * Findings, one per problem, each "PATCH:LINE: what": every patch has a
 * description (DEP-3 Description or a mail Subject, not quilt's template)
 * and an upstream reference as lintian reads DEP-3 (Origin upstream or
 * backport, else Forwarded other than "no", Bug or Applied-Upstream);
 * every patch file is listed, every listed file exists and is a regular
 * file (read capped); the series ends with a newline;
 * selectors are valid; each patch parses; the series agrees with the
 * layout SageMath reads without it (top-level patches -p1 for every
 * platform, listed first; PLATFORM/NAME.patch with the selector
 * [PLATFORM]; each directory in name order; none unlisted).
 *
 *   ap_lint_run / _free   every check over a patches folder
 */
#ifndef AP_LINT_H
#define AP_LINT_H

#include "error.h"
#include "series.h"

typedef struct ap_lint {
	ap_finding *v;
	size_t n, cap;
	size_t npatches;        /* patches looked at */
	char *dir;
	char **paths;           /* DIR/NAME of every series entry */
	size_t npaths, cap_paths;
} ap_lint;

/* Returns 0 when the directory could be read (findings in out), -1 when it
 * could not (err set). */
int ap_lint_run(ap_lint *out, const char *patches_dir, ap_error *err);
void ap_lint_free(ap_lint *l);

#endif
