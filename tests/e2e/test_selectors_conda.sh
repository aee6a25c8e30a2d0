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
# conda-build's selector rule (metadata.py sel_pat), red-team 3 T2: words
# around the [sel] in the comment, or a bare [sel] ending the line, still
# select; a selector on the source: line is its patches'. Nothing applied on
# linux here, as conda-build applies nothing on linux-64.
T2="$W/t2"; mkdir -p "$T2"; cp -R "$R/recipe" "$T2/r"; cp -R "$R/tree" "$T2/tree"
cat >"$T2/r/meta.yaml" <<'YAML'
package:
  name: x
source:
  url: https://example/x.tar.gz
  patches:
    - patches/pool-cygwin.patch      # Windows pool fix [win]
    - main-all.patch                 # [osx] see gh-12
    - flags-arm64.patch [osx and arm64]
YAML
check_rc "T2: apply --platform linux: nothing selected, exit 0" 0 "$AP" apply -d "$T2/tree" --patches "$T2/r" --platform linux
check "T2: a selector with words around it in the comment is a selector (tree untouched)" diff -r "$R/tree" "$T2/tree"
got=$("$AP" list --patches "$T2/r" --platform osx-arm64 --format json | jq -r '[.patches[] | select(.selected) | .name] | join(" ")')
[ "$got" = "main-all.patch flags-arm64.patch" ] && ok "T2: osx-arm64 selects the [osx] and the bare [osx and arm64] entries" ||
	not_ok "T2: osx-arm64: got '$got'"
cat >"$T2/r/meta.yaml" <<'YAML'
package:
  name: x
source:  # [win]
  url: https://example/x-win.zip
  patches:
    - patches/pool-cygwin.patch
source:  # [not win]
  url: https://example/x.tar.gz
  patches:
    - main-all.patch  # see [the notes](https://example/n)
YAML
run "$AP" list --patches "$T2/r" --platform linux --format json
check "T2: a selector on the source: line is its patches' (linux: main-all.patch only)" \
	jq -e '[.patches[] | select(.selected) | .name] == ["main-all.patch"]' "$OUT"
run "$AP" lint --patches "$T2/r"
check_grep "T2: lint names a '[' in a comment that conda-build does not take as a selector" \
	"meta.yaml:10: a '\\[' in this comment is not a selector by conda-build's rule" "$OUT"
printf 'source:\n  patches: [main-all.patch]\n' >"$T2/r/meta.yaml"
check_rc "T2: 'patches: [A]' ending the line (a selector to conda-build): exit 2" 2 "$AP" list --patches "$T2/r" --platform linux
check_grep "T2: ... with the line and why" "meta.yaml:2: conda-build reads a '\\[main-all.patch\\]' that ends the line as a selector" "$ERR"
# red-team 3 T15: conda-build applies a source's patches inside its folder:;
# applypatch refuses that recipe (naming the line) rather than patch the
# top-level file of the same name
T15="$W/t15"; mkdir -p "$T15/r" "$T15/t/sub"; echo hello >"$T15/t/a"; echo hello >"$T15/t/b"; echo hello >"$T15/t/sub/b"
printf -- '--- a/a\n+++ b/a\n@@ -1 +1 @@\n-hello\n+main\n' >"$T15/r/main.patch"
printf -- '--- a/b\n+++ b/b\n@@ -1 +1 @@\n-hello\n+SUB\n' >"$T15/r/sub.patch"
cat >"$T15/r/meta.yaml" <<'YAML'
package:
  name: x
source:
  - url: https://example/main.tar.gz
    patches:
      - main.patch
  - url: https://example/extra.tar.gz
    folder: sub
    patches:
      - sub.patch
YAML
cp -R "$T15/t" "$T15/orig"
check_rc "T15: a source's folder: with patches: apply refuses, exit 2" 2 "$AP" apply -d "$T15/t" --patches "$T15/r"
check_grep "T15: ... naming the folder: line and the patch" "meta.yaml:8: this source is unpacked into 'sub/' (folder: sub), and conda-build applies its patches (sub.patch, line 10) inside that folder" "$ERR"
check "T15: the tree is untouched" diff -r "$T15/orig" "$T15/t"
sed -i 's/folder: sub/folder: .\//' "$T15/r/meta.yaml"
check_rc "T15: folder: ./ is the top: applied" 0 "$AP" apply -d "$T15/t" --patches "$T15/r"
finish
