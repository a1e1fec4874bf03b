/* psa.c -- Pod Security Standards checks (see psa.h), each written from its
 * upstream definition in kubernetes/pod-security-admission policy/ at
 * commit 8f84a87 (2026-07-01): the file is named beside each check. Only
 * what a pod spec can say is read; a value the API server would reject is
 * not judged. */
#include "psa.h"

#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "config.h"
#include "util.h"
#include "ynode.h"

#define NEWEST_MINOR 37

const char *
psa_level_name(enum psa_level l)
{
	return l == PSA_RESTRICTED ? "restricted" : l == PSA_BASELINE ? "baseline" : "privileged";
}

int
psa_level_of(const char *text)
{
	static const char *const names[] = {"privileged", "baseline", "restricted"};
	for (size_t i = 0; text && i < countof(names); i++)
		if (!strcmp(text, names[i]))
			return (int)i;
	return -1;
}

static bool
is_true(yaml_document_t *y, int node)
{
	return ynode_bool(y, node) == 1;
}

static bool
is_false(yaml_document_t *y, int node)
{
	return ynode_bool(y, node) == 0;
}

/* Append "ID (DETAIL)" to the list OUT unless ID is there (details of one
 * ID are joined with ", "). */
static void
fail(char *out, size_t len, const char *id, const char *detail)
{
	char head[64];
	snprintf(head, sizeof(head), "%s (", id);
	char *at = strstr(out, head);
	size_t used = strlen(out);
	if (!at) {
		if (used + strlen(id) + strlen(detail) + 6 < len)
			snprintf(out + used, len - used, "%s%s (%s)", used ? "; " : "", id, detail);
		return;
	}
	/* The ID is listed: add DETAIL inside its parentheses, once. */
	char *open = at + strlen(head), *close = strchr(open, ')');
	if (!close || used + strlen(detail) + 3 >= len)
		return;
	for (char *d = strstr(open, detail); d && d < close; d = strstr(d + 1, detail))
		if ((d == open || d[-1] == ' ') && (d[strlen(detail)] == ',' || d[strlen(detail)] == ')'))
			return;
	char rest[768];
	snprintf(rest, sizeof(rest), "%s", close);
	snprintf(close, len - (size_t)(close - out), ", %s%s", detail, rest);
}

/* Every container list of the pod. */
static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers"};

/* check_seLinuxOptions.go: type among the container types (container_engine_t
 * from 1.31), no user or role. */
static void
selinux(yaml_document_t *y, int sc, const char *who, unsigned minor, char *out, size_t len)
{
	int opts = ynode_get(y, sc, "seLinuxOptions");
	if (!ynode_is_map(y, opts))
		return;
	const char *type = ynode_str(y, ynode_get(y, opts, "type"));
	static const char *const types[] = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"};
	bool ok = !type;
	for (size_t i = 0; type && i < countof(types) - (minor < 31); i++)
		ok |= !strcmp(type, types[i]);
	const char *user = ynode_str(y, ynode_get(y, opts, "user")), *role = ynode_str(y, ynode_get(y, opts, "role"));
	if (!ok || (user && *user) || (role && *role))
		fail(out, len, "seLinuxOptions", who);
}

/* check_seccompProfile_baseline.go: RuntimeDefault, Localhost or unset. */
static void
seccomp(yaml_document_t *y, int sc, const char *who, char *b, size_t blen, bool *set_ok, bool *unset)
{
	const char *type = ynode_str(y, ynode_path(y, sc, "seccompProfile.type"));
	if (!type) {
		*unset = true;
		return;
	}
	bool ok = !strcmp(type, "RuntimeDefault") || !strcmp(type, "Localhost");
	if (!ok)
		fail(b, blen, "seccompProfile_baseline", who);
	*set_ok = ok;
}

/* check_appArmorProfile.go: the field's type RuntimeDefault or Localhost. */
static void
apparmor_field(yaml_document_t *y, int sc, const char *who, char *out, size_t len)
{
	const char *type = ynode_str(y, ynode_path(y, sc, "appArmorProfile.type"));
	if (type && strcmp(type, "RuntimeDefault") != 0 && strcmp(type, "Localhost") != 0)
		fail(out, len, "appArmorProfile", who);
}

/* check_hostProbesAndhostLifecycle.go (1.34+): no host in the probes' and
 * lifecycle handlers' httpGet and tcpSocket. */
static void
probe_hosts(yaml_document_t *y, int c, const char *who, char *out, size_t len)
{
	static const char *const handlers[] = {"livenessProbe", "readinessProbe", "startupProbe",
					       "lifecycle.postStart", "lifecycle.preStop"};
	for (size_t i = 0; i < countof(handlers); i++) {
		int h = ynode_path(y, c, handlers[i]);
		for (int k = 0; k < 2; k++) {
			const char *host = ynode_str(y, ynode_path(y, h, k ? "tcpSocket.host" : "httpGet.host"));
			if (host && *host)
				fail(out, len, "hostProbesAndHostLifecycle", who);
		}
	}
}

/* check_sysctls.go: the safe set, by version. */
static bool
safe_sysctl(const char *name, unsigned minor)
{
	static const struct {
		const char *name;
		unsigned since;
	} safe[] = {
		{"kernel.shm_rmid_forced", 0},	      {"net.ipv4.ip_local_port_range", 0},
		{"net.ipv4.ip_unprivileged_port_start", 0}, {"net.ipv4.tcp_syncookies", 0},
		{"net.ipv4.ping_group_range", 0},	      {"net.ipv4.ip_local_reserved_ports", 27},
		{"net.ipv4.tcp_keepalive_time", 29},	      {"net.ipv4.tcp_fin_timeout", 29},
		{"net.ipv4.tcp_keepalive_intvl", 29},	      {"net.ipv4.tcp_keepalive_probes", 29},
		{"net.ipv4.tcp_rmem", 32},		      {"net.ipv4.tcp_wmem", 32},
	};
	for (size_t i = 0; i < countof(safe); i++)
		if (!strcmp(name, safe[i].name) && minor >= safe[i].since)
			return true;
	return false;
}

void
psa_evaluate(yaml_document_t *y, int pod, int annotations, unsigned minor, struct psa_result *r)
{
	memset(r, 0, sizeof(*r));
	char *b = r->baseline, *rs = r->restricted;
	size_t bl = sizeof(r->baseline), rl = sizeof(r->restricted);
	if (!minor)
		minor = NEWEST_MINOR;
	/* check_hostNamespaces.go */
	static const char *const ns[] = {"hostNetwork", "hostPID", "hostIPC"};
	for (size_t i = 0; i < countof(ns); i++)
		if (is_true(y, ynode_get(y, pod, ns[i])))
			fail(b, bl, "hostNamespaces", ns[i]);
	/* check_hostPathVolumes.go */
	int vols = ynode_get(y, pod, "volumes");
	for (size_t i = 0; i < ynode_seq_len(y, vols); i++) {
		int v = ynode_seq_item(y, vols, i);
		if (ynode_get(y, v, "hostPath") && !ynode_is_null(y, ynode_get(y, v, "hostPath"))) {
			const char *name = ynode_str(y, ynode_get(y, v, "name"));
			fail(b, bl, "hostPathVolumes", name ? name : "?");
		}
	}
	/* check_appArmorProfile.go: the annotations */
	yaml_node_t *an = ynode_at(y, annotations);
	if (an && an->type == YAML_MAPPING_NODE)
		for (yaml_node_pair_t *p = an->data.mapping.pairs.start; p < an->data.mapping.pairs.top; p++) {
			const char *k = ynode_str(y, p->key), *v = ynode_str(y, p->value);
			if (k && v && !strncmp(k, "container.apparmor.security.beta.kubernetes.io/", 47) && *v &&
			    strcmp(v, "runtime/default") != 0 && strncmp(v, "localhost/", 10) != 0)
				fail(b, bl, "appArmorProfile", k + 47);
		}
	int psc = ynode_get(y, pod, "securityContext");
	apparmor_field(y, psc, "pod", b, bl);
	selinux(y, psc, "pod", minor, b, bl);
	bool pod_seccomp_ok = false, pod_seccomp_unset = false;
	seccomp(y, psc, "pod", b, bl, &pod_seccomp_ok, &pod_seccomp_unset);
	if (is_true(y, ynode_path(y, psc, "windowsOptions.hostProcess")))
		fail(b, bl, "windowsHostProcess", "pod");
	/* check_sysctls.go */
	int sysctls = ynode_get(y, psc, "sysctls");
	for (size_t i = 0; i < ynode_seq_len(y, sysctls); i++) {
		const char *name = ynode_str(y, ynode_get(y, ynode_seq_item(y, sysctls, i), "name"));
		if (name && !safe_sysctl(name, minor))
			fail(b, bl, "sysctls", name);
	}
	bool pod_non_root = is_true(y, ynode_get(y, psc, "runAsNonRoot"));
	const char *pod_user = ynode_str(y, ynode_get(y, psc, "runAsUser"));
	bool host_users_off = is_false(y, ynode_get(y, pod, "hostUsers"));
	for (size_t l = 0; l < countof(lists); l++) {
		int cs = ynode_get(y, pod, lists[l]);
		for (size_t i = 0; i < ynode_seq_len(y, cs); i++) {
			int c = ynode_seq_item(y, cs, i);
			const char *cn = ynode_str(y, ynode_get(y, c, "name"));
			char who[96];
			snprintf(who, sizeof(who), "%s", cn ? cn : "?");
			int sc = ynode_get(y, c, "securityContext");
			/* check_privileged.go */
			if (is_true(y, ynode_get(y, sc, "privileged")))
				fail(b, bl, "privileged", who);
			/* check_capabilities_baseline.go */
			int add = ynode_path(y, sc, "capabilities.add");
			bool only_bind = true;
			for (size_t k = 0; k < ynode_seq_len(y, add); k++) {
				const char *cap = ynode_str(y, ynode_seq_item(y, add, k));
				if (cap && !config_baseline_capability(cap))
					fail(b, bl, "capabilities_baseline", cap);
				only_bind &= cap && !strcmp(cap, "NET_BIND_SERVICE");
			}
			/* check_hostPorts.go (not for ephemeral containers, which have no ports) */
			int ports = ynode_get(y, c, "ports");
			for (size_t k = 0; k < ynode_seq_len(y, ports); k++) {
				const char *hp = ynode_str(y, ynode_get(y, ynode_seq_item(y, ports, k), "hostPort"));
				if (hp && *hp && strcmp(hp, "0") != 0)
					fail(b, bl, "hostPorts", hp);
			}
			apparmor_field(y, sc, who, b, bl);
			selinux(y, sc, who, minor, b, bl);
			bool seccomp_ok = false, seccomp_unset = false;
			seccomp(y, sc, who, b, bl, &seccomp_ok, &seccomp_unset);
			if (is_true(y, ynode_path(y, sc, "windowsOptions.hostProcess")))
				fail(b, bl, "windowsHostProcess", who);
			/* check_procMount_baseline.go: Default, or Unmasked with hostUsers false (1.35+) */
			const char *pm = ynode_str(y, ynode_get(y, sc, "procMount"));
			if (pm && strcmp(pm, "Default") != 0 && !(minor >= 35 && host_users_off && !strcmp(pm, "Unmasked")))
				fail(b, bl, "procMount", who);
			if (minor >= 34)
				probe_hosts(y, c, who, b, bl);
			/* The restricted checks. check_allowPrivilegeEscalation.go */
			if (!is_false(y, ynode_get(y, sc, "allowPrivilegeEscalation")))
				fail(rs, rl, "allowPrivilegeEscalation", who);
			/* check_capabilities_restricted.go: drop ALL, add only NET_BIND_SERVICE */
			bool drops_all = ynode_seq_find_scalar(y, ynode_path(y, sc, "capabilities.drop"), "ALL") != 0;
			if (!drops_all || !only_bind)
				fail(rs, rl, "capabilities_restricted", who);
			/* check_runAsNonRoot.go and check_runAsUser.go (relaxed from 1.35 with hostUsers false) */
			int cnr = ynode_get(y, sc, "runAsNonRoot");
			bool non_root = is_true(y, cnr) || (pod_non_root && !is_false(y, cnr));
			if (!non_root && !(minor >= 35 && host_users_off))
				fail(rs, rl, "runAsNonRoot", who);
			const char *user = ynode_str(y, ynode_get(y, sc, "runAsUser"));
			if (((user && !strcmp(user, "0")) || (!user && pod_user && !strcmp(pod_user, "0"))) &&
			    !(minor >= 35 && host_users_off))
				fail(rs, rl, "runAsUser", who);
			/* check_seccompProfile_restricted.go: set, here or on the pod */
			if (seccomp_unset && !pod_seccomp_ok)
				fail(rs, rl, "seccompProfile_restricted", who);
		}
	}
	r->level = *b ? PSA_PRIVILEGED : *rs ? PSA_BASELINE : PSA_RESTRICTED;
}

static char **log_lines;
static size_t nlog;

void
psa_log_add(const char *line)
{
	log_lines = xrealloc(log_lines, (nlog + 1) * sizeof(char *));
	log_lines[nlog++] = xstrdup(line);
}

const char *
psa_log_line(size_t i)
{
	return i < nlog ? log_lines[i] : NULL;
}

void
psa_log_free(void)
{
	for (size_t i = 0; i < nlog; i++)
		free(log_lines[i]);
	free(log_lines);
	log_lines = NULL;
	nlog = 0;
}
