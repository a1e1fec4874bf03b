/* split.h -- --proxy-service split: a docker-mailserver Service reachable
 * from outside the cluster (type LoadBalancer or NodePort, external IPs)
 * loses its PROXY-protocol ports, which move to a ClusterIP Service
 * "<name>-proxy" with the same selector, generated at the end of the stream
 * unless it is already there. Ingress routes then target that Service, and
 * the public one keeps only the plain ports (with the client's address, by
 * externalTrafficPolicy Local). Which ports are PROXY ports is expose.c's
 * and proxy.c's business; this module moves them. */
#ifndef DMSPR_SPLIT_H
#define DMSPR_SPLIT_H

#include <stdbool.h>
#include <stddef.h>

#include "doc.h"
#include "gendoc.h"
#include "patch.h"
#include "proxytext.h"
#include "spool.h"

#define SPLIT_SUFFIX "-proxy"

struct split_port {
	char *name;    /* "" when the port has none */
	unsigned port;
	char *target;  /* targetPort as text */
};

/* One public Service's PROXY ports, for its "<name>-proxy" Service. */
struct split {
	char *ns, *name;   /* the generated Service's */
	char **selector;   /* key, value, ... */
	size_t nselector;
	struct split_port ports[2 * PX_COUNT];
	size_t n;
};

struct split_set {
	struct split *v;
	size_t n;
	char **seen;       /* namespace/name of Services named *-proxy in the stream */
	size_t nseen;
};

void split_set_free(struct split_set *s);

/* Move the PROXY ports of Service x->o off it, into a new split record,
 * which is returned (its name is the one routes target). Returns NULL after
 * an error. */
struct split *split_take(struct split_set *s, struct patch_ctx *x);

/* Add port NAME NUMBER (targetPort NAME) to SP unless a port of that
 * number is there. */
void split_add_port(struct split *sp, const char *name, unsigned number);

void split_observe(struct split_set *s, const struct doc *d);

/* End of stream: generate every "<name>-proxy" Service not in the stream.
 * Returns 0 or -1. */
int split_finish(struct split_set *s, struct gendoc_stream *g, struct spool *out);

#endif
