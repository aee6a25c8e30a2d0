/* build.h - building the patched GAP that verify probes.
 *
 * Native: the upstream is prepared (source.h) into BUILD/PLATFORM/src,
 * the series for the platform applied there (worktree.h), then
 * `./configure && make V=1 -jN`, everything written to BUILD/PLATFORM/
 * build.log. A fingerprint of the inputs (upstream identity, each selected
 * patch's sha256, platform, configure options, compiler) is kept beside
 * it: unchanged inputs reuse the build.
 *
 * The emulated (Cygwin on Linux) build made from a native one is
 * emulate.h's; the log it replays, buildlog.h's; the fingerprint,
 * fingerprint.h's.
 *
 *   ap_build_native / _free   the patched GAP built (or reused) natively
 *   ap_build_libgap           libgap and a driver linked against it
 */
#ifndef AP_BUILD_H
#define AP_BUILD_H

#include "error.h"
#include "source.h"

#include <stddef.h>

/* Called as the build goes: phase is "prepare", "apply", "configure",
 * "make", "emulate"; done/total count compiled units (total 0: unknown);
 * line is the latest output line (may be NULL). */
typedef void (*ap_build_progress)(void *ctx, const char *target, const char *phase,
				  size_t done, size_t total, const char *line);

typedef struct ap_build_opts {
	const ap_upstream *upstream;
	const char *patches_dir;         /* NULL: build the upstream as it is */
	const char *units_from;          /* a series, not applied or applied in part
					    (patches_dir: it less one patch), whose
					    files decide the emulated units */
	const char *build_dir;
	int jobs;                        /* 0: the number of cores */
	const char *const *configure_args;   /* NULL-terminated, may be NULL */
	int force;                       /* rebuild even when nothing changed */
	ap_build_progress progress;
	void *progress_ctx;
} ap_build_opts;

typedef struct ap_build {
	char *platform;
	char *dir;                       /* BUILD/PLATFORM */
	char *tree;                      /* BUILD/PLATFORM/src: configured and built */
	char *binary;                    /* TREE/gap */
	char *log;                       /* BUILD/PLATFORM/build.log */
	char *identity;                  /* of the upstream */
	char *failed_step;               /* on error: prepare, apply, configure, make */
	char **patches;                  /* the patches applied, in order */
	size_t npatches;
	int reused;
	double seconds;
} ap_build;

int ap_build_native(const ap_build_opts *o, const char *platform, ap_build *b, ap_error *err);
void ap_build_free(ap_build *b);

/* libgap, the way Sage uses it: `make V=1 libgap.la` in the native tree,
 * then a small driver program (written and compiled here) that calls
 * GAP_Initialize(argc, argv, ...) with its own arguments (so it is probed
 * like gap itself) and links .libs/libgap.so. 4.10.0's signature (with an
 * env argument) is told apart by src/libgap-api.h. *driver: its path. */
int ap_build_libgap(const ap_build_opts *o, const ap_build *native, char **driver,
		    ap_error *err);

#endif
