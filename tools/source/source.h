/* source.h - where GAP's sources come from, in four forms.
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
 *
 *   ap_pin_*            the pinned release: load, find, match, write (pin.c)
 *   ap_fetch, _pin      a download, resumed and checked (fetch.c)
 *   ap_unpack, _fd      a tarball unpacked safely; ap_tarball_open (unpack.c)
 *   ap_upstream_*       an upstream prepared as a tree, or told apart (source.c)
 *   ap_source_*         an upstream read file by file, as a vtree loader
 *   ap_staging_*, ap_dest_usable, ap_rmtree, ap_sha256_file   shared pieces
 */
#ifndef AP_SOURCE_H
#define AP_SOURCE_H

#include "error.h"
#include "fileio.h"
#include "strmap.h"
#include "sums.h"

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

/* --- the pinned release (package-version.txt, checksums.ini) ------------ */

typedef struct ap_pin {
	char *version;          /* "4.10.2" */
	char *tarball;          /* "gap-4.10.2.tar.gz" */
	char *sha256;           /* NULL when checksums.ini gives none */
	char *url;              /* with VERSION substituted */
	char *package_version;  /* as written, with Sage's ".pN" patch level;
	                           version is this without it */
	char *sha1, *md5;       /* lowercase hex, NULL when not given */
	char *cksum;            /* cksum(1)'s CRC in decimal, NULL when not given */
	char *dir;              /* the directory the two files were read from */
	char *ini;              /* dir/checksums.ini */
} ap_pin;

/* Reads upstream_dir/package-version.txt and upstream_dir/checksums.ini
 * (Sage's format: tarball=, sha1=, md5=, cksum=, sha256=, upstream_url=;
 * at least one of the sums); url is NULL when checksums.ini has no
 * upstream_url. Errors name the file and line. */
int ap_pin_load(ap_pin *pin, const char *upstream_dir, ap_error *err);
void ap_pin_free(ap_pin *pin);

/* The pin of a package directory: beside spkg-install
 * (PKGDIR/checksums.ini, where Sage keeps it) or in PKGDIR/upstream/; both
 * at once is an error, as is neither. The tarball itself is looked for
 * and downloaded into PKGDIR/upstream/ either way. */
int ap_pin_find(ap_pin *pin, const char *pkgdir, ap_error *err);

/* 1 when got matches every sum the pin gives; 0 when one does not,
 * with *why (malloc'd) saying, per sum, "NAME mismatch\n  expected X\n
 * got      Y". */
int ap_pin_match(const ap_pin *pin, const ap_sums *got, char **why);

/* The sums the pin gives, "sha1, md5, cksum" (malloc'd). */
char *ap_pin_sums_named(const ap_pin *pin);

/* Rewrites pin->ini with got's four sums in Sage's order
 * (tarball=, sha1=, md5=, cksum=, sha256=, upstream_url=), keeping the
 * tarball= and upstream_url= values as written and any other lines after
 * them; the file is replaced whole (written beside it, then renamed). */
int ap_pin_write(const ap_pin *pin, const ap_sums *got, ap_error *err);

/* --- fetch.c -------------------------------------------------------------- */

/* How far a download has come, for a progress display the caller draws. */
typedef struct ap_fetch_progress {
	long long done;         /* bytes in dest.part so far (resumed bytes included) */
	long long total;        /* the whole file's size, or 0 when the server did not say */
	double rate;            /* bytes per second in this transfer */
	int finished;           /* the transfer ended: the last call of this transfer */
} ap_fetch_progress;

typedef struct ap_fetch_opts {
	/* called a few times a second while bytes arrive (NULL: not at all) */
	void (*progress)(void *ctx, const ap_fetch_progress *p);
	void *progress_ctx;
	long timeout_s;         /* 0: none */
	int retries;            /* after an interrupted transfer, try this many
	                           more times, resuming (0: give up at once) */
} ap_fetch_opts;

#define AP_FETCH_OPTS_INIT { NULL, NULL, 0, 0 }

/* What a download did. */
typedef struct ap_fetch_result {
	int reused;             /* dest was there already with the right sum */
	long long resumed_from; /* bytes of dest.part kept from an earlier run */
	long long bytes;        /* bytes received by this run */
	int restarted;          /* the .part was discarded and downloaded again */
} ap_fetch_result;

/* Downloads url to dest (via dest.part, resuming it if present), checks
 * its sha256 before renaming it into place; on a mismatch keeps nothing
 * under dest and says which file and both sums. An existing dest with the
 * right sum is reused without a download. o may be NULL (no progress, no
 * timeout, no retry), res too. timeout_s bounds the connection and any
 * stall (no byte for that long), not the whole transfer. A transfer
 * interrupted for good keeps dest.part for the next run to resume; the
 * error says how much arrived. */
int ap_fetch(const char *url, const char *dest, const char *sha256, const ap_fetch_opts *o,
	     ap_fetch_result *res, ap_error *err);

/* The same, checking every sum the pin gives (sha1, md5, cksum, sha256). */
int ap_fetch_pin(const ap_pin *pin, const char *url, const char *dest, const ap_fetch_opts *o,
		 ap_fetch_result *res, ap_error *err);

/* --- unpack.c ------------------------------------------------------------- */

typedef struct ap_unpack_opts {
	int full;               /* 0: skip pkg/ but for the packages GAP needs to start */
	int strip_top;          /* drop the tarball's top directory (gap-4.10.2/) */
	char **skipped;         /* out: top-level names skipped (malloc'd array) */
	size_t nskipped;
	int dropped_pc;         /* out: the tarball's top-level .pc/ (quilt's record) left out */
	unsigned long long max_bytes;    /* the most it writes (0: AP_UNPACK_MAX_BYTES) */
	unsigned long long max_entries;  /* the most entries it reads (0: _MAX_ENTRIES) */
} ap_unpack_opts;

/* A decompression bomb must not fill the disk: past either limit the
 * tarball is refused before the entry is written. GAP 4.10's tarball with
 * every package unpacks to a few hundred MB in some tens of thousands of
 * entries. A file's size counts as declared (a sparse file by the size it
 * claims, holes and all), so no entry is written that would pass it. */
#define AP_UNPACK_MAX_BYTES (8ULL << 30)
#define AP_UNPACK_MAX_ENTRIES 1000000ULL

/* Unpacks with ARCHIVE_EXTRACT_SECURE_NODOTDOT, _NOABSOLUTEPATHS and
 * _SYMLINKS; a hostile entry (absolute, "..", through a symlink, a hard
 * link onto an existing path) refuses the whole tarball, naming it. */
int ap_unpack(const char *tarball, const char *dest, ap_unpack_opts *o, ap_error *err);
/* The same from a descriptor ap_tarball_open gave (rewound first; not
 * closed): what was hashed through fd is what is unpacked. tarball names
 * it in messages. */
int ap_unpack_fd(int fd, const char *tarball, const char *dest, ap_unpack_opts *o,
		 ap_error *err);
/* Opens a tarball for reading: a regular, non-empty file, else -1 with err
 * naming path and what it is (a FIFO or device is never read, so never
 * hangs). The fd is close-on-exec. */
int ap_tarball_open(const char *path, ap_error *err);
void ap_unpack_opts_free(ap_unpack_opts *o);

/* strip_top may also be AP_UNPACK_STRIP_AUTO: drop the top
 * directory when every entry is inside one (a release tarball), keep the
 * names as they are otherwise (a tarball of a tree's contents). */
#define AP_UNPACK_STRIP_AUTO 2

/* Whether the kernel-only selection (full == 0) keeps path, a path
 * relative to the tree's root: all but pkg/NAME..., where NAME is
 * (ignoring case, alone or followed by '-', '.' or '_' and a version) one
 * of the 18 packages Sage's GAP 4.10.2.p1 installs: gapdoc, primgrp,
 * smallgrp, transgrp (GAP needs them to start) and atlasrep, autpgrp,
 * alnuth, crisp, ctbllib, factint, fga, irredsol, laguna, polenta,
 * polycyclic, resclasses, sophus, tomlib. When it does not, *skipped (if non-NULL)
 * is set to the length of the "pkg/NAME" prefix to report. */
int ap_upstream_wanted(const char *path, size_t *skipped);

/* Staging, shared by every way of producing a tree. A tree is made
 * in a staging directory beside dest (dest/../.NAME.staging-XXXXXX), and
 * renamed to dest only once complete, so a failure leaves nothing. */
int ap_dest_usable(const char *dest, ap_error *err);  /* missing, or an empty dir */
char *ap_staging_dir(const char *dest, ap_error *err); /* malloc'd path, created 0700 */
int ap_staging_commit(const char *staging, const char *dest, ap_error *err);
int ap_rmtree(const char *path);   /* rm -rf, never following a symlink */

/* How many directories deep a tree copied or digested may go (GAP's is
 * about 10): deeper is refused with an error, never a stack overflow. */
#define AP_TREE_DEPTH_MAX 256

/* A symbolic link of a directory copied or a git revision exported,
 * judged by the rule a tarball's are (ap_path_symlink_inside): its target
 * must lead down into the tree. 0, or -1 with err naming the link (path,
 * relative to the tree's root) and its target. */
int ap_source_link_check(const char *path, const char *target, size_t len, ap_error *err);

/* An archive entry's name cleaned ("./a//b/" -> "a/b", "./" -> ""),
 * or NULL with *why saying what makes it unsafe (absolute, ".."). */
char *ap_archive_name(const char *raw, const char **why);

/* SHA-256 of a file's bytes, read in pieces (a tarball does not
 * fit in memory comfortably), as lowercase hex. */
int ap_sha256_file(const char *path, char out[65], ap_error *err);

/* --- source.c: prepare a tree, or read files on demand ---------------------- */

/* ap_upstream_prepare produces a buildable tree of u in dest (created; must
 * not exist or be empty). A git tree gets `./autogen.sh` run when it has no
 * configure (unless no_autogen). *identity is a malloc'd string naming
 * exactly what was prepared (tarball sha256, commit id, or a digest of a
 * directory's files), for reusing builds. unpack.full
 * and unpack.skipped apply to every form (a directory or git tree skips
 * pkg/ the same way); a tarball's single top directory is always dropped.
 * PINNED downloads the tarball (with fetch) when it is not there yet.
 * autogen_log, when set, receives autogen.sh's output; on failure its
 * last lines are in the error either way. */
typedef struct ap_prepare_opts {
	ap_unpack_opts unpack;
	ap_fetch_opts fetch;    /* PINNED only */
	int no_autogen;
	const char *autogen_log;
	/* out */
	ap_strlist missing;     /* GIT: blobs absent from a shallow/partial mirror */
	int ran_autogen;
} ap_prepare_opts;

int ap_upstream_prepare(const ap_upstream *u, const char *dest, ap_prepare_opts *o,
			char **identity, ap_error *err);
void ap_prepare_opts_free(ap_prepare_opts *o);

/* The path of u's tarball (TARBALL: location; PINNED:
 * location/upstream/<tarball> per checksums.ini), malloc'd; with PINNED
 * also the expected sha256 (malloc'd) when want_sha is non-NULL. */
/* A local upstream named by a path: a directory, else a tarball. Fills u
 * (u->location is path) even when path cannot be stat'ed, as a tarball,
 * and then returns -1 with err naming path and the system's reason. */
int ap_upstream_local(ap_upstream *u, const char *path, ap_error *err);

int ap_upstream_tarball(const ap_upstream *u, char **path, char **want_sha, ap_error *err);

typedef struct ap_source ap_source;

/* paths (NULL-terminated, may be NULL = all) lets a tarball source read only
 * the members named, in one pass. (A tarball source reads the members
 * named at open time; reading another path later costs one more pass.
 * PINNED checks the tarball's sha256 before reading it. A git source
 * resolves rev once, at open.) */
int ap_source_open(ap_source **out, const ap_upstream *u, const char *const *paths,
		   ap_error *err);
/* Same signature as ap_vtree_loader: a missing file is st->exists == 0. */
int ap_source_read(void *source, const char *path, ap_file_state *st, char **data, size_t *len,
		   ap_error *err);
const char *ap_source_label(const ap_source *s);   /* "v4.10.2", "gap-4.10.2.tar.gz" */
/* What exactly is read: "git:<commit id>", "sha256:<hex>" for the
 * PINNED tarball (checked at open), "tarball:PATH" or "dir:PATH". */
const char *ap_source_identity(const ap_source *s);
void ap_source_free(ap_source *s);

#endif
