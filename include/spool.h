/* spool.h -- holds the whole output of a run until the run has succeeded:
 * in memory up to a bound, then in an unlinked temporary file, so memory stays
 * flat however long the stream is. It never writes to stdout until
 * spool_commit(). */
#ifndef DMSPR_SPOOL_H
#define DMSPR_SPOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "stash.h"
#include "util.h"

#define SPOOL_DEFAULT_MEMORY ((size_t)4 * 1024 * 1024)

struct spool {
	char *mem;       /* staging buffer of cap bytes */
	size_t len;      /* bytes in mem not yet in the file */
	size_t cap;
	int fd;          /* temporary file once spilled, else -1 */
	size_t total;    /* bytes accepted so far (slots excluded) */
	struct spool_slot *slots; /* in order of offset */
	size_t nslots, slots_cap;
	struct stash stash; /* the slots' bytes once filled */
	size_t into;     /* 1 + slot that spool_write() fills, or 0 */
	char last;       /* last byte of the main output */
};

/* A place in the output reserved for a document decided later (a Service
 * that waits for its workload). Its bytes collect in data while it is being
 * filled and then move to the stash (memory up to a budget, then a file). */
struct spool_slot {
	size_t offset;   /* position in the main output */
	struct buf data;
	struct stash_item kept;
	int last;        /* its last byte, or -1 while empty */
};

/* Prepare an empty spool that keeps up to mem_limit bytes in memory. */
void spool_init(struct spool *s, size_t mem_limit);

/* Append n bytes. Returns 0, or -1 after reporting the I/O error. */
int spool_write(struct spool *s, const void *p, size_t n);

/* Reserve a slot at the current end of the output; returns its number. */
size_t spool_reserve(struct spool *s);

/* Make spool_write() fill slot N instead of the main output (N from
 * spool_reserve()), or go back to the main output. */
void spool_begin_slot(struct spool *s, size_t n);
/* Returns 0, or -1 after reporting an I/O error. */
int spool_end_slot(struct spool *s);

/* The last byte of the output as it will be committed (slots in place), or
 * -1 when it is empty. */
int spool_last_byte(const struct spool *s);

/* Copy everything accepted so far to out_fd, in order, slots in place. Returns 0, or -1
 * after reporting the error (e.g. EPIPE, ENOSPC). */
int spool_commit(struct spool *s, int out_fd);

/* Release memory and the temporary file. Accepts a zeroed or freed spool. */
void spool_free(struct spool *s);

#endif
