/* patch.c -- runs the registered patches over each object that has a
 * docker-mailserver container, and provides the editing helpers that keep
 * edits typed, recorded and alias-safe. It decides no field values: the
 * patches (harden.c, ...) do. */
#include "patch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "emit.h"
#include "expose.h"
#include "harden.h"
#include "hostnet.h"
#include "gendoc.h"
#include "image.h"
#include "metallb.h"
#include "proxy.h"
#include "report.h"
#include "stash.h"
#include "util.h"
#include "ynode.h"

/* The workload patches, in the order they run. */
static const struct {
	const char *name; /* in --report */
	bool (*applies)(const struct patch_ctx *x);
	int (*apply)(struct patch_ctx *x);
} patches[] = {
	/* proxy first: hardening's Fail2Ban warning looks at the ports it adds. */
	{"proxy", proxy_applies, proxy_apply},
	{"harden", harden_applies, harden_apply},
	{"host-network", hostnet_applies, hostnet_apply},
};

/* A mail Service waiting for its workload, or a ConfigMap waiting for the
 * first docker-mailserver workload (--proxy-protocol): its text in the
 * stash, and a copy of its chunk description whose data is fetched when
 * needed. */
struct held {
	bool configmap;
	size_t slot;
	struct stash_item text;
	char *source;
	struct chunk c;
};

struct patch_run {
	const struct config *cfg;
	struct envsrc *env;
	size_t workloads;      /* workload objects seen */
	size_t dms_containers; /* docker-mailserver containers hardened */
	bool *name_seen;       /* per cfg->containers entry */
	bool *service_seen;    /* per cfg->services entry */
	struct dms_workload *dms; /* docker-mailserver workloads seen */
	size_t ndms;
	struct dms_workload *sel; /* those a Service selects: shallow copies */
	size_t sel_cap;
	struct held *held;
	size_t nheld, held_cap;
	struct stash stash;    /* the held Services' text */
	size_t dms_services;   /* docker-mailserver Services patched */
	size_t held_changed;   /* held Services written changed */
	struct gendoc_stream gen;
	struct metallb metallb;
	struct proxy *proxy;
};

struct patch_run *
patch_run_new(const struct config *cfg)
{
	struct patch_run *r = xcalloc(1, sizeof(*r));
	r->cfg = cfg;
	r->env = envsrc_new();
	r->name_seen = xcalloc(cfg->containers.n + 1, sizeof(bool));
	r->service_seen = xcalloc(cfg->services.n + 1, sizeof(bool));
	metallb_init(&r->metallb, cfg);
	r->proxy = proxy_new(cfg);
	stash_init(&r->stash, STASH_DEFAULT_MEMORY);
	return r;
}

void
patch_run_free(struct patch_run *r)
{
	if (!r)
		return;
	envsrc_free(r->env);
	proxy_free(r->proxy);
	free(r->name_seen);
	free(r->service_seen);
	for (size_t i = 0; i < r->ndms; i++)
		expose_workload_free(&r->dms[i]);
	free(r->dms);
	free(r->sel);
	for (size_t i = 0; i < r->nheld; i++) {
		stash_drop(&r->stash, &r->held[i].text);
		free(r->held[i].source);
	}
	free(r->held);
	stash_free(&r->stash);
	free(r);
}

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
	diag_note("document %zu, %s: %s: %s -> %s", x->d->chunk->index, x->what, path, old ? old : "(absent)",
		  new_);
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
	return ynode_str(x->y, node);
}

int
patch_bool(struct patch_ctx *x, int node)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"};
	yaml_node_t *n = ynode_at(x->y, node);
	if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return -1;
	const char *v = (const char *)n->data.scalar.value;
	for (size_t i = 0; i < countof(yes); i++) {
		if (strcmp(v, yes[i]) == 0)
			return 1;
		if (strcmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* ---- alias-safe editing ---- */

static bool
is_shared(struct patch_ctx *x, int id)
{
	return x->shared && id > 0 && (size_t)id <= x->nshared && x->shared[id - 1];
}

/* Mark every node referenced more than once. Documents without aliases (the
 * rule) leave shared NULL, so the checks cost nothing. */
static void
find_shared(struct patch_ctx *x)
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
static int
check_dup_keys(struct patch_ctx *x, int root)
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

/* ---- the runner ---- */

static void
describe(struct patch_ctx *x)
{
	const struct object *o = x->o;
	snprintf(x->what, sizeof(x->what), "%s %s%s%s", o->kind, o->namespace_ ? o->namespace_ : "",
		 o->namespace_ ? "/" : "", o->name ? o->name : "(no name)");
	const char *pod = doc_pod_spec_path(o->kind);
	snprintf(x->pod_path, sizeof(x->pod_path), "%s", pod ? pod : "");
}

static int
patch_object(struct patch_run *r, struct object *o, struct patch_ctx *x)
{
	x->o = o;
	x->ndms = 0;
	for (size_t i = 0; i < o->ncontainers; i++) {
		if (!patch_is_dms_container(r->cfg, &o->containers[i]))
			continue;
		for (size_t k = 0; k < r->cfg->containers.n; k++)
			if (o->containers[i].name && strcmp(o->containers[i].name, r->cfg->containers.v[k]) == 0)
				r->name_seen[k] = true;
		if (x->ndms == PATCH_MAX_DMS) {
			describe(x);
			return patch_error(x, o->containers[i].node,
					   "more than %d docker-mailserver containers in one pod", PATCH_MAX_DMS);
		}
		x->dms[x->ndms++] = i;
	}
	if (!x->ndms)
		return 0;
	describe(x);
	if (check_dup_keys(x, o->node) != 0)
		return -1;
	if (!x->shared)
		find_shared(x);
	for (size_t p = 0; p < countof(patches); p++) {
		if (!patches[p].applies(x))
			continue;
		x->patch = patches[p].name;
		if (patches[p].apply(x) != 0 || diag_failed())
			return -1;
	}
	if (x->hardened) {
		r->dms = xrealloc(r->dms, (r->ndms + 1) * sizeof(*r->dms));
		expose_record(&r->dms[r->ndms++], x);
	}
	r->dms_containers += x->hardened;
	x->hardened = 0;
	return 0;
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

static void
init_ctx(struct patch_ctx *x, struct patch_run *r, struct doc *d)
{
	memset(x, 0, sizeof(*x));
	x->run = r;
	x->cfg = r->cfg;
	x->env = r->env;
	x->proxy = r->proxy;
	x->d = d;
	x->y = &d->y;
	x->norig = (size_t)(d->y.nodes.top - d->y.nodes.start);
}

/* The exposure patch on Service O of the document in X, which selects the
 * pods of the NWS workloads WS. */
static int
patch_service(struct patch_ctx *x, struct object *o, const struct dms_workload *ws, size_t nws)
{
	x->o = o;
	x->ndms = 0;
	describe(x);
	if (check_dup_keys(x, o->node) != 0)
		return -1;
	if (!x->shared)
		find_shared(x);
	x->patch = "expose";
	if (expose_apply(x) != 0 || diag_failed())
		return -1;
	x->patch = "proxy";
	if (proxy_service(x, ws, nws) != 0 || diag_failed())
		return -1;
	x->run->dms_services++;
	return 0;
}

static bool
is_service(const struct object *o)
{
	return o->kind && strcmp(o->kind, "Service") == 0;
}

/* Every docker-mailserver workload seen so far whose pods Service O of Y
 * selects, once one of them has matched it by a mail port: the Service gets
 * the PROXY ports of all of them. Matching asks for a mail port of one
 * workload, and a later run also finds the PROXY ports added here, so it
 * may match an earlier workload than this run did; it must then find
 * nothing to add. Shallow copies, in R's scratch array. */
static const struct dms_workload *
selected(struct patch_run *r, yaml_document_t *y, const struct object *o, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < r->ndms; i++) {
		if (!expose_selects(y, o->node, o->namespace_, &r->dms[i]))
			continue;
		if (*n == r->sel_cap) {
			r->sel_cap = r->sel_cap ? 2 * r->sel_cap : 4;
			r->sel = xrealloc(r->sel, r->sel_cap * sizeof(*r->sel));
		}
		r->sel[(*n)++] = r->dms[i];
	}
	return r->sel;
}

/* Decide Service O now: 1 it is a DMS mail Service, 0 it is not, 2 it may be
 * once its workload arrives. With 1, *W and *NW are the workloads it
 * selects (all seen so far for a Service named by --service). */
static int
classify(struct patch_run *r, struct doc *d, const struct object *o, const struct dms_workload **w, size_t *nw)
{
	if (r->cfg->services.n) {
		for (size_t k = 0; o->name && k < r->cfg->services.n; k++)
			if (strcmp(o->name, r->cfg->services.v[k]) == 0) {
				r->service_seen[k] = true;
				*w = r->dms;
				*nw = r->ndms;
				return 1;
			}
		return 0;
	}
	for (size_t i = 0; i < r->ndms; i++)
		if (expose_matches(&d->y, o->node, o->namespace_, &r->dms[i])) {
			*w = selected(r, &d->y, o, nw);
			return 1;
		}
	return expose_may_match(&d->y, o->node) ? 2 : 0;
}

static int
hold(struct patch_run *r, const struct doc *d, struct spool *out, bool configmap)
{
	const struct chunk *c = d->chunk;
	if (r->nheld == r->held_cap) {
		r->held_cap = r->held_cap ? 2 * r->held_cap : 8;
		r->held = xrealloc(r->held, r->held_cap * sizeof(*r->held));
	}
	struct held *h = &r->held[r->nheld];
	h->configmap = configmap;
	if (stash_put(&r->stash, &h->text, c->data, c->len) != 0)
		return -1;
	r->nheld++;
	h->slot = spool_reserve(out);
	h->source = c->source ? xstrndup(c->source, c->source_len) : NULL;
	h->c = *c;
	h->c.data = NULL; /* fetched from the stash when needed */
	h->c.source = h->source;
	diag_note(configmap ? "document %zu: ConfigMap %s waits for the docker-mailserver workload (which may mount it)"
			    : "document %zu: Service %s waits for its workload (it has mail ports)",
		  c->index, d->objects[0].name ? d->objects[0].name : "(no name)");
	return 0;
}

/* After the patches: mark the document for re-serialisation when they
 * edited it, and release the alias map. */
static void
finish_ctx(struct patch_ctx *x)
{
	free(x->shared);
	x->shared = NULL;
	if (x->changes) {
		x->d->changed = true;
		quote_for_json(x);
	}
}

/* Take held Service I off the list and write it into its slot: D, its
 * loaded and patched document, or the raw text when D is NULL. */
static int
release(struct patch_run *r, size_t i, struct spool *out, struct doc *d)
{
	struct held h = r->held[i];
	char *text = NULL;
	int rc = -1;
	if (!d) {
		if (!(text = stash_get(&r->stash, &h.text)))
			return -1;
		h.c.data = text;
	}
	/* D's chunk is r->held[i].c: write before the list moves. */
	spool_begin_slot(out, h.slot);
	r->held_changed += d && d->changed;
	rc = d ? emit_doc(out, d, r->cfg->format == FORMAT_MINIMAL) : emit_raw(out, &h.c);
	if (spool_end_slot(out) != 0)
		rc = -1;
	memmove(&r->held[i], &r->held[i + 1], (r->nheld - i - 1) * sizeof(*r->held));
	r->nheld--;
	free(text);
	stash_drop(&r->stash, &h.text);
	free(h.source);
	return rc;
}

/* Parse held Service I once; when one of the workloads from FIRST on
 * selects it, patch it and write it into its slot. Returns 1 released, 0
 * still waiting, -1 error, -2 I/O error. */
static int
try_release(struct patch_run *r, size_t i, size_t first, struct spool *out)
{
	struct doc hd;
	struct patch_ctx x;
	bool mem, match = false;
	int rc;

	diag_set_document(r->held[i].c.index, r->held[i].c.source, r->held[i].c.source_len);
	char *text = stash_get(&r->stash, &r->held[i].text);
	if (!text)
		return -2;
	r->held[i].c.data = text;
	if (doc_load(&hd, &r->held[i].c, &mem) != 0) {
		r->held[i].c.data = NULL;
		free(text);
		return -1;
	}
	if (doc_need_tree(&hd, &mem) != 0) {
		doc_free(&hd);
		r->held[i].c.data = NULL;
		free(text);
		return -1;
	}
	size_t w = first;
	if (r->held[i].configmap)
		match = true;
	for (; !match && w < r->ndms; w++)
		match = expose_matches(&hd.y, hd.objects[0].node, hd.objects[0].namespace_, &r->dms[w]);
	if (!match) {
		doc_free(&hd);
		r->held[i].c.data = NULL;
		free(text);
		return 0;
	}
	init_ctx(&x, r, &hd);
	if (r->held[i].configmap) {
		x.o = &hd.objects[0];
		describe(&x);
		x.patch = "proxy";
		find_shared(&x);
		rc = proxy_configmap(&x);
	} else {
		size_t nws;
		const struct dms_workload *ws = selected(r, &hd.y, &hd.objects[0], &nws);
		rc = patch_service(&x, &hd.objects[0], ws, nws);
	}
	finish_ctx(&x);
	if (rc == 0)
		rc = release(r, i, out, &hd); /* takes held I off the list */
	else
		r->held[i].c.data = NULL;
	doc_free(&hd);
	free(text);
	return rc == 0 ? 1 : -1;
}

/* Whether any patch or observer reads more of D than its identity. A
 * document that cannot matter is never turned into a node tree, which saves
 * most of the work on big streams. The text tests are safe shortcuts: the
 * words they look for can only be spelt differently with a backslash escape
 * in a double-quoted scalar, and any backslash sends the document to the
 * tree. */
static bool
wants_tree(const struct patch_run *r, const struct doc *d)
{
	const struct chunk *c = d->chunk;
	const char *kind = d->nobjects ? d->objects[0].kind : NULL;
	if (!kind)
		return false;
	if (memchr(c->data, '\\', c->len))
		return true;
	/* Every image image.c knows has this in its repository path. */
	if (doc_is_workload_kind(kind))
		return r->cfg->images.n || r->cfg->containers.n || mem_contains(c->data, c->len, "docker-mailserver");
	/* envsrc.c records only ENABLE_* and SMTP_ONLY; proxy.c merges into
	 * ConfigMaps a workload mounts. */
	if (!strcmp(kind, "ConfigMap") && r->cfg->proxy_protocol)
		return true;
	if (!strcmp(kind, "ConfigMap") || !strcmp(kind, "Secret"))
		return mem_contains(c->data, c->len, "ENABLE_") || mem_contains(c->data, c->len, "SMTP_ONLY");
	if (!strcmp(kind, "IngressRouteTCP") || !strcmp(kind, "NetworkPolicy"))
		return r->cfg->proxy_protocol != 0;
	if (!strcmp(kind, "IPAddressPool") || !strcmp(kind, "L2Advertisement"))
		return r->cfg->metallb_emit_pool.n != 0;
	return !strcmp(kind, "Service") || doc_is_list_kind(kind);
}

int
patch_document(struct patch_run *r, struct doc *d, struct spool *out)
{
	struct patch_ctx x;
	int rc = 0;
	size_t known = r->ndms;
	bool held = false;

	if (!d->loaded && !d->empty && wants_tree(r, d) && doc_need_tree(d, NULL) != 0)
		return -1;
	doc_note(d);
	envsrc_observe(r->env, d);
	gendoc_observe(&r->gen, d);
	metallb_observe(&r->metallb, d);
	proxy_observe(r->proxy, d);
	init_ctx(&x, r, d);
	for (size_t i = 0; i < d->nobjects && rc == 0; i++) {
		if (!doc_is_workload_kind(d->objects[i].kind))
			continue;
		r->workloads++;
		rc = patch_object(r, &d->objects[i], &x);
	}
	for (size_t i = 0; i < d->nobjects && rc == 0; i++) {
		const struct dms_workload *ws = NULL;
		size_t nws = 0;
		if (proxy_holds_configmap(r->proxy, &d->objects[i]) && !d->is_list && d->nobjects == 1) {
			held = true;
			continue;
		}
		if (r->cfg->proxy_protocol && d->objects[i].kind && strcmp(d->objects[i].kind, "ConfigMap") == 0) {
			x.o = &d->objects[i];
			describe(&x);
			x.patch = "proxy";
			if (!x.shared)
				find_shared(&x);
			rc = proxy_configmap(&x);
			continue;
		}
		if (!is_service(&d->objects[i]))
			continue;
		switch (classify(r, d, &d->objects[i], &ws, &nws)) {
		case 1:
			rc = patch_service(&x, &d->objects[i], ws, nws);
			break;
		case 2:
			/* Only a Service document of its own waits; inside a List the
			 * workload must come first. */
			if (d->is_list || d->nobjects != 1)
				diag_note("document %zu: Service %s has mail ports but matches no docker-mailserver "
					  "workload seen so far; left alone", d->chunk->index,
					  d->objects[i].name ? d->objects[i].name : "(no name)");
			else
				held = true;
			break;
		default:
			break;
		}
	}
	finish_ctx(&x);
	if (rc == 0 && held && hold(r, d, out, d->objects[0].kind && !strcmp(d->objects[0].kind, "ConfigMap")) != 0)
		return -2; /* I/O */
	/* New docker-mailserver workloads decide the Services waiting for them. */
	if (r->ndms > known) {
		for (size_t i = 0; rc == 0 && i < r->nheld;) {
			int released = try_release(r, i, known, out);
			if (released < 0)
				rc = released;
			else if (!released)
				i++;
		}
		diag_set_document(d->chunk->index, d->chunk->source, d->chunk->source_len);
	}
	return rc != 0 ? (rc == -2 ? -2 : -1) : held ? 1 : 0;
}

size_t
patch_held_changed(const struct patch_run *r)
{
	return r->held_changed;
}

size_t
patch_generated(const struct patch_run *r)
{
	return r->gen.generated;
}

int
patch_finish(struct patch_run *r, struct spool *out)
{
	while (r->nheld) {
		diag_note(r->held[0].configmap ? "document %zu: ConfigMap left alone (no docker-mailserver workload)"
					       : "document %zu: Service with mail ports matches no docker-mailserver "
						 "workload in the stream; left alone",
			  r->held[0].c.index);
		if (release(r, 0, out, NULL) != 0)
			return -1;
	}
	diag_set_document(0, NULL, 0);
	if (proxy_finish(r->proxy, &r->gen, out) != 0)
		return -1;
	if (metallb_finish(&r->metallb, &r->gen, out, r->dms_services) != 0)
		return -1;
	for (size_t k = 0; k < r->cfg->containers.n; k++)
		if (!r->name_seen[k])
			diag_warn("--container %s: no workload in the stream has a regular (non-init) container "
				  "of that name", r->cfg->containers.v[k]);
	for (size_t k = 0; k < r->cfg->services.n; k++)
		if (!r->service_seen[k])
			diag_warn("--service %s: no Service of that name in the stream", r->cfg->services.v[k]);
	if (r->workloads && !r->dms_containers)
		diag_warn("no docker-mailserver container found in %zu workload%s, so nothing was hardened; "
			  "if the image comes from a mirror, pass --image PATTERN or --container NAME",
			  r->workloads, r->workloads == 1 ? "" : "s");
	return 0;
}
