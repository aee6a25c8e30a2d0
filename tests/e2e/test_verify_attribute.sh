#!/bin/sh
# verify --attribute end to end on the minigap fixture (issue 16 item 3):
# each patch left out in turn, per target. The pool patch is needed for the
# pool checks of the emulated Cygwin target, the ensure-bag patch for
# gmp.fresh_bags, and a patch that only rewords a comment (added here) for
# nothing: "unneeded", and --fail-on unneeded exits 1. The patch selected
# for every platform (install-targets, a build-system change) is left out
# of a native build too. PATCHES/attribution is written; a variant that
# cannot be built (a later patch needs the one left out) is "not measured"
# and the file is not written. Item 4: on an upstream that merged the fixes
# (made here from minigap), --no-patches calls both patches "not needed
# upstream", and applypatch drift --verify-report turns their conflicts
# into "conflict; behaviour present upstream".
. "$TESTS_ROOT/e2e/lib.sh"
V="$BIN_DIR/verify"
EXPECT="$TESTS_ROOT/../expectations.conf"
WORK=$(scratch)
trap 'rm -rf "$WORK"; cleanup' EXIT

check_q() {
	_got=$(jq -r "$2" "$OUT")
	if [ "$_got" = "$3" ]; then ok "$1"; else not_ok "$1 (got '$_got', wanted '$3')"; fi
}
# the entry for patch $1 on platform $2: jq expression over it
entry() { printf '.patches[] | select(.name == "%s" and .platform == "%s")' "$1" "$2"; }

# the series: the fixture's, and a comment-only patch last ([cygwin])
S="$WORK/series"
cp -R "$FIXTURES/minigap-patches" "$S"
mkdir -p "$WORK/d/a/src" "$WORK/d/b/src"
cp "$FIXTURES/minigap/src/sysmem.c" "$WORK/d/a/src/"
sed '2s/carves from\./carves from (reworded: changes no code)./' \
	"$FIXTURES/minigap/src/sysmem.c" > "$WORK/d/b/src/sysmem.c"
(cd "$WORK/d" && diff -u a/src/sysmem.c b/src/sysmem.c) > "$S/cygwin/comment-only.patch"
check "comment-only patch made" grep -q "changes no code" "$S/cygwin/comment-only.patch"
echo "cygwin/comment-only.patch -p1 # [cygwin]" >> "$S/series"

ENEED='[.patches[] | select(.verdict == "needed") | .name] | unique | join(",")'

check_rc "attribute: exit 0 (every expectation holds)" 0 "$V" --upstream "$FIXTURES/minigap" \
	--patches "$S" --expect "$EXPECT" --build-dir "$WORK/b" --attribute --format json -q
check "attribute: JSON parses" jq -e . "$OUT"
cp "$OUT" "$WORK/loo.json"
check_q "attribute: the whole series passes" '[.targets[].status] | join(",")' "pass,pass"
check_q "attribute: one entry per patch and target selecting it" \
	'[.patches[] | .name + "@" + .platform] | join(" ")' \
	"install-targets.patch@linux install-targets.patch@cygwin cygwin/cygwin-ensure-bag.patch@cygwin cygwin/cygwin-pool-noreserve.patch@cygwin cygwin/comment-only.patch@cygwin"
check_q "attribute: ensure-bag is needed for gmp.fresh_bags" \
	"$(entry cygwin/cygwin-ensure-bag.patch cygwin) | .verdict + \": \" + (.needed_for | join(\",\"))" \
	"needed: gmp.fresh_bags"
check_q "attribute: the pool patch is needed for the pool checks" \
	"$(entry cygwin/cygwin-pool-noreserve.patch cygwin) | .needed_for | sort | join(\",\")" \
	"fork.commit,pool.commit,pool.default,pool.mmap.flags,pool.vmflags"
check_q "attribute: ... and not for gmp.fresh_bags" \
	"$(entry cygwin/cygwin-pool-noreserve.patch cygwin) | .needed_for | index(\"gmp.fresh_bags\")" \
	"null"
check_q "attribute: the comment-only patch is unneeded" \
	"$(entry cygwin/comment-only.patch cygwin) | .verdict + \" \" + (.needed_for | length | tostring)" \
	"unneeded 0"
check_q "attribute: install-targets is unneeded natively" \
	"$(entry install-targets.patch linux) | .mode + \" \" + .verdict" "native unneeded"
check_q "attribute: ... built natively without it" \
	"$(entry install-targets.patch linux) | .binary" \
	"$WORK/b/without-install-targets.patch/linux/src/gap"
check "attribute: ... and that tree lacks its targets" \
	sh -c "! grep -q '^install-headers:' '$WORK/b/without-install-targets.patch/linux/src/Makefile.rules'"
check_q "attribute: the cygwin-only variants reuse the whole native build" \
	"$(entry cygwin/cygwin-ensure-bag.patch cygwin) | .binary" \
	"$WORK/b/without-cygwin_cygwin-ensure-bag.patch/gap-cygwin-emulated"
check "attribute: ... whose emulation still rebuilt integer.c (named by the whole series)" \
	grep -q "src/integer.c" "$WORK/b/without-cygwin_cygwin-ensure-bag.patch/cygwin-emulated/units"
check "attribute: ... without ensure-bag's change" \
	sh -c "! grep -q 'ENSURE_BAG(prod)' '$WORK/b/without-cygwin_cygwin-ensure-bag.patch/cygwin-emulated/overlay/src/integer.c'"
check_q "attribute: needed patches" "$ENEED" \
	"cygwin/cygwin-ensure-bag.patch,cygwin/cygwin-pool-noreserve.patch"
check_q "attribute: the file written" '.attribution.file' "$S/attribution"

A="$S/attribution"
check_grep "attribution: documented" "^# Written by \`verify --attribute\`" "$A"
check_grep "attribution: measured on minigap" "^measured-on minigap dir:sha256:" "$A"
check_grep "attribution: ensure-bag line" \
	"^cygwin/cygwin-ensure-bag.patch cygwin emulated: gmp.fresh_bags$" "$A"
check_grep "attribution: the pool patch line" \
	"^cygwin/cygwin-pool-noreserve.patch cygwin emulated: .*pool.mmap.flags" "$A"
check_grep "attribution: unneeded: nothing after the colon" \
	"^cygwin/comment-only.patch cygwin emulated:$" "$A"

# --- "upstream no longer needs this patch" (issue 16 item 4) ----------------------
# an upstream that merged both Cygwin fixes, its own way (names changed, so
# the patches no longer apply): --no-patches reads the attribution kept with
# the series and calls both not needed upstream
M="$WORK/merged"
cp -R "$FIXTURES/minigap" "$M"
for p in cygwin/cygwin-ensure-bag.patch cygwin/cygwin-pool-noreserve.patch; do
	patch -s -d "$M" -p1 < "$S/$p" || not_ok "merging $p"
done
sed -i 's/SY_POOL_MMAP_FLAGS/SY_POOL_FLAGS/g; s/ENSURE_BAG/EnsureBag/g' "$M"/src/*.c "$M"/src/*.h
check_rc "merged upstream, --no-patches: exit 0" 0 "$V" --upstream "$M" --no-patches \
	--patches "$S" --expect "$EXPECT" --build-dir "$WORK/m" --format json -q
check_q "merged: the attribution read back" '.attribution.kind + " " + .attribution.file' \
	"upstream $S/attribution"
check_q "merged: this upstream named" '.attribution.upstream | split(" ")[0]' "merged"
check_q "merged: measured where the series applies" '.attribution.measured_on | split(" ")[0]' \
	"minigap"
check_q "merged: the pool patch is not needed upstream" \
	"$(entry cygwin/cygwin-pool-noreserve.patch cygwin) | .verdict" "not needed upstream"
check_q "merged: the ensure-bag patch is not needed upstream" \
	"$(entry cygwin/cygwin-ensure-bag.patch cygwin) | .verdict" "not needed upstream"
check_q "merged: the comment-only patch was needed for no check" \
	"$(entry cygwin/comment-only.patch cygwin) | .verdict" "needed for no check"
check_q "merged: the emulation is complete (units from the series)" \
	'[.targets[].status] | join(",")' "pass,pass"
cp "$OUT" "$WORK/merged.json"
check_rc "merged, text: exit 0" 0 "$V" --upstream "$M" --no-patches \
	--patches "$S" --expect "$EXPECT" --build-dir "$WORK/m" -q
check_grep "merged, text: the verdict" \
	"cygwin/cygwin-pool-noreserve.patch (cygwin emulated): not needed upstream: passes here unpatched: " "$OUT"

# the upstream as it is: the pool patch is still needed; ensure-bag's check
# passes only because there is no pool at all, so it is not called unneeded
check_rc "unpatched upstream, --no-patches: exit 1" 1 "$V" --upstream "$FIXTURES/minigap" \
	--no-patches --patches "$S" --expect "$EXPECT" --build-dir "$WORK/m" --format json -q
check_q "unpatched: the pool patch is still needed" \
	"$(entry cygwin/cygwin-pool-noreserve.patch cygwin) | .verdict + \": \" + (.failing | join(\",\"))" \
	"still needed: pool.default,pool.mmap.flags,pool.vmflags,pool.commit,fork.commit"
check_q "unpatched: ensure-bag undecided" \
	"$(entry cygwin/cygwin-ensure-bag.patch cygwin) | .verdict" \
	"passes unpatched, but another patch is still needed"
cp "$OUT" "$WORK/unpatched.json"

# --- drift --verify-report: the verdicts in the drift matrix ---------------------
check_rc "drift on the merged upstream: exit 1 (the patches no longer apply)" 1 "$AP" drift \
	--patches "$S" --platform cygwin "$M"
check_rc "drift --verify-report: exit 0 (the conflicts are expected)" 0 "$AP" drift \
	--patches "$S" --platform cygwin "$M" --verify-report "$WORK/merged.json"
check_grep "drift --verify-report: the pool patch's conflict explained" \
	"^cygwin/cygwin-pool-noreserve.patch at merged: [a-z-]*; behaviour present upstream (verify: not needed upstream)" "$OUT"
check_grep "drift --verify-report: ensure-bag's too" \
	"^cygwin/cygwin-ensure-bag.patch at merged: conflict; behaviour present upstream (verify: not needed upstream)" "$OUT"
check_grep "drift --verify-report: marked expected" "^cygwin/cygwin-ensure-bag.patch *FAIL\*" "$OUT"
check_rc "drift --verify-report, JSON: exit 0" 0 "$AP" drift --patches "$S" --platform cygwin \
	"$M" --verify-report "$WORK/merged.json" --format json
check_q "drift JSON: the cell carries verify's verdict" \
	'.patches[] | select(.name == "cygwin/cygwin-ensure-bag.patch") | .cells[0] | .status + "/" + (.expected | tostring) + "/" + .verify' \
	"conflict/true/not needed upstream"
check_rc "drift, two versions, two reports: exit 0" 0 "$AP" drift --patches "$S" \
	--platform cygwin "$FIXTURES/minigap" "$M" --verify-report "$WORK/merged.json" \
	--verify-report "$WORK/unpatched.json"
check_grep "drift: still needed where it applies" \
	"^cygwin/cygwin-pool-noreserve.patch at minigap: applies; verify: still needed: fails unpatched: pool.default, " "$OUT"
check_rc "drift, a report for no column: exit 1 (conflicts stay failures)" 1 "$AP" drift \
	--patches "$S" --platform cygwin "$M" --verify-report "$WORK/unpatched.json"
check_grep "drift, a report for no column: a warning" \
	"verify's verdicts are for 'minigap', which is no column here" "$OUT"
check_rc "drift, a leave-one-out report: exit 2" 2 "$AP" drift --patches "$S" --platform cygwin \
	"$M" --verify-report "$WORK/loo.json"
check_grep "drift, a leave-one-out report: said" "a leave-one-out report (verify --attribute)" "$ERR"
printf '{"targets": [' > "$WORK/bad.json"
check_rc "drift, not JSON: exit 2" 2 "$AP" drift --patches "$S" --platform cygwin "$M" \
	--verify-report "$WORK/bad.json"
check_grep "drift, not JSON: file, line and column" "$WORK/bad.json: not JSON: line 1, column 14" "$ERR"
check_rc "apply --verify-report: exit 2" 2 "$AP" apply --verify-report "$WORK/merged.json"
check_grep "apply --verify-report: said" "verify-report belongs to drift" "$ERR"

# --fail-on unneeded: the same run (variants reused) fails, naming the patch
check_rc "fail-on unneeded: exit 1" 1 "$V" --upstream "$FIXTURES/minigap" \
	--patches "$S" --expect "$EXPECT" --build-dir "$WORK/b" --attribute \
	--fail-on unneeded -q
check_grep "fail-on unneeded: text names the verdict" \
	"cygwin/comment-only.patch (cygwin emulated): unneeded: no check fails without it" "$OUT"
check_grep "fail-on unneeded: text names the checks" \
	"cygwin/cygwin-ensure-bag.patch (cygwin emulated): needed: fails without it: gmp.fresh_bags" "$OUT"
check_grep "fail-on unneeded: the summary says why" \
	"verify: every expectation holds, but a patch is needed for none" "$OUT"
check_grep "fail-on unneeded: stderr names the patch" \
	"verify: cygwin/comment-only.patch is needed for no check (--fail-on unneeded)" "$ERR"

# without the useless patch, --fail-on unneeded passes (install-targets
# aside: the cygwin target only, where it is left out of the native build)
grep -v -e comment-only -e install-targets "$S/series" > "$WORK/series2"
mkdir -p "$WORK/s2" && cp -R "$S/cygwin" "$WORK/s2/" && cp "$WORK/series2" "$WORK/s2/series"
check_rc "only needed patches: --fail-on unneeded exits 0" 0 "$V" --upstream "$FIXTURES/minigap" \
	--patches "$WORK/s2" --expect "$EXPECT" --build-dir "$WORK/b" --attribute \
	--fail-on unneeded --platform cygwin --format json -q
check_q "only needed patches: two entries, both needed" '[.patches[].verdict] | join(",")' \
	"needed,needed"

# a patch that a later one needs: leaving it out leaves no series to build
S3="$WORK/s3"
mkdir -p "$S3/cygwin" "$WORK/d/c/src"
cp "$S/cygwin/comment-only.patch" "$S3/cygwin/"
sed '2s/(reworded: changes no code)/(reworded twice)/' "$WORK/d/b/src/sysmem.c" > "$WORK/d/c/src/sysmem.c"
(cd "$WORK/d" && diff -u b/src/sysmem.c c/src/sysmem.c) | sed 's|^+++ c/|+++ b/|; s|^--- b/|--- a/|' \
	> "$S3/cygwin/reword-again.patch"
printf 'cygwin/comment-only.patch -p1 # [cygwin]\ncygwin/reword-again.patch -p1 # [cygwin]\n' \
	> "$S3/series"
check_rc "dependent patches: exit 1 (the cygwin checks fail, unpatched pool)" 1 "$V" \
	--upstream "$FIXTURES/minigap" --patches "$S3" --expect "$EXPECT" --build-dir "$WORK/b" \
	--attribute --platform cygwin --format json -q
check_q "dependent: the first patch not measured" \
	"$(entry cygwin/comment-only.patch cygwin) | .verdict" "not measured"
check_q "dependent: ... because the series without it does not apply" \
	"$(entry cygwin/comment-only.patch cygwin) | .error | test(\"does not apply.*reword-again.patch\")" \
	"true"
check_q "dependent: the file not written" '.attribution.file_error' \
	"1 variant(s) could not be measured"
check "dependent: no attribution file" test ! -e "$S3/attribution"
check_grep "dependent: stderr says so" "verify: the attribution: 1 variant(s) could not be measured" "$ERR"

# usage
check_rc "attribute with --no-patches: exit 2" 2 "$V" --upstream "$FIXTURES/minigap" \
	--no-patches --attribute --expect "$EXPECT" --build-dir "$WORK/b"
check_grep "attribute with --no-patches: said" "does not go with --no-patches" "$ERR"
check_rc "fail-on without attribute: exit 2" 2 "$V" --upstream "$FIXTURES/minigap" \
	--patches "$S" --fail-on unneeded --expect "$EXPECT" --build-dir "$WORK/b"
check_grep "fail-on without attribute: said" "goes with --attribute" "$ERR"
check_rc "fail-on something else: exit 2" 2 "$V" --fail-on drift --attribute
check_grep "fail-on something else: said" "the one failure to choose is unneeded" "$ERR"
check_rc "attribute without a series: exit 2" 2 sh -c 'cd "$1" && shift && exec "$@"' _ "$WORK" \
	"$V" --upstream "$FIXTURES/minigap" --attribute --expect "$EXPECT" --build-dir "$WORK/b"
check_grep "attribute without a series: said" "needs a series: no ./patches" "$ERR"

# red-team 3 T6: the same series as a conda recipe (meta.yaml, no series
# file): every variant is measured, with the verdicts of the series file
C="$WORK/conda"
cp -R "$FIXTURES/minigap-patches" "$C" && rm "$C/series"
cat >"$C/meta.yaml" <<'YAML'
package:
  name: minigap
source:
  url: https://example/minigap.tar.gz
  patches:
    - install-targets.patch
    - cygwin/cygwin-ensure-bag.patch      # [cygwin]
    - cygwin/cygwin-pool-noreserve.patch  # [cygwin]
YAML
check_rc "attribute, conda recipe: exit 0" 0 "$V" --upstream "$FIXTURES/minigap" \
	--patches "$C" --expect "$EXPECT" --build-dir "$WORK/bc" --attribute --format json -q
check_q "attribute, conda recipe: every variant measured" \
	'[.patches[] | select(.verdict == "not measured")] | length' "0"
check_q "attribute, conda recipe: ensure-bag is needed for gmp.fresh_bags" \
	"$(entry cygwin/cygwin-ensure-bag.patch cygwin) | .verdict + \": \" + (.needed_for | join(\",\"))" \
	"needed: gmp.fresh_bags"

finish
