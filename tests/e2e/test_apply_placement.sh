#!/bin/sh
# Where applypatch puts each hunk, end to end: exact, offset (nearest copy
# first), fuzz only when --fuzz allows it, already applied, partly applied
# (refused), and a conflict reported with its nearest partial match; JSON
# fields checked with jq. Every failing run leaves the tree byte-identical.
. "$TESTS_ROOT/e2e/lib.sh"
cases_start

# one PATCH: $T is base/ plus place/tree/, $P a patches directory holding
# only place/patches/PATCH (no series: the directory convention).
one() {
	newtree
	cp -R "$E2E/base/." "$E2E/place/tree/." "$T/"
	cp "$E2E/place/patches/$1" "$P/"
}

# hunk JQ-FILTER: true for the first hunk of the first file in $OUT.
hunk() { jq -e ".patches[0].files[0].hunks[0] | $1" "$OUT"; }

# --- exact ----------------------------------------------------------------------

one exact.patch
check_rc "exact: exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux -f json
check "exact: outcome exact, offset 0, line 7" hunk '.outcome == "exact" and .offset == 0 and .fuzz == 0 and .line == 7'
check "exact: the line changed" grep -qx "entry 10: JUNIPER" "$T/data.txt"
check_rc "exact, verbose text: exit 0" 0 "$AP" unapply -d "$T"
check_rc "exact, verbose text: apply exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux -v
check_grep "exact, verbose: says exact at line 7" "data.txt: hunk 1 (.*exact.patch:4) exact at line 7" "$OUT"

# --- offsets --------------------------------------------------------------------

one offset-plus.patch
check_rc "offset +5: exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux -f json
check "offset +5: outcome offset, +5, line 27" hunk '.outcome == "offset" and .offset == 5 and .line == 27'
check "offset +5: entry 30 changed" grep -qx "entry 30: ELM" "$T/data.txt"

one offset-minus.patch
check_rc "offset -7: exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
check_grep "offset -7: text says offset -7" "data.txt: hunk 1 (.*offset-minus.patch:4) offset -7 at line 37" "$OUT"
check "offset -7: entry 40 changed" grep -qx "entry 40: ORCHID" "$T/data.txt"

one nearest.patch
check_rc "two matches: exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux -f json
check "two matches: the nearer one (+2), not the one 25 lines up" hunk '.outcome == "offset" and .offset == 2 and .line == 32'
check "two matches: the first copy is untouched" [ "$(sed -n 8p "$T/twice.txt")" = "	memset(pool_base, 0, n);" ]
check "two matches: the second copy changed" [ "$(sed -n 35p "$T/twice.txt")" = "	memset(pool_base, 0xff, n);" ]

# --- fuzz: never by default ----------------------------------------------------------

one fuzz1.patch
before=$(tree_state "$T")
check_rc "fuzz 1 needed, none allowed: exit 1" 1 "$AP" apply -d "$T" --patches "$P" -P linux
check_grep "fuzz 1 needed: hunk failed, nearest match named" \
	"data.txt: hunk 1 (.*fuzz1.patch:4) FAILED; nearest partial match at line 47 (6 of 7 lines match)" "$OUT"
check "fuzz 1 needed: tree untouched, nothing left behind" [ "$before" = "$(tree_state "$T")" ]
check_rc "fuzz 1 needed, --fuzz 1: exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux --fuzz 1 -f json
check "fuzz 1: outcome fuzz, fuzz 1, line 47" hunk '.outcome == "fuzz" and .fuzz == 1 and .line == 47'
check "fuzz 1: entry 50 changed" grep -qx "entry 50: YEW" "$T/data.txt"
check "fuzz 1: entry 47 kept as the tree had it" grep -qx "entry 47: vetch" "$T/data.txt"

one fuzz1.patch
check_rc "fuzz 1, github format: exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux -F 1 -f github
check_grep "fuzz 1, github: a warning at the hunk" "^::warning file=$P/fuzz1.patch,line=4::.*fuzz 1" "$OUT"

one fuzz2.patch
before=$(tree_state "$T")
check_rc "fuzz 2 needed, --fuzz 1: exit 1" 1 "$AP" apply -d "$T" --patches "$P" -P linux --fuzz 1 -f json
check "fuzz 2 needed, --fuzz 1: failed, near match 5 of 7 at 17" \
	hunk '.outcome == "failed" and .near_match.line == 17 and .near_match.matched == 5 and .near_match.of == 7'
check "fuzz 2 needed, --fuzz 1: tree untouched" [ "$before" = "$(tree_state "$T")" ]
check_rc "fuzz 2 needed, --fuzz 2: exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux --fuzz 2
check_grep "fuzz 2: text says fuzz 2" "data.txt: hunk 1 (.*fuzz2.patch:4) fuzz 2.* at line 17" "$OUT"

# --- already applied ------------------------------------------------------------------

one already.patch
before=$(snapshot "$T")
check_rc "already applied: exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux -f json
check "already applied: patch status present-before" jq -e '.patches[0].status == "present-before"' "$OUT"
check "already applied: hunk outcome already-applied at 22" hunk '.outcome == "already-applied" and .line == 22'
check "already applied: no file changed" [ "$before" = "$(snapshot "$T")" ]
check_rc "already applied, again: exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
check_grep "already applied, again: nothing to do" "already applied, nothing to do" "$OUT"
check_rc "already applied: unapply exit 0" 0 "$AP" unapply -d "$T"
check "already applied: unapply leaves data.txt as it was" [ "$before" = "$(snapshot "$T")" ]

# --- partly applied: refused, the tree says one thing and the patch another ----------

one partly.patch
before=$(tree_state "$T")
check_rc "partly applied: exit 1" 1 "$AP" apply -d "$T" --patches "$P" -P linux -f json
check "partly applied: failed, says partly applied" \
	jq -e '.patches[0] | .status == "failed" and (.reason | test("partly applied"))' "$OUT"
check "partly applied: hunk 1 already-applied, hunk 2 exact" \
	jq -e '[.patches[0].files[0].hunks[].outcome] == ["already-applied", "exact"]' "$OUT"
check "partly applied: tree untouched" [ "$before" = "$(tree_state "$T")" ]
check_rc "partly applied, text: exit 1" 1 "$AP" apply -d "$T" --patches "$P" -P linux
check_grep "partly applied, text: the reason" "partly applied already" "$OUT"

# --- a conflict ---------------------------------------------------------------------------

one conflict.patch
before=$(tree_state "$T")
for fz in 0 2; do
	check_rc "conflict, --fuzz $fz: exit 1" 1 "$AP" apply -d "$T" --patches "$P" -P linux --fuzz $fz -f json
	check "conflict, --fuzz $fz: failed, nearest match at line 53" \
		hunk '.outcome == "failed" and .line == 53 and .near_match.line == 53'
	check "conflict, --fuzz $fz: patch failed, 1 of 1 hunk" \
		jq -e '.patches[0] | .status == "failed" and .reason == "1 of 1 hunk failed"' "$OUT"
done
check_rc "conflict, junit: exit 1" 1 "$AP" apply -d "$T" --patches "$P" -P linux -f junit
check "conflict, junit: valid, one testcase with a failure" \
	sh -c 'xmllint --noout --schema "$2" "$1" && [ "$(xmllint --xpath "count(//testcase[failure])" "$1")" = 1 ]' sh "$OUT" "$JUNIT_XSD"
check "conflict: tree untouched after every run" [ "$before" = "$(tree_state "$T")" ]

finish
