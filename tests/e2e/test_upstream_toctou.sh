#!/bin/sh
# A tarball is checked and unpacked (or read) through one open file, never
# reopened by name (red-team 2, R13). The attacker who swaps the file between
# the checksum and the unpack is made deterministic by a preloaded shim
# (tests/tools/open_hook.c): the second open of the name renames the
# other tarball over it. Checked for the pinned tarball (prepare, cat) and
# for --tarball (prepare, whose printed sha256 must be of what was unpacked).
. "$TESTS_ROOT/e2e/lib.sh"
U="$BIN_DIR/upstream"
WORK=$(scratch)
trap 'rm -rf "$WORK"; cleanup' EXIT

${CC:-cc} -shared -fPIC -o "$WORK/swap.so" "$TESTS_ROOT/tools/open_hook.c" -ldl ||
	{ not_ok "the swap shim builds"; finish; }

mkdir -p "$WORK/good" "$WORK/evil"
cp -R "$FIXTURES/minigap" "$WORK/good/gap"
cp -R "$FIXTURES/minigap" "$WORK/evil/gap"
printf '#!/bin/sh\necho evil\n' > "$WORK/evil/gap/configure"
tar czf "$WORK/good.tar.gz" -C "$WORK/good" gap
tar czf "$WORK/evil.tar.gz" -C "$WORK/evil" gap
good=$(sha256sum "$WORK/good.tar.gz" | cut -c1-64)
good_configure=$(sha256sum < "$FIXTURES/minigap/configure" | cut -c1-64)

swapped() { # NAME(file to swap) CMD...
	_t=$1; shift
	cp "$WORK/evil.tar.gz" "$WORK/evil.copy"
	run env LD_PRELOAD="$WORK/swap.so" SWAP_PATH="$_t" SWAP_FROM="$WORK/evil.copy" "$@"
}
good_tree() { # NAME DEST
	if [ "$RC" -eq 0 ]; then ok "$1: exit 0"; else not_ok "$1: exit $RC"; sed 's/^/    /' "$ERR"; fi
	check "$1: the checked tarball's configure" \
		test "$(sha256sum < "$2/configure" | cut -c1-64)" = "$good_configure"
}

# the pinned tarball
mkdir -p "$WORK/pkg/upstream"
echo 1.0 > "$WORK/pkg/upstream/package-version.txt"
printf 'tarball=minigap-VERSION.tar.gz\nsha256=%s\n' "$good" > "$WORK/pkg/upstream/checksums.ini"
cp "$WORK/good.tar.gz" "$WORK/pkg/upstream/minigap-1.0.tar.gz"
swapped "$WORK/pkg/upstream/minigap-1.0.tar.gz" "$U" prepare "$WORK/d1" -C "$WORK/pkg"
good_tree "pinned prepare" "$WORK/d1"

cp "$WORK/good.tar.gz" "$WORK/pkg/upstream/minigap-1.0.tar.gz"
swapped "$WORK/pkg/upstream/minigap-1.0.tar.gz" sh -c "cd '$WORK/pkg' && '$U' cat configure"
check "pinned cat: exit 0" test "$RC" -eq 0
check "pinned cat: the checked tarball's configure" \
	test "$(sha256sum < "$OUT" | cut -c1-64)" = "$good_configure"

# --tarball: the sha256 printed is the identity of the tree
cp "$WORK/good.tar.gz" "$WORK/t.tar.gz"
swapped "$WORK/t.tar.gz" "$U" prepare "$WORK/d2" --tarball "$WORK/t.tar.gz"
good_tree "--tarball prepare" "$WORK/d2"
check_grep "--tarball prepare: the sha256 of what was unpacked" "$good" "$OUT"

finish
