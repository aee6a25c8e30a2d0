#!/bin/sh
# Fault injection in the write phase: every open, write, fsync, syncfs,
# rename, mkdir, unlink, chmod, link and symlink that apply and unapply make
# is failed in turn (and, separately, the process is SIGKILLed there). After
# each run, and again after the next command has recovered, the tree must be
# byte-identical to before or to the fully patched result, the state record
# must agree, real quilt's view of .pc/ (quilt series -v: what quilt applied,
# unapplied and top say) must be the one that goes with the tree, and no
# temporary file may be left behind.
. "$(dirname "$0")/lib.sh"

FAULTY=${FAULT_APPLYPATCH:-}
if [ ! -x "$FAULTY" ]; then
	echo "ok # SKIP no fault-injection build (FAULT_APPLYPATCH)"
	exit 0
fi
work=$(scratch)
python3 "$TESTS_ROOT/tools/make-series.py" "$work/gen" 12 4 7 || { not_ok "generate series"; finish; exit 1; }
patches="$work/gen/patches"

# one digest line per file, link and directory; the state directory aside
digest() {
	(cd "$1" && find . -path ./.applypatch -prune -o -type f -print0 | LC_ALL=C sort -z |
		xargs -0 sha256sum; find . -path ./.applypatch -prune -o -type d -print |
		LC_ALL=C sort; find . -name run.sh -exec stat -c '%n %a' {} +) 2>/dev/null
}

cp -a "$work/gen/orig" "$work/ref"
"$AP" apply -d "$work/ref" --patches "$patches" --platform linux >/dev/null ||
	not_ok "reference apply"
before=$(digest "$work/gen/orig")
after=$(digest "$work/ref")
[ "$before" != "$after" ] && ok "the series changes the tree" || not_ok "series changes nothing"
qbefore=$(quilt_view "$work/gen/orig" "$patches")
qafter=$(quilt_view "$work/ref" "$patches")
if [ -z "$qafter" ]; then
	echo "ok # SKIP quilt is not installed: quilt's view is not checked"
elif [ "$(cd "$work/ref" && quilt --quiltrc /dev/null applied 2>/dev/null)" = "$(cat "$patches/series")" ] &&
     [ "$qbefore" != "$qafter" ]; then
	ok "quilt applied lists the whole series after apply"
else
	not_ok "quilt's view of the reference trees"
	printf '%s\n' "$qbefore" "$qafter" | sed 's/^/    /'
fi

# quilt's view of $1 is $2 (label $3)
quilt_agrees() {
	_seen=$(quilt_view "$1" "$patches")
	[ "$_seen" = "$2" ] && return 0
	not_ok "$3: quilt disagrees with the tree"
	printf '%s\n' "$_seen" | sed 's/^/    quilt: /'
	return 1
}

# tree in $1 must be before or after; the state must say which
consistent() {
	t=$1 label=$2
	now=$(digest "$t")
	leftovers=$(find "$t" -name '.aptmp.*' | head -1)
	if [ -n "$leftovers" ]; then
		not_ok "$label: temporary file left behind: $leftovers"
		return
	fi
	if [ "$now" = "$before" ]; then
		if [ -e "$t/.applypatch" ]; then
			not_ok "$label: tree is as before but $t/.applypatch exists"
		elif quilt_agrees "$t" "$qbefore" "$label"; then
			ok "$label: tree as before, no state, quilt agrees"
		fi
	elif [ "$now" = "$after" ]; then
		if ! quilt_agrees "$t" "$qafter" "$label"; then
			:
		elif "$AP" status -d "$t" --patches "$patches" >/dev/null 2>&1; then
			ok "$label: tree fully patched, state clean, quilt agrees"
		else
			not_ok "$label: tree fully patched but status disagrees"
			"$AP" status -d "$t" --patches "$patches" | sed 's/^/    /'
		fi
	else
		not_ok "$label: tree is neither as before nor fully patched"
		diff_out=$(printf '%s\n' "$before" >"$work/b"; printf '%s\n' "$now" >"$work/n"; diff "$work/b" "$work/n" | head -5)
		echo "$diff_out" | sed 's/^/    /'
	fi
}

# right after a kill, a tree whose files are as before or as patched (the
# kill came after the last file step, among the folders' removal) is what
# quilt sees too: quilt refuses to work on a .pc/ left without .version
files_only() {
	(cd "$1" && find . -path ./.applypatch -prune -o -type f -print0 | LC_ALL=C sort -z |
		xargs -0 sha256sum) 2>/dev/null
}
before_files=$(files_only "$work/gen/orig")
after_files=$(files_only "$work/ref")
# the tree's own files: quilt's .pc/ aside, and the run's temporary files
# (and folders)
work_files() {
	(cd "$1" && find . \( -path ./.applypatch -o -path ./.pc \) -prune -o -type f \
		! -path '*/.aptmp.*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) 2>/dev/null
}
# ... and with the temporary files
tree_files() {
	(cd "$1" && find . \( -path ./.applypatch -o -path ./.pc \) -prune -o -type f -print0 |
		LC_ALL=C sort -z | xargs -0 sha256sum) 2>/dev/null
}
before_work=$(work_files "$work/gen/orig")
after_work=$(work_files "$work/ref")
# $1 the tree, $2 its files now, $3/$4 the files as before/as patched, $5
# the label, $6 what the label says first: 1 when the files are neither
as_before_or_patched() {
	if [ "$2" = "$3" ]; then
		quilt_agrees "$1" "$qbefore" "$5" && ok "$5: ${6}files as before, quilt agrees"
	elif [ "$2" = "$4" ]; then
		quilt_agrees "$1" "$qafter" "$5" && ok "$5: ${6}files as patched, quilt agrees"
	else
		return 1
	fi
	return 0
}
quilt_after_kill() {
	if [ -e "$1/.applypatch/journal" ]; then
		# committed: the files may be half renamed (the next run
		# completes them, checked below); as before or as patched,
		# .pc/ with them included, quilt agrees
		as_before_or_patched "$1" "$(files_only "$1")" "$before_files" "$after_files" "$2" "" ||
			true
		return
	fi
	# killed before the commit point (prepare's temporary files and
	# folders may be there, in .pc/ too): the files are as they were,
	# and quilt says so (quilt refuses a .pc/ without .version)
	as_before_or_patched "$1" "$(work_files "$1")" "$before_work" "$after_work" "$2" \
		"before the commit point, " ||
		not_ok "$2: killed before the commit point, yet the files changed"
}
# after a kill before the commit point, quilt can work on the tree (on a
# copy): after apply, quilt push -a patches it and quilt pop -a restores
# it; after unapply, pop -a then push -a; and quilt restores none of the
# run's temporary files into the tree (it would from a .pc/PATCH/ folder)
aptmp_names() {
	(cd "$1" && find . -path ./.pc -prune -o -name '.aptmp.*' -print | LC_ALL=C sort)
}
quilt_step() {
	(cd "$work/qc" && QUILT_PATCHES=$patches quilt --quiltrc /dev/null "$1" -a) >"$work/qout" 2>&1 || {
		not_ok "$3: quilt $1 -a fails"
		sed 's/^/    /' "$work/qout" | tail -3
		return 1
	}
	[ "$(work_files "$work/qc")" = "$2" ] && [ "$(aptmp_names "$work/qc")" = "$_names" ] || {
		not_ok "$3: after quilt $1 -a, the tree is not as it should be"
		return 1
	}
}
quilt_works_after_kill() {
	# (pending without journal: prepared, not committed; a run killed
	# after its last step, the journal gone, is simply done)
	[ -n "$qafter" ] && [ -d "$1/.pc" ] && [ -e "$1/.applypatch/pending" ] &&
		[ ! -e "$1/.applypatch/journal" ] || return 0
	rm -rf "$work/qc"
	cp -a "$1" "$work/qc"
	_names=$(aptmp_names "$1")
	if [ "$3" = apply ]; then
		quilt_step push "$after_work" "$2" && quilt_step pop "$before_work" "$2" &&
			ok "$2: quilt push -a, then pop -a, work on the tree"
	else
		quilt_step pop "$before_work" "$2" && quilt_step push "$after_work" "$2" &&
			ok "$2: quilt pop -a, then push -a, work on the tree"
	fi
}

ops="open write fsync syncfs rename mkdir unlink chmod link"
points=0
for mode in fail kill; do
	for cmd in apply unapply; do
		for op in $ops; do
			n=1
			while [ "$n" -le 60 ]; do
				t="$work/t"
				rm -rf "$t"
				if [ "$cmd" = apply ]; then
					cp -a "$work/gen/orig" "$t"
				else
					cp -a "$work/ref" "$t"
				fi
				if [ "$mode" = fail ]; then
					APPLYPATCH_FAULT="$op:$n" "$FAULTY" "$cmd" -d "$t" --patches "$patches" \
						--platform linux >"$work/out" 2>"$work/err"
					rc=$?
					grep -q "injected fault" "$work/err" || break
					# the run must say what failed, and exit 0 (recovered) or non-zero
					if [ "$rc" -ne 0 ] && ! grep -q "applypatch: " "$work/err"; then
						not_ok "$cmd $op:$n failed silently (exit $rc)"
					fi
				else
					APPLYPATCH_FAULT_KILL="$op:$n" "$FAULTY" "$cmd" -d "$t" --patches "$patches" \
						--platform linux >"$work/out" 2>"$work/err"
					rc=$?
					[ "$rc" -eq 137 ] || break
					quilt_after_kill "$t" "$cmd, $op #$n killed"
					quilt_works_after_kill "$t" "$cmd, $op #$n killed" "$cmd"
				fi
				points=$((points + 1))
				if [ "$mode" = fail ]; then
					consistent "$t" "$cmd, $op #$n fails (exit $rc)"
				fi
				# the next apply or unapply completes or rolls back whatever
				# was left (status only looks)
				"$AP" unapply -d "$t" >/dev/null 2>&1
				consistent "$t" "$cmd, $op #$n $mode, then unapply"
				"$AP" apply -d "$t" --patches "$patches" --platform linux >/dev/null 2>&1
				if [ "$(digest "$t")" = "$after" ]; then
					ok "$cmd, $op #$n $mode: a later apply completes the series"
				else
					not_ok "$cmd, $op #$n $mode: a later apply does not reach the patched tree"
				fi
				n=$((n + 1))
			done
		done
	done
done
[ "$points" -gt 100 ] && ok "$points fault points exercised" || not_ok "only $points fault points"

# the sweep above stops at the 60th unlink; an unapply's folder removals
# (quilt's .pc/ among them) come later: a kill at each of them leaves the
# files as before and quilt agreeing, and the next unapply finishes
n=1 seen=0 disagree=0
while :; do
	t="$work/t"
	rm -rf "$t"
	cp -a "$work/ref" "$t"
	APPLYPATCH_FAULT_KILL="unlink:$n" "$FAULTY" unapply -d "$t" >/dev/null 2>&1
	[ $? -eq 137 ] || break
	[ "$(files_only "$t")" = "$before_files" ] && seen=$((seen + 1))
	quilt_after_kill "$t" "unapply, unlink #$n killed" >"$work/q"
	grep -v '^ok' "$work/q" && disagree=$((disagree + 1))
	"$AP" unapply -d "$t" >/dev/null 2>&1
	[ "$(digest "$t")" = "$before" ] && [ ! -e "$t/.applypatch" ] &&
		[ -z "$(find "$t" -name '.aptmp.*' | head -1)" ] ||
		not_ok "unapply, unlink #$n killed: the next unapply does not restore the tree"
	n=$((n + 1))
done
[ "$seen" -gt 10 ] && [ "$disagree" -eq 0 ] && ok "unapply killed at each of its $((n - 1)) unlinks and rmdirs: in the $seen kills after its last file step, quilt agrees" ||
	not_ok "unapply's unlinks: only $seen kill points after the last file step (of $((n - 1)))"

# running out of space and short writes are reported as such
t="$work/t"; rm -rf "$t"; cp -a "$work/gen/orig" "$t"
APPLYPATCH_FAULT="write:2:ENOSPC" "$FAULTY" apply -d "$t" --patches "$patches" --platform linux \
	>"$work/out" 2>"$work/err"
check_grep "ENOSPC is named" "No space left on device" "$work/err"
consistent "$t" "after ENOSPC"
rm -rf "$t"; cp -a "$work/gen/orig" "$t"
APPLYPATCH_FAULT="write:1:short" "$FAULTY" apply -d "$t" --patches "$patches" --platform linux \
	>"$work/out" 2>"$work/err"
rc=$?
[ "$rc" -eq 0 ] && [ "$(digest "$t")" = "$after" ] && ok "a short write is completed" ||
	not_ok "short write: exit $rc"
finish
