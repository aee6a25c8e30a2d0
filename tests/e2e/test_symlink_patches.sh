#!/bin/sh
# Git patches that delete or re-point a symbolic link the tree has
# (red-team 3, T7): `deleted file mode 120000`, a 120000 modify changing
# the target, a link turned into a file. applypatch does what GNU patch and
# git apply do (differential: the trees end identical, links compared with
# readlink), the link itself is the file (its target, in the tree or
# outside it, is never read or written), unapply (and its dry run) puts the
# old links back, and what would go through a link is still refused.
. "$TESTS_ROOT/e2e/lib.sh"
cases_start

# links: every path's kind and link target, every file's sha256, below $1
# (applypatch's state, quilt's .pc/ and the patches left out)
links() {
	(cd "$1" && find . \( -path ./.applypatch -o -path ./.pc -o -path ./.git -o -path ./p \) -prune \
		-o -printf '%p %y %l\n' | LC_ALL=C sort &&
		find . \( -path ./.applypatch -o -path ./.pc -o -path ./.git -o -path ./p \) -prune \
		-o -type f -exec sha256sum {} + | LC_ALL=C sort)
}

# The fixture: $WORK/up (a git repository) with files and links, one of
# them out of the tree; the patch, made by git, changes every link.
D="$WORK/fixture"
mkdir -p "$D/outside"
echo "outside, never to be touched" >"$D/outside/file"
repo="$D/up"
new_repo "$repo"
echo x >"$repo/target"
echo y >"$repo/t2"
echo z >"$repo/src/a.c"
mkdir "$repo/lib" && echo w >"$repo/lib/b.c"
ln -s target "$repo/gone"                 # deleted
ln -s target "$repo/moved"                # re-pointed to t2
ln -s target "$repo/typechange"           # becomes a regular file
ln -s ../outside/file "$repo/outlink"     # out of the tree: deleted
ln -s ../outside/file "$repo/outlink2"    # out of the tree: re-pointed inside
ln -s src "$repo/dirlink"                 # a link to a directory: re-pointed
ln -s target "$repo/kept"                 # not in the patch
g add -A && g commit -qm base
g rm -q gone outlink
rm "$repo/moved" "$repo/typechange" "$repo/outlink2" "$repo/dirlink"
ln -s t2 "$repo/moved"
echo regular >"$repo/typechange"
ln -s src/a.c "$repo/outlink2"
ln -s lib "$repo/dirlink"
g add -A
g diff --cached >"$D/links.patch"
g reset -q --hard

check "the fixture patch says 'deleted file mode 120000'" grep -q '^deleted file mode 120000' "$D/links.patch"
check "the fixture patch re-points with 'index ... 120000'" grep -q '^index [0-9a-f]*\.\.[0-9a-f]* 120000' "$D/links.patch"

# fresh NAME: a copy of the repository's tree (no .git) in $WORK/NAME, with
# the patch as a one-patch series in its p/
fresh() {
	T="$WORK/$1"
	rm -rf "$T"
	mkdir -p "$T"
	(cd "$repo" && tar cf - --exclude=.git .) | (cd "$T" && tar xf -)
	mkdir -p "$T/p"
	cp "$D/links.patch" "$T/p/links.patch"
	echo links.patch >"$T/p/series"
}

outside_before=$(sha256sum <"$D/outside/file")
fresh orig
orig=$(links "$WORK/orig")

# --- the differential: GNU patch, git apply, applypatch -------------------------

fresh gnu
check "GNU patch applies it" sh -c "cd '$WORK/gnu' && patch -s -p1 <p/links.patch"
fresh gitapply
check "git apply applies it" sh -c "cd '$WORK/gitapply' && git apply p/links.patch"
fresh ap
check_rc "applypatch apply: exit 0" 0 "$AP" apply -d "$WORK/ap" --patches "$WORK/ap/p"
check_grep "applypatch apply: applied" "links.patch  *applied" "$OUT"
check "the same tree as GNU patch (links by readlink)" [ "$(links "$WORK/ap")" = "$(links "$WORK/gnu")" ]
check "the same tree as git apply" [ "$(links "$WORK/ap")" = "$(links "$WORK/gitapply")" ]
check "gone: deleted" [ ! -e "$WORK/ap/gone" ] && [ ! -L "$WORK/ap/gone" ]
check "moved: points to t2" [ "$(readlink "$WORK/ap/moved")" = t2 ]
check "typechange: a regular file" sh -c "[ -f '$WORK/ap/typechange' ] && [ ! -L '$WORK/ap/typechange' ]"
check "outlink: deleted" [ ! -L "$WORK/ap/outlink" ]
check "outlink2: points inside" [ "$(readlink "$WORK/ap/outlink2")" = src/a.c ]
check "dirlink: re-pointed, the directory it named untouched" sh -c \
	"[ \"\$(readlink '$WORK/ap/dirlink')\" = lib ] && [ \"\$(cat '$WORK/ap/src/a.c')\" = z ]"
check "the targets in the tree untouched" sh -c \
	"[ \"\$(cat '$WORK/ap/target')\" = x ] && [ \"\$(cat '$WORK/ap/t2')\" = y ]"
check "the target outside the tree untouched" [ "$(sha256sum <"$D/outside/file")" = "$outside_before" ]
check "kept: still a link to target" [ "$(readlink "$WORK/ap/kept")" = target ]
check_rc "status after apply: exit 0" 0 "$AP" status -d "$WORK/ap" --patches "$WORK/ap/p"
check_rc "apply again: exit 0, nothing to do" 0 "$AP" apply -d "$WORK/ap" --patches "$WORK/ap/p"

# --- unapply: the old links back -------------------------------------------------

applied=$(links "$WORK/ap"; snapshot_all "$WORK/ap")
check_rc "unapply --dry-run: exit 0" 0 "$AP" unapply --dry-run -d "$WORK/ap"
check "unapply --dry-run: nothing written" [ "$applied" = "$(links "$WORK/ap"; snapshot_all "$WORK/ap")" ]
check_rc "unapply: exit 0" 0 "$AP" unapply -d "$WORK/ap"
check "unapply: every link back as it was (outside ones too)" [ "$(links "$WORK/ap")" = "$orig" ]
check "unapply: no state left" [ ! -e "$WORK/ap/.applypatch" ]
check "unapply: the target outside the tree untouched" [ "$(sha256sum <"$D/outside/file")" = "$outside_before" ]

# dry run of apply: nothing written
fresh dry
check_rc "apply --dry-run: exit 0" 0 "$AP" apply -n -d "$WORK/dry" --patches "$WORK/dry/p"
check "apply --dry-run: nothing written" [ "$(links "$WORK/dry")" = "$orig" ]
check "apply --dry-run: no state" [ ! -e "$WORK/dry/.applypatch" ]

# --- a tree quilt push patched: quilt keeps each link as a link in .pc/ ----------

if command -v quilt >/dev/null 2>&1; then
	fresh quilted
	check "quilt push -a applies it" sh -c \
		"cd '$T' && QUILT_PATCHES=p quilt --quiltrc /dev/null push -aq >/dev/null"
	check "quilt kept the deleted link as a link" [ -L "$T/.pc/links.patch/gone" ]
	check "the same tree as applypatch's" [ "$(links "$T")" = "$(links "$WORK/gnu")" ]
	check_rc "status on quilt's tree: exit 0" 0 "$AP" status -d "$T" --patches "$T/p"
	check_grep "status: quilt's patch seen" "applied by quilt or dpkg-source" "$OUT"
	check_rc "unapply on quilt's tree: exit 0" 0 "$AP" unapply -d "$T" --patches "$T/p"
	check "unapply: every link back as it was (quilt pop -a drops them)" [ "$(links "$T")" = "$orig" ]
	check "unapply: quilt's backups gone" [ ! -e "$T/.pc/links.patch" ]
	check "unapply: the target outside the tree untouched" \
		[ "$(sha256sum <"$D/outside/file")" = "$outside_before" ]
	# a link quilt kept, then edited in the tree: named, refused, untouched
	fresh quilted2
	(cd "$T" && QUILT_PATCHES=p quilt --quiltrc /dev/null push -aq >/dev/null)
	rm "$T/moved" && ln -s elsewhere "$T/moved"
	_before=$(links "$T"; snapshot_all "$T")
	check_rc "unapply after the link was re-pointed by hand: exit 1" 1 \
		"$AP" unapply -d "$T" --patches "$T/p"
	check_grep "unapply: names the edited link" "moved (links.patch) changed after quilt push" "$ERR"
	check "unapply refused: tree untouched" [ "$_before" = "$(links "$T"; snapshot_all "$T")" ]
else
	echo "ok # SKIP quilt is not installed"
fi

# --- still refused ---------------------------------------------------------------

# refused NAME PATTERN: apply exits 1 naming why; the tree as it was
refused() {
	_before=$(links "$T"; snapshot_all "$T")
	check_rc "$1: exit 1" 1 "$AP" apply -d "$T" --patches "$T/p"
	check_grep "$1: says why" "$2" "$OUT"
	check "$1: tree untouched" [ "$_before" = "$(links "$T"; snapshot_all "$T")" ]
	check "$1: the target outside untouched" [ "$(sha256sum <"$D/outside/file")" = "$outside_before" ]
}

# the link's target is not the patch's old side: the hunk fails, as in git
fresh mismatch
rm "$T/moved" && ln -s elsewhere "$T/moved"
refused "re-point a link whose target differs" "hunk 1 .*FAILED\|1 of [0-9]* hunks failed"

# re-pointing a link out of the tree: refused as creating one is
fresh escape
printf 'diff --git a/kept b/kept\nindex 1de5659..0000000 120000\n--- a/kept\n+++ b/kept\n@@ -1 +1 @@\n-target\n\\ No newline at end of file\n+../outside/file\n\\ No newline at end of file\n' >"$T/p/links.patch"
refused "re-point a link out of the tree" "refusing to retarget kept: the symlink would point outside the tree"

# a plain diff of a link (no mode 120000) would write through it: refused,
# as GNU patch refuses it ("not a regular file")
fresh plain
printf -- '--- a/outlink\n+++ b/outlink\n@@ -1 +1 @@\n-outside, never to be touched\n+written through\n' >"$T/p/links.patch"
refused "a plain diff of a link out of the tree" "outlink is a symbolic link: gap-patchkit never"
printf -- '--- a/outlink\n+++ /dev/null\n@@ -1 +0,0 @@\n-outside, never to be touched\n' >"$T/p/links.patch"
refused "a plain diff deleting a link" "outlink is a symbolic link: gap-patchkit never"

# a git patch of a link over what is now a regular file: git's "wrong type"
fresh wrongtype
rm "$T/moved" && printf target >"$T/moved"
refused "a link's patch over a regular file" "moved is a file, but the patch changes a symbolic link there"

# a target that only goes down, but through a link the tree holds that
# leads out (esc -> the fixture's outside/): refused, whether a link is
# re-pointed or created there, and however deep (red-team 4 S3); links
# that stay inside are still followed and accepted
newlink() { printf 'diff --git a/%s b/%s\nnew file mode 120000\nindex 0000000..1111111\n--- /dev/null\n+++ b/%s\n@@ -0,0 +1 @@\n+%s\n\\ No newline at end of file\n' "$1" "$1" "$1" "$2"; }
# through NAME: a fresh tree with esc, a link out of it
through() { fresh "$1"; ln -s ../fixture/outside "$T/esc"; }
through through1
printf 'diff --git a/kept b/kept\nindex 1de5659..0000000 120000\n--- a/kept\n+++ b/kept\n@@ -1 +1 @@\n-target\n\\ No newline at end of file\n+esc/file\n\\ No newline at end of file\n' >"$T/p/links.patch"
refused "re-point a link through a link out of the tree" "refusing to retarget kept: the symlink would point outside the tree"
through through2
newlink newl esc/file >"$T/p/links.patch"
refused "a new link through a link out of the tree" "refusing to create newl: the symlink would point outside the tree"
through through3
newlink newl esc >"$T/p/links.patch"
refused "a new link to a link out of the tree" "refusing to create newl: the symlink would point outside the tree"
through through4
ln -s ../../fixture/outside "$T/src/esc2"
{ newlink in1 dirlink; newlink newl in1/esc2; } >"$T/p/links.patch"
refused "a new link through two links to one out of the tree" "refusing to create newl: the symlink would point outside the tree"
through through5
{ newlink in1 dirlink; newlink newl in1/a.c; } >"$T/p/links.patch"
check_rc "a new link through links inside the tree: exit 0" 0 "$AP" apply -d "$T" --patches "$T/p"
check "a new link through links inside the tree: made" [ "$(readlink "$T/newl")" = in1/a.c ]
# what the tree holds at that point of the series: esc deleted by patch 1,
# a link through where it was is inside (dangling) for patch 2
through through6
printf 'diff --git a/esc b/esc\ndeleted file mode 120000\nindex 1111111..0000000\n--- a/esc\n+++ /dev/null\n@@ -1 +0,0 @@\n-../fixture/outside\n\\ No newline at end of file\n' >"$T/p/1.patch"
newlink newl esc/file >"$T/p/2.patch"
printf '1.patch\n2.patch\n' >"$T/p/series"
check_rc "a link through one an earlier patch deleted: exit 0" 0 "$AP" apply -d "$T" --patches "$T/p"
check "a link through one an earlier patch deleted: made, esc gone" \
	test "$(readlink "$T/newl")" = esc/file -a ! -e "$T/esc" -a ! -L "$T/esc"

finish
