#!/usr/bin/env bash
# cpu-affinity: the daemon's threads, read from /proc while they run, must
# be where the config puts them: workers on the worker CPU, every other
# thread (HTTP, alert log) on the management CPU.  Two runs with two
# workers each: live on loopback (worker 0 is the main thread), and a
# replay from a pipe held open (the main thread reads, two threads work).
# An event stream holds an HTTP connection thread open meanwhile.
# Writes "ok ..." / "FAIL ..." lines to OUT/affinity.results.
set -u
BIN=$1 OUT=$2 PCAP=$3
RES=$OUT/affinity.results
: >"$RES"
ok()  { echo "ok   affinity: $*" >>"$RES"; }
bad() { echo "FAIL affinity: $*" >>"$RES"; }

# The first and the last CPU this shell may use (the same on one CPU).
read -r WCPU MCPU < <(python3 -c 'import os; c = sorted(os.sched_getaffinity(0)); print(c[0], c[-1])')
D=$OUT/affinity
mkdir -p "$D"
printf 'cpu-affinity:\n  workers: %s\n  management: [%s]\n' "$WCPU" "$MCPU" >"$D/pin.yaml"

run() {   # mode: live | pipe
	local mode=$1 port url pid sse rc workers
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	url=http://127.0.0.1:$port
	if [ "$mode" = live ]; then
		"$BIN" -c "$D/pin.yaml" -i lo --workers 2 --alerts "" --alert-log "$D/$mode.json" \
			-l "127.0.0.1:$port" 2>"$D/$mode.err" &
		workers='c2w-worker1'
	else
		# more than the reader's first block, then the pipe stays open
		(cat "$PCAP"; sleep 3) | "$BIN" -c "$D/pin.yaml" -r - --workers 2 --alerts "" \
			--alert-log "$D/$mode.json" -l "127.0.0.1:$port" --serve 2>"$D/$mode.err" &
		workers='c2w-worker[01]'
	fi
	pid=$!
	for _ in $(seq 1 100); do
		curl -sf -o /dev/null "$url/readyz" && break
		sleep 0.1
	done
	curl -sN "$url/api/v1/alerts/stream" >/dev/null 2>&1 &
	sse=$!
	sleep 0.5
	for t in /proc/$pid/task/*; do   # tid name cpus
		printf '%s %s %s\n' "${t##*/}" "$(cat "$t/comm" 2>/dev/null)" \
			"$(awk '/^Cpus_allowed_list/ {print $2}' "$t/status" 2>/dev/null)"
	done >"$D/$mode.threads"
	kill "$sse" 2>/dev/null
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	local T=$D/$mode.threads
	grep -q "cpu-affinity: workers on CPUs $WCPU, other threads on $MCPU" "$D/$mode.err" &&
		ok "$mode: startup logs where the threads run" || bad "$mode: no cpu-affinity line in: $(cat "$D/$mode.err")"
	awk -v p="$pid" -v w="$WCPU" '$1 == p && $3 == w' "$T" | grep -q . &&
		ok "$mode: the main thread (worker 0 live, the reader in a replay) on the worker CPU $WCPU" ||
		bad "$mode: main thread: $(awk -v p="$pid" '$1 == p' "$T")"
	local want=1
	[ "$mode" = pipe ] && want=2
	n=$(awk -v w="$WCPU" -v re="^$workers\$" '$2 ~ re && $3 == w' "$T" | wc -l)
	[ "$n" = "$want" ] && ok "$mode: $want worker thread(s) named c2w-workerN on CPU $WCPU" ||
		bad "$mode: workers: $(tr '\n' ';' <"$T")"
	grep -q ' c2w-http ' "$T" && grep -q ' c2w-alertlog ' "$T" &&
		ok "$mode: the HTTP connection thread and the alert log writer are named" ||
		bad "$mode: names: $(tr '\n' ';' <"$T")"
	others=$(awk -v p="$pid" -v m="$MCPU" '$1 != p && $2 !~ /^c2w-worker/ && $3 != m' "$T")
	n=$(awk -v p="$pid" '$1 != p && $2 !~ /^c2w-worker/' "$T" | wc -l)
	[ -z "$others" ] && [ "$n" -ge 3 ] && ok "$mode: all $n other threads (HTTP, alert log) on the management CPU $MCPU" ||
		bad "$mode: off the management CPU: $others (of $n)"
	[ "$rc" = 0 ] && ! grep -q Sanitizer "$D/$mode.err" && ok "$mode: the pinned daemon stops cleanly" ||
		bad "$mode: exit $rc: $(cat "$D/$mode.err")"
}
run live
run pipe
