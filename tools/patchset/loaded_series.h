/* loaded_series.h - a series with its patch files read from disk.
 *
 *   ap_loaded_series_load         read, hash and parse the patches of a series
 *   ap_loaded_series_load_hashes  the same for every patch, errors told later
 *   ap_loaded_series_parse        one patch's parse, or its error (load_hashes)
 *   ap_loaded_series_held         whether a patch is held (read, not dropped)
 *   ap_loaded_series_identities_old the identities by an older rule
 *   ap_loaded_series_drop         free one patch's bytes and parse
 *   ap_loaded_series_free         free it all
 *
 * Used by apply, unapply and status (worktree), drift and refresh, and
 * verify. A patch that cannot be read or parsed is not an error of the
 * load: errors[i] says what is wrong with it, and the caller decides.
 *
 * A series of 16 patches or more is loaded by up to 4 threads (the online
 * CPUs), each patch into its own slots, so the result does not depend on
 * them; AP_LOAD_THREADS=N in the environment forces N (1 to 16), for the
 * tests. What a load calls must stay thread-safe: fileio's reads, hash
 * (OpenSSL's EVP, thread-safe since 1.1), the patch parser and identity,
 * error (its strerror is one POSIX lets be unsafe; glibc's, from 2.32,
 * and musl's are safe, which a port to another libc must check).
 */
#ifndef AP_LOADED_SERIES_H
#define AP_LOADED_SERIES_H

#include "error.h"
#include "hash.h"
#include "patch.h"
#include "series.h"

#include <stddef.h>

typedef struct ap_loaded_series {
	ap_series series;
	char *dir;
	ap_patch *patches;         /* parallel to series.v */
	char **errors;             /* NULL where the patch parsed */
	char (*sha256)[AP_SHA256_HEX];      /* identity: ap_patch_identity (identity.h) */
	char (*sha256_old)[AP_SHA256_HEX];  /* by identity rule old_rule: 1 for state version
	                                       3, 2 for state version 4; NULL until
	                                       ap_loaded_series_identities_old */
	int old_rule;
	char (*diff_sha256)[AP_SHA256_HEX]; /* its diff's bytes (state version 2) */
	char (*file_sha256)[AP_SHA256_HEX]; /* the whole file's (state version 1) */
	char **pending;            /* load_hashes: why patches[i] did not parse,
	                              told by ap_loaded_series_parse */
	unsigned char *held;       /* read (parsed or pending), not dropped */
} ap_loaded_series;

/* Loads the series in dir for platform and reads and parses its selected
 * patches (every patch when all): patches[i] is parsed when errors[i] is
 * NULL. strip is the -pN of series lines that name none (1 unless the
 * user said -p N). */
int ap_loaded_series_load(ap_loaded_series *ls, const char *dir, const char *platform, int all,
			  int strip, ap_error *err);
/* Like it for every patch, selected or not, but a patch that does not
 * parse is not an error yet: ap_loaded_series_parse says so when the
 * caller gets to it (and returns 0 for a parsed one: each patch is parsed
 * once, at load, for its identity and for applying it). Each patch's
 * parse holds its bytes and line arrays; ap_loaded_series_drop frees one
 * when it is done with. */
int ap_loaded_series_load_hashes(ap_loaded_series *ls, const char *dir, const char *platform,
				 int strip, ap_error *err);
int ap_loaded_series_parse(ap_loaded_series *ls, size_t i);
int ap_loaded_series_held(const ap_loaded_series *ls, size_t i);
/* Fills sha256_old for every held patch by identity rule 1 or 2 (a patch
 * that did not parse has the same one in every version: its diff's
 * bytes'); -1 out of memory. For a state record of version 3 (version 1
 * identities) or 4 (version 2 identities). */
int ap_loaded_series_identities_old(ap_loaded_series *ls, int rule);
void ap_loaded_series_drop(ap_loaded_series *ls, size_t i);
void ap_loaded_series_free(ap_loaded_series *ls);

#endif
