/* harden.h -- the hardening patch: the docker-mailserver container's
 * securityContext (root, the capability set, seccomp), AppArmor (annotation
 * and/or field) and the kube-linter ignore-check annotations on the
 * workload. It touches no other container and no Service. */
#ifndef DMSPR_HARDEN_H
#define DMSPR_HARDEN_H

#include <stdbool.h>

#include "patch.h"

/* Deployment, StatefulSet, DaemonSet, ReplicaSet and Pod. */
bool harden_applies(const struct patch_ctx *x);
/* Returns 0, or -1 after reporting an error. */
int harden_apply(struct patch_ctx *x);

#endif
