/* upstream_pin.c - the pin subcommand: show the pinned release, check a
 * file against every sum the pin gives, or write a file's sums into
 * checksums.ini. */
#include "upstream_cli.h"

#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* pin --check FILE: every sum the pin gives; pin --write FILE: the four
 * sums of FILE into checksums.ini */
static int pin_file(const upstream_cli *c, const ap_pin *pin, const char *file, int write)
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
		upstream_fail(&err);
		goto out;
	}
	if (write) {
		if (ap_pin_write(pin, &got, &err) < 0) {
			upstream_fail(&err);
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

int upstream_cmd_pin(const upstream_cli *c)
{
	ap_error err = AP_ERROR_INIT;
	ap_pin pin;
	int rc = 0;

	if (c->nargs)
		return upstream_usage_error("pin takes no arguments (got '%s')", c->args[0]);
	if (c->pin_check && c->pin_write)
		return upstream_usage_error("%s", "give one of --check FILE and --write FILE");
	if (ap_pin_find(&pin, c->pkgdir, &err) < 0)
		return upstream_fail(&err);
	if (c->pin_check || c->pin_write)
		rc = pin_file(c, &pin, c->pin_check ? c->pin_check : c->pin_write, !!c->pin_write);
	else
		upstream_print_pin(&pin);
	ap_pin_free(&pin);
	return rc;
}
