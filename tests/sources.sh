# sources.sh -- sourced by run-all.sh: the configuration sources (--config
# FILE, Argo CD's ARGOCD_APP_PARAMETERS, KUBE_VERSION, flags), their
# precedence as --print-config shows it, and every refusal naming source,
# key and expected form.
FIX="$ROOT/chart-fixtures/helm3-test-chart.yaml"

# print_config NAME ARGS...: run --print-config; the output is in $TMP/cfg.
print_config() {
	local name=$1
	shift
	# shellcheck disable=SC2086
	$VALGRIND "$BIN" --print-config "$@" </dev/null >"$TMP/cfg" 2>"$TMP/err"
	RC=$?
	[ "$RC" -eq 0 ] || fail "$name" "exit $RC: $(head -c 300 "$TMP/err")"
}

# has_line NAME LINE...: every LINE is a whole line of $TMP/cfg.
has_line() {
	local name=$1 l missing=""
	shift
	[ "$RC" -eq 0 ] || return
	for l in "$@"; do
		grep -qxF -- "$l" "$TMP/cfg" || missing="$missing [$l]"
	done
	if [ -z "$missing" ]; then
		pass "$name"
	else
		fail "$name" "missing$missing in: $(tr '\n' '|' <"$TMP/cfg" | head -c 600)"
	fi
}

cat >"$TMP/c.yaml" <<'EOF'
# a config file as an operator writes it
fail2ban: on
metallb-pool: from-file
traffic-policy: cluster
kube-version: 1.29
image:
  - registry.example.com/*/docker-mailserver
metallb-ip: [192.0.2.1, "192.0.2.2"]
max-document-size: 16M
verbose: true
EOF
params='[{"name":"fail2ban","string":"off"},{"name":"metallb-pool","string":"from-argo"},'
params="$params"'{"name":"image","array":["mirror.example.com/docker-mailserver"]},'
params="$params"'{"name":"metallb-ip","string":"198.51.100.7,198.51.100.8"}]'

# The same options from four sources: flags > Argo CD > file > KUBE_VERSION.
ARGOCD_APP_PARAMETERS=$params KUBE_VERSION=1.31.2 print_config "sources/precedence" \
	--config "$TMP/c.yaml" --fail2ban=auto
has_line "sources/precedence" \
	'fail2ban: auto  # command line' \
	'lb-pool: "from-argo"  # ARGOCD_APP_PARAMETERS' \
	'image:  # ARGOCD_APP_PARAMETERS' '  - "mirror.example.com/docker-mailserver"' \
	'lb-ip:  # ARGOCD_APP_PARAMETERS' '  - "198.51.100.7"' '  - "198.51.100.8"' \
	'traffic-policy: cluster  # config file' 'kube-version: "1.29"  # config file' \
	'max-document-size: 16M  # config file' 'verbose: true  # config file' \
	'apparmor: auto  # default' 'container: []  # default'
if grep -q 'registry.example.com\|192.0.2.1' "$TMP/cfg"; then
	fail "sources/higher-source-replaces-a-list" "a list from the file leaked through: $(tr '\n' '|' <"$TMP/cfg")"
else
	pass "sources/higher-source-replaces-a-list"
fi

KUBE_VERSION=1.31.2 print_config "sources/kube-version-from-environment"
has_line "sources/kube-version-from-environment" 'kube-version: "1.31.2"  # KUBE_VERSION'
KUBE_VERSION=1.31.2 print_config "sources/flag-over-kube-version" --kube-version=v1.28
has_line "sources/flag-over-kube-version" 'kube-version: "1.28"  # command line'

# The release namespace: Argo CD's destination over Helm's HELM_NAMESPACE,
# any written source over both (issue 22: the official chart writes no
# metadata.namespace, and ingress-nginx's tcp-services entries need it).
HELM_NAMESPACE=from-helm print_config "sources/namespace-from-helm-namespace"
has_line "sources/namespace-from-helm-namespace" 'namespace: "from-helm"  # HELM_NAMESPACE'
ARGOCD_APP_NAMESPACE=from-argo HELM_NAMESPACE=from-helm print_config "sources/namespace-argocd-over-helm"
has_line "sources/namespace-argocd-over-helm" 'namespace: "from-argo"  # ARGOCD_APP_NAMESPACE'
ARGOCD_APP_NAMESPACE=from-argo HELM_NAMESPACE=from-helm print_config "sources/namespace-flag-over-environment" \
	--namespace=mail
has_line "sources/namespace-flag-over-environment" 'namespace: "mail"  # command line'
print_config "sources/namespace-unknown-by-default"
has_line "sources/namespace-unknown-by-default" 'namespace: null  # default'
HELM_NAMESPACE=Not_A_Label "$BIN" --print-config </dev/null >/dev/null 2>"$TMP/err"
RC=$?
if [ "$RC" -eq 3 ] && grep -q 'HELM_NAMESPACE' "$TMP/err"; then
	pass "sources/namespace-from-environment-validated"
else
	fail "sources/namespace-from-environment-validated" "exit $RC: $(head -c 300 "$TMP/err")"
fi
# With the official chart's render (no metadata.namespace anywhere), the
# tcp-services entries take the namespace from each source; without one the
# run fails and says how to give it.
OFFICIAL="$SHARED/corpus/dms/rendered/helm3/default.yaml"
nginx_args=(--proxy-protocol=separate --trusted-networks=10.42.0.0/16 --proxy-ingress=nginx)
if [ ! -f "$OFFICIAL" ]; then
	missing_shared "sources/namespace-reaches-nginx-entries" "$OFFICIAL"
else
	ok=true why=""
	for src in flag HELM_NAMESPACE ARGOCD_APP_NAMESPACE; do
		case $src in
		flag) "$BIN" "${nginx_args[@]}" --namespace=mail <"$OFFICIAL" >"$TMP/out" 2>"$TMP/err" ;;
		HELM_NAMESPACE) HELM_NAMESPACE=mail "$BIN" "${nginx_args[@]}" <"$OFFICIAL" >"$TMP/out" 2>"$TMP/err" ;;
		*) ARGOCD_APP_NAMESPACE=mail "$BIN" "${nginx_args[@]}" <"$OFFICIAL" >"$TMP/out" 2>"$TMP/err" ;;
		esac
		RC=$?
		grep -qxF '  "25": "mail/mail-docker-mailserver:12525::PROXY"' "$TMP/out" || { ok=false; why="$why $src: exit $RC, no entry;"; }
	done
	"$BIN" "${nginx_args[@]}" <"$OFFICIAL" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	[ "$RC" -eq 4 ] && [ ! -s "$TMP/out" ] && grep -q -- '--namespace NAME' "$TMP/err" || { ok=false; why="$why none: exit $RC;"; }
	if $ok; then
		pass "sources/namespace-reaches-nginx-entries"
	else
		fail "sources/namespace-reaches-nginx-entries" "$why $(head -c 200 "$TMP/err")"
	fi
fi

# Flags given twice: a list collects, a single value takes the last.
print_config "sources/repeated-flags" --image a.example/docker-mailserver --image=b.example/docker-mailserver \
	--metallb-pool one --metallb-pool=two
has_line "sources/repeated-flags" 'image:  # command line' '  - "a.example/docker-mailserver"' \
	'  - "b.example/docker-mailserver"' 'lb-pool: "two"  # command line'

# What --print-config prints is a config file giving the same configuration.
ARGOCD_APP_PARAMETERS=$params print_config "sources/print-config-round-trip" --config "$TMP/c.yaml" --host-network
cp "$TMP/cfg" "$TMP/printed.yaml"
print_config "sources/print-config-round-trip" --config "$TMP/printed.yaml"
if [ "$RC" -eq 0 ] && diff <(sed 's/  # .*//' "$TMP/printed.yaml" | grep -v '^#') \
	<(sed 's/  # .*//' "$TMP/cfg" | grep -v '^#') >"$TMP/diff"; then
	pass "sources/print-config-round-trip"
else
	fail "sources/print-config-round-trip" "$(head -c 300 "$TMP/diff")"
fi

# JSON is read as YAML; numbers keep their text.
printf '{"kube-version": 1.30, "fail2ban": "on", "metallb-ip": ["192.0.2.9"], "verbose": true}' >"$TMP/c.json"
print_config "sources/json-config-file" --config "$TMP/c.json"
has_line "sources/json-config-file" 'kube-version: "1.30"  # config file' 'fail2ban: "on"  # config file' \
	'  - "192.0.2.9"' 'verbose: true  # config file'

# The configuration changes the output, not only the printout.
printf 'metallb-pool: mail\nmetallb-ip: 192.0.2.25\n' >"$TMP/m.yaml"
run_prog "$TMP/out" "$TMP/err" --config "$TMP/m.yaml" <"$FIX"
if [ "$RC" -eq 0 ] && grep -q 'metallb.io/address-pool: mail' "$TMP/out" &&
	grep -q 'metallb.io/loadBalancerIPs: 192.0.2.25' "$TMP/out"; then
	pass "sources/config-file-drives-the-patch"
else
	fail "sources/config-file-drives-the-patch" "exit $RC: $(head -c 300 "$TMP/err")"
fi

# source_error NAME PATTERN [ENV=VALUE] ARGS...: exit 3 with one stderr
# line matching PATTERN, nothing on stdout.
source_error() {
	local name=$1 pat=$2
	shift 2
	# shellcheck disable=SC2086
	env "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	RC=$?
	expect_error "$name" 3 "$pat"
}
bad() { printf '%b' "$2" >"$TMP/bad.yaml"; source_error "sources/file-$1" "$3" $VALGRIND "$BIN" --config "$TMP/bad.yaml"; }
bad unknown-key 'fail2bam: on\n' "bad.yaml:1: unknown key 'fail2bam' \(did you mean 'fail2ban'\?\)"
bad bad-value 'verbose: false\nfail2ban: maybe\n' "bad.yaml:2: fail2ban: expected one of auto\|on\|off, got 'maybe'"
bad quoted-flag 'verbose: "true"\n' 'bad.yaml:1: verbose: expected true or false \(unquoted\)'
bad list-for-single-value 'metallb-pool: [a, b]\n' 'bad.yaml:1: metallb-pool: expected one NAME, got a list'
bad mapping-value 'image: {a: b}\n' 'bad.yaml:1: image: expected a PATTERN or a list of them, got a mapping'
bad nested-list 'image:\n  - [a]\n' 'bad.yaml:2: image: each list item must be one PATTERN'
bad bad-list-item 'metallb-ip:\n  - 192.0.2.1\n  - 192.0.2.300\n' "bad.yaml:2: metallb-ip: '192.0.2.300' is not an IPv4 or IPv6 address"
bad duplicate-key 'fail2ban: on\nfail2ban: off\n' "bad.yaml:2: key 'fail2ban' given twice \(first on line 1\)"
bad two-documents 'fail2ban: on\n---\nfail2ban: off\n' 'bad.yaml:2: a config file holds one document'
bad not-a-mapping '- fail2ban\n' 'bad.yaml:1: expected a mapping of option names to values'
bad not-yaml 'image: [a\n' 'bad.yaml:2:1: not valid YAML or JSON'
bad command-line-only 'print-config: true\n' "bad.yaml:1: 'print-config' can only be given on the command line"
# --check and --allow-empty can make a run write nothing or fail where it
# would patch: from a config file or Argo CD they would reach the runs whose
# output a client applies (an empty stream deletes a release, prunes an app).
bad check-command-line-only 'check: true\n' "bad.yaml:1: 'check' can only be given on the command line"
bad allow-empty-command-line-only 'allow-empty: true\n' "bad.yaml:1: 'allow-empty' can only be given on the command line"
bad bad-combination 'metallb-emit-pool: 192.0.2.0/28\n' '--lb-emit-pool needs --lb-pool'
source_error "sources/file-missing" "--config $TMP/none.yaml: cannot open: No such file or directory" \
	$VALGRIND "$BIN" --config "$TMP/none.yaml"
head -c 1100000 /dev/zero | tr '\0' '#' >"$TMP/huge.yaml"
source_error "sources/file-too-large" 'larger than 1024 KiB' $VALGRIND "$BIN" --config "$TMP/huge.yaml"
# A value that a higher source overrides is still checked.
printf 'fail2ban: maybe\n' >"$TMP/bad.yaml"
source_error "sources/overridden-bad-value-still-refused" "bad.yaml:1: fail2ban: expected one of" \
	$VALGRIND "$BIN" --config "$TMP/bad.yaml" --fail2ban=on
# An empty file, or one with only comments, sets nothing; nor does null.
printf '# nothing yet\n' >"$TMP/empty.yaml"
print_config "sources/comment-only-file" --config "$TMP/empty.yaml"
has_line "sources/comment-only-file" 'fail2ban: auto  # default'
printf 'metallb-pool:\nmetallb-shared-ip: null\n' >"$TMP/empty.yaml"
KUBE_VERSION=1.30 print_config "sources/null-sets-nothing" --config "$TMP/empty.yaml"
has_line "sources/null-sets-nothing" 'lb-pool: null  # default' 'lb-shared-ip: null  # default'

argo() { source_error "sources/argo-$1" "$3" ARGOCD_APP_PARAMETERS="$2" $VALGRIND "$BIN" --print-config; }
argo unknown-name '[{"name":"values-files","array":["values-dev.yaml"]}]' \
	"ARGOCD_APP_PARAMETERS: unknown parameter 'values-files'; parameters are the long option names"
argo hint '[{"name":"metallb-pol","string":"x"}]' "unknown parameter 'metallb-pol' \(did you mean 'metallb-pool'\?\)"
argo map '[{"name":"helm-parameters","map":{"image.tag":"v1"}}]' "unknown parameter 'helm-parameters'"
argo map-for-option '[{"name":"fail2ban","map":{"a":"b"}}]' \
	"parameter 'fail2ban': expected one auto\|on\|off as \"string\"$"
argo array-for-single-value '[{"name":"metallb-pool","array":["a"]}]' "parameter 'metallb-pool': expected one NAME"
argo bad-value '[{"name":"traffic-policy","string":"locale"}]' \
	"parameter 'traffic-policy': expected one of local\|cluster\|keep, got 'locale'"
argo flag-value '[{"name":"verbose","string":"yes"}]' "parameter 'verbose': expected true or false, got 'yes'"
argo not-json '[{"name":' 'ARGOCD_APP_PARAMETERS:1:10: not valid JSON'
argo not-array '{"name":"verbose"}' 'ARGOCD_APP_PARAMETERS: expected a JSON array'
argo no-name '[{"string":"x"}]' 'ARGOCD_APP_PARAMETERS: item 1: expected an object with a string "name"'
argo command-line-only '[{"name":"config","string":"/etc/x"}]' "parameter 'config' can only be given on the command line"
argo check-command-line-only '[{"name":"check","string":"true"}]' "parameter 'check' can only be given on the command line"
argo allow-empty-command-line-only '[{"name":"allow-empty","string":"true"}]' \
	"parameter 'allow-empty' can only be given on the command line"

# A form field left blank arrives as "" and sets nothing.
ARGOCD_APP_PARAMETERS='[{"name":"metallb-pool","string":""}]' print_config "sources/argo-blank-string"
has_line "sources/argo-blank-string" 'lb-pool: null  # default'

# Argo CD's contract (clients.md section 4): the request environment as the
# CMP server sets it, parameters as JSON plus PARAM_* variables, which must be
# ignored in favour of the JSON; KUBE_VERSION without "v"; the run happens in
# the application's directory.
mkdir -p "$TMP/app"
params='[{"name":"metallb-pool","string":"mail"},{"name":"metallb-ip","array":["192.0.2.25"]},'
params="$params"'{"name":"fail2ban","string":"on"},{"name":"verbose","string":"false"}]'
(cd "$TMP/app" && env -i PATH="$PATH" HOME="$TMP" \
	ARGOCD_APP_NAME=mail ARGOCD_APP_NAMESPACE=mail ARGOCD_APP_PROJECT_NAME=default \
	ARGOCD_APP_REVISION=0123456789abcdef0123456789abcdef01234567 ARGOCD_APP_REVISION_SHORT=0123456 \
	ARGOCD_APP_REVISION_SHORT_8=01234567 ARGOCD_APP_SOURCE_REPO_URL=https://git.example.com/mail.git \
	ARGOCD_APP_SOURCE_PATH=mail ARGOCD_APP_SOURCE_TARGET_REVISION=HEAD \
	KUBE_VERSION=1.31.2 KUBE_API_VERSIONS=apps/v1,apps/v1/Deployment,v1,v1/Service \
	ARGOCD_ENV_HELM_ARGS="--values values.yaml" \
	ARGOCD_APP_PARAMETERS="$params" PARAM_METALLB_POOL=mail PARAM_METALLB_IP_0=192.0.2.25 \
	PARAM_FAIL2BAN=off PARAM_VERBOSE=false \
	$VALGRIND "$BIN" <"$FIX" >"$TMP/out" 2>"$TMP/err")
RC=$?
if [ "$RC" -eq 0 ] && ! grep -q 'error' "$TMP/err" && grep -q 'metallb.io/address-pool: mail' "$TMP/out" &&
	grep -q 'metallb.io/loadBalancerIPs: 192.0.2.25' "$TMP/out" && grep -q -- '- NET_ADMIN' "$TMP/out" &&
	grep -q 'appArmorProfile:' "$TMP/out"; then
	pass "sources/argocd-contract (JSON parameters over PARAM_*, KUBE_VERSION 1.31.2)"
else
	fail "sources/argocd-contract" "exit $RC: $(head -c 300 "$TMP/err")"
fi

# --report FILE: parsed back and checked against what really changed.
FIX4="$ROOT/chart-fixtures/helm4-test-chart.yaml"
for f in "$FIX" "$FIX4" "$ROOT/chart-fixtures/helm3-k8s-guide.yaml"; do
	n="sources/report-$(basename "$f" .yaml)"
	run_prog "$TMP/out" "$TMP/err" --report "$TMP/report.json" --metallb-pool=mail --metallb-ip=192.0.2.25 \
		--metallb-emit-pool=192.0.2.0/28 --host-network <"$f"
	if [ "$RC" -ne 0 ]; then
		fail "$n" "exit $RC: $(head -c 300 "$TMP/err")"
	elif ! "$PY" "$here/tools/check-report.py" "$TMP/report.json" "$f" "$TMP/out" 0 >"$TMP/check" 2>&1; then
		fail "$n" "$(head -c 400 "$TMP/check")"
	elif [ "$(grep -c 'warning:' "$TMP/err")" -ne "$("$PY" -c 'import json, sys
print(len(json.load(open(sys.argv[1]))["warnings"]))' "$TMP/report.json")" ]; then
		fail "$n" "the report does not hold every warning"
	else
		pass "$n"
	fi
done
# The Helm 4 report names the file each object came from.
run_prog "$TMP/out" "$TMP/err" --report "$TMP/report.json" <"$FIX4"
if grep -q '"source":	"docker-mailserver/templates/deployment.yaml"' "$TMP/report.json"; then
	pass "sources/report-helm4-source-file"
else
	fail "sources/report-helm4-source-file" "$(head -c 300 "$TMP/report.json")"
fi
# A second run changes nothing, and the report says so.
run_prog "$TMP/again" "$TMP/err" --report "$TMP/report.json" <"$TMP/out"
if [ "$RC" -eq 0 ] && "$PY" -c 'import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if r["documents"] == [] and r["generated"] == [] and r["counts"]["changed"] == 0 else 1)' "$TMP/report.json"; then
	pass "sources/report-second-run-lists-no-change"
else
	fail "sources/report-second-run-lists-no-change" "exit $RC: $(head -c 300 "$TMP/report.json")"
fi
# A failed run still writes its report, with the error; --check's too.
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [broken\n' >"$TMP/broken.yaml"
run_prog "$TMP/out" "$TMP/err" --report "$TMP/report.json" <"$TMP/broken.yaml"
if [ "$RC" -eq 1 ] && [ ! -s "$TMP/out" ] &&
	"$PY" "$here/tools/check-report.py" "$TMP/report.json" "$TMP/broken.yaml" /dev/null 1 >"$TMP/check" 2>&1 &&
	grep -q '"<stdin>:4:1: ' "$TMP/report.json"; then
	pass "sources/report-of-a-failed-run"
else
	fail "sources/report-of-a-failed-run" "exit $RC: $(head -c 300 "$TMP/check")"
fi
run_prog "$TMP/out" "$TMP/err" --check --report "$TMP/report.json" <"$FIX"
if [ "$RC" -eq 7 ] && "$PY" "$here/tools/check-report.py" "$TMP/report.json" "$FIX" /dev/null 7 >"$TMP/check" 2>&1 &&
	grep -q '"check":	true' "$TMP/report.json"; then
	pass "sources/report-of-check"
else
	fail "sources/report-of-check" "exit $RC: $(head -c 300 "$TMP/check")"
fi
# A usage or configuration error (exit 2 or 3) leaves a report of this run
# in place of an older one that said "ok": from the command line, a config
# file and Argo CD parameters alike.
report_of_early_error() {
	local name=$1 want=$2 pat=$3
	shift 3
	printf '{"status": "ok", "exitStatus": 0}\n' >"$TMP/report.json"
	# shellcheck disable=SC2086
	env "$@" <"$FIX" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	if [ "$RC" -eq "$want" ] && [ ! -s "$TMP/out" ] && "$PY" -c 'import json, re, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if r["status"] == "failed" and r["exitStatus"] == int(sys.argv[2]) and len(r["errors"]) == 1
         and re.search(sys.argv[3], r["errors"][0]) else 1)' "$TMP/report.json" "$want" "$pat"; then
		pass "$name"
	else
		fail "$name" "exit $RC: $(head -c 300 "$TMP/report.json")"
	fi
}
report_of_early_error "sources/report-of-a-usage-error" 2 "unknown option '--bogus'" \
	$VALGRIND "$BIN" --report "$TMP/report.json" --bogus
report_of_early_error "sources/report-of-a-bad-flag-value" 3 "--fail2ban: expected one of" \
	$VALGRIND "$BIN" --report "$TMP/report.json" --fail2ban=maybe
printf 'fail2ban: maybe\n' >"$TMP/bad.yaml"
report_of_early_error "sources/report-of-a-bad-config-file" 3 "bad.yaml:1: fail2ban: expected one of" \
	$VALGRIND "$BIN" --report "$TMP/report.json" --config "$TMP/bad.yaml"
report_of_early_error "sources/report-of-a-bad-argo-parameter" 3 "parameter 'check' can only be given" \
	ARGOCD_APP_PARAMETERS='[{"name":"check","string":"true"}]' $VALGRIND "$BIN" --report "$TMP/report.json"
report_of_early_error "sources/report-of-a-bad-combination" 3 "--lb-emit-pool needs --lb-pool" \
	$VALGRIND "$BIN" --report "$TMP/report.json" --metallb-emit-pool=192.0.2.0/28

# A report that cannot be written stops the run before any output.
run_prog "$TMP/out" "$TMP/err" --report "$TMP/no/such/dir/report.json" <"$FIX"
expect_error "sources/report-unwritable-fails-first" 5 "--report $TMP/no/such/dir/report.json: cannot create the report: No such file or directory"
ls "$TMP" | grep -q '\.tmp\.' && fail "sources/report-leaves-no-temporary-file" "$(ls "$TMP")" ||
	pass "sources/report-leaves-no-temporary-file"

# PROXY trust: every address as a trusted proxy is refused in either family
# unless asked for; --allow-any-proxy accepts it.
source_error "sources/proxy-ipv4-any-refused" "--trusted-networks 0.0.0.0/0 trusts every address" \
	$VALGRIND "$BIN" --proxy-protocol=separate --trusted-networks=10.0.0.0/8,0.0.0.0/0 --print-config
print_config "sources/proxy-any-allowed" --proxy-protocol=separate --trusted-networks=0.0.0.0/0 --allow-any-proxy
has_line "sources/proxy-any-allowed" 'proxy-protocol: separate  # command line' '  - "0.0.0.0/0"'
source_error "sources/proxy-options-need-proxy" "--proxy-network-policy only applies with --proxy-protocol" \
	$VALGRIND "$BIN" --proxy-network-policy --print-config
source_error "sources/proxy-bad-network" "'10.0.0.0/33' is not an IP address or a CIDR" \
	$VALGRIND "$BIN" --proxy-protocol=only --trusted-networks=10.0.0.0/33 --print-config
source_error "sources/proxy-bad-entrypoint" "expected SERVICE=ENTRYPOINT" \
	$VALGRIND "$BIN" --proxy-protocol=only --trusted-networks=10.0.0.0/8 --proxy-ingress=traefik \
	--traefik-entrypoint=webmail=web --print-config
