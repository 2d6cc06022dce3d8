{{/* Chart name. */}}
{{- define "scs-cert-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, or the release name when it already contains the chart name. */}}
{{- define "scs-cert-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "scs-cert-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "scs-cert-operator.labels" -}}
helm.sh/chart: {{ include "scs-cert-operator.chart" . }}
{{ include "scs-cert-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: scs-cert-operator
{{- end }}

{{/* Selector labels of the operator pods. */}}
{{- define "scs-cert-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "scs-cert-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/* The operator's ServiceAccount. */}}
{{- define "scs-cert-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "scs-cert-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The operator image (digest wins over tag). */}}
{{- define "scs-cert-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Namespace of the listing ConfigMap. */}}
{{- define "scs-cert-operator.listingNamespace" -}}
{{- default .Release.Namespace .Values.listing.namespace }}
{{- end }}

{{/* Public base URL of the listing pages. */}}
{{- define "scs-cert-operator.listingBaseUrl" -}}
{{- if .Values.listing.baseUrl }}
{{- .Values.listing.baseUrl | trimSuffix "/" }}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts }}
{{- printf "%s://%s" (ternary "https" "http" (gt (len .Values.ingress.tls) 0)) (first .Values.ingress.hosts).host }}
{{- end }}
{{- end }}

{{/* Where check pods upload their reports. */}}
{{- define "scs-cert-operator.intakeUrl" -}}
{{- if .Values.operator.intakeUrl }}
{{- .Values.operator.intakeUrl | trimSuffix "/" }}
{{- else }}
{{- printf "http://%s.%s.svc:%d" (include "scs-cert-operator.fullname" .) .Release.Namespace (int .Values.service.port) }}
{{- end }}
{{- end }}

{{/*
The operator's namespaced permissions (docs/rbac.md justifies each rule). Rendered into a
ClusterRole (all namespaces) or a Role (operator.watchNamespace).
*/}}
{{- define "scs-cert-operator.namespacedRules" -}}
# Watch the resources it reconciles; patch adds/removes the cleanup finalizer.
- apiGroups: ["certification.scs.community"]
  resources: ["cloudcertifications"]
  verbs: ["list", "watch", "patch"]
# Status is written with server-side apply (a patch of the status subresource).
- apiGroups: ["certification.scs.community"]
  resources: ["cloudcertifications/status"]
  verbs: ["patch"]
# The integrator controller and the public listing read IntegratorCertifications from a cache.
- apiGroups: ["certification.scs.community"]
  resources: ["integratorcertifications"]
  verbs: ["list", "watch"]
# Integrator status is written with server-side apply (no finalizer: nothing to clean up).
- apiGroups: ["certification.scs.community"]
  resources: ["integratorcertifications/status"]
  verbs: ["patch"]
# Check runs are Jobs: cache (list/watch), look up a missing one (get), start (create),
# retention (delete), cleanup on resource deletion (deletecollection).
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create", "delete", "deletecollection"]
# Intake: the pod a TokenReview names must be a pod of the claimed run (get); cleanup on
# resource deletion removes the run pods (deletecollection).
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "deletecollection"]
# Scope specs (get, metadata watch), stored reports/failure records/spec copies (create,
# delete, deletecollection on cleanup), the run history (server-side apply: patch).
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "patch", "delete", "deletecollection"]
# The permission-less ServiceAccount check pods run as, created per namespace.
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["get", "create"]
# Events (RunStarted, ReportReceived, ...); repeats are patched into a series.
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/* Writing the listing ConfigMaps (a Role in the listing namespace only). */}}
{{- define "scs-cert-operator.listingRules" -}}
# The listing publisher finds its ConfigMaps by label (list), writes them with server-side
# apply (patch; create when new) and removes parts no longer needed (delete).
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["list", "create", "patch", "delete"]
{{- end }}

{{/* The operator's cluster-scoped permissions. */}}
{{- define "scs-cert-operator.clusterRules" -}}
# Intake: verify the check pod's audience-bound token.
- apiGroups: ["authentication.k8s.io"]
  resources: ["tokenreviews"]
  verbs: ["create"]
{{- end }}
