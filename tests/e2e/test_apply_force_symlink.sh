#!/bin/sh
# unapply --force and edited symbolic links (red-team F9): a symlink the
# user put where a patched file was, or a symlink the series created and
# the user re-pointed, is kept as PATH.edited (the same link) with a
# warning naming it, as an edited regular file is; never silently dropped.
# Plain unapply refuses and names it; status reports it modified. A FIFO
# where a patched file was is reported modified too (status used to stop,
# exit 2), and unapply --force refuses, naming it: it has nothing to keep
# it as.
. "$TESTS_ROOT/e2e/lib.sh"
WORK=$(scratch)
umask 022
n=0

# fresh: $T with src/a.c and a series that edits a.c and creates the
# symlink link-new -> new-target, applied. (A git patch re-pointing a link
# the tree has is test_symlink_patches.sh's.)
fresh() {
	n=$((n + 1))
	T="$WORK/$n"
	mkdir -p "$T/src" "$T/patches"
	printf 'one\ntwo\n' >"$T/src/a.c"
	cat >"$T/patches/links.patch" <<'EOF'
diff --git a/src/a.c b/src/a.c
--- a/src/a.c
+++ b/src/a.c
@@ -1,2 +1,2 @@
 one
-two
+TWO
diff --git a/link-new b/link-new
new file mode 120000
--- /dev/null
+++ b/link-new
@@ -0,0 +1 @@
+new-target
\ No newline at end of file
EOF
	echo links.patch >"$T/patches/series"
	"$AP" apply -d "$T" -P linux >/dev/null 2>&1
}

fresh
check "set-up: link-new created" [ "$(readlink "$T/link-new")" = new-target ]
check "set-up: a.c patched" grep -q TWO "$T/src/a.c"

# 1. a patched regular file replaced by the user's symlink
fresh
rm "$T/src/a.c"
ln -s ../../my-notes "$T/src/a.c"
before=$(tree_state "$T")
check_rc "file became a symlink: status exit 1" 1 "$AP" status -d "$T" -f json
check "file became a symlink: status says modified" \
	jq -e '[.files[] | select(.path == "src/a.c") | .state] == ["modified"]' "$OUT"
check_rc "file became a symlink: unapply refuses, exit 1" 1 "$AP" unapply -d "$T"
check_grep "file became a symlink: unapply names it" "src/a.c changed after apply" "$ERR"
check "file became a symlink: refused unapply changes nothing" [ "$before" = "$(tree_state "$T")" ]
check_rc "file became a symlink: unapply --force exit 0" 0 "$AP" unapply --force -d "$T"
check_grep "file became a symlink: warns, naming where it is kept" \
	"src/a.c: edited after apply: the edited symbolic link is kept as $T/src/a.c.edited" "$OUT"
check "file became a symlink: src/a.c.edited is the user's link" \
	[ -L "$T/src/a.c.edited" ] && [ "$(readlink "$T/src/a.c.edited")" = ../../my-notes ]
check "file became a symlink: src/a.c is the original again" \
	sh -c "[ ! -L '$T/src/a.c' ] && printf 'one\ntwo\n' | cmp -s - '$T/src/a.c'"
check "file became a symlink: link-new removed" [ ! -e "$T/link-new" ] && [ ! -L "$T/link-new" ]

# 2. a symlink the series created, re-pointed by the user
fresh
ln -sfn somewhere-else "$T/link-new"
check_rc "created link re-pointed: unapply refuses, exit 1" 1 "$AP" unapply -d "$T"
check_grep "created link re-pointed: unapply names it" "link-new changed after apply" "$ERR"
check_rc "created link re-pointed: unapply --force exit 0" 0 "$AP" unapply --force -d "$T"
check_grep "created link re-pointed: warns, naming where it is kept" \
	"link-new: edited after apply: the edited symbolic link is kept as $T/link-new.edited" "$OUT"
check "created link re-pointed: link-new.edited keeps the user's target" \
	[ "$(readlink "$T/link-new.edited")" = somewhere-else ]
check "created link re-pointed: link-new removed" [ ! -e "$T/link-new" ] && [ ! -L "$T/link-new" ]

# 3. a symlink the series created, replaced by the user's regular file
fresh
rm "$T/link-new"
echo 'my file' >"$T/link-new"
check_rc "created link became a file: unapply --force exit 0" 0 "$AP" unapply --force -d "$T"
check "created link became a file: kept as link-new.edited" grep -q 'my file' "$T/link-new.edited"
check "created link became a file: link-new removed" [ ! -e "$T/link-new" ]

# 4. a FIFO where a patched file was
fresh
rm "$T/src/a.c"
mkfifo "$T/src/a.c"
before=$(tree_state "$T")
check_rc "file became a FIFO: status exit 1" 1 "$AP" status -d "$T" -f json
check "file became a FIFO: status says modified" \
	jq -e '[.files[] | select(.path == "src/a.c") | .state] == ["modified"]' "$OUT"
check_rc "file became a FIFO: unapply refuses, exit 1" 1 "$AP" unapply -d "$T"
check_grep "file became a FIFO: unapply names it" "src/a.c changed after apply" "$ERR"
check_rc "file became a FIFO: unapply --force refuses, exit 2" 2 "$AP" unapply --force -d "$T"
check_grep "file became a FIFO: --force names it and says why" \
	"src/a.c is now a FIFO, device or socket, not the file apply wrote: unapply cannot keep it" "$ERR"
check "file became a FIFO: refused --force changes nothing" [ "$before" = "$(tree_state "$T")" ]
rm "$T/src/a.c"
printf 'one\nTWO\n' >"$T/src/a.c"
check_rc "FIFO moved away: unapply exit 0" 0 "$AP" unapply -d "$T"

finish
