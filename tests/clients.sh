# clients.sh -- sourced by run-all.sh: every shell command the README
# documents, run as written in a sandbox where `helm` and `kubectl` are
# stand-ins playing the clients' contracts (tests/tools/fake-helm,
# fake-kubectl); then the Argo CD example played as the CMP server plays it.
FIX="$ROOT/chart-fixtures/helm3-official-chart-default.yaml"
FIX4="$ROOT/chart-fixtures/helm4-official-chart-default.yaml"

sandbox="$TMP/readme"
fakebin="$TMP/fakebin"
rm -rf "$sandbox" "$fakebin" "$TMP/helm-state" "$TMP/plugins"
mkdir -p "$sandbox/bin" "$fakebin"
ln -s "$ROOT/examples" "$sandbox/examples"
ln -s "$ROOT" "$sandbox/dms-postrender" # "helm plugin install ./dms-postrender" from a checkout's parent
ln -s "$here/tools/fake-helm" "$fakebin/helm"
ln -s "$here/tools/fake-kubectl" "$fakebin/kubectl"
# dms-postrender in PATH and at ./bin: the binary under test, under valgrind
# when the suite runs under it.
printf '#!/bin/sh\nexec %s "%s" "$@"\n' "${VALGRIND:-}" "$BIN" >"$fakebin/dms-postrender"
chmod +x "$fakebin/dms-postrender"
cp "$fakebin/dms-postrender" "$sandbox/bin/dms-postrender"
real_kubectl=$(command -v kubectl || true)

# section<TAB>command for every ```sh block of the README, continuation
# lines joined, comments dropped.
"$PY" - "$ROOT/README.md" >"$TMP/readme-commands" <<'EOF'
import re, sys
section, block, cmd = "", False, ""
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("## ") or line.startswith("### "):
        section = line.lstrip("#").strip()
    if block and re.match(r"^\s*#", line):
        continue
    if block:
        line = re.sub(r"\s+# .*$", "", line)
    if line.startswith("```"):
        block = line == "```sh" and not block
        continue
    if block and line.strip():
        cmd += line.rstrip("\\").rstrip() + " " if line.endswith("\\") else line
        if not line.endswith("\\"):
            print(f"{section or '-'}\t{cmd}")
            cmd = ""
EOF

# check_readme NAME COMMAND: what the command must have produced.
check_readme() {
	local name=$1 cmd=$2 out="$TMP/readme.out" st="$TMP/helm-state"
	case "$cmd" in
	"helm template mail docker-mailserver/docker-mailserver | dms-postrender > mail.yaml")
		grep -q 'allowPrivilegeEscalation: true' "$sandbox/mail.yaml" && cmp -s "$sandbox/mail.yaml" <("$BIN" <"$FIX" 2>/dev/null) ;;
	"dms-postrender --check < mail.yaml") [ ! -s "$out" ] ;;
	"make run") grep -q 'allowPrivilegeEscalation: true' "$out" ;;
	*"dms-postrender --proxy-protocol=separate --trusted-networks=10.42.0.0/16 > mail.yaml")
		"$PY" "$here/tools/check-proxy.py" "$sandbox/mail.yaml" separate 10.42.0.0/16 >/dev/null ;;
	"helm install mail "*"--post-renderer ./bin/dms-postrender "*)
		grep -q -- '- NET_ADMIN' "$st/mail.yaml" && grep -q 'appArmorProfile:' "$st/mail.yaml" ;;
	"helm plugin install ./dms-postrender") grep -q 'Installed plugin: dms-postrender' "$out" ;;
	"helm install mail "*"--post-renderer dms-postrender "*)
		grep -q 'metallb.io/address-pool: mail' "$st/mail.yaml" &&
			grep -q 'postrenderer.helm.sh/postrender-filename: docker-mailserver/templates/deployment.yaml' "$st/mail.yaml" ;;
	"kubectl kustomize examples/argocd | kubectl apply -n argocd -f -")
		grep -qx 'configmap/dms-postrender-cmp configured (fake-kubectl: parsed only, namespace argocd)' "$out" &&
			grep -qx 'deployment/argocd-repo-server configured (fake-kubectl: parsed only, namespace argocd)' "$out" ;;
	"kubectl apply -f examples/argocd/application.yaml") grep -q '^application/mail configured' "$out" ;;
	"dms-postrender --config examples/dms-postrender.yaml --fail2ban=off --print-config")
		grep -qx 'fail2ban: "off"  # command line' "$out" && grep -qx 'metallb-pool: "mail"  # config file' "$out" &&
			grep -qx '  - "2001:db8::25"' "$out" ;;
	*"dms-postrender --report report.json > mail.yaml")
		"$PY" "$here/tools/check-report.py" "$sandbox/report.json" "$FIX" "$sandbox/mail.yaml" 0 >/dev/null ;;
	*) echo "no check for this README command; add one to tests/clients.sh" >"$out"; return 1 ;;
	esac
}

ncmd=0
while IFS=$'\t' read -r section cmd; do
	ncmd=$((ncmd + 1))
	name="clients/readme: $cmd"
	if [ "$cmd" = "make test" ]; then
		echo "SKIP $name: the suite itself (CI runs it through .ci/run)"
		continue
	fi
	if { [ "$section" = "Helm 4" ] || [ "$cmd" = "make run" ]; } && { [ -n "${DMSPR_SANITIZED:-}" ] || [ -n "$VALGRIND" ]; }; then
		# The install hook builds the checkout itself; that binary is not the one under test.
		echo "SKIP $name: runs 'make' in the checkout (plain 'make test' runs it)"
		continue
	fi
	if [[ $cmd == kubectl* ]] && [ -z "$real_kubectl" ]; then
		echo "SKIP $name: kubectl not installed"
		continue
	fi
	version=3
	[ "$section" = "Helm 4" ] && version=4
	dir=$sandbox
	[ "$cmd" = "make run" ] && dir=$ROOT
	(cd "$dir" && PATH="$fakebin:$PATH" FAKE_HELM_VERSION=$version FAKE_HELM_RENDER="$FIX" \
		FAKE_HELM_RENDER4="$FIX4" FAKE_HELM_STATE="$TMP/helm-state" HELM_PLUGINS="$TMP/plugins" \
		XDG_STATE_HOME="$TMP/state" REAL_KUBECTL="$real_kubectl" \
		FAKE_KUBECTL_REMOTE="$here/tools/argocd-stand-in.yaml" \
		bash -o pipefail -c "$cmd" >"$TMP/readme.out" 2>"$TMP/readme.err")
	RC=$?
	if [ "$RC" -ne 0 ]; then
		fail "$name" "exit $RC: $(tail -n 3 "$TMP/readme.err" | tr '\n' '|' | head -c 400)"
	elif ! check_readme "$name" "$cmd"; then
		fail "$name" "ran, but its result is wrong: $(head -c 300 "$TMP/readme.out")"
	else
		pass "$name"
	fi
done <"$TMP/readme-commands"
if [ "$ncmd" -ge 9 ]; then
	pass "clients/readme-has-$ncmd-commands"
else
	fail "clients/readme-commands" "found only $ncmd shell commands under '## Use'"
fi

# The stand-in helm must fail the way the real ones do, or the passes above
# prove little: Helm 3 shows the renderer's error, Helm 4 hides it.
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [broken\n' >"$TMP/broken.yaml"
(cd "$sandbox" && PATH="$fakebin:$PATH" FAKE_HELM_RENDER="$TMP/broken.yaml" FAKE_HELM_STATE="$TMP/helm-state" \
	helm template mail chart --post-renderer ./bin/dms-postrender >"$TMP/out" 2>"$TMP/err")
RC=$?
if [ "$RC" -eq 1 ] && grep -q '^Error: error while running post render on files: error while running command .*/bin/dms-postrender. error output:$' "$TMP/err" &&
	grep -q '^dms-postrender: error: <stdin>:4:1: ' "$TMP/err" && grep -q ': exit status 1$' "$TMP/err"; then
	pass "clients/helm3-stand-in-shows-the-error"
else
	fail "clients/helm3-stand-in-shows-the-error" "exit $RC: $(head -c 300 "$TMP/err")"
fi

# Argo CD: the CMP server runs init and generate in the application's
# directory with the request environment (clients.md section 4). The
# parameters and plugin env come from examples/argocd/application.yaml,
# encoded as Argo CD encodes them.
app="$TMP/argo/mail"
mkdir -p "$app"
printf 'apiVersion: v2\nname: mail\nversion: 0.1.0\n' >"$app/Chart.yaml"
printf '# values\n' >"$app/values.yaml"
"$PY" - "$ROOT/examples/argocd/plugin.yaml" "$ROOT/examples/argocd/application.yaml" "$TMP/argo" <<'EOF' >"$TMP/argo.check" 2>&1
import json, re, sys, yaml
plugin = yaml.safe_load(open(sys.argv[1]))
app = yaml.safe_load(open(sys.argv[2]))
out = sys.argv[3]
assert plugin["apiVersion"] == "argoproj.io/v1alpha1" and plugin["kind"] == "ConfigManagementPlugin"
spec = plugin["spec"]
name = plugin["metadata"]["name"] + ("-" + spec["version"] if spec.get("version") else "")
src = app["spec"]["source"]["plugin"]
assert src["name"] == name, f"the Application names plugin {src['name']}, the plugin is {name}"
assert "pipefail" in " ".join(spec["generate"]["args"]), "generate does not set pipefail"
params = src.get("parameters") or []
def escaped(s):
    return re.sub(r"[^A-Z0-9_]", "_", s.upper())
env = {"ARGOCD_APP_PARAMETERS": json.dumps(params)}
for p in params:
    if "string" in p:
        env["PARAM_" + escaped(p["name"])] = p["string"]
    for i, v in enumerate(p.get("array") or []):
        env[f"PARAM_{escaped(p['name'])}_{i}"] = v
    for k, v in (p.get("map") or {}).items():
        env[f"PARAM_{escaped(p['name'])}_{escaped(k)}"] = v
for e in src.get("env") or []:
    env["ARGOCD_ENV_" + e["name"]] = e["value"]
with open(out + "/env", "w") as f:
    for k, v in env.items():
        f.write(f"{k}={v}\0")
for step in ("init", "generate"):
    with open(f"{out}/{step}", "w") as f:
        for a in spec[step]["command"] + spec[step].get("args", []):
            f.write(a + "\0")
EOF
if [ -s "$TMP/argo.check" ]; then
	fail "clients/argocd-example" "$(tail -n 2 "$TMP/argo.check" | tr '\n' '|')"
else
	mapfile -d '' -t argo_env <"$TMP/argo/env"
	mapfile -d '' -t argo_init <"$TMP/argo/init"
	mapfile -d '' -t argo_gen <"$TMP/argo/generate"
	# argo_step OUT ERR CMD...: one step as the CMP server runs it.
	argo_step() {
		local o=$1 e=$2
		shift 2
		(cd "$app" && env -i PATH="$fakebin:$PATH" HOME="$TMP" ARGOCD_APP_NAME=mail ARGOCD_APP_NAMESPACE=mail \
			ARGOCD_APP_PROJECT_NAME=default ARGOCD_APP_REVISION=0123456789abcdef0123456789abcdef01234567 \
			ARGOCD_APP_REVISION_SHORT=0123456 ARGOCD_APP_REVISION_SHORT_8=01234567 \
			ARGOCD_APP_SOURCE_REPO_URL=https://git.example.com/ops/mail.git ARGOCD_APP_SOURCE_PATH=mail \
			ARGOCD_APP_SOURCE_TARGET_REVISION=HEAD KUBE_VERSION=1.31.2 \
			KUBE_API_VERSIONS=apps/v1,apps/v1/Deployment,v1,v1/Service \
			FAKE_HELM_RENDER="${ARGO_RENDER:-$FIX}" FAKE_HELM_LOG="$TMP/argo/helm.log" "${argo_env[@]}" \
			"$@" >"$o" 2>"$e")
	}
	rm -f "$TMP/argo/helm.log"
	argo_step "$TMP/argo/init.out" "$TMP/argo/init.err" "${argo_init[@]}"
	rc_init=$?
	argo_step "$TMP/out" "$TMP/err" "${argo_gen[@]}"
	RC=$?
	if [ "$rc_init$RC" = 00 ] && grep -q 'metallb.io/address-pool: mail' "$TMP/out" &&
		grep -q 'metallb.io/loadBalancerIPs: 192.0.2.25' "$TMP/out" && grep -q -- '- NET_ADMIN' "$TMP/out" &&
		grep -q 'appArmorProfile:' "$TMP/out" &&
		grep -qx 'template mail . --namespace mail --kube-version 1.31.2 --values values.yaml' "$TMP/argo/helm.log"; then
		pass "clients/argocd-example-generates-the-patched-stream"
	else
		fail "clients/argocd-example-generates-the-patched-stream" \
			"init $rc_init, generate $RC: $(head -c 300 "$TMP/err") helm: $(cat "$TMP/argo/helm.log" 2>/dev/null)"
	fi
	# A config file in the application's directory is read; parameters override it.
	printf 'metallb-pool: from-file\nmetallb-shared-ip: mail-key\n' >"$app/.dms-postrender.yaml"
	argo_step "$TMP/out" "$TMP/err" "${argo_gen[@]}"
	RC=$?
	rm -f "$app/.dms-postrender.yaml"
	if [ "$RC" -eq 0 ] && grep -q 'metallb.io/address-pool: mail$' "$TMP/out" &&
		grep -q 'metallb.io/allow-shared-ip: mail-key' "$TMP/out"; then
		pass "clients/argocd-example-reads-the-config-file"
	else
		fail "clients/argocd-example-reads-the-config-file" "exit $RC: $(head -c 300 "$TMP/err")"
	fi
	# A failing helm or post-renderer fails the step: no empty stream for prune.
	ARGO_RENDER="$TMP/broken.yaml" argo_step "$TMP/out" "$TMP/err" "${argo_gen[@]}"
	RC=$?
	ARGO_RENDER="$TMP/none.yaml" argo_step "$TMP/out2" "$TMP/err2" "${argo_gen[@]}"
	rc2=$?
	if [ "$RC" -ne 0 ] && [ ! -s "$TMP/out" ] && grep -q 'dms-postrender: error: <stdin>:4:1' "$TMP/err" &&
		[ "$rc2" -ne 0 ] && [ ! -s "$TMP/out2" ] && grep -q 'cannot read the render' "$TMP/err2"; then
		pass "clients/argocd-example-fails-instead-of-emptying"
	else
		fail "clients/argocd-example-fails-instead-of-emptying" "exits $RC/$rc2: $(head -c 200 "$TMP/err")"
	fi
fi

# The plugin announces every option (except the command-line-only ones) as
# a parameter, lists as arrays, each with the default --print-config shows.
"$BIN" --print-config </dev/null >"$TMP/defaults.yaml"
if "$PY" - "$ROOT/examples/argocd/plugin.yaml" "$TMP/defaults.yaml" >"$TMP/params.check" 2>&1 <<'EOF'; then
import sys, yaml
static = yaml.safe_load(open(sys.argv[1]))["spec"]["parameters"]["static"]
defaults = yaml.safe_load(open(sys.argv[2]))
problems = []
names = [p["name"] for p in static]
if sorted(names) != sorted(defaults):
    problems.append(f"parameters {sorted(set(names) ^ set(defaults))} differ from the options")
for p in static:
    d = defaults.get(p["name"])
    if not p.get("tooltip"):
        problems.append(f"{p['name']}: no tooltip")
    if isinstance(d, list):
        if p.get("collectionType") != "array" or p.get("array") != d:
            problems.append(f"{p['name']}: not an array parameter with default {d}")
    else:
        want = "" if d is None else str(d).lower() if isinstance(d, bool) else str(d)
        if p.get("string") != want or p.get("collectionType", "string") != "string":
            problems.append(f"{p['name']}: default {p.get('string')!r}, expected {want!r}")
print("\n".join(problems))
sys.exit(1 if problems else 0)
EOF
	pass "clients/argocd-plugin-announces-every-option"
else
	fail "clients/argocd-plugin-announces-every-option" "$(head -c 400 "$TMP/params.check")"
fi

# The kustomization's ConfigMap carries plugin.yaml unchanged, mounted where
# the CMP server looks for it.
if [ -n "$real_kubectl" ]; then
	PATH="$fakebin:$PATH" REAL_KUBECTL="$real_kubectl" FAKE_KUBECTL_REMOTE="$here/tools/argocd-stand-in.yaml" \
		kubectl kustomize "$ROOT/examples/argocd" >"$TMP/argocd.yaml" 2>"$TMP/err"
	if "$PY" - "$TMP/argocd.yaml" "$ROOT/examples/argocd/plugin.yaml" >"$TMP/k.check" 2>&1 <<'EOF'; then
import sys, yaml
docs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(open(sys.argv[1])) if d}
cm = docs[("ConfigMap", "dms-postrender-cmp")]
assert cm["data"]["plugin.yaml"] == open(sys.argv[2]).read(), "ConfigMap plugin.yaml differs"
pod = docs[("Deployment", "argocd-repo-server")]["spec"]["template"]["spec"]
side = [c for c in pod["containers"] if c["name"] == "dms-postrender"][0]
mounts = {m["mountPath"]: m for m in side["volumeMounts"]}
assert mounts["/home/argocd/cmp-server/config/plugin.yaml"]["subPath"] == "plugin.yaml"
assert side["command"] == ["/var/run/argocd/argocd-cmp-server"]
assert side["securityContext"]["runAsUser"] == 999
assert {v["name"] for v in pod["volumes"]} >= {"var-files", "plugins", "dms-postrender-cmp", "dms-postrender-tmp"}
EOF
		pass "clients/argocd-kustomization-mounts-the-plugin"
	else
		fail "clients/argocd-kustomization-mounts-the-plugin" "$(tail -n 2 "$TMP/k.check" "$TMP/err" | tr '\n' '|')"
	fi
else
	echo "SKIP clients/argocd-kustomization-mounts-the-plugin: kubectl not installed"
fi
