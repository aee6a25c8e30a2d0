#!/bin/sh
# test_sage_spkg.sh - the package under SageMath's own build: Sage's real
# sage-spkg, sage-apply-patches and sage-dist-helpers (from
# ../shared/reference/sage-8.8, unchanged; skipped, saying why, where that
# folder is absent) install a Sage-shaped package folder made from this
# repository (spkg-install, spkg-check, the minigap series, a checksums.ini
# written by tools/upstream pin --write) on the minigap fixture, then run
# spkg-check (sage-spkg -c). Checked: sage-spkg takes the scripts as they
# are (and refuses them with a shebang or executable, as it says it
# does), the installed layout is Sage's GAP 4.10.2.p1's, the build
# folder's paths are rewritten (and gac works with the folder gone), and
# the platform patches are applied exactly once and only on their
# platform (Linux, then UNAME=CYGWIN).
#
# Stand-ins, for the Sage parts outside those three scripts:
#   sage-env              sets SAGE_LOCAL, SAGE_SHARE, SAGE_SRC, SAGE_DISTFILES,
#                         SAGE_LOGS, SAGE_SPKG_INST, SAGE_SPKG_SCRIPTS,
#                         SAGE_BUILD_DIR, UNAME (Linux, or CYGWIN for the
#                         second run), MAKE=make, CC=cc, and PATH with
#                         SAGE_ROOT/build/bin and SAGE_LOCAL/bin in front
# (VERIFY, naming tools/verify, goes through sage-spkg's environment to
# spkg-check in the first run, so the real probe runs there.)
#   sage-download-file    the tarball is already in SAGE_ROOT/upstream/: it
#                         only checks it with tools/upstream pin --check
#   sage-uncompress-spkg  -d src TARBALL: tar, dropping the top directory
#   sage-spkg-uninstall, sage-flock, sage-rebase.sh: do nothing
#   MINIGMP_LIBDIR: the fixture's GMP stand-in is built there, outside the
#   build folder sage-spkg removes, as a system's libgmp would be
. "$TESTS_ROOT/e2e/lib.sh"
. "$TESTS_ROOT/e2e/layout.sh"
ROOT=$(cd "$TESTS_ROOT/.." && pwd)
UP="$BIN_DIR/upstream"
# Sage's scripts beside the repository (../shared/reference/sage-8.8), or
# SAGE_REF; a worktree under /work/wt/ finds the project's copy
if [ -z "$SAGE_REF" ]; then
	SAGE_REF=$ROOT/../shared/reference/sage-8.8
	[ -d "$SAGE_REF" ] || SAGE_REF=/work/shared/reference/sage-8.8
fi
if ! [ -f "$SAGE_REF/build/bin/sage-spkg" ]; then
	ok "# SKIP Sage's scripts are not at $SAGE_REF (set SAGE_REF; a user's clone has no copy):" \
		"the package was not run under Sage's real sage-spkg"
	finish
	exit 0
fi
if ! command -v bash >/dev/null 2>&1; then
	ok "# SKIP no bash: Sage's sage-spkg is a bash script"
	finish
	exit 0
fi
W=$(scratch)
unset SAGE_LOCAL SAGE_DESTDIR SAGE_ROOT SAGE_SRC PREFIX DESTDIR UNAME MAKE PATCHES CFLAGS CPPFLAGS \
	LDFLAGS LIBS VERIFY SAGE_CHECK SAGE_CHECK_PACKAGES SAGE_KEEP_BUILT_SPKGS

# sage_root DIR UNAME: a SAGE_ROOT with Sage's three scripts, the stand-ins
# and the package folder build/pkgs/gap
sage_root() {
	R=$1
	mkdir -p "$R/build/bin" "$R/build/pkgs" "$R/src/bin" "$R/upstream"
	for s in sage-spkg sage-apply-patches sage-dist-helpers; do
		ln -s "$SAGE_REF/build/bin/$s" "$R/build/bin/$s"
	done
	cat >"$R/build/bin/sage-env" <<ENV
# sage-env stand-in (sourced): what test_sage_spkg.sh says it sets
export SAGE_ROOT="$R"
export SAGE_LOCAL="$R/local"
export SAGE_SHARE="$R/local/share"
export SAGE_SRC="$R/src"
export SAGE_DISTFILES="$R/upstream"
export SAGE_LOGS="$R/logs"
export SAGE_SPKG_INST="$R/local/var/lib/sage/installed"
export SAGE_SPKG_SCRIPTS="$R/local/var/lib/sage/scripts"
export SAGE_BUILD_DIR="$R/local/var/tmp/sage/build"
export UNAME="$2"
export MAKE=make
export CC=cc
export PATH="$R/build/bin:$R/local/bin:\$PATH"
export UPSTREAM_TOOL="$UP"
export MINIGMP_LIBDIR="$R/sysgmp"
true
ENV
	ln -s "$R/build/bin/sage-env" "$R/src/bin/sage-env"
	cat >"$R/build/bin/sage-download-file" <<'DL'
#!/bin/sh
# sage-download-file stand-in: the tarball is there; check it against the pin
exec "$UPSTREAM_TOOL" pin -C "$SAGE_ROOT/build/pkgs/gap" --check "$SAGE_DISTFILES/$1"
DL
	cat >"$R/build/bin/sage-uncompress-spkg" <<'UN'
#!/bin/sh
# sage-uncompress-spkg stand-in: -d DIR TARBALL, the top directory dropped
[ "$1" = -d ] || { echo "sage-uncompress-spkg stand-in: only -d DIR TARBALL" >&2; exit 1; }
mkdir -p "$2" && tar -xf "$3" -C "$2" --strip-components=1
UN
	for s in sage-spkg-uninstall sage-flock sage-rebase.sh; do
		printf '#!/bin/sh\nexit 0\n' >"$R/build/bin/$s"
	done
	chmod +x "$R/build/bin/"sage-download-file "$R/build/bin/"sage-uncompress-spkg \
		"$R/build/bin/"sage-spkg-uninstall "$R/build/bin/"sage-flock "$R/build/bin/"sage-rebase.sh
	echo "8.8" >"$R/VERSION.txt"
	# the package folder, from this repository
	G="$R/build/pkgs/gap"
	mkdir -p "$G"
	cp "$ROOT/spkg-install" "$ROOT/spkg-check" "$G/"
	cp -R "$FIXTURES/minigap-patches" "$G/patches"
	echo "4.10.2" >"$G/package-version.txt"
	echo "standard" >"$G/type"
	printf 'tarball=gap-VERSION.tar.bz2\n' >"$G/checksums.ini"
	python3 "$FIXTURES/upstream/make_tarball.py" "$FIXTURES/minigap" \
		"$R/upstream/gap-4.10.2.tar.bz2" >/dev/null || return 1
	printf 'cksum=0\n' >>"$G/checksums.ini"
	"$UP" pin -C "$G" --write "$R/upstream/gap-4.10.2.tar.bz2" -q
}

# the tree the series gives for PLATFORM, applied once by applypatch
reference() {
	rm -rf "$W/ref-$1"
	cp -R "$FIXTURES/minigap" "$W/ref-$1"
	"$BIN_DIR/applypatch" apply -d "$W/ref-$1" --patches "$FIXTURES/minigap-patches" \
		--platform "$1" >/dev/null
}

# every installed kernel source is the reference's
same_sources() {
	for f in "$W/ref-$2"/src/*; do
		cmp -s "$f" "$1/share/gap/src/$(basename "$f")" || { echo "differs: $f"; return 1; }
	done
}

sage_spkg() {   # SAGE_ROOT [VAR=VALUE...]: sage-spkg -c gap, as `sage -i -c gap` runs it
	_r=$1
	shift
	# shellcheck disable=SC2163 # "$@" is VAR=VALUE words
	(cd "$_r" && export PATH="$_r/build/bin:$PATH" "$@" && bash "$_r/build/bin/sage-spkg" -c gap)
}

# --- Linux ----------------------------------------------------------------------------
R="$W/sage"
sage_root "$R" Linux || { not_ok "could not build the Sage-shaped folder"; finish; exit 1; }
check "the package's scripts have no shebang" sh -c "! head -n 1 '$R/build/pkgs/gap/spkg-install' | grep -q '^#!'"
check_grep "its checksums.ini is Sage's shape, written by tools/upstream pin" "^sha1=" "$R/build/pkgs/gap/checksums.ini"
check_rc "Sage's sage-spkg -c installs and checks the package (Linux)" 0 \
	sage_spkg "$R" VERIFY="$BIN_DIR/verify"
LOG="$OUT"
cp "$OUT" "$W/linux.log"
check_grep "sage-spkg says it succeeded" "^Successfully installed gap-4.10.2" "$LOG"
check_grep "it checked the tarball through the pin" "sha1, md5, cksum, sha256 ok" "$LOG"
check "sage-apply-patches applied the one top-level patch once" \
	test "$(grep -c '^Applying ../patches/install-targets.patch' "$LOG")" -eq 1
check "and no cygwin/ patch (Linux)" sh -c "! grep -q 'cygwin-.*\.patch' '$1'" sh "$LOG"
check_grep "spkg-install had nothing more to apply on Linux" "no .*patches/linux: no patches for linux beyond the common ones" "$LOG"
reference linux
check "the installed sources are the series applied once for Linux" same_sources "$R/local" linux
sage_layout "$R/local" "$R/local" "$R/local/var/tmp/sage/build/gap-4.10.2/src"
check "sage-spkg removed the build folder" test ! -e "$R/local/var/tmp/sage/build/gap-4.10.2"
check_grep "sage-spkg ran spkg-check" "^Running the test suite for gap-4.10.2" "$LOG"
check_grep "which read GAP's test log" "testinstall: no failure line in src/dev/log/testinstall2_" "$LOG"
check_grep "it ran verify's probe on the installed binary" "verify --probe $R/local/bin/gap-bin --gap-root $R/local/share/gap" "$LOG"
check_grep "which passed" "linux (native): pass" "$LOG"
check_grep "and passed" "spkg-check: all checks passed" "$LOG"
check_grep "Sage recorded it as passed" '"test_result": "passed"' "$R/local/var/lib/sage/installed/gap-4.10.2"
check_grep "Sage's manifest lists gac" '"bin/gac"' "$R/local/var/lib/sage/installed/gap-4.10.2"
check_grep "and the share/gap/gac link" '"share/gap/gac"' "$R/local/var/lib/sage/installed/gap-4.10.2"
run sh -c "printf '1+1;\n' | '$R/local/bin/gap' -q"
if [ "$(cat "$OUT")" != 2 ]; then
	# seen once in three runs on a machine at load 16; show what it said
	# and ask once more, so the log tells a flake from a broken install
	echo "# the installed gap said (exit $RC): $(head -c 300 "$OUT") / $(head -c 300 "$ERR")"
	run sh -c "printf '1+1;\n' | '$R/local/bin/gap' -q"
fi
check "the installed gap computes 1+1" test "$(cat "$OUT")" = 2
printf '#include "gasman.h"\nint ext_answer(void) { return 42; }\n' >"$W/ext.c"
check_rc "the installed gac compiles a kernel extension (the build folder is gone)" 0 \
	"$R/local/bin/gac" -d -o "$W/ext.so" "$W/ext.c"

# --- a failing GAP test under Sage: make exits 0, spkg-check does not -------------------------
R2="$W/sage-fail"
sage_root "$R2" Linux
mkdir -p "$W/broken"
(cd "$W/broken" && tar -xf "$R2/upstream/gap-4.10.2.tar.bz2")
sed 's/^#> 142$/#> 143/' "$W/broken/gap-4.10.2/tst/testinstall.g" >"$W/t.g"
cp "$W/t.g" "$W/broken/gap-4.10.2/tst/testinstall.g"
(cd "$W/broken" && tar -cjf "$R2/upstream/gap-4.10.2.tar.bz2" gap-4.10.2)
"$UP" pin -C "$R2/build/pkgs/gap" --write "$R2/upstream/gap-4.10.2.tar.bz2" -q
check_rc "a failing GAP test makes sage-spkg -c fail" 1 sage_spkg "$R2"
check_grep "spkg-check names the failing test file" "in .*/gap-4.10.2/src/tst/testinstall.g:7" "$ERR"
check_grep "and Sage says the test suite failed" "Error testing package gap-4.10.2" "$ERR"

# --- Cygwin: the platform patches, by spkg-install, once ------------------------------------
R3="$W/sage-cygwin"
sage_root "$R3" CYGWIN
check_rc "Sage's sage-spkg -c with UNAME=CYGWIN (and SAGE_SPKG_INSTALL_DOCS=yes)" 0 \
	sage_spkg "$R3" SAGE_SPKG_INSTALL_DOCS=yes
LOG="$OUT"
check "the top-level patch once" test "$(grep -c '^Applying ../patches/install-targets.patch' "$LOG")" -eq 1
check "cygwin/cygwin-ensure-bag.patch once, by spkg-install" \
	test "$(grep -c '^Applying .*/patches/cygwin/cygwin-ensure-bag.patch' "$LOG")" -eq 1
check "cygwin/cygwin-pool-noreserve.patch once" \
	test "$(grep -c '^Applying .*/patches/cygwin/cygwin-pool-noreserve.patch' "$LOG")" -eq 1
check_grep "through Sage's sage-apply-patches -d cygwin" "apply patches/cygwin (Sage's sage-apply-patches -d cygwin)" "$LOG"
reference cygwin
check "the installed sources are the series applied once for Cygwin" same_sources "$R3/local" cygwin
check_grep "the installed allocator has the Cygwin change" "MAP_NORESERVE" "$R3/local/share/gap/src/sysmem.c"
sage_layout "$R3/local" "$R3/local" "$R3/local/var/tmp/sage/build/gap-4.10.2/src"
check "the manuals went to SAGE_SHARE/doc/gap too" test -f "$R3/local/share/doc/gap/ref/manual.six"
check "not without SAGE_SPKG_INSTALL_DOCS (the Linux run)" test ! -e "$W/sage/local/share/doc/gap"

# --- what sage-spkg refuses -------------------------------------------------------------------
R4="$W/sage-refuse"
sage_root "$R4" Linux
{ echo '#!/bin/sh'; cat "$ROOT/spkg-install"; } >"$R4/build/pkgs/gap/spkg-install"
check_rc "with a shebang line, sage-spkg refuses spkg-install" 1 sage_spkg "$R4"
check_grep "saying so" "spkg-install should not contain a shebang line" "$ERR"
cp "$ROOT/spkg-install" "$R4/build/pkgs/gap/spkg-install"
chmod 0755 "$R4/build/pkgs/gap/spkg-install"
check_rc "executable, sage-spkg refuses it" 1 sage_spkg "$R4"
check_grep "saying so" "spkg-install should not be marked executable" "$ERR"

finish
