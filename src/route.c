/* route.c -- the routes of route.h: collecting the DMS Services' PROXY
 * ports, noting the current target's objects already in the stream (so a
 * second run generates nothing twice), and dispatching to the target that
 * --proxy-ingress names. It generates nothing itself. */
#include "route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"

static const struct route_target *const targets[] = {&route_traefik, &route_gateway, &route_nginx};

static const struct route_target *
current(const struct route_set *rs)
{
	for (size_t i = 0; i < countof(targets); i++)
		if (targets[i]->mode == rs->cfg->proxy_ingress)
			return targets[i];
	return NULL;
}

void
route_set_init(struct route_set *rs, const struct config *cfg)
{
	memset(rs, 0, sizeof(*rs));
	rs->cfg = cfg;
}

void
route_set_free(struct route_set *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->routes[i].ns);
		free(rs->routes[i].svc);
		for (size_t k = 0; k < rs->routes[i].n; k++)
			free(rs->routes[i].port_name[k]);
	}
	free(rs->routes);
	for (size_t i = 0; i < rs->nseen; i++)
		free(rs->seen[i]);
	free(rs->seen);
	memset(rs, 0, sizeof(*rs));
}

struct route *
route_add(struct route_set *rs, const char *ns, const char *name)
{
	name = name ? name : "";
	/* A Service met twice (Helm 4 sends hooks too; a split Service and
	 * the one it was split from) is one route. */
	for (size_t i = 0; i < rs->n; i++)
		if (!strcmp(rs->routes[i].svc, name) && (rs->routes[i].ns == NULL) == (ns == NULL) &&
		    (!ns || !strcmp(rs->routes[i].ns, ns)))
			return &rs->routes[i];
	rs->routes = xrealloc(rs->routes, (rs->n + 1) * sizeof(*rs->routes));
	struct route *r = &rs->routes[rs->n++];
	memset(r, 0, sizeof(*r));
	r->ns = ns ? xstrdup(ns) : NULL;
	r->svc = xstrdup(name ? name : "");
	return r;
}

static char *
key(const char *kind, const char *ns, const char *name)
{
	size_t n = strlen(kind) + (ns ? strlen(ns) : 0) + strlen(name) + 3;
	char *k = xmalloc(n);
	snprintf(k, n, "%s %s/%s", kind, ns ? ns : "", name);
	return k;
}

void
route_observe(struct route_set *rs, const struct doc *d)
{
	const struct route_target *t = current(rs);
	for (size_t i = 0; t && i < d->nobjects; i++) {
		const struct object *o = &d->objects[i];
		if (!o->kind || !o->name)
			continue;
		for (const char *const *k = t->kinds; *k; k++)
			if (!strcmp(o->kind, *k) && (!t->may_be_ours || t->may_be_ours(rs->cfg, o))) {
				rs->seen = xrealloc(rs->seen, (rs->nseen + 1) * sizeof(char *));
				rs->seen[rs->nseen++] = key(o->kind, o->namespace_, o->name);
			}
	}
}

bool
route_seen(const struct route_set *rs, const char *kind, const char *ns, const char *name)
{
	char *k = key(kind, ns, name);
	bool found = false;
	for (size_t i = 0; i < rs->nseen && !found; i++)
		found = !strcmp(rs->seen[i], k);
	free(k);
	if (found)
		diag_note("%s %s%s%s is already in the stream; not generated again", kind, ns ? ns : "", ns ? "/" : "",
			  name);
	return found;
}

int
route_finish(struct route_set *rs, struct gendoc_stream *g, struct spool *out)
{
	const struct route_target *t = current(rs);
	if (!t)
		return 0;
	if (!rs->n) {
		diag_warn("--proxy-ingress: no docker-mailserver Service in the stream, so no route was generated");
		return 0;
	}
	return t->generate(rs, g, out);
}

const char *
route_pick(const struct strlist *list, const struct proxy_port *pp)
{
	size_t n = strlen(pp->std_name);
	for (size_t i = 0; i < list->n; i++) {
		const char *e = list->v[i];
		if (!strncmp(e, pp->std_name, n) && e[n] == '=')
			return e + n + 1;
	}
	return pp->std_name;
}

void
route_object_name(const struct route *r, size_t k, char *out, size_t len)
{
	const struct proxy_port *pp = proxy_port((enum proxy_service)r->service[k]);
	snprintf(out, len, "%s-%s", r->svc, *r->port_name[k] ? r->port_name[k] : pp->name);
}
