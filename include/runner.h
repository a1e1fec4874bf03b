/* runner.h -- one stream's patch run: every document is observed as it
 * passes, those a decision needs are held (text in the stash, place in the
 * output as a slot), and at the end of the stream they are patched with the
 * whole stream known and written into their slots, so that any order of the
 * documents gives the same objects. */
#ifndef DMSPR_RUNNER_H
#define DMSPR_RUNNER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "doc.h"
#include "spool.h"

/* State for one stream. */
struct runner;

struct runner *runner_new(const struct config *cfg);
void runner_free(struct runner *r);

/* Observe document D (its ConfigMaps and Secrets, generated-object
 * look-alikes, the stream's conventions). Returns 0 when no patch depends on
 * it (write D now, unchanged), 1 when it is held for the end of the stream (a
 * docker-mailserver workload, a Service that may select one, a ConfigMap
 * under --proxy-protocol: a slot in OUT keeps its place; do not write D),
 * -1 after reporting a located error (EXIT_PATCH), or -2 after an I/O error
 * (EXIT_IO). */
int runner_document(struct runner *r, struct doc *d, struct spool *out);

/* End of stream: patch the held documents, workloads first, and write each
 * into its slot; append the generated documents; warn about selections that
 * matched nothing. Returns 0, or -1 after reporting an error (located:
 * EXIT_PATCH, else EXIT_IO). */
int runner_finish(struct runner *r, struct spool *out);

/* Held documents that were written changed, for the run's statistics. */
size_t runner_held_changed(const struct runner *r);

/* Documents appended at the end of the stream. */
size_t runner_generated(const struct runner *r);

#endif
