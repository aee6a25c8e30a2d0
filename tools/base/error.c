/* error.c - filling ap_error messages. */
#include "error.h"

#include "buf.h"
#include "textsafe.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A message quotes names, which may hold ESC, BEL or bytes that are not
 * UTF-8: it is made terminal-safe once, here, so that every place that
 * prints or embeds it gets the same visible form (textsafe.h). LF and tab
 * are kept. When memory runs out the message is left as written. */
static void make_safe(ap_error *err)
{
	size_t len = strlen(err->msg);
	ap_buf b = AP_BUF_INIT;

	if (!ap_term_needs_escape(err->msg, len))
		return;
	ap_term_escape(&b, err->msg, len, 0);
	if (b.data) {
		size_t n = b.len < sizeof err->msg - 1 ? b.len : sizeof err->msg - 1;

		/* never end inside an escape or a UTF-8 sequence */
		while (n > 0 && n < b.len && ((unsigned char)b.data[n] & 0xc0) == 0x80)
			n--;
		memcpy(err->msg, b.data, n);
		err->msg[n] = '\0';
	}
	ap_buf_free(&b);
}

static int vset(ap_error *err, ap_error_code code, const char *fmt, va_list ap)
{
	if (!err)
		return -1;
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	make_safe(err);
	err->code = code;
	return -1;
}

int ap_error_set(ap_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, AP_ERR_FAILED, fmt, ap);
	va_end(ap);
	return -1;
}

int ap_error_set_code(ap_error *err, ap_error_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

int ap_error_sys(ap_error *err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	/* called from the patch loader's threads: glibc's strerror (2.32 on)
	 * is thread-safe, POSIX's need not be (loaded_series.h) */
	snprintf(err->msg + n, sizeof err->msg - n, ": %s", strerror(saved));
	make_safe(err);
	err->code = AP_ERR_FAILED;
	errno = saved;
	return -1;
}

int ap_error_wrap(ap_error *err, const char *fmt, ...)
{
	char prefix[1024];
	char old[sizeof err->msg];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	if (snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old) < 0)
		memcpy(err->msg, old, sizeof old);
	make_safe(err);
	if (err->code == AP_ERR_NONE)
		err->code = AP_ERR_FAILED;
	return -1;
}
