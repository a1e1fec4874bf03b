/* spool.c -- the output buffer behind "all or nothing": bytes collect in a
 * fixed memory buffer that spills into an unlinked file under $TMPDIR. It
 * knows nothing about documents. */
#include "spool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "util.h"

void
spool_init(struct spool *s, size_t mem_limit)
{
	memset(s, 0, sizeof(*s));
	s->cap = mem_limit ? mem_limit : 1;
	s->mem = xmalloc(s->cap);
	s->fd = -1;
}

static int
open_temp(struct spool *s)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(path, sizeof(path), "%s/dms-postrender.XXXXXX", dir);
	s->fd = mkstemp(path);
	if (s->fd < 0) {
		diag_error("cannot create a temporary file in %s for the output spool:", dir);
		return -1;
	}
	/* Unlinked at once: nothing is left behind, whatever happens. */
	unlink(path);
	return 0;
}

static int
spill(struct spool *s)
{
	if (s->fd < 0 && open_temp(s) != 0)
		return -1;
	if (write_all(s->fd, s->mem, s->len) != 0) {
		diag_error("writing the output spool to its temporary file failed:");
		return -1;
	}
	s->len = 0;
	return 0;
}

int
spool_write(struct spool *s, const void *p, size_t n)
{
	const char *c = p;
	s->total += n;
	while (n > 0) {
		size_t room = s->cap - s->len;
		if (room == 0) {
			if (spill(s) != 0)
				return -1;
			room = s->cap;
		}
		size_t k = n < room ? n : room;
		memcpy(s->mem + s->len, c, k);
		s->len += k;
		c += k;
		n -= k;
	}
	return 0;
}

int
spool_commit(struct spool *s, int out_fd)
{
	if (s->fd >= 0) {
		if (spill(s) != 0)
			return -1;
		if (lseek(s->fd, 0, SEEK_SET) != 0) {
			diag_error("rewinding the output spool failed:");
			return -1;
		}
		for (;;) {
			ssize_t r = read(s->fd, s->mem, s->cap);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				diag_error("reading back the output spool failed:");
				return -1;
			}
			if (r == 0)
				break;
			if (write_all(out_fd, s->mem, (size_t)r) != 0) {
				diag_error("writing output failed:");
				return -1;
			}
		}
		return 0;
	}
	if (write_all(out_fd, s->mem, s->len) != 0) {
		diag_error("writing output failed:");
		return -1;
	}
	s->len = 0;
	return 0;
}

void
spool_free(struct spool *s)
{
	free(s->mem);
	s->mem = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->len = s->cap = s->total = 0;
}
