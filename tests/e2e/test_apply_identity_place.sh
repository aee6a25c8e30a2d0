#!/bin/sh
# A patch's identity says where each change is and what kind of file it
# changes (identity version 3, red-team 4 id1 and id2). The same edit in
# two functions whose 3 nearest lines agree, written with diff -U5, was one
# patch for version 2: with A applied and B in the series, status said
# "applied, unchanged" and apply did nothing although the tree held A's
# change, not B's. Now status says B changed, apply refuses (the tree holds
# a different series) and unapply restores the file. -U3 and -U5 forms of
# one edit stay one patch. A git patch re-pointing a symlink (mode 120000)
# and the same patch on a regular file (100644) are two patches.
. "$TESTS_ROOT/e2e/lib.sh"
WORK=$(scratch)
umask 022
git_home

cd "$WORK" || exit 2
mkdir orig
cat >orig/pool.c <<'EOF'
static void *alloc_linux(size_t n)
{
    void *p;

    p = mmap(0, n, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 0;
    return p;
}

static void *alloc_cygwin(size_t n)
{
    void *p;

    p = mmap(0, n, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 0;
    return p;
}
EOF
cp -R orig a
cp -R orig b
sed -i '5s/MAP_ANONYMOUS/MAP_ANONYMOUS|MAP_NORESERVE/' a/pool.c
sed -i '15s/MAP_ANONYMOUS/MAP_ANONYMOUS|MAP_NORESERVE/' b/pool.c
# diff exits 1 when the files differ
for x in a b; do
	diff -U5 orig/pool.c $x/pool.c | sed -e '1s|^--- orig/|--- a/|' -e "2s|^+++ $x/|+++ b/|" >$x-U5.patch
	diff -U3 orig/pool.c $x/pool.c | sed -e '1s|^--- orig/|--- a/|' -e "2s|^+++ $x/|+++ b/|" >$x-U3.patch
done
check "the -U5 patches differ" sh -c "! cmp -s a-U5.patch b-U5.patch"
check "their changed lines are the same" sh -c \
	"[ \"\$(grep '^[-+][^-+]' a-U5.patch)\" = \"\$(grep '^[-+][^-+]' b-U5.patch)\" ]"

T="$WORK/t"
cp -R orig "$T"
mkdir "$T/patches"
cp a-U5.patch "$T/patches/noreserve.patch"
echo noreserve.patch >"$T/patches/series"
check_rc "A applies" 0 "$AP" apply -d "$T" --no-quilt-state
check "the tree holds A's change" cmp -s a/pool.c "$T/pool.c"

# the series now carries B: the change at line 15, not 5
cp b-U5.patch "$T/patches/noreserve.patch"
check_rc "B in the series: status exit 1" 1 "$AP" status -d "$T"
check_grep "status says B changed" "noreserve.patch  *(changed in the series)" "$OUT"
check "status does not say unchanged" sh -c "! grep -q unchanged '$OUT'"
check_rc "B in the series: apply exit 1" 1 "$AP" apply -d "$T" --no-quilt-state
cat "$OUT" "$ERR" >"$WORK/said"
check_grep "apply says the tree holds a different series" "the tree holds a different series" "$WORK/said"
check_grep "apply names the changed patch" "noreserve.patch changed since it was applied" "$WORK/said"
check "apply left A's change" cmp -s a/pool.c "$T/pool.c"
check_rc "unapply exit 0" 0 "$AP" unapply -d "$T"
check "unapply restored the file" cmp -s orig/pool.c "$T/pool.c"
check_rc "B applies now" 0 "$AP" apply -d "$T" --no-quilt-state
check "the tree holds B's change" cmp -s b/pool.c "$T/pool.c"

# B's -U3 form is B: still applied, unchanged
cp b-U3.patch "$T/patches/noreserve.patch"
check "the -U3 form is another text" sh -c "! cmp -s b-U3.patch b-U5.patch"
check_rc "B as -U3: status exit 0" 0 "$AP" status -d "$T"
check "B as -U3: status does not say changed" sh -c "! grep -q changed '$OUT'"
check_rc "B as -U3: apply exit 0" 0 "$AP" apply -d "$T" --no-quilt-state
check_grep "B as -U3: already applied" "noreserve.patch  *already-applied" "$OUT"
# and A's -U3 form (it differs from B's only in its @@ lines) is not B
cp a-U3.patch "$T/patches/noreserve.patch"
check_rc "A as -U3 over B: status exit 1" 1 "$AP" status -d "$T"
check_grep "A as -U3 over B: changed" "noreserve.patch  *(changed in the series)" "$OUT"
cp b-U3.patch "$T/patches/noreserve.patch"
check_rc "B again: unapply exit 0" 0 "$AP" unapply -d "$T"
check "unapply restored the file" cmp -s orig/pool.c "$T/pool.c"

# A symlink re-pointed by git (mode 120000) is not a regular file's edit
R="$WORK/repo"
mkdir -p "$R/sub" "$R/sub2"
echo a >"$R/sub/f"
echo b >"$R/sub2/f"
ln -s sub "$R/l"
(cd "$R" && git init -q && git add -A && git commit -qm base && rm l && ln -s sub2 l &&
	git add -A && git diff --cached >"$WORK/link.patch" && git reset -q --hard) || exit 2
check_grep "git wrote a link patch" "^index .* 120000$" "$WORK/link.patch"
sed 's/ 120000$/ 100644/' "$WORK/link.patch" >"$WORK/file.patch"
L="$WORK/l"
mkdir -p "$L/patches"
(cd "$R" && git archive HEAD) | tar x -C "$L"
cp "$WORK/link.patch" "$L/patches/x.patch"
echo x.patch >"$L/patches/series"
check_rc "the link patch applies" 0 "$AP" apply -d "$L" --no-quilt-state
check "the link points to sub2" sh -c "[ \"\$(readlink '$L/l')\" = sub2 ]"
cp "$WORK/file.patch" "$L/patches/x.patch"
check_rc "a regular file's patch in its place: status exit 1" 1 "$AP" status -d "$L"
check_grep "status says it changed" "x.patch  *(changed in the series)" "$OUT"
cp "$WORK/link.patch" "$L/patches/x.patch"
check_rc "the link patch again: status exit 0" 0 "$AP" status -d "$L"
check_rc "unapply exit 0" 0 "$AP" unapply -d "$L"
check "the link points to sub again" sh -c "[ \"\$(readlink '$L/l')\" = sub ]"

finish
