#!/bin/sh
# A directory copied (prepare --dir) or a git revision exported (prepare
# --git, export) holds its symbolic links to the rule a tarball's are held
# to (red-team 2, R7): a target must lead down into the tree. A link that is
# absolute or goes up with '..' refuses the source, exit 1, naming the link
# and its target, nothing left in DEST (no staging directory either); a
# GAP tree has none. Before, both sources kept such links, so a build in
# DEST read or wrote through them outside it. Links leading down stay; a
# link in a pkg/ directory the kernel-only selection skips is not judged,
# as in a tarball.
. "$TESTS_ROOT/e2e/lib.sh"
UP="$BIN_DIR/upstream"
W=$(scratch)
trap 'rm -rf "$W"; cleanup' EXIT
export GIT_CONFIG_NOSYSTEM=1 HOME="$W"
mkdir "$W/victim" "$W/s"; echo secret > "$W/victim/file"

# a small tree: configure, sub/b, a link leading down, pkg/io (skipped)
tree() {
	rm -rf "$1"; mkdir -p "$1/sub" "$1/pkg/io"
	printf '#!/bin/sh\n' > "$1/configure"; echo b > "$1/sub/b"
	ln -s sub/b "$1/down"
	ln -s "$W/victim" "$1/pkg/io/out"
}
nothing_in() { test ! -e "$1" && ! ls -A "$(dirname "$1")" | grep -q staging; }

# links leading down are kept; a skipped pkg/'s link is not judged
tree "$W/ok"
check_rc "--dir, a link leading down: exit 0" 0 "$UP" prepare "$W/s/ok" --dir "$W/ok"
check "--dir: the link is kept" test "$(readlink "$W/s/ok/down")" = sub/b
check_rc "--dir --full: a link out of pkg/io refuses it" 1 "$UP" prepare "$W/s/okf" --dir "$W/ok" --full
check_grep "--dir --full: names it" "'pkg/io/out' is a symbolic link to '$W/victim'" "$ERR"

n=0
for target in "$W/victim" ../../victim x/../../configure .; do
	n=$((n + 1))
	tree "$W/d$n"; ln -s "$target" "$W/d$n/sub/l"
	mkdir -p "$W/s$n"
	run "$UP" prepare "$W/s$n/t" --dir "$W/d$n"
	check "--dir, sub/l -> $target: exit 1 (got $RC)" test "$RC" -eq 1
	check_grep "--dir, sub/l -> $target: names it" \
		"'sub/l' is a symbolic link to '$target', which is absolute or goes up" "$ERR"
	check "--dir, sub/l -> $target: nothing in DEST" nothing_in "$W/s$n/t"

	repo="$W/r$n"; rm -rf "$repo"; cp -a "$W/d$n" "$repo"; rm -rf "$repo/pkg"
	git_fixed_identity
	(cd "$repo" && git init -q -b master && git add -A && git commit -qm t) ||
		not_ok "the repository $n is made"
	run "$UP" prepare "$W/s$n/g" --git "$repo" --rev master
	check "--git, sub/l -> $target: exit 1 (got $RC)" test "$RC" -eq 1
	check_grep "--git, sub/l -> $target: names it" \
		"'sub/l' is a symbolic link to '$target', which is absolute or goes up" "$ERR"
	check "--git, sub/l -> $target: nothing in DEST" nothing_in "$W/s$n/g"
	run "$UP" export "$repo" master "$W/s$n/e"
	check "export, sub/l -> $target: exit 1 (got $RC)" test "$RC" -eq 1
	check "export, sub/l -> $target: nothing in DEST" nothing_in "$W/s$n/e"
done

# a climb to a directory of the tree, then down, as GAP's
# tst/mockpkg/Makefile.gappkg -> ../../etc/Makefile.gappkg, is kept
tree "$W/up"; mkdir -p "$W/up/tst/mockpkg" "$W/up/etc"; echo mk > "$W/up/etc/Makefile.gappkg"
ln -s ../../etc/Makefile.gappkg "$W/up/tst/mockpkg/Makefile.gappkg"
ln -s ../configure "$W/up/sub/conf"
check_rc "--dir, links climbing with leading ../ inside the tree: exit 0" 0 \
	"$UP" prepare "$W/s/up" --dir "$W/up"
check "--dir: the climbing link is kept" \
	test "$(readlink "$W/s/up/tst/mockpkg/Makefile.gappkg")" = ../../etc/Makefile.gappkg
check "--dir: and reads its target in DEST" test "$(cat "$W/s/up/tst/mockpkg/Makefile.gappkg")" = mk
repo="$W/rup"; rm -rf "$repo"; cp -a "$W/up" "$repo"; rm -rf "$repo/pkg"
git_fixed_identity
(cd "$repo" && git init -q -b master && git add -A && git commit -qm t) ||
	not_ok "the repository with climbing links is made"
check_rc "--git, links climbing with leading ../ inside the tree: exit 0" 0 \
	"$UP" prepare "$W/s/upg" --git "$repo" --rev master
check "--git: the climbing link is kept" test "$(readlink "$W/s/upg/sub/conf")" = ../configure

# a tree GAP was built in: its build's links under bin/ are named as such
tree "$W/built"; mkdir -p "$W/built/bin/arch"; ln -s "$W/built/src" "$W/built/bin/arch/src"
check_rc "--dir, a built tree: exit 1" 1 "$UP" prepare "$W/s/built" --dir "$W/built"
check_grep "--dir, a built tree: says why" "GAP's build makes links like it under bin/" "$ERR"

if [ -x "$BIN_DIR/verify" ]; then
	check_rc "verify --upstream DIR with a link out: exit 2" 2 "$BIN_DIR/verify" \
		--upstream "$W/d1" --no-patches --build-dir "$W/vb" --platform linux -q \
		--expect "$TESTS_ROOT/../expectations.conf"
	check_grep "verify: names it" "'sub/l' is a symbolic link to" "$ERR"
	check "verify: no tree, no staging" sh -c "! find '$W/vb' -name src -o -name '*staging*' | grep -q ."
fi

finish
