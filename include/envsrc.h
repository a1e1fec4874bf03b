/* envsrc.h -- the environment a container will see, as far as the stream
 * tells: ConfigMaps and Secrets are recorded as they pass (only the few
 * docker-mailserver switches we act on, so memory stays small), and a
 * container's env/envFrom is resolved against them with Kubernetes'
 * precedence. It never edits a document. */
#ifndef DMSPR_ENVSRC_H
#define DMSPR_ENVSRC_H

#include <stdbool.h>
#include <stddef.h>

#include "doc.h"

/* The variables recorded from ConfigMaps and Secrets. Lookups of any other
 * name see only the container's own env. */
#define ENVSRC_VARS                                                                                   \
	"ENABLE_FAIL2BAN", "ENABLE_IMAP", "ENABLE_POP3", "ENABLE_MANAGESIEVE", "SMTP_ONLY", "PERMIT_DOCKER"

struct envsrc;

enum env_state {
	ENV_UNSET,   /* no source sets it: the image default applies */
	ENV_SET,     /* value holds the text */
	ENV_UNKNOWN, /* a source that may set it is not in the stream */
};

struct env_value {
	enum env_state state;
	char value[64];   /* ENV_SET: the value, cut at 63 bytes */
	char origin[192]; /* ENV_SET: where it came from; ENV_UNKNOWN: which source is missing */
};

struct envsrc *envsrc_new(void);
void envsrc_free(struct envsrc *e);

/* Record every ConfigMap and Secret object of document D. */
void envsrc_observe(struct envsrc *e, struct doc *d);

/* Resolve variable VAR for container C of object O in document D. */
void envsrc_lookup(struct envsrc *e, struct doc *d, const struct object *o, const struct container *c,
		   const char *var, struct env_value *out);

#endif
