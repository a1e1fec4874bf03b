/* pipeline.c -- drives one run: next chunk, load and describe it, let the
 * patches edit it, write it. It stops at the first error and leaves the
 * choice of what reaches stdout to main(). */
#include "pipeline.h"

#include <string.h>

#include "doc.h"
#include "emit.h"
#include "runner.h"

static int
run_patches(struct doc *d, struct spool *out, void *arg)
{
	return runner_document(arg, d, out);
}

enum exit_code
pipeline_run(const struct config *cfg, struct stream *in, struct spool *out, struct run_stats *st)
{
	struct runner *patches = runner_new(cfg);
	enum exit_code status = pipeline_run_edit(cfg, in, out, st, run_patches, patches);
	/* The input is read: its buffer (as large as the largest document, and
	 * then some) goes before the held documents are patched. */
	stream_free(in);
	if (status == EXIT_OK && runner_finish(patches, out) != 0)
		status = diag_failed() ? EXIT_PATCH : EXIT_IO;
	if (status == EXIT_OK) {
		st->changed += runner_held_changed(patches);
		st->generated = runner_generated(patches);
		diag_note("%zu documents (%zu empty), %zu objects, %zu changed, %zu generated", st->documents,
			  st->empty, st->objects, st->changed, st->generated);
	}
	runner_free(patches);
	return status;
}

enum exit_code
pipeline_run_edit(const struct config *cfg, struct stream *in, struct spool *out, struct run_stats *st,
		  pipeline_edit_fn edit, void *arg)
{
	struct chunk c;
	struct doc d;
	int r;

	enum exit_code status = EXIT_OK;

	memset(st, 0, sizeof(*st));
	memset(&d, 0, sizeof(d));
	while ((r = stream_next(in, &c)) > 0) {
		if (c.index == 0) { /* trailing comments: no document */
			bool memory_error;
			diag_set_document(st->documents, NULL, 0);
			if (doc_validate(&c, &memory_error) != 0) {
				status = memory_error ? EXIT_IO : EXIT_INPUT;
				goto out;
			}
			if (emit_raw(out, &c) != 0) {
				status = EXIT_IO;
				goto out;
			}
			continue;
		}
		diag_set_document(c.index, c.source, c.source_len);
		st->documents++;
		bool memory_error;
		if (doc_load(&d, &c, &memory_error) != 0) {
			status = memory_error ? EXIT_IO : EXIT_INPUT;
			goto out;
		}
		if (d.empty)
			st->empty++;
		st->objects += d.nobjects;
		int taken = edit(&d, out, arg);
		if (taken < 0) {
			doc_free(&d);
			status = taken == -2 ? EXIT_IO : EXIT_PATCH;
			goto out;
		}
		if (taken) {
			doc_free(&d);
			continue;
		}
		if (d.changed)
			st->changed++;
		r = emit_doc(out, &d, cfg->format == FORMAT_MINIMAL);
		doc_free(&d);
		if (r != 0) {
			status = r == -2 ? EXIT_PATCH : EXIT_IO;
			goto out;
		}
	}
	diag_set_document(0, NULL, 0);
	if (r < 0) {
		status = in->io_error ? EXIT_IO : EXIT_INPUT;
		goto out;
	}
	if (st->documents == st->empty && cfg->allow_empty) {
		/* Under Helm an empty stream means 'helm template --output-dir',
		 * whose files Helm wrote before post-rendering: say so where the
		 * person looks. */
		if (diag_client_active())
			diag_warn("--allow-empty: the input holds no Kubernetes documents, so nothing was patched; "
				  "'helm template --output-dir' sends a post-renderer an empty stream (Helm writes the "
				  "files before post-rendering), so the files it wrote are not patched: drop --output-dir "
				  "and redirect stdout instead");
		else
			diag_note("--allow-empty: the input holds no Kubernetes documents; passed through, nothing patched");
	}
	if (st->documents == st->empty && !cfg->allow_empty) {
		diag_error("the input holds no Kubernetes documents; refusing to write an empty stream "
			   "(Helm would install or upgrade to an empty release, Argo CD would prune every "
			   "resource). 'helm template --output-dir' sends a post-renderer an empty stream "
			   "(Helm writes the files before post-rendering): drop --output-dir and redirect "
			   "stdout instead; otherwise check the command before the pipe");
		status = EXIT_EMPTY;
		goto out;
	}
out:
	return status;
}
