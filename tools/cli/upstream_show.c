/* upstream_show.c - what upstream prints besides errors: the progress
 * bar, the pin, advice for working offline, entries left out. */
#include "upstream_cli.h"

#include "buf.h"
#include "path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

void upstream_offline_hint(const char *dest, const ap_pin *pin)
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
		dest, sums ? sums : "the sums in checksums.ini", upstream_progname, upstream_progname, upstream_progname);
	free(sums);
}

void upstream_report_skipped(const upstream_cli *c, const ap_unpack_opts *uo)
{
	if (uo->dropped_pc)
		fprintf(stderr, "%s: note: left out the tarball's .pc/ (quilt's record of the "
			"patches its packer had applied, which need not match its files); "
			"applypatch apply judges the unpacked tree by its content\n",
			upstream_progname);
	if (c->quiet || uo->nskipped == 0)
		return;
	printf("skipped %zu package%s under pkg/ that the kernel build does not need "
	       "(--full unpacks them):", uo->nskipped, uo->nskipped == 1 ? "" : "s");
	for (size_t i = 0; i < uo->nskipped; i++) {
		if (i == 12) {
			printf(" ... and %zu more", uo->nskipped - i);
			break;
		}
		/* a tarball's names: control bytes shown, never sent to the terminal */
		char shown[256];
		ap_path_show(uo->skipped[i], strlen(uo->skipped[i]), shown, sizeof shown);
		printf("%s %s", i ? "," : "", shown);
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
void upstream_draw_bar(void *ctx, const ap_fetch_progress *p)
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

void upstream_print_pin(const ap_pin *pin)
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

void upstream_report_missing(const ap_strlist *missing)
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

