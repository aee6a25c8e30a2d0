/* drift.h - how a patch series fares against many upstream versions.
 *
 * For every patch x version (x platform, when several are asked for) the
 * series is applied in memory, in order, to the files the patches touch
 * as that version has them (read one by one from a git revision, a
 * tarball or a directory: nothing is checked out or unpacked), and each
 * patch is classified:
 *   applies            every hunk exact
 *   drifted            applies with offsets only
 *   needs-fuzz         applies only with fuzz (tried to report it, never kept)
 *   upstreamed         every hunk already applied, or every line it adds is
 *                      in the touched files once white space and comments
 *                      are set aside (the report names the rule)
 *   partly-upstreamed  some hunks already present, the others not
 *   conflict           none of the above
 * For upstreamed patches in a git repository, the first commit (in the
 * history of the newest revision checked) whose tree contains the patch,
 * and the first tag that contains that commit.
 */
#ifndef AP_DRIFT_H
#define AP_DRIFT_H

#include "apply.h"
#include "error.h"
#include "series.h"
#include "source.h"
#include "vtree.h"

typedef enum ap_drift_status {
	AP_DRIFT_APPLIES,
	AP_DRIFT_DRIFTED,
	AP_DRIFT_NEEDS_FUZZ,
	AP_DRIFT_UPSTREAMED,
	AP_DRIFT_PARTLY,
	AP_DRIFT_CONFLICT,
	AP_DRIFT_SKIPPED,    /* not selected for the column's platform */
	AP_DRIFT_ERROR,      /* the patch does not parse, or a file cannot be read */
} ap_drift_status;

#define AP_DRIFT_RULE_HUNKS "every hunk is already applied"
#define AP_DRIFT_RULE_LINES "every line it adds is present, white space and comments aside"

typedef struct ap_drift_cell {
	ap_drift_status status;
	const char *rule;        /* upstreamed: which rule matched */
	int fuzz;                /* needs-fuzz: the fuzz it needed */
	long max_offset;         /* drifted: the largest |offset| */
	ap_patch_result result;  /* per file and hunk, as placed without fuzz
	                            (with fuzz for needs-fuzz) */
	char *error;
	int expected;            /* upstreamed, partly or conflict where the patch's
	                            Applied-Upstream says upstream has it, or verify
	                            found it not needed there: not a failure */
	char *verify;            /* verify's verdict on this patch and version
	                            (--verify-report, drift_verify.h), or NULL */
} ap_drift_cell;

typedef struct ap_drift_column {
	char *label;             /* "v4.10.2", "gap-4.10.2.tar.gz", a directory */
	char *platform;
	ap_upstream upstream;    /* strings owned by the column */
	char *commit;            /* git: the commit id */
} ap_drift_column;

/* Where one hunk became already applied upstream (and stayed so). */
typedef struct ap_drift_hunk_merge {
	char *file;
	size_t hunk;             /* 1-based, within the file diff */
	char *commit;            /* NULL: not present in the newest revision */
	char *tag;
} ap_drift_hunk_merge;

typedef struct ap_drift_merge {
	char *commit;            /* NULL: not found (or not a git column) */
	char *summary;           /* the commit's first line */
	char *tag;               /* first tag containing it, or NULL */
	/* a patch upstream took in part, or wrote differently: per hunk */
	ap_drift_hunk_merge *hunks;
	size_t nhunks, npresent;
	char *present_commit;    /* from which all npresent hunks are there */
	char *present_tag;
	char *applied_upstream;  /* the patch's DEP-3 Applied-Upstream, or NULL */
} ap_drift_merge;

typedef struct ap_drift {
	char *patches_dir;
	size_t npatches;
	char **names;            /* every entry of the series */
	size_t ncols;
	ap_drift_column *cols;
	ap_drift_cell *cells;    /* cells[p * ncols + c] */
	ap_drift_merge *merges;  /* [npatches] */
	ap_finding *warnings;
	size_t nwarnings, wcap;
} ap_drift;

#define AP_DRIFT_INIT { 0 }

/* Adds a column: u's strings are copied; commit may be NULL. */
int ap_drift_add_column(ap_drift *d, const char *label, const char *platform,
			const ap_upstream *u, const char *commit, ap_error *err);

/* The fuzz drift tries by default, to report needs-fuzz (refresh
 * classifies with at least as much, so both say the same). */
#define AP_DRIFT_FUZZ 2

typedef struct ap_drift_opts {
	const char *patches_dir;
	int find_merges;         /* look for the merging commit of upstreamed patches */
	int max_fuzz;            /* how much fuzz to try, to report it (default 3) */
	int strip;               /* -pN of series lines naming none (set it: 0 is -p0) */
} ap_drift_opts;

/* Fills the matrix for the columns added. Returns -1 only when nothing
 * could be checked (the series cannot be read); per-cell problems are
 * AP_DRIFT_ERROR cells. */
int ap_drift_run(ap_drift *d, const ap_drift_opts *o, ap_error *err);
void ap_drift_free(ap_drift *d);

const char *ap_drift_status_name(ap_drift_status s);

/* --fail-on: which statuses make the run fail. */
typedef enum ap_drift_fail_on { AP_FAIL_ON_CONFLICT, AP_FAIL_ON_DRIFT, AP_FAIL_ON_ANY } ap_drift_fail_on;
int ap_drift_failed(const ap_drift *d, ap_drift_fail_on f);

/* For a range's commits (oldest first, from one repository), marks in
 * change[] (zeroed, commits->n long) the first commit and each commit where
 * some patch's status changes, for any of the platforms (NULL-terminated),
 * by bisection: *looked says how many commits were checked. */
int ap_drift_range_changes(const char *repo, const ap_strlist *commits, const char **platforms,
			   const ap_drift_opts *o, int *change, size_t *looked, ap_error *err);

/* How many cells were checked (neither skipped nor an error of the
 * column): 0 means the run said nothing about the series. */
size_t ap_drift_checked(const ap_drift *d);

/* Classifies one patch against the files in v (the cell's result is
 * filled). With keep, a patch that applies (exactly or with offsets) stays
 * applied in v, so the next patch sees it; otherwise v is left as it was. */
int ap_drift_classify(ap_vtree *v, const ap_patch *p, const ap_drift_opts *o, int keep,
		      ap_drift_cell *cell, ap_error *err);

/* Rule 2's test, exposed for tests: are all lines a file diff adds in
 * text, after removing white space and C/shell-style comments? */
int ap_drift_lines_present(const ap_file_diff *fd, const char *text, size_t len);

#endif
