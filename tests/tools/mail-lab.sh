#!/usr/bin/env bash
# mail-lab.sh FILES WORK MODE [CONTROL] -- start real Postfix, Dovecot and
# haproxy with the configuration a docker-mailserver v15.1.0 container would
# build from FILES (mail-files.py's output), speak to them on loopback, stop
# them by their pids. Prints "ok NAME: what the server logged" or
# "not ok NAME: why" per check; exits 1 when any check failed.
#
# It must run as root inside its own mount and network namespaces
# (tests/mailserver.sh runs it under `unshare --mount --net`): every path it
# changes (/etc/postfix, /var/spool/postfix, /etc/dovecot, /etc/passwd, ...)
# is a bind mount of a directory under WORK, so the machine's own
# configuration is neither read nor changed, and every address is loopback.
#
# Laid out as DMS v15.1.0's image and start-up do (../shared/reference/
# dms-config-v15.1.0/PROVENANCE.md), or the v16 base's when DMS_CONFIG names
# dms-config-v16-pre and the lab runs in a Debian 13 root (tests/mailserver.sh
# chroots into it; DMS 16's start-up differs only where noted below): DMS's
# main.cf and master.cf in
# /etc/postfix, its Dovecot files in /etc/dovecot/conf.d; each non-comment
# line of postfix-master.cf applied with `postconf -P`, of postfix-main.cf
# with `postconf -e`; dovecot.cf copied to /etc/dovecot/local.conf; then
# `bash user-patches.sh`, once; then the servers start. What the lab adds
# for a machine without DMS's start-up (hostname, a self-signed certificate,
# log files, one mailbox user, the protocols ENABLE_* asks for) is in
# lab_adaptations below, applied before DMS's steps.
#
# MODE is separate or only (which ports must want PROXY). CONTROL "no-cache"
# first deletes the shared postscreen_cache_map line from user-patches.sh, to
# show that the checks can fail (two postscreens cannot share a btree cache).
set -u
FILES=$1 W=$2 MODE=$3 CONTROL=${4:-}
REF=${DMS_CONFIG:?DMS_CONFIG: DMS v15.1.0 or v16 configuration directory}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-python3}
CLIENT="$HERE/mail-client.py"
POD=127.0.0.1       # the pod's address (Postfix and Dovecot listen on all)
HAPROXY=127.0.0.9   # haproxy's source towards the pod: in --trusted-networks
ROGUE=127.0.0.10    # a proxy outside --trusted-networks
FAILED=0 NEXT_SRC=0 NEXT_FRONT=21000

ok() { echo "ok $1: $2"; }
notok() { echo "not ok $1: $2"; FAILED=1; }

# A fresh client source address per session, so a log line names one session.
next_src() { NEXT_SRC=$((NEXT_SRC + 1)); SRC="127.0.1.$NEXT_SRC"; }

stop_all() {
	local f pid
	for f in "$W/haproxy.pid" /var/spool/postfix/pid/master.pid /run/dovecot/master.pid; do
		[ -s "$f" ] || continue
		pid=$(tr -dc 0-9 <"$f" | head -c 10)
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
	done
}
trap stop_all EXIT

die() { notok setup "$*"; exit 1; }

# ---- the filesystem: private copies bound over the real paths ----
ip link set lo up || die "cannot bring up loopback in the network namespace"
mkdir -p "$W"/{etc-postfix,spool,lib-postfix,etc-dovecot,run-dovecot,lib-dovecot,mail,shm,ssl,log} || die mkdir
cp -a /etc/postfix/. "$W/etc-postfix/" && cp -a /etc/dovecot/. "$W/etc-dovecot/" && cp -a /etc/ssl/. "$W/ssl/" ||
	die "copying Debian's defaults"
cp /etc/passwd "$W/passwd" && cp /etc/group "$W/group" || die "copying passwd"
# DMS's image has user and group docker (5000), the owner of /var/mail.
echo 'docker:x:5000:5000:docker-mailserver:/var/mail:/usr/sbin/nologin' >>"$W/passwd"
echo 'docker:x:5000:' >>"$W/group"
for pair in etc-postfix:/etc/postfix spool:/var/spool/postfix lib-postfix:/var/lib/postfix \
	etc-dovecot:/etc/dovecot run-dovecot:/run/dovecot lib-dovecot:/var/lib/dovecot mail:/var/mail \
	shm:/dev/shm passwd:/etc/passwd group:/etc/group ssl:/etc/ssl log:/var/log/mail; do
	mkdir -p "${pair#*:}" 2>/dev/null
	mount --bind "$W/${pair%%:*}" "${pair#*:}" || die "mount --bind over ${pair#*:}"
done
chown postfix:postfix /var/lib/postfix && chown docker:docker /var/mail && chmod 1777 /dev/shm

# ---- DMS's image: its Postfix and Dovecot files ----
cp "$REF/postfix/main.cf" "$REF/postfix/master.cf" /etc/postfix/ || die "DMS's main.cf/master.cf"
mkdir -p /etc/postfix/maps && cp "$REF"/postfix/*.pcre /etc/postfix/maps/ || die "DMS's pcre maps"
cp "$REF"/dovecot/*.conf "$REF"/dovecot/*.inc /etc/dovecot/conf.d/ || die "DMS's Dovecot files"
cp "$REF"/dovecot/*.ext /etc/dovecot/ || die "DMS's Dovecot .ext files"

# ---- what DMS's start-up would provide on a real container ----
lab_adaptations() {
	# The "snakeoil" pair DMS's main.cf and 10-ssl.conf name (Debian's ssl-cert
	# makes it in the image), made here inside the private /etc/ssl.
	mkdir -p /etc/ssl/private /etc/ssl/certs
	openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=mail.example.test -days 2 \
		-keyout /etc/ssl/private/ssl-cert-snakeoil.key -out /etc/ssl/certs/ssl-cert-snakeoil.pem 2>/dev/null ||
		return 1
	openssl dhparam -dsaparam -out /etc/dovecot/dh.pem 2048 2>/dev/null || return 1
	cp /etc/dovecot/dh.pem /etc/postfix/dhparams.pem
	echo 'example.test' >/etc/postfix/vhost
	: >/etc/postfix/virtual
	echo 'postmaster: root' >/etc/postfix/aliases && postalias /etc/postfix/aliases || return 1
	postconf -e myhostname=mail.example.test mydomain=example.test \
		alias_maps=hash:/etc/postfix/aliases alias_database=hash:/etc/postfix/aliases \
		maillog_file=/var/log/mail/postfix.log || return 1
	# shellcheck source=/dev/null
	. "$FILES/env"
	local protocols="lmtp"
	[ "${SMTP_ONLY:-}" = 1 ] || {
		[ "${ENABLE_IMAP:-1}" = 0 ] || protocols="$protocols imap"
		[ "${ENABLE_POP3:-}" = 1 ] && protocols="$protocols pop3"
		[ "${ENABLE_MANAGESIEVE:-}" = 1 ] && protocols="$protocols sieve"
	}
	PROTOCOLS=$protocols
	# DMS 15 renames files in protocols.d, DMS 16 edits the `protocols =`
	# line; this line has the same effect on Dovecot 2.3 and 2.4.
	cat >/etc/dovecot/conf.d/99-lab.conf <<EOF
# mail-lab.sh: what DMS's start-up provides on a real container
protocols = $protocols
log_path = /var/log/mail/dovecot.log
EOF
	echo "user@example.test:{PLAIN}secret:5000:5000::/var/mail/example.test/user/home::" >/etc/dovecot/userdb
	chown root:dovecot /etc/dovecot/userdb && chmod 640 /etc/dovecot/userdb
}
lab_adaptations || die "lab adaptations"

# ---- DMS's start-up steps, in its order ----
if [ -f "$FILES/postfix-main.cf" ]; then
	while IFS= read -r l; do
		[[ $l =~ ^[[:space:]]*(#|$) ]] || postconf -e "$l" || die "postconf -e '$l'"
	done <"$FILES/postfix-main.cf"
fi
if [ -f "$FILES/postfix-master.cf" ]; then
	while IFS= read -r l; do
		[[ $l =~ ^[[:space:]]*(#|$) ]] || postconf -P "$l" || die "postconf -P '$l'"
	done <"$FILES/postfix-master.cf"
fi
[ -f "$FILES/dovecot.cf" ] && cp "$FILES/dovecot.cf" /etc/dovecot/local.conf
if [ -f "$FILES/user-patches.sh" ]; then
	cp "$FILES/user-patches.sh" "$W/user-patches.sh"
	[ "$CONTROL" = no-cache ] && sed -i '/postscreen_cache_map/d' "$W/user-patches.sh"
	bash "$W/user-patches.sh" >"$W/user-patches.out" 2>&1 || die "user-patches.sh failed: $(tail -n 3 "$W/user-patches.out")"
fi

# ---- the configuration checks ----
# Debian 13's Postfix copies /etc/localtime, resolv.conf, ... into its chroot
# the first time it checks or starts, reporting "updating ..." for each
# (configure-instance.sh): that first pass is the container's first start.
# Configuration problems show on every pass, so the second must be silent.
postfix check >/dev/null 2>&1
out=$(postfix check 2>&1)
if [ -z "$out" ]; then ok "postfix check" "clean"; else notok "postfix check" "$(echo "$out" | head -n 3 | tr '\n' '|')"; fi
doveconf -n >"$W/doveconf.out" 2>"$W/doveconf.err"
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$W/doveconf.err" ]; then
	ok "doveconf -n" "clean (protocols = $PROTOCOLS)"
else
	notok "doveconf -n" "exit $rc: $(head -n 3 "$W/doveconf.err" | tr '\n' '|')"
fi

# ---- which port wants PROXY, by what the container publishes ----
# service proto tls plain-port proxy-port
SERVICES="smtp smtp - 25 12525
submissions smtp tls 465 10465
submission smtp - 587 10587
imap imap - 143 10143
imaps imap tls 993 10993
pop3 pop3 - 110 10110
pop3s pop3 tls 995 10995
managesieve sieve - 4190 14190"
declared() { awk -v n="$1" '$2 == n { f = 1 } END { exit !f }' "$FILES/ports"; }
dovecot_on() {
	case $1 in
	imap) [[ " $PROTOCOLS " == *" imap "* ]] ;;
	pop3) [[ " $PROTOCOLS " == *" pop3 "* ]] ;;
	sieve) [[ " $PROTOCOLS " == *" sieve "* ]] ;;
	*) true ;;
	esac
}

# ---- haproxy in front: one frontend per PROXY port, v1, v2 and a rogue ----
{
	printf 'global\n  maxconn 200\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n'
} >"$W/haproxy.cfg"
declare -A FRONT
front() { # KEY BACKEND-PORT SEND SOURCE: a frontend on the next port, in FRONT[KEY]
	NEXT_FRONT=$((NEXT_FRONT + 1))
	FRONT[$1]=$NEXT_FRONT
	printf 'listen %s\n  bind 127.0.0.50:%s\n  server pod %s:%s %s source %s\n' "${1/./-}" "$NEXT_FRONT" "$POD" "$2" "$3" \
		"$4" >>"$W/haproxy.cfg"
}
while read -r svc proto tls plain proxyport; do
	port=$proxyport
	[ "$MODE" = only ] && port=$plain
	declared "$port" || continue
	front "$svc.v1" "$port" send-proxy "$HAPROXY"
	front "$svc.v2" "$port" send-proxy-v2 "$HAPROXY"
	front "$svc.rogue" "$port" send-proxy-v2 "$ROGUE"
done <<<"$SERVICES"

# ---- start ----
# postfix(1) writes its messages to a terminal or the log, never to a file.
script -qec "postfix start" "$W/postfix-start.out" >/dev/null 2>&1 || die "postfix start: $(tail -n 3 "$W/postfix-start.out")"
dovecot >"$W/dovecot-start.out" 2>&1 || die "dovecot: $(tail -n 3 "$W/dovecot-start.out")"
haproxy -D -p "$W/haproxy.pid" -f "$W/haproxy.cfg" >"$W/haproxy.out" 2>&1 || die "haproxy: $(tail -n 3 "$W/haproxy.out")"
for _ in $(seq 50); do
	[ -s /var/spool/postfix/pid/master.pid ] && [ -s /run/dovecot/master.pid ] && [ -s "$W/haproxy.pid" ] && break
	sleep 0.1
done

# log_shows NAME LOG PATTERN: wait (up to 5 s) for a line of LOG matching the
# fixed string PATTERN; echo it.
log_shows() {
	local line
	for _ in $(seq 50); do
		line=$(grep -F -- "$2" "$1" 2>/dev/null | head -n 1)
		[ -n "$line" ] && { echo "$line"; return 0; }
		sleep 0.1
	done
	return 1
}

# session NAME PROTO PORT TLS [--refused]: one client session from a fresh
# source address; on success the log line naming that address.
session() {
	local name=$1 proto=$2 port=$3 tls=$4 refused=${5:-} said log pattern
	local -a opts=()
	[ "$tls" = tls ] && opts+=(--tls)
	[ -n "$refused" ] && opts+=(--refused)
	# Dovecot refuses a plaintext login without TLS (disable_plaintext_auth):
	# log in on the implicit-TLS ports; the others greet and log out.
	[ "$proto" = imap ] || [ "$proto" = pop3 ] && [ "$tls" = tls ] && [ -z "$refused" ] &&
		opts+=(--login user@example.test secret)
	next_src
	said=$("$PY" "$CLIENT" "$proto" "${HOST:-$POD}" "$port" "$SRC" "${opts[@]}" 2>&1)
	local rc=$?
	if [ -n "$refused" ]; then
		if [ $rc -eq 0 ]; then ok "$name" "$said"; else notok "$name" "$said"; fi
		return
	fi
	[ $rc -eq 0 ] || { notok "$name" "$said"; return; }
	case $proto in
	smtp) log=$W/log/postfix.log pattern="[$SRC]" ;;
	*) log=$W/log/dovecot.log pattern="rip=$SRC," ;;
	esac
	if line=$(log_shows "$log" "$pattern"); then
		ok "$name" "client $SRC logged: ${line#* * * }"
	else
		notok "$name" "$said, but no log line names client $SRC"
	fi
}

while read -r svc proto tls plain proxyport; do
	dovecot_on "$proto" || continue
	if [ "$MODE" = separate ]; then
		declared "$proxyport" || { declared "$plain" && notok "$svc" "container declares $plain but not the PROXY port $proxyport"; continue; }
		HOST=$POD session "$svc plain port $plain" "$proto" "$plain" "$tls"
		HOST=$POD session "$svc PROXY port $proxyport without a header" "$proto" "$proxyport" "$tls" --refused
		pport=$proxyport
	else
		declared "$plain" || continue
		HOST=$POD session "$svc port $plain without a header" "$proto" "$plain" "$tls" --refused
		pport=$plain
	fi
	HOST=127.0.0.50 session "$svc port $pport via haproxy send-proxy" "$proto" "${FRONT[$svc.v1]}" "$tls"
	HOST=127.0.0.50 session "$svc port $pport via haproxy send-proxy-v2" "$proto" "${FRONT[$svc.v2]}" "$tls"
	if [ "$proto" != smtp ]; then
		# Dovecot trusts only haproxy_trusted_networks; Postfix has no such list.
		next_src
		before=$(grep -c "Client not trusted (rip=$ROGUE)" "$W/log/dovecot.log")
		said=$("$PY" "$CLIENT" "$proto" 127.0.0.50 "${FRONT[$svc.rogue]}" "$SRC" --refused 2>&1)
		rc=$?
		for _ in $(seq 50); do
			[ "$(grep -c "Client not trusted (rip=$ROGUE)" "$W/log/dovecot.log")" -gt "$before" ] && break
			sleep 0.1
		done
		if [ $rc -eq 0 ] && [ "$(grep -c "Client not trusted (rip=$ROGUE)" "$W/log/dovecot.log")" -gt "$before" ] &&
			line=$(grep "Client not trusted (rip=$ROGUE)" "$W/log/dovecot.log" | tail -n 1); then
			ok "$svc port $pport from an untrusted proxy ($ROGUE)" "$said; logged: ${line#* * * }"
		else
			notok "$svc port $pport from an untrusted proxy ($ROGUE)" "$said"
		fi
	fi
done <<<"$SERVICES"

# Both postscreens (25 and 12525) alive after serving a session each.
if [ "$MODE" = separate ] && declared 12525; then
	if grep -q 'exclusive lock' "$W/log/postfix.log"; then
		notok "two postscreens share one cache" "$(grep -m1 'exclusive lock' "$W/log/postfix.log")"
	else
		ok "two postscreens share one cache" "no 'unable to get exclusive lock' in the Postfix log"
	fi
fi
stop_all
trap - EXIT
exit $FAILED
