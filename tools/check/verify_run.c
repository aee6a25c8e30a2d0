/* verify_run.c - the verify pipeline (see verify_run.h).
 *
 * Targets: the host natively (built, or an installed binary with --probe)
 * and Cygwin emulated on Linux. Each target is probed: the pool run
 * (gap -s POOL, forks), the default run (gap, no -s) and, when asked,
 * libgap's driver; then the expectations are evaluated. Why a target
 * could not run goes into its error, and the run goes on with the next.
 * --attribute: each patch left out in turn, each variant probed the same
 * way and compared with the whole (attribute.h).
 */
#include "verify_run.h"
#include "builddir.h"
#include "emulate.h"
#include "interrupt.h"
#include "probe.h"
#include "series.h"
#include "source.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CYGWIN_MACRO "SYS_IS_CYGWIN32"

/* The commit charge the kernel says the pool needs, 0 when not accounted. */
static long long commit_off(const ap_probe_result *r)
{
	long long got = (r->commit_after_kb - r->commit_before_kb) * 1024;
	long long want = r->vma_found && ap_vmflags_has(r->vma.vmflags, "ac")
				 ? (long long)r->pool.len : 0;
	return got > want ? got - want : want - got;
}

/* The pool run. The kernel says whether the mapping is accounted (VmFlags
 * ac): a commit reading far from what that implies had another process's
 * allocation in its window (a parallel build, another probe's forks).
 * Measured again, twice at most, and said so. Returns the runs made (0:
 * the probe failed, err set). */
static int pool_runs(ap_target *t, const ap_probe_opts *o, const ap_expect_settings *s,
		     ap_probe_result *r, ap_error *err)
{
	for (int runs = 1;; runs++) {
		if (ap_probe_run(o, r, err) < 0)
			return 0;
		long long off = commit_off(r);
		if (!r->pool_found || !r->vma_found || r->commit_before_kb <= 0 ||
		    r->commit_after_kb <= 0 || off <= s->noise_bytes || runs == 3)
			return runs;
		long long got = (r->commit_after_kb - r->commit_before_kb) * 1024;
		ap_target_note(t, "pool run %d: Committed_AS moved by %+lld kB across the pool mmap, "
			       "%lld kB away from what its VmFlags (%s) imply: measured again", runs,
			       got / 1024, off / 1024, r->vma.vmflags);
		ap_probe_result_free(r);
	}
}

typedef struct probe_runs {
	ap_probe_result pool, deflt, libgap;
	int have_pool, have_default, have_libgap;
} probe_runs;

/* The runs a target's checks need; why one failed goes to t->error (the
 * libgap run's failure is only a note). */
static void probe_runs_make(const ap_verify_opts *vo, ap_target *t, const ap_expect_settings *s,
			    const char *binary, const char *cwd, const char *libgap_driver,
			    probe_runs *pr)
{
	ap_error err = AP_ERROR_INIT;
	const char *root_args[3] = { NULL, NULL, NULL };
	if (vo->gap_root) {
		root_args[0] = "-l";
		root_args[1] = vo->gap_root;
	} else if (s->fork_at_library && cwd) {
		/* a built target's library is its tree (the emulated binary and
		 * the libgap driver live elsewhere and would not find it) */
		root_args[0] = "-l";
		root_args[1] = cwd;
	}
	if (vo->progress)
		vo->progress(vo->progress_ctx, t->platform, "probe", 0, 0, binary);
	ap_probe_opts o = AP_PROBE_OPTS_INIT;
	o.binary = binary;
	o.args = root_args;
	o.pool = s->pool;
	o.forks = s->forks;
	o.until_lookup = s->fork_at_library;
	o.cwd = cwd;
	o.trace_log = vo->trace;
	if (pool_runs(t, &o, s, &pr->pool, &err) == 0) {
		t->error = ap_printf("probe failed (%s -q -s %s): %s", binary, s->pool, err.msg);
		return;
	}
	pr->have_pool = 1;
	ap_probe_opts d = AP_PROBE_OPTS_INIT;
	d.binary = binary;
	d.args = root_args;
	d.cwd = cwd;
	if (ap_probe_run(&d, &pr->deflt, &err) < 0)
		t->error = ap_printf("probe failed (%s -q): %s", binary, err.msg);
	else
		pr->have_default = 1;
	t->pool_command = ap_strdup(pr->pool.command);
	if (pr->pool.exe && strcmp(pr->pool.exe, binary) != 0)
		ap_target_note(t, "the pool was mapped by %s", pr->pool.exe);
	if (pr->pool.stopped)
		ap_target_note(t, "pool run stopped: %s", pr->pool.stopped);
	if (pr->have_default)
		t->default_command = ap_strdup(pr->deflt.command);
	if (libgap_driver) {
		ap_probe_opts l = o;
		l.binary = libgap_driver;
		l.trace_log = NULL;
		if (ap_probe_run(&l, &pr->libgap, &err) < 0)
			ap_target_note(t, "libgap probe failed (%s): %s", libgap_driver, err.msg);
		else
			pr->have_libgap = 1;
	}
}

/* The Cygwin model's shim: $AP_CYGWIN_RESERVE_SHIM, else beside the
 * running program (tools/, BUILD/bin/) or in PREFIX/lib/gap-patchkit. */
static char *reserve_shim(void)
{
	const char *env = getenv("AP_CYGWIN_RESERVE_SHIM");
	if (env && *env)
		return ap_strdup(env);
	char self[4096];
	ssize_t l = readlink("/proc/self/exe", self, sizeof self - 1);
	if (l <= 0)
		return NULL;
	self[l] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	static const char *where[] = { "/cygwin_reserve.so", "/../lib/gap-patchkit/cygwin_reserve.so" };
	for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
		char *p = ap_printf("%s%s", self, where[i]);
		if (p && access(p, R_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

/* gmp.fresh_bags: the workload as it is (the reference) and, on the
 * emulated Cygwin target, under the Cygwin model; right when the model's
 * run printed what the reference did. */
static int workload_runs(const ap_verify_opts *vo, ap_target *t, const ap_expect_settings *s,
			 const char *binary, const char *cwd, ap_workload_result *model)
{
	ap_workload_opts wo;
	ap_workload_result ref;
	ap_error err = AP_ERROR_INIT;
	int emulated = strcmp(t->platform, "cygwin") == 0 && strcmp(t->mode, "emulated") == 0;
	char *shim = emulated ? reserve_shim() : NULL;
	memset(&wo, 0, sizeof wo);
	wo.binary = binary;
	wo.args = s->workload_args;
	wo.root = vo->gap_root ? vo->gap_root : cwd;
	wo.input = s->workload;
	if (emulated && !shim) {
		ap_target_note(t, "gmp.fresh_bags not measured: the Cygwin model (cygwin_reserve.so) "
			       "was not found; set AP_CYGWIN_RESERVE_SHIM");
		return -1;
	}
	if (vo->progress)
		vo->progress(vo->progress_ctx, t->platform, "workload", 0, 0, s->workload);
	if (ap_workload_run(&wo, &ref, &err) < 0) {
		ap_target_note(t, "gmp.fresh_bags: the workload could not run: %s", err.msg);
		free(shim);
		return -1;
	}
	wo.preload = shim;
	int rc = ap_workload_run(&wo, model, &err);
	if (rc < 0)
		ap_target_note(t, "gmp.fresh_bags: the workload could not run: %s", err.msg);
	else
		model->right = model->finished && ref.finished && ref.output_len == model->output_len &&
			       memcmp(ref.output, model->output, ref.output_len) == 0;
	if (rc == 0 && !ref.finished)
		ap_target_note(t, "gmp.fresh_bags: the reference run did not finish either: %s (%s)",
			       ref.why ? ref.why : "?", ref.command);
	ap_workload_result_free(&ref);
	free(shim);
	return rc;
}

/* Probes binary and evaluates the target's checks. */
static void probe_target(const ap_verify_opts *vo, ap_target *t, const char *binary,
			 const char *cwd, const char *libgap_driver)
{
	const ap_expect *ex = vo->expect;
	ap_expect_settings s;
	probe_runs pr;
	ap_error err = AP_ERROR_INIT;

	memset(&pr, 0, sizeof pr);
	if (ap_expect_settings_for(ex, t->platform, t->mode, &s, &err) < 0) {
		t->error = ap_strdup(err.msg);
		return;
	}
	probe_runs_make(vo, t, &s, binary, cwd, libgap_driver, &pr);
	ap_workload_result wl;
	memset(&wl, 0, sizeof wl);
	int have_wl = !t->error && ap_expect_wants(ex, t->platform, t->mode, "gmp.") &&
		      workload_runs(vo, t, &s, binary, cwd, &wl) == 0;
	ap_measures m;
	memset(&m, 0, sizeof m);
	m.workload = have_wl ? &wl : NULL;
	m.pool_run = pr.have_pool ? &pr.pool : NULL;
	m.default_run = pr.have_default ? &pr.deflt : NULL;
	m.libgap_run = pr.have_libgap ? &pr.libgap : NULL;
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
	ap_probe_result_free(&pr.pool);
	ap_probe_result_free(&pr.deflt);
	ap_probe_result_free(&pr.libgap);
	ap_workload_result_free(&wl);
	ap_expect_settings_free(&s);
}

/* Probes the target when the expectations have its section. */
static void probe_if_expected(const ap_verify_opts *vo, ap_target *t, const char *binary,
			      const char *cwd, const char *libgap_driver)
{
	if (ap_expect_has_platform(vo->expect, t->platform)) {
		probe_target(vo, t, binary, cwd, libgap_driver);
	} else {
		t->error = ap_printf("%s: no [%s] section", vo->expect->path, t->platform);
		t->status = ap_strdup("error");
	}
}

/* --probe: an installed binary, no build. */
static void run_installed(const ap_verify_opts *o, const char *host, ap_verify_result *r)
{
	ap_target *t = &r->targets[r->n++];
	const char *plat = o->platform && strcmp(o->platform, "all") != 0 ? o->platform : host;
	char *real = ap_probe_script_target(o->probe);
	t->platform = ap_strdup(plat);
	t->mode = strcmp(plat, host) == 0 ? "native" : "emulated";
	t->binary = ap_strdup(real ? real : o->probe);
	if (real)
		ap_target_note(t, "%s is a shell script starting %s: probing that", o->probe, real);
	probe_if_expected(o, t, t->binary, NULL, NULL);
	free(real);
}

/* The upstream the options name: a git revision, a tarball or directory,
 * or the pinned release. */
static int resolve_upstream(const ap_verify_opts *o, ap_upstream *u, ap_error *err)
{
	memset(u, 0, sizeof *u);
	if (o->git) {
		u->kind = AP_UPSTREAM_GIT;
		u->location = o->git;
		u->rev = o->rev;
	} else if (o->upstream) {
		if (ap_upstream_local(u, o->upstream, err) < 0)
			return ap_error_set(err, "%s: no such tarball or directory", o->upstream);
	} else {
		u->kind = AP_UPSTREAM_PINNED;
		u->location = ".";
	}
	return 0;
}

static void note_emulation(ap_target *t, const ap_emulation *em, const char *host)
{
	if (em->reused)
		ap_target_note(t, "emulation reused: inputs unchanged");
	for (size_t i = 0; i < em->npatches; i++)
		ap_target_note(t, "patch applied: %s", em->patches[i]);
	for (size_t i = 0; i < em->nunits; i++)
		ap_target_note(t, "rebuilt with %s: %s", CYGWIN_MACRO, em->units[i]);
	for (size_t i = 0; i < em->nuntouched; i++)
		ap_target_note(t, "touched but independent of %s, not rebuilt: %s", CYGWIN_MACRO,
			       em->untouched[i]);
	for (size_t i = 0; i < em->nfailed; i++)
		ap_target_note(t, "does not compile with %s on this host, linked as built for %s: %s",
			       CYGWIN_MACRO, host, em->failed[i]);
	if (em->all_naming)
		ap_target_note(t, "the series touches no unit that depends on %s: every unit of gap "
			       "naming it was rebuilt with it", CYGWIN_MACRO);
	if (em->nunits == 0 && em->nfailed == 0)
		ap_target_note(t, "the series touches no unit that depends on %s: the binary is the "
			       "native one relinked", CYGWIN_MACRO);
}

/* Cygwin, emulated from the native build, then probed. */
static void run_emulated(const ap_verify_opts *o, const ap_build_opts *bo, const ap_build *nb,
			 const char *host, ap_verify_result *r)
{
	ap_target *t = &r->targets[r->n++];
	ap_emulation em;
	ap_error err = AP_ERROR_INIT;
	t->platform = ap_strdup("cygwin");
	t->mode = "emulated";
	if (ap_build_emulate(bo, nb, "cygwin", CYGWIN_MACRO, &em, &err) < 0) {
		t->error = ap_printf("emulation failed: %s", err.msg);
		t->status = ap_strdup("error");
		t->log = ap_strdup(em.log);
		ap_emulation_free(&em);
		return;
	}
	t->binary = ap_strdup(em.binary);
	t->log = ap_strdup(em.log);
	note_emulation(t, &em, host);
	probe_if_expected(o, t, em.binary, nb->tree, NULL);
	if (em.nfailed && !t->error) {
		ap_buf b = AP_BUF_INIT;
		for (size_t i = 0; i < em.nfailed; i++)
			ap_buf_printf(&b, "%s%s", i ? ", " : "", em.failed[i]);
		t->status = ap_printf("emulation incomplete: %s", b.data);
		ap_buf_free(&b);
	}
	ap_emulation_free(&em);
}

/* The host, natively: notes on the build, libgap when asked, the probe. */
static void run_native(const ap_verify_opts *o, const ap_build_opts *bo, const ap_build *nb,
		       ap_target *nt, const char *host)
{
	ap_error err = AP_ERROR_INIT;
	char *driver = NULL;
	if (nb->reused)
		ap_target_note(nt, "build reused: inputs unchanged (%s)", nb->identity);
	else
		ap_target_note(nt, "built in %.1f s from %s", nb->seconds, nb->identity);
	for (size_t i = 0; i < nb->npatches; i++)
		ap_target_note(nt, "patch applied: %s", nb->patches[i]);
	if (ap_expect_wants(o->expect, host, "native", "libgap.") &&
	    ap_build_libgap(bo, nb, &driver, &err) < 0)
		ap_target_note(nt, "libgap not built: %s", err.msg);
	probe_if_expected(o, nt, nb->binary, nb->tree, driver);
	free(driver);
}

/* --- leave-one-out (--attribute) ------------------------------------------------------- */

/* The upstream as the attribution file names it: the git revision, or the
 * tarball's or directory's name, with the build's identity. */
static char *upstream_label(const ap_verify_opts *o, const ap_build *nb)
{
	const char *name = o->git ? o->rev : o->upstream ? o->upstream : "pinned";
	size_t len = strlen(name);
	while (len > 1 && name[len - 1] == '/')
		len--;
	size_t start = len;
	while (start > 0 && name[start - 1] != '/')
		start--;
	return ap_printf("%.*s %s", (int)(len - start), name + start,
			 nb->identity ? nb->identity : "");
}

static const ap_target *whole_target(const ap_verify_result *r, const char *platform,
				     const char *mode)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->targets[i].platform, platform) == 0 &&
		    strcmp(r->targets[i].mode, mode) == 0)
			return &r->targets[i];
	return NULL;
}

/* A variant's target probed like the whole one, and compared with it. */
static void attr_probe(const ap_verify_opts *o, ap_verify_result *r, ap_patch_attr *pa,
		       const char *binary, const char *cwd, const char *driver, double t0)
{
	ap_target vt;
	memset(&vt, 0, sizeof vt);
	vt.platform = ap_strdup(pa->platform);
	vt.mode = pa->mode;
	probe_if_expected(o, &vt, binary, cwd, driver);
	const ap_target *whole = whole_target(r, pa->platform, pa->mode);
	if (whole) {
		ap_attr_compare(pa, whole, &vt);
	} else {
		pa->verdict = AP_VERDICT_UNMEASURED;
		pa->error = ap_printf("%s (%s) was not verified whole", pa->platform, pa->mode);
	}
	pa->binary = ap_strdup(binary);
	pa->seconds = ap_builddir_now() - t0;
	vt.mode = NULL;
	ap_target_free(&vt);
}

static void attr_unmeasured(ap_patch_attr *pa, const char *what, const ap_error *err, double t0)
{
	pa->verdict = AP_VERDICT_UNMEASURED;
	pa->error = ap_printf("%s: %s", what, err->msg);
	pa->seconds = ap_builddir_now() - t0;
}

typedef struct attr_job {
	const char *name;
	int native_selected;   /* the native build must be made without it */
	int probe_native;      /* ... and probed */
	int cygwin;            /* the emulated Cygwin target selects it */
} attr_job;

/* One patch left out: BUILD/without-NAME holds the series without it, the
 * native build without it when the host's series selects it (else the
 * whole native build is the base), and the emulation without it (its
 * units picked from the whole series' files). */
static void attribute_patch(const ap_verify_opts *o, const ap_build_opts *bo,
			    const ap_build *nb, const char *host, const attr_job *job,
			    ap_verify_result *r)
{
	ap_attribution *a = &r->attr;
	ap_error err = AP_ERROR_INIT;
	char *flat = ap_strdup(job->name);
	for (char *p = flat; p && *p; p++)
		if (*p == '/')
			*p = '_';
	char *bd = ap_builddir_abs(bo->build_dir, &err);
	char *vdir = bd && flat ? ap_printf("%s/without-%s", bd, flat) : NULL;
	char *sdir = vdir ? ap_printf("%s/series", vdir) : NULL;
	ap_build_opts vb = *bo;
	vb.patches_dir = sdir;
	vb.units_from = bo->patches_dir;
	vb.build_dir = vdir;
	double t0 = ap_builddir_now();
	ap_patch_attr *pn = job->probe_native ? ap_attribution_add(a, job->name, host, "native") : NULL;
	ap_patch_attr *pc = job->cygwin ? ap_attribution_add(a, job->name, "cygwin", "emulated") : NULL;
	ap_build vnb;
	const ap_build *base = nb;
	int ok = sdir && ap_series_without(bo->patches_dir, job->name, sdir, &err) == 0;
	memset(&vnb, 0, sizeof vnb);
	if (!sdir && !bd)
		ap_error_set(&err, "out of memory");
	if (o->progress)
		o->progress(o->progress_ctx, host, "attribute", 0, 0, job->name);
	if (ok && job->native_selected) {
		ok = ap_build_native(&vb, host, &vnb, &err) == 0;
		base = &vnb;
	}
	if (!ok) {
		if (pn)
			attr_unmeasured(pn, "building without it", &err, t0);
		if (pc)
			attr_unmeasured(pc, "building without it", &err, t0);
	} else if (pn) {
		char *driver = NULL;
		ap_error lerr = AP_ERROR_INIT;
		if (ap_expect_wants(o->expect, host, "native", "libgap.") &&
		    ap_build_libgap(&vb, &vnb, &driver, &lerr) < 0)
			driver = NULL;
		attr_probe(o, r, pn, vnb.binary, vnb.tree, driver, t0);
		free(driver);
	}
	if (ok && pc) {
		double t1 = ap_builddir_now();
		ap_emulation em;
		if (ap_build_emulate(&vb, base, "cygwin", CYGWIN_MACRO, &em, &err) < 0)
			attr_unmeasured(pc, "emulating without it", &err, t1);
		else
			attr_probe(o, r, pc, em.binary, base->tree, NULL, t1);
		ap_emulation_free(&em);
	}
	ap_build_free(&vnb);
	free(flat);
	free(bd);
	free(vdir);
	free(sdir);
}

/* Every patch of the series for a target verified, left out in turn; the
 * attribution file written when every variant was measured. */
static void run_attribution(const ap_verify_opts *o, const ap_build_opts *bo, const ap_build *nb,
			    const char *host, int do_native, int do_cygwin, ap_verify_result *r)
{
	ap_attribution *a = &r->attr;
	ap_series sn = AP_SERIES_INIT, sc = AP_SERIES_INIT;
	ap_error err = AP_ERROR_INIT;
	r->have_attr = 1;
	a->measured_on = upstream_label(o, nb);
	a->upstream = ap_strdup(a->measured_on);
	if (ap_series_load(&sn, bo->patches_dir, host, &err) < 0 ||
	    ap_series_load(&sc, bo->patches_dir, "cygwin", &err) < 0 || sn.n != sc.n) {
		a->file_error = ap_printf("the series cannot be read: %s", err.msg);
		goto out;
	}
	for (size_t i = 0; i < sn.n && !ap_interrupted(); i++) {
		attr_job job = { sn.v[i].name, sn.v[i].selected, do_native && sn.v[i].selected,
				 do_cygwin && sc.v[i].selected };
		if (job.probe_native || job.cygwin)
			attribute_patch(o, bo, nb, host, &job, r);
	}
	size_t unmeasured = 0;
	for (size_t i = 0; i < a->n; i++)
		unmeasured += strcmp(a->v[i].verdict, AP_VERDICT_UNMEASURED) == 0;
	if (unmeasured) {
		a->file_error = ap_printf("%zu variant(s) could not be measured", unmeasured);
	} else if (ap_attribution_write(a, bo->patches_dir, &err) < 0) {
		a->file_error = ap_strdup(err.msg);
	} else {
		a->file = ap_printf("%s/%s", bo->patches_dir, AP_ATTRIBUTION_FILE);
	}
out:
	ap_series_free(&sn);
	ap_series_free(&sc);
}

/* --no-patches with a series that has an attribution file: each patch's
 * verdict on this upstream. */
static void judge_upstream(const ap_verify_opts *o, const ap_build *nb, const char *patches,
			   ap_verify_result *r)
{
	ap_error err = AP_ERROR_INIT;
	r->attr.upstream = upstream_label(o, nb);
	if (ap_attribution_read(&r->attr, patches, &err) < 0) {
		r->have_attr = 1;
		r->attr.file_error = ap_strdup(err.msg);
		return;
	}
	if (r->attr.n == 0) {
		ap_attribution_free(&r->attr);
		return;
	}
	r->have_attr = 1;
	ap_attribution_judge(&r->attr, r->targets, r->n);
}

int ap_verify_check(const ap_verify_opts *o, ap_error *err)
{
	if (o->git && !o->rev)
		return ap_error_set(err, "--upstream-git needs --rev");
	if (o->rev && !o->git)
		return ap_error_set(err, "--rev goes with --upstream-git");
	if (o->git && o->upstream)
		return ap_error_set(err, "give --upstream or --upstream-git, not both");
	if (o->probe && (o->upstream || o->git || o->patches_dir || o->build_dir || o->attribute))
		return ap_error_set(err, "--probe checks an installed GAP: it takes no --upstream, "
				    "--patches, --build-dir or --attribute");
	if (o->attribute && o->no_patches)
		return ap_error_set(err, "--attribute leaves each patch out of the series in turn: "
				    "it does not go with --no-patches");
	struct stat pst;
	if (o->attribute && !o->patches_dir && !(stat("patches", &pst) == 0 && S_ISDIR(pst.st_mode)))
		return ap_error_set(err, "--attribute needs a series: no ./patches; give --patches DIR");
	const char *host = ap_platform_detect();
	if (!host)
		return ap_error_set(err, "cannot tell this host's platform from uname");
	if (o->platform && strcmp(o->platform, "all") != 0 && !ap_platform_known(o->platform))
		return ap_error_set(err, "--platform: unknown platform '%s'", o->platform);
	if (o->probe)
		return 0;
	const char *want = o->platform ? o->platform : "all";
	int all = strcmp(want, "all") == 0;
	if (!all && strcmp(want, host) != 0 &&
	    (strcmp(host, "cygwin") == 0 || strcmp(want, "cygwin") != 0))
		return ap_error_set(err, "--platform %s: this host (%s) can build %s natively and "
				    "cygwin emulated", want, host, host);
	return 0;
}

/* Builds natively, then runs the native and the emulated target. */
static int run_built(const ap_verify_opts *o, const char *host, ap_verify_result *r,
		     ap_error *err)
{
	ap_upstream u;
	if (resolve_upstream(o, &u, err) < 0)
		return -1;
	const char *patches = o->patches_dir;
	struct stat pst;
	if (!patches && stat("patches", &pst) == 0 && S_ISDIR(pst.st_mode))
		patches = "patches";
	ap_build_opts bo;
	memset(&bo, 0, sizeof bo);
	bo.upstream = &u;
	/* --no-patches: the series is not applied, but its files still say
	 * which units the emulation rebuilds */
	bo.patches_dir = o->no_patches ? NULL : patches;
	bo.units_from = o->no_patches ? patches : NULL;
	bo.build_dir = o->build_dir ? o->build_dir : "build-gap";
	bo.jobs = o->jobs;
	bo.configure_args = o->configure_args;
	bo.force = o->force;
	bo.progress = o->progress;
	bo.progress_ctx = o->progress_ctx;
	int lock = ap_builddir_lock(bo.build_dir, err);
	if (lock < 0)
		return -1;

	const char *want = o->platform ? o->platform : "all";
	int do_native = strcmp(want, "all") == 0 || strcmp(want, host) == 0;
	int do_cygwin = strcmp(host, "cygwin") != 0 &&
			(strcmp(want, "all") == 0 || strcmp(want, "cygwin") == 0);
	ap_build nb;
	ap_error berr = AP_ERROR_INIT;
	int built = ap_build_native(&bo, host, &nb, &berr) == 0;
	ap_target *nt = do_native ? &r->targets[r->n++] : NULL;
	if (nt) {
		nt->platform = ap_strdup(host);
		nt->mode = "native";
		nt->binary = ap_strdup(nb.binary);
		nt->log = ap_strdup(nb.log);
	}
	if (!built) {
		ap_target *t = nt ? nt : &r->targets[r->n++];
		if (!t->platform) {
			t->platform = ap_strdup(want);
			t->mode = "emulated";
		}
		t->error = ap_printf("%s failed: %s", nb.failed_step ? nb.failed_step : "build",
				     berr.msg);
		t->status = ap_strdup("error");
		if (!t->log)
			t->log = ap_strdup(nb.log);
	} else if (!ap_interrupted()) {
		if (nt)
			run_native(o, &bo, &nb, nt, host);
		if (do_cygwin && !ap_interrupted())
			run_emulated(o, &bo, &nb, host, r);
		if (o->attribute && !ap_interrupted())
			run_attribution(o, &bo, &nb, host, do_native, do_cygwin, r);
		else if (o->no_patches && patches && !ap_interrupted())
			judge_upstream(o, &nb, patches, r);
	}
	ap_build_free(&nb);
	close(lock);
	return 0;
}

int ap_verify_run(const ap_verify_opts *o, ap_verify_result *r, ap_error *err)
{
	memset(r, 0, sizeof *r);
	if (ap_verify_check(o, err) < 0)
		return -1;
	const char *host = ap_platform_detect();
	if (o->probe)
		run_installed(o, host, r);
	else if (run_built(o, host, r, err) < 0)
		return -1;
	/* the staging directory went with the step that was interrupted; a
	 * report of what the signal cut short would mislead */
	if (ap_interrupted()) {
		ap_verify_result_free(r);
		return ap_error_set(err, "interrupted by signal %d: stopped, the upstream's "
				    "staging directory removed", ap_interrupted());
	}
	for (size_t i = 0; i < r->n; i++) {
		ap_target_settle(&r->targets[i]);
		if (r->targets[i].error)
			r->status = 2;
		else if (strcmp(r->targets[i].status, "pass") != 0 && r->status < 1)
			r->status = 1;
	}
	return 0;
}

void ap_verify_result_free(ap_verify_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		ap_target_free(&r->targets[i]);
	ap_attribution_free(&r->attr);
	memset(r, 0, sizeof *r);
}
