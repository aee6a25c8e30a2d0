#!/bin/sh
# Owners and modes, end to end, run as root with other uids (as CI does):
# a file rewritten by apply or unapply keeps its owner and group; where a
# run cannot keep them (an unprivileged user rewriting another user's
# file) the setuid and setgid bits are dropped, as GNU patch does, so no
# one's code comes back setuid to someone else; files and directories the
# series creates honour the umask and never carry setuid bits; unapply
# gives the directories it re-creates their old mode and owner.
. "$TESTS_ROOT/e2e/lib.sh"
if [ "$(id -u)" -ne 0 ]; then
	echo "ok - skip: not root (these checks need to chown to other uids)"
	exit 0
fi
WORK=$(scratch)
trap 'rm -rf "$WORK"; cleanup' EXIT
# the other uids must reach the tree and the tools
chmod 755 "$_scratch_root" "$WORK"
umask 022
n=0
# numeric ids need no passwd entry: chown and setpriv take them as they are
U1=1000 U2=1001 U3=1002
as_user() { _u=$1; shift; setpriv --reuid="$_u" --regid="$_u" --clear-groups "$@"; }

# setup: $T a tree with run.sh (a script) and $P an empty patches directory.
setup() {
	newtree
	printf '#!/bin/sh\necho one\n' >"$T/run.sh"
}

edit_run() {
	add_patch edit.patch <<'EOF'
--- a/run.sh
+++ b/run.sh
@@ -1,2 +1,2 @@
 #!/bin/sh
-echo one
+echo two
EOF
}

owner_mode() { stat -c '%u:%g %a' "$1"; }

# --- root keeps the owner of what it rewrites -------------------------------------

setup
edit_run
chown $U1:$U1 "$T/run.sh"
chmod 4755 "$T/run.sh"
check_rc "root, setuid file of uid $U1: apply exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
check "root, setuid file of uid $U1: still $U1:$U1 4755 after apply ($(owner_mode "$T/run.sh"))" \
	[ "$(owner_mode "$T/run.sh")" = "$U1:$U1 4755" ]
check "root, setuid file of uid $U1: patched" grep -q two "$T/run.sh"
check_rc "root, setuid file of uid $U1: unapply exit 0" 0 "$AP" unapply -d "$T"
check "root, setuid file of uid $U1: still $U1:$U1 4755 after unapply ($(owner_mode "$T/run.sh"))" \
	[ "$(owner_mode "$T/run.sh")" = "$U1:$U1 4755" ]
check "root, setuid file of uid $U1: original bytes back" grep -q one "$T/run.sh"

# a setgid file of another group, and a plain one: owner and group kept
setup
edit_run
chown $U1:$U2 "$T/run.sh"
chmod 2750 "$T/run.sh"
check_rc "root, setgid file $U1:$U2: apply exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
check "root, setgid file $U1:$U2: still $U1:$U2 2750 ($(owner_mode "$T/run.sh"))" \
	[ "$(owner_mode "$T/run.sh")" = "$U1:$U2 2750" ]

# a file the patch deletes comes back with its owner
setup
chown $U1:$U1 "$T/run.sh"
chmod 4755 "$T/run.sh"
add_patch delete.patch <<'EOF'
--- a/run.sh
+++ /dev/null
@@ -1,2 +0,0 @@
-#!/bin/sh
-echo one
EOF
check_rc "root, deleted setuid file: apply exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
check "root, deleted setuid file: gone" [ ! -e "$T/run.sh" ]
check_rc "root, deleted setuid file: unapply exit 0" 0 "$AP" unapply -d "$T"
check "root, deleted setuid file: back as $U1:$U1 4755 ($(owner_mode "$T/run.sh" 2>&1))" \
	[ "$(owner_mode "$T/run.sh")" = "$U1:$U1 4755" ]

# --- an unprivileged run cannot keep another user's ownership: no setuid --------

setup
edit_run
chown -R $U2:$U2 "$T" "$P"
chown $U3:$U3 "$T/run.sh"
chmod 4755 "$T/run.sh"
check_rc "uid $U2 rewrites a setuid file of uid $U3: apply exit 0" 0 \
	as_user $U2 "$AP" apply -d "$T" --patches "$P" -P linux
check "uid $U2 rewrites a setuid file of uid $U3: setuid dropped ($(owner_mode "$T/run.sh"))" \
	[ "$(owner_mode "$T/run.sh")" = "$U2:$U2 755" ]
check_rc "uid $U2: unapply exit 0" 0 as_user $U2 "$AP" unapply -d "$T"
check "uid $U2: unapply does not bring setuid back under uid $U2 ($(owner_mode "$T/run.sh"))" \
	[ "$(owner_mode "$T/run.sh")" = "$U2:$U2 755" ]

# the owner is kept but not the group (uid U2 is not in group U3): no setgid
setup
edit_run
chown -R $U2:$U2 "$T" "$P"
chown $U2:$U3 "$T/run.sh"
chmod 2755 "$T/run.sh"
check_rc "uid $U2 rewrites its setgid file of group $U3: apply exit 0" 0 \
	as_user $U2 "$AP" apply -d "$T" --patches "$P" -P linux
check "uid $U2 rewrites its setgid file of group $U3: setgid dropped ($(owner_mode "$T/run.sh"))" \
	[ "$(owner_mode "$T/run.sh")" = "$U2:$U2 755" ]

# --- what the series creates: the umask, and no setuid ----------------------------

setup
add_patch new.patch <<'EOF'
--- /dev/null
+++ b/sub/dir/new.txt
@@ -0,0 +1 @@
+new
EOF
check_rc "umask 077: apply exit 0" 0 sh -c "umask 077; exec \"\$@\"" sh "$AP" apply -d "$T" --patches "$P" -P linux
check "umask 077: new file is 600 ($(stat -c %a "$T/sub/dir/new.txt"))" \
	[ "$(stat -c %a "$T/sub/dir/new.txt")" = 600 ]
check "umask 077: new directories are 700 ($(stat -c %a "$T/sub") $(stat -c %a "$T/sub/dir"))" \
	[ "$(stat -c %a "$T/sub") $(stat -c %a "$T/sub/dir")" = "700 700" ]

setup
add_patch newx.patch <<'EOF'
diff --git a/tool.sh b/tool.sh
new file mode 100755
--- /dev/null
+++ b/tool.sh
@@ -0,0 +1 @@
+echo tool
EOF
check_rc "umask 027, new executable: apply exit 0" 0 sh -c "umask 027; exec \"\$@\"" sh "$AP" apply -d "$T" --patches "$P" -P linux
check "umask 027, new executable: 750 ($(stat -c %a "$T/tool.sh"))" [ "$(stat -c %a "$T/tool.sh")" = 750 ]

# a copy and a rename of another user's setuid file are new files: root's,
# without setuid
setup
chown $U1:$U1 "$T/run.sh"
chmod 4755 "$T/run.sh"
printf 'x\n' >"$T/mv.sh"
chown $U1:$U1 "$T/mv.sh"
chmod 6755 "$T/mv.sh"
add_patch copy.patch <<'EOF'
diff --git a/run.sh b/copy.sh
similarity index 100%
copy from run.sh
copy to copy.sh
diff --git a/mv.sh b/moved.sh
similarity index 100%
rename from mv.sh
rename to moved.sh
EOF
check_rc "copy and rename of setuid files: apply exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
check "copy of a setuid file of uid $U1: 0:0 755 ($(owner_mode "$T/copy.sh"))" \
	[ "$(owner_mode "$T/copy.sh")" = "0:0 755" ]
check "rename of a setuid file of uid $U1: 0:0 755 ($(owner_mode "$T/moved.sh"))" \
	[ "$(owner_mode "$T/moved.sh")" = "0:0 755" ]
check "copy: the source keeps $U1:$U1 4755" [ "$(owner_mode "$T/run.sh")" = "$U1:$U1 4755" ]
check_rc "copy and rename: unapply exit 0" 0 "$AP" unapply -d "$T"
check "rename undone: mv.sh back as $U1:$U1 6755 ($(owner_mode "$T/mv.sh"))" \
	[ "$(owner_mode "$T/mv.sh")" = "$U1:$U1 6755" ]

# --- unapply re-creates the directories a patch emptied, as they were -------------

for dm in 700 2750; do
	setup
	mkdir "$T/priv"
	printf 'secret\n' >"$T/priv/key.txt"
	chown -R $U1:$U2 "$T/priv"
	chmod "$dm" "$T/priv"
	add_patch rm.patch <<'EOF'
--- a/priv/key.txt
+++ /dev/null
@@ -1 +0,0 @@
-secret
EOF
	check_rc "directory $dm emptied: apply exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
	check "directory $dm emptied: removed" [ ! -e "$T/priv" ]
	check_rc "directory $dm emptied: unapply exit 0" 0 "$AP" unapply -d "$T"
	check "directory $dm emptied: back as $U1:$U2 $dm ($(owner_mode "$T/priv" 2>&1))" \
		[ "$(owner_mode "$T/priv")" = "$U1:$U2 $dm" ]
	check "directory $dm emptied: its file back as $U1:$U2" [ "$(stat -c %u:%g "$T/priv/key.txt")" = "$U1:$U2" ]
done

# --- another user's bytes never come back root-owned and setuid --------------------

# unapply --force keeps an edit as PATH.edited: the editor's, never setuid
setup
edit_run
chown $U1:$U1 "$T/run.sh" "$T"
chmod 4755 "$T/run.sh"
check_rc "force-kept edit: apply exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
as_user $U1 sh -c "printf 'echo mine\n' >'$T/run.sh'; chmod 4755 '$T/run.sh'"
check_rc "force-kept edit: root's unapply --force exit 0" 0 "$AP" unapply --force -d "$T"
check "force-kept edit: run.sh.edited is $U1's and not setuid ($(owner_mode "$T/run.sh.edited"))" \
	[ "$(owner_mode "$T/run.sh.edited")" = "$U1:$U1 755" ]
check "force-kept edit: run.sh.edited holds the edit" grep -q mine "$T/run.sh.edited"

# a record another user wrote (naming root as an owner, setuid) is refused
setup
edit_run
chmod 755 "$T/run.sh"
chown -R $U1:$U1 "$T" "$P"
check_rc "forged record: apply as $U1 exit 0" 0 as_user $U1 "$AP" apply -d "$T" --patches "$P" -P linux
as_user $U1 sh -c "sed -i 's/^owner\t[0-9]*\t[0-9]*\t/owner\t0\t0\t/; s/\t755\t/\t4755\t/' '$T/.applypatch/state'"
check_rc "forged record: root's unapply refuses, exit 2" 2 "$AP" unapply -d "$T"
check_grep "forged record: says whose record it is" "belongs to uid $U1" "$ERR"
check "forged record: run.sh not made setuid or root's ($(owner_mode "$T/run.sh"))" \
	[ "$(owner_mode "$T/run.sh")" = "$U1:$U1 755" ]
check_rc "forged record: $U1 itself may unapply, exit 0" 0 as_user $U1 "$AP" unapply -d "$T"

# a quilt-only tree (.pc/, no .applypatch/) another user owns: quilt's
# backups are that user's bytes. Root's unapply restores each file with the
# owner of the file it replaces (the backup's when there is none, as quilt
# pop -a leaves it), and set-id bits only from a backup root or the runner
# owns (red-team 3, T4: it made a root-owned setuid-root copy)
plant_pc() {
	as_user $U1 sh -c "umask 022; cd '$1' && printf 'orig\n' > a && printf 'patched\n' > b &&
	  mkdir -p .pc/evil.patch && printf 'evil.patch\n' > .pc/applied-patches &&
	  printf '2\n' > .pc/.version && printf 'patches\n' > .pc/.quilt_patches &&
	  printf 'series\n' > .pc/.quilt_series && touch .pc/evil.patch/.timestamp &&
	  printf 'evil\n' > .pc/evil.patch/newsuid && chmod 4755 .pc/evil.patch/newsuid &&
	  printf 'was b\n' > .pc/evil.patch/b && chmod 6755 .pc/evil.patch/b"
}
newtree
chown $U1:$U1 "$T"
plant_pc "$T"
chown 0:0 "$T/b"
# (the planted patch cannot be checked: unapply refuses, as quilt pop -a does, until --force)
check_rc "planted .pc of uid $U1: root's unapply refuses, exit 1" 1 "$AP" unapply -d "$T"
check_rc "planted .pc of uid $U1: root's unapply --force exit 0" 0 "$AP" unapply --force -d "$T"
check "planted .pc: the new file is $U1's and not setuid ($(owner_mode "$T/newsuid"))" \
	[ "$(owner_mode "$T/newsuid")" = "$U1:$U1 755" ]
check "planted .pc: b keeps the owner it had and loses set-id ($(owner_mode "$T/b"))" \
	[ "$(owner_mode "$T/b")" = "0:0 755" ]
check "planted .pc: b holds the backup" grep -q 'was b' "$T/b"
if command -v quilt >/dev/null 2>&1; then
	# real quilt pop -a -f (it cannot reverse-apply the planted patch) as root on the same tree: the file is the backup's owner's
	Q="$WORK/quilt-pc"
	mkdir -p "$Q" && chown $U1:$U1 "$Q" && plant_pc "$Q" && mkdir -p "$Q/patches" &&
		printf 'evil.patch\n' >"$Q/patches/series" && : >"$Q/patches/evil.patch"
	(cd "$Q" && quilt pop -a -f >/dev/null 2>&1)
	check "planted .pc: quilt pop -a also leaves newsuid $U1's ($(stat -c %u:%g "$Q/newsuid" 2>/dev/null))" \
		[ "$(stat -c %u:%g "$Q/newsuid" 2>/dev/null)" = "$U1:$U1" ]
fi

# --- quilt's .pc/ stays the tree owner's (red-team 4) ------------------------------

# A packager quilt-pushes a patch in their tree, root applies the rest with
# applypatch: what applypatch writes in .pc/ must be the packager's (a file
# rewritten keeps its owner, a new one takes its folder's, a new .pc/ the
# tree root's), or their quilt pop -a fails with Permission denied.
pc_not_of() { find "$1/.pc" \( ! -uid "$2" -o ! -gid "$2" \) -printf '%p ' 2>/dev/null; }
QU() { as_user $U1 env HOME="$WORK" QUILT_PATCHES="$P" sh -c "cd '$T' && quilt --quiltrc /dev/null $1"; }
quilt_setup() {
	newtree
	mkdir -p "$T/src"
	printf '1\n2\n3\n' >"$T/f"
	printf 'a\n' >"$T/src/g"
	add_patch a.patch <<'EOF'
--- a/f
+++ b/f
@@ -1,3 +1,3 @@
 1
 2
-3
+X
EOF
	add_patch b.patch <<'EOF'
--- a/f
+++ b/f
@@ -1,3 +1,3 @@
 1
-2
+Y
 X
--- a/src/g
+++ b/src/g
@@ -1 +1 @@
-a
+b
--- /dev/null
+++ b/src/h
@@ -0,0 +1 @@
+h
EOF
	chown -R $U1:$U1 "$T"
	chmod -R a+rX "$P"
	cp -a "$T" "$WORK/$n/orig"
}
if command -v quilt >/dev/null 2>&1; then
	quilt_setup
	check_rc "quilt .pc: uid $U1 quilt-pushes a.patch, exit 0" 0 QU "push -q"
	check_rc "quilt .pc: root applies the rest, exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
	check_grep "quilt .pc: b.patch applied" "b.patch  *applied" "$OUT"
	check "quilt .pc: everything in .pc/ is $U1:$U1 ($(pc_not_of "$T" $U1))" [ -z "$(pc_not_of "$T" $U1)" ]
	check_rc "quilt .pc: uid $U1's quilt pop -a exit 0" 0 QU "pop -a -q"
	check "quilt .pc: the tree is as before quilt push" same_files "$T" "$WORK/$n/orig"

	# no .pc/ yet: root's apply makes it the tree root's owner's
	quilt_setup
	check_rc "new .pc: root applies both, exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
	check "new .pc: .pc/ and all in it are $U1:$U1 ($(pc_not_of "$T" $U1))" \
		test -d "$T/.pc" -a -z "$(pc_not_of "$T" $U1)"
	check_rc "new .pc: uid $U1's quilt pop -a exit 0" 0 QU "pop -a -q"
	check "new .pc: the tree is as before" same_files "$T" "$WORK/$n/orig"

	# root's unapply rewrites applied-patches, keeping the line quilt wrote
	# and its owner
	quilt_setup
	check_rc "unapply .pc: uid $U1 quilt-pushes a.patch, exit 0" 0 QU "push -q"
	check_rc "unapply .pc: root applies the rest, exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
	check_rc "unapply .pc: root unapplies its own, exit 0" 0 "$AP" unapply -d "$T"
	check "unapply .pc: applied-patches still $U1's ($(stat -c %u:%g "$T/.pc/applied-patches"))" \
		[ "$(stat -c %u:%g "$T/.pc/applied-patches")" = "$U1:$U1" ]
	check_rc "unapply .pc: uid $U1's quilt pop -a exit 0" 0 QU "pop -a -q"
	check "unapply .pc: the tree is as before" same_files "$T" "$WORK/$n/orig"

	# more folders than the tree keeps open (512), three new ones in .pc/ for
	# each file: giving them their owner opened other folders, which closed
	# the one the file's check was to use ("cannot stat the directory of
	# .pc/...: Bad file descriptor" on the bench's series)
	newtree
	i=0
	while [ $i -lt 600 ]; do
		mkdir -p "$T/d$i/s/t"; echo old >"$T/d$i/s/t/f"
		printf -- '--- a/d%s/s/t/f\n+++ b/d%s/s/t/f\n@@ -1 +1 @@\n-old\n+new\n' $i $i
		i=$((i + 1))
	done >"$WORK/many.patch"
	add_patch many.patch <"$WORK/many.patch"
	chown -R $U1:$U1 "$T"
	check_rc "600 folders: root applies, exit 0" 0 "$AP" apply -d "$T" --patches "$P" -P linux
	check "600 folders: the last file patched" [ "$(cat "$T/d599/s/t/f" 2>/dev/null)" = new ]
	check "600 folders: .pc/ and all in it are $U1:$U1" \
		test -f "$T/.pc/many.patch/d599/s/t/f" -a -z "$(pc_not_of "$T" $U1)"

	# a run by anyone but root gives nothing away: its files are its own
	quilt_setup
	chown -R $U2:$U2 "$T"
	check_rc "uid $U2 in its own tree: apply exit 0" 0 as_user $U2 "$AP" apply -d "$T" --patches "$P" -P linux
	check "uid $U2 in its own tree: .pc/ is $U2's ($(pc_not_of "$T" $U2))" [ -z "$(pc_not_of "$T" $U2)" ]
else
	echo "ok - skip: quilt is not installed (the .pc/ owner checks need it)"
fi

finish
