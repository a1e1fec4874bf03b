/* reemit.c -- test tool: runs stdin through the same reader, document model
 * and writer as dms-postrender, but marks every document changed, so the
 * re-serialisation path is exercised on whole real streams. Compare its
 * output with the input through yaml-events: the data must be identical. */
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "doc.h"
#include "emit.h"
#include "spool.h"
#include "stream.h"

int
main(void)
{
	struct stream in;
	struct spool out;
	struct chunk c;
	struct doc d;
	int r, rc = 1;
	bool mem;

	stream_init_fd(&in, STDIN_FILENO, 256u << 20);
	spool_init(&out, 1u << 20);
	while ((r = stream_next(&in, &c)) > 0) {
		if (c.index == 0) {
			if (emit_raw(&out, &c) != 0)
				goto out;
			continue;
		}
		diag_set_document(c.index, c.source, c.source_len);
		if (doc_load(&d, &c, &mem) != 0)
			goto out;
		d.changed = !d.empty;
		r = emit_doc(&out, &d);
		doc_free(&d);
		if (r != 0)
			goto out;
	}
	if (r == 0 && spool_commit(&out, STDOUT_FILENO) == 0)
		rc = 0;
out:
	spool_free(&out);
	stream_free(&in);
	return rc;
}
