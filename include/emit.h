/* emit.h -- writes one chunk into the output spool: byte for byte when no
 * patch changed it, otherwise with the changes spliced into its text or,
 * re-emitting, its raw header (leading comments, "---", "# Source:" lines),
 * libyaml's serialisation of the edited tree, and its raw trailer (trailing
 * column-0 comments, "..."). It does not decide what changed. */
#ifndef DMSPR_EMIT_H
#define DMSPR_EMIT_H

#include "doc.h"
#include "spool.h"
#include "stream.h"
#include "util.h"

/* Copy a chunk unchanged. Returns 0 or -1 (reported). */
int emit_raw(struct spool *out, const struct chunk *c);

/* Write d: raw when !d->changed; else, when MINIMAL, its text with the
 * changes spliced in (splice.h); else, or when splicing is not safe,
 * re-serialised. Serialising consumes the node tree (libyaml's dumper
 * deletes it); d->loaded is cleared, and doc_free() stays safe. Returns 0,
 * -1 (reported), or -2 when the document must be written whole and holds the
 * non-specific tag '!', which no emitted text keeps (reported). */
int emit_doc(struct spool *out, struct doc *d, bool minimal);

/* Serialise document Y into B with unlimited width, unicode unescaped and
 * CRLF or LF line breaks. Consumes Y (libyaml's dumper deletes it, also
 * when it fails; its tags must be its own). Returns 0 or -1 (reported). */
int emit_document(struct buf *b, yaml_document_t *y, bool crlf);

/* Serialise d's tree (header and trailer excluded) into b, with unlimited
 * width, unicode unescaped and the chunk's line breaks. Consumes the tree as
 * emit_doc() does. Returns 0 or -1 (reported). */
int emit_tree(struct buf *b, struct doc *d);

#endif
