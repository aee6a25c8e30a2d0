# layout.sh - sourced by the spkg tests: checks an installed GAP against
# what Sage's GAP 4.10.2.p1 package installed (its build/pkgs/gap/
# spkg-install), file for file, for the minigap fixture.
#   sage_layout STAGED FINAL BUILD
# STAGED is where the files are (DESTDIR + prefix), FINAL the prefix they
# were installed for, BUILD the build folder (src/) whose path must have
# been rewritten away.

SAGE_PKG_DIRS="GAPDoc primgrp smallgrp transgrp atlasrep autpgrp-1.10 alnuth-3.1.0 crisp-1.4.4
	ctbllib FactInt-1.6.2 fga irredsol-1.4 laguna-3.9.0 polenta-1.3.8 polycyclic-2.14
	resclasses-4.7.1 sophus-1.24 tomlib-1.2.7"

sage_layout() {
	_s=$1 _f=$2 _b=$3 _g="$1/share/gap"
	for _x in bin/gap bin/gap-bin bin/gac; do
		check "layout: $_x, executable" test -f "$_s/$_x" -a -x "$_s/$_x"
	done
	for _x in lib/libgap.so include/gap/config.h include/gap/gasman.h include/gap/system.h; do
		check "layout: $_x" test -e "$_s/$_x"
	done
	for _x in bin doc gen grp lib src tst pkg; do
		check "layout: share/gap/$_x/" test -d "$_g/$_x" -a ! -L "$_g/$_x"
	done
	check "layout: share/gap/sysinfo.gap" test -f "$_g/sysinfo.gap"
	check "layout: share/gap/libtool" test -f "$_g/libtool"
	check "layout: share/gap/src has the kernel's sources" test -f "$_g/src/gasman.h" -a -f "$_g/src/gap.c"
	check "layout: share/gap/gen/config.h" test -f "$_g/gen/config.h"
	check "layout: share/gap/bin/gap.sh" test -f "$_g/bin/gap.sh"
	check "layout: share/gap/doc/make_doc" test -f "$_g/doc/make_doc"
	check "layout: share/gap/gap -> FINAL/bin/gap-bin" test "$(readlink "$_g/gap")" = "$_f/bin/gap-bin"
	check "layout: share/gap/gac -> FINAL/bin/gac" test "$(readlink "$_g/gac")" = "$_f/bin/gac"
	_arch=$(sed -n 's/^GAParch=//p' "$_g/sysinfo.gap")
	check "layout: share/gap/bin/$_arch/src -> ../../src (relative)" \
		test "$(readlink "$_g/bin/$_arch/src")" = ../../src
	check "layout: bin/$_arch/src leads to the installed src/" test -f "$_g/bin/$_arch/src/gasman.h"
	for _p in $SAGE_PKG_DIRS; do
		check "layout: share/gap/pkg/$_p" test -f "$_g/pkg/$_p/PackageInfo.g"
	done
	check "layout: no other package (pkg/io stays out)" \
		test "$(ls "$_g/pkg" | wc -l)" -eq 18
	for _x in bin/gac share/gap/sysinfo.gap share/gap/bin/gap.sh share/gap/doc/make_doc; do
		check "layout: $_x no longer names the build folder" sh -c "! grep -q -F '$_b' '$_s/$_x'"
		check "layout: $_x names the installed root instead" grep -q -F "$_f/share/gap" "$_s/$_x"
	done
}
