/* error.h - the error a library call leaves for its caller.
 *
 *   ap_error_set       say what went wrong (code AP_ERR_FAILED); returns -1
 *   ap_error_set_code  the same with a code a caller branches on
 *   ap_error_sys       with ": strerror(errno)" appended
 *   ap_error_wrap      put context in front of a message
 *
 * The library never prints and never exits: a fallible function returns
 * an int (0 ok, -1 error) and fills an ap_error saying where and what, in
 * words a person can act on ("patches/foo.patch:12: hunk ends early"),
 * and, where a caller must tell one failure from another, a code.
 */
#ifndef AP_ERROR_H
#define AP_ERROR_H

#include <stddef.h>

/* What a caller can branch on; the message says the rest. */
typedef enum ap_error_code {
	AP_ERR_NONE = 0,   /* no error left */
	AP_ERR_FAILED,     /* the call failed: bad input, I/O, out of memory */
	AP_ERR_EDITED,     /* unapply: files changed after apply, which it would
	                      discard (--force restores anyway); a finding, exit 1 */
} ap_error_code;

typedef struct ap_error {
	char msg[4096];
	ap_error_code code;
} ap_error;

#define AP_ERROR_INIT { { 0 }, AP_ERR_NONE }

/* Formats the message; returns -1 so callers can `return ap_error_set(...)`. */
int ap_error_set(ap_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like ap_error_set, with the code a caller branches on. */
int ap_error_set_code(ap_error *err, ap_error_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like ap_error_set, with ": strerror(errno)" appended. */
int ap_error_sys(ap_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prepends "prefix: " to an existing message (for adding context). */
int ap_error_wrap(ap_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
