/* quiltcheck.h - whether a tree still holds what quilt's applied patches
 * made of it.
 *
 * quilt pop refuses a patch that no longer reverse-applies (a file edited
 * after quilt push). The same question, asked forward: every patch in
 * .pc/applied-patches, read from the patches directory .pc/.quilt_patches
 * names, is applied in order to the files as quilt's backups kept them (a
 * file no backup covers, as for a patch found present: as it is now, so the
 * patch must be found there already), and the result is compared with the
 * tree. A patch that cannot be read, or does not apply to the backups,
 * makes every file it touches (or, unread, keeps backups of) a mismatch.
 *
 *   ap_quiltcheck_run / _free
 */
#ifndef AP_QUILTCHECK_H
#define AP_QUILTCHECK_H

#include "error.h"
#include "quiltpc.h"
#include "strmap.h"
#include "tree.h"

typedef struct ap_quiltcheck {
	ap_strlist files;          /* tree paths not as the patches left them */
	ap_strlist patches;        /* parallel: the last patch that touched each */
	char *why;                 /* a patch that could not be checked, or NULL */
} ap_quiltcheck;

/* Checks the tree (shown as tree in messages) against q's applied patches,
 * read from patches_dir (NULL: the directory .pc/.quilt_patches names).
 * 0 with out filled (no files and no why: the tree is as the patches left
 * it), -1 on I/O or memory errors. */
int ap_quiltcheck_run(ap_tree *t, const char *tree, const char *patches_dir,
		      const ap_quiltpc *q, ap_quiltcheck *out, ap_error *err);
void ap_quiltcheck_free(ap_quiltcheck *c);

#endif
