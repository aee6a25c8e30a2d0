/* test_buf.c - growable byte buffers (buf.h): bytes travel as (pointer,
 * length) with NUL bytes intact, a NUL always follows them, and a failed
 * growth leaves the buffer as it was. */
#include "testutil.h"

#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void add_keeps_nul_bytes_and_terminates(void **state)
{
	ap_buf b = AP_BUF_INIT;

	(void)state;
	assert_int_equal(ap_buf_add(&b, "a\0b", 3), 0);
	assert_int_equal(ap_buf_add(&b, "\r\n", 2), 0);
	assert_bytes_n(b.data, b.len, "a\0b\r\n", 5);
	assert_int_equal(b.data[b.len], '\0');
	assert_true(b.cap > b.len);
	ap_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

static void add_nothing_to_empty_buffer(void **state)
{
	ap_buf b = AP_BUF_INIT;

	(void)state;
	assert_int_equal(ap_buf_add(&b, NULL, 0), 0);
	assert_non_null(b.data);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	ap_buf_free(&b);
}

static void puts_putc_printf_append(void **state)
{
	ap_buf b = AP_BUF_INIT;

	(void)state;
	assert_int_equal(ap_buf_puts(&b, "x="), 0);
	assert_int_equal(ap_buf_printf(&b, "%d,%s", -42, "y"), 0);
	assert_int_equal(ap_buf_putc(&b, '\0'), 0);
	assert_int_equal(ap_buf_putc(&b, '!'), 0);
	assert_bytes_n(b.data, b.len, "x=-42,y\0!", 9);
	ap_buf_free(&b);
}

/* printf output far beyond the first allocation, several times over */
static void printf_grows_past_initial_capacity(void **state)
{
	ap_buf b = AP_BUF_INIT;
	char big[5000];

	(void)state;
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(ap_buf_puts(&b, "<"), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ap_buf_printf(&b, "%s|%d", big, i), 0);
	assert_int_equal(b.len, 1 + 3 * (4999 + 2));
	assert_int_equal(strlen(b.data), b.len);
	assert_memory_equal(b.data + 1, big, 4999);
	assert_memory_equal(b.data + 1 + 4999, "|0", 2);
	assert_memory_equal(b.data + b.len - 2, "|2", 2);
	ap_buf_free(&b);
}

static void grow_refuses_overflow_and_keeps_contents(void **state)
{
	ap_buf b = AP_BUF_INIT;

	(void)state;
	assert_int_equal(ap_buf_puts(&b, "keep"), 0);
	assert_int_equal(ap_buf_grow(&b, SIZE_MAX), -1);
	assert_int_equal(ap_buf_grow(&b, SIZE_MAX - 4), -1);
	assert_int_equal(ap_buf_add(&b, "x", SIZE_MAX - 2), -1);
	assert_bytes(b.data, b.len, "keep");
	assert_int_equal(ap_buf_grow(&b, 1000), 0);
	assert_true(b.cap >= 4 + 1000 + 1);
	assert_bytes(b.data, b.len, "keep");
	ap_buf_free(&b);
}

static void detach_hands_over_and_empties(void **state)
{
	ap_buf b = AP_BUF_INIT;
	size_t len = 99;
	char *p;

	(void)state;
	ap_buf_puts(&b, "hello");
	p = ap_buf_detach(&b, &len);
	assert_int_equal(len, 5);
	assert_string_equal(p, "hello");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	free(p);
	/* an empty buffer still gives a string the caller can free */
	p = ap_buf_detach(&b, &len);
	assert_non_null(p);
	assert_int_equal(len, 0);
	assert_string_equal(p, "");
	free(p);
	/* the buffer is usable again */
	ap_buf_puts(&b, "again");
	assert_bytes(b.data, b.len, "again");
	ap_buf_free(&b);
}

static void clear_keeps_capacity(void **state)
{
	ap_buf b = AP_BUF_INIT;
	size_t cap;

	(void)state;
	ap_buf_clear(&b);  /* on an unallocated buffer: no crash */
	ap_buf_puts(&b, "something long enough");
	cap = b.cap;
	ap_buf_clear(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, cap);
	assert_string_equal(b.data, "");
	ap_buf_puts(&b, "ab");
	assert_bytes(b.data, b.len, "ab");
	ap_buf_free(&b);
	ap_buf_free(&b);  /* twice is harmless */
}

static void strdup_family(void **state)
{
	char *s;

	(void)state;
	assert_null(ap_strdup(NULL));
	s = ap_strdup("abc");
	assert_string_equal(s, "abc");
	free(s);
	s = ap_strndup("a\0bcdef", 4);
	assert_memory_equal(s, "a\0bc", 4);
	assert_int_equal(s[4], '\0');
	free(s);
	s = ap_strndup("xyz", 0);
	assert_string_equal(s, "");
	free(s);
	s = ap_printf("%s-%03d-%c", "n", 7, 'z');
	assert_string_equal(s, "n-007-z");
	free(s);
}

static void array_grow_doubles_and_refuses_overflow(void **state)
{
	long *v = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(ap_array_grow((void **)&v, &cap, 1, sizeof *v), 0);
	assert_non_null(v);
	assert_true(cap >= 1);
	assert_int_equal(ap_array_grow((void **)&v, &cap, 100, sizeof *v), 0);
	assert_true(cap >= 100);
	for (size_t i = 0; i < 100; i++)
		v[i] = (long)i;
	{
		size_t before = cap;
		long *p = v;

		/* a smaller need changes nothing */
		assert_int_equal(ap_array_grow((void **)&v, &cap, 3, sizeof *v), 0);
		assert_int_equal(cap, before);
		assert_ptr_equal(v, p);
	}
	/* a count whose byte size overflows size_t is refused, the array kept */
	assert_int_equal(ap_array_grow((void **)&v, &cap, SIZE_MAX / 4, sizeof *v), -1);
	assert_int_equal(ap_array_grow((void **)&v, &cap, SIZE_MAX, 1), -1);
	assert_true(cap >= 100);
	assert_int_equal(v[99], 99);
	free(v);
}

static size_t resident_pages(const char *p, size_t pages, unsigned char *vec)
{
	size_t n = 0;

	assert_int_equal(mincore((void *)p, pages * (size_t)sysconf(_SC_PAGESIZE), vec), 0);
	for (size_t i = 0; i < pages; i++)
		n += vec[i] & 1;
	return n;
}

static void populate_maps_the_whole_pages_in_range(void **state)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char vec[16];
	char *p;

	(void)state;
	p = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
#ifdef MADV_POPULATE_WRITE
	/* the probe maps the last page, which the checks below leave out */
	if (madvise(p + 15 * page, page, MADV_POPULATE_WRITE) < 0) {
		munmap(p, 16 * page);
		skip();	/* a kernel before 5.14: ap_populate is a no-op there */
	}
	assert_int_equal(resident_pages(p, 15, vec), 0);
	/* bytes 100 .. 12 pages + 100: whole pages 1 to 11 */
	ap_populate(p + 100, 12 * page);
	assert_int_equal(resident_pages(p, 15, vec), 11);
	assert_int_equal(vec[0] & 1, 0);
	assert_int_equal(vec[1] & 1, 1);
	assert_int_equal(vec[11] & 1, 1);
	assert_int_equal(vec[12] & 1, 0);
	/* fewer than four pages: not worth a system call */
	ap_populate(p + 12 * page + 200, 3 * page - 200);
	assert_int_equal(resident_pages(p, 15, vec), 11);
	munmap(p, 16 * page);
#else
	munmap(p, 16 * page);
	skip();
#endif
}

static void populate_keeps_the_bytes(void **state)
{
	const size_t len = 64 * 1024 + 123;
	char *a = malloc(len), *copy = malloc(len);

	(void)state;
	assert_non_null(a);
	assert_non_null(copy);
	for (size_t i = 0; i < len; i++)
		a[i] = (char)(i * 7 + 3);
	memcpy(copy, a, len);
	ap_populate(a, len);
	assert_memory_equal(a, copy, len);
	ap_populate(NULL, len);
	ap_populate(a, 0);
	free(a);
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_keeps_nul_bytes_and_terminates),
		cmocka_unit_test(add_nothing_to_empty_buffer),
		cmocka_unit_test(puts_putc_printf_append),
		cmocka_unit_test(printf_grows_past_initial_capacity),
		cmocka_unit_test(grow_refuses_overflow_and_keeps_contents),
		cmocka_unit_test(detach_hands_over_and_empties),
		cmocka_unit_test(clear_keeps_capacity),
		cmocka_unit_test(strdup_family),
		cmocka_unit_test(array_grow_doubles_and_refuses_overflow),
		cmocka_unit_test(populate_maps_the_whole_pages_in_range),
		cmocka_unit_test(populate_keeps_the_bytes),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
