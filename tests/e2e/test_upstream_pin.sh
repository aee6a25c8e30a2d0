#!/bin/sh
# test_upstream_pin.sh - tools/upstream pin on Sage's checksums.ini format:
# Sage's own GAP 4.10.2.p1 package folder (from ../shared/reference/sage-8.8,
# skipped, saying why, where it is absent), then a Sage-shaped package
# folder (the pin beside spkg-install, no sha256) around a minigap
# tarball: --write records sha1, md5, cksum and sha256 as coreutils
# compute them, --check and prepare check every one, and a wrong value
# in any one of them is named.
. "$TESTS_ROOT/e2e/lib.sh"
ROOT=$(cd "$TESTS_ROOT/.." && pwd)
UP="$BIN_DIR/upstream"
W=$(scratch)
# Sage's scripts beside the repository (../shared/reference/sage-8.8), or
# SAGE_REF; a worktree under /work/wt/ finds the project's copy
if [ -z "$SAGE_REF" ]; then
	SAGE_REF=$ROOT/../shared/reference/sage-8.8
	[ -d "$SAGE_REF" ] || SAGE_REF=/work/shared/reference/sage-8.8
fi

# --- Sage's own package folder ----------------------------------------------------------
if [ -f "$SAGE_REF/build/pkgs/gap/checksums.ini" ]; then
	G="$SAGE_REF/build/pkgs/gap"
	check_rc "pin reads Sage's GAP 4.10.2.p1 folder" 0 "$UP" pin -C "$G"
	check_grep "its package version" "^package_version=4.10.2.p1$" "$OUT"
	check_grep "the version without the patch level" "^version=4.10.2$" "$OUT"
	check_grep "its .tar.bz2" "^tarball=gap-4.10.2.tar.bz2$" "$OUT"
	check_grep "its sha1" "^sha1=ceeb3dfbc0c26031ad53b0256ed04ca9d532566d$" "$OUT"
	check_grep "its md5" "^md5=36a141e05bb55be5d6ead7ccda969c5e$" "$OUT"
	check_grep "its cksum" "^cksum=3891403157$" "$OUT"
	check "no sha256 (Sage's file has none)" sh -c "! grep -q '^sha256=' '$OUT'"
	check_grep "the pin beside spkg-install" "^pin=$G/checksums.ini$" "$OUT"
	check_rc "fetch without a URL says what to do" 1 "$UP" fetch -C "$G" -o "$W/nowhere.tar.bz2"
	check_grep "naming the file without upstream_url" "$G/checksums.ini has no upstream_url; give one with --url" "$ERR"
	check_grep "and the sums a copy must have" "sha1 ceeb3dfbc0c26031ad53b0256ed04ca9d532566d, md5 36a141e05bb55be5d6ead7ccda969c5e, cksum 3891403157" "$ERR"
else
	ok "# SKIP Sage's reference folder is not at $SAGE_REF (a user's clone): Sage's own checksums.ini not read"
fi

# --- a Sage-shaped folder around a minigap tarball ---------------------------------------
P="$W/gap"
mkdir -p "$P/upstream"
printf 'cd src\n' >"$P/spkg-install"
printf '4.10.2.p1\n' >"$P/package-version.txt"
python3 "$FIXTURES/upstream/make_tarball.py" "$FIXTURES/minigap" "$P/upstream/gap-4.10.2.tar.bz2" >/dev/null
TB="$P/upstream/gap-4.10.2.tar.bz2"
# Sage's file shape, sums of some other tarball
cat >"$P/checksums.ini" <<'INI'
tarball=gap-VERSION.tar.bz2
sha1=ceeb3dfbc0c26031ad53b0256ed04ca9d532566d
md5=36a141e05bb55be5d6ead7ccda969c5e
cksum=3891403157
INI
check_rc "--check: a tarball with other sums fails" 1 "$UP" pin -C "$P" --check "$TB"
check_grep "naming sha1" "sha1 mismatch" "$ERR"
check_grep "md5" "md5 mismatch" "$ERR"
check_grep "and cksum" "cksum mismatch" "$ERR"
check_rc "prepare refuses it" 1 "$UP" prepare "$W/src0" -C "$P" -q
check_grep "saying which sums and where they are from" "refusing to read it (the sums are from $P/checksums.ini)" "$ERR"
check "and leaves nothing" test ! -e "$W/src0"

check_rc "--write records the tarball's sums" 0 "$UP" pin -C "$P" --write "$TB"
check_grep "tarball= first, as written" "^tarball=gap-VERSION.tar.bz2$" "$P/checksums.ini"
check "sha1 as sha1sum computes it" grep -qx "sha1=$(sha1sum <"$TB" | cut -c1-40)" "$P/checksums.ini"
check "md5 as md5sum computes it" grep -qx "md5=$(md5sum <"$TB" | cut -c1-32)" "$P/checksums.ini"
check "cksum as cksum(1) computes it (Sage's cksum=)" grep -qx "cksum=$(cksum <"$TB" | cut -d' ' -f1)" "$P/checksums.ini"
check "sha256 as sha256sum computes it" grep -qx "sha256=$(sha256sum <"$TB" | cut -c1-64)" "$P/checksums.ini"
check "in Sage's order" test "$(cut -d= -f1 "$P/checksums.ini" | tr '\n' ' ')" = "tarball sha1 md5 cksum sha256 "
check_rc "--check passes now" 0 "$UP" pin -C "$P" --check "$TB"
check_grep "naming every sum checked" "sha1, md5, cksum, sha256 ok" "$OUT"
check_rc "prepare takes the pin beside spkg-install and the tarball from upstream/" 0 \
	"$UP" prepare "$W/src1" -C "$P" -q
check "and unpacks it" test -f "$W/src1/configure"

# Sage's files have no sha256: the other three are still checked, each one
for k in sha1 md5 cksum; do
	grep -v '^sha256=' "$P/checksums.ini" >"$W/ini"
	case $k in
	sha1) sed 's/^sha1=.*/sha1=0000000000000000000000000000000000000000/' "$W/ini" >"$P/checksums.ini" ;;
	md5) sed 's/^md5=.*/md5=00000000000000000000000000000000/' "$W/ini" >"$P/checksums.ini" ;;
	cksum) sed 's/^cksum=.*/cksum=1/' "$W/ini" >"$P/checksums.ini" ;;
	esac
	check_rc "without sha256, a wrong $k alone fails --check" 1 "$UP" pin -C "$P" --check "$TB"
	check_grep "naming $k" "$k mismatch" "$ERR"
	rm -rf "$W/src2"
	check_rc "and prepare" 1 "$UP" prepare "$W/src2" -C "$P" -q
	check "which leaves nothing" test ! -e "$W/src2"
	cp "$W/ini" "$P/checksums.ini"
done
check_rc "with the three right sums and no sha256, prepare works" 0 "$UP" prepare "$W/src3" -C "$P" -q

# --write refuses a file that is not the pinned tarball
cp "$TB" "$W/gap-4.11.0.tar.bz2"
check_rc "--write with another version's file fails" 1 "$UP" pin -C "$P" --write "$W/gap-4.11.0.tar.bz2"
check_grep "saying which tarball is pinned" "is not the pinned tarball gap-4.10.2.tar.bz2" "$ERR"

# two pins are one too many
mkdir -p "$P/upstream"
cp "$P/checksums.ini" "$P/package-version.txt" "$P/upstream/"
check_rc "a pin beside spkg-install and one in upstream/ is an error" 1 "$UP" pin -C "$P"
check_grep "naming both" "two pins, $P/checksums.ini and $P/upstream/checksums.ini" "$ERR"

# the repository's own pin, in upstream/
check_rc "the repository's pin still reads" 0 "$UP" pin -C "$ROOT"
check_grep "with its sha256" "^sha256=11175bed0234101643d510d4ab94c44db30bd303bfe63d86b9b86ae67cff9e49$" "$OUT"

finish
