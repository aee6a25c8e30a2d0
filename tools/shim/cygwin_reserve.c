/* cygwin_reserve.c - a preload shim: 64-bit Cygwin's reserve-then-commit
 * memory, on Linux, for verify's emulated Cygwin target.
 *
 * On 64-bit Cygwin an mmap with MAP_NORESERVE only reserves the range
 * (VirtualAlloc MEM_RESERVE); a page is committed when a fault on it
 * reaches Cygwin's exception handler, which then continues the program.
 * The handler is found by unwinding: a fault in code without Windows
 * unwind information (GMP's hand-written assembly) never reaches it, and
 * the process ends (gap-system/gap issue 3434: GAP exits silently).
 *
 * The model: every private anonymous MAP_NORESERVE mapping starts
 * PROT_NONE. On SIGSEGV inside one, the faulting instruction's object is
 * looked up (dladdr): in GMP (an object whose name holds "gmp", or a
 * __gmp symbol) the run ends as Cygwin's would, after writing one line to
 * $AP_CYGWIN_RESERVE_REPORT:
 *     gmp PC OBJECT+OFFSET SYMBOL ADDR
 * (exit status $AP_CYGWIN_RESERVE_STATUS, default 0, as issue 3434
 * reports); anywhere else the page is committed (made accessible with the
 * mapping's protection) and the instruction runs again. A SIGSEGV outside
 * those mappings is the program's own: the default action.
 * Only the emulated target's workload run is preloaded with this.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define MAX_REGIONS 256

static struct region {
	uintptr_t start, end;
	int prot;
} regions[MAX_REGIONS];
static int nregions;
static long pagesize = 4096;
static char altstack[65536];

static void *raw_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

static struct region *region_of(uintptr_t a)
{
	for (int i = 0; i < nregions; i++)
		if (a >= regions[i].start && a < regions[i].end)
			return &regions[i];
	return NULL;
}

static int in_gmp(const Dl_info *di)
{
	const char *base = di->dli_fname ? strrchr(di->dli_fname, '/') : NULL;
	base = base ? base + 1 : di->dli_fname;
	if (base && strstr(base, "gmp"))
		return 1;
	return di->dli_sname && strncmp(di->dli_sname, "__gmp", 5) == 0;
}

static void report_gmp(uintptr_t pc, uintptr_t addr, const Dl_info *di)
{
	const char *path = getenv("AP_CYGWIN_RESERVE_REPORT");
	if (!path)
		return;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd < 0)
		return;
	char line[1024];
	int n = snprintf(line, sizeof line, "gmp 0x%lx %s+0x%lx %s 0x%lx\n", (unsigned long)pc,
			 di->dli_fname ? di->dli_fname : "?",
			 (unsigned long)(pc - (uintptr_t)di->dli_fbase),
			 di->dli_sname ? di->dli_sname : "?", (unsigned long)addr);
	if (n > 0 && write(fd, line, (size_t)n) < 0) {
		/* nothing more to do: the run ends either way */
	}
	close(fd);
}

static void on_segv(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	uintptr_t addr = (uintptr_t)si->si_addr;
	struct region *r = region_of(addr);
	if (!r) {
		signal(sig, SIG_DFL);
		return;   /* the fault repeats and takes the default action */
	}
#if defined(__x86_64__)
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.pc;
#else
	uintptr_t pc = 0;
	(void)uc;
#endif
	Dl_info di;
	memset(&di, 0, sizeof di);
	if (pc && dladdr((void *)pc, &di) && in_gmp(&di)) {
		const char *st = getenv("AP_CYGWIN_RESERVE_STATUS");
		report_gmp(pc, addr, &di);
		_exit(st ? atoi(st) : 0);
	}
	uintptr_t page = addr & ~(uintptr_t)(pagesize - 1);
	if (mprotect((void *)page, (size_t)pagesize, r->prot) < 0) {
		signal(sig, SIG_DFL);
	}
}

static void install(void)
{
	stack_t ss;
	struct sigaction sa;
	ss.ss_sp = altstack;
	ss.ss_size = sizeof altstack;
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
}

__attribute__((constructor)) static void init(void)
{
	long p = sysconf(_SC_PAGESIZE);
	if (p > 0)
		pagesize = p;
	install();
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = raw_mmap(addr, len, prot, flags, fd, off);
	if (p == MAP_FAILED || !(flags & MAP_NORESERVE) || !(flags & MAP_ANONYMOUS) ||
	    (flags & MAP_SHARED) || !(prot & PROT_WRITE) || nregions == MAX_REGIONS)
		return p;
	/* reserved, not committed: the first touch faults */
	if (mprotect(p, len, PROT_NONE) == 0) {
		regions[nregions].start = (uintptr_t)p;
		regions[nregions].end = (uintptr_t)p + len;
		regions[nregions].prot = prot;
		nregions++;
	}
	return p;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

/* GAP or a library installing its own SIGSEGV handler would take the
 * commits away: the model's handler stays, the program's is refused
 * quietly only for SIGSEGV. */
int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	static int (*real)(int, const struct sigaction *, struct sigaction *);
	if (!real)
		real = (int (*)(int, const struct sigaction *, struct sigaction *))dlsym(
			RTLD_NEXT, "sigaction");
	if (sig == SIGSEGV && act && act->sa_sigaction != on_segv && nregions > 0)
		return real(sig, NULL, old);
	return real(sig, act, old);
}
