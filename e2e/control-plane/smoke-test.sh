#!/usr/bin/env bash
# Self-test of the local control plane: run it against a started cluster,
#   e2e/control-plane/with-cluster.sh e2e/control-plane/smoke-test.sh
# Checks: server version, /readyz, TokenRequest + TokenReview, RBAC denial,
# the Job status transitions the e2e Job executor relies on (and the ones the
# API server rejects), helm's default kube version. Needs KUBECONFIG, and
# kubectl/helm on PATH (with-cluster.sh and start.sh's env file provide both).
# Prints one line per check and "N passed, N failed"; exit 1 if any failed.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ -n ${KUBECONFIG:-} ]] || cp_die "KUBECONFIG is not set (run via with-cluster.sh)"

PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
# same NAME GOT WANT
same() { if [[ $2 == "$3" ]]; then ok "$1: $2"; else bad "$1: got '$2', want '$3'"; fi; }
# check NAME CMD...: CMD must succeed.
check() { local n=$1; shift; if out=$("$@" 2>&1); then ok "$n"; else bad "$n: $out"; fi; }
# reject NAME PATTERN CMD...: CMD must fail with PATTERN in its output.
reject() {
  local n=$1 pat=$2 out
  shift 2
  if out=$("$@" 2>&1); then bad "$n: unexpectedly accepted"
  elif grep -q -- "$pat" <<<"$out"; then ok "$n (rejected: $pat)"
  else bad "$n: wrong error: $out"; fi
}

NS=smoke-$(date +%s)-$RANDOM   # namespaces never finish deleting without KCM
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# --- server basics
sv=$(kubectl version -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | tail -n 1)
same "server version" "$sv" "$K8S_VERSION"
check "/readyz" kubectl get --raw /readyz

# --- ServiceAccount token, TokenReview, RBAC
check "create namespace $NS" kubectl create namespace "$NS"
check "create serviceaccount" kubectl -n "$NS" create serviceaccount smoke
TOKEN=$(kubectl -n "$NS" create token smoke --audience scs-cert-operator)
same "TokenRequest (kubectl create token) returns a JWT" "${TOKEN:0:3}" "eyJ"
cat >"$TMP/tr.yaml" <<EOF
apiVersion: authentication.k8s.io/v1
kind: TokenReview
spec:
  token: $TOKEN
  audiences: ["scs-cert-operator"]
EOF
tr=$(kubectl create -f "$TMP/tr.yaml" -o jsonpath='{.status.authenticated} {.status.user.username}')
same "TokenReview" "$tr" "true system:serviceaccount:$NS:smoke"
ci=$(kubectl auth can-i list jobs.batch -n "$NS" --as "system:serviceaccount:$NS:smoke" 2>&1 || true)
same "RBAC: can the bare ServiceAccount list jobs" "$ci" no

# --- Job status, as the e2e Job executor must write it (/status subresource)
T=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cond() { printf '{"type":"%s","status":"True","reason":"%s","message":"%s","lastProbeTime":"%s","lastTransitionTime":"%s"}' "$1" "$2" "$3" "$T" "$T"; }
SCM=$(cond SuccessCriteriaMet CompletionsReached "Reached expected number of succeeded pods")
CMP=$(cond Complete CompletionsReached "Reached expected number of succeeded pods")
FT=$(cond FailureTarget BackoffLimitExceeded "Job has reached the specified backoff limit")
FLD=$(cond Failed BackoffLimitExceeded "Job has reached the specified backoff limit")
job() { kubectl -n "$NS" create job "$1" --image=example.invalid/none -- true >/dev/null; }
st() { kubectl -n "$NS" patch job "$1" --subresource=status --type=merge -p "{\"status\":$2}"; }
for j in ok1 fail1 bad1 bad2 bad3 bad4; do job "$j"; done
check "Job running (startTime, active=1)" st ok1 "{\"startTime\":\"$T\",\"active\":1,\"ready\":1}"
check "Job Complete" st ok1 "{\"completionTime\":\"$T\",\"active\":0,\"ready\":0,\"succeeded\":1,\"conditions\":[$SCM,$CMP]}"
check "kubectl wait condition=complete" kubectl -n "$NS" wait job/ok1 --for=condition=complete --timeout=5s
check "Job Failed" st fail1 "{\"startTime\":\"$T\",\"active\":0,\"ready\":0,\"failed\":1,\"conditions\":[$FT,$FLD]}"
check "kubectl wait condition=failed" kubectl -n "$NS" wait job/fail1 --for=condition=failed --timeout=5s
reject "Complete without SuccessCriteriaMet" "without the SuccessCriteriaMet=true condition" \
  st bad1 "{\"startTime\":\"$T\",\"completionTime\":\"$T\",\"active\":0,\"succeeded\":1,\"conditions\":[$CMP]}"
reject "Complete without completionTime" "completionTime is required" \
  st bad2 "{\"startTime\":\"$T\",\"active\":0,\"succeeded\":1,\"conditions\":[$SCM,$CMP]}"
reject "Failed without FailureTarget" "without the FailureTarget=true condition" \
  st bad3 "{\"startTime\":\"$T\",\"active\":0,\"failed\":1,\"conditions\":[$FLD]}"
reject "Failed with completionTime" "cannot set completionTime when there is no Complete=True" \
  st bad4 "{\"startTime\":\"$T\",\"completionTime\":\"$T\",\"active\":0,\"failed\":1,\"conditions\":[$FT,$FLD]}"
reject "finished Job without startTime" "startTime is required for finished job" \
  st bad4 "{\"active\":0,\"failed\":1,\"conditions\":[$FT,$FLD]}"
reject "remove Complete again" "cannot disable the terminal Complete=True condition" \
  st ok1 "{\"completionTime\":null,\"conditions\":[]}"

# --- helm: default Capabilities.KubeVersion is ours (no --kube-version, no cluster)
mkdir -p "$TMP/chart/templates"
printf 'apiVersion: v2\nname: smoke\nversion: 0.1.0\n' >"$TMP/chart/Chart.yaml"
printf 'kube: {{ .Capabilities.KubeVersion.Version }}\n' >"$TMP/chart/templates/kv.yaml"
hv=$(env -u KUBECONFIG helm template smoke "$TMP/chart" | sed -n 's/^kube: //p')
same "helm template .Capabilities.KubeVersion" "$hv" "v1.$K8S_MINOR.0"

echo "$PASS passed, $FAIL failed"
((FAIL == 0))
