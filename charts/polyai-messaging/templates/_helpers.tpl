{{/* Name of the release's objects for one service: <release>-<service>. */}}
{{- define "pm.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "pm.labels" -}}
app.kubernetes.io/part-of: polyai-messaging
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
polyai.ai/region: {{ .Values.region.name | quote }}
{{- end -}}

{{/* Labels of one service's Deployment, pods and Service (dict root, name): pm.labels, its name and component. */}}
{{- define "pm.serviceLabels" -}}
{{ include "pm.labels" .root }}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* Selector labels of one service (dict root, name). */}}
{{- define "pm.selector" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* Image of one service (dict root, name, svc). */}}
{{- define "pm.image" -}}
{{- $repo := .svc.image.repository -}}
{{- if .root.Values.image.registry -}}{{- $repo = printf "%s/%s" (trimSuffix "/" .root.Values.image.registry) $repo -}}{{- end -}}
{{- $tag := .svc.image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- if hasPrefix "sha256:" $tag -}}{{ printf "%s@%s" $repo $tag }}{{- else -}}{{ printf "%s:%s" $repo $tag }}{{- end -}}
{{- end -}}

{{/* Public host of the region. */}}
{{- define "pm.host" -}}
{{- printf "messaging.%s" .Values.region.clusterDomain -}}
{{- end -}}

{{/* App ids of the services that have a Dapr sidecar. */}}
{{- define "pm.daprAppIds" -}}
{{- $ids := list -}}
{{- range $name := list "edge" "verifier" "agent" "handoff" -}}
{{- $svc := index $.Values.services $name -}}
{{- if $svc.dapr.enabled -}}{{- $ids = append $ids $svc.dapr.appId -}}{{- end -}}
{{- end -}}
{{- toYaml $ids -}}
{{- end -}}

{{/* App ids that read secrets from "secretstore" (a non-empty secretsPrefix). */}}
{{- define "pm.secretReaderAppIds" -}}
{{- $ids := list -}}
{{- range $name := list "edge" "verifier" "agent" "handoff" -}}
{{- $svc := index $.Values.services $name -}}
{{- if and $svc.dapr.enabled $svc.dapr.secretsPrefix -}}{{- $ids = append $ids $svc.dapr.appId -}}{{- end -}}
{{- end -}}
{{- toYaml $ids -}}
{{- end -}}
