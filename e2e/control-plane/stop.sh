#!/usr/bin/env bash
# Stops a control plane started by start.sh DIR and removes DIR.
# Usage: stop.sh DIR
# Idempotent: succeeds when DIR is gone or the processes are already dead.
# Each process gets SIGTERM, then SIGKILL after CP_STOP_GRACE seconds (default 10).
# DIR is only removed if start.sh created it (it holds .scs-control-plane).
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -eq 1 && $1 != -* ]] || { cp_usage "$0" >&2; exit 2; }
DIR=$1
[[ -d $DIR ]] || exit 0

cp_stop_all "$DIR"
if [[ -e $DIR/.scs-control-plane ]]; then
  rm -rf "$DIR"
else
  cp_log "not removing $DIR: it was not created by start.sh (no .scs-control-plane marker)"
fi
