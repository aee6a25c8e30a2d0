#!/bin/sh
# Hostile names in every output (issue 11 item 12): patch and file names
# that are not UTF-8, hold U+FFFE, a surrogate, an OSC title sequence, BEL,
# a C1 CSI, a newline, or GitHub's own escapes. For apply, status, list,
# lint, drift and refresh, each format the command writes must stay
# readable by its consumer: JSON by python3's json (strict UTF-8), JUnit by
# xmllint (and the schema, tests/schema/junit.xsd), GitHub annotations one
# workflow command a line, UTF-8, no raw control byte, and text without a
# raw control byte at all (on a terminal, only our own colours).
. "$TESTS_ROOT/e2e/lib.sh"
WORK=$(scratch)
umask 022

# Outputs are collected as $OUTS/LABEL.FORMAT and judged at the end by
# one python3 run (python starts slowly on a loaded machine); xmllint runs
# per JUnit file.
OUTS="$WORK/outs"
mkdir -p "$OUTS"
n_out=0
keep() {   # keep LABEL FORMAT FILE (a refusal: nothing on stdout, its stderr)
	if [ ! -s "$3" ] && [ "$3" = "$OUT" ] && [ "$RC" -eq 2 ]; then
		set -- "$1 (refused)" text "$ERR"
	fi
	n_out=$((n_out + 1))
	cp "$3" "$OUTS/$n_out.$2"
	printf '%s\t%s\n' "$n_out.$2" "$1" >>"$WORK/labels"
	if [ "$2" = junit ]; then
		check "$1: JUnit well-formed" xmllint --noout "$3"
		check "$1: JUnit valid against junit.xsd" junit_valid "$3"
	fi
}

# printf formats (octal escapes) of the names
NAMES='bad\377\376.patch
esc\033]0;pwned\007.patch
bel\007.patch
\357\277\276.patch
surr\355\240\200.patch
c1\302\2332J.patch
ovl\300\200.patch
pct%%0A,colon:.patch
amp&<lt>"q'"'"'.patch
nl\nhere.patch'

# mkcase DIR NAME FAIL [FILE]: a tree with file FILE (default NAME; f when
# NAME holds a newline) and a patch named NAME changing it; FAIL=1 makes it
# conflict.
mkcase() {
	mkdir -p "$1/patches"
	case "$2" in
	*"
"*) file=f ;;
	*) file=${4:-$2} ;;
	esac
	printf 'one\n' >"$1/$file"
	old=one; [ "$3" = 1 ] && old=zzz
	{ printf -- '--- a/%s\n+++ b/%s\n@@ -1 +1 @@\n' "$file" "$file"; printf -- '-%s\n+TWO\n' "$old"; } \
		>"$1/patches/$2"
	# a series line cannot hold a newline: that name uses the directory layout
	case "$2" in
	*"
"*) ;;
	*) printf 'Description: x\nForwarded: no\n' >"$1/hdr"; cat "$1/patches/$2" >>"$1/hdr"
	   mv "$1/hdr" "$1/patches/$2"; printf '%s\n' "$2" >"$1/patches/series" ;;
	esac
}

i=0
while IFS= read -r fmtname; do
	i=$((i + 1))
	name=$(printf "$fmtname"; printf x); name=${name%x}
	for fail in 0 1; do
		W="$WORK/$i.$fail"
		T="$W/tree"
		mkcase "$T" "$name" "$fail"
		cp -R "$T" "$W/upstream"; rm -rf "$W/upstream/patches"
		for f in text json junit github; do
			run "$AP" apply -n -d "$T" -P linux -f $f; keep "name $i fail=$fail apply -n $f" $f "$OUT"
			run "$AP" lint --patches "$T/patches" -f $f; keep "name $i fail=$fail lint $f" $f "$OUT"
			run "$AP" drift --patches "$T/patches" -P linux -f $f "$W/upstream"
			keep "name $i fail=$fail drift $f" $f "$OUT"
		done
		run "$AP" drift --patches "$T/patches" -P linux -f markdown "$W/upstream"
		keep "name $i fail=$fail drift markdown" text "$OUT"
		for f in text json junit github; do
			run "$AP" list --patches "$T/patches" -P linux -f $f; keep "name $i fail=$fail list $f" $f "$OUT"
			run "$AP" refresh --patches "$T/patches" -n -f $f "$W/upstream"
			keep "name $i fail=$fail refresh $f" $f "$OUT"
		done
		run "$AP" apply -d "$T" -P linux
		applied=$RC
		keep "name $i fail=$fail apply text" text "$OUT"
		keep "name $i fail=$fail apply stderr" text "$ERR"
		for f in text json junit github; do
			run "$AP" status -d "$T" -f $f; keep "name $i fail=$fail status $f" $f "$OUT"
		done
		[ "$applied" != 0 ] || { run "$AP" unapply -d "$T" -f junit; keep "name $i unapply junit" junit "$OUT"; }
	done
done <<EOF_NAMES
$NAMES
EOF_NAMES
check "all 10 names were tried" [ "$i" -eq 10 ]

# A name with a line break cannot be written in a series or read back from
# the state record: refused before anything, named visibly (it was applied,
# and every later status and unapply failed on "state:4: malformed line").
T="$WORK/nl/tree"
mkcase "$T" "$(printf 'nl\nhere.patch')" 0
for c in "apply -d $T -P linux" "list --patches $T/patches -P linux" "lint --patches $T/patches"; do
	check_rc "line break in a name: ${c%% *} refuses it" 2 "$AP" $c
	check_grep "line break in a name: ${c%% *} names it visibly" 'nl\\x0ahere.patch: a patch name holding a line break' "$ERR"
done
check "line break in a name: nothing written" [ ! -e "$T/.applypatch" ]

# On a terminal (script(1) gives a pty), apply, status and list print
# colours and nothing else a terminal acts on. (--no-quilt-state: quilt's
# .pc/NAME/ refuses a name holding control characters.)
if command -v script >/dev/null 2>&1; then
	T="$WORK/tty/tree"
	name=$(printf 'e\033]0;pwned\007.patch')
	mkcase "$T" "$name" 0 f
	script -qec "'$AP' apply -d '$T' -P linux --no-quilt-state" /dev/null >"$WORK/tty/apply" 2>&1
	script -qec "'$AP' status -d '$T'" /dev/null >"$WORK/tty/status" 2>&1
	script -qec "'$AP' list --patches '$T/patches' -P linux" /dev/null >"$WORK/tty/list" 2>&1
	for c in apply status list; do
		tr -d '\r' <"$WORK/tty/$c" >"$WORK/tty/$c.lf"
		keep "tty $c" tty "$WORK/tty/$c.lf"
		check_grep "tty $c: the name shown escaped" 'e\\x1b\]0;pwned\\x07\.patch' "$WORK/tty/$c.lf"
	done
	check "tty apply: colours still there" grep -q "$(printf '\033')\[1m" "$WORK/tty/apply.lf"
else
	ok "# skip tty checks: no script(1)"
fi

# JSON by python's json (strict UTF-8); annotations: every line a workflow
# command, UTF-8, no control byte; text: UTF-8, no control byte but LF and
# tab; on a tty, only ESC [ 0/1/31/32/33/36 m besides.
python3 - "$OUTS" "$WORK/labels" <<'PY' >"$WORK/judged"
import json, re, sys
outs, labels = sys.argv[1], sys.argv[2]
def judge(fmt, d):
    if fmt == "json":
        json.loads(d.decode("utf-8")); return
    if fmt == "junit":
        return
    if fmt == "github":
        for l in d.split(b"\n")[:-1]:
            if not l.startswith(b"::"): raise ValueError("not a workflow command: %r" % l)
            if any(c < 0x20 or c == 0x7f for c in l): raise ValueError("raw control byte: %r" % l)
        if d and not d.endswith(b"\n"): raise ValueError("no final newline")
        d.decode("utf-8"); return
    if fmt == "tty":
        d = re.sub(rb"\x1b\[(0|1|31|32|33|36)m", b"", d)
    if any((c < 0x20 and c not in (9, 10)) or c == 0x7f for c in d):
        raise ValueError("raw control byte: %r" % d[:300])
    d.decode("utf-8")
for line in open(labels, encoding="utf-8", errors="replace"):
    f, label = line.rstrip("\n").split("\t", 1)
    fmt = f.split(".", 1)[1]
    try:
        judge(fmt, open(outs + "/" + f, "rb").read())
        print("ok - %s: %s output readable" % (label, fmt))
    except Exception as e:
        print("not ok - %s: %s: %s" % (label, fmt, str(e)[:300]))
PY
cat "$WORK/judged"
check "every kept output was judged" [ "$(grep -c '^ok' "$WORK/judged")" -eq "$n_out" ]
finish
