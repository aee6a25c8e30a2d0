#!/bin/sh
# test_selectors_conda.sh - conda-build's selector words as real recipes
# write them (issue 15 item 6): win, osx, unix, architectures (x86_64,
# aarch64, arm64, ppc64le, ...), linux64/win64, with and/or/not/parentheses;
# a platform may name its architecture as conda's subdirs do (osx-arm64,
# linux-aarch64, win-64). list, lint and drift accept them.
# A conda recipe's meta.yaml (source: patches: with # [sel] comments) is a
# series layout: list, lint, drift and apply read it (fixture conda-recipe).
. "$(dirname "$0")/lib.sh"

W=$(scratch)
P="$W/patches"; mkdir -p "$P"
for n in a b c d e f g; do
	printf 'Description: %s\nForwarded: not-needed\n---\n--- a/%s.c\n+++ b/%s.c\n@@ -1 +1 @@\n-x\n+y\n' $n $n $n >"$P/$n.patch"
done
cat >"$P/series" <<'S'
a.patch # [win]
b.patch # [osx and arm64]
c.patch # [linux and (aarch64 or ppc64le)]
d.patch # [unix]
e.patch # [not win]
f.patch # [linux64]
g.patch # [x86_64]
S
selected() {  # PLATFORM: the selected patch names, space-separated
	"$AP" list --patches "$P" --platform "$1" --format json | jq -r '[.patches[] | select(.selected) | .name] | join(" ")'
}
want() {
	got=$(selected "$1")
	[ "$got" = "$2" ] && ok "--platform $1: $2" || not_ok "--platform $1: got '$got', wanted '$2'"
}
want osx-arm64 "b.patch d.patch e.patch"
want osx-64 "d.patch e.patch g.patch"
want linux-aarch64 "c.patch d.patch e.patch f.patch"
want linux-ppc64le "c.patch d.patch e.patch f.patch"
want linux-64 "d.patch e.patch f.patch g.patch"
want win-64 "a.patch g.patch"
want win "a.patch $( [ "$(uname -m)" = x86_64 ] && echo g.patch)"
# (lint has Sage-layout findings for top-level selectors; none about the words)
run "$AP" lint --patches "$P" --format json
check "lint: every conda word is known" jq -e '[.findings[] | select(.what | test("unknown platform"))] | length == 0' "$OUT"
check_rc "an unknown word is still an error" 2 sh -c "printf 'a.patch # [win or plan9]\n' >'$W/s2' && mkdir -p '$W/p2' && cp '$P/a.patch' '$W/p2/' && mv '$W/s2' '$W/p2/series' && '$AP' list --patches '$W/p2' --platform linux"
check_grep "the unknown word is named, with the known ones" "unknown platform 'plan9' in selector (known: .*win.*aarch64" "$ERR"
check_rc "--platform linux-sparc: usage error" 2 "$AP" list --patches "$P" --platform linux-sparc
# --- a conda recipe's meta.yaml as the series ------------------------------------
R="$FIXTURES/conda-recipe"
C="$W/conda"; mkdir -p "$C"; cp -R "$R/recipe" "$C/recipe"; cp -R "$R/tree" "$C/tree"
rsel() {  # PLATFORM: the selected names from the recipe
	"$AP" list --patches "$C/recipe" --platform "$1" --format json | jq -r '[.patches[] | select(.selected) | .name] | join(" ")'
}
for pw in "linux|main-all.patch" "cygwin|patches/pool-cygwin.patch main-all.patch" \
	  "win-64|patches/pool-cygwin.patch main-all.patch" "osx-arm64|flags-arm64.patch main-all.patch" \
	  "osx-64|main-all.patch"; do
	got=$(rsel "${pw%%|*}")
	[ "$got" = "${pw#*|}" ] && ok "meta.yaml, --platform ${pw%%|*}: $got" ||
		not_ok "meta.yaml, --platform ${pw%%|*}: got '$got', wanted '${pw#*|}'"
done
check_rc "meta.yaml: list text" 0 "$AP" list --patches "$C/recipe" --platform linux
check_grep "meta.yaml: the recipe is named as the series" "recipe/meta.yaml for linux" "$OUT"
check_grep "meta.yaml: why a patch is out, with the line's selector" "flags-arm64.patch .*selector \\[osx and arm64\\] is false for linux" "$OUT"
check_rc "meta.yaml: lint has no findings" 0 "$AP" lint --patches "$C/recipe"
check_rc "meta.yaml: drift against the tree (every platform the recipe names)" 0 \
	"$AP" drift --patches "$C/recipe" --format json "$C/tree"
check "meta.yaml: drift checks every platform the recipe names (cygwin, darwin, windows)" \
	jq -e '[.versions[].platform] | (index("cygwin") != null) and (index("darwin") != null) and (index("windows") != null)' "$OUT"
check_rc "meta.yaml: apply for cygwin" 0 "$AP" apply -d "$C/tree" --patches "$C/recipe" --platform cygwin
check "meta.yaml: the cygwin patch and the common one applied, not the arm64 one" \
	sh -c 'grep -q "pool = 1" "$1/pool.c" && grep -q "flags = 0" "$1/pool.c" && grep -q "return 42" "$1/main.c"' sh "$C/tree"
check "meta.yaml: no quilt .pc/ (quilt cannot read a recipe)" [ ! -e "$C/tree/.pc" ]
check_rc "meta.yaml: status clean" 0 "$AP" status -d "$C/tree" --patches "$C/recipe"
check_rc "meta.yaml: unapply" 0 "$AP" unapply -d "$C/tree"
check "meta.yaml: unapply restores the tree" diff -r "$R/tree" "$C/tree"
# a series file wins over meta.yaml; Jinja inside the list is refused, named
printf 'main-all.patch\n' >"$C/recipe/series"
check_grep "a series file is read before meta.yaml" "recipe/series for linux" "$(run "$AP" list --patches "$C/recipe" --platform linux; echo "$OUT")"
rm "$C/recipe/series"
printf 'source:\n  patches:\n    {%% if win %%}\n    - main-all.patch\n    {%% endif %%}\n' >"$C/recipe/meta.yaml"
check_rc "meta.yaml: Jinja inside the patches list: exit 2" 2 "$AP" list --patches "$C/recipe" --platform linux
check_grep "meta.yaml: the Jinja line is named" "recipe/meta.yaml:3: a Jinja block inside the patches list is not rendered" "$ERR"
finish
