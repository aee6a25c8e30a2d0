/* applypatch - apply a platform-conditional patch series to a source tree.
 *
 * The command line only: options in, library calls, report out, exit
 * status chosen here (0 ok, 1 a patch failed or would fail, 2 usage or
 * I/O error).
 */
#include "drift.h"
#include "drift_report.h"
#include "drift_verify.h"
#include "gitsrc.h"
#include "lint.h"
#include "refresh.h"
#include "refresh_report.h"
#include "report.h"
#include "series.h"
#include "worktree.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VERSION "0.1.0"

static const char usage_text[] =
	"usage: applypatch COMMAND [OPTIONS]\n"
	"\n"
	"Apply a quilt-style patch series with platform selectors to a source tree,\n"
	"atomically (all or nothing), idempotently, and reporting every hunk's fate.\n"
	"\n"
	"commands:\n"
	"  apply   [-d TREE] [-p N] [--patches DIR] [--platform NAME] [--fuzz N] [--dry-run]\n"
	"          [--format text|json|junit|github] [--no-quilt-state] [-v]\n"
	"                 apply the series selected for the platform\n"
	"  unapply [-d TREE] [--force] [--format ...]\n"
	"                 restore the files apply changed, byte for byte\n"
	"  status  [-d TREE] [--patches DIR] [--format text|json|junit|github]\n"
	"                 what is applied, and whether tree or series changed since\n"
	"  list    [-p N] [--patches DIR] [--platform NAME] [--format text|json|junit|github]\n"
	"                 the series in order, with why each patch is in or out\n"
	"  drift   [-p N] [--patches DIR] [--platform NAME|all] --git REPO\n"
	"          [REV|REV..REV|--rev REV|--tags GLOB]... [--all-commits]\n"
	"  drift   [-p N] [--patches DIR] [--platform NAME|all] TARBALL|DIR ...\n"
	"          [--format text|json|junit|github|markdown] [--fail-on conflict|drift|any]\n"
	"          [--verify-report FILE]...\n"
	"                 how each patch fares against each upstream version: applies,\n"
	"                 drifted, needs-fuzz, upstreamed, partly-upstreamed, conflict;\n"
	"                 every platform the series names by default; checking nothing\n"
	"                 (no patch selected) exits 1. --verify-report: verify's JSON\n"
	"                 from --no-patches on a version (same name as its column): its\n"
	"                 verdict per patch is shown, and \"not needed upstream\" makes\n"
	"                 a conflict expected (\"conflict; behaviour present upstream\")\n"
	"  refresh [-p N] [--patches DIR] (--git REPO --rev REV | TARBALL | DIR) [PATCH...]\n"
	"          [--fuzz N] [--dry-run] [--format text|json|junit|github]\n"
	"                 rewrite drifted patches so they apply exactly to that version\n"
	"  lint    [--patches DIR] [--format text|json|junit|github]\n"
	"                 check headers (Description, Forwarded/Origin), series and\n"
	"                 selectors, and that each patch parses; one line per finding\n"
	"\n"
	"options:\n"
	"  -d, --directory TREE   the source tree (default: .)\n"
	"  -Q, --patches DIR      the patches directory (default: TREE/patches)\n"
	"  -p, --strip N          strip N leading components from file names, as patch -pN\n"
	"                         (default 1; a series line's own -pN wins)\n"
	"  -P, --platform NAME    linux, cygwin, darwin (osx), windows (win), freebsd, ...,\n"
	"                         optionally OS-ARCH (linux-aarch64, osx-arm64; default:\n"
	"                         from uname)\n"
	"  -F, --fuzz N           allow hunks to match ignoring N context lines (default 0)\n"
	"  -n, --dry-run          check that the series applies; write nothing\n"
	"  -f, --format FMT       text (default), json, junit or github (drift: also\n"
	"                         markdown); another is a usage error (exit 2)\n"
	"      --force            unapply even files edited after apply\n"
	"      --no-quilt-state   apply: do not keep quilt's .pc/ beside applypatch's state\n"
	"  -v, --verbose          show every hunk, not only offsets, fuzz and failures\n"
	"  -h, --help             this text;   -V, --version   the version\n"
	"\n"
	"exit status: 0 success (including 'already applied, nothing to do'),\n"
	"             1 a patch failed or would fail, or the tree no longer matches,\n"
	"             2 usage or I/O error.\n"
	"See applypatch(1) for the series format, selectors and the state record.\n";

enum { OPT_NO_QUILT = 300, OPT_FORCE = 256, OPT_GIT, OPT_TAGS, OPT_FAIL_ON, OPT_NO_MERGES, OPT_REV, OPT_ALL_COMMITS,
       OPT_VERIFY_REPORT = 310 };

static const struct option long_opts[] = {
	{ "directory", required_argument, NULL, 'd' },
	{ "patches", required_argument, NULL, 'Q' },
	{ "strip", required_argument, NULL, 'p' },
	{ "platform", required_argument, NULL, 'P' },
	{ "fuzz", required_argument, NULL, 'F' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "format", required_argument, NULL, 'f' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "no-quilt-state", no_argument, NULL, OPT_NO_QUILT },
	{ "git", required_argument, NULL, OPT_GIT },
	{ "tags", required_argument, NULL, OPT_TAGS },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "no-merges", no_argument, NULL, OPT_NO_MERGES },
	{ "all-commits", no_argument, NULL, OPT_ALL_COMMITS },
	{ "rev", required_argument, NULL, OPT_REV },
	{ "verify-report", required_argument, NULL, OPT_VERIFY_REPORT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* The --format names each command writes; anything else is exit 2, never
 * plain text under a name a CI job asked for. */
static const char *formats_of(const char *cmd)
{
	if (strcmp(cmd, "drift") == 0)
		return "text, json, junit, github, markdown";
	if (strcmp(cmd, "apply") == 0 || strcmp(cmd, "unapply") == 0 || strcmp(cmd, "lint") == 0)
		return "text, json, junit, github";
	return "text, json, junit, github";   /* status, list, refresh */
}

static int format_accepted(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *q = list; (q = strstr(q, name)); q += n)
		if ((q == list || q[-1] == ' ') && (q[n] == ',' || q[n] == '\0'))
			return 1;
	return 0;
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "applypatch: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'applypatch --help'.\n");
	return 2;
}

static int out_of_memory(void)
{
	fputs("applypatch: out of memory\n", stderr);
	return 2;
}

static int emit(ap_buf *b)
{
	if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len) {
		ap_buf_free(b);
		return -1;
	}
	ap_buf_free(b);
	return fflush(stdout) == 0 ? 0 : -1;
}

static int use_color(void)
{
	const char *no = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && !(no && *no);
}

typedef struct drift_args {
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
} drift_args;

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/* Adds one version as a column per platform. */
static int add_version(ap_drift *d, const char **platforms, const char *label,
		       const ap_upstream *u, const char *commit, ap_error *err)
{
	for (size_t k = 0; platforms[k]; k++)
		if (ap_drift_add_column(d, label, platforms[k], u, commit, err) < 0)
			return -1;
	return 0;
}

static int cmd_drift(const ap_run_opts *o, const drift_args *da, char **versions, int nversions,
		     const ap_report_opts *ro)
{
	ap_error err = AP_ERROR_INIT;
	ap_drift d = AP_DRIFT_INIT;
	ap_drift_opts dopts = { NULL, !da->no_merges, AP_DRIFT_FUZZ, o->strip };
	const char *one[2] = { NULL, NULL };
	const char **platforms = one;
	char *dir = ap_series_dir(o->patches_dir, o->tree);
	ap_git *g = NULL;
	ap_buf out = AP_BUF_INIT;
	int rc = 2;

	if (!dir)
		goto oom;
	dopts.patches_dir = dir;
	/* every platform the series names, and the host: a run for one
	 * platform that the series excludes would check nothing */
	if (!o->platform || strcmp(o->platform, "all") == 0) {
		ap_series s;
		const char *host = ap_platform_detect();

		if (ap_series_load(&s, dopts.patches_dir, host ? host : AP_PLATFORM_ANY, &err) < 0)
			goto fail;
		platforms = ap_series_platforms(&s);
		ap_series_free(&s);
		if (!platforms) {
			platforms = one;
			goto oom;
		}
	} else {
		one[0] = o->platform;
	}
	if (da->git) {
		if (ap_git_open(&g, da->git, &err) < 0)
			goto fail;
		for (size_t t = 0; t < da->ntags; t++) {
			ap_strlist tags = { 0 };

			if (ap_git_tags(g, da->tags[t], &tags, &err) < 0)
				goto fail;
			if (tags.n == 0)
				fprintf(stderr, "applypatch: warning: no tag of %s matches '%s'\n", da->git,
					da->tags[t]);
			for (size_t i = 0; i < tags.n; i++) {
				char oid[AP_OID_HEX];
				ap_upstream u = { AP_UPSTREAM_GIT, da->git, NULL };

				if (ap_git_resolve(g, tags.v[i], oid, &err) < 0) {
					ap_strlist_free(&tags);
					goto fail;
				}
				u.rev = oid;
				if (add_version(&d, platforms, tags.v[i], &u, oid, &err) < 0) {
					ap_strlist_free(&tags);
					goto fail;
				}
			}
			ap_strlist_free(&tags);
		}
		for (int i = 0; i < nversions + (int)da->nrevs; i++) {
			ap_upstream u = { AP_UPSTREAM_GIT, da->git, NULL };
			const char *version = i < (int)da->nrevs ? da->revs[i] : versions[i - (int)da->nrevs];

			if (strstr(version, "..")) {
				ap_strlist commits = { 0 };

				int *change = NULL;
				size_t looked = 0, nchanges = 0;

				if (ap_git_rev_list(g, version, &commits, &err) < 0)
					goto fail;
				/* by default the commits where something changes, bisected;
				 * every commit with --all-commits */
				if (!da->all_commits) {
					change = calloc(commits.n + 1, sizeof *change);
					if (!change || ap_drift_range_changes(da->git, &commits, platforms, &dopts,
									      change, &looked, &err) < 0) {
						free(change);
						ap_strlist_free(&commits);
						goto fail;
					}
					for (size_t k = 0; k < commits.n; k++)
						nchanges += change[k] != 0;
					if (ro->format == AP_FORMAT_TEXT || ro->format == AP_FORMAT_MARKDOWN)
						ap_buf_printf(&out, "%s: %zu commits, %zu checked (bisected); "
							      "the first and the %zu where a patch's status "
							      "changes are shown (--all-commits for every one)\n\n",
							      version, commits.n, looked,
							      nchanges ? nchanges - 1 : 0);
					else
						fprintf(stderr, "applypatch: %s: %zu commits, %zu checked "
							"(bisected), %zu shown\n", version, commits.n, looked,
							nchanges);
				}
				for (size_t k = 0; k < commits.n; k++) {
					char label[16];

					if (change && !change[k])
						continue;
					snprintf(label, sizeof label, "%.12s", commits.v[k]);
					u.rev = commits.v[k];
					if (add_version(&d, platforms, label, &u, commits.v[k], &err) < 0) {
						ap_strlist_free(&commits);
						goto fail;
					}
				}
				free(change);
				ap_strlist_free(&commits);
			} else {
				char oid[AP_OID_HEX];

				if (ap_git_resolve(g, version, oid, &err) < 0)
					goto fail;
				u.rev = oid;
				if (add_version(&d, platforms, version, &u, oid, &err) < 0)
					goto fail;
			}
		}
	} else {
		if (da->nrevs) {
			ap_error_set(&err, "--rev names a revision of the --git repository; give --git REPO");
			goto fail;
		}
		for (int i = 0; i < nversions; i++) {
			ap_upstream u;

			if (ap_upstream_local(&u, versions[i], &err) < 0)
				goto fail;
			if (add_version(&d, platforms, base_name(versions[i]), &u, NULL, &err) < 0)
				goto fail;
		}
	}
	if (d.ncols == 0) {
		fprintf(stderr, "applypatch: drift needs versions to check: --git REPO with revisions "
			"or --tags GLOB, or tarballs and directories\nTry 'applypatch --help'.\n");
		goto out;
	}
	if (ap_drift_run(&d, &dopts, &err) < 0)
		goto fail;
	for (size_t k = 0; k < da->nverify; k++)
		if (ap_drift_fold_verify(&d, da->verify_reports[k], &err) < 0)
			goto fail;
	ap_drift_report(&out, &d, ro->format, ro->color);
	rc = ap_drift_failed(&d, da->fail_on) ? 1 : 0;
	if (!ap_drift_checked(&d)) {
		/* a CI job that checked nothing must not pass */
		ap_buf names = AP_BUF_INIT;

		for (size_t k = 0; platforms[k]; k++)
			ap_buf_printf(&names, "%s%s", k ? ", " : "", platforms[k]);
		fprintf(stderr, "applypatch: drift checked nothing: none of the %zu patch%s in %s is "
			"selected for %s; name the platforms with --platform (or --platform all)\n",
			d.npatches, d.npatches == 1 ? "" : "es", dopts.patches_dir,
			names.data ? names.data : "any platform");
		ap_buf_free(&names);
		rc = 1;
	}
	if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len)
		rc = 2;
	goto out;
oom:
	ap_error_set(&err, "out of memory");
fail:
	fprintf(stderr, "applypatch: %s\n", err.msg);
	rc = 2;
out:
	ap_buf_free(&out);
	ap_git_free(g);
	ap_drift_free(&d);
	if (platforms != one)
		free(platforms);
	free(dir);
	return rc;
}

static int cmd_refresh(const ap_run_opts *o, const drift_args *da, char **args, int nargs,
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
		return out_of_memory();
	memset(&ropts, 0, sizeof ropts);
	ropts.patches_dir = dir;
	ropts.max_fuzz = o->max_fuzz;
	ropts.dry_run = o->dry_run;
	ropts.strip = o->strip;
	if (da->git) {
		if (da->nrevs != 1) {
			free(dir);
			return usage_error("refresh --git needs one --rev REV%s", "");
		}
		ropts.upstream.kind = AP_UPSTREAM_GIT;
		ropts.upstream.location = da->git;
		ropts.upstream.rev = da->revs[0];
	} else {
		ap_error ignored = AP_ERROR_INIT;

		if (nargs < 1) {
			free(dir);
			return usage_error("refresh needs the upstream: --git REPO --rev REV, a tarball "
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
	return emit(&out) < 0 ? 2 : rc;
}

int main(int argc, char **argv)
{
	ap_run_opts o = AP_RUN_OPTS_INIT;
	ap_report_opts ro = { AP_FORMAT_TEXT, 0, 0, NULL };
	ap_error err = AP_ERROR_INIT;
	ap_buf out = AP_BUF_INIT;
	drift_args da = { NULL, { NULL }, 0, { NULL }, 0, AP_FAIL_ON_CONFLICT, 0, 0, { NULL }, 0 };
	const char *format_name = NULL;
	const char *cmd;
	int c, rc;

	if (argc < 2)
		return usage_error("a command is needed (apply, unapply, status, list, lint)%s", "");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("applypatch (gap-patchkit) %s\n", VERSION);
		return 0;
	}
	cmd = argv[1];
	if (strcmp(cmd, "apply") && strcmp(cmd, "unapply") && strcmp(cmd, "status") &&
	    strcmp(cmd, "list") && strcmp(cmd, "lint") && strcmp(cmd, "drift") &&
	    strcmp(cmd, "refresh"))
		return usage_error("unknown command '%s' (apply, unapply, status, list, lint, drift, "
				   "refresh)", cmd);
	optind = 2;
	while ((c = getopt_long(argc, argv, "d:p:Q:P:F:nf:vhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'd': o.tree = optarg; break;
		case 'Q': o.patches_dir = optarg; break;
		case 'p': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (!*optarg || *end || v < 0 || v > 99)
				return usage_error("-p (the strip level, as in patch and quilt) needs a "
						   "number from 0 to 99, not '%s'; the patches directory "
						   "is --patches DIR (or -Q DIR)", optarg);
			o.strip = (int)v;
			break;
		}
		case 'P': o.platform = optarg; break;
		case 'F': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v < 0 || v > 100)
				return usage_error("--fuzz needs a number from 0 to 100, not '%s'", optarg);
			o.max_fuzz = (int)v;
			break;
		}
		case 'n': o.dry_run = 1; break;
		case 'f':
			format_name = optarg;
			break;
		case OPT_FORCE: o.force = 1; break;
		case OPT_NO_QUILT: o.no_quilt_state = 1; break;
		case OPT_GIT: da.git = optarg; break;
		case OPT_TAGS:
			if (da.ntags == sizeof da.tags / sizeof *da.tags)
				return usage_error("too many --tags%s", "");
			da.tags[da.ntags++] = optarg;
			break;
		case OPT_FAIL_ON:
			if (strcmp(optarg, "conflict") == 0)
				da.fail_on = AP_FAIL_ON_CONFLICT;
			else if (strcmp(optarg, "drift") == 0)
				da.fail_on = AP_FAIL_ON_DRIFT;
			else if (strcmp(optarg, "any") == 0)
				da.fail_on = AP_FAIL_ON_ANY;
			else
				return usage_error("--fail-on takes conflict, drift or any, not '%s'", optarg);
			break;
		case OPT_NO_MERGES: da.no_merges = 1; break;
		case OPT_ALL_COMMITS: da.all_commits = 1; break;
		case OPT_VERIFY_REPORT:
			if (da.nverify == sizeof da.verify_reports / sizeof *da.verify_reports)
				return usage_error("too many --verify-report%s", "");
			da.verify_reports[da.nverify++] = optarg;
			break;
		case OPT_REV:
			if (da.nrevs == sizeof da.revs / sizeof *da.revs)
				return usage_error("too many --rev%s", "");
			da.revs[da.nrevs++] = optarg;
			break;
		case 'v': ro.verbose = 1; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'V': printf("applypatch (gap-patchkit) %s\n", VERSION); return 0;
		default: return usage_error("bad option%s", "");
		}
	}
	if (format_name) {
		const char *accepted = formats_of(cmd);

		if (ap_format_parse(format_name, &ro.format) < 0 || !format_accepted(accepted, format_name)) {
			fprintf(stderr, "applypatch: unknown format '%s' for %s (it writes: %s)\n"
				"Try 'applypatch --help'.\n", format_name, cmd, accepted);
			return 2;
		}
	}
	if (strcmp(cmd, "drift") == 0) {
		if (o.platform && strcmp(o.platform, "all") != 0 && !ap_platform_known(o.platform))
			return usage_error("unknown platform '%s' (linux, cygwin, darwin, ..., all; "
					   "OS-ARCH as conda writes it: linux-aarch64, osx-arm64)", o.platform);
		ro.color = ro.format == AP_FORMAT_TEXT && use_color();
		return cmd_drift(&o, &da, argv + optind, argc - optind, &ro);
	}
	if (strcmp(cmd, "refresh") == 0) {
		if (da.nverify)
			return usage_error("--verify-report belongs to drift%s", "");
		if (da.ntags)
			return usage_error("--tags belongs to drift%s", "");
		return cmd_refresh(&o, &da, argv + optind, argc - optind, &ro);
	}
	if (da.git || da.ntags || da.nrevs)
		return usage_error("--git, --rev and --tags belong to drift and refresh%s", "");
	if (da.nverify)
		return usage_error("--verify-report belongs to drift%s", "");
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (o.platform && !ap_platform_known(o.platform))
		return usage_error("unknown platform '%s' (linux, cygwin, darwin, freebsd, netbsd, "
				   "openbsd, sunos, aix, windows; osx, win; with an architecture as "
				   "conda writes it: linux-aarch64, osx-arm64, win-64)", o.platform);
	ro.color = ro.format == AP_FORMAT_TEXT && use_color();

	if (strcmp(cmd, "lint") == 0) {
		ap_lint l;
		char *dir = ap_series_dir(o.patches_dir, o.tree);

		if (!dir)
			return out_of_memory();
		rc = ap_lint_run(&l, dir, &err);
		free(dir);
		if (rc < 0) {
			fprintf(stderr, "applypatch: %s\n", err.msg);
			return 2;
		}
		ap_report_lint(&out, &l, ro.format);
		rc = l.n ? 1 : 0;
		ap_lint_free(&l);
		return emit(&out) < 0 ? 2 : rc;
	}
	if (strcmp(cmd, "list") == 0) {
		ap_series s;
		char *dir = ap_series_dir(o.patches_dir, o.tree);
		const char *platform;

		if (!dir)
			return out_of_memory();
		rc = ap_platform_resolve(o.platform, &platform, &err);
		if (rc == 0)
			rc = ap_series_load(&s, dir, platform, &err);
		free(dir);
		if (rc < 0) {
			fprintf(stderr, "applypatch: %s\n", err.msg);
			return 2;
		}
		ap_series_default_strip(&s, o.strip);
		ap_report_list(&out, &s, &ro);
		ap_series_free(&s);
		return emit(&out) < 0 ? 2 : 0;
	}
	if (strcmp(cmd, "status") == 0) {
		ap_status st;

		if (ap_worktree_status(&o, &st, &err) < 0) {
			ap_status_free(&st);
			fprintf(stderr, "applypatch: %s\n", err.msg);
			return 2;
		}
		ap_report_status(&out, &st, &ro);
		rc = st.drift ? 1 : 0;
		ap_status_free(&st);
		return emit(&out) < 0 ? 2 : rc;
	}

	{
		ap_run run;

		ro.command = strcmp(cmd, "apply") ? "unapply" : o.dry_run ? "apply --dry-run" : "apply";
		rc = strcmp(cmd, "apply") == 0 ? ap_worktree_apply(&o, &run, &err)
					       : ap_worktree_unapply(&o, &run, &err);
		if (rc < 0) {
			fprintf(stderr, "applypatch: %s\n", err.msg);
			ap_run_free(&run);
			return rc == -2 ? 1 : 2;
		}
		ap_report_run(&out, &run, &ro);
		rc = run.failed ? 1 : 0;
		ap_run_free(&run);
		return emit(&out) < 0 ? 2 : rc;
	}
}
