#!/bin/sh
# status --format junit and github agree with status's exit code: the JUnit
# report counts no failure exactly when status exits 0, and the GitHub
# annotations hold an ::error exactly when it exits 1. The case that broke
# it: a tree quilt patched (no applypatch state) that no longer holds its
# patches exited 1 with failures="0" and a mere ::notice.
. "$TESTS_ROOT/e2e/lib.sh"
cases_start

# agree NAME WANT-RC: status in each CI format exits WANT-RC, and the
# report's own verdict says the same
agree() {
	check_rc "$1: junit exit $2" "$2" "$AP" status -d "$T" --patches "$P" -f junit
	check "$1: junit valid" junit_valid "$OUT"
	fails=$(sed -n 's/.*<testsuite [^>]*failures="\([0-9]*\)".*/\1/p' "$OUT")
	if [ "$2" -eq 0 ]; then
		check "$1: junit failures=0" [ "$fails" = 0 ]
	else
		check "$1: junit failures>0" [ "$fails" -gt 0 ]
		check "$1: junit names the file" grep -q 'failure message=".*a (one.patch)\|<failure' "$OUT"
	fi
	check_rc "$1: github exit $2" "$2" "$AP" status -d "$T" --patches "$P" -f github
	if [ "$2" -eq 0 ]; then
		check "$1: github no ::error" sh -c "! grep -q '^::error' '$OUT'"
	else
		check "$1: github ::error" grep -q '^::error' "$OUT"
	fi
}

# quilt_tree: $T patched as quilt push leaves it (.pc/ written here by hand,
# in quilt 0.66's format, so the test does not need quilt), $P its patches
quilt_tree() {
	newtree
	P="$T/patches"
	mkdir -p "$P" "$T/.pc/one.patch"
	printf 'a1\nA2\n' >"$T/a"
	printf 'a1\na2\n' >"$T/.pc/one.patch/a"
	: >"$T/.pc/one.patch/.timestamp"
	printf -- '--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n a1\n-a2\n+A2\n' >"$P/one.patch"
	echo one.patch >"$P/series"
	echo 2 >"$T/.pc/.version"
	echo patches >"$T/.pc/.quilt_patches"
	echo series >"$T/.pc/.quilt_series"
	echo one.patch >"$T/.pc/applied-patches"
}

quilt_tree
agree "quilt-patched, clean" 0
quilt_tree
echo "edited after quilt push" >>"$T/a"
agree "quilt-patched, edited" 1
check_grep "quilt-patched, edited: the failure says why" "does not hold them" "$OUT"
quilt_tree
rm "$T/a"
agree "quilt-patched, file removed" 1

# the same tree through real quilt, when installed
if command -v quilt >/dev/null 2>&1; then
	newtree
	P="$T/patches"
	mkdir -p "$P"
	printf 'a1\na2\n' >"$T/a"
	printf -- '--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n a1\n-a2\n+A2\n' >"$P/one.patch"
	echo one.patch >"$P/series"
	(cd "$T" && quilt --quiltrc /dev/null push -a -q >/dev/null)
	agree "quilt push -a" 0
	echo edit >>"$T/a"
	agree "quilt push -a, edited" 1
fi

# applypatch's own state: the same agreement (held before, kept)
newtree
printf 'a1\na2\n' >"$T/a"
printf -- '--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n a1\n-a2\n+A2\n' | add_patch one.patch
check_rc "applied: exit 0" 0 "$AP" apply -d "$T" --patches "$P"
agree "applied, clean" 0
echo edit >>"$T/a"
agree "applied, edited" 1

# not patched at all: exit 0, skipped
newtree
printf 'a1\na2\n' >"$T/a"
printf -- '--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n a1\n-a2\n+A2\n' | add_patch one.patch
agree "not patched" 0

finish
