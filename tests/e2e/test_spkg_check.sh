#!/bin/sh
# test_spkg_check.sh - spkg-check after spkg-install on the minigap
# fixture: GAP's start-up test (make testinstall), the installed gap on a
# trivial input, and verify's probe on the installed binary (a stand-in
# verify that records its arguments; without one the probe is skipped,
# saying so); standalone, staged under DESTDIR, and inside a stand-in
# Sage; and each failure named.
. "$TESTS_ROOT/e2e/lib.sh"
ROOT=$(cd "$TESTS_ROOT/.." && pwd)
UP="$BIN_DIR/upstream"
W=$(scratch)
export APPLYPATCH="$BIN_DIR/applypatch"
# the fixture's configure takes CC/CFLAGS from the environment: build it
# with its own (-Werror), not with whatever the test run was given
unset SAGE_LOCAL SAGE_DESTDIR PREFIX DESTDIR UNAME MAKE PATCHES CFLAGS CPPFLAGS LDFLAGS LIBS VERIFY

P="$W/pkg"
mkdir -p "$P"
"$UP" prepare "$P/src" --dir "$FIXTURES/minigap" -q
cp -R "$FIXTURES/minigap-patches" "$P/patches"
(cd "$P" && PREFIX="$W/prefix" sh "$ROOT/spkg-install") >"$W/install.log" 2>&1 ||
	{ not_ok "spkg-install failed"; cat "$W/install.log"; finish; exit 1; }

# a verify stand-in: records how it was called, succeeds
cat >"$W/verify" <<EOF
#!/bin/sh
echo "\$@" >"$W/verify.args"
echo "probe: pool mapped MAP_PRIVATE|MAP_ANONYMOUS (stand-in)"
EOF
chmod +x "$W/verify"

spkg_check() { sh -c "cd '$P' && $* sh '$ROOT/spkg-check'"; }

check_rc "spkg-check passes on a good install" 0 spkg_check PREFIX="$W/prefix"
check_grep "it ran GAP's start-up test" "No errors detected while testing" "$OUT"
check_grep "and read its log" "testinstall: no failure line in src/dev/log/testinstall2_" "$OUT"
check_grep "it started the installed gap" "$W/prefix/bin/gap -q on '1+1;'" "$OUT"
check_grep "which answered 2" "it answered 2" "$OUT"
check_grep "without tools/verify the probe is skipped, saying so" "tools/verify is not built; skipping the pool probe" "$OUT"
check_grep "and it passes" "all checks passed" "$OUT"

check_rc "with verify, spkg-check runs its probe" 0 spkg_check PREFIX="$W/prefix" VERIFY="$W/verify"
check "on the installed binary, with its library" \
	test "$(cat "$W/verify.args")" = "--probe $W/prefix/bin/gap-bin --gap-root $W/prefix/share/gap"
check_grep "showing what it found" "probe: pool mapped" "$OUT"

# tools/verify in the package directory is found without VERIFY
mkdir -p "$P/tools"
cp "$W/verify" "$P/tools/verify"
rm -f "$W/verify.args"
check_rc "tools/verify in the package directory is used" 0 spkg_check PREFIX="$W/prefix"
check "with the installed binary" \
	test "$(cat "$W/verify.args")" = "--probe $W/prefix/bin/gap-bin --gap-root $W/prefix/share/gap"
rm -rf "$P/tools"

printf '#!/bin/sh\necho "probe: MAP_NORESERVE missing" >&2\nexit 1\n' >"$W/verify-fails"
chmod +x "$W/verify-fails"
check_rc "a failing probe fails spkg-check" 1 spkg_check PREFIX="$W/prefix" VERIFY="$W/verify-fails"
check_grep "naming the check" "failed at check 'verify --probe'" "$ERR"
check_grep "with the probe's words" "MAP_NORESERVE missing" "$ERR"

# staged under DESTDIR: the binary is run with the staged library
(cd "$P" && PREFIX=/opt/gap-check DESTDIR="$W/stage" sh "$ROOT/spkg-install") >/dev/null 2>&1
check_rc "spkg-check on a staged install" 0 spkg_check PREFIX=/opt/gap-check DESTDIR="$W/stage"
check_grep "runs the staged binary with the staged library" \
	"$W/stage/opt/gap-check/bin/gap-bin -l $W/stage/opt/gap-check/share/gap -q" "$OUT"
check_grep "which answered 2" "it answered 2" "$OUT"

# inside a stand-in Sage (SAGE_LOCAL/SAGE_DESTDIR name the install)
check_rc "spkg-check with Sage's variables" 0 \
	spkg_check SAGE_LOCAL=/opt/gap-check SAGE_DESTDIR="$W/stage" VERIFY="$W/verify"
check "the probe got the staged binary and library" test "$(cat "$W/verify.args")" = \
	"--probe $W/stage/opt/gap-check/bin/gap-bin --gap-root $W/stage/opt/gap-check/share/gap"

# failures
check_rc "no install: spkg-check says so" 1 spkg_check PREFIX="$W/nowhere"
check_grep "run spkg-install first" "no installed GAP at $W/nowhere/bin/gap-bin: run spkg-install first" "$ERR"
mv "$W/prefix/share/gap/lib/init.g" "$W/init.g"
check_rc "a broken install fails" 1 spkg_check PREFIX="$W/prefix"
check_grep "naming the check" "failed at check 'start installed gap'" "$ERR"
check_grep "with what gap said" "cannot find 'lib/init.g'" "$ERR"
mv "$W/init.g" "$W/prefix/share/gap/lib/init.g"
# GAP 4.10's make testinstall exits 0 when a test fails; only its log says so
cp "$P/src/tst/testinstall.g" "$W/testinstall.g.orig"
sed 's/^#> 142$/#> 143/' "$P/src/tst/testinstall.g" >"$W/t.g" && cp "$W/t.g" "$P/src/tst/testinstall.g"
rm -f "$P/src/dev/log/"testinstall*_*
check_rc "the fixture's make testinstall exits 0 on a failing test, as GAP 4.10's" 0 \
	make -C "$P/src" testinstall
# (GAP breaks a line over 80 columns with a backslash: joined again here)
awk '{ if (sub(/\\$/, "")) printf "%s", $0; else print }' "$P/src/dev/log/"testinstall2_* >"$W/joined.log"
check_grep "and its log has GAP's failure line" "^########> Diff in $P/src/tst/testinstall.g:7$" "$W/joined.log"
rm -f "$W/verify.args"
check_rc "a failing start-up test fails spkg-check although make exited 0" 1 \
	spkg_check PREFIX="$W/prefix" VERIFY="$W/verify"
check_grep "naming the check" "failed at check 'testinstall'" "$ERR"
check_grep "saying make exited 0" "GAP's tests failed although 'make testinstall' exited 0" "$ERR"
check_grep "naming the failing test file and line" "in $P/src/tst/testinstall.g:7" "$ERR"
check_grep "showing what differed" "| 142" "$ERR"
check "the probe still ran on the installed binary" \
	test "$(cat "$W/verify.args")" = "--probe $W/prefix/bin/gap-bin --gap-root $W/prefix/share/gap"
check_grep "and the installed gap was still started" "it answered 2" "$OUT"
check "not reported as passed" sh -c "! grep -q 'all checks passed' '$OUT'"
cp "$W/testinstall.g.orig" "$P/src/tst/testinstall.g"
sed 's/^#> 9999999999999999999800000000000000000001$/#> 1/' "$P/src/tst/testinstall/bigint.tst" >"$W/t.tst" &&
	cp "$W/t.tst" "$P/src/tst/testinstall/bigint.tst"
check_rc "a failure in another test file" 1 spkg_check PREFIX="$W/prefix"
check_grep "names that file" "in $P/src/tst/testinstall/bigint.tst:5" "$ERR"
check "and not the file that passed" sh -c "! grep -q 'Diff in .*testinstall.g' '$ERR'"
cp "$P/src/tst/testinstall/bigint.tst" "$W/bigint.tst.bad"
sed 's/^#> 1$/#> 9999999999999999999800000000000000000001/' "$W/bigint.tst.bad" >"$P/src/tst/testinstall/bigint.tst"
check_rc "fixed, spkg-check passes again (an earlier run's log is not read)" 0 spkg_check PREFIX="$W/prefix"
check_grep "saying the log had no failure" "testinstall: no failure line in src/dev/log/testinstall2_" "$OUT"
# GAP breaks lines at 80 columns with a backslash; a long test file name
# in a "Diff in" line is still named whole (found on real GAP 4.10.2)
LONG="$P/src/tst/testinstall/a-test-file-whose-name-is-long-enough-for-gap-to-break-its-diff-line.tst"
printf '1+1;\n#> 3\n' >"$LONG"
check_rc "a failure in a file whose Diff line GAP breaks" 1 spkg_check PREFIX="$W/prefix"
check "the log has the line broken with a backslash" grep -q '\\$' "$(ls "$P/src/dev/log/"testinstall2_* | head -n 1)"
check_grep "spkg-check names the file whole" "in $LONG:1" "$ERR"
rm -f "$LONG"
# make testinstall that writes no log: unknown is not passed
printf '#!/bin/sh\necho "a make that runs nothing"\n' >"$W/make-nolog"
chmod +x "$W/make-nolog"
check_rc "no testinstall2 log: spkg-check fails" 1 spkg_check PREFIX="$W/prefix" MAKE="$W/make-nolog"
check_grep "saying the result is unknown" "wrote no src/dev/log/testinstall2_\* log" "$ERR"

finish
