#!/usr/bin/env bash
# gpubox idle watchdog: shuts this box down (EC2 then stops it) after IDLE_MINUTES with no SSH
# connection, every GPU under the GPU threshold and the CPU load under the CPU threshold. A systemd timer
# runs it every minute. Its settings are the instance's tags, read through the instance metadata service
# so that a stack update changes them without a reboot:
#   gpubox-idle-minutes (0 = off), gpubox-idle-gpu-percent, gpubox-idle-cpu-percent.
# Every reading can be replaced through an environment variable, which is how its tests feed it.
set -u

STATE_DIR=${GPUBOX_STATE_DIR:-/var/lib/gpubox}
NOW=${GPUBOX_NOW:-$(date +%s)}

imds_tag() {
  local token
  token=$(curl -s -m 2 -X PUT http://169.254.169.254/latest/api/token \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 60') || return 0
  curl -s -m 2 -f -H "X-aws-ec2-metadata-token: $token" \
    "http://169.254.169.254/latest/meta-data/tags/instance/$1" || true
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

if [ ! -f "$since_file" ]; then
  echo "$NOW" > "$since_file"
  echo "idle: no ssh, GPU $gpu%, CPU $cpu%; stopping after $idle_minutes idle minutes"
  exit 0
fi

idle_for=$(( (NOW - $(cat "$since_file")) / 60 ))
if [ "$idle_for" -ge "$idle_minutes" ]; then
  rm -f "$since_file"
  echo "idle for $idle_for minutes (limit $idle_minutes): stopping this box"
  ${GPUBOX_SHUTDOWN:-shutdown -h now gpubox idle watchdog}
else
  echo "idle for $idle_for of $idle_minutes minutes"
fi
