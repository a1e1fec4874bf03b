/* proxytext.h -- the PROXY-protocol ports docker-mailserver can serve, and
 * the configuration text that makes Postfix and Dovecot speak PROXY on them:
 * user-patches.sh (separate ports: new Postfix services cloned with
 * postconf), postfix-master.cf (PROXY on the standard Postfix services) and
 * dovecot.cf (trusted networks and haproxy listeners). Text we add sits
 * between marker lines and is rebuilt on every run; what the file already
 * provides (the official chart ships equivalent configuration) is not added
 * twice, but its haproxy_trusted_networks value is replaced. Pure string
 * work: no YAML, no documents, no messages. */
#ifndef DMSPR_PROXYTEXT_H
#define DMSPR_PROXYTEXT_H

#include <stdbool.h>
#include <stddef.h>

enum proxy_service {
	PX_SMTP,
	PX_SUBMISSIONS,
	PX_SUBMISSION,
	PX_IMAP,
	PX_IMAPS,
	PX_POP3,
	PX_POP3S,
	PX_SIEVE,
	PX_COUNT
};

#define PX_BIT(s) (1u << (s))
#define PX_POSTFIX (PX_BIT(PX_SMTP) | PX_BIT(PX_SUBMISSIONS) | PX_BIT(PX_SUBMISSION))

struct proxy_port {
	const char *name;       /* the official chart's container/Service port name */
	unsigned port;          /* its number */
	const char *std_name;   /* the standard service's port name, e.g. "imaps" */
	unsigned std_port;      /* and number */
	const char *login;      /* Dovecot login service; NULL for Postfix */
	const char *listener;   /* Dovecot's own listener name for the standard port */
	bool ssl;               /* implicit TLS */
};

/* The table, indexed by enum proxy_service. */
const struct proxy_port *proxy_port(enum proxy_service s);

/* The service whose standard or PROXY port is NUMBER, or -1. */
int proxy_service_of_port(unsigned number, bool proxy);
/* True when TEXT is a port number docker-mailserver serves mail on: a
 * standard or a PROXY port of the table (25, 465, ..., 12525, ...). */
bool proxy_is_mail_port(const char *text);

/* Kubernetes' IANA_SVC_NAME rule for container port names (and named
 * targetPorts): 1-15 of a-z, 0-9 and '-', at least one letter, no leading,
 * trailing or doubled '-'. */
bool proxy_valid_port_name(const char *name);

enum proxy_file {
	PF_USER_PATCHES,   /* separate: user-patches.sh */
	PF_POSTFIX_MASTER, /* only: postfix-master.cf */
	PF_DOVECOT,        /* both: dovecot.cf */
};

enum proxy_mode { PROXY_OFF, PROXY_SEPARATE, PROXY_ONLY };

/* The docker-mailserver path a file is read from. */
const char *proxy_file_path(enum proxy_file f);
/* Its usual ConfigMap key (the file's base name). */
const char *proxy_file_key(enum proxy_file f);

struct proxytext_result {
	bool changed;                /* the text differs from the input */
	bool equivalent;             /* the input already provided everything */
	bool added;                  /* our marker block was (re)written */
	char old_trusted[256];       /* a haproxy_trusted_networks value replaced, or "" */
	char not_proxied[256];       /* Dovecot listeners on our ports without haproxy = yes */
	char error[512];             /* why there is no result (NULL returned) */
};

/* EXISTING (NULL: a new file) merged with what SERVICES (PX_BIT set) need in
 * MODE; with SERVICES 0, EXISTING without our block. TRUSTED is the space-separated trusted networks (Dovecot only).
 * Our block goes where the marker lines were, else before a last "exit" of
 * user-patches.sh, else at the end. Returns the new text (caller frees); it
 * equals EXISTING when nothing had to change. NULL, with RES->error, when
 * the block cannot be placed safely (an "exit" earlier in user-patches.sh). */
char *proxytext_merge(enum proxy_file f, enum proxy_mode mode, const char *existing, unsigned services,
		      const char *trusted, struct proxytext_result *res);

#define PROXYTEXT_BEGIN "# >>> dms-postrender: PROXY protocol (generated; rewritten on every run)"
#define PROXYTEXT_END "# <<< dms-postrender: PROXY protocol"

#endif
