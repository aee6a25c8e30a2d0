#!/bin/sh
# One verify at a time in a build directory (red-team 2, R12): a second run
# while BUILD/.lock is held stops at once, saying so (exit 2), instead of
# removing the first one's tree mid-build; the build dir is left as it was.
# The holder is flock(1) here, so nothing depends on timing; a symlinked
# .lock is refused like every other link in the build dir.
. "$TESTS_ROOT/e2e/lib.sh"
V="$BIN_DIR/verify"
EXPECT="$TESTS_ROOT/../expectations.conf"
W=$(scratch)
holder=
trap '[ -n "$holder" ] && kill "$holder" 2>/dev/null; rm -rf "$W"; cleanup' EXIT

command -v flock >/dev/null 2>&1 || { ok "# SKIP no flock(1)"; finish; }
verify() { "$V" --upstream "$FIXTURES/minigap" --patches "$FIXTURES/minigap-patches" \
	--expect "$EXPECT" --build-dir "$W/b" --platform linux -q; }

mkdir -p "$W/b"
# the subshell takes the lock on fd 9 and becomes the sleep: killing it frees the lock
(flock -n 9 || exit 1; echo held > "$W/held"; exec sleep 600) 9>"$W/b/.lock" &
holder=$!
while [ ! -e "$W/held" ]; do
	kill -0 "$holder" 2>/dev/null || { not_ok "the holder took the lock"; finish; }
	sleep 0.1
done
before=$(ls -A "$W/b")
check_rc "held: exit 2" 2 verify
check_grep "held: says another verify uses it" "another verify is using the build directory .*b/.lock is locked" "$ERR"
check "held: the build dir untouched" test "$(ls -A "$W/b")" = "$before"
kill "$holder"; wait "$holder" 2>/dev/null; holder=

run verify
check "released: builds (exit $RC)" test "$RC" -le 1
check "released: the tree is there" test -x "$W/b/linux/src/gap"

rm "$W/b/.lock"; ln -s "$W/elsewhere" "$W/b/.lock"
check_rc "a symlinked .lock: exit 2" 2 verify
check_grep "a symlinked .lock: named" "b/.lock is a symbolic link" "$ERR"
check "a symlinked .lock: nothing made where it points" test ! -e "$W/elsewhere"

finish
