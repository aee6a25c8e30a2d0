/* hash.c - digests through OpenSSL's EVP interface. */
#include "hash.h"

#include <openssl/evp.h>
#include <stdio.h>

static void to_hex(const unsigned char *md, unsigned n, char *out)
{
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[2 * n] = '\0';
}

int ap_sha256_hex(const void *data, size_t len, char out[AP_SHA256_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
		out[0] = '\0';
		return -1;
	}
	to_hex(md, mdlen, out);
	return 0;
}

int ap_digest_begin(ap_digest *d, ap_digest_kind kind)
{
	const EVP_MD *md = kind == AP_DIGEST_SHA1 ? EVP_sha1()
			   : kind == AP_DIGEST_MD5 ? EVP_md5() : EVP_sha256();
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	d->ctx = NULL;
	if (!ctx || !EVP_DigestInit_ex(ctx, md, NULL)) {
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	d->ctx = ctx;
	return 0;
}

int ap_digest_add(ap_digest *d, const void *data, size_t len)
{
	return d->ctx && EVP_DigestUpdate(d->ctx, data, len) ? 0 : -1;
}

int ap_digest_end(ap_digest *d, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int ok = d->ctx && EVP_DigestFinal_ex(d->ctx, md, &mdlen);

	ap_digest_discard(d);
	if (!ok) {
		out[0] = '\0';
		return -1;
	}
	to_hex(md, mdlen, out);
	return 0;
}

void ap_digest_discard(ap_digest *d)
{
	EVP_MD_CTX_free(d->ctx);
	d->ctx = NULL;
}
