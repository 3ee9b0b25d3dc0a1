{{/* The image, its tag defaulting to v<appVersion>. */}}
{{- define "node-exporter.image" -}}
{{- printf "%s:%s" .Values.image.repository (default (printf "v%s" .Chart.AppVersion) .Values.image.tag) }}
{{- end }}
