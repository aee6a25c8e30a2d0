/* series.h - which patches to apply, in what order, for which platform.
 *
 * A quilt `series` file (one patch per line, optional -pN, # comments)
 * whose trailing comment may be a conda-build style selector:
 * `# [cygwin]`, `# [not cygwin]`, `# [linux or (darwin and not cygwin)]`.
 * Without a series file, a conda recipe's meta.yaml in DIR: its `source:
 * patches:` list with `# [selector]` comments (condarecipe.h). Without
 * either, SageMath's convention: DIR/NAME.patch in name order, then
 * DIR/PLATFORM/NAME.patch.
 *
 *   ap_series_load (_lenient) / _free   a patches folder in any of the three layouts
 *   ap_series_dir, ap_series_default_strip, ap_series_platforms
 *   ap_selector_eval                    a selector for a platform
 *   ap_platform_resolve / _detect / _known / _from_uname   platform names
 */
#ifndef AP_SERIES_H
#define AP_SERIES_H

#include "error.h"

#include <stddef.h>

typedef struct ap_series_entry {
	char *name;        /* relative to the patches directory */
	int strip;         /* -pN; 1 when not given */
	int strip_given;   /* the series line says -pN */
	char *selector;    /* text inside [ ], or NULL */
	size_t lineno;     /* in the series file; 0 for the directory convention */
	int selected;      /* for the series' platform */
	char *why;         /* one phrase: why it is in or out */
} ap_series_entry;

typedef struct ap_finding {
	char *where;       /* "patches/series:3" or "patches/foo.patch" */
	char *what;
} ap_finding;

typedef struct ap_series {
	char *dir;
	char *series_path; /* NULL for the directory convention */
	int conda_recipe;  /* series_path is a conda recipe's meta.yaml */
	char *platform;
	ap_series_entry *v;
	size_t n, cap;
	ap_finding *warnings;  /* things quilt users would want to hear */
	size_t nwarnings, wcap;
	int lenient;           /* record line errors in errors[] and go on */
	ap_finding *errors;
	size_t nerrors, ecap;
} ap_series;

#define AP_SERIES_INIT { 0 }

/* Reads the series in dir and selects entries for platform. Errors (a bad
 * selector, an unknown platform word, a patch listed twice, a listed file
 * that is missing) name "DIR/series:LINE". */
int ap_series_load(ap_series *s, const char *dir, const char *platform, ap_error *err);
void ap_series_free(ap_series *s);

/* The patches folder: patches_dir when given, else TREE/patches (tree
 * "." when NULL). Malloc'd; NULL when out of memory. */
char *ap_series_dir(const char *patches_dir, const char *tree);

/* Sets the strip level of entries whose series line names none (the
 * user's -p N, as patch and quilt read it). */
void ap_series_default_strip(ap_series *s, int strip);

/* Like ap_series_load, but an error on one line of the series file is
 * recorded in s->errors and reading goes on (for lint). */
int ap_series_load_lenient(ap_series *s, const char *dir, const char *platform, ap_error *err);

/* Evaluates a selector expression for a platform: 1 true, 0 false, -1 bad
 * (with the reason in err). */
int ap_selector_eval(const char *expr, const char *platform, ap_error *err);

/* The platform names a selector may use (NULL-terminated), and whether a
 * word is one (aliases included). */
extern const char *const ap_platform_names[];
int ap_platform_known(const char *word);

/* The host's platform from uname(2), or NULL when it is none we know. */
const char *ap_platform_detect(void);
/* The platform a run is for: given (--platform) when not NULL, else the
 * host's; -1 when neither is known, with err saying to name one. */
int ap_platform_resolve(const char *given, const char **platform, ap_error *err);

/* The platform for a caller that reads every entry of a series whatever
 * its selectors (lint, refresh, the platform list of drift): selectors are
 * still checked and every entry is listed; the platform only decides the
 * entries' selected flags, which such a caller does not use, and the
 * order of platform subdirectories in the directory convention. */
#define AP_PLATFORM_ANY "linux"
/* Maps a uname sysname ("CYGWIN_NT-10.0", "Linux") to a platform or NULL. */
const char *ap_platform_from_uname(const char *sysname);

/* Every platform a series' selectors mention, for --platform all;
 * returns a malloc'd NULL-terminated array of static strings. */
const char **ap_series_platforms(const ap_series *s);

#endif
