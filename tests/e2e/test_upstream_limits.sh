#!/bin/sh
# Unpacking a tarball has limits (red-team 2, R16): a decompression bomb
# (here 64 MiB of zeros, 64 KiB gzipped, under --max-size 1M), a sparse file
# claiming 20 GiB (past the default 8 GiB: its declared size counts, holes
# and all) or more entries than --max-entries is refused before the entry
# is written: exit 1, the message naming the entry, the limit and the
# option that raises it, nothing in DEST, no staging directory. Before,
# every one of them was unpacked. A tree under the limits unpacks as ever.
. "$TESTS_ROOT/e2e/lib.sh"
UP="$BIN_DIR/upstream"
W=$(scratch)
trap 'rm -rf "$W"; cleanup' EXIT
nothing_in() { test ! -e "$W/s/$1" && ! ls -A "$W/s" | grep -q staging; }
mkdir -p "$W/s" "$W/bomb/gap" "$W/sparse/gap" "$W/many/gap"

printf '#!/bin/sh\n' > "$W/bomb/gap/configure"
head -c 67108864 /dev/zero > "$W/bomb/gap/zeros"
tar czf "$W/bomb.tgz" -C "$W/bomb" gap; rm -rf "$W/bomb"
check "the bomb is small" test "$(wc -c < "$W/bomb.tgz")" -lt 1048576
run "$UP" unpack "$W/bomb.tgz" "$W/s/b" --max-size 1M
check "bomb, --max-size 1M: exit 1 (got $RC)" test "$RC" -eq 1
check_grep "bomb: names the entry and the limit" "entry 'gap/zeros' (67108864 bytes) would take what is unpacked past 1048576 bytes" "$ERR"
check_grep "bomb: says how to raise it" "max-size SIZE raises the limit" "$ERR"
check "bomb: nothing in DEST" nothing_in b
run "$UP" prepare "$W/s/p" --tarball "$W/bomb.tgz" --max-size 1M --no-autogen
check "bomb, prepare --max-size 1M: exit 1 (got $RC)" test "$RC" -eq 1
check "bomb, prepare: nothing in DEST" nothing_in p
check_rc "bomb, --max-size 65M: unpacks" 0 "$UP" unpack "$W/bomb.tgz" "$W/s/b2" --max-size 65M
check "bomb, --max-size 65M: all of it" test "$(wc -c < "$W/s/b2/zeros")" -eq 67108864
rm -rf "$W/s/b2"

printf '#!/bin/sh\n' > "$W/sparse/gap/configure"
truncate -s 20G "$W/sparse/gap/hole"
tar cSzf "$W/sparse.tgz" -C "$W/sparse" gap; rm -rf "$W/sparse"
run "$UP" unpack "$W/sparse.tgz" "$W/s/h"
check "a sparse 20 GiB file, default limit: exit 1 (got $RC)" test "$RC" -eq 1
check_grep "sparse: names it and the 8 GiB limit" "entry 'gap/hole' (21474836480 bytes) would take what is unpacked past 8589934592 bytes" "$ERR"
check "sparse: nothing in DEST" nothing_in h

for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo $i > "$W/many/gap/f$i"; done
tar czf "$W/many.tgz" -C "$W/many" gap
run "$UP" unpack "$W/many.tgz" "$W/s/m" --max-entries 10
check "13 entries, --max-entries 10: exit 1 (got $RC)" test "$RC" -eq 1
check_grep "entries: names the limit and the option" "more than 10 entries, the limit .*--max-entries N raises the limit" "$ERR"
check "entries: nothing in DEST" nothing_in m
check_rc "13 entries, --max-entries 13: unpacks" 0 "$UP" unpack "$W/many.tgz" "$W/s/m2" --max-entries 13
check_rc "--max-size nonsense: usage error" 2 "$UP" unpack "$W/many.tgz" "$W/s/m3" --max-size lots
check_rc "--max-entries 0: usage error" 2 "$UP" unpack "$W/many.tgz" "$W/s/m3" --max-entries 0

# the minigap release tarball, and the limits' defaults
tar czf "$W/g.tgz" -C "$FIXTURES" minigap
check_rc "a GAP tree unpacks under the defaults" 0 "$UP" unpack "$W/g.tgz" "$W/s/g"
check "and it is all there" diff -r -x pkg "$FIXTURES/minigap" "$W/s/g"

finish
