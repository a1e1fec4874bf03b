# lib.sh -- shared by every test driver: strict mode, C locale, a scratch
# directory removed on exit, pass/fail/skip counters, the Go and PyYAML readers'
# helpers, and $VALGRIND (set by
# `make valgrind`) in front of every program under test.
set -u
export LC_ALL=C
# The minimal-diff writer reads back only the changed parts of a document;
# under the tests it also reads back the whole document, and a part-wise
# pass where the whole fails is an internal-error warning (which every
# golden case's expected stderr would show) and a counted mismatch.
export DMSPR_FULL_READBACK=1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dmspr-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
PASSED=0
FAILED=0
SKIPPED=0
VALGRIND=${VALGRIND:-}

pass() { PASSED=$((PASSED + 1)); printf 'PASS %s\n' "$1"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL %s: %s\n' "$1" "$2"; }
# skip NAME WHY: a test that cannot run here, with the reason (under CI the
# suites turn a missing prerequisite into a FAIL instead).
skip() { SKIPPED=$((SKIPPED + 1)); printf 'SKIP %s: %s\n' "$1" "$2"; }

# unmet NAME WHY: a test whose prerequisite is missing here: SKIP with WHY,
# or FAIL under CI, which installs every prerequisite.
unmet() { if [ -n "${CI:-}" ]; then fail "$1" "$2"; else skip "$1" "$2"; fi; }

# run_prog OUT ERR ARGS... < input: run the binary under test; sets RC.
run_prog() {
	local out=$1 err=$2
	shift 2
	# shellcheck disable=SC2086
	$VALGRIND "$BIN" "$@" >"$out" 2>"$err"
	RC=$?
}

# client_run CLIENT OWN CMD...: run CMD (stdin and stdout as given) as the
# child of a shell playing the client (Helm): the shell's stderr is appended
# to CLIENT, CMD's own stderr goes to OWN. Under Helm, dms-postrender also
# writes its messages to its parent's stderr.
client_run() {
	local client=$1
	shift
	bash -c 'own=$1; shift; "$@" 2>"$own"; exit $?' client "$@" 2>>"$client"
}

# go_reader_missing NAME: the Go YAML reader (tests/tools/go-yaml-read) was
# not built: SKIP, or FAIL under CI, which installs its Debian packages.
go_reader_missing() {
	if [ -n "${CI:-}" ]; then
		fail "$1" "tests/tools/go-yaml-read was not built (Debian: golang-go golang-k8s-sigs-yaml-dev golang-gopkg-yaml.v2-dev golang-gopkg-yaml.v3-dev)"
	else
		skip "$1" "no Go YAML reader (Debian: golang-go golang-k8s-sigs-yaml-dev golang-gopkg-yaml.v2-dev golang-gopkg-yaml.v3-dev)"
	fi
}

# A Python 3 with PyYAML, the independent parser for document counts.
find_pyyaml() {
	local p
	for p in /usr/bin/python3 python3; do
		if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import yaml' 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# kustomize_parses NAME FILE: the Go YAML parser of Helm's family (through
# `kubectl kustomize`) reads every object of FILE. Skipped, and said so, when
# kubectl is missing.
kustomize_parses() {
	local name=$1 file=$2 dir
	rm -f "$TMP/kustomized.yaml"
	if ! command -v kubectl >/dev/null 2>&1; then
		skip "$name" "kubectl not installed"
		return
	fi
	dir="$TMP/kustomize"
	rm -rf "$dir" && mkdir -p "$dir"
	cp "$file" "$dir/stream.yaml"
	printf 'resources:\n- stream.yaml\n' >"$dir/kustomization.yaml"
	if kubectl kustomize "$dir" >"$TMP/kustomized.yaml" 2>"$TMP/kustomize.err"; then
		pass "$name"
	else
		fail "$name" "kubectl kustomize rejects it: $(head -c 300 "$TMP/kustomize.err")"
	fi
}

# go_reading FILE OUT: what Go's YAML parser (kubectl kustomize) reads in
# FILE, written out again with its types explicit; false when it refuses it.
go_reading() {
	local d="$TMP/go-kustomize"
	rm -rf "$d" && mkdir -p "$d"
	cp "$1" "$d/stream.yaml"
	printf 'resources:\n- stream.yaml\n' >"$d/kustomization.yaml"
	kubectl kustomize "$d" >"$2" 2>/dev/null
}

# missing_shared NAME FILE: SKIP NAME (FAIL under CI): FILE, the shared test
# data beside this checkout, is not there.
missing_shared() {
	if [ -n "${CI:-}" ]; then
		fail "$1" "$2 (the shared test data) is missing"
	else
		skip "$1" "$2 (the shared test data) is not beside this checkout"
	fi
}

# shared_input_missing NAME DIR: true (after saying SKIP, or FAIL under CI)
# when golden case DIR reads one of the official chart's renders through a
# symlink into ../shared and that test data is not there (a fresh clone).
shared_input_missing() {
	local name=$1 dir=$2
	[ -L "$dir/input.yaml" ] && [ ! -e "$dir/input.yaml" ] && [[ $(readlink "$dir/input.yaml") == */shared/* ]] ||
		return 1
	missing_shared "$name" "its input $(readlink "$dir/input.yaml")"
	return 0
}
