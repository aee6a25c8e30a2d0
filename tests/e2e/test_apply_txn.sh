#!/bin/sh
# The write transaction against trees that fight back: files named like
# applypatch's temporary files, backups whose inode has other names, a
# state directory applypatch did not write, renames the kernel will refuse
# (immutable files, sticky directories), a created file replaced by a
# directory. In each case the run either completes or refuses before its
# commit point with the path named; nothing applypatch did not write is
# ever deleted; and the tree is never left wedged half-patched.
. "$TESTS_ROOT/e2e/lib.sh"
WORK=$(scratch)
trap 'rm -rf "$WORK"; cleanup' EXIT
chmod 755 "$_scratch_root" "$WORK"
umask 022
n=0

# setup: $T a tree holding a.txt, $P an empty patches directory.
setup() {
	n=$((n + 1))
	T="$WORK/$n/tree"
	P="$WORK/$n/patches"
	mkdir -p "$T" "$P"
	chmod 755 "$WORK/$n"
	printf 'one\ntwo\nthree\n' >"$T/a.txt"
}

# patch NAME: the patch text on stdin, appended to the series.
patch() { cat >"$P/$1"; echo "$1" >>"$P/series"; }

edit_a() {
	patch edit-a.patch <<'EOF'
--- a/a.txt
+++ b/a.txt
@@ -1,3 +1,3 @@
 one
-two
+TWO
 three
EOF
}

# --- item 10: a user's file named like a temporary file --------------------------

setup
edit_a
# exec keeps the shell's pid: the file has the name the old scheme chose
check_rc "a file named .aptmp.PID.0 in the tree: apply exit 0" 0 \
	sh -c 'echo mine >"$1/.aptmp.$$.0"; echo mine >"$1/.aptmp.$$.1"; shift; exec "$@"' sh "$T" \
	"$AP" apply -d "$T" --patches "$P" -P linux
check "a file named .aptmp.PID.0 in the tree: a.txt patched" grep -q TWO "$T/a.txt"
check "a file named .aptmp.PID.0 in the tree: the user's files are still there" \
	[ "$(cat "$T"/.aptmp.*.0 "$T"/.aptmp.*.1 2>/dev/null)" = "mine
mine" ]

# a run failing after it made its temporary files (a fault injected at the
# commit's sync) rolls back only what it made: the user's look-alikes stay
if [ -x "${FAULT_APPLYPATCH:-}" ]; then
	setup
	edit_a
	check_rc "a run failing at its commit beside .aptmp look-alikes: exit 2" 2 \
		sh -c 'echo mine >"$1/.aptmp.$$.0"; shift; exec "$@"' sh "$T" \
		env APPLYPATCH_FAULT=syncfs:1 "$FAULT_APPLYPATCH" apply -d "$T" --patches "$P" -P linux
	check_grep "a run failing at its commit: the fault was reached" "injected fault: syncfs" "$ERR"
	check "a run failing at its commit: the user's file stays" [ "$(cat "$T"/.aptmp.*.0 2>/dev/null)" = mine ]
	check "a run failing at its commit: nothing else left" \
		[ "$(ls -A "$T" | grep -v '^\.aptmp\..*\.0$')" = a.txt ]
	check "a run failing at its commit: a.txt untouched" grep -q two "$T/a.txt"
else
	echo "ok - skip: no fault-injection build (FAULT_APPLYPATCH) for the rollback check"
fi

finish
