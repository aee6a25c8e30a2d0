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
	newtree
	printf 'one\ntwo\nthree\n' >"$T/a.txt"
}

edit_a() {
	add_patch edit-a.patch <<'EOF'
--- a/a.txt
+++ b/a.txt
@@ -1,3 +1,3 @@
 one
-two
+TWO
 three
EOF
}

# edit_b: b.txt holding x, and a patch making it y
edit_b() {
	printf 'x\n' >"$T/b.txt"
	add_patch edit-b.patch <<'EOF'
--- a/b.txt
+++ b/b.txt
@@ -1 +1 @@
-x
+y
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
if have_faults; then
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

# --- item 9: only what applypatch wrote is ever removed ------------------------

theirs_stay() { [ -f "$T/.applypatch/notes.txt" ] && [ -f "$T/.applypatch/sub/data" ]; }

# a state directory holding someone's files and no state record
setup
edit_a
mkdir -p "$T/.applypatch/sub"
echo notes >"$T/.applypatch/notes.txt"
echo data >"$T/.applypatch/sub/data"
run "$AP" status -d "$T" --patches "$P"
check "status: .applypatch/notes.txt and sub/data stay" theirs_stay
check_rc "apply --dry-run: exit 0" 0 "$AP" apply --dry-run -d "$T" --patches "$P" -P linux
check "apply --dry-run: .applypatch/notes.txt and sub/data stay" theirs_stay
check_rc "apply beside them: exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
check "apply beside them: they stay" theirs_stay
check_rc "unapply beside them: exit 0" 0 "$AP" unapply -d "$T"
check "unapply beside them: they stay" theirs_stay
check "unapply beside them: applypatch's own files are gone" \
	[ "$(cd "$T/.applypatch" && find . | LC_ALL=C sort | tr '\n' ' ')" = ". ./notes.txt ./sub ./sub/data " ]
check "unapply beside them: a.txt restored" grep -q two "$T/a.txt"

# an interrupted run: status and a dry run change nothing, and say so; the
# next apply completes it (or rolls it back, then applies)
both_patched() { grep -q TWO "$T/a.txt" && grep -q y "$T/b.txt"; }
if have_faults; then
	# rename 1 is pending's (before the commit point), 2 the journal's, 3 the first file's
	for at in rename:3 rename:2; do
		setup
		edit_a
		edit_b
		killed_at $at apply -d "$T" --patches "$P" -P linux
		before=$(snapshot_all "$T")
		check_rc "killed at $at: status exit 1" 1 "$AP" status -d "$T" --patches "$P"
		check_grep "killed at $at: status says a run was interrupted" "interrupted" "$OUT"
		check "killed at $at: status changed nothing" [ "$before" = "$(snapshot_all "$T")" ]
		run "$AP" apply --dry-run -d "$T" --patches "$P" -P linux
		check "killed at $at: a dry run changed nothing" [ "$before" = "$(snapshot_all "$T")" ]
		check_rc "killed at $at: apply finishes: exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
		check "killed at $at: both files patched" both_patched
	done
fi

# --- item 6: the backup unapply restores is a snapshot -------------------------

# a.txt has a second name in the tree and a third outside it; writing
# through them after apply must not change what unapply restores
setup
edit_a
ln "$T/a.txt" "$T/alias.txt"
ln "$T/a.txt" "$WORK/$n/outside.txt"
check_rc "a hard-linked file: apply exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
check "a hard-linked file: patched" grep -q TWO "$T/a.txt"
check "a hard-linked file: its other names keep the old bytes" grep -q two "$T/alias.txt"
printf 'rewritten through another name\n' >"$WORK/$n/outside.txt"
check_rc "a hard-linked file: unapply exit 0" 0 "$AP" unapply -d "$T"
check "a hard-linked file: unapply restores the bytes as they were at apply" \
	[ "$(cat "$T/a.txt")" = "one
two
three" ]

# --- item 3: a file the series created, replaced by a directory ----------------

newfile() {
	add_patch new.patch <<'EOF'
--- /dev/null
+++ b/new.txt
@@ -0,0 +1 @@
+new
EOF
}
setup
edit_a
newfile
check_rc "created file: apply exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
rm "$T/new.txt"; mkdir "$T/new.txt"; echo mine >"$T/new.txt/inside"
before=$(snapshot_all "$T")
check_rc "created file now a directory: unapply refuses, exit 1" 1 "$AP" unapply -d "$T"
check_grep "created file now a directory: the path is named" "new.txt" "$ERR"
check "created file now a directory: nothing changed" [ "$before" = "$(snapshot_all "$T")" ]
check_rc "created file now a directory: unapply --force exit 0" 0 "$AP" unapply --force -d "$T"
check_grep "created file now a directory: --force warns, naming it" "new.txt.*directory" "$OUT"
check "created file now a directory: --force leaves it" [ -f "$T/new.txt/inside" ]
check "created file now a directory: --force restores a.txt" grep -q two "$T/a.txt"
check "created file now a directory: no state left" [ ! -e "$T/.applypatch/state" ]
check_rc "created file now a directory: status afterwards exit 0" 0 "$AP" status -d "$T"

# a patched file replaced by a directory: refused even under --force (its
# original would have nowhere to go)
setup
edit_a
check_rc "patched file: apply exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
rm "$T/a.txt"; mkdir "$T/a.txt"
before=$(snapshot_all "$T")
check_rc "patched file now a directory: unapply --force refuses" 2 "$AP" unapply --force -d "$T"
check_grep "patched file now a directory: the path is named" "a.txt is now a directory" "$ERR"
check "patched file now a directory: nothing changed" [ "$before" = "$(snapshot_all "$T")" ]

# --- item 2: renames the kernel would refuse are refused before the commit ------

# refused_untouched LABEL TEXT: apply exits 2 saying TEXT, and the tree and
# its state stay as they were
refused_untouched() {
	before=$(snapshot_all "$T")
	check_rc "$1: apply refuses, exit 2" 2 "$AP" apply -d "$T" --patches "$P" -P linux
	check_grep "$1: says which and why" "$2" "$ERR"
	check "$1: nothing changed, no state" [ "$before" = "$(snapshot_all "$T")" ]
}

setup
edit_a
edit_b
if chattr +i "$T/b.txt" 2>"$WORK/chattr.err"; then
	refused_untouched "immutable target" "b.txt is immutable"
	chattr -i "$T/b.txt"
	check_rc "immutable target: once writable, apply exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
	# append-only, and a locked directory: the same refusal (the check reads
	# the attributes with statx where the file system reports them)
	setup
	edit_a
	edit_b
	chattr +a "$T/b.txt"
	refused_untouched "append-only target" "b.txt is immutable or append-only"
	chattr -a "$T/b.txt"
	mkdir -p "$T/locked"
	echo one > "$T/locked/c.txt"
	add_patch locked.patch <<'PATCH'
--- a/locked/c.txt
+++ b/locked/c.txt
@@ -1 +1 @@
-one
+two
PATCH
	chattr +i "$T/locked"
	refused_untouched "immutable directory" "the directory of locked/c.txt is immutable"
	chattr -i "$T/locked"
else
	echo "ok - skip: chattr +i fails here ($(cat "$WORK/chattr.err")), immutable check not run"
fi

if [ "$(id -u)" -eq 0 ]; then
	setup
	mkdir "$T/shared"
	chmod 1777 "$T/shared"
	printf 'x\n' >"$T/shared/theirs.txt"
	chown 1002:1002 "$T/shared/theirs.txt"
	chmod 666 "$T/shared/theirs.txt"
	add_patch sticky.patch <<'EOF'
--- a/shared/theirs.txt
+++ b/shared/theirs.txt
@@ -1 +1 @@
-x
+y
EOF
	chown -R 1001:1001 "$P"
	chown 1001:1001 "$T" "$T/a.txt"
	before=$(snapshot_all "$T")
	check_rc "sticky directory, another user's file: apply refuses, exit 2" 2 \
		setpriv --reuid=1001 --regid=1001 --clear-groups "$AP" apply -d "$T" --patches "$P" -P linux
	check_grep "sticky directory: says which and why" "theirs.txt belongs to uid 1002 in a sticky directory" "$ERR"
	check "sticky directory: nothing changed, no state" [ "$before" = "$(snapshot_all "$T")" ]
else
	echo "ok - skip: not root, the sticky-directory check needs two other uids"
fi

# --- item 2, second half: a step after the commit point that fails for a
# reason prepare cannot see (an LSM, an ACL, an I/O error) is rolled back ---

# setup3: a.txt, b.txt, sub/c.txt, d.txt and one patch changing the first
# three, deleting d.txt and creating new/dir/n.txt
setup3() {
	setup
	printf 'x\n' >"$T/b.txt"
	mkdir "$T/sub"
	printf 'q\n' >"$T/sub/c.txt"
	printf 'gone\n' >"$T/d.txt"
	add_patch all.patch <<'EOF'
--- a/a.txt
+++ b/a.txt
@@ -1,3 +1,3 @@
 one
-two
+TWO
 three
--- a/b.txt
+++ b/b.txt
@@ -1 +1 @@
-x
+y
--- a/sub/c.txt
+++ b/sub/c.txt
@@ -1 +1 @@
-q
+Q
--- a/d.txt
+++ /dev/null
@@ -1 +0,0 @@
-gone
--- /dev/null
+++ b/new/dir/n.txt
@@ -0,0 +1 @@
+new
EOF
}

# as_before LABEL: the tree is as full_state saw it in $before
as_before() { check "$1" [ "$before" = "$(full_state "$T")" ]; }

if have_faults; then
	FA=$FAULT_APPLYPATCH
	# apply: the rename onto sub/c.txt fails after a.txt and b.txt were replaced
	setup3
	before=$(full_state "$T")
	check_rc "rename refused after the commit point: apply exit 2" 2 \
		refusing "$T/sub/c.txt" apply -d "$T" --patches "$P" -P linux
	check_grep "rename refused after the commit point: names the file and the reason" \
		"rolled back.*cannot replace sub/c.txt.*Operation not permitted" "$ERR"
	as_before "rename refused after the commit point: the tree is as before (inodes, modes, no state)"
	check_rc "rename refused after the commit point: status afterwards exit 0" 0 \
		"$AP" status -d "$T" --patches "$P" -P linux
	check_grep "rename refused after the commit point: status says not patched" "not patched" "$OUT"
	check_rc "rename refused after the commit point: once it can happen, apply exit 0" 0 \
		"$AP" apply -d "$T" --patches "$P" -P linux
	check "rename refused after the commit point: then applied" grep -q Q "$T/sub/c.txt"

	# unapply: the same, from a patched tree; it stays patched and recorded
	before=$(full_state "$T")
	check_rc "rename refused after unapply's commit point: exit 2" 2 \
		refusing "$T/b.txt" unapply -d "$T"
	check_grep "rename refused after unapply's commit point: names the file" \
		"rolled back.*cannot replace b.txt" "$ERR"
	as_before "rename refused after unapply's commit point: the tree is as before"
	check_rc "rename refused after unapply's commit point: status exit 0 (clean)" 0 \
		"$AP" status -d "$T" --patches "$P" -P linux
	check_rc "rename refused after unapply's commit point: unapply later exit 0" 0 \
		"$AP" unapply -d "$T"

	# a run killed after its commit point, whose recovery meets the refusal:
	# status only reports it; the next apply rolls it back and says why
	setup3
	before=$(full_state "$T")
	killed_at rename:4 apply -d "$T" --patches "$P" -P linux
	check "killed after the commit point: journal left" [ -f "$T/.applypatch/journal" ]
	mid=$(full_state "$T")
	check_rc "killed after the commit point: status exit 1" 1 "$AP" status -d "$T" --patches "$P" -P linux
	check "killed after the commit point: status changed nothing" [ "$mid" = "$(full_state "$T")" ]
	check_rc "killed after the commit point, recovery refused: apply exit 2" 2 \
		refusing "$T/sub/c.txt" apply -d "$T" --patches "$P" -P linux
	check_grep "killed after the commit point, recovery refused: names the file" \
		"cannot replace sub/c.txt" "$ERR"
	as_before "killed after the commit point, recovery refused: the tree is as before the first run"
	check_rc "killed after the commit point, recovery refused: status exit 0" 0 \
		"$AP" status -d "$T" --patches "$P" -P linux

	# a run killed while rolling back: the next run goes on rolling back
	# (renames: pending, journal, a, b, c refused; again a, b, c; the
	# rollback record; then b put back, where it is killed)
	setup3
	before=$(full_state "$T")
	APPLYPATCH_FAULT_TARGET="$T/sub/c.txt" APPLYPATCH_FAULT_KILL=rename:11 \
		"$FA" apply -d "$T" --patches "$P" -P linux >/dev/null 2>&1
	check "killed while rolling back: the rollback record is left" [ -f "$T/.applypatch/rollback" ]
	check "killed while rolling back: the journal is gone" [ ! -e "$T/.applypatch/journal" ]
	check_rc "killed while rolling back: status exit 1" 1 "$AP" status -d "$T" --patches "$P" -P linux
	check_grep "killed while rolling back: status says so" "being rolled back" "$OUT"
	check_rc "killed while rolling back: the next apply finishes the rollback, then applies (exit 0)" 0 \
		"$AP" apply -d "$T" --patches "$P" -P linux
	check_grep "killed while rolling back: says it rolled back, and why" \
		"rolled back an earlier run that could not be completed (cannot replace sub/c.txt" "$OUT"
	check "killed while rolling back: then applied" grep -q Q "$T/sub/c.txt"
	check_rc "killed while rolling back: unapply exit 0" 0 "$AP" unapply -d "$T"
	check "killed while rolling back: unapply gives the bytes back" \
		[ "$(echo "$before" | sed -n 's/^\([0-9a-f]\{64\}\) /\1 /p')" = \
		  "$(full_state "$T" | sed -n 's/^\([0-9a-f]\{64\}\) /\1 /p')" ]

	# root: a real refusal, chattr +i on a target between prepare and commit
	setup3
	if [ "$(id -u)" -eq 0 ] && chattr +i "$T/b.txt" 2>/dev/null && chattr -i "$T/b.txt"; then
		before=$(full_state "$T")
		check_rc "chattr +i between prepare and commit: apply exit 2" 2 \
			env APPLYPATCH_FAULT_CMD="syncfs:1:chattr +i '$T/sub/c.txt'" \
			"$FA" apply -d "$T" --patches "$P" -P linux
		check_grep "chattr +i between prepare and commit: names the file and the reason" \
			"rolled back.*cannot replace sub/c.txt.*Operation not permitted" "$ERR"
		# the immutable file's second name (kept for the rollback) cannot go: said
		check_grep "chattr +i between prepare and commit: names what it could not remove" \
			"could not be removed" "$ERR"
		chattr -i "$T/sub/c.txt"
		rm -f "$T"/sub/.aptmp.*; rm -rf "$T/.applypatch"
		as_before "chattr +i between prepare and commit: the tree is as before"
		check_rc "chattr +i between prepare and commit: status exit 0" 0 \
			"$AP" status -d "$T" --patches "$P" -P linux
	else
		echo "ok - skip: not root or chattr +i fails here: the real-refusal rollback check not run"
	fi
fi

finish
