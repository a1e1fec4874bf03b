/* util.h -- allocation helpers that exit on out-of-memory, and a growable byte
 * buffer. Nothing here knows about YAML or about the program's exit codes
 * beyond the one out-of-memory exit. */
#ifndef DMSPR_UTIL_H
#define DMSPR_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define countof(a) (sizeof(a) / sizeof((a)[0]))

/* Allocate or resize; on failure print "out of memory" and exit with
 * EXIT_IO. Never return NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Report "out of memory" and exit with EXIT_IO (for other allocators). */
void xoom(void) __attribute__((noreturn));
/* Caller owns the copy; free with free(). */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A growable byte buffer. Zero-initialise, append, read data/len, free. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

/* Append n bytes; the buffer stays NUL-terminated (data[len] == 0). */
void buf_add(struct buf *b, const void *p, size_t n);
/* Make room for N more bytes exactly (no doubling), for a size known in
 * advance: large documents then cost their size, not up to twice it. */
void buf_reserve(struct buf *b, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_free(struct buf *b);

/* Write all n bytes to fd, retrying on EINTR and short writes. Returns 0, or
 * -1 with errno set. */
int write_all(int fd, const void *p, size_t n);

/* An unlinked temporary file under $TMPDIR (default /tmp), mode 0600.
 * Returns its descriptor, or -1 after reporting ("... for WHAT: reason"). */
int temp_file(const char *what);

/* pread() of up to N bytes at OFF, retried on EINTR. Returns the bytes read
 * (> 0 when N > 0), or -1 with errno set (EIO when the file ends early). */
ssize_t read_at(int fd, void *p, size_t n, size_t off);

/* An RFC 1123 name of at most MAX characters: a label (a-z, 0-9, '-') or,
 * with DOTS, a subdomain ('.' too); no '-' or '.' at either end. */
bool dns_name_ok(const char *s, size_t max, bool dots);

/* True when the N bytes at P contain the string WORD (memmem is not POSIX). */
bool mem_contains(const char *p, size_t n, const char *word);

#endif
