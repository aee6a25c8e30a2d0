#!/bin/sh
# A patch's identity does not depend on how the diff tool showed the
# change (red-team 3, T5 and T8): a tree patched from git's diff stays
# "applied, unchanged" after `quilt refresh` rewrites the patch with GNU
# diff, which aligns the same edit differently and with another window,
# and after `diff -ruN` regenerates a two-file patch with the files in
# directory order (git sorts "a.c" before "a/b.c"). apply stays a no-op and
# unapply restores every byte. A real change to the patch is still seen.
. "$TESTS_ROOT/e2e/lib.sh"
WORK=$(scratch)
umask 022
git_home

# T8: two lines removed from "\n}\n\n}\n{\nx\nx\n"; git removes "}" and the
# blank line after the first "}", GNU diff the blank line and the "}" after it
cd "$WORK" || exit 2
mkdir -p A B
printf '\n}\n\n}\n{\nx\nx\n' >A/x.c
printf '\n}\n{\nx\nx\n' >B/x.c
cp -R A g
(cd g && git init -q && git add -A && git commit -qm i && cp ../B/x.c x.c && git diff >../git.patch) || exit 2
T="$WORK/qq"
cp -R A "$T"
mkdir "$T/patches"
cp git.patch "$T/patches/fix.patch"
echo fix.patch >"$T/patches/series"
check_rc "git's patch applies" 0 "$AP" apply -d "$T"
if command -v quilt >/dev/null 2>&1; then
	(cd "$T" && quilt --quiltrc=/dev/null refresh >/dev/null 2>&1)
	check "quilt refresh took the patch over (.pc/ kept by apply)" grep -q '^Index: ' "$T/patches/fix.patch"
else
	echo "# quilt not installed: GNU diff's form written with diff -u"
	(cd "$WORK" && diff -u A/x.c B/x.c | sed -e '1s|^--- A/|--- a/|' -e '2s|^+++ B/|+++ b/|') >"$T/patches/fix.patch"
fi
check "the refreshed patch aligns the change otherwise" sh -c "! cmp -s '$WORK/git.patch' '$T/patches/fix.patch'"
check_grep "GNU diff removed the blank line first" '^-$' "$T/patches/fix.patch"
check_rc "after the refresh: status exit 0" 0 "$AP" status -d "$T"
check "status does not say changed" sh -c "! grep -q changed '$OUT'"
check_rc "after the refresh: apply exit 0" 0 "$AP" apply -d "$T"
check_grep "apply says already applied" "fix.patch  *already-applied" "$OUT"
check_rc "after the refresh: unapply exit 0" 0 "$AP" unapply -d "$T"
check "unapply restored the file" cmp -s "$WORK/A/x.c" "$T/x.c"

# T5: the same two changes, files in git's order and in diff -r's
mkdir -p C/a D/a
printf 'x\n' >C/a.c
printf 'y\n' >C/a/b.c
printf 'X\n' >D/a.c
printf 'Y\n' >D/a/b.c
cp -R C g5
(cd g5 && git init -q && git add -A && git commit -qm i && cp ../D/a.c a.c && cp ../D/a/b.c a/b.c &&
	git diff >../git5.patch) || exit 2
T5="$WORK/t5"
mkdir -p "$T5/patches"
cp -R C/. "$T5/"
cp git5.patch "$T5/patches/fix.patch"
echo fix.patch >"$T5/patches/series"
check_rc "git's two-file patch applies" 0 "$AP" apply -d "$T5" --no-quilt-state
diff -ruN C D >"$T5/patches/fix.patch"
check "diff -r wrote a/b.c first" sh -c "grep '^+++ ' '$T5/patches/fix.patch' | head -1 | grep -q 'a/b.c'"
check "git wrote a.c first" sh -c "grep '^+++ ' '$WORK/git5.patch' | head -1 | grep -q 'a.c'"
check_rc "files in another order: status exit 0" 0 "$AP" status -d "$T5"
check "files in another order: status does not say changed" sh -c "! grep -q changed '$OUT'"
check_rc "files in another order: apply exit 0" 0 "$AP" apply -d "$T5" --no-quilt-state
check_grep "files in another order: already applied" "fix.patch  *already-applied" "$OUT"

# what the patch changes, changed: seen
sed 's/^+Y$/+Z/' "$T5/patches/fix.patch" >"$T5/patches/x" && mv "$T5/patches/x" "$T5/patches/fix.patch"
check_rc "a changed line: status exit 1" 1 "$AP" status -d "$T5"
check_grep "a changed line: says it changed" "fix.patch  *(changed in the series)" "$OUT"
cp "$WORK/git5.patch" "$T5/patches/fix.patch"
check_rc "back to git's form: unapply exit 0" 0 "$AP" unapply -d "$T5"
check "unapply restored both files" same_files "$WORK/C" "$T5"

finish
