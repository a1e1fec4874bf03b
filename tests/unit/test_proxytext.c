/* test_proxytext.c -- unit tests for the PROXY-protocol configuration text:
 * port-name rule, marker blocks rebuilt rather than appended, equivalent
 * configuration recognised, trusted networks replaced, Dovecot listeners
 * found through comments and nesting, CRLF kept. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "proxytext.h"

static size_t
count(const char *text, const char *word)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, word)); p += strlen(word))
		n++;
	return n;
}

static void
port_names(void)
{
	CHECK("chart names valid", proxy_valid_port_name("imaps-proxy") && proxy_valid_port_name("msieve-proxy"));
	CHECK("16 characters refused", !proxy_valid_port_name("submissions-prox"));
	CHECK("upper case refused", !proxy_valid_port_name("Smtp-proxy"));
	CHECK("no letter refused", !proxy_valid_port_name("10025"));
	CHECK("double hyphen refused", !proxy_valid_port_name("smtp--proxy"));
	CHECK("leading hyphen refused", !proxy_valid_port_name("-smtp"));
	bool ok = true;
	for (int s = 0; s < PX_COUNT; s++)
		ok = ok && proxy_valid_port_name(proxy_port((enum proxy_service)s)->name);
	CHECK("every table name valid", ok);
	CHECK("port lookup", proxy_service_of_port(12525, true) == PX_SMTP &&
				     proxy_service_of_port(4190, false) == PX_SIEVE && proxy_service_of_port(10025, true) < 0);
}

static void
postfix(void)
{
	struct proxytext_result r;
	unsigned all = PX_POSTFIX;
	char *a = proxytext_merge(PF_USER_PATCHES, PROXY_SEPARATE, NULL, all, "10.0.0.0/8", &r);
	CHECK("new user-patches.sh has a shebang", strncmp(a, "#!/bin/bash\n", 12) == 0 && r.changed && r.added);
	CHECK("each Postfix port once", count(a, "12525/inet/postscreen_upstream_proxy_protocol=haproxy") == 1 &&
					     count(a, "10465/inet/smtpd_upstream") == 1 &&
					     count(a, "10587/inet/smtpd_upstream") == 1);
	CHECK("postscreen cache shared", count(a, "postscreen_cache_map") == 1);
	CHECK("never 10025", !strstr(a, "10025"));
	char *b = proxytext_merge(PF_USER_PATCHES, PROXY_SEPARATE, a, all, "10.0.0.0/8", &r);
	CHECK("second merge changes nothing", strcmp(a, b) == 0 && !r.changed);
	static const char user[] = "#!/bin/bash\necho mine\n";
	char *c = proxytext_merge(PF_USER_PATCHES, PROXY_SEPARATE, user, all, "10.0.0.0/8", &r);
	CHECK("user text kept first", strncmp(c, user, strlen(user)) == 0 && count(c, PROXYTEXT_BEGIN) == 1);
	static const char chart[] = "postconf -P 10587/inet/smtpd_upstream_proxy_protocol=haproxy\n"
				    "postconf -P 10465/inet/smtpd_upstream_proxy_protocol=haproxy\n"
				    "postconf -P \\\n  12525/inet/postscreen_upstream_proxy_protocol=haproxy \\\n"
				    "  12525/inet/syslog_name=x\npostconf 'postscreen_cache_map = proxy:btree:x'\n";
	char *d = proxytext_merge(PF_USER_PATCHES, PROXY_SEPARATE, chart, all, "10.0.0.0/8", &r);
	CHECK("chart's equivalent script untouched", strcmp(d, chart) == 0 && r.equivalent && !r.changed);
	static const char no_end[] = "echo a\n" PROXYTEXT_BEGIN "\npostconf stale\n";
	char *e = proxytext_merge(PF_USER_PATCHES, PROXY_SEPARATE, no_end, PX_BIT(PX_SMTP), "10.0.0.0/8", &r);
	CHECK("a block without its end marker is replaced to the end", !strstr(e, "stale") && count(e, PROXYTEXT_END) == 1);
	char *f = proxytext_merge(PF_POSTFIX_MASTER, PROXY_ONLY, "smtp/inet/postscreen_upstream_proxy_protocol=haproxy\n",
				  all, "10.0.0.0/8", &r);
	CHECK("postfix-master.cf line not repeated",
	      count(f, "smtp/inet/postscreen_upstream_proxy_protocol=haproxy") == 1 &&
		      count(f, "submissions/inet/smtpd_upstream_proxy_protocol=haproxy") == 1);
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
	free(f);
}

/* Whether LINE (no newline) is one of the few forms dovecot.cf text we
 * write may take: settings and sections that Dovecot 2.3 (DMS 15, Debian 12)
 * and Dovecot 2.4 (DMS :edge, Debian 13) both read the same way. */
static bool
dovecot_line_ok(const char *line)
{
	static const char *const forms[] = {"haproxy_trusted_networks = ", "service imap-login {",
					    "service pop3-login {", "service managesieve-login {", "    inet_listener ",
					    "        haproxy = yes", "        port = ", "        ssl = yes", "        ssl = no",
					    "    }", "}", PROXYTEXT_BEGIN, PROXYTEXT_END};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strncmp(line, forms[i], strlen(forms[i])) == 0)
			return strncmp(line, "    inet_listener ", 18) != 0 || line[strlen(line) - 1] == '{';
	return false;
}

static void
dovecot_versions(void)
{
	struct proxytext_result r;
	unsigned all = 0;
	for (int s = PX_IMAP; s < PX_COUNT; s++)
		all |= PX_BIT(s);
	bool ok = true;
	char bad[200] = "";
	for (int mode = PROXY_SEPARATE; mode <= PROXY_ONLY; mode++) {
		char *t = proxytext_merge(PF_DOVECOT, (enum proxy_mode)mode, NULL, all, "10.42.0.0/16", &r);
		for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n"))
			if (!dovecot_line_ok(line) && ok) {
				ok = false;
				snprintf(bad, sizeof(bad), "%s", line);
			}
		free(t);
	}
	CHECK("dovecot.cf uses only settings Dovecot 2.3 and 2.4 share", ok);
	if (!ok)
		printf("  unexpected line: %s\n", bad);
}

/* Where the block goes in a user's own user-patches.sh, and what counts as
 * configuration already there. */
static void
user_scripts(void)
{
	struct proxytext_result r;
	unsigned smtp = PX_BIT(PX_SMTP);
	static const char clone_only[] = "postconf -Mf smtp/inet | sed -e s/^smtp/12525/ >> /etc/postfix/master.cf\n"
					 "postconf -P 12525/inet/postscreen_upstream_proxy_protocol=haproxy\n";
	char *a = proxytext_merge(PF_USER_PATCHES, PROXY_SEPARATE, clone_only, smtp, "10.0.0.0/8", &r);
	CHECK("a clone without the shared cache gets the cache map, not a second clone",
	      a && count(a, "postscreen_cache_map = proxy:") == 1 && count(a, "sed -e") == 1 && !r.equivalent);
	static const char plain_cache[] = "postconf -Mf smtp/inet | sed -e s/^smtp/12525/ >> /etc/postfix/master.cf\n"
					  "postconf -P 12525/inet/postscreen_upstream_proxy_protocol=haproxy\n"
					  "postconf 'postscreen_cache_map = btree:$data_directory/postscreen_cache'\n";
	char *b = proxytext_merge(PF_USER_PATCHES, PROXY_SEPARATE, plain_cache, smtp, "10.0.0.0/8", &r);
	CHECK("a cache map without proxy: is overridden", b && count(b, "postscreen_cache_map = proxy:") == 1);
	static const char commented[] = "# postconf -P 12525/inet/postscreen_upstream_proxy_protocol=haproxy\n"
					"  # postconf 'postscreen_cache_map = proxy:btree:x'\n"
					"echo hi # 12525/inet/smtpd_upstream_proxy_protocol=haproxy\n";
	char *c = proxytext_merge(PF_USER_PATCHES, PROXY_SEPARATE, commented, smtp, "10.0.0.0/8", &r);
	CHECK("comments are not configuration", c && count(c, "sed -e 's/^smtp/12525/'") == 1 &&
							count(c, "\npostconf 'postscreen_cache_map") == 1);
	static const char *const finals[] = {"echo a\nexit\n", "echo a\nexit 0\n\n# end\n", "echo a\nexit $?;\n",
					     "echo a\nexit 1"};
	bool before = true;
	for (size_t i = 0; i < sizeof(finals) / sizeof(finals[0]); i++) {
		char *f = proxytext_merge(PF_USER_PATCHES, PROXY_SEPARATE, finals[i], smtp, "10.0.0.0/8", &r);
		before = before && f && strstr(f, PROXYTEXT_END) && strstr(f, "\nexit") > strstr(f, PROXYTEXT_END) &&
			 strncmp(f, "echo a\n" PROXYTEXT_BEGIN "\n", strlen("echo a\n" PROXYTEXT_BEGIN "\n")) == 0;
		free(f);
	}
	CHECK("the block goes before a final exit", before);
	static const char *const early[] = {"[[ -f /x ]] && exit 0\necho a\n", "if true; then\n  exit 0\nfi\n",
					    "echo a; exit\necho b\n", "{ echo a; exit 0; }\necho b\n",
					    "case $1 in\n  -h) exit 0 ;;\nesac\necho a\n",
					    "cat <<EOF\nexit\nEOF\nexit 3\necho a\n", "echo 'it\nspans' ; exit\necho a\n"};
	bool refused = true;
	for (size_t i = 0; i < sizeof(early) / sizeof(early[0]); i++) {
		char *f = proxytext_merge(PF_USER_PATCHES, PROXY_SEPARATE, early[i], smtp, "10.0.0.0/8", &r);
		refused = refused && !f && strstr(r.error, "runs 'exit' before the end") && strstr(r.error, PROXYTEXT_BEGIN);
		free(f);
	}
	CHECK("an earlier exit is refused with the way out", refused);
	static const char words[] = "echo exited; postconf -e 'x = exit_code'\nmy-exit\n";
	char *g = proxytext_merge(PF_USER_PATCHES, PROXY_SEPARATE, words, smtp, "10.0.0.0/8", &r);
	CHECK("exit inside other words is no exit", g && strncmp(g, words, strlen(words)) == 0);
	/* Seen on real servers (issue 28): an exit that cannot end the script
	 * where the block is added is no early exit. */
	static const char *const not_early[] = {
		"echo \"postfix will exit now\"\necho a\n",
		"die() { echo \"$*\" >&2; exit 1; }\npostconf -e x=y || die failed\n",
		"function die {\n  exit 1\n}\necho a\n",
		"cat >/tmp/x <<'EOF'\nexit 0\nEOF\necho a\n",
		"cat >/tmp/x <<-EOF\n\texit 0\n\tEOF\necho a\n",
		"( cd /tmp || exit 1 )\nx=$(exit 2)\necho exit\n",
		"# exit here\necho 'a' # exit\n",
		"echo 'multi\nline exit\n'\necho a\n",
	};
	bool kept = true;
	for (size_t i = 0; i < sizeof(not_early) / sizeof(not_early[0]); i++) {
		char *f = proxytext_merge(PF_USER_PATCHES, PROXY_SEPARATE, not_early[i], smtp, "10.0.0.0/8", &r);
		kept = kept && f && strncmp(f, not_early[i], strlen(not_early[i])) == 0 && strstr(f, PROXYTEXT_BEGIN);
		if (!f)
			printf("# not an early exit, but refused: %s\n", not_early[i]);
		free(f);
	}
	CHECK("exit in a string, function, here-document, subshell or comment is no early exit", kept);
	/* An operator's 12525 entry written out whole (seen on real servers:
	 * a second one made Postfix stop with "duplicate master.cf entry"). */
	static const char heredoc[] = "cat >>/etc/postfix/master.cf <<EOF\n"
				      "12525     inet  n       -       n       -       1       postscreen\n"
				      "  -o syslog_name=postfix/smtpd-proxyprotocol\n"
				      "  -o postscreen_upstream_proxy_protocol=haproxy\n"
				      "EOF\n";
	char *hd = proxytext_merge(PF_USER_PATCHES, PROXY_SEPARATE, heredoc, smtp, "10.0.0.0/8", &r);
	CHECK("a 12525 entry in a here-document is not cloned again",
	      hd && count(hd, "12525") == 1 && count(hd, "postscreen_cache_map = proxy:") == 1);
	static const char bare[] = "echo '12525 inet n - n - 1 postscreen' >> /etc/postfix/master.cf\n";
	char *bd = proxytext_merge(PF_USER_PATCHES, PROXY_SEPARATE, bare, smtp, "10.0.0.0/8", &r);
	CHECK("an entry without PROXY gets only the setting",
	      bd && count(bd, "postconf -Mf smtp/inet") == 0 &&
		      count(bd, "postconf -P 12525/inet/postscreen_upstream_proxy_protocol=haproxy") == 1);
	free(hd);
	free(bd);
	static const char placed[] = "[[ -f /x ]] && exit 0\n" PROXYTEXT_BEGIN "\n" PROXYTEXT_END "\necho after\n";
	char *h = proxytext_merge(PF_USER_PATCHES, PROXY_SEPARATE, placed, smtp, "10.0.0.0/8", &r);
	char *h2 = h ? proxytext_merge(PF_USER_PATCHES, PROXY_SEPARATE, h, smtp, "10.0.0.0/8", &r) : NULL;
	CHECK("marker lines placed by the owner keep the block there",
	      h && strstr(h, "12525") && strstr(h, "12525") < strstr(h, "echo after") && h2 && !strcmp(h, h2));
	static const char master[] = "# smtp/inet/postscreen_upstream_proxy_protocol=haproxy\n";
	char *m = proxytext_merge(PF_POSTFIX_MASTER, PROXY_ONLY, master, smtp, "10.0.0.0/8", &r);
	CHECK("a commented-out master.cf line is added", m && count(m, "\nsmtp/inet/postscreen_upstream") == 1);
	free(a);
	free(b);
	free(c);
	free(g);
	free(h);
	free(h2);
	free(m);
}

static void
dovecot(void)
{
	struct proxytext_result r;
	unsigned imap = PX_BIT(PX_IMAP) | PX_BIT(PX_IMAPS);
	static const char chart[] = "  \n"
				    "haproxy_trusted_networks = 10.0.0.0/8 192.168.0.0/16\n"
				    "service imap-login {\n"
				    "    inet_listener imap_proxyprotocol { # PROXY\n"
				    "        haproxy = yes\n        port = 10143\n    }\n"
				    "    # inet_listener fake { port = 10993 }\n"
				    "    inet_listener imaps_proxyprotocol {\n"
				    "        port = 10993\n        ssl = yes\n    }\n"
				    "}\n";
	char *a = proxytext_merge(PF_DOVECOT, PROXY_SEPARATE, chart, imap, "10.42.0.0/16", &r);
	CHECK("trusted networks replaced", strcmp(r.old_trusted, "10.0.0.0/8 192.168.0.0/16") == 0 &&
						   count(a, "haproxy_trusted_networks = 10.42.0.0/16\n") == 1 &&
						   count(a, "haproxy_trusted_networks") == 1);
	CHECK("listener without haproxy switched, not duplicated",
	      strstr(r.not_proxied, "imaps_proxyprotocol (10993)") && count(a, "        port = 10993") == 1 &&
		      count(a, "port = 10143") == 1 && count(a, "inet_listener imaps_proxyprotocol {\n        haproxy = yes") == 1);
	CHECK("braces balance", count(a, "{") == count(a, "}"));
	char *b = proxytext_merge(PF_DOVECOT, PROXY_SEPARATE, a, imap, "10.42.0.0/16", &r);
	CHECK("second merge changes nothing", strcmp(a, b) == 0 && !r.changed);
	char *c = proxytext_merge(PF_DOVECOT, PROXY_ONLY, NULL, imap | PX_BIT(PX_SIEVE), "10.42.0.0/16", &r);
	CHECK("only mode switches standard listeners", count(c, "inet_listener imap {") == 1 &&
							       count(c, "inet_listener imaps {") == 1 &&
							       count(c, "inet_listener sieve {") == 1 &&
							       !strstr(c, "port ="));
	static const char crlf[] = "haproxy_trusted_networks = 1.2.3.4\r\nmail_debug = yes\r\n";
	char *d = proxytext_merge(PF_DOVECOT, PROXY_SEPARATE, crlf, imap, "10.42.0.0/16", &r);
	bool bare_lf = false;
	for (const char *p = d; *p; p++)
		bare_lf |= *p == '\n' && (p == d || p[-1] != '\r');
	CHECK("CRLF text stays CRLF", !bare_lf && count(d, "haproxy_trusted_networks = 10.42.0.0/16\r\n") == 1);
	static const char longname[] = "service imap-login {\n  inet_listener "
				       "imap_proxy_listener_with_a_name_longer_than_forty_eight_bytes {\n"
				       "    port = 10143\n  }\n}\n";
	char *e = proxytext_merge(PF_DOVECOT, PROXY_SEPARATE, longname, PX_BIT(PX_IMAP), "10.42.0.0/16", &r);
	static const char moved[] = "haproxy_trusted_networks = 10.42.0.0/16\nservice managesieve-login {\n"
				    "  inet_listener sieve_proxyprotocol {\n    port = 14190\n  }\n}\n" PROXYTEXT_BEGIN "\nold\n"
				    PROXYTEXT_END "\n# after\n";
	char *f = proxytext_merge(PF_DOVECOT, PROXY_SEPARATE, moved, PX_BIT(PX_SIEVE), "10.42.0.0/16 2001:db8::/48", &r);
	char *f2 = proxytext_merge(PF_DOVECOT, PROXY_SEPARATE, f, PX_BIT(PX_SIEVE), "10.42.0.0/16 2001:db8::/48", &r);
	CHECK("a block after a trusted value that grows stays whole and in place",
	      strstr(f, "    port = 14190\n  }\n}\n" PROXYTEXT_BEGIN "\n") && strstr(f, PROXYTEXT_END "\n# after\n") &&
		      !strcmp(f, f2));
	free(f);
	free(f2);
	CHECK("a long listener name is switched whole",
	      count(e, "inet_listener imap_proxy_listener_with_a_name_longer_than_forty_eight_bytes {\n        haproxy = yes") == 1);
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
}

int
main(void)
{
	port_names();
	postfix();
	user_scripts();
	dovecot_versions();
	dovecot();
	return check_done();
}
