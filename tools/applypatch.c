/* applypatch - apply a platform-conditional patch series to a source tree.
 *
 * The command line only: options in (cli/applypatch_args.c), one library
 * call per command, report out, exit status chosen here (0 ok, 1 a patch
 * failed or would fail, 2 usage or I/O error). drift and refresh, which
 * turn options into many upstream versions, are in cli/applypatch_drift.c.
 */
#include "applypatch_cli.h"
#include "lint.h"
#include "series.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failed(const ap_error *err)
{
	fprintf(stderr, "applypatch: %s\n", err->msg);
	return 2;
}

static int cmd_lint(const ap_run_opts *o, const ap_report_opts *ro)
{
	ap_error err = AP_ERROR_INIT;
	ap_buf out = AP_BUF_INIT;
	ap_lint l;
	char *dir = ap_series_dir(o->patches_dir, o->tree);
	int rc;

	if (!dir)
		return cli_out_of_memory();
	rc = ap_lint_run(&l, dir, &err);
	free(dir);
	if (rc < 0)
		return failed(&err);
	ap_report_lint(&out, &l, ro->format);
	rc = l.n ? 1 : 0;
	ap_lint_free(&l);
	return cli_emit(&out) < 0 ? 2 : rc;
}

static int cmd_list(const ap_run_opts *o, const ap_report_opts *ro)
{
	ap_error err = AP_ERROR_INIT;
	ap_buf out = AP_BUF_INIT;
	ap_series s;
	char *dir = ap_series_dir(o->patches_dir, o->tree);
	const char *platform;
	int rc;

	if (!dir)
		return cli_out_of_memory();
	rc = ap_platform_resolve(o->platform, &platform, &err);
	if (rc == 0)
		rc = ap_series_load(&s, dir, platform, &err);
	free(dir);
	if (rc < 0)
		return failed(&err);
	ap_series_default_strip(&s, o->strip);
	ap_report_list(&out, &s, ro);
	ap_series_free(&s);
	return cli_emit(&out) < 0 ? 2 : 0;
}

static int cmd_status(const ap_run_opts *o, const ap_report_opts *ro)
{
	ap_error err = AP_ERROR_INIT;
	ap_buf out = AP_BUF_INIT;
	ap_status st;
	int rc;

	if (ap_worktree_status(o, &st, &err) < 0) {
		ap_status_free(&st);
		return failed(&err);
	}
	ap_report_status(&out, &st, ro);
	rc = st.drift ? 1 : 0;
	ap_status_free(&st);
	return cli_emit(&out) < 0 ? 2 : rc;
}

/* apply and unapply */
static int cmd_run(const char *cmd, const ap_run_opts *o, ap_report_opts *ro)
{
	ap_error err = AP_ERROR_INIT;
	ap_buf out = AP_BUF_INIT;
	ap_run run;
	int rc;

	if (strcmp(cmd, "apply") == 0)
		ro->command = o->dry_run ? "apply --dry-run" : "apply";
	else
		ro->command = o->dry_run ? "unapply --dry-run" : "unapply";
	rc = strcmp(cmd, "apply") == 0 ? ap_worktree_apply(o, &run, &err)
				       : ap_worktree_unapply(o, &run, &err);
	if (rc < 0) {
		fprintf(stderr, "applypatch: %s\n", err.msg);
		ap_run_free(&run);
		return err.code == AP_ERR_EDITED ? 1 : 2;
	}
	ap_report_run(&out, &run, ro);
	rc = run.failed ? 1 : 0;
	ap_run_free(&run);
	return cli_emit(&out) < 0 ? 2 : rc;
}

int main(int argc, char **argv)
{
	cli_args a;
	int rc = cli_parse(argc, argv, &a);

	if (rc >= 0)
		return rc;
	if (strcmp(a.cmd, "drift") == 0)
		return cli_drift(&a.o, &a.da, a.args, a.nargs, &a.ro);
	if (strcmp(a.cmd, "refresh") == 0)
		return cli_refresh(&a.o, &a.da, a.args, a.nargs, &a.ro);
	if (strcmp(a.cmd, "lint") == 0)
		return cmd_lint(&a.o, &a.ro);
	if (strcmp(a.cmd, "list") == 0)
		return cmd_list(&a.o, &a.ro);
	if (strcmp(a.cmd, "status") == 0)
		return cmd_status(&a.o, &a.ro);
	return cmd_run(a.cmd, &a.o, &a.ro);
}
