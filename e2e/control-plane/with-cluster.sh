#!/usr/bin/env bash
# Runs CMD against a control plane and exits with CMD's exit code.
#
# Usage: with-cluster.sh CMD [ARGS...]
#   - KUBECONFIG set and its cluster answers /readyz: just runs CMD there (reuse).
#   - Otherwise: start.sh in a fresh temp dir (under $TMPDIR), exports KUBECONFIG,
#     CP_DIR, CP_APISERVER_URL, SCS_TOOLS_BIN and PATH (tools first), runs CMD,
#     then stop.sh on exit, failure, SIGINT or SIGTERM.
# On SIGINT/SIGTERM, CMD's whole process group gets SIGTERM (SIGKILL after
# CP_STOP_GRACE s), then the cluster is stopped; exit code 130/143.
# Env: everything start.sh reads (CP_CONTROLLERS, CP_START_TIMEOUT, ...);
#      CP_FRESH=1 always starts a new cluster even if KUBECONFIG works.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -ge 1 ]] || { cp_usage "$0" >&2; exit 2; }

# Reuse a reachable cluster (e.g. one started once per CI run).
if [[ -n ${KUBECONFIG:-} && ${CP_FRESH:-0} != 1 ]]; then
  kubectl=$SCS_TOOLS_BIN/kubectl
  [[ -x $kubectl ]] || kubectl=$(command -v kubectl || true)
  if [[ -n $kubectl ]] && "$kubectl" --request-timeout=5s get --raw /readyz >/dev/null 2>&1; then
    exec "$@"
  fi
  cp_log "KUBECONFIG=$KUBECONFIG is not reachable; starting a fresh control plane"
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/scs-cp.XXXXXX")
CHILD=

# shellcheck disable=SC2317 # invoked via trap
cleanup() {
  "$CP_SCRIPT_DIR/stop.sh" "$DIR" || true
}

# shellcheck disable=SC2317 # invoked via trap
on_signal() {
  trap '' INT TERM   # a second Ctrl-C must not abort the cleanup
  cp_log "caught SIG$1; stopping"
  if [[ -n $CHILD ]] && kill -0 "$CHILD" 2>/dev/null; then
    # CMD runs in its own process group (setsid below): signal all of it.
    kill -TERM -- "-$CHILD" 2>/dev/null || true
    local i
    for ((i = 0; i < ${CP_STOP_GRACE:-10} * 10; i++)); do
      kill -0 "$CHILD" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$CHILD" 2>/dev/null || true
  fi
  cleanup
  trap - EXIT
  exit "$2"
}
trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM

"$CP_SCRIPT_DIR/start.sh" "$DIR" >/dev/null
# shellcheck source=/dev/null
source "$DIR/env"

# CMD runs in the background so that `wait` returns as soon as we get a signal
# (bash defers traps while a foreground child runs). setsid gives it its own
# process group so the whole tree can be signalled; stdin stays the caller's.
setsid "$@" <&0 &
CHILD=$!
rc=0
wait "$CHILD" || rc=$?
exit "$rc"
