/* hash.h - digests through libcrypto, as lowercase hex.
 *
 *   ap_sha256_hex     SHA-256 of a buffer
 *   ap_digest_begin   start a streamed SHA-256, SHA-1 or MD5
 *   ap_digest_add     feed it bytes
 *   ap_digest_end     its hex (and the context freed)
 *   ap_digest_discard drop it unfinished
 */
#ifndef AP_HASH_H
#define AP_HASH_H

#include <stddef.h>

#define AP_SHA256_HEX 65

typedef enum ap_digest_kind { AP_DIGEST_SHA256, AP_DIGEST_SHA1, AP_DIGEST_MD5 } ap_digest_kind;

typedef struct ap_digest {
	void *ctx;   /* EVP_MD_CTX, opaque so callers need no OpenSSL header */
} ap_digest;

#define AP_DIGEST_INIT { NULL }

/* Each returns 0, or -1 when libcrypto fails (out of memory, mostly). */
int ap_sha256_hex(const void *data, size_t len, char out[AP_SHA256_HEX]);
int ap_digest_begin(ap_digest *d, ap_digest_kind kind);
int ap_digest_add(ap_digest *d, const void *data, size_t len);
/* out holds twice the digest size plus one: 65 for SHA-256, 41 SHA-1, 33 MD5. */
int ap_digest_end(ap_digest *d, char *out);
void ap_digest_discard(ap_digest *d);

#endif
