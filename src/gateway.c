/* gateway.c -- --proxy-ingress gateway: one Gateway API TCPRoute per PROXY
 * port of each DMS Service (gateway.networking.k8s.io/v1, TCPRoute's
 * Standard version since Gateway API 1.6; v1alpha2 before), attached to
 * the listener of --gateway named after the mail service
 * (--gateway-listener renames it). With --gateway-proxy envoy, an Envoy
 * Gateway BackendTrafficPolicy per route makes the Gateway send PROXY
 * protocol v2 to the backend; no other implementation can do that per
 * route, and with --gateway-proxy none every run says what that means. It
 * writes no Gateway, listener or ReferenceGrant: those belong to the
 * Gateway's owner. */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "route.h"
#include "util.h"
#include "yscalar.h"

#define GATEWAY_GROUP "gateway.networking.k8s.io"
#define ENVOY_API "gateway.envoyproxy.io/v1alpha1"

static const char *const kinds[] = {"TCPRoute", "BackendTrafficPolicy", NULL};

static int
gen_policy(struct route_set *rs, const struct route *r, const char *name, struct gendoc_stream *g,
	   struct spool *out)
{
	char body[640], quoted[340];
	if (route_seen(rs, "BackendTrafficPolicy", r->ns, name))
		return 0;
	yscalar_format(quoted, sizeof(quoted), name);
	snprintf(body, sizeof(body),
		 "spec:\n  targetRefs:\n    - group: " GATEWAY_GROUP "\n      kind: TCPRoute\n      name: %s\n"
		 "  proxyProtocol:\n    version: V2\n",
		 quoted);
	if (gendoc_write(g, out, "proxy-protocol-backendtrafficpolicy.yaml", ENVOY_API, "BackendTrafficPolicy", r->ns,
			 name, body) != 0)
		return -1;
	diag_note("generated BackendTrafficPolicy %s (PROXY protocol v2 to the backend)", name);
	return 0;
}

static int
gen_route(struct route_set *rs, const struct route *r, size_t k, struct gendoc_stream *g, struct spool *out)
{
	const struct config *cfg = rs->cfg;
	const struct proxy_port *pp = proxy_port((enum proxy_service)r->service[k]);
	const char *listener = route_pick(&cfg->gateway_listeners, pp);
	const char *slash = strchr(cfg->gateway, '/');
	char name[320], body[1280], gw_ns[96], gw_name[300], ln[160], svc[160], api[64];
	route_object_name(r, k, name, sizeof(name));
	snprintf(gw_ns, sizeof(gw_ns), "%.*s", (int)(slash - cfg->gateway), cfg->gateway);
	yscalar_format(gw_name, sizeof(gw_name), slash + 1);
	yscalar_format(ln, sizeof(ln), listener);
	yscalar_format(svc, sizeof(svc), r->svc);
	if (!route_seen(rs, "TCPRoute", r->ns, name)) {
		snprintf(body, sizeof(body),
			 "spec:\n  parentRefs:\n    - group: " GATEWAY_GROUP "\n      kind: Gateway\n"
			 "      namespace: %s\n      name: %s\n      sectionName: %s\n"
			 "  rules:\n    - backendRefs:\n        - name: %s\n          port: %u\n",
			 gw_ns, gw_name, ln, svc, r->port_num[k]);
		snprintf(api, sizeof(api), GATEWAY_GROUP "/%s", cfg->gateway_api_version == GATEWAY_API_V1 ? "v1" : "v1alpha2");
		if (gendoc_write(g, out, "proxy-protocol-tcproute.yaml", api, "TCPRoute", r->ns, name, body) != 0)
			return -1;
		diag_note("generated TCPRoute %s (Gateway %s, listener %s)", name, cfg->gateway, listener);
	}
	return cfg->gateway_proxy == GATEWAY_PROXY_ENVOY ? gen_policy(rs, r, name, g, out) : 0;
}

static int
generate(struct route_set *rs, struct gendoc_stream *g, struct spool *out)
{
	if (rs->cfg->gateway_proxy == GATEWAY_PROXY_NONE)
		diag_warn("--gateway-proxy none: the TCPRoutes lead to PROXY-protocol ports, and nothing here tells "
			  "Gateway %s to send PROXY headers, without which docker-mailserver drops every connection. "
			  "Envoy Gateway can (--gateway-proxy envoy); Traefik's Gateway provider only for all routes at "
			  "once (its default TCP servers transport); Cilium and HAProxy cannot: there, expose the "
			  "Service as type LoadBalancer with externalTrafficPolicy Local instead and leave "
			  "--proxy-protocol off",
			  rs->cfg->gateway);
	for (size_t i = 0; i < rs->n; i++)
		for (size_t k = 0; k < rs->routes[i].n; k++)
			if (gen_route(rs, &rs->routes[i], k, g, out) != 0)
				return -1;
	return 0;
}

const struct route_target route_gateway = {INGRESS_GATEWAY, kinds, NULL, generate};
