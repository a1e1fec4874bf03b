/* pipeline.c -- drives one run: next chunk, load and describe it, (patches
 * will edit it here), write it. It stops at the first error and leaves the
 * choice of what reaches stdout to main(). */
#include "pipeline.h"

#include <string.h>

#include "doc.h"
#include "emit.h"

static void
note_document(const struct doc *d)
{
	if (!diag_verbose())
		return;
	for (size_t i = 0; i < d->nobjects; i++) {
		const struct object *o = &d->objects[i];
		diag_note("document %zu%s: %s %s%s%s (line %zu, %zu container%s)", d->chunk->index,
			  d->is_list ? " (List item)" : "", o->kind ? o->kind : "<no kind>",
			  o->namespace_ ? o->namespace_ : "", o->namespace_ ? "/" : "",
			  o->name ? o->name : "<no name>", doc_line(d, o->node), o->ncontainers,
			  o->ncontainers == 1 ? "" : "s");
	}
}

enum exit_code
pipeline_run(const struct config *cfg, struct stream *in, struct spool *out, struct run_stats *st)
{
	struct chunk c;
	struct doc d;
	int r;

	memset(st, 0, sizeof(*st));
	memset(&d, 0, sizeof(d));
	while ((r = stream_next(in, &c)) > 0) {
		if (c.index == 0) { /* trailing comments: no document */
			if (emit_raw(out, &c) != 0)
				return EXIT_IO;
			continue;
		}
		diag_set_document(c.index, c.source, c.source_len);
		st->documents++;
		bool memory_error;
		if (doc_load(&d, &c, &memory_error) != 0)
			return memory_error ? EXIT_IO : EXIT_INPUT;
		if (d.empty)
			st->empty++;
		st->objects += d.nobjects;
		note_document(&d);
		if (d.changed)
			st->changed++;
		r = emit_doc(out, &d);
		doc_free(&d);
		if (r != 0)
			return EXIT_IO;
	}
	diag_set_document(0, NULL, 0);
	if (r < 0)
		return in->io_error ? EXIT_IO : EXIT_INPUT;
	if (st->documents == st->empty && !cfg->allow_empty) {
		diag_error("the input holds no Kubernetes documents; refusing to write an empty stream "
			   "(Argo CD would prune every resource). Check the command before the pipe, "
			   "or pass --allow-empty");
		return EXIT_EMPTY;
	}
	diag_note("%zu documents (%zu empty), %zu objects, %zu changed", st->documents, st->empty,
		  st->objects, st->changed);
	return EXIT_OK;
}
