/* runner.c -- runs one stream's patches: observes every document as it
 * passes (ConfigMaps and Secrets, generated-object look-alikes, the stream's
 * conventions), holds the documents a decision needs (docker-mailserver
 * workloads, Services that may select them, ConfigMaps under
 * --proxy-protocol) in the stash with a slot in the output, and at the end of
 * the stream patches them, workloads first, and writes each into its slot.
 * Every other document streams through untouched. It edits nothing itself:
 * the patches (harden.c, proxy.c, hostnet.c, expose.c) do, with patch.c's
 * toolkit. */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "emit.h"
#include "expose.h"
#include "gendoc.h"
#include "harden.h"
#include "hostnet.h"
#include "lb.h"
#include "patch.h"
#include "proxy.h"
#include "psa.h"
#include "report.h"
#include "reportobj.h"
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

/* A document a decision needs, held until the end of the stream: its text
 * in the stash, a slot in the output that keeps its place, and a copy of its
 * chunk description whose data is fetched when needed. */
struct held {
	bool workload; /* it holds a docker-mailserver workload */
	bool configmap; /* a ConfigMap alone (under --proxy-protocol) */
	bool report;    /* a --report-object ConfigMap of an earlier run */
	char *cm_ns, *cm_name; /* its namespace (or NULL) and name */
	bool done;     /* written into its slot */
	struct doc *tree; /* its tree as the first parse built it, kept while
			   * the trees held stay within RUNNER_TREES_MEMORY;
			   * else NULL and the text is read again */
	size_t tree_bytes;
	size_t slot;
	struct stash_item text;
	char *source;
	struct chunk c;
};

/* Memory the held documents' trees may take (doc_memory's estimate); past
 * it a held document keeps only its text, parsed again at the end, so
 * memory stays flat however many documents are held. */
#define RUNNER_TREES_MEMORY ((size_t)1024 * 1024)

struct runner {
	const struct config *cfg;
	size_t trees_bytes;    /* the held trees' doc_memory() */
	struct envsrc *env;
	size_t documents;      /* documents with content seen */
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
	struct stash stash;    /* the held documents' text */
	size_t held_bytes;     /* their size, for --verbose */
	size_t dms_services;   /* docker-mailserver Services patched */
	size_t held_changed;   /* held Services written changed */
	struct gendoc_stream gen;
	struct lb lb;
	struct {
		char *ns, *how;
		int level;
	} *enforce;            /* Namespaces with a pod-security.kubernetes.io/enforce label */
	size_t nenforce;
	struct proxy *proxy;
	struct reportobj rep;
};

struct runner *
runner_new(const struct config *cfg)
{
	struct runner *r = xcalloc(1, sizeof(*r));
	r->cfg = cfg;
	r->env = envsrc_new();
	r->name_seen = xcalloc(cfg->containers.n + 1, sizeof(bool));
	r->service_seen = xcalloc(cfg->services.n + 1, sizeof(bool));
	lb_init(&r->lb, cfg);
	r->proxy = proxy_new(cfg);
	stash_init(&r->stash, STASH_DEFAULT_MEMORY);
	reportobj_init(&r->rep);
	return r;
}

void
runner_free(struct runner *r)
{
	if (!r)
		return;
	envsrc_free(r->env);
	proxy_free(r->proxy);
	reportobj_free(&r->rep);
	lb_free(&r->lb);
	for (size_t i = 0; i < r->nenforce; i++) {
		free(r->enforce[i].ns);
		free(r->enforce[i].how);
	}
	free(r->enforce);
	free(r->name_seen);
	free(r->service_seen);
	for (size_t i = 0; i < r->ndms; i++)
		expose_workload_free(&r->dms[i]);
	free(r->dms);
	free(r->sel);
	for (size_t i = 0; i < r->nheld; i++) {
		if (r->held[i].tree) {
			doc_free(r->held[i].tree);
			free(r->held[i].tree);
		}
		stash_drop(&r->stash, &r->held[i].text);
		free(r->held[i].source);
		free(r->held[i].cm_ns);
		free(r->held[i].cm_name);
	}
	free(r->held);
	stash_free(&r->stash);
	free(r);
}

/* ---- the runner ---- */

/* The Pod Security level of the patched pod of workload x->o: said under
 * --verbose and in --report; an error when --pod-security baseline or the
 * namespace's pod-security.kubernetes.io/enforce label asks for more. */
static int
pod_security(struct runner *r, struct patch_ctx *x)
{
	const char *path = doc_pod_spec_path(x->o->kind);
	char meta[96];
	size_t n = strlen(path);
	/* The pod template's metadata: "spec.template.spec" -> "spec.template.metadata". */
	if (n >= 5 && !strcmp(path + n - 5, ".spec"))
		snprintf(meta, sizeof(meta), "%.*s.metadata.annotations", (int)(n - 5), path);
	else
		snprintf(meta, sizeof(meta), "metadata.annotations");
	unsigned kmaj, kmin = 0;
	if (!config_kube_version(r->cfg, &kmaj, &kmin) || kmaj != 1)
		kmin = 0;
	struct psa_result ps;
	psa_evaluate(x->y, ynode_path(x->y, x->o->node, path), ynode_path(x->y, x->o->node, meta), kmin, &ps);
	const char *name = x->o->name ? x->o->name : "(no name)";
	char line[2048];
	snprintf(line, sizeof(line), "%s %s%s%s: Pod Security level %s%s%s%s%s", x->o->kind,
		 x->o->namespace_ ? x->o->namespace_ : "", x->o->namespace_ ? "/" : "", name, psa_level_name(ps.level),
		 *ps.baseline ? "; baseline fails: " : "", ps.baseline, *ps.restricted ? "; restricted fails: " : "",
		 ps.restricted);
	diag_note("%s", line);
	if (r->cfg->diff)
		psa_log_add(line);
	report_pod_security(x->d->chunk->index, x->o->kind, x->o->namespace_, name, psa_level_name(ps.level),
			    ps.baseline, ps.restricted);
	int want = r->cfg->pod_security == 1 ? PSA_BASELINE : PSA_PRIVILEGED;
	const char *ns = x->o->namespace_ ? x->o->namespace_ : r->cfg->namespace_, *by = "--pod-security";
	for (size_t i = 0; ns && i < r->nenforce; i++)
		if (!strcmp(r->enforce[i].ns, ns) && r->enforce[i].level > want) {
			want = r->enforce[i].level;
			by = r->enforce[i].how;
		}
	if ((int)ps.level >= want)
		return 0;
	if (want == PSA_RESTRICTED)
		return patch_error(x, 0, "%s asks for Pod Security level restricted, which docker-mailserver can never "
				   "meet: it starts as root, needs privilege escalation for Postfix's SGID postdrop and "
				   "capabilities beyond NET_BIND_SERVICE (restricted fails: %s); let the namespace "
				   "enforce baseline", by, ps.restricted);
	return patch_error(x, 0, "%s asks for Pod Security level baseline, and this pod meets only privileged: "
			   "baseline fails %s. NET_ADMIN and NET_RAW are Fail2Ban's (ENABLE_FAIL2BAN=0 or --fail2ban "
			   "off); MAC_OVERRIDE is in docker-mailserver 16's guide (--dms-version 15 leaves it out, "
			   "as 15's guide does; see the README on why it was added); host network and host ports come "
			   "from --host-network or the chart", by, ps.baseline);
}

static int
patch_object(struct runner *r, struct object *o, struct patch_ctx *x)
{
	x->o = o;
	x->ndms = 0;
	if (o->hook)
		return 0; /* a Helm hook (a test Pod, a Job) is never the workload */
	for (size_t i = 0; i < o->ncontainers; i++) {
		if (!patch_is_dms_container(r->cfg, &o->containers[i]))
			continue;
		for (size_t k = 0; k < r->cfg->containers.n; k++)
			if (o->containers[i].name && strcmp(o->containers[i].name, r->cfg->containers.v[k]) == 0)
				r->name_seen[k] = true;
		if (x->ndms == PATCH_MAX_DMS) {
			patch_describe(x);
			return patch_error(x, o->containers[i].node,
					   "more than %d docker-mailserver containers in one pod", PATCH_MAX_DMS);
		}
		x->dms[x->ndms++] = i;
	}
	if (!x->ndms)
		return 0;
	patch_describe(x);
	if (patch_check_dup_keys(x, o->node) != 0)
		return -1;
	if (!x->shared)
		patch_find_shared(x);
	for (size_t p = 0; p < countof(patches); p++) {
		if (!patches[p].applies(x))
			continue;
		x->patch = patches[p].name;
		if (patches[p].apply(x) != 0 || diag_failed())
			return -1;
	}
	if (x->hardened && !r->cfg->host_network)
		expose_warn_host_ports(x);
	if (x->hardened && pod_security(r, x) != 0)
		return -1;
	if (x->hardened) {
		r->dms = xrealloc(r->dms, (r->ndms + 1) * sizeof(*r->dms));
		expose_record(&r->dms[r->ndms++], x);
	}
	r->dms_containers += x->hardened;
	x->hardened = 0;
	return 0;
}

static void
init_ctx(struct patch_ctx *x, struct runner *r, struct doc *d)
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
	patch_describe(x);
	if (patch_check_dup_keys(x, o->node) != 0)
		return -1;
	if (!x->shared)
		patch_find_shared(x);
	x->patch = "expose";
	bool internal = expose_is_split_service(x);
	if (!internal && (expose_apply(x) != 0 || diag_failed()))
		return -1;
	if (!internal && lb_wanted(x->cfg))
		lb_note_service(&x->run->lb, o->namespace_, o->name);
	x->patch = "proxy";
	if (proxy_service(x, ws, nws) != 0 || diag_failed())
		return -1;
	expose_warn_public_proxy(x);
	x->run->dms_services++;
	return 0;
}

static bool
is_service(const struct object *o)
{
	return o->kind && strcmp(o->kind, "Service") == 0 && !o->hook;
}

/* Every docker-mailserver workload of the stream whose pods Service O of Y
 * selects, once one of them has matched it by a mail port: the Service gets
 * the PROXY ports of all of them. Matching asks for a mail port of one
 * workload, and a later run also finds the PROXY ports added here, so it
 * may match an earlier workload than this run did; it must then find
 * nothing to add. Shallow copies, in R's scratch array. */
static const struct dms_workload *
selected(struct runner *r, yaml_document_t *y, const struct object *o, size_t *n)
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

/* Decide Service O, every workload being known: 1 it is a DMS mail Service,
 * 0 it is not, 2 it has mail ports but selects no DMS workload. With 1, *W
 * and *NW are the workloads it selects (all of them for a Service named by
 * --service). */
static int
classify(struct runner *r, struct doc *d, const struct object *o, const struct dms_workload **w, size_t *nw)
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

/* Keep D for the end of the stream: its text in the stash, its place in
 * OUT as a slot, and its tree when there is one and room for it (D is then
 * moved out, left empty for its owner to free). */
static int
hold(struct runner *r, struct doc *d, struct spool *out, bool workload)
{
	const struct chunk *c = d->chunk;
	if (r->nheld == r->held_cap) {
		r->held_cap = r->held_cap ? 2 * r->held_cap : 8;
		r->held = xrealloc(r->held, r->held_cap * sizeof(*r->held));
	}
	struct held *h = &r->held[r->nheld];
	memset(h, 0, sizeof(*h));
	h->workload = workload;
	if (stash_put(&r->stash, &h->text, c->data, c->len) != 0)
		return -1;
	r->nheld++;
	r->held_bytes += c->len;
	h->slot = spool_reserve(out);
	h->source = c->source ? xstrndup(c->source, c->source_len) : NULL;
	const struct object *o = &d->objects[0];
	if (d->nobjects == 1 && !d->is_list && o->kind && !strcmp(o->kind, "ConfigMap") && o->name) {
		h->configmap = true;
		h->cm_ns = o->namespace_ ? xstrdup(o->namespace_) : NULL;
		h->cm_name = xstrdup(o->name);
	}
	h->c = *c;
	h->c.data = NULL; /* fetched from the stash when needed */
	h->c.source = h->source;
	diag_note("document %zu: %s %s held until the end of the stream (%s)", c->index,
		  d->objects[0].kind ? d->objects[0].kind : "(no kind)",
		  d->objects[0].name ? d->objects[0].name : "(no name)",
		  workload		? "a docker-mailserver workload"
		  : reportobj_is(d) ? "the report of an earlier run, kept or replaced at the end"
				    : "its patch depends on the workloads");
	size_t bytes = d->loaded ? doc_memory(d) : 0;
	if (bytes && r->trees_bytes + bytes <= RUNNER_TREES_MEMORY) {
		h->tree = xmalloc(sizeof(*h->tree));
		*h->tree = *d;
		h->tree->chunk = NULL; /* &h->c when it is used: r->held moves */
		h->tree_bytes = bytes;
		r->trees_bytes += bytes;
		memset(d, 0, sizeof(*d));
		d->chunk = c;
	}
	return 0;
}

/* Held document H is written: its text and kept tree go. */
static void
let_go(struct runner *r, struct held *h)
{
	stash_drop(&r->stash, &h->text);
	if (h->tree) {
		doc_free(h->tree);
		free(h->tree);
		h->tree = NULL;
		r->trees_bytes -= h->tree_bytes;
	}
	h->done = true;
}

/* Write held document H into its slot: D, its loaded and patched document,
 * or its raw text when D is NULL; then let go of its text. */
static int
release(struct runner *r, struct held *h, struct spool *out, struct doc *d)
{
	char *text = NULL;
	int rc;
	if (!d) {
		if (!(text = stash_get(&r->stash, &h->text)))
			return -1;
		h->c.data = text;
	}
	spool_begin_slot(out, h->slot);
	r->held_changed += d && d->changed;
	rc = d ? emit_doc(out, d, r->cfg->format == FORMAT_MINIMAL) : emit_raw(out, &h->c);
	if (spool_end_slot(out) != 0)
		rc = -1;
	h->c.data = NULL;
	free(text);
	let_go(r, h);
	return rc;
}

/* A merge key ("<<: *base") inside object O of D, which dms-postrender must
 * change (WHY: what it is to us): Go's readers and PyYAML resolve it, but
 * the patches read only the keys written out, so a seccomp or AppArmor
 * profile, a capability, a port or the image that arrives through it would
 * be overridden or missed without a word. Refused, naming its line: -1
 * after reporting, 0 when there is none. */
static int
refuse_merge(struct doc *d, const struct object *o, const char *why)
{
	int m = d->loaded ? ynode_find_merge(&d->y, o->node) : 0;
	if (!m)
		return 0;
	diag_error_at(doc_line(d, m), 0,
		      "%s %s: a merge key ('<<') in %s, which dms-postrender must change; its patches read only the keys "
		      "written out, so a value that arrives through the merge (a seccomp or AppArmor profile, a "
		      "capability, a port, the image) would be overridden or missed; write those keys out in the template",
		      o->kind ? o->kind : "(no kind)", o->name ? o->name : "(no name)", why);
	return -1;
}

/* Let go of held document H, writing nothing into its slot. */
static int
drop(struct runner *r, struct held *h, struct spool *out)
{
	spool_begin_slot(out, h->slot);
	int rc = spool_end_slot(out);
	let_go(r, h);
	return rc;
}

/* The patches on every object of D, which the whole stream has been seen
 * for: workloads first, then (under --proxy-protocol) ConfigMaps, then
 * Services, which need the workloads' final ports. */
static int
patch_held(struct runner *r, struct doc *d)
{
	struct patch_ctx x;
	int rc = 0;
	init_ctx(&x, r, d);
	for (size_t i = 0; i < d->nobjects && rc == 0; i++)
		if (doc_is_workload_kind(d->objects[i].kind))
			rc = patch_object(r, &d->objects[i], &x);
	for (size_t i = 0; i < d->nobjects && rc == 0; i++) {
		const struct dms_workload *ws = NULL;
		size_t nws = 0;
		if (r->cfg->proxy_protocol && d->objects[i].kind && strcmp(d->objects[i].kind, "ConfigMap") == 0) {
			x.o = &d->objects[i];
			patch_describe(&x);
			x.patch = "proxy";
			if (!x.shared)
				patch_find_shared(&x);
			rc = proxy_configmap(&x);
			continue;
		}
		if (!is_service(&d->objects[i]))
			continue;
		switch (classify(r, d, &d->objects[i], &ws, &nws)) {
		case 1:
			rc = refuse_merge(d, &d->objects[i], "a docker-mailserver Service");
			if (rc == 0)
				rc = patch_service(&x, &d->objects[i], ws, nws);
			break;
		case 2:
			diag_note("document %zu: Service %s has mail ports but selects no docker-mailserver workload "
				  "in the stream; left alone", d->chunk->index,
				  d->objects[i].name ? d->objects[i].name : "(no name)");
			break;
		default: break;
		}
	}
	patch_ctx_finish(&x);
	return rc;
}

/* Patch held document H (its kept tree, else its text read again) and
 * write it into its slot. Returns 0, -1 after a located error, -2 after an
 * I/O error. */
static int
process_held(struct runner *r, struct held *h, struct spool *out)
{
	struct doc loaded, *hd = &loaded;
	bool mem = false;
	diag_set_document(h->c.index, h->c.source, h->c.source_len);
	char *text = stash_get(&r->stash, &h->text);
	if (!text)
		return -2;
	h->c.data = text;
	int rc = 0;
	if (h->tree) {
		hd = h->tree;
		hd->chunk = &h->c;
		if (!h->c.source && hd->nobjects && hd->objects[0].filename)
			diag_set_template(hd->objects[0].filename);
	} else if (doc_load_held(hd, &h->c, &mem) != 0) {
		rc = -1;
	}
	if (rc == 0) {
		rc = patch_held(r, hd);
		/* release() writes from h->c.data (before it goes) and lets go of
		 * a kept tree. */
		if (rc == 0 && release(r, h, out, hd) != 0)
			rc = -2;
		if (hd == &loaded)
			doc_free(hd);
	}
	h->c.data = NULL;
	free(text);
	return rc != 0 && mem ? -2 : rc;
}

/* Whether any patch or observer reads more of D than its identity. A
 * document that cannot matter is never turned into a node tree, which saves
 * most of the work on big streams. The text tests are safe shortcuts: the
 * words they look for can only be spelt differently with a backslash escape
 * in a double-quoted scalar, and any backslash sends the document to the
 * tree. */
static bool
wants_tree(const struct runner *r, const struct doc *d)
{
	const char *kind = d->nobjects ? d->objects[0].kind : NULL;
	if (!kind)
		return false;
	/* Every image image.c knows has this in its repository path; the first
	 * parse looked for it in the decoded values. */
	if (doc_is_workload_kind(kind))
		return r->cfg->images.n || r->cfg->containers.n || d->mentions_dms;
	/* envsrc.c records only the docker-mailserver switches it knows. (proxy.c
	 * merges into ConfigMaps a workload mounts: those are held by identity
	 * and read at the end, when the workloads have said which.) */
	if (!strcmp(kind, "ConfigMap") || !strcmp(kind, "Secret"))
		return d->env_switch;
	static const char *const generated[] = {"IngressRouteTCP", "ServersTransportTCP", "TCPRoute",
						"BackendTrafficPolicy", "NetworkPolicy"};
	for (size_t i = 0; i < countof(generated); i++)
		if (!strcmp(kind, generated[i]))
			return r->cfg->proxy_protocol != 0;
	if (!strcmp(kind, "IPAddressPool") || !strcmp(kind, "L2Advertisement") ||
	    !strcmp(kind, "CiliumLoadBalancerIPPool"))
		return r->cfg->lb_emit_pool.n != 0;
	if (!strcmp(kind, "Service"))
		return r->cfg->services.n || d->mail_port;
	if (!strcmp(kind, "Namespace"))
		return true; /* its pod-security labels */
	return doc_is_list_kind(kind);
}

static bool
has_dms_container(const struct runner *r, const struct object *o)
{
	if (o->hook)
		return false; /* a Helm hook is never the docker-mailserver workload */
	for (size_t i = 0; i < o->ncontainers; i++)
		if (patch_is_dms_container(r->cfg, &o->containers[i]))
			return true;
	return false;
}

/* Whether a patch of object O depends on other documents: a
 * docker-mailserver workload (its Fail2Ban capabilities read ConfigMaps and
 * Secrets, its PROXY configuration the ConfigMaps it mounts), a Service that
 * may select one, a ConfigMap under --proxy-protocol (a workload may mount
 * it). */
static bool
depends_on_stream(const struct runner *r, yaml_document_t *y, const struct object *o)
{
	if (doc_is_workload_kind(o->kind))
		return has_dms_container(r, o);
	if (is_service(o)) {
		if (!r->cfg->services.n)
			return expose_may_match(y, o->node);
		for (size_t k = 0; o->name && k < r->cfg->services.n; k++)
			if (strcmp(o->name, r->cfg->services.v[k]) == 0)
				return true;
		return false;
	}
	return r->cfg->proxy_protocol && o->kind && strcmp(o->kind, "ConfigMap") == 0;
}

/* A Namespace whose pod-security.kubernetes.io/enforce label names a level:
 * its docker-mailserver pods must meet it. */
static void
observe_namespace(struct runner *r, struct doc *d)
{
	for (size_t i = 0; d->loaded && i < d->nobjects; i++) {
		const struct object *o = &d->objects[i];
		if (!o->kind || strcmp(o->kind, "Namespace") != 0 || !o->name)
			continue;
		const char *v = ynode_str(&d->y, ynode_get(&d->y, ynode_path(&d->y, o->node, "metadata.labels"),
							    "pod-security.kubernetes.io/enforce"));
		int level = psa_level_of(v);
		if (level < 0)
			continue;
		char how[256];
		snprintf(how, sizeof(how), "Namespace %s (label pod-security.kubernetes.io/enforce: %s)", o->name, v);
		r->enforce = xrealloc(r->enforce, (r->nenforce + 1) * sizeof(*r->enforce));
		r->enforce[r->nenforce].ns = xstrdup(o->name);
		r->enforce[r->nenforce].how = xstrdup(how);
		r->enforce[r->nenforce++].level = level;
	}
}

int
runner_document(struct runner *r, struct doc *d, struct spool *out)
{
	if (!d->loaded && !d->empty && wants_tree(r, d) && doc_need_tree(d, NULL) != 0)
		return -1;
	doc_note(d);
	r->documents += !d->empty;
	/* Every document is seen before any decision is taken (at the end of
	 * the stream), so the order of the documents does not matter. */
	envsrc_observe(r->env, d);
	gendoc_observe(&r->gen, d);
	lb_observe(&r->lb, d);
	proxy_observe(r->proxy, d);
	observe_namespace(r, d);
	if (r->cfg->report_object && reportobj_is(d)) {
		if (hold(r, d, out, false) != 0)
			return -2;
		r->held[r->nheld - 1].report = true;
		return 1;
	}
	bool keep = false, workload = false;
	for (size_t i = 0; i < d->nobjects; i++) {
		const struct object *o = &d->objects[i];
		if (doc_is_workload_kind(o->kind) && o->hook) {
			/* Helm 4 sends hooks to post-renderers (Helm 3 does not). */
			for (size_t k = 0; k < o->ncontainers; k++)
				if (patch_is_dms_container(r->cfg, &o->containers[k])) {
					diag_note("%s %s is a Helm hook (helm.sh/hook: %s): passed through as it is, "
						  "although it runs docker-mailserver", o->kind,
						  o->name ? o->name : "(no name)", o->hook);
					break;
				}
		} else if (doc_is_workload_kind(o->kind)) {
			r->workloads++;
			bool dms = has_dms_container(r, o);
			/* A container whose image comes through a merge is not seen
			 * as docker-mailserver's: the image's text in the document
			 * is enough to refuse. */
			if ((dms || d->mentions_dms) &&
			    refuse_merge(d, o, dms ? "a docker-mailserver workload" : "a workload that names docker-mailserver") != 0)
				return -1;
			if (dms) {
				workload = true;
				reportobj_observe_workload(&r->rep, d, o);
			}
		}
		/* A ConfigMap is held by its kind alone; the rest needs the tree. */
		bool by_kind = !d->is_list && o->kind && !strcmp(o->kind, "ConfigMap");
		keep |= (d->loaded || by_kind) && depends_on_stream(r, &d->y, o);
	}
	if (!keep)
		return 0;
	return hold(r, d, out, workload) != 0 ? -2 : 1;
}

size_t
runner_held_changed(const struct runner *r)
{
	return r->held_changed;
}

size_t
runner_generated(const struct runner *r)
{
	return r->gen.generated;
}

/* --report-object, last of all: the report an earlier run left in the
 * stream stays where it is, byte for byte, when this run changes and adds
 * nothing else (so a second run changes nothing); otherwise it gives way to
 * a fresh one at the end. A report of another name goes out as it came. */
static int
finish_report(struct runner *r, struct spool *out)
{
	char name[128];
	const char *ns = r->rep.ns;
	bool fresh = r->held_changed || r->gen.generated, ours = false;
	reportobj_name(&r->rep, name, sizeof(name));
	for (size_t i = 0; i < r->nheld; i++) {
		struct held *h = &r->held[i];
		if (!h->report || h->done)
			continue;
		bool same = h->cm_name && !strcmp(h->cm_name, name) && (ns ? h->cm_ns && !strcmp(h->cm_ns, ns) : !h->cm_ns);
		/* A second copy of ours (two streams joined) gives way too. */
		bool keep = !same || (!fresh && !ours);
		ours |= same && keep;
		if (keep ? release(r, h, out, NULL) != 0 : drop(r, h, out) != 0)
			return -2;
	}
	/* An empty input (--allow-empty) passes through as it came. */
	if (!r->cfg->report_object || ours || !r->documents)
		return 0;
	return reportobj_write(&r->rep, r->cfg, &r->gen, out, r->held_changed, r->gen.generated) != 0 ? -2 : 0;
}

int
runner_finish(struct runner *r, struct spool *out)
{
	/* The workloads first, whose final ports the Services need and whose
	 * mounts the ConfigMaps; then everything else. Each goes into its own
	 * slot, so the output keeps the input's order. */
	if (r->nheld)
		diag_note("held until the end of the stream: %zu document%s, %zu bytes", r->nheld,
			  r->nheld == 1 ? "" : "s", r->held_bytes);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->nheld; i++) {
			struct held *h = &r->held[i];
			if (h->done || h->report || h->workload != (pass == 0))
				continue;
			/* A ConfigMap no docker-mailserver workload mounts goes out as
			 * it came, without being read again. */
			int rc = h->configmap && !proxy_names_configmap(r->proxy, h->cm_ns, h->cm_name)
					 ? (release(r, h, out, NULL) != 0 ? -2 : 0)
					 : process_held(r, h, out);
			if (rc != 0)
				return rc;
		}
	diag_set_document(0, NULL, 0);
	if (proxy_finish(r->proxy, &r->gen, out) != 0)
		return -1;
	if (lb_finish(&r->lb, &r->gen, out, r->dms_services) != 0)
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
	return finish_report(r, out);
}
