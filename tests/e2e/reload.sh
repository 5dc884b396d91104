#!/usr/bin/env bash
# Hot reload, live: c2watchd captures on one end of a veth pair in a network
# namespace of its own, a client namespace sends DNS queries to the other
# end, and the rules change under it by SIGHUP and POST /api/v1/reload:
# names only in the new list alert, names only in the old one stop, alert
# ids go on, broken files (list line, YAML, missing file, rule file) keep
# the old rules and say file:line:col, tokens are re-read, restart-only
# settings are reported, a second reload during one is refused (409).
# Usage: reload.sh BIN OUT; writes OUT/reload.results ("ok ..."/"FAIL ...").
set -u
BIN=$(realpath "$1")
RES=$(realpath "$2")/reload.results
OUT=$(realpath "$2")/reload
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$OUT"
mkdir -p "$OUT"
: >"$RES"
NS_SENSOR=c2w-rls-$$
NS_CLIENT=c2w-rlc-$$
ok()  { echo "ok   reload: $*" >>"$RES"; }
bad() { echo "FAIL reload: $*" >>"$RES"; }

stop_daemon() {   # pid; sets STOP_RC
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1"
		wait "$1" 2>/dev/null
		STOP_RC=timeout
	else
		wait "$1"
		STOP_RC=$?
	fi
}
cleanup() {
	[ -n "${PID:-}" ] && stop_daemon "$PID"
	ip netns del "$NS_SENSOR" 2>/dev/null
	ip netns del "$NS_CLIENT" 2>/dev/null
}
trap cleanup EXIT

ip netns add "$NS_SENSOR" && ip netns add "$NS_CLIENT" || { bad "cannot create network namespaces"; exit 0; }
ip link add c2wr0 netns "$NS_SENSOR" type veth peer name c2wr1 netns "$NS_CLIENT" ||
	{ bad "cannot create veth pair"; exit 0; }
ip -n "$NS_SENSOR" addr add 198.18.1.1/24 dev c2wr0
ip -n "$NS_CLIENT" addr add 198.18.1.2/24 dev c2wr1
for ns in "$NS_SENSOR" "$NS_CLIENT"; do
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$NS_SENSOR" link set c2wr0 up
ip -n "$NS_CLIENT" link set c2wr1 up

READ=read-token-5a0c3b7e91d4
ADMIN=admin-token-0e6f2d8c4b17
ADMIN2=admin-token-rotated-93b1
printf 'read  %s\nadmin %s\n' "$READ" "$ADMIN" >"$OUT/tokens"
printf 'only-a.example\nboth.example\n' >"$OUT/a.list"
printf 'only-b.example\nboth.example\n' >"$OUT/b.list"
cp "$OUT/a.list" "$OUT/c2.list"
good_config() {   # extra YAML lines
	printf 'lists: [c2.list]\nhttp:\n  listen: "127.0.0.1:8653"\n  tokens: tokens\n%s' "${1:-}" >"$OUT/c2watchd.yaml"
}
good_config

U=http://127.0.0.1:8653
api() { ip netns exec "$NS_SENSOR" curl -s "$@"; }
# POST /api/v1/reload with a token (or none): body in $OUT/body, status echoed
post() {
	if [ -n "${1:-}" ]; then
		api -o "$OUT/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $1" "$U/api/v1/reload"
	else
		api -o "$OUT/body" -w '%{http_code}' -X POST "$U/api/v1/reload"
	fi
}
stat_of() {   # key of the stats' rules object
	api -H "Authorization: Bearer $READ" "$U/api/v1/stats" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["rules"][sys.argv[1]])' "$1" 2>/dev/null
}
# DNS queries for each name, from the client namespace to the sensor's end
send() {
	ip netns exec "$NS_CLIENT" python3 - "$ROOT/tests/e2e" "$@" <<'PY'
import socket, sys
sys.path.insert(0, sys.argv[1])
from mkpcap import dns_query
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i, name in enumerate(sys.argv[2:]):
    s.sendto(dns_query(name, 0x2000 + i), ("198.18.1.1", 53))
PY
}
alerted() {   # the names alerted so far, sorted, one line
	python3 -c 'import json,sys; print(" ".join(sorted(filter(None, (json.loads(l).get("dns", {}).get("rrname")
		for l in open(sys.argv[1]))))))' "$OUT/alerts.json" 2>/dev/null
}
# send a round's names, wait for want (the alerted names of the round)
round() {   # tag, expected names (space separated, sorted)
	local tag=$1 want=$2 got=""
	send "$tag.only-a.example" "$tag.only-b.example" "$tag.both.example"
	for _ in $(seq 1 50); do
		got=$(alerted | tr ' ' '\n' | grep "^$tag\." | tr '\n' ' ' | sed 's/ $//')
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	sleep 0.3                  # and nothing more comes
	got=$(alerted | tr ' ' '\n' | grep "^$tag\." | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ]
}

ip netns exec "$NS_SENSOR" "$BIN" -c "$OUT/c2watchd.yaml" -i c2wr0 --workers 2 --alerts "$OUT/alerts.json" \
	2>"$OUT/daemon.err" &
PID=$!
up=""
for _ in $(seq 1 100); do
	api -f "$U/healthz" >/dev/null 2>&1 && { up=1; break; }
	sleep 0.1
done
[ -n "$up" ] || { bad "daemon did not start: $(cat "$OUT/daemon.err")"; exit 0; }
loaded0=$(api -H "Authorization: Bearer $READ" "$U/api/v1/rules" | python3 -c 'import json,sys; print(json.load(sys.stdin)["loaded_at"])')

round r1 "r1.both.example r1.only-a.example" && ok "list A: names of A alert, names of B do not" ||
	bad "list A: $(alerted)"

# ---- SIGHUP ----
cp "$OUT/b.list" "$OUT/c2.list"
kill -HUP "$PID"
for _ in $(seq 1 50); do [ "$(stat_of reloads)" = 1 ] && break; sleep 0.1; done
[ "$(stat_of reloads)" = 1 ] && grep -q 'reload (SIGHUP): 1 rules, 2 domains' "$OUT/daemon.err" &&
	ok "SIGHUP reloads: counted in /api/v1/stats, logged" || bad "SIGHUP: reloads $(stat_of reloads): $(cat "$OUT/daemon.err")"
round r2 "r2.both.example r2.only-b.example" && ok "after SIGHUP to list B: B's names alert, A's stop" ||
	bad "after SIGHUP: $(alerted)"

# ---- POST: access ----
cp "$OUT/a.list" "$OUT/c2.list"
c=$(post "")
[ "$c" = 401 ] && ok "POST /api/v1/reload without a token -> 401" || bad "no token: $c"
c=$(post "$READ")
[ "$c" = 403 ] && grep -q 'admin token' "$OUT/body" && ok "POST /api/v1/reload with the read token -> 403" ||
	bad "read token: $c $(cat "$OUT/body")"
c=$(api -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ADMIN" "$U/api/v1/reload")
[ "$c" = 405 ] && ok "GET /api/v1/reload -> 405" || bad "GET reload: $c"
[ "$(stat_of reloads)" = 1 ] && ok "refused requests reload nothing" || bad "refused requests reloaded"
c=$(post "$ADMIN")
if [ "$c" = 200 ] && python3 - "$OUT/body" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["rules"] == 1 and d["domains"] == 2 and "loaded_at" in d and
         d["seconds"] >= d["load_seconds"] >= 0 and d["applied"] == ["http.tokens"] and
         d["needs_restart"] == [] else 1)
PY
then
	ok "POST /api/v1/reload with the admin token -> 200: rules, domains, load time, tokens re-read"
else
	bad "admin POST: $c $(cat "$OUT/body")"
fi
round r3 "r3.both.example r3.only-a.example" && ok "after POST back to list A: A's names alert again, B's stop" ||
	bad "after POST: $(alerted)"

# ---- broken files keep the old rules ----
broken() {   # name, expected error fragment ("file:line:col: ..."), how to break (a command)
	local name=$1 want=$2 c
	shift 2
	"$@"
	c=$(post "$ADMIN")
	if [ "$c" = 422 ] && grep -qF -- "$want" "$OUT/body" && grep -qF -- "$want" "$OUT/daemon.err"; then
		ok "broken $name -> 422, response and log say $want"
	else
		bad "broken $name: $c $(cat "$OUT/body")"
	fi
	cp "$OUT/a.list" "$OUT/c2.list"
	good_config
}
broken "list line" "$OUT/c2.list:2:5: invalid domain 'bad..name'" \
	bash -c "printf 'only-b.example\nbad..name\n' >'$OUT/c2.list'"
broken "config YAML" "$OUT/c2watchd.yaml:4:1: " \
	bash -c "printf 'lists: [c2.list]\nflow:\n  max: [1, 2\n' >'$OUT/c2watchd.yaml'"
broken "config key" "$OUT/c2watchd.yaml:3:3: unknown key 'maxx'" \
	bash -c "printf 'lists: [c2.list]\nflow:\n  maxx: 5\n' >'$OUT/c2watchd.yaml'"
broken "missing list" "$OUT/c2watchd.yaml:1:9: " \
	bash -c "printf 'lists: [gone.list]\nhttp:\n  listen: \"127.0.0.1:8653\"\n  tokens: tokens\n' >'$OUT/c2watchd.yaml'"
printf 'rules:\n  - id: 7\n    name: b\n    severity: loud\n    lists: [b.list]\n' >"$OUT/bad-rule.yaml"
broken "rule file" "$OUT/bad-rule.yaml:4:15: " \
	bash -c "printf 'rules: [bad-rule.yaml]\nhttp:\n  listen: \"127.0.0.1:8653\"\n  tokens: tokens\n' >'$OUT/c2watchd.yaml'"
broken "token file" "tokens2" \
	bash -c "printf 'admin short\n' >'$OUT/tokens2'; printf 'lists: [c2.list]\nhttp:\n  listen: \"127.0.0.1:8653\"\n  tokens: tokens2\n' >'$OUT/c2watchd.yaml'"
printf 'only-b.example\nbad..name\n' >"$OUT/c2.list"
kill -HUP "$PID"
for _ in $(seq 1 50); do grep -q 'reload (SIGHUP) failed' "$OUT/daemon.err" && break; sleep 0.1; done
grep -qF "reload (SIGHUP) failed, the running rules are kept: $OUT/c2.list:2:5: " "$OUT/daemon.err" &&
	ok "SIGHUP with a broken list: the log says file:line:col" || bad "SIGHUP broken: $(tail -3 "$OUT/daemon.err")"
cp "$OUT/a.list" "$OUT/c2.list"
round r4 "r4.both.example r4.only-a.example" && ok "after 7 failed reloads list A still alerts" ||
	bad "after failed reloads: $(alerted)"
[ "$(stat_of reloads)" = 2 ] && [ "$(stat_of reload_failures)" = 7 ] &&
	ok "stats: reloads 2, reload_failures 7" || bad "stats: $(stat_of reloads) $(stat_of reload_failures)"
last=$(api -H "Authorization: Bearer $READ" "$U/api/v1/rules")
python3 - "$last" "$loaded0" <<'PY' && ok "/api/v1/rules: loaded_at moved on, the last reload failed with its error" || bad "rules: $last"
import json, sys
d = json.loads(sys.argv[1])
l = d["last_reload"]
sys.exit(0 if d["loaded_at"] != sys.argv[2] and l["status"] == "failed" and "c2.list:2:5" in l["error"]
         and d["reloads"] == 2 and d["reload_failures"] == 7 else 1)
PY
api -H "Authorization: Bearer $READ" "$U/metrics" >"$OUT/metrics"
grep -q '^c2watchd_reloads_total 2$' "$OUT/metrics" && grep -q '^c2watchd_reload_failures_total 7$' "$OUT/metrics" &&
	grep -q '^c2watchd_reload_last_ok 0$' "$OUT/metrics" && ok "/metrics: reloads, failures, last status" ||
	bad "metrics: $(grep reload "$OUT/metrics")"

# ---- settings: restart-only ones reported, tokens rotated ----
good_config $'flow:\n  max: 5000\nalerts:\n  dedup:\n    window: 30s\n'
printf 'read  %s\nadmin %s\n' "$READ" "$ADMIN2" >"$OUT/tokens"
c=$(post "$ADMIN")
python3 - "$OUT/body" <<'PY' && [ "$c" = 200 ] && ok "flow.max changed: needs a restart, reported; dedup window applied" || bad "restart: $c $(cat "$OUT/body")"
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["needs_restart"] == ["flow.max"] and d["applied"] == ["http.tokens", "alerts.dedup.window"] else 1)
PY
grep -q 'changed, needs a restart: flow.max' "$OUT/daemon.err" && ok "the log says flow.max needs a restart" ||
	bad "restart log: $(tail -3 "$OUT/daemon.err")"
c1=$(post "$ADMIN")
c2=$(post "$ADMIN2")
[ "$c1" = 401 ] && [ "$c2" = 200 ] && ok "token file re-read: the old admin token -> 401, the new one -> 200" ||
	bad "token rotation: $c1 $c2"

# ---- open dedup windows across reloads (window 30 s, as set above) ----
dd_config() { printf '%s
http:
  listen: "127.0.0.1:8653"
  tokens: tokens
alerts:
  dedup:
    window: 30s
' "$1" \
	>"$OUT/c2watchd.yaml"; }
send r45.only-a.example
for _ in $(seq 1 50); do alerted | grep -q r45 && break; sleep 0.1; done
send r45.only-a.example
printf 'only-a.example\n' >"$OUT/other.list"
dd_config 'lists: [other.list]'
c1=$(post "$ADMIN2")
send r45.only-a.example
printf 'rules:\n  - id: 7\n    name: seven\n    severity: high\n    lists: [a.list]\n' >"$OUT/seven.yaml"
dd_config 'rules: [seven.yaml]'
sleep 0.5
c2=$(post "$ADMIN2")
for _ in $(seq 1 50); do grep -q '"count":' "$OUT/alerts.json" && break; sleep 0.1; done
if python3 - "$OUT/alerts.json" <<'PY' && [ "$c1" = 200 ] && [ "$c2" = 200 ]; then
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
first = [e for e in ev if e.get("dns", {}).get("rrname") == "r45.only-a.example"]
summ = [e for e in ev if e.get("name") == "r45.only-a.example" and "count" in e]
sys.exit(0 if len(first) == 1 and len(summ) == 1 and summ[0]["count"] == 3 and
         summ[0]["alert"]["signature"] == "other" and summ[0]["first_alert_id"] == first[0]["alert_id"] else 1)
PY
	ok "a dedup window survives a reload under its rule's new name, and closes with its summary when its rule goes"
else
	bad "dedup across reloads: $c1 $c2 $(grep r45 "$OUT/alerts.json")"
fi

good_config
c=$(post "$ADMIN2")
[ "$c" = 200 ] && grep -q '"needs_restart":\[\]' "$OUT/body" &&
	ok "right after another reload (its old set maybe still held): flow.max back as it runs, nothing to restart" ||
	bad "back: $c $(cat "$OUT/body")"

# ---- one reload at a time ----
python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    for i in range(600000):
        f.write("n%d.bulk-%d.example\n" % (i, i % 97))' "$OUT/big.list"
good_config_big() { printf 'lists: [c2.list, big.list]\nhttp:\n  listen: "127.0.0.1:8653"\n  tokens: tokens\n' >"$OUT/c2watchd.yaml"; }
good_config_big
seen409=""
for _ in 1 2 3 4 5; do
	api -o "$OUT/first.body" -w '%{http_code}' -X POST -H "Authorization: Bearer $ADMIN2" \
		"$U/api/v1/reload" >"$OUT/first.code" &
	bg=$!
	sleep 0.1
	c=$(post "$ADMIN2")
	wait "$bg"
	[ "$c" = 409 ] && [ "$(cat "$OUT/first.code")" = 200 ] && { seen409=1; break; }
	sleep 0.5
done
[ -n "$seen409" ] && grep -q 'under way' "$OUT/body" &&
	ok "a reload while another runs -> 409" || bad "no 409 for concurrent reloads: $c $(cat "$OUT/body")"
for _ in $(seq 1 50); do [ "$(post "$ADMIN2")" = 200 ] && break; sleep 0.1; done
round r5 "r5.both.example r5.only-a.example" && ok "with 600000 names more: list A still alerts" ||
	bad "big list: $(alerted)"

stop_daemon "$PID"
rc=$STOP_RC
PID=
[ "$rc" = 0 ] && ok "SIGTERM after reloads: clean exit" || bad "exit $rc: $(tail -5 "$OUT/daemon.err")"
! grep -q 'Sanitizer\|runtime error' "$OUT/daemon.err" && ok "no sanitizer report (leaks checked at exit)" ||
	bad "sanitizer: $(grep -A5 Sanitizer "$OUT/daemon.err" | head -20)"
python3 - "$OUT/alerts.json" <<'PY' && ok "alert ids go on across reloads: 1..N without a gap" || bad "alert ids: $(cut -c1-80 "$OUT/alerts.json")"
import json, sys
ids = [json.loads(l)["alert_id"] for l in open(sys.argv[1])]
sys.exit(0 if ids == list(range(1, len(ids) + 1)) and len(ids) == 12 else 1)
PY
