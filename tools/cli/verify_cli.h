/* verify_cli.h - the verify command line's own helpers.
 *
 *   verify_cli_parse     argv to options (exit status when it is decided there)
 *   verify_usage_error   "verify: ...", "Try 'verify --help'", 2
 *   verify_default_expect  ./expectations.conf, or the one beside the binary
 *
 * Not the library: these print and choose exit statuses (0 ok, 2 usage
 * error); tools/verify.c calls them.
 */
#ifndef AP_VERIFY_CLI_H
#define AP_VERIFY_CLI_H

#include "report.h"
#include "verify_run.h"

#include <stddef.h>

typedef struct verify_cli {
	ap_verify_opts vo;
	const char *expect_path;
	const char *configure_args[32];
	int nconfigure;
	int quiet, noise, noise_samples;
	int fail_on_unneeded;
	ap_format format;
	int tty;
	size_t progress_width;   /* of the last progress line drawn */
} verify_cli;

/* Fills c from argv. -1 when the run goes on, else the exit status
 * (--help, --version: 0; a usage error, said on stderr: 2). */
int verify_cli_parse(int argc, char **argv, verify_cli *c);

int verify_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ./expectations.conf, else the one beside a checkout's tools/verify or an
 * installed BUILD/bin/verify (written into buf); NULL when none. */
const char *verify_default_expect(char *buf, size_t n);

#endif
