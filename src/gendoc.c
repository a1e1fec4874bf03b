/* gendoc.c -- writes the documents dms-postrender generates at the end of the
 * output, in the stream's conventions (Helm 3 "# Source:" line, Helm 4
 * filename annotation, CRLF). It builds text only from values the caller
 * has validated (names, CIDRs); it decides nothing about what to generate. */
#include "gendoc.h"

#include <stdio.h>
#include <string.h>

#include "report.h"
#include "util.h"
#include "yscalar.h"

void
gendoc_observe(struct gendoc_stream *g, const struct doc *d)
{
	if (d->empty)
		return;
	g->crlf = d->chunk->crlf;
	for (size_t i = 0; i < d->nobjects && !g->helm4; i++)
		g->helm4 = d->objects[i].filename != NULL;
}

bool
gendoc_is(const struct object *o, const char *group, const char *kind, const char *ns, const char *name)
{
	size_t n = strlen(group);
	bool same_ns = ns ? o->namespace_ && strcmp(o->namespace_, ns) == 0 : !o->namespace_;
	bool same_group = o->api_version && (n ? strncmp(o->api_version, group, n) == 0 && o->api_version[n] == '/'
					       : strcmp(o->api_version, "v1") == 0);
	return o->kind && strcmp(o->kind, kind) == 0 && o->name && strcmp(o->name, name) == 0 && same_ns && same_group;
}

int
gendoc_write(struct gendoc_stream *g, struct spool *out, const char *file, const char *api_version,
	     const char *kind, const char *ns, const char *name, const char *body)
{
	struct buf b = {0};
	char line[512];
	int last = spool_last_byte(out);
	if (last >= 0 && last != '\n')
		buf_adds(&b, "\n");
	/* Helm 4 writes its own "# Source:" line from the filename annotation
	 * and keeps ours as a comment: one of them, not two. */
	buf_adds(&b, "---\n");
	if (!g->helm4) {
		snprintf(line, sizeof(line), "# Source: " GENDOC_SOURCE_DIR "%s\n", file);
		buf_adds(&b, line);
	}
	/* Names and namespaces come from options and from the input: strings,
	 * quoted where a reader would take them for something else. */
	snprintf(line, sizeof(line), "apiVersion: %s\nkind: %s\nmetadata:\n  name: ", api_version, kind);
	buf_adds(&b, line);
	yscalar_append(&b, name);
	buf_adds(&b, "\n");
	if (ns) {
		buf_adds(&b, "  namespace: ");
		yscalar_append(&b, ns);
		buf_adds(&b, "\n");
	}
	if (g->helm4) {
		snprintf(line, sizeof(line), "  annotations:\n    " GENDOC_FILENAME_KEY ": " GENDOC_SOURCE_DIR "%s\n",
			 file);
		buf_adds(&b, line);
	}
	buf_adds(&b, body);
	int rc = 0;
	if (g->crlf) {
		/* Write line by line with CRLF breaks. */
		const char *p = b.data, *end = b.data + b.len;
		while (rc == 0 && p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			rc = spool_write(out, p, n);
			if (rc == 0 && nl)
				rc = spool_write(out, "\r\n", 2);
			p += n + (nl != NULL);
		}
	} else {
		rc = spool_write(out, b.data, b.len);
	}
	buf_free(&b);
	g->generated += rc == 0;
	if (rc == 0) {
		snprintf(line, sizeof(line), GENDOC_SOURCE_DIR "%s", file);
		report_generated(kind, ns, name, line);
	}
	return rc;
}
