#!/bin/sh
# Bad input, end to end: every unsafe patch (paths leaving the tree or
# entering .git or .applypatch, control characters, symlinks in the tree or
# made earlier in the series, files that already exist) and every malformed
# patch is refused with a distinctive message and exit 1, and afterwards the
# tree, the files beside it and the state directory are byte-identical.
# A tree given as a symlink to it, though, is patched where it points.
. "$TESTS_ROOT/e2e/lib.sh"
cases_start

# bad_setup: $T is base/ with symlinks to outside.txt and outdir/ beside it
# (holding what the patches would change if they got there), a symlink to
# a file inside the tree, and a .git directory; $P an empty patches dir.
bad_setup() {
	n=$((n + 1))
	D="$WORK/$n"
	T="$D/tree"
	P="$D/patches"
	mkdir -p "$T" "$P" "$D/outdir" "$D/outside"
	cp -R "$E2E/base/." "$T/"
	cp "$E2E/base/src/pool.h" "$D/outside.txt"
	echo original >"$D/outside/target.txt"
	echo secret >"$D/outdir/secret.txt"
	ln -s ../outside.txt "$T/link.txt"
	ln -s ../outdir "$T/linkdir"
	ln -s src/pool.h "$T/innerlink.h"
	mkdir "$T/.git"
	echo "[core]" >"$T/.git/config"
}

# add FIXTURE-DIR PATCH [-pN]: copies PATCH into $P (placing the outside
# directory where the fixture says @OUTSIDE@) and appends it to the series.
add() {
	sed "s|@OUTSIDE@|$D/outside|g" "$E2E/$1/patches/$2" >"$P/$2"
	echo "$2 ${3:-}" >>"$P/series"
}

# refused NAME PATTERN: apply exits 1 with PATTERN in its report, and
# nothing in or beside the tree changed.
refused() {
	before=$(snapshot_all "$D"; snapshot "$D")
	check_rc "$1: exit 1" 1 "$AP" apply -d "$T" --patches "$P" -P linux
	check_grep "$1: says why" "$2" "$OUT"
	check "$1: tree and its neighbours byte-identical, no state" [ "$before" = "$(snapshot_all "$D"; snapshot "$D")" ]
	check_rc "$1: dry run exit 1 too" 1 "$AP" apply -n -d "$T" --patches "$P" -P linux
}

# unsafe PATCH PATTERN [-pN]
unsafe() {
	bad_setup
	add unsafe "$1" "${3:-}"
	refused "$1" "$2"
}

# --- paths --------------------------------------------------------------------

bad_setup
add unsafe absolute-p0.patch -p0
refused absolute-p0.patch "absolute-p0.patch:1: unsafe path '$D/outside/target.txt': is absolute"
unsafe dotdot.patch "dotdot.patch:1: unsafe path '../outside.txt': has a '..' component"
unsafe dotdot-inner.patch "dotdot-inner.patch:1: unsafe path 'src/../../outside.txt': has a '..' component"
unsafe empty-component.patch "empty-component.patch:1: unsafe path 'src//pool.h': has an empty component"
unsafe dotgit.patch "dotgit.patch:2: unsafe path '.git/hooks/post-checkout': is inside .git"
unsafe dotgit-inner.patch "dotgit-inner.patch:2: unsafe path 'src/.git/config': is inside .git"
unsafe dotgit-case.patch "dotgit-case.patch:2: unsafe path '.GIT/config': is inside .git"
unsafe control-char.patch "control-char.patch:1: unsafe path 'src/pool.x1b.h': contains a control character"
unsafe newline.patch "newline.patch:1: unsafe path 'src/pool.x0a.h': contains a line break"
unsafe rename-to-dotdot.patch "rename-to-dotdot.patch:4: unsafe path '../pool.h': has a '..' component"
unsafe rename-from-dotdot.patch "rename-from-dotdot.patch:3: unsafe path '../outside.txt': has a '..' component"
unsafe copy-from-dotgit.patch "copy-from-dotgit.patch:3: unsafe path '.git/config': is inside .git"
unsafe copy-to-dotgit.patch "copy-to-dotgit.patch:4: unsafe path '.git/pool.h': is inside .git"
unsafe copy-to-absolute.patch "copy-to-absolute.patch:4: unsafe path '/etc/pool.h': is absolute"
# With -p1, 'b//abs/path' loses its 'b/' and is read relative to the tree,
# as GNU patch does: there is no such file in the tree, so nothing happens.
bad_setup
add unsafe absolute-git.patch
refused absolute-git.patch "${D#/}/outside/target.txt: no such file to patch"

# The state directory is not the patch's to write.
bad_setup
printf -- '--- /dev/null\n+++ b/.applypatch/state\n@@ -0,0 +1 @@\n+planted\n' >"$P/state.patch"
refused "writes .applypatch/state" "state.patch:2: unsafe path '.applypatch/state': is inside applypatch's state directory"

# --- symlinks already in the tree ----------------------------------------------

unsafe write-link.patch "link.txt is a symbolic link: gap-patchkit never reads, writes or deletes through symlinks"
unsafe delete-link.patch "link.txt is a symbolic link: gap-patchkit never"
unsafe write-inner-link.patch "innerlink.h is a symbolic link: gap-patchkit never"
unsafe write-in-linkdir.patch "linkdir is a symbolic link: gap-patchkit never"
unsafe create-in-linkdir.patch "linkdir/planted.txt: linkdir is a symbolic link"
unsafe delete-in-linkdir.patch "linkdir is a symbolic link: gap-patchkit never"

# --- symlinks made by the series ------------------------------------------------

unsafe symlink-outside.patch "refusing to create escape: the symlink would point outside the tree"
unsafe symlink-climb-out.patch "refusing to create src/climb: the symlink would point outside the tree"
# leading ../ no higher than the tree's root, then down: inside, as git apply
# and GAP's own tst/mockpkg/Makefile.gappkg -> ../../etc/Makefile.gappkg
bad_setup
add unsafe symlink-climb-inside.patch
check_rc "a link climbing to a directory of the tree: applied" 0 "$AP" apply -d "$T" --patches "$P" -P linux
check "the climbing link points where the patch says" test "$(readlink "$T/src/climb")" = ../README
bad_setup
add unsafe symlink-inside.patch
add unsafe write-via-new-link.patch
refused "write through a symlink patch 1 created" \
	"srclink/pool.h passes through srclink, a symbolic link created earlier in this series"
bad_setup
add unsafe symlink-inside.patch
add unsafe create-via-new-link.patch
refused "create through a symlink patch 1 created" \
	"srclink/planted.h passes through srclink, a symbolic link created earlier in this series"

# A symlink inside the tree, alone, is fine: made, recorded, and removed.
bad_setup
add unsafe symlink-inside.patch
before=$(snapshot "$T")
check_rc "symlink inside the tree: exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
check "symlink inside the tree: made" [ "$(readlink "$T/srclink")" = src ]
check_rc "symlink inside the tree: unapply exit 0" 0 "$AP" unapply -d "$T"
check "symlink inside the tree: unapply removes it" [ "$before" = "$(snapshot "$T")" ]
check "symlink inside the tree: no state left" [ ! -e "$T/.applypatch" ]

# --- files that are there already ------------------------------------------------

unsafe create-existing.patch "src/pool.h already exists (the patch creates it)"
bad_setup
echo original >"$T/doc/planted"
printf -- '--- /dev/null\n+++ b/doc/planted/inner.txt\n@@ -0,0 +1 @@\n+planted\n' >"$P/under-a-file.patch"
refused "create under a regular file" "doc/planted is not a directory"
bad_setup
printf -- '--- /dev/null\n+++ b/src\n@@ -0,0 +1 @@\n+planted\n' >"$P/over-a-dir.patch"
refused "create over a directory" "src is not a regular file"

# Creating a file that is there with the very bytes: already applied.
bad_setup
add unsafe create-existing-same.patch
before=$(snapshot "$T")
check_rc "create an identical file: exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux -f json
check "create an identical file: present-before" jq -e '.patches[0].status == "present-before"' "$OUT"
check "create an identical file: nothing written (but quilt's record of it)" \
	[ "$before" = "$(snapshot "$T" | grep -v '^\./\.pc')" ]

# --- malformed patches: PATCH:LINE: what is wrong --------------------------------

malformed() {
	bad_setup
	add malformed "$1"
	refused "$1" "$1:$2"
}
malformed short-hunk.patch "4: hunk is cut short by the end of the patch: 1 old and 1 new lines missing"
malformed bad-line.patch "7: hunk ends early: expected a line starting with ' ', '-' or '+'"
malformed no-diff.patch "1: no diff found"
malformed empty.patch "1: no diff found"
malformed no-header.patch "2: hunk without a file header"
malformed header-only.patch "1: file header without any hunk"
malformed bad-hunk-header.patch "3: malformed hunk header"
malformed absurd-count.patch "3: .*hunk header"
malformed huge-count.patch "3: hunk is cut short by the end of the patch: 99999996 old and 99999996 new lines missing"
malformed ed.patch "1: ed-style diffs are refused"
malformed normal.patch "1: normal (context-free) diffs are not supported"
malformed context.patch "1: context diffs are not supported"
malformed binary.patch "4: binary patches are not supported"
malformed nul-name.patch "1: file name contains a NUL byte"

# The absurd count is a number past the limit, not a typo in the header:
# the message should say so rather than show the header's expected shape.
bad_setup
add malformed absurd-count.patch
run "$AP" apply -d "$T" --patches "$P" -P linux
if grep -q -i -e "too large" -e "limit" -e "too big" -e "exceeds" "$OUT"; then
	ok "absurd count: the message says the number is too large"
else
	not_ok "absurd count reported as: $(grep FAILED "$OUT" | sed 's/^ *//')"
fi

# One malformed patch among good ones fails the run, and the report names
# it; the good ones are not written either.
bad_setup
cp "$E2E/basic/patches/01-pool-size.patch" "$P/"
echo 01-pool-size.patch >>"$P/series"
add malformed ed.patch
before=$(snapshot_all "$D")
check_rc "good patch then ed script: exit 1" 1 "$AP" apply -d "$T" --patches "$P" -P linux -f json
check "good patch then ed script: json names the patch and line" \
	jq -e '.patches[1] | .status == "failed" and (.reason | test("ed.patch:1: ed-style diffs are refused"))' "$OUT"
check "good patch then ed script: nothing written" [ "$before" = "$(snapshot_all "$D")" ]

# A tree given as a symbolic link to it (a packager's /build/gap ->
# /build/gap-4.10.2): the directory it names is patched, the link stays a
# link, status through the real path agrees, and unapply through the link
# gives the tree back as it was.
real="$WORK/symlinked/gap-4.10.2"
T="$WORK/symlinked/gap"
mkdir -p "$real"
cp -R "$E2E/base/." "$real/"
cp -R "$E2E/basic/patches" "$real/patches"
ln -s gap-4.10.2 "$T"
before=$(snapshot_all "$real")
check_rc "tree given as a symlink: apply exit 0" 0 "$AP" apply -d "$T" -P linux
check "tree given as a symlink: still a link" [ -L "$T" ]
check "tree given as a symlink: the directory it names is patched" same_files "$real" "$E2E/basic/expect"
check_rc "tree given as a symlink: status by the real path exit 0" 0 "$AP" status -d "$real" -P linux
check_rc "tree given as a symlink: unapply through the link exit 0" 0 "$AP" unapply -d "$T"
check "tree given as a symlink: unapply gives the tree back" [ "$before" = "$(snapshot_all "$real")" ]

finish
