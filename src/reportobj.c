/* reportobj.c -- builds the --report-object ConfigMap from what report.c
 * collected and the effective configuration: every list as sorted, unique
 * lines without stream positions, each data value a double-quoted string. It
 * reads no input of its own and decides nothing about the stream: runner.c
 * says whether a fresh report is written. */
#include "reportobj.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "report.h"
#include "util.h"
#include "ynode.h"
#include "yscalar.h"

#ifndef VERSION
#define VERSION "unknown"
#endif

#define SUFFIX "-" PROG_NAME

static bool ns_noted; /* the release namespace's source was said this run */

void
reportobj_init(struct reportobj *ro)
{
	memset(ro, 0, sizeof(*ro));
	ns_noted = false;
}

void
reportobj_free(struct reportobj *ro)
{
	free(ro->release);
	free(ro->ns);
	memset(ro, 0, sizeof(*ro));
}

/* A release name usable in an object name and a label value: lower-case
 * letters, digits and '-', starting and ending with a letter or digit. */
static bool
usable_release(const char *v)
{
	size_t n = v ? strlen(v) : 0;
	if (n == 0 || n + strlen(SUFFIX) > 63 || v[0] == '-' || v[n - 1] == '-')
		return false;
	for (const char *p = v; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

void
reportobj_observe_workload(struct reportobj *ro, struct doc *d, const struct object *o)
{
	if (!d->loaded)
		return;
	int labels = ynode_path(&d->y, o->node, "metadata.labels");
	const char *rel = ynode_str(&d->y, ynode_get(&d->y, labels, "app.kubernetes.io/instance"));
	if (!usable_release(rel))
		rel = ynode_str(&d->y, ynode_get(&d->y, labels, "release"));
	if (!usable_release(rel))
		return;
	/* Several releases: the smallest name, whatever the order. */
	if (ro->release && strcmp(rel, ro->release) >= 0)
		return;
	free(ro->release);
	free(ro->ns);
	ro->release = xstrdup(rel);
	ro->ns = o->namespace_ ? xstrdup(o->namespace_) : NULL;
}

bool
reportobj_is(const struct doc *d)
{
	static const char file[] = GENDOC_SOURCE_DIR REPORTOBJ_FILE;
	const struct chunk *c = d->chunk;
	if (d->nobjects != 1 || d->is_list || !d->objects[0].kind || strcmp(d->objects[0].kind, "ConfigMap") != 0)
		return false;
	if (c && c->source && c->source_len == strlen(file) && !memcmp(c->source, file, c->source_len))
		return true;
	return d->objects[0].filename && !strcmp(d->objects[0].filename, file);
}

/* The release: the workloads', else Argo CD's application, else NULL. */
static const char *
release_of(const struct reportobj *ro)
{
	const char *app = getenv("ARGOCD_APP_NAME");
	return ro->release ? ro->release : usable_release(app) ? app : NULL;
}

void
reportobj_name(const struct reportobj *ro, char *out, size_t len)
{
	const char *rel = release_of(ro);
	snprintf(out, len, "%s%s", rel ? rel : "", rel ? SUFFIX : PROG_NAME);
}

void
reportobj_namespace_used(const struct config *cfg, const char *what)
{
	if (ns_noted || !cfg->namespace_)
		return;
	ns_noted = true;
	const char *from = config_source_name(cfg, "namespace");
	bool env = config_source_of(cfg, "namespace") == SRC_ENV;
	diag_note("the release namespace %s (for %s) comes from %s%s", cfg->namespace_, what, env ? "$" : "", from);
	report_namespace(cfg->namespace_, from);
}

/* Lines, sorted and unique. */
struct lines {
	char **v;
	size_t n;
};

static void
lines_add(struct lines *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append "  LABEL: TEXT\n" to B: a literal block, which a person reading the
 * manifest reads as it is, when TEXT is lines of printable characters ending
 * in one line break; else double-quoted. */
static void
put_value(struct buf *b, const char *label, const char *text)
{
	size_t n = strlen(text);
	bool block = n > 1 && text[n - 1] == '\n' && text[n - 2] != '\n';
	for (const unsigned char *p = (const unsigned char *)text; block && *p; p++)
		block = *p == '\n' || (*p >= 0x20 && *p != 0x7f);
	buf_adds(b, "  ");
	buf_adds(b, label);
	if (!block) {
		buf_adds(b, ": ");
		yscalar_append_quoted(b, text);
		buf_adds(b, "\n");
		return;
	}
	/* The indentation indicator: a first line may start with a space. */
	buf_adds(b, ": |2\n");
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		if (nl > p)
			buf_adds(b, "    ");
		buf_add(b, p, (size_t)(nl - p) + 1);
		p = nl + 1;
	}
}

/* Append LABEL: the lines, sorted, unique, one per line; and free them. */
static void
lines_put(struct buf *b, const char *label, struct lines *l)
{
	struct buf text = {0};
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (size_t i = 0; i < l->n; i++)
		if (!i || strcmp(l->v[i], l->v[i - 1]) != 0) {
			buf_adds(&text, l->v[i]);
			buf_adds(&text, "\n");
		}
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
	buf_add(&text, "", 0); /* "" when there are none */
	put_value(b, label, text.data);
	buf_free(&text);
}

static const char *
field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* "Kind ns/name" of a collected object. */
static void
object_id(char *out, size_t len, const cJSON *o)
{
	const char *ns = field(o, "namespace"), *name = field(o, "name"), *kind = field(o, "kind");
	snprintf(out, len, "%s %s%s%s", kind ? kind : "(no kind)", ns ? ns : "", ns ? "/" : "", name ? name : "(no name)");
}

/* One entry per changed object: its name, then each change in the order
 * the patches made them. */
static void
collect_changes(struct lines *l)
{
	const cJSON *o, *c;
	char id[512], line[2048];
	cJSON_ArrayForEach(o, report_collected("documents"))
	{
		struct buf e = {0};
		object_id(id, sizeof(id), o);
		buf_adds(&e, id);
		buf_adds(&e, ":");
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(o, "changes"))
		{
			const char *old = field(c, "old"), *patch = field(c, "patch"), *path = field(c, "path"),
				   *new_ = field(c, "new");
			snprintf(line, sizeof(line), "\n  %s: %s: %s -> %s", patch ? patch : "", path ? path : "",
				 old ? old : "(absent)", new_ ? new_ : "(absent)");
			buf_adds(&e, line);
		}
		lines_add(l, e.data);
		buf_free(&e);
	}
}

static void
collect_generated(struct lines *l)
{
	const cJSON *o;
	char id[512];
	cJSON_ArrayForEach(o, report_collected("generated"))
	{
		object_id(id, sizeof(id), o);
		lines_add(l, id);
	}
}

static void
collect_pod_security(struct lines *l)
{
	const cJSON *o;
	char id[512], line[2048];
	cJSON_ArrayForEach(o, report_collected("podSecurity"))
	{
		const char *level = field(o, "level"), *base = field(o, "baselineFails"), *restr = field(o, "restrictedFails");
		object_id(id, sizeof(id), o);
		snprintf(line, sizeof(line), "%s: meets %s%s%s%s%s", id, level ? level : "?", base ? "; baseline fails: " : "",
			 base ? base : "", restr ? "; restricted fails: " : "", restr ? restr : "");
		lines_add(l, line);
	}
}

static void
collect_warnings(struct lines *l, size_t *n)
{
	const cJSON *w;
	cJSON_ArrayForEach(w, report_collected("words"))
	{
		if (cJSON_IsString(w)) {
			lines_add(l, w->valuestring);
			++*n;
		}
	}
}

int
reportobj_write(const struct reportobj *ro, const struct config *cfg, struct gendoc_stream *g, struct spool *out,
		size_t changed, size_t generated)
{
	char name[128], line[256];
	struct buf b = {0};
	struct lines l = {0};
	size_t nwarn = 0;
	const char *rel = release_of(ro);
	reportobj_name(ro, name, sizeof(name));
	buf_adds(&b, "  labels:\n    app.kubernetes.io/name: " PROG_NAME "\n    app.kubernetes.io/component: report\n");
	if (rel) {
		buf_adds(&b, "    app.kubernetes.io/instance: ");
		yscalar_append_quoted(&b, rel);
		buf_adds(&b, "\n");
	}
	buf_adds(&b, "data:\n  version: \"" PROG_NAME " " VERSION "\"\n");
	collect_warnings(&l, &nwarn);
	snprintf(line, sizeof(line), "  summary: \"%zu object%s changed, %zu generated, %zu warning%s\"\n", changed,
		 changed == 1 ? "" : "s", generated, nwarn, nwarn == 1 ? "" : "s");
	buf_adds(&b, line);
	lines_put(&b, "warnings", &l);
	collect_changes(&l);
	lines_put(&b, "changes", &l);
	collect_generated(&l);
	lines_put(&b, "generated", &l);
	collect_pod_security(&l);
	lines_put(&b, "podSecurity", &l);
	const cJSON *ns = report_collected("releaseNamespace");
	if (ns) {
		snprintf(line, sizeof(line), "%s, from %s", field(ns, "name"), field(ns, "from"));
		buf_adds(&b, "  releaseNamespace: ");
		yscalar_append_quoted(&b, line);
		buf_adds(&b, "\n");
	}
	char *opts = NULL;
	size_t optlen = 0;
	FILE *f = open_memstream(&opts, &optlen);
	if (!f)
		xoom();
	int bad = config_print(cfg, f, true);
	if (fclose(f) != 0 || bad)
		xoom();
	put_value(&b, "options", opts);
	free(opts);
	/* gendoc writes metadata.name and namespace; the labels follow them. */
	int rc = gendoc_write(g, out, REPORTOBJ_FILE, "v1", "ConfigMap", ro->ns, name, b.data);
	buf_free(&b);
	if (rc == 0)
		diag_note("generated ConfigMap %s (--report-object)", name);
	return rc;
}
