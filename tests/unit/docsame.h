/* docsame.h -- for the compose tests (tests/unit/test_compose.c and
 * tests/tools/compose-check.c): whether two libyaml documents are the same
 * in every field a reader of the tree can see. Header-only, test code. */
#ifndef DMSPR_DOCSAME_H
#define DMSPR_DOCSAME_H

#include <stdbool.h>
#include <string.h>
#include <yaml.h>

static inline bool
same_mark(yaml_mark_t a, yaml_mark_t b)
{
	return a.index == b.index && a.line == b.line && a.column == b.column;
}

/* Every field a reader of the tree can see. */
static inline bool
same_document(yaml_document_t *a, yaml_document_t *b)
{
	size_t n = (size_t)(a->nodes.top - a->nodes.start);
	if (n != (size_t)(b->nodes.top - b->nodes.start) || a->start_implicit != b->start_implicit ||
	    a->end_implicit != b->end_implicit || !same_mark(a->start_mark, b->start_mark) ||
	    !same_mark(a->end_mark, b->end_mark) || !a->version_directive != !b->version_directive ||
	    (a->tag_directives.end - a->tag_directives.start) != (b->tag_directives.end - b->tag_directives.start))
		return false;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *x = &a->nodes.start[i], *y = &b->nodes.start[i];
		if (x->type != y->type || strcmp((const char *)x->tag, (const char *)y->tag) != 0 ||
		    !same_mark(x->start_mark, y->start_mark) || !same_mark(x->end_mark, y->end_mark))
			return false;
		if (x->type == YAML_SCALAR_NODE) {
			if (x->data.scalar.length != y->data.scalar.length || x->data.scalar.style != y->data.scalar.style ||
			    memcmp(x->data.scalar.value, y->data.scalar.value, x->data.scalar.length) != 0)
				return false;
		} else if (x->type == YAML_SEQUENCE_NODE) {
			size_t k = (size_t)(x->data.sequence.items.top - x->data.sequence.items.start);
			if (x->data.sequence.style != y->data.sequence.style ||
			    k != (size_t)(y->data.sequence.items.top - y->data.sequence.items.start) ||
			    memcmp(x->data.sequence.items.start, y->data.sequence.items.start, k * sizeof(yaml_node_item_t)))
				return false;
		} else {
			size_t k = (size_t)(x->data.mapping.pairs.top - x->data.mapping.pairs.start);
			if (x->data.mapping.style != y->data.mapping.style ||
			    k != (size_t)(y->data.mapping.pairs.top - y->data.mapping.pairs.start) ||
			    memcmp(x->data.mapping.pairs.start, y->data.mapping.pairs.start, k * sizeof(yaml_node_pair_t)))
				return false;
		}
	}
	return true;
}

#endif
