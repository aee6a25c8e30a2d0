#!/bin/sh
# verify end to end on the minigap fixture: the patched series passes both
# targets (Linux native, Cygwin emulated by rebuilding the allocator's units
# with SYS_IS_CYGWIN32 and relinking; libgap's fork cost measured through a
# driver program on Linux), the unpatched upstream fails the
# Cygwin expectations, for the JSON and the exit status; an unchanged
# re-run reuses the builds (said in the notes; no timed assertion: the probes and the workload runs take what the machine gives them), a changed patch rebuilds; a
# failing configure and a broken expectations file stop verify with 2,
# naming the step, the log, the file and line. JUnit is checked with xmllint.
# gmp.fresh_bags (issue 3434): under the Cygwin model the pool patch alone
# ends the workload in the GMP stand-in; with the ensure-bag patch it finishes.
. "$TESTS_ROOT/e2e/lib.sh"
V="$BIN_DIR/verify"
EXPECT="$TESTS_ROOT/../expectations.conf"
WORK=$(scratch)
trap 'rm -rf "$WORK"; cleanup' EXIT

# jq over the last JSON output ($OUT); prints the value
q() { jq -r "$1" "$OUT"; }
check_q() {
	_got=$(q "$2")
	if [ "$_got" = "$3" ]; then ok "$1"; else not_ok "$1 (got '$_got', wanted '$3')"; fi
}
check_q_has() {
	_got=$(q "$2")
	case $_got in *"$3"*) ok "$1" ;; *) not_ok "$1 ('$_got' lacks '$3')" ;; esac
}
check_q_lacks() {
	_got=$(q "$2")
	case $_got in *"$3"*) not_ok "$1 ('$_got' has '$3')" ;; *) ok "$1" ;; esac
}
check_name='.targets[] | select(.platform == $p) | .checks[] | select(.name == $c)'
pass_of() { jq -r --arg p "$1" --arg c "$2" "$check_name | .pass" "$OUT"; }
measured_of() { jq -r --arg p "$1" --arg c "$2" "$check_name | .measured" "$OUT"; }

# --- the patched fixture passes ---------------------------------------------
check_rc "patched fixture: exit 0" 0 "$V" --upstream "$FIXTURES/minigap" \
	--patches "$FIXTURES/minigap-patches" --expect "$EXPECT" --build-dir "$WORK/p" \
	--format json
check "patched: JSON parses" jq -e . "$OUT"
check_q "patched: two targets" '.targets | length' 2
check_q "patched: linux is native" '.targets[0].platform + " " + .targets[0].mode' "linux native"
check_q "patched: cygwin is emulated" '.targets[1].platform + " " + .targets[1].mode' \
	"cygwin emulated"
check_q "patched: every check passes" '[.targets[].checks[].pass] | all' true
check_q "patched: both pass" '[.targets[].status] | join(",")' "pass,pass"
check_q "patched: emulated binary" '.targets[1].binary' "$WORK/p/gap-cygwin-emulated"
check_q_has "patched: cygwin pool mapped MAP_NORESERVE" \
	'.targets[1].checks[] | select(.name == "pool.mmap.flags") | .measured' \
	"MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE,"
check_q_lacks "patched: linux pool without MAP_NORESERVE" \
	'.targets[0].checks[] | select(.name == "pool.mmap.flags") | .measured' "NORESERVE"
check_q_has "patched: cygwin VmFlags nr" \
	'.targets[1].checks[] | select(.name == "pool.vmflags") | .measured' "me nr ("
check_q_has "patched: linux VmFlags ac" \
	'.targets[0].checks[] | select(.name == "pool.vmflags") | .measured' "me ac ("
check_q_has "patched: pool raised to 2 GiB + a page" \
	'.targets[0].checks[] | select(.name == "pool.mmap.size") | .measured' "2048 MiB + 4 KiB"
check_q_has "patched: default pool on cygwin" \
	'.targets[1].checks[] | select(.name == "pool.default") | .measured' "4096 MiB + 4 KiB"
check_q_has "patched: allocator units rebuilt" '.targets[1].notes | join("\n")' \
	"rebuilt with SYS_IS_CYGWIN32: src/sysmem.c"
check_q_has "patched: the GMP unit too (through gasman.h)" '.targets[1].notes | join("\n")' \
	"rebuilt with SYS_IS_CYGWIN32: src/integer.c"
check_q_lacks "patched: nothing else rebuilt" '.targets[1].notes | join("\n")' "src/gap.c"
check_q "patched: linux fork cost measured" \
	"[.targets[0].checks[] | select(.name == \"fork.commit\") | .measured | test(\"for 4 children\")] | all" true
check_q_has "patched: libgap initialized in-process, then forked" \
	'.targets[0].checks[] | select(.name == "libgap.fork.commit") | .measured' \
	"for 4 children ("
check_q_has "patched: ... by the driver built against libgap" \
	'.targets[0].checks[] | select(.name == "libgap.fork.commit") | .measured' \
	"through libgap ($WORK/p/linux/gap-libgap -q -s 1g)"
check "patched: build log kept" test -s "$WORK/p/linux/build.log"
check_grep "patched: make ran with V=1" "make -j[0-9]* V=1" "$WORK/p/linux/build.log"
check_grep "patched: emulation log names the define" "-DSYS_IS_CYGWIN32=1" \
	"$WORK/p/cygwin-emulated/emulate.log"
check "patched: the native tree keeps the linux series only" \
	sh -c "! grep -q NORESERVE '$WORK/p/linux/src/src/sysmem.c'"
check "patched: the emulated sysmem.c carries the cygwin series" \
	grep -q MAP_NORESERVE "$WORK/p/cygwin-emulated/overlay/src/sysmem.c"

check_q_has "patched: GMP wrote fresh bags and GAP finished (issue 3434)" \
	'.targets[1].checks[] | select(.name == "gmp.fresh_bags") | .measured' \
	"finished with the right result (LD_PRELOAD="
check_q_has "patched: ... under the Cygwin model, -A -m 64m" \
	'.targets[1].checks[] | select(.name == "gmp.fresh_bags") | .measured' \
	"cygwin_reserve.so $WORK/p/gap-cygwin-emulated -q -l $WORK/p/linux/src -A -m 64m"

# --- the pool patch alone: GAP ends in GMP (gap-system/gap issue 3434) ----------
mkdir -p "$WORK/pool-only"
cp -R "$FIXTURES/minigap-patches/." "$WORK/pool-only/"
grep -v ensure-bag "$FIXTURES/minigap-patches/series" > "$WORK/pool-only/series"
check_rc "pool patch only: exit 1" 1 "$V" --upstream "$FIXTURES/minigap" \
	--patches "$WORK/pool-only" --expect "$EXPECT" --build-dir "$WORK/po" --format json
check_q "pool only: linux passes, cygwin fails" '[.targets[].status] | join(",")' "pass,fail"
check_q "pool only: the pool checks pass" \
	'[.targets[1].checks[] | select(.name != "gmp.fresh_bags") | .pass] | all' true
check_q "pool only: gmp.fresh_bags fails" \
	'.targets[1].checks[] | select(.name == "gmp.fresh_bags") | .pass' false
check_q_has "pool only: ended in the GMP stand-in, named" \
	'.targets[1].checks[] | select(.name == "gmp.fresh_bags") | .measured' \
	"ended in GMP at 0x"
check_q_has "pool only: ... in libminigmp.so's fake_mpn_mul" \
	'.targets[1].checks[] | select(.name == "gmp.fresh_bags") | .measured' \
	"/libminigmp.so+0x"

# --- an unchanged re-run reuses both builds ------------------------------------
start=$(date +%s%N)
check_rc "re-run: exit 0" 0 "$V" --upstream "$FIXTURES/minigap" \
	--patches "$FIXTURES/minigap-patches" --expect "$EXPECT" --build-dir "$WORK/p" \
	--format json
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# re-run: ${ms} ms (builds reused; probes and workload runs measured again)"
check_q_has "re-run: native build reused" '.targets[0].notes | join("\n")' "build reused"
check_q_has "re-run: emulation reused" '.targets[1].notes | join("\n")' "emulation reused"
check_q "re-run: still passes" '[.targets[].checks[].pass] | all' true

# --- forking once GAP has read its library (probe.fork_at = library) -----------
sed 's/^probe.fork_at = pool/probe.fork_at = library/' "$EXPECT" > "$WORK/library.conf"
check_rc "fork at library: exit 0" 0 "$V" --upstream "$FIXTURES/minigap" \
	--patches "$FIXTURES/minigap-patches" --expect "$WORK/library.conf" --build-dir "$WORK/p" \
	--format json
check_q_has "fork at library: GAP read lib/init.g first" '.targets[1].notes | join("\n")' \
	"pool run stopped: library read: openat \"$WORK/p/linux/src/lib/init.g\""
check_q_has "fork at library: -l the tree" '.targets[1].pool_command' "-q -l $WORK/p/linux/src -s 1g"
check_q "fork at library: still passes" '[.targets[].checks[].pass] | all' true

# --- a changed patch is noticed -----------------------------------------------------
cp -R "$FIXTURES/minigap-patches" "$WORK/changed"
# (a patch's identity is its diff, headers left out: change an added line)
sed 's|^+install-headers:$|+install-headers: # changed|' \
	"$FIXTURES/minigap-patches/install-targets.patch" > "$WORK/changed/install-targets.patch"
check_rc "changed patch: exit 0" 0 "$V" --upstream "$FIXTURES/minigap" \
	--patches "$WORK/changed" --expect "$EXPECT" --build-dir "$WORK/p" --format json
check_q_has "changed patch: rebuilt" '.targets[0].notes | join("\n")' "built in"
check_q_lacks "changed patch: not reused" '.targets[1].notes | join("\n")' "emulation reused"

# --- the unpatched upstream fails the Cygwin expectations --------------------------
check_rc "unpatched fixture: exit 1" 1 "$V" --upstream "$FIXTURES/minigap" --no-patches \
	--expect "$EXPECT" --build-dir "$WORK/u" --format json
check "unpatched: JSON parses" jq -e . "$OUT"
check_q "unpatched: linux passes, cygwin fails" '[.targets[].status] | join(",")' "pass,fail"
for c in pool.mmap.flags pool.vmflags pool.commit pool.default fork.commit; do
	got=$(pass_of cygwin "$c")
	if [ "$got" = false ]; then ok "unpatched: cygwin $c fails"; else not_ok "unpatched: cygwin $c: $got"; fi
done
case $(measured_of cygwin pool.default) in
"0: no pool mapped"*) ok "unpatched: Cygwin default pool is 0" ;;
*) not_ok "unpatched: default pool: $(measured_of cygwin pool.default)" ;;
esac
case $(measured_of cygwin pool.commit) in
+2[01][0-9][0-9][0-9][0-9][0-9]" kB ("*) ok "unpatched: the pool adds ~2 GiB of commit charge" ;;
*) not_ok "unpatched: pool.commit: $(measured_of cygwin pool.commit)" ;;
esac
check_q_has "unpatched: the unit the series names is rebuilt" '.targets[1].notes | join("\n")' \
	"rebuilt with SYS_IS_CYGWIN32: src/system.c"

# --no-patches with --patches: the series is not applied, its files pick the
# units (issue 16 item 4), not every unit naming the macro
check_rc "not applied, units from the series: exit 1" 1 "$V" --upstream "$FIXTURES/minigap" \
	--no-patches --patches "$FIXTURES/minigap-patches" --expect "$EXPECT" \
	--build-dir "$WORK/u" --format json
check_q_has "units from the series: src/integer.c (named by ensure-bag)" \
	'.targets[1].notes | join("\n")' "rebuilt with SYS_IS_CYGWIN32: src/integer.c"
check_q_lacks "units from the series: not every unit naming the macro" \
	'.targets[1].notes | join("\n")' "every unit of gap naming it"
check_q_lacks "units from the series: nothing applied" '.targets[1].notes | join("\n")' \
	"patch applied"

check_rc "unpatched, text: exit 1" 1 "$V" --upstream "$FIXTURES/minigap" --no-patches \
	--expect "$EXPECT" --build-dir "$WORK/u"
check_grep "text: verdict" "verify: an expectation does not hold" "$OUT"
check_grep "text: failing check shown" "  FAIL pool.mmap.flags" "$OUT"
check_rc "unpatched, junit: exit 1" 1 "$V" --upstream "$FIXTURES/minigap" --no-patches \
	--expect "$EXPECT" --build-dir "$WORK/u" --format junit
check "junit: valid against junit.xsd" junit_valid "$OUT"
check_grep "junit: a failure" '<failure message="expected has MAP_PRIVATE MAP_ANONYMOUS MAP_NORESERVE"' "$OUT"

check_rc "cygwin only: exit 1" 1 "$V" --upstream "$FIXTURES/minigap" --no-patches \
	--expect "$EXPECT" --build-dir "$WORK/u" --platform cygwin --format json
check_q "cygwin only: one target" '[.targets[].platform] | join(",")' "cygwin"

# --- verify cannot run: exit 2, the step and the log named --------------------------
mkdir -p "$WORK/broken"
cp -R "$FIXTURES/minigap/." "$WORK/broken/"
printf '#!/bin/sh\necho "configure: error: no C compiler here" >&2\nexit 1\n' > "$WORK/broken/configure"
check_rc "configure fails: exit 2" 2 "$V" --upstream "$WORK/broken" --no-patches \
	--expect "$EXPECT" --build-dir "$WORK/b"
check_grep "configure fails: the step" "configure failed: ./configure failed (exit 1)" "$ERR"
check_grep "configure fails: the log" "log: $WORK/b/linux/build.log" "$ERR"
check_grep "configure fails: its last words" "no C compiler here" "$ERR"

check_rc "build dir inside the upstream: exit 2" 2 "$V" --upstream "$WORK/broken" --no-patches \
	--expect "$EXPECT" --build-dir "$WORK/broken/build-gap"
check_grep "build dir inside the upstream: said" "is inside the upstream directory" "$ERR"
# red-team R11: the upstream inside the build dir was cleared by the fresh
# build, hand edits and all; R5: a src/ verify never made was removed too
mkdir -p "$WORK/bu/linux" && cp -R "$FIXTURES/minigap" "$WORK/bu/linux/src" &&
	echo "/* my edit */" >>"$WORK/bu/linux/src/src/sysmem.c"
check_rc "upstream inside the build dir: exit 2" 2 "$V" --upstream "$WORK/bu/linux/src" --no-patches \
	--expect "$EXPECT" --build-dir "$WORK/bu"
check_grep "upstream inside the build dir: said" "holds the upstream directory" "$ERR"
check_grep "and the upstream is intact" "my edit" "$WORK/bu/linux/src/src/sysmem.c"
check_rc "a src/ verify did not make: exit 2" 2 "$V" --upstream "$FIXTURES/minigap" --no-patches \
	--expect "$EXPECT" --build-dir "$WORK/bu"
check_grep "a src/ verify did not make: said" "was not made by verify" "$ERR"
check_grep "and it is intact" "my edit" "$WORK/bu/linux/src/src/sysmem.c"

printf '[linux]\npool.mmap.flags has MAP_PRIVATE\npool.flagz lacks MAP_NORESERVE\n' > "$WORK/bad.conf"
check_rc "bad expectations: exit 2" 2 "$V" --upstream "$FIXTURES/minigap" --no-patches \
	--expect "$WORK/bad.conf" --build-dir "$WORK/u"
check_grep "bad expectations: file and line" "$WORK/bad.conf:3: unknown check 'pool.flagz'" "$ERR"

finish
