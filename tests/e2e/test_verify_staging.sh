#!/bin/sh
# verify interrupted while it stages the upstream (red-team 2): SIGINT,
# SIGTERM or SIGHUP during the unpack into BUILD/linux/.src.staging-*
# (delivered at one exact file by tests/tools/open_hook.c, as in
# test_upstream_staging) removes the staging directory, builds nothing
# further and dies of the signal (130, 143, 129); what the build directory
# held before (a file of the user's, the lock) stays, and the next run
# builds. Before, the signal killed verify at once and the staging
# directory stayed.
. "$TESTS_ROOT/e2e/lib.sh"
V="$BIN_DIR/verify"
EXPECT="$TESTS_ROOT/../expectations.conf"
W=$(scratch)
trap 'rm -rf "$W"; cleanup' EXIT

${CC:-cc} -shared -fPIC -o "$W/hook.so" "$TESTS_ROOT/tools/open_hook.c" -ldl ||
	not_ok "the open hook builds"
# a tarball: verify's key for it is its checksum, so the first gap.c opened
# is the one written into the staging directory
tar czf "$W/g.tgz" -C "$FIXTURES" minigap
verify() { env "$@" "$V" --upstream "$W/g.tgz" --patches "$FIXTURES/minigap-patches" \
	--expect "$EXPECT" --build-dir "$W/b" --platform linux -q; }
no_staging() { ! find "$W/b" -name '*staging*' | grep -q .; }

mkdir "$W/b"; echo mine > "$W/b/keep"
for sig in int term hup; do
	case $sig in int) want=130 ;; term) want=143 ;; hup) want=129 ;; esac
	run verify LD_PRELOAD="$W/hook.so" KILL_ON_OPEN=gap.c KILL_SIGNAL=$sig
	check "SIG$sig while staging: dies of it ($want, got $RC)" test "$RC" -eq "$want"
	check_grep "SIG$sig while staging: says so" "interrupted by signal" "$ERR"
	check "SIG$sig while staging: no staging directory left" no_staging
	check "SIG$sig while staging: no tree left" test ! -e "$W/b/linux/src"
	check "SIG$sig while staging: no fingerprint" test ! -e "$W/b/linux/fingerprint"
	check "SIG$sig while staging: the user's file stays" test "$(cat "$W/b/keep")" = mine
	check "SIG$sig while staging: the lock stays" test -f "$W/b/.lock"
done

run verify
check "then a run builds (exit $RC)" test "$RC" -le 1
check "then: the tree is there" test -x "$W/b/linux/src/gap"
check "then: no staging directory" no_staging

finish
