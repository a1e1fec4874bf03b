#!/usr/bin/env bash
# run-all.sh BIN TESTBIN -- runs every suite (unit, golden, cli, sources, clients, corpus,
# schema, order, mailserver) and
# ends with the line "N passed, N failed". Exit status 0 only when none failed.
here=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
TESTBIN=$(cd "$2" && pwd)
ROOT=$(cd "$here/.." && pwd)
SHARED=${SHARED_DIR:-$ROOT/../shared}
. "$here/lib.sh"

echo "== unit"
for t in "$TESTBIN"/test_*; do
	[ -x "$t" ] || continue
	# shellcheck disable=SC2086
	$VALGRIND "$t" >"$TMP/unit.out" 2>"$TMP/unit.err"
	rc=$?
	p=$(grep -c '^PASS ' "$TMP/unit.out")
	f=$(grep -c '^FAIL ' "$TMP/unit.out")
	grep '^FAIL ' "$TMP/unit.out"
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		fail "$(basename "$t")" "exited $rc without a FAIL line (crash or leak?): $(tail -n 3 "$TMP/unit.err" | tr '\n' ' ')"
	fi
	echo "$(basename "$t"): $p passed, $f failed"
done

echo "== golden"
. "$here/golden.sh"
echo "== cli"
. "$here/cli.sh"
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
echo "== mailserver"
. "$here/mailserver.sh"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
