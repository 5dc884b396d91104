#!/usr/bin/env bash
# Live capture: two network namespaces joined by a veth pair.  c2watchd
# captures on one end; tcpreplay sends c2.pcap (a C2 DNS lookup and a C2
# ClientHello between the two namespace hosts) from the other; the alerts are
# read back over HTTP with curl.  Only these namespaces carry the traffic.
# Writes "ok ..." / "FAIL ..." lines to OUT/live.results.
set -u
BIN=$(realpath "$1")
OUT=$(realpath "$2")
RES=$OUT/live.results
: >"$RES"
NS_SENSOR=c2w-sensor-$$
NS_CLIENT=c2w-client-$$
ok()  { echo "ok   live: $*" >>"$RES"; }
bad() { echo "FAIL live: $*" >>"$RES"; }

. "$(dirname "$0")/lib.sh"
stop_daemon() { stop_pid "$1" 5; }   # sets STOP_RC

cleanup() {
	[ -n "${PID:-}" ] && stop_daemon "$PID"
	ip netns del "$NS_SENSOR" 2>/dev/null
	ip netns del "$NS_CLIENT" 2>/dev/null
}
trap cleanup EXIT

ip netns add "$NS_SENSOR" && ip netns add "$NS_CLIENT" || { bad "cannot create network namespaces"; exit 0; }
ip link add c2w0 netns "$NS_SENSOR" type veth peer name c2w1 netns "$NS_CLIENT" || { bad "cannot create veth pair"; exit 0; }
ip -n "$NS_SENSOR" addr add 198.18.0.1/24 dev c2w0
ip -n "$NS_CLIENT" addr add 198.18.0.2/24 dev c2w1
for ns in "$NS_SENSOR" "$NS_CLIENT"; do
	ip -n "$ns" link set lo up
	# No IPv6 autoconfiguration chatter: the link stays silent unless we send.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$NS_SENSOR" link set c2w0 up
ip -n "$NS_CLIENT" link set c2w1 up

# An idle interface: SIGTERM must stop the daemon at once, not at the next packet.
ip netns exec "$NS_SENSOR" "$BIN" -q -i c2w0 --no-http --alerts "" 2>"$OUT/live-idle.err" &
IDLE=$!
sleep 1.5
stop_daemon "$IDLE"
[ "$STOP_RC" = 0 ] && ok "SIGTERM on an idle interface stops the daemon at once" ||
	bad "SIGTERM on an idle interface: $STOP_RC: $(cat "$OUT/live-idle.err")"

ip netns exec "$NS_SENSOR" "$BIN" -i c2w0 -l 127.0.0.1:8653 --workers 2 --alerts "$OUT/live-alerts.json" \
	--names "$OUT/live-names.json" 2>"$OUT/live.err" &
PID=$!
up=""
for _ in $(seq 1 100); do
	ip netns exec "$NS_SENSOR" curl -sf http://127.0.0.1:8653/healthz >/dev/null 2>&1 && { up=1; break; }
	sleep 0.1
done
[ -n "$up" ] && ok "daemon captures on c2w0 and serves HTTP in its namespace" || { bad "daemon did not start: $(cat "$OUT/live.err")"; exit 0; }

ip netns exec "$NS_CLIENT" tcpreplay -q -i c2w1 "$OUT/gen/c2.pcap" >"$OUT/tcpreplay.log" 2>&1 ||
	bad "tcpreplay failed: $(cat "$OUT/tcpreplay.log")"

n=0
for _ in $(seq 1 50); do
	body=$(ip netns exec "$NS_SENSOR" curl -s "http://127.0.0.1:8653/api/v1/alerts")
	n=$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])["alerts"]))' "$body" 2>/dev/null || echo 0)
	[ "$n" -ge 5 ] && break
	sleep 0.2
done
if [ "$n" -eq 5 ] && python3 - "$body" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
names = {a.get("dns", {}).get("rrname") or a.get("tls", {}).get("sni") for a in d["alerts"]}
sys.exit(0 if names == {"backuprabbit.com", "img.web-trackers.com", "web-trackers.com"} else 1)
PY
then
	ok "C2 lookup and C2 ClientHello sent with tcpreplay are alerted over HTTP ($n alerts)"
else
	bad "expected 5 alerts over HTTP, got $n: $body"
fi

# The reassembly cases, live, over 2 workers sharing the interface by the
# kernel's symmetric flow hash (PACKET_FANOUT_HASH): both directions of each
# connection must meet in one worker for every name to be read.
ip netns exec "$NS_CLIENT" tcpreplay -q -i c2w1 "$OUT/gen/streams.pcap" >>"$OUT/tcpreplay.log" 2>&1
missing=""
for _ in $(seq 1 50); do
	missing=$(cut -f2 "$OUT/gen/streams.truth" | while read -r n; do
		grep -q "\"$n\"" "$OUT/live-names.json" 2>/dev/null || echo "$n"; done)
	[ -z "$missing" ] && break
	sleep 0.2
done
[ -z "$missing" ] && ok "every name of the reassembly cases read live over 2 workers" ||
	bad "live over 2 workers, names missing: $missing"

stats=$(ip netns exec "$NS_SENSOR" curl -s "http://127.0.0.1:8653/api/v1/stats")
python3 - "$stats" <<'PY' && ok "stats: live mode, packets counted, kernel drop counters present" || bad "stats: $stats"
import json, sys
d = json.loads(sys.argv[1])
c = d["capture"]
sys.exit(0 if d["mode"] == "live" and c["packets"] >= 10 and "kernel_dropped" in c and c["workers"] == 2 else 1)
PY

# SIGHUP reopens the output files (logrotate moves the old one away first).
mv "$OUT/live-alerts.json" "$OUT/live-alerts.json.1"
kill -HUP "$PID"
for _ in $(seq 1 30); do
	grep -q "output files reopened" "$OUT/live.err" && break
	sleep 0.1
done
ip netns exec "$NS_CLIENT" tcpreplay -q -i c2w1 "$OUT/gen/c2.pcap" >>"$OUT/tcpreplay.log" 2>&1
# The same packets again: the 4 DNS messages alert again; the ClientHello
# does not, since its TCP connection (same ports, same ISN) is still in the
# flow table and reads as a retransmission.
for _ in $(seq 1 50); do
	[ -f "$OUT/live-alerts.json" ] && [ "$(wc -l <"$OUT/live-alerts.json")" -ge 4 ] && break
	sleep 0.2
done

stop_daemon "$PID"
rc=$STOP_RC
PID=
[ "$rc" -eq 0 ] && ok "SIGTERM: clean exit" || bad "exit status $rc after SIGTERM: $(cat "$OUT/live.err")"
# 5 from c2.pcap, 1 from streams.pcap (split.backuprabbit.com)
[ "$(wc -l <"$OUT/live-alerts.json.1")" -eq 6 ] && ok "the rotated alerts file holds the first 6 alerts" ||
	bad "rotated alerts file: $(wc -l <"$OUT/live-alerts.json.1") lines"
if [ -f "$OUT/live-alerts.json" ] && [ "$(wc -l <"$OUT/live-alerts.json")" -eq 4 ] &&
   python3 -c 'import json,sys; ids=[json.loads(l)["alert_id"] for l in open(sys.argv[1])]; sys.exit(ids!=[7,8,9,10])' "$OUT/live-alerts.json"; then
	ok "SIGHUP: a new alerts file, ids go on (7..10), a replayed ClientHello is a retransmission"
else
	bad "SIGHUP reopen: $(cat "$OUT/live-alerts.json" 2>&1 | head -3)"
fi
