/* test_splice.c -- unit tests for the minimal-diff writer: each edit shape
 * (key inserted, item appended to indented and indentless sequences, scalar
 * replaced, null and empty values turned into blocks, keys and items
 * removed) compared byte for byte with the expected text, line breaks and
 * characters that make columns differ from bytes, and the cases that must
 * fall back to the re-emitter. */
#include <stdlib.h>

#include "check.h"
#include "diag.h"
#include "doc.h"
#include "splice.h"
#include "stream.h"
#include "util.h"
#include "ynode.h"

typedef void edit_fn(yaml_document_t *y);

static char text_copy[4096];

/* Load TEXT, let EDIT change the tree, splice. Returns the new text
 * (caller frees), or NULL when splice_doc() gave the document back to the
 * re-emitter (*FELL set) or failed. */
static char *
spliced(const char *text, edit_fn *edit, bool *fell)
{
	struct stream s;
	struct chunk c;
	struct doc d;
	struct buf out = {0};
	bool mem;
	char *res = NULL;

	*fell = false;
	diag_reset();
	snprintf(text_copy, sizeof(text_copy), "%s", text);
	stream_init_mem(&s, text_copy, strlen(text_copy), 1u << 20);
	int r = stream_next(&s, &c);
	stream_free(&s);
	memset(&d, 0, sizeof(d));
	if (r != 1 || doc_load(&d, &c, &mem) != 0 || doc_need_tree(&d, &mem) != 0)
		return NULL;
	edit(&d.y);
	d.changed = true;
	r = splice_doc(&out, &d);
	if (r == 0)
		res = xstrndup(out.data, out.len);
	*fell = r == 1;
	buf_free(&out);
	doc_free(&d);
	return res;
}

static bool
is(const char *got, const char *want)
{
	if (got && strcmp(got, want) == 0)
		return true;
	printf("--- want:\n%s--- got:\n%s---\n", want, got ? got : "(null)");
	return false;
}

/* Root mapping edits. */
static int
path(yaml_document_t *y, const char *p)
{
	return ynode_path(y, 1, p);
}

static void
add_sc(yaml_document_t *y)
{
	int c = ynode_seq_item(y, path(y, "spec.containers"), 0);
	int sc = ynode_ensure_map(y, c, "securityContext");
	ynode_set_str(y, sc, "runAsUser", "0", YAML_PLAIN_SCALAR_STYLE);
}

static void
append_ports(yaml_document_t *y)
{
	int ports = path(y, "spec.ports");
	int m = ynode_new_map(y);
	ynode_set_str(y, m, "name", "smtp-proxy", YAML_PLAIN_SCALAR_STYLE);
	ynode_set_str(y, m, "port", "12525", YAML_PLAIN_SCALAR_STYLE);
	ynode_append(y, ports, m);
}

static void
set_user(yaml_document_t *y)
{
	ynode_set_str(y, path(y, "sc"), "runAsUser", "0", YAML_PLAIN_SCALAR_STYLE);
}

static void
remove_things(yaml_document_t *y)
{
	ynode_map_remove(y, path(y, "spec"), "loadBalancerIP");
	ynode_seq_remove(y, path(y, "spec.drop"), 1);
}

static void
add_root_key(yaml_document_t *y)
{
	ynode_set_str(y, 1, "added", "yes", YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static void
add_dots(yaml_document_t *y)
{
	ynode_set_str(y, 1, "note", "ends with...", YAML_PLAIN_SCALAR_STYLE);
	ynode_set_str(y, 1, "kept", "x\n\n", YAML_LITERAL_SCALAR_STYLE);
}

static void
add_script(yaml_document_t *y)
{
	ynode_set_str(y, path(y, "spec"), "script", "x\ny\n", YAML_LITERAL_SCALAR_STYLE);
}

static void
add_script_root(yaml_document_t *y)
{
	ynode_set_str(y, 1, "script", "x\ny\n", YAML_LITERAL_SCALAR_STYLE);
}

static void
set_file(yaml_document_t *y)
{
	ynode_set_str(y, path(y, "data"), "f", "a\nb\n", YAML_LITERAL_SCALAR_STYLE);
}

static void
append_cap(yaml_document_t *y)
{
	ynode_append(y, path(y, "add"), ynode_new_str(y, "KILL", YAML_PLAIN_SCALAR_STYLE));
}

int
main(void)
{
	bool fell;
	char *o;

	o = spliced("# Source: t.yaml\nkind: Pod\nspec:\n  containers:\n  # the mail container\n"
		    "  - name: mail   # trailing\n    image: x\n\n  # after the list\n", add_sc, &fell);
	CHECK("empty value gets a block at the indentless item's column",
	      is(o, "# Source: t.yaml\nkind: Pod\nspec:\n  containers:\n  # the mail container\n"
		    "  - name: mail   # trailing\n    image: x\n    securityContext:\n      runAsUser: 0\n\n"
		    "  # after the list\n"));
	free(o);

	o = spliced("kind: Pod\nspec:\n    containers:\n        - name: mail\n          securityContext:\n"
		    "            null\n          image: x\n", add_sc, &fell);
	CHECK("null on the next line becomes a block at the document's step",
	      is(o, "kind: Pod\nspec:\n    containers:\n        - name: mail\n          securityContext:\n"
		    "              runAsUser: 0\n          image: x\n"));
	free(o);

	o = spliced("kind: Service\r\nspec:\r\n  ports:\r\n    -   name: smtp   # SMTP\r\n        port: 25\r\n"
		    "# end\r\n", append_ports, &fell);
	CHECK("CRLF kept; item at the dash column and offset of its siblings",
	      is(o, "kind: Service\r\nspec:\r\n  ports:\r\n    -   name: smtp   # SMTP\r\n        port: 25\r\n"
		    "    -   name: smtp-proxy\r\n        port: 12525\r\n# end\r\n"));
	free(o);

	o = spliced("kind: A\nsc: {x: 1}\nsc2:\n  \xc3\xa4\xc3\xa4: \"\xc3\xbc\"\n", set_user, &fell);
	CHECK("flow mapping rewritten in block style", is(o, "kind: A\nsc:\n  x: 1\n  runAsUser: 0\nsc2:\n"
							 "  \xc3\xa4\xc3\xa4: \"\xc3\xbc\"\n"));
	free(o);

	o = spliced("kind: A\nsc:\n  \xc3\xa4: b\n  runAsUser: \"1000\"   # why\n", set_user, &fell);
	CHECK("scalar replaced in place after multi-byte characters, comment kept",
	      is(o, "kind: A\nsc:\n  \xc3\xa4: b\n  runAsUser: 0   # why\n"));
	free(o);

	o = spliced("kind: A\nspec:\n  loadBalancerIP: 192.0.2.1  # old\n  drop:\n  - A\n  - B   # b\n  - C\n",
		    remove_things, &fell);
	CHECK("removed key and item take their lines with them",
	      is(o, "kind: A\nspec:\n  drop:\n  - A\n  - C\n"));
	free(o);

	o = spliced("kind: A\ndata: |+\n  text\n\n", add_root_key, &fell);
	CHECK("key after a keep-chomping block scalar goes after its blank lines",
	      is(o, "kind: A\ndata: |+\n  text\n\nadded: \"yes\"\n"));
	free(o);

	o = spliced("kind: A\nname: x", add_root_key, &fell);
	CHECK("no final line break: the new lines go on a line of their own", is(o, "kind: A\nname: x\nadded: \"yes\"\n"));
	free(o);

	o = spliced("kind: A\ndata:\n  a: 1", add_script_root, &fell);
	CHECK("a block scalar at the end of a document without a final line break keeps its own",
	      is(o, "kind: A\ndata:\n  a: 1\nscript: |\n  x\n  y\n"));
	free(o);

	o = spliced("kind: A\nadd:\n- CHOWN\n...\n", append_cap, &fell);
	CHECK("item before the end marker", is(o, "kind: A\nadd:\n- CHOWN\n- KILL\n...\n"));
	free(o);

	o = spliced("kind: A\n", add_dots, &fell);
	CHECK("a scalar ending in dots keeps them; a keep-chomp scalar loses only the end marker",
	      is(o, "kind: A\nnote: ends with...\nkept: |+\n  x\n\n"));
	free(o);

	o = spliced("kind: A\nspec:\n  a: 1\n\n    # deeper comment\n  # section\nnext: 2\n", add_script, &fell);
	CHECK("a new block scalar goes after the more-indented comments, which it would take in",
	      is(o, "kind: A\nspec:\n  a: 1\n\n    # deeper comment\n  script: |\n    x\n    y\n  # section\nnext: 2\n"));
	free(o);

	o = spliced("kind: A\ndata:\n  f: old   # c\n  g: 1\n", set_file, &fell);
	CHECK("a scalar replaced by a block scalar: header on the key's line, comment kept",
	      is(o, "kind: A\ndata:\n  f: |   # c\n    a\n    b\n  g: 1\n"));
	free(o);

	o = spliced("kind: A\ndata:\n  f: old\n      # deeper\n", set_file, &fell);
	CHECK("a block scalar that would take in a comment: the mapping is rewritten after it",
	      is(o, "kind: A\ndata:\n      # deeper\n  f: |\n    a\n    b\n"));
	free(o);

	o = spliced("kind: A\ndata: |\n  last line", add_root_key, &fell);
	CHECK("a document ending inside a block scalar without a line break falls back", !o && fell);

	o = spliced("{\"kind\": \"A\", \"add\": [\"CHOWN\"]}\n", append_cap, &fell);
	CHECK("JSON document falls back", !o && fell);
	o = spliced("kind: A\nx: &a [1]\nadd:\n- CHOWN\ny: *a\n", append_cap, &fell);
	CHECK("aliases fall back", !o && fell);
	o = spliced("kind: A\nx: \"a\n\tb\"\nadd:\n- CHOWN\n", append_cap, &fell);
	CHECK("a tab at the start of a line falls back", !o && fell);
	o = spliced("kind: A\rname: b\nadd:\n- CHOWN\n", append_cap, &fell);
	CHECK("lone CR line break falls back", !o && fell);
	CHECK("no splice read back differently", splice_mismatches() == 0);
	return check_done();
}
