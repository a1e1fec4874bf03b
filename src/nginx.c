/* nginx.c -- --proxy-ingress nginx: the ingress-nginx tcp-services
 * ConfigMap (--nginx-tcp-configmap), one "PORT: NS/SERVICE:PORT::PROXY"
 * entry per public mail port, each forwarding to the PROXY port (separate)
 * or to the standard port, which then expects PROXY (only). Not generated
 * when that ConfigMap is already in the stream. ingress-nginx is retired,
 * and every run says so. It does not configure the controller's Service or
 * its --tcp-services-configmap flag. */
#include <stdio.h>
#include <stdlib.h>
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

static const struct config *sort_cfg; /* for by_service: qsort has no context */

/* Routes by their Service's namespace (the release's when it has none),
 * then name. */
static int
by_service(const void *a, const void *b)
{
	const struct route *x = *(const struct route *const *)a, *y = *(const struct route *const *)b;
	const char *nx = x->ns ? x->ns : sort_cfg->namespace_, *ny = y->ns ? y->ns : sort_cfg->namespace_;
	int c = strcmp(nx ? nx : "", ny ? ny : "");
	return c ? c : strcmp(x->svc, y->svc);
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
	const struct route *used_by[PX_COUNT];
	size_t nused = 0;
	buf_adds(&b, "data:\n");
	/* Two releases may both want a public port: the Service first in
	 * namespace/name order gets it, whatever the order of the stream. */
	const struct route **order = xcalloc(rs->n + 1, sizeof(const struct route *));
	for (size_t i = 0; i < rs->n; i++)
		order[i] = &rs->routes[i];
	sort_cfg = rs->cfg;
	qsort(order, rs->n, sizeof(const struct route *), by_service);
	for (size_t i = 0; i < rs->n; i++) {
		const struct route *r = order[i];
		/* A Service without metadata.namespace is in the release's. */
		const char *svc_ns = r->ns ? r->ns : rs->cfg->namespace_;
		if (!r->ns)
			reportobj_namespace_used(rs->cfg, "the ingress-nginx tcp-services entries");
		if (!svc_ns) {
			buf_free(&b);
			free(order);
			diag_error("--proxy-ingress nginx: Service %s has no namespace in the stream, and the %s ConfigMap "
				   "must name it; give the release namespace with --namespace NAME (or set HELM_NAMESPACE; "
				   "Argo CD sets ARGOCD_APP_NAMESPACE)", r->svc, cm);
			return -1;
		}
		struct buf lost = {0};
		for (size_t k = 0; k < r->n; k++) {
			const struct proxy_port *pp = proxy_port((enum proxy_service)r->service[k]);
			const struct route *winner = NULL;
			for (size_t u = 0; u < nused; u++)
				if (used[u] == pp->std_port)
					winner = used_by[u];
			if (winner) {
				const char *wns = winner->ns ? winner->ns : rs->cfg->namespace_;
				snprintf(line, sizeof(line), "%s%u (to %s/%s)", lost.len ? ", " : "", pp->std_port,
					 wns ? wns : "", winner->svc);
				buf_adds(&lost, line);
				continue;
			}
			used_by[nused] = r;
			used[nused++] = pp->std_port;
			snprintf(line, sizeof(line), "  \"%u\": \"%s/%s:%u::PROXY\"\n", pp->std_port, svc_ns, r->svc,
				 r->port_num[k]);
			buf_adds(&b, line);
		}
		if (lost.len)
			diag_warn("--proxy-ingress nginx: Service %s/%s is left out of %s for public ports %s, which went "
				  "to a docker-mailserver Service before it in namespace/name order; each public port "
				  "reaches one Service", svc_ns, r->svc, cm, lost.data);
		buf_free(&lost);
	}
	free(order);
	int rc = 0;
	if (nused)
		rc = gendoc_write(g, out, "proxy-protocol-tcp-services.yaml", "v1", "ConfigMap", ns, slash + 1, b.data);
	buf_free(&b);
	if (rc == 0 && nused)
		diag_note("generated ConfigMap %s for ingress-nginx", cm);
	return rc;
}

const struct route_target route_nginx = {INGRESS_NGINX, kinds, may_be_ours, generate};
