/* harden.c -- makes the docker-mailserver container match the hardened form
 * of docker-mailserver's Kubernetes guide: the securityContext it needs to
 * start (root, privilege escalation for Postfix's SGID postdrop) and nothing
 * more (drop ALL, an explicit capability list, RuntimeDefault seccomp and
 * AppArmor), plus the kube-linter ignore-check annotations. It merges: a
 * value already right is left as it is, a field we do not own is never
 * touched, an explicit Localhost profile is kept. Other containers, init
 * containers and the pod-level securityContext are never edited. */
#include "harden.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "expose.h"
#include "image.h"
#include "probes.h"
#include "proxytext.h"
#include "util.h"
#include "ynode.h"

#define APPARMOR_KEY "container.apparmor.security.beta.kubernetes.io/"
#define PATH_MAX_LEN 256

/* The guide's list, in its order; the Fail2Ban pair goes where the guide
 * has it. */
static const char *const caps_base1[] = {"CHOWN", "FOWNER", "MKNOD", "SETGID", "SETUID", "DAC_OVERRIDE"};
static const char *const caps_fail2ban[] = {"NET_ADMIN", "NET_RAW"};
static const char *const caps_base2[] = {"NET_BIND_SERVICE", "SYS_CHROOT"};
/* Between SYS_CHROOT and KILL from the v16 guide on (DMS PR #4661,
 * docs/content/config/advanced/kubernetes.md:282 at v16.0.0). */
static const char *const caps_v16[] = {"MAC_OVERRIDE"};
static const char *const caps_base3[] = {"KILL"};

/* Container ports that carry PROXY protocol in the official chart. */

enum kind { BOOL, INT };

/* DST = A + B + C, cut to PATH_MAX_LEN - 1 bytes (paths are for messages). */
static void
join(char *dst, const char *a, const char *b, const char *c)
{
	size_t n = 0;
	for (const char *part[] = {a, b, c}, **q = part; q < part + 3; q++)
		for (const char *t = *q; t && *t && n + 1 < PATH_MAX_LEN; t++)
			dst[n++] = *t;
	dst[n] = '\0';
}

static const struct {
	const char *key;
	const char *want;
	enum kind kind;
	const char *why; /* why another value is wrong, for the warning */
} fields[] = {
	{"allowPrivilegeEscalation", "true", BOOL,
	 "Postfix's postdrop is SGID and mail submission fails without it"},
	{"readOnlyRootFilesystem", "false", BOOL, "docker-mailserver writes to its root filesystem at start-up"},
	{"runAsUser", "0", INT, "docker-mailserver starts as root and drops privileges per service"},
	{"runAsGroup", "0", INT, "docker-mailserver starts as root and drops privileges per service"},
	{"runAsNonRoot", "false", BOOL, "docker-mailserver must start as root"},
	{"privileged", "false", BOOL, "a privileged container gets every capability and device; "
				      "docker-mailserver needs only the listed capabilities"},
};

bool
harden_applies(const struct patch_ctx *x)
{
	static const char *const kinds[] = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod"};
	for (size_t i = 0; i < countof(kinds); i++)
		if (strcmp(x->o->kind, kinds[i]) == 0)
			return true;
	return false;
}

/* "cap_net_admin" -> "NET_ADMIN" for comparison. */
static void
cap_norm(const char *in, char *out, size_t outlen)
{
	size_t n = 0;
	if (strncasecmp(in, "CAP_", 4) == 0)
		in += 4;
	while (*in && n + 1 < outlen)
		out[n++] = (char)toupper((unsigned char)*in++);
	out[n] = '\0';
}

static bool
want_cap(const char *const *want, size_t nwant, const char *cap)
{
	char norm[64];
	cap_norm(cap, norm, sizeof(norm));
	for (size_t i = 0; i < nwant; i++)
		if (strcmp(norm, want[i]) == 0)
			return true;
	return false;
}

/* ---- Fail2Ban ---- */

static bool
has_proxy_ports(struct patch_ctx *x, int c, char *list, size_t listlen)
{
	int ports = ynode_get(x->y, c, "ports");
	size_t used = 0;
	list[0] = '\0';
	for (size_t i = 0; i < ynode_seq_len(x->y, ports); i++) {
		int p = ynode_seq_item(x->y, ports, i);
		const char *name = ynode_str(x->y, ynode_get(x->y, p, "name"));
		const char *num = ynode_str(x->y, ynode_get(x->y, p, "containerPort"));
		if (expose_is_proxy_port(x->cfg, num, NULL, name) && used + 32 < listlen)
			used += (size_t)snprintf(list + used, listlen - used, "%s%s", used ? ", " : "",
						 name ? name : num ? num : "?");
	}
	return used > 0;
}

/* PERMIT_DOCKER other than none puts networks into Postfix's mynetworks,
 * which may relay; behind PROXY ports the client address is whatever the
 * PROXY header claims. */
static void
warn_permit_docker(struct patch_ctx *x, const struct container *c, const char *cname)
{
	struct env_value v;
	char list[128];
	envsrc_lookup(x->env, x->d, x->o, c, "PERMIT_DOCKER", &v);
	if (v.state != ENV_SET || !v.value[0] || strcmp(v.value, "none") == 0)
		return;
	if (x->cfg->proxy_protocol == PROXY_ONLY)
		snprintf(list, sizeof(list), "the standard ports, under --proxy-protocol only");
	else if (!has_proxy_ports(x, c->node, list, sizeof(list)))
		return;
	patch_warn(x, c->node,
		   "container '%s': PERMIT_DOCKER is '%s' (%s), so docker-mailserver adds networks to Postfix's "
		   "mynetworks, and the container has PROXY-protocol ports (%s): a client that sends a PROXY "
		   "header claiming an address in those networks may relay mail through them. Set "
		   "PERMIT_DOCKER=none, or admit the PROXY ports only from your proxy (--proxy-network-policy)",
		   cname, v.value, v.origin, list);
}

static bool
decide_fail2ban(struct patch_ctx *x, const struct container *c, const char *cname)
{
	struct env_value v;
	switch (x->cfg->fail2ban) {
	case FAIL2BAN_ON: return true;
	case FAIL2BAN_OFF: return false;
	default: break;
	}
	envsrc_lookup(x->env, x->d, x->o, c, "ENABLE_FAIL2BAN", &v);
	switch (v.state) {
	case ENV_UNSET:
		diag_note("document %zu, %s: container '%s': ENABLE_FAIL2BAN is not set (docker-mailserver's "
			  "default is off): no NET_ADMIN/NET_RAW", x->d->chunk->index, x->what, cname);
		return false;
	case ENV_UNKNOWN:
		patch_warn(x, c->node,
			   "container '%s' reads ENABLE_FAIL2BAN from %s, which is not in the stream; "
			   "adding NET_ADMIN and NET_RAW in case Fail2Ban is on. Pass --fail2ban on or "
			   "--fail2ban off to decide", cname, v.origin);
		return true;
	case ENV_SET:
		break;
	}
	if (strcmp(v.value, "1") == 0) {
		diag_note("document %zu, %s: container '%s': ENABLE_FAIL2BAN=1 from %s: adding NET_ADMIN and NET_RAW",
			  x->d->chunk->index, x->what, cname, v.origin);
		return true;
	}
	if (strcmp(v.value, "0") != 0 && v.value[0])
		patch_warn(x, c->node,
			   "container '%s': ENABLE_FAIL2BAN='%s' from %s is neither 0 nor 1; docker-mailserver "
			   "treats it as off, so NET_ADMIN and NET_RAW are not added", cname, v.value, v.origin);
	else
		diag_note("document %zu, %s: container '%s': ENABLE_FAIL2BAN=%s from %s: no NET_ADMIN/NET_RAW",
			  x->d->chunk->index, x->what, cname, v.value[0] ? v.value : "''", v.origin);
	return false;
}

/* ---- securityContext ---- */

static bool
is_zero(struct patch_ctx *x, int node)
{
	yaml_node_t *n = ynode_at(x->y, node);
	if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	char *end;
	const char *v = (const char *)n->data.scalar.value;
	long l = strtol(v, &end, 0);
	return *v && !*end && l == 0;
}

static void
set_fields(struct patch_ctx *x, int sc, const char *cname, const char *base)
{
	char path[PATH_MAX_LEN];
	for (size_t i = 0; i < countof(fields); i++) {
		int v = ynode_get(x->y, sc, fields[i].key);
		join(path, base, ".", fields[i].key);
		/* A null ("privileged:", "~") is the field left unset: set, not
		 * warned about. */
		if (v && !ynode_is_null(x->y, v)) {
			bool ok = fields[i].kind == INT ? is_zero(x, v)
							: patch_bool(x, v) == (strcmp(fields[i].want, "true") == 0);
			if (ok)
				continue;
			patch_warn(x, v, "container '%s': securityContext.%s was %s; %s, so it is set to %s", cname,
				   fields[i].key, patch_text(x, v), fields[i].why, fields[i].want);
		}
		patch_set(x, sc, fields[i].key, fields[i].want, YAML_PLAIN_SCALAR_STYLE, path);
	}
}

static int
set_capabilities(struct patch_ctx *x, int sc, bool fail2ban, int major, const char *base)
{
	const char *want[64];
	size_t nwant = 0;
	char path[PATH_MAX_LEN], cpath[PATH_MAX_LEN];
	for (size_t i = 0; i < countof(caps_base1); i++)
		want[nwant++] = caps_base1[i];
	for (size_t i = 0; fail2ban && i < countof(caps_fail2ban); i++)
		want[nwant++] = caps_fail2ban[i];
	for (size_t i = 0; i < countof(caps_base2); i++)
		want[nwant++] = caps_base2[i];
	for (size_t i = 0; major >= 16 && i < countof(caps_v16); i++)
		want[nwant++] = caps_v16[i];
	for (size_t i = 0; i < countof(caps_base3); i++)
		want[nwant++] = caps_base3[i];
	for (size_t i = 0; i < x->cfg->add_capabilities.n && nwant < countof(want); i++)
		if (!want_cap(want, nwant, x->cfg->add_capabilities.v[i]))
			want[nwant++] = x->cfg->add_capabilities.v[i];

	join(cpath, base, ".capabilities", NULL);
	int caps = patch_own(x, sc, "capabilities", true, true, cpath);
	if (!caps)
		return -1;
	join(path, cpath, ".add", NULL);
	int add = patch_own(x, caps, "add", false, true, path);
	if (!add)
		return -1;
	for (size_t i = 0; i < ynode_seq_len(x->y, add); i++)
		if (!ynode_str(x->y, ynode_seq_item(x->y, add, i)))
			return patch_error(x, ynode_seq_item(x->y, add, i), "%s[%zu] is not a capability name", path, i);
	/* New items take the quoting of the list's first item ("NET_ADMIN"). */
	yaml_node_t *first = ynode_at(x->y, ynode_seq_item(x->y, add, 0));
	yaml_scalar_style_t style = first && first->type == YAML_SCALAR_NODE ? first->data.scalar.style
									   : YAML_PLAIN_SCALAR_STYLE;
	for (size_t w = 0; w < nwant; w++) {
		bool present = false;
		for (size_t i = 0; !present && i < ynode_seq_len(x->y, add); i++)
			present = want_cap(&want[w], 1, ynode_str(x->y, ynode_seq_item(x->y, add, i)));
		if (present)
			continue;
		if (!ynode_append(x->y, add, ynode_new_str(x->y, want[w], style)))
			return patch_error(x, add, "cannot extend %s: out of memory", path);
		patch_changed(x, path, "(not listed)", want[w]);
	}

	join(path, cpath, ".drop", NULL);
	int drop = patch_own(x, caps, "drop", false, true, path);
	if (!drop)
		return -1;
	bool all = false;
	for (size_t i = ynode_seq_len(x->y, drop); i-- > 0;) {
		const char *cap = ynode_str(x->y, ynode_seq_item(x->y, drop, i));
		if (!cap)
			return patch_error(x, ynode_seq_item(x->y, drop, i), "%s[%zu] is not a capability name", path, i);
		if (strcasecmp(cap, "ALL") == 0) {
			all = true;
		} else if (want_cap(want, nwant, cap)) {
			char was[64];
			snprintf(was, sizeof(was), "%s", cap);
			ynode_seq_remove(x->y, drop, i);
			patch_changed(x, path, was, "(removed: docker-mailserver needs it)");
		}
	}
	if (!all) {
		if (!ynode_append(x->y, drop, ynode_new_str(x->y, "ALL", YAML_PLAIN_SCALAR_STYLE)))
			return patch_error(x, drop, "cannot extend %s: out of memory", path);
		patch_changed(x, path, "(not listed)", "ALL");
	}
	return 0;
}

static int
set_seccomp(struct patch_ctx *x, int sc, int pod_sc, const char *cname, const char *base)
{
	char path[PATH_MAX_LEN];
	join(path, base, ".seccompProfile", NULL);
	int sp = ynode_get(x->y, sc, "seccompProfile");
	int tnode = ynode_get(x->y, sp, "type");
	const char *type = ynode_is_null(x->y, tnode) ? NULL : ynode_str(x->y, tnode);
	if (type && (strcmp(type, "RuntimeDefault") == 0 || strcmp(type, "Localhost") == 0))
		return 0;
	if (!sp || ynode_is_null(x->y, sp)) {
		const char *pod_type = ynode_str(x->y, ynode_path(x->y, pod_sc, "seccompProfile.type"));
		if (pod_type && strcmp(pod_type, "Localhost") == 0) {
			diag_note("document %zu, %s: container '%s': keeping the pod's Localhost seccomp profile",
				  x->d->chunk->index, x->what, cname);
			return 0;
		}
	} else if (ynode_is_map(x->y, sp)) {
		patch_warn(x, sp, "container '%s': securityContext.seccompProfile.type was %s; %s, so it is set "
			   "to RuntimeDefault", cname, type ? type : "(absent)",
			   type && strcmp(type, "Unconfined") == 0 ? "Unconfined turns syscall filtering off"
								  : "that is not a valid profile type");
	}
	int own = patch_own(x, sc, "seccompProfile", true, true, path);
	if (!own)
		return -1;
	join(path, base, ".seccompProfile.type", NULL);
	patch_set(x, own, "type", "RuntimeDefault", YAML_PLAIN_SCALAR_STYLE, path);
	return 0;
}

/* ---- AppArmor ---- */

struct profile {
	const char *type;  /* RuntimeDefault, Localhost, Unconfined, or NULL */
	const char *local; /* Localhost profile name */
};

static struct profile
field_profile(struct patch_ctx *x, int sc)
{
	struct profile p = {NULL, NULL};
	int ap = ynode_get(x->y, sc, "appArmorProfile");
	p.type = ynode_str(x->y, ynode_get(x->y, ap, "type"));
	p.local = ynode_str(x->y, ynode_get(x->y, ap, "localhostProfile"));
	return p;
}

static bool
field_is_set(struct patch_ctx *x, int sc)
{
	int ap = ynode_get(x->y, sc, "appArmorProfile");
	return ap && !ynode_is_null(x->y, ap);
}

/* The pod template's metadata mapping, owned; 0 after an error. */
static int
own_template_metadata(struct patch_ctx *x)
{
	if (strcmp(x->o->kind, "Pod") == 0)
		return patch_own(x, x->o->node, "metadata", true, true, "metadata");
	/* "spec.template.spec" -> own spec, template, then metadata. */
	int spec = patch_own(x, x->o->node, "spec", true, false, "spec");
	int tmpl = spec ? patch_own(x, spec, "template", true, false, "spec.template") : 0;
	return tmpl ? patch_own(x, tmpl, "metadata", true, true, "spec.template.metadata") : 0;
}

static int
set_apparmor(struct patch_ctx *x, int sc, int pod_sc, const char *cname, const char *base)
{
	char key[PATH_MAX_LEN], path[PATH_MAX_LEN], value[PATH_MAX_LEN];
	unsigned major = 0, minor = 0;
	bool known = config_kube_version(x->cfg, &major, &minor);
	bool field_ok = known && (major > 1 || minor >= 30);
	const char *meta_path = strcmp(x->o->kind, "Pod") == 0 ? "metadata" : "spec.template.metadata";

	join(key, APPARMOR_KEY, cname, NULL);
	char anns_path[PATH_MAX_LEN];
	join(anns_path, meta_path, ".annotations", NULL);
	int a_node = ynode_get(x->y, ynode_path(x->y, x->o->node, anns_path), key);
	const char *a = ynode_str(x->y, a_node);
	struct profile f = field_profile(x, sc);
	struct profile p = field_profile(x, pod_sc);
	bool has_field = field_is_set(x, sc), has_ann = a_node != 0;

	/* The profile: an explicit Localhost one is kept, anything else becomes
	 * RuntimeDefault. */
	struct profile t = {"RuntimeDefault", NULL};
	const char *local_a = a && strncmp(a, "localhost/", 10) == 0 ? a + 10 : NULL;
	const char *local_f = f.type && strcmp(f.type, "Localhost") == 0 ? (f.local ? f.local : "") : NULL;
	if (local_a && local_f && strcmp(local_a, local_f) != 0)
		return patch_error(x, a_node,
				   "the AppArmor annotation of container '%s' says localhost/%s but its "
				   "securityContext.appArmorProfile says Localhost %s; the API server rejects a "
				   "mismatch: make them agree", cname, local_a, local_f);
	if (local_f) {
		t.type = "Localhost";
		t.local = local_f;
	} else if (local_a) {
		t.type = "Localhost";
		t.local = local_a;
	} else if (!has_field && !has_ann && p.type && strcmp(p.type, "Localhost") == 0) {
		t.type = "Localhost";
		t.local = p.local ? p.local : "";
	} else {
		if ((f.type && strcmp(f.type, "Unconfined") == 0) || (a && strcmp(a, "unconfined") == 0))
			patch_warn(x, has_field ? ynode_get(x->y, sc, "appArmorProfile") : a_node,
				   "container '%s': AppArmor was unconfined, which turns AppArmor off; set to "
				   "RuntimeDefault", cname);
		else if (a && strcmp(a, "runtime/default") != 0)
			patch_warn(x, a_node, "container '%s': AppArmor annotation value '%s' is not valid; set to "
				   "runtime/default", cname, a);
	}
	if (t.local && !*t.local)
		return patch_error(x, sc, "container '%s': a Localhost AppArmor profile without a profile name",
				   cname);

	int mode = x->cfg->apparmor;
	bool write_ann = mode == APPARMOR_ANNOTATION || mode == APPARMOR_BOTH || (mode == APPARMOR_AUTO && !field_ok) ||
			 has_ann;
	bool write_field = mode == APPARMOR_FIELD || mode == APPARMOR_BOTH || (mode == APPARMOR_AUTO && field_ok) ||
			   has_field;
	/* A pod-level profile would otherwise be what the annotation is checked
	 * against; an explicit container field keeps both in agreement. */
	if (write_ann && p.type)
		write_field = true;
	if (write_field && known && !field_ok && !has_field)
		patch_warn(x, 0, "container '%s': securityContext.appArmorProfile needs Kubernetes 1.30 or later, "
			   "but --kube-version is %s; use --apparmor annotation", cname, x->cfg->kube_version);

	if (write_field) {
		join(path, base, ".appArmorProfile", NULL);
		int ap = patch_own(x, sc, "appArmorProfile", true, true, path);
		if (!ap)
			return -1;
		if (!f.type || strcmp(f.type, t.type) != 0) {
			join(path, base, ".appArmorProfile.type", NULL);
			patch_set(x, ap, "type", t.type, YAML_PLAIN_SCALAR_STYLE, path);
		}
		if (t.local && (!f.local || strcmp(f.local, t.local) != 0)) {
			join(path, base, ".appArmorProfile.localhostProfile", NULL);
			patch_set(x, ap, "localhostProfile", t.local, YAML_ANY_SCALAR_STYLE, path);
		}
	}
	if (write_ann) {
		join(value, t.local ? "localhost/" : "runtime/default", t.local, NULL);
		if (a && strcmp(a, value) == 0)
			return 0;
		int meta = own_template_metadata(x);
		int anns = meta ? patch_own(x, meta, "annotations", true, true, anns_path) : 0;
		if (!anns)
			return -1;
		join(path, meta_path, ".annotations[", key);
		join(path, path, "]", NULL);
		patch_set(x, anns, key, value, YAML_ANY_SCALAR_STYLE, path);
	}
	return 0;
}

/* ---- kube-linter ---- */

static int
set_linter_annotations(struct patch_ctx *x, const char *names)
{
	static const struct {
		const char *key, *before, *after;
	} notes[] = {
		{"ignore-check.kube-linter.io/run-as-non-root", "", " needs to run as root"},
		{"ignore-check.kube-linter.io/privileged-ports", "", " needs privileged ports"},
		{"ignore-check.kube-linter.io/no-read-only-root-fs", "There are too many files written by ",
		 " to make the root FS read-only"},
	};
	char path[PATH_MAX_LEN], value[PATH_MAX_LEN];
	int anns_ro = ynode_path(x->y, x->o->node, "metadata.annotations");
	bool missing = false;
	for (size_t i = 0; i < countof(notes); i++)
		missing |= ynode_get(x->y, anns_ro, notes[i].key) == 0;
	if (!missing)
		return 0; /* existing texts are the user's */
	int meta = patch_own(x, x->o->node, "metadata", true, true, "metadata");
	int anns = meta ? patch_own(x, meta, "annotations", true, true, "metadata.annotations") : 0;
	if (!anns)
		return -1;
	for (size_t i = 0; i < countof(notes); i++) {
		if (ynode_get(x->y, anns, notes[i].key))
			continue;
		join(value, notes[i].before, names, notes[i].after);
		join(path, "metadata.annotations[", notes[i].key, "]");
		/* "'name' needs ..." reads better double-quoted than with doubled quotes. */
		patch_set(x, anns, notes[i].key, value,
			  value[0] == '\'' ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE, path);
	}
	return 0;
}

/* ---- the container ---- */

/* The docker-mailserver major version whose guide sets container C's
 * capabilities: --dms-version, else the image tag, else 15's (said under
 * --verbose either way). */
static int
dms_major(struct patch_ctx *x, const struct container *c, const char *cname)
{
	char why[192];
	int major = x->cfg->dms_version == DMS_16 ? 16 : x->cfg->dms_version == DMS_15 ? 15 : 0;
	if (major)
		snprintf(why, sizeof(why), "--dms-version");
	else
		major = image_dms_major(c->image, why, sizeof(why));
	if (!major) {
		diag_note("container '%s': the docker-mailserver version is not known (%s): the guide's capabilities "
			  "for 15 and older; pass --dms-version 16 for 16's (MAC_OVERRIDE)", cname, why);
		return 15;
	}
	diag_note("container '%s': docker-mailserver %d (%s): the guide's capabilities for %s", cname, major, why,
		  major >= 16 ? "16 and later, MAC_OVERRIDE included" : "15 and older");
	unsigned kmaj, kmin;
	bool asked = false;
	for (size_t i = 0; i < x->cfg->add_capabilities.n; i++)
		asked |= !strcmp(x->cfg->add_capabilities.v[i], "MAC_OVERRIDE");
	if (major < 16 && !asked && config_kube_version(x->cfg, &kmaj, &kmin) && (kmaj > 1 || kmin >= 35))
		diag_note("container '%s': docker-mailserver's guide added MAC_OVERRIDE after a report that it did not "
			  "start on Kubernetes 1.35.0 without it (DMS PR #4661; no cause was found); it is in the v16 "
			  "guide, not in 15's: if the container fails to start, add --add-capability MAC_OVERRIDE",
			  cname);
	return major;
}

static int
harden_container(struct patch_ctx *x, int pod, size_t idx)
{
	struct container *c = &x->o->containers[idx];
	char base[PATH_MAX_LEN], list[128];
	const char *cname = c->name;

	if (patch_own_container(x, pod, idx) != 0)
		return -1;

	join(base, x->pod_path, ".containers[", cname);
	join(base, base, "].securityContext", NULL);
	bool fail2ban = decide_fail2ban(x, c, cname);
	/* --proxy-protocol only puts PROXY on the standard ports themselves. */
	if (fail2ban && x->cfg->proxy_protocol == PROXY_ONLY)
		snprintf(list, sizeof(list), "the standard ports, under --proxy-protocol only");
	if (fail2ban && (x->cfg->proxy_protocol == PROXY_ONLY || has_proxy_ports(x, c->node, list, sizeof(list))))
		patch_warn(x, c->node,
			   "container '%s': Fail2Ban is on, but the container has PROXY-protocol ports (%s); "
			   "behind a proxy Fail2Ban sees the proxy's address and may ban it. Ban at the "
			   "ingress or CNI instead, or set ENABLE_FAIL2BAN=0", cname, list);
	warn_permit_docker(x, c, cname);

	int sc = patch_own(x, c->node, "securityContext", true, true, base);
	if (!sc)
		return -1;
	int pod_sc = ynode_get(x->y, pod, "securityContext");
	set_fields(x, sc, cname, base);
	int major = dms_major(x, c, cname);
	if (set_capabilities(x, sc, fail2ban, major, base) != 0 || set_seccomp(x, sc, pod_sc, cname, base) != 0)
		return -1;
	if (x->cfg->apparmor != APPARMOR_OFF && set_apparmor(x, sc, pod_sc, cname, base) != 0)
		return -1;
	char cbase[PATH_MAX_LEN];
	join(cbase, x->pod_path, ".containers[", cname);
	join(cbase, cbase, "]", NULL);
	if (probes_apply(x, c->node, cname, major, cbase) != 0)
		return -1;
	return diag_failed() ? -1 : 0;
}

int
harden_apply(struct patch_ctx *x)
{
	char names[PATH_MAX_LEN] = "";
	for (size_t i = 0; i < x->ndms; i++) {
		const struct container *c = &x->o->containers[x->dms[i]];
		if (!c->name || !*c->name)
			return patch_error(x, c->node, "the docker-mailserver container has no name");
		size_t used = strlen(names);
		snprintf(names + used, sizeof(names) - used, "%s'%s'", used ? ", " : "", c->name);
	}
	int pod = patch_own_pod_spec(x);
	if (!pod)
		return -1;
	for (size_t i = 0; i < x->ndms; i++)
		if (harden_container(x, pod, x->dms[i]) != 0)
			return -1;
	if (!x->cfg->no_linter_annotations && set_linter_annotations(x, names) != 0)
		return -1;
	x->hardened += x->ndms;
	return 0;
}
