/* applypatch_cli.h - the applypatch command line's own helpers.
 *
 *   cli_parse        argv to options (exit status when it is decided there)
 *   cli_usage_error  "applypatch: ...", "Try 'applypatch --help'", 2
 *   cli_emit         write a report buffer to stdout
 *   cli_drift        the drift subcommand: versions in, matrix out
 *   cli_refresh      the refresh subcommand: rewrite, then say what changed
 *
 * Not the library: these print and choose exit statuses (0 ok, 1 a
 * finding, 2 usage or I/O error); tools/applypatch.c calls them.
 */
#ifndef AP_APPLYPATCH_CLI_H
#define AP_APPLYPATCH_CLI_H

#include "buf.h"
#include "drift.h"
#include "report.h"
#include "worktree.h"

/* drift and refresh: the upstream versions named by options */
typedef struct cli_drift_args {
	const char *git;
	const char *revs[64];
	size_t nrevs;
	const char *tags[64];
	size_t ntags;
	ap_drift_fail_on fail_on;
	int no_merges;
	int all_commits;
	const char *verify_reports[16];  /* drift --verify-report */
	size_t nverify;
} cli_drift_args;

typedef struct cli_args {
	const char *cmd;           /* apply, unapply, status, list, lint, drift, refresh */
	ap_run_opts o;
	ap_report_opts ro;
	cli_drift_args da;
	char **args;               /* the operands after the options */
	int nargs;
} cli_args;

/* -1 when a has a command to run; else the exit status (help, version,
 * or a usage error already printed). */
int cli_parse(int argc, char **argv, cli_args *a);
int cli_usage_error(const char *fmt, const char *arg);
int cli_out_of_memory(void);
/* 0, or -1 when stdout could not be written; frees b. */
int cli_emit(ap_buf *b);

int cli_drift(const ap_run_opts *o, const cli_drift_args *da, char **versions, int nversions,
	      const ap_report_opts *ro);
int cli_refresh(const ap_run_opts *o, const cli_drift_args *da, char **args, int nargs,
		const ap_report_opts *ro);

#endif
