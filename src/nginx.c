/* nginx.c -- --proxy-ingress nginx: the ingress-nginx tcp-services
 * ConfigMap (--nginx-tcp-configmap), one "PORT: NS/SERVICE:PORT::PROXY"
 * entry per public mail port, each forwarding to the PROXY port (separate)
 * or to the standard port, which then expects PROXY (only). Not generated
 * when that ConfigMap is already in the stream. ingress-nginx is retired,
 * and every run says so. It does not configure the controller's Service or
 * its --tcp-services-configmap flag. */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "reportobj.h"
#include "route.h"
#include "util.h"

static const char *const kinds[] = {"ConfigMap", NULL};

static bool
may_be_ours(const struct config *cfg, const struct object *o)
{
	const char *cm = cfg->nginx_tcp_configmap, *slash = strchr(cm, '/');
	return o->namespace_ && strlen(o->namespace_) == (size_t)(slash - cm) &&
	       !strncmp(o->namespace_, cm, (size_t)(slash - cm)) && !strcmp(o->name, slash + 1);
}

static int
generate(struct route_set *rs, struct gendoc_stream *g, struct spool *out)
{
	const char *cm = rs->cfg->nginx_tcp_configmap;
	char ns[64], line[512];
	const char *slash = strchr(cm, '/');
	snprintf(ns, sizeof(ns), "%.*s", (int)(slash - cm), cm);
	diag_warn("--proxy-ingress nginx: ingress-nginx is retired (its maintenance ended in March 2026: no more "
		  "fixes or security patches); move the mail ports to Traefik (--proxy-ingress traefik) or to a "
		  "Gateway API implementation that sends PROXY protocol (--proxy-ingress gateway, Envoy Gateway)");
	if (route_seen(rs, "ConfigMap", ns, slash + 1))
		return 0;
	struct buf b = {0};
	unsigned used[PX_COUNT];
	size_t nused = 0;
	buf_adds(&b, "data:\n");
	for (size_t i = 0; i < rs->n; i++) {
		const struct route *r = &rs->routes[i];
		/* A Service without metadata.namespace is in the release's. */
		const char *svc_ns = r->ns ? r->ns : rs->cfg->namespace_;
		if (!r->ns)
			reportobj_namespace_used(rs->cfg, "the ingress-nginx tcp-services entries");
		if (!svc_ns) {
			buf_free(&b);
			diag_error("--proxy-ingress nginx: Service %s has no namespace in the stream, and the %s ConfigMap "
				   "must name it; give the release namespace with --namespace NAME (or set HELM_NAMESPACE; "
				   "Argo CD sets ARGOCD_APP_NAMESPACE)", r->svc, cm);
			return -1;
		}
		for (size_t k = 0; k < r->n; k++) {
			const struct proxy_port *pp = proxy_port((enum proxy_service)r->service[k]);
			bool dup = false;
			for (size_t u = 0; u < nused; u++)
				dup |= used[u] == pp->std_port;
			if (dup) {
				diag_warn("--proxy-ingress nginx: public port %u is already routed to another docker-mailserver "
					  "Service; Service %s/%s is left out of %s", pp->std_port, svc_ns, r->svc, cm);
				continue;
			}
			used[nused++] = pp->std_port;
			snprintf(line, sizeof(line), "  \"%u\": \"%s/%s:%u::PROXY\"\n", pp->std_port, svc_ns, r->svc,
				 r->port_num[k]);
			buf_adds(&b, line);
		}
	}
	int rc = 0;
	if (nused)
		rc = gendoc_write(g, out, "proxy-protocol-tcp-services.yaml", "v1", "ConfigMap", ns, slash + 1, b.data);
	buf_free(&b);
	if (rc == 0 && nused)
		diag_note("generated ConfigMap %s for ingress-nginx", cm);
	return rc;
}

const struct route_target route_nginx = {INGRESS_NGINX, kinds, may_be_ours, generate};
