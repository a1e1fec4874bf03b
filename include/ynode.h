/* ynode.h -- small helpers over libyaml's document API that address nodes by
 * id (never by yaml_node_t pointer, which yaml_document_add_* invalidates).
 * They are the only code that adds nodes. They report nothing; callers do.
 * Every function returning a node id returns 0 for "none" or failure. */
#ifndef DMSPR_YNODE_H
#define DMSPR_YNODE_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

/* The node with this id, or NULL for 0/out of range. Valid only until the
 * next yaml_document_add_* call on d. */
yaml_node_t *ynode_at(yaml_document_t *d, int id);

/* Scalar text of a node, or NULL when it is not a scalar. The text belongs to
 * the node and survives node additions. */
const char *ynode_str(yaml_document_t *d, int id);

bool ynode_is_map(yaml_document_t *d, int id);
bool ynode_is_seq(yaml_document_t *d, int id);
/* A plain scalar "", "~", "null", "Null" or "NULL": YAML's null. */
bool ynode_is_null(yaml_document_t *d, int id);
/* A plain scalar's YAML 1.1 boolean, as Go's sigs.k8s.io/yaml reads it
 * (true/yes/on/y and their false twins): 1, 0, or -1 for anything else. */
int ynode_bool(yaml_document_t *d, int id);

/* Value of KEY in mapping MAP (first occurrence); 0 when absent or MAP is not
 * a mapping. */
int ynode_get(yaml_document_t *d, int map, const char *key);

/* Follow a dot-separated path of mapping keys ("spec.template.spec"). */
int ynode_path(yaml_document_t *d, int node, const char *path);

/* The key node id of the first key that occurs twice in MAP, or 0. */
int ynode_dup_key(yaml_document_t *d, int map);

/* Number of items of a sequence (0 if not a sequence) and the id of item i. */
size_t ynode_seq_len(yaml_document_t *d, int seq);
int ynode_seq_item(yaml_document_t *d, int seq, size_t i);

/* First item of sequence SEQ that is a mapping whose FIELD is the scalar
 * VALUE (e.g. field "name", value "smtp"); 0 when none. */
int ynode_seq_find(yaml_document_t *d, int seq, const char *field, const char *value);

/* A new empty block mapping / sequence, or a scalar with an explicit style
 * (YAML_PLAIN_SCALAR_STYLE for ints and bools). YAML_ANY_SCALAR_STYLE means
 * a string: written double-quoted when a YAML 1.1 or 1.2 reader would take
 * the plain text for another type (yscalar.h). */
int ynode_new_map(yaml_document_t *d);
int ynode_new_seq(yaml_document_t *d);
int ynode_new_str(yaml_document_t *d, const char *value, yaml_scalar_style_t style);

/* Point KEY of MAP at node VALUE: replace the value in place when KEY exists
 * (keeping key order), else append the pair. Returns VALUE, or 0 when MAP is
 * not a mapping. The old value node stays in the document but unreachable. */
int ynode_set(yaml_document_t *d, int map, const char *key, int value);

/* Set KEY of MAP to a scalar with STYLE. Returns the new scalar's id. */
int ynode_set_str(yaml_document_t *d, int map, const char *key, const char *value,
		  yaml_scalar_style_t style);

/* The mapping under KEY, created (or replacing a null value) when missing.
 * Returns 0 when KEY holds something else (a scalar, a sequence), which the
 * caller must report rather than overwrite. */
int ynode_ensure_map(yaml_document_t *d, int map, const char *key);
/* Same for a sequence. */
int ynode_ensure_seq(yaml_document_t *d, int map, const char *key);

/* Append node ITEM to sequence SEQ. Returns ITEM, or 0 on failure. */
int ynode_append(yaml_document_t *d, int seq, int item);

/* The first item of SEQ that is the scalar VALUE; 0 when none. */
int ynode_seq_find_scalar(yaml_document_t *d, int seq, const char *value);

/* Remove every KEY pair from MAP. Returns true when one was there. */
bool ynode_map_remove(yaml_document_t *d, int map, const char *key);

/* Remove item I of sequence SEQ (the node stays in the document but
 * unreachable). Returns false when there is no such item. */
bool ynode_seq_remove(yaml_document_t *d, int seq, size_t i);

/* A deep copy of node ID (styles kept, no anchors), or 0 on failure or when
 * the node nests deeper than YNODE_CLONE_DEPTH or would expand (through
 * aliases) to more than YNODE_CLONE_NODES nodes or more than MAX_BYTES of
 * scalar text (16 bytes counted per node besides): an alias bomb must not
 * become a memory bomb, nor a document too large to read again. */
#define YNODE_CLONE_DEPTH 256
#define YNODE_CLONE_NODES 100000
int ynode_clone(yaml_document_t *d, int id, size_t max_bytes);

/* Source span of a node: 1-based first line/column and the position just
 * after it, counted in characters relative to the parsed chunk (the
 * document model adds the chunk's first line). Newly added nodes have an
 * all-zero span. */
struct yspan {
	size_t line, col, end_line, end_col;
};
struct yspan ynode_span(yaml_document_t *d, int id);

/* Keep what libyaml's loader forgets: it gives "!!str 1" the same tag as a
 * plain 1, so writing the tree back would make the string a number. Given
 * the text TEXT (LEN bytes) tree D was loaded from, every scalar with an
 * explicit !!str tag whose plain text would not read back as a string
 * becomes double-quoted (same data, no tag needed), and every scalar with
 * the non-specific tag '!' gets that tag back (libyaml's loader makes it
 * !!str; compose.c keeps it). Returns false when the text cannot be read as
 * events. */
bool ynode_keep_explicit_str(yaml_document_t *d, const char *text, size_t len);

/* An empty plain scalar inside a flow collection ("{limits: , ...}") is a
 * null, which libyaml's emitter would write as '' in flow style: make it a
 * plain "null", which reads back the same. */
void ynode_flow_nulls(yaml_document_t *d);

/* Whether libyaml's emitter would write TAG as a shorthand that no reader
 * takes back: it shortens "!x" and "tag:yaml.org,2002:x" to "!x" and "!!x"
 * and writes ',', '[' and ']' in the suffix as they are, which its own
 * scanner rejects (or, for ',' in a flow collection, reads as a shorter tag).
 * Such a tag can only be written verbatim ("!<!a,b>"). */
bool ynode_tag_needs_verbatim(const char *tag);

/* Which nodes a dump of D from its root writes: a malloc'd array indexed by
 * node id (entry 0 unused), 1 where reachable. A value a patch replaced
 * stays in the document, unreachable. Aliases share nodes: each is visited
 * once, so a recursive graph costs its size. */
unsigned char *ynode_reachable(yaml_document_t *d);

/* The key node of the first merge key ("<<", or one tagged !!merge) in the
 * subtree of ID (each node visited once), or 0. */
int ynode_find_merge(yaml_document_t *d, int id);

#endif
