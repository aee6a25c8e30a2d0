#!/bin/sh
# test_selectors_conda.sh - conda-build's selector words as real recipes
# write them (issue 15 item 6): win, osx, unix, architectures (x86_64,
# aarch64, arm64, ppc64le, ...), linux64/win64, with and/or/not/parentheses;
# a platform may name its architecture as conda's subdirs do (osx-arm64,
# linux-aarch64, win-64). list, lint and drift accept them.
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
finish
