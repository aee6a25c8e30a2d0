/* upstream - fetch, unpack, prepare and read GAP's upstream sources.
 *
 * The command line only: options in, library calls (source.h,
 * gitsrc.h), messages out, exit status chosen here (0 ok, 1 the operation
 * failed, 2 usage error).
 */
#include "buf.h"
#include "gitsrc.h"
#include "source.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

typedef struct cli {
	const char *tarball, *dir, *git, *rev, *pkgdir, *output, *url, *autogen_log;
	const char *pin_check, *pin_write;
	int full, keep_top, no_autogen, no_progress, quiet;
	long retries, timeout;
	char **args;
	int nargs;
} cli;

/* as the user called it ("tools/upstream"), for advice they can paste */
static const char *progname = "upstream";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "upstream: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'upstream --help'.\n");
	return 2;
}

static int fail(const ap_error *err)
{
	fprintf(stderr, "upstream: %s\n", err->msg);
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

/* The upstream the SOURCE options name; the pinned tarball by default. */
static int pick_upstream(const cli *c, ap_upstream *u)
{
	int forms = !!c->tarball + !!c->dir + !!c->git;

	memset(u, 0, sizeof *u);
	if (forms > 1)
		return usage_error("%s", "give one of --tarball, --dir and --git");
	if (c->rev && !c->git)
		return usage_error("%s", "--rev goes with --git REPO");
	if (c->tarball) {
		u->kind = AP_UPSTREAM_TARBALL;
		u->location = c->tarball;
	} else if (c->dir) {
		u->kind = AP_UPSTREAM_DIR;
		u->location = c->dir;
	} else if (c->git) {
		if (!c->rev)
			return usage_error("%s", "--git REPO needs --rev REV (a tag, branch or commit)");
		u->kind = AP_UPSTREAM_GIT;
		u->location = c->git;
		u->rev = c->rev;
	} else {
		u->kind = AP_UPSTREAM_PINNED;
		u->location = c->pkgdir;
	}
	return 0;
}

/* "sha1 X, md5 Y, cksum Z": the sums a pin gives, with their values */
static char *sums_text(const ap_pin *pin)
{
	ap_buf b = AP_BUF_INIT;
	const char *names[] = { "sha1", "md5", "cksum", "sha256" };
	const char *vals[] = { pin->sha1, pin->md5, pin->cksum, pin->sha256 };

	for (int k = 0; k < 4; k++)
		if (vals[k])
			ap_buf_printf(&b, "%s%s %s", b.len ? ", " : "", names[k], vals[k]);
	return ap_buf_detach(&b, NULL);
}

static void offline_hint(const char *dest, const ap_pin *pin)
{
	char *sums = sums_text(pin);

	fprintf(stderr,
		"\nTo go on without downloading, point at a copy of the upstream instead:\n"
		"  - put the release tarball at %s\n"
		"    (with %s), or\n"
		"  - prepare a tree from a tarball, a directory or a git repository you have:\n"
		"      %s prepare DEST --tarball FILE\n"
		"      %s prepare DEST --dir DIR\n"
		"      %s prepare DEST --git REPO --rev TAG\n"
		"    (for spkg-install, DEST is src/ in the package directory).\n",
		dest, sums ? sums : "the sums in checksums.ini", progname, progname, progname);
	free(sums);
}

static void report_skipped(const cli *c, const ap_unpack_opts *uo)
{
	if (c->quiet || uo->nskipped == 0)
		return;
	printf("skipped %zu package%s under pkg/ that the kernel build does not need "
	       "(--full unpacks them):", uo->nskipped, uo->nskipped == 1 ? "" : "s");
	for (size_t i = 0; i < uo->nskipped; i++) {
		if (i == 12) {
			printf(" ... and %zu more", uo->nskipped - i);
			break;
		}
		printf("%s %s", i ? "," : "", uo->skipped[i]);
	}
	printf("\n");
}

static void human(double v, char *out, size_t sz)
{
	const char *unit[] = { "B", "KiB", "MiB", "GiB" };
	int u = 0;

	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(out, sz, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

/* The download's progress bar, on stderr (only when it is a terminal). */
static void draw_bar(void *ctx, const ap_fetch_progress *p)
{
	char have[32], all[32], rate[32];

	(void)ctx;
	if (p->finished) {
		fputc('\n', stderr);
		return;
	}
	human((double)p->done, have, sizeof have);
	human(p->rate, rate, sizeof rate);
	if (p->total > 0) {
		int width = 30, fill = (int)(width * (double)p->done / (double)p->total);
		char bar[31];

		if (fill > width)
			fill = width;
		human((double)p->total, all, sizeof all);
		memset(bar, '#', (size_t)fill);
		memset(bar + fill, ' ', (size_t)(width - fill));
		bar[width] = '\0';
		fprintf(stderr, "\r  [%s] %3d%%  %s of %s  %s/s ", bar,
			(int)(100 * (double)p->done / (double)p->total), have, all, rate);
	} else {
		fprintf(stderr, "\r  %s  %s/s ", have, rate);
	}
}

static int cmd_fetch(const cli *c)
{
	ap_error err = AP_ERROR_INIT;
	ap_fetch_opts fo = AP_FETCH_OPTS_INIT;
	ap_fetch_result res;
	char *updir = NULL, *dest = NULL, *named = NULL;
	const char *url;
	ap_pin pin;
	int rc = 1;

	if (c->nargs)
		return usage_error("fetch takes no arguments (got '%s')", c->args[0]);
	if (ap_pin_find(&pin, c->pkgdir, &err) < 0)
		return fail(&err);
	updir = ap_printf("%s/upstream", c->pkgdir);
	dest = c->output ? ap_strdup(c->output) : ap_printf("%s/%s", updir, pin.tarball);
	named = ap_pin_sums_named(&pin);
	url = c->url ? c->url : pin.url;
	if (!c->no_progress && !c->quiet && isatty(2))
		fo.progress = draw_bar;
	fo.timeout_s = c->timeout;
	fo.retries = (int)c->retries;
	if (!dest || !updir || !named) {
		fprintf(stderr, "upstream: out of memory\n");
		goto out;
	}
	if (!url && access(dest, F_OK) < 0) {
		fprintf(stderr, "upstream: %s has no upstream_url; give one with --url\n", pin.ini);
		offline_hint(dest, &pin);
		goto out;
	}
	if (!c->output && mkdir(updir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "upstream: cannot create %s: %s\n", updir, strerror(errno));
		goto out;
	}
	if (!c->quiet && access(dest, F_OK) < 0)
		printf("downloading %s\n       into %s\n", url, dest);
	if (ap_fetch_pin(&pin, url, dest, &fo, &res, &err) < 0) {
		fail(&err);
		offline_hint(dest, &pin);
		goto out;
	}
	if (!c->quiet) {
		if (res.reused)
			printf("%s: already there, %s ok\n", dest, named);
		else if (res.resumed_from > 0 && !res.restarted)
			printf("%s: resumed after %lld bytes, %lld more received, %s ok\n", dest,
			       res.resumed_from, res.bytes, named);
		else
			printf("%s: %lld bytes received%s, %s ok\n", dest, res.bytes,
			       res.restarted ? " (the partial file was started over)" : "", named);
	}
	rc = 0;
out:
	ap_pin_free(&pin);
	free(updir);
	free(dest);
	free(named);
	return rc;
}

static void print_pin(const ap_pin *pin)
{
	printf("version=%s\npackage_version=%s\ntarball=%s\n", pin->version, pin->package_version,
	       pin->tarball);
	if (pin->sha1)
		printf("sha1=%s\n", pin->sha1);
	if (pin->md5)
		printf("md5=%s\n", pin->md5);
	if (pin->cksum)
		printf("cksum=%s\n", pin->cksum);
	if (pin->sha256)
		printf("sha256=%s\n", pin->sha256);
	printf("upstream_url=%s\npin=%s\n", pin->url ? pin->url : "", pin->ini);
}

/* pin --check FILE: every sum the pin gives; pin --write FILE: the four
 * sums of FILE into checksums.ini */
static int pin_file(const cli *c, const ap_pin *pin, const char *file, int write)
{
	ap_error err = AP_ERROR_INIT;
	const char *base = strrchr(file, '/');
	char *why = NULL, *named = ap_pin_sums_named(pin);
	ap_sums got;
	int rc = 1;

	base = base ? base + 1 : file;
	if (write && strcmp(base, pin->tarball) != 0) {
		fprintf(stderr, "upstream: %s is not the pinned tarball %s (tarball= in %s with "
			"version %s): set the version first, or rename the file\n", file,
			pin->tarball, pin->ini, pin->version);
		goto out;
	}
	if (ap_sums_file(file, &got, &err) < 0) {
		fail(&err);
		goto out;
	}
	if (write) {
		if (ap_pin_write(pin, &got, &err) < 0) {
			fail(&err);
			goto out;
		}
		if (!c->quiet)
			printf("%s: sha1=%s md5=%s cksum=%s sha256=%s\n", pin->ini, got.sha1, got.md5,
			       got.cksum, got.sha256);
	} else if (!ap_pin_match(pin, &got, &why)) {
		fprintf(stderr, "upstream: %s: %s\n(the sums are from %s)\n", file, why, pin->ini);
		goto out;
	} else if (!c->quiet) {
		printf("%s: %s ok (%s)\n", file, named ? named : "sums", pin->ini);
	}
	rc = 0;
out:
	free(why);
	free(named);
	return rc;
}

static int cmd_pin(const cli *c)
{
	ap_error err = AP_ERROR_INIT;
	ap_pin pin;
	int rc = 0;

	if (c->nargs)
		return usage_error("pin takes no arguments (got '%s')", c->args[0]);
	if (c->pin_check && c->pin_write)
		return usage_error("%s", "give one of --check FILE and --write FILE");
	if (ap_pin_find(&pin, c->pkgdir, &err) < 0)
		return fail(&err);
	if (c->pin_check || c->pin_write)
		rc = pin_file(c, &pin, c->pin_check ? c->pin_check : c->pin_write, !!c->pin_write);
	else
		print_pin(&pin);
	ap_pin_free(&pin);
	return rc;
}

static int cmd_unpack(const cli *c)
{
	ap_error err = AP_ERROR_INIT;
	ap_unpack_opts uo = { 0, 0, NULL, 0 };

	if (c->nargs != 2)
		return usage_error("%s", "usage: upstream unpack TARBALL DEST [--full] [--keep-top]");
	uo.full = c->full;
	uo.strip_top = c->keep_top ? 0 : AP_UNPACK_STRIP_AUTO;
	if (ap_unpack(c->args[0], c->args[1], &uo, &err) < 0)
		return fail(&err);
	if (!c->quiet)
		printf("unpacked %s into %s\n", c->args[0], c->args[1]);
	report_skipped(c, &uo);
	ap_unpack_opts_free(&uo);
	return 0;
}

static void report_missing(const ap_strlist *missing)
{
	if (!missing->n)
		return;
	fprintf(stderr, "upstream: warning: %zu file%s left out: %s blob%s not in this "
		"repository (a shallow or partial clone):\n", missing->n,
		missing->n == 1 ? "" : "s", missing->n == 1 ? "its" : "their",
		missing->n == 1 ? " is" : "s are");
	for (size_t i = 0; i < missing->n; i++)
		fprintf(stderr, "  %s\n", missing->v[i]);
}

static int cmd_prepare(const cli *c)
{
	ap_error err = AP_ERROR_INIT;
	ap_prepare_opts po;
	ap_upstream u;
	char *identity = NULL;
	int rc;

	if (c->nargs != 1)
		return usage_error("%s", "usage: upstream prepare DEST [SOURCE] [--full] [--no-autogen]");
	rc = pick_upstream(c, &u);
	if (rc)
		return rc;
	memset(&po, 0, sizeof po);
	po.unpack.full = c->full;
	po.no_autogen = c->no_autogen;
	po.autogen_log = c->autogen_log;
	if (!c->no_progress && !c->quiet && isatty(2))
		po.fetch.progress = draw_bar;
	po.fetch.timeout_s = c->timeout;
	po.fetch.retries = (int)c->retries;
	if (ap_upstream_prepare(&u, c->args[0], &po, &identity, &err) < 0) {
		fail(&err);
		if (u.kind == AP_UPSTREAM_PINNED) {
			char *tb = NULL;
			ap_error e2 = AP_ERROR_INIT;
			ap_pin pin;

			if (ap_pin_find(&pin, c->pkgdir, &e2) == 0) {
				if (ap_upstream_tarball(&u, &tb, NULL, &e2) == 0 && access(tb, F_OK) < 0)
					offline_hint(tb, &pin);
				ap_pin_free(&pin);
			}
			free(tb);
		}
		ap_prepare_opts_free(&po);
		return 1;
	}
	report_missing(&po.missing);
	if (!c->quiet) {
		printf("prepared %s (%s)%s\n", c->args[0], identity,
		       po.ran_autogen ? ", configure made by ./autogen.sh" : "");
		report_skipped(c, &po.unpack);
	}
	free(identity);
	ap_prepare_opts_free(&po);
	return 0;
}

static int cmd_export(const cli *c)
{
	cli c2 = *c;

	if (c->nargs != 3)
		return usage_error("%s", "usage: upstream export REPO REV DEST [--full]");
	c2.git = c->args[0];
	c2.rev = c->args[1];
	c2.args = c->args + 2;
	c2.nargs = 1;
	c2.no_autogen = 1;
	c2.tarball = c2.dir = NULL;
	return cmd_prepare(&c2);
}

static int cmd_cat(const cli *c)
{
	ap_error err = AP_ERROR_INIT;
	ap_upstream u;
	ap_source *s;
	const char **paths;
	int rc;

	if (c->nargs < 1)
		return usage_error("%s", "usage: upstream cat [SOURCE] PATH...");
	rc = pick_upstream(c, &u);
	if (rc)
		return rc;
	paths = calloc((size_t)c->nargs + 1, sizeof *paths);
	if (!paths)
		return fail(&err);
	for (int i = 0; i < c->nargs; i++)
		paths[i] = c->args[i];
	if (ap_source_open(&s, &u, paths, &err) < 0) {
		free(paths);
		return fail(&err);
	}
	for (int i = 0; i < c->nargs && rc == 0; i++) {
		ap_file_state st;
		char *data = NULL;
		size_t len = 0;

		if (ap_source_read(s, paths[i], &st, &data, &len, &err) < 0) {
			rc = fail(&err);
		} else if (!st.exists) {
			fprintf(stderr, "upstream: %s: no such file in %s\n", paths[i],
				ap_source_label(s));
			rc = 1;
		} else if (st.dir) {
			fprintf(stderr, "upstream: %s: is a directory in %s\n", paths[i],
				ap_source_label(s));
			rc = 1;
		} else if (len && fwrite(data, 1, len, stdout) != len) {
			fprintf(stderr, "upstream: write to standard output failed\n");
			rc = 1;
		}
		free(data);
	}
	ap_source_free(s);
	free(paths);
	return rc;
}

static int cmd_tags(const cli *c)
{
	ap_error err = AP_ERROR_INIT;
	ap_strlist tags = { NULL, 0, 0 };
	ap_git *g;

	if (c->nargs < 1 || c->nargs > 2)
		return usage_error("%s", "usage: upstream tags REPO [GLOB]");
	if (ap_git_open(&g, c->args[0], &err) < 0)
		return fail(&err);
	if (ap_git_tags(g, c->nargs > 1 ? c->args[1] : NULL, &tags, &err) < 0) {
		ap_git_free(g);
		return fail(&err);
	}
	for (size_t i = 0; i < tags.n; i++)
		printf("%s\n", tags.v[i]);
	ap_strlist_free(&tags);
	ap_git_free(g);
	return 0;
}

int main(int argc, char **argv)
{
	cli c;
	const char *cmd;
	int opt;

	memset(&c, 0, sizeof c);
	if (argv[0] && *argv[0])
		progname = argv[0];
	c.pkgdir = ".";
	c.retries = 2;
	c.timeout = 60;
	if (argc < 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	cmd = argv[1];
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
		case 't': c.tarball = optarg; break;
		case 'D': c.dir = optarg; break;
		case 'g': c.git = optarg; break;
		case 'r': c.rev = optarg; break;
		case 'C': c.pkgdir = optarg; break;
		case 'o': c.output = optarg; break;
		case 'q': c.quiet = 1; break;
		case OPT_FULL: c.full = 1; break;
		case OPT_KEEP_TOP: c.keep_top = 1; break;
		case OPT_NO_AUTOGEN: c.no_autogen = 1; break;
		case OPT_AUTOGEN_LOG: c.autogen_log = optarg; break;
		case OPT_URL: c.url = optarg; break;
		case OPT_NO_PROGRESS: c.no_progress = 1; break;
		case OPT_CHECK: c.pin_check = optarg; break;
		case OPT_WRITE: c.pin_write = optarg; break;
		case OPT_RETRIES:
			if (parse_long(optarg, 0, 100, &c.retries) < 0)
				return usage_error("--retries wants a number from 0 to 100, not '%s'",
						   optarg);
			break;
		case OPT_TIMEOUT:
			if (parse_long(optarg, 0, 86400, &c.timeout) < 0)
				return usage_error("--timeout wants seconds (0: none), not '%s'", optarg);
			break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'V': printf("upstream (gap-patchkit) %s\n", VERSION); return 0;
		default: return usage_error("%s", "bad option");
		}
	}
	c.args = argv + optind;
	c.nargs = argc - optind;
	if (strcmp(cmd, "fetch") == 0)
		return cmd_fetch(&c);
	if (strcmp(cmd, "unpack") == 0)
		return cmd_unpack(&c);
	if (strcmp(cmd, "prepare") == 0)
		return cmd_prepare(&c);
	if (strcmp(cmd, "export") == 0)
		return cmd_export(&c);
	if (strcmp(cmd, "cat") == 0)
		return cmd_cat(&c);
	if (strcmp(cmd, "pin") == 0)
		return cmd_pin(&c);
	if (strcmp(cmd, "tags") == 0)
		return cmd_tags(&c);
	return usage_error("unknown command '%s'", cmd);
}
