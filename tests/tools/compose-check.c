/* compose-check.c -- test oracle: splits stdin into documents as
 * dms-postrender does (stream.c) and checks that compose() over each
 * document's events builds the tree libyaml's loader builds from its text
 * (with the loader's explicit-!!str pass, ynode_keep_explicit_str). Prints
 * "compose-check: N documents, the same" and exits 0, or names the first
 * document that differs and exits 1. Documents the loader refuses (a
 * reused anchor name) or that do not parse are counted, not compared. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/docsame.h"
#include "compose.h"
#include "stream.h"
#include "ynode.h"

int
main(void)
{
	struct stream s;
	struct chunk c;
	size_t docs = 0, refused = 0;
	int r;
	stream_init_fd(&s, STDIN_FILENO, (size_t)1 << 30);
	while ((r = stream_next(&s, &c)) > 0) {
		if (c.index == 0)
			continue;
		yaml_parser_t p;
		yaml_event_t e;
		struct compose_events ev = {0};
		bool parsed = true;
		yaml_parser_initialize(&p);
		yaml_parser_set_input_string(&p, (const unsigned char *)c.data, c.len);
		for (bool done = false; !done;) {
			if (!yaml_parser_parse(&p, &e)) {
				parsed = false;
				break;
			}
			done = e.type == YAML_STREAM_END_EVENT;
			compose_keep(&ev, &e);
		}
		yaml_parser_delete(&p);
		yaml_document_t want, got;
		yaml_parser_initialize(&p);
		yaml_parser_set_input_string(&p, (const unsigned char *)c.data, c.len);
		bool loaded = parsed && yaml_parser_load(&p, &want);
		yaml_parser_delete(&p);
		if (!loaded) {
			refused++;
			compose_drop(&ev);
			continue;
		}
		ynode_keep_explicit_str(&want, c.data, c.len);
		struct compose_error err;
		bool reused;
		bool built = compose(&ev, &got, &reused, &err);
		bool same = built && same_document(&got, &want);
		yaml_document_delete(&want);
		if (built)
			compose_delete(&got);
		if (!same) {
			printf("compose-check: document %zu (line %zu) differs from the loader's tree\n", c.index,
			       c.first_line);
			return 1;
		}
		docs++;
	}
	stream_free(&s);
	if (r < 0) {
		printf("compose-check: the stream does not split\n");
		return 1;
	}
	printf("compose-check: %zu documents, the same (%zu refused by the loader, not compared)\n", docs, refused);
	return 0;
}
