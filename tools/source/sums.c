/* sums.c - cksum, sha1, md5 and sha256 of a stream, in one pass. */
#include "sums.h"

#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* CRC-32 with the polynomial 0x04C11DB7, most significant bit first and
 * no reflection, as POSIX specifies for cksum. */
static uint32_t crc_table[256];

static void crc_init(void)
{
	if (crc_table[1])
		return;
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i << 24;

		for (int k = 0; k < 8; k++)
			c = (c & 0x80000000u) ? (c << 1) ^ 0x04C11DB7u : c << 1;
		crc_table[i] = c;
	}
}

static uint32_t crc_update(uint32_t crc, const unsigned char *p, size_t n)
{
	while (n--)
		crc = (crc << 8) ^ crc_table[((crc >> 24) ^ *p++) & 0xFF];
	return crc;
}

static uint32_t crc_finish(uint32_t crc, unsigned long long len)
{
	for (; len; len >>= 8) {
		unsigned char b = (unsigned char)(len & 0xFF);

		crc = crc_update(crc, &b, 1);
	}
	return ~crc;
}

uint32_t ap_cksum(const void *data, size_t len)
{
	crc_init();
	return crc_finish(crc_update(0, data, len), len);
}

typedef struct sums_ctx {
	ap_digest md[3];   /* sha1, md5, sha256 */
	uint32_t crc;
	unsigned long long size;
} sums_ctx;

static void ctx_free(sums_ctx *c)
{
	for (int i = 0; i < 3; i++)
		ap_digest_discard(&c->md[i]);
}

static int ctx_init(sums_ctx *c)
{
	static const ap_digest_kind kinds[3] = { AP_DIGEST_SHA1, AP_DIGEST_MD5, AP_DIGEST_SHA256 };

	crc_init();
	c->crc = 0;
	c->size = 0;
	for (int i = 0; i < 3; i++)
		c->md[i].ctx = NULL;
	for (int i = 0; i < 3; i++) {
		if (ap_digest_begin(&c->md[i], kinds[i]) < 0) {
			ctx_free(c);
			return -1;
		}
	}
	return 0;
}

static int ctx_update(sums_ctx *c, const void *p, size_t n)
{
	for (int i = 0; i < 3; i++)
		if (ap_digest_add(&c->md[i], p, n) < 0)
			return -1;
	c->crc = crc_update(c->crc, p, n);
	c->size += n;
	return 0;
}

static int ctx_final(sums_ctx *c, ap_sums *out)
{
	char *dest[3] = { out->sha1, out->md5, out->sha256 };

	for (int i = 0; i < 3; i++)
		if (ap_digest_end(&c->md[i], dest[i]) < 0)
			return -1;
	snprintf(out->cksum, sizeof out->cksum, "%lu",
		 (unsigned long)crc_finish(c->crc, c->size));
	out->size = c->size;
	return 0;
}

int ap_sums_buf(const void *data, size_t len, ap_sums *out, ap_error *err)
{
	sums_ctx c;
	int rc = 0;

	if (ctx_init(&c) < 0)
		return ap_error_set(err, "cannot start the checksums (libcrypto failed)");
	if (ctx_update(&c, data ? data : "", len) < 0 || ctx_final(&c, out) < 0)
		rc = ap_error_set(err, "the checksums failed in libcrypto");
	ctx_free(&c);
	return rc;
}

int ap_sums_file(const char *path, ap_sums *out, ap_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return ap_error_sys(err, "%s: cannot open", path);
	rc = ap_sums_fd(fd, path, out, err);
	close(fd);
	return rc;
}

int ap_sums_fd(int fd, const char *path, ap_sums *out, ap_error *err)
{
	enum { CHUNK = 1 << 16 };
	sums_ctx c;
	char *chunk;
	ssize_t got;
	int rc = -1;

	chunk = malloc(CHUNK);
	if (!chunk || ctx_init(&c) < 0) {
		free(chunk);
		return ap_error_set(err, "%s: cannot start the checksums (out of memory or "
				    "libcrypto failed)", path);
	}
	while ((got = read(fd, chunk, CHUNK)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			ap_error_sys(err, "%s: read failed", path);
			goto out;
		}
		if (ctx_update(&c, chunk, (size_t)got) < 0) {
			ap_error_set(err, "%s: the checksums failed in libcrypto", path);
			goto out;
		}
	}
	if (ctx_final(&c, out) < 0) {
		ap_error_set(err, "%s: the checksums failed in libcrypto", path);
		goto out;
	}
	rc = 0;
out:
	ctx_free(&c);
	free(chunk);
	return rc;
}
