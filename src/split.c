/* split.c -- --proxy-service split (see split.h): takes the PROXY ports off
 * a public docker-mailserver Service and generates the ClusterIP Service
 * that carries them. It decides nothing about routes or configuration. */
#include "split.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "expose.h"
#include "util.h"
#include "ynode.h"
#include "yscalar.h"

void
split_set_free(struct split_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct split *sp = &s->v[i];
		free(sp->ns);
		free(sp->name);
		for (size_t k = 0; k < 2 * sp->nselector; k++)
			free(sp->selector[k]);
		free(sp->selector);
		for (size_t k = 0; k < sp->n; k++) {
			free(sp->ports[k].name);
			free(sp->ports[k].target);
		}
	}
	free(s->v);
	for (size_t i = 0; i < s->nseen; i++)
		free(s->seen[i]);
	free(s->seen);
	memset(s, 0, sizeof(*s));
}

static void
add(struct split *sp, const char *name, unsigned number, const char *target)
{
	for (size_t i = 0; i < sp->n; i++)
		if (sp->ports[i].port == number)
			return;
	if (sp->n >= countof(sp->ports))
		return;
	sp->ports[sp->n].name = xstrdup(name ? name : "");
	sp->ports[sp->n].port = number;
	sp->ports[sp->n++].target = xstrdup(target);
}

void
split_add_port(struct split *sp, const char *name, unsigned number)
{
	add(sp, name, number, name);
}

struct split *
split_take(struct split_set *s, struct patch_ctx *x)
{
	yaml_document_t *y = x->y;
	char name[320];
	snprintf(name, sizeof(name), "%s" SPLIT_SUFFIX, x->o->name ? x->o->name : "");
	if (strlen(name) > 63) {
		patch_error(x, 0, "--proxy-service split: the PROXY Service's name %s would be longer than 63 "
			    "characters; shorten the Service's name (the chart's fullnameOverride)", name);
		return NULL;
	}
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	struct split *sp = &s->v[s->n++];
	memset(sp, 0, sizeof(*sp));
	sp->ns = x->o->namespace_ ? xstrdup(x->o->namespace_) : NULL;
	sp->name = xstrdup(name);
	yaml_node_t *sel = ynode_at(y, ynode_path(y, x->o->node, "spec.selector"));
	if (sel && sel->type == YAML_MAPPING_NODE) {
		size_t n = (size_t)(sel->data.mapping.pairs.top - sel->data.mapping.pairs.start);
		sp->selector = xcalloc(2 * n + 1, sizeof(char *));
		for (size_t i = 0; i < n; i++) {
			yaml_node_pair_t pr = ynode_at(y, ynode_path(y, x->o->node, "spec.selector"))->data.mapping.pairs.start[i];
			const char *k = ynode_str(y, pr.key), *v = ynode_str(y, pr.value);
			if (k && v) {
				sp->selector[2 * sp->nselector] = xstrdup(k);
				sp->selector[2 * sp->nselector++ + 1] = xstrdup(v);
			}
		}
	}
	int spec = ynode_get(y, x->o->node, "spec");
	if (!ynode_seq_len(y, ynode_get(y, spec, "ports")))
		return sp;
	int ports = patch_own(x, spec, "ports", false, false, "spec.ports");
	if (!ports)
		return NULL;
	for (size_t i = ynode_seq_len(y, ports); i-- > 0;) {
		int p = ynode_seq_item(y, ports, i);
		const char *pname = ynode_str(y, ynode_get(y, p, "name"));
		const char *num = ynode_str(y, ynode_get(y, p, "port"));
		const char *target = ynode_str(y, ynode_get(y, p, "targetPort"));
		if (!num || !expose_is_proxy_port(x->cfg, num, target, pname))
			continue;
		char what[sizeof(name) + 32];
		snprintf(what, sizeof(what), "(moved to Service %s)", name);
		add(sp, pname, (unsigned)strtoul(num, NULL, 10), target ? target : num);
		patch_changed(x, "spec.ports", pname ? pname : num, what);
		ynode_seq_remove(y, ports, i);
	}
	/* The ports were taken last to first. */
	for (size_t i = 0; i < sp->n / 2; i++) {
		struct split_port t = sp->ports[i];
		sp->ports[i] = sp->ports[sp->n - 1 - i];
		sp->ports[sp->n - 1 - i] = t;
	}
	return sp;
}

void
split_observe(struct split_set *s, const struct doc *d)
{
	for (size_t i = 0; i < d->nobjects; i++) {
		const struct object *o = &d->objects[i];
		size_t n = o->name ? strlen(o->name) : 0, k = strlen(SPLIT_SUFFIX);
		if (!o->kind || strcmp(o->kind, "Service") != 0 || n <= k || strcmp(o->name + n - k, SPLIT_SUFFIX) != 0)
			continue;
		char ns_name[400];
		snprintf(ns_name, sizeof(ns_name), "%s/%s", o->namespace_ ? o->namespace_ : "", o->name);
		s->seen = xrealloc(s->seen, (s->nseen + 1) * sizeof(char *));
		s->seen[s->nseen++] = xstrdup(ns_name);
	}
}

static bool
seen(const struct split_set *s, const struct split *sp)
{
	char ns_name[400];
	snprintf(ns_name, sizeof(ns_name), "%s/%s", sp->ns ? sp->ns : "", sp->name);
	for (size_t i = 0; i < s->nseen; i++)
		if (!strcmp(s->seen[i], ns_name))
			return true;
	return false;
}

static int
generate(const struct split *sp, struct gendoc_stream *g, struct spool *out)
{
	struct buf b = {0};
	char q[320];
	buf_adds(&b, "spec:\n  type: ClusterIP\n  selector:\n");
	for (size_t i = 0; i < sp->nselector; i++) {
		buf_adds(&b, "    ");
		yscalar_format(q, sizeof(q), sp->selector[2 * i]);
		buf_adds(&b, q);
		buf_adds(&b, ": ");
		yscalar_format(q, sizeof(q), sp->selector[2 * i + 1]);
		buf_adds(&b, q);
		buf_adds(&b, "\n");
	}
	buf_adds(&b, "  ports:\n");
	for (size_t i = 0; i < sp->n; i++) {
		const struct split_port *p = &sp->ports[i];
		char line[96];
		buf_adds(&b, "    - ");
		if (*p->name) {
			yscalar_format(q, sizeof(q), p->name);
			buf_adds(&b, "name: ");
			buf_adds(&b, q);
			buf_adds(&b, "\n      ");
		}
		snprintf(line, sizeof(line), "port: %u\n      targetPort: ", p->port);
		buf_adds(&b, line);
		/* A number stays a number, a name a string. */
		if (p->target[0] && strspn(p->target, "0123456789") == strlen(p->target))
			buf_adds(&b, p->target);
		else {
			yscalar_format(q, sizeof(q), p->target);
			buf_adds(&b, q);
		}
		buf_adds(&b, "\n      protocol: TCP\n");
	}
	int rc = gendoc_write(g, out, "proxy-protocol-service.yaml", "v1", "Service", sp->ns, sp->name, b.data);
	buf_free(&b);
	if (rc == 0)
		diag_note("generated Service %s with the PROXY ports (ClusterIP)", sp->name);
	return rc;
}

int
split_finish(struct split_set *s, struct gendoc_stream *g, struct spool *out)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct split *sp = &s->v[i];
		bool dup = false;
		for (size_t k = 0; k < i && !dup; k++)
			dup = !strcmp(s->v[k].name, sp->name) && (s->v[k].ns == NULL) == (sp->ns == NULL) &&
			      (!sp->ns || !strcmp(s->v[k].ns, sp->ns));
		if (dup || !sp->n)
			continue;
		if (seen(s, sp)) {
			diag_note("Service %s is already in the stream; not generated again", sp->name);
			continue;
		}
		if (generate(sp, g, out) != 0)
			return -1;
	}
	return 0;
}
