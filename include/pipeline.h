/* pipeline.h -- the reader -> document -> writer loop over a whole stream,
 * as one function so that main(), the tests and a fuzz harness run exactly
 * the same code. It writes only into the spool, never to stdout. */
#ifndef DMSPR_PIPELINE_H
#define DMSPR_PIPELINE_H

#include <stddef.h>

#include "config.h"
#include "doc.h"
#include "diag.h"
#include "spool.h"
#include "stream.h"

struct run_stats {
	size_t documents;  /* documents in the stream, empty ones included */
	size_t empty;      /* empty or comment-only documents */
	size_t objects;    /* Kubernetes objects (List items counted singly) */
	size_t changed;    /* documents re-serialised */
	size_t generated;  /* documents appended (pipeline_run only) */
};

/* Run the stream through and collect the output in out. IN is freed
 * (stream_free) once read, before the held documents are patched. Returns
 * EXIT_OK, or the exit code of the first error after reporting it; out then
 * holds a partial result that must not be committed. */
enum exit_code pipeline_run(const struct config *cfg, struct stream *in, struct spool *out,
			    struct run_stats *st);

/* The same with EDIT called on every loaded document instead of the patch
 * runner (tests use it to force re-serialisation). EDIT returns 0 (write the
 * document), 1 (EDIT took it and will write it into a spool slot), or -1
 * after reporting an error (the run then ends with EXIT_PATCH), or -2 after
 * reporting an I/O error (EXIT_IO). */
typedef int (*pipeline_edit_fn)(struct doc *d, struct spool *out, void *arg);
enum exit_code pipeline_run_edit(const struct config *cfg, struct stream *in, struct spool *out,
				 struct run_stats *st, pipeline_edit_fn edit, void *arg);

#endif
