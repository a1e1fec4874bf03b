# schema.sh -- sourced by run-all.sh: every successful golden output and every
# corpus stream after a run with every patch on is parsed by the `yaml` npm
# package and validated against the Kubernetes OpenAPI schemas in the npm
# package kubernetes-models (tests/schema/validate.mjs), which also checks
# Helm 4's post-render rules (apiVersion and kind on every document, nothing
# after '---' but a comment). Each output is compared with its input: only
# problems the output adds fail (helm-unittest .snap files are snapshots,
# not rendered streams, and are left out). Custom resources are validated
# against the real upstream CRDs in ../shared/reference/crds (Traefik,
# MetalLB, Gateway API, Envoy Gateway, Cilium), and a deprecated field fails
# unless the case asks for it (--traefik-proxy-protocol inline). Every
# official chart render is also run in each exposure mode, so that every
# kind of object the tool generates is validated. Needs node and tests/schema/node_modules
# (`make schema-deps`, which `make test` runs when npm is there); without
# them the suite says SKIP.

SCHEMA="$here/schema"
if [ -n "${VALGRIND:-}" ] || [ -n "${DMSPR_SANITIZED:-}" ]; then
	skip "schema" "the same outputs are validated in the plain run"
elif ! command -v node >/dev/null 2>&1 || [ ! -d "$SCHEMA/node_modules/kubernetes-models" ]; then
	skip "schema" "node or tests/schema/node_modules missing (make schema-deps)"
else
	mkdir -p "$TMP/schema"
	files=()
	for dir in "$here"/golden/*/*/; do
		dir=${dir%/}
		[ -f "$dir/expected.rc" ] && continue
		shared_input_missing "schema: golden/${dir#"$here"/golden/}" "$dir" && continue
		if [ -f "$dir/no-consumer" ]; then
			skip "schema" "golden/${dir#"$here"/golden/}: $(head -n 1 "$dir/no-consumer")"
			continue
		fi
		out="$dir/expected.yaml"
		[ -f "$out" ] || out="$dir/input.yaml"
		grep -qx -- '--traefik-proxy-protocol=inline' "$dir/args" 2>/dev/null && files+=(--allow-deprecated)
		files+=("$dir/input.yaml" "$out")
	done
	all=(--metallb-pool=mail --metallb-ip=192.0.2.10 --external-ip=198.51.100.7 --metallb-emit-pool=192.0.2.10/32
		--host-network --apparmor=both --fail2ban=on)
	i=0
	while IFS= read -r f; do
		i=$((i + 1))
		"$BIN" "${all[@]}" <"$f" >"$TMP/schema/$i-$(basename "$f")" 2>/dev/null &&
			files+=("$f" "$TMP/schema/$i-$(basename "$f")")
	done < <(find "$SHARED/corpus" "$ROOT/chart-fixtures" -path "$ROOT/chart-fixtures/docker-mailserver" -prune -o \
		-type f -name '*.yaml' -print 2>/dev/null | sort)
	# Each exposure mode on the official chart's renders.
	proxy=(--proxy-protocol=separate --trusted-networks=10.42.0.0/16 --namespace=mail)
	modes=("--metallb-pool=mail --metallb-emit-pool=192.0.2.0/28 --metallb-annotations=legacy"
		"--metallb-pool=mail --metallb-ip=192.0.2.10 --metallb-annotations=both --traffic-policy=cluster"
		"${proxy[*]} --proxy-ingress=traefik --proxy-network-policy --proxy-service=split --metallb-pool=mail"
		"${proxy[*]} --proxy-ingress=traefik --traefik-proxy-protocol=inline"
		"${proxy[*]} --proxy-ingress=gateway --gateway=envoy-gateway-system/mail --proxy-service=split"
		"${proxy[*]} --proxy-ingress=gateway --gateway=gw/mail --gateway-api-version=v1alpha2 --gateway-proxy=none"
		"${proxy[*]} --proxy-ingress=nginx"
		"--load-balancer=cilium --lb-pool=mail --lb-emit-pool=192.0.2.16/28,192.0.2.40-192.0.2.42 --lb-ip=192.0.2.20 --lb-shared-ip=mail --namespace=mail"
		"--load-balancer=kube-vip --lb-ip=192.0.2.25,2001:db8::25")
	m=0
	for mode in "${modes[@]}"; do
		m=$((m + 1))
		for f in "$SHARED"/corpus/dms/rendered/helm*/*.yaml; do
			[ -f "$f" ] || continue
			o="$TMP/schema/mode$m-$(basename "$(dirname "$f")")-$(basename "$f")"
			# shellcheck disable=SC2086
			"$BIN" $mode <"$f" >"$o" 2>/dev/null || { fail "schema: mode $m on $f" "exit $? with $mode"; continue; }
			case "$mode" in *inline*) files+=(--allow-deprecated) ;; esac
			files+=("$f" "$o")
		done
	done
	CRD_DIR="$SHARED/reference/crds" node "$SCHEMA/validate.mjs" "${files[@]}" >"$TMP/schema.out" 2>&1
	if [ ! -d "$SHARED/reference/crds" ]; then
		missing_shared "schema: upstream CRDs" "$SHARED/reference/crds"
	else
		# The control: Traefik's inline proxyProtocol, validated without
		# --allow-deprecated, must fail as a deprecated field, and a TCPRoute
		# whose backend port is a string must fail the upstream CRD.
		inline=$(ls "$TMP"/schema/mode4-helm3-default.yaml 2>/dev/null)
		sed 's/^          port: \([0-9]*\)$/          port: "\1"/' "$TMP/schema/mode5-helm3-default.yaml" >"$TMP/schema/bad-port.yaml" 2>/dev/null
		if [ -n "$inline" ] &&
			CRD_DIR="$SHARED/reference/crds" node "$SCHEMA/validate.mjs" "$SHARED/corpus/dms/rendered/helm3/default.yaml" "$inline" 2>&1 |
			grep -q 'deprecated field .spec.routes\[0\].services\[0\].proxyProtocol' &&
			CRD_DIR="$SHARED/reference/crds" node "$SCHEMA/validate.mjs" "$SHARED/corpus/dms/rendered/helm3/default.yaml" "$TMP/schema/bad-port.yaml" 2>&1 |
			grep -q 'TCPRoute .*/spec/rules/0/backendRefs/0/port must be integer (CRD gateway.networking.k8s.io_tcproutes.yaml)'; then
			pass "schema: control: a deprecated field and a wrong type fail against the upstream CRDs"
		else
			fail "schema: control" "the validator passed a deprecated field or a string port"
		fi
	fi
	while IFS= read -r line; do
		case "$line" in
		ok\ *) pass "schema: ${line#ok }" ;;
		FAIL\ *) fail "schema" "${line#FAIL }" ;;
		*) fail "schema" "$line" ;;
		esac
	done <"$TMP/schema.out"
fi
