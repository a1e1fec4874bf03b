/* patch.h -- the toolkit patches are written with. Patches edit the tree
 * only through the helpers below, which record each change (reported under
 * --verbose), refuse to overwrite values of the wrong type, and copy nodes
 * shared through YAML aliases before editing them so that an edit never
 * leaks into another place. It sits below the patches (harden, proxy,
 * hostnet, expose), which sit below the runner (runner.h) that calls them;
 * nothing here runs a patch or writes output. */
#ifndef DMSPR_PATCH_H
#define DMSPR_PATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "config.h"
#include "doc.h"
#include "envsrc.h"

#define PATCH_MAX_DMS 8 /* docker-mailserver containers handled per pod */

struct runner;
struct proxy;

/* What a patch sees: one object with at least one docker-mailserver
 * container. */
struct patch_ctx {
	struct runner *run;     /* the stream's runner (runner.c) */
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
	struct patch_note *notes; /* --verbose: the changes, printed grouped at the end */
	size_t nnotes;
};

/* One recorded change, for --verbose. */
struct patch_note {
	char *what; /* the object */
	char *path, *old, *new_;
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

/* The context's life, for the runner: fill x->what ("Deployment ns/name")
 * and x->pod_path from x->o; refuse an object with a duplicated key
 * (returns -1 after reporting it); mark the nodes shared through aliases;
 * and at the end mark the document changed when anything was edited and
 * release the alias map. */
void patch_describe(struct patch_ctx *x);
int patch_check_dup_keys(struct patch_ctx *x, int root);
void patch_find_shared(struct patch_ctx *x);
void patch_ctx_finish(struct patch_ctx *x);

#endif
