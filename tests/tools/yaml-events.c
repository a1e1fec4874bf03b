/* yaml-events.c -- test oracle: prints the libyaml event stream of stdin in
 * the yaml-test-suite style (+DOC, +MAP, =VAL :plain, =VAL 'quoted, ...),
 * normalised so that two texts with the same data print the same lines:
 * anchor names, collection styles and quoting flavours are not shown, but
 * plain versus quoted is (it decides a scalar's type). */
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

static void
put_scalar(const yaml_event_t *e)
{
	const unsigned char *v = e->data.scalar.value;
	putchar(e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? ':' : '\'');
	for (size_t i = 0; i < e->data.scalar.length; i++) {
		switch (v[i]) {
		case '\n': fputs("\\n", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		default: putchar(v[i]);
		}
	}
}

int
main(void)
{
	yaml_parser_t p;
	yaml_event_t e;
	int done = 0, rc = 0;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, stdin);
	while (!done) {
		if (!yaml_parser_parse(&p, &e)) {
			fprintf(stderr, "yaml-events: %s at line %zu\n", p.problem ? p.problem : "error",
				p.problem_mark.line + 1);
			rc = 1;
			break;
		}
		switch (e.type) {
		case YAML_STREAM_START_EVENT: puts("+STR"); break;
		case YAML_STREAM_END_EVENT: puts("-STR"); done = 1; break;
		case YAML_DOCUMENT_START_EVENT: puts("+DOC"); break;
		case YAML_DOCUMENT_END_EVENT: puts("-DOC"); break;
		case YAML_MAPPING_START_EVENT:
			printf("+MAP%s%s\n", e.data.mapping_start.tag ? " <" : "",
			       e.data.mapping_start.tag ? (char *)e.data.mapping_start.tag : "");
			break;
		case YAML_MAPPING_END_EVENT: puts("-MAP"); break;
		case YAML_SEQUENCE_START_EVENT:
			printf("+SEQ%s%s\n", e.data.sequence_start.tag ? " <" : "",
			       e.data.sequence_start.tag ? (char *)e.data.sequence_start.tag : "");
			break;
		case YAML_SEQUENCE_END_EVENT: puts("-SEQ"); break;
		case YAML_SCALAR_EVENT:
			fputs("=VAL ", stdout);
			if (e.data.scalar.tag && !e.data.scalar.plain_implicit && !e.data.scalar.quoted_implicit)
				printf("<%s> ", (char *)e.data.scalar.tag);
			put_scalar(&e);
			putchar('\n');
			break;
		case YAML_ALIAS_EVENT: puts("=ALI"); break;
		default: break;
		}
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&p);
	if (fflush(stdout) != 0)
		rc = 1;
	return rc;
}
