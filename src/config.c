/* config.c -- defaults, the option table, value validation, source
 * precedence and --print-config for the effective configuration. Sources
 * (argv in cli.c; the config file, Argo CD parameters and KUBE_VERSION in
 * sources.c) call config_set_from(); this file reads no input of its own. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#ifndef VERSION
#define VERSION "unknown"
#endif

#define AT(field) offsetof(struct config, field)

static const char *const fail2ban_choices[] = {"auto", "on", "off", NULL};
static const char *const apparmor_choices[] = {"auto", "annotation", "field", "both", "off", NULL};
static const char *const probes_choices[] = {"keep", "healthcheck", NULL};
static const char *const pod_security_choices[] = {"privileged", "baseline", NULL};
static const char *const dms_version_choices[] = {"auto", "15", "16", NULL};
static const char *const lb_choices[] = {"metallb", "cilium", "kube-vip", "servicelb", NULL};
static const char *const metallb_choices[] = {"new", "legacy", "both", NULL};
static const char *const traffic_choices[] = {"local", "cluster", "keep", NULL};
static const char *const proxy_choices[] = {"off", "separate", "only", NULL};
static const char *const ingress_choices[] = {"none", "traefik", "nginx", "gateway", NULL};
static const char *const proxy_service_choices[] = {"keep", "split", NULL};
static const char *const traefik_pp_choices[] = {"transport", "inline", NULL};
static const char *const gateway_api_choices[] = {"v1", "v1alpha2", NULL};
static const char *const gateway_proxy_choices[] = {"envoy", "none", NULL};
static const char *const format_choices[] = {"minimal", "reemit", NULL};
static const char *const emit_choices[] = {"stream", "kustomize", "flux", NULL};

static int check_image(const char *value, char *out, size_t outlen);
static int check_dns_label(const char *value, char *out, size_t outlen);
static int check_kube_version(const char *value, char *out, size_t outlen);
static int check_label_value(const char *value, char *out, size_t outlen);
static int check_ip(const char *value, char *out, size_t outlen);
static int check_pool_range(const char *value, char *out, size_t outlen);
static int check_path(const char *value, char *out, size_t outlen);
static int check_network(const char *value, char *out, size_t outlen);
static bool parse_ip(const char *text, unsigned char addr[16], int *family);
static int check_entrypoint(const char *value, char *out, size_t outlen);
static int check_ns_name(const char *value, char *out, size_t outlen);
static int check_listener(const char *value, char *out, size_t outlen);

static const struct option_spec options[] = {
	{"verbose", 'v', OPT_FLAG, NULL, "report on stderr what was read and changed", AT(verbose), NULL, NULL},
	{"allow-empty", 0, OPT_FLAG, NULL,
	 "accept an input with no documents and pass it through (default: exit 6; command line only)",
	 AT(allow_empty), NULL, NULL},
	{"max-document-size", 0, OPT_SIZE, "BYTES",
	 "largest single document accepted, e.g. 512K (default 8M); Kubernetes keeps no object over about "
	 "1.5 MiB, and a patched document takes about 20 times its size in memory", AT(max_document_size), NULL,
	 NULL},
	{"image", 0, OPT_LIST, "PATTERN",
	 "also treat images whose repository matches PATTERN (shell glob, e.g. "
	 "'registry.example.com/*/docker-mailserver') as docker-mailserver; repeatable",
	 AT(images), NULL, check_image},
	{"container", 0, OPT_LIST, "NAME",
	 "select the docker-mailserver container by name instead of by image; repeatable",
	 AT(containers), NULL, check_dns_label},
	{"fail2ban", 0, OPT_ENUM, "auto|on|off",
	 "add NET_ADMIN and NET_RAW for Fail2Ban; auto reads ENABLE_FAIL2BAN (default auto)",
	 AT(fail2ban), fail2ban_choices, NULL},
	{"add-capability", 0, OPT_LIST, "CAP",
	 "add one more Linux capability, e.g. MAC_OVERRIDE for a docker-mailserver 15 image on Kubernetes 1.35 "
	 "(16's guide has it); repeatable",
	 AT(add_capabilities), NULL, config_check_capability},
	{"dms-version", 0, OPT_ENUM, "auto|15|16",
	 "the docker-mailserver version whose Kubernetes guide sets the capabilities (16 adds MAC_OVERRIDE); "
	 "auto reads the image tag: 16, 16.0.1, v15.1.0, edge and latest (the newest release) say it, a digest "
	 "alone does not and gets 15's set (default auto)", AT(dms_version), dms_version_choices, NULL},
	{"probes", 0, OPT_ENUM, "keep|healthcheck",
	 "healthcheck: the docker-mailserver container's startup, readiness and liveness probes run the image's "
	 "dms-healthcheck (docker-mailserver 16 and later; refused for older images) instead of the chart's; "
	 "keep leaves them (default keep)", AT(probes), probes_choices, NULL},
	{"pod-security", 0, OPT_ENUM, "privileged|baseline",
	 "the Pod Security level the docker-mailserver pod must meet: baseline refuses what needs more "
	 "(Fail2Ban's NET_ADMIN and NET_RAW, MAC_OVERRIDE, host network and host ports), naming the failed "
	 "check; privileged sets no limit (default privileged)", AT(pod_security), pod_security_choices, NULL},
	{"apparmor", 0, OPT_ENUM, "auto|annotation|field|both|off",
	 "where the RuntimeDefault AppArmor profile goes; auto: the securityContext field "
	 "for Kubernetes >= 1.30, else the pod annotation (default auto)",
	 AT(apparmor), apparmor_choices, NULL},
	{"kube-version", 0, OPT_STRING, "X.Y[.Z]",
	 "target Kubernetes version (default: $KUBE_VERSION, which Argo CD sets; else unknown)",
	 AT(kube_version), NULL, check_kube_version},
	{"no-linter-annotations", 0, OPT_FLAG, NULL,
	 "do not add the kube-linter ignore-check annotations to the workload", AT(no_linter_annotations),
	 NULL, NULL},
	{"service", 0, OPT_LIST, "NAME",
	 "treat the Service NAME as docker-mailserver's instead of matching Services by selector and "
	 "mail ports; repeatable", AT(services), NULL, check_dns_label},
	{"load-balancer", 0, OPT_ENUM, "metallb|cilium|kube-vip|servicelb",
	 "the load balancer the DMS Services are annotated for: MetalLB, Cilium LB-IPAM, kube-vip, or k3s "
	 "ServiceLB, which has no such annotations and cannot keep the client's address (default metallb)",
	 AT(load_balancer), lb_choices, NULL},
	{"lb-pool", 0, OPT_STRING, "NAME",
	 "the address pool of the DMS Services (MetalLB's address-pool annotation; with Cilium the pool "
	 "--lb-emit-pool generates); alias --metallb-pool", AT(lb_pool), NULL, check_label_value},
	{"lb-ip", 0, OPT_CSV, "IP[,IP]",
	 "the addresses of the DMS Services, both families for dual stack (MetalLB loadBalancerIPs, Cilium "
	 "lbipam.cilium.io/ips, kube-vip kube-vip.io/loadbalancerIPs); alias --metallb-ip", AT(lb_ips), NULL,
	 check_ip},
	{"lb-shared-ip", 0, OPT_STRING, "KEY",
	 "share the address with other Services of the same KEY (MetalLB allow-shared-ip, Cilium "
	 "lbipam.cilium.io/sharing-key); alias --metallb-shared-ip", AT(lb_shared_ip), NULL, check_label_value},
	{"metallb-annotations", 0, OPT_ENUM, "new|legacy|both",
	 "MetalLB annotation prefix: new is metallb.io/ (MetalLB 0.14.9 and later), legacy is "
	 "metallb.universe.tf/ (before 0.14.9), both only while migrating (MetalLB 0.14.9+ then records a "
	 "deprecatedAnnotation Warning Event on the Service for every legacy key) (default new)",
	 AT(metallb_annotations), metallb_choices, NULL},
	{"traffic-policy", 0, OPT_ENUM, "local|cluster|keep",
	 "externalTrafficPolicy of LoadBalancer and NodePort DMS Services; local keeps the client IP "
	 "(default local)", AT(traffic_policy), traffic_choices, NULL},
	{"external-ip", 0, OPT_CSV, "IP[,IP]", "add spec.externalIPs to the DMS Services", AT(external_ips),
	 NULL, check_ip},
	{"lb-emit-pool", 0, OPT_CSV, "CIDR[,CIDR]",
	 "also generate the pool named by --lb-pool with these addresses (CIDRs or FIRST-LAST ranges): a "
	 "MetalLB IPAddressPool and an L2Advertisement, or a CiliumLoadBalancerIPPool that selects the DMS "
	 "Services; alias --metallb-emit-pool", AT(lb_emit_pool), NULL, check_pool_range},
	{"metallb-namespace", 0, OPT_STRING, "NAMESPACE",
	 "namespace of the generated MetalLB objects (default " CONFIG_DEFAULT_METALLB_NAMESPACE ")",
	 AT(metallb_namespace), NULL, check_dns_label},
	{"check", 0, OPT_FLAG, NULL,
	 "patch nothing: exit 0 and copy the input to stdout unchanged when it is already fully patched, "
	 "exit 7 and write nothing when a run would change or add documents (for CI and pre-commit; "
	 "command line only)", AT(check), NULL, NULL},
	{"diff", 0, OPT_FLAG, NULL,
	 "patch nothing: print a unified diff of the input and what a run would write, only the documents "
	 "that change, each headed by its source and object; exit 0 when nothing would change, 7 otherwise "
	 "(for review; not as a post-renderer, which it refuses; command line only)", AT(diff), NULL, NULL},
	{"emit", 0, OPT_ENUM, "stream|kustomize|flux",
	 "what to write: the patched stream; kustomize: a kustomization.yaml with the changes as patches, then "
	 "the generated objects (with --emit-dir, a directory kubectl kustomize builds); flux: the "
	 "spec.postRenderers of a Flux HelmRelease, then the generated objects (not as a post-renderer, which it "
	 "refuses; command line only) (default stream)", AT(emit), emit_choices, NULL},
	{"emit-dir", 0, OPT_STRING, "DIR",
	 "with --emit=kustomize: write the kustomization, the render as it came in, the generated objects and the "
	 "patches into DIR, whole or not at all, replacing what an earlier run wrote there (command line only)",
	 AT(emit_dir), NULL, check_path},
	{"format", 0, OPT_ENUM, "minimal|reemit",
	 "how patched documents are written: minimal splices the changes into the original text and keeps "
	 "every comment and line the patches do not own; reemit writes the whole document again with libyaml "
	 "(default minimal)", AT(format), format_choices, NULL},
	{"host-network", 0, OPT_FLAG, NULL,
	 "run the docker-mailserver pod in the node's network namespace: hostNetwork, dnsPolicy "
	 "ClusterFirstWithHostNet and hostPort = containerPort on its mail ports", AT(host_network), NULL, NULL},
	{"proxy-protocol", 0, OPT_ENUM, "off|separate|only",
	 "PROXY protocol for the docker-mailserver pod: separate adds *-proxy ports beside the plain ones, only "
	 "makes the standard ports require it; ports, Services and the Postfix/Dovecot configuration (default off)",
	 AT(proxy_protocol), proxy_choices, NULL},
	{"trusted-networks", 0, OPT_CSV, "CIDR[,CIDR]",
	 "addresses allowed to send PROXY headers (your ingress or load balancer); required with "
	 "--proxy-protocol", AT(trusted_networks), NULL, check_network},
	{"allow-any-proxy", 0, OPT_FLAG, NULL,
	 "accept 0.0.0.0/0, ::/0 or networks that together trust an eighth or more of a family's addresses in "
	 "--trusted-networks (anyone could then forge client addresses)",
	 AT(allow_any_proxy), NULL, NULL},
	{"proxy-network-policy", 0, OPT_FLAG, NULL,
	 "also generate a NetworkPolicy that admits the PROXY ports only from --trusted-networks (Postfix "
	 "has no list of trusted proxies) and leaves the pod's other ports open", AT(proxy_network_policy), NULL,
	 NULL},
	{"proxy-ingress", 0, OPT_ENUM, "none|traefik|nginx|gateway",
	 "also generate routes to the PROXY ports: Traefik IngressRouteTCPs, the ingress-nginx tcp-services "
	 "ConfigMap (ingress-nginx is retired) or Gateway API TCPRoutes (default none)", AT(proxy_ingress),
	 ingress_choices, NULL},
	{"proxy-service", 0, OPT_ENUM, "keep|split",
	 "where the PROXY ports of a docker-mailserver Service reachable from outside the cluster go: keep "
	 "leaves them there (and warns), split moves them to a ClusterIP Service <name>-proxy that the routes "
	 "target (default keep)", AT(proxy_service), proxy_service_choices, NULL},
	{"traefik-entrypoint", 0, OPT_LIST, "SERVICE=ENTRYPOINT",
	 "Traefik entry point for a mail service (smtp, submissions, submission, imap, imaps, pop3, pop3s, "
	 "managesieve); default: the service's name; repeatable", AT(traefik_entrypoints), NULL, check_entrypoint},
	{"traefik-proxy-protocol", 0, OPT_ENUM, "transport|inline",
	 "where Traefik is told to send PROXY protocol: a ServersTransportTCP the routes name (Traefik 3.5.2 "
	 "and later), or the IngressRouteTCP's own proxyProtocol field, deprecated since 3.5.2 (older Traefik) "
	 "(default transport)", AT(traefik_proxy_protocol), traefik_pp_choices, NULL},
	{"gateway", 0, OPT_STRING, "NAMESPACE/NAME",
	 "the Gateway the TCPRoutes attach to; required with --proxy-ingress gateway", AT(gateway), NULL,
	 check_ns_name},
	{"gateway-listener", 0, OPT_LIST, "SERVICE=LISTENER",
	 "the Gateway's listener (sectionName) for a mail service (smtp, submissions, submission, imap, imaps, "
	 "pop3, pop3s, managesieve); default: the service's name; repeatable", AT(gateway_listeners), NULL,
	 check_listener},
	{"gateway-api-version", 0, OPT_ENUM, "v1|v1alpha2",
	 "TCPRoute's API version: v1 from Gateway API 1.6, v1alpha2 before (default v1)", AT(gateway_api_version),
	 gateway_api_choices, NULL},
	{"gateway-proxy", 0, OPT_ENUM, "envoy|none",
	 "how the Gateway learns to send PROXY protocol: envoy generates an Envoy Gateway BackendTrafficPolicy "
	 "per TCPRoute; none generates nothing, for a Gateway configured to send it by other means "
	 "(default envoy)", AT(gateway_proxy), gateway_proxy_choices, NULL},
	{"nginx-tcp-configmap", 0, OPT_STRING, "NAMESPACE/NAME",
	 "the ingress-nginx tcp-services ConfigMap to generate (default " CONFIG_DEFAULT_NGINX_TCP_CONFIGMAP ")",
	 AT(nginx_tcp_configmap), NULL, check_ns_name},
	{"namespace", 0, OPT_STRING, "NAMESPACE",
	 "the release namespace, for objects the chart writes without metadata.namespace (the ingress-nginx "
	 "tcp-services entries name it); default: $ARGOCD_APP_NAMESPACE under Argo CD, else $HELM_NAMESPACE "
	 "(Helm passes no -n to a post-renderer)", AT(namespace_), NULL, check_dns_label},
	{"config", 0, OPT_STRING, "FILE",
	 "read options from a YAML or JSON file whose keys are the long option names; flags and Argo CD "
	 "parameters override it (command line only)", AT(config_file), NULL, check_path},
	{"print-config", 0, OPT_FLAG, NULL,
	 "print the effective configuration as a config file, each value with its source, and exit "
	 "(command line only)", AT(print_config), NULL, NULL},
	{"report", 0, OPT_STRING, "FILE",
	 "write a JSON report of every change, warning and generated document to FILE (also when the run "
	 "fails)", AT(report), NULL, check_path},
	{"report-object", 0, OPT_FLAG, NULL,
	 "also add a ConfigMap <release>-dms-postrender to the stream holding this version, the options, "
	 "every change, every generated object and every warning, so that kubectl, helm get manifest and "
	 "Argo CD show what the run did; a run that changes nothing else keeps the one already there "
	 "(default: on under Argo CD, where $ARGOCD_APP_NAME is set, else off)",
	 AT(report_object), NULL, NULL},
	{"strict", 0, OPT_FLAG, NULL,
	 "fail on any warning: exit 8 and write nothing (for CI and Argo CD, where a warning of a run that "
	 "succeeds reaches nobody)", AT(strict), NULL, NULL},
	{NULL, 0, OPT_FLAG, NULL, NULL, 0, NULL, NULL},
};

_Static_assert(sizeof(options) / sizeof(options[0]) <= CONFIG_MAX_OPTIONS + 1,
	       "raise CONFIG_MAX_OPTIONS");

void
config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_document_size = CONFIG_DEFAULT_MAX_DOCUMENT;
	cfg->fail2ban = FAIL2BAN_AUTO;
	cfg->apparmor = APPARMOR_AUTO;
	/* The documented defaults are values like any other, so that
	 * --print-config, --help and the Argo CD announcement show the same. */
	cfg->metallb_namespace = xstrdup(CONFIG_DEFAULT_METALLB_NAMESPACE);
	cfg->nginx_tcp_configmap = xstrdup(CONFIG_DEFAULT_NGINX_TCP_CONFIGMAP);
}

static void
strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
config_free(struct config *cfg)
{
	strlist_free(&cfg->images);
	strlist_free(&cfg->containers);
	strlist_free(&cfg->add_capabilities);
	strlist_free(&cfg->services);
	strlist_free(&cfg->lb_ips);
	strlist_free(&cfg->external_ips);
	strlist_free(&cfg->lb_emit_pool);
	strlist_free(&cfg->trusted_networks);
	strlist_free(&cfg->traefik_entrypoints);
	strlist_free(&cfg->gateway_listeners);
	free(cfg->gateway);
	cfg->gateway = NULL;
	free(cfg->emit_dir);
	cfg->emit_dir = NULL;
	free(cfg->nginx_tcp_configmap);
	cfg->nginx_tcp_configmap = NULL;
	free(cfg->namespace_);
	cfg->namespace_ = NULL;
	free(cfg->kube_version);
	free(cfg->metallb_namespace);
	cfg->metallb_namespace = NULL;
	free(cfg->lb_pool);
	free(cfg->lb_shared_ip);
	free(cfg->config_file);
	free(cfg->report);
	cfg->kube_version = cfg->lb_pool = cfg->lb_shared_ip = NULL;
	cfg->config_file = cfg->report = NULL;
}

const struct option_spec *
config_options(void)
{
	return options;
}

/* Old names that still work everywhere an option name does. */
static const struct {
	const char *alias, *name;
} aliases[] = {
	{"metallb-pool", "lb-pool"},
	{"metallb-ip", "lb-ip"},
	{"metallb-shared-ip", "lb-shared-ip"},
	{"metallb-emit-pool", "lb-emit-pool"},
};

const char *
config_alias(size_t i)
{
	return i < countof(aliases) ? aliases[i].alias : NULL;
}

const struct option_spec *
config_find(const char *name)
{
	for (size_t i = 0; i < countof(aliases); i++)
		if (!strcmp(name, aliases[i].alias))
			name = aliases[i].name;
	for (const struct option_spec *o = options; o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

int
config_parse_size(const char *text, size_t *out)
{
	char *end;
	if (!text || !*text || *text == '-' || *text == '+')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text)
		return -1;
	unsigned long long mul = 1;
	if (*end) {
		switch (*end) {
		case 'k': case 'K': mul = 1024ull; break;
		case 'm': case 'M': mul = 1024ull * 1024; break;
		case 'g': case 'G': mul = 1024ull * 1024 * 1024; break;
		default: return -1;
		}
		end++;
		/* Accept "64M", "64MB" and "64MiB". */
		if (strcmp(end, "") != 0 && strcmp(end, "B") != 0 && strcmp(end, "iB") != 0)
			return -1;
	}
	if (v == 0 || v > SIZE_MAX / mul)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

/* Linux capabilities known to Kubernetes runtimes (capabilities(7)). */
static const char *const capabilities[] = {
	"AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "BLOCK_SUSPEND", "BPF", "CHECKPOINT_RESTORE",
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "IPC_LOCK", "IPC_OWNER",
	"KILL", "LEASE", "LINUX_IMMUTABLE", "MAC_ADMIN", "MAC_OVERRIDE", "MKNOD", "NET_ADMIN",
	"NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW", "PERFMON", "SETFCAP", "SETGID", "SETPCAP",
	"SETUID", "SYSLOG", "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT", "SYS_MODULE", "SYS_NICE",
	"SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG",
	"WAKE_ALARM",
};

int
config_check_capability(const char *value, char *out, size_t outlen)
{
	char up[32];
	size_t n = 0;
	if (strncasecmp(value, "CAP_", 4) == 0)
		value += 4;
	for (const char *p = value; *p && n + 1 < sizeof(up); p++)
		up[n++] = (char)toupper((unsigned char)*p);
	up[n] = '\0';
	if (strlen(value) < sizeof(up))
		for (size_t i = 0; i < countof(capabilities); i++)
			if (strcmp(up, capabilities[i]) == 0) {
				snprintf(out, outlen, "%s", up);
				return 0;
			}
	snprintf(out, outlen, "a Linux capability name such as MAC_OVERRIDE or SYS_PTRACE "
		 "(see capabilities(7))");
	return -1;
}

/* The end of every check: the normalised VALUE, or what was EXPECTED. */
static int
verdict(bool ok, const char *value, const char *expected, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s", ok ? value : expected);
	return ok ? 0 : -1;
}

static int
check_image(const char *value, char *out, size_t outlen)
{
	bool ok = *value != '\0';
	for (const char *p = value; *p; p++)
		if (isspace((unsigned char)*p) || isupper((unsigned char)*p))
			ok = false;
	return verdict(ok, value,
		       "an image repository or glob in lower case without a tag, e.g. "
		       "'registry.example.com/mirror/docker-mailserver'",
		       out, outlen);
}

/* An IP address or a CIDR (prefix within the family's width), as Dovecot's
 * haproxy_trusted_networks and a NetworkPolicy ipBlock take it. A bare
 * address becomes /32 or /128 (what ipBlock requires). */
static int
check_network(const char *value, char *out, size_t outlen)
{
	static const char expected[] = "an IP address or a CIDR such as 10.0.0.0/8 or 2001:db8::/32";
	unsigned char a[16];
	int fam = 0;
	char addr[64];
	const char *slash = strchr(value, '/');
	size_t n = slash ? (size_t)(slash - value) : strlen(value);
	if (n >= sizeof(addr))
		return verdict(false, value, expected, out, outlen);
	snprintf(addr, sizeof(addr), "%.*s", (int)n, value);
	if (!parse_ip(addr, a, &fam))
		return verdict(false, value, expected, out, outlen);
	long bits = fam == AF_INET ? 32 : 128;
	if (slash) {
		char *end;
		errno = 0;
		bits = strtol(slash + 1, &end, 10);
		if (!isdigit((unsigned char)slash[1]) || *end || errno || bits < 0 || bits > (fam == AF_INET ? 32 : 128))
			return verdict(false, value, expected, out, outlen);
	}
	snprintf(out, outlen, "%s/%ld", addr, bits);
	return 0;
}

/* "imaps=websecure": a mail service name and a Traefik entry point name. */
static int
check_entrypoint(const char *value, char *out, size_t outlen)
{
	static const char *const services[] = {"smtp", "submissions", "submission", "imap", "imaps",
					       "pop3", "pop3s", "managesieve"};
	const char *eq = strchr(value, '=');
	bool ok = eq && eq[1];
	for (const char *p = eq ? eq + 1 : ""; ok && *p; p++)
		ok = isalnum((unsigned char)*p) || *p == '-' || *p == '_';
	bool known = false;
	for (size_t i = 0; ok && i < countof(services); i++)
		known |= strlen(services[i]) == (size_t)(eq - value) && !strncmp(value, services[i], (size_t)(eq - value));
	return verdict(ok && known, value,
		       "SERVICE=ENTRYPOINT with SERVICE one of smtp, submissions, submission, imap, imaps, pop3, "
		       "pop3s, managesieve and ENTRYPOINT a Traefik entry point name",
		       out, outlen);
}

/* "namespace/name" of a ConfigMap. */
static int
check_ns_name(const char *value, char *out, size_t outlen)
{
	const char *slash = strchr(value, '/');
	char ns[64], name[256];
	bool ok = slash && slash != value && (size_t)(slash - value) < sizeof(ns) && strlen(slash + 1) < sizeof(name);
	if (ok) {
		snprintf(ns, sizeof(ns), "%.*s", (int)(slash - value), value);
		snprintf(name, sizeof(name), "%s", slash + 1);
		ok = check_dns_label(ns, out, outlen) == 0 && *name;
		for (const char *p = name; ok && *p; p++)
			ok = islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-' || *p == '.';
	}
	return verdict(ok, value, "NAMESPACE/NAME, e.g. ingress-nginx/tcp-services or envoy-gateway-system/mail", out,
		       outlen);
}

/* "service=listener": a Gateway listener name is a DNS subdomain (lower
 * case, digits, '-' and '.'), which Traefik entry points need not be. */
static int
check_listener(const char *value, char *out, size_t outlen)
{
	const char *eq = strchr(value, '=');
	bool ok = check_entrypoint(value, out, outlen) == 0 && eq && isalnum((unsigned char)eq[1]) &&
		  isalnum((unsigned char)value[strlen(value) - 1]);
	for (const char *p = eq ? eq + 1 : ""; ok && *p; p++)
		ok = islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-' || *p == '.';
	return verdict(ok, value,
		       "SERVICE=LISTENER with SERVICE one of smtp, submissions, submission, imap, imaps, pop3, "
		       "pop3s, managesieve and LISTENER the Gateway listener's name (a-z, 0-9, '-', '.')",
		       out, outlen);
}

/* A file name: anything but empty text or a line break. */
static int
check_path(const char *value, char *out, size_t outlen)
{
	bool ok = *value && !strpbrk(value, "\r\n");
	return verdict(ok, value, "a file name", out, outlen);
}

/* Container and Service names are DNS labels (RFC 1123). */
static int
check_dns_label(const char *value, char *out, size_t outlen)
{
	return verdict(dns_name_ok(value, 63, false), value, "a DNS label: at most 63 of a-z, 0-9 and '-', not starting or ending with '-'",
		       out, outlen);
}

/* An annotation value we write next to MetalLB's: printable, no spaces. */
static int
check_label_value(const char *value, char *out, size_t outlen)
{
	size_t n = strlen(value);
	bool ok = n > 0 && n <= 253;
	for (const char *p = value; ok && *p; p++)
		ok = isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.';
	return verdict(ok, value, "a name of letters, digits, '-', '_' and '.'", out, outlen);
}

/* "1.30", "v1.30.2", "1.30.2+k3s1", "1.30+" (EKS) -> "1.30" / "1.30.2". */
static int
check_kube_version(const char *value, char *out, size_t outlen)
{
	unsigned long part[3] = {0, 0, 0};
	int nparts = 0;
	const char *p = value;
	if (*p == 'v' || *p == 'V')
		p++;
	while (nparts < 3 && isdigit((unsigned char)*p)) {
		char *end;
		errno = 0;
		part[nparts++] = strtoul(p, &end, 10);
		if (errno || part[nparts - 1] > 999)
			goto bad;
		p = end;
		if (*p != '.')
			break;
		p++;
	}
	/* Build metadata and pre-release suffixes follow the numbers. */
	if (nparts < 2 || part[0] != 1 || (*p && *p != '+' && *p != '-'))
		goto bad;
	if (nparts == 2)
		snprintf(out, outlen, "%lu.%lu", part[0], part[1]);
	else
		snprintf(out, outlen, "%lu.%lu.%lu", part[0], part[1], part[2]);
	return 0;
bad:
	snprintf(out, outlen, "a Kubernetes version such as 1.31 or 1.30.2");
	return -1;
}

static bool
has_pool(const struct config *c)
{
	return c->lb_pool != NULL;
}

static bool
has_emit_pool(const struct config *c)
{
	return c->lb_emit_pool.n != 0;
}

static bool
proxy_on(const struct config *c)
{
	return c->proxy_protocol != 0;
}

static bool
proxy_separate(const struct config *c)
{
	return c->proxy_protocol == 1 /* PROXY_SEPARATE (proxytext.h) */;
}

static bool
ingress_traefik(const struct config *c)
{
	return c->proxy_ingress == INGRESS_TRAEFIK;
}

static bool
ingress_nginx(const struct config *c)
{
	return c->proxy_ingress == INGRESS_NGINX;
}

static bool
ingress_gateway(const struct config *c)
{
	return c->proxy_ingress == INGRESS_GATEWAY;
}

static bool
emit_kustomize(const struct config *c)
{
	return c->emit == EMIT_KUSTOMIZE;
}

/* The options that only mean something beside another one. One table: a
 * run that gives one (a value other than its default) without the other
 * stops (exit 3; config_check_combination), and --help prints "(needs ...)"
 * from it, which the man page and the README must say too (tests/cli.sh). */
static const struct {
	const char *name, *needs;
	bool (*met)(const struct config *c);
	const char *why; /* the message after "--NAME ", or NULL: "only applies with NEEDS" */
} needs_table[] = {
	{"lb-emit-pool", "--lb-pool", has_pool,
	 "needs --lb-pool NAME: the pool's name, which the Services and the L2Advertisement refer to"},
	{"metallb-namespace", "--lb-emit-pool", has_emit_pool,
	 "only places the objects --lb-emit-pool generates for MetalLB; add --lb-emit-pool CIDR or drop it"},
	{"trusted-networks", "--proxy-protocol separate|only", proxy_on, NULL},
	{"allow-any-proxy", "--proxy-protocol separate|only", proxy_on, NULL},
	{"proxy-network-policy", "--proxy-protocol separate|only", proxy_on, NULL},
	{"proxy-ingress", "--proxy-protocol separate|only", proxy_on, NULL},
	{"proxy-service", "--proxy-protocol separate", proxy_separate,
	 "needs --proxy-protocol separate: with only, the standard ports themselves take PROXY headers, so the "
	 "public Service would keep none"},
	{"traefik-entrypoint", "--proxy-ingress traefik", ingress_traefik, NULL},
	{"nginx-tcp-configmap", "--proxy-ingress nginx", ingress_nginx, NULL},
	{"traefik-proxy-protocol", "--proxy-ingress traefik", ingress_traefik, NULL},
	{"gateway", "--proxy-ingress gateway", ingress_gateway, NULL},
	{"gateway-listener", "--proxy-ingress gateway", ingress_gateway, NULL},
	{"gateway-api-version", "--proxy-ingress gateway", ingress_gateway, NULL},
	{"gateway-proxy", "--proxy-ingress gateway", ingress_gateway, NULL},
	{"emit-dir", "--emit=kustomize", emit_kustomize,
	 "only applies with --emit=kustomize (--emit=flux writes to stdout: a HelmRelease's postRenderers cannot "
	 "name files)"},
};

const char *
config_option_needs(const struct option_spec *o)
{
	for (size_t i = 0; i < sizeof(needs_table) / sizeof(needs_table[0]); i++)
		if (!strcmp(needs_table[i].name, o->name))
			return needs_table[i].needs;
	return NULL;
}

/* Whether option O holds another value in A than in B (the defaults). */
static bool
differs(const struct config *a, const struct config *b, const struct option_spec *o)
{
	const char *fa = (const char *)a + o->offset, *fb = (const char *)b + o->offset;
	switch (o->kind) {
	case OPT_FLAG: return *(const bool *)fa != *(const bool *)fb;
	case OPT_SIZE: return *(const size_t *)fa != *(const size_t *)fb;
	case OPT_ENUM: return *(const int *)fa != *(const int *)fb;
	case OPT_STRING: {
		const char *va = *(char *const *)fa, *vb = *(char *const *)fb;
		return (va == NULL) != (vb == NULL) || (va && strcmp(va, vb) != 0);
	}
	default: return ((const struct strlist *)fa)->n != 0;
	}
}

/* Pod Security's baseline capabilities: capabilities_allowed_1_0 in
 * check_capabilities_baseline.go of kubernetes/pod-security-admission
 * (psa.c checks pods with it). */
bool
config_baseline_capability(const char *cap)
{
	static const char *const allowed[] = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID",
					      "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID",
					      "SETPCAP", "SETUID", "SYS_CHROOT"};
	for (size_t i = 0; i < countof(allowed); i++)
		if (!strcmp(cap, allowed[i]))
			return true;
	return false;
}

/* A trusted network as address bytes, family and prefix length (the text
 * is check_network's "ADDR/BITS"). */
struct net {
	unsigned char a[16];
	int fam;
	int bits;
};

static bool
net_parse(const char *text, struct net *n)
{
	char addr[64];
	const char *slash = strchr(text, '/');
	if (!slash || (size_t)(slash - text) >= sizeof(addr))
		return false;
	snprintf(addr, sizeof(addr), "%.*s", (int)(slash - text), text);
	n->bits = atoi(slash + 1);
	return parse_ip(addr, n->a, &n->fam);
}

/* Whether network IN lies inside network OUT (same family). */
static bool
net_within(const struct net *in, const struct net *out)
{
	if (in->fam != out->fam || in->bits < out->bits)
		return false;
	for (int b = 0; b < out->bits; b++)
		if ((in->a[b / 8] ^ out->a[b / 8]) & (0x80 >> (b % 8)))
			return false;
	return true;
}

/* The share of family FAM's address space the networks of L cover
 * together (overlaps counted once): two networks are nested or disjoint,
 * so the ones no other network holds add up. */
static double
net_share(const struct strlist *l, int fam)
{
	double share = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct net a, b;
		if (!net_parse(l->v[i], &a) || a.fam != fam)
			continue;
		bool held = false;
		for (size_t k = 0; k < l->n && !held; k++)
			held = k != i && net_parse(l->v[k], &b) && net_within(&a, &b) &&
			       (b.bits < a.bits || k < i); /* equal networks: the first counts */
		double part = 1;
		for (int bit = 0; bit < a.bits && part > 0; bit++)
			part /= 2;
		if (!held)
			share += part;
	}
	return share;
}

/* Networks not reachable from the Internet (IANA's special-purpose
 * registries: private, shared, loopback, link-local, documentation,
 * benchmarking; IPv6
 * unique-local, link-local, loopback, documentation). */
static const char *const non_global[] = {
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
	"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "198.18.0.0/15", "fc00::/7", "fe80::/10", "::1/128", "2001:db8::/32",
};

void
config_public_trusted(const struct config *cfg, char *out, size_t outlen)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < cfg->trusted_networks.n; i++) {
		struct net n, p;
		bool inside = false;
		if (!net_parse(cfg->trusted_networks.v[i], &n))
			continue;
		for (size_t k = 0; k < countof(non_global) && !inside; k++)
			inside = net_parse(non_global[k], &p) && net_within(&n, &p);
		if (!inside && used < outlen)
			used += (size_t)snprintf(out + used, outlen - used, "%s%s", used ? ", " : "",
						 cfg->trusted_networks.v[i]);
	}
}

int
config_check_combination(const struct config *cfg, char *err, size_t errlen)
{
	if (cfg->diff && cfg->check) {
		snprintf(err, errlen, "--diff and --check both say by exit status whether a run would change "
			 "anything; give one");
		return -1;
	}
	if (cfg->emit != EMIT_STREAM && (cfg->diff || cfg->check)) {
		snprintf(err, errlen, "--emit=%s writes kustomize input instead of the stream, --%s a verdict on "
			 "the stream; give one", emit_choices[cfg->emit], cfg->diff ? "diff" : "check");
		return -1;
	}
	struct config defaults;
	config_init(&defaults);
	for (size_t i = 0; i < sizeof(needs_table) / sizeof(needs_table[0]); i++) {
		const struct option_spec *o = config_find(needs_table[i].name);
		if (differs(cfg, &defaults, o) && !needs_table[i].met(cfg)) {
			if (needs_table[i].why)
				snprintf(err, errlen, "--%s %s", o->name, needs_table[i].why);
			else
				snprintf(err, errlen, "--%s only applies with %s", o->name, needs_table[i].needs);
			config_free(&defaults);
			return -1;
		}
	}
	config_free(&defaults);
	/* A generated object's name is a DNS subdomain: lower case, digits, '-', '.'. */
	for (const char *p = cfg->lb_emit_pool.n ? cfg->lb_pool : ""; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-' && *p != '.') {
			snprintf(err, errlen, "--lb-pool %s: with --lb-emit-pool the pool name becomes an "
				 "object name and may hold only a-z, 0-9, '-' and '.'", cfg->lb_pool);
			return -1;
		}
	if (cfg->pod_security == 1 /* baseline */) {
		const char *why = NULL;
		char cap[96] = "";
		if (cfg->host_network)
			why = "hostNamespaces and hostPorts: --host-network puts the pod in the node's network namespace";
		else if (cfg->fail2ban == FAIL2BAN_ON)
			why = "capabilities_baseline: --fail2ban on adds NET_ADMIN and NET_RAW, which Fail2Ban needs to "
			      "ban; leave Fail2Ban off (ENABLE_FAIL2BAN=0, --fail2ban off) and ban at the ingress or CNI";
		for (size_t i = 0; !why && i < cfg->add_capabilities.n; i++)
			if (!config_baseline_capability(cfg->add_capabilities.v[i])) {
				snprintf(cap, sizeof(cap), "capabilities_baseline: --add-capability %s is outside the "
					 "baseline list", cfg->add_capabilities.v[i]);
				why = cap;
			}
		if (why) {
			snprintf(err, errlen, "--pod-security baseline: %s; a namespace that enforces baseline would "
				 "reject the pod (drop the option, or let the namespace enforce privileged)", why);
			return -1;
		}
	}
	if (cfg->proxy_ingress == INGRESS_GATEWAY && !cfg->gateway) {
		snprintf(err, errlen, "--proxy-ingress gateway needs --gateway NAMESPACE/NAME: the Gateway whose TCP "
			 "listeners the TCPRoutes attach to");
		return -1;
	}
	if (cfg->proxy_protocol) {
		if (!cfg->trusted_networks.n) {
			snprintf(err, errlen, "--proxy-protocol %s needs --trusted-networks CIDR[,CIDR]: the addresses "
				 "of the proxy or ingress that sends PROXY headers (e.g. your pod CIDR); Dovecot accepts "
				 "them only from there", proxy_choices[cfg->proxy_protocol]);
			return -1;
		}
		for (size_t i = 0; i < cfg->trusted_networks.n && !cfg->allow_any_proxy; i++) {
			const char *slash = strrchr(cfg->trusted_networks.v[i], '/');
			if (slash && !strcmp(slash, "/0")) {
				snprintf(err, errlen, "--trusted-networks %s trusts every address: anyone could then send a "
					 "PROXY header and forge the client address (defeating SPF checks, rate limits "
					 "and bans); name your proxy's networks, or add --allow-any-proxy if a "
					 "NetworkPolicy or firewall already guarantees that only the proxy can connect",
					 cfg->trusted_networks.v[i]);
				return -1;
			}
		}
		/* Together, networks can trust as much as /0 does (0.0.0.0/1 and
		 * 128.0.0.0/1), or a share no proxy needs: an eighth of a family's
		 * addresses (a /3) or more. */
		static const struct {
			int fam;
			const char *name;
		} fams[] = {{AF_INET, "IPv4"}, {AF_INET6, "IPv6"}};
		for (size_t f = 0; f < countof(fams) && !cfg->allow_any_proxy; f++) {
			double share = net_share(&cfg->trusted_networks, fams[f].fam);
			if (share >= 0.125) {
				snprintf(err, errlen, "--trusted-networks: together these networks trust %s %s addresses%s: "
					 "anyone there could send a PROXY header and forge the client address (defeating SPF "
					 "checks, rate limits and bans); name your proxy's networks, or add --allow-any-proxy "
					 "if a NetworkPolicy or firewall already guarantees that only the proxy can connect",
					 share >= 1 ? "all" : share >= 0.5 ? "half or more of all" : "an eighth or more of all",
					 fams[f].name, share >= 1 ? (f ? ", as ::/0 would" : ", as 0.0.0.0/0 would") : "");
				return -1;
			}
		}
	}
	return 0;
}

bool
config_kube_version(const struct config *cfg, unsigned *major, unsigned *minor)
{
	return cfg->kube_version && sscanf(cfg->kube_version, "%u.%u", major, minor) == 2;
}

/* One IPv4 or IPv6 address; FAMILY gets AF_INET or AF_INET6. */
static bool
parse_ip(const char *text, unsigned char addr[16], int *family)
{
	char buf[64];
	if (strlen(text) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", text);
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, buf, addr) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

static int
check_ip(const char *value, char *out, size_t outlen)
{
	unsigned char a[16];
	int fam;
	return verdict(parse_ip(value, a, &fam), value, "an IPv4 or IPv6 address", out, outlen);
}

/* What MetalLB's IPAddressPool accepts in spec.addresses: a CIDR whose host
 * bits are zero ("192.0.2.10/32", "2001:db8::/64"), or a range
 * "FIRST-LAST" of one family with FIRST <= LAST. A CIDR with host bits set
 * is refused: MetalLB would silently take the whole network. */
static int
check_pool_range(const char *value, char *out, size_t outlen)
{
	static const char expected[] =
		"a CIDR with no host bits set (192.0.2.10/32, 2001:db8::/64) or a range FIRST-LAST "
		"(192.0.2.10-192.0.2.20)";
	unsigned char a[16], b[16];
	int fa = 0, fb = 0;
	char first[64];
	const char *slash = strchr(value, '/'), *dash = strchr(value, '-');
	bool ok = false;
	if (slash && !dash) {
		size_t n = (size_t)(slash - value);
		char *end;
		errno = 0;
		long bits = strtol(slash + 1, &end, 10);
		ok = n < sizeof(first) && isdigit((unsigned char)slash[1]) && !*end && !errno;
		if (ok) {
			snprintf(first, sizeof(first), "%.*s", (int)n, value);
			ok = parse_ip(first, a, &fa) && bits >= 0 && bits <= (fa == AF_INET ? 32 : 128);
		}
		/* Every bit after the prefix must be zero. */
		for (long bit = bits; ok && bit < (fa == AF_INET ? 32 : 128); bit++)
			ok = !(a[bit / 8] & (0x80u >> (bit % 8)));
	} else if (dash && !slash) {
		size_t n = (size_t)(dash - value);
		ok = n < sizeof(first);
		if (ok) {
			snprintf(first, sizeof(first), "%.*s", (int)n, value);
			ok = parse_ip(first, a, &fa) && parse_ip(dash + 1, b, &fb) && fa == fb &&
			     memcmp(a, b, fa == AF_INET ? 4 : 16) <= 0;
		}
	}
	return verdict(ok, value, expected, out, outlen);
}

static int
parse_bool(const char *value, bool *out)
{
	if (!value || strcmp(value, "true") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(value, "false") == 0) {
		*out = false;
		return 0;
	}
	return -1;
}

static void
strlist_add(struct strlist *l, const char *value)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], value) == 0)
			return;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(value);
}

enum config_source
config_source_of(const struct config *cfg, const char *name)
{
	const struct option_spec *o = config_find(name);
	return o ? (enum config_source)cfg->source[o - options] : SRC_DEFAULT;
}

bool
config_cli_only(const struct option_spec *o)
{
	/* --check and --allow-empty decide whether a run may write nothing or
	 * fail where it would patch: a config file or an Argo CD parameter that
	 * set them would reach every run, including the ones whose output a
	 * client applies. */
	return !strcmp(o->name, "config") || !strcmp(o->name, "print-config") || !strcmp(o->name, "check") ||
	       !strcmp(o->name, "allow-empty") || !strcmp(o->name, "diff") || !strcmp(o->name, "emit") ||
	       !strcmp(o->name, "emit-dir");
}

/* SRC (not below the option's current source) becomes O's source; a list
 * from a lower source is dropped first. */
static void
take_source(struct config *cfg, const struct option_spec *o, enum config_source src)
{
	size_t i = (size_t)(o - options);
	if (src <= cfg->source[i])
		return;
	if (o->kind == OPT_LIST || o->kind == OPT_CSV)
		strlist_free((struct strlist *)((char *)cfg + o->offset));
	cfg->source[i] = (unsigned char)src;
}

void
config_list_begin(struct config *cfg, enum config_source src, const char *name)
{
	take_source(cfg, config_find(name), src);
}

static int set_value(struct config *cfg, const struct option_spec *o, const char *value, const char *origin,
		     char *err, size_t errlen);

int
config_set(struct config *cfg, const char *name, const char *value, const char *origin,
	   char *err, size_t errlen)
{
	return config_set_from(cfg, SRC_FLAG, name, value, origin, err, errlen);
}

int
config_set_from(struct config *cfg, enum config_source src, const char *name, const char *value,
		const char *origin, char *err, size_t errlen)
{
	const struct option_spec *o = config_find(name);
	if (!o) {
		snprintf(err, errlen, "%s: unknown option", origin);
		return -1;
	}
	if (src != SRC_FLAG && config_cli_only(o)) {
		snprintf(err, errlen, "%s: '%s' can only be given on the command line", origin, name);
		return -1;
	}
	size_t i = (size_t)(o - options);
	if (src < cfg->source[i] && src == SRC_ENV)
		return 0; /* detected, not written by the user: nothing to point out */
	if (src < cfg->source[i]) {
		/* Overridden: check the value all the same, in a scratch config. */
		struct config scratch;
		config_init(&scratch);
		int rc = set_value(&scratch, o, value, origin, err, errlen);
		config_free(&scratch);
		return rc;
	}
	take_source(cfg, o, src);
	cfg->env_name[i] = src == SRC_ENV ? origin : NULL;
	return set_value(cfg, o, value, origin, err, errlen);
}

/* Valid UTF-8 of characters YAML can hold in a double-quoted scalar on one
 * line: no control characters (C0, DEL, C1), no U+2028/U+2029 line breaks,
 * no byte order mark, no surrogates or non-characters U+FFFE/U+FFFF. Every
 * value is held to this, whichever source it came from, so that messages,
 * --print-config and --report can always carry it. */
static bool
printable_utf8(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	while (*p) {
		unsigned long c;
		int n;
		if (*p < 0x80) {
			c = *p;
			n = 0;
		} else if ((*p & 0xe0) == 0xc0) {
			c = *p & 0x1f;
			n = 1;
		} else if ((*p & 0xf0) == 0xe0) {
			c = *p & 0x0f;
			n = 2;
		} else if ((*p & 0xf8) == 0xf0) {
			c = *p & 0x07;
			n = 3;
		} else {
			return false;
		}
		p++;
		for (int i = 0; i < n; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
			c = (c << 6) | (*p & 0x3f);
		}
		static const unsigned long min[] = {0, 0x80, 0x800, 0x10000};
		if (c < min[n] || c > 0x10ffff || c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 ||
		    c == 0x2029 || c == 0xfeff || (c >= 0xd800 && c <= 0xdfff) || c == 0xfffe || c == 0xffff)
			return false;
	}
	return true;
}

static int
set_value(struct config *cfg, const struct option_spec *o, const char *value, const char *origin,
	  char *err, size_t errlen)
{
	void *field = (char *)cfg + o->offset;
	char norm[4096];
	/* A normalised value is never cut short: a longer one is refused. */
	if (value && strlen(value) >= sizeof(norm)) {
		snprintf(err, errlen, "%s: expected a value of at most %zu bytes", origin, sizeof(norm) - 1);
		return -1;
	}
	if (value && !printable_utf8(value)) {
		snprintf(err, errlen, "%s: expected printable UTF-8 text without control characters", origin);
		return -1;
	}
	switch (o->kind) {
	case OPT_FLAG: {
		bool b;
		if (parse_bool(value, &b) != 0) {
			snprintf(err, errlen, "%s: expected true or false, got '%s'", origin, value);
			return -1;
		}
		*(bool *)field = b;
		return 0;
	}
	case OPT_SIZE: {
		size_t n;
		if (!value || config_parse_size(value, &n) != 0) {
			snprintf(err, errlen,
				 "%s: expected a positive byte count such as 1048576, 512K or 64M, got '%s'",
				 origin, value ? value : "");
			return -1;
		}
		*(size_t *)field = n;
		return 0;
	}
	case OPT_ENUM:
		for (int i = 0; value && o->choices[i]; i++)
			if (strcmp(value, o->choices[i]) == 0) {
				*(int *)field = i;
				return 0;
			}
		snprintf(err, errlen, "%s: expected one of %s, got '%s'", origin, o->arg,
			 value ? value : "");
		return -1;
	case OPT_CSV: {
		/* Check every item before keeping any. */
		const char *all = value ? value : "", *p = all;
		char part[256];
		size_t nitems = 0;
		do {
			size_t n = strcspn(p, ",");
			snprintf(part, sizeof(part), "%.*s", (int)(n < sizeof(part) ? n : sizeof(part) - 1), p);
			if (n == 0 || n >= sizeof(part) || o->check(part, norm, sizeof(norm)) != 0) {
				if (n == 0 || n >= sizeof(part))
					o->check("", norm, sizeof(norm));
				snprintf(err, errlen, "%s: '%.*s' is not %s", origin, (int)(n < 64 ? n : 64), p, norm);
				return -1;
			}
			p += n + (p[n] == ',');
			nitems++;
		} while (*p);
		p = all;
		while (nitems--) {
			size_t n = strcspn(p, ",");
			snprintf(part, sizeof(part), "%.*s", (int)n, p);
			o->check(part, norm, sizeof(norm));
			strlist_add(field, norm);
			p += n + (p[n] == ',');
		}
		return 0;
	}
	case OPT_STRING:
	case OPT_LIST:
		if (!value || o->check(value, norm, sizeof(norm)) != 0) {
			snprintf(err, errlen, "%s: expected %s, got '%s'", origin,
				 value ? norm : "a value", value ? value : "");
			return -1;
		}
		if (o->kind == OPT_LIST) {
			strlist_add(field, norm);
		} else {
			free(*(char **)field);
			*(char **)field = xstrdup(norm);
		}
		return 0;
	}
	return -1;
}

/* ---- --print-config ---- */

/* VALUE (printable UTF-8, see printable_utf8) as a double-quoted YAML
 * scalar. */
static int
print_quoted(FILE *f, const char *value)
{
	if (fputc('"', f) == EOF)
		return -1;
	for (const char *p = value; *p; p++)
		if (((*p == '"' || *p == '\\') && fputc('\\', f) == EOF) || fputc(*p, f) == EOF)
			return -1;
	return fputc('"', f) == EOF ? -1 : 0;
}

static const char *
source_name(const struct config *cfg, size_t i)
{
	switch ((enum config_source)cfg->source[i]) {
	case SRC_ENV: return cfg->env_name[i] ? cfg->env_name[i] : "environment";
	case SRC_FILE: return "config file";
	case SRC_ARGO: return "ARGOCD_APP_PARAMETERS";
	case SRC_FLAG: return "command line";
	default: return "default";
	}
}

const char *
config_source_name(const struct config *cfg, const char *name)
{
	for (size_t i = 0; options[i].name; i++)
		if (!strcmp(options[i].name, name))
			return source_name(cfg, i);
	return "default";
}

int
config_print(const struct config *cfg, FILE *f, bool set_only)
{
	int bad = 0;
	if (!set_only)
		bad |= fprintf(f, "# %s %s: effective configuration. Precedence: command line > "
			       "ARGOCD_APP_PARAMETERS > --config FILE > environment (KUBE_VERSION, ARGOCD_APP_NAMESPACE, "
			       "HELM_NAMESPACE) > default.\n", "dms-postrender", VERSION) < 0;
	if (cfg->config_file && !set_only)
		bad |= fputs("# --config ", f) == EOF || print_quoted(f, cfg->config_file) != 0 ||
		       fputc('\n', f) == EOF;
	for (const struct option_spec *o = options; o->name && !bad; o++) {
		const void *field = (const char *)cfg + o->offset;
		const char *from = source_name(cfg, (size_t)(o - options));
		/* The report object names what shapes the objects, not how the
		 * run talks or writes (so that --format reemit gives the same). */
		if (config_cli_only(o) || (set_only && (cfg->source[o - options] == SRC_DEFAULT ||
							!strcmp(o->name, "verbose") || !strcmp(o->name, "format") ||
							!strcmp(o->name, "report"))))
			continue;
		bad |= fprintf(f, "%s:", o->name) < 0;
		switch (o->kind) {
		case OPT_FLAG:
			bad |= fprintf(f, " %s", *(const bool *)field ? "true" : "false") < 0;
			break;
		case OPT_SIZE: {
			size_t n = *(const size_t *)field;
			const char *unit = "";
			const size_t mib = (size_t)1024 * 1024;
			if (n % (1024 * mib) == 0)
				n /= 1024 * mib, unit = "G";
			else if (n % mib == 0)
				n /= mib, unit = "M";
			else if (n % 1024 == 0)
				n /= 1024, unit = "K";
			bad |= fprintf(f, " %zu%s", n, unit) < 0;
			break;
		}
		case OPT_ENUM: {
			/* on and off are booleans to YAML 1.1 readers. */
			const char *v = o->choices[*(const int *)field];
			bool boolish = strcmp(v, "on") == 0 || strcmp(v, "off") == 0;
			bad |= fprintf(f, boolish ? " \"%s\"" : " %s", v) < 0;
			break;
		}
		case OPT_STRING: {
			const char *v = *(char *const *)field;
			bad |= fputc(' ', f) == EOF || (v ? print_quoted(f, v) : fputs("null", f) == EOF ? -1 : 0) != 0;
			break;
		}
		case OPT_LIST:
		case OPT_CSV: {
			const struct strlist *l = field;
			if (!l->n)
				bad |= fputs(" []", f) == EOF;
			bad |= fprintf(f, "  # %s\n", from) < 0;
			for (size_t i = 0; i < l->n && !bad; i++)
				bad |= fputs("  - ", f) == EOF || print_quoted(f, l->v[i]) != 0 || fputc('\n', f) == EOF;
			continue;
		}
		}
		bad |= fprintf(f, "  # %s\n", from) < 0;
	}
	return bad || fflush(f) != 0 || ferror(f) ? -1 : 0;
}
