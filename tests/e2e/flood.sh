#!/usr/bin/env bash
# Resource bounds: floods of unique flows, unique DNS names, IP fragments that
# never complete and TCP streams never finished (tests/e2e/flood.py), with
# small caps (flow.max, stream.buffers, frag.*, http.names-window).  Replayed
# (peak RSS, VmHWM, under a bound computed from the caps, the same for N and
# 4N packets) and live through a veth pair (RSS sampled from /proc during the
# flood: under the bound, flat).  The eviction counters rise, and the C2
# lookups put at the start, middle and end of each flood are alerted.
# Usage: flood.sh BIN OUT [SCALE]  (SCALE multiplies the floods; 1 in make test)
# Writes "ok ..." / "FAIL ..." lines to OUT/flood.results and table rows to
# OUT/flood.table.
set -u
BIN=$(realpath "$1")
OUT=$(realpath "$2")/flood
SCALE=${3:-1}
HERE=$(cd "$(dirname "$0")" && pwd)
RES=$(realpath "$2")/flood.results
TABLE=$(realpath "$2")/flood.table
rm -rf "$OUT"
mkdir -p "$OUT"
: >"$RES"
: >"$TABLE"
ok()  { echo "ok   flood: $*" >>"$RES"; }
bad() { echo "FAIL flood: $*" >>"$RES"; }
row() { printf '| %s | %s | %s | %s | %s |\n' "$@" >>"$TABLE"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# jget FILE KEY...: the values at dotted KEYs of a JSON file, one a line
jget() {
	python3 - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for key in sys.argv[2:]:
    v = d
    for k in key.split("."):
        v = v[k]
    print(v)
PY
}
kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }

FLOWS=4096 BUFFERS=64 DEPTH=16384 FRAGS=64 FRAGBYTES=262144 WINDOW=1024
cat >"$OUT/caps.yaml" <<EOF
flow:
  max: $FLOWS
stream:
  buffers: $BUFFERS
  depth: $DEPTH
frag:
  max-datagrams: $FRAGS
  max-bytes: $FRAGBYTES
http:
  names-window: $WINDOW
EOF
# What the caps may hold, generously: a flow entry and its share of the hash
# under 1 KiB, each stream buffer its depth, the fragment pool its bytes,
# each recent name 512 bytes.  The rest of the process is measured on a
# flood of 100 packets.
CAPS_KIB=$(( (FLOWS * 1024 + BUFFERS * DEPTH + FRAGBYTES + WINDOW * 512) / 1024 ))

PID=
stop() {
	[ -n "$PID" ] || return 0
	kill -TERM "$PID" 2>/dev/null
	wait "$PID"
	STOP_RC=$?
	PID=
}

# replay KIND N: replays a flood with the API kept up; sets HWM (KiB), STATS
# (file), ALERTS (file).
replay() {
	local kind=$1 n=$2 port i
	python3 "$HERE/flood.py" "$OUT/$kind-$n.pcap" "$kind" "$n" >/dev/null
	port=$(free_port)
	ALERTS=$OUT/$kind-$n-alerts.json
	"$BIN" -q -c "$OUT/caps.yaml" -r "$OUT/$kind-$n.pcap" -l "127.0.0.1:$port" --serve \
		--alerts "$ALERTS" 2>"$OUT/$kind-$n.err" &
	PID=$!
	for i in $(seq 1 600); do
		curl -s "http://127.0.0.1:$port/healthz" 2>/dev/null | grep -q '"input_done":true' && break
		sleep 0.1
	done
	STATS=$OUT/$kind-$n-stats.json
	curl -s "http://127.0.0.1:$port/api/v1/stats" >"$STATS"
	HWM=$(kib "$PID" VmHWM)
	stop
	rm -f "$OUT/$kind-$n.pcap"
}
c2_all() {
	grep -q flood-start.backuprabbit.com "$1" && grep -q flood-middle.backuprabbit.com "$1" &&
		grep -q flood-end.backuprabbit.com "$1"
}

replay mixed 100
BASE=$HWM
# Two windows of the capture file are mapped at a time (pcapfile.c): their
# pages count in the RSS of a replay.
BOUND=$((BASE + CAPS_KIB + 2 * 16384))
N=$((200000 * SCALE))
# kind: the counter that must rise, the gauge that must stay under its cap
for spec in "flows flow.flows_evicted flow.flows_active $FLOWS" \
	    "names flow.flows_evicted flow.flows_active $FLOWS" \
	    "frags decode.frag_evicted decode.frag_pending $FRAGS" \
	    "tcp stream.stream_evicted stream.stream_buffers_used $BUFFERS" \
	    "mixed flow.flows_evicted flow.flows_active $FLOWS"; do
	read -r kind counter gauge cap <<<"$spec"
	replay "$kind" "$N"
	rose=$(jget "$STATS" "$counter")
	held=$(jget "$STATS" "$gauge")
	pk=$(jget "$STATS" capture.packets)
	if [ "$pk" = "$((N + 1))" ] && [ "$rose" -gt 0 ] && [ "$held" -le "$cap" ] && [ "$HWM" -le "$BOUND" ] &&
	   c2_all "$ALERTS" && [ "$STOP_RC" = 0 ]; then
		ok "replay of $N unique $kind: peak RSS $HWM KiB <= bound $BOUND KiB, $counter $rose, $gauge $held <= $cap, the C2 lookups at start, middle and end alerted"
	else
		bad "replay of $N unique $kind: packets $pk, peak RSS $HWM KiB (bound $BOUND), $counter $rose, $gauge $held (cap $cap), exit $STOP_RC, alerts: $(cut -c1-200 "$ALERTS")"
	fi
	row "$N unique $kind, replayed" "peak RSS $HWM KiB (bound $BOUND)" "$counter $rose" \
		"$gauge $held <= $cap" "$(grep -c . "$ALERTS") of 3 C2 lookups alerted"
done
H1=$HWM
replay mixed $((4 * N))
if [ "$HWM" -le "$BOUND" ] && [ $((HWM - H1)) -le 4096 ] && c2_all "$ALERTS"; then
	ok "replay of $((4 * N)) mixed: peak RSS $HWM KiB, within 4 MiB of $N packets' ($H1 KiB): flat"
else
	bad "replay of $((4 * N)) mixed: peak RSS $HWM KiB against $H1 KiB for $N (bound $BOUND)"
fi
row "$((4 * N)) mixed, replayed" "peak RSS $HWM KiB ($H1 KiB for $N)" \
	"flows_evicted $(jget "$STATS" flow.flows_evicted)" "flows_active $(jget "$STATS" flow.flows_active)" \
	"$(grep -c . "$ALERTS") of 3 C2 lookups alerted"

# ---- live: the mixed flood through a veth pair, RSS sampled while it runs ----
if [ "$(id -u)" -ne 0 ] || ! command -v tcpreplay >/dev/null; then
	echo "skip live flood (needs root and tcpreplay)"
	exit 0
fi
S=c2wr-s-$$
C=c2wr-c-$$
cleanup() {
	stop
	ip netns del "$S" 2>/dev/null
	ip netns del "$C" 2>/dev/null
}
trap cleanup EXIT
ip netns add "$S" && ip netns add "$C" || { bad "cannot create network namespaces"; exit 0; }
for ns in "$S" "$C"; do
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add c2w0 netns "$S" type veth peer name c2w1 netns "$C" || { bad "cannot create veth pair"; exit 0; }
ip -n "$S" link set c2w0 up
ip -n "$C" link set c2w1 up
N=$((300000 * SCALE))
python3 "$HERE/flood.py" "$OUT/live.pcap" mixed "$N" >/dev/null
A=$OUT/live-alerts.json
# A capture buffer that holds the whole flood, so that a slow build (the
# sanitizers') drops nothing, and every C2 lookup must alert: the ring is
# the kernel's, mapped, and not in the anonymous memory measured.
{ cat "$OUT/caps.yaml"; printf 'capture:\n  buffer-size: 128MiB\n'; } >"$OUT/live.yaml"
ip netns exec "$S" "$BIN" -c "$OUT/live.yaml" -i c2w0 -l 127.0.0.1:8653 --workers 2 --alerts "$A" \
	2>"$OUT/live.err" &
PID=$!
for _ in $(seq 1 100); do
	ip netns exec "$S" curl -sf http://127.0.0.1:8653/healthz >/dev/null 2>&1 && break
	sleep 0.1
done
IDLE=$(kib "$PID" RssAnon)
ip netns exec "$C" tcpreplay -q --topspeed --loop=2 -i c2w1 "$OUT/live.pcap" >"$OUT/live-tcpreplay.log" 2>&1 &
TCPR=$!
: >"$OUT/live-rss.txt"
while kill -0 "$TCPR" 2>/dev/null; do
	kib "$PID" RssAnon >>"$OUT/live-rss.txt"
	sleep 0.1
done
wait "$TCPR"
sleep 1
kib "$PID" RssAnon >>"$OUT/live-rss.txt"
ip netns exec "$S" curl -s http://127.0.0.1:8653/api/v1/stats >"$OUT/live-stats.json"
stop
rm -f "$OUT/live.pcap"
# Anonymous memory only (the kernel's ring is the capture's buffer-size,
# mapped, not the daemon's to grow): the idle daemon plus the caps, per worker.
LBOUND=$((IDLE + 2 * CAPS_KIB))
read -r peak first second nsamples < <(python3 - "$OUT/live-rss.txt" <<'PY'
import sys
v = [int(l) for l in open(sys.argv[1]) if l.strip()]
h = max(1, len(v) // 2)
print(max(v), max(v[:h]), max(v[h:] or v), len(v))
PY
)
drops=$(jget "$OUT/live-stats.json" capture.kernel_dropped)
evicted=$(jget "$OUT/live-stats.json" flow.flows_evicted)
if [ "$peak" -le "$LBOUND" ] && [ $((second - first)) -le 2048 ] && [ "$evicted" -gt 0 ] && c2_all "$A" &&
   [ "$STOP_RC" = 0 ]; then
	ok "live flood of 2 x $N mixed over 2 workers: RSS sampled $nsamples times, peak $peak KiB <= bound $LBOUND KiB, flat (first half $first, second $second), flows_evicted $evicted, the C2 lookups alerted, $drops kernel drops counted"
else
	bad "live flood: RSS peak $peak KiB (bound $LBOUND, idle $IDLE), halves $first/$second, flows_evicted $evicted, drops $drops, exit $STOP_RC, alerts: $(cut -c1-200 "$A")"
fi
row "2 x $N mixed, live on a veth" "RSS peak $peak KiB (idle $IDLE, bound $LBOUND), halves $first/$second" \
	"flows_evicted $evicted, kernel_dropped $drops" "flows_active $(jget "$OUT/live-stats.json" flow.flows_active)" \
	"$(grep -c . "$A") C2 lookups alerted (3 per pass)"
exit 0
