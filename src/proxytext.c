/* proxytext.c -- builds and merges the Postfix and Dovecot PROXY-protocol
 * configuration (see proxytext.h). Dovecot files are read with a small
 * line-based scanner that knows sections ("name [arg] {" ... "}") and
 * "key = value" settings, enough to find listeners, their ports and
 * haproxy flags, and the haproxy_trusted_networks setting. The settings
 * follow docker-mailserver's "mailserver behind proxy" tutorial and the
 * official chart (Dovecot 2.3 syntax). */
#include "proxytext.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct proxy_port ports[PX_COUNT] = {
	[PX_SMTP] = {"smtp-proxy", 12525, "smtp", 25, NULL, NULL, false},
	[PX_SUBMISSIONS] = {"subs-proxy", 10465, "submissions", 465, NULL, NULL, true},
	[PX_SUBMISSION] = {"sub-proxy", 10587, "submission", 587, NULL, NULL, false},
	[PX_IMAP] = {"imap-proxy", 10143, "imap", 143, "imap-login", "imap", false},
	[PX_IMAPS] = {"imaps-proxy", 10993, "imaps", 993, "imap-login", "imaps", true},
	[PX_POP3] = {"pop3-proxy", 10110, "pop3", 110, "pop3-login", "pop3", false},
	[PX_POP3S] = {"pop3s-proxy", 10995, "pop3s", 995, "pop3-login", "pop3s", true},
	[PX_SIEVE] = {"sieve-proxy", 14190, "managesieve", 4190, "managesieve-login", "sieve", false},
};

const struct proxy_port *
proxy_port(enum proxy_service s)
{
	return &ports[s];
}

int
proxy_service_of_port(unsigned number, bool proxy)
{
	for (int s = 0; s < PX_COUNT; s++)
		if ((proxy ? ports[s].port : ports[s].std_port) == number)
			return s;
	return -1;
}

bool
proxy_is_mail_port(const char *text)
{
	char *end;
	if (!text || !*text || !isdigit((unsigned char)*text))
		return false;
	unsigned long n = strtoul(text, &end, 10);
	return !*end && n <= 65535 && (proxy_service_of_port((unsigned)n, false) >= 0 || proxy_service_of_port((unsigned)n, true) >= 0);
}

bool
proxy_valid_port_name(const char *name)
{
	size_t n = strlen(name);
	bool letter = false;
	if (n == 0 || n > 15 || name[0] == '-' || name[n - 1] == '-' || strstr(name, "--"))
		return false;
	for (const char *p = name; *p; p++) {
		if (*p >= 'a' && *p <= 'z')
			letter = true;
		else if (!(*p >= '0' && *p <= '9') && *p != '-')
			return false;
	}
	return letter;
}

const char *
proxy_file_path(enum proxy_file f)
{
	switch (f) {
	case PF_USER_PATCHES: return "/tmp/docker-mailserver/user-patches.sh";
	case PF_POSTFIX_MASTER: return "/tmp/docker-mailserver/postfix-master.cf";
	default: return "/tmp/docker-mailserver/dovecot.cf";
	}
}

const char *
proxy_file_key(enum proxy_file f)
{
	const char *p = proxy_file_path(f);
	return strrchr(p, '/') + 1;
}

/* ---- lines ---- */

/* TEXT without our marker block (from the BEGIN line through the END line,
 * or to the end when END is missing). *AT gets the offset in the result
 * where the block was, or -1: a block the user moved stays where it is. */
static char *
strip_block(const char *text, long *at)
{
	struct buf b = {0};
	bool inside = false;
	*at = -1;
	buf_adds(&b, "");
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl + 1 - line) : strlen(line);
		size_t body = nl ? n - 1 : n;
		if (body && line[body - 1] == '\r')
			body--;
		if (!inside && *at < 0 && body == strlen(PROXYTEXT_BEGIN) && !strncmp(line, PROXYTEXT_BEGIN, body)) {
			inside = true;
			*at = (long)b.len;
		} else if (inside && body == strlen(PROXYTEXT_END) && !strncmp(line, PROXYTEXT_END, body)) {
			inside = false;
		} else if (!inside) {
			buf_add(&b, line, n);
		}
		line += n;
	}
	return b.data;
}

/* The text of a line up to an unquoted-looking comment: a '#' at the start
 * or after a blank starts a comment in shell, and is the only comment
 * character of Postfix's master.cf lines. Comments are not configuration. */
static char *
code_of(const char *line, size_t n)
{
	char *copy = xstrndup(line, n);
	for (char *p = copy; *p; p++)
		if (*p == '#' && (p == copy || *(p - 1) == ' ' || *(p - 1) == '\t')) {
			*p = '\0';
			break;
		}
	return copy;
}

/* Whether the configuration (not the comments) of a line of TEXT contains
 * both A and B (B after A; B NULL: A alone). */
static bool
line_has(const char *text, const char *a, const char *b)
{
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		char *copy = code_of(line, n);
		char *pa = strstr(copy, a);
		bool hit = pa && (!b || strstr(pa + strlen(a), b));
		free(copy);
		if (hit)
			return true;
		line += n + (nl != NULL);
	}
	return false;
}

/* ---- a shell reader, only as far as "which exit ends the script" ---- */

/* The first line (1-based) of shell script TEXT whose top-level "exit"
 * command can end the script, or 0. Not an exit: the word inside quotes
 * (echo "... will exit now"), in a comment, in a here-document, as an
 * argument (echo exit), in a subshell or command substitution (which it
 * only leaves), or in a function body (a die() { ...; exit 1; } is an error
 * path). Reads quotes that span lines, <<WORD and <<-WORD here-documents,
 * and function definitions (NAME() { ... } and function NAME { ... }). */
static size_t
top_level_exit(const char *text)
{
	enum { MAX_NEST = 64, MAX_DOCS = 8 };
	char word[64], docs[MAX_DOCS][64];
	bool doc_tabs[MAX_DOCS];
	bool fn_frame[MAX_NEST];            /* the open braces: a function body? */
	size_t ndocs = 0, nw = 0, depth = 0, parens = 0, line = 1;
	bool cmd = true, pending_fn = false, fn_keyword = false, word_quoted = false, want_doc = false;
	bool doc_dash = false, word_started = false;
	size_t fns = 0;
	for (const char *p = text;; p++) {
		char ch = *p;
		bool boundary = ch == '\0' || strchr(" \t\n;&|()<>", ch) != NULL;
		if (boundary && word_started) {
			word[nw < sizeof(word) ? nw : sizeof(word) - 1] = '\0';
			if (want_doc) {
				/* The delimiter of a here-document (quotes taken off). */
				if (ndocs < MAX_DOCS) {
					snprintf(docs[ndocs], sizeof(docs[0]), "%s", word);
					doc_tabs[ndocs++] = doc_dash;
				}
				want_doc = false;
			} else if (cmd && !word_quoted && !strcmp(word, "exit")) {
				if (!fns && !parens)
					return line;
				cmd = false;
			} else if (cmd && !word_quoted && !strcmp(word, "{")) {
				if (depth < MAX_NEST)
					fns += fn_frame[depth++] = pending_fn;
				pending_fn = false;
			} else if (cmd && !word_quoted && !strcmp(word, "}")) {
				if (depth)
					fns -= fn_frame[--depth];
			} else if (cmd && !word_quoted && !strcmp(word, "function")) {
				fn_keyword = true;
				cmd = false;
			} else if (fn_keyword) {
				fn_keyword = false;
				pending_fn = true;
				cmd = true;
			} else if (cmd && !word_quoted &&
				   (!strcmp(word, "then") || !strcmp(word, "do") || !strcmp(word, "else") ||
				    !strcmp(word, "elif") || !strcmp(word, "if") || !strcmp(word, "while") ||
				    !strcmp(word, "until") || !strcmp(word, "!"))) {
				cmd = true;
			} else {
				cmd = false;
			}
			nw = 0;
			word_started = word_quoted = false;
		}
		if (ch == '\0')
			break;
		if (ch == '\n') {
			line++;
			cmd = true;
			/* Here-documents begin on the next line and end at their delimiter. */
			for (size_t d = 0; d < ndocs; d++) {
				for (;;) {
					const char *l = p + 1;
					if (!*l)
						return 0;
					const char *nl = strchr(l, '\n');
					size_t n = nl ? (size_t)(nl - l) : strlen(l);
					const char *t = l;
					if (doc_tabs[d])
						while (*t == '\t')
							t++;
					size_t tn = n - (size_t)(t - l);
					if (tn && t[tn - 1] == '\r')
						tn--;
					p = nl ? nl : l + n - 1;
					line += nl != NULL;
					if (tn == strlen(docs[d]) && !strncmp(t, docs[d], tn))
						break;
					if (!nl)
						return 0;
				}
			}
			ndocs = 0;
			continue;
		}
		if (ch == '\\' && p[1]) {
			/* An escaped character is part of a word; a line continuation joins lines. */
			if (p[1] == '\n')
				line++;
			else
				word_started = word_quoted = true;
			p++;
			continue;
		}
		if (ch == '\'' || ch == '"') {
			const char *end = p + 1;
			while (*end && *end != ch) {
				if (ch == '"' && *end == '\\' && end[1])
					end++;
				line += *end == '\n';
				end++;
			}
			if (want_doc && nw + (size_t)(end - p - 1) < sizeof(word)) {
				memcpy(word + nw, p + 1, (size_t)(end - p - 1));
				nw += (size_t)(end - p - 1);
			}
			word_started = word_quoted = true;
			if (!*end)
				break;
			p = end;
			continue;
		}
		if (ch == '#' && !word_started) {
			while (p[1] && p[1] != '\n')
				p++;
			continue;
		}
		if (ch == '$' && p[1] == '(') {
			parens++;
			p++;
			cmd = true;
			continue;
		}
		if (ch == '(') {
			/* NAME() opens a function definition; ( at a command starts a subshell. */
			if (p[1] == ')') {
				pending_fn = true;
				cmd = true;
				p++;
			} else {
				parens++;
				cmd = true;
			}
			continue;
		}
		if (ch == ')') {
			/* The end of a subshell, or of a case pattern: a command may follow. */
			if (parens)
				parens--;
			cmd = true;
			continue;
		}
		if (ch == '<' && p[1] == '<' && p[2] != '<') {
			p++;
			doc_dash = p[1] == '-';
			if (doc_dash)
				p++;
			while (p[1] == ' ' || p[1] == '\t')
				p++;
			want_doc = true;
			continue;
		}
		if (ch == ';' || ch == '&' || ch == '|') {
			cmd = true;
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '<' || ch == '>')
			continue;
		if (nw < sizeof(word) - 1)
			word[nw++] = ch;
		word_started = true;
	}
	return 0;
}

/* Whether CODE is a plain "exit" or "exit N" at the start of a line. */
static bool
is_final_exit(const char *code)
{
	if (strncmp(code, "exit", 4) != 0)
		return false;
	const char *p = code + 4;
	if (*p == ' ' || *p == '\t') {
		p += strspn(p, " \t");
		p += strspn(p, "0123456789");
		if (*p == '$' && p[1] == '?')
			p += 2;
	}
	p += strspn(p, " \t;\r");
	return *p == '\0';
}

/* Where our block goes in the shell script TEXT: before a last line that
 * is a plain "exit", else at the end. An "exit" anywhere else means the
 * script may stop before the end, and lines added there might never run:
 * that is an error (in ERR), unless the user placed the marker lines. */
static int
shell_insert_point(const char *text, size_t *at, char *err, size_t errlen)
{
	size_t lineno = 0, exit_line = 0, last_code = 0;
	long final_exit = -1;
	*at = strlen(text);
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		char *code = code_of(line, n);
		lineno++;
		if (code[strspn(code, " \t\r")] != '\0') {
			last_code = lineno;
			final_exit = is_final_exit(code) ? (long)(line - text) : -1;
		}
		free(code);
		line += n + (nl != NULL);
	}
	exit_line = top_level_exit(text);
	if (final_exit >= 0 && exit_line == last_code) {
		*at = (size_t)final_exit;
		return 0;
	}
	if (exit_line) {
		snprintf(err, errlen,
			 "line %zu runs 'exit' before the end of the script, so lines added at its end might never run; "
			 "put the two lines '" PROXYTEXT_BEGIN "' and '" PROXYTEXT_END "' where the PROXY-protocol "
			 "settings must go",
			 exit_line);
		return -1;
	}
	return 0;
}

/* ---- Dovecot ---- */

struct listener {
	char service[256]; /* enclosing "service NAME" (a scanned line holds at most 255 bytes, */
	char name[256];    /* so a name always fits whole and is never written back cut) */
	unsigned port;
	bool haproxy;
};

struct dovecot {
	struct listener l[64];
	size_t n;
};

static void
trim(char *s)
{
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	size_t lead = strspn(s, " \t");
	memmove(s, s + lead, n - lead + 1);
}

/* Read the sections and listeners of TEXT. */
static void
dovecot_scan(const char *text, struct dovecot *d)
{
	char stack[16][256];     /* section kinds */
	char service[16][256];   /* service name in force at each depth */
	int depth = 0, cur = -1; /* cur: listener being read */
	memset(d, 0, sizeof(*d));
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		char buf[256];
		snprintf(buf, sizeof(buf), "%.*s", (int)(n < 255 ? n : 255), line);
		line += n + (nl != NULL);
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		trim(buf);
		size_t len = strlen(buf);
		if (!len)
			continue;
		if (buf[len - 1] == '{') {
			char kind[256] = "", name[256] = "";
			sscanf(buf, "%255s %255s", kind, name);
			if (!strcmp(name, "{"))
				name[0] = '\0';
			if (depth < 16) {
				snprintf(stack[depth], sizeof(stack[depth]), "%s", kind);
				snprintf(service[depth], sizeof(service[depth]), "%s",
					 !strcmp(kind, "service") ? name : depth ? service[depth - 1] : "");
			}
			depth++;
			if (!strcmp(kind, "inet_listener") && d->n < 64 && depth <= 16) {
				cur = (int)d->n++;
				snprintf(d->l[cur].name, sizeof(d->l[cur].name), "%s", name);
				snprintf(d->l[cur].service, sizeof(d->l[cur].service), "%s", service[depth - 1]);
			}
			continue;
		}
		if (!strcmp(buf, "}")) {
			if (depth > 0)
				depth--;
			if (depth < 16 && depth >= 0 && cur >= 0 && !strcmp(stack[depth], "inet_listener"))
				cur = -1;
			continue;
		}
		char *eq = strchr(buf, '=');
		if (!eq || cur < 0)
			continue;
		*eq = '\0';
		char *key = buf, *value = eq + 1;
		trim(key);
		trim(value);
		if (!strcmp(key, "port"))
			d->l[cur].port = (unsigned)strtoul(value, NULL, 10);
		else if (!strcmp(key, "haproxy"))
			d->l[cur].haproxy = !strcmp(value, "yes");
	}
}

/* Replace the value of every top-level haproxy_trusted_networks line of
 * TEXT (in place, into OUT). Returns how many there were. */
static int
replace_trusted(const char *text, const char *trusted, struct buf *out, char *old, size_t oldlen)
{
	int found = 0;
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl + 1 - line) : strlen(line);
		size_t lead = strspn(line, " \t");
		const char *key = "haproxy_trusted_networks";
		const char *p = line + lead;
		if ((size_t)(p - line) < n && !strncmp(p, key, strlen(key))) {
			const char *eq = p + strlen(key);
			eq += strspn(eq, " \t");
			if (*eq == '=') {
				const char *v = eq + 1 + strspn(eq + 1, " \t");
				size_t vlen = (size_t)(line + n - v);
				bool cr = false;
				if (vlen && v[vlen - 1] == '\n')
					vlen--;
				if (vlen && v[vlen - 1] == '\r') {
					vlen--;
					cr = true;
				}
				found++;
				if (vlen != strlen(trusted) || strncmp(v, trusted, vlen) != 0)
					snprintf(old, oldlen, "%.*s", (int)vlen, v);
				buf_add(out, line, (size_t)(v - line));
				buf_adds(out, trusted);
				buf_adds(out, cr ? "\r\n" : nl ? "\n" : "");
				line += n;
				continue;
			}
		}
		buf_add(out, line, n);
		line += n;
	}
	return found;
}

static void
add_listener(struct buf *b, const char *name, const struct proxy_port *p, bool new_port)
{
	char text[512];
	if (new_port)
		snprintf(text, sizeof(text),
			 "    inet_listener %s {\n        haproxy = yes\n        port = %u\n        ssl = %s\n    }\n", name,
			 p->port, p->ssl ? "yes" : "no");
	else
		snprintf(text, sizeof(text), "    inet_listener %s {\n        haproxy = yes\n    }\n", name);
	buf_adds(b, text);
}

static void
dovecot_block(enum proxy_mode mode, const char *text, unsigned services, bool need_trusted, const char *trusted,
	      struct buf *block, struct proxytext_result *res)
{
	static const char *const logins[] = {"imap-login", "pop3-login", "managesieve-login"};
	struct dovecot d;
	dovecot_scan(text, &d);
	if (need_trusted) {
		buf_adds(block, "haproxy_trusted_networks = ");
		buf_adds(block, trusted);
		buf_adds(block, "\n");
	}
	/* One section per login service; Dovecot merges repeated sections of
	 * the same name, which is also how an existing listener is switched to
	 * PROXY without adding a second one on its port. */
	for (size_t li = 0; li < sizeof(logins) / sizeof(logins[0]); li++) {
		struct buf inner = {0};
		for (int s = PX_IMAP; s < PX_COUNT; s++) {
			const struct proxy_port *p = &ports[s];
			if (!(services & PX_BIT(s)))
				continue;
			const struct listener *have = NULL;
			for (size_t i = 0; i < d.n && !have; i++)
				if (mode == PROXY_SEPARATE ? d.l[i].port == p->port : !strcmp(d.l[i].name, p->listener))
					have = &d.l[i];
			const char *service = have && have->service[0] ? have->service : p->login;
			if ((have && have->haproxy) || strcmp(service, logins[li]) != 0)
				continue;
			if (have) {
				size_t used = strlen(res->not_proxied);
				snprintf(res->not_proxied + used, sizeof(res->not_proxied) - used, "%s%s (%u)",
					 used ? ", " : "", have->name, have->port ? have->port : p->std_port);
				add_listener(&inner, have->name, p, false);
			} else if (mode == PROXY_SEPARATE) {
				char name[64];
				snprintf(name, sizeof(name), "%s-proxyprotocol", p->listener);
				add_listener(&inner, name, p, true);
			} else {
				add_listener(&inner, p->listener, p, false);
			}
		}
		if (inner.len) {
			buf_adds(block, "service ");
			buf_adds(block, logins[li]);
			buf_adds(block, " {\n");
			buf_add(block, inner.data, inner.len);
			buf_adds(block, "}\n");
		}
		buf_free(&inner);
	}
}

/* ---- Postfix ---- */

/* Whether TEXT holds a master.cf entry for PORT written out whole (a
 * here-document or an echo into master.cf): a line, or a quoted string,
 * that starts with the port and "inet". *PROXIED tells whether one of its
 * "-o" lines (the ones after it that start with white space, or "-o" on the
 * same line) sets *_upstream_proxy_protocol=haproxy. */
static bool
master_entry(const char *text, unsigned port, bool *proxied)
{
	char head[16];
	int hn = snprintf(head, sizeof(head), "%u", port);
	*proxied = false;
	bool in_entry = false, found = false;
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		char *code = code_of(line, n);
		bool starts = false;
		/* At the start of the line, or at the start of a quoted string. */
		for (const char *c = code; *c && !starts; c++) {
			if (c != code && c[-1] != '\'' && c[-1] != '"')
				continue;
			starts = !strncmp(c, head, (size_t)hn) && (c[hn] == ' ' || c[hn] == '\t') &&
				 !strncmp(c + hn + strspn(c + hn, " \t"), "inet", 4);
		}
		if (starts)
			in_entry = found = true;
		else if (in_entry && !(code[0] == ' ' || code[0] == '\t'))
			in_entry = false;
		if (in_entry && strstr(code, "_upstream_proxy_protocol=haproxy"))
			*proxied = true;
		free(code);
		line += n + (nl != NULL);
	}
	return found;
}

static void
postfix_block(enum proxy_file f, const char *text, unsigned services, struct buf *block)
{
	static const char *const clone[PX_COUNT] = {
		[PX_SMTP] = "postconf -Mf smtp/inet | sed -e 's/^smtp/12525/' >> /etc/postfix/master.cf\n"
			    "postconf -P 12525/inet/postscreen_upstream_proxy_protocol=haproxy "
			    "12525/inet/syslog_name=postfix/smtpd-proxyprotocol\n",
		[PX_SUBMISSIONS] = "postconf -Mf submissions/inet | sed -e 's/^submissions/10465/' "
				   "-e 's/submissions/submissions-proxyprotocol/' >> /etc/postfix/master.cf\n"
				   "postconf -P 10465/inet/smtpd_upstream_proxy_protocol=haproxy\n",
		[PX_SUBMISSION] = "postconf -Mf submission/inet | sed -e 's/^submission/10587/' "
				  "-e 's/submission/submission-proxyprotocol/' >> /etc/postfix/master.cf\n"
				  "postconf -P 10587/inet/smtpd_upstream_proxy_protocol=haproxy\n",
	};
	static const char *const master[PX_COUNT] = {
		[PX_SMTP] = "smtp/inet/postscreen_upstream_proxy_protocol=haproxy",
		[PX_SUBMISSIONS] = "submissions/inet/smtpd_upstream_proxy_protocol=haproxy",
		[PX_SUBMISSION] = "submission/inet/smtpd_upstream_proxy_protocol=haproxy",
	};
	for (int s = PX_SMTP; s <= PX_SUBMISSION; s++) {
		char svc[32];
		if (!(services & PX_BIT(s)))
			continue;
		if (f == PF_POSTFIX_MASTER) {
			if (!line_has(text, master[s], NULL)) {
				buf_adds(block, master[s]);
				buf_adds(block, "\n");
			}
			continue;
		}
		snprintf(svc, sizeof(svc), "%u/inet/", ports[s].port);
		bool proxied, written = master_entry(text, ports[s].port, &proxied);
		if (!line_has(text, svc, "_upstream_proxy_protocol=haproxy") && !written) {
			buf_adds(block, clone[s]);
		} else if (written && !proxied && !line_has(text, svc, "_upstream_proxy_protocol=haproxy")) {
			/* The operator's own entry without PROXY: only the setting
			 * (a second entry would be a duplicate master.cf service). */
			const char *set = strstr(clone[s], "postconf -P ");
			buf_adds(block, set);
		}
		/* Two postscreen services must share one cache (through proxymap),
		 * whoever wrote the clone: else the second one cannot lock it. */
		if (s == PX_SMTP && !line_has(text, "postscreen_cache_map", "proxy:"))
			buf_adds(block, "# shellcheck disable=SC2016 # $data_directory is Postfix's, not the shell's\n"
					"postconf 'postscreen_cache_map = proxy:btree:$data_directory/postscreen_cache'\n");
	}
}

/* ---- the merge ---- */

char *
proxytext_merge(enum proxy_file f, enum proxy_mode mode, const char *existing, unsigned services,
		const char *trusted, struct proxytext_result *res)
{
	struct buf out = {0}, block = {0};
	long placed;
	memset(res, 0, sizeof(*res));
	char *base = strip_block(existing ? existing : "", &placed);
	bool crlf = existing && strstr(existing, "\r\n");
	buf_adds(&block, "");
	if (!services) {
		/* Nothing wanted: only our block goes. */
	} else if (f == PF_DOVECOT) {
		/* The text before and after where our block was, each with its
		 * haproxy_trusted_networks replaced: the block's place moves with
		 * the length of the values before it. */
		struct buf replaced = {0};
		size_t cut = placed >= 0 ? (size_t)placed : strlen(base);
		char *after = xstrdup(base + cut);
		base[cut] = '\0';
		buf_adds(&replaced, "");
		int found = replace_trusted(base, trusted, &replaced, res->old_trusted, sizeof(res->old_trusted));
		if (placed >= 0)
			placed = (long)replaced.len;
		found += replace_trusted(after, trusted, &replaced, res->old_trusted, sizeof(res->old_trusted));
		free(after);
		free(base);
		base = replaced.data;
		dovecot_block(mode, base, services, found == 0, trusted, &block, res);
	} else {
		postfix_block(f, base, services, &block);
	}
	size_t at = strlen(base);
	if (placed >= 0)
		at = (size_t)placed;
	else if (block.len && f == PF_USER_PATCHES &&
		 shell_insert_point(base, &at, res->error, sizeof(res->error)) != 0) {
		free(base);
		buf_free(&block);
		return NULL;
	}
	if ((!existing || !*existing) && services) {
		if (f == PF_USER_PATCHES)
			buf_adds(&out, "#!/bin/bash\n# docker-mailserver runs this file at start-up, before the "
				       "mail services start.\n");
	}
	buf_add(&out, base, at);
	if (block.len) {
		if (out.len && out.data[out.len - 1] != '\n')
			buf_adds(&out, crlf ? "\r\n" : "\n");
		buf_adds(&out, PROXYTEXT_BEGIN "\n");
		buf_add(&out, block.data, block.len);
		buf_adds(&out, PROXYTEXT_END "\n");
	}
	buf_adds(&out, base + at);
	free(base);
	res->equivalent = block.len == 0 && !res->old_trusted[0];
	res->added = block.len != 0;
	buf_free(&block);
	if (crlf) {
		/* Keep a CRLF file CRLF: every bare LF we wrote gets its CR. */
		struct buf c = {0};
		buf_adds(&c, "");
		for (size_t i = 0; i < out.len; i++) {
			if (out.data[i] == '\n' && (i == 0 || out.data[i - 1] != '\r'))
				buf_add(&c, "\r", 1);
			buf_add(&c, &out.data[i], 1);
		}
		buf_free(&out);
		out = c;
	}
	res->changed = !existing || strcmp(existing, out.data) != 0;
	return out.data;
}
