/* spool.c -- the output buffer behind "all or nothing": bytes collect in a
 * fixed memory buffer that spills into an unlinked file under $TMPDIR. It
 * knows nothing about documents. */
#include "spool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/sendfile.h>
#endif

#include "diag.h"
#include "util.h"

void
spool_init(struct spool *s, size_t mem_limit)
{
	memset(s, 0, sizeof(*s));
	s->cap = mem_limit ? mem_limit : 1;
	s->mem = xmalloc(s->cap);
	s->fd = -1;
	stash_init(&s->stash, STASH_DEFAULT_MEMORY);
}

static int
spill(struct spool *s)
{
	if (s->fd < 0 && (s->fd = temp_file("the output spool")) < 0)
		return -1;
	if (write_all(s->fd, s->mem, s->len) != 0) {
		diag_error("writing the output spool to its temporary file failed:");
		return -1;
	}
	s->len = 0;
	return 0;
}

size_t
spool_reserve(struct spool *s)
{
	if (s->nslots == s->slots_cap) {
		s->slots_cap = s->slots_cap ? 2 * s->slots_cap : 8;
		s->slots = xrealloc(s->slots, s->slots_cap * sizeof(*s->slots));
	}
	memset(&s->slots[s->nslots], 0, sizeof(*s->slots));
	s->slots[s->nslots].offset = s->total;
	s->slots[s->nslots].last = -1;
	return s->nslots++;
}

void
spool_begin_slot(struct spool *s, size_t n)
{
	s->into = n + 1;
}

int
spool_end_slot(struct spool *s)
{
	struct spool_slot *t = s->into ? &s->slots[s->into - 1] : NULL;
	s->into = 0;
	if (!t || !t->data.len)
		return 0;
	t->last = (unsigned char)t->data.data[t->data.len - 1];
	int rc = stash_put(&s->stash, &t->kept, t->data.data, t->data.len);
	buf_free(&t->data);
	return rc;
}

int
spool_last_byte(const struct spool *s)
{
	/* Slots at the very end come after every main-output byte. */
	for (size_t i = s->nslots; i-- > 0 && s->slots[i].offset == s->total;)
		if (s->slots[i].last >= 0)
			return s->slots[i].last;
	return s->total ? (unsigned char)s->last : -1;
}

int
spool_write(struct spool *s, const void *p, size_t n)
{
	const char *c = p;
	if (s->into) {
		struct buf *b = &s->slots[s->into - 1].data;
		if (!b->cap)
			buf_reserve(b, n); /* often the whole document in one write */
		buf_add(b, p, n);
		return 0;
	}
	s->total += n;
	if (n)
		s->last = c[n - 1];
	/* Once the output lives in the file, a large write goes there
	 * directly instead of through the staging buffer. */
	if (s->fd >= 0 && n >= 65536) {
		if (spill(s) != 0)
			return -1;
		if (write_all(s->fd, c, n) != 0) {
			diag_error("writing the output spool to its temporary file failed:");
			return -1;
		}
		return 0;
	}
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

/* Write a filled slot. */
static int
put_slot(struct spool *s, int out_fd, const struct spool_slot *t)
{
	if (!t->kept.len)
		return 0;
	char *text = stash_get(&s->stash, &t->kept);
	if (!text)
		return -1;
	int w = write_all(out_fd, text, t->kept.len);
	free(text);
	if (w != 0)
		diag_error("writing output failed:");
	return w;
}

/* Write main-output bytes [pos, pos + n) with the slots that fall inside
 * them in place; *next is the first slot not yet written. */
static int
put(struct spool *s, int out_fd, const char *p, size_t n, size_t pos, size_t *next)
{
	while (*next < s->nslots && s->slots[*next].offset <= pos + n) {
		struct spool_slot *t = &s->slots[*next];
		size_t k = t->offset - pos;
		if (write_all(out_fd, p, k) != 0)
			goto fail;
		if (put_slot(s, out_fd, t) != 0)
			return -1;
		p += k;
		n -= k;
		pos += k;
		++*next;
	}
	if (write_all(out_fd, p, n) == 0)
		return 0;
fail:
	diag_error("writing output failed:");
	return -1;
}

#ifdef __linux__
/* Copy bytes [off, off + n) of the spool file to out_fd inside the kernel.
 * Returns 0, 1 when sendfile() cannot serve these descriptors and nothing
 * was written, or -1 after reporting an error. */
static int
send_range(struct spool *s, int out_fd, size_t off, size_t n)
{
	off_t o = (off_t)off;
	bool first = true;
	while (n > 0) {
		ssize_t r = sendfile(out_fd, s->fd, &o, n < 0x40000000 ? n : 0x40000000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && first && (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP))
			return 1;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			diag_error("writing output failed:");
			return -1;
		}
		first = false;
		n -= (size_t)r;
	}
	return 0;
}

#endif

/* Copy bytes [off, off + n) of the spool file to out_fd through s->mem. */
static int
copy_range(struct spool *s, int out_fd, size_t off, size_t n)
{
	while (n > 0) {
		ssize_t r = read_at(s->fd, s->mem, n < s->cap ? n : s->cap, off);
		if (r < 0) {
			diag_error("reading back the output spool failed:");
			return -1;
		}
		if (write_all(out_fd, s->mem, (size_t)r) != 0) {
			diag_error("writing output failed:");
			return -1;
		}
		off += (size_t)r;
		n -= (size_t)r;
	}
	return 0;
}

/* The spilled output: the file's ranges between the slots, and the slots.
 * Ranges go through sendfile() (no copy through user space) until the
 * kernel refuses these descriptors (e.g. stdout opened for appending), and
 * through read/write from then on. */
static int
commit_file(struct spool *s, int out_fd)
{
	size_t pos = 0;
#ifdef __linux__
	bool use_sendfile = true;
#else
	bool use_sendfile = false;
#endif
	for (size_t i = 0; i <= s->nslots; i++) {
		size_t end = i < s->nslots ? s->slots[i].offset : s->total;
		int rc = 1;
#ifdef __linux__
		if (use_sendfile && end > pos)
			rc = send_range(s, out_fd, pos, end - pos);
#endif
		if (rc == 1) {
			use_sendfile = use_sendfile && end == pos;
			rc = copy_range(s, out_fd, pos, end - pos);
		}
		if (rc != 0 || (i < s->nslots && put_slot(s, out_fd, &s->slots[i]) != 0))
			return -1;
		pos = end;
	}
	return 0;
}

int
spool_commit(struct spool *s, int out_fd)
{
	size_t next = 0;
	if (s->fd >= 0) {
		if (spill(s) != 0)
			return -1;
		return commit_file(s, out_fd);
	}
	if (put(s, out_fd, s->mem, s->len, 0, &next) != 0)
		return -1;
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
	for (size_t i = 0; i < s->nslots; i++) {
		buf_free(&s->slots[i].data);
		stash_drop(&s->stash, &s->slots[i].kept);
	}
	stash_free(&s->stash);
	free(s->slots);
	s->slots = NULL;
	s->nslots = s->slots_cap = s->into = 0;
	s->len = s->cap = s->total = 0;
}
