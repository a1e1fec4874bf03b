/* emit.c -- the writer side of the pipeline. Unchanged documents are copied
 * as they came. Changed ones go through splice.c (only the changed lines
 * differ) or, with --format reemit or where splicing is not safe, keep their
 * comment header and trailer around a libyaml dump of the edited tree
 * (comments inside the body are then lost: libyaml has no comment model). */
#include "emit.h"

#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "diag.h"
#include "splice.h"
#include "util.h"
#include "ynode.h"

int
emit_raw(struct spool *out, const struct chunk *c)
{
	return spool_write(out, c->data, c->len);
}

static int
to_buf(void *data, unsigned char *buffer, size_t size)
{
	buf_add(data, buffer, size);
	return 1;
}

/* The raw header already holds any %YAML/%TAG lines and the "---"; the dump
 * must not print them a second time. libyaml allocates with malloc. */
static void
drop_directives(yaml_document_t *y)
{
	if (y->version_directive) {
		free(y->version_directive);
		y->version_directive = NULL;
	}
	for (yaml_tag_directive_t *t = y->tag_directives.start; t && t < y->tag_directives.end; t++) {
		free(t->handle);
		free(t->prefix);
	}
	free(y->tag_directives.start);
	y->tag_directives.start = y->tag_directives.end = NULL;
	y->start_implicit = 1;
	y->end_implicit = 1;
}

int
emit_document(struct buf *b, yaml_document_t *y, bool crlf)
{
	yaml_emitter_t e;
	int rc = -1;

	if (!yaml_emitter_initialize(&e)) {
		diag_error("out of memory initialising the YAML emitter");
		yaml_document_delete(y);
		return -1;
	}
	yaml_emitter_set_output(&e, to_buf, b);
	yaml_emitter_set_width(&e, -1);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_indent(&e, 2);
	yaml_emitter_set_break(&e, crlf ? YAML_CRLN_BREAK : YAML_LN_BREAK);
	if (!yaml_emitter_dump(&e, y) || !yaml_emitter_close(&e) || !yaml_emitter_flush(&e)) {
		diag_error("cannot serialise the patched document: %s", e.problem ? e.problem : "emitter error");
		goto out;
	}
	rc = 0;
out:
	yaml_emitter_delete(&e);
	return rc;
}

int
emit_tree(struct buf *b, struct doc *d)
{
	drop_directives(&d->y);
	ynode_flow_nulls(&d->y);
	/* yaml_emitter_dump deletes the document even when it fails, tags
	 * included: compose()'s shared ones become copies first. */
	compose_own_tags(&d->y);
	d->loaded = false;
	return emit_document(b, &d->y, d->chunk->crlf);
}

static bool
ends_with(const struct buf *b, const char *s)
{
	size_t n = strlen(s);
	return b->len >= n && memcmp(b->data + b->len - n, s, n) == 0;
}

/* Tags a document written again whole must not hold. The non-specific tag
 * "!": Go's yaml.v2 (Helm 3, kubectl) reads "! 2" as the string "2", yaml.v3
 * (Helm 4, kustomize) and PyYAML as the number 2, and libyaml's emitter
 * writes "!<%21>", which none reads as the input. A tag with ',', '[' or ']'
 * after its handle, which libyaml's emitter writes as a shorthand that its
 * own reader rejects (ynode.h). False after reporting. */
#define WHOLE_WHY "this document is written whole (--format reemit, aliases, JSON or a layout that cannot be spliced)"
static bool
tag_ok(const struct doc *d, int id, const yaml_node_t *n)
{
	if (n->tag && strcmp((const char *)n->tag, "!") == 0) {
		diag_error_at(doc_line(d, id), 0,
			      "the non-specific tag '!' cannot be written again without changing what it means: "
			      "Helm 3 and kubectl (Go's yaml.v2) read '! 2' as the string \"2\", Helm 4, kustomize "
			      "and PyYAML as the number 2; " WHOLE_WHY ", so drop the tag or quote the value");
		return false;
	}
	if (ynode_tag_needs_verbatim((const char *)n->tag)) {
		diag_error_at(doc_line(d, id), 0,
			      "the tag '%s' cannot be written again: libyaml would write it as a shorthand with "
			      "',', '[' or ']', which its own reader rejects; " WHOLE_WHY ", so drop the tag or "
			      "rename it without those characters",
			      (const char *)n->tag);
		return false;
	}
	return true;
}

/* Only the nodes the dump writes count (ynode_reachable), checked in
 * document order so that the first offending tag in the text is named. */
static bool
tags_ok(struct doc *d)
{
	size_t nnodes = (size_t)(d->y.nodes.top - d->y.nodes.start);
	unsigned char *seen = ynode_reachable(&d->y);
	bool ok = true;
	for (size_t id = 1; ok && id <= nnodes; id++)
		if (seen[id])
			ok = tag_ok(d, (int)id, ynode_at(&d->y, (int)id));
	free(seen);
	return ok;
}

int
emit_doc(struct spool *out, struct doc *d, bool minimal)
{
	const struct chunk *c = d->chunk;
	struct buf body = {0};
	int rc = -1;

	if (!d->changed)
		return emit_raw(out, c);
	if (!d->loaded) {
		diag_error("internal error: document %zu marked changed without a node tree", c->index);
		return -1;
	}
	if (minimal) {
		int r = splice_doc(&body, d);
		if (r < 0)
			goto out;
		if (r == 0) {
			/* The tree has served (the splice read its text back against
			 * it): let it go before the text is copied on, so that a large
			 * document is not held three times over. */
			doc_drop_tree(d);
			rc = spool_write(out, body.data, body.len);
			goto out;
		}
	}
	if (!tags_ok(d)) {
		rc = -2;
		goto out;
	}
	if (emit_tree(&body, d) != 0)
		goto out;
	/* After a "|+" scalar libyaml closes the document with "..."; the raw
	 * trailer brings its own when the input had one. */
	if (c->has_end_marker) {
		if (ends_with(&body, "...\r\n"))
			body.len -= 5;
		else if (ends_with(&body, "...\n"))
			body.len -= 4;
	}
	/* A header without a final line break (a lone "---" at EOF cannot be
	 * changed, so this is only defensive) must not glue onto the body. A
	 * byte order mark that opened the content stays in front of it. */
	bool bom = c->len - c->header_len >= 3 && memcmp(c->data + c->header_len, "\xEF\xBB\xBF", 3) == 0;
	if (spool_write(out, c->data, c->header_len) != 0 ||
	    (c->header_len && c->data[c->header_len - 1] != '\n' &&
	     spool_write(out, c->crlf ? "\r\n" : "\n", c->crlf ? 2 : 1) != 0) ||
	    (bom && spool_write(out, "\xEF\xBB\xBF", 3) != 0) || spool_write(out, body.data, body.len) != 0 ||
	    spool_write(out, c->data + c->trailer_start, c->len - c->trailer_start) != 0)
		goto out;
	rc = 0;
out:
	buf_free(&body);
	return rc;
}
