/* proxy.h -- --proxy-protocol: what docker-mailserver needs to accept the
 * PROXY protocol, end to end. On the DMS container: the *-proxy ports
 * (separate mode) and the configuration files (user-patches.sh or
 * postfix-master.cf, and dovecot.cf), merged into the ConfigMap the
 * workload already mounts at that path or generated as a ConfigMap of our
 * own and mounted. On the DMS Services: the same ports. Generated at the end
 * of the stream on request: a NetworkPolicy for the PROXY ports, and the
 * ingress routes of route.h's targets (Traefik, Gateway API, ingress-nginx). The
 * configuration text itself is proxytext.c's; holding documents is
 * patch.c's, which calls the workload patch only once every document of the
 * stream has been observed, and ConfigMaps and Services after every
 * workload. */
#ifndef DMSPR_PROXY_H
#define DMSPR_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "doc.h"
#include "expose.h"
#include "gendoc.h"
#include "patch.h"
#include "spool.h"

struct proxy;

struct proxy *proxy_new(const struct config *cfg);
void proxy_free(struct proxy *p);

/* The workload patch (run before hardening, whose Fail2Ban warning looks at
 * the ports it adds). */
bool proxy_applies(const struct patch_ctx *x);

/* Whether a docker-mailserver workload (patched so far) mounts a file from
 * ConfigMap NS/NAME (NS NULL: none written), so that it may be merged into. */
bool proxy_names_configmap(const struct proxy *p, const char *ns, const char *name);
int proxy_apply(struct patch_ctx *x);

/* On a DMS Service (x->o) selecting workloads WS: add the PROXY ports and
 * remember the Service for the ingress routes. Returns 0 or -1. */
int proxy_service(struct patch_ctx *x, const struct dms_workload *ws, size_t nws);

/* Merge our configuration into ConfigMap x->o when a DMS workload mounts it
 * at one of docker-mailserver's paths. Returns 0 or -1. */
int proxy_configmap(struct patch_ctx *x);

/* Note generated objects already present in D (a second run). */
void proxy_observe(struct proxy *p, struct doc *d);

/* End of stream: fail when a mounted ConfigMap never came; generate our
 * ConfigMaps, NetworkPolicies and ingress objects. Returns 0 or -1. */
int proxy_finish(struct proxy *p, struct gendoc_stream *g, struct spool *out);

#endif
