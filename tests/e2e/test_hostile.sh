#!/bin/sh
# The hostile-input corpus, tests/hostile/CASE/ (see tests/hostile/README.md):
# each case is one known attack on patch tools or tarball extractors. For
# each, the tool must exit with the status the case's `expect` names (1 or
# 2), say the case's phrase, leave the tree exactly as it was, and leave the
# canary directory beside the tree (which attacks aim at as ../canary) and
# everything else beside the tree untouched. Tarball cases need
# tools/upstream and are skipped while it is not built.
. "$TESTS_ROOT/e2e/lib.sh"
HOSTILE="$TESTS_ROOT/hostile"
UP="$BIN_DIR/upstream"

# Like snapshot_all (every path, every file's sha256), plus modes and link
# targets; a file over 16 MiB is recorded by size, inode and mtime instead
# of hashed (hashing the 2 GB sparse case would take minutes).
hsnap() {
	(cd "$1" && find . | LC_ALL=C sort | while IFS= read -r p; do
		if [ -L "$p" ]; then
			printf '%s link %s\n' "$p" "$(readlink "$p")"
		elif [ -f "$p" ] && [ "$(stat -c %s "$p")" -gt 16777216 ]; then
			printf '%s big %s\n' "$p" "$(stat -c '%a %s %i %Y.%y' "$p")"
		elif [ -f "$p" ]; then
			printf '%s file %s %s\n' "$p" "$(stat -c %a "$p")" "$(sha256sum <"$p" | cut -c1-64)"
		else
			printf '%s %s %s\n' "$p" "$(stat -c %F "$p")" "$(stat -c %a "$p")"
		fi
	done)
}

field() { sed -n "s/^$1 //p" "$2" | head -n 1; }

ncases=0
for dir in "$HOSTILE"/*/; do
	c=$(basename "$dir")
	case $c in _*) continue ;; esac
	# HOSTILE_CASES="a b" runs only those (for working on one case)
	if [ -n "${HOSTILE_CASES:-}" ] && ! echo " $HOSTILE_CASES " | grep -q " $c "; then
		continue
	fi
	ncases=$((ncases + 1))
	if [ ! -f "$dir/expect" ] || [ ! -f "$dir/README" ]; then
		not_ok "$c: the case needs a README and an expect file"
		continue
	fi
	want=$(field status "$dir/expect")
	phrase=$(field phrase "$dir/expect")
	command=$(field command "$dir/expect")
	seconds=$(field seconds "$dir/expect")
	: "${command:=apply}" "${seconds:=60}"
	if [ "$command" = upstream-unpack ] && [ ! -x "$UP" ]; then
		echo "ok - $c # SKIP upstream not built"
		continue
	fi

	W=$(scratch)
	TREE="$W/tree" CANARY="$W/canary" PATCHES="$W/patches" WORK="$W"
	export TREE CANARY PATCHES WORK
	mkdir -p "$TREE" "$CANARY/sub" "$CANARY/empty" "$PATCHES"
	printf 'precious\n' >"$CANARY/keep"
	printf 'also precious\n' >"$CANARY/sub/file"
	# upstream unpack wants an empty destination
	[ "$command" = upstream-unpack ] || cp -R "$HOSTILE/_base/." "$TREE/"
	[ ! -d "$dir/tree" ] || cp -R "$dir/tree/." "$TREE/"
	[ ! -d "$dir/patches" ] || cp -R "$dir/patches/." "$PATCHES/"
	if [ -f "$dir/setup" ] && ! (cd "$dir" && sh ./setup); then
		not_ok "$c: setup failed"
		continue
	fi

	before_tree=$(hsnap "$TREE")
	before_canary=$(hsnap "$CANARY")
	before_beside=$(ls -A "$W")
	case $command in
	apply) set -- "$AP" apply -d "$TREE" -p "$PATCHES" -P linux ;;
	status) set -- "$AP" status -d "$TREE" -p "$PATCHES" ;;
	unapply) set -- "$AP" unapply -d "$TREE" ;;
	"unapply --force") set -- "$AP" unapply -d "$TREE" --force ;;
	upstream-unpack) set -- "$UP" unpack "$W/hostile.tar" "$TREE" ;;
	*) not_ok "$c: unknown command '$command' in expect"; continue ;;
	esac
	t0=$(date +%s)
	run timeout "$seconds" "$@"
	t1=$(date +%s)

	if [ -n "${HOSTILE_VERBOSE:-}" ]; then
		cat "$OUT" "$ERR" | cut -c1-400 | sed "s/^/    $c: /"
	fi
	if [ "$RC" -eq 124 ]; then
		not_ok "$c: timed out after $seconds s"
	elif [ "$RC" -eq "$want" ]; then
		ok "$c: exit $want"
	else
		not_ok "$c: exit $RC, wanted $want"
		sed 's/^/    stdout: /' "$OUT" | cut -c1-300 | head -10
		sed 's/^/    stderr: /' "$ERR" | cut -c1-300 | head -10
	fi
	if grep -F -q -e "$phrase" "$OUT" "$ERR"; then
		ok "$c: says '$phrase'"
	else
		not_ok "$c: does not say '$phrase'"
		if [ "$RC" -eq "$want" ]; then
			sed 's/^/    stdout: /' "$OUT" | cut -c1-300 | head -10
			sed 's/^/    stderr: /' "$ERR" | cut -c1-300 | head -10
		fi
	fi
	if [ "$before_tree" = "$(hsnap "$TREE")" ]; then
		ok "$c: tree untouched"
	else
		not_ok "$c: the tree changed"
		hsnap "$TREE" | diff -u /dev/fd/3 - 3<<DIFF | sed 's/^/    /' | head -20
$before_tree
DIFF
	fi
	if [ "$before_canary" = "$(hsnap "$CANARY")" ]; then
		ok "$c: canary beside the tree untouched"
	else
		not_ok "$c: the canary beside the tree changed"
		hsnap "$CANARY" | diff -u /dev/fd/3 - 3<<DIFF | sed 's/^/    /' | head -20
$before_canary
DIFF
	fi
	if [ "$before_beside" = "$(ls -A "$W")" ]; then
		ok "$c: nothing created or removed beside the tree"
	else
		not_ok "$c: entries beside the tree changed: $(ls -A "$W" | tr '\n' ' ')"
	fi
	if [ "$c" = sparse-2g ]; then
		# refused from its size, not read: well under the timeout
		check "$c: answered in $((t1 - t0)) s" [ $((t1 - t0)) -le 5 ]
	fi
done
check "the corpus has cases" [ "$ncases" -gt 0 ]
finish
