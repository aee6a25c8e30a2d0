/* applypatch_args.c - applypatch's options: the usage text, the option
 * table, and the checks that make a bad command line exit 2 before
 * anything is read. */
#include "applypatch_cli.h"

#include "series.h"

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
	"  unapply [-d TREE] [--force] [--dry-run] [--format ...]\n"
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
	"  -n, --dry-run          apply: check that the series applies; unapply: show what\n"
	"                         it would restore (edits refused as they would be); write nothing\n"
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

int cli_usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "applypatch: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'applypatch --help'.\n");
	return 2;
}

int cli_out_of_memory(void)
{
	fputs("applypatch: out of memory\n", stderr);
	return 2;
}

int cli_emit(ap_buf *b)
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

int cli_parse(int argc, char **argv, cli_args *a)
{
	ap_run_opts o = AP_RUN_OPTS_INIT;
	ap_report_opts ro = { AP_FORMAT_TEXT, 0, 0, NULL };
	cli_drift_args da = { NULL, { NULL }, 0, { NULL }, 0, AP_FAIL_ON_CONFLICT, 0, 0, { NULL }, 0 };
	const char *format_name = NULL;
	const char *cmd;
	int c;

	if (argc < 2)
		return cli_usage_error("a command is needed (apply, unapply, status, list, lint)%s", "");
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
		return cli_usage_error("unknown command '%s' (apply, unapply, status, list, lint, drift, "
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
				return cli_usage_error("-p (the strip level, as in patch and quilt) needs a "
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
				return cli_usage_error("--fuzz needs a number from 0 to 100, not '%s'", optarg);
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
				return cli_usage_error("too many --tags%s", "");
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
				return cli_usage_error("--fail-on takes conflict, drift or any, not '%s'", optarg);
			break;
		case OPT_NO_MERGES: da.no_merges = 1; break;
		case OPT_ALL_COMMITS: da.all_commits = 1; break;
		case OPT_VERIFY_REPORT:
			if (da.nverify == sizeof da.verify_reports / sizeof *da.verify_reports)
				return cli_usage_error("too many --verify-report%s", "");
			da.verify_reports[da.nverify++] = optarg;
			break;
		case OPT_REV:
			if (da.nrevs == sizeof da.revs / sizeof *da.revs)
				return cli_usage_error("too many --rev%s", "");
			da.revs[da.nrevs++] = optarg;
			break;
		case 'v': ro.verbose = 1; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'V': printf("applypatch (gap-patchkit) %s\n", VERSION); return 0;
		default: return cli_usage_error("bad option%s", "");
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
			return cli_usage_error("unknown platform '%s' (linux, cygwin, darwin, ..., all; "
					   "OS-ARCH as conda writes it: linux-aarch64, osx-arm64)", o.platform);
		ro.color = ro.format == AP_FORMAT_TEXT && use_color();
		goto done;
	}
	if (strcmp(cmd, "refresh") == 0) {
		if (da.nverify)
			return cli_usage_error("--verify-report belongs to drift%s", "");
		if (da.ntags)
			return cli_usage_error("--tags belongs to drift%s", "");
		goto done;
	}
	if (da.git || da.ntags || da.nrevs)
		return cli_usage_error("--git, --rev and --tags belong to drift and refresh%s", "");
	if (da.nverify)
		return cli_usage_error("--verify-report belongs to drift%s", "");
	if (optind < argc)
		return cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (o.platform && !ap_platform_known(o.platform))
		return cli_usage_error("unknown platform '%s' (linux, cygwin, darwin, freebsd, netbsd, "
				   "openbsd, sunos, aix, windows; osx, win; with an architecture as "
				   "conda writes it: linux-aarch64, osx-arm64, win-64)", o.platform);
	ro.color = ro.format == AP_FORMAT_TEXT && use_color();
done:
	a->cmd = cmd;
	a->o = o;
	a->ro = ro;
	a->da = da;
	a->args = argv + optind;
	a->nargs = argc - optind;
	return -1;
}
