/* test_hash.c - SHA-256 as lowercase hex (hash.h), against the FIPS 180-2
 * test vectors, since the state record identifies patches by it. */
#include "testutil.h"

#include "hash.h"

static void known_vectors(void **state)
{
	char hex[AP_SHA256_HEX];

	(void)state;
	assert_int_equal(ap_sha256_hex("", 0, hex), 0);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(ap_sha256_hex("abc", 3, hex), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(ap_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
				       hex), 0);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* bytes after a NUL count: the length decides, not the terminator */
static void nul_bytes_are_hashed(void **state)
{
	char a[AP_SHA256_HEX], b[AP_SHA256_HEX];

	(void)state;
	assert_int_equal(ap_sha256_hex("x\0y", 3, a), 0);
	assert_int_equal(ap_sha256_hex("x\0z", 3, b), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(strlen(a), 64);
}

/* a digest fed in pieces equals the one-shot digest, for each kind */
static void streamed_digests(void **state)
{
	ap_digest d = AP_DIGEST_INIT;
	char hex[AP_SHA256_HEX], one[AP_SHA256_HEX];

	(void)state;
	assert_int_equal(ap_digest_begin(&d, AP_DIGEST_SHA256), 0);
	assert_int_equal(ap_digest_add(&d, "ab", 2), 0);
	assert_int_equal(ap_digest_add(&d, "c", 1), 0);
	assert_int_equal(ap_digest_end(&d, hex), 0);
	assert_int_equal(ap_sha256_hex("abc", 3, one), 0);
	assert_string_equal(hex, one);
	assert_null(d.ctx);
	assert_int_equal(ap_digest_begin(&d, AP_DIGEST_SHA1), 0);
	assert_int_equal(ap_digest_add(&d, "abc", 3), 0);
	assert_int_equal(ap_digest_end(&d, hex), 0);
	assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	assert_int_equal(ap_digest_begin(&d, AP_DIGEST_MD5), 0);
	assert_int_equal(ap_digest_add(&d, "abc", 3), 0);
	assert_int_equal(ap_digest_end(&d, hex), 0);
	assert_string_equal(hex, "900150983cd24fb0d6963f7d28e17f72");
	/* dropped unfinished: nothing leaks (valgrind), nothing left to use */
	assert_int_equal(ap_digest_begin(&d, AP_DIGEST_SHA256), 0);
	ap_digest_discard(&d);
	assert_null(d.ctx);
	assert_int_equal(ap_digest_add(&d, "x", 1), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(streamed_digests),
		cmocka_unit_test(known_vectors),
		cmocka_unit_test(nul_bytes_are_hashed),
	};

	return cmocka_run_group_tests_name("hash", tests, NULL, NULL);
}
