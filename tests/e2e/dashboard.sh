#!/usr/bin/env bash
# tests/e2e/dashboard.sh BIN OUT — the dashboard (GET /) in headless Chromium.
# c2watchd serves on a loopback port while pace_c2.py feeds it, on standard
# input, a capture with Operation Triangulation C2 names, one at a time;
# dashboard.js (playwright-core) watches the alert rows appear and saves
# OUT/dashboard.png.  Writes "ok ..." / "FAIL ..." / "skip ..." lines to
# OUT/dashboard.results.
#
# Needs Debian's chromium, nodejs and npm (installed by contrib/install-deps
# --test when missing) and playwright-core, installed by npm into
# C2W_NODE_DIR (default /var/tmp/c2watch-node), never into the tree.
set -u
BIN=$1
OUT=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RES=$OUT/dashboard.results
NODE_DIR=${C2W_NODE_DIR:-/var/tmp/c2watch-node}
PLAYWRIGHT=playwright-core@1.65.1
: >"$RES"

unavailable() {
	# Offline, nothing can be installed: skip, but not in CI, which has the network.
	if [ "${CI:-}" = true ]; then
		echo "FAIL dashboard: $*" >>"$RES"
	else
		echo "skip dashboard: $*" >>"$RES"
	fi
	exit 0
}

if [ ! -x /usr/bin/chromium ] || ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	"$ROOT/contrib/install-deps" --test >"$OUT/dashboard-install.log" 2>&1
	[ -x /usr/bin/chromium ] && command -v node >/dev/null && command -v npm >/dev/null ||
		unavailable "chromium, nodejs and npm could not be installed (see dashboard-install.log)"
fi
if [ ! -f "$NODE_DIR/node_modules/playwright-core/package.json" ]; then
	mkdir -p "$NODE_DIR" &&
	npm install --prefix "$NODE_DIR" --no-audit --no-fund --no-save "$PLAYWRIGHT" \
		>>"$OUT/dashboard-install.log" 2>&1 ||
		unavailable "npm could not install $PLAYWRIGHT (see dashboard-install.log)"
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
GO=$OUT/dashboard.go
FIFO=$OUT/dashboard.fifo
rm -f "$GO" "$FIFO"
mkfifo "$FIFO"
python3 "$ROOT/tests/e2e/pace_c2.py" "$GO" 0.7 >"$FIFO" &
PACER=$!
"$BIN" -q -r - --alerts "" -l "127.0.0.1:$PORT" --serve <"$FIFO" 2>"$OUT/dashboard-daemon.err" &
PID=$!
for _ in $(seq 1 100); do
	curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done

URL=http://127.0.0.1:$PORT
curl -s "$URL/" -o "$OUT/dashboard.html"
[ "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$URL/index.html")" = "200 text/html; charset=utf-8" ] &&
	cmp -s "$OUT/dashboard.html" "$ROOT/contrib/dashboard/index.html" &&
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/")" = 405 ] &&
	echo "ok   dashboard: GET / and /index.html serve contrib/dashboard/index.html as compiled in, POST / is 405" >>"$RES" ||
	echo "FAIL dashboard: GET /, /index.html or POST / not as expected" >>"$RES"

C2W_NODE_MODULES=$NODE_DIR/node_modules timeout 180 node "$ROOT/tests/e2e/dashboard.js" \
	"$URL" "$OUT" "$GO" >"$OUT/dashboard.log" 2>&1
rc=$?
grep -E '^(ok|FAIL)' "$OUT/dashboard.log" >>"$RES"
[ $rc -eq 0 ] || grep -q '^FAIL' "$RES" || echo "FAIL dashboard: the browser test ended with status $rc" >>"$RES"
[ -s "$OUT/dashboard.png" ] && echo "ok   dashboard: screenshot in $OUT/dashboard.png" >>"$RES" ||
	echo "FAIL dashboard: no screenshot" >>"$RES"

kill "$PACER" 2>/dev/null
kill -TERM "$PID" 2>/dev/null
wait "$PID"
rc=$?
wait "$PACER" 2>/dev/null
[ $rc -eq 0 ] && ! grep -q Sanitizer "$OUT/dashboard-daemon.err" &&
	echo "ok   dashboard: SIGTERM stops the daemon cleanly, no sanitizer report" >>"$RES" ||
	echo "FAIL dashboard: daemon exit $rc: $(cat "$OUT/dashboard-daemon.err")" >>"$RES"
exit 0
