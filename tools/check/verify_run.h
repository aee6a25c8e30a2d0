/* verify_run.h - one verify run: build, emulate, probe, check.
 *
 * The whole pipeline behind the verify command: the native build (and
 * libgap, when the expectations ask for it), the Cygwin emulation, each
 * target's probe runs (measured again when the commit charge reads as
 * noise), the expectations evaluated, and the notes a reader needs (what
 * was reused, rebuilt, applied). Progress goes through the callback; the
 * library prints nothing.
 *
 * With attribute, each patch of the series is then left out in turn
 * (attribute.h): a variant build per patch and target, probed like the
 * whole, and PATCHES/attribution written. With no_patches and a series
 * that has that file, each patch gets its verdict on this upstream.
 *
 *   ap_verify_check   whether the options make sense (a usage error if not)
 *   ap_verify_run     every target's outcome
 *   ap_verify_result_free
 */
#ifndef AP_VERIFY_RUN_H
#define AP_VERIFY_RUN_H

#include "attribute.h"
#include "build.h"
#include "error.h"
#include "expect.h"

#include <stddef.h>

#define AP_VERIFY_MAX_TARGETS 4

typedef struct ap_verify_opts {
	const ap_expect *expect;
	const char *probe;                  /* an installed GAP: no build */
	const char *upstream;               /* tarball or directory; NULL: pinned */
	const char *git, *rev;              /* or a revision of a git repository */
	const char *patches_dir;            /* NULL: ./patches if present */
	int no_patches;
	int attribute;                      /* leave each patch out in turn */
	const char *platform;               /* linux, cygwin, all (NULL: all) */
	const char *build_dir;              /* NULL: build-gap */
	int jobs;
	const char *const *configure_args;  /* NULL-terminated, may be NULL */
	int force;
	const char *gap_root;               /* -l for GAP */
	const char *trace;                  /* the pool run's system calls, or NULL */
	ap_build_progress progress;         /* phase "probe": line is the binary */
	void *progress_ctx;
} ap_verify_opts;

typedef struct ap_verify_result {
	ap_target targets[AP_VERIFY_MAX_TARGETS];
	size_t n;
	ap_attribution attr;                /* --attribute, or read back with --no-patches */
	int have_attr;
	int status;      /* 0 every expectation holds, 1 one does not or an
			    emulation is incomplete, 2 a target could not run */
} ap_verify_result;

/* -1 (err says what to give instead) when the options cannot work. */
int ap_verify_check(const ap_verify_opts *o, ap_error *err);
/* -1 only when no target could even be set up (err set); otherwise every
 * target's outcome is in r, each settled, and r->status summarizes. */
int ap_verify_run(const ap_verify_opts *o, ap_verify_result *r, ap_error *err);
void ap_verify_result_free(ap_verify_result *r);

#endif
