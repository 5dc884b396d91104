#!/usr/bin/env bash
# The durable alert store through the real daemon: ids and `since` cursors
# across a restart, rotation into gzip files, a torn last line, and a full
# disk (a 64 KiB tmpfs made here) that the daemon rides out.
# Writes "ok ..." / "FAIL ..." lines to OUT/alert_store.results.
set -u
BIN=$(realpath "$1")
OUT=$(realpath "$2")/store
GEN=$(realpath "$2")/gen
RES=$(realpath "$2")/alert_store.results
rm -rf "$OUT"
mkdir -p "$OUT"
: >"$RES"
ok()  { echo "ok   alert store: $*" >>"$RES"; }
bad() { echo "FAIL alert store: $*" >>"$RES"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
. "$(dirname "$0")/lib.sh"

# Start a replay with the API kept up; waits until the input is done.
PID=
start() {   # port, err file, c2watchd args...
	local port=$1 err=$2 i
	shift 2
	"$BIN" -q -l "127.0.0.1:$port" --serve --alerts "" "$@" 2>"$err" &
	PID=$!
	for i in $(seq 1 100); do
		curl -s "http://127.0.0.1:$port/healthz" 2>/dev/null | grep -q '"input_done":true' && return 0
		sleep 0.1
	done
	return 1
}
stop() {
	[ -n "$PID" ] || return 0
	kill -TERM "$PID" 2>/dev/null
	wait "$PID"
	STOP_RC=$?
	PID=
}
MNT=
cleanup() {
	stop
	[ -n "$MNT" ] && umount "$MNT" 2>/dev/null
}
trap cleanup EXIT

# ---- restart: ids and cursors survive ----
LOG=$OUT/restart/alerts.json
mkdir -p "$OUT/restart"
PORT=$(free_port)
start "$PORT" "$OUT/restart1.err" -r "$GEN/c2.pcap" --alert-log "$LOG"
curl -s "http://127.0.0.1:$PORT/api/v1/alerts" >"$OUT/restart1.json"
stop
PORT=$(free_port)
start "$PORT" "$OUT/restart2.err" -r "$GEN/streams.pcap" --alert-log "$LOG"
curl -s "http://127.0.0.1:$PORT/api/v1/alerts?since=5" >"$OUT/restart2-since.json"
curl -s "http://127.0.0.1:$PORT/api/v1/alerts" >"$OUT/restart2-all.json"
curl -s "http://127.0.0.1:$PORT/healthz" >"$OUT/restart2-health.json"
stop
check "restart: ids go on from the log (6 after 1..5), since=5 returns exactly the new alert, the old ones are served again" \
	python3 - "$OUT/restart1.json" "$OUT/restart2-since.json" "$OUT/restart2-all.json" "$OUT/restart2-health.json" "$LOG" <<'PY'
import json, sys
first, since, every, health = (json.load(open(f)) for f in sys.argv[1:5])
log = [json.loads(l) for l in open(sys.argv[5])]
a = health["alert_store"]
ok = ([e["alert_id"] for e in first["alerts"]] == [1, 2, 3, 4, 5] and
      [e["alert_id"] for e in since["alerts"]] == [6] and since["next"] == 6 and
      since["alerts"][0]["tls"]["sni"] == "split.backuprabbit.com" and
      [e["alert_id"] for e in every["alerts"]] == [1, 2, 3, 4, 5, 6] and
      every["alerts"][:5] == first["alerts"] and
      a["loaded"] == 5 and a["torn"] == 0 and a["written"] == 1 and a["log_ok"] and
      [e["alert_id"] for e in log] == [1, 2, 3, 4, 5, 6])
if not ok:
    print(since, a)
sys.exit(0 if ok else 1)
PY

# ---- a torn last line: skipped, counted, never rewritten ----
printf '{"timestamp":"2023-11-14T22:13:20.003000+0000","alert_id":99,"alert":{"sig' >>"$LOG"
cp "$LOG" "$OUT/torn-before.json"
PORT=$(free_port)
start "$PORT" "$OUT/torn.err" -r "$GEN/c2.pcap" --alert-log "$LOG"
curl -s "http://127.0.0.1:$PORT/healthz" >"$OUT/torn-health.json"
stop
check "torn line: skipped and counted at load, ids go on from the last whole alert (7), the bytes before kept" \
	python3 - "$OUT/torn-health.json" "$OUT/torn-before.json" "$LOG" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["alert_store"]
before, after = open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
lines = after.split(b"\n")
whole = [json.loads(l) for l in lines if l.startswith(b"{") and l.endswith(b"}")]
ok = (a["torn"] == 1 and a["loaded"] == 6 and after.startswith(before) and
      after[len(before):len(before) + 1] == b"\n" and
      [e["alert_id"] for e in whole] == list(range(1, 12)))
if not ok:
    print(a, [e["alert_id"] for e in whole])
sys.exit(0 if ok else 1)
PY

# ---- rotation: by size, gzip through zlib, `keep` files kept ----
ROT=$OUT/rot
mkdir -p "$ROT"
printf 'alerts:\n  log:\n    path: %s/alerts.json\n    rotate-size: 4KiB\n    keep: 2\n    fsync: always\n' "$ROT" >"$OUT/rot.yaml"
for i in $(seq 1 6); do
	"$BIN" -q -c "$OUT/rot.yaml" -r "$GEN/c2.pcap" --alerts "" --no-http 2>>"$OUT/rot.err"
done
check "rotation: 30 alerts in 4 KiB files, keep 2: FILE, FILE.1.gz, FILE.2.gz, valid gzip of JSON lines, ids in order" \
	python3 - "$ROT" <<'PY'
import gzip, json, os, sys
d = sys.argv[1]
names = sorted(os.listdir(d))
if names != ["alerts.json", "alerts.json.1.gz", "alerts.json.2.gz"]:
    print(names); sys.exit(1)
ids = []
for f in ("alerts.json.2.gz", "alerts.json.1.gz"):
    with gzip.open(os.path.join(d, f), "rt") as g:
        ids += [json.loads(l)["alert_id"] for l in g]
ids += [json.loads(l)["alert_id"] for l in open(os.path.join(d, "alerts.json"))]
ok = ids == list(range(ids[0], 31)) and ids[0] > 1
print(ids)
sys.exit(0 if ok else 1)
PY
PORT=$(free_port)
start "$PORT" "$OUT/rot-serve.err" -c "$OUT/rot.yaml" -r "$GEN/c2.pcap"
curl -s "http://127.0.0.1:$PORT/api/v1/alerts?since=30" >"$OUT/rot-since.json"
stop
check "rotation: a restart reads the rotated files back, ids go on (31..35)" python3 - "$OUT/rot-since.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if [e["alert_id"] for e in d["alerts"]] == [31, 32, 33, 34, 35] else 1)
PY

# 400 DNS queries for a C2 name: ~250 KB of alerts
python3 - "$OUT/many.pcap" <<'PY'
import struct, sys
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
for i in range(400):
    q = b"".join(bytes([len(l)]) + l for l in b"backuprabbit.com".split(b".")) + b"\0"
    dns = struct.pack("!HHHHHH", i, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)
    udp = struct.pack("!HHHH", 20000 + i, 53, 8 + len(dns), 0) + dns
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                     bytes([198, 18, 0, 2]), bytes([198, 18, 0, 1]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    frame = b"\x02\0\0\0\0\1\x02\0\0\0\0\2\x08\0" + ip + udp
    out.write(struct.pack("<IIII", 1700000000 + i, 0, len(frame), len(frame)) + frame)
PY
# ---- dedup: 400 queries for one C2 name from one source in 400 s ----
printf 'alerts:\n  dedup:\n    window: 10m\n' >"$OUT/dedup.yaml"
PORT=$(free_port)
start "$PORT" "$OUT/dedup.err" -c "$OUT/dedup.yaml" -r "$OUT/many.pcap"
curl -s "http://127.0.0.1:$PORT/api/v1/alerts" >"$OUT/dedup-alerts.json"
curl -s "http://127.0.0.1:$PORT/api/v1/stats" >"$OUT/dedup-stats.json"
stop
check "dedup: 400 repeats in one window are the first alert (id 1) and one summary (id 2, count 400, first/last seen)" \
	python3 - "$OUT/dedup-alerts.json" "$OUT/dedup-stats.json" <<'PY'
import json, sys
a, s = json.load(open(sys.argv[1]))["alerts"], json.load(open(sys.argv[2]))["alert_store"]
ok = (len(a) == 2 and a[0]["alert_id"] == 1 and a[0]["dns"]["rrname"] == "backuprabbit.com" and
      a[1]["alert_id"] == 2 and a[1]["count"] == 400 and a[1]["first_alert_id"] == 1 and
      a[1]["name"] == "backuprabbit.com" and a[1]["first_seen"] == "2023-11-14T22:13:20.000000+0000" and
      a[1]["last_seen"] == "2023-11-14T22:19:59.000000+0000" and
      s["deduplicated"] == 399 and s["dedup_summaries"] == 1)
if not ok:
    print(a[1:], s)
sys.exit(0 if ok else 1)
PY
# The --alerts stream carries what the API serves: the first alert and the
# summary, in id order.
"$BIN" -q -c "$OUT/dedup.yaml" -r "$OUT/many.pcap" --no-http --alerts "$OUT/dedup-stream.json" 2>"$OUT/dedup-stream.err"
check "dedup: the --alerts stream holds the first alert and the summary (count 400)" \
	python3 - "$OUT/dedup-stream.json" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if [e["alert_id"] for e in a] == [1, 2] and a[1]["count"] == 400 else 1)
PY

# ---- disk full: a 64 KiB tmpfs ----
if [ "$(id -u)" -ne 0 ]; then
	echo "skip disk-full test (needs root to mount a tmpfs)"
	exit 0
fi
MNT=$OUT/full
mkdir -p "$MNT"
if ! mount -t tmpfs -o size=64k tmpfs "$MNT"; then
	MNT=
	bad "disk full: cannot mount a tmpfs"
	exit 0
fi
PORT=$(free_port)
start "$PORT" "$OUT/full.err" -r "$OUT/many.pcap" --alert-log "$MNT/alerts.json"
sleep 1.5                       # the writer has met the full disk
curl -s "http://127.0.0.1:$PORT/healthz" >"$OUT/full-health.json"
curl -s "http://127.0.0.1:$PORT/api/v1/alerts?since=390" >"$OUT/full-alerts.json"
check "disk full: the daemon serves every alert, healthz shows write errors and log_ok false with the reason" \
	python3 - "$OUT/full-health.json" "$OUT/full-alerts.json" <<'PY'
import json, sys
h, a = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
s = h["alert_store"]
ok = (h["status"] == "unhealthy" and "No space" in h["reason"] and s["stored"] == 400 and s["write_errors"] > 0 and not s["log_ok"] and
      "No space" in s["last_error"] and 0 < s["written"] < 400 and
      [e["alert_id"] for e in a["alerts"]] == list(range(391, 401)))
if not ok:
    print(h, a.get("count"))
sys.exit(0 if ok else 1)
PY
check "disk full: what was written is whole (every line an alert, ids 1..N in order)" \
	python3 - "$MNT/alerts.json" <<'PY'
import json, sys
ids = [json.loads(l)["alert_id"] for l in open(sys.argv[1])]
sys.exit(0 if ids and ids == list(range(1, len(ids) + 1)) else 1)
PY
mount -o remount,size=1m "$MNT"
for _ in $(seq 1 50); do
	curl -s "http://127.0.0.1:$PORT/healthz" | grep -q '"log_ok":true' && break
	sleep 0.1
done
curl -s "http://127.0.0.1:$PORT/healthz" >"$OUT/full-health2.json"
stop
check "disk full: room made, writing resumes from the ring, nothing lost (ids 1..400, each once, all JSON)" \
	python3 - "$OUT/full-health2.json" "$MNT/alerts.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["alert_store"]
ids = [json.loads(l)["alert_id"] for l in open(sys.argv[2])]
ok = s["log_ok"] and s["last_error"] == "" and s["written"] == 400 and ids == list(range(1, 401))
if not ok:
    print(s, len(ids))
sys.exit(0 if ok else 1)
PY
check "disk full: SIGTERM stops the daemon cleanly (exit $STOP_RC), no sanitizer report" \
	bash -c "[ '$STOP_RC' = 0 ] && ! grep -q Sanitizer '$OUT/full.err'"
umount "$MNT" && MNT=
