#!/usr/bin/env bash
# seed.sh DIR -- writes the fuzzer's seed inputs into DIR: every golden input,
# chart fixture and corpus stream, each behind a few two-byte option
# prefixes (see options() in fuzz_pipeline.c), so fuzzing starts from real
# streams under several option sets.
# seed.sh DIR sources -- the seeds of fuzz_sources.c instead: config files
# (first byte 0) and Argo CD parameter arrays (first byte 1).
set -euo pipefail
dir=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED_DIR:-$root/../shared}
mkdir -p "$dir"
if [ "${2:-}" = sources ]; then
	{ printf '\x00'; cat "$root/examples/dms-postrender.yaml"; } >"$dir/config-example"
	{ printf '\x00'; printf '{"kube-version": 1.30, "fail2ban": "on", "metallb-ip": ["192.0.2.9"], "verbose": true}'; } >"$dir/config-json"
	{ printf '\x00'; printf 'image: [a.example/docker-mailserver, b]\nmetallb-emit-pool: 192.0.2.0/28\nmax-document-size: 16M\n'; } >"$dir/config-lists"
	{ printf '\x01'; printf '[{"name":"fail2ban","string":"off"},{"name":"metallb-ip","array":["198.51.100.7"]},{"name":"x","map":{"a":"b"}}]'; } >"$dir/argo-params"
	{ printf '\x01'; printf '[{"name":"metallb-pool","string":"mail"},{"name":"external-ip","string":"192.0.2.1,2001:db8::1"}]'; } >"$dir/argo-csv"
	echo "fuzz: 5 seed inputs in $dir"
	exit 0
fi
i=0
while IFS= read -r f; do
	for prefix in '\x00\x00' '\x02\x01' '\x07\x17' '\x2e\x27' '\x94\x0f' '\x01\x60'; do
		{ printf "$prefix"; head -c 131070 "$f"; } >"$dir/seed-$i"
		i=$((i + 1))
	done
done < <(find "$root/tests/golden" "$root/chart-fixtures" "$shared/corpus" -path "$root/chart-fixtures/docker-mailserver" \
	-prune -o -type f -name '*.yaml' -print 2>/dev/null | sort)
# Small docker-mailserver workloads in the shapes that take the splicer's
# rewrite paths: flow collections with tags and nulls, anchors (reused too),
# explicit keys, a byte order mark at a later document.
dms='apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: m}\nspec:\n  template:\n    spec:\n      containers:\n        - name: m\n          image: mailserver/docker-mailserver:15\n'
variants=(
	"${dms}"'          securityContext: {runAsUser: !!str 0, seLinuxOptions: {level: !!str 123}, privileged: !!str false}\n'
	"${dms}"'          resources: {limits: , requests: {cpu: "1"}}\n          env: [{name: A, value: !!str 1}, {name: B}]\n'
	"${dms}"'          securityContext: &sc\n            runAsUser: 1000\n          env: &sc\n            - {name: X, value: "1"}\n      nodeSelector: *sc\n'
	"${dms}"'          securityContext:\n            ? runAsUser\n            : 1000\n            ? capabilities\n            : {add: [SYS_PTRACE]}\n'
	'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\xef\xbb\xbf'"${dms}"
	"${dms}"'          ports: [{name: smtp, containerPort: !!int "25"}, {name: imaps, containerPort: 993}]\n'
)
for v in "${variants[@]}"; do
	for prefix in '\x00\x00' '\x2e\x27' '\x94\x0f'; do
		printf "$prefix$v" >"$dir/seed-$i"
		i=$((i + 1))
	done
done
echo "fuzz: $i seed inputs in $dir"
