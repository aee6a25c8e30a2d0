#!/bin/sh
# verify --probe on an installed GAP: Debian's gap-core (its /usr/bin/gap is
# a shell script; the real binary is under /usr/lib/<triplet>/gap) maps its
# pool MAP_PRIVATE|MAP_ANONYMOUS without MAP_NORESERVE, VmFlags without nr,
# at the size it was started with (-s 1g: 1 GiB + a page in GAP 4.12), and
# passes the Linux expectations. A program that maps no pool fails them;
# a missing binary and usage mistakes exit 2.
. "$TESTS_ROOT/e2e/lib.sh"
V="$BIN_DIR/verify"
EXPECT="$TESTS_ROOT/../expectations.conf"
WORK=$(scratch)
trap 'rm -rf "$WORK"; cleanup' EXIT

measured() { jq -r --arg c "$1" '.targets[0].checks[] | select(.name == $c) | .measured' "$OUT"; }
passed() { jq -r --arg c "$1" '.targets[0].checks[] | select(.name == $c) | .pass' "$OUT"; }
is() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (got '$2', wanted '$3')"; fi
}
like() {
	case $2 in $3) ok "$1" ;; *) not_ok "$1 ('$2' is not like '$3')" ;; esac
}

real=""
for g in /usr/lib/*/gap/gap /usr/lib/gap/gap; do
	if [ -x "$g" ] && [ ! -d "$g" ] && ! head -c 2 "$g" | grep -q '#!'; then real=$g; break; fi
done
if [ -z "$real" ]; then
	not_ok "Debian's gap-core is not installed (apt-get install gap-core)"
	finish
	exit
fi

check_rc "debian gap: exit 0" 0 "$V" --probe "$real" --expect "$EXPECT" --format json
check "debian gap: JSON parses" jq -e . "$OUT"
is "debian gap: linux native" "$(jq -r '.targets[0].platform + " " + .targets[0].mode' "$OUT")" \
	"linux native"
is "debian gap: binary" "$(jq -r '.targets[0].binary' "$OUT")" "$real"
like "debian gap: flags without MAP_NORESERVE" "$(measured pool.mmap.flags)" \
	"MAP_PRIVATE|MAP_ANONYMOUS, PROT_READ|PROT_WRITE, *"
is "debian gap: flags check passes" "$(passed pool.mmap.flags)" true
like "debian gap: started with -s 1g" "$(measured pool.mmap.flags)" "*$real -q -s 1g)"
like "debian gap: pool of the size asked (+ a page)" "$(measured pool.mmap.size)" \
	"1024 MiB + 4 KiB (1073745920 bytes; *"
like "debian gap: VmFlags accounted" "$(measured pool.vmflags)" "rd wr mr mw me ac (*"
case $(measured pool.vmflags) in
*" nr"*) not_ok "debian gap: nr present" ;;
*) ok "debian gap: nr absent" ;;
esac
# 1 GiB + 4 KiB = 1048580 kB, give or take what other processes did meanwhile
like "debian gap: commit charge of the pool" "$(measured pool.commit)" "+1[0-9][0-9][0-9][0-9][0-9][0-9] kB (*"
is "debian gap: commit check passes" "$(passed pool.commit)" true
like "debian gap: default pool" "$(measured pool.default)" "4096 MiB + 4 KiB (*"
like "debian gap: forks measured" "$(measured fork.commit)" "*for 4 children*"

# /usr/bin/gap is Debian's script: verify follows GAP_PRG to the binary
check_rc "debian script: exit 0" 0 "$V" --probe /usr/bin/gap --expect "$EXPECT" --format json
is "debian script: probes the binary" "$(jq -r '.targets[0].binary' "$OUT")" "$real"
like "debian script: says so" "$(jq -r '.targets[0].notes[0]' "$OUT")" \
	"/usr/bin/gap is a shell script starting $real: probing that"

# against the Cygwin expectations the same binary fails
check_rc "debian gap as cygwin: exit 1" 1 "$V" --probe "$real" --platform cygwin \
	--expect "$EXPECT" --format json
is "debian gap as cygwin: flags fail" "$(passed pool.mmap.flags)" false
is "debian gap as cygwin: mode" "$(jq -r '.targets[0].mode' "$OUT")" emulated

# text output and a recorded trace
check_rc "text: exit 0" 0 "$V" --probe "$real" --expect "$EXPECT" --trace "$WORK/trace"
check_grep "text: verdict" "verify: every expectation holds" "$OUT"
check_grep "trace: the pool mmap" "^E mmap 0x100000000000 0x40001000 0x3 0x22 " "$WORK/trace"
check_grep "trace: its result" "^X mmap 0x100000000000$" "$WORK/trace"

# not GAP: no pool, every check that needs one fails
check_rc "no pool: exit 1" 1 "$V" --probe /bin/true --expect "$EXPECT" --format json
like "no pool: said" "$(measured pool.mmap.flags)" "no pool mmap seen (*"
is "no pool: default 0" "$(passed pool.default)" false

check_rc "missing binary: exit 2" 2 "$V" --probe "$WORK/nosuch" --expect "$EXPECT"
check_grep "missing binary: named" "$WORK/nosuch: not an executable" "$ERR"
check_rc "usage: --probe with --upstream" 2 "$V" --probe "$real" --upstream /tmp
check_rc "usage: --rev alone" 2 "$V" --rev v1
check_rc "usage: bad format" 2 "$V" --probe "$real" --format yaml
check_rc "usage: bad jobs" 2 "$V" --jobs 0
check_rc "usage: unknown platform" 2 "$V" --probe "$real" --platform amiga --expect "$EXPECT"
check_rc "help: exit 0" 0 "$V" --help
check_grep "help: synopsis" "verify --probe GAP_BINARY" "$OUT"

check_rc "noise: exit 0" 0 "$V" --noise 20
check_grep "noise: figures" "Committed_AS, 20 samples 0 us apart: largest step" "$OUT"

finish
