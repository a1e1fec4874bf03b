/* lb.c -- the load-balancer table of lb.h: each implementation's Service
 * annotation keys, the options it cannot take (refused with the reason),
 * the annotations themselves, and the dispatch to the pool generators
 * (metallb.c, cilium.c). Adding an implementation is one table entry, and
 * a module if it has pool objects. */
#include "lb.h"

#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "util.h"
#include "ynode.h"

static const struct lb_impl impls[] = {
	{LB_METALLB, "metallb", "MetalLB", "metallb.io/", "address-pool", "loadBalancerIPs", "allow-shared-ip", true,
	 NULL, NULL, NULL, NULL, NULL},
	{LB_CILIUM, "cilium", "Cilium LB-IPAM", "lbipam.cilium.io/", NULL, "ips", "sharing-key", true,
	 "Cilium picks a pool by the pool's own serviceSelector, not by a name on the Service: label the Service "
	 "as your pool selects it (through the chart), or add --lb-emit-pool CIDR and dms-postrender generates pool "
	 "NAME selecting the docker-mailserver Services",
	 NULL, NULL, NULL, NULL},
	{LB_KUBE_VIP, "kube-vip", "kube-vip", "kube-vip.io/", NULL, "loadbalancerIPs", NULL, false,
	 "kube-vip takes addresses from kube-vip-cloud-provider's ranges (its ConfigMap kubevip: range-global, "
	 "cidr-<namespace>), not from a pool named on the Service; pin the address with --lb-ip instead",
	 NULL,
	 "kube-vip shares an address between Services that ask for the same one: give them the same --lb-ip",
	 "kube-vip-cloud-provider's ranges live in its ConfigMap kubevip, which belongs to the cluster, not to "
	 "this release; pin the address with --lb-ip instead",
	 NULL},
	{LB_SERVICELB, "servicelb", "k3s ServiceLB", NULL, NULL, NULL, NULL, false,
	 "k3s ServiceLB takes no pool: it publishes the Service on the nodes' addresses",
	 "k3s ServiceLB takes no address: it publishes the Service on the nodes' addresses",
	 "k3s ServiceLB takes no sharing key: Services share the nodes' addresses when their ports differ",
	 "k3s ServiceLB has no pool objects",
	 "k3s ServiceLB forwards connections through its svclb pods, and docker-mailserver behind it sees "
	 "cluster-internal addresses instead of its clients' (reported with k3s in docker-mailserver-helm #176 "
	 "and #178), so SPF checks, rate limits, Fail2Ban and the logs see the wrong address; use k3s's Traefik "
	 "with PROXY protocol (--proxy-protocol separate --proxy-ingress traefik) or MetalLB (k3s "
	 "--disable servicelb)"},
};

const struct lb_impl *
lb_impl(const struct config *cfg)
{
	for (size_t i = 0; i < countof(impls); i++)
		if (impls[i].kind == cfg->load_balancer)
			return &impls[i];
	return &impls[0];
}

bool
lb_wanted(const struct config *cfg)
{
	return cfg->lb_pool || cfg->lb_ips.n || cfg->lb_shared_ip;
}

int
lb_check_config(const struct config *cfg, char *err, size_t errlen)
{
	const struct lb_impl *l = lb_impl(cfg);
	const char *opt = NULL, *why = NULL;
	if (cfg->lb_pool && !l->pool_key && !(l->emits_pool && cfg->lb_emit_pool.n))
		opt = "--lb-pool", why = l->no_pool;
	else if (cfg->lb_ips.n && !l->ips_key)
		opt = "--lb-ip", why = l->no_ips;
	else if (cfg->lb_shared_ip && !l->shared_key)
		opt = "--lb-shared-ip", why = l->no_shared;
	else if (cfg->lb_emit_pool.n && !l->emits_pool)
		opt = "--lb-emit-pool", why = l->no_emit;
	else if (l->kind != LB_METALLB && config_source_of(cfg, "metallb-annotations") != SRC_DEFAULT &&
		 cfg->metallb_annotations != METALLB_NEW)
		opt = "--metallb-annotations", why = "only applies with --load-balancer metallb";
	else if (l->kind != LB_METALLB && cfg->lb_emit_pool.n &&
		 strcmp(cfg->metallb_namespace, CONFIG_DEFAULT_METALLB_NAMESPACE) != 0)
		opt = "--metallb-namespace", why = "only applies with --load-balancer metallb (a Cilium pool has no "
						   "namespace)";
	if (!opt)
		return 0;
	snprintf(err, errlen, "%s with --load-balancer %s: %s", opt, l->name, why);
	return -1;
}

static int
own_annotations(struct patch_ctx *x, int *anns)
{
	if (*anns)
		return 0;
	int meta = patch_own(x, x->o->node, "metadata", true, true, "metadata");
	*anns = meta ? patch_own(x, meta, "annotations", true, true, "metadata.annotations") : 0;
	return *anns ? 0 : -1;
}

/* Set annotation PREFIX+NAME to VALUE unless it is already. */
static int
set_one(struct patch_ctx *x, int *anns, const char *prefix, const char *name, const char *value)
{
	char key[128], path[192];
	snprintf(key, sizeof(key), "%s%s", prefix, name);
	const char *old = ynode_str(x->y, ynode_get(x->y, *anns, key));
	if (old && strcmp(old, value) == 0)
		return 0;
	if (own_annotations(x, anns) != 0)
		return -1;
	snprintf(path, sizeof(path), "metadata.annotations[%s]", key);
	patch_set(x, *anns, key, value, YAML_ANY_SCALAR_STYLE, path);
	return 0;
}

/* Annotation NAME under the implementation's prefixes. */
static int
set_key(struct patch_ctx *x, int *anns, const struct lb_impl *l, const char *name, const char *value)
{
	if (!name || !value)
		return 0;
	if (l->kind != LB_METALLB)
		return set_one(x, anns, l->prefix, name, value);
	int which = x->cfg->metallb_annotations;
	if (which != METALLB_LEGACY && set_one(x, anns, "metallb.io/", name, value) != 0)
		return -1;
	if (which != METALLB_NEW && set_one(x, anns, "metallb.universe.tf/", name, value) != 0)
		return -1;
	return 0;
}

int
lb_annotate(struct patch_ctx *x, int *anns)
{
	const struct config *cfg = x->cfg;
	const struct lb_impl *l = lb_impl(cfg);
	char ips[1024] = "";
	size_t used = 0;
	for (size_t i = 0; i < cfg->lb_ips.n && used < sizeof(ips); i++)
		used += (size_t)snprintf(ips + used, sizeof(ips) - used, "%s%s", i ? "," : "", cfg->lb_ips.v[i]);
	if (set_key(x, anns, l, l->pool_key, cfg->lb_pool) != 0 ||
	    set_key(x, anns, l, l->ips_key, cfg->lb_ips.n ? ips : NULL) != 0 ||
	    set_key(x, anns, l, l->shared_key, cfg->lb_shared_ip) != 0)
		return -1;
	return 0;
}

void
lb_init(struct lb *l, const struct config *cfg)
{
	memset(l, 0, sizeof(*l));
	l->cfg = cfg;
	metallb_init(&l->metallb, cfg);
	cilium_init(&l->cilium, cfg);
}

void
lb_free(struct lb *l)
{
	cilium_free(&l->cilium);
}

void
lb_observe(struct lb *l, struct doc *d)
{
	if (l->cfg->load_balancer == LB_METALLB)
		metallb_observe(&l->metallb, d);
	else if (l->cfg->load_balancer == LB_CILIUM)
		cilium_observe(&l->cilium, d);
}

void
lb_note_service(struct lb *l, const char *ns, const char *name)
{
	if (l->cfg->load_balancer == LB_CILIUM)
		cilium_note_service(&l->cilium, ns, name);
}

int
lb_finish(struct lb *l, struct gendoc_stream *g, struct spool *out, size_t dms_services)
{
	if (l->cfg->lb_emit_pool.n && !dms_services) {
		diag_warn("--lb-emit-pool: no docker-mailserver Service in the stream, so no pool was generated; "
			  "the pool belongs to the release that has the Service");
		return 0;
	}
	if (l->cfg->load_balancer == LB_METALLB)
		return metallb_finish(&l->metallb, g, out);
	if (l->cfg->load_balancer == LB_CILIUM)
		return cilium_finish(&l->cilium, g, out);
	return 0;
}
