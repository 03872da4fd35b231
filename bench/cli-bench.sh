#!/usr/bin/env bash
# ./gpubox bench cli [--runs N (10)] [--before DIR]: wall and CPU time of ./gpubox status, snooze and down
# against local mode, as a user runs them (pick_jdk, the launch block, the JVM, the HTTP call), beside the
# plain `java -cp gpubox-cli.jar` launch (no archive, C2) and, with --before, beside DIR/gpubox: another
# checkout of gpubox (an earlier commit, built with ./gpubox package), so that today's figure is measured
# in the same minutes and the machine's load weighs on all alike. Prints median/min/max and the load
# average; docs/performance.md, "The laptop CLI".
set -euo pipefail
cd "$(dirname "$0")/.."
runs=10 before=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --before) before=$(cd "$2" && pwd); shift 2 ;;
    *) echo "usage: ./gpubox bench cli [--runs N (10)] [--before DIR (an earlier checkout, built)]" >&2; exit 2 ;;
  esac
done
[ -z "$before" ] || [ -f "$before/cli/target/gpubox-cli.jar" ] \
  || { echo "gpubox bench cli: $before/cli/target/gpubox-cli.jar is missing; run ./gpubox package there." >&2; exit 2; }
hows=(gpubox plain ${before:+before})
load_before=$(cut -d' ' -f1 /proc/loadavg)
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
[ -z "$before" ] || "$before/gpubox" status >/dev/null
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
  for how in "${hows[@]}"; do
    case "$how" in gpubox) run=(./gpubox) ;; plain) run=("${plain[@]}") ;; before) run=("$before/gpubox") ;; esac
    running
    timed "$how-snooze" "${run[@]}" snooze "$(date -u -d '+2 hours' +%H:%M)"
    timed "$how-down" "${run[@]}" down
    timed "$how-status" "${run[@]}" status
  done
done
echo "gpubox bench cli: $runs runs each, $(nproc) cores, load average (1 min) $load_before at the start, $(cut -d' ' -f1 /proc/loadavg) at the end, $("$java" -version 2>&1 | head -1)"
printf '%-34s %10s %10s %10s %12s\n' command "wall med" min max "cpu med"
for how in "${hows[@]}"; do
  for c in status snooze down; do
    case "$how" in
      gpubox) label="./gpubox $c" ;;
      plain) label="java -cp gpubox-cli.jar Cli $c" ;;
      before) label="before: $(git -C "$before" log -1 --format=%h 2>/dev/null || basename "$before") $c" ;;
    esac
    cpu=$(sort -g -k2,2 "$work/$how-$c" | awk '{ c[NR] = $2 } END { print c[int((NR + 1) / 2)] }')
    sort -n "$work/$how-$c" | awk -v l="$label" -v cpu="$cpu" '{ w[NR] = $1 }
      END { printf "%-34s %8.2f s %8.2f s %8.2f s %10.2f s\n", l, w[int((NR + 1) / 2)] / 1000, w[1] / 1000, w[NR] / 1000, cpu }'
  done
done
