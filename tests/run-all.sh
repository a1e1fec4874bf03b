#!/usr/bin/env bash
# run-all.sh BIN TESTBIN [--quick] -- runs every suite (unit, golden, cli,
# release, sources, clients, corpus, schema, order, kustomize, mailserver), or with --quick
# (`make check`) only the unit tests and the golden cases (with their readers
# and oracles), the golden cases split over the machine's cores. Ends with the
# line "N passed, N failed, N skipped" (each SKIP line says why). Exit status
# 0 only when none failed.
here=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
TESTBIN=$(cd "$2" && pwd)
ROOT=$(cd "$here/.." && pwd)
SHARED=${SHARED_DIR:-$ROOT/../shared}
. "$here/lib.sh"

echo "== unit"
. "$here/unit.sh"

if [ "${3:-}" = --quick ]; then
	n=$(nproc 2>/dev/null || echo 1)
	echo "== golden ($n shards)"
	export BIN TESTBIN ROOT SHARED here
	for k in $(seq 0 $((n - 1))); do
		GOLDEN_SHARD="$k/$n" bash -c '. "$here/lib.sh"; . "$here/golden.sh"; echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"' \
			>"$TMP/shard.$k" 2>&1 &
	done
	wait
	for k in $(seq 0 $((n - 1))); do
		grep -E '^(FAIL|SKIP) ' "$TMP/shard.$k"
		# A shard that died without its summary counts as a failure.
		read -r p _ f _ s _ < <(tail -n 1 "$TMP/shard.$k")
		PASSED=$((PASSED + ${p:-0})) FAILED=$((FAILED + ${f:-1})) SKIPPED=$((SKIPPED + ${s:-0}))
	done
else
	echo "== golden"
	. "$here/golden.sh"
	echo "== cli"
	. "$here/cli.sh"
	echo "== release"
	. "$here/release.sh"
	echo "== sources"
	. "$here/sources.sh"
	echo "== clients"
	. "$here/clients.sh"
	echo "== corpus"
	. "$here/corpus.sh"
	echo "== schema"
	. "$here/schema.sh"
	echo "== order"
	. "$here/order.sh"
	echo "== kustomize"
	. "$here/kustomize.sh"
	echo "== mailserver"
	. "$here/mailserver.sh"
fi

echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]
