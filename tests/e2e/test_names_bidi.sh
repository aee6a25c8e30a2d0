#!/bin/sh
# Bidi controls in names (red-team 3 T9, "Trojan Source", CVE-2021-42574):
# a patch named fix-U+202E-gnp.exe.patch reads as fix-hctap.exe.png where
# the character is passed on raw. Every format apply, list and drift write
# shows it as \u202E (JSON as the \u202e escape); no output holds the raw
# bytes e2 80 ae.
. "$TESTS_ROOT/e2e/lib.sh"
W=$(scratch)
mkdir -p "$W/p" "$W/tree" "$W/up"
printf 'hello\n' >"$W/tree/a"; printf 'hello\n' >"$W/up/a"
N=$(printf 'fix-\342\200\256gnp.exe.patch')
printf -- '--- a/a\n+++ b/a\n@@ -1 +1 @@\n-hello\n+world\n' >"$W/p/$N"; printf '%s\n' "$N" >"$W/p/series"
RAW=$(printf '\342\200\256')
for f in text json junit github; do
	run "$AP" apply -n -d "$W/tree" --patches "$W/p" --no-quilt-state --format $f
	[ $f = github ] ||   # (a clean run annotates no patch by name)
		check "apply -n --format $f: the name is there, escaped" grep -q 'fix-\\u202[Ee]gnp.exe.patch' "$OUT"
	check "apply -n --format $f: no raw U+202E" sh -c '! grep -q "$1" "$2"' _ "$RAW" "$OUT"
	run "$AP" list --patches "$W/p" --format $f
	check "list --format $f: no raw U+202E" sh -c '! grep -q "$1" "$2" && { [ $3 = github ] || grep -q "202[Ee]" "$2"; }' _ "$RAW" "$OUT" $f
done
# a failing patch: every format names it (GitHub: an error annotation)
printf -- '--- a/a\n+++ b/a\n@@ -1 +1 @@\n-nothere\n+world\n' >"$W/p/$N"
run "$AP" apply -d "$W/tree" --patches "$W/p" --format github
check "apply --format github, failing: the name escaped" grep -q 'fix-\\u202Egnp.exe.patch' "$OUT"
check "apply --format github, failing: no raw U+202E" sh -c '! grep -q "$1" "$2"' _ "$RAW" "$OUT"
for f in text markdown json; do
	run "$AP" drift --patches "$W/p" --platform linux --format $f "$W/up"
	check "drift --format $f: no raw U+202E" sh -c '! grep -q "$1" "$2" && grep -q "202[Ee]" "$2"' _ "$RAW" "$OUT"
done
finish
