/* fingerprint.h - what a build was made from, so an unchanged one is reused.
 *
 * A fingerprint is text: one line per input (the upstream's identity, each
 * selected patch with its sha256, the platform, configure options, the
 * compiler, the environment's flags). The build writes it beside its
 * output; the next run compares.
 *
 *   ap_fingerprint_upstream   a cheap name for exactly which upstream this is (a
 *                             tarball, pinned or not: the sha256 of its bytes)
 *   ap_fingerprint_compiler   the compiler's first line of --version
 *   ap_fingerprint_series     "patch NAME -pN SHA" lines of a platform's series
 *   ap_fingerprint_same       whether a saved fingerprint equals the text
 */
#ifndef AP_FINGERPRINT_H
#define AP_FINGERPRINT_H

#include "buf.h"
#include "error.h"
#include "source.h"

#include <stddef.h>

#define AP_FINGERPRINT_VERSION "gap-patchkit verify build 1"

/* The key of a pinned tarball not downloaded yet: no build is reused for
 * it, and the build replaces it by what was downloaded and unpacked. */
#define AP_FINGERPRINT_NOT_YET "sha256:? (not downloaded yet)"

char *ap_fingerprint_upstream(const ap_upstream *u, ap_error *err);
char *ap_fingerprint_compiler(void);
/* Appends the lines for the patches of patches_dir selected for platform
 * (nothing for a NULL patches_dir); their names to *names when names is
 * not NULL. */
int ap_fingerprint_series(const char *patches_dir, const char *platform, ap_buf *out,
			  char ***names, size_t *nnames, ap_error *err);
int ap_fingerprint_same(const char *path, const char *want);

#endif
