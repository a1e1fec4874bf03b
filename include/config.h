/* config.h -- the effective configuration and the table of named options that
 * every source (command line, Argo CD parameters, config file, KUBE_VERSION)
 * sets through config_set_from(). It validates and normalises values, keeps
 * the precedence of the sources and remembers where each value came from; it
 * reads no files and parses no argv. */
#ifndef DMSPR_CONFIG_H
#define DMSPR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Kubernetes keeps no object over about 1.5 MiB (etcd's default request
 * limit; the largest real document in the test corpus, a CRD, is 1.4 MB),
 * and a patched document takes about 20 times its size in memory: 8 MiB
 * bounds a run near 180 MB. */
#define CONFIG_DEFAULT_MAX_DOCUMENT ((size_t)8 * 1024 * 1024)

enum fail2ban_mode { FAIL2BAN_AUTO, FAIL2BAN_ON, FAIL2BAN_OFF };
enum apparmor_mode {
	APPARMOR_AUTO,       /* field for Kubernetes >= 1.30, else annotation */
	APPARMOR_ANNOTATION, /* container.apparmor.security.beta.kubernetes.io/<name> */
	APPARMOR_FIELD,      /* securityContext.appArmorProfile */
	APPARMOR_BOTH,
	APPARMOR_OFF,
};

enum dms_version { DMS_AUTO, DMS_15, DMS_16 };
enum probes_mode { PROBES_KEEP, PROBES_HEALTHCHECK };
enum load_balancer { LB_METALLB, LB_CILIUM, LB_KUBE_VIP, LB_SERVICELB };
enum metallb_prefix { METALLB_NEW, METALLB_LEGACY, METALLB_BOTH };
enum traffic_policy { TRAFFIC_LOCAL, TRAFFIC_CLUSTER, TRAFFIC_KEEP };
enum proxy_ingress { INGRESS_NONE, INGRESS_TRAEFIK, INGRESS_NGINX, INGRESS_GATEWAY };
enum proxy_service_mode { PROXY_SERVICE_KEEP, PROXY_SERVICE_SPLIT };
enum traefik_pp { TRAEFIK_PP_TRANSPORT, TRAEFIK_PP_INLINE };
enum gateway_api_version { GATEWAY_API_V1, GATEWAY_API_V1ALPHA2 };
enum gateway_proxy { GATEWAY_PROXY_ENVOY, GATEWAY_PROXY_NONE };
enum output_format { FORMAT_MINIMAL, FORMAT_REEMIT };
enum emit_form { EMIT_STREAM, EMIT_KUSTOMIZE, EMIT_FLUX };

/* Where a value came from, lowest precedence first. A source never
 * overrides a higher one; a list set by a higher source replaces the lower
 * source's list instead of adding to it. */
enum config_source {
	SRC_DEFAULT,
	SRC_ENV,          /* an environment variable: KUBE_VERSION, ARGOCD_APP_NAMESPACE, HELM_NAMESPACE */
	SRC_FILE,         /* --config FILE */
	SRC_ARGO,         /* ARGOCD_APP_PARAMETERS */
	SRC_FLAG,         /* the command line */
};

#define CONFIG_MAX_OPTIONS 56

/* A list option given several times; values are normalised and unique. */
struct strlist {
	char **v;
	size_t n;
};

struct config {
	bool verbose;
	bool allow_empty;
	size_t max_document_size;      /* bytes in one document, header included */
	struct strlist images;         /* extra image repository patterns */
	struct strlist containers;     /* select the DMS container by name */
	int fail2ban;                  /* enum fail2ban_mode */
	struct strlist add_capabilities; /* canonical names, no CAP_ prefix */
	int dms_version;               /* enum dms_version */
	int probes;                    /* enum probes_mode */
	int pod_security;              /* enum psa_level the pod must meet: PRIVILEGED (no limit) or BASELINE */
	int apparmor;                  /* enum apparmor_mode */
	char *kube_version;            /* "1.30" or "1.30.2", NULL when unknown */
	bool no_linter_annotations;
	struct strlist services;       /* name the DMS Services explicitly */
	int load_balancer;             /* enum load_balancer */
	char *lb_pool;
	int metallb_annotations;       /* enum metallb_prefix */
	struct strlist lb_ips;    /* validated addresses, one per entry */
	char *lb_shared_ip;
	int traffic_policy;            /* enum traffic_policy */
	struct strlist external_ips;   /* validated addresses, one per entry */
	struct strlist lb_emit_pool; /* CIDRs or ranges of the pool we generate */
	char *metallb_namespace;       /* where generated MetalLB objects go (never NULL) */
	int format;                    /* enum output_format */
	bool host_network;
	bool check;                    /* report whether anything would change; write nothing */
	bool diff;                     /* --diff: print a unified diff instead of the stream */
	int emit;                      /* enum emit_form: --emit, what to write */
	char *emit_dir;                /* --emit-dir DIR (kustomize form), NULL for stdout */
	int proxy_protocol;            /* enum proxy_mode (proxytext.h) */
	struct strlist trusted_networks; /* IPs or CIDRs of the PROXY senders */
	bool allow_any_proxy;          /* accept 0.0.0.0/0 and ::/0 as trusted */
	bool proxy_network_policy;     /* generate a NetworkPolicy for the PROXY ports */
	int proxy_ingress;             /* enum proxy_ingress */
	int proxy_service;             /* enum proxy_service_mode */
	struct strlist traefik_entrypoints; /* "service=entrypoint" */
	int traefik_proxy_protocol;    /* enum traefik_pp */
	char *gateway;                 /* "namespace/name" of the Gateway, NULL when not given */
	struct strlist gateway_listeners; /* "service=listener" */
	int gateway_api_version;       /* enum gateway_api_version */
	int gateway_proxy;             /* enum gateway_proxy */
	char *nginx_tcp_configmap;     /* "namespace/name" (never NULL) */
	char *namespace_;              /* the release namespace, NULL when unknown */
	char *config_file;             /* --config FILE (command line only) */
	bool print_config;             /* --print-config (command line only) */
	char *report;                  /* --report FILE: JSON report of the run */
	bool report_object;            /* --report-object: the report as a ConfigMap in the stream */
	bool strict;                   /* --strict: any warning fails the run */
	unsigned char source[CONFIG_MAX_OPTIONS]; /* enum config_source per option */
	const char *env_name[CONFIG_MAX_OPTIONS];  /* the variable, for SRC_ENV (a static string) */
};

#define CONFIG_DEFAULT_METALLB_NAMESPACE "metallb-system"
#define CONFIG_DEFAULT_NGINX_TCP_CONFIGMAP "ingress-nginx/tcp-services"

enum option_kind {
	OPT_FLAG,   /* boolean; on the command line takes no value */
	OPT_SIZE,   /* byte count with optional K, M or G suffix (powers of 1024) */
	OPT_ENUM,   /* one of choices[]; stored as its index (int) */
	OPT_STRING, /* one text value (char *), normalised by check() */
	OPT_LIST,   /* repeatable text value (struct strlist), normalised by check() */
	OPT_CSV,    /* repeatable comma-separated values (struct strlist), each
		     * normalised by check() */
};

struct option_spec {
	const char *name;  /* long option name, also the key in every source */
	char short_name;   /* 0 when there is none */
	enum option_kind kind;
	const char *arg;   /* metavariable for --help, NULL for flags */
	const char *help;  /* one line for --help */
	size_t offset;     /* where the value lives in struct config */
	const char *const *choices; /* OPT_ENUM: NULL-terminated */
	/* OPT_STRING/OPT_LIST/OPT_CSV: write the normalised value into out and return
	 * 0, or write what was expected into out and return -1. */
	int (*check)(const char *value, char *out, size_t outlen);
};

/* Fill cfg with the built-in defaults. */
void config_init(struct config *cfg);
/* Release the strings and lists. */
void config_free(struct config *cfg);

/* The option table, ended by an entry whose name is NULL. */
const struct option_spec *config_options(void);

/* The I-th old name that still works (--metallb-pool for --lb-pool, ...),
 * NULL past the last. */
const char *config_alias(size_t i);

/* Find an option by long name or old name; NULL when unknown. */
const struct option_spec *config_find(const char *name);

/* Set option NAME from text VALUE (NULL for a flag given without a value;
 * "true"/"false" also accepted for flags). ORIGIN names the source for
 * messages, e.g. "--max-document-size". Returns 0, or -1 after writing a
 * one-line reason (without program prefix) into err. */
int config_set(struct config *cfg, const char *name, const char *value, const char *origin,
	       char *err, size_t errlen);

/* The same for source SRC. A value from a source below the option's current
 * one is still validated but not kept. Options only the command line may set
 * (--config, --print-config) are refused from other sources. */
int config_set_from(struct config *cfg, enum config_source src, const char *name, const char *value,
		    const char *origin, char *err, size_t errlen);

/* Start list option NAME afresh for SRC (an empty list is a value too): the
 * list is emptied and SRC becomes its source when SRC is above its current
 * one; otherwise nothing happens. */
void config_list_begin(struct config *cfg, enum config_source src, const char *name);

/* Where option NAME's value came from (SRC_DEFAULT when nobody set it). */
enum config_source config_source_of(const struct config *cfg, const char *name);

/* The option O only applies beside ("--proxy-protocol separate|only"), or
 * NULL. */
const char *config_option_needs(const struct option_spec *o);

/* True for options that only the command line may set. */
bool config_cli_only(const struct option_spec *o);

/* Print the effective configuration as a YAML config file, each line with a
 * comment naming its source; SET_ONLY: only the options a source set that
 * shape the objects (not --verbose, --format or --report), with no header. Returns 0 or -1 when writing failed. */
int config_print(const struct config *cfg, FILE *f, bool set_only);

/* Where option NAME's value came from, in words ("command line",
 * "HELM_NAMESPACE", "default", ...). */
const char *config_source_name(const struct config *cfg, const char *name);

/* Parse "123", "64K", "16M", "1G" into bytes. Returns 0 or -1. */
int config_parse_size(const char *text, size_t *out);

/* Checks that involve more than one option, run once every source has been
 * read. Returns 0, or -1 after writing a one-line reason into err. */
int config_check_combination(const struct config *cfg, char *err, size_t errlen);

/* The --trusted-networks that reach beyond the non-global ranges
 * (private, shared, loopback, link-local, documentation), comma-separated
 * into OUT ("" when none). */
void config_public_trusted(const struct config *cfg, char *out, size_t outlen);

/* True when capability CAP may be added under Pod Security's baseline. */
bool config_baseline_capability(const char *cap);

/* Major and minor of the target Kubernetes version; false when unknown. */
bool config_kube_version(const struct config *cfg, unsigned *major, unsigned *minor);

/* Linux capability name checks: "net_admin", "CAP_NET_ADMIN" -> "NET_ADMIN".
 * Returns 0 with the canonical name in out, or -1 (unknown name). */
int config_check_capability(const char *value, char *out, size_t outlen);

#endif
