/* kemit.c -- --emit=kustomize and --emit=flux (see kemit.h). Documents are
 * paired by position, as --diff pairs them: the runner keeps every input
 * document in its place and appends generated ones at the end. A pair whose
 * bytes are equal changed nothing; another is read into trees on both sides
 * and handed to kpatch. The forms are written as text here (every value
 * through yscalar, every patch as a literal block). It refuses what
 * kustomize cannot target: an object inside a kind: List, two objects of
 * one identity, a change kpatch cannot express. */
#include "kemit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc.h"
#include "emit.h"
#include "kpatch.h"
#include "stream.h"
#include "util.h"
#include "yscalar.h"

#ifndef VERSION
#define VERSION "unknown"
#endif

/* The first line of every kustomization.yaml this writes: a directory
 * whose kustomization starts with it may be written over. */
#define MARK "# Written by " PROG_NAME " --emit=kustomize"

struct change {
	struct object object;                   /* its identity (strings owned by docs[]) */
	const char *group, *version;            /* the apiVersion's parts (group_len) */
	const char *kind, *name, *namespace_;
	struct buf smp, ops;
};

struct emit {
	struct buf in, out;        /* the two streams */
	struct chunk *ic, *oc;     /* their documents */
	size_t nin, nout;
	struct doc *docs;          /* loaded pairs: 2 per change, kept for the strings */
	size_t ndocs;
	struct change *ch;
	size_t nch;
	struct buf generated;      /* the generated documents, as written */
	size_t ngenerated;
};

/* The whole file FD (a temporary copy of a stream) into B. */
static int
slurp(int fd, struct buf *b)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		diag_error("--emit: reading the stream again failed:");
		return -1;
	}
	size_t len = (size_t)st.st_size;
	buf_reserve(b, len + 1);
	for (size_t off = 0; off < len;) {
		ssize_t n = read_at(fd, b->data + off, len - off, off);
		if (n < 0) { /* read_at reports a file shorter than fstat said */
			diag_error("--emit: reading the stream again failed:");
			return -1;
		}
		off += (size_t)n;
	}
	b->len = len;
	b->data[len] = '\0';
	return 0;
}

/* Every document chunk of the stream in B (pointers into B). */
static int
documents(struct buf *b, size_t max_doc, struct chunk **out, size_t *n)
{
	struct stream s;
	struct chunk c;
	size_t cap = 16;
	int r;
	*n = 0;
	*out = xmalloc(cap * sizeof(**out));
	stream_init_mem(&s, b->data ? b->data : "", b->len, max_doc);
	while ((r = stream_next(&s, &c)) > 0) {
		if (!c.index)
			continue;
		if (*n == cap)
			*out = xrealloc(*out, (cap *= 2) * sizeof(**out));
		(*out)[(*n)++] = c;
	}
	stream_free(&s);
	return r;
}

static const char *
identity(const struct object *o)
{
	static char s[1024];
	snprintf(s, sizeof(s), "%s %s%s%s", o->kind ? o->kind : "?", o->namespace_ ? o->namespace_ : "",
		 o->namespace_ ? "/" : "", o->name ? o->name : "?");
	return s;
}

/* Load chunk C into a new slot of E->docs, with its tree. */
static struct doc *
load(struct emit *e, const struct chunk *c)
{
	struct doc *d = &e->docs[e->ndocs];
	bool mem = false;
	diag_set_document(c->index, c->source, c->source_len);
	if (doc_load(d, c, &mem) != 0)
		return NULL;
	e->ndocs++;
	return doc_need_tree(d, &mem) == 0 ? d : NULL;
}

static bool
same_identity(const struct object *x, const struct object *y)
{
	const char *a[] = {x->api_version, x->kind, x->name, x->namespace_};
	const char *b[] = {y->api_version, y->kind, y->name, y->namespace_};
	for (size_t i = 0; i < countof(a); i++)
		if ((a[i] == NULL) != (b[i] == NULL) || (a[i] && strcmp(a[i], b[i]) != 0))
			return false;
	return true;
}

/* Whether output document OC is input document IC, patched: the same
 * object in the same place. A run that drops a document from its place (an
 * earlier report object, written again at the end) is refused: kustomize
 * cannot replace a resource of the render. */
static bool
same_place(const struct chunk *ic, const struct chunk *oc)
{
	struct doc a, b;
	bool mem = false, same = false;
	diag_set_document(ic->index, ic->source, ic->source_len);
	if (doc_load(&a, ic, &mem) != 0)
		return false;
	if (doc_load(&b, oc, &mem) == 0) {
		same = a.nobjects == b.nobjects && (!a.nobjects || same_identity(&a.objects[0], &b.objects[0]));
		if (!same)
			diag_error("--emit: the run takes %s out of its place (an earlier report object is written "
				   "again at the end), which kustomize cannot do to a resource of the render; render without it "
				   "or drop --report-object", a.nobjects ? identity(&a.objects[0]) : "an empty document");
		doc_free(&b);
	}
	doc_free(&a);
	return same;
}

/* One changed document pair: its patches, or -1 after reporting. */
static int
change(struct emit *e, const struct chunk *ic, const struct chunk *oc)
{
	struct doc *a = load(e, ic);
	struct doc *b = a ? load(e, oc) : NULL;
	if (!b)
		return -1;
	if (a->is_list || b->is_list || a->nobjects != 1 || b->nobjects != 1) {
		diag_error("--emit: a changed object inside a kind: List; kustomize patches objects, not the items of "
			   "a List: write the items as documents of their own");
		return -1;
	}
	const struct object *o = &b->objects[0];
	if (!o->api_version || !o->kind || !o->name || !same_identity(&a->objects[0], o)) {
		diag_error("--emit: %s: a patch needs the object's apiVersion, kind and name, unchanged by the run",
			   identity(o));
		return -1;
	}
	struct kpatch_object obj = {o->api_version, o->kind, o->pod_spec};
	struct kpatch kp;
	char why[512];
	if (kpatch_build(&a->y, a->objects[0].node, &b->y, o->node, &obj, &kp, why, sizeof(why)) != 0) {
		diag_error("--emit: %s: kustomize cannot express this change exactly, so it is not emitted: %s",
			   identity(o), why);
		return -1;
	}
	struct change *c = &e->ch[e->nch++];
	memset(c, 0, sizeof(*c));
	const char *slash = strchr(o->api_version, '/');
	c->object = *o;
	c->group = slash ? o->api_version : NULL; /* cut at the slash when written */
	c->version = slash ? slash + 1 : o->api_version;
	c->kind = o->kind;
	c->name = o->name;
	c->namespace_ = o->namespace_;
	int rc = 0;
	if (kp.has_smp)
		rc = emit_document(&c->smp, &kp.smp, false);
	if (rc == 0 && kp.has_ops)
		rc = emit_document(&c->ops, &kp.ops, false);
	kpatch_free(&kp);
	return rc;
}

/* No object a patch targets may be in the render twice: kustomize refuses
 * such a render, and a patch could not say which one it means. */
static int
unique_targets(const struct emit *e)
{
	size_t *seen = xcalloc(e->nch + 1, sizeof(*seen));
	int rc = 0;
	for (size_t j = 0; e->nch && j < e->nin && rc == 0; j++) {
		struct doc d;
		bool mem = false;
		if (doc_load(&d, &e->ic[j], &mem) != 0) {
			rc = -1;
			break;
		}
		for (size_t k = 0; k < d.nobjects; k++)
			for (size_t i = 0; i < e->nch; i++)
				seen[i] += same_identity(&d.objects[k], &e->ch[i].object);
		doc_free(&d);
	}
	for (size_t i = 0; i < e->nch && rc == 0; i++)
		if (seen[i] > 1) {
			diag_error("--emit: %s is in the render %zu times; kustomize holds one object per identity, and a "
				   "patch could not say which it means", identity(&e->ch[i].object), seen[i]);
			rc = -1;
		}
	free(seen);
	return rc;
}

/* "group/version" of a change, for messages and targets. */
static size_t
group_len(const struct change *c)
{
	return c->group ? (size_t)(c->version - 1 - c->group) : 0;
}

/* TEXT as a literal block scalar, each line indented by INDENT spaces. */
static void
literal(struct buf *o, const char *text, size_t len, int indent)
{
	buf_adds(o, len && text[len - 1] == '\n' && (len < 2 || text[len - 2] != '\n') ? "|\n" : "|+\n");
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		if (n)
			for (int k = 0; k < indent; k++)
				buf_adds(o, " ");
		buf_add(o, text + i, n);
		buf_adds(o, "\n");
		i += n + 1;
	}
}

static void
field(struct buf *o, int indent, const char *first, const char *key, const char *value, size_t len)
{
	char v[1024];
	snprintf(v, sizeof(v), "%.*s", (int)len, value);
	for (int k = 0; k < indent; k++)
		buf_adds(o, " ");
	buf_adds(o, first);
	buf_adds(o, key);
	buf_adds(o, ": ");
	yscalar_append(o, v);
	buf_adds(o, "\n");
}

/* Whether TEXT holds a block scalar header ("key: |", "- >-", "|2"...). */
static bool
has_block_scalar(const char *text, size_t len)
{
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - text) : len, b = e;
		while (b > i && strchr("|>+-0123456789", text[b - 1]))
			b--;
		if (b < e && (text[b] == '|' || text[b] == '>') && (b == i || text[b - 1] == ' '))
			return true;
		i = e + 1;
	}
	return false;
}

/* A patch's target selector at INDENT (its "target:" line included). */
static void
target(struct buf *o, int indent, const char *first, const struct change *c)
{
	for (int k = 0; k < indent; k++)
		buf_adds(o, " ");
	buf_adds(o, first);
	buf_adds(o, "target:\n");
	indent += (int)strlen(first) + 2;
	if (c->group)
		field(o, indent, "", "group", c->group, group_len(c));
	field(o, indent, "", "version", c->version, strlen(c->version));
	field(o, indent, "", "kind", c->kind, strlen(c->kind));
	field(o, indent, "", "name", c->name, strlen(c->name));
	if (c->namespace_)
		field(o, indent, "", "namespace", c->namespace_, strlen(c->namespace_));
}

/* The list items of "patches:" at INDENT: inline (patch: |) or, with
 * NAMES, by path. */
static void
patches(struct buf *o, const struct emit *e, int indent, char (*names)[2][160])
{
	for (size_t i = 0; i < e->nch; i++) {
		const struct change *c = &e->ch[i];
		const struct buf *text[2] = {&c->smp, &c->ops};
		for (size_t t = 0; t < 2; t++) {
			if (!text[t]->len)
				continue;
			if (names) {
				field(o, indent, "- ", "path", names[i][t], strlen(names[i][t]));
				target(o, indent + 2, "", c);
			} else {
				target(o, indent, "- ", c);
				for (int k = 0; k < indent + 2; k++)
					buf_adds(o, " ");
				buf_adds(o, "patch: ");
				literal(o, text[t]->data, text[t]->len, indent + 4);
				/* kustomize trims an inline patch: a block scalar on
				 * its last lines would lose its final line break. */
				if (has_block_scalar(text[t]->data, text[t]->len)) {
					for (int k = 0; k < indent + 4; k++)
						buf_adds(o, " ");
					buf_adds(o, "# (kustomize trims an inline patch; this line keeps the last line break)\n");
				}
			}
		}
	}
}

static void
header(struct buf *o, const char *form)
{
	buf_adds(o, "# Written by " PROG_NAME " " VERSION " ");
	buf_adds(o, form);
}

static void
kustomization(struct buf *o, const struct emit *e, char (*names)[2][160])
{
	buf_adds(o, "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - render.yaml\n");
	if (e->ngenerated)
		buf_adds(o, "  - " PROG_NAME ".yaml\n");
	buf_adds(o, e->nch ? "patches:\n" : "patches: []\n");
	patches(o, e, 2, names);
}

static int
write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, data, len) != 0 || close(fd) != 0) {
		diag_error("--emit-dir: writing %s failed:", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

/* What a directory of ours holds; anything else makes it not ours. */
static bool
ours(const char *name)
{
	return !strcmp(name, "kustomization.yaml") || !strcmp(name, "render.yaml") ||
	       !strcmp(name, PROG_NAME ".yaml") || !strcmp(name, "patches");
}

/* Remove a directory this wrote (its files, patches/ and itself). */
static void
remove_ours(const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/patches", dir);
	DIR *p = opendir(path);
	for (struct dirent *de; p && (de = readdir(p));) {
		if (de->d_name[0] == '.')
			continue;
		char f[PATH_MAX];
		if (snprintf(f, sizeof(f), "%s/%s", path, de->d_name) < (int)sizeof(f))
			unlink(f);
	}
	if (p)
		closedir(p);
	rmdir(path);
	const char *files[] = {"kustomization.yaml", "render.yaml", PROG_NAME ".yaml"};
	for (size_t i = 0; i < countof(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* DIR exists: true when it is empty or was written by this program (its
 * kustomization starts with MARK and it holds nothing else). */
static bool
replaceable(const char *dir)
{
	DIR *d = opendir(dir);
	bool ok = d != NULL, any = false;
	for (struct dirent *de; ok && (de = readdir(d));) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		any = true;
		ok = ours(de->d_name);
	}
	if (d)
		closedir(d);
	if (!ok || !any)
		return ok;
	char path[PATH_MAX], line[sizeof(MARK)];
	snprintf(path, sizeof(path), "%s/kustomization.yaml", dir);
	FILE *f = fopen(path, "r");
	ok = f && fread(line, 1, sizeof(MARK) - 1, f) == sizeof(MARK) - 1 && !memcmp(line, MARK, sizeof(MARK) - 1);
	if (f)
		fclose(f);
	return ok;
}

static void
stem(char *out, size_t len, size_t n, const struct change *c)
{
	int w = snprintf(out, len, "%03zu-", n);
	for (const char *s = c->kind; *s && w > 0 && (size_t)w + 1 < len; s++)
		out[w++] = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
	for (const char *s = "-"; *s && (size_t)w + 1 < len; s++)
		out[w++] = *s;
	for (const char *s = c->name; *s && (size_t)w + 1 < len; s++)
		out[w++] = (char)((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' ? *s : '_');
	out[w] = 0;
}

/* The directory form: written in a new directory beside DIR, then renamed
 * over it, so that DIR holds the old or the new set, never a mix. */
static int
write_dir(const struct config *cfg, const struct emit *e)
{
	const char *dir = cfg->emit_dir;
	char tmp[PATH_MAX], old[PATH_MAX];
	struct stat st;
	if (stat(dir, &st) == 0 && (!S_ISDIR(st.st_mode) || !replaceable(dir))) {
		diag_error("--emit-dir %s: it exists and was not written by " PROG_NAME " --emit=kustomize; give a new "
			   "or empty directory", dir);
		return -1;
	}
	if (strlen(dir) > PATH_MAX - 128) {
		diag_error("--emit-dir: the path is too long");
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", dir);
	if (!mkdtemp(tmp)) {
		diag_error("--emit-dir %s: cannot create a directory beside it:", dir);
		return -1;
	}
	char (*names)[2][160] = xcalloc(e->nch + 1, sizeof(*names));
	struct buf k = {0};
	int rc = 0;
	char pdir[PATH_MAX];
	if (snprintf(pdir, sizeof(pdir), "%s/patches", tmp) >= (int)sizeof(pdir) || (e->nch && mkdir(pdir, 0755) != 0)) {
		diag_error("--emit-dir: creating %s failed:", pdir);
		rc = -1;
	}
	for (size_t i = 0; i < e->nch && rc == 0; i++) {
		char s[128];
		stem(s, sizeof(s), i + 1, &e->ch[i]);
		snprintf(names[i][0], sizeof(names[i][0]), "patches/%s.yaml", s);
		snprintf(names[i][1], sizeof(names[i][1]), "patches/%s.json6902.yaml", s);
		for (size_t t = 0; t < 2 && rc == 0; t++) {
			const struct buf *b = t ? &e->ch[i].ops : &e->ch[i].smp;
			if (b->len)
				rc = write_file(tmp, names[i][t], b->data, b->len);
		}
	}
	header(&k, "--emit=kustomize: `kubectl kustomize` of this directory gives the\n"
		   "# render (render.yaml, as it came in) patched as the run would patch it: the objects it generates\n"
		   "# are in " PROG_NAME ".yaml, the changes to the render's objects in patches/ (strategic merge;\n"
		   "# *.json6902.yaml: items appended to keyed lists). Written again, it replaces this directory.\n");
	kustomization(&k, e, names);
	if (rc == 0)
		rc = write_file(tmp, "kustomization.yaml", k.data, k.len);
	if (rc == 0)
		rc = write_file(tmp, "render.yaml", e->in.data ? e->in.data : "", e->in.len);
	if (rc == 0 && e->ngenerated)
		rc = write_file(tmp, PROG_NAME ".yaml", e->generated.data, e->generated.len);
	buf_free(&k);
	free(names);
	if (rc == 0 && rename(tmp, dir) != 0) {
		/* DIR is ours and not empty: move it aside, put the new one in place. */
		snprintf(old, sizeof(old), "%s.old-XXXXXX", dir);
		if ((errno != ENOTEMPTY && errno != EEXIST) || !mkdtemp(old) || rename(dir, old) != 0 ||
		    rename(tmp, dir) != 0) {
			diag_error("--emit-dir %s: putting the new directory in place failed:", dir);
			rc = -1;
		} else {
			remove_ours(old);
		}
	}
	if (rc != 0)
		remove_ours(tmp);
	return rc;
}

static int
write_stdout(const struct config *cfg, const struct emit *e)
{
	struct buf o = {0};
	if (cfg->emit == EMIT_FLUX) {
		header(&o, "--emit=flux: the postRenderers of a Flux HelmRelease (put them\n"
			   "# under its spec:) that patch the release as the run would. A post-renderer cannot add objects:\n");
		if (e->ngenerated)
			buf_adds(&o, "# the documents after this one are the objects the run generates; commit them beside the\n"
				     "# HelmRelease, in the path its Flux Kustomization applies.\n");
		else
			buf_adds(&o, "# this run generates none.\n");
		buf_adds(&o, "postRenderers:\n  - kustomize:\n");
		buf_adds(&o, e->nch ? "      patches:\n" : "      patches: []\n");
		patches(&o, e, 8, NULL);
	} else {
		header(&o, "--emit=kustomize: a kustomization.yaml for the render saved as\n"
			   "# render.yaml beside it");
		buf_adds(&o, e->ngenerated ? ", and the documents after this one saved as " PROG_NAME ".yaml (or use\n"
					     "# --emit-dir DIR, which writes all of it).\n"
					   : " (or use --emit-dir DIR, which writes it).\n");
		kustomization(&o, e, NULL);
	}
	if (e->ngenerated) {
		if (e->generated.len < 3 || memcmp(e->generated.data, "---", 3) != 0)
			buf_adds(&o, "---\n");
		buf_add(&o, e->generated.data, e->generated.len);
	}
	int rc = write_all(STDOUT_FILENO, o.data, o.len);
	if (rc != 0)
		diag_error("writing to stdout failed:");
	buf_free(&o);
	return rc;
}

enum exit_code
kemit_write(const struct config *cfg, int in_fd, int patched_fd)
{
	struct emit e;
	enum exit_code status = EXIT_IO;
	memset(&e, 0, sizeof(e));
	if (slurp(in_fd, &e.in) != 0 || slurp(patched_fd, &e.out) != 0 ||
	    documents(&e.in, cfg->max_document_size, &e.ic, &e.nin) < 0 ||
	    documents(&e.out, cfg->max_document_size, &e.oc, &e.nout) < 0)
		goto out;
	if (e.nout < e.nin) {
		diag_error("internal error: --emit: the run wrote %zu documents for %zu", e.nout, e.nin);
		goto out;
	}
	e.docs = xcalloc(2 * e.nin + 1, sizeof(*e.docs));
	e.ch = xcalloc(e.nin + 1, sizeof(*e.ch));
	status = EXIT_PATCH;
	for (size_t i = 0; i < e.nin; i++)
		if ((e.ic[i].len != e.oc[i].len || memcmp(e.ic[i].data, e.oc[i].data, e.ic[i].len) != 0) &&
		    (!same_place(&e.ic[i], &e.oc[i]) || change(&e, &e.ic[i], &e.oc[i]) != 0))
			goto out;
	diag_set_document(0, NULL, 0);
	if (unique_targets(&e) != 0)
		goto out;
	for (size_t i = e.nin; i < e.nout; i++) {
		buf_add(&e.generated, e.oc[i].data, e.oc[i].len);
		e.ngenerated++;
	}
	status = (cfg->emit_dir ? write_dir(cfg, &e) : write_stdout(cfg, &e)) == 0 ? EXIT_OK : EXIT_IO;
out:
	for (size_t i = 0; i < e.ndocs; i++)
		doc_free(&e.docs[i]);
	for (size_t i = 0; i < e.nch; i++) {
		buf_free(&e.ch[i].smp);
		buf_free(&e.ch[i].ops);
	}
	free(e.docs);
	free(e.ch);
	free(e.ic);
	free(e.oc);
	buf_free(&e.in);
	buf_free(&e.out);
	buf_free(&e.generated);
	return status;
}
