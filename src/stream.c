/* stream.c -- the lexical document splitter. It classifies whole lines
 * (marker, comment, directive, content), the same way libyaml's scanner and
 * kyaml's reader find document boundaries, and never looks inside a line
 * beyond that. Holding one document at a time keeps memory flat. */
#include "stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "util.h"

#define READ_BLOCK ((size_t)256 * 1024)

enum line_kind {
	LINE_START,     /* "---" alone, or followed by a comment */
	LINE_END,       /* "..." alone, or followed by a comment */
	LINE_BAD_START, /* "---" or "..." followed by content */
	LINE_COMMENT0,  /* "#" in column 0 */
	LINE_BLANK,     /* only spaces/tabs, or an indented comment */
	LINE_DIRECTIVE, /* "%" in column 0 */
	LINE_CONTENT,
};

void
stream_init_fd(struct stream *s, int fd, size_t max_doc)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->cap = READ_BLOCK * 2;
	s->buf = xmalloc(s->cap);
	s->owns_buf = true;
	s->line = 1;
	s->max_doc = max_doc;
	s->at_stream_start = true;
}

void
stream_init_mem(struct stream *s, const char *data, size_t len, size_t max_doc)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->buf = (char *)data; /* never written through in memory mode */
	s->cap = s->end = len;
	s->eof = true;
	s->line = 1;
	s->max_doc = max_doc;
	s->at_stream_start = true;
}

void
stream_free(struct stream *s)
{
	if (s->owns_buf)
		free(s->buf);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

/* Make room and read one block. Returns 0 (possibly setting eof) or -1. */
static int
fill(struct stream *s)
{
	if (s->start > 0 && s->start == s->end) {
		s->start = s->end = 0;
	} else if (s->start > s->cap / 2) {
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->end -= s->start;
		s->start = 0;
	}
	if (s->cap - s->end < READ_BLOCK) {
		s->cap = s->cap * 2 > s->end + READ_BLOCK ? s->cap * 2 : s->end + READ_BLOCK;
		s->buf = xrealloc(s->buf, s->cap);
	}
	/* Never read far past what one document may hold: a huge line must
	 * fail at the limit, not after the whole input is in memory. */
	size_t want = s->cap - s->end, held = s->end - s->start;
	if (s->max_doc < (size_t)-1 - READ_BLOCK && held < s->max_doc + READ_BLOCK &&
	    want > s->max_doc + READ_BLOCK - held)
		want = s->max_doc + READ_BLOCK - held;
	for (;;) {
		ssize_t r = read(s->fd, s->buf + s->end, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			s->io_error = true;
			diag_error("reading stdin failed:");
			return -1;
		}
		if (r == 0)
			s->eof = true;
		s->end += (size_t)r;
		return 0;
	}
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* After a marker: nothing, blanks, or blanks then a comment. */
static bool
marker_rest_ok(const char *p, const char *e)
{
	if (p == e)
		return true;
	if (!is_blank(*p))
		return false; /* "----" or "---x": not a marker at all */
	while (p < e && is_blank(*p))
		p++;
	return p == e || *p == '#';
}

/* Offset in [p, e) of a line break that YAML sees and this splitter does
 * not: a carriage return not ending the line, NEL, LS or PS. -1 if none. */
static long
hidden_break(const char *p, const char *e)
{
	const unsigned char *u = (const unsigned char *)p, *end = (const unsigned char *)e;
	if (end > u && end[-1] == '\r')
		end--; /* CRLF */
	for (const unsigned char *q = u; q < end; q++) {
		if (*q == '\r' || (*q == 0xC2 && q + 1 < end && q[1] == 0x85) ||
		    (*q == 0xE2 && q + 2 < end && q[1] == 0x80 && (q[2] == 0xA8 || q[2] == 0xA9)))
			return (long)(q - u);
	}
	return -1;
}

static enum line_kind
classify(const char *p, const char *e)
{
	if (e - p >= 3 && (memcmp(p, "---", 3) == 0 || memcmp(p, "...", 3) == 0)) {
		bool start = p[0] == '-';
		const char *r = p + 3;
		if (r == e || is_blank(*r))
			return marker_rest_ok(r, e) ? (start ? LINE_START : LINE_END) : LINE_BAD_START;
		/* "----", "---x": an ordinary line */
	}
	if (p < e && *p == '#')
		return LINE_COMMENT0;
	if (p < e && *p == '%')
		return LINE_DIRECTIVE;
	while (p < e && is_blank(*p))
		p++;
	if (p == e || *p == '#')
		return LINE_BLANK;
	return LINE_CONTENT;
}

/* If [p, e) is a "# Source: PATH" line, store PATH as an offset from base
 * (the buffer may move while the chunk grows). */
static void
note_source(const char *base, const char *p, const char *e, size_t *off, size_t *len)
{
	static const char tag[] = "# Source: ";
	size_t n = sizeof(tag) - 1;
	if (*len || (size_t)(e - p) <= n || memcmp(p, tag, n) != 0)
		return;
	p += n;
	while (e > p && is_blank(e[-1]))
		e--;
	*off = (size_t)(p - base);
	*len = (size_t)(e - p);
}

int
stream_next(struct stream *s, struct chunk *c)
{
	size_t pos = s->start; /* start of the line being classified */
	size_t line = s->line;
	bool has_marker = false, has_content = false, has_end = false, crlf = false, seen_break = false;
	/* Offsets from s->start: fill() may move the buffer under us. */
	size_t header_end = (size_t)-1, trailer = (size_t)-1;
	size_t src_off = 0, src_len = 0;
	size_t scanned = s->start; /* no newline in [pos, scanned) */
	size_t cut;

	memset(c, 0, sizeof(*c));
	for (;;) {
		if (scanned < pos)
			scanned = pos;
		char *nl = memchr(s->buf + scanned, '\n', s->end - scanned);
		if (!nl && !s->eof) {
			size_t rel = pos - s->start, srel = s->end - s->start;
			if (s->end - s->start > s->max_doc)
				goto too_big;
			if (fill(s) != 0)
				return -1;
			pos = s->start + rel;
			scanned = s->start + srel;
			continue;
		}
		if (pos == s->end) { /* end of input */
			cut = pos;
			break;
		}
		size_t eol = nl ? (size_t)(nl - s->buf) : s->end;
		size_t next = nl ? eol + 1 : s->end;
		const char *lp = s->buf + pos;
		if (s->at_stream_start) {
			s->at_stream_start = false;
			const unsigned char *u = (const unsigned char *)lp;
			size_t n = eol - pos;
			if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
				diag_error_at(1, 1, "input is UTF-16 (byte order mark); convert it to UTF-8");
				return -1;
			}
			if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
				lp += 3; /* the UTF-8 BOM does not hide a marker */
		}
		if (!seen_break && nl) {
			seen_break = true;
			crlf = eol > pos && s->buf[eol - 1] == '\r';
		}
		/* Inside a document's content with no trailer begun, an indented
		 * line changes nothing whatever it holds (content, blank or
		 * comment), and it is not copied raw around a re-serialised
		 * document: skip reading it. Most lines of a stream are these. */
		if (has_content && trailer == (size_t)-1 && (*lp == ' ' || *lp == '\t') && lp == s->buf + pos) {
			/* And the indented lines after it, as far as the buffer goes. */
			const char *q = nl, *end = s->buf + s->end;
			line++;
			while (q && q + 1 < end && (q[1] == ' ' || q[1] == '\t')) {
				const char *n2 = memchr(q + 1, '\n', (size_t)(end - q - 1));
				if (!n2)
					break;
				q = n2;
				line++;
			}
			pos = q ? (size_t)(q + 1 - s->buf) : s->end;
			if (pos - s->start > s->max_doc)
				goto too_big;
			continue;
		}
		enum line_kind k = classify(lp, s->buf + eol);
		if (k == LINE_BAD_START) {
			diag_set_document(s->ndocs + 1, s->buf + s->start + src_off, src_len);
			diag_error_at(line, 5,
				      "content on the same line as a document marker is not supported; "
				      "start the document on the next line");
			return -1;
		}
		/* Comment, blank and marker lines are copied raw around a
		 * re-serialised document; one that YAML reads as two lines could
		 * hide content there and have it written twice. */
		long hb = k == LINE_CONTENT ? -1 : hidden_break(lp, s->buf + eol);
		if (hb >= 0) {
			diag_set_document(s->ndocs + 1, s->buf + s->start + src_off, src_len);
			diag_error_at(line, (size_t)hb + 1 + (size_t)(lp - (s->buf + pos)),
				      "a line break that is not LF or CRLF (a lone carriage return, NEL, LS "
				      "or PS) in a comment or marker line; convert the stream to LF line breaks");
			return -1;
		}
		if (k == LINE_START && (has_marker || has_content)) {
			cut = pos;
			break;
		}
		switch (k) {
		case LINE_START:
			has_marker = true;
			break;
		case LINE_END:
			if (has_content && trailer == (size_t)-1)
				trailer = pos - s->start;
			has_end = true;
			break;
		case LINE_COMMENT0:
			if (!has_content)
				note_source(s->buf + s->start, lp, s->buf + eol, &src_off, &src_len);
			else if (trailer == (size_t)-1)
				trailer = pos - s->start;
			break;
		case LINE_DIRECTIVE:
			if (has_content || has_marker) {
				has_content = true;
				trailer = (size_t)-1;
			}
			break;
		case LINE_BLANK:
			break;
		default: /* LINE_CONTENT */
			if (!has_content)
				header_end = pos - s->start;
			has_content = true;
			trailer = (size_t)-1;
			break;
		}
		pos = next;
		line++;
		if (pos - s->start > s->max_doc)
			goto too_big;
		if (has_end) {
			cut = pos;
			break;
		}
	}
	if (cut == s->start)
		return 0;
	c->data = s->buf + s->start;
	c->len = cut - s->start;
	c->header_len = header_end == (size_t)-1 ? c->len : header_end;
	c->trailer_start = trailer == (size_t)-1 ? c->len : trailer;
	c->first_line = s->line;
	c->has_marker = has_marker;
	c->has_content = has_content;
	c->has_end_marker = has_end;
	c->crlf = crlf;
	if (src_len) {
		c->source = c->data + src_off;
		c->source_len = src_len;
	}
	if (has_marker || has_content)
		c->index = ++s->ndocs;
	s->start = cut;
	s->line = line;
	return 1;

too_big:
	diag_set_document(s->ndocs + 1, s->buf + s->start + src_off, src_len);
	diag_error_at(s->line, 1, "document is larger than --max-document-size (%zu bytes)", s->max_doc);
	return -1;
}
