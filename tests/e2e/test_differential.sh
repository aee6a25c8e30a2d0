#!/bin/sh
# The differential test against GNU patch (tests/diff/run.py) with a fixed
# seed: at least 1000 generated cases, none may disagree, and the mix of
# cases must still be what makes the comparison worth having (offsets,
# conflicts, creations, deletions, missing final newlines, last lines ending
# in "\r" without "\n" (creol), a hunk's post-image also elsewhere in the
# tree with its pre-image in place (elsewhere), a deletion of lines that
# begin like its trailing context, written without sliding it down
# (selfsim: bench/run's 0040), both diff tools).
# More by hand:  DIFF_CASES=20000 DIFF_SEED=7 sh tests/e2e/run.sh
#           or:  python3 tests/diff/run.py --applypatch DIR/applypatch --seed 7 --cases 20000 -v
. "$TESTS_ROOT/e2e/lib.sh"

cases=${DIFF_CASES:-1000}
seed=${DIFF_SEED:-20240501}

if ! command -v python3 >/dev/null 2>&1 || ! command -v patch >/dev/null 2>&1; then
	echo "ok # SKIP the differential test needs python3 and GNU patch"
	exit 0
fi
check "GNU patch is GNU patch" sh -c 'patch --version | grep -q "GNU patch"'

check_rc "differential, seed $seed, $cases cases: exit 0" 0 \
	python3 "$TESTS_ROOT/diff/run.py" --applypatch "$AP" --seed "$seed" --cases "$cases"
sed 's/^/# /' "$OUT"
summary=$(grep '^differential: ' "$OUT")
passed=$(echo "$summary" | sed -n 's/^differential: \([0-9]*\) passed.*/\1/p')
failed=$(echo "$summary" | sed -n 's/.* passed, \([0-9]*\) failed.*/\1/p')
skipped=$(echo "$summary" | sed -n 's/.*(\([0-9]*\) skipped.*/\1/p')
check "differential: a summary line" [ -n "$passed$failed$skipped" ]
check "differential: no disagreement" [ "${failed:-1}" -eq 0 ]
check "differential: every case counted" [ "$((${passed:-0} + ${failed:-0} + ${skipped:-0}))" -eq "$cases" ]
check "differential: under 5% skipped for fuzz or reversal" [ "$((${skipped:-$cases} * 20))" -lt "$cases" ]

applied=$(sed -n 's/.*of the passed: \([0-9]*\) applied by both.*/\1/p' "$OUT")
refused=$(sed -n 's/.* \([0-9]*\) refused by both.*/\1/p' "$OUT")
check "differential: most cases applied by both" [ "${applied:-0}" -ge $((cases / 2)) ]
check "differential: some cases refused by both" [ "${refused:-0}" -ge $((cases / 20)) ]
for want in "diff 40" "git 40" "offset 25" "conflict 5" "create 5" "delete 5" "noeol 10" "creol 3" \
	"elsewhere 3" "selfsim 3" "repeats 5"; do
	word=${want% *}
	got=$(sed -n "s/.*cases:.* $word \([0-9]*\).*/\1/p" "$OUT")
	check "differential: at least ${want#* }% of the cases are '$word' (got ${got:-none})" \
		[ "$((${got:-0} * 100))" -ge "$((cases * ${want#* }))" ]
done

finish
