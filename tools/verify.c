/* verify - build the patched GAP and check how it maps its memory pool.
 *
 * The command line only: options in, library calls (build.h, probe.h,
 * expect.h), the report out, and the exit status chosen here: 0 every
 * expectation holds, 1 one does not (or an emulation is incomplete), 2
 * verify itself could not run (usage, build or probe failure).
 */
#include "build.h"
#include "expect.h"
#include "probe.h"
#include "report.h"
#include "series.h"
#include "source.h"

#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define VERSION "0.1.0"
#define CYGWIN_MACRO "SYS_IS_CYGWIN32"

static const char usage_text[] =
	"usage: verify [--upstream TARBALL|DIR | --upstream-git REPO --rev REV]\n"
	"              [--patches DIR] [--platform linux|cygwin|all] [--expect FILE]\n"
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
	"      --no-patches        build the upstream as it is (expect it to fail)\n"
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
	"             incomplete; 2 verify could not run (usage, build, probe).\n"
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
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

typedef struct cli {
	const char *upstream, *git, *rev, *patches, *platform, *expect_path, *build_dir;
	const char *probe, *gap_root, *trace;
	const char *configure_args[32];
	int nconfigure;
	int jobs, force, quiet, noise, noise_samples, no_patches;
	ap_format format;
	int tty;
	size_t progress_width;   /* of the last progress line drawn */
} cli;

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "verify: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'verify --help'.\n");
	return 2;
}

/* --- progress ------------------------------------------------------------------ */

static void progress(void *ctx, const char *target, const char *phase, size_t done,
		     size_t total, const char *line)
{
	cli *c = ctx;
	static char last_phase[64];
	if (c->quiet)
		return;
	if (!c->tty) {
		/* a log reader wants the steps, not every line */
		char key[64];
		snprintf(key, sizeof(key), "%s/%s", target, phase);
		if (strcmp(key, last_phase) != 0) {
			fprintf(stderr, "verify: %s: %s\n", target, phase);
			snprintf(last_phase, sizeof(last_phase), "%s", key);
		}
		return;
	}
	struct winsize ws;
	size_t width = 80;
	if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		width = ws.ws_col;
	char head[128];
	if (total)
		snprintf(head, sizeof(head), "[%s] %s %zu/%zu ", target, phase, done, total);
	else
		snprintf(head, sizeof(head), "[%s] %s ", target, phase);
	char out[1024];
	snprintf(out, sizeof(out), "%s%s", head, line ? line : "");
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	if (strlen(out) > width - 1)
		out[width - 1] = '\0';
	fprintf(stderr, "\r%s\033[K", out);
	c->progress_width = strlen(out);
	fflush(stderr);
}

static void progress_clear(cli *c)
{
	if (c->tty && c->progress_width && !c->quiet) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		c->progress_width = 0;
	}
}

/* --- probing a binary -------------------------------------------------------------- */

static int probe_target(cli *c, const ap_expect *ex, ap_target *t, const char *binary,
			const char *cwd, const char *libgap_driver)
{
	ap_expect_settings s;
	ap_probe_result pool_run, default_run, libgap_run;
	ap_error err = AP_ERROR_INIT;
	const char *root_args[3] = { NULL, NULL, NULL };
	int have_pool = 0, have_default = 0, have_libgap = 0;

	memset(&pool_run, 0, sizeof(pool_run));
	memset(&default_run, 0, sizeof(default_run));
	memset(&libgap_run, 0, sizeof(libgap_run));
	if (ap_expect_settings_for(ex, t->platform, t->mode, &s, &err) < 0) {
		t->error = ap_strdup(err.msg);
		return -1;
	}
	if (c->gap_root) {
		root_args[0] = "-l";
		root_args[1] = c->gap_root;
	} else if (s.fork_at_library && cwd) {
		/* a built target's library is its tree (the emulated binary and
		 * the libgap driver live elsewhere and would not find it) */
		root_args[0] = "-l";
		root_args[1] = cwd;
	}
	if (!c->quiet && c->tty)
		progress(c, t->platform, "probe", 0, 0, binary);
	else if (!c->quiet)
		fprintf(stderr, "verify: %s: probe %s\n", t->platform, binary);

	ap_probe_opts o = AP_PROBE_OPTS_INIT;
	o.binary = binary;
	o.args = root_args;
	o.pool = s.pool;
	o.forks = s.forks;
	o.until_lookup = s.fork_at_library;
	o.cwd = cwd;
	o.trace_log = c->trace;
	int runs = 0;
	for (;;) {
		if (ap_probe_run(&o, &pool_run, &err) < 0) {
			runs = 0;
			break;
		}
		runs++;
		/* The kernel says whether the mapping is accounted (VmFlags ac): a
		 * commit reading far from what that implies had another process's
		 * allocation in its window (a parallel build, another probe's
		 * forks). Measure again, twice at most, and say so. */
		long long got = (pool_run.commit_after_kb - pool_run.commit_before_kb) * 1024;
		long long want = pool_run.vma_found && ap_vmflags_has(pool_run.vma.vmflags, "ac")
					 ? (long long)pool_run.pool.len : 0;
		long long off = got > want ? got - want : want - got;
		if (!pool_run.pool_found || !pool_run.vma_found || pool_run.commit_before_kb <= 0 ||
		    pool_run.commit_after_kb <= 0 || off <= s.noise_bytes || runs == 3)
			break;
		ap_target_note(t, "pool run %d: Committed_AS moved by %+lld kB across the pool mmap, "
			       "%lld kB away from what its VmFlags (%s) imply: measured again", runs,
			       got / 1024, off / 1024, pool_run.vma.vmflags);
		ap_probe_result_free(&pool_run);
	}
	if (runs == 0) {
		t->error = ap_printf("probe failed (%s -q -s %s): %s", binary, s.pool, err.msg);
	} else {
		have_pool = 1;
		ap_probe_opts d = AP_PROBE_OPTS_INIT;
		d.binary = binary;
		d.args = root_args;
		d.cwd = cwd;
		if (ap_probe_run(&d, &default_run, &err) < 0)
			t->error = ap_printf("probe failed (%s -q): %s", binary, err.msg);
		else
			have_default = 1;
	}
	if (have_pool) {
		t->pool_command = ap_strdup(pool_run.command);
		if (pool_run.exe && strcmp(pool_run.exe, binary) != 0)
			ap_target_note(t, "the pool was mapped by %s", pool_run.exe);
		if (pool_run.stopped)
			ap_target_note(t, "pool run stopped: %s", pool_run.stopped);
	}
	if (have_default)
		t->default_command = ap_strdup(default_run.command);
	if (have_pool && libgap_driver) {
		ap_probe_opts l = o;
		l.binary = libgap_driver;
		l.trace_log = NULL;
		if (ap_probe_run(&l, &libgap_run, &err) < 0)
			ap_target_note(t, "libgap probe failed (%s): %s", libgap_driver, err.msg);
		else
			have_libgap = 1;
	}

	ap_measures m;
	memset(&m, 0, sizeof(m));
	m.pool_run = have_pool ? &pool_run : NULL;
	m.default_run = have_default ? &default_run : NULL;
	m.libgap_run = have_libgap ? &libgap_run : NULL;
	m.s_bytes = (unsigned long long)ap_size_parse(s.pool);
	m.noise_bytes = s.noise_bytes;
	if (!t->error &&
	    ap_expect_evaluate(ex, t->platform, t->mode, &m, &t->checks, &t->nchecks, &err) < 0)
		t->error = ap_strdup(err.msg);
	if (t->error && !t->status)
		t->status = ap_strdup("error");
	if (!t->error && t->nchecks == 0) {
		t->error = ap_printf("%s: no checks for %s (%s)", ex->path, t->platform, t->mode);
		t->status = ap_strdup("error");
	}
	ap_probe_result_free(&pool_run);
	ap_probe_result_free(&default_run);
	ap_probe_result_free(&libgap_run);
	ap_expect_settings_free(&s);
	return t->error ? -1 : 0;
}

/* --- main ----------------------------------------------------------------------------- */

static const char *default_expect(const char *argv0, char *buf, size_t n)
{
	if (access("expectations.conf", R_OK) == 0)
		return "expectations.conf";
	/* beside a checkout's tools/verify, or BUILD/bin/verify */
	char self[PATH_MAX];
	ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);
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
	(void)argv0;
	return NULL;
}

static int run_noise(int samples)
{
	ap_noise nz;
	ap_error err = AP_ERROR_INIT;
	int intervals[] = { 0, 1000, 50000 };
	for (size_t i = 0; i < 3; i++) {
		if (ap_probe_noise(samples, intervals[i], &nz, &err) < 0) {
			fprintf(stderr, "verify: %s\n", err.msg);
			return 2;
		}
		printf("Committed_AS, %d samples %d us apart: largest step %lld kB, mean step "
		       "%lld kB, range %lld kB\n", nz.samples, intervals[i], nz.max_step_kb,
		       nz.mean_abs_step_kb, nz.range_kb);
	}
	return 0;
}

int main(int argc, char **argv)
{
	cli c;
	char ebuf[PATH_MAX + 64];
	memset(&c, 0, sizeof(c));
	c.format = AP_FORMAT_TEXT;
	c.noise_samples = 200;

	int opt;
	while ((opt = getopt_long(argc, argv, "u:p:P:e:b:j:f:qhV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'u': c.upstream = optarg; break;
		case OPT_UPSTREAM_GIT: c.git = optarg; break;
		case OPT_REV: c.rev = optarg; break;
		case 'p': c.patches = optarg; break;
		case 'P': c.platform = optarg; break;
		case 'e': c.expect_path = optarg; break;
		case 'b': c.build_dir = optarg; break;
		case 'j': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 1024)
				return usage_error("--jobs: '%s' is not a number of jobs", optarg);
			c.jobs = (int)n;
			break;
		}
		case 'f':
			if (ap_format_parse(optarg, &c.format) < 0 ||
			    (c.format != AP_FORMAT_TEXT && c.format != AP_FORMAT_JSON &&
			     c.format != AP_FORMAT_JUNIT))
				return usage_error("--format: '%s': use text, json or junit", optarg);
			break;
		case OPT_PROBE: c.probe = optarg; break;
		case OPT_GAP_ROOT: c.gap_root = optarg; break;
		case OPT_CONFIGURE_ARG:
			if (c.nconfigure >= 31)
				return usage_error("too many --configure-arg");
			c.configure_args[c.nconfigure++] = optarg;
			break;
		case OPT_FORCE: c.force = 1; break;
		case OPT_NO_PATCHES: c.no_patches = 1; break;
		case OPT_TRACE: c.trace = optarg; break;
		case OPT_NOISE:
			c.noise = 1;
			if (!optarg && optind < argc && argv[optind][0] >= '0' &&
			    argv[optind][0] <= '9')
				optarg = argv[optind++];
			if (optarg) {
				char *end;
				long n = strtol(optarg, &end, 10);
				if (*end || n < 2 || n > 1000000)
					return usage_error("--noise: '%s' is not a number of samples",
							   optarg);
				c.noise_samples = (int)n;
			}
			break;
		case 'q': c.quiet = 1; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'V': printf("verify (gap-patchkit) %s\n", VERSION); return 0;
		default: return usage_error("unknown option");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (c.noise)
		return run_noise(c.noise_samples);
	if (c.no_patches && c.patches)
		return usage_error("give --patches or --no-patches, not both");
	if (c.git && !c.rev)
		return usage_error("--upstream-git needs --rev");
	if (c.rev && !c.git)
		return usage_error("--rev goes with --upstream-git");
	if (c.git && c.upstream)
		return usage_error("give --upstream or --upstream-git, not both");
	if (c.probe && (c.upstream || c.git || c.patches || c.build_dir))
		return usage_error("--probe checks an installed GAP: it takes no --upstream, "
				   "--patches or --build-dir");
	c.tty = isatty(2);

	const char *host = ap_platform_detect();
	if (!host)
		return usage_error("cannot tell this host's platform from uname");
	if (c.platform && strcmp(c.platform, "all") != 0 && !ap_platform_known(c.platform))
		return usage_error("--platform: unknown platform '%s'", c.platform);
	if (!c.expect_path)
		c.expect_path = default_expect(argv[0], ebuf, sizeof(ebuf));
	if (!c.expect_path)
		return usage_error("no expectations file: no ./expectations.conf; give --expect FILE");

	ap_expect ex;
	ap_error err = AP_ERROR_INIT;
	if (ap_expect_load(&ex, c.expect_path, &err) < 0) {
		fprintf(stderr, "verify: %s\n", err.msg);
		return 2;
	}
	ap_target targets[4];
	size_t ntargets = 0;
	memset(targets, 0, sizeof(targets));
	int status = 0;

	if (c.probe) {
		ap_target *t = &targets[ntargets++];
		const char *plat = c.platform && strcmp(c.platform, "all") != 0 ? c.platform : host;
		char *real = ap_probe_script_target(c.probe);
		t->platform = ap_strdup(plat);
		t->mode = strcmp(plat, host) == 0 ? "native" : "emulated";
		t->binary = ap_strdup(real ? real : c.probe);
		if (real)
			ap_target_note(t, "%s is a shell script starting %s: probing that", c.probe,
				       real);
		if (!ap_expect_has_platform(&ex, plat)) {
			t->error = ap_printf("%s: no [%s] section", ex.path, plat);
			t->status = ap_strdup("error");
		} else {
			probe_target(&c, &ex, t, t->binary, NULL, NULL);
		}
		free(real);
	} else {
		ap_upstream u;
		memset(&u, 0, sizeof(u));
		if (c.git) {
			u.kind = AP_UPSTREAM_GIT;
			u.location = c.git;
			u.rev = c.rev;
		} else if (c.upstream) {
			struct stat st;
			if (stat(c.upstream, &st) < 0) {
				fprintf(stderr, "verify: %s: no such tarball or directory\n", c.upstream);
				ap_expect_free(&ex);
				return 2;
			}
			u.kind = S_ISDIR(st.st_mode) ? AP_UPSTREAM_DIR : AP_UPSTREAM_TARBALL;
			u.location = c.upstream;
		} else {
			u.kind = AP_UPSTREAM_PINNED;
			u.location = ".";
		}
		struct stat pst;
		if (!c.patches && !c.no_patches && stat("patches", &pst) == 0 &&
		    S_ISDIR(pst.st_mode))
			c.patches = "patches";
		c.configure_args[c.nconfigure] = NULL;

		ap_build_opts bo;
		memset(&bo, 0, sizeof(bo));
		bo.upstream = &u;
		bo.patches_dir = c.patches;
		bo.build_dir = c.build_dir ? c.build_dir : "build-gap";
		bo.jobs = c.jobs;
		bo.configure_args = c.configure_args;
		bo.force = c.force;
		bo.progress = progress;
		bo.progress_ctx = &c;

		const char *want = c.platform ? c.platform : "all";
		int do_native = strcmp(want, "all") == 0 || strcmp(want, host) == 0;
		int do_cygwin = strcmp(host, "cygwin") != 0 &&
				(strcmp(want, "all") == 0 || strcmp(want, "cygwin") == 0);
		if (!do_native && !do_cygwin) {
			ap_expect_free(&ex);
			return usage_error("--platform %s: this host (%s) can build %s natively and "
					   "cygwin emulated", want, host, host);
		}
		ap_build nb;
		int built = ap_build_native(&bo, host, &nb, &err) == 0;
		progress_clear(&c);
		ap_target *nt = do_native ? &targets[ntargets++] : NULL;
		if (nt) {
			nt->platform = ap_strdup(host);
			nt->mode = "native";
			nt->binary = ap_strdup(nb.binary);
			nt->log = ap_strdup(nb.log);
		}
		if (!built) {
			ap_target *t = nt ? nt : &targets[ntargets++];
			if (!t->platform) {
				t->platform = ap_strdup(want);
				t->mode = "emulated";
			}
			t->error = ap_printf("%s failed: %s", nb.failed_step ? nb.failed_step : "build",
					     err.msg);
			t->status = ap_strdup("error");
			if (!t->log)
				t->log = ap_strdup(nb.log);
		} else {
			if (nt) {
				if (nb.reused)
					ap_target_note(nt, "build reused: inputs unchanged (%s)", nb.identity);
				else
					ap_target_note(nt, "built in %.1f s from %s", nb.seconds,
						       nb.identity);
				for (size_t i = 0; i < nb.npatches; i++)
					ap_target_note(nt, "patch applied: %s", nb.patches[i]);
				char *driver = NULL;
				if (ap_expect_wants(&ex, host, "native", "libgap.")) {
					if (ap_build_libgap(&bo, &nb, &driver, &err) < 0)
						ap_target_note(nt, "libgap not built: %s", err.msg);
					progress_clear(&c);
				}
				if (ap_expect_has_platform(&ex, host)) {
					probe_target(&c, &ex, nt, nb.binary, nb.tree, driver);
				} else {
					nt->error = ap_printf("%s: no [%s] section", ex.path, host);
					nt->status = ap_strdup("error");
				}
				free(driver);
			}
			if (do_cygwin) {
				ap_target *t = &targets[ntargets++];
				ap_emulation em;
				t->platform = ap_strdup("cygwin");
				t->mode = "emulated";
				if (ap_build_emulate(&bo, &nb, "cygwin", CYGWIN_MACRO, &em, &err) < 0) {
					t->error = ap_printf("emulation failed: %s", err.msg);
					t->status = ap_strdup("error");
					t->log = ap_strdup(em.log);
				} else {
					t->binary = ap_strdup(em.binary);
					t->log = ap_strdup(em.log);
					if (em.reused)
						ap_target_note(t, "emulation reused: inputs unchanged");
					for (size_t i = 0; i < em.npatches; i++)
						ap_target_note(t, "patch applied: %s", em.patches[i]);
					for (size_t i = 0; i < em.nunits; i++)
						ap_target_note(t, "rebuilt with %s: %s", CYGWIN_MACRO,
							       em.units[i]);
					for (size_t i = 0; i < em.nuntouched; i++)
						ap_target_note(t, "touched but independent of %s, "
							       "not rebuilt: %s", CYGWIN_MACRO,
							       em.untouched[i]);
					for (size_t i = 0; i < em.nfailed; i++)
						ap_target_note(t, "does not compile with %s on this "
							       "host, linked as built for %s: %s",
							       CYGWIN_MACRO, host, em.failed[i]);
					if (em.all_naming)
						ap_target_note(t, "the series touches no unit that "
							       "depends on %s: every unit of gap "
							       "naming it was rebuilt with it",
							       CYGWIN_MACRO);
					if (em.nunits == 0 && em.nfailed == 0)
						ap_target_note(t, "the series touches no unit that "
							       "depends on %s: the binary is the "
							       "native one relinked", CYGWIN_MACRO);
					progress_clear(&c);
					if (ap_expect_has_platform(&ex, "cygwin")) {
						probe_target(&c, &ex, t, em.binary, nb.tree, NULL);
					} else {
						t->error = ap_printf("%s: no [cygwin] section", ex.path);
						t->status = ap_strdup("error");
					}
					if (em.nfailed && !t->error) {
						ap_buf b = AP_BUF_INIT;
						for (size_t i = 0; i < em.nfailed; i++)
							ap_buf_printf(&b, "%s%s", i ? ", " : "",
								      em.failed[i]);
						t->status = ap_printf("emulation incomplete: %s",
								      b.data);
						ap_buf_free(&b);
					}
				}
				ap_emulation_free(&em);
			}
		}
		ap_build_free(&nb);
	}
	progress_clear(&c);

	for (size_t i = 0; i < ntargets; i++) {
		ap_target_settle(&targets[i]);
		if (targets[i].error)
			status = 2;
		else if (strcmp(targets[i].status, "pass") != 0 && status < 1)
			status = 1;
	}
	ap_buf out = AP_BUF_INIT;
	ap_verify_render(&out, targets, ntargets, c.format,
			 c.format == AP_FORMAT_TEXT && isatty(1) && !getenv("NO_COLOR"));
	if (c.format == AP_FORMAT_TEXT) {
		const char *verdict = status == 0 ? "every expectation holds"
				      : status == 1 ? "an expectation does not hold"
						    : "verify could not run a target";
		ap_buf_printf(&out, "verify: %s (expectations: %s)\n", verdict, ex.path);
	}
	if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len)
		status = 2;
	if (fflush(stdout) != 0)
		status = 2;
	ap_buf_free(&out);
	for (size_t i = 0; i < ntargets; i++) {
		if (targets[i].error)
			fprintf(stderr, "verify: %s (%s): %s%s%s\n", targets[i].platform,
				targets[i].mode, targets[i].error, targets[i].log ? "; log: " : "",
				targets[i].log ? targets[i].log : "");
		ap_target_free(&targets[i]);
	}
	ap_expect_free(&ex);
	return status;
}
