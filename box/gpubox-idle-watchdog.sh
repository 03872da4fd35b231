#!/usr/bin/env bash
# gpubox idle watchdog: shuts this box down (EC2 then stops it) after IDLE_MINUTES with no SSH
# connection, every GPU under the GPU threshold and the CPU load under the CPU threshold. A systemd timer
# runs it every minute. Its settings are the instance's tags, read through the instance metadata service
# so that a stack update changes them without a reboot:
#   gpubox-idle-minutes (0 = off), gpubox-idle-gpu-percent, gpubox-idle-cpu-percent.
# Idle time counts from this boot at the earliest: a stop that is not the watchdog's own (the nightly stop,
# /stop, the console) must not leave an idle streak behind that stops the box minutes after its next start.
# So the streak lives on a tmpfs (/run) and names the boot it belongs to; a streak from another boot, or
# a state file that cannot be read or makes no sense, means "no streak yet" and the count starts again.
# Every reading can be replaced through an environment variable, which is how its tests feed it.
set -u

STATE_DIR=${GPUBOX_STATE_DIR:-/run/gpubox}
NOW=${GPUBOX_NOW:-$(date +%s)}
IMDS=${GPUBOX_IMDS:-http://169.254.169.254}

# imds_tag KEY: the instance tag KEY through IMDSv2 (a session token, then the tag); nothing on any failure.
imds_tag() {
  local token
  token=$(curl -sf -m 2 -X PUT "$IMDS/latest/api/token" \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 60') || return 0
  curl -sf -m 2 -H "X-aws-ec2-metadata-token: $token" \
    "$IMDS/latest/meta-data/tags/instance/$1" || true
}

# The kernel's id for this boot (new at every boot); "unknown" if it cannot be read, and then the tmpfs
# alone keeps an earlier boot's streak away.
boot_id() {
  local id=''
  { read -r id < "${GPUBOX_BOOT_ID_FILE:-/proc/sys/kernel/random/boot_id}"; } 2>/dev/null
  if [[ "$id" =~ ^[0-9a-f-]+$ ]]; then echo "$id"; else echo unknown; fi
}

# idle_since FILE BOOT_ID: when this boot's idle streak began (seconds since the epoch), or nothing.
# FILE holds "SINCE BOOT_ID"; missing, empty, unreadable, malformed, from another boot or in the future:
# nothing.
idle_since() {
  local since='' boot='' rest=''
  { read -r since boot rest < "$1"; } 2>/dev/null
  if [[ "$since" =~ ^[0-9]{1,18}$ && "$boot" == "$2" && -z "$rest" ]] && (( 10#$since <= NOW )); then
    echo $(( 10#$since ))
  fi
}

# setting ENV_NAME TAG DEFAULT: the environment wins, then the instance tag, then the default.
setting() {
  local value=${!1:-}
  if [ -z "$value" ]; then
    value=$(${GPUBOX_TAG_READER:-imds_tag} "$2")
  fi
  if [[ "$value" =~ ^[0-9]+$ ]]; then echo "$value"; else echo "$3"; fi
}

ssh_sessions() {
  ${GPUBOX_SS:-ss} -Htn state established '( sport = :22 )' 2>/dev/null | grep -c . || true
}

# The busiest GPU's utilisation in percent; 0 when nvidia-smi is missing or fails (no usable GPU).
gpu_percent() {
  ${GPUBOX_NVIDIA_SMI:-nvidia-smi} --query-gpu=utilization.gpu --format=csv,noheader,nounits 2>/dev/null |
    awk 'BEGIN { max = 0 } /^[ 0-9]+$/ { if ($1 + 0 > max) max = $1 + 0 } END { print max }'
}

# The 1-minute load average as a percentage of the cores.
cpu_percent() {
  local cores
  cores=$(${GPUBOX_NPROC:-nproc})
  awk -v cores="$cores" '{ printf "%d\n", $1 * 100 / cores }' "${GPUBOX_LOADAVG:-/proc/loadavg}"
}

idle_minutes=$(setting GPUBOX_IDLE_MINUTES gpubox-idle-minutes 0)
gpu_limit=$(setting GPUBOX_IDLE_GPU_PERCENT gpubox-idle-gpu-percent 5)
cpu_limit=$(setting GPUBOX_IDLE_CPU_PERCENT gpubox-idle-cpu-percent 10)
mkdir -p "$STATE_DIR"
since_file="$STATE_DIR/idle-since"
this_boot=$(boot_id)

if [ "$idle_minutes" -le 0 ]; then
  rm -f "$since_file"
  exit 0
fi

sessions=$(ssh_sessions)
gpu=$(gpu_percent)
cpu=$(cpu_percent)
if [ "$sessions" -gt 0 ] || [ "$gpu" -ge "$gpu_limit" ] || [ "$cpu" -ge "$cpu_limit" ]; then
  rm -f "$since_file"
  echo "busy: $sessions ssh connection(s), GPU $gpu% (idle below $gpu_limit%), CPU $cpu% (idle below $cpu_limit%)"
  exit 0
fi

since=$(idle_since "$since_file" "$this_boot")
if [ -z "$since" ]; then
  if [ -e "$since_file" ]; then
    echo "ignoring $since_file: not this boot's idle streak, or unreadable"
    rm -rf -- "$since_file"
  fi
  if ! printf '%s %s\n' "$NOW" "$this_boot" > "$since_file"; then
    echo "cannot record the idle streak in $since_file" >&2
    exit 1
  fi
  echo "idle: no ssh, GPU $gpu%, CPU $cpu%; stopping after $idle_minutes idle minutes"
  exit 0
fi

idle_for=$(( (NOW - since) / 60 ))
if [ "$idle_for" -ge "$idle_minutes" ]; then
  rm -f "$since_file"
  echo "idle for $idle_for minutes (limit $idle_minutes): stopping this box"
  ${GPUBOX_SHUTDOWN:-shutdown -h now gpubox idle watchdog}
else
  echo "idle for $idle_for of $idle_minutes minutes"
fi
