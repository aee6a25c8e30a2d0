#!/bin/sh
# All or nothing, and the state record, end to end, on the chain fixture:
# a failing patch anywhere leaves the tree byte-identical (no .orig, .rej,
# temp files or .applypatch/); a re-run is a no-op; an extended series
# applies only the new patch; changed patches, a changed series or another
# platform are refused with advice; unapply restores every byte and mode
# and refuses to discard later edits unless --force; status reports drift.
. "$TESTS_ROOT/e2e/lib.sh"
cases_start

# chain SERIES-LINES...: $T is a copy of base/, $P a copy of chain/patches/
# with this series. $P is kept outside the tree, so that a snapshot of the
# tree does not see the test editing patches and series.
chain() {
	newtree
	cp -R "$E2E/base/." "$T/"
	cp -R "$E2E/chain/patches/." "$P/"
	printf '%s\n' "$@" >"$P/series"
}

# Nothing but the tree's own files: no backups, rejects or temp files.
no_debris() { [ -z "$(find "$1" \( -name '*.orig' -o -name '*.rej' -o -name '.*tmp*' -o -name '*~' -o -name '.applypatch' \) -print)" ]; }

# --- a failure anywhere in the series: nothing is written ------------------------

for bad in 1 2 3; do
	case $bad in
	1) chain 03-broken.patch 01-default.patch 02-notes.patch ;;
	2) chain 01-default.patch 03-broken.patch 02-notes.patch ;;
	3) chain 01-default.patch 02-notes.patch 03-broken.patch ;;
	esac
	before=$(tree_state "$T")
	check_rc "patch $bad of 3 fails: exit 1" 1 "$AP" apply --patches "$P" -d "$T" -P linux
	check_grep "patch $bad of 3 fails: it is named" "03-broken.patch  *FAILED" "$OUT"
	check_grep "patch $bad of 3 fails: says nothing changed" "failed: nothing in .* was changed" "$OUT"
	check "patch $bad of 3 fails: tree byte-identical, modes too" [ "$before" = "$(tree_state "$T")" ]
	check "patch $bad of 3 fails: no debris, no state directory" no_debris "$T"
	check "patch $bad of 3 fails: doc/api/ not created" [ ! -e "$T/doc/api" ]
done
check_rc "json of the failing series: exit 1" 1 "$AP" apply --patches "$P" -d "$T" -P linux -f json
check "json: the third patch failed, ok false, nothing written" \
	jq -e '.patches[2].status == "failed" and (.ok | not) and .files_written == 0' "$OUT"

# A malformed patch in the middle: "PATCH:LINE: what", exit 1, nothing written.
chain 01-default.patch short-hunk.patch 02-notes.patch
cp "$E2E/malformed/patches/short-hunk.patch" "$P/"
before=$(tree_state "$T")
check_rc "malformed patch 2 of 3: exit 1" 1 "$AP" apply --patches "$P" -d "$T" -P linux
check_grep "malformed patch 2 of 3: PATCH:LINE: what" "short-hunk.patch:4: hunk is cut short by the end of the patch" "$OUT"
check "malformed patch 2 of 3: tree byte-identical" [ "$before" = "$(tree_state "$T")" ]

# --dry-run of a good series: reports, writes nothing.
chain 01-default.patch 02-notes.patch 03-build.patch
pristine=$(tree_state "$T")
check_rc "dry run: exit 0" 0 "$AP" apply -n --patches "$P" -d "$T" -P linux -f json
check "dry run: json says dry_run, nothing written" jq -e '.dry_run and .files_written == 0' "$OUT"
check "dry run: tree byte-identical" [ "$pristine" = "$(tree_state "$T")" ]

# --- apply, re-run, extend, unapply -------------------------------------------------------

chmod 755 "$T/src/pool.c"
chmod 600 "$T/doc/notes.txt"
pristine=$(tree_state "$T")
check_rc "apply 3: exit 0" 0 "$AP" apply --patches "$P" -d "$T" -P linux
check "apply 3: tree as chain/expect" same_files "$T/doc" "$E2E/chain/expect/doc"
check "apply 3: pool.c as chain/expect" cmp -s "$T/src/pool.c" "$E2E/chain/expect/src/pool.c"
check "apply 3: build.sh as chain/expect" cmp -s "$T/build.sh" "$E2E/chain/expect/build.sh"
check "apply 3: chmod 755 file stays 755" [ "$(stat -c %a "$T/src/pool.c")" = 755 ]
check "apply 3: chmod 600 file stays 600" [ "$(stat -c %a "$T/doc/notes.txt")" = 600 ]
check "apply 3: build.sh stays 755" [ "$(stat -c %a "$T/build.sh")" = 755 ]
check "apply 3: no backups or rejects" sh -c '[ -z "$(find "$1" -name "*.orig" -o -name "*.rej")" ]' sh "$T"
applied=$(tree_state "$T")
check_rc "re-run: exit 0" 0 "$AP" apply --patches "$P" -d "$T" -P linux
check_grep "re-run: nothing to do" "already applied, nothing to do" "$OUT"
check "re-run: tree and state unchanged" [ "$applied" = "$(tree_state "$T")" ]

echo 04-header.patch >>"$P/series"
check_rc "extended series: status exit 1" 1 "$AP" status --patches "$P" -d "$T" -f json
check "extended series: status names the unapplied patch" \
	jq -e '.drift and .not_applied == ["04-header.patch"]' "$OUT"
before=$(tree_state "$T")
check_rc "extended series: dry run exit 0" 0 "$AP" apply -n --patches "$P" -d "$T" -P linux -f json
check "extended series: dry run would apply only the new patch" \
	jq -e '[.patches[].status] == ["already-applied", "already-applied", "already-applied", "applied"] and .files_written == 0' "$OUT"
check "extended series: dry run writes nothing, state included" [ "$before" = "$(tree_state "$T")" ]
check_rc "extended series: apply exit 0" 0 "$AP" apply --patches "$P" -d "$T" -P linux -f json
check "extended series: only the new patch is applied" \
	jq -e '[.patches[].status] == ["already-applied", "already-applied", "already-applied", "applied"] and .files_written == 1' "$OUT"
check "extended series: pool.h changed" grep -q "pool_default_mb" "$T/src/pool.h"
check "extended series: the others still applied" same_files "$T/doc" "$E2E/chain/expect/doc"
check_rc "extended series: status exit 0" 0 "$AP" status --patches "$P" -d "$T"
check_grep "extended series: status counts four patches" "patched for linux: 4 patches, 5 files" "$OUT"

check_rc "unapply all four: exit 0" 0 "$AP" unapply -d "$T"
check "unapply: original bytes and modes (755, 600), created dirs and state gone" \
	[ "$pristine" = "$(tree_state "$T")" ]
check "unapply: doc/api removed" [ ! -e "$T/doc/api" ]
check_rc "unapply again: exit 2" 2 "$AP" unapply -d "$T"
check_grep "unapply again: nothing to unapply" "nothing to unapply: there is no .applypatch/state here" "$ERR"
check "unapply again: tree untouched" [ "$pristine" = "$(tree_state "$T")" ]
check_rc "apply after unapply: exit 0" 0 "$AP" apply --patches "$P" -d "$T" -P linux
check_grep "apply after unapply: all four applied again" "04-header.patch  *applied" "$OUT"

# --- what the state refuses ------------------------------------------------------------------

chain 01-default.patch 02-notes.patch 03-build.patch
check_rc "state: first apply exit 0" 0 "$AP" apply --patches "$P" -d "$T" -P linux
applied=$(tree_state "$T")

# a changed line (a blank line added after the diff would not be a change:
# a patch's identity is what it changes, test_apply_identity.sh)
sed -i 's/one gigabyte/two gigabytes/' "$P/02-notes.patch"
check_rc "changed patch: exit 1" 1 "$AP" apply --patches "$P" -d "$T" -P linux
check_grep "changed patch: named, with both hashes" "02-notes.patch changed since it was applied (its identity was [0-9a-f]\{12\}, now [0-9a-f]\{12\})" "$OUT"
check_grep "changed patch: says to unapply then apply" "run 'applypatch unapply -d .*' to restore the original files, then 'applypatch apply' again" "$OUT"
check "changed patch: tree and state untouched" [ "$applied" = "$(tree_state "$T")" ]
check_rc "changed patch: status exit 1" 1 "$AP" status --patches "$P" -d "$T" -f json
check "changed patch: status marks it changed" \
	jq -e '.drift and ([.patches[] | select(.name == "02-notes.patch") | .series] == ["changed"])' "$OUT"
cp "$E2E/chain/patches/02-notes.patch" "$P/"

printf '%s\n' 01-default.patch 03-build.patch 02-notes.patch >"$P/series"
check_rc "reordered series: exit 1" 1 "$AP" apply --patches "$P" -d "$T" -P linux
check_grep "reordered series: says what moved" "the series changed: 03-build.patch is now listed before 02-notes.patch" "$OUT"
check_grep "reordered series: says to unapply" "applypatch unapply -d" "$OUT"
check "reordered series: tree untouched" [ "$applied" = "$(tree_state "$T")" ]

printf '%s\n' 01-default.patch 03-build.patch >"$P/series"
check_rc "dropped patch: exit 1" 1 "$AP" apply --patches "$P" -d "$T" -P linux
check_grep "dropped patch: named" "02-notes.patch was applied but is no longer selected in the series for linux" "$OUT"
check "dropped patch: tree untouched" [ "$applied" = "$(tree_state "$T")" ]
check_rc "dropped patch: status exit 1" 1 "$AP" status --patches "$P" -d "$T" -f json
check "dropped patch: status says not-in-series" \
	jq -e '[.patches[] | select(.name == "02-notes.patch") | .series] == ["not-in-series"]' "$OUT"
printf '%s\n' 01-default.patch 02-notes.patch 03-build.patch >"$P/series"

check_rc "other platform: exit 1" 1 "$AP" apply --patches "$P" -d "$T" -P cygwin
check_grep "other platform: names both and says to unapply" \
	"was patched for linux; run 'applypatch unapply -d .*' first to apply for cygwin" "$OUT"
check "other platform: tree untouched" [ "$applied" = "$(tree_state "$T")" ]
check_rc "other platform, json: exit 1" 1 "$AP" apply --patches "$P" -d "$T" -P cygwin -f json
check "other platform, json: not ok" jq -e '(.ok | not) and .files_written == 0' "$OUT"
check_rc "same platform still fine: exit 0" 0 "$AP" apply --patches "$P" -d "$T" -P linux

# --- edits after apply -----------------------------------------------------------------------

printf '/* local edit */\n' >>"$T/src/pool.c"
edited=$(tree_state "$T")
check_rc "edited file: status exit 1" 1 "$AP" status --patches "$P" -d "$T"
check_rc "edited file: status json exit 1" 1 "$AP" status --patches "$P" -d "$T" -f json
check "edited file: status says modified, the rest clean" \
	jq -e '([.files[] | select(.path == "src/pool.c") | .state] == ["modified"]) and ([.files[] | select(.path != "src/pool.c") | .state] | all(. == "clean"))' "$OUT"
check_rc "edited file: unapply refuses, exit 1" 1 "$AP" unapply -d "$T"
check_grep "edited file: names the file and --force" "src/pool.c changed after apply; unapply would discard that change (use --force to restore the originals anyway, keeping a copy of the edited file)" "$ERR"
check "edited file: refused unapply changes nothing" [ "$edited" = "$(tree_state "$T")" ]
rm "$T/doc/api/v1/request.txt"
check_rc "deleted created file: status exit 1" 1 "$AP" status --patches "$P" -d "$T" -f json
check "deleted created file: status says missing" \
	jq -e '[.files[] | select(.path == "doc/api/v1/request.txt") | .state] == ["missing"]' "$OUT"
check_rc "two edits: unapply refuses, exit 1" 1 "$AP" unapply -d "$T"
check_grep "two edits: both named" "src/pool.c, doc/api/v1/request.txt changed after apply; unapply would discard those changes" "$ERR"
check_rc "unapply --force: exit 0" 0 "$AP" unapply -d "$T" --force
check_grep "unapply --force: says where the edited file is kept" "src/pool.c: edited after apply: the edited file is kept as $T/src/pool.c.edited" "$OUT"
check "unapply --force: the copy holds the edit" grep -q "local edit" "$T/src/pool.c.edited"
rm "$T/src/pool.c.edited"
check "unapply --force: otherwise back to base/ exactly" same_files "$T" "$E2E/base"
check "unapply --force: created directories gone" [ ! -e "$T/doc/api" ]
check "unapply --force: state gone" [ ! -e "$T/.applypatch" ]

# --- the state is by content: touch, copies and moves keep it clean --------------------------

chain 01-default.patch 02-notes.patch 03-build.patch
check_rc "content: apply exit 0" 0 "$AP" apply --patches "$P" -d "$T" -P linux
touch "$T/src/pool.c" "$T/doc/notes.txt"
check_rc "touch: status clean, exit 0" 0 "$AP" status --patches "$P" -d "$T" -f json
check "touch: every file clean" jq -e '[.files[].state] | all(. == "clean")' "$OUT"
cp -a "$T" "$WORK/cp-a"
check_rc "cp -a copy: status exit 0" 0 "$AP" status --patches "$P" -d "$WORK/cp-a"
check_rc "cp -a copy: apply says already applied, exit 0" 0 "$AP" apply --patches "$P" -d "$WORK/cp-a" -P linux
check_grep "cp -a copy: already applied" "already applied, nothing to do" "$OUT"
(cd "$WORK/$n" && tar cf "$WORK/t.tar" tree) && mkdir "$WORK/untar" && tar xf "$WORK/t.tar" -C "$WORK/untar"
check_rc "tar round trip: status exit 0" 0 "$AP" status --patches "$P" -d "$WORK/untar/tree"
check_rc "tar round trip: unapply exit 0" 0 "$AP" unapply -d "$WORK/untar/tree"
check "tar round trip: unapply gives base/ back" same_files "$WORK/untar/tree" "$E2E/base"
rsync -a "$T/" "$WORK/rsync/"
check_rc "rsync copy: status exit 0" 0 "$AP" status --patches "$P" -d "$WORK/rsync"
mv "$T" "$WORK/moved"
check_rc "moved tree: status exit 0" 0 "$AP" status --patches "$P" -d "$WORK/moved"
check_rc "moved tree: unapply exit 0" 0 "$AP" unapply -d "$WORK/moved"
check "moved tree: unapply gives base/ back" same_files "$WORK/moved" "$E2E/base"
check "moved tree: nothing left behind" no_debris "$WORK/moved"

# A DEP-3 header edit (Last-Update) is not a different series: identity is the diff.
sed -i '1a Last-Update: 2030-01-01' "$P/02-notes.patch"
check_rc "header edit: status exit 0" 0 "$AP" status --patches "$P" -d "$WORK/cp-a" -f json
check "header edit: the patch is unchanged" \
	jq -e '[.patches[] | select(.name == "02-notes.patch") | .series] == ["unchanged"]' "$OUT"
check_rc "header edit: apply exit 0" 0 "$AP" apply --patches "$P" -d "$WORK/cp-a" -P linux
check_grep "header edit: already applied" "already applied, nothing to do" "$OUT"
check_rc "header edit: unapply exit 0" 0 "$AP" unapply -d "$WORK/cp-a"
check "header edit: unapply gives base/ back" same_files "$WORK/cp-a" "$E2E/base"

# --- patches someone else applied (issue 13, item 3) ------------------------------------------

# GNU patch applies the whole minigap series, [cygwin] patches included, as
# sage-apply-patches or dpkg-source would; applypatch for linux then finds
# its patch present-before and the cygwin ones present, and status counts all.
G="$WORK/gnu"
cp -R "$FIXTURES/minigap" "$G"
cp -R "$FIXTURES/minigap-patches" "$G/patches"
(cd "$G" && for p in $(sed -e 's/[ 	]*#.*//' -e 's/ .*//' -e '/^$/d' patches/series); do patch -s -p1 <"patches/$p"; done)
prepatched=$(tree_state "$G")
prepatched_files=$(files_of "$G")
check_rc "pre-patched: apply -P linux exit 0" 0 "$AP" apply -d "$G" -P linux -f json
check "pre-patched: the linux patch present-before, the cygwin ones present, none skipped" \
	jq -e '([.patches[].status] | all(. == "present-before")) and .files_written == 0' "$OUT"
check_rc "pre-patched: status exit 0" 0 "$AP" status -d "$G" -f json
check "pre-patched: status counts every patch the tree holds" jq -e '(.patches | length) == 3 and (.drift | not)' "$OUT"
check_rc "pre-patched: unapply exit 0" 0 "$AP" unapply -d "$G"
check "pre-patched: unapply leaves what it did not apply" [ "$prepatched" = "$(tree_state "$G")" ]
check_rc "pre-patched: apply -P cygwin exit 0" 0 "$AP" apply -d "$G" -P cygwin
check_grep "pre-patched: cygwin: all three present-before" "3 of 3 patches selected" "$OUT"
check "pre-patched: cygwin: no file of the tree written (only quilt's .pc/)" [ "$prepatched_files" = "$(files_of "$G")" ]
check "pre-patched: cygwin: quilt's applied-patches lists the three" [ "$(wc -l <"$G/.pc/applied-patches")" -eq 3 ]

# --- an incremental apply over a hand edit (issue 11, item 7) ---------------------------------

chain 01-default.patch
check_rc "incremental: apply 01 exit 0" 0 "$AP" apply --patches "$P" -d "$T" -P linux
printf '/* mine */\n' >>"$T/src/pool.c"
edited=$(tree_state "$T")
printf '%s\n' 01-default.patch 03-build.patch >"$P/series"
check_rc "incremental over an edit: refused, exit 1" 1 "$AP" apply --patches "$P" -d "$T" -P linux
check_grep "incremental over an edit: names the file and why" "src/pool.c changed after apply (edited by hand?); applying more patches would record that edit as applypatch's output" "$OUT"
check "incremental over an edit: tree and state untouched" [ "$edited" = "$(tree_state "$T")" ]
check_rc "incremental over an edit: unapply still refuses" 1 "$AP" unapply -d "$T"
check_rc "incremental over an edit: --force keeps the edit aside" 0 "$AP" unapply -d "$T" --force
check "incremental over an edit: the kept copy has it" grep -q "mine" "$T/src/pool.c.edited"

finish
