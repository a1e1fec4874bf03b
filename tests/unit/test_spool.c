/* test_spool.c -- unit tests for the output spool's slots: a place reserved
 * early and filled late comes out in its place, in memory and after the
 * spool spilled to its temporary file, at the start, middle and end; and
 * the last byte of the output as it will be committed; with the slots'
 * bytes in memory, in their own file, or both. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "spool.h"

/* Commit s into a pipe-backed temp file and return its text (caller frees). */
static char *
committed(struct spool *s)
{
	FILE *f = tmpfile();
	char *text = calloc(1, 4096);
	if (!f || !text || spool_commit(s, fileno(f)) != 0)
		return text;
	rewind(f);
	size_t n = fread(text, 1, 4095, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static void
scenario(const char *name, size_t mem, size_t slot_mem)
{
	struct spool s;
	char label[96];
	spool_init(&s, mem);
	s.stash.budget = slot_mem;
	size_t first = spool_reserve(&s);
	spool_write(&s, "aaaa", 4);
	size_t mid = spool_reserve(&s);
	spool_write(&s, "bbbbbbbb", 8);
	spool_begin_slot(&s, mid);
	spool_write(&s, "[MID]", 5);
	spool_end_slot(&s);
	spool_write(&s, "cc", 2);
	size_t last = spool_reserve(&s);
	spool_begin_slot(&s, first);
	spool_write(&s, "[FIRST]", 7);
	spool_end_slot(&s);
	snprintf(label, sizeof(label), "last byte before the end slot is filled (%s)", name);
	CHECK(label, spool_last_byte(&s) == 'c');
	spool_begin_slot(&s, last);
	spool_write(&s, "[LAST]", 6);
	spool_end_slot(&s);
	snprintf(label, sizeof(label), "last byte comes from the end slot (%s)", name);
	CHECK(label, spool_last_byte(&s) == ']');
	char *got = committed(&s);
	snprintf(label, sizeof(label), "slots in place (%s)", name);
	CHECK(label, strcmp(got, "[FIRST]aaaa[MID]bbbbbbbbcc[LAST]") == 0);
	free(got);
	spool_free(&s);
}

int
main(void)
{
	scenario("in memory", 1024, 1024);
	scenario("spilled, 3-byte buffer", 3, 1024); /* block edges fall inside and on slots */
	scenario("spilled, 4-byte buffer", 4, 1024);
	scenario("slots in their file", 1024, 0);
	scenario("slots partly in their file, output spilled", 4, 8);
	struct spool s;
	spool_init(&s, 16);
	CHECK("an empty spool has no last byte", spool_last_byte(&s) == -1);
	spool_reserve(&s);
	char *got = committed(&s);
	CHECK("an empty slot writes nothing", strcmp(got, "") == 0);
	free(got);
	spool_free(&s);
	return check_done();
}
