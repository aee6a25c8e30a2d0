#!/bin/sh
# A failing or interrupted upstream step leaves nothing behind, and never
# crashes (red-team 2, R2, R3):
#  - prepare --dir SRC with DEST inside SRC (also through a symlink) is
#    refused up front, SRC untouched; it was a SIGSEGV after copying the
#    staging directory into itself ~1900 times;
#  - a source tree 3000 directories deep is refused (prepare, and verify's
#    fingerprint of it) with an error, not a stack overflow;
#  - SIGINT or SIGTERM during unpack or a directory copy (delivered at one
#    exact file by tests/tools/open_hook.c) removes the staging directory,
#    then the command dies of the signal.
. "$TESTS_ROOT/e2e/lib.sh"
UP="$BIN_DIR/upstream"
W=$(scratch)
trap 'rm -rf "$W"; cleanup' EXIT

staging_left() { ls -A "$1" | grep -q 'staging'; }
mkdir -p "$W/g/sub"
printf '#!/bin/sh\n' > "$W/g/configure"; echo hi > "$W/g/a"; echo x > "$W/g/sub/b"
before=$(snapshot_all "$W/g")

# DEST inside SRC
run sh -c "cd '$W/g' && '$UP' prepare src --dir ."
check "inside: exit 1" test "$RC" -eq 1
check_grep "inside: says so" "src is inside the source directory \.: the copy would copy itself" "$ERR"
check "inside: SRC untouched, no staging" test "$(snapshot_all "$W/g")" = "$before"
check_rc "inside, deeper: exit 1" 1 "$UP" prepare "$W/g/sub/x" --dir "$W/g"
check_grep "inside, deeper: says so" "is inside the source directory" "$ERR"
ln -s "$W/g/sub" "$W/link"
check_rc "inside through a symlink: exit 1" 1 "$UP" prepare "$W/link/y" --dir "$W/g"
check_grep "inside through a symlink: says so" "is inside the source directory" "$ERR"
check "inside: SRC still untouched" test "$(snapshot_all "$W/g")" = "$before"
check_rc "beside SRC is fine" 0 "$UP" prepare "$W/beside" --dir "$W/g"

# a deep tree
mkdir -p "$W/deep"; printf '#!/bin/sh\n' > "$W/deep/configure"
python3 -c "import os; os.chdir('$W/deep'); [(os.mkdir('d'), os.chdir('d')) for i in range(3000)]"
check_rc "deep: exit 1 (no crash)" 1 "$UP" prepare "$W/dd" --dir "$W/deep"
check_grep "deep: says how deep" "more than 256 directories deep" "$ERR"
check "deep: nothing left" test ! -e "$W/dd"
check "deep: no staging left" sh -c "! ls -A '$W' | grep -q staging"
if [ -x "$BIN_DIR/verify" ]; then
	check_rc "deep, verify --upstream: exit 2 (no crash)" 2 "$BIN_DIR/verify" --upstream "$W/deep" \
		--no-patches --build-dir "$W/vb" --platform linux -q
	check_grep "deep, verify: says how deep" "more than 256 directories deep" "$ERR"
fi

# signals
${CC:-cc} -shared -fPIC -o "$W/hook.so" "$TESTS_ROOT/tools/open_hook.c" -ldl ||
	not_ok "the open hook builds"
tar czf "$W/g.tgz" -C "$FIXTURES" minigap
mkdir "$W/s"
for sig in int term; do
	want=$([ $sig = int ] && echo 130 || echo 143)
	run env LD_PRELOAD="$W/hook.so" KILL_ON_OPEN=gap.c KILL_SIGNAL=$sig "$UP" unpack "$W/g.tgz" "$W/s/u"
	check "SIG$sig during unpack: dies of it ($want)" test "$RC" -eq "$want"
	check_grep "SIG$sig during unpack: says so" "interrupted by signal" "$ERR"
	check "SIG$sig during unpack: nothing left" test -z "$(ls -A "$W/s")"
	run env LD_PRELOAD="$W/hook.so" KILL_ON_OPEN=gap.c KILL_SIGNAL=$sig "$UP" prepare "$W/s/p" \
		--dir "$FIXTURES/minigap"
	check "SIG$sig during prepare --dir: dies of it ($want)" test "$RC" -eq "$want"
	check "SIG$sig during prepare --dir: nothing left" test -z "$(ls -A "$W/s")"
	run env LD_PRELOAD="$W/hook.so" KILL_ON_OPEN=gap.c KILL_SIGNAL=$sig "$UP" prepare "$W/s/t" \
		--tarball "$W/g.tgz"
	check "SIG$sig during prepare --tarball: dies of it ($want)" test "$RC" -eq "$want"
	check "SIG$sig during prepare --tarball: nothing left" test -z "$(ls -A "$W/s")"
done

finish
