#!/usr/bin/env bash
# seed.sh DIR -- writes the fuzzer's seed inputs into DIR: every golden input,
# chart fixture and corpus stream, each behind a few two-byte option
# prefixes (see options() in fuzz_pipeline.c), so fuzzing starts from real
# streams under several option sets.
set -euo pipefail
dir=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED_DIR:-$root/../shared}
mkdir -p "$dir"
i=0
while IFS= read -r f; do
	for prefix in '\x00\x00' '\x02\x01' '\x07\x17' '\x2e\x27' '\x94\x0f' '\x01\x60'; do
		{ printf "$prefix"; head -c 131070 "$f"; } >"$dir/seed-$i"
		i=$((i + 1))
	done
done < <(find "$root/tests/golden" "$root/chart-fixtures" "$shared/corpus" -type f -name '*.yaml' 2>/dev/null | sort)
echo "fuzz: $i seed inputs in $dir"
