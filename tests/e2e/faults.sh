#!/usr/bin/env bash
# Live faults, each injected on a veth pair between two network namespaces of
# this test's own: the interface goes down and comes back; the capture
# buffer overflows; SIGTERM in a flood; kill -9 in a flood, then a restart,
# with the alert log fsync'd always and at an interval; the interface is
# deleted.  For each: what was sent, what was alerted and logged, what was
# lost (nothing, or what the kernel said it dropped).
# Usage: faults.sh BIN OUT [SCALE]  (SCALE multiplies the floods; 1 in make test)
# Writes "ok ..." / "FAIL ..." lines to OUT/faults.results and the table rows
# (fault | injected | sent | alerted, logged | lost) to OUT/faults.table.
set -u
BIN=$(realpath "$1")
OUT=$(realpath "$2")/faults
SCALE=${3:-1}
HERE=$(cd "$(dirname "$0")" && pwd)
RES=$(realpath "$2")/faults.results
TABLE=$(realpath "$2")/faults.table
rm -rf "$OUT"
mkdir -p "$OUT"
: >"$RES"
: >"$TABLE"
S=c2wf-s-$$
C=c2wf-c-$$
ok()  { echo "ok   faults: $*" >>"$RES"; }
bad() { echo "FAIL faults: $*" >>"$RES"; }
row() { printf '| %s | %s | %s | %s | %s |\n' "$@" >>"$TABLE"; }
API=http://127.0.0.1:8653

PID=
# SIGTERM, then wait at most 10 s (SIGKILL after); sets STOP_RC.
stop_daemon() {
	[ -n "$PID" ] || return 0
	kill -TERM "$PID" 2>/dev/null
	for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$PID" 2>/dev/null; then
		kill -KILL "$PID"
		wait "$PID" 2>/dev/null
		STOP_RC=timeout
	else
		wait "$PID"
		STOP_RC=$?
	fi
	PID=
}
cleanup() {
	stop_daemon
	[ -n "${TCPR:-}" ] && kill "$TCPR" 2>/dev/null
	ip netns del "$S" 2>/dev/null
	ip netns del "$C" 2>/dev/null
}
trap cleanup EXIT

link() {
	ip link add c2w0 netns "$S" type veth peer name c2w1 netns "$C" || return 1
	ip -n "$S" addr add 198.18.0.1/24 dev c2w0
	ip -n "$C" addr add 198.18.0.2/24 dev c2w1
	ip -n "$S" link set c2w0 up
	ip -n "$C" link set c2w1 up
}
ip netns add "$S" && ip netns add "$C" || { bad "cannot create network namespaces"; exit 0; }
for ns in "$S" "$C"; do
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
link || { bad "cannot create veth pair"; exit 0; }

# start NAME ARGS...: the daemon on c2w0 with its API in the sensor namespace.
start() {
	local name=$1
	shift
	ip netns exec "$S" "$BIN" -i c2w0 -l 127.0.0.1:8653 "$@" 2>"$OUT/$name.err" &
	PID=$!
	for _ in $(seq 1 100); do
		ip netns exec "$S" curl -sf "$API/healthz" >/dev/null 2>&1 && return 0
		kill -0 "$PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
stats() { ip netns exec "$S" curl -s "$API/api/v1/stats"; }
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
# api_stat KEY: a value of /api/v1/stats
api_stat() { stats >"$OUT/stat.json"; jget "$OUT/stat.json" "$1"; }
# query NAME...: DNS queries for NAME from the client namespace, one each.
query() {
	ip netns exec "$C" python3 - "$@" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i, name in enumerate(sys.argv[1:]):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    s.sendto(struct.pack("!HHHHHH", i + 1, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1),
             ("198.18.0.1", 53))
PY
}
# wait_for CMD...: until it succeeds, at most 10 s
wait_for() {
	for _ in $(seq 1 100); do "$@" && return 0; sleep 0.1; done
	return 1
}
has_alert() { grep -q "\"$2\"" "$1" 2>/dev/null; }
rx() { ip netns exec "$S" cat /sys/class/net/c2w0/statistics/rx_packets; }

# ---- 1. the interface goes down and comes back (twice: down here, then the peer) ----
A=$OUT/updown-alerts.json
if start updown --workers 2 --alerts "$A" --alert-log "$OUT/updown-log.json"; then
	query before.backuprabbit.com
	wait_for has_alert "$A" before.backuprabbit.com
	ip -n "$S" link set c2w0 down
	sleep 3                       # thirty polls, three ticks: still one line
	down1=$(api_stat capture.link_down)
	ip -n "$S" link set c2w0 up
	wait_for grep -q "up again" "$OUT/updown.err"
	query after.backuprabbit.com
	wait_for has_alert "$A" after.backuprabbit.com
	ip -n "$C" link set c2w1 down     # no carrier on c2w0
	sleep 2
	ip -n "$C" link set c2w1 up
	wait_for bash -c "[ \$(grep -c 'up again' '$OUT/updown.err') -ge 2 ]"
	query after-carrier.backuprabbit.com
	wait_for has_alert "$A" after-carrier.backuprabbit.com
	down2=$(api_stat capture.link_down)
	prom=$(ip netns exec "$S" curl -s "$API/metrics" | awk '$1 ~ /link_down_total$/ {print $2}')
	alive=$(kill -0 "$PID" 2>/dev/null && echo yes)
	stop_daemon
	nlog=$(grep -c "interface is down" "$OUT/updown.err")
	nal=$(wc -l <"$A")
	if [ "$down1" = 1 ] && [ "$down2" = 2 ] && [ "$prom" = 2 ] && [ "$nlog" = 2 ] &&
	   [ "$alive" = yes ] && [ "$STOP_RC" = 0 ] && [ "$nal" = 3 ] &&
	   [ "$(wc -l <"$OUT/updown-log.json")" = 3 ]; then
		ok "link down 3 s, then no carrier 2 s: logged once each, link_down 1 then 2 (stats and /metrics), capture resumed by itself, the 3 C2 lookups alerted and logged"
	else
		bad "link down/up: link_down $down1 then $down2 (metrics $prom), $nlog down lines, alive '$alive', exit $STOP_RC, $nal alerts: $(cat "$OUT/updown.err")"
	fi
	row "interface down, then up" "ip link set c2w0 down 3 s; peer down 2 s (no carrier)" \
		"3 C2 lookups (before, after each)" "$nal alerted, $(wc -l <"$OUT/updown-log.json") logged" \
		"nothing (link_down $down2, one line each way)"
else
	bad "link down/up: the daemon did not start: $(cat "$OUT/updown.err")"
fi

# ---- 2. the capture buffer overflows: the daemon stopped while a flood comes in ----
N=$((20000 * SCALE))
python3 "$HERE/flood.py" "$OUT/names.pcap" names "$N" >/dev/null
printf 'capture:\n  buffer-size: 64KiB\n' >"$OUT/small-buffer.yaml"
if start overflow -c "$OUT/small-buffer.yaml" --workers 1 --filter "udp dst port 53" --alerts "" \
	--alert-log ""; then
	rx0=$(rx)
	kill -STOP "$PID"
	ip netns exec "$C" tcpreplay -q --topspeed -i c2w1 "$OUT/names.pcap" >"$OUT/overflow-tcpreplay.log" 2>&1
	kill -CONT "$PID"
	sent=$(sed -n 's/.*Successful packets: *\([0-9]*\).*/\1/p' "$OUT/overflow-tcpreplay.log")
	sleep 2.5                     # the ring drained, the kernel counters read again
	arrived=$(( $(rx) - rx0 ))
	stats >"$OUT/overflow-stats.json"
	ip netns exec "$S" curl -s "$API/metrics" >"$OUT/overflow-metrics.txt"
	stop_daemon
	read -r recv drop pk < <(jget "$OUT/overflow-stats.json" capture.kernel_received \
		capture.kernel_dropped capture.packets | paste -sd' ')
	mdrop=$(awk '$1 ~ /capture_kernel_dropped_total$/ {print $2}' "$OUT/overflow-metrics.txt")
	summary=$(grep "kernel: " "$OUT/overflow.err")
	# What came to the interface was received by the socket (its filter
	# passes it all); what it received was read, or dropped and counted.
	if [ "${drop:-0}" -gt 0 ] && [ "$((pk + drop))" = "$recv" ] && [ "$recv" = "$arrived" ] &&
	   [ "$mdrop" = "$drop" ] && echo "$summary" | grep -q "$recv packets received, $drop dropped" &&
	   [ "$STOP_RC" = 0 ]; then
		ok "buffer overflow: $sent sent, $arrived arrived = $recv kernel_received = $pk read + $drop kernel_dropped, in stats, /metrics and the exit summary"
	else
		bad "buffer overflow: sent $sent arrived $arrived received $recv read $pk dropped $drop (metrics $mdrop), summary '$summary', exit $STOP_RC"
	fi
	row "capture buffer overflow" "buffer-size 64KiB, daemon SIGSTOPped, $N queries at top speed" \
		"$sent sent, $arrived arrived" "$pk read" "$drop dropped by the kernel: counted (stats, /metrics, exit summary), $((arrived - pk - drop)) unaccounted"
else
	bad "buffer overflow: the daemon did not start: $(cat "$OUT/overflow.err")"
fi

# ---- 3. SIGTERM during a flood: every alert counted is written, whole ----
N=$((300000 * SCALE))
python3 "$HERE/flood.py" "$OUT/c2flood.pcap" names "$N" 100 >"$OUT/c2flood.count"
A=$OUT/term-alerts.json
L=$OUT/term-log.json
if start term --workers 2 --alerts "$A" --alert-log "$L"; then
	# four times over at top speed: about 3 s, while the signal comes at 1 s
	ip netns exec "$C" tcpreplay -q --topspeed --loop=4 -i c2w1 "$OUT/c2flood.pcap" >"$OUT/term-tcpreplay.log" 2>&1 &
	TCPR=$!
	sleep 1
	midway=$(kill -0 "$TCPR" 2>/dev/null && echo yes)
	stop_daemon
	kill "$TCPR" 2>/dev/null
	wait "$TCPR" 2>/dev/null
	TCPR=
	counted=$(sed -n 's/.* names, \([0-9]*\) alerts$/\1/p' "$OUT/term.err")
	read -r nread < <(sed -n 's/^c2watchd: \([0-9]*\) packets in .*/\1/p' "$OUT/term.err")
	read -r nrecv < <(sed -n 's/^c2watchd: kernel: \([0-9]*\) packets received.*/\1/p' "$OUT/term.err")
	if python3 - "$A" "$L" "${counted:-x}" >"$OUT/term-check.txt" <<'PY' && [ "$STOP_RC" = 0 ] && [ "$midway" = yes ]
import json, sys
n = int(sys.argv[3])
for path in sys.argv[1:3]:
    data = open(path, "rb").read()
    assert data.endswith(b"\n"), path + ": the last line is not whole"
    ids = sorted(json.loads(l)["alert_id"] for l in data.splitlines())
    assert ids == list(range(1, n + 1)), "%s: %d lines, ids %s..%s for %d alerts" % (path, len(ids), ids[:1], ids[-1:], n)
print(n)
PY
	then
		ok "SIGTERM mid-flood: the $counted alerts counted are all in the alerts file and the log, whole JSON lines, ids 1..$counted"
	else
		bad "SIGTERM mid-flood: exit $STOP_RC, flood running '$midway', counted '$counted': $(cat "$OUT/term-check.txt") $(tail -3 "$OUT/term.err")"
	fi
	row "SIGTERM during a flood" "SIGTERM 1 s into 4 x $N queries at top speed (1 in 100 a C2 name)" \
		"$nrecv received by the kernel, $nread read" \
		"$counted counted, $(grep -c . "$A") in the alerts file, $(grep -c . "$L") in the log" \
		"no alert; $((nrecv - nread)) packets that came after the capture stopped not read (both counts in the exit summary)"
else
	bad "SIGTERM mid-flood: the daemon did not start: $(cat "$OUT/term.err")"
fi

# ---- 4. kill -9 mid-flood, then a restart: nothing acknowledged is lost ----
for mode in always interval; do
	L=$OUT/kill-$mode-log.json
	printf 'alerts:\n  log:\n    path: %s\n    fsync: %s\n    fsync-interval: 1s\n' "$L" "$mode" >"$OUT/kill-$mode.yaml"
	if ! start "kill-$mode" -c "$OUT/kill-$mode.yaml" --workers 2 --alerts ""; then
		bad "kill -9 ($mode): the daemon did not start: $(cat "$OUT/kill-$mode.err")"
		continue
	fi
	ip netns exec "$C" tcpreplay -q --topspeed --loop=4 -i c2w1 "$OUT/c2flood.pcap" >"$OUT/kill-tcpreplay.log" 2>&1 &
	TCPR=$!
	sleep 1.5                     # an interval fsync has come by
	acked=$(api_stat alert_store.synced_id)
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null
	PID=
	kill "$TCPR" 2>/dev/null
	wait "$TCPR" 2>/dev/null
	TCPR=
	cp "$L" "$OUT/kill-$mode-before.json"
	if start "restart-$mode" -c "$OUT/kill-$mode.yaml" --workers 2 --alerts ""; then
		loaded=$(api_stat alert_store.loaded)
		torn=$(api_stat alert_store.torn)
		query after-restart.backuprabbit.com
		wait_for grep -q after-restart "$L"
		stop_daemon
	else
		bad "kill -9 ($mode): no restart: $(cat "$OUT/restart-$mode.err")"
		continue
	fi
	if python3 - "$OUT/kill-$mode-before.json" "$L" "$acked" >"$OUT/kill-$mode-check.txt" <<'PY'
import json, sys
before, after, acked = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read(), int(sys.argv[3])
def ids(data):
    out = []
    for l in data.split(b"\n"):
        try:
            out.append(json.loads(l)["alert_id"])
        except ValueError:
            pass                      # a torn line (counted at load)
    return out
b, a = ids(before), ids(after)
assert acked > 0, "nothing acknowledged before the kill"
assert set(range(1, acked + 1)) <= set(b), "acknowledged ids missing: %s" % sorted(set(range(1, acked + 1)) - set(b))[:5]
assert a[:len(b)] == b and len(a) == len(b) + 1, "the log was rewritten"
assert a[-1] > max(b) and len(set(a)) == len(a), "an id reused after the restart: %d after %d" % (a[-1], max(b))
print("%d acknowledged, %d in the log at the kill, next id %d" % (acked, len(b), a[-1]))
PY
	then
		ok "kill -9 mid-flood (fsync $mode): every id up to synced_id $acked is in the log ($(cat "$OUT/kill-$mode-check.txt")), loaded $loaded, torn $torn, ids go on without reuse"
	else
		bad "kill -9 mid-flood (fsync $mode): $(cat "$OUT/kill-$mode-check.txt")"
	fi
	row "kill -9 during a flood, restart (fsync $mode)" "kill -9 1.5 s into 4 x $N queries, then start again" \
		"$(grep -c . "$OUT/kill-$mode-before.json") alerts in the log at the kill" \
		"synced_id $acked acknowledged before the kill; $loaded loaded, $torn torn at restart" \
		"nothing acknowledged (ids 1..$acked all there), no id reused"
done

# ---- 5. the interface is deleted: exit non-zero, every alert written ----
A=$OUT/deleted-alerts.json
L=$OUT/deleted-log.json
if start deleted --workers 2 --alerts "$A" --alert-log "$L"; then
	query before-delete.backuprabbit.com
	wait_for has_alert "$A" before-delete.backuprabbit.com
	ip -n "$S" link del c2w0
	for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
	stop_daemon                   # it has gone by itself: the status is its own
	rc=$STOP_RC
	ip netns exec "$S" "$BIN" -i c2w0 --no-http --alerts "" 2>"$OUT/deleted-restart.err"
	rc2=$?
	if [ "$rc" = 1 ] && [ "$(grep -c 'the interface was deleted' "$OUT/deleted.err")" = 1 ] &&
	   has_alert "$A" before-delete.backuprabbit.com && has_alert "$L" before-delete.backuprabbit.com &&
	   [ "$rc2" = 2 ] && grep -q "c2w0" "$OUT/deleted-restart.err"; then
		ok "interface deleted: exit 1 with one clear line, the alert before written to both files; a start without it exits 2"
	else
		bad "interface deleted: exit $rc, restart $rc2: $(cat "$OUT/deleted.err" "$OUT/deleted-restart.err")"
	fi
	# The service manager starts it again once the interface is back.
	link
	if start recreated --alerts "$A" --alert-log "$L"; then
		query after-recreate.backuprabbit.com
		wait_for has_alert "$A" after-recreate.backuprabbit.com &&
			ok "interface back: a new start captures on it, ids go on" ||
			bad "interface back: no alert: $(cat "$OUT/recreated.err")"
		stop_daemon
	else
		bad "interface back: the daemon did not start: $(cat "$OUT/recreated.err")"
	fi
	row "interface deleted" "ip link del c2w0, then created again" "2 C2 lookups (before, after)" \
		"$(grep -c . "$A") alerted, $(grep -c . "$L") logged; exit 1, restarted by the service manager" "nothing"
else
	bad "interface deleted: the daemon did not start: $(cat "$OUT/deleted.err")"
fi
exit 0
