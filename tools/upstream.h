/* upstream.h - where GAP's sources come from, in four forms.
 *
 * An upstream is the pinned download (upstream/checksums.ini), a local
 * tarball, a directory, or a revision of a git repository. Two ways to use
 * one: prepare a whole source tree in a directory (to build it), or open it
 * as a source of single files read on demand (drift reads only the files
 * the patches touch, never unpacking or checking out the rest).
 *
 * Module split: fetch.c (libcurl download, resume, sha256), unpack.c
 * (libarchive with its secure-extraction flags), gitsrc.c (libgit2, no git
 * binary), source.c (this header's ap_source and ap_upstream_prepare).
 */
#ifndef AP_UPSTREAM_H
#define AP_UPSTREAM_H

#include "error.h"
#include "tree.h"

#include <stddef.h>

typedef enum ap_upstream_kind {
	AP_UPSTREAM_PINNED,   /* download per upstream/checksums.ini */
	AP_UPSTREAM_TARBALL,  /* a local .tar.gz/.tar.bz2/.tar.xz/.tar */
	AP_UPSTREAM_DIR,      /* an unpacked tree */
	AP_UPSTREAM_GIT,      /* REPO at REV (a tag, branch or commit) */
} ap_upstream_kind;

typedef struct ap_upstream {
	ap_upstream_kind kind;
	const char *location;   /* tarball path, directory, repository; for
	                           PINNED the package dir holding upstream/ */
	const char *rev;        /* GIT only */
} ap_upstream;

/* --- the pinned release (upstream/package-version.txt, checksums.ini) -- */

typedef struct ap_pin {
	char *version;          /* "4.10.2" */
	char *tarball;          /* "gap-4.10.2.tar.gz" */
	char *sha256;
	char *url;              /* with VERSION substituted */
} ap_pin;

int ap_pin_load(ap_pin *pin, const char *upstream_dir, ap_error *err);
void ap_pin_free(ap_pin *pin);

/* --- fetch.c -------------------------------------------------------------- */

typedef struct ap_fetch_opts {
	int progress;           /* draw a progress bar on stderr */
	long timeout_s;         /* 0: none */
} ap_fetch_opts;

/* Downloads url to dest (via dest.part, resuming it if present), checks
 * its sha256 before renaming it into place; on a mismatch keeps nothing
 * under dest and says which file and both sums. An existing dest with the
 * right sum is reused without a download. */
int ap_fetch(const char *url, const char *dest, const char *sha256, const ap_fetch_opts *o,
	     ap_error *err);

/* --- unpack.c ------------------------------------------------------------- */

typedef struct ap_unpack_opts {
	int full;               /* 0: skip pkg/ but for the packages GAP needs to start */
	int strip_top;          /* drop the tarball's top directory (gap-4.10.2/) */
	char **skipped;         /* out: top-level names skipped (malloc'd array) */
	size_t nskipped;
} ap_unpack_opts;

/* Unpacks with ARCHIVE_EXTRACT_SECURE_NODOTDOT, _NOABSOLUTEPATHS and
 * _SYMLINKS; a hostile entry (absolute, "..", through a symlink, a hard
 * link onto an existing path) refuses the whole tarball, naming it. */
int ap_unpack(const char *tarball, const char *dest, ap_unpack_opts *o, ap_error *err);
void ap_unpack_opts_free(ap_unpack_opts *o);

/* --- source.c: prepare a tree, or read files on demand ---------------------- */

/* Produces a buildable tree of u in dest (created; must not exist or be
 * empty). A git tree gets `./autogen.sh` run when it has no configure
 * (unless no_autogen). *identity is a malloc'd string naming exactly what
 * was prepared (tarball sha256, commit id, or a digest of a directory's
 * files), for reusing builds. */
int ap_upstream_prepare(const ap_upstream *u, const char *dest, const ap_unpack_opts *uo,
			int no_autogen, char **identity, ap_error *err);

typedef struct ap_source ap_source;

/* paths (NULL-terminated, may be NULL = all) lets a tarball source read only
 * the members named, in one pass. */
int ap_source_open(ap_source **out, const ap_upstream *u, const char *const *paths,
		   ap_error *err);
/* Same signature as ap_vtree_loader: a missing file is st->exists == 0. */
int ap_source_read(void *source, const char *path, ap_file_state *st, char **data, size_t *len,
		   ap_error *err);
const char *ap_source_label(const ap_source *s);   /* "v4.10.2", "gap-4.10.2.tar.gz" */
void ap_source_free(ap_source *s);

#endif
