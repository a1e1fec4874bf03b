/* check.h -- a minimal assertion harness for the unit tests: each CHECK
 * prints one PASS or FAIL line, and check_done() returns the exit status.
 * Assertions are never compiled out. */
#ifndef DMSPR_CHECK_H
#define DMSPR_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed_count;

#define CHECK(name, cond)                                                              \
	do {                                                                           \
		if (cond) {                                                            \
			printf("PASS %s\n", (name));                                   \
		} else {                                                               \
			printf("FAIL %s (%s:%d: %s)\n", (name), __FILE__, __LINE__, #cond); \
			check_failed_count++;                                          \
		}                                                                      \
	} while (0)

static inline int
check_done(void)
{
	fflush(stdout);
	return check_failed_count ? 1 : 0;
}

#endif
