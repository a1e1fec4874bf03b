/* metallb.h -- --lb-emit-pool with --load-balancer metallb: the MetalLB IPAddressPool the DMS
 * Services' address-pool annotation names, and an L2Advertisement for that
 * same pool, generated at the end of the stream unless objects of the same
 * kind, name and namespace are already in it. The Service annotations
 * themselves are expose.c's. */
#ifndef DMSPR_METALLB_H
#define DMSPR_METALLB_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "doc.h"
#include "gendoc.h"
#include "spool.h"

struct metallb {
	const struct config *cfg;
	const char *ns;    /* namespace of the generated objects */
	bool pool_seen;    /* the IPAddressPool is already in the stream */
	bool l2_seen;      /* so is the L2Advertisement */
};

void metallb_init(struct metallb *m, const struct config *cfg);

/* Look for our objects in document D; warn when one of them disagrees with
 * the options (other addresses, another pool). */
void metallb_observe(struct metallb *m, struct doc *d);

/* End of stream: generate what is missing, when --lb-emit-pool is on (and
 * the stream has a docker-mailserver Service: lb.c's check). Returns 0 or
 * -1 (I/O error, reported). */
int metallb_finish(struct metallb *m, struct gendoc_stream *g, struct spool *out);

#endif
