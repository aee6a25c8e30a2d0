/* emulate.h - Cygwin's build of GAP, emulated on Linux from a native build.
 *
 * The translation units that the platform's series touches and whose code
 * depends on the platform's configuration macro (SYS_IS_CYGWIN32, directly
 * or through a header they include) are compiled again, from an overlay
 * holding the series for that platform, with the macro defined: their
 * compile lines are taken from the native build's `make V=1` log
 * (libtool's too, buildlog.h) and the `gap` link line replayed with those
 * objects substituted, giving BUILD/gap-PLATFORM-emulated. Nothing else is
 * rebuilt. A unit that does not compile on Linux is named and the
 * emulation marked incomplete.
 *
 *   ap_build_emulate     the emulated binary from a native build
 *   ap_emulation_free
 */
#ifndef AP_EMULATE_H
#define AP_EMULATE_H

#include "build.h"
#include "error.h"

#include <stddef.h>

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

#endif
