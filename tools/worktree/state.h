/* state.h - the record, inside the tree, of what applypatch applied.
 *
 * TREE/.applypatch/state is a text file, one record a line, fields
 * separated by tabs (paths cannot hold control characters):
 *   applypatch-state 5
 *   platform  NAME
 *   patch     STATUS ID STRIP NAME
 *   file      ORIG-BLOB ORIG-MODE NOW-KIND NOW-MODE NOW-SHA256 PATH
 *   owner     ORIG-UID ORIG-GID PATH    (the file's owner before; unapply keeps it)
 *   dir       PATH                      (created by apply)
 *   quilt     PATH                      (a file of quilt's .pc/ apply wrote)
 *   gone-dir  MODE UID GID PATH         (apply removed it if emptied; unapply
 *                                        re-creates it as it was)
 *   next-blob N
 * ID is the patch's identity: what it changes (ap_patch_identity,
 * identity.h, its version 3), so editing a DEP-3 header or regenerating
 * the patch in another form (quilt's, git's, diff -u's, CRLF, other index
 * abbreviations or timestamps, files in another order, a change aligned
 * another way) changes nothing. ORIG-BLOB
 * names TREE/.applypatch/orig/N, the file's bytes before the first patch
 * touched it ("-": it did not exist). NOW-* is the file as apply left it,
 * by content (the SHA-256 of the bytes written, or of a symlink's target)
 * and mode, never by inode or mtime: touch, cp -a, tar and moving the tree
 * keep it clean; an edit is noticed before unapply discards it.
 * Version 4 (the same lines; ID the identity by version 2's rule,
 * ap_patch_identity_v2, blind to where a change is), version 3 (the same
 * lines; ID by version 1's rule, ap_patch_identity_v1), version 2 (ID the
 * SHA-256 of the diff's bytes,
 * from the first file header, ap_patch_id) and version 1 (NOW-SIZE
 * NOW-INO NOW-MTIME, ID the SHA-256 of the whole file) are still read:
 * their IDs are compared as they were computed, and a file whose version
 * 1 stat still matches is hashed then. The next apply that adds to the
 * record writes it as version 5. Older applypatch refuses a record of a
 * version it does not know.
 *
 *   ap_state_load / _parse / _format / _free   the record read and written
 *   ap_state_patch_add, _file_add, _gone_dir_add   what apply adds to it
 *   ap_state_file_find / _compare, _gone_dir_find  what unapply and status look up
 *   ap_state_sha                               the sum a record keeps for bytes
 */
#ifndef AP_STATE_H
#define AP_STATE_H

#include "buf.h"
#include "error.h"
#include "hash.h"
#include "strmap.h"
#include "tree.h"

#define AP_STATE_VERSION 5

typedef struct ap_state_patch {
	char *name;
	char *status;                /* applied | already-applied */
	char sha256[AP_SHA256_HEX];
	int strip;
} ap_state_patch;

typedef struct ap_state_file {
	char *path;
	char *orig_blob;             /* NULL: did not exist before */
	mode_t orig_mode;            /* its permission bits; with S_IFLNK: it was a symlink */
	int orig_owned;              /* orig_uid/gid known (an `owner` line) */
	uid_t orig_uid;
	gid_t orig_gid;
	ap_file_state now;           /* exists=0: apply deleted it; kind and mode */
	char now_sha[AP_SHA256_HEX]; /* of the bytes written; "" unknown (never matches) */
} ap_state_file;

typedef struct ap_state_dir {
	char *path;
	mode_t mode;
	uid_t uid;
	gid_t gid;
} ap_state_dir;

typedef struct ap_state {
	int version;                 /* as read: 1 (patch ids are whole-file sums), 2 (sums of
	                                the diff's bytes), 3 (version 1 identities), 4
	                                (version 2 identities) or 5 (identities) */
	char *platform;
	ap_state_patch *patches;
	size_t npatches, pcap;
	ap_state_file *files;
	size_t nfiles, fcap;
	ap_strlist dirs;
	ap_strlist quilt;            /* files of .pc/ apply wrote (quiltpc.h) */
	ap_state_dir *gone;          /* directories apply may have removed */
	size_t ngone, gcap;
	ap_strmap gone_index;        /* path -> position in gone + 1 */
	unsigned long next_blob;
	ap_strmap index;             /* path -> position in files + 1 */
} ap_state;

#define AP_STATE_INIT { 0 }

/* Loads TREE/.applypatch/state; *found = 0 (and ok) when there is none. */
int ap_state_load(ap_state *s, ap_tree *t, int *found, ap_error *err);
int ap_state_parse(ap_state *s, const char *text, size_t len, const char *where, ap_error *err);
int ap_state_format(const ap_state *s, ap_buf *out);
void ap_state_free(ap_state *s);

ap_state_file *ap_state_file_find(ap_state *s, const char *path);
ap_state_file *ap_state_file_add(ap_state *s, const char *path);
/* Records a directory apply may remove, unless one is recorded already
 * (the first record holds the directory as it was originally). */
int ap_state_gone_dir_add(ap_state *s, const char *path, mode_t mode, uid_t uid, gid_t gid);
const ap_state_dir *ap_state_gone_dir_find(const ap_state *s, const char *path);
int ap_state_patch_add(ap_state *s, const char *name, const char *status, const char *sha,
		       int strip);

/* Whether the file on disk is still as apply left it: kind, mode and the
 * SHA-256 of its bytes (a symlink's target). *disk gets its stat; when
 * data is non-NULL, *data gets a regular file's bytes or a symlink's
 * target, as disk->symlink says (the caller frees them; NULL when the
 * path is absent, a directory, or a FIFO, device or socket: those are
 * changed, and never opened). */
int ap_state_file_compare(ap_tree *t, const ap_state_file *f, ap_file_state *disk, int *same,
			  char **data, size_t *len, ap_error *err);

/* The SHA-256 a state records for bytes written (a symlink: its target). */
int ap_state_sha(const char *data, size_t len, char out[AP_SHA256_HEX]);

#endif
