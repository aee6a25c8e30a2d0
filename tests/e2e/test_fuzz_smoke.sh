#!/bin/sh
# A short run of each libFuzzer target (tests/fuzz): first every input in
# tests/fuzz/regressions/TARGET/ is replayed (each once crashed the engine or
# broke an invariant, and must now run clean), then each target makes a fixed
# number of runs from its seed corpus with a fixed seed, so that the result
# repeats (at most FUZZ_SMOKE_SECONDS, default 30, each). The targets are
# built with clang into the build directory next to $BIN_DIR. Skipped when
# clang or its libFuzzer runtime is missing.
. "$TESTS_ROOT/e2e/lib.sh"
W=$(scratch)

if ! command -v clang >/dev/null 2>&1; then
	echo "ok - fuzz smoke run # SKIP clang not installed"
	exit 0
fi
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)(n & 0); }\n' \
	>"$W/probe.c"
if ! clang -fsanitize=fuzzer,address,undefined -o "$W/probe" "$W/probe.c" >/dev/null 2>&1; then
	echo "ok - fuzz smoke run # SKIP clang has no libFuzzer"
	exit 0
fi

# Build beside the binaries under test (build-NAME/fuzz), so that engineers
# testing in parallel do not share objects; the default build puts its
# binaries in tools/, and then build/fuzz is used.
bin=$(cd "$BIN_DIR" && pwd)
case $bin in
*/bin) O="$(dirname "$bin")/fuzz" ;;
*/tools) O="$(dirname "$bin")/build/fuzz" ;;
*) O="$W/fuzz" ;;
esac

fz() { make -C "$TESTS_ROOT/fuzz" O="$O" SMOKE_SECONDS="${FUZZ_SMOKE_SECONDS:-30}" "$@"; }
show() { grep -E "FUZZ FINDING|FUZZ HARNESS|ERROR|SUMMARY|runtime error|error:|Running:|leak" "$1" |
	head -20 | sed 's/^/    /'; }

if fz build >"$W/build.log" 2>&1; then
	ok "the fuzz targets build with clang"
else
	not_ok "the fuzz targets do not build"
	tail -20 "$W/build.log" | sed 's/^/    /'
	finish
	exit 1
fi
for t in series patch place apply; do
	n=$(find "$TESTS_ROOT/fuzz/regressions/$t" -type f ! -name README 2>/dev/null | wc -l)
	if fz "regress-$t" >"$W/regress-$t.log" 2>&1; then
		ok "fuzz_$t: $n regression input(s) replay clean"
	else
		not_ok "fuzz_$t: a regression input still fails"
		show "$W/regress-$t.log"
	fi
	fz "smoke-$t" >"$W/smoke-$t.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$W/smoke-$t.log")
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		ok "fuzz_$t: $runs executions (seed 1), no finding"
	else
		not_ok "fuzz_$t: the smoke run failed (exit $rc)"
		show "$W/smoke-$t.log"
	fi
done
finish
