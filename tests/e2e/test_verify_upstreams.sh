#!/bin/sh
# verify takes its upstream in every form the upstream handling has: a git
# repository at a revision, a tarball, and the pinned release (a package
# directory's upstream/checksums.ini with the tarball already downloaded),
# each built and reused by its own identity (commit id, sha256).
. "$TESTS_ROOT/e2e/lib.sh"
V="$BIN_DIR/verify"
EXPECT="$TESTS_ROOT/../expectations.conf"
PATCHES="$FIXTURES/minigap-patches"
WORK=$(scratch)
trap 'rm -rf "$WORK"; cleanup' EXIT

notes() { jq -r '.targets[0].notes | join("\n")' "$OUT"; }
like() {
	case $2 in $3) ok "$1" ;; *) not_ok "$1 ('$2' is not like '$3')" ;; esac
}

# git: a repository holding the fixture, at a tag
mkdir -p "$WORK/repo"
cp -R "$FIXTURES/minigap/." "$WORK/repo/"
(cd "$WORK/repo" && git init -q && git add -A &&
	git -c user.email=t@example.org -c user.name=t commit -q -m fixture && git tag v1) ||
	not_ok "git repository set up"
commit=$(git -C "$WORK/repo" rev-parse HEAD)
check_rc "git: exit 0" 0 "$V" --upstream-git "$WORK/repo" --rev v1 --patches "$PATCHES" \
	--expect "$EXPECT" --build-dir "$WORK/bg" --platform linux --format json
like "git: built from the commit" "$(notes)" "*built in * s from git:$commit*"
check_rc "git: re-run exit 0" 0 "$V" --upstream-git "$WORK/repo" --rev v1 --patches "$PATCHES" \
	--expect "$EXPECT" --build-dir "$WORK/bg" --platform linux --format json
like "git: reused" "$(notes)" "*build reused: inputs unchanged (git:$commit)*"
echo "/* a later commit */" >> "$WORK/repo/src/gap.c"
(cd "$WORK/repo" && git -c user.email=t@example.org -c user.name=t commit -q -am later)
check_rc "git: another revision" 0 "$V" --upstream-git "$WORK/repo" --rev HEAD --patches "$PATCHES" \
	--expect "$EXPECT" --build-dir "$WORK/bg" --platform linux --format json
like "git: rebuilt for it" "$(notes)" "*built in * s from git:$(git -C "$WORK/repo" rev-parse HEAD)*"

# tarball
tar czf "$WORK/minigap-1.0.tar.gz" -C "$FIXTURES" minigap
sum=$(sha256sum "$WORK/minigap-1.0.tar.gz" | cut -c1-64)
check_rc "tarball: exit 0" 0 "$V" --upstream "$WORK/minigap-1.0.tar.gz" --patches "$PATCHES" \
	--expect "$EXPECT" --build-dir "$WORK/bt" --format json
like "tarball: built from its sha256" "$(notes)" "*from sha256:$sum*"
check "tarball: both targets pass" jq -e '[.targets[].status] == ["pass","pass"]' "$OUT"

# pinned: the default, from the package directory
mkdir -p "$WORK/pkg/upstream"
cp "$WORK/minigap-1.0.tar.gz" "$WORK/pkg/upstream/"
echo 1.0 > "$WORK/pkg/upstream/package-version.txt"
printf 'tarball=minigap-VERSION.tar.gz\nsha256=%s\nupstream_url=http://127.0.0.1:9/minigap-${VERSION}.tar.gz\n' \
	"$sum" > "$WORK/pkg/upstream/checksums.ini"
cp -R "$PATCHES" "$WORK/pkg/patches"
check_rc "pinned: exit 0" 0 sh -c "cd '$WORK/pkg' && '$V' --expect '$EXPECT' --platform linux --format json"
like "pinned: built from the pinned sum" "$(notes)" "*from sha256:$sum*"
like "pinned: ./patches used" "$(notes)" "*patch applied: install-targets.patch*"
check "pinned: default build directory" test -x "$WORK/pkg/build-gap/linux/src/gap"

finish
