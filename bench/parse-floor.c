/* parse-floor.c -- the benchmark's floor: parses stdin with libyaml's event
 * API and throws every event away. No tree, no output; whatever
 * dms-postrender costs beyond this is its own work. Exit 1 on a parse
 * error. Built with the same compiler flags as dms-postrender. */
#include <stdio.h>
#include <yaml.h>

int
main(void)
{
	yaml_parser_t p;
	yaml_event_t e;
	int done = 0, rc = 0;
	unsigned long events = 0;

	if (!yaml_parser_initialize(&p))
		return 1;
	yaml_parser_set_input_file(&p, stdin);
	while (!done) {
		if (!yaml_parser_parse(&p, &e)) {
			fprintf(stderr, "parse-floor: %s at line %zu\n", p.problem ? p.problem : "error",
				p.problem_mark.line + 1);
			rc = 1;
			break;
		}
		done = e.type == YAML_STREAM_END_EVENT;
		events++;
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&p);
	return rc || events == 0;
}
