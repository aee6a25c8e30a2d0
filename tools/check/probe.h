/* probe.h - watch a GAP process map its memory pool.
 *
 * On Linux the GAP binary runs under ptrace (no strace): every system
 * call is seen at entry and exit. The pool is the first (with
 * until_lookup: the largest) private anonymous writable mmap of at least
 * 64 MiB made before GAP opens its library's lib/init.g (the kernel maps
 * the pool before reading the library). With GAP stopped right after that
 * mmap the probe reads Committed_AS and the mapping's VmFlags from
 * /proc/PID/smaps, then makes GAP fork N children by injecting clone()
 * calls, measures the commit charge they add, and kills them all.
 *
 * The parsers (meminfo, smaps, the recorded syscall trace) and the trace
 * state machine take text and events, not processes, so tests feed them
 * recorded inputs. The trace language uses x86_64 system call numbers;
 * the tracer runs on x86_64 only and says "unsupported architecture"
 * elsewhere. On Cygwin (no ptrace) the pool pages' state comes from
 * VirtualQueryEx instead (winprobe.c).
 *
 *   ap_probe_run / _result_free   one GAP run watched to its pool
 *   ap_probe_noise                how much Committed_AS moves on its own
 *   ap_probe_script_target        the binary behind a gap shell script
 *   ap_meminfo_get, ap_committed_as_kb, ap_smaps_find, ap_vmflags_has   /proc parsers
 *   ap_sysevent_*, ap_trace_*     the syscall trace and its state machine
 *   ap_winprobe_pool              the pool on native Windows (winprobe.c)
 */
#ifndef AP_PROBE_H
#define AP_PROBE_H

#include "buf.h"
#include "error.h"

#include <stddef.h>

/* Smallest mapping taken for a pool: malloc's own mmaps stay below it. */
#define AP_PROBE_MIN_POOL (64ULL << 20)

/* --- /proc/meminfo and /proc/PID/smaps ----------------------------------- */

/* The value of "KEY:" in meminfo text, in kB; -1 (err set) if absent. */
int ap_meminfo_get(const char *text, size_t len, const char *key, long long *kb,
		   ap_error *err);
/* Committed_AS now, read from /proc/meminfo. */
int ap_committed_as_kb(long long *kb, ap_error *err);

typedef struct ap_smaps_vma {
	unsigned long long start, end;
	char perms[8];
	long long size_kb, rss_kb;
	char *vmflags;            /* "rd wr mr mw me ac", malloc'd */
} ap_smaps_vma;

/* Finds the mapping containing addr in smaps text; -1 (err set) if none
 * does or the text is not smaps. */
int ap_smaps_find(const char *text, size_t len, unsigned long long addr, ap_smaps_vma *out,
		  ap_error *err);
void ap_smaps_vma_free(ap_smaps_vma *v);
/* Whether a VmFlags list holds the two-letter flag. */
int ap_vmflags_has(const char *vmflags, const char *flag);

/* Linux mmap flag and protection bits by name: "MAP_PRIVATE|MAP_ANONYMOUS". */
void ap_mmap_flags_format(unsigned long long flags, ap_buf *out);
void ap_mmap_prot_format(unsigned long long prot, ap_buf *out);

/* --- the system call trace ------------------------------------------------ */

typedef struct ap_sysevent {
	int exit;                 /* 0 at entry, 1 at exit */
	long nr;                  /* x86_64 numbering */
	unsigned long long args[6];   /* entry */
	long long ret;            /* exit */
	char path[512];           /* entry of a call naming a path, else "" */
} ap_sysevent;

/* One line of a recorded trace (no newline):
 *   E NAME ARG0 .. ARG5 ["PATH"]     entry
 *   X NAME RET                       exit
 * NAME is a known call's name or sys_NR; numbers are 0x-hex or decimal. */
void ap_sysevent_format(const ap_sysevent *e, ap_buf *out);
int ap_sysevent_parse(const char *line, size_t len, ap_sysevent *e, ap_error *err);
const char *ap_syscall_name(long nr);     /* NULL when not one we name */

typedef struct ap_mmap_call {
	unsigned long long hint, len, prot, flags;
	unsigned long long addr;  /* the result */
} ap_mmap_call;

enum ap_trace_action {
	AP_TRACE_GO,              /* nothing to do */
	AP_TRACE_CANDIDATE,       /* entry of a possible pool mmap: measure "before" */
	AP_TRACE_POOL,            /* exit of the largest pool mmap so far: measure "after" */
	AP_TRACE_STOP,            /* library opened (at the open's exit) or exit
				     (at its entry): the start-up is over */
};

typedef struct ap_trace {
	unsigned long long min_pool;
	int started;              /* the GAP binary's execve has returned */
	int in_candidate;
	int in_open;               /* entry of an open of lib/init.g seen */
	ap_mmap_call cand;
	int have_pool;
	ap_mmap_call pool;
	long last_nr;
	size_t nevents;
	char stop[600];           /* why tracing stopped, once it has */
	char opening[600];
} ap_trace;

void ap_trace_init(ap_trace *t);
enum ap_trace_action ap_trace_step(ap_trace *t, const ap_sysevent *e);

/* --- running GAP under the probe ---------------------------------------- */

typedef struct ap_probe_opts {
	const char *binary;
	const char *const *args;  /* more arguments (e.g. "-l", ROOT); NULL-terminated */
	const char *pool;         /* value of -s, or NULL for GAP's default */
	int forks;                /* children to fork once the pool is mapped */
	int until_lookup;         /* run on to the library lookup (GAP initialized)
				     and fork there, rather than stopping right
				     after the pool mmap */
	const char *cwd;          /* NULL: the current directory */
	double timeout_s;         /* 0: 60 s */
	const char *trace_log;    /* record every system call here, or NULL */
} ap_probe_opts;

#define AP_PROBE_OPTS_INIT { NULL, NULL, NULL, 0, 0, NULL, 0, NULL }

typedef struct ap_probe_result {
	char *command;            /* the command line run */
	char *exe;                /* what the process was running at the pool mmap */
	int pool_found;
	ap_mmap_call pool;
	ap_smaps_vma vma;         /* the kernel's view of the pool mapping */
	int vma_found;
	long long commit_before_kb, commit_after_kb;   /* around the pool mmap */
	int forks_wanted, forks_made;
	long long fork_before_kb, fork_after_kb;
	char *fork_error;         /* why fewer children than wanted, or NULL */
	char *stopped;            /* where tracing stopped */
	char *output;             /* what GAP printed (head) */
	size_t nsyscalls;
	/* native Cygwin: pool pages by state */
	int win_found;
	unsigned long long win_base, win_size, win_committed, win_reserved;
} ap_probe_result;

/* Runs the binary once; 0 when it could be watched (r says what was seen,
 * a pool or not), -1 when not (cannot start, ptrace refused, timeout,
 * unsupported architecture). */
int ap_probe_run(const ap_probe_opts *o, ap_probe_result *r, ap_error *err);
void ap_probe_result_free(ap_probe_result *r);

/* Debian's /usr/bin/gap is a shell script setting GAP_PRG=...: returns
 * the binary it names (malloc'd) or NULL when path is not such a script. */
char *ap_probe_script_target(const char *path);

/* Committed_AS noise: samples readings interval_us apart; max_step is the
 * largest change between neighbours, range the spread of all of them. */
typedef struct ap_noise {
	int samples;
	long long max_step_kb, range_kb, mean_abs_step_kb;
} ap_noise;
int ap_probe_noise(int samples, int interval_us, ap_noise *out, ap_error *err);

/* --- native Cygwin: winprobe.c (Win32, built on Cygwin and by the mingw
 * cross-compile check only) ---------------------------------------------- */
typedef struct ap_winpool {
	int found;
	unsigned long long base, size;        /* the allocation holding the most bytes */
	unsigned long long committed, reserved;
} ap_winpool;
int ap_winprobe_pool(unsigned long winpid, unsigned long long min_size, ap_winpool *out,
		     ap_error *err);

#endif
