/* cilium.c -- the CiliumLoadBalancerIPPool of --load-balancer cilium
 * --lb-emit-pool (see cilium.h). It writes no Service annotation (lb.c
 * does) and no CiliumL2AnnouncementPolicy or BGP configuration, which are
 * the cluster's. */
#include "cilium.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "reportobj.h"
#include "util.h"
#include "yscalar.h"

#define CILIUM_API "cilium.io/v2"

void
cilium_init(struct cilium *c, const struct config *cfg)
{
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
}

void
cilium_free(struct cilium *c)
{
	for (size_t i = 0; i < c->nservices; i++)
		free(c->services[i]);
	free(c->services);
	memset(c, 0, sizeof(*c));
}

void
cilium_observe(struct cilium *c, struct doc *d)
{
	if (!c->cfg->lb_emit_pool.n || c->cfg->load_balancer != LB_CILIUM)
		return;
	for (size_t i = 0; i < d->nobjects; i++)
		if (gendoc_is(&d->objects[i], "cilium.io", "CiliumLoadBalancerIPPool", NULL, c->cfg->lb_pool)) {
			c->pool_seen = true;
			diag_note("CiliumLoadBalancerIPPool %s is already in the stream; not generated again",
				  c->cfg->lb_pool);
		}
}

void
cilium_note_service(struct cilium *c, const char *ns, const char *name)
{
	char key[400];
	snprintf(key, sizeof(key), "%s/%s", ns ? ns : "", name ? name : "");
	for (size_t i = 0; i < c->nservices; i++)
		if (!strcmp(c->services[i], key))
			return;
	c->services = xrealloc(c->services, (c->nservices + 1) * sizeof(char *));
	c->services[c->nservices++] = xstrdup(key);
}

static int
by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "- VALUE" lines at INDENT for the distinct values of PART (0 namespace, 1
 * name) of the noted Services, sorted so that the order of the documents
 * does not matter; a Service without a namespace is in NS. */
static void
values(struct buf *b, const struct cilium *c, int part, const char *ns, const char *indent)
{
	char **v = xcalloc(c->nservices + 1, sizeof(char *));
	size_t n = 0;
	for (size_t i = 0; i < c->nservices; i++) {
		const char *key = c->services[i], *slash = strchr(key, '/');
		char one[400];
		if (part == 1)
			snprintf(one, sizeof(one), "%s", slash + 1);
		else if (slash == key)
			snprintf(one, sizeof(one), "%s", ns);
		else
			snprintf(one, sizeof(one), "%.*s", (int)(slash - key), key);
		bool dup = false;
		for (size_t k = 0; k < n && !dup; k++)
			dup = !strcmp(v[k], one);
		if (!dup)
			v[n++] = xstrdup(one);
	}
	qsort(v, n, sizeof(char *), by_text);
	for (size_t i = 0; i < n; i++) {
		char q[420];
		yscalar_format(q, sizeof(q), v[i]);
		buf_adds(b, indent);
		buf_adds(b, "- ");
		buf_adds(b, q);
		buf_adds(b, "\n");
		free(v[i]);
	}
	free(v);
}

int
cilium_finish(struct cilium *c, struct gendoc_stream *g, struct spool *out)
{
	const struct config *cfg = c->cfg;
	if (!cfg->lb_emit_pool.n || cfg->load_balancer != LB_CILIUM || c->pool_seen || !c->nservices)
		return 0;
	for (size_t i = 0; i < c->nservices; i++)
		if (c->services[i][0] == '/' && !cfg->namespace_) {
			diag_error("--lb-emit-pool: Service %s has no namespace in the stream, and the "
				   "CiliumLoadBalancerIPPool must select it by namespace; give the release namespace with "
				   "--namespace NAME (or set HELM_NAMESPACE; Argo CD sets ARGOCD_APP_NAMESPACE)",
				   c->services[i] + 1);
			return -1;
		}
	for (size_t i = 0; i < c->nservices; i++)
		if (c->services[i][0] == '/')
			reportobj_namespace_used(cfg, "the CiliumLoadBalancerIPPool's Service selector");
	struct buf b = {0};
	buf_adds(&b, "spec:\n  blocks:\n");
	for (size_t i = 0; i < cfg->lb_emit_pool.n; i++) {
		const char *a = cfg->lb_emit_pool.v[i], *dash = strchr(a, '-');
		char q[128], first[64];
		if (dash) {
			snprintf(first, sizeof(first), "%.*s", (int)(dash - a), a);
			yscalar_format(q, sizeof(q), first);
			buf_adds(&b, "    - start: ");
			buf_adds(&b, q);
			yscalar_format(q, sizeof(q), dash + 1);
			buf_adds(&b, "\n      stop: ");
			buf_adds(&b, q);
		} else {
			yscalar_format(q, sizeof(q), a);
			buf_adds(&b, "    - cidr: ");
			buf_adds(&b, q);
		}
		buf_adds(&b, "\n");
	}
	buf_adds(&b, "  serviceSelector:\n    matchExpressions:\n"
		     "      - key: io.kubernetes.service.namespace\n        operator: In\n        values:\n");
	values(&b, c, 0, cfg->namespace_, "          ");
	buf_adds(&b, "      - key: io.kubernetes.service.name\n        operator: In\n        values:\n");
	values(&b, c, 1, cfg->namespace_, "          ");
	int rc = gendoc_write(g, out, "cilium-loadbalancerippool.yaml", CILIUM_API, "CiliumLoadBalancerIPPool", NULL,
			      cfg->lb_pool, b.data);
	buf_free(&b);
	if (rc == 0)
		diag_note("generated CiliumLoadBalancerIPPool %s", cfg->lb_pool);
	return rc;
}
