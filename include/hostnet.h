/* hostnet.h -- the host-network patch (--host-network): the docker-mailserver
 * pod joins the node's network namespace, so clients reach it on the node's
 * address with their own source address. It touches the pod spec's
 * hostNetwork and dnsPolicy and the hostPort of the DMS container's mail
 * ports; no other container and no Service. */
#ifndef DMSPR_HOSTNET_H
#define DMSPR_HOSTNET_H

#include <stdbool.h>

#include "patch.h"

/* --host-network is on and x->o is a workload harden.c handles. */
bool hostnet_applies(const struct patch_ctx *x);
/* Returns 0, or -1 after reporting an error. */
int hostnet_apply(struct patch_ctx *x);

#endif
