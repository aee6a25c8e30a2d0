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
# of hashed (hashing the 2 GB sparse case would take minutes). Every line
# starts with the path, and a snapshot costs a few processes however many
# files there are (the corpus takes one before and one after each case).
hsnap() {
	(cd "$1" && {
		find . ! -type f -printf '%p %y %m %l\n'
		find . -type f -size +16777216c -printf '%p big %m %s %i %T@\n'
		find . -type f ! -size +16777216c -printf '%p file %m\n'
		find . -type f ! -size +16777216c -print0 | xargs -0 -r sha256sum |
			sed 's/^\([0-9a-f]*\)  \(.*\)$/\2 sha256 \1/'
	} | LC_ALL=C sort)
}

# part PREFIX SNAPSHOT: the lines of one part of the scratch directory
part() { printf '%s\n' "$2" | grep "^\./$1\(/\| \)" || true; }
beside() { printf '%s\n' "$1" | grep -v '^\./\(tree\|canary\)\(/\| \)' || true; }

ncases=0
for dir in "$HOSTILE"/*/; do
	c=${dir%/}
	c=${c##*/}
	case $c in _*) continue ;; esac
	# HOSTILE_CASES="a b" runs only those (for working on one case)
	case " ${HOSTILE_CASES:-$c} " in *" $c "*) ;; *) continue ;; esac
	ncases=$((ncases + 1))
	if [ ! -f "$dir/expect" ] || [ ! -f "$dir/README" ]; then
		not_ok "$c: the case needs a README and an expect file"
		continue
	fi
	want="" phrase="" command=apply seconds=60
	while IFS=' ' read -r key value; do
		case $key in
		status) want=$value ;;
		phrase) phrase=$value ;;
		command) command=$value ;;
		seconds) seconds=$value ;;
		esac
	done <"$dir/expect"
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

	before=$(hsnap "$W")
	case $command in
	apply) set -- "$AP" apply -d "$TREE" --patches "$PATCHES" -P linux ;;
	status) set -- "$AP" status -d "$TREE" --patches "$PATCHES" ;;
	unapply) set -- "$AP" unapply -d "$TREE" ;;
	"unapply --force") set -- "$AP" unapply -d "$TREE" --force ;;
	upstream-unpack) set -- "$UP" unpack "$W/hostile.tar" "$TREE" ;;
	*) not_ok "$c: unknown command '$command' in expect"; continue ;;
	esac
	[ "$c" != sparse-2g ] || t0=$(date +%s)
	run timeout "$seconds" "$@"
	[ "$c" != sparse-2g ] || t1=$(date +%s)
	after=$(hsnap "$W")

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
	if [ "$before" = "$after" ]; then
		ok "$c: tree untouched"
		ok "$c: canary beside the tree untouched"
		ok "$c: nothing created, changed or removed beside the tree"
	else
		for p in tree canary; do
			if [ "$(part "$p" "$before")" = "$(part "$p" "$after")" ]; then
				ok "$c: $p untouched"
			else
				not_ok "$c: the $p changed"
				part "$p" "$after" | diff -u /dev/fd/3 - 3<<DIFF | sed 's/^/    /' | head -20
$(part "$p" "$before")
DIFF
			fi
		done
		if [ "$(beside "$before")" = "$(beside "$after")" ]; then
			ok "$c: nothing created, changed or removed beside the tree"
		else
			not_ok "$c: something beside the tree changed"
			beside "$after" | diff -u /dev/fd/3 - 3<<DIFF | sed 's/^/    /' | head -20
$(beside "$before")
DIFF
		fi
	fi
	if [ "$c" = sparse-2g ]; then
		# refused from its size, not read: well under the timeout
		check "$c: answered in $((t1 - t0)) s" [ $((t1 - t0)) -le 5 ]
	fi
done
check "the corpus has cases" [ "$ncases" -gt 0 ]
finish
