#!/bin/sh
# The patch formats applypatch reads, end to end: each fixture's series must
# turn base/ into exactly CASE/expect/ (bytes and executable bits), a second
# run must be a no-op, and unapply must give back the original tree, state
# directory and created directories gone.
. "$TESTS_ROOT/e2e/lib.sh"
E2E="$FIXTURES/e2e"
WORK=$(scratch)
trap 'rm -rf "$WORK"; cleanup' EXIT
umask 022

# The files of a tree (not patches/ nor .applypatch/), each with whether it
# is executable and its digest; links with their targets. Empty directories
# do not count.

# same_files A B: prints the difference, fails when there is one.

# roundtrip CASE: apply, compare with expect/, re-run, unapply.
roundtrip() {
	newcase "$1"
	pristine=$(tree_state "$T")
	check_rc "$1: apply exit 0" 0 "$AP" apply -d "$T" -P linux
	check "$1: the tree is CASE/expect" same_files "$T" "$E2E/$1/expect"
	check_grep "$1: every patch applied" "applied" "$OUT"
	check "$1: no patch failed" sh -c '! grep -q FAILED "$1"' sh "$OUT"
	after=$(tree_state "$T")
	check_rc "$1: re-run exit 0" 0 "$AP" apply -d "$T" -P linux
	check_grep "$1: re-run is a no-op" "already applied, nothing to do" "$OUT"
	check "$1: re-run changes nothing" [ "$after" = "$(tree_state "$T")" ]
	check_rc "$1: unapply exit 0" 0 "$AP" unapply -d "$T"
	check "$1: unapply restores every byte and mode, no state left" [ "$pristine" = "$(tree_state "$T")" ]
}

for c in fmt-unified fmt-quilt fmt-dep3 fmt-devnull fmt-noeol fmt-crlf fmt-strip fmt-git fmt-mail; do
	roundtrip "$c"
done

# --- details the round trips do not show ---------------------------------------

newcase fmt-unified
check_rc "unified json: exit 0" 0 "$AP" apply -d "$T" -P linux -f json
check "unified json: one patch, three files, timestamps not in the names" \
	jq -e '[.patches[0].files[].path] == ["doc/notes.txt", "src/pool.c", "src/pool.h"]' "$OUT"

newcase fmt-git
check_rc "git json: exit 0" 0 "$AP" apply -d "$T" -P linux -f json
check "git json: the operation of each file" \
	jq -e '[.patches[].files[] | .op] == ["modify", "create", "create", "delete", "modify", "rename", "rename", "copy"]' "$OUT"
check "git json: rename names both sides" \
	jq -e '.patches[5].files[0] | .path == "src/mempool.c" and .old_path == "src/pool.c"' "$OUT"
check "git json: copy names its source" \
	jq -e '.patches[6].files[0] | .path == "src/mempool_test.c" and .old_path == "src/mempool.c"' "$OUT"
check "git: new file mode 100755 gives 755" [ "$(stat -c %a "$T/check.sh")" = 755 ]
check "git: new file mode 100644 gives 644" [ "$(stat -c %a "$T/src/noreserve.h")" = 644 ]
check "git: old mode 100755 / new mode 100644 clears x" [ "$(stat -c %a "$T/build.sh")" = 644 ]
check "git: deleted file is gone" [ ! -e "$T/doc/notes.txt" ]
check "git: renamed pool.h is gone from its old name" [ ! -e "$T/src/pool.h" ]
check "git: renamed pool.c is gone from its old name" [ ! -e "$T/src/pool.c" ]
check "git: copy keeps its source" [ -f "$T/src/mempool.c" ]
check_rc "git: status exit 0" 0 "$AP" status -d "$T" -f json
check "git: status records created, deleted and renamed files as clean" \
	jq -e '[.files[].state] | all(. == "clean") and length >= 8' "$OUT"

newcase fmt-mail
check_rc "mail: list exit 0" 0 "$AP" list -d "$T" -P linux -f json
check "mail: no series, mails in name order" \
	jq -e '[.patches[].name] == ["0001-pool-map-without-reserving-swap.patch", "0002-Add-noreserve.h-and-check.sh.patch"]' "$OUT"

newcase fmt-crlf
check_rc "crlf: apply exit 0" 0 "$AP" apply -d "$T" -P linux
check_grep "crlf: LF patch on CRLF file is reported" \
	"win/crlf-lf.bat: hunk 1 .* line endings converted to the file's" "$OUT"
check_grep "crlf: CRLF patch on LF file is reported" \
	"win/lf-crlf.conf: hunk 1 .* line endings converted to the file's" "$OUT"
check "crlf: CRLF file keeps CRLF on every line" \
	[ "$(grep -c "$(printf '\r')\$" "$T/win/crlf-lf.bat")" = 4 ]
check "crlf: LF file has no CR" sh -c '! grep -q "$(printf "\r")" "$1"' sh "$T/win/lf-crlf.conf"
check_rc "crlf: unapply exit 0" 0 "$AP" unapply -d "$T"
check_rc "crlf json: exit 0" 0 "$AP" apply -d "$T" -P linux -f json
check "crlf json: eol_converted only where the endings differ" \
	jq -e '[.patches[].files[].hunks[].eol_converted] == [true, false, true]' "$OUT"

newcase fmt-noeol
check_rc "noeol: apply exit 0" 0 "$AP" apply -d "$T" -P linux
check "noeol: a final newline added" [ "$(tail -c 1 "$T/text/noeol.txt" | od -An -c | tr -d ' ')" = '\n' ]
check "noeol: a final newline removed" [ "$(tail -c 1 "$T/text/eol.txt")" = o ]
check "noeol: created file has its text" [ "$(cat "$T/text/created.txt")" = "no newline at the end either" ]
check "noeol: created file ends without a newline" [ "$(tail -c 1 "$T/text/created.txt")" = r ]

# A strip level that eats the whole name is an error naming the patch line.
newcase fmt-strip
printf 'p0.patch -p0\np2.patch -p5\n' >"$T/patches/series"
before=$(tree_state "$T")
check_rc "strip too deep: exit 1" 1 "$AP" apply -d "$T" -P linux
check_grep "strip too deep: patch and line named" "p2.patch:1: cannot strip 5 leading components from" "$OUT"
check "strip too deep: nothing written, not even p0.patch" [ "$before" = "$(tree_state "$T")" ]

finish
