/* patch.h -- the patch runner and the toolkit patches are written with.
 * patch_document() finds the docker-mailserver containers of each object
 * and runs every registered patch that applies; patches edit the tree only
 * through the helpers below, which record each change (reported under
 * --verbose), refuse to overwrite values of the wrong type, and copy nodes
 * shared through YAML aliases before editing them so that an edit never
 * leaks into another place. Nothing here writes output. */
#ifndef DMSPR_PATCH_H
#define DMSPR_PATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "config.h"
#include "doc.h"
#include "envsrc.h"
#include "spool.h"

#define PATCH_MAX_DMS 8 /* docker-mailserver containers handled per pod */

/* State for one stream. */
struct patch_run;
struct proxy;

struct patch_run *patch_run_new(const struct config *cfg);
void patch_run_free(struct patch_run *r);

/* Record the document's ConfigMaps/Secrets, then patch its objects. Sets
 * d->changed when anything was edited. Returns 0 (write d now), 1 (d is a
 * mail Service whose workload has not been seen yet, or a ConfigMap such a
 * workload may mount: a slot in OUT keeps its place and the run fills it
 * later; do not write d), -1 after reporting a
 * located error (the run must stop with EXIT_PATCH), or -2 after reporting
 * an I/O error (EXIT_IO). */
int patch_document(struct patch_run *r, struct doc *d, struct spool *out);

/* End of stream: write the Services still held, unchanged, into their
 * slots, append the generated documents, and warn about selections that
 * matched nothing. Returns 0 or -1. */
int patch_finish(struct patch_run *r, struct spool *out);

/* Held Services that were patched (written into their slots changed), for
 * the run's statistics. */
size_t patch_held_changed(const struct patch_run *r);

/* Documents appended at the end of the stream. */
size_t patch_generated(const struct patch_run *r);

/* What a patch sees: one object with at least one docker-mailserver
 * container. */
struct patch_ctx {
	struct patch_run *run;
	const struct config *cfg;
	struct envsrc *env;
	struct proxy *proxy;     /* --proxy-protocol state (proxy.c) */
	struct doc *d;
	yaml_document_t *y;
	struct object *o;
	const char *patch;       /* the running patch's name, for the report */
	char what[192];          /* "Deployment mail/mailserver", for messages */
	char pod_path[64];       /* "spec.template.spec" */
	size_t dms[PATCH_MAX_DMS]; /* indices into o->containers */
	size_t ndms;
	unsigned char *shared;   /* per node: referenced more than once */
	size_t nshared;          /* nodes covered by shared[]; later ones are ours */
	size_t norig;            /* nodes the document had before any patch */
	size_t changes;
	size_t hardened;         /* containers the hardening patch handled */
};

/* True when container C is docker-mailserver's under cfg (--container
 * names, else the image matcher plus --image patterns). Init containers
 * never are. */
bool patch_is_dms_container(const struct config *cfg, const struct container *c);

/* Report an error located at NODE and return -1. */
int patch_error(struct patch_ctx *x, int node, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A warning located at NODE (0: at the object). */
void patch_warn(struct patch_ctx *x, int node, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Record one change at PATH (old text NULL: it was absent); printed under
 * --verbose as "PATH: OLD -> NEW". */
void patch_changed(struct patch_ctx *x, const char *path, const char *old, const char *new_);

/* The mapping (WANT_MAP) or sequence under KEY of mapping PARENT, made ours:
 * created when absent or null, copied when shared through an alias. PATH
 * names PARENT.KEY for messages. Returns 0 after reporting an error when KEY
 * holds a value of another type; returns 0 quietly when CREATE is false and
 * KEY is absent or null. */
int patch_own(struct patch_ctx *x, int parent, const char *key, bool want_map, bool create,
	      const char *path);

/* Item I of sequence SEQ (already ours), copied first when shared. */
int patch_own_item(struct patch_ctx *x, int seq, size_t i);

/* Set KEY of mapping MAP (already ours) to scalar VALUE with STYLE, and
 * record it; PATH names MAP.KEY. */
void patch_set(struct patch_ctx *x, int map, const char *key, const char *value, yaml_scalar_style_t style,
	       const char *path);

/* The pod spec of x->o, made ours along its whole path (x->pod_path) and
 * stored in x->o->pod_spec. Returns its node, or 0 after reporting an
 * error (missing, or of the wrong type). */
int patch_own_pod_spec(struct patch_ctx *x);

/* Make container IDX of x->o (a regular container of pod spec POD) ours,
 * updating its node. Returns 0, or -1 after reporting an error. */
int patch_own_container(struct patch_ctx *x, int pod, size_t idx);

/* Text of a scalar for messages: its value, "(absent)", or "(a mapping)". */
const char *patch_text(struct patch_ctx *x, int node);

/* YAML 1.1 booleans as Kubernetes' YAML decoder reads them: 1 true, 0 false,
 * -1 not a boolean (quoted, or other text). */
int patch_bool(struct patch_ctx *x, int node);

#endif
