/* ynode.c -- lookup, create-or-get, set and append over libyaml node ids.
 * It never reports errors and never decides policy (what to overwrite);
 * those belong to the caller. */
#include "ynode.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "yscalar.h"

yaml_node_t *
ynode_at(yaml_document_t *d, int id)
{
	if (id <= 0 || d->nodes.start + id - 1 >= d->nodes.top)
		return NULL;
	return yaml_document_get_node(d, id);
}

const char *
ynode_str(yaml_document_t *d, int id)
{
	yaml_node_t *n = ynode_at(d, id);
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

bool
ynode_is_map(yaml_document_t *d, int id)
{
	yaml_node_t *n = ynode_at(d, id);
	return n && n->type == YAML_MAPPING_NODE;
}

bool
ynode_is_seq(yaml_document_t *d, int id)
{
	yaml_node_t *n = ynode_at(d, id);
	return n && n->type == YAML_SEQUENCE_NODE;
}

bool
ynode_is_null(yaml_document_t *d, int id)
{
	yaml_node_t *n = ynode_at(d, id);
	if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL");
}

int
ynode_get(yaml_document_t *d, int map, const char *key)
{
	yaml_node_t *m = ynode_at(d, map);
	if (!m || m->type != YAML_MAPPING_NODE)
		return 0;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = ynode_str(d, p->key);
		if (k && strcmp(k, key) == 0)
			return p->value;
	}
	return 0;
}

int
ynode_path(yaml_document_t *d, int node, const char *path)
{
	char key[128];
	while (node && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return 0;
		memcpy(key, path, n);
		key[n] = '\0';
		node = ynode_get(d, node, key);
		path += n + (dot != NULL);
	}
	return node;
}

int
ynode_dup_key(yaml_document_t *d, int map)
{
	yaml_node_t *m = ynode_at(d, map);
	if (!m || m->type != YAML_MAPPING_NODE)
		return 0;
	yaml_node_pair_t *s = m->data.mapping.pairs.start, *t = m->data.mapping.pairs.top;
	for (yaml_node_pair_t *p = s; p < t; p++) {
		const char *k = ynode_str(d, p->key);
		if (!k)
			continue;
		for (yaml_node_pair_t *q = s; q < p; q++) {
			const char *k2 = ynode_str(d, q->key);
			if (k2 && strcmp(k, k2) == 0)
				return p->key;
		}
	}
	return 0;
}

size_t
ynode_seq_len(yaml_document_t *d, int seq)
{
	yaml_node_t *n = ynode_at(d, seq);
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

int
ynode_seq_item(yaml_document_t *d, int seq, size_t i)
{
	if (i >= ynode_seq_len(d, seq))
		return 0;
	return ynode_at(d, seq)->data.sequence.items.start[i];
}

int
ynode_seq_find(yaml_document_t *d, int seq, const char *field, const char *value)
{
	size_t n = ynode_seq_len(d, seq);
	for (size_t i = 0; i < n; i++) {
		int item = ynode_seq_item(d, seq, i);
		const char *v = ynode_str(d, ynode_get(d, item, field));
		if (v && strcmp(v, value) == 0)
			return item;
	}
	return 0;
}

int
ynode_new_map(yaml_document_t *d)
{
	return yaml_document_add_mapping(d, NULL, YAML_BLOCK_MAPPING_STYLE);
}

int
ynode_new_seq(yaml_document_t *d)
{
	return yaml_document_add_sequence(d, NULL, YAML_BLOCK_SEQUENCE_STYLE);
}

int
ynode_new_str(yaml_document_t *d, const char *value, yaml_scalar_style_t style)
{
	/* ANY is a string the writer may choose how to write: never a text
	 * that a reader would take for a null, a boolean or a number. */
	if (style == YAML_ANY_SCALAR_STYLE && !yscalar_plain_is_str(value))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	return yaml_document_add_scalar(d, NULL, (yaml_char_t *)value, (int)strlen(value), style);
}

int
ynode_set(yaml_document_t *d, int map, const char *key, int value)
{
	yaml_node_t *m = ynode_at(d, map);
	if (!m || m->type != YAML_MAPPING_NODE || !value)
		return 0;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = ynode_str(d, p->key);
		if (k && strcmp(k, key) == 0) {
			p->value = value;
			return value;
		}
	}
	int k = ynode_new_str(d, key, YAML_PLAIN_SCALAR_STYLE);
	if (!k || !yaml_document_append_mapping_pair(d, map, k, value))
		return 0;
	return value;
}

int
ynode_set_str(yaml_document_t *d, int map, const char *key, const char *value,
	      yaml_scalar_style_t style)
{
	if (!ynode_is_map(d, map))
		return 0;
	int v = ynode_new_str(d, value, style);
	return v ? ynode_set(d, map, key, v) : 0;
}

static int
ensure(yaml_document_t *d, int map, const char *key, bool want_map)
{
	if (!ynode_is_map(d, map))
		return 0;
	int v = ynode_get(d, map, key);
	if (v && (want_map ? ynode_is_map(d, v) : ynode_is_seq(d, v)))
		return v;
	if (v && !ynode_is_null(d, v))
		return 0;
	int n = want_map ? ynode_new_map(d) : ynode_new_seq(d);
	return n ? ynode_set(d, map, key, n) : 0;
}

int
ynode_ensure_map(yaml_document_t *d, int map, const char *key)
{
	return ensure(d, map, key, true);
}

int
ynode_ensure_seq(yaml_document_t *d, int map, const char *key)
{
	return ensure(d, map, key, false);
}

int
ynode_append(yaml_document_t *d, int seq, int item)
{
	if (!ynode_is_seq(d, seq) || !item)
		return 0;
	return yaml_document_append_sequence_item(d, seq, item) ? item : 0;
}

struct yspan
ynode_span(yaml_document_t *d, int id)
{
	struct yspan s = {0, 0, 0, 0};
	yaml_node_t *n = ynode_at(d, id);
	if (n && (n->start_mark.line || n->start_mark.column || n->end_mark.line || n->end_mark.column ||
		  n->start_mark.index || n->end_mark.index)) {
		s.line = n->start_mark.line + 1;
		s.col = n->start_mark.column + 1;
		s.end_line = n->end_mark.line + 1;
		s.end_col = n->end_mark.column + 1;
	}
	return s;
}

bool
ynode_seq_remove(yaml_document_t *d, int seq, size_t i)
{
	size_t n = ynode_seq_len(d, seq);
	if (i >= n)
		return false;
	yaml_node_t *s = ynode_at(d, seq);
	yaml_node_item_t *items = s->data.sequence.items.start;
	memmove(items + i, items + i + 1, (n - i - 1) * sizeof(*items));
	s->data.sequence.items.top--;
	return true;
}

struct budget {
	size_t nodes, bytes;
};

static int
clone(yaml_document_t *d, int id, int depth, struct budget *budget)
{
	yaml_node_t *n = ynode_at(d, id);
	size_t cost = 16 + (n && n->type == YAML_SCALAR_NODE ? n->data.scalar.length : 0);
	if (!n || depth > YNODE_CLONE_DEPTH || budget->nodes == 0 || budget->bytes < cost)
		return 0;
	budget->nodes--;
	budget->bytes -= cost;
	/* Copy what we need before adding nodes moves the node array. */
	yaml_node_type_t type = n->type;
	const char *tag = (const char *)n->tag;
	if (type == YAML_SCALAR_NODE)
		return yaml_document_add_scalar(d, (yaml_char_t *)tag, n->data.scalar.value,
						(int)n->data.scalar.length, n->data.scalar.style);
	if (type == YAML_SEQUENCE_NODE) {
		int c = yaml_document_add_sequence(d, (yaml_char_t *)tag, ynode_at(d, id)->data.sequence.style);
		for (size_t i = 0; c && i < ynode_seq_len(d, id); i++) {
			int item = clone(d, ynode_seq_item(d, id, i), depth + 1, budget);
			if (!item || !yaml_document_append_sequence_item(d, c, item))
				return 0;
		}
		return c;
	}
	int c = yaml_document_add_mapping(d, (yaml_char_t *)tag, n->data.mapping.style);
	for (size_t i = 0; c; i++) {
		yaml_node_t *m = ynode_at(d, id);
		if (i >= (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start))
			break;
		yaml_node_pair_t p = m->data.mapping.pairs.start[i];
		int k = clone(d, p.key, depth + 1, budget);
		int v = k ? clone(d, p.value, depth + 1, budget) : 0;
		if (!v || !yaml_document_append_mapping_pair(d, c, k, v))
			return 0;
	}
	return c;
}

int
ynode_clone(yaml_document_t *d, int id, size_t max_bytes)
{
	struct budget budget = {YNODE_CLONE_NODES, max_bytes};
	return clone(d, id, 0, &budget);
}

int
ynode_seq_find_scalar(yaml_document_t *d, int seq, const char *value)
{
	for (size_t i = 0; i < ynode_seq_len(d, seq); i++) {
		const char *v = ynode_str(d, ynode_seq_item(d, seq, i));
		if (v && strcmp(v, value) == 0)
			return ynode_seq_item(d, seq, i);
	}
	return 0;
}

bool
ynode_map_remove(yaml_document_t *d, int map, const char *key)
{
	yaml_node_t *m = ynode_at(d, map);
	bool removed = false;
	if (!m || m->type != YAML_MAPPING_NODE)
		return false;
	yaml_node_pair_t *w = m->data.mapping.pairs.start;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = ynode_str(d, p->key);
		if (k && strcmp(k, key) == 0) {
			removed = true;
			continue;
		}
		*w++ = *p;
	}
	m->data.mapping.pairs.top = w;
	return removed;
}

/* Whether TEXT may hold a tag the loader forgets: "!!", "!<", a "!" that
 * stands alone (the non-specific tag), or a %TAG directive. */
static bool
may_hold_tag(const char *text, size_t len)
{
	for (const char *p = memchr(text, '!', len); p; p = memchr(p + 1, '!', len - (size_t)(p + 1 - text))) {
		char next = '\n';
		if (p + 1 < text + len)
			next = p[1];
		if (next && strchr("!< \t\r\n,]}", next))
			return true;
	}
	return mem_contains(text, len, "%TAG");
}

/* The node ordinal (1-based, the loader's order: scalars and collection
 * starts as they come) of each scalar event that has an explicit string
 * tag. */
bool
ynode_keep_explicit_str(yaml_document_t *d, const char *text, size_t len)
{
	yaml_parser_t p;
	yaml_event_t e;
	size_t ordinal = 0, nnodes = (size_t)(d->nodes.top - d->nodes.start);
	bool ok = true;
	/* An explicit string tag is "!!str", a verbatim "!<...>" or a handle a
	 * %TAG directive declares, the non-specific tag a "!" before a blank,
	 * a line break or a flow indicator: none of those (a "#!/bin/sh" in a
	 * script is none), nothing to do. */
	if (!may_hold_tag(text, len))
		return true;
	if (!yaml_parser_initialize(&p))
		return false;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	for (bool done = false; !done;) {
		if (!yaml_parser_parse(&p, &e)) {
			ok = false;
			break;
		}
		if (e.type == YAML_SCALAR_EVENT || e.type == YAML_SEQUENCE_START_EVENT ||
		    e.type == YAML_MAPPING_START_EVENT)
			ordinal++;
		const char *tag = e.type == YAML_SCALAR_EVENT ? (const char *)e.data.scalar.tag : NULL;
		/* The non-specific tag on a scalar stays, as compose.c keeps it:
		 * the readers disagree on what "! 2" is (yaml.v2: a string). */
		if (tag && strcmp(tag, "!") == 0 && ordinal <= nnodes &&
		    d->nodes.start[ordinal - 1].type == YAML_SCALAR_NODE) {
			yaml_node_t *n = &d->nodes.start[ordinal - 1];
			free(n->tag);
			n->tag = (yaml_char_t *)xstrdup("!");
		}
		if (tag && strcmp(tag, YAML_STR_TAG) == 0 && ordinal <= nnodes) {
			yaml_node_t *n = &d->nodes.start[ordinal - 1];
			if (n->type == YAML_SCALAR_NODE) {
				if ((n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ||
				     n->data.scalar.style == YAML_ANY_SCALAR_STYLE) &&
				    !yscalar_plain_is_str((const char *)n->data.scalar.value))
					n->data.scalar.style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
			}
		}
		done = e.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&p);
	return ok;
}

static void
flow_null(yaml_document_t *d, int id)
{
	yaml_node_t *n = ynode_at(d, id);
	if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.length != 0 ||
	    (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE && n->data.scalar.style != YAML_ANY_SCALAR_STYLE) ||
	    (n->tag && strcmp((const char *)n->tag, YAML_STR_TAG) != 0 && strcmp((const char *)n->tag, YAML_NULL_TAG) != 0))
		return;
	yaml_char_t *v = (yaml_char_t *)xstrdup("null");
	free(n->data.scalar.value);
	n->data.scalar.value = v;
	n->data.scalar.length = 4;
}

bool
ynode_tag_needs_verbatim(const char *tag)
{
	static const char core[] = "tag:yaml.org,2002:";
	const char *suffix = NULL;
	if (!tag)
		return false;
	if (tag[0] == '!')
		suffix = tag + 1;
	else if (strncmp(tag, core, sizeof(core) - 1) == 0)
		suffix = tag + sizeof(core) - 1;
	/* A tag that is all prefix is written verbatim already. */
	return suffix && *suffix && strpbrk(suffix, ",[]") != NULL;
}

void
ynode_flow_nulls(yaml_document_t *d)
{
	for (yaml_node_t *n = d->nodes.start; n < d->nodes.top; n++) {
		if (n->type == YAML_MAPPING_NODE && n->data.mapping.style == YAML_FLOW_MAPPING_STYLE) {
			for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < n->data.mapping.pairs.top; q++)
				flow_null(d, q->value);
		} else if (n->type == YAML_SEQUENCE_NODE && n->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE) {
			for (yaml_node_item_t *q = n->data.sequence.items.start; q < n->data.sequence.items.top; q++)
				flow_null(d, *q);
		}
	}
}

int
ynode_bool(yaml_document_t *d, int node)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"};
	yaml_node_t *n = ynode_at(d, node);
	if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return -1;
	const char *v = (const char *)n->data.scalar.value;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(v, yes[i]) == 0)
			return 1;
		if (strcmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

static void
push_new(int id, size_t nnodes, unsigned char *seen, int *stack, size_t *top)
{
	if (id > 0 && (size_t)id <= nnodes && !seen[id]) {
		seen[id] = 1;
		stack[(*top)++] = id;
	}
}

unsigned char *
ynode_reachable(yaml_document_t *d)
{
	size_t nnodes = (size_t)(d->nodes.top - d->nodes.start), top = 0;
	unsigned char *seen = xcalloc(nnodes + 1, 1);
	int *stack = xcalloc(nnodes + 1, sizeof(int));
	push_new(1, nnodes, seen, stack, &top);
	while (top) {
		yaml_node_t *n = ynode_at(d, stack[--top]);
		if (n && n->type == YAML_SEQUENCE_NODE)
			for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
				push_new(*i, nnodes, seen, stack, &top);
		else if (n && n->type == YAML_MAPPING_NODE)
			for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
				push_new(p->key, nnodes, seen, stack, &top);
				push_new(p->value, nnodes, seen, stack, &top);
			}
	}
	free(stack);
	return seen;
}

#define MERGE_TAG "tag:yaml.org,2002:merge"

/* Depth-first search below ID for a merge key; SEEN marks the nodes
 * visited, so that aliases (a graph, maybe a recursive one) cost each node
 * once. */
static int
find_merge(yaml_document_t *d, int id, bool *seen)
{
	yaml_node_t *n = ynode_at(d, id);
	if (!n || seen[id - 1])
		return 0;
	seen[id - 1] = true;
	if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			int m = find_merge(d, *it, seen);
			if (m)
				return m;
		}
	} else if (n->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = ynode_at(d, p->key);
			if (k && k->type == YAML_SCALAR_NODE &&
			    ((k->tag && !strcmp((const char *)k->tag, MERGE_TAG)) ||
			     ((k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE || k->data.scalar.style == YAML_ANY_SCALAR_STYLE) &&
			      k->data.scalar.length == 2 && !memcmp(k->data.scalar.value, "<<", 2))))
				return p->key;
			int m = find_merge(d, p->value, seen);
			if (m)
				return m;
		}
	}
	return 0;
}

int
ynode_find_merge(yaml_document_t *d, int id)
{
	size_t n = (size_t)(d->nodes.top - d->nodes.start);
	if (!n)
		return 0;
	bool *seen = xcalloc(n, sizeof(*seen));
	int m = find_merge(d, id, seen);
	free(seen);
	return m;
}
