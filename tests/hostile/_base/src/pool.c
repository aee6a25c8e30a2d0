/* pool.c - a stand-in for an allocator's pool, for the hostile-input tests. */
#include <stddef.h>

static size_t pool_mb = 4096;

size_t pool_size(void)
{
	return pool_mb;
}
