/* expose.c -- matches docker-mailserver Services and gives them what the
 * guide's exposure options need: the load balancer's annotations (lb.c's
 * table), type LoadBalancer, externalTrafficPolicy Local (never on a
 * ClusterIP Service, which the API rejects), external IPs. Services that
 * select DMS pods but expose no mail port are never matched, so a metrics or
 * webmail Service can not become public by accident. */
#include "expose.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "lb.h"
#include "split.h"
#include "proxytext.h"
#include "util.h"
#include "ynode.h"

static bool mail_port(yaml_document_t *y, int port, const struct dms_workload *w, bool names_possible);

void
expose_list_port(char *list, size_t len, const char *name, const char *port)
{
	size_t used = strlen(list);
	if (used + 48 < len)
		snprintf(list + used, len - used, "%s%s (%s)", used ? ", " : "", name ? name : "?", port ? port : "?");
}

static bool
is_number(const char *text)
{
	return text && *text && strspn(text, "0123456789") == strlen(text);
}

static bool
proxy_number(const char *text, bool proxy)
{
	if (!text || !is_number(text) || strlen(text) > 5)
		return false;
	unsigned long n = strtoul(text, NULL, 10);
	return n <= 65535 && proxy_service_of_port((unsigned)n, proxy) >= 0;
}

static bool
proxy_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	return n > 6 && strcmp(name + n - 6, "-proxy") == 0;
}

bool
expose_is_proxy_port(const struct config *cfg, const char *number, const char *target, const char *name)
{
	if (proxy_number(number, true) || proxy_number(target, true) || proxy_name(name) || proxy_name(target))
		return true;
	return cfg->proxy_protocol == PROXY_ONLY && (proxy_number(number, false) || proxy_number(target, false));
}

void
expose_warn_proxy_reachable(struct patch_ctx *x, int node, const char *where, const char *list)
{
	patch_warn(x, node,
		   "%s and carries PROXY-protocol ports: %s; Postfix accepts any PROXY header on them, so anyone "
		   "who reaches them can claim any client address (and slip past SPF checks, rate limits and "
		   "bans). Keep them on a ClusterIP Service only your ingress reaches (--proxy-service split, "
		   "with --proxy-protocol separate), or drop them (the official chart: proxyProtocol.enabled=false)",
		   where, list);
}

/* The PROXY ports among the ports of Service SVC, into LIST. */
static void
proxy_ports_of(const struct config *cfg, yaml_document_t *y, int svc, char *list, size_t len)
{
	int ports = ynode_path(y, svc, "spec.ports");
	for (size_t i = 0; i < ynode_seq_len(y, ports); i++) {
		int p = ynode_seq_item(y, ports, i);
		const char *name = ynode_str(y, ynode_get(y, p, "name"));
		const char *num = ynode_str(y, ynode_get(y, p, "port"));
		if (mail_port(y, p, NULL, false) &&
		    expose_is_proxy_port(cfg, num, ynode_str(y, ynode_get(y, p, "targetPort")), name))
			expose_list_port(list, len, name, num);
	}
}

const char *
expose_is_public(yaml_document_t *y, int svc)
{
	const char *type = ynode_str(y, ynode_path(y, svc, "spec.type"));
	if (type && !strcmp(type, "LoadBalancer"))
		return "type LoadBalancer";
	if (type && !strcmp(type, "NodePort"))
		return "type NodePort";
	return ynode_seq_len(y, ynode_path(y, svc, "spec.externalIPs")) ? "spec.externalIPs" : NULL;
}

void
expose_warn_public_proxy(struct patch_ctx *x)
{
	yaml_document_t *y = x->y;
	const char *how = expose_is_public(y, x->o->node);
	char list[512] = "", where[96];
	if (!how)
		return;
	proxy_ports_of(x->cfg, y, x->o->node, list, sizeof(list));
	snprintf(where, sizeof(where), "this Service is reachable from outside the cluster (%s)", how);
	if (*list)
		expose_warn_proxy_reachable(x, ynode_path(y, x->o->node, "spec.ports"), where, list);
}

bool
expose_is_split_service(struct patch_ctx *x)
{
	yaml_document_t *y = x->y;
	size_t n = x->o->name ? strlen(x->o->name) : 0, k = strlen(SPLIT_SUFFIX);
	if (x->cfg->proxy_service != PROXY_SERVICE_SPLIT || n <= k || strcmp(x->o->name + n - k, SPLIT_SUFFIX) != 0)
		return false;
	int ports = ynode_path(y, x->o->node, "spec.ports");
	for (size_t i = 0; i < ynode_seq_len(y, ports); i++) {
		int p = ynode_seq_item(y, ports, i);
		if (!expose_is_proxy_port(x->cfg, ynode_str(y, ynode_get(y, p, "port")),
					  ynode_str(y, ynode_get(y, p, "targetPort")), ynode_str(y, ynode_get(y, p, "name"))))
			return false;
	}
	return ynode_seq_len(y, ports) > 0;
}

void
expose_warn_host_ports(struct patch_ctx *x)
{
	yaml_document_t *y = x->y;
	char list[512] = "";
	for (size_t i = 0; i < x->ndms; i++) {
		int ports = ynode_get(y, x->o->containers[x->dms[i]].node, "ports");
		for (size_t k = 0; k < ynode_seq_len(y, ports); k++) {
			int p = ynode_seq_item(y, ports, k);
			const char *host = ynode_str(y, ynode_get(y, p, "hostPort"));
			const char *num = ynode_str(y, ynode_get(y, p, "containerPort"));
			const char *name = ynode_str(y, ynode_get(y, p, "name"));
			if (host && strcmp(host, "0") != 0 && *host && expose_is_proxy_port(x->cfg, num, NULL, name))
				expose_list_port(list, sizeof(list), name, host);
		}
	}
	if (*list)
		patch_warn(x, 0,
			   "PROXY-protocol ports published on the node's address by hostPort: %s; Postfix accepts any "
			   "PROXY header on them, so anyone who reaches the node can claim any client address (and "
			   "slip past SPF checks, rate limits and bans). Remove their hostPort and let your ingress "
			   "reach them through a ClusterIP Service",
			   list);
}

void
expose_record(struct dms_workload *w, struct patch_ctx *x)
{
	yaml_document_t *y = x->y;
	memset(w, 0, sizeof(*w));
	w->namespace_ = x->o->namespace_ ? xstrdup(x->o->namespace_) : NULL;
	const char *meta = strcmp(x->o->kind, "Pod") == 0 ? "metadata.labels" : "spec.template.metadata.labels";
	int labels = ynode_path(y, x->o->node, meta);
	yaml_node_t *m = ynode_at(y, labels);
	if (m && m->type == YAML_MAPPING_NODE) {
		size_t n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
		w->labels = xcalloc(2 * n + 1, sizeof(char *));
		for (size_t i = 0; i < n; i++) {
			yaml_node_pair_t p = ynode_at(y, labels)->data.mapping.pairs.start[i];
			const char *k = ynode_str(y, p.key), *v = ynode_str(y, p.value);
			if (!k || !v)
				continue;
			w->labels[2 * w->nlabels] = xstrdup(k);
			w->labels[2 * w->nlabels + 1] = xstrdup(v);
			w->nlabels++;
		}
	}
	for (size_t i = 0; i < x->ndms; i++) {
		int ports = ynode_get(y, x->o->containers[x->dms[i]].node, "ports");
		for (size_t k = 0; k < ynode_seq_len(y, ports); k++) {
			int p = ynode_seq_item(y, ports, k);
			const char *name = ynode_str(y, ynode_get(y, p, "name"));
			const char *num = ynode_str(y, ynode_get(y, p, "containerPort"));
			if (!name || !is_number(num))
				continue;
			w->port_names = xrealloc(w->port_names, (w->nports + 1) * sizeof(char *));
			w->port_numbers = xrealloc(w->port_numbers, (w->nports + 1) * sizeof(unsigned));
			w->port_names[w->nports] = xstrdup(name);
			w->port_numbers[w->nports++] = (unsigned)strtoul(num, NULL, 10);
		}
	}
}

void
expose_workload_free(struct dms_workload *w)
{
	for (size_t i = 0; i < 2 * w->nlabels; i++)
		free(w->labels[i]);
	for (size_t i = 0; i < w->nports; i++)
		free(w->port_names[i]);
	free(w->labels);
	free(w->port_names);
	free(w->port_numbers);
	free(w->namespace_);
	memset(w, 0, sizeof(*w));
}

static bool
selector_nonempty(yaml_document_t *y, int svc)
{
	yaml_node_t *s = ynode_at(y, ynode_path(y, svc, "spec.selector"));
	return s && s->type == YAML_MAPPING_NODE && s->data.mapping.pairs.top > s->data.mapping.pairs.start;
}

/* A port of the Service is a mail port: by number, by target number, or
 * (with W) through a named target port of a DMS container. */
static bool
mail_port(yaml_document_t *y, int port, const struct dms_workload *w, bool names_possible)
{
	const char *num = ynode_str(y, ynode_get(y, port, "port"));
	const char *target = ynode_str(y, ynode_get(y, port, "targetPort"));
	if (proxy_is_mail_port(num) || proxy_is_mail_port(target))
		return true;
	if (!target || is_number(target))
		return false;
	if (!w)
		return names_possible;
	for (size_t i = 0; i < w->nports; i++) {
		char n[16];
		snprintf(n, sizeof(n), "%u", w->port_numbers[i]);
		if (strcmp(w->port_names[i], target) == 0 && proxy_is_mail_port(n))
			return true;
	}
	return false;
}

bool
expose_may_match(yaml_document_t *y, int svc)
{
	if (!selector_nonempty(y, svc))
		return false;
	int ports = ynode_path(y, svc, "spec.ports");
	for (size_t i = 0; i < ynode_seq_len(y, ports); i++)
		if (mail_port(y, ynode_seq_item(y, ports, i), NULL, true))
			return true;
	return false;
}

bool
expose_selects(yaml_document_t *y, int svc, const char *ns, const struct dms_workload *w)
{
	if (!selector_nonempty(y, svc))
		return false;
	if ((ns == NULL) != (w->namespace_ == NULL) || (ns && strcmp(ns, w->namespace_) != 0))
		return false;
	/* Nothing is added to the document here, so the node pointer stays valid. */
	yaml_node_t *s = ynode_at(y, ynode_path(y, svc, "spec.selector"));
	for (yaml_node_pair_t *p = s->data.mapping.pairs.start; p < s->data.mapping.pairs.top; p++) {
		const char *k = ynode_str(y, p->key), *v = ynode_str(y, p->value);
		bool found = false;
		for (size_t j = 0; k && v && !found && j < w->nlabels; j++)
			found = strcmp(w->labels[2 * j], k) == 0 && strcmp(w->labels[2 * j + 1], v) == 0;
		if (!found)
			return false;
	}
	return true;
}

bool
expose_matches(yaml_document_t *y, int svc, const char *ns, const struct dms_workload *w)
{
	if (!expose_selects(y, svc, ns, w))
		return false;
	int ports = ynode_path(y, svc, "spec.ports");
	for (size_t i = 0; i < ynode_seq_len(y, ports); i++)
		if (mail_port(y, ynode_seq_item(y, ports, i), w, false))
			return true;
	return false;
}

/* MetalLB refuses a Service that has both spec.loadBalancerIP (deprecated)
 * and the loadBalancerIPs annotation, and Cilium and kube-vip read the
 * annotation first. The field goes when --lb-ip lists its address (the
 * annotation says the same thing); another address is a contradiction the
 * user must resolve. */
static int
drop_load_balancer_ip(struct patch_ctx *x, int spec)
{
	int node = ynode_get(x->y, spec, "loadBalancerIP");
	const char *ip = ynode_str(x->y, node);
	if (!node || ynode_is_null(x->y, node) || (ip && !*ip)) {
		return 0;
	}
	for (size_t i = 0; ip && i < x->cfg->lb_ips.n; i++)
		if (strcmp(ip, x->cfg->lb_ips.v[i]) == 0) {
			ynode_map_remove(x->y, spec, "loadBalancerIP");
			patch_changed(x, "spec.loadBalancerIP", ip, "(removed: the loadBalancerIPs annotation holds it)");
			return 0;
		}
	return patch_error(x, node, "spec.loadBalancerIP is %s, which --lb-ip does not list; the two ask for "
			   "different addresses (MetalLB refuses a Service with both), so remove the field or add the "
			   "address to --lb-ip", ip ? ip : "not a scalar");
}

int
expose_apply(struct patch_ctx *x)
{
	const struct config *cfg = x->cfg;
	yaml_document_t *y = x->y;
	bool annotate = lb_wanted(cfg);
	bool reachable_before, made_reachable = false;

	int spec = patch_own(x, x->o->node, "spec", true, true, "spec");
	if (!spec)
		return -1;
	const char *type = ynode_str(y, ynode_get(y, spec, "type"));
	reachable_before = type && (strcmp(type, "LoadBalancer") == 0 || strcmp(type, "NodePort") == 0);
	if (annotate) {
		int anns = ynode_is_map(y, ynode_path(y, x->o->node, "metadata.annotations"))
				   ? patch_own(x, ynode_get(y, x->o->node, "metadata"), "annotations", true, false,
					       "metadata.annotations")
				   : 0;
		if (cfg->lb_ips.n && drop_load_balancer_ip(x, spec) != 0)
			return -1;
		if (lb_annotate(x, &anns) != 0)
			return -1;
		if (!type || strcmp(type, "LoadBalancer") != 0) {
			patch_set(x, spec, "type", "LoadBalancer", YAML_PLAIN_SCALAR_STYLE, "spec.type");
			type = "LoadBalancer";
			made_reachable = !reachable_before;
		}
	}
	if (cfg->external_ips.n) {
		int eips = patch_own(x, spec, "externalIPs", false, true, "spec.externalIPs");
		if (!eips)
			return -1;
		for (size_t i = 0; i < cfg->external_ips.n; i++) {
			if (ynode_seq_find_scalar(y, eips, cfg->external_ips.v[i]))
				continue;
			ynode_append(y, eips, ynode_new_str(y, cfg->external_ips.v[i], YAML_ANY_SCALAR_STYLE));
			patch_changed(x, "spec.externalIPs", "(not listed)", cfg->external_ips.v[i]);
			made_reachable = true;
		}
	}
	const struct lb_impl *lb = lb_impl(cfg);
	if (type && !strcmp(type, "LoadBalancer") && lb->loses_client_ip)
		patch_warn(x, 0, "--load-balancer %s: %s", lb->name, lb->loses_client_ip);
	bool external = type && (strcmp(type, "LoadBalancer") == 0 || strcmp(type, "NodePort") == 0);
	int policy = ynode_get(y, spec, "externalTrafficPolicy");
	const char *have = ynode_str(y, policy);
	if (!external && policy) {
		patch_warn(x, policy, "externalTrafficPolicy %s on a %s Service is rejected by the API server; removed",
			   have ? have : "(not a scalar)", type ? type : "ClusterIP");
		ynode_map_remove(y, spec, "externalTrafficPolicy");
		patch_changed(x, "spec.externalTrafficPolicy", have ? have : "(not a scalar)", "(removed)");
	} else if (external && cfg->traffic_policy != TRAFFIC_KEEP) {
		const char *want = cfg->traffic_policy == TRAFFIC_LOCAL ? "Local" : "Cluster";
		/* A value the input sets is the user's choice unless --traffic-policy
		 * was given; only an absent one takes the default. */
		bool chosen = config_source_of(cfg, "traffic-policy") != SRC_DEFAULT;
		if (have && strcmp(have, want) != 0 && !chosen) {
			if (strcmp(have, "Cluster") == 0)
				patch_warn(x, policy,
					   "externalTrafficPolicy Cluster kept, as the input sets it: docker-mailserver then "
					   "sees node addresses instead of its clients' (SPF checks, rate limits, Fail2Ban "
					   "and the logs see the node); pass --traffic-policy local to change it, or "
					   "--traffic-policy keep to keep it without this warning");
		} else if (!have || strcmp(have, want) != 0) {
			patch_set(x, spec, "externalTrafficPolicy", want, YAML_PLAIN_SCALAR_STYLE,
				  "spec.externalTrafficPolicy");
		}
	}
	if (made_reachable) {
		char other[256] = "";
		int ports = ynode_get(y, spec, "ports");
		for (size_t i = 0; i < ynode_seq_len(y, ports); i++) {
			int p = ynode_seq_item(y, ports, i);
			if (!mail_port(y, p, NULL, false))
				expose_list_port(other, sizeof(other), ynode_str(y, ynode_get(y, p, "name")),
						 ynode_str(y, ynode_get(y, p, "port")));
		}
		if (*other)
			patch_warn(x, ports, "this Service is now reachable from outside the cluster and also carries "
				   "non-mail ports: %s; move them to a separate ClusterIP Service", other);
	}
	return 0;
}
