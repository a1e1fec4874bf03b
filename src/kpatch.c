/* kpatch.c -- the kustomize patches between two trees of one object (see
 * kpatch.h). The strategic-merge patch holds every mapping key that was
 * added or changed, `key: null` for one that went, the whole new list for a
 * list of scalars (kustomize replaces those), and `$patch: replace` before
 * the whole new list for a list of mappings it would not merge by a key we
 * know. In a keyed list (a pod spec's containers and volumes, a container's
 * ports, env and mounts, a Service's ports) a changed item is written as
 * its key and its changes, a removed one as its key and `$patch: delete`.
 * An item appended to a keyed list becomes a JSON6902 "add" at the list's
 * end instead (kustomize's merge would put it first), preceded by "test"
 * operations that fail the build if an index on its path names another
 * item. An item inserted before existing ones, or items reordered, get the
 * `$patch: replace` form. Values in operations must read the same to YAML
 * 1.1 (kustomize reads JSON6902 patches with it) and 1.2 (the objects). */
#include "kpatch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "ynode.h"
#include "yscalar.h"

enum ctx { CTX_OTHER, CTX_POD_SPEC, CTX_CONTAINER, CTX_SERVICE_SPEC };

/* The keyed lists kustomize merges in the built-in kinds (their OpenAPI
 * x-kubernetes-patch-merge-key). Ports are also keyed by protocol when they
 * name one. */
static const struct {
	const char *field, *key;
	enum ctx ctx, items;
} keyed[] = {
	{"containers", "name", CTX_POD_SPEC, CTX_CONTAINER},
	{"initContainers", "name", CTX_POD_SPEC, CTX_CONTAINER},
	{"ephemeralContainers", "name", CTX_POD_SPEC, CTX_CONTAINER},
	{"volumes", "name", CTX_POD_SPEC, CTX_OTHER},
	{"imagePullSecrets", "name", CTX_POD_SPEC, CTX_OTHER},
	{"ports", "containerPort", CTX_CONTAINER, CTX_OTHER},
	{"env", "name", CTX_CONTAINER, CTX_OTHER},
	{"volumeMounts", "mountPath", CTX_CONTAINER, CTX_OTHER},
	{"volumeDevices", "devicePath", CTX_CONTAINER, CTX_OTHER},
	{"ports", "port", CTX_SERVICE_SPEC, CTX_OTHER},
};

/* A list index on the path of the node being compared: the operations that
 * pass through it first test that the item there is still this one. */
struct guard {
	size_t ptr_len;  /* the pointer up to and including the index */
	const char *key; /* the key field */
	int key_node;    /* its value in B */
	bool done;       /* its "test" operation is written */
};

#define MAX_GUARDS 16

struct kp {
	yaml_document_t *a, *b;
	yaml_document_t work; /* the strategic-merge changes, before the identity goes first */
	yaml_document_t *ops;
	int ops_root;
	const struct kpatch_object *obj;
	bool builtin;
	struct buf ptr; /* JSON pointer of the node compared, as in the object after the merge */
	struct guard guard[MAX_GUARDS];
	size_t nguard;
	size_t cloned;
	char *why;
	size_t whylen;
	bool failed;
};

__attribute__((format(printf, 2, 3))) static int
fail(struct kp *kp, const char *fmt, ...)
{
	if (kp->failed)
		return -1;
	kp->failed = true;
	va_list ap;
	va_start(ap, fmt);
	int n = snprintf(kp->why, kp->whylen, "%s: ", kp->ptr.len ? kp->ptr.data : "/");
	if (n > 0 && (size_t)n < kp->whylen)
		vsnprintf(kp->why + n, kp->whylen - (size_t)n, fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized): false positive, as in diag.c */
	va_end(ap);
	return -1;
}

static void
ptr_push(struct buf *p, const char *key)
{
	buf_adds(p, "/");
	for (const char *c = key; *c; c++)
		buf_adds(p, *c == '~' ? "~0" : *c == '/' ? "~1" : (char[]){*c, 0});
}

static void
ptr_push_index(struct buf *p, size_t i)
{
	char n[32];
	snprintf(n, sizeof(n), "/%zu", i);
	buf_adds(p, n);
}

static void
ptr_pop(struct buf *p, size_t len)
{
	p->len = len;
	if (p->data)
		p->data[len] = 0;
}

static bool
is_default_tag(const yaml_node_t *n)
{
	const char *t = (const char *)n->tag;
	return !t || !strcmp(t, YAML_STR_TAG) || !strcmp(t, YAML_SEQ_TAG) || !strcmp(t, YAML_MAP_TAG);
}

/* Plain text that every reader takes for the same null, boolean or decimal
 * integer (what a JSON6902 value may hold besides strings). */
static bool
plain_same_everywhere(const char *t)
{
	if (!strcmp(t, "null") || !strcmp(t, "true") || !strcmp(t, "false"))
		return true;
	t += *t == '-';
	if (*t == '0')
		return !t[1];
	if (*t < '1' || *t > '9')
		return false;
	while (*t >= '0' && *t <= '9')
		t++;
	return !*t;
}

/* Copy node ID of SRC into DST with its styles and explicit tags; FOR_OPS
 * also requires every scalar to read the same under YAML 1.1 and 1.2.
 * Returns the new node, or -1 (reported through kp). */
static int
clone(struct kp *kp, yaml_document_t *src, int id, yaml_document_t *dst, bool for_ops)
{
	yaml_node_t *n = ynode_at(src, id);
	if (!n)
		return fail(kp, "internal error: no node %d", id);
	if (++kp->cloned > YNODE_CLONE_NODES)
		return fail(kp, "the patch would copy more than %d nodes (aliases expanded)", YNODE_CLONE_NODES);
	yaml_char_t *tag = is_default_tag(n) ? NULL : n->tag;
	if (tag && !strcmp((char *)tag, "!"))
		return fail(kp, "a value with the non-specific tag '!', which YAML readers disagree on");
	if (ynode_tag_needs_verbatim((const char *)tag))
		return fail(kp, "a value with the tag '%s', which libyaml would write as a shorthand its own reader "
			    "rejects", (const char *)tag);
	int out = 0;
	switch (n->type) {
	case YAML_SCALAR_NODE: {
		const char *v = (const char *)n->data.scalar.value;
		if (for_ops && (tag || (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !yscalar_plain_is_str(v) &&
					!plain_same_everywhere(v))))
			return fail(kp, "the value '%s' reads differently in YAML 1.1 (kustomize's JSON6902 reader) and "
				  "1.2; quote it in the chart", v);
		out = yaml_document_add_scalar(dst, tag, n->data.scalar.value, (int)n->data.scalar.length,
					       n->data.scalar.style);
		break;
	}
	case YAML_SEQUENCE_NODE: {
		yaml_node_item_t *items = n->data.sequence.items.start;
		size_t count = (size_t)(n->data.sequence.items.top - items);
		out = yaml_document_add_sequence(dst, tag, n->data.sequence.style);
		for (size_t i = 0; out && i < count; i++) {
			int c = clone(kp, src, items[i], dst, for_ops);
			if (c < 0)
				return -1;
			if (!yaml_document_append_sequence_item(dst, out, c))
				out = 0;
		}
		break;
	}
	case YAML_MAPPING_NODE: {
		yaml_node_pair_t *pairs = n->data.mapping.pairs.start;
		size_t count = (size_t)(n->data.mapping.pairs.top - pairs);
		out = yaml_document_add_mapping(dst, tag, n->data.mapping.style);
		for (size_t i = 0; out && i < count; i++) {
			int k = clone(kp, src, pairs[i].key, dst, for_ops);
			int v = k < 0 ? -1 : clone(kp, src, pairs[i].value, dst, for_ops);
			if (v < 0)
				return -1;
			if (!yaml_document_append_mapping_pair(dst, out, k, v))
				out = 0;
		}
		break;
	}
	default: break;
	}
	return out ? out : fail(kp, "out of memory building the patch");
}

static bool
scalar_same(const yaml_node_t *x, const yaml_node_t *y)
{
	if (x->data.scalar.length != y->data.scalar.length ||
	    memcmp(x->data.scalar.value, y->data.scalar.value, x->data.scalar.length) != 0)
		return false;
	if (is_default_tag(x) != is_default_tag(y) || (!is_default_tag(x) && strcmp((char *)x->tag, (char *)y->tag) != 0))
		return false;
	bool xp = x->data.scalar.style == YAML_PLAIN_SCALAR_STYLE, yp = y->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	/* Plain against quoted: the same when the plain text reads as a string. */
	return xp == yp || yscalar_plain_is_str((const char *)x->data.scalar.value);
}

static bool
same(yaml_document_t *a, int an, yaml_document_t *b, int bn, int depth)
{
	yaml_node_t *x = ynode_at(a, an), *y = ynode_at(b, bn);
	if (!x || !y || x->type != y->type || depth > YNODE_CLONE_DEPTH)
		return false;
	switch (x->type) {
	case YAML_SCALAR_NODE: return scalar_same(x, y);
	case YAML_SEQUENCE_NODE: {
		size_t n = ynode_seq_len(a, an);
		if (n != ynode_seq_len(b, bn))
			return false;
		for (size_t i = 0; i < n; i++)
			if (!same(a, ynode_seq_item(a, an, i), b, ynode_seq_item(b, bn, i), depth + 1))
				return false;
		return true;
	}
	case YAML_MAPPING_NODE: {
		size_t n = (size_t)(x->data.mapping.pairs.top - x->data.mapping.pairs.start);
		if (n != (size_t)(y->data.mapping.pairs.top - y->data.mapping.pairs.start))
			return false;
		for (size_t i = 0; i < n; i++) {
			yaml_node_pair_t p = ynode_at(b, bn)->data.mapping.pairs.start[i];
			const char *k = ynode_str(b, p.key);
			if (!k || !same(a, ynode_get(a, an, k), b, p.value, depth + 1))
				return false;
		}
		return true;
	}
	default: return false;
	}
}

static int
new_str(struct kp *kp, yaml_document_t *d, const char *s, yaml_scalar_style_t style)
{
	int id = ynode_new_str(d, s, style);
	return id ? id : fail(kp, "out of memory building the patch");
}

static bool
pair_in(yaml_document_t *d, int map, int k, int v)
{
	return k > 0 && v > 0 && yaml_document_append_mapping_pair(d, map, k, v);
}

/* Append one JSON6902 operation (VALUE already in the operations' document,
 * or 0), after the "test" operations of the guards not written yet. */
static int
add_op(struct kp *kp, const char *op, const char *path, int (*value)(struct kp *, void *), void *arg)
{
	if (!kp->ops_root && !(kp->ops_root = ynode_new_seq(kp->ops)))
		return fail(kp, "out of memory building the patch");
	for (size_t g = 0; g < kp->nguard; g++) {
		struct guard *gd = &kp->guard[g];
		if (gd->done)
			continue;
		struct buf p = {0};
		buf_add(&p, kp->ptr.data, gd->ptr_len);
		ptr_push(&p, gd->key);
		int m = ynode_new_map(kp->ops);
		bool ok = m && pair_in(kp->ops, m, new_str(kp, kp->ops, "op", YAML_PLAIN_SCALAR_STYLE),
				       new_str(kp, kp->ops, "test", YAML_PLAIN_SCALAR_STYLE)) &&
			  pair_in(kp->ops, m, new_str(kp, kp->ops, "path", YAML_PLAIN_SCALAR_STYLE),
				  new_str(kp, kp->ops, p.data, YAML_ANY_SCALAR_STYLE));
		buf_free(&p);
		int v = ok ? clone(kp, kp->b, gd->key_node, kp->ops, true) : -1;
		if (v < 0 || !pair_in(kp->ops, m, new_str(kp, kp->ops, "value", YAML_PLAIN_SCALAR_STYLE), v) ||
		    !yaml_document_append_sequence_item(kp->ops, kp->ops_root, m))
			return fail(kp, "out of memory building the patch");
		gd->done = true;
	}
	int m = ynode_new_map(kp->ops);
	if (!m || !pair_in(kp->ops, m, new_str(kp, kp->ops, "op", YAML_PLAIN_SCALAR_STYLE),
			   new_str(kp, kp->ops, op, YAML_PLAIN_SCALAR_STYLE)) ||
	    !pair_in(kp->ops, m, new_str(kp, kp->ops, "path", YAML_PLAIN_SCALAR_STYLE),
		     new_str(kp, kp->ops, path, YAML_ANY_SCALAR_STYLE)))
		return fail(kp, "out of memory building the patch");
	int v = value(kp, arg);
	if (v < 0 || !pair_in(kp->ops, m, new_str(kp, kp->ops, "value", YAML_PLAIN_SCALAR_STYLE), v) ||
	    !yaml_document_append_sequence_item(kp->ops, kp->ops_root, m))
		return fail(kp, "out of memory building the patch");
	return 0;
}

static int
op_value_from_b(struct kp *kp, void *id)
{
	return clone(kp, kp->b, *(int *)id, kp->ops, true);
}

static int
op_value_from_a(struct kp *kp, void *id)
{
	return clone(kp, kp->a, *(int *)id, kp->ops, true);
}

/* Text of more than one line (a configuration file in a ConfigMap, a
 * script): a run changes some lines and keeps the render's others. A merge
 * patch would carry the whole text and, applied to the next chart version's
 * render, silently put this render's lines back; a JSON6902 "test" of the
 * old text before the "replace" makes kustomize fail there instead. */
static bool
is_text(const yaml_node_t *x)
{
	return x->type == YAML_SCALAR_NODE && is_default_tag(x) &&
	       memchr(x->data.scalar.value, '\n', x->data.scalar.length);
}

static int diff_map(struct kp *kp, int an, int bn, enum ctx ctx);

/* Whether a scalar reads as a string (quoted, a block, or plain text no
 * reader takes for anything else) and, if not, its tag. kustomize's merge
 * keeps the old value's type when it writes a new one over it (a quoted
 * "1000" replaced by a plain 0 stays a string), so a change of type is a
 * JSON6902 "replace" instead. */
static bool
same_type(const yaml_node_t *x, const yaml_node_t *y)
{
	bool xs = x->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
		  yscalar_plain_is_str((const char *)x->data.scalar.value);
	bool ys = y->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
		  yscalar_plain_is_str((const char *)y->data.scalar.value);
	return xs == ys && is_default_tag(x) && is_default_tag(y);
}

/* Key of item I of a keyed list (a scalar node), or 0. */
static int
item_key(yaml_document_t *d, int seq, size_t i, const char *key)
{
	int item = ynode_seq_item(d, seq, i);
	int k = ynode_is_map(d, item) ? ynode_get(d, item, key) : 0;
	return k && ynode_str(d, k) ? k : 0;
}

/* Whether every item of SEQ has KEY and no two the same (with protocol,
 * for ports). */
static bool
keyed_ok(yaml_document_t *d, int seq, const char *key, bool ports)
{
	size_t n = ynode_seq_len(d, seq);
	for (size_t i = 0; i < n; i++) {
		int ki = item_key(d, seq, i, key);
		if (!ki)
			return false;
		for (size_t j = 0; j < i; j++) {
			int kj = item_key(d, seq, j, key);
			int pi = ports ? item_key(d, seq, i, "protocol") : 0, pj = ports ? item_key(d, seq, j, "protocol") : 0;
			if (!strcmp(ynode_str(d, ki), ynode_str(d, kj)) &&
			    !strcmp(pi ? ynode_str(d, pi) : "TCP", pj ? ynode_str(d, pj) : "TCP"))
				return false;
		}
	}
	return true;
}

/* Index in A's list of the item whose key (and protocol) is B's item I's, or -1. */
static long
find_item(struct kp *kp, int aseq, int bseq, size_t i, const char *key, bool ports)
{
	const char *k = ynode_str(kp->b, item_key(kp->b, bseq, i, key));
	int bp = ports ? item_key(kp->b, bseq, i, "protocol") : 0;
	const char *p = bp ? ynode_str(kp->b, bp) : "TCP";
	size_t n = ynode_seq_len(kp->a, aseq);
	for (size_t j = 0; j < n; j++) {
		int ap = ports ? item_key(kp->a, aseq, j, "protocol") : 0;
		if (!strcmp(ynode_str(kp->a, item_key(kp->a, aseq, j, key)), k) && !strcmp(ap ? ynode_str(kp->a, ap) : "TCP", p))
			return (long)j;
	}
	return -1;
}

/* The whole list B, written over whatever kustomize would merge. */
static int
replace_list(struct kp *kp, int bn)
{
	bool maps = false;
	for (size_t i = 0; i < ynode_seq_len(kp->b, bn); i++)
		maps |= ynode_is_map(kp->b, ynode_seq_item(kp->b, bn, i));
	if (!maps) /* a list of scalars cannot be merged: kustomize replaces it */
		return clone(kp, kp->b, bn, &kp->work, false);
	int s = ynode_new_seq(&kp->work), m = ynode_new_map(&kp->work);
	if (!s || !m || !pair_in(&kp->work, m, new_str(kp, &kp->work, "$patch", YAML_PLAIN_SCALAR_STYLE),
				 new_str(kp, &kp->work, "replace", YAML_PLAIN_SCALAR_STYLE)) ||
	    !yaml_document_append_sequence_item(&kp->work, s, m))
		return fail(kp, "out of memory building the patch");
	for (size_t i = 0; i < ynode_seq_len(kp->b, bn); i++) {
		int c = clone(kp, kp->b, ynode_seq_item(kp->b, bn, i), &kp->work, false);
		if (c < 0)
			return -1;
		if (!yaml_document_append_sequence_item(&kp->work, s, c))
			return fail(kp, "out of memory building the patch");
	}
	return s;
}

/* An item of a keyed list in the patch: its key (and protocol), then BODY's
 * pairs (a mapping of the work document, or 0) or `$patch: delete`. */
static int
keyed_item(struct kp *kp, yaml_document_t *src, int item, const char *key, bool ports, int body)
{
	int m = ynode_new_map(&kp->work);
	if (!m)
		return fail(kp, "out of memory building the patch");
	const char *ids[2] = {key, ports ? "protocol" : NULL};
	for (size_t i = 0; i < 2 && ids[i]; i++) {
		int v = ynode_get(src, item, ids[i]);
		if (!v)
			continue;
		int k = new_str(kp, &kp->work, ids[i], YAML_PLAIN_SCALAR_STYLE), c = clone(kp, src, v, &kp->work, false);
		if (c < 0 || !pair_in(&kp->work, m, k, c))
			return fail(kp, "out of memory building the patch");
	}
	if (!body)
		return pair_in(&kp->work, m, new_str(kp, &kp->work, "$patch", YAML_PLAIN_SCALAR_STYLE),
			       new_str(kp, &kp->work, "delete", YAML_PLAIN_SCALAR_STYLE))
			       ? m
			       : fail(kp, "out of memory building the patch");
	yaml_node_t *bd = ynode_at(&kp->work, body);
	size_t n = (size_t)(bd->data.mapping.pairs.top - bd->data.mapping.pairs.start);
	for (size_t i = 0; i < n; i++) {
		yaml_node_pair_t p = ynode_at(&kp->work, body)->data.mapping.pairs.start[i];
		if (!yaml_document_append_mapping_pair(&kp->work, m, p.key, p.value))
			return fail(kp, "out of memory building the patch");
	}
	return m;
}

/* The changes from list AN to list BN (field FIELD in context CTX): a list
 * node of the work document, 0 for none (appends go to the operations), or
 * -1. */
static int
diff_seq(struct kp *kp, int an, int bn, const char *field, enum ctx ctx)
{
	const char *key = NULL;
	enum ctx items = CTX_OTHER;
	for (size_t i = 0; kp->builtin && i < countof(keyed); i++)
		if (keyed[i].ctx == ctx && !strcmp(keyed[i].field, field)) {
			key = keyed[i].key;
			items = keyed[i].items;
		}
	bool ports = key && !strcmp(field, "ports");
	if (!key || !keyed_ok(kp->a, an, key, ports) || !keyed_ok(kp->b, bn, key, ports))
		return replace_list(kp, bn);
	size_t na = ynode_seq_len(kp->a, an), nb = ynode_seq_len(kp->b, bn);
	long *at = xmalloc((nb + 1) * sizeof(*at));
	bool *kept = xcalloc(na + 1, sizeof(*kept));
	long last = -1;
	bool appended = false, in_order = true;
	for (size_t i = 0; i < nb; i++) {
		at[i] = find_item(kp, an, bn, i, key, ports);
		if (at[i] < 0) {
			appended = true;
			continue;
		}
		if (appended || at[i] < last)
			in_order = false;
		last = at[i];
		kept[at[i]] = true;
	}
	int out = 0;
	if (!in_order) {
		out = replace_list(kp, bn);
		goto done;
	}
	size_t base = kp->ptr.len;
	for (size_t i = 0; i < nb && out >= 0; i++) {
		if (at[i] < 0)
			continue;
		/* Its index once the merge has deleted the items that went. */
		size_t gone = 0;
		for (long j = 0; j < at[i]; j++)
			gone += !kept[j];
		ptr_push_index(&kp->ptr, (size_t)at[i] - gone);
		if (kp->nguard == MAX_GUARDS) {
			out = fail(kp, "lists nested too deep");
			break;
		}
		kp->guard[kp->nguard++] =
			(struct guard){kp->ptr.len, key, ynode_get(kp->b, ynode_seq_item(kp->b, bn, i), key), false};
		int aitem = ynode_seq_item(kp->a, an, (size_t)at[i]), bitem = ynode_seq_item(kp->b, bn, i);
		int sub = diff_map(kp, aitem, bitem, items);
		kp->nguard--;
		ptr_pop(&kp->ptr, base);
		if (sub < 0) {
			out = -1;
		} else if (sub) {
			int it = keyed_item(kp, kp->b, bitem, key, ports, sub);
			if (it < 0 || (!out && !(out = ynode_new_seq(&kp->work))) ||
			    !yaml_document_append_sequence_item(&kp->work, out, it))
				out = fail(kp, "out of memory building the patch");
		}
	}
	for (size_t j = 0; j < na && out >= 0; j++) {
		if (kept[j])
			continue;
		int it = keyed_item(kp, kp->a, ynode_seq_item(kp->a, an, j), key, ports, 0);
		if (it < 0 || (!out && !(out = ynode_new_seq(&kp->work))) ||
		    !yaml_document_append_sequence_item(&kp->work, out, it))
			out = fail(kp, "out of memory building the patch");
	}
	for (size_t i = 0; i < nb && out >= 0; i++) {
		if (at[i] >= 0)
			continue;
		int item = ynode_seq_item(kp->b, bn, i);
		buf_adds(&kp->ptr, "/-");
		if (add_op(kp, "add", kp->ptr.data, op_value_from_b, &item) < 0)
			out = -1;
		ptr_pop(&kp->ptr, base);
	}
done:
	free(at);
	free(kept);
	return out;
}

static enum ctx
child_ctx(struct kp *kp, const char *key, int bvalue)
{
	if (kp->builtin && bvalue == kp->obj->pod_spec)
		return CTX_POD_SPEC;
	if (kp->builtin && !strcmp(kp->obj->kind, "Service") && !strcmp(kp->ptr.data, "/spec") && !strcmp(key, "spec"))
		return CTX_SERVICE_SPEC;
	return CTX_OTHER;
}

/* The changes from mapping AN to mapping BN: a mapping of the work
 * document, 0 for none, or -1. */
static int
diff_map(struct kp *kp, int an, int bn, enum ctx ctx)
{
	int out = 0;
	size_t base = kp->ptr.len;
	size_t n = (size_t)(ynode_at(kp->b, bn)->data.mapping.pairs.top - ynode_at(kp->b, bn)->data.mapping.pairs.start);
	for (size_t i = 0; i < n; i++) {
		yaml_node_pair_t p = ynode_at(kp->b, bn)->data.mapping.pairs.start[i];
		const char *key = ynode_str(kp->b, p.key);
		if (!key)
			return fail(kp, "a key that is not a scalar");
		int av = ynode_get(kp->a, an, key), sub;
		/* X is the render's value (NULL: a new key), Y the run's. */
		yaml_node_t *x = av ? ynode_at(kp->a, av) : NULL, *y = ynode_at(kp->b, p.value);
		bool scalars = x && y && x->type == YAML_SCALAR_NODE && y->type == YAML_SCALAR_NODE;
		ptr_push(&kp->ptr, key);
		if (x && same(kp->a, av, kp->b, p.value, 0))
			sub = 0;
		else if (x && ynode_is_map(kp->a, av) && ynode_is_map(kp->b, p.value))
			sub = diff_map(kp, av, p.value, child_ctx(kp, key, p.value));
		else if (x && ynode_is_seq(kp->a, av) && ynode_is_seq(kp->b, p.value))
			sub = diff_seq(kp, av, p.value, key, ctx);
		else if (scalars && !same_type(x, y)) {
			int v = p.value;
			sub = add_op(kp, "replace", kp->ptr.data, op_value_from_b, &v);
		} else if (scalars && is_text(x)) {
			int v = p.value;
			sub = add_op(kp, "test", kp->ptr.data, op_value_from_a, &av);
			if (!sub)
				sub = add_op(kp, "replace", kp->ptr.data, op_value_from_b, &v);
		} else
			sub = clone(kp, kp->b, p.value, &kp->work, false);
		ptr_pop(&kp->ptr, base);
		if (sub < 0)
			return -1;
		if (!sub)
			continue;
		int k = clone(kp, kp->b, p.key, &kp->work, false);
		if (k < 0 || (!out && !(out = ynode_new_map(&kp->work))) || !pair_in(&kp->work, out, k, sub))
			return fail(kp, "out of memory building the patch");
	}
	n = (size_t)(ynode_at(kp->a, an)->data.mapping.pairs.top - ynode_at(kp->a, an)->data.mapping.pairs.start);
	for (size_t i = 0; i < n; i++) {
		yaml_node_pair_t p = ynode_at(kp->a, an)->data.mapping.pairs.start[i];
		const char *key = ynode_str(kp->a, p.key);
		if (!key || ynode_get(kp->b, bn, key))
			continue;
		int k = clone(kp, kp->a, p.key, &kp->work, false);
		if (k < 0 || (!out && !(out = ynode_new_map(&kp->work))) ||
		    !pair_in(&kp->work, out, k, new_str(kp, &kp->work, "null", YAML_PLAIN_SCALAR_STYLE)))
			return fail(kp, "out of memory building the patch");
	}
	return out;
}

/* P->smp: B's apiVersion, kind, metadata.name and metadata.namespace first
 * (the root is a document's first node), then the changes in CHANGES. */
static int
assemble(struct kp *kp, int bn, int changes, struct kpatch *p)
{
	yaml_document_t *s = &p->smp;
	int root = ynode_new_map(s), meta = ynode_new_map(s);
	if (!root || !meta)
		return fail(kp, "out of memory building the patch");
	const char *ident[] = {"apiVersion", "kind"};
	for (size_t i = 0; i < countof(ident); i++) {
		int v = ynode_get(kp->b, bn, ident[i]);
		int c = v ? clone(kp, kp->b, v, s, false) : -1;
		if (c < 0 || !pair_in(s, root, new_str(kp, s, ident[i], YAML_PLAIN_SCALAR_STYLE), c))
			return v ? -1 : fail(kp, "no %s", ident[i]);
	}
	if (!pair_in(s, root, new_str(kp, s, "metadata", YAML_PLAIN_SCALAR_STYLE), meta))
		return fail(kp, "out of memory building the patch");
	int bmeta = ynode_get(kp->b, bn, "metadata");
	const char *names[] = {"name", "namespace"};
	for (size_t i = 0; i < countof(names); i++) {
		int v = bmeta ? ynode_get(kp->b, bmeta, names[i]) : 0;
		if (!v)
			continue;
		int c = clone(kp, kp->b, v, s, false);
		if (c < 0 || !pair_in(s, meta, new_str(kp, s, names[i], YAML_PLAIN_SCALAR_STYLE), c))
			return -1;
	}
	yaml_node_t *ch = ynode_at(&kp->work, changes);
	size_t n = ch ? (size_t)(ch->data.mapping.pairs.top - ch->data.mapping.pairs.start) : 0;
	for (size_t i = 0; i < n; i++) {
		yaml_node_pair_t pr = ynode_at(&kp->work, changes)->data.mapping.pairs.start[i];
		const char *key = ynode_str(&kp->work, pr.key);
		if (key && !strcmp(key, "metadata") && ynode_is_map(&kp->work, pr.value)) {
			yaml_node_t *m = ynode_at(&kp->work, pr.value);
			size_t mn = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
			for (size_t j = 0; j < mn; j++) {
				yaml_node_pair_t mp = ynode_at(&kp->work, pr.value)->data.mapping.pairs.start[j];
				const char *mk = ynode_str(&kp->work, mp.key);
				if (mk && (!strcmp(mk, "name") || !strcmp(mk, "namespace")))
					return fail(kp, "the object's %s changed, which a patch cannot target", mk);
				int k = clone(kp, &kp->work, mp.key, s, false), v = k < 0 ? -1 : clone(kp, &kp->work, mp.value, s, false);
				if (v < 0 || !pair_in(s, meta, k, v))
					return -1;
			}
			continue;
		}
		if (key && (!strcmp(key, "apiVersion") || !strcmp(key, "kind")))
			return fail(kp, "the object's %s changed, which a patch cannot target", key);
		int k = clone(kp, &kp->work, pr.key, s, false), v = k < 0 ? -1 : clone(kp, &kp->work, pr.value, s, false);
		if (v < 0 || !pair_in(s, root, k, v))
			return -1;
	}
	return 0;
}

int
kpatch_build(yaml_document_t *a, int an, yaml_document_t *b, int bn, const struct kpatch_object *obj,
	     struct kpatch *p, char *why, size_t whylen)
{
	struct kp kp = {.a = a, .b = b, .ops = &p->ops, .obj = obj, .why = why, .whylen = whylen};
	memset(p, 0, sizeof(*p));
	/* The kinds whose keyed lists kustomize knows from Kubernetes' OpenAPI. */
	const char *api = obj->api_version ? obj->api_version : "";
	kp.builtin = !strcmp(api, "v1") || !strcmp(api, "apps/v1") || !strcmp(api, "batch/v1");
	if (!yaml_document_initialize(&kp.work, NULL, NULL, NULL, 1, 1) ||
	    !yaml_document_initialize(&p->smp, NULL, NULL, NULL, 1, 1) ||
	    !yaml_document_initialize(&p->ops, NULL, NULL, NULL, 1, 1))
		xoom();
	buf_adds(&kp.ptr, "");
	int changes = ynode_is_map(a, an) && ynode_is_map(b, bn) ? diff_map(&kp, an, bn, CTX_OTHER)
								 : fail(&kp, "the object is not a mapping");
	int rc = changes < 0 ? -1 : assemble(&kp, bn, changes, p);
	p->has_smp = changes > 0;
	p->has_ops = kp.ops_root != 0;
	yaml_document_delete(&kp.work);
	buf_free(&kp.ptr);
	if (rc < 0 || kp.failed) {
		kpatch_free(p);
		return -1;
	}
	return 0;
}

void
kpatch_free(struct kpatch *p)
{
	yaml_document_delete(&p->smp);
	yaml_document_delete(&p->ops);
	memset(p, 0, sizeof(*p));
}
