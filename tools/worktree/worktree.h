/* worktree.h - apply, unapply and status on a source tree on disk.
 *
 * The series is applied in memory (apply.h); the tree is written only
 * when every selected patch succeeded, through one transaction (txn.h);
 * the state record (state.h) makes a re-run a no-op and unapply exact.
 *
 *   ap_worktree_apply        the selected patches, all or nothing, recorded
 *   ap_worktree_unapply      the originals back, refusing over edits
 *   ap_worktree_status       what is applied and whether the tree still matches
 *   ap_worktree_original(s)  the tree as it was before apply, as a vtree loader
 */
#ifndef AP_WORKTREE_H
#define AP_WORKTREE_H

#include "apply.h"
#include "error.h"
#include "series.h"

typedef struct ap_run_opts {
	const char *tree;          /* default "." */
	const char *patches_dir;   /* default TREE/patches */
	const char *platform;      /* default: the host's */
	int max_fuzz;
	int dry_run;
	int force;                 /* unapply: discard edits made after apply */
	int strip;                 /* -pN for series lines without one (patch's -p) */
	int no_quilt_state;        /* apply: do not keep quilt's .pc/ */
} ap_run_opts;

#define AP_RUN_OPTS_INIT { NULL, NULL, NULL, 0, 0, 0, 1, 0 }

typedef struct ap_run {
	char *tree;
	char *patches_dir;
	char *platform;
	int dry_run;
	ap_patch_result *patches;  /* every series entry, selected or not */
	size_t n;
	ap_finding *warnings;
	size_t nwarnings, wcap;
	char *note;                /* "already applied, nothing to do", recovery... */
	size_t files_written;
	int failed;                /* some selected patch failed: exit 1 */
} ap_run;

/* Returns 0 when the run could be carried out (run->failed tells whether
 * every patch succeeded), -1 on usage or I/O errors (err set). unapply
 * also returns -1, with err->code AP_ERR_EDITED and run->failed set, when
 * files changed after apply and o->force is not set: nothing is changed. */
int ap_worktree_apply(const ap_run_opts *o, ap_run *run, ap_error *err);
int ap_worktree_unapply(const ap_run_opts *o, ap_run *run, ap_error *err);

/* What status found. */
typedef struct ap_status_patch {
	char *name;
	char *status;              /* as recorded */
	char sha256[AP_SHA256_HEX];
	const char *series;        /* unchanged | changed | not-in-series | unknown */
} ap_status_patch;

typedef struct ap_status_file {
	char *path;
	const char *state;         /* clean | modified | missing | reappeared */
} ap_status_file;

typedef struct ap_status {
	char *tree;
	int applied;               /* a state record exists */
	char *platform;
	ap_status_patch *patches;
	size_t npatches;
	ap_status_file *files;
	size_t nfiles;
	char **unapplied;          /* selected in the series but not recorded */
	size_t nunapplied;
	char *note;
	int drift;                 /* something no longer matches: exit 1 */
} ap_status;

int ap_worktree_status(const ap_run_opts *o, ap_status *st, ap_error *err);

void ap_run_free(ap_run *run);
void ap_status_free(ap_status *st);

/* The upstream's bytes of a tree a series was applied to, for a reader
 * that must see the files as they were before (verify's emulation): the
 * original kept by apply for a file the applied series changed, else the
 * tree's own. ap_worktree_original has the signature of an ap_vtree
 * loader, with the ap_originals as its context. */
typedef struct ap_originals ap_originals;
int ap_worktree_originals_open(ap_originals **out, const char *tree, ap_error *err);
int ap_worktree_original(void *originals, const char *path, ap_file_state *st, char **data,
			 size_t *len, ap_error *err);
void ap_worktree_originals_close(ap_originals *o);

#endif
