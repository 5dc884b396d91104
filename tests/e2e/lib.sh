# tests/e2e/lib.sh — helpers the end-to-end scripts share (sourced).

# A free loopback TCP port.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# stop_pid PID [SECONDS]: SIGTERM, then wait at most SECONDS (default 5),
# SIGKILL after; sets STOP_RC to the exit status, or "timeout".
stop_pid() {
	local pid=$1 tenths=$(( ${2:-5} * 10 ))
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 1 "$tenths"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		STOP_RC=timeout
	else
		wait "$pid"
		STOP_RC=$?
	fi
}
