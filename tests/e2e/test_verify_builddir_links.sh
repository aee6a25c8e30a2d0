#!/bin/sh
# verify never writes through a symbolic link planted in its build directory
# (red-team 2, R4): the build log, the emulation's log, the fingerprint's and
# identity's temporary files and the platform directory itself are refused,
# naming the path, and the file or directory the link points to is untouched.
# The same as root when another user (nobody) planted the link.
. "$TESTS_ROOT/e2e/lib.sh"
V="$BIN_DIR/verify"
EXPECT="$TESTS_ROOT/../expectations.conf"
UP="$FIXTURES/minigap"
PATCHES="$FIXTURES/minigap-patches"
WORK=$(scratch)
trap 'rm -rf "$WORK"; cleanup' EXIT

verify() { # BUILD_DIR [verify args...]
	_b=$1; shift
	check_rc "$NAME: exit 2" 2 "$V" --upstream "$UP" --patches "$PATCHES" --expect "$EXPECT" \
		--build-dir "$_b" -q "$@"
}
victim() { printf 'precious\n' > "$WORK/victim"; }
untouched() { check "$NAME: the link's target untouched" test "$(cat "$WORK/victim")" = precious; }

NAME="build.log"
victim; mkdir -p "$WORK/b1/linux"; ln -s "$WORK/victim" "$WORK/b1/linux/build.log"
verify "$WORK/b1" --platform linux
untouched
check_grep "$NAME: named, a symbolic link" "b1/linux/build.log is a symbolic link" "$ERR"
check "$NAME: the link stays a link" test -L "$WORK/b1/linux/build.log"

NAME="platform directory"
victim; mkdir -p "$WORK/b2" "$WORK/elsewhere"; ln -s "$WORK/elsewhere" "$WORK/b2/linux"
verify "$WORK/b2" --platform linux
check_grep "$NAME: named, a symbolic link" "b2/linux is a symbolic link" "$ERR"
check "$NAME: nothing written where it points" test -z "$(ls -A "$WORK/elsewhere")"

NAME="fingerprint.tmp and identity.tmp"
victim; mkdir -p "$WORK/b3/linux"
ln -s "$WORK/victim" "$WORK/b3/linux/fingerprint.tmp"
ln -s "$WORK/victim" "$WORK/b3/linux/identity.tmp"
verify "$WORK/b3" --platform linux
untouched
check_grep "$NAME: named, a symbolic link" "b3/linux/[a-z]*\.tmp is a symbolic link" "$ERR"

# A fresh emulation removes its directory first: a link in it (or the
# directory as a link) goes, and nothing is written where it pointed.
NAME="emulation"
rm -f "$WORK/b3/linux/fingerprint.tmp" "$WORK/b3/linux/identity.tmp"
victim; mkdir -p "$WORK/b3/cygwin-emulated"
ln -s "$WORK/victim" "$WORK/b3/cygwin-emulated/emulate.log"
# (0 or 1: the commit-charge checks may feel other processes; 2 would be an error)
run "$V" --upstream "$UP" --patches "$PATCHES" --expect "$EXPECT" --build-dir "$WORK/b3" -q
check "$NAME: emulate.log a link: built and probed (exit $RC)" test "$RC" -le 1
untouched
check "$NAME: emulate.log is a file of its own" test ! -L "$WORK/b3/cygwin-emulated/emulate.log"
rm -rf "$WORK/b3/cygwin-emulated" "$WORK/elsewhere"/* "$WORK/b3/cygwin-emulated"
ln -s "$WORK/elsewhere" "$WORK/b3/cygwin-emulated"
run "$V" --upstream "$UP" --patches "$PATCHES" --expect "$EXPECT" --build-dir "$WORK/b3" -q
check "$NAME: the directory a link: built and probed (exit $RC)" test "$RC" -le 1
check "$NAME: nothing written where it points" test -z "$(ls -A "$WORK/elsewhere")"

# Another user plants the link in a shared build directory; root runs verify.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	NAME="planted by nobody"
	victim; mkdir -p "$WORK/b4/linux"; chmod 1777 "$WORK/b4/linux"
	chmod 755 "$WORK" "$WORK/b4" "$(dirname "$WORK")"
	setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups \
		ln -s "$WORK/victim" "$WORK/b4/linux/build.log"
	check "$NAME: the link is nobody's" test "$(stat -c %U "$WORK/b4/linux/build.log")" = nobody
	verify "$WORK/b4" --platform linux
	untouched
	check_grep "$NAME: named" "b4/linux/build.log is a symbolic link" "$ERR"
else
	ok "# SKIP planted by another user: needs root, setpriv and a nobody user"
fi

finish
