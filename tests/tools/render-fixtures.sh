#!/usr/bin/env bash
# render-fixtures.sh HELM3 HELM4 OUTDIR -- render the project's test chart
# (chart-fixtures/docker-mailserver) with the real Helm 3 and Helm 4 and write
# exactly what each hands a post-renderer to OUTDIR/helm3-test-chart.yaml and
# OUTDIR/helm4-test-chart.yaml. A pass-through post-renderer captures its
# stdin: a script path for Helm 3, a postrenderer/v1 plugin for Helm 4
# (installed into a throw-away HELM_DATA_HOME). Release "mail", no
# namespace (as the official chart's shared renders). The suite compares the bundled fixtures with a fresh render, so
# they stay what real Helm sends; run this to refresh them after a chart
# change: tests/tools/render-fixtures.sh H3 H4 chart-fixtures
set -euo pipefail
h3=$1 h4=$2 out=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HELM_CACHE_HOME="$work/cache" HELM_CONFIG_HOME="$work/config" HELM_DATA_HOME="$work/data"
unset HELM_PLUGINS HELM_NAMESPACE

mkdir -p "$work/capture"
cat >"$work/capture/capture.sh" <<'SH'
#!/bin/sh
tee "$CAPTURE_FILE"
SH
chmod +x "$work/capture/capture.sh"
cat >"$work/capture/plugin.yaml" <<'YAML'
apiVersion: v1
type: postrenderer/v1
name: capture
version: 0.0.1
runtime: subprocess
runtimeConfig:
  platformCommand:
    - command: ${HELM_PLUGIN_DIR}/capture.sh
YAML

CAPTURE_FILE="$work/h3.yaml" "$h3" template mail "$root/chart-fixtures/docker-mailserver" \
	--post-renderer "$work/capture/capture.sh" >/dev/null
"$h4" plugin install "$work/capture" >/dev/null
CAPTURE_FILE="$work/h4.yaml" "$h4" template mail "$root/chart-fixtures/docker-mailserver" \
	--post-renderer capture >/dev/null
cp "$work/h3.yaml" "$out/helm3-test-chart.yaml"
cp "$work/h4.yaml" "$out/helm4-test-chart.yaml"
