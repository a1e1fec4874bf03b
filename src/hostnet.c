/* hostnet.c -- --host-network: hostNetwork true, dnsPolicy
 * ClusterFirstWithHostNet (so the pod still resolves cluster names), and
 * hostPort equal to containerPort on every mail port of the
 * docker-mailserver container (the API requires the two to be equal under
 * hostNetwork, and the scheduler then keeps two such pods off one node). A
 * deliberate dnsPolicy (Default, None) is kept. Non-mail ports, and the
 * ports of the pod's other containers, are not edited but named in a
 * warning: on the host network they are reachable on the node's address. */
#include "hostnet.h"

#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "expose.h"
#include "harden.h"
#include "proxytext.h"
#include "ynode.h"

bool
hostnet_applies(const struct patch_ctx *x)
{
	return x->cfg->host_network && harden_applies(x);
}

static int
container_ports(struct patch_ctx *x, int pod, size_t idx, char *other, size_t otherlen, char *proxied,
		size_t proxiedlen)
{
	yaml_document_t *y = x->y;
	char path[256];
	if (patch_own_container(x, pod, idx) != 0)
		return -1;
	const struct container *c = &x->o->containers[idx];
	snprintf(path, sizeof(path), "%s.containers[%s].ports", x->pod_path, c->name ? c->name : "");
	int ports = patch_own(x, c->node, "ports", false, false, path);
	if (diag_failed())
		return -1;
	size_t mail = 0;
	for (size_t i = 0; i < ynode_seq_len(y, ports); i++) {
		int p = ynode_seq_item(y, ports, i);
		const char *cport = ynode_str(y, ynode_get(y, p, "containerPort"));
		const char *hport = ynode_str(y, ynode_get(y, p, "hostPort"));
		const char *name = ynode_str(y, ynode_get(y, p, "name"));
		if (!proxy_is_mail_port(cport)) {
			expose_list_port(other, otherlen, name, cport);
			if (hport && cport && strcmp(hport, cport) != 0)
				patch_warn(x, p, "port %s: hostPort %s differs from containerPort %s, which the API "
					   "server rejects under hostNetwork", name ? name : cport, hport, cport);
			continue;
		}
		mail++;
		if (expose_is_proxy_port(x->cfg, cport, NULL, name))
			expose_list_port(proxied, proxiedlen, name, cport);
		if (hport && strcmp(hport, cport) == 0)
			continue;
		if (!(p = patch_own_item(x, ports, i)))
			return -1;
		char ppath[320];
		snprintf(ppath, sizeof(ppath), "%s[%s].hostPort", path, name ? name : cport);
		patch_set(x, p, "hostPort", cport, YAML_PLAIN_SCALAR_STYLE, ppath);
	}
	if (!mail)
		patch_warn(x, c->node, "container '%s' declares no mail port, so no hostPort was set; declare "
			   "containerPort 25, 465, 587, 993 (and the others it serves) so that the scheduler "
			   "sees the ports the pod takes on the node", c->name ? c->name : "");
	return 0;
}

int
hostnet_apply(struct patch_ctx *x)
{
	yaml_document_t *y = x->y;
	char path[128], other[512] = "", proxied[512] = "";
	int pod = patch_own_pod_spec(x);
	if (!pod)
		return -1;
	if (patch_bool(x, ynode_get(y, pod, "hostNetwork")) != 1) {
		snprintf(path, sizeof(path), "%s.hostNetwork", x->pod_path);
		patch_set(x, pod, "hostNetwork", "true", YAML_PLAIN_SCALAR_STYLE, path);
	}
	const char *dns = ynode_str(y, ynode_get(y, pod, "dnsPolicy"));
	if (!dns || strcmp(dns, "ClusterFirst") == 0) {
		snprintf(path, sizeof(path), "%s.dnsPolicy", x->pod_path);
		patch_set(x, pod, "dnsPolicy", "ClusterFirstWithHostNet", YAML_PLAIN_SCALAR_STYLE, path);
	} else if (strcmp(dns, "ClusterFirstWithHostNet") != 0) {
		diag_note("document %zu, %s: %s.dnsPolicy %s kept under hostNetwork; the pod resolves "
			  "cluster Service names only if its DNS configuration points at the cluster DNS",
			  x->d->chunk->index, x->what, x->pod_path, dns);
	}
	for (size_t i = 0; i < x->ndms; i++)
		if (container_ports(x, pod, x->dms[i], other, sizeof(other), proxied, sizeof(proxied)) != 0)
			return -1;
	/* The other containers share the node's network too; they are named,
	 * not edited. */
	for (size_t i = 0; i < x->o->ncontainers; i++) {
		const struct container *c = &x->o->containers[i];
		if (c->init || patch_is_dms_container(x->cfg, c))
			continue;
		int ports = ynode_get(y, c->node, "ports");
		for (size_t k = 0; k < ynode_seq_len(y, ports); k++) {
			int p = ynode_seq_item(y, ports, k);
			expose_list_port(other, sizeof(other), ynode_str(y, ynode_get(y, p, "name")),
				  ynode_str(y, ynode_get(y, p, "containerPort")));
		}
	}
	if (*other)
		patch_warn(x, 0, "on the host network these non-mail ports are reachable on the node's "
			   "address too: %s; firewall them at the node", other);
	/* Most CNIs do not apply NetworkPolicies to pods in the node's network
	 * namespace, so a generated one does not help here. */
	if (*proxied && x->cfg->proxy_network_policy)
		patch_warn(x, 0, "--proxy-network-policy with --host-network: most CNIs do not enforce a "
			   "NetworkPolicy on a pod in the node's network namespace, so the PROXY-protocol ports %s "
			   "stay reachable on the node's address by anyone, who can then claim any client address "
			   "to Postfix; firewall them at the node (admit only your proxy)", proxied);
	else if (*proxied)
		expose_warn_proxy_reachable(x, 0, "the pod is now on the host network, reachable on the node's "
					    "address,", proxied);
	return diag_failed() ? -1 : 0;
}
