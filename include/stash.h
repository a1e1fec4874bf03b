/* stash.h -- keeps byte strings for later: in memory up to a budget, then
 * in an unlinked temporary file, so that many documents waiting for a
 * decision (Services held for their workload) do not make memory grow with
 * the stream. It knows nothing about YAML or the output. */
#ifndef DMSPR_STASH_H
#define DMSPR_STASH_H

#include <stddef.h>

#define STASH_DEFAULT_MEMORY ((size_t)256 * 1024)

struct stash {
	int fd;          /* temporary file once the budget is spent */
	int has_file;    /* fd is open (a zeroed stash has none) */
	size_t file_len; /* bytes written to it */
	size_t in_mem;   /* bytes held in memory */
	size_t budget;
};

/* One stored string: in memory (mem) or in the file at off. */
struct stash_item {
	char *mem;
	size_t off;
	size_t len;
};

void stash_init(struct stash *s, size_t budget);

/* Keep a copy of the N bytes at P. Returns 0, or -1 after reporting an I/O
 * error. */
int stash_put(struct stash *s, struct stash_item *it, const char *p, size_t n);

/* A NUL-terminated copy of the item's bytes for the caller to free, or NULL
 * after reporting an I/O error. */
char *stash_get(struct stash *s, const struct stash_item *it);

/* Forget an item (its file space is not reused). */
void stash_drop(struct stash *s, struct stash_item *it);

/* Close the temporary file. Items still kept must be dropped first.
 * Accepts a zeroed or freed stash. */
void stash_free(struct stash *s);

#endif
