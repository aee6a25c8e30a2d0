#!/bin/sh
# drift and refresh on a git history built here: a patched change that lands
# upstream in one commit (v1.2) and whose file is later reformatted (v2.0),
# a patch that only drifts, one that needs fuzz, one that upstream took half
# of, and one that conflicts; columns from tags, a range, a tarball and a
# directory; every output format; refresh round trips.
. "$(dirname "$0")/lib.sh"

work=$(scratch)
new_repo "$work/upstream"

pool_v1() {
	cat <<'C'
/* pool.c: maps the memory pool */
#include <sys/mman.h>

static void *pool_start;

void *pool_map(unsigned long size)
{
    void *p;
    p = mmap(0, size, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 0;
    pool_start = p;
    return p;
}

int pool_grow(unsigned long more)
{
    void *p = mmap(0, more, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? -1 : 0;
}
C
}
sys_v1() {
	cat <<'C'
/* sys.c: defaults */
long default_pool(void)
{
#ifdef SYS_IS_CYGWIN32
    return 0; /* works better on cygwin */
#else
    return 4096L * 1024 * 1024;
#endif
}

int quiet_flag = 0;
int banner_flag = 1;
int window_flag = 0;
C
}
extra_v1() {
	i=1
	while [ "$i" -le 30 ]; do echo "int extra_$i = $i;"; i=$((i + 1)); done
}
pool_v1 >"$repo/src/pool.c"; sys_v1 >"$repo/src/sys.c"; extra_v1 >"$repo/src/extra.c"
g add -A && g commit -qm "v1.0" && g tag v1.0

# the packager's series, written against v1.0
src="$work/v1"; mkdir -p "$src"; cp -r "$repo/src" "$src/"
dst="$work/v1p"; mkdir -p "$dst"; cp -r "$repo/src" "$dst/"
patches="$work/patches"; mkdir -p "$patches"
mkpatch() {  # name, then edit the files in $dst
	name=$1
	{ printf 'Description: %s\nForwarded: https://example.org/pr/%s\nLast-Update: 2019-01-01\n---\n' "$name" "$name"
	  (cd "$work" && diff -ru v1 v1p); } >"$patches/$name"
	rm -rf "$src/src"; cp -r "$dst/src" "$src/"
}
# noreserve: the fix that upstream will take
sed -i 's/MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);/MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);/' "$dst/src/pool.c"
mkpatch noreserve.patch
# default: stop forcing 0 on cygwin (upstream will rewrite this file: conflict)
sed -i 's|    return 0; /\* works better on cygwin \*/|    return 1024L * 1024 * 1024;|' "$dst/src/sys.c"
mkpatch default.patch
# flags: touches extra.c near line 15 (upstream will change a context line: needs fuzz)
sed -i 's/^int extra_15 = 15;$/int extra_15 = 150;/' "$dst/src/extra.c"
mkpatch flags.patch
# half: two hunks in extra.c, upstream will take the second only
sed -i 's/^int extra_3 = 3;$/int extra_3 = 33;/; s/^int extra_28 = 28;$/int extra_28 = 288;/' "$dst/src/extra.c"
mkpatch half.patch
printf 'noreserve.patch\ndefault.patch\nflags.patch\nhalf.patch\n' >"$patches/series"

# v1.1: lines added above everything: offsets only
{ echo "/* copyright notice */"; echo "/* more */"; cat "$repo/src/pool.c"; } >"$work/x" && mv "$work/x" "$repo/src/pool.c"
{ echo "// header"; cat "$repo/src/sys.c"; } >"$work/x" && mv "$work/x" "$repo/src/sys.c"
g commit -qam "add headers" && g tag v1.1
# upstream takes the fix (exactly as the patch has it) and half of half.patch
sed -i 's/MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);/MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);/' "$repo/src/pool.c"
sed -i 's/^int extra_28 = 28;$/int extra_28 = 288;/' "$repo/src/extra.c"
g commit -qam "Map the pool with MAP_NORESERVE" && merge=$(g rev-parse HEAD)
g commit -q --allow-empty -m "unrelated" && g tag v1.2
# v2.0: the file is reformatted (comment style, indentation); sys.c rewritten;
# extra.c line 12 (outer context of flags.patch) changes
cat >"$repo/src/pool.c" <<'C'
// pool.c: maps the memory pool
#include <sys/mman.h>

static void *pool_start;

void *pool_map(unsigned long size) {
	void *p;
	p = mmap(0, size, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);  // reserve only
	if (p == MAP_FAILED) return 0;
	pool_start = p;
	return p;
}

int pool_grow(unsigned long more) {
	void *p = mmap(0, more, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? -1 : 0;
}
C
printf '/* sys.c */\nlong default_pool(void) { return 512L << 20; }\n' >"$repo/src/sys.c"
sed -i 's|^int extra_12 = 12;$|int extra_12 = 12; /* twelve */|' "$repo/src/extra.c"
g commit -qam "reformat" && g tag v2.0

AP_DRIFT() { "$AP" drift --patches "$patches" --platform linux "$@"; }

# --- the matrix, as JSON ------------------------------------------------------
check_rc "drift over tags exits 1 (conflicts)" 1 AP_DRIFT --git "$repo" --tags 'v*' --format json
cp "$OUT" "$work/drift.json"
cell() { jq -r --arg p "$1" --arg v "$2" '.patches[] | select(.name==$p) | .cells[] | select(.version==$v) | .status' "$work/drift.json"; }
rule() { jq -r --arg p "$1" --arg v "$2" '.patches[] | select(.name==$p) | .cells[] | select(.version==$v) | .rule' "$work/drift.json"; }
expect_cell() {
	got=$(cell "$1" "$2")
	[ "$got" = "$3" ] && ok "$1 at $2: $3" || not_ok "$1 at $2: got '$got', wanted '$3'"
}
expect_cell noreserve.patch v1.0 applies
expect_cell noreserve.patch v1.1 drifted
expect_cell noreserve.patch v1.2 upstreamed
expect_cell noreserve.patch v2.0 upstreamed
[ "$(rule noreserve.patch v1.2)" = "every hunk is already applied" ] && ok "v1.2: upstreamed by the hunks rule" || not_ok "v1.2 rule: $(rule noreserve.patch v1.2)"
case "$(rule noreserve.patch v2.0)" in
*"every line it adds is present"*) ok "v2.0 (reformatted): upstreamed by the added-lines rule" ;;
*) not_ok "v2.0 rule: $(rule noreserve.patch v2.0)" ;;
esac
expect_cell default.patch v1.0 applies
expect_cell default.patch v1.1 drifted
expect_cell default.patch v2.0 conflict
expect_cell flags.patch v1.2 applies
expect_cell flags.patch v2.0 needs-fuzz
expect_cell half.patch v1.1 applies
expect_cell half.patch v1.2 partly-upstreamed
off=$(jq -r '.patches[] | select(.name=="noreserve.patch") | .cells[] | select(.version=="v1.1") | .result[0].files[0].hunks[0].offset' "$work/drift.json")
[ "$off" = 2 ] && ok "per-hunk offset in JSON (+2)" || not_ok "offset: $off"
got=$(jq -r '.patches[] | select(.name=="noreserve.patch") | .upstream.commit' "$work/drift.json")
[ "$got" = "$merge" ] && ok "the merging commit is found" || not_ok "merge commit: $got, wanted $merge"
got=$(jq -r '.patches[] | select(.name=="noreserve.patch") | .upstream.tag' "$work/drift.json")
[ "$got" = v1.2 ] && ok "the first tag containing it is v1.2" || not_ok "first tag: $got"

# --- upstream took half of half.patch: the hunk and its commit are named (item 2) ----
got=$(jq -r '.patches[] | select(.name=="half.patch") | .partly_upstream | "\(.present)/\(.hunks) \(.commit) \(.tag)"' "$work/drift.json")
[ "$got" = "1/2 $merge v1.2" ] && ok "half.patch: 1 of 2 hunks present from the merging commit, v1.2" ||
	not_ok "half.patch partly_upstream: $got (wanted 1/2 $merge v1.2)"
got=$(jq -r '.patches[] | select(.name=="half.patch") | .partly_upstream.per_hunk | map("\(.hunk):\(.commit // "-")") | join(" ")' "$work/drift.json")
[ "$got" = "1:- 2:$merge" ] && ok "per hunk: the first conflicts, the second is named" || not_ok "per hunk: $got"
check_rc "text names it" 1 AP_DRIFT --git "$repo" --tags 'v*'
check_grep "text: upstreamed (N of M hunks present from COMMIT; the rest conflict)" \
	"^half.patch: upstreamed (1 of 2 hunks present from $(echo "$merge" | cut -c1-12), first released in v1.2; the rest conflict)" "$OUT"
check_grep "text: the hunk line" "^  hunk 2 of src/extra.c: present from $(echo "$merge" | cut -c1-12) (v1.2)" "$OUT"

# --- Applied-Upstream: VERSION or commit:HASH makes later columns expected ---------
au="$work/au"; mkdir -p "$au"; cp "$patches"/* "$au/"
sed -i '1a Applied-Upstream: 1.2, https://example.org/commit/1' "$au/half.patch"
sed -i "1a Applied-Upstream: commit:$merge" "$au/default.patch"
check_rc "without Applied-Upstream the tags fail (conflicts)" 1 AP_DRIFT --git "$repo" --tags 'v*' --no-merges
check_rc "with it: the conflict and the partial are expected, exit 0" 0 \
	"$AP" drift --patches "$au" --platform linux --git "$repo" --tags 'v*' --no-merges --format json
check "expected cells marked in JSON" jq -e '[.patches[] | select(.name=="half.patch") | .cells[] | select(.version=="v1.2" or .version=="v2.0") | .expected] == [true,true]' "$OUT"
check "earlier columns not expected" jq -e '[.patches[] | select(.name=="half.patch") | .cells[] | select(.version=="v1.0") | .expected] == [false]' "$OUT"
check "commit:HASH: v2.0 (after the commit) expected" jq -e '[.patches[] | select(.name=="default.patch") | .cells[] | select(.version=="v2.0") | .expected] == [true]' "$OUT"
check_rc "--fail-on any still reports them" 1 \
	"$AP" drift --patches "$au" --platform linux --git "$repo" --tags 'v*' --no-merges --fail-on any
check_rc "text marks them" 0 "$AP" drift --patches "$au" --platform linux --git "$repo" --tags 'v*' --no-merges
check_grep "text: part* at v1.2" "^half.patch .*part\*" "$OUT"
check_rc "junit: expected cells are no failures" 0 \
	"$AP" drift --patches "$au" --platform linux --git "$repo" --tags 'v*' --no-merges --format junit
check "junit (expected cells): valid against junit.xsd" junit_valid "$OUT"
[ "$(xmllint --xpath 'count(//failure)' "$OUT")" = 0 ] && ok "junit: no failure" || not_ok "junit failures: $(xmllint --xpath 'count(//failure)' "$OUT")"
check_rc "github: expected cells are notices" 0 \
	"$AP" drift --patches "$au" --platform linux --git "$repo" --tags 'v*' --no-merges --format github
check_grep "github: notice, expected" "^::notice file=.*default.patch,line=[0-9]*,title=drift::default.patch against v2.0: conflict.*(expected: Applied-Upstream: commit:$merge)" "$OUT"

# --- --fail-on ------------------------------------------------------------------
check_rc "v1.0 and v1.1 only: no conflict, exit 0" 0 AP_DRIFT --git "$repo" v1.0 v1.1
check_rc "--fail-on drift: exit 1 on offsets" 1 AP_DRIFT --git "$repo" v1.0 v1.1 --fail-on drift
check_rc "--fail-on any: exit 1 on upstreamed" 1 AP_DRIFT --git "$repo" v1.0 v1.2 --fail-on any --no-merges
check_rc "--fail-on bogus: usage error" 2 AP_DRIFT --git "$repo" v1.0 --fail-on bogus
check_rc "unknown revision: exit 2" 2 AP_DRIFT --git "$repo" v9.9
check_grep "unknown revision named" "v9.9" "$ERR"

# --- a range, a tarball and a directory as columns ------------------------------------
check_rc "--all-commits: a range gives one column per commit" 1 AP_DRIFT --git "$repo" v1.1..v2.0 --format json --no-merges --all-commits
n=$(jq '.versions | length' "$OUT")
[ "$n" -eq "$(g rev-list --count v1.1..v2.0)" ] && ok "range: $n columns" || not_ok "range columns: $n"
# by default: the first commit and those where a status changes, bisected (item 3)
check_rc "a range, summarised" 1 AP_DRIFT --git "$repo" v1.1..v2.0 --format json --no-merges
got=$(jq -r '[.versions[].commit] | join(" ")' "$OUT")
[ "$got" = "$merge $(g rev-parse v2.0)" ] && ok "range summary: the first commit and the one that changes things" ||
	not_ok "range summary columns: $got"
check_grep "range summary: said on stderr for JSON" "v1.1..v2.0: 3 commits, 3 checked (bisected), 2 shown" "$ERR"
check_rc "a range, text" 1 AP_DRIFT --git "$repo" v1.1..v2.0 --no-merges
check_grep "range summary line" "^v1.1..v2.0: 3 commits, 3 checked (bisected); the first and the 1 where a patch's status changes are shown" "$OUT"
g archive --prefix=proj-1.1/ -o "$work/proj-1.1.tar.gz" v1.1
mkdir -p "$work/dir20" && g archive v2.0 | tar -x -C "$work/dir20"
check_rc "tarball and directory columns" 1 AP_DRIFT "$work/proj-1.1.tar.gz" "$work/dir20" --format json
cp "$OUT" "$work/drift.json"
expect_cell noreserve.patch proj-1.1.tar.gz drifted
expect_cell noreserve.patch dir20 upstreamed
expect_cell default.patch dir20 conflict

# --- every output format ----------------------------------------------------------
check_rc "text" 1 AP_DRIFT --git "$repo" --tags 'v*' --no-merges
check_grep "text: a row per patch" "^noreserve.patch " "$OUT"
check_grep "text: a column per version" "v1.0 .*v1.1 .*v1.2 .*v2.0" "$OUT"
check_grep "text: upstreamed rule named" "upstreamed at v1.2 (every hunk is already applied)" "$OUT"
if grep -q "$(printf '\033')" "$OUT"; then not_ok "no colour when not a terminal"; else ok "no colour when not a terminal"; fi
check_rc "junit" 1 AP_DRIFT --git "$repo" --tags 'v*' --format junit --no-merges
check "junit: valid against junit.xsd" junit_valid "$OUT"
[ "$(xmllint --xpath 'count(//testsuite)' "$OUT")" = 4 ] && ok "junit: one testsuite per version" || not_ok "junit testsuites"
[ "$(xmllint --xpath 'count(//testsuite[@name="v2.0"]/testcase)' "$OUT")" = 4 ] && ok "junit: one testcase per patch" || not_ok "junit testcases"
[ "$(xmllint --xpath 'count(//testsuite[@name="v2.0"]//failure)' "$OUT")" = 2 ] && ok "junit: the conflict and the partly upstreamed patch are failures" || not_ok "junit failures"
check_rc "github" 1 AP_DRIFT --git "$repo" --tags 'v*' --format github --no-merges
check_grep "github: an error for the conflict, with its line" "^::error file=.*default.patch,line=[1-9][0-9]*,title=drift::default.patch against v2.0: conflict" "$OUT"
check_grep "github: a warning for the offsets" "^::warning file=.*noreserve.patch.*drifted" "$OUT"
check_rc "markdown" 1 AP_DRIFT --git "$repo" --tags 'v*' --format markdown
check_grep "markdown: a table header" "^| patch | v1.0 | v1.1 | v1.2 | v2.0 |" "$OUT"
check_grep "markdown: the merging commit" "is upstream since commit" "$OUT"
check_rc "--platform all: selector-free series gives one column per version" 1 \
	"$AP" drift --patches "$patches" --platform all --git "$repo" --tags 'v*' --no-merges --format json
[ "$(jq '.versions | length' "$OUT")" = 4 ] && ok "--platform all with no selectors: 4 columns" || not_ok "--platform all columns"

# --- nothing checked is never a pass (issue 15 item 1) ------------------------------
sel="$work/selpatches"; mkdir -p "$sel"; cp "$patches"/*.patch "$sel/"
printf 'noreserve.patch # [cygwin]\ndefault.patch # [cygwin]\n' >"$sel/series"
check_rc "every patch [cygwin], --platform linux: nothing checked, exit 1" 1 \
	"$AP" drift --patches "$sel" --platform linux --git "$repo" v1.0 --no-merges
check_grep "nothing checked: says so" "checked nothing: none of the 2 patches .* is selected for linux" "$ERR"
check_rc "no --platform: every platform the series names (cygwin) and the host" 0 \
	"$AP" drift --patches "$sel" --git "$repo" v1.0 --no-merges --format json
[ "$(jq -r '[.versions[].platform] | sort | join(",")' "$OUT")" = "cygwin,linux" ] &&
	ok "default columns: cygwin and linux" || not_ok "default columns: $(jq -c '[.versions[].platform]' "$OUT")"
[ "$(jq -r '.patches[0].cells[] | select(.platform=="cygwin") | .status' "$OUT")" = applies ] &&
	ok "the cygwin column is checked" || not_ok "cygwin column: $(jq -c '.patches[0].cells' "$OUT")"
printf '' >"$sel/series"
check_rc "an empty series checks nothing: exit 1" 1 "$AP" drift --patches "$sel" --git "$repo" v1.0 --no-merges

# --- --rev, repeatable, as refresh takes it ------------------------------------------
check_rc "drift --rev v1.0 --rev v1.1" 0 AP_DRIFT --git "$repo" --rev v1.0 --rev v1.1 --format json --no-merges
[ "$(jq -r '[.versions[].label] | join(",")' "$OUT")" = "v1.0,v1.1" ] && ok "--rev gives the columns in order" ||
	not_ok "--rev columns: $(jq -c '[.versions[].label]' "$OUT")"
check_rc "--rev without --git: exit 2" 2 AP_DRIFT --rev v1.0 "$work"
check_rc "refresh with two --rev: exit 2" 2 "$AP" refresh --patches "$patches" --git "$repo" --rev v1.0 --rev v1.1

# --- annotations escape names and messages (workflow-command rules) ------------------
esc="$work/escpatches"; mkdir -p "$esc"
cp "$patches/default.patch" "$esc/fix,one:100%.patch"
printf 'fix,one:100%%.patch\n' >"$esc/series"
check_rc "github: a conflict in an oddly named patch" 1 \
	"$AP" drift --patches "$esc" --platform linux --git "$repo" v2.0 --no-merges --format github
check_grep "github: ',' ':' '%' escaped in file=, line= given" \
	'^::error file=.*/fix%2Cone%3A100%25.patch,line=[1-9][0-9]*,title=drift::fix,one:100%25.patch against v2.0: conflict$' "$OUT"

# --- every --format a command accepts works; the rest are exit 2 ---------------------
# status, list and refresh write junit and github too (they were exit 2)
for c in "list --platform linux" "status" "refresh $work/dir20"; do
	run "$AP" $c -d "$work" --patches "$patches" --format junit
	check "$c --format junit: exit 0 or 1, valid against junit.xsd" sh -c '[ "$1" -le 1 ] && xmllint --noout --schema "$3" "$2"' sh "$RC" "$OUT" "$JUNIT_XSD"
	check "$c --format junit: at least one testcase" [ "$(xmllint --xpath 'count(//testcase)' "$OUT")" -ge 1 ]
	run "$AP" $c -d "$work" --patches "$patches" --format github
	check "$c --format github: exit 0 or 1, only workflow commands" \
		sh -c '[ "$1" -le 1 ] && [ -s "$2" ] && ! grep -v "^::[a-z]* [^:]*::" "$2"' sh "$RC" "$OUT"
done
check_rc "list --format xml: exit 2" 2 "$AP" list --patches "$patches" --format xml
check_grep "list --format xml: named" "unknown format 'xml' for list" "$ERR"
# list: a testcase per entry, the ones left out skipped with the reason
lsel="$work/lsel"; mkdir -p "$lsel"; cp "$patches"/*.patch "$lsel/"
printf 'noreserve.patch # [cygwin]\ndefault.patch\n' >"$lsel/series"
run "$AP" list --patches "$lsel" --platform linux --format junit
check "list junit: valid against junit.xsd" junit_valid "$OUT"
check "list junit: a testcase per series entry" [ "$(xmllint --xpath 'count(//testcase)' "$OUT")" = 2 ]
check "list junit: the one left out skipped with the selector's reason" \
	[ "$(xmllint --xpath 'count(//testcase[@name="noreserve.patch"]/skipped[contains(@message, "cygwin")])' "$OUT")" = 1 ]
# status of a patched tree whose file was edited: a failure naming it
st="$work/st"; mkdir -p "$st/patches"; printf 'one\ntwo\n' >"$st/f.txt"
printf -- '--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO\n' >"$st/patches/p.patch"
"$AP" apply -d "$st" -P linux >/dev/null 2>&1
check_rc "status junit, clean tree: exit 0" 0 "$AP" status -d "$st" --format junit
check "status junit clean: valid against junit.xsd" junit_valid "$OUT"
check "status junit clean: no failure" [ "$(xmllint --xpath 'count(//failure)' "$OUT")" = 0 ]
echo edit >>"$st/f.txt"
check_rc "status junit, edited file: exit 1" 1 "$AP" status -d "$st" --format junit
check "status junit edited: valid against junit.xsd" junit_valid "$OUT"
check "status junit: the files testcase fails naming f.txt" \
	sh -c 'xmllint --xpath "string(//testcase[@name=\"files\"]/failure)" "$1" | grep -q "^f.txt: modified"' sh "$OUT"
check_rc "status github, edited file: exit 1" 1 "$AP" status -d "$st" --format github
check_grep "status github: an error on the file" '^::error file=f.txt,line=1,title=status::f.txt: modified since apply wrote it$' "$OUT"
# (the series is not in name order, which Sage's reading would not follow: findings)
check_rc "lint --format json" 1 "$AP" lint --patches "$patches" --format json
check "lint json parses, findings as objects" jq -e '.patches == 4 and (.findings | length) > 0 and (.findings[0].where | test("series:[0-9]+$"))' "$OUT"
check_rc "lint --format github" 1 "$AP" lint --patches "$patches" --format github
check_grep "lint github: file= and line= from the finding" '^::error file=.*/patches/series,line=[0-9][0-9]*,title=lint::' "$OUT"
check_rc "lint --format junit" 1 "$AP" lint --patches "$patches" --format junit
check "lint junit: valid against junit.xsd" junit_valid "$OUT"
[ "$(xmllint --xpath 'count(//testcase)' "$OUT")" = 5 ] && ok "lint junit: a testcase per patch and the series" || not_ok "lint junit testcases"
check_rc "apply --format markdown: exit 2" 2 "$AP" apply -d "$work" --patches "$patches" --format markdown

# --- refresh ----------------------------------------------------------------------------
cp -r "$patches" "$work/refreshed"
check_rc "refresh against v1.1 rewrites the drifted patches" 0 \
	"$AP" refresh --patches "$work/refreshed" --git "$repo" --rev v1.1
check_grep "refresh names what it rewrote" "noreserve.patch .*refreshed" "$OUT"
check_rc "after refresh every patch applies exactly to v1.1" 0 \
	"$AP" drift --patches "$work/refreshed" --platform linux --git "$repo" v1.1 --format json --no-merges
bad=$(jq -r '[.patches[].cells[].status] | map(select(. != "applies")) | length' "$OUT")
[ "$bad" = 0 ] && ok "refreshed series: all 'applies'" || not_ok "refreshed series not exact: $(jq -c '[.patches[].cells[].status]' "$OUT")"
# the header is kept byte for byte, but Last-Update
head -3 "$patches/noreserve.patch" | grep -v Last-Update >"$work/h1"
head -3 "$work/refreshed/noreserve.patch" | grep -v Last-Update >"$work/h2"
cmp -s "$work/h1" "$work/h2" && ok "refresh keeps the header" || not_ok "refresh changed the header"
grep -q "^Last-Update: 2019-01-01" "$work/refreshed/noreserve.patch" && not_ok "Last-Update not bumped" || ok "Last-Update bumped"
# and applying the refreshed series to an exported v1.1 is exact, exit 0
mkdir -p "$work/tree11" && g archive v1.1 | tar -x -C "$work/tree11"
check_rc "refreshed series applies to v1.1 (exit 0)" 0 \
	"$AP" apply -d "$work/tree11" --patches "$work/refreshed" --platform linux --format json
[ "$(jq '[.patches[].files[].hunks[] | select(.outcome != "exact")] | length' "$OUT")" = 0 ] &&
	ok "refreshed series: no offsets" || not_ok "refreshed series still has offsets"
# conflicts and upstreamed patches are left alone, and reported
cp -r "$patches" "$work/r20"
check_rc "refresh against v2.0 leaves conflicts (exit 1)" 1 \
	"$AP" refresh --patches "$work/r20" --git "$repo" --rev v2.0
check_grep "conflict reported" "default.patch .*conflict" "$OUT"
check_grep "upstreamed reported" "noreserve.patch .*upstreamed" "$OUT"
cmp -s "$patches/default.patch" "$work/r20/default.patch" && ok "conflicting patch untouched" || not_ok "conflicting patch changed"
cmp -s "$patches/noreserve.patch" "$work/r20/noreserve.patch" && ok "upstreamed patch untouched" || not_ok "upstreamed patch changed"
cmp -s "$patches/flags.patch" "$work/r20/flags.patch" && ok "needs-fuzz untouched without --fuzz" || not_ok "needs-fuzz changed without --fuzz"
check_rc "refresh --fuzz 2 flags.patch refreshes just that one (exit 0)" 0 \
	"$AP" refresh --patches "$work/r20" --git "$repo" --rev v2.0 --fuzz 2 flags.patch
check_grep "fuzzy patch refreshed" "flags.patch .*refreshed" "$OUT"
check_rc "refresh of an unknown patch: exit 2" 2 "$AP" refresh --patches "$work/r20" --git "$repo" --rev v2.0 nosuch.patch
# red-team 3 T1: --format markdown escapes patch and tag names: each table
# row keeps its cells (2 here: 3 unescaped '|'), no raw HTML, no name ending
# a code span
md="$work/md"; mkdir -p "$md/up" "$md/p"; printf 'hello\n' >"$md/up/a"
N='x`|<b>FAKE|✅`ok.patch'
printf -- '--- a/a\n+++ b/a\n@@ -1 +1 @@\n-hello\n+world\n' >"$md/p/$N"; printf '%s\n' "$N" >"$md/p/series"
git init -q "$md/g" && (cd "$md/g" && echo hello >a && git add a &&
	git -c user.name=x -c user.email=x@x commit -qm i && git tag 'v4.10|<b>x`y')
check_rc "markdown, hostile patch and tag names: exit 0" 0 "$AP" drift --patches "$md/p" --git "$md/g" --tags 'v4*' --format markdown
cells() { sed -n "$1p" "$OUT" | sed 's/\\\\//g; s/\\|//g' | tr -cd '|' | wc -c; }
check "markdown: the header row has 2 cells" [ "$(cells 1)" -eq 3 ]
check "markdown: the patch row has 2 cells" [ "$(cells 3)" -eq 3 ]
check "markdown: no raw < (HTML)" sh -c '! grep -q "<" "$1"' _ "$OUT"
check_grep "markdown: the name escaped" '^| x\\`\\|&lt;b&gt;FAKE\\|✅\\`ok.patch |' "$OUT"
check_grep "markdown: the tag escaped" '^| patch | v4.10\\|&lt;b&gt;x\\`y |$' "$OUT"
finish
