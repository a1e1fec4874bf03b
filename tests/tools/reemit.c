/* reemit.c -- test tool: runs stdin through dms-postrender's own pipeline
 * with every non-empty document marked changed instead of patched, so the
 * re-serialisation path is exercised on whole real streams. Compare its
 * output with the input through yaml-events: the data must be identical.
 * With --minimal the documents go through the minimal-diff writer instead,
 * which, given no edits, must give every document back byte for byte
 * (--verbose names the ones it re-emits whole: aliases, tabs). */
#include <string.h>
#include <unistd.h>

#include "diag.h"

#include "config.h"
#include "pipeline.h"
#include "spool.h"
#include "stream.h"

static int
mark_changed(struct doc *d, struct spool *out, void *arg)
{
	(void)out;
	(void)arg;
	if (doc_need_tree(d, NULL) != 0)
		return -1;
	d->changed = !d->empty;
	return 0;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct stream in;
	struct spool out;
	struct run_stats st;
	int rc = 1;

	config_init(&cfg);
	cfg.max_document_size = 256u << 20;
	cfg.allow_empty = true;
	cfg.format = FORMAT_REEMIT;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--minimal") == 0)
			cfg.format = FORMAT_MINIMAL;
		else if (strcmp(argv[i], "--verbose") == 0)
			diag_set_verbose(true);
	}
	stream_init_fd(&in, STDIN_FILENO, cfg.max_document_size);
	spool_init(&out, 1u << 20);
	if (pipeline_run_edit(&cfg, &in, &out, &st, mark_changed, NULL) == EXIT_OK &&
	    spool_commit(&out, STDOUT_FILENO) == 0)
		rc = 0;
	spool_free(&out);
	stream_free(&in);
	config_free(&cfg);
	return rc;
}
