/* report.h -- the --report FILE: a JSON document (built with cJSON) listing
 * every object a patch changed with each change (patch, field path, old and
 * new value), every warning, the documents generated, the run's counts and
 * how it ended. It is collected in memory (only touched objects are kept)
 * and written once, whole, when the run ends: into a temporary file beside
 * FILE, created when the run starts so that an unwritable place fails before
 * any output, and then renamed over FILE. It never touches the YAML stream. */
#ifndef DMSPR_REPORT_H
#define DMSPR_REPORT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define REPORT_FORMAT_VERSION 1

/* Start collecting for PATH and create the temporary file (PATH itself
 * when it exists and is not a regular file, e.g. /dev/stderr). Returns 0,
 * or -1 with errno set. Nothing is collected before this is called. */
int report_start(const char *path);
/* Collect without a file (--report-object alone); nothing when collecting. */
void report_collect(void);
/* Drop what was collected, writing nothing. */
void report_stop(void);
bool report_active(void);
/* What was collected so far: "documents", "generated", "podSecurity",
 * "releaseNamespace", "warnings" (as printed) or "words" (the warnings without place or
 * document context); NULL when nothing is collected. */
const cJSON *report_collected(const char *what);

/* One change to object KIND NS/NAME of document INDEX (1-based) whose
 * Helm 3 "# Source:" path or Helm 4 filename is SOURCE (NULL when unknown).
 * OLD is NULL when the field was absent. Consecutive changes to the same
 * object are grouped under one entry. */
void report_change(size_t index, const char *kind, const char *ns, const char *name, const char *source,
		   const char *patch, const char *path, const char *old, const char *new_);

/* The Pod Security level LEVEL a docker-mailserver workload's pod meets,
 * and the checks it fails (psa.h's lists, "" when none). */
void report_pod_security(size_t index, const char *kind, const char *ns, const char *name, const char *level,
			 const char *baseline, const char *restricted);

/* The release namespace NAME, taken from FROM (an option source in words),
 * went into a generated object: "releaseNamespace" in the report. */
void report_namespace(const char *name, const char *from);

/* A document appended to the stream. */
void report_generated(const char *kind, const char *ns, const char *name, const char *source);

/* A warning or error line, without the program prefix and newline; MESSAGE
 * without the place and the document context (diag_set_listener()). */
void report_message(bool error, const char *text, const char *message);

/* The run's counts, when it got that far. */
void report_counts(size_t documents, size_t objects, size_t changed, size_t generated);

/* Write the report with the run's EXIT_STATUS, rename it into place and
 * free it. Returns 0, or -1 with errno set (the temporary file is removed). */
int report_write(int exit_status, bool check);

#endif
