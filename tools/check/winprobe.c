/* winprobe.c - the pool pages' state on Windows, for verify on Cygwin.
 *
 * Cygwin has no ptrace and no /proc/PID/smaps VmFlags; what tells a pool
 * that is only reserved from one that is committed is Windows' own view:
 * VirtualQueryEx walks the GAP process's address space, region by region,
 * and the allocation (AllocationBase) holding the most bytes of at least
 * min_size, private or a view of a section (Cygwin maps anonymous memory
 * either way; images are left out), is taken for the pool, its bytes
 * counted as MEM_COMMIT or MEM_RESERVE. Pure Win32: built on Cygwin, and compiled by CI with
 * x86_64-w64-mingw32-gcc as a check; the Linux build leaves it out.
 */
#include "probe.h"

#include <stdio.h>
#include <string.h>
#include <windows.h>

typedef struct alloc_sum {
	ULONG_PTR base;
	unsigned long long size, committed, reserved;
} alloc_sum;

static void keep_largest(ap_winpool *out, const alloc_sum *a, unsigned long long min_size)
{
	if (a->size < min_size || (out->found && a->size <= out->size))
		return;
	out->found = 1;
	out->base = (unsigned long long)a->base;
	out->size = a->size;
	out->committed = a->committed;
	out->reserved = a->reserved;
}

int ap_winprobe_pool(unsigned long winpid, unsigned long long min_size, ap_winpool *out,
		     ap_error *err)
{
	HANDLE h;
	MEMORY_BASIC_INFORMATION mbi;
	SYSTEM_INFO si;
	unsigned char *p, *end;
	alloc_sum cur;

	memset(out, 0, sizeof(*out));
	memset(&cur, 0, sizeof(cur));
	h = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, (DWORD)winpid);
	if (!h)
		return ap_error_set(err, "OpenProcess(%lu) failed: Windows error %lu", winpid,
				    (unsigned long)GetLastError());
	GetSystemInfo(&si);
	p = (unsigned char *)si.lpMinimumApplicationAddress;
	end = (unsigned char *)si.lpMaximumApplicationAddress;
	while (p < end) {
		SIZE_T n = VirtualQueryEx(h, p, &mbi, sizeof(mbi));
		if (n != sizeof(mbi))
			break;
		if (mbi.State != MEM_FREE && mbi.Type != MEM_IMAGE) {
			ULONG_PTR base = (ULONG_PTR)mbi.AllocationBase;
			if (base != cur.base) {
				keep_largest(out, &cur, min_size);
				memset(&cur, 0, sizeof(cur));
				cur.base = base;
			}
			cur.size += mbi.RegionSize;
			if (mbi.State == MEM_COMMIT)
				cur.committed += mbi.RegionSize;
			else if (mbi.State == MEM_RESERVE)
				cur.reserved += mbi.RegionSize;
		} else {
			keep_largest(out, &cur, min_size);
			memset(&cur, 0, sizeof(cur));
		}
		if ((unsigned char *)mbi.BaseAddress + mbi.RegionSize <= p)
			break;   /* no progress: give up rather than spin */
		p = (unsigned char *)mbi.BaseAddress + mbi.RegionSize;
	}
	keep_largest(out, &cur, min_size);
	CloseHandle(h);
	return 0;
}
