/* util.c -- out-of-memory-safe allocation, a byte buffer and a full write().
 * It does not report anything except running out of memory. */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"

void
xoom(void)
{
	/* Write directly: stdio may itself need memory. */
	static const char msg[] = "dms-postrender: error: out of memory\n";
	ssize_t r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)r;
	exit(EXIT_IO);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		xoom();
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		xoom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		xoom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

void
buf_reserve(struct buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->data = xrealloc(b->data, b->len + n + 1);
		b->cap = b->len + n + 1;
		b->data[b->len] = '\0';
	}
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

bool
mem_contains(const char *p, size_t n, const char *word)
{
	size_t k = strlen(word);
	const char *end = p + n;
	if (k == 0)
		return true;
	while ((size_t)(end - p) >= k && (p = memchr(p, word[0], (size_t)(end - p) - k + 1)) != NULL) {
		if (memcmp(p, word, k) == 0)
			return true;
		p++;
	}
	return false;
}

int
temp_file(const char *what)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(path, sizeof(path), "%s/dms-postrender.XXXXXX", dir);
	int fd = mkstemp(path);
	if (fd < 0) {
		diag_error("cannot create a temporary file in %s for %s:", dir, what);
		return -1;
	}
	/* Unlinked at once: nothing is left behind, whatever happens. */
	unlink(path);
	return fd;
}

ssize_t
read_at(int fd, void *p, size_t n, size_t off)
{
	for (;;) {
		ssize_t r = pread(fd, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 && n > 0) {
			errno = EIO; /* the file is shorter than we wrote */
			return -1;
		}
		return r;
	}
}

bool
dns_name_ok(const char *s, size_t max, bool dots)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max || s[0] == '-' || s[0] == '.' || s[n - 1] == '-' || s[n - 1] == '.')
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || (dots && *p == '.')))
			return false;
	return true;
}
