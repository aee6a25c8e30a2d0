/* expect.h - what verify expects of each platform's GAP, and the checks.
 *
 * The expectations file (expectations.conf at the repository's root; the
 * format is in verify(1)) holds, per platform, one check a line:
 *
 *   probe.pool = 1g                  # settings: before any section, or in one
 *   [cygwin]                         # a platform; [cygwin emulated] and
 *   pool.mmap.flags  has MAP_NORESERVE   [cygwin native] hold checks for one mode
 *   pool.default     > 0
 *   fork.commit      <= 64 MiB
 *
 * A check's measurement comes from the probe runs (probe.h); the checks
 * are compared here and the results rendered for people (text) and CI
 * (JSON, JUnit XML).
 *
 *   ap_expect_load / _parse / _free   an expectations file
 *   ap_expect_settings_for, _has_platform, _wants   what it says for a platform
 *   ap_expect_evaluate                the checks against the measurements
 *   ap_target_note / _settle / _free  one platform's outcome
 *   ap_verify_render (_attr)          the outcomes for people and CI
 *   ap_size_parse / _format           "64 MiB" and back
 */
#ifndef AP_EXPECT_H
#define AP_EXPECT_H

#include "buf.h"
#include "error.h"
#include "probe.h"
#include "workload.h"
#include "report.h"

#include <stddef.h>

enum ap_cond_kind { AP_COND_HAS, AP_COND_LACKS, AP_COND_CMP, AP_COND_REPORT };
enum ap_cmp_op { AP_OP_LT, AP_OP_LE, AP_OP_GT, AP_OP_GE, AP_OP_EQ, AP_OP_NE };

typedef struct ap_cond {
	enum ap_cond_kind kind;
	char **words;              /* HAS, LACKS */
	size_t nwords;
	enum ap_cmp_op op;         /* CMP: value = number * unit * pool^a * s^b * forks^c */
	double number;
	int pool_pow, s_pow, forks_pow;
	char *text;                /* as written */
} ap_cond;

typedef struct ap_expect_line {
	char *platform;
	char *mode;                /* NULL (every mode), "native" or "emulated" */
	char *check;
	ap_cond *conds;
	size_t nconds;
	size_t lineno;
} ap_expect_line;

typedef struct ap_expect_settings {
	char *pool;                /* probe.pool: the -s value for the pool checks */
	int forks;                 /* probe.forks */
	int fork_at_library;       /* probe.fork_at = library (else pool) */
	long long noise_bytes;     /* commit.noise */
	char *workload;            /* gmp.workload: GAP input for gmp.fresh_bags */
	char *workload_args;       /* gmp.args: GAP's options for it */
} ap_expect_settings;

typedef struct ap_expect {
	char *path;
	ap_expect_line *lines;
	size_t n, cap;
	/* settings: [0] global, then one per section that sets any */
	struct ap_expect_scope {
		char *platform;    /* NULL: global */
		char *mode;
		char *key, *value;
		size_t lineno;
	} *sets;
	size_t nsets, scap;
} ap_expect;

#define AP_EXPECT_INIT { 0 }

int ap_expect_load(ap_expect *e, const char *path, ap_error *err);
/* Errors read "WHERE:LINE: what is wrong". */
int ap_expect_parse(ap_expect *e, const char *text, size_t len, const char *where,
		    ap_error *err);
void ap_expect_free(ap_expect *e);

/* Whether the file has any check for platform (in any mode). */
int ap_expect_has_platform(const ap_expect *e, const char *platform);
/* Whether a check whose name starts with prefix applies to platform/mode. */
int ap_expect_wants(const ap_expect *e, const char *platform, const char *mode,
		    const char *prefix);
/* The settings in force for platform/mode (defaults: 1g, 4 forks, at the
 * pool, 32 MiB). */
int ap_expect_settings_for(const ap_expect *e, const char *platform, const char *mode,
			   ap_expect_settings *s, ap_error *err);
void ap_expect_settings_free(ap_expect_settings *s);

/* The names of the checks verify knows, NULL-terminated. */
extern const char *const ap_check_names[];

/* --- measurements -------------------------------------------------------- */

typedef struct ap_measures {
	const ap_probe_result *pool_run;     /* gap -s POOL, forks */
	const ap_probe_result *default_run;  /* gap, no -s */
	const ap_probe_result *libgap_run;   /* the libgap driver -s POOL, forks */
	unsigned long long s_bytes;          /* -s POOL in bytes */
	long long noise_bytes;
	const ap_workload_result *workload;  /* gmp.fresh_bags */
} ap_measures;

/* "1g" -> 1073741824 as GAP reads -s; -1 if not a size. */
long long ap_size_parse(const char *s);
/* 2147487744 -> "2048 MiB + 4 KiB"; -2147483648 -> "-2048 MiB" */
void ap_size_format(long long bytes, ap_buf *out);

/* --- check results ------------------------------------------------------- */

typedef struct ap_check_result {
	char *name;
	char *expected;
	char *measured;
	int pass;
	size_t lineno;             /* in the expectations file */
} ap_check_result;

/* Evaluates every check for platform/mode against m; appends results. */
int ap_expect_evaluate(const ap_expect *e, const char *platform, const char *mode,
		       const ap_measures *m, ap_check_result **out, size_t *n, ap_error *err);
void ap_check_results_free(ap_check_result *v, size_t n);

/* One target's outcome, as verify reports it. */
typedef struct ap_target {
	char *platform;
	const char *mode;          /* "native" | "emulated" */
	char *binary;
	char *status;              /* pass | fail | emulation incomplete | error */
	char *error;               /* why verify could not run this target */
	char *log;                 /* the build log to read */
	char **notes;              /* build reused, emulated units, ... */
	size_t nnotes;
	char *pool_command, *default_command;
	ap_check_result *checks;
	size_t nchecks;
} ap_target;

int ap_target_note(ap_target *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sets status from the checks unless already set (error, incomplete). */
void ap_target_settle(ap_target *t);
void ap_target_free(ap_target *t);

/* Renders the targets as text (colour when asked), JSON or JUnit XML. */
int ap_verify_render(ap_buf *out, const ap_target *t, size_t n, ap_format fmt, int color);
/* The same, with each patch's attribution (attribute.h) when attr is not
 * NULL: JSON "attribution" and "patches" keys, a text section (JUnit
 * carries the checks only). */
struct ap_attribution;
int ap_verify_render_attr(ap_buf *out, const ap_target *t, size_t n,
			  const struct ap_attribution *attr, ap_format fmt, int color);

#endif
