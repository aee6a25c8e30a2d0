/* patch.h - reading a patch file into file diffs and hunks.
 *
 * Understands unified diffs (diff -u/-Naur, quilt's Index: and === lines),
 * git diffs (new/deleted files, modes, renames, copies), and mail or DEP-3
 * headers before the first diff, which become the patch's description.
 * Context, normal and ed diffs, and binary patches, are refused by name.
 * Hunk lines point into the patch's own bytes, which the ap_patch keeps.
 * A patch whose every diff line ends in "\r\n" was converted as a whole
 * (a mail client, an editor): each line's last "\r" is dropped as the
 * conversion's, so "+x\r\r\n" is the CRLF line "x" (GNU patch does so).
 *
 *   ap_patch_parse / _free   a patch file into file diffs and hunks
 *   ap_patch_header          a DEP-3 or mail header field of the description
 *   ap_file_diff_target      the path a file diff writes
 *   ap_patch_diff_start      where the diff begins; ap_patch_id: its sha256
 */
#ifndef AP_PATCH_H
#define AP_PATCH_H

#include "error.h"
#include "hash.h"
#include "lines.h"

#include <stddef.h>

/* Bounds on what one patch may claim, so counts cannot overflow. */
#define AP_PATCH_MAX_BYTES ((size_t)256 << 20)
#define AP_PATCH_MAX_LINENO 100000000L

typedef struct ap_hunk {
	long old_start, old_count;   /* as the @@ line says */
	long new_start, new_count;
	ap_line *lines;              /* kind ' ', '-', '+' */
	size_t nlines;
	size_t lineno;               /* of the @@ line in the patch file */
	char *section;               /* text after the closing @@, or NULL */
} ap_hunk;

enum ap_file_op {
	AP_OP_MODIFY,
	AP_OP_CREATE,
	AP_OP_DELETE,
	AP_OP_RENAME,
	AP_OP_COPY,
};

typedef struct ap_file_diff {
	enum ap_file_op op;
	char *old_path;      /* after -p stripping; NULL for /dev/null */
	char *new_path;
	unsigned old_mode;   /* git's octal modes (0100644 ...), 0 if unknown */
	unsigned new_mode;
	int is_git;
	size_t lineno;       /* where this file's header starts */
	size_t body_start;   /* byte offsets of the hunks in the patch's data */
	size_t body_end;
	ap_hunk *hunks;
	size_t nhunks;
	size_t cap;
} ap_file_diff;

typedef struct ap_patch {
	char *name;          /* as errors should show it */
	char *data;          /* the patch's bytes, owned */
	size_t len;
	int strip;
	size_t desc_len;     /* bytes of data[] before the first diff */
	ap_file_diff *files;
	size_t nfiles;
	size_t cap;
} ap_patch;

#define AP_PATCH_INIT { 0 }

/* Parses data (copied) as a patch named name, stripping `strip` leading
 * components from paths. On error the message reads "NAME:LINE: what". */
int ap_patch_parse(ap_patch *p, const char *name, const char *data,
		   size_t len, int strip, ap_error *err);
void ap_patch_free(ap_patch *p);

/* The path a file diff writes (new_path unless the file is deleted). */
const char *ap_file_diff_target(const ap_file_diff *f);

/* Looks up a DEP-3 / mail header field in the description (case-
 * insensitively); returns a malloc'd value with continuation lines
 * joined, or NULL. *lineno gets the field's line when found. */
char *ap_patch_header(const ap_patch *p, const char *field, size_t *lineno);

/* The SHA-256 of a patch's diff's bytes, from the first file header
 * ('diff --git', or '--- ' followed by '+++ ') to the end; the description
 * and headers before it are left out. Without a diff: the whole file's.
 * It was the identity in state records of version 2; a patch's identity
 * is now ap_patch_identity's (identity.h), from what it changes. */
size_t ap_patch_diff_start(const char *data, size_t len);
int ap_patch_id(const char *data, size_t len, char out[AP_SHA256_HEX]);

#endif
