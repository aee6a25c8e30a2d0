/* sums.h - the checksums SageMath's checksums.ini carries, of a file or
 * of bytes, computed in one pass: cksum (the POSIX CRC-32 that cksum(1)
 * prints, which Sage records), sha1, md5 and sha256 (libcrypto's EVP).
 * All as text, the way checksums.ini writes them: cksum in decimal, the
 * digests in lowercase hex.
 *
 *   ap_sums_buf / _file / _fd   the four sums of bytes, a file or a descriptor
 *   ap_cksum                    the POSIX cksum CRC alone
 */
#ifndef AP_SUMS_H
#define AP_SUMS_H

#include "error.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ap_sums {
	char cksum[11];   /* "3891403157" */
	char sha1[41];
	char md5[33];
	char sha256[65];
	unsigned long long size;
} ap_sums;

/* The POSIX cksum CRC over len bytes: the data, then the length in as few
 * bytes as it needs (least significant first), complemented. */
uint32_t ap_cksum(const void *data, size_t len);

/* Returns 0, or -1 when libcrypto fails (err says so). */
int ap_sums_buf(const void *data, size_t len, ap_sums *out, ap_error *err);

/* Reads path once; errors name the file. */
int ap_sums_file(const char *path, ap_sums *out, ap_error *err);
/* The same from an open descriptor, read from where it stands to its end;
 * path only names it in errors. */
int ap_sums_fd(int fd, const char *path, ap_sums *out, ap_error *err);

#endif
