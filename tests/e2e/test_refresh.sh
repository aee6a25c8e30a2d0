#!/bin/sh
# test_refresh.sh - refresh writes only what a reviewer can trust (issue 15
# item 4): a hunk whose context fuzz would ignore on one side is left for a
# person with the reason (the ENSURE_BAG-inside-a-call case, on a fixture);
# a multi-commit mail that changes one file in several commits is refreshed
# commit by commit, its mail headers kept and its stale git index lines
# dropped; refresh names a patch as drift does; --dry-run prints the change.
# Sage's real 3435.patch (5 commits) is refreshed too when the reference
# copy is on this machine.
. "$(dirname "$0")/lib.sh"

W=$(scratch)
new_repo "$W/up"
cat >"$repo/src/int.c" <<'C'
/* int.c */
#include "int.h"

Obj QuoInt(Obj a, Obj b)
{
    Obj quo = NewBag(T_INT, 8);
    Obj rem = NewBag(T_INT, 8);
    divide(quo, rem, a, b);
    return quo;
}

/****************************************************************
**
*F  Helpers
*/
int helper(void)
{
    return 0;
}

int tail;
C
printf '/* two.c */\nint a1;\nint a2;\nint a3;\nint a4;\nint a5;\nint a6;\n' >"$repo/src/two.c"
g add -A && g commit -qm v1 && g tag v1

P="$W/patches"; mkdir -p "$P"
# ensure.patch: an insertion with three context lines on each side
cat >"$P/ensure.patch" <<'D'
Description: commit the bag's pages before GMP writes into them
Forwarded: https://example.org/pr/3435
---
--- a/src/int.c
+++ b/src/int.c
@@ -5,6 +5,7 @@ Obj QuoInt(Obj a, Obj b)
 {
     Obj quo = NewBag(T_INT, 8);
     Obj rem = NewBag(T_INT, 8);
+    ENSURE_BAG(rem);
     divide(quo, rem, a, b);
     return quo;
 }
D
# mail.patch: three commits, the first and third change two.c
cat >"$P/mail.patch" <<'D'
From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001
From: A Person <a@example.org>
Date: Mon, 1 Apr 2019 10:00:00 +0200
Subject: [PATCH 1/3] first

---
 src/two.c | 1 +
 1 file changed, 1 insertion(+)

diff --git a/src/two.c b/src/two.c
index 1234567..89abcde 100644
--- a/src/two.c
+++ b/src/two.c
@@ -2,3 +2,4 @@
 int a1;
+int b1;
 int a2;
 int a3;
-- 
2.20.1


From 2222222222222222222222222222222222222222 Mon Sep 17 00:00:00 2001
From: A Person <a@example.org>
Date: Mon, 1 Apr 2019 10:01:00 +0200
Subject: [PATCH 2/3] second

---
 src/int.c | 1 +
 1 file changed, 1 insertion(+)

diff --git a/src/int.c b/src/int.c
index 2345678..9abcdef 100644
--- a/src/int.c
+++ b/src/int.c
@@ -15,6 +15,7 @@
 */
 int helper(void)
 {
+    /* nothing */
     return 0;
 }
 
-- 
2.20.1


From 3333333333333333333333333333333333333333 Mon Sep 17 00:00:00 2001
From: A Person <a@example.org>
Date: Mon, 1 Apr 2019 10:02:00 +0200
Subject: [PATCH 3/3] third

---
 src/two.c | 1 +
 1 file changed, 1 insertion(+)

diff --git a/src/two.c b/src/two.c
index 89abcde..fedcba9 100644
--- a/src/two.c
+++ b/src/two.c
@@ -2,4 +2,5 @@
 int a1;
 int b1;
+int b2;
 int a2;
 int a3;
-- 
2.20.1

D
printf 'ensure.patch\nmail.patch\n' >"$P/series"
check_rc "the series applies to v1 exactly" 0 "$AP" drift --patches "$P" --platform linux --git "$repo" v1 --no-merges

# v2: the call is rewritten (every context line of ensure.patch changes), a
# line is added at the top of both files (offsets for mail.patch)
cat >"$repo/src/int.c" <<'C'
/* int.c */
/* v2 */
#include "int.h"

Obj QuoInt(Obj a, Obj b)
{
  Obj quo, rem;
  quo = NewBag(T_INT, 8); rem = NewBag(T_INT, 8);
  mpn_divide(quo,
             rem, a, b);
  return quo;
}

/****************************************************************
**
*F  Helpers
*/
int helper(void)
{
    return 0;
}

int tail;
C
sed -i '1a /* v2 */' "$repo/src/two.c"
g commit -qam v2 && g tag v2

cp -r "$P" "$W/r3"
check_rc "refresh --fuzz 3: ensure.patch left for a person (exit 1)" 1 \
	"$AP" refresh --patches "$W/r3" --git "$repo" --rev v2 --fuzz 3
check_grep "the reason names the fuzz and the context it would ignore" \
	"ensure.patch .*fuzz 3, ignoring all of its 3 .* context lines" "$OUT"
cmp -s "$P/ensure.patch" "$W/r3/ensure.patch" && ok "ensure.patch untouched" || not_ok "ensure.patch rewritten with fuzz 3"
if grep -q "ENSURE_BAG" "$W/r3/ensure.patch" && grep -q "^+.*mpn_divide\|^ .*mpn_divide(quo,$" "$W/r3/ensure.patch"; then
	not_ok "ENSURE_BAG placed next to the rewritten call"; else ok "no hunk placed inside the call"; fi

# the multi-commit mail: refreshed commit by commit
check_grep "mail.patch refreshed" "mail.patch .*refreshed" "$OUT"
[ "$(grep -c '^From [0-9a-f]\{40\} ' "$W/r3/mail.patch")" = 3 ] && ok "three mails kept" || not_ok "mail headers lost"
[ "$(grep -c '^Subject: \[PATCH [123]/3\]' "$W/r3/mail.patch")" = 3 ] && ok "subjects kept" || not_ok "subjects lost"
grep -q '^index ' "$W/r3/mail.patch" && not_ok "stale index lines kept" || ok "stale git index lines dropped"
check_rc "the refreshed mail applies exactly to v2 (ensure.patch still conflicts)" 1 \
	"$AP" drift --patches "$W/r3" --platform linux --git "$repo" v2 --no-merges --format json
[ "$(jq -r '.patches[] | select(.name=="mail.patch") | .cells[0].status' "$OUT")" = applies ] &&
	ok "mail.patch: applies at v2 after refresh" || not_ok "mail.patch at v2: $(jq -c '.patches[1].cells[0].status' "$OUT")"
mkdir -p "$W/t2" && g archive v2 | tar -x -C "$W/t2"
check "git apply takes the refreshed mail" git -C "$W/t2" apply --check "$W/r3/mail.patch"
check "GNU patch takes it with no fuzz" patch -d "$W/t2" -p1 -F0 -s -i "$W/r3/mail.patch"

# the same word as drift: without --fuzz, a patch that needs fuzz says so
cp -r "$P" "$W/r0"
run "$AP" drift --patches "$W/r0" --platform linux --git "$repo" v2 --no-merges --format json
dword=$(jq -r '.patches[] | select(.name=="ensure.patch") | .cells[0].status' "$OUT")
check_rc "refresh without --fuzz: exit 1" 1 "$AP" refresh --patches "$W/r0" --git "$repo" --rev v2 --format json
rword=$(jq -r '.patches[] | select(.name=="ensure.patch") | .action' "$OUT")
[ "$dword" = "$rword" ] && ok "refresh and drift name ensure.patch alike ($rword)" || not_ok "drift says $dword, refresh $rword"

# --dry-run prints the change it would write, and writes nothing
cp -r "$P" "$W/rd"
check_rc "refresh --dry-run" 1 "$AP" refresh --patches "$W/rd" --git "$repo" --rev v2 --dry-run mail.patch ensure.patch
check_grep "dry run: the diff of the patch file" "^-@@ -2,3 +2,4 @@" "$OUT"
check_grep "dry run: the new hunk header" "^+@@ -1,6 +1,7 @@" "$OUT"
cmp -s "$P/mail.patch" "$W/rd/mail.patch" && ok "dry run wrote nothing" || not_ok "dry run changed mail.patch"

# Sage's 3435.patch, five commits, two of them changing src/gasman.h
SAGE="/work/shared/reference/sage-8.8/build/pkgs/gap/patches/3435.patch"
GAPGIT=/work/.mirror/gap-system+gap/repo
if [ -f "$SAGE" ] && [ -d "$GAPGIT" ]; then
	mkdir -p "$W/sage" && cp "$SAGE" "$W/sage/" && echo 3435.patch >"$W/sage/series"
	check_rc "Sage's 3435.patch: refresh against v4.10.0 (exit 0)" 0 \
		"$AP" refresh --patches "$W/sage" --git "$GAPGIT" --rev v4.10.0
	check_grep "3435.patch refreshed, not refused for changing a file twice" "3435.patch .*refreshed" "$OUT"
	[ "$(grep -c '^From [0-9a-f]\{40\} ' "$W/sage/3435.patch")" = 5 ] && ok "3435: five mails kept" || not_ok "3435: mails lost"
	check_rc "3435 refreshed applies exactly to v4.10.0" 0 \
		"$AP" drift --patches "$W/sage" --platform linux --git "$GAPGIT" v4.10.0 --no-merges --fail-on drift
else
	echo "ok - # SKIP Sage's 3435.patch or GAP's history not here"
fi
finish
