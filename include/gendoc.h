/* gendoc.h -- documents dms-postrender adds to the stream (MetalLB pools now;
 * PROXY-protocol ConfigMaps and policies later). They go at the very end,
 * after a newline and "---", each with a "# Source: dms-postrender/FILE"
 * line or, when the input came from Helm 4 (its documents carry
 * postrenderer.helm.sh/postrender-filename), that annotation instead (Helm 4
 * writes the "# Source:" line from it), with the stream's line breaks. Whether an object already exists is for the
 * generator to find out with gendoc_is() while documents go by. */
#ifndef DMSPR_GENDOC_H
#define DMSPR_GENDOC_H

#include <stdbool.h>

#include "doc.h"
#include "spool.h"

#define GENDOC_SOURCE_DIR "dms-postrender/"
#define GENDOC_FILENAME_KEY "postrenderer.helm.sh/postrender-filename"

/* What the stream looked like: Helm 4 annotations, CRLF line breaks. */
struct gendoc_stream {
	bool helm4;
	bool crlf;
	size_t generated; /* documents gendoc_write() appended */
};

/* Note what document D says about the stream's conventions. */
void gendoc_observe(struct gendoc_stream *g, const struct doc *d);

/* True when object O is API group GROUP (the apiVersion's part before '/';
 * "" for the core group, apiVersion v1), kind KIND, in namespace NS (NULL:
 * O has none), named NAME. */
bool gendoc_is(const struct object *o, const char *group, const char *kind, const char *ns, const char *name);

/* Append one document: apiVersion, kind, metadata (name, namespace unless
 * NS is NULL, and the Helm 4 annotation) and then BODY, YAML lines at the top level ending in
 * '\n' (e.g. "spec:\n  autoAssign: true\n"). FILE names it under
 * dms-postrender/. Returns 0 or -1 (an I/O error, reported). */
int gendoc_write(struct gendoc_stream *g, struct spool *out, const char *file, const char *api_version,
		 const char *kind, const char *ns, const char *name, const char *body);

#endif
