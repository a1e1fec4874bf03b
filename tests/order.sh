# order.sh -- sourced by run-all.sh: the same objects in any document order
# (tools/check-order.py: shuffled with several seeds, same objects, the
# input's order kept, second pass unchanged, --check passes on the output
# shuffled again, as Helm 4 feeds the next run). Over every golden case with
# its options, and over the shared renders, the real-world corpus and the
# fixtures with the defaults and with every PROXY and exposure option.
ORDER_SEEDS=${ORDER_SEEDS:-3}
if [ -z "${PY:-}" ]; then
	fail "order" "no python3 with PyYAML (Debian: python3-yaml)"
else
	# order_check NAME INPUT ARGS...
	order_check() {
		local name=$1 input=$2
		shift 2
		# shellcheck disable=SC2086
		if "$PY" "$here/tools/check-order.py" "$input" "$ORDER_SEEDS" -- $VALGRIND "$BIN" "$@" >"$TMP/order" 2>&1; then
			pass "$name ($(sed -n 's/^check-order: ok, //p' "$TMP/order"))"
		else
			fail "$name" "$(head -n 4 "$TMP/order" | tr '\n' '|' | head -c 600)"
		fi
	}
	for dir in "$here"/golden/*/*/; do
		dir=${dir%/}
		shared_input_missing "order/golden/${dir#"$here"/golden/}" "$dir" && continue
		[ -f "$dir/input.yaml" ] || continue
		if [ -f "$dir/no-pyyaml" ]; then
			skip "order/golden/${dir#"$here"/golden/}" "$(head -n 1 "$dir/no-pyyaml")"
			continue
		fi
		args=()
		if [ -f "$dir/args" ]; then
			while IFS= read -r a || [ -n "$a" ]; do args+=("$a"); done <"$dir/args"
		fi
		order_check "order/golden/${dir#"$here"/golden/}" "$dir/input.yaml" "${args[@]}"
	done
	every=(--proxy-protocol=separate --trusted-networks=10.42.0.0/16 --proxy-network-policy --proxy-ingress=traefik
		--metallb-pool=mail --metallb-emit-pool=192.0.2.0/28 --fail2ban=auto)
	files=("$ROOT"/chart-fixtures/*.yaml)
	if [ -d "$SHARED/corpus" ]; then
		files+=("$SHARED"/corpus/dms/rendered/*/*.yaml "$SHARED"/corpus/real/*.yaml)
	else
		skip "order/corpus" "no $SHARED/corpus (the shared test data)"
	fi
	for f in "${files[@]}"; do
		n=${f#"$SHARED"/corpus/}
		n="order/${n#"$ROOT"/}"
		order_check "$n" "$f"
		case "$f" in
		*/rendered/* | */chart-fixtures/*) order_check "$n: PROXY and exposure options" "$f" "${every[@]}" ;;
		esac
	done
fi
