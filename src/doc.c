/* doc.c -- loads one chunk with libyaml's document loader, rejects what is
 * not a Kubernetes object stream, and extracts object identities (apiVersion,
 * kind, name, namespace, Helm 4 filename, pod-template containers). It does
 * not decide whether an object is docker-mailserver's: patches do. */
#include "doc.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"
#include "ynode.h"

static const struct {
	const char *kind;
	const char *pod_spec_path;
} workloads[] = {
	{"Deployment", "spec.template.spec"},
	{"StatefulSet", "spec.template.spec"},
	{"DaemonSet", "spec.template.spec"},
	{"ReplicaSet", "spec.template.spec"},
	{"Job", "spec.template.spec"},
	{"CronJob", "spec.jobTemplate.spec.template.spec"},
	{"Pod", "spec"},
};

static const char *
pod_spec_path(const char *kind)
{
	if (!kind)
		return NULL;
	for (size_t i = 0; i < countof(workloads); i++)
		if (strcmp(kind, workloads[i].kind) == 0)
			return workloads[i].pod_spec_path;
	return NULL;
}

const char *
doc_pod_spec_path(const char *kind)
{
	return pod_spec_path(kind);
}

bool
doc_is_workload_kind(const char *kind)
{
	return pod_spec_path(kind) != NULL;
}

size_t
doc_line(const struct doc *d, int node)
{
	struct yspan s = ynode_span((yaml_document_t *)&d->y, node);
	return d->chunk->first_line + (s.line ? s.line - 1 : 0);
}

/* Line/column in the stream of a byte offset into the chunk (reader errors
 * give byte offsets, not marks). */
static void
offset_position(const struct chunk *c, size_t off, size_t *line, size_t *col)
{
	size_t l = c->first_line, start = 0;
	if (off > c->len)
		off = c->len;
	for (size_t i = 0; i < off; i++)
		if (c->data[i] == '\n') {
			l++;
			start = i + 1;
		}
	*line = l;
	*col = off - start + 1;
}

static void
report_parser_error(const struct chunk *c, const yaml_parser_t *p)
{
	size_t line, col;
	if (p->error == YAML_READER_ERROR) {
		offset_position(c, p->problem_offset, &line, &col);
		if (p->problem_value != -1)
			diag_error_at(line, col, "%s (byte 0x%02x)", p->problem, (unsigned)p->problem_value);
		else
			diag_error_at(line, col, "%s", p->problem);
		return;
	}
	line = c->first_line + p->problem_mark.line;
	col = p->problem_mark.column + 1;
	if (p->context)
		diag_error_at(line, col, "%s %s started at line %zu", p->problem ? p->problem : "invalid YAML",
			      p->context, c->first_line + p->context_mark.line);
	else
		diag_error_at(line, col, "%s", p->problem ? p->problem : "invalid YAML");
}

static void
note_dup(struct doc *d, int map)
{
	if (!d->dup_key)
		d->dup_key = ynode_dup_key(&d->y, map);
}

static void
add_containers(struct doc *d, struct object *o, int pod_spec, const char *field, bool init)
{
	int seq = ynode_get(&d->y, pod_spec, field);
	size_t n = ynode_seq_len(&d->y, seq);
	if (!n)
		return;
	o->containers = xrealloc(o->containers, (o->ncontainers + n) * sizeof(*o->containers));
	for (size_t i = 0; i < n; i++) {
		int c = ynode_seq_item(&d->y, seq, i);
		if (!ynode_is_map(&d->y, c))
			continue;
		note_dup(d, c);
		struct container *k = &o->containers[o->ncontainers++];
		k->node = c;
		k->name = ynode_str(&d->y, ynode_get(&d->y, c, "name"));
		k->image = ynode_str(&d->y, ynode_get(&d->y, c, "image"));
		k->init = init;
	}
}

static void
describe(struct doc *d, struct object *o, int node)
{
	yaml_document_t *y = &d->y;
	memset(o, 0, sizeof(*o));
	o->node = node;
	note_dup(d, node);
	o->api_version = ynode_str(y, ynode_get(y, node, "apiVersion"));
	o->kind = ynode_str(y, ynode_get(y, node, "kind"));
	int meta = ynode_get(y, node, "metadata");
	note_dup(d, meta);
	o->name = ynode_str(y, ynode_get(y, meta, "name"));
	o->namespace_ = ynode_str(y, ynode_get(y, meta, "namespace"));
	o->filename = ynode_str(y, ynode_get(y, ynode_get(y, meta, "annotations"),
					     "postrenderer.helm.sh/postrender-filename"));
	const char *path = pod_spec_path(o->kind);
	if (!path)
		return;
	note_dup(d, ynode_get(y, node, "spec"));
	int spec = ynode_path(y, node, path);
	if (!ynode_is_map(y, spec))
		return;
	note_dup(d, spec);
	o->pod_spec = spec;
	add_containers(d, o, spec, "initContainers", true);
	add_containers(d, o, spec, "containers", false);
}

static bool
is_list_kind(const char *kind)
{
	size_t n = kind ? strlen(kind) : 0;
	return n >= 4 && strcmp(kind + n - 4, "List") == 0;
}

int
doc_load(struct doc *d, const struct chunk *c, bool *memory_error)
{
	yaml_parser_t p;
	yaml_document_t extra;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	d->chunk = c;
	*memory_error = false;
	if (!yaml_parser_initialize(&p)) {
		*memory_error = true;
		diag_error("out of memory initialising the YAML parser");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)c->data, c->len);
	if (!yaml_parser_load(&p, &d->y)) {
		*memory_error = p.error == YAML_MEMORY_ERROR;
		report_parser_error(c, &p);
		goto out;
	}
	d->loaded = true;
	/* The splitter cut exactly one document; anything after it is an error
	 * that would otherwise go unnoticed. */
	if (!yaml_parser_load(&p, &extra)) {
		*memory_error = p.error == YAML_MEMORY_ERROR;
		report_parser_error(c, &p);
		goto out;
	}
	bool more = yaml_document_get_root_node(&extra) != NULL;
	yaml_document_delete(&extra);
	if (more) {
		diag_error_at(c->first_line + p.mark.line, 1, "a second document without a '---' line before it");
		goto out;
	}
	yaml_node_t *root = yaml_document_get_root_node(&d->y);
	/* "---" with nothing after it loads as a plain null scalar. */
	if (!root || ynode_is_null(&d->y, 1)) {
		d->empty = true;
		rc = 0;
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		diag_error_at(c->first_line + root->start_mark.line, root->start_mark.column + 1,
			      "document root is a %s; a Kubernetes object must be a mapping",
			      root->type == YAML_SEQUENCE_NODE ? "sequence" : "scalar");
		goto out;
	}
	int items = 0;
	const char *kind = ynode_str(&d->y, ynode_get(&d->y, 1, "kind"));
	if (is_list_kind(kind))
		items = ynode_get(&d->y, 1, "items");
	if (ynode_is_seq(&d->y, items)) {
		size_t n = ynode_seq_len(&d->y, items);
		d->is_list = true;
		note_dup(d, 1);
		d->objects = xcalloc(n ? n : 1, sizeof(*d->objects));
		for (size_t i = 0; i < n; i++) {
			int item = ynode_seq_item(&d->y, items, i);
			if (ynode_is_map(&d->y, item))
				describe(d, &d->objects[d->nobjects++], item);
		}
	} else {
		d->objects = xcalloc(1, sizeof(*d->objects));
		describe(d, &d->objects[0], 1);
		d->nobjects = 1;
	}
	rc = 0;
out:
	yaml_parser_delete(&p);
	if (rc != 0)
		doc_free(d);
	return rc;
}

void
doc_free(struct doc *d)
{
	for (size_t i = 0; i < d->nobjects; i++)
		free(d->objects[i].containers);
	free(d->objects);
	if (d->loaded)
		yaml_document_delete(&d->y);
	const struct chunk *c = d->chunk;
	memset(d, 0, sizeof(*d));
	d->chunk = c;
}
