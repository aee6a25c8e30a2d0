/* buf.h - growable byte buffers.
 *
 * Patch and file contents may hold NUL bytes and CRLF, so bytes always
 * travel as (pointer, length); a buf keeps a NUL after its bytes only so
 * that text can be handed to printf-style code.
 *
 *   ap_buf_add / _puts / _putc / _printf   bytes appended
 *   ap_buf_detach / _clear / _free         the bytes handed over, or dropped
 *   ap_strdup, ap_strndup, ap_printf       strings that fail as NULL
 *   ap_array_grow, ap_populate             arrays grown; fresh pages mapped in
 */
#ifndef AP_BUF_H
#define AP_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct ap_buf {
	char *data;
	size_t len;
	size_t cap;
} ap_buf;

#define AP_BUF_INIT { NULL, 0, 0 }

/* All return 0, or -1 when memory runs out (the buf is left as it was). */
int ap_buf_grow(ap_buf *b, size_t extra);
int ap_buf_add(ap_buf *b, const void *data, size_t len);
int ap_buf_puts(ap_buf *b, const char *s);
int ap_buf_putc(ap_buf *b, char c);
int ap_buf_printf(ap_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ap_buf_vprintf(ap_buf *b, const char *fmt, va_list ap);

/* Hands the bytes to the caller (who frees them) and empties the buf. */
char *ap_buf_detach(ap_buf *b, size_t *len);
void ap_buf_clear(ap_buf *b);
void ap_buf_free(ap_buf *b);

/* strdup/strndup that abort nothing: NULL when memory runs out. */
char *ap_strdup(const char *s);
char *ap_strndup(const char *s, size_t n);
char *ap_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Maps in the whole pages inside [p, p+len) with one call, where the
 * kernel supports it (Linux 5.14+); a no-op otherwise. For buffers about to
 * be filled: on virtual machines a page fault costs several microseconds,
 * and a file read into fresh memory takes one per 4 KiB. */
void ap_populate(void *p, size_t len);

/* Grows an array of elements of size elem to hold at least need of them. */
int ap_array_grow(void **v, size_t *cap, size_t need, size_t elem);

#endif
