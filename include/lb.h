/* lb.h -- --load-balancer: one table entry per load-balancer implementation
 * (MetalLB, Cilium LB-IPAM, kube-vip, k3s ServiceLB) with the Service
 * annotation keys it reads for a pool, addresses and a shared address, and
 * what it cannot do; the options a run gives are checked against it. The
 * pool objects --lb-emit-pool generates are the implementation's own module
 * (metallb.c, cilium.c); the rest of the Service patch (type, traffic
 * policy) is expose.c's. */
#ifndef DMSPR_LB_H
#define DMSPR_LB_H

#include <stdbool.h>
#include <stddef.h>

#include "cilium.h"
#include "config.h"
#include "doc.h"
#include "gendoc.h"
#include "metallb.h"
#include "patch.h"
#include "spool.h"

struct lb_impl {
	int kind;                /* enum load_balancer */
	const char *name;        /* as --load-balancer takes it */
	const char *title;       /* in messages */
	const char *prefix;      /* of its annotation keys; MetalLB: --metallb-annotations picks */
	const char *pool_key;    /* the pool by name, NULL: none */
	const char *ips_key;     /* the addresses, comma-separated, NULL: none */
	const char *shared_key;  /* a key Services that share an address have in common, NULL: none */
	bool emits_pool;         /* --lb-emit-pool generates its pool objects */
	/* Why an option it has no key for is refused (exit 3). */
	const char *no_pool, *no_ips, *no_shared, *no_emit;
	/* Set when it cannot keep the client's address: said on every run. */
	const char *loses_client_ip;
};

const struct lb_impl *lb_impl(const struct config *cfg);

/* The options against the implementation. Returns 0, or -1 with a one-line
 * reason in ERR. */
int lb_check_config(const struct config *cfg, char *err, size_t errlen);

/* True when any option asks for load-balancer annotations. */
bool lb_wanted(const struct config *cfg);

/* Write the implementation's annotations on Service x->o (metadata.annotations
 * node *ANNS, created when 0). Returns 0 or -1. */
int lb_annotate(struct patch_ctx *x, int *anns);

/* The run's load balancer: its pool generators and the DMS Services it
 * annotated (ns/name, for a pool that selects them). */
struct lb {
	const struct config *cfg;
	struct metallb metallb;
	struct cilium cilium;
};

void lb_init(struct lb *l, const struct config *cfg);
void lb_free(struct lb *l);
void lb_observe(struct lb *l, struct doc *d);
/* Service NS/NAME (NS NULL: none) was given the annotations. */
void lb_note_service(struct lb *l, const char *ns, const char *name);
/* End of stream: warnings that concern the whole run, and the pool objects.
 * DMS_SERVICES is the number of docker-mailserver Services patched.
 * Returns 0 or -1. */
int lb_finish(struct lb *l, struct gendoc_stream *g, struct spool *out, size_t dms_services);

#endif
