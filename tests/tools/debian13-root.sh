#!/usr/bin/env bash
# debian13-root.sh DIR -- a Debian 13 (trixie) root in DIR with the packages
# docker-mailserver 16's image is built from (postfix, postfix-pcre,
# dovecot-*, and haproxy as the proxy), plus what the mail lab runs
# (openssl, iproute2, python3), made by debootstrap from the Debian mirror
# this machine's apt is configured with (read from its sources, never
# written down here). Kept as a cache: a DIR holding a complete root is
# reused. Prints one line saying what it did, or why it could not (exit 1).
set -uo pipefail
dir=$1
pkgs=postfix,postfix-pcre,dovecot-core,dovecot-imapd,dovecot-pop3d,dovecot-managesieved,dovecot-lmtpd,haproxy,openssl,iproute2,python3
versions() {
	echo "Postfix $(chroot "$dir" postconf -h mail_version 2>/dev/null), Dovecot $(chroot "$dir" dovecot --version 2>/dev/null | cut -d' ' -f1)," \
		"HAProxy $(chroot "$dir" haproxy -v 2>/dev/null | head -n 1 | cut -d' ' -f3)"
}
if [ -f "$dir/.complete" ] && [ "$(cat "$dir/.complete")" = "$pkgs" ]; then
	echo "Debian 13 root (cached in $dir): $(versions)"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "Debian 13 root: needs root (debootstrap)"; exit 1; }
if ! command -v debootstrap >/dev/null 2>&1; then
	(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap) >/dev/null 2>&1 ||
		{ echo "Debian 13 root: debootstrap is not installed and apt-get could not install it"; exit 1; }
fi
# The mirror: the first Debian archive URI of apt's sources (deb822 or one-line).
mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null)
[ -n "$mirror" ] || { echo "Debian 13 root: no Debian mirror in apt's sources"; exit 1; }
rm -rf "$dir" && mkdir -p "$dir" || { echo "Debian 13 root: cannot create $dir"; exit 1; }
if ! debootstrap --variant=minbase --include="$pkgs" trixie "$dir" "$mirror" >"$dir.log" 2>&1; then
	echo "Debian 13 root: debootstrap failed: $(tail -n 2 "$dir.log" | tr '\n' ' ')"
	exit 1
fi
# doveconf reads the mount table through /etc/mtab, which a debootstrap root lacks.
ln -sf /proc/self/mounts "$dir/etc/mtab"
echo "$pkgs" >"$dir/.complete"
echo "Debian 13 root (made in $dir): $(versions)"
