/* gitsrc.h - reading GAP's git history with libgit2, never the git binary.
 *
 * What the upstream code and a drift checker need from a repository:
 * name a revision, list the tags and commits to check, read one file at
 * one commit without a checkout, walk the history to find where a change
 * first appears, and export a whole tree to build it. Commits travel as
 * 40-digit hex ids (char[AP_OID_HEX]), so callers need no libgit2 types.
 * Mirrors may be shallow or partial (large blobs left out): a blob the
 * tree names but the object database lacks is reported, not fatal, where
 * that makes sense.
 *
 *   ap_git_open / _free          a repository
 *   ap_git_resolve, _rev_list, _tags, _first_parents, _contains, _commit_time
 *                                revisions, history and tags (ap_version_cmp orders tags)
 *   ap_git_read / _entry_id      a file in a commit, or its blob id
 *   ap_git_export                a revision written out as a tree
 */
#ifndef AP_GITSRC_H
#define AP_GITSRC_H

#include "error.h"
#include "fileio.h"
#include "strmap.h"

#include <stddef.h>

#define AP_OID_HEX 41           /* 40 hex digits and a NUL */
#define AP_GIT_MISSING 1        /* return value: the object is not in this mirror */

typedef struct ap_git ap_git;

/* Opens the repository at path: a work tree's top directory, its .git, or
 * a bare repository (no search upwards). */
int ap_git_open(ap_git **out, const char *path, ap_error *err);
void ap_git_free(ap_git *g);
const char *ap_git_path(const ap_git *g);

/* The commit a revision names: a tag (annotated or not), a branch, a full
 * or abbreviated commit id, or any single-commit git revision expression
 * ("v4.10.2^", "master~3"). A range ("A..B") is an error here. */
int ap_git_resolve(ap_git *g, const char *rev, char oid[AP_OID_HEX], ap_error *err);

/* A commit's committer time (seconds since the epoch). */
int ap_git_commit_time(ap_git *g, const char *commit, long long *when, ap_error *err);

/* Whether commit's history holds ancestor (both full ids; a commit holds
 * itself): 1 yes, 0 no, -1 error. */
int ap_git_contains(ap_git *g, const char *commit, const char *ancestor, ap_error *err);

/* The commits a spec names, oldest first, appended to out as hex ids:
 * "A..B" lists those reachable from B and not from A (as git log A..B,
 * in topological order), a single revision lists that one commit. */
int ap_git_rev_list(ap_git *g, const char *spec, ap_strlist *out, ap_error *err);

/* The tags whose names match glob (fnmatch; NULL matches all), appended
 * to out in version order, oldest first: v4.9.3 < v4.10.0 < v4.10.10, and
 * a pre-release before its release (v4.11.0-beta1 < v4.11.0). */
int ap_git_tags(ap_git *g, const char *glob, ap_strlist *out, ap_error *err);

/* Orders two version-like names the way ap_git_tags does (<0, 0, >0). */
int ap_version_cmp(const char *a, const char *b);

/* The first-parent history of rev, oldest first, rev itself last (the
 * main line of a merge-based history; stops at a shallow clone's edge).
 * Walk it to find the first commit whose tree has a change. */
int ap_git_first_parents(ap_git *g, const char *rev, ap_strlist *out, ap_error *err);

/* Reads path (relative to the tree's root) in a commit's tree. A missing
 * path is st->exists == 0 and returns 0; a directory is st->dir with no
 * data; a symbolic link is st->symlink with its target as data; mode is
 * 0644 or 0755. *data is malloc'd with a NUL after its len bytes. Returns
 * AP_GIT_MISSING, err filled, when the blob is not in this mirror. */
int ap_git_read(ap_git *g, const char *commit, const char *path, ap_file_state *st,
		char **data, size_t *len, ap_error *err);

/* The id of the blob (or tree) at path in commit, without reading it:
 * equal ids mean equal contents, so a history walk can skip the unchanged
 * commits. *exists = 0 when the path is not there. */
int ap_git_entry_id(ap_git *g, const char *commit, const char *path, char oid[AP_OID_HEX],
		    int *exists, ap_error *err);

/* Writes the tree of rev into dest (made in a staging directory beside it
 * and renamed at the end; dest must be missing or empty). keep (may be
 * NULL) is asked about each path, directories included, and returns 0 to
 * leave it out. Blobs missing from the mirror are skipped and their paths
 * appended to missing; submodules become empty directories. The commit id
 * written goes to oid. */
typedef int (*ap_git_keep_fn)(const char *path, int is_dir, void *ctx);
int ap_git_export(ap_git *g, const char *rev, const char *dest, ap_git_keep_fn keep, void *ctx,
		  ap_strlist *missing, char oid[AP_OID_HEX], ap_error *err);

#endif
