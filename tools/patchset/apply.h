/* apply.h - applying parsed patches to the files held in a vtree.
 *
 * One patch at a time: every file diff is placed and applied in memory;
 * if any hunk fails, or the patch is found partly applied already, the
 * patch's edits are undone and it is reported failed. Nothing here
 * touches the disk; apply (worktree.h) and drift build on this.
 *
 *   ap_apply_patch          one patch applied to the vtree, or undone
 *   ap_patch_result_count   how many hunks had each outcome
 *   ap_*_name               names of statuses and file operations for reports
 */
#ifndef AP_APPLY_H
#define AP_APPLY_H

#include "error.h"
#include "hash.h"
#include "patch.h"
#include "place.h"
#include "vtree.h"

enum ap_patch_status {
	AP_PATCH_APPLIED,
	AP_PATCH_ALREADY,
	AP_PATCH_FAILED,
	AP_PATCH_SKIPPED,
	AP_PATCH_UNAPPLIED,
	AP_PATCH_PRESENT,          /* apply: every hunk was in the tree before it */
};

enum ap_file_outcome {
	AP_FILE_APPLIED,
	AP_FILE_ALREADY,
	AP_FILE_FAILED,
};

typedef struct ap_hunk_result {
	ap_placement pl;
	size_t lineno;             /* of the @@ line in the patch */
	long old_start, new_start;
} ap_hunk_result;

typedef struct ap_file_result {
	char *path;                /* the file written (or deleted) */
	char *old_path;            /* rename/copy source, else NULL */
	enum ap_file_op op;
	enum ap_file_outcome outcome;
	char *error;               /* why it failed, beyond the hunks */
	ap_hunk_result *hunks;
	size_t nhunks;
} ap_file_result;

typedef struct ap_patch_result {
	char *name;
	char sha256[AP_SHA256_HEX];
	int strip;
	int selected;
	char *why;                 /* why selected or not */
	enum ap_patch_status status;
	char *reason;              /* one line on a failure or skip */
	ap_file_result *files;
	size_t nfiles;
} ap_patch_result;

typedef struct ap_apply_opts {
	int max_fuzz;
	int trial;         /* undo the patch's edits even when it succeeds */
} ap_apply_opts;

/* Applies p to v, filling r (whose name/sha the caller may have set).
 * Returns 0 whatever the patch's fate (see r->status), -1 on I/O or
 * memory errors (err set). */
int ap_apply_patch(ap_vtree *v, const ap_patch *p, const ap_apply_opts *o, ap_patch_result *r,
		   ap_error *err);

void ap_patch_result_free(ap_patch_result *r);

const char *ap_patch_status_name(enum ap_patch_status s);
const char *ap_file_op_name(enum ap_file_op op);

/* Counts a result's hunks by outcome (array indexed by enum ap_outcome). */
void ap_patch_result_count(const ap_patch_result *r, size_t counts[5]);

#endif
