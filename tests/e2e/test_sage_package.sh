#!/bin/sh
# test_sage_package.sh - `make sage-package` writes its files into a Sage
# package folder and never removes what it did not write: pointed at the
# checkout (red-team R9: it once rm -rf'd the whole repository, .git and
# all) or a folder holding it, it refuses; in a copy of Sage 8.8's real
# build/pkgs/gap it keeps Sage's dependencies, SPKG.txt and scripts.
# Runs on a copy of the files the target reads, never on this checkout.
. "$TESTS_ROOT/e2e/lib.sh"
ROOT=$(cd "$TESTS_ROOT/.." && pwd)
# Sage's files beside the repository, or SAGE_REF (as test_sage_spkg.sh)
if [ -z "$SAGE_REF" ]; then
	SAGE_REF=$ROOT/../shared/reference/sage-8.8
	[ -d "$SAGE_REF" ] || SAGE_REF=/work/shared/reference/sage-8.8
fi
SAGE_GAP=$SAGE_REF/build/pkgs/gap
W=$(scratch)

copy_checkout() {
	mkdir -p "$1" &&
	cp -R "$ROOT/Makefile" "$ROOT/spkg-install" "$ROOT/spkg-check" "$ROOT/upstream" \
		"$ROOT/patches" "$1/" &&
	echo keep >"$1/precious.txt"
}
pkg() {   # pkg DIR SAGE_PKG: make sage-package with the tools already built
	make -s -C "$1" -o "$BIN_DIR/applypatch" -o "$BIN_DIR/upstream" BIN_DIR="$BIN_DIR" \
		SAGE_PKG="$2" sage-package
}

copy_checkout "$W/co"
check_rc "SAGE_PKG = the checkout is refused" 2 pkg "$W/co" "$W/co"
check_grep "saying why" "is this checkout or a folder holding it" "$ERR"
check "the checkout is intact" test -f "$W/co/precious.txt" -a -f "$W/co/Makefile" -a -d "$W/co/patches"
check_rc "SAGE_PKG = a folder holding the checkout is refused" 2 pkg "$W/co" "$W"
check "still intact" test -f "$W/co/precious.txt" -a -d "$W/co/upstream"
check_rc "SAGE_PKG = the checkout through a symlink is refused" 2 \
	sh -c 'ln -s "$1" "$2" && make -s -C "$1" -o "$3/applypatch" -o "$3/upstream" \
		BIN_DIR="$3" SAGE_PKG="$2" sage-package' sh "$W/co" "$W/link" "$BIN_DIR"
check "still intact" test -f "$W/co/precious.txt"

check_rc "a fresh folder, its name with a space" 0 pkg "$W/co" "$W/new pkg/gap"
for f in spkg-install spkg-check package-version.txt checksums.ini type patches/series; do
	check "it holds $f" test -e "$W/new pkg/gap/$f"
done
check "the patches are the checkout's" diff -r "$W/co/patches" "$W/new pkg/gap/patches"

if [ -d "$SAGE_GAP" ]; then
	cp -R "$SAGE_GAP" "$W/sage-gap"
	check_rc "into a copy of Sage 8.8's build/pkgs/gap" 0 pkg "$W/co" "$W/sage-gap"
	for f in dependencies SPKG.txt spkg-prerm spkg-legacy-uninstall; do
		check "Sage's $f is kept" cmp "$SAGE_GAP/$f" "$W/sage-gap/$f"
	done
	check_grep "and said to be kept" "kept what it does not write: .*dependencies" "$OUT"
	check "spkg-install is ours" cmp "$W/co/spkg-install" "$W/sage-gap/spkg-install"
	check "patches/ is replaced by ours" diff -r "$W/co/patches" "$W/sage-gap/patches"
else
	ok "# SKIP no Sage 8.8 reference at $SAGE_GAP"
fi

printf 'x\n' >"$W/filepatches"
mkdir -p "$W/odd" && cp "$W/filepatches" "$W/odd/patches"
check_rc "a patches that is not a folder is refused" 2 pkg "$W/co" "$W/odd"
check "and kept" cmp "$W/filepatches" "$W/odd/patches"

finish
