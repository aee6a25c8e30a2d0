/* verify_args.c - verify's options: the usage text, the option table, and
 * parsing argv into a verify_cli (see verify_cli.h). */
#include "verify_cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VERSION "0.1.0"

static const char usage_text[] =
	"usage: verify [--upstream TARBALL|DIR | --upstream-git REPO --rev REV]\n"
	"              [--patches DIR] [--no-patches] [--platform linux|cygwin|all]\n"
	"              [--attribute [--fail-on unneeded]] [--expect FILE]\n"
	"              [--build-dir DIR] [--jobs N] [--format text|json|junit]\n"
	"       verify --probe GAP_BINARY [--platform NAME] [--expect FILE] [--format ...]\n"
	"       verify --noise [SAMPLES]\n"
	"\n"
	"Build GAP with the patch series for each target platform and check, against\n"
	"the expectations file, how it maps its memory pool: the mmap flags and size\n"
	"(traced with ptrace), the kernel's VmFlags of the mapping, the commit charge\n"
	"it adds, the default pool size, and the commit charge of forking GAP.\n"
	"\n"
	"options:\n"
	"  -u, --upstream PATH     a GAP source tarball or directory (default: the\n"
	"                          pinned release, ./upstream/checksums.ini)\n"
	"      --upstream-git REPO --rev REV\n"
	"                          a revision of a git repository (autogen.sh is run)\n"
	"  -p, --patches DIR       the patch series (default: ./patches if present)\n"
	"      --no-patches        build the upstream as it is; the series (--patches\n"
	"                          or ./patches) only picks the units emulated; with\n"
	"                          PATCHES/attribution, each patch is judged: \"not\n"
	"                          needed upstream\" when all its checks pass here\n"
	"      --attribute         then build once per patch with that patch left out\n"
	"                          and report the checks that fail without it\n"
	"                          (\"needed\", or \"unneeded\"); writes PATCHES/attribution\n"
	"      --fail-on unneeded  exit 1 when a patch is needed for no check\n"
	"  -P, --platform NAME     linux, cygwin or all (default: all = the host natively\n"
	"                          and Cygwin emulated on Linux)\n"
	"  -e, --expect FILE       the expectations (default: ./expectations.conf)\n"
	"  -b, --build-dir DIR     where builds and logs go (default: ./build-gap)\n"
	"  -j, --jobs N            make -jN (default: the number of cores)\n"
	"  -f, --format FMT        text (default), json or junit\n"
	"      --probe BINARY      check an installed GAP without building\n"
	"      --gap-root DIR      pass -l DIR to GAP (it is not needed to map the pool)\n"
	"      --configure-arg ARG pass ARG to ./configure (repeatable)\n"
	"      --force             rebuild even when the inputs are unchanged\n"
	"      --trace FILE        record the pool run's system calls in FILE\n"
	"      --noise [N]         sample Committed_AS N times (default 200) and print\n"
	"                          how much it moves, for setting commit.noise\n"
	"  -q, --quiet             no progress display\n"
	"  -h, --help              this text;   -V, --version   the version\n"
	"\n"
	"exit status: 0 every expectation holds; 1 one does not, or an emulation is\n"
	"             incomplete, or (--fail-on unneeded) a patch is unneeded;\n"
	"             2 verify could not run (usage, build, probe);\n"
	"             129/130/143 interrupted (SIGHUP/INT/TERM), its staging removed.\n"
	"See verify(1) for the expectations file format and the checks.\n";

enum {
	OPT_UPSTREAM_GIT = 256,
	OPT_REV,
	OPT_PROBE,
	OPT_GAP_ROOT,
	OPT_CONFIGURE_ARG,
	OPT_FORCE,
	OPT_TRACE,
	OPT_NOISE,
	OPT_NO_PATCHES,
	OPT_ATTRIBUTE,
	OPT_FAIL_ON,
};

static const struct option long_opts[] = {
	{ "upstream", required_argument, NULL, 'u' },
	{ "upstream-git", required_argument, NULL, OPT_UPSTREAM_GIT },
	{ "rev", required_argument, NULL, OPT_REV },
	{ "patches", required_argument, NULL, 'p' },
	{ "platform", required_argument, NULL, 'P' },
	{ "expect", required_argument, NULL, 'e' },
	{ "build-dir", required_argument, NULL, 'b' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "format", required_argument, NULL, 'f' },
	{ "probe", required_argument, NULL, OPT_PROBE },
	{ "gap-root", required_argument, NULL, OPT_GAP_ROOT },
	{ "configure-arg", required_argument, NULL, OPT_CONFIGURE_ARG },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "noise", optional_argument, NULL, OPT_NOISE },
	{ "no-patches", no_argument, NULL, OPT_NO_PATCHES },
	{ "attribute", no_argument, NULL, OPT_ATTRIBUTE },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int verify_usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "verify: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'verify --help'.\n");
	return 2;
}

const char *verify_default_expect(char *buf, size_t n)
{
	if (access("expectations.conf", R_OK) == 0)
		return "expectations.conf";
	/* beside a checkout's tools/verify, or BUILD/bin/verify */
	char self[PATH_MAX];
	ssize_t l = readlink("/proc/self/exe", self, sizeof self - 1);
	if (l > 0) {
		self[l] = '\0';
		static const char *ups[] = { "/../expectations.conf", "/../../expectations.conf",
					     "/../share/gap-patchkit/expectations.conf" };
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			for (size_t i = 0; i < sizeof(ups) / sizeof(ups[0]); i++) {
				snprintf(buf, n, "%s%s", self, ups[i]);
				if (access(buf, R_OK) == 0)
					return buf;
			}
		}
	}
	return NULL;
}

int verify_cli_parse(int argc, char **argv, verify_cli *c)
{
	memset(c, 0, sizeof *c);
	c->format = AP_FORMAT_TEXT;
	c->noise_samples = 200;
	int opt;
	while ((opt = getopt_long(argc, argv, "u:p:P:e:b:j:f:qhV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'u': c->vo.upstream = optarg; break;
		case OPT_UPSTREAM_GIT: c->vo.git = optarg; break;
		case OPT_REV: c->vo.rev = optarg; break;
		case 'p': c->vo.patches_dir = optarg; break;
		case 'P': c->vo.platform = optarg; break;
		case 'e': c->expect_path = optarg; break;
		case 'b': c->vo.build_dir = optarg; break;
		case 'j': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 1024)
				return verify_usage_error("--jobs: '%s' is not a number of jobs", optarg);
			c->vo.jobs = (int)n;
			break;
		}
		case 'f':
			if (ap_format_parse(optarg, &c->format) < 0 ||
			    (c->format != AP_FORMAT_TEXT && c->format != AP_FORMAT_JSON &&
			     c->format != AP_FORMAT_JUNIT))
				return verify_usage_error("--format: '%s': use text, json or junit", optarg);
			break;
		case OPT_PROBE: c->vo.probe = optarg; break;
		case OPT_GAP_ROOT: c->vo.gap_root = optarg; break;
		case OPT_CONFIGURE_ARG:
			if (c->nconfigure >= 31)
				return verify_usage_error("too many --configure-arg");
			c->configure_args[c->nconfigure++] = optarg;
			break;
		case OPT_FORCE: c->vo.force = 1; break;
		case OPT_NO_PATCHES: c->vo.no_patches = 1; break;
		case OPT_ATTRIBUTE: c->vo.attribute = 1; break;
		case OPT_FAIL_ON:
			if (strcmp(optarg, "unneeded") != 0)
				return verify_usage_error("--fail-on: '%s': the one failure to choose is "
						   "unneeded", optarg);
			c->fail_on_unneeded = 1;
			break;
		case OPT_TRACE: c->vo.trace = optarg; break;
		case OPT_NOISE:
			c->noise = 1;
			if (!optarg && optind < argc && argv[optind][0] >= '0' &&
			    argv[optind][0] <= '9')
				optarg = argv[optind++];
			if (optarg) {
				char *end;
				long n = strtol(optarg, &end, 10);
				if (*end || n < 2 || n > 1000000)
					return verify_usage_error("--noise: '%s' is not a number of samples",
							   optarg);
				c->noise_samples = (int)n;
			}
			break;
		case 'q': c->quiet = 1; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'V': printf("verify (gap-patchkit) %s\n", VERSION); return 0;
		default: return verify_usage_error("unknown option");
		}
	}
	if (optind < argc)
		return verify_usage_error("unexpected argument '%s'", argv[optind]);
	return -1;
}
