/* probes.c -- the dms-healthcheck probes of --probes healthcheck (see
 * probes.h). dms-healthcheck (docker-mailserver 16, target/bin, PR #4706)
 * exits 0 when every supervisord program the settings enable is RUNNING
 * (it reads `supervisorctl status`, which answers in well under a second,
 * and checks no port). The timings: a startup probe that allows ten
 * minutes (60 x 10 s: ClamAV loads its signatures and Rspamd starts within
 * that on a small node), then readiness every 10 s (3 failures take the pod
 * out of the Service) and liveness every 30 s (4 failures, two minutes, a
 * program that supervisord could not bring back: restart), 10 s timeouts
 * for a loaded node. Other probe fields are left alone. */
#include "probes.h"

#include <stdio.h>
#include <string.h>

#include "util.h"
#include "ynode.h"

static const struct {
	const char *probe;
	const char *period, *failures;
} probes[] = {
	{"startupProbe", "10", "60"},
	{"readinessProbe", "10", "3"},
	{"livenessProbe", "30", "4"},
};

/* The handlers a probe may have besides ours. */
static const char *const handlers[] = {"httpGet", "tcpSocket", "grpc"};

static int
one(struct patch_ctx *x, int cnode, size_t i, const char *base)
{
	char path[320], sub[360];
	snprintf(path, sizeof(path), "%s.%s", base, probes[i].probe);
	int p = patch_own(x, cnode, probes[i].probe, true, true, path);
	if (!p)
		return -1;
	for (size_t h = 0; h < countof(handlers); h++)
		if (ynode_get(x->y, p, handlers[h])) {
			ynode_map_remove(x->y, p, handlers[h]);
			snprintf(sub, sizeof(sub), "%s.%s", path, handlers[h]);
			patch_changed(x, sub, "(a handler)", "(removed: exec dms-healthcheck)");
		}
	/* The startup probe holds the others back: no initial delay needed. */
	if (ynode_get(x->y, p, "initialDelaySeconds")) {
		const char *old = ynode_str(x->y, ynode_get(x->y, p, "initialDelaySeconds"));
		char was[32];
		snprintf(was, sizeof(was), "%s", old ? old : "?");
		ynode_map_remove(x->y, p, "initialDelaySeconds");
		snprintf(sub, sizeof(sub), "%s.initialDelaySeconds", path);
		patch_changed(x, sub, was, "(removed: the startup probe waits)");
	}
	snprintf(sub, sizeof(sub), "%s.exec", path);
	int ex = patch_own(x, p, "exec", true, true, sub);
	if (!ex)
		return -1;
	snprintf(sub, sizeof(sub), "%s.exec.command", path);
	int cmd = ynode_get(x->y, ex, "command");
	bool ours = ynode_seq_len(x->y, cmd) == 1 && ynode_str(x->y, ynode_seq_item(x->y, cmd, 0)) &&
		    !strcmp(ynode_str(x->y, ynode_seq_item(x->y, cmd, 0)), "dms-healthcheck");
	if (!ours) {
		if (cmd)
			ynode_map_remove(x->y, ex, "command");
		cmd = patch_own(x, ex, "command", false, true, sub);
		if (!cmd || !ynode_append(x->y, cmd, ynode_new_str(x->y, "dms-healthcheck", YAML_PLAIN_SCALAR_STYLE)))
			return patch_error(x, ex, "cannot set %s: out of memory", sub);
		patch_changed(x, sub, NULL, "[dms-healthcheck]");
	}
	static const char *const keys[] = {"periodSeconds", "timeoutSeconds", "failureThreshold"};
	const char *values[] = {probes[i].period, "10", probes[i].failures};
	for (size_t k = 0; k < countof(keys); k++) {
		const char *have = ynode_str(x->y, ynode_get(x->y, p, keys[k]));
		if (have && !strcmp(have, values[k]))
			continue;
		snprintf(sub, sizeof(sub), "%s.%s", path, keys[k]);
		patch_set(x, p, keys[k], values[k], YAML_PLAIN_SCALAR_STYLE, sub);
	}
	return 0;
}

int
probes_apply(struct patch_ctx *x, int cnode, const char *cname, int major, const char *base)
{
	if (x->cfg->probes != PROBES_HEALTHCHECK)
		return 0;
	if (major < 16)
		return patch_error(x, cnode,
				   "--probes healthcheck: container '%s' runs docker-mailserver %d, and dms-healthcheck "
				   "exists from 16 on (docker-mailserver PR #4706); keep the chart's probes for this "
				   "image, or say --dms-version 16 if the image is 16 after all", cname, major);
	for (size_t i = 0; i < countof(probes); i++)
		if (one(x, cnode, i, base) != 0)
			return -1;
	return 0;
}
