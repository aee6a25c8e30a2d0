#!/bin/sh
# Many files at once, end to end: one patch touching a file in each of 600
# directories (more than applypatch keeps directory handles for: once this
# wedged the tree after the commit point, "cannot rename ...: Bad file
# descriptor", as the journal's renames went through a closed fd), and one
# touching 1400 files in a single directory (the size the design brief
# plans for). Every file must be patched, no temp file left, status clean,
# and unapply must restore the tree exactly.
. "$TESTS_ROOT/e2e/lib.sh"
WORK=$(scratch)
trap 'rm -rf "$WORK"; cleanup' EXIT
umask 022

# Like lib.sh's snapshot and snapshot_all (state directory included), with
# a handful of processes rather than a few per file.
tree_state() {
	(cd "$1" && find . -printf '%p %y %m %l\n' | LC_ALL=C sort &&
		find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}

# many NAME DIRS FILES: $T holds FILES files spread over DIRS directories,
# $P one patch changing the second line of each.
many() {
	T="$WORK/$1/tree"
	P="$WORK/$1/patches"
	mkdir -p "$T" "$P"
	(cd "$T" && mkdir $(awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "d%03d ", i }'))
	awk -v dirs="$2" -v files="$3" -v tree="$T" -v patch="$P/many.patch" 'BEGIN {
		for (i = 0; i < files; i++) {
			f = sprintf("d%03d/f%04d.txt", i % dirs, i)
			printf "first line of %d\nsecond line of %d\nthird line of %d\n", i, i, i > (tree "/" f)
			close(tree "/" f)
			printf "--- a/%s\n+++ b/%s\n@@ -1,3 +1,3 @@\n first line of %d\n-second line of %d\n+second line of %d, patched\n third line of %d\n", f, f, i, i, i, i > patch
		}
	}'
}

for shape in "spread 600 600" "flat 1 1400"; do
	set -- $shape
	many "$@"
	pristine=$(tree_state "$T")
	run "$AP" apply -d "$T" --patches "$P" -P linux
	unpatched=$(grep -L "patched" "$T"/d*/f*.txt | wc -l)
	leftovers=$(find "$T" -name '.aptmp*' | wc -l)
	check "$1 ($3 files in $2 dirs): apply exit 0" [ "$RC" -eq 0 ]
	check_grep "$1: says $3 files written" "$3 files written" "$OUT"
	check "$1: every file patched" [ "$unpatched" -eq 0 ]
	check "$1: no temp file left" [ "$leftovers" -eq 0 ]
	check_rc "$1: status exit 0" 0 "$AP" status -d "$T" --patches "$P" -f json
	check "$1: status sees every file clean" \
		jq -e --argjson n "$3" '[.files[] | select(.state == "clean")] | length == $n' "$OUT"
	check_rc "$1: unapply exit 0" 0 "$AP" unapply -d "$T"
	check "$1: unapply restores the tree exactly" [ "$pristine" = "$(tree_state "$T")" ]
done

finish
