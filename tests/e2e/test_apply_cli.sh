#!/bin/sh
# applypatch's command line and reports, end to end: usage errors, the four
# commands on the basic two-patch series, every output format (JSON read
# back with jq, JUnit checked with xmllint, GitHub annotations), colour only
# on a terminal, --dry-run, modes kept, exact unapply.
. "$TESTS_ROOT/e2e/lib.sh"
E2E="$FIXTURES/e2e"
WORK=$(scratch)
trap 'rm -rf "$WORK"; cleanup' EXIT
umask 022

# newcase CASE: $T is a fresh tree: base/, CASE/tree/ laid over it, and
# CASE/patches/ as $T/patches.

# Everything under a tree: paths, modes, bytes, and the state directory.

# The files of a tree (not patches/ nor .applypatch/), each with whether it
# is executable and its digest. Empty directories do not count.

# matches_expect CASE: $T holds exactly the files of CASE/expect/.

has_no_escape() { ! grep -q "$(printf '\033')" "$1"; }
has_escape() { grep -q "$(printf '\033')" "$1"; }

# --- usage ------------------------------------------------------------------

check_rc "--help exits 0" 0 "$AP" --help
check_grep "--help lists unapply" "unapply \[-d TREE\]" "$OUT"
check_grep "--help gives the exit statuses" "2 usage or I/O error" "$OUT"
check_rc "--version exits 0" 0 "$AP" --version
check_grep "--version names the tool" "^applypatch " "$OUT"

newcase basic
pristine=$(tree_state "$T")
check_rc "no command: exit 2" 2 "$AP"
check_grep "no command: says one is needed" "a command is needed" "$ERR"
check_rc "unknown command: exit 2" 2 "$AP" frobnicate -d "$T"
check_grep "unknown command: named" "unknown command 'frobnicate'" "$ERR"
check_rc "unknown option: exit 2" 2 "$AP" apply -d "$T" --bogus
check_grep "unknown option: points at --help" "Try 'applypatch --help'" "$ERR"
check_rc "--fuzz abc: exit 2" 2 "$AP" apply -d "$T" --fuzz abc
check_grep "--fuzz abc: says what is wanted" "fuzz needs a number from 0 to 100, not 'abc'" "$ERR"
check_rc "--fuzz -1: exit 2" 2 "$AP" apply -d "$T" --fuzz -1
check_grep "--fuzz -1: refused" "not '-1'" "$ERR"
check_rc "--format xml: exit 2" 2 "$AP" apply -d "$T" --format xml
check_grep "--format xml: named" "unknown format 'xml'" "$ERR"
check_rc "--platform plan9: exit 2" 2 "$AP" apply -d "$T" --platform plan9
check_grep "--platform plan9: named" "unknown platform 'plan9'" "$ERR"
check_rc "stray argument: exit 2" 2 "$AP" apply -d "$T" extra
check_grep "stray argument: named" "unexpected argument 'extra'" "$ERR"
check_rc "missing tree: exit 2" 2 "$AP" apply -d "$WORK/no-such-tree" -P linux
check_grep "missing tree: names the directory" "no-such-tree" "$ERR"
check_rc "missing --patches dir: exit 2" 2 "$AP" apply -d "$T" --patches "$WORK/no-such-dir" -P linux
check_grep "missing --patches dir: names it" "patches directory .*no-such-dir: No such file" "$ERR"
echo "not a directory" >"$WORK/plain-file"
check_rc "tree is a file: unapply exit 2" 2 "$AP" unapply -d "$WORK/plain-file"
check_grep "tree is a file: says so" "cannot open tree .*plain-file: Not a directory" "$ERR"
check_rc "tree is a file: status exit 2" 2 "$AP" status -d "$WORK/plain-file"
check_rc "tree is a file: apply exit 2" 2 "$AP" apply -d "$WORK/plain-file" -P linux
check "usage errors leave the tree untouched" [ "$pristine" = "$(tree_state "$T")" ]

# --- -p is the strip level, as in patch and quilt ----------------------------

S="$WORK/strip"
mkdir -p "$S/patches"
printf 'one\n' >"$S/a.txt"
printf 'two\n' >"$S/b.txt"
printf -- '--- a.txt\n+++ a.txt\n@@ -1 +1 @@\n-one\n+ONE\n' >"$S/patches/p0.patch"
printf -- '--- x/y/b.txt\n+++ x/y/b.txt\n@@ -1 +1 @@\n-two\n+TWO\n' >"$S/patches/p2.patch"
printf 'p0.patch\np2.patch -p2\n' >"$S/patches/series"
before=$(tree_state "$S")
check_rc "-p abc: exit 2" 2 "$AP" apply -d "$S" -P linux -p abc
check_grep "-p abc: says -p is the strip level and where the patches option went" \
	"strip level.*not 'abc'.*--patches DIR" "$ERR"
check_rc "no -p: a -p0 patch read with -p1 fails, exit 1" 1 "$AP" apply -d "$S" -P linux
check "no -p: nothing written" [ "$before" = "$(tree_state "$S")" ]
check_rc "list -p0: exit 0" 0 "$AP" list -d "$S" -P linux -p0 -f json
check "list -p0: strip 0 for the plain line, 2 where the series says -p2" \
	jq -e '[.patches[].strip] == [0, 2]' "$OUT"
check_rc "apply -p0: exit 0" 0 "$AP" apply -d "$S" -P linux -p0
check "apply -p0: a.txt patched" grep -q ONE "$S/a.txt"
check "apply -p0: the series' -p2 wins for b.txt" grep -q TWO "$S/b.txt"
check_rc "apply -p 0 again: already applied, exit 0" 0 "$AP" apply -d "$S" -P linux -p 0
check_rc "unapply: exit 0" 0 "$AP" unapply -d "$S"
check_rc "--strip 0 -Q DIR: exit 0" 0 "$AP" apply -d "$S" --strip 0 -Q "$S/patches" -P linux
check "--strip 0 -Q DIR: a.txt patched" grep -q ONE "$S/a.txt"

# --- list -----------------------------------------------------------------

check_rc "list: exit 0" 0 "$AP" list -d "$T" -P linux
check_grep "list: first patch numbered 1" "1  01-pool-size.patch" "$OUT"
check_grep "list: second patch numbered 2" "2  02-notes-build.patch" "$OUT"
check_rc "list --patches: exit 0" 0 "$AP" list --patches "$T/patches" -P linux -f json
check "list json: two selected patches, strip 1" \
	jq -e '[.patches[] | select(.selected and .strip == 1)] | length == 2' "$OUT"
check "list writes nothing" [ "$pristine" = "$(tree_state "$T")" ]

# --- dry run ----------------------------------------------------------------

check_rc "dry run: exit 0" 0 "$AP" apply -d "$T" -P linux --dry-run
check_grep "dry run: says nothing was written" "nothing was written" "$OUT"
check_grep "dry run: still reports the offset" "offset +2 at line 24" "$OUT"
check "dry run: tree and state untouched" [ "$pristine" = "$(tree_state "$T")" ]

# --- apply, text ------------------------------------------------------------

check_rc "apply: exit 0" 0 "$AP" apply -d "$T" -P linux
check_grep "apply: header names tree and platform" "(linux, 2 of 2 patches selected)" "$OUT"
check_grep "apply: patch 1 applied" "01-pool-size.patch  *applied" "$OUT"
check_grep "apply: the offset hunk is reported" \
	"src/pool.c: hunk 2 (.*01-pool-size.patch:14) offset +2 at line 24" "$OUT"
check_grep "apply: counts the files written" "3 files written" "$OUT"
check "apply: no colour when stdout is not a terminal" has_no_escape "$OUT"
check "apply: files as expected (bytes and modes)" matches_expect basic
check "apply: build.sh stays 755" [ "$(stat -c %a "$T/build.sh")" = 755 ]
check "apply: pool.c stays 644" [ "$(stat -c %a "$T/src/pool.c")" = 644 ]
check "apply: state record written" [ -f "$T/.applypatch/state" ]
applied=$(tree_state "$T")

check_rc "re-run: exit 0" 0 "$AP" apply -d "$T" -P linux
check_grep "re-run: says there is nothing to do" "already applied, nothing to do" "$OUT"
check "re-run: nothing changes, state included" [ "$applied" = "$(tree_state "$T")" ]
check_rc "re-run json: exit 0" 0 "$AP" apply -d "$T" -P linux -f json
check "re-run json: every patch already-applied, nothing written" \
	jq -e '(.patches | map(.status) == ["already-applied", "already-applied"]) and .files_written == 0' "$OUT"

check_rc "status: exit 0 on a clean tree" 0 "$AP" status -d "$T"
check_grep "status: says patched for linux" "is patched for linux: 2 patches, 3 files" "$OUT"
check_rc "status json: exit 0" 0 "$AP" status -d "$T" -f json
check "status json: applied, no drift, every file clean" \
	jq -e '.applied and (.drift | not) and ([.files[].state] == ["clean", "clean", "clean"])' "$OUT"

# unapply --dry-run (red-team T11: it used to unapply for real)
check_rc "unapply --dry-run: exit 0" 0 "$AP" unapply -d "$T" --dry-run
check_grep "unapply --dry-run: says nothing was written" "unapply would restore.*nothing was written" "$OUT"
check "unapply --dry-run: tree, state and .pc/ untouched" [ "$applied" = "$(tree_state "$T")" ]
check_rc "unapply -n json: exit 0" 0 "$AP" unapply -d "$T" -n -f json
check "unapply -n json: dry run, nothing written" \
	jq -e '.dry_run and .files_written == 0 and .command == "unapply --dry-run"' "$OUT"
check "unapply -n json: tree untouched" [ "$applied" = "$(tree_state "$T")" ]
printf 'edited\n' >>"$T/build.sh"
edited=$(tree_state "$T")
check_rc "unapply --dry-run over an edit: exit 1, as unapply" 1 "$AP" unapply -d "$T" --dry-run
check "unapply --dry-run over an edit: tree untouched" [ "$edited" = "$(tree_state "$T")" ]
sed -i '$d' "$T/build.sh"

check_rc "unapply: exit 0" 0 "$AP" unapply -d "$T"
check_grep "unapply: each patch unapplied" "02-notes-build.patch  *unapplied" "$OUT"
check "unapply: original bytes and modes, state directory gone" [ "$pristine" = "$(tree_state "$T")" ]
check_rc "status after unapply: exit 0" 0 "$AP" status -d "$T"
check_grep "status after unapply: not patched" "not patched by applypatch" "$OUT"

# TREE defaults to the current directory.
check_rc "apply in the tree without -d: exit 0" 0 sh -c 'cd "$1" && "$2" apply -P linux' sh "$T" "$AP"
check "apply without -d: files as expected" matches_expect basic
check_rc "unapply without -d: exit 0" 0 sh -c 'cd "$1" && "$2" unapply' sh "$T" "$AP"
check "unapply without -d: pristine again" [ "$pristine" = "$(tree_state "$T")" ]

# --- colour -------------------------------------------------------------------

if command -v script >/dev/null 2>&1; then
	run script -qec "'$AP' apply --dry-run -d '$T' -P linux" /dev/null
	check "terminal: colour on" has_escape "$OUT"
	run env NO_COLOR=1 script -qec "'$AP' apply --dry-run -d '$T' -P linux" /dev/null
	check "terminal with NO_COLOR: no colour" has_no_escape "$OUT"
	check_grep "terminal with NO_COLOR: still the report" "01-pool-size.patch" "$OUT"
else
	echo "ok # SKIP no script(1) to give applypatch a terminal"
fi
check_rc "NO_COLOR, not a terminal: exit 0" 0 env NO_COLOR=1 "$AP" apply --dry-run -d "$T" -P linux
check "NO_COLOR, not a terminal: no colour" has_no_escape "$OUT"

# --- JSON ---------------------------------------------------------------------

# a patch's identity is what it changes: a new mail header leaves it, a
# changed '+' line does not (dry runs, so the tree is still unpatched)
_ids() {   # _ids EDIT: the first patch's identity after a sed edit of it
	rm -rf "$WORK/idp" && cp -R "$T/patches" "$WORK/idp" &&
	sed -i "$1" "$WORK/idp/01-pool-size.patch" &&
	"$AP" apply --dry-run -d "$T" --patches "$WORK/idp" -P linux --format json |
		jq -r '.patches[0].sha256'
}
sha=$(_ids '')
check "json: patch sha256 is a SHA-256" test "$(printf %s "$sha" | grep -c '^[0-9a-f]\{64\}$')" = 1
check "json: a new header keeps the identity" test "$(_ids '1i Subject: reworded')" = "$sha"
check "json: a changed + line changes it" test "$(_ids '0,/^+[^+]/s/^+\(.*\)$/+\1 changed/')" != "$sha"
check_rc "apply json: exit 0" 0 "$AP" apply -d "$T" -P linux --format json
check "json: one object, platform and tree" jq -e --arg t "$T" '.platform == "linux" and .tree == $t' "$OUT"
check "json: the applied patch has that identity" jq -e --arg s "$sha" '.patches[0].sha256 == $s' "$OUT"
check "json: both patches applied" jq -e '[.patches[].status] == ["applied", "applied"]' "$OUT"
check "json: hunk 1 exact at line 10" \
	jq -e '.patches[0].files[0] | .path == "src/pool.c" and (.hunks[0] | .index == 1 and .outcome == "exact" and .offset == 0 and .fuzz == 0 and .line == 10)' "$OUT"
check "json: hunk 2 offset +2 at line 24" \
	jq -e '.patches[0].files[0].hunks[1] | .index == 2 and .outcome == "offset" and .offset == 2 and .line == 24' "$OUT"
check "json: second patch touches build.sh and notes.txt" \
	jq -e '[.patches[1].files[].path] == ["build.sh", "doc/notes.txt"]' "$OUT"
check_rc "unapply json: exit 0" 0 "$AP" unapply -d "$T" --format json
check "unapply json: both unapplied" jq -e '[.patches[].status] == ["unapplied", "unapplied"]' "$OUT"

# --- JUnit and GitHub on success ------------------------------------------------

check_rc "apply junit: exit 0" 0 "$AP" apply -d "$T" -P linux --format junit
check "junit: valid against junit.xsd" junit_valid "$OUT"
check "junit: one testcase per patch" [ "$(xmllint --xpath 'count(//testcase)' "$OUT")" = 2 ]
check "junit: no failure" [ "$(xmllint --xpath 'count(//failure)' "$OUT")" = 0 ]
check_rc "unapply: exit 0" 0 "$AP" unapply -d "$T"
check_rc "apply github: exit 0" 0 "$AP" apply -d "$T" -P linux --format github
check_grep "github: a warning for the offset, at its @@ line" \
	"^::warning file=$T/patches/01-pool-size.patch,line=14::.*offset +2" "$OUT"
check "github: no error line" sh -c '! grep -q "^::error" "$1"' sh "$OUT"
check_rc "unapply: exit 0" 0 "$AP" unapply -d "$T"

# --- a failing run in every format ---------------------------------------------

sed 's/return 4096;/return 8192;/' "$T/src/pool.c" >"$WORK/pool.c" && cat "$WORK/pool.c" >"$T/src/pool.c"
edited=$(tree_state "$T")
check_rc "failing apply: exit 1" 1 "$AP" apply -d "$T" -P linux
check_grep "failing apply: hunk 1 failed, nearest match named" \
	"hunk 1 (.*01-pool-size.patch:5) FAILED; nearest partial match at line 10" "$OUT"
check_grep "failing apply: says nothing changed" "nothing in .* was changed" "$OUT"
check "failing apply: tree untouched, no state left" [ "$edited" = "$(tree_state "$T")" ]
check_rc "failing dry run: exit 1" 1 "$AP" apply -d "$T" -P linux --dry-run
check_rc "failing json: exit 1" 1 "$AP" apply -d "$T" -P linux --format json
check "failing json: status failed with a reason" \
	jq -e '.patches[0] | .status == "failed" and (.reason | test("1 of 2 hunks failed"))' "$OUT"
check "failing json: failed hunk, nearest line 10" \
	jq -e '.patches[0].files[0].hunks[0] | .outcome == "failed" and .line == 10' "$OUT"
check_rc "failing junit: exit 1" 1 "$AP" apply -d "$T" -P linux --format junit
check "failing junit: valid against junit.xsd" junit_valid "$OUT"
check "failing junit: two testcases" [ "$(xmllint --xpath 'count(//testcase)' "$OUT")" = 2 ]
check "failing junit: the failure is on patch 1" \
	[ "$(xmllint --xpath 'string(//testcase[failure]/@name)' "$OUT")" = 01-pool-size.patch ]
check_rc "failing github: exit 1" 1 "$AP" apply -d "$T" -P linux --format github
check_grep "failing github: error at the hunk's @@ line" \
	"^::error file=$T/patches/01-pool-size.patch,line=5::.*FAILED" "$OUT"
check "failing runs in every format: tree untouched" [ "$edited" = "$(tree_state "$T")" ]

# --- the platform comes from uname -------------------------------------------------

if [ "$(uname -s)" = Linux ]; then
	newcase basic
	check_rc "no --platform on Linux: exit 0" 0 "$AP" apply -d "$T" --format json
	check "no --platform on Linux: platform linux" jq -e '.platform == "linux"' "$OUT"
else
	echo "ok # SKIP not on Linux"
fi

finish
