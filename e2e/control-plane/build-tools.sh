#!/usr/bin/env bash
# Builds the local control-plane tools from Go sources via the Go module proxy:
#   kube-apiserver, kubectl, kube-controller-manager  (k8s.io/kubernetes K8S_VERSION)
#   etcd                                             (go.etcd.io/etcd/server/v3 ETCD_VERSION)
#   helm                                             (helm.sh/helm/v3 HELM_VERSION)
# Versions come from versions.env (overridable by env vars). Binaries are cached
# per version in $SCS_TOOLS_CACHE/tools/<name>-<version>/<name>; a cached binary
# is never rebuilt, so a warm run takes about a second.
#
# Usage: build-tools.sh             build what is missing, print bin dir + versions
#        build-tools.sh --print-env build what is missing (progress on stderr), then
#                                   print `export` lines on stdout, for eval
#        build-tools.sh --print-bin build what is missing, then print only the bin dir
#                                   (for Makefiles: PATH := $(shell ... --print-bin):$(PATH))
#        build-tools.sh --check     exit 0 if everything is built, 1 otherwise (no build)
# Env:   SCS_TOOLS_CACHE (default ~/.cache/scs-cert-operator), K8S_VERSION,
#        ETCD_VERSION, HELM_VERSION, SCS_BUILD_KCM=0 to skip kube-controller-manager.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MODE=build
case "${1:-}" in
  "") ;;
  --print-env) MODE=print-env ;;
  --print-bin) MODE=print-bin ;;
  --check) MODE=check ;;
  -h|--help) cp_usage "$0"; exit 0 ;;
  *) cp_die "unknown argument '$1' (try --help)" ;;
esac

# kube-controller-manager is cheap once kube-apiserver is built (shared packages),
# and start.sh runs it only with CP_CONTROLLERS=1.
SCS_BUILD_KCM=${SCS_BUILD_KCM:-1}
KUBE_BINS=(kube-apiserver kubectl)
[[ $SCS_BUILD_KCM == 1 ]] && KUBE_BINS+=(kube-controller-manager)

# name|version pairs of everything this version set consists of.
all_tools() {
  local b
  for b in "${KUBE_BINS[@]}"; do echo "$b|$K8S_VERSION"; done
  echo "etcd|$ETCD_VERSION"
  echo "helm|$HELM_TOOL_VERSION"
}

missing_tools() {
  local t
  while IFS='|' read -r name ver; do
    t=$(cp_tool_path "$name" "$ver")
    [[ -x $t ]] || echo "$name"
  done < <(all_tools)
}

# (Re)create the symlink farm SCS_TOOLS_BIN for this version set.
link_bin_dir() {
  mkdir -p "$SCS_TOOLS_BIN"
  while IFS='|' read -r name ver; do
    ln -sfn "$(cp_tool_path "$name" "$ver")" "$SCS_TOOLS_BIN/$name"
  done < <(all_tools)
}

print_env() {
  printf 'export SCS_TOOLS_CACHE=%q\n' "$SCS_TOOLS_CACHE"
  printf 'export SCS_TOOLS_BIN=%q\n' "$SCS_TOOLS_BIN"
  printf 'export SCS_K8S_VERSION=%q SCS_ETCD_VERSION=%q SCS_HELM_VERSION=%q\n' \
    "$K8S_VERSION" "$ETCD_VERSION" "$HELM_VERSION"
  # Only prepend when not already there, so repeated evals do not grow PATH.
  # shellcheck disable=SC2016
  printf 'case ":$PATH:" in *:%q:*) ;; *) export PATH=%q:"$PATH" ;; esac\n' \
    "$SCS_TOOLS_BIN" "$SCS_TOOLS_BIN"
}

if [[ $MODE == check ]]; then
  [[ -z $(missing_tools) ]]
  exit
fi

# Fast path: everything cached.
if [[ -z $(missing_tools) ]]; then
  link_bin_dir
  if [[ $MODE == print-env ]]; then print_env; exit 0; fi
  if [[ $MODE == print-bin ]]; then echo "$SCS_TOOLS_BIN"; exit 0; fi
  cp_log "all tools cached in $CP_TOOLS_DIR"
  printf 'bin dir: %s\nkubernetes %s, etcd %s, helm %s\n' "$SCS_TOOLS_BIN" "$K8S_VERSION" "$ETCD_VERSION" "$HELM_VERSION"
  exit 0
fi

# ---------------------------------------------------------------- slow path
for cmd in go curl openssl; do
  command -v "$cmd" >/dev/null 2>&1 || cp_die "'$cmd' is required but not on PATH (install it, then re-run)"
done

# Never download another Go toolchain (it would fail here anyway); no workspace
# or user GOFLAGS leaking into the wrapper modules; static binaries like upstream.
export GOTOOLCHAIN=local GOWORK=off GOFLAGS=-buildvcs=false CGO_ENABLED=0
cp_log "using $(go version) (GOPROXY=$(go env GOPROXY))"

mkdir -p "$CP_TOOLS_DIR" "$CP_SRC_DIR"
# Two concurrent runs (two terminals, make + CI) must not build the same thing twice.
exec 9>"$SCS_TOOLS_CACHE/.build.lock"
if ! flock -n 9; then
  cp_log "another build-tools.sh holds $SCS_TOOLS_CACHE/.build.lock; waiting"
  flock 9
fi

# Path of the cached go.mod of MODULE@VERSION (downloads it if needed).
module_gomod() {
  local json gomod
  json=$(go mod download -json "$1@$2" 2>&1) ||
    cp_die "cannot download $1@$2 from the Go module proxy:"$'\n'"$json"
  gomod=$(sed -n 's/^[[:space:]]*"GoMod":[[:space:]]*"\([^"]*\)".*/\1/p' <<<"$json")
  [[ -f $gomod ]] || cp_die "no go.mod for $1@$2 in: $json"
  echo "$gomod"
}

# Commit time of MODULE@VERSION, used as a reproducible build date.
module_time() {
  local info
  info=$(go mod download -json "$1@$2" | sed -n 's/^[[:space:]]*"Info":[[:space:]]*"\([^"]*\)".*/\1/p')
  sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$info"
}

# The upstream `go` and `godebug` lines: a dependency's godebug is ignored, so the
# wrapper must carry it to get upstream's GODEBUG defaults.
upstream_header() { grep -E '^(go|godebug)[[:space:]]' "$1" || true; }

# go mod tidy in DIR (go.mod already written); resolves the graph, writes go.sum.
tidy() {
  cp_log "go mod tidy in $1"
  (cd "$1" && go mod tidy) || cp_die "go mod tidy failed in $1 (see above)"
}

# go_build DIR NAME VERSION PKG [go build args...]: build into the cache atomically.
go_build() {
  local dir=$1 name=$2 ver=$3 pkg=$4 out start secs
  shift 4
  out=$(cp_tool_path "$name" "$ver")
  mkdir -p "$(dirname "$out")"
  cp_log "building $name $ver ($pkg); this can take a long time on a cold cache"
  start=$(date +%s)
  (cd "$dir" && go build -trimpath "$@" -o "$out.tmp" "$pkg") || cp_die "building $name $ver failed (see above)"
  mv -f "$out.tmp" "$out"
  secs=$(($(date +%s) - start))
  cp_log "built $name $ver in ${secs}s -> $out"
  echo "$name $ver ${secs}s $(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$SCS_TOOLS_CACHE/build-times.log"
}

is_missing() { [[ ! -x $(cp_tool_path "$1" "$2") ]]; }

# ------------------------------------------------------------ kubernetes
build_kubernetes() {
  local need=() b
  for b in "${KUBE_BINS[@]}"; do is_missing "$b" "$K8S_VERSION" && need+=("$b"); done
  ((${#need[@]})) || return 0

  local staging=v0.${K8S_VERSION#v1.}   # v1.34.4 -> v0.34.4
  local dir=$CP_SRC_DIR/kubernetes-$K8S_VERSION gomod modules ld p date
  gomod=$(module_gomod k8s.io/kubernetes "$K8S_VERSION")
  # k8s.io/kubernetes requires every staging module at v0.0.0 and replaces it with
  # ./staging/src/...; a dependency's replaces are ignored, so the wrapper must
  # replace each one with the published v0.X.Y. The list changes between releases,
  # hence generated from upstream's go.mod.
  modules=$(sed -nE 's#^[[:space:]]*(replace[[:space:]]+)?(k8s\.io/[^[:space:]]+)[[:space:]]+=>[[:space:]]+\./staging/.*#\2#p' "$gomod")
  [[ -n $modules ]] || cp_die "found no staging replaces in $gomod; the go.mod layout changed"
  if grep -E '=>' "$gomod" | grep -vq '\./staging/'; then
    cp_log "WARNING: $gomod has non-staging replace directives; they are not copied"
  fi
  mkdir -p "$dir"
  {
    echo "// Generated by e2e/control-plane/build-tools.sh; do not edit."
    echo "module local.invalid/scs-kubernetes-tools"
    echo
    upstream_header "$gomod"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    local m
    for m in $modules; do printf '\t%s => %s %s\n' "$m" "$m" "$staging"; done
    echo ")"
    echo
    for b in kube-apiserver kubectl kube-controller-manager; do echo "tool k8s.io/kubernetes/cmd/$b"; done
  } >"$dir/go.mod"
  cp_log "kubernetes wrapper: $(wc -w <<<"$modules") staging modules replaced with $staging"
  tidy "$dir"

  # What k8s hack/lib/version.sh sets, so /version and `kubectl version` report
  # the real version (otherwise v0.0.0-master+$Format:%H$).
  date=$(module_time k8s.io/kubernetes "$K8S_VERSION")
  ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$K8S_MINOR"
    ld+=" -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  # Build flags as upstream (hack/lib/golang.sh): static, selinux,notest tags.
  for b in "${need[@]}"; do
    go_build "$dir" "$b" "$K8S_VERSION" "k8s.io/kubernetes/cmd/$b" -tags selinux,notest -ldflags "$ld"
  done
}

# ------------------------------------------------------------------ etcd
build_etcd() {
  is_missing etcd "$ETCD_VERSION" || return 0
  local dir=$CP_SRC_DIR/etcd-$ETCD_VERSION gomod
  # `go install go.etcd.io/etcd/server/v3@v` is refused (its go.mod has replaces),
  # but as a dependency it needs none: api/client/pkg are published at the same tag.
  gomod=$(module_gomod go.etcd.io/etcd/server/v3 "$ETCD_VERSION")
  mkdir -p "$dir"
  {
    echo "// Generated by e2e/control-plane/build-tools.sh; do not edit."
    echo "module local.invalid/scs-etcd-tools"
    echo
    upstream_header "$gomod"
    echo
    echo "require go.etcd.io/etcd/server/v3 $ETCD_VERSION"
    echo
    echo "tool go.etcd.io/etcd/server/v3"
  } >"$dir/go.mod"
  tidy "$dir"
  go_build "$dir" etcd "$ETCD_VERSION" go.etcd.io/etcd/server/v3 \
    -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$ETCD_VERSION"
}

# ------------------------------------------------------------------ helm
build_helm() {
  is_missing helm "$HELM_TOOL_VERSION" || return 0
  local dir=$CP_SRC_DIR/helm-$HELM_VERSION gomod h=helm.sh/helm/v3 ld
  gomod=$(module_gomod "$h" "$HELM_VERSION")
  mkdir -p "$dir"
  {
    echo "// Generated by e2e/control-plane/build-tools.sh; do not edit."
    echo "module local.invalid/scs-helm-tools"
    echo
    upstream_header "$gomod"
    echo
    echo "require $h $HELM_VERSION"
    echo
    echo "tool $h/cmd/helm"
  } >"$dir/go.mod"
  tidy "$dir"
  # Without these, `helm version` says v3.19 and `helm template`/`helm lint`
  # assume Kubernetes v1.20.0 (Capabilities.KubeVersion); we want v1.<our minor>.0.
  ld="-s -w -X $h/internal/version.version=$HELM_VERSION -X $h/internal/version.gitTreeState=clean"
  ld+=" -X $h/pkg/chartutil.k8sVersionMajor=1 -X $h/pkg/chartutil.k8sVersionMinor=$K8S_MINOR"
  ld+=" -X $h/pkg/lint/rules.k8sVersionMajor=1 -X $h/pkg/lint/rules.k8sVersionMinor=$K8S_MINOR"
  go_build "$dir" helm "$HELM_TOOL_VERSION" "$h/cmd/helm" -ldflags "$ld"
}

T0=$(date +%s)
cp_log "missing: $(missing_tools | tr '\n' ' ')"
# kube-apiserver first: by far the longest build.
build_kubernetes
build_etcd
build_helm
link_bin_dir
cp_log "done in $(($(date +%s) - T0))s"

if [[ $MODE == print-env ]]; then print_env; exit 0; fi
if [[ $MODE == print-bin ]]; then echo "$SCS_TOOLS_BIN"; exit 0; fi
printf 'bin dir: %s\n' "$SCS_TOOLS_BIN"
while IFS='|' read -r name ver; do printf '  %-24s %-18s %s\n' "$name" "$ver" "$(cp_tool_path "$name" "$ver")"; done < <(all_tools)
printf 'kubernetes %s, etcd %s, helm %s\n' "$K8S_VERSION" "$ETCD_VERSION" "$HELM_VERSION"
# shellcheck disable=SC2016
printf 'eval "$(%s --print-env)"  # to put them on PATH\n' "$0"
