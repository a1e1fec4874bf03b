/* psa.h -- the Pod Security Standards level a docker-mailserver pod meets,
 * computed as Kubernetes' Pod Security admission does
 * (kubernetes/pod-security-admission policy/check_*.go, v0.37 for
 * Kubernetes 1.37): the baseline checks, each by its upstream ID, and the
 * restricted ones a DMS pod always fails. It reads a pod spec; it changes
 * nothing and decides nothing about the options (patch code does). */
#ifndef DMSPR_PSA_H
#define DMSPR_PSA_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

enum psa_level { PSA_PRIVILEGED, PSA_BASELINE, PSA_RESTRICTED };

struct psa_result {
	enum psa_level level;
	char baseline[768];   /* failed baseline checks: "ID (detail); ID (detail)", "" when none */
	char restricted[768]; /* failed restricted-only checks, the same way */
};

/* The level pod spec POD meets (ANNOTATIONS: the pod template's
 * metadata.annotations mapping, or 0), for Kubernetes 1.MINOR (0: the
 * newest this knows). */
void psa_evaluate(yaml_document_t *y, int pod, int annotations, unsigned minor, struct psa_result *r);

const char *psa_level_name(enum psa_level l);
/* The level named TEXT ("privileged", "baseline", "restricted"), or -1. */
int psa_level_of(const char *text);

/* The run's summary lines ("Pod Security: Deployment ns/name meets ..."),
 * kept for --diff's header: add one, walk them (NULL past the last), free
 * them. */
void psa_log_add(const char *line);
const char *psa_log_line(size_t i);
void psa_log_free(void);

#endif
