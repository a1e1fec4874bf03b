/* diag.h -- the program's exit codes and its only way of talking to stderr:
 * one-line errors with a stream position and document context, warnings, and
 * --verbose notes. It never decides the exit status; main() does. */
#ifndef DMSPR_DIAG_H
#define DMSPR_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Documented in README.md and --help. Distinct per cause, because Helm 4
 * shows only the exit status of a post-renderer. */
enum exit_code {
	EXIT_OK = 0,
	EXIT_INPUT = 1,  /* input is not valid YAML or not a Kubernetes stream */
	EXIT_USAGE = 2,  /* bad command line */
	EXIT_CONFIG = 3, /* bad configuration value */
	EXIT_PATCH = 4,  /* a matched document could not be patched safely */
	EXIT_IO = 5,     /* reading, writing or memory failed */
	EXIT_EMPTY = 6,  /* the input holds no document (see --allow-empty) */
	EXIT_CHECK = 7,  /* --check: the stream is not fully patched */
	EXIT_STRICT = 8, /* --strict: the run warned */
};

#define PROG_NAME "dms-postrender"

/* Set the document that later messages are about: its 1-based number in the
 * stream and its Helm 3 "# Source:" path (may be NULL; copied). Pass 0 to
 * clear. */
void diag_set_document(size_t index, const char *source, size_t source_len);

/* The document's Helm 4 template file (its postrenderer.helm.sh/
 * postrender-filename annotation; copied): until the next
 * diag_set_document(), messages read "dms-postrender: error: FILE: MSG
 * (document N, <stdin>:LINE:COL)", since under Helm 4 the stream's line
 * numbers are of a stream nobody sees. */
void diag_set_template(const char *file);

/* Print "dms-postrender: error: <stdin>:LINE:COL: MSG (document N, Source: S)"
 * on one line. LINE and COL are 1-based; LINE 0 omits the position. Only the
 * first error of a run is printed, so stderr always has exactly one error
 * line. A message ending in ':' gets strerror(errno) appended. */
void diag_error_at(size_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same without a position. */
void diag_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True once an error was reported. */
bool diag_failed(void);
/* That error's text without the program prefix, or NULL. */
const char *diag_first_error(void);

/* "dms-postrender: warning: MSG (document N, ...)"; always printed. */
void diag_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same with "<stdin>:LINE: " before MSG (LINE 0 omits it). */
void diag_warn_at(size_t line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Printed only when verbose is on: "dms-postrender: MSG". */
void diag_set_verbose(bool on);
bool diag_verbose(void);
void diag_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Send messages to F instead of stderr (NULL: back to stderr); for test
 * harnesses that run the pipeline many times in one process. */
void diag_set_output(FILE *f);

/* How many warnings this run printed (--strict fails on any). */
size_t diag_warnings(void);
/* Where messages go besides stderr, for clients that drop it. */
enum diag_client {
	DIAG_CLIENT_NONE,
	DIAG_CLIENT_ALL,        /* Helm 4 drops stderr always: every error and warning */
	DIAG_CLIENT_ON_SUCCESS, /* Helm 3 shows stderr only on failure: warnings of a run that succeeds */
};
/* Also append errors and warnings to LOG_PATH (NULL: none; created 0600,
 * started afresh past 64 KiB, each run headed by a UTC timestamp and pid)
 * and write them to the stderr of process CLIENT (through /proc; 0,
 * unopenable or our own stderr: /dev/tty, if it opens), as WHEN says: at
 * once for DIAG_CLIENT_ALL, at diag_finish() for DIAG_CLIENT_ON_SUCCESS. */
void diag_mirror(const char *log_path, long client, enum diag_client when);
/* True when a client that drops stderr (Helm) runs us: diag_mirror() was
 * given one. */
bool diag_client_active(void);
/* The run ends with STATUS: write what DIAG_CLIENT_ON_SUCCESS held back when
 * STATUS is 0, and close this run's entry in the log with it. */
void diag_finish(int status);

/* Also hand every error and warning to FN (NULL: nobody): TEXT as printed
 * without the program prefix and the newline, MESSAGE without the place and
 * the document context either; the reports collect them this way. */
void diag_set_listener(void (*fn)(bool error, const char *text, const char *message));

/* Forget all state (for tests and repeated runs in one process). */
void diag_reset(void);

#endif
