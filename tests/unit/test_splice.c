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

static const char *
kkk(void)
{
	static char k[1100];
	memset(k, 'k', sizeof(k));
	return k;
}

/* "sc: {? KKK...: 1}" with a key of N characters, and the block style it
 * is rewritten into. */
static char long_text[2][2048];

static const char *
long_key(size_t n)
{
	snprintf(long_text[0], sizeof(long_text[0]), "kind: A\nsc: {? %.*s : 1}\n", (int)n, kkk());
	return long_text[0];
}

static const char *
long_key_block(size_t n)
{
	snprintf(long_text[1], sizeof(long_text[1]), "kind: A\nsc:\n  %.*s: 1\n  runAsUser: 0\n", (int)n, kkk());
	return long_text[1];
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
set_user_and_add(yaml_document_t *y)
{
	set_user(y);
	ynode_set_str(y, path(y, "sc"), "runAsGroup", "0", YAML_PLAIN_SCALAR_STYLE);
}

static void
set_user_twice(yaml_document_t *y)
{
	set_user(y);
	ynode_set_str(y, path(y, "sd"), "runAsUser", "0", YAML_PLAIN_SCALAR_STYLE);
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
set_item(yaml_document_t *y)
{
	ynode_set_str(y, ynode_seq_item(y, path(y, "add"), 1), "runAsUser", "0", YAML_PLAIN_SCALAR_STYLE);
}

static void
remove_all(yaml_document_t *y)
{
	ynode_map_remove(y, path(y, "spec"), "loadBalancerIP");
	ynode_seq_remove(y, path(y, "drop"), 0);
}

static void
add_kept(yaml_document_t *y)
{
	ynode_set_str(y, path(y, "spec"), "kept", "x\n\n", YAML_LITERAL_SCALAR_STYLE);
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

/* SPLICES(name, input, edit, expected text): the splice gives exactly the
 * expected text. FALLS_BACK(name, input, edit): the document is given back
 * to the re-emitter on purpose, not because a splice read back wrong. */
#define SPLICES(name, in, edit, want)                      \
	do {                                               \
		bool fell_;                                \
		char *o_ = spliced((in), (edit), &fell_);  \
		CHECK((name), is(o_, (want)));             \
		free(o_);                                  \
	} while (0)
#define FALLS_BACK(name, in, edit)                                             \
	do {                                                                   \
		bool fell_;                                                    \
		unsigned long before_ = splice_mismatches();                   \
		char *o_ = spliced((in), (edit), &fell_);                      \
		CHECK((name), !o_ && fell_ && splice_mismatches() == before_); \
		free(o_);                                                      \
	} while (0)

/* Does TEXT read back as the tree of BASE? */
static bool
reads_as(const char *base, const char *text)
{
	struct stream s;
	struct chunk c;
	struct doc d;
	bool mem, same = false;
	diag_reset();
	snprintf(text_copy, sizeof(text_copy), "%s", base);
	stream_init_mem(&s, text_copy, strlen(text_copy), 1u << 20);
	int r = stream_next(&s, &c);
	stream_free(&s);
	memset(&d, 0, sizeof(d));
	if (r == 1 && doc_load(&d, &c, &mem) == 0 && doc_need_tree(&d, &mem) == 0)
		same = splice_reads_back(text, strlen(text), &d.y);
	doc_free(&d);
	return same;
}

static void
read_back_cases(void)
{
	static const char base[] = "kind: A\nb: true\nn: 1\ns: x\nq: \"1\"\nt: !!str 2\nl:\n- a\n- {c: d}\n";
	CHECK("the read-back accepts the same text", reads_as(base, base));
	CHECK("... and the same data in other styles",
	      reads_as(base, "{kind: A, b: true, n: 1, s: 'x', q: '1', t: \"2\", l: [a, {c: d}]}\n"));
	CHECK("a quoted string where the tree has a boolean does not read back",
	      !reads_as(base, "kind: A\nb: 'true'\nn: 1\ns: x\nq: \"1\"\nt: !!str 2\nl:\n- a\n- {c: d}\n"));
	CHECK("a plain number where the tree has a quoted string does not",
	      !reads_as(base, "kind: A\nb: true\nn: 1\ns: x\nq: 1\nt: !!str 2\nl:\n- a\n- {c: d}\n"));
	CHECK("a plain number where the tree has an explicit !!str does not",
	      !reads_as(base, "kind: A\nb: true\nn: 1\ns: x\nq: \"1\"\nt: 2\nl:\n- a\n- {c: d}\n"));
	CHECK("another value does not", !reads_as(base, "kind: A\nb: true\nn: 2\ns: x\nq: \"1\"\nt: !!str 2\nl:\n- a\n- {c: d}\n"));
	CHECK("a missing item does not", !reads_as(base, "kind: A\nb: true\nn: 1\ns: x\nq: \"1\"\nt: !!str 2\nl:\n- a\n"));
	CHECK("an extra key does not",
	      !reads_as(base, "kind: A\nb: true\nn: 1\ns: x\nq: \"1\"\nt: !!str 2\nl:\n- a\n- {c: d, e: f}\n"));
	CHECK("a sequence for a mapping does not",
	      !reads_as(base, "kind: A\nb: true\nn: 1\ns: x\nq: \"1\"\nt: !!str 2\nl:\n- a\n- [c, d]\n"));
	CHECK("another tag does not", !reads_as(base, "kind: A\nb: true\nn: 1\ns: !x x\nq: \"1\"\nt: !!str 2\nl:\n- a\n- {c: d}\n"));
	CHECK("an alias does not", !reads_as("kind: A\nx: y\nz: y\n", "kind: A\nx: &a y\nz: *a\n"));
	CHECK("a second document does not", !reads_as("kind: A\n", "kind: A\n---\nkind: A\n"));
	CHECK("text that does not parse does not", !reads_as("kind: A\n", "kind: [A\n"));
}

int
main(void)
{
	read_back_cases();
	SPLICES("empty value gets a block at the indentless item's column",
		"# Source: t.yaml\nkind: Pod\nspec:\n  containers:\n  # the mail container\n"
		    "  - name: mail   # trailing\n    image: x\n\n  # after the list\n", add_sc,
		"# Source: t.yaml\nkind: Pod\nspec:\n  containers:\n  # the mail container\n"
		    "  - name: mail   # trailing\n    image: x\n    securityContext:\n      runAsUser: 0\n\n"
		    "  # after the list\n");

	SPLICES("null on the next line becomes a block at the document's step",
		"kind: Pod\nspec:\n    containers:\n        - name: mail\n          securityContext:\n"
		    "            null\n          image: x\n", add_sc,
		"kind: Pod\nspec:\n    containers:\n        - name: mail\n          securityContext:\n"
		    "              runAsUser: 0\n          image: x\n");

	SPLICES("CRLF kept; item at the dash column and offset of its siblings",
		"kind: Service\r\nspec:\r\n  ports:\r\n    -   name: smtp   # SMTP\r\n        port: 25\r\n"
		    "# end\r\n", append_ports,
		"kind: Service\r\nspec:\r\n  ports:\r\n    -   name: smtp   # SMTP\r\n        port: 25\r\n"
		    "    -   name: smtp-proxy\r\n        port: 12525\r\n# end\r\n");

	SPLICES("flow mapping rewritten in block style",
		"kind: A\nsc: {x: 1}\nsc2:\n  \xc3\xa4\xc3\xa4: \"\xc3\xbc\"\n", set_user,
		"kind: A\nsc:\n  x: 1\n  runAsUser: 0\nsc2:\n"
							 "  \xc3\xa4\xc3\xa4: \"\xc3\xbc\"\n");

	SPLICES("plain scalars libyaml must quote in block style, as the re-emitter does: no false alarm",
		"kind: A\nsc: {nam:: x, y: true, z: ---x}\n", set_user,
		"kind: A\nsc:\n  'nam:': x\n  y: true\n  z: '---x'\n  runAsUser: 0\n");

	SPLICES("a comment glued to a replaced flow value or quoted scalar stays a comment",
		"kind: A\nsc: {x: 1}#c\nsd:\n  runAsUser: \"1000\"#why\n", set_user_twice,
		"kind: A\nsc: #c\n  x: 1\n  runAsUser: 0\nsd:\n  runAsUser: 0 #why\n");

	SPLICES("scalar replaced in place after multi-byte characters, comment kept",
		"kind: A\nsc:\n  \xc3\xa4: b\n  runAsUser: \"1000\"   # why\n", set_user,
		"kind: A\nsc:\n  \xc3\xa4: b\n  runAsUser: 0   # why\n");

	SPLICES("removed key and item take their lines with them",
		"kind: A\nspec:\n  loadBalancerIP: 192.0.2.1  # old\n  drop:\n  - A\n  - B   # b\n  - C\n", remove_things,
		"kind: A\nspec:\n  drop:\n  - A\n  - C\n");

	SPLICES("key after a keep-chomping block scalar goes after its blank lines",
		"kind: A\ndata: |+\n  text\n\n", add_root_key,
		"kind: A\ndata: |+\n  text\n\nadded: \"yes\"\n");

	SPLICES("no final line break: the new lines go on a line of their own",
		"kind: A\nname: x", add_root_key,
		"kind: A\nname: x\nadded: \"yes\"\n");

	SPLICES("no final line break after an empty value: the new value stays on its key's line",
		"kind: A\nsc:\n  runAsUser:", set_user,
		"kind: A\nsc:\n  runAsUser: 0");

	SPLICES("... and new keys after it go on lines of their own",
		"kind: A\nsc:\n  runAsUser:", set_user_and_add,
		"kind: A\nsc:\n  runAsUser: 0\n  runAsGroup: 0\n");

	SPLICES("a block scalar at the end of a document without a final line break keeps its own",
		"kind: A\ndata:\n  a: 1", add_script_root,
		"kind: A\ndata:\n  a: 1\nscript: |\n  x\n  y\n");

	SPLICES("item before the end marker",
		"kind: A\nadd:\n- CHOWN\n...\n", append_cap,
		"kind: A\nadd:\n- CHOWN\n- KILL\n...\n");

	SPLICES("a scalar ending in dots keeps them; a keep-chomp scalar loses only the end marker",
		"kind: A\n", add_dots,
		"kind: A\nnote: ends with...\nkept: |+\n  x\n\n");

	SPLICES("a new block scalar goes after the more-indented comments, which it would take in",
		"kind: A\nspec:\n  a: 1\n\n    # deeper comment\n  # section\nnext: 2\n", add_script,
		"kind: A\nspec:\n  a: 1\n\n    # deeper comment\n  script: |\n    x\n    y\n  # section\nnext: 2\n");

	SPLICES("a new block scalar goes after a line of spaces deeper than its text, which it would take in",
		"kind: A\nspec:\n  a: 1\n        \n\nnext: 2\n", add_script,
		"kind: A\nspec:\n  a: 1\n        \n  script: |\n    x\n    y\n\nnext: 2\n");

	SPLICES("a new block scalar that keeps its final breaks goes after the blank lines",
		"kind: A\nspec:\n  a: 1\n\n  \nnext: 2\n", add_kept,
		"kind: A\nspec:\n  a: 1\n\n  \n  kept: |+\n    x\n\nnext: 2\n");

	SPLICES("a scalar replaced by a block scalar: header on the key's line, comment kept",
		"kind: A\ndata:\n  f: old   # c\n  g: 1\n", set_file,
		"kind: A\ndata:\n  f: |   # c\n    a\n    b\n  g: 1\n");

	SPLICES("a block scalar that would take in a comment: the mapping is rewritten after it",
		"kind: A\ndata:\n  f: old\n      # deeper\n", set_file,
		"kind: A\ndata:\n      # deeper\n  f: |\n    a\n    b\n");

	SPLICES("a block scalar that would take in a line of spaces: the mapping is rewritten after it",
		"kind: A\ndata:\n  f: old\n        \n", set_file,
		"kind: A\ndata:\n        \n  f: |\n    a\n    b\n");

	SPLICES("a removed key and item take their deeper comments, which a block scalar before them would take in",
		"kind: A\nspec:\n  a: |\n    text\n  loadBalancerIP: x\n      # deeper\n         \n  drop:\n"
		    "  - |\n    text\n  - B\n      # deeper\n  - C\n", remove_things,
		"kind: A\nspec:\n  a: |\n    text\n  drop:\n  - |\n    text\n  - C\n");
	SPLICES("a rewritten item takes the place of its deeper comments after a block scalar",
		"kind: A\nadd:\n- |\n  text\n- {x: 1}\n    # deeper\n- C\n", set_item,
		"kind: A\nadd:\n- |\n  text\n- x: 1\n  runAsUser: 0\n- C\n");

	SPLICES("a mapping and a sequence a patch empties become {} and []",
		"kind: A\nspec:\n  # only key\n  loadBalancerIP: x\ndrop:\n- A\nnext: 1\n", remove_all,
		"kind: A\nspec: {}\ndrop: []\nnext: 1\n");

	SPLICES("a flow mapping tagged !!map, the default, is rewritten in block style",
		"kind: A\nsc: !!map {x: 1}\n", set_user, "kind: A\nsc:\n  x: 1\n  runAsUser: 0\n");
	FALLS_BACK("a flow mapping with a tag of its own falls back (block lines cannot carry it)",
		"kind: A\nsc: !!!custom {x: 1}\n", set_user);
	FALLS_BACK("an emptied mapping with a tag of its own falls back",
		"kind: A\nspec: !custom\n  loadBalancerIP: x\ndrop:\n- A\n", remove_all);

	FALLS_BACK("a flow mapping with an empty tagged key falls back (\"!tag:\" would be a longer tag)",
		"kind: A\nsc: {!custom , x: 1}\n", set_user);

	FALLS_BACK("a document ending inside a block scalar without a line break falls back",
		"kind: A\ndata: |\n  last line", add_root_key);

	FALLS_BACK("a flow mapping whose key is too long for an implicit key falls back", long_key(1025), set_user);
	SPLICES("a key of 1024 characters is still written as an implicit key", long_key(1024), set_user,
		long_key_block(1024));

	FALLS_BACK("JSON document falls back",
		"{\"kind\": \"A\", \"add\": [\"CHOWN\"]}\n", append_cap);
	FALLS_BACK("aliases fall back",
		"kind: A\nx: &a [1]\nadd:\n- CHOWN\ny: *a\n", append_cap);
	FALLS_BACK("a tab at the start of a line falls back",
		"kind: A\nx: \"a\n\tb\"\nadd:\n- CHOWN\n", append_cap);
	FALLS_BACK("lone CR line break falls back",
		"kind: A\rname: b\nadd:\n- CHOWN\n", append_cap);
	CHECK("no splice read back differently", splice_mismatches() == 0);
	return check_done();
}
