/* splice.c -- the minimal-diff writer (see splice.h). It takes the tree as
 * it was (doc.c's copy, else a second parse), walks the patched tree beside it
 * (node ids are shared: patches only add nodes at the end), and turns each
 * difference into a byte edit of the original text. New nodes are rendered
 * in block style at the indentation of their neighbours; scalars are written
 * as libyaml's emitter writes them, so quoting stays correct. It never edits
 * the tree and never writes output. */
#include "splice.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ynode.h"
#include "yscalar.h"

/* visit() results: the edits are recorded; the parent must rewrite this
 * node; the whole document must be re-emitted. */
enum { SP_OK = 0, SP_REWRITE = 1, SP_WHOLE = 2 };

struct edit {
	size_t off, len; /* bytes of the original replaced */
	size_t seq;      /* record order, for insertions at one offset */
	size_t toff, tlen; /* replacement text in sp.text */
};

struct sp {
	const struct doc *d;
	const char *src;
	size_t srclen;
	yaml_document_t *y;  /* the patched tree */
	yaml_document_t p;   /* the tree as the text says */
	size_t norig;
	size_t *line;        /* byte offset of each line start */
	size_t nline;
	struct edit *e;
	size_t ne, cap;
	struct buf text;
	size_t step;         /* indentation step for new nested blocks */
	bool indentless;     /* new sequences under a key start at its column */
	const char *why;     /* why the last SP_REWRITE was asked for */
	int why_node;
	struct {
		size_t line;
		const char *why;
	} *note;             /* values rewritten in block style */
	size_t nnote, capnote;
	bool glued;          /* a line break was added after the last line */
};

static unsigned long mismatches;

/* DMSPR_FULL_READBACK=1 (the test suites set it): also read every spliced
 * document back whole, and count a part-wise read-back that passed where
 * the whole one fails as a mismatch. */
static bool
full_read_back(void)
{
	static int on = -1;
	if (on < 0) {
		const char *v = getenv("DMSPR_FULL_READBACK");
		on = v && strcmp(v, "1") == 0;
	}
	return on == 1;
}

unsigned long
splice_mismatches(void)
{
	return mismatches;
}

static yaml_node_t *
P(struct sp *s, int id)
{
	return ynode_at(&s->p, id);
}

static yaml_node_t *
E(struct sp *s, int id)
{
	return ynode_at(s->y, id);
}

static size_t
npairs(const yaml_node_t *n)
{
	return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

static size_t
nitems(const yaml_node_t *n)
{
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static bool
is_flow(const yaml_node_t *n)
{
	return (n->type == YAML_MAPPING_NODE && n->data.mapping.style == YAML_FLOW_MAPPING_STYLE) ||
	       (n->type == YAML_SEQUENCE_NODE && n->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE);
}

static bool
is_block_scalar(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && (n->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
					       n->data.scalar.style == YAML_FOLDED_SCALAR_STYLE);
}

/* ---- positions ---- */

/* libyaml counts lines and columns in characters; turn a mark into a byte
 * offset of the chunk. */
static size_t
off_of(struct sp *s, yaml_mark_t m)
{
	if (m.line >= s->nline)
		return s->srclen;
	size_t o = s->line[m.line];
	for (size_t c = 0; c < m.column && o < s->srclen && s->src[o] != '\n'; c++) {
		o++;
		while (o < s->srclen && ((unsigned char)s->src[o] & 0xC0) == 0x80)
			o++;
	}
	return o;
}

static size_t
line_start(struct sp *s, size_t o)
{
	while (o > 0 && s->src[o - 1] != '\n')
		o--;
	return o;
}

static bool
only_spaces_before(struct sp *s, size_t o)
{
	for (size_t i = line_start(s, o); i < o; i++)
		if (s->src[i] != ' ')
			return false;
	return true;
}

/* Where node ID's text ends: the end of its last scalar, or for a block
 * scalar the start of the line after it (its trailing blank lines belong to
 * it). *LS tells which. */
static size_t
content_end(struct sp *s, int id, bool *ls)
{
	yaml_node_t *n = P(s, id);
	*ls = false;
	if (!n)
		return s->srclen;
	if (n->type == YAML_MAPPING_NODE && !is_flow(n) && npairs(n))
		return content_end(s, n->data.mapping.pairs.top[-1].value, ls);
	if (n->type == YAML_SEQUENCE_NODE && !is_flow(n) && nitems(n))
		return content_end(s, n->data.sequence.items.top[-1], ls);
	size_t o = off_of(s, n->end_mark);
	if (is_block_scalar(n)) {
		size_t l = line_start(s, o);
		if (only_spaces_before(s, o)) {
			*ls = true;
			return l;
		}
	}
	return o;
}

/* The start of the line after position O, when the rest of O's line holds
 * only blanks and a comment; (size_t)-1 otherwise. The end of the chunk
 * counts as a line start. */
static size_t
after_line(struct sp *s, size_t o)
{
	while (o < s->srclen && (s->src[o] == ' ' || s->src[o] == '\t'))
		o++;
	if (o < s->srclen && s->src[o] == '#')
		while (o < s->srclen && s->src[o] != '\n')
			o++;
	if (o < s->srclen && s->src[o] == '\r' && o + 1 < s->srclen && s->src[o + 1] == '\n')
		o++;
	if (o < s->srclen && s->src[o] == '\n')
		return o + 1;
	return o == s->srclen ? o : (size_t)-1;
}

/* Position O moved past the lines after it that belong to what precedes
 * O: comment lines and lines of only spaces indented more than COL, and the
 * blank lines between them. Lines inserted at O for a collection at COL go
 * after them, or a block scalar ending those lines would take them in as
 * its text. KEEP: the inserted lines end in empty lines (a block scalar
 * that keeps its final line breaks), which would take in every blank line
 * after them as well, so those are passed too. */
static size_t
past_deeper_lines(struct sp *s, size_t o, size_t col, bool keep)
{
	size_t p = o;
	while (p < s->srclen) {
		size_t i = p, eol;
		while (i < s->srclen && s->src[i] == ' ')
			i++;
		for (eol = i; eol < s->srclen && s->src[eol] != '\n'; eol++)
			;
		size_t next = eol < s->srclen ? eol + 1 : eol;
		bool blank = i == eol || (s->src[i] == '\r' && i + 1 == eol);
		if (blank && i - p <= col && !keep) {
			p = next; /* taken only with a deeper line after it */
			continue;
		}
		if (!blank && (s->src[i] != '#' || i - p <= col))
			break;
		o = p = next;
	}
	return o;
}

/* Do the lines in B end with an empty line? */
static bool
ends_empty(const struct buf *b)
{
	return b->len >= 2 && b->data[b->len - 1] == '\n' && b->data[b->len - 2] == '\n';
}

/* Where lines go that follow node ID. */
static size_t
after_node(struct sp *s, int id)
{
	bool ls;
	size_t o = content_end(s, id, &ls);
	return ls ? o : after_line(s, o);
}

/* ---- edits ---- */

/* An edit: replace LEN bytes at OFF with the TN bytes of T. GLUE: T starts
 * a line of its own (see below); text that continues the line before OFF
 * (a value after its key) does not. */
static void
add_edit_g(struct sp *s, size_t off, size_t len, const char *t, size_t tn, bool glue)
{
	if (s->ne == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->e = xrealloc(s->e, s->cap * sizeof(*s->e));
	}
	struct edit *e = &s->e[s->ne];
	e->off = off;
	e->len = len;
	e->seq = s->ne++;
	e->toff = s->text.len;
	/* A text ending the chunk after a last line without a break starts
	 * with one (and keeps its own last break: a block scalar at the end
	 * of the document needs it to keep its final line break). */
	if (glue && tn && off == s->srclen && len == 0 && s->srclen && s->src[s->srclen - 1] != '\n') {
		buf_adds(&s->text, s->d->chunk->crlf ? "\r\n" : "\n");
		s->glued = true;
	}
	for (size_t i = 0; i < tn; i++) {
		if (t[i] == '\n' && s->d->chunk->crlf)
			buf_add(&s->text, "\r", 1);
		buf_add(&s->text, &t[i], 1);
	}
	e->tlen = s->text.len - e->toff;
}

static void
add_edit(struct sp *s, size_t off, size_t len, const char *t, size_t tn)
{
	add_edit_g(s, off, len, t, tn, true);
}

static int
by_offset(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	if ((x->len == 0) != (y->len == 0))
		return x->len == 0 ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- rendering new nodes ---- */

static int
to_buf(void *data, unsigned char *buffer, size_t size)
{
	buf_add(data, buffer, size);
	return 1;
}

static void
spaces(struct buf *b, size_t n)
{
	while (n--)
		buf_add(b, " ", 1);
}

/* The text of the common scalars the patches write, as libyaml's emitter
 * would write it, without an emitter: a short word of letters, digits and
 * "_./-" (starting with a letter or digit) in plain or any style, or
 * printable ASCII without '"' and '\\' double-quoted. False for anything
 * else, which goes through the emitter. */
static bool
simple_scalar(const yaml_node_t *n, int implicit, struct buf *b)
{
	const unsigned char *v = n->data.scalar.value;
	size_t len = n->data.scalar.length;
	yaml_scalar_style_t style = n->data.scalar.style;
	if (!implicit || len == 0 || len > 128)
		return false;
	if (style == YAML_PLAIN_SCALAR_STYLE || style == YAML_ANY_SCALAR_STYLE) {
		if (!isalnum(v[0]))
			return false;
		for (size_t i = 0; i < len; i++)
			if (!isalnum(v[i]) && !strchr("_./-", v[i]))
				return false;
		buf_add(b, v, len);
		return true;
	}
	if (style != YAML_DOUBLE_QUOTED_SCALAR_STYLE)
		return false;
	for (size_t i = 0; i < len; i++)
		if (v[i] < 0x20 || v[i] > 0x7e || v[i] == '"' || v[i] == '\\')
			return false;
	buf_add(b, "\"", 1);
	buf_add(b, v, len);
	buf_add(b, "\"", 1);
	return true;
}

/* TAG as a verbatim tag, "!<...>": the characters every reader takes there
 * as they are (YAML 1.2, ns-uri-char), any other byte %-escaped. */
static void
verbatim_tag(const char *tag, struct buf *b)
{
	if (!tag)
		return;
	buf_adds(b, "!<");
	for (const unsigned char *p = (const unsigned char *)tag; *p; p++) {
		if (isalnum(*p) || strchr("-;/?:@&=+$,_.!~*'()[]", *p))
			buf_add(b, p, 1);
		else {
			char esc[4];
			snprintf(esc, sizeof(esc), "%%%02X", *p);
			buf_add(b, esc, 3);
		}
	}
	buf_adds(b, ">");
}

/* Scalar node N as libyaml writes it after "k: ", lines after the first
 * shifted right by SHIFT. False when libyaml refuses it. */
static bool
node_text(const yaml_node_t *n, size_t shift, struct buf *b)
{
	yaml_char_t *tag = n->tag;
	bool nonspecific = tag && strcmp((const char *)tag, "!") == 0;
	if (nonspecific || ynode_tag_needs_verbatim((const char *)tag)) {
		/* Tags libyaml's emitter cannot write back: the non-specific
		 * tag, which it writes "!<%21>", is written as it came; one it
		 * would shorten to text its reader rejects (ynode.h), verbatim.
		 * By hand, before the value. */
		yaml_node_t untagged = *n;
		untagged.tag = NULL;
		if (nonspecific)
			buf_adds(b, "!");
		else
			verbatim_tag((const char *)tag, b);
		if (!n->data.scalar.length &&
		    (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE || n->data.scalar.style == YAML_ANY_SCALAR_STYLE))
			return true;
		buf_adds(b, " ");
		return node_text(&untagged, shift, b);
	}
	yaml_char_t *value = n->data.scalar.value;
	size_t length = n->data.scalar.length;
	yaml_scalar_style_t style = n->data.scalar.style;
	int implicit = !tag || strcmp((const char *)tag, YAML_DEFAULT_SCALAR_TAG) == 0;
	if (simple_scalar(n, implicit, b))
		return true;
	struct buf out = {0};
	yaml_emitter_t em;
	yaml_event_t ev;
	bool ok = false;

	if (!yaml_emitter_initialize(&em))
		xoom();
	yaml_emitter_set_output(&em, to_buf, &out);
	yaml_emitter_set_width(&em, -1);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_indent(&em, 2);
#define EMIT(call) \
	if (!(call) || !yaml_emitter_emit(&em, &ev)) \
		goto out
	EMIT(yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	EMIT(yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	EMIT(yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
	EMIT(yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)"k", 1, 1, 1, YAML_PLAIN_SCALAR_STYLE));
	EMIT(yaml_scalar_event_initialize(&ev, NULL, implicit ? NULL : tag, value, (int)length, implicit,
					  implicit, style));
	EMIT(yaml_mapping_end_event_initialize(&ev));
	EMIT(yaml_document_end_event_initialize(&ev, 1));
	EMIT(yaml_stream_end_event_initialize(&ev));
#undef EMIT
	if (!yaml_emitter_flush(&em) || out.len < 3 || memcmp(out.data, "k:", 2) != 0)
		goto out;
	size_t len = out.len;
	/* A document end marker line, not dots that end the scalar. */
	if (len >= 5 && memcmp(out.data + len - 5, "\n...\n", 5) == 0)
		len -= 4;
	if (len > 2 && out.data[len - 1] == '\n')
		len--;
	size_t i = 2;
	if (i < len && out.data[i] == ' ')
		i++;
	for (; i < len; i++) {
		buf_add(b, &out.data[i], 1);
		if (out.data[i] == '\n' && i + 1 < len && out.data[i + 1] != '\n')
			spaces(b, shift);
	}
	ok = true;
out:
	yaml_emitter_delete(&em);
	buf_free(&out);
	return ok;
}

/* Scalar ID of the patched tree, as node_text() writes it. */
static bool
scalar_text(struct sp *s, int id, size_t shift, struct buf *b)
{
	yaml_node_t *n = E(s, id);
	return n && n->type == YAML_SCALAR_NODE && node_text(n, shift, b);
}

static bool
is_inline(struct sp *s, int id)
{
	yaml_node_t *n = E(s, id);
	return n && (n->type == YAML_SCALAR_NODE || (n->type == YAML_MAPPING_NODE && !npairs(n)) ||
		     (n->type == YAML_SEQUENCE_NODE && !nitems(n)));
}

/* Does collection N have a tag of its own ("!custom {a: 1}")? The lines
 * written here cannot carry one, so such a node goes to the re-emitter. */
static bool
own_tag(const yaml_node_t *n)
{
	const char *t = (const char *)n->tag;
	return t && strcmp(t, n->type == YAML_MAPPING_NODE ? YAML_DEFAULT_MAPPING_TAG : YAML_DEFAULT_SEQUENCE_TAG) != 0;
}

static bool
inline_text(struct sp *s, int id, size_t shift, struct buf *b)
{
	yaml_node_t *n = E(s, id);
	if (n->type != YAML_SCALAR_NODE && own_tag(n))
		return false;
	if (n->type == YAML_MAPPING_NODE)
		return buf_adds(b, "{}"), true;
	if (n->type == YAML_SEQUENCE_NODE)
		return buf_adds(b, "[]"), true;
	return scalar_text(s, id, shift, b);
}

static bool render_block(struct sp *s, int id, size_t col, struct buf *b, int depth);

/* "key: value" lines for a pair at column COL. */
static bool
render_pair(struct sp *s, int k, int v, size_t col, struct buf *b, int depth)
{
	struct buf t = {0};
	bool ok = false;
	if (depth > DOC_MAX_DEPTH || !E(s, k) || E(s, k)->type != YAML_SCALAR_NODE || !E(s, v))
		return false;
	/* An implicit key must fit on its line and within 1024 characters
	 * (YAML 1.2, 7.4.2; libyaml drops a longer candidate): bytes count at
	 * least as many. Longer keys need "? ", which the re-emitter writes. */
	if (!scalar_text(s, k, 0, &t) || !t.len || t.len > 1024 || memchr(t.data, '\n', t.len) ||
	    t.data[0] == '?' || t.data[0] == '-')
		goto out;
	/* An empty key with a tag is written as the tag alone, and "!tag:"
	 * would be a longer tag. */
	if (!E(s, k)->data.scalar.length && t.data[0] == '!')
		goto out;
	spaces(b, col);
	buf_add(b, t.data, t.len);
	buf_add(b, ":", 1);
	t.len = 0;
	if (is_inline(s, v)) {
		if (!inline_text(s, v, col, &t))
			goto out;
		if (t.len) {
			buf_add(b, " ", 1);
			buf_add(b, t.data, t.len);
		}
		buf_add(b, "\n", 1);
	} else {
		buf_add(b, "\n", 1);
		size_t inner = E(s, v)->type == YAML_SEQUENCE_NODE && s->indentless ? col : col + s->step;
		if (!render_block(s, v, inner, b, depth + 1))
			goto out;
	}
	ok = true;
out:
	buf_free(&t);
	return ok;
}

/* "- item" lines with the dash at DCOL and the item's text OFF further. */
static bool
render_item(struct sp *s, int it, size_t dcol, size_t off, struct buf *b, int depth)
{
	yaml_node_t *n = E(s, it);
	if (!n || depth > DOC_MAX_DEPTH)
		return false;
	if (is_inline(s, it)) {
		struct buf t = {0};
		bool ok = inline_text(s, it, dcol, &t);
		if (ok) {
			spaces(b, dcol);
			buf_add(b, "-", 1);
			if (t.len) {
				spaces(b, off - 1);
				buf_add(b, t.data, t.len);
			}
			buf_add(b, "\n", 1);
		}
		buf_free(&t);
		return ok;
	}
	if (n->type == YAML_MAPPING_NODE) {
		size_t at = b->len;
		/* The first line starts with DCOL + OFF spaces: a dash goes in. */
		if (!render_block(s, it, dcol + off, b, depth + 1) || b->len <= at + dcol)
			return false;
		b->data[at + dcol] = '-';
		return true;
	}
	spaces(b, dcol);
	buf_adds(b, "-\n");
	return render_block(s, it, dcol + off, b, depth + 1);
}

/* A non-empty collection as lines at column COL. */
static bool
render_block(struct sp *s, int id, size_t col, struct buf *b, int depth)
{
	yaml_node_t *n = E(s, id);
	if (!n || depth > DOC_MAX_DEPTH || n->type == YAML_SCALAR_NODE || own_tag(n))
		return false;
	if (n->type == YAML_MAPPING_NODE) {
		for (size_t i = 0; i < npairs(E(s, id)); i++) {
			yaml_node_pair_t pr = E(s, id)->data.mapping.pairs.start[i];
			if (!render_pair(s, pr.key, pr.value, col, b, depth))
				return false;
		}
		return true;
	}
	if (n->type == YAML_SEQUENCE_NODE) {
		for (size_t i = 0; i < nitems(E(s, id)); i++)
			if (!render_item(s, E(s, id)->data.sequence.items.start[i], col, 2, b, depth))
				return false;
		return true;
	}
	return false;
}

/* ---- comparing the two trees ---- */

/* Does libyaml's emitter write plain scalar N quoted in block style? It
 * does for text a plain block scalar cannot hold (the key `nam:` of
 * `{nam:: smtp}` comes out as 'nam:'); the re-emitter then writes it the
 * same way, so the splice did nothing wrong. */
static bool
emitter_quotes(const yaml_node_t *n)
{
	struct buf t = {0};
	bool quoted = node_text(n, 0, &t) && t.len && (t.data[0] == '\'' || t.data[0] == '"');
	buf_free(&t);
	return quoted;
}

/* Does scalar N read as a string? Quoted (and block) scalars do; a plain
 * one (or one whose style is left to the writer, which then writes it plain
 * when it can) does when YAML 1.1 and 1.2 readers resolve its text as a
 * string (yscalar.h), or when libyaml will not write it plain anyway. */
static bool
reads_as_string(const yaml_node_t *n)
{
	yaml_scalar_style_t st = n->data.scalar.style;
	if (st != YAML_PLAIN_SCALAR_STYLE && st != YAML_ANY_SCALAR_STYLE)
		return true;
	if (n->data.scalar.length == 0)
		return false; /* a null */
	return yscalar_plain_is_str((const char *)n->data.scalar.value) || emitter_quotes(n);
}

/* Did the patches change anything at or under original node ID? */
static bool
changed(struct sp *s, int id, int depth)
{
	yaml_node_t *a = E(s, id), *o = P(s, id);
	if (!a || !o || a->type != o->type || depth > DOC_MAX_DEPTH)
		return true;
	if (a->type == YAML_SCALAR_NODE)
		return a->data.scalar.style != o->data.scalar.style || a->data.scalar.length != o->data.scalar.length ||
		       memcmp(a->data.scalar.value, o->data.scalar.value, a->data.scalar.length) != 0;
	if (a->type == YAML_MAPPING_NODE) {
		if (npairs(a) != npairs(o))
			return true;
		for (size_t i = 0; i < npairs(o); i++) {
			yaml_node_pair_t x = E(s, id)->data.mapping.pairs.start[i];
			yaml_node_pair_t y = P(s, id)->data.mapping.pairs.start[i];
			if (x.key != y.key || x.value != y.value || changed(s, x.key, depth + 1) ||
			    changed(s, x.value, depth + 1))
				return true;
		}
		return false;
	}
	if (nitems(a) != nitems(o))
		return true;
	for (size_t i = 0; i < nitems(o); i++) {
		int x = E(s, id)->data.sequence.items.start[i];
		if (x != P(s, id)->data.sequence.items.start[i] || changed(s, x, depth + 1))
			return true;
	}
	return false;
}

/* ---- the read-back ---- */

/* Whether a scalar event reads as a string, as reads_as_string() says of
 * the node a loader would build from it. An explicit !!str tag makes it one
 * whatever its text (doc.c keeps such a plain scalar quoted). */
static bool
event_reads_as_string(const yaml_event_t *e)
{
	const char *tag = (const char *)e->data.scalar.tag;
	if (e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || (tag && strcmp(tag, YAML_STR_TAG) == 0))
		return true;
	yaml_node_t n;
	memset(&n, 0, sizeof(n));
	n.type = YAML_SCALAR_NODE;
	n.data.scalar.value = e->data.scalar.value;
	n.data.scalar.length = e->data.scalar.length;
	n.data.scalar.style = YAML_PLAIN_SCALAR_STYLE;
	return reads_as_string(&n);
}

/* The tag a loader gives the node of event E: its own, else the default
 * for its kind (compose.c keeps a scalar's "!", which the readers do not
 * agree on). */
static const char *
event_tag(const yaml_event_t *e)
{
	const yaml_char_t *t = e->type == YAML_SCALAR_EVENT ? e->data.scalar.tag
			       : e->type == YAML_SEQUENCE_START_EVENT ? e->data.sequence_start.tag
								      : e->data.mapping_start.tag;
	if (t && (strcmp((const char *)t, "!") != 0 || e->type == YAML_SCALAR_EVENT))
		return (const char *)t;
	return e->type == YAML_SCALAR_EVENT ? YAML_DEFAULT_SCALAR_TAG
	       : e->type == YAML_SEQUENCE_START_EVENT ? YAML_DEFAULT_SEQUENCE_TAG
						      : YAML_DEFAULT_MAPPING_TAG;
}

/* Does node N hold what scalar event E says: the same value, and a string
 * for both or for neither? Plain against plain (or quoted against quoted)
 * needs no resolving: the same text resolves the same way. */
static bool
scalar_reads_back(const yaml_node_t *n, const yaml_event_t *e)
{
	if (n->data.scalar.length != e->data.scalar.length ||
	    memcmp(n->data.scalar.value, e->data.scalar.value, e->data.scalar.length) != 0)
		return false;
	bool node_plain = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE || n->data.scalar.style == YAML_ANY_SCALAR_STYLE;
	const char *tag = (const char *)e->data.scalar.tag;
	bool event_plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !(tag && strcmp(tag, YAML_STR_TAG) == 0);
	if (node_plain == event_plain)
		return true;
	return reads_as_string(n) == event_reads_as_string(e);
}

/* Does TEXT read as node ROOT of Y? The parser's events are compared with
 * Y as they come. */
static bool
reads_back_as(const char *text, size_t len, yaml_document_t *y, int root)
{
	struct frame {
		int node;
		size_t next; /* mapping: 2 per pair, key then value; sequence: item */
	} *st = NULL;
	size_t depth = 0, cap = 0;
	yaml_parser_t parser;
	yaml_event_t e;
	bool same = true, root_seen = false, done = false;
	int docs = 0;

	if (!yaml_parser_initialize(&parser))
		xoom();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (same && !done) {
		if (!yaml_parser_parse(&parser, &e)) {
			if (parser.error == YAML_MEMORY_ERROR)
				xoom();
			same = false;
			break;
		}
		done = e.type == YAML_STREAM_END_EVENT;
		switch (e.type) {
		case YAML_DOCUMENT_START_EVENT:
			same = ++docs == 1;
			break;
		case YAML_ALIAS_EVENT:
			same = false;
			break;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			/* The node the tree has in this place. */
			int id = 0;
			if (!depth) {
				id = root_seen ? 0 : root;
				root_seen = true;
			} else {
				yaml_node_t *p = ynode_at(y, st[depth - 1].node);
				size_t k = st[depth - 1].next++;
				if (p->type == YAML_MAPPING_NODE && k / 2 < npairs(p))
					id = k % 2 ? p->data.mapping.pairs.start[k / 2].value
						   : p->data.mapping.pairs.start[k / 2].key;
				else if (p->type == YAML_SEQUENCE_NODE && k < nitems(p))
					id = p->data.sequence.items.start[k];
			}
			yaml_node_t *n = ynode_at(y, id);
			yaml_node_type_t want = e.type == YAML_SCALAR_EVENT ? YAML_SCALAR_NODE
						: e.type == YAML_SEQUENCE_START_EVENT ? YAML_SEQUENCE_NODE
										     : YAML_MAPPING_NODE;
			if (!n || n->type != want || !n->tag || strcmp((const char *)n->tag, event_tag(&e)) != 0) {
				same = false;
				break;
			}
			if (e.type == YAML_SCALAR_EVENT) {
				same = scalar_reads_back(n, &e);
				break;
			}
			if (depth > DOC_MAX_DEPTH) {
				same = false;
				break;
			}
			if (depth == cap) {
				cap = cap ? 2 * cap : 32;
				st = xrealloc(st, cap * sizeof(*st));
			}
			st[depth].node = id;
			st[depth].next = 0;
			depth++;
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			if (!depth) { /* the parser pairs them: never */
				same = false;
				break;
			}
			yaml_node_t *p = ynode_at(y, st[depth - 1].node);
			size_t want = p->type == YAML_MAPPING_NODE ? 2 * npairs(p) : nitems(p);
			same = st[--depth].next == want;
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&parser);
	free(st);
	return same && done && root_seen;
}

bool
splice_reads_back(const char *text, size_t len, yaml_document_t *y)
{
	return reads_back_as(text, len, y, 1);
}

/* The read-back of the parts that changed. A block collection that starts
 * its own line (only spaces before it) and whose edits all fall inside its
 * lines can be read back alone: YAML's block structure is indentation, so
 * the same lines parse to the same nodes on their own as in the document,
 * and the lines around them are the original text, which the first parse
 * read. Walking down from the root, a collection whose own shape (type,
 * style, tag, pair keys and values or items, in order) the patches kept
 * is covered by its children: each child that changed or holds an edit is
 * covered in turn, or read back alone. Every other collection holding a
 * change is read back alone; the root, the whole text. */
struct frag {
	int id;
	size_t a, b; /* bytes of the original text */
	bool dash;   /* a sequence item's "- " comes first on its first line */
};

struct frags {
	struct frag *v;
	size_t n, cap;
};

/* The lines of block collection ID, when it can be read alone: [*A, *B)
 * from the start of its first line past its last content line and the
 * comment lines deeper than it; *CONTENT where its content ends, *COL its
 * column. Before it on its line there are only spaces, or (*DASH) spaces
 * around the "-" of the sequence item it is: read alone with that dash
 * made a space, its keys or items keep their columns. */
static bool
frag_range(struct sp *s, int id, size_t *a, size_t *b, size_t *content, size_t *col, bool *dash)
{
	yaml_node_t *o = P(s, id);
	if (!o || o->type == YAML_SCALAR_NODE || is_flow(o))
		return false;
	size_t start = off_of(s, o->start_mark);
	if (start >= s->srclen)
		return false;
	*a = line_start(s, start);
	*dash = false;
	for (size_t i = *a; i < start; i++) {
		if (s->src[i] == ' ')
			continue;
		if (s->src[i] != '-' || *dash || i + 1 >= start || s->src[i + 1] != ' ')
			return false;
		*dash = true;
	}
	*col = start - *a;
	size_t end = after_node(s, id);
	if (end == (size_t)-1 || end <= start)
		return false;
	*content = end;
	*b = past_deeper_lines(s, end, *col, false);
	return true;
}

/* Text T (N bytes) is lines all indented by COL spaces or more (or blank). */
static bool
indented_lines(const char *t, size_t n, size_t col)
{
	for (size_t i = 0; i < n;) {
		size_t k = 0;
		while (i + k < n && t[i + k] == ' ')
			k++;
		size_t eol = i + k;
		while (eol < n && t[eol] != '\n')
			eol++;
		bool blank = i + k == eol || (t[i + k] == '\r' && i + k + 1 == eol);
		if (!blank && k < col)
			return false;
		i = eol + 1;
	}
	return true;
}

/* Edit E falls inside the lines (A, B] of a collection at COL whose
 * content ends at CONTENT: inside them, or inserted after its content with
 * lines at least as deep. */
static bool
edit_inside(struct sp *s, const struct edit *e, size_t a, size_t b, size_t content, size_t col)
{
	if (e->off <= a || e->off + e->len > b)
		return false;
	return e->off < content || (e->len == 0 && indented_lines(s->text.data + e->toff, e->tlen, col));
}

static void
frag_add(struct frags *f, int id, size_t a, size_t b, bool dash)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 8;
		f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
	}
	f->v[f->n++] = (struct frag){id, a, b, dash};
}

static bool cover(struct sp *s, int id, size_t lo, size_t hi, struct frags *f, int depth);

/* Child C of a covered collection, owning edits [LO, HI) of those inside
 * the parent: skipped when unchanged without edits, covered, or read back
 * alone. False when it can be none of these. *TAKEN counts its edits. */
static bool
cover_child(struct sp *s, int c, size_t lo, size_t hi, struct frags *f, int depth, size_t *taken)
{
	size_t a, b, content, col, first = hi, n = 0;
	bool dash;
	bool range = frag_range(s, c, &a, &b, &content, &col, &dash);
	for (size_t i = lo; range && i < hi; i++)
		if (edit_inside(s, &s->e[i], a, b, content, col)) {
			if (first == hi)
				first = i;
			n++;
		}
	if (!n && !changed(s, c, depth + 1))
		return true;
	if (!range)
		return false;
	/* Its edits are consecutive in offset order. */
	for (size_t i = first; i < first + n; i++)
		if (!edit_inside(s, &s->e[i], a, b, content, col))
			return false;
	*taken += n;
	size_t mark = f->n;
	if (!cover(s, c, first, first + n, f, depth + 1)) {
		f->n = mark;
		frag_add(f, c, a, b, dash);
	}
	return true;
}

static bool
cover(struct sp *s, int id, size_t lo, size_t hi, struct frags *f, int depth)
{
	yaml_node_t *o = P(s, id), *n = E(s, id);
	if (!o || !n || depth > 64 || o->type != n->type || o->type == YAML_SCALAR_NODE || is_flow(o) || is_flow(n) ||
	    !o->tag || !n->tag || strcmp((const char *)o->tag, (const char *)n->tag) != 0)
		return false;
	size_t taken = 0;
	if (o->type == YAML_MAPPING_NODE) {
		if (npairs(o) != npairs(n))
			return false;
		for (size_t i = 0; i < npairs(o); i++) {
			yaml_node_pair_t p = P(s, id)->data.mapping.pairs.start[i];
			yaml_node_pair_t q = E(s, id)->data.mapping.pairs.start[i];
			if (p.key != q.key || p.value != q.value || changed(s, p.key, depth + 1) ||
			    !cover_child(s, p.value, lo, hi, f, depth, &taken))
				return false;
		}
	} else {
		if (nitems(o) != nitems(n))
			return false;
		for (size_t i = 0; i < nitems(o); i++) {
			int p = P(s, id)->data.sequence.items.start[i];
			if (p != E(s, id)->data.sequence.items.start[i] || !cover_child(s, p, lo, hi, f, depth, &taken))
				return false;
		}
	}
	return taken == hi - lo; /* no edit of its own between the children */
}

/* Does the spliced text OUT (N bytes) read as the patched tree? The parts
 * that changed are read back alone where cover() finds them, else the
 * whole text. */
static bool
read_back(struct sp *s, const char *out, size_t n)
{
	struct frags f = {0};
	bool same;
	if (!cover(s, 1, 0, s->ne, &f, 0)) { 
		same = reads_back_as(out, n, s->y, 1);
	} else {
		same = true;
		/* Where an original offset X lands in OUT: X plus what the edits
		 * at or before it added. */
		for (size_t k = 0; k < f.n && same; k++) {
			long da = 0, db = 0;
			for (size_t i = 0; i < s->ne; i++) {
				long d = (long)s->e[i].tlen - (long)s->e[i].len;
				if (s->e[i].off <= f.v[k].a)
					da += d;
				if (s->e[i].off <= f.v[k].b)
					db += d;
			}
			size_t na = (size_t)((long)f.v[k].a + da), nb = (size_t)((long)f.v[k].b + db);
			if (!(na <= nb && nb <= n)) {
				same = false;
				break;
			}
			if (!f.v[k].dash) {
				same = reads_back_as(out + na, nb - na, s->y, f.v[k].id);
				continue;
			}
			/* The item's dash, the first thing on its line, made a space. */
			char *t = xmalloc(nb - na + 1);
			memcpy(t, out + na, nb - na);
			size_t i = 0;
			while (i < nb - na && t[i] == ' ')
				i++;
			same = i + 1 < nb - na && t[i] == '-' && t[i + 1] == ' ';
			if (same) {
				t[i] = ' ';
				same = reads_back_as(t, nb - na, s->y, f.v[k].id);
			}
			free(t);
		}
	}
	if (same && full_read_back() && !reads_back_as(out, n, s->y, 1)) {
		diag_warn("document %zu: internal error: the read-back of its changed parts passed, the whole "
			  "document's did not", s->d->chunk->index);
		same = false;
	}
	free(f.v);
	return same;
}

/* ---- the walk ---- */

static int visit(struct sp *s, int id, int depth);

static int
rewrite(struct sp *s, int id, const char *why)
{
	s->why = why;
	s->why_node = id;
	return SP_REWRITE;
}

/* Remember a rewrite for --verbose; said only when the splice is used. */
static void
note_rewrite(struct sp *s, int node)
{
	yaml_node_t *n = P(s, s->why_node ? s->why_node : node);
	if (s->nnote == s->capnote) {
		s->capnote = s->capnote ? 2 * s->capnote : 4;
		s->note = xrealloc(s->note, s->capnote * sizeof(*s->note));
	}
	s->note[s->nnote].line = s->d->chunk->first_line + (n ? n->start_mark.line : 0);
	s->note[s->nnote++].why = s->why;
}

/* Replace the value of original key K (was OLD) with patched node NEW. */
static int
replace_value(struct sp *s, int k, int old, int new_, int depth)
{
	yaml_node_t *kn = P(s, k), *vo = P(s, old);
	if (!kn || !vo || kn->type != YAML_SCALAR_NODE)
		return rewrite(s, k, "a key that is not a plain scalar");
	size_t kend = off_of(s, kn->end_mark), vstart = off_of(s, vo->start_mark);
	if (vstart < kend)
		return rewrite(s, k, "a value before its key");
	/* Between key and value: blanks, one ':', then blanks, breaks or a
	 * comment. Anchors and tags are kept by rewriting the parent. */
	bool colon = false;
	for (size_t i = kend; i < vstart; i++) {
		char c = s->src[i];
		if (c == ':' && !colon)
			colon = true;
		else if (c == '#' && colon)
			while (i + 1 < vstart && s->src[i + 1] != '\n')
				i++;
		else if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			return rewrite(s, old, "an anchor, tag or key layout that cannot be spliced");
	}
	if (!colon)
		return rewrite(s, k, "a key layout that cannot be spliced");
	size_t kcol = kn->start_mark.column;
	bool ls;
	size_t vend = content_end(s, old, &ls);
	/* libyaml takes "#" right after a flow collection or a quoted scalar
	 * as a comment ({a: 1}#c); after the text that replaces them it would
	 * not be one, so a blank goes between. */
	const char *gap = !ls && vend < s->srclen && s->src[vend] == '#' ? " " : "";
	struct buf t = {0};
	int rc = SP_WHOLE;
	if (is_inline(s, new_)) {
		if (!inline_text(s, new_, kcol, &t))
			goto out;
		const char *nl = t.len ? memchr(t.data, '\n', t.len) : NULL;
		if (nl) {
			/* A block scalar: its header stays on the key's line, its
			 * text follows that line and must not meet lines it would
			 * take in. */
			size_t head = (size_t)(nl - t.data), at = ls ? vend : after_line(s, vend);
			bool keep = t.data[t.len - 1] == '\n'; /* one break was taken off */
			if (at == (size_t)-1 || past_deeper_lines(s, at, kcol, keep) != at) {
				rc = rewrite(s, old, "a block scalar that would take in the text after it");
				goto out;
			}
			struct buf r = {0};
			buf_adds(&r, ": ");
			buf_add(&r, t.data, head);
			buf_adds(&r, ls ? "\n" : gap);
			add_edit(s, kend, vend - kend, r.data, r.len);
			r.len = 0;
			buf_add(&r, nl + 1, t.len - head - 1);
			buf_adds(&r, "\n");
			add_edit(s, at, 0, r.data, r.len);
			buf_free(&r);
		} else if (vo->type == YAML_SCALAR_NODE && !is_block_scalar(vo) && vo->start_mark.line == vo->end_mark.line) {
			/* The value stays on its key's line, also where that line
			 * ends the chunk without a break ("privileged:" at EOF). */
			struct buf r = {0};
			if (vstart == vend && t.len)
				buf_adds(&r, " ");
			buf_add(&r, t.data ? t.data : "", t.len);
			buf_adds(&r, gap);
			add_edit_g(s, vstart, vend - vstart, r.data ? r.data : "", r.len, false);
			buf_free(&r);
		} else {
			struct buf r = {0};
			buf_adds(&r, t.len ? ": " : ":");
			buf_add(&r, t.data ? t.data : "", t.len);
			buf_adds(&r, ls ? "\n" : gap);
			add_edit(s, kend, vend - kend, r.data, r.len);
			buf_free(&r);
		}
	} else {
		size_t inner = E(s, new_)->type == YAML_SEQUENCE_NODE && s->indentless ? kcol : kcol + s->step;
		if (!render_block(s, new_, inner, &t, depth + 1))
			goto out;
		size_t at = ls ? vend : after_line(s, vend);
		if (at == (size_t)-1) {
			rc = rewrite(s, old, "a value followed by more text on its line");
			goto out;
		}
		/* A value whose text runs to where the block goes (at the end of
		 * the input, libyaml can end a null value past the last break):
		 * the block goes after a break of its own. */
		bool at_eof = !ls && at == vend;
		const char *head = ls || at_eof ? ":\n" : *gap ? ": " : ":";
		add_edit(s, kend, vend - kend, head, strlen(head));
		add_edit(s, past_deeper_lines(s, at, kcol, ends_empty(&t)), 0, t.data, t.len);
	}
	rc = SP_OK;
out:
	buf_free(&t);
	return rc;
}

/* Bytes of original item ID of a block sequence, from the start of its dash
 * line to the start of the line after it: [*from, *to). */
static bool
item_lines(struct sp *s, int id, size_t *from, size_t *to)
{
	size_t o = off_of(s, P(s, id)->start_mark);
	while (o > 0 && s->src[o - 1] == ' ')
		o--;
	if (o == 0 || s->src[o - 1] != '-' || !only_spaces_before(s, o - 1))
		return false;
	*from = line_start(s, o - 1);
	*to = after_node(s, id);
	/* With the deeper comments after it: left behind, they could meet a
	 * block scalar before it and become its text. */
	if (*to != (size_t)-1)
		*to = past_deeper_lines(s, *to, (size_t)(o - 1 - *from), false);
	return *to != (size_t)-1;
}

/* WHERE[i] = the index in NOW of original id ORIG[i] (each index used
 * once), or -1 when it is gone. False when the ones kept changed order. */
static bool
match_ids(const int *orig, size_t np, const int *now, size_t ne, long *where)
{
	long last = -1;
	for (size_t i = 0; i < np; i++) {
		where[i] = -1;
		for (size_t j = (size_t)(last + 1); j < ne && where[i] < 0; j++)
			if (now[j] == orig[i])
				where[i] = (long)j;
		if (where[i] >= 0) {
			last = where[i];
			continue;
		}
		for (long j = 0; j <= last; j++) /* only before: it moved */
			if (now[j] == orig[i])
				return false;
	}
	return true;
}

/* For each of the NE patched entries, the original one match_ids() found
 * it to be (WHERE, NP entries), or -1 for a new one: one pass, so that a
 * list of 100,000 env entries does not cost its square. */
static long *
inverse(const long *where, size_t np, size_t ne)
{
	long *back = xmalloc((ne ? ne : 1) * sizeof(*back));
	for (size_t j = 0; j < ne; j++)
		back[j] = -1;
	for (size_t q = 0; q < np; q++)
		if (where[q] >= 0)
			back[where[q]] = (long)q;
	return back;
}

/* Insert PEND (lines of a collection at column COL) after original node
 * AFTER, past the comments that belong to it, and empty PEND. */
static int
insert_after(struct sp *s, int id, int after, size_t col, struct buf *pend, const char *what)
{
	size_t at = after ? after_node(s, after) : (size_t)-1;
	if (at == (size_t)-1)
		return rewrite(s, id, what);
	add_edit(s, past_deeper_lines(s, at, col, ends_empty(pend)), 0, pend->data, pend->len);
	pend->len = 0;
	return SP_OK;
}

static int
visit_map(struct sp *s, int id, int depth)
{
	yaml_node_t *o = P(s, id);
	size_t np = npairs(o), ne = npairs(E(s, id));
	yaml_node_pair_t *pp = o->data.mapping.pairs.start;
	size_t col = P(s, pp[0].key)->start_mark.column;
	/* Explicit keys ("? runAsUser" / ": 1000") put keys and values on lines
	 * of their own: the mapping is written again, in block style with
	 * implicit keys, rather than edited line by line. */
	for (size_t i = 0; i < np; i++) {
		size_t qm = off_of(s, P(s, pp[i].key)->start_mark);
		while (qm > 0 && s->src[qm - 1] == ' ')
			qm--;
		if (qm > 0 && s->src[qm - 1] == '?' && only_spaces_before(s, qm - 1))
			return changed(s, id, depth) ? rewrite(s, id, "a mapping with explicit keys ('? key')") : SP_OK;
	}
	long *where = xmalloc(np * sizeof(*where)), *back = NULL;
	int *keys = xmalloc((np + ne) * sizeof(*keys));
	int rc = SP_OK;
	struct buf pend = {0};

	for (size_t i = 0; i < np; i++)
		keys[i] = pp[i].key;
	for (size_t j = 0; j < ne; j++)
		keys[np + j] = E(s, id)->data.mapping.pairs.start[j].key;
	if (!match_ids(keys, np, keys + np, ne, where)) {
		rc = rewrite(s, id, "keys moved");
		goto out;
	}
	for (size_t i = 0; i < np; i++) {
		size_t from, to;
		if (where[i] >= 0)
			continue;
		from = off_of(s, P(s, pp[i].key)->start_mark);
		to = after_node(s, pp[i].value);
		if (!only_spaces_before(s, from) || to == (size_t)-1) {
			rc = rewrite(s, id, "a removed key that does not own its lines");
			goto out;
		}
		/* The deeper comments after it go with it: left behind, they
		 * could meet a block scalar before it and become its text. */
		to = past_deeper_lines(s, to, P(s, pp[i].key)->start_mark.column, false);
		from = line_start(s, from);
		add_edit(s, from, to - from, "", 0);
	}
	long prev = -1;
	back = inverse(where, np, ne);
	for (size_t j = 0; j < ne && rc == SP_OK; j++) {
		yaml_node_pair_t ep = E(s, id)->data.mapping.pairs.start[j];
		long i = back[j];
		if (i < 0) {
			if ((size_t)ep.key <= s->norig) {
				rc = rewrite(s, id, "a key moved from elsewhere");
				break;
			}
			if (!render_pair(s, ep.key, ep.value, col, &pend, depth))
				rc = SP_WHOLE;
			continue;
		}
		if (pend.len && prev >= 0) {
			if ((rc = insert_after(s, id, pp[prev].value, col, &pend, "no line to insert keys at")) != SP_OK)
				break;
		} else if (pend.len) { /* before the first key kept */
			size_t at = off_of(s, P(s, pp[i].key)->start_mark);
			if (!only_spaces_before(s, at)) {
				rc = rewrite(s, id, "no line to insert keys at");
				break;
			}
			add_edit(s, line_start(s, at), 0, pend.data, pend.len);
			pend.len = 0;
		}
		if (ep.value == pp[i].value) {
			rc = visit(s, ep.value, depth + 1);
			if (rc == SP_REWRITE) {
				note_rewrite(s, ep.value);
				rc = replace_value(s, ep.key, pp[i].value, ep.value, depth);
			}
		} else {
			rc = replace_value(s, ep.key, pp[i].value, ep.value, depth);
		}
		prev = i;
	}
	if (rc == SP_OK && pend.len)
		rc = insert_after(s, id, prev >= 0 ? pp[prev].value : 0, col, &pend, "no line to insert keys at");
out:
	buf_free(&pend);
	free(keys);
	free(where);
	free(back);
	return rc;
}

static int
visit_seq(struct sp *s, int id, int depth)
{
	yaml_node_t *o = P(s, id);
	size_t np = nitems(o), ne = nitems(E(s, id));
	yaml_node_item_t *pi = o->data.sequence.items.start;
	size_t dash = off_of(s, o->start_mark);
	if (dash >= s->srclen || s->src[dash] != '-' || !only_spaces_before(s, dash))
		return changed(s, id, depth) ? rewrite(s, id, "a sequence whose dashes do not start their lines")
					     : SP_OK;
	size_t dcol = o->start_mark.column, off = 2;
	yaml_node_t *first = P(s, pi[0]);
	if (first->start_mark.line == o->start_mark.line && first->start_mark.column > dcol + 1)
		off = first->start_mark.column - dcol;
	long *where = xmalloc(np * sizeof(*where)), *back = NULL;
	int rc = SP_OK;
	struct buf pend = {0}, t = {0};

	if (!match_ids(pi, np, E(s, id)->data.sequence.items.start, ne, where)) {
		rc = rewrite(s, id, "items moved");
		goto out;
	}
	for (size_t i = 0; i < np; i++) {
		size_t from, to;
		if (where[i] >= 0)
			continue;
		if (!item_lines(s, pi[i], &from, &to)) {
			rc = rewrite(s, id, "a removed item that does not own its lines");
			goto out;
		}
		add_edit(s, from, to - from, "", 0);
	}
	long prev = -1;
	back = inverse(where, np, ne);
	for (size_t j = 0; j < ne && rc == SP_OK; j++) {
		int it = E(s, id)->data.sequence.items.start[j];
		long i = back[j];
		if (i < 0) {
			if ((size_t)it <= s->norig) {
				rc = rewrite(s, id, "an item moved from elsewhere");
				break;
			}
			if (!render_item(s, it, dcol, off, &pend, depth))
				rc = SP_WHOLE;
			continue;
		}
		if (pend.len && prev >= 0) {
			if ((rc = insert_after(s, id, pi[prev], dcol, &pend, "no line to insert items at")) != SP_OK)
				break;
		} else if (pend.len) { /* before the first item kept */
			add_edit(s, line_start(s, dash), 0, pend.data, pend.len);
			pend.len = 0;
		}
		rc = visit(s, it, depth + 1);
		if (rc == SP_REWRITE) {
			size_t from, to;
			note_rewrite(s, it);
			t.len = 0;
			if (!item_lines(s, it, &from, &to)) {
				rc = rewrite(s, id, "an item that does not own its lines");
				break;
			}
			if (!render_item(s, it, dcol, off, &t, depth)) {
				rc = SP_WHOLE;
				break;
			}
			add_edit(s, from, to - from, "", 0);
			add_edit(s, ends_empty(&t) ? past_deeper_lines(s, to, dcol, true) : to, 0, t.data, t.len);
			rc = SP_OK;
		}
		prev = i;
	}
	if (rc == SP_OK && pend.len)
		rc = insert_after(s, id, prev >= 0 ? pi[prev] : 0, dcol, &pend, "no line to insert items at");
out:
	buf_free(&pend);
	buf_free(&t);
	free(where);
	free(back);
	return rc;
}

static int
visit(struct sp *s, int id, int depth)
{
	yaml_node_t *a = E(s, id), *o = P(s, id);
	size_t mark = s->ne, marknote = s->nnote;
	int rc;
	if (!a || !o || a->type != o->type || depth > DOC_MAX_DEPTH)
		return rewrite(s, id, "a patch replaced this node");
	if (a->type == YAML_SCALAR_NODE)
		return changed(s, id, depth) ? rewrite(s, id, "a patch changed this scalar in place") : SP_OK;
	if (is_flow(o))
		return changed(s, id, depth) ? rewrite(s, id, "a patch changes this flow-style value") : SP_OK;
	bool map = a->type == YAML_MAPPING_NODE;
	if (!(map ? npairs(o) : nitems(o)))
		return changed(s, id, depth) ? rewrite(s, id, "an empty block collection") : SP_OK;
	if (!(map ? npairs(a) : nitems(a))) /* written {} or [] by the parent: no lines read as null */
		return rewrite(s, id, "a patch removed everything in it");
	rc = map ? visit_map(s, id, depth) : visit_seq(s, id, depth);
	if (rc != SP_OK) { /* the parent rewrites what this node recorded */
		s->ne = mark;
		s->nnote = marknote;
	}
	return rc;
}

/* ---- the document ---- */

static const char *
check_text(struct sp *s)
{
	const unsigned char *t = (const unsigned char *)s->src;
	size_t n = s->srclen, cap = 64;
	if (n >= 3 && t[0] == 0xEF && t[1] == 0xBB && t[2] == 0xBF)
		return "it starts with a byte order mark";
	s->line = xmalloc(cap * sizeof(*s->line));
	s->line[s->nline++] = 0;
	bool lead = true;
	for (size_t i = 0; i < n; i++) {
		if (t[i] > ' ' && t[i] < 0x7f) { /* most bytes: none of the cases below */
			lead = false;
			continue;
		}
		if (t[i] == '\r' && (i + 1 == n || t[i + 1] != '\n'))
			return "it has line breaks other than LF and CRLF";
		if (t[i] == 0xC2 && i + 1 < n && t[i + 1] == 0x85)
			return "it has line breaks other than LF and CRLF";
		if (t[i] == 0xE2 && i + 2 < n && t[i + 1] == 0x80 && (t[i + 2] == 0xA8 || t[i + 2] == 0xA9))
			return "it has line breaks other than LF and CRLF";
		if (t[i] == '\t' && lead)
			return "a line starts with a tab";
		if (t[i] == 0xEF && i + 2 < n && t[i + 1] == 0xBB && t[i + 2] == 0xBF && (i == 0 || t[i - 1] == '\n'))
			return "a line starts with a byte order mark";
		if (t[i] != ' ')
			lead = false;
		if (t[i] == '\n') {
			if (s->nline == cap) {
				cap *= 2;
				s->line = xrealloc(s->line, cap * sizeof(*s->line));
			}
			s->line[s->nline++] = i + 1;
			lead = true;
		}
	}
	return NULL;
}

static const char *
check_aliases(struct sp *s)
{
	size_t n = s->norig;
	unsigned char *seen = xcalloc(n + 1, 1);
	const char *why = NULL;
	for (yaml_node_t *node = s->p.nodes.start; node < s->p.nodes.top && !why; node++) {
		if (node->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *i = node->data.sequence.items.start; i < node->data.sequence.items.top; i++)
				if (*i > 0 && (size_t)*i <= n && seen[*i]++)
					why = "it uses YAML aliases";
		} else if (node->type == YAML_MAPPING_NODE) {
			for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++)
				if ((p->key > 0 && (size_t)p->key <= n && seen[p->key]++) ||
				    (p->value > 0 && (size_t)p->value <= n && seen[p->value]++))
					why = "it uses YAML aliases";
		}
	}
	free(seen);
	return why;
}

/* The step between a key and the keys of the mapping under it, and whether
 * sequences under keys are indentless, from the first example found. */
static void
learn_style(struct sp *s, int id, int depth, bool *have_step, bool *have_seq)
{
	yaml_node_t *n = P(s, id);
	if (!n || depth > 64 || (*have_step && *have_seq))
		return;
	if (n->type == YAML_SEQUENCE_NODE && !is_flow(n)) {
		for (size_t i = 0; i < nitems(n); i++)
			learn_style(s, P(s, id)->data.sequence.items.start[i], depth + 1, have_step, have_seq);
		return;
	}
	if (n->type != YAML_MAPPING_NODE || is_flow(n))
		return;
	for (size_t i = 0; i < npairs(n); i++) {
		yaml_node_pair_t pr = P(s, id)->data.mapping.pairs.start[i];
		yaml_node_t *k = P(s, pr.key), *v = P(s, pr.value);
		if (!k || !v || is_flow(v))
			continue;
		if (!*have_step && v->type == YAML_MAPPING_NODE && npairs(v)) {
			yaml_node_t *k2 = P(s, v->data.mapping.pairs.start[0].key);
			if (k2 && k2->start_mark.line > k->start_mark.line && k2->start_mark.column > k->start_mark.column) {
				s->step = k2->start_mark.column - k->start_mark.column;
				*have_step = true;
			}
		}
		if (!*have_seq && v->type == YAML_SEQUENCE_NODE && nitems(v) && v->start_mark.line > k->start_mark.line) {
			s->indentless = v->start_mark.column == k->start_mark.column;
			*have_seq = true;
		}
		learn_style(s, pr.value, depth + 1, have_step, have_seq);
	}
}

/* Is the last text of the document part of a block scalar? */
static bool
ends_in_block_scalar(struct sp *s)
{
	int id = 1;
	for (int depth = 0; depth <= DOC_MAX_DEPTH; depth++) {
		yaml_node_t *n = P(s, id);
		if (n && n->type == YAML_MAPPING_NODE && !is_flow(n) && npairs(n))
			id = n->data.mapping.pairs.top[-1].value;
		else if (n && n->type == YAML_SEQUENCE_NODE && !is_flow(n) && nitems(n))
			id = n->data.sequence.items.top[-1];
		else
			return n && is_block_scalar(n);
	}
	return false;
}

static void
whole(const struct sp *s, const char *why)
{
	diag_note("document %zu: re-emitted whole: %s", s->d->chunk->index, why);
}

int
splice_doc(struct buf *out, struct doc *d)
{
	const struct chunk *c = d->chunk;
	struct sp s;
	int rc = 1;

	memset(&s, 0, sizeof(s));
	s.d = d;
	s.src = c->data;
	s.srclen = c->len;
	s.y = &d->y;
	s.step = 2;
	const char *why = d->reused_anchor ? "it reuses an anchor name" : check_text(&s);
	if (why) {
		whole(&s, why);
		free(s.line);
		return 1;
	}
	/* The tree as it was, kept by doc.c before the patches ran. */
	if (!d->orig.nodes.start) {
		whole(&s, "no copy of its tree as parsed");
		free(s.line);
		return 1;
	}
	s.p = d->orig;
	s.norig = (size_t)(s.p.nodes.top - s.p.nodes.start);
	if (s.norig == 0 || s.norig > (size_t)(d->y.nodes.top - d->y.nodes.start)) {
		whole(&s, "its tree does not match its text");
		goto done;
	}
	if ((why = check_aliases(&s))) {
		whole(&s, why);
		goto done;
	}
	bool have_step = false, have_seq = false;
	learn_style(&s, 1, 0, &have_step, &have_seq);
	int r = visit(&s, 1, 0);
	if (r == SP_REWRITE) {
		whole(&s, is_flow(P(&s, 1)) ? "it is written in flow style (JSON)" : s.why);
		goto done;
	}
	if (r == SP_WHOLE) {
		whole(&s, "a patched value cannot be written in block style");
		goto done;
	}
	if (s.glued && ends_in_block_scalar(&s)) {
		/* Its text would gain the line break the document lacks. */
		whole(&s, "it ends inside a block scalar without a final line break");
		goto done;
	}
	if (s.ne == 0) { /* nothing to splice: the text as it came */
		buf_add(out, s.src, s.srclen);
		rc = 0;
		goto done;
	}
	qsort(s.e, s.ne, sizeof(*s.e), by_offset);
	size_t pos = 0, start = out->len, total = s.srclen;
	for (size_t i = 0; i < s.ne; i++)
		total += s.e[i].tlen;
	buf_reserve(out, total); /* at most: the edits replace some of the text */
	for (size_t i = 0; i < s.ne; i++) {
		const struct edit *e = &s.e[i];
		if (e->off < pos) {
			out->len = start;
			mismatches++;
			diag_warn("document %zu: internal error in the minimal-diff writer (overlapping edits); "
				  "the document is re-emitted whole instead. Please report it", c->index);
			goto done;
		}
		buf_add(out, s.src + pos, e->off - pos);
		if (e->tlen)
			buf_add(out, s.text.data + e->toff, e->tlen);
		pos = e->off + e->len;
	}
	buf_add(out, s.src + pos, s.srclen - pos);

	/* Read the result back: it must be the patched tree. */
	bool same = read_back(&s, out->data + start, out->len - start);
	if (!same) {
		out->len = start;
		mismatches++;
		diag_warn("document %zu: internal error in the minimal-diff writer (its text did not read back "
			  "as the patched document); the document is re-emitted whole instead. Please report it",
			  c->index);
		goto done;
	}
	for (size_t i = 0; i < s.nnote; i++)
		diag_note("document %zu, line %zu: value rewritten in block style: %s", c->index, s.note[i].line,
			  s.note[i].why);
	rc = 0;
done:
	free(s.note);
	free(s.line);
	free(s.e);
	buf_free(&s.text);
	return rc;
}
