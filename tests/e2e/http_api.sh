#!/usr/bin/env bash
# HTTP API checks against a running c2watchd (C2W_URL) that replayed c2.pcap
# with the bundled rules (5 alerts).  Writes "ok ..." / "FAIL ..." lines to
# OUT/http_api.results.
set -u
OUT=$1
URL=$C2W_URL
RES=$OUT/http_api.results
: >"$RES"
ok()  { echo "ok   http: $*" >>"$RES"; }
bad() { echo "FAIL http: $*" >>"$RES"; }

# Wait for the replay to end.
for _ in $(seq 1 100); do
	curl -s "$URL/healthz" | grep -q '"input_done":true' && break
	sleep 0.1
done

# body and status of a request
req() {   # method path -> sets BODY, CODE, CTYPE
	local out
	out=$(curl -s -X "$1" -o "$OUT/http.body" -w '%{http_code} %{content_type}' "$URL$2")
	CODE=${out%% *}
	CTYPE=${out#* }
	BODY=$(cat "$OUT/http.body")
}
jq_py() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print($2)" "$BODY"; }

req GET /healthz
[ "$CODE" = 200 ] && [ "$(jq_py "$BODY" 'd["status"]')" = ok ] && ok "GET /healthz" || bad "GET /healthz: $CODE $BODY"

req GET /api/v1/alerts
if [ "$CODE" = 200 ] && [ "$CTYPE" = application/json ] &&
   [ "$(jq_py "$BODY" 'len(d["alerts"])')" = 5 ] && [ "$(jq_py "$BODY" 'd["next"]')" = 5 ] &&
   [ "$(jq_py "$BODY" '[a["alert_id"] for a in d["alerts"]]')" = "[1, 2, 3, 4, 5]" ]; then
	ok "GET /api/v1/alerts returns all 5 alerts in id order with next=5"
else
	bad "GET /api/v1/alerts: $CODE $CTYPE $BODY"
fi

# A poller walking with since/limit sees every alert exactly once.
since=0; seen=""
for _ in 1 2 3 4 5 6; do
	req GET "/api/v1/alerts?since=$since&limit=2"
	ids=$(jq_py "$BODY" '" ".join(str(a["alert_id"]) for a in d["alerts"])')
	seen="$seen $ids"
	since=$(jq_py "$BODY" 'd["next"]')
	[ -z "$ids" ] && break
done
[ "$(echo $seen)" = "1 2 3 4 5" ] && ok "since/limit cursor: every alert once ($seen)" || bad "cursor walk saw:$seen"

req GET "/api/v1/alerts?since=5"
[ "$CODE" = 200 ] && [ "$(jq_py "$BODY" 'len(d["alerts"]), d["next"]')" = "0 5" ] &&
	ok "since=last returns nothing and keeps the cursor" || bad "since=5: $BODY"

for q in "since=abc" "since=-1" "limit=0" "limit=1001" "limit=" "since=99999999999999999999999"; do
	req GET "/api/v1/alerts?$q"
	[ "$CODE" = 400 ] && [ -n "$(jq_py "$BODY" 'd["error"]["message"]')" ] &&
		ok "GET /api/v1/alerts?$q -> 400 with a JSON error" || bad "?$q: $CODE $BODY"
done

req GET /api/v1/stats
if [ "$CODE" = 200 ] && [ "$(jq_py "$BODY" 'd["app"]["names_dns"], d["app"]["names_tls"], d["output"]["alerts"]')" = "6 2 5" ] &&
   [ "$(jq_py "$BODY" 'd["capture"]["packets"] > 0 and "kernel_dropped" in d["capture"] and "ipv4_malformed" in d["decode"] and d["flow"]["flows_created"] > 0')" = True ]; then
	ok "GET /api/v1/stats: packets, drops, decode errors, flows, names, alerts"
else
	bad "GET /api/v1/stats: $CODE $BODY"
fi

out=$(curl -s -o "$OUT/http.body" -w '%{http_code}' -X POST -d 'x=1' "$URL/api/v1/alerts")
[ "$out" = 413 ] && grep -q '"status":413' "$OUT/http.body" && ok "a request body -> 413 with a JSON error" ||
	bad "request body: $out $(cat "$OUT/http.body")"

req GET /nope
[ "$CODE" = 404 ] && ok "unknown path -> 404" || bad "/nope: $CODE"
req POST /api/v1/alerts
[ "$CODE" = 405 ] && ok "POST -> 405" || bad "POST: $CODE"
req DELETE /healthz
[ "$CODE" = 405 ] && ok "DELETE -> 405" || bad "DELETE: $CODE"
