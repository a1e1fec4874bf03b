/* stash.c -- byte strings kept for later: small totals in memory, the rest
 * appended to an unlinked file under $TMPDIR and read back with pread().
 * It reports I/O errors; it does not decide what is worth keeping. */
#include "stash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "util.h"

void
stash_init(struct stash *s, size_t budget)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->budget = budget;
}

static int
open_file(struct stash *s)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(path, sizeof(path), "%s/dms-postrender-held.XXXXXX", dir);
	s->fd = mkstemp(path);
	s->has_file = s->fd >= 0;
	if (s->fd < 0) {
		diag_error("cannot create a temporary file in %s for the documents held back:", dir);
		return -1;
	}
	unlink(path);
	return 0;
}

int
stash_put(struct stash *s, struct stash_item *it, const char *p, size_t n)
{
	memset(it, 0, sizeof(*it));
	it->len = n;
	if (s->in_mem + n <= s->budget) {
		it->mem = xmalloc(n + 1);
		memcpy(it->mem, p, n);
		s->in_mem += n;
		return 0;
	}
	if (!s->has_file && open_file(s) != 0)
		return -1;
	if (write_all(s->fd, p, n) != 0) {
		diag_error("writing a held document to its temporary file failed:");
		return -1;
	}
	it->off = s->file_len;
	s->file_len += n;
	return 0;
}

char *
stash_get(struct stash *s, const struct stash_item *it)
{
	char *out = xmalloc(it->len + 1);
	if (it->mem) {
		memcpy(out, it->mem, it->len);
	} else {
		size_t got = 0;
		while (got < it->len) {
			ssize_t r = pread(s->fd, out + got, it->len - got, (off_t)(it->off + got));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				if (r == 0)
					errno = EIO;
				diag_error("reading a held document back from its temporary file failed:");
				free(out);
				return NULL;
			}
			got += (size_t)r;
		}
	}
	out[it->len] = '\0';
	return out;
}

void
stash_drop(struct stash *s, struct stash_item *it)
{
	if (it->mem) {
		s->in_mem -= it->len;
		free(it->mem);
	}
	memset(it, 0, sizeof(*it));
}

void
stash_free(struct stash *s)
{
	if (s->has_file)
		close(s->fd);
	s->fd = -1;
	s->has_file = 0;
	s->file_len = s->in_mem = 0;
}
