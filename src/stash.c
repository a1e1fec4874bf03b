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
	if (!s->has_file) {
		if ((s->fd = temp_file("the documents held back")) < 0)
			return -1;
		s->has_file = 1;
	}
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
		for (size_t got = 0; got < it->len;) {
			ssize_t r = read_at(s->fd, out + got, it->len - got, it->off + got);
			if (r < 0) {
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
