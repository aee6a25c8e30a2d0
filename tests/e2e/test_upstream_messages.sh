#!/bin/sh
# Messages of upstream that misled (red-team 2, R15, R17):
#  - cat --dir of a symlink names no other tool (it said "applypatch");
#  - -h among other arguments (a script's REV of -h) is a usage error, not
#    help with exit 0 and nothing exported; after '--' it is a name;
#  - a repository of another user is not "not a git repository": the owner
#    and the safe.directory way to allow it are named (run as nobody);
#    an unreadable $HOME/.gitconfig is named as the configuration.
. "$TESTS_ROOT/e2e/lib.sh"
UP="$BIN_DIR/upstream"
W=$(scratch)
export GIT_CONFIG_NOSYSTEM=1 HOME="$W"
trap 'rm -rf "$W"; cleanup' EXIT
G="git -c user.name=T -c user.email=t@example.org -c init.defaultBranch=master"

mkdir "$W/g" && (cd "$W/g" && $G init -q && printf '#!/bin/sh\n' > configure && ln -s configure pw &&
	$G add -A && $G commit -qm one && $G tag v1) || not_ok "git repository set up"

check_rc "cat --dir a symlink: refused" 1 "$UP" cat --dir "$W/g" pw
check_grep "cat --dir a symlink: says it is one" "pw is a symbolic link" "$ERR"
check "cat --dir a symlink: names no other tool" sh -c "! grep -q applypatch '$ERR'"
check_rc "cat --git a symlink: refused" 1 "$UP" cat --git "$W/g" --rev v1 pw
check_grep "cat --git a symlink: says it is one" "pw is a symbolic link" "$ERR"

check_rc "export REPO -h DEST: usage error" 2 "$UP" export "$W/g" -h "$W/e1"
check_grep "export REPO -h DEST: says why" "-h/--help among other arguments" "$ERR"
check "export REPO -h DEST: nothing made" test ! -e "$W/e1"
check_rc "export -h alone: help" 0 "$UP" export -h
check_rc "export REPO -- -h DEST: -h is a revision" 1 "$UP" export "$W/g" -- -h "$W/e2"
check_grep "export REPO -- -h DEST: no such revision" "no revision '-h'" "$ERR"

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	chmod -R a+rX "$W/g"; chmod 755 "$W" "$(dirname "$W")"
	mkdir "$W/out"; chmod 777 "$W/out"
	as_nobody() { setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups "$@"; }
	run as_nobody env HOME="$W/out" "$UP" prepare "$W/out/d" --git "$W/g" --rev v1 --no-autogen
	check "another user's repository: exit 1" test "$RC" -eq 1
	check_grep "another user's repository: the owner named" "the repository belongs to uid 0, not to you" "$ERR"
	check_grep "another user's repository: how to allow it" "safe.directory $W/g" "$ERR"
	check "another user's repository: not 'not a git repository'" sh -c "! grep -q 'not a git repository' '$ERR'"
	mkdir -p "$W/roothome"; printf '[user]\n' > "$W/roothome/.gitconfig"; chmod 700 "$W/roothome"
	run as_nobody env HOME="$W/roothome" "$UP" prepare "$W/out/d2" --git "$W/g" --rev v1 --no-autogen
	check "an unreadable HOME: exit 1" test "$RC" -eq 1
	check_grep "an unreadable HOME: names git's configuration and HOME" "reading git's configuration failed: .*HOME=$W/roothome" "$ERR"
else
	ok "# SKIP another user: needs root, setpriv and a nobody user"
fi

finish
