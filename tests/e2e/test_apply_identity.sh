#!/bin/sh
# A patch's identity is what it changes, not the form it was written in
# (red-team F10): a tree patched from one form of a patch stays "applied,
# unchanged" when the series is regenerated in another form by the real
# tools (git format-patch with other index abbreviations and signature,
# diff -Naur with timestamps, quilt refresh's Index: form, the file saved
# with CRLF, another funcname after "@@", mail headers in front), and
# unapply still restores every byte. A change to what the patch changes is
# still seen. A state record written by an older applypatch (version 2,
# sums of the diffs' bytes) is still read, and upgraded by the next apply.
. "$TESTS_ROOT/e2e/lib.sh"
WORK=$(scratch)
umask 022
git_home

# The upstream tree: a C file with functions (so git writes a funcname
# after "@@"), a file with CRLF line ends (its "\r"s are content), and
# the change: an edit to each, and a new file.
G="$WORK/gap"
mkdir -p "$G/src"
printf 'int one(void)\n{\n\treturn 1;\n}\n\nint two(void)\n{\n\tint x = 2;\n\n\treturn x;\n}\n' >"$G/src/a.c"
printf 'alpha\r\nbeta\r\ngamma\r\n' >"$G/dos.txt"
(cd "$G" && git init -q && git add -A && git commit -qm base) || exit 2
cp -R "$G" "$WORK/gap.orig"
rm -rf "$WORK/gap.orig/.git"
sed -i 's/int x = 2;/int x = 22;/' "$G/src/a.c"
printf 'alpha\r\nBETA\r\ngamma\r\n' >"$G/dos.txt"
printf 'new\n' >"$G/new.txt"
(cd "$G" && git add -A && git commit -qm 'the fix' -m 'Why it is needed.') || exit 2

F="$WORK/forms"
mkdir -p "$F"
(cd "$G" && git format-patch -1 --stdout --signature=2.39.2) >"$F/git" || exit 2
(cd "$G" && git format-patch -1 --stdout --full-index --signature=2.45.1) >"$F/git-full-index"
(cd "$G" && git format-patch -1 --stdout --no-signature --abbrev=12) >"$F/git-abbrev-12"
(cd "$G" && git diff HEAD~1 HEAD) >"$F/git-diff"
sed 's/^\(@@ .* @@\).*/\1 int main(int argc, char **argv)/' "$F/git" >"$F/git-funcname"
sed 's/$/\r/' "$F/git" >"$F/git-crlf"
{ printf 'Received: from mail.example.org\nX-Mailer: something\nSubject: Re: the fix\n\n> quoted\nText.\n\n'; cat "$F/git"; } >"$F/mail"
(cd "$WORK" && mv gap/.git gap.git && diff -Naur gap.orig gap; mv gap.git gap/.git) >"$F/diff-naur"
check "the forms differ as bytes" [ "$(cat "$F"/* | sha256sum)" != "$(cat "$F/git" "$F/git" "$F/git" "$F/git" "$F/git" "$F/git" "$F/git" "$F/git" | sha256sum)" ]
check_grep "diff -Naur wrote timestamps" '^--- gap.orig/src/a.c	[0-9]' "$F/diff-naur"
if command -v quilt >/dev/null 2>&1; then
	# quilt refresh's own form: Index: and ==== before each file
	Q="$WORK/quilt/gap"
	mkdir -p "$Q"
	cp -R "$WORK/gap.orig/." "$Q/"
	(cd "$Q" && QUILT_PATCHES=qp quilt --quiltrc=/dev/null import "$F/git" >/dev/null &&
		QUILT_PATCHES=qp quilt --quiltrc=/dev/null push -q >/dev/null &&
		QUILT_PATCHES=qp quilt --quiltrc=/dev/null refresh -p1 >/dev/null) &&
		cp "$Q/qp/git" "$F/quilt"
	check_grep "quilt refresh wrote its Index: form" '^Index: gap/src/a.c' "$F/quilt"
	check_grep "quilt refresh wrote its ==== lines" '^====' "$F/quilt"
else
	echo "# quilt not installed: its refreshed form is written by hand"
	{ printf 'Index: gap/dos.txt\n===================================================================\n'
	  sed -n '/^--- a\/dos.txt/,$p' "$F/git"; } >"$F/quilt"
fi

# The tree, patched from the git form.
T="$WORK/tree"
mkdir -p "$T/patches"
cp -R "$WORK/gap.orig/." "$T/"
cp "$F/git" "$T/patches/fix.patch"
echo fix.patch >"$T/patches/series"
check_rc "the git form applies" 0 "$AP" apply -d "$T" -P linux
check "the CRLF content is written as such" sh -c "printf 'alpha\r\nBETA\r\ngamma\r\n' | cmp -s - '$T/dos.txt'"
B="$WORK/applied"
cp -a "$T" "$B"

for form in git-full-index git-abbrev-12 git-diff git-funcname git-crlf mail diff-naur quilt; do
	rm -rf "$T"
	cp -a "$B" "$T"
	cp "$F/$form" "$T/patches/fix.patch"
	check_rc "$form: status exit 0" 0 "$AP" status -d "$T" -P linux
	check "$form: status does not say changed" sh -c "! grep -q changed '$OUT'"
	check_rc "$form: apply exit 0" 0 "$AP" apply -d "$T" -P linux
	check_grep "$form: apply says already applied" "fix.patch  *already-applied" "$OUT"
	check_rc "$form: unapply exit 0" 0 "$AP" unapply -d "$T"
	check "$form: unapply restored every byte and mode" same_files "$WORK/gap.orig" "$T"
	check "$form: unapply left no state" [ ! -e "$T/.applypatch" ]
	# one identity, one result: the form applied to a fresh tree
	rm -rf "$T"
	mkdir -p "$T/patches"
	cp -R "$WORK/gap.orig/." "$T/"
	cp "$F/$form" "$T/patches/fix.patch"
	echo fix.patch >"$T/patches/series"
	check_rc "$form: applies to a fresh tree" 0 "$AP" apply -d "$T" -P linux
	check "$form: to the same bytes as the git form" same_files "$B" "$T"
done

# What the patch changes, changed: seen, in either form.
for form in git quilt; do
	rm -rf "$T"
	cp -a "$B" "$T"
	sed 's/^+BETA/+BETA!/' "$F/$form" >"$T/patches/fix.patch"
	check_rc "$form with a changed line: status exit 1" 1 "$AP" status -d "$T" -P linux
	check_grep "$form with a changed line: says it changed" "fix.patch  *(changed in the series)" "$OUT"
done
# A "\r" dropped from the content (the git form, its CRLF lines made LF):
rm -rf "$T"
cp -a "$B" "$T"
tr -d '\r' <"$F/git" >"$T/patches/fix.patch"
check_rc "content CRs dropped: status exit 1" 1 "$AP" status -d "$T" -P linux

# A version 2 record (sums of the diffs' bytes, from 'diff --git' on).
rm -rf "$T"
cp -a "$B" "$T"
v2=$(sed -n '/^diff --git/,$p' "$F/git" | sha256sum | cut -c1-64)
sed -i -e '1s/.*/applypatch-state 2/' -e "s/^\\(patch	applied	\\)[0-9a-f]*/\\1$v2/" "$T/.applypatch/state"
check_rc "version 2 record: status exit 0" 0 "$AP" status -d "$T" -P linux
check "version 2 record: status does not say changed" sh -c "! grep -q changed '$OUT'"
check_rc "version 2 record: apply exit 0" 0 "$AP" apply -d "$T" -P linux
check_grep "version 2 record: apply says already applied" "fix.patch  *already-applied" "$OUT"
# an added patch rewrites it as version 5; then another form is held
printf -- '--- a/new.txt\n+++ b/new.txt\n@@ -1 +1,2 @@\n new\n+more\n' >"$T/patches/more.patch"
echo more.patch >>"$T/patches/series"
check_rc "version 2 record + a new patch: apply exit 0" 0 "$AP" apply -d "$T" -P linux
check_grep "version 2 record + a new patch: rewritten as version 5" '^applypatch-state 5$' "$T/.applypatch/state"
cp "$F/quilt" "$T/patches/fix.patch"
check_rc "upgraded record, quilt form: status exit 0" 0 "$AP" status -d "$T" -P linux
check_rc "upgraded record: unapply exit 0" 0 "$AP" unapply -d "$T"
check "upgraded record: unapply restored every byte and mode" same_files "$WORK/gap.orig" "$T"

finish
