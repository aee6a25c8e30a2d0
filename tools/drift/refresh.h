/* refresh.h - rewriting drifted patches so they apply exactly again.
 *
 * Against one upstream version, the series is applied in order (all of it:
 * refresh edits text, as quilt would, whatever the selectors say). A patch
 * that applies only with offsets (or, when asked, only with fuzz) has its
 * hunks regenerated with libgit2's diff from the file as it was before the
 * patch and as the patch left it; everything else in the patch file stays
 * byte for byte, but the DEP-3 Last-Update date and git's stale index
 * lines. A mail of several commits is refreshed one file diff at a time.
 * Nothing is written that places a hunk with fuzz as large as its context
 * on one side, or that does not re-apply exactly. Patches that conflict
 * or are already upstream are left untouched and reported, in drift's
 * words.
 *
 *   ap_refresh / _result_free   drifted patches rewritten (or shown, dry run)
 *   ap_refresh_rewrite          a patch text with new hunks (for tests)
 */
#ifndef AP_REFRESH_H
#define AP_REFRESH_H

#include "error.h"
#include "source.h"

typedef struct ap_refresh_opts {
	const char *patches_dir;
	ap_upstream upstream;
	const char *const *only;   /* NULL-terminated patch names, or NULL: all */
	int max_fuzz;              /* refresh needs-fuzz patches too (0: never) */
	const char *today;         /* YYYY-MM-DD for Last-Update; NULL: today */
	int dry_run;               /* report, write nothing */
	int strip;                 /* -pN of series lines naming none (set it: 0 is -p0) */
} ap_refresh_opts;

typedef struct ap_refresh_item {
	char *name;
	const char *action;        /* refreshed | exact | drifted | needs-fuzz |
	                              upstreamed | partly-upstreamed | conflict |
	                              error (the last five left untouched) */
	char *detail;
	char *diff;                /* dry run: the change to the patch file */
} ap_refresh_item;

typedef struct ap_refresh_result {
	ap_refresh_item *v;
	size_t n;
	size_t refreshed;
	size_t left;               /* conflict, partly-upstreamed, error */
} ap_refresh_result;

int ap_refresh(const ap_refresh_opts *o, ap_refresh_result *r, ap_error *err);
void ap_refresh_result_free(ap_refresh_result *r);

/* The patch text with its hunks replaced (exposed for tests): hunks[i] is
 * the new body (the @@ lines onward) of p->files[i]. */
int ap_refresh_rewrite(const char *data, size_t len, size_t desc_len, const size_t *body_start,
		       const size_t *body_end, char **bodies, size_t nfiles, const char *today,
		       char **out, size_t *outlen);

#endif
