/* compose.c -- builds a libyaml document from recorded events (see
 * compose.h), as libyaml's loader does: nodes in event order, pairs and
 * items appended as their nodes come, aliases resolved to the node of the
 * anchor. The events' strings move into the nodes; nothing is copied but
 * the default tags. It never reads text and never reports. */
#include "compose.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "yscalar.h"

void
compose_keep(struct compose_events *ev, const yaml_event_t *e)
{
	if (ev->n == ev->cap) {
		ev->cap = ev->cap ? 2 * ev->cap : 256;
		ev->v = xrealloc(ev->v, ev->cap * sizeof(*ev->v));
	}
	ev->v[ev->n++] = *e;
}

void
compose_drop(struct compose_events *ev)
{
	for (size_t i = 0; i < ev->n; i++)
		yaml_event_delete(&ev->v[i]);
	free(ev->v);
	memset(ev, 0, sizeof(*ev));
}

struct anchor {
	yaml_char_t *name; /* owned */
	int node;
};

struct frame {
	int node;
	int key; /* a mapping's key waiting for its value, else 0 */
};

struct comp {
	yaml_document_t *d;
	struct anchor *anchors;
	size_t nanchors, anchors_cap;
	struct frame *stack;
	size_t depth;
	bool reused;
};

/* The default tags, shared by every node that has one instead of a copy
 * each: compose_delete() lets go of them before libyaml frees the rest. */
static char default_tags[3][sizeof(YAML_DEFAULT_MAPPING_TAG)] = {
	YAML_DEFAULT_SCALAR_TAG, YAML_DEFAULT_SEQUENCE_TAG, YAML_DEFAULT_MAPPING_TAG,
};
enum { TAG_SCALAR, TAG_SEQUENCE, TAG_MAPPING };

_Static_assert(sizeof(YAML_DEFAULT_SCALAR_TAG) <= sizeof(default_tags[0]) &&
		       sizeof(YAML_DEFAULT_SEQUENCE_TAG) <= sizeof(default_tags[0]),
	       "the default tags fit");

static bool
shared_tag(const yaml_char_t *t)
{
	return t == (yaml_char_t *)default_tags[TAG_SCALAR] || t == (yaml_char_t *)default_tags[TAG_SEQUENCE] ||
	       t == (yaml_char_t *)default_tags[TAG_MAPPING];
}

void
compose_delete(yaml_document_t *d)
{
	for (yaml_node_t *n = d->nodes.start; n && n < d->nodes.top; n++)
		if (shared_tag(n->tag))
			n->tag = NULL;
	yaml_document_delete(d);
}

void
compose_own_tags(yaml_document_t *d)
{
	for (yaml_node_t *n = d->nodes.start; n && n < d->nodes.top; n++)
		if (shared_tag(n->tag))
			n->tag = (yaml_char_t *)xstrdup((const char *)n->tag);
}

/* A loader's tag for a node: its own, or the default (DEF) when it has
 * none or only the non-specific "!". Takes TAG over. */
static yaml_char_t *
node_tag(yaml_char_t *tag, int def)
{
	if (tag && strcmp((const char *)tag, "!") != 0)
		return tag;
	free(tag);
	return (yaml_char_t *)default_tags[def];
}

static void
anchor(struct comp *c, yaml_char_t *name, int node)
{
	if (!name)
		return;
	for (size_t i = 0; i < c->nanchors; i++)
		if (strcmp((const char *)c->anchors[i].name, (const char *)name) == 0) {
			/* YAML 1.2: the later definition wins from here on. */
			c->reused = true;
			free(c->anchors[i].name);
			c->anchors[i].name = name;
			c->anchors[i].node = node;
			return;
		}
	if (c->nanchors == c->anchors_cap) {
		c->anchors_cap = c->anchors_cap ? 2 * c->anchors_cap : 8;
		c->anchors = xrealloc(c->anchors, c->anchors_cap * sizeof(*c->anchors));
	}
	c->anchors[c->nanchors++] = (struct anchor){name, node};
}

/* Node ID goes into the collection open on top (the root needs no place). */
static void
place(struct comp *c, int id)
{
	if (!c->depth)
		return;
	struct frame *f = &c->stack[c->depth - 1];
	yaml_node_t *p = &c->d->nodes.start[f->node - 1];
	if (p->type == YAML_SEQUENCE_NODE) {
		if (p->data.sequence.items.top == p->data.sequence.items.end) {
			size_t n = (size_t)(p->data.sequence.items.end - p->data.sequence.items.start);
			p->data.sequence.items.start = xrealloc(p->data.sequence.items.start, 2 * n * sizeof(yaml_node_item_t));
			p->data.sequence.items.top = p->data.sequence.items.start + n;
			p->data.sequence.items.end = p->data.sequence.items.start + 2 * n;
		}
		*p->data.sequence.items.top++ = id;
		return;
	}
	if (!f->key) {
		f->key = id;
		return;
	}
	if (p->data.mapping.pairs.top == p->data.mapping.pairs.end) {
		size_t n = (size_t)(p->data.mapping.pairs.end - p->data.mapping.pairs.start);
		p->data.mapping.pairs.start = xrealloc(p->data.mapping.pairs.start, 2 * n * sizeof(yaml_node_pair_t));
		p->data.mapping.pairs.top = p->data.mapping.pairs.start + n;
		p->data.mapping.pairs.end = p->data.mapping.pairs.start + 2 * n;
	}
	p->data.mapping.pairs.top->key = f->key;
	p->data.mapping.pairs.top->value = id;
	p->data.mapping.pairs.top++;
	f->key = 0;
}

/* A new node at the end of the tree; its id. The nodes array was sized
 * for every node event, so it never moves. */
static int
new_node(struct comp *c, const yaml_event_t *e, yaml_node_type_t type)
{
	yaml_node_t *n = c->d->nodes.top++;
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->start_mark = e->start_mark;
	n->end_mark = e->end_mark;
	return (int)(c->d->nodes.top - c->d->nodes.start);
}

/* How many children each collection start event has: the pairs and items
 * arrays are allocated once at their final size (at least one, so that
 * libyaml can grow them when a patch appends). */
static size_t *
child_counts(const struct compose_events *ev)
{
	size_t *count = xcalloc(ev->n ? ev->n : 1, sizeof(*count));
	size_t *open = xmalloc((ev->n ? ev->n : 1) * sizeof(*open));
	size_t depth = 0;
	for (size_t i = 0; i < ev->n; i++) {
		yaml_event_type_t t = ev->v[i].type;
		bool node = t == YAML_SCALAR_EVENT || t == YAML_ALIAS_EVENT || t == YAML_SEQUENCE_START_EVENT ||
			    t == YAML_MAPPING_START_EVENT;
		if (node && depth)
			count[open[depth - 1]]++;
		if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT)
			open[depth++] = i;
		else if ((t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) && depth)
			depth--;
	}
	free(open);
	return count;
}

bool
compose(struct compose_events *ev, yaml_document_t *out, bool *reused, struct compose_error *err)
{
	struct comp c;
	size_t nodes = 0, i = 0;
	bool ok = true;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.d = out;
	*reused = false;
	for (size_t k = 0; k < ev->n; k++) {
		yaml_event_type_t t = ev->v[k].type;
		nodes += t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT;
	}
	size_t *count = child_counts(ev);
	out->nodes.start = out->nodes.top = xmalloc((nodes ? nodes : 1) * sizeof(yaml_node_t));
	out->nodes.end = out->nodes.start + (nodes ? nodes : 1);
	c.stack = xmalloc((nodes ? nodes : 1) * sizeof(*c.stack));
	for (; i < ev->n && ok; i++) {
		yaml_event_t *e = &ev->v[i];
		int id;
		switch (e->type) {
		case YAML_DOCUMENT_START_EVENT:
			out->version_directive = e->data.document_start.version_directive;
			out->tag_directives.start = e->data.document_start.tag_directives.start;
			out->tag_directives.end = e->data.document_start.tag_directives.end;
			out->start_implicit = e->data.document_start.implicit;
			out->start_mark = e->start_mark;
			break;
		case YAML_DOCUMENT_END_EVENT:
			out->end_implicit = e->data.document_end.implicit;
			out->end_mark = e->end_mark;
			break;
		case YAML_ALIAS_EVENT:
			id = 0;
			for (size_t k = 0; k < c.nanchors; k++)
				if (strcmp((const char *)c.anchors[k].name, (const char *)e->data.alias.anchor) == 0)
					id = c.anchors[k].node;
			if (!id) {
				err->problem = "found undefined alias";
				err->mark = e->start_mark;
				ok = false;
				yaml_event_delete(e);
				break;
			}
			free(e->data.alias.anchor);
			place(&c, id);
			break;
		case YAML_SCALAR_EVENT: {
			id = new_node(&c, e, YAML_SCALAR_NODE);
			yaml_node_t *n = &out->nodes.start[id - 1];
			yaml_char_t *tag = e->data.scalar.tag;
			n->data.scalar.value = e->data.scalar.value;
			n->data.scalar.length = e->data.scalar.length;
			n->data.scalar.style = e->data.scalar.style;
			/* What the loader forgets: an explicit string tag (!!str 1
			 * stays a string), and the non-specific tag "!", which the
			 * readers disagree on ("! 2": the string "2" to Go's yaml.v2,
			 * as Helm 3 and kubectl read, the number 2 to yaml.v3 and
			 * PyYAML). The node keeps "!" as its tag, so that its text
			 * is written again with it (splice.c) or not at all (emit.c). */
			if (tag && strcmp((const char *)tag, YAML_STR_TAG) == 0 &&
			    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
			    !yscalar_plain_is_str((const char *)n->data.scalar.value))
				n->data.scalar.style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
			n->tag = tag && strcmp((const char *)tag, "!") == 0 ? tag : node_tag(tag, TAG_SCALAR);
			anchor(&c, e->data.scalar.anchor, id);
			place(&c, id);
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			bool map = e->type == YAML_MAPPING_START_EVENT;
			id = new_node(&c, e, map ? YAML_MAPPING_NODE : YAML_SEQUENCE_NODE);
			yaml_node_t *n = &out->nodes.start[id - 1];
			size_t k = count[i] ? count[i] : 1;
			if (map) {
				k = (k + 1) / 2;
				n->data.mapping.pairs.start = n->data.mapping.pairs.top = xmalloc(k * sizeof(yaml_node_pair_t));
				n->data.mapping.pairs.end = n->data.mapping.pairs.start + k;
				n->data.mapping.style = e->data.mapping_start.style;
				n->tag = node_tag(e->data.mapping_start.tag, TAG_MAPPING);
				anchor(&c, e->data.mapping_start.anchor, id);
			} else {
				n->data.sequence.items.start = n->data.sequence.items.top = xmalloc(k * sizeof(yaml_node_item_t));
				n->data.sequence.items.end = n->data.sequence.items.start + k;
				n->data.sequence.style = e->data.sequence_start.style;
				n->tag = node_tag(e->data.sequence_start.tag, TAG_SEQUENCE);
				anchor(&c, e->data.sequence_start.anchor, id);
			}
			place(&c, id);
			c.stack[c.depth++] = (struct frame){id, 0};
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (c.depth) {
				out->nodes.start[c.stack[c.depth - 1].node - 1].end_mark = e->end_mark;
				c.depth--;
			}
			break;
		default:
			yaml_event_delete(e);
			break;
		}
	}
	/* Events not reached (after a failure) still own their strings. */
	for (; i < ev->n; i++)
		yaml_event_delete(&ev->v[i]);
	free(ev->v);
	memset(ev, 0, sizeof(*ev));
	for (size_t k = 0; k < c.nanchors; k++)
		free(c.anchors[k].name);
	free(c.anchors);
	free(c.stack);
	free(count);
	*reused = c.reused;
	if (!ok) {
		compose_delete(out);
		memset(out, 0, sizeof(*out));
	}
	return ok;
}
