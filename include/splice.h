/* splice.h -- the minimal-diff writer. It compares a patched document's node
 * tree with the tree as parsed (doc.c's copy) and splices only the
 * differences into that text: keys inserted into block mappings at their
 * indentation, items appended to block sequences at their dash column,
 * scalars replaced in place, null or empty values turned into blocks, keys
 * and items removed with their lines. Every other byte (comments, blank
 * lines, quoting, indentation, CRLF) is kept. Where splicing is not safe
 * (flow collections, JSON, aliases, lines starting with a tab, unusual line
 * breaks) it rewrites the smallest enclosing block value, or gives the
 * document back to the re-emitter. The result is parsed again (its changed
 * parts, or the whole) and compared with the patched tree before it is used. It does not decide what to
 * change (the patches do) and does not write output (emit.c does). */
#ifndef DMSPR_SPLICE_H
#define DMSPR_SPLICE_H

#include "doc.h"
#include "util.h"

/* Splice d's edits into its chunk text, appending the whole new chunk
 * (header and trailer included) to OUT. Returns 0 on success; 1 when the
 * document must be re-emitted whole (the reason went to diag_note, OUT is
 * unchanged; an internal error is also a warning); -1 after reporting an
 * error. The tree is read, not consumed. */
int splice_doc(struct buf *out, struct doc *d);

/* Does TEXT (LEN bytes, one document) read as tree Y? The same node types,
 * tags (a loader's defaults for untagged nodes), scalar values, and a
 * string where Y has a string (a plain `true` is not the quoted "true";
 * an explicit !!str is a string), in order. No aliases. It costs one
 * event parse of TEXT and builds no tree; splice_doc() calls it on its
 * result. */
bool splice_reads_back(const char *text, size_t len, yaml_document_t *y);

/* Splices that did not read back as the patched tree, since the start of
 * the process. Each fell back to the re-emitter; tests and the fuzzer
 * require zero. */
unsigned long splice_mismatches(void);

#endif
