#!/bin/sh
# SIGKILL at random moments while apply (and unapply) works on a larger
# series: status and apply --dry-run change nothing; the next apply or
# unapply must find the tree either as before or fully patched, never a
# mix, and finish the job; real quilt's view (quilt applied, unapplied,
# top: apply keeps quilt's .pc/ in the same transaction) must agree with
# the tree each time, killed before the commit point (the tree's files
# as they were, temporary files in .pc/ too) included. Also: two runs on one
# tree at once, and a run meeting a held lock.
. "$(dirname "$0")/lib.sh"

TRIALS=${KILL_TRIALS:-100}
work=$(scratch)
python3 "$TESTS_ROOT/tools/make-series.py" "$work/gen" 120 25 11 || { not_ok "generate"; finish; exit 1; }
patches="$work/gen/patches"

digest() {
	(cd "$1" && find . -path ./.applypatch -prune -o -type f -print0 | LC_ALL=C sort -z |
		xargs -0 sha256sum) 2>/dev/null
}
before=$(digest "$work/gen/orig")
cp -a "$work/gen/orig" "$work/ref"
start=$(date +%s%N)
"$AP" apply -d "$work/ref" --patches "$patches" --platform linux >/dev/null || not_ok "reference apply"
took_us=$((($(date +%s%N) - start) / 1000))
after=$(digest "$work/ref")
ok "reference apply took ${took_us} us"

# what quilt says of the tree as before and fully patched
qbefore=$(quilt_view "$work/gen/orig" "$patches")
qafter=$(quilt_view "$work/ref" "$patches")
if [ -z "$qafter" ]; then
	echo "ok # SKIP quilt is not installed: quilt's view is not checked"
elif [ "$(cd "$work/ref" && quilt --quiltrc /dev/null applied 2>/dev/null)" = "$(cat "$patches/series")" ] &&
     [ "$(cd "$work/ref" && quilt --quiltrc /dev/null top 2>/dev/null)" = "$(tail -n1 "$patches/series")" ] &&
     ! (cd "$work/ref" && quilt --quiltrc /dev/null unapplied >/dev/null 2>&1) &&
     ! (cd "$work/gen/orig" && QUILT_PATCHES=$patches quilt --quiltrc /dev/null applied >/dev/null 2>&1) &&
     [ "$(cd "$work/gen/orig" && QUILT_PATCHES=$patches quilt --quiltrc /dev/null unapplied 2>/dev/null)" = "$(cat "$patches/series")" ] &&
     [ "$qbefore" != "$qafter" ]; then
	ok "quilt applied/top list the whole series after apply, unapplied lists it before"
else
	not_ok "quilt's view of the reference trees"
	printf '%s\n' "$qbefore" "$qafter" | sed 's/^/    /'
fi

# every file's digest, the state directory's included
everything() {
	(cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) 2>/dev/null
}

# before, after or mixed by the files (.pc/ included); "quilt-disagrees"
# when real quilt's view is not the one that goes with them
classify() {
	now=$(digest "$1")
	if [ "$now" = "$before" ]; then _c=before _q=$qbefore
	elif [ "$now" = "$after" ]; then _c=after _q=$qafter
	else echo mixed; return; fi
	if [ "$(quilt_view "$1" "$patches")" = "$_q" ]; then echo "$_c"
	else echo "quilt-disagrees ($_c)"; fi
}

# a run killed before its commit point leaves the tree's own files as
# they were, with its temporary files (in .pc/ too) for the next run to
# remove: quilt still sees the tree as it is (quilt refuses a .pc/
# without .version, so apply creates .pc/ holding it)
work_digest() {
	(cd "$1" && find . \( -path ./.applypatch -o -path ./.pc \) -prune -o -type f \
		! -path '*/.aptmp.*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) 2>/dev/null
}
before_work=$(work_digest "$work/gen/orig")
after_work=$(work_digest "$work/ref")
uncommitted() {
	_w=$(work_digest "$1")
	if [ "$_w" = "$before_work" ]; then _q=$qbefore
	elif [ "$_w" = "$after_work" ]; then _q=$qafter
	else echo "files-changed"; return; fi
	if [ "$(quilt_view "$1" "$patches")" = "$_q" ]; then echo agrees
	else echo quilt-disagrees; fi
}

i=0 seen_before=0 seen_after=0 seen_mid=0 seen_prepare=0 bad=0
while [ "$i" -lt "$TRIALS" ]; do
	t="$work/t"
	rm -rf "$t"
	# alternate: kill apply on a clean tree, kill unapply on a patched one
	if [ $((i % 3)) -eq 2 ]; then cmd=unapply; cp -a "$work/ref" "$t"
	else cmd=apply; cp -a "$work/gen/orig" "$t"; fi
	"$AP" "$cmd" -d "$t" --patches "$patches" --platform linux >/dev/null 2>&1 &
	pid=$!
	# a random moment within about 1.5 times a full run
	delay=$(awk -v s="$i" -v t="$took_us" 'BEGIN { srand(s * 7919 + 1); printf "%.6f", rand() * t * 1.5 / 1e6 }')
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	[ "$rc" -eq 137 ] && seen_mid=$((seen_mid + 1))
	# right after the kill, a tree whose files are as before or as
	# patched (the kill came before or after the renames) is what quilt
	# says too; a mix is left for the journal to settle below
	case $(classify "$t") in
	quilt-disagrees*)
		not_ok "trial $i ($cmd killed after ${delay}s): quilt disagrees with the tree"
		quilt_view "$t" "$patches" | sed 's/^/    quilt: /'
		bad=$((bad + 1)) ;;
	mixed)
		if [ ! -e "$t/.applypatch/journal" ]; then
			seen_prepare=$((seen_prepare + 1))
			case $(uncommitted "$t") in
			agrees) ;;
			*)
				not_ok "trial $i ($cmd killed after ${delay}s, before its commit point): $(uncommitted "$t")"
				quilt_view "$t" "$patches" | sed 's/^/    quilt: /'
				bad=$((bad + 1)) ;;
			esac
		fi ;;
	esac
	# status and a dry run only look: they change nothing, however the
	# run ended; apply and unapply recover first
	case $((i % 4)) in
	0|3)
		seen=$(everything "$t")
		if [ $((i % 4)) -eq 0 ]; then
			"$AP" status -d "$t" --patches "$patches" >/dev/null 2>&1
		else
			"$AP" apply --dry-run -d "$t" --patches "$patches" --platform linux >/dev/null 2>&1
		fi
		if [ "$seen" != "$(everything "$t")" ]; then
			not_ok "trial $i ($cmd killed after ${delay}s): a read-only command changed the tree"
			bad=$((bad + 1))
		fi
		# the next apply or unapply recovers
		if [ $((i % 8)) -lt 4 ]; then "$AP" unapply -d "$t" >/dev/null 2>&1
		else "$AP" apply -d "$t" --patches "$patches" --platform linux >/dev/null 2>&1; fi ;;
	1) "$AP" apply -d "$t" --patches "$patches" --platform linux >/dev/null 2>&1 ;;
	2) "$AP" unapply -d "$t" >/dev/null 2>&1 ;;
	esac
	state=$(classify "$t")
	if [ "$state" != before ] && [ "$state" != after ] ||
	   [ -n "$(find "$t" -name '.aptmp.*' | head -1)" ]; then
		not_ok "trial $i ($cmd killed after ${delay}s, exit $rc): tree is $state or has temp files"
		quilt_view "$t" "$patches" | sed 's/^/    quilt: /'
		bad=$((bad + 1))
	fi
	[ "$state" = before ] && seen_before=$((seen_before + 1))
	[ "$state" = after ] && seen_after=$((seen_after + 1))
	# and it can always be brought to the patched state
	"$AP" apply -d "$t" --patches "$patches" --platform linux >/dev/null 2>&1
	state=$(classify "$t")
	[ "$state" = after ] || { not_ok "trial $i: apply after recovery leaves the tree $state"; bad=$((bad + 1)); }
	i=$((i + 1))
done
[ "$bad" -eq 0 ] && ok "$TRIALS kill trials: $seen_mid killed mid-run ($seen_prepare before the commit point, files as they were and quilt agreeing); afterwards $seen_before as before, $seen_after patched, none mixed, quilt agreeing each time"

# a held lock: the second run is refused at once, with a message, tree untouched
t="$work/locked"
cp -a "$work/gen/orig" "$t"
# the holder says when it has the lock and keeps it until told (a timed
# wait failed at load 19: the holder had not started yet)
flock "$t" sh -c 'touch "$1"; while [ ! -e "$2" ]; do sleep 0.1; done' sh \
	"$work/lock.ready" "$work/lock.done" &
lockpid=$!
while [ ! -e "$work/lock.ready" ]; do sleep 0.1; done
check_rc "apply meets a held lock: exit 2" 2 "$AP" apply -d "$t" --patches "$patches" --platform linux
check_grep "the lock message says another run holds it" "another applypatch run holds the lock" "$ERR"
[ "$(classify "$t")" = before ] && [ ! -e "$t/.applypatch" ] && ok "locked tree untouched" ||
	not_ok "locked tree was changed"
touch "$work/lock.done"
wait "$lockpid"

# two applies at once: one applies, the other is refused or finds nothing to do
t="$work/race"
for round in 1 2 3 4 5; do
	rm -rf "$t"; cp -a "$work/gen/orig" "$t"
	"$AP" apply -d "$t" --patches "$patches" --platform linux >"$work/a.out" 2>"$work/a.err" &
	p1=$!
	"$AP" apply -d "$t" --patches "$patches" --platform linux >"$work/b.out" 2>"$work/b.err" &
	p2=$!
	wait "$p1"; r1=$?
	wait "$p2"; r2=$?
	if [ "$(classify "$t")" = after ] && { [ "$r1" -eq 0 ] || [ "$r2" -eq 0 ]; } &&
	   { [ "$r1" -eq 0 ] || grep -q "holds the lock" "$work/a.err"; } &&
	   { [ "$r2" -eq 0 ] || grep -q "holds the lock" "$work/b.err"; }; then
		ok "concurrent applies, round $round (exits $r1 and $r2): tree patched once, consistent"
	else
		not_ok "concurrent applies, round $round: exits $r1 $r2, tree $(classify "$t")"
		cat "$work/a.err" "$work/b.err" | sed 's/^/    /'
	fi
done
"$AP" status -d "$t" --patches "$patches" >/dev/null && ok "status clean after the race" ||
	not_ok "status after the race"
finish
