#!/bin/sh
# Interoperability with Debian's dpkg-source (dpkg-dev), end to end, on a
# minimal 3.0 (quilt) package the test writes: (a) applypatch apply, then
# dpkg-source -b builds the source package (it reads quilt's .pc/ that
# apply kept, and would refuse patches applied behind its back); (b) a tree
# dpkg-source -x unpacked and patched is understood by applypatch status,
# apply and unapply; (c) a tree patched by hand before applypatch ran (its
# patches present-before) is applied as far as dpkg-source can tell: it
# neither re-applies nor refuses them.
. "$TESTS_ROOT/e2e/lib.sh"
WORK=$(scratch)
trap 'rm -rf "$WORK"; cleanup' EXIT
umask 022

if ! command -v dpkg-source >/dev/null 2>&1; then
	echo "ok # SKIP dpkg-source is not installed (dpkg-dev)"
	exit 0
fi

# The package: pkg 1.0, one upstream tarball, two patches in debian/patches.
P="$WORK/pkg-1.0"
mkdir -p "$P/src" "$P/debian/source" "$P/debian/patches"
printf 'int pool_mb(void)\n{\n\treturn 4096;\n}\n' >"$P/src/pool.c"
printf 'notes\n' >"$P/NOTES"
(cd "$WORK" && tar czf pkg_1.0.orig.tar.gz pkg-1.0/src pkg-1.0/NOTES)
cp -R "$P" "$WORK/pristine"
printf '3.0 (quilt)\n' >"$P/debian/source/format"
printf 'Source: pkg\nMaintainer: T <t@example.org>\nStandards-Version: 4.6.2\n\nPackage: pkg\nArchitecture: all\nDescription: test\n test\n' >"$P/debian/control"
printf 'pkg (1.0-1) unstable; urgency=low\n\n  * Test.\n\n -- T <t@example.org>  Thu, 01 Jan 2026 00:00:00 +0000\n' >"$P/debian/changelog"
printf '#!/usr/bin/make -f\n%%:\n\tdh $@\n' >"$P/debian/rules"
cat >"$P/debian/patches/01-pool.patch" <<'PATCH'
Description: a smaller pool
Forwarded: not-needed
--- a/src/pool.c
+++ b/src/pool.c
@@ -1,4 +1,4 @@
 int pool_mb(void)
 {
-	return 4096;
+	return 1024;
 }
PATCH
cat >"$P/debian/patches/02-notes.patch" <<'PATCH'
Description: notes, and a new file
Forwarded: not-needed
--- a/NOTES
+++ b/NOTES
@@ -1 +1,2 @@
 notes
+more notes
--- /dev/null
+++ b/doc/new.txt
@@ -0,0 +1 @@
+new
PATCH
printf '01-pool.patch\n02-notes.patch\n' >"$P/debian/patches/series"
unpatched=$(snapshot "$P")

# --- (a) applypatch apply, then dpkg-source -b ----------------------------------------

check_rc "apply with debian/patches: exit 0" 0 "$AP" apply -d "$P" --patches "$P/debian/patches" -P linux
check_grep "apply: both applied" "02-notes.patch  *applied" "$OUT"
check_grep ".pc/.quilt_patches names debian/patches" "^debian/patches$" "$P/.pc/.quilt_patches"
# dpkg-source ignores .pc/ but not applypatch's own state directory: it
# must be told (the man page says so), or it takes .applypatch/ for an
# upstream change.
IGN='--extend-diff-ignore=(^|/)\.applypatch(/|$)'
check_rc "dpkg-source -b without the ignore: refused (.applypatch/ is a local change)" 2 \
	sh -c 'cd "$1" && dpkg-source -b pkg-1.0' sh "$WORK"
check_rc "dpkg-source -b on the tree applypatch patched: exit 0" 0 \
	sh -c 'cd "$1" && dpkg-source "$2" -b pkg-1.0' sh "$WORK" "$IGN"
check "dpkg-source -b: a .dsc was built" [ -f "$WORK/pkg_1.0-1.dsc" ]
check "dpkg-source -b: no extra patch recorded (the tree matched the series)" \
	sh -c '! ls "$1"/debian/patches | grep -q debian-changes' sh "$P"
check_rc "unapply after dpkg-source -b: exit 0" 0 "$AP" unapply -d "$P"
check "unapply: the unpatched tree again" [ "$unpatched" = "$(snapshot "$P")" ]

# --- (b) dpkg-source -x, then applypatch ------------------------------------------------

check_rc "dpkg-source -x: exit 0" 0 sh -c 'cd "$1" && dpkg-source -x pkg_1.0-1.dsc x' sh "$WORK"
X="$WORK/x"
check "dpkg-source -x patched the tree" grep -q 1024 "$X/src/pool.c"
check "dpkg-source -x wrote quilt's .pc/" [ -f "$X/.pc/applied-patches" ]
check_rc "status on dpkg-source's tree: exit 0" 0 "$AP" status -d "$X" --patches "$X/debian/patches"
check_grep "status: names quilt's record" "applied by quilt or dpkg-source" "$OUT"
check_grep "status: lists 02-notes.patch" "02-notes.patch" "$OUT"
check_rc "apply on dpkg-source's tree: exit 0" 0 "$AP" apply -d "$X" --patches "$X/debian/patches" -P linux
check_grep "apply: already applied" "already applied" "$OUT"
check_rc "unapply on dpkg-source's tree: exit 0" 0 "$AP" unapply -d "$X"
check "unapply: the upstream files as they were" sh -c 'diff -r "$1/src" "$2/src" && diff "$1/NOTES" "$2/NOTES"' sh "$X" "$WORK/pristine"
check "unapply: the created file removed" [ ! -e "$X/doc/new.txt" ]
check_rc "quilt's record says nothing applied afterwards" 0 sh -c '[ ! -s "$1/.pc/applied-patches" ]' sh "$X"
check_rc "dpkg-source -b after unapply: exit 0" 0 sh -c 'rm -f "$1"/pkg_1.0-1.* && cd "$1" && dpkg-source -b x' sh "$WORK"

# --- (c) patches applied by hand before applypatch: present-before ----------------------

C="$WORK/c"
mkdir -p "$C"
cp "$WORK/pkg_1.0.orig.tar.gz" "$C/"
cp -R "$P" "$C/pkg-1.0"
rm -rf "$C/pkg-1.0/.pc"
(cd "$C/pkg-1.0" && for p in $(cat debian/patches/series); do patch -s -p1 <"debian/patches/$p"; done)
handpatched=$(tree_state "$C/pkg-1.0")
check_rc "present-before: apply exit 0" 0 "$AP" apply -d "$C/pkg-1.0" --patches "$C/pkg-1.0/debian/patches" -P linux
check_grep "present-before: both found present" "02-notes.patch  *present-before" "$OUT"
check "present-before: .pc/applied-patches lists both, in order" \
	[ "$(cat "$C/pkg-1.0/.pc/applied-patches")" = "$(cat "$C/pkg-1.0/debian/patches/series")" ]
check "present-before: their backup folders hold only the .timestamp" \
	[ "$(cd "$C/pkg-1.0/.pc" && find 01-pool.patch 02-notes.patch -type f | sort)" = "$(printf '01-pool.patch/.timestamp\n02-notes.patch/.timestamp')" ]
files_before=$(snapshot "$C/pkg-1.0")
check_rc "present-before: dpkg-source --before-build exit 0" 0 \
	sh -c 'cd "$1" && dpkg-source --before-build pkg-1.0' sh "$C"
check "present-before: --before-build re-applied nothing" [ "$files_before" = "$(snapshot "$C/pkg-1.0")" ]
check_rc "present-before: dpkg-source -b exit 0" 0 \
	sh -c 'cd "$1" && dpkg-source "$2" -b pkg-1.0' sh "$C" "$IGN"
check "present-before: dpkg-source -b recorded no extra patch" \
	sh -c '! ls "$1"/debian/patches | grep -q debian-changes' sh "$C/pkg-1.0"
check_rc "present-before: dpkg-source --after-build exit 0" 0 \
	sh -c 'cd "$1" && dpkg-source --after-build pkg-1.0' sh "$C"
check "present-before: --after-build unapplied nothing (it applied nothing)" \
	[ "$files_before" = "$(snapshot "$C/pkg-1.0")" ]
check_rc "present-before: unapply exit 0" 0 "$AP" unapply -d "$C/pkg-1.0"
check "present-before: unapply leaves the hand-applied patches and takes its .pc/ away" \
	[ "$handpatched" = "$(tree_state "$C/pkg-1.0")" ]

finish
