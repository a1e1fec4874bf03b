#!/bin/bash
# Test chart: a user-patches.sh of the chart's own.
{{- if .Values.proxyProtocol.enabled }}
postconf -Mf submission/inet | sed -e s/^submission/10587/ -e 's/submission/submission-proxyprotocol/' >> /etc/postfix/master.cf
postconf -P 10587/inet/smtpd_upstream_proxy_protocol=haproxy
postconf -Mf smtp/inet | sed -e s/^smtp/12525/ >> /etc/postfix/master.cf
postconf -P \
  12525/inet/postscreen_upstream_proxy_protocol=haproxy \
  12525/inet/syslog_name=postfix/smtpd-proxyprotocol
postconf 'postscreen_cache_map = proxy:btree:$data_directory/postscreen_cache'
{{- end }}
