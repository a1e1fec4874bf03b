/* expose.h -- the exposure patch for docker-mailserver's Services: which
 * Services are DMS mail Services (selector and mail ports), and what they get
 * (MetalLB annotations, type LoadBalancer, externalTrafficPolicy, external
 * IPs). It does not hold or order documents; patch.c does. */
#ifndef DMSPR_EXPOSE_H
#define DMSPR_EXPOSE_H

#include <stdbool.h>
#include <stddef.h>

#include "patch.h"

/* A docker-mailserver workload as Services see it: its namespace, its
 * pod-template labels and its DMS containers' named ports. Strings are
 * owned. */
struct dms_workload {
	char *namespace_;
	char **labels;    /* key, value, key, value, ... */
	size_t nlabels;   /* pairs */
	char **port_names;
	unsigned *port_numbers;
	size_t nports;
};

/* Append "NAME (PORT)" to the comma-separated LIST (LEN bytes), for
 * warnings that name ports; "?" stands for a missing value. */
void expose_list_port(char *list, size_t len, const char *name, const char *port);

/* True when a port numbered NUMBER (or targeting TARGET; either may be NULL)
 * and named NAME takes PROXY-protocol headers: a PROXY port of the official
 * chart or ours (by number, or a name ending in "-proxy"), or, under
 * --proxy-protocol only, a standard mail port. */
bool expose_is_proxy_port(const struct config *cfg, const char *number, const char *target, const char *name);

/* Warn at NODE that the PROXY ports LIST are now reachable from outside,
 * how (WHERE: "this Service is now reachable from outside the cluster",
 * "on the host network ..."), and what to do about it. */
void expose_warn_proxy_reachable(struct patch_ctx *x, int node, const char *where, const char *list);

/* How Service SVC is reachable from outside the cluster ("type
 * LoadBalancer", "type NodePort", "spec.externalIPs"), or NULL. */
const char *expose_is_public(yaml_document_t *y, int svc);

/* Warn when Service x->o, as the patches leave it, is reachable from
 * outside the cluster (type LoadBalancer or NodePort, external IPs) and
 * carries PROXY ports, ours or the chart's. */
void expose_warn_public_proxy(struct patch_ctx *x);

/* The same for the DMS containers of workload x->o that publish a PROXY
 * port on a hostPort (--host-network says so itself). */
void expose_warn_host_ports(struct patch_ctx *x);

/* True when Service x->o is the ClusterIP Service --proxy-service split
 * generates ("<name>-proxy", PROXY ports only), which stays internal. */
bool expose_is_split_service(struct patch_ctx *x);

/* Record the workload of x->o (which has DMS containers). */
void expose_record(struct dms_workload *w, struct patch_ctx *x);
void expose_workload_free(struct dms_workload *w);

/* True when the Service at node SVC of document Y may be a DMS mail
 * Service: a non-empty selector and a port that is a mail port by number,
 * or a named target port (decided once the workload is known). */
bool expose_may_match(yaml_document_t *y, int svc);

/* True when the Service selects W's pods in W's namespace (NS is the
 * Service's): a non-empty selector that W's pod labels satisfy. */
bool expose_selects(yaml_document_t *y, int svc, const char *ns, const struct dms_workload *w);

/* True when the Service selects W's pods (expose_selects) and exposes a mail
 * port (by number or through W's port names). */
bool expose_matches(yaml_document_t *y, int svc, const char *ns, const struct dms_workload *w);

/* True when any exposure option is set (otherwise Services are left as they
 * are, apart from the traffic policy). */
int expose_apply(struct patch_ctx *x);

#endif
