#!/bin/sh
# test_upstream_fetch.sh - `upstream fetch` against a local HTTP server
# (tests/fixtures/http/server.py on 127.0.0.1): a good download, a bad
# checksum (message, nothing under the final name), a transfer cut midway
# then resumed with a Range request, a server that ignores ranges, an
# error status, and no server at all (the message says how to use a
# local copy instead).
. "$TESTS_ROOT/e2e/lib.sh"
UP="$BIN_DIR/upstream"
SERVER="$FIXTURES/http/server.py"
W=$(scratch)
SERVER_PID=

stop_server() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
	fi
}
trap 'stop_server; cleanup' EXIT

# start_server [server options]: serves $W/srv, sets PORT, logs to $W/log
start_server() {
	stop_server
	rm -f "$W/port" "$W/log"
	: >"$W/log"
	python3 "$SERVER" --root "$W/srv" --port-file "$W/port" --log "$W/log" "$@" &
	SERVER_PID=$!
	i=0
	while [ ! -s "$W/port" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
	PORT=$(cat "$W/port" 2>/dev/null)
	[ -n "$PORT" ] || { not_ok "the test server did not start"; finish; exit 1; }
}

# a package directory whose pin names the served tarball, with sum $1
pin() {
	rm -rf "$W/pkg"
	mkdir -p "$W/pkg/upstream"
	echo 4.10.2 >"$W/pkg/upstream/package-version.txt"
	printf 'tarball=gap-VERSION.tar.gz\nsha256=%s\nupstream_url=http://127.0.0.1:%s/gap-${VERSION}.tar.gz\n' \
		"$1" "$PORT" >"$W/pkg/upstream/checksums.ini"
}

mkdir -p "$W/srv"
python3 "$FIXTURES/upstream/make_tarball.py" "$FIXTURES/minigap" "$W/srv/gap-4.10.2.tar.gz" \
	--extra-pkg io-4.5.4
SUM=$(sha256sum "$W/srv/gap-4.10.2.tar.gz" | cut -c1-64)
SIZE=$(wc -c <"$W/srv/gap-4.10.2.tar.gz" | tr -d ' ')
DEST="$W/pkg/upstream/gap-4.10.2.tar.gz"

# --- a good download, then the file is reused ----------------------------------
start_server
pin "$SUM"
check_rc "fetch downloads the pinned tarball" 0 "$UP" fetch -C "$W/pkg"
check "the tarball is under its final name, byte for byte" cmp "$W/srv/gap-4.10.2.tar.gz" "$DEST"
check "no .part is left" test ! -e "$DEST.part"
check_grep "fetch says the sum was checked" "sha256 ok" "$OUT"
check_rc "a second fetch reuses the file" 0 "$UP" fetch -C "$W/pkg"
check_grep "it says it is already there" "already there" "$OUT"
check "and asked the server nothing more" test "$(grep -c GET "$W/log")" -eq 1

# --- a bad checksum --------------------------------------------------------------
BAD=0000000000000000000000000000000000000000000000000000000000000bad
pin "$BAD"
check_rc "a checksum mismatch fails" 1 "$UP" fetch -C "$W/pkg"
check_grep "it names the file" "gap-4.10.2.tar.gz: sha256 mismatch" "$ERR"
check_grep "it gives the expected sum" "expected $BAD" "$ERR"
check_grep "it gives the sum it got" "got      $SUM" "$ERR"
check "nothing is left under the final name" test ! -e "$DEST"
check "no partial file is left either" test ! -e "$DEST.part"
check "the pin files are untouched" test "$(ls "$W/pkg/upstream" | wc -l)" -eq 2

# --- a transfer cut midway, resumed by the next run -------------------------------
start_server --cut-after 4000
pin "$SUM"
check_rc "an interrupted download fails without retries" 1 "$UP" fetch -C "$W/pkg" --retries 0
check_grep "it says how far it got" "interrupted after 4000 of $SIZE bytes" "$ERR"
check_grep "it says the next run resumes" "is kept and the next run resumes it" "$ERR"
check "the final name is not used for the partial file" test ! -e "$DEST"
check "the partial file holds the bytes received" test "$(wc -c <"$DEST.part")" -eq 4000
check_rc "the next run resumes" 0 "$UP" fetch -C "$W/pkg"
check_grep "it says it resumed" "resumed after 4000 bytes" "$OUT"
check_grep "it asked for the rest with a Range request" "range=bytes=4000- status=206" "$W/log"
check "the result is the whole tarball" cmp "$W/srv/gap-4.10.2.tar.gz" "$DEST"
check "the partial file is gone" test ! -e "$DEST.part"

# --- the same within one run: retries resume at once --------------------------------
start_server --cut-after 3000
pin "$SUM"
check_rc "with retries, one run completes a cut transfer" 0 "$UP" fetch -C "$W/pkg" --retries 2
check "first the whole file was asked for" test "$(head -1 "$W/log")" = "GET /gap-4.10.2.tar.gz range=- status=200"
check "then the rest" test "$(sed -n 2p "$W/log")" = "GET /gap-4.10.2.tar.gz range=bytes=3000- status=206"
check "the result is the whole tarball" cmp "$W/srv/gap-4.10.2.tar.gz" "$DEST"

# --- a server that ignores ranges: the .part is started over cleanly ---------------------
start_server --no-range
pin "$SUM"
head -c 5000 "$W/srv/gap-4.10.2.tar.gz" >"$DEST.part"
check_rc "a server without ranges sends it all again" 0 "$UP" fetch -C "$W/pkg"
check_grep "the range was asked for" "range=bytes=5000- status=200" "$W/log"
check "the 200 reply replaced the partial file instead of being appended" \
	cmp "$W/srv/gap-4.10.2.tar.gz" "$DEST"

# --- a corrupt .part is noticed by the sum and downloaded again -----------------------
start_server
pin "$SUM"
head -c 5000 /dev/zero >"$DEST.part"
check_rc "a corrupt partial file is started over" 0 "$UP" fetch -C "$W/pkg"
check_grep "after resuming it failed the sum, so all was asked for" "range=- status=200" "$W/log"
check "the result is right" cmp "$W/srv/gap-4.10.2.tar.gz" "$DEST"

# --- an error status, and no server at all -------------------------------------------
rm -f "$DEST"
printf 'tarball=gap-VERSION.tar.gz\nsha256=%s\nupstream_url=http://127.0.0.1:%s/missing-${VERSION}.tar.gz\n' \
	"$SUM" "$PORT" >"$W/pkg/upstream/checksums.ini"
check_rc "a 404 fails" 1 "$UP" fetch -C "$W/pkg"
check_grep "it says what the server answered" "answered HTTP 404" "$ERR"
check "nothing is left" test ! -e "$DEST" -a ! -e "$DEST.part"
stop_server
pin "$SUM"
check_rc "with no server, fetch fails" 1 "$UP" fetch -C "$W/pkg"
check_grep "it names the URL" "http://127.0.0.1:$PORT/gap-4.10.2.tar.gz" "$ERR"
check_grep "it says where a local tarball can go" "put the release tarball at $DEST" "$ERR"
check_grep "and the sum it must have" "$SUM" "$ERR"
check_grep "it offers a local tarball" "$UP prepare DEST --tarball FILE" "$ERR"
check_grep "a directory" "$UP prepare DEST --dir DIR" "$ERR"
check_grep "or a git repository" "$UP prepare DEST --git REPO --rev TAG" "$ERR"
check "nothing is left" test ! -e "$DEST" -a ! -e "$DEST.part"
# following that advice works: the tarball put in place is verified and used
cp "$W/srv/gap-4.10.2.tar.gz" "$DEST"
check_rc "a tarball put in place by hand is accepted" 0 "$UP" fetch -C "$W/pkg"
check_rc "and prepare unpacks it without a network" 0 "$UP" prepare "$W/src" -C "$W/pkg"
check "the kernel sources are there" test -f "$W/src/src/gasman.c"
check "unneeded packages are not" test ! -e "$W/src/pkg/io-4.5.4"
check_grep "prepare says what it skipped" "skipped 2 packages under pkg/.*pkg/io, pkg/io-4.5.4" "$OUT"

finish
