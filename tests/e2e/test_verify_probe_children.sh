#!/bin/sh
# verify --probe kills what the probed program forked (red-team 2, R14): a
# program that leaves children sleeping gets its process group killed with
# it, so none is left running. (A killed child may stay a zombie until init
# reaps it: running means a state other than Z in /proc.)
. "$TESTS_ROOT/e2e/lib.sh"
V="$BIN_DIR/verify"
W=$(scratch)
trap 'for p in $(cat "$W/kids" 2>/dev/null); do kill "$p" 2>/dev/null; done; rm -rf "$W"; cleanup' EXIT

printf '#!/bin/sh\nfor i in 1 2 3; do sleep 600 & echo $! >> "%s/kids"; done\nexit 0\n' "$W" > "$W/forker"
chmod +x "$W/forker"
run "$V" --probe "$W/forker" --platform linux -q
check "probe: a verdict, not an error (exit $RC)" test "$RC" -eq 1
check "the program forked" test -s "$W/kids"
running=0
for p in $(cat "$W/kids"); do
	st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)
	if [ -n "$st" ] && [ "$st" != Z ]; then running=$((running + 1)); fi
done
check "none of its children left running ($running)" test "$running" -eq 0

finish
