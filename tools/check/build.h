/* build.h - building the patched GAP that verify probes.
 *
 * Native: the upstream is prepared (source.h) into BUILD/PLATFORM/src,
 * the series for the platform applied there (worktree.h), then
 * `./configure && make V=1 -jN`, everything written to BUILD/PLATFORM/
 * build.log. A fingerprint of the inputs (upstream identity, each selected
 * patch's sha256, platform, configure options, compiler) is kept beside
 * it: unchanged inputs reuse the build.
 *
 * Emulated (Cygwin on Linux): the translation units that the platform's
 * series touches and whose code depends on the platform's configuration
 * macro (SYS_IS_CYGWIN32, directly or through a header they include) are
 * compiled again, from a copy holding the series for that platform, with
 * the macro defined: their compile lines are taken from the native
 * build's `make V=1` log (libtool's too) and the `gap` link line replayed
 * with those objects substituted, giving BUILD/gap-PLATFORM-emulated.
 * Nothing else is rebuilt. A unit that does not compile on Linux is named
 * and the emulation marked incomplete.
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

typedef struct ap_emulation {
	char *platform;
	char *macro;
	char *binary;                    /* BUILD/gap-PLATFORM-emulated */
	char *log;                       /* BUILD/PLATFORM-emulated/emulate.log */
	char **units;                    /* rebuilt with the macro (tree-relative) */
	size_t nunits;
	char **failed;                   /* did not compile with the macro on Linux */
	size_t nfailed;
	char **untouched;                /* touched .c files not depending on the macro */
	size_t nuntouched;
	char **patches;                  /* the platform's series, applied to the units */
	size_t npatches;
	int all_naming;                  /* the series touched no such unit: every unit
					    of gap naming the macro was rebuilt */
	int reused;
	double seconds;
} ap_emulation;

/* platform "cygwin", macro "SYS_IS_CYGWIN32". Needs a native build made
 * by ap_build_native (its tree and its log). */
int ap_build_emulate(const ap_build_opts *o, const ap_build *native, const char *platform,
		     const char *macro, ap_emulation *em, ap_error *err);
void ap_emulation_free(ap_emulation *em);

/* --- pieces, for tests ---------------------------------------------------- */

/* A command line from a build log, split as the shell would (quotes,
 * backslashes; redirections dropped), with the directory it ran in. */
typedef struct ap_logcmd {
	char *cwd;
	char **argv;
	size_t argc;
	size_t lineno;
} ap_logcmd;

typedef struct ap_buildlog {
	ap_logcmd *cmds;
	size_t n, cap;
} ap_buildlog;

/* Reads compile and link commands out of `make V=1` output: a line that
 * runs a C compiler (libtool's "libtool: compile:" and "libtool: link:"
 * lines are taken, its --mode=... wrapper lines are not); directories
 * follow make's "Entering directory" lines, starting at top. */
int ap_buildlog_parse(ap_buildlog *bl, const char *text, size_t len, const char *top,
		      ap_error *err);
void ap_buildlog_free(ap_buildlog *bl);
/* The command compiling src (path as the command names it, relative to
 * its cwd, e.g. "src/sysmem.c"), preferring the one whose object is on
 * link's command line; NULL if none. */
const ap_logcmd *ap_buildlog_compile_of(const ap_buildlog *bl, const char *src,
				      const ap_logcmd *link);
/* The last command linking an executable named name ("gap"). */
const ap_logcmd *ap_buildlog_link_of(const ap_buildlog *bl, const char *name);
/* The argument after -o, or NULL. */
const char *ap_logcmd_output(const ap_logcmd *c);

/* Splits one shell command line into words. */
int ap_shell_split(const char *line, size_t len, char ***argv, size_t *argc, ap_error *err);
void ap_argv_free(char **argv, size_t argc);

#endif
