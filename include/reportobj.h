/* reportobj.h -- the --report-object ConfigMap <release>-dms-postrender: what
 * a run did (version, options, changes, generated objects, Pod Security
 * levels, warnings in words) as an object that travels with the release. Its
 * lists are sorted and carry no stream positions, so document order does not
 * show in it. runner.c decides whether a fresh one is written or the one
 * already in the stream is kept. */
#ifndef DMSPR_REPORTOBJ_H
#define DMSPR_REPORTOBJ_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "doc.h"
#include "gendoc.h"
#include "spool.h"

#define REPORTOBJ_FILE "report.yaml"

struct reportobj {
	char *release; /* the smallest release name of the docker-mailserver workloads, or NULL */
	char *ns;      /* that workload's metadata.namespace, or NULL */
};

/* Forget the release namespace's use noted by the last run. */
void reportobj_init(struct reportobj *ro);
void reportobj_free(struct reportobj *ro);

/* Object O of loaded document D is a docker-mailserver workload: note its
 * release (label app.kubernetes.io/instance, else release) and namespace. */
void reportobj_observe_workload(struct reportobj *ro, struct doc *d, const struct object *o);

/* True when D is a report ConfigMap an earlier run wrote (its Source, or
 * Helm 4 filename, is dms-postrender/report.yaml). */
bool reportobj_is(const struct doc *d);

/* The name of this run's report: "<release>-dms-postrender", the release
 * from the workloads or $ARGOCD_APP_NAME, else "dms-postrender". Its
 * namespace is ro->ns (NULL: none). */
void reportobj_name(const struct reportobj *ro, char *out, size_t len);

/* The release namespace (cfg->namespace_) went into a generated object, for
 * WHAT: say where it came from under --verbose, and in the reports. */
void reportobj_namespace_used(const struct config *cfg, const char *what);

/* Append the report ConfigMap; CHANGED and GENERATED are the run's counts
 * without it. Returns 0 or -1 (an I/O error, reported). */
int reportobj_write(const struct reportobj *ro, const struct config *cfg, struct gendoc_stream *g,
		    struct spool *out, size_t changed, size_t generated);

#endif
