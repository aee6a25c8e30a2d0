#!/bin/sh
# verify knows a tarball upstream by its bytes (red-team 2, R10, R13):
#  - a pinned tarball whose pin has no sha256 (Sage's sha1-only shape) is
#    fingerprinted by its content: another tarball under the same name is
#    rebuilt, never "reused" as the old one;
#  - one downloaded by the run itself is saved under what was downloaded;
#  - a tarball replaced between verify's checksum and its unpack is refused
#    (a preloaded shim, tests/tools/open_hook.c, makes the swap happen
#    at the second open of the name), not built under the first one's name.
. "$TESTS_ROOT/e2e/lib.sh"
V="$BIN_DIR/verify"
EXPECT="$TESTS_ROOT/../expectations.conf"
PATCHES="$FIXTURES/minigap-patches"
WORK=$(scratch)
trap 'rm -rf "$WORK"; cleanup' EXIT

notes() { jq -r '.targets[0].notes | join("\n")' "$OUT"; }
like() {
	case $2 in $3) ok "$1" ;; *) not_ok "$1 ('$2' is not like '$3')" ;; esac
}
pin_sha1() {
	printf 'tarball=gap-VERSION.tar.gz\nsha1=%s\n%s' \
		"$(sha1sum "$WORK/pkg/upstream/gap-1.0.tar.gz" | cut -c1-40)" "$1" \
		> "$WORK/pkg/upstream/checksums.ini"
}
# exit 0 or 1 (a commit-charge check may feel other processes); 2 is an error
pinned() {
	run sh -c "cd '$WORK/pkg' && '$V' --expect '$EXPECT' --platform linux --format json --build-dir '$2'"
	if [ "$RC" -le 1 ]; then ok "$1"; else not_ok "$1 (exit $RC)"; sed 's/^/    /' "$ERR" | head; fi
}

mkdir -p "$WORK/one/gap" "$WORK/two/gap" "$WORK/pkg/upstream"
cp -R "$FIXTURES/minigap/." "$WORK/one/gap/"
cp -R "$FIXTURES/minigap/." "$WORK/two/gap/"
echo '/* the second upstream */' >> "$WORK/two/gap/src/gap.c"
tar czf "$WORK/one.tar.gz" -C "$WORK/one" gap
tar czf "$WORK/two.tar.gz" -C "$WORK/two" gap
one=$(sha256sum "$WORK/one.tar.gz" | cut -c1-64)
two=$(sha256sum "$WORK/two.tar.gz" | cut -c1-64)
echo 1.0 > "$WORK/pkg/upstream/package-version.txt"
cp -R "$PATCHES" "$WORK/pkg/patches"

NAME="sha1-only pin"
cp "$WORK/one.tar.gz" "$WORK/pkg/upstream/gap-1.0.tar.gz"; pin_sha1 ""
pinned "$NAME: first run" "$WORK/b1"
like "$NAME: built from the tarball's sha256" "$(notes)" "*built in * s from sha256:$one*"
check_grep "$NAME: fingerprinted by the tarball's sha256" "^upstream sha256:$one\$" "$WORK/b1/linux/fingerprint"
cp "$WORK/two.tar.gz" "$WORK/pkg/upstream/gap-1.0.tar.gz"; pin_sha1 ""
pinned "$NAME: another tarball" "$WORK/b1"
like "$NAME: rebuilt, not reused" "$(notes)" "*built in * s from sha256:$two*"
check_grep "$NAME: the tree is the new tarball's" "the second upstream" "$WORK/b1/linux/src/src/gap.c"
pinned "$NAME: the same again" "$WORK/b1"
like "$NAME: now reused" "$(notes)" "*build reused: inputs unchanged (sha256:$two)*"

NAME="downloaded by the run"
rm "$WORK/pkg/upstream/gap-1.0.tar.gz"; cp "$WORK/one.tar.gz" "$WORK/served.tar.gz"
cp "$WORK/one.tar.gz" "$WORK/pkg/upstream/gap-1.0.tar.gz"; pin_sha1 "upstream_url=file://$WORK/served.tar.gz
"
rm "$WORK/pkg/upstream/gap-1.0.tar.gz"
pinned "$NAME: exit 0" "$WORK/b2"
like "$NAME: built from what came" "$(notes)" "*built in * s from sha256:$one*"
check_grep "$NAME: saved under what came" "^upstream sha256:$one\$" "$WORK/b2/linux/fingerprint"
pinned "$NAME: then reused" "$WORK/b2"
like "$NAME: reused" "$(notes)" "*build reused: inputs unchanged (sha256:$one)*"

NAME="swapped while read"
${CC:-cc} -shared -fPIC -o "$WORK/swap.so" "$TESTS_ROOT/tools/open_hook.c" -ldl ||
	not_ok "the swap shim builds"
cp "$WORK/one.tar.gz" "$WORK/t.tar.gz"; cp "$WORK/two.tar.gz" "$WORK/two.copy"
check_rc "$NAME: exit 2" 2 env LD_PRELOAD="$WORK/swap.so" SWAP_PATH="$WORK/t.tar.gz" \
	SWAP_FROM="$WORK/two.copy" "$V" --upstream "$WORK/t.tar.gz" --patches "$PATCHES" \
	--expect "$EXPECT" --build-dir "$WORK/b3" --platform linux -q
check_grep "$NAME: says the tarball changed, with both sums" \
	"changed while verify read it (sha256:$one when checked, sha256:$two when unpacked)" "$ERR"
check "$NAME: no fingerprint saved" test ! -e "$WORK/b3/linux/fingerprint"

finish
