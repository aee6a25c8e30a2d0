/* verify - build the patched GAP and check how it maps its memory pool.
 *
 * The command line only: options in, one library call (ap_verify_run,
 * verify_run.h) with a progress display, the report out, and the exit
 * status chosen here: 0 every expectation holds, 1 one does not (or an
 * emulation is incomplete), 2 verify itself could not run (usage, build
 * or probe failure).
 */
#include "attribute.h"
#include "builddir.h"
#include "expect.h"
#include "interrupt.h"
#include "probe.h"
#include "report.h"
#include "verify_cli.h"
#include "verify_run.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

typedef verify_cli cli;

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
		if (strcmp(phase, "probe") == 0) {
			fprintf(stderr, "verify: %s: probe %s\n", target, line ? line : "");
		} else if (strcmp(key, last_phase) != 0) {
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

/* --- main ----------------------------------------------------------------------------- */

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

/* Writes the report to stdout and each target's error to stderr; the
 * exit status. */
static int report(const cli *c, const ap_verify_result *res, const char *expect_path)
{
	int status = res->status;
	const ap_target *targets = res->targets;
	ap_buf out = AP_BUF_INIT;
	char **unneeded = NULL;
	size_t nunneeded = 0;
	if (c->fail_on_unneeded && ap_attribution_unneeded(&res->attr, &unneeded, &nunneeded) &&
	    status < 1)
		status = 1;
	ap_verify_render_attr(&out, targets, res->n, res->have_attr ? &res->attr : NULL, c->format,
			      c->format == AP_FORMAT_TEXT && isatty(1) && !getenv("NO_COLOR"));
	if (c->format == AP_FORMAT_TEXT) {
		const char *verdict = res->status == 0 && status == 1
					      ? "every expectation holds, but a patch is needed for none"
				      : status == 0 ? "every expectation holds"
				      : status == 1 ? "an expectation does not hold"
						    : "verify could not run a target";
		ap_buf_printf(&out, "verify: %s (expectations: %s)\n", verdict, expect_path);
	}
	if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len)
		status = 2;
	if (fflush(stdout) != 0)
		status = 2;
	ap_buf_free(&out);
	for (size_t i = 0; i < res->n; i++)
		if (targets[i].error)
			fprintf(stderr, "verify: %s (%s): %s%s%s\n", targets[i].platform,
				targets[i].mode, targets[i].error, targets[i].log ? "; log: " : "",
				targets[i].log ? targets[i].log : "");
	if (res->have_attr && res->attr.file_error)
		fprintf(stderr, "verify: the attribution: %s\n", res->attr.file_error);
	for (size_t i = 0; i < nunneeded; i++)
		fprintf(stderr, "verify: %s is needed for no check (--fail-on unneeded)\n",
			unneeded[i]);
	ap_strv_free(unneeded, nunneeded);
	return status;
}

int main(int argc, char **argv)
{
	cli c;
	char ebuf[PATH_MAX + 64];
	int rc = verify_cli_parse(argc, argv, &c);

	if (rc >= 0)
		return rc;
	if (c.noise)
		return run_noise(c.noise_samples);
	if (c.fail_on_unneeded && !c.vo.attribute)
		return verify_usage_error("--fail-on unneeded goes with --attribute");
	c.tty = isatty(2);
	if (!c.expect_path)
		c.expect_path = verify_default_expect(ebuf, sizeof(ebuf));
	c.configure_args[c.nconfigure] = NULL;

	ap_error err = AP_ERROR_INIT;
	c.vo.configure_args = c.configure_args;
	c.vo.progress = progress;
	c.vo.progress_ctx = &c;
	if (ap_verify_check(&c.vo, &err) < 0)
		return verify_usage_error("%s", err.msg);
	if (!c.expect_path)
		return verify_usage_error("no expectations file: no ./expectations.conf; give --expect FILE");

	ap_expect ex;
	if (ap_expect_load(&ex, c.expect_path, &err) < 0) {
		fprintf(stderr, "verify: %s\n", err.msg);
		return 2;
	}
	c.vo.expect = &ex;
	ap_verify_result res;
	/* Ctrl-C while the upstream is staged: the staging directory goes,
	 * the build stops at its next step, then we die of the signal */
	ap_interrupt_install();
	if (ap_verify_run(&c.vo, &res, &err) < 0) {
		progress_clear(&c);
		fprintf(stderr, "verify: %s\n", err.msg);
		ap_expect_free(&ex);
		ap_interrupt_reraise();
		return 2;
	}
	progress_clear(&c);
	int status = report(&c, &res, ex.path);
	ap_verify_result_free(&res);
	ap_expect_free(&ex);
	return status;
}
