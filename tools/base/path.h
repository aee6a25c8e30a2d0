/* path.h - which relative paths a patch may name.
 *
 * Every path a patch names must stay inside the tree: no absolute paths,
 * no "..", no empty components, no NUL, newline or other control
 * character (so records can separate fields with tabs), no backslash
 * (Windows reads it as '/'), nothing inside .git or inside applypatch's
 * own state directory, nor under a name that NTFS or HFS+ reads as one of
 * those (".git.", "GIT~1", ".git::$INDEX_ALLOCATION", ".g\u200cit": the
 * rules of git's verify_path, is_ntfs_dotgit and is_hfs_dotgit), on every
 * platform, since a tree may be copied to those file systems.
 *
 *   ap_path_unsafe / _bad_for_tree / _in_state_dir   what a path may not be
 *   ap_path_strip           -pN
 *   ap_path_symlink_inside  whether a link target stays in the tree
 *   ap_path_show            a name made fit for a message
 */
#ifndef AP_PATH_H
#define AP_PATH_H

#include <stddef.h>

#define AP_STATE_DIR ".applypatch"

/* NULL when path is acceptable, else a phrase saying why it is not
 * ("is absolute", "has a '..' component", ...). */
const char *ap_path_unsafe(const char *path, size_t len);

/* Whether a tree-relative path is applypatch's state directory or inside
 * it (also under a name NTFS or HFS+ reads as that): a tree from outside
 * (a tarball, a git revision, a copied folder) must never bring one, or
 * its records could make unapply write any bytes with any mode. */
int ap_path_in_state_dir(const char *path, size_t len);
#define AP_STATE_DIR_FOREIGN                                                              \
	"is applypatch's state directory " AP_STATE_DIR " or inside it: a fresh upstream "   \
	"has none, and one brought in could make 'applypatch unapply' write any bytes with " \
	"any mode; remove it from the source (or unapply there first)"

/* NULL when path may be handed to the tree module: relative, no empty,
 * "." or ".." components, no control characters. Looser than
 * ap_path_unsafe (the state directory is allowed), for applypatch's own
 * paths and as a last line of defence in tree.c. */
const char *ap_path_bad_for_tree(const char *path);

/* Removes n leading components ("a/b/c" -p1 -> "b/c"), as patch -pN does:
 * runs of slashes count as one. NULL when there are not enough. */
const char *ap_path_strip(const char *path, int n);

/* Whether a symlink at link_path (relative to the tree's root) may have
 * this target: leading "../" no more than the directories above the link,
 * then a safe path leading down (no "." or ".." components), so that no
 * chain of such links leaves the tree. */
int ap_path_symlink_inside(const char *link_path, const char *target, size_t len);

/* Renders a name for a message into out, escaping control bytes so a
 * hostile name cannot act on the terminal; long names are cut with "...". */
void ap_path_show(const char *s, size_t len, char *out, size_t outsz);

#endif
