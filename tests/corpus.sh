# corpus.sh -- sourced by run-all.sh: properties over every real third-party
# stream in ../shared/corpus and the chart fixtures: byte-identical
# pass-through of every document without a docker-mailserver workload and
# only owned fields changed in the others (tools/check-patch.py), idempotence,
# patched output parsed by kubectl kustomize, the same document count as an
# independent parser (PyYAML's BaseLoader, which also reads the
# prometheus-operator bundle that safe_load rejects), and the re-serialising
# path keeping every document's data (yaml-events oracle). Each file is run
# with the defaults, with every exposure option on and with PROXY protocol;
# each run that changes something must hold the same data as --format
# reemit and lose no line a patch does not own (tools/check-minimal.py).
# Every document's tree built from its events is the loader's
# (tools/compose-check.c).

# minimal_vs_reemit NAME FILE OUTPUT ARGS...: when the run with ARGS changed
# FILE, its (minimal) OUTPUT holds the same data as --format reemit and loses
# no input line that a patch does not own (tools/check-minimal.py).
minimal_vs_reemit() {
	local name=$1 f=$2 out=$3
	shift 3
	case "$f" in *.snap) return 0 ;; esac
	if cmp -s "$f" "$out" || [ -z "$PY" ]; then
		return 0
	fi
	run_prog "$TMP/reemit" "$TMP/err3" "$@" --format reemit <"$f"
	if [ "$RC" -ne 0 ]; then
		fail "$name: --format reemit" "exit $RC: $(head -c 300 "$TMP/err3")"
	elif "$PY" "$here/tools/check-minimal.py" "$f" "$out" "$TMP/reemit" >"$TMP/min" 2>&1; then
		pass "$name: minimal output ($(sed -n 's/^check-minimal: ok, //p' "$TMP/min"))"
	else
		fail "$name: minimal output" "$(head -n 4 "$TMP/min" | tr '\n' '|')"
	fi
	# The differential type check in both formats, read by PyYAML and, where
	# kustomize takes the input, by Go's parser. Inputs over 1 MB (three CRD
	# bundles) are left to the smaller ones: reading them four times over in
	# Python and Go costs half a minute each, and the writer's paths are the
	# same.
	local o fmt go_in=false
	if [ "$(wc -c <"$f")" -gt 1048576 ]; then
		skip "$name" "types: larger than 1 MB"
		return 0
	fi
	if command -v kubectl >/dev/null 2>&1 && go_reading "$f" "$TMP/go-in.yaml"; then
		go_in=true
	fi
	for fmt in minimal reemit; do
		o=$out
		[ "$fmt" = reemit ] && o="$TMP/reemit"
		[ -s "$o" ] || continue
		if "$PY" "$here/tools/check-types.py" PyYAML "$f" "$o" >"$TMP/types" 2>&1; then
			pass "$name: types ($fmt, PyYAML; $(sed -n 's/^check-types: ok, //p' "$TMP/types"))"
		else
			fail "$name: types ($fmt, PyYAML)" "$(head -n 3 "$TMP/types" | tr '\n' '|')"
		fi
		if $go_in && go_reading "$o" "$TMP/go-out.yaml"; then
			if "$PY" "$here/tools/check-types.py" Go "$TMP/go-in.yaml" "$TMP/go-out.yaml" >"$TMP/types" 2>&1; then
				pass "$name: types ($fmt, Go; $(sed -n 's/^check-types: ok, //p' "$TMP/types"))"
			else
				fail "$name: types ($fmt, Go)" "$(head -n 3 "$TMP/types" | tr '\n' '|')"
			fi
		elif $go_in; then
			fail "$name: types ($fmt, Go)" "kubectl kustomize takes the input but refuses the output"
		fi
	done
}

if [ ! -d "$SHARED/corpus" ]; then
	# A fresh clone has no shared test data beside it; CI always has it.
	if [ -n "${CI:-}" ]; then
		fail "corpus" "no corpus at $SHARED/corpus (set SHARED_DIR)"
	else
		skip "corpus" "no shared test data at $SHARED/corpus (set SHARED_DIR); CI runs it"
	fi
else
	PY=$(find_pyyaml) || PY=
	[ -n "$PY" ] || fail "corpus/pyyaml" "no python3 with PyYAML (Debian: python3-yaml)"
	while IFS= read -r f; do
		name="corpus/${f#"$SHARED"/corpus/}"
		name=${name/#corpus\/"$ROOT"\//}
		run_prog "$TMP/out" "$TMP/err" <"$f"
		if [ "$RC" -ne 0 ]; then
			fail "$name" "exit $RC: $(head -c 300 "$TMP/err")"
			continue
		fi
		# Documents without a docker-mailserver workload byte-identical, the
		# others changed only where the patch owns fields (independent oracle).
		if [ -z "$PY" ]; then
			cmp -s "$TMP/out" "$f" || grep -q 'docker-mailserver' "$f" ||
				fail "$name" "output is not byte-identical to the input"
		elif "$PY" "$here/tools/check-patch.py" "$f" "$TMP/out" >"$TMP/check" 2>&1; then
			pass "$name: $(sed -n 's/^check-patch: ok, //p' "$TMP/check"), the rest byte-identical"
		else
			fail "$name" "$(head -n 5 "$TMP/check" | tr '\n' '|')"
			continue
		fi
		cp "$TMP/out" "$TMP/pass1"
		minimal_vs_reemit "$name" "$f" "$TMP/pass1"
		run_prog "$TMP/out2" "$TMP/err2" <"$TMP/pass1"
		if [ "$RC" -eq 0 ] && cmp -s "$TMP/pass1" "$TMP/out2"; then
			pass "$name: a second pass changes nothing"
		else
			fail "$name" "a second pass changed the output or failed (exit $RC)"
		fi
		if ! cmp -s "$TMP/pass1" "$f"; then
			kustomize_parses "$name: kubectl kustomize parses the patched output" "$TMP/pass1"
		fi
		if [ -n "$PY" ]; then
			want=$("$PY" -c 'import sys, yaml
print(len(list(yaml.load_all(open(sys.argv[1], "rb"), Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader)))))' "$f")
			run_prog "$TMP/out" "$TMP/err" --verbose <"$f"
			got=$(sed -n 's/^dms-postrender: \([0-9]*\) documents (.*/\1/p' "$TMP/err")
			if [ "$got" = "$want" ]; then
				pass "$name: $got documents, as PyYAML"
			else
				fail "$name" "counted '$got' documents, PyYAML counts $want"
			fi
		fi
		# Every exposure option on: only DMS Services and workloads change, as
		# the oracle's own rules say; a second pass changes nothing.
		all=(--metallb-pool=mail --metallb-ip=192.0.2.10 --metallb-shared-ip=mail --external-ip=198.51.100.7
			--metallb-emit-pool=192.0.2.10/32 --host-network)
		run_prog "$TMP/out" "$TMP/err" "${all[@]}" <"$f"
		if [ "$RC" -ne 0 ]; then
			fail "$name: every option" "exit $RC: $(head -c 300 "$TMP/err")"
		elif [ -n "$PY" ] && ! "$PY" "$here/tools/check-patch.py" "$f" "$TMP/out" "${all[@]}" >"$TMP/check" 2>&1; then
			fail "$name: every option" "$(head -n 5 "$TMP/check" | tr '\n' '|')"
		else
			cp "$TMP/out" "$TMP/pass1"
			minimal_vs_reemit "$name: every option" "$f" "$TMP/pass1" "${all[@]}"
			run_prog "$TMP/out2" "$TMP/err2" "${all[@]}" <"$TMP/pass1"
			if [ "$RC" -eq 0 ] && cmp -s "$TMP/pass1" "$TMP/out2"; then
				pass "$name: every option: oracle and second pass ($(sed -n 's/^check-patch: ok, //p' "$TMP/check"))"
			else
				fail "$name: every option" "a second pass changed the output or failed (exit $RC)"
			fi
			case "$f" in
			*.snap) ;; # helm-unittest snapshots are not Kubernetes streams
			*) kustomize_parses "$name: every option: kubectl kustomize parses the output" "$TMP/pass1" ;;
			esac
		fi
		# Every container treated as docker-mailserver's (--image='*'), so
		# the splicer meets every layout the corpus holds (indentation
		# steps, flow values, block scalars, CRLF, aliases): the same data as
		# --format reemit, no line lost that a patch does not own, and a
		# second pass changes nothing.
		case "$f" in
		*.snap) ;;
		*)
			# A Namespace that enforces a Pod Security level stops a run whose
			# docker-mailserver pods it would reject; the splicer test runs on
			# a copy whose enforce labels are renamed.
			hf=$f
			if grep -q 'pod-security.kubernetes.io/enforce:' "$f"; then
				run_prog "$TMP/out" "$TMP/err" --image='*' <"$f"
				if [ "$RC" -eq 4 ] && [ ! -s "$TMP/out" ] && grep -q 'label pod-security.kubernetes.io/enforce: .*asks for Pod Security level' "$TMP/err"; then
					pass "$name: every workload hardened: its Namespace's Pod Security label refuses them"
				else
					fail "$name: every workload hardened" "a Namespace enforcing Pod Security did not stop the run (exit $RC)"
				fi
				sed 's#pod-security.kubernetes.io/enforce:#pod-security.kubernetes.io/enforce-off:#' "$f" >"$TMP/relabelled.yaml"
				hf=$TMP/relabelled.yaml
			fi
			run_prog "$TMP/out" "$TMP/err" --image='*' <"$hf"
			if [ "$RC" -ne 0 ]; then
				fail "$name: every workload hardened" "exit $RC: $(head -c 300 "$TMP/err")"
			else
				run_prog "$TMP/out2" "$TMP/err2" --image='*' <"$TMP/out"
				if [ "$RC" -ne 0 ] || ! cmp -s "$TMP/out" "$TMP/out2"; then
					fail "$name: every workload hardened" "a second pass changed the output or failed (exit $RC)"
				elif cmp -s "$hf" "$TMP/out"; then
					pass "$name: every workload hardened: no workload, passed through"
				else
					minimal_vs_reemit "$name: every workload hardened" "$hf" "$TMP/out" --image='*'
				fi
			fi
			;;
		esac
		# PROXY protocol with everything generated: a DMS workload passes the
		# PROXY oracle, a stream without one passes through untouched. The
		# refusals allowed: a mounted ConfigMap that the file does not hold,
		# and a name the API server would reject (helm-unittest renders
		# RELEASE-NAME-...) that a generated object would carry.
		px=(--proxy-protocol=separate --trusted-networks=10.42.0.0/16 --proxy-network-policy --proxy-ingress=traefik)
		run_prog "$TMP/out" "$TMP/err" "${px[@]}" <"$f"
		case "$RC:$f" in
		0:*.snap) pass "$name: PROXY protocol (a snapshot, not a stream)" ;;
		0:*)
			run_prog "$TMP/out2" "$TMP/err2" "${px[@]}" <"$TMP/out"
			if [ "$RC" -ne 0 ] || ! cmp -s "$TMP/out" "$TMP/out2"; then
				fail "$name: PROXY protocol" "a second pass changed the output or failed (exit $RC)"
			elif [ -z "$PY" ]; then
				pass "$name: PROXY protocol, second pass unchanged"
			elif "$PY" "$here/tools/check-proxy.py" "$TMP/out" separate 10.42.0.0/16 >"$TMP/check" 2>&1; then
				pass "$name: PROXY protocol ($(sed -n 's/^check-proxy: ok, //p' "$TMP/check"))"
				minimal_vs_reemit "$name: PROXY protocol" "$f" "$TMP/out" "${px[@]}"
			elif grep -qx 'no docker-mailserver container in the output' "$TMP/check" && cmp -s "$f" "$TMP/out"; then
				pass "$name: PROXY protocol: no docker-mailserver workload, passed through"
			else
				fail "$name: PROXY protocol" "$(head -n 4 "$TMP/check" | tr '\n' '|')"
			fi
			;;
		4:*)
			if grep -q 'that ConfigMap is not in the stream' "$TMP/err"; then
				pass "$name: PROXY protocol refused: $(grep -o 'mounts ConfigMap [^ ]*' "$TMP/err")"
			elif grep -q 'is not a valid Kubernetes name' "$TMP/err"; then
				pass "$name: PROXY protocol refused: $(grep -o "name '[^']*' is not a valid Kubernetes name" "$TMP/err")"
			else
				fail "$name: PROXY protocol" "exit 4: $(head -c 300 "$TMP/err")"
			fi
			;;
		*) fail "$name: PROXY protocol" "exit $RC: $(head -c 300 "$TMP/err")" ;;
		esac
		# shellcheck disable=SC2086
		if $VALGRIND "$TESTBIN/reemit" <"$f" >"$TMP/re.yaml" 2>"$TMP/err" &&
			"$TESTBIN/yaml-events" <"$f" >"$TMP/a.ev" 2>&1 &&
			"$TESTBIN/yaml-events" <"$TMP/re.yaml" >"$TMP/b.ev" 2>&1 && cmp -s "$TMP/a.ev" "$TMP/b.ev"; then
			pass "$name: re-serialised documents keep their data"
		else
			fail "$name" "re-serialising changed the data: $(diff "$TMP/a.ev" "$TMP/b.ev" 2>&1 | head -n 4 | tr '\n' '|') $(head -c 200 "$TMP/err")"
		fi
		# The tree built from the first parse's events (compose.c) is the
		# one libyaml's loader builds from the same text, document by document.
		# shellcheck disable=SC2086
		if $VALGRIND "$TESTBIN/compose-check" <"$f" >"$TMP/cc" 2>&1; then
			pass "$name: $(sed -n 's/^compose-check: //p' "$TMP/cc")"
		else
			fail "$name: compose-check" "$(head -c 300 "$TMP/cc")"
		fi
		# The minimal-diff writer given every document and no edits: each
		# one comes back byte for byte, except those it must re-emit whole
		# (aliases), which keep their data.
		# shellcheck disable=SC2086
		if $VALGRIND "$TESTBIN/reemit" --minimal --verbose <"$f" >"$TMP/re.yaml" 2>"$TMP/err"; then
			whole=$(grep -c 're-emitted whole' "$TMP/err")
			if cmp -s "$f" "$TMP/re.yaml"; then
				pass "$name: minimal writer without edits gives the text back byte for byte"
			elif [ "$whole" -gt 0 ] && "$TESTBIN/yaml-events" <"$f" >"$TMP/a.ev" 2>&1 &&
				"$TESTBIN/yaml-events" <"$TMP/re.yaml" >"$TMP/b.ev" 2>&1 && cmp -s "$TMP/a.ev" "$TMP/b.ev"; then
				pass "$name: minimal writer without edits: $whole document(s) re-emitted whole ($(grep -o 're-emitted whole: .*' "$TMP/err" | sort -u | sed 's/re-emitted whole: //' | paste -sd, -)), the rest byte for byte"
			else
				fail "$name: minimal writer without edits" "output differs from the input: $(head -c 300 "$TMP/err")"
			fi
		else
			fail "$name: minimal writer without edits" "failed: $(head -c 300 "$TMP/err")"
		fi
	done < <(find "$SHARED/corpus" "$ROOT/chart-fixtures" -path "$ROOT/chart-fixtures/docker-mailserver" -prune -o \
		-type f \( -name '*.yaml' -o -name '*.snap' \) -print | sort)
fi

# The Helm 3 and Helm 4 fixtures are two dialects of one render: once the
# Helm 4 filename annotation is set aside and Helm 4's hooks (Helm 3 never
# sends them) are left out, they must hold the same objects.
if [ -n "${PY:-}" ]; then
	if "$PY" - "$ROOT/chart-fixtures/helm3-test-chart.yaml" \
		"$ROOT/chart-fixtures/helm4-test-chart.yaml" <<'PYEOF'
import sys, yaml
KEY = "postrenderer.helm.sh/postrender-filename"
def objects(path, strip):
    out = {}
    for d in yaml.safe_load_all(open(path)):
        m = d["metadata"]
        ann = dict(m.get("annotations") or {})
        if "helm.sh/hook" in ann:
            assert strip, "Helm 3 sent a hook"
            continue
        if strip:
            assert KEY in ann, "no %s on %s" % (KEY, m["name"])
            ann.pop(KEY)
        if ann:
            m["annotations"] = ann
        else:
            m.pop("annotations", None)
        out[(d["kind"], m["name"])] = d
    return out
a, b = objects(sys.argv[1], False), objects(sys.argv[2], True)
sys.exit(0 if a == b and len(a) == 6 else 1)
PYEOF
	then
		pass "fixtures: Helm 3 and Helm 4 renders hold the same 6 objects"
	else
		fail "fixtures" "Helm 3 and Helm 4 renders differ"
	fi
fi
