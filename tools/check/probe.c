/* probe.c - watch a GAP process map its memory pool (see probe.h).
 *
 * The text parsers and the trace state machine come first: they take
 * bytes and events. The tracer after them drives a real process with
 * ptrace and feeds the machine; it is x86_64-only because reading
 * registers for the fork injection is per architecture.
 */
#include "probe.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__) && defined(__x86_64__)
#define AP_PROBE_PTRACE 1
#include <sys/ptrace.h>
#include <sys/user.h>
#include <linux/audit.h>
#endif

/* --- small file reading ---------------------------------------------------- */

static int read_all(const char *path, ap_buf *out, ap_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ap_error_sys(err, "%s: cannot open", path);
	for (;;) {
		if (ap_buf_grow(out, 8192) < 0) {
			close(fd);
			return ap_error_set(err, "%s: out of memory", path);
		}
		ssize_t n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return ap_error_sys(err, "%s: cannot read", path);
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
	}
	close(fd);
	return 0;
}

/* --- meminfo ---------------------------------------------------------------- */

int ap_meminfo_get(const char *text, size_t len, const char *key, long long *kb,
		   ap_error *err)
{
	size_t klen = strlen(key);
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if ((size_t)(le - p) > klen && memcmp(p, key, klen) == 0 && p[klen] == ':') {
			const char *q = p + klen + 1;
			while (q < le && (*q == ' ' || *q == '\t'))
				q++;
			long long v = 0;
			int digits = 0;
			while (q < le && *q >= '0' && *q <= '9') {
				if (v > (LLONG_MAX - 9) / 10)
					return ap_error_set(err, "meminfo: %s: value too large", key);
				v = v * 10 + (*q++ - '0');
				digits++;
			}
			if (!digits)
				return ap_error_set(err, "meminfo: %s: no number", key);
			while (q < le && *q == ' ')
				q++;
			if (le - q >= 2 && memcmp(q, "kB", 2) == 0)
				q += 2;
			else if (q != le)
				return ap_error_set(err, "meminfo: %s: unexpected unit", key);
			*kb = v;
			return 0;
		}
		p = le + 1;
	}
	return ap_error_set(err, "meminfo: no %s line", key);
}

int ap_committed_as_kb(long long *kb, ap_error *err)
{
	/* meminfo is about 1.5 KB; one read gets it all */
	char b[8192];
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ap_error_sys(err, "/proc/meminfo: cannot open");
	ssize_t n = read(fd, b, sizeof(b) - 1);
	int e = errno;
	close(fd);
	if (n <= 0) {
		errno = e;
		return ap_error_sys(err, "/proc/meminfo: cannot read");
	}
	return ap_meminfo_get(b, (size_t)n, "Committed_AS", kb, err);
}

/* --- smaps ------------------------------------------------------------------- */

/* "start-end perms ..." -> 1, else 0 */
static int smaps_header(const char *p, const char *le, unsigned long long *start,
			unsigned long long *end, char perms[8])
{
	char *q;
	if (p >= le || !isxdigit((unsigned char)*p))
		return 0;
	errno = 0;
	*start = strtoull(p, &q, 16);
	if (q >= le || *q != '-' || errno)
		return 0;
	*end = strtoull(q + 1, &q, 16);
	if (q >= le || *q != ' ' || errno)
		return 0;
	q++;
	size_t i = 0;
	while (q < le && *q != ' ' && i < 7)
		perms[i++] = *q++;
	perms[i] = '\0';
	return i == 4;
}

static long long kb_field(const char *p, const char *le, size_t klen)
{
	const char *q = p + klen;
	while (q < le && *q == ' ')
		q++;
	return strtoll(q, NULL, 10);
}

int ap_smaps_find(const char *text, size_t len, unsigned long long addr, ap_smaps_vma *out,
		  ap_error *err)
{
	const char *p = text, *end = text + len;
	int in = 0, headers = 0;
	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		unsigned long long s, e;
		char perms[8];
		if (smaps_header(p, le, &s, &e, perms)) {
			headers++;
			if (in)
				break;   /* the next mapping: ours had no VmFlags */
			if (addr >= s && addr < e) {
				in = 1;
				out->start = s;
				out->end = e;
				memcpy(out->perms, perms, sizeof(perms));
			}
		} else if (in) {
			size_t n = (size_t)(le - p);
			if (n > 5 && memcmp(p, "Size:", 5) == 0)
				out->size_kb = kb_field(p, le, 5);
			else if (n > 4 && memcmp(p, "Rss:", 4) == 0)
				out->rss_kb = kb_field(p, le, 4);
			else if (n >= 8 && memcmp(p, "VmFlags:", 8) == 0) {
				const char *q = p + 8;
				while (q < le && *q == ' ')
					q++;
				const char *qe = le;
				while (qe > q && (qe[-1] == ' ' || qe[-1] == '\r'))
					qe--;
				out->vmflags = ap_strndup(q, (size_t)(qe - q));
				if (!out->vmflags)
					return ap_error_set(err, "smaps: out of memory");
				return 0;
			}
		}
		p = le + 1;
	}
	if (in)
		return ap_error_set(err, "smaps: mapping %llx-%llx has no VmFlags line",
				    out->start, out->end);
	if (!headers)
		return ap_error_set(err, "smaps: no mapping lines (not smaps text?)");
	return ap_error_set(err, "smaps: no mapping contains 0x%llx", addr);
}

void ap_smaps_vma_free(ap_smaps_vma *v)
{
	free(v->vmflags);
	v->vmflags = NULL;
}

int ap_vmflags_has(const char *vmflags, const char *flag)
{
	size_t n = strlen(flag);
	const char *p = vmflags;
	if (!p || !n)
		return 0;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		if ((size_t)(p - w) == n && memcmp(w, flag, n) == 0)
			return 1;
	}
	return 0;
}

/* --- mmap flags --------------------------------------------------------------- */

struct bitname {
	unsigned long long bit;
	const char *name;
};

/* Linux's values (x86_64), which is what the trace records */
static const struct bitname map_bits[] = {
	{ 0x01, "MAP_SHARED" },        { 0x02, "MAP_PRIVATE" },
	{ 0x10, "MAP_FIXED" },         { 0x20, "MAP_ANONYMOUS" },
	{ 0x40, "MAP_32BIT" },         { 0x100, "MAP_GROWSDOWN" },
	{ 0x800, "MAP_DENYWRITE" },    { 0x1000, "MAP_EXECUTABLE" },
	{ 0x2000, "MAP_LOCKED" },      { 0x4000, "MAP_NORESERVE" },
	{ 0x8000, "MAP_POPULATE" },    { 0x10000, "MAP_NONBLOCK" },
	{ 0x20000, "MAP_STACK" },      { 0x40000, "MAP_HUGETLB" },
	{ 0x80000, "MAP_SYNC" },       { 0x100000, "MAP_FIXED_NOREPLACE" },
};

static const struct bitname prot_bits[] = {
	{ 0x1, "PROT_READ" }, { 0x2, "PROT_WRITE" }, { 0x4, "PROT_EXEC" },
};

static void bits_format(unsigned long long v, const struct bitname *t, size_t n,
			const char *zero, ap_buf *out)
{
	int first = 1;
	for (size_t i = 0; i < n; i++) {
		if (v & t[i].bit) {
			ap_buf_printf(out, "%s%s", first ? "" : "|", t[i].name);
			v &= ~t[i].bit;
			first = 0;
		}
	}
	if (v)
		ap_buf_printf(out, "%s0x%llx", first ? "" : "|", v);
	else if (first)
		ap_buf_puts(out, zero);
}

void ap_mmap_flags_format(unsigned long long flags, ap_buf *out)
{
	bits_format(flags, map_bits, sizeof(map_bits) / sizeof(map_bits[0]), "0", out);
}

void ap_mmap_prot_format(unsigned long long prot, ap_buf *out)
{
	bits_format(prot, prot_bits, sizeof(prot_bits) / sizeof(prot_bits[0]), "PROT_NONE", out);
}

/* --- the trace language --------------------------------------------------------- */

/* x86_64 numbers of the calls the machine looks at */
enum {
	NR_OPEN = 2, NR_STAT = 4, NR_LSTAT = 6, NR_MMAP = 9, NR_MUNMAP = 11, NR_BRK = 12,
	NR_ACCESS = 21, NR_CLONE = 56, NR_FORK = 57, NR_EXECVE = 59, NR_EXIT = 60,
	NR_EXIT_GROUP = 231, NR_OPENAT = 257, NR_NEWFSTATAT = 262, NR_FACCESSAT = 269,
	NR_STATX = 332, NR_OPENAT2 = 437, NR_FACCESSAT2 = 439,
};

static const struct {
	long nr;
	const char *name;
	int path_arg;    /* which argument is a path, or -1 */
} sysnames[] = {
	{ 0, "read", -1 },        { 1, "write", -1 },       { NR_OPEN, "open", 0 },
	{ 3, "close", -1 },       { NR_STAT, "stat", 0 },   { 5, "fstat", -1 },
	{ NR_LSTAT, "lstat", 0 }, { NR_MMAP, "mmap", -1 },  { 10, "mprotect", -1 },
	{ NR_MUNMAP, "munmap", -1 }, { NR_BRK, "brk", -1 }, { 13, "rt_sigaction", -1 },
	{ 14, "rt_sigprocmask", -1 }, { 15, "rt_sigreturn", -1 }, { 16, "ioctl", -1 },
	{ 17, "pread64", -1 },    { NR_ACCESS, "access", 0 }, { 25, "mremap", -1 },
	{ NR_CLONE, "clone", -1 }, { NR_FORK, "fork", -1 }, { NR_EXECVE, "execve", 0 },
	{ NR_EXIT, "exit", -1 },  { 63, "uname", -1 },      { 72, "fcntl", -1 },
	{ 79, "getcwd", -1 },     { 89, "readlink", 0 },    { 97, "getrlimit", -1 },
	{ 158, "arch_prctl", -1 }, { 218, "set_tid_address", -1 },
	{ NR_EXIT_GROUP, "exit_group", -1 }, { NR_OPENAT, "openat", 1 },
	{ NR_NEWFSTATAT, "newfstatat", 1 }, { NR_FACCESSAT, "faccessat", 1 },
	{ 273, "set_robust_list", -1 }, { 302, "prlimit64", -1 }, { 318, "getrandom", -1 },
	{ NR_STATX, "statx", 1 },  { 334, "rseq", -1 },     { NR_OPENAT2, "openat2", 1 },
	{ NR_FACCESSAT2, "faccessat2", 1 },
};
#define NSYSNAMES (sizeof(sysnames) / sizeof(sysnames[0]))

const char *ap_syscall_name(long nr)
{
	for (size_t i = 0; i < NSYSNAMES; i++)
		if (sysnames[i].nr == nr)
			return sysnames[i].name;
	return NULL;
}

static int syscall_path_arg(long nr)
{
	for (size_t i = 0; i < NSYSNAMES; i++)
		if (sysnames[i].nr == nr)
			return sysnames[i].path_arg;
	return -1;
}

void ap_sysevent_format(const ap_sysevent *e, ap_buf *out)
{
	const char *name = ap_syscall_name(e->nr);
	if (e->exit) {
		if (name)
			ap_buf_printf(out, "X %s ", name);
		else
			ap_buf_printf(out, "X sys_%ld ", e->nr);
		if (e->ret < 0 && e->ret >= -4095)
			ap_buf_printf(out, "%lld", e->ret);
		else
			ap_buf_printf(out, "0x%llx", (unsigned long long)e->ret);
		return;
	}
	if (name)
		ap_buf_printf(out, "E %s", name);
	else
		ap_buf_printf(out, "E sys_%ld", e->nr);
	for (int i = 0; i < 6; i++)
		ap_buf_printf(out, " 0x%llx", e->args[i]);
	if (e->path[0]) {
		ap_buf_puts(out, " \"");
		for (const unsigned char *p = (const unsigned char *)e->path; *p; p++) {
			if (*p == '"' || *p == '\\')
				ap_buf_printf(out, "\\%c", *p);
			else if (*p < 0x20 || *p >= 0x7f)
				ap_buf_printf(out, "\\x%02x", *p);
			else
				ap_buf_putc(out, (char)*p);
		}
		ap_buf_putc(out, '"');
	}
}

static int parse_num(const char **pp, const char *end, unsigned long long *v)
{
	const char *p = *pp;
	char tmp[32];
	size_t n = 0;
	while (p < end && *p == ' ')
		p++;
	while (p < end && *p != ' ' && n < sizeof(tmp) - 1)
		tmp[n++] = *p++;
	tmp[n] = '\0';
	if (!n || (p < end && *p != ' '))
		return -1;
	char *q;
	errno = 0;
	if (tmp[0] == '-') {
		long long s = strtoll(tmp, &q, 0);
		*v = (unsigned long long)s;
	} else {
		*v = strtoull(tmp, &q, 0);
	}
	if (*q || errno)
		return -1;
	*pp = p;
	return 0;
}

int ap_sysevent_parse(const char *line, size_t len, ap_sysevent *e, ap_error *err)
{
	const char *p = line, *end = line + len;
	memset(e, 0, sizeof(*e));
	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	if (end - p < 3 || (p[0] != 'E' && p[0] != 'X') || p[1] != ' ')
		return ap_error_set(err, "trace line does not start with 'E ' or 'X '");
	e->exit = p[0] == 'X';
	p += 2;
	const char *w = p;
	while (p < end && *p != ' ')
		p++;
	size_t wl = (size_t)(p - w);
	e->nr = -1;
	if (wl > 4 && memcmp(w, "sys_", 4) == 0) {
		char tmp[24];
		if (wl - 4 >= sizeof(tmp))
			return ap_error_set(err, "trace line: bad call number");
		memcpy(tmp, w + 4, wl - 4);
		tmp[wl - 4] = '\0';
		char *q;
		e->nr = strtol(tmp, &q, 10);
		if (*q || e->nr < 0)
			return ap_error_set(err, "trace line: bad call number '%s'", tmp);
	} else {
		for (size_t i = 0; i < NSYSNAMES; i++)
			if (strlen(sysnames[i].name) == wl && memcmp(sysnames[i].name, w, wl) == 0)
				e->nr = sysnames[i].nr;
		if (e->nr < 0)
			return ap_error_set(err, "trace line: unknown call '%.*s'", (int)wl, w);
	}
	if (e->exit) {
		unsigned long long v;
		if (parse_num(&p, end, &v) < 0)
			return ap_error_set(err, "trace line: bad return value");
		e->ret = (long long)v;
		while (p < end && *p == ' ')
			p++;
		if (p != end)
			return ap_error_set(err, "trace line: text after the return value");
		return 0;
	}
	for (int i = 0; i < 6; i++)
		if (parse_num(&p, end, &e->args[i]) < 0)
			return ap_error_set(err, "trace line: argument %d missing or bad", i + 1);
	while (p < end && *p == ' ')
		p++;
	if (p == end)
		return 0;
	if (*p != '"')
		return ap_error_set(err, "trace line: text after the arguments is not a \"path\"");
	p++;
	size_t n = 0;
	while (p < end && *p != '"') {
		char c = *p++;
		if (c == '\\') {
			if (p >= end)
				return ap_error_set(err, "trace line: unfinished escape in path");
			c = *p++;
			if (c == 'x') {
				if (end - p < 2 || !isxdigit((unsigned char)p[0]) ||
				    !isxdigit((unsigned char)p[1]))
					return ap_error_set(err, "trace line: bad \\x escape in path");
				char hx[3] = { p[0], p[1], 0 };
				c = (char)strtol(hx, NULL, 16);
				p += 2;
			}
		}
		if (n + 1 >= sizeof(e->path))
			return ap_error_set(err, "trace line: path too long");
		e->path[n++] = c;
	}
	if (p >= end)
		return ap_error_set(err, "trace line: path has no closing quote");
	e->path[n] = '\0';
	p++;
	if (p != end)
		return ap_error_set(err, "trace line: text after the path");
	return 0;
}

/* --- the state machine ------------------------------------------------------------ */

void ap_trace_init(ap_trace *t)
{
	memset(t, 0, sizeof(*t));
	t->min_pool = AP_PROBE_MIN_POOL;
	t->last_nr = -1;
}

/* GAP reads ROOT/lib/init.g first of its library: once it has opened
 * that file the kernel's start-up, pool included, is over. (Looking for
 * it with access or stat proves nothing: GAP 4.12 does that to find its
 * root before it maps the pool.) */
static int is_library_file(const char *path)
{
	size_t n = strlen(path);
	static const char tail[] = "lib/init.g";
	size_t tn = sizeof(tail) - 1;
	if (n < tn || strcmp(path + n - tn, tail) != 0)
		return 0;
	return n == tn || path[n - tn - 1] == '/';
}

static int is_open_call(long nr)
{
	return nr == NR_OPEN || nr == NR_OPENAT || nr == NR_OPENAT2;
}

static int is_pool_candidate(const ap_trace *t, const ap_sysevent *e)
{
	unsigned long long prot = e->args[2], flags = e->args[3];
	return e->nr == NR_MMAP && e->args[1] >= t->min_pool && (int)e->args[4] == -1 &&
	       (flags & 0x20) && (flags & 0x03) == 0x02 && (prot & 0x2);
}

enum ap_trace_action ap_trace_step(ap_trace *t, const ap_sysevent *e)
{
	t->nevents++;
	if (t->stop[0])
		return AP_TRACE_GO;
	if (!e->exit) {
		t->last_nr = e->nr;
		t->in_candidate = 0;
		t->in_open = 0;
		if (!t->started)
			return AP_TRACE_GO;   /* still the exec of the binary */
		if (e->nr == NR_EXIT_GROUP || e->nr == NR_EXIT) {
			snprintf(t->stop, sizeof(t->stop), "%s(%lld) before GAP read its library",
				 ap_syscall_name(e->nr), (long long)e->args[0]);
			return AP_TRACE_STOP;
		}
		if (is_open_call(e->nr) && is_library_file(e->path)) {
			t->in_open = 1;
			snprintf(t->opening, sizeof(t->opening), "library read: %s \"%.500s\"",
				 ap_syscall_name(e->nr), e->path);
			return AP_TRACE_GO;   /* decided at the exit: did it open? */
		}
		if (is_pool_candidate(t, e)) {
			t->in_candidate = 1;
			t->cand.hint = e->args[0];
			t->cand.len = e->args[1];
			t->cand.prot = e->args[2];
			t->cand.flags = e->args[3];
			return AP_TRACE_CANDIDATE;
		}
		return AP_TRACE_GO;
	}
	/* exit */
	if (e->nr == NR_EXECVE && e->ret == 0)
		t->started = 1;
	if (t->in_open) {
		t->in_open = 0;
		if (e->ret < 0)
			return AP_TRACE_GO;
		memcpy(t->stop, t->opening, sizeof(t->stop));
		return AP_TRACE_STOP;
	}
	if (!t->in_candidate || e->nr != NR_MMAP)
		return AP_TRACE_GO;
	t->in_candidate = 0;
	if (e->ret < 0 && e->ret >= -4095)
		return AP_TRACE_GO;   /* MAP_FAILED: GAP tries again elsewhere */
	if (t->have_pool && t->cand.len < t->pool.len)
		return AP_TRACE_GO;
	t->cand.addr = (unsigned long long)e->ret;
	t->pool = t->cand;
	t->have_pool = 1;
	return AP_TRACE_POOL;
}

/* --- shell scripts naming the binary -------------------------------------------------- */

char *ap_probe_script_target(const char *path)
{
	ap_buf b = AP_BUF_INIT;
	ap_error e = AP_ERROR_INIT;
	char *found = NULL;
	if (read_all(path, &b, &e) < 0 || b.len < 2 || memcmp(b.data, "#!", 2) != 0 ||
	    b.len > (1 << 20)) {
		ap_buf_free(&b);
		return NULL;
	}
	/* GAP_PRG=/usr/lib/x86_64-linux-gnu/gap/gap (Debian's gap.sh) */
	for (char *p = b.data; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "GAP_PRG=", 8) == 0) {
			char *v = p + 8;
			size_t n = strcspn(v, " \t;#");
			if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
				v++;
				n -= 2;
			}
			if (n > 0 && v[0] == '/' && !memchr(v, '$', n)) {
				free(found);
				found = ap_strndup(v, n);
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	ap_buf_free(&b);
	if (found && access(found, X_OK) != 0) {
		free(found);
		found = NULL;
	}
	return found;
}

/* --- noise ------------------------------------------------------------------------------- */

int ap_probe_noise(int samples, int interval_us, ap_noise *out, ap_error *err)
{
	long long prev = 0, lo = 0, hi = 0, sum = 0;
	memset(out, 0, sizeof(*out));
	if (samples < 2)
		return ap_error_set(err, "noise: need at least 2 samples");
	for (int i = 0; i < samples; i++) {
		long long kb;
		if (ap_committed_as_kb(&kb, err) < 0)
			return -1;
		if (i == 0) {
			lo = hi = kb;
		} else {
			long long d = kb > prev ? kb - prev : prev - kb;
			if (d > out->max_step_kb)
				out->max_step_kb = d;
			sum += d;
			if (kb < lo)
				lo = kb;
			if (kb > hi)
				hi = kb;
		}
		prev = kb;
		if (interval_us > 0 && i + 1 < samples) {
			struct timespec ts = { interval_us / 1000000, (long)(interval_us % 1000000) * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	out->samples = samples;
	out->range_kb = hi - lo;
	out->mean_abs_step_kb = sum / (samples - 1);
	return 0;
}

/* --- the result -------------------------------------------------------------------------- */

void ap_probe_result_free(ap_probe_result *r)
{
	free(r->command);
	free(r->exe);
	ap_smaps_vma_free(&r->vma);
	free(r->fork_error);
	free(r->stopped);
	free(r->output);
	memset(r, 0, sizeof(*r));
}

static char *command_text(char *const *argv)
{
	ap_buf b = AP_BUF_INIT;
	for (size_t i = 0; argv[i]; i++) {
		const char *a = argv[i];
		int plain = *a != '\0';
		for (const char *p = a; *p; p++)
			if (!isalnum((unsigned char)*p) && !strchr("-_./=:,+@%", *p))
				plain = 0;
		if (i)
			ap_buf_putc(&b, ' ');
		if (plain) {
			ap_buf_puts(&b, a);
		} else {
			ap_buf_putc(&b, '\'');
			for (const char *p = a; *p; p++) {
				if (*p == '\'')
					ap_buf_puts(&b, "'\\''");
				else
					ap_buf_putc(&b, *p);
			}
			ap_buf_putc(&b, '\'');
		}
	}
	return ap_buf_detach(&b, NULL);
}

/* GAP's command line after argv[0..argc): -q, the caller's arguments, the
 * pool (-s); NULL-terminated in argv[64]. Returns the new argc. */
static size_t gap_argv(char **argv, size_t argc, const ap_probe_opts *o)
{
	argv[argc++] = (char *)"-q";
	for (size_t i = 0; o->args && o->args[i] && argc < 58; i++)
		argv[argc++] = (char *)o->args[i];
	if (o->pool) {
		argv[argc++] = (char *)"-s";
		argv[argc++] = (char *)o->pool;
	}
	argv[argc] = NULL;
	return argc;
}

#ifdef AP_PROBE_PTRACE

/* --- the tracer (Linux, x86_64) ------------------------------------------------------------ */

typedef struct tracer {
	pid_t pid;
	double deadline;
	sigset_t oldmask;
	int memfd;            /* /proc/PID/mem */
	FILE *log;
	ap_probe_result *r;
	pid_t stopped[128];   /* injected children seen stopped */
	int nstopped;
	int outfd;            /* what GAP writes */
} tracer;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* waitpid with the tracer's deadline: SIGCHLD is blocked for the run, so
 * sigtimedwait sleeps until a child changes state. */
static pid_t wait_any(tracer *t, pid_t which, int *status, ap_error *err)
{
	for (;;) {
		pid_t w = waitpid(which, status, WNOHANG | __WALL);
		if (w > 0)
			return w;
		if (w < 0 && errno != EINTR)
			return ap_error_sys(err, "waitpid(%d)", (int)which);
		double left = t->deadline - now_s();
		if (left <= 0)
			return ap_error_set(err, "GAP did not reach the library lookup within the "
					    "time limit (stuck, or waiting for input?)");
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGCHLD);
		if (left > 0.5)
			left = 0.5;
		struct timespec ts = { (time_t)left, (long)((left - (double)(time_t)left) * 1e9) };
		(void)sigtimedwait(&set, NULL, &ts);
	}
}

static int peek_string(tracer *t, unsigned long long addr, char *out, size_t outsz)
{
	size_t n = 0;
	out[0] = '\0';
	while (n + 1 < outsz) {
		/* read up to the end of the page: the next one may not be mapped */
		size_t chunk = 4096 - (size_t)((addr + n) & 4095);
		if (chunk > outsz - 1 - n)
			chunk = outsz - 1 - n;
		ssize_t got = pread(t->memfd, out + n, chunk, (off_t)(addr + n));
		if (got <= 0)
			break;
		void *z = memchr(out + n, '\0', (size_t)got);
		if (z)
			return 0;
		n += (size_t)got;
	}
	out[n] = '\0';
	return 0;
}

static int read_event(tracer *t, ap_sysevent *e, long last_nr, ap_error *err)
{
	struct __ptrace_syscall_info info;
	memset(e, 0, sizeof(*e));
	memset(&info, 0, sizeof(info));
	long n = ptrace(PTRACE_GET_SYSCALL_INFO, t->pid, (void *)sizeof(info), &info);
	if (n < 0)
		return ap_error_sys(err, "ptrace(PTRACE_GET_SYSCALL_INFO)");
	if (info.arch != AUDIT_ARCH_X86_64)
		return ap_error_set(err, "unsupported architecture: the GAP process is not an "
				    "x86_64 process (audit arch 0x%x)", info.arch);
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
		e->exit = 0;
		e->nr = (long)info.entry.nr;
		for (int i = 0; i < 6; i++)
			e->args[i] = info.entry.args[i];
		int pa = syscall_path_arg(e->nr);
		if (pa >= 0)
			peek_string(t, e->args[pa], e->path, sizeof(e->path));
	} else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
		e->exit = 1;
		e->nr = last_nr;
		e->ret = info.exit.rval;
	} else {
		return ap_error_set(err, "ptrace: unexpected syscall stop kind %d", info.op);
	}
	return 0;
}

static int reopen_mem(tracer *t, ap_error *err)
{
	char memp[64];
	if (t->memfd >= 0)
		close(t->memfd);
	snprintf(memp, sizeof(memp), "/proc/%d/mem", (int)t->pid);
	t->memfd = open(memp, O_RDONLY | O_CLOEXEC);
	if (t->memfd < 0)
		return ap_error_sys(err, "%s: cannot open", memp);
	return 0;
}

static void measure_pool(tracer *t, const ap_trace *tr)
{
	ap_probe_result *r = t->r;
	ap_error e = AP_ERROR_INIT;
	char path[64];
	ap_buf b = AP_BUF_INIT;

	r->pool_found = 1;
	r->pool = tr->pool;
	if (ap_committed_as_kb(&r->commit_after_kb, &e) < 0)
		r->commit_after_kb = -1;
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)t->pid);
	ap_smaps_vma_free(&r->vma);
	r->vma_found = 0;
	if (read_all(path, &b, &e) == 0 &&
	    ap_smaps_find(b.data, b.len, tr->pool.addr, &r->vma, &e) == 0)
		r->vma_found = 1;
	ap_buf_free(&b);
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)t->pid);
	char exe[4096];
	ssize_t n = readlink(path, exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		free(r->exe);
		r->exe = ap_strdup(exe);
	}
}

static int resume(pid_t pid, int sig, ap_error *err)
{
	if (ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)sig) < 0)
		return ap_error_sys(err, "ptrace(PTRACE_SYSCALL, %d)", (int)pid);
	return 0;
}

#define OPTS_BASE (PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL | PTRACE_O_TRACEEXEC)

/* Waits for pid's next syscall stop, passing other signals through; the
 * stops of injected children are noted (they stay stopped) in t->stopped. */
static void reap(tracer *t, pid_t pid);

static int next_syscall_stop(tracer *t, pid_t *new_kid, ap_error *err)
{
	for (;;) {
		int st;
		pid_t w = wait_any(t, -1, &st, err);
		if (w < 0)
			return -1;
		if (w != t->pid) {
			if ((WIFSTOPPED(st) || WIFEXITED(st) || WIFSIGNALED(st)) && t->nstopped < 128)
				t->stopped[t->nstopped++] = w;
			continue;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return ap_error_set(err, "GAP ended while children were being forked");
		if (!WIFSTOPPED(st))
			continue;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80))
			return 0;
		unsigned ev = (unsigned)st >> 16;
		if (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_CLONE || ev == PTRACE_EVENT_VFORK) {
			unsigned long msg = 0;
			ptrace(PTRACE_GETEVENTMSG, t->pid, NULL, &msg);
			if (new_kid)
				*new_kid = (pid_t)msg;
			if (resume(t->pid, 0, err) < 0)
				return -1;
			continue;
		}
		if (resume(t->pid, ev ? 0 : WSTOPSIG(st), err) < 0)
			return -1;
	}
}

static int kid_seen(const tracer *t, pid_t kid)
{
	for (int i = 0; i < t->nstopped; i++)
		if (t->stopped[i] == kid)
			return 1;
	return 0;
}

/* At a syscall-exit stop: runs clone(CLONE_PARENT|SIGCHLD) n times in
 * GAP (so the children are ours to reap) by pointing the instruction
 * pointer back at the 'syscall' instruction just executed, then puts the
 * registers back as they were, so GAP goes on as if nothing happened. */
static int inject_forks(tracer *t, int n, pid_t *kids, int *made, ap_error *err)
{
	struct user_regs_struct saved, regs;
	unsigned char insn[2];
	int rc = 0;

	*made = 0;
	t->nstopped = 0;
	if (ptrace(PTRACE_GETREGS, t->pid, NULL, &saved) < 0)
		return ap_error_sys(err, "ptrace(PTRACE_GETREGS)");
	if (pread(t->memfd, insn, 2, (off_t)(saved.rip - 2)) != 2 || insn[0] != 0x0f ||
	    insn[1] != 0x05)
		return ap_error_set(err, "cannot fork GAP here: the call was not made by a "
				    "'syscall' instruction");
	if (ptrace(PTRACE_SETOPTIONS, t->pid, NULL,
		   (void *)(long)(OPTS_BASE | PTRACE_O_TRACEFORK | PTRACE_O_TRACECLONE |
				  PTRACE_O_TRACEVFORK)) < 0)
		return ap_error_sys(err, "ptrace(PTRACE_SETOPTIONS)");
	for (int i = 0; i < n && rc == 0; i++) {
		pid_t kid = 0;
		regs = saved;
		regs.rip -= 2;
		regs.rax = NR_CLONE;
		regs.rdi = 0x00008000 /* CLONE_PARENT */ | SIGCHLD;
		regs.rsi = regs.rdx = regs.r10 = regs.r8 = 0;
		if (ptrace(PTRACE_SETREGS, t->pid, NULL, &regs) < 0)
			return ap_error_sys(err, "ptrace(PTRACE_SETREGS)");
		/* the clone's entry stop, then its exit stop */
		if (resume(t->pid, 0, err) < 0 || next_syscall_stop(t, &kid, err) < 0 ||
		    resume(t->pid, 0, err) < 0 || next_syscall_stop(t, &kid, err) < 0)
			return -1;
		if (ptrace(PTRACE_GETREGS, t->pid, NULL, &regs) < 0)
			return ap_error_sys(err, "ptrace(PTRACE_GETREGS)");
		long long rv = (long long)regs.rax;
		if (rv > 0) {
			kids[(*made)++] = (pid_t)rv;
		} else {
			errno = (int)-rv;
			rc = ap_error_sys(err, "clone() in GAP failed after %d of %d children",
					  *made, n);
		}
	}
	if (ptrace(PTRACE_SETREGS, t->pid, NULL, &saved) < 0)
		return ap_error_sys(err, "ptrace(PTRACE_SETREGS)");
	/* every child must exist (be stopped) before the charge is read */
	for (int i = 0; i < *made; i++) {
		while (!kid_seen(t, kids[i])) {
			int st;
			pid_t w = wait_any(t, kids[i], &st, err);
			if (w < 0)
				return -1;
			if (t->nstopped < 128)
				t->stopped[t->nstopped++] = w;
		}
	}
	return rc;
}

/* Forks the children, reads the charge they add, and kills them. */
static void measure_forks(tracer *t, int n)
{
	ap_probe_result *r = t->r;
	pid_t kids[64];
	int made = 0;
	ap_error fe = AP_ERROR_INIT;
	if (n > 64)
		n = 64;
	r->forks_wanted = n;
	ap_committed_as_kb(&r->fork_before_kb, &fe);
	if (inject_forks(t, n, kids, &made, &fe) < 0)
		r->fork_error = ap_strdup(fe.msg);
	r->forks_made = made;
	if (ap_committed_as_kb(&r->fork_after_kb, &fe) < 0 && !r->fork_error)
		r->fork_error = ap_strdup(fe.msg);
	for (int i = 0; i < made; i++)
		reap(t, kids[i]);
}

static void reap(tracer *t, pid_t pid)
{
	int st;
	kill(pid, SIGKILL);
	double dl = t->deadline;
	t->deadline = now_s() + 10;
	for (;;) {
		ap_error e = AP_ERROR_INIT;
		pid_t w = wait_any(t, pid, &st, &e);
		if (w < 0 || WIFEXITED(st) || WIFSIGNALED(st))
			break;
	}
	t->deadline = dl;
}

static void collect_output(int fd, ap_probe_result *r)
{
	char b[4096];
	ssize_t n = pread(fd, b, sizeof(b) - 1, 0);
	if (n > 0) {
		b[n] = '\0';
		r->output = ap_strdup(b);
	}
}

static int trace_loop(tracer *t, const ap_probe_opts *o, ap_error *err)
{
	ap_probe_result *r = t->r;
	ap_trace tr;
	ap_sysevent ev;
	ap_buf line = AP_BUF_INIT;
	int status, rc = 0;

	ap_trace_init(&tr);
	for (;;) {
		pid_t w = wait_any(t, t->pid, &status, err);
		if (w < 0) {
			rc = -1;
			break;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			char why[128];
			if (WIFEXITED(status))
				snprintf(why, sizeof(why), "GAP exited with status %d",
					 WEXITSTATUS(status));
			else
				snprintf(why, sizeof(why), "GAP was killed by signal %d",
					 WTERMSIG(status));
			r->stopped = ap_strdup(tr.stop[0] ? tr.stop : why);
			t->pid = 0;
			if (!tr.started) {
				/* the exec failed: nothing of GAP ran */
				char out[512] = "";
				ssize_t n = pread(t->outfd, out, sizeof(out) - 1, 0);
				out[n > 0 ? n : 0] = '\0';
				out[strcspn(out, "\n")] = '\0';
				rc = ap_error_set(err, "%s: %s", o->binary, out[0] ? out : why);
			}
			break;
		}
		if (!WIFSTOPPED(status))
			continue;
		int sig = WSTOPSIG(status);
		if (sig != (SIGTRAP | 0x80)) {
			unsigned ev_kind = (unsigned)status >> 16;
			/* /proc/PID/mem belongs to the old image after an exec */
			if (ev_kind == PTRACE_EVENT_EXEC && reopen_mem(t, err) < 0) {
				rc = -1;
				break;
			}
			if (resume(t->pid, ev_kind ? 0 : sig, err) < 0) {
				rc = -1;
				break;
			}
			continue;
		}
		if (read_event(t, &ev, tr.last_nr, err) < 0) {
			rc = -1;
			break;
		}
		r->nsyscalls++;
		if (t->log) {
			ap_buf_clear(&line);
			ap_sysevent_format(&ev, &line);
			fprintf(t->log, "%s\n", line.data ? line.data : "");
		}
		switch (ap_trace_step(&tr, &ev)) {
		case AP_TRACE_GO:
			break;
		case AP_TRACE_CANDIDATE: {
			ap_error e = AP_ERROR_INIT;
			if (ap_committed_as_kb(&r->commit_before_kb, &e) < 0)
				r->commit_before_kb = -1;
			break;
		}
		case AP_TRACE_POOL:
			measure_pool(t, &tr);
			if (o->until_lookup)
				break;
			if (o->forks > 0)
				measure_forks(t, o->forks);
			r->stopped = ap_strdup("right after the pool mmap");
			goto done;
		case AP_TRACE_STOP:
			r->stopped = ap_strdup(tr.stop);
			if (o->forks > 0 && !tr.have_pool) {
				r->forks_wanted = o->forks;
				r->fork_error = ap_strdup("no pool was mapped, so nothing to fork with");
			} else if (o->forks > 0 && !ev.exit) {
				r->forks_wanted = o->forks;
				r->fork_error = ap_strdup("GAP exited before it read its library");
			} else if (o->forks > 0) {
				measure_forks(t, o->forks);   /* at the open's exit stop */
			}
			goto done;
		}
		if (resume(t->pid, 0, err) < 0) {
			rc = -1;
			break;
		}
	}
done:
	ap_buf_free(&line);
	return rc;
}

int ap_probe_run(const ap_probe_opts *o, ap_probe_result *r, ap_error *err)
{
	char *argv[64];
	size_t argc = 0;
	int inpipe[2] = { -1, -1 };
	int outfd = -1, rc = -1;
	tracer t;

	memset(r, 0, sizeof(*r));
	memset(&t, 0, sizeof(t));
	t.r = r;
	t.memfd = -1;
	if (!o->binary)
		return ap_error_set(err, "probe: no GAP binary given");
	if (access(o->binary, X_OK) != 0)
		return ap_error_sys(err, "%s: not an executable", o->binary);
	/* GAP runs in o->cwd: a relative name must not change meaning */
	char *abs_binary = realpath(o->binary, NULL);
	if (!abs_binary)
		return ap_error_sys(err, "%s: cannot resolve", o->binary);

	argv[argc++] = abs_binary;
	argc = gap_argv(argv, argc, o);
	r->command = command_text(argv);

	if (o->trace_log) {
		t.log = fopen(o->trace_log, "we");
		if (!t.log) {
			ap_error_sys(err, "%s: cannot write the trace", o->trace_log);
			goto out;
		}
	}
	if (pipe2(inpipe, O_CLOEXEC) < 0) {
		ap_error_sys(err, "pipe");
		goto out;
	}
	outfd = memfd_create("gap-output", MFD_CLOEXEC);
	if (outfd < 0) {
		ap_error_sys(err, "memfd_create");
		goto out;
	}
	/* Should GAP get past the probe's stop, it reads QUIT; and ends. */
	if (write(inpipe[1], "QUIT;\n", 6) != 6) {
		ap_error_sys(err, "pipe write");
		goto out;
	}
	close(inpipe[1]);
	inpipe[1] = -1;

	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &t.oldmask);

	ap_error_set(err, "probe: internal error");
	pid_t pid = fork();
	if (pid < 0) {
		ap_error_sys(err, "fork");
		sigprocmask(SIG_SETMASK, &t.oldmask, NULL);
		goto out;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &t.oldmask, NULL);
		if (dup2(inpipe[0], 0) < 0 || dup2(outfd, 1) < 0 || dup2(outfd, 2) < 0)
			_exit(126);
		if (o->cwd && chdir(o->cwd) < 0) {
			dprintf(2, "probe: cannot change to %s: %s\n", o->cwd, strerror(errno));
			_exit(126);
		}
		/* a process group of its own: whatever the program forks (and
		 * does not move away) is killed with it at the end */
		setpgid(0, 0);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0) {
			dprintf(2, "probe: ptrace(PTRACE_TRACEME): %s\n", strerror(errno));
			_exit(126);
		}
		raise(SIGSTOP);
		execv(abs_binary, argv);
		dprintf(2, "cannot run it: %s\n", strerror(errno));
		_exit(127);
	}
	t.pid = pid;
	t.outfd = outfd;
	t.deadline = now_s() + (o->timeout_s > 0 ? o->timeout_s : 60);
	int st;
	if (wait_any(&t, pid, &st, err) < 0)
		goto kill_out;
	if (!WIFSTOPPED(st)) {
		collect_output(outfd, r);
		ap_error_set(err, "%s: could not be started under ptrace: %s", o->binary,
			     r->output ? r->output : "no message");
		t.pid = 0;
		goto kill_out;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)OPTS_BASE) < 0) {
		ap_error_sys(err, "ptrace(PTRACE_SETOPTIONS)");
		goto kill_out;
	}
	if (reopen_mem(&t, err) < 0)
		goto kill_out;
	if (resume(pid, 0, err) < 0)
		goto kill_out;
	rc = trace_loop(&t, o, err);
kill_out:
	if (t.pid > 0)
		reap(&t, t.pid);
	/* the program's own children, left running when it exits, are not
	 * traced; the group still has the program's pid as its id */
	kill(-pid, SIGKILL);
	collect_output(outfd, r);
	sigprocmask(SIG_SETMASK, &t.oldmask, NULL);
out:
	if (t.memfd >= 0)
		close(t.memfd);
	if (t.log)
		fclose(t.log);
	if (inpipe[0] >= 0)
		close(inpipe[0]);
	if (inpipe[1] >= 0)
		close(inpipe[1]);
	if (outfd >= 0)
		close(outfd);
	if (rc == 0 && o->forks > 0 && r->forks_made == 0 && !r->fork_error) {
		r->forks_wanted = o->forks;
		r->fork_error = ap_strdup(r->pool_found ? "GAP ended before children could be forked"
							: "no pool was mapped, so nothing to fork with");
	}
	free(abs_binary);
	return rc;
}

#elif defined(__CYGWIN__)

/* --- native Cygwin: no ptrace; poll the pages' state with VirtualQueryEx -------------- */

#include <sys/cygwin.h>

int ap_probe_run(const ap_probe_opts *o, ap_probe_result *r, ap_error *err)
{
	char *argv[64];
	size_t argc = 0;
	memset(r, 0, sizeof(*r));
	argv[argc++] = (char *)o->binary;
	argc = gap_argv(argv, argc, o);
	r->command = command_text(argv);
	int in[2];
	if (pipe(in) < 0)
		return ap_error_sys(err, "pipe");
	pid_t pid = fork();
	if (pid < 0)
		return ap_error_sys(err, "fork");
	if (pid == 0) {
		dup2(in[0], 0);
		close(in[1]);
		execv(o->binary, argv);
		_exit(127);
	}
	close(in[0]);
	unsigned long winpid = (unsigned long)cygwin_internal(CW_CYGWIN_PID_TO_WINPID, pid);
	double waited = 0, limit = o->timeout_s > 0 ? o->timeout_s : 60;
	int st, rc = 0;
	/* the pool appears early in start-up; poll for it every 10 ms */
	while (waited < limit) {
		ap_winpool wp;
		ap_error e = AP_ERROR_INIT;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			r->stopped = ap_strdup("GAP exited before a pool was seen");
			pid = 0;
			break;
		}
		if (ap_winprobe_pool(winpid, AP_PROBE_MIN_POOL, &wp, &e) == 0 && wp.found) {
			r->win_found = 1;
			r->win_base = wp.base;
			r->win_size = wp.size;
			r->win_committed = wp.committed;
			r->win_reserved = wp.reserved;
			r->pool_found = 1;
			r->pool.addr = wp.base;
			r->pool.len = wp.size;
			r->stopped = ap_strdup("pool seen by VirtualQueryEx");
			break;
		}
		usleep(10000);
		waited += 0.01;
	}
	if (waited >= limit)
		rc = ap_error_set(err, "no pool appeared within %.0f s", limit);
	close(in[1]);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	return rc;
}

#else

int ap_probe_run(const ap_probe_opts *o, ap_probe_result *r, ap_error *err)
{
	(void)o;
	memset(r, 0, sizeof(*r));
	return ap_error_set(err, "unsupported architecture: the probe traces system calls "
			    "with ptrace on x86_64 Linux only");
}

#endif
