/* compose.h -- turns the events of one document, recorded while doc.c's
 * first parse read them, into the libyaml node tree yaml_parser_load()
 * would have built from the same text, so that a document is parsed once.
 * It takes the events' strings over instead of copying them. It does not
 * parse, decide which documents need a tree, or report errors itself. */
#ifndef DMSPR_COMPOSE_H
#define DMSPR_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

/* Events kept in the order the parser gave them. */
struct compose_events {
	yaml_event_t *v;
	size_t n, cap;
};

/* Keep event E (its strings now belong to EV). */
void compose_keep(struct compose_events *ev, const yaml_event_t *e);

/* Release every kept event. Accepts an empty set. */
void compose_drop(struct compose_events *ev);

/* Why compose() failed: an alias naming no anchor before it. */
struct compose_error {
	const char *problem;
	yaml_mark_t mark;
};

/* Build *OUT from the events of EV (one stream with one document, as
 * yaml_parser_load() reads them): the same nodes in the same order, with
 * their marks, styles and tags (untagged nodes get libyaml's default tags,
 * one shared string each: free *OUT with compose_delete()),
 * and the document's directives and implicit flags. Two differences, both
 * YAML 1.2's reading: an anchor name defined again names the later node
 * from there on (libyaml's loader refuses it; *REUSED is set), and a plain
 * scalar with an explicit !!str tag that would not read back as a string
 * written plain gets the double-quoted style. EV is emptied either way.
 * Returns true, or false with *ERR filled and *OUT zeroed. */
bool compose(struct compose_events *ev, yaml_document_t *out, bool *reused, struct compose_error *err);

/* Free a document built by compose() (or by libyaml's loader): like
 * yaml_document_delete(), which must not see compose()'s shared default
 * tags. */
void compose_delete(yaml_document_t *d);

/* Give every node of D that has a shared default tag its own copy: before
 * yaml_emitter_dump(), which frees the document itself. */
void compose_own_tags(yaml_document_t *d);

#endif
