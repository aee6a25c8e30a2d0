#!/bin/sh
# Which patches applypatch applies, and in what order: quilt series files
# with -pN, comments and conda-build selectors; the directory convention
# without a series file; and every broken series refused with
# "series:LINE: what", exit 2, and the tree left as it was.
. "$TESTS_ROOT/e2e/lib.sh"
E2E="$FIXTURES/e2e"
WORK=$(scratch)
trap 'rm -rf "$WORK"; cleanup' EXIT
umask 022

# The names of the files the selectors patches created, on one line.
created() { (cd "$T/platform" 2>/dev/null && ls | tr '\n' ' '); }

# --- selectors: the tree shows which patches ran -----------------------------

for want in \
	"linux:all.txt nested.txt not-cygwin.txt p2.txt precedence.txt unixish.txt " \
	"cygwin:all.txt cygwin-only.txt p2.txt " \
	"darwin:all.txt not-cygwin.txt p2.txt unixish.txt " \
	"freebsd:all.txt not-cygwin.txt p0.txt p2.txt "; do
	platform=${want%%:*}
	newcase selectors
	check_rc "selectors, $platform: exit 0" 0 "$AP" apply -d "$T" --platform "$platform"
	got=$(created)
	if [ "$got" = "${want#*:}" ]; then
		ok "selectors, $platform: the right patches ran"
	else
		not_ok "selectors, $platform: ran '$got', wanted '${want#*:}'"
	fi
	check_rc "selectors, $platform: json exit 0" 0 "$AP" apply -d "$T" --platform "$platform" -f json
	check "selectors, $platform: unselected patches reported skipped" \
		jq -e '[.patches[] | select(.selected | not) | .status] | all(. == "skipped")' "$OUT"
done

newcase selectors
check_rc "list for linux: exit 0" 0 "$AP" list -d "$T" -P linux
check_grep "list: names the series file" "patches/series for linux:" "$OUT"
check_grep "list: unselected patch says why" "cygwin-only.patch  *-p1  (out: selector \[cygwin\] is false for linux)" "$OUT"
check_grep "list: selected patch says why" "nested.patch  *-p1  selector \[not (cygwin or darwin) and linux\] is true for linux" "$OUT"
check_grep "list: -p0 shown" "p0.patch  *-p0" "$OUT"
check_grep "list: -p2 after a tab shown" "p2.patch  *-p2" "$OUT"
check_grep "list: a plain trailing comment is no selector" "1  all.patch  *-p1  no selector" "$OUT"
check_rc "list json for cygwin: exit 0" 0 "$AP" list -d "$T" -P cygwin -f json
check "list json: selectors as written, selection for cygwin" \
	jq -e '[.patches[] | select(.selected) | .name] == ["all.patch", "cygwin-only.patch", "p2.patch"] and (.patches[4].selector == "not (cygwin or darwin) and linux")' "$OUT"

# The platform word is checked before anything is read.
check_rc "unknown --platform: exit 2" 2 "$AP" list -d "$T" -P windows95
check_grep "unknown --platform: named" "unknown platform 'windows95'" "$ERR"

# --- without a series file ---------------------------------------------------

for want in "linux:one two linux " "cygwin:one two cygwin " "darwin:one two "; do
	platform=${want%%:*}
	newcase noseries
	before=$(tree_state "$T")
	check_rc "no series, $platform: exit 0" 0 "$AP" apply -d "$T" -P "$platform"
	got=$(tr '\n' ' ' <"$T/order.txt")
	if [ "$got" = "${want#*:}" ]; then
		ok "no series, $platform: name order, then patches/$platform/"
	else
		not_ok "no series, $platform: order.txt is '$got', wanted '${want#*:}'"
	fi
	check_rc "no series, $platform: unapply exit 0" 0 "$AP" unapply -d "$T"
	check "no series, $platform: unapply removes order.txt, state and all" \
		[ "$before" = "$(tree_state "$T")" ]
done
check_rc "no series: list" 0 "$AP" list -d "$T" -P linux -f json
check "no series: the .diff file is not in the series" \
	jq -e '[.patches[].name] == ["01-first.patch", "02-second.patch", "linux/00-linux.patch", "cygwin/00-cygwin.patch"]' "$OUT"
check "no series: the series is the directory" jq -e '.series == null' "$OUT"

# A series of comments only: nothing selected, nothing to do, nothing written.
newcase series-errors
printf '# every patch is out for now\n# a.patch\n\n' >"$T/patches/series"
rm "$T/patches/a.patch" "$T/patches/b.patch" "$T/patches/c.patch"
before=$(tree_state "$T")
check_rc "empty series: exit 0" 0 "$AP" apply -d "$T" -P linux
check_grep "empty series: says no patch is selected" "no patch is selected for linux" "$OUT"
check "empty series: tree untouched, no state" [ "$before" = "$(tree_state "$T")" ]

# --- series problems that are only warnings ----------------------------------

newcase series-errors
printf 'a.patch\nb.patch\n' >"$T/patches/series"
check_rc "unlisted .patch: apply exit 0" 0 "$AP" apply -d "$T" -P linux
check_grep "unlisted .patch: warned, by file name" "warning: .*patches/c.patch: not listed in the series file" "$OUT"
check "unlisted .patch: not applied" [ ! -e "$T/c.txt" ]
check "unlisted .patch: listed a.patch applied" [ -f "$T/a.txt" ]
check "unlisted .patch: listed b.patch applied" [ -f "$T/b.txt" ]
check_rc "unlisted .patch, json: exit 0" 0 "$AP" apply -d "$T" -P linux -f json
check "unlisted .patch, json: in warnings" \
	jq -e '[.warnings[] | tostring | test("c.patch")] | any' "$OUT"

newcase series-errors
printf 'a.patch\n# b.patch # [cygwin]\n#c.patch -p1 # [linux]\n' >"$T/patches/series"
check_rc "commented-out entries with selectors: exit 0" 0 "$AP" apply -d "$T" -P linux
check "commented-out entries: a.patch applied" [ -f "$T/a.txt" ]
check "commented-out entries: b.patch not applied" [ ! -e "$T/b.txt" ]
check "commented-out entries: c.patch not applied" [ ! -e "$T/c.txt" ]

# quilt reads any line starting with '#' as a comment, whatever follows:
# a section heading like this one must not stop applypatch.
newcase series-errors
printf '# [cygwin] patches come last\na.patch\n# [linux]\nb.patch\nc.patch\n' >"$T/patches/series"
run "$AP" apply -d "$T" -P linux
if [ "$RC" -eq 0 ]; then
	ok "a comment line that starts with '# [' is a comment"
else
	not_ok "a whole-line comment '# [cygwin] patches come last' is refused: $(cat "$ERR")"
fi

# --- broken series: exit 2, series:LINE named, nothing touched --------------

# bad_series NAME SERIES-TEXT PATTERN: apply and list both refuse the series
# with an error matching PATTERN; the tree is byte-identical afterwards.
bad_series() {
	newcase series-errors
	printf "$2" >"$T/patches/series"
	before=$(tree_state "$T")
	check_rc "$1: apply exit 2" 2 "$AP" apply -d "$T" -P linux
	check_grep "$1: error text" "$3" "$ERR"
	check "$1: tree untouched, nothing left behind" [ "$before" = "$(tree_state "$T")" ]
	check_rc "$1: list exit 2" 2 "$AP" list -d "$T" -P linux
	check_grep "$1: list says so too" "$3" "$ERR"
	check_rc "$1: dry run exit 2" 2 "$AP" apply -n -d "$T" -P linux
}

bad_series "unknown platform word" 'a.patch\nb.patch -p1 # [plan9]\n' \
	"patches/series:2: unknown platform 'plan9' in selector"
bad_series "unknown word in an expression" 'a.patch # [linux or beos]\n' \
	"patches/series:1: unknown platform 'beos' in selector"
bad_series "dangling 'or'" '\n\na.patch # [linux or]\n' \
	"patches/series:3: selector ends where a platform was expected"
bad_series "unclosed parenthesis" 'a.patch # [(linux or cygwin]\n' \
	"patches/series:1: missing ')' in selector"
bad_series "stray parenthesis" 'a.patch # [linux)]\n' \
	"patches/series:1: unexpected ')' in selector"
bad_series "empty selector" 'a.patch\nb.patch # []\n' \
	"patches/series:2: selector ends where a platform was expected"
bad_series "two words without an operator" 'a.patch # [linux cygwin]\n' \
	"patches/series:1: expected 'and' or 'or' before 'cygwin'"
bad_series "'not' alone" 'a.patch # [not]\n' \
	"patches/series:1: selector ends where a platform was expected"
bad_series "C operators" 'a.patch # [linux && cygwin]\n' \
	"patches/series:1: unexpected '&' in selector"
bad_series "no closing bracket" 'a.patch # [linux\n' \
	"patches/series:1: selector '\[linux' has no closing ']'"
bad_series "patch listed twice" 'a.patch\nb.patch\na.patch -p1\n' \
	"patches/series:3: a.patch is listed twice (first at line 1)"
bad_series "missing patch file" 'a.patch\nmissing.patch\n' \
	"patches/series:2: missing.patch is listed but there is no such file"
bad_series "unknown option" 'a.patch -R\n' \
	"patches/series:1: unsupported option '-R' for a.patch (only -pN)"
bad_series "bad strip level" 'a.patch -px\n' \
	"patches/series:1: unsupported option '-px'"
bad_series "name leaving the directory" 'a.patch\n../../base/x.patch\n' \
	"patches/series:2: patch name '../../base/x.patch' leaves the patches directory"
bad_series "absolute name" '/etc/passwd\n' \
	"patches/series:1: patch name '/etc/passwd' leaves the patches directory (it is absolute)"
bad_series "name with a '..' component" 'a.patch\nsub/../../x.patch\n' \
	"patches/series:2: patch name 'sub/../../x.patch' leaves the patches directory (it has a '..' component)"

# each message says what is actually wrong (issue 11, item 12)
newcase series-errors
cp "$T/patches/a.patch" "$T/patches/fix..v2.patch"
printf 'fix..v2.patch\n' >"$T/patches/series"
check_rc "'fix..v2.patch' is a name like any other: list exit 0" 0 "$AP" list -d "$T" -P linux
check_grep "'fix..v2.patch' listed" "fix..v2.patch" "$OUT"
for kind in "FIFO:mkfifo" "directory:mkdir"; do
	newcase series-errors
	(cd "$T/patches" && ${kind#*:} odd.patch)
	printf 'a.patch\nodd.patch\n' >"$T/patches/series"
	before=$(tree_state "$T")
	check_rc "a $kind listed as a patch: apply exit 2" 2 "$AP" apply -d "$T" -P linux
	check_grep "a $kind listed as a patch: says so, not 'no such file'" \
		"patches/series:2: odd.patch is listed but is a ${kind%%:*}, not a regular file" "$ERR"
	check "a $kind listed as a patch: tree untouched" [ "$before" = "$(tree_state "$T")" ]
done

# --- a series that is there but cannot be read: exit 2, never the ----------
# directory convention (which would apply the [cygwin]-only patch on linux)

# odd_series NAME MAKE PATTERN: patches/series replaced by what MAKE makes
odd_series() {
	newcase selectors
	rm -f "$T/patches/series"
	(cd "$T/patches" && eval "$2")
	before=$(tree_state "$T")
	check_rc "series that is $1: apply exit 2" 2 "$AP" apply -d "$T" -P linux
	check_grep "series that is $1: says why" "$3" "$ERR"
	check "series that is $1: tree untouched" [ "$before" = "$(tree_state "$T")" ]
	check "series that is $1: no [cygwin] patch applied" [ ! -e "$T/platform/cygwin-only.txt" ]
	check_rc "series that is $1: list exit 2" 2 "$AP" list -d "$T" -P linux
	check_grep "series that is $1: list says why" "$3" "$ERR"
	check_rc "series that is $1: dry run exit 2" 2 "$AP" apply -n -d "$T" -P linux
}

odd_series "a dangling symlink" "ln -s series.orig series" \
	"patches/series is a symbolic link to 'series.orig', which cannot be followed: No such file"
odd_series "a FIFO" "mkfifo series" "patches/series is a FIFO, not a regular file"
odd_series "a directory" "mkdir series" "patches/series is a directory, not a regular file"
odd_series "a device" "ln -s /dev/null series" "patches/series is a device, not a regular file"
if [ "$(id -u)" -ne 0 ]; then
	odd_series "unreadable" "echo all.patch >series && chmod 000 series" \
		"cannot open .*patches/series: Permission denied"
fi
newcase selectors
(cd "$T/patches" && mv series series.real && ln -s series.real series)
check_rc "series that is a symlink to a file: read through it" 0 "$AP" list -d "$T" -P linux
check_grep "series that is a symlink to a file: its entries listed" "nested.patch" "$OUT"

finish
