#!/usr/bin/env bash
# ./gpubox bench cli [--runs N (10)]: wall and CPU time of ./gpubox status, snooze and down against local
# mode, as a user runs them (pick_jdk, the launch block, the JVM, the HTTP call), beside the plain
# `java -cp gpubox-cli.jar` launch the script used before (no archive, C2), measured in the same minutes so
# the machine's load weighs on both alike. Prints median/min/max; docs/performance.md, "The laptop CLI".
set -euo pipefail
cd "$(dirname "$0")/.."
runs=10
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: ./gpubox bench cli [--runs N (10)]" >&2; exit 2 ;;
  esac
done
java=$(./gpubox jdk)/bin/java
[ -f local/target/gpubox-local.jar ] && [ -f cli/target/gpubox-cli.jar ] \
  || { echo "gpubox bench cli: run ./gpubox package first." >&2; exit 2; }
port=$((20000 + RANDOM % 20000))
work=$(mktemp -d "${TMPDIR:-/tmp}/gpubox-cli-bench.XXXXXX")
export XDG_CONFIG_HOME=$work/config
"$java" -jar local/target/gpubox-local.jar --port "$port" --api-key bench-key --timezone UTC \
  --start-seconds 1 --stop-seconds 1 --shutdown-time 23:59 >"$work/local.log" 2>&1 &
local_pid=$!
trap 'kill "$local_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
./gpubox login --url "http://127.0.0.1:$port" --key bench-key >/dev/null
./gpubox status >/dev/null # the first run after a build makes the class-data archive; not timed
sleep 10                   # JDK 25+ assembles it in the background

running() { # starts the box and waits for running (after --start-seconds); a box still stopping from the
  # last `down` refuses the start (wrong_state), so it is asked again until it is stopped and starts
  local state
  for _ in $(seq 100); do
    state=$(curl -s -H "x-api-key: bench-key" "http://127.0.0.1:$port/status" | sed -n 's/^{[^{]*"state" *: *"\([a-z-]*\)".*/\1/p')
    case "$state" in
      running) return 0 ;;
      stopped) curl -s -X POST -H "x-api-key: bench-key" "http://127.0.0.1:$port/start" >/dev/null ;;
    esac
    sleep 0.2
  done
  echo "gpubox bench cli: the box did not reach running (last state: ${state:-none})" >&2; exit 1
}
timed() { # LABEL COMMAND...: appends "wall cpu" seconds to $work/LABEL; fails if the command fails
  local t0 t1 cpu
  t0=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$work/cpu" "${@:2}" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  t1=$(date +%s%N)
  cpu=$(awk '{ print $1 + $2 }' "$work/cpu")
  echo "$(( (t1 - t0) / 1000000 )) $cpu" >>"$work/$1"
}
plain=("$java" -cp cli/target/gpubox-cli.jar dev.gpubox.cli.Cli)
for _ in $(seq "$runs"); do
  for how in gpubox plain; do
    if [ "$how" = gpubox ]; then run=(./gpubox); else run=("${plain[@]}"); fi
    running
    timed "$how-snooze" "${run[@]}" snooze "$(date -u -d '+2 hours' +%H:%M)"
    timed "$how-down" "${run[@]}" down
    timed "$how-status" "${run[@]}" status
  done
done
echo "gpubox bench cli: $runs runs each, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$java" -version 2>&1 | head -1)"
printf '%-34s %10s %10s %10s %12s\n' command "wall med" min max "cpu med"
for how in gpubox plain; do
  for c in status snooze down; do
    label="./gpubox $c"; [ "$how" = plain ] && label="java -cp gpubox-cli.jar Cli $c"
    cpu=$(sort -g -k2,2 "$work/$how-$c" | awk '{ c[NR] = $2 } END { print c[int((NR + 1) / 2)] }')
    sort -n "$work/$how-$c" | awk -v l="$label" -v cpu="$cpu" '{ w[NR] = $1 }
      END { printf "%-34s %8.2f s %8.2f s %8.2f s %10.2f s\n", l, w[int((NR + 1) / 2)] / 1000, w[1] / 1000, w[NR] / 1000, cpu }'
  done
done
