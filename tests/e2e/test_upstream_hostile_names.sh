#!/bin/sh
# Smaller upstream findings of red-team 2 (R8), each with a clear message:
#  - a tarball's names reach the terminal with their control bytes escaped
#    (the skipped-package list, error messages): no escape sequence runs;
#  - an empty archive, or one holding only skipped packages, is no tree;
#  - a checksum key that is not one of ours (SHA256=, sha265=) is an error
#    naming it, not silently ignored beside a sum that passes; a UTF-8 BOM
#    at the start of checksums.ini is read past;
#  - a name that is both a tag and a branch (at different commits) is
#    refused, saying how to pick one; a blob or tree rev says what it is.
. "$TESTS_ROOT/e2e/lib.sh"
UP="$BIN_DIR/upstream"
W=$(scratch)
export GIT_CONFIG_NOSYSTEM=1 HOME="$W"
trap 'rm -rf "$W"; cleanup' EXIT
ESC=$(printf '\033')

no_escape() { # NAME FILE
	if grep -q "$ESC" "$2"; then not_ok "$1: a raw ESC reached the terminal"; else ok "$1: no raw ESC"; fi
}

python3 - "$W" <<'PY'
import io, sys, tarfile
w = sys.argv[1]
def add(t, name, data=b"x\n", kind=tarfile.REGTYPE):
    i = tarfile.TarInfo(name); i.type = kind; i.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    if kind == tarfile.REGTYPE:
        i.size = len(data); t.addfile(i, io.BytesIO(data))
    else:
        t.addfile(i)
with tarfile.open(w + "/esc.tar.gz", "w:gz", format=tarfile.PAX_FORMAT) as t:
    add(t, "gap/configure", b"#!/bin/sh\n")
    add(t, "gap/pkg/\x1b]0;PWNED\x07evil/f")
with tarfile.open(w + "/escdup.tar.gz", "w:gz", format=tarfile.PAX_FORMAT) as t:
    add(t, "gap/configure", b"#!/bin/sh\n")
    add(t, "gap/\x1b[2Jx")
    add(t, "gap/\x1b[2Jx")
with tarfile.open(w + "/empty.tar", "w") as t:
    pass
with tarfile.open(w + "/onlypkg.tar.gz", "w:gz") as t:
    add(t, "gap/pkg/io/f")
PY

# escapes
check_rc "escapes: unpack succeeds" 0 "$UP" unpack "$W/esc.tar.gz" "$W/e1"
no_escape "escapes: the skipped list" "$OUT"
check_grep "escapes: the name shown escaped" 'PWNED' "$OUT"
check_rc "escapes in an error: refused" 1 "$UP" unpack "$W/escdup.tar.gz" "$W/e2"
no_escape "escapes: the error" "$ERR"
check_grep "escapes: the entry named, escaped" 'appears a second time' "$ERR"

# empty
check_rc "empty tar: refused" 1 "$UP" unpack "$W/empty.tar" "$W/e3"
check_grep "empty tar: says so" "empty.tar: the archive holds nothing to unpack (it is empty)" "$ERR"
check "empty tar: nothing left" sh -c "! ls -A '$W' | grep -q -e '^e3\$' -e staging"
check_rc "only skipped packages: refused" 1 "$UP" unpack "$W/onlypkg.tar.gz" "$W/e4"
check_grep "only skipped packages: says so" "every entry is under a skipped pkg/ package" "$ERR"
check_rc "only skipped packages: --full unpacks it" 0 "$UP" unpack "$W/onlypkg.tar.gz" "$W/e5" --full

# checksums.ini keys
mkdir -p "$W/pkg/upstream"
echo 1.0 > "$W/pkg/upstream/package-version.txt"
cp "$W/esc.tar.gz" "$W/pkg/upstream/gap-1.0.tar.gz"
sha1=$(sha1sum "$W/esc.tar.gz" | cut -c1-40)
for bad in SHA256 sha265 MD5; do
	printf 'tarball=gap-VERSION.tar.gz\nsha1=%s\n%s=%s\n' "$sha1" "$bad" \
		0000000000000000000000000000000000000000000000000000000000000000 \
		> "$W/pkg/upstream/checksums.ini"
	check_rc "key $bad: pin --check refuses" 1 "$UP" pin -C "$W/pkg" --check "$W/esc.tar.gz"
	check_grep "key $bad: named with its line" "checksums.ini:3: unknown checksum key '$bad'" "$ERR"
done
printf 'tarball=gap-VERSION.tar.gz\nsha1=%s\nsage_extra=whatever\n' "$sha1" > "$W/pkg/upstream/checksums.ini"
check_rc "another key of Sage's is still ignored" 0 "$UP" pin -C "$W/pkg" --check "$W/esc.tar.gz"
printf '\357\273\277tarball=gap-VERSION.tar.gz\nsha1=%s\n' "$sha1" > "$W/pkg/upstream/checksums.ini"
check_rc "a UTF-8 BOM is read past" 0 "$UP" pin -C "$W/pkg" --check "$W/esc.tar.gz"

# git names
G="git -c user.name=T -c user.email=t@example.org -c init.defaultBranch=master"
mkdir "$W/g" && (cd "$W/g" && $G init -q && printf '#!/bin/sh\n' > configure && $G add -A &&
	$G commit -qm one && $G tag v1 && echo '# two' >> configure && $G commit -qam two &&
	$G branch v1 && $G tag blobtag "$($G rev-parse HEAD:configure)") 2>/dev/null ||
	not_ok "git repository set up"
check_rc "tag and branch: refused" 1 "$UP" prepare "$W/g1" --git "$W/g" --rev v1
check_grep "tag and branch: says how to pick" "'v1' is both a tag and a branch, at different commits: say refs/tags/v1 or refs/heads/v1" "$ERR"
check "tag and branch: nothing left" test ! -e "$W/g1"
check_rc "refs/tags/v1 picks the tag" 0 "$UP" prepare "$W/g2" --git "$W/g" --rev refs/tags/v1
check "the tag's tree" test "$(cat "$W/g2/configure")" = '#!/bin/sh'
check_rc "a blob: refused" 1 "$UP" prepare "$W/g3" --git "$W/g" --rev blobtag
check_grep "a blob: says it is one" "'blobtag' names a blob, not a commit" "$ERR"
check_rc "a tree: refused" 1 "$UP" prepare "$W/g4" --git "$W/g" --rev 'HEAD^{tree}'
check_grep "a tree: says it is one" "names a tree, not a commit" "$ERR"

finish
