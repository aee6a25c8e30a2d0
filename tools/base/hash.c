/* hash.c - SHA-256 through OpenSSL's EVP interface. */
#include "hash.h"

#include <openssl/evp.h>
#include <stdio.h>

int ap_sha256_hex(const void *data, size_t len, char out[AP_SHA256_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
		out[0] = '\0';
		return -1;
	}
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}
