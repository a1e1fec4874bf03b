/* test_ynode.c -- unit tests for the node helpers and the re-emit path:
 * lookups, create-or-get over null values, ids surviving additions, styles
 * kept, and a changed document serialising to the same data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "diag.h"
#include "doc.h"
#include "emit.h"
#include "stream.h"
#include "util.h"
#include "ynode.h"

/* Load the single document of text into d (chunk c must outlive d). */
static int
load(const char *text, struct chunk *c, struct doc *d)
{
	struct stream s;
	bool mem;
	diag_reset();
	stream_init_mem(&s, text, strlen(text), 1u << 20);
	int r = stream_next(&s, c);
	stream_free(&s);
	if (r != 1)
		return -1;
	/* These tests edit and re-emit: they need the tree whatever the kind. */
	return doc_load(d, c, &mem) != 0 ? -1 : doc_need_tree(d, &mem);
}

/* Serialise d (consuming its tree) and return the text; caller frees. */
static char *
reemit(struct doc *d)
{
	struct spool sp;
	char path[] = "/tmp/test_ynode.XXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	spool_init(&sp, 64);
	d->changed = true;
	int r = emit_doc(&sp, d, false);
	r |= spool_commit(&sp, fd);
	spool_free(&sp);
	off_t n = lseek(fd, 0, SEEK_END);
	char *out = xcalloc((size_t)n + 1, 1);
	if (pread(fd, out, (size_t)n, 0) != n)
		r = -1;
	close(fd);
	if (r != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* Whether libyaml's emitter writes TAG on a scalar, in a block or a flow
 * mapping, as text its own reader takes back as TAG. */
static bool
tag_round_trips(const char *tag, bool flow)
{
	yaml_document_t y;
	struct buf out = {0};
	bool same = false;
	if (!yaml_document_initialize(&y, NULL, NULL, NULL, 1, 1))
		return false;
	int map = yaml_document_add_mapping(&y, NULL, flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
	int k = yaml_document_add_scalar(&y, NULL, (yaml_char_t *)"k", 1, YAML_PLAIN_SCALAR_STYLE);
	int v = yaml_document_add_scalar(&y, (yaml_char_t *)tag, (yaml_char_t *)"v", 1, YAML_PLAIN_SCALAR_STYLE);
	yaml_document_append_mapping_pair(&y, map, k, v);
	if (emit_document(&out, &y, false) != 0)
		return false;
	yaml_parser_t p;
	yaml_document_t back;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)out.data, out.len);
	if (yaml_parser_load(&p, &back)) {
		yaml_node_t *n = ynode_at(&back, 3);
		same = n && n->tag && strcmp((const char *)n->tag, tag) == 0;
		yaml_document_delete(&back);
	}
	yaml_parser_delete(&p);
	buf_free(&out);
	return same;
}

static const char deploy[] =
	"---\n"
	"# Source: mailserver/templates/deployment.yaml\n"
	"apiVersion: \"apps/v1\"\n"
	"kind: Deployment\n"
	"metadata:\n"
	"  name: mail\n"
	"  annotations:\n"
	"    long: \"0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789\"\n"
	"spec:\n"
	"  template:\n"
	"    spec:\n"
	"      securityContext:\n"
	"        null\n"
	"      containers:\n"
	"        - name: sidecar\n"
	"          image: busybox\n"
	"        - name: mailserver\n"
	"          image: ghcr.io/docker-mailserver/docker-mailserver:15.1.0\n"
	"          env:\n"
	"          - name: ENABLE_IMAP\n"
	"            value: '1'\n"
	"          - {name: X, value: \"é ünïcode\"}\n"
	"# trailing comment\n";

int
main(void)
{
	struct chunk c;
	struct doc d;
	yaml_document_t *y = &d.y;

	CHECK("load deployment", load(deploy, &c, &d) == 0 && d.nobjects == 1);
	struct object *o = &d.objects[0];
	CHECK("identity", o->kind && !strcmp(o->kind, "Deployment") && o->name &&
		!strcmp(o->name, "mail") && o->api_version && !strcmp(o->api_version, "apps/v1"));
	CHECK("containers with name and image", o->ncontainers == 2 &&
		!strcmp(o->containers[1].name, "mailserver") &&
		!strcmp(o->containers[1].image, "ghcr.io/docker-mailserver/docker-mailserver:15.1.0"));
	CHECK("node span is 1-based within the chunk", ynode_span(y, o->containers[1].node).line == 17 &&
		ynode_span(y, o->containers[1].node).col == 11);
	CHECK("doc_line adds the chunk's first line", doc_line(&d, o->node) == 3);

	int spec = o->pod_spec;
	int cont = o->containers[1].node;
	CHECK("ynode_path", ynode_path(y, 1, "spec.template.spec") == spec);
	CHECK("seq_find by field", ynode_seq_find(y, ynode_get(y, spec, "containers"), "name",
						  "mailserver") == cont);
	CHECK("seq_find misses", ynode_seq_find(y, ynode_get(y, spec, "containers"), "name", "nope") == 0);
	CHECK("null value is null", ynode_is_null(y, ynode_get(y, spec, "securityContext")));

	/* Create-or-get over the null pod securityContext, then many additions:
	 * the ids taken before must still address the same nodes. */
	int psc = ynode_ensure_map(y, spec, "securityContext");
	CHECK("ensure_map replaces null", psc && ynode_is_map(y, psc) &&
		ynode_get(y, spec, "securityContext") == psc);
	CHECK("ensure_map is idempotent", ynode_ensure_map(y, spec, "securityContext") == psc);
	CHECK("ensure_map refuses a scalar", ynode_ensure_map(y, cont, "image") == 0);
	int sc = ynode_ensure_map(y, cont, "securityContext");
	for (int i = 0; i < 200; i++)
		ynode_new_str(y, "filler", YAML_PLAIN_SCALAR_STYLE);
	CHECK("ids survive additions", ynode_is_map(y, sc) && !strcmp(ynode_str(y, ynode_get(y, cont, "name")),
									"mailserver"));
	CHECK("set plain bool", ynode_set_str(y, sc, "allowPrivilegeEscalation", "true",
					      YAML_PLAIN_SCALAR_STYLE) != 0);
	CHECK("set replaces in place", ynode_set_str(y, sc, "allowPrivilegeEscalation", "true",
						     YAML_PLAIN_SCALAR_STYLE) != 0 &&
		ynode_at(y, sc)->data.mapping.pairs.top - ynode_at(y, sc)->data.mapping.pairs.start == 1);
	int caps = ynode_ensure_map(y, sc, "capabilities");
	int drop = ynode_ensure_seq(y, caps, "drop");
	CHECK("append", ynode_append(y, drop, ynode_new_str(y, "ALL", YAML_PLAIN_SCALAR_STYLE)) != 0 &&
		ynode_seq_len(y, drop) == 1);
	int ann = ynode_path(y, 1, "metadata.annotations");
	CHECK("set double-quoted string", ynode_set_str(y, ann, "n", "1", YAML_DOUBLE_QUOTED_SCALAR_STYLE) != 0);
	CHECK("new nodes have no span", ynode_span(y, drop).line == 0);

	char *out = reemit(&d);
	doc_free(&d);
	static const char expect[] =
		"---\n"
		"# Source: mailserver/templates/deployment.yaml\n"
		"apiVersion: \"apps/v1\"\n"
		"kind: Deployment\n"
		"metadata:\n"
		"  name: mail\n"
		"  annotations:\n"
		"    long: \"0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789\"\n"
		"    n: \"1\"\n"
		"spec:\n"
		"  template:\n"
		"    spec:\n"
		"      securityContext: {}\n"
		"      containers:\n"
		"      - name: sidecar\n"
		"        image: busybox\n"
		"      - name: mailserver\n"
		"        image: ghcr.io/docker-mailserver/docker-mailserver:15.1.0\n"
		"        env:\n"
		"        - name: ENABLE_IMAP\n"
		"          value: '1'\n"
		"        - {name: X, value: \"é ünïcode\"}\n"
		"        securityContext:\n"
		"          allowPrivilegeEscalation: true\n"
		"          capabilities:\n"
		"            drop:\n"
		"            - ALL\n"
		"# trailing comment\n";
	CHECK("re-emit keeps header, trailer, key order, styles, width and unicode",
	      out && strcmp(out, expect) == 0);
	if (out && strcmp(out, expect) != 0)
		fprintf(stderr, "got:\n%s", out);
	free(out);

	/* CRLF documents stay CRLF when re-emitted. */
	CHECK("load CRLF", load("---\r\n# Source: x\r\nkind: A\r\nmetadata:\r\n  name: n\r\n", &c, &d) == 0);
	out = reemit(&d);
	doc_free(&d);
	CHECK("re-emit CRLF", out && strcmp(out, "---\r\n# Source: x\r\nkind: A\r\nmetadata:\r\n  name: n\r\n") == 0);
	free(out);

	/* "|+" makes libyaml close with "..."; the input's own "..." must not
	 * be doubled. */
	CHECK("load keep-chomp", load("a: |+\n  x\n\n...\n", &c, &d) == 0);
	out = reemit(&d);
	doc_free(&d);
	CHECK("re-emit keep-chomp with one '...'", out && strcmp(out, "a: |+\n  x\n\n...\n") == 0);
	free(out);

	/* Identity corner cases. */
	CHECK("List items", load("apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata: {name: p}\n"
				 "  spec: {containers: [{name: c, image: i}]}\n- kind: Service\n",
				 &c, &d) == 0 &&
		d.is_list && d.nobjects == 2 && !strcmp(d.objects[0].kind, "Pod") &&
		d.objects[0].ncontainers == 1 && !strcmp(d.objects[0].containers[0].image, "i"));
	doc_free(&d);
	CHECK("JSON document", load("{\"kind\": \"CronJob\", \"metadata\": {\"name\": \"j\"}, \"spec\": {\"jobTemplate\":"
				    " {\"spec\": {\"template\": {\"spec\": {\"initContainers\": [{\"name\": \"i\"}],"
				    " \"containers\": [{\"name\": \"c\", \"image\": \"x\"}]}}}}}}\n",
				    &c, &d) == 0 &&
		d.objects[0].ncontainers == 2 && d.objects[0].containers[0].init &&
		!d.objects[0].containers[1].init);
	doc_free(&d);
	CHECK("aliases resolve", load("kind: Pod\nmetadata: {name: &n web}\nspec:\n  containers:\n  - name: *n\n"
				      "    image: &i nginx\n  - name: b\n    image: *i\n",
				      &c, &d) == 0 &&
		!strcmp(d.objects[0].containers[0].name, "web") &&
		!strcmp(d.objects[0].containers[1].image, "nginx"));
	doc_free(&d);
	CHECK("Helm 4 filename annotation", load("kind: Service\nmetadata:\n  name: s\n  annotations:\n"
						 "    postrenderer.helm.sh/postrender-filename: c/templates/s.yaml\n",
						 &c, &d) == 0 &&
		!strcmp(d.objects[0].filename, "c/templates/s.yaml"));
	doc_free(&d);
	CHECK("duplicate identity key recorded", load("kind: A\nmetadata: {name: a}\nkind: B\n", &c, &d) == 0 &&
		d.dup_key != 0 && ynode_span(&d.y, d.dup_key).line == 3);
	doc_free(&d);
	/* Merge keys: found below a node (plain "<<" or tagged !!merge), each
	 * node visited once however many aliases lead to it; a quoted "<<" is
	 * an ordinary key. */
	CHECK("merge key found", load("kind: A\nmetadata: {name: a}\nspec:\n  x: &b {k: 1}\n  y:\n    <<: *b\n", &c, &d) == 0 &&
		ynode_find_merge(&d.y, 1) && ynode_span(&d.y, ynode_find_merge(&d.y, 1)).line == 6 &&
		!ynode_find_merge(&d.y, ynode_get(&d.y, ynode_get(&d.y, 1, "spec"), "x")));
	doc_free(&d);
	CHECK("tagged merge key found", load("kind: A\nmetadata: {name: a}\nspec: {!!merge a: {k: 1}}\n", &c, &d) == 0 &&
		ynode_find_merge(&d.y, 1) != 0);
	doc_free(&d);
	CHECK("quoted '<<' is no merge key", load("kind: A\nmetadata: {name: a}\nspec: {\"<<\": 1}\n", &c, &d) == 0 &&
		ynode_find_merge(&d.y, 1) == 0);
	doc_free(&d);
	CHECK("aliases cost each node once",
	      load("kind: A\nmetadata: {name: a}\na: &a [x, x]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\nd: [*c, *c, *c]\n", &c, &d) == 0 &&
		      ynode_find_merge(&d.y, 1) == 0);
	doc_free(&d);
	CHECK("scalar root rejected", load("--- \nhello\n", &c, &d) == -1 && diag_failed());
	CHECK("sequence root rejected", load("- a\n- b\n", &c, &d) == -1);
	CHECK("bad YAML rejected", load("a: [1, 2\nb: 3\n", &c, &d) == -1);
	CHECK("undefined alias rejected", load("a: *nope\n", &c, &d) == -1);
	CHECK("empty document", load("---\n# Source: x\n", &c, &d) == 0 && d.empty && d.nobjects == 0);
	doc_free(&d);
	/* ynode_reachable: a node shared through an alias stays reachable
	 * while one of its keys holds it, and not once both are replaced. */
	if (load("kind: A\nmetadata: {name: a}\na: &x [1]\nb: *x\n", &c, &d) == 0) {
		int shared = ynode_get(&d.y, 1, "a");
		ynode_set_str(&d.y, 1, "b", "2", YAML_PLAIN_SCALAR_STYLE);
		unsigned char *r1 = ynode_reachable(&d.y);
		ynode_set_str(&d.y, 1, "a", "3", YAML_PLAIN_SCALAR_STYLE);
		unsigned char *r2 = ynode_reachable(&d.y);
		CHECK("reachable: the root, a node one key still holds, not one no key holds",
		      r1[1] && r1[shared] && !r2[shared] && r2[ynode_get(&d.y, 1, "a")]);
		free(r1);
		free(r2);
		doc_free(&d);
	} else
		CHECK("reachable: the document loads", false);
	/* ynode_tag_needs_verbatim names exactly the tags libyaml's emitter
	 * cannot write back, for every printable ASCII character in the
	 * suffix of a local, a core-schema and any other tag. */
	{
		static const char *const heads[] = {"!a", "tag:yaml.org,2002:a", "tag:example.com,2000:a"};
		int wrong = 0, broken = 0;
		for (size_t h = 0; h < 3; h++)
			for (int ch = 0x21; ch < 0x7f; ch++) {
				char tag[64];
				snprintf(tag, sizeof(tag), "%s%cb", heads[h], ch);
				bool ok = tag_round_trips(tag, false) && tag_round_trips(tag, true);
				broken += !ok;
				if (ynode_tag_needs_verbatim(tag) == ok) {
					fprintf(stderr, "tag %s: libyaml %s it back\n", tag, ok ? "reads" : "does not read");
					wrong++;
				}
			}
		CHECK("tags libyaml cannot write back: exactly the ones named", wrong == 0 && broken == 6);
	}
	return check_done();
}
