/* diff.c -- the unified diff behind --diff (see diff.h). Documents are
 * paired by position: the runner keeps every input document in its place and
 * appends generated ones at the end. Within a pair, common leading and
 * trailing lines are cut off and the rest is compared with a longest common
 * subsequence table; a middle too large for the table is shown as removed
 * and added whole. Line numbers in the hunk headers are the stream's. A
 * document the runner takes out of its place (an earlier report object) is
 * shown removed there, not paired with its neighbours. */
#include "diff.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "stream.h"
#include "util.h"

#define CONTEXT 3
#define TABLE_MAX ((size_t)16 * 1024 * 1024) /* cells of the LCS table */

struct lines {
	const char **p; /* start of each line */
	size_t *n;      /* its length, line break included */
	size_t count;
};

static void
split_lines(const char *data, size_t len, struct lines *l)
{
	size_t cap = 16;
	l->count = 0;
	l->p = xmalloc(cap * sizeof(*l->p));
	l->n = xmalloc(cap * sizeof(*l->n));
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (data + i)) + 1 : len - i;
		if (l->count == cap) {
			cap *= 2;
			l->p = xrealloc(l->p, cap * sizeof(*l->p));
			l->n = xrealloc(l->n, cap * sizeof(*l->n));
		}
		l->p[l->count] = data + i;
		l->n[l->count++] = n;
		i += n;
	}
}

static bool
same_line(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->n[i] == b->n[j] && memcmp(a->p[i], b->p[j], a->n[i]) == 0;
}

/* One edit script entry: ' ', '-' or '+', with the line index in A or B. */
struct op {
	char kind;
	size_t a, b;
};

static void
put_line(struct buf *o, char kind, const char *s, size_t n)
{
	buf_add(o, &kind, 1);
	size_t body = n;
	while (body && (s[body - 1] == '\n' || s[body - 1] == '\r'))
		body--;
	buf_add(o, s, body);
	buf_adds(o, "\n");
	if (body == n)
		buf_adds(o, "\\ No newline at end of file\n");
}

/* The edit script turning A into B. */
static struct op *
edit_script(const struct lines *a, const struct lines *b, size_t *nops)
{
	size_t pre = 0, suf = 0;
	while (pre < a->count && pre < b->count && same_line(a, pre, b, pre))
		pre++;
	while (suf < a->count - pre && suf < b->count - pre && same_line(a, a->count - 1 - suf, b, b->count - 1 - suf))
		suf++;
	size_t n = a->count - pre - suf, m = b->count - pre - suf;
	struct op *ops = xmalloc((a->count + b->count + 1) * sizeof(*ops));
	size_t k = 0;
	for (size_t i = 0; i < pre; i++)
		ops[k++] = (struct op){' ', i, i};
	if (n && m && (n + 1) * (m + 1) <= TABLE_MAX) {
		/* lcs[i][j]: the longest common subsequence of a[pre+i..] and b[pre+j..]. */
		unsigned *lcs = xmalloc((n + 1) * (m + 1) * sizeof(*lcs));
#define L(i, j) lcs[(i) * (m + 1) + (j)]
		for (size_t i = n + 1; i-- > 0;)
			for (size_t j = m + 1; j-- > 0;)
				L(i, j) = i == n || j == m ? 0
					  : same_line(a, pre + i, b, pre + j) ? L(i + 1, j + 1) + 1
					  : L(i + 1, j) >= L(i, j + 1) ? L(i + 1, j)
					  : L(i, j + 1);
		size_t i = 0, j = 0;
		while (i < n || j < m) {
			if (i < n && j < m && same_line(a, pre + i, b, pre + j)) {
				ops[k++] = (struct op){' ', pre + i, pre + j};
				i++, j++;
			} else if (j < m && (i == n || L(i, j + 1) >= L(i + 1, j))) {
				ops[k++] = (struct op){'+', pre + i, pre + j};
				j++;
			} else {
				ops[k++] = (struct op){'-', pre + i, pre + j};
				i++;
			}
		}
#undef L
		free(lcs);
	} else {
		for (size_t i = 0; i < n; i++)
			ops[k++] = (struct op){'-', pre + i, pre};
		for (size_t j = 0; j < m; j++)
			ops[k++] = (struct op){'+', pre + n, pre + j};
	}
	for (size_t i = 0; i < suf; i++)
		ops[k++] = (struct op){' ', pre + n + i, pre + m + i};
	/* In each run of changes the removed lines come first, as diff(1) and
	 * patch(1) expect. */
	for (size_t i = 0; i < k;) {
		if (ops[i].kind == ' ') {
			i++;
			continue;
		}
		size_t e = i;
		while (e < k && ops[e].kind != ' ')
			e++;
		struct op *tmp = xmalloc((e - i) * sizeof(*tmp));
		size_t t = 0;
		for (size_t j = i; j < e; j++)
			if (ops[j].kind == '-')
				tmp[t++] = ops[j];
		for (size_t j = i; j < e; j++)
			if (ops[j].kind == '+')
				tmp[t++] = ops[j];
		memcpy(ops + i, tmp, (e - i) * sizeof(*tmp));
		free(tmp);
		i = e;
	}
	*nops = k;
	return ops;
}

/* Where WORD starts in the N bytes of line L, or NULL. */
static const char *
memmem_line(const char *l, size_t n, const char *word)
{
	size_t w = strlen(word);
	for (size_t i = 0; i + w <= n; i++)
		if (l[i] == word[0] && !memcmp(l + i, word, w))
			return l + i;
	return NULL;
}

/* Trim blanks, quotes and a CR off both ends of S, in place. */
static char *
trim_value(char *s)
{
	s += strspn(s, " \t\"'");
	for (char *e = s + strlen(s); e > s && strchr(" \t\r\"'", e[-1]); *--e = '\0')
		;
	return s;
}

/* "Kind name" of a document's text, from its column-0 kind: and the first
 * name: under a column-0 metadata:; what is missing is left out. FILE gets
 * Helm 4's postrender-filename annotation, or "". */
static void
object_of(const char *data, size_t len, char *out, size_t outlen, char *file, size_t filelen)
{
	static const char ann[] = "postrenderer.helm.sh/postrender-filename:";
	char kind[128] = "", name[256] = "";
	file[0] = '\0';
	bool in_meta = false;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : len - i;
		const char *l = data + i;
		if (n > 5 && !strncmp(l, "kind:", 5) && !kind[0])
			snprintf(kind, sizeof(kind), "%.*s", (int)(n - 5), l + 5);
		else if (n >= 9 && !strncmp(l, "metadata:", 9))
			in_meta = true;
		else if (n && l[0] != ' ' && l[0] != '#')
			in_meta = false;
		else if (in_meta && !name[0] && n > 7 && !strncmp(l, "  name:", 7))
			snprintf(name, sizeof(name), "%.*s", (int)(n - 7), l + 7);
		if (in_meta && !file[0]) {
			const char *a = n >= sizeof(ann) ? memmem_line(l, n, ann) : NULL;
			if (a) {
				size_t at = (size_t)(a - l) + sizeof(ann) - 1;
				char tmp[512];
				snprintf(tmp, sizeof(tmp), "%.*s", (int)(n - at), a + sizeof(ann) - 1);
				snprintf(file, filelen, "%s", trim_value(tmp));
			}
		}
		i += n + (nl != NULL);
	}
	char *k = trim_value(kind), *v = trim_value(name);
	snprintf(out, outlen, "%s%s%s", k, *k && *v ? " " : "", v);
}

/* The diff of one document pair; A or B may be empty (len 0, NULL data).
 * A generated document (no A) goes after the input's last line, IN_END; a
 * removed one (no B) after the output's line OUT_BEFORE. */
static void
diff_pair(struct buf *o, const struct chunk *a, const char *adata, const struct chunk *b, const char *bdata,
	  size_t in_end, size_t out_before)
{
	struct lines la = {0}, lb = {0};
	split_lines(adata, a ? a->len : 0, &la);
	split_lines(bdata, b ? b->len : 0, &lb);
	char obj[400], head[2400], file[400];
	const struct chunk *named = b ? b : a;
	object_of(named == b ? bdata : adata, named->len, obj, sizeof(obj), file, sizeof(file));
	char where[600];
	if (named->source)
		snprintf(where, sizeof(where), "%.*s", (int)named->source_len, named->source);
	else if (file[0]) /* Helm 4: the template file is in an annotation */
		snprintf(where, sizeof(where), "%s", file);
	else
		snprintf(where, sizeof(where), "document %zu", named->index);
	snprintf(head, sizeof(head), "--- %s%s%s%s\n+++ %s%s%s%s\n", a ? "a/" : "/dev/null", a ? where : "",
		 a && *obj ? "\t" : "", a ? obj : "", b ? "b/" : "/dev/null", b ? where : "", b && *obj ? "\t" : "",
		 b ? obj : "");
	buf_adds(o, head);
	size_t nops;
	struct op *ops = edit_script(&la, &lb, &nops);
	/* So that the hunks of the whole diff apply to the stream in order. */
	size_t a0 = a ? a->first_line : in_end + 1, b0 = b ? b->first_line : 0;
	for (size_t i = 0; i < nops;) {
		if (ops[i].kind == ' ') {
			i++;
			continue;
		}
		/* A hunk: CONTEXT lines before, changes joined while at most
		 * 2 * CONTEXT unchanged lines separate them, CONTEXT after. */
		size_t start = i >= CONTEXT ? i - CONTEXT : 0, last = i, k = i;
		while (k < nops) {
			if (ops[k].kind != ' ') {
				last = k++;
				continue;
			}
			size_t run = 0;
			while (k + run < nops && ops[k + run].kind == ' ')
				run++;
			if (k + run == nops || run > (size_t)2 * CONTEXT)
				break;
			k += run;
		}
		size_t end = last + 1 + CONTEXT < nops ? last + 1 + CONTEXT : nops;
		size_t na = 0, nb = 0, sa = 0, sb = 0;
		for (k = start; k < end; k++) {
			if (ops[k].kind != '+' && !na++)
				sa = a0 + ops[k].a;
			if (ops[k].kind != '-' && !nb++)
				sb = b0 + ops[k].b;
		}
		/* An empty side names the line before the change (0 for none). */
		if (!na)
			sa = a0 + ops[start].a - 1;
		if (!nb)
			sb = b ? b0 + ops[start].b - 1 : out_before;
		snprintf(head, sizeof(head), "@@ -%zu,%zu +%zu,%zu @@\n", sa, na, sb, nb);
		buf_adds(o, head);
		for (k = start; k < end; k++) {
			if (ops[k].kind == '+')
				put_line(o, '+', lb.p[ops[k].b], lb.n[ops[k].b]);
			else
				put_line(o, ops[k].kind, la.p[ops[k].a], la.n[ops[k].a]);
		}
		i = end;
	}
	free(ops);
	free(la.p);
	free(la.n);
	free(lb.p);
	free(lb.n);
}

/* An input document read ahead (copied: the next read may move the
 * stream's buffer). */
struct held {
	struct chunk c;
	char *data, *src;
	int r; /* stream_next's result: 1 a document, 0 the end, -1 an error */
};

static void
held_free(struct held *h)
{
	free(h->data);
	free(h->src);
	memset(h, 0, sizeof(*h));
}

static void
hold(struct stream *s, struct held *h, size_t *in_end)
{
	memset(h, 0, sizeof(*h));
	h->r = stream_next(s, &h->c);
	if (h->r <= 0)
		return;
	h->data = xstrndup(h->c.data, h->c.len);
	*in_end = h->c.first_line - 1;
	for (size_t i = 0; i < h->c.len; i++)
		*in_end += h->c.data[i] == '\n' || i + 1 == h->c.len;
	if (h->c.source) {
		h->src = xstrndup(h->c.source, h->c.source_len);
		h->c.source = h->src;
	}
}

/* Whether two documents' texts name the same object ("Kind name"). */
static bool
same_object(const char *a, size_t alen, const char *b, size_t blen)
{
	char oa[400], ob[400], f[400];
	object_of(a, alen, oa, sizeof(oa), f, sizeof(f));
	object_of(b, blen, ob, sizeof(ob), f, sizeof(f));
	return strcmp(oa, ob) == 0;
}

/* Pairs input and output documents by position, except where the runner
 * took one out of its place (an earlier report object, written again at
 * the end): when the output document names another object than the input
 * one and the next input document names it, the input one was removed. */
long
diff_streams(int in_fd, int patched_fd, size_t max_doc, int out_fd)
{
	struct stream a, b;
	long changed = 0;
	int rc = 0;
	size_t in_end = 0, next_end = 0; /* the input's last line read */
	if (lseek(in_fd, 0, SEEK_SET) < 0 || lseek(patched_fd, 0, SEEK_SET) < 0) {
		diag_error("--diff: cannot read the streams again:");
		return -1;
	}
	stream_init_fd(&a, in_fd, max_doc);
	stream_init_fd(&b, patched_fd, max_doc);
	struct held cur, next = {0};
	bool have_next = false;
	hold(&a, &cur, &in_end);
	for (;;) {
		if (cur.r < 0) {
			rc = -1;
			break;
		}
		struct chunk cb;
		int rb = stream_next(&b, &cb);
		if (rb < 0) {
			rc = -1;
			break;
		}
		if (!cur.r && !rb)
			break;
		struct buf o = {0};
		if (cur.r && rb && !same_object(cur.data, cur.c.len, cb.data, cb.len)) {
			if (!have_next) {
				next_end = in_end; /* kept at the end of the input */
				hold(&a, &next, &next_end);
				have_next = true;
			}
			if (next.r < 0) {
				rc = -1;
				break;
			}
			if (next.r && same_object(next.data, next.c.len, cb.data, cb.len)) {
				diff_pair(&o, &cur.c, cur.data, NULL, NULL, in_end, cb.first_line - 1);
				changed++;
				held_free(&cur);
				cur = next;
				in_end = next_end;
				memset(&next, 0, sizeof(next));
				have_next = false;
			}
		}
		if (!(cur.r && rb && cur.c.len == cb.len && memcmp(cur.data, cb.data, cb.len) == 0)) {
			diff_pair(&o, cur.r ? &cur.c : NULL, cur.data, rb ? &cb : NULL, rb ? cb.data : NULL, in_end, 0);
			changed++;
		}
		if (o.len && (rc = write_all(out_fd, o.data, o.len)) != 0)
			diag_error("writing the diff to stdout failed:");
		buf_free(&o);
		held_free(&cur);
		if (rc != 0)
			break;
		if (have_next) {
			cur = next;
			in_end = next_end;
			memset(&next, 0, sizeof(next));
			have_next = false;
		} else {
			hold(&a, &cur, &in_end);
		}
	}
	held_free(&cur);
	held_free(&next);
	stream_free(&a);
	stream_free(&b);
	return rc != 0 ? -1 : changed;
}
