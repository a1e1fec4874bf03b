# unit.sh -- sourced by run-all.sh (also under --quick): runs every unit-test program
# in $TESTBIN (its PASS and FAIL lines counted; a crash or leak without a
# FAIL line is a failure too).
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
