/* probes.h -- --probes healthcheck: the docker-mailserver container's
 * startup, readiness and liveness probes run the image's own dms-healthcheck
 * (docker-mailserver 16 and later), with timings chosen for a mail server
 * that loads ClamAV signatures and starts Rspamd. It replaces the probes a
 * chart ships (the official chart's grep pipelines) and nothing else. */
#ifndef DMSPR_PROBES_H
#define DMSPR_PROBES_H

#include "patch.h"

/* On container C (node CNODE, named CNAME, under message path BASE) of
 * docker-mailserver version MAJOR. Returns 0 or -1 (an error for an image
 * before 16, which has no dms-healthcheck). */
int probes_apply(struct patch_ctx *x, int cnode, const char *cname, int major, const char *base);

#endif
