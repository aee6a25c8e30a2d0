/* upstream_cli.h - the upstream command line's own helpers.
 *
 *   upstream_cli_parse       argv to options (exit status when decided there)
 *   upstream_usage_error     "upstream: ...", "Try 'upstream --help'", 2
 *   upstream_fail            "upstream: MESSAGE", 1
 *   upstream_draw_bar        the download's progress bar (an ap_fetch callback)
 *   upstream_cmd_pin         the pin subcommand (upstream_pin.c)
 *   upstream_print_pin       the pin as key=value lines
 *   upstream_offline_hint    how to go on without downloading
 *   upstream_report_skipped  what unpack left out, and why
 *   upstream_report_missing  files a shallow clone could not give
 *
 * Not the library: these print and choose exit statuses (0 ok, 1 the
 * operation failed, 2 usage error); tools/upstream.c calls them.
 */
#ifndef AP_UPSTREAM_CLI_H
#define AP_UPSTREAM_CLI_H

#include "error.h"
#include "source.h"
#include "strmap.h"

typedef struct upstream_cli {
	const char *tarball, *dir, *git, *rev, *pkgdir, *output, *url, *autogen_log;
	const char *pin_check, *pin_write;
	int full, keep_top, no_autogen, no_progress, quiet;
	long retries, timeout;
	unsigned long long max_size, max_entries;   /* 0: the defaults */
	char **args;
	int nargs;
} upstream_cli;

/* as the user called it ("tools/upstream"), for advice they can paste */
extern const char *upstream_progname;

/* -1 when c and *cmd are ready to run; else the exit status. */
int upstream_cli_parse(int argc, char **argv, upstream_cli *c, const char **cmd);
int upstream_usage_error(const char *fmt, const char *arg);
int upstream_fail(const ap_error *err);

void upstream_draw_bar(void *ctx, const ap_fetch_progress *p);
int upstream_cmd_pin(const upstream_cli *c);
void upstream_print_pin(const ap_pin *pin);
void upstream_offline_hint(const char *dest, const ap_pin *pin);
void upstream_report_skipped(const upstream_cli *c, const ap_unpack_opts *uo);
void upstream_report_missing(const ap_strlist *missing);

#endif
