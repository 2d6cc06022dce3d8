#!/usr/bin/env bash
# Starts a local control plane (etcd + kube-apiserver, optionally
# kube-controller-manager) on 127.0.0.1 with its own CA, in DIR.
#
# Usage: start.sh DIR
#   DIR must not exist or be empty. On success it holds:
#     kubeconfig   admin (system:masters) client-cert kubeconfig, absolute paths
#     env          `export KUBECONFIG=... CP_DIR=... CP_APISERVER_URL=...` + PATH
#     pki/         ca.crt/key, apiserver, etcd, admin certs, sa.key/sa.pub
#     *.pid *.log  one per process; etcd-data/ is etcd's data dir
#   Stop with stop.sh DIR.
# Env:
#   CP_START_TIMEOUT=90    seconds to wait for /readyz
#   CP_CONTROLLERS=1       also run kube-controller-manager with only the
#                          garbage-collector and namespace controllers
#   CP_APISERVER_ARGS=...  extra kube-apiserver flags (word-split)
#   CP_NO_BUILD=1          fail instead of running build-tools.sh when tools are missing
#   CP_KEEP_ON_FAILURE=1   keep DIR (logs) when startup fails
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -eq 1 && $1 != -* ]] || { cp_usage "$0" >&2; exit 2; }
for cmd in openssl curl python3; do
  command -v "$cmd" >/dev/null 2>&1 || cp_die "'$cmd' is required but not on PATH"
done

CP_START_TIMEOUT=${CP_START_TIMEOUT:-90}
CP_CONTROLLERS=${CP_CONTROLLERS:-0}

# ---------------------------------------------------------------- binaries
need=(etcd kube-apiserver)
[[ $CP_CONTROLLERS == 1 ]] && need+=(kube-controller-manager)
have_tools() { local b; for b in "${need[@]}"; do [[ -x $SCS_TOOLS_BIN/$b ]] || return 1; done; }
if ! have_tools; then
  [[ ${CP_NO_BUILD:-0} != 1 ]] || cp_die "tools missing in $SCS_TOOLS_BIN; run $CP_SCRIPT_DIR/build-tools.sh"
  cp_log "tools missing in $SCS_TOOLS_BIN; running build-tools.sh"
  "$CP_SCRIPT_DIR/build-tools.sh" >&2
  have_tools || cp_die "build-tools.sh did not produce ${need[*]} in $SCS_TOOLS_BIN"
fi

# -------------------------------------------------------------------- DIR
mkdir -p "$1"
DIR=$(cd "$1" && pwd)
[[ -z $(ls -A "$DIR") ]] || cp_die "$DIR is not empty (already running? use stop.sh $DIR first)"
# stop.sh only deletes directories carrying this marker.
touch "$DIR/.scs-control-plane"
P=$DIR/pki
mkdir -p "$P"

STARTED_OK=0
on_exit() {
  local rc=$?
  ((STARTED_OK)) && return 0
  cp_log "startup failed; stopping what was started"
  cp_stop_all "$DIR"
  wait 2>/dev/null || true
  local f
  for f in "$DIR"/*.log; do
    [[ -s $f ]] || continue
    printf '\n----- last 40 lines of %s -----\n' "$f" >&2
    tail -n 40 "$f" >&2
  done
  if [[ ${CP_KEEP_ON_FAILURE:-0} == 1 ]]; then
    cp_log "kept $DIR (CP_KEEP_ON_FAILURE=1)"
  else
    rm -rf "$DIR"
  fi
  exit $((rc ? rc : 1))
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# -------------------------------------------------------------------- PKI
# EC P-256 keys in PKCS#8 PEM (openssl genpkey's format): accepted by Go, curl and
# rustls. One CA signs the serving certs and the client certs.
cat >"$P/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
[apiserver]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP:127.0.0.1, IP:10.0.0.1
authorityKeyIdentifier = keyid
[etcd]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
EOF
ossl() { openssl "$@" 2>>"$P/openssl.log" || cp_die "openssl $1 failed: $(tail -n 5 "$P/openssl.log")"; }
ec_key() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$P/$1.key"; }
# cert NAME SUBJECT SECTION: key + cert signed by the CA.
cert() {
  ec_key "$1"
  ossl req -new -config "$P/openssl.cnf" -key "$P/$1.key" -subj "$2" -out "$P/$1.csr"
  ossl x509 -req -sha256 -days 3650 -in "$P/$1.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -extfile "$P/openssl.cnf" -extensions "$3" -out "$P/$1.crt"
  rm -f "$P/$1.csr"
}
ec_key ca
ossl req -x509 -new -sha256 -days 3650 -config "$P/openssl.cnf" -key "$P/ca.key" \
  -subj "/CN=scs-cert-operator-local-ca" -extensions ca -out "$P/ca.crt"
cert apiserver "/CN=kube-apiserver" apiserver
cert etcd "/CN=etcd" etcd
cert apiserver-etcd-client "/CN=kube-apiserver-etcd-client" client
cert admin "/O=system:masters/CN=scs-admin" client
# ServiceAccount token signing key pair (RS256, what kubeadm uses).
ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$P/sa.key"
ossl pkey -in "$P/sa.key" -pubout -out "$P/sa.pub"
chmod 600 "$P"/*.key

# ------------------------------------------------------------------ helpers
# N free TCP ports on 127.0.0.1, all held open at once so they are distinct.
free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# wait_for NAME PIDFILE LOGFILE DEADLINE URL [curl args]: poll URL until it
# answers 2xx; fail early when the process died.
wait_for() {
  local name=$1 pidfile=$2 log=$3 deadline=$4 url=$5
  shift 5
  while :; do
    curl -fsS -o /dev/null --max-time 2 "$@" "$url" 2>/dev/null && return 0
    if ! cp_pid_is "$(<"$pidfile")" "$name"; then
      cp_log "$name exited during startup (log: $log)"
      return 1
    fi
    if (($(date +%s) >= deadline)); then
      cp_log "timed out after ${CP_START_TIMEOUT}s waiting for $url"
      return 1
    fi
    sleep 0.25
  done
}

# Daemons run in their own session (setsid) so a Ctrl-C in the terminal that ran
# start.sh does not reach them, with stdin/stdout detached so callers capturing
# our output do not hang.
launch() {
  local name=$1
  shift
  setsid "$SCS_TOOLS_BIN/$name" "$@" </dev/null >"$DIR/$name.log" 2>&1 &
  echo $! >"$DIR/$name.pid"
}

CLIENT_CURL=(--cacert "$P/ca.crt" --cert "$P/admin.crt" --key "$P/admin.key")

# One attempt with fresh ports. Returns 2 when a port was taken meanwhile
# (race with another process), so the caller retries.
start_once() {
  local etcd_port peer_port api_port deadline
  read -r etcd_port peer_port api_port < <(free_ports 3) || true
  [[ -n ${api_port:-} ]] || { cp_log "could not allocate free ports (python3)"; return 1; }
  ETCD_URL=https://127.0.0.1:$etcd_port
  API_URL=https://127.0.0.1:$api_port
  deadline=$(($(date +%s) + CP_START_TIMEOUT))

  cp_log "starting etcd on $ETCD_URL"
  # --unsafe-no-fsync: throwaway data, much faster writes. Both listen and
  # advertise client URLs: etcd 3.6 clears the advertise list otherwise.
  launch etcd \
    --name=scs-local --data-dir="$DIR/etcd-data" \
    --listen-client-urls="$ETCD_URL" --advertise-client-urls="$ETCD_URL" \
    --listen-peer-urls="http://127.0.0.1:$peer_port" \
    --initial-advertise-peer-urls="http://127.0.0.1:$peer_port" \
    --initial-cluster="scs-local=http://127.0.0.1:$peer_port" \
    --cert-file="$P/etcd.crt" --key-file="$P/etcd.key" \
    --trusted-ca-file="$P/ca.crt" --client-cert-auth=true \
    --unsafe-no-fsync=true --log-level=warn
  if ! wait_for etcd "$DIR/etcd.pid" "$DIR/etcd.log" "$deadline" "$ETCD_URL/health" \
    --cacert "$P/ca.crt" --cert "$P/apiserver-etcd-client.crt" --key "$P/apiserver-etcd-client.key"; then
    grep -q 'address already in use' "$DIR/etcd.log" && return 2
    return 1
  fi

  cp_log "starting kube-apiserver on $API_URL"
  local extra=()
  # shellcheck disable=SC2206 # word splitting of extra flags is intended
  [[ -n ${CP_APISERVER_ARGS:-} ]] && extra=($CP_APISERVER_ARGS)
  # --advertise-address: otherwise it resolves the default-route interface and
  #   fails where there is none. --endpoint-reconciler-type=none: no bogus
  #   endpoint for the kubernetes Service. ServiceAccount admission off: no
  #   controller creates the `default` ServiceAccount it would require.
  launch kube-apiserver \
    --bind-address=127.0.0.1 --secure-port="$api_port" --advertise-address=127.0.0.1 \
    --cert-dir="$P" --tls-cert-file="$P/apiserver.crt" --tls-private-key-file="$P/apiserver.key" \
    --client-ca-file="$P/ca.crt" \
    --etcd-servers="$ETCD_URL" --etcd-cafile="$P/ca.crt" \
    --etcd-certfile="$P/apiserver-etcd-client.crt" --etcd-keyfile="$P/apiserver-etcd-client.key" \
    --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$P/sa.pub" --service-account-signing-key-file="$P/sa.key" \
    --service-cluster-ip-range=10.0.0.0/24 \
    --disable-admission-plugins=ServiceAccount \
    --endpoint-reconciler-type=none \
    --allow-privileged=true --profiling=false \
    "${extra[@]}"
  if ! wait_for kube-apiserver "$DIR/kube-apiserver.pid" "$DIR/kube-apiserver.log" "$deadline" \
    "$API_URL/readyz" "${CLIENT_CURL[@]}"; then
    grep -q 'address already in use' "$DIR/kube-apiserver.log" && return 2
    return 1
  fi
  return 0
}

T0=$(date +%s)
for attempt in 1 2 3; do
  rc=0
  start_once || rc=$?
  ((rc == 0)) && break
  ((rc == 2 && attempt < 3)) || exit 1
  cp_log "a port was taken meanwhile; retrying with new ports"
  cp_stop_all "$DIR"
  wait 2>/dev/null || true
  rm -rf "$DIR/etcd-data" "$DIR"/*.log "$DIR"/*.pid
done

# ------------------------------------------------------------- kubeconfig
cat >"$DIR/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: scs-local
  cluster:
    server: $API_URL
    certificate-authority: $P/ca.crt
users:
- name: scs-admin
  user:
    client-certificate: $P/admin.crt
    client-key: $P/admin.key
contexts:
- name: scs-local
  context:
    cluster: scs-local
    user: scs-admin
    namespace: default
current-context: scs-local
EOF
chmod 600 "$DIR/kubeconfig"

{
  printf 'export KUBECONFIG=%q\n' "$DIR/kubeconfig"
  printf 'export CP_DIR=%q\n' "$DIR"
  printf 'export CP_APISERVER_URL=%q CP_ETCD_URL=%q\n' "$API_URL" "$ETCD_URL"
  printf 'export SCS_TOOLS_BIN=%q\n' "$SCS_TOOLS_BIN"
  # shellcheck disable=SC2016
  printf 'case ":$PATH:" in *:%q:*) ;; *) export PATH=%q:"$PATH" ;; esac\n' "$SCS_TOOLS_BIN" "$SCS_TOOLS_BIN"
} >"$DIR/env"

if [[ $CP_CONTROLLERS == 1 ]]; then
  # Only GC (ownerReference cascades) and namespace deletion; never the job
  # controller: the e2e harness plays it. --secure-port=0: no serving, so no
  # authn/authz delegation config is needed.
  cp_log "starting kube-controller-manager (garbage-collector, namespace)"
  launch kube-controller-manager \
    --kubeconfig="$DIR/kubeconfig" --leader-elect=false --secure-port=0 \
    --controllers=garbage-collector-controller,namespace-controller
  sleep 1
  cp_pid_is "$(<"$DIR/kube-controller-manager.pid")" kube-controller-manager ||
    cp_die "kube-controller-manager exited during startup"
fi

STARTED_OK=1
cp_log "control plane ready in $(($(date +%s) - T0))s: $API_URL (kubernetes $K8S_VERSION)"
echo "source $DIR/env   # or: export KUBECONFIG=$DIR/kubeconfig"
