/* test_fetch.c - downloading with a checksum (fetch.c), over file:// URLs
 * so no server is needed: the sum decides what lands under the final
 * name, a .part is resumed (and started over when its old half is bad),
 * and an existing file is reused or left alone, never replaced. The HTTP
 * cases (ranges, cut transfers, error statuses) are in
 * tests/e2e/test_upstream_fetch.sh against a local server.
 */
#include "testutil.h"

#include "source.h"

static const char payload[] =
	"gap-4.10.2 stand-in: a few hundred bytes are enough to resume halfway.\n"
	"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\n"
	"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\n"
	"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\n";

typedef struct ctx {
	char *dir, *url, *dest, *part;
	char sum[65];
} ctx;

static int setup(void **state)
{
	ctx *c = calloc(1, sizeof *c);
	ap_error err = AP_ERROR_INIT;
	char *src;

	c->dir = tu_mkdtemp();
	tu_write(c->dir, "srv/gap-4.10.2.tar.gz", payload);
	tu_write(c->dir, "up/.keep", "");
	src = ap_printf("%s/srv/gap-4.10.2.tar.gz", c->dir);
	c->url = ap_printf("file://%s", src);
	c->dest = ap_printf("%s/up/gap-4.10.2.tar.gz", c->dir);
	c->part = ap_printf("%s/up/gap-4.10.2.tar.gz.part", c->dir);
	if (ap_sha256_file(src, c->sum, &err) < 0)
		fail_msg("%s", err.msg);
	free(src);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	ctx *c = *state;

	free(c->url);
	free(c->dest);
	free(c->part);
	tu_rmrf(c->dir);
	free(c);
	return 0;
}

static void sha256_of_files(void **state)
{
	ctx *c = *state;
	ap_error err = AP_ERROR_INIT;
	char hex[65];
	char *p = ap_printf("%s/abc", c->dir);

	tu_write(c->dir, "abc", "abc");
	assert_int_equal(ap_sha256_file(p, hex, &err), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	free(p);
	p = ap_printf("%s/none", c->dir);
	assert_int_equal(ap_sha256_file(p, hex, &err), -1);
	assert_contains(err.msg, "/none: cannot open");
	free(p);
}

static void good_download(void **state)
{
	ctx *c = *state;
	ap_error err = AP_ERROR_INIT;
	ap_fetch_result res;
	size_t len;
	char *got;

	if (ap_fetch(c->url, c->dest, c->sum, NULL, &res, &err) < 0)
		fail_msg("%s", err.msg);
	got = tu_read(c->dir, "up/gap-4.10.2.tar.gz", &len);
	assert_bytes(got, len, payload);
	free(got);
	assert_false(tu_exists(c->dir, "up/gap-4.10.2.tar.gz.part"));
	assert_int_equal(res.reused, 0);
	assert_int_equal(res.resumed_from, 0);
	assert_int_equal(res.bytes, (long long)strlen(payload));
	/* a second run finds it and reuses it, without asking any server */
	if (ap_fetch("http://127.0.0.1:1/unreachable", c->dest, c->sum, NULL, &res, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(res.reused, 1);
}

static void bad_checksum(void **state)
{
	ctx *c = *state;
	ap_error err = AP_ERROR_INIT;
	const char *wrong = "0000000000000000000000000000000000000000000000000000000000000000";
	char *before, *after, *updir = ap_printf("%s/up", c->dir);

	before = tu_snapshot(updir);
	assert_int_equal(ap_fetch(c->url, c->dest, wrong, NULL, NULL, &err), -1);
	after = tu_snapshot(updir);
	assert_snapshot_equal(before, after);   /* no dest, no .part */
	assert_contains(err.msg, c->dest);
	assert_contains(err.msg, "sha256 mismatch");
	assert_contains(err.msg, wrong);
	assert_contains(err.msg, c->sum);
	assert_contains(err.msg, c->url);
	free(before);
	free(after);
	free(updir);
}

static void existing_wrong_file_is_left_alone(void **state)
{
	ctx *c = *state;
	ap_error err = AP_ERROR_INIT;
	size_t len;
	char *got;

	tu_write(c->dir, "up/gap-4.10.2.tar.gz", "someone else's tarball\n");
	assert_int_equal(ap_fetch(c->url, c->dest, c->sum, NULL, NULL, &err), -1);
	assert_contains(err.msg, "already there with the wrong checksum: sha256 mismatch");
	assert_contains(err.msg, c->sum);
	got = tu_read(c->dir, "up/gap-4.10.2.tar.gz", &len);
	assert_bytes(got, len, "someone else's tarball\n");
	free(got);
	assert_false(tu_exists(c->dir, "up/gap-4.10.2.tar.gz.part"));
}

static void resumes_a_part(void **state)
{
	ctx *c = *state;
	ap_error err = AP_ERROR_INIT;
	ap_fetch_result res;
	size_t half = strlen(payload) / 2, len;
	char *got;

	tu_write_mode(c->dir, "up/gap-4.10.2.tar.gz.part", payload, half, 0644);
	if (ap_fetch(c->url, c->dest, c->sum, NULL, &res, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(res.resumed_from, (long long)half);
	assert_int_equal(res.bytes, (long long)(strlen(payload) - half));
	assert_int_equal(res.restarted, 0);
	got = tu_read(c->dir, "up/gap-4.10.2.tar.gz", &len);
	assert_bytes(got, len, payload);
	free(got);
	assert_false(tu_exists(c->dir, "up/gap-4.10.2.tar.gz.part"));
}

/* the kept half was wrong: the sum fails, the part is started over once */
static void bad_part_is_started_over(void **state)
{
	ctx *c = *state;
	ap_error err = AP_ERROR_INIT;
	ap_fetch_result res;
	size_t len;
	char *got;

	tu_write(c->dir, "up/gap-4.10.2.tar.gz.part", "CORRUPTED BYTES");
	if (ap_fetch(c->url, c->dest, c->sum, NULL, &res, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(res.resumed_from, 15);
	assert_int_equal(res.restarted, 1);
	got = tu_read(c->dir, "up/gap-4.10.2.tar.gz", &len);
	assert_bytes(got, len, payload);
	free(got);
}

/* a .part longer than the file: the range cannot be served; start over */
static void overlong_part_is_started_over(void **state)
{
	ctx *c = *state;
	ap_error err = AP_ERROR_INIT;
	ap_fetch_result res;
	char big[1024];
	size_t len;
	char *got;

	memset(big, 'x', sizeof big);
	tu_write_mode(c->dir, "up/gap-4.10.2.tar.gz.part", big, sizeof big, 0644);
	if (ap_fetch(c->url, c->dest, c->sum, NULL, &res, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(res.restarted, 1);
	got = tu_read(c->dir, "up/gap-4.10.2.tar.gz", &len);
	assert_bytes(got, len, payload);
	free(got);
}

static void unreachable_and_missing(void **state)
{
	ctx *c = *state;
	ap_error err = AP_ERROR_INIT;
	char *missing = ap_printf("file://%s/srv/nothing.tar.gz", c->dir);

	assert_int_equal(ap_fetch(missing, c->dest, c->sum, NULL, NULL, &err), -1);
	assert_contains(err.msg, missing);
	assert_false(tu_exists(c->dir, "up/gap-4.10.2.tar.gz"));
	assert_false(tu_exists(c->dir, "up/gap-4.10.2.tar.gz.part"));
	/* port 1 on the loopback: refused at once, no network needed */
	assert_int_equal(ap_fetch("http://127.0.0.1:1/gap.tar.gz", c->dest, c->sum, NULL, NULL, &err), -1);
	assert_contains(err.msg, "http://127.0.0.1:1/gap.tar.gz");
	assert_false(tu_exists(c->dir, "up/gap-4.10.2.tar.gz"));
	assert_false(tu_exists(c->dir, "up/gap-4.10.2.tar.gz.part"));
	/* and a malformed sum is refused before anything happens */
	assert_int_equal(ap_fetch(c->url, c->dest, "abc", NULL, NULL, &err), -1);
	assert_contains(err.msg, "no valid expected sha256");
	free(missing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(sha256_of_files, setup, teardown),
		cmocka_unit_test_setup_teardown(good_download, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_checksum, setup, teardown),
		cmocka_unit_test_setup_teardown(existing_wrong_file_is_left_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(resumes_a_part, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_part_is_started_over, setup, teardown),
		cmocka_unit_test_setup_teardown(overlong_part_is_started_over, setup, teardown),
		cmocka_unit_test_setup_teardown(unreachable_and_missing, setup, teardown),
	};

	return cmocka_run_group_tests_name("fetch", tests, NULL, NULL);
}
