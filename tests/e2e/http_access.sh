#!/usr/bin/env bash
# HTTP access checks, each on a c2watchd of its own replaying c2.pcap with
# --serve: bearer tokens (none, wrong, read, admin), CORS, the event-stream
# cap, refusal to listen off loopback without tokens (and the two ways past
# it, inside a network namespace of its own), HTTPS with a certificate made
# here.  Usage: http_access.sh BIN OUT PCAP; writes OUT/http_access.results.
set -u
BIN=$1
OUT=$(cd "$2" && pwd)/access
PCAP=$3
mkdir -p "$OUT"
RES=$2/http_access.results
: >"$RES"
ok()  { echo "ok   http access: $*" >>"$RES"; }
bad() { echo "FAIL http access: $*" >>"$RES"; }
. "$(dirname "$0")/lib.sh"
wait_up() {   # url [curl args]
	local u=$1
	shift
	for _ in $(seq 1 100); do
		curl -s -o /dev/null "$@" "$u" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
code() { curl -s -o "$OUT/body" -D "$OUT/hdr" -w '%{http_code}' "$@"; }
hdr() { grep -i "^$1:" "$OUT/hdr" | head -n 1 | cut -d: -f2- | tr -d '\r' | sed 's/^ //'; }
stop() { kill -TERM "$1" 2>/dev/null; wait "$1"; }

READ=read-token-4f9c2a7e01b8
ADMIN=admin-token-77d1e0c3a9f2
printf '# c2watchd API tokens\nread  %s\nadmin %s\n' "$READ" "$ADMIN" >"$OUT/tokens"

# ---- tokens and CORS ----
PORT=$(free_port)
cat >"$OUT/tokens.yaml" <<EOF2
http:
  listen: "127.0.0.1:$PORT"
  tokens: tokens
  cors-origin: "https://dash.example"
  max-streams: 1
EOF2
"$BIN" -q -c "$OUT/tokens.yaml" -r "$PCAP" --alerts "" --serve 2>"$OUT/tokens.err" &
PID=$!
U=http://127.0.0.1:$PORT
if wait_up "$U/healthz"; then
	c=$(code "$U/api/v1/alerts")
	[ "$c" = 401 ] && [ "$(hdr WWW-Authenticate)" = 'Bearer realm="c2watchd"' ] && grep -q '"status":401' "$OUT/body" &&
		ok "no token -> 401, WWW-Authenticate: Bearer, JSON error" || bad "no token: $c $(cat "$OUT/hdr")"
	c=$(code -H "Authorization: Bearer wrong-token-0123456789" "$U/api/v1/alerts")
	[ "$c" = 401 ] && hdr WWW-Authenticate | grep -q 'error="invalid_token"' &&
		ok "wrong token -> 401 with error=invalid_token" || bad "wrong token: $c"
	c=$(code -H "Authorization: Bearer ${READ}x" "$U/api/v1/alerts")
	[ "$c" = 401 ] && ok "read token with a byte more -> 401" || bad "token+x: $c"
	c=$(code -H "Authorization: Basic $READ" "$U/api/v1/alerts")
	[ "$c" = 401 ] && ok "Basic scheme -> 401" || bad "basic: $c"
	for ep in /api/v1/alerts /api/v1/stats /api/v1/rules /api/v1/top "/api/v1/names?name=x.example" /metrics; do
		c1=$(code -H "Authorization: Bearer $READ" "$U$ep")
		c2=$(code -H "Authorization: bearer $ADMIN" "$U$ep")
		c0=$(code "$U$ep")
		[ "$c0" = 401 ] && [ "$c1" = 200 ] && [ "$c2" = 200 ] &&
			ok "$ep: 401 without a token, 200 with the read and the admin token" || bad "$ep: $c0 $c1 $c2"
	done
	c=$(code "$U/healthz"); c2=$(code "$U/readyz")
	[ "$c" = 200 ] && [ "$c2" = 200 ] && ok "/healthz and /readyz need no token" || bad "probes: $c $c2"
	c=$(code -H "Authorization: Bearer $READ" "$U/api/v1/stats")
	[ "$(hdr Access-Control-Allow-Origin)" = https://dash.example ] && [ "$(hdr Vary)" = "Accept-Encoding, Origin" ] &&
		ok "CORS: Access-Control-Allow-Origin and Vary: Origin" || bad "CORS headers: $(cat "$OUT/hdr")"
	c=$(code -X OPTIONS -H "Origin: https://dash.example" -H "Access-Control-Request-Method: GET" \
		-H "Access-Control-Request-Headers: authorization" "$U/api/v1/alerts")
	[ "$c" = 204 ] && hdr Access-Control-Allow-Headers | grep -q Authorization &&
	  [ "$(hdr Access-Control-Allow-Origin)" = https://dash.example ] && hdr Access-Control-Allow-Methods | grep -q GET &&
		ok "CORS preflight (no token) -> 204 allowing GET and Authorization" || bad "preflight: $c $(cat "$OUT/hdr")"
	c=$(code "$U/api/v1/alerts?limit=0")
	[ "$c" = 401 ] && ok "the token is checked before the parameters" || bad "401 before 400: $c"
	# max-streams: 1 — a second stream is refused while the first is open
	curl -s -N --max-time 3 -H "Authorization: Bearer $READ" "$U/api/v1/alerts/stream" >"$OUT/sse1" &
	SSE=$!
	sleep 0.5
	c=$(code -H "Authorization: Bearer $READ" "$U/api/v1/alerts/stream")
	[ "$c" = 503 ] && [ "$(hdr Retry-After)" = 10 ] && grep -q 'max-streams' "$OUT/body" &&
		ok "a second event stream over http.max-streams -> 503 with Retry-After" || bad "stream cap: $c $(cat "$OUT/body")"
	wait "$SSE"
	grep -q '^id: 5' "$OUT/sse1" && ok "the first stream, with the read token, got the alerts" || bad "sse with token: $(head -c 200 "$OUT/sse1")"
	sleep 0.3
	c=$(code -H "Authorization: Bearer $READ" --max-time 1 "$U/api/v1/alerts/stream")
	[ "$c" = 200 ] && ok "once the first stream has gone, a new one is let in" || bad "stream after close: $c"
	c=$(code -H "Authorization: Bearer $READ" "$U/metrics")
	grep -q '^c2watchd_http_unauthorized_total [1-9]' "$OUT/body" && grep -q '^c2watchd_http_streams_refused_total 1' "$OUT/body" &&
		ok "/metrics counts the 401s and the refused stream" || bad "metrics 401: $(grep -E 'unauth|refused' "$OUT/body")"
else
	bad "token server did not come up: $(cat "$OUT/tokens.err")"
fi
stop "$PID"
! grep -q Sanitizer "$OUT/tokens.err" && ok "no sanitizer report (tokens run)" || bad "sanitizer: $(cat "$OUT/tokens.err")"

# ---- refusals at start: exit 2 with the reason ----
start_fails() {   # name, expected text, c2watchd args...
	local name=$1 want=$2 rc
	shift 2
	timeout 10 "$BIN" -q -r "$PCAP" --alerts "" --serve "$@" >/dev/null 2>"$OUT/fail.err"
	rc=$?
	[ "$rc" = 2 ] && grep -qF -- "$want" "$OUT/fail.err" && ok "$name: exit 2, '$want'" ||
		bad "$name: exit $rc: $(cat "$OUT/fail.err")"
}
start_fails "0.0.0.0 without tokens" "not a loopback address, without http.tokens" -l "0.0.0.0:$(free_port)"
start_fails "[::] without tokens" "not a loopback address" -l "[::]:$(free_port)"
printf 'read short\n' >"$OUT/short.tokens"
printf 'http:\n  tokens: short.tokens\n' >"$OUT/short.yaml"
start_fails "a token file with a short token" "line 1: a token must be" -c "$OUT/short.yaml" -l "127.0.0.1:$(free_port)"
printf 'http:\n  tokens: missing.tokens\n' >"$OUT/missing.yaml"
start_fails "a missing token file" "missing.tokens" -c "$OUT/missing.yaml" -l "127.0.0.1:$(free_port)"
printf 'http:\n  tls-cert: cert.pem\n' >"$OUT/halftls.yaml"
"$BIN" -t -c "$OUT/halftls.yaml" >/dev/null 2>"$OUT/fail.err"
[ $? = 2 ] && grep -q "tls-cert and tls-key go together" "$OUT/fail.err" && ok "tls-cert without tls-key: exit 2" ||
	bad "half tls: $(cat "$OUT/fail.err")"
printf 'http:\n  cors-origin: "a b"\n' >"$OUT/badcors.yaml"
"$BIN" -t -c "$OUT/badcors.yaml" >/dev/null 2>"$OUT/fail.err"
[ $? = 2 ] && grep -q "cors-origin" "$OUT/fail.err" && ok "a cors-origin with a space: exit 2" || bad "cors: $(cat "$OUT/fail.err")"

# ---- off loopback: with tokens, or when allowed in so many words; in a
# network namespace of our own, where 0.0.0.0 reaches nothing real ----
if command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
	PORT=$(free_port)
	printf 'http:\n  tokens: %s\n' "$OUT/tokens" >"$OUT/remote-tokens.yaml"
	printf 'http:\n  allow-insecure-remote: true\n' >"$OUT/remote-insecure.yaml"
	unshare -n bash -c '
		ip link set lo up
		"$1" -q -c "$2" -r "$3" --alerts "" --serve -l "0.0.0.0:$4" 2>"$5/remote1.err" & p1=$!
		"$1" -q -c "$6" -r "$3" --alerts "" --serve -l "0.0.0.0:$(($4 + 1))" 2>"$5/remote2.err" & p2=$!
		for _ in $(seq 1 100); do
			curl -s -o /dev/null "http://127.0.0.1:$4/healthz" && curl -s -o /dev/null "http://127.0.0.1:$(($4 + 1))/healthz" && break
			sleep 0.1
		done
		curl -s -o /dev/null -w "%{http_code} " -H "Authorization: Bearer $7" "http://127.0.0.1:$4/api/v1/stats"
		curl -s -o /dev/null -w "%{http_code} " "http://127.0.0.1:$4/api/v1/stats"
		curl -s -o /dev/null -w "%{http_code}" "http://127.0.0.1:$(($4 + 1))/api/v1/stats"
		kill -TERM $p1 $p2; wait $p1 $p2' _ "$BIN" "$OUT/remote-tokens.yaml" "$PCAP" "$PORT" "$OUT" \
		"$OUT/remote-insecure.yaml" "$READ" >"$OUT/remote.codes" 2>/dev/null
	[ "$(cat "$OUT/remote.codes")" = "200 401 200" ] &&
		ok "0.0.0.0 (own namespace): allowed with tokens (and enforced), and with allow-insecure-remote" ||
		bad "0.0.0.0 in a namespace: codes '$(cat "$OUT/remote.codes")' $(cat "$OUT"/remote*.err)"
else
	bad "unshare -n is not available: the off-loopback listen cannot be tested"
fi

# ---- HTTPS with a self-signed certificate made here ----
if openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$OUT/key.pem" -out "$OUT/cert.pem" >/dev/null 2>&1; then
	PORT=$(free_port)
	printf 'http:\n  listen: "127.0.0.1:%s"\n  tls-cert: cert.pem\n  tls-key: key.pem\n' "$PORT" >"$OUT/tls.yaml"
	"$BIN" -q -c "$OUT/tls.yaml" -r "$PCAP" --alerts "" --serve 2>"$OUT/tls.err" &
	PID=$!
	if wait_up "https://127.0.0.1:$PORT/healthz" --cacert "$OUT/cert.pem"; then
		c=$(code --cacert "$OUT/cert.pem" "https://127.0.0.1:$PORT/api/v1/alerts")
		[ "$c" = 200 ] && python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))['count'] != 5)" "$OUT/body" &&
			ok "HTTPS: /api/v1/alerts over TLS with the certificate verified" || bad "https: $c"
		c=$(code --cacert "$OUT/cert.pem" --compressed "https://localhost:$PORT/api/v1/stats")
		[ "$c" = 200 ] && [ "$(hdr Content-Encoding)" = gzip ] && ok "HTTPS to localhost, gzip'd" || bad "https localhost: $c"
		c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$PORT/healthz")
		[ "$c" != 200 ] && ok "plain HTTP to the TLS port gets no answer ($c)" || bad "plain http on tls: $c"
	else
		bad "HTTPS server did not come up: $(cat "$OUT/tls.err")"
	fi
	stop "$PID"
	printf 'http:\n  listen: "127.0.0.1:%s"\n  tls-cert: key.pem\n  tls-key: cert.pem\n' "$(free_port)" >"$OUT/tls-swapped.yaml"
	start_fails "TLS with certificate and key swapped" "the TLS certificate and key do not fit" -c "$OUT/tls-swapped.yaml"
else
	bad "openssl could not make a test certificate"
fi
