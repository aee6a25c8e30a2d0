/* hash.h - SHA-256 of byte buffers (libcrypto), as lowercase hex. */
#ifndef AP_HASH_H
#define AP_HASH_H

#include <stddef.h>

#define AP_SHA256_HEX 65

/* Returns 0, or -1 if libcrypto fails. */
int ap_sha256_hex(const void *data, size_t len, char out[AP_SHA256_HEX]);

#endif
