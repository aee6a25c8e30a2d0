#!/bin/sh
# A patch made redundant by an earlier patch of the same series (red-team 3,
# T14): its hunks are in place only because this run put them there. That
# is a series error, on which quilt push -a stops ("can be reverse-applied"):
# apply fails naming the earlier patch, the tree untouched, and never calls
# it present-before ("applied before, not by applypatch"). A tree that held
# both patches before the run still gets present-before for both, and an
# unselected patch whose changes a selected one made stays skipped.
. "$TESTS_ROOT/e2e/lib.sh"
cases_start

one='--- a/a
+++ b/a
@@ -1 +1 @@
-hello
+world
'

# 1. 2.patch repeats 1.patch
newtree
printf 'hello\n' >"$T/a"
printf '%s' "$one" | add_patch 1.patch
printf '%s' "$one" | add_patch 2.patch
before=$(snapshot_all "$T")
check_rc "duplicate: apply exit 1" 1 "$AP" apply -d "$T" --patches "$P"
check_grep "duplicate: 2.patch failed, naming 1.patch" \
	"2.patch  *FAILED: every change it makes was already made by 1.patch, earlier in this series" "$OUT"
check "duplicate: never called present-before" sh -c "! grep -q 'present-before\|applied before' '$OUT'"
check "duplicate: tree untouched, no state" [ "$before" = "$(snapshot_all "$T")" ]
check_rc "duplicate: dry run exit 1 too" 1 "$AP" apply -n -d "$T" --patches "$P"
check_grep "duplicate: dry run names 1.patch" "already made by 1.patch" "$OUT"
check_rc "duplicate: json exit 1" 1 "$AP" apply -n -d "$T" --patches "$P" --format json
check "duplicate: json says failed" sh -c "jq -e '.patches[1].status == \"failed\"' '$OUT' >/dev/null"
if command -v quilt >/dev/null 2>&1; then
	Q="$WORK/quilt-dup"
	mkdir -p "$Q" && cp "$T/a" "$Q/a" && cp -R "$P" "$Q/patches"
	check_rc "duplicate: quilt push -a fails too (the reference)" 1 \
		sh -c "cd '$Q' && quilt --quiltrc /dev/null push -a"
fi

# 2. the second patch also changes another file: still a failure (partly
# made by 1.patch is the existing partly-applied failure)
newtree
printf 'hello\n' >"$T/a"
printf 'b\n' >"$T/b"
printf '%s' "$one" | add_patch 1.patch
printf '%s--- a/b\n+++ b/b\n@@ -1 +1 @@\n-b\n+B\n' "$one" | add_patch 2.patch
check_rc "half-duplicate: apply exit 1" 1 "$AP" apply -d "$T" --patches "$P"
check "half-duplicate: not present-before" sh -c "! grep -q 'present-before' '$OUT'"

# 3. a tree that held both before the run: present-before for both (true)
newtree
printf 'world\n' >"$T/a"
printf '%s' "$one" | add_patch 1.patch
printf '%s' "$one" | add_patch 2.patch
check_rc "pre-patched: apply exit 0" 0 "$AP" apply -d "$T" --patches "$P"
check "pre-patched: both present-before" [ "$(grep -c 'present-before' "$OUT")" = 2 ]

# 4. 2.patch changes the line 1.patch wrote, then 3.patch repeats 1.patch's
# change: present in no tree (2.patch took it away), so it fails as a
# patch that does not apply, not as redundant
newtree
printf 'hello\n' >"$T/a"
printf '%s' "$one" | add_patch 1.patch
printf -- '--- a/a\n+++ b/a\n@@ -1 +1 @@\n-world\n+again\n' | add_patch 2.patch
printf '%s' "$one" | add_patch 3.patch
check_rc "undone in between: apply exit 1" 1 "$AP" apply -d "$T" --patches "$P"
check "undone in between: 3.patch fails as a hunk failure" grep -q "3.patch  *FAILED: 1 of 1 hunk failed" "$OUT"

# 5. an unselected (cygwin) patch whose change the selected one made: skipped,
# not present, and status counts one patch
newtree
printf 'hello\n' >"$T/a"
printf '%s' "$one" >"$P/1.patch"
mkdir "$P/cygwin"
printf '%s' "$one" >"$P/cygwin/dup.patch"
printf '1.patch\ncygwin/dup.patch # [cygwin]\n' >"$P/series"
check_rc "unselected duplicate: apply exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
check_grep "unselected duplicate: skipped" "cygwin/dup.patch  *skipped" "$OUT"
check "unselected duplicate: not present" sh -c "! grep -q 'present' '$OUT'"
check_rc "unselected duplicate: status exit 0" 0 "$AP" status -d "$T" --patches "$P"
check_grep "unselected duplicate: status counts 1 patch" "1 patch" "$OUT"

# 6. incremental: 1.patch applied by an earlier run, 2.patch (its duplicate)
# added to the series afterwards: judged against the originals that run
# kept, so a failure too, not present-before
newtree
printf 'hello\n' >"$T/a"
printf '%s' "$one" | add_patch 1.patch
check_rc "incremental: first apply exit 0" 0 "$AP" apply -d "$T" --patches "$P"
printf '%s' "$one" | add_patch 2.patch
before=$(snapshot_all "$T")
check_rc "incremental: apply with the duplicate exit 1" 1 "$AP" apply -d "$T" --patches "$P"
check_grep "incremental: 2.patch failed as redundant" "2.patch  *FAILED: every change it makes was already made by" "$OUT"
check "incremental: not present-before" sh -c "! grep -q 'present-before' '$OUT'"
check "incremental: tree and record untouched" [ "$before" = "$(snapshot_all "$T")" ]
# and a tree that held the change before the first run: present-before still
newtree
printf 'world\n' >"$T/a"
printf '%s' "$one" | add_patch 1.patch
check_rc "incremental, pre-patched: first apply exit 0" 0 "$AP" apply -d "$T" --patches "$P"
printf '%s' "$one" | add_patch 2.patch
check_rc "incremental, pre-patched: second apply exit 0" 0 "$AP" apply -d "$T" --patches "$P"
check_grep "incremental, pre-patched: 2.patch present-before" "2.patch  *present-before" "$OUT"

finish
