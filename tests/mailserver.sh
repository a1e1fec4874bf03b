# mailserver.sh -- sourced by run-all.sh: the PROXY-protocol configuration
# dms-postrender writes, proved on real servers, for both docker-mailserver
# layouts: DMS 15 (Debian 12: Postfix 3.7, Dovecot 2.3) on this machine's own
# packages, and DMS 16 (Debian 13: Postfix 3.10, Dovecot 2.4) in a Debian 13
# root that tools/debian13-root.sh makes with debootstrap and the lab runs
# chrooted into. For each case the binary
# patches a stream, tools/mail-files.py takes out what the docker-mailserver
# container would mount, and tools/mail-lab.sh lays it out as DMS v15.1.0
# (or the v16 base) does and starts Postfix, Dovecot and haproxy in a private
# mount and network namespace (loopback only), speaks SMTP, IMAP, POP3 and
# ManageSieve to them directly and through haproxy (send-proxy and
# send-proxy-v2), and stops them by their pids. Every check is one PASS or
# FAIL line; a passing one shows the log line that names the client address
# it asserted.
#
# Needs root (for the namespaces), unshare, postfix, postfix-pcre, dovecot,
# haproxy and openssl: .ci/run installs them. Without them the cases SKIP,
# or FAIL under CI. Without ../shared only the project's own case runs.
MAIL_CONFIG="$SHARED/reference/dms-config-v15.1.0"
MAIL_CONFIG16="$SHARED/reference/dms-config-v16-pre"
MAIL_ROOT16=${DMSPR_DEBIAN13_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/dms-postrender-tests/debian13}
MAIL_LAYOUT=15 # mail_case's layout: 15 (this machine) or 16 (the Debian 13 root)
MAIL_TRUSTED=127.0.0.9/32 # haproxy's source address in the lab

mail_missing=""
[ "$(id -u)" -eq 0 ] || mail_missing=" root (for private mount and network namespaces)"
for c in unshare postfix postconf postalias dovecot doveconf haproxy openssl script ip; do
	command -v "$c" >/dev/null 2>&1 || mail_missing="$mail_missing $c"
done
[ -e /usr/lib/postfix/postfix-pcre.so ] || [ -n "$(ls /usr/lib/postfix/*pcre* 2>/dev/null)" ] ||
	mail_missing="$mail_missing postfix-pcre"
if [ -z "$mail_missing" ] && ! unshare --mount --net true 2>/dev/null; then
	mail_missing="unshare --mount --net (not permitted here)"
fi

# mail_lab FILES DIR MODE CONTROL: run the lab for MAIL_LAYOUT, output in DIR/lab.out.
mail_lab() {
	local files=$1 dir=$2 mode=$3 control=$4
	if [ "$MAIL_LAYOUT" = 15 ]; then
		DMS_CONFIG=$MAIL_CONFIG PY=$PY timeout 600 unshare --mount --net --propagation private \
			bash "$ROOT/tests/tools/mail-lab.sh" "$files" "$dir/lab" "$mode" "$control" >"$dir/lab.out" 2>&1
		return
	fi
	# DMS 16: the lab, its files and DMS's v16 configuration inside the
	# Debian 13 root, run there in its own mount and network namespaces.
	local lab="$MAIL_ROOT16/lab"
	rm -rf "$lab" && mkdir -p "$lab/tools" "$lab/work" || return 1
	cp "$ROOT/tests/tools/mail-lab.sh" "$ROOT/tests/tools/mail-client.py" "$lab/tools/" &&
		cp -r "$MAIL_CONFIG16" "$lab/ref" && cp -r "$files" "$lab/files" || return 1
	timeout 600 unshare --mount --net --propagation private bash -c \
		'mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" &&
		 exec chroot "$1" env DMS_CONFIG=/lab/ref PY=python3 bash /lab/tools/mail-lab.sh /lab/files /lab/work "$2" "$3"' \
		lab "$MAIL_ROOT16" "$mode" "$control" >"$dir/lab.out" 2>&1
}

# mail_case NAME STREAM MODE [CONTROL]: patch STREAM with MODE and run the lab.
mail_case() {
	local name="mailserver/$1" stream=$2 mode=$3 control=${4:-} dir="$TMP/mail-$1" line n=0 bad=0
	[ "$MAIL_LAYOUT" = 15 ] || name="mailserver/dms16/$1" dir="$TMP/mail16-$1"
	if [ ! -f "$stream" ]; then
		missing_shared "$name" "$stream"
		return
	fi
	mkdir -p "$dir"
	"$BIN" --proxy-protocol="$mode" --trusted-networks="$MAIL_TRUSTED" <"$stream" >"$dir/patched.yaml" 2>"$dir/err" ||
		{ fail "$name" "dms-postrender exit $?: $(head -c 300 "$dir/err")"; return; }
	"$PY" "$ROOT/tests/tools/mail-files.py" "$dir/patched.yaml" "$dir/files" 2>"$dir/err" ||
		{ fail "$name" "$(head -c 300 "$dir/err")"; return; }
	mail_lab "$dir/files" "$dir" "$mode" "$control"
	local rc=$?
	if [ -n "$control" ]; then
		# The control must fail, and for the reason it stands for.
		if [ $rc -ne 0 ] && grep -q '^not ok two postscreens share one cache: .*unable to get exclusive lock' "$dir/lab.out"; then
			pass "$name: without the shared cache the second postscreen dies: $(grep -m1 -o 'postfix/[^ ]*postscreen[^ ]*: fatal.*' "$dir/lab.out")"
		else
			fail "$name" "the control did not fail as expected (exit $rc): $(tr '\n' '|' <"$dir/lab.out" | head -c 400)"
		fi
		return
	fi
	while IFS= read -r line; do
		case $line in
		"ok "*) pass "$name: ${line#ok }"; n=$((n + 1)) ;;
		"not ok "*) fail "$name" "${line#not ok }"; bad=1 ;;
		*) echo "  $line" ;;
		esac
	done <"$dir/lab.out"
	[ $rc -eq 0 ] || [ $bad -ne 0 ] || fail "$name" "mail-lab.sh exited $rc without a failed check"
	[ $n -gt 0 ] || [ $bad -ne 0 ] || fail "$name" "no check ran"
}

if [ -n "$mail_missing" ]; then
	if [ -n "${CI:-}" ]; then
		fail "mailserver" "cannot start the real servers: missing$mail_missing"
	else
		skip "mailserver" "cannot start the real servers: missing$mail_missing"
	fi
elif [ ! -d "$MAIL_CONFIG" ]; then
	missing_shared "mailserver" "$MAIL_CONFIG"
else
	echo "  servers: Postfix $(postconf -h mail_version), Dovecot $(dovecot --version | cut -d' ' -f1)," \
		"$(haproxy -v | head -n 1 | cut -d' ' -f1-3)"
	R="$SHARED/corpus/dms/rendered/helm3"
	mail_cases() {
		# The operator's own user-patches.sh (DMS's Kubernetes page, exit 0 at
		# the end), IMAP off and POP3 on.
		mail_case own-user-patches-separate "$ROOT/tests/mailserver/own-user-patches.yaml" separate
		# An operator's user-patches.sh with an error function that exits,
		# "exit" in strings and here-documents, and its own 12525 entry
		# written out in a here-document: no duplicate master.cf entry.
		mail_case own-heredoc-clone-separate "$ROOT/tests/mailserver/own-heredoc-clone.yaml" separate
		# The official chart without its own PROXY settings: all generated.
		mail_case official-no-chart-proxy-separate "$R/no-chart-proxy.yaml" separate
		mail_case official-no-chart-proxy-only "$R/no-chart-proxy.yaml" only
		# The official chart's own PROXY settings, merged into.
		mail_case official-default-separate "$R/default.yaml" separate
		mail_case official-default-only "$R/default.yaml" only
		# IMAP, POP3 and ManageSieve all on, with the chart's settings.
		mail_case official-sieve-pop3-separate "$R/sieve-pop3.yaml" separate
		mail_case official-sieve-pop3-only "$R/sieve-pop3.yaml" only
		# A control: the same files without the shared postscreen cache fail.
		mail_case control-no-shared-cache "$R/no-chart-proxy.yaml" separate no-cache
	}
	MAIL_LAYOUT=15
	mail_cases
	# The same cases on DMS 16's layout: Debian 13's own packages.
	if [ ! -d "$MAIL_CONFIG16" ]; then
		missing_shared "mailserver/dms16" "$MAIL_CONFIG16"
	elif ! why=$(bash "$ROOT/tests/tools/debian13-root.sh" "$MAIL_ROOT16" 2>&1); then
		if [ -n "${CI:-}" ]; then
			fail "mailserver/dms16" "$why"
		else
			skip "mailserver/dms16" "$why"
		fi
	else
		echo "  $why"
		MAIL_LAYOUT=16
		mail_cases
		MAIL_LAYOUT=15
	fi
fi
