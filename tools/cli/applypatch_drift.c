/* applypatch_drift.c - applypatch's drift and refresh subcommands: the
 * upstream versions the options name become drift's columns (tags, single
 * revisions, ranges bisected to where something changes, tarballs and
 * directories); the matrix or the refresh result is rendered and the exit
 * status chosen. */
#include "applypatch_cli.h"

#include "drift_report.h"
#include "drift_verify.h"
#include "gitsrc.h"
#include "refresh.h"
#include "refresh_report.h"
#include "series.h"
#include "source.h"
#include "strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One drift run: the columns being added and where notes go. */
typedef struct drift_run {
	const cli_drift_args *da;
	const ap_report_opts *ro;
	const char **platforms;
	ap_drift d;
	ap_drift_opts dopts;
	ap_git *g;
	ap_buf out;
	ap_error err;
} drift_run;

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/* Adds one version as a column per platform. */
static int add_version(drift_run *x, const char *label, const ap_upstream *u, const char *commit)
{
	for (size_t k = 0; x->platforms[k]; k++)
		if (ap_drift_add_column(&x->d, label, x->platforms[k], u, commit, &x->err) < 0)
			return -1;
	return 0;
}

/* Every platform the series names, and the host: a run for one platform
 * that the series excludes would check nothing. */
static int pick_platforms(drift_run *x, const char *platform, const char **one)
{
	ap_series s;
	const char *host;

	x->platforms = one;
	if (platform && strcmp(platform, "all") != 0) {
		one[0] = platform;
		return 0;
	}
	host = ap_platform_detect();
	if (ap_series_load(&s, x->dopts.patches_dir, host ? host : AP_PLATFORM_ANY, &x->err) < 0)
		return -1;
	x->platforms = ap_series_platforms(&s);
	ap_series_free(&s);
	if (!x->platforms) {
		x->platforms = one;
		return ap_error_set(&x->err, "out of memory");
	}
	return 0;
}

static int add_tags(drift_run *x, const char *glob)
{
	ap_strlist tags = { 0 };
	int rc = 0;

	if (ap_git_tags(x->g, glob, &tags, &x->err) < 0)
		return -1;
	if (tags.n == 0)
		fprintf(stderr, "applypatch: warning: no tag of %s matches '%s'\n", x->da->git, glob);
	for (size_t i = 0; rc == 0 && i < tags.n; i++) {
		char oid[AP_OID_HEX];
		ap_upstream u = { AP_UPSTREAM_GIT, x->da->git, NULL };

		rc = ap_git_resolve(x->g, tags.v[i], oid, &x->err);
		u.rev = oid;
		if (rc == 0)
			rc = add_version(x, tags.v[i], &u, oid);
	}
	ap_strlist_free(&tags);
	return rc;
}

/* By default the commits where something changes, bisected; every commit
 * with --all-commits. change[k] says whether commit k is shown. */
static int bisect_range(drift_run *x, const char *range, const ap_strlist *commits, int *change)
{
	size_t looked = 0, nchanges = 0;

	if (ap_drift_range_changes(x->da->git, commits, x->platforms, &x->dopts, change, &looked,
				   &x->err) < 0)
		return -1;
	for (size_t k = 0; k < commits->n; k++)
		nchanges += change[k] != 0;
	if (x->ro->format == AP_FORMAT_TEXT || x->ro->format == AP_FORMAT_MARKDOWN)
		ap_buf_printf(&x->out, "%s: %zu commits, %zu checked (bisected); "
			      "the first and the %zu where a patch's status "
			      "changes are shown (--all-commits for every one)\n\n",
			      range, commits->n, looked, nchanges ? nchanges - 1 : 0);
	else
		fprintf(stderr, "applypatch: %s: %zu commits, %zu checked "
			"(bisected), %zu shown\n", range, commits->n, looked, nchanges);
	return 0;
}

static int add_range(drift_run *x, const char *range)
{
	ap_strlist commits = { 0 };
	int *change = NULL;
	int rc = 0;

	if (ap_git_rev_list(x->g, range, &commits, &x->err) < 0)
		return -1;
	if (!x->da->all_commits) {
		change = calloc(commits.n + 1, sizeof *change);
		if (!change || bisect_range(x, range, &commits, change) < 0)
			rc = -1;
	}
	for (size_t k = 0; rc == 0 && k < commits.n; k++) {
		char label[16];
		ap_upstream u = { AP_UPSTREAM_GIT, x->da->git, NULL };

		if (change && !change[k])
			continue;
		snprintf(label, sizeof label, "%.12s", commits.v[k]);
		u.rev = commits.v[k];
		rc = add_version(x, label, &u, commits.v[k]);
	}
	free(change);
	ap_strlist_free(&commits);
	return rc;
}

/* --git REPO: the tags, then --rev and the operands, each a revision or a
 * range. */
static int add_git(drift_run *x, char **versions, int nversions)
{
	const cli_drift_args *da = x->da;

	if (ap_git_open(&x->g, da->git, &x->err) < 0)
		return -1;
	for (size_t t = 0; t < da->ntags; t++)
		if (add_tags(x, da->tags[t]) < 0)
			return -1;
	for (int i = 0; i < nversions + (int)da->nrevs; i++) {
		ap_upstream u = { AP_UPSTREAM_GIT, da->git, NULL };
		const char *version = i < (int)da->nrevs ? da->revs[i] : versions[i - (int)da->nrevs];
		char oid[AP_OID_HEX];

		if (strstr(version, "..")) {
			if (add_range(x, version) < 0)
				return -1;
			continue;
		}
		if (ap_git_resolve(x->g, version, oid, &x->err) < 0)
			return -1;
		u.rev = oid;
		if (add_version(x, version, &u, oid) < 0)
			return -1;
	}
	return 0;
}

/* Tarballs and directories, each its own column. */
static int add_paths(drift_run *x, char **versions, int nversions)
{
	if (x->da->nrevs)
		return ap_error_set(&x->err, "--rev names a revision of the --git repository; "
				    "give --git REPO");
	for (int i = 0; i < nversions; i++) {
		ap_upstream u;

		if (ap_upstream_local(&u, versions[i], &x->err) < 0)
			return -1;
		if (add_version(x, base_name(versions[i]), &u, NULL) < 0)
			return -1;
	}
	return 0;
}

/* drift --verify-report: verify's verdicts beside the cells. */
static int fold_verify(drift_run *x)
{
	for (size_t k = 0; k < x->da->nverify; k++)
		if (ap_drift_fold_verify(&x->d, x->da->verify_reports[k], &x->err) < 0)
			return -1;
	return 0;
}

/* A CI job that checked nothing must not pass. */
static void nothing_checked(const drift_run *x)
{
	ap_buf names = AP_BUF_INIT;

	for (size_t k = 0; x->platforms[k]; k++)
		ap_buf_printf(&names, "%s%s", k ? ", " : "", x->platforms[k]);
	fprintf(stderr, "applypatch: drift checked nothing: none of the %zu patch%s in %s is "
		"selected for %s; name the platforms with --platform (or --platform all)\n",
		x->d.npatches, x->d.npatches == 1 ? "" : "es", x->dopts.patches_dir,
		names.data ? names.data : "any platform");
	ap_buf_free(&names);
}

/* Adds the columns, runs, renders: 0, 1 (a finding, or nothing checked),
 * 2 (an error, already printed). */
static int drift_columns_run(drift_run *x, const ap_run_opts *o, char **versions, int nversions)
{
	const char *one[2] = { NULL, NULL };
	int rc;

	x->platforms = one;
	if (pick_platforms(x, o->platform, one) < 0)
		return -1;
	if ((x->da->git ? add_git(x, versions, nversions) : add_paths(x, versions, nversions)) < 0)
		rc = -1;
	else if (x->d.ncols == 0) {
		fprintf(stderr, "applypatch: drift needs versions to check: --git REPO with revisions "
			"or --tags GLOB, or tarballs and directories\nTry 'applypatch --help'.\n");
		rc = 2;
	} else if (ap_drift_run(&x->d, &x->dopts, &x->err) < 0 || fold_verify(x) < 0) {
		rc = -1;
	} else {
		ap_drift_report(&x->out, &x->d, x->ro->format, x->ro->color);
		rc = ap_drift_failed(&x->d, x->da->fail_on) ? 1 : 0;
		if (!ap_drift_checked(&x->d)) {
			nothing_checked(x);
			rc = 1;
		}
		if (x->out.len && fwrite(x->out.data, 1, x->out.len, stdout) != x->out.len)
			rc = 2;
	}
	if (x->platforms != one)
		free(x->platforms);
	return rc;
}

int cli_drift(const ap_run_opts *o, const cli_drift_args *da, char **versions, int nversions,
	      const ap_report_opts *ro)
{
	drift_run x;
	char *dir = ap_series_dir(o->patches_dir, o->tree);
	int rc;

	memset(&x, 0, sizeof x);
	x.da = da;
	x.ro = ro;
	x.dopts = (ap_drift_opts){ dir, !da->no_merges, AP_DRIFT_FUZZ, o->strip };
	if (!dir) {
		ap_error_set(&x.err, "out of memory");
		rc = -1;
	} else {
		rc = drift_columns_run(&x, o, versions, nversions);
	}
	if (rc < 0) {
		fprintf(stderr, "applypatch: %s\n", x.err.msg);
		rc = 2;
	}
	ap_buf_free(&x.out);
	ap_git_free(x.g);
	ap_drift_free(&x.d);
	free(dir);
	return rc;
}

int cli_refresh(const ap_run_opts *o, const cli_drift_args *da, char **args, int nargs,
		const ap_report_opts *ro)
{
	ap_refresh_opts ropts;
	ap_refresh_result r;
	ap_error err = AP_ERROR_INIT;
	char *dir = ap_series_dir(o->patches_dir, o->tree);
	char **only;
	ap_buf out = AP_BUF_INIT;
	int rc;

	if (!dir)
		return cli_out_of_memory();
	memset(&ropts, 0, sizeof ropts);
	ropts.patches_dir = dir;
	ropts.max_fuzz = o->max_fuzz;
	ropts.dry_run = o->dry_run;
	ropts.strip = o->strip;
	if (da->git) {
		if (da->nrevs != 1) {
			free(dir);
			return cli_usage_error("refresh --git needs one --rev REV%s", "");
		}
		ropts.upstream.kind = AP_UPSTREAM_GIT;
		ropts.upstream.location = da->git;
		ropts.upstream.rev = da->revs[0];
	} else {
		ap_error ignored = AP_ERROR_INIT;

		if (nargs < 1) {
			free(dir);
			return cli_usage_error("refresh needs the upstream: --git REPO --rev REV, a tarball "
					   "or a directory%s", "");
		}
		/* a path that cannot be stat'ed is read as a tarball, whose reader
		 * says what is wrong with it */
		(void)ap_upstream_local(&ropts.upstream, args[0], &ignored);
		args++;
		nargs--;
	}
	only = calloc((size_t)nargs + 1, sizeof *only);
	for (int i = 0; only && i < nargs; i++)
		only[i] = args[i];
	ropts.only = (const char *const *)only;
	rc = ap_refresh(&ropts, &r, &err);
	free(only);
	if (rc < 0) {
		free(dir);
		fprintf(stderr, "applypatch: %s\n", err.msg);
		return 2;
	}
	ap_refresh_report(&out, &r, ropts.patches_dir, ro->format, ro->color);
	free(dir);
	rc = r.left ? 1 : 0;
	ap_refresh_result_free(&r);
	return cli_emit(&out) < 0 ? 2 : rc;
}
