#!/bin/sh
# Runs every end-to-end test script (tests/e2e/test_*.sh) against the built
# binaries in $BIN_DIR. Each script prints "ok - ..." / "not ok - ..." lines
# and exits non-zero when one of its checks failed.
set -u
# the tests build fixtures with their own compilers and flags: a sanitizer
# build's CFLAGS, exported by make, must not leak into them
unset CFLAGS CPPFLAGS LDFLAGS CXXFLAGS MAKEFLAGS MFLAGS
here=$(cd "$(dirname "$0")" && pwd)
: "${BIN_DIR:?BIN_DIR must name the directory holding the built tools}"
export BIN_DIR
export TESTS_ROOT="$here/.."
pass=0
fail=0
failed=""
for t in "$here"/test_*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	out=$(mktemp)
	if sh "$t" >"$out" 2>&1; then
		pass=$((pass + 1))
		echo "PASS $name ($(grep -c '^ok' "$out") checks)"
	else
		fail=$((fail + 1))
		failed="$failed $name"
		echo "FAIL $name"
		sed 's/^/    /' "$out"
	fi
	rm -f "$out"
done
echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
