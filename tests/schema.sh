# schema.sh -- sourced by run-all.sh: every successful golden output and every
# corpus stream after a run with every patch on is parsed by the `yaml` npm
# package and validated against the Kubernetes OpenAPI schemas in the npm
# package kubernetes-models (tests/schema/validate.mjs), which also checks
# Helm 4's post-render rules (apiVersion and kind on every document, nothing
# after '---' but a comment). Each output is compared with its input: only
# problems the output adds fail (helm-unittest .snap files are snapshots,
# not rendered streams, and are left out). Needs node and tests/schema/node_modules
# (`make schema-deps`, which `make test` runs when npm is there); without
# them the suite says SKIP.

SCHEMA="$here/schema"
if [ -n "${VALGRIND:-}" ] || [ -n "${DMSPR_SANITIZED:-}" ]; then
	echo "SKIP schema (the same outputs are validated in the plain run)"
elif ! command -v node >/dev/null 2>&1 || [ ! -d "$SCHEMA/node_modules/kubernetes-models" ]; then
	echo "SKIP schema: node or tests/schema/node_modules missing (make schema-deps)"
else
	mkdir -p "$TMP/schema"
	files=()
	for dir in "$here"/golden/*/*/; do
		dir=${dir%/}
		[ -f "$dir/expected.rc" ] && continue
		shared_input_missing "schema: golden/${dir#"$here"/golden/}" "$dir" && continue
		if [ -f "$dir/no-consumer" ]; then
			echo "SKIP schema: golden/${dir#"$here"/golden/}: $(head -n 1 "$dir/no-consumer")"
			continue
		fi
		out="$dir/expected.yaml"
		[ -f "$out" ] || out="$dir/input.yaml"
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
	node "$SCHEMA/validate.mjs" "${files[@]}" >"$TMP/schema.out" 2>&1
	while IFS= read -r line; do
		case "$line" in
		ok\ *) pass "schema: ${line#ok }" ;;
		FAIL\ *) fail "schema" "${line#FAIL }" ;;
		*) fail "schema" "$line" ;;
		esac
	done <"$TMP/schema.out"
fi
