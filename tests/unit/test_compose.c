/* test_compose.c -- unit tests for compose.c: the tree built from recorded
 * events must be the one libyaml's loader builds from the same text (node
 * order, types, tags, styles, values, marks, pairs, items, the document's
 * directives and flags), for texts with every construct Kubernetes input
 * can hold; plus the three documented differences (a reused anchor name, an
 * explicit !!str, a scalar's non-specific tag "!") and the undefined-alias
 * error. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compose.h"
#include "docsame.h"

/* The events of TEXT kept in EV; false when it does not parse. */
static bool
record(const char *text, struct compose_events *ev)
{
	yaml_parser_t p;
	yaml_event_t e;
	bool ok = true;
	memset(ev, 0, sizeof(*ev));
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
	for (bool done = false; !done;) {
		if (!yaml_parser_parse(&p, &e)) {
			ok = false;
			break;
		}
		done = e.type == YAML_STREAM_END_EVENT;
		compose_keep(ev, &e);
	}
	yaml_parser_delete(&p);
	return ok;
}

/* compose() over TEXT's events gives the loader's tree. */
static bool
like_loader(const char *text)
{
	struct compose_events ev;
	struct compose_error err;
	yaml_document_t got, want;
	yaml_parser_t p;
	bool reused, same = false;
	if (!record(text, &ev)) {
		compose_drop(&ev);
		return false;
	}
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
	bool loaded = yaml_parser_load(&p, &want);
	yaml_parser_delete(&p);
	bool built = compose(&ev, &got, &reused, &err);
	if (loaded && built)
		same = same_document(&got, &want) && !reused;
	if (loaded)
		yaml_document_delete(&want);
	if (built)
		compose_delete(&got);
	return same;
}

int
main(void)
{
	static const struct {
		const char *what, *text;
	} cases[] = {
		{"a block mapping with nested blocks",
		 "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mail\nspec:\n  template:\n    spec:\n"
		 "      containers:\n      - name: mail\n        image: docker-mailserver\n        ports: [25, 465]\n"},
		{"every scalar style", "a: plain\nb: 'single'\nc: \"double\\n\"\nd: |\n  literal\n  text\ne: >-\n  folded\n  text\n"
				       "f:\ng: ~\n"},
		{"flow collections and empty ones", "{a: [1, {b: c}], d: [], e: {}, f: [[]]}\n"},
		{"explicit tags, the non-specific tag on a collection and a %TAG handle",
		 "%TAG !k! tag:example.com,2000:\n--- !!map\na: !!int 1\nb: ! [2]\nc: !k!x y\nd: !<tag:yaml.org,2002:seq> [x]\n"},
		{"a %YAML directive and an explicit end", "%YAML 1.1\n---\na: b\n...\n"},
		{"anchors and aliases, also as keys and in a merge",
		 "base: &b {x: 1}\nother:\n  <<: *b\n  y: &s str\nlist: [*s, *b]\n? *s\n: keyed\n"},
		{"a complex key and an explicit null value", "? [a, b]\n: c\n? d\n"},
		{"an indentless sequence and comments", "# head\nl:\n- a # one\n- b\n\n# tail\nm: n\n"},
		{"a document of one scalar", "just text\n"},
		{"multi-byte text and CRLF line breaks", "k\xc3\xa4y: v\xc3\xa4lue\r\nl:\r\n  - x\r\n"},
		{"a long sequence (arrays grow past any initial size)",
		 "l: [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33]\n"},
	};
	char name[160];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "compose builds the loader's tree: %s", cases[i].what);
		CHECK(name, like_loader(cases[i].text));
	}

	/* A reused anchor name: the loader refuses it; YAML 1.2 (and Go's
	 * parser) take the later node from there on. */
	struct compose_events ev;
	struct compose_error err;
	yaml_document_t d;
	bool reused = false;
	CHECK("a reused anchor name parses as events", record("a: &x 1\nb: &x 2\nc: *x\n", &ev));
	bool built = compose(&ev, &d, &reused, &err);
	CHECK("... composes, and says so", built && reused);
	if (built) {
		yaml_node_t *root = &d.nodes.start[0];
		int c = root->data.mapping.pairs.start[2].value;
		CHECK("... and its alias is the later node",
		      !strcmp((const char *)d.nodes.start[c - 1].data.scalar.value, "2"));
		compose_delete(&d);
	}

	/* !!str on a plain text that would not read back as a string. */
	CHECK("an explicit !!str parses", record("a: !!str 1\nb: !!str x\nc: 1\n", &ev));
	built = compose(&ev, &d, &reused, &err);
	CHECK("... composes", built);
	if (built) {
		yaml_node_pair_t *p = d.nodes.start[0].data.mapping.pairs.start;
		CHECK("... '!!str 1' is kept double-quoted",
		      d.nodes.start[p[0].value - 1].data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE);
		CHECK("... '!!str x' stays plain", d.nodes.start[p[1].value - 1].data.scalar.style == YAML_PLAIN_SCALAR_STYLE);
		CHECK("... an untagged 1 stays plain", d.nodes.start[p[2].value - 1].data.scalar.style == YAML_PLAIN_SCALAR_STYLE);
		compose_own_tags(&d);
		CHECK("... and compose_own_tags gives every node its own tag",
		      d.nodes.start[0].tag && strcmp((const char *)d.nodes.start[0].tag, YAML_DEFAULT_MAPPING_TAG) == 0);
		yaml_document_delete(&d); /* every tag owned now: libyaml may free them */
	}

	/* A scalar's "!" stays (the loader makes it !!str): Go's yaml.v2 reads
	 * "! 2" as a string, yaml.v3 and PyYAML as a number. */
	CHECK("the non-specific tag parses", record("a: ! 2\nb: !<!> 3\nc: !\nd: 4\n", &ev));
	built = compose(&ev, &d, &reused, &err);
	CHECK("... composes", built);
	if (built) {
		yaml_node_pair_t *p = d.nodes.start[0].data.mapping.pairs.start;
		for (int k = 0; k < 3; k++)
			CHECK("... each '!' scalar keeps its tag '!'",
			      !strcmp((const char *)d.nodes.start[p[k].value - 1].tag, "!"));
		CHECK("... an untagged 4 gets the default tag",
		      !strcmp((const char *)d.nodes.start[p[3].value - 1].tag, YAML_DEFAULT_SCALAR_TAG));
		compose_delete(&d);
	}

	CHECK("an undefined alias parses as events", record("a: 1\nb: *nowhere\n", &ev));
	built = compose(&ev, &d, &reused, &err);
	CHECK("... does not compose, naming the alias's place",
	      !built && err.problem && !strcmp(err.problem, "found undefined alias") && err.mark.line == 1 &&
		      err.mark.column == 3 && ev.n == 0);
	return check_done();
}
