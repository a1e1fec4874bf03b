/* test_match.c -- unit tests for the matching helpers: the docker-mailserver
 * image rule (registries, mirrors, tags, digests, look-alikes), --image
 * globs, capability and Kubernetes-version normalisation, and the
 * environment resolution behind Fail2Ban detection. */
#include <stdlib.h>

#include "check.h"
#include "config.h"
#include "diag.h"
#include "doc.h"
#include "envsrc.h"
#include "image.h"
#include "stream.h"

static void
images(void)
{
	static const char *const yes[] = {
		"mailserver/docker-mailserver:15.1.0",
		"docker.io/mailserver/docker-mailserver:latest",
		"index.docker.io/mailserver/docker-mailserver",
		"registry-1.docker.io/mailserver/docker-mailserver:edge",
		"ghcr.io/docker-mailserver/docker-mailserver:15.1",
		"ghcr.io/docker-mailserver/docker-mailserver@sha256:0f0b1c3a5d9e4b3f7c2a1d8e6f5b4a3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a",
		"mailserver/docker-mailserver:15.1.0@sha256:0f0b1c3a5d9e4b3f7c2a1d8e6f5b4a3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a",
		"harbor.example.com:8443/proxy/mailserver/docker-mailserver:15",
		"localhost:5000/docker-mailserver/docker-mailserver",
		"tvial/docker-mailserver:v2",
	};
	static const char *const no[] = {
		"mailu/postfix:2024.06", "ghcr.io/mailu/dovecot:master", "jeboehm/mailserver-mta:latest",
		"docker.io/someone/docker-mailserver:latest", "mailserver/docker-mailserver-exporter:1",
		"blackflysolutions/postfix-exporter@sha256:7ed7", "boky/postfix", "docker-mailserver",
		"xmailserver/docker-mailserver", "", "mailserver/docker-mailserverx:1",
	};
	char name[160];
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		snprintf(name, sizeof(name), "image matches %s", yes[i]);
		CHECK(name, image_is_dms(yes[i], NULL, 0));
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++) {
		snprintf(name, sizeof(name), "image does not match '%s'", no[i]);
		CHECK(name, !image_is_dms(no[i], NULL, 0));
	}
	CHECK("image NULL does not match", !image_is_dms(NULL, NULL, 0));

	char repo[64];
	CHECK("repository drops tag and digest",
	      image_repository("reg:5000/a/b:1.0@sha256:ff", repo, sizeof(repo)) && strcmp(repo, "reg:5000/a/b") == 0);
	CHECK("repository keeps a registry port", image_repository("reg:5000/a/b", repo, sizeof(repo)) &&
							  strcmp(repo, "reg:5000/a/b") == 0);

	char p1[] = "registry.internal/*/dms", p2[] = "custom/mail*";
	char *pat[] = {p1, p2};
	CHECK("--image glob on the full repository", image_is_dms("registry.internal/mirror/dms:1", pat, 2));
	CHECK("--image glob without the registry host", image_is_dms("reg.example.com/custom/mailserver:2", pat, 2));
	CHECK("--image glob is anchored", !image_is_dms("registry.internal/mirror/dms-helper:1", pat, 2));
}

static void
options(void)
{
	struct config cfg;
	char err[256], out[64];
	config_init(&cfg);
	CHECK("capability lower case with CAP_ prefix",
	      config_check_capability("cap_mac_override", out, sizeof(out)) == 0 && strcmp(out, "MAC_OVERRIDE") == 0);
	CHECK("capability unknown rejected", config_check_capability("NET_ADMINX", out, sizeof(out)) != 0);
	CHECK("capability ALL rejected", config_check_capability("ALL", out, sizeof(out)) != 0);
	CHECK("add-capability deduplicated",
	      config_set(&cfg, "add-capability", "SYS_PTRACE", "t", err, sizeof(err)) == 0 &&
		      config_set(&cfg, "add-capability", "cap_sys_ptrace", "t", err, sizeof(err)) == 0 &&
		      cfg.add_capabilities.n == 1);
	unsigned major, minor;
	CHECK("kube version unknown by default", !config_kube_version(&cfg, &major, &minor));
	static const struct {
		const char *in, *norm;
	} versions[] = {{"1.30", "1.30"}, {"v1.31.2", "1.31.2"}, {"1.30.2+k3s1", "1.30.2"}, {"1.29+", "1.29"},
			{"1.32.0-eks-1234", "1.32.0"}};
	for (size_t i = 0; i < sizeof(versions) / sizeof(*versions); i++) {
		char name[96];
		snprintf(name, sizeof(name), "kube version %s -> %s", versions[i].in, versions[i].norm);
		CHECK(name, config_set(&cfg, "kube-version", versions[i].in, "t", err, sizeof(err)) == 0 &&
				    strcmp(cfg.kube_version, versions[i].norm) == 0);
	}
	CHECK("kube version major/minor", config_kube_version(&cfg, &major, &minor) && major == 1 && minor == 32);
	static const char *const bad[] = {"", "1", "2.0", "1.x", "latest", "1.30 ", "v"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char name[64];
		snprintf(name, sizeof(name), "kube version '%s' rejected", bad[i]);
		CHECK(name, config_set(&cfg, "kube-version", bad[i], "t", err, sizeof(err)) != 0);
	}
	CHECK("enum value checked", config_set(&cfg, "apparmor", "fields", "--apparmor", err, sizeof(err)) != 0 &&
					    strstr(err, "expected one of auto|annotation|field|both|off") != NULL);
	CHECK("container name checked", config_set(&cfg, "container", "Mail_Server", "t", err, sizeof(err)) != 0);
	config_free(&cfg);
}

/* The precedence of sources in config_set_from(). */
static void
sources(void)
{
	struct config cfg;
	char err[256];
	config_init(&cfg);
	CHECK("file sets a list", config_set_from(&cfg, SRC_FILE, "image", "a.example/x", "f", err, sizeof(err)) == 0 &&
					  config_set_from(&cfg, SRC_FILE, "image", "b.example/x", "f", err, sizeof(err)) == 0 &&
					  cfg.images.n == 2);
	CHECK("Argo parameter replaces the file's list",
	      config_set_from(&cfg, SRC_ARGO, "image", "c.example/x", "a", err, sizeof(err)) == 0 && cfg.images.n == 1 &&
		      strcmp(cfg.images.v[0], "c.example/x") == 0);
	CHECK("a lower source does not override",
	      config_set_from(&cfg, SRC_FILE, "image", "d.example/x", "f", err, sizeof(err)) == 0 && cfg.images.n == 1);
	CHECK("a lower source's bad value is still refused",
	      config_set_from(&cfg, SRC_FILE, "image", "UPPER", "f", err, sizeof(err)) != 0);
	config_list_begin(&cfg, SRC_FLAG, "image");
	CHECK("an empty list from a higher source", cfg.images.n == 0);
	CHECK("single value: higher wins whatever the order",
	      config_set_from(&cfg, SRC_FLAG, "fail2ban", "off", "c", err, sizeof(err)) == 0 &&
		      config_set_from(&cfg, SRC_ARGO, "fail2ban", "on", "a", err, sizeof(err)) == 0 &&
		      cfg.fail2ban == FAIL2BAN_OFF);
	CHECK("an overridden KUBE_VERSION is not checked",
	      config_set_from(&cfg, SRC_FILE, "kube-version", "1.30", "f", err, sizeof(err)) == 0 &&
		      config_set_from(&cfg, SRC_ENV, "kube-version", "junk", "k", err, sizeof(err)) == 0 &&
		      strcmp(cfg.kube_version, "1.30") == 0);
	CHECK("command-line-only option refused from a file",
	      config_set_from(&cfg, SRC_FILE, "config", "x.yaml", "f", err, sizeof(err)) != 0 &&
		      strstr(err, "can only be given on the command line") != NULL);
	static const char *const unprintable[] = {"a\tb", "a\nb", "\xc2\x85", "\xe2\x80\xa8", "\xef\xbb\xbf", "\xc3",
						  "\xc0\xaf", "\xed\xa0\x80", "\x7f"};
	for (size_t i = 0; i < sizeof(unprintable) / sizeof(*unprintable); i++) {
		char name[64];
		snprintf(name, sizeof(name), "unprintable value %zu refused", i);
		CHECK(name, config_set(&cfg, "report", unprintable[i], "t", err, sizeof(err)) != 0);
	}
	char long_value[5000], out_value[400];
	memset(long_value, 'a', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	CHECK("a value too long to keep whole is refused", config_set(&cfg, "report", long_value, "t", err, sizeof(err)) != 0);
	/* 300 bytes with two-byte characters across the old 256-byte limit. */
	for (size_t i = 0; i + 2 < 300; i += 2)
		memcpy(out_value + i, "\xc3\xa9", 2);
	out_value[298] = '\0';
	CHECK("a long UTF-8 value is kept whole", config_set(&cfg, "report", out_value, "t", err, sizeof(err)) == 0 &&
							  strcmp(cfg.report, out_value) == 0);
	CHECK("UTF-8 value accepted", config_set(&cfg, "report", "r\xc3\xa9sum\xc3\xa9.json", "t", err, sizeof(err)) == 0);
	config_free(&cfg);
}

/* Resolve VAR for the first container of the last object of STREAM. */
static enum env_state
resolve(const char *stream_text, const char *var, char *value, size_t len)
{
	struct stream s;
	struct chunk c;
	struct doc d;
	bool mem;
	struct env_value v = {ENV_UNSET, "", ""};
	struct envsrc *e = envsrc_new();
	diag_reset();
	stream_init_mem(&s, stream_text, strlen(stream_text), 1u << 20);
	while (stream_next(&s, &c) > 0) {
		if (!c.index || doc_load(&d, &c, &mem) != 0)
			continue;
		if (doc_need_tree(&d, &mem) != 0) {
			doc_free(&d);
			continue;
		}
		envsrc_observe(e, &d);
		struct object *o = d.nobjects ? &d.objects[d.nobjects - 1] : NULL;
		if (o && o->ncontainers)
			envsrc_lookup(e, &d, o, &o->containers[0], var, &v);
		doc_free(&d);
	}
	stream_free(&s);
	envsrc_free(e);
	snprintf(value, len, "%s", v.value);
	return v.state;
}

#define POD(spec) "---\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  containers:\n  - name: m\n" spec

static void
environment(void)
{
	char v[64];
	CHECK("env unset", resolve(POD("    image: x\n"), "ENABLE_FAIL2BAN", v, sizeof(v)) == ENV_UNSET);
	CHECK("env value", resolve(POD("    env: [{name: ENABLE_FAIL2BAN, value: '1'}]\n"), "ENABLE_FAIL2BAN", v,
				   sizeof(v)) == ENV_SET && strcmp(v, "1") == 0);
	CHECK("env last entry wins",
	      resolve(POD("    env: [{name: ENABLE_FAIL2BAN, value: '1'}, {name: ENABLE_FAIL2BAN, value: '0'}]\n"),
		      "ENABLE_FAIL2BAN", v, sizeof(v)) == ENV_SET && strcmp(v, "0") == 0);
	const char *cm = "---\nkind: ConfigMap\nmetadata: {name: env, namespace: ns}\ndata: {ENABLE_FAIL2BAN: '1', "
			 "P_ENABLE_FAIL2BAN: '0'}\n";
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s%s", cm, POD("    envFrom: [{configMapRef: {name: env}}]\n"));
	CHECK("envFrom ConfigMap", resolve(buf, "ENABLE_FAIL2BAN", v, sizeof(v)) == ENV_SET && strcmp(v, "1") == 0);
	snprintf(buf, sizeof(buf), "%s%s", cm, POD("    envFrom: [{prefix: P_, configMapRef: {name: env}}]\n"));
	CHECK("envFrom prefix", resolve(buf, "ENABLE_FAIL2BAN", v, sizeof(v)) == ENV_SET && strcmp(v, "0") == 0);
	snprintf(buf, sizeof(buf), "%s%s", cm,
		 "---\nkind: Pod\nmetadata: {name: p, namespace: other}\nspec:\n  containers:\n  - name: m\n"
		 "    envFrom: [{configMapRef: {name: env}}]\n");
	CHECK("envFrom other namespace is unknown", resolve(buf, "ENABLE_FAIL2BAN", v, sizeof(v)) == ENV_UNKNOWN);
	snprintf(buf, sizeof(buf), "%s%s", cm,
		 POD("    envFrom: [{configMapRef: {name: env}}]\n    env: [{name: ENABLE_FAIL2BAN, value: '0'}]\n"));
	CHECK("env beats envFrom", resolve(buf, "ENABLE_FAIL2BAN", v, sizeof(v)) == ENV_SET && strcmp(v, "0") == 0);
	CHECK("envFrom missing ConfigMap is unknown",
	      resolve(POD("    envFrom: [{configMapRef: {name: gone}}]\n"), "ENABLE_FAIL2BAN", v, sizeof(v)) ==
		      ENV_UNKNOWN);
	snprintf(buf, sizeof(buf), "%s%s", cm,
		 POD("    envFrom: [{configMapRef: {name: gone}}, {configMapRef: {name: env}}]\n"));
	CHECK("a later envFrom source wins over an unknown one",
	      resolve(buf, "ENABLE_FAIL2BAN", v, sizeof(v)) == ENV_SET && strcmp(v, "1") == 0);
	snprintf(buf, sizeof(buf), "%s%s",
		 "---\nkind: Secret\nmetadata: {name: s, namespace: ns}\ndata: {ENABLE_FAIL2BAN: MQ==}\n"
		 "stringData: {ENABLE_POP3: '1'}\n",
		 POD("    envFrom: [{secretRef: {name: s}}]\n"));
	CHECK("Secret data is base64", resolve(buf, "ENABLE_FAIL2BAN", v, sizeof(v)) == ENV_SET && strcmp(v, "1") == 0);
	CHECK("Secret stringData", resolve(buf, "ENABLE_POP3", v, sizeof(v)) == ENV_SET && strcmp(v, "1") == 0);
	snprintf(buf, sizeof(buf), "%s%s", cm,
		 POD("    env: [{name: ENABLE_FAIL2BAN, valueFrom: {configMapKeyRef: {name: env, key: ENABLE_FAIL2BAN}}}]\n"));
	CHECK("valueFrom a recorded key", resolve(buf, "ENABLE_FAIL2BAN", v, sizeof(v)) == ENV_SET && strcmp(v, "1") == 0);
	/* Objects without recorded keys are remembered as present only. */
	const char *plain = "---\nkind: ConfigMap\nmetadata: {name: env, namespace: ns}\ndata: {OTHER: x}\n";
	snprintf(buf, sizeof(buf), "%s%s", plain, POD("    envFrom: [{configMapRef: {name: env}}]\n"));
	CHECK("envFrom a ConfigMap without the key: not set", resolve(buf, "ENABLE_FAIL2BAN", v, sizeof(v)) == ENV_UNSET);
	snprintf(buf, sizeof(buf), "%s%s%s", cm, plain, POD("    envFrom: [{configMapRef: {name: env}}]\n"));
	CHECK("a later keyless object replaces a recorded one",
	      resolve(buf, "ENABLE_FAIL2BAN", v, sizeof(v)) == ENV_UNSET);
	snprintf(buf, sizeof(buf), "%s%s", plain,
		 "---\nkind: Pod\nmetadata: {name: p, namespace: other}\nspec:\n  containers:\n  - name: m\n"
		 "    envFrom: [{configMapRef: {name: env}}]\n");
	CHECK("a keyless object in another namespace is unknown",
	      resolve(buf, "ENABLE_FAIL2BAN", v, sizeof(v)) == ENV_UNKNOWN);
	snprintf(buf, sizeof(buf), "%s%s", "---\nkind: Secret\nmetadata: {name: env, namespace: ns}\n",
		 POD("    envFrom: [{configMapRef: {name: env}}]\n"));
	CHECK("a Secret does not stand in for a ConfigMap", resolve(buf, "ENABLE_FAIL2BAN", v, sizeof(v)) == ENV_UNKNOWN);
	snprintf(buf, sizeof(buf), "%s%s", "---\nkind: ConfigMap\nmetadata: {name: env}\n",
		 POD("    envFrom: [{configMapRef: {name: env}}]\n"));
	CHECK("a keyless object without a namespace matches any", resolve(buf, "ENABLE_FAIL2BAN", v, sizeof(v)) == ENV_UNSET);
	CHECK("valueFrom fieldRef is unknown",
	      resolve(POD("    env: [{name: ENABLE_FAIL2BAN, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]\n"),
		      "ENABLE_FAIL2BAN", v, sizeof(v)) == ENV_UNKNOWN);
}

int
main(void)
{
	images();
	options();
	sources();
	environment();
	return check_done();
}
