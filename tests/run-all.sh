#!/usr/bin/env bash
# run-all.sh BIN TESTBIN -- runs every suite (unit, golden, cli, sources, clients, corpus,
# schema, order, mailserver) and
# ends with the line "N passed, N failed, N skipped" (each SKIP line says
# why). Exit status 0 only when none failed.
here=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
TESTBIN=$(cd "$2" && pwd)
ROOT=$(cd "$here/.." && pwd)
SHARED=${SHARED_DIR:-$ROOT/../shared}
. "$here/lib.sh"

echo "== unit"
. "$here/unit.sh"

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

echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]
