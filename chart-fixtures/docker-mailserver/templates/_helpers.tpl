{{- define "dms.fullname" -}}{{ .Release.Name }}-docker-mailserver{{- end -}}
{{- define "dms.labels" -}}
app.kubernetes.io/name: {{ include "dms.fullname" . }}
chart: "{{ .Chart.Name }}-{{ .Chart.Version }}"
heritage: "{{ .Release.Service }}"
release: "{{ .Release.Name }}"
{{- end -}}
{{- define "dms.selector" -}}
app.kubernetes.io/name: {{ include "dms.fullname" . }}
release: "{{ .Release.Name }}"
{{- end -}}
