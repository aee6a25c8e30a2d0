#!/bin/sh
# test_spkg_install.sh - spkg-install on the minigap fixture and its
# series: standalone (PREFIX, DESTDIR), inside a stand-in for Sage's build
# (SAGE_LOCAL, SAGE_DESTDIR, UNAME and sdh_* helpers that log and do the
# work, the script run as Sage runs it: helpers sourced, then the script's
# text), a re-run on the same src/, the Cygwin series selected by UNAME,
# a series without the install-targets patch (files copied instead), and
# failures named by their step.
. "$TESTS_ROOT/e2e/lib.sh"
. "$TESTS_ROOT/e2e/layout.sh"
ROOT=$(cd "$TESTS_ROOT/.." && pwd)
UP="$BIN_DIR/upstream"
W=$(scratch)
export APPLYPATCH="$BIN_DIR/applypatch"
# the fixture's configure takes CC/CFLAGS from the environment: build it
# with its own (-Werror), not with whatever the test run was given
unset SAGE_LOCAL SAGE_DESTDIR PREFIX DESTDIR UNAME MAKE PATCHES CFLAGS CPPFLAGS LDFLAGS LIBS
HELPERS="$FIXTURES/upstream/sage-dist-helpers.sh"

# package P: src/ prepared from the fixture (with all of pkg/, so that
# spkg-install's own choice of packages shows), patches/ the fixture series
package() {
	rm -rf "$1"
	mkdir -p "$1"
	"$UP" prepare "$1/src" --dir "$FIXTURES/minigap" --full -q || return 1
	cp -R "$FIXTURES/minigap-patches" "$1/patches"
}

# runs spkg-install in $1 the way Sage's sage-spkg does: one bash (or sh)
# script made of the environment set-up, the helpers, and the script text
sage_run() {
	pkg=$1
	shift
	{
		echo "set -e"
		echo ". '$HELPERS'"
		echo "cd '$pkg'"
		cat "$ROOT/$SPKG"
	} >"$W/sage-wrapper.sh"
	(export "$@" && sh "$W/sage-wrapper.sh")
}

installed() {   # PREFIX-AS-STAGED: the files a GAP install must have
	for f in bin/gap bin/gap-bin bin/gac lib/libgap.so include/gap/config.h include/gap/gasman.h \
		include/gap/system.h share/gap/lib/init.g share/gap/grp/basic.gd \
		share/gap/doc/ref/manual.six share/gap/tst/testinstall.g share/gap/sysinfo.gap \
		share/gap/src/gasman.h share/gap/gen/config.h share/gap/bin/gap.sh share/gap/libtool \
		share/gap/pkg/GAPDoc/PackageInfo.g share/gap/pkg/primgrp/PackageInfo.g \
		share/gap/pkg/smallgrp/PackageInfo.g share/gap/pkg/transgrp/PackageInfo.g \
		share/gap/pkg/tomlib-1.2.7/PackageInfo.g share/gap/gap share/gap/gac; do
		[ -e "$1/$f" ] || [ -L "$1/$f" ] || { echo "missing $1/$f"; return 1; }
	done
	[ -x "$1/bin/gap" ] && [ -x "$1/bin/gap-bin" ]
}

# --- the scripts as Sage takes them -------------------------------------------------
for f in spkg-install spkg-check; do
	check "$f has no shebang line (sage-spkg prepends its own)" sh -c "! head -n 1 '$ROOT/$f' | grep -q '^#!'"
	check "$f is not executable (sage-spkg refuses it)" test "$(stat -c %a "$ROOT/$f")" = 644
done

# --- standalone ---------------------------------------------------------------------
SPKG=spkg-install
P="$W/pkg"
package "$P"
check_rc "standalone spkg-install succeeds" 0 sh -c "cd '$P' && PREFIX='$W/prefix' sh '$ROOT/spkg-install'"
check "everything is installed" installed "$W/prefix"
sage_layout "$W/prefix" "$W/prefix" "$P/src"
check "pkg/io is not installed (only the 18 packages Sage installs)" test ! -e "$W/prefix/share/gap/pkg/io"
check "the binary is the one built" cmp "$P/src/gap" "$W/prefix/bin/gap-bin"
check_grep "the start script passes the library" "-l \"$W/prefix/share/gap\"" "$W/prefix/bin/gap"
check_grep "the install-targets patch was applied" "install-targets.patch *applied" "$OUT"
check "the cygwin patches were not (linux)" sh -c "! grep -q 'cygwin-pool-noreserve.patch *applied' '$OUT'"
check_grep "gen/config.h went to include/gap" "SYS_IS_64_BIT\|GAPARCH" "$W/prefix/include/gap/config.h"
run sh -c "printf '1+1;\n' | '$W/prefix/share/gap/bin/gap.sh' -q"
check "the installed bin/gap.sh runs the installed gap" test "$(cat "$OUT")" = 2
# gac against the install, with the build folder gone (Sage ticket 27218)
mv "$P" "$P.gone"
printf '#include "gasman.h"\nint ext_answer(void) { return 42; }\n' >"$W/ext.c"
check_rc "the installed gac compiles a kernel extension with the build folder gone" 0 \
	"$W/prefix/bin/gac" -d -o "$W/ext.so" "$W/ext.c"
check "and makes the shared object" test -s "$W/ext.so"
mv "$P.gone" "$P"
run sh -c "printf '1+1;\n' | '$W/prefix/bin/gap' -q"
check "the installed gap starts and computes 1+1" test "$(cat "$OUT")" = 2
run sh -c "printf 'Print(SIZE_POOL);\n' | '$W/prefix/bin/gap' -q -s 1g"
check "with its pool as on Linux upstream" test "$(cat "$OUT")" = 2147483648

# the re-run: same src/, patches already applied, build and install again
before=$(snapshot "$W/prefix")
check_rc "a second spkg-install on the same src/ succeeds" 0 \
	sh -c "cd '$P' && PREFIX='$W/prefix' sh '$ROOT/spkg-install'"
check_grep "applypatch found the series applied" "already applied, nothing to do" "$OUT"
check "the install is the same" test "$(snapshot "$W/prefix")" = "$before"

# a half-finished build: patched and configured, interrupted before make
package "$P"
(cd "$P" && "$APPLYPATCH" apply -d src --patches patches --platform linux >/dev/null &&
	cd src && ./configure --prefix="$W/prefix2" >/dev/null)
check_rc "spkg-install finishes a half-done build" 0 \
	sh -c "cd '$P' && PREFIX='$W/prefix2' sh '$ROOT/spkg-install'"
check "and installs" installed "$W/prefix2"

# staged: DESTDIR holds the files, the paths in them are PREFIX's
check_rc "spkg-install with DESTDIR stages the install" 0 \
	sh -c "cd '$P' && PREFIX=/opt/gap-test DESTDIR='$W/stage' sh '$ROOT/spkg-install'"
check "the files are under DESTDIR/PREFIX" installed "$W/stage/opt/gap-test"
check "nothing went to PREFIX itself" test ! -e /opt/gap-test
check_grep "the start script names the final place" "exec \"/opt/gap-test/bin/gap-bin\" -l \"/opt/gap-test/share/gap\"" \
	"$W/stage/opt/gap-test/bin/gap"
check_grep "libgap.la says where it will be" "libdir='/opt/gap-test/lib'" "$W/stage/opt/gap-test/lib/libgap.la"

# --- inside Sage (stand-ins) -----------------------------------------------------------
S="$W/sage"
package "$S/build/gap"
check_rc "spkg-install inside a stand-in Sage build" 0 \
	sage_run "$S/build/gap" SAGE_LOCAL="$S/local" SAGE_DESTDIR="$S/dest" UNAME=Linux \
	MAKE=make PKG_NAME=gap SDH_LOG="$W/sdh.log"
check "everything is under SAGE_DESTDIR/SAGE_LOCAL" installed "$S/dest$S/local"
check "nothing went to SAGE_LOCAL directly" test ! -e "$S/local"
check_grep "configure went through sdh_configure" "^sdh_configure --with-gmp=$S/local$" "$W/sdh.log"
check_grep "the build through sdh_make" "^sdh_make $" "$W/sdh.log"
check_grep "libgap through sdh_make" "^sdh_make libgap.la$" "$W/sdh.log"
check_grep "the headers through sdh_make with DESTDIR" "^sdh_make install-headers DESTDIR=$S/dest$" "$W/sdh.log"
check_grep "libgap's install too" "^sdh_make install-libgap DESTDIR=$S/dest$" "$W/sdh.log"
check_grep "config.h through sdh_install" "^sdh_install gen/config.h $S/local/include/gap$" "$W/sdh.log"
check_grep "the library files through sdh_install" "^sdh_install bin doc gen grp lib src tst sysinfo.gap $S/local/share/gap$" "$W/sdh.log"
check_grep "GAP's libtool beside them" "^sdh_install libtool $S/local/share/gap$" "$W/sdh.log"
check_grep "the packages GAP needs and the 14 it autoloads through sdh_install" "^sdh_install pkg/GAPDoc pkg/primgrp pkg/smallgrp pkg/transgrp pkg/atlasrep pkg/autpgrp-1.10 .* pkg/tomlib-1.2.7 $S/local/share/gap/pkg$" "$W/sdh.log"
check_grep "the start script with sdh_install -T" "^sdh_install -T .*/gap $S/local/bin/gap$" "$W/sdh.log"
sage_layout "$S/dest$S/local" "$S/local" "$S/build/gap/src"
check_grep "configure saw Sage's prefix" "prefix = $S/local" "$S/build/gap/src/GNUmakefile"
check_grep "the start script runs from SAGE_LOCAL" "-l \"$S/local/share/gap\"" "$S/dest$S/local/bin/gap"
run sh -c "printf '1+1;\n' | '$S/dest$S/local/bin/gap-bin' -q -l '$S/dest$S/local/share/gap'"
check "the staged binary runs with the staged library" test "$(cat "$OUT")" = 2
: >"$W/sdh.log"
check_rc "and a re-run inside Sage succeeds" 0 \
	sage_run "$S/build/gap" SAGE_LOCAL="$S/local" SAGE_DESTDIR="$S/dest" UNAME=Linux \
	MAKE=make PKG_NAME=gap SDH_LOG="$W/sdh.log"
check_grep "with the patches found applied" "already applied, nothing to do" "$OUT"

# UNAME picks the platform: Sage's "CYGWIN" selects the cygwin patches
package "$S/build/gap"
check_rc "UNAME=CYGWIN applies the Cygwin series" 0 \
	sage_run "$S/build/gap" SAGE_LOCAL="$S/local2" SAGE_DESTDIR="$S/dest2" UNAME=CYGWIN \
	MAKE=make PKG_NAME=gap SDH_LOG="$W/sdh.log"
check_grep "cygwin-pool-noreserve.patch applied" "cygwin-pool-noreserve.patch *applied" "$OUT"
check_grep "cygwin-ensure-bag.patch applied" "cygwin-ensure-bag.patch *applied" "$OUT"
check_grep "the patched allocator is what was built" "MAP_NORESERVE" "$S/build/gap/src/src/sysmem.c"

# --- a series without the install targets: copied by hand --------------------------------
package "$P"
rm -rf "$P/patches"
mkdir -p "$P/patches"
cp -R "$FIXTURES/minigap-patches/cygwin" "$P/patches/"
printf 'cygwin/cygwin-ensure-bag.patch -p1 # [cygwin]\ncygwin/cygwin-pool-noreserve.patch -p1 # [cygwin]\n' \
	>"$P/patches/series"
check_rc "without install-headers/install-libgap it still installs" 0 \
	sh -c "cd '$P' && PREFIX='$W/prefix3' sh '$ROOT/spkg-install'"
check "everything is installed" installed "$W/prefix3"
check_grep "it says it copied the headers" "no install-headers rule: copying src/\*.h" "$OUT"
check_grep "and libgap" "no install-libgap rule: copying .libs/libgap.so" "$OUT"
check "the headers were copied" cmp "$P/src/src/gasman.h" "$W/prefix3/include/gap/gasman.h"
check "libgap.so was copied" cmp "$P/src/.libs/libgap.so" "$W/prefix3/lib/libgap.so"

# --- failures are named ---------------------------------------------------------------
package "$P"
printf '#!/bin/sh\necho "configure: error: no C compiler" >&2\nexit 1\n' >"$P/src/configure"
check_rc "a failing configure fails spkg-install" 1 \
	sh -c "cd '$P' && PREFIX='$W/prefix4' sh '$ROOT/spkg-install'"
check_grep "naming the step" "failed at step 'configure'" "$ERR"
check "nothing was installed" test ! -e "$W/prefix4"
package "$S/build/gap"
printf '#!/bin/sh\nexit 1\n' >"$S/build/gap/src/configure"
check_rc "inside Sage too (sdh_configure dies)" 1 \
	sage_run "$S/build/gap" SAGE_LOCAL="$S/local5" SAGE_DESTDIR="$S/dest5" UNAME=Linux \
	MAKE=make PKG_NAME=gap SDH_LOG="$W/sdh.log"
check_grep "Sage's helper says what failed" "Error configuring gap" "$ERR"
check_grep "and spkg-install names its step" "failed at step 'configure'" "$ERR"

package "$P"
printf '\n#error a build failure injected by test_spkg_install\n' >>"$P/src/src/gap.c"
check_rc "a failing build fails spkg-install" 1 \
	sh -c "cd '$P' && PREFIX='$W/prefix6' sh '$ROOT/spkg-install'"
check_grep "naming the step" "failed at step 'build gap'" "$ERR"

package "$P"
printf 'garbage in the hunk context\n' >"$P/src/Makefile.rules"
check_rc "a patch that does not apply fails spkg-install" 1 \
	sh -c "cd '$P' && PREFIX='$W/prefix7' sh '$ROOT/spkg-install'"
check_grep "naming the step" "failed at step 'apply patches for linux'" "$ERR"
check "and nothing was built" test ! -e "$P/src/gap"

rm -rf "$P/src"
check_rc "without src/ it says what to do" 1 sh -c "cd '$P' && PREFIX='$W/p8' sh '$ROOT/spkg-install'"
check_grep "how to get src/" "tools/upstream prepare src" "$ERR"

finish
