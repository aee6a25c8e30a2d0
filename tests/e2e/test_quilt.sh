#!/bin/sh
# Interoperability with quilt, end to end: (a) a series made with quilt
# new/add/refresh (headers, several patches on one file, a created and a
# deleted file) applies with applypatch to the bytes quilt produced, and
# unapply gives back what quilt pop -a does; (b) quilt push -a and applypatch
# agree on the minigap series without selectors; (c) quilt still reads a
# series carrying our '# [platform]' selectors: it takes them for comments.
. "$TESTS_ROOT/e2e/lib.sh"
E2E="$FIXTURES/e2e"
WORK=$(scratch)
trap 'rm -rf "$WORK"; cleanup' EXIT
umask 022

if ! command -v quilt >/dev/null 2>&1; then
	echo "ok # SKIP quilt is not installed"
	exit 0
fi
# No ~/.quiltrc or /etc/quilt.quiltrc: the defaults, whoever runs the test.
Q() { quilt --quiltrc=- "$@"; }
QUILT_PATCHES=patches
export QUILT_PATCHES

# The files of a tree with executable bits and digests; quilt's .pc/, the
# patches and applypatch's state do not count, nor do empty directories.
files_of() {
	(cd "$1" && {
		find . \( -path ./.pc -o -path ./patches -o -path ./.applypatch \) -prune -o -type l -printf '%p link %l\n' \
			-o -type f \( -perm -u+x -printf '%p x\n' -o -printf '%p -\n' \)
		find . \( -path ./.pc -o -path ./patches -o -path ./.applypatch \) -prune -o -type f -exec sha256sum {} +
	} | LC_ALL=C sort)
}
# edits FILE in place with a sed script, keeping its inode (as an editor
# would, and as quilt expects of files it has added)
edit() {
	sed "$2" "$1" >"$1.new" && cat "$1.new" >"$1" && rm "$1.new"
}

# --- (a) a series written by quilt ------------------------------------------------

QT="$WORK/a/pool-1.1"
mkdir -p "$WORK/a"
cp -R "$E2E/base" "$QT"
(
	set -e
	cd "$QT"
	Q new 01-default.patch
	Q add src/pool.c
	edit src/pool.c 's/return 4096;/return 1024;/'
	Q refresh
	printf 'A smaller default pool.\n\nForks of a process holding the pool cost less.\n' | Q header -r
	Q new 02-noreserve.patch
	Q add src/pool.c doc/notes.txt
	edit src/pool.c 's/MAP_PRIVATE | MAP_ANONYMOUS;/MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;/'
	printf '  - the pool is mapped with MAP_NORESERVE\n' >>doc/notes.txt
	Q refresh
	Q new 03-files.patch
	Q add include/version.h build.sh
	mkdir -p include
	printf '#define POOL_VERSION "1.2"\n' >include/version.h
	rm build.sh
	Q refresh
	Q new 04-header.patch
	Q add src/pool.h src/pool.c
	edit src/pool.h 's/^size_t pool_bytes(void);/size_t pool_bytes(void);\nint pool_mapped(void);/'
	printf '\nint pool_mapped(void)\n{\n\treturn pool_base != NULL;\n}\n' >>src/pool.c
	Q refresh
) >"$WORK/quilt-a.log" 2>&1
check "quilt made a four-patch series" [ "$(cat "$QT/patches/series" 2>/dev/null | wc -l)" -eq 4 ]
check_grep "quilt's patches have Index: lines" "^Index: pool-1.1/src/pool.c" "$QT/patches/02-noreserve.patch"
check_grep "quilt's header is in patch 1" "^A smaller default pool" "$QT/patches/01-default.patch"
mkdir "$WORK/a/quilt-result"
cp -R "$QT/." "$WORK/a/quilt-result/"

T="$WORK/a/applypatch/pool-1.1"
mkdir -p "$T"
cp -R "$E2E/base/." "$T/"
cp -R "$QT/patches" "$T/patches"
pristine=$(snapshot "$T"; snapshot_all "$T")
check_rc "quilt's series: applypatch exit 0" 0 "$AP" apply -d "$T" -P linux
check_grep "quilt's series: four patches applied" "04-header.patch  *applied" "$OUT"
check "quilt's series: the same files, bytes and modes as quilt's" same_files "$T" "$WORK/a/quilt-result"
check "quilt's series: build.sh deleted" [ ! -e "$T/build.sh" ]
check "quilt's series: version.h created" [ -f "$T/include/version.h" ]

check_rc "quilt pop -a: exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- pop -a' sh "$QT"
check "quilt pop -a gives base/ back" same_files "$QT" "$E2E/base"
check_rc "applypatch unapply: exit 0" 0 "$AP" unapply -d "$T"
check "applypatch unapply gives what quilt pop -a gives" same_files "$T" "$QT"
check "applypatch unapply: the tree as it was, state gone" [ "$pristine" = "$(snapshot "$T"; snapshot_all "$T")" ]

# In the quilt tree itself (with .pc/ present and nothing pushed) applypatch
# works too, and afterwards quilt sees that its patches are already in.
check_rc "applypatch in quilt's tree: exit 0" 0 "$AP" apply -d "$QT" -P linux
check "applypatch in quilt's tree: quilt's result" same_files "$QT" "$WORK/a/quilt-result"
check_rc "applypatch unapply in quilt's tree: exit 0" 0 "$AP" unapply -d "$QT"
check_rc "quilt push -a after that: exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- push -a' sh "$QT"
check "quilt push -a after applypatch unapply: quilt's result again" same_files "$QT" "$WORK/a/quilt-result"

# --- (b) quilt push -a and applypatch on a guard-free series ---------------------------

B="$WORK/b"
mkdir -p "$B"
cp -R "$FIXTURES/minigap" "$B/quilt"
cp -R "$FIXTURES/minigap" "$B/applypatch"
for d in quilt applypatch; do
	cp -R "$FIXTURES/minigap-patches" "$B/$d/patches"
	# the series without its selector comments: every patch, everywhere
	sed -e 's/[ 	]*#.*//' -e '/^$/d' "$FIXTURES/minigap-patches/series" >"$B/$d/patches/series"
done
check "minigap: a series without selectors" sh -c '! grep -q "#" "$1"' sh "$B/quilt/patches/series"
check_rc "minigap: quilt push -a exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- push -a' sh "$B/quilt"
check_rc "minigap: applypatch exit 0" 0 "$AP" apply -d "$B/applypatch" -P linux
check_grep "minigap: applypatch applied the three" "(linux, 3 of 3 patches selected)" "$OUT"
check "minigap: quilt and applypatch give the same tree" same_files "$B/quilt" "$B/applypatch"
check "minigap: and it differs from upstream" sh -c '! cmp -s "$1/src/sysmem.c" "$2/src/sysmem.c"' sh "$B/quilt" "$FIXTURES/minigap"

# --- (c) quilt reads our selectors as comments -----------------------------------------

C="$WORK/c"
mkdir -p "$C"
cp -R "$FIXTURES/minigap" "$C/quilt"
cp -R "$FIXTURES/minigap" "$C/applypatch"
cp -R "$FIXTURES/minigap-patches" "$C/quilt/patches"
cp -R "$FIXTURES/minigap-patches" "$C/applypatch/patches"
check_grep "minigap series carries a [cygwin] selector" "# \[cygwin\]" "$C/quilt/patches/series"
check_rc "selectors: quilt series exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- series' sh "$C/quilt"
check "selectors: quilt lists all three patches" [ "$(grep -c '\.patch' "$OUT")" -eq 3 ]
check_rc "selectors: quilt push -a exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- push -a' sh "$C/quilt"
check_rc "selectors: applypatch for cygwin (all three selected) exit 0" 0 \
	"$AP" apply -d "$C/applypatch" -P cygwin
check "selectors: quilt (ignoring them) and applypatch for cygwin agree" same_files "$C/quilt" "$C/applypatch"

# Our selectors fixture, with -p0, -p2, a tab and a plain trailing comment:
# quilt pushes every patch, as if no selector were there.
newcase_dir="$C/selectors"
mkdir -p "$newcase_dir"
cp -R "$E2E/base/." "$newcase_dir/"
cp -R "$E2E/selectors/patches" "$newcase_dir/patches"
check_rc "selectors fixture: quilt push -a exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- push -a' sh "$newcase_dir"
check "selectors fixture: quilt applied all eight patches" [ "$(ls "$newcase_dir/platform" | wc -l)" -eq 8 ]
check "selectors fixture: -p0 honoured by quilt" [ -f "$newcase_dir/platform/p0.txt" ]
check "selectors fixture: -p2 honoured by quilt" [ -f "$newcase_dir/platform/p2.txt" ]

# --- (d) quilt's .pc/, written by apply and read by quilt -----------------------------

D="$WORK/d"
mkdir -p "$D"
cp -R "$FIXTURES/minigap" "$D/orig"
cp -R "$FIXTURES/minigap-patches" "$D/orig/patches"
cp -R "$D/orig" "$D/t"
check_rc "pc: applypatch apply -P cygwin exit 0" 0 "$AP" apply -d "$D/t" -P cygwin
check_rc "pc: quilt applied exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- applied' sh "$D/t"
check "pc: quilt applied lists the three, in order" \
	[ "$(cat "$OUT")" = "$(printf 'install-targets.patch\ncygwin/cygwin-ensure-bag.patch\ncygwin/cygwin-pool-noreserve.patch')" ]
check_rc "pc: quilt top exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- top' sh "$D/t"
check_grep "pc: quilt top is the last one" "cygwin/cygwin-pool-noreserve.patch" "$OUT"
check_rc "pc: quilt pop -a exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- pop -a' sh "$D/t"
check "pc: quilt pop -a gives the original tree byte for byte" \
	sh -c 'diff -r -x .pc -x .applypatch "$1" "$2"' sh "$D/t" "$D/orig"
check_rc "pc: quilt push -a after that exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- push -a' sh "$D/t"

rm -rf "$D/t" && cp -R "$D/orig" "$D/t"
check_rc "pc: apply -P linux exit 0" 0 "$AP" apply -d "$D/t" -P linux
check_rc "pc: quilt applied (linux) exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- applied' sh "$D/t"
check "pc: quilt sees the one linux patch" [ "$(cat "$OUT")" = "install-targets.patch" ]
check_rc "pc: quilt push (the next in the series, a cygwin patch) exit 0" 0 \
	sh -c 'cd "$1" && quilt --quiltrc=- push' sh "$D/t"
check_rc "pc: quilt pop -a exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- pop -a' sh "$D/t"
check "pc: back to the original" sh -c 'diff -r -x .pc -x .applypatch "$1" "$2"' sh "$D/t" "$D/orig"

rm -rf "$D/t" && cp -R "$D/orig" "$D/t"
check_rc "pc: apply, then quilt refresh exit 0" 0 sh -c '"$2" apply -d "$1" -P cygwin && cd "$1" && quilt --quiltrc=- refresh' sh "$D/t" "$AP"
check_rc "pc: applypatch unapply exit 0" 0 "$AP" unapply -d "$D/t"
check "pc: unapply removes the .pc/ it wrote" [ ! -e "$D/t/.pc" ]
check "pc: unapply gives the original files back" \
	sh -c 'diff -r -x patches "$1" "$2"' sh "$D/t" "$D/orig"

# quilt push -a, then applypatch: status names quilt's patches, apply
# takes them as applied, unapply does what quilt pop -a does.
rm -rf "$D/t" && cp -R "$D/orig" "$D/t"
check_rc "quilt push -a: exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- push -a' sh "$D/t"
check_rc "after quilt push -a: applypatch status exit 0" 0 "$AP" status -d "$D/t"
check_grep "status: 3 patches applied by quilt" "3 patches applied by quilt or dpkg-source" "$OUT"
check_rc "after quilt push -a: apply -P cygwin exit 0" 0 "$AP" apply -d "$D/t" -P cygwin
check_grep "apply: already applied by quilt" "already applied, nothing to do (by quilt" "$OUT"
check_rc "after quilt push -a: applypatch unapply exit 0" 0 "$AP" unapply -d "$D/t"
check "unapply of quilt's patches: the original tree byte for byte" \
	sh -c 'diff -r -x .pc "$1" "$2"' sh "$D/t" "$D/orig"
check_rc "quilt agrees nothing is applied" 2 sh -c 'cd "$1" && quilt --quiltrc=- top' sh "$D/t"
check_rc "quilt push -a again: exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- push -a' sh "$D/t"

# quilt pushed one, applypatch applies the rest: unapply takes back only its own
rm -rf "$D/t" && cp -R "$D/orig" "$D/t"
check_rc "quilt push (one): exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- push' sh "$D/t"
check_rc "applypatch applies the other two: exit 0" 0 "$AP" apply -d "$D/t" -P cygwin
check_grep "the first is quilt's" "install-targets.patch  *already-applied: applied by quilt" "$OUT"
check_rc "quilt applied lists all three" 0 sh -c 'cd "$1" && quilt --quiltrc=- applied' sh "$D/t"
check "quilt applied: three" [ "$(wc -l <"$OUT")" -eq 3 ]
check_rc "quilt pop -a: exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- pop -a' sh "$D/t"
check "quilt pop -a over both: the original" sh -c 'diff -r -x .pc -x .applypatch "$1" "$2"' sh "$D/t" "$D/orig"

# patches someone else applied (present-before, and another platform's
# found present): quilt lists them as applied, each with a backup folder
# holding only its .timestamp, so quilt pop takes them off the stack and
# leaves their changes, as applypatch unapply does.
rm -rf "$D/t" && cp -R "$D/orig" "$D/t"
(cd "$D/t" && for p in $(sed -e 's/[ 	]*#.*//' -e 's/ .*//' -e '/^$/d' patches/series); do patch -s -p1 <"patches/$p"; done)
cp -R "$D/t" "$D/handpatched"
check_rc "present: apply -P linux on a tree GNU patch patched: exit 0" 0 "$AP" apply -d "$D/t" -P linux
check_rc "present: quilt applied exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- applied' sh "$D/t"
check "present: quilt applied lists all three, in series order" \
	[ "$(cat "$OUT")" = "$(printf 'install-targets.patch\ncygwin/cygwin-ensure-bag.patch\ncygwin/cygwin-pool-noreserve.patch')" ]
check_rc "present: quilt unapplied: nothing (exit 1)" 1 sh -c 'cd "$1" && quilt --quiltrc=- unapplied' sh "$D/t"
check_grep "present: quilt says the series is fully applied" "fully applied" "$ERR"
check_rc "present: quilt push: the series is fully applied (exit 2)" 2 \
	sh -c 'cd "$1" && quilt --quiltrc=- push' sh "$D/t"
check_grep "present: quilt push says so" "File series fully applied" "$ERR"
check "present: quilt push changed nothing" sh -c 'diff -r -x .pc -x .applypatch "$1" "$2"' sh "$D/t" "$D/handpatched"
check_rc "present: quilt pop -a exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- pop -a' sh "$D/t"
check_grep "present: quilt pop finds nothing to restore" "appears to be empty, removing" "$OUT"
check "present: quilt pop -a leaves the tree as it was before apply" \
	sh -c 'diff -r -x .pc -x .applypatch "$1" "$2"' sh "$D/t" "$D/handpatched"
check_rc "present: applypatch unapply after quilt pop -a: exit 0" 0 "$AP" unapply -d "$D/t"
check "present: and no .pc/ left" [ ! -e "$D/t/.pc" ]

# one patch by hand, the other two by applypatch: quilt pop -a takes back
# what applypatch applied and leaves the hand-applied one
rm -rf "$D/t" && cp -R "$D/orig" "$D/t"
(cd "$D/t" && patch -s -p1 <patches/install-targets.patch)
cp -R "$D/t" "$D/handpatched1"
check_rc "present: apply -P cygwin over one hand-applied patch: exit 0" 0 "$AP" apply -d "$D/t" -P cygwin
check_grep "present: the hand-applied one is present-before" "install-targets.patch  *present-before" "$OUT"
check_rc "present: quilt applied lists three" 0 sh -c 'cd "$1" && quilt --quiltrc=- applied' sh "$D/t"
check "present: three, in order" \
	[ "$(cat "$OUT")" = "$(printf 'install-targets.patch\ncygwin/cygwin-ensure-bag.patch\ncygwin/cygwin-pool-noreserve.patch')" ]
check_rc "present: quilt pop -a exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- pop -a' sh "$D/t"
check "present: quilt pop -a gives the tree as it was before apply" \
	sh -c 'diff -r -x .pc -x .applypatch "$1" "$2"' sh "$D/t" "$D/handpatched1"
rm -rf "$D/t" && cp -R "$D/handpatched1" "$D/t"
check_rc "present: apply -P cygwin again: exit 0" 0 "$AP" apply -d "$D/t" -P cygwin
check_rc "present: applypatch unapply: exit 0" 0 "$AP" unapply -d "$D/t"
check "present: unapply gives the same tree as quilt pop -a, with no .pc/" \
	sh -c '[ ! -e "$1/.pc" ] && diff -r -x .applypatch "$1" "$2"' sh "$D/t" "$D/handpatched1"

rm -rf "$D/t" && cp -R "$D/orig" "$D/t"
check_rc "pc: --no-quilt-state exit 0" 0 "$AP" apply -d "$D/t" -P cygwin --no-quilt-state
check "pc: --no-quilt-state writes no .pc/" [ ! -e "$D/t/.pc" ]

# --- (e) red-team 3: quilt's record checked against the tree ----------------------------

untouched() { snapshot_all "$1" | diff "$2" -; }
# rt3_tree DIR: a, b and a series of three (a cygwin one between)
rt3_tree() {
	mkdir -p "$1/patches/cygwin"
	printf 'a1\na2\na3\n' >"$1/a"; printf 'b1\nb2\n' >"$1/b"
	printf -- '--- a/a\n+++ b/a\n@@ -1,3 +1,3 @@\n a1\n-a2\n+A2\n a3\n' >"$1/patches/one.patch"
	printf -- '--- a/b\n+++ b/b\n@@ -1,2 +1,2 @@\n-b1\n+B1\n b2\n' >"$1/patches/cygwin/two.patch"
	printf -- 'diff --git a/c b/c\nnew file mode 100755\n--- /dev/null\n+++ b/c\n@@ -0,0 +1 @@\n+#!/bin/sh\n' \
		>"$1/patches/three.patch"
	printf 'one.patch\ncygwin/two.patch -p1 # [cygwin]\nthree.patch\n' >"$1/patches/series"
}

# T12: unapply of a quilt-pushed tree refuses over an edit made after the
# push (quilt pop -a does too), naming the file; --force keeps PATH.edited
E="$WORK/e12"
rt3_tree "$E/t"
check_rc "T12: quilt push -a exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- push -a' sh "$E/t"
echo "MY IMPORTANT EDIT" >>"$E/t/a"
cp -a "$E/t" "$E/q"
snapshot_all "$E/t" >"$E/before"
check_rc "T12: quilt pop -a refuses over the edit (exit 1)" 1 sh -c 'cd "$1" && quilt --quiltrc=- pop -a' sh "$E/q"
check_rc "T12: unapply refuses over the edit (exit 1)" 1 "$AP" unapply -d "$E/t"
check_grep "T12: names the edited file and its patch" "a (one.patch) changed after quilt push" "$ERR"
check "T12: tree untouched" untouched "$E/t" "$E/before"
check_rc "T12: unapply --force exit 0" 0 "$AP" unapply --force -d "$E/t"
check "T12: --force kept the edit as a.edited" grep -q "MY IMPORTANT EDIT" "$E/t/a.edited"
check "T12: --force restored a" sh -c 'printf "a1\na2\na3\n" | cmp -s - "$1"' sh "$E/t/a"
check "T12: --force removed c" [ ! -e "$E/t/c" ]
# a FIFO where a patched file was: refused, even under --force
rm -rf "$E/t" && rt3_tree "$E/t"
(cd "$E/t" && quilt --quiltrc=- push -a >/dev/null 2>&1)
rm "$E/t/a" && mkfifo "$E/t/a"
snapshot_all "$E/t" >"$E/before"
check_rc "T12: a FIFO over a: unapply exit 1" 1 "$AP" unapply -d "$E/t"
check_rc "T12: a FIFO over a: unapply --force refuses (exit 2)" 2 "$AP" unapply --force -d "$E/t"
check_grep "T12: says what a is" "a is now a FIFO" "$ERR"
check "T12: FIFO: tree untouched" untouched "$E/t" "$E/before"
# a clean quilt-pushed tree still unapplies as quilt pop -a does
rm -rf "$E/t" && rt3_tree "$E/t"
(cd "$E/t" && quilt --quiltrc=- push -a >/dev/null 2>&1)
check_rc "T12: unedited: unapply exit 0" 0 "$AP" unapply -d "$E/t"
check "T12: unedited: a restored" sh -c 'printf "a1\na2\na3\n" | cmp -s - "$1"' sh "$E/t/a"

# T10: a stale or planted .pc/applied-patches (no backups, the patch not in
# the tree): apply fails naming the patch and file, the tree untouched, and
# status exits 1; a real quilt push is still taken as applied
E="$WORK/e10"
rt3_tree "$E/t"
mkdir -p "$E/t/.pc/one.patch" && echo one.patch >"$E/t/.pc/applied-patches" &&
	touch "$E/t/.pc/one.patch/.timestamp" && printf '2\n' >"$E/t/.pc/.version"
snapshot_all "$E/t" >"$E/before"
check_rc "T10: stale .pc: apply exit 1" 1 "$AP" apply -d "$E/t"
check_grep "T10: names the patch and the file" "one.patch.*FAILED: listed in .pc/applied-patches, but a is not as it leaves it" "$OUT"
check_grep "T10: says the record is stale" "a (one.patch) not as the patch leaves it" "$OUT"
check "T10: tree untouched" untouched "$E/t" "$E/before"
check_rc "T10: stale .pc: status exit 1" 1 "$AP" status -d "$E/t"
check_grep "T10: status names the file" "a (one.patch)" "$OUT"
rm -rf "$E/t" && rt3_tree "$E/t"
check_rc "T10: quilt push (one) exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- push' sh "$E/t"
check_rc "T10: quilt-pushed: status exit 0" 0 "$AP" status -d "$E/t"
check_rc "T10: quilt-pushed: apply exit 0" 0 "$AP" apply -d "$E/t"
check_grep "T10: quilt's patch taken as applied" "one.patch.*already-applied" "$OUT"
check "T10: three.patch applied" [ -x "$E/t/c" ]

# T3: after quilt pop -a (or a hand edit) on a tree applypatch patched,
# apply does not say "already applied, nothing to do" with exit 0: it fails
# naming the files, as status does, and leaves the tree alone
E="$WORK/e3"
rt3_tree "$E/t"
check_rc "T3: apply exit 0" 0 "$AP" apply -d "$E/t"
check_rc "T3: quilt pop -a exit 0" 0 sh -c 'cd "$1" && quilt --quiltrc=- pop -a' sh "$E/t"
snapshot_all "$E/t" >"$E/before"
check_rc "T3: apply after quilt pop -a: exit 1" 1 "$AP" apply -d "$E/t"
check_grep "T3: names the files" "but a, c no longer hold what apply left" "$OUT"
check "T3: tree untouched" untouched "$E/t" "$E/before"
check_rc "T3: status agrees (exit 1)" 1 "$AP" status -d "$E/t"
check_rc "T3: unapply --force exit 0" 0 "$AP" unapply --force -d "$E/t"
check_rc "T3: apply again exit 0" 0 "$AP" apply -d "$E/t"
check "T3: patched again" grep -q A2 "$E/t/a"
echo edited >"$E/t/a"
check_rc "T3: apply after a hand edit: exit 1" 1 "$AP" apply -d "$E/t"
check_grep "T3: names the edited file" "but a no longer holds what apply left" "$OUT"

# T13: a patch writing into .pc/ (which apply writes itself) or onto an
# .aptmp.* name is refused, the tree untouched; --no-quilt-state lets .pc/ through
E="$WORK/e13"
mkdir -p "$E/p" "$E/t" && echo x >"$E/t/a"
printf -- '--- /dev/null\n+++ b/.pc/applied-patches\n@@ -0,0 +1 @@\n+evil\n' >"$E/p/1.patch"
echo 1.patch >"$E/p/series"
snapshot_all "$E/t" >"$E/before"
check_rc "T13: patch into .pc/: apply exit 1" 1 "$AP" apply -d "$E/t" --patches "$E/p"
check_grep "T13: says why" "1.patch.*FAILED: .pc/applied-patches is inside quilt's .pc/" "$OUT"
check "T13: tree untouched" untouched "$E/t" "$E/before"
check_rc "T13: with --no-quilt-state it applies" 0 "$AP" apply -d "$E/t" --patches "$E/p" --no-quilt-state
check "T13: --no-quilt-state: the patch's bytes" grep -q evil "$E/t/.pc/applied-patches"
rm -rf "$E/t" && mkdir -p "$E/t" && echo x >"$E/t/a"
printf -- '--- /dev/null\n+++ b/sub/.aptmp.0123456789abcdef.u0\n@@ -0,0 +1 @@\n+evil\n' >"$E/p/1.patch"
snapshot_all "$E/t" >"$E/before"
check_rc "T13: patch onto an .aptmp.* name: apply exit 1" 1 "$AP" apply -d "$E/t" --patches "$E/p"
check_grep "T13: says why (.aptmp)" "applypatch's own temporary files" "$OUT"
check "T13: .aptmp: tree untouched" untouched "$E/t" "$E/before"

finish
