/* identity.h - what a patch changes, as one SHA-256.
 *
 * A patch's identity is taken from what it was parsed into, not from its
 * bytes: per file diff, the operation, the paths after -p stripping (the
 * target; the source of a rename or copy), and the mode it sets; per
 * hunk, the two line counts and every context, '-' and '+' line's bytes
 * and line end. Left out: the description and mail or DEP-3 headers,
 * `index` lines (abbreviations and blob names), timestamps and other text
 * on the '---'/'+++' lines, the text after a hunk's closing "@@", quilt's
 * `Index:`/`====` lines, git's "-- " signature, and the hunks' start lines
 * (a refresh against a shifted upstream keeps them as the same change).
 * So a patch regenerated in another form (git, quilt, diff -u) has the
 * same identity when it changes the same lines in the same way.
 *
 * Line ends are content. A patch converted to CRLF as a whole (every
 * line of its diff ends in "\r\n": saved by a mail client or an editor)
 * is read without the conversion's "\r"s (patch.h), as GNU patch reads
 * it, so it has its LF form's identity.
 *
 *   ap_patch_identity      of a parsed patch
 *   ap_patch_identity_of   of a patch file's bytes (ap_patch_id's when it does not parse)
 */
#ifndef AP_IDENTITY_H
#define AP_IDENTITY_H

#include "hash.h"
#include "patch.h"

#include <stddef.h>

/* The identity of a parsed patch; out gets 64 hex digits. */
int ap_patch_identity(const ap_patch *p, char out[AP_SHA256_HEX]);

/* The identity of a patch file's bytes read with -p strip; a patch that
 * does not parse gets ap_patch_id's (its diff's bytes), so a broken patch
 * still has one and any edit to it changes it. */
int ap_patch_identity_of(const char *data, size_t len, int strip, char out[AP_SHA256_HEX]);

#endif
