/* patch.c -- the toolkit the patches are written with: typed, recorded,
 * alias-safe edits of one object (patch_own, patch_set, ...), located
 * errors and warnings, and the context's life (describe, duplicate keys,
 * shared nodes, finishing). It runs no patch and decides no field value:
 * runner.c runs the patches, which decide. */
#include "patch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "image.h"
#include "report.h"
#include "util.h"
#include "ynode.h"
#include "yscalar.h"

bool
patch_is_dms_container(const struct config *cfg, const struct container *c)
{
	if (c->init)
		return false;
	if (cfg->containers.n) {
		for (size_t i = 0; c->name && i < cfg->containers.n; i++)
			if (strcmp(c->name, cfg->containers.v[i]) == 0)
				return true;
		return false;
	}
	return image_is_dms(c->image, cfg->images.v, cfg->images.n);
}

/* ---- the pod spec and the containers ---- */

int
patch_own_pod_spec(struct patch_ctx *x)
{
	char seg[64], path[128] = "";
	const char *p = x->pod_path;
	int node = x->o->node;
	while (node && *p) {
		size_t n = strcspn(p, ".");
		if (n >= sizeof(seg))
			return 0;
		memcpy(seg, p, n);
		seg[n] = '\0';
		size_t used = strlen(path);
		snprintf(path + used, sizeof(path) - used, "%s%s", used ? "." : "", seg);
		node = patch_own(x, node, seg, true, false, path);
		p += n + (p[n] == '.');
	}
	if (!node)
		return diag_failed() ? 0 : (patch_error(x, 0, "the pod spec is missing"), 0);
	x->o->pod_spec = node;
	return node;
}

int
patch_own_container(struct patch_ctx *x, int pod, size_t idx)
{
	struct container *c = &x->o->containers[idx];
	char path[128];
	snprintf(path, sizeof(path), "%s.containers", x->pod_path);
	int seq = patch_own(x, pod, "containers", false, false, path);
	size_t pos = 0, n = ynode_seq_len(x->y, seq);
	while (pos < n && ynode_seq_item(x->y, seq, pos) != c->node)
		pos++;
	int node = pos < n ? patch_own_item(x, seq, pos) : 0;
	if (!node)
		return diag_failed() ? -1 : patch_error(x, c->node, "cannot find the container again");
	c->node = node;
	return 0;
}

/* ---- messages and change records ---- */

int
patch_error(struct patch_ctx *x, int node, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized): false positive */
	va_end(ap);
	struct yspan s = ynode_span(x->y, node ? node : x->o->node);
	diag_error_at(doc_line(x->d, node ? node : x->o->node), s.col, "%s: %s", x->what, msg);
	return -1;
}

void
patch_warn(struct patch_ctx *x, int node, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized): false positive */
	va_end(ap);
	/* New nodes have no position; fall back to the object's line. */
	struct yspan s = ynode_span(x->y, node);
	diag_warn_at(doc_line(x->d, s.line ? node : x->o->node), "%s: %s", x->what, msg);
}

void
patch_changed(struct patch_ctx *x, const char *path, const char *old, const char *new_)
{
	x->changes++;
	if (diag_verbose()) {
		x->notes = xrealloc(x->notes, (x->nnotes + 1) * sizeof(*x->notes));
		x->notes[x->nnotes++] = (struct patch_note){xstrdup(x->what), xstrdup(path),
							    xstrdup(old ? old : "(absent)"), xstrdup(new_)};
	}
	if (report_active()) {
		const struct chunk *c = x->d->chunk;
		char source[1024];
		snprintf(source, sizeof(source), "%.*s", c->source ? (int)(c->source_len < 1000 ? c->source_len : 1000) : 0,
			 c->source ? c->source : "");
		if (x->o->filename)
			snprintf(source, sizeof(source), "%s", x->o->filename);
		report_change(c->index, x->o->kind, x->o->namespace_, x->o->name, source[0] ? source : NULL,
			      x->patch, path, old, new_);
	}
}

const char *
patch_text(struct patch_ctx *x, int node)
{
	if (!node)
		return NULL;
	if (ynode_is_map(x->y, node))
		return "(a mapping)";
	if (ynode_is_seq(x->y, node))
		return "(a sequence)";
	/* A quoted "0" or "true" is a string to Kubernetes: show the quotes
	 * where they make the difference. Two buffers, as a message may name
	 * an old and a new value. */
	yaml_node_t *n = ynode_at(x->y, node);
	const char *v = ynode_str(x->y, node);
	if (v && n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE && n->data.scalar.style != YAML_ANY_SCALAR_STYLE &&
	    !yscalar_plain_is_str(v) && strlen(v) < 100) {
		static char shown[2][128];
		static int next;
		next = !next;
		snprintf(shown[next], sizeof(shown[next]), "\"%s\" (a string)", v);
		return shown[next];
	}
	return v;
}

int
patch_bool(struct patch_ctx *x, int node)
{
	return ynode_bool(x->y, node);
}

/* ---- alias-safe editing ---- */

static bool
is_shared(struct patch_ctx *x, int id)
{
	return x->shared && id > 0 && (size_t)id <= x->nshared && x->shared[id - 1];
}

/* Mark every node referenced more than once. Documents without aliases (the
 * rule) leave shared NULL, so the checks cost nothing. */
void
patch_find_shared(struct patch_ctx *x)
{
	yaml_document_t *y = x->y;
	size_t n = (size_t)(y->nodes.top - y->nodes.start);
	unsigned char *count = xcalloc(n ? n : 1, 1);
	bool any = false;
#define SEE(id)                                                           \
	do {                                                              \
		size_t i_ = (size_t)(id) - 1;                             \
		if ((id) > 0 && i_ < n && count[i_] < 2 && ++count[i_] == 2) \
			any = true;                                       \
	} while (0)
	for (yaml_node_t *node = y->nodes.start; node < y->nodes.top; node++) {
		if (node->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *i = node->data.sequence.items.start; i < node->data.sequence.items.top; i++)
				SEE(*i);
		} else if (node->type == YAML_MAPPING_NODE) {
			for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
				SEE(p->key);
				SEE(p->value);
			}
		}
	}
#undef SEE
	if (!any) {
		free(count);
		return;
	}
	x->shared = count;
	x->nshared = n;
	for (size_t i = 0; i < n; i++)
		count[i] = count[i] > 1;
}

static int
unshare(struct patch_ctx *x, int id, const char *path)
{
	if (!is_shared(x, id))
		return id;
	/* The copy may add at most the document's own size, so the output
	 * stays within reach of --max-document-size. */
	int c = ynode_clone(x->y, id, x->d->chunk->len);
	if (!c)
		return patch_error(x, id, "%s is shared through a YAML alias and too deep or too large "
				   "to copy safely; expand the alias in the chart", path), 0;
	diag_note("document %zu, %s: %s is shared through a YAML alias; editing a copy", x->d->chunk->index,
		  x->what, path);
	return c;
}

int
patch_own(struct patch_ctx *x, int parent, const char *key, bool want_map, bool create, const char *path)
{
	int v = ynode_get(x->y, parent, key);
	if (!v || ynode_is_null(x->y, v)) {
		if (!create)
			return 0;
		int n = want_map ? ynode_ensure_map(x->y, parent, key) : ynode_ensure_seq(x->y, parent, key);
		if (!n)
			return patch_error(x, parent, "cannot add %s: out of memory", path), 0;
		patch_changed(x, path, v ? "null" : NULL, want_map ? "{}" : "[]");
		return n;
	}
	if (want_map ? !ynode_is_map(x->y, v) : !ynode_is_seq(x->y, v))
		return patch_error(x, v, "%s is %s; expected a %s", path,
				   ynode_is_map(x->y, v) ? "a mapping" : ynode_is_seq(x->y, v) ? "a sequence" : "a scalar",
				   want_map ? "mapping" : "sequence"), 0;
	int own = unshare(x, v, path);
	if (own && own != v)
		ynode_set(x->y, parent, key, own);
	return own;
}

int
patch_own_item(struct patch_ctx *x, int seq, size_t i)
{
	int v = ynode_seq_item(x->y, seq, i);
	int own = unshare(x, v, "a container");
	if (own && own != v)
		ynode_at(x->y, seq)->data.sequence.items.start[i] = own;
	return own;
}

void
patch_set(struct patch_ctx *x, int map, const char *key, const char *value, yaml_scalar_style_t style,
	  const char *path)
{
	const char *old = patch_text(x, ynode_get(x->y, map, key));
	char was[128];
	if (old)
		snprintf(was, sizeof(was), "%s", old);
	if (!ynode_set_str(x->y, map, key, value, style)) {
		patch_error(x, map, "cannot set %s: out of memory", path);
		return;
	}
	patch_changed(x, path, old ? was : NULL, value);
}

/* ---- duplicate keys ---- */

/* Every mapping reachable from ROOT, aliases followed once. */
int
patch_check_dup_keys(struct patch_ctx *x, int root)
{
	yaml_document_t *y = x->y;
	size_t n = (size_t)(y->nodes.top - y->nodes.start);
	unsigned char *seen = xcalloc(n + 1, 1);
	int *stack = xmalloc((n + 1) * sizeof(int));
	size_t top = 0;
	int rc = 0;
	stack[top++] = root;
	seen[root] = 1;
	while (top && rc == 0) {
		int id = stack[--top];
		yaml_node_t *node = ynode_at(y, id);
		if (node->type == YAML_MAPPING_NODE) {
			int k = ynode_dup_key(y, id);
			if (k) {
				struct yspan s = ynode_span(y, k);
				diag_error_at(doc_line(x->d, k), s.col,
					      "%s: duplicate key '%s' in a docker-mailserver workload; "
					      "Kubernetes would silently keep one of them, so remove the other",
					      x->what, ynode_str(y, k));
				rc = -1;
				break;
			}
			for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++)
				if (!seen[p->value]) {
					seen[p->value] = 1;
					stack[top++] = p->value;
				}
		} else if (node->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *i = node->data.sequence.items.start; i < node->data.sequence.items.top; i++)
				if (!seen[*i]) {
					seen[*i] = 1;
					stack[top++] = *i;
				}
		}
	}
	free(seen);
	free(stack);
	return rc;
}

/* ---- the context's life ---- */

void
patch_describe(struct patch_ctx *x)
{
	const struct object *o = x->o;
	snprintf(x->what, sizeof(x->what), "%s %s%s%s", o->kind, o->namespace_ ? o->namespace_ : "",
		 o->namespace_ ? "/" : "", o->name ? o->name : "(no name)");
	const char *pod = doc_pod_spec_path(o->kind);
	snprintf(x->pod_path, sizeof(x->pod_path), "%s", pod ? pod : "");
}

/* In a document written in flow style (typically JSON), the strings and keys
 * we added are double-quoted so that a JSON document stays JSON. */
static void
quote_for_json(struct patch_ctx *x)
{
	yaml_node_t *root = ynode_at(x->y, 1);
	if (!root || root->type != YAML_MAPPING_NODE || root->data.mapping.style != YAML_FLOW_MAPPING_STYLE)
		return;
	for (yaml_node_t *n = x->y->nodes.start + x->norig; n < x->y->nodes.top; n++) {
		if (n->type != YAML_SCALAR_NODE)
			continue;
		const char *v = (const char *)n->data.scalar.value;
		char *end;
		(void)strtol(v, &end, 10);
		bool literal = !strcmp(v, "true") || !strcmp(v, "false") || !strcmp(v, "null") || (*v && !*end);
		if (!literal)
			n->data.scalar.style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	}
}

/* Where PATH's last step starts ('.' or '[' outside brackets); 0 if none. */
static size_t
last_step(const char *path)
{
	size_t at = 0;
	int depth = 0;
	for (size_t i = 0; path[i]; i++) {
		if (path[i] == ']') {
			depth--;
		} else if ((path[i] == '[' || path[i] == '.') && depth == 0) {
			at = i;
			depth += path[i] == '[';
		} else if (path[i] == '[') {
			depth++;
		}
	}
	return at;
}

/* PREFIX followed by '.' or '[' (or the end) starts PATH. */
static bool
under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '.' || path[n] == '[');
}

/* Note K (of a group ending at END) made an empty {} or [] only to hold the
 * next change. */
static bool
is_scaffold(const struct patch_ctx *x, size_t k, size_t end)
{
	const struct patch_note *c = &x->notes[k];
	return !strcmp(c->old, "(absent)") && (!strcmp(c->new_, "{}") || !strcmp(c->new_, "[]")) && k + 1 < end &&
	       under(x->notes[k + 1].path, c->path);
}

/* --verbose, grouped: one line per object, then its changes under the
 * mapping they are in. An empty {} or [] made only to hold what follows is
 * left out, and the items added to one list are one line. */
static void
print_notes(struct patch_ctx *x)
{
	for (size_t i = 0; i < x->nnotes;) {
		size_t end = i;
		while (end < x->nnotes && !strcmp(x->notes[end].what, x->notes[i].what))
			end++;
		size_t n = 0;
		for (size_t k = i; k < end; k++)
			n += !is_scaffold(x, k, end);
		diag_note("document %zu, %s: %zu change%s", x->d->chunk->index, x->notes[i].what, n, n == 1 ? "" : "s");
		char group[512] = "";
		for (size_t k = i; k < end; k++) {
			const struct patch_note *c = &x->notes[k];
			if (is_scaffold(x, k, end))
				continue;
			if (!group[0] || !under(c->path, group)) {
				size_t at = last_step(c->path);
				snprintf(group, sizeof(group), "%.*s", (int)at, c->path);
				if (group[0]) /* no ':' at the end: diag would add errno's text */
					diag_note("  %s", group);
			}
			const char *leaf = c->path + strlen(group) + (group[0] && c->path[strlen(group)] == '.');
			if (!strcmp(c->old, "(not listed)")) {
				/* Items added to one list: one line. */
				struct buf items = {0};
				buf_adds(&items, c->new_);
				while (k + 1 < end && !strcmp(x->notes[k + 1].old, "(not listed)") &&
				       !strcmp(x->notes[k + 1].path, c->path)) {
					buf_adds(&items, ", ");
					buf_adds(&items, x->notes[++k].new_);
				}
				diag_note("    %s: + %s", leaf, items.data);
				buf_free(&items);
			} else {
				diag_note("    %s: %s -> %s", leaf, c->old, c->new_);
			}
		}
		i = end;
	}
	for (size_t k = 0; k < x->nnotes; k++) {
		free(x->notes[k].what);
		free(x->notes[k].path);
		free(x->notes[k].old);
		free(x->notes[k].new_);
	}
	free(x->notes);
	x->notes = NULL;
	x->nnotes = 0;
}

/* After the patches: mark the document for re-serialisation when they
 * edited it, and release the alias map. */
void
patch_ctx_finish(struct patch_ctx *x)
{
	free(x->shared);
	x->shared = NULL;
	print_notes(x);
	if (x->changes) {
		x->d->changed = true;
		quote_for_json(x);
	}
}

