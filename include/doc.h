/* doc.h -- one document of the stream: its raw chunk, its libyaml node tree
 * and the identity of every Kubernetes object in it (the root, or each item
 * of a kind: List). It parses and describes; it never changes a document and
 * never writes output. */
#ifndef DMSPR_DOC_H
#define DMSPR_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "compose.h"
#include "stream.h"

/* A container of a pod template. Strings belong to the document's nodes. */
struct container {
	int node;             /* the container's mapping */
	const char *name;     /* NULL when absent or not a scalar */
	const char *image;
	bool init;            /* from initContainers */
};

/* One Kubernetes object. Strings belong to the document's nodes; they stay
 * valid until doc_free(), even across node additions. */
struct object {
	int node;                 /* the object's mapping */
	const char *api_version;  /* NULL when absent or not a scalar */
	const char *kind;
	const char *name;
	const char *namespace_;
	const char *filename;     /* Helm 4 postrenderer.helm.sh/postrender-filename */
	const char *hook;         /* its helm.sh/hook annotation: a Helm hook, never
				   * patched (Helm 4 sends hooks to post-renderers) */
	int pod_spec;             /* pod spec mapping of a workload, else 0 */
	struct container *containers;
	size_t ncontainers;
};

#define DOC_TEXTS 9
#define DOC_HOOK_KEY "helm.sh/hook"

/* Deepest nesting of mappings and sequences accepted in a document. */
#define DOC_MAX_DEPTH 1000

struct doc {
	const struct chunk *chunk; /* borrowed; outlives the doc */
	yaml_document_t y;
	bool loaded;               /* y holds a node tree (else it is zeroed and
				    * objects[0] comes from the event pass) */
	bool empty;                /* no root node: empty or comment-only */
	bool changed;              /* a patch edited y: emit must re-serialise */
	bool mentions_dms;         /* a decoded scalar holds "docker-mailserver" (an image
				    * that can match), seen while the kind was unknown,
				    * a workload's or a List's */
	bool env_switch;           /* a decoded mapping key names a DMS switch
				    * (ENABLE_*, SMTP_ONLY, PERMIT_DOCKER) */
	bool mail_port;            /* a port or targetPort value is a mail port
				    * (proxytext.c's table) or a targetPort a name */
	bool is_list;              /* the root is a kind: *List with items */
	bool reused_anchor;        /* an anchor name defined twice: the tree was
				    * loaded from a copy with the later ones
				    * renamed, so the text cannot be spliced */
	struct object *objects;
	size_t nobjects;
	int dup_key;               /* first duplicated key met on an identity
				    * path (root, metadata, spec, pod spec,
				    * containers), else 0 */
	size_t root_line;          /* 0-based line of the root in the chunk */
	yaml_document_t orig;      /* the node tree as parsed, before any patch:
				    * copies of the nodes and of their pair and
				    * item arrays (scalars are shared with y);
				    * nodes.start is NULL when there is none.
				    * splice.c compares y against it. */
	char *text[DOC_TEXTS];     /* identity strings of the event pass (owned) */
	struct compose_events events; /* the event pass's events, kept for
				    * doc_need_tree() while the kind is one
				    * whose tree a patch may read (or not yet
				    * known) and the document is not large */
};

/* Parse chunk c into d. Returns 0, or -1 after reporting a located error
 * (invalid YAML, a root that is not a mapping). Sets *memory_error when the
 * failure was running out of memory. On failure d needs no doc_free(). A
 * node tree is built only for the kinds patches read and for documents
 * with anchors, aliases or merge keys; otherwise d->loaded is false and
 * d->objects[0] holds the root object's identity (node 0). */
/* Parse chunk C (comment lines after the last document) only to check it:
 * what libyaml refuses in a document (invalid UTF-8, control characters)
 * is refused there too. Returns 0, or -1 after reporting. */
int doc_validate(const struct chunk *c, bool *memory_error);

int doc_load(struct doc *d, const struct chunk *c, bool *memory_error);

/* Build d's node tree now if doc_load() did not (a no-op for empty
 * documents): from the events doc_load() kept, else by parsing the text
 * again. Returns 0, or -1 after reporting. MEMORY_ERROR may be NULL. */
int doc_need_tree(struct doc *d, bool *memory_error);

/* A document held until the end of the stream, read again: its text was
 * validated by doc_load when it came by, so only the tree is built (and the
 * identities read from it). Returns 0, or -1 after reporting. */
int doc_load_held(struct doc *d, const struct chunk *c, bool *memory_error);

/* A rough count of the bytes D's tree takes (nodes, their copy for the
 * minimal-diff writer, scalar text), for budgets; 0 without a tree. */
size_t doc_memory(const struct doc *d);

/* Let go of D's node tree and its copy as parsed (after it was written);
 * the identities and the chunk stay, and doc_free() stays safe. */
void doc_drop_tree(struct doc *d);

/* Line in the stream (1-based) of a node, for messages. */
size_t doc_line(const struct doc *d, int node);

/* Under --verbose, one line per object: document number, kind, namespace,
 * name and line. */
void doc_note(const struct doc *d);

/* Release everything. Accepts a zeroed doc. */
void doc_free(struct doc *d);

/* Whether a patch or observer may read more than the identity of an object
 * of KIND: doc_load() keeps the events of such documents (and of those
 * whose kind comes late or never), so that their tree is built without a
 * second parse. A kind outside it still gets a tree on request. */
bool doc_kind_may_need_tree(const char *kind);

/* True for the workload kinds whose pod template doc.c understands. */
bool doc_is_workload_kind(const char *kind);

/* True for kinds ending in "List" (List, ConfigMapList, ...), whose items
 * are the objects. */
bool doc_is_list_kind(const char *kind);

/* Dot-separated path from a workload object to its pod spec
 * ("spec.template.spec"), or NULL for other kinds. */
const char *doc_pod_spec_path(const char *kind);

#endif
