/* upstream_args.c - upstream's options: the usage text, the option table,
 * and the checks that make a bad command line exit 2. */
#include "upstream_cli.h"
#include "expect.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VERSION "0.1.0"

static const char usage_text[] =
	"usage: upstream COMMAND [OPTIONS]\n"
	"\n"
	"Get GAP's upstream sources: the pinned release tarball, a local tarball, a\n"
	"directory, or a revision of a git repository.\n"
	"\n"
	"commands:\n"
	"  fetch   [-C PKGDIR] [-o FILE] [--url URL] [--retries N] [--timeout SEC]\n"
	"          [--no-progress]\n"
	"                 download the pinned tarball to PKGDIR/upstream/, resuming an\n"
	"                 interrupted download and checking every sum the pin gives\n"
	"  unpack  TARBALL DEST [--full] [--keep-top]\n"
	"                 unpack safely (hostile entries refuse the tarball)\n"
	"  prepare DEST [SOURCE] [--full] [--no-autogen] [--autogen-log FILE]\n"
	"                 a buildable tree of the upstream in DEST (autogen.sh is run\n"
	"                 when the tree has no configure)\n"
	"  export  REPO REV DEST [--full]\n"
	"                 a git revision's tree, without git or a checkout\n"
	"  cat     [SOURCE] PATH...\n"
	"                 print files read one by one from the upstream\n"
	"  pin     [-C PKGDIR] [--check FILE | --write FILE]\n"
	"                 print the pinned version, tarball, sums and URL; check FILE\n"
	"                 against every sum; or write FILE's sha1, md5, cksum and sha256\n"
	"                 into checksums.ini\n"
	"  tags    REPO [GLOB]\n"
	"                 a repository's tags matching GLOB, in version order\n"
	"\n"
	"SOURCE (default: the pinned tarball, downloaded when missing):\n"
	"  -t, --tarball FILE     a local .tar.gz/.tar.bz2/.tar.xz/.tar\n"
	"  -D, --dir DIR          an unpacked tree (copied)\n"
	"  -g, --git REPO         a git repository, with\n"
	"  -r, --rev REV          a tag, branch or commit\n"
	"  -C, --package-dir DIR  the package directory (default: .); its pin is\n"
	"                         checksums.ini and package-version.txt beside\n"
	"                         spkg-install (Sage's layout) or in upstream/, and the\n"
	"                         tarball goes to upstream/\n"
	"\n"
	"options:\n"
	"      --full             all of pkg/ too (default: only the 18 packages Sage\n"
	"                         installs: GAPDoc, primgrp, SmallGrp, transgrp, which\n"
	"                         GAP needs to start, and the 14 it autoloads)\n"
	"      --keep-top         keep the tarball's top directory (unpack)\n"
	"      --max-size SIZE    unpacking a tarball writes at most SIZE (8G; K, M, G,\n"
	"                         T suffixes), else it is refused (unpack, prepare)\n"
	"      --max-entries N    and reads at most N entries (1000000)\n"
	"      --no-autogen       do not run ./autogen.sh (prepare)\n"
	"  -o, --output FILE      where fetch writes (default: PKGDIR/upstream/TARBALL)\n"
	"      --url URL          download from URL instead (a mirror; same sums)  \n"
	"      --retries N        after an interrupted transfer, resume N more times (2)\n"
	"      --timeout SEC      give up when no byte arrives for SEC seconds (60)\n"
	"      --no-progress      no progress bar (default: one when stderr is a terminal)\n"
	"  -q, --quiet            only errors and warnings\n"
	"  -h, --help             this text;   -V, --version   the version\n"
	"\n"
	"exit status: 0 success, 1 the operation failed (download, checksum, refused\n"
	"             tarball, I/O), 2 usage error.\n"
	"See upstream(1).\n";

enum {
	OPT_FULL = 256,
	OPT_KEEP_TOP,
	OPT_NO_AUTOGEN,
	OPT_AUTOGEN_LOG,
	OPT_URL,
	OPT_RETRIES,
	OPT_TIMEOUT,
	OPT_NO_PROGRESS,
	OPT_CHECK,
	OPT_WRITE,
	OPT_MAX_SIZE,
	OPT_MAX_ENTRIES,
};

static const struct option long_opts[] = {
	{ "tarball", required_argument, NULL, 't' },
	{ "dir", required_argument, NULL, 'D' },
	{ "git", required_argument, NULL, 'g' },
	{ "rev", required_argument, NULL, 'r' },
	{ "package-dir", required_argument, NULL, 'C' },
	{ "output", required_argument, NULL, 'o' },
	{ "full", no_argument, NULL, OPT_FULL },
	{ "keep-top", no_argument, NULL, OPT_KEEP_TOP },
	{ "no-autogen", no_argument, NULL, OPT_NO_AUTOGEN },
	{ "autogen-log", required_argument, NULL, OPT_AUTOGEN_LOG },
	{ "url", required_argument, NULL, OPT_URL },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "check", required_argument, NULL, OPT_CHECK },
	{ "write", required_argument, NULL, OPT_WRITE },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "max-entries", required_argument, NULL, OPT_MAX_ENTRIES },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

const char *upstream_progname = "upstream";

int upstream_usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "upstream: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'upstream --help'.\n");
	return 2;
}

int upstream_fail(const ap_error *err)
{
	/* a message may quote an upstream's names: its control bytes (an
	 * escape sequence for the terminal) are shown as \xNN, lines kept */
	fputs("upstream: ", stderr);
	for (const unsigned char *p = (const unsigned char *)err->msg; *p; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			fprintf(stderr, "\\x%02x", *p);
		else
			fputc(*p, stderr);
	}
	fputc('\n', stderr);
	return 1;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int upstream_cli_parse(int argc, char **argv, upstream_cli *c, const char **cmdp)
{
	const char *cmd;
	int opt, help = 0;

	memset(c, 0, sizeof *c);
	if (argv[0] && *argv[0])
		upstream_progname = argv[0];
	c->pkgdir = ".";
	c->retries = 2;
	c->timeout = 60;
	if (argc < 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	*cmdp = cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
		printf("upstream (gap-patchkit) %s\n", VERSION);
		return 0;
	}
	optind = 2;
	while ((opt = getopt_long(argc, argv, "t:D:g:r:C:o:qhV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 't': c->tarball = optarg; break;
		case 'D': c->dir = optarg; break;
		case 'g': c->git = optarg; break;
		case 'r': c->rev = optarg; break;
		case 'C': c->pkgdir = optarg; break;
		case 'o': c->output = optarg; break;
		case 'q': c->quiet = 1; break;
		case OPT_FULL: c->full = 1; break;
		case OPT_KEEP_TOP: c->keep_top = 1; break;
		case OPT_NO_AUTOGEN: c->no_autogen = 1; break;
		case OPT_AUTOGEN_LOG: c->autogen_log = optarg; break;
		case OPT_URL: c->url = optarg; break;
		case OPT_NO_PROGRESS: c->no_progress = 1; break;
		case OPT_CHECK: c->pin_check = optarg; break;
		case OPT_WRITE: c->pin_write = optarg; break;
		case OPT_RETRIES:
			if (parse_long(optarg, 0, 100, &c->retries) < 0)
				return upstream_usage_error("--retries wants a number from 0 to 100, "
							    "not '%s'", optarg);
			break;
		case OPT_TIMEOUT:
			if (parse_long(optarg, 0, 86400, &c->timeout) < 0)
				return upstream_usage_error("--timeout wants seconds (0: none), not '%s'",
							    optarg);
			break;
		case OPT_MAX_SIZE: {
			long long v = ap_size_parse(optarg);
			if (v <= 0)
				return upstream_usage_error("--max-size wants a size above 0 (4096, "
							    "100M, 16G), not '%s'", optarg);
			c->max_size = (unsigned long long)v;
			break;
		}
		case OPT_MAX_ENTRIES: {
			long long v = ap_size_parse(optarg);
			if (v <= 0 || strspn(optarg, "0123456789") != strlen(optarg))
				return upstream_usage_error("--max-entries wants a number above 0, "
							    "not '%s'", optarg);
			c->max_entries = (unsigned long long)v;
			break;
		}
		case 'h': help = 1; break;
		case 'V': printf("upstream (gap-patchkit) %s\n", VERSION); return 0;
		default: return upstream_usage_error("%s", "bad option");
		}
	}
	c->args = argv + optind;
	c->nargs = argc - optind;
	/* "export REPO -h DEST": a script's REV of -h must not pass as success */
	if (help && c->nargs > 0)
		return upstream_usage_error("%s", "-h/--help among other arguments: run "
					    "'upstream --help' alone; an argument that starts "
					    "with '-' goes after '--'");
	if (help) {
		fputs(usage_text, stdout);
		return 0;
	}
	return -1;
}
