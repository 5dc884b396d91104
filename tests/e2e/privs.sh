#!/usr/bin/env bash
# tests/e2e/privs.sh BIN OUT — least privilege (daemon/privs.c), as root: a
# system user c2w-test (created here, removed after), c2watchd dropping to it
# in replay, live on a veth pair between two network namespaces of its own,
# and chrooted; every thread's ids, capability sets, no_new_privs and seccomp
# mode read from /proc; alerts, the API, SIGHUP reopen and alert-log rotation
# after the drop; the refusal to run as root without the user; a forbidden
# syscall killing the daemon.  BIN is the real binary (no --allow-root
# wrapper).  Writes "ok ..." / "FAIL ..." lines to OUT/privs.results.
set -u
BIN=$(realpath "$1")
OUT=$(realpath "$2")
RES=$OUT/privs.results
: >"$RES"
PCAP=$OUT/gen/c2.pcap          # 5 alerts with the bundled rules
TUSER=c2w-test
NS_SENSOR=c2w-psen-$$
NS_CLIENT=c2w-pcli-$$
ok()  { echo "ok   privs: $*" >>"$RES"; }
bad() { echo "FAIL privs: $*" >>"$RES"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

PIDS=()
CREATED=""
# The outputs' directory: the daemon's user must be able to create files in
# it after the drop (SIGHUP reopen, rotation), as /var/log/c2watch is.
D=$(mktemp -d /tmp/c2w-privs.XXXXXX)

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	ip netns del "$NS_SENSOR" 2>/dev/null
	ip netns del "$NS_CLIENT" 2>/dev/null
	[ -n "${C2W_KEEP:-}" ] || rm -rf "$D"
	if [ -n "$CREATED" ]; then
		userdel "$TUSER" 2>/dev/null
		getent group "$TUSER" >/dev/null && groupdel "$TUSER" 2>/dev/null
	fi
}
trap cleanup EXIT

if ! id -u "$TUSER" >/dev/null 2>&1; then
	useradd --system --user-group --no-create-home --shell /usr/sbin/nologin "$TUSER" ||
		{ bad "cannot create user $TUSER"; exit 0; }
	CREATED=1
fi
TUID=$(id -u "$TUSER")
TGID=$(id -g "$TUSER")
chown "$TUSER:$TUSER" "$D"
chmod 750 "$D"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# run-in-namespace prefix for curl ("" outside)
wait_http() {   # url [netns]
	local i
	for i in $(seq 1 100); do
		${2:+ip netns exec "$2"} curl -sf "$1" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# SIGTERM, then wait at most 5 s; sets rc to the exit status (or "timeout").
stop_daemon() {
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1"; wait "$1" 2>/dev/null; rc=timeout
	else
		wait "$1"; rc=$?
	fi
}

# Every thread of PID: all uids TUID, all gids TGID, no supplementary group,
# every capability set empty, no_new_privs, seccomp filter mode (2).  At
# least MIN threads (the HTTP and alert log threads started before the drop
# are the ones that matter).
proc_ok() {   # pid min-threads
	python3 - "$1" "$2" "$TUID" "$TGID" <<'PY'
import os, sys
pid, mint, uid, gid = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
tasks = os.listdir(f"/proc/{pid}/task")
want = {"Uid": [uid] * 4, "Gid": [gid] * 4, "Groups": [], "CapInh": ["0" * 16], "CapPrm": ["0" * 16],
        "CapEff": ["0" * 16], "CapBnd": ["0" * 16], "CapAmb": ["0" * 16], "NoNewPrivs": ["1"],
        "Seccomp": ["2"]}
bad = []
for t in tasks:
    st = {}
    for line in open(f"/proc/{pid}/task/{t}/status"):
        k, _, v = line.partition(":")
        st[k] = v.split()
    comm = open(f"/proc/{pid}/task/{t}/comm").read().strip()
    for k, v in want.items():
        if st.get(k) != v:
            bad.append(f"thread {t} ({comm}) {k}: {st.get(k)} != {v}")
if len(tasks) < mint:
    bad.append(f"{len(tasks)} threads, expected at least {mint}")
print("\n".join(bad) or f"{len(tasks)} threads checked")
sys.exit(1 if bad else 0)
PY
}

alerts_n() {   # url [netns]: the number of alerts the API holds
	${2:+ip netns exec "$2"} curl -s "$1/api/v1/alerts" |
		python3 -c 'import json,sys; print(len(json.load(sys.stdin)["alerts"]))' 2>/dev/null || echo 0
}

# ---- refusal: root, no such user, no allow-root ----
"$BIN" -u c2w-no-such-user -r "$PCAP" --no-http --alerts "" >/dev/null 2>"$D/refuse.err"
rc=$?
check "root without the user and without allow-root refuses to start, saying how to fix it (exit $rc)" \
	eval '[ $rc = 2 ] && grep -q "user .c2w-no-such-user. (privileges.user) does not exist" "$D/refuse.err" &&
	      grep -q "useradd" "$D/refuse.err" && grep -q "allow-root: true" "$D/refuse.err"'
printf 'privileges:\n  user: c2w-no-such-user\n  allow-root: true\n' >"$D/allow.yaml"
"$BIN" -q -c "$D/allow.yaml" -r "$PCAP" --no-http --alerts "$D/allow.json" 2>"$D/allow.err"
rc=$?
check "privileges.allow-root: true runs as root without the user, and warns (exit $rc)" \
	eval '[ $rc = 0 ] && [ "$(wc -l <"$D/allow.json")" = 5 ] && grep -q "running as root" "$D/allow.err"'
printf 'privileges:\n  seccomp: maybe\n' >"$D/badsec.yaml"
"$BIN" -t -c "$D/badsec.yaml" >/dev/null 2>"$D/badsec.err"
check "a bad privileges value is reported at file:line:col" \
	grep -q "badsec.yaml:2:12: 'seccomp' must be true, false or log" "$D/badsec.err"
printf 'privileges:\n  chroot: relative/dir\n' >"$D/badroot.yaml"
"$BIN" -t -c "$D/badroot.yaml" >/dev/null 2>"$D/badroot.err"
check "a relative chroot is refused" grep -q "must be an absolute directory" "$D/badroot.err"

# ---- replay as the user, 2 workers, HTTP ----
PORT=$(free_port)
"$BIN" -u "$TUSER" -r "$PCAP" --workers 2 --serve -l "127.0.0.1:$PORT" --alerts "$D/replay.json" \
	2>"$D/replay.err" &
PID=$!
PIDS+=("$PID")
if wait_http "http://127.0.0.1:$PORT/healthz"; then
	for _ in $(seq 1 50); do curl -s "http://127.0.0.1:$PORT/healthz" | grep -q '"input_done":true' && break; sleep 0.1; done
	why=$(proc_ok "$PID" 3)
	check "replay as $TUSER: every thread unprivileged, no capability, no_new_privs, seccomp ($why)" \
		test $? = 0
	n=$(alerts_n "http://127.0.0.1:$PORT")
	check "replay as $TUSER: the API answers with the 5 alerts ($n)" test "$n" = 5
	check "replay: the log says what was dropped" \
		eval 'grep -q "privileges: running as $TUSER (uid $TUID, gid $TGID), no capabilities" "$D/replay.err" &&
		      grep -q "seccomp on, [0-9]* syscalls allowed, others kill the process" "$D/replay.err"'
else
	bad "replay as $TUSER did not start: $(cat "$D/replay.err")"
fi
stop_daemon "$PID"
check "replay as $TUSER: SIGTERM stops it cleanly (exit $rc)" test "$rc" = 0

# ---- a forbidden syscall kills the process ----
"$BIN" -u "$TUSER" -r "$PCAP" --no-http --alerts "" --seccomp-selftest >/dev/null 2>"$D/selftest.err"
rc=$?
check "a syscall outside the filter kills the daemon with SIGSYS (exit $rc = 128 + $(kill -l SYS 2>/dev/null || echo 31))" \
	test "$rc" = $((128 + 31))

# ---- chroot ----
mkdir -p "$D/root"
printf 'privileges:\n  user: %s\n  chroot: %s\n' "$TUSER" "$D/root" >"$D/chroot.yaml"
PORT=$(free_port)
"$BIN" -c "$D/chroot.yaml" -r "$PCAP" --serve -l "127.0.0.1:$PORT" --alerts "" 2>"$D/chroot.err" &
PID=$!
PIDS+=("$PID")
if wait_http "http://127.0.0.1:$PORT/healthz"; then
	check "chroot: the daemon's root is the chroot directory ($(readlink "/proc/$PID/root"))" \
		test "$(readlink "/proc/$PID/root")" = "$D/root"
	why=$(proc_ok "$PID" 2)
	check "chroot: every thread unprivileged ($why)" test $? = 0
	for _ in $(seq 1 50); do curl -s "http://127.0.0.1:$PORT/healthz" | grep -q '"input_done":true' && break; sleep 0.1; done
	n=$(alerts_n "http://127.0.0.1:$PORT")
	check "chroot: the API answers with the 5 alerts ($n)" test "$n" = 5
else
	bad "chroot: did not start: $(cat "$D/chroot.err")"
fi
stop_daemon "$PID"
check "chroot: SIGTERM stops it cleanly (exit $rc)" test "$rc" = 0

# ---- started as the user itself: only seccomp ----
runuser -u "$TUSER" -- "$BIN" -r "$PCAP" --no-http --alerts "" 2>"$D/nonroot.err"
rc=$?
check "started as $TUSER: runs, says there is nothing to drop but the syscalls (exit $rc)" \
	eval '[ $rc = 0 ] && grep -q "not root: nothing to drop but the syscalls" "$D/nonroot.err"'

# ---- live on a veth pair, 2 workers (fanout), SIGHUP, rotation ----
if ! command -v tcpreplay >/dev/null; then
	bad "live: tcpreplay missing"
	exit 0
fi
ip netns add "$NS_SENSOR" && ip netns add "$NS_CLIENT" || { bad "live: cannot create network namespaces"; exit 0; }
ip link add c2wp0 netns "$NS_SENSOR" type veth peer name c2wp1 netns "$NS_CLIENT" || { bad "live: cannot create veth pair"; exit 0; }
ip -n "$NS_SENSOR" addr add 198.18.0.1/24 dev c2wp0
ip -n "$NS_CLIENT" addr add 198.18.0.2/24 dev c2wp1
for ns in "$NS_SENSOR" "$NS_CLIENT"; do
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$NS_SENSOR" link set c2wp0 up
ip -n "$NS_CLIENT" link set c2wp1 up
mkdir "$D/alog"
chown "$TUSER:$TUSER" "$D/alog"
printf 'privileges:\n  user: %s\nalerts:\n  log:\n    path: %s/alog/alerts.json\n    rotate-size: 4KiB\n    keep: 2\n    fsync: always\n' \
	"$TUSER" "$D" >"$D/live.yaml"
URL=http://127.0.0.1:8653
ip netns exec "$NS_SENSOR" "$BIN" -c "$D/live.yaml" -i c2wp0 --workers 2 -l 127.0.0.1:8653 \
	--alerts "$D/live.json" 2>"$D/live.err" &
PID=$!
PIDS+=("$PID")
if ! wait_http "$URL/healthz" "$NS_SENSOR"; then
	bad "live: did not start: $(cat "$D/live.err")"
	exit 0
fi
why=$(proc_ok "$PID" 4)
check "live as $TUSER on a veth, 2 workers: every thread unprivileged, no capability, no_new_privs, seccomp ($why)" \
	test $? = 0
ip netns exec "$NS_CLIENT" tcpreplay -q -i c2wp1 "$PCAP" >"$D/tcpreplay.log" 2>&1
n=0
for _ in $(seq 1 50); do n=$(alerts_n "$URL" "$NS_SENSOR"); [ "$n" -ge 5 ] && break; sleep 0.2; done
check "live as $TUSER: C2 traffic through the veth raises the 5 alerts, the API answers ($n)" test "$n" = 5

# logrotate's way: move the file, SIGHUP, the daemon (now $TUSER) creates it again
mv "$D/live.json" "$D/live.json.1"
kill -HUP "$PID"
for _ in $(seq 1 50); do grep -q "output files reopened" "$D/live.err" && break; sleep 0.1; done
for i in 1 2 3 4 5; do
	ip netns exec "$NS_CLIENT" tcpreplay -q -i c2wp1 "$PCAP" >>"$D/tcpreplay.log" 2>&1
done
for _ in $(seq 1 50); do n=$(alerts_n "$URL" "$NS_SENSOR"); [ "$n" -ge 25 ] && break; sleep 0.2; done
for _ in $(seq 1 30); do [ "$(wc -l <"$D/live.json" 2>/dev/null || echo 0)" -ge $((n - 5)) ] && break; sleep 0.2; done
check "live: after SIGHUP the unprivileged daemon reopens its alerts file ($(wc -l <"$D/live.json" 2>/dev/null) new lines, owner $(stat -c %U "$D/live.json" 2>/dev/null))" \
	eval '[ "$(wc -l <"$D/live.json")" -ge 5 ] && [ "$(stat -c %U "$D/live.json")" = "$TUSER" ] &&
	      [ "$(wc -l <"$D/live.json.1")" = 5 ] &&
	      [ $(($(wc -l <"$D/live.json") + 5)) = "$(alerts_n "$URL" "$NS_SENSOR")" ]'
check "live: the alert log rotates with gzip as $TUSER ($(cd "$D/alog" && echo *))" \
	eval '[ -s "$D/alog/alerts.json.1.gz" ] && gzip -t "$D/alog/alerts.json.1.gz"'
why=$(proc_ok "$PID" 4)
check "live: still unprivileged and running after SIGHUP and rotation ($why)" test $? = 0
stop_daemon "$PID"
check "live: SIGTERM stops it cleanly (exit $rc)" test "$rc" = 0
exit 0
