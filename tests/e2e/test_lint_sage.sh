#!/bin/sh
# test_lint_sage.sh - applypatch lint holds a series to the layout Sage
# reads without it (top-level patches everywhere, -p1, in name order;
# PLATFORM/ patches applied by sage-apply-patches -d PLATFORM): the
# repository's patches/ and the minigap series pass, and each way of
# breaking the layout is one finding naming the series line.
. "$TESTS_ROOT/e2e/lib.sh"
ROOT=$(cd "$TESTS_ROOT/.." && pwd)
W=$(scratch)

check_rc "patches/ follows Sage's layout" 0 "$AP" lint --patches "$ROOT/patches"
check_rc "so does the minigap series" 0 "$AP" lint --patches "$FIXTURES/minigap-patches"

P="$W/p"
broken() {   # series text: a fresh copy of the minigap patches with it
	rm -rf "$P"
	cp -R "$FIXTURES/minigap-patches" "$P"
	printf "$1" >"$P/series"
}
broken 'install-targets.patch -p1\ncygwin/cygwin-ensure-bag.patch -p1\ncygwin/cygwin-pool-noreserve.patch -p1 # [cygwin]\n'
check_rc "a cygwin/ patch without its selector: exit 1" 1 "$AP" lint --patches "$P"
check_grep "names the line and the selector it needs" \
	"series:2: cygwin/cygwin-ensure-bag.patch is in cygwin/, which Sage applies on cygwin only.*'# \[cygwin\]'" "$OUT"
broken 'install-targets.patch -p1 # [linux]\ncygwin/cygwin-ensure-bag.patch -p1 # [cygwin]\ncygwin/cygwin-pool-noreserve.patch -p1 # [cygwin]\n'
check_rc "a top-level patch with a selector: exit 1" 1 "$AP" lint --patches "$P"
check_grep "says Sage would apply it everywhere" "series:1: install-targets.patch has the selector \[linux\], but Sage's sage-spkg applies every top-level patch" "$OUT"
broken 'install-targets.patch -p1\ncygwin/cygwin-pool-noreserve.patch -p1 # [cygwin]\ncygwin/cygwin-ensure-bag.patch -p1 # [cygwin]\n'
check_rc "a directory's patches out of name order: exit 1" 1 "$AP" lint --patches "$P"
check_grep "says Sage goes by name" "series:3: cygwin/cygwin-ensure-bag.patch is listed after cygwin/cygwin-pool-noreserve.patch, but Sage applies a directory's patches in name order" "$OUT"
broken 'cygwin/cygwin-ensure-bag.patch -p1 # [cygwin]\ncygwin/cygwin-pool-noreserve.patch -p1 # [cygwin]\ninstall-targets.patch -p1\n'
check_rc "a top-level patch after the platform ones: exit 1" 1 "$AP" lint --patches "$P"
check_grep "says Sage applies the top level first" "series:3: install-targets.patch is listed after a platform directory's patch" "$OUT"
broken 'install-targets.patch -p0\ncygwin/cygwin-ensure-bag.patch -p1 # [cygwin]\ncygwin/cygwin-pool-noreserve.patch -p1 # [cygwin]\n'
check_rc "a strip level other than 1: exit 1" 1 "$AP" lint --patches "$P"
check_grep "says Sage uses -p1" "install-targets.patch is -p0, but Sage applies every patch with -p1" "$OUT"
broken 'install-targets.patch -p1\ncygwin/cygwin-ensure-bag.patch -p1 # [cygwin]\n'
check_rc "an unlisted patch in cygwin/: exit 1" 1 "$AP" lint --patches "$P"
check_grep "says Sage would apply it" "cygwin/cygwin-pool-noreserve.patch: not listed in the series file, but Sage's 'sage-apply-patches -d cygwin' applies it" "$OUT"
broken 'install-targets.patch -p1\ncygwin/cygwin-ensure-bag.patch -p1 # [cygwin]\n'
mkdir -p "$P/extra" && mv "$P/cygwin/cygwin-pool-noreserve.patch" "$P/extra/x.patch"
printf 'extra/x.patch -p1\n' >>"$P/series"
check_rc "a patch in a directory Sage never reads: exit 1" 1 "$AP" lint --patches "$P"
check_grep "says so" "extra/x.patch: Sage applies patches from the top directory or a platform directory" "$OUT"

finish
