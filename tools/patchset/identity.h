/* identity.h - what a patch changes, as one SHA-256.
 *
 * A patch's identity is taken from what it was parsed into, not from its
 * bytes: per file diff, the operation, the paths after -p stripping (the
 * target; the source of a rename or copy), and the mode it sets; per
 * hunk, what it changes (below). Left out: the description and mail or
 * DEP-3 headers, `index` lines (abbreviations and blob names), timestamps
 * and other text on the '---'/'+++' lines, the text after a hunk's
 * closing "@@", quilt's `Index:`/`====` lines and git's "-- " signature.
 * So a patch regenerated in another form (git diff, git format-patch,
 * quilt refresh, diff -u) has the same identity when it changes the same
 * lines in the same way at the same place.
 *
 * Version 3 (this one, "applypatch-identity 3") is version 2 (below) and
 * also where each change is and what kind of file it changes (red-team 4,
 * id1 and id2):
 *   - each piece of a hunk (a hunk cut as version 2 cuts it) with the old
 *     file's line number of its first changed line (of lines only added:
 *     the old line they go before; of a change that could go at several
 *     places, the last), computed from the "@@ -N" line and the lines
 *     before it. That number belongs to the old file, not to the diff
 *     tool's window or alignment, so -U3 and -U5, git and GNU diff agree;
 *     but the same edit in two functions whose 3 nearest lines agree (one
 *     patch's -U3 form differs from the other's only in its "@@" lines)
 *     are two patches. The old file is the one the patches before it in
 *     the series leave, so a refresh moves the numbers only when the file
 *     under the patch changed (then the series changed anyway), or when
 *     the patch had applied at an offset: that refreshed patch is then
 *     "changed" and applied again, to the same result. Context farther
 *     than 3 lines from a change is still left out: with the place
 *     hashed, it can only disagree with the file the patch applies to
 *     (a patch whose far context is wrong does not apply there), not say
 *     another change;
 *   - the file's kind: a git patch of a symlink (mode 120000) is not the
 *     same patch on a regular file of that name; a mode change with the
 *     mode it takes (100755 -> 100644 is not 100644 -> 100664, which is no
 *     change: apply writes both as 0644).
 *
 * Version 2 ("applypatch-identity 2", for state records of version 4,
 * ap_patch_identity_v2) is blind to how the diff tool chose to show the
 * change, and to the hunks' start lines:
 *   - files are taken in the order of their target path, then their
 *     source path: git sorts paths bytewise ("a.c" before "a/b.c"),
 *     `diff -r` directory by directory (red-team 3, T5);
 *   - a hunk is its two sides, each line with its line end: the old side
 *     (context and '-' lines in order) and the new side (context and '+'
 *     lines in order), never the '-'/'+' interleaving. GNU diff (quilt
 *     refresh, diff -u) and git's diff (its indent heuristic) often align
 *     one edit differently ("-}" "-" against "-" "-}"): same sides, same
 *     identity (red-team 3, T8);
 *   - the lines both sides begin with, and those both end with, are kept
 *     only up to AP_IDENTITY_CONTEXT (3) next to the change. Two tools'
 *     alignments put the '-'/'+' lines at different places, so a -U3
 *     hunk's window starts and ends at different lines; but the first and
 *     last line where the two sides differ are properties of the two
 *     files, not of the alignment, and every -U3 window holds at least 3
 *     unchanged lines beyond them (or reaches the start or end of the
 *     file, as the other window then does). Cut there, both give the same
 *     lines; a -U5 patch gives the -U3 one's. Context is not dropped
 *     altogether: it says where the change is (without line numbers, which
 *     a refresh moves), so a fix moved into another function is another
 *     patch. A hunk whose two sides are the same changes nothing and is
 *     left out; a line changed into itself ("-x" "+x") is context.
 *   What is still seen as another patch: less than 3 lines of context (a
 *   -U1 patch against a -U3 one); two tools that group the changes into
 *   hunks differently (an alignment shift that puts 7 unchanged lines
 *   between two edits for one tool and 6 for the other: separate hunks
 *   against one); and an insertion or deletion inside a repeated run
 *   (blank lines, "}" "" "}" "") whose hunk window ends inside the run,
 *   where the cut can fall on another rotation of the run.
 *   (These hold for version 3 too.)
 * Version 1 ("applypatch-identity 1": every hunk line with its kind, the
 * hunk's two counts, files in patch order) is kept for state records of
 * version 3, which hold it (state.h).
 *
 * Line ends are content. A patch converted to CRLF as a whole (every
 * line of its diff ends in "\r\n": saved by a mail client or an editor)
 * is read without the conversion's "\r"s (patch.h), as GNU patch reads
 * it, so it has its LF form's identity.
 *
 *   ap_patch_identity      of a parsed patch (version 3)
 *   ap_patch_identity_v2   of a parsed patch, by version 2's rule
 *   ap_patch_identity_v1   of a parsed patch, by version 1's rule
 *   ap_patch_identity_of   of a patch file's bytes (ap_patch_id's when it does not parse)
 */
#ifndef AP_IDENTITY_H
#define AP_IDENTITY_H

#include "hash.h"
#include "patch.h"

#include <stddef.h>

/* Unchanged lines kept on each side of a hunk's change (versions 2 and 3). */
#define AP_IDENTITY_CONTEXT 3

/* The identity of a parsed patch; out gets 64 hex digits. */
int ap_patch_identity(const ap_patch *p, char out[AP_SHA256_HEX]);
/* The same by version 2's and version 1's rules, for records that hold them. */
int ap_patch_identity_v2(const ap_patch *p, char out[AP_SHA256_HEX]);
int ap_patch_identity_v1(const ap_patch *p, char out[AP_SHA256_HEX]);

/* The identity of a patch file's bytes read with -p strip; a patch that
 * does not parse gets ap_patch_id's (its diff's bytes), so a broken patch
 * still has one and any edit to it changes it. */
int ap_patch_identity_of(const char *data, size_t len, int strip, char out[AP_SHA256_HEX]);

#endif
