# golden.sh -- sourced by run-all.sh. Every directory tests/golden/AREA/CASE
# holds input.yaml and optionally: args (one argument per line), expected.yaml
# (exact stdout; absent means stdout must equal the input), expected.stderr
# (exact stderr; absent means empty), expected.rc (default 0). A case that
# succeeds is run again on its own output, which must not change (idempotence).
# A case that fails must leave stdout empty. Every case that succeeds is
# also run with --format reemit, and tools/check-minimal.py requires the
# default (minimal) output to hold the same data and to lose no input line
# that a patch does not own.
# Cases under harden/ and expose/ that succeed are also checked by the
# independent oracle tools/check-patch.py (only owned fields changed,
# required values present, exactly the DMS Services touched, generated
# documents as asked) and must parse with the Go YAML parser (kubectl
# kustomize), as must the pass-through cases; when they generate an IPAddressPool, the Go parser's view must
# show Services and MetalLB objects naming the same pool. Cases under proxy/
# are checked by tools/check-proxy.py (ports once each, or under
# --proxy-service split none on a public Service and each once on its
# ClusterIP <name>-proxy Service; configuration
# mounted, shellcheck, Dovecot braces, trusted networks) and kustomize.

PY=$(find_pyyaml) || PY=

# oracle NAME TOOL ARGS...: run tests/tools/TOOL.py; it passes with its
# "TOOL: ok, ..." line, or fails with its first complaints.
oracle() {
	local name=$1 tool=$2
	shift 2
	if [ -z "$PY" ]; then
		fail "$name" "no python3 with PyYAML (Debian: python3-yaml)"
	elif "$PY" "$here/tools/$tool.py" "$@" >"$TMP/check" 2>&1; then
		pass "$name ($(sed -n "s/^$tool: ok, //p" "$TMP/check"))"
	else
		fail "$name" "$(head -n 5 "$TMP/check" | tr '\n' '|')"
	fi
}

# GOLDEN_SHARD=K/N (make check) runs every Nth case from the Kth (0-based).
shard=${GOLDEN_SHARD:-0/1}
shard_k=${shard%/*} shard_n=${shard#*/} case_no=-1
for dir in "$here"/golden/*/*/; do
	case_no=$((case_no + 1))
	[ $((case_no % shard_n)) -eq "$shard_k" ] || continue
	dir=${dir%/}
	name="golden/${dir#"$here"/golden/}"
	# A case may read one of the official chart's real renders in the
	# shared test data (a symlink into ../shared, never a copy).
	shared_input_missing "$name" "$dir" && continue
	[ -f "$dir/input.yaml" ] || { fail "$name" "no input.yaml"; continue; }
	args=()
	if [ -f "$dir/args" ]; then
		while IFS= read -r a || [ -n "$a" ]; do args+=("$a"); done <"$dir/args"
	fi
	want_rc=0
	[ -f "$dir/expected.rc" ] && want_rc=$(cat "$dir/expected.rc")
	want_out="$dir/expected.yaml"
	[ -f "$want_out" ] || want_out="$dir/input.yaml"
	[ "$want_rc" -ne 0 ] && want_out=/dev/null
	want_err="$dir/expected.stderr"
	[ -f "$want_err" ] || want_err=/dev/null

	run_prog "$TMP/out" "$TMP/err" "${args[@]}" <"$dir/input.yaml"
	if [ "$RC" -ne "$want_rc" ]; then
		fail "$name" "exit status $RC, expected $want_rc; stderr: $(head -c 300 "$TMP/err")"
		continue
	fi
	if ! cmp -s "$TMP/out" "$want_out"; then
		fail "$name" "stdout differs: $(diff "$want_out" "$TMP/out" | head -n 6 | tr '\n' '|')"
		continue
	fi
	if ! cmp -s "$TMP/err" "$want_err"; then
		fail "$name" "stderr differs: $(diff "$want_err" "$TMP/err" | head -n 6 | tr '\n' '|')"
		continue
	fi
	if [ "$want_rc" -eq 0 ]; then
		run_prog "$TMP/out2" "$TMP/err2" "${args[@]}" <"$TMP/out"
		if [ "$RC" -ne 0 ] || ! cmp -s "$TMP/out" "$TMP/out2"; then
			fail "$name" "second pass over the output changed it or failed (exit $RC)"
			continue
		fi
	fi
	pass "$name"
	# Every case that succeeds: --format minimal (the default) holds the
	# same data as --format reemit and loses no line a patch does not own.
	reemit_case=false
	case " ${args[*]} " in *" --format=reemit "* | *" --format reemit "*) reemit_case=true ;; esac
	if [ "$want_rc" -eq 0 ] && [ -f "$dir/reemit-refused" ]; then
		# A case whose patched document holds a tag libyaml cannot write back
		# (the non-specific '!', ynode.h): minimal keeps it, --format reemit
		# must refuse (exit 4), not drop it.
		run_prog "$TMP/reemit" "$TMP/err3" "${args[@]}" --format reemit <"$dir/input.yaml"
		if [ "$RC" -eq 4 ] && [ ! -s "$TMP/reemit" ] && grep -q "cannot be written again" "$TMP/err3"; then
			pass "$name: --format reemit refuses ($(head -n 1 "$dir/reemit-refused"))"
		else
			fail "$name: --format reemit" "exit status $RC, expected 4 and the tag's error"
		fi
	elif [ -f "$dir/no-pyyaml" ] && [ "$want_rc" -eq 0 ]; then
		# A case marked no-pyyaml holds YAML that PyYAML (a YAML 1.1
		# reader) refuses although Go's parser reads it (a reused anchor
		# name, a local tag): its PyYAML oracles are skipped; kustomize
		# still reads the output.
		skip "$name" "PyYAML oracles: $(head -n 1 "$dir/no-pyyaml")"
	elif [ "$want_rc" -eq 0 ] && [ ! -f "$dir/no-consumer" ] && ! $reemit_case; then
		run_prog "$TMP/reemit" "$TMP/err3" "${args[@]}" --format reemit <"$dir/input.yaml"
		if [ "$RC" -ne 0 ]; then
			fail "$name: --format reemit" "exit status $RC"
		else
			oracle "$name: minimal output" check-minimal "$dir/input.yaml" "$TMP/out" "$TMP/reemit"
		fi
	fi
	# The differential type check (tools/check-types.py), in both --format
	# modes: read by PyYAML and by Go's parser (kubectl kustomize), no value
	# that keeps its text changes its type.
	if [ "$want_rc" -eq 0 ] && [ ! -f "$dir/no-consumer" ]; then
		run_prog "$TMP/types-re" "$TMP/err3" "${args[@]}" --format reemit <"$dir/input.yaml"
		formats="minimal reemit"
		[ -f "$dir/reemit-refused" ] && formats=minimal
		for fmt in $formats; do
			o="$TMP/out"
			[ "$fmt" = reemit ] && o="$TMP/types-re"
			if [ ! -f "$dir/no-pyyaml" ]; then
				oracle "$name: types ($fmt, PyYAML)" check-types PyYAML "$dir/input.yaml" "$o"
			fi
			if [ -f "$dir/no-kustomize" ] || ! command -v kubectl >/dev/null 2>&1; then
				continue
			fi
			if go_reading "$dir/input.yaml" "$TMP/go-in.yaml" && go_reading "$o" "$TMP/go-out.yaml"; then
				oracle "$name: types ($fmt, Go)" check-types Go "$TMP/go-in.yaml" "$TMP/go-out.yaml"
			else
				fail "$name: types ($fmt, Go)" "kubectl kustomize refuses the input or the output"
			fi
		done
		# The same with Go's YAML libraries read directly: yaml.v2 through
		# sigs.k8s.io/yaml as Helm 3 and kubectl read, yaml.v3 as Helm 4 does.
		for fmt in $formats; do
			o="$TMP/out"
			[ "$fmt" = reemit ] && o="$TMP/types-re"
			for gv in v2 v3; do
				if [ ! -x "$TESTBIN/go-yaml-read" ]; then
					go_reader_missing "$name: types ($fmt, yaml.$gv)"
				elif ! "$TESTBIN/go-yaml-read" "$gv" "$dir/input.yaml" >"$TMP/gv-in.yaml" 2>"$TMP/gv.err"; then
					skip "$name: types ($fmt, yaml.$gv)" "yaml.$gv refuses the input: $(head -c 150 "$TMP/gv.err")"
				elif ! "$TESTBIN/go-yaml-read" "$gv" "$o" >"$TMP/gv-out.yaml" 2>"$TMP/gv.err"; then
					fail "$name: types ($fmt, yaml.$gv)" "yaml.$gv reads the input but refuses the output: $(head -c 200 "$TMP/gv.err")"
				else
					oracle "$name: types ($fmt, yaml.$gv)" check-types "yaml.$gv" "$TMP/gv-in.yaml" "$TMP/gv-out.yaml"
				fi
			done
		done
	fi
	case "$name" in
	golden/harden/* | golden/expose/*)
		[ "$want_rc" -eq 0 ] || continue
		[ -f "$dir/no-pyyaml" ] || oracle "$name: oracle" check-patch "$dir/input.yaml" "$TMP/out" "${args[@]}"
		# The Pod Security level reported for each docker-mailserver pod
		# is the one the upstream checks give (tools/check-psa.py).
		if [ ! -f "$dir/no-pyyaml" ] && run_prog "$TMP/psa-out" "$TMP/psa-err" "${args[@]}" --report "$TMP/psa.json" <"$dir/input.yaml" &&
			[ "$RC" -eq 0 ] && grep -q '"podSecurity":\s*\[\s*{' "$TMP/psa.json"; then
			oracle "$name: Pod Security level" check-psa "$TMP/psa-out" "$TMP/psa.json"
		fi
		kustomize_parses "$name: kubectl kustomize parses the output" "$TMP/out"
		# Generated MetalLB objects: the Go parser's reading of them and of
		# the Services must name one and the same pool.
		if grep -q '^kind: IPAddressPool' "$TMP/out" && [ -n "$PY" ] && [ -s "$TMP/kustomized.yaml" ]; then
			if "$PY" "$here/tools/pool-names.py" "$TMP/kustomized.yaml" >"$TMP/pools" 2>&1; then
				pass "$name: Services and MetalLB objects agree on the pool ($(sed -n 's/^pool-names: ok, //p' "$TMP/pools"))"
			else
				fail "$name: pool names" "$(head -n 3 "$TMP/pools" | tr '\n' '|')"
			fi
		fi
		;;
	golden/proxy/*)
		[ "$want_rc" -eq 0 ] || continue
		# The mode and trusted networks the case runs with, in either
		# argument form.
		mode="" trusted="" service=keep prev=""
		for a in "${args[@]}"; do
			case "$prev:$a" in
			*:--proxy-service=*) service=${a#*=} ;;
			--proxy-service:*) service=$a ;;
			*:--proxy-protocol=*) mode=${a#*=} ;;
			--proxy-protocol:*) mode=$a ;;
			*:--trusted-networks=*) trusted=${a#*=} ;;
			--trusted-networks:*) trusted=$a ;;
			esac
			prev=$a
		done
		# Bare addresses are /32 or /128 once normalised.
		trusted=$(echo "$trusted" | tr ',' '\n' | sed '/\//!{/:/s/$/\/128/;/:/!s/$/\/32/}' | paste -sd, -)
		oracle "$name: PROXY oracle" check-proxy "$TMP/out" "$mode" "$trusted" "$service"
		if [ -f "$dir/no-kustomize" ]; then
			skip "$name" "kubectl kustomize: $(head -n 1 "$dir/no-kustomize")"
		else
			kustomize_parses "$name: kubectl kustomize parses the output" "$TMP/out"
		fi
		;;
	golden/passthrough/*)
		# A case marked no-consumer is not for real consumers (kustomize
		# would expand its billion laughs for many minutes).
		if [ -f "$dir/no-consumer" ]; then
			skip "$name" "kubectl kustomize: $(head -n 1 "$dir/no-consumer")"
		elif [ "$want_rc" -eq 0 ]; then
			kustomize_parses "$name: kubectl kustomize parses the output" "$TMP/out"
		fi
		;;
	esac
done

# The Pod Security level of the official chart's renders, Fail2Ban on and
# off, docker-mailserver 15 and 16, on the host network: what dms-postrender
# reports is what the upstream checks give (tools/check-psa.py).
for f in "$SHARED"/corpus/dms/rendered/helm*/*.yaml; do
	[ -f "$f" ] || continue
	for opts in "--fail2ban=off" "--fail2ban=on" "--fail2ban=off --dms-version=16" "--fail2ban=off --host-network"; do
		name="psa: ${f#"$SHARED"/corpus/dms/rendered/} $opts"
		# shellcheck disable=SC2086
		run_prog "$TMP/psa-out" "$TMP/psa-err" $opts --report "$TMP/psa.json" <"$f"
		if [ "$RC" -ne 0 ]; then
			fail "$name" "exit $RC: $(head -c 200 "$TMP/psa-err")"
		else
			oracle "$name" check-psa "$TMP/psa-out" "$TMP/psa.json"
		fi
	done
done
