/* doc.c -- reads one chunk, rejects what is not a Kubernetes object stream,
 * and extracts object identities (apiVersion, kind, name, namespace, Helm 4
 * filename, pod-template containers). Every chunk is first parsed as events
 * only, which validates it and reads the identity of its root object; the
 * libyaml node tree is built on request (doc_need_tree: patch.c asks for the
 * documents it reads) and for documents with aliases where an identity or a
 * decision is read, merge keys or duplicated identity keys, which the
 * events alone cannot settle. It does not decide whether an object is
 * docker-mailserver's: patches do. */
#include "doc.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "proxytext.h"
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
	if (!d->loaded)
		return d->chunk->first_line + d->root_line;
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
	if (p->context && p->error == YAML_COMPOSER_ERROR)
		/* The loader puts the first place into context ("found duplicate
		 * anchor; first occurrence") and this one into problem. */
		diag_error_at(line, col, "%s at line %zu, %s here", p->context, c->first_line + p->context_mark.line,
			      p->problem ? p->problem : "invalid YAML");
	else if (p->context)
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
	o->hook = ynode_str(y, ynode_get(y, ynode_get(y, meta, "annotations"), DOC_HOOK_KEY));
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

/* The input of a KRM function (kustomize's, kpt's): a config.kubernetes.io
 * ResourceList. Refused rather than half-served (see the README). */
static bool
is_krm_resource_list(const char *api, const char *kind)
{
	return api && kind && !strcmp(kind, "ResourceList") && !strncmp(api, "config.kubernetes.io/", 21);
}

bool
doc_is_list_kind(const char *kind)
{
	size_t n = kind ? strlen(kind) : 0;
	return n >= 4 && strcmp(kind + n - 4, "List") == 0;
}

bool
doc_kind_may_need_tree(const char *kind)
{
	static const char *const read[] = {
		"Service", "ConfigMap", "Secret", "IngressRouteTCP", "NetworkPolicy", "IPAddressPool", "L2Advertisement",
	};
	if (pod_spec_path(kind) || doc_is_list_kind(kind))
		return true;
	for (size_t i = 0; i < countof(read); i++)
		if (strcmp(kind, read[i]) == 0)
			return true;
	return false;
}

/* Documents larger than this are parsed again when a tree is wanted rather
 * than have their events kept: the events of a large List would otherwise
 * sit beside the tree built from them. */
#define DOC_KEEP_EVENTS_MAX ((size_t)1 << 20)

/* ---- the event pass ---- */

enum { K_NONE, K_API, K_KIND, K_META, K_NAME, K_NS, K_ANNS, K_FILENAME, K_HOOK, K_OTHER };

#define SCAN_DEPTH 3 /* root, metadata, metadata.annotations */

_Static_assert(K_OTHER <= DOC_TEXTS, "struct doc holds every identity string");

struct scan {
	int depth;                         /* open collections */
	bool is_map[SCAN_DEPTH + 1];       /* per tracked depth (1-based) */
	bool want_key[SCAN_DEPTH + 1];
	int key[SCAN_DEPTH + 1];           /* K_* of the pending key */
	bool seen[K_OTHER];                /* tracked keys met, for duplicates */
	bool tree;                         /* only the node tree can tell */
	bool mentions_dms, env_switch;     /* see struct doc */
	bool skip_dms;                     /* the kind is known and neither a workload nor a List */
	bool skip_env;                     /* the kind is known and neither a ConfigMap nor a Secret */
	bool after_image;                  /* the previous scalar was "image" */
	bool skip_svc;                     /* the kind is known and neither a Service nor a List */
	bool after_port, after_target;     /* the previous scalar was "port" or "targetPort" */
	bool mail_port;                    /* see struct doc */
	int docs;                          /* DOCUMENT-START events */
	yaml_event_type_t root;            /* first event of the root node */
	bool root_null;
	size_t root_line, root_col;
	char *text[K_OTHER];               /* scalar values of the leaf keys */
	bool keep;                         /* the events are kept in ev */
	bool uninteresting;                /* the kind says no tree is read */
	struct compose_events ev;
};

/* Which tracked key VALUE is at the current depth (the parents' keys
 * decide). */
static int
key_of(const struct scan *s, const char *v)
{
	switch (s->depth) {
	case 1:
		return !strcmp(v, "apiVersion") ? K_API : !strcmp(v, "kind") ? K_KIND
			: !strcmp(v, "metadata") ? K_META : K_OTHER;
	case 2:
		if (s->key[1] != K_META)
			return K_OTHER;
		return !strcmp(v, "name") ? K_NAME : !strcmp(v, "namespace") ? K_NS
			: !strcmp(v, "annotations") ? K_ANNS : K_OTHER;
	case 3:
		if (s->key[1] != K_META || s->key[2] != K_ANNS)
			return K_OTHER;
		return !strcmp(v, "postrenderer.helm.sh/postrender-filename") ? K_FILENAME
			: !strcmp(v, DOC_HOOK_KEY)				    ? K_HOOK
										    : K_OTHER;
	default:
		return K_OTHER;
	}
}

/* A node (scalar, alias or collection start) at the current depth: a key or
 * a value of the enclosing mapping. Returns the key it is the value of. */
static int
take_node(struct scan *s, const char *scalar)
{
	int d = s->depth;
	if (d == 0 || d > SCAN_DEPTH || !s->is_map[d])
		return K_NONE;
	if (s->want_key[d]) {
		int k = scalar ? key_of(s, scalar) : K_OTHER;
		if (scalar && !strcmp(scalar, "<<"))
			s->tree = true; /* a merge key may bring in any field */
		if (k != K_OTHER) {
			if (s->seen[k])
				s->tree = true; /* a duplicated identity key */
			s->seen[k] = true;
		}
		s->key[d] = k;
		s->want_key[d] = false;
		return K_NONE;
	}
	s->want_key[d] = true;
	return s->key[d];
}

/* What decides whether the document needs a tree, from the decoded values
 * (an escape in the text cannot hide a name), for scalar V of N bytes: an
 * image value (the scalar after an "image" key) that can match; a Service
 * port that is a mail port, or a targetPort that names one (expose.c then
 * decides). */
static void
decide(struct scan *s, const char *v, size_t n)
{
	if (s->after_image && !s->mentions_dms && !s->skip_dms && n >= 17 && mem_contains(v, n, "docker-mailserver"))
		s->mentions_dms = true;
	if ((s->after_port || s->after_target) && !s->mail_port && !s->skip_svc)
		s->mail_port = proxy_is_mail_port(v) || (s->after_target && (!n || strspn(v, "0123456789") != n));
}

/* Remember whether scalar V (N bytes) is a key whose value decide() reads. */
static void
follow(struct scan *s, const char *v, size_t n)
{
	s->after_image = s->after_port = s->after_target = false;
	switch (n) {
	case 4: s->after_port = !memcmp(v, "port", 4); break;
	case 5: s->after_image = !memcmp(v, "image", 5); break;
	case 10: s->after_target = !memcmp(v, "targetPort", 10); break;
	default: break;
	}
}

static void
scan_event(struct scan *s, const yaml_event_t *e)
{
	switch (e->type) {
	case YAML_DOCUMENT_START_EVENT:
		s->docs++;
		break;
	case YAML_ALIAS_EVENT:
		/* An alias can bring in an identity field (at the tracked depths)
		 * or a value a decision reads (an image, a port); elsewhere the
		 * events already showed what it repeats. */
		if (s->depth <= SCAN_DEPTH || s->after_image || s->after_port || s->after_target)
			s->tree = true;
		take_node(s, NULL);
		break;
	case YAML_SCALAR_EVENT: {
		const char *v = (const char *)e->data.scalar.value;
		if (s->depth > SCAN_DEPTH) {
			/* Below the identity: only what the decisions read. */
			if (s->after_image || s->after_port || s->after_target)
				decide(s, v, e->data.scalar.length);
			follow(s, v, e->data.scalar.length);
			break;
		}
		if (s->depth == 0) {
			s->root = e->type;
			s->root_line = e->start_mark.line;
			s->root_col = e->start_mark.column;
			s->root_null = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
				       (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
					!strcmp(v, "NULL"));
			break;
		}
		size_t n = e->data.scalar.length;
		bool is_key = s->depth <= SCAN_DEPTH ? s->is_map[s->depth] && s->want_key[s->depth] : false;
		int k = take_node(s, v);
		if (k != K_NONE && k != K_OTHER && k != K_META && k != K_ANNS && !s->text[k])
			s->text[k] = xstrndup(v, n);
		if (k == K_KIND) {
			s->uninteresting = !doc_kind_may_need_tree(v);
			s->skip_dms = !pod_spec_path(v) && !doc_is_list_kind(v);
			s->skip_svc = strcmp(v, "Service") != 0 && !doc_is_list_kind(v);
			s->skip_env = strcmp(v, "ConfigMap") != 0 && strcmp(v, "Secret") != 0 && !doc_is_list_kind(v);
		}
		decide(s, v, n);
		follow(s, v, n);
		/* A ConfigMap or Secret key (data and stringData are at depth 2)
		 * naming a switch envsrc.c reads. */
		if (!s->env_switch && !s->skip_env && is_key && s->depth == 2 && n >= 7 && n < 256 &&
		    (!memcmp(v, "ENABLE_", 7) || mem_contains(v, n, "SMTP_ONLY") || mem_contains(v, n, "PERMIT_DOCKER")))
			s->env_switch = true;
		break;
	}
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT: {
		bool map = e->type == YAML_MAPPING_START_EVENT;
		if (s->depth == 0) {
			s->root = e->type;
			s->root_line = e->start_mark.line;
			s->root_col = e->start_mark.column;
		} else {
			take_node(s, NULL);
		}
		s->depth++;
		if (s->depth <= SCAN_DEPTH) {
			s->is_map[s->depth] = map;
			s->want_key[s->depth] = true;
			s->key[s->depth] = K_NONE;
		}
		break;
	}
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		s->depth--;
		break;
	default:
		break;
	}
}

static void
scan_free(struct scan *s)
{
	for (size_t i = 0; i < countof(s->text); i++)
		free(s->text[i]);
	compose_drop(&s->ev);
}

/* What libyaml is given for chunk C: its text, or a copy without the UTF-8
 * byte order mark that starts its first content line when that is not the
 * stream's first byte (libyaml accepts one only there; Go's parser and
 * PyYAML read one at the start of any document). The mark stays in the
 * output; only the parser does not see it, so the columns of that one line
 * are 3 less. *COPY is what to free. */
static const unsigned char *
parser_input(const struct chunk *c, size_t *len, char **copy)
{
	const unsigned char *t = (const unsigned char *)c->data;
	size_t h = c->header_len;
	*copy = NULL;
	*len = c->len;
	if (h == 0 || c->len < h + 3 || t[h] != 0xEF || t[h + 1] != 0xBB || t[h + 2] != 0xBF)
		return t;
	*copy = xmalloc(c->len - 3);
	memcpy(*copy, c->data, h);
	memcpy(*copy + h, c->data + h + 3, c->len - h - 3);
	*len = c->len - 3;
	return (const unsigned char *)*copy;
}

/* Parse C as events. Returns 0 with *S filled, or -1 after reporting. */
static int
scan_chunk(const struct chunk *c, struct scan *s, bool *memory_error)
{
	yaml_parser_t p;
	yaml_event_t e;
	int rc = -1;
	bool done = false;

	memset(s, 0, sizeof(*s));
	s->root = YAML_NO_EVENT;
	if (!yaml_parser_initialize(&p)) {
		*memory_error = true;
		diag_error("out of memory initialising the YAML parser");
		return -1;
	}
	char *copy;
	size_t len;
	const unsigned char *text = parser_input(c, &len, &copy);
	yaml_parser_set_input_string(&p, text, len);
	s->keep = c->len <= DOC_KEEP_EVENTS_MAX;
	while (!done) {
		if (!yaml_parser_parse(&p, &e)) {
			*memory_error = p.error == YAML_MEMORY_ERROR;
			report_parser_error(c, &p);
			goto out;
		}
		if (e.type == YAML_DOCUMENT_START_EVENT && s->docs == 1) {
			/* The splitter cut exactly one document; anything after it
			 * is an error that would otherwise go unnoticed. */
			diag_error_at(c->first_line + e.start_mark.line, 1,
				      "a second document without a '---' line before it");
			yaml_event_delete(&e);
			goto out;
		}
		scan_event(s, &e);
		if (s->depth > DOC_MAX_DEPTH) {
			/* libyaml slows down quadratically with depth, and its loader
			 * and emitter recurse: stop long before either matters. */
			diag_error_at(c->first_line + e.start_mark.line, e.start_mark.column + 1,
				      "collections nested more than %d deep; no Kubernetes object needs that",
				      DOC_MAX_DEPTH);
			yaml_event_delete(&e);
			goto out;
		}
		done = e.type == YAML_STREAM_END_EVENT;
		if (s->keep && s->uninteresting) {
			compose_drop(&s->ev);
			s->keep = false;
		}
		if (s->keep)
			compose_keep(&s->ev, &e);
		else
			yaml_event_delete(&e);
	}
	if (is_krm_resource_list(s->text[K_API], s->text[K_KIND])) {
		diag_error_at(c->first_line + s->root_line, s->root_col + 1,
			      "a KRM function's ResourceList; " PROG_NAME " is not a KRM function (it would patch the "
			      "items and ignore functionConfig): run it on the render itself, or use --emit=kustomize "
			      "and let kustomize apply the patches");
		goto out;
	}
	rc = 0;
out:
	yaml_parser_delete(&p);
	free(copy);
	return rc;
}

/* Copy the structure of the tree just built into d->orig, so that the
 * minimal-diff writer can compare the patched tree with it without parsing
 * the text again. Scalar text and tags are shared, never freed here. */
static void
keep_original(struct doc *d)
{
	size_t n = (size_t)(d->y.nodes.top - d->y.nodes.start);
	yaml_node_t *copy = xmalloc((n ? n : 1) * sizeof(*copy));
	memcpy(copy, d->y.nodes.start, n * sizeof(*copy));
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *c = &copy[i];
		if (c->type == YAML_MAPPING_NODE) {
			size_t k = (size_t)(c->data.mapping.pairs.top - c->data.mapping.pairs.start);
			yaml_node_pair_t *a = xmalloc((k ? k : 1) * sizeof(*a));
			memcpy(a, c->data.mapping.pairs.start, k * sizeof(*a));
			c->data.mapping.pairs.start = a;
			c->data.mapping.pairs.top = c->data.mapping.pairs.end = a + k;
		} else if (c->type == YAML_SEQUENCE_NODE) {
			size_t k = (size_t)(c->data.sequence.items.top - c->data.sequence.items.start);
			yaml_node_item_t *a = xmalloc((k ? k : 1) * sizeof(*a));
			memcpy(a, c->data.sequence.items.start, k * sizeof(*a));
			c->data.sequence.items.start = a;
			c->data.sequence.items.top = c->data.sequence.items.end = a + k;
		}
	}
	memset(&d->orig, 0, sizeof(d->orig));
	d->orig.nodes.start = copy;
	d->orig.nodes.top = d->orig.nodes.end = copy + n;
}

static void
free_original(struct doc *d)
{
	for (yaml_node_t *c = d->orig.nodes.start; c && c < d->orig.nodes.top; c++) {
		if (c->type == YAML_MAPPING_NODE)
			free(c->data.mapping.pairs.start);
		else if (c->type == YAML_SEQUENCE_NODE)
			free(c->data.sequence.items.start);
	}
	free(d->orig.nodes.start);
	memset(&d->orig, 0, sizeof(d->orig));
}

/* An anchor or alias name in the text: where it starts (after '&' or '*')
 * and how long it is. */
struct name_at {
	size_t off, len;
	char *name;
	bool anchor;
};

/* TEXT (LEN bytes) with every anchor name that was already defined renamed
 * (and the aliases after it that refer to it), so that libyaml's loader,
 * which refuses a reused anchor name, reads what YAML 1.2 (and Go's parser)
 * reads: an alias refers to the latest anchor of its name. Names are not
 * data, and a document with aliases is never spliced, so the new names are
 * seen by nobody. Returns a malloc'd copy with its length in *OUT_LEN, or
 * NULL when the text cannot be read as events or nothing needs renaming. */
static char *
rename_reused_anchors(const unsigned char *text, size_t len, size_t *out_len)
{
	yaml_parser_t p;
	yaml_event_t e;
	struct name_at *at = NULL;
	size_t n = 0, cap = 0;
	bool reused = false, ok = true;
	if (!yaml_parser_initialize(&p))
		return NULL;
	yaml_parser_set_input_string(&p, text, len);
	for (bool done = false; ok && !done;) {
		if (!yaml_parser_parse(&p, &e)) {
			ok = false;
			break;
		}
		const yaml_char_t *name = NULL;
		bool anchor = true;
		if (e.type == YAML_ALIAS_EVENT) {
			name = e.data.alias.anchor;
			anchor = false;
		} else if (e.type == YAML_SCALAR_EVENT) {
			name = e.data.scalar.anchor;
		} else if (e.type == YAML_SEQUENCE_START_EVENT) {
			name = e.data.sequence_start.anchor;
		} else if (e.type == YAML_MAPPING_START_EVENT) {
			name = e.data.mapping_start.anchor;
		}
		if (name) {
			/* The node's properties start at its start mark: the anchor
			 * there, or after a tag. */
			size_t i = e.start_mark.index, nl = strlen((const char *)name);
			unsigned char sigil = anchor ? '&' : '*';
			while (i < len && text[i] != sigil)
				i++;
			if (i + 1 + nl > len || memcmp(text + i + 1, name, nl) != 0) {
				ok = false;
			} else {
				if (n == cap) {
					cap = cap ? 2 * cap : 16;
					at = xrealloc(at, cap * sizeof(*at));
				}
				for (size_t k = 0; anchor && k < n; k++)
					reused |= at[k].anchor && strcmp(at[k].name, (const char *)name) == 0;
				at[n++] = (struct name_at){i + 1, nl, xstrdup((const char *)name), anchor};
			}
		}
		done = e.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&p);
	char *copy = NULL;
	if (ok && reused) {
		/* Each definition gets a generation; its aliases the latest one. */
		struct buf b = {0};
		size_t from = 0;
		for (size_t k = 0; k < n; k++) {
			size_t gen = 0;
			for (size_t j = 0; j < k; j++)
				gen += at[j].anchor && strcmp(at[j].name, at[k].name) == 0;
			if (!at[k].anchor && gen)
				gen--; /* the latest definition before it */
			buf_add(&b, text + from, at[k].off + at[k].len - from);
			if (gen) {
				char suffix[32];
				snprintf(suffix, sizeof(suffix), "__dmspr%zu", gen);
				buf_adds(&b, suffix);
			}
			from = at[k].off + at[k].len;
		}
		buf_add(&b, text + from, len - from);
		*out_len = b.len;
		copy = b.data;
	}
	for (size_t k = 0; k < n; k++)
		free(at[k].name);
	free(at);
	return copy;
}

static int describe_tree(struct doc *d);

/* The tree from the events the first parse kept. */
static int
compose_tree(struct doc *d)
{
	struct compose_error err = {0};
	bool reused = false;
	if (!compose(&d->events, &d->y, &reused, &err)) {
		diag_error_at(d->chunk->first_line + err.mark.line, err.mark.column + 1, "%s", err.problem);
		return -1;
	}
	d->loaded = true;
	d->reused_anchor = reused;
	return describe_tree(d);
}

/* Shrink libyaml stack ST (start, top, end) to its items plus ROOM (at
 * least one slot). */
#define TRIM(st, room)                                                                 \
	do {                                                                           \
		size_t used_ = (size_t)((st).top - (st).start), want_ = used_ + (room); \
		if (!want_)                                                            \
			want_ = 1;                                                     \
		if ((size_t)((st).end - (st).start) > want_) {                        \
			(st).start = xrealloc((st).start, want_ * sizeof(*(st).start)); \
			(st).top = (st).start + used_;                                 \
			(st).end = (st).start + want_;                                 \
		}                                                                      \
	} while (0)

/* The tree from the text, parsed again. */
static int
load_tree(struct doc *d, bool *memory_error)
{
	const struct chunk *c = d->chunk;
	yaml_parser_t p;
	int rc = -1;

	if (d->events.n)
		return compose_tree(d);
	if (!yaml_parser_initialize(&p)) {
		*memory_error = true;
		diag_error("out of memory initialising the YAML parser");
		return -1;
	}
	char *copy;
	size_t len;
	const unsigned char *text = parser_input(c, &len, &copy);
	size_t copy_len = len;
	yaml_parser_set_input_string(&p, text, len);
	if (!yaml_parser_load(&p, &d->y)) {
		size_t rlen = 0;
		char *renamed = p.error == YAML_COMPOSER_ERROR && p.context &&
					strstr(p.context, "duplicate anchor")
				? rename_reused_anchors(text, len, &rlen)
				: NULL;
		if (!renamed) {
			*memory_error = p.error == YAML_MEMORY_ERROR;
			report_parser_error(c, &p);
			goto out;
		}
		/* A reused anchor name: load the text with the later ones renamed. */
		d->reused_anchor = true;
		yaml_parser_delete(&p);
		free(copy);
		copy = renamed;
		copy_len = rlen;
		if (!yaml_parser_initialize(&p)) {
			*memory_error = true;
			diag_error("out of memory initialising the YAML parser");
			return -1;
		}
		yaml_parser_set_input_string(&p, (const unsigned char *)copy, rlen);
		if (!yaml_parser_load(&p, &d->y)) {
			*memory_error = p.error == YAML_MEMORY_ERROR;
			report_parser_error(c, &p);
			goto out;
		}
	}
	d->loaded = true;
	/* libyaml grows its node array by doubling and gives every mapping and
	 * sequence room for 16 children: give back what the patches will not
	 * need (they add a few hundred nodes at most, and a child here and
	 * there; past the room left, libyaml grows an array again). */
	TRIM(d->y.nodes, 4096);
	for (yaml_node_t *n = d->y.nodes.start; n < d->y.nodes.top; n++) {
		if (n->type == YAML_MAPPING_NODE)
			TRIM(n->data.mapping.pairs, 0);
		else if (n->type == YAML_SEQUENCE_NODE)
			TRIM(n->data.sequence.items, 0);
	}
	/* What the loader forgets: explicit string tags (!!str 1 stays a string). */
	if (!ynode_keep_explicit_str(&d->y, copy ? copy : c->data, copy ? copy_len : c->len)) {
		diag_error("internal error: document %zu reads differently the second time", c->index);
		goto out;
	}
	/* The parser's buffers go before the tree is copied. */
	yaml_parser_delete(&p);
	memset(&p, 0, sizeof(p));
	rc = describe_tree(d);
out:
	yaml_parser_delete(&p);
	free(copy);
	return rc;
}

/* Keep a copy of the tree just built, check its root and describe its
 * objects from it. */
static int
describe_tree(struct doc *d)
{
	const struct chunk *c = d->chunk;
	keep_original(d);
	yaml_node_t *root = yaml_document_get_root_node(&d->y);
	if (!root || root->type != YAML_MAPPING_NODE) { /* the event pass said otherwise */
		diag_error("internal error: document %zu reads differently the second time", c->index);
		return -1;
	}
	free(d->objects);
	d->objects = NULL;
	d->nobjects = 0;
	int items = 0;
	const char *kind = ynode_str(&d->y, ynode_get(&d->y, 1, "kind"));
	if (doc_is_list_kind(kind))
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
	return 0;
}

int
doc_validate(const struct chunk *c, bool *memory_error)
{
	struct scan s;
	*memory_error = false;
	int rc = scan_chunk(c, &s, memory_error);
	scan_free(&s);
	return rc;
}

int
doc_load(struct doc *d, const struct chunk *c, bool *memory_error)
{
	struct scan s;

	memset(d, 0, sizeof(*d));
	d->chunk = c;
	*memory_error = false;
	if (scan_chunk(c, &s, memory_error) != 0) {
		scan_free(&s);
		return -1;
	}
	d->root_line = s.root_line;
	/* No document, or "---" with nothing (or null) after it. */
	if (s.root == YAML_NO_EVENT || (s.root == YAML_SCALAR_EVENT && s.root_null)) {
		d->empty = true;
		scan_free(&s);
		return 0;
	}
	if (s.root != YAML_MAPPING_START_EVENT) {
		diag_error_at(c->first_line + s.root_line, s.root_col + 1,
			      "document root is a %s; a Kubernetes object must be a mapping",
			      s.root == YAML_SEQUENCE_START_EVENT ? "sequence" : "scalar");
		scan_free(&s);
		return -1;
	}
	/* The identity from the events: the strings live as long as d. */
	memcpy(d->text, s.text, sizeof(s.text));
	memset(s.text, 0, sizeof(s.text));
	d->objects = xcalloc(1, sizeof(*d->objects));
	d->nobjects = 1;
	d->objects[0].api_version = d->text[K_API];
	d->objects[0].kind = d->text[K_KIND];
	d->objects[0].name = d->text[K_NAME];
	d->objects[0].namespace_ = d->text[K_NS];
	d->objects[0].filename = d->text[K_FILENAME];
	d->objects[0].hook = d->text[K_HOOK];
	/* Under Helm 4 nobody sees the stream's line numbers: messages name the
	 * template file first. */
	if (!c->source && d->text[K_FILENAME])
		diag_set_template(d->text[K_FILENAME]);
	/* Anchors, aliases, merge keys and duplicated identity keys: only the
	 * tree can say what the object is. */
	bool tree = s.tree;
	if (s.keep) {
		d->events = s.ev;
		memset(&s.ev, 0, sizeof(s.ev));
	}
	d->mentions_dms = s.mentions_dms;
	d->env_switch = s.env_switch;
	d->mail_port = s.mail_port;
	scan_free(&s);
	if (tree && doc_need_tree(d, memory_error) != 0) {
		doc_free(d);
		return -1;
	}
	return 0;
}

int
doc_load_held(struct doc *d, const struct chunk *c, bool *memory_error)
{
	memset(d, 0, sizeof(*d));
	d->chunk = c;
	*memory_error = false;
	if (load_tree(d, memory_error) != 0) {
		doc_free(d);
		return -1;
	}
	if (!c->source && d->nobjects && d->objects[0].filename)
		diag_set_template(d->objects[0].filename);
	return 0;
}

int
doc_need_tree(struct doc *d, bool *memory_error)
{
	bool mem = false;
	if (d->loaded || d->empty)
		return 0;
	return load_tree(d, memory_error ? memory_error : &mem);
}

size_t
doc_memory(const struct doc *d)
{
	if (!d->loaded)
		return 0;
	size_t n = (size_t)(d->y.nodes.top - d->y.nodes.start);
	/* Each node twice (the tree and its copy), a pair or item array slot
	 * and a tag or value allocation each; the text is about the scalars. */
	return n * (2 * sizeof(yaml_node_t) + 2 * sizeof(yaml_node_pair_t) + 64) + d->chunk->len;
}

void
doc_note(const struct doc *d)
{
	if (!diag_verbose())
		return;
	for (size_t i = 0; i < d->nobjects; i++) {
		const struct object *o = &d->objects[i];
		diag_note("document %zu%s: %s %s%s%s (line %zu)", d->chunk->index, d->is_list ? " (List item)" : "",
			  o->kind ? o->kind : "<no kind>", o->namespace_ ? o->namespace_ : "",
			  o->namespace_ ? "/" : "", o->name ? o->name : "<no name>", doc_line(d, o->node));
	}
}

void
doc_drop_tree(struct doc *d)
{
	free_original(d);
	if (d->loaded)
		compose_delete(&d->y);
	memset(&d->y, 0, sizeof(d->y));
	d->loaded = false;
}

void
doc_free(struct doc *d)
{
	for (size_t i = 0; i < d->nobjects; i++)
		free(d->objects[i].containers);
	free(d->objects);
	free_original(d);
	if (d->loaded)
		compose_delete(&d->y);
	for (size_t i = 0; i < countof(d->text); i++)
		free(d->text[i]);
	compose_drop(&d->events);
	const struct chunk *c = d->chunk;
	memset(d, 0, sizeof(*d));
	d->chunk = c;
}
