/* error.h - the error a library call leaves for its caller.
 *
 * The library never prints and never exits: a fallible function returns
 * an int (0 ok, -1 error) and fills an ap_error saying where and what, in
 * words a person can act on ("patches/foo.patch:12: hunk ends early").
 */
#ifndef AP_ERROR_H
#define AP_ERROR_H

#include <stddef.h>

typedef struct ap_error {
	char msg[4096];
} ap_error;

#define AP_ERROR_INIT { { 0 } }

/* Formats the message; returns -1 so callers can `return ap_error_set(...)`. */
int ap_error_set(ap_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like ap_error_set, with ": strerror(errno)" appended. */
int ap_error_sys(ap_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prepends "prefix: " to an existing message (for adding context). */
int ap_error_wrap(ap_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
