#!/bin/sh
# test_upstream_prepare.sh - the four forms of an upstream through the
# CLI: `prepare` from a tarball, a directory and a git revision (the
# repository is made with the git command here; upstream itself only uses
# libgit2), autogen.sh for a tree without configure, `export`, `cat`
# reading single files, `tags`, `pin`, and usage errors.
. "$TESTS_ROOT/e2e/lib.sh"
UP="$BIN_DIR/upstream"
W=$(scratch)
export GIT_CONFIG_NOSYSTEM=1 HOME="$W"
G="git -c user.name=Test -c user.email=test@example.org -c init.defaultBranch=master"

python3 "$FIXTURES/upstream/make_tarball.py" "$FIXTURES/minigap" "$W/gap-4.10.2.tar.gz"
SUM=$(sha256sum "$W/gap-4.10.2.tar.gz" | cut -c1-64)

# --- tarball and directory ----------------------------------------------------------
check_rc "prepare from a tarball" 0 "$UP" prepare "$W/t" --tarball "$W/gap-4.10.2.tar.gz"
check_grep "it prints the identity (the tarball's sum)" "prepared $W/t (sha256:$SUM)" "$OUT"
check "the tree is there" test -x "$W/t/configure"
check_rc "prepare from a directory" 0 "$UP" prepare "$W/d" --dir "$FIXTURES/minigap"
check_grep "its identity is a digest of the files" "(dir:sha256:[0-9a-f]\{64\})" "$OUT"
check "pkg/io is skipped from a directory too" test ! -e "$W/d/pkg/io"
check "the rest is a copy" diff -r -x pkg "$FIXTURES/minigap" "$W/d"
check_rc "--full copies pkg/ too" 0 "$UP" prepare "$W/d2" --dir "$FIXTURES/minigap" --full
check "all of it" diff -r "$FIXTURES/minigap" "$W/d2"
check_rc "a directory's identity does not change when nothing did" 0 \
	"$UP" prepare "$W/d3" --dir "$FIXTURES/minigap" --full
id2=$(sed -n 's/^prepared [^ ]* (\(.*\))$/\1/p' "$OUT")
"$UP" prepare "$W/d4" --dir "$FIXTURES/minigap" --full >"$W/out4"
check "the same identity twice" test "$id2" = "$(sed -n 's/^prepared [^ ]* (\(.*\))$/\1/p' "$W/out4")"

# --- git --------------------------------------------------------------------------
cp -R "$FIXTURES/minigap" "$W/repo"
(cd "$W/repo" && $G init -q && $G add -A && $G commit -qm "4.10.1" && $G tag v4.10.1 &&
	echo "/* changed */" >>src/sysmem.c && $G commit -qam "4.10.2" &&
	$G tag -a v4.10.2 -m "GAP 4.10.2" && $G tag v4.9.3 v4.10.1 && $G tag v4.10.10) \
	>/dev/null 2>&1
check_rc "prepare from a git tag" 0 "$UP" prepare "$W/g" --git "$W/repo" --rev v4.10.1
commit=$(cd "$W/repo" && git rev-parse v4.10.1)
check_grep "its identity is the commit" "(git:$commit)" "$OUT"
check "the tree is that tag's" cmp "$FIXTURES/minigap/src/sysmem.c" "$W/g/src/sysmem.c"
check "no .git in it" test ! -e "$W/g/.git"
check "modes survive" test -x "$W/g/configure"
check_rc "export writes a revision's tree" 0 "$UP" export "$W/repo" v4.10.2 "$W/e"
check_grep "the changed file is the new one" "changed" "$W/e/src/sysmem.c"
check_rc "cat reads one file at a revision" 0 "$UP" cat --git "$W/repo" --rev v4.10.2 src/sysmem.c
check_grep "the new content" "/\* changed \*/" "$OUT"
check_rc "cat at the older tag" 0 "$UP" cat --git "$W/repo" --rev v4.10.1 src/sysmem.c
check "the older content" cmp "$FIXTURES/minigap/src/sysmem.c" "$OUT"
check_rc "cat from the tarball" 0 "$UP" cat --tarball "$W/gap-4.10.2.tar.gz" lib/init.g
check "the file's bytes" cmp "$FIXTURES/minigap/lib/init.g" "$OUT"
check_rc "cat of a missing file fails" 1 "$UP" cat --tarball "$W/gap-4.10.2.tar.gz" src/none.c
check_grep "saying which and where" "src/none.c: no such file in gap-4.10.2.tar.gz" "$ERR"
check_rc "tags in version order" 0 "$UP" tags "$W/repo" 'v4.*'
check "v4.9.3 < v4.10.1 < v4.10.2 < v4.10.10" \
	test "$(tr '\n' ' ' <"$OUT")" = "v4.9.3 v4.10.1 v4.10.2 v4.10.10 "
check_rc "an unknown revision fails" 1 "$UP" prepare "$W/x" --git "$W/repo" --rev v5.0
check_grep "naming it" "no revision 'v5.0'" "$ERR"
check "and leaves nothing" test ! -e "$W/x"

# a git tree without configure: autogen.sh makes it
mkdir -p "$W/ag/src"
echo 'int main(void) { return 0; }' >"$W/ag/src/gap.c"
printf '#!/bin/sh\necho generating\nprintf "#!/bin/sh\\necho configured\\n" >configure\nchmod +x configure\n' \
	>"$W/ag/autogen.sh"
chmod +x "$W/ag/autogen.sh"
(cd "$W/ag" && $G init -q && $G add -A && $G commit -qm init) >/dev/null 2>&1
check_rc "prepare runs autogen.sh for a git tree" 0 "$UP" prepare "$W/agt" --git "$W/ag" --rev master
check_grep "and says so" "configure made by ./autogen.sh" "$OUT"
check "configure is there" test -x "$W/agt/configure"
check_rc "--no-autogen leaves it out" 0 "$UP" prepare "$W/agn" --git "$W/ag" --rev master --no-autogen
check "no configure then" test ! -e "$W/agn/configure"
printf '#!/bin/sh\necho "autoreconf: not found" >&2\nexit 1\n' >"$W/ag/autogen.sh"
(cd "$W/ag" && $G commit -qam broken) >/dev/null 2>&1
check_rc "a failing autogen.sh fails prepare" 1 "$UP" prepare "$W/agf" --git "$W/ag" --rev master
check_grep "with its output" "autoreconf: not found" "$ERR"
check "and leaves nothing" test ! -e "$W/agf"

# --- pin and usage ---------------------------------------------------------------------
mkdir -p "$W/pkg/upstream"
echo 4.10.2 >"$W/pkg/upstream/package-version.txt"
printf 'tarball=gap-VERSION.tar.gz\nsha256=%s\nupstream_url=https://example.org/gap-${VERSION}.tar.gz\n' \
	"$SUM" >"$W/pkg/upstream/checksums.ini"
check_rc "pin prints the pinned release" 0 "$UP" pin -C "$W/pkg"
check_grep "its tarball" "^tarball=gap-4.10.2.tar.gz$" "$OUT"
check_grep "its URL" "^upstream_url=https://example.org/gap-4.10.2.tar.gz$" "$OUT"
printf 'tarball=gap-VERSION.tar.gz\nsha256=nope\n' >"$W/pkg/upstream/checksums.ini"
check_rc "a bad checksums.ini fails" 1 "$UP" pin -C "$W/pkg"
check_grep "naming file and line" "checksums.ini:2: sha256 must be 64 hexadecimal digits" "$ERR"
check_rc "two forms at once is a usage error" 2 \
	"$UP" prepare "$W/y" --tarball "$W/gap-4.10.2.tar.gz" --dir "$W/t"
check_rc "--git without --rev is a usage error" 2 "$UP" prepare "$W/y" --git "$W/repo"
# --- a source bringing applypatch's state directory (red-team R1) ---------------------
# A planted .applypatch/ made a fresh tree look patched, and as root
# `applypatch unapply` (which apply advises) then wrote its orig/0 as a
# root-owned setuid file: refused from every kind of source.
plant_state() {
	mkdir -p "$1/.applypatch/orig"
	printf '#!/bin/sh\nid\n' >"$1/.applypatch/orig/0"
	printf 'b\n' >"$1/f"
	fsum=$(sha256sum "$1/f" | cut -c1-64)
	psum=$(printf x | sha256sum | cut -c1-64)
	printf 'applypatch-state 2\nplatform\tlinux\npatch\tapplied\t%s\t1\tq.patch\n' "$psum" \
		>"$1/.applypatch/state"
	printf 'file\t0\t4755\tfile\t644\t%s\tf\nowner\t0\t0\tf\nnext-blob\t1\n' "$fsum" \
		>>"$1/.applypatch/state"
}
cp -R "$FIXTURES/minigap" "$W/evil"
plant_state "$W/evil"
python3 "$FIXTURES/upstream/make_tarball.py" "$W/evil" "$W/evil.tar.gz"
check_rc "a tarball with .applypatch/ is refused" 1 "$UP" prepare "$W/ev1" --tarball "$W/evil.tar.gz"
check_grep "naming the entry and why" ".applypatch.*applypatch's state directory" "$ERR"
check "nothing is left" test ! -e "$W/ev1"
check_rc "unpack refuses it too" 1 "$UP" unpack "$W/evil.tar.gz" "$W/ev1u"
check "and leaves nothing" test ! -e "$W/ev1u"
check_rc "a directory with .applypatch/ is refused" 1 "$UP" prepare "$W/ev2" --dir "$W/evil"
check_grep "naming it" "applypatch's state directory" "$ERR"
check "nothing is left" test ! -e "$W/ev2"
(cd "$W/evil" && $G init -q && $G add -A && $G commit -qm evil && $G tag v1) >/dev/null 2>&1
check_rc "a git revision with .applypatch/ is refused" 1 "$UP" prepare "$W/ev3" --git "$W/evil" --rev v1
check_grep "naming it" "applypatch's state directory" "$ERR"
check "nothing is left" test ! -e "$W/ev3"
# and a tarball's .git/ (whose config can name programs git runs) is
# dropped, as prepare --dir drops it
mkdir -p "$W/withgit/.git" && cp -R "$FIXTURES/minigap/." "$W/withgit/" &&
	printf '[core]\n\tfsmonitor = touch %s/pwned\n' "$W" >"$W/withgit/.git/config"
python3 "$FIXTURES/upstream/make_tarball.py" "$W/withgit" "$W/withgit.tar.gz"
check_rc "a tarball with .git/ unpacks" 0 "$UP" prepare "$W/wg" --tarball "$W/withgit.tar.gz"
check "without its .git/" test ! -e "$W/wg/.git"

# Should a record still arrive some other way, set-id bits come back only
# when the kept original itself has them (tarballs and copies drop them).
if [ "$(id -u)" = 0 ]; then
	mkdir -p "$W/planted" && cp -R "$FIXTURES/minigap/." "$W/planted/" && plant_state "$W/planted"
	chmod 755 "$W/planted/.applypatch/orig/0"
	check_rc "unapply over a planted root-owned record" 0 "$BIN_DIR/applypatch" unapply -d "$W/planted"
	check "restores the bytes without setuid" test ! -u "$W/planted/f"
fi

check_rc "an unknown command is a usage error" 2 "$UP" frobnicate
check_rc "--help succeeds" 0 "$UP" --help
check_grep "and shows the commands" "prepare DEST \[SOURCE\]" "$OUT"

finish
