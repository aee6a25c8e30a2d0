#!/bin/sh
# A .pc/ the tree already has whose .version quilt 0.66 and dpkg-source
# refuse ("1" from an older quilt, empty, a dangling link, a directory, a
# FIFO): apply used to add its patches to it and exit 0, leaving a tree
# quilt could neither pop nor push ("created by an older version of
# quilt"). apply now refuses (exit 2, naming .pc/.version) and changes
# nothing; a .version of "2" (with any trailing newlines, as quilt reads
# it) or none at all is fine, and --no-quilt-state leaves .pc/ alone.
. "$TESTS_ROOT/e2e/lib.sh"
cases_start

# case NAME SETUP EXPECTED-RC: a tree with f and a .pc/ made by SETUP (run
# in the tree), a two-patch series
case_() {
	newtree
	printf '1\n2\n3\n' >"$T/f"
	printf -- '--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n 1\n 2\n-3\n+X\n' | add_patch a.patch
	printf -- '--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n 1\n-2\n+Y\n X\n' | add_patch b.patch
	mkdir "$WORK/$n/victim"
	(cd "$T" && mkdir .pc && eval "$2")
	before=$(full_state "$T")
	check_rc "$1: apply exits $3" "$3" "$AP" apply -d "$T" --patches "$P"
	if [ "$3" = 2 ]; then
		check_grep "$1: names .pc/.version" '\.pc/\.version' "$ERR"
		check "$1: nothing changed" [ "$(full_state "$T")" = "$before" ]
		check "$1: nothing written through a link" [ -z "$(ls -A "$WORK/$n/victim")" ]
		check_rc "$1: --no-quilt-state applies" 0 "$AP" apply --no-quilt-state -d "$T" --patches "$P"
		check "$1: ... and leaves .pc/ alone" [ ! -e "$T/.pc/applied-patches" ]
	else
		check "$1: f patched" [ "$(cat "$T/f")" = "$(printf '1\nY\nX')" ]
		if command -v quilt >/dev/null 2>&1; then
			check "$1: quilt pop -a works on the result" \
				sh -c "cd '$T' && QUILT_PATCHES='$P' quilt --quiltrc /dev/null pop -a -q"
			check "$1: ... and restores f" [ "$(cat "$T/f")" = "$(printf '1\n2\n3')" ]
		fi
	fi
}

case_ "no .version" ':' 0
case_ ".version 2" 'echo 2 >.pc/.version' 0
case_ ".version 2 and blank lines" 'printf "2\n\n" >.pc/.version' 0
case_ ".version 1 (an older quilt)" 'echo 1 >.pc/.version' 2
case_ ".version empty" ': >.pc/.version' 2
case_ ".version 3" 'echo 3 >.pc/.version' 2
case_ ".version a dangling link" 'ln -s ../../victim/v .pc/.version' 2
case_ ".version a directory" 'mkdir .pc/.version' 2
case_ ".version a FIFO" 'mkfifo .pc/.version' 2

finish
