/* route.h -- routes from an ingress to the PROXY ports of docker-mailserver's
 * Services: the ports proxy.c collects per Service, and one exposure target
 * per --proxy-ingress mode (traefik.c, gateway.c, nginx.c), each a table
 * entry of what it generates and which of those objects it must not
 * generate twice. The targets write whole documents with gendoc.c; they
 * patch nothing and hold no document. */
#ifndef DMSPR_ROUTE_H
#define DMSPR_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "doc.h"
#include "gendoc.h"
#include "proxytext.h"
#include "spool.h"

/* A DMS Service and its PROXY ports. Strings are owned. */
struct route {
	char *ns, *svc;              /* ns NULL: the chart wrote none (the release's) */
	unsigned service[PX_COUNT];  /* enum proxy_service per port */
	char *port_name[PX_COUNT];   /* the Service port's name, "" when it has none */
	unsigned port_num[PX_COUNT]; /* and number */
	size_t n;
};

struct route_set {
	const struct config *cfg;
	struct route *routes;
	size_t n;
	char **seen; /* "kind namespace/name" of the target's objects already in the stream */
	size_t nseen;
};

/* One exposure target: the objects it generates for the routes of RS. */
struct route_target {
	int mode;                 /* enum proxy_ingress */
	const char *const *kinds; /* the kinds it generates, NULL-terminated */
	/* Whether object O of one of those kinds may be one of ours (NULL: any). */
	bool (*may_be_ours)(const struct config *cfg, const struct object *o);
	int (*generate)(struct route_set *rs, struct gendoc_stream *g, struct spool *out);
};

extern const struct route_target route_traefik, route_gateway, route_nginx;

void route_set_init(struct route_set *rs, const struct config *cfg);
void route_set_free(struct route_set *rs);

/* A new route for Service NAME in NS (NULL: none), empty. */
struct route *route_add(struct route_set *rs, const char *ns, const char *name);

/* Note the current target's objects in document D (a second run). */
void route_observe(struct route_set *rs, const struct doc *d);

/* True when object KIND NS/NAME is already in the stream; notes why under
 * --verbose. */
bool route_seen(const struct route_set *rs, const char *kind, const char *ns, const char *name);

/* End of stream: the current target generates its objects. Returns 0 or -1. */
int route_finish(struct route_set *rs, struct gendoc_stream *g, struct spool *out);

/* The value of SERVICE=VALUE in LIST whose SERVICE is PP's standard name,
 * else that name (Traefik entry points, Gateway listeners). */
const char *route_pick(const struct strlist *list, const struct proxy_port *pp);

/* The object name for port K of route R: "<service>-<port name>". */
void route_object_name(const struct route *r, size_t k, char *out, size_t len);

#endif
