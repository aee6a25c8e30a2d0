#!/bin/sh
# test_lint_dep3.sh - applypatch lint reads patch headers as DEP-3 and
# lintian's debian/patches checks do (issue 15 item 7): which fields are an
# upstream reference, "Forwarded: not-needed" with or without a reason,
# "Origin: vendor" alone flagged, quilt's template description, a series
# without its final newline; and every file is read through the checked
# reader, so a FIFO in the series is refused rather than waited on.
. "$(dirname "$0")/lib.sh"

W=$(scratch)
n=0
# lint_one NAME HEADER...: a one-patch series whose header has these lines;
# leaves the patches directory in $P
lint_one() {
	n=$((n + 1))
	P="$W/p$n"; mkdir -p "$P"
	{
		for h in "$@"; do printf '%s\n' "$h"; done
		printf -- '---\n--- a/f.c\n+++ b/f.c\n@@ -1 +1 @@\n-a\n+b\n'
	} >"$P/a.patch"
	printf 'a.patch\n' >"$P/series"
	run "$AP" lint --patches "$P"
}
clean() {  # NAME HEADER...
	_t=$1; shift
	lint_one "$@"
	if [ "$RC" -eq 0 ]; then ok "$_t: no finding"; else not_ok "$_t: exit $RC"; sed 's/^/    | /' "$OUT"; fi
}
flagged() {  # NAME PATTERN HEADER...
	_t=$1; _pat=$2; shift 2
	lint_one "$@"
	if [ "$RC" -eq 1 ] && grep -q -e "$_pat" "$OUT"; then ok "$_t: flagged"
	else not_ok "$_t: exit $RC, no '$_pat'"; sed 's/^/    | /' "$OUT"; fi
}

# DEP-3: any of these is where upstream has (or does not need) the change
clean "Forwarded: URL" "Description: d" "Forwarded: https://example.org/pr/1"
clean "Bug: alone (DEP-3 upstream bug)" "Description: d" "Bug: https://example.org/issues/7"
clean "Applied-Upstream: alone" "Description: d" "Applied-Upstream: 4.11.0"
clean "Applied-Upstream: commit:HASH" "Description: d" "Applied-Upstream: commit:e73953fd3"
clean "bare Forwarded: not-needed" "Description: d" "Forwarded: not-needed"
clean "Forwarded: not-needed with a reason" "Description: d" "Forwarded: not-needed, build glue"
clean "Origin: upstream, URL" "Description: d" "Origin: upstream, https://example.org/commit/1"
clean "Origin: backport, URL" "Description: d" "Origin: backport, https://example.org/commit/1"
clean "Origin: vendor with Forwarded" "Description: d" "Origin: vendor, https://sage.example/t/1" "Forwarded: https://example.org/pr/2"
clean "mail Subject as description" "From: a@example.org" "Subject: [PATCH] fix it" "Forwarded: https://example.org/pr/3"
# lintian's patch-not-forwarded-upstream
flagged "Origin: vendor, URL alone" "Origin: vendor, https://sage.example/t/1' is not upstream's" \
	"Description: d" "Origin: vendor, https://sage.example/t/1"
flagged "Origin: other alone" "is not upstream's" "Description: d" "Origin: other, https://example.org/x"
flagged "Forwarded: no" "a.patch:2: 'Forwarded: no'" "Description: d" "Forwarded: no"
flagged "Forwarded: no with Bug" "'Forwarded: no'" "Description: d" "Forwarded: no" "Bug: https://example.org/i/1"
flagged "no reference at all" "no upstream reference" "Description: d" "Author: someone"
flagged "no description" "no description" "Forwarded: https://example.org/pr/1"
# lintian's quilt-patch-using-template-description
flagged "quilt's template description" "a.patch:2: the description is quilt's template" \
	"Description: <short summary of the patch>" \
	" TODO: Put a short summary on the line above and replace this paragraph" \
	"Forwarded: https://example.org/pr/1"

# lintian's quilt-series-without-trailing-newline
lint_one "Description: d" "Forwarded: https://example.org/pr/1"
printf 'a.patch' >"$P/series"
check_rc "series without a final newline: exit 1" 1 "$AP" lint --patches "$P"
check_grep "series without a final newline: named with its line" "series:1: the series does not end with a newline" "$OUT"
# lintian's quilt-patch-with-non-standard-options
printf 'a.patch -p0\n' >"$P/series"
check_rc "-p0 in the series: exit 1" 1 "$AP" lint --patches "$P"
check_grep "-p0 named" "a.patch is -p0" "$OUT"

# a FIFO listed in the series: refused, no hang (timeout only guards the test)
lint_one "Description: d" "Forwarded: https://example.org/pr/1"
mkfifo "$P/fifo.patch"
printf 'a.patch\nfifo.patch\n' >"$P/series"
check_rc "a FIFO in the series: exit 1, not a hang" 1 timeout 20 "$AP" lint --patches "$P"
check_grep "the FIFO is named for what it is" "fifo.patch is a FIFO, not a regular file" "$OUT"
finish
