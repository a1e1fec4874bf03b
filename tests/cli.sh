# cli.sh -- sourced by run-all.sh: command-line behaviour, exit codes, I/O
# failures (full disk, closed pipe, closed stdin), the empty-input policy and
# flat memory on a long stream.
FIX="$ROOT/chart-fixtures/helm3-test-chart.yaml"

# expect_error NAME RC PATTERN: the last run exited RC, wrote nothing to
# stdout and exactly one stderr line matching PATTERN (extended regexp).
expect_error() {
	local name=$1 rc=$2 pat=$3
	if [ "$RC" -ne "$rc" ]; then
		fail "$name" "exit $RC, expected $rc: $(head -c 300 "$TMP/err")"
	elif [ -s "$TMP/out" ]; then
		fail "$name" "stdout is not empty"
	elif [ "$(wc -l <"$TMP/err")" -ne 1 ] || ! grep -Eq -- "$pat" "$TMP/err"; then
		fail "$name" "stderr is not one line matching /$pat/: $(head -c 300 "$TMP/err")"
	else
		pass "$name"
	fi
}

run_prog "$TMP/out" "$TMP/err" --help </dev/null
if [ "$RC" -eq 0 ] && grep -q '^Usage: dms-postrender' "$TMP/out" && grep -q -- '--max-document-size' "$TMP/out" &&
	grep -q '6 empty input' "$TMP/out" && [ ! -s "$TMP/err" ]; then
	pass "cli/help"
else
	fail "cli/help" "exit $RC or missing text"
fi

$VALGRIND "$BIN" --help >/dev/full 2>"$TMP/err" </dev/null
RC=$?
: >"$TMP/out"
expect_error "cli/help-to-full-disk" 5 'error: writing to stdout failed: No space left on device'

run_prog "$TMP/out" "$TMP/err" --version </dev/null
plugin_version=$(sed -n 's/^version: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$ROOT/plugin.yaml")
if [ "$RC" -eq 0 ] && [ "$(cat "$TMP/out")" = "dms-postrender $plugin_version" ]; then
	pass "cli/version-matches-plugin.yaml"
else
	fail "cli/version-matches-plugin.yaml" "got '$(cat "$TMP/out")', plugin.yaml says '$plugin_version'"
fi

run_prog "$TMP/out" "$TMP/err" --verbos <"$FIX"
expect_error "cli/unknown-option-hint" 2 "unknown option '--verbos' \(did you mean '--verbose'\?\)"

run_prog "$TMP/out" "$TMP/err" --no-such-thing <"$FIX"
expect_error "cli/unknown-option" 2 "unknown option '--no-such-thing'; try 'dms-postrender --help'"

run_prog "$TMP/out" "$TMP/err" -x <"$FIX"
expect_error "cli/unknown-short-option" 2 "unknown option '-x'"

run_prog "$TMP/out" "$TMP/err" input.yaml <"$FIX"
expect_error "cli/positional-argument" 2 "unexpected argument 'input.yaml'"

run_prog "$TMP/out" "$TMP/err" --max-document-size <"$FIX"
expect_error "cli/missing-value" 2 "option '--max-document-size' needs a value"

run_prog "$TMP/out" "$TMP/err" --max-document-size=lots <"$FIX"
expect_error "cli/bad-size" 3 "--max-document-size: expected a positive byte count"

run_prog "$TMP/out" "$TMP/err" --max-document-size 1K <"$FIX"
expect_error "cli/document-over-limit" 1 '<stdin>:[0-9]+:1: document is larger than --max-document-size \(1024 bytes\) \(document [0-9]+, Source: '

run_prog "$TMP/quiet" "$TMP/err" <"$FIX"
run_prog "$TMP/out" "$TMP/err" --max-document-size=64M --verbose <"$FIX"
if [ "$RC" -eq 0 ] && cmp -s "$TMP/out" "$TMP/quiet" && grep -q 'documents (0 empty)' "$TMP/err" &&
	grep -qx 'dms-postrender:   spec.template.spec.containers\[docker-mailserver\].securityContext' "$TMP/err" &&
	grep -qx 'dms-postrender:     runAsUser: (absent) -> 0' "$TMP/err" &&
	grep -qx 'dms-postrender:     capabilities.add: + CHOWN, FOWNER, MKNOD, SETGID, SETUID, DAC_OVERRIDE, NET_BIND_SERVICE, SYS_CHROOT, KILL' "$TMP/err" &&
	! grep -q -- '-> {}$\|-> \[\]$\|(not listed)' "$TMP/err"; then
	pass "cli/verbose-reports-on-stderr-only"
else
	fail "cli/verbose-reports-on-stderr-only" "exit $RC"
fi

$VALGRIND "$BIN" <"$FIX" >/dev/full 2>"$TMP/err"
RC=$?
: >"$TMP/out"
expect_error "cli/output-to-full-disk" 5 'error: writing output failed: No space left on device'

# A file size limit (ulimit -f) must end the run with status 5 and a message,
# not kill it with SIGXFSZ (exit 153 and a cut file with no word).
(ulimit -f 2; $VALGRIND "$BIN" <"$FIX" >"$TMP/fsz.out" 2>"$TMP/err"; echo $? >"$TMP/rc")
RC=$(cat "$TMP/rc")
: >"$TMP/out"
expect_error "cli/file-size-limit" 5 'error: writing output failed: File too large'

# A reader that goes away: EPIPE must end the run with status 5, not hang
# and not die silently from SIGPIPE. The input is larger than a pipe buffer.
cat "$FIX" "$FIX" "$FIX" "$FIX" "$FIX" "$FIX" "$FIX" "$FIX" >"$TMP/big.yaml"
(timeout 120 $VALGRIND "$BIN" <"$TMP/big.yaml" 2>"$TMP/err"; echo $? >"$TMP/rc") | true
RC=$(cat "$TMP/rc")
: >"$TMP/out"
expect_error "cli/closed-pipe" 5 'error: writing output failed: Broken pipe'

$VALGRIND "$BIN" <&- >"$TMP/out" 2>"$TMP/err"
RC=$?
expect_error "cli/stdin-closed" 5 'error: reading stdin failed: Bad file descriptor'

printf '' >"$TMP/empty.yaml"
run_prog "$TMP/out" "$TMP/err" <"$TMP/empty.yaml"
expect_error "cli/empty-input-refused" 6 'error: the input holds no Kubernetes documents; refusing to write an empty stream'

printf '# only a comment\n---\n# Source: x/templates/secret.yaml\n# HIDDEN: The Secret output has been suppressed\n' >"$TMP/comments.yaml"
run_prog "$TMP/out" "$TMP/err" <"$TMP/comments.yaml"
expect_error "cli/comment-only-input-refused" 6 'holds no Kubernetes documents'

run_prog "$TMP/out" "$TMP/err" --allow-empty <"$TMP/comments.yaml"
if [ "$RC" -eq 0 ] && cmp -s "$TMP/out" "$TMP/comments.yaml" && [ ! -s "$TMP/err" ]; then
	pass "cli/allow-empty-passes-through"
else
	fail "cli/allow-empty-passes-through" "exit $RC"
fi

# Many Services wait for their workload: more text than the stash keeps in
# memory (256 KiB), so held Services and the filled slots go through their
# temporary files. Order and bytes must come out exactly as without.
if [ -n "${PY:-}" ] || PY=$(find_pyyaml); then
	"$PY" - >"$TMP/held.yaml" <<'PYEOF'
print("---\napiVersion: v1\nkind: Service\nmetadata: {name: mail}\nspec:\n  selector: {app: mail}\n"
      "  ports: [{name: smtp, port: 25, targetPort: smtp}]")
for i in range(2500):
    print("---\n# Source: c/templates/svc-%d.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-%d\n"
          "spec:\n  selector:\n    app: app-%d\n  ports:\n    - name: http\n      port: 80\n"
          "      targetPort: http\n    - name: metrics\n      port: 9102\n      targetPort: metrics" % (i, i, i))
print("---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: mail}\nspec:\n  selector: {matchLabels: {app: mail}}\n"
      "  template:\n    metadata: {labels: {app: mail}}\n    spec:\n      containers:\n"
      "        - {name: mail, image: mailserver/docker-mailserver:15, ports: [{name: smtp, containerPort: 25}]}")
PYEOF
	run_prog "$TMP/out" "$TMP/err" --metallb-pool=mail --fail2ban=off <"$TMP/held.yaml"
	if [ "$RC" -eq 0 ] && "$PY" "$here/tools/check-patch.py" "$TMP/held.yaml" "$TMP/out" --metallb-pool=mail \
		>"$TMP/check" 2>&1 && grep -q 'metallb.io/address-pool: mail' "$TMP/out"; then
		pass "cli/many-held-services-spill-to-disk ($(sed -n 's/^check-patch: ok, //p' "$TMP/check"))"
	else
		fail "cli/many-held-services-spill-to-disk" "exit $RC: $(head -c 300 "$TMP/err") $(head -n 3 "$TMP/check")"
	fi
fi

# Output larger than the in-memory spool goes out through sendfile() where
# the kernel allows it (a file, a pipe) and through read/write where it does
# not (stdout opened for appending): the bytes must be the same.
"$PY" "$here/tools/gen-stream.py" --bytes 6000000 >"$TMP/six.yaml"
run_prog "$TMP/six.out" "$TMP/err" <"$TMP/six.yaml"
rc1=$RC
: >"$TMP/six.app"
# shellcheck disable=SC2086
$VALGRIND "$BIN" <"$TMP/six.yaml" >>"$TMP/six.app" 2>"$TMP/err"
rc2=$?
# shellcheck disable=SC2086
$VALGRIND "$BIN" <"$TMP/six.yaml" 2>"$TMP/err" | cat >"$TMP/six.pipe"
rc3=${PIPESTATUS[0]}
if [ "$rc1$rc2$rc3" = 000 ] && [ -s "$TMP/six.out" ] && cmp -s "$TMP/six.out" "$TMP/six.app" &&
	cmp -s "$TMP/six.out" "$TMP/six.pipe"; then
	pass "cli/large-output-same-to-file-append-and-pipe"
else
	fail "cli/large-output-same-to-file-append-and-pipe" "exit $rc1/$rc2/$rc3 or outputs differ"
fi
rm -f "$TMP/six.yaml" "$TMP/six.out" "$TMP/six.app" "$TMP/six.pipe"

# Helm 4 runs the plugin with HELM_PLUGIN_NAME/HELM_PLUGIN_DIR set and
# throws its stderr away: the reason for a failure must be in the log file
# and on Helm's own stderr (a CI job's log), the exit code must still say
# which kind of failure it was.
state="$TMP/state"
rm -rf "$state"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [broken\n' >"$TMP/broken.yaml"
: >"$TMP/client.err"
# shellcheck disable=SC2086
client_run "$TMP/client.err" /dev/null env HELM_PLUGIN_NAME=dms-postrender HELM_PLUGIN_DIR="$ROOT" \
	XDG_STATE_HOME="$state" $VALGRIND "$BIN" --metallb-pool=mail <"$TMP/broken.yaml" >"$TMP/out"
RC=$?
log="$state/dms-postrender/messages.log"
if [ "$RC" -eq 1 ] && [ ! -s "$TMP/out" ] && [ -f "$log" ] &&
	grep -q '^dms-postrender: error: <stdin>:4:1: .*(document 1)$' "$log" && grep -q '^--- 20[0-9-]*T[0-9:]*Z pid ' "$log"; then
	pass "cli/helm4-failure-reason-in-log-file"
else
	fail "cli/helm4-failure-reason-in-log-file" "exit $RC; log: $(head -c 300 "$log" 2>/dev/null)"
fi
if [ "$(grep -c '^dms-postrender: error: <stdin>:4:1: .*(document 1)$' "$TMP/client.err")" -eq 1 ] &&
	[ "$(wc -l <"$TMP/client.err")" -eq 1 ]; then
	pass "cli/helm4-failure-reason-on-the-client-stderr-once"
else
	fail "cli/helm4-failure-reason-on-the-client-stderr-once" "$(head -c 300 "$TMP/client.err")"
fi
# A client whose stderr is a file it did not open for appending (a plain
# 2>FILE) would write over our line: nothing goes there.
printf 'x\n' >"$TMP/client.err"
# shellcheck disable=SC2086
bash -c '"$@" 2>/dev/null; exit $?' client env HELM_PLUGIN_NAME=dms-postrender XDG_STATE_HOME="$state" \
	$VALGRIND "$BIN" <"$TMP/broken.yaml" >/dev/null 2>"$TMP/client.err"
if [ ! -s "$TMP/client.err" ]; then
	pass "cli/helm4-no-write-into-a-client-file-not-opened-for-appending"
else
	fail "cli/helm4-no-write-into-a-client-file-not-opened-for-appending" "$(head -c 300 "$TMP/client.err")"
fi
before=$(wc -c <"$log")
# shellcheck disable=SC2086
client_run /dev/null /dev/null env HELM_PLUGIN_NAME=dms-postrender XDG_STATE_HOME="$state" $VALGRIND "$BIN" \
	<"$FIX" >/dev/null
if [ "$?" -eq 0 ] && [ "$(wc -c <"$log")" -eq "$before" ]; then
	pass "cli/helm4-quiet-success-leaves-the-log-alone"
else
	fail "cli/helm4-quiet-success-leaves-the-log-alone" "log grew or run failed"
fi
head -c 70000 /dev/zero | tr '\0' 'x' >"$log"
# shellcheck disable=SC2086
client_run /dev/null /dev/null env HELM_PLUGIN_NAME=dms-postrender XDG_STATE_HOME="$state" $VALGRIND "$BIN" \
	<"$TMP/broken.yaml" >/dev/null
if [ "$(wc -c <"$log")" -lt 1000 ] && grep -q 'error:' "$log"; then
	pass "cli/helm4-log-starts-afresh-past-64KiB"
else
	fail "cli/helm4-log-starts-afresh-past-64KiB" "$(wc -c <"$log") bytes"
fi

# plugin.yaml as Helm 4's loader reads it (strict keys, strict SemVer equal
# to VERSION, the command and the build hooks), then the
# contract played out: the install hook runs from another directory with
# HELM_PLUGIN_DIR set, and the command, with ${HELM_PLUGIN_DIR} expanded and
# --post-renderer-args appended, patches a stream.
version=$(cat "$ROOT/VERSION")
if [ -z "${PY:-}" ]; then
	fail "cli/plugin.yaml" "no python3 with PyYAML"
elif ! "$PY" "$here/tools/check-plugin.py" "$ROOT/plugin.yaml" "$version" >"$TMP/plugin" 2>&1; then
	fail "cli/plugin.yaml" "$(head -n 3 "$TMP/plugin" | tr '\n' '|')"
else
	pass "cli/plugin.yaml matches Helm 4's loader (version $version)"
	if [ -z "${DMSPR_SANITIZED:-}" ] && [ -z "$VALGRIND" ]; then
		hook=$(awk -F'\t' '$1 == "install" {print $3}' "$TMP/plugin")
		cmd=$(awk -F'\t' '$1 == "command" {print $2}' "$TMP/plugin")
		script=$("$PY" -c 'import json, sys; print(json.loads(sys.argv[1])[1])' "$hook")
		if (cd "$TMP" && HELM_PLUGIN_NAME=dms-postrender HELM_PLUGIN_DIR="$ROOT" sh -c "$script" >"$TMP/hook.out" 2>&1) &&
			client_run /dev/null /dev/null env HELM_PLUGIN_NAME=dms-postrender HELM_PLUGIN_DIR="$ROOT" \
				XDG_STATE_HOME="$TMP/state" "${cmd/\$\{HELM_PLUGIN_DIR\}/$ROOT}" --metallb-pool=mail <"$FIX" \
				>"$TMP/out" &&
			grep -q 'metallb.io/address-pool: mail' "$TMP/out"; then
			pass "cli/helm4-plugin-hook-builds-and-command-runs"
		else
			fail "cli/helm4-plugin-hook-builds-and-command-runs" "$(tail -n 3 "$TMP/hook.out" | tr '\n' '|')"
		fi
	fi
fi

# --check says, by exit status, whether a run would change anything; on an
# already patched stream it copies the stream through unchanged (a client
# that applies its output must never get an empty release), and where a run
# would patch it writes nothing and exits 7.
run_prog "$TMP/out" "$TMP/err" --check <"$FIX"
if [ "$RC" -eq 7 ] && [ ! -s "$TMP/out" ] && grep -q 'warning: --check: 1 document would change and 0 would be added' "$TMP/err"; then
	pass "cli/check-unpatched-stream-exits-7"
else
	fail "cli/check-unpatched-stream-exits-7" "exit $RC: $(head -c 200 "$TMP/err")"
fi
# (The chart's PROXY ports are split off the LoadBalancer Service: left on
# it, every run warns, as it should.)
patched_args=(--metallb-pool=mail --metallb-emit-pool=192.0.2.0/28 --proxy-protocol=separate
	--trusted-networks=10.42.0.0/16 --proxy-service=split)
"$BIN" "${patched_args[@]}" <"$FIX" >"$TMP/patched.yaml" 2>/dev/null
run_prog "$TMP/out" "$TMP/err" --check "${patched_args[@]}" <"$TMP/patched.yaml"
if [ "$RC" -eq 0 ] && [ -s "$TMP/out" ] && cmp -s "$TMP/out" "$TMP/patched.yaml" && [ ! -s "$TMP/err" ]; then
	pass "cli/check-patched-stream-exits-0"
else
	fail "cli/check-patched-stream-exits-0" "exit $RC: $(head -c 200 "$TMP/err")"
fi
run_prog "$TMP/out" "$TMP/err" --check --metallb-pool=mail --metallb-emit-pool=192.0.2.0/28 <"$FIX"
if [ "$RC" -eq 7 ] && grep -q 'would change and 2 would be added' "$TMP/err"; then
	pass "cli/check-counts-generated-documents"
else
	fail "cli/check-counts-generated-documents" "exit $RC: $(head -c 300 "$TMP/err")"
fi

# The helmfile example: its postRendererArgs, one argv element each as
# helmfile and Helm 3 pass them, must be accepted and do their job.
if [ -n "${PY:-}" ]; then
	mapfile -t hf < <("$PY" -c 'import sys, yaml
for r in yaml.safe_load(open(sys.argv[1]))["releases"]:
    for a in r.get("postRendererArgs") or []:
        if a != "":
            print(a)' "$ROOT/examples/helmfile/helmfile.yaml")
	run_prog "$TMP/out" "$TMP/err" "${hf[@]}" <"$FIX"
	if [ "${#hf[@]}" -gt 0 ] && [ "$RC" -eq 0 ] && grep -q 'metallb.io/loadBalancerIPs: 192.0.2.25' "$TMP/out"; then
		pass "cli/helmfile-example-arguments (${hf[*]})"
	else
		fail "cli/helmfile-example-arguments" "exit $RC: $(head -c 200 "$TMP/err")"
	fi
fi

# Least privilege: whatever the options, no container other than
# docker-mailserver's (sidecars, init containers running the same image,
# other releases' pods) gains a capability, a securityContext field, a host
# port or anything else; the oracle compares every other container with its
# input exactly.
if [ -n "${PY:-}" ]; then
	for opts in "--fail2ban=on --add-capability=SYS_ADMIN --add-capability=MAC_OVERRIDE" \
		"--apparmor=both --kube-version=1.35 --host-network" \
		"--apparmor=field --fail2ban=on --host-network --metallb-pool=p --external-ip=192.0.2.1" \
		"--container=mailserver --fail2ban=on --add-capability=NET_ADMIN"; do
		for f in harden/statefulset-sidecar-init harden/two-releases-and-relay expose/host-network-no-service; do
			read -r -a a <<<"$opts"
			run_prog "$TMP/out" "$TMP/err" "${a[@]}" <"$here/golden/$f/input.yaml"
			if [ "$RC" -eq 0 ] && "$PY" "$here/tools/check-patch.py" "$here/golden/$f/input.yaml" "$TMP/out" "${a[@]}" \
				>"$TMP/check" 2>&1; then
				pass "cli/least-privilege $f $opts"
			else
				fail "cli/least-privilege $f $opts" "exit $RC: $(head -n 3 "$TMP/check" | tr '\n' '|')"
			fi
		done
	done
fi

# A 100 MB single line: refused at the document limit (8 MiB by default),
# without reading the rest of it into memory.
if [ -n "${DMSPR_SANITIZED:-}" ] || [ -n "$VALGRIND" ] || [ ! -x /usr/bin/time ]; then
	skip "cli/100MB-single-line" "sanitized build or no /usr/bin/time"
else
	{ printf 'a: '; head -c 104857600 /dev/zero | tr '\0' 'x'; } >"$TMP/line.yaml"
	/usr/bin/time -f '%M' -o "$TMP/rss" "$BIN" <"$TMP/line.yaml" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	kb=$(tail -n 1 "$TMP/rss")
	if [ "$kb" -lt 81920 ]; then
		expect_error "cli/100MB-single-line (peak RSS ${kb} KiB)" 1 \
			'<stdin>:1:1: document is larger than --max-document-size \(8388608 bytes\)'
	else
		fail "cli/100MB-single-line" "peak RSS ${kb} KiB, over 80 MiB"
	fi
	rm -f "$TMP/line.yaml"
fi

# Flat memory: a stream several times larger than the in-memory spool and the
# read buffer. Skipped under sanitizers/valgrind, whose own memory use is not
# the program's.
if [ -n "${DMSPR_SANITIZED:-}" ] || [ -n "$VALGRIND" ]; then
	skip "cli/flat-memory" "sanitized build"
elif [ ! -x /usr/bin/time ]; then
	fail "cli/flat-memory" "/usr/bin/time is missing (Debian package 'time')"
else
	python3 "$here/tools/gen-stream.py" --bytes 48000000 >"$TMP/long.yaml"
	/usr/bin/time -f '%M' -o "$TMP/rss" "$BIN" <"$TMP/long.yaml" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	kb=$(tail -n 1 "$TMP/rss")
	# Only the one docker-mailserver Deployment may differ.
	changed=$(diff "$TMP/long.yaml" "$TMP/out" | grep -c '^[<>]')
	if [ "$RC" -eq 0 ] && [ "$changed" -gt 0 ] && [ "$changed" -lt 120 ] && [ "$kb" -lt 32768 ]; then
		pass "cli/flat-memory (48 MB stream, peak RSS ${kb} KiB < 32 MiB)"
	else
		fail "cli/flat-memory" "exit $RC, peak RSS ${kb} KiB, $changed lines differ"
	fi
	rm -f "$TMP/long.yaml" "$TMP/out"
fi

# Options added by the hardening patch.
run_prog "$TMP/out" "$TMP/err" --add-capability=NET_ADMINX <"$FIX"
expect_error "cli/bad-capability" 3 "--add-capability: expected a Linux capability name"

run_prog "$TMP/out" "$TMP/err" --apparmor=yes <"$FIX"
expect_error "cli/bad-apparmor-mode" 3 "--apparmor: expected one of auto\|annotation\|field\|both\|off, got 'yes'"

run_prog "$TMP/out" "$TMP/err" --fail2ban <"$FIX"
expect_error "cli/fail2ban-needs-value" 2 "option '--fail2ban' needs a value"

KUBE_VERSION=latest run_prog "$TMP/out" "$TMP/err" <"$FIX"
expect_error "cli/bad-KUBE_VERSION" 3 "KUBE_VERSION: expected a Kubernetes version such as 1.31 or 1.30.2, got 'latest'"

# KUBE_VERSION (Argo CD) selects the AppArmor field; the command line wins.
KUBE_VERSION=1.31.0 run_prog "$TMP/out" "$TMP/err" <"$FIX"
if [ "$RC" -eq 0 ] && grep -q 'appArmorProfile:' "$TMP/out" && ! grep -q 'container.apparmor' "$TMP/out"; then
	pass "cli/KUBE_VERSION-selects-apparmor-field"
else
	fail "cli/KUBE_VERSION-selects-apparmor-field" "exit $RC"
fi
KUBE_VERSION=1.31.0 run_prog "$TMP/out" "$TMP/err" --kube-version=1.29 <"$FIX"
if [ "$RC" -eq 0 ] && ! grep -q 'appArmorProfile:' "$TMP/out" && grep -q 'container.apparmor' "$TMP/out"; then
	pass "cli/kube-version-beats-KUBE_VERSION"
else
	fail "cli/kube-version-beats-KUBE_VERSION" "exit $RC"
fi
KUBE_VERSION= run_prog "$TMP/out" "$TMP/err" <"$FIX"
if [ "$RC" -eq 0 ] && [ ! -s "$TMP/err" ]; then
	pass "cli/empty-KUBE_VERSION-means-unknown"
else
	fail "cli/empty-KUBE_VERSION-means-unknown" "exit $RC: $(head -c 200 "$TMP/err")"
fi

run_prog "$TMP/out" "$TMP/err" --container=nosuch <"$FIX"
if [ "$RC" -eq 0 ] && cmp -s "$TMP/out" "$FIX" && grep -q 'warning: --container nosuch: no workload' "$TMP/err"; then
	pass "cli/unmatched-container-warns-and-passes-through"
else
	fail "cli/unmatched-container-warns-and-passes-through" "exit $RC"
fi

run_prog "$TMP/out" "$TMP/err" --metallb-ip=192.0.2.1,192.0.2.300 <"$FIX"
expect_error "cli/bad-metallb-ip" 3 "--metallb-ip: '192.0.2.300' is not an IPv4 or IPv6 address"

run_prog "$TMP/out" "$TMP/err" --external-ip=2001:db8::zz <"$FIX"
expect_error "cli/bad-external-ip" 3 "--external-ip: '2001:db8::zz' is not an IPv4 or IPv6 address"

# Pool ranges: every item is checked before any is kept; options that only
# make sense together say so.
for bad in 192.0.2.1/33 2001:db8::1/64 192.0.2.9-192.0.2.1 192.0.2.1-2001:db8::1 192.0.2.1; do
	run_prog "$TMP/out" "$TMP/err" --metallb-pool=mail "--metallb-emit-pool=10.0.0.0/8,$bad" <"$FIX"
	expect_error "cli/bad-pool-range $bad" 3 "--metallb-emit-pool: '$bad' is not a CIDR with no host bits set"
done
run_prog "$TMP/out" "$TMP/err" --metallb-emit-pool=192.0.2.0/28 <"$FIX"
expect_error "cli/emit-pool-needs-pool" 3 "--lb-emit-pool needs --lb-pool NAME"
run_prog "$TMP/out" "$TMP/err" --metallb-pool=Mail_Pool --metallb-emit-pool=192.0.2.0/28 <"$FIX"
expect_error "cli/emit-pool-name-is-an-object-name" 3 "--lb-pool Mail_Pool: with --lb-emit-pool the pool name becomes an object name"
run_prog "$TMP/out" "$TMP/err" --metallb-namespace=lb <"$FIX"
expect_error "cli/metallb-namespace-needs-emit-pool" 3 "--metallb-namespace only places the objects --lb-emit-pool generates"
run_prog "$TMP/out" "$TMP/err" --metallb-pool=mail --metallb-emit-pool=192.0.2.0/28 --metallb-namespace=Metal_LB <"$FIX"
expect_error "cli/bad-metallb-namespace" 3 "--metallb-namespace: expected a DNS label"

run_prog "$TMP/out" "$TMP/err" --service=nosuch <"$FIX"
if [ "$RC" -eq 0 ] && grep -q 'warning: --service nosuch: no Service of that name' "$TMP/err"; then
	pass "cli/unmatched-service-warns"
else
	fail "cli/unmatched-service-warns" "exit $RC"
fi

# The hand-written man page describes every option --help lists, and
# make install puts it next to the binary.
run_prog "$TMP/out" "$TMP/err" --help </dev/null
missing=
opts=$(grep -oE -- '^ {2,6}(-[a-zA-Z], )?--[a-z][a-z0-9-]*' "$TMP/out" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
[ "$(echo "$opts" | wc -l)" -ge 20 ] || missing=" (only $(echo "$opts" | wc -l) options found in --help)"
for opt in $opts; do
	grep -q -- "^\.B[IR]* .*${opt//-/\\\\-}\b" "$ROOT/dms-postrender.1" || missing="$missing $opt"
done
if [ -z "$missing" ]; then
	pass "cli/every-option-is-in-the-man-page ($(echo "$opts" | wc -l) options)"
else
	fail "cli/every-option-is-in-the-man-page" "missing:$missing"
fi
if [ -z "${DMSPR_SANITIZED:-}" ] && [ -z "$VALGRIND" ]; then
	rm -rf "$TMP/dest"
	if make -s -C "$ROOT" install DESTDIR="$TMP/dest" PREFIX=/usr >/dev/null 2>&1 &&
		[ -x "$TMP/dest/usr/bin/dms-postrender" ] && [ -f "$TMP/dest/usr/share/man/man1/dms-postrender.1" ]; then
		pass "cli/make-install-installs-binary-and-man-page"
	else
		fail "cli/make-install-installs-binary-and-man-page" "see make install"
	fi
fi

# Every option --help lists has a row in the README's options table.
run_prog "$TMP/out" "$TMP/err" --help </dev/null
missing=
for opt in $(grep -o -- '--[a-z][a-z0-9-]*' "$TMP/out" | sort -u); do
	grep -q -- "^| .*\`$opt[=\` ]" "$ROOT/README.md" || missing="$missing $opt"
done
if [ -z "$missing" ]; then
	pass "cli/every-option-is-in-the-README"
else
	fail "cli/every-option-is-in-the-README" "missing:$missing"
fi

# --format minimal on a real Helm 3 render with every patch on (the bundled
# test chart's, and the official chart's from ../shared when it is there):
# the Deployment's comment lines (inside volumes: and volumeMounts:), its
# lines of only spaces and its indentless env entries all survive;
# re-emitting the same run must lose some of them, or this check could not
# fail. MIN is how many such lines the render has at least.
every=()
while IFS= read -r a; do every+=("$a"); done <"$here/golden/proxy/chart-helm3-every-patch/args"
keep_lines() {
	local name=$1 input=$2 min=$3
	run_prog "$TMP/out" "$TMP/err" "${every[@]}" <"$input"
	run_prog "$TMP/reemit" "$TMP/err" "${every[@]}" --format reemit <"$input"
	if [ -z "${PY:-}" ] && ! PY=$(find_pyyaml); then
		fail "$name" "no python3 with PyYAML"
	elif "$PY" - "$input" "$TMP/out" "$TMP/reemit" "$min" >"$TMP/keep" 2>&1 <<'PYEOF'; then
import collections, sys
def kept(path):
    # The Deployment: the ConfigMaps' text is the PROXY patch's to replace.
    doc = [d for d in open(path, encoding="utf-8").read().split("\n---") if "\nkind: \"Deployment\"" in d][0]
    lines = doc.split("\n")
    env, pick = [], False
    for l in lines:
        if l.strip() == "env:":
            pick = True
            continue
        if pick and (l.startswith("          - name: ") or l.startswith("            value: ")):
            env.append(l)
        elif pick:
            pick = False
    return collections.Counter([l for l in lines if l.lstrip().startswith("#")] +
                               [l for l in lines if l and not l.strip()] + env)
want, got, re = kept(sys.argv[1]), kept(sys.argv[2]), kept(sys.argv[3])
lost = sum((want - got).values())
re_lost = sum((want - re).values())
print("%d comment, blank and env lines; minimal loses %d, re-emitting %d" % (sum(want.values()), lost, re_lost))
sys.exit(0 if lost == 0 and re_lost > 0 and sum(want.values()) >= int(sys.argv[4]) else 1)
PYEOF
		pass "$name ($(cat "$TMP/keep"))"
	else
		fail "$name" "$(head -c 300 "$TMP/keep")"
	fi
}
keep_lines "cli/minimal-keeps-chart-comments-blank-lines-and-env" "$FIX" 10
if [ -f "$SHARED/corpus/dms/rendered/helm3/default.yaml" ]; then
	keep_lines "cli/minimal-keeps-official-chart-comments-blank-lines-and-env" \
		"$SHARED/corpus/dms/rendered/helm3/default.yaml" 100
else
	skip "cli/minimal-keeps-official-chart-comments-blank-lines-and-env" "no $SHARED/corpus (the shared test data)"
fi

# The minimal-diff writer on layouts the fixtures do not have (a comment
# after every line, CRLF, trailing comments, no final line break; see
# tools/style-variants.py), with every patch on: same data as --format
# reemit, no line lost that a patch does not own, second pass unchanged.
if [ -n "${PY:-}" ] || PY=$(find_pyyaml); then
	mkdir -p "$TMP/variants"
	for fx in helm3-test-chart helm3-k8s-guide helm4-test-chart; do
		"$PY" "$here/tools/style-variants.py" "$ROOT/chart-fixtures/$fx.yaml" "$TMP/variants"
		for v in comments crlf trailing nofinal; do
			name="cli/minimal-writer-layouts/$fx/$v"
			in="$TMP/variants/$v.yaml"
			run_prog "$TMP/out" "$TMP/err" "${every[@]}" <"$in"
			[ "$RC" -eq 0 ] || { fail "$name" "exit $RC: $(head -c 200 "$TMP/err")"; continue; }
			run_prog "$TMP/out2" "$TMP/err2" "${every[@]}" <"$TMP/out"
			if [ "$RC" -ne 0 ] || ! cmp -s "$TMP/out" "$TMP/out2"; then
				fail "$name" "a second pass changed the output"
				continue
			fi
			if [ "$v" = crlf ] && grep -qv $'\r$' "$TMP/out"; then
				fail "$name" "a line of the output does not end in CRLF"
				continue
			fi
			run_prog "$TMP/reemit" "$TMP/err2" "${every[@]}" --format reemit <"$in"
			if "$PY" "$here/tools/check-minimal.py" "$in" "$TMP/out" "$TMP/reemit" >"$TMP/min" 2>&1; then
				pass "$name ($(sed -n 's/^check-minimal: ok, //p' "$TMP/min"))"
			else
				fail "$name" "$(head -n 3 "$TMP/min" | tr '\n' '|')"
			fi
		done
	done
else
	fail "cli/minimal-writer-layouts" "no python3 with PyYAML"
fi

# Bundled short flags: -h and -V work inside a bundle as they do alone.
run_prog "$TMP/out" "$TMP/err" -vh </dev/null
if [ "$RC" -eq 0 ] && grep -q '^Usage: dms-postrender' "$TMP/out"; then pass "cli/bundled-vh-is-help"; else
	fail "cli/bundled-vh-is-help" "exit $RC: $(head -c 200 "$TMP/err")"; fi
run_prog "$TMP/out" "$TMP/err" -vV </dev/null
if [ "$RC" -eq 0 ] && grep -qx "dms-postrender $(cat "$ROOT/VERSION")" "$TMP/out"; then pass "cli/bundled-vV-is-version"; else
	fail "cli/bundled-vV-is-version" "exit $RC: $(head -c 200 "$TMP/out" "$TMP/err")"; fi

# One version (VERSION) in --version, plugin.yaml, the man page, the CHANGELOG,
# the examples and the README.
v=$(cat "$ROOT/VERSION")
why=""
"$BIN" --version | grep -qx "dms-postrender $v" || why="$why --version: $("$BIN" --version);"
grep -qx "version: $v" "$ROOT/plugin.yaml" || why="$why plugin.yaml: $(grep '^version:' "$ROOT/plugin.yaml");"
grep -q "^\.TH DMS-POSTRENDER 1 .* \"dms-postrender $v\"" "$ROOT/dms-postrender.1" || why="$why man page: $(grep '^\.TH' "$ROOT/dms-postrender.1");"
grep -q "^## $v " "$ROOT/CHANGELOG.md" || why="$why CHANGELOG.md has no '## $v' section;"
grep -qx "ARG DMS_POSTRENDER_VERSION=$v" "$ROOT/examples/argocd/Dockerfile" || why="$why examples/argocd/Dockerfile: another version;"
grep -q "argocd-cmp-dms-postrender:$v\$" "$ROOT/examples/argocd/repo-server-patch.yaml" || why="$why the sidecar image tag is not $v;"
# Every version written beside the name (a release file name, an image tag,
# a report sample, a quick-start command) in what a user reads.
others=$(grep -rnoE 'dms-postrender[ :-]v?[0-9]+\.[0-9]+\.[0-9]+' "$ROOT/README.md" "$ROOT/examples" "$ROOT/dms-postrender.1" \
	"$ROOT/plugin.yaml" | grep -vE "[ :-]v?$v\$" | sed "s|^$ROOT/||" | head -n 5 | tr '\n' ' ')
[ -z "$others" ] || why="$why another version beside the name: $others;"
if [ -z "$why" ]; then pass "cli/one-version-everywhere ($v)"; else fail "cli/one-version-everywhere" "$why"; fi

# The example configuration file reads the same to a YAML 1.1 reader (PyYAML)
# as to dms-postrender: no bare on/off/yes/no that would turn into booleans.
if "$PY" -c 'import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
bad = [k for k, v in d.items() if isinstance(v, bool) and k not in ("verbose", "allow-any-proxy", "host-network", "proxy-network-policy", "no-linter-annotations")]
sys.exit(f"booleans where strings are meant: {bad}" if bad else 0)' "$ROOT/examples/dms-postrender.yaml" 2>"$TMP/err"; then
	pass "cli/example-config-has-no-accidental-booleans"
else
	fail "cli/example-config-has-no-accidental-booleans" "$(cat "$TMP/err")"
fi

# The non-specific tag in a docker-mailserver workload too large to keep its
# first tree (read again with libyaml's loader at the end of the stream):
# kept as it came, as in the small golden cases.
{
	printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mail\n  annotations: {team: ! 42, note: ! }\n'
	printf 'spec:\n  template:\n    spec:\n      containers:\n        - name: mail\n'
	printf '          image: mailserver/docker-mailserver:15.1.0\n          env:\n'
	for i in $(seq 1 20000); do printf '            - {name: V%d, value: "x"}\n' "$i"; done
} >"$TMP/bigbang.yaml"
run_prog "$TMP/out" "$TMP/err" --fail2ban=off <"$TMP/bigbang.yaml"
if [ "$RC" -eq 0 ] && grep -qx '    team: ! 42' "$TMP/out" && grep -qx '    note: !' "$TMP/out"; then
	pass "cli/nonspecific-tag-kept-in-a-large-held-workload"
else
	fail "cli/nonspecific-tag-kept-in-a-large-held-workload" "exit $RC: $(grep -n 'team\|note' "$TMP/out" | head -3 | tr '\n' '|')"
fi

# --strict from a config file (it can only make a run fail): a warning is
# exit 8 with nothing written; a run without warnings passes untouched.
printf 'strict: true\n' >"$TMP/strict.yaml"
run_prog "$TMP/out" "$TMP/err" --config "$TMP/strict.yaml" --lb-pool=mail <"$FIX"
rc1=$RC
run_prog "$TMP/out2" "$TMP/err2" --config "$TMP/strict.yaml" <"$FIX"
if [ "$rc1" -eq 8 ] && [ ! -s "$TMP/out" ] && [ "$(tail -n 1 "$TMP/err")" = \
	"dms-postrender: error: --strict: 1 warning above; nothing was written (fix what it says, or drop --strict)" ] &&
	[ "$RC" -eq 0 ] && [ ! -s "$TMP/err2" ] && grep -q 'allowPrivilegeEscalation: true' "$TMP/out2"; then
	pass "cli/strict-from-a-config-file"
else
	fail "cli/strict-from-a-config-file" "exits $rc1/$RC: $(tail -c 300 "$TMP/err")"
fi

# One option table: every default and every dependency that --help and
# --print-config show (both printed from the table) is the one the README
# table, the man page and the Argo CD plugin's announcement give.
"$BIN" --help >"$TMP/help.txt" 2>&1 && "$BIN" --print-config </dev/null >"$TMP/pc.yaml" 2>&1 &&
	ARGOCD_APP_NAME=app "$BIN" --print-config </dev/null >"$TMP/pc-argo.yaml" 2>&1
if "$PY" "$here/tools/check-option-docs.py" "$TMP/help.txt" "$TMP/pc.yaml" "$ROOT/README.md" "$ROOT/dms-postrender.1" \
	"$ROOT/examples/argocd/plugin.yaml" "$TMP/pc-argo.yaml" >"$TMP/docs.check" 2>&1; then
	pass "cli/defaults-and-dependencies-agree ($(sed -n 's/^check-option-docs: ok, //p' "$TMP/docs.check"))"
else
	fail "cli/defaults-and-dependencies-agree" "$(head -n 5 "$TMP/docs.check" | tr '\n' '|')"
fi
# The documented default given alone is accepted, from the command line and
# from a config file (it used to be an error).
for a in --metallb-namespace=metallb-system --nginx-tcp-configmap=ingress-nginx/tcp-services; do
	run_prog "$TMP/out" "$TMP/err" "$a" <"$ROOT/chart-fixtures/helm3-test-chart.yaml"
	if [ "$RC" -eq 0 ]; then pass "cli/documented-default-alone-accepted ($a)"; else
		fail "cli/documented-default-alone-accepted ($a)" "exit $RC: $(head -c 200 "$TMP/err")"; fi
done

# --diff: a unified diff of the input and what a run would write; applied to
# the input it gives that output byte for byte (tools/check-diff.py), exit 0
# when nothing would change and 7 otherwise; never as a post-renderer.
diff_bad=""
ndiff=0
for dir in "$ROOT"/tests/golden/*/*/; do
	[ -e "$dir/input.yaml" ] || continue
	args=()
	if [ -f "$dir/args" ]; then
		while IFS= read -r a || [ -n "$a" ]; do args+=("$a"); done <"$dir/args"
	fi
	run_prog "$TMP/want" "$TMP/err" "${args[@]}" <"$dir/input.yaml"
	[ "$RC" -eq 0 ] || continue
	want_rc=7
	cmp -s "$TMP/want" "$dir/input.yaml" && want_rc=0
	run_prog "$TMP/diff" "$TMP/err" "${args[@]}" --diff <"$dir/input.yaml"
	ndiff=$((ndiff + 1))
	if [ "$RC" -ne "$want_rc" ]; then
		diff_bad="$diff_bad $(basename "$dir"): exit $RC, expected $want_rc;"
	elif ! "$PY" "$here/tools/check-diff.py" "$dir/input.yaml" "$TMP/diff" "$TMP/want" >"$TMP/cd" 2>&1; then
		diff_bad="$diff_bad $(basename "$dir"): $(cat "$TMP/cd");"
	fi
done
if [ -z "$diff_bad" ] && [ "$ndiff" -gt 50 ]; then pass "cli/diff-applies-to-the-output ($ndiff golden cases)"; else
	fail "cli/diff-applies-to-the-output" "$ndiff cases;$diff_bad"; fi
# A report object the run replaces moves to the end of the stream: the diff
# shows it removed from its place and added at the end, and compares every
# other document with itself.
r="$ROOT/tests/golden/report/replaced-when-something-changes"
run_prog "$TMP/diff" "$TMP/err" --report-object --lb-pool=mail --diff <"$r/input.yaml"
if [ "$RC" -eq 7 ] && grep -A1 -x -e $'--- a/dms-postrender/report.yaml\tConfigMap mail-dms-postrender' "$TMP/diff" | grep -qx -- '+++ /dev/null' &&
	grep -x -e $'+++ b/dms-postrender/report.yaml\tConfigMap mail-dms-postrender' "$TMP/diff" >/dev/null &&
	! grep -q '^-  name: mail-dms-postrender$' <(sed -n '/^--- a\/docker-mailserver/,$p' "$TMP/diff"); then
	pass "cli/diff-shows-a-moved-report-object-removed"
else
	fail "cli/diff-shows-a-moved-report-object-removed" "exit $RC: $(grep -E '^(---|\+\+\+) ' "$TMP/diff" | head -n 6 | tr '\n' '|')"
fi
run_prog "$TMP/diff" "$TMP/err" --diff <"$FIX"
if [ "$RC" -eq 7 ] && grep -q '^--- a/docker-mailserver/templates/deployment.yaml	Deployment mail-docker-mailserver$' "$TMP/diff" &&
	grep -q '^+            allowPrivilegeEscalation: true$' "$TMP/diff"; then
	pass "cli/diff-names-source-and-object"
else
	fail "cli/diff-names-source-and-object" "exit $RC: $(head -n 3 "$TMP/diff" | tr '\n' '|')"
fi
client_run /dev/null "$TMP/err" env HELM_PLUGIN_NAME=dms-postrender XDG_STATE_HOME="$TMP/state" "$BIN" --diff \
	<"$FIX" >"$TMP/out"
RC=$?
if [ "$RC" -eq 2 ] && [ ! -s "$TMP/out" ] && grep -q 'writes a diff, not a stream' "$TMP/err"; then
	pass "cli/diff-refused-as-a-post-renderer"
else
	fail "cli/diff-refused-as-a-post-renderer" "exit $RC, $(wc -c <"$TMP/out") bytes out"
fi
printf 'diff: true\n' >"$TMP/diff.yaml"
run_prog "$TMP/out" "$TMP/err" --config "$TMP/diff.yaml" <"$FIX"
rc1=$RC
run_prog "$TMP/out" "$TMP/err" --diff --check <"$FIX"
if [ "$rc1" -eq 3 ] && [ "$RC" -eq 3 ]; then pass "cli/diff-command-line-only-and-not-with-check"; else
	fail "cli/diff-command-line-only-and-not-with-check" "config file: exit $rc1; with --check: exit $RC"; fi
# A Helm 4 stream has no "# Source:" lines: the header names the template
# file from the postrender-filename annotation.
run_prog "$TMP/diff" "$TMP/err" --diff <"$ROOT/chart-fixtures/helm4-test-chart.yaml"
if [ "$RC" -eq 7 ] && grep -q '^+++ b/docker-mailserver/templates/deployment.yaml	Deployment mail-docker-mailserver$' "$TMP/diff"; then
	pass "cli/diff-names-the-helm4-template-file"
else
	fail "cli/diff-names-the-helm4-template-file" "exit $RC: $(grep '^+++' "$TMP/diff" | head -n 2 | tr '\n' '|')"
fi
