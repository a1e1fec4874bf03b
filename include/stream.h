/* stream.h -- cuts the input into raw document chunks at column-0 "---" and
 * "..." lines, reading stdin in large blocks and holding only the current
 * document. Concatenating every chunk gives back the input byte for byte.
 * It does not parse YAML: doc.c does. */
#ifndef DMSPR_STREAM_H
#define DMSPR_STREAM_H

#include <stdbool.h>
#include <stddef.h>

/* One piece of the input. Pointers are valid until the next stream_next(). */
struct chunk {
	const char *data;
	size_t len;
	size_t header_len;    /* bytes before the first content line: leading
			       * comments, blank lines, directives, the "---" line
			       * and the "# Source:" lines after it */
	size_t trailer_start; /* offset of the trailing run of column-0 comment
			       * lines and "..." after the content; len if none */
	size_t first_line;    /* 1-based line number of data[0] in the stream */
	size_t index;         /* 1-based document number; 0 when the chunk holds
			       * no document (comments at the end of the stream) */
	bool has_marker;      /* starts with an explicit "---" */
	bool has_content;     /* has at least one content line */
	bool has_end_marker;  /* ends with a "..." line */
	bool crlf;            /* its first line break is CRLF */
	const char *source;   /* path from a "# Source: PATH" header line, or NULL */
	size_t source_len;
};

struct stream {
	int fd;               /* -1 when reading from memory */
	char *buf;
	size_t cap, start, end;
	bool owns_buf;
	bool eof;
	bool at_stream_start;
	size_t line;          /* line number of buf[start] */
	size_t max_doc;
	size_t ndocs;         /* documents yielded so far */
	bool io_error;        /* the last failure was reading, not the input */
};

/* Read from fd, in blocks. max_doc bounds the bytes of one chunk. */
void stream_init_fd(struct stream *s, int fd, size_t max_doc);
/* Read from memory the caller keeps alive while the stream is used. */
void stream_init_mem(struct stream *s, const char *data, size_t len, size_t max_doc);
void stream_free(struct stream *s);

/* Yield the next chunk. Returns 1 with *c filled, 0 at the end of input, or
 * -1 after reporting an error (read failure, size limit, UTF-16 input,
 * content on a marker line). */
int stream_next(struct stream *s, struct chunk *c);

#endif
