# Shared helpers for the end-to-end tests (sourced, POSIX sh).
#   check NAME CMD...          ok when CMD succeeds
#   check_rc NAME RC CMD...    ok when CMD exits with RC (output in $OUT, $ERR)
#   check_grep NAME PATTERN FILE
#   snapshot DIR               prints a digest of every file, link and mode under DIR
#   scratch                    a new temporary directory, removed at exit
#   tree_state DIR             snapshot and snapshot_all together
#   files_of DIR               each file's path, kind and sha256 (patches/ and .applypatch/ left out)
#   same_files A B             diff of files_of A and files_of B (empty: the same)
#   quilt_view DIR PATCHES     what real quilt says of DIR, in one call: `quilt series -v`
#                              ("+ " applied, "= " top, "  " unapplied: the functions quilt
#                              applied, unapplied and top use) and its exit code; PATCHES
#                              when .pc/ names none; empty when quilt is not installed
# Fixture cases ($E2E/NAME/{tree,patches,expect} over $E2E/base; set E2E and WORK):
#   newcase NAME               a fresh copy of case NAME in $T
#   matches_expect NAME        diff of $T against NAME's expect/ (empty: as expected)
#   finish                     exits 1 if any check failed
#   junit_valid FILE           well-formed and valid against tests/schema/junit.xsd
# Numbered cases built in the script:
#   cases_start                E2E (the fixtures), WORK (a scratch dir), umask 022, n=0
#   newtree                    $T an empty tree, $P an empty patches directory, in $WORK/$n
#   add_patch NAME             the patch on stdin becomes $P/NAME, appended to $P/series
#   full_state DIR             every path's kind, mode, owner and inode, every file's sha256
# Git histories built in the script:
#   git_fixed_identity         author, committer and dates fixed, so commit ids repeat
#   new_repo DIR               with that identity, a repository in DIR (branch master,
#                              an empty src/) that g ARGS... runs git in
# Fault injection (the build in $FAULT_APPLYPATCH, build/fault/applypatch):
#   have_faults                true when that build is at hand
#   killed_at STEP CMD...      runs it with CMD, SIGKILLed at STEP (e.g. rename:3), quietly
#   refusing FILE CMD...       runs it with CMD, every rename onto or unlink of FILE failing
#                              with EPERM (as an LSM or ACL would)
# The built tools are in $BIN_DIR (applypatch, upstream, verify).

AP="$BIN_DIR/applypatch"
FIXTURES="$TESTS_ROOT/fixtures"
# Some scripts preload a shim of tests/tools/ into the tools; in the
# sanitizer pass ASan then is not first in the library list, which it
# refuses unless told that this is meant
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
_failures=0
# Every temporary file and directory lives under one root removed at exit:
# `W=$(scratch)` runs in a subshell, which could not record what it made.
_scratch_root=$(mktemp -d "${TMPDIR:-/tmp}/patchkit-test.XXXXXX") || exit 2

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; _failures=$((_failures + 1)); }

check() {
	_name=$1; shift
	if "$@" >/dev/null 2>&1; then ok "$_name"; else not_ok "$_name"; fi
}

# Runs a command, keeping its stdout in $OUT and stderr in $ERR (files).
run() {
	OUT=$(mktemp "$_scratch_root/out.XXXXXX"); ERR=$(mktemp "$_scratch_root/err.XXXXXX")
	"$@" >"$OUT" 2>"$ERR"
	RC=$?
	return 0
}

check_rc() {
	_name=$1; _want=$2; shift 2
	run "$@"
	if [ "$RC" -eq "$_want" ]; then
		ok "$_name"
	else
		not_ok "$_name (exit $RC, wanted $_want)"
		sed 's/^/    stdout: /' "$OUT" | head -20
		sed 's/^/    stderr: /' "$ERR" | head -20
	fi
}

check_grep() {
	_name=$1; _pat=$2; _file=$3
	if grep -q -e "$_pat" "$_file"; then
		ok "$_name"
	else
		not_ok "$_name (no '$_pat' in output)"
		sed 's/^/    | /' "$_file" | head -20
	fi
}

snapshot() {
	(cd "$1" && find . -path ./.applypatch -prune -o -print | LC_ALL=C sort | while IFS= read -r p; do
		if [ -L "$p" ]; then
			printf '%s link %s\n' "$p" "$(readlink "$p")"
		elif [ -f "$p" ]; then
			printf '%s file %s %s\n' "$p" "$(stat -c %a "$p")" "$(sha256sum <"$p" | cut -c1-64)"
		else
			printf '%s dir %s\n' "$p" "$(stat -c %a "$p")"
		fi
	done)
}

# Like snapshot, but counts the state directory too (for "nothing left behind").
snapshot_all() {
	(cd "$1" && find . | LC_ALL=C sort | while IFS= read -r p; do
		if [ -f "$p" ] && [ ! -L "$p" ]; then
			printf '%s %s\n' "$p" "$(sha256sum <"$p" | cut -c1-64)"
		else
			printf '%s\n' "$p"
		fi
	done)
}

tree_state() { snapshot "$1"; snapshot_all "$1"; }

files_of() {
	(cd "$1" && {
		find . \( -path ./patches -o -path ./.applypatch -o -path ./.pc \) -prune -o -type l -printf '%p link %l\n' \
			-o -type f \( -perm -u+x -printf '%p x\n' -o -printf '%p -\n' \)
		find . \( -path ./patches -o -path ./.applypatch -o -path ./.pc \) -prune -o -type f -exec sha256sum {} +
	} | LC_ALL=C sort)
}

same_files() {
	files_of "$1" >"$_scratch_root/a.lst"
	files_of "$2" >"$_scratch_root/b.lst"
	diff "$_scratch_root/a.lst" "$_scratch_root/b.lst"
}

quilt_view() {
	command -v quilt >/dev/null 2>&1 || return 0
	(cd "$1" && QUILT_PATCHES=$2 quilt --quiltrc /dev/null series -v 2>&1; echo "exit $?")
}

_cases=0
newcase() {
	_cases=$((_cases + 1))
	T="$WORK/$_cases/tree"
	mkdir -p "$T"
	cp -R "$E2E/base/." "$T/"
	if [ -d "$E2E/$1/tree" ]; then cp -R "$E2E/$1/tree/." "$T/"; fi
	if [ -d "$E2E/$1/patches" ]; then cp -R "$E2E/$1/patches" "$T/patches"; fi
}

matches_expect() { same_files "$T" "$E2E/$1/expect"; }

cases_start() {
	E2E="$FIXTURES/e2e"
	WORK=$(scratch)
	umask 022
	n=0
}

newtree() {
	n=$((n + 1))
	T="$WORK/$n/tree"
	P="$WORK/$n/patches"
	mkdir -p "$T" "$P"
	chmod 755 "$WORK/$n"
}

add_patch() { cat >"$P/$1"; echo "$1" >>"$P/series"; }

# a rollback puts back the very inodes and leaves nothing of its own: this
# sees both
full_state() {
	(cd "$1" && find . -printf '%p %y %m %U:%G %i\n' | LC_ALL=C sort &&
		find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}

git_fixed_identity() {
	export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org GIT_COMMITTER_NAME=t \
		GIT_COMMITTER_EMAIL=t@example.org GIT_AUTHOR_DATE="2020-01-01T00:00:00Z" \
		GIT_COMMITTER_DATE="2020-01-01T00:00:00Z"
}

# git in a HOME of the test's own (WORK): a fixed identity and "main" as
# the first branch, whatever the machine's git configuration says
git_home() {
	git_fixed_identity
	export HOME="$WORK"
	git config --global init.defaultBranch main 2>/dev/null
}

new_repo() {
	repo=$1
	git_fixed_identity
	git init -q -b master "$repo"
	mkdir -p "$repo/src"
}

g() { git -C "$repo" "$@"; }

have_faults() { [ -x "${FAULT_APPLYPATCH:-}" ]; }

refusing() {
	_target=$1
	shift
	APPLYPATCH_FAULT_TARGET=$_target "$FAULT_APPLYPATCH" "$@"
}

killed_at() {
	_at=$1
	shift
	APPLYPATCH_FAULT_KILL=$_at "$FAULT_APPLYPATCH" "$@" >/dev/null 2>&1
}

# Every JUnit document the tools write must satisfy the schema CI systems
# read (tests/schema/junit.xsd, the Jenkins/Ant shape), not only parse.
JUNIT_XSD="$TESTS_ROOT/schema/junit.xsd"
junit_valid() { xmllint --noout --schema "$JUNIT_XSD" "$1"; }

scratch() {
	mktemp -d "$_scratch_root/s.XXXXXX"
}

# chmod first: a test may leave a directory unwritable on purpose
cleanup() { chmod -R u+rwx "$_scratch_root" 2>/dev/null; rm -rf "$_scratch_root"; }
trap cleanup EXIT

finish() {
	[ "$_failures" -eq 0 ]
}
