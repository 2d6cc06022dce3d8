#!/usr/bin/env bash
# The whole product on this machine (`make run`): a local control plane (etcd +
# kube-apiserver), the CRDs, the operator, the local Job executor and the demo resources of
# demo/ (documented in demo/README.md); waits for the first check runs, prints where to look
# and keeps running until Ctrl-C, then stops everything it started.
#
# Usage: hack/run.sh [--until-ready] [--dir DIR] [--port PORT]
#   --until-ready  stop everything and exit 0 once the demo is ready (first runs done,
#                  listing served with every demo entry); for CI and scripts
#   --dir DIR      run directory (default: .run in the repository; not under /tmp, which the
#                  local Job executor maps into check pods)
#   --port PORT    port of the operator on 127.0.0.1: listing, report intake (default 8080)
# Env:
#   SCS_CERT=PATH        use this scs-cert binary instead of building one (`cargo build`)
#   SCS_RUN_WAIT=SECONDS how long to wait for the first runs and the listing (default 600)
#   SCS_TOOLS_CACHE ...  see e2e/control-plane/README.md (the control plane's binaries)
# Logs: DIR/operator.log, DIR/executor.log, DIR/cp/*.log; check pods: DIR/executor/.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CP_SCRIPTS=$REPO/e2e/control-plane
# shellcheck source=e2e/control-plane/lib.sh
source "$CP_SCRIPTS/lib.sh"

UNTIL_READY=0
DIR=$REPO/.run
PORT=8080
while (($#)); do
  case $1 in
    --until-ready) UNTIL_READY=1 ;;
    --dir) DIR=${2:?--dir needs a directory}; shift ;;
    --port) PORT=${2:?--port needs a number}; shift ;;
    -h | --help) cp_usage "$0"; exit 0 ;;
    *) printf 'hack/run.sh: unknown argument %q\n\n' "$1" >&2; cp_usage "$0" >&2; exit 2 ;;
  esac
  shift
done
WAIT=${SCS_RUN_WAIT:-600}
NS=scs-demo
URL=http://127.0.0.1:$PORT

# ------------------------------------------------------------------ output
T_START=$(date +%s%N)
STEP=0
STEPS=9
STEP_T0=0
now_ns() { date +%s%N; }
secs_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
step() {
  STEP=$((STEP + 1))
  STEP_T0=$(now_ns)
  printf '[%d/%d] %s\n' "$STEP" "$STEPS" "$*"
}
ok() { printf '      ok (%ss)%s\n' "$(secs_since "$STEP_T0")" "${1:+: $1}"; }
note() { printf '      %s\n' "$*"; }
# fail WHAT TODO [LOG...]: say what failed and what to do, show the end of the logs, stop.
fail() {
  local what=$1 todo=$2 log
  shift 2
  printf '\nERROR: %s\n' "$what" >&2
  for log in "$@"; do
    [[ -s $log ]] || continue
    printf -- '----- last 25 lines of %s -----\n' "$log" >&2
    tail -n 25 "$log" >&2
  done
  printf '\nWhat to do: %s\n' "$todo" >&2
  exit 1
}

# --------------------------------------------------------------- processes
# Started here, stopped in reverse order by cleanup (executor, operator, control plane).
CP_STARTED=0
cleanup() {
  local rc=$?
  # Stop everything even when output fails (closed pipe or terminal) or a step errs.
  set +e
  trap '' INT TERM HUP
  printf '\nStopping ...\n'
  local name pid
  for name in executor operator; do
    [[ -f $DIR/$name.pid ]] || continue
    pid=$(<"$DIR/$name.pid")
    cp_stop_pidfile scs-cert "$DIR/$name.pid"
    wait "$pid" 2>/dev/null || true # reap our child
    rm -f "$DIR/$name.pid"
  done
  if ((CP_STARTED)); then
    "$CP_SCRIPTS/stop.sh" "$DIR/cp" >/dev/null 2>&1 || true
  fi
  rm -f "$DIR/ready"
  printf 'Stopped everything (%ss in total).\n' "$(secs_since "$T_START")"
  exit "$rc"
}
on_signal() {
  printf '\nInterrupted.\n'
  exit 0
}

alive() { [[ -f $1 ]] && cp_pid_is "$(<"$1")" scs-cert; }
# Fail when the operator or the executor died.
check_processes() {
  alive "$DIR/operator.pid" || fail "the operator exited" \
    "read $DIR/operator.log; fix the cause and run make run again" "$DIR/operator.log"
  alive "$DIR/executor.pid" || fail "the local Job executor exited" \
    "read $DIR/executor.log; fix the cause and run make run again" "$DIR/executor.log"
}

# ------------------------------------------------------------- the steps
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
case $DIR/ in
  /tmp/*) fail "the run directory $DIR is under /tmp" \
    "use another --dir: the local Job executor maps /tmp into check pods" ;;
esac
exec 9>"$DIR/lock"
flock -n 9 || fail "another make run already uses $DIR" \
  "stop it with Ctrl-C in its terminal, or use another directory: hack/run.sh --dir DIR --port PORT"
trap cleanup EXIT
trap on_signal INT TERM HUP
# A closed stdout (`| head`, a closed terminal) must not kill the script before cleanup.
trap '' PIPE

step "Building scs-cert"
if [[ -n ${SCS_CERT:-} ]]; then
  BIN=$SCS_CERT
  [[ -x $BIN ]] || fail "SCS_CERT=$BIN is not an executable" "unset SCS_CERT to build scs-cert"
  ok "using $BIN"
else
  (cd "$REPO" && cargo build --bin scs-cert) >"$DIR/build.log" 2>&1 ||
    fail "cargo build failed" "fix the build error below, then run make run again" "$DIR/build.log"
  BIN=$REPO/target/debug/scs-cert
  ok "$BIN"
fi

step "Local tools: etcd, kube-apiserver, kubectl"
if ! bash "$CP_SCRIPTS/build-tools.sh" --check >/dev/null 2>&1; then
  note "not built yet: building them from Go sources (tens of minutes on 2 cores, once;"
  note "cached in ${SCS_TOOLS_CACHE}); progress: $DIR/tools.log"
fi
bash "$CP_SCRIPTS/build-tools.sh" --print-env >"$DIR/tools.env" 2>"$DIR/tools.log" ||
  fail "building the control plane tools failed" \
    "they need Go >= 1.25 and the Go module proxy (see e2e/control-plane/README.md)" "$DIR/tools.log"
# shellcheck disable=SC1091
source "$DIR/tools.env"
command -v kubectl >/dev/null || fail "kubectl is missing from $SCS_TOOLS_BIN" "run make tools"
ok "kubernetes $SCS_K8S_VERSION, etcd $SCS_ETCD_VERSION"

step "Starting the local control plane"
# The port must be free before anything starts (a second `make run`, another server).
python3 - "$PORT" <<'EOF' 2>/dev/null || fail "port $PORT on 127.0.0.1 is in use" "stop what uses it, or choose another port: make run RUN_ARGS='--port 8081'"
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
EOF
# Left over from a run that was killed: processes and directory.
cp_stop_pidfile scs-cert "$DIR/executor.pid"
cp_stop_pidfile scs-cert "$DIR/operator.pid"
[[ -e $DIR/cp ]] && "$CP_SCRIPTS/stop.sh" "$DIR/cp" >/dev/null 2>&1
rm -rf "$DIR/cp" "$DIR/executor" "$DIR/scripts" "$DIR/images" "$DIR/listing"
CP_STARTED=1
CP_KEEP_ON_FAILURE=1 bash "$CP_SCRIPTS/start.sh" "$DIR/cp" >"$DIR/cp-start.log" 2>&1 ||
  fail "the control plane did not start" "read the log below; $DIR/cp keeps the logs of etcd and kube-apiserver" "$DIR/cp-start.log"
export KUBECONFIG=$DIR/cp/kubeconfig
# shellcheck disable=SC1091
source "$DIR/cp/env"
ok "$CP_APISERVER_URL"

step "Installing the CRDs"
kubectl apply --server-side -f "$REPO/crds/" >"$DIR/crds.log" 2>&1 ||
  fail "kubectl apply of crds/ failed" "read the log below" "$DIR/crds.log"
kubectl wait --for=condition=Established --timeout=60s \
  crd/cloudcertifications.certification.scs.community \
  crd/integratorcertifications.certification.scs.community >>"$DIR/crds.log" 2>&1 ||
  fail "the CRDs were not established" "read the log below" "$DIR/crds.log"
ok "$(find "$REPO/crds" -name '*.yaml' | wc -l) CRDs"

step "Preparing the demo cluster: nodes, storage class, probe account, scope"
{
  kubectl apply --server-side -f "$REPO/demo/00-namespace.yaml" \
    -f "$REPO/demo/10-probe-rbac.yaml" -f "$REPO/demo/20-cluster.yaml"
  kubectl -n "$NS" create configmap scope-kaas-demo \
    --from-file=scope.yaml="$REPO/demo/scope-kaas-demo.yaml" --dry-run=client -o yaml |
    kubectl apply --server-side -f -
} >"$DIR/demo.log" 2>&1 || fail "applying demo/ failed" "read the log below" "$DIR/demo.log"
# The kubeconfig the check pods get: a token of the read-only probe account, the CA inline.
# Piped straight into the Secret; this script writes it to no file.
TOKEN=$(kubectl -n "$NS" create token scs-kaas-probe --duration=8760h 2>>"$DIR/demo.log") ||
  fail "cannot issue a token for $NS/scs-kaas-probe" "read the log below" "$DIR/demo.log"
CA=$(base64 -w0 "$DIR/cp/pki/ca.crt")
kubectl -n "$NS" create secret generic demo-kaas-kubeconfig --dry-run=client -o yaml \
  --from-file=kubeconfig=/dev/stdin <<EOF 2>>"$DIR/demo.log" | kubectl apply --server-side -f - >>"$DIR/demo.log" 2>&1 ||
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: $CP_APISERVER_URL
    certificate-authority-data: $CA
users:
- name: scs-kaas-probe
  user:
    token: $TOKEN
contexts:
- name: local
  context:
    cluster: local
    user: scs-kaas-probe
current-context: local
EOF
  fail "cannot create the Secret $NS/demo-kaas-kubeconfig" "read the log below" "$DIR/demo.log"
unset TOKEN
# What the check pods find: the scripts directory of the demo scope (scs-cert and the
# release data) and the "operator image" the init container copies scs-cert from.
mkdir -p "$DIR/scripts" "$DIR/images/operator/usr/local/bin" "$DIR/executor"
ln -sf "$BIN" "$DIR/scripts/scs-cert"
cp "$REPO/demo/k8s-releases.json" "$DIR/scripts/k8s-releases.json"
ln -sf "$BIN" "$DIR/images/operator/usr/local/bin/scs-cert"
ok "$(kubectl get nodes --no-headers | wc -l) nodes, $(kubectl get storageclass --no-headers | wc -l) storage class, secret $NS/demo-kaas-kubeconfig"

step "Starting the operator and the local Job executor"
OPERATOR_IMAGE=scs-cert-operator:make-run
# setsid: a Ctrl-C in the terminal reaches this script only, which stops the children in
# order (executor, operator, control plane).
setsid "$BIN" operator \
  --listen "127.0.0.1:$PORT" --intake-url "$URL" \
  --operator-image "$OPERATOR_IMAGE" --operator-binary /usr/local/bin/scs-cert \
  --runner-image scs-check:make-run --scripts-dir "$DIR/scripts" \
  --listing-namespace "$NS" --listing-base-url "$URL" \
  --listing-title "SCS certification status (make run demo)" \
  --listing-debounce-ms 500 \
  </dev/null >"$DIR/operator.log" 2>&1 &
echo $! >"$DIR/operator.pid"
setsid "$BIN" local-executor --kubeconfig "$KUBECONFIG" \
  --image-root "$OPERATOR_IMAGE=$DIR/images/operator" --work-dir "$DIR/executor" \
  </dev/null >"$DIR/executor.log" 2>&1 &
echo $! >"$DIR/executor.pid"
deadline=$(($(date +%s) + WAIT))
until curl -fsS -o /dev/null --max-time 2 "$URL/readyz" 2>/dev/null; do
  check_processes
  (($(date +%s) < deadline)) || fail "the operator is not ready after ${WAIT}s ($URL/readyz)" \
    "read $DIR/operator.log" "$DIR/operator.log"
  sleep 0.5
done
check_processes
ok "operator on $URL (pid $(<"$DIR/operator.pid")), executor (pid $(<"$DIR/executor.pid"))"

step "Applying the demo resources"
# `# make run: now|today[+-N(d|mo)]` markers get times relative to now (demo/README.md).
render() {
  python3 - "$1" <<'EOF'
import datetime, re, sys
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
now -= datetime.timedelta(seconds=5)  # never in the future of the operator's clock
def months(d, n):
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    m += 1
    days = [31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31, 30, 31, 30,
            31, 31, 30, 31, 30, 31][m - 1]
    return d.replace(year=y, month=m, day=min(d.day, days))
mark = re.compile(r'^(\s*[\w-]+:\s*)"[^"]*"\s*# make run: (now|today)(?:([+-])(\d+)(d|mo))?\s*$')
for line in open(sys.argv[1]):
    m = mark.match(line.rstrip("\n"))
    if not m:
        sys.stdout.write(line)
        continue
    value = now if m.group(2) == "now" else now.date()
    if m.group(3):
        n = int(m.group(4)) * (1 if m.group(3) == "+" else -1)
        value = value + datetime.timedelta(days=n) if m.group(5) == "d" else months(value, n)
    text = value.strftime("%Y-%m-%dT%H:%M:%SZ") if m.group(2) == "now" else value.isoformat()
    sys.stdout.write(f'{m.group(1)}"{text}"\n')
EOF
}
for file in 30-clouds.yaml 40-integrator.yaml; do
  render "$REPO/demo/$file" | kubectl apply --server-side -f - >>"$DIR/demo.log" 2>&1 ||
    fail "applying demo/$file failed" "read the log below" "$DIR/demo.log"
done
ok "$(kubectl -n "$NS" get ccert --no-headers | wc -l) CloudCertifications, $(kubectl -n "$NS" get icert --no-headers | wc -l) IntegratorCertification"

step "Waiting for the first check runs"
# Prints "done total" and the clouds still running.
runs_done() {
  kubectl -n "$NS" get ccert -o json | python3 -c '
import json, sys
items = json.load(sys.stdin)["items"]
done = [i for i in items if (i.get("status", {}).get("lastRun") or {}).get("outcome")]
waiting = [i["metadata"]["name"] for i in items if i not in done]
print(len(done), len(items), " ".join(waiting))'
}
last=""
while :; do
  check_processes
  read -r finished total waiting < <(runs_done) || true
  if [[ ${finished:-0} != "$last" ]]; then
    note "${finished:-0}/${total:-?} runs finished${waiting:+ (running: $waiting)}"
    last=${finished:-0}
  fi
  [[ -n ${total:-} && $finished == "$total" ]] && break
  (($(date +%s) < deadline)) || fail "the first runs did not finish within ${WAIT}s" \
    "look at kubectl -n $NS describe ccert, $DIR/operator.log, $DIR/executor.log and the check pods' logs in $DIR/executor/" \
    "$DIR/operator.log" "$DIR/executor.log"
  sleep 1
done
ok

step "Certificates and the listing"
cert_state() { kubectl -n "$NS" get ccert "$1" -o jsonpath='{.status.certificate.state}' 2>/dev/null; }
# The certification body revokes demo-revoked once its certificate was issued.
until [[ $(cert_state demo-revoked) =~ ^(Valid|Expiring)$ ]]; do
  check_processes
  (($(date +%s) < deadline)) || break
  sleep 1
done
if [[ $(cert_state demo-revoked) =~ ^(Valid|Expiring)$ ]]; then
  render "$REPO/demo/50-revocation.yaml" >"$DIR/revocation.yaml"
  kubectl -n "$NS" patch ccert demo-revoked --type merge --patch-file "$DIR/revocation.yaml" \
    >>"$DIR/demo.log" 2>&1 || fail "revoking demo-revoked failed" "read the log below" "$DIR/demo.log"
  note "granted certificate of demo-revoked revoked"
else
  note "WARNING: demo-revoked has no issued certificate ($(kubectl -n "$NS" get ccert demo-revoked \
    -o jsonpath='{.status.certificate.state}: {.status.certificate.message}' 2>/dev/null)); not revoked"
fi
# The listing is ready when it shows every demo entry in its expected state.
listing_check() {
  curl -fsS --max-time 5 "$URL/listing.json" 2>/dev/null | python3 -c '
import json, sys
listing = json.load(sys.stdin)
clouds = {c["subject"]: c for c in listing.get("clouds", [])}
def state(subject):
    c = clouds.get(subject)
    if c is None:
        return "absent"
    return c.get("certification", "?") + "/" + (c.get("certificate") or {}).get("state", "-")
expected = {
    "local-kaas": lambda s: s.startswith("selfAssessed/"),
    "edge-kaas": lambda s: s.startswith("notCertified/") and clouds["edge-kaas"].get("result") != "PASS",
    "main-kaas": lambda s: s.startswith("certified/"),
    "legacy-kaas": lambda s: s.endswith("/Revoked"),
}
missing = [f"{k} ({state(k)})" for k, ok in expected.items() if state(k) == "absent" or not ok(state(k))]
integrators = [i for i in listing.get("integrators", []) if i.get("listed")]
if not integrators:
    missing.append("the integrator")
print("ok" if not missing else "missing: " + ", ".join(missing))'
}
status=""
while :; do
  check_processes
  status=$(listing_check || echo "not served yet")
  [[ $status == ok ]] && break
  (($(date +%s) < deadline)) || break
  sleep 1
done
mkdir -p "$DIR/listing"
curl -fsS --max-time 5 -o "$DIR/listing/listing.json" "$URL/listing.json" ||
  fail "the listing is not served on $URL/listing.json" "read $DIR/operator.log" "$DIR/operator.log"
curl -fsS --max-time 5 -o "$DIR/listing/index.html" "$URL/"
if [[ $status == ok ]]; then
  ok "listing shows certified, self-assessed, failing and revoked clouds and the integrator"
elif ((UNTIL_READY)); then
  fail "the listing does not show every demo state after ${WAIT}s: $status" \
    "look at kubectl -n $NS get ccert,icert -o wide and $DIR/operator.log" "$DIR/operator.log"
else
  note "WARNING: the listing does not show every demo state yet: $status"
  ok
fi

cat <<EOF

==> Ready ($(secs_since "$T_START")s). The demo runs until Ctrl-C.

  Listing:     $URL/            (also $URL/listing.json, $URL/crl.json)
  Kubernetes:  export KUBECONFIG=$KUBECONFIG PATH=$SCS_TOOLS_BIN:\$PATH
               kubectl -n $NS get ccert,icert -o wide
               kubectl -n $NS describe ccert demo-edge
               kubectl -n $NS wait --for=condition=Ready ccert/demo-certified
               kubectl -n $NS annotate ccert demo-edge certification.scs.community/run-now="\$(date +%s)" --overwrite
  Logs:        $DIR/operator.log, $DIR/executor.log, check pods in $DIR/executor/
  Demo:        demo/README.md (what each resource shows)
EOF
touch "$DIR/ready"
# Started in the background of a non-interactive shell, SIGINT is ignored and cannot be
# trapped: say how to stop instead.
if (( 0x$(awk '/^SigIgn:/ { print $2 }' /proc/$$/status) & 2 )); then
  printf '  (Ctrl-C does not reach this process; stop it with: kill %d)\n' "$$"
fi

if ((UNTIL_READY)); then
  exit 0
fi
while :; do
  check_processes
  sleep 2
done
