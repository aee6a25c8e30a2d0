/* buf.c - growable byte buffers and small allocation helpers. */
#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int ap_buf_grow(ap_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return -1;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int ap_buf_add(ap_buf *b, const void *data, size_t len)
{
	if (ap_buf_grow(b, len) < 0)
		return -1;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int ap_buf_puts(ap_buf *b, const char *s)
{
	return ap_buf_add(b, s, strlen(s));
}

int ap_buf_putc(ap_buf *b, char c)
{
	return ap_buf_add(b, &c, 1);
}

int ap_buf_vprintf(ap_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || ap_buf_grow(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int ap_buf_printf(ap_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ap_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *ap_buf_detach(ap_buf *b, size_t *len)
{
	char *p = b->data;

	if (!p)
		p = calloc(1, 1);
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void ap_buf_clear(ap_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void ap_buf_free(ap_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *ap_strdup(const char *s)
{
	return s ? ap_strndup(s, strlen(s)) : NULL;
}

char *ap_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *ap_printf(const char *fmt, ...)
{
	ap_buf b = AP_BUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ap_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		ap_buf_free(&b);
		return NULL;
	}
	return ap_buf_detach(&b, NULL);
}

void ap_populate(void *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	/* not cached in a static: the patch loader's threads call it at once */
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t start, end;

	/* smaller buffers span too few pages to repay the call */
	if (!p || len < 4 * page)
		return;
	start = ((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1);
	end = ((uintptr_t)p + len) & ~(uintptr_t)(page - 1);
	if (end > start)
		madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)len;
#endif
}

int ap_array_grow(void **v, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			return -1;
		ncap *= 2;
	}
	p = realloc(*v, ncap * elem);
	if (!p)
		return -1;
	*v = p;
	*cap = ncap;
	return 0;
}
