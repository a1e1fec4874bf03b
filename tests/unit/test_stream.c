/* test_stream.c -- unit tests for the document splitter: where chunks are
 * cut, what header/trailer/marker flags say, that chunks always concatenate
 * back to the input, and the errors it reports. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "diag.h"
#include "stream.h"
#include "util.h"

#define MAXDOC (1u << 20)

struct split {
	int n;          /* chunks */
	int docs;       /* chunks that are documents */
	size_t len[16];
	size_t header[16];
	size_t trailer[16];
	size_t line[16];
	int marker[16], content[16], endm[16], crlf[16], index[16];
	char source[16][64];
	int rc;         /* last stream_next result */
	int rejoined;   /* concatenation equals input */
};

static struct split
split(const char *in, size_t len)
{
	struct split r;
	struct stream s;
	struct chunk c;
	struct buf all = {0};
	memset(&r, 0, sizeof(r));
	diag_reset();
	stream_init_mem(&s, in, len, MAXDOC);
	while ((r.rc = stream_next(&s, &c)) > 0 && r.n < 16) {
		buf_add(&all, c.data, c.len);
		r.len[r.n] = c.len;
		r.header[r.n] = c.header_len;
		r.trailer[r.n] = c.trailer_start;
		r.line[r.n] = c.first_line;
		r.marker[r.n] = c.has_marker;
		r.content[r.n] = c.has_content;
		r.endm[r.n] = c.has_end_marker;
		r.crlf[r.n] = c.crlf;
		r.index[r.n] = (int)c.index;
		if (c.source)
			snprintf(r.source[r.n], sizeof(r.source[r.n]), "%.*s", (int)c.source_len, c.source);
		if (c.index)
			r.docs++;
		r.n++;
	}
	r.rejoined = all.len == len && (len == 0 || memcmp(all.data, in, len) == 0);
	buf_free(&all);
	stream_free(&s);
	return r;
}

#define S(lit) split(lit, sizeof(lit) - 1)

int
main(void)
{
	struct split r;

	r = S("");
	CHECK("empty input yields no chunk", r.n == 0 && r.rc == 0);

	r = S("---\n# Source: c/templates/a.yaml\nkind: A\n---\n# Source: c/templates/b.yaml\nkind: B\n");
	CHECK("helm3: two chunks", r.n == 2 && r.docs == 2 && r.rejoined);
	CHECK("helm3: header covers marker and Source line", r.header[0] == 33);
	CHECK("helm3: Source path", strcmp(r.source[0], "c/templates/a.yaml") == 0 &&
					strcmp(r.source[1], "c/templates/b.yaml") == 0);
	CHECK("helm3: second chunk starts on line 4", r.line[1] == 4);
	CHECK("helm3: no trailer", r.trailer[0] == r.len[0]);

	r = S("# header\n\nkind: A\n---\nkind: B");
	CHECK("implicit first document keeps its leading comments", r.n == 2 && r.marker[0] == 0 &&
		r.header[0] == 10 && r.rejoined);
	CHECK("no newline at EOF is kept", r.len[1] == 11 && r.rejoined);

	r = S("kind: A\n...\n---\nkind: B\n...\n");
	CHECK("'...' ends a document; following '---' starts the next", r.n == 2 && r.endm[0] &&
		r.endm[1] && r.rejoined);
	CHECK("'...' is in the trailer", r.trailer[0] == 8);

	r = S("kind: A\n...\n\n---\n# Source: x\nkind: B\n");
	CHECK("blank line between '...' and '---' joins the next header", r.n == 2 &&
		r.header[1] == 17 && strcmp(r.source[1], "x") == 0);

	r = S("---\n# Source: hidden\n---\nkind: B\n---\n");
	CHECK("comment-only and trailing empty documents count", r.n == 3 && r.docs == 3 &&
		r.content[0] == 0 && r.content[2] == 0 && r.marker[2] == 1);

	r = S("kind: A\n# trailing\n#more\n");
	CHECK("trailing column-0 comments are the trailer", r.n == 1 && r.trailer[0] == 8);

	r = S("a: |\n  x\n  # in scalar\nb: 1\n");
	CHECK("indented comment-like line inside a block scalar is not a trailer",
	      r.trailer[0] == r.len[0]);

	r = S("kind: A\n---\n# only comments at the end\n");
	CHECK("a final '---' with comments is an empty document", r.n == 2 && r.docs == 2);

	r = S("kind: A\n...\n# end\n");
	CHECK("comments after the last '...' are no document", r.n == 2 && r.docs == 1 &&
		r.index[1] == 0 && r.rejoined);

	r = S("--- # comment on marker\nkind: A\n---\t\nkind: B\n");
	CHECK("comment or blanks after '---' are allowed", r.n == 2 && r.rc == 0);

	r = S("kind: A\n--- {a: 1}\n");
	CHECK("content on the '---' line is rejected", r.rc == -1 && diag_failed());

	r = S("kind: A\n... x\n");
	CHECK("content on the '...' line is rejected", r.rc == -1);

	r = S("a: ----\n---x: 1\n----\nb: 2\n");
	CHECK("'----' and '---x' are not markers", r.n == 1 && r.rejoined);

	r = S("---\r\n# Source: crlf\r\nkind: A\r\n---\r\nkind: B\r\n");
	CHECK("CRLF: markers found, flags set", r.n == 2 && r.crlf[0] && r.crlf[1] &&
		strcmp(r.source[0], "crlf") == 0 && r.rejoined);

	r = S("\xEF\xBB\xBF---\nkind: A\n---\nkind: B\n");
	CHECK("UTF-8 BOM before the first '---'", r.n == 2 && r.marker[0] && r.rejoined);

	r = split("\xFF\xFE-\0-\0-\0\n\0", 10);
	CHECK("UTF-16 input is rejected", r.rc == -1);

	r = S("%YAML 1.1\n---\nkind: A\n");
	CHECK("a directive stays in the header of its document", r.n == 1 && r.header[0] == 14);

	/* fd mode: a document longer than one read block, with a 600 KB line,
	 * and a size limit. */
	{
		char path[] = "/tmp/test_stream.XXXXXX";
		int fd = mkstemp(path);
		size_t big = 600 * 1024;
		char *line = xmalloc(big);
		memset(line, 'x', big);
		int ok = fd >= 0 && write_all(fd, "---\na: ", 7) == 0 && write_all(fd, line, big) == 0 &&
			 write_all(fd, "\n---\nb: 1\n", 10) == 0;
		struct stream s;
		struct chunk c;
		lseek(fd, 0, SEEK_SET);
		stream_init_fd(&s, fd, MAXDOC);
		int n1 = stream_next(&s, &c);
		size_t l1 = c.len;
		int n2 = stream_next(&s, &c);
		size_t line2 = c.first_line;
		int n3 = stream_next(&s, &c);
		stream_free(&s);
		CHECK("fd: long line across read blocks", ok && n1 == 1 && l1 == big + 8 && n2 == 1 &&
			line2 == 3 && n3 == 0);

		diag_reset();
		lseek(fd, 0, SEEK_SET);
		stream_init_fd(&s, fd, 64 * 1024);
		n1 = stream_next(&s, &c);
		stream_free(&s);
		CHECK("fd: document over the size limit is an error", n1 == -1 && diag_failed());
		close(fd);
		unlink(path);
		free(line);
	}
	/* Many documents through fd mode, so the buffer is compacted while a
	 * chunk is being scanned: header and trailer offsets must stay right. */
	{
		char path[] = "/tmp/test_stream.XXXXXX";
		int fd = mkstemp(path);
		/* Mostly trailer, so that every compaction (about one per 256 KB)
		 * falls after the trailer offset was taken. */
		static const char doc[] = "---\n# Source: s\nkey: v\n# t\n# t\n# t\n# t\n# t\n# t\n# t\n"
					  "# t\n# t\n# t\n# t\n# t\n# t\n# t\n# t\n# t\n";
		int ok = fd >= 0;
		for (int i = 0; i < 40000 && ok; i++)
			ok = write_all(fd, doc, sizeof(doc) - 1) == 0;
		lseek(fd, 0, SEEK_SET);
		struct stream s;
		struct chunk c;
		int n = 0, bad = 0;
		stream_init_fd(&s, fd, MAXDOC);
		while (stream_next(&s, &c) == 1) {
			n++;
			if (c.len != sizeof(doc) - 1 || c.header_len != 16 || c.trailer_start != 23 ||
			    memcmp(c.data, doc, c.len) != 0)
				bad++;
		}
		stream_free(&s);
		close(fd);
		unlink(path);
		CHECK("fd: offsets stay right across buffer compaction", ok && n == 40000 && bad == 0);
	}
	return check_done();
}
