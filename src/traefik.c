/* traefik.c -- --proxy-ingress traefik: one IngressRouteTCP per PROXY port
 * of each DMS Service (traefik.io/v1alpha1), on the entry point named after
 * the mail service (--traefik-entrypoint renames it). PROXY protocol goes
 * on a ServersTransportTCP per Service that every route of the Service
 * names (transport, Traefik 3.5.2 and later), or on the deprecated
 * services[].proxyProtocol field (inline, for older Traefik). It does not
 * configure Traefik itself: its entry points, and whether they trust the
 * PROXY headers of an outer load balancer, are another release's. */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "route.h"
#include "util.h"
#include "yscalar.h"

#define TRAEFIK_API "traefik.io/v1alpha1"
#define PROXY_VERSION 2

static const char *const kinds[] = {"IngressRouteTCP", "ServersTransportTCP", NULL};

/* The ServersTransportTCP of route R: "<service>-proxy-v2". */
static void
transport_name(const struct route *r, char *out, size_t len)
{
	snprintf(out, len, "%s-proxy-v%d", r->svc, PROXY_VERSION);
}

static int
gen_transport(struct route_set *rs, const struct route *r, struct gendoc_stream *g, struct spool *out)
{
	char name[320], body[128];
	transport_name(r, name, sizeof(name));
	if (route_seen(rs, "ServersTransportTCP", r->ns, name))
		return 0;
	snprintf(body, sizeof(body), "spec:\n  proxyProtocol:\n    version: %d\n", PROXY_VERSION);
	if (gendoc_write(g, out, "proxy-protocol-serverstransporttcp.yaml", TRAEFIK_API, "ServersTransportTCP", r->ns,
			 name, body) != 0)
		return -1;
	diag_note("generated ServersTransportTCP %s (PROXY protocol v%d)", name, PROXY_VERSION);
	return 0;
}

static int
gen_route(struct route_set *rs, const struct route *r, size_t k, struct gendoc_stream *g, struct spool *out)
{
	const struct proxy_port *pp = proxy_port((enum proxy_service)r->service[k]);
	const char *ep_name = route_pick(&rs->cfg->traefik_entrypoints, pp);
	char name[320], body[1024], port[96], ep[160], svc[160], how[400];
	route_object_name(r, k, name, sizeof(name));
	if (route_seen(rs, "IngressRouteTCP", r->ns, name))
		return 0;
	/* The Service port by name (a string), or by number (a number) when it has none. */
	if (*r->port_name[k])
		yscalar_format(port, sizeof(port), r->port_name[k]);
	else
		snprintf(port, sizeof(port), "%u", r->port_num[k]);
	yscalar_format(ep, sizeof(ep), ep_name);
	yscalar_format(svc, sizeof(svc), r->svc);
	if (rs->cfg->traefik_proxy_protocol == TRAEFIK_PP_INLINE) {
		snprintf(how, sizeof(how), "          proxyProtocol:\n            version: %d\n", PROXY_VERSION);
	} else {
		char tn[320], quoted[340];
		transport_name(r, tn, sizeof(tn));
		yscalar_format(quoted, sizeof(quoted), tn);
		snprintf(how, sizeof(how), "          serversTransport: %s\n", quoted);
	}
	snprintf(body, sizeof(body),
		 "spec:\n  entryPoints:\n    - %s\n  routes:\n    - match: \"HostSNI(`*`)\"\n      services:\n"
		 "        - name: %s\n          port: %s\n%s",
		 ep, svc, port, how);
	if (gendoc_write(g, out, "proxy-protocol-ingressroutetcp.yaml", TRAEFIK_API, "IngressRouteTCP", r->ns, name,
			 body) != 0)
		return -1;
	diag_note("generated IngressRouteTCP %s (entry point %s)", name, ep_name);
	return 0;
}

static int
generate(struct route_set *rs, struct gendoc_stream *g, struct spool *out)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct route *r = &rs->routes[i];
		if (r->n && rs->cfg->traefik_proxy_protocol == TRAEFIK_PP_TRANSPORT && gen_transport(rs, r, g, out) != 0)
			return -1;
		for (size_t k = 0; k < r->n; k++)
			if (gen_route(rs, r, k, g, out) != 0)
				return -1;
	}
	return 0;
}

const struct route_target route_traefik = {INGRESS_TRAEFIK, kinds, NULL, generate};
