/* kpatch.h -- the kustomize patches that turn one Kubernetes object (tree A,
 * as the render had it) into another (tree B, as a run writes it): a
 * strategic-merge patch for everything kustomize's merge reproduces exactly,
 * and JSON6902 operations for the items a run appends to a keyed list
 * (kustomize's merge would put them first). Scalars are copied with their
 * style and tag, so kustomize reads a patched value as it reads the object.
 * What neither form can say exactly is refused with the reason. It knows
 * nothing of streams, files or targets. */
#ifndef DMSPR_KPATCH_H
#define DMSPR_KPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

struct kpatch {
	yaml_document_t smp; /* apiVersion, kind, metadata.name (and namespace)
			      * of B, then the changes */
	yaml_document_t ops; /* a sequence of JSON6902 operations, "test" ones
			      * guarding every list index they pass through */
	bool has_smp;        /* the strategic-merge patch changes something */
	bool has_ops;
};

/* The object whose tree is patched: its apiVersion and kind decide which
 * lists kustomize merges by key (the workloads' pod spec, a Service's
 * ports); POD_SPEC is B's pod spec mapping, or 0. */
struct kpatch_object {
	const char *api_version;
	const char *kind;
	int pod_spec;
};

/* Build the patches turning node AN of A into node BN of B (both mappings).
 * Returns 0 with P filled (free it with kpatch_free), or -1 with WHY set to
 * what cannot be expressed and where (P then needs no kpatch_free). */
int kpatch_build(yaml_document_t *a, int an, yaml_document_t *b, int bn, const struct kpatch_object *obj,
		 struct kpatch *p, char *why, size_t whylen);

void kpatch_free(struct kpatch *p);

#endif
