/* open_hook.c - an LD_PRELOAD shim for tests that need something to
 * happen at one exact open(2), deterministically.
 *
 * SWAP_PATH, SWAP_FROM: the TOCTOU attacker of red-team 2 R13. The second
 * time the program opens
 * the file named by $SWAP_PATH, $SWAP_FROM is renamed over it just before
 * the open, as another process swapping the tarball between the checksum
 * and the unpack would. $SWAP_PATH is matched by its last component. A program that checks and reads through one open
 * file never opens it twice, and never sees the swap.
 *
 * KILL_ON_OPEN: a Ctrl-C (SIGINT; SIGTERM with KILL_SIGNAL=term, SIGHUP
 * with KILL_SIGNAL=hup) delivered
 * to the program the first time it opens a file of that name (its last
 * component), as a user interrupting an unpack half-way would.
 *
 * Built by the e2e test that uses it: cc -shared -fPIC -o X.so this.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

static int opened, killed;

static void maybe_kill(const char *path)
{
	const char *name = getenv("KILL_ON_OPEN"), *sig = getenv("KILL_SIGNAL");
	const char *last = path ? strrchr(path, '/') : NULL;
	if (!name || !path || killed || strcmp(last ? last + 1 : path, name) != 0)
		return;
	killed = 1;
	kill(getpid(), !sig ? SIGINT : strcmp(sig, "term") == 0 ? SIGTERM
		       : strcmp(sig, "hup") == 0 ? SIGHUP : SIGINT);
}

static void maybe_swap(const char *path)
{
	maybe_kill(path);
	const char *target = getenv("SWAP_PATH"), *from = getenv("SWAP_FROM");
	if (!target || !from || !path)
		return;
	const char *a = strrchr(path, '/'), *b = strrchr(target, '/');
	if (strcmp(a ? a + 1 : path, b ? b + 1 : target) != 0)
		return;
	if (++opened == 2)
		rename(from, target);
}

static mode_t mode_of(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

#define WRAP_OPEN(name)                                                         \
	int name(const char *path, int flags, ...)                              \
	{                                                                       \
		static int (*real)(const char *, int, ...);                     \
		va_list ap;                                                     \
		va_start(ap, flags);                                            \
		mode_t m = mode_of(flags, ap);                                  \
		va_end(ap);                                                     \
		if (!real)                                                      \
			real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, #name); \
		maybe_swap(path);                                               \
		return real(path, flags, m);                                    \
	}
#define WRAP_OPENAT(name)                                                       \
	int name(int dfd, const char *path, int flags, ...)                     \
	{                                                                       \
		static int (*real)(int, const char *, int, ...);                \
		va_list ap;                                                     \
		va_start(ap, flags);                                            \
		mode_t m = mode_of(flags, ap);                                  \
		va_end(ap);                                                     \
		if (!real)                                                      \
			real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, #name); \
		maybe_swap(path);                                               \
		return real(dfd, path, flags, m);                               \
	}

WRAP_OPEN(open)
WRAP_OPEN(open64)
WRAP_OPENAT(openat)
WRAP_OPENAT(openat64)
