#!/usr/bin/env bash
# make faults: the live faults (faults.sh) and resource bounds (flood.sh) at
# SCALE times the floods of make test, then the table of README "Faults":
# fault, how injected, what was sent, what was alerted and logged, what was
# lost.  Exit status non-zero when a check failed.
# Usage: faults_table.sh BUILD [SCALE]
set -u
BUILD=${1:-build}
SCALE=${2:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$BUILD/faults-out
rm -rf "$OUT"
mkdir -p "$OUT"
if [ "$(id -u)" -ne 0 ] || ! command -v tcpreplay >/dev/null; then
	echo "make faults needs root (network namespaces) and tcpreplay" >&2
	exit 2
fi
bash "$HERE/faults.sh" "$BUILD/c2watchd" "$OUT" "$SCALE"
bash "$HERE/flood.sh" "$BUILD/c2watchd" "$OUT" "$SCALE"
cat "$OUT/faults.results" "$OUT/flood.results"
echo
echo "| fault | injected | sent | alerted, logged | lost |"
echo "|---|---|---|---|---|"
cat "$OUT/faults.table"
echo
echo "| flood | memory | overflow counter | held (cap) | C2 lookups |"
echo "|---|---|---|---|---|"
cat "$OUT/flood.table"
! grep -q '^FAIL' "$OUT/faults.results" "$OUT/flood.results"
