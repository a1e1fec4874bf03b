/* envsrc.c -- records ConfigMaps and Secrets seen in the stream and resolves
 * a container's environment variables the way the kubelet does: envFrom
 * sources in order (a later source wins), then env entries (the last entry
 * of a name wins over everything). Values from valueFrom references are
 * resolved only when the referenced key is one we recorded. Objects with
 * none of the recorded keys (nearly all of them) are only remembered as
 * present, in a fixed-size Bloom filter, so memory does not grow with the
 * stream; a false positive (rare below some 100,000 objects) can only turn
 * a "source missing from the stream" warning into "not set". */
#include "envsrc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "ynode.h"

static const char *const vars[] = {ENVSRC_VARS};

struct kv {
	char *key;
	char *value;
};

struct source {
	bool secret;
	char *name;
	char *namespace_; /* NULL when the object had none */
	struct kv *kv;
	size_t nkv;
};

#define SEEN_BITS ((uint64_t)1 << 20) /* 128 KiB */
#define SEEN_HASHES 4

struct envsrc {
	struct source *s; /* objects with recorded keys */
	size_t n, cap;
	unsigned char *seen; /* Bloom filter of the others */
};

/* An object that exists without any recorded key. */
static const struct source keyless;

struct envsrc *
envsrc_new(void)
{
	struct envsrc *e = xcalloc(1, sizeof(struct envsrc));
	e->seen = xcalloc(SEEN_BITS / 8, 1);
	return e;
}

/* FNV-1a over "S|name|ns" (ns "*" stands for any namespace, "" for none). */
static uint64_t
seen_hash(bool secret, const char *name, const char *ns)
{
	uint64_t h = 14695981039346656037u;
	const char *parts[] = {secret ? "S" : "C", name, ns};
	for (size_t i = 0; i < countof(parts); i++) {
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++)
			h = (h ^ *p) * 1099511628211u;
		h = (h ^ 0xff) * 1099511628211u; /* separator no name contains */
	}
	return h;
}

static bool
seen_bits(struct envsrc *e, uint64_t h, bool set)
{
	uint64_t h2 = (h >> 32) | (h << 32) | 1;
	for (unsigned i = 0; i < SEEN_HASHES; i++) {
		uint64_t bit = (h + i * h2) % SEEN_BITS;
		if (set)
			e->seen[bit / 8] |= (unsigned char)(1u << (bit % 8));
		else if (!(e->seen[bit / 8] & (1u << (bit % 8))))
			return false;
	}
	return true;
}

/* Was an object of that kind and name seen where a lookup from namespace
 * NS (NULL: none) finds it? An absent namespace on either side matches. */
static bool
seen_has(struct envsrc *e, bool secret, const char *name, const char *ns)
{
	if (!ns)
		return seen_bits(e, seen_hash(secret, name, "*"), false);
	return seen_bits(e, seen_hash(secret, name, ns), false) || seen_bits(e, seen_hash(secret, name, ""), false);
}

static void
source_free(struct source *s)
{
	for (size_t j = 0; j < s->nkv; j++) {
		free(s->kv[j].key);
		free(s->kv[j].value);
	}
	free(s->kv);
	free(s->name);
	free(s->namespace_);
}

void
envsrc_free(struct envsrc *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++)
		source_free(&e->s[i]);
	free(e->s);
	free(e->seen);
	free(e);
}

/* A key is worth keeping when it is one of vars[], possibly behind an
 * envFrom prefix. */
static bool
interesting(const char *key)
{
	size_t n = strlen(key);
	for (size_t i = 0; i < countof(vars); i++) {
		size_t k = strlen(vars[i]);
		if (n >= k && strcmp(key + n - k, vars[i]) == 0)
			return true;
	}
	return false;
}

static int
b64(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decode base64 (Secret data); NULL when it is not valid base64 text. */
static char *
base64_decode(const char *in)
{
	size_t n = strlen(in), o = 0;
	char *out = xmalloc(n / 4 * 3 + 4);
	unsigned acc = 0;
	int bits = 0;
	for (const char *p = in; *p && *p != '='; p++) {
		int v = b64((unsigned char)*p);
		if (v < 0) {
			if (*p == '\n' || *p == '\r' || *p == ' ')
				continue;
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	if (strlen(out) != o) { /* binary data is not an environment value */
		free(out);
		return NULL;
	}
	return out;
}

static void
put(struct source *s, const char *key, char *value)
{
	for (size_t i = 0; i < s->nkv; i++)
		if (strcmp(s->kv[i].key, key) == 0) { /* stringData wins over data */
			free(s->kv[i].value);
			s->kv[i].value = value;
			return;
		}
	s->kv = xrealloc(s->kv, (s->nkv + 1) * sizeof(*s->kv));
	s->kv[s->nkv].key = xstrdup(key);
	s->kv[s->nkv++].value = value;
}

static void
record_map(yaml_document_t *y, struct source *s, int map, bool encoded)
{
	yaml_node_t *m = ynode_at(y, map);
	if (!m || m->type != YAML_MAPPING_NODE)
		return;
	size_t n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
	for (size_t i = 0; i < n; i++) {
		yaml_node_pair_t p = ynode_at(y, map)->data.mapping.pairs.start[i];
		const char *k = ynode_str(y, p.key), *v = ynode_str(y, p.value);
		if (!k || !v || !interesting(k))
			continue;
		char *value = encoded ? base64_decode(v) : xstrdup(v);
		if (value)
			put(s, k, value);
	}
}

static bool
same_ns(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

void
envsrc_observe(struct envsrc *e, struct doc *d)
{
	for (size_t i = 0; i < d->nobjects; i++) {
		const struct object *o = &d->objects[i];
		bool secret = o->kind && strcmp(o->kind, "Secret") == 0;
		if (!o->kind || !o->name || (!secret && strcmp(o->kind, "ConfigMap") != 0))
			continue;
		struct source s = {secret, NULL, NULL, NULL, 0};
		record_map(&d->y, &s, ynode_get(&d->y, o->node, "data"), secret);
		if (secret)
			record_map(&d->y, &s, ynode_get(&d->y, o->node, "stringData"), false);
		if (!s.nkv) {
			seen_bits(e, seen_hash(secret, o->name, o->namespace_ ? o->namespace_ : ""), true);
			seen_bits(e, seen_hash(secret, o->name, "*"), true);
			/* A later object of the same identity replaces a recorded one. */
			for (size_t k = e->n; k-- > 0;)
				if (e->s[k].secret == secret && !strcmp(e->s[k].name, o->name) &&
				    same_ns(e->s[k].namespace_, o->namespace_)) {
					source_free(&e->s[k]);
					memmove(&e->s[k], &e->s[k + 1], (e->n - k - 1) * sizeof(*e->s));
					e->n--;
				}
			continue;
		}
		s.name = xstrdup(o->name);
		s.namespace_ = o->namespace_ ? xstrdup(o->namespace_) : NULL;
		if (e->n == e->cap) {
			e->cap = e->cap ? 2 * e->cap : 8;
			e->s = xrealloc(e->s, e->cap * sizeof(*e->s));
		}
		e->s[e->n++] = s;
	}
}

/* The latest recorded object of that kind and name. An absent namespace on
 * either side matches: Helm puts both into the release namespace. */
static const struct source *
find(struct envsrc *e, bool secret, const char *name, const char *ns)
{
	for (size_t i = e->n; i-- > 0;) {
		const struct source *s = &e->s[i];
		if (s->secret == secret && strcmp(s->name, name) == 0 &&
		    (!ns || !s->namespace_ || strcmp(ns, s->namespace_) == 0))
			return s;
	}
	return seen_has(e, secret, name, ns) ? &keyless : NULL;
}

static const char *
get(const struct source *s, const char *key)
{
	for (size_t i = 0; i < s->nkv; i++)
		if (strcmp(s->kv[i].key, key) == 0)
			return s->kv[i].value;
	return NULL;
}

static void
set(struct env_value *out, const char *value, const char *how, const char *kind, const char *name)
{
	out->state = ENV_SET;
	snprintf(out->value, sizeof(out->value), "%s", value);
	if (kind)
		snprintf(out->origin, sizeof(out->origin), "%s%s '%s'", how, kind, name);
	else
		snprintf(out->origin, sizeof(out->origin), "%s", how);
}

static void
unknown(struct env_value *out, const char *kind, const char *name)
{
	out->state = ENV_UNKNOWN;
	out->value[0] = '\0';
	snprintf(out->origin, sizeof(out->origin), "%s '%s'", kind, name);
}

/* Resolve one reference (envFrom item or valueFrom) to a recorded source. */
static int
ref_of(yaml_document_t *y, int item, const char *configmap_key, const char *secret_key, bool *secret,
       const char **name, bool *optional)
{
	int ref = ynode_get(y, item, configmap_key);
	*secret = false;
	if (!ynode_is_map(y, ref)) {
		ref = ynode_get(y, item, secret_key);
		*secret = true;
	}
	if (!ynode_is_map(y, ref))
		return 0;
	*name = ynode_str(y, ynode_get(y, ref, "name"));
	const char *opt = ynode_str(y, ynode_get(y, ref, "optional"));
	*optional = opt && strcmp(opt, "true") == 0;
	return *name ? ref : 0;
}

void
envsrc_lookup(struct envsrc *e, struct doc *d, const struct object *o, const struct container *c,
	      const char *var, struct env_value *out)
{
	yaml_document_t *y = &d->y;
	memset(out, 0, sizeof(*out));
	out->state = ENV_UNSET;

	int from = ynode_get(y, c->node, "envFrom");
	for (size_t i = 0; i < ynode_seq_len(y, from); i++) {
		int item = ynode_seq_item(y, from, i);
		bool secret, optional;
		const char *name;
		int ref = ref_of(y, item, "configMapRef", "secretRef", &secret, &name, &optional);
		if (!ref)
			continue;
		const char *prefix = ynode_str(y, ynode_get(y, item, "prefix"));
		char key[256];
		snprintf(key, sizeof(key), "%s%s", prefix ? prefix : "", var);
		const char *kind = secret ? "Secret" : "ConfigMap";
		const struct source *s = find(e, secret, name, o->namespace_);
		const char *v = s ? get(s, key) : NULL;
		if (v)
			set(out, v, "", kind, name);
		else if (!s)
			unknown(out, kind, name);
	}

	int env = ynode_get(y, c->node, "env");
	for (size_t i = 0; i < ynode_seq_len(y, env); i++) {
		int item = ynode_seq_item(y, env, i);
		const char *name = ynode_str(y, ynode_get(y, item, "name"));
		if (!name || strcmp(name, var) != 0)
			continue;
		int value = ynode_get(y, item, "value");
		int value_from = ynode_get(y, item, "valueFrom");
		if (ynode_is_map(y, value_from)) {
			bool secret, optional;
			const char *ref_name;
			int ref = ref_of(y, value_from, "configMapKeyRef", "secretKeyRef", &secret, &ref_name,
					 &optional);
			const char *key = ref ? ynode_str(y, ynode_get(y, ref, "key")) : NULL;
			const struct source *s = key ? find(e, secret, ref_name, o->namespace_) : NULL;
			const char *v = s ? get(s, key) : NULL;
			if (v)
				set(out, v, "env valueFrom ", secret ? "Secret" : "ConfigMap", ref_name);
			else if (s && interesting(key))
				; /* the key is not in that source: nothing set */
			else
				unknown(out, ref ? (secret ? "Secret" : "ConfigMap") : "env valueFrom",
					ref ? ref_name : var);
			continue;
		}
		const char *v = ynode_str(y, value);
		set(out, v && !ynode_is_null(y, value) ? v : "", "the container's env", NULL, NULL);
	}
}
