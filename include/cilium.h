/* cilium.h -- --load-balancer cilium --lb-emit-pool: a CiliumLoadBalancerIPPool
 * (cilium.io/v2) named by --lb-pool with the given blocks. Cilium pools
 * choose Services by a label selector, not by a name on the Service; the
 * generated pool selects the docker-mailserver Services by Cilium's own
 * io.kubernetes.service.namespace and io.kubernetes.service.name keys, so
 * nothing is added to the Services. Not generated again when a pool of
 * that name is in the stream. */
#ifndef DMSPR_CILIUM_H
#define DMSPR_CILIUM_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "doc.h"
#include "gendoc.h"
#include "spool.h"

struct cilium {
	const struct config *cfg;
	bool pool_seen;
	char **services; /* "namespace/name" of the DMS Services ("" namespace: none) */
	size_t nservices;
};

void cilium_init(struct cilium *c, const struct config *cfg);
void cilium_free(struct cilium *c);
void cilium_observe(struct cilium *c, struct doc *d);
void cilium_note_service(struct cilium *c, const char *ns, const char *name);
/* Returns 0 or -1. */
int cilium_finish(struct cilium *c, struct gendoc_stream *g, struct spool *out);

#endif
