#!/bin/sh
# test_upstream_unpack.sh - `upstream unpack` on a release-shaped tarball
# (only what the kernel build needs, unless --full) and on hostile
# tarballs made by tests/fixtures/upstream/hostile.py: each must be
# refused with the offending entry's name, exit 1, and leave nothing
# behind, neither in the target's directory nor in the victim directory
# the tarball aims at.
. "$TESTS_ROOT/e2e/lib.sh"
UP="$BIN_DIR/upstream"
W=$(scratch)

python3 "$FIXTURES/upstream/make_tarball.py" "$FIXTURES/minigap" "$W/gap-4.10.2.tar.gz" \
	--extra-pkg ace-5.2 --extra-pkg GAPDoc-1.6.2 --extra-pkg SmallGrp-1.3

check_rc "unpack a release tarball" 0 "$UP" unpack "$W/gap-4.10.2.tar.gz" "$W/src"
check "the top directory is dropped" test -x "$W/src/configure"
check "the kernel sources are there" test -f "$W/src/src/sysmem.c"
check "Makefile.rules is there" test -f "$W/src/Makefile.rules"
check "lib/ is there" test -f "$W/src/lib/init.g"
for p in GAPDoc GAPDoc-1.6.2 primgrp smallgrp SmallGrp-1.3 transgrp; do
	check "pkg/$p, needed to start GAP, is kept" test -f "$W/src/pkg/$p/PackageInfo.g"
done
check "pkg/io is skipped" test ! -e "$W/src/pkg/io"
check "pkg/ace-5.2 is skipped" test ! -e "$W/src/pkg/ace-5.2"
check_grep "what was skipped is said" "skipped 2 packages under pkg/ .*(--full unpacks them): pkg/io, pkg/ace-5.2" "$OUT"
check "the files are the fixture's" cmp "$FIXTURES/minigap/src/gasman.c" "$W/src/src/gasman.c"

check_rc "--full unpacks everything" 0 "$UP" unpack "$W/gap-4.10.2.tar.gz" "$W/full" --full
check "pkg/io is there with --full" test -f "$W/full/pkg/io/PackageInfo.g"
check "pkg/ace-5.2 is there with --full" test -f "$W/full/pkg/ace-5.2/doc/x.txt"
check_rc "--keep-top keeps gap-4.10.2/" 0 "$UP" unpack "$W/gap-4.10.2.tar.gz" "$W/top" --keep-top
check "gap-4.10.2/ is kept" test -x "$W/top/gap-4.10.2/configure"

mkdir -p "$W/busy"
echo mine >"$W/busy/file"
check_rc "a non-empty target is refused" 1 "$UP" unpack "$W/gap-4.10.2.tar.gz" "$W/busy"
check_grep "saying so" "already exists and is not empty" "$ERR"
check "the file there is untouched" test "$(cat "$W/busy/file")" = mine
check_rc "unpack with one argument is a usage error" 2 "$UP" unpack "$W/gap-4.10.2.tar.gz"

# --- hostile tarballs ------------------------------------------------------------
mkdir -p "$W/victim" "$W/work"
echo original >"$W/victim/victim.txt"
echo beside >"$W/work/keep.txt"

hostile() {   # KIND ENTRY-NAME WHY
	python3 "$FIXTURES/upstream/hostile.py" "$1" "$W/$1.tar.gz" "$W/victim"
	before_v=$(snapshot "$W/victim")
	before_w=$(snapshot "$W/work")
	check_rc "$1: refused" 1 "$UP" unpack "$W/$1.tar.gz" "$W/work/src"
	check_grep "$1: the entry is named" "entry '$2'" "$ERR"
	check_grep "$1: the reason is given" "$3" "$ERR"
	check_grep "$1: nothing was unpacked, it says" "nothing was unpacked" "$ERR"
	check "$1: nothing was written in the target's directory" test "$(snapshot "$W/work")" = "$before_w"
	check "$1: nothing was written where it aimed" test "$(snapshot "$W/victim")" = "$before_v"
	check "$1: the victim's file is intact" test "$(cat "$W/victim/victim.txt")" = original
}

VICTIM=$(cd "$W/victim" && pwd)
hostile dotdot "gap/\.\./.*pwned-dotdot" "has a '\.\.' component"
hostile absolute "$VICTIM/pwned-absolute" "is an absolute path"
hostile symlink-out "gap/link" "is a symbolic link to '$VICTIM', which points outside the tree"
hostile symlink-rel "gap/up" "is a symbolic link to '\.\./\.\./\.\.', which points outside"
hostile symlink-climb "gap/src/up" "is a symbolic link to '\.\./\.\./victim', which points outside"

# a link climbing with leading ../ no higher than the tree's root, then down,
# is a release's (GAP's tst/mockpkg/Makefile.gappkg -> ../../etc/Makefile.gappkg)
python3 - "$W/climb.tar.gz" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as tar:
    for d in ("gap", "gap/etc", "gap/tst", "gap/tst/mockpkg"):
        ti = tarfile.TarInfo(d); ti.type = tarfile.DIRTYPE; ti.mode = 0o755; tar.addfile(ti)
    ti = tarfile.TarInfo("gap/etc/Makefile.gappkg"); ti.size = 3
    tar.addfile(ti, io.BytesIO(b"mk\n"))
    ti = tarfile.TarInfo("gap/tst/mockpkg/Makefile.gappkg"); ti.type = tarfile.SYMTYPE
    ti.linkname = "../../etc/Makefile.gappkg"; tar.addfile(ti)
PY
check_rc "a link climbing to a directory of the tree, then down: unpacked" 0 \
	"$UP" unpack "$W/climb.tar.gz" "$W/climb"
check "the climbing link is kept and reads its target" \
	test "$(cat "$W/climb/tst/mockpkg/Makefile.gappkg")" = mk
hostile hardlink-data "gap/copy" "is a hard link to 'gap/src/a.c' that carries 6 bytes of data"
hostile hardlink-out "gap/h" "is a hard link to a name that is an absolute path"
hostile hardlink-dotdot "gap/h" "is a hard link to a name that has a '\.\.' component"
hostile device "gap/dev" "is a device file"
hostile duplicate "gap/src/a.c" "appears a second time"

# the same tarballs through prepare (the pinned and --tarball paths)
check_rc "prepare --tarball refuses a hostile tarball too" 1 \
	"$UP" prepare "$W/work/src" --tarball "$W/symlink-out.tar.gz"
check_grep "naming the entry" "entry 'gap/link'" "$ERR"
check "and leaves nothing" test ! -e "$W/work/src"

# only a regular, non-empty file is a tarball: a FIFO or /dev/zero would be
# read for ever (red-team 2, R8)
mkfifo "$W/fifo.tar.gz"
: > "$W/empty.tar.gz"
for t in "$W/fifo.tar.gz:a FIFO" "/dev/zero:a device" "$W/empty.tar.gz:the file is empty"; do
	f=${t%%:*} why=${t#*:}
	check_rc "unpack $f: refused" 1 timeout 20 "$UP" unpack "$f" "$W/work/nr"
	check_grep "unpack $f: says it is $why" "$f: .*$why" "$ERR"
	check_rc "prepare --tarball $f: refused" 1 timeout 20 "$UP" prepare "$W/work/nr" --tarball "$f"
	check_grep "prepare --tarball $f: says it is $why" "$f: .*$why" "$ERR"
	check "$f: nothing left" test ! -e "$W/work/nr"
	check "$f: no staging left" test -z "$(ls -A "$W/work" | grep staging)"
done


# A release tarball that ships its packer's quilt .pc/ (red-team 3, T10's
# tarball route): the .pc/ is left out, with a note on stderr, so apply
# judges the unpacked tree by its files, not by a stale record that says
# a patch is applied. The files themselves are unpacked as they are.
mkdir -p "$W/pc/gap-4.10.2/.pc/one.patch" "$W/pc/gap-4.10.2/sub/.pc"
printf 'a1\na2\n' >"$W/pc/gap-4.10.2/a"
printf '#!/bin/sh\n' >"$W/pc/gap-4.10.2/configure" && chmod +x "$W/pc/gap-4.10.2/configure"
printf 'a1\na2\n' >"$W/pc/gap-4.10.2/.pc/one.patch/a"
: >"$W/pc/gap-4.10.2/.pc/one.patch/.timestamp"
echo one.patch >"$W/pc/gap-4.10.2/.pc/applied-patches"
echo 2 >"$W/pc/gap-4.10.2/.pc/.version"
echo kept >"$W/pc/gap-4.10.2/sub/.pc/x"
tar -C "$W/pc" -czf "$W/pc.tar.gz" gap-4.10.2
check_rc "a tarball with .pc/: unpacked" 0 "$UP" unpack "$W/pc.tar.gz" "$W/pcout"
check "a tarball with .pc/: .pc/ left out" test ! -e "$W/pcout/.pc"
check_grep "a tarball with .pc/: said on stderr" "left out the tarball's .pc/" "$ERR"
check "a tarball with .pc/: its files unpacked" test "$(cat "$W/pcout/a")" = "$(printf 'a1\na2')"
check "a tarball with .pc/: a .pc below the top is an ordinary directory" test -f "$W/pcout/sub/.pc/x"
mkdir -p "$W/pcp"
printf -- '--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n a1\n-a2\n+A2\n' >"$W/pcp/one.patch"
echo one.patch >"$W/pcp/series"
check_rc "a tarball with .pc/: apply then applies the patch" 0 "$BIN_DIR/applypatch" apply -d "$W/pcout" --patches "$W/pcp"
check_grep "a tarball with .pc/: one.patch applied" "one.patch  *applied" "$OUT"
check "a tarball with .pc/: a patched" grep -q A2 "$W/pcout/a"
check_rc "a tarball with .pc/: -q still notes it" 0 "$UP" unpack -q "$W/pc.tar.gz" "$W/pcq"
check_grep "a tarball with .pc/: -q note" "left out the tarball's .pc/" "$ERR"
check_rc "a tarball with .pc/: prepare --tarball leaves it out too" 0 "$UP" prepare "$W/pcprep" --tarball "$W/pc.tar.gz"
check "a tarball with .pc/: prepare: no .pc/" test ! -e "$W/pcprep/.pc"
check_grep "a tarball with .pc/: prepare notes it" "left out the tarball's .pc/" "$ERR"
# a hard link to a file in that .pc/: refused, saying its target is in the
# .pc/ left out (it said "not a file unpacked before it", red-team 4)
python3 - "$W/pclink.tar" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    def add(name, data=None, kind=None, link=None):
        i = tarfile.TarInfo(name)
        if kind == "dir":
            i.type, i.mode = tarfile.DIRTYPE, 0o755
        elif link:
            i.type, i.linkname = tarfile.LNKTYPE, link
        else:
            i.size = len(data)
        t.addfile(i, io.BytesIO(data) if data is not None else None)
    add("gap-4.10.2", kind="dir")
    add("gap-4.10.2/.pc", kind="dir")
    add("gap-4.10.2/.pc/one.patch", kind="dir")
    add("gap-4.10.2/.pc/one.patch/a", b"a1\n")
    add("gap-4.10.2/a", link="gap-4.10.2/.pc/one.patch/a")
EOF
check_rc "a hard link into the dropped .pc/: refused" 1 "$UP" unpack "$W/pclink.tar" "$W/pclinkout"
check_grep "a hard link into the dropped .pc/: the entry is named" "entry 'gap-4.10.2/a'" "$ERR"
check_grep "a hard link into the dropped .pc/: says its target is in .pc/" \
	"hard link to 'gap-4.10.2/.pc/one.patch/a', which is inside the top-level \.pc/ that unpack leaves out" "$ERR"
check "a hard link into the dropped .pc/: nothing unpacked" test ! -e "$W/pclinkout"

finish
