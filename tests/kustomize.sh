# kustomize.sh -- sourced by run-all.sh: --emit=kustomize and --emit=flux
# checked by the real kustomize (`kubectl kustomize`, the kustomize library
# Flux embeds), not by us. For every golden case that succeeds and every
# official-chart render (with the defaults and with every exposure option):
# kustomize over the raw render plus what --emit wrote gives the objects
# kustomize reads in the run's own output (tools/check-kustomize.py,
# compared order-free as Go's yaml.v3 reads them). Each of the three forms:
# the --emit-dir directory; the stdout kustomization with the render saved
# beside it (built byte for byte as the directory); the Flux postRenderers,
# laid out as helm-controller lays them out (tools/flux-kustomization.py)
# with the generated objects applied beside them. A run over the run's own
# output emits no patch. The cases --emit must refuse are named below with
# their reason; any other refusal fails. The golden cases golden.sh keeps
# from kustomize (no-consumer, no-kustomize) are skipped with their reason;
# any other output kustomize cannot read fails.

# The golden cases --emit refuses, and what the message must say.
declare -A emit_refuses=(
	[expose/list-nodeport-external-ip]="inside a kind: List"
	[harden/list]="inside a kind: List"
	[report/replaced-when-something-changes]="out of its place"
)

# kbuild DIR OUT: `kubectl kustomize DIR` into OUT, bounded (kustomize
# expands YAML aliases, and one golden case is an alias bomb).
kbuild() {
	(
		ulimit -v 4194304
		timeout 60 kubectl kustomize "$1"
	) >"$2" 2>"$TMP/kbuild.err"
}

# kcompare NAME BUILT: the objects in BUILT are those of $TMP/ke-want.
kcompare() {
	if "$PY" "$here/tools/check-kustomize.py" "$TESTBIN/go-yaml-read" "$2" "$TMP/ke-want" "$TMP/ke-out" \
		>"$TMP/kcheck" 2>&1; then
		pass "$1 ($(sed -n 's/^check-kustomize: ok, //p' "$TMP/kcheck"))"
	else
		fail "$1" "$(head -n 3 "$TMP/kcheck" | tr '\n' '|')"
	fi
}

# emit_check NAME INPUT ARGS...: the three forms of --emit for a run with
# ARGS over INPUT, each built by kustomize, against the run's own output.
emit_check() {
	local name=$1 input=$2 d
	shift 2
	run_prog "$TMP/ke-out" "$TMP/ke-err" "$@" <"$input"
	if [ "$RC" -ne 0 ]; then
		fail "$name" "the run itself exits $RC: $(head -n 1 "$TMP/ke-err")"
		return
	fi
	d="$TMP/ke-base" && rm -rf "$d" && mkdir -p "$d"
	cp "$TMP/ke-out" "$d/out.yaml"
	printf 'resources:\n- out.yaml\n' >"$d/kustomization.yaml"
	if ! kbuild "$d" "$TMP/ke-want"; then
		local why
		why=$(grep -m1 -o 'err=.*' "$TMP/kbuild.err" | cut -c1-160)
		fail "$name" "kubectl kustomize cannot read the run's own output: ${why:-it stops at the limit of 4 GiB and 60 s set here}"
		return
	fi

	# The directory form.
	d="$TMP/ke-dir" && rm -rf "$d"
	run_prog "$TMP/ke-stdout" "$TMP/ke-err" "$@" --emit=kustomize --emit-dir "$d" <"$input"
	local want_refusal=${emit_refuses[${name#kustomize/golden/}]:-}
	if [ -n "$want_refusal" ]; then
		if [ "$RC" -eq 4 ] && grep -q -- "$want_refusal" "$TMP/ke-err" && [ ! -e "$d" ] && [ ! -s "$TMP/ke-stdout" ]; then
			pass "$name: refused, nothing written ($(grep -m1 -o 'error: .*' "$TMP/ke-err" | cut -c1-100))"
		else
			fail "$name" "expected exit 4 saying '$want_refusal' and nothing written; exit $RC: $(head -n 1 "$TMP/ke-err")"
		fi
		return
	fi
	if [ "$RC" -ne 0 ]; then
		fail "$name: --emit-dir" "exit $RC: $(head -n 1 "$TMP/ke-err")"
		return
	fi
	if ! kbuild "$d" "$TMP/ke-got"; then
		fail "$name: --emit-dir" "kubectl kustomize fails: $(grep -m1 -o 'err=.*' "$TMP/kbuild.err" | cut -c1-200)"
		return
	fi
	kcompare "$name: --emit-dir" "$TMP/ke-got"

	# The stdout form, with the render and the generated objects beside it.
	d="$TMP/ke-std" && rm -rf "$d" && mkdir -p "$d"
	run_prog "$TMP/ke-stdout" "$TMP/ke-err" "$@" --emit=kustomize <"$input"
	cp "$input" "$d/render.yaml"
	awk -v d="$d" 'NR == 1 { f = d "/kustomization.yaml" } !g && /^---\r?$/ { g = 1; f = d "/dms-postrender.yaml"; next } { print > f }' \
		"$TMP/ke-stdout"
	if [ "$RC" -ne 0 ]; then
		fail "$name: --emit=kustomize" "exit $RC: $(head -n 1 "$TMP/ke-err")"
	elif ! kbuild "$d" "$TMP/ke-got2"; then
		fail "$name: --emit=kustomize" "kubectl kustomize fails: $(grep -m1 -o 'err=.*' "$TMP/kbuild.err" | cut -c1-200)"
	elif cmp -s "$TMP/ke-got" "$TMP/ke-got2"; then
		pass "$name: --emit=kustomize (stdout) builds as --emit-dir"
	else
		fail "$name: --emit=kustomize" "builds otherwise than --emit-dir: $(diff "$TMP/ke-got" "$TMP/ke-got2" | head -n 4 | tr '\n' '|')"
	fi

	# The Flux form, as helm-controller applies it.
	d="$TMP/ke-flux" && rm -rf "$d" && mkdir -p "$d"
	run_prog "$TMP/ke-stdout" "$TMP/ke-err" "$@" --emit=flux <"$input"
	cp "$input" "$d/helm-output.yaml"
	if [ "$RC" -ne 0 ]; then
		fail "$name: --emit=flux" "exit $RC: $(head -n 1 "$TMP/ke-err")"
	elif ! "$PY" "$here/tools/flux-kustomization.py" "$TMP/ke-stdout" "$d" >"$TMP/kflux" 2>&1; then
		fail "$name: --emit=flux" "$(tail -n 1 "$TMP/kflux")"
	elif ! kbuild "$d" "$TMP/ke-got3"; then
		fail "$name: --emit=flux" "Flux's kustomization fails: $(grep -m1 -o 'err=.*' "$TMP/kbuild.err" | cut -c1-200)"
	else
		{
			cat "$TMP/ke-got3"
			[ -s "$d/generated.yaml" ] && printf -- '---\n' && cat "$d/generated.yaml"
		} >"$TMP/ke-got3+"
		kcompare "$name: --emit=flux" "$TMP/ke-got3+"
	fi

	# Over the run's own output, nothing is left to patch.
	run_prog "$TMP/ke-stdout" "$TMP/ke-err" "$@" --emit=kustomize <"$TMP/ke-out"
	if [ "$RC" -eq 0 ] && grep -q '^patches: \[\]' "$TMP/ke-stdout" && ! grep -q 'path:' "$TMP/ke-stdout"; then
		pass "$name: over its own output, no patch"
	else
		fail "$name: over its own output" "exit $RC, $(grep -c 'path:' "$TMP/ke-stdout") patches: $(head -n 1 "$TMP/ke-err")"
	fi
}

if ! command -v kubectl >/dev/null 2>&1; then
	unmet "kustomize" "kubectl is not installed (it runs kustomize)"
elif [ ! -x "$TESTBIN/go-yaml-read" ]; then
	go_reader_missing "kustomize"
elif [ -z "$PY" ]; then
	unmet "kustomize" "no Python 3 with PyYAML"
else
	for dir in "$here"/golden/*/*/; do
		dir=${dir%/}
		case=${dir#"$here"/golden/}
		[ -f "$dir/expected.rc" ] && [ "$(cat "$dir/expected.rc")" != 0 ] && continue
		shared_input_missing "kustomize/golden/$case" "$dir" && continue
		[ -e "$dir/input.yaml" ] || continue
		# The cases golden.sh keeps from kustomize, for the reason they give.
		for m in no-consumer no-kustomize; do
			[ -f "$dir/$m" ] && skip "kustomize/golden/$case" "kubectl kustomize: $(head -n 1 "$dir/$m")" && continue 2
		done
		args=()
		if [ -f "$dir/args" ]; then
			while IFS= read -r a || [ -n "$a" ]; do args+=("$a"); done <"$dir/args"
		fi
		emit_check "kustomize/golden/$case" "$dir/input.yaml" "${args[@]}"
	done
	every=(--proxy-protocol=separate --trusted-networks=10.42.0.0/16 --proxy-network-policy --proxy-ingress=traefik
		--metallb-pool=mail --metallb-emit-pool=192.0.2.0/28 --fail2ban=auto)
	if [ -d "$SHARED/corpus/dms/rendered" ]; then
		for f in "$SHARED"/corpus/dms/rendered/helm*/*.yaml; do
			n=${f#"$SHARED"/corpus/dms/rendered/}
			emit_check "kustomize/render/$n" "$f"
			emit_check "kustomize/render/$n: PROXY and exposure options" "$f" "${every[@]}"
		done
	else
		missing_shared "kustomize/render" "$SHARED/corpus/dms/rendered"
	fi
fi

# The Flux example: its postRenderers are what --emit=flux writes for the
# official chart's default render, and Flux's CRD schemas accept the file.
ex="$ROOT/examples/flux/helmrelease.yaml"
official="$SHARED/corpus/dms/rendered/helm3/default.yaml"
if [ ! -f "$official" ]; then
	missing_shared "kustomize/flux-example-is-the-tools" "$official"
elif [ -z "$PY" ]; then
	unmet "kustomize/flux-example-is-the-tools" "no Python 3 with PyYAML"
else
	run_prog "$TMP/fx" "$TMP/fx-err" --emit=flux <"$official"
	if [ "$RC" -eq 0 ] && "$PY" -c '
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d.get("kind") == "HelmRelease"]
want = yaml.safe_load(open(sys.argv[2]).read().split("\n---\n")[0])["postRenderers"]
sys.exit(0 if len(docs) == 1 and docs[0]["spec"]["postRenderers"] == want else 1)' "$ex" "$TMP/fx"; then
		pass "kustomize/flux-example-is-the-tools"
	else
		fail "kustomize/flux-example-is-the-tools" "examples/flux/helmrelease.yaml's postRenderers are not what --emit=flux writes for $official (exit $RC)"
	fi
fi
if [ ! -d "$here/schema/node_modules/@kubernetes-models/flux-cd" ]; then
	unmet "kustomize/flux-example-schema" "the npm package @kubernetes-models/flux-cd is not installed (make schema-deps)"
elif node "$here/schema/validate-flux.mjs" "$ex" >"$TMP/vf" 2>&1 && grep -q '^validate-flux: ok' "$TMP/vf"; then
	pass "kustomize/flux-example-schema ($(sed -n 's/^validate-flux: ok, //p' "$TMP/vf"), @kubernetes-models/flux-cd)"
else
	fail "kustomize/flux-example-schema" "$(head -n 2 "$TMP/vf" | tr '\n' '|')"
fi

# A changed text value (a script in a ConfigMap) is guarded by a JSON6902
# "test" of the render's text: applied to a render whose text changed since
# (the next chart version), kustomize fails instead of writing this render's
# lines back.
g="$here/golden/proxy/configmap-after-workload"
if command -v kubectl >/dev/null 2>&1; then
	rm -rf "$TMP/kg"
	run_prog /dev/null "$TMP/kg-err" --proxy-protocol=separate --trusted-networks=192.0.2.7 --emit=kustomize \
		--emit-dir "$TMP/kg" <"$g/input.yaml"
	sed -i 's/echo "site patches"/echo "site patches, v2"/' "$TMP/kg/render.yaml" 2>/dev/null
	if [ "$RC" -eq 0 ] && ! kbuild "$TMP/kg" "$TMP/kg-out" && grep -q 'testing value /data/user-patches failed' "$TMP/kbuild.err"; then
		pass "kustomize/changed-text-in-a-newer-render-fails"
	else
		fail "kustomize/changed-text-in-a-newer-render-fails" "exit $RC; kustomize: $(head -c 200 "$TMP/kbuild.err")"
	fi
fi
