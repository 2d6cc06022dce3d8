# Shared helpers for the control-plane scripts. Source it; do not run it.
# shellcheck shell=bash disable=SC2034

CP_SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$CP_SCRIPT_DIR/versions.env"

# Everything built or downloaded lives here, never in the repo.
SCS_TOOLS_CACHE=${SCS_TOOLS_CACHE:-${HOME:?HOME is not set}/.cache/scs-cert-operator}
CP_TOOLS_DIR=$SCS_TOOLS_CACHE/tools   # <name>-<version>/<name>
CP_SRC_DIR=$SCS_TOOLS_CACHE/src       # generated wrapper Go modules

K8S_MINOR=$(cut -d. -f2 <<<"$K8S_VERSION")   # v1.34.4 -> 34
# helm's built-in default kube version (Capabilities.KubeVersion) is compiled
# in, so the helm binary is per (helm version, kube minor).
HELM_TOOL_VERSION=$HELM_VERSION-kube1.$K8S_MINOR

# SCS_TOOLS_BIN: one directory with symlinks to exactly this version set, so a
# single PATH entry is enough. Overriding it points the scripts at other binaries.
SCS_TOOLS_BIN=${SCS_TOOLS_BIN:-$SCS_TOOLS_CACHE/bin/k8s-$K8S_VERSION.etcd-$ETCD_VERSION.helm-$HELM_VERSION}

cp_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
cp_die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# Path of the cached binary NAME at VERSION.
cp_tool_path() { printf '%s/%s-%s/%s\n' "$CP_TOOLS_DIR" "$1" "$2" "$1"; }

# True if PID is alive and runs the binary NAME (guards against PID reuse).
cp_pid_is() {
  local exe
  exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
  exe=${exe##*/}
  [[ $exe == "$2" || $exe == "$2 (deleted)" ]]
}

# cp_stop_pidfile NAME PIDFILE: SIGTERM, then SIGKILL after CP_STOP_GRACE
# seconds (default 10). Never fails; a missing or stale pid file is fine.
cp_stop_pidfile() {
  local name=$1 file=$2 grace=${CP_STOP_GRACE:-10} pid i
  [[ -f $file ]] || return 0
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  cp_pid_is "$pid" "$name" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    cp_pid_is "$pid" "$name" || return 0
    sleep 0.1
  done
  cp_log "$name (pid $pid) still running ${grace}s after SIGTERM; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    cp_pid_is "$pid" "$name" || return 0
    sleep 0.1
  done
  cp_log "WARNING: $name (pid $pid) survived SIGKILL"
}

# Stop everything a start.sh in DIR started, in reverse start order.
cp_stop_all() {
  cp_stop_pidfile kube-controller-manager "$1/kube-controller-manager.pid"
  cp_stop_pidfile kube-apiserver "$1/kube-apiserver.pid"
  cp_stop_pidfile etcd "$1/etcd.pid"
}

# Print the leading comment block of script $1 (its usage text).
cp_usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$1"; }
