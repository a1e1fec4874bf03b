/* report.c -- collects the --report JSON with cJSON while the run goes and
 * writes it once at the end, atomically (temporary file, fsync, rename);
 * under --report-object it collects without a file, for reportobj.c to read.
 * It decides nothing about the stream and prints no messages. */
#include "report.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "util.h"

#ifndef VERSION
#define VERSION "unknown"
#endif


static cJSON *root, *documents, *generated, *warnings, *errors, *counts, *pod_security;
static cJSON *words; /* the warnings without place or document context */
static cJSON *last_changes; /* the changes array of the most recent object */
static size_t last_index;
static char last_id[512];
static int fd = -1;          /* the temporary file, or PATH when not regular */
static char tmp_path[4096];  /* "" when writing straight into PATH */
static char final_path[4096];

/* cJSON returns NULL when malloc fails; the run treats it like xmalloc. */
static cJSON *
ok(cJSON *j)
{
	if (!j)
		xoom();
	return j;
}

static void
add_str(cJSON *obj, const char *key, const char *value)
{
	ok(value ? cJSON_AddStringToObject(obj, key, value) : cJSON_AddNullToObject(obj, key));
}

/* A new object at the end of ARRAY, with the string fields KEYS[i] =
 * VALUES[i] (NULL values become null). */
static cJSON *
append_object(cJSON *array, const char *const *keys, const char *const *values, size_t n)
{
	cJSON *o = ok(cJSON_CreateObject());
	cJSON_AddItemToArray(array, o);
	for (size_t i = 0; i < n; i++)
		add_str(o, keys[i], values[i]);
	return o;
}

static const char *const object_keys[] = {"kind", "namespace", "name", "source"};

bool
report_active(void)
{
	return root != NULL;
}

void
report_change(size_t index, const char *kind, const char *ns, const char *name, const char *source,
	      const char *patch, const char *path, const char *old, const char *new_)
{
	char id[512];
	if (!root)
		return;
	snprintf(id, sizeof(id), "%s\n%s\n%s", kind ? kind : "", ns ? ns : "", name ? name : "");
	if (!last_changes || index != last_index || strcmp(id, last_id) != 0) {
		cJSON *o = append_object(documents, NULL, NULL, 0);
		ok(cJSON_AddNumberToObject(o, "document", (double)index));
		const char *const values[] = {kind, ns, name, source};
		for (size_t i = 0; i < 4; i++)
			add_str(o, object_keys[i], values[i]);
		last_changes = ok(cJSON_AddArrayToObject(o, "changes"));
		last_index = index;
		snprintf(last_id, sizeof(last_id), "%s", id);
	}
	static const char *const change_keys[] = {"patch", "path", "old", "new"};
	const char *const values[] = {patch, path, old, new_};
	append_object(last_changes, change_keys, values, 4);
}

void
report_pod_security(size_t index, const char *kind, const char *ns, const char *name, const char *level,
		    const char *baseline, const char *restricted)
{
	if (!root)
		return;
	static const char *const keys[] = {"kind", "namespace", "name", "level", "baselineFails", "restrictedFails"};
	const char *const values[] = {kind, ns, name, level, baseline && *baseline ? baseline : NULL,
				      restricted && *restricted ? restricted : NULL};
	cJSON *o = append_object(pod_security, keys, values, 6);
	ok(cJSON_AddNumberToObject(o, "document", (double)index));
}

void
report_generated(const char *kind, const char *ns, const char *name, const char *source)
{
	if (!root)
		return;
	const char *const values[] = {kind, ns, name, source};
	append_object(generated, object_keys, values, 4);
}

void
report_message(bool error, const char *text, const char *message)
{
	if (!root)
		return;
	cJSON_AddItemToArray(error ? errors : warnings, ok(cJSON_CreateString(text)));
	if (!error)
		cJSON_AddItemToArray(words, ok(cJSON_CreateString(message ? message : text)));
}

void
report_namespace(const char *name, const char *from)
{
	if (!root || cJSON_GetObjectItemCaseSensitive(root, "releaseNamespace"))
		return;
	static const char *const keys[] = {"name", "from"};
	const char *const values[] = {name, from};
	cJSON *o = ok(cJSON_CreateObject());
	for (size_t i = 0; i < 2; i++)
		add_str(o, keys[i], values[i]);
	cJSON_AddItemToObject(root, "releaseNamespace", o);
}

const cJSON *
report_collected(const char *what)
{
	if (!root)
		return NULL;
	return !strcmp(what, "words") ? words : cJSON_GetObjectItemCaseSensitive(root, what);
}

void
report_counts(size_t n_documents, size_t objects, size_t changed, size_t n_generated)
{
	if (!root)
		return;
	if (counts)
		cJSON_DeleteItemFromObject(root, "counts");
	counts = ok(cJSON_AddObjectToObject(root, "counts"));
	ok(cJSON_AddNumberToObject(counts, "documents", (double)n_documents));
	ok(cJSON_AddNumberToObject(counts, "objects", (double)objects));
	ok(cJSON_AddNumberToObject(counts, "changed", (double)changed));
	ok(cJSON_AddNumberToObject(counts, "generated", (double)n_generated));
}

/* The collection, without a file yet. */
static void
collect(void)
{
	root = ok(cJSON_CreateObject());
	ok(cJSON_AddNumberToObject(root, "reportVersion", REPORT_FORMAT_VERSION));
	add_str(root, "tool", PROG_NAME " " VERSION);
	documents = ok(cJSON_AddArrayToObject(root, "documents"));
	generated = ok(cJSON_AddArrayToObject(root, "generated"));
	pod_security = ok(cJSON_AddArrayToObject(root, "podSecurity"));
	warnings = ok(cJSON_AddArrayToObject(root, "warnings"));
	errors = ok(cJSON_AddArrayToObject(root, "errors"));
	words = ok(cJSON_CreateArray());
}

void
report_collect(void)
{
	if (!root)
		collect();
}

int
report_start(const char *path)
{
	struct stat st;
	report_stop();
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* /dev/stderr, a pipe: written straight into. */
		fd = open(path, O_WRONLY | O_CLOEXEC);
		tmp_path[0] = '\0';
	} else if ((size_t)snprintf(tmp_path, sizeof(tmp_path), "%s.tmp.%ld", path, (long)getpid()) >=
		   sizeof(tmp_path)) {
		errno = ENAMETOOLONG;
		fd = -1;
	} else {
		fd = open(tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	}
	if (fd < 0) {
		tmp_path[0] = '\0';
		return -1;
	}
	snprintf(final_path, sizeof(final_path), "%s", path);
	collect();
	return 0;
}

int
report_write(int exit_status, bool check)
{
	if (!root || fd < 0) {
		errno = EINVAL;
		return -1;
	}
	add_str(root, "status", exit_status == EXIT_OK ? "ok" : exit_status == EXIT_CHECK ? "not-patched" : "failed");
	ok(cJSON_AddNumberToObject(root, "exitStatus", exit_status));
	ok(cJSON_AddBoolToObject(root, "check", check));
	char *text = cJSON_Print(root);
	if (!text)
		xoom();
	size_t n = strlen(text);
	/* One trailing newline, as text files have. */
	text = xrealloc(text, n + 2);
	text[n] = '\n';
	text[n + 1] = '\0';
	int rc = write_all(fd, text, n + 1);
	if (rc == 0 && tmp_path[0])
		rc = fsync(fd);
	int saved = errno;
	if (close(fd) != 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	fd = -1;
	if (rc == 0 && tmp_path[0]) {
		if (rename(tmp_path, final_path) != 0) {
			rc = -1;
			saved = errno;
		} else {
			tmp_path[0] = '\0';
		}
	}
	free(text);
	report_stop();
	errno = saved;
	return rc;
}

/* Drop what was collected without writing, removing the temporary file. */
void
report_stop(void)
{
	cJSON_Delete(root);
	cJSON_Delete(words);
	if (fd >= 0)
		close(fd);
	fd = -1;
	if (tmp_path[0])
		unlink(tmp_path); /* a report never written leaves nothing behind */
	tmp_path[0] = '\0';
	root = documents = generated = warnings = errors = counts = last_changes = pod_security = words = NULL;
	last_index = 0;
	last_id[0] = '\0';
}
