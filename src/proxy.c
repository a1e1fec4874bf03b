/* proxy.c -- the PROXY-protocol patch (see proxy.h): decides which mail
 * services a docker-mailserver container runs, gives it and its Services the
 * PROXY ports, routes the configuration files into a ConfigMap, and
 * generates the optional NetworkPolicy (ingress objects: route.h's targets). Port names and
 * numbers are the official chart's (proxytext.c's table). */
#include "proxy.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "harden.h"
#include "proxytext.h"
#include "route.h"
#include "split.h"
#include "util.h"
#include "ynode.h"
#include "yscalar.h"

#define PROXY_VOLUME "dms-proxy-protocol"
#define PROXY_SUFFIX "-proxy-protocol"

/* A ConfigMap key a DMS workload mounts at one of our paths. */
struct merge {
	char *ns, *name, *key;
	enum proxy_file file;
	unsigned services;
	char what[192];
	bool found;
	bool ours;         /* our own generated ConfigMap (a second run) */
	size_t doc, line, col; /* where the mount is, for the error */
	char source[256];
	size_t workload;   /* index into wl[] of the workload that mounts it */
};

/* What we generate for one DMS workload. */
struct workload {
	char *ns, *name;           /* the workload's */
	char **labels;             /* pod-template labels: key, value, ... */
	size_t nlabels;
	char cm_name[320];         /* our ConfigMap: the one its volume names, or <name>-proxy-protocol */
	bool gen;                  /* we generate that ConfigMap (its keys: our merges into it) */
	unsigned proxy_ports[PX_COUNT];
	size_t nproxy;
	unsigned other_ports[64];  /* the pod's other ports (NetworkPolicy) */
	char other_proto[64][8];
	size_t nother;
	bool policy_seen;          /* our NetworkPolicy is already in the stream */
	bool dup_cm, dup_policy;   /* an earlier workload generates the same object */
};

struct proxy {
	const struct config *cfg;
	char trusted[1024];        /* space-separated, for Dovecot */
	struct merge *merges;
	size_t nmerges;
	struct workload *wl;
	size_t nwl;
	struct route_set routes;   /* the DMS Services' PROXY ports, for ingress routes */
	struct split_set splits;   /* --proxy-service split: the PROXY Services to generate */
	char **cms_seen;           /* namespace/name of ConfigMaps named *-proxy-protocol */
	size_t ncms_seen;
	char **policies_seen;      /* namespace/name of NetworkPolicies in the stream */
	size_t npolicies_seen;
};

static bool
seen_in(char *const *list, size_t n, const char *ns, const char *name)
{
	char key[512];
	snprintf(key, sizeof(key), "%s/%s", ns ? ns : "", name);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], key))
			return true;
	return false;
}

static bool
seen_configmap(const struct proxy *p, const char *ns, const char *name)
{
	return seen_in(p->cms_seen, p->ncms_seen, ns, name);
}

struct proxy *
proxy_new(const struct config *cfg)
{
	struct proxy *p = xcalloc(1, sizeof(*p));
	p->cfg = cfg;
	route_set_init(&p->routes, cfg);
	char public[512];
	config_public_trusted(cfg, public, sizeof(public));
	if (cfg->proxy_protocol != PROXY_OFF && *public && !cfg->allow_any_proxy)
		diag_warn("--trusted-networks %s: publicly routable addresses; any host there that reaches a PROXY "
			  "port can claim any client address to Dovecot (and to Postfix, which trusts every sender "
			  "of a PROXY header); trust only the addresses your proxy or ingress sends from", public);
	for (size_t i = 0; i < cfg->trusted_networks.n; i++) {
		size_t used = strlen(p->trusted);
		snprintf(p->trusted + used, sizeof(p->trusted) - used, "%s%s", i ? " " : "", cfg->trusted_networks.v[i]);
	}
	return p;
}

void
proxy_free(struct proxy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nmerges; i++) {
		free(p->merges[i].ns);
		free(p->merges[i].name);
		free(p->merges[i].key);
	}
	free(p->merges);
	for (size_t i = 0; i < p->nwl; i++) {
		free(p->wl[i].ns);
		free(p->wl[i].name);
		for (size_t k = 0; k < 2 * p->wl[i].nlabels; k++)
			free(p->wl[i].labels[k]);
		free(p->wl[i].labels);
	}
	free(p->wl);
	route_set_free(&p->routes);
	split_set_free(&p->splits);
	for (size_t i = 0; i < p->ncms_seen; i++)
		free(p->cms_seen[i]);
	free(p->cms_seen);
	for (size_t i = 0; i < p->npolicies_seen; i++)
		free(p->policies_seen[i]);
	free(p->policies_seen);
	free(p);
}

static bool
same(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

/* Append V to LIST (N entries, room for MAX) unless it is there. */
static void
add_port(unsigned *list, size_t *n, size_t max, unsigned v)
{
	for (size_t i = 0; i < *n; i++)
		if (list[i] == v)
			return;
	if (*n < max)
		list[(*n)++] = v;
}

/* Refuse a name from the input that a generated object would carry. */
static int
check_name(struct patch_ctx *x, int node, const char *what, const char *name, size_t max, bool dots)
{
	if (!name || dns_name_ok(name, max, dots))
		return 0;
	return patch_error(x, node, "%s '%s' is not a valid Kubernetes name (%s of a-z, 0-9, '-'%s); the "
			   "API server would reject it, and dms-postrender will not name generated objects after it",
			   what, name, max == 63 ? "at most 63" : "at most 253", dots ? ", '.'" : "");
}

static enum proxy_mode
mode(const struct proxy *p)
{
	return (enum proxy_mode)p->cfg->proxy_protocol;
}

/* ---- which services a container runs ---- */

static bool
has_port(struct patch_ctx *x, const struct container *c, unsigned number)
{
	int ports = ynode_get(x->y, c->node, "ports");
	for (size_t i = 0; i < ynode_seq_len(x->y, ports); i++) {
		const char *n = ynode_str(x->y, ynode_get(x->y, ynode_seq_item(x->y, ports, i), "containerPort"));
		if (n && strtoul(n, NULL, 10) == number)
			return true;
	}
	return false;
}

/* 1 on, 0 off, -1 not set, -2 unknown (a source is missing). */
static int
env_switch(struct patch_ctx *x, const struct container *c, const char *var, char *origin, size_t len)
{
	struct env_value v;
	envsrc_lookup(x->env, x->d, x->o, c, var, &v);
	snprintf(origin, len, "%s", v.origin);
	if (v.state == ENV_UNSET)
		return -1;
	if (v.state == ENV_UNKNOWN)
		return -2;
	return strcmp(v.value, "1") == 0;
}

static unsigned
services_of(struct patch_ctx *x, const struct container *c)
{
	unsigned s = PX_POSTFIX;
	char origin[192];
	const char *cname = c->name ? c->name : "";
	if (env_switch(x, c, "SMTP_ONLY", origin, sizeof(origin)) == 1)
		return s;
	int imap = env_switch(x, c, "ENABLE_IMAP", origin, sizeof(origin));
	if (imap == -2)
		patch_warn(x, c->node, "container '%s' reads ENABLE_IMAP from %s, which is not in the stream; "
			   "assuming docker-mailserver's default (on) for the IMAP PROXY ports", cname, origin);
	if (imap != 0 || has_port(x, c, 143) || has_port(x, c, 993))
		s |= PX_BIT(PX_IMAP) | PX_BIT(PX_IMAPS);
	int pop3 = env_switch(x, c, "ENABLE_POP3", origin, sizeof(origin));
	if (pop3 == -2)
		patch_warn(x, c->node, "container '%s' reads ENABLE_POP3 from %s, which is not in the stream; "
			   "no POP3 PROXY ports unless the container declares port 110 or 995", cname, origin);
	if (pop3 == 1 || has_port(x, c, 110) || has_port(x, c, 995))
		s |= PX_BIT(PX_POP3) | PX_BIT(PX_POP3S);
	int sieve = env_switch(x, c, "ENABLE_MANAGESIEVE", origin, sizeof(origin));
	if (sieve == -2)
		patch_warn(x, c->node, "container '%s' reads ENABLE_MANAGESIEVE from %s, which is not earlier in the "
			   "stream; no ManageSieve PROXY port unless the container declares port 4190", cname, origin);
	if (sieve == 1 || has_port(x, c, 4190))
		s |= PX_BIT(PX_SIEVE);
	return s;
}

/* ---- container ports ---- */

/* The port named NAME in any regular container of the pod, or 0. */
static int
port_named(struct patch_ctx *x, const char *name, size_t *container)
{
	for (size_t i = 0; i < x->o->ncontainers; i++) {
		if (x->o->containers[i].init)
			continue;
		int ports = ynode_get(x->y, x->o->containers[i].node, "ports");
		int p = ynode_seq_find(x->y, ports, "name", name);
		if (p) {
			*container = i;
			return p;
		}
	}
	return 0;
}

static int
add_ports(struct patch_ctx *x, size_t idx, unsigned services, struct workload *w)
{
	yaml_document_t *y = x->y;
	const struct container *c = &x->o->containers[idx];
	char path[256];
	snprintf(path, sizeof(path), "%s.containers[%s].ports", x->pod_path, c->name ? c->name : "");
	for (int s = 0; s < PX_COUNT; s++) {
		const struct proxy_port *pp = proxy_port((enum proxy_service)s);
		if (!(services & PX_BIT(s)))
			continue;
		int ports = ynode_get(y, c->node, "ports");
		int have = 0;
		for (size_t i = 0; i < ynode_seq_len(y, ports) && !have; i++) {
			int p = ynode_seq_item(y, ports, i);
			const char *n = ynode_str(y, ynode_get(y, p, "containerPort"));
			if (n && strtoul(n, NULL, 10) == pp->port)
				have = p;
		}
		if (have) {
			const char *name = ynode_str(y, ynode_get(y, have, "name"));
			if (name && !proxy_valid_port_name(name))
				return patch_error(x, have, "container port %u is named '%s', which is not a valid port "
						   "name (at most 15 of a-z, 0-9 and '-', with a letter, no leading, trailing "
						   "or double '-'); the API server rejects it, and Services cannot target it: "
						   "rename it, e.g. to %s", pp->port, name, pp->name);
		} else {
			size_t other;
			int named = port_named(x, pp->name, &other);
			if (named)
				return patch_error(x, named, "port name %s is taken by port %s of container '%s', but "
						   "docker-mailserver's PROXY port for %s is %u; rename that port",
						   pp->name, ynode_str(y, ynode_get(y, named, "containerPort"))
								  ? ynode_str(y, ynode_get(y, named, "containerPort"))
								  : "?",
						   x->o->containers[other].name ? x->o->containers[other].name : "",
						   pp->std_name, pp->port);
			if (!proxy_valid_port_name(pp->name))
				return patch_error(x, c->node, "internal: invalid port name %s", pp->name);
			ports = patch_own(x, c->node, "ports", false, true, path);
			if (!ports)
				return -1;
			char num[16], what[64];
			snprintf(num, sizeof(num), "%u", pp->port);
			int m = ynode_new_map(y);
			ynode_set_str(y, m, "name", pp->name, YAML_ANY_SCALAR_STYLE);
			ynode_set_str(y, m, "containerPort", num, YAML_PLAIN_SCALAR_STYLE);
			ynode_set_str(y, m, "protocol", "TCP", YAML_ANY_SCALAR_STYLE);
			if (!m || !ynode_append(y, ports, m))
				return patch_error(x, c->node, "cannot add port %s: out of memory", pp->name);
			snprintf(what, sizeof(what), "%s %u/TCP", pp->name, pp->port);
			patch_changed(x, path, NULL, what);
		}
		add_port(w->proxy_ports, &w->nproxy, PX_COUNT, pp->port);
	}
	return 0;
}

/* ---- configuration files ---- */

static int
mount_at(struct patch_ctx *x, const struct container *c, const char *path)
{
	int mounts = ynode_get(x->y, c->node, "volumeMounts");
	return ynode_seq_find(x->y, mounts, "mountPath", path);
}

/* Merge our text for F into key KEY of ConfigMap CMNAME (in the workload's
 * namespace) when it comes by; NODE locates the reason in errors. */
static int
add_merge(struct proxy *p, struct patch_ctx *x, const char *cmname, const char *key, enum proxy_file f,
	  unsigned services, bool ours, int node)
{
	for (size_t i = 0; i < p->nmerges; i++) {
		struct merge *m = &p->merges[i];
		if (same(m->ns, x->o->namespace_) && !strcmp(m->name, cmname) && !strcmp(m->key, key)) {
			m->services |= services;
			return 0;
		}
	}
	p->merges = xrealloc(p->merges, (p->nmerges + 1) * sizeof(*p->merges));
	struct merge *m = &p->merges[p->nmerges++];
	memset(m, 0, sizeof(*m));
	m->ns = x->o->namespace_ ? xstrdup(x->o->namespace_) : NULL;
	m->name = xstrdup(cmname);
	m->key = xstrdup(key);
	m->file = f;
	m->services = services;
	m->ours = ours;
	m->workload = p->nwl - 1;
	m->doc = x->d->chunk->index;
	m->line = doc_line(x->d, node);
	m->col = ynode_span(x->y, node).col;
	const struct chunk *ch = x->d->chunk;
	size_t slen = ch->source ? (ch->source_len < 255 ? ch->source_len : 255) : 0;
	snprintf(m->source, sizeof(m->source), "%.*s", (int)slen, ch->source ? ch->source : "");
	snprintf(m->what, sizeof(m->what), "%s", x->what);
	if (services)
		diag_note("document %zu, %s: %s comes from ConfigMap %s (key %s); the PROXY-protocol settings go there",
			  x->d->chunk->index, x->what, proxy_file_path(f), cmname, key);
	return 0;
}

/* A ConfigMap data key as the API server accepts it. */
static bool
configmap_key_ok(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > 253 || !strcmp(k, ".") || !strcmp(k, ".."))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)k[i]) && k[i] != '-' && k[i] != '_' && k[i] != '.')
			return false;
	return true;
}

/* The file F is mounted from a ConfigMap: record where to merge. */
static int
record_merge(struct proxy *p, struct patch_ctx *x, int pod, int mount, enum proxy_file f, unsigned services,
	     bool ours)
{
	yaml_document_t *y = x->y;
	const char *vol = ynode_str(y, ynode_get(y, mount, "name"));
	const char *sub = ynode_str(y, ynode_get(y, mount, "subPath"));
	int v = ynode_seq_find(y, ynode_get(y, pod, "volumes"), "name", vol ? vol : "");
	int cm = ynode_get(y, v, "configMap");
	const char *cmname = ynode_str(y, ynode_get(y, cm, "name"));
	if (!v || !cmname) {
		/* The volume's source is its key other than "name". */
		const char *src = NULL;
		yaml_node_t *vn = ynode_at(y, v);
		for (yaml_node_pair_t *pr = vn && vn->type == YAML_MAPPING_NODE ? vn->data.mapping.pairs.start : NULL;
		     pr && pr < vn->data.mapping.pairs.top && !src; pr++)
			if (!same(ynode_str(y, pr->key), "name"))
				src = ynode_str(y, pr->key);
		return patch_error(x, mount, "%s is mounted from volume %s, %s%s, so dms-postrender cannot add the "
				   "PROXY-protocol settings to it; put the file in a ConfigMap, or remove the mount and "
				   "dms-postrender generates one", proxy_file_path(f), vol ? vol : "(no name)",
				   v ? "a " : "which the pod does not define", v ? (src ? src : "volume without a source") : "");
	}
	if (!sub || !*sub)
		return patch_error(x, mount, "%s is mounted without subPath, so it would be a directory; mount one "
				   "ConfigMap key there with subPath", proxy_file_path(f));
	/* items may map a key to another file name. */
	const char *key = sub;
	int items = ynode_get(y, cm, "items");
	for (size_t i = 0; i < ynode_seq_len(y, items); i++) {
		int it = ynode_seq_item(y, items, i);
		if (same(ynode_str(y, ynode_get(y, it, "path")), sub))
			key = ynode_str(y, ynode_get(y, it, "key"));
	}
	if (!key)
		return patch_error(x, items, "volume %s maps %s from an item without a key", vol, sub);
	if (!configmap_key_ok(key))
		return patch_error(x, mount, "%s is mounted from volume %s with a key that is not a valid ConfigMap "
				   "key (letters, digits, '-', '_' and '.'), so the PROXY-protocol settings cannot be "
				   "written there; fix the subPath", proxy_file_path(f), vol ? vol : "(no name)");
	return add_merge(p, x, cmname, key, f, services, ours, mount);
}

/* Mount our ConfigMap's key for F into container C. */
static int
mount_ours(struct patch_ctx *x, const struct container *c, enum proxy_file f)
{
	char path[256], what[256];
	snprintf(path, sizeof(path), "%s.containers[%s].volumeMounts", x->pod_path, c->name ? c->name : "");
	int mounts = patch_own(x, c->node, "volumeMounts", false, true, path);
	if (!mounts)
		return -1;
	int m = ynode_new_map(x->y);
	ynode_set_str(x->y, m, "name", PROXY_VOLUME, YAML_ANY_SCALAR_STYLE);
	ynode_set_str(x->y, m, "mountPath", proxy_file_path(f), YAML_ANY_SCALAR_STYLE);
	ynode_set_str(x->y, m, "subPath", proxy_file_key(f), YAML_ANY_SCALAR_STYLE);
	ynode_set_str(x->y, m, "readOnly", "true", YAML_PLAIN_SCALAR_STYLE);
	if (!m || !ynode_append(x->y, mounts, m))
		return patch_error(x, c->node, "cannot add a volume mount: out of memory");
	snprintf(what, sizeof(what), "%s from volume " PROXY_VOLUME, proxy_file_path(f));
	patch_changed(x, path, NULL, what);
	return 0;
}

static int
add_volume(struct patch_ctx *x, int pod, const char *cmname)
{
	char path[160];
	snprintf(path, sizeof(path), "%s.volumes", x->pod_path);
	int vols = ynode_get(x->y, pod, "volumes");
	int have = ynode_seq_find(x->y, vols, "name", PROXY_VOLUME);
	if (have) {
		if (!same(ynode_str(x->y, ynode_path(x->y, have, "configMap.name")), cmname))
			return patch_error(x, have, "the pod already has a volume named " PROXY_VOLUME " that is not "
					   "ConfigMap %s; rename it", cmname);
		return 0;
	}
	vols = patch_own(x, pod, "volumes", false, true, path);
	if (!vols)
		return -1;
	int v = ynode_new_map(x->y);
	ynode_set_str(x->y, v, "name", PROXY_VOLUME, YAML_ANY_SCALAR_STYLE);
	int cm = ynode_ensure_map(x->y, v, "configMap");
	ynode_set_str(x->y, cm, "name", cmname, YAML_ANY_SCALAR_STYLE);
	if (!cm || !ynode_append(x->y, vols, v))
		return patch_error(x, pod, "cannot add a volume: out of memory");
	char what[400];
	snprintf(what, sizeof(what), PROXY_VOLUME " (ConfigMap %s)", cmname);
	patch_changed(x, path, NULL, what);
	return 0;
}

static void
record_pod_ports(struct patch_ctx *x, struct workload *w)
{
	yaml_document_t *y = x->y;
	w->nother = 0;
	for (size_t i = 0; i < x->o->ncontainers; i++) {
		if (x->o->containers[i].init)
			continue;
		int ports = ynode_get(y, x->o->containers[i].node, "ports");
		for (size_t k = 0; k < ynode_seq_len(y, ports) && w->nother < 64; k++) {
			int p = ynode_seq_item(y, ports, k);
			const char *n = ynode_str(y, ynode_get(y, p, "containerPort"));
			const char *proto = ynode_str(y, ynode_get(y, p, "protocol"));
			unsigned num = n ? (unsigned)strtoul(n, NULL, 10) : 0;
			bool proxied = false;
			for (size_t j = 0; j < w->nproxy; j++)
				proxied |= w->proxy_ports[j] == num;
			if (!num || proxied)
				continue;
			w->other_ports[w->nother] = num;
			snprintf(w->other_proto[w->nother++], 8, "%s", proto ? proto : "TCP");
		}
	}
}

bool
proxy_applies(const struct patch_ctx *x)
{
	return x->cfg->proxy_protocol != PROXY_OFF && harden_applies(x);
}

int
proxy_apply(struct patch_ctx *x)
{
	struct proxy *p = x->proxy;
	yaml_document_t *y = x->y;
	int pod = patch_own_pod_spec(x);
	if (!pod)
		return -1;
	p->wl = xrealloc(p->wl, (p->nwl + 1) * sizeof(*p->wl));
	struct workload *w = &p->wl[p->nwl++];
	memset(w, 0, sizeof(*w));
	w->ns = x->o->namespace_ ? xstrdup(x->o->namespace_) : NULL;
	w->name = xstrdup(x->o->name ? x->o->name : "docker-mailserver");
	int labels = ynode_path(y, x->o->node, strcmp(x->o->kind, "Pod") == 0 ? "metadata.labels"
										: "spec.template.metadata.labels");
	for (size_t i = 0; ynode_is_map(y, labels) && i < (size_t)(ynode_at(y, labels)->data.mapping.pairs.top -
								     ynode_at(y, labels)->data.mapping.pairs.start); i++) {
		yaml_node_pair_t pr = ynode_at(y, labels)->data.mapping.pairs.start[i];
		const char *k = ynode_str(y, pr.key), *v = ynode_str(y, pr.value);
		if (!k || !v)
			continue;
		w->labels = xrealloc(w->labels, 2 * (w->nlabels + 1) * sizeof(char *));
		w->labels[2 * w->nlabels] = xstrdup(k);
		w->labels[2 * w->nlabels + 1] = xstrdup(v);
		w->nlabels++;
	}
	snprintf(w->cm_name, sizeof(w->cm_name), "%s" PROXY_SUFFIX, w->name);
	const char *cmname = w->cm_name;
	bool need_volume = false;
	for (size_t i = 0; i < x->ndms; i++) {
		size_t idx = x->dms[i];
		if (patch_own_container(x, pod, idx) != 0)
			return -1;
		const struct container *c = &x->o->containers[idx];
		unsigned services = services_of(x, c);
		if (mode(p) == PROXY_SEPARATE && add_ports(x, idx, services, w) != 0)
			return -1;
		if (mode(p) == PROXY_ONLY)
			for (int s = 0; s < PX_COUNT; s++)
				if (services & PX_BIT(s))
					add_port(w->proxy_ports, &w->nproxy, PX_COUNT, proxy_port((enum proxy_service)s)->std_port);
		/* What each file must hold in this mode; a file the mode does not
		 * use is still visited, so that our block left there by a run in
		 * the other mode is taken out. */
		unsigned want[3] = {0, 0, 0};
		want[mode(p) == PROXY_SEPARATE ? PF_USER_PATCHES : PF_POSTFIX_MASTER] = services & PX_POSTFIX;
		want[PF_DOVECOT] = services & ~PX_POSTFIX;
		int ours_vol = ynode_seq_find(y, ynode_get(y, pod, "volumes"), "name", PROXY_VOLUME);
		const char *ours_cm = ynode_str(y, ynode_path(y, ours_vol, "configMap.name"));
		if (check_name(x, ours_vol, "the ConfigMap of volume " PROXY_VOLUME, ours_cm, 253, true) != 0)
			return -1;
		for (int f = 0; f < 3; f++) {
			int mount = mount_at(x, c, proxy_file_path((enum proxy_file)f));
			const char *vol = ynode_str(y, ynode_get(y, mount, "name"));
			/* Our own mount (a second run) is merged like any other: the
			 * ConfigMap we generated then follows the options. */
			if (mount) {
				if (record_merge(p, x, pod, mount, (enum proxy_file)f, want[f], same(vol, PROXY_VOLUME)) != 0)
					return -1;
				continue;
			}
			if (!want[f])
				continue;
			/* Our ConfigMap from an earlier run gets the new key. */
			if (ours_cm) {
				if (add_merge(p, x, ours_cm, proxy_file_key((enum proxy_file)f), (enum proxy_file)f, want[f],
					      true, ours_vol) != 0)
					return -1;
			} else {
				/* Ours to generate, unless a ConfigMap of that name comes
				 * by (then it is merged into, like any other). */
				if (add_merge(p, x, cmname, proxy_file_key((enum proxy_file)f), (enum proxy_file)f, want[f], true,
					      c->node) != 0)
					return -1;
				need_volume = true;
			}
			if (mount_ours(x, c, (enum proxy_file)f) != 0)
				return -1;
		}
		if (mode(p) == PROXY_ONLY && (services & ~PX_POSTFIX))
			patch_warn(x, c->node, "container '%s': with --proxy-protocol only, the standard mail ports accept "
				   "only PROXY-protocol connections, so clients inside the cluster that connect directly "
				   "(webmail, fetchmail, monitoring) are refused; --proxy-protocol separate keeps them plain",
				   c->name ? c->name : "");
	}
	/* Generated objects are named after the workload. */
	if ((need_volume || p->cfg->proxy_network_policy) &&
	    (check_name(x, 0, "the workload's name", w->name, 253 - strlen(PROXY_SUFFIX), true) != 0 ||
	     check_name(x, 0, "the namespace", w->ns, 63, false) != 0))
		return -1;
	if (need_volume && add_volume(x, pod, cmname) != 0)
		return -1;
	record_pod_ports(x, w);
	return diag_failed() ? -1 : 0;
}

/* ---- ConfigMaps ---- */

/* "(12 lines)" for messages about a text. */
static void
lines_of(const char *text, char *out, size_t len, const char *what)
{
	size_t n = 0;
	for (const char *q = text; q && *q; q++)
		n += *q == '\n';
	if (text && *text && text[strlen(text) - 1] != '\n')
		n++;
	snprintf(out, len, "(%zu lines%s)", n, what);
}

int
proxy_configmap(struct patch_ctx *x)
{
	struct proxy *p = x->proxy;
	yaml_document_t *y = x->y;
	if (!p || !x->o->kind || strcmp(x->o->kind, "ConfigMap") != 0)
		return 0;
	for (size_t i = 0; i < p->nmerges; i++) {
		struct merge *m = &p->merges[i];
		if (!same(m->ns, x->o->namespace_) || !same(m->name, x->o->name))
			continue;
		m->found = true;
		char path[320], was[64], now[96];
		snprintf(path, sizeof(path), "data[%s]", m->key);
		/* Read first; the data mapping is made ours only to change it. */
		int v = ynode_get(y, ynode_get(y, x->o->node, "data"), m->key);
		if (v && !ynode_str(y, v))
			return patch_error(x, v, "%s is not text", path);
		const char *cur = v && !ynode_is_null(y, v) ? ynode_str(y, v) : NULL;
		if (!cur && !m->services)
			continue; /* nothing to take out */
		struct proxytext_result res;
		char *text = proxytext_merge(m->file, mode(p), cur, m->services, p->trusted, &res);
		if (!text)
			return patch_error(x, v, "%s: %s", path, res.error);
		int data = res.changed ? patch_own(x, x->o->node, "data", true, true, "data") : 0;
		if (res.changed && !data) {
			free(text);
			return -1;
		}
		if (res.changed) {
			lines_of(cur, was, sizeof(was), "");
			lines_of(text, now, sizeof(now), res.added ? ", with the PROXY-protocol settings" : "");
			if (!ynode_set_str(y, data, m->key, text, YAML_LITERAL_SCALAR_STYLE)) {
				free(text);
				return patch_error(x, data, "cannot set %s: out of memory", path);
			}
			patch_changed(x, path, cur ? was : NULL, now);
		}
		if (res.old_trusted[0]) {
			char tpath[360];
			snprintf(tpath, sizeof(tpath), "%s: haproxy_trusted_networks", path);
			patch_changed(x, tpath, res.old_trusted, p->trusted);
		}
		if (res.not_proxied[0])
			patch_warn(x, v, "%s: Dovecot listener %s did not enable haproxy; switched to PROXY protocol", path,
				   res.not_proxied);
		if (res.equivalent)
			diag_note("document %zu, %s: %s already holds equivalent PROXY-protocol settings", x->d->chunk->index,
				  x->what, path);
		free(text);
	}
	return diag_failed() ? -1 : 0;
}

/* ---- Services ---- */

int
proxy_service(struct patch_ctx *x, const struct dms_workload *ws, size_t nws)
{
	struct proxy *p = x->proxy;
	yaml_document_t *y = x->y;
	if (!p || p->cfg->proxy_protocol == PROXY_OFF)
		return 0;
	int spec = patch_own(x, x->o->node, "spec", true, true, "spec");
	if (!spec)
		return -1;
	struct split *moved = NULL;
	if (p->cfg->proxy_service == PROXY_SERVICE_SPLIT && expose_is_public(x->y, x->o->node) &&
	    !(moved = split_take(&p->splits, x)))
		return -1;
	struct route *r = route_add(&p->routes, x->o->namespace_, moved ? moved->name : x->o->name);
	if (p->cfg->proxy_ingress != INGRESS_NONE &&
	    (check_name(x, 0, "the Service's name", r->svc, 253, true) != 0 ||
	     check_name(x, 0, "the Service's namespace", r->ns, 63, false) != 0))
		return -1;
	if (!nws)
		patch_warn(x, 0, "no docker-mailserver workload came before this Service in the stream, so its "
			   "PROXY ports are not known and none were added; render the workload first");
	for (size_t wi = 0; wi < nws; wi++) {
		const struct dms_workload *w = &ws[wi];
		for (size_t k = 0; k < w->nports; k++) {
			int s = proxy_service_of_port(w->port_numbers[k], mode(p) == PROXY_SEPARATE);
			if (s < 0)
				continue;
			const char *name = w->port_names[k];
			unsigned num = w->port_numbers[k];
			int ports = ynode_get(y, spec, "ports");
			int have = 0;
			for (size_t i = 0; i < ynode_seq_len(y, ports) && !have; i++) {
				int sp = ynode_seq_item(y, ports, i);
				const char *pn = ynode_str(y, ynode_get(y, sp, "port"));
				const char *tp = ynode_str(y, ynode_get(y, sp, "targetPort"));
				const char *nm = ynode_str(y, ynode_get(y, sp, "name"));
				if ((pn && strtoul(pn, NULL, 10) == num) || same(tp, name))
					have = sp;
				else if (same(nm, name))
					return patch_error(x, sp, "Service port name %s is taken by port %s, but the PROXY "
							   "port %s is %u; rename that Service port", name, pn ? pn : "?",
							   name, num);
			}
			const char *route_name = name;
			unsigned route_num = num;
			if (moved) {
				/* The port goes to the PROXY Service, under the name it
				 * had here if it was here. */
				split_add_port(moved, name, num);
				for (size_t m = 0; m < moved->n; m++)
					if (moved->ports[m].port == num)
						route_name = moved->ports[m].name;
			} else if (!have && mode(p) == PROXY_SEPARATE) {
				char num_text[16], what[64];
				ports = patch_own(x, spec, "ports", false, true, "spec.ports");
				if (!ports)
					return -1;
				snprintf(num_text, sizeof(num_text), "%u", num);
				int m = ynode_new_map(y);
				ynode_set_str(y, m, "name", name, YAML_ANY_SCALAR_STYLE);
				ynode_set_str(y, m, "port", num_text, YAML_PLAIN_SCALAR_STYLE);
				ynode_set_str(y, m, "targetPort", name, YAML_ANY_SCALAR_STYLE);
				ynode_set_str(y, m, "protocol", "TCP", YAML_ANY_SCALAR_STYLE);
				if (!m || !ynode_append(y, ports, m))
					return patch_error(x, spec, "cannot add port %s: out of memory", name);
				snprintf(what, sizeof(what), "%s %u/TCP -> %s", name, num, name);
				patch_changed(x, "spec.ports", NULL, what);
			} else if (have) {
				const char *pn = ynode_str(y, ynode_get(y, have, "port"));
				route_name = ynode_str(y, ynode_get(y, have, "name"));
				route_num = pn ? (unsigned)strtoul(pn, NULL, 10) : num;
			}
			if (r->n >= PX_COUNT)
				continue;
			if (!route_name || !dns_name_ok(route_name, 63, false))
				route_name = ""; /* unnamed (or oddly named): the number routes it */
			size_t before = r->n;
			add_port(r->service, &r->n, PX_COUNT, (unsigned)s);
			if (r->n > before) {
				r->port_num[before] = route_num;
				r->port_name[before] = xstrdup(route_name);
			}
		}
	}
	return diag_failed() ? -1 : 0;
}

/* ---- generated objects ---- */

void
proxy_observe(struct proxy *p, struct doc *d)
{
	if (!p || p->cfg->proxy_protocol == PROXY_OFF)
		return;
	for (size_t i = 0; i < d->nobjects; i++) {
		const struct object *o = &d->objects[i];
		if (!o->kind || !o->name)
			continue;
		char ns_name[512];
		snprintf(ns_name, sizeof(ns_name), "%s/%s", o->namespace_ ? o->namespace_ : "", o->name);
		/* Which workload's NetworkPolicy it may be is known at the end. */
		if (strcmp(o->kind, "NetworkPolicy") == 0 && o->api_version &&
		    strcmp(o->api_version, "networking.k8s.io/v1") == 0) {
			p->policies_seen = xrealloc(p->policies_seen, (p->npolicies_seen + 1) * sizeof(char *));
			p->policies_seen[p->npolicies_seen++] = xstrdup(ns_name);
		}
		size_t nl = strlen(o->name), sl = strlen(PROXY_SUFFIX);
		if (strcmp(o->kind, "ConfigMap") == 0 && nl > sl && !strcmp(o->name + nl - sl, PROXY_SUFFIX) &&
		    !seen_configmap(p, o->namespace_, o->name)) {
			p->cms_seen = xrealloc(p->cms_seen, (p->ncms_seen + 1) * sizeof(char *));
			p->cms_seen[p->ncms_seen++] = xstrdup(ns_name);
		}
	}
	route_observe(&p->routes, d);
	split_observe(&p->splits, d);
}

/* TEXT as the lines of a literal block scalar at INDENT spaces. */
static void
literal(struct buf *b, const char *key, const char *text, int indent)
{
	char line[256];
	snprintf(line, sizeof(line), "%*s%s: |\n", indent - 2, "", key);
	buf_adds(b, line);
	for (const char *q = text; *q;) {
		const char *nl = strchr(q, '\n');
		size_t n = nl ? (size_t)(nl - q) : strlen(q);
		if (n)
			snprintf(line, sizeof(line), "%*s", indent, "");
		else
			line[0] = '\0';
		buf_adds(b, line);
		buf_add(b, q, n);
		buf_adds(b, "\n");
		q += n + (nl != NULL);
	}
}

/* Our ConfigMap for workload W: one key for each merge into it that has
 * something to hold, file by file, each with the text a later run merges
 * there (the same services), so that a second run changes nothing. */
static int
gen_configmap(struct proxy *p, struct workload *w, struct gendoc_stream *g, struct spool *out)
{
	struct buf b = {0};
	const char *name = w->cm_name;
	buf_adds(&b, "data:\n");
	for (int f = 0; f < 3; f++)
		for (size_t i = 0; i < p->nmerges; i++) {
			const struct merge *m = &p->merges[i];
			if (!m->ours || m->found || m->file != (enum proxy_file)f || !m->services ||
			    !same(m->ns, w->ns) || strcmp(m->name, name) != 0)
				continue;
			struct proxytext_result res;
			char *text = proxytext_merge(m->file, mode(p), NULL, m->services, p->trusted, &res);
			literal(&b, m->key, text, 4);
			free(text);
		}
	int rc = gendoc_write(g, out, "proxy-protocol-configmap.yaml", "v1", "ConfigMap", w->ns, name, b.data);
	buf_free(&b);
	if (rc == 0)
		diag_note("generated ConfigMap %s with the PROXY-protocol configuration", name);
	return rc;
}

static int
gen_policy(struct proxy *p, struct workload *w, struct gendoc_stream *g, struct spool *out)
{
	struct buf b = {0};
	char name[320], line[320];
	snprintf(name, sizeof(name), "%s" PROXY_SUFFIX, w->name);
	buf_adds(&b, "spec:\n  podSelector:\n    matchLabels:\n");
	for (size_t i = 0; i < w->nlabels; i++) {
		buf_adds(&b, "      ");
		yscalar_append_quoted(&b, w->labels[2 * i]);
		buf_adds(&b, ": ");
		yscalar_append_quoted(&b, w->labels[2 * i + 1]);
		buf_adds(&b, "\n");
	}
	if (!w->nlabels)
		buf_adds(&b, "      {}\n");
	buf_adds(&b, "  policyTypes:\n    - Ingress\n  ingress:\n    # PROXY headers only from the trusted networks\n"
		     "    - from:\n");
	for (size_t i = 0; i < p->cfg->trusted_networks.n; i++) {
		snprintf(line, sizeof(line), "        - ipBlock:\n            cidr: %s\n", p->cfg->trusted_networks.v[i]);
		buf_adds(&b, line);
	}
	buf_adds(&b, "      ports:\n");
	for (size_t i = 0; i < w->nproxy; i++) {
		snprintf(line, sizeof(line), "        - port: %u\n          protocol: TCP\n", w->proxy_ports[i]);
		buf_adds(&b, line);
	}
	if (w->nother) {
		buf_adds(&b, "    # the pod's other ports stay open to everyone\n    - ports:\n");
		for (size_t i = 0; i < w->nother; i++) {
			snprintf(line, sizeof(line), "        - port: %u\n          protocol: %s\n", w->other_ports[i],
				 w->other_proto[i]);
			buf_adds(&b, line);
		}
	}
	int rc = gendoc_write(g, out, "proxy-protocol-networkpolicy.yaml", "networking.k8s.io/v1", "NetworkPolicy",
			      w->ns, name, b.data);
	buf_free(&b);
	if (rc == 0)
		diag_note("generated NetworkPolicy %s for the PROXY ports", name);
	return rc;
}

bool
proxy_names_configmap(const struct proxy *p, const char *ns, const char *name)
{
	for (size_t i = 0; p && i < p->nmerges; i++)
		if (same(p->merges[i].ns, ns) && !strcmp(p->merges[i].name, name))
			return true;
	return false;
}

int
proxy_finish(struct proxy *p, struct gendoc_stream *g, struct spool *out)
{
	if (!p || p->cfg->proxy_protocol == PROXY_OFF)
		return 0;
	for (size_t i = 0; i < p->nmerges; i++) {
		const struct merge *m = &p->merges[i];
		if (m->found)
			continue;
		if (m->ours && !seen_configmap(p, m->ns, m->name)) {
			/* Ours, and not in the stream: generate it, under the name
			 * the volume asks for. */
			p->wl[m->workload].gen |= m->services != 0;
			snprintf(p->wl[m->workload].cm_name, sizeof(p->wl[m->workload].cm_name), "%s", m->name);
			continue;
		}
		if (m->ours) {
			diag_set_document(m->doc, m->source[0] ? m->source : NULL, strlen(m->source));
			diag_error_at(m->line, m->col,
				      "internal error: %s needs ConfigMap %s%s%s for the PROXY-protocol configuration, "
				      "which is in the stream but was not merged into; please report it with the stream",
				      m->what, m->ns ? m->ns : "", m->ns ? "/" : "", m->name);
			return -1;
		}
		diag_set_document(m->doc, m->source[0] ? m->source : NULL, strlen(m->source));
		diag_error_at(m->line, m->col,
			      "%s mounts ConfigMap %s%s%s (key %s) at %s, but that ConfigMap is not in the stream, so the "
			      "PROXY-protocol settings cannot be merged into it; render it together with the workload, or "
			      "remove the mount (dms-postrender then generates a ConfigMap of its own)",
			      m->what, m->ns ? m->ns : "", m->ns ? "/" : "", m->name, m->key, proxy_file_path(m->file));
		return -1;
	}
	if (!p->nwl)
		diag_warn("--proxy-protocol: no docker-mailserver workload in the stream, so nothing was changed");
	/* One object per name: a workload that appears twice (Helm 4 sends hooks
	 * too) or two that share a ConfigMap get one, covering both. */
	for (size_t j = 0; j < p->nwl; j++) {
		struct workload *b = &p->wl[j];
		for (size_t i = 0; i < j; i++) {
			struct workload *a = &p->wl[i];
			if (!same(a->ns, b->ns))
				continue;
			if (!b->dup_cm && !a->dup_cm && !strcmp(a->cm_name, b->cm_name)) {
				a->gen |= b->gen;
				b->dup_cm = true;
			}
			if (!b->dup_policy && !a->dup_policy && !strcmp(a->name, b->name)) {
				for (size_t k = 0; k < b->nproxy; k++)
					add_port(a->proxy_ports, &a->nproxy, PX_COUNT, b->proxy_ports[k]);
				for (size_t k = 0; k < b->nother; k++) {
					bool known = false;
					for (size_t m = 0; m < a->nother; m++)
						known |= a->other_ports[m] == b->other_ports[k] &&
							 !strcmp(a->other_proto[m], b->other_proto[k]);
					if (!known && a->nother < 64) {
						a->other_ports[a->nother] = b->other_ports[k];
						memcpy(a->other_proto[a->nother++], b->other_proto[k], 8);
					}
				}
				b->dup_policy = true;
			}
		}
	}
	for (size_t i = 0; i < p->nwl; i++) {
		struct workload *w = &p->wl[i];
		char name[320];
		snprintf(name, sizeof(name), "%s" PROXY_SUFFIX, w->name);
		w->policy_seen = seen_in(p->policies_seen, p->npolicies_seen, w->ns, name);
		if (w->gen && !w->dup_cm && gen_configmap(p, w, g, out) != 0)
			return -1;
		if (p->cfg->proxy_network_policy && !w->policy_seen && !w->dup_policy && gen_policy(p, w, g, out) != 0)
			return -1;
	}
	if (split_finish(&p->splits, g, out) != 0)
		return -1;
	return route_finish(&p->routes, g, out);
}

