#!/usr/bin/env bash
# check.sh BIN TESTBIN -- `make check`: the quick suites for a newcomer, the
# unit tests and the golden cases (with their readers and oracles), the
# golden cases split over the machine's cores. Ends with "N passed, N failed,
# N skipped" like run-all.sh; the full suite (`make test`) adds the real
# clients, the corpus, the schemas, document order and the real mail servers.
here=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
TESTBIN=$(cd "$2" && pwd)
ROOT=$(cd "$here/.." && pwd)
SHARED=${SHARED_DIR:-$ROOT/../shared}
. "$here/lib.sh"

echo "== unit"
. "$here/unit.sh"
echo "== golden ($(nproc 2>/dev/null || echo 1) shards)"
n=$(nproc 2>/dev/null || echo 1)
export BIN TESTBIN ROOT SHARED here
for k in $(seq 0 $((n - 1))); do
	GOLDEN_SHARD="$k/$n" bash -c '. "$here/lib.sh"; . "$here/golden.sh"; echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"' \
		>"$TMP/shard.$k" 2>&1 &
done
wait
for k in $(seq 0 $((n - 1))); do
	grep -E '^(FAIL|SKIP) ' "$TMP/shard.$k"
	read -r p _ f _ s _ < <(tail -n 1 "$TMP/shard.$k")
	PASSED=$((PASSED + ${p:-0})) FAILED=$((FAILED + ${f:-1})) SKIPPED=$((SKIPPED + ${s:-0}))
done
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]
